#!/usr/bin/env bash
# cargo deny check with the project's deny.toml. cargo-deny comes from crates.io, built once
# into a cached directory ($FIRSTCOVER_TOOLS, default ~/.cache/firstcover/tools) and reused.
# Licences, bans and sources are always checked. The advisory database is a git repository
# on GitHub: when it cannot be fetched (a network that reaches only the package registries),
# the advisory check is skipped with a loud notice rather than passed; set
# FIRSTCOVER_REQUIRE_ADVISORIES=1 to make that an error, or FIRSTCOVER_ADVISORY_DB=DIR to
# use a local clone of the database instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${FIRSTCOVER_TOOLS:-$HOME/.cache/firstcover/tools}"
export PATH="$tools/bin:$PATH"
if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "installing cargo-deny into $tools"
  cargo install --locked cargo-deny --root "$tools"
fi
cargo deny --version
# cargo deny runs offline; fetch the locked dependencies first (a fresh machine has none).
cargo fetch --locked
cargo deny --offline check licenses bans sources

config=deny.toml
if [ -n "${FIRSTCOVER_ADVISORY_DB:-}" ]; then
  # A local clone: point a copy of the config at it and never fetch.
  config=$(mktemp)
  db=$(mktemp -d)
  ln -s "$(cd "$FIRSTCOVER_ADVISORY_DB" && pwd)" "$db/advisory-db-3157b0e258782691"
  sed "s|^\[advisories\]|[advisories]\ndb-path = \"$db\"\ndb-urls = [\"https://github.com/RustSec/advisory-db\"]|" deny.toml > "$config"
  cargo deny --offline --config "$config" check advisories
elif cargo deny fetch db >/dev/null 2>&1; then
  cargo deny --offline check advisories
else
  echo
  echo "!!!! SKIPPED: cargo deny check advisories - the advisory database (GitHub) cannot be fetched from here !!!!"
  echo "!!!! licences, bans and sources were checked; run with FIRSTCOVER_ADVISORY_DB=<clone> to check advisories !!!!"
  echo
  if [ "${FIRSTCOVER_REQUIRE_ADVISORIES:-0}" = 1 ]; then exit 1; fi
fi
