//! mm/truncate.c `mapping_try_invalidate()` (`invalidate_mapping_pages()`)
//! from a page on: the page cache's clean, unused folios dropped, the rest
//! left (mainline; `drop_caches` and `POSIX_FADV_DONTNEED` call it).
//!
//! `find_lock_entries()` takes the next folio with a reference and
//! `folio_trylock()` (a locked one is skipped, as is one truncated or under
//! writeback: one step, as truncation has it); `mapping_evict_folio()`
//! skips a dirty, written-back or otherwise referenced folio (mapped,
//! pinned, isolated by reclaim), then `filemap_release_folio()` frees its
//! buffers and `remove_mapping()` → `__remove_mapping()` freezes the
//! refcount at 2 under `xa_lock` (a lookup's `folio_try_get()` since the
//! test makes it fail), tests PG_dirty again and deletes the folio;
//! `folio_ref_unfreeze(folio, 1)` drops the page cache's reference. Then
//! `folio_unlock()` (waking anyone who queued on the lock meanwhile) and
//! the batch's `folio_put()`, which frees it.

use crate::exec::poll::Poll;
use crate::mm::filemap::{
    find_lock_entry, folio_unlock, page_cache_delete_account, page_cache_delete_store, LockedEntry,
};
use crate::mm::swap::{folio_put, folio_ref_unfreeze};
use crate::mm::vmscan::remove_mapping_freeze;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, pg, FolioRef, World, MAX_INDEX};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TiPc {
    FindLock,
    Evict,
    Release,
    Remove,
    Delete,
    Account,
    Unfreeze,
    Unlock,
    Put,
}

/// `mapping_try_invalidate(mapping, index, -1)`: each cached folio from
/// page `index` on, one at a time; `count` the folios dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TryInvalidate {
    mapping: u8,
    index: u8,
    pc: TiPc,
    folio: FolioRef,
    /// The folios removed from the page cache.
    pub count: u8,
}

impl TryInvalidate {
    /// Invalidate what can be of `mapping` from page `index` on.
    pub fn new(mapping: u8, index: u8) -> TryInvalidate {
        TryInvalidate {
            mapping,
            index,
            pc: TiPc::FindLock,
            folio: FolioRef::NONE,
            count: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            TiPc::FindLock => self.find_lock(w),
            TiPc::Evict => self.evict(w),
            TiPc::Release => self.release(w),
            TiPc::Remove => self.remove(w),
            TiPc::Delete => {
                page_cache_delete_store(w, self.folio);
                self.pc = TiPc::Account;
                Poll::Ran(StepId::PageCacheDelete)
            }
            TiPc::Account => {
                page_cache_delete_account(w, self.folio, self.mapping);
                w.unlock(lock::xa_lock(self.mapping));
                self.count += 1;
                self.pc = TiPc::Unfreeze;
                Poll::Ran(StepId::PageCacheDeleteAccount)
            }
            TiPc::Unfreeze => {
                folio_ref_unfreeze(w, self.folio, 1);
                self.pc = TiPc::Unlock;
                Poll::Ran(StepId::RemoveMappingUnfreeze)
            }
            TiPc::Unlock => {
                folio_unlock(w, self.folio);
                self.pc = TiPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            TiPc::Put => {
                folio_put(w, self.folio);
                self.pc = TiPc::FindLock;
                Poll::Ran(StepId::FolioBatchRelease)
            }
        }
    }

    /// `find_lock_entries()`, one entry: the next cached page, a
    /// reference, the trylock and the rechecks (a skipped folio's
    /// reference goes at once); none left: done.
    fn find_lock(&mut self, w: &mut World) -> Poll {
        match find_lock_entry(w, self.mapping, self.index, MAX_INDEX as u8) {
            LockedEntry::None => return Poll::Done(StepId::FindLockEntries),
            LockedEntry::Busy(c) => return Poll::Block(c),
            LockedEntry::Skipped(i) => self.index = i + 1,
            LockedEntry::Locked(i, r) => {
                self.index = i + 1;
                self.folio = r;
                self.pc = TiPc::Evict;
            }
        }
        Poll::Ran(StepId::FindLockEntries)
    }

    /// `mapping_evict_folio()`'s tests.
    fn evict(&mut self, w: &mut World) -> Poll {
        let fr = *w.frame(self.folio);
        let private = (fr.flags & pg::PRIVATE != 0) as i16;
        self.pc = if fr.flags & (pg::DIRTY | pg::WRITEBACK) != 0 {
            w.note(Event::Note("dirty or under writeback: keep"));
            TiPc::Unlock
        } else if fr.refcount > 1 + private + 1 {
            w.note(Event::Note("referenced: keep"));
            TiPc::Unlock
        } else if private != 0 {
            TiPc::Release
        } else {
            TiPc::Remove
        };
        Poll::Ran(StepId::MappingEvictFolio)
    }

    /// `filemap_release_folio()`: the mapping's `->release_folio`.
    fn release(&mut self, w: &mut World) -> Poll {
        let freed = match (w.a_ops(self.mapping).release_folio)(w, self.folio) {
            Ok(f) => f,
            Err(c) => return Poll::Block(c),
        };
        self.pc = if freed {
            TiPc::Remove
        } else {
            w.note(Event::Note("buffers busy: keep"));
            TiPc::Unlock
        };
        Poll::Ran(StepId::TryToFreeBuffers)
    }

    /// `__remove_mapping()` ([`remove_mapping_freeze`]).
    fn remove(&mut self, w: &mut World) -> Poll {
        self.pc = match remove_mapping_freeze(w, self.folio, self.mapping) {
            Err(c) => return Poll::Block(c),
            Ok(true) => TiPc::Delete,
            Ok(false) => TiPc::Unlock,
        };
        Poll::Ran(StepId::RemoveMapping)
    }
}

crate::impl_step!(TryInvalidate);
