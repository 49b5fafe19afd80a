//! fs/iomap/buffered-io.c and fs/iomap/iter.c: the buffered write through a
//! cached mapping, the read of a folio from the extent map, and the ioend
//! completion that converts unwritten extents.
//!
//! A write asks the filesystem for a mapping once (`->iomap_begin`, under
//! the filesystem's own lock) and then walks the folios it covers with that
//! mapping *unlocked* — the "unlocked cached snapshot" of Case 4A. Per folio
//! (fs/iomap/buffered-io.c `iomap_write_iter()` → `iomap_write_begin()`):
//! get and lock the folio, `->iomap_valid()` (d7b64041164c, v6.2),
//! `__iomap_write_begin()` zeroing or reading the part of each partially
//! written block that is not uptodate, the copy, `__iomap_write_end()`,
//! unlock and put — or, for gfs2, the `->page_prepare` / `->page_done`
//! hooks whose order 80baab88bb93 changed (Case 5). Followed: the 7.0-era
//! buffered-io.c (CachyOS/linux @ece3a465d037, quoted in the seeds' notes),
//! the 6.1-era `iomap_write_end()` for the pre-fix order, and iter.c's
//! `iomap_iter()` for the remap after `IOMAP_F_STALE`.

use crate::errno::EINTR;
use crate::exec::poll::{Cond, Poll};
use crate::mm::filemap::{folio_mark_dirty, folio_unlock, GetLockedFolio, LockFolio};
use crate::mm::swap::{folio_put, folio_try_get};
use crate::oracle::OracleId;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    ext, lock, pg, Bio, Extent, FolioRef, Fs, World, FILE_LBLKS, MAX_LBLK, NO_OWNER, NO_PBLK,
    NTASK_SLOTS, UPB,
};

use super::{disk_unit, set_extent, unit_token};

/// `struct iomap` as a write or a writeback holds it: a run of blocks in one
/// state, with the cookie it was made under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Iomap {
    /// First logical block.
    pub off: u8,
    /// Blocks (0: no mapping held).
    pub len: u8,
    /// State of every block in it (see [`ext`]): `IOMAP_HOLE`,
    /// `IOMAP_DELALLOC`, `IOMAP_UNWRITTEN`, `IOMAP_MAPPED`.
    pub typ: u8,
    /// The disk block of `off` (unwritten and written runs).
    pub pblk: u8,
    /// `iomap->validity_cookie` (XFS: the data fork's `if_seq` when it was
    /// made); for a writeback mapping, `xfs_writepage_ctx.data_seq`.
    pub cookie: u16,
    /// XFS: the COW fork's `if_seq` when it was made — the high half of
    /// `xfs_iomap_inode_sequence()`'s cookie for a shared mapping; for a
    /// writeback mapping, `xfs_writepage_ctx.cow_seq`.
    pub cow_cookie: u16,
    /// `IOMAP_F_SHARED`: the blocks are written through the COW fork (for
    /// a buffered write, the mapping is its `srcmap`, the data fork).
    pub shared: bool,
    /// `IOMAP_F_NEW`: blocks this mapping just reserved or allocated.
    pub new: bool,
}

impl Iomap {
    /// No mapping.
    pub const NONE: Iomap = Iomap {
        off: 0,
        len: 0,
        typ: ext::HOLE,
        pblk: NO_PBLK,
        cookie: 0,
        cow_cookie: 0,
        shared: false,
        new: false,
    };

    /// Whether block `lblk` is inside the mapping.
    #[inline]
    pub fn covers(&self, lblk: usize) -> bool {
        self.len > 0 && lblk >= self.off as usize && lblk < self.end()
    }

    /// One past the last block.
    #[inline]
    pub fn end(&self) -> usize {
        self.off as usize + self.len as usize
    }

    /// The disk block this mapping says `lblk` is at, or `NO_PBLK`.
    #[inline]
    pub fn pblk_of(&self, lblk: usize) -> u8 {
        if self.pblk == NO_PBLK || !self.covers(lblk) {
            NO_PBLK
        } else {
            self.pblk + (lblk - self.off as usize) as u8
        }
    }
}

/// The longest run of blocks from `lblk` (below `end`) in one state and, for
/// allocated blocks, on consecutive disk blocks — what `xfs_iext_lookup_extent()`
/// returns as one `xfs_bmbt_irec` — of the data fork.
pub fn extent_run(w: &World, file: u8, lblk: usize, end: usize) -> Iomap {
    fork_run(w, file, &w.inodes[file as usize].map, lblk, end)
}

