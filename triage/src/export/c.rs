//! A finding as a C program that performs the case on a real kernel
//! (`pagelife explain FILE --format c`): C11 and pthreads, libc only.
//!
//! The program takes a directory at run time (on the filesystem under
//! test), creates the case's files there (`pl-f0`..`pl-f2`), runs the
//! setup, then each task as a thread — as a process when the case sends it a
//! fatal signal or it maps a file — with random delays before each
//! operation, for N rounds.
//! Every byte a write puts in a file is a 32-byte text record naming the
//! file, the round, the operation and the offset, so that a read that
//! returns another file's data, an earlier round's (a deleted file's) or
//! the disk fill's is recognised, and so is data at the wrong offset, or
//! zeros where a completed write put data. It reads `/dev/kmsg` for BUG,
//! WARNING, KASAN and hung-task lines. One verdict line per round, a
//! summary, exit status 0 clean, 1 confirmed, 2 usage or setup error.
//!
//! Geometry: the block size is given at run time (`-b`, default the
//! directory's `st_blksize`); on an extent-mapped filesystem a model data
//! unit is half a block and a model page is `blocks=N` blocks, as in the
//! model (`core/src/world/extent.rs`: `UPB` = 2); on the simple filesystem
//! a unit is a page.
//!
//! [`op_to_c`] is the one place where an operation becomes syscalls; the
//! rest of the exporter is independent of the operation set.
//!
//! A line `// pagelife-c: fs=F blocks=N privileged=yes|no tasks=N` near the
//! top tells tools (the kernel harness, `scripts/check-c-export.sh`) the
//! filesystem, the block geometry the case wants, and whether the program
//! needs root-only knobs to do what the case says.

use std::fmt::Write as _;

use pagelife_core::case::{Case, Fault, Op, TaskDef};
use pagelife_core::exec::replay::{run_case, RunOptions};
use pagelife_core::exec::schedule::label_schedule;
use pagelife_core::fs::FallocMode;
use pagelife_core::trace::Event;
use pagelife_core::world::{Config, Fs, BDEV, MAX_FILES, MAX_INDEX, MAX_TASKS, TASK_INIT};

use crate::report::finding_line;

const HEAD: &str = include_str!("c_head.c");
const MAIN: &str = include_str!("c_main.c");

/// Highest record version (a record carries `v1`..`v31`; more write
/// operations than that share the last one).
const MAX_VER: u32 = 31;

/// What an operation does to the program's shadow of the files, in model
/// data units (a page is `upp` units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing a later read can check.
    None,
    /// Writes units `from..to` of `file` with the operation's version.
    Writes {
        /// File.
        file: u8,
        /// First unit.
        from: usize,
        /// One past the last unit.
        to: usize,
    },
    /// May remove (zero) units `from..to` of `file`.
    Removes {
        /// File.
        file: u8,
        /// First unit.
        from: usize,
        /// One past the last unit.
        to: usize,
    },
}

/// An operation in C: one statement (calls of the runtime's helpers), what
/// it means for the shadow, and whether it needs root-only knobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSpec {
    /// The C statement.
    pub code: String,
    /// A comment for the reader: the syscalls, or why there is none.
    pub note: String,
    /// Its effect on the shadow.
    pub effect: Effect,
    /// It needs root (drop_caches, compaction).
    pub privileged: bool,
}

/// Where an operation runs and what it may refer to.
pub struct OpCx<'a> {
    /// The case's machine configuration (filesystem, blocks per page).
    pub cfg: &'a Config,
    /// In the setup (run alone, in order, before the tasks).
    pub setup: bool,
    /// The version its records carry, if it writes.
    pub ver: u32,
    /// The file page a model frame held first (for `reclaim`/`migrate frameN`).
    pub frame_page: &'a dyn Fn(u8) -> Option<(u8, u8)>,
}

/// The descriptor of `file` in the C runtime (-1: the block device).
fn fd(file: u8) -> i32 {
    if file == BDEV || file as usize >= MAX_FILES {
        -1
    } else {
        file as i32
    }
}

/// A call with no effect on file data, needing no privileges.
fn plain(code: String, note: &str) -> CallSpec {
    CallSpec {
        code,
        note: note.to_string(),
        effect: Effect::None,
        privileged: false,
    }
}

