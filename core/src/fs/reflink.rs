//! fs/xfs/xfs_reflink.c: `ioctl(FICLONE)` — sharing a file's blocks with
//! another — and the copy-on-write that keeps shared blocks unchanged: a
//! write to a shared block reserves a block in the COW fork, writeback
//! sends the data there, and the completion remaps it into the data fork,
//! dropping the file's reference on the shared block.
//!
//! Followed: fs/xfs/xfs_file.c `xfs_file_remap_range()`, fs/xfs/xfs_reflink.c
//! `xfs_reflink_remap_prep()`, `xfs_reflink_remap_blocks()`,
//! `xfs_reflink_remap_extent()`, `xfs_reflink_update_dest()`,
//! `xfs_reflink_end_cow_extent()`, `xfs_reflink_cancel_cow_blocks()`,
//! `xfs_reflink_allocate_cow()`; fs/xfs/xfs_iomap.c
//! `xfs_buffered_write_iomap_begin()`'s COW branch and `xfs_bmap_trim_cow()`
//! (torvalds/linux, v6.x). Whole-file clones only (`FICLONE`: source and
//! destination at the same offsets). The COW extent size hint is one
//! block (`xfs_io -c "cowextsize 4k"`): a write reserves exactly the shared
//! blocks it covers — the default hint of 32 blocks would cover every
//! block of a modelled file. Not modelled: the background COW-block
//! garbage collector, the refcount btree's own blocks, `always_cow`.

use crate::exec::poll::Poll;
use crate::impl_step;
use crate::mm::page_writeback::{FdataWait, SyncMode, WriteCachePages};
use crate::mm::truncate::Truncate;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{ext, lock, Extent, World, FILE_LBLKS, MAX_INDEX, NO_PBLK, UPB};

use super::iomap::{extent_run, Iomap};
use super::set_extent;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum RlPc {
    /// `xfs_ilock2_io_mmap()`: lock `k` of `i_rwsem` ×2, `invalidate_lock` ×2.
    Lock(u8),
    /// `generic_remap_file_range_prep()` / `xfs_flush_unmap_range()`.
    Prep(u8),
    /// `xfs_reflink_remap_extent()` of block `.0`.
    Remap(u8),
    UpdateDest,
    /// `xfs_iunlock2_io_mmap()`: lock `k` released.
    Unlock(u8),
}

/// The nested machine of a preparation stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Prep {
    Flush(WriteCachePages),
    Wait(FdataWait),
    Trunc(Truncate),
}

/// `ioctl(dst, FICLONE, src)` on XFS: `xfs_file_remap_range()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reflink {
    src: u8,
    dst: u8,
    pc: RlPc,
    prep: Option<Prep>,
}

/// The preparation stages, in order: write back and wait on the source,
/// then the destination, then drop the destination's page cache.
const PREP_STAGES: u8 = 5;

impl Reflink {
    /// Clone all of `src` onto `dst` (two files of an XFS filesystem).
    pub fn new(src: u8, dst: u8) -> Reflink {
        Reflink {
            src,
            dst,
            pc: RlPc::Lock(0),
            prep: None,
        }
    }

    /// Lock `k` of `xfs_ilock2_io_mmap()`: `lock_two_nondirectories()`
    /// (`i_rwsem`, in inode order), then `filemap_invalidate_lock_two()`
    /// (XFS's MMAPLOCK, where the release has it as `invalidate_lock`);
    /// and whether it is taken shared — the source's, before 5d888b481e6a
    /// (`xfs_iolock_two_inodes_and_break_layout()`'s `inode_lock_shared()`,
    /// `xfs_lock_two_inodes(src, XFS_MMAPLOCK_SHARED, …)`).
    fn lock_id(&self, w: &World, k: u8) -> Option<(lock::LockId, bool)> {
        let (a, b) = (self.src.min(self.dst), self.src.max(self.dst));
        let f = if k.is_multiple_of(2) { a } else { b };
        let shared = f == self.src && !w.has(Toggle::ReflinkSrcExcl);
        match k {
            0 | 1 => Some((lock::i_rwsem(f), shared)),
            _ if w.fs_invalidate_lock(f) => Some((lock::invalidate_lock(f), shared)),
            _ => None,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            RlPc::Lock(k) => self.lock(w, k),
            RlPc::Prep(k) => self.prep(w, k),
            RlPc::Remap(lblk) => self.remap(w, lblk as usize),
            RlPc::UpdateDest => {
                // xfs_reflink_update_dest(): the destination grows to the
                // source's size.
                let size = w.mappings[self.src as usize].i_size;
                let m = &mut w.mappings[self.dst as usize];
                m.i_size = m.i_size.max(size);
                self.pc = RlPc::Unlock(3);
                Poll::Ran(StepId::XfsReflinkUpdateDest)
            }
            RlPc::Unlock(k) => {
                match self.lock_id(w, k) {
                    Some((l, true)) => w.unlock_shared(l),
                    Some((l, false)) => w.unlock(l),
                    None => {}
                }
                if k == 0 {
                    return Poll::Done(StepId::InodeUnlock);
                }
                self.pc = RlPc::Unlock(k - 1);
                if self.lock_id(w, k).is_none() {
                    return self.step(w);
                }
                Poll::Ran(if k >= 2 {
                    StepId::FilemapInvalidateUnlock
                } else {
                    StepId::InodeUnlock
                })
            }
        }
    }