/// [`extent_run`] over `fork` (the data fork or XFS's COW fork), with the
/// cookies of both forks as they are now.
pub fn fork_run(
    w: &World,
    file: u8,
    fork: &[Extent; FILE_LBLKS],
    lblk: usize,
    end: usize,
) -> Iomap {
    let end = end.min(FILE_LBLKS);
    let first = fork[lblk.min(FILE_LBLKS - 1)];
    let mut n = 1;
    while lblk + n < end {
        let e = fork[lblk + n];
        let contiguous = !first.allocated() || e.pblk == first.pblk.wrapping_add(n as u8);
        if e.state != first.state || !contiguous {
            break;
        }
        n += 1;
    }
    let ino = &w.inodes[file as usize];
    Iomap {
        off: lblk as u8,
        len: n as u8,
        typ: first.state,
        pblk: if first.allocated() {
            first.pblk
        } else {
            NO_PBLK
        },
        cookie: ino.if_seq,
        cow_cookie: ino.cow_seq,
        shared: false,
        new: false,
    }
}

/// The page a logical block of `file` is in.
#[inline]
fn page_of(w: &World, file: u8, lblk: usize) -> usize {
    lblk / w.cfg.bpp(file)
}

/// `iomap_block_needs_zeroing()`: not a written extent, or just allocated,
/// or at or beyond EOF.
pub fn needs_zeroing(w: &World, file: u8, map: &Iomap, lblk: usize) -> bool {
    map.typ != ext::WRITTEN
        || map.new
        || page_of(w, file, lblk) >= w.mappings[file as usize].i_size as usize
}

/// Initialise the units of block `lblk` of `folio` that lie outside the
/// write's `from..to` (file units) through `map`: zeroes, or the disk
/// block it maps. Before doing it, compare with the extent map as it is now:
/// if `map` no longer describes the block and the decision is not the one
/// the current extent implies, `stale-iomap`.
fn init_block(
    w: &mut World,
    file: u8,
    folio: FolioRef,
    lblk: usize,
    range: (usize, usize),
    map: &Iomap,
) {
    let (from, to) = range;
    let zero = needs_zeroing(w, file, map, lblk);
    let src = map.pblk_of(lblk);
    let cur = w.inodes[file as usize].map[lblk];
    let beyond_eof = page_of(w, file, lblk) >= w.mappings[file as usize].i_size as usize;
    let cur_zero = cur.state != ext::WRITTEN || beyond_eof;
    // The mapping still describes the block: whatever it decides is current.
    let same_view = cur.state == map.typ && (!cur.allocated() || cur.pblk == src);
    if !same_view && (zero != cur_zero || (!zero && src != cur.pblk)) {
        w.fire(
            OracleId::StaleIomap,
            folio.frame,
            crate::oracle::Payload::StaleMap {
                lblk: lblk as u8,
                used: if zero { NO_PBLK } else { src },
                now: cur.state,
            },
        );
    }
    let upp = w.cfg.upp(file);
    let page_start = page_of(w, file, lblk) * upp;
    for j in 0..UPB {
        let u = lblk * UPB + j;
        if u >= from && u < to {
            continue;
        }
        let t = if zero || src == NO_PBLK {
            0
        } else {
            w.disk.blocks[disk_unit(src, j)]
        };
        w.frame_mut(folio).data[u - page_start] = t;
    }
    w.note(Event::Init {
        lblk: lblk as u8,
        from: if zero { NO_PBLK } else { src },
    });
}

/// `__iomap_write_begin()` (and, for gfs2's buffer heads,
/// `__block_write_begin_int()`): for the write's `from..to` units of
/// `folio`, each partially written block that is not uptodate is zeroed
/// (`iomap_block_needs_zeroing()`) or read from disk, through `map`.
pub fn write_begin_blocks(
    w: &mut World,
    file: u8,
    folio: FolioRef,
    from: usize,
    to: usize,
    map: &Iomap,
) {
    let fr = *w.frame(folio);
    let upp = w.cfg.upp(file);
    let page = fr.index as usize;
    // The write covers the whole folio, or the folio is uptodate: nothing to do.
    if (from <= page * upp && to >= (page + 1) * upp) || fr.flags & pg::UPTODATE != 0 {
        return;
    }
    for lblk in from / UPB..to.div_ceil(UPB) {
        prepare_block(w, file, folio, lblk, from, to, map);
    }
}

/// One block of `__iomap_write_begin()` / `__block_write_begin_int()`: if
/// the write's `from..to` covers it only in part and it is not uptodate,
/// zero it or read it through `map`, and mark it uptodate.
pub fn prepare_block(
    w: &mut World,
    file: u8,
    folio: FolioRef,
    lblk: usize,
    from: usize,
    to: usize,
    map: &Iomap,
) {
    let bit = 1u8 << (lblk % w.cfg.bpp(file));
    let covered = from <= lblk * UPB && to >= (lblk + 1) * UPB;
    if covered || w.frame(folio).blk_uptodate & bit != 0 || w.frame(folio).flags & pg::UPTODATE != 0
    {
        return;
    }
    init_block(w, file, folio, lblk, (from, to), map);
    w.frame_mut(folio).blk_uptodate |= bit;
}

