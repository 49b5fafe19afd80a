//! Fresh random cases for a target: structure, not bytes, so every case is
//! plausible (a few files, a few tasks, setup that leaves I/O in flight).

use pagelife_core::case::{Case, Fault, Op, OpKind, Run, Slice, TaskDef, DEFAULT_NAMES};
use pagelife_core::codec::MAX_OPS;
use pagelife_core::op::{ArgKind, Args, Domain, MAX_ARGS};
use pagelife_core::profile::Profile;
use pagelife_core::world::{Config, Fs, BDEV, BIO_CTX0, MAX_FILES, MAX_TASKS};

use crate::rng::Rng;
use crate::swarm::{Menu, FAULT_KINDS};
use crate::target::Target;
use crate::tuning::{bias, Bias};

/// A random operation for the menu's target: a domain by the target's mix,
/// then an operation the menu allows by its declared weight there, then its
/// arguments.
pub fn random_op(rng: &mut Rng, menu: Menu) -> Op {
    let t = menu.target.tuning();
    let d = Domain::ALL[weighted(rng, &t.domains)];
    let hot = if rng.chance(bias(d).hot0) {
        0
    } else {
        rng.byte(3)
    };
    random_op_in(rng, d, hot, menu)
}

/// An index drawn with the given weights (0 if they are all zero).
fn weighted(rng: &mut Rng, w: &[u16]) -> usize {
    let total: usize = w.iter().map(|&x| x as usize).sum();
    let mut r = rng.below(total);
    for (i, &x) in w.iter().enumerate() {
        if r < x as usize {
            return i;
        }
        r -= x as usize;
    }
    0
}

/// A random operation of domain `d` that `menu` allows (any of the
/// domain's if it allows none), on `hot` most of the time.
pub fn random_op_in(rng: &mut Rng, d: Domain, hot: u8, menu: Menu) -> Op {
    // A fixed array: no allocation per operation drawn.
    let mut weights = [0u16; OpKind::ALL.len()];
    for (i, (w, k)) in weights.iter_mut().zip(OpKind::ALL).enumerate() {
        *w = if menu.allows_index(i) { k.weight(d) } else { 0 };
    }
    if weights.iter().all(|&w| w == 0) {
        for (w, k) in weights.iter_mut().zip(OpKind::ALL) {
            *w = k.weight(d);
        }
    }
    let kind = OpKind::ALL[weighted(rng, &weights)];
    let b = bias(d);
    let mut args: Args = [0; MAX_ARGS];
    for (i, s) in kind.spec().args.iter().enumerate() {
        args[i] = random_arg(rng, s.kind, d, b, hot);
    }
    other_second_file(rng, kind, &mut args);
    let specs = kind.spec().args;
    let unit_len = specs.len() >= 2
        && specs
            .iter()
            .zip(&specs[1..])
            .any(|(a, l)| a.kind == ArgKind::Unit && l.kind == ArgKind::Len);
    if unit_len && rng.chance(b.odd_unit) {
        if let Some(u) = specs.iter().position(|a| a.kind == ArgKind::Unit) {
            args[u] = 1 + 2 * rng.byte(4);
            args[u + 1] = 1;
        }
    }
    Op::from_args(kind, &args).clamped()
}

/// The second file of an operation that names two (`reflink SRC DST`) is
/// another file than the first: the hot-file bias would make them one,
/// which the kernel refuses (`FICLONE` of a file onto itself: `-EINVAL`).
fn other_second_file(rng: &mut Rng, kind: OpKind, args: &mut Args) {
    let specs = kind.spec().args;
    let mut files = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == ArgKind::File)
        .map(|(i, _)| i);
    if let (Some(a), Some(b)) = (files.next(), files.next()) {
        if args[a] == args[b] {
            let n = MAX_FILES as u8;
            args[b] = (args[a] + 1 + rng.byte(n - 1)) % n;
        }
    }
}

