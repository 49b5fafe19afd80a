//! mm/memory.c: a write fault on a shared file mapping —
//! `do_shared_fault()`: `__do_fault()` (`vma->vm_ops->fault`, which is or
//! wraps `filemap_fault()`, brings the page in), `do_page_mkwrite()` (the
//! filesystem's `->page_mkwrite`, which returns with the folio locked),
//! `finish_fault()` maps it writable and dirty, `fault_dirty_shared_page()`
//! dirties and unlocks; or, on a PTE that maps the folio read-only,
//! `do_wp_page()` → `wp_page_shared()`: `folio_get()` under the PTE lock,
//! `do_page_mkwrite()`, `finish_mkwrite_fault()` (the PTE must be unchanged,
//! `pte_same()`) → `wp_page_reuse()`, `fault_dirty_shared_page()`,
//! `folio_put()`. The `mkwrite` operation keeps no PTE ([`PteMode::Implicit`]):
//! its store lands in the fault's last step.
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

use crate::mm::filemap::{folio_mark_dirty, folio_unlock, FilemapRead, LockFolio};
use crate::mm::rmap::{set_page_dirty, set_pte};
use crate::mm::swap::{folio_get, folio_put};
use crate::world::{pte, pte_slot, FolioRef, MAX_TASKS};

