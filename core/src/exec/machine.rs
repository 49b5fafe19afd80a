//! The machine: a world plus the step machine of every context, and the
//! rules for taking one step of a context.
//!
//! Executors (replay, check, the fuzzers) decide *which* context steps; this
//! file decides what a step of a context is. A machine is `Clone` and `Hash`
//! so `check` can branch and deduplicate states.

use std::hash::{Hash, Hasher};

use crate::block::bio::bio_step;
use crate::case::{relation_ok, Case, Fault, Op};
use crate::exec::poll::{Cond, Poll};
use crate::fs::inode::{unreferenced_orphan, Evict};
use crate::op::{OpCx, OpSm, Pre};
use crate::step::StepId;
use crate::world::{
    CtxId, World, BIO_CTX0, MAX_BIOS, MAX_CTX, MAX_FILES, MAX_TASKS, NO_CHILD, NO_FRAME,
    NTASK_SLOTS, TASK_INIT, TASK_KSWAPD, TASK_SYNC,
};

/// A task slot's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TaskRun {
    /// Index of the current operation.
    pub op_idx: u8,
    /// The current operation's machine (`None` between operations).
    pub op: Option<OpSm>,
    /// What it waits for, if it blocked.
    pub blocked: Option<Cond>,
    /// The eviction it runs between two operations, having dropped the
    /// last reference of an unlinked file ([`crate::fs::inode`]).
    pub evict: Option<Evict>,
    /// No operation left.
    pub done: bool,
}

/// What happened when a context was asked for a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// It took this step.
    Ran(StepId),
    /// It is blocked (it may just have found out).
    Blocked,
    /// It has nothing to do (finished, or a bio not in flight).
    Idle,
}

/// Most steps one run may take; beyond it the run stops (a livelock guard).
pub const STEP_BUDGET: u32 = 4000;

/// A world and the step machines of every context.
#[derive(Clone, Debug)]
pub struct Machine<'c> {
    /// The case being run.
    pub case: &'c Case,
    /// The state.
    pub world: World,
    /// Task slots.
    pub tasks: [TaskRun; NTASK_SLOTS],
    /// The frame the pending injected reclaim works on.
    pub kswapd_frame: u8,
    /// Faults already applied (bit i = `case.faults[i]`).
    pub faults_done: u32,
    /// What each bio's completion work sleeps on (a workqueue item waiting
    /// for a lock, as `ext4_end_io_rsv_work()` for `i_data_sem`).
    pub bio_wait: [Option<Cond>; MAX_BIOS],
    /// The faults that apply at a step number (signals, injected reclaim).
    timed_faults: u32,
    /// Per task slot and file, one past the index of the last operation
    /// naming the file (0: none): the task closes it after that one.
    last_use: [[u8; MAX_FILES]; NTASK_SLOTS],
    /// The last [`Machine::step_ctx`] changed the world without taking a
    /// step: operations skipped, files closed, a task finished (`check`
    /// keeps that world when the context then blocks).
    pub quiet_change: bool,
}

impl Hash for Machine<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.world.hash(h);
        self.tasks.hash(h);
        self.kswapd_frame.hash(h);
        self.faults_done.hash(h);
        self.bio_wait.hash(h);
    }
}

const SYNC_OPS: [Op; 1] = [Op::Sync {}];

/// Umount with the journal in use: `sync_filesystem()` commits it first
/// (`ext4_sync_fs()` → the journal commit), `ext4_put_super()` checkpoints
/// what is left last (`jbd2_journal_destroy()`).
const JOURNAL_SYNC_OPS: [Op; 3] = [Op::Jbd2Commit {}, Op::Sync {}, Op::Jbd2Checkpoint {}];

