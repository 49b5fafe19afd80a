//! A case: a profile, a machine configuration, setup operations, a few tasks
//! (each a list of operations), a schedule and faults.
//!
//! Operations are the entry points a user (or a kernel thread) calls: the
//! syscalls and background jobs whose kernel paths the model has.

use std::fmt;

use crate::profile::Profile;
use crate::step::StepId;
use crate::world::{Config, CtxId, MAX_FILES, MAX_FRAMES, MAX_INDEX, MAX_TASKS};

/// One operation a task performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `pwrite()` of one page: `generic_perform_write()`.
    Write {
        /// File (0..MAX_FILES).
        file: u8,
        /// Page index.
        index: u8,
    },
    /// `pread()` of one page: `filemap_read()`.
    Read {
        /// File.
        file: u8,
        /// Page index.
        index: u8,
    },
    /// Writeback of a file or of the block device: `filemap_fdatawrite_wbc()`
    /// → `write_cache_pages()` (WB_SYNC_NONE as the flusher does, or WB_SYNC_ALL).
    Writeback {
        /// File, or [`crate::world::BDEV`].
        file: u8,
        /// WB_SYNC_ALL when true.
        all: bool,
    },
    /// `fsync()`: `file_write_and_wait_range()` (on the block device: `sync_blockdev()`).
    Fsync {
        /// File, or [`crate::world::BDEV`].
        file: u8,
    },
    /// `sync()`: every file and the block device.
    Sync,
    /// `truncate()` to `size` pages.
    Truncate {
        /// File.
        file: u8,
        /// New size in pages.
        size: u8,
    },
    /// Reclaim of the folio in one frame (`shrink_folio_list()`).
    Reclaim {
        /// The frame.
        frame: u8,
    },
    /// A metadata user of the block device: look a buffer head up, modify
    /// `b_data` under its own lock only (as a filesystem updates a bitmap, or
    /// jbd2 copies metadata), `mark_buffer_dirty()`, `brelse()`.
    BhWrite {
        /// Block number on the device.
        block: u8,
        /// `bdev_getblk()` (create the buffer if missing) instead of `__find_get_block()`.
        getblk: bool,
        /// The user marks the buffer BH_Meta (ext4's `__ext4_handle_dirty_metadata()`).
        meta: bool,
        /// Use `__find_get_block_nonatomic()` (the sleeping lookup, 2814a7d3d2ff).
        nonatomic: bool,
    },
    /// Migration of the folio in one frame (`migrate_pages()`, as compaction
    /// or an `lru_cache_disable()` caller such as CMA does).
    Migrate {
        /// The frame.
        frame: u8,
    },
    /// `pwrite()` of data units `unit..unit+len` (on the simple filesystem a
    /// unit is a page; on an extent-mapped one a block has two units, so a
    /// write can end inside a block): `generic_perform_write()`, or
    /// `iomap_file_buffered_write()`, or ext4's `ext4_da_write_begin()` path.
    Pwrite {
        /// File.
        file: u8,
        /// First data unit.
        unit: u8,
        /// Units (1..).
        len: u8,
    },
    /// `fallocate(2)` on pages `index..index+count`: preallocate
    /// (`xfs_alloc_file_space()`, `ext4_alloc_file_blocks()`), punch a hole
    /// (`xfs_free_file_space()`), or zero the range.
    Falloc {
        /// File.
        file: u8,
        /// Which fallocate.
        mode: FallocMode,
        /// First page.
        index: u8,
        /// Pages (1..).
        count: u8,
    },
    /// A write fault on a shared mapping of page `index`: fault the page in,
    /// `->page_mkwrite()` (`ext4_page_mkwrite()`, `iomap_page_mkwrite()`,
    /// `block_page_mkwrite()`), the user's store, dirty, unlock.
    Mkwrite {
        /// File.
        file: u8,
        /// Page index.
        index: u8,
    },
}

/// The fallocate modes the model has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FallocMode {
    /// Plain preallocation (mode 0): unwritten extents, `i_size` extended.
    Alloc,
    /// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`.
    Punch,
    /// `FALLOC_FL_ZERO_RANGE`: punch, then preallocate unwritten.
    Zero,
}

