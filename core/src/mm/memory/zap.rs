//! mm/memory.c: zapping PTEs of a file range — `zap_pte_range()` under each
//! mm's PTE lock, then `tlb_finish_mmu()` dropping the references the PTEs
//! held, once the lock is gone. Callers: `unmap_mapping_range()` and
//! `unmap_mapping_folio()` (every mm that maps the file, through
//! `i_mmap`), `zap_page_range_single()` for `madvise(MADV_DONTNEED)`, and
//! `unmap_vmas()` for `munmap()` and `exit_mmap()` (the task's own mm).
//!
//! In an mm with threads ([`crate::world::tlb`]) the PTE loop and the TLB
//! flush after it are two steps under the mm's PTE lock, held across them
//! as an object: between them another thread's CPU can still use its TLB
//! entries for the cleared PTEs. The rmap of a dirty file PTE goes in the
//! loop before 5df397dec7c4 (v6.2), in `tlb_flush_rmaps()` after the
//! flush since (v6.1-rc7 and v6.2.1 mm/memory.c `zap_pte_range()`;
//! [`crate::profile::Toggle::TlbDelayRmap`]). Without threads the flush is
//! in the loop's step: no CPU but the zapping one's uses the mm.

use crate::exec::poll::Poll;
use crate::mm::rmap::{clear_pte, delay_rmap, folio_remove_rmap_pte};
use crate::mm::swap::folio_put;
use crate::step::StepId;
use crate::world::lock::pte_lock;
use crate::world::{pte_slot, FolioRef, FrameId, World, MAX_INDEX, MAX_TASKS, NO_FRAME};

/// No mm waits for its TLB flush.
const NO_MM: u8 = u8::MAX;

/// Zap the PTEs of pages `from..to` of a file in a set of mms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zap {
    file: u8,
    from: u8,
    to: u8,
    /// Only PTEs mapping this frame (`unmap_mapping_folio()`), or `NO_FRAME`.
    frame: FrameId,
    /// Bit `t`: task `t`'s page table is still to be visited.
    tasks: u8,
    /// Private copies (anonymous folios in a private file mapping) are
    /// zapped too (`zap_details.even_cows`).
    even_cows: bool,
    /// The folios whose references the mmu_gather drops.
    batch: [FolioRef; MAX_INDEX],
    nr: u8,
    /// The mm whose PTE lock is held until its TLB flush, or [`NO_MM`].
    flush: u8,
    /// Bit `k`: `batch[k]` keeps its rmap until the flush (`delay_rmap`).
    delayed: u8,
}

impl Zap {
    /// Nothing to zap.
    pub const NONE: Zap = Zap {
        file: 0,
        from: 0,
        to: 0,
        frame: NO_FRAME,
        tasks: 0,
        even_cows: true,
        batch: [FolioRef::NONE; MAX_INDEX],
        nr: 0,
        flush: NO_MM,
        delayed: 0,
    };

    /// Pages `from..to` of `file` in the mms of `tasks` (a bit per task)
    /// whose page table has a present PTE there now; with `frame`, only
    /// PTEs mapping it.
    /// Private copies of the pages go too: `unmap_mapping_range(…,
    /// even_cows = 1)` as truncation does it, `munmap()`, `madvise()`.
    pub fn new(w: &World, tasks: u8, file: u8, from: u8, to: u8, frame: FrameId) -> Zap {
        Zap::with_cows(w, tasks, file, from, to, frame, true)
    }

    /// Pages `from..to` of `file` in every mm, private copies kept:
    /// `unmap_mapping_range(…, even_cows = 0)` as hole punching
    /// (`truncate_pagecache_range()`) and `invalidate_inode_pages2_range()`
    /// do it (mm/memory.c `should_zap_folio()`: only non-anonymous folios).
    pub fn page_cache(w: &World, file: u8, from: u8, to: u8) -> Zap {
        Zap::with_cows(w, u8::MAX, file, from, to, NO_FRAME, false)
    }

