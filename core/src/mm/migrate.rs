//! mm/migrate.c: migration of one folio, as compaction or an
//! `lru_cache_disable()` caller (CMA, memory offlining) drives it.
//!
//! `migrate_pages()` → isolate (a reference) → `folio_lock(src)` → allocate
//! dst → `move_to_new_folio()` → the mapping's `migrate_folio`:
//! `migrate_folio()` for a folio without buffers, and for the block device
//! `buffer_migrate_folio_norefs()` = `__buffer_migrate_folio(check_refs)`,
//! step by step, in the shape of each commit:
//!
//! | toggle | shape |
//! |---|---|
//! | (none) | `buffer_migrate_page()`: lock buffers, move, `set_bh_page()`, copy — no reference check |
//! | 89cb0888ca14 | + norefs check under `private_lock`, unlocked right after; busy → `invalidate_bh_lrus()`, recheck once |
//! | ebdf4de5642f | `private_lock` held from the check to `unlock_buffers` |
//! | 060913999d7a | `folio_mc_copy()` before the mapping move, not after `folio_set_bh()` |
//! | 3c20917120ce | block-device folios are large: the copy's `cond_resched()` is a sleep |
//! | 2d900efff915 | BH_Migrate set before the check, cleared at `unlock_buffers`; `private_lock` around the check only |
//! | luis_v2_1of8 | `buffer_meta(head)` → -EAGAIN, and the early `spin_unlock` (ebdf4de5642f reverted) |
//! | willy_per_bh_meta | `buffer_meta(bh)` on every buffer in `buffer_migrate_lock_buffers()` |
//! | jan_rfc_2019 | dirty → writeout (-EAGAIN); clean → `try_to_release_page()` (one `invalidate_bh_lrus()` retry), then migrate without buffers |
//!
//! Followed: mm/migrate.c of v7.0 (ColinIanKing/linux-next @0136411cc37e),
//! v6.12–v6.14 (CachyOS/linux @54c353b898b2), v5.4 and the diffs of
//! 89cb0888ca14, ebdf4de5642f, 2d900efff915, Luis's v2 1/8 and Jan's RFC
//! (seeds 000 and 002).

use crate::exec::poll::{Cond, Poll};
use crate::fs::buffer::{
    folio_buffers, invalidate_bh_lrus, ring, ring_ids, spin_lock_private, spin_unlock_private,
    try_to_free_buffers,
};
use crate::mm::filemap::{folio_unlock, LockFolio};
use crate::mm::page_alloc::folio_alloc;
use crate::mm::swap::{folio_put, folio_ref_freeze, folio_ref_unfreeze};
use crate::oracle::OracleId;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{bs, pg, FolioRef, FrameId, World, MAX_BLOCKS, NO_BH, NO_FRAME, NO_MAPPING};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MigPc {
    Isolate,
    Lock,
    Alloc,
    Entry,
    LockBuffer(u8),
    SetMigrate,
    Check,
    Invalidate,
    McCopy,
    Move,
    SetBh,
    CopyAfter,
    UnlockBuffers,
    Done,
    Undo,
    JanFree,
    JanInvalidate,
}

/// Migrate the folio in one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MigrateFolio {
    frame: FrameId,
    pc: MigPc,
    src: FolioRef,
    dst: FolioRef,
    lock: Option<LockFolio>,
    /// The block device's norefs path (buffers attached).
    norefs: bool,
    /// Buffers are attached and move with the folio.
    buffers: bool,
    invalidated: bool,
    holds_private: bool,
    lru_disabled: bool,
    ok: bool,
}

/// A step that may sleep: `might_sleep()` fires `sleep-in-atomic` if the
/// current context holds a spinlock.
pub fn might_sleep(w: &mut World) {
    let me = w.me as usize;
    if me < w.sched.len() && w.sched[me].spin_held > 0 {
        w.fire(
            OracleId::SleepInAtomic,
            w.touched,
            crate::oracle::Payload::Context(me as u8),
        );
    }
}

