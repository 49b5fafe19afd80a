//! mm/memory.c: a write fault on a shared file mapping —
//! `do_shared_fault()`: `__do_fault()` (`vma->vm_ops->fault`, which is or
//! wraps `filemap_fault()`, brings the page in), `do_page_mkwrite()` (the
//! filesystem's `->page_mkwrite`, which returns with the folio locked),
//! then the user's store lands and `fault_dirty_shared_page()` dirties and
//! unlocks.
//!
//! The two handlers take their locks separately, as the kernel does: ext4's
//! `ext4_filemap_fault()` held `i_mmap_sem` around `filemap_fault()` and
//! `ext4_page_mkwrite()` takes it (then `invalidate_lock`) again; XFS's
//! `__xfs_filemap_fault()` the same with `XFS_MMAPLOCK_SHARED`; since
//! v5.15 (730633f0b7f9) `filemap_fault()` takes `invalidate_lock` itself,
//! only when it must create or read the folio. Between the two a hole
//! punch can remove the folio: `block_page_mkwrite()` finds it gone. What
//! each filesystem takes is its [`crate::fs::AddressSpaceOps`]. The page
//! is assumed mapped since an earlier read fault: the model's fault starts
//! at the write.

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
    MkwriteLock,
    Lock,
    Check,
    FsMkwrite,
    MkwriteUnlock,
    Store,
    Unlock,
    Put,
    End,
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
    /// The invalidate lock (or its predecessor) is held shared.
    inv: bool,
    /// The filesystem's exclusive inode lock is held (gfs2's glock).
    excl: bool,
    /// Where the fault goes once `->page_mkwrite`'s lock is released.
    after_unlock: MwPc,
    /// 0 or a negative errno (`-EFAULT`: beyond EOF, SIGBUS).
    pub err: i8,
}

/// Whether the handler lock `l` is taken on this kernel.
fn wanted(w: &World, l: FaultLock) -> bool {
    match l {
        FaultLock::None => false,
        FaultLock::InvalidateShared | FaultLock::Exclusive(..) => true,
        FaultLock::InvalidateSharedUntil(t) => !w.has(t),
    }
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
            excl: false,
            after_unlock: MwPc::Store,
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            MwPc::FaultLock => {
                let l = w.a_ops(self.file).fault_lock;
                self.take(w, l, MwPc::Fault)
            }
            MwPc::Fault => {
                let id = crate::done!(self.fault.step(w));
                // ->fault returns: its lock goes (gfs2's stays to the end).
                self.release_inv(w);
                if self.fault.err != 0 {
                    self.err = self.fault.err;
                    w.note(Event::Note("fault beyond EOF: SIGBUS"));
                    self.pc = MwPc::End;
                } else {
                    self.pc = MwPc::MkwriteLock;
                }
                Poll::Ran(id)
            }
            MwPc::MkwriteLock => {
                let l = w.a_ops(self.file).mkwrite_lock;
                self.take(w, l, MwPc::Lock)
            }
            MwPc::Lock => {
                let folio = self.fault.folio;
                let (id, _) = crate::nested!(self.lock, w, LockFolio::new(folio, false));
                self.pc = MwPc::Check;
                Poll::Ran(id)
            }
            MwPc::Check => self.check(w),
            MwPc::FsMkwrite => self.fs_mkwrite(w),
            MwPc::MkwriteUnlock => {
                // ->page_mkwrite returns VM_FAULT_LOCKED: its lock goes, the
                // folio stays locked for the store.
                self.release_inv(w);
                self.pc = self.after_unlock;
                Poll::Ran(StepId::FilemapInvalidateUnlockShared)
            }
            MwPc::Store => self.store(w),
            MwPc::Unlock => {
                folio_unlock(w, self.fault.folio);
                self.pc = MwPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            MwPc::Put => {
                folio_put(w, self.fault.folio);
                if self.excl {
                    self.pc = MwPc::End;
                    return Poll::Ran(StepId::FolioPut);
                }
                Poll::Done(StepId::FolioPut)
            }
            MwPc::End => self.end(w),
        }
    }

    /// Take handler lock `l` if this kernel has it (a step), then `next`.
    fn take(&mut self, w: &mut World, l: FaultLock, next: MwPc) -> Poll {
        if !wanted(w, l) {
            self.pc = next;
            return self.step(w);
        }
        let id = match l {
            FaultLock::Exclusive(f, id) => {
                if let Err(c) = w.lock(f(self.file)) {
                    return Poll::Block(c);
                }
                self.excl = true;
                id
            }
            _ => {
                if let Err(c) = w.lock_shared(lock::invalidate_lock(self.file)) {
                    return Poll::Block(c);
                }
                self.inv = true;
                StepId::FilemapInvalidateLockShared
            }
        };
        self.pc = next;
        Poll::Ran(id)
    }

    fn release_inv(&mut self, w: &mut World) {
        if self.inv {
            w.unlock_shared(lock::invalidate_lock(self.file));
            self.inv = false;
        }
    }

    /// The end of a fault that holds the filesystem's exclusive lock, or
    /// of one that failed before its folio: release what is still held.
    fn end(&mut self, w: &mut World) -> Poll {
        if let FaultLock::Exclusive(l, _) = w.a_ops(self.file).fault_lock {
            if self.excl {
                w.unlock_if_mine(l(self.file));
            }
        }
        self.release_inv(w);
        Poll::Done(StepId::FilemapInvalidateUnlockShared)
    }

    /// `block_page_mkwrite()`: truncated since the fault looked it up?
    fn check(&mut self, w: &mut World) -> Poll {
        let r = self.fault.folio;
        w.check_ref(r);
        let size = w.mappings[self.file as usize].i_size;
        if w.frame(r).mapping != self.file || size <= self.index {
            w.note(Event::Note("truncated meanwhile: VM_FAULT_NOPAGE"));
            self.after_unlock = MwPc::Unlock;
            self.pc = if self.inv {
                MwPc::MkwriteUnlock
            } else {
                MwPc::Unlock
            };
        } else {
            self.pc = MwPc::FsMkwrite;
            self.fs = Some((w.a_ops(self.file).page_mkwrite)(self.file, self.index));
        }
        Poll::Ran(StepId::BlockPageMkwrite)
    }

    /// The filesystem's `->page_mkwrite`, until it has nothing left; then
    /// its lock goes (or, without one, the store comes in the same step).
    fn fs_mkwrite(&mut self, w: &mut World) -> Poll {
        let Some(fs) = self.fs.as_mut() else {
            self.pc = MwPc::Store;
            return self.step(w);
        };
        if fs.is_done() {
            self.err = fs.err;
            self.after_unlock = if self.err != 0 {
                MwPc::Unlock
            } else {
                MwPc::Store
            };
            self.pc = if self.inv {
                MwPc::MkwriteUnlock
            } else {
                self.after_unlock
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