/// THE mapping from the model's operations to syscalls (through the C
/// runtime's helpers in `c_head.c`): the file data operations here, the
/// rest in [`system_op_to_c`]. Everything else in the exporter is generic:
/// a new operation, or a split one, is a new arm in one of the two.
pub fn op_to_c(op: &Op, cx: &OpCx<'_>) -> CallSpec {
    let s = cx.setup as u8;
    let upp = |file: u8| cx.cfg.upp(file);
    match *op {
        Op::Write { file, index } => writes_page(
            format!(
                "pl_pwrite({file}, (uint64_t){index} * G.pg, G.pg, {}, {s});",
                cx.ver
            ),
            format!("pwrite(2) of page {index}"),
            file,
            index,
            upp(file),
        ),
        Op::Pwrite { file, unit, len } => CallSpec {
            code: format!(
                "pl_pwrite({file}, (uint64_t){unit} * G.unit, (size_t){len} * G.unit, {}, {s});",
                cx.ver
            ),
            note: format!(
                "pwrite(2) of data units {unit}..{}",
                unit as u16 + len as u16
            ),
            effect: Effect::Writes {
                file,
                from: unit as usize,
                to: unit as usize + len as usize,
            },
            privileged: false,
        },
        Op::Read { file, index } => plain(
            format!("pl_pread({file}, (uint64_t){index} * G.pg, G.pg, \"read\");"),
            &format!("pread(2) of page {index}, checked"),
        ),
        Op::Truncate { file, size } => truncate(file, size, s, upp(file)),
        Op::Fallocate { file, index, count }
        | Op::Punch { file, index, count }
        | Op::ZeroRange { file, index, count } => {
            falloc(file, falloc_mode(op), index, count, s, upp(file))
        }
        Op::Mkwrite { file, index } => writes_page(
            format!(
                "pl_mkwrite({file}, (uint64_t){index} * G.pg, G.pg, {});",
                cx.ver
            ),
            format!("mmap(MAP_SHARED) and a store to page {index} (a write fault)"),
            file,
            index,
            upp(file),
        ),
        Op::Writeback { .. }
        | Op::Fsync { .. }
        | Op::Sync {}
        | Op::Unlink { .. }
        | Op::Reflink { .. }
        | Op::Reclaim { .. }
        | Op::Migrate { .. }
        | Op::BhWrite { .. }
        | Op::Jbd2Update { .. }
        | Op::Jbd2Commit {}
        | Op::Jbd2Shrink {}
        | Op::Jbd2Checkpoint {}
        | Op::DropCaches {} => system_op_to_c(op, cx),
        Op::Mmap { .. }
        | Op::Munmap { .. }
        | Op::Load { .. }
        | Op::Store { .. }
        | Op::Madvise { .. }
        | Op::Exit {}
        | Op::AnonLoad { .. }
        | Op::AnonStore { .. }
        | Op::AnonMadvise { .. }
        | Op::MadvisePageout { .. }
        | Op::AnonPageout { .. }
        | Op::DioRead { .. }
        | Op::DioWrite { .. }
        | Op::MemWrite { .. } => user_mm_op_to_c(op, cx),
        Op::Fork {} | Op::Pin { .. } | Op::Unpin {} => process_op_to_c(op),
    }
}

/// fork(2) and a driver's long-term pins: not exported yet, each a no-op
/// with a note saying so (the case's fork child runs as a process of its
/// own from the start).
fn process_op_to_c(op: &Op) -> CallSpec {
    match *op {
        Op::Fork {} => plain(
            "(void)0; /* fork: not exported */".into(),
            "fork(2): not exported yet; the child runs as a process of its own from the start",
        ),
        _ => plain(
            "(void)0; /* device pin: not exported */".into(),
            "a driver's long-term pin and DMA (RDMA, io_uring buffers): not exported (skipped)",
        ),
    }
}

/// The operations on the task's address space: its file mappings
/// ([`mapping_op_to_c`]) and its anonymous memory ([`anon_op_to_c`]). The
/// setup has no address space in the model: its are skipped there, and here.
fn user_mm_op_to_c(op: &Op, cx: &OpCx<'_>) -> CallSpec {
    if cx.setup {
        return plain(
            "(void)0; /* setup: no address space */".into(),
            "the setup has no address space (skipped, as in the model)",
        );
    }
    match *op {
        Op::AnonLoad { .. }
        | Op::AnonStore { .. }
        | Op::AnonMadvise { .. }
        | Op::AnonPageout { .. }
        | Op::DioRead { .. } => anon_op_to_c(op),
        Op::DioWrite { file, index, buf } if fd(file) >= 0 => writes_page(
            format!(
                "pl_dio_write({file}, (uint64_t){index} * G.pg, {buf}, {});",
                cx.ver
            ),
            format!("page {index} filled in anonymous page {buf}, then pwrite(2) O_DIRECT"),
            file,
            index,
            cx.cfg.upp(file),
        ),
        Op::DioWrite { .. } => plain(
            "(void)0; /* no block device descriptor */".into(),
            "an O_DIRECT write of the block device (skipped: no descriptor here)",
        ),
        _ => mapping_op_to_c(op, cx),
    }
}