fn random_arg(rng: &mut Rng, kind: ArgKind, d: Domain, b: &Bias, hot: u8) -> u8 {
    let file = |rng: &mut Rng| {
        if rng.chance(b.hot_file) {
            hot
        } else {
            rng.byte(3)
        }
    };
    match kind {
        ArgKind::FileOrBdev if d == Domain::Buffers => BDEV,
        ArgKind::FileOrBdev if d == Domain::Lifecycle && rng.chance(0.5) => BDEV,
        ArgKind::File | ArgKind::FileOrBdev => file(rng),
        ArgKind::Page if rng.chance(b.page0) => 0,
        ArgKind::Page if rng.chance(b.near) => rng.byte(2),
        ArgKind::Page => rng.byte(b.pages),
        ArgKind::Size if rng.chance(b.size0) => 0,
        ArgKind::Size => 1 + rng.byte(b.sizes),
        ArgKind::Count if rng.chance(0.6) => 1,
        ArgKind::Count => 1 + rng.byte(3),
        ArgKind::Frame => rng.byte(b.frames),
        ArgKind::DevBlock if rng.chance(b.block0) => 0,
        ArgKind::DevBlock => rng.byte(4),
        ArgKind::Unit => rng.byte(8),
        ArgKind::Len => 1 + rng.byte(6),
        ArgKind::Choice(c) if c.len() == 2 => rng.chance(b.all) as u8,
        ArgKind::Choice(c) => rng.byte(c.len() as u8),
        ArgKind::Flag(_) => rng.chance(b.flag) as u8,
        // The first two tasks: most cases have them.
        ArgKind::Task => rng.byte(2),
    }
}

fn fs_op(rng: &mut Rng, file: u8, menu: Menu) -> Op {
    random_op_in(rng, Domain::Extents, file, menu)
}

