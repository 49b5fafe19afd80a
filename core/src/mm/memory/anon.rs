//! mm/memory.c, mm/madvise.c: a task's anonymous memory — the first-touch
//! fault (`do_anonymous_page()`), the user's loads and stores, and
//! `madvise(MADV_DONTNEED)` / `madvise(MADV_FREE)` (mainline).
//!
//! Each task has [`crate::world::MAX_INDEX`] anonymous pages
//! (`MAP_PRIVATE | MAP_ANONYMOUS`, the heap its buffers are in), a PTE row
//! of its own ([`crate::world::ANON`]); the VMA exists from the start and
//! is marked in [`crate::world::MmStruct::vmas`] by the first fault, so
//! that the task's exit tears it down. No `fork()`: an anonymous folio is
//! mapped by its owner only (its `anon_vma` is its own mm), and no swap:
//! reclaim can take an anonymous folio only when `MADV_FREE` made it
//! lazily freeable. A load of a page with no PTE reads zeroes: the kernel
//! maps the shared zero page read-only there (`do_anonymous_page()`
//! without `FAULT_FLAG_WRITE`), which no modelled path reclaims, writes
//! back or pins, and which a store replaces as the write fault here does.
//! What each page promises a load is [`crate::world::AnonPromise`]; the
//! oracle is `user-data-lost`.

use crate::exec::poll::Poll;
use crate::mm::page_alloc::folio_alloc;
use crate::mm::swap::folio_put;
use crate::oracle::{OracleId, Payload};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    pg, pte, pte_slot, token, AnonPromise, FolioRef, Pte, World, ANON, MAX_BLOCKS, MAX_INDEX,
    MAX_TASKS,
};

use super::cow::WpCopy;
use super::zap::Zap;

/// `do_anonymous_page()` with `FAULT_FLAG_WRITE` for task `t`'s anonymous
/// page `page`: `alloc_anon_folio()` (a zeroed folio), then under the PTE
/// lock, if the PTE is still none, `folio_add_new_anon_rmap()` (anonymous,
/// exclusive, PG_swapbacked), `folio_add_lru_vma()` and `set_pte_at()`
/// writable, dirty and young; a PTE someone else set meanwhile makes the
/// new folio go again. `oom`: the allocation failed (`VM_FAULT_OOM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnonFault {
    t: u8,
    page: u8,
    folio: FolioRef,
    /// The allocation failed.
    pub oom: bool,
}

impl AnonFault {
    /// The write fault of task `t`'s anonymous page `page`.
    pub fn new(t: u8, page: u8) -> AnonFault {
        AnonFault {
            t: t % MAX_TASKS as u8,
            page: page % MAX_INDEX as u8,
            folio: FolioRef::NONE,
            oom: false,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if self.folio.is_none() {
            let Some(r) = folio_alloc(w) else {
                self.oom = true;
                return Poll::Done(StepId::AllocAnonFolio);
            };
            let fr = w.frame_mut(r);
            fr.data = [0; MAX_BLOCKS];
            fr.flags |= pg::UPTODATE;
            self.folio = r;
            return Poll::Ran(StepId::AllocAnonFolio);
        }
        let (t, slot) = (self.t as usize, pte_slot(ANON, self.page));
        if w.mms[t].ptes[slot].present() {
            folio_put(w, self.folio);
            return Poll::Done(StepId::DoAnonymousPage);
        }
        let r = self.folio;
        let fr = w.frame_mut(r);
        fr.anon = self.t + 1;
        fr.index = self.page;
        fr.mapcount = 1;
        fr.flags |= pg::SWAPBACKED | pg::LRU | pg::ANON_EXCLUSIVE;
        w.mms[t].ptes[slot] = Pte {
            frame: r.frame,
            flags: pte::PRESENT | pte::WRITE | pte::DIRTY | pte::YOUNG,
            inc: r.inc,
        };
        w.mms[t].vmas |= 1 << ANON;
        Poll::Done(StepId::DoAnonymousPage)
    }
}

/// A load (`store` false) or store of the running task's anonymous page
/// `page`. The CPU's access through a present PTE is one step, as for a
/// file page; a store without a PTE takes [`AnonFault`] and runs again.
/// A store writes a new version of the page's data and promises it; a load
/// is checked against the promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnonAccess {
    page: u8,
    store: bool,
    /// A store of this data instead of a new version of the page's own.
    data: Option<[u32; MAX_BLOCKS]>,
    fault: Option<AnonFault>,
    /// `do_wp_page()` of a read-only PTE (the page shared since `fork()`).
    wp: Option<WpCopy>,
    /// The fault failed with `VM_FAULT_OOM`: the access did not happen.
    pub oom: bool,
    /// The page was claimed ([`World::dio_begin`]).
    begun: bool,
}

