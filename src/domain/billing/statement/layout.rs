//! Bank statement layouts (银行流水格式) as data: which column of a bank's export holds
//! the value date, the credit, the payer, the reference and the bank's transaction id.
//! One TOML file per layout under `clauses/banks/`; a new bank is a new file, not code.
//!
//! A layout names each role by the header texts that bank uses (any one of them may
//! appear). The header row is searched among the first `header_within` rows, because
//! banks print the account number and period above it.

use crate::domain::clauses::issue::{check_code, check_kind, DocumentKind, Issue, KeyPath};
use crate::domain::clauses::text::Text;
use serde::{Deserialize, Serialize};

/// One bank's export layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankLayout {
    pub kind: DocumentKind,
    pub id: String,
    pub name: Text,
    /// Where the column names come from, for whoever checks them against a real file.
    pub source: String,
    /// Generic layouts are tried after every bank's own.
    #[serde(default)]
    pub generic: bool,
    #[serde(default = "default_header_within")]
    pub header_within: usize,
    pub columns: Columns,
    /// Values of the `direction` column that mean a credit (贷/收入); other lines are
    /// the account's outgoings and are skipped.
    #[serde(default)]
    pub credit_marks: Vec<String>,
}

fn default_header_within() -> usize {
    20
}

/// Header names per role; each list holds the names this bank may print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// 交易日期 / 记账日期
    pub date: Vec<String>,
    /// 贷方金额 / 收入金额 — or a signed 交易金额, where a negative amount is an outgoing.
    pub credit: Vec<String>,
    /// 借方金额: a line with only a debit is an outgoing and skipped.
    #[serde(default)]
    pub debit: Vec<String>,
    /// 借/贷 flag, read with `credit_marks`.
    #[serde(default)]
    pub direction: Vec<String>,
    /// 对方户名 / 付款人名称
    pub payer: Vec<String>,
    /// 摘要 / 附言 / 用途: every one present is read (joined by a space), so a policy
    /// number in any of them is found.
    pub reference: Vec<String>,
    /// 交易流水号 / 流水号
    pub transaction_id: Vec<String>,
}

/// Where each role sits in one file, once its header row is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Index of the header row among the rows read.
    pub header_row: usize,
    pub date: usize,
    pub credit: usize,
    pub debit: Option<usize>,
    pub direction: Option<usize>,
    pub payer: Option<usize>,
    pub reference: Vec<usize>,
    pub transaction_id: usize,
}

/// Header text compared without spaces, full-width brackets or case, so `交易日期 `
/// and `Transaction Date` match however the bank pads them.
pub fn normalise(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '［' | '【' => '[',
            '］' | '】' => ']',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

impl BankLayout {
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        check_kind(self.kind, DocumentKind::BankLayout, &mut issues);
        check_code(&self.id, KeyPath::root().key("id"), &mut issues);
        self.name.check(&KeyPath::root().key("name"), &mut issues);
        let cols = KeyPath::root().key("columns");
        for (role, names) in [
            ("date", &self.columns.date),
            ("credit", &self.columns.credit),
            ("transaction_id", &self.columns.transaction_id),
        ] {
            if names.iter().all(|n| n.trim().is_empty()) {
                issues.push(Issue::new(cols.key(role), "name at least one header"));
            }
        }
        if !self.columns.direction.is_empty() && self.credit_marks.is_empty() {
            issues.push(Issue::new(
                KeyPath::root().key("credit_marks"),
                "a direction column needs the marks that mean a credit",
            ));
        }
        if self.header_within == 0 {
            issues.push(Issue::new(
                KeyPath::root().key("header_within"),
                "must be at least 1",
            ));
        }
        issues
    }

    /// The columns of this layout in a header row, if every required role is there.
    pub fn map(&self, header_row: usize, header: &[String]) -> Option<ColumnMap> {
        let cells: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let find = |names: &[String]| {
            names
                .iter()
                .map(|n| normalise(n))
                .find_map(|n| cells.iter().position(|c| *c == n))
        };
        let reference = self
            .columns
            .reference
            .iter()
            .filter_map(|n| cells.iter().position(|c| *c == normalise(n)))
            .fold(Vec::new(), |mut v, i| {
                if !v.contains(&i) {
                    v.push(i);
                }
                v
            });
        Some(ColumnMap {
            header_row,
            date: find(&self.columns.date)?,
            credit: find(&self.columns.credit)?,
            debit: find(&self.columns.debit),
            direction: find(&self.columns.direction),
            payer: find(&self.columns.payer),
            reference,
            transaction_id: find(&self.columns.transaction_id)?,
        })
    }

    /// Find the header row among the first rows; the first match wins.
    pub fn locate(&self, rows: &[Vec<String>]) -> Option<ColumnMap> {
        rows.iter()
            .take(self.header_within)
            .enumerate()
            .find_map(|(i, r)| self.map(i, r))
    }

    /// Whether a direction mark says credit; without a direction column every line is.
    pub fn is_credit_mark(&self, mark: &str) -> bool {
        let mark = normalise(mark);
        self.credit_marks.iter().any(|m| normalise(m) == mark)
    }
}

