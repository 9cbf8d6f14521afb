//! The service modules form a layering, not a web (docs/ARCHITECTURE.md, "Boundaries"):
//! the graph of which module under `src/services/` names which other one
//! (`crate::services::x`, `services::{x, …}`, `super::x` from the module's own depth) has
//! no cycle, and `ctx` and `revocation` — the floor every folder stands on —
//! name no other service module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name → the other service modules its files name.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The names inside `prefix{a, b::c, d as e}` or after `prefix` alone, each occurrence.
fn named_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = code[at..].find(prefix) {
        let start = at + p;
        at = start + prefix.len();
        // A longer path ending in the prefix (`x::super::`) is not this one.
        if code[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        {
            continue;
        }
        let rest = &code[at..];
        if let Some(inner) = rest.strip_prefix('{') {
            let body = &inner[..inner.find('}').unwrap_or(inner.len())];
            for part in body.split(',') {
                let word: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !word.is_empty() {
                    out.push(word);
                }
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !word.is_empty() {
                out.push(word);
            }
        }
    }
    out
}

/// The graph over the modules directly under `services` (folders and files), from the
/// sources with comments and literals blanked by `code_only`.
pub fn service_graph(services: &Path, code_only: fn(&str) -> String) -> Graph {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(services).expect("read src/services") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if name != "mod" && (path.is_dir() || path.extension().is_some_and(|x| x == "rs")) {
            modules.insert(name.to_string());
        }
    }
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in super::rust_files(services) {
        let rel = file.strip_prefix(services).expect("under services");
        let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
        if parts == ["mod.rs"] {
            continue;
        }
        let module = parts[0].trim_end_matches(".rs").to_string();
        // How many `super::` lead from this file's module back to `services`.
        let ups = match parts.as_slice() {
            [_] => 1,
            [.., last] if *last == "mod.rs" => parts.len() - 1,
            _ => parts.len(),
        };
        let src = std::fs::read_to_string(&file).expect("read source");
        let code = code_only(&src);
        let mut names = named_after(&code, "crate::services::");
        names.extend(named_after(&code, &"super::".repeat(ups)));
        for name in names {
            if name != module && modules.contains(&name) {
                graph.entry(module.clone()).or_default().insert(name);
            }
        }
    }
    graph
}

/// Every cycle's members (strongly connected components of more than one module, or a
/// module naming itself), each sorted.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    // Reachability by depth-first search from each node: the book has a few dozen
    // modules, so the quadratic walk is instant and easier to read than Tarjan.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = vec![from];
        while let Some(n) = todo.pop() {
            for next in graph.get(n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|k| (k, reach(k))).collect();
    let mut out: BTreeSet<Vec<String>> = BTreeSet::new();
    for (a, from_a) in &reached {
        if !from_a.contains(*a) {
            continue;
        }
        let comp: Vec<String> = from_a
            .iter()
            .filter(|b| reached.get(b).is_some_and(|r| r.contains(*a)))
            .cloned()
            .collect();
        out.insert(comp);
    }
    out.into_iter().collect()
}
