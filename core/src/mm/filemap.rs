//! mm/filemap.c: the page cache, waiting on folio bits, and the buffered
//! write and read paths.
//!
//! Waiting follows `folio_wait_bit_common()` / `wake_page_function()` /
//! `folio_wake_bit()` of v7.0 when toggle 2a9127fcf229 is on (the waker wakes
//! a SHARED waiter without testing the bit; the waiter trusts the wakeup),
//! and v5.7's `wait_on_page_bit_common()` / `wake_page_function()` when it is
//! off (the waker stops at a re-set bit; the waiter re-tests and loops).
//! Toggle 5ef64cc8987a adds the page-lock unfairness of v5.9 (EXCLUSIVE
//! waiters retake the lock themselves, handoff only after 5 misses).

use crate::errno::{EFAULT, EINTR, EIO, ENOENT, ENOMEM};
use crate::exec::poll::{Cond, Poll};
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, mark, pg, token, wq, FolioRef, World, NO_FRAME, NO_MAPPING, NTASK_SLOTS};

use super::page_alloc::folio_alloc;
use super::swap::{folio_put, folio_try_get};

// ---------------------------------------------------------------------------
// Page-cache membership
// ---------------------------------------------------------------------------

/// `__filemap_add_folio()`: insert a locked folio at (`mapping`, `index`),
/// taking the page-cache reference (`nrpages` counts it), and put it on
/// the LRU (`folio_add_lru()`). Returns `false` (-EEXIST) if the slot is
/// taken. The caller's step waits for the xa_lock ([`World::xa_spin`]).
pub fn page_cache_insert(w: &mut World, r: FolioRef, mapping: u8, index: u8) -> bool {
    if w.slot_frame(mapping, index) != NO_FRAME {
        return false;
    }
    let m = &mut w.mappings[mapping as usize];
    m.slots[index as usize] = crate::world::Slot {
        frame: r.frame,
        marks: 0,
    };
    m.nrpages += 1;
    let fr = w.frame_mut(r);
    fr.mapping = mapping;
    fr.index = index;
    fr.refcount += 1;
    fr.flags |= pg::LRU;
    w.note(Event::Insert {
        frame: r.frame,
        mapping,
        index,
    });
    true
}

/// `page_cache_delete()` / `__filemap_remove_folio()`: remove the folio from
/// its mapping — [`page_cache_delete_store`] then
/// [`page_cache_delete_account`], in one step. The page-cache reference is
/// dropped by the caller (`filemap_free_folio()`), after the xarray lock.
pub fn page_cache_delete(w: &mut World, r: FolioRef) {
    let m = w.frame(r).mapping;
    page_cache_delete_store(w, r);
    page_cache_delete_account(w, r, m);
}

/// `page_cache_delete()`'s first half: `xas_store(&xas, NULL)` and
/// `xas_init_marks()` — the folio is gone for lookups.
pub fn page_cache_delete_store(w: &mut World, r: FolioRef) {
    let fr = *w.frame(r);
    if fr.mapping == NO_MAPPING {
        return;
    }
    // filemap_unaccount_folio(): a folio still mapped when deleted.
    if fr.mapcount != 0 {
        w.fire(OracleId::BadPageCache, r.frame, Payload::Incarnation(r.inc));
    }
    let slot = &mut w.mappings[fr.mapping as usize].slots[fr.index as usize];
    if slot.frame == r.frame {
        *slot = crate::world::Slot::EMPTY;
    }
    w.note(Event::Delete {
        frame: r.frame,
        mapping: fr.mapping,
        index: fr.index,
    });
}

/// `page_cache_delete()`'s second half: `folio->mapping = NULL;
/// mapping->nrpages -= nr;` for a folio that was in `mapping`.
pub fn page_cache_delete_account(w: &mut World, r: FolioRef, mapping: u8) {
    if mapping == NO_MAPPING {
        return;
    }
    w.frame_mut(r).mapping = NO_MAPPING;
    let m = &mut w.mappings[mapping as usize];
    m.nrpages = m.nrpages.saturating_sub(1);
}

/// `folio_mark_dirty()` → `filemap_dirty_folio()`: PG_dirty and the DIRTY mark.
pub fn folio_mark_dirty(w: &mut World, r: FolioRef) {
    let fr = w.frame_mut(r);
    fr.flags |= pg::DIRTY;
    let (m, i) = (fr.mapping, fr.index);
    if m != NO_MAPPING {
        let s = &mut w.mappings[m as usize].slots[i as usize];
        if s.frame == r.frame {
            s.marks |= mark::DIRTY;
        }
        let upp = w.cfg.upp(m);
        for u in i as usize * upp..((i as usize + 1) * upp).min(crate::world::MAX_LBLK) {
            let d = &mut w.shadow.dirtied[m as usize][u];
            *d = d.wrapping_add(1);
        }
    }
}

// ---------------------------------------------------------------------------
// Waking
// ---------------------------------------------------------------------------

