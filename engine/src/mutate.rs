//! Structure-aware mutation of cases: operations, schedule slices, faults,
//! configuration. The schedule mutations are the ones that matter most for
//! races: splitting a slice (a new preemption point), moving a context
//! switch, swapping two slices.

use pagelife_core::case::{Case, Run, Slice, TaskDef, DEFAULT_NAMES};
use pagelife_core::codec::{MAX_FAULTS, MAX_OPS, MAX_SLICES};
use pagelife_core::world::MAX_TASKS;

use crate::generate::{random_fault, random_op, random_slice};
use crate::rng::Rng;
use crate::target::Target;

fn slice_len(s: &Slice) -> u8 {
    match s.run {
        Run::Steps(n) => n,
        Run::Until(_, _) | Run::Block => 8,
    }
}

/// Apply one to three random mutations to `c`.
pub fn mutate(rng: &mut Rng, c: &mut Case, target: Target) {
    for _ in 0..1 + rng.below(3) {
        mutate_once(rng, c, target);
    }
    target.prepare(c);
}

fn mutate_once(rng: &mut Rng, c: &mut Case, target: Target) {
    let nt = c.tasks.len();
    match rng.below(14) {
        // --- schedule ---
        0 | 1 if !c.schedule.is_empty() => {
            // Split a slice: run part of it, let another context in, run the rest.
            let i = rng.below(c.schedule.len());
            let s = c.schedule[i];
            let n = slice_len(&s).max(2);
            let k = 1 + rng.byte(n - 1);
            c.schedule[i].run = Run::Steps(k);
            let other = random_slice(rng, nt);
            let rest = Slice {
                ctx: s.ctx,
                run: Run::Steps(n - k),
            };
            if c.schedule.len() + 2 <= MAX_SLICES {
                c.schedule.insert(i + 1, other);
                c.schedule.insert(i + 2, rest);
            }
        }
        2 if !c.schedule.is_empty() => {
            let i = rng.below(c.schedule.len());
            let n = slice_len(&c.schedule[i]) as i16 + rng.below(7) as i16 - 3;
            c.schedule[i].run = Run::Steps(n.clamp(1, 127) as u8);
        }
        3 if !c.schedule.is_empty() => {
            let i = rng.below(c.schedule.len());
            c.schedule[i].ctx = random_slice(rng, nt).ctx;
        }
        4 if c.schedule.len() >= 2 => {
            let i = rng.below(c.schedule.len() - 1);
            c.schedule.swap(i, i + 1);
        }
        5 if !c.schedule.is_empty() => {
            c.schedule.remove(rng.below(c.schedule.len()));
        }
        6 if c.schedule.len() < MAX_SLICES => {
            let i = rng.below(c.schedule.len() + 1);
            c.schedule.insert(i, random_slice(rng, nt));
        }
        // --- operations ---
        7 if nt > 0 => {
            let t = rng.below(nt);
            let ops = &mut c.tasks[t].ops;
            if !ops.is_empty() {
                let i = rng.below(ops.len());
                ops[i] = random_op(rng, target);
            }
        }
        8 if nt > 0 => {
            let t = rng.below(nt);
            let ops = &mut c.tasks[t].ops;
            if ops.len() < MAX_OPS {
                let i = rng.below(ops.len() + 1);
                ops.insert(i, random_op(rng, target));
            }
        }
        9 if nt > 0 => {
            let t = rng.below(nt);
            let ops = &mut c.tasks[t].ops;
            if ops.len() > 1 {
                ops.remove(rng.below(ops.len()));
            }
        }
        10 => {
            if c.setup.len() < MAX_OPS && rng.chance(0.5) {
                let i = rng.below(c.setup.len() + 1);
                c.setup.insert(i, random_op(rng, target));
            } else if !c.setup.is_empty() {
                c.setup.remove(rng.below(c.setup.len()));
            }
        }
        11 => {
            if nt < MAX_TASKS && rng.chance(0.5) {
                c.tasks.push(TaskDef {
                    name: DEFAULT_NAMES[nt].to_string(),
                    cpu: nt as u8,
                    ops: vec![random_op(rng, target)],
                });
            } else if nt > 1 {
                // Remove the last task and the slices that named it.
                c.tasks.pop();
                let gone = (nt - 1) as u8;
                c.schedule.retain(|s| s.ctx != gone);
                c.faults.retain(|f| !matches!(f, pagelife_core::case::Fault::Signal { task, .. } if *task == gone));
            }
        }
        12 => {
            if c.faults.len() < MAX_FAULTS && rng.chance(0.5) {
                c.faults.push(random_fault(rng, nt));
            } else if !c.faults.is_empty() {
                c.faults.remove(rng.below(c.faults.len()));
            }
        }
        _ => {
            c.config.frames = 2 + rng.byte(3);
            c.config.wq_buckets = 1 + rng.byte(2);
            c.profile.base = rng.byte(8);
        }
    }
}
