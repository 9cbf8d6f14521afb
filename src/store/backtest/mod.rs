//! The backtest data step (费率回溯数据): premium and loss cells aggregated in the
//! database — never by loading policy or claim rows — and the stored reports.
//!
//! Both sides group by the same segment columns (line, equipment field, cover basis,
//! programme, region) and origin year; losses also by the calendar year of each
//! movement, which the domain turns into development periods. Date arithmetic differs
//! between the dialects; [`Dialect`] is the one place that difference lives.

mod dialect;
pub mod losses;
pub mod premium;
pub mod reports;
pub mod summary;

pub use dialect::Dialect;

use super::{StoreResult, Tx};

/// PostgreSQL: enough memory to hash-aggregate the whole book (otherwise it sorts on disk), and no
/// JIT (its compile time exceeds what it saves on these queries). For this transaction
/// only; SQLite needs nothing.
async fn tune_for_aggregation(tx: &mut Tx) -> StoreResult<()> {
    if let Tx::Postgres(t) = tx {
        // Two prepared statements rather than one `raw_sql` batch: `raw_sql`'s future is
        // not `Send` for every lifetime, which kept the backtest schedule off the main
        // runtime (`tokio::spawn` needs `Send`).
        for setting in ["set local work_mem = '256MB'", "set local jit = off"] {
            sqlx::query(setting).execute(&mut **t).await?;
        }
    }
    Ok(())
}

/// Which year a cell's origin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 承保年度: the year the policy period starts.
    UnderwritingYear,
    /// 事故年度: the year of the accident; premium is then earned per calendar year.
    AccidentYear,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::UnderwritingYear => "underwriting_year",
            Basis::AccidentYear => "accident_year",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        match s {
            "underwriting_year" => Some(Basis::UnderwritingYear),
            "accident_year" => Some(Basis::AccidentYear),
            _ => None,
        }
    }
}

/// The segment columns every cell carries (险种线、装备领域、承保方式、补贴项目、地区).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::FromRow)]
pub struct SegmentKey {
    /// `first_set_equipment` or `first_batch_material` (from the catalogue unit type).
    pub line: String,
    /// Equipment field of the catalogue item (装备领域).
    pub field: String,
    pub cover_basis: String,
    /// Subsidy programme id, empty when none.
    pub programme: String,
    /// Province of the maker.
    pub region: String,
}

/// The segment columns as SQL over `p` (policy), `c` (catalogue_item), `m` (maker party).
const SEGMENT_COLUMNS: &str = "case when c.unit_type = 'new_material' then 'first_batch_material' \
    else 'first_set_equipment' end as line, c.field as field, p.cover_basis as cover_basis, \
    coalesce(p.programme_id, '') as programme, m.province as region";

/// Joins for [`SEGMENT_COLUMNS`] from a relation `p` with `catalogue_item_id`,
/// `maker_id`, `cover_basis` and `programme_id`.
const SEGMENT_JOINS: &str = "join catalogue_item c on c.catalogue_item_id = p.catalogue_item_id \
    join party m on m.party_id = p.maker_id";
