//! mm/rmap.c: the reverse map of file folios — adding and removing a PTE's
//! mapping of a folio, and the walks over a folio's PTEs that writeback
//! (`folio_mkclean()`) and reclaim (`folio_referenced()`, `try_to_unmap()`)
//! make.
//!
//! Each `*_one()` below is one VMA's part of `rmap_walk_file()`: under that
//! mm's PTE lock (`page_vma_mapped_walk()`), so one step. The walk itself
//! finds the PTEs through [`World::rmap`]. Followed: mm/rmap.c of mainline
//! (`folio_add_file_rmap_ptes()`, `folio_remove_rmap_ptes()`,
//! `page_vma_mkclean_one()`, `folio_referenced_one()`,
//! `try_to_unmap_one()`).

use crate::profile::Toggle;
use crate::trace::Event;
use crate::world::{
    anon_slot, pg, pte, pte_slot, FolioRef, Frame, Pte, World, MAX_TASKS, NO_MAPPING,
};

use super::filemap::folio_mark_dirty;
use super::swap::folio_put;

/// The PTE slot a folio is mapped at: its file's and index's, or for an
/// anonymous folio its page's in the heap or in the private mapping it
/// is a copy of (`vma_address()` of `folio->index` in the file's or the
/// `anon_vma`'s VMA).
#[inline]
fn rmap_slot(fr: &Frame) -> usize {
    if fr.anon_owner().is_some() {
        anon_slot(fr.index)
    } else {
        pte_slot(fr.mapping, fr.index)
    }
}

/// `folio_mapped()`: a lockless read of `_mapcount`.
#[inline]
pub fn folio_mapped(w: &World, r: FolioRef) -> bool {
    w.frame(r).mapcount > 0
}

/// The first task at or after `from` whose PTE maps folio `r` (the next
/// VMA of the rmap walk), if any.
pub fn next_mapper(w: &World, r: FolioRef, from: u8) -> Option<u8> {
    let fr = w.frame(r);
    let owner = fr.anon_owner();
    if (fr.mapping == NO_MAPPING && owner.is_none()) || fr.mapcount == 0 {
        return None;
    }
    w.rmap(r.frame, rmap_slot(fr))
        .find(|&t| t >= from && owner.is_none_or(|o| o == t))
}

/// The next mm of a `PVMW_SYNC` walk (`folio_mkclean()`): as
/// [`next_mapper`], and also an mm of the folio's file whose PTE lock a
/// zap holds across its TLB flush — the walk takes the PTE lock before it
/// looks (`map_pte()`), so it waits there even for a PTE already cleared.
pub fn next_mapper_sync(w: &World, r: FolioRef, from: u8) -> Option<u8> {
    let fr = w.frame(r);
    let held = |t: u8| {
        fr.anon_owner().is_none() && w.mms[t as usize].maps(fr.mapping) && w.ptl_spin(t).is_err()
    };
    // folio_mkclean()'s `if (!folio_mapped(folio)) return 0`: no walk.
    if fr.mapcount == 0 {
        return None;
    }
    let next = next_mapper(w, r, from);
    let end = next.unwrap_or(MAX_TASKS as u8);
    (from..end).find(|&t| held(t)).or(next)
}

/// `set_pte_range()` for one page: `folio_add_file_rmap_ptes()` (the
/// mapcount; the reference is the one the fault took, which the PTE now
/// owns) and `set_pte_at()`. A write fault sets it writable and dirty
/// (`maybe_mkwrite(pte_mkdirty(entry))`); a read fault of a shared mapping
/// whose filesystem tracks dirtying (`vma_wants_writenotify()`) maps it
/// read-only, so the first store faults.
pub fn set_pte(w: &mut World, t: u8, file: u8, index: u8, r: FolioRef, write: bool) {
    let flags = pte::PRESENT | pte::YOUNG | if write { pte::WRITE | pte::DIRTY } else { 0 };
    w.mms[t as usize % MAX_TASKS].ptes[pte_slot(file, index)] = Pte {
        frame: r.frame,
        flags,
        inc: r.inc,
    };
    w.frame_mut(r).mapcount += 1;
}

/// `folio_mark_dirty()` from a dirty PTE: the mapping's `->dirty_folio`
/// over the whole page (buffers or per-block state), then PG_dirty and the
/// DIRTY mark; a folio no longer in a mapping only gets PG_dirty
/// (`noop_dirty_folio()`).
pub fn set_page_dirty(w: &mut World, r: FolioRef) {
    let m = w.frame(r).mapping;
    if m == NO_MAPPING {
        w.frame_mut(r).flags |= crate::world::pg::DIRTY;
        return;
    }
    let upp = w.cfg.upp(m);
    let from = w.frame(r).index as usize * upp;
    (w.a_ops(m).dirty_folio)(w, r, from, from + upp);
    folio_mark_dirty(w, r);
}

/// Clear task `t`'s PTE for (`file`, `index`) under its PTE lock: the
/// dirty bit goes to the folio (`folio_mark_dirty()`), the mapcount drops
/// (`folio_remove_rmap_ptes()`). Returns the folio whose reference the
/// caller drops, at once (`try_to_unmap_one()`) or after the TLB flush
/// (`zap_pte_range()`'s mmu_gather). `None` if the PTE was not present.
/// An anonymous folio's dirty bit is dropped by a zap (`zap_present_folio_ptes()`
/// dirties file folios only) and kept by `try_to_unmap_one()` (`zap` false).
/// A private copy's promise stays: only its owner's `munmap()` or
/// `madvise()`, or a truncation, may discard it, and they void it.
pub fn clear_pte(w: &mut World, t: u8, file: u8, index: u8, zap: bool) -> Option<FolioRef> {
    let slot = &mut w.mms[t as usize % MAX_TASKS].ptes[pte_slot(file, index)];
    let p = *slot;
    if !p.present() {
        return None;
    }
    *slot = Pte::NONE;
    if !zap {
        // ptep_clear_flush(); a zap flushes after its PTE loop.
        w.flush_tlb_page(t % MAX_TASKS as u8, pte_slot(file, index));
    }
    let r = p.folio();
    w.check_ref(r);
    let anon = w.frame(r).anon != 0;
    if p.flags & pte::DIRTY != 0 && !(zap && anon) {
        set_page_dirty(w, r);
    }
    if !(zap && delay_rmap(w, t, anon, p)) {
        folio_remove_rmap_pte(w, r);
    }
    Some(r)
}