/// The task's anonymous memory and direct reads into it: a buffer of
/// `PL_ANON` pages per process, what each page holds kept as the model's
/// promise is (`pl_anon_*` in `c_head.c`). The block device has no
/// descriptor here: a direct read of it is skipped.
fn anon_op_to_c(op: &Op) -> CallSpec {
    match *op {
        Op::AnonLoad { page } => plain(
            format!("pl_anon_load({page});"),
            &format!("a load of anonymous page {page}, checked"),
        ),
        Op::AnonStore { page } => plain(
            format!("pl_anon_store({page});"),
            &format!("a store to anonymous page {page}"),
        ),
        Op::AnonMadvise { page, advice } => plain(
            format!("pl_anon_madvise({page}, {advice});"),
            if advice == 1 {
                "madvise(2) MADV_FREE"
            } else {
                "madvise(2) MADV_DONTNEED"
            },
        ),
        Op::AnonPageout { page } => plain(
            format!("pl_anon_pageout({page});"),
            "madvise(2) MADV_PAGEOUT",
        ),
        Op::DioRead { file, index, buf } if fd(file) >= 0 => plain(
            format!("pl_dio_read({file}, (uint64_t){index} * G.pg, {buf});"),
            &format!("pread(2) O_DIRECT of page {index} into anonymous page {buf}"),
        ),
        _ => plain(
            "(void)0; /* no block device descriptor */".into(),
            "an O_DIRECT read of the block device (skipped: no descriptor here)",
        ),
    }
}

/// The user-mapping operations: the task's own `mmap(2)` of a file and its
/// loads and stores through it (a task that maps a file runs as a process).
fn mapping_op_to_c(op: &Op, cx: &OpCx<'_>) -> CallSpec {
    match *op {
        Op::Mmap { file, private, ro } => plain(
            format!("pl_mmap({file}, {}, {});", private as u8, ro as u8),
            match (private, ro) {
                (false, false) => "mmap(2) MAP_SHARED of the whole file",
                (false, true) => "mmap(2) PROT_READ, MAP_SHARED of the whole file",
                (true, false) => "mmap(2) MAP_PRIVATE of the whole file",
                (true, true) => "mmap(2) PROT_READ, MAP_PRIVATE of the whole file",
            },
        ),
        Op::MemWrite { task, file, index } => plain(
            format!("pl_mem_write({task}, {file}, (uint64_t){index} * G.pg, G.pg);"),
            &format!(
                "write(2) of page {index} to /proc/PID/mem of task slot {task}, at its \
                 private mapping of f{file} (FOLL_FORCE); the file must never see it"
            ),
        ),
        Op::Munmap { file } => plain(format!("pl_munmap({file});"), "munmap(2)"),
        Op::Load { file, index } => plain(
            format!("pl_load({file}, (uint64_t){index} * G.pg, G.pg);"),
            &format!("a load of page {index} through the mapping, checked"),
        ),
        Op::Store { file, index } => writes_page(
            format!(
                "pl_store({file}, (uint64_t){index} * G.pg, G.pg, {});",
                cx.ver
            ),
            format!("a store to page {index} through the mapping"),
            file,
            index,
            cx.cfg.upp(file),
        ),
        Op::Madvise { file, index, .. } => plain(
            format!("pl_dontneed({file}, (uint64_t){index} * G.pg, G.pg);"),
            "madvise(2) MADV_DONTNEED",
        ),
        Op::MadvisePageout { file, index } => plain(
            format!("pl_pageout({file}, (uint64_t){index} * G.pg, G.pg);"),
            "madvise(2) MADV_PAGEOUT",
        ),
        _ => plain("pl_exit_mmap();".into(), "exit: munmap(2) of every mapping"),
    }
}

/// The end of an inode's life and `drop_caches`.
fn cache_op_to_c(op: &Op) -> CallSpec {
    match *op {
        Op::Unlink { file } => plain(
            format!("pl_unlink({file});"),
            "unlink(2); the reproducer's processes hold the file open, so the last \
             iput() and the eviction come at their exit, not after a task's last use",
        ),
        _ => CallSpec {
            code: "pl_reclaim(-1, 0, 0);".into(),
            note: "echo 1 > /proc/sys/vm/drop_caches (root)".into(),
            effect: Effect::None,
            privileged: true,
        },
    }
}

