#!/usr/bin/env bash
# Run a pagelife case (a litmus file, exported to C) or a C reproducer on a
# real kernel: Debian's packaged kernels (or a bzImage of yours) booted
# under QEMU with a busybox initramfs, the filesystem made on a virtio disk.
#
#   scripts/kernel/run.sh FILE.litmus|FILE.c [--fs gfs2|ext4|xfs|ext4-nodelalloc]
#       [--kernel debian-stable|debian-backports|PATH/bzImage] [--modules DIR]
#       [--rounds N] [--time S] [--args "ARGS"] [--disk-mb N] [--mem-mb N]
#       [--out DIR] [--accel auto|tcg|kvm] [--module NAME=PATH.ko]...
#
# Installs what is missing with apt (and says what): qemu-system-x86,
# busybox-static, gfs2-utils, xfsprogs, e2fsprogs, kmod, cpio. Kernels are
# downloaded with `apt-get download` and unpacked with `dpkg-deb -x` under
# the cache (nothing is installed into /boot). debian-backports adds the
# Debian 12 backports and Debian 13 (+ backports) sources, pinned at
# priority 1 so that no other package comes from them, and takes the
# newest linux-image-amd64 any of them offers.
#
# Cache: ${PAGELIFE_KERNEL_CACHE:-~/.cache/pagelife-kernel} (packages,
# unpacked kernels, decompressed modules, the KVM probe's answer); the
# initramfs itself is rebuilt each run (about a second).
# Output: DIR (default target/kernel/STEM-FS-KERNEL/): console.log (the
# whole serial console), repro.c, result.json:
#   {"schema":"pagelife-kernel/1","kernel":..., "fs":..., "rounds":...,
#    "confirmed":true|false, "evidence":[...], ...}
# --module NAME=PATH.ko loads PATH.ko in place of the kernel's NAME module
# (a patched filesystem built against the same kernel's headers).
# Exit status: 0 clean, 1 confirmed, 2 usage or setup error, 3 the VM did
# not report (boot failure, time-out: see console.log).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${PAGELIFE_KERNEL_CACHE:-$HOME/.cache/pagelife-kernel}

die() { echo "run.sh: error: $*" >&2; exit 2; }
say() { echo "run.sh: $*" >&2; }

file= fs= kernel=debian-stable modules= rounds=20 time_s=60 args= disk_mb=320
mem_mb=2048 out= accel=auto
declare -A override=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fs) fs=${2:?--fs needs gfs2, ext4, xfs or ext4-nodelalloc}; shift 2 ;;
    --kernel) kernel=${2:?--kernel needs debian-stable, debian-backports or a bzImage}; shift 2 ;;
    --modules) modules=${2:?--modules needs a lib/modules/VERSION directory}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --time) time_s=${2:?--time needs seconds}; shift 2 ;;
    --args) args=${2?--args needs a string}; shift 2 ;;
    --disk-mb) disk_mb=${2:?--disk-mb needs a number}; shift 2 ;;
    --mem-mb) mem_mb=${2:?--mem-mb needs a number}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --accel) accel=${2:?--accel needs auto, tcg or kvm}; shift 2 ;;
    --module)
      [[ "${2:-}" == *=*.ko ]] || die "--module: expected NAME=PATH.ko, got '${2:-}'"
      [ -f "${2#*=}" ] || die "--module: ${2#*=}: no such file"
      override[${2%%=*}]=$(cd "$(dirname "${2#*=}")" && pwd)/$(basename "${2#*=}"); shift 2 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [ -z "$file" ] || die "expected one FILE, got '$1' too"; file=$1; shift ;;
  esac
done
[ -n "$file" ] || die "expected a FILE.litmus or FILE.c (see --help)"
[ -f "$file" ] || die "$file: no such file"
for n in "$rounds" "$time_s" "$disk_mb" "$mem_mb"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "expected a number, got '$n'"
done
case "$accel" in auto|tcg|kvm) ;; *) die "--accel: expected auto, tcg or kvm, got '$accel'" ;; esac
case "${fs:-gfs2}" in gfs2|ext4|xfs|ext4-nodelalloc) ;; *) die "--fs: expected gfs2, ext4, xfs or ext4-nodelalloc, got '$fs'" ;; esac