impl MigrateFolio {
    /// Migrate frame `frame`.
    pub fn new(frame: FrameId) -> MigrateFolio {
        MigrateFolio {
            frame,
            pc: MigPc::Isolate,
            src: FolioRef::NONE,
            dst: FolioRef::NONE,
            lock: None,
            norefs: false,
            buffers: false,
            invalidated: false,
            holds_private: false,
            lru_disabled: false,
            ok: false,
        }
    }

    /// Give up on the folio (-EAGAIN, -EBUSY): noted for the quiet world's
    /// progress check.
    fn fail(&mut self, w: &mut World, why: &'static str) {
        w.note(Event::Bail(why));
        self.ok = false;
        if !self.src.is_none() {
            w.migrate_failed = (self.src, w.me);
        }
    }

    /// Whether the folio moved.
    pub fn migrated(&self) -> bool {
        self.ok
    }

    /// Copy the contents and `uptodate` of src into dst (`folio_mc_copy()`,
    /// `migrate_page_copy()`); for a large folio it may sleep.
    fn copy(&self, w: &mut World) {
        if self.norefs && w.has(Toggle::BdevLargeFolios) {
            // folio_mc_copy(): cond_resched() between the pages of a large folio.
            w.touched = self.src.frame;
            might_sleep(w);
        }
        let s = w.frames[self.src.frame as usize];
        let d = &mut w.frames[self.dst.frame as usize];
        d.data[..MAX_BLOCKS].copy_from_slice(&s.data[..MAX_BLOCKS]);
        d.flags |= s.flags & pg::UPTODATE;
        // folio_migrate_flags(): the iomap_folio_state moves with `private`.
        d.blk_uptodate = s.blk_uptodate;
        d.blk_dirty = s.blk_dirty;
        d.blk_delay = s.blk_delay;
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            MigPc::Isolate => self.isolate(w),
            MigPc::Lock => self.lock(w),
            MigPc::Alloc => self.alloc(w),
            MigPc::Entry => self.entry(w),
            MigPc::LockBuffer(k) => self.lock_buffer(w, k),
            MigPc::SetMigrate => self.set_migrate(w),
            MigPc::Check => self.check(w),
            MigPc::Invalidate => self.invalidate(w),
            MigPc::McCopy => {
                self.copy(w);
                self.pc = MigPc::Move;
                Poll::Ran(StepId::FolioMcCopy)
            }
            MigPc::Move => self.move_mapping(w),
            MigPc::SetBh => self.set_bh(w),
            MigPc::CopyAfter => self.copy_after(w),
            MigPc::UnlockBuffers => self.unlock_buffers(w),
            MigPc::Done => self.done(w),
            MigPc::Undo => self.undo(w),
            MigPc::JanFree => self.jan_free(w),
            MigPc::JanInvalidate => self.jan_invalidate(w),
        }
    }

    fn isolate(&mut self, w: &mut World) -> Poll {
        let f = (self.frame as usize).min(w.frames.len() - 1) as FrameId;
        let fr = w.frames[f as usize];
        w.touched = f;
        if fr.free || fr.refcount <= 0 || fr.flags & pg::LRU == 0 || fr.mapping == NO_MAPPING {
            w.note(Event::Note("not a movable page-cache folio"));
            return Poll::Done(StepId::FolioIsolateLru);
        }
        let fr = &mut w.frames[f as usize];
        fr.refcount += 1;
        fr.flags &= !pg::LRU;
        self.src = FolioRef {
            frame: f,
            inc: fr.inc,
        };
        if w.has(Toggle::BhLruMigration) {
            // lru_cache_disable(): drains every CPU's bh LRU too (8cc621d2f45d).
            w.lru_disabled += 1;
            self.lru_disabled = true;
            invalidate_bh_lrus(w);
        }
        self.pc = MigPc::Lock;
        Poll::Ran(StepId::FolioIsolateLru)
    }

    fn lock(&mut self, w: &mut World) -> Poll {
        let lk = self
            .lock
            .get_or_insert_with(|| LockFolio::new(self.src, false));
        match lk.step(w) {
            Poll::Done(id) => {
                self.lock = None;
                let fr = *w.frame(self.src);
                if fr.flags & pg::WRITEBACK != 0 || fr.mapping == NO_MAPPING {
                    self.fail(w, "under writeback or truncated: not migrated");
                    self.pc = MigPc::Undo;
                } else if fr.mapcount > 0 {
                    // migrate_folio_unmap() → try_to_migrate() is not
                    // modelled: a mapped folio stays (not a property of
                    // the folio once its mappings go: not recorded).
                    w.note(Event::Bail("mapped: try_to_migrate() not modelled"));
                    self.pc = MigPc::Undo;
                } else {
                    self.pc = MigPc::Alloc;
                }
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn alloc(&mut self, w: &mut World) -> Poll {
        match folio_alloc(w) {
            None => {
                // Out of memory, not a property of the folio: not recorded.
                w.note(Event::Bail("no destination folio"));
                self.pc = MigPc::Undo;
            }
            Some(d) => {
                // A new folio nobody else can see: locked without an atomic op.
                w.frame_mut(d).flags |= pg::LOCKED;
                self.dst = d;
                self.buffers = folio_buffers(w, self.src.frame) != NO_BH;
                let mapping = w.frame(self.src).mapping;
                self.norefs = self.buffers
                    && w.a_ops(mapping).migrate_folio == crate::fs::MigrateKind::BuffersNorefs;
                self.pc = if self.norefs && w.has(Toggle::JanRfc) {
                    MigPc::JanFree
                } else {
                    MigPc::Entry
                };
            }
        }
        Poll::Ran(StepId::AllocMigrationTarget)
    }

    fn entry(&mut self, w: &mut World) -> Poll {
        // __buffer_migrate_folio() / migrate_folio(): the reference check first.
        let expected = 2 + i16::from(self.buffers);
        if w.frame(self.src).refcount != expected {
            self.fail(w, "extra folio references: -EAGAIN");
            self.pc = MigPc::Undo;
            return Poll::Ran(StepId::BufferMigrateFolio);
        }
        if !self.buffers {
            self.pc = if w.has(Toggle::CopyBeforeMove) {
                MigPc::McCopy
            } else {
                MigPc::Move
            };
            return Poll::Ran(StepId::BufferMigrateFolio);
        }
        let head = folio_buffers(w, self.src.frame);
        if self.norefs && w.has(Toggle::LuisMetaHead) && w.bhs[head as usize].state & bs::META != 0
        {
            self.fail(w, "buffer_meta(head): -EAGAIN");
            self.pc = MigPc::Undo;
            return Poll::Ran(StepId::BufferMigrateFolio);
        }
        self.pc = MigPc::LockBuffer(0);
        Poll::Ran(StepId::BufferMigrateFolio)
    }

    fn lock_buffer(&mut self, w: &mut World, k: u8) -> Poll {
        let head = folio_buffers(w, self.src.frame);
        let (ids, n) = ring_ids(w, head);
        let Some(&id) = ids[..n].get(k as usize) else {
            self.pc = if self.norefs && w.has(Toggle::BhMigrate) {
                MigPc::SetMigrate
            } else if self.norefs && w.has(Toggle::Norefs) {
                MigPc::Check
            } else {
                self.after_check(w)
            };
            return self.step(w);
        };
        if w.has(Toggle::WillyMetaPerBh) && w.bhs[id as usize].state & bs::META != 0 {
            // Matthew Wilcox: if (buffer_meta(bh)) goto unlock;
            for &u in &ids[..k as usize] {
                w.bhs[u as usize].state &= !bs::LOCK;
            }
            self.fail(w, "buffer_meta(bh): -EAGAIN");
            self.pc = MigPc::Undo;
            return Poll::Ran(StepId::LockBuffer);
        }
        if w.bhs[id as usize].state & bs::LOCK != 0 {
            // MIGRATE_SYNC: lock_buffer() sleeps.
            might_sleep(w);
            return Poll::Block(Cond::BhUnlocked(id));
        }
        w.bhs[id as usize].state |= bs::LOCK;
        w.touched = self.src.frame;
        self.pc = MigPc::LockBuffer(k + 1);
        Poll::Ran(StepId::LockBuffer)
    }

    fn set_migrate(&mut self, w: &mut World) -> Poll {
        let head = folio_buffers(w, self.src.frame);
        w.bhs[head as usize].state |= bs::MIGRATE;
        self.pc = MigPc::Check;
        Poll::Ran(StepId::SetBhMigrate)
    }

    fn check(&mut self, w: &mut World) -> Poll {
        if let Err(c) = spin_lock_private(w) {
            return Poll::Block(c);
        }
        w.touched = self.src.frame;
        let head = folio_buffers(w, self.src.frame);
        let busy = ring(w, head).any(|id| w.bhs[id as usize].b_count != 0);
        let hold = w.has(Toggle::PrivateLockHeld) && !w.has(Toggle::BhMigrate);
        if busy {
            spin_unlock_private(w);
            let in_lru = ring(w, head).any(|id| {
                w.bh_lru
                    .iter()
                    .flatten()
                    .any(|r| r.id == id && r.inc == w.bhs[id as usize].inc)
            });
            if self.invalidated {
                let why = if in_lru {
                    "buffer referenced (a bh LRU, again): -EAGAIN"
                } else {
                    "buffer referenced (b_count of a user, not an LRU): -EAGAIN"
                };
                self.fail(w, why);
                self.pc = MigPc::UnlockBuffers;
            } else {
                w.note(Event::Bail(if in_lru {
                    "buffer referenced (a bh LRU): invalidate_bh_lrus(), check again"
                } else {
                    "buffer referenced (b_count of a user): invalidate_bh_lrus(), check again"
                }));
                self.pc = MigPc::Invalidate;
            }
            return Poll::Ran(StepId::NorefsCheck);
        }
        w.norefs_window = self.src.frame;
        if hold {
            self.holds_private = true;
        } else {
            spin_unlock_private(w);
        }
        self.pc = self.after_check(w);
        Poll::Ran(StepId::NorefsCheck)
    }

    fn invalidate(&mut self, w: &mut World) -> Poll {
        invalidate_bh_lrus(w);
        self.invalidated = true;
        self.pc = MigPc::Check;
        Poll::Ran(StepId::InvalidateBhLrus)
    }

    fn move_mapping(&mut self, w: &mut World) -> Poll {
        // __folio_migrate_mapping(): under xa_lock, freeze at the expected
        // count, switch the slot.
        if let Err(c) = w.xa_spin(w.frame(self.src).mapping) {
            return Poll::Block(c);
        }
        let expected = 2 + i16::from(self.buffers);
        if !folio_ref_freeze(w, self.src, expected) {
            self.fail(w, "folio_ref_freeze failed: -EAGAIN");
            self.pc = if self.buffers {
                MigPc::UnlockBuffers
            } else {
                MigPc::Undo
            };
            return Poll::Ran(StepId::FolioMigrateMapping);
        }
        let s = *w.frame(self.src);
        let (m, i) = (s.mapping, s.index);
        let slot = &mut w.mappings[m as usize].slots[i as usize];
        let marks = slot.marks;
        *slot = crate::world::Slot {
            frame: self.dst.frame,
            marks,
        };
        let d = &mut w.frames[self.dst.frame as usize];
        d.mapping = m;
        d.index = i;
        // The page-cache reference.
        d.refcount += 1;
        // PG_dirty moves with the mapping; PG_uptodate comes with the copy
        // (folio_migrate_flags() after the copy), so a reader that finds dst
        // before the copy waits for its lock instead of reading garbage.
        d.flags |= s.flags & pg::DIRTY;
        let sf = &mut w.frames[self.src.frame as usize];
        sf.flags &= !pg::DIRTY;
        sf.mapping = NO_MAPPING;
        // Unfreeze to one less: the page-cache reference went to dst.
        folio_ref_unfreeze(w, self.src, expected - 1);
        let sf = &mut w.frames[self.src.frame as usize];
        if self.buffers {
            // folio_attach_private(dst, folio_detach_private(src)).
            let head = sf.bh_head;
            sf.bh_head = NO_BH;
            sf.flags &= !pg::PRIVATE;
            sf.refcount -= 1;
            let d = &mut w.frames[self.dst.frame as usize];
            d.bh_head = head;
            d.flags |= pg::PRIVATE;
            d.refcount += 1;
        }
        w.touched = self.src.frame;
        w.note(Event::Delete {
            frame: self.src.frame,
            mapping: m,
            index: i,
        });
        w.note(Event::Insert {
            frame: self.dst.frame,
            mapping: m,
            index: i,
        });
        self.pc = if self.buffers {
            MigPc::SetBh
        } else if w.has(Toggle::CopyBeforeMove) {
            self.ok = true;
            MigPc::Done
        } else {
            MigPc::CopyAfter
        };
        Poll::Ran(StepId::FolioMigrateMapping)
    }

    fn set_bh(&mut self, w: &mut World) -> Poll {
        let head = folio_buffers(w, self.dst.frame);
        let (ids, n) = ring_ids(w, head);
        for &id in &ids[..n] {
            w.bhs[id as usize].folio = self.dst;
        }
        w.touched = self.dst.frame;
        if w.has(Toggle::CopyBeforeMove) {
            self.ok = true;
            self.pc = MigPc::UnlockBuffers;
        } else {
            self.pc = MigPc::CopyAfter;
        }
        Poll::Ran(StepId::FolioSetBh)
    }

    fn copy_after(&mut self, w: &mut World) -> Poll {
        self.copy(w);
        self.ok = true;
        self.pc = if self.buffers {
            MigPc::UnlockBuffers
        } else {
            MigPc::Done
        };
        Poll::Ran(StepId::MigratePageCopy)
    }

    fn unlock_buffers(&mut self, w: &mut World) -> Poll {
        let f = if self.ok {
            self.dst.frame
        } else {
            self.src.frame
        };
        let head = folio_buffers(w, f);
        if w.has(Toggle::BhMigrate) && head != NO_BH {
            w.bhs[head as usize].state &= !bs::MIGRATE;
        }
        if self.holds_private {
            spin_unlock_private(w);
            self.holds_private = false;
        }
        if w.norefs_window == self.src.frame {
            w.norefs_window = NO_FRAME;
        }
        let (ids, n) = ring_ids(w, head);
        for &id in &ids[..n] {
            w.bhs[id as usize].state &= !bs::LOCK;
        }
        w.touched = f;
        self.pc = if self.ok { MigPc::Done } else { MigPc::Undo };
        Poll::Ran(StepId::UnlockBuffers)
    }

    fn done(&mut self, w: &mut World) -> Poll {
        // Both folios unlocked; src's last reference goes; dst to the LRU.
        folio_unlock(w, self.dst);
        folio_unlock(w, self.src);
        folio_put(w, self.src);
        w.frame_mut(self.dst).flags |= pg::LRU;
        folio_put(w, self.dst);
        self.end(w);
        Poll::Done(StepId::MigrateFolioDone)
    }

    fn undo(&mut self, w: &mut World) -> Poll {
        if !self.src.is_none()
            && w.frame(self.src).flags & pg::LOCKED != 0
            && w.frame(self.src).inc == self.src.inc
        {
            folio_unlock(w, self.src);
        }
        if !self.src.is_none() {
            w.frame_mut(self.src).flags |= pg::LRU;
            folio_put(w, self.src);
        }
        if !self.dst.is_none() {
            w.frame_mut(self.dst).flags &= !pg::LOCKED;
            folio_put(w, self.dst);
        }
        self.end(w);
        Poll::Done(StepId::MigrateFolioUndo)
    }

    fn jan_free(&mut self, w: &mut World) -> Poll {
        // Jan Kara's RFC: dirty → writeout() and -EAGAIN; clean → try_to_release_page().
        if w.frame(self.src).flags & pg::DIRTY != 0 {
            self.fail(w, "dirty: writeout, -EAGAIN");
            self.pc = MigPc::Undo;
            return Poll::Ran(StepId::TryToFreeBuffers);
        }
        if let Err(c) = spin_lock_private(w) {
            return Poll::Block(c);
        }
        let freed = try_to_free_buffers(w, self.src);
        spin_unlock_private(w);
        if freed {
            self.buffers = false;
            self.norefs = false;
            self.pc = MigPc::Entry;
        } else if !self.invalidated {
            self.pc = MigPc::JanInvalidate;
        } else {
            self.fail(w, "buffers busy: -EAGAIN");
            self.pc = MigPc::Undo;
        }
        Poll::Ran(StepId::TryToFreeBuffers)
    }

    fn jan_invalidate(&mut self, w: &mut World) -> Poll {
        invalidate_bh_lrus(w);
        self.invalidated = true;
        self.pc = MigPc::JanFree;
        Poll::Ran(StepId::InvalidateBhLrus)
    }

    /// Where the norefs path goes once the buffers are checked (or need no check).
    fn after_check(&self, w: &World) -> MigPc {
        if w.has(Toggle::CopyBeforeMove) {
            MigPc::McCopy
        } else {
            MigPc::Move
        }
    }

    fn end(&mut self, w: &mut World) {
        if self.holds_private {
            spin_unlock_private(w);
            self.holds_private = false;
        }
        if self.lru_disabled {
            w.lru_disabled = w.lru_disabled.saturating_sub(1);
            self.lru_disabled = false;
        }
        if w.norefs_window == self.src.frame {
            w.norefs_window = NO_FRAME;
        }
    }
}

crate::impl_step!(MigrateFolio);

/// Steps a lone migration may take in [`check_migration_progress`].
const SOLO_STEPS: usize = 256;

/// The quiet, synced world's liveness check for migration: if the last
/// migration that gave up did so on a folio still in the page cache (one
/// slot, [`World::migrate_failed`]: cases migrate a folio or two), and no journal head
/// holds one of its buffers (jbd2 keeps those until checkpoint, and the
/// kernel lets migration fail on them), a migration of it run alone on a
/// copy of the world must succeed; `migrate-starved` if it gives up
/// again. What `alloc_contig_range()` and `offline_pages()` rely on when
/// they retry `migrate_pages()`.
pub fn check_migration_progress(w: &mut World) {
    let (src, ctx) = w.migrate_failed;
    if src.is_none() || w.bios[..w.nbios as usize].iter().any(|b| b.live) {
        return;
    }
    let fr = w.frames[src.frame as usize];
    if fr.free || fr.inc != src.inc || fr.mapping == NO_MAPPING {
        return;
    }
    let head = folio_buffers(w, src.frame);
    if ring(w, head).any(|id| w.journal.jh[id as usize].attached) {
        return;
    }
    let mut solo = w.clone();
    solo.migrate_failed = (FolioRef::NONE, 0);
    solo.me = ctx;
    let mut m = MigrateFolio::new(src.frame);
    for _ in 0..SOLO_STEPS {
        match m.step(&mut solo) {
            Poll::Ran(_) => {}
            Poll::Done(_) => break,
            // Something still holds a lock: not a quiet world after all.
            Poll::Block(_) => return,
        }
    }
    if solo.migrate_failed.0 == src && !m.migrated() {
        w.me = ctx;
        w.fire(
            OracleId::MigrateStarved,
            src.frame,
            crate::oracle::Payload::Context(ctx),
        );
    }
}
