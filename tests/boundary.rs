//! The layer boundary (docs/ARCHITECTURE.md, "Boundaries"): store rows stay inside
//! `store/` and `services/`.
//!
//! - No file under `src/http/` names the store (`crate::store`, `store::…`, `use crate::{store, …}`):
//!   handlers and pages speak to services and read views.
//! - No type under `src/store/` derives (or implements) `Serialize` or `utoipa::ToSchema`:
//!   a row is never the API's shape, so a column change is not an API change.
//! - No file under `src/http/` reads a claim with `claims::get` or makes a client's view
//!   itself (names `client_view`, calls `Client…::of` / `::from`): the claim is read
//!   through `services::readers`, which gives each reader its view, and the claim page
//!   renders a client's page from `ClientClaimDetail` alone. JSON handlers also never
//!   choose by `Role::Client` (`no_api_handler_picks_the_readers_view`).
//! - No file under `src/http/` reads a policy with `uw::get` / `underwriting::get` (the
//!   staff `PolicyDetail`, findings, referrals and history, for whoever asks): a page or
//!   handler reads `readers::policy` (the policy page renders a client's page from
//!   `ClientPolicyDetail` alone), or `readers::staff_policy` where only staff may be, which
//!   refuses a client.
//!
//! - No `ServiceError::Conflict(…)` under `src/` is worded in one language (`conflicts`).
//! - Under `src/http/api/`, a route is registered only through utoipa-actix-web's
//!   `.service(handler)` (docs/ARCHITECTURE.md, "How to add a use case"), which routes the
//!   handler and documents it in one call: no actix `.route(…)`, `web::resource`,
//!   `web::scope` or method builder (`web::get()`…), and a function that registers (takes a
//!   `ServiceConfig`) calls nothing but `service`, `configure`, `app_data` and
//!   `default_service` (no `.map(…)` around the documenting wrapper).
//! - A handler taking a JSON body (`web::Json<T>`) has no `request_body` in its
//!   `#[utoipa::path]`: utoipa documents the body from the argument, so the document names
//!   the type the handler takes (and says when it is optional).
//!
//! - The modules under `src/services/` name each other without a cycle, and the floor
//!   (`ctx`, `revocation`) names none of them (`layers`).
//!
//! Comments, string and character literals are ignored, so prose about the store and
//! `Cache-Control: no-store` do not count.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "boundary/conflicts.rs"]
mod conflicts;
#[path = "boundary/layers.rs"]
mod layers;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The source with comments and string/char literals blanked out (line breaks kept, so
/// line numbers still point at the source).
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let keep_newlines = |out: &mut String, s: &[char]| {
        for c in s {
            out.push(if *c == '\n' { '\n' } else { ' ' });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            keep_newlines(&mut out, &chars[i..end]);
            i = end;
        } else if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (1, i + 2);
            while j < chars.len() && depth > 0 {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            keep_newlines(&mut out, &chars[i..j]);
            i = j;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // Raw string r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            keep_newlines(&mut out, &chars[i..j.min(chars.len())]);
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            keep_newlines(&mut out, &chars[i..end]);
            i = end;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\''); otherwise a lifetime, kept.
            let len = match (next, chars.get(i + 2), chars.get(i + 3)) {
                (Some('\\'), _, _) => chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| p + 3),
                (Some(_), Some('\''), _) => Some(3),
                _ => None,
            };
            match len {
                Some(n) => {
                    keep_newlines(&mut out, &chars[i..(i + n).min(chars.len())]);
                    i += n;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` stands in `line` as a whole identifier.
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// (line number, line) of each line of code naming the store.
fn store_mentions(src: &str) -> Vec<(usize, String)> {
    let code = code_only(src);
    code.lines()
        .zip(src.lines())
        .enumerate()
        .filter(|(_, (code, _))| has_word(code, "store"))
        .map(|(n, (_, line))| (n + 1, line.trim().to_string()))
        .collect()
}

/// Byte ranges of each `derive(…)` in `code` (comments and strings already blanked), from
/// `derive(` to its closing parenthesis.
fn derive_attrs(code: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = code[at..].find("derive(") {
        let start = at + p;
        let end = code[start..]
            .find(')')
            .map_or(code.len(), |e| start + e + 1);
        out.push((start, end));
        at = end;
    }
    out
}

/// (line number, attribute) of each derive or impl of `Serialize` / `ToSchema`.
fn serialized_types(src: &str) -> Vec<(usize, String)> {
    let code = code_only(src);
    let mut found = Vec::new();
    for (start, end) in derive_attrs(&code) {
        let attr = &code[start..end];
        if has_word(attr, "Serialize") || has_word(attr, "ToSchema") {
            let line = code[..start].matches('\n').count() + 1;
            found.push((line, attr.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    for (n, line) in code.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with("impl") && (has_word(l, "Serialize") || has_word(l, "ToSchema")) {
            found.push((n + 1, l.trim().to_string()));
        }
    }
    found.sort();
    found
}

fn scan(dir: &str, find: fn(&str) -> Vec<(usize, String)>) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for file in rust_files(&root.join(dir)) {
        let src = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (line, text) in find(&src) {
            out.push(format!("{name}:{line}: {text}"));
        }
    }
    out
}

#[test]
fn no_http_file_names_the_store() {
    let found = scan("src/http", store_mentions);
    assert!(
        found.is_empty(),
        "src/http must reach the store only through services (use a view, `services::Db`, \
         `crate::paging`):\n{}",
        found.join("\n")
    );
}

/// (line number, line) of each line of code that picks a reader's view itself.
fn view_choices(src: &str) -> Vec<(usize, String)> {
    let code = code_only(src);
    code.lines()
        .zip(src.lines())
        .enumerate()
        .filter(|(_, (code, _))| has_word(code, "client_view") || code.contains("Role::Client"))
        .map(|(n, (_, line))| (n + 1, line.trim().to_string()))
        .collect()
}

#[test]
fn no_api_handler_picks_the_readers_view() {
    let found = scan("src/http/api", view_choices);
    assert!(
        found.is_empty(),
        "a JSON handler renders what the service gives it for its reader (`services::readers`); \
         it does not choose the client's view itself:\n{}",
        found.join("\n")
    );
}

/// Whether `code` calls a constructor of a `Client…` view (`ClientClaimDetail::of`,
/// `ClientPolicyView::from`…).
fn builds_client_view(code: &str) -> bool {
    code.match_indices("Client").any(|(at, _)| {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            return false;
        }
        let rest = &code[at..];
        let name = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        let after = &rest[name..];
        ["::of", "::from"]
            .iter()
            .any(|k| after.starts_with(k) && !after[k.len()..].chars().next().is_some_and(is_ident))
    })
}

/// Line numbers (1-based) where `get` is imported by name from `module` in a use list —
/// `use crate::services::claims::{self, get};`, over several lines or as `get as fetch` —
/// so that a later bare `get(…)` reads the staff file without naming the module there.
/// (`use …::claims::get;` itself is caught as the word `claims::get`.)
fn get_imported_from(code: &str, module: &str) -> Vec<usize> {
    let pattern = format!("{module}::{{");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    for (at, _) in code.match_indices(&pattern) {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        // Walk the brace list; items are split by commas at its own depth. Braces and
        // commas are ASCII, so every slice below is on a character boundary.
        let open = at + pattern.len();
        let (mut depth, mut item) = (1usize, open);
        for (i, b) in code.bytes().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b',' | b'}' if depth == 1 => {
                    let text = &code[item..i];
                    let name = text.trim_start();
                    let first = name.split(|c: char| !is_ident(c)).next().unwrap_or("");
                    if first == "get" {
                        out.push(line_of(item + (text.len() - name.len())));
                    }
                    item = i + 1;
                    if b == b'}' {
                        break;
                    }
                }
                b'}' => depth -= 1,
                _ => {}
            }
        }
    }
    out
}

/// (line number, line) of each line flagged by `flag`, plus those where `get` is imported
/// by name from one of `modules`, in line order.
fn flagged_lines(src: &str, flag: impl Fn(&str) -> bool, modules: &[&str]) -> Vec<(usize, String)> {
    let code = code_only(src);
    let mut lines: Vec<usize> = code
        .lines()
        .enumerate()
        .filter(|(_, l)| flag(l))
        .map(|(n, _)| n + 1)
        .collect();
    for m in modules {
        lines.extend(get_imported_from(&code, m));
    }
    lines.sort_unstable();
    lines.dedup();
    let src_lines: Vec<&str> = src.lines().collect();
    lines
        .into_iter()
        .map(|n| (n, src_lines[n - 1].trim().to_string()))
        .collect()
}

/// (line number, line) of each line of code that reads a claim past `services::readers`
/// (`claims::get`, the staff file for everyone, or `get` imported from `claims`) or makes
/// a client's view itself (names `client_view`, or builds a `Client…` view).
fn reader_bypasses(src: &str) -> Vec<(usize, String)> {
    flagged_lines(
        src,
        |code| {
            has_word(code, "claims::get")
                || has_word(code, "client_view")
                || builds_client_view(code)
        },
        &["claims"],
    )
}

#[test]
fn no_http_file_reads_a_claim_or_builds_a_client_view_itself() {
    let found = scan("src/http", reader_bypasses);
    assert!(
        found.is_empty(),
        "handlers and pages read a claim through `services::readers::claim` and render the \
         view it gives for the reader (the claim page: `ForReader::Client` → its client \
         template); they do not read the staff file or make the client's view themselves:\n{}",
        found.join("\n")
    );
}

/// (line number, line) of each line of code that reads a policy's staff file past
/// `services::readers` (`uw::get`, `underwriting::get`).
fn staff_policy_reads(src: &str) -> Vec<(usize, String)> {
    flagged_lines(
        src,
        |code| has_word(code, "uw::get") || has_word(code, "underwriting::get"),
        &["uw", "underwriting"],
    )
}

#[test]
fn no_page_reads_the_staff_policy_itself() {
    let found = scan("src/http", staff_policy_reads);
    assert!(
        found.is_empty(),
        "pages and handlers read a policy through `services::readers::policy` and render the \
         view it gives for the reader (the policy page: `ForReader::Client` → its client \
         template), or through `readers::staff_policy` where only staff may be; they do not \
         read the staff `PolicyDetail` with `uw::get` for whoever asks:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_store_row_is_serialized_or_documented_as_api() {
    let found = scan("src/store", serialized_types);
    assert!(
        found.is_empty(),
        "store rows must not derive Serialize or ToSchema (serialize a view in services):\n{}",
        found.join("\n")
    );
}

/// (schema name, line) of each type deriving `ToSchema`: its `#[schema(as = …)]` name or
/// else the type's own name (what utoipa keys `components.schemas` by).
fn schema_names(src: &str) -> Vec<(String, usize)> {
    let code = code_only(src);
    let mut out = Vec::new();
    for (start, end) in derive_attrs(&code) {
        if !has_word(&code[start..end], "ToSchema") {
            continue;
        }
        // The item after the attributes: `pub struct Name` / `pub enum Name`.
        let rest = &code[end..];
        let item = ["struct ", "enum "]
            .iter()
            .filter_map(|k| rest.find(k).map(|i| (i, k.len())))
            .min();
        let Some((i, k)) = item else { continue };
        let name: String = rest[i + k..].chars().take_while(|c| is_ident(*c)).collect();
        let alias = rest[..i].find("schema(").and_then(|a| {
            let attr = &rest[a..i];
            attr.match_indices("as").find_map(|(j, _)| {
                let before = attr[..j].chars().next_back();
                let after = attr[j + 2..].trim_start();
                (!before.is_some_and(is_ident) && after.starts_with('=')).then(|| {
                    after[1..]
                        .trim_start()
                        .chars()
                        .take_while(|c| is_ident(*c))
                        .collect::<String>()
                })
            })
        });
        let line = code[..start].matches('\n').count() + 1;
        out.push((alias.unwrap_or(name), line));
    }
    out
}

#[test]
fn every_api_schema_name_is_unique() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in rust_files(&root.join("src")) {
        let src = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (schema, line) in schema_names(&src) {
            seen.entry(schema)
                .or_default()
                .push(format!("{name}:{line}"));
        }
    }
    let twice: Vec<String> = seen
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(schema, at)| format!("{schema}: {}", at.join(", ")))
        .collect();
    assert!(
        twice.is_empty(),
        "two types share an OpenAPI schema name (the second silently replaces the first; \
         rename one or give it #[schema(as = …)]):\n{}",
        twice.join("\n")
    );
}

/// The actix registrations that route without documenting.
const UNDOCUMENTED_REGISTRATION: [&str; 10] = [
    ".route(",
    "web::resource(",
    "web::scope(",
    "Resource::new(",
    "web::get(",
    "web::post(",
    "web::put(",
    "web::patch(",
    "web::delete(",
    "web::method(",
];

/// What a registering function (one taking a `ServiceConfig`) may call as a method: the
/// documenting `service`, `configure` (another registering function), `app_data` and
/// `default_service` (the 404), and `url` (the Swagger UI's document).
const REGISTERING_METHODS: [&str; 5] =
    ["service", "configure", "app_data", "default_service", "url"];

/// (line number, line) of each registration under `src/http/api` that would route a
/// handler without documenting it.
fn undocumented_registrations(src: &str) -> Vec<(usize, String)> {
    let code = code_only(src);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let source_line = |n: usize| {
        src.lines()
            .nth(n - 1)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let compact: String = line.split_whitespace().collect();
        let names = |r: &str| {
            compact.match_indices(r).any(|(at, _)| {
                r.starts_with('.')
                    || !compact[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| is_ident(c) || c == ':')
            })
        };
        if UNDOCUMENTED_REGISTRATION.iter().any(|r| names(r)) {
            found.push((n + 1, source_line(n + 1)));
        }
    }
    // The bodies of functions whose parameters name a `ServiceConfig`.
    let mut at = 0;
    while let Some(p) = code[at..].find("fn ") {
        let start = at + p;
        at = start + 3;
        if start > 0 && code[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let (Some(open), Some(brace)) = (code[start..].find('('), code[start..].find('{')) else {
            continue;
        };
        if open > brace || !code[start + open..start + brace].contains("ServiceConfig") {
            continue;
        }
        let body_start = start + brace;
        let mut depth = 0;
        let mut body_end = code.len();
        for (i, c) in code[body_start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        body_end = body_start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &code[body_start..body_end];
        for (i, _) in body.match_indices('.') {
            let name: String = body[i + 1..].chars().take_while(|c| is_ident(*c)).collect();
            let called = body[i + 1 + name.len()..].trim_start().starts_with('(');
            if called && !name.is_empty() && !REGISTERING_METHODS.contains(&name.as_str()) {
                let n = line_of(body_start + i);
                found.push((
                    n,
                    format!(".{name}(…) in a registering function: {}", source_line(n)),
                ));
            }
        }
        at = body_end;
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_api_route_is_registered_through_its_documentation() {
    let found = scan("src/http/api", undocumented_registrations);
    assert!(
        found.is_empty(),
        "an API route registered past utoipa-actix-web would be served but not in \
         openapi.json: give the handler #[utoipa::path] and #[get(\"/…\")] (or post, put…) \
         and register it with `.service(handler)`:\n{}",
        found.join("\n")
    );
}

/// (line number, handler) of each `#[utoipa::path(…)]` that spells out the `request_body`
/// of a handler taking `Json<…>` (which utoipa documents from the argument itself).
fn json_bodies_spelled_out(src: &str) -> Vec<(usize, String)> {
    let code = code_only(src);
    let mut found = Vec::new();
    for (attr, _) in code.match_indices("#[utoipa::path(") {
        let Some(f) = code[attr..].find("fn ").map(|f| attr + f) else {
            continue;
        };
        let name: String = code[f + 3..].chars().take_while(|c| is_ident(*c)).collect();
        let params = code[f..].split_once('{').map_or("", |(sig, _)| sig);
        if has_word(&code[attr..f], "request_body") && has_word(params, "Json") {
            found.push((code[..attr].matches('\n').count() + 1, format!("fn {name}")));
        }
    }
    found
}

#[test]
fn json_request_bodies_are_documented_from_the_handler() {
    let found = scan("src/http/api", json_bodies_spelled_out);
    assert!(
        found.is_empty(),
        "drop `request_body = …` from #[utoipa::path] of a handler taking web::Json<T>: \
         the body is documented from the argument, so it cannot name another type:\n{}",
        found.join("\n")
    );
}

/// The scanners themselves: what counts and what does not.
#[test]
fn the_scanners_see_code_and_not_prose() {
    let http = r##"
//! Handlers talk to the store only through services.
use crate::services::claims;
/* a block comment: crate::store::claims::ClaimRow */
let s = "no-store";
let r = r#"crate::store"#;
let c = '"';
fn f<'a>(x: &'a str) {}
use crate::store::claims::ClaimRow;
use crate::{services, store};
let restore = datastore::x();
"##;
    let lines: Vec<usize> = store_mentions(http).iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, vec![9, 10], "{:?}", store_mentions(http));

    let store = r#"
/// Serialize this? No: a view does.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct A { pub x: i64 }
#[derive(
    Debug,
    serde::Serialize,
)]
pub struct B;
#[derive(Debug, utoipa::ToSchema)]
pub struct C;
impl serde::Serialize for D {}
let s = "derive(Serialize)";
"#;
    let lines: Vec<usize> = serialized_types(store).iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, vec![5, 10, 12], "{:?}", serialized_types(store));

    let views = r#"
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentView;
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClaimPaymentInput)]
pub struct PaymentInput;
#[derive(Debug, Serialize)]
pub struct NotASchema;
"#;
    let api = r#"
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .configure(other::routes)
        .service(scope("/x").app_data(limit()).service(a).default_service(web::to(nf)))
        .map(|c| c.service(hidden))
        .route("/y", web::get().to(y));
}
fn helper(xs: &[i64]) -> Vec<i64> {
    // cfg.route("/z", …) in prose is fine, and so is `.map` outside registration.
    xs.iter().map(|x| x + 1).collect()
}
fn sneaky() -> actix_web::Resource {
    web::resource("/w")
}
let documented = utoipa_actix_web::scope("/v");
"#;
    let lines: Vec<usize> = undocumented_registrations(api)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        lines,
        vec![6, 7, 7, 7, 14],
        "{:?}",
        undocumented_registrations(api)
    );

    let handlers = r#"
