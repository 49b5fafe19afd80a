#!/usr/bin/env bash
# Regenerate corpus/known/<target>.txt: the signature keys the cargo-fuzz and
# AFL++ targets report as known races (once, to stderr) instead of crashing.
# A key is known when a corpus/litmus file fires it on one of the target's
# profiles, or, on the racy targets (not those that run only mainline: a
# finding there is a model bug or a new kernel bug), when the built-in engine finds it in a
# seeded run of FUZZ_SECS seconds (default 30) per target. Keys already in a
# list are kept (keys added by hand, e.g. from an AFL++ run, stay). The
# mainline-only targets' keys name their filesystem (`KEY fs=NAME`): a known gfs2 race must not hide
# the same oracle at the same step on another filesystem. A test
# (engine/tests/harness.rs) checks that every litmus
# signature on every target profile is listed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECS:-30}
cargo build --release -q -p pagelife
pl=target/release/pagelife
# Each target's profiles, as `pagelife fuzz --list` prints them (declared
# once, in engine/src/target.rs).
declare -A profiles=()
while read -r t ps; do profiles[$t]=$ps; done < <("$pl" fuzz --list | python3 -c '
import re, sys
text = " ".join(sys.stdin.read().split())
for t, ps in re.findall(r"(?:^| )(\w+) [^\[]*?\[profiles: ([^\]]+)\]", text):
    print(t, " ".join(p.strip() for p in ps.split(",")))')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "${!profiles[@]}"; do
  out=corpus/known/$t.txt
  keys="$tmp/$t.keys"
  touch "$keys"
  if [ -f "$out" ]; then grep -v '^#' "$out" | sed '/^$/d' >> "$keys" || true; fi
  for f in corpus/litmus/*.litmus; do
    for p in ${profiles[$t]}; do
      # the mainline targets qualify each key with its filesystem (engine/src/known.rs)
      { "$pl" replay -q --json --profile "$p" "$f" || true; } | python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["signature"]: print(r["signature"]["key"] + (" fs=" + r["fs"] if sys.argv[1] == "mainline" else ""))' "${profiles[$t]}" >> "$keys"
    done
  done
  if [ "${profiles[$t]}" != mainline ]; then
    { "$pl" fuzz -q --target "$t" --time "$secs" --jobs 1 --seed 1 --json --out "$tmp/f-$t" || true; } \
      | python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("record") == "fuzz-finding": print(r["signature"]["key"])' >> "$keys"
  fi
  {
    echo "# Known races of the $t target (scripts/gen-known.sh): signature keys"
    echo "# a fuzz target reports once and does not crash on"
    echo "# (PAGELIFE_CRASH_ON_KNOWN=1 crashes on them too)."
    sort -u "$keys"
  } > "$out"
  echo "$out: $(grep -vc '^#' "$out") keys"
done
