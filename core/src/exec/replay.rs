//! Deterministic replay of a case: setup, the schedule, the fallback, then
//! the checks of a quiet world.
//!
//! Scheduling rules (documented for litmus authors):
//! 1. `setup:` operations run first, in order, in the `init` context; when
//!    init blocks, the oldest bio in flight takes a step. Bios setup submits
//!    and does not need stay in flight.
//! 2. Each schedule slice runs its context for as long as it says. A slice
//!    whose context cannot run (blocked, finished, a bio not in flight) is
//!    skipped, and the trace says so.
//! 3. When the schedule is exhausted, the lowest runnable context (tasks in
//!    declaration order, then kswapd, then bios in submission order) runs until
//!    it blocks or finishes, again and again, until nothing can run.
//! 4. Injected reclaim runs to completion (or until it blocks) as soon as it
//!    is due, before the step it precedes.
//! 5. Then the world is quiet: a task still waiting is a `hang`; otherwise
//!    the `umount` context syncs every file (its fsyncs check the disk
//!    against everything written) with the bios it needs.

use crate::case::{Case, Run, Slice};
use crate::exec::machine::{Machine, StepResult, STEP_BUDGET};
use crate::oracle::{Findings, OracleId};
use crate::step::StepId;
use crate::trace::{Phase, Trace, TraceEntry};
use crate::world::{
    ctx_name, CtxId, World, BIO_CTX0, MAX_BIOS, MAX_TASKS, NO_FRAME, TASK_INIT, TASK_KSWAPD,
    TASK_SYNC,
};

/// What to record during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep a full trace (for tables and pictures).
    pub trace: bool,
    /// Keep the sequence of contexts that took steps (for export and minimization).
    pub record_schedule: bool,
    /// Stop as soon as an oracle fires (fuzzing).
    pub stop_at_first: bool,
}

/// Sees every step as it is taken (coverage signals, progress).
pub trait Observer {
    /// Called after context `ctx` took step `id`.
    fn on_step(&mut self, w: &World, ctx: CtxId, id: StepId);
}

/// An observer that does nothing.
pub struct NoObserver;

impl Observer for NoObserver {
    #[inline]
    fn on_step(&mut self, _: &World, _: CtxId, _: StepId) {}
}

/// The result of a run.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Oracle firings, first first.
    pub findings: Findings,
    /// The trace, if asked for.
    pub trace: Option<Trace>,
    /// The contexts that took the steps after setup, in order, if asked for.
    pub taken: Vec<CtxId>,
    /// Steps taken in all.
    pub steps: u32,
    /// The step budget ran out (a livelock guard); quiet-world checks skipped.
    pub budget_exhausted: bool,
}

struct Exec<'c, 'o, O: Observer> {
    m: Machine<'c>,
    opts: RunOptions,
    trace: Option<Trace>,
    taken: Vec<CtxId>,
    phase: Phase,
    obs: &'o mut O,
    stop: bool,
    budget_hit: bool,
}

impl<O: Observer> Exec<'_, '_, O> {
    /// Note a scheduler decision in the trace (built only when tracing).
    fn remark(&mut self, s: impl FnOnce(&Self) -> String) {
        if self.trace.is_some() {
            let text = s(self);
            if let Some(t) = self.trace.as_mut() {
                t.remarks.push((self.m.world.step_no, text));
            }
        }
    }

    /// Note that the schedule did not run as written (built only when tracing).
    fn warn(&mut self, s: impl FnOnce(&Self) -> String) {
        if self.trace.is_some() {
            let text = s(self);
            if let Some(t) = self.trace.as_mut() {
                t.warnings.push((self.m.world.step_no, text));
            }
        }
    }

    /// Why context `c` cannot run a slice now.
    fn why_not(&self, c: CtxId) -> String {
        let name = self.name(c);
        if c < BIO_CTX0 {
            let t = &self.m.tasks[c as usize];
            return if t.done {
                format!("{name} has finished: slice skipped")
            } else {
                format!("{name} is blocked: slice skipped")
            };
        }
        let k = (c - BIO_CTX0) as usize;
        if k >= self.m.world.nbios as usize {
            format!("{name} was never submitted: slice skipped")
        } else if !self.m.world.bios[k].live {
            format!("{name} has already completed: slice skipped")
        } else {
            format!("{name} cannot run now: slice skipped")
        }
    }

    fn name(&self, c: CtxId) -> String {
        ctx_name(c, &self.m.case.names())
    }

