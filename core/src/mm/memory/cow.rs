//! mm/memory.c: a write fault on a read-only PTE of a private mapping —
//! `do_wp_page()` breaking copy-on-write: an anonymous folio is reused
//! (`wp_page_reuse()`) when the release's test says nobody else can see it
//! ([`wp_can_reuse_anon`]); otherwise, and for a page-cache folio, it is
//! copied (`wp_page_copy()`). The same machine serves the anonymous heap
//! (file [`ANON`]), whose PTEs are read-only after `fork()`, and
//! `FAULT_FLAG_UNSHARE` ([`WpCopy::unshare`]: a read-only pin of a page
//! that may be shared, a7f226604170), which copies or claims the page but
//! leaves the PTE read-only. The fault without a PTE, `do_cow_fault()`, is
//! [`super::ReadFault::cow`].
//!
//! Followed: mm/memory.c of mainline (`do_wp_page()`,
//! `wp_can_reuse_anon_folio()`, `wp_page_reuse()`, `wp_page_copy()`), of
//! v5.10 (09854ba94c6a's `page_count()` test) and of v5.0
//! (`reuse_swap_page()`); the return value `VM_FAULT_WRITE` (v5.0 until
//! cb8d86331343, v6.2) is [`WpCopy::vm_fault_write`]. Not modelled: v5.0's
//! sleep in `lock_page()` when `trylock_page()` fails (the fault copies
//! instead, which keeps every promise), and swap counts.

use crate::exec::poll::Poll;
use crate::mm::swap::{folio_get, folio_put};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pg, pte, pte_slot, FolioRef, Pte, World, MAX_TASKS};

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
    /// `FAULT_FLAG_UNSHARE`: make the page exclusive, the PTE stays read-only.
    unshare: bool,
}

/// `do_wp_page()`'s test whether anonymous folio `r` may be reused in
/// place: with [`Toggle::GupUnshare`] (6c287605fd56) if PG_anon_exclusive,
/// else if `folio_ref_count() == 1` under `folio_trylock()`
/// (`wp_can_reuse_anon_folio()`), which makes it exclusive; with
/// [`Toggle::WpPageCount`] if `page_count() == 1` under `trylock_page()`;
/// before it if `reuse_swap_page()` finds a mapcount of 1, whatever other
/// references (a GUP pin) the page has.
pub fn wp_can_reuse_anon(w: &mut World, r: FolioRef) -> bool {
    let fr = *w.frame(r);
    let unlocked = fr.flags & pg::LOCKED == 0;
    if w.has(Toggle::GupUnshare) {
        if fr.flags & pg::ANON_EXCLUSIVE != 0 {
            return true;
        }
        let ok = fr.refcount == 1 && unlocked;
        if ok {
            w.frame_mut(r).flags |= pg::ANON_EXCLUSIVE;
        }
        ok
    } else if w.has(Toggle::WpPageCount) {
        fr.refcount == 1 && unlocked
    } else {
        fr.mapcount == 1 && unlocked
    }
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
            unshare: false,
        }
    }

    /// `handle_mm_fault(FAULT_FLAG_UNSHARE)` of task `t`'s page `index` of
    /// `file`: GUP's read-only pin of a page that may be shared.
    pub fn unshare(t: u8, file: u8, index: u8) -> WpCopy {
        WpCopy {
            unshare: true,
            ..WpCopy::new(t, file, index)
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
        if !p.present() || (!self.unshare && p.flags & pte::WRITE != 0) {
            w.note(Event::Note("PTE changed: the fault returns"));
            return Poll::Done(StepId::DoWpPage);
        }
        let r = p.folio();
        w.check_ref(r);
        if w.frame(r).anon != 0 && wp_can_reuse_anon(w, r) {
            if self.unshare {
                return Poll::Done(StepId::DoWpPage);
            }
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
            if self.unshare {
                // wp_page_copy() with unshare: no maybe_mkwrite(pte_mkdirty()).
                w.mms[self.t as usize].ptes[self.slot()].flags &= !(pte::WRITE | pte::DIRTY);
            }
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