impl<'c> Machine<'c> {
    /// A machine at the start of `case` (setup not run yet).
    pub fn new(case: &'c Case) -> Machine<'c> {
        let mut world = World::new(case.config, case.profile.toggles());
        world.set_threads(mm_of(case));
        world.fork_child = fork_children(case);
        for f in &case.faults {
            match *f {
                Fault::IoError { bio } if (bio as usize) < MAX_BIOS => world.fail_bios |= 1 << bio,
                Fault::AllocFail { nth } => world.fail_alloc = nth,
                _ => {}
            }
        }
        let timed_faults = case
            .faults
            .iter()
            .enumerate()
            .take(32)
            .filter(|(_, f)| matches!(f, Fault::Signal { .. } | Fault::Reclaim { .. }))
            .fold(0u32, |m, (i, _)| m | 1 << i);
        let mut m = Machine {
            case,
            world,
            tasks: [TaskRun::default(); NTASK_SLOTS],
            kswapd_frame: NO_FRAME,
            faults_done: 0,
            bio_wait: [None; MAX_BIOS],
            timed_faults,
            last_use: last_uses(case),
            quiet_change: false,
        };
        for t in 0..NTASK_SLOTS {
            // A child has its exit_mmap() at least, once forked.
            m.tasks[t].done = m.op_at(t as u8, 0).is_none() && !m.is_child(t);
        }
        m
    }

    /// Whether task slot `t` is a child some task's `fork` creates.
    fn is_child(&self, t: usize) -> bool {
        t < MAX_TASKS && self.world.fork_child.contains(&(t as u8))
    }

    /// Task slot `t` has run its last operation: a child it never forked
    /// will not run.
    fn finish(&mut self, t: usize) {
        self.tasks[t].done = true;
        self.quiet_change = true;
        if let Some(&c) = self.world.fork_child.get(t) {
            if (c as usize) < MAX_TASKS && self.world.forked & (1 << c) == 0 {
                self.world.forked |= 1 << c;
                self.world.fork_failed |= 1 << c;
            }
        }
    }

    /// A child whose fork is not done waits for it; a failed one skips
    /// its operations (`Some` when the task cannot take a step now).
    fn child_start(&mut self, c: CtxId) -> Option<StepResult> {
        let (t, bit) = (c as usize, 1u8 << (c % 8));
        if self.world.forked & bit == 0 {
            self.tasks[t].blocked = Some(Cond::Forked(c));
            return Some(StepResult::Blocked);
        }
        let nops = self.case.tasks.get(t).map_or(0, |d| d.ops.len());
        if self.world.fork_failed & bit != 0 && (self.tasks[t].op_idx as usize) < nops {
            self.world.note(crate::trace::Event::Note(
                "the fork failed: the child never ran",
            ));
            self.tasks[t].op_idx = nops as u8;
        }
        None
    }

    /// Whether another task of `t`'s mm is still running (so `t`'s end is
    /// not the mm's last user's: no `exit_mmap()`).
    fn mm_shared_live(&self, t: usize) -> bool {
        let mm = self.world.mm_id(t as u8);
        (0..MAX_TASKS).any(|u| u != t && self.world.mm_id(u as u8) == mm && !self.tasks[u].done)
    }

    /// Operation `idx` of task slot `t`.
    pub fn op_at(&self, t: CtxId, idx: u8) -> Option<Op> {
        let idx = idx as usize;
        match t {
            t if (t as usize) < MAX_TASKS => {
                let ops = self
                    .case
                    .tasks
                    .get(t as usize)
                    .map_or(&[][..], |d| &d.ops[..]);
                match ops.get(idx) {
                    Some(op) => Some(*op),
                    // The task exits: exit_mmap() tears down what it still maps.
                    None if idx == ops.len()
                        && self.world.mms[self.world.mm_id(t) as usize % MAX_TASKS].vmas != 0
                        && !self.mm_shared_live(t as usize) =>
                    {
                        Some(Op::Exit {})
                    }
                    None => None,
                }
            }
            TASK_INIT => self.case.setup.get(idx).copied(),
            TASK_SYNC if self.world.journal.next_tid != 1 => JOURNAL_SYNC_OPS.get(idx).copied(),
            TASK_SYNC => SYNC_OPS.get(idx).copied(),
            TASK_KSWAPD if idx == 0 && self.kswapd_frame != NO_FRAME => Some(Op::Reclaim {
                frame: self.kswapd_frame,
            }),
            _ => None,
        }
    }

    /// Whether context `c` is a user task whose operations are over and
    /// which has only its implicit `exit_mmap()` left to run.
    pub fn only_exit_left(&self, c: CtxId) -> bool {
        let t = c as usize;
        t < MAX_TASKS
            && self.tasks[t].op.is_none()
            && self.tasks[t].evict.is_none()
            && !self.tasks[t].done
            && self.case.tasks.get(t).map_or(0, |d| d.ops.len()) == self.tasks[t].op_idx as usize
    }

    /// The CPU task slot `t` runs on (its declared `cpu`; system contexts run on CPU 0).
    pub fn cpu_of(&self, t: CtxId) -> u8 {
        self.case
            .tasks
            .get(t as usize)
            .filter(|_| (t as usize) < MAX_TASKS)
            .map(|d| d.cpu)
            .unwrap_or(0)
    }

    /// Whether context `c` can take a step now (as far as the scheduler knows:
    /// a task that has not tried its next step yet may turn out blocked).
    #[inline]
    pub fn runnable(&self, c: CtxId) -> bool {
        if (c as usize) < NTASK_SLOTS {
            let t = &self.tasks[c as usize];
            !t.done && t.blocked.is_none_or(|cond| cond.ready(&self.world, c))
        } else {
            let k = (c - BIO_CTX0) as usize;
            k < MAX_BIOS
                && self.world.bios[k].live
                && self.bio_wait[k].is_none_or(|cond| cond.ready(&self.world, c))
        }
    }

    /// Contexts the scheduler may pick from: user tasks, kswapd, bios.
    pub fn schedulable() -> impl Iterator<Item = CtxId> {
        (0..MAX_TASKS as u8)
            .chain(std::iter::once(TASK_KSWAPD))
            .chain(BIO_CTX0..MAX_CTX as u8)
    }

    /// [`Machine::schedulable`] without the bio slots never used yet (bios
    /// are numbered by submission: none past `nbios` is live), in the
    /// same order: what the per-step scheduler loops walk.
    pub fn schedulable_now(&self) -> impl Iterator<Item = CtxId> {
        let bios = self.world.nbios.min(MAX_BIOS as u8);
        (0..MAX_TASKS as u8)
            .chain(std::iter::once(TASK_KSWAPD))
            .chain(BIO_CTX0..BIO_CTX0 + bios)
    }

    /// Whether any user task or kswapd is unfinished.
    pub fn tasks_pending(&self) -> bool {
        (0..MAX_TASKS)
            .chain(std::iter::once(TASK_KSWAPD as usize))
            .any(|t| !self.tasks[t].done)
    }

    /// Ask context `c` for one step. Executors call [`Machine::apply_faults`]
    /// before choosing the context.
    pub fn step_ctx(&mut self, c: CtxId) -> StepResult {
        if !self.runnable(c) {
            return StepResult::Blocked.or_idle(self.is_idle(c));
        }
        self.world.me = c;
        self.world.ev.clear();
        self.world.touched = NO_FRAME;
        self.quiet_change = false;
        let poll = if (c as usize) < NTASK_SLOTS {
            let t = c as usize;
            self.tasks[t].blocked = None;
            let p = match self.task_poll(c) {
                Ok(p) => p,
                Err(r) => return r,
            };
            if let Poll::Block(cond) = p {
                // Sleeping (anything but spinning on a spinlock) with a spinlock held.
                let spinning = matches!(cond, Cond::Lock(l) if crate::world::lock::is_spinlock(l));
                if !spinning && self.world.sched[t].spin_held > 0 {
                    crate::mm::migrate::might_sleep(&mut self.world);
                }
                self.tasks[t].blocked = Some(cond)
            }
            p
        } else {
            let k = (c - BIO_CTX0) as usize;
            let p = bio_step(&mut self.world, k);
            self.bio_wait[k] = match p {
                Poll::Block(cond) => Some(cond),
                _ => None,
            };
            p
        };
        match poll {
            Poll::Ran(id) | Poll::Done(id) => {
                self.world.step_no += 1;
                StepResult::Ran(id)
            }
            Poll::Block(_) => StepResult::Blocked,
        }
    }

    /// One step of task slot `c`: its eviction, or its operation (started
    /// first if it has none). `Err` when it cannot take a step now.
    fn task_poll(&mut self, c: CtxId) -> Result<Poll, StepResult> {
        let t = c as usize;
        if self.tasks[t].evict.is_none() {
            if let Some(r) = self.start_op(c) {
                return Err(r);
            }
        }
        if let Some(e) = self.tasks[t].evict.as_mut() {
            let p = e.step(&mut self.world);
            if let Poll::Done(_) = p {
                self.tasks[t].evict = None;
                self.between_ops(t);
            }
            return Ok(p);
        }
        let Some(op) = self.tasks[t].op.as_mut() else {
            return Err(StepResult::Idle);
        };
        let p = op.step(&mut self.world);
        if let Poll::Done(_) = p {
            let tr = &mut self.tasks[t];
            tr.op = None;
            tr.op_idx += 1;
            self.between_ops(t);
        }
        Ok(p)
    }

    /// Task slot `t` is between two operations: it closes what it will
    /// not use again, then evicts a file whose last reference it dropped,
    /// or finishes if nothing is left.
    fn between_ops(&mut self, t: usize) {
        if !self.close_unused(t) && self.op_at(t as u8, self.tasks[t].op_idx).is_none() {
            self.finish(t);
        }
    }

    /// `close()` (the deferred `fput()` at the return to user space) of
    /// each file task slot `t` holds open and no operation left names;
    /// `true` if an unlinked file is now unreferenced — by this or by a
    /// mapping's `remove_vma()` — and the task runs its eviction
    /// ([`crate::fs::inode::iput`]).
    fn close_unused(&mut self, t: usize) -> bool {
        let idx = self.tasks[t].op_idx;
        for f in 0..MAX_FILES {
            if self.world.fds[t] & 1 << f != 0 && self.last_use[t][f] <= idx {
                self.world.fds[t] &= !(1 << f);
                let m = &mut self.world.mappings[f];
                m.i_count = m.i_count.saturating_sub(1);
                self.quiet_change = true;
            }
        }
        self.tasks[t].evict = unreferenced_orphan(&self.world).map(Evict::new);
        self.tasks[t].evict.is_some()
    }

    /// Give task slot `c` the machine of its next operation if it has none:
    /// the operation's precondition decides whether it starts, is skipped,
    /// or waits. `Some` when the task cannot take a step now.
    fn start_op(&mut self, c: CtxId) -> Option<StepResult> {
        let t = c as usize;
        if self.tasks[t].op.is_none() && self.is_child(t) {
            if let Some(r) = self.child_start(c) {
                return Some(r);
            }
        }
        while self.tasks[t].op.is_none() && self.tasks[t].evict.is_none() {
            let Some(op) = self.op_at(c, self.tasks[t].op_idx) else {
                self.finish(t);
                return Some(StepResult::Idle);
            };
            let pre = match op {
                // exit_mm()'s mmput() of a shared mm is not the last: the
                // mm's last task to finish tears it down.
                Op::Exit {} if t < MAX_TASKS && self.mm_shared_live(t) => {
                    Pre::Skip("the mm has other live threads: no exit_mmap()")
                }
                _ => op.pre(&self.world),
            };
            match pre {
                Pre::Ready | Pre::Open(_) => {
                    let cx = OpCx {
                        cfg: &self.world.cfg,
                        cpu: self.cpu_of(c),
                    };
                    self.tasks[t].op = Some(op.machine(&cx));
                    if let Pre::Open(files) = pre {
                        // open(): the descriptor and its inode reference,
                        // with the name still there.
                        for f in (0..MAX_FILES).filter(|&f| files & 1 << f != 0) {
                            self.world.fds[t] |= 1 << f;
                            self.world.mappings[f].i_count += 1;
                        }
                        self.quiet_change = true;
                    }
                }
                Pre::Skip(why) => {
                    self.world.note(crate::trace::Event::Note(why));
                    self.tasks[t].op_idx += 1;
                    self.quiet_change = true;
                    self.close_unused(t);
                }
                Pre::Wait(cond) => {
                    self.tasks[t].blocked = Some(cond);
                    return Some(StepResult::Blocked);
                }
            }
        }
        None
    }

    fn is_idle(&self, c: CtxId) -> bool {
        if (c as usize) < NTASK_SLOTS {
            self.tasks[c as usize].done
        } else {
            !self.world.bios[(c - BIO_CTX0) as usize % MAX_BIOS].live
        }
    }

    /// Apply the faults due before the step about to be taken (signals,
    /// injected reclaim). Returns `true` if injected reclaim became runnable:
    /// the executor runs `kswapd` now, before anything else.
    #[inline]
    pub fn apply_faults(&mut self) -> bool {
        if self.faults_done & self.timed_faults == self.timed_faults {
            return false;
        }
        self.apply_timed_faults()
    }

    fn apply_timed_faults(&mut self) -> bool {
        let mut kswapd = false;
        let now = self.world.step_no;
        for (i, f) in self.case.faults.iter().enumerate().take(32) {
            if self.faults_done & (1 << i) != 0 {
                continue;
            }
            match *f {
                Fault::Signal { task, at } if at as u32 <= now => {
                    self.faults_done |= 1 << i;
                    if (task as usize) < MAX_TASKS {
                        self.world.sched[task as usize].fatal = true;
                    }
                }
                Fault::Reclaim { frame, at }
                    if at as u32 <= now && self.tasks[TASK_KSWAPD as usize].done =>
                {
                    self.faults_done |= 1 << i;
                    self.kswapd_frame = frame % self.world.cfg.frames.max(1);
                    self.tasks[TASK_KSWAPD as usize] = TaskRun::default();
                    kswapd = true;
                }
                _ => {}
            }
        }
        kswapd
    }
}

impl StepResult {
    fn or_idle(self, idle: bool) -> StepResult {
        if idle {
            StepResult::Idle
        } else {
            self
        }
    }
}

/// Each task's mm: its own slot, or a valid leader's
/// ([`crate::case::TaskDef::thread`]).
fn mm_of(case: &Case) -> [u8; MAX_TASKS] {
    let mut m = [0, 1, 2, 3];
    for (t, d) in case.tasks.iter().enumerate().take(MAX_TASKS) {
        if let (Some(l), true) = (d.thread, relation_ok(&case.tasks, t)) {
            m[t] = l;
        }
    }
    m
}

/// Each task's child ([`crate::case::TaskDef::fork`]), or [`NO_CHILD`].
fn fork_children(case: &Case) -> [u8; MAX_TASKS] {
    let mut c = [NO_CHILD; MAX_TASKS];
    for (t, d) in case.tasks.iter().enumerate().take(MAX_TASKS) {
        if let (Some(p), true) = (d.fork, relation_ok(&case.tasks, t)) {
            c[p as usize % MAX_TASKS] = t as u8;
        }
    }
    c
}

/// [`Machine::last_use`] of `case`: for each task slot (the user tasks and
/// setup) and file, one past its last operation naming the file.
fn last_uses(case: &Case) -> [[u8; MAX_FILES]; NTASK_SLOTS] {
    let mut u = [[0; MAX_FILES]; NTASK_SLOTS];
    let lists = case
        .tasks
        .iter()
        .take(MAX_TASKS)
        .map(|d| &d.ops[..])
        .enumerate()
        .chain(std::iter::once((TASK_INIT as usize, &case.setup[..])));
    for (t, ops) in lists {
        for (i, op) in ops.iter().enumerate() {
            let files = op.inodes();
            for f in (0..MAX_FILES).filter(|&f| files & 1 << f != 0) {
                u[t][f] = (i + 1).min(u8::MAX as usize) as u8;
            }
        }
    }
    u
}