/// A file on an extent-mapped filesystem in a state races start from:
/// preallocated, partly written, written and synced, or a hole within EOF
/// that a read has cached.
fn fs_setup(rng: &mut Rng, file: u8, out: &mut Vec<Op>, menu: Menu) {
    match rng.below(5) {
        0 => out.extend([
            Op::Fallocate {
                file,
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
                out.push(fs_op(rng, file, menu));
            }
        }
    }
}

/// A random operation on `file` on the simple filesystem.
fn op_on(rng: &mut Rng, file: u8, menu: Menu) -> Op {
    random_op_in(rng, Domain::Pages, file, menu)
}

/// A short sequence a kernel developer would write: start writeback, dirty a
/// page under writeback, truncate and rewrite, write and sync.
fn idiom(rng: &mut Rng, file: u8, out: &mut Vec<Op>, menu: Menu) {
    let w = Op::Write { file, index: 0 };
    match rng.below(5) {
        0 => out.extend([w, Op::Writeback { file, all: false }]),
        1 => out.extend([Op::Writeback { file, all: false }, w]),
        2 => out.extend([Op::Truncate { file, size: 0 }, w]),
        3 => out.extend([w, Op::Fsync { file }]),
        _ => out.push(op_on(rng, file, menu)),
    }
}

/// A random fault of a kind `menu` allows (the next allowed kind after the
/// one drawn; the caller draws none when it allows none).
pub fn random_fault(rng: &mut Rng, ntasks: usize, menu: Menu) -> Fault {
    let mut k = rng.below(FAULT_KINDS);
    for _ in 0..FAULT_KINDS {
        if menu.allows_fault(k) {
            break;
        }
        k = (k + 1) % FAULT_KINDS;
    }
    match k {
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

/// A fresh case from `menu`, with an empty schedule (online schedulers fill it).
pub fn random_case(rng: &mut Rng, menu: impl Into<Menu>) -> Case {
    let menu = menu.into();
    let target = menu.target;
    let t = target.tuning();
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
    let on_mainline = matches!(target, Target::Mainline | Target::Lifecycle);
    let fs = target == Target::Iomap || (target == Target::Mainline && rng.chance(0.35));
    // The mainline target covers every operation: a share of its cases
    // are the mappings target's.
    let mapped = target == Target::Mappings || (target == Target::Mainline && rng.chance(0.15));
    let ntasks = if mapped {
        mapping_case(rng, &mut c, t.max_tasks, menu)
    } else if fs {
        fs_case(rng, &mut c, t.max_tasks, menu)
    } else {
        if on_mainline {
            // Block sizes below the page size (2 or 4 buffers per
            // block-device page) on mainline too: buffer-head races that
            // need a ring of several buffers are only there.
            c.config.bh_per_page = [1, 2, 2, 4][rng.below(4)];
        }
        page_setup(rng, menu, &mut c);
        if target == Target::Lifecycle {
            drawn_tasks(rng, &mut c, menu, t.max_tasks)
        } else {
            page_tasks(rng, &mut c, t.max_tasks, menu)
        }
    };
    if rng.chance(t.fault) && menu.faults != 0 {
        c.faults.push(random_fault(rng, ntasks, menu));
    }
    menu.pin(&mut c.config);
    c
}

/// User mappings: a file on the simple filesystem or an extent-mapped one,
/// in a state races start from; most tasks map it first (a load or store
/// needs a mapping) and then mix accesses with writeback, truncation,
/// punching, reclaim and eviction of it. Returns the number of tasks.
fn mapping_case(rng: &mut Rng, c: &mut Case, max_tasks: usize, menu: Menu) -> usize {
    c.config.frames = 3 + rng.byte(3);
    if rng.chance(0.5) {
        c.config.fs = [Fs::Xfs, Fs::Ext4, Fs::Gfs2][rng.below(3)];
        c.config.file_bpp = if rng.chance(0.5) { 1 } else { 2 };
        fs_setup(rng, 0, &mut c.setup, menu);
    } else {
        c.setup.push(Op::Write { file: 0, index: 0 });
        if rng.chance(0.4) {
            c.setup.push(Op::Write { file: 0, index: 1 });
        }
        if rng.chance(0.4) {
            c.setup.push(Op::Writeback {
                file: 0,
                all: false,
            });
        }
    }
    let ntasks = 1 + rng.below(MAX_TASKS.min(max_tasks));
    for (i, name) in DEFAULT_NAMES.iter().take(ntasks).enumerate() {
        let mut ops = Vec::new();
        // A task with a buffer in its anonymous memory writes it first (as
        // a program fills what it allocated), then uses it; the others
        // mostly map the file.
        let buffer = rng.chance(0.35);
        // Or a thread of the first task: its mapping, its own TLB.
        let thread = i > 0 && !buffer && rng.chance(0.25);
        let task_menu = if buffer {
            ops.push(Op::AnonStore { page: 0 });
            Menu {
                ops: menu.ops & anon_kinds(),
                ..menu
            }
        } else {
            let mut m = menu;
            if !thread && rng.chance(0.75) {
                let private = rng.chance(0.3);
                let ro = private && rng.chance(0.6);
                ops.push(Op::Mmap {
                    file: 0,
                    private,
                    ro,
                });
                if ro {
                    // A store to a read-only mapping is SIGSEGV: not drawn.
                    if let Some(k) = OpKind::ALL.iter().position(|&k| k == OpKind::Store) {
                        m.ops &= !(1 << k);
                    }
                }
            }
            m
        };
        for _ in 0..1 + rng.below(4) {
            let f = if rng.chance(0.85) { 0 } else { 1 };
            let mut op = random_op_in(rng, Domain::Mappings, f, task_menu);
            // A forced write mostly targets another task: its own address
            // space cannot change under it.
            if let Op::MemWrite { task, .. } = &mut op {
                if ntasks > 1 && rng.chance(0.8) {
                    *task = ((i + 1 + rng.below(ntasks - 1)) % ntasks) as u8;
                }
            }
            ops.push(op);
        }
        push_task(c, i, name, ops);
        if thread {
            c.tasks[i].thread = Some(0);
        }
    }
    maybe_fork(rng, c);
    ntasks
}

/// Sometimes make the last task the child of a `fork` the first task
/// makes somewhere in its operations (the child starts when it runs):
/// fork's copy-on-write sharing meets the parent's and the child's
/// accesses, pins and direct I/O.
fn maybe_fork(rng: &mut Rng, c: &mut Case) {
    let n = c.tasks.len();
    if n < 2 || c.tasks[n - 1].thread.is_some() || !rng.chance(0.25) {
        return;
    }
    let parent = &mut c.tasks[0].ops;
    if parent.len() >= MAX_OPS {
        parent.pop();
    }
    let at = rng.below(parent.len() + 1);
    parent.insert(at, Op::Fork {});
    c.tasks[n - 1].fork = Some(0);
}

/// The operation kinds on a task's anonymous memory (bits of [`Menu::ops`]).
fn anon_kinds() -> u64 {
    OpKind::ALL
        .iter()
        .enumerate()
        .filter(|(_, k)| {
            matches!(
                k,
                OpKind::AnonLoad
                    | OpKind::AnonStore
                    | OpKind::AnonMadvise
                    | OpKind::DioRead
                    | OpKind::DioWrite
            )
        })
        .fold(0, |m, (i, _)| m | 1 << i)
}

/// Task `i` named `name` on CPU `i`, with at most `MAX_OPS` of `ops`.
fn push_task(c: &mut Case, i: usize, name: &str, mut ops: Vec<Op>) {
    ops.truncate(pagelife_core::codec::MAX_OPS);
    c.tasks.push(TaskDef {
        name: name.to_string(),
        cpu: i as u8,
        thread: None,
        fork: None,
        ops,
    });
}

/// Files on an extent-mapped filesystem: one in a state races start from,
/// tasks mostly on `f0`. Returns the number of tasks.
fn fs_case(rng: &mut Rng, c: &mut Case, max_tasks: usize, menu: Menu) -> usize {
    c.config.fs = [Fs::Xfs, Fs::Ext4, Fs::Gfs2][rng.below(3)];
    c.config.file_bpp = if rng.chance(0.5) { 1 } else { 2 };
    c.config.frames = 3 + rng.byte(3);
    fs_setup(rng, 0, &mut c.setup, menu);
    let ntasks = 1 + rng.below(MAX_TASKS.min(max_tasks));
    for (i, name) in DEFAULT_NAMES.iter().take(ntasks).enumerate() {
        let n = 1 + rng.below(3);
        let ops = (0..n)
            .map(|_| {
                let f = if rng.chance(0.85) { 0 } else { 1 };
                fs_op(rng, f, menu)
            })
            .collect();
        c.tasks.push(TaskDef {
            name: name.to_string(),
            cpu: i as u8,
            thread: None,
            fork: None,
            ops,
        });
    }
    ntasks
}

/// Setup for the page-cache and buffer-head targets: cached clean buffers
/// on the device (what migration races need), or a writeback left in
/// flight (what most page-lifetime races need), or a few random operations.
fn page_setup(rng: &mut Rng, menu: Menu, c: &mut Case) {
    let target = menu.target;
    if target == Target::Migration {
        c.config.bh_per_page = [1, 2, 2, 4][rng.below(4)];
        let block = if rng.chance(0.7) { 0 } else { rng.byte(4) };
        c.setup.push(Op::BhWrite {
            block,
            getblk: true,
            meta: rng.chance(0.3),
            nonatomic: false,
        });
        if rng.chance(0.7) {
            c.setup.push(Op::Fsync { file: BDEV });
        }
    } else if target == Target::Lifecycle && rng.chance(0.5) {
        // A journalled block, committed or not.
        c.setup.push(Op::Jbd2Update {
            block: if rng.chance(0.7) { 0 } else { rng.byte(4) },
            getblk: true,
            nonatomic: false,
        });
        if rng.chance(0.5) {
            c.setup.push(Op::Jbd2Commit {});
        }
    } else if rng.chance(0.7) {
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
            c.setup.push(random_op(rng, menu));
        }
    }
}

/// Tasks whose operations are drawn by the target's domain mix (the
/// lifecycle target: eviction, reclaim, migration, the journal). Returns
/// the number of tasks.
fn drawn_tasks(rng: &mut Rng, c: &mut Case, menu: Menu, max_tasks: usize) -> usize {
    let ntasks = 1 + rng.below(MAX_TASKS.min(max_tasks));
    for (i, name) in DEFAULT_NAMES.iter().take(ntasks).enumerate() {
        let n = 1 + rng.below(4);
        let ops = (0..n).map(|_| random_op(rng, menu)).collect();
        c.tasks.push(TaskDef {
            name: name.to_string(),
            cpu: i as u8,
            thread: None,
            fork: None,
            ops,
        });
    }
    ntasks
}

/// Tasks whose operations mostly go to one "hot" file, the one setup
/// touched if any. Returns the number of tasks.
fn page_tasks(rng: &mut Rng, c: &mut Case, max_tasks: usize, menu: Menu) -> usize {
    let hot = match c.setup.first() {
        Some(Op::Write { file, .. }) => *file,
        _ => rng.byte(3),
    };
    let ntasks = 1 + rng.below(MAX_TASKS.min(max_tasks));
    for (i, name) in DEFAULT_NAMES.iter().take(ntasks).enumerate() {
        let mut ops = Vec::new();
        let want = 1 + rng.below(4);
        while ops.len() < want {
            let file = if rng.chance(0.7) { hot } else { rng.byte(3) };
            if rng.chance(0.5) {
                idiom(rng, file, &mut ops, menu);
            } else {
                ops.push(op_on(rng, file, menu));
            }
        }
        push_task(c, i, name, ops);
    }
    ntasks
}
