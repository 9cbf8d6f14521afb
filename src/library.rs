//! The clause library on disk (`clauses/`): clause sets, rate filings, claim document
//! checklists and subsidy programmes, read once at start-up. The only module of the
//! rules that touches files.
//!
//! Every TOML file names its `kind`. A bad file is reported with its path, the line
//! and the reason: syntax and type errors use toml's span; semantic errors point at the
//! line of the offending key (or its table).

use crate::domain::billing::statement::layout::BankLayout;
use crate::domain::clauses::locate::{line_of_offset, line_of_path};
use crate::domain::clauses::{
    Checklist, ClaimChecklists, ClaimType, ClauseSet, DocumentKind, Issue, KeyPath, RateFiling,
};
use crate::domain::programme::Programme;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// Why the library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", list(.0))]
    Invalid(Vec<FileProblem>),
}

fn list(problems: &[FileProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl LibraryError {
    /// Every file problem (empty for IO errors).
    pub fn problems(&self) -> &[FileProblem] {
        match self {
            LibraryError::Invalid(p) => p,
            LibraryError::Io { .. } => &[],
        }
    }
}

/// Everything in `clauses/`, checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    clause_sets: Vec<ClauseSet>,
    rate_filings: Vec<RateFiling>,
    checklists: Vec<ClaimChecklists>,
    programmes: Vec<Programme>,
    bank_layouts: Vec<BankLayout>,
}

impl Library {
    /// Bank statement export layouts (`clauses/banks/`), each bank's own before the
    /// generic ones, in file-name order.
    pub fn bank_layouts(&self) -> &[BankLayout] {
        &self.bank_layouts
    }

    pub fn clause_sets(&self) -> &[ClauseSet] {
        &self.clause_sets
    }

    pub fn clause_set(&self, id: &str, version: &str) -> Option<&ClauseSet> {
        self.clause_sets
            .iter()
            .find(|c| c.id == id && c.version.0 == version)
    }

    /// The highest version of a clause set (versions compare numerically).
    pub fn latest_clause_set(&self, id: &str) -> Option<&ClauseSet> {
        self.clause_sets
            .iter()
            .filter(|c| c.id == id)
            .max_by(|a, b| a.version.cmp(&b.version))
    }

    pub fn rate_filing(&self, clause_set: &str, version: &str) -> Option<&RateFiling> {
        self.rate_filings
            .iter()
            .filter(|r| r.clause_set == clause_set && r.clause_set_version.0 == version)
            .max_by_key(|r| r.filed_on)
    }

    pub fn programmes(&self) -> &[Programme] {
        &self.programmes
    }

    pub fn programme(&self, id: &str) -> Option<&Programme> {
        self.programmes.iter().find(|p| p.id == id)
    }

    /// The checklist for a claim type, from the latest checklist version.
    pub fn checklist(&self, claim_type: ClaimType) -> Option<&Checklist> {
        self.checklists
            .iter()
            .max_by(|a, b| a.version.cmp(&b.version))?
            .checklists
            .iter()
            .find(|c| c.claim_type == claim_type)
    }
}

/// A file read and parsed, kept with its text for cross-file line look-ups.
struct Loaded<T> {
    file: PathBuf,
    text: String,
    value: T,
}

/// Read every `*.toml` under `dir` (recursively, in name order).
pub fn load(dir: &Path) -> Result<Library, LibraryError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut filings = Vec::new();
    let mut lists = Vec::new();
    let mut programmes = Vec::new();
    let mut banks: Vec<Loaded<BankLayout>> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| LibraryError::Io {
            path: file.clone(),
            source,
        })?;
        let kind = match kind_of(&file, &text) {
            Ok(kind) => kind,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let result = match kind {
            DocumentKind::ClauseSet => {
                parse(&file, text, ClauseSet::validate).map(|l| sets.push(l))
            }
            DocumentKind::RateFiling => {
                parse(&file, text, RateFiling::validate).map(|l| filings.push(l))
            }
            DocumentKind::ClaimChecklists => {
                parse(&file, text, ClaimChecklists::validate).map(|l| lists.push(l))
            }
            DocumentKind::Programme => {
                parse(&file, text, Programme::validate).map(|l| programmes.push(l))
            }
            DocumentKind::BankLayout => {
                parse(&file, text, BankLayout::validate).map(|l| banks.push(l))
            }
        };
        if let Err(mut p) = result {
            problems.append(&mut p);
        }
    }
    cross_check(&sets, &filings, &lists, &programmes, &mut problems);
    for (i, b) in banks.iter().enumerate() {
        if banks[..i].iter().any(|o| o.value.id == b.value.id) {
            let line = line_of_path(&b.text, &KeyPath::root().key("id"));
            problems.push(problem(
                &b.file,
                line,
                format!("duplicate bank layout id '{}'", b.value.id),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(LibraryError::Invalid(problems));
    }
    Ok(Library {
        clause_sets: sets.into_iter().map(|l| l.value).collect(),
        rate_filings: filings.into_iter().map(|l| l.value).collect(),
        checklists: lists.into_iter().map(|l| l.value).collect(),
        programmes: programmes.into_iter().map(|l| l.value).collect(),
        bank_layouts: {
            let mut v: Vec<BankLayout> = banks.into_iter().map(|l| l.value).collect();
            v.sort_by_key(|l| l.generic);
            v
        },
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LibraryError> {
    let io = |source| LibraryError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn problem(file: &Path, line: usize, reason: impl Into<String>) -> FileProblem {
    FileProblem {
        file: file.to_path_buf(),
        line,
        reason: reason.into(),
    }
}

fn toml_problem(file: &Path, text: &str, e: &toml::de::Error) -> FileProblem {
    let line = e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(1);
    let message = e.message().trim();
    // toml 1 says only "duplicate key" and marks the key by its span: name it again.
    let key = e
        .span()
        .and_then(|s| text.get(s))
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains('\n'));
    match key {
        Some(key) if message == "duplicate key" => {
            problem(file, line, format!("duplicate key `{key}`"))
        }
        _ => problem(file, line, message.to_owned()),
    }
}

/// Syntax check and the file's `kind`.
fn kind_of(file: &Path, text: &str) -> Result<DocumentKind, FileProblem> {
    let table: toml::Table = text.parse().map_err(|e| toml_problem(file, text, &e))?;
    let kind = table.get("kind").and_then(|k| k.as_str()).ok_or_else(|| {
        problem(
            file,
            1,
            "missing top-level `kind` (clause_set, rate_filing, claim_checklists, programme or bank_layout)",
        )
    })?;
    DocumentKind::parse(kind).ok_or_else(|| {
        let line = line_of_path(text, &KeyPath::root().key("kind"));
        problem(
            file,
            line,
            format!(
                "unknown kind '{kind}' (clause_set, rate_filing, claim_checklists, programme or bank_layout)"
            ),
        )
    })
}

fn parse<T: DeserializeOwned>(
    file: &Path,
    text: String,
    validate: impl Fn(&T) -> Vec<Issue>,
) -> Result<Loaded<T>, Vec<FileProblem>> {
    let value: T = toml::from_str(&text).map_err(|e| vec![toml_problem(file, &text, &e)])?;
    let issues = validate(&value);
    if !issues.is_empty() {
        return Err(issues.iter().map(|i| semantic(file, &text, i)).collect());
    }
    Ok(Loaded {
        file: file.to_path_buf(),
        text,
        value,
    })
}

fn semantic(file: &Path, text: &str, issue: &Issue) -> FileProblem {
    problem(
        file,
        line_of_path(text, &issue.path),
        format!("{}: {}", issue.path, issue.reason),
    )
}

/// Rules that span files: unique ids, filings that match a clause set, checklists for
/// every claim type a section answers.
fn cross_check(
    sets: &[Loaded<ClauseSet>],
    filings: &[Loaded<RateFiling>],
    lists: &[Loaded<ClaimChecklists>],
    programmes: &[Loaded<Programme>],
    problems: &mut Vec<FileProblem>,
) {
    let at = |l: &dyn LoadedText, path: KeyPath, reason: String| {
        problem(l.file(), line_of_path(l.text(), &path), reason)
    };
    for (i, s) in sets.iter().enumerate() {
        if sets[..i]
            .iter()
            .any(|o| o.value.id == s.value.id && o.value.version == s.value.version)
        {
            problems.push(at(
                s,
                KeyPath::root().key("version"),
                format!(
                    "clause set {} {} is defined twice",
                    s.value.id, s.value.version
                ),
            ));
        }
    }
    for (i, p) in programmes.iter().enumerate() {
        if programmes[..i].iter().any(|o| o.value.id == p.value.id) {
            problems.push(at(
                p,
                KeyPath::root().key("id"),
                format!("programme '{}' is defined twice", p.value.id),
            ));
        }
    }
    for (i, l) in lists.iter().enumerate() {
        if lists[..i]
            .iter()
            .any(|o| o.value.version == l.value.version)
        {
            problems.push(at(
                l,
                KeyPath::root().key("version"),
                format!("checklists version {} is defined twice", l.value.version),
            ));
        }
    }
    for f in filings {
        let set = sets.iter().find(|s| {
            s.value.id == f.value.clause_set && s.value.version == f.value.clause_set_version
        });
        let Some(set) = set else {
            problems.push(at(
                f,
                KeyPath::root().key("clause_set"),
                format!(
                    "no clause set {} {}",
                    f.value.clause_set, f.value.clause_set_version
                ),
            ));
            continue;
        };
        for (i, r) in f.value.base_rates.iter().enumerate() {
            if set.value.section(&r.section).is_none() {
                problems.push(at(
                    f,
                    KeyPath::root().key("base_rates").index(i).key("section"),
                    format!(
                        "section '{}' is not in clause set {}",
                        r.section, set.value.id
                    ),
                ));
            }
        }
        for (i, s) in set.value.sections.iter().enumerate() {
            if f.value.base_rate(&s.code).is_none() {
                problems.push(at(
                    f,
                    KeyPath::root().key("base_rates"),
                    format!("no base rate for section '{}' (sections[{i}])", s.code),
                ));
            }
        }
    }
    let latest = lists
        .iter()
        .max_by(|a, b| a.value.version.cmp(&b.value.version));
    for s in sets {
        for (i, section) in s.value.sections.iter().enumerate() {
            for claim_type in &section.claim_types {
                let covered = latest.is_some_and(|l| {
                    l.value
                        .checklists
                        .iter()
                        .any(|c| c.claim_type == *claim_type)
                });
                if !covered {
                    problems.push(at(
                        s,
                        KeyPath::root().key("sections").index(i).key("claim_types"),
                        format!("no document checklist for claim type {claim_type:?}"),
                    ));
                }
            }
        }
    }
}

trait LoadedText {
    fn file(&self) -> &Path;
    fn text(&self) -> &str;
}

impl<T> LoadedText for Loaded<T> {
    fn file(&self) -> &Path {
        &self.file
    }
    fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clauses::ClaimType;
    use std::fs;

    fn clauses_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clauses")
    }

    #[test]
    fn every_file_in_clauses_loads() {
        let lib = match load(&clauses_dir()) {
            Ok(lib) => lib,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(lib.clause_sets().len(), 3);
        assert_eq!(lib.programmes().len(), 3);
        assert!(lib.clause_set("first-set-equipment", "2025.1").is_some());
        assert_eq!(
            lib.latest_clause_set("first-batch-new-materials")
                .map(|c| c.version.0.as_str()),
            Some("2025.1")
        );
        assert!(lib.rate_filing("first-set-equipment", "2025.1").is_some());
        assert!(lib.programme("zhejiang-2025").is_some());
        for t in [
            ClaimType::QualityRepair,
            ClaimType::QualityReplacement,
            ClaimType::QualityReturn,
            ClaimType::LiabilityPropertyDamage,
            ClaimType::LiabilityBodilyInjury,
        ] {
            assert!(lib.checklist(t).is_some(), "{t:?}");
        }
        assert!(serde_json::to_string(&lib).is_ok_and(|j| j.contains("累计责任限额")));
    }

    /// Every quoted source must appear word for word in its seed (whitespace ignored).
    #[test]
    fn every_programme_quote_is_in_its_seed() {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let candidates = [
            manifest.join("../shared/seeds"),
            manifest.join("shared/seeds"),
            PathBuf::from("/work/shared/seeds"),
        ];
        let Some(seeds) = candidates.iter().find(|p| p.is_dir()) else {
            return;
        };
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let lib = load(&clauses_dir()).unwrap_or_default();
        for p in lib.programmes() {
            for s in p.sources() {
                let text = fs::read_to_string(seeds.join(&s.seed)).unwrap_or_default();
                assert!(
                    squash(&text).contains(&squash(&s.quote)),
                    "{}: '{}' not in {}",
                    p.id,
                    s.quote,
                    s.seed
                );
            }
        }
    }

    fn copy_with(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        copy_tree(&clauses_dir(), dir.path());
        let target = dir.path().join(name);
        fs::write(&target, text).unwrap_or_else(|e| panic!("{e}"));
        (dir, target)
    }

    fn copy_tree(from: &Path, to: &Path) {
        for entry in fs::read_dir(from).into_iter().flatten().flatten() {
            let dest = to.join(entry.file_name());
            if entry.path().is_dir() {
                let _ = fs::create_dir_all(&dest);
                copy_tree(&entry.path(), &dest);
            } else {
                let _ = fs::copy(entry.path(), &dest);
            }
        }
    }

    fn only_problem(dir: &Path) -> FileProblem {
        let err = load(dir)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.problems().len(), 1, "{err}");
        err.problems()[0].clone()
    }

    #[test]
    fn bad_toml_syntax_names_file_and_line() {
        let (dir, file) = copy_with(
            "programmes/broken.toml",
            "kind = \"programme\"\nid = \"x\"\nyear = = 2025\n",
        );
        let p = only_problem(dir.path());
        assert_eq!(p.file, file);
        assert_eq!(p.line, 3);
    }

    #[test]
    fn a_type_error_names_the_line_of_the_value() {
        let text = fs::read_to_string(clauses_dir().join("programmes/zhejiang-2025.toml"))
            .unwrap_or_default();
        let bad = text.replace("rate = \"0.02\"", "rate = \"2.5\"");
        let line = bad
            .lines()
            .position(|l| l.starts_with("rate = \"2.5\""))
            .map(|i| i + 1);
        let (dir, file) = copy_with("programmes/zhejiang-2025.toml", &bad);
        let p = only_problem(dir.path());
        assert_eq!((p.file, Some(p.line)), (file, line));
        assert!(p.reason.contains("2.5"), "{}", p.reason);
    }

    #[test]
    fn a_semantic_error_names_the_line_of_the_key() {
        let text = fs::read_to_string(clauses_dir().join("programmes/zhejiang-2025.toml"))
            .unwrap_or_default();
        let bad = text.replace("from = 2024-09-01", "from = 2025-09-01");
        let line = bad
            .lines()
            .position(|l| l.starts_with("from = 2025-09-01"))
            .map(|i| i + 1);
        let (dir, file) = copy_with("programmes/zhejiang-2025.toml", &bad);
        let p = only_problem(dir.path());
        assert_eq!((p.file, Some(p.line)), (file, line));
        assert!(
            p.reason.contains("policy_start_window.from"),
            "{}",
            p.reason
        );
    }

    #[test]
    fn a_duplicate_section_code_points_at_the_second_code() {
        let path = clauses_dir().join("first-set-equipment/clause-set-2025.1.toml");
        let text = fs::read_to_string(path).unwrap_or_default();
        let bad = text.replace("code = \"INSTALL\"", "code = \"QUALITY\"");
        let line = bad
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "code = \"QUALITY\"")
            .nth(1)
            .map(|(i, _)| i + 1);
        let (dir, file) = copy_with("first-set-equipment/clause-set-2025.1.toml", &bad);
        let err = load(dir.path())
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let dup = err
            .problems()
            .iter()
            .find(|p| p.reason.contains("duplicate section code"));
        assert_eq!(
            dup.map(|p| (p.file.clone(), Some(p.line))),
            Some((file, line)),
            "{err}"
        );
    }

    /// A condition kind without an evaluator cannot be loaded: start-up stops with the
    /// file, the line of the kind and the kinds that do have one.
    #[test]
    fn a_condition_kind_without_an_evaluator_stops_the_load() {
        let text = fs::read_to_string(clauses_dir().join("programmes/zhejiang-2025.toml"))
            .unwrap_or_default();
        let bad = text.replace(
            "kind = \"not_with_application_award\"",
            "kind = \"not_on_a_blacklist\"",
        );
        let line = bad
            .lines()
            .position(|l| l == "kind = \"not_on_a_blacklist\"")
            .map(|i| i + 1);
        let (dir, file) = copy_with("programmes/zhejiang-2025.toml", &bad);
        let p = only_problem(dir.path());
        assert_eq!((p.file, Some(p.line)), (file, line));
        assert!(p.reason.contains("not_on_a_blacklist"), "{}", p.reason);
        assert!(p.reason.contains("no_fraud_ban"), "{}", p.reason);
    }

    /// Issue 15 Build 3: every key a programme file names is evaluated; a key the code does
    /// not know (here an "effective" rule nobody reads) stops the load at its line.
    #[test]
    fn an_unknown_programme_key_stops_the_load_at_its_line() {
        let text = fs::read_to_string(clauses_dir().join("programmes/shanxi-new-materials.toml"))
            .unwrap_or_default();
        let bad = text.replace(
            "[annual_report]\n",
            "[annual_report]\neffective = \"in_force_today\"\n",
        );
        let line = bad
            .lines()
            .position(|l| l.starts_with("effective = "))
            .map(|i| i + 1);
        assert!(line.is_some());
        let (dir, file) = copy_with("programmes/shanxi-new-materials.toml", &bad);
        let p = only_problem(dir.path());
        assert_eq!((p.file, Some(p.line)), (file, line));
        assert!(p.reason.contains("effective"), "{}", p.reason);
    }

    #[test]
    fn a_file_without_kind_is_reported() {
        let (dir, _) = copy_with("stray.toml", "id = \"x\"\n");
        assert!(only_problem(dir.path()).reason.contains("kind"));
    }
}
