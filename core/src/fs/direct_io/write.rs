//! A direct write from a user buffer: the task fills anonymous page `buf`
//! with a new version of a file page, then `pwrite(O_DIRECT)`s it — XFS's
//! `xfs_file_dio_write_aligned()` or ext4's `ext4_dio_write_iter()` →
//! `iomap_dio_rw()`, or the block device's `blkdev_direct_write()`
//! (mainline; gfs2's and the simple filesystem's are not modelled). What
//! ext4 does differently (its lock, `->iomap_begin`, where `i_size` grows)
//! is in [`crate::fs::ext4_dio`].
//!
//! Under `XFS_IOLOCK_SHARED` (`xfs_ilock_iocb()`; buffered reads take it
//! shared too, buffered writes exclusive): `kiocb_invalidate_pages()`
//! writes back, waits and invalidates the range
//! ([`crate::mm::invalidate::InvalidatePages2`]); if that fails, since
//! 60263d5889e6 the write returns `-ENOTBLK` and XFS does a buffered write
//! instead (before it: a warning, and the direct write goes on). Then
//! `xfs_direct_write_iomap_begin()` maps the page, allocating unwritten
//! extents over holes (`xfs_iomap_write_direct()`), the page is taken by
//! GUP and a bio's DMA writes it to the blocks; after the wait,
//! `iomap_dio_complete()` runs `->end_io` (`xfs_dio_write_end_io()`:
//! unwritten extents converted) and then, if the mapping has pages,
//! `kiocb_invalidate_post_direct_write()` — in that order since
//! 5e25c269e17d (before it, 332391a9935d's order: invalidate, then
//! `->end_io`, so a buffered read in between caches the zeroes of the
//! still-unwritten extent). The write then promises its data.

use crate::exec::poll::{Cond, Poll};
use crate::fs::iomap::extent_run;
use crate::fs::{disk_unit, unit_token, WriteIter};
use crate::mm::gup::{bio_page_refs, bio_release_page, Gup};
use crate::mm::invalidate::InvalidatePages2;
use crate::mm::memory::AnonAccess;
use crate::mm::page_writeback::{FdataWait, SyncMode, WriteCachePages};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    ext, lock, Bio, BioKind, Config, Disk, World, MAX_BLOCKS, MAX_INDEX, NO_PBLK, UPB,
};

use super::{DioHow, DioWrites};
use crate::fs::ext4_dio;

/// The one nested machine a phase of the write runs (at most one at a
/// time: an enum keeps the operation small).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Sub {
    Idle,
    Fill(AnonAccess),
    Flush(WriteCachePages),
    Wait(FdataWait),
    Inval(InvalidatePages2),
    Gup(Gup),
    Fallback(WriteIter),
}

/// `sub!(self, w, Variant, make)`: step the nested machine of that kind
/// ([`crate::exec::poll::nested`]), returning its `Ran`/`Block` from the
/// caller; evaluates to `(last step, finished machine)`.
macro_rules! sub {
    ($s:ident, $w:expr, $V:ident, $make:expr) => {{
        let make = $make;
        let mut slot = match $s.sub {
            Sub::$V(m) => Some(m),
            _ => None,
        };
        let r = crate::exec::poll::nested(&mut slot, $w, make);
        $s.sub = slot.map_or(Sub::Idle, Sub::$V);
        match r {
            Ok(x) => x,
            Err(p) => return p,
        }
    }};
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum DwPc {
    Fill,
    Lock,
    /// ext4: `ext4_dio_write_checks()`.
    Checks,
    Flush,
    Wait,
    Invalidate,
    Map,
    Gup,
    Submit,
    WaitBio,
    Release,
    EndIo,
    PostCheck,
    PostInvalidate,
    Fallback,
    Return,
}

/// `pwrite(O_DIRECT)` of anonymous page `buf` to page `index` of `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DioWrite {
    file: u8,
    index: u8,
    buf: u8,
    how: DioHow,
    pc: DwPc,
    sub: Sub,
    folio: crate::world::FolioRef,
    bio: u8,
    pblk: [u8; MAX_BLOCKS],
    convert: u8,
    /// The fill's versions until the bio returns the DMA's.
    vers: [u16; MAX_BLOCKS],
    dirtied0: [u8; MAX_BLOCKS],
    ended: bool,
    /// ext4: `i_rwsem` is held exclusive (else shared).
    excl: bool,
    /// ext4: the write extends the file (`ext4_extending_io()`).
    extend: bool,
    /// ext4: `ext4_iomap_overwrite_ops` (shared lock, no unwritten block).
    overwrite: bool,
    /// 0, or the error the write returns (-5 `-EIO`, -14 `-EFAULT`, -28 `-ENOSPC`).
    pub err: i8,
}

