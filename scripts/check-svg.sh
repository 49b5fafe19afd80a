#!/usr/bin/env bash
# Render the SVG timeline of every seed race in headless Chromium (Debian's
# `chromium` package) and check it: well-formed XML, no parser error in the
# DOM Chromium builds, and a non-blank screenshot. PNGs are left in
# ${PAGELIFE_SVG_OUT:-target/svg-check} for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q chromium >/dev/null 2>&1 || true
  fi
fi
if ! command -v chromium >/dev/null; then
  echo "check-svg: SKIPPED (no chromium; apt-get install chromium)"
  exit 0
fi
out=${PAGELIFE_SVG_OUT:-target/svg-check}
mkdir -p "$out"
cargo build --release -q -p pagelife
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync)
status=0
for f in corpus/litmus/*.litmus; do
  name=$(basename "$f" .litmus)
  svg="$PWD/$out/$name.svg"
  target/release/pagelife explain "$f" --format svg -o "$svg" || test $? = 1
  python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$svg" || { echo "$name: not well-formed XML"; status=1; continue; }
  profile=$(mktemp -d)
  dom=$(chromium "${flags[@]}" --user-data-dir="$profile" --dump-dom "file://$svg" 2>/dev/null || true)
  if ! grep -q "<svg" <<<"$dom" || grep -qi "parsererror" <<<"$dom"; then
    echo "$name: Chromium did not render the SVG"; status=1; continue
  fi
  chromium "${flags[@]}" --user-data-dir="$profile" --window-size=1200,1600 --screenshot="$PWD/$out/$name.png" "file://$svg" >/dev/null 2>&1 || true
  rm -rf "$profile"
  size=$(stat -c %s "$out/$name.png" 2>/dev/null || echo 0)
  if [ "$size" -lt 20000 ]; then
    echo "$name: screenshot missing or blank ($size bytes)"; status=1; continue
  fi
  echo "$name: rendered ($size-byte screenshot in $out/$name.png)"
done
exit $status
