//! The error half of the API contract, applied to every operation in one place: each
//! status the API layer can answer with is documented, and every error body is
//! `application/problem+json` with the `Problem` schema (`http/problem.rs` is the one
//! place that writes them, so the document says it once too).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the problem responses to every operation, moves any error body documented as
/// `application/json` to `application/problem+json`, and gives an error documented with
/// only a description (`(status = 409, description = "…")`) its `Problem` body.
pub struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public =
                path.starts_with("/api/v1/verify") || path == "/api/v1/certificates/public-key";
            for (write, op) in operations(item) {
                document_problems(op, write, public);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> Vec<(bool, &mut Operation)> {
    let mut ops = Vec::new();
    if let Some(op) = item.get.as_mut() {
        ops.push((false, op));
    }
    for op in [
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        ops.push((true, op));
    }
    ops
}

/// What each status means to a caller (the `description` of the response).
fn statuses(write: bool, has_body: bool, public: bool) -> Vec<(u16, &'static str)> {
    let mut s = vec![
        (400, "Malformed request (JSON syntax, query or header)"),
        (404, "No such record, or one the caller may not see"),
        (500, "Internal error (logged; no internals in the answer)"),
    ];
    if public {
        s.push((429, "Too many requests from this address"));
    } else {
        s.push((401, "No or unknown bearer token"));
        s.push((403, "The caller's role may not do this"));
    }
    if write || has_body {
        s.push((409, "Conflict with the record's current state or version"));
        s.push((422, "Validation failed; `errors` names each field"));
    } else {
        s.push((422, "A query parameter is not valid"));
    }
    if has_body {
        s.push((413, "Body too large"));
        s.push((415, "Wrong content type"));
    }
    s
}

/// utoipa 6 (OpenAPI 3.2) lets a response's content be a `$ref` itself; ours are inline.
fn problem_content() -> RefOr<Content> {
    RefOr::T(Content::new(Some(RefOr::Ref(Ref::from_schema_name(
        "Problem",
    )))))
}

fn is_problem(content: &RefOr<Content>) -> bool {
    matches!(content, RefOr::T(c)
        if matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem")))
}

fn document_problems(op: &mut Operation, write: bool, public: bool) {
    let has_body = op.request_body.is_some();
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = response {
            if let Some(c) = r.content.shift_remove("application/json") {
                if is_problem(&c) {
                    r.content.insert(PROBLEM_JSON.to_string(), c);
                } else {
                    r.content.insert("application/json".to_string(), c);
                }
            }
            // An error documented with a description only still answers a Problem.
            let error = status.starts_with('4') || status.starts_with('5');
            if error && r.content.is_empty() {
                r.content
                    .insert(PROBLEM_JSON.to_string(), problem_content());
            }
        }
    }
    for (status, description) in statuses(write, has_body, public) {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                let mut r = Response::new(description);
                r.content
                    .insert(PROBLEM_JSON.to_string(), problem_content());
                RefOr::T(r)
            });
    }
}

#[cfg(test)]
mod tests {
    use super::PROBLEM_JSON;
    use utoipa::openapi::path::PathItem;
    use utoipa::openapi::RefOr;
    use utoipa::OpenApi;

    fn methods(item: &PathItem) -> Vec<(&'static str, &utoipa::openapi::path::Operation)> {
        [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
            ("HEAD", &item.head),
            ("OPTIONS", &item.options),
            ("TRACE", &item.trace),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
        .collect()
    }

    /// The hand-written part of the document lists no path: every path comes from the
    /// registration (`api::register`), so none can be documented without being routed.
    #[test]
    fn the_fixed_document_lists_no_path() {
        let fixed = crate::http::api::ApiDoc::openapi();
        assert!(
            fixed.paths.paths.is_empty(),
            "paths listed by hand in ApiDoc: {:?}",
            fixed.paths.paths.keys().collect::<Vec<_>>()
        );
    }

    /// Every operation of the generated document is under `/api/v1`, answers with a
    /// documented success, and documents its errors — at least 400, 404, 422 and 500, and
    /// 401/403 (bearer) or 429 (the public lookups) — each as `application/problem+json`
    /// with the `Problem` schema and nothing else.
    #[test]
    fn every_generated_operation_documents_its_problem_responses() {
        let doc = crate::http::api::openapi();
        let mut problems = Vec::new();
        let mut operations = 0;
        for (path, item) in &doc.paths.paths {
            if !path.starts_with("/api/v1/") {
                problems.push(format!("{path}: not under /api/v1"));
            }
            let public =
                path.starts_with("/api/v1/verify") || path == "/api/v1/certificates/public-key";
            for (method, op) in methods(item) {
                operations += 1;
                let key = format!("{method} {path}");
                let responses = &op.responses.responses;
                if !responses.keys().any(|s| s.starts_with('2')) {
                    problems.push(format!("{key}: no success response"));
                }
                let mut needed = vec!["400", "404", "422", "500"];
                needed.extend(if public {
                    ["429"].as_slice()
                } else {
                    ["401", "403"].as_slice()
                });
                for status in needed {
                    if !responses.contains_key(status) {
                        problems.push(format!("{key}: {status} not documented"));
                    }
                }
                for (status, response) in responses {
                    if status.starts_with('2') || status.starts_with('3') {
                        continue;
                    }
                    let RefOr::T(r) = response else {
                        problems.push(format!("{key}: {status} is a reference"));
                        continue;
                    };
                    let types: Vec<&String> = r.content.keys().collect();
                    let problem_body = r.content.get(PROBLEM_JSON).is_some_and(super::is_problem);
                    if types.len() != 1 || !problem_body {
                        problems.push(format!("{key}: {status} answers {types:?}, not only {PROBLEM_JSON} with Problem"));
                    }
                }
            }
        }
        assert!(operations >= 100, "only {operations} operations generated");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