    fn lock(&mut self, w: &mut World, k: u8) -> Poll {
        let next = if k == 3 {
            RlPc::Prep(0)
        } else {
            RlPc::Lock(k + 1)
        };
        let Some((l, shared)) = self.lock_id(w, k) else {
            self.pc = next;
            return self.step(w);
        };
        let got = if shared { w.lock_shared(l) } else { w.lock(l) };
        if let Err(c) = got {
            return Poll::Block(c);
        }
        self.pc = next;
        Poll::Ran(if k >= 2 {
            StepId::FilemapInvalidateLock
        } else {
            StepId::InodeLock
        })
    }

    /// Stage `k` of the preparation: `filemap_write_and_wait_range()` of
    /// the source and of the destination (`generic_remap_file_range_prep()`),
    /// then `truncate_pagecache_range()` of the destination
    /// (`xfs_flush_unmap_range()`); then both files are marked
    /// `XFS_DIFLAG_REFLINK` (`xfs_reflink_set_inode_flag()`).
    fn prep(&mut self, w: &mut World, k: u8) -> Poll {
        let end = MAX_INDEX as u8;
        let make = || match k {
            0 => Prep::Flush(WriteCachePages::range(self.src, SyncMode::All, 0, end)),
            1 => Prep::Wait(FdataWait::range(self.src, 0, end)),
            2 => Prep::Flush(WriteCachePages::range(self.dst, SyncMode::All, 0, end)),
            3 => Prep::Wait(FdataWait::range(self.dst, 0, end)),
            _ => Prep::Trunc(Truncate::range(self.dst, 0, end)),
        };
        let sub = self.prep.get_or_insert_with(make);
        let p = match sub {
            Prep::Flush(m) => m.step(w),
            Prep::Wait(m) => m.step(w),
            Prep::Trunc(m) => m.step(w),
        };
        let Poll::Done(id) = p else {
            return p;
        };
        self.prep = None;
        if k + 1 < PREP_STAGES {
            self.pc = RlPc::Prep(k + 1);
        } else {
            w.inodes[self.src as usize].reflink = true;
            w.inodes[self.dst as usize].reflink = true;
            self.pc = self.remap_from(w, 0);
        }
        Poll::Ran(id)
    }

    /// The next block to remap from `lblk` on (the source's blocks below
    /// its `i_size`), or the size update.
    fn remap_from(&self, w: &World, lblk: usize) -> RlPc {
        let blocks = w.mappings[self.src as usize].i_size as usize * w.cfg.bpp(self.src);
        if lblk < blocks.min(FILE_LBLKS) {
            RlPc::Remap(lblk as u8)
        } else {
            RlPc::UpdateDest
        }
    }

    /// `xfs_reflink_remap_extent()` of block `lblk`, in a transaction under
    /// the destination's `XFS_ILOCK_EXCL` (the source's extent read under
    /// its ILOCK just before: one step, as nothing else changes the source's
    /// map while both files' IOLOCK and MMAPLOCK are held and its writeback
    /// is done): the destination's old block is unmapped (its reference
    /// dropped, `xfs_refcount_decrease_extent()` or freed), the source's
    /// mapped into its place with one more reference
    /// (`xfs_refcount_increase_extent()`); a hole in the source punches one.
    fn remap(&mut self, w: &mut World, lblk: usize) -> Poll {
        let (s, d) = (self.src as usize, self.dst as usize);
        let from = w.inodes[s].map[lblk];
        let old = w.inodes[d].map[lblk];
        if old.allocated() {
            w.balloc.put(old.pblk);
        }
        let new = if from.allocated() {
            w.balloc.share(from.pblk);
            from
        } else {
            Extent::HOLE
        };
        set_extent(w, self.dst, lblk, new);
        for u in lblk * UPB..(lblk + 1) * UPB {
            if u < crate::world::MAX_LBLK {
                let t = super::visible_unit(w, self.src, u);
                w.shadow.cloned(d, u, t);
            }
        }
        self.pc = self.remap_from(w, lblk + 1);
        Poll::Ran(StepId::XfsReflinkRemapExtent)
    }
}

