#!/usr/bin/env bash
# Dependency guard: the build needs the Rust toolchain and a C compiler, nothing else.
# Fails when the dependency graph (normal, build and dev dependencies, host platform)
#   - contains bindgen (it needs libclang),
#   - contains pkg-config, vcpkg or cmake (they look for system libraries or programs),
#   - contains a crate with a `links` key that is not in the allow-list below (a `links`
#     key is how a -sys crate announces that it links a native library),
#   - takes libsqlite3-sys from anywhere but vendor/libsqlite3-sys, or without `bundled`.
# Allowed `links`, each because its C is vendored and compiled by cargo with the C compiler:
#   libsqlite3-sys (sqlite3)  the bundled-only copy in vendor/ (no probe among its build deps;
#                             its build.rs refuses every feature that would link or run bindgen),
#   ring (ring_core_*)        its own C and assembly,
#   wasm-bindgen-shared       a marker key, links nothing natively.
# Why libsqlite3-sys is vendored: sqlx-sqlite asks the published crate for its `pkg-config` and
# `vcpkg` features, which no feature choice of ours removes (docs/ARCHITECTURE.md, "No system
# library at build time"). A sqlx upgrade that wants another libsqlite3-sys version leaves the
# patch unused and brings the published crate back: this guard then fails on pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
cargo metadata --format-version 1 --locked --filter-platform "$host" | python3 -c '
import json, os, sys

ALLOWED_LINKS = {
    "libsqlite3-sys": lambda links: links == "sqlite3",
    "ring": lambda links: links.startswith("ring_core_"),
    "wasm-bindgen-shared": lambda links: links == "wasm_bindgen",
}
FORBIDDEN = {
    "bindgen": "runs bindgen (needs libclang)",
    "clang-sys": "loads libclang",
    "pkg-config": "looks for system libraries",
    "vcpkg": "looks for system libraries",
    "cmake": "runs the cmake program",
}
SQLITE_REFUSED_FEATURES = {"loadable_extension", "sqlcipher", "buildtime_bindgen", "preupdate_hook", "session"}

m = json.load(sys.stdin)
workspace = m["workspace_root"]
vendored_sqlite = os.path.join(workspace, "vendor", "libsqlite3-sys", "Cargo.toml")
pkgs = {p["id"]: p for p in m["packages"]}
nodes = {n["id"]: n for n in m["resolve"]["nodes"]}
root = m["resolve"]["root"]

# Everything reachable from the crate: its own dev-dependencies, and the normal and
# build dependencies of everything.
seen, todo = set(), [root]
while todo:
    nid = todo.pop()
    if nid in seen:
        continue
    seen.add(nid)
    for d in nodes[nid]["deps"]:
        kinds = {k["kind"] for k in d["dep_kinds"]}
        if nid == root or kinds & {None, "build"}:
            todo.append(d["pkg"])

problems = []
for nid in sorted(seen):
    p = pkgs[nid]
    name, links, ver = p["name"], p.get("links"), p["version"]
    if name in FORBIDDEN:
        users = sorted({pkgs[n]["name"] for n in seen if any(d["pkg"] == nid for d in nodes[n]["deps"])})
        problems.append(f"{name} {ver} is in the tree (used by {users}): it {FORBIDDEN[name]}")
    if links and not ALLOWED_LINKS.get(name, lambda _: False)(links):
        problems.append(f"{name} {ver} links a native library ({links!r}) and is not allowed")
    if name == "libsqlite3-sys":
        if p["source"] is not None or os.path.realpath(p["manifest_path"]) != os.path.realpath(vendored_sqlite):
            where = p["source"] or p["manifest_path"]
            problems.append(f"libsqlite3-sys {ver} comes from {where}, not vendor/libsqlite3-sys (is the [patch.crates-io] still used?)")
        features = set(nodes[nid]["features"])
        if "bundled" not in features:
            problems.append("libsqlite3-sys without the bundled feature: its build script stops")
        for f in sorted(features & SQLITE_REFUSED_FEATURES):
            problems.append(f"libsqlite3-sys with feature {f!r}: it would link the system SQLite or run bindgen")

if problems:
    print("dependency guard failed:")
    for pr in problems:
        print("  -", pr)
    sys.exit(1)
print(f"dependency guard: {len(seen)} crates; none links a system library, runs bindgen or probes with pkg-config, vcpkg or cmake; libsqlite3-sys is the vendored bundled-only copy")
'
