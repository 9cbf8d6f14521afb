#!/usr/bin/env bash
# Fresh-machine check (issue 12): build and test the committed tree in a minimal Debian
# chroot that has only a C compiler, libc headers and CA certificates, and the Rust toolchain
# bind-mounted read-only. No pkg-config, no libclang, no libxml2-dev, no zbar or poppler.
#   bash scripts/fresh-machine-check.sh [ROOT]        (default ROOT=/work/chroot; needs root)
# Steps: debootstrap bookworm (once), copy `git archive HEAD` in, show that the packages are
# absent, `cargo build --release` from an empty target directory (wall and CPU time, binary
# size, load before and after), then `cargo test` with PostgreSQL at 127.0.0.1:5432 (the
# chroot shares the network). FRESH_TEST_TARGET=DIR mounts DIR as the test build's target
# directory (to reuse compiled dependencies; the release build is always from empty).
# FRESH_SKIP_TEST=1 stops after the release build. At the end the mounts are undone and the
# chroot's target directories deleted (a mounted FRESH_TEST_TARGET is unmounted first, kept).
set -euo pipefail
root="${1:-/work/chroot}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/usr/bin/gcc" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates bookworm "$root" \
    http://deb.debian.org/debian
fi
mkdir -p "$root/opt/rustup" "$root/opt/cargo-bin" "$root/src" "$root/root/test-target"
mnt() { mountpoint -q "$2" || mount --bind "$1" "$2"; [ "${3:-}" = ro ] && mount -o remount,bind,ro "$2"; true; }
cleanup() {
  for m in root/test-target opt/cargo-bin opt/rustup dev/pts dev proc; do
    mountpoint -q "$root/$m" && umount "$root/$m"
  done
  rm -rf "$root/root/release-target"
  # Never delete through a mount that failed to come off (it would be the host's directory).
  mountpoint -q "$root/root/test-target" || rm -rf "$root/root/test-target"
}
trap cleanup EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mnt /dev "$root/dev"; mnt /dev/pts "$root/dev/pts"
mnt "${RUSTUP_HOME:-$HOME/.rustup}" "$root/opt/rustup" ro
mnt "$(dirname "$(command -v cargo)")" "$root/opt/cargo-bin" ro
[ -n "${FRESH_TEST_TARGET:-}" ] && mnt "$FRESH_TEST_TARGET" "$root/root/test-target"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Where the network intercepts TLS, the host's CA bundle is what reaches the registry.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root/src/firstcover" && mkdir -p "$root/src/firstcover"
git -C "$repo" archive HEAD | tar x -C "$root/src/firstcover"
echo "tree: $(git -C "$repo" rev-parse HEAD)"
run() {
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/opt/cargo-bin:/usr/local/bin:/usr/bin:/bin \
    RUSTUP_HOME=/opt/rustup CARGO_HOME=/root/.cargo RUSTUP_AUTO_INSTALL=0 CARGO_BUILD_JOBS=2 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt CARGO_TERM_COLOR=never \
    FIRSTCOVER_REQUIRE_POSTGRES="${FIRSTCOVER_REQUIRE_POSTGRES:-1}" /bin/bash -c "cd /src/firstcover && $1"
}
run 'for p in libclang-dev libxml2-dev zbar-tools poppler-utils pkg-config pkgconf libsqlite3-dev; do
       dpkg -s $p >/dev/null 2>&1 && { echo "$p IS installed"; exit 1; } || echo "absent: $p"; done
     for t in pkg-config clang zbarimg pdftotext pdftoppm xml2-config chromium; do
       command -v $t && { echo "$t found"; exit 1; }; done; echo "none of the tools on PATH"
     ls /usr/lib/x86_64-linux-gnu | grep -E "libxml2|libsqlite3|libclang" && exit 1 || echo "no libxml2, libsqlite3 or libclang"
     gcc --version | head -1; rustc -V; cargo -V'
run 'cargo fetch --locked -q'
run 'rm -rf /root/release-target; echo "load before: $(cat /proc/loadavg)"
     TIMEFORMAT="cold release build: wall %R s, cpu %U s user + %S s system"
     time (CARGO_TARGET_DIR=/root/release-target cargo build --release --locked 2>&1 | tail -3; exit ${PIPESTATUS[0]})
     echo "load after: $(cat /proc/loadavg)"
     ls -l /root/release-target/release/firstcover | awk "{print \"binary bytes: \" \$5}"
     /root/release-target/release/firstcover --help | head -3' || { echo "release build FAILED"; exit 1; }
rm -rf "$root/root/release-target"
if [ "${FRESH_SKIP_TEST:-0}" = 1 ]; then exit 0; fi
run 's=$(date +%s); CARGO_TARGET_DIR=/root/test-target cargo test --locked --no-fail-fast 2>&1 | tee /root/test.log | grep -E "^test result|SKIPPED|skipping|FAILED|panicked" ; rc=${PIPESTATUS[0]}
     echo "cargo test exit $rc, wall $(( $(date +%s) - s )) s"; exit $rc'