#[utoipa::path(tag = "x", request_body = A, responses((status = 200)))]
#[post("/a")]
pub async fn spelled(body: web::Json<A>) -> HttpResponse {}
#[utoipa::path(tag = "x", responses((status = 200)))]
#[post("/b")]
pub async fn inferred(body: Option<web::Json<B>>) -> HttpResponse {}
#[utoipa::path(tag = "x", request_body(content = String, content_type = "text/csv"))]
#[post("/c")]
pub async fn csv(body: web::Bytes) -> HttpResponse { let j: Json<C>; }
"#;
    assert_eq!(
        json_bodies_spelled_out(handlers),
        vec![(2, "fn spelled".to_string())]
    );

    let page = r#"
//! Not `claims::get` nor `client_view::ClientClaimDetail::of` in prose.
let d = claims::get(&ctx, actor, id).await?;
let v = crate::services::client_view::ClientClaimDetail::of(&d, "me");
let w = ClientPolicyView::from(&p);
let x = readers::claim(&ctx, actor, id).await?;
let y = claims::get_many(&ctx);
let z = MyClientClaimDetail::of(&d);
let s = "claims::get";
let k = ClientClaimDetail::offset;
use crate::services::claims::{self, get};
use crate::services::claims::{
    list,
    get as fetch,
};
use crate::services::claims::{getter, get_many, mod_a::{get}};
use crate::services::myclaims::{get};
"#;
    let lines: Vec<usize> = reader_bypasses(page).iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, vec![3, 4, 5, 11, 14], "{:?}", reader_bypasses(page));

    let policy_page = r#"
