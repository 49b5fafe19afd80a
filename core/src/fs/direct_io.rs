//! Direct-I/O reads into a user buffer: `pread(O_DIRECT)` of one page of a
//! file or of the block device into a page of the task's anonymous memory
//! (mainline block/fops.c, fs/iomap/direct-io.c, block/bio.c).
//!
//! Both paths first write back and wait for the page cache over the range
//! (`kiocb_write_and_wait()`), take the user page with
//! [`crate::mm::gup::Gup`] (`bio_iov_iter_get_pages()`), submit a bio
//! whose DMA writes the blocks into that page, and release the page once
//! the bio completed, dirtying it (the device wrote it behind the CPU's
//! back: `should_dirty` for a user-backed iterator). They differ in when
//! the page is dirtied and who releases it ([`DioHow`]). The buffer's data
//! is promised when the read returns. Not modelled: several pages per bio,
//! async (`io_uring`/AIO) completion, short reads past `i_size`, and
//! `iomap_dio_hole_iter()`'s zeroing through the CPU (a hole or unwritten
//! block is zeroes the DMA writes).

use crate::exec::poll::{Cond, Poll};
use crate::mm::filemap::{folio_unlock, LockFolio};
use crate::mm::gup::{bio_release_page, Gup};
use crate::mm::page_writeback::{FdataWait, SyncMode, WriteCachePages};

pub use write::DioWrite;

mod write;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, pg, BioKind, FolioRef, World, MAX_BLOCKS, MAX_INDEX, MAX_TASKS, NO_PBLK};

/// How a filesystem (`->read_iter` with `IOCB_DIRECT`) does a direct read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DioHow {
    /// block/fops.c `__blkdev_direct_IO_simple()` (and fs/direct-io.c for a
    /// filesystem without iomap, as ext2): the page's fixed blocks, no inode
    /// lock; `submit_bio_wait()`, then the submitter's
    /// `bio_release_pages(bio, true)` dirties (`folio_lock()`,
    /// `folio_mark_dirty()`, `folio_unlock()`) and releases each page.
    Simple,
    /// fs/iomap/direct-io.c `iomap_dio_rw()` under `i_rwsem` shared (taken
    /// at the step named here: `xfs_ilock_iocb()`, ext4's
    /// `inode_lock_shared()`): the mapping from `->iomap_begin`, the pages
    /// dirtied before submission (`bio_set_pages_dirty()`), released by the
    /// completion (`iomap_dio_bio_end_io()` → `bio_check_pages_dirty()`),
    /// which wakes the submitter; the filesystem's direct writes
    /// ([`DioWrite`]) as [`DioWrites`] says.
    Iomap(StepId, DioWrites),
    /// Not modelled for this filesystem: the operation is skipped.
    None,
}

/// Whose `->write_iter` with `IOCB_DIRECT` runs `iomap_dio_rw()` for a
/// direct write ([`DioWrite`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DioWrites {
    /// Not modelled: the operation is skipped.
    None,
    /// fs/xfs/xfs_file.c `xfs_file_dio_write_aligned()`:
    /// `XFS_IOLOCK_SHARED`, `xfs_direct_write_iomap_begin()`,
    /// `xfs_dio_write_end_io()`.
    Xfs,
    /// fs/ext4/file.c `ext4_dio_write_iter()` ([`crate::fs::ext4_dio`]):
    /// `i_rwsem` shared or exclusive as `ext4_dio_write_checks()` decides,
    /// `ext4_iomap_begin()`, `ext4_dio_write_end_io()`.
    Ext4,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum DioPc {
    Lock,
    Start,
    Flush,
    Wait,
    Gup,
    DirtyLock,
    Dirty,
    Submit,
    WaitBio,
    ReleaseLock,
    Release,
    Return,
}

/// `pread(O_DIRECT)` of page `index` of `file` (or the block device) into
/// the running task's anonymous page `buf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DioRead {
    file: u8,
    index: u8,
    buf: u8,
    how: DioHow,
    pc: DioPc,
    write: WriteCachePages,
    wait: FdataWait,
    gup: Option<Gup>,
    lock: Option<LockFolio>,
    folio: FolioRef,
    refs: i16,
    bio: u8,
    /// The buffer was claimed ([`World::dio_begin`]).
    begun: bool,
    /// 0, or the error the read returns (-5 `-EIO`, -14 `-EFAULT`).
    pub err: i8,
}

