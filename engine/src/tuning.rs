//! The engine's tuning numbers, in one table per target and one per
//! operation domain, each with the reason it has the value it has.
//!
//! The operations themselves, and their weight in each domain, are declared
//! with the operation (`pagelife_core::op`); these tables say how a target
//! mixes the domains and how its fresh cases and schedules are drawn.

use pagelife_core::op::Domain;

use crate::target::Target;

/// How a target draws cases and schedules.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    /// Weight of each domain when an operation is drawn (Pages, Buffers,
    /// Extents, Lifecycle, Mappings: [`Domain::ALL`]).
    pub domains: [u16; 5],
    /// Guided strategy: percent of executions that draw a fresh case.
    pub fresh: usize,
    /// Guided strategy: percent (cumulative with `fresh`) that reschedule a
    /// corpus case; the rest mutate one.
    pub resched: usize,
    /// Chance an online schedule is PCT rather than a random walk.
    pub pct: f64,
    /// Most PCT priority-change points (depth), drawn in `1..=pct_depth`.
    pub pct_depth: usize,
    /// The step horizon PCT places its change points in.
    pub pct_steps: usize,
    /// The random walk's chance to keep the current context for one more step.
    pub walk_stay: f64,
    /// Chance a fresh case gets one random fault.
    pub fault: f64,
    /// Most tasks in a fresh case.
    pub max_tasks: usize,
}

/// The default: a few tasks, PCT for most online schedules (its priority
/// changes reach the two-preemption windows of Case 1 fastest: docs/bench.md).
const BASE: Tuning = Tuning {
    domains: [1, 0, 0, 0, 0],
    fresh: 20,
    resched: 40,
    pct: 0.6,
    pct_depth: 3,
    // Seed cases take 60-120 steps: change points beyond that never fire.
    pct_steps: 160,
    walk_stay: 0.75,
    // Most races need no fault; a few (I/O errors, short writes) need one.
    fault: 0.1,
    max_tasks: 3,
};

impl Target {
    /// The target's tuning.
    pub fn tuning(self) -> Tuning {
        match self {
            Target::Writeback => BASE,
            Target::Migration => Tuning {
                domains: [0, 1, 0, 0, 0],
                ..BASE
            },
            // The filesystem races sit in windows between a cached mapping
            // and its use that PCT's priority changes reach more often than
            // mutation does: more fresh cases (scripts/bench.sh --fs). 55%
            // fresh and 20% rescheduled beat 35/20 on six of the seven
            // Case 4/5 and read-vs-punch races (5 seeds, cap 5 s; slower
            // on read-vs-punch-ext4, which needs mutated operations).
            Target::Iomap => Tuning {
                domains: [0, 0, 1, 0, 0],
                fresh: 55,
                resched: 75,
                ..BASE
            },
            // Everything: pages, buffer heads and extents, and a share of
            // the end of life (eviction, the journal).
            Target::Mainline => Tuning {
                domains: [42, 30, 28, 15, 0],
                ..BASE
            },
            Target::Lifecycle => Tuning {
                domains: [10, 15, 0, 75, 0],
                ..BASE
            },
            // The fault-vs-punch races need a fault between two steps of
            // a punch, which random walks reach more often than PCT's few
            // priority changes (pagelife bench corpus/litmus/mmap-*.litmus
            // --seeds 5 --cap 10 --strategies guided, which runs this
            // target's generator on each file's own pre-fix profile; the
            // target itself runs mainline: with BASE 1.85 s
            // (4/5) and 1.71 s; 55/75 fresh/resched 1.43 s (4/5) and
            // 0.78 s; and PCT at 0.2 as well, 0.617 s and 0.626 s, 5/5).
            Target::Mappings => Tuning {
                domains: [0, 0, 0, 0, 1],
                fresh: 55,
                resched: 75,
                pct: 0.2,
                ..BASE
            },
        }
    }
}

/// How arguments are drawn in one domain: races need the same page and the
/// same file touched again and again, so small values are favoured.
#[derive(Clone, Copy, Debug)]
pub struct Bias {
    /// Chance a file argument is the case's hot file.
    pub hot_file: f64,
    /// Chance the hot file of a drawn operation is `f0` (else any file).
    pub hot0: f64,
    /// Chance a page index is 0.
    pub page0: f64,
    /// Otherwise, chance it is one of the first two pages.
    pub near: f64,
    /// Otherwise page indices are drawn from `0..pages`.
    pub pages: u8,
    /// Chance a truncate size is 0 (else 1..=`sizes`).
    pub size0: f64,
    /// Truncate sizes drawn up to this.
    pub sizes: u8,
    /// Frames drawn from `0..frames`.
    pub frames: u8,
    /// Chance a device block is 0 (else `0..4`).
    pub block0: f64,
    /// Chance an optional keyword (flag) is present.
    pub flag: f64,
    /// Chance of WB_SYNC_ALL (the second sync mode).
    pub all: f64,
    /// Chance a write of data units is one odd unit (the second half of a
    /// block: partial-block writes are where the iomap races live).
    pub odd_unit: f64,
}

/// Pages on the simple filesystem: page 0 mostly; truncate to 0 or 1. The
/// file is the one the caller chose (its own hot-file choice: a case's
/// tasks keep to the file setup touched 70% of the time).
const PAGES: Bias = Bias {
    hot_file: 1.0,
    hot0: 0.0,
    page0: 0.7,
    near: 1.0,
    pages: 2,
    size0: 0.7,
    sizes: 1,
    frames: 3,
    block0: 0.6,
    flag: 0.3,
    all: 0.5,
    odd_unit: 0.0,
};

/// The block device: few frames (migration and reclaim need the one that
/// holds the buffers), block 0 mostly.
const BUFFERS: Bias = Bias { frames: 2, ..PAGES };

/// Extent-mapped files: file 0 mostly, the first two pages, partial blocks.
const EXTENTS: Bias = Bias {
    // Each operation stays on the file the case's tasks chose.
    hot_file: 1.0,
    hot0: 0.8,
    page0: 0.0,
    near: 0.5,
    pages: 4,
    size0: 0.25,
    sizes: 3,
    frames: 4,
    block0: 0.6,
    flag: 0.3,
    all: 0.3,
    odd_unit: 0.25,
};

/// The argument bias of domain `d`.
pub fn bias(d: Domain) -> &'static Bias {
    match d {
        Domain::Pages => &PAGES,
        Domain::Buffers => &BUFFERS,
        Domain::Extents => &EXTENTS,
        Domain::Lifecycle => &BUFFERS,
        Domain::Mappings => &PAGES,
    }
}

/// Swarm strategy: executions between two draws of the job's menu
/// ([`crate::swarm::Menu::swarm`]); about a third of a second of one job.
pub const SWARM_RESTART: u64 = 20_000;
