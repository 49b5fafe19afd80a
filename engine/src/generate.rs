//! Fresh random cases for a target: structure, not bytes, so every case is
//! plausible (a few files, a few tasks, setup that leaves I/O in flight).

use pagelife_core::case::{Case, FallocMode, Fault, Op, Run, Slice, TaskDef, DEFAULT_NAMES};
use pagelife_core::profile::Profile;
use pagelife_core::world::{Config, Fs, BIO_CTX0, MAX_TASKS};

use crate::rng::Rng;
use crate::target::Target;

/// A random operation for `target`.
pub fn random_op(rng: &mut Rng, target: Target) -> Op {
    if target == Target::Migration || (target == Target::Mainline && rng.chance(0.3)) {
        return bh_op(rng);
    }
    let file = rng.byte(3);
    if target == Target::Iomap || (target == Target::Mainline && rng.chance(0.4)) {
        let file = if rng.chance(0.8) { 0 } else { file };
        return fs_op(rng, file);
    }
    op_on(rng, target, file)
}

/// A random operation of the extent-mapped filesystems' world: partial and
/// whole-page writes, reads, write faults, fallocate, hole punching,
/// writeback, reclaim (data units: a block has two; a page one or two blocks).
fn fs_op(rng: &mut Rng, file: u8) -> Op {
    let index = if rng.chance(0.5) {
        rng.byte(2)
    } else {
        rng.byte(4)
    };
    match rng.below(16) {
        0..=2 => Op::Pwrite {
            file,
            unit: rng.byte(8),
            len: 1 + rng.byte(6),
        },
        3 => Op::Write { file, index },
        4 | 5 => Op::Read { file, index },
        6 => Op::Mkwrite { file, index },
        7 => Op::Falloc {
            file,
            mode: FallocMode::Alloc,
            index: rng.byte(2),
            count: 1 + rng.byte(3),
        },
        8 => Op::Falloc {
            file,
            mode: if rng.chance(0.7) {
                FallocMode::Punch
            } else {
                FallocMode::Zero
            },
            index,
            count: 1,
        },
        9 | 10 => Op::Writeback {
            file,
            all: rng.chance(0.3),
        },
        11 => Op::Fsync { file },
        12 | 13 => Op::Reclaim { frame: rng.byte(4) },
        14 => Op::Truncate {
            file,
            size: rng.byte(4),
        },
        _ => Op::Pwrite {
            file,
            unit: 1 + 2 * rng.byte(4),
            len: 1,
        },
    }
}

/// A file on an extent-mapped filesystem in a state races start from:
/// preallocated, partly written, written and synced, or a hole within EOF
/// that a read has cached.
fn fs_setup(rng: &mut Rng, file: u8, out: &mut Vec<Op>) {
    match rng.below(5) {
        0 => out.extend([
            Op::Falloc {
                file,
                mode: FallocMode::Alloc,
                index: 0,
                count: 2 + rng.byte(2),
            },
            Op::Pwrite {
                file,
                unit: 1 + 2 * rng.byte(3),
                len: 1,
            },
        ]),
        1 => out.extend([
            Op::Write { file, index: 0 },
            Op::Write { file, index: 1 },
            Op::Fsync { file },
            Op::Write { file, index: 0 },
        ]),
        2 => out.extend([
            Op::Truncate {
                file,
                size: 1 + rng.byte(2),
            },
            Op::Read { file, index: 0 },
        ]),
        3 => out.extend([Op::Truncate { file, size: 2 }]),
        _ => {
            for _ in 0..rng.below(3) {
                out.push(fs_op(rng, file));
            }
        }
    }
}

/// A random operation of the buffer-head world: metadata users, migration,
/// writeback of the device, reclaim.
fn bh_op(rng: &mut Rng) -> Op {
    let block = if rng.chance(0.6) { 0 } else { rng.byte(4) };
    match rng.below(10) {
        0..=3 => Op::BhWrite {
            block,
            getblk: rng.chance(0.3),
            meta: rng.chance(0.3),
            nonatomic: rng.chance(0.3),
        },
        4..=6 => Op::Migrate { frame: rng.byte(2) },
        7 => Op::Fsync {
            file: pagelife_core::world::BDEV,
        },
        8 => Op::Writeback {
            file: pagelife_core::world::BDEV,
            all: rng.chance(0.5),
        },
        _ => Op::Reclaim { frame: rng.byte(2) },
    }
}

/// A random operation on `file` (page index 0 more often than not: races
/// need the same page touched again and again).
fn op_on(rng: &mut Rng, _target: Target, file: u8) -> Op {
    let index = if rng.chance(0.7) { 0 } else { rng.byte(2) };
    match rng.below(10) {
        0..=2 => Op::Write { file, index },
        3 | 4 => Op::Writeback {
            file,
            all: rng.chance(0.5),
        },
        5 | 6 => Op::Truncate {
            file,
            size: if rng.chance(0.7) { 0 } else { 1 },
        },
        7 => Op::Fsync { file },
        8 => Op::Read { file, index },
        _ => Op::Reclaim { frame: rng.byte(3) },
    }
}

