#!/usr/bin/env bash
# Dependency guard: the build needs the Rust toolchain and a C compiler, nothing else.
# Fails when the dependency graph (normal, build and dev dependencies, host platform)
#   - contains bindgen (it needs libclang),
#   - contains a crate with a `links` key that is not in the allow-list below (a `links`
#     key is how a -sys crate announces that it links a native library),
#   - or has pkg-config / vcpkg / cmake under any crate other than an allowed one (they
#     probe for or build system libraries).
# Allowed, each because its C is vendored and compiled by cargo with the C compiler:
#   libsqlite3-sys (sqlite3)  only with its `bundled` feature on (checked below),
#   ring (ring_core_*)        its own C and assembly,
#   wasm-bindgen-shared       a marker key, links nothing natively.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
cargo metadata --format-version 1 --locked --filter-platform "$host" | python3 -c '
import json, sys

ALLOWED_LINKS = {
    "libsqlite3-sys": lambda links: links == "sqlite3",
    "ring": lambda links: links.startswith("ring_core_"),
    "wasm-bindgen-shared": lambda links: links == "wasm_bindgen",
}
FORBIDDEN = {"bindgen"}
PROBES = {"pkg-config", "vcpkg", "cmake"}

m = json.load(sys.stdin)
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
        problems.append(f"{name} {ver} is in the tree (needs libclang)")
    if links and not ALLOWED_LINKS.get(name, lambda _: False)(links):
        problems.append(f"{name} {ver} links a native library ({links!r}) and is not allowed")
    if name == "libsqlite3-sys" and "bundled" not in nodes[nid]["features"]:
        problems.append("libsqlite3-sys without the bundled feature would link the system SQLite")
    for d in nodes[nid]["deps"]:
        dep = pkgs[d["pkg"]]["name"]
        if dep in PROBES and name not in ALLOWED_LINKS:
            problems.append(f"{name} uses {dep} to look for a system library")

if problems:
    print("dependency guard failed:")
    for pr in problems:
        print("  -", pr)
    sys.exit(1)
print(f"dependency guard: {len(seen)} crates, none links a system library or runs bindgen")
'
