//! The error half of the API contract, applied to every operation in one place: each
//! status the API layer can answer with is documented, and every error body is
//! `application/problem+json` with the `Problem` schema (`http/problem.rs` is the one
//! place that writes them, so the document says it once too).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the problem responses to every operation and moves any error body documented as
/// `application/json` to `application/problem+json`.
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

fn problem_content() -> Content {
    Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
}

fn is_problem(content: &Content) -> bool {
    matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

fn document_problems(op: &mut Operation, write: bool, public: bool) {
    let has_body = op.request_body.is_some();
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(r) = response {
            if let Some(c) = r.content.shift_remove("application/json") {
                if is_problem(&c) {
                    r.content.insert(PROBLEM_JSON.to_string(), c);
                } else {
                    r.content.insert("application/json".to_string(), c);
                }
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
