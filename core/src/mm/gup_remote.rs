//! mm/gup.c: the slow path of `get_user_pages_remote()` with `FOLL_WRITE |
//! FOLL_FORCE` (`__get_user_pages()`), as `__access_remote_vm()` calls it
//! for a write to `/proc/PID/mem` or `ptrace(PTRACE_POKEDATA)`: look the
//! page up under the PTE lock (`follow_page_pte()`), and while that fails
//! fault it in (`faultin_page()` → `handle_mm_fault()`) and look again. A
//! `FOLL_FORCE` write may write where the mapping is read-only, by
//! breaking copy-on-write of a private mapping: the page it returns must
//! be the private copy, never the page-cache folio.
//!
//! Which PTE the write may follow changed twice, each release's rule is
//! taken: before 19be0eaffa3a `FOLL_WRITE` was dropped after a fault that
//! broke COW ([`Toggle::FollCow`] off), then `FOLL_COW` and a dirty PTE
//! were required, and since 5535be309971 an exclusive anonymous folio is
//! ([`Toggle::GupAnonExclusive`]). The caller holds the target's
//! `mmap_lock` shared. Not modelled: `FOLL_TOUCH`'s dirtying (the caller
//! dirties the page itself), soft-dirty and userfaultfd write-protection.

use crate::exec::poll::Poll;
use crate::mm::memory::{ReadFault, WpCopy};
use crate::mm::swap::folio_get;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pg, pte, pte_slot, FolioRef, Pte, World, MAX_TASKS};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum GrPc {
    Follow,
    Fault,
}

/// `get_user_pages_remote(mm, addr, 1, FOLL_WRITE | FOLL_FORCE, …)` of
/// page `index` of task `t`'s private mapping of `file`: `folio` with a
/// reference once done, or `err`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GupRemote {
    t: u8,
    file: u8,
    index: u8,
    pc: GrPc,
    /// `FOLL_WRITE` is still set.
    write: bool,
    /// `FOLL_COW` (19be0eaffa3a until 5535be309971).
    cow: bool,
    read: Option<ReadFault>,
    wp: Option<WpCopy>,
    /// The page taken (`FolioRef::NONE` on failure).
    pub folio: FolioRef,
    /// 0, or `-EFAULT` (-14) / `-ENOMEM` (-12).
    pub err: i8,
}

impl GupRemote {
    /// The lookup of page `index` of task `t`'s mapping of `file` for a
    /// forced write.
    pub fn new(t: u8, file: u8, index: u8) -> GupRemote {
        GupRemote {
            t: t % MAX_TASKS as u8,
            file,
            index,
            pc: GrPc::Follow,
            write: true,
            cow: false,
            read: None,
            wp: None,
            folio: FolioRef::NONE,
            err: 0,
        }
    }

    fn pte(&self, w: &World) -> Pte {
        w.mms[self.t as usize].ptes[pte_slot(self.file, self.index)]
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            GrPc::Follow => self.follow(w),
            GrPc::Fault => self.fault(w),
        }
    }

    /// `follow_page_pte()` under the PTE lock: a present PTE the flags
    /// allow is followed (`try_grab_folio()`, `FOLL_GET`: one reference);
    /// else the page is faulted in.
    fn follow(&mut self, w: &mut World) -> Poll {
        // follow_page_pte() under the PTE lock: a zap's flush window waits.
        if let Err(c) = w.ptl_spin(self.t) {
            return Poll::Block(c);
        }
        let p = self.pte(w);
        if p.present() && (!self.write || self.can_follow_write_pte(w, p)) {
            let r = p.folio();
            folio_get(w, r);
            self.folio = r;
            return Poll::Done(StepId::FollowPagePte);
        }
        self.pc = GrPc::Fault;
        Poll::Ran(StepId::FollowPagePte)
    }

    /// `can_follow_write_pte()`: a writable PTE; or, for `FOLL_FORCE` in a
    /// private mapping without `VM_WRITE`, after 5535be309971 an exclusive
    /// anonymous folio, before it `FOLL_COW` and a dirty PTE; before
    /// 19be0eaffa3a only a writable one.
    fn can_follow_write_pte(&self, w: &World, p: Pte) -> bool {
        if p.flags & pte::WRITE != 0 {
            return true;
        }
        if w.has(Toggle::GupAnonExclusive) {
            // A mapping with VM_WRITE takes the write fault instead.
            !w.mms[self.t as usize].vm_write(self.file)
                && w.frames[p.frame as usize].flags & pg::ANON_EXCLUSIVE != 0
        } else if w.has(Toggle::FollCow) {
            self.cow && p.flags & pte::DIRTY != 0
        } else {
            false
        }
    }

    /// `faultin_page()`: `handle_mm_fault()` with `FAULT_FLAG_WRITE` while
    /// `FOLL_WRITE` is set (no PTE: `do_cow_fault()`; a read-only one:
    /// `do_wp_page()`), else a read fault (`do_read_fault()`); then the
    /// flags as the release set them after `VM_FAULT_WRITE`, and the lookup
    /// again.
    fn fault(&mut self, w: &mut World) -> Poll {
        let (t, f, i) = (self.t, self.file, self.index);
        let present = self.pte(w).present();
        let wp = self.wp.is_some() || (self.read.is_none() && present && self.write);
        let (id, failed, vm_fault_write) = if wp {
            let (id, wp) = crate::nested!(self.wp, w, WpCopy::new(t, f, i));
            (id, wp.oom, wp.vm_fault_write)
        } else if self.read.is_some() || !present {
            let make = if self.write {
                ReadFault::cow(t, f, i)
            } else {
                ReadFault::new(t, f, i)
            };
            let (id, rf) = crate::nested!(self.read, w, make);
            (id, rf.sigbus || rf.oom, false)
        } else {
            // A read fault on a present PTE: nothing to do but look again.
            self.pc = GrPc::Follow;
            return self.follow(w);
        };
        if failed {
            w.note(Event::Note("the fault failed: -EFAULT"));
            self.err = -14;
            return Poll::Done(id);
        }
        let vm_write = w.mms[self.t as usize].vm_write(self.file);
        if vm_fault_write && !vm_write && !w.has(Toggle::GupAnonExclusive) {
            if w.has(Toggle::FollCow) {
                self.cow = true;
            } else {
                w.note(Event::Note("VM_FAULT_WRITE: FOLL_WRITE dropped"));
                self.write = false;
            }
        }
        self.pc = GrPc::Follow;
        Poll::Ran(id)
    }
}

crate::impl_step!(GupRemote);