impl DioWrite {
    /// The write of anonymous page `buf` to page `index` of `file`.
    pub fn new(cfg: &Config, file: u8, index: u8, buf: u8) -> DioWrite {
        let index = index % MAX_INDEX as u8;
        DioWrite {
            file,
            index,
            how: crate::fs::aops::a_ops(cfg, file).direct_io,
            buf: buf % MAX_INDEX as u8,
            pc: DwPc::Fill,
            sub: Sub::Idle,
            folio: crate::world::FolioRef::NONE,
            bio: 0,
            pblk: [NO_PBLK; MAX_BLOCKS],
            convert: 0,
            vers: [0; MAX_BLOCKS],
            dirtied0: [0; MAX_BLOCKS],
            ended: false,
            excl: false,
            extend: false,
            overwrite: false,
            err: 0,
        }
    }

    fn units(&self, w: &World) -> std::ops::Range<usize> {
        let upp = w.cfg.upp(self.file);
        self.index as usize * upp..(self.index as usize + 1) * upp
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let p = self.step_pc(w);
        if matches!(p, Poll::Done(_)) {
            w.dio_end(w.mm_id(w.me), self.buf);
        }
        p
    }

    fn step_pc(&mut self, w: &mut World) -> Poll {
        match self.pc {
            DwPc::Fill => self.fill(w),
            DwPc::Lock => self.lock(w),
            DwPc::Checks => self.checks(w),
            DwPc::Flush => {
                let (f, i) = (self.file, self.index);
                let make = WriteCachePages::range(f, SyncMode::All, i, i + 1);
                let (id, _) = sub!(self, w, Flush, make);
                self.pc = DwPc::Wait;
                Poll::Ran(id)
            }
            DwPc::Wait => {
                let make = FdataWait::range(self.file, self.index, self.index + 1);
                let (id, _) = sub!(self, w, Wait, make);
                self.pc = DwPc::Invalidate;
                Poll::Ran(id)
            }
            DwPc::Invalidate | DwPc::PostInvalidate => self.invalidate(w),
            DwPc::Map => self.map(w),
            DwPc::Gup => {
                let (id, g) = sub!(self, w, Gup, Gup::new(self.buf));
                if g.folio.is_none() {
                    self.err = -14;
                    self.pc = DwPc::Return;
                } else {
                    self.folio = g.folio;
                    self.pc = DwPc::Submit;
                }
                self.ran(w, id)
            }
            DwPc::Submit => self.submit(w),
            DwPc::WaitBio => self.wait_bio(w),
            DwPc::Release => {
                // __bio_release_pages(bio, false): a write's page is only unpinned.
                bio_release_page(w, self.folio, bio_page_refs(w));
                self.pc = if self.err != 0 {
                    DwPc::Return
                } else {
                    DwPc::PostCheck
                };
                self.ran(w, StepId::BioReleasePages)
            }
            DwPc::PostCheck => {
                // if (mapping->nrpages): a lockless read.
                let empty = w.mappings[self.file as usize % w.mappings.len()].is_empty();
                self.pc = match (empty, self.ended) {
                    (false, _) => DwPc::PostInvalidate,
                    (true, true) => DwPc::Return,
                    (true, false) => DwPc::EndIo,
                };
                self.ran(w, StepId::KiocbInvalidatePostDirectWrite)
            }
            DwPc::EndIo => self.end_io(w),
            DwPc::Fallback => {
                let upp = w.cfg.upp(self.file) as u8;
                let make = crate::fs::write_iter(&w.cfg, self.file, self.index * upp, upp);
                let (id, _) = sub!(self, w, Fallback, make);
                Poll::Done(id)
            }
            DwPc::Return => self.ret(w, StepId::IomapDioComplete),
        }
    }

