#!/usr/bin/env bash
# Foundation benchmark (issue 3): time from `serve` to ready on a fresh SQLite file, idle memory,
# and /healthz throughput with wrk, each printed against its target and, for throughput, against
# a reference server measured in the same run (Python's http.server answering a static file).
# Usage: scripts/bench-foundation.sh [runs=5]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/firstcover/target}"
cargo build --release -q
bin="$CARGO_TARGET_DIR/release/firstcover"
command -v wrk >/dev/null || bash scripts/install-system-deps.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

startup_ms=()
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d); port=$(free_port)
  t0=$(date +%s%N)
  ( cd "$dir" && FIRSTCOVER_ADMIN_PASSWORD=bench-password-123 FIRSTCOVER_BIND="127.0.0.1:$port" FIRSTCOVER_LOG=warn exec "$bin" serve >/dev/null 2>&1 ) &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s%N)
  startup_ms+=($(( (t1 - t0) / 1000000 )))
  if [ "$i" = "$runs" ]; then
    sleep 2
    child=$(pgrep -P "$pid" firstcover || echo "$pid")
    rss_kb=$(awk '/VmRSS/ {print $2}' /proc/"$child"/status)
    wrk_out=$(wrk -t2 -c32 -d10s "http://127.0.0.1:$port/healthz")
    rss_after_kb=$(awk '/VmRSS/ {print $2}' /proc/"$child"/status)
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
done
sorted=$(printf '%s\n' "${startup_ms[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
p_lat=$(echo "$wrk_out" | awk '/Latency/ {print $2}')

# Reference: Python's standard-library HTTP server on the same machine, same wrk settings.
refdir=$(mktemp -d); echo ok > "$refdir/healthz"; rport=$(free_port)
( cd "$refdir" && exec python3 -m http.server "$rport" --bind 127.0.0.1 >/dev/null 2>&1 ) &
rpid=$!
until curl -fs "http://127.0.0.1:$rport/healthz" >/dev/null 2>&1; do sleep 0.05; done
ref_rps=$(wrk -t2 -c32 -d10s "http://127.0.0.1:$rport/healthz" | awk '/Requests\/sec/ {print $2}')
kill "$rpid"; wait "$rpid" 2>/dev/null || true; rm -rf "$refdir"

echo "serve -> ready on a fresh SQLite file: median ${median} ms over ${runs} runs (all: ${startup_ms[*]}); target <= 1000 ms; ratio to target $(awk -v m="$median" 'BEGIN{printf "%.2f", m/1000}')"
echo "idle RSS after start: $((rss_kb/1024)) MB; after 10 s of wrk: $((rss_after_kb/1024)) MB; target <= 50 MB idle; ratio to target $(awk -v r="$rss_kb" 'BEGIN{printf "%.2f", r/1024/50}')"
echo "/healthz: ${rps} req/s (wrk -t2 -c32 -d10s, mean latency ${p_lat}); reference python3 http.server: ${ref_rps} req/s; ratio $(awk -v a="$rps" -v b="$ref_rps" 'BEGIN{printf "%.1f", a/b}')x"