impl AnonAccess {
    /// A load or store of anonymous page `page`.
    pub fn new(page: u8, store: bool) -> AnonAccess {
        AnonAccess {
            page: page % MAX_INDEX as u8,
            store,
            data: None,
            fault: None,
            wp: None,
            oom: false,
            begun: false,
        }
    }

    /// A store of `data` to anonymous page `page` (a program filling a
    /// buffer it is about to write to a file).
    pub fn fill(page: u8, data: [u32; MAX_BLOCKS]) -> AnonAccess {
        AnonAccess {
            data: Some(data),
            ..AnonAccess::new(page, true)
        }
    }

    /// Take one step. In an mm with threads the page is claimed from the
    /// first step to the last, so that no other thread's direct I/O on
    /// it runs meanwhile ([`crate::op::pre::buffer_idle`]).
    pub fn step(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me) % MAX_TASKS as u8;
        if !self.begun {
            self.begun = true;
            w.dio_begin(t, self.page);
        }
        let p = self.access(w, t);
        if matches!(p, Poll::Done(_)) {
            w.dio_end(t, self.page);
        }
        p
    }

    fn access(&mut self, w: &mut World, t: u8) -> Poll {
        if self.wp.is_some() {
            let (id, f) = crate::nested!(self.wp, w, WpCopy::new(t, ANON, self.page));
            if f.oom {
                self.oom = true;
                w.note(Event::Note("VM_FAULT_OOM"));
                return Poll::Done(id);
            }
            return Poll::Ran(id);
        }
        if self.fault.is_some() {
            let (id, f) = crate::nested!(self.fault, w, AnonFault::new(t, self.page));
            if f.oom {
                self.oom = true;
                w.note(Event::Note("VM_FAULT_OOM"));
                return Poll::Done(id);
            }
            return Poll::Ran(id);
        }
        let slot = pte_slot(ANON, self.page);
        let cached = w.tlb_hit(w.me, slot, self.store);
        let p = cached.unwrap_or(w.mms[t as usize].ptes[slot]);
        if self.store && p.present() && p.flags & pte::WRITE == 0 {
            // A write fault on the read-only PTE: do_wp_page().
            self.wp = Some(WpCopy::new(t, ANON, self.page));
            return self.access(w, t);
        }
        if !p.present() {
            if self.store {
                if let Err(c) = w.ptl_spin(t) {
                    return Poll::Block(c);
                }
                self.fault = Some(AnonFault::new(t, self.page));
                return self.access(w, t);
            }
            check_anon(w, t, self.page, FolioRef::NONE, &[0; MAX_BLOCKS]);
            return Poll::Done(StepId::UserLoad);
        }
        let r = p.folio();
        w.check_ref(r);
        let stale = w.tlb_stale(w.me, slot, cached);
        w.walk_or_tlb(slot, cached, self.store);
        if self.store {
            anon_store(w, t, self.page, r, self.data);
            if stale {
                w.mms[t as usize].anon[self.page as usize].may_zero = true;
            }
            return Poll::Done(StepId::UserStore);
        }
        if stale {
            return Poll::Done(StepId::UserLoad);
        }
        let data = w.frame(r).data;
        check_anon(w, t, self.page, r, &data);
        Poll::Done(StepId::UserLoad)
    }
}

/// A store to task `t`'s anonymous page `page` in folio `r` of `data`, or
/// of a new version of the page's own: the whole page, promised to later
/// loads.
fn anon_store(w: &mut World, t: u8, page: u8, r: FolioRef, data: Option<[u32; MAX_BLOCKS]>) {
    let a = &mut w.mms[t as usize].anon[page as usize];
    let data = data.unwrap_or_else(|| {
        let tok = token::anon(t, page, a.next);
        a.next = a.next.wrapping_add(1).max(1);
        [tok; MAX_BLOCKS]
    });
    a.data = data;
    a.may_zero = false;
    a.any = false;
    w.frame_mut(r).data = data;
}

