#!/usr/bin/env bash
# The C export of every corpus/litmus/*.litmus compiles with
#   gcc -std=c11 -Wall -Wextra -Werror -pthread
# and those that need no privileges (their `pagelife-c:` line says
# privileged=no) run for one round on a temporary directory of this host
# (-n: no root-only knobs even as root). The hand-written reproducers in
# scripts/kernel/repro/ compile too. A run may be clean (0) or confirmed
# (1: this host's kernel may have the race); 2 or a crash fails the check.
# Every program's checker is tested first on hand-made records (--self-test).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v gcc >/dev/null || { echo "check-c-export: SKIPPED (no gcc)"; exit 0; }
bin=target/release/pagelife
[ -x "$bin" ] || cargo build --release -q -p pagelife
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 ran=0
for f in corpus/litmus/*.litmus; do
  stem=$(basename "$f" .litmus)
  # explain exits 1 when an oracle fires on the case: the program is written all the same.
  "$bin" explain "$f" --format c > "$tmp/$stem.c" 2> "$tmp/$stem.err" || true
  if ! grep -q 'pagelife-c:' "$tmp/$stem.c"; then
    echo "FAIL $stem: explain --format c: $(head -3 "$tmp/$stem.err")"; fail=$((fail + 1)); continue
  fi
  if ! gcc -std=c11 -Wall -Wextra -Werror -pthread -O2 -o "$tmp/$stem" "$tmp/$stem.c" 2> "$tmp/$stem.gcc"; then
    echo "FAIL $stem: gcc"; head -20 "$tmp/$stem.gcc"; fail=$((fail + 1)); continue
  fi
  if ! "$tmp/$stem" --self-test > "$tmp/$stem.self" 2>&1; then
    echo "FAIL $stem: --self-test"; cat "$tmp/$stem.self"; fail=$((fail + 1)); continue
  fi
  if grep -q 'pagelife-c: .*privileged=no' "$tmp/$stem.c"; then
    mkdir -p "$tmp/d-$stem"
    set +e
    timeout 60 "$tmp/$stem" "$tmp/d-$stem" -r 1 -f 1 -n > "$tmp/$stem.out" 2>&1
    rc=$?
    set -e
    ran=$((ran + 1))
    if [ "$rc" -gt 1 ]; then
      echo "FAIL $stem: one round exited $rc"; tail -5 "$tmp/$stem.out"; fail=$((fail + 1)); continue
    fi
    echo "ok   $stem: compiled, one round: $(grep -m1 '^round 1' "$tmp/$stem.out" || echo '?')"
  else
    echo "ok   $stem: compiled (needs root knobs: not run here)"
  fi
  pass=$((pass + 1))
done
for c in scripts/kernel/repro/*.c; do
  stem=$(basename "$c" .c)
  if gcc -std=c11 -Wall -Wextra -Werror -pthread -O2 -o "$tmp/r-$stem" "$c" 2> "$tmp/r-$stem.gcc"; then
    echo "ok   $stem: compiled"; pass=$((pass + 1))
  else
    echo "FAIL $stem: gcc"; head -20 "$tmp/r-$stem.gcc"; fail=$((fail + 1))
  fi
done
echo "check-c-export: $ran ran one round on the host"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
