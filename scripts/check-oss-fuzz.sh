#!/usr/bin/env bash
# Test the OSS-Fuzz build script without Docker (not available here): run
# scripts/oss-fuzz/build.sh with SRC/OUT/WORK in temporary folders and check
# that every produced binary runs its seed corpus (-runs=0).
# Needs nightly Rust and cargo-fuzz; skips with a message when nightly is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup toolchain list 2>/dev/null | grep -q nightly; then
  echo "check-oss-fuzz: SKIPPED (no nightly toolchain; cargo fuzz needs one)"
  exit 0
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
command -v zip >/dev/null || { echo "check-oss-fuzz: zip is needed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/out" "$tmp/work"
ln -s "$PWD" "$tmp/src/pagelife"
export SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" RUSTUP_TOOLCHAIN=nightly
bash scripts/oss-fuzz/build.sh
status=0
for src in fuzz/fuzz_targets/*.rs; do
  name=$(basename "${src%.rs}")
  test -x "$OUT/$name" || { echo "missing binary $name"; status=1; continue; }
  test -f "$OUT/${name}_seed_corpus.zip" || { echo "missing ${name}_seed_corpus.zip"; status=1; continue; }
  seeds="$tmp/seeds-$name"; mkdir -p "$seeds"
  unzip -q "$OUT/${name}_seed_corpus.zip" -d "$seeds"
  # Seeds of racy targets are known races (corpus/known/): a target reports
  # them on stderr and goes on, so -runs=0 must run every seed without a crash.
  log="$tmp/$name.log"
  mkdir -p "$tmp/artifacts-$name"
  if "$OUT/$name" -runs=0 -artifact_prefix="$tmp/artifacts-$name/" "$seeds" > "$log" 2>&1; then
    echo "$name: ran $(ls "$seeds" | wc -l) seeds without a crash ($(grep -c 'known race' "$log" || true) known races reported)"
  else
    echo "$name: FAILED: a seed crashed or did not run"; tail -20 "$log"; status=1
  fi
done
exit $status