/// The layout that reads these rows: a bank's own layout before the generic ones, and
/// among several the one that finds the most columns. `None` when none finds its
/// required columns.
pub fn detect<'a>(
    layouts: &'a [BankLayout],
    rows: &[Vec<String>],
) -> Option<(&'a BankLayout, ColumnMap)> {
    let score = |m: &ColumnMap| {
        2 + usize::from(m.debit.is_some())
            + usize::from(m.direction.is_some())
            + usize::from(m.payer.is_some())
            + m.reference.len()
    };
    layouts
        .iter()
        .filter_map(|l| l.locate(rows).map(|m| (l, m)))
        .max_by_key(|(l, m)| (!l.generic, score(m), std::cmp::Reverse(m.header_row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn layout(id: &str, generic: bool, date: &str, credit: &str) -> BankLayout {
        BankLayout {
            kind: DocumentKind::BankLayout,
            id: id.into(),
            name: Text::new("测试", "Test"),
            source: String::new(),
            generic,
            header_within: 5,
            columns: Columns {
                date: vec![date.into()],
                credit: vec![credit.into()],
                debit: vec![],
                direction: vec![],
                payer: vec!["对方户名".into()],
                reference: vec!["摘要".into(), "用途".into()],
                transaction_id: vec!["流水号".into()],
            },
            credit_marks: vec![],
        }
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn the_header_is_found_below_the_account_lines_and_padding_does_not_matter() {
        let l = layout("x", false, "交易日期", "贷方金额");
        let rows = [
            row(&["账号：1202 0000 1234", ""]),
            row(&["", ""]),
            row(&[
                " 交易日期 ",
                "贷方金额（元）",
                "对方户名",
                "用途",
                "摘要",
                "流水号",
            ]),
        ];
        assert!(l.locate(&rows).is_none(), "贷方金额（元） is not 贷方金额");
        let l = layout("x", false, "交易日期", "贷方金额(元)");
        let m = l.locate(&rows).unwrap();
        assert_eq!((m.header_row, m.date, m.credit), (2, 0, 1));
        assert_eq!(
            m.reference,
            vec![4, 3],
            "both reference columns, in the layout's order"
        );
        assert_eq!(m.transaction_id, 5);
    }

    #[test]
    fn a_banks_own_layout_wins_over_the_generic_one() {
        let generic = layout("generic", true, "交易日期", "贷方金额");
        let own = layout("bank", false, "交易日期", "贷方金额");
        let rows = [row(&["交易日期", "贷方金额", "流水号"])];
        let layouts = [generic, own];
        assert_eq!(detect(&layouts, &rows).unwrap().0.id, "bank");
        assert!(detect(&layouts, &[row(&["日期", "金额"])]).is_none());
    }

    #[test]
    fn a_layout_needs_its_required_columns_and_both_languages() {
        let mut l = layout("bad id", false, "", "贷方金额");
        l.name.en.clear();
        let issues: Vec<String> = l.validate().iter().map(|i| i.path.to_string()).collect();
        assert_eq!(issues, vec!["id", "name.en", "columns.date"]);
    }
}