# ---- packages ----
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static)
command -v mkfs.gfs2 >/dev/null || [ -x /usr/sbin/mkfs.gfs2 ] || need+=(gfs2-utils)
command -v mkfs.xfs >/dev/null || [ -x /usr/sbin/mkfs.xfs ] || need+=(xfsprogs)
[ -x /usr/sbin/mkfs.ext4 ] || [ -x /sbin/mkfs.ext4 ] || need+=(e2fsprogs)
command -v depmod >/dev/null || [ -x /usr/sbin/depmod ] || need+=(kmod)
command -v cpio >/dev/null || need+=(cpio)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v file >/dev/null || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
  say "installing with apt: ${need[*]}"
  t0=$(date +%s)
  apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" \
    > "${TMPDIR:-/tmp}/pagelife-apt.log" 2>&1 || {
    tail -5 "${TMPDIR:-/tmp}/pagelife-apt.log" >&2; die "apt-get install ${need[*]} failed"; }
  say "installed in $(( $(date +%s) - t0 )) s"
fi
export PATH=$PATH:/usr/sbin:/sbin

# ---- the kernel ----
mkdir -p "$cache/debs" "$cache/kernels"
add_newer_sources() {
  local list=/etc/apt/sources.list.d/pagelife-kernel.sources
  local pin=/etc/apt/preferences.d/pagelife-kernel
  if [ ! -f "$list" ]; then
    say "adding apt sources bookworm-backports, trixie, trixie-backports (pinned at 1: kernels only)"
    cat > "$list" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports trixie trixie-updates trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cat > "$pin" <<'EOF'
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-updates
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 1
EOF
    apt-get update -q -o DPkg::Lock::Timeout=600 > "${TMPDIR:-/tmp}/pagelife-apt.log" 2>&1 ||
      { tail -5 "${TMPDIR:-/tmp}/pagelife-apt.log" >&2; die "apt-get update failed"; }
  fi
}

# Unpack a Debian kernel package: prints the unpacked root.
debian_kernel() {
  local which=$1 meta_ver pkg
  if [ "$which" = backports ]; then
    add_newer_sources
    meta_ver=$(apt-cache madison linux-image-amd64 | awk '{print $3}' | sort -V | tail -1)
  else
    meta_ver=$(apt-cache policy linux-image-amd64 | awk '/Candidate:/{print $2}')
  fi
  if [ -z "$meta_ver" ] || [ "$meta_ver" = "(none)" ]; then
    say "apt knows no linux-image-amd64: apt-get update"
    apt-get update -q -o DPkg::Lock::Timeout=600 > /dev/null 2>&1 || true
    meta_ver=$(apt-cache policy linux-image-amd64 | awk '/Candidate:/{print $2}')
  fi
  [ -n "$meta_ver" ] && [ "$meta_ver" != "(none)" ] ||
    die "apt knows no linux-image-amd64 even after apt-get update"
  pkg=$(apt-cache show "linux-image-amd64=$meta_ver" |
        awk -F': ' '/^Depends:/{print $2; exit}' | tr ',' '\n' |
        grep -o 'linux-image-[0-9][^ ]*' | head -1)
  [ -n "$pkg" ] || die "linux-image-amd64 $meta_ver: no kernel package in its Depends"
  local dir=$cache/kernels/$pkg
  if [ ! -d "$dir" ]; then
    # Newer Debian kernels split the image: linux-binary-* (vmlinuz) and
    # linux-modules-* are dependencies of the same version.
    local parts p ver
    ver=$(apt-cache show "$pkg" | awk '/^Version:/{print $2}' | sort -V | tail -1)
    parts="$pkg $(apt-cache show "$pkg=$ver" | awk -F': ' '/^Depends:/{print $2; exit}' |
      tr ',' '\n' | grep -o 'linux-\(binary\|modules\)-[^ ]*' | sort -u | tr '\n' ' ')"
    say "downloading $parts(linux-image-amd64 $meta_ver)"
    local t0; t0=$(date +%s)
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    for p in $parts; do
      (cd "$cache/debs" && apt-get download -q "$p=$ver" > /dev/null 2>&1) || {
        say "apt-get download $p=$ver failed: apt-get update, then once more"
        apt-get update -q -o DPkg::Lock::Timeout=600 > /dev/null 2>&1 || true
        (cd "$cache/debs" && apt-get download -q "$p=$ver" > /dev/null 2>&1) ||
          die "apt-get download $p=$ver failed"
      }
      dpkg-deb -x "$(ls -t "$cache"/debs/"${p}"_*.deb | head -1)" "$dir.tmp"
    done
    [ -n "$(ls "$dir.tmp"/boot/vmlinuz-* "$dir.tmp"/usr/lib/modules/*/vmlinuz 2>/dev/null)" ] ||
      die "$parts: no boot/vmlinuz-* or usr/lib/modules/*/vmlinuz inside"
    mv "$dir.tmp" "$dir"
    say "downloaded and unpacked in $(( $(date +%s) - t0 )) s"
  fi
  echo "$dir"
}