    /// The write's lock: XFS's `xfs_ilock_iocb()` (`XFS_IOLOCK_SHARED`);
    /// ext4's `inode_lock_shared()`, or `inode_lock()` for a write past
    /// `i_size` or after the checks asked for it; the block device's
    /// `blkdev_write_iter()` takes none. Then the mapping is flushed if it
    /// has pages (`kiocb_invalidate_pages()`).
    fn lock(&mut self, w: &mut World) -> Poll {
        let id = match self.how {
            DioHow::Iomap(_, DioWrites::Ext4) => {
                self.excl |= !ext4_dio::start_shared(w, self.file, self.index);
                let l = lock::i_rwsem(self.file);
                let (r, id) = if self.excl {
                    (w.lock(l), StepId::InodeLock)
                } else {
                    (w.lock_shared(l), StepId::InodeLockShared)
                };
                if let Err(c) = r {
                    return Poll::Block(c);
                }
                self.pc = DwPc::Checks;
                return Poll::Ran(id);
            }
            DioHow::Iomap(id, _) => {
                if let Err(c) = w.lock_shared(lock::i_rwsem(self.file)) {
                    return Poll::Block(c);
                }
                Some(id)
            }
            _ => None,
        };
        self.pc = self.locked(w);
        match id {
            Some(id) => Poll::Ran(id),
            None => self.step_pc(w),
        }
    }

    /// `ext4_dio_write_checks()`: under the shared lock, a write that
    /// extends the file or is not an overwrite drops it and starts again
    /// exclusive (`goto restart`).
    fn checks(&mut self, w: &mut World) -> Poll {
        let c = match ext4_dio::dio_write_checks(w, self.file, self.index) {
            Ok(c) => c,
            Err(c) => return Poll::Block(c),
        };
        let l = lock::i_rwsem(self.file);
        if !self.excl && c.need_exclusive() {
            w.unlock_shared(l);
            self.excl = true;
            self.pc = DwPc::Lock;
            return Poll::Ran(StepId::Ext4DioWriteChecks);
        }
        if self.excl && c.downgrade(w) {
            w.unlock(l);
            w.locks[l as usize].readers += 1;
            self.excl = false;
        }
        self.extend = c.extend;
        self.overwrite = !self.excl && !c.unwritten;
        self.pc = self.locked(w);
        Poll::Ran(StepId::Ext4DioWriteChecks)
    }

    /// `i_rwsem` as the write took it, released.
    fn unlock_inode(&self, w: &mut World) {
        if self.excl {
            w.unlock(lock::i_rwsem(self.file));
        } else {
            w.unlock_shared(lock::i_rwsem(self.file));
        }
    }

    /// Under the write's lock: `__iomap_dio_rw()` flushes a mapping with
    /// pages, else maps the page.
    fn locked(&mut self, w: &mut World) -> DwPc {
        self.note_dirtied(w);
        let empty = w.mappings[self.file as usize % w.mappings.len()].is_empty();
        if !empty {
            DwPc::Flush
        } else if self.iomap() {
            DwPc::Map
        } else {
            self.map_fixed(w)
        }
    }

    fn iomap(&self) -> bool {
        matches!(self.how, DioHow::Iomap(..))
    }

    /// The block device's blocks are where they are
    /// (`blkdev_direct_IO()` → `__blkdev_direct_IO_simple()`: no
    /// `->iomap_begin`, nothing to convert); then GUP.
    fn map_fixed(&mut self, w: &World) -> DwPc {
        for j in 0..w.cfg.upp(self.file).min(MAX_BLOCKS) {
            self.pblk[j] = Disk::block_of(self.file, self.index, j) as u8;
        }
        self.ended = true;
        DwPc::Gup
    }

    /// The submitter asleep until the bio completes (`submit_bio_wait()`,
    /// or iomap's wait for `dio->ref`), then what follows it.
    fn wait_bio(&mut self, w: &mut World) -> Poll {
        if w.bios[self.bio as usize].live {
            return Poll::Block(Cond::BioDone(self.bio));
        }
        let b = &w.bios[self.bio as usize];
        self.err = if b.error { -5 } else { 0 };
        self.vers = b.vers;
        self.pc = if !self.iomap() {
            DwPc::Release
        } else if self.err != 0 {
            DwPc::Return
        } else if w.has(Toggle::DioEndIoFirst) {
            DwPc::EndIo
        } else {
            DwPc::PostCheck
        };
        self.step_pc(w)
    }