/// The operations on writeback, the block device, reclaim and migration:
/// syscalls that write nothing the shadow tracks.
fn system_op_to_c(op: &Op, cx: &OpCx<'_>) -> CallSpec {
    match *op {
        Op::Writeback { file, all } => plain(
            format!("pl_writeback({}, {});", fd(file), all as u8),
            if fd(file) < 0 {
                "the block device's writeback: syncfs(2)"
            } else if all {
                "sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER): WB_SYNC_ALL"
            } else {
                "sync_file_range(SYNC_FILE_RANGE_WRITE): WB_SYNC_NONE"
            },
        ),
        Op::Fsync { file } => plain(
            format!("pl_fsync({});", fd(file)),
            if fd(file) < 0 {
                "fsync of the block device: syncfs(2)"
            } else {
                "fsync(2)"
            },
        ),
        Op::Sync {} => plain("sync();".into(), "sync(2)"),
        Op::Unlink { .. } | Op::DropCaches {} => cache_op_to_c(op),
        Op::Reflink { src, dst } => plain(
            format!("pl_reflink({src}, {dst});"),
            &format!("ioctl(FICLONE): f{dst} shares f{src}'s blocks"),
        ),
        Op::Reclaim { frame } => match (cx.frame_page)(frame) {
            Some((f, index)) if fd(f) >= 0 => plain(
                format!("pl_reclaim({f}, (uint64_t){index} * G.pg, G.pg);"),
                &format!(
                    "frame{frame} held f{f} page {index}: posix_fadvise(DONTNEED), madvise(MADV_PAGEOUT)"
                ),
            ),
            _ => CallSpec {
                code: "pl_reclaim(-1, 0, 0);".into(),
                note: format!("frame{frame} is no file's page: drop_caches (root)"),
                effect: Effect::None,
                privileged: true,
            },
        },
        Op::Migrate { frame } => {
            let (f, index) = match (cx.frame_page)(frame) {
                Some((f, i)) if fd(f) >= 0 => (f as i32, i),
                _ => (-1, 0),
            };
            CallSpec {
                code: format!("pl_migrate({f}, (uint64_t){index} * G.pg, G.pg);"),
                note: format!(
                    "frame{frame}: move_pages(2) with two NUMA nodes, else compaction (root)"
                ),
                effect: Effect::None,
                privileged: true,
            }
        }
        Op::BhWrite { block, .. } => plain(
            format!("pl_bh_write({block});"),
            "no syscall writes a given metadata buffer: a file create, write, fsync, unlink",
        ),
        Op::Jbd2Update { block, .. } => plain(
            format!("pl_bh_write({block});"),
            "a journalled metadata update (ext4): a file create, write or unlink",
        ),
        Op::Jbd2Commit {} => plain(
            "sync();".into(),
            "a journal commit: kjournald2 commits at fsync(2), sync(2) or every commit= seconds",
        ),
        Op::Jbd2Shrink {} => CallSpec {
            code: "(void)pl_root_write(\"/proc/sys/vm/drop_caches\", \"2\");".into(),
            note: "the journal's checkpoint shrinker: drop_caches 2 (slab objects)".into(),
            effect: Effect::None,
            privileged: true,
        },
        Op::Jbd2Checkpoint {} => plain(
            "(void)0; /* jbd2 checkpoint */".into(),
            "a checkpoint: the journal runs one when the log fills, at a journal flush or unmount",
        ),
        _ => unreachable!("op_to_c() dispatches only these here"),
    }
}

/// `ftruncate(2)` of `file` to `size` pages.
fn truncate(file: u8, size: u8, s: u8, upp: usize) -> CallSpec {
    CallSpec {
        code: format!("pl_truncate({file}, (uint64_t){size} * G.pg, {s}, PL_TASK_VERS);"),
        note: format!("ftruncate(2) to {size} page(s)"),
        effect: Effect::Removes {
            file,
            from: size as usize * upp,
            to: MAX_INDEX * upp,
        },
        privileged: false,
    }
}

/// The fallocate(2) mode of a fallocate-family operation.
fn falloc_mode(op: &Op) -> FallocMode {
    match op {
        Op::Punch { .. } => FallocMode::Punch,
        Op::ZeroRange { .. } => FallocMode::Zero,
        _ => FallocMode::Alloc,
    }
}

