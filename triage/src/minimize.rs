//! Minimization: the smallest story that still tells the same race.
//!
//! A pipeline of passes, each counted, as syzkaller's `pkg/repro` and
//! `prog/minimization.go` do it; every candidate is accepted only if its
//! replay has the same signature ([`crate::signature::Signature`]).
//!
//! 1. make the schedule explicit (the steps the run actually took, so later
//!    passes do not depend on the fallback);
//! 2. drop whole tasks, then operations (tasks and setup), then faults
//!    (delta debugging: halves first, then single elements);
//! 3. drop schedule slices, the tail of the schedule (the fallback does the
//!    rest), and merge neighbouring slices of one context — fewer context
//!    switches;
//! 4. shrink the configuration (frames, waitqueue buckets);
//! 5. repeat until nothing changes, then label the schedule with step names.
//!
//! Deterministic: the same input gives the same output, byte for byte.

use pagelife_core::case::{Case, Fault, Run};
use pagelife_core::exec::check::{check_matching, CheckOptions};
use pagelife_core::exec::replay::{replay, run_case, NoObserver, RunOptions};
use pagelife_core::exec::schedule::{label_schedule, schedule_from_taken};
use pagelife_core::world::MAX_TASKS;

use crate::signature::{signature, signature_of_findings, Signature};

/// Sizes a reader cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Tasks.
    pub tasks: usize,
    /// Operations (tasks and setup).
    pub ops: usize,
    /// Schedule slices (context switches written down).
    pub slices: usize,
    /// Faults.
    pub faults: usize,
}

impl Size {
    /// The size of `c`.
    pub fn of(c: &Case) -> Size {
        Size {
            tasks: c.tasks.len(),
            ops: c.op_count() + c.setup.len(),
            slices: c.schedule.len(),
            faults: c.faults.len(),
        }
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tasks, {} operations, {} schedule slices, {} faults",
            self.tasks, self.ops, self.slices, self.faults
        )
    }
}

/// What minimization did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The minimized case (schedule labelled).
    pub case: Case,
    /// The signature kept.
    pub signature: Signature,
    /// Size before.
    pub before: Size,
    /// Size after.
    pub after: Size,
    /// Candidates tried.
    pub tried: usize,
    /// Candidates accepted, per pass: tasks, ops, faults, slices, config.
    pub accepted: [usize; 5],
}

struct Min {
    want: Signature,
    tried: usize,
    accepted: [usize; 5],
}

impl Min {
    /// Whether `c` still has the signature (cheap: no trace).
    fn keeps(&mut self, c: &Case) -> bool {
        self.tried += 1;
        let out = run_case(c, RunOptions::default(), &mut NoObserver);
        !out.budget_exhausted
            && signature_of_findings(&out.findings).is_some_and(|s| s == self.want)
    }

    /// Whether some interleaving of `c`'s tasks (up to 2 preemptions) has the
    /// signature; if so, `c` gets that interleaving as its schedule. Used when
    /// a smaller case no longer fits the schedule written for the bigger one.
    fn reinterleave(&mut self, c: &mut Case) -> bool {
        if self.keeps(c) {
            return true;
        }
        let want = self.want.clone();
        let accept = move |f: &pagelife_core::oracle::Findings| {
            signature_of_findings(f).is_some_and(|s| s == want)
        };
        let r = check_matching(
            c,
            CheckOptions {
                bound: 3,
                max_states: 200_000,
            },
            &accept,
        );
        match r.violation {
            Some(v) => {
                c.schedule = v.case.schedule;
                self.keeps(c)
            }
            None => false,
        }
    }

    /// Drop tasks and operations, re-finding an interleaving for each smaller case.
    fn pass_reinterleave(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        let mut t = 0;
        while t < c.tasks.len() {
            let mut cand = Self::remove_task(c, t);
            if self.reinterleave(&mut cand) {
                *c = cand;
                self.accepted[0] += 1;
                changed = true;
            } else {
                t += 1;
            }
        }
        for t in 0..c.tasks.len() {
            let mut i = 0;
            while i < c.tasks[t].ops.len() && c.tasks[t].ops.len() > 1 {
                let mut cand = c.clone();
                cand.tasks[t].ops.remove(i);
                if self.reinterleave(&mut cand) {
                    *c = cand;
                    self.accepted[1] += 1;
                    changed = true;
                } else {
                    i += 1;
                }
            }
        }
        let mut i = 0;
        while i < c.setup.len() {
            let mut cand = Self::remove_setup(c, i);
            if self.reinterleave(&mut cand) {
                *c = cand;
                self.accepted[1] += 1;
                changed = true;
            } else {
                i += 1;
            }
        }
        changed
    }

