//! mm/gup.c: taking a reference on (or pinning) the page behind a user
//! address for I/O — `get_user_pages_fast()` / `pin_user_pages_fast()` as
//! a direct-I/O bio takes its pages (`bio_iov_iter_get_pages()`), with
//! `FOLL_WRITE` (the device writes to the page), for one page of the
//! task's anonymous memory (mainline).
//!
//! The lockless fast path (`gup_fast_pte_range()`, no PTE lock, interrupts
//! off) reads the PTE, takes the reference (`try_grab_folio_fast()`: a
//! try-get that fails on a frozen or freed folio), then reads the PTE again
//! and drops the reference if it changed: paired with an unmapper's
//! "clear the PTE, then read the refcount" (6c8e2a256915's comment in
//! `try_to_unmap_one()`), one of the two sees the other. Three steps: two
//! lockless reads and an atomic RMW. A PTE that is none or read-only falls
//! back to the slow path (`__get_user_pages()` under `mmap_lock`):
//! `follow_page_pte()` under the PTE lock takes the reference, or
//! `faultin_page()` → `handle_mm_fault(FAULT_FLAG_WRITE)` faults the page
//! in and the walk runs again.
//!
//! A pin adds `GUP_PIN_COUNTING_BIAS` to an order-0 folio's refcount, a
//! plain reference 1 (which one a bio takes: [`crate::profile::Toggle::BioPinPages`]);
//! `fork()` reads the difference (`folio_maybe_dma_pinned()`,
//! [`crate::profile::Toggle::ForkEarlyCow`]).
//!
//! Without `FOLL_WRITE` ([`Gup::pin`] read-only: the device only reads)
//! any present PTE serves, read-only after `fork()` too: the page may be
//! shared with the child. Two releases differ: 17839856fd58 (v5.8 only: a308c71bf1e6 removed it in v5.9)
//! breaks copy-on-write for such a GUP as for a write
//! ([`crate::profile::Toggle::GupCowBreak`]); a7f226604170 (v5.19) makes a
//! read-only `FOLL_PIN` of an anonymous page that is not PG_anon_exclusive
//! take the slow path (`gup_must_unshare()`) and fault with
//! `FAULT_FLAG_UNSHARE` ([`crate::profile::Toggle::GupUnshare`]). Where
//! the kernel maps the shared zero page for a read fault of a page never
//! touched, the model faults a new zeroed folio in (no modelled path tells
//! them apart).

use crate::exec::poll::Poll;
use crate::mm::memory::{AnonFault, WpCopy};
use crate::mm::swap::{folio_put_refs, folio_try_get};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pg, pte, pte_slot, FolioRef, Pte, World, ANON, MAX_INDEX, MAX_TASKS};

/// `GUP_PIN_COUNTING_BIAS` (include/linux/mm.h): what `FOLL_PIN` adds to
/// an order-0 folio's refcount.
pub const GUP_PIN_COUNTING_BIAS: i16 = 1024;

/// The references a direct-I/O bio holds on each page: one pin
/// (a7e689dd1c06) or one plain reference before it.
#[inline]
pub fn bio_page_refs(w: &World) -> i16 {
    if w.has(Toggle::BioPinPages) {
        GUP_PIN_COUNTING_BIAS
    } else {
        1
    }
}

/// `unpin_user_page()` / `put_page()` of a page a bio took with [`Gup`].
pub fn bio_release_page(w: &mut World, r: FolioRef, refs: i16) {
    folio_put_refs(w, r, refs);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum GupPc {
    /// `gup_fast_pte_range()`: `ptep_get_lockless()`.
    FastPte,
    /// `try_grab_folio_fast()` of the folio the PTE mapped.
    FastGrab(Pte),
    /// The PTE read again: unchanged, or the reference goes.
    FastRecheck(Pte, FolioRef),
    /// `follow_page_pte()` under the PTE lock.
    Follow,
    /// `faultin_page()`.
    Fault,
}

/// Take the page behind the running task's anonymous page `page` for a
/// device to write, holding [`bio_page_refs`] references: `folio` once done
/// (`None` when the fault failed: `-ENOMEM`, or `-EFAULT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gup {
    page: u8,
    pc: GupPc,
    /// `FOLL_WRITE`.
    write: bool,
    /// `FOLL_PIN` of a long-term pin ([`Gup::pin`]): always the pin's bias.
    pin: bool,
    fault: Option<AnonFault>,
    wp: Option<WpCopy>,
    /// The folio taken, once done (`FolioRef::NONE` on failure).
    pub folio: FolioRef,
    /// The references taken on it.
    pub refs: i16,
}

impl Gup {
    /// `get_user_pages_fast(addr, 1, FOLL_WRITE, …)` of anonymous page `page`.
    pub fn new(page: u8) -> Gup {
        Gup {
            page: page % MAX_INDEX as u8,
            pc: GupPc::FastPte,
            write: true,
            pin: false,
            fault: None,
            wp: None,
            folio: FolioRef::NONE,
            refs: 1,
        }
    }

