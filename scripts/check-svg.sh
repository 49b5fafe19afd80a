#!/usr/bin/env bash
# Render the SVG timeline of every seed race in headless Chromium (Debian's
# `chromium` package, installed here when missing and root) and check it:
# well-formed XML, no parser error in the DOM Chromium builds, no text that
# leaves the canvas and no step label wider than its box — text extents are
# measured in the DOM (getBBox) by a script in an HTML page that inlines the
# SVG — and a non-blank screenshot. PNGs are left in
# ${PAGELIFE_SVG_OUT:-target/svg-check} for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core; } >/dev/null 2>&1 || true
  fi
fi
if ! command -v chromium >/dev/null; then
  echo "check-svg: SKIPPED (no chromium; apt-get install chromium fonts-dejavu-core)"
  exit 0
fi
out=${PAGELIFE_SVG_OUT:-target/svg-check}
mkdir -p "$out"
# PAGELIFE_BIN: check another build's SVGs (e.g. an old one, to see the check fail).
pagelife=${PAGELIFE_BIN:-target/release/pagelife}
[ -n "${PAGELIFE_BIN:-}" ] || cargo build --release -q -p pagelife
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync)
measure='<script>
const svg = document.querySelector("svg");
const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
const bad = [];
for (const t of svg.querySelectorAll("text")) {
  const b = t.getBBox();
  if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > W + 0.5 || b.y + b.height > H + 0.5)
    bad.push("off the " + W + "x" + H + " canvas at x " + b.x.toFixed(0) + "-" + (b.x + b.width).toFixed(0) + ", y " + b.y.toFixed(0) + ": " + t.textContent);
  const r = t.previousElementSibling;
  if (t.classList.contains("label") && r && r.tagName === "rect") {
    const rb = r.getBBox();
    if (b.x < rb.x || b.x + b.width > rb.x + rb.width + 0.5)
      bad.push("wider than its box (" + b.width.toFixed(0) + " > " + rb.width.toFixed(0) + " px): " + t.textContent);
  }
}
const p = document.createElement("pre");
p.id = "result";
p.textContent = bad.length ? "CLIPPED " + bad.length + "\n" + bad.join("\n") : "FITS";
document.body.appendChild(p);
</script>'
status=0
for f in ${PAGELIFE_SVG_FILES:-corpus/litmus/*.litmus}; do
  name=$(basename "$f" .litmus)
  case $out in /*) ;; *) out="$PWD/$out" ;; esac
  svg="$out/$name.svg"
  "$pagelife" explain "$f" --format svg -o "$svg" || test $? = 1
  python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$svg" || { echo "$name: not well-formed XML"; status=1; continue; }
  html="$out/$name.html"
  { echo '<!DOCTYPE html><html><body style="margin:0">'; cat "$svg"; echo "$measure</body></html>"; } > "$html"
  profile=$(mktemp -d)
  dom=$(chromium "${flags[@]}" --user-data-dir="$profile" --virtual-time-budget=5000 --dump-dom "file://$html" 2>/dev/null || true)
  if ! grep -q "<svg" <<<"$dom" || grep -qi "parsererror" <<<"$dom"; then
    echo "$name: Chromium did not render the SVG"; status=1; rm -rf "$profile"; continue
  fi
  result=$(sed -n '/<pre id="result">/,/<\/pre>/p' <<<"$dom" | sed 's/<[^>]*>//g')
  if [ "$result" != FITS ]; then
    echo "$name: text clipped (measured in the DOM):"; echo "$result" | head -20 | sed 's/^/  /'; status=1; rm -rf "$profile"; continue
  fi
  chromium "${flags[@]}" --user-data-dir="$profile" --window-size=1200,1600 --screenshot="$out/$name.png" "file://$svg" >/dev/null 2>&1 || true
  rm -rf "$profile"
  size=$(stat -c %s "$out/$name.png" 2>/dev/null || echo 0)
  if [ "$size" -lt 20000 ]; then
    echo "$name: screenshot missing or blank ($size bytes)"; status=1; continue
  fi
  echo "$name: fits its canvas, labels fit their boxes ($size-byte screenshot in $out/$name.png)"
done
exit $status