/// `iomap_read_folio()` / `mpage_readahead()` on a locked folio: every block
/// not yet uptodate is zeroed (hole, delalloc, unwritten) or read from its
/// written extent, synchronously. Returns the disk units a read bio would
/// carry (for a folio not yet uptodate in any block, the caller submits a
/// bio for them instead).
pub fn read_folio_sources(
    w: &mut World,
    file: u8,
    folio: FolioRef,
) -> [u8; crate::world::MAX_BLOCKS] {
    let bpp = w.cfg.bpp(file);
    let page = w.frame(folio).index as usize;
    // iomap_block_needs_zeroing(): `pos >= i_size_read(iter->inode)`.
    let past_eof = crate::fs::read::past_eof(w, file, folio);
    let mut units = [NO_PBLK; crate::world::MAX_BLOCKS];
    for b in 0..bpp {
        let lblk = page * bpp + b;
        if w.frame(folio).blk_uptodate & (1 << b) != 0 {
            continue;
        }
        let e = w.inodes[file as usize].map[lblk];
        for j in 0..UPB {
            if e.state == ext::WRITTEN && !past_eof {
                units[b * UPB + j] = disk_unit(e.pblk, j) as u8;
            } else {
                w.frame_mut(folio).data[b * UPB + j] = 0;
            }
        }
    }
    units
}

/// Copy the disk units `units` into `folio` now (a synchronous read of a
/// folio already in the cache) and mark every block uptodate.
pub fn read_folio_sync(w: &mut World, folio: FolioRef, units: [u8; crate::world::MAX_BLOCKS]) {
    for (j, &u) in units.iter().enumerate() {
        if u != NO_PBLK && (u as usize) < w.disk.blocks.len() {
            let t = w.disk.blocks[u as usize];
            w.frame_mut(folio).data[j] = t;
        }
    }
    let fr = w.frame_mut(folio);
    fr.blk_uptodate = 0xff;
    fr.flags |= pg::UPTODATE;
}

/// The ioend's completion work for a write bio whose blocks were unwritten
/// when writeback mapped them: `xfs_end_ioend_write()` →
/// `xfs_iomap_write_unwritten()` (a transaction under ILOCK_EXCL; the extent
/// tree changes, so `if_seq` is bumped), or ext4's
/// `ext4_convert_unwritten_io_end_vec()`. Only blocks still unwritten at the
/// same disk block are converted; `converted` runs for each (ext4 updates
/// its extent-status cache).
pub fn end_ioend_convert(w: &mut World, b: &Bio, converted: fn(&mut World, u8, usize)) {
    let file = b.mapping;
    if !w.cfg.extent_mapped(file) || b.error {
        return;
    }
    let bpp = w.cfg.bpp(file);
    for j in 0..bpp {
        if b.convert & (1 << j) == 0 {
            continue;
        }
        let lblk = b.index as usize * bpp + j;
        let e = w.inodes[file as usize].map[lblk];
        let pblk = b.pblk[j * UPB];
        if pblk != NO_PBLK && e.state == ext::UNWRITTEN && disk_unit(e.pblk, 0) == pblk as usize {
            set_extent(
                w,
                file,
                lblk,
                Extent {
                    state: ext::WRITTEN,
                    pblk: e.pblk,
                },
            );
            converted(w, file, lblk);
        }
    }
}

/// `iomap_dirty_folio()` / `block_dirty_folio()` after a store dirtied
/// units `from..to` of folio `r`: those blocks are uptodate and dirty.
pub fn mark_range_dirty(w: &mut World, r: FolioRef, from: usize, to: usize) {
    let file = w.frame(r).mapping;
    let bpp = w.cfg.bpp(file);
    let mut bits = 0u8;
    for lblk in from / UPB..to.div_ceil(UPB) {
        bits |= 1 << (lblk % bpp);
    }
    let fr = w.frame_mut(r);
    fr.blk_uptodate |= bits;
    fr.blk_dirty |= bits;
}

// ---------------------------------------------------------------------------
// The buffered write: iomap_file_buffered_write()
// ---------------------------------------------------------------------------

/// One of the steps that end a folio's iteration, in the order the kernel
/// version runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PutOp {
    /// `folio_unlock()`.
    Unlock,
    /// `folio_put()`.
    Put,
    /// gfs2: `gfs2_page_add_databufs()` — walk the folio's buffer ring and
    /// add each written buffer to the current transaction.
    AddDatabufs,
    /// gfs2: `__mark_inode_dirty()` if the transaction has new buffers, then
    /// `gfs2_trans_end()`.
    TransEnd,
    /// Nothing left.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum IwPc {
    InodeLock,
    Glock,
    Begin,
    Prepare,
    Get,
    Valid,
    WriteBegin,
    Copy,
    WriteEnd,
    Put,
    /// `->iomap_end` after a short write: XFS's delalloc release, gfs2's
    /// deallocation of the new blocks.
    IomapEnd,
    InodeUnlock,
}