    /// Each unit's page-cache dirtying count as the write starts (under
    /// `i_rwsem`).
    fn note_dirtied(&mut self, w: &World) {
        for (j, u) in self.units(w).enumerate() {
            self.dirtied0[j] = w.shadow.dirtied[self.file as usize][u];
        }
    }

    /// The write returned success: each unit promises the version its DMA
    /// landed as (direct writes overlapping under the shared lock reach
    /// the disk in the order of their versions, so whichever returns last
    /// promises no more than the disk holds). A unit whose page-cache folio
    /// was dirtied meanwhile — a store through a mapping, a write fault —
    /// promises nothing ([`Shadow::dirtied`]): that folio may reach the
    /// disk after the write.
    ///
    /// [`Shadow::dirtied`]: crate::world::shadow::Shadow::dirtied
    fn promise(&self, w: &mut World) {
        let f = self.file as usize;
        for (j, u) in self.units(w).enumerate() {
            if w.shadow.dirtied[f][u] != self.dirtied0[j] {
                // A folio of the range was dirtied meanwhile: a collision
                // with a buffered or mapped writer (Shadow::dirtied).
                w.shadow.void_below[f][u] = w.shadow.next[f][u];
                continue;
            }
            w.shadow.wrote(f, u, self.vers[j]);
        }
    }

    /// The user fills the buffer with the new version of the page (its
    /// versions taken now, as a buffered write's copy takes them).
    fn fill(&mut self, w: &mut World) -> Poll {
        if self.sub == Sub::Idle {
            // The first step, before anything can block: the buffer is
            // ours until the write returns (its Done, in DioWrite::step).
            w.dio_begin(w.mm_id(w.me), self.buf);
            let mut data = [0u32; MAX_BLOCKS];
            for (j, u) in self.units(w).enumerate() {
                let next = &mut w.shadow.next[self.file as usize][u];
                self.vers[j] = *next;
                *next = next.wrapping_add(1).max(1);
                data[j] = unit_token(self.file, u, self.vers[j]);
            }
            self.sub = Sub::Fill(AnonAccess::fill(self.buf, data));
        }
        let (id, a) = sub!(self, w, Fill, AnonAccess::new(self.buf, true));
        if a.oom {
            // The program dies filling its buffer: nothing is written.
            return Poll::Done(id);
        }
        self.pc = DwPc::Lock;
        Poll::Ran(id)
    }

    /// `invalidate_inode_pages2_range()` before the write (a failure:
    /// `-ENOTBLK` and the buffered fallback since 60263d5889e6, a warning
    /// before) or after it (a failure: `dio_warn_stale_pagecache()`).
    fn invalidate(&mut self, w: &mut World) -> Poll {
        let make = InvalidatePages2::new(self.file, self.index);
        let (id, inv) = sub!(self, w, Inval, make);
        let before = self.pc == DwPc::Invalidate;
        if before && inv.err != 0 && !self.iomap() {
            // direct_write_fallback() → blkdev_buffered_write(): the
            // device's buffered write is not modelled; nothing is written.
            w.note(Event::Note("-EBUSY: blkdev_buffered_write() not modelled"));
            return Poll::Done(id);
        }
        if inv.err != 0 {
            w.note(Event::Note(
                if before && w.has(Toggle::DioInvalidateFallback) {
                    "invalidation failed: -ENOTBLK, buffered write"
                } else {
                    "invalidation failed: dio_warn_stale_pagecache()"
                },
            ));
        }
        if !before && inv.err != 0 {
            self.warn_stale_pagecache(w);
        }
        let fallback = w.has(Toggle::DioInvalidateFallback);
        self.pc = match (before, inv.err != 0) {
            (true, true) if fallback => {
                self.unlock_inode(w);
                DwPc::Fallback
            }
            (true, _) if self.iomap() => DwPc::Map,
            (true, _) => self.map_fixed(w),
            (false, _) if self.ended => DwPc::Return,
            (false, _) => DwPc::EndIo,
        };
        self.ran(w, id)
    }

    /// Step `id` ran; the block device's write returns in it
    /// (`blkdev_direct_write()` has no completion of its own).
    fn ran(&mut self, w: &mut World, id: StepId) -> Poll {
        if self.pc == DwPc::Return && !self.iomap() {
            return self.ret(w, id);
        }
        Poll::Ran(id)
    }

