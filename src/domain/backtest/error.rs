//! What can go wrong reading or fitting a development triangle.

/// Why a triangle could not be read, built or fitted. Line numbers are 1-based and count
/// the header, so they match what an editor shows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TriangleError {
    #[error("the triangle has no data rows")]
    Empty,
    #[error(
        "line {line}: header must be 'origin,development,cumulative' or \
         'origin,development,incremental', found '{found}'"
    )]
    Header { line: usize, found: String },
    #[error("line {line}: the CSV cannot be read: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("line {line}: expected 3 fields, found {found}")]
    FieldCount { line: usize, found: usize },
    #[error("line {line}: {column} is empty")]
    EmptyLabel { line: usize, column: &'static str },
    #[error("line {line}: {column} '{value}' is not a finite number")]
    NotANumber {
        line: usize,
        column: &'static str,
        value: String,
    },
    #[error("line {line}: cell ({origin}, {development}) already given on line {first_line}")]
    Duplicate {
        line: usize,
        first_line: usize,
        origin: String,
        development: String,
    },
    #[error("origin {origin}: development {development} is missing but a later one is given")]
    Hole { origin: String, development: String },
    #[error("origin {0} has no observed cell")]
    EmptyOrigin(String),
    #[error("origin {origin}: expected {expected} development cells, found {found}")]
    Shape {
        origin: String,
        expected: usize,
        found: usize,
    },
    #[error("{what}: expected {expected} labels, found {found}")]
    LabelCount {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("a cell value is not finite (origin {origin}, development {development})")]
    NotFinite { origin: String, development: String },
    #[error("chain ladder needs at least 2 development periods, found {0}")]
    TooFewDevelopments(usize),
    #[error("tail factor {0} must be a finite number greater than 0")]
    InvalidTail(f64),
}