/// A `pwrite()` of data units `unit..unit+len` on XFS or gfs2:
/// `inode_lock()`, then `iomap_file_buffered_write()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IomapWrite {
    file: u8,
    start: u8,
    pos: u8,
    end: u8,
    pc: IwPc,
    map: Iomap,
    /// `pos` when the current mapping was made.
    map_pos: u8,
    get: GetLockedFolio,
    /// The units of the current folio this iteration writes.
    from: u8,
    to: u8,
    put: [PutOp; 4],
    put_i: u8,
    /// gfs2: a transaction is open (`current->journal_info`).
    tr: bool,
    /// The iteration ended on a stale mapping: remap instead of advancing.
    stale: bool,
    /// `iomap_write_begin()` has not yet tested for a fatal signal in this
    /// iteration.
    fresh: bool,
    vers: [u16; MAX_LBLK],
    /// The short write's delalloc release, while it runs.
    release: Option<DelallocRelease>,
    /// Where the write goes after `->iomap_end`.
    after_end: IwPc,
    /// 0 or a negative errno.
    pub err: i8,
}

impl IomapWrite {
    /// Write units `unit..unit + len` of `file`.
    pub fn new(file: u8, unit: u8, len: u8) -> IomapWrite {
        IomapWrite {
            file,
            start: unit,
            pos: unit,
            end: unit.saturating_add(len).min(MAX_LBLK as u8),
            pc: IwPc::InodeLock,
            map: Iomap::NONE,
            map_pos: unit,
            get: GetLockedFolio::new(file, 0, true, false),
            from: 0,
            to: 0,
            put: [PutOp::Done; 4],
            put_i: 0,
            tr: false,
            stale: false,
            fresh: false,
            vers: [0; MAX_LBLK],
            release: None,
            after_end: IwPc::InodeUnlock,
            err: 0,
        }
    }

    fn gfs2(w: &World) -> bool {
        w.cfg.fs == Fs::Gfs2
    }

    /// Set up the iteration over the folio holding `pos`.
    fn next_folio(&mut self, w: &World) -> IwPc {
        let upp = w.cfg.upp(self.file);
        let page = self.pos as usize / upp;
        self.from = self.pos;
        let map_end = self.map.end() * UPB;
        self.to = (self.end as usize).min((page + 1) * upp).min(map_end) as u8;
        self.get = GetLockedFolio::new(self.file, page as u8, true, false);
        self.stale = false;
        self.fresh = true;
        if Self::gfs2(w) {
            IwPc::Prepare
        } else {
            IwPc::Get
        }
    }