    /// `dio_warn_stale_pagecache()` (mm/filemap.c): `errseq_set(&mapping->
    /// wb_err, -EIO)` — "Possible data corruption due to collision with
    /// buffered I/O!": the page cache keeps a page the write did not
    /// reach, so the next fsync fails and the page's data is promised no
    /// more (a later write's is).
    fn warn_stale_pagecache(&self, w: &mut World) {
        let f = self.file as usize % w.mappings.len();
        w.mappings[f].eio = true;
        for u in self.units(w) {
            w.shadow.void_below[f][u] = w.shadow.next[f][u];
        }
    }

    /// `xfs_direct_write_iomap_begin()` under `XFS_ILOCK_EXCL`: each block
    /// of the page mapped, a hole or delalloc allocated unwritten
    /// (`xfs_iomap_write_direct()`), an unwritten one to convert at
    /// completion; on a reflinked file a shared block goes to a COW block
    /// remapped at completion ([`crate::fs::reflink::dio_allocate_cow`]).
    fn map(&mut self, w: &mut World) -> Poll {
        if self.ext4() {
            return self.map_ext4(w);
        }
        let bpp = w.cfg.bpp(self.file);
        let lb = self.index as usize * bpp;
        if !crate::fs::xfs::alloc_file_space(w, self.file, lb, lb + bpp) {
            self.err = -28;
            self.pc = DwPc::Return;
            return Poll::Ran(StepId::XfsDirectWriteIomapBegin);
        }
        for j in 0..bpp {
            let m = extent_run(w, self.file, lb + j, lb + j + 1);
            let mut p = m.pblk;
            match crate::fs::reflink::dio_allocate_cow(w, self.file, lb + j) {
                Some(NO_PBLK) => {
                    self.err = -28;
                    self.pc = DwPc::Return;
                    return Poll::Ran(StepId::XfsDirectWriteIomapBegin);
                }
                Some(c) => {
                    p = c;
                    self.convert |= 1 << (j + crate::world::IOEND_SHARED_SHIFT as usize);
                }
                None if m.typ == ext::UNWRITTEN => self.convert |= 1 << j,
                None => {}
            }
            for k in 0..UPB {
                self.pblk[j * UPB + k] = disk_unit(p, k) as u8;
            }
        }
        self.pc = DwPc::Gup;
        Poll::Ran(StepId::XfsDirectWriteIomapBegin)
    }

    /// ext4's `->iomap_begin` ([`ext4_dio::iomap_begin`]).
    fn map_ext4(&mut self, w: &mut World) -> Poll {
        let m = match ext4_dio::iomap_begin(w, self.file, self.index, self.overwrite) {
            Ok(m) => m,
            Err(c) => return Poll::Block(c),
        };
        if m.nospc {
            self.err = -28;
            self.pc = DwPc::Return;
        } else {
            self.pblk = m.pblk;
            self.convert = m.convert;
            self.pc = DwPc::Gup;
        }
        Poll::Ran(StepId::Ext4IomapBegin)
    }

    /// `iomap_dio_submit_bio()` of the write.
    fn submit(&mut self, w: &mut World) -> Poll {
        let (kind, id) = match self.how {
            DioHow::Iomap(..) => (BioKind::DioWrite, StepId::IomapDioSubmitBio),
            _ => (BioKind::DioWriteSimple, StepId::SubmitBioWait),
        };
        let b = crate::block::bio::submit_bio_at(w, self.folio, kind, self.pblk, self.convert);
        let Some(k) = b else {
            return Poll::Block(Cond::BioSlot);
        };
        w.bios[k].mapping = self.file;
        w.bios[k].index = self.index;
        w.bios[k].vers = self.vers;
        self.bio = k as u8;
        self.pc = DwPc::WaitBio;
        Poll::Ran(id)
    }

