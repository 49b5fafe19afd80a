#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every cargo-fuzz target, its seed corpus
# (zipped as <target>_seed_corpus.zip) and dictionary, into $OUT.
cd "$SRC/pagelife"
cargo fuzz build -O
bin=fuzz/target/x86_64-unknown-linux-gnu/release
for src in fuzz/fuzz_targets/*.rs; do
  name=$(basename "${src%.rs}")
  cp "$bin/$name" "$OUT/"
  if [ -d "corpus/$name" ]; then
    (cd "corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  fi
  if [ -f "fuzz/$name.dict" ]; then
    cp "fuzz/$name.dict" "$OUT/$name.dict"
  fi
done
