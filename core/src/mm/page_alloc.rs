//! mm/page_alloc.c: handing frames out and taking them back.
//!
//! The free list is LIFO, as the per-cpu page lists are: a frame freed now is
//! the next one allocated, so reuse races are reachable in a few steps.

use crate::oracle::OracleId;
use crate::trace::Event;
use crate::world::{pg, FolioRef, FrameId, World, NO_FRAME, NO_MAPPING};

/// `folio_alloc()` / `filemap_alloc_folio()`: take the most recently freed
/// frame, start a new incarnation with one reference. `None` when the
/// allocation-failure fault hits this allocation or no frame is free.
/// The contents are left as the previous incarnation wrote them (the
/// allocator does not zero page-cache pages).
pub fn folio_alloc(w: &mut World) -> Option<FolioRef> {
    w.allocs = w.allocs.wrapping_add(1);
    if w.fail_alloc != 0 && w.allocs == w.fail_alloc {
        w.note(Event::Note("allocation fails (fault)"));
        return None;
    }
    if w.free_len == 0 {
        w.note(Event::Note("no free frame"));
        return None;
    }
    w.free_len -= 1;
    let f = w.free_list[w.free_len as usize];
    w.free_list[w.free_len as usize] = NO_FRAME;
    let fr = &mut w.frames[f as usize];
    fr.free = false;
    fr.inc = fr.inc.wrapping_add(1);
    fr.refcount = 1;
    fr.flags = 0;
    fr.mapping = NO_MAPPING;
    fr.anon = 0;
    fr.index = 0;
    // A new folio has no iomap_folio_state: no block is uptodate or dirty.
    fr.blk_uptodate = 0;
    fr.blk_dirty = 0;
    fr.blk_delay = 0;
    let inc = fr.inc;
    w.touched = f;
    w.note(Event::Alloc { frame: f, inc });
    Some(FolioRef { frame: f, inc })
}

/// `free_unref_folios()` → `__free_pages_prepare()`: the frame goes back to the
/// allocator. The free-time check (`free_page_is_bad()`,
/// `PAGE_FLAGS_CHECK_AT_FREE`) fires `free-under-writeback` for PG_writeback
/// (the other flags of that mask cannot be set at a free the model reaches);
/// the frame is freed anyway, as a production kernel freeing through the
/// per-cpu lists without `CONFIG_DEBUG_VM` does (the check then only runs
/// when the page leaves the pcp list), which is what lets Matthew Wilcox's
/// stale-DMA sequence reuse it.
pub fn free_frame(w: &mut World, f: FrameId) {
    let fr = w.frames[f as usize];
    if fr.free {
        w.fire(
            OracleId::UseAfterFree,
            f,
            crate::oracle::Payload::Incarnations {
                held: fr.inc,
                now: 0,
            },
        );
        return;
    }
    if fr.mapcount != 0 {
        w.fire(
            OracleId::FreeMapped,
            f,
            crate::oracle::Payload::Incarnation(fr.inc),
        );
    }
    if fr.flags & pg::WRITEBACK != 0 {
        w.fire(
            OracleId::FreeUnderWriteback,
            f,
            crate::oracle::Payload::Incarnation(fr.inc),
        );
    }
    let fr = &mut w.frames[f as usize];
    fr.free = true;
    fr.refcount = 0;
    fr.frozen_by = crate::world::NO_OWNER;
    fr.mapcount = 0;
    // free_pages_prepare(): page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP (every page flag).
    fr.flags = 0;
    fr.mapping = NO_MAPPING;
    fr.anon = 0;
    let inc = fr.inc;
    w.free_list[w.free_len as usize] = f;
    w.free_len += 1;
    w.touched = f;
    w.note(Event::Free { frame: f, inc });
}
