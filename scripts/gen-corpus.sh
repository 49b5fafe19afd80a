#!/usr/bin/env bash
# Regenerate the fuzzers' seed corpora (corpus/<target>/*.bin) from the litmus
# files: each target gets the litmus files of its subsystem (`mappings`: the
# mmap-*, madvise-*, dio-*, ext4-dio-*, dirty-cow-*, tlb-* and cow-* races, on their own profiles; `lifecycle`: eviction
# and the journal, on mainline), `mainline` all.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p pagelife
bin=target/release/pagelife
gen() {
  local target=$1; shift
  rm -rf "corpus/$target"
  "$bin" encode --out "corpus/$target" "$@" > /dev/null
  echo "corpus/$target: $(ls "corpus/$target" | wc -l) seeds"
}
gen writeback corpus/litmus/case1-*.litmus corpus/litmus/page-lock-*.litmus
gen migration corpus/litmus/case2-*.litmus corpus/litmus/case3-*.litmus corpus/litmus/jbd2-*.litmus \
  corpus/litmus/migrate-*.litmus
gen iomap corpus/litmus/case4-*.litmus corpus/litmus/case5-*.litmus corpus/litmus/xfs-*.litmus
gen lifecycle --profile mainline corpus/litmus/evict-*.litmus corpus/litmus/jbd2-*.litmus \
  corpus/litmus/xfs-*.litmus
gen mappings corpus/litmus/mmap-*.litmus corpus/litmus/madvise-*.litmus corpus/litmus/dio-*.litmus \
  corpus/litmus/ext4-dio-*.litmus \
  corpus/litmus/dirty-cow-*.litmus corpus/litmus/tlb-*.litmus corpus/litmus/cow-*.litmus
gen mainline --profile mainline corpus/litmus/*.litmus