    /// One step of `c`, after applying due faults (and running injected reclaim).
    fn step(&mut self, c: CtxId) -> StepResult {
        if self.stop {
            return StepResult::Idle;
        }
        // Timed faults (signals, injected reclaim) apply once setup is done:
        // setup is the situation the race starts from, not part of it.
        if self.phase != Phase::Setup && self.m.apply_faults() {
            self.remark(|_| "injected reclaim (kswapd) runs now".into());
            let phase = self.phase;
            self.phase = Phase::Injected;
            while !self.stop && self.m.runnable(TASK_KSWAPD) {
                if !matches!(self.raw_step(TASK_KSWAPD), StepResult::Ran(_)) {
                    break;
                }
            }
            self.phase = phase;
            if self.stop {
                return StepResult::Idle;
            }
        }
        self.raw_step(c)
    }

    fn raw_step(&mut self, c: CtxId) -> StepResult {
        if self.m.world.step_no >= STEP_BUDGET {
            if !self.budget_hit {
                self.remark(|_| "step budget exhausted: run stopped".into());
            }
            self.budget_hit = true;
            self.stop = true;
            return StepResult::Idle;
        }
        let step_no = self.m.world.step_no;
        let r = self.m.step_ctx(c);
        if let StepResult::Ran(id) = r {
            if !self.m.world.findings.is_empty() {
                self.m.world.findings.set_step(step_no, id);
            }
            self.obs.on_step(&self.m.world, c, id);
            if self.phase == Phase::Main && self.opts.record_schedule {
                self.taken.push(c);
            }
            if let Some(t) = self.trace.as_mut() {
                let w = &self.m.world;
                let frame = (w.touched != NO_FRAME).then_some(w.touched);
                let frame_state = frame.map(|f| {
                    let fr = &w.frames[f as usize];
                    (fr.inc, fr.flags, fr.refcount)
                });
                t.steps.push(TraceEntry {
                    phase: self.phase,
                    step_no,
                    ctx: c,
                    step: id,
                    frame,
                    frame_state,
                    events: w.ev.iter().copied().collect(),
                });
            }
            if self.opts.stop_at_first && !self.m.world.findings.is_empty() {
                self.stop = true;
            }
        }
        r
    }

    fn run_setup(&mut self) {
        self.phase = Phase::Setup;
        loop {
            match self.step(TASK_INIT) {
                StepResult::Ran(_) => {}
                StepResult::Idle => break,
                StepResult::Blocked => {
                    let bio = (0..MAX_BIOS)
                        .map(|k| BIO_CTX0 + k as u8)
                        .find(|&b| self.m.runnable(b));
                    match bio {
                        Some(b) => {
                            self.step(b);
                        }
                        None => {
                            self.remark(|_| {
                                "setup is stuck: it waits for something no bio provides".into()
                            });
                            break;
                        }
                    }
                }
            }
            if self.stop {
                break;
            }
        }
        self.phase = Phase::Main;
    }

    /// Run one slice; false if its context could not run (skipped).
    fn run_slice(&mut self, s: &Slice) -> bool {
        if !self.m.runnable(s.ctx) {
            let ctx = s.ctx;
            self.warn(|ex| ex.why_not(ctx));
            return false;
        }
        match s.run {
            Run::Steps(n) => {
                for _ in 0..n.max(1) {
                    if !matches!(self.step(s.ctx), StepResult::Ran(_)) {
                        break;
                    }
                }
            }
            Run::Until(id, k) => {
                let mut seen = 0;
                let end = loop {
                    match self.step(s.ctx) {
                        StepResult::Ran(x) if x == id => {
                            seen += 1;
                            if seen >= k.max(1) {
                                break None;
                            }
                        }
                        StepResult::Ran(_) => {}
                        r => break Some(r),
                    }
                };
                if let Some(r) = end.filter(|_| !self.stop) {
                    let (ctx, how) = (
                        s.ctx,
                        if r == StepResult::Blocked {
                            "blocked"
                        } else {
                            "finished"
                        },
                    );
                    self.warn(|ex| {
                        format!(
                            "{} {how} before step {} came (x{}; it came {seen} times)",
                            ex.name(ctx),
                            id.name(),
                            k.max(1)
                        )
                    });
                }
            }
            Run::Block => while let StepResult::Ran(_) = self.step(s.ctx) {},
        }
        true
    }