//! Not `uw::get` in prose.
let d = uw::get(&st.ctx(), &who.actor, id).await?;
let p = crate::services::underwriting::get(&ctx, actor, id).await?.policy;
let r = readers::policy(&ctx, actor, id).await?;
let s = readers::staff_policy(&ctx, actor, id).await?;
let l = uw::get_many(&ctx);
let m = myuw::get(&ctx);
let t = "uw::get";
use crate::services::underwriting::{self as uw, get};
use crate::services::{underwriting::{get_many}, uw::{
    get}};
"#;
    let lines: Vec<usize> = staff_policy_reads(policy_page)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        lines,
        vec![3, 4, 10, 12],
        "{:?}",
        staff_policy_reads(policy_page)
    );

    assert_eq!(
        schema_names(views),
        vec![
            ("PaymentView".to_string(), 2),
            ("ClaimPaymentInput".to_string(), 4)
        ]
    );
}

/// The modules every service folder may stand on; they name no other service module.
const FLOOR: [&str; 2] = ["ctx", "revocation"];

#[test]
fn service_modules_form_layers_without_a_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = layers::service_graph(&root.join("src/services"), code_only);
    // The scan sees the arrows that are there (so an empty graph cannot pass).
    for (from, to) in [("certificates", "billing"), ("claims", "billing")] {
        assert!(
            graph[from].contains(to),
            "{from} -> {to} not seen: {graph:?}"
        );
    }
    let cycles = layers::cycles(&graph);
    assert!(
        cycles.is_empty(),
        "service modules that import each other (move the shared part to a module below \
         both, as `revocation` and `ctx` are, or into the domain, as the terms are):\n{cycles:?}\n{graph:#?}"
    );
    for floor in FLOOR {
        assert!(
            graph[floor].is_empty(),
            "{floor} is below every service folder and may name none: {:?}",
            graph[floor]
        );
    }
}