case "$kernel" in
  debian-stable) kroot=$(debian_kernel stable) ;;
  debian-backports) kroot=$(debian_kernel backports) ;;
  *) [ -f "$kernel" ] || die "--kernel: expected debian-stable, debian-backports or a bzImage file, got '$kernel'"
     kroot= ;;
esac
if [ -n "$kroot" ]; then
  bzimage=$(ls "$kroot"/boot/vmlinuz-* "$kroot"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1 || true)
  [ -n "$bzimage" ] || die "$kroot: no kernel image inside"
  moddir=$(ls -d "$kroot"/lib/modules/*/kernel "$kroot"/usr/lib/modules/*/kernel 2>/dev/null | head -1 || true)
  [ -n "$moddir" ] || die "$kroot: no lib/modules/VERSION/kernel inside"
  moddir=$(dirname "$moddir")
  kver=$(basename "$moddir")
  kname=$(basename "$kroot")
else
  bzimage=$kernel
  moddir=$modules
  kver=$( [ -n "$moddir" ] && basename "$moddir" || echo custom)
  kname=$(basename "$bzimage")
fi

# ---- the reproducer ----
stem=$(basename "$file"); stem=${stem%.*}
case "$file" in
  *.c) src=$file ;;
  *.litmus)
    src=$(mktemp --suffix=.c)
    if [ -x "$root/target/release/pagelife" ]; then
      "$root/target/release/pagelife" explain "$file" --format c > "$src" || true
    else
      (cd "$root" && cargo run --release -q -p pagelife -- explain "$file" --format c) > "$src" || true
    fi
    grep -q 'pagelife-c:' "$src" || die "pagelife explain --format c failed for $file"
    ;;
  *) die "$file: expected a .litmus or .c file" ;;
esac
meta=$(grep -m1 -o 'pagelife-c: .*' "$src" || true)
case_fs=$(sed -n 's/.*fs=\([a-z0-9-]*\).*/\1/p' <<<"$meta")
blocks=$(sed -n 's/.*blocks=\([0-9]*\).*/\1/p' <<<"$meta"); blocks=${blocks:-1}
if [ -z "$fs" ]; then
  case "$case_fs" in gfs2|xfs|ext4) fs=$case_fs ;; *) fs=ext4 ;; esac
