//! mm/memory.c: a write fault on a shared file mapping —
//! `do_shared_fault()`: `__do_fault()` (`filemap_fault()` brings the page
//! in), `do_page_mkwrite()` (the filesystem's `->page_mkwrite`, which
//! returns with the folio locked), then the user's store lands and
//! `fault_dirty_shared_page()` dirties and unlocks.
//!
//! What the filesystem does is its [`crate::fs::AddressSpaceOps`]: the lock
//! it takes for the fault ([`FaultLock`]), its `->page_mkwrite`
//! ([`crate::fs::FsMkwrite`]), its `->dirty_folio`. The page is assumed
//! mapped since an earlier read fault: the model's fault starts at the write.

use crate::exec::poll::Poll;
use crate::fs::{FaultLock, FsMkwrite};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, pg, World};

use super::filemap::{folio_mark_dirty, folio_unlock, FilemapRead, LockFolio};
use super::swap::folio_put;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MwPc {
    FaultLock,
    Fault,
    Lock,
    Check,
    FsMkwrite,
    Store,
    Unlock,
    Put,
    FaultUnlock,
}

/// A write fault on page `index` of `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageMkwrite {
    file: u8,
    index: u8,
    pc: MwPc,
    fault: FilemapRead,
    lock: Option<LockFolio>,
    fs: Option<FsMkwrite>,
    /// The invalidate lock is held shared.
    inv: bool,
    /// 0 or a negative errno (`-EFAULT`: beyond EOF, SIGBUS).
    pub err: i8,
}

impl PageMkwrite {
    /// A write fault on page `index` of `file`.
    pub fn new(file: u8, index: u8) -> PageMkwrite {
        PageMkwrite {
            file,
            index,
            pc: MwPc::FaultLock,
            fault: FilemapRead::fault(file, index),
            lock: None,
            fs: None,
            inv: false,
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            MwPc::FaultLock => self.fault_lock(w),
            MwPc::Fault => {
                let id = crate::done!(self.fault.step(w));
                if self.fault.err != 0 {
                    self.err = self.fault.err;
                    w.note(Event::Note("fault beyond EOF: SIGBUS"));
                    self.pc = MwPc::FaultUnlock;
                } else {
                    self.pc = MwPc::Lock;
                }
                Poll::Ran(id)
            }
            MwPc::Lock => {
                let folio = self.fault.folio;
                let (id, _) = crate::nested!(self.lock, w, LockFolio::new(folio, false));
                self.pc = MwPc::Check;
                Poll::Ran(id)
            }
            MwPc::Check => self.check(w),
            MwPc::FsMkwrite => self.fs_mkwrite(w),
            MwPc::Store => self.store(w),
            MwPc::Unlock => {
                folio_unlock(w, self.fault.folio);
                self.pc = MwPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            MwPc::Put => {
                folio_put(w, self.fault.folio);
                self.pc = MwPc::FaultUnlock;
                Poll::Ran(StepId::FolioPut)
            }
            MwPc::FaultUnlock => {
                if let FaultLock::Exclusive(l, _) = w.a_ops(self.file).fault_lock {
                    w.unlock_if_mine(l(self.file));
                }
                if self.inv {
                    w.unlock_shared(lock::invalidate_lock(self.file));
                }
                Poll::Done(StepId::FilemapInvalidateUnlockShared)
            }
        }
    }

    /// The filesystem's lock for the fault.
    fn fault_lock(&mut self, w: &mut World) -> Poll {
        match w.a_ops(self.file).fault_lock {
            FaultLock::None => {}
            FaultLock::Exclusive(l, id) => {
                if let Err(c) = w.lock(l(self.file)) {
                    return Poll::Block(c);
                }
                self.pc = MwPc::Fault;
                return Poll::Ran(id);
            }
            FaultLock::InvalidateShared => {
                // filemap_invalidate_lock_shared() / xfs_ilock(XFS_MMAPLOCK_SHARED).
                if let Err(c) = w.lock_shared(lock::invalidate_lock(self.file)) {
                    return Poll::Block(c);
                }
                self.inv = true;
            }
        }
        self.pc = MwPc::Fault;
        Poll::Ran(StepId::FilemapInvalidateLockShared)
    }

    /// `block_page_mkwrite()`: truncated since the fault looked it up?
    fn check(&mut self, w: &mut World) -> Poll {
        let r = self.fault.folio;
        w.check_ref(r);
        let size = w.mappings[self.file as usize].i_size;
        if w.frame(r).mapping != self.file || size <= self.index {
            w.note(Event::Note("truncated meanwhile: VM_FAULT_NOPAGE"));
            self.pc = MwPc::Unlock;
        } else {
            self.pc = MwPc::FsMkwrite;
            self.fs = Some((w.a_ops(self.file).page_mkwrite)(self.file, self.index));
        }
        Poll::Ran(StepId::BlockPageMkwrite)
    }

    /// The filesystem's `->page_mkwrite`, until it has nothing left; then
    /// the store in the same step.
    fn fs_mkwrite(&mut self, w: &mut World) -> Poll {
        let Some(fs) = self.fs.as_mut() else {
            self.pc = MwPc::Store;
            return self.step(w);
        };
        if fs.is_done() {
            self.pc = if fs.err != 0 {
                self.err = fs.err;
                MwPc::Unlock
            } else {
                MwPc::Store
            };
            return self.step(w);
        }
        fs.step(w, self.fault.folio)
    }

    /// The user's store through the now-writable PTE, then
    /// `fault_dirty_shared_page()`: `->dirty_folio`, the folio dirty.
    fn store(&mut self, w: &mut World) -> Poll {
        let r = self.fault.folio;
        let f = self.file as usize;
        w.check_ref(r);
        let upp = w.cfg.upp(self.file);
        let (from, to) = (self.index as usize * upp, (self.index as usize + 1) * upp);
        for (j, u) in (from..to).enumerate() {
            let v = w.shadow.next[f][u];
            w.shadow.next[f][u] = v.wrapping_add(1).max(1);
            w.frame_mut(r).data[j] = crate::fs::unit_token(self.file, u, v);
            // The store is visible to every later read at once (and a
            // truncate that follows discards it: the promise is made here,
            // not when the fault handler returns).
            w.shadow.latest[f][u] = v;
        }
        (w.a_ops(self.file).dirty_folio)(w, r, from, to);
        w.frame_mut(r).flags |= pg::UPTODATE;
        folio_mark_dirty(w, r);
        self.pc = MwPc::Unlock;
        Poll::Ran(StepId::FaultDirtySharedPage)
    }
}

crate::impl_step!(PageMkwrite);
