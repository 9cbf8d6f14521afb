#!/usr/bin/env bash
# A bounded schemathesis run over /api/v1/openapi.json: a fresh `firstcover serve --demo` on a
# random loopback port, one API token per staff role (so write operations are reached with
# each role's rights), a fixed seed, and two checks that must hold on every response:
# no server error (5xx) and every response matching its documented schema.
# Usage: scripts/schemathesis.sh path/to/firstcover   (prints the figures; exit 1 on a failure)
set -euo pipefail
bin="$(realpath "${1:?usage: $0 path/to/firstcover}")"
version=4.32.5
seed=20261201
per_role_secs="${SCHEMATHESIS_SECS_PER_ROLE:-20}"
venv="$HOME/.cache/firstcover/schemathesis-$version"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$work"
FIRSTCOVER_BIND="127.0.0.1:$port" FIRSTCOVER_ADMIN_PASSWORD="st-admin-password-1" \
  "$bin" serve --demo > serve.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
base="http://127.0.0.1:$port"
total_ops=0 total_cases=0 total_failed=0 status=0
# admin plus the demo data set's staff users: underwriter, senior underwriter, finance,
# claims handler, claims manager, actuary, auditor.
for user in admin uw.li uw.chen fin.wang claims.zhao claims.sun act.zhou audit.wu; do
  token=$("$bin" token create "$user" --name schemathesis | tail -1)
  set +e
  "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" \
    --seed "$seed" --max-examples 25 --max-time "$per_role_secs" --workers 1 \
    --checks not_a_server_error,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --exclude-path-regex '^/api/v1/verify/.*/pdf$' \
    --request-timeout 30 --no-color > "st-$user.out" 2>&1
  rc=$?
  set -e
  ops=$(grep -oE 'Tested: [0-9]+' "st-$user.out" | grep -oE '[0-9]+' | head -1 || echo 0)
  cases=$(grep -oE '[0-9]+ generated' "st-$user.out" | grep -oE '[0-9]+' | head -1 || echo 0)
  failed=$(grep -oE '[0-9]+ failed' "st-$user.out" | grep -oE '[0-9]+' | head -1 || echo 0)
  echo "schemathesis as $user: $ops operations, $cases requests, $failed failures (exit $rc)"
  total_ops=$ops
  total_cases=$((total_cases + cases))
  total_failed=$((total_failed + failed))
  if [ "$rc" != 0 ]; then
    status=1
    sed -n '/FAILURES\|ERRORS/,/SUMMARY/p' "st-$user.out" | head -80
  fi
done
echo "schemathesis $version seed $seed: $total_ops operations x 8 roles, $total_cases requests, $total_failed failures"
kill -TERM "$pid"
wait "$pid" || { echo "serve did not exit 0 on SIGTERM"; status=1; }
exit "$status"
