#!/usr/bin/env bash
# Reference side of the backtest-engine benchmark (benches/backtest_engine.rs).
#
# Keeps a project-local Python venv with chainladder, pandas and numpy, so the
# Rust engine can be timed against chainladder-python in the same session.
#
#   scripts/bench-reference.sh setup            create the venv if missing; print its python
#   scripts/bench-reference.sh gen DIR          write policies.csv + claims.csv into DIR
#   scripts/bench-reference.sh run DIR [ARGS]   run chainladder_timing.py --dir DIR [ARGS]
#
# Environment:
#   BENCH_VENV       venv location (default: <repo>/target/bench-venv, i.e. never committed)
#   BENCH_SHARED     folder holding gen_portfolio.py and chainladder_timing.py
#                    (default: <repo>/../shared/bench, where CI puts shared/)
#   BENCH_PYTHON     interpreter used to create the venv (default: python3)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BENCH_VENV:-$repo/target/bench-venv}"
shared="${BENCH_SHARED:-$repo/../shared/bench}"
base_python="${BENCH_PYTHON:-python3}"
py="$venv/bin/python"

ensure_venv() {
    if [ ! -x "$py" ]; then
        echo "bench-reference: creating venv at $venv" >&2
        "$base_python" -m venv "$venv"
    fi
    # Install only what is missing, so a warm run costs one import check.
    if ! "$py" -c 'import chainladder, pandas, numpy' >/dev/null 2>&1; then
        echo "bench-reference: installing chainladder, pandas, numpy into $venv" >&2
        "$py" -m pip install --quiet --upgrade pip >&2
        "$py" -m pip install --quiet chainladder pandas numpy >&2
    fi
}

need_script() {
    if [ ! -f "$shared/$1" ]; then
        echo "bench-reference: $shared/$1 not found (set BENCH_SHARED)" >&2
        exit 2
    fi
}

cmd="${1:-setup}"
case "$cmd" in
    setup)
        ensure_venv
        echo "$py"
        ;;
    gen)
        [ $# -ge 2 ] || { echo "usage: $0 gen DIR" >&2; exit 2; }
        need_script gen_portfolio.py
        ensure_venv
        "$py" "$shared/gen_portfolio.py" --out "$2"
        ;;
    run)
        [ $# -ge 2 ] || { echo "usage: $0 run DIR [chainladder_timing.py args]" >&2; exit 2; }
        need_script chainladder_timing.py
        ensure_venv
        dir="$2"
        shift 2
        "$py" "$shared/chainladder_timing.py" --dir "$dir" "$@"
        ;;
    *)
        echo "usage: $0 setup | gen DIR | run DIR [ARGS]" >&2
        exit 2
        ;;
esac
