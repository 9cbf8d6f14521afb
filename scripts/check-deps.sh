#!/usr/bin/env bash
# Dependency guard: the build needs the Rust toolchain and a C compiler, nothing else.
# Fails when the dependency graph (normal, build and dev dependencies, host platform)
#   - contains bindgen (it needs libclang),
#   - contains a crate with a `links` key that is not in the allow-list below (a `links`
#     key is how a -sys crate announces that it links a native library),
#   - contains cmake anywhere, or pkg-config / vcpkg (they probe for system libraries) under
#     any crate other than the libsqlite3-sys proven below never to call them.
# Allowed, each because its C is vendored and compiled by cargo with the C compiler:
#   libsqlite3-sys (sqlite3)  only as proven below,
#   ring (ring_core_*)        its own C and assembly,
#   wasm-bindgen-shared       a marker key, links nothing natively.
#
# pkg-config and vcpkg: libsqlite3-sys lists both as build-dependencies, and sqlx-sqlite
# (0.8 and 0.9) turns their features on even with `bundled`, so no feature choice removes them.
# Both are plain Rust libraries (no build script, no `links`): compiled, they run nothing; only
# a call from libsqlite3-sys's build script would run the pkg-config program. This script
# accepts them only as dependencies of libsqlite3-sys, and only with the proof that its build
# script never makes that call (libsqlite3-sys 0.30.1 build.rs, fn main): it compiles
# sqlite3/sqlite3.c with cc when `bundled` is on, unless
#   (a) LIBSQLITE3_SYS_USE_PKG_CONFIG is set to anything but 0  -> forced to 0 by .cargo/config.toml,
#   (b) the `loadable_extension` feature is on                   -> refused below,
#   (c) the `sqlcipher` feature is on without bundled-sqlcipher -> refused below;
# each of those would link the system library (build_linked). `buildtime_bindgen` (bindgen)
# is refused too. The version is pinned to the one whose build.rs was read: a new version of
# libsqlite3-sys fails here until its build.rs is read again and the list below extended.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
grep -Eq '^LIBSQLITE3_SYS_USE_PKG_CONFIG = \{ value = "0", force = true \}$' .cargo/config.toml || {
  echo "dependency guard failed:"
  echo "  - .cargo/config.toml must force LIBSQLITE3_SYS_USE_PKG_CONFIG to 0 (see the comment above)"
  exit 1
}
cargo metadata --format-version 1 --locked --filter-platform "$host" | python3 -c '
import json, os, sys

ALLOWED_LINKS = {
    "libsqlite3-sys": lambda links: links == "sqlite3",
    "ring": lambda links: links.startswith("ring_core_"),
    "wasm-bindgen-shared": lambda links: links == "wasm_bindgen",
}
FORBIDDEN = {"bindgen"}
PROBES = {"pkg-config", "vcpkg", "cmake"}
# Probes a crate may list without ever calling them: only libsqlite3-sys, with the proof below.
UNCALLED_PROBES = {"pkg-config": {"libsqlite3-sys"}, "vcpkg": {"libsqlite3-sys"}}
# libsqlite3-sys versions whose build.rs was read (see the comment at the top).
REVIEWED_SQLITE = {"0.30.1"}
SQLITE_REFUSED_FEATURES = {"loadable_extension", "sqlcipher", "buildtime_bindgen", "bindgen"}

m = json.load(sys.stdin)
workspace = m["workspace_root"]
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
    if name == "libsqlite3-sys":
        features = set(nodes[nid]["features"])
        if "bundled" not in features:
            problems.append("libsqlite3-sys without the bundled feature would link the system SQLite")
        for f in sorted(features & SQLITE_REFUSED_FEATURES):
            problems.append(f"libsqlite3-sys with feature {f!r} links the system SQLite or runs bindgen")
        if ver not in REVIEWED_SQLITE:
            problems.append(f"libsqlite3-sys {ver}: read its build.rs and extend REVIEWED_SQLITE in scripts/check-deps.sh")
    if name in PROBES:
        users = {pkgs[n]["name"] for n in seen if any(d["pkg"] == nid for d in nodes[n]["deps"])}
        allowed = UNCALLED_PROBES.get(name, set())
        if not users <= allowed or p.get("links") or any(t["kind"] == ["custom-build"] for t in p["targets"]):
            where = p["source"] or os.path.dirname(p["manifest_path"])
            problems.append(f"{name} {ver} from {where} is in the tree (used by {sorted(users)}): it looks for system libraries")

if problems:
    print("dependency guard failed:")
    for pr in problems:
        print("  -", pr)
    sys.exit(1)
print(f"dependency guard: {len(seen)} crates, none links a system library or runs bindgen; pkg-config and vcpkg only under the bundled libsqlite3-sys, which never calls them")
'