#[test]
fn the_layer_scan_sees_paths_and_cycles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let services = dir.path();
    std::fs::create_dir_all(services.join("a")).expect("mkdir");
    std::fs::write(services.join("mod.rs"), "pub mod a; pub mod b; pub mod c;").expect("write");
    std::fs::write(
        services.join("a/mod.rs"),
        "use super::{b, Actor};\n// crate::services::c in a comment\nlet s = \"super::c\";",
    )
    .expect("write");
    std::fs::write(services.join("a/x.rs"), "use super::super::c::Thing;").expect("write");
    std::fs::write(services.join("b.rs"), "fn f() { crate::services::a::go() }").expect("write");
    std::fs::write(
        services.join("c.rs"),
        "use crate::services::{self as s, Ctx};",
    )
    .expect("write");
    let graph = layers::service_graph(services, code_only);
    let arrows: Vec<(String, String)> = graph
        .iter()
        .flat_map(|(f, ts)| ts.iter().map(move |t| (f.clone(), t.clone())))
        .collect();
    let want: Vec<(String, String)> = [("a", "b"), ("a", "c"), ("b", "a")]
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    assert_eq!(arrows, want);
    assert_eq!(
        layers::cycles(&graph),
        vec![vec!["a".to_string(), "b".to_string()]]
    );
}