/// `folio_remove_rmap_pte()`: the mapcount drops.
pub fn folio_remove_rmap_pte(w: &mut World, r: FolioRef) {
    let fr = w.frame_mut(r);
    fr.mapcount = fr.mapcount.saturating_sub(1);
}

/// Whether a zap of mm `t` keeps the rmap of the page PTE `p` mapped
/// until its TLB flush (5df397dec7c4: `zap_present_folio_ptes()` sets
/// `delay_rmap` for a dirty PTE of a file folio, and `tlb_flush_rmaps()`
/// removes it after flushing, under the PTE lock). Only where TLBs are
/// modelled: without threads the flush is in the same step.
pub fn delay_rmap(w: &World, t: u8, anon: bool, p: Pte) -> bool {
    w.has(Toggle::TlbDelayRmap) && w.mm_threaded(t) && !anon && p.flags & pte::DIRTY != 0
}

/// Clear `bits` in task `t`'s PTE of folio `r` if it maps the folio and
/// has any of them: whether it had (one PTE-lock section of an rmap walk).
fn test_and_clear(w: &mut World, t: u8, r: FolioRef, bits: u8) -> bool {
    let s = rmap_slot(w.frame(r));
    let p = &mut w.mms[t as usize % MAX_TASKS].ptes[s];
    if !p.present() || p.frame != r.frame || p.flags & bits == 0 {
        return false;
    }
    p.flags &= !bits;
    if bits & pte::WRITE != 0 {
        // page_vma_mkclean_one(): ptep_clear_flush().
        w.flush_tlb_page(t % MAX_TASKS as u8, s);
    }
    true
}

/// `page_vma_mkclean_one()`: task `t`'s PTE of folio `r`, if writable or
/// dirty, is write-protected and cleaned (`ptep_clear_flush()`,
/// `pte_wrprotect()`, `pte_mkclean()`). Returns whether it was (the
/// `cleaned` count of `folio_mkclean()`).
pub fn page_vma_mkclean_one(w: &mut World, t: u8, r: FolioRef) -> bool {
    test_and_clear(w, t, r, pte::WRITE | pte::DIRTY)
}

/// `folio_referenced_one()`: test and clear the young bit of task `t`'s
/// PTE of folio `r` (`ptep_clear_flush_young_notify()`).
pub fn folio_referenced_one(w: &mut World, t: u8, r: FolioRef) -> bool {
    test_and_clear(w, t, r, pte::YOUNG)
}

/// `try_to_unmap_one()`: clear task `t`'s PTE (`ptep_clear_flush()`),
/// move its dirty bit to the folio, `folio_remove_rmap_pte()`,
/// `folio_put()`. An anonymous folio goes to [`unmap_lazyfree`].
pub fn try_to_unmap_one(w: &mut World, t: u8, r: FolioRef) {
    let fr = *w.frame(r);
    if fr.anon_owner().is_some() {
        return unmap_lazyfree(w, t, r);
    }
    if let Some(p) = clear_pte(w, t, fr.mapping, fr.index, false) {
        folio_put(w, p);
    }
}

/// `try_to_unmap_one()` of an anonymous folio: the PTE cleared and its
/// dirty bit moved to the folio, then the `MADV_FREE` check — a folio
/// still PG_swapbacked needs swap, which the model has none of (reclaim
/// keeps those before it gets here: `add_to_swap()` fails), so it is
/// remapped. A lazily freed one is discarded (`goto discard`: the rmap and
/// the PTE's reference go) if it is clean, and with 6c8e2a256915 only if
/// nobody but the isolation and its mappings holds a reference
/// (`ref_count == 1 + map_count`: a GUP reference means a direct-I/O read
/// may be writing to it). Otherwise the PTE is restored (`set_pte_at(…,
/// pteval)`) and the folio is swap-backed again.
fn unmap_lazyfree(w: &mut World, t: u8, r: FolioRef) {
    let slot = anon_slot(w.frame(r).index);
    let t = t as usize % MAX_TASKS;
    let p = w.mms[t].ptes[slot];
    if !p.present() || p.frame != r.frame {
        return;
    }
    w.mms[t].ptes[slot] = Pte::NONE;
    w.flush_tlb_page(t as u8, slot);
    if p.flags & pte::DIRTY != 0 {
        w.frame_mut(r).flags |= pg::DIRTY;
    }
    let fr = *w.frame(r);
    let clean = fr.flags & (pg::DIRTY | pg::SWAPBACKED) == 0;
    let unshared = fr.refcount == 1 + fr.mapcount as i16;
    if clean && (unshared || !w.has(Toggle::LazyfreeRefcount)) {
        w.note(Event::Note("lazyfree: discard"));
        // The process no longer maps the page a pin may hold.
        w.mms[t].disconnect_pin(fr.index);
        w.frame_mut(r).mapcount -= 1;
        folio_put(w, r);
    } else {
        w.mms[t].ptes[slot] = p;
        w.frame_mut(r).flags |= pg::SWAPBACKED;
    }
}