    /// Replace the schedule by the steps actually taken (an explicit interleaving).
    fn explicit(c: &Case) -> Case {
        let out = run_case(
            c,
            RunOptions {
                record_schedule: true,
                ..Default::default()
            },
            &mut NoObserver,
        );
        let mut e = c.clone();
        e.schedule = schedule_from_taken(&out.taken);
        e
    }

    fn remove_task(c: &Case, t: usize) -> Case {
        let mut n = c.clone();
        n.tasks.remove(t);
        let t = t as u8;
        n.schedule.retain(|s| s.ctx != t);
        for s in n.schedule.iter_mut() {
            if s.ctx > t && (s.ctx as usize) < MAX_TASKS {
                s.ctx -= 1;
            }
        }
        n.faults
            .retain(|f| !matches!(f, Fault::Signal { task, .. } if *task == t));
        for f in n.faults.iter_mut() {
            if let Fault::Signal { task, .. } = f {
                if *task > t {
                    *task -= 1;
                }
            }
        }
        n
    }

    fn pass_tasks(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        let mut t = 0;
        while t < c.tasks.len() {
            let cand = Self::remove_task(c, t);
            if self.keeps(&cand) {
                *c = cand;
                self.accepted[0] += 1;
                changed = true;
            } else {
                t += 1;
            }
        }
        changed
    }

    /// Merge tasks: run task `j`'s operations after task `i`'s, in one thread
    /// (fewer columns for the reader), dropping the slices that named `j`.
    fn pass_merge(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        let mut j = 1;
        while j < c.tasks.len() {
            let mut merged = false;
            for i in 0..c.tasks.len() {
                if i == j
                    || c.tasks[i].ops.len() + c.tasks[j].ops.len() > pagelife_core::codec::MAX_OPS
                {
                    continue;
                }
                for before in [false, true] {
                    let mut cand = c.clone();
                    let moved = cand.tasks[j].ops.clone();
                    if before {
                        let mut ops = moved;
                        ops.extend(cand.tasks[i].ops.iter().copied());
                        cand.tasks[i].ops = ops;
                    } else {
                        cand.tasks[i].ops.extend(moved);
                    }
                    let cand = Self::remove_task(&cand, j);
                    if self.keeps(&cand) {
                        *c = cand;
                        self.accepted[0] += 1;
                        changed = true;
                        merged = true;
                        break;
                    }
                }
                if merged {
                    break;
                }
            }
            if !merged {
                j += 1;
            }
        }
        changed
    }

