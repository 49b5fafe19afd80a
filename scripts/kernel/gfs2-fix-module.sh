#!/usr/bin/env bash
# Build Debian 6.1's gfs2 module with a candidate fix for the short-write
# stale-data finding (docs/reports/gfs2-short-write-stale-data.md; NOT FOR
# PUBLICATION before the gfs2 maintainers and the security team have seen it),
# for `scripts/kernel/run.sh ... --module gfs2=PATH.ko`.
#
#   scripts/kernel/gfs2-fix-module.sh round-down|zero-block
#
# round-down: gfs2_iomap_end() deallocates from round_down(pos) when nothing
#             was written (as XFS's iomap_last_written_block() does).
# zero-block: gfs2_iomap_end() zeroes on disk (sb_issue_zeroout()) the new
#             block containing pos that it keeps when nothing was written.
# Installs linux-source-6.1 and linux-headers-6.1.0-57-amd64 with apt when
# missing (the headers must match the kernel run.sh boots: debian-stable).
# Prints the path of the module.
set -euo pipefail
fix=${1:-}
case "$fix" in round-down|zero-block) ;; *) echo "usage: $0 round-down|zero-block" >&2; exit 2 ;; esac
cache=${PAGELIFE_KERNEL_CACHE:-$HOME/.cache/pagelife-kernel}
kver=6.1.0-57-amd64
hdr=/usr/src/linux-headers-$kver
need=()
[ -f /usr/src/linux-source-6.1.tar.xz ] || need+=(linux-source-6.1)
[ -d "$hdr" ] || need+=("linux-headers-$kver")
if [ ${#need[@]} -gt 0 ]; then
  echo "gfs2-fix-module: installing with apt: ${need[*]}" >&2
  apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >&2
fi
src=$cache/src
mkdir -p "$src"
if [ ! -f "$src/linux-source-6.1/fs/gfs2/bmap.c" ]; then
  echo "gfs2-fix-module: extracting fs/gfs2 from linux-source-6.1" >&2
  tar -C "$src" -xJf /usr/src/linux-source-6.1.tar.xz linux-source-6.1/fs/gfs2
fi
dir=$src/gfs2-$fix
rm -rf "$dir"
cp -r "$src/linux-source-6.1/fs/gfs2" "$dir"
python3 - "$dir/bmap.c" "$fix" <<'EOF'
import sys
path, fix = sys.argv[1], sys.argv[2]
s = open(path).read()
if fix == "round-down":
    old = "\t\tloff_t hstart = round_up(pos + written, i_blocksize(inode));\n"
    new = ("\t\tloff_t hstart = written ? round_up(pos + written, i_blocksize(inode)) :\n"
           "\t\t\t\t\t  round_down(pos, i_blocksize(inode));\n")
else:
    old = ("\t\t\ttruncate_pagecache_range(inode, hstart, hend - 1);\n"
           "\t\t\tpunch_hole(ip, hstart, hend - hstart);\n\t\t}\n")
    new = old + (
        "\n\t\t/* Nothing written: zero the kept new block containing pos. */\n"
        "\t\tif (!written && iomap->type == IOMAP_MAPPED) {\n"
        "\t\t\tloff_t bstart = round_down(pos, i_blocksize(inode));\n\n"
        "\t\t\tif (bstart >= iomap->offset && bstart < hstart &&\n"
        "\t\t\t    bstart < hend)\n"
        "\t\t\t\tsb_issue_zeroout(inode->i_sb,\n"
        "\t\t\t\t\t(iomap->addr + bstart - iomap->offset) >>\n"
        "\t\t\t\t\t\tinode->i_blkbits,\n"
        "\t\t\t\t\t(min(hstart, hend) - bstart) >>\n"
        "\t\t\t\t\t\tinode->i_blkbits,\n"
        "\t\t\t\t\tGFP_NOFS);\n"
        "\t\t}\n")
if s.count(old) != 1:
    sys.exit("gfs2-fix-module: bmap.c is not the expected 6.1 source (the patch does not apply)")
open(path, "w").write(s.replace(old, new))
EOF
echo "gfs2-fix-module: building $dir/gfs2.ko against $hdr" >&2
make -s -C "$hdr" M="$dir" CONFIG_GFS2_FS=m CONFIG_GFS2_FS_LOCKING_DLM=y modules -j1 2>&1 |
  grep -v 'Skipping BTF' >&2 || true
[ -f "$dir/gfs2.ko" ] || { echo "gfs2-fix-module: build failed" >&2; exit 1; }
echo "$dir/gfs2.ko"