/// `folio_wake_bit()` (v5.7: `wake_up_page_bit()`) under the hashed queue's
/// lock: walk the bucket calling `wake_page_function()` on each entry, then
/// clear PG_waiters if no entry for this folio is left or none matched.
///
/// `waker` is the folio pointer the waker holds — possibly without a
/// reference (I/O completion before 073861ed77b6), possibly to an older
/// incarnation than the waiters'. The oracles `wake-without-ref` (the WARN
/// Linus proposed in seed 003) and `cross-incarnation-wakeup` fire here.
/// A folio the waker itself froze is not without a reference: reclaim's
/// `folio_unlock()` after `__remove_mapping()` (9a1ea439b16b) wakes a
/// frozen folio it owns, which is not free until it frees it.
pub fn folio_wake_bit(w: &mut World, waker: FolioRef, bit: u16) {
    let f = waker.frame;
    let fr = w.frames[f as usize];
    if fr.refcount == 0 && fr.frozen_by != w.me {
        w.fire(OracleId::WakeWithoutRef, f, Payload::Incarnation(waker.inc));
    }
    let b = w.wq.bucket(f);
    let mut entries = [0u8; NTASK_SLOTS];
    let n = w.wq.entries(b).len();
    entries[..n].copy_from_slice(w.wq.entries(b));
    let mut page_match = false;
    let mut nr_exclusive = 1;
    for &t in &entries[..n] {
        let e = w.sched[t as usize].wait;
        // wake_page_match()
        if e.frame != f {
            continue;
        }
        page_match = true;
        if e.bit != bit {
            continue;
        }
        let woke = match wake_page_function(w, t, b, bit) {
            Wake::Stop => break,
            Wake::Woke => true,
            Wake::Skipped => false,
        };
        if woke {
            w.note(Event::Wake { wakee: t, frame: f });
            if e.inc != waker.inc {
                w.fire(
                    OracleId::CrossIncarnationWakeup,
                    f,
                    Payload::Incarnations {
                        held: waker.inc,
                        now: e.inc,
                    },
                );
            }
            if e.flags & wq::EXCLUSIVE != 0 {
                nr_exclusive -= 1;
                if nr_exclusive == 0 {
                    break;
                }
            }
        }
    }
    if !w.wq.active(b) || !page_match {
        w.frames[f as usize].flags &= !pg::WAITERS;
    }
}

/// What `wake_page_function()` did with one waiter.
enum Wake {
    /// It woke the waiter (and took it off the queue).
    Woke,
    /// The waiter was already awake.
    Skipped,
    /// The bit is set again: stop walking (`return -1`).
    Stop,
}

/// `wake_page_function()` on waiter `t` of bucket `b` for `bit` of its
/// frame: the 2a9127fcf229 form (an EXCLUSIVE waiter gets the bit handed
/// over, with 5ef64cc8987a only after its unfairness ran out; a SHARED one
/// is woken without a test), or v5.7's (stop at a re-set bit, for every
/// waiter; `autoremove_wake_function()`).
fn wake_page_function(w: &mut World, t: u8, b: usize, bit: u16) -> Wake {
    let e = w.sched[t as usize].wait;
    let f = e.frame as usize;
    if !w.has(Toggle::WaitRewrite) {
        if w.frames[f].flags & bit != 0 {
            return Wake::Stop;
        }
        // autoremove_wake_function(): try_to_wake_up() of a task already
        // running — woken before, or by a fatal signal in a killable sleep
        // (signal_wake_up()) — returns 0: the entry stays queued and the
        // walk goes on, an EXCLUSIVE entry not counted as the one woken.
        let s = w.sched[t as usize];
        if s.woken || (s.killable && s.fatal) {
            return Wake::Skipped;
        }
        w.sched[t as usize].woken = true;
        w.sched[t as usize].wait.queued = false;
        w.wq.remove(b, t);
        return Wake::Woke;
    }
    let mut flags = e.flags;
    if flags & wq::EXCLUSIVE != 0 {
        let unfair = w.has(Toggle::LockUnfairness);
        let fr = &mut w.frames[f];
        if fr.flags & bit != 0 {
            return Wake::Stop;
        }
        if !unfair || flags & wq::CUSTOM != 0 {
            // Lock handoff (2a9127fcf229 as merged: always).
            fr.flags |= bit;
            if unfair {
                flags |= wq::DONE;
            }
        }
    }
    // smp_store_release(&wait->flags, flags | WQ_FLAG_WOKEN); wake_up_state();
    // list_del_init_careful(). No bit test for a non-exclusive waiter.
    let s = &mut w.sched[t as usize];
    s.wait.flags = flags | wq::WOKEN;
    s.woken = true;
    s.wait.queued = false;
    w.wq.remove(b, t);
    Wake::Woke
}

/// `folio_unlock()`: clear PG_locked and read PG_waiters in one atomic
/// operation (`folio_xor_flags_has_waiters()`), wake the lock's waiters if
/// there were any.
pub fn folio_unlock(w: &mut World, r: FolioRef) {
    w.check_ref(r);
    let fr = w.frame_mut(r);
    fr.flags &= !pg::LOCKED;
    if fr.flags & pg::WAITERS != 0 {
        folio_wake_bit(w, r, pg::LOCKED);
    }
}

/// `folio_trylock()`: `!test_and_set_bit_lock(PG_locked)`.
pub fn folio_trylock(w: &mut World, r: FolioRef) -> bool {
    w.check_ref(r);
    let fr = w.frame_mut(r);
    if fr.flags & pg::LOCKED != 0 {
        false
    } else {
        fr.flags |= pg::LOCKED;
        true
    }
}

/// What [`find_lock_entry`] found.
pub enum LockedEntry {
    /// No cached page left in the range.
    None,
    /// The next page's folio is frozen or freed: wait for the slot.
    Busy(Cond),
    /// The folio at this index was locked, truncated or under writeback:
    /// skipped, its reference dropped.
    Skipped(u8),
    /// The folio at this index, locked, with the lookup's reference.
    Locked(u8, FolioRef),
}

