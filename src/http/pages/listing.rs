//! What every paged list page shares: links to the neighbouring pages (keyset
//! cursors), sortable column headers and the honest total.

use super::{Chrome, Pager};
use crate::paging::{Paged, Total};

/// `path?k=v&…` with the non-empty values, URL-encoded.
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

fn with_param(base: &str, key: &str, value: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{sep}{key}={}",
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
    )
}

impl Pager {
    /// Links to the pages before and after this one; `base` carries the filters and
    /// the order, the link adds the cursor.
    pub fn keyset<T>(base: &str, page: &Paged<T>) -> Pager {
        Pager::keyset_as(base, "after", page)
    }

    /// [`Pager::keyset`] with the cursor under its own name, for a page that lists
    /// more than one thing (the bank page: suspense, imports, disposals).
    pub fn keyset_as<T>(base: &str, key: &str, page: &Paged<T>) -> Pager {
        Pager {
            prev: page.prev.as_deref().map(|c| with_param(base, key, c)),
            next: page.next.as_deref().map(|c| with_param(base, key, c)),
        }
    }
}

/// "共 37" or, past the counting cap, "超过 1,000" — never a number we did not count.
pub fn total_text(t: &Total, c: &Chrome) -> String {
    total_in(t, c.lang)
}

/// [`total_text`] in a language.
pub fn total_in(t: &Total, lang: crate::http::i18n::Lang) -> String {
    let n = grouped(t.count);
    if t.exact {
        n
    } else {
        format!("{} {n}", lang.pick("超过", "more than"))
    }
}

fn grouped(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Column headers that sort: a link per column, the current one marked ▲/▼; a second
/// click turns the order round.
pub struct Sorter {
    /// The list's address with its filters, without sort, order or cursor.
    pub base: String,
    pub sort: String,
    pub descending: bool,
}

impl Sorter {
    pub fn href(&self, column: &str) -> String {
        let order = if column == self.sort && self.descending {
            "asc"
        } else {
            "desc"
        };
        with_param(&with_param(&self.base, "sort", column), "order", order)
    }

    pub fn mark(&self, column: &str) -> &'static str {
        match (column == self.sort, self.descending) {
            (false, _) => "",
            (true, true) => " ▼",
            (true, false) => " ▲",
        }
    }

    /// `base` with the current order, for the pager's links.
    pub fn current(&self) -> String {
        let order = if self.descending { "desc" } else { "asc" };
        with_param(&with_param(&self.base, "sort", &self.sort), "order", order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_filters_and_encode_them() {
        assert_eq!(
            href("/policies", &[("q", "中恒 重工"), ("state", "")]),
            "/policies?q=%E4%B8%AD%E6%81%92+%E9%87%8D%E5%B7%A5"
        );
        let s = Sorter {
            base: "/policies?q=x".into(),
            sort: "premium".into(),
            descending: true,
        };
        assert_eq!(s.href("premium"), "/policies?q=x&sort=premium&order=asc");
        assert_eq!(
            s.href("period_end"),
            "/policies?q=x&sort=period_end&order=desc"
        );
        assert_eq!(s.mark("premium"), " ▼");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }
}
