#!/usr/bin/env bash
# libFuzzer (cargo fuzz) time to first finding on a target, from an empty
# corpus, with and without the interleaving signal, over N seeds.
# Usage: scripts/bench-libfuzzer.sh [TARGET] [SEEDS] [CAP_SECONDS]
# Needs nightly and cargo-fuzz; prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-writeback}; seeds=${2:-10}; cap=${3:-60}
cargo +nightly fuzz build -O "$target" >/dev/null 2>&1
bin=fuzz/target/x86_64-unknown-linux-gnu/release/$target
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "| target | interleaving signal | seed | time to first finding (s) | executions | oracle |"
echo "|---|---|---|---|---|---|"
for mode in on off; do
  for seed in $(seq 1 "$seeds"); do
    rm -rf "$tmp/c" "$tmp/a"; mkdir -p "$tmp/c" "$tmp/a"
    env=(); [ "$mode" = off ] && env=(PAGELIFE_NO_INTERLEAVING_COV=1)
    start=$(date +%s.%N)
    env "${env[@]}" "$bin" -seed="$seed" -max_total_time="$cap" -artifact_prefix="$tmp/a/" "$tmp/c" > "$tmp/log" 2>&1 || true
    end=$(date +%s.%N)
    if ls "$tmp/a"/crash-* >/dev/null 2>&1; then
      t=$(echo "$end - $start" | bc)
      execs=$( (grep -oE '^#[0-9]+' "$tmp/log" || true) | tail -1 | tr -d '#')
      oracle=$( (grep -m1 -oE '^[a-z-]+: (BUG|WARN|DATA-LOSS|HANG)' "$tmp/log" || true) | cut -d: -f1)
      printf '| %s | %s | %s | %.2f | %s | %s |\n' "$target" "$mode" "$seed" "$t" "${execs:-?}" "$oracle"
    else
      printf '| %s | %s | %s | > %s | — | none |\n' "$target" "$mode" "$seed" "$cap"
    fi
  done
done