/// mm/filemap.c `find_lock_entries()`, one entry (one step, as truncation
/// and invalidation take it): the next cached page of `mapping` in
/// `from..end`, `folio_try_get()`, `folio_trylock()`, then skip a folio
/// truncated meanwhile or under writeback.
pub fn find_lock_entry(w: &mut World, mapping: u8, from: u8, end: u8) -> LockedEntry {
    let m = &w.mappings[mapping as usize % w.mappings.len()];
    let end = (end as usize).min(crate::world::MAX_INDEX);
    let Some(i) = (from as usize..end).find(|&i| m.slots[i].frame != NO_FRAME) else {
        return LockedEntry::None;
    };
    let f = m.slots[i].frame;
    let Some(r) = crate::mm::swap::folio_try_get(w, f) else {
        return LockedEntry::Busy(Cond::SlotBusy {
            mapping,
            index: i as u8,
            frame: f,
        });
    };
    if !folio_trylock(w, r) {
        w.note(Event::Note("locked: skip"));
        folio_put(w, r);
    } else if w.frame(r).mapping != mapping || w.frame(r).flags & pg::WRITEBACK != 0 {
        w.note(Event::Note("under writeback: skip"));
        folio_unlock(w, r);
        folio_put(w, r);
    } else {
        return LockedEntry::Locked(i as u8, r);
    }
    LockedEntry::Skipped(i as u8)
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/// `enum behavior` of `folio_wait_bit_common()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Behavior {
    /// Take the bit when woken (`__folio_lock()`).
    Exclusive,
    /// Return once the bit was seen clear (`folio_wait_writeback()`, `folio_wait_locked()`).
    Shared,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WaitPc {
    Queue,
    /// v5.7: `bit_is_set = test_bit()`, then `io_schedule()`.
    Test,
    /// Asleep until woken.
    Sleep,
    /// v5.7: asleep in `io_schedule()`.
    LegacySleep,
    /// Woken (or not asleep): re-test the bit.
    Finish,
    /// v5.7: leaving the loop with this result: `finish_wait()`.
    LegacyLeave(i8),
}

/// `folio_wait_bit_common()` as a step machine (mm/filemap.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitBit {
    folio: FolioRef,
    bit: u16,
    behavior: Behavior,
    killable: bool,
    pc: WaitPc,
    /// Times queued (`repeat:`): past `vm.page_lock_unfairness` an
    /// EXCLUSIVE waiter asks for a handoff (the kernel's `--unfairness < 0`).
    tries: u8,
    /// Times woken with the lock free and then found it taken.
    passed: u8,
    /// 0, or -4 (-EINTR) when a fatal signal ended the wait.
    pub ret: i8,
}

impl WaitBit {
    /// Wait on `bit` of `folio` (the caller holds a reference).
    pub fn new(folio: FolioRef, bit: u16, behavior: Behavior, killable: bool) -> WaitBit {
        WaitBit {
            folio,
            bit,
            behavior,
            killable,
            pc: WaitPc::Queue,
            tries: 0,
            passed: 0,
            ret: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if w.has(Toggle::WaitRewrite) {
            match self.pc {
                WaitPc::Queue => self.queue(w),
                WaitPc::Sleep => self.woken(w),
                _ => unreachable_pc(),
            }
        } else {
            // v5.7 wait_on_page_bit_common()
            match self.pc {
                WaitPc::Queue => self.queue_v57(w),
                WaitPc::Test => self.test_v57(w),
                WaitPc::LegacySleep | WaitPc::Finish => self.finish_v57(w),
                WaitPc::LegacyLeave(ret) => {
                    self.ret = ret;
                    self.finish_wait(w);
                    Poll::Done(StepId::FinishWait)
                }
                _ => unreachable_pc(),
            }
        }
    }

    fn excl(&self) -> bool {
        self.behavior == Behavior::Exclusive
    }

    /// `repeat:` of `folio_wait_bit_common()` (2a9127fcf229 and later):
    /// under the queue lock, PG_waiters, `folio_trylock_flag()`, and onto
    /// the tail of the hashed queue unless the bit was had.
    fn queue(&mut self, w: &mut World) -> Poll {
        let me = w.me as usize;
        let excl = self.excl();
        w.check_ref(self.folio);
        let mut flags = 0;
        if excl {
            flags = wq::EXCLUSIVE;
            if w.has(Toggle::LockUnfairness) {
                self.tries = self.tries.saturating_add(1);
                if self.tries > w.cfg.page_lock_unfairness {
                    flags |= wq::CUSTOM;
                }
            }
        }
        // spin_lock_irq(&q->lock); folio_set_waiters(); folio_trylock_flag()
        let fr = w.frame_mut(self.folio);
        fr.flags |= pg::WAITERS;
        let got = if excl {
            if fr.flags & self.bit != 0 {
                false
            } else {
                fr.flags |= self.bit;
                true
            }
        } else {
            fr.flags & self.bit == 0
        };
        let s = &mut w.sched[me];
        s.woken = false;
        s.killable = self.killable;
        s.wait = crate::world::WaitEntry {
            frame: self.folio.frame,
            inc: self.folio.inc,
            bit: self.bit,
            flags,
            queued: false,
        };
        if got {
            s.wait.flags |= wq::WOKEN | wq::DONE;
            self.ret = 0;
            return Poll::Done(StepId::FolioWaitBitCommon);
        }
        s.wait.queued = true;
        let b = w.wq.bucket(self.folio.frame);
        w.wq.add_tail(b, me as u8);
        w.note(Event::Sleep {
            frame: self.folio.frame,
            bit: self.bit,
        });
        self.pc = WaitPc::Sleep;
        Poll::Ran(StepId::FolioWaitBitCommon)
    }

    /// After the wakeup: for a SHARED waiter woken means done; an
    /// EXCLUSIVE one with 5ef64cc8987a takes the bit itself or goes back to
    /// `repeat`; then `finish_wait()`.
    fn woken(&mut self, w: &mut World) -> Poll {
        let me = w.me as usize;
        let excl = self.excl();
        if !Cond::Woken.ready(w, me as u8) {
            return Poll::Block(Cond::Woken);
        }
        let flags = w.sched[me].wait.flags;
        let mut done = true;
        if flags & wq::WOKEN == 0 {
            // signal_pending_state(): break
        } else if excl && w.has(Toggle::LockUnfairness) && flags & wq::DONE == 0 {
            // Not handed over: try to take the lock ourselves.
            w.check_ref(self.folio);
            let fr = w.frame_mut(self.folio);
            if fr.flags & self.bit != 0 {
                done = false; // goto repeat
                self.passed_over(w);
            } else {
                fr.flags |= self.bit;
                w.sched[me].wait.flags |= wq::DONE;
            }
        }
        if !done {
            self.pc = WaitPc::Queue;
            return Poll::Ran(StepId::FinishWait);
        }
        self.finish_wait(w);
        let flags = w.sched[me].wait.flags;
        let ok = if excl && w.has(Toggle::LockUnfairness) {
            flags & wq::DONE != 0
        } else {
            flags & wq::WOKEN != 0
        };
        self.ret = if ok { 0 } else { -EINTR };
        Poll::Done(StepId::FinishWait)
    }

    /// v5.7: onto the queue if not on it, `SetPageWaiters()`,
    /// `set_current_state()`.
    fn queue_v57(&mut self, w: &mut World) -> Poll {
        let me = w.me as usize;
        w.check_ref(self.folio);
        if !w.sched[me].wait.queued {
            let b = w.wq.bucket(self.folio.frame);
            w.wq.add_tail(b, me as u8);
            w.frame_mut(self.folio).flags |= pg::WAITERS;
        }
        let s = &mut w.sched[me];
        s.wait = crate::world::WaitEntry {
            frame: self.folio.frame,
            inc: self.folio.inc,
            bit: self.bit,
            flags: if self.excl() { wq::EXCLUSIVE } else { 0 },
            queued: true,
        };
        s.woken = false; // set_current_state(state)
        s.killable = self.killable;
        self.pc = WaitPc::Test;
        Poll::Ran(StepId::FolioWaitBitCommon)
    }

    /// v5.7: `bit_is_set = test_bit()` after dropping the queue lock, then
    /// `io_schedule()` if it was set.
    fn test_v57(&mut self, w: &mut World) -> Poll {
        let me = w.me as usize;
        w.check_ref(self.folio);
        let bit_is_set = w.frame(self.folio).flags & self.bit != 0;
        if bit_is_set && !w.sched[me].woken {
            w.note(Event::Sleep {
                frame: self.folio.frame,
                bit: self.bit,
            });
            self.pc = WaitPc::LegacySleep;
        } else {
            self.pc = WaitPc::Finish;
        }
        Poll::Ran(StepId::IoSchedule)
    }

    /// v5.7: re-test the bit (`test_and_set_bit_lock()` / `test_bit()`):
    /// leave on success or a fatal signal — `finish_wait()` is the next
    /// step, taking the queue lock, so a waker can still find and wake the
    /// entry in between — else loop.
    fn finish_v57(&mut self, w: &mut World) -> Poll {
        let me = w.me as usize;
        if self.pc == WaitPc::LegacySleep && !Cond::Woken.ready(w, me as u8) {
            return Poll::Block(Cond::Woken);
        }
        w.check_ref(self.folio);
        let excl = self.excl();
        let fr = w.frame_mut(self.folio);
        let got = if excl {
            if fr.flags & self.bit != 0 {
                false
            } else {
                fr.flags |= self.bit;
                true
            }
        } else {
            fr.flags & self.bit == 0
        };
        let s = w.sched[me];
        if excl && !got && s.woken && !(s.killable && s.fatal) {
            self.passed_over(w);
        }
        if got || (s.killable && s.fatal) {
            self.pc = WaitPc::LegacyLeave(if got { 0 } else { -EINTR });
        } else {
            self.pc = WaitPc::Queue;
        }
        Poll::Ran(StepId::FolioWaitBitRetest)
    }

    /// Woken with the lock free, the waiter found it taken: once more than
    /// `vm.page_lock_unfairness` times, `page-lock-starved`.
    fn passed_over(&mut self, w: &mut World) {
        self.passed = self.passed.saturating_add(1);
        if self.passed == w.cfg.page_lock_unfairness.saturating_add(1) {
            let me = w.me;
            w.fire(
                OracleId::PageLockStarved,
                self.folio.frame,
                Payload::Context(me),
            );
        }
    }

    /// `finish_wait()`: off the queue if a waker did not take us off.
    fn finish_wait(&mut self, w: &mut World) {
        let me = w.me as usize;
        if w.sched[me].wait.queued {
            let b = w.wq.bucket(w.sched[me].wait.frame);
            w.wq.remove(b, me as u8);
            w.sched[me].wait.queued = false;
        }
        w.sched[me].killable = false;
    }
}

#[cold]
fn unreachable_pc() -> Poll {
    // A step machine's pc is only set by the machine itself; reaching this is a model bug.
    panic!("pagelife model bug: step machine in an impossible state")
}

/// `folio_lock()` (include/linux/pagemap.h): `folio_trylock()`, else
/// `__folio_lock()` = `folio_wait_bit_common(PG_locked, EXCLUSIVE)`.
/// `folio_lock_killable()` when `killable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LockFolio {
    folio: FolioRef,
    killable: bool,
    wait: Option<WaitBit>,
    /// 0 when locked, -4 when a fatal signal ended a killable wait.
    pub ret: i8,
}

