//! mm/vmscan.c: reclaim of one clean page-cache folio or lazily freed
//! anonymous folio, as kswapd or direct reclaim would take it off the LRU.
//!
//! `folio_isolate_lru()` (a reference) → `shrink_folio_list()`:
//! `folio_trylock()`; under writeback: set PG_reclaim and keep it; mapped:
//! `folio_referenced()` (a young PTE keeps it) and `try_to_unmap()`, one
//! mm per step; dirty: keep it (the model does not page out, nor does
//! mainline for file folios: PG_reclaim, activate); with buffers: the mapping's
//! `->release_folio`; otherwise `__remove_mapping()` takes the xa_lock,
//! freezes the refcount at exactly isolation + page cache, removes the
//! folio from the xarray and accounts for it (three steps, since lockless
//! lookups see each), `folio_unlock()` (9a1ea439b16b, v5.0; before it the
//! non-atomic `__folio_clear_locked()`, which assumed nobody waits on a
//! frozen folio), and the frozen folio is freed by `free_unref_folios()`.
//! An anonymous folio needs swap (none here: kept) unless `MADV_FREE` made
//! it lazily freeable: `try_to_unmap()` discards it if clean (see
//! [`crate::mm::rmap::try_to_unmap_one`]), then `folio_ref_freeze(folio, 1)`.

use crate::exec::poll::{Cond, Poll};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, pg, FolioRef, FrameId, World, NO_MAPPING};

use super::filemap::{
    folio_trylock, folio_unlock, page_cache_delete_account, page_cache_delete_store,
};
use super::page_alloc::free_frame;
use super::rmap::{folio_mapped, folio_referenced_one, next_mapper, try_to_unmap_one};
use super::swap::{folio_put, folio_ref_freeze, folio_ref_unfreeze};
use crate::profile::Toggle;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ShrinkPc {
    Isolate,
    Trylock,
    Shrink,
    /// `folio_check_references()` → `folio_referenced()`: the rmap walk
    /// from task `from` on; `young`: a PTE was young.
    References {
        from: u8,
        young: bool,
    },
    /// `try_to_unmap()`: the rmap walk from task `from` on.
    Unmap {
        from: u8,
    },
    /// The rest of `shrink_folio_list()` once the folio is unmapped.
    Rest,
    FreeBuffers,
    RemoveMapping,
    /// An unmapped lazily freed anonymous folio: `folio_ref_freeze(folio, 1)`.
    Lazyfree,
    /// `page_cache_delete()`'s xarray store (xa_lock held).
    DeleteStore,
    /// The rest of `page_cache_delete()` and `xa_unlock_irq()`.
    DeleteAccount {
        /// The mapping the folio was in.
        mapping: u8,
    },
    /// `folio_unlock()` of the frozen folio (9a1ea439b16b).
    Unlock,
    ClearLockedLoad,
    ClearLockedStore(u16),
    Free,
    Putback {
        locked: bool,
    },
}

/// Reclaim the folio in frame `frame`, if it is a clean page-cache folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShrinkFolio {
    frame: FrameId,
    pc: ShrinkPc,
    folio: FolioRef,
    /// `shrink_folio_list(..., ignore_references)`: no `folio_referenced()`
    /// walk (`reclaim_pages()` for `MADV_PAGEOUT` since 2864f3d0f583).
    ignore_references: bool,
    /// Whether the folio was freed.
    pub freed: bool,
}

impl ShrinkFolio {
    /// Try to reclaim frame `frame`.
    pub fn new(frame: FrameId) -> ShrinkFolio {
        ShrinkFolio {
            frame,
            pc: ShrinkPc::Isolate,
            folio: FolioRef::NONE,
            ignore_references: false,
            freed: false,
        }
    }

