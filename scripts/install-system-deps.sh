#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain, from Debian's packages:
# Chromium + chromedriver (browser tests), poppler-utils (pdftotext/pdftoppm for PDF checks),
# zbar-tools (QR decoding), wrk (load benchmarks), libxml2-dev + libclang-dev (the `libxml` crate
# links libxml2 for XSD validation of backtest reports and generates its bindings with bindgen).
# Safe to run repeatedly.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
dpkg -s libxml2-dev >/dev/null 2>&1 || need+=(libxml2-dev)
dpkg -s libclang-dev >/dev/null 2>&1 || need+=(libclang-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
