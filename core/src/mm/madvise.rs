//! mm/madvise.c `madvise(MADV_PAGEOUT)` of one page (1a4e58cce84e, Minchan
//! Kim, v5.4, "mm: introduce MADV_PAGEOUT"): "reclaim any LRU pages
//! instantly ... but never lose the up-to-date contents unlike
//! MADV_DONTNEED".
//!
//! `madvise_pageout()` → `madvise_cold_or_pageout_pte_range()` under
//! `mmap_lock` shared and the PTE lock: a present PTE's folio, if this mm
//! maps it alone (`folio_mapcount(folio) != folio_nr_pages(folio)` in
//! mainline, `page_mapcount(page) != 1` in v5.4) and it is on the LRU, is
//! taken off it (`folio_isolate_lru()`); before 2864f3d0f583 the PTE was
//! made old first (`pte_mkold()`, so that `folio_referenced()` would not
//! keep it). After the PTE lock is dropped, `reclaim_pages()` →
//! `reclaim_folio_list()` → `shrink_folio_list()` as reclaim does it
//! ([`ShrinkFolio`]), ignoring references since 2864f3d0f583: a clean
//! file folio is unmapped and freed, a dirty one kept (only kswapd writes
//! file folios), a swap-backed anonymous one kept (no swap here), a clean
//! lazily freed (`MADV_FREE`) one discarded. Not modelled: large folios'
//! split, `can_do_file_pageout()` (the model's tasks may write their
//! files), the cold path (`MADV_COLD`), and the TLB flush deferred to
//! `tlb_finish_mmu()` (here at once, as for `MADV_FREE`).

use crate::exec::poll::Poll;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock::mmap_lock, pg, pte, pte_slot, World, MAX_TASKS};

use super::vmscan::{folio_isolate_lru, ShrinkFolio};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PageoutPc {
    /// `mmap_read_lock()` (an mm with threads: another thread's `mmap()`
    /// or `munmap()` holds it for writing).
    Lock,
    /// `madvise_cold_or_pageout_pte_range()` under the PTE lock.
    Walk,
    /// `reclaim_pages()` of the isolated folio.
    Reclaim,
}

/// `madvise(MADV_PAGEOUT)` of page `page` of the running task's shared
/// mapping of `file`, or of its anonymous page `page` when `file` is
/// [`crate::world::ANON`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MadvPageout {
    file: u8,
    page: u8,
    pc: PageoutPc,
    locked: bool,
    shrink: ShrinkFolio,
}

impl MadvPageout {
    /// `MADV_PAGEOUT` of page `page` of `file` (or anonymous memory).
    pub fn new(file: u8, page: u8) -> MadvPageout {
        MadvPageout {
            file,
            page,
            pc: PageoutPc::Lock,
            locked: false,
            shrink: ShrinkFolio::new(0),
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me) % MAX_TASKS as u8;
        match self.pc {
            PageoutPc::Lock => {
                self.pc = PageoutPc::Walk;
                if !w.mm_threaded(t) {
                    return self.step(w);
                }
                if let Err(c) = w.lock_shared(mmap_lock(t)) {
                    self.pc = PageoutPc::Lock;
                    return Poll::Block(c);
                }
                self.locked = true;
                Poll::Ran(StepId::MmapReadLock)
            }
            PageoutPc::Walk => {
                if let Err(c) = w.ptl_spin(t) {
                    return Poll::Block(c);
                }
                if self.walk(w, t) {
                    self.pc = PageoutPc::Reclaim;
                    Poll::Ran(StepId::MadvisePageoutPteRange)
                } else {
                    self.finish(w, t, StepId::MadvisePageoutPteRange)
                }
            }
            PageoutPc::Reclaim => {
                let id = crate::done!(self.shrink.step(w));
                self.finish(w, t, id)
            }
        }
    }

    /// The PTE's folio isolated for reclaim, if this mm alone maps it and
    /// it is on the LRU; `false`: nothing to reclaim.
    fn walk(&mut self, w: &mut World, t: u8) -> bool {
        let slot = pte_slot(self.file, self.page);
        let p = w.mms[t as usize].ptes[slot];
        if !p.present() {
            w.note(Event::Note("no PTE: nothing to page out"));
            return false;
        }
        let r = p.folio();
        if !w.check_ref(r) {
            return false;
        }
        if w.frame(r).mapcount != 1 {
            w.note(Event::Note("mapped by another mm: skipped"));
            return false;
        }
        if w.frame(r).flags & pg::LRU == 0 {
            w.note(Event::Note("not on the LRU: skipped"));
            return false;
        }
        let ignore = w.has(Toggle::PageoutIgnoreReferences);
        if !ignore && p.flags & pte::YOUNG != 0 {
            // ptep_get_and_clear_full(), pte_mkold(), set_pte_at().
            w.mms[t as usize].ptes[slot].flags &= !pte::YOUNG;
            w.flush_tlb_page(t, slot);
        }
        match folio_isolate_lru(w, r.frame) {
            Some(r) => {
                self.shrink = ShrinkFolio::isolated(r, ignore);
                true
            }
            None => false,
        }
    }

    fn finish(&mut self, w: &mut World, t: u8, id: StepId) -> Poll {
        if self.locked {
            w.unlock_shared(mmap_lock(t));
            self.locked = false;
        }
        Poll::Done(id)
    }
}

crate::impl_step!(MadvPageout);