fi
case "$fs" in gfs2|ext4|xfs|ext4-nodelalloc) ;; *) die "--fs: expected gfs2, ext4, xfs or ext4-nodelalloc, got '$fs'" ;; esac
bs=$(( 4096 / blocks ))
[ "$fs" = xfs ] && [ "$bs" -lt 1024 ] && bs=1024
case "$kernel" in */*) ktag=$kname ;; *) ktag=$kernel ;; esac
out=${out:-$root/target/kernel/$stem-$fs-$ktag}
mkdir -p "$out"
cp "$src" "$out/repro.c"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t_build=$EPOCHREALTIME
gcc -std=c11 -O2 -Wall -Wextra -pthread -static -o "$work/repro" "$src" 2> "$work/gcc.log" ||
  { cat "$work/gcc.log" >&2; die "compiling $src failed"; }

# ---- modules the filesystem needs, with their dependencies ----
declare -a mods=()
if [ -n "$moddir" ] && [ -d "$moddir" ]; then
  if [ ! -f "$moddir/modules.dep" ]; then
    depmod -b "${moddir%/lib/modules/*}" "$kver" 2>/dev/null ||
      depmod -b "${moddir%/usr/lib/modules/*}" "$kver" 2>/dev/null || die "depmod for $kver failed"
  fi
  case "$fs" in gfs2) want="gfs2" ;; xfs) want="xfs" ;; *) want="ext4" ;; esac
  want="virtio_pci virtio_blk crc32c_generic crc32c-intel $want"
  declare -A seen=()
  resolve() {
    local m=$1 line path dep
    line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | head -1) || true
    [ -n "$line" ] || return 0   # built in
    path=${line%%:*}
    [ -n "${seen[$path]:-}" ] && return 0
    seen[$path]=1
    for dep in ${line#*:}; do
      dep=$(basename "$dep"); dep=${dep%%.ko*}
      resolve "$dep"
    done
    mods+=("$path")
  }
  for m in $want; do resolve "$m"; done
fi

# ---- the initramfs ----
ir=$work/initramfs
mkdir -p "$ir"/{bin,sbin,lib,lib64,proc,sys,dev,mnt,tmp,modules,etc}
cp /bin/busybox "$ir/bin/busybox"
case "$fs" in gfs2) tools="mkfs.gfs2" ;; xfs) tools="mkfs.xfs" ;; *) tools="mkfs.ext4 mke2fs" ;; esac
for t in $tools; do
  p=$(command -v "$t") || die "$t not found"
  cp -L "$p" "$ir/sbin/"
  for l in $(ldd "$p" | grep -o '/[^ ]*'); do
    mkdir -p "$ir$(dirname "$l")"; cp -L "$l" "$ir$l"
  done
done
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$ir/etc/"
: > "$ir/modules/order"
# Decompressed modules are cached per kernel: a rerun copies them.
modcache=$cache/modules/$kname
mkdir -p "$modcache"
for m in "${mods[@]}"; do
  base=$(basename "$m"); ko=${base%.ko*}.ko
  if [ ! -f "$modcache/$ko" ]; then
    case "$base" in
      *.xz) xz -dc "$moddir/$m" > "$modcache/$ko.tmp" ;;
      *.zst) zstd -qdc "$moddir/$m" > "$modcache/$ko.tmp" ;;
      *.gz) gzip -dc "$moddir/$m" > "$modcache/$ko.tmp" ;;
      *) cp "$moddir/$m" "$modcache/$ko.tmp" ;;
    esac
    mv "$modcache/$ko.tmp" "$modcache/$ko"
  fi
  if [ -n "${override[${ko%.ko}]:-}" ]; then
    say "module ${ko%.ko}: ${override[${ko%.ko}]} in place of the kernel's"
    cp "${override[${ko%.ko}]}" "$ir/modules/$ko"
  else
    cp "$modcache/$ko" "$ir/modules/$ko"
  fi
  echo "$ko" >> "$ir/modules/order"
done
cp "$work/repro" "$ir/repro"
case "$src" in
  *gfs2-short-write*) repro_args="-r $rounds -t $time_s -f all $args" ;;
  *) repro_args="-r $rounds -t $time_s -f all -b $bs $args" ;;
esac
cat > "$ir/pl.conf" <<EOF
PL_FS=$fs
PL_BS=$bs
PL_ARGS="$repro_args"
EOF
cp "$here/init" "$ir/init"
chmod +x "$ir/init" "$ir/repro"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
build_s=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t_build}")

# ---- QEMU: KVM only when it really boots this kernel ----
qemu_base=(qemu-system-x86_64 -m "$mem_mb" -smp 2 -nographic -no-reboot
  -kernel "$bzimage" -cpu max)
if [ "$accel" = auto ]; then
  accel=tcg
  if [ -e /dev/kvm ]; then
    probe=$cache/kvm-probe-$kname
    if [ ! -f "$probe" ]; then
      say "probing KVM with $kname (up to 25 s)"
      pi=$work/probe; mkdir -p "$pi/bin"; cp /bin/busybox "$pi/bin/"
      printf '#!/bin/busybox sh\n/bin/busybox echo PAGELIFE-KVM-OK\n/bin/busybox poweroff -f\n' > "$pi/init"
      chmod +x "$pi/init"
      (cd "$pi" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/probe.gz"
      if timeout 25 "${qemu_base[@]}" -accel kvm -initrd "$work/probe.gz" \
          -append "console=ttyS0 panic=-1" 2>&1 | grep -q PAGELIFE-KVM-OK; then
        echo kvm > "$probe"
      else
        echo tcg > "$probe"
        say "KVM did not boot $kname to the marker: using TCG"
      fi
    fi
    accel=$(cat "$probe")
  fi
fi
say "kernel $kname ($kver), fs $fs (block $bs), accel $accel, rounds $rounds, time ${time_s}s"
truncate -s 0 "$work/disk.img"; truncate -s "${disk_mb}M" "$work/disk.img"
t_run=$EPOCHREALTIME
set +e
timeout $(( time_s + 300 )) "${qemu_base[@]}" -accel "$accel" -initrd "$work/initrd.gz" \
  -drive "file=$work/disk.img,format=raw,if=virtio,cache=unsafe" \
  -append "console=ttyS0 panic=-1 loglevel=4 init_on_alloc=1" < /dev/null > "$out/console.log" 2>&1
qrc=$?
set -e
run_s=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t_run}")
tr -d '\r' < "$out/console.log" > "$work/c.log" && mv "$work/c.log" "$out/console.log"

# ---- the result ----
res=$(grep -a -m1 '^pagelife-result' "$out/console.log" || true)
uname_r=$(grep -a -m1 '^PAGELIFE-UNAME ' "$out/console.log" | cut -d' ' -f2- || true)
rc_line=$(grep -a -m1 '^PAGELIFE-EXIT ' "$out/console.log" | cut -d' ' -f2 || true)
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $res"; }
if [ -z "$res" ]; then
  status=3; confirmed=false
  say "the VM did not report a result (qemu exit $qrc): see $out/console.log"
  tail -20 "$out/console.log" >&2
else
  case "${rc_line:-2}" in 0) status=0; confirmed=false ;; 1) status=1; confirmed=true ;; *) status=2; confirmed=false ;; esac
fi
python3 - "$out" <<EOF
import json, re, sys
out = sys.argv[1]
log = open(out + "/console.log", errors="replace").read().splitlines()
ev = [l.strip() for l in log if re.search(r"STALE|LOST|MISPLACED|GARBAGE|UNEXPECTED|KERNEL |CONFIRMED", l)]
ev += [l.strip() for l in log if re.search(r"\] (BUG:|Oops|WARNING:|watchdog: BUG)", l)][:10]
kern = [l.strip() for l in log if re.search(r"BUG:|WARNING:|KASAN|blocked for more than|Oops|withdraw|not cleared", l)]
def num(k):
    m = re.search(r"\b" + k + r"=([0-9.]+)", """$res""")
    return float(m.group(1)) if m and "." in m.group(1) else (int(m.group(1)) if m else None)
json.dump({
  "schema": "pagelife-kernel/1",
  "case": "$file", "reproducer": "repro.c",
  "kernel": "$uname_r" or "$kver", "kernel_package": "$kname", "fs": "$fs",
  "block_size": $bs, "accel": "$accel", "rounds": num("rounds"),
  "confirmed_rounds": num("confirmed"), "confirmed": "$confirmed" == "true",
  "vm_reported": $( [ "$status" = 3 ] && echo False || echo True ),
  "exit": "$rc_line" or None, "reproducer_seconds": num("s"),
  "vm_seconds": float("$run_s"), "build_seconds": float("$build_s"),
  "module_overrides": "${override[*]:-}".split(),
  "evidence": ev[:40], "kernel_log": kern[:40],
  "console_log": "console.log",
}, open(out + "/result.json", "w"), indent=1)
EOF
grep -a -E '^(round|  |note|fill|gfs2-short-write|pagelife C)' "$out/console.log" |
  grep -av '^  *$' | grep -av '^  evidence' | head -24 >&2 || true
grep -a -E '^(summary|  evidence|  dontneed|pagelife-result|PAGELIFE-KLOG)' "$out/console.log" >&2 || true
case "$status" in 0) verdict=clean ;; 1) verdict=CONFIRMED ;; 3) verdict="NO RESULT (the VM did not report)" ;; *) verdict="ERROR (exit $rc_line)" ;; esac
say "result: $verdict — $out/result.json (VM ${run_s}s)"
exit "$status"