/// What a write fault does with the faulting task's PTE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PteMode {
    /// The `mkwrite` operation: no PTE is modelled; the store lands in the
    /// fault's last step.
    Implicit,
    /// `do_shared_fault()` for task `t`, whose PTE is none: `finish_fault()`
    /// installs it writable and dirty, and it keeps the fault's reference.
    Shared(u8),
    /// `do_wp_page()` for task `t`, whose PTE maps the folio read-only.
    Wp(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MwPc {
    FaultLock,
    Fault,
    /// `wp_page_shared()`: `folio_get()` of the PTE's folio under the PTE lock.
    WpGet,
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
    /// What happens to the PTE.
    mode: PteMode,
    /// The PTE as `do_wp_page()` found it (`vmf->orig_pte`).
    orig: crate::world::Pte,
    /// The PTE took over the fault's reference (`finish_fault()`).
    pte_owns_ref: bool,
}

/// Whether the handler lock `l` is taken on this kernel (by the fault of
/// `file`: its filesystem may not have taken one yet, see
/// `AddressSpaceOps::invalidate_lock_since`).
pub(super) fn wanted(w: &World, file: u8, l: FaultLock) -> bool {
    match l {
        FaultLock::None => false,
        FaultLock::Exclusive(..) => true,
        FaultLock::InvalidateShared => w.fs_invalidate_lock(file),
        FaultLock::InvalidateSharedUntil(t) => !w.has(t) && w.fs_invalidate_lock(file),
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
            mode: PteMode::Implicit,
            orig: crate::world::Pte::NONE,
            pte_owns_ref: false,
        }
    }

    /// A write fault of task `t` through its shared mapping of `file`:
    /// `do_wp_page()` if its PTE maps the page, else `do_shared_fault()`.
    pub fn pte(w: &World, t: u8, file: u8, index: u8) -> PageMkwrite {
        let mut m = PageMkwrite::new(file, index);
        let p = w.mms[t as usize % MAX_TASKS].ptes[pte_slot(file, index)];
        m.mode = if p.present() {
            m.fault.folio = p.folio();
            PteMode::Wp(t)
        } else {
            PteMode::Shared(t)
        };
        m
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            MwPc::FaultLock => {
                let l = w.a_ops(self.file).fault_lock;
                match (self.mode, l) {
                    // gfs2_page_mkwrite() takes the glock itself.
                    (PteMode::Wp(_), FaultLock::Exclusive(..)) => self.take(w, l, MwPc::WpGet),
                    (PteMode::Wp(_), _) => {
                        self.pc = MwPc::WpGet;
                        self.step(w)
                    }
                    _ => self.take(w, l, MwPc::Fault),
                }
            }
            MwPc::WpGet => self.wp_get(w),
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
            MwPc::Store => self.finish_fault(w),
            MwPc::Unlock => {
                folio_unlock(w, self.fault.folio);
                self.pc = MwPc::Put;
                if !self.pte_owns_ref {
                    return Poll::Ran(StepId::FolioUnlock);
                }
                // The PTE keeps the fault's reference: nothing to put.
                if self.excl {
                    self.pc = MwPc::End;
                    return Poll::Ran(StepId::FolioUnlock);
                }
                Poll::Done(StepId::FolioUnlock)
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
        if !wanted(w, self.file, l) {
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
            if self.err == 0 {
                // ->page_mkwrite dirties the locked folio before it returns
                // VM_FAULT_LOCKED, under the filesystem's fault lock:
                // iomap_folio_mkwrite_iter()'s folio_mark_dirty(),
                // block_page_mkwrite()'s block_commit_write(),
                // gfs2_page_mkwrite()'s folio_mark_dirty().
                let r = self.fault.folio;
                let upp = w.cfg.upp(self.file);
                let from = self.index as usize * upp;
                (w.a_ops(self.file).dirty_folio)(w, r, from, from + upp);
                folio_mark_dirty(w, r);
            }
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
        w.check_ref(r);
        let (from, to) = store_page(w, r, self.file, self.index);
        (w.a_ops(self.file).dirty_folio)(w, r, from, to);
        w.frame_mut(r).flags |= pg::UPTODATE;
        folio_mark_dirty(w, r);
        self.pc = MwPc::Unlock;
        Poll::Ran(StepId::FaultDirtySharedPage)
    }
}

/// The user's store of a whole page into folio `r` (page `index` of
/// `file`): a new version of each data unit, visible to every later read at
/// once (and a truncate that follows discards it: the promise is made here,
/// not when a fault handler returns). Returns the units stored.
pub fn store_page(w: &mut World, r: FolioRef, file: u8, index: u8) -> (usize, usize) {
    let f = file as usize;
    let upp = w.cfg.upp(file);
    let (from, to) = (index as usize * upp, (index as usize + 1) * upp);
    for (j, u) in (from..to).enumerate() {
        let v = w.shadow.next[f][u];
        w.shadow.next[f][u] = v.wrapping_add(1).max(1);
        w.frame_mut(r).data[j] = crate::fs::unit_token(file, u, v);
        w.shadow.wrote(f, u, v);
    }
    (from, to)
}

impl PageMkwrite {
    /// `wp_page_shared()`'s start, under the PTE lock `do_wp_page()` took:
    /// the PTE still maps the folio read-only (else the access retries), and
    /// `folio_get()`.
    fn wp_get(&mut self, w: &mut World) -> Poll {
        let PteMode::Wp(t) = self.mode else {
            return Poll::Done(StepId::DoWpPage);
        };
        let p = w.mms[t as usize % MAX_TASKS].ptes[pte_slot(self.file, self.index)];
        if !p.present() || p.folio() != self.fault.folio || p.flags & pte::WRITE != 0 {
            w.note(Event::Note("PTE changed: retry"));
            if self.excl {
                self.pc = MwPc::End;
                return Poll::Ran(StepId::DoWpPage);
            }
            return Poll::Done(StepId::DoWpPage);
        }
        self.orig = p;
        folio_get(w, self.fault.folio);
        self.pc = MwPc::MkwriteLock;
        Poll::Ran(StepId::DoWpPage)
    }

    /// With the folio locked after `->page_mkwrite`: `finish_fault()` maps
    /// it writable and dirty (`do_shared_fault()`), or
    /// `finish_mkwrite_fault()` finds the PTE unchanged (`pte_same()`, else
    /// the access retries) and `wp_page_reuse()` makes it writable, dirty
    /// and young; then `fault_dirty_shared_page()` dirties the folio. One
    /// step: the folio lock covers both for every path that reads them
    /// (writeback, reclaim and truncation lock the folio first).
    fn finish_fault(&mut self, w: &mut World) -> Poll {
        let (t, id) = match self.mode {
            PteMode::Wp(t) => (t, StepId::WpPageReuse),
            PteMode::Shared(t) => (t, StepId::FinishFault),
            // The `mkwrite` operation's store, with no PTE.
            PteMode::Implicit => return self.store(w),
        };
        let r: FolioRef = self.fault.folio;
        w.check_ref(r);
        let slot = pte_slot(self.file, self.index);
        let p = &mut w.mms[t as usize % MAX_TASKS].ptes[slot];
        self.pc = MwPc::Unlock;
        match self.mode {
            // VM_FAULT_NOPAGE either way: the PTE is left alone, but
            // ->page_mkwrite has already dirtied the folio
            // (block_page_mkwrite()'s and iomap_page_mkwrite()'s
            // folio_mark_dirty() before VM_FAULT_LOCKED), which the
            // model does here, under the same folio lock.
            PteMode::Wp(_) if *p != self.orig => {
                w.note(Event::Note("PTE changed: retry"));
                set_page_dirty(w, r);
                return Poll::Ran(id);
            }
            PteMode::Wp(_) => p.flags |= pte::WRITE | pte::DIRTY | pte::YOUNG,
            _ if p.present() => {
                w.note(Event::Note("PTE already set: VM_FAULT_NOPAGE"));
                set_page_dirty(w, r);
                return Poll::Ran(id);
            }
            _ => {
                set_pte(w, t, self.file, self.index, r, true);
                self.pte_owns_ref = true;
            }
        }
        set_page_dirty(w, r);
        Poll::Ran(id)
    }
}

crate::impl_step!(PageMkwrite);
