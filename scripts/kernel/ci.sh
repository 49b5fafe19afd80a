#!/usr/bin/env bash
# CI's real-kernel check, capped at 10 minutes: Debian's stable kernel
# under QEMU, the gfs2 short-write reproducer on gfs2 (expected: confirmed)
# and on ext4 (the control, expected: clean). Prints SKIPPED and exits 0
# when the packages cannot be installed or the kernel cannot be had.
set -uo pipefail
cd "$(dirname "$0")/../.."
deadline=$(( $(date +%s) + ${PAGELIFE_KERNEL_CI_CAP:-600} ))
skip() { echo "kernel-ci: SKIPPED ($*)"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root: cannot install packages"
command -v apt-get >/dev/null || skip "no apt-get"
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/sbin/mkfs.gfs2 ] || need+=(gfs2-utils)
command -v cpio >/dev/null || need+=(cpio)
command -v file >/dev/null || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
  echo "kernel-ci: installing ${need[*]}"
  timeout 300 apt-get install -y -q -o DPkg::Lock::Timeout=120 --no-install-recommends \
    "${need[@]}" > /tmp/pagelife-kernel-ci-apt.log 2>&1 ||
    { timeout 120 apt-get update -q > /dev/null 2>&1 &&
      timeout 300 apt-get install -y -q -o DPkg::Lock::Timeout=120 --no-install-recommends \
        "${need[@]}" > /tmp/pagelife-kernel-ci-apt.log 2>&1; } ||
    skip "apt-get install ${need[*]} failed: $(tail -1 /tmp/pagelife-kernel-ci-apt.log)"
fi
repro=scripts/kernel/repro/gfs2-short-write.c
left() { echo $(( deadline - $(date +%s) )); }
run() { # fs expect
  local fs=$1 want=$2 t rc
  t=$(( $(left) - 10 ))
  [ "$t" -gt 60 ] || { echo "kernel-ci: FAIL no time left for $fs"; return 1; }
  local t0; t0=$(date +%s)
  timeout "$t" bash scripts/kernel/run.sh "$repro" --fs "$fs" --kernel debian-stable \
    --rounds 3 --time 60 --args "-w 400" --out "target/kernel/ci-$fs" > "target/kernel-ci-$fs.log" 2>&1
  rc=$?
  tail -4 "target/kernel-ci-$fs.log"
  echo "kernel-ci: $fs exit $rc (want $want) in $(( $(date +%s) - t0 )) s"
  if [ "$rc" = 2 ] && grep -q 'apt-get download .* failed\|apt knows no' "target/kernel-ci-$fs.log"; then
    skip "the kernel package could not be downloaded"
  fi
  [ "$rc" = "$want" ]
}
mkdir -p target
ok=0 bad=0
if run gfs2 1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
if run ext4 0; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
echo "kernel-ci: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