impl_step!(Reflink);

/// The longest run from `lblk` (below `end`) of the COW fork in one state
/// and, when allocated, on consecutive disk blocks (`xfs_iext_lookup_extent()`
/// on `ip->i_cowfp`), as an [`Iomap`] marked shared (`IOMAP_F_SHARED`).
pub fn cow_run(w: &World, file: u8, lblk: usize, end: usize) -> Iomap {
    let m = super::iomap::fork_run(w, file, &w.inodes[file as usize].cow, lblk, end);
    Iomap { shared: true, ..m }
}

/// Whether data-fork block `lblk` of `file` is shared
/// (`xfs_reflink_find_shared()` finds a refcount record for it).
pub fn block_shared(w: &World, file: u8, lblk: usize) -> bool {
    let e = w.inodes[file as usize].map[lblk];
    e.allocated() && w.balloc.shared(e.pblk)
}

/// The COW branch of `xfs_buffered_write_iomap_begin()` for blocks
/// `lb..le` of a file with `XFS_DIFLAG_REFLINK`, under `XFS_ILOCK_EXCL`:
/// a COW extent at `lb` is used as found (`xfs_reflink_cow_found`); else
/// a written or unwritten data extent at `lb` that is shared — trimmed to
/// the write and to the shared run (`xfs_bmap_trim_cow()`) — gets a
/// delalloc reservation in the COW fork (`xfs_bmapi_reserve_delalloc(ip,
/// XFS_COW_FORK, …)`), bumping `cow_seq`. Either way the write sees the
/// data fork as its source (`srcmap`: what `__iomap_write_begin()` reads a
/// partial block from) and a cookie of both forks
/// (`xfs_iomap_inode_sequence(ip, IOMAP_F_SHARED)`). `None`: no COW, the
/// caller maps the data fork.
pub fn cow_write_begin(w: &mut World, file: u8, lb: usize, le: usize) -> Option<Iomap> {
    let f = file as usize;
    let len = if w.inodes[f].cow[lb].state != ext::HOLE {
        cow_run(w, file, lb, le).len as usize
    } else if block_shared(w, file, lb) {
        let mut n = 1;
        while lb + n < le.min(FILE_LBLKS)
            && block_shared(w, file, lb + n)
            && w.inodes[f].cow[lb + n].state == ext::HOLE
        {
            n += 1;
        }
        for lblk in lb..lb + n {
            let e = Extent {
                state: ext::DELALLOC,
                pblk: NO_PBLK,
            };
            w.inodes[f].set_cow(lblk, e);
            w.note(Event::Note(
                "COW fork: delalloc reserved over a shared block",
            ));
        }
        n
    } else {
        return None;
    };
    let mut m = extent_run(w, file, lb, lb + len);
    m.cookie = w.inodes[f].if_seq;
    m.cow_cookie = w.inodes[f].cow_seq;
    m.shared = true;
    Some(m)
}

/// `xfs_bmap_trim_cow()` on the data-fork mapping `m` of a reflinked file
/// (no COW extent and no sharing at its start): it ends before the first
/// block that is shared or has a COW extent, so the blocks after it get
/// their own `->iomap_begin`.
pub fn trim_data_map(w: &World, file: u8, m: &mut Iomap) {
    let ino = &w.inodes[file as usize];
    if !ino.reflink {
        return;
    }
    let start = m.off as usize;
    let n = (start..m.end())
        .position(|b| block_shared(w, file, b) || ino.cow[b].state != ext::HOLE)
        .unwrap_or(m.len as usize);
    m.len = n.max(1) as u8;
}

