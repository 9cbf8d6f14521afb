//! Plain-text tables with aligned columns, for reports read in a terminal or a mail.

/// Render rows as columns: the first column left-aligned, the others right-aligned,
/// separated by two spaces. Widths count characters, so Chinese labels line up as well
/// as a monospace font allows.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    push_row(&mut out, &head, &width);
    let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
    push_row(&mut out, &rule, &width);
    for row in rows {
        push_row(&mut out, &row[..row.len().min(n)], &width);
    }
    out
}

fn push_row(out: &mut String, cells: &[String], width: &[usize]) {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(width).enumerate() {
        let pad = w.saturating_sub(cell.chars().count());
        if i == 0 {
            line.push_str(cell);
            line.push_str(&" ".repeat(pad));
        } else {
            line.push_str("  ");
            line.push_str(&" ".repeat(pad));
            line.push_str(cell);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `1234567.8` → `1,234,568`: estimates are shown to the unit, grouped by thousands.
pub fn grouped(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{:.0}", x.abs());
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if x < 0.0 && s != "0" {
        out.push('-');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_rounds_to_the_unit() {
        assert_eq!(grouped(1234567.8), "1,234,568");
        assert_eq!(grouped(-999.4), "-999");
        assert_eq!(grouped(-0.2), "0");
    }

    #[test]
    fn aligns_columns() {
        let t = render(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert_eq!(t, "a    bb\n---  --\nxyz   1\n");
    }
}
