//! Structure-aware mutation of cases: operations, schedule slices, faults,
//! configuration. The schedule mutations are the ones that matter most for
//! races: splitting a slice (a new preemption point), moving a context
//! switch, swapping two slices.

use pagelife_core::case::{sanitize_relations, Case, Op, Run, Slice, TaskDef, DEFAULT_NAMES};
use pagelife_core::codec::{MAX_FAULTS, MAX_OPS, MAX_SLICES};
use pagelife_core::world::MAX_TASKS;

use crate::generate::{random_fault, random_op, random_slice};
use crate::rng::Rng;
use crate::swarm::Menu;

fn slice_len(s: &Slice) -> u8 {
    match s.run {
        Run::Steps(n) => n,
        Run::Until(_, _) | Run::Block => 8,
    }
}

/// Apply one to three random mutations to `c`.
pub fn mutate(rng: &mut Rng, c: &mut Case, menu: impl Into<Menu>) {
    let menu = menu.into();
    for _ in 0..1 + rng.below(3) {
        mutate_once(rng, c, menu);
    }
    // A removed or moved task leaves no thread or fork child naming a
    // task that is not an earlier process of its own.
    sanitize_relations(&mut c.tasks);
    menu.target.prepare(c);
    menu.pin(&mut c.config);
}

fn mutate_once(rng: &mut Rng, c: &mut Case, menu: Menu) {
    let applied = match rng.below(14) {
        r @ 0..=6 => mutate_schedule(rng, c, r),
        r @ 7..=9 => mutate_task_ops(rng, c, menu, r),
        10 => {
            if c.setup.len() < MAX_OPS && rng.chance(0.5) {
                let i = rng.below(c.setup.len() + 1);
                c.setup.insert(i, random_op(rng, menu));
            } else if !c.setup.is_empty() {
                c.setup.remove(rng.below(c.setup.len()));
            }
            true
        }
        11 => {
            add_or_remove_task(rng, c, menu);
            true
        }
        12 => {
            if c.faults.len() < MAX_FAULTS && rng.chance(0.5) && menu.faults != 0 {
                c.faults.push(random_fault(rng, c.tasks.len(), menu));
            } else if !c.faults.is_empty() {
                c.faults.remove(rng.below(c.faults.len()));
            }
            true
        }
        _ => false,
    };
    if !applied {
        c.config.frames = 2 + rng.byte(3);
        c.config.wq_buckets = 1 + rng.byte(2);
        c.profile.base = rng.byte(8);
        if rng.chance(0.25) {
            // vm.page_lock_unfairness: small values make lock starvation
            // reachable in a few operations (`page-lock-starved`).
            c.config.page_lock_unfairness = [0, 1, 5][rng.below(3)];
        }
        mutate_threads(rng, c);
    }
}

/// In a case that maps files: make a task a thread of the first one (it
/// shares that task's mm and has a TLB of its own) or the child its
/// `fork` creates, or its own process again. Cases without mappings draw
/// nothing here.
fn mutate_threads(rng: &mut Rng, c: &mut Case) {
    let maps = c
        .tasks
        .iter()
        .any(|t| t.ops.iter().any(|o| matches!(o, Op::Mmap { .. })));
    if !maps || c.tasks.len() < 2 || !rng.chance(0.3) {
        return;
    }
    let i = 1 + rng.below(c.tasks.len() - 1);
    let t = &mut c.tasks[i];
    (t.thread, t.fork) = match (t.thread, t.fork) {
        (None, None) if rng.chance(0.3) => (None, Some(0)),
        (None, None) => (Some(0), None),
        _ => (None, None),
    };
    // A leader is not itself a thread or a child.
    c.tasks[0].thread = None;
    c.tasks[0].fork = None;
}