/// `fallocate(2)` in `mode` on pages `index..index + count` of `file`.
fn falloc(file: u8, mode: FallocMode, index: u8, count: u8, s: u8, upp: usize) -> CallSpec {
    let (flags, note, removes) = match mode {
        FallocMode::Alloc => ("0", "fallocate(2) mode 0", false),
        FallocMode::Punch => (
            "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE",
            "fallocate(2) PUNCH_HOLE|KEEP_SIZE",
            true,
        ),
        FallocMode::Zero => ("FALLOC_FL_ZERO_RANGE", "fallocate(2) ZERO_RANGE", true),
    };
    let from = index as usize * upp;
    let to = (index as usize + count as usize) * upp;
    CallSpec {
        code: format!(
            "pl_fallocate({file}, {flags}, (uint64_t){index} * G.pg, (uint64_t){count} * G.pg, {s}, PL_TASK_VERS);"
        ),
        note: format!("{note}, pages {index}..{}", index as u16 + count as u16),
        effect: if removes {
            Effect::Removes { file, from, to }
        } else {
            Effect::None
        },
        privileged: false,
    }
}

/// Comment text safe inside `//`: no trigraphs, no line continuation.
fn comment(s: &str) -> String {
    let mut t = s.replace("??", "? ?").replace('\t', " ");
    while t.ends_with('\\') || t.ends_with(' ') {
        t.pop();
    }
    t
}

/// `text` as `//` comment lines of at most 79 columns, each starting with
/// `lead` (continuations indented two more).
fn wrap(out: &mut String, lead: &str, text: &str) {
    let text = comment(text);
    if text.is_empty() {
        out.push_str("//\n");
        return;
    }
    let indent = " ".repeat(text.len() - text.trim_start().len());
    let mut line = format!("//{lead}{indent}");
    let base = line.len();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line.len() > base && line.len() + 1 + word.len() > 79 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = format!("//{lead}{indent}  ");
        } else if line.len() > base {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// A C string literal of `s`.
fn c_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => out.push('_'),
        }
    }
    out.push('"');
    out
}

struct Gen<'a> {
    cfg: &'a Config,
    ver: u32,
    task_vers: u32,
    possible: Vec<(u8, usize, usize, u32)>,
    removable: Vec<(u8, usize, usize)>,
    privileged: bool,
    frame_pages: Vec<Option<(u8, u8)>>,
}

impl Gen<'_> {
    /// One operation as indented C lines.
    fn op(&mut self, op: &Op, setup: bool, indent: &str) -> String {
        let op = op.clamped();
        let fp = self.frame_pages.clone();
        let lookup = move |f: u8| fp.get(f as usize).copied().flatten();
        let cx = OpCx {
            cfg: self.cfg,
            setup,
            ver: self.ver,
            frame_page: &lookup,
        };
        let spec = op_to_c(&op, &cx);
        self.privileged |= spec.privileged;
        match spec.effect {
            Effect::Writes { file, from, to } => {
                if !setup {
                    self.possible.push((file, from, to, self.ver));
                    self.task_vers |= 1 << self.ver;
                }
                self.ver = (self.ver + 1).min(MAX_VER);
            }
            Effect::Removes { file, from, to } if !setup => {
                self.removable.push((file, from, to));
            }
            _ => {}
        }
        format!(
            "{indent}// {}: {}\n{indent}{}\n",
            comment(&op.to_string()),
            comment(&spec.note),
            spec.code
        )
    }
}

/// The first file page each frame held in the replay of `case` (what a
/// `reclaim frameN` or `migrate frameN` is about), and the task whose
/// allocation the `alloc-fail` fault hit (`TASK_INIT` for the setup).
fn replay_facts(case: &Case) -> (Vec<Option<(u8, u8)>>, Option<u8>) {
    let mut c = case.clone();
    c.schedule = label_schedule(case);
    let out = run_case(
        &c,
        RunOptions {
            trace: true,
            ..Default::default()
        },
        &mut pagelife_core::exec::replay::NoObserver,
    );
    let mut pages = vec![None; 16];
    let mut fail_ctx = None;
    if let Some(t) = &out.trace {
        for e in &t.steps {
            for ev in &e.events {
                match *ev {
                    Event::Insert {
                        frame,
                        mapping,
                        index,
                    } => {
                        if let Some(slot) = pages.get_mut(frame as usize) {
                            if slot.is_none() {
                                *slot = Some((mapping, index));
                            }
                        }
                    }
                    Event::Note(n) if n.contains("allocation fails") && fail_ctx.is_none() => {
                        fail_ctx = Some(e.ctx);
                    }
                    _ => {}
                }
            }
        }
    }
    (pages, fail_ctx)
}