    /// `->end_io`: `xfs_dio_write_end_io()` converts the unwritten extents
    /// the write went to (`xfs_iomap_write_unwritten()`) and extends
    /// `i_size`; `ext4_dio_write_end_io()` converts
    /// (`ext4_convert_unwritten_extents()`), and extends `i_size` since
    /// 91562895f803.
    fn end_io(&mut self, w: &mut World) -> Poll {
        let b = w.bios[self.bio as usize];
        if let Err(c) = (w.a_ops(self.file).end_io)(w, &b) {
            return Poll::Block(c);
        }
        let ext4 = self.ext4();
        if !ext4 || w.has(Toggle::Ext4DioSizeInEndIo) {
            self.extend_size(w);
        }
        self.ended = true;
        self.pc = if w.has(Toggle::DioEndIoFirst) {
            DwPc::PostCheck
        } else {
            DwPc::Return
        };
        Poll::Ran(if ext4 {
            StepId::Ext4DioWriteEndIo
        } else {
            StepId::XfsDioWriteEndIo
        })
    }

    fn ext4(&self) -> bool {
        matches!(self.how, DioHow::Iomap(_, DioWrites::Ext4))
    }

    /// A write past EOF extends it (`i_size_write()`).
    fn extend_size(&self, w: &mut World) {
        let m = &mut w.mappings[self.file as usize % w.mappings.len()];
        m.i_size = m.i_size.max(self.index + 1);
    }

    /// The write returns (XFS: `xfs_iunlock()` after `iomap_dio_complete()`;
    /// ext4: `inode_unlock()`, before 91562895f803 after
    /// `ext4_handle_inode_extension()` extended `i_size` under the
    /// exclusive lock; the block device in its last step): its data is
    /// promised.
    fn ret(&mut self, w: &mut World, mut id: StepId) -> Poll {
        if self.ext4() && self.extend && self.err == 0 && !w.has(Toggle::Ext4DioSizeInEndIo) {
            self.extend_size(w);
            id = StepId::Ext4HandleInodeExtension;
        }
        if self.iomap() {
            self.unlock_inode(w);
        }
        if self.err == 0 {
            self.promise(w);
        } else {
            w.note(Event::Note(match self.err {
                -5 => "-EIO",
                -28 => "-ENOSPC",
                _ => "-EFAULT",
            }));
        }
        Poll::Done(id)
    }
}

/// A direct write's bio: the DMA reads the user page as it is now
/// (`stale-dma` if it was freed or reused since) into the disk units,
/// then completion releases the page (`bio_release_pages(bio, false)`)
/// and wakes the submitter.
pub(super) fn dio_write_bio_step(w: &mut World, k: usize, b: Bio) -> Poll {
    if b.pc == 0 {
        let fr = crate::block::bio::dma_frame(w, &b);
        if b.error {
            w.note(Event::Note("I/O error (fault)"));
        } else {
            dio_write_dma(w, k, &b, &fr.data);
        }
        w.bios[k].pc = 1;
        return Poll::Ran(StepId::DmaTransfer);
    }
    w.bios[k].live = false;
    if b.kind == BioKind::DioWriteSimple {
        // submit_bio_wait_endio(): complete(); the submitter releases.
        return Poll::Done(StepId::SubmitBioWaitEndio);
    }
    bio_release_page(w, b.folio, bio_page_refs(w));
    Poll::Done(StepId::IomapDioBioEndIo)
}

/// The DMA of a direct write: each unit of the page to its disk unit. The
/// buffer's data, as the user filled it, lands as the next version of the
/// file unit (its place in the order of writes to the block is now);
/// anything else the page holds lands as it is, and the write promises a
/// version it does not hold.
fn dio_write_dma(w: &mut World, k: usize, b: &Bio, data: &[u32; MAX_BLOCKS]) {
    let upp = w.cfg.upp(b.mapping);
    let f = b.mapping as usize % w.mappings.len();
    for (j, &p) in b.pblk.iter().enumerate() {
        if p == NO_PBLK || (p as usize) >= w.disk.blocks.len() || j >= upp {
            continue;
        }
        let u = b.index as usize * upp + j;
        let next = &mut w.shadow.next[f][u];
        let v = *next;
        *next = next.wrapping_add(1).max(1);
        let token = if data[j] == unit_token(b.mapping, u, b.vers[j]) {
            unit_token(b.mapping, u, v)
        } else {
            data[j]
        };
        w.bios[k].vers[j] = v;
        crate::block::bio::check_shared_overwrite(w, b, p, token);
        w.disk.blocks[p as usize] = token;
        w.note(Event::Dma {
            bio: k as u8,
            block: p,
            token,
        });
    }
}

crate::impl_step!(DioWrite);