    /// `reclaim_pages()` → `reclaim_folio_list()` → `shrink_folio_list()`
    /// of folio `r`, which the caller has isolated ([`folio_isolate_lru`]):
    /// `madvise(MADV_PAGEOUT)`.
    pub fn isolated(r: FolioRef, ignore_references: bool) -> ShrinkFolio {
        ShrinkFolio {
            frame: r.frame,
            pc: ShrinkPc::Trylock,
            folio: r,
            ignore_references,
            freed: false,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            ShrinkPc::Isolate => self.isolate(w),
            ShrinkPc::Trylock => self.trylock(w),
            ShrinkPc::Shrink => self.shrink(w),
            ShrinkPc::References { from, young } => self.references(w, from, young),
            ShrinkPc::Unmap { from } => self.unmap(w, from),
            ShrinkPc::Rest => {
                self.rest(w);
                Poll::Ran(StepId::ShrinkFolioList)
            }
            ShrinkPc::FreeBuffers => self.free_buffers(w),
            ShrinkPc::RemoveMapping => self.remove_mapping(w),
            ShrinkPc::Lazyfree => self.lazyfree(w),
            ShrinkPc::DeleteStore => {
                let mapping = w.frame(self.folio).mapping;
                page_cache_delete_store(w, self.folio);
                self.pc = ShrinkPc::DeleteAccount { mapping };
                Poll::Ran(StepId::PageCacheDelete)
            }
            ShrinkPc::DeleteAccount { mapping } => {
                page_cache_delete_account(w, self.folio, mapping);
                w.unlock(lock::xa_lock(mapping));
                self.pc = if w.has(Toggle::ReclaimUnlock) {
                    ShrinkPc::Unlock
                } else {
                    ShrinkPc::ClearLockedLoad
                };
                Poll::Ran(StepId::PageCacheDeleteAccount)
            }
            ShrinkPc::Unlock => {
                folio_unlock(w, self.folio);
                self.pc = ShrinkPc::Free;
                Poll::Ran(StepId::FolioUnlock)
            }
            ShrinkPc::ClearLockedLoad => {
                let v = w.frame(self.folio).flags;
                self.pc = ShrinkPc::ClearLockedStore(v);
                Poll::Ran(StepId::ClearLockedLoad)
            }
            ShrinkPc::ClearLockedStore(v) => {
                w.frame_mut(self.folio).flags = v & !pg::LOCKED;
                self.pc = ShrinkPc::Free;
                Poll::Ran(StepId::ClearLockedStore)
            }
            ShrinkPc::Free => {
                free_frame(w, self.folio.frame);
                self.freed = true;
                Poll::Done(StepId::FreeUnrefFolios)
            }
            ShrinkPc::Putback { locked } => self.putback(w, locked),
        }
    }

    fn isolate(&mut self, w: &mut World) -> Poll {
        let f = (self.frame as usize).min(w.frames.len() - 1) as FrameId;
        w.touched = f;
        let Some(r) = folio_isolate_lru(w, f) else {
            w.note(Event::Note("not on the LRU"));
            return Poll::Done(StepId::FolioIsolateLru);
        };
        self.folio = r;
        self.pc = ShrinkPc::Trylock;
        Poll::Ran(StepId::FolioIsolateLru)
    }

    fn trylock(&mut self, w: &mut World) -> Poll {
        if folio_trylock(w, self.folio) {
            self.pc = ShrinkPc::Shrink;
        } else {
            w.note(Event::Note("locked: keep"));
            self.pc = ShrinkPc::Putback { locked: false };
        }
        Poll::Ran(StepId::FolioTrylock)
    }

    fn shrink(&mut self, w: &mut World) -> Poll {
        let fr = *w.frame(self.folio);
        self.pc = ShrinkPc::Putback { locked: true };
        if fr.flags & pg::WRITEBACK != 0 {
            // Case 2 of shrink_folio_list(): mark for immediate reclaim.
            w.frame_mut(self.folio).flags |= pg::RECLAIM;
            w.note(Event::Note("under writeback: PG_reclaim, keep"));
        } else if folio_mapped(w, self.folio) {
            self.pc = if !self.ignore_references {
                ShrinkPc::References {
                    from: 0,
                    young: false,
                }
            } else if swap_backed(w.frame(self.folio)) {
                w.note(Event::Note("anonymous, no swap: keep"));
                ShrinkPc::Putback { locked: true }
            } else {
                ShrinkPc::Unmap { from: 0 }
            };
        } else {
            self.rest(w);
        }
        Poll::Ran(StepId::ShrinkFolioList)
    }