/// What the generated program needs to know of the case's faults.
struct FaultFacts {
    /// The task whose allocation the `alloc-fail` fault hit (`TASK_INIT`: the setup).
    fail_ctx: Option<u8>,
    /// The case has an `alloc-fail` fault.
    has_alloc_fail: bool,
    /// Tasks a `signal` fault kills.
    signalled: Vec<u8>,
}

impl FaultFacts {
    fn of(case: &Case, fail_ctx: Option<u8>) -> FaultFacts {
        FaultFacts {
            fail_ctx,
            has_alloc_fail: case
                .faults
                .iter()
                .any(|f| matches!(f, Fault::AllocFail { .. })),
            signalled: case
                .faults
                .iter()
                .filter_map(|f| match f {
                    Fault::Signal { task, .. } => Some(*task),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Whether task `i` arms the allocation failure.
    fn arms_alloc_fail(&self, i: usize) -> bool {
        self.fail_ctx == Some(i as u8) || (self.has_alloc_fail && self.fail_ctx.is_none() && i == 0)
    }
}

impl Gen<'_> {
    /// `pl_setup()`: the case's setup operations.
    fn setup_fn(&mut self, case: &Case, ff: &FaultFacts, body: &mut String) {
        body.push_str("// ---- the case ----\n\nstatic void pl_setup(void)\n{\n");
        let setup_fail = ff.fail_ctx == Some(TASK_INIT);
        if setup_fail {
            body.push_str("    uint64_t rs = pl_rand_state(pl_round, 1);\n    int armed = pl_alloc_fail_arm(&rs); // the model's failing allocation is the setup's\n");
        }
        for op in &case.setup {
            let s = self.op(op, true, "    ");
            body.push_str(&s);
        }
        if setup_fail {
            body.push_str("    if (armed)\n        pl_alloc_fail_disarm();\n");
        }
        if case.setup.is_empty() && !setup_fail {
            body.push_str("    // (no setup)\n");
        }
        body.push_str("}\n\n");
    }

    /// One `pl_task_N()` per task and the `pl_tasks[]` table.
    fn task_fns(&mut self, tasks: &[TaskDef], ff: &FaultFacts, body: &mut String) {
        let mut table = String::new();
        for (i, t) in tasks.iter().enumerate() {
            let _ = writeln!(
                body,
                "// task {} (cpu {})\nstatic void pl_task_{i}(uint64_t *rs)\n{{",
                comment(&t.name),
                t.cpu
            );
            if t.ops.is_empty() {
                body.push_str("    (void)rs;\n");
            }
            for op in &t.ops {
                body.push_str("    pl_jitter(rs);\n");
                let s = self.op(op, false, "    ");
                body.push_str(&s);
            }
            body.push_str("}\n\n");
            // A thread runs in its leader's process (or beside it, in the
            // main one, when the leader is a thread there too).
            let process =
                t.thread.is_none() && (ff.signalled.contains(&(i as u8)) || has_own_mm(t));
            let _ = writeln!(
                table,
                "    {{{}, pl_task_{i}, {}, {}, {}, {}}},",
                c_str(&t.name),
                process as u8,
                ff.arms_alloc_fail(i) as u8,
                t.ops.len(),
                t.thread.map_or(-1, |l| l as i32)
            );
        }
        if tasks.is_empty() {
            body.push_str(NO_TASK_FN);
            table.push_str("    {\"none\", pl_task_0, 0, 0, 0, -1},\n");
        }
        let _ = write!(
            body,
            "static const struct pl_task pl_tasks[] = {{\n{table}}};\n\n"
        );
    }

    /// The `pl_faults[]` table; returns how each fault is mapped, for the header.
    fn fault_table(&mut self, case: &Case, tasks: &[TaskDef], body: &mut String) -> Vec<String> {
        let mut faults = String::new();
        let mut notes = Vec::new();
        for f in &case.faults {
            let (row, note) = match *f {
                Fault::Signal { task, at } => signal_fault(self.cfg, tasks, task, at),
                Fault::Reclaim { frame, at } => self.reclaim_fault(frame, at),
                Fault::IoError { bio } => {
                    self.privileged = true;
                    (
                        Some(format!("    {{'i', 0, 0, 0}}, // io-error io{bio}")),
                        format!(
                            "io-error io{bio}: fail_make_request on the device when the kernel has it \
                             (dm-error/dm-flakey tables are not set up by this program)"
                        ),
                    )
                }
                Fault::AllocFail { nth } => {
                    self.privileged = true;
                    (
                        None,
                        format!(
                            "alloc-fail {nth}: fail_page_alloc/failslab for the task whose \
                             allocation the model failed, when the kernel has them"
                        ),
                    )
                }
            };
            if let Some(row) = row {
                let _ = writeln!(faults, "{row}");
            }
            notes.push(note);
        }
        if faults.is_empty() {
            faults.push_str("    {0, 0, 0, 0}, // none\n");
        }
        let _ = write!(
            body,
            "static const struct pl_fault pl_faults[] = {{\n{faults}}};\n\n"
        );
        notes
    }

    /// A `reclaim frameN` fault: the file page the frame held, or drop_caches.
    fn reclaim_fault(&mut self, frame: u8, at: u16) -> (Option<String>, String) {
        let (file, page) = match self.frame_pages.get(frame as usize).copied().flatten() {
            Some((m, i)) if (m as usize) < MAX_FILES => (m as i32, i),
            _ => {
                self.privileged = true;
                (-1, 0)
            }
        };
        (
            Some(format!(
                "    {{'r', 0, {file}, {page}}}, // reclaim frame{frame} at {at}"
            )),
            format!("reclaim frame{frame} at {at}: fadvise/MADV_PAGEOUT at a random time"),
        )
    }

    /// `pl_init_shadow()`: what the tasks may write and remove.
    fn shadow_fn(&self, body: &mut String) {
        body.push_str("static void pl_init_shadow(void)\n{\n");
        for &(file, from, to, ver) in &self.possible {
            let _ = writeln!(
                body,
                "    for (int u = {from}; u < {to} && u < PL_UNITS; u++)\n        S->possible[{file}][u] |= 1u << {ver};"
            );
        }
        for &(file, from, to) in &self.removable {
            let _ = writeln!(
                body,
                "    for (int u = {from}; u < {to} && u < PL_UNITS; u++)\n        S->removable[{file}][u] = 1;"
            );
        }
        if self.possible.is_empty() && self.removable.is_empty() {
            body.push_str("    // the tasks neither write nor remove data\n");
        }
        body.push_str("}\n");
    }
}

/// A call that writes all of page `index` of `file` (`upp` data units a page).
fn writes_page(code: String, note: String, file: u8, index: u8, upp: usize) -> CallSpec {
    CallSpec {
        code,
        note,
        effect: Effect::Writes {
            file,
            from: index as usize * upp,
            to: (index as usize + 1) * upp,
        },
        privileged: false,
    }
}

/// Whether the task maps a file or uses its anonymous memory (it then runs
/// as a process: its own mm).
fn has_own_mm(t: &TaskDef) -> bool {
    t.ops.iter().any(|o| {
        matches!(
            o,
            Op::Mmap { .. }
                | Op::AnonLoad { .. }
                | Op::AnonStore { .. }
                | Op::AnonMadvise { .. }
                | Op::DioRead { .. }
                | Op::DioWrite { .. }
        )
    })
}

/// The task function of a case without tasks (the table needs one row).
const NO_TASK_FN: &str =
    "static void pl_task_0(uint64_t *rs)\n{\n    (void)rs; // the case has no task\n}\n\n";

/// A `signal TASK at N` fault: SIGKILL while the task waits for the inode
/// lock of its first write's file (held by a userfaultfd-stalled writer).
fn signal_fault(cfg: &Config, tasks: &[TaskDef], task: u8, at: u16) -> (Option<String>, String) {
    let name = tasks
        .get(task as usize)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("task{task}"));
    let wfile = tasks
        .get(task as usize)
        .and_then(|t| {
            t.ops.iter().find_map(|op| {
                let fp = |_f: u8| None;
                let cx = OpCx {
                    cfg,
                    setup: false,
                    ver: 1,
                    frame_page: &fp,
                };
                match op_to_c(&op.clamped(), &cx).effect {
                    Effect::Writes { file, .. } => Some(file as i32),
                    _ => None,
                }
            })
        })
        .unwrap_or(-1);
    let row = ((task as usize) < tasks.len())
        .then(|| format!("    {{'k', {task}, {wfile}, 0}}, // signal {name} at {at}"));
    let note = if wfile >= 0 {
        format!(
            "signal {name} at {at}: SIGKILL of its process while it waits \
             for f{wfile}'s inode lock in its write (another thread holds \
             the lock with a write from a userfaultfd page; root), else \
             at a random time"
        )
    } else {
        format!("signal {name} at {at}: SIGKILL of its process at a random time")
    };
    (row, note)
}

/// The program's header comment: how to build and run it, what the model
/// says, how the faults are mapped, the case itself; then its `#define`s.
fn header(case: &Case, title: &str, g: &Gen<'_>, ntasks: usize, notes: &[String]) -> String {
    let cfg = case.config;
    let extent = cfg.fs != Fs::Simple;
    let bpp = if extent { cfg.file_bpp.max(1) } else { 1 };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// {}: exported by `pagelife explain --format c`.",
        comment(title)
    );
    let _ = writeln!(
        s,
        "// pagelife-c: fs={} blocks={bpp} privileged={} tasks={ntasks}",
        cfg.fs.name(),
        if g.privileged { "yes" } else { "no" },
    );
    s.push_str("//\n");
    s.push_str("// Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -o repro repro.c\n");
    s.push_str("// Run:   ./repro DIR [-r ROUNDS] [-t SECONDS] [-b BLOCKSIZE] [-f MIB|all]\n");
    s.push_str("//        (DIR on the filesystem under test; ./repro alone for help)\n");
    if extent && bpp > 1 {
        let _ = writeln!(
            s,
            "// The model's page is {bpp} blocks: make the fs with block size PAGE_SIZE/{bpp}."
        );
    }
    if cfg.fs == Fs::Gfs2 {
        s.push_str("// The model's gfs2 files are journaled data: the program sets chattr +j.\n");
    }
    if cfg.page_lock_unfairness != pagelife_core::world::PAGE_LOCK_UNFAIRNESS {
        let n = cfg.page_lock_unfairness;
        wrap(
            &mut s,
            " ",
            &format!(
                "The case sets vm.page_lock_unfairness={n}: as root, \
                 `sysctl -w vm.page_lock_unfairness={n}` first (v5.9 and later)."
            ),
        );
    }
    model_says(case, &mut s);
    s.push_str("//\n// Mapped as follows; the model's schedule is not imposed: each task\n// runs freely with random delays, the faults come at random times.\n");
    for n in notes {
        wrap(&mut s, "   ", n);
    }
    s.push_str("//\n// The case:\n");
    let text = super::litmus_text(case, Some(title));
    for l in text.lines() {
        if l.trim().is_empty() {
            s.push_str("//\n");
        } else {
            wrap(&mut s, "   ", l);
        }
    }
    s.push('\n');
    let _ = writeln!(s, "#define PL_CASE {}", c_str(title));
    let _ = writeln!(s, "#define PL_NFILES {MAX_FILES}");
    let _ = writeln!(s, "#define PL_MAX_TASKS {MAX_TASKS}");
    let _ = writeln!(s, "#define PL_UNITS {}", MAX_INDEX * cfg.upp(0));
    let _ = writeln!(s, "#define PL_BPP {bpp}");
    let _ = writeln!(s, "#define PL_EXTENT {}", extent as u8);
    let _ = writeln!(s, "#define PL_JDATA {}", (cfg.fs == Fs::Gfs2) as u8);
    let _ = writeln!(s, "#define PL_TASK_VERS 0x{:08x}u", g.task_vers);
    s.push('\n');
    s
}

/// "What the model says": the findings of a replay on the case's own profile.
fn model_says(case: &Case, s: &mut String) {
    s.push_str("//\n// What the model says (replay on the case's own profile):\n");
    let mut lc = case.clone();
    lc.schedule = label_schedule(case);
    let out = pagelife_core::exec::replay::replay(&lc);
    if out.findings.is_empty() {
        s.push_str("//   nothing fires\n");
    }
    for f in out.findings.iter() {
        wrap(s, "   ", &finding_line(&lc, f));
    }
}

/// The C program for `case`, titled `title`.
pub fn c_program(case: &Case, title: &str) -> String {
    let (frame_pages, fail_ctx) = replay_facts(case);
    let mut g = Gen {
        cfg: &case.config,
        ver: 1,
        task_vers: 0,
        possible: Vec::new(),
        removable: Vec::new(),
        privileged: false,
        frame_pages,
    };
    let ff = FaultFacts::of(case, fail_ctx);
    let tasks = &case.tasks[..case.tasks.len().min(MAX_TASKS)];
    // The case-specific code (generated first: it decides the header's facts).
    let mut body = String::new();
    g.setup_fn(case, &ff, &mut body);
    g.task_fns(tasks, &ff, &mut body);
    let notes = g.fault_table(case, tasks, &mut body);
    g.shadow_fn(&mut body);
    let mut s = header(case, title, &g, tasks.len(), &notes);
    s.push_str(HEAD);
    s.push_str(&body);
    s.push_str(MAIN);
    s
}
