//! A case: a profile, a machine configuration, setup operations, a few tasks
//! (each a list of operations), a schedule and faults.
//!
//! Operations are the entry points a user (or a kernel thread) calls: the
//! syscalls and background jobs whose kernel paths the model has.

use crate::profile::Profile;
use crate::step::StepId;
use crate::world::{Config, CtxId, MAX_TASKS};

pub use crate::op::{Op, OpKind};

/// A file's name in litmus files: `f0`..`f2`, or `bdev`.
pub fn file_name(file: u8) -> String {
    if file == crate::world::BDEV {
        "bdev".into()
    } else {
        format!("f{file}")
    }
}

/// A task: a name, the CPU it runs on, its operations in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskDef {
    /// Its name in litmus files and tables (`A`, `T`, `CPU2`…).
    pub name: String,
    /// The CPU it runs on (per-CPU state such as the bh LRU).
    pub cpu: u8,
    /// The earlier task whose address space it shares (`clone(CLONE_VM)`:
    /// a thread of that task's process, litmus `thread=NAME`), or `None`:
    /// its own `mm_struct`. Threads of one mm have their own TLBs.
    pub thread: Option<u8>,
    /// The earlier task whose `fork` operation creates this one's process
    /// (litmus `fork=NAME`): its address space starts as a copy of the
    /// parent's ([`crate::mm::fork::Fork`]) and its operations start once
    /// the fork is done; `None`: a process from the start.
    pub fork: Option<u8>,
    /// What it does.
    pub ops: Vec<Op>,
}

/// Whether task `i`'s `thread` and `fork` relations are ones the model
/// runs: the leader or parent is an earlier task that is neither a thread
/// nor a child; a task is at most one of the two; a parent has one child.
pub fn relation_ok(tasks: &[TaskDef], i: usize) -> bool {
    let Some(t) = tasks.get(i) else {
        return false;
    };
    let own = |l: u8| {
        let l = l as usize;
        l < i && tasks[l].thread.is_none() && tasks[l].fork.is_none()
    };
    match (t.thread, t.fork) {
        (None, None) => true,
        (Some(l), None) => own(l),
        (None, Some(p)) => own(p) && !tasks[..i].iter().any(|u| u.fork == Some(p)),
        (Some(_), Some(_)) => false,
    }
}

/// Clear every relation [`relation_ok`] refuses, first to last (decoders
/// and mutators: whatever bytes say, the case runs).
pub fn sanitize_relations(tasks: &mut [TaskDef]) {
    for i in 0..tasks.len() {
        if !relation_ok(tasks, i) {
            tasks[i].thread = None;
            tasks[i].fork = None;
        }
    }
}

/// How long a scheduled context runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Run {
    /// This many steps (fewer if it blocks or finishes).
    Steps(u8),
    /// Until it has taken the `n`-th (1-based) next step labelled with this
    /// step (or blocks, or finishes).
    Until(StepId, u8),
    /// Until it blocks or finishes.
    Block,
}

/// One entry of a schedule: a context and how long it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slice {
    /// A task (0..MAX_TASKS) or a bio (`BIO_CTX0 + k`).
    pub ctx: CtxId,
    /// How long.
    pub run: Run,
}

/// A fault injected into a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Bio `bio` (by submission number) completes with an I/O error.
    IoError {
        /// The bio.
        bio: u8,
    },
    /// The `nth` allocation (1-based) fails.
    AllocFail {
        /// Which allocation.
        nth: u8,
    },
    /// A fatal signal is delivered to task `task` before global step `at`.
    Signal {
        /// The task.
        task: u8,
        /// The global step number.
        at: u16,
    },
    /// Reclaim (`kswapd`) runs on frame `frame` before global step `at`.
    Reclaim {
        /// The frame.
        frame: u8,
        /// The global step number.
        at: u16,
    },
}

/// A whole case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Case {
    /// The kernel it runs against.
    pub profile: Profile,
    /// Frames and waitqueue buckets.
    pub config: Config,
    /// Operations run to completion, in order, before the tasks start; bios
    /// they submit stay in flight.
    pub setup: Vec<Op>,
    /// The tasks (at most [`MAX_TASKS`]).
    pub tasks: Vec<TaskDef>,
    /// Which context takes the next steps. When it runs out, the lowest
    /// runnable context runs until it blocks or finishes, repeatedly.
    pub schedule: Vec<Slice>,
    /// Injected faults.
    pub faults: Vec<Fault>,
}

/// Default task names, by slot.
pub const DEFAULT_NAMES: [&str; MAX_TASKS] = ["A", "B", "C", "D"];

impl Case {
    /// The task names, by slot.
    pub fn names(&self) -> Vec<String> {
        self.tasks.iter().map(|t| t.name.clone()).collect()
    }

    /// Number of operations over all tasks (not setup).
    pub fn op_count(&self) -> usize {
        self.tasks.iter().map(|t| t.ops.len()).sum()
    }

    /// Size measures a reader cares about: (tasks, operations, schedule slices, faults).
    pub fn size(&self) -> (usize, usize, usize, usize) {
        (
            self.tasks.len(),
            self.op_count(),
            self.schedule.len(),
            self.faults.len(),
        )
    }
}
