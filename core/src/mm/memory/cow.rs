//! mm/memory.c: a write fault on a read-only PTE of a private file mapping
//! — `do_wp_page()` breaking copy-on-write: an anonymous folio the task
//! maps exclusively is reused (`wp_page_reuse()`); a page-cache folio is
//! copied (`wp_page_copy()`). The fault without a PTE, `do_cow_fault()`, is
//! [`super::ReadFault::cow`].
//!
//! Followed: mm/memory.c of mainline (`do_wp_page()`, `wp_page_reuse()`,
//! `wp_page_copy()`), which take these steps as v5.0 did; the return value
//! `VM_FAULT_WRITE` (v5.0 until cb8d86331343, v6.2) is
//! [`WpCopy::vm_fault_write`]. Without `fork()` an anonymous folio in a
//! task's PTE is always exclusive to it (`PageAnonExclusive()`; v5.0's
//! `reuse_swap_page()` with a mapcount of 1 and no swap cache; v5.8–v6.1's
//! `page_count() == 1` would copy instead while another context holds a
//! reference, which the model does not distinguish: not modelled).

use crate::exec::poll::Poll;
use crate::mm::swap::{folio_get, folio_put};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pte, pte_slot, FolioRef, Pte, World, MAX_TASKS};

use super::access::{folio_prealloc, map_private_copy};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WpPc {
    Check,
    Alloc,
    Copy,
    Replace,
    /// The references still to drop (`folio_put()` each).
    Put(u8),
}

/// `do_wp_page()` of task `t`'s read-only PTE of page `index` of its
/// private mapping of `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WpCopy {
    t: u8,
    file: u8,
    index: u8,
    pc: WpPc,
    /// The PTE as the fault found it (`vmf->orig_pte`).
    orig: Pte,
    old: FolioRef,
    new: FolioRef,
    /// The fault broke copy-on-write (reused or copied): `VM_FAULT_WRITE`.
    pub vm_fault_write: bool,
    /// The copy could not be allocated (`VM_FAULT_OOM`).
    pub oom: bool,
}

impl WpCopy {
    /// The write fault of task `t` on page `index` of `file`.
    pub fn new(t: u8, file: u8, index: u8) -> WpCopy {
        WpCopy {
            t: t % MAX_TASKS as u8,
            file,
            index,
            pc: WpPc::Check,
            orig: Pte::NONE,
            old: FolioRef::NONE,
            new: FolioRef::NONE,
            vm_fault_write: false,
            oom: false,
        }
    }

    fn slot(&self) -> usize {
        pte_slot(self.file, self.index)
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            WpPc::Check => self.check(w),
            WpPc::Alloc => {
                let Some(r) = folio_prealloc(w) else {
                    self.oom = true;
                    self.pc = WpPc::Put(1);
                    return Poll::Ran(StepId::FolioPrealloc);
                };
                self.new = r;
                self.pc = WpPc::Copy;
                Poll::Ran(StepId::FolioPrealloc)
            }
            WpPc::Copy => {
                // __wp_page_copy_user(): no lock on the old folio.
                let data = w.frame(self.old).data;
                w.frame_mut(self.new).data = data;
                self.pc = WpPc::Replace;
                Poll::Ran(StepId::CopyUserHighpage)
            }
            WpPc::Replace => self.replace(w),
            WpPc::Put(n) => {
                folio_put(w, self.old);
                if n > 1 {
                    self.pc = WpPc::Put(n - 1);
                    return Poll::Ran(StepId::FolioPut);
                }
                Poll::Done(StepId::FolioPut)
            }
        }
    }

    /// Under the PTE lock: a PTE that changed since the fault read it
    /// makes the fault return (the access retries); an anonymous folio is
    /// reused; a page-cache folio is referenced for the copy.
    fn check(&mut self, w: &mut World) -> Poll {
        if let Err(c) = w.ptl_spin(self.t) {
            return Poll::Block(c);
        }
        let p = w.mms[self.t as usize].ptes[self.slot()];
        if !p.present() || p.flags & pte::WRITE != 0 {
            w.note(Event::Note("PTE changed: the fault returns"));
            return Poll::Done(StepId::DoWpPage);
        }
        let r = p.folio();
        w.check_ref(r);
        if w.frame(r).anon != 0 {
            // wp_page_reuse(): maybe_mkwrite() makes it writable only
            // with VM_WRITE.
            let mm = &mut w.mms[self.t as usize];
            let write = if mm.vm_write(self.file) {
                pte::WRITE
            } else {
                0
            };
            mm.ptes[self.slot()].flags |= pte::DIRTY | pte::YOUNG | write;
            self.vm_fault_write = true;
            return Poll::Done(StepId::DoWpPage);
        }
        folio_get(w, r);
        self.orig = p;
        self.old = r;
        self.pc = WpPc::Alloc;
        Poll::Ran(StepId::DoWpPage)
    }

    /// `wp_page_copy()` under the PTE lock: the copy replaces the folio if
    /// the PTE is the same (the old folio loses the PTE's mapcount and,
    /// after the lock, its reference and the fault's); else the copy goes.
    fn replace(&mut self, w: &mut World) -> Poll {
        if let Err(c) = w.ptl_spin(self.t) {
            return Poll::Block(c);
        }
        let p = w.mms[self.t as usize].ptes[self.slot()];
        let n = if p == self.orig {
            // ptep_clear_flush() of the old entry, then set_pte_at().
            w.flush_tlb_page(self.t, self.slot());
            map_private_copy(w, self.t, self.file, self.index, self.new);
            let fr = w.frame_mut(self.old);
            fr.mapcount = fr.mapcount.saturating_sub(1);
            self.vm_fault_write = true;
            2
        } else {
            w.note(Event::Note("PTE changed: the copy is freed"));
            folio_put(w, self.new);
            1
        };
        self.new = FolioRef::NONE;
        self.pc = WpPc::Put(n);
        Poll::Ran(StepId::WpPageCopy)
    }
}

crate::impl_step!(WpCopy);