    /// `folio_referenced()`, one mm per step: a young PTE keeps the folio
    /// (`FOLIOREF_KEEP` or `FOLIOREF_ACTIVATE`; the walk cleared the bits,
    /// so the next pass can take it); else `try_to_unmap()`.
    fn references(&mut self, w: &mut World, from: u8, young: bool) -> Poll {
        if let Some(t) = next_mapper(w, self.folio, from) {
            if let Err(c) = w.ptl_spin(t) {
                return Poll::Block(c);
            }
            let y = folio_referenced_one(w, t, self.folio);
            self.pc = ShrinkPc::References {
                from: t + 1,
                young: young || y,
            };
            return Poll::Ran(StepId::FolioReferencedOne);
        }
        if young {
            w.note(Event::Note("referenced: keep"));
            self.pc = ShrinkPc::Putback { locked: true };
        } else if swap_backed(w.frame(self.folio)) {
            w.note(Event::Note("anonymous, no swap: keep"));
            self.pc = ShrinkPc::Putback { locked: true };
        } else {
            self.pc = ShrinkPc::Unmap { from: 0 };
        }
        self.step(w)
    }

    /// `try_to_unmap()`, one mm per step (`try_to_unmap_one()`).
    fn unmap(&mut self, w: &mut World, from: u8) -> Poll {
        if let Some(t) = next_mapper(w, self.folio, from) {
            if let Err(c) = w.ptl_spin(t) {
                return Poll::Block(c);
            }
            try_to_unmap_one(w, t, self.folio);
            self.pc = ShrinkPc::Unmap { from: t + 1 };
            return Poll::Ran(StepId::TryToUnmapOne);
        }
        self.pc = ShrinkPc::Rest;
        self.step(w)
    }

    /// After the unmap: still mapped (`goto activate_locked`), dirty (the
    /// model does not page out), buffers to release, or remove it.
    fn rest(&mut self, w: &mut World) {
        let fr = *w.frame(self.folio);
        self.pc = ShrinkPc::Putback { locked: true };
        if fr.mapcount > 0 {
            w.note(Event::Note("still mapped: keep"));
        } else if fr.flags & pg::DIRTY != 0 {
            w.note(Event::Note("dirty: keep"));
        } else if swap_backed(&fr) {
            w.note(Event::Note("anonymous, no swap: keep"));
        } else if fr.anon_owner().is_some() {
            self.pc = ShrinkPc::Lazyfree;
        } else if fr.flags & pg::PRIVATE != 0 {
            // filemap_release_folio() → try_to_free_buffers(), next step.
            self.pc = ShrinkPc::FreeBuffers;
        } else if fr.mapping == NO_MAPPING {
            w.note(Event::Note("no mapping: keep"));
        } else {
            self.pc = ShrinkPc::RemoveMapping;
        }
    }

    fn free_buffers(&mut self, w: &mut World) -> Poll {
        // filemap_release_folio(): the mapping's ->release_folio, or
        // try_to_free_buffers().
        let mapping = w.frame(self.folio).mapping;
        let freed = match (w.a_ops(mapping).release_folio)(w, self.folio) {
            Ok(f) => f,
            Err(c) => return Poll::Block(c),
        };
        if freed {
            self.pc = ShrinkPc::RemoveMapping;
        } else {
            w.note(Event::Note("buffers busy: keep"));
            self.pc = ShrinkPc::Putback { locked: true };
        }
        Poll::Ran(StepId::TryToFreeBuffers)
    }