    /// Delta debugging over a list selected by `get`: remove chunks, halving.
    fn ddmin<T: Clone>(
        &mut self,
        c: &mut Case,
        get: fn(&mut Case) -> &mut Vec<T>,
        min_len: usize,
        pass: usize,
    ) -> bool {
        let mut changed = false;
        let mut chunk = get(c).len().div_ceil(2).max(1);
        loop {
            let mut i = 0;
            while i < get(c).len() {
                if get(c).len() <= min_len {
                    break;
                }
                let mut cand = c.clone();
                let v = get(&mut cand);
                let end = (i + chunk).min(v.len());
                v.drain(i..end);
                if self.keeps(&cand) {
                    *c = cand;
                    self.accepted[pass] += 1;
                    changed = true;
                } else {
                    i += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
        changed
    }

    /// Bios the setup submits (the schedule names later bios after them).
    fn setup_bios(c: &Case) -> u8 {
        pagelife_core::exec::replay::machine_after_setup(c)
            .world
            .nbios
    }

    /// Remove setup operation `i`, renumbering the bios the schedule names.
    fn remove_setup(c: &Case, i: usize) -> Case {
        let before = Self::setup_bios(c);
        let mut n = c.clone();
        n.setup.remove(i);
        let d = before.saturating_sub(Self::setup_bios(&n));
        if d > 0 {
            let first = pagelife_core::world::BIO_CTX0;
            n.schedule.retain(|s| s.ctx < first || s.ctx >= first + d);
            for s in n.schedule.iter_mut() {
                if s.ctx >= first + d {
                    s.ctx -= d;
                }
            }
            for f in n.faults.iter_mut() {
                if let Fault::IoError { bio } = f {
                    *bio = bio.saturating_sub(d);
                }
            }
        }
        n
    }

    fn pass_ops(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        let mut i = 0;
        while i < c.setup.len() {
            let cand = Self::remove_setup(c, i);
            if self.keeps(&cand) {
                *c = cand;
                self.accepted[1] += 1;
                changed = true;
            } else {
                i += 1;
            }
        }
        for t in 0..c.tasks.len() {
            // A task keeps one operation: removing the task is the task pass's job.
            let mut i = 0;
            while i < c.tasks[t].ops.len() {
                if c.tasks[t].ops.len() <= 1 {
                    break;
                }
                let mut cand = c.clone();
                cand.tasks[t].ops.remove(i);
                if self.keeps(&cand) {
                    *c = cand;
                    self.accepted[1] += 1;
                    changed = true;
                } else {
                    i += 1;
                }
            }
        }
        changed
    }

    fn pass_schedule(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        // Drop the tail: let the fallback finish the run.
        while !c.schedule.is_empty() {
            let mut cand = c.clone();
            cand.schedule.pop();
            if self.keeps(&cand) {
                *c = cand;
                self.accepted[3] += 1;
                changed = true;
            } else {
                break;
            }
        }
        changed |= self.ddmin(c, |c| &mut c.schedule, 0, 3);
        // Merge neighbouring slices of one context.
        let mut i = 0;
        while i + 1 < c.schedule.len() {
            let (a, b) = (c.schedule[i], c.schedule[i + 1]);
            if a.ctx == b.ctx {
                if let (Run::Steps(x), Run::Steps(y)) = (a.run, b.run) {
                    let mut cand = c.clone();
                    cand.schedule[i].run = Run::Steps(x.saturating_add(y).min(127));
                    cand.schedule.remove(i + 1);
                    if self.keeps(&cand) {
                        *c = cand;
                        self.accepted[3] += 1;
                        changed = true;
                        continue;
                    }
                }
            }
            i += 1;
        }
        // A slice that runs until the context blocks is shorter to say.
        for i in 0..c.schedule.len() {
            if matches!(c.schedule[i].run, Run::Steps(_)) {
                let mut cand = c.clone();
                cand.schedule[i].run = Run::Block;
                if Self::same_steps(c, &cand) && self.keeps(&cand) {
                    *c = cand;
                }
            }
        }
        changed
    }

    /// Whether two cases take exactly the same steps.
    fn same_steps(a: &Case, b: &Case) -> bool {
        let o = RunOptions {
            record_schedule: true,
            ..Default::default()
        };
        run_case(a, o, &mut NoObserver).taken == run_case(b, o, &mut NoObserver).taken
    }

    fn pass_config(&mut self, c: &mut Case) -> bool {
        let mut changed = false;
        let mut try_set = |m: &mut Min, c: &mut Case, f: &dyn Fn(&mut Case)| {
            let mut cand = c.clone();
            f(&mut cand);
            if cand != *c && m.keeps(&cand) {
                *c = cand;
                m.accepted[4] += 1;
                changed = true;
            }
        };
        try_set(self, c, &|c| c.config.wq_buckets = 1);
        while c.config.frames > 1 {
            let before = c.config.frames;
            try_set(self, c, &|c| c.config.frames -= 1);
            if c.config.frames == before {
                break;
            }
        }
        changed
    }
}

/// Minimize `case`, keeping its signature. `None` if it fires nothing.
pub fn minimize(case: &Case) -> Option<Report> {
    let want = signature(case)?;
    let before = Size::of(case);
    let mut m = Min {
        want: want.clone(),
        tried: 0,
        accepted: [0; 5],
    };
    let mut c = Min::explicit(case);
    if !m.keeps(&c) {
        // The explicit schedule must replay the same; if not, keep the original schedule.
        c = case.clone();
    }
    for _round in 0..8 {
        let mut changed = m.pass_tasks(&mut c);
        changed |= m.pass_merge(&mut c);
        changed |= m.pass_ops(&mut c);
        changed |= m.ddmin(&mut c, |c| &mut c.faults, 0, 2);
        changed |= m.pass_schedule(&mut c);
        changed |= m.pass_config(&mut c);
        if !changed {
            // Nothing left by editing the written schedule: let the checker
            // find a schedule for each smaller case.
            if !m.pass_reinterleave(&mut c) {
                break;
            }
            continue;
        }
        // Re-make the schedule explicit so the next round works on steps that happen.
        let e = Min::explicit(&c);
        if e.schedule.len() <= c.schedule.len() && m.keeps(&e) {
            c = e;
        }
    }
    let mut out = c.clone();
    out.schedule = label_schedule(&c);
    let sig = crate::signature::signature_of(&replay(&out)).unwrap_or(want);
    Some(Report {
        before,
        after: Size::of(&out),
        case: out,
        signature: sig,
        tried: m.tried,
        accepted: m.accepted,
    })
}