    fn fallback(&mut self) -> bool {
        let mut announced = false;
        loop {
            if self.stop {
                return announced;
            }
            let Some(c) = self.m.schedulable_now().find(|&c| self.m.runnable(c)) else {
                return announced;
            };
            if !announced {
                self.remark(|_| {
                    "schedule exhausted: lowest runnable context runs until it blocks".into()
                });
                announced = true;
            }
            while let StepResult::Ran(_) = self.step(c) {}
        }
    }

    /// `hang`: task `t` is blocked in a quiet world; the finding says on what.
    fn hang(&mut self, t: CtxId) {
        let w = &mut self.m.world;
        w.me = t;
        let e = w.sched[(t as usize).min(crate::world::NTASK_SLOTS - 1)].wait;
        let payload = match self.m.tasks[t as usize].blocked {
            Some(cond) => crate::oracle::Payload::Hung {
                ctx: t,
                cond,
                frame: e.frame,
                bit: e.bit,
            },
            None => crate::oracle::Payload::Context(t),
        };
        w.fire(OracleId::Hang, NO_FRAME, payload);
    }

    fn quiesce(&mut self) {
        if self.stop {
            return;
        }
        let mut hung = false;
        for t in (0..MAX_TASKS as u8).chain(std::iter::once(TASK_KSWAPD)) {
            if !self.m.tasks[t as usize].done {
                hung = true;
                self.hang(t);
            }
        }
        if hung {
            return;
        }
        self.phase = Phase::Quiesce;
        check_bh_updates(&mut self.m.world);
        // These fired between steps: no step label.
        self.m.world.findings.seal_pending();
        self.remark(|_| "the world is quiet: umount syncs every file".into());
        loop {
            if self.stop {
                return;
            }
            match self.step(TASK_SYNC) {
                StepResult::Ran(_) => {}
                StepResult::Idle => break,
                StepResult::Blocked => {
                    let bio = (0..MAX_BIOS)
                        .map(|k| BIO_CTX0 + k as u8)
                        .find(|&b| self.m.runnable(b));
                    match bio {
                        Some(b) => {
                            self.step(b);
                        }
                        None => {
                            self.hang(TASK_SYNC);
                            return;
                        }
                    }
                }
            }
        }
        check_eviction(&mut self.m.world);
        self.m.world.findings.seal_pending();
        self.fallback();
        if !self.stop {
            // Every bio has completed: nothing holds a folio but its owners.
            crate::mm::migrate::check_migration_progress(&mut self.m.world);
            self.m.world.findings.seal_pending();
        }
    }
}

/// After the final sync, umount evicts every inode: a delalloc reservation
/// left behind is `reservation-leak` (ext4's `ext4_destroy_inode()`
/// warning "i_reserved_data_blocks(N) not cleared!"; an XFS delalloc extent
/// no dirty page backs any more).
pub fn check_eviction(w: &mut crate::world::World) {
    use crate::world::{ext, FILE_LBLKS, MAX_FILES};
    for f in 0..MAX_FILES as u8 {
        if !w.cfg.extent_mapped(f) {
            continue;
        }
        let ino = w.inodes[f as usize];
        let delalloc = (0..FILE_LBLKS)
            .filter(|&b| ino.map[b].state == ext::DELALLOC)
            .count();
        if ino.reserved != 0 || delalloc != 0 {
            w.me = crate::world::TASK_SYNC;
            w.fire(
                OracleId::ReservationLeak,
                NO_FRAME,
                crate::oracle::Payload::Reserved {
                    file: f,
                    blocks: ((ino.reserved as u32).max(delalloc as u32)) as u8,
                },
            );
        }
    }
}

/// Before the final sync of a quiet world: every update a buffer user made
/// (and was told succeeded) must be in the block device's cached folio, or on
/// the disk if the folio is gone; `lost-bh-update` otherwise.
pub fn check_bh_updates(w: &mut crate::world::World) {
    use crate::world::{token, Disk, BDEV, MAX_INDEX};
    let bpp = w.cfg.bpp(BDEV);
    for blk in 0..(MAX_INDEX * bpp) {
        let want = w.shadow.latest[BDEV as usize][blk];
        if !w.shadow.promised(BDEV as usize, blk, want) {
            continue;
        }
        let (i, b) = ((blk / bpp) as u8, blk % bpp);
        let f = w.slot_frame(BDEV, i);
        let got = if f != crate::world::NO_FRAME {
            w.frames[f as usize].data[b]
        } else {
            w.disk.blocks[Disk::block_of(BDEV, i, b)]
        };
        if !token::holds(got, BDEV, blk, want) {
            w.me = crate::world::TASK_SYNC;
            w.fire(
                crate::oracle::OracleId::LostBhUpdate,
                f,
                crate::oracle::Payload::Data {
                    found: got,
                    promised: token::make(BDEV, blk as u8, want),
                },
            );
        }
    }
}