/// Fire `user-data-lost` if a load of task `t`'s anonymous page `page`
/// found `data` (in folio `r`, or the zero page) where the page promised
/// other data.
pub fn check_anon(w: &mut World, t: u8, page: u8, r: FolioRef, data: &[u32; MAX_BLOCKS]) {
    let a = w.mms[t as usize].anon[page as usize];
    if a.kept(data) {
        return;
    }
    let j = (0..MAX_BLOCKS).find(|&j| data[j] != a.data[j]).unwrap_or(0);
    w.fire(
        OracleId::UserDataLost,
        r.frame,
        Payload::Data {
            found: data[j],
            promised: a.data[j],
        },
    );
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MadvPc {
    Start,
    Zap,
    Free,
}

/// `madvise()` of the running task's anonymous page `page`:
/// `MADV_DONTNEED` (`free` false: `zap_page_range_single()`, the page
/// reads zeroes from now on) or `MADV_FREE` (`madvise_free_pte_range()`:
/// the data may go until the next store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnonMadvise {
    page: u8,
    free: bool,
    pc: MadvPc,
    zap: Zap,
    /// The page was claimed ([`World::dio_begin`]).
    begun: bool,
}

impl AnonMadvise {
    /// `madvise(MADV_FREE)` (`free`) or `madvise(MADV_DONTNEED)` of page `page`.
    pub fn new(page: u8, free: bool) -> AnonMadvise {
        AnonMadvise {
            page: page % MAX_INDEX as u8,
            free,
            pc: MadvPc::Start,
            zap: Zap::NONE,
            begun: false,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me) % MAX_TASKS as u8;
        if !self.begun {
            self.begun = true;
            w.dio_begin(t, self.page);
        }
        let p = self.advise(w, t);
        if matches!(p, Poll::Done(_)) {
            w.dio_end(t, self.page);
        }
        p
    }

    fn advise(&mut self, w: &mut World, t: u8) -> Poll {
        match self.pc {
            MadvPc::Start => {
                // MADV_FREE leaves the page mapped (reclaim may discard it
                // later: rmap's unmap_lazyfree() then unmaps it from a pin).
                if !self.free {
                    w.mms[t as usize].disconnect_pin(self.page);
                }
                let a = &mut w.mms[t as usize].anon[self.page as usize];
                if self.free {
                    a.may_zero = true;
                    self.pc = MadvPc::Free;
                } else {
                    *a = AnonPromise {
                        next: a.next,
                        ..AnonPromise::ZERO
                    };
                    let p = self.page;
                    self.zap = Zap::new(w, 1 << t, ANON, p, p + 1, crate::world::NO_FRAME);
                    if self.zap.is_empty() {
                        return Poll::Done(StepId::ZapPteRange);
                    }
                    self.pc = MadvPc::Zap;
                }
                self.advise(w, t)
            }
            MadvPc::Zap => self.zap.step(w),
            MadvPc::Free => {
                madvise_free_pte(w, t, self.page);
                Poll::Done(StepId::MadviseFreePteRange)
            }
        }
    }
}

/// `madvise_free_pte_range()` on one PTE, under the PTE lock: a folio
/// mapped by this mm only (`folio_maybe_mapped_shared()` false) is made
/// lazily freeable — if PG_dirty, `folio_trylock()` (busy: skip it),
/// `folio_clear_dirty()`, `folio_unlock()`; the PTE made old and clean;
/// `folio_mark_lazyfree()` clears PG_swapbacked (through the per-CPU
/// `lru_lazyfree` batch, here drained at once: a folio still in a batch
/// is swap-backed, which reclaim without swap keeps anyway).
fn madvise_free_pte(w: &mut World, t: u8, page: u8) {
    let slot = pte_slot(ANON, page);
    let p = w.mms[t as usize].ptes[slot];
    if !p.present() {
        return;
    }
    let r = p.folio();
    if !w.check_ref(r) || w.frame(r).mapcount != 1 {
        return;
    }
    let fr = *w.frame(r);
    if fr.flags & pg::DIRTY != 0 {
        if fr.flags & pg::LOCKED != 0 {
            w.note(Event::Note("folio locked: skipped"));
            return;
        }
        w.frame_mut(r).flags &= !pg::DIRTY;
    }
    w.mms[t as usize].ptes[slot].flags &= !(pte::DIRTY | pte::YOUNG);
    // tlb_remove_tlb_entry(): the kernel flushes at tlb_finish_mmu();
    // here at once (a store by another thread racing MADV_FREE could
    // be lost by its contract, which AnonPromise does not express).
    w.flush_tlb_page(t, slot);
    w.frame_mut(r).flags &= !pg::SWAPBACKED;
}

crate::impl_step!(AnonFault, AnonAccess, AnonMadvise);
