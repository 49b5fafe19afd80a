//! The stress executor: how kernel developers reproduce these races today —
//! run the tasks for real, concurrently, and inject delays where the race
//! window is (the seeds' `udelay(2000)` before `spin_lock(private_lock)` in
//! `__find_get_block_slow()`, a delay between `test_clear_page_writeback()`
//! and the wakeup), then hope.
//!
//! Each task of a case runs on its own OS thread; the bios' device and
//! completions run on one more thread. A thread takes a model step of its
//! own context while holding the machine's `parking_lot::Mutex` (the model's
//! steps are the atomic units, exactly as in the deterministic executors: it
//! reuses them, it does not fork the model), then releases the lock and
//! sleeps a random while — longer after a delay point. The order the steps
//! were taken in is recorded, so a finding becomes a schedule that
//! `pagelife replay` reproduces.

use std::time::{Duration, Instant};

use pagelife_core::case::Case;
use pagelife_core::exec::machine::{Machine, StepResult, STEP_BUDGET};
use pagelife_core::exec::replay::{finish_run, machine_after_setup, run_due_faults};
use pagelife_core::exec::schedule::schedule_from_taken;
use pagelife_core::oracle::Findings;
use pagelife_core::step::StepId;
use pagelife_core::world::{CtxId, BIO_CTX0, MAX_CTX, MAX_TASKS};
use parking_lot::{Condvar, Mutex};

use crate::rng::Rng;

/// Where the seeds put their delays: after these steps, a thread sleeps up to
/// the long delay instead of the short one.
pub const DELAY_POINTS: &[StepId] = &[
    StepId::FolioEndWritebackClear, // between test_clear_page_writeback() and wake_up_page()
    StepId::FindGetBlockSlow,       // before spin_lock(&bd_mapping->private_lock)
    StepId::NorefsCheck,            // after the norefs check, before the mapping moves
    StepId::FolioWaitWriteback,     // before sleeping on PG_writeback
];

/// How the stress run behaves.
#[derive(Clone, Copy, Debug)]
pub struct StressOptions {
    /// Longest sleep after an ordinary step.
    pub short: Duration,
    /// Longest sleep after a delay point (the udelay).
    pub long: Duration,
    /// Give up on one run after this long.
    pub run_timeout: Duration,
}

impl Default for StressOptions {
    fn default() -> Self {
        StressOptions {
            short: Duration::from_micros(20),
            long: Duration::from_micros(400),
            run_timeout: Duration::from_secs(2),
        }
    }
}

/// One stress run: what fired, and the case with the schedule that was taken.
pub struct StressRun {
    /// Findings (after the checks of a quiet world).
    pub findings: Findings,
    /// The input case with its schedule replaced by the order the threads took.
    pub case: Case,
    /// Steps taken.
    pub steps: usize,
}

struct Shared<'c> {
    m: Machine<'c>,
    taken: Vec<CtxId>,
    stop: bool,
}

/// What every thread of one stress run shares.
struct Run<'s, 'c> {
    shared: &'s Mutex<Shared<'c>>,
    cv: &'s Condvar,
    start: Instant,
    opts: StressOptions,
    ntasks: usize,
    seed: u64,
}

/// What a thread does when none of its contexts can run.
enum Idle {
    /// Wait for another thread's step.
    Wait,
    /// This thread is done.
    Leave,
}

impl Run<'_, '_> {
    /// Thread `t`: task `t`, or (`t == ntasks`) the device's bio contexts.
    fn thread(&self, t: usize) {
        let mut rng = Rng::new(self.seed, t as u64 + 1);
        // Each task starts at a random moment, as the racing tasks of a
        // stress test do.
        if t < self.ntasks {
            let us = rng.below(self.opts.long.as_micros() as usize + 1) as u64;
            std::thread::sleep(Duration::from_micros(us));
        }
        let mine: Vec<CtxId> = if t < self.ntasks {
            vec![t as CtxId]
        } else {
            (BIO_CTX0..MAX_CTX as u8).collect()
        };
        loop {
            let mut g = self.shared.lock();
            if g.stop {
                return;
            }
            run_due_faults(&mut g.m);
            let Some(c) = mine.iter().copied().find(|&c| g.m.runnable(c)) else {
                match self.idle(&mut g, &mine, t) {
                    Idle::Wait => continue,
                    Idle::Leave => return,
                }
            };
            if g.m.world.step_no >= STEP_BUDGET {
                // The livelock guard of the deterministic executors.
                g.stop = true;
                self.cv.notify_all();
                return;
            }
            let delay = self.take_step(&mut g, c);
            drop(g);
            if !delay.is_zero() {
                let us = rng.below(delay.as_micros() as usize + 1) as u64;
                std::thread::sleep(Duration::from_micros(us));
            }
        }
    }

    /// Nothing of this thread's can run: end the run if nothing anywhere
    /// can (or it took too long), leave if this task is finished, else wait.
    fn idle(
        &self,
        g: &mut parking_lot::MutexGuard<'_, Shared<'_>>,
        mine: &[CtxId],
        t: usize,
    ) -> Idle {
        let anyone = Machine::schedulable().any(|c| g.m.runnable(c));
        let mine_left = mine.iter().any(|&c| {
            (c as usize) < pagelife_core::world::NTASK_SLOTS && !g.m.tasks[c as usize].done
        });
        if !anyone || self.start.elapsed() > self.opts.run_timeout {
            g.stop = true;
            self.cv.notify_all();
            return Idle::Leave;
        }
        if t < self.ntasks && !mine_left {
            return Idle::Leave;
        }
        self.cv.wait_for(g, Duration::from_micros(200));
        Idle::Wait
    }

    /// Context `c` takes a step; the delay after it (long at the seeds'
    /// udelay() points).
    fn take_step(&self, g: &mut Shared<'_>, c: CtxId) -> Duration {
        let step_no = g.m.world.step_no;
        let r = g.m.step_ctx(c);
        let delay = match r {
            StepResult::Ran(id) => {
                if !g.m.world.findings.is_empty() {
                    g.m.world.findings.set_step(step_no, id);
                }
                g.taken.push(c);
                if DELAY_POINTS.contains(&id) {
                    self.opts.long
                } else {
                    self.opts.short
                }
            }
            _ => Duration::ZERO,
        };
        self.cv.notify_all();
        delay
    }
}

/// Run `case` once on real threads with random delays (seeded by `seed`).
/// Fails, with every started thread stopped, if a thread cannot be spawned.
pub fn stress_once(case: &Case, seed: u64, opts: StressOptions) -> std::io::Result<StressRun> {
    let m = machine_after_setup(case);
    let shared = Mutex::new(Shared {
        m,
        taken: Vec::new(),
        stop: false,
    });
    let cv = Condvar::new();
    let run = Run {
        shared: &shared,
        cv: &cv,
        start: Instant::now(),
        opts,
        ntasks: case.tasks.len().min(MAX_TASKS),
        seed,
    };
    std::thread::scope(|s| {
        // One thread per task, one for the device (every bio context).
        for t in 0..=run.ntasks {
            let run = &run;
            if let Err(e) = std::thread::Builder::new().spawn_scoped(s, move || run.thread(t)) {
                run.shared.lock().stop = true;
                run.cv.notify_all();
                return Err(e);
            }
        }
        Ok(())
    })?;
    let g = shared.into_inner();
    let steps = g.taken.len();
    let mut c = case.clone();
    c.schedule = schedule_from_taken(&g.taken);
    let findings = finish_run(g.m);
    Ok(StressRun {
        findings,
        case: c,
        steps,
    })
}
