//! What a step machine answers when asked to take a step.

use crate::step::StepId;
use crate::world::{wq, CtxId, FrameId, LockId, World, NTASK_SLOTS};

/// The result of asking a step machine for one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// It took the step `StepId`; more steps follow.
    Ran(StepId),
    /// It took the step `StepId`, its last.
    Done(StepId),
    /// It cannot take its next step until `Cond` holds; nothing changed.
    Block(Cond),
}

/// Why a task cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// Asleep in `folio_wait_bit_common()` until woken (or, in a killable
    /// sleep, until a fatal signal is pending).
    Woken,
    /// Waiting for a lock held across steps (`i_rwsem`, a spinlock), to take it exclusively.
    Lock(LockId),
    /// Waiting to take a reader-writer semaphore shared (`down_read()`).
    LockShared(LockId),
    /// `folio_try_get()` failed on a frozen refcount: the lookup retries until
    /// the slot changes or the folio is unfrozen.
    SlotBusy {
        /// File.
        mapping: u8,
        /// Page index.
        index: u8,
        /// The frozen frame.
        frame: FrameId,
    },
    /// Every bio slot is in flight; the submitter waits for one to finish.
    BioSlot,
    /// `lock_buffer()` sleeps until the buffer is unlocked (or freed).
    BhUnlocked(u8),
    /// Until no other thread of the task's mm has a direct I/O in flight
    /// on anonymous page `page` (the program's own synchronisation of its
    /// buffer: [`crate::op::pre::buffer_idle`]).
    BufferIdle(u8),
    /// `wait_on_bit_io(&bh->b_state, BH_Shadow)`: until the log write of
    /// the buffer's primary copy completes.
    BhShadowClear(u8),
    /// `start_this_handle()` → `wait_transaction_locked()`: until the
    /// running transaction is no longer `T_LOCKED`.
    JournalUnlocked,
    /// `jbd2_journal_wait_updates()`: until the locked transaction has no
    /// handle left.
    JournalUpdates,
    /// `wait_on_buffer()` on a buffer bio's buffer: until bio `k` finished.
    BioDone(u8),
    /// One kjournald2 commits: until no other commit is under way.
    CommitIdle,
    /// A child process until its parent's `fork()` is done (or the parent
    /// finished without one).
    Forked(u8),
}

impl Cond {
    /// Whether the condition holds now, for task `t`.
    pub fn ready(&self, w: &World, t: CtxId) -> bool {
        match *self {
            Cond::Woken => {
                let s = &w.sched[(t as usize).min(NTASK_SLOTS - 1)];
                s.woken || s.wait.flags & wq::WOKEN != 0 || (s.killable && s.fatal)
            }
            Cond::Lock(l) => w.lock_free(l),
            Cond::LockShared(l) => w.lock_shared_ok(l),
            Cond::SlotBusy {
                mapping,
                index,
                frame,
            } => w.slot_frame(mapping, index) != frame || w.frames[frame as usize].refcount != 0,
            Cond::BioSlot => w.bios.iter().any(|b| !b.live),
            Cond::BufferIdle(p) => {
                let m = &w.mms[w.mm_id(t) as usize % crate::world::MAX_TASKS];
                m.dio_busy[p as usize % m.dio_busy.len()] == 0
            }
            Cond::BhShadowClear(id) => !w.journal.jh(id).shadow,
            Cond::JournalUnlocked => !w.journal.locked,
            Cond::JournalUpdates => w.journal.updates == 0,
            Cond::CommitIdle => !w.journal.locked && w.journal.committing == 0,
            Cond::Forked(c) => w.forked & (1 << (c % 8)) != 0,
            Cond::BioDone(k) => !w.bios[(k as usize).min(crate::world::MAX_BIOS - 1)].live,
            Cond::BhUnlocked(id) => {
                let id = id.min(w.bhs.len() as u8 - 1);
                !w.bhs[id as usize].live || !crate::fs::buffer::buffer_locked(w, id)
            }
        }
    }
}

impl Cond {
    /// What a task blocked on this waits for, in the kernel's words; a
    /// folio-bit sleep names the bit and frame of the task's wait entry.
    pub fn describe(&self, frame: u8, bit: u16) -> String {
        use crate::world::{lock::lock_name, pg};
        match *self {
            Cond::Woken => format!("asleep on {} of frame{frame}", pg::wait_bit_name(bit)),
            Cond::Lock(l) | Cond::LockShared(l) => format!("waiting for {}", lock_name(l)),
            Cond::SlotBusy { frame, .. } => format!("retrying a lookup of frozen frame{frame}"),
            Cond::BioSlot => "waiting for a free bio".into(),
            Cond::BhUnlocked(id) => format!("in lock_buffer() of buffer head {id}"),
            Cond::BufferIdle(p) => format!("waiting for another thread's direct I/O on anon{p}"),
            Cond::BhShadowClear(id) => format!("waiting for BH_Shadow of buffer head {id}"),
            Cond::JournalUnlocked => "in wait_transaction_locked()".into(),
            Cond::JournalUpdates => "in jbd2_journal_wait_updates()".into(),
            Cond::BioDone(k) => format!("in wait_on_buffer() for io{k}"),
            Cond::CommitIdle => "waiting for the running commit".into(),
            Cond::Forked(_) => "not forked yet".into(),
        }
    }
}

/// A step machine: the model of one kernel path, asked for one step at a time.
pub trait Step {
    /// Take one step (or say why not).
    fn step(&mut self, w: &mut World) -> Poll;
}

/// Drive a nested machine held in `slot` one step, making it with `make`
/// on first use: `Ok((id, m))` when it took its last step `id` (the slot is
/// emptied and the finished machine returned, to read its results);
/// `Err(poll)` for the caller to return as it is.
#[inline]
pub fn nested<M: Step + Copy>(
    slot: &mut Option<M>,
    w: &mut World,
    make: M,
) -> Result<(StepId, M), Poll> {
    let m = slot.get_or_insert(make);
    match m.step(w) {
        Poll::Done(id) => {
            let m = *m;
            *slot = None;
            Ok((id, m))
        }
        p => Err(p),
    }
}

/// `done!(m.step(w))`: the label of a nested machine's last step, or return
/// its `Ran`/`Block` from the calling step function.
#[macro_export]
macro_rules! done {
    ($e:expr) => {
        match $e {
            $crate::exec::poll::Poll::Done(id) => id,
            p => return p,
        }
    };
}

/// `nested!(self.slot, w, make)`: [`nested`], returning its `Err` from the
/// calling step function; evaluates to `(last step, finished machine)`.
#[macro_export]
macro_rules! nested {
    ($slot:expr, $w:expr, $make:expr) => {
        match $crate::exec::poll::nested(&mut $slot, $w, $make) {
            Ok(x) => x,
            Err(p) => return p,
        }
    };
}

/// Implement [`Step`] for machines with an inherent `step` method.
#[macro_export]
macro_rules! impl_step {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::exec::poll::Step for $t {
            #[inline]
            fn step(&mut self, w: &mut $crate::world::World) -> $crate::exec::poll::Poll {
                <$t>::step(self, w)
            }
        })*
    };
}