impl DioRead {
    /// The read of page `index` of `file` into anonymous page `buf`, as `how` does it.
    pub fn new(file: u8, index: u8, buf: u8, how: DioHow) -> DioRead {
        let index = index % MAX_INDEX as u8;
        DioRead {
            file,
            index,
            buf: buf % MAX_INDEX as u8,
            how,
            pc: if matches!(how, DioHow::Iomap(..)) {
                DioPc::Lock
            } else {
                DioPc::Start
            },
            write: WriteCachePages::range(file, SyncMode::All, index, index + 1),
            wait: FdataWait::range(file, index, index + 1),
            gup: None,
            lock: None,
            folio: FolioRef::NONE,
            refs: 1,
            bio: 0,
            begun: false,
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if !self.begun {
            // The first step, before anything can block: the buffer is
            // ours until the read returns.
            self.begun = true;
            w.dio_begin(w.mm_id(w.me), self.buf);
        }
        let p = self.step_pc(w);
        if matches!(p, Poll::Done(_)) {
            w.dio_end(w.mm_id(w.me), self.buf);
        }
        p
    }

    fn step_pc(&mut self, w: &mut World) -> Poll {
        match self.pc {
            DioPc::Lock => {
                if let Err(c) = w.lock_shared(lock::i_rwsem(self.file)) {
                    return Poll::Block(c);
                }
                self.pc = DioPc::Start;
                Poll::Ran(match self.how {
                    DioHow::Iomap(id, _) => id,
                    _ => StepId::InodeLockShared,
                })
            }
            DioPc::Start => {
                // kiocb_write_and_wait(): only a mapping with pages
                // (mapping_needs_writeback()) is written back and waited for.
                let empty = w.mappings[self.file as usize % w.mappings.len()].is_empty();
                self.pc = if empty { DioPc::Gup } else { DioPc::Flush };
                self.step_pc(w)
            }
            DioPc::Flush => {
                let id = crate::done!(self.write.step(w));
                self.pc = DioPc::Wait;
                Poll::Ran(id)
            }
            DioPc::Wait => {
                let id = crate::done!(self.wait.step(w));
                self.pc = DioPc::Gup;
                Poll::Ran(id)
            }
            DioPc::Gup => self.gup(w),
            DioPc::DirtyLock | DioPc::ReleaseLock => self.lock_page(w),
            DioPc::Dirty => {
                // bio_set_pages_dirty(): folio_mark_dirty() of an anonymous folio.
                w.frame_mut(self.folio).flags |= pg::DIRTY;
                folio_unlock(w, self.folio);
                self.pc = DioPc::Submit;
                Poll::Ran(StepId::BioSetPagesDirty)
            }
            DioPc::Submit => self.submit(w),
            DioPc::WaitBio => {
                if w.bios[self.bio as usize].live {
                    return Poll::Block(Cond::BioDone(self.bio));
                }
                self.err = if w.bios[self.bio as usize].error {
                    -5
                } else {
                    0
                };
                self.pc = match self.how {
                    DioHow::Simple => DioPc::ReleaseLock,
                    _ => DioPc::Return,
                };
                self.step_pc(w)
            }
            DioPc::Release => {
                // __bio_release_pages(bio, mark_dirty): dirty, unlock, unpin.
                w.frame_mut(self.folio).flags |= pg::DIRTY;
                folio_unlock(w, self.folio);
                bio_release_page(w, self.folio, self.refs);
                self.ret(w, StepId::BioReleasePages)
            }
            DioPc::Return => {
                if matches!(self.how, DioHow::Iomap(..)) {
                    w.unlock_shared(lock::i_rwsem(self.file));
                }
                self.ret(w, StepId::IomapDioComplete)
            }
        }
    }

    /// `bio_iov_iter_get_pages()`: the user page, or `-EFAULT`.
    fn gup(&mut self, w: &mut World) -> Poll {
        let (id, g) = crate::nested!(self.gup, w, Gup::new(self.buf));
        if g.folio.is_none() {
            self.err = -14;
            if self.how == DioHow::Simple {
                return self.ret(w, id);
            }
            self.pc = DioPc::Return;
            return Poll::Ran(id);
        }
        self.folio = g.folio;
        self.refs = g.refs;
        self.pc = match self.how {
            DioHow::Iomap(..) => DioPc::DirtyLock,
            _ => DioPc::Submit,
        };
        Poll::Ran(id)
    }

    /// `folio_lock()` of the user page, to dirty it before submission
    /// (iomap) or at release (the simple path).
    fn lock_page(&mut self, w: &mut World) -> Poll {
        let (id, _) = crate::nested!(self.lock, w, LockFolio::new(self.folio, false));
        self.pc = if self.pc == DioPc::DirtyLock {
            DioPc::Dirty
        } else {
            DioPc::Release
        };
        Poll::Ran(id)
    }

    /// `submit_bio()` of the read into the user page.
    fn submit(&mut self, w: &mut World) -> Poll {
        let (kind, id) = match self.how {
            DioHow::Iomap(..) => (BioKind::DioIomap, StepId::IomapDioSubmitBio),
            _ => (BioKind::DioSimple, StepId::SubmitBioWait),
        };
        let pblk = [NO_PBLK; MAX_BLOCKS];
        let Some(k) = crate::block::bio::submit_bio_at(w, self.folio, kind, pblk, 0) else {
            return Poll::Block(Cond::BioSlot);
        };
        w.bios[k].mapping = self.file;
        w.bios[k].index = self.index;
        self.bio = k as u8;
        self.pc = DioPc::WaitBio;
        Poll::Ran(id)
    }

    /// The read returns: the buffer promises what the DMA brought in
    /// (anything, after an error).
    fn ret(&mut self, w: &mut World, id: StepId) -> Poll {
        let data = w.sched[w.me as usize % w.sched.len()].dio;
        let mm = &mut w.mms[w.mm_id(w.me) as usize % MAX_TASKS];
        let a = &mut mm.anon[self.buf as usize];
        match self.err {
            0 => {
                a.data = data;
                a.may_zero = false;
                a.any = false;
            }
            -5 => a.any = true,
            _ => {}
        }
        if self.err != 0 {
            w.note(Event::Note(if self.err == -5 { "-EIO" } else { "-EFAULT" }));
        }
        Poll::Done(id)
    }
}

/// One step of a direct-I/O read bio (`BioKind::DioSimple`,
/// `BioKind::DioIomap`): the device's DMA writes the page's blocks into the
/// user page as it is now (`stale-dma` if it was freed or reused since the
/// bio took it), then completion.
pub fn dio_bio_step(w: &mut World, k: usize) -> Poll {
    let b = w.bios[k];
    if matches!(b.kind, BioKind::DioWrite | BioKind::DioWriteSimple) {
        return write::dio_write_bio_step(w, k, b);
    }
    if b.pc == 0 {
        crate::block::bio::dma_frame(w, &b);
        if !b.error {
            let data = dio_blocks(w, b.mapping, b.index);
            w.frames[b.folio.frame as usize].data = data;
            let t = b.task as usize % w.sched.len();
            w.sched[t].dio = data;
            w.note(Event::Dma {
                bio: k as u8,
                block: crate::world::Disk::block_of(b.mapping, b.index, 0) as u8,
                token: data[0],
            });
        } else {
            w.note(Event::Note("I/O error (fault)"));
        }
        w.bios[k].pc = 1;
        return Poll::Ran(StepId::DmaRead);
    }
    w.bios[k].live = false;
    if b.kind != BioKind::DioIomap {
        return Poll::Done(StepId::SubmitBioWaitEndio);
    }
    // bio_check_pages_dirty(): a page cleaned since bio_set_pages_dirty()
    // is dirtied again first (by bio_dirty_fn(), a work item; modelled
    // here: only the page's own task, asleep in this read, could clean it).
    let fr = &mut w.frames[b.folio.frame as usize];
    if fr.flags & pg::DIRTY == 0 {
        fr.flags |= pg::DIRTY;
        w.note(Event::Note("redirtied (bio_dirty_fn)"));
    }
    bio_release_page(w, b.folio, crate::mm::gup::bio_page_refs(w));
    Poll::Done(StepId::IomapDioBioEndIo)
}

/// What a direct read of page `index` of `file` finds on the disk now, one
/// token per data unit: the block device's fixed blocks, a file's blocks
/// through its block map (zeroes for a hole or an unwritten extent).
fn dio_blocks(w: &World, file: u8, index: u8) -> [u32; MAX_BLOCKS] {
    let mut d = [0u32; MAX_BLOCKS];
    let upp = w.cfg.upp(file).min(MAX_BLOCKS);
    for (j, t) in d.iter_mut().enumerate().take(upp) {
        *t = if file == crate::world::BDEV {
            w.disk.blocks[crate::world::Disk::block_of(file, index, j)]
        } else {
            crate::fs::visible_unit(w, file, index as usize * upp + j)
        };
    }
    d
}

crate::impl_step!(DioRead);
