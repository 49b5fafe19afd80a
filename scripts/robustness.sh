#!/usr/bin/env bash
# Robustness: N mutated litmus files and M random byte files through every
# subcommand, and every subcommand piped into `head -1`; fails on any panic
# (exit 101 or "panicked" on stderr), any exit status outside the rule
# (0 success, 1 an oracle fired, 2 bad input, 3 nothing to do, 4 an expected
# oracle did not fire), and any
# command that uses more than 60 s of CPU (RLIMIT_CPU: a loaded machine does
# not turn a slow command into a failure) or is still running after 600 s.
#
#   bash scripts/robustness.sh [N] [M]     # default N=1000 litmus files, M=200 byte files
#
# CI runs it at a small N. PAGELIFE_BIN: test another build. JOBS: parallel
# commands (default 2). SHARD=k/K runs the per-file commands of every K-th
# file from the k-th (the files are the same whatever K: a full-scale run
# can be split over machines or days, e.g. SHARD=0/3, 1/3, 2/3); the
# whole-folder and piped commands run in every shard. The mutated inputs are left in
# ${PAGELIFE_ROBUST_OUT:-target/robustness} for a look, with failures.log
# (each failure as it happens); progress goes to stderr every 5%.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
m=${2:-200}
bin=${PAGELIFE_BIN:-target/release/pagelife}
[ -n "${PAGELIFE_BIN:-}" ] || cargo build --release -q -p pagelife
out=${PAGELIFE_ROBUST_OUT:-target/robustness}
rm -rf "$out"
mkdir -p "$out"
exec python3 - "$bin" "$n" "$m" "$out" "${JOBS:-2}" "${SHARD:-0/1}" <<'PY'
import os, random, resource, subprocess, sys, glob, concurrent.futures as cf, time

bin_, n, m, out, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
shard, shards = (int(x) for x in sys.argv[6].split("/"))
if not 0 <= shard < shards:
    sys.exit(f"robustness: SHARD={sys.argv[6]}: want k/K with 0 <= k < K")
bin_ = os.path.abspath(bin_)
rng = random.Random(15)
seeds = [open(f, encoding="utf-8").read() for f in sorted(glob.glob("corpus/litmus/*.litmus"))]
tokens = ["task", "A:", "B:", "schedule:", "faults:", "setup:", "profile", "v5.8", "mainline+2d900efff915",
          "write", "f0", "f9", "0", "255", "99999999999", "-1", "*", "x3", "io0", "kswapd", "signal", "reclaim",
          "frame0", "at", "alloc-fail", "io-error", "expect", "litmus", "config", "frames=9", "buckets=0",
          "fs=xfs", "blocks=3", "\t", "#", "\ufeff", "\u0000", "\u0001", "é", "\u202e", "\"", "\\", "\r"]