impl FallocMode {
    /// The litmus keyword.
    pub fn name(self) -> &'static str {
        match self {
            FallocMode::Alloc => "fallocate",
            FallocMode::Punch => "punch",
            FallocMode::Zero => "zero-range",
        }
    }
}

impl Op {
    /// Clamp arguments into range (decoded and parsed ops always are).
    pub fn clamped(self) -> Op {
        let f = |x: u8| x % MAX_FILES as u8;
        // Writeback and fsync also take the block device.
        let m = |x: u8| x % crate::world::MAX_MAPPINGS as u8;
        let i = |x: u8| x % MAX_INDEX as u8;
        match self {
            Op::Write { file, index } => Op::Write {
                file: f(file),
                index: i(index),
            },
            Op::Read { file, index } => Op::Read {
                file: f(file),
                index: i(index),
            },
            Op::Writeback { file, all } => Op::Writeback { file: m(file), all },
            Op::Fsync { file } => Op::Fsync { file: m(file) },
            Op::Sync => Op::Sync,
            Op::Truncate { file, size } => Op::Truncate {
                file: f(file),
                size: size % (MAX_INDEX as u8 + 1),
            },
            Op::Reclaim { frame } => Op::Reclaim {
                frame: frame % MAX_FRAMES as u8,
            },
            Op::BhWrite {
                block,
                getblk,
                meta,
                nonatomic,
            } => Op::BhWrite {
                block: block % crate::world::MAX_LBLK as u8,
                getblk,
                meta,
                nonatomic,
            },
            Op::Migrate { frame } => Op::Migrate {
                frame: frame % MAX_FRAMES as u8,
            },
            Op::Pwrite { file, unit, len } => {
                let units = crate::world::MAX_LBLK as u8;
                let unit = unit % units;
                Op::Pwrite {
                    file: f(file),
                    unit,
                    len: len.clamp(1, units - unit),
                }
            }
            Op::Falloc {
                file,
                mode,
                index,
                count,
            } => {
                let index = i(index);
                Op::Falloc {
                    file: f(file),
                    mode,
                    index,
                    count: count.clamp(1, MAX_INDEX as u8 - index),
                }
            }
            Op::Mkwrite { file, index } => Op::Mkwrite {
                file: f(file),
                index: i(index),
            },
        }
    }
}

/// A file's name in litmus files: `f0`..`f2`, or `bdev`.
pub fn file_name(file: u8) -> String {
    if file == crate::world::BDEV {
        "bdev".into()
    } else {
        format!("f{file}")
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Write { file, index } => write!(f, "write f{file} {index}"),
            Op::Read { file, index } => write!(f, "read f{file} {index}"),
            Op::Writeback { file, all } => {
                write!(
                    f,
                    "writeback {} {}",
                    file_name(file),
                    if all { "all" } else { "none" }
                )
            }
            Op::Fsync { file } => write!(f, "fsync {}", file_name(file)),
            Op::Sync => write!(f, "sync"),
            Op::Truncate { file, size } => write!(f, "truncate f{file} {size}"),
            Op::Reclaim { frame } => write!(f, "reclaim frame{frame}"),
            Op::BhWrite {
                block,
                getblk,
                meta,
                nonatomic,
            } => {
                write!(f, "bh-write {block}")?;
                for (on, w) in [
                    (getblk, " getblk"),
                    (meta, " meta"),
                    (nonatomic, " nonatomic"),
                ] {
                    if on {
                        f.write_str(w)?;
                    }
                }
                Ok(())
            }
            Op::Migrate { frame } => write!(f, "migrate frame{frame}"),
            Op::Pwrite { file, unit, len } => write!(f, "pwrite f{file} {unit} {len}"),
            Op::Falloc {
                file,
                mode,
                index,
                count,
            } => write!(f, "{} f{file} {index} {count}", mode.name()),
            Op::Mkwrite { file, index } => write!(f, "mkwrite f{file} {index}"),
        }
    }
}

/// A task: a name, the CPU it runs on, its operations in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskDef {
    /// Its name in litmus files and tables (`A`, `T`, `CPU2`…).
    pub name: String,
    /// The CPU it runs on (per-CPU state such as the bh LRU).
    pub cpu: u8,
    /// What it does.
    pub ops: Vec<Op>,
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
