#!/usr/bin/env bash
# Lint the ClusterFuzzLite workflows (.github/workflows/cflite_*.yml): each
# parses as YAML and has the keys ClusterFuzzLite's actions need (a trigger,
# jobs whose steps use build_fuzzers then run_fuzzers with a mode and
# language rust). actionlint is used when it is installed; the YAML check
# needs python3 with PyYAML and prints SKIPPED without it.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v actionlint >/dev/null; then
  actionlint .github/workflows/cflite_*.yml
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "check-workflows: SKIPPED (no python3 yaml module)"
  exit 0
fi
python3 - .github/workflows/cflite_*.yml <<'PY'
import sys, yaml
bad = 0
for path in sys.argv[1:]:
    doc = yaml.safe_load(open(path))
    # PyYAML reads the key `on` as the boolean True.
    trig = doc.get("on", doc.get(True))
    problems = [] if trig else ["no trigger"]
    for name, job in (doc.get("jobs") or {}).items():
        uses = [s.get("uses", "") for s in job.get("steps", [])]
        builds = [s for s in job["steps"] if "build_fuzzers" in s.get("uses", "")]
        runs = [s for s in job["steps"] if "run_fuzzers" in s.get("uses", "")]
        if not builds or not runs or uses.index(builds[0]["uses"]) > uses.index(runs[0]["uses"]):
            problems.append(f"{name}: build_fuzzers then run_fuzzers expected")
        for s in builds:
            if s.get("with", {}).get("language") != "rust":
                problems.append(f"{name}: build_fuzzers without language: rust")
        for s in runs:
            if s.get("with", {}).get("mode") not in ("code-change", "batch", "prune", "coverage"):
                problems.append(f"{name}: run_fuzzers without a mode")
    if not doc.get("jobs"):
        problems.append("no jobs")
    for p in problems:
        print(f"{path}: {p}")
    bad += len(problems)
    print(f"{path}: {'ok' if not problems else 'FAILED'}")
sys.exit(1 if bad else 0)
PY