    fn with_cows(
        w: &World,
        tasks: u8,
        file: u8,
        from: u8,
        to: u8,
        frame: FrameId,
        even_cows: bool,
    ) -> Zap {
        let to = to.min(MAX_INDEX as u8);
        let mut z = Zap {
            file,
            from,
            to,
            frame,
            tasks: 0,
            even_cows,
            batch: [FolioRef::NONE; MAX_INDEX],
            nr: 0,
            flush: NO_MM,
            delayed: 0,
        };
        for t in 0..MAX_TASKS as u8 {
            // Every mm with threads that maps the file is visited:
            // zap_pte_range() takes the PTE lock before it looks at the
            // PTEs, so it waits for another zap's TLB flush there even
            // when the PTEs are already clear.
            let busy = w.mms[t as usize].maps(file) && w.mm_threaded(t);
            if tasks & (1 << t) != 0 && (busy || (from..to).any(|i| z.hit(w, t, i))) {
                z.tasks |= 1 << t;
            }
        }
        z
    }

    /// `unmap_mapping_folio()`: every PTE mapping folio `r` at (`file`, `index`).
    pub fn folio(w: &World, r: FolioRef, file: u8, index: u8) -> Zap {
        Zap::new(w, u8::MAX, file, index, index + 1, r.frame)
    }

    /// Nothing to zap: no step is needed.
    pub fn is_empty(&self) -> bool {
        self.tasks == 0 && self.nr == 0 && self.flush == NO_MM
    }

    fn hit(&self, w: &World, t: u8, i: u8) -> bool {
        let p = &w.mms[t as usize].ptes[pte_slot(self.file, i)];
        p.present()
            && (self.frame == NO_FRAME || p.frame == self.frame)
            && (self.even_cows || w.frames[p.frame as usize].anon == 0)
    }

    /// Take one step: one mm's `zap_pte_range()` loop, its TLB flush, or
    /// the `tlb_finish_mmu()` after it.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if self.flush != NO_MM {
            return self.flush_tlb(w);
        }
        if self.nr > 0 {
            for k in 0..self.nr as usize {
                folio_put(w, self.batch[k]);
            }
            self.nr = 0;
            return self.next(StepId::TlbFinishMmu);
        }
        let t = self.tasks.trailing_zeros() as u8;
        if let Err(c) = w.ptl_spin(t) {
            return Poll::Block(c);
        }
        self.tasks &= !(1u8 << (t % 8));
        for i in self.from..self.to {
            if (t as usize) < MAX_TASKS && self.hit(w, t, i) {
                let p = w.mms[t as usize].ptes[pte_slot(self.file, i)];
                let anon = w.frames[p.frame as usize].anon != 0;
                if delay_rmap(w, t, anon, p) {
                    self.delayed |= 1 << self.nr;
                }
                if let Some(r) = clear_pte(w, t, self.file, i, true) {
                    self.batch[self.nr as usize] = r;
                    self.nr += 1;
                }
            }
        }
        if w.mm_threaded(t) && self.nr > 0 {
            w.lock(pte_lock(t)).ok();
            self.flush = t;
            return Poll::Ran(StepId::ZapPteRange);
        }
        self.next(StepId::ZapPteRange)
    }

    /// `tlb_flush_mmu_tlbonly()` and `tlb_flush_rmaps()` before
    /// `pte_unmap_unlock()`.
    fn flush_tlb(&mut self, w: &mut World) -> Poll {
        let t = self.flush;
        for i in self.from..self.to {
            w.flush_tlb_page(t, pte_slot(self.file, i));
        }
        for k in 0..self.nr as usize {
            if self.delayed & (1 << k) != 0 {
                folio_remove_rmap_pte(w, self.batch[k]);
            }
        }
        self.delayed = 0;
        w.unlock_if_mine(pte_lock(t));
        self.flush = NO_MM;
        Poll::Ran(StepId::TlbFlushMmuTlbonly)
    }

    fn next(&self, id: StepId) -> Poll {
        if self.is_empty() {
            Poll::Done(id)
        } else {
            Poll::Ran(id)
        }
    }
}

crate::impl_step!(Zap);