def mutate(text):
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(8)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[i]
        elif op == 1 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2 and lines:
            l = lines[i]
            if l:
                k = rng.randrange(len(l))
                lines[i] = l[:k] + chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 32), rng.randrange(128, 0x3000)])) + l[k + 1:]
        elif op == 3:
            lines.insert(i, "  " + " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 4))))
        elif op == 4 and lines:
            words = lines[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(tokens)
            lines[i] = " ".join(words)
        elif op == 5:
            lines = lines[: rng.randrange(len(lines) + 1)]
        elif op == 6 and len(lines) > 1:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.append(rng.choice(seeds).split("\n")[rng.randrange(3)])
    return "\n".join(lines)

lit_dir, byte_dir = os.path.join(out, "litmus"), os.path.join(out, "bytes")
os.makedirs(lit_dir); os.makedirs(byte_dir)
files = []
for i in range(n):
    p = os.path.join(lit_dir, f"m{i:06}.litmus")
    with open(p, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write(mutate(rng.choice(seeds)))
    files.append(p)
for i in range(m):
    p = os.path.join(byte_dir, f"crash-{i:06}")
    with open(p, "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300))))
    files.append(p)

enc = os.path.join(out, "encoded")
per_file = [
    ["replay", "{f}"], ["replay", "--signature", "{f}"], ["replay", "--json", "{f}"],
    ["replay", "--full", "--frames", "--all-steps", "{f}"],
    ["check", "{f}", "--bound", "1", "--max-states", "20000"], ["check", "--json", "{f}", "--bound", "1", "--max-states", "20000"],
    ["check", "--all", "{f}", "--bound", "1", "--max-states", "2000"], ["check", "{f}", "--want", "stale-dma", "--bound", "1", "--max-states", "2000"],
    ["verify", "{f}", "--base", "v5.8", "--patched", "v5.10", "--time", "0.02", "--jobs", "1", "--bound", "1", "--max-states", "2000"],
    ["explain", "{f}", "-f", "table"], ["explain", "{f}", "-f", "litmus"], ["explain", "{f}", "-f", "json"],
    ["explain", "{f}", "-f", "rust"], ["explain", "{f}", "-f", "svg"],
    ["minimize", "{f}"], ["import", "{f}"], ["matrix", "{f}", "--bound", "0"], ["encode", "{f}", "--out", enc],
    ["stress", "{f}", "--time", "0.02"],
]
whole = [
    ["dedup", lit_dir], ["dedup", "--json", byte_dir], ["matrix", "--bound", "1", "--max-states", "2000"] + files[:20],
    ["fuzz", "--corpus", byte_dir, "--time", "1", "--jobs", "1", "--out", os.path.join(out, "findings")],
    ["fuzz", "--corpus", lit_dir, "--time", "1", "--jobs", "1", "--out", os.path.join(out, "findings")],
    ["bench", "--strategies", "check,random", "--seeds", "1", "--cap", "0.2"] + [f for f in files[:3]],
    ["steps", "--verbose"], ["profiles"], ["schema"], ["fuzz", "--list"], ["man"], ["completions", "zsh"],
]
piped = [c for c in per_file] + whole
lit = "corpus/litmus/case1-reuse-bug-on.litmus"

failures, slow, codes = [], [], {}

def cpu_limit(secs=60):
    # A hang is measured in CPU seconds: SIGXCPU at the limit (exit -24).
    resource.setrlimit(resource.RLIMIT_CPU, (secs, secs + 5))

def run(args, pipe=False, timeout=600):
    cmd = [bin_] + args
    try:
        if pipe:
            sh = "set -o pipefail; " + " ".join("'" + a.replace("'", "'\\''") + "'" for a in cmd) + " 2>\"$0\" | head -1 >/dev/null"
            errf = os.path.join(out, f"err-{os.getpid()}-{rng.random()}")
            p = subprocess.run(["bash", "-c", sh, errf], timeout=timeout, preexec_fn=cpu_limit)
            err = open(errf, errors="replace").read() if os.path.exists(errf) else ""
            if os.path.exists(errf):
                os.remove(errf)
        else:
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                               preexec_fn=cpu_limit)
            err = p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return ("timeout", args)
    codes[p.returncode] = codes.get(p.returncode, 0) + 1
    if p.returncode not in (0, 1, 2, 3, 4) or "panicked" in err:
        return ("fail", args, p.returncode, err[-2000:])
    return None

mine = [f for i, f in enumerate(files) if i % shards == shard]
tasks = [[a.replace("{f}", f) for a in c] for f in mine for c in per_file]
tasks += whole
pipe_tasks = [[a.replace("{f}", lit) for a in c] for c in piped]
pipe_tasks += [[a.replace("{f}", f) for a in c] for f in files[:: max(1, len(files) // 20)] for c in per_file]
start = time.time()
# Each failure is written to the log as it happens, and progress is printed
# every 5% (with the failures so far): a run cut short still says how far it
# got and what it saw.
log = open(os.path.join(out, "failures.log"), "w")
results = []
def collect(it, total, what):
    step = max(1, total // 20)
    for i, r in enumerate(it, 1):
        results.append(r)
        if r is not None:
            log.write(repr(r) + "\n"); log.flush()
        if i % step == 0 or i == total:
            bad = sum(1 for x in results if x is not None)
            print(f"robustness: {what} {i}/{total} in {time.time() - start:.0f} s, {bad} failed so far",
                  file=sys.stderr, flush=True)
with cf.ThreadPoolExecutor(jobs) as ex:
    collect(ex.map(lambda a: run(a), tasks), len(tasks), "commands")
    collect(ex.map(lambda a: run(a, pipe=True), pipe_tasks), len(pipe_tasks), "piped")
for r in results:
    if r is None:
        continue
    (slow if r[0] == "timeout" else failures).append(r)
print(f"robustness: {n} mutated litmus files, {m} byte files (shard {shard}/{shards}: {len(mine)} files); {len(tasks)} commands, "
      f"{len(pipe_tasks)} piped into head -1, in {time.time() - start:.0f} s; exit statuses "
      + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
for r in failures[:20]:
    print("FAIL (exit %s): pagelife %s\n%s" % (r[2], " ".join(r[1]), r[3]))
for r in slow[:20]:
    print("TIMEOUT: pagelife %s" % " ".join(r[1]))
print(f"{len(results) - len(failures) - len(slow)} passed, {len(failures) + len(slow)} failed")
sys.exit(1 if failures or slow else 0)
PY
