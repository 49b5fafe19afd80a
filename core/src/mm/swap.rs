//! Folio reference counting: include/linux/mm.h `folio_get()` / `folio_put()`,
//! mm/swap.c `__folio_put()`, include/linux/page_ref.h `folio_try_get()` /
//! `folio_ref_freeze()`.

use crate::oracle::OracleId;
use crate::world::{pg, FolioRef, FrameId, World};

use super::page_alloc::free_frame;

/// `folio_get()`: take a reference on a folio the caller already holds one
/// on (or owns via PG_writeback). Fires `refcount-underflow` if the count is
/// zero (`VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow())`).
pub fn folio_get(w: &mut World, r: FolioRef) {
    if !w.check_ref(r) {
        return;
    }
    let fr = &mut w.frames[r.frame as usize];
    if fr.refcount <= 0 {
        w.fire(
            OracleId::RefcountUnderflow,
            r.frame,
            crate::oracle::Payload::Incarnation(r.inc),
        );
        return;
    }
    fr.refcount += 1;
}

/// `folio_try_get()`: the speculative reference of lockless lookups; fails on
/// a free or frozen (zero) refcount.
pub fn folio_try_get(w: &mut World, f: FrameId) -> Option<FolioRef> {
    let fr = &mut w.frames[f as usize];
    if fr.free || fr.refcount <= 0 {
        return None;
    }
    fr.refcount += 1;
    w.touched = f;
    Some(FolioRef {
        frame: f,
        inc: fr.inc,
    })
}

/// `folio_put()` / `folio_put_refs()`: drop `n` references; at zero the folio
/// is released (`__folio_put()`: off the LRU, then freed). Fires
/// `use-after-free` through a stale pointer and `refcount-underflow` below zero.
pub fn folio_put_refs(w: &mut World, r: FolioRef, n: i16) {
    if !w.check_ref(r) {
        return;
    }
    let fr = &mut w.frames[r.frame as usize];
    if fr.refcount < n {
        fr.refcount = 0;
        w.fire(
            OracleId::RefcountUnderflow,
            r.frame,
            crate::oracle::Payload::Incarnation(r.inc),
        );
        return;
    }
    fr.refcount -= n;
    if fr.refcount == 0 {
        // __folio_put() → __page_cache_release(): off the LRU.
        fr.flags &= !pg::LRU;
        free_frame(w, r.frame);
    }
}

/// `folio_put()`.
#[inline]
pub fn folio_put(w: &mut World, r: FolioRef) {
    folio_put_refs(w, r, 1)
}

/// `folio_ref_freeze(folio, count)`: set the count to zero if it is exactly
/// `count` (page-cache removal and migration do this under `xa_lock`); the
/// current context owns the frozen folio.
pub fn folio_ref_freeze(w: &mut World, r: FolioRef, count: i16) -> bool {
    let me = w.me;
    let fr = &mut w.frames[r.frame as usize];
    if fr.refcount == count {
        fr.refcount = 0;
        fr.frozen_by = me;
        true
    } else {
        false
    }
}

/// `folio_ref_unfreeze(folio, count)`: the frozen count becomes `count`
/// again (a wake-up-free store; lookups spinning on the frozen folio see
/// it on their next try).
pub fn folio_ref_unfreeze(w: &mut World, r: FolioRef, count: i16) {
    let fr = &mut w.frames[r.frame as usize];
    fr.refcount = count;
    fr.frozen_by = crate::world::NO_OWNER;
}
