#!/usr/bin/env bash
# Regenerate the generated parts of the docs: the step audit table of
# docs/model.md (from the step declarations, `pagelife steps --audit`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p pagelife
table=$(mktemp)
trap 'rm -f "$table"' EXIT
target/release/pagelife steps --audit > "$table"
python3 - "$table" <<'PY'
import sys
table = open(sys.argv[1]).read()
p = 'docs/model.md'
s = open(p).read()
a, rest = s.split('<!-- audit:begin -->\n', 1)
_, b = rest.split('<!-- audit:end -->', 1)
open(p, 'w').write(a + '<!-- audit:begin -->\n' + table + '<!-- audit:end -->' + b)
PY
echo "docs/model.md: $(grep -c '^| `' docs/model.md) steps"
