//! The crate's own source files, for the tests that read the code (wording coverage):
//! one walk, rooted at the manifest directory so the tests do not depend on the working
//! directory, and failing loudly on a directory it cannot read (a silent empty list would
//! pass every such test).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `rel` (relative to the crate root), sorted; panics when the
/// directory cannot be read or holds none.
pub fn rust_files(rel: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let mut out = Vec::new();
    let mut todo = vec![root.clone()];
    while let Some(dir) = todo.pop() {
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    assert!(!out.is_empty(), "no Rust files under {}", root.display());
    out.sort();
    out
}

/// The text of a source file; panics when it cannot be read.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
