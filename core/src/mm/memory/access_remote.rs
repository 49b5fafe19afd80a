//! mm/memory.c `__access_remote_vm()` for a write, as fs/proc/base.c
//! `mem_rw()` calls it for `write(2)` to `/proc/PID/mem` (and
//! kernel/ptrace.c for `PTRACE_POKEDATA`): one page of another task's
//! private file mapping written with `FOLL_FORCE`, which breaks
//! copy-on-write where the mapping is read-only.
//!
//! Under the target's `mmap_read_lock()`: the page from
//! [`crate::mm::gup_remote::GupRemote`], `copy_to_user_page()` of the data,
//! `set_page_dirty_lock()`, `put_page()`, `mmap_read_unlock()` (mainline;
//! the same steps since v4.8). The data is a new version of the target's
//! private copy ([`crate::mm::memory::access::private_copy_data`]); the
//! copy promises it to the target's loads once the write returned and
//! while the copy still holds it. Written anywhere else — the page-cache
//! folio — it is data no write to the file put there, which reads of the
//! file find (`stale-read`).

use crate::exec::poll::Poll;
use crate::mm::filemap::{folio_unlock, LockFolio};
use crate::mm::gup_remote::GupRemote;
use crate::mm::rmap::set_page_dirty;
use crate::mm::swap::folio_put;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::lock::mmap_lock;
use crate::world::{pte_slot, FolioRef, World, MAX_BLOCKS, MAX_TASKS};

use super::access::{private_copy_data, write_private_copy};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ArPc {
    Lock,
    Gup,
    Copy,
    DirtyLock,
    Dirty,
    Put,
    Unlock,
}

/// A `FOLL_FORCE` write of page `index` of task `t`'s private mapping of
/// `file` by the running task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccessRemote {
    t: u8,
    file: u8,
    index: u8,
    pc: ArPc,
    gup: Option<GupRemote>,
    lock: Option<LockFolio>,
    folio: FolioRef,
    /// The version written (0: nothing written).
    v: u16,
}

impl AccessRemote {
    /// The write of page `index` of `file` in task `t`'s address space.
    pub fn new(t: u8, file: u8, index: u8) -> AccessRemote {
        AccessRemote {
            t: t % MAX_TASKS as u8,
            file,
            index,
            pc: ArPc::Lock,
            gup: None,
            lock: None,
            folio: FolioRef::NONE,
            v: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            ArPc::Lock => self.lock(w),
            ArPc::Gup => {
                let make = GupRemote::new(self.t, self.file, self.index);
                let (id, g) = crate::nested!(self.gup, w, make);
                self.folio = g.folio;
                self.pc = if g.err != 0 { ArPc::Unlock } else { ArPc::Copy };
                Poll::Ran(id)
            }
            ArPc::Copy => self.copy(w),
            ArPc::DirtyLock => {
                let (id, _) = crate::nested!(self.lock, w, LockFolio::new(self.folio, false));
                self.pc = ArPc::Dirty;
                Poll::Ran(id)
            }
            ArPc::Dirty => {
                set_page_dirty(w, self.folio);
                folio_unlock(w, self.folio);
                self.pc = ArPc::Put;
                Poll::Ran(StepId::SetPageDirtyLock)
            }
            ArPc::Put => {
                folio_put(w, self.folio);
                self.pc = ArPc::Unlock;
                Poll::Ran(StepId::FolioPut)
            }
            ArPc::Unlock => self.unlock(w),
        }
    }

    /// `mmap_read_lock_killable()` and the VMA lookup: the target's private
    /// mapping must still be there (`-EFAULT`: nothing written).
    fn lock(&mut self, w: &mut World) -> Poll {
        // The target task's address space (its leader's, for a thread).
        self.t = w.mm_id(self.t) % MAX_TASKS as u8;
        if let Err(c) = w.lock_shared(mmap_lock(self.t)) {
            return Poll::Block(c);
        }
        self.pc = if w.mms[self.t as usize].maps_private(self.file) {
            ArPc::Gup
        } else {
            w.note(Event::Note("no VMA: -EFAULT"));
            ArPc::Unlock
        };
        Poll::Ran(StepId::MmapReadLock)
    }

    /// `copy_to_user_page()`: a new version of the private copy's data
    /// into whatever page GUP returned. A promise of an earlier write
    /// into the same copy is suspended until this one returns.
    fn copy(&mut self, w: &mut World) -> Poll {
        self.v = write_private_copy(w, self.t, self.file, self.index, self.folio);
        w.mms[self.t as usize].cow[pte_slot(self.file, self.index)] = 0;
        self.pc = ArPc::DirtyLock;
        Poll::Ran(StepId::CopyToUserPage)
    }

    /// `mmap_read_unlock()`; the write returns. The target's copy promises
    /// the data if its PTE still maps the copy written, the copy holds it
    /// and the page is inside `i_size` (a truncation that set a smaller
    /// size meanwhile discards the copy).
    fn unlock(&mut self, w: &mut World) -> Poll {
        w.unlock_shared(mmap_lock(self.t));
        let slot = pte_slot(self.file, self.index);
        let p = w.mms[self.t as usize].ptes[slot];
        let upp = w.cfg.upp(self.file).min(MAX_BLOCKS);
        let want = private_copy_data(self.t, self.file, self.index, self.v);
        let r = self.folio;
        let holds = |w: &World| w.frames[r.frame as usize].data[..upp] == want[..upp];
        // A copy past EOF is the truncation's to discard: no promise.
        let inside = self.index < w.mappings[self.file as usize].i_size;
        if self.v != 0
            && inside
            && p.present()
            && p.folio() == r
            && w.frames[r.frame as usize].anon != 0
            && holds(w)
        {
            w.mms[self.t as usize].cow[slot] = self.v;
        }
        Poll::Done(StepId::MmapReadUnlock)
    }
}

crate::impl_step!(AccessRemote);