/// `xfs_reflink_end_cow_extent()` for block `lblk` of `file`, whose write
/// went to disk block `pblk`, in a transaction under `XFS_ILOCK_EXCL`: if
/// the COW fork still has a written extent there (a truncation may have
/// cancelled it meanwhile), the data fork's old block is unmapped and its
/// reference dropped (`xfs_refcount_decrease_extent()`: the last one frees
/// it), the COW block is mapped in its place and removed from the COW fork
/// (`xfs_bmap_del_extent_cow()`) — that block only with 55f669f34184 (and
/// before df2fd88f8ac7), the whole written COW extent holding it between.
pub fn end_cow(w: &mut World, file: u8, lblk: usize, pblk: u8) {
    let f = file as usize;
    let c = w.inodes[f].cow[lblk];
    if c.state != ext::WRITTEN || c.pblk != pblk {
        w.note(Event::Note("end_cow: no COW extent here any more"));
        return;
    }
    let (from, to) = if w.has(Toggle::XfsEndCowTrim) {
        (lblk, lblk + 1)
    } else {
        // del = got: the whole written extent holding the offset.
        let ino = &w.inodes[f];
        let same = |b: usize| {
            let e = ino.cow[b];
            e.state == ext::WRITTEN
                && e.pblk as isize - b as isize == c.pblk as isize - lblk as isize
        };
        let from = (0..=lblk)
            .rev()
            .take_while(|&b| same(b))
            .last()
            .unwrap_or(lblk);
        let to = (lblk..FILE_LBLKS)
            .take_while(|&b| same(b))
            .last()
            .unwrap_or(lblk)
            + 1;
        (from, to)
    };
    for b in from..to {
        let e = w.inodes[f].cow[b];
        let old = w.inodes[f].map[b];
        if old.allocated() {
            w.balloc.put(old.pblk);
        }
        set_extent(w, file, b, e);
        w.inodes[f].set_cow(b, Extent::HOLE);
    }
}

/// `xfs_reflink_cancel_cow_blocks()` from block `from` on (truncation:
/// `xfs_itruncate_extents_flags()`; eviction: `xfs_inactive()`): delalloc
/// reservations dropped, staging blocks freed.
pub fn cancel_cow(w: &mut World, file: u8, from: usize) {
    for lblk in from..FILE_LBLKS {
        cancel_cow_block(w, file, lblk);
    }
}

/// `xfs_reflink_cancel_cow_blocks()` of block `lblk` alone.
fn cancel_cow_block(w: &mut World, file: u8, lblk: usize) {
    let f = file as usize;
    let c = w.inodes[f].cow[lblk];
    if c.allocated() {
        w.balloc.free(c.pblk);
    }
    w.inodes[f].set_cow(lblk, Extent::HOLE);
}

/// `xfs_reflink_allocate_cow(…, convert_now)` for a direct write to block
/// `lblk` of a reflinked file, under `XFS_ILOCK_EXCL`: a shared block (or
/// one with a COW reservation) gets an allocated, written COW block, which
/// the write goes to and its `->end_io` remaps (`xfs_dio_write_end_io()` →
/// `xfs_reflink_end_cow()`). Returns that block, `None` when the write goes
/// to the data fork, `Some(NO_PBLK)` on ENOSPC.
pub fn dio_allocate_cow(w: &mut World, file: u8, lblk: usize) -> Option<u8> {
    let f = file as usize;
    if !w.inodes[f].reflink {
        return None;
    }
    let c = w.inodes[f].cow[lblk];
    if c.allocated() {
        // convert_now: xfs_reflink_convert_unwritten() makes a staging
        // block writeback allocated (unwritten) written at once.
        return Some(w.inodes[f].cow_convert(lblk));
    }
    if c.state == ext::HOLE && !block_shared(w, file, lblk) {
        return None;
    }
    let Some(p) = w.balloc.alloc() else {
        return Some(NO_PBLK);
    };
    let e = Extent {
        state: ext::WRITTEN,
        pblk: p,
    };
    w.inodes[f].set_cow(lblk, e);
    Some(p)
}

/// `xfs_end_ioend()` / `xfs_dio_write_end_io()` of a write whose blocks
/// in `b.convert`'s shared half went to COW fork blocks:
/// `xfs_reflink_end_cow()` over them ([`end_cow`]); if the I/O failed,
/// `xfs_reflink_cancel_cow_range()` instead: the staging blocks still in
/// the COW fork there are freed and the data fork keeps the old blocks.
pub fn end_ioend_cow(w: &mut World, b: &crate::world::Bio) {
    let file = b.mapping;
    if !w.cfg.extent_mapped(file) || b.convert >> crate::world::IOEND_SHARED_SHIFT == 0 {
        return;
    }
    let bpp = w.cfg.bpp(file);
    for j in 0..bpp {
        if b.convert & 1 << (j + crate::world::IOEND_SHARED_SHIFT as usize) == 0 {
            continue;
        }
        let unit = b.pblk[j * UPB];
        let lblk = b.index as usize * bpp + j;
        if b.error {
            cancel_cow_block(w, file, lblk);
        } else if unit != NO_PBLK {
            end_cow(w, file, lblk, unit / UPB as u8);
        }
    }
}