impl LockFolio {
    /// Lock `folio` (the caller holds a reference).
    pub fn new(folio: FolioRef, killable: bool) -> LockFolio {
        LockFolio {
            folio,
            killable,
            wait: None,
            ret: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match &mut self.wait {
            None => {
                if folio_trylock(w, self.folio) {
                    return Poll::Done(StepId::FolioLock);
                }
                self.wait = Some(WaitBit::new(
                    self.folio,
                    pg::LOCKED,
                    Behavior::Exclusive,
                    self.killable,
                ));
                Poll::Ran(StepId::FolioLock)
            }
            Some(wb) => {
                let p = wb.step(w);
                if let Poll::Done(_) = p {
                    self.ret = wb.ret;
                }
                p
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum EntryPc {
    Load,
    TryGet(crate::world::FrameId),
    Reload(FolioRef),
}

/// mm/filemap.c `filemap_get_entry()` (v6.5; `mapping_get_entry()` and
/// `find_get_entry()` before it, the same loop), under `rcu_read_lock()`,
/// as three steps, because each reads state another context changes with
/// no lock held: `xas_load()` of the slot; `folio_try_get()` of what was
/// loaded (a refcount of zero: the folio is frozen or free, `goto repeat`;
/// the folio may have been freed and reused since the load, and the
/// speculative reference lands on whatever holds the frame now); and
/// `xas_reload()`, which drops that reference with `folio_put()` and
/// repeats if the slot no longer holds the folio. The kernel spins on a
/// frozen folio; the model sleeps on [`Cond::SlotBusy`] until the slot or
/// the refcount changes. The result is in [`GetEntry::folio`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GetEntry {
    mapping: u8,
    index: u8,
    /// The label of the load step: the caller's name for the lookup.
    load: StepId,
    pc: EntryPc,
    /// The folio found, with the lookup's reference; `None`: no folio.
    pub folio: Option<FolioRef>,
}

impl GetEntry {
    /// Look up (`mapping`, `index`); `load` labels the `xas_load()` step.
    pub fn new(mapping: u8, index: u8, load: StepId) -> GetEntry {
        GetEntry {
            mapping,
            index,
            load,
            pc: EntryPc::Load,
            folio: None,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            EntryPc::Load => {
                let f = w.slot_frame(self.mapping, self.index);
                if f == NO_FRAME {
                    self.folio = None;
                    return Poll::Done(self.load);
                }
                self.pc = EntryPc::TryGet(f);
                Poll::Ran(self.load)
            }
            EntryPc::TryGet(f) => match folio_try_get(w, f) {
                Some(r) => {
                    self.pc = EntryPc::Reload(r);
                    Poll::Ran(StepId::FolioTryGet)
                }
                None if w.slot_frame(self.mapping, self.index) == f => {
                    Poll::Block(Cond::SlotBusy {
                        mapping: self.mapping,
                        index: self.index,
                        frame: f,
                    })
                }
                None => {
                    self.pc = EntryPc::Load;
                    Poll::Ran(StepId::FolioTryGet)
                }
            },
            EntryPc::Reload(r) => {
                if w.slot_frame(self.mapping, self.index) == r.frame {
                    self.folio = Some(r);
                    return Poll::Done(StepId::XasReload);
                }
                w.note(Event::Note("xas_reload: the slot changed, repeat"));
                folio_put(w, r);
                self.pc = EntryPc::Load;
                Poll::Ran(StepId::XasReload)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum GetPc {
    Lookup,
    Lock,
    Recheck,
    Alloc,
    SetLockedLoad,
    SetLockedStore(u16),
    Add,
}

/// `__filemap_get_folio(mapping, index, FGP_LOCK [| FGP_CREAT])`
/// (`__filemap_get_folio_mpol()` in v7.0): look up, lock, re-check that the
/// folio was not truncated meanwhile; or allocate, `__folio_set_locked()`
/// (non-atomic: a load step and a store step) and `filemap_add_folio()`.
/// On success the folio is locked and the caller holds a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GetLockedFolio {
    mapping: u8,
    index: u8,
    create: bool,
    killable: bool,
    pc: GetPc,
    entry: Option<GetEntry>,
    lock: Option<LockFolio>,
    /// The folio (valid when done and `err == 0`).
    pub folio: FolioRef,
    /// 0; -12 (-ENOMEM); -2 (-ENOENT, absent and not creating); -4 (-EINTR).
    pub err: i8,
    /// The folio was created by this call (not found in the cache).
    pub created: bool,
}

impl GetLockedFolio {
    /// Get (`create`: or create) the locked folio at (`mapping`, `index`).
    pub fn new(mapping: u8, index: u8, create: bool, killable: bool) -> GetLockedFolio {
        GetLockedFolio {
            mapping,
            index,
            create,
            killable,
            pc: GetPc::Lookup,
            entry: None,
            lock: None,
            folio: FolioRef::NONE,
            err: 0,
            created: false,
        }
    }

    fn lookup(&mut self, w: &mut World) -> Poll {
        let make = GetEntry::new(self.mapping, self.index, StepId::FilemapGetEntry);
        let (id, g) = crate::nested!(self.entry, w, make);
        match g.folio {
            Some(r) => {
                self.folio = r;
                self.lock = Some(LockFolio::new(r, self.killable));
                self.pc = GetPc::Lock;
                Poll::Ran(id)
            }
            None if self.create => {
                self.pc = GetPc::Alloc;
                Poll::Ran(id)
            }
            None => {
                self.err = -ENOENT;
                Poll::Done(id)
            }
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            GetPc::Lookup => self.lookup(w),
            GetPc::Lock => self.lock(w),
            GetPc::Recheck => self.recheck(w),
            GetPc::Alloc => match folio_alloc(w) {
                None => {
                    self.err = -ENOMEM;
                    Poll::Done(StepId::FilemapAllocFolio)
                }
                Some(r) => {
                    self.folio = r;
                    self.created = true;
                    self.pc = GetPc::SetLockedLoad;
                    Poll::Ran(StepId::FilemapAllocFolio)
                }
            },
            GetPc::SetLockedLoad => self.set_locked_load(w),
            GetPc::SetLockedStore(v) => self.set_locked_store(w, v),
            GetPc::Add => self.add(w),
        }
    }

    fn lock(&mut self, w: &mut World) -> Poll {
        let lock = self.lock.as_mut().unwrap_or_else(|| unreachable_lock());
        match lock.step(w) {
            Poll::Done(id) => {
                if lock.ret != 0 {
                    folio_put(w, self.folio);
                    self.err = lock.ret;
                    return Poll::Done(id);
                }
                self.pc = GetPc::Recheck;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn recheck(&mut self, w: &mut World) -> Poll {
        let fr = *w.frame(self.folio);
        if fr.mapping != self.mapping || fr.index != self.index {
            // Truncated under us: folio_unlock(); folio_put(); goto repeat.
            w.note(Event::Note("truncated meanwhile: retry"));
            folio_unlock(w, self.folio);
            folio_put(w, self.folio);
            self.pc = GetPc::Lookup;
            return Poll::Ran(StepId::FilemapGetFolioRecheck);
        }
        Poll::Done(StepId::FilemapGetFolioRecheck)
    }

    fn set_locked_load(&mut self, w: &mut World) -> Poll {
        // filemap_add_folio(): __folio_set_locked(), the load half.
        let v = w.frame(self.folio).flags;
        self.pc = GetPc::SetLockedStore(v);
        Poll::Ran(StepId::SetLockedLoad)
    }

    fn set_locked_store(&mut self, w: &mut World, v: u16) -> Poll {
        // The store half of the non-atomic RMW: anything an atomic op
        // changed since the load is lost.
        w.frame_mut(self.folio).flags = v | pg::LOCKED;
        self.pc = GetPc::Add;
        Poll::Ran(StepId::SetLockedStore)
    }

    fn add(&mut self, w: &mut World) -> Poll {
        if let Err(c) = w.xa_spin(self.mapping) {
            return Poll::Block(c);
        }
        if page_cache_insert(w, self.folio, self.mapping, self.index) {
            return Poll::Done(StepId::FilemapAddFolio);
        }
        // -EEXIST: somebody else added one; __folio_clear_locked, put, retry.
        w.frame_mut(self.folio).flags &= !pg::LOCKED;
        folio_put(w, self.folio);
        self.created = false;
        self.pc = GetPc::Lookup;
        Poll::Ran(StepId::FilemapAddFolio)
    }
}

#[cold]
fn unreachable_lock() -> &'static mut LockFolio {
    panic!("pagelife model bug: lock step without a lock")
}

// ---------------------------------------------------------------------------
// Buffered write: generic_perform_write()
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WritePc {
    InodeLock,
    Get,
    Copy,
    Dirty,
    Unlock,
    Put,
    InodeUnlock,
}

/// A one-page `pwrite()`: `inode_lock()`, then `generic_perform_write()`:
/// `->write_begin` (`__filemap_get_folio(FGP_WRITEBEGIN)`: find or create,
/// lock), `copy_folio_from_iter_atomic()`, `->write_end`
/// (`folio_mark_dirty()`, `i_size_write()`, `folio_unlock()`, `folio_put()`),
/// `inode_unlock()`. The user is promised the data when the call returns.
///
/// Not modelled: `balance_dirty_pages_ratelimited()`, `folio_wait_stable()`
/// (no stable-pages device), short copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BufferedWrite {
    file: u8,
    first: u8,
    index: u8,
    end: u8,
    pc: WritePc,
    get: GetLockedFolio,
    versions: [u16; crate::world::MAX_INDEX],
    /// 0 or a negative errno.
    pub err: i8,
}

impl BufferedWrite {
    /// Write page `index` of `file`.
    pub fn new(file: u8, index: u8) -> BufferedWrite {
        BufferedWrite::pages(file, index, 1)
    }

    /// Write pages `index..index + count` of `file` in one call
    /// (`generic_perform_write()` walks them under one `i_rwsem`).
    pub fn pages(file: u8, index: u8, count: u8) -> BufferedWrite {
        let index = index.min(crate::world::MAX_INDEX as u8 - 1);
        BufferedWrite {
            file,
            first: index,
            index,
            end: index
                .saturating_add(count.max(1))
                .min(crate::world::MAX_INDEX as u8),
            pc: WritePc::InodeLock,
            get: GetLockedFolio::new(file, index, true, false),
            versions: [0; crate::world::MAX_INDEX],
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let lock = crate::world::lock::i_rwsem(self.file);
        match self.pc {
            WritePc::InodeLock => {
                if !w.lock_free(lock) {
                    return Poll::Block(Cond::Lock(lock));
                }
                w.locks[lock as usize].owner = w.me;
                self.pc = WritePc::Get;
                Poll::Ran(StepId::InodeLock)
            }
            WritePc::Get => match self.get.step(w) {
                Poll::Done(id) => {
                    if self.get.err != 0 {
                        self.err = self.get.err;
                        self.pc = WritePc::InodeUnlock;
                    } else {
                        self.pc = WritePc::Copy;
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
            WritePc::Copy => {
                let (f, i) = (self.file as usize, self.index as usize);
                let version = w.shadow.next[f][i];
                self.versions[i] = version;
                w.shadow.next[f][i] = version.wrapping_add(1).max(1);
                let t = token::make(self.file, self.index, version);
                w.check_ref(self.get.folio);
                let fr = w.frame_mut(self.get.folio);
                fr.data[0] = t;
                fr.flags |= pg::UPTODATE;
                self.pc = WritePc::Dirty;
                Poll::Ran(StepId::CopyFolioFromIter)
            }
            WritePc::Dirty => {
                folio_mark_dirty(w, self.get.folio);
                let m = &mut w.mappings[self.file as usize];
                if m.i_size <= self.index {
                    m.i_size = self.index + 1;
                }
                self.pc = WritePc::Unlock;
                Poll::Ran(StepId::FolioMarkDirty)
            }
            WritePc::Unlock => {
                folio_unlock(w, self.get.folio);
                self.pc = WritePc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            WritePc::Put => {
                folio_put(w, self.get.folio);
                self.index += 1;
                if self.index < self.end {
                    self.get = GetLockedFolio::new(self.file, self.index, true, false);
                    self.pc = WritePc::Get;
                } else {
                    self.pc = WritePc::InodeUnlock;
                }
                Poll::Ran(StepId::FolioPut)
            }
            WritePc::InodeUnlock => {
                w.locks[lock as usize].owner = crate::world::NO_OWNER;
                // The pages copied before any error are promised.
                let f = self.file as usize;
                for i in self.first as usize..(self.index as usize).min(crate::world::MAX_INDEX) {
                    w.shadow.wrote(f, i, self.versions[i]);
                }
                Poll::Done(StepId::InodeUnlock)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Buffered read: filemap_read()
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ReadPc {
    Lookup,
    Alloc,
    /// `filemap_create_folio()`: `filemap_invalidate_lock_shared()`
    /// (730633f0b7f9) before the folio is added.
    InvCreate,
    /// `filemap_update_page()`: `filemap_invalidate_lock_shared()`
    /// (730633f0b7f9) before the folio is locked.
    InvUpdate,
    SetLockedLoad,
    SetLockedStore(u16),
    Add,
    /// `->read_folio`: a bio for a new folio, or the missing blocks of a
    /// cached one read now.
    ReadFolio,
    WaitLocked,
    LockFill,
    Copy,
    Put,
}

/// A one-page `pread()` through `filemap_read()`: `filemap_get_pages()` finds
/// the folio with a reference, or creates it (`filemap_create_folio()`:
/// allocate, add locked, `filemap_read_folio()`: `->read_folio` submits the
/// read and `folio_wait_locked_killable()`); then `copy_folio_to_iter()` and
/// `folio_put()`. The copy checks the data against the shadow model
/// (`stale-read`).
///
/// On a mapping whose folios track per-block state
/// (`->is_partially_uptodate`), a cached folio that is only partly uptodate
/// (after a partial-block write) is locked and its missing blocks are read
/// the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FilemapRead {
    file: u8,
    index: u8,
    pc: ReadPc,
    entry: Option<GetEntry>,
    /// The folio (kept, unlocked, with a reference, when made by [`FilemapRead::fault`]).
    pub folio: FolioRef,
    wait: Option<WaitBit>,
    lock: Option<LockFolio>,
    read: Option<crate::fs::ReadFolio>,
    sync: bool,
    promised: [u16; crate::world::MAX_BLOCKS],
    truncs: u16,
    keep: bool,
    /// The folio was truncated under us: put it and look up again.
    retry: bool,
    /// `mapping->invalidate_lock` is held shared (730633f0b7f9).
    inv: bool,
    /// 0 or a negative errno.
    pub err: i8,
}

impl FilemapRead {
    /// Read page `index` of `file`.
    pub fn new(file: u8, index: u8) -> FilemapRead {
        FilemapRead {
            file,
            index,
            pc: ReadPc::Lookup,
            entry: None,
            folio: FolioRef::NONE,
            wait: None,
            lock: None,
            read: None,
            sync: false,
            promised: [0; crate::world::MAX_BLOCKS],
            truncs: 0,
            keep: false,
            retry: false,
            inv: false,
            err: 0,
        }
    }

    /// `filemap_fault()`: bring page `index` of `file` in, uptodate, and keep
    /// a reference to it in [`FilemapRead::folio`] (`-EFAULT`, SIGBUS,
    /// beyond EOF).
    pub fn fault(file: u8, index: u8) -> FilemapRead {
        let mut r = FilemapRead::new(file, index);
        r.keep = true;
        r
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            ReadPc::Lookup => self.lookup(w),
            ReadPc::Alloc => match folio_alloc(w) {
                None => {
                    self.err = -ENOMEM;
                    Poll::Done(StepId::FilemapAllocFolio)
                }
                Some(r) => {
                    self.folio = r;
                    self.pc = if w.has(Toggle::InvalidateLockRead) {
                        ReadPc::InvCreate
                    } else {
                        ReadPc::SetLockedLoad
                    };
                    Poll::Ran(StepId::FilemapAllocFolio)
                }
            },
            ReadPc::InvCreate => self.inv_lock(w, ReadPc::SetLockedLoad),
            ReadPc::InvUpdate => self.inv_lock(w, ReadPc::LockFill),
            ReadPc::SetLockedLoad => {
                let v = w.frame(self.folio).flags;
                self.pc = ReadPc::SetLockedStore(v);
                Poll::Ran(StepId::SetLockedLoad)
            }
            ReadPc::SetLockedStore(v) => {
                w.frame_mut(self.folio).flags = v | pg::LOCKED;
                self.pc = ReadPc::Add;
                Poll::Ran(StepId::SetLockedStore)
            }
            ReadPc::Add => self.add(w),
            ReadPc::ReadFolio => {
                let make = (w.a_ops(self.file).read_folio)(self.file, self.folio, self.sync);
                let (id, _) = crate::nested!(self.read, w, make);
                self.pc = if self.sync {
                    // The end of filemap_update_page().
                    self.inv_unlock(w);
                    ReadPc::Copy
                } else {
                    ReadPc::WaitLocked
                };
                Poll::Ran(id)
            }
            ReadPc::WaitLocked => self.wait_locked(w),
            ReadPc::LockFill => self.lock_fill(w),
            ReadPc::Copy => self.copy(w),
            ReadPc::Put => {
                folio_put(w, self.folio);
                if self.retry {
                    self.retry = false;
                    self.folio = FolioRef::NONE;
                    self.pc = ReadPc::Lookup;
                    return Poll::Ran(StepId::FolioPut);
                }
                Poll::Done(StepId::FolioPut)
            }
        }
    }

    /// `filemap_invalidate_lock_shared()`, then `next`.
    fn inv_lock(&mut self, w: &mut World, next: ReadPc) -> Poll {
        if let Err(c) = w.lock_shared(lock::invalidate_lock(self.file)) {
            return Poll::Block(c);
        }
        self.inv = true;
        self.pc = next;
        Poll::Ran(StepId::FilemapInvalidateLockShared)
    }

    /// `filemap_invalidate_unlock_shared()` if it is held.
    fn inv_unlock(&mut self, w: &mut World) {
        if self.inv {
            w.unlock_shared(lock::invalidate_lock(self.file));
            self.inv = false;
        }
    }

    /// A cached folio not uptodate on a mapping with per-block state:
    /// `filemap_update_page()` (with its invalidate lock since 730633f0b7f9).
    fn update_page(&self, w: &World) -> ReadPc {
        if w.has(Toggle::InvalidateLockRead) {
            ReadPc::InvUpdate
        } else {
            ReadPc::LockFill
        }
    }

    /// `->read_folio` next: for a new folio (`sync` false) or the missing
    /// blocks of a cached one.
    fn read_folio(&mut self, sync: bool) {
        self.sync = sync;
        self.read = None;
        self.pc = ReadPc::ReadFolio;
    }

    fn lookup(&mut self, w: &mut World) -> Poll {
        if self.entry.is_none() {
            let (f, i) = (self.file as usize, self.index as usize);
            let upp = w.cfg.upp(self.file);
            // What a read starting now must see at least.
            for j in 0..upp {
                self.promised[j] = w.shadow.latest[f][i * upp + j];
            }
            self.truncs = w.shadow.truncs[f];
            // filemap_read(): `if (iocb->ki_pos >= i_size_read(inode))
            // break;` before filemap_get_pages() since 8c8387ee3f55 (before
            // it, the folio past EOF is created and read, and the copy's
            // check finds nothing to copy); filemap_fault(): SIGBUS.
            let check = self.keep || w.has(Toggle::ReadEofCheckFirst);
            if check && w.mappings[f].i_size <= self.index {
                w.note(Event::Note("beyond EOF"));
                if self.keep {
                    self.err = -EFAULT;
                }
                return Poll::Done(StepId::FilemapGetEntry);
            }
        }
        let make = GetEntry::new(self.file, self.index, StepId::FilemapGetEntry);
        let (id, g) = crate::nested!(self.entry, w, make);
        match g.folio {
            Some(r) => {
                self.folio = r;
                self.pc = if w.frame(r).flags & pg::UPTODATE != 0 {
                    ReadPc::Copy
                } else if w.a_ops(self.file).partial_uptodate {
                    self.update_page(w)
                } else {
                    ReadPc::WaitLocked
                };
                Poll::Ran(id)
            }
            None => {
                self.pc = ReadPc::Alloc;
                Poll::Ran(id)
            }
        }
    }

    fn add(&mut self, w: &mut World) -> Poll {
        if let Err(c) = w.xa_spin(self.file) {
            return Poll::Block(c);
        }
        if page_cache_insert(w, self.folio, self.file, self.index) {
            self.read_folio(false);
        } else {
            w.frame_mut(self.folio).flags &= !pg::LOCKED;
            folio_put(w, self.folio);
            self.inv_unlock(w);
            self.pc = ReadPc::Lookup;
        }
        Poll::Ran(StepId::FilemapAddFolio)
    }

    fn wait_locked(&mut self, w: &mut World) -> Poll {
        let make = WaitBit::new(self.folio, pg::LOCKED, Behavior::Shared, true);
        let (id, wb) = crate::nested!(self.wait, w, make);
        // The end of filemap_create_folio(): filemap_read_folio() waited.
        self.inv_unlock(w);
        if wb.ret != 0 {
            self.err = wb.ret;
            self.pc = ReadPc::Put;
        } else if w.frame(self.folio).flags & pg::UPTODATE == 0 {
            if w.a_ops(self.file).partial_uptodate && w.frame(self.folio).mapping == self.file {
                // Partly uptodate (a partial-block write): read the rest.
                self.pc = self.update_page(w);
            } else {
                // filemap_read_folio(): the read failed; -EIO, nothing copied.
                w.note(Event::Note("not uptodate after the read: -EIO"));
                self.err = -EIO;
                self.pc = ReadPc::Put;
            }
        } else {
            self.pc = ReadPc::Copy;
        }
        Poll::Ran(id)
    }

    fn lock_fill(&mut self, w: &mut World) -> Poll {
        let (id, lk) = crate::nested!(self.lock, w, LockFolio::new(self.folio, true));
        let gone = w.frame(self.folio).mapping != self.file;
        if lk.ret != 0 || gone || w.frame(self.folio).flags & pg::UPTODATE != 0 {
            // filemap_update_page() is done with the mapping.
            self.inv_unlock(w);
        }
        if lk.ret != 0 {
            self.err = lk.ret;
            self.pc = ReadPc::Put;
        } else if gone {
            // filemap_read_folio() / filemap_fault(): the folio left the page
            // cache — drop it and look up again.
            folio_unlock(w, self.folio);
            w.note(Event::Note("truncated meanwhile: retry"));
            self.retry = true;
            self.pc = ReadPc::Put;
        } else if w.frame(self.folio).flags & pg::UPTODATE != 0 {
            folio_unlock(w, self.folio);
            self.pc = ReadPc::Copy;
        } else {
            self.read_folio(true);
        }
        Poll::Ran(id)
    }

    fn copy(&mut self, w: &mut World) -> Poll {
        w.check_ref(self.folio);
        if self.keep {
            return Poll::Done(StepId::FilemapFault);
        }
        let (f, i) = (self.file as usize, self.index as usize);
        // filemap_read(): `isize = i_size_read(inode); if (iocb->ki_pos >=
        // isize) goto put_folios;` after filemap_get_pages(): a truncation
        // since the lookup leaves nothing to copy.
        if w.mappings[f].i_size <= self.index {
            w.note(Event::Note("beyond EOF after the lookup: nothing copied"));
            self.pc = ReadPc::Put;
            return Poll::Ran(StepId::CopyFolioToIter);
        }
        let truncated = w.shadow.truncs[f] != self.truncs;
        check_read_data(w, self.folio, self.file, i, &self.promised, truncated);
        self.pc = ReadPc::Put;
        Poll::Ran(StepId::CopyFolioToIter)
    }
}

/// What a read of page `index` of `file` found in folio `r`, against what
/// was promised to it when the read started (`promised`, a version per
/// data unit; `truncated`: a truncation or punch overlapped the read):
/// another file's data is always wrong (unless the unit was cloned from
/// it: then only that file's cloned version is right), even in a read that overlapped a
/// truncation or a punch; an older version of our own only if it was still
/// promised (an I/O error voids) and no truncation overlapped the read.
/// Fires `stale-read` (`copy_folio_to_iter()`, a user's load).
pub fn check_read_data(
    w: &mut World,
    r: FolioRef,
    file: u8,
    index: usize,
    promised: &[u16],
    truncated: bool,
) {
    let f = file as usize;
    let upp = w.cfg.upp(file);
    for (j, &promised) in promised.iter().enumerate().take(upp) {
        let u = index * upp + j;
        let t = w.frame(r).data[j];
        let ok_owner = w.shadow.owner_ok(f, u, t);
        // A unit cloned from another file holds that file's data at the
        // cloned version, and no other (Shadow::holds).
        let own = t == 0 || token::file(t) == Some(file);
        let stale = if own {
            token::version(t) < promised
        } else {
            token::version(t) != promised
        } && w.shadow.promised(f, u, promised);
        if !ok_owner || (!truncated && stale) {
            w.fire(
                OracleId::StaleRead,
                r.frame,
                Payload::Data {
                    found: t,
                    promised: w.shadow.expected(f, u, promised),
                },
            );
            break;
        }
    }
}

crate::impl_step!(
    GetEntry,
    WaitBit,
    LockFolio,
    GetLockedFolio,
    BufferedWrite,
    FilemapRead
);