/// Schedule mutations (`r` picks one); false if it does not apply. The
/// ones that matter most for races: splitting a slice (a new preemption
/// point), moving a context switch, swapping two slices.
fn mutate_schedule(rng: &mut Rng, c: &mut Case, r: usize) -> bool {
    let nt = c.tasks.len();
    let n = c.schedule.len();
    match r {
        0 | 1 if n > 0 => {
            // Split a slice: run part of it, let another context in, run the rest.
            let i = rng.below(n);
            let s = c.schedule[i];
            let len = slice_len(&s).max(2);
            let k = 1 + rng.byte(len - 1);
            c.schedule[i].run = Run::Steps(k);
            let other = random_slice(rng, nt);
            let rest = Slice {
                ctx: s.ctx,
                run: Run::Steps(len - k),
            };
            if n + 2 <= MAX_SLICES {
                c.schedule.insert(i + 1, other);
                c.schedule.insert(i + 2, rest);
            }
        }
        2 if n > 0 => {
            let i = rng.below(n);
            let len = slice_len(&c.schedule[i]) as i16 + rng.below(7) as i16 - 3;
            c.schedule[i].run = Run::Steps(len.clamp(1, 127) as u8);
        }
        3 if n > 0 => {
            let i = rng.below(n);
            c.schedule[i].ctx = random_slice(rng, nt).ctx;
        }
        4 if n >= 2 => {
            let i = rng.below(n - 1);
            c.schedule.swap(i, i + 1);
        }
        5 if n > 0 => {
            c.schedule.remove(rng.below(n));
        }
        6 if n < MAX_SLICES => {
            let i = rng.below(n + 1);
            c.schedule.insert(i, random_slice(rng, nt));
        }
        _ => return false,
    }
    true
}

/// Replace (7), insert (8) or remove (9) an operation of a random task;
/// false without tasks.
fn mutate_task_ops(rng: &mut Rng, c: &mut Case, menu: Menu, r: usize) -> bool {
    let nt = c.tasks.len();
    if nt == 0 {
        return false;
    }
    let t = rng.below(nt);
    let ops = &mut c.tasks[t].ops;
    match r {
        7 if !ops.is_empty() => {
            let i = rng.below(ops.len());
            ops[i] = random_op(rng, menu);
        }
        8 if ops.len() < MAX_OPS => {
            let i = rng.below(ops.len() + 1);
            ops.insert(i, random_op(rng, menu));
        }
        9 if ops.len() > 1 => {
            ops.remove(rng.below(ops.len()));
        }
        _ => {}
    }
    true
}

/// Add a task with one operation, or remove the last one and the slices
/// and signals that named it.
fn add_or_remove_task(rng: &mut Rng, c: &mut Case, menu: Menu) {
    let nt = c.tasks.len();
    if nt < MAX_TASKS && rng.chance(0.5) {
        c.tasks.push(TaskDef {
            name: DEFAULT_NAMES[nt].to_string(),
            cpu: nt as u8,
            thread: None,
            fork: None,
            ops: vec![random_op(rng, menu)],
        });
    } else if nt > 1 {
        c.tasks.pop();
        let gone = (nt - 1) as u8;
        c.schedule.retain(|s| s.ctx != gone);
        c.faults.retain(
            |f| !matches!(f, pagelife_core::case::Fault::Signal { task, .. } if *task == gone),
        );
    }
}

/// Cross two cases over: each task slot from one or the other, the setup
/// and the schedule of either, the faults of the first; slices and signals
/// that name a task that is not there are dropped, and task names are made
/// unique again.
pub fn crossover(rng: &mut Rng, a: &Case, b: &Case) -> Case {
    let mut c = a.clone();
    let n = a.tasks.len().max(b.tasks.len()).min(MAX_TASKS);
    c.tasks = (0..n)
        .filter_map(|i| match (a.tasks.get(i), b.tasks.get(i)) {
            (Some(x), Some(y)) => Some(if rng.chance(0.5) { x } else { y }.clone()),
            (x, y) => x.or(y).cloned(),
        })
        .collect();
    if rng.chance(0.5) {
        c.setup = b.setup.clone();
    }
    if rng.chance(0.5) {
        c.schedule = b.schedule.clone();
    }
    let nt = c.tasks.len() as u8;
    c.schedule
        .retain(|s| s.ctx as usize >= MAX_TASKS || s.ctx < nt);
    c.faults
        .retain(|f| !matches!(f, pagelife_core::case::Fault::Signal { task, .. } if *task >= nt));
    let unique = c
        .tasks
        .iter()
        .enumerate()
        .all(|(i, t)| c.tasks[..i].iter().all(|u| u.name != t.name));
    if !unique {
        for (i, t) in c.tasks.iter_mut().enumerate() {
            t.name = DEFAULT_NAMES[i].to_string();
        }
    }
    c
}
