#!/usr/bin/env bash
# Installs what the full CI needs beyond the Rust toolchain and a C compiler, from Debian's
# packages: Chromium + chromedriver (the browser tests) and wrk (load benchmarks). Nothing
# here is needed to build: PDF, picture and QR checks in the tests use Rust crates, and the
# XSD check of backtest reports is pure Rust. PostgreSQL: scripts/ensure-postgres.sh.
# Safe to run repeatedly.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