/// A short sequence a kernel developer would write: start writeback, dirty a
/// page under writeback, truncate and rewrite, write and sync.
fn idiom(rng: &mut Rng, target: Target, file: u8, out: &mut Vec<Op>) {
    let w = Op::Write { file, index: 0 };
    match rng.below(5) {
        0 => out.extend([w, Op::Writeback { file, all: false }]),
        1 => out.extend([Op::Writeback { file, all: false }, w]),
        2 => out.extend([Op::Truncate { file, size: 0 }, w]),
        3 => out.extend([w, Op::Fsync { file }]),
        _ => out.push(op_on(rng, target, file)),
    }
}

/// A random fault.
pub fn random_fault(rng: &mut Rng, ntasks: usize) -> Fault {
    match rng.below(4) {
        0 => Fault::IoError { bio: rng.byte(4) },
        1 => Fault::AllocFail {
            nth: 1 + rng.byte(6),
        },
        2 if ntasks > 0 => Fault::Signal {
            task: rng.byte(ntasks as u8),
            at: rng.below(120) as u16,
        },
        _ => Fault::Reclaim {
            frame: rng.byte(3),
            at: rng.below(120) as u16,
        },
    }
}

/// A random schedule slice over `ntasks` tasks and the first bios.
pub fn random_slice(rng: &mut Rng, ntasks: usize) -> Slice {
    let ctx = if ntasks == 0 || rng.chance(0.3) {
        BIO_CTX0 + rng.byte(4)
    } else {
        rng.byte(ntasks as u8)
    };
    let run = match rng.below(6) {
        0 => Run::Block,
        _ => Run::Steps(1 + rng.byte(12)),
    };
    Slice { ctx, run }
}

/// A fresh case for `target`, with an empty schedule (online schedulers fill it).
pub fn random_case(rng: &mut Rng, target: Target) -> Case {
    let profiles = target.profiles();
    let mut c = Case {
        profile: Profile::named(profiles[rng.below(profiles.len())]).unwrap_or_default(),
        config: Config {
            bh_per_page: 1,
            frames: 2 + rng.byte(3),
            wq_buckets: if rng.chance(0.8) { 1 } else { 2 },
            ..Config::default()
        },
        ..Case::default()
    };
    let fs = target == Target::Iomap || (target == Target::Mainline && rng.chance(0.35));
    if fs {
        c.config.fs = [Fs::Xfs, Fs::Ext4, Fs::Gfs2][rng.below(3)];
        c.config.file_bpp = if rng.chance(0.5) { 1 } else { 2 };
        c.config.frames = 3 + rng.byte(3);
        fs_setup(rng, 0, &mut c.setup);
        let ntasks = 1 + rng.below(MAX_TASKS.min(3));
        for (i, name) in DEFAULT_NAMES.iter().take(ntasks).enumerate() {
            let n = 1 + rng.below(3);
            let ops = (0..n)
                .map(|_| {
                    let f = if rng.chance(0.85) { 0 } else { 1 };
                    fs_op(rng, f)
                })
                .collect();
            c.tasks.push(TaskDef {
                name: name.to_string(),
                cpu: i as u8,
                ops,
            });
        }
        if rng.chance(0.1) {
            c.faults.push(random_fault(rng, ntasks));
        }
        return c;
    }
    if target == Target::Migration {
        // Buffers on the device, cached and clean: what migration races need.
        c.config.bh_per_page = [1, 2, 2, 4][rng.below(4)];
        let block = if rng.chance(0.7) { 0 } else { rng.byte(4) };
        c.setup.push(Op::BhWrite {
            block,
            getblk: true,
            meta: rng.chance(0.3),
            nonatomic: false,
        });
        if rng.chance(0.7) {
            c.setup.push(Op::Fsync {
                file: pagelife_core::world::BDEV,
            });
        }
    } else if rng.chance(0.7) {
        // Leave a writeback in flight, as most page-lifetime races need.
        let f = rng.byte(3);
        c.setup.push(Op::Write { file: f, index: 0 });
        if rng.chance(0.3) {
            c.setup.push(Op::Write { file: f, index: 1 });
        }
        c.setup.push(Op::Writeback {
            file: f,
            all: false,
        });
        if rng.chance(0.3) {
            c.setup.push(Op::Write { file: f, index: 0 });
        }
    } else {
        for _ in 0..rng.below(3) {
            c.setup.push(random_op(rng, target));
        }
    }
    // Most operations go to one "hot" file, the one setup touched if any.
    let hot = match c.setup.first() {
        Some(Op::Write { file, .. }) => *file,
        _ => rng.byte(3),
    };
    let ntasks = 1 + rng.below(MAX_TASKS.min(3));
    for name in DEFAULT_NAMES.iter().take(ntasks) {
        let mut ops = Vec::new();
        let want = 1 + rng.below(4);
        while ops.len() < want {
            let file = if rng.chance(0.7) { hot } else { rng.byte(3) };
            if rng.chance(0.5) {
                idiom(rng, target, file, &mut ops);
            } else {
                ops.push(op_on(rng, target, file));
            }
        }
        ops.truncate(pagelife_core::codec::MAX_OPS);
        c.tasks.push(TaskDef {
            name: name.to_string(),
            cpu: 0,
            ops,
        });
    }
    for (i, t) in c.tasks.iter_mut().enumerate() {
        t.cpu = i as u8;
    }
    if rng.chance(0.1) {
        c.faults.push(random_fault(rng, ntasks));
    }
    c
}
