#!/usr/bin/env bash
# libFuzzer (cargo fuzz) time to first finding of each named race, from an
# empty corpus, with and without the interleaving signal, over N seeds.
# Each run hunts one race: PAGELIFE_BENCH_WANT makes the target crash only
# on the race's signature and PAGELIFE_BENCH_PROFILE runs every input on the
# race's profile (as `pagelife bench` does for the built-in engine).
# Four builds of the writeback target: `libfuzzer` (the engine's custom
# mutator and cross-over, ASan: what `cargo fuzz run` builds) and
# `libfuzzer-nocov` (the same, interleaving counters off), `libfuzzer -s
# none` (the custom mutator without a sanitizer), `libfuzzer-bytes -s none`
# (libFuzzer's own byte mutation: feature custom-mutator off).
# MODES (default "mut mut-nocov mut-none bytes-none") picks some of them.
# Usage: scripts/bench-libfuzzer.sh [SEEDS] [CAP_SECONDS] [LITMUS...]
# Needs nightly and cargo-fuzz; prints rows of `pagelife bench`'s table.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}; cap=${2:-8}; shift $(( $# >= 2 ? 2 : $# )) || true
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(corpus/litmus/case1-reuse-bug-on.litmus corpus/litmus/case2-norefs-find-get-block.litmus)
modes=${MODES:-mut mut-nocov mut-none bytes-none}
pagelife=target/release/pagelife
[ -x "$pagelife" ] || cargo build --release -q
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
built=fuzz/target/x86_64-unknown-linux-gnu/release/writeback
build() { # NAME SANITIZER FEATURE-ARGS...
  local name=$1 san=$2; shift 2
  (cd fuzz && cargo +nightly fuzz build -O -s "$san" "$@" writeback >/dev/null 2>&1)
  cp "$built" "$tmp/bin-$name"
}
build mut address
case " $modes " in *" mut-none "*) build mut-none none ;; esac
case " $modes " in *" bytes-none "*) build bytes-none none --no-default-features --features libfuzzer ;; esac
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) exit; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
for f in "${files[@]}"; do
  read -r profile want < <("$pagelife" replay --signature "$f" || true)
  [ "$want" = clean ] && { echo "$f: replays clean, skipped" >&2; continue; }
  race=$(basename "$f" .litmus)
  for mode in $modes; do
    case $mode in
      mut) bin=$tmp/bin-mut; name=libfuzzer ;;
      mut-nocov) bin=$tmp/bin-mut; name=libfuzzer-nocov ;;
      mut-none) bin=$tmp/bin-mut-none; name="libfuzzer -s none" ;;
      bytes-none) bin=$tmp/bin-bytes-none; name="libfuzzer-bytes -s none" ;;
      *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
    : > "$tmp/times"; : > "$tmp/execs"; found=0
    for seed in $(seq 1 "$seeds"); do
      rm -rf "$tmp/c" "$tmp/a"; mkdir -p "$tmp/c" "$tmp/a"
      env=(PAGELIFE_BENCH_WANT="$want" PAGELIFE_BENCH_PROFILE="$profile")
      [ "$mode" = mut-nocov ] && env+=(PAGELIFE_NO_INTERLEAVING_COV=1)
      start=$(date +%s.%N)
      env "${env[@]}" "$bin" -seed="$seed" -max_total_time="$cap" -artifact_prefix="$tmp/a/" "$tmp/c" > "$tmp/log" 2>&1 || true
      end=$(date +%s.%N)
      execs=$( (grep -oE '^#[0-9]+' "$tmp/log" || true) | tail -1 | tr -d '#')
      echo "${execs:-0}" >> "$tmp/execs"
      if ls "$tmp/a"/crash-* >/dev/null 2>&1; then
        found=$((found + 1))
        echo "$end - $start" | bc >> "$tmp/times"
      fi
    done
    if [ $((found * 2)) -gt "$seeds" ]; then med=$(printf '%.3f' "$(median < "$tmp/times")"); else med="> $cap"; fi
    if [ "$found" -gt 0 ]; then
      range=$(sort -g "$tmp/times" | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f–%.3f", lo, hi}')
    else range="—"; fi
    printf '| %s | %s | %s | %s/%s | %s | %s | %s |\n' "$race" "$profile" "$name" "$found" "$seeds" "$med" "$range" "$(median < "$tmp/execs")"
  done
done