    /// The end-of-iteration order for this kernel (`__iomap_put_folio()`).
    fn put_order(w: &World, stale: bool) -> [PutOp; 4] {
        use PutOp::*;
        if !Self::gfs2(w) || stale {
            return [Unlock, Put, Done, Done];
        }
        if w.has(Toggle::Gfs2PutFolio) {
            // 80baab88bb93: gfs2_iomap_put_folio() owns unlock and put.
            [AddDatabufs, Unlock, Put, TransEnd]
        } else if w.has(Toggle::Gfs2PageDoneLocked) {
            // v1: iomap_write_end() calls ->page_done() before folio_unlock().
            [AddDatabufs, TransEnd, Unlock, Put]
        } else {
            // v6.1/v6.2 iomap_write_end(): folio_unlock(); ...; ->page_done(); folio_put().
            [Unlock, AddDatabufs, TransEnd, Put]
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            IwPc::InodeLock => self.inode_lock(w),
            IwPc::Glock => match super::gfs2::glock_ex(w, self.file) {
                Err(c) => Poll::Block(c),
                Ok(_) => {
                    self.pc = IwPc::Begin;
                    Poll::Ran(StepId::Gfs2GlockNq)
                }
            },
            IwPc::Begin => self.begin(w),
            IwPc::Prepare => {
                if let Some(p) = self.signal_pending(w) {
                    return p;
                }
                // gfs2_iomap_page_prepare() / gfs2_iomap_get_folio(): gfs2_trans_begin().
                self.tr = true;
                self.pc = IwPc::Get;
                Poll::Ran(StepId::Gfs2TransBegin)
            }
            IwPc::Get if self.fresh => match self.signal_pending(w) {
                Some(p) => p,
                None => self.step(w),
            },
            IwPc::Get => match self.get.step(w) {
                Poll::Done(id) => {
                    if self.get.err != 0 {
                        self.err = self.get.err;
                        if self.tr {
                            // ->page_done(NULL): gfs2_trans_end().
                            self.tr = false;
                        }
                        self.pc = self.end_then(w, IwPc::InodeUnlock);
                    } else {
                        self.pc = IwPc::Valid;
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
            IwPc::Valid => self.valid(w),
            IwPc::WriteBegin => self.write_begin(w),
            IwPc::Copy => self.copy(w),
            IwPc::WriteEnd => self.write_end(w),
            IwPc::Put => self.put(w),
            IwPc::IomapEnd if Self::gfs2(w) => {
                // gfs2_iomap_end(): length != written && IOMAP_F_NEW → deallocate
                // round_up(pos + written, bsize)..iomap end (truncate_pagecache_range()
                // and punch_hole()); the folios over those blocks hold only this
                // write's zeroes, so dropping the blocks leaves a hole that reads
                // the same.
                let first = (self.pos as usize).div_ceil(UPB).max(self.map.off as usize);
                if first < self.map.end() {
                    super::free_file_blocks(w, self.file, first, self.map.end());
                }
                if w.has(Toggle::Gfs2ZeroKeptBlock) && self.pos == self.map_pos {
                    self.zero_kept_block(w, first);
                }
                self.pc = self.after_end;
                Poll::Ran(StepId::Gfs2IomapEnd)
            }
            IwPc::IomapEnd => self.iomap_end(w),
            IwPc::InodeUnlock => self.inode_unlock(w),
        }
    }

    fn inode_lock(&mut self, w: &mut World) -> Poll {
        let rw = lock::i_rwsem(self.file);
        if !w.lock_free(rw) {
            return Poll::Block(Cond::Lock(rw));
        }
        w.locks[rw as usize].owner = w.me;
        self.pc = if self.pos >= self.end {
            IwPc::InodeUnlock
        } else if Self::gfs2(w) {
            IwPc::Glock
        } else {
            IwPc::Begin
        };
        Poll::Ran(StepId::InodeLock)
    }

    fn begin(&mut self, w: &mut World) -> Poll {
        // iomap_iter() → ->iomap_begin() for pos..end.
        let lb = self.pos as usize / UPB;
        let le = (self.end as usize).div_ceil(UPB);
        let (map, id) = match w.cfg.fs {
            Fs::Gfs2 => (
                super::gfs2::iomap_begin_write(w, self.file, lb, le),
                StepId::Gfs2IomapBegin,
            ),
            _ => (
                super::xfs::buffered_write_iomap_begin(w, self.file, lb, le),
                StepId::XfsBufferedWriteIomapBegin,
            ),
        };
        match map {
            Some(m) => {
                self.map = m;
                self.map_pos = self.pos;
                self.pc = self.next_folio(w);
            }
            None => {
                w.note(Event::Note("ENOSPC"));
                self.err = -28;
                self.pc = IwPc::InodeUnlock;
            }
        }
        Poll::Ran(id)
    }

    /// fs/iomap/buffered-io.c `iomap_write_begin()` (v5.0 to v7.0): `if
    /// (fatal_signal_pending(current)) return -EINTR;` before the folio is
    /// taken, after `->iomap_begin` has mapped (gfs2: allocated) the range.
    /// The write ends with what it copied so far, through `->iomap_end`. A
    /// test of the task's own state: part of the step that follows it.
    fn signal_pending(&mut self, w: &mut World) -> Option<Poll> {
        self.fresh = false;
        if !w.sched[(w.me as usize).min(NTASK_SLOTS - 1)].fatal {
            return None;
        }
        w.note(Event::Note("fatal signal pending: -EINTR"));
        self.err = -EINTR;
        self.pc = self.end_then(w, IwPc::InodeUnlock);
        Some(Poll::Ran(StepId::IomapWriteBegin))
    }

    /// The report's candidate fix (toggle `gfs2_zero_kept`): nothing was
    /// written, so the new block holding `pos`, below the deallocation's
    /// start `first`, is zeroed on disk (`sb_issue_zeroout()`).
    fn zero_kept_block(&self, w: &mut World, first: usize) {
        let kept = (self.pos as usize / UPB).max(self.map.off as usize);
        for lblk in kept..first.min(self.map.end()) {
            let p = self.map.pblk + (lblk - self.map.off as usize) as u8;
            for j in 0..UPB {
                w.disk.blocks[disk_unit(p, j)] = 0;
            }
        }
    }

    fn valid(&mut self, w: &mut World) -> Poll {
        // iomap_write_begin(): ->iomap_valid() once the folio is locked.
        let checks =
            w.has(Toggle::IomapValid) && w.has(Toggle::XfsIomapValid) && w.cfg.fs == Fs::Xfs;
        if checks && self.map.typ != ext::HOLE && !super::xfs::iomap_valid(w, self.file, &self.map)
        {
            w.note(Event::Note("stale iomap: IOMAP_F_STALE"));
            self.stale = true;
            self.put = Self::put_order(w, true);
            self.put_i = 0;
            self.pc = IwPc::Put;
        } else {
            self.pc = IwPc::WriteBegin;
        }
        Poll::Ran(StepId::XfsIomapValid)
    }

    fn write_begin(&mut self, w: &mut World) -> Poll {
        let folio = self.get.folio;
        w.check_ref(folio);
        if Self::gfs2(w) && !super::gfs2::ensure_buffers(w, self.file, folio) {
            // The model's buffer heads are a small pool; the kernel's
            // allocation cannot fail (__GFP_NOFAIL). End the write here,
            // as an allocation failure: -ENOMEM, nothing copied.
            self.err = -12;
            self.stale = false;
            self.put = [PutOp::Unlock, PutOp::Put, PutOp::TransEnd, PutOp::Done];
            self.put_i = 0;
            self.pc = IwPc::Put;
            return Poll::Ran(StepId::BlockWriteBegin);
        }
        write_begin_blocks(
            w,
            self.file,
            folio,
            self.from as usize,
            self.to as usize,
            &self.map,
        );
        self.pc = IwPc::Copy;
        Poll::Ran(if Self::gfs2(w) {
            StepId::BlockWriteBegin
        } else {
            StepId::IomapWriteBegin
        })
    }

    fn copy(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        let folio = self.get.folio;
        w.check_ref(folio);
        let upp = w.cfg.upp(self.file);
        let base = (self.from as usize / upp) * upp;
        for u in self.from as usize..self.to as usize {
            let v = w.shadow.next[f][u];
            w.shadow.next[f][u] = v.wrapping_add(1).max(1);
            self.vers[u] = v;
            w.frame_mut(folio).data[u - base] = unit_token(self.file, u, v);
        }
        self.pc = IwPc::WriteEnd;
        Poll::Ran(StepId::CopyFolioFromIter)
    }

    fn write_end(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        // __iomap_write_end() / block_write_end(): the written blocks are
        // uptodate and dirty; i_size_write() if the write extends the file.
        let folio = self.get.folio;
        let bpp = w.cfg.bpp(self.file);
        let (b0, b1) = (self.from as usize / UPB, (self.to as usize).div_ceil(UPB));
        let mut bits = 0u8;
        for lblk in b0..b1 {
            bits |= 1 << (lblk % bpp);
        }
        let fr = w.frame_mut(folio);
        fr.blk_uptodate |= bits;
        fr.blk_dirty |= bits;
        let all = ((1u16 << bpp) - 1) as u8;
        if fr.blk_uptodate & all == all {
            fr.flags |= pg::UPTODATE;
        }
        let page = fr.index;
        if Self::gfs2(w) {
            super::gfs2::mark_buffers_dirty(w, folio, bits);
        }
        folio_mark_dirty(w, folio);
        if w.mappings[f].i_size <= page {
            w.mappings[f].i_size = page + 1;
        }
        self.put = Self::put_order(w, false);
        self.put_i = 0;
        self.pc = IwPc::Put;
        Poll::Ran(if Self::gfs2(w) {
            StepId::BlockWriteEnd
        } else {
            StepId::IomapWriteEnd
        })
    }

    fn put(&mut self, w: &mut World) -> Poll {
        let op = self.put[(self.put_i as usize).min(3)];
        self.put_i += 1;
        let folio = self.get.folio;
        let id = match op {
            PutOp::Unlock => {
                folio_unlock(w, folio);
                StepId::FolioUnlock
            }
            PutOp::Put => {
                folio_put(w, folio);
                StepId::FolioPut
            }
            PutOp::AddDatabufs => {
                super::gfs2::add_databufs(w, folio, self.from as usize, self.to as usize);
                StepId::Gfs2PageAddDatabufs
            }
            PutOp::TransEnd => {
                self.tr = false;
                StepId::Gfs2TransEnd
            }
            PutOp::Done => StepId::FolioPut,
        };
        if self.put_i as usize >= 4 || self.put[self.put_i as usize] == PutOp::Done {
            self.pc = self.advance(w);
        }
        Poll::Ran(id)
    }

    fn iomap_end(&mut self, w: &mut World) -> Poll {
        // A short write (or a stale mapping): xfs_buffered_write_iomap_end()
        // punches the delalloc blocks this mapping reserved past what was
        // written.
        // iomap_last_written_block(): nothing written through this
        // mapping → from the block holding pos; else past the last one.
        let first = if self.pos == self.map_pos {
            self.pos as usize / UPB
        } else {
            (self.pos as usize).div_ceil(UPB)
        };
        let first = first.max(self.map.off as usize) as u8;
        let rel = self
            .release
            .get_or_insert_with(|| DelallocRelease::new(self.file, first, self.map.end() as u8));
        match rel.step(w) {
            Poll::Done(id) => {
                self.release = None;
                self.pc = self.after_end;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn inode_unlock(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        let rw = lock::i_rwsem(self.file);
        super::gfs2::glock_ex_release(w, self.file);
        w.locks[rw as usize].owner = NO_OWNER;
        // The write returns: everything it copied is promised.
        for u in self.start as usize..self.pos as usize {
            w.shadow.wrote(f, u, self.vers[u]);
        }
        Poll::Done(StepId::InodeUnlock)
    }

    /// `iomap_iter_advance()` and `iomap_iter()`: past this folio's units; a
    /// new mapping when this one is used up or went stale.
    fn advance(&mut self, w: &World) -> IwPc {
        if self.err != 0 {
            return self.end_then(w, IwPc::InodeUnlock);
        }
        if self.stale {
            // IOMAP_F_STALE: ->iomap_end() for this mapping, then
            // ->iomap_begin() again from pos.
            return self.end_then(w, IwPc::Begin);
        }
        self.pos = self.to;
        if self.pos >= self.end {
            self.end_then(w, IwPc::InodeUnlock)
        } else if (self.pos as usize) >= self.map.end() * UPB {
            self.end_then(w, IwPc::Begin)
        } else {
            self.next_folio(w)
        }
    }

    /// `iomap_iter()` calls `->iomap_end()` for every mapping it is done
    /// with (fs/iomap/iter.c, with `advanced` bytes written). It has work
    /// only when the write stopped short of the mapping (or the write's
    /// end) and the mapping made new blocks: XFS's delalloc release, gfs2's
    /// deallocation. Then `next`.
    fn end_then(&mut self, w: &World, next: IwPc) -> IwPc {
        let length_end = (self.map.end() * UPB).min(self.end as usize);
        let short = (self.pos as usize) < length_end && self.map.len > 0;
        let work = match w.cfg.fs {
            Fs::Xfs => short && self.map.typ == ext::DELALLOC && self.map.new,
            Fs::Gfs2 => short && self.map.new,
            _ => false,
        };
        if work {
            self.after_end = next;
            IwPc::IomapEnd
        } else {
            next
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum DrPc {
    InvalidateLock,
    /// Before f43dc4dc3eff: `truncate_pagecache_range()`.
    Truncate,
    /// Before f43dc4dc3eff: `xfs_bmap_punch_delalloc_range()` over it all.
    PunchAll,
    Scan,
    Lock,
    Check,
    Tail,
}

/// `iomap_file_buffered_write_punch_delalloc()` → `iomap_write_delalloc_release()`
/// (fs/iomap/buffered-io.c, from `xfs_buffered_write_iomap_end()` after a
/// short write, 7.0 tree): over blocks `first..end` the write reserved but
/// did not write, walk the page cache (`iomap_write_delalloc_scan()`), locking
/// each folio (`filemap_lock_folio()`): the delalloc blocks before a dirty
/// folio are punched (`xfs_buffered_write_delalloc_punch()` →
/// `xfs_bmap_punch_delalloc_range()`, delalloc only), the dirty folio's are
/// kept — with 4ce02c679722 only its dirty blocks' (`iomap_write_delalloc_ifs_punch()`)
/// — and what is left after the last dirty folio is punched at the end.
/// With 198dd8aedee6 the whole walk holds `filemap_invalidate_lock()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DelallocRelease {
    file: u8,
    /// Next block the scan looks at.
    blk: u8,
    end: u8,
    /// Start of the range not yet known to be under dirty cache.
    punch_start: u8,
    pc: DrPc,
    folio: FolioRef,
    lock: Option<LockFolio>,
    inv: bool,
    /// Before f43dc4dc3eff: the page-cache truncation of the range.
    trunc: Option<crate::mm::truncate::Truncate>,
}

impl DelallocRelease {
    /// Release the delalloc blocks `first..end` of `file`.
    pub fn new(file: u8, first: u8, end: u8) -> DelallocRelease {
        DelallocRelease {
            file,
            blk: first,
            end,
            punch_start: first,
            pc: DrPc::InvalidateLock,
            folio: FolioRef::NONE,
            lock: None,
            inv: false,
            trunc: None,
        }
    }

    /// `xfs_bmap_punch_delalloc_range()` over blocks `lb..le`: delalloc
    /// blocks become holes, anything else stays.
    fn punch(w: &mut World, file: u8, lb: usize, le: usize) {
        for lblk in lb..le.min(FILE_LBLKS) {
            if w.inodes[file as usize].map[lblk].state == ext::DELALLOC {
                set_extent(w, file, lblk, Extent::HOLE);
            }
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            DrPc::InvalidateLock => self.invalidate_lock(w),
            DrPc::Truncate => self.truncate_then_punch(w),
            DrPc::PunchAll => {
                Self::punch(w, self.file, self.blk as usize, self.end as usize);
                self.unlock_inv(w);
                Poll::Done(StepId::IomapWriteDelallocRelease)
            }
            DrPc::Scan => self.scan(w),
            DrPc::Lock => self.lock(w),
            DrPc::Check => self.check(w),
            DrPc::Tail => self.tail(w),
        }
    }

    /// Before f43dc4dc3eff (v6.1 and earlier), `xfs_buffered_write_iomap_end()`
    /// itself: "We don't need to care about racing delalloc as we hold
    /// i_mutex": `truncate_pagecache_range()` over the range — whatever is
    /// cached there goes, dirty or not — then `xfs_bmap_punch_delalloc_range()`
    /// over all of it (whole pages only: the partial-page zeroing of
    /// `truncate_inode_pages_range()` is not modelled).
    fn truncate_then_punch(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(self.file) as u8;
        let (p0, p1) = (self.blk.div_ceil(bpp), self.end / bpp);
        if p0 >= p1 {
            self.pc = DrPc::PunchAll;
            return self.step(w);
        }
        let make = crate::mm::truncate::Truncate::range(self.file, p0, p1);
        let (id, _) = crate::nested!(self.trunc, w, make);
        self.pc = DrPc::PunchAll;
        Poll::Ran(id)
    }

    fn unlock_inv(&mut self, w: &mut World) {
        if self.inv {
            w.unlock(lock::invalidate_lock(self.file));
            self.inv = false;
        }
    }

    /// With 198dd8aedee6, `filemap_invalidate_lock()` around the release;
    /// then the v6.2 scan (f43dc4dc3eff) or the older truncate-and-punch.
    fn invalidate_lock(&mut self, w: &mut World) -> Poll {
        let next = if w.has(Toggle::IomapWriteFailureNoTruncate) {
            DrPc::Scan
        } else {
            DrPc::Truncate
        };
        if w.has(Toggle::XfsPunchLocked) {
            if let Err(c) = w.lock(lock::invalidate_lock(self.file)) {
                return Poll::Block(c);
            }
            self.inv = true;
            self.pc = next;
            return Poll::Ran(StepId::FilemapInvalidateLock);
        }
        self.pc = next;
        self.step(w)
    }

    fn scan(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(self.file);
        // filemap_lock_folio() on the next page of the range that has one.
        while self.blk < self.end {
            let page = self.blk as usize / bpp;
            let f = w.slot_frame(self.file, page as u8);
            if f != crate::world::NO_FRAME {
                if let Some(r) = folio_try_get(w, f) {
                    self.folio = r;
                    self.lock = Some(LockFolio::new(r, false));
                    self.pc = DrPc::Lock;
                    return self.step(w);
                }
            }
            self.blk = ((page + 1) * bpp) as u8;
        }
        self.pc = DrPc::Tail;
        self.step(w)
    }

    fn lock(&mut self, w: &mut World) -> Poll {
        let Some(lk) = self.lock.as_mut() else {
            self.pc = DrPc::Check;
            return self.step(w);
        };
        match lk.step(w) {
            Poll::Done(id) => {
                self.lock = None;
                self.pc = DrPc::Check;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn check(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(self.file);
        // iomap_write_delalloc_scan(): a dirty folio is data.
        let r = self.folio;
        w.check_ref(r);
        let page = self.blk as usize / bpp;
        let (ps, pe) = (page * bpp, ((page + 1) * bpp).min(self.end as usize));
        let fr = *w.frame(r);
        if fr.mapping == self.file && fr.index as usize == page && fr.flags & pg::DIRTY != 0 {
            Self::punch(w, self.file, self.punch_start as usize, ps);
            if w.has(Toggle::IomapBlockDirty) {
                // iomap_write_delalloc_ifs_punch(): the clean blocks of a dirty folio.
                for lblk in (self.blk as usize).max(ps)..pe {
                    if fr.blk_dirty & (1 << (lblk % bpp)) == 0 {
                        Self::punch(w, self.file, lblk, lblk + 1);
                    }
                }
            }
            self.punch_start = pe as u8;
        }
        folio_unlock(w, r);
        folio_put(w, r);
        self.blk = pe as u8;
        self.pc = DrPc::Scan;
        Poll::Ran(StepId::IomapWriteDelallocScan)
    }

    fn tail(&mut self, w: &mut World) -> Poll {
        // Punch out the rest after the last dirty folio.
        Self::punch(w, self.file, self.punch_start as usize, self.end as usize);
        self.unlock_inv(w);
        Poll::Done(StepId::IomapWriteDelallocRelease)
    }
}

crate::impl_step!(IomapWrite, DelallocRelease);