impl<'c, 'o, O: Observer> Exec<'c, 'o, O> {
    fn new(m: Machine<'c>, opts: RunOptions, obs: &'o mut O) -> Self {
        Exec {
            m,
            opts,
            trace: opts.trace.then(Trace::default),
            taken: Vec::new(),
            phase: Phase::Main,
            obs,
            stop: false,
            budget_hit: false,
        }
    }
}

/// A machine for `case` with its setup done (the start state `check` explores from).
pub fn machine_after_setup(case: &Case) -> Machine<'_> {
    let mut obs = NoObserver;
    let mut ex = Exec::new(Machine::new(case), RunOptions::default(), &mut obs);
    ex.run_setup();
    ex.m
}

/// Run injected reclaim if a fault makes it due now (as replay does before a step).
pub fn run_due_faults(m: &mut Machine<'_>) {
    if m.apply_faults() {
        for _ in 0..256 {
            if !m.runnable(TASK_KSWAPD) || !matches!(m.step_ctx(TASK_KSWAPD), StepResult::Ran(_)) {
                break;
            }
        }
    }
}

/// Finish a run from `m` the way replay does once its schedule is exhausted:
/// the fallback, then the checks of a quiet world. Returns every finding.
pub fn finish_run(m: Machine<'_>) -> Findings {
    let mut obs = NoObserver;
    let mut ex = Exec::new(m, RunOptions::default(), &mut obs);
    ex.fallback();
    ex.quiesce();
    ex.m.world.findings
}

/// Run `case` deterministically and report what fired.
pub fn run_case<O: Observer>(case: &Case, opts: RunOptions, obs: &mut O) -> Outcome {
    let mut ex = Exec::new(Machine::new(case), opts, obs);
    ex.run_setup();
    for (i, s) in case.schedule.iter().enumerate() {
        if ex.stop {
            break;
        }
        if !ex.run_slice(s) {
            if let Some(t) = ex.trace.as_mut() {
                t.skipped.push(i);
            }
        }
    }
    ex.fallback();
    ex.quiesce();
    Outcome {
        findings: ex.m.world.findings,
        trace: ex.trace,
        taken: ex.taken,
        steps: ex.m.world.step_no,
        budget_exhausted: ex.budget_hit,
    }
}

/// Run `case` with a trace and the taken schedule recorded.
pub fn replay(case: &Case) -> Outcome {
    run_case(
        case,
        RunOptions {
            trace: true,
            record_schedule: true,
            stop_at_first: false,
        },
        &mut NoObserver,
    )
}

/// A scheduler that decides every step while the case runs (random, PCT).
pub trait Chooser {
    /// Pick the next context among `enabled` (never empty); `last` took the previous step.
    fn choose(&mut self, m: &Machine<'_>, enabled: &[CtxId], last: Option<CtxId>) -> CtxId;
}

/// Run `case`'s setup, then let `chooser` pick every step (the case's own
/// schedule is ignored), then the checks of a quiet world. The steps taken
/// are recorded in [`Outcome::taken`], so
/// [`crate::exec::schedule::schedule_from_taken`] turns the run into a
/// schedule that replays it exactly.
pub fn run_online<C: Chooser, O: Observer>(
    case: &Case,
    chooser: &mut C,
    opts: RunOptions,
    obs: &mut O,
) -> Outcome {
    let opts = RunOptions {
        record_schedule: true,
        ..opts
    };
    let mut ex = Exec::new(Machine::new(case), opts, obs);
    ex.run_setup();
    let mut last = None;
    let mut enabled: Vec<CtxId> = Vec::with_capacity(crate::world::MAX_CTX);
    while !ex.stop {
        enabled.clear();
        enabled.extend(ex.m.schedulable_now().filter(|&c| ex.m.runnable(c)));
        if enabled.is_empty() {
            break;
        }
        let c = chooser.choose(&ex.m, &enabled, last);
        if let StepResult::Ran(_) = ex.step(c) {
            last = Some(c);
        }
    }
    ex.quiesce();
    Outcome {
        findings: ex.m.world.findings,
        trace: ex.trace,
        taken: ex.taken,
        steps: ex.m.world.step_no,
        budget_exhausted: ex.budget_hit,
    }
}