    /// `pin_user_pages_fast(addr, 1, FOLL_LONGTERM [| FOLL_WRITE], …)` of
    /// anonymous page `page`, as a driver registers a user buffer (RDMA,
    /// io_uring's fixed buffers; `FOLL_PIN` since eddb1c228f79, v5.6, a
    /// plain reference before it, which no modelled test of v5.0–v5.5
    /// tells apart).
    pub fn pin(page: u8, write: bool) -> Gup {
        Gup {
            write,
            pin: true,
            ..Gup::new(page)
        }
    }

    /// `FOLL_WRITE`, or a GUP that breaks copy-on-write as if it were
    /// (17839856fd58's `should_force_cow_break()`: a reference taken on the
    /// private anonymous VMA).
    fn for_write(&self, w: &World) -> bool {
        self.write || w.has(Toggle::GupCowBreak)
    }

    /// Whether the PTE serves: present, and writable for a write; for a
    /// read-only pin with [`Toggle::GupUnshare`], not a page that may be
    /// shared (`gup_must_unshare()`).
    fn pte_serves(&self, w: &World, p: Pte) -> bool {
        if !p.present() {
            return false;
        }
        if self.for_write(w) {
            return p.flags & pte::WRITE != 0;
        }
        let fr = &w.frames[p.frame as usize % w.frames.len()];
        let shared = fr.anon != 0 && fr.flags & pg::ANON_EXCLUSIVE == 0;
        p.flags & pte::WRITE != 0 || !(w.has(Toggle::GupUnshare) && shared)
    }

    fn pte(&self, w: &World) -> Pte {
        w.mms[w.mm_id(w.me) as usize % MAX_TASKS].ptes[pte_slot(ANON, self.page)]
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        self.refs = if self.pin {
            GUP_PIN_COUNTING_BIAS
        } else {
            bio_page_refs(w)
        };
        match self.pc {
            GupPc::FastPte => {
                let p = self.pte(w);
                self.pc = if self.pte_serves(w, p) {
                    GupPc::FastGrab(p)
                } else {
                    GupPc::Follow
                };
                Poll::Ran(StepId::GupFastPteRange)
            }
            GupPc::FastGrab(p) => {
                self.pc = match self.try_grab(w, p.frame) {
                    Some(r) => GupPc::FastRecheck(p, r),
                    None => GupPc::Follow,
                };
                Poll::Ran(StepId::TryGrabFolioFast)
            }
            GupPc::FastRecheck(p, r) => {
                if self.pte(w) == p && r.inc == p.inc {
                    self.folio = r;
                    return Poll::Done(StepId::GupFastPteRecheck);
                }
                w.note(Event::Note("PTE changed: drop, slow path"));
                folio_put_refs(w, r, self.refs);
                self.pc = GupPc::Follow;
                Poll::Ran(StepId::GupFastPteRecheck)
            }
            GupPc::Follow => self.follow(w),
            GupPc::Fault => self.faultin_page(w),
        }
    }

    /// `faultin_page()` → `handle_mm_fault()`: no PTE, `do_anonymous_page()`;
    /// a read-only one, `do_wp_page()` for a write or an unshare.
    fn faultin_page(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me);
        let present = self.pte(w).present();
        let (id, oom) = if self.wp.is_some() || (self.fault.is_none() && present) {
            let make = if self.for_write(w) {
                WpCopy::new(t, ANON, self.page)
            } else {
                WpCopy::unshare(t, ANON, self.page)
            };
            let (id, f) = crate::nested!(self.wp, w, make);
            (id, f.oom)
        } else {
            let (id, f) = crate::nested!(self.fault, w, AnonFault::new(t, self.page));
            (id, f.oom)
        };
        if oom {
            w.note(Event::Note("VM_FAULT_OOM: -ENOMEM"));
            return Poll::Done(id);
        }
        self.pc = GupPc::Follow;
        Poll::Ran(id)
    }

    /// `try_grab_folio()`: a reference (or a pin's bias) on the folio in
    /// `frame`, unless its refcount is zero (freed or frozen).
    fn try_grab(&self, w: &mut World, frame: u8) -> Option<FolioRef> {
        let r = folio_try_get(w, frame)?;
        w.frame_mut(r).refcount += self.refs - 1;
        Some(r)
    }

    /// `follow_page_pte()`: under the PTE lock, a present writable PTE's
    /// folio is grabbed; else the page is faulted in for writing.
    fn follow(&mut self, w: &mut World) -> Poll {
        // follow_page_pte() under the PTE lock: a zap's flush window waits.
        if let Err(c) = w.ptl_spin(w.mm_id(w.me)) {
            return Poll::Block(c);
        }
        let p = self.pte(w);
        if self.pte_serves(w, p) {
            if let Some(r) = self.try_grab(w, p.frame) {
                self.folio = r;
                return Poll::Done(StepId::FollowPagePte);
            }
        }
        self.pc = GupPc::Fault;
        Poll::Ran(StepId::FollowPagePte)
    }
}

crate::impl_step!(Gup);
