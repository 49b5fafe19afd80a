//! A finding as a C program that performs the case on a real kernel
//! (`pagelife explain FILE --format c`): C11 and pthreads, libc only.
//!
//! The program takes a directory at run time (on the filesystem under
//! test), creates the case's files there (`pl-f0`..`pl-f2`), runs the
//! setup, then each task as a thread — as a process when the case sends it a
//! fatal signal — with random delays before each operation, for N rounds.
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

use pagelife_core::case::{Case, Fault, Op};
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

/// THE mapping from the model's operations to syscalls (through the C
/// runtime's helpers in `c_head.c`). Everything else in the exporter is
/// generic: a new operation, or a split one, is a new arm here.
pub fn op_to_c(op: &Op, cx: &OpCx<'_>) -> CallSpec {
    let s = cx.setup as u8;
    let upp = |file: u8| cx.cfg.upp(file);
    let fd = |file: u8| -> i32 {
        if file == BDEV || file as usize >= MAX_FILES {
            -1
        } else {
            file as i32
        }
    };
    let plain = |code: String, note: &str| CallSpec {
        code,
        note: note.to_string(),
        effect: Effect::None,
        privileged: false,
    };
    match *op {
        Op::Write { file, index } => CallSpec {
            code: format!(
                "pl_pwrite({file}, (uint64_t){index} * G.pg, G.pg, {}, {s});",
                cx.ver
            ),
            note: format!("pwrite(2) of page {index}"),
            effect: Effect::Writes {
                file,
                from: index as usize * upp(file),
                to: (index as usize + 1) * upp(file),
            },
            privileged: false,
        },
        Op::Pwrite { file, unit, len } => CallSpec {
            code: format!(
                "pl_pwrite({file}, (uint64_t){unit} * G.unit, (size_t){len} * G.unit, {}, {s});",
                cx.ver
            ),
            note: format!("pwrite(2) of data units {unit}..{}", unit as u16 + len as u16),
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
        Op::Truncate { file, size } => CallSpec {
            code: format!("pl_truncate({file}, (uint64_t){size} * G.pg, {s}, PL_TASK_VERS);"),
            note: format!("ftruncate(2) to {size} page(s)"),
            effect: Effect::Removes {
                file,
                from: size as usize * upp(file),
                to: MAX_INDEX * upp(file),
            },
            privileged: false,
        },
        Op::Fallocate { file, index, count } => falloc(file, FallocMode::Alloc, index, count, s, upp(file)),
        Op::Punch { file, index, count } => falloc(file, FallocMode::Punch, index, count, s, upp(file)),
        Op::ZeroRange { file, index, count } => falloc(file, FallocMode::Zero, index, count, s, upp(file)),
        Op::Evict { file } => plain(
            format!("(void)0; /* evict f{file} */"),
            "the last iput() of an unlinked file: the reproducer keeps its files open, so \
             eviction is not reproduced here (skipped)",
        ),
        Op::Mkwrite { file, index } => CallSpec {
            code: format!(
                "pl_mkwrite({file}, (uint64_t){index} * G.pg, G.pg, {});",
                cx.ver
            ),
            note: format!("mmap(MAP_SHARED) and a store to page {index} (a write fault)"),
            effect: Effect::Writes {
                file,
                from: index as usize * upp(file),
                to: (index as usize + 1) * upp(file),
            },
            privileged: false,
        },
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

/// The C program for `case`, titled `title`.
pub fn c_program(case: &Case, title: &str) -> String {
    let cfg = &case.config;
    let (frame_pages, fail_ctx) = replay_facts(case);
    let mut g = Gen {
        cfg,
        ver: 1,
        task_vers: 0,
        possible: Vec::new(),
        removable: Vec::new(),
        privileged: false,
        frame_pages,
    };
    let extent = cfg.fs != Fs::Simple;
    let bpp = if extent { cfg.file_bpp.max(1) } else { 1 };
    let upp = cfg.upp(0);
    let has_alloc_fail = case
        .faults
        .iter()
        .any(|f| matches!(f, Fault::AllocFail { .. }));
    let signalled: Vec<u8> = case
        .faults
        .iter()
        .filter_map(|f| match f {
            Fault::Signal { task, .. } => Some(*task),
            _ => None,
        })
        .collect();

    // The case-specific code (generated first: it decides the header's facts).
    let mut body = String::new();
    body.push_str("// ---- the case ----\n\nstatic void pl_setup(void)\n{\n");
    let setup_fail = fail_ctx == Some(TASK_INIT);
    if setup_fail {
        body.push_str("    uint64_t rs = pl_rand_state(pl_round, 1);\n    int armed = pl_alloc_fail_arm(&rs); // the model's failing allocation is the setup's\n");
    }
    let setup: Vec<Op> = case.setup.clone();
    for op in &setup {
        let s = g.op(op, true, "    ");
        body.push_str(&s);
    }
    if setup_fail {
        body.push_str("    if (armed)\n        pl_alloc_fail_disarm();\n");
    }
    if setup.is_empty() && !setup_fail {
        body.push_str("    // (no setup)\n");
    }
    body.push_str("}\n\n");
    let mut tasks = case.tasks.clone();
    tasks.truncate(MAX_TASKS);
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
            let s = g.op(op, false, "    ");
            body.push_str(&s);
        }
        body.push_str("}\n\n");
        let _ = writeln!(
            table,
            "    {{{}, pl_task_{i}, {}, {}, {}}},",
            c_str(&t.name),
            signalled.contains(&(i as u8)) as u8,
            (fail_ctx == Some(i as u8) || (has_alloc_fail && fail_ctx.is_none() && i == 0)) as u8,
            t.ops.len()
        );
    }
    if tasks.is_empty() {
        body.push_str(
            "static void pl_task_0(uint64_t *rs)\n{\n    (void)rs; // the case has no task\n}\n\n",
        );
        table.push_str("    {\"none\", pl_task_0, 0, 0, 0},\n");
    }
    let _ = write!(
        body,
        "static const struct pl_task pl_tasks[] = {{\n{table}}};\n\n"
    );

    // Faults.
    let mut faults = String::new();
    let mut fault_notes = Vec::new();
    for f in &case.faults {
        match *f {
            Fault::Signal { task, at } => {
                let name = tasks
                    .get(task as usize)
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| format!("task{task}"));
                // The file of the task's first write: its inode lock is
                // held so that the signal finds the task blocked in it.
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
                if (task as usize) < tasks.len() {
                    let _ = writeln!(
                        faults,
                        "    {{'k', {task}, {wfile}, 0}}, // signal {name} at {at}"
                    );
                }
                fault_notes.push(if wfile >= 0 {
                    format!(
                        "signal {name} at {at}: SIGKILL of its process while it waits \
                         for f{wfile}'s inode lock in its write (another thread holds \
                         the lock with a write from a userfaultfd page; root), else \
                         at a random time"
                    )
                } else {
                    format!("signal {name} at {at}: SIGKILL of its process at a random time")
                });
            }
            Fault::Reclaim { frame, at } => {
                let (file, page) = match g.frame_pages.get(frame as usize).copied().flatten() {
                    Some((m, i)) if (m as usize) < MAX_FILES => (m as i32, i),
                    _ => {
                        g.privileged = true;
                        (-1, 0)
                    }
                };
                let _ = writeln!(
                    faults,
                    "    {{'r', 0, {file}, {page}}}, // reclaim frame{frame} at {at}"
                );
                fault_notes.push(format!(
                    "reclaim frame{frame} at {at}: fadvise/MADV_PAGEOUT at a random time"
                ));
            }
            Fault::IoError { bio } => {
                g.privileged = true;
                let _ = writeln!(faults, "    {{'i', 0, 0, 0}}, // io-error io{bio}");
                fault_notes.push(format!(
                    "io-error io{bio}: fail_make_request on the device when the kernel has it \
                     (dm-error/dm-flakey tables are not set up by this program)"
                ));
            }
            Fault::AllocFail { nth } => {
                g.privileged = true;
                fault_notes.push(format!(
                    "alloc-fail {nth}: fail_page_alloc/failslab for the task whose \
                     allocation the model failed, when the kernel has them"
                ));
            }
        }
    }
    if faults.is_empty() {
        faults.push_str("    {0, 0, 0, 0}, // none\n");
    }
    let _ = write!(
        body,
        "static const struct pl_fault pl_faults[] = {{\n{faults}}};\n\n"
    );

    // The static shadow: what the tasks may write and remove.
    body.push_str("static void pl_init_shadow(void)\n{\n");
    for &(file, from, to, ver) in &g.possible {
        let _ = writeln!(
            body,
            "    for (int u = {from}; u < {to} && u < PL_UNITS; u++)\n        S->possible[{file}][u] |= 1u << {ver};"
        );
    }
    for &(file, from, to) in &g.removable {
        let _ = writeln!(
            body,
            "    for (int u = {from}; u < {to} && u < PL_UNITS; u++)\n        S->removable[{file}][u] = 1;"
        );
    }
    if g.possible.is_empty() && g.removable.is_empty() {
        body.push_str("    // the tasks neither write nor remove data\n");
    }
    body.push_str("}\n");

    // The header.
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// {}: exported by `pagelife explain --format c`.",
        comment(title)
    );
    let _ = writeln!(
        s,
        "// pagelife-c: fs={} blocks={bpp} privileged={} tasks={}",
        cfg.fs.name(),
        if g.privileged { "yes" } else { "no" },
        tasks.len()
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
    s.push_str("//\n// What the model says (replay on the case's own profile):\n");
    let mut lc = case.clone();
    lc.schedule = label_schedule(case);
    let out = pagelife_core::exec::replay::replay(&lc);
    if out.findings.is_empty() {
        s.push_str("//   nothing fires\n");
    }
    for f in out.findings.iter() {
        wrap(&mut s, "   ", &finding_line(&lc, f));
    }
    s.push_str("//\n// Mapped as follows; the model's schedule is not imposed: each task\n// runs freely with random delays, the faults come at random times.\n");
    for n in &fault_notes {
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
    let _ = writeln!(s, "#define PL_UNITS {}", MAX_INDEX * upp);
    let _ = writeln!(s, "#define PL_BPP {bpp}");
    let _ = writeln!(s, "#define PL_EXTENT {}", extent as u8);
    let _ = writeln!(s, "#define PL_JDATA {}", (cfg.fs == Fs::Gfs2) as u8);
    let _ = writeln!(s, "#define PL_TASK_VERS 0x{:08x}u", g.task_vers);
    s.push('\n');
    s.push_str(HEAD);
    s.push_str(&body);
    s.push_str(MAIN);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use pagelife_core::case::TaskDef;
    use pagelife_core::litmus;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn corpus() -> Vec<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/litmus");
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("corpus/litmus exists")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "litmus"))
            .collect();
        v.sort();
        v
    }

    fn program(p: &Path) -> String {
        let text = std::fs::read_to_string(p).expect("readable litmus");
        let l = litmus::parse(&text, &p.display().to_string()).expect("corpus parses");
        c_program(&l.case, l.title.as_deref().unwrap_or("case"))
    }

    fn gcc() -> bool {
        Command::new("gcc").arg("--version").output().is_ok()
    }

    #[test]
    fn every_corpus_case_compiles() {
        if !gcc() {
            eprintln!("gcc not found: skipped");
            return;
        }
        let tmp = std::env::temp_dir().join(format!("pagelife-c-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).expect("temp dir");
        for p in corpus() {
            let src = tmp.join("t.c");
            std::fs::write(&src, program(&p)).expect("write");
            let out = Command::new("gcc")
                .args([
                    "-std=c11",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    "-pthread",
                    "-fsyntax-only",
                ])
                .arg(&src)
                .output()
                .expect("gcc runs");
            assert!(
                out.status.success(),
                "{}: {}",
                p.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn the_checker_passes_its_self_test() {
        if !gcc() {
            eprintln!("gcc not found: skipped");
            return;
        }
        let tmp = std::env::temp_dir().join(format!("pagelife-cself-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).expect("temp dir");
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/litmus/case4-xfs-punch-vs-mkwrite.litmus");
        let src = tmp.join("t.c");
        std::fs::write(&src, program(&p)).expect("write");
        let bin = tmp.join("t");
        let out = Command::new("gcc")
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pthread", "-o"])
            .arg(&bin)
            .arg(&src)
            .output()
            .expect("gcc runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run = Command::new(&bin)
            .arg("--self-test")
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "{text}");
        assert!(text.contains("self-test: ok"), "{text}");
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn the_header_line_names_fs_and_geometry() {
        let c = program(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../corpus/litmus/case5-gfs2-page-done.litmus"),
        );
        assert!(
            c.contains("// pagelife-c: fs=gfs2 blocks=2 privileged="),
            "{}",
            &c[..400]
        );
        for line in c.lines().take_while(|l| l.starts_with("//")) {
            assert!(line.chars().count() <= 80, "long header line: {line}");
        }
    }

    fn one(op: Op, fs: Fs) -> CallSpec {
        let cfg = Config {
            fs,
            ..Default::default()
        };
        let fp = |_f: u8| Some((1u8, 2u8));
        op_to_c(
            &op,
            &OpCx {
                cfg: &cfg,
                setup: false,
                ver: 3,
                frame_page: &fp,
            },
        )
    }

    #[test]
    fn each_op_maps_to_its_syscall() {
        let x = Fs::Xfs;
        let cases: Vec<(Op, &str)> = vec![
            (
                Op::Write { file: 0, index: 1 },
                "pl_pwrite(0, (uint64_t)1 * G.pg, G.pg, 3",
            ),
            (
                Op::Pwrite {
                    file: 1,
                    unit: 1,
                    len: 2,
                },
                "pl_pwrite(1, (uint64_t)1 * G.unit, (size_t)2 * G.unit, 3",
            ),
            (
                Op::Read { file: 2, index: 0 },
                "pl_pread(2, (uint64_t)0 * G.pg",
            ),
            (Op::Writeback { file: 0, all: true }, "pl_writeback(0, 1)"),
            (
                Op::Writeback {
                    file: BDEV,
                    all: false,
                },
                "pl_writeback(-1, 0)",
            ),
            (Op::Fsync { file: 1 }, "pl_fsync(1)"),
            (Op::Sync {}, "sync();"),
            (
                Op::Truncate { file: 0, size: 2 },
                "pl_truncate(0, (uint64_t)2 * G.pg",
            ),
            (
                Op::Fallocate {
                    file: 0,
                    index: 0,
                    count: 1,
                },
                "pl_fallocate(0, 0,",
            ),
            (
                Op::Punch {
                    file: 0,
                    index: 1,
                    count: 1,
                },
                "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE",
            ),
            (
                Op::ZeroRange {
                    file: 0,
                    index: 1,
                    count: 1,
                },
                "FALLOC_FL_ZERO_RANGE",
            ),
            (
                Op::Mkwrite { file: 0, index: 3 },
                "pl_mkwrite(0, (uint64_t)3 * G.pg, G.pg, 3)",
            ),
            (
                Op::Reclaim { frame: 0 },
                "pl_reclaim(1, (uint64_t)2 * G.pg, G.pg)",
            ),
            (Op::Migrate { frame: 0 }, "pl_migrate(1, (uint64_t)2 * G.pg"),
            (
                Op::BhWrite {
                    block: 0,
                    getblk: true,
                    meta: false,
                    nonatomic: false,
                },
                "pl_bh_write(0)",
            ),
        ];
        for (op, want) in cases {
            let s = one(op, x);
            assert!(
                s.code.contains(want),
                "{op}: {} does not contain {want}",
                s.code
            );
            assert!(!s.note.is_empty(), "{op}: no note");
        }
        // Effects in model units: on XFS a page is 2 units.
        assert_eq!(
            one(Op::Write { file: 0, index: 1 }, x).effect,
            Effect::Writes {
                file: 0,
                from: 2,
                to: 4
            }
        );
        assert_eq!(
            one(Op::Truncate { file: 0, size: 1 }, x).effect,
            Effect::Removes {
                file: 0,
                from: 2,
                to: MAX_INDEX * 2
            }
        );
        assert_eq!(
            one(Op::Write { file: 0, index: 1 }, Fs::Simple).effect,
            Effect::Writes {
                file: 0,
                from: 1,
                to: 2
            }
        );
        assert!(one(Op::Migrate { frame: 0 }, x).privileged);
    }

    #[test]
    fn a_signalled_task_is_a_process_and_alloc_fail_is_armed() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/litmus/gfs2-short-write-stale-alloc.litmus");
        let c = program(&p);
        assert!(c.contains("pl_alloc_fail_arm"), "alloc-fail not mapped");
        assert!(c.contains("privileged=yes"));
        let mut case = Case::default();
        case.tasks.push(TaskDef {
            name: "K".into(),
            cpu: 0,
            ops: vec![Op::Sync {}],
        });
        case.faults.push(Fault::Signal { task: 0, at: 3 });
        let c = c_program(&case, "sig");
        assert!(
            c.contains("{\"K\", pl_task_0, 1, 0, 1}"),
            "task K is not a process"
        );
        assert!(c.contains("{'k', 0, -1, 0}"), "no write: no lock hold");
    }
}