    /// `__remove_mapping()`: `xa_lock_irq()`, `folio_ref_freeze(folio, 1 + nr)`,
    /// then `folio_test_dirty()` (a dirty folio is unfrozen again: the
    /// freeze orders the test after any dirtier's reference); a referenced
    /// or dirty folio cannot be freed: unlock, keep it. A lockless lookup
    /// that meets the frozen folio retries. mm/vmscan.c, v6.1 and mainline.
    fn remove_mapping(&mut self, w: &mut World) -> Poll {
        let mapping = w.frame(self.folio).mapping;
        self.pc = match remove_mapping_freeze(w, self.folio, mapping) {
            Err(c) => return Poll::Block(c),
            Ok(true) => ShrinkPc::DeleteStore,
            Ok(false) => ShrinkPc::Putback { locked: true },
        };
        Poll::Ran(StepId::RemoveMapping)
    }

    /// A lazily freed anonymous folio, unmapped: "follow __remove_mapping
    /// for reference", `folio_ref_freeze(folio, 1)` — only the isolation's
    /// reference may be left (a GUP reference keeps it) — then it is
    /// unlocked and freed as a page-cache folio is.
    fn lazyfree(&mut self, w: &mut World) -> Poll {
        if folio_ref_freeze(w, self.folio, 1) {
            w.note(Event::Note("lazyfree: freed"));
            self.pc = if w.has(Toggle::ReclaimUnlock) {
                ShrinkPc::Unlock
            } else {
                ShrinkPc::ClearLockedLoad
            };
        } else {
            w.note(Event::Note("referenced: cannot free"));
            self.pc = ShrinkPc::Putback { locked: true };
        }
        Poll::Ran(StepId::ShrinkFolioLazyfree)
    }

    fn putback(&mut self, w: &mut World, locked: bool) -> Poll {
        if locked {
            folio_unlock(w, self.folio);
        }
        w.frame_mut(self.folio).flags |= pg::LRU;
        folio_put(w, self.folio);
        Poll::Done(StepId::FolioPutbackLru)
    }
}

/// `__remove_mapping()`'s start on folio `r` of `mapping`, for reclaim and
/// invalidation: `xa_lock_irq()`, `folio_ref_freeze(folio, 2)` (the page
/// cache's reference and the caller's), then PG_dirty tested again (a
/// dirty folio is unfrozen). `Ok(true)`: frozen, `xa_lock` held for the
/// deletion; `Ok(false)`: referenced or dirty, the lock released.
pub fn remove_mapping_freeze(w: &mut World, r: FolioRef, mapping: u8) -> Result<bool, Cond> {
    let xa = lock::xa_lock(mapping);
    w.lock(xa)?;
    let frozen = folio_ref_freeze(w, r, 2);
    let dirty = frozen && w.frame(r).flags & pg::DIRTY != 0;
    if dirty {
        folio_ref_unfreeze(w, r, 2);
    }
    if !frozen || dirty {
        w.unlock(xa);
        w.note(Event::Note("refcount or dirty: cannot free"));
        return Ok(false);
    }
    Ok(true)
}

/// `folio_isolate_lru()` of the folio in frame `f`: a folio on the LRU
/// is taken off it with a reference; `None` if it is not on it (free,
/// isolated by someone else, or never added).
pub fn folio_isolate_lru(w: &mut World, f: FrameId) -> Option<FolioRef> {
    let fr = w.frames.get_mut(f as usize)?;
    if fr.free || fr.refcount <= 0 || fr.flags & pg::LRU == 0 {
        return None;
    }
    fr.refcount += 1;
    fr.flags &= !pg::LRU;
    Some(FolioRef {
        frame: f,
        inc: fr.inc,
    })
}

/// An anonymous folio that is still swap-backed: reclaim would need swap
/// for it (`add_to_swap()`), which the model has none of.
fn swap_backed(fr: &crate::world::Frame) -> bool {
    fr.anon_owner().is_some() && fr.flags & pg::SWAPBACKED != 0
}

crate::impl_step!(ShrinkFolio);
