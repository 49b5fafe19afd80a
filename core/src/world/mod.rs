//! The state of the modelled machine: frames, mappings, waitqueues, bios,
//! the disk, the shadow model, locks and per-task scheduling state.
//!
//! Everything is a fixed-size array: a run allocates nothing, and a whole
//! world is a few kilobytes that `check` can clone and hash.

pub mod bh;
pub mod bio;
pub mod disk;
pub mod extent;
pub mod frame;
pub mod journal;
pub mod lock;
pub mod mapping;
pub mod pgtable;
pub mod shadow;
pub mod tlb;
pub mod waitqueue;

use std::hash::{Hash, Hasher};

use crate::oracle::{Finding, Findings, OracleId};
use crate::profile::{Toggle, Toggles};
use crate::trace::{Event, EventBuf};

pub use bh::{bs, BhRef, BufferHead, BH_LRU_SIZE, MAX_BH, NO_BH};
pub use bio::{Bio, BioKind, IOEND_SHARED_SHIFT, MAX_BIOS};
pub use disk::{token, Disk};
pub use extent::{
    es, ext, BlockAlloc, Extent, FsInode, DATA_BLOCKS, FILE_LBLKS, MAX_FILE_BPP, NO_PBLK, UPB,
};
pub use frame::MAX_BLOCKS;
pub use frame::{pg, FolioRef, Frame, FrameId, NO_FRAME, NO_MAPPING};
pub use journal::{Jlist, Journal, JournalHead};
pub use lock::{LockId, LockState, NLOCKS, NO_OWNER};
pub use mapping::{istate, mark, Mapping, Slot, MAX_INDEX};
pub use pgtable::{
    anon_slot, cow_index, pte, pte_slot, AnonPromise, MmStruct, PinnedPage, Pte, ANON, NPTE,
};
pub use shadow::Shadow;
pub use tlb::Tlb;
pub use waitqueue::{wq, WaitEntry, WaitQueues, MAX_BUCKETS};

/// [`World::fork_child`] of a task that has no child.
pub const NO_CHILD: u8 = u8::MAX;

/// Most frames a case can have.
pub const MAX_FRAMES: usize = 8;
/// Files (mappings) in the model: `f0`, `f1`, `f2`.
pub const MAX_FILES: usize = 3;
/// The block device's mapping (`bdev->bd_mapping`): metadata blocks with buffer heads.
pub const BDEV: u8 = 3;
/// Mappings: the files, then the block device.
pub const MAX_MAPPINGS: usize = 4;
/// Logical blocks per mapping (pages × blocks per page).
pub const MAX_LBLK: usize = MAX_INDEX * MAX_BLOCKS;
/// CPUs (each has a bh LRU).
pub const NCPUS: usize = 4;
/// Tasks a case can declare.
pub const MAX_TASKS: usize = 4;
/// The context that runs a case's `setup:` operations.
pub const TASK_INIT: u8 = 4;
/// The context that runs the final sync once the world is quiet.
pub const TASK_SYNC: u8 = 5;
/// The context that runs injected reclaim (`kswapd`).
pub const TASK_KSWAPD: u8 = 6;
/// Task slots: user tasks, then init, sync, kswapd.
pub const NTASK_SLOTS: usize = 7;
/// The context id of bio 0; bio `k` is `BIO_CTX0 + k`.
pub const BIO_CTX0: u8 = NTASK_SLOTS as u8;
/// All contexts: task slots then bios.
pub const MAX_CTX: usize = NTASK_SLOTS + MAX_BIOS;

/// A context: a task slot (`0..NTASK_SLOTS`) or a bio (`BIO_CTX0..`).
pub type CtxId = u8;

/// The name of a context as litmus files and tables show it.
pub fn ctx_name(ctx: CtxId, task_names: &[String]) -> String {
    match ctx {
        c if (c as usize) < MAX_TASKS => task_names
            .get(c as usize)
            .cloned()
            .unwrap_or_else(|| format!("T{c}")),
        TASK_INIT => "init".into(),
        TASK_SYNC => "umount".into(),
        TASK_KSWAPD => "kswapd".into(),
        c => format!("io{}", c - BIO_CTX0),
    }
}

/// Scheduling state of one task slot that the kernel keeps in `task_struct`
/// and on the task's stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TaskSched {
    /// The task's page wait entry.
    pub wait: WaitEntry,
    /// Task state is TASK_RUNNING again (`try_to_wake_up()` ran since
    /// `set_current_state()`).
    pub woken: bool,
    /// A fatal signal is pending (SIGKILL).
    pub fatal: bool,
    /// The current sleep is TASK_KILLABLE.
    pub killable: bool,
    /// Spinlocks held (preemption disabled): sleeping now is a bug.
    pub spin_held: u8,
    /// The data the task's direct-I/O read in flight brought in (its DMA
    /// writes it here too, for the read's return to promise; the bio on
    /// the task's stack).
    pub dio: [u32; frame::MAX_BLOCKS],
}

/// The filesystem the case's files live on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Fs {
    /// A simple block-mapped filesystem (ext2-like, `block_write_begin()`
    /// and `generic_perform_write()`): one fixed block per page, no extent
    /// map. What Cases 1–3 need.
    #[default]
    Simple,
    /// XFS through iomap: delalloc at write, unwritten extents, the
    /// `->iomap_valid()` cookie and the writeback mapping cache (Case 4A/4B).
    Xfs,
    /// ext4 with delalloc through buffer heads: the extent-status cache,
    /// `i_data_sem`, `ext4_da_map_blocks()`, `ext4_page_mkwrite()` (Case 4C).
    Ext4,
    /// gfs2 journaled data through iomap with buffer heads: `page_prepare` /
    /// `page_done` (Case 5).
    Gfs2,
}

impl Fs {
    /// Every filesystem, in encoding order.
    pub const ALL: [Fs; 4] = [Fs::Simple, Fs::Xfs, Fs::Ext4, Fs::Gfs2];

    /// Its name in litmus files.
    pub fn name(self) -> &'static str {
        match self {
            Fs::Simple => "simple",
            Fs::Xfs => "xfs",
            Fs::Ext4 => "ext4",
            Fs::Gfs2 => "gfs2",
        }
    }

    /// Look a filesystem up by name.
    pub fn named(s: &str) -> Option<Fs> {
        Fs::ALL.iter().copied().find(|f| f.name() == s)
    }
}

/// Fixed parameters of a world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// Frames available (1..=MAX_FRAMES).
    pub frames: u8,
    /// Hashed waitqueue buckets (1..=MAX_BUCKETS).
    pub wq_buckets: u8,
    /// Buffer heads per block-device page (1, 2 or 4: block size below page size).
    pub bh_per_page: u8,
    /// The filesystem of `f0`..`f2`.
    pub fs: Fs,
    /// Blocks per file page on an extent-mapped filesystem (1 or 2: block
    /// size below page size); the simple filesystem always has 1.
    pub file_bpp: u8,
    /// `vm.page_lock_unfairness` (mm/filemap.c `sysctl_page_lock_unfairness`,
    /// 5ef64cc8987a; default 5): how often an EXCLUSIVE waiter of a folio
    /// lock retakes the lock itself before asking for a handoff. Also the
    /// bound of the `page-lock-starved` oracle, on every release.
    pub page_lock_unfairness: u8,
}

/// The default of `vm.page_lock_unfairness` (`sysctl_page_lock_unfairness = 5`).
pub const PAGE_LOCK_UNFAIRNESS: u8 = 5;

/// The largest `vm.page_lock_unfairness` a case can set (three bits in the codec).
pub const MAX_PAGE_LOCK_UNFAIRNESS: u8 = 7;

impl Default for Config {
    fn default() -> Self {
        Config {
            frames: 4,
            wq_buckets: 1,
            bh_per_page: 1,
            fs: Fs::Simple,
            file_bpp: 1,
            page_lock_unfairness: PAGE_LOCK_UNFAIRNESS,
        }
    }
}

impl Config {
    /// Blocks per page of mapping `m`.
    #[inline]
    pub fn bpp(&self, m: u8) -> usize {
        if m == BDEV {
            (self.bh_per_page as usize).clamp(1, MAX_BLOCKS)
        } else if self.fs == Fs::Simple {
            1
        } else {
            (self.file_bpp as usize).clamp(1, MAX_FILE_BPP)
        }
    }

    /// Data units per page of mapping `m`: one per block, except on an
    /// extent-mapped filesystem, whose blocks have [`UPB`] units each.
    #[inline]
    pub fn upp(&self, m: u8) -> usize {
        if self.extent_mapped(m) {
            self.bpp(m) * UPB
        } else {
            self.bpp(m)
        }
    }

    /// Whether mapping `m` is a file with an extent map (not the simple
    /// filesystem, not the block device).
    #[inline]
    pub fn extent_mapped(&self, m: u8) -> bool {
        m != BDEV && (m as usize) < MAX_FILES && self.fs != Fs::Simple
    }
}

/// The whole modelled machine.
#[derive(Clone, Debug)]
pub struct World {
    /// Fixed parameters.
    pub cfg: Config,
    /// The fixes in force.
    pub toggles: Toggles,
    /// Physical frames.
    pub frames: [Frame; MAX_FRAMES],
    /// The allocator's free list, LIFO: the most recently freed frame is reused first.
    pub free_list: [FrameId; MAX_FRAMES],
    /// Entries in use in `free_list`.
    pub free_len: u8,
    /// Files, then the block device.
    pub mappings: [Mapping; MAX_MAPPINGS],
    /// The filesystem-private inode of each file (extent map, ext4 caches).
    pub inodes: [FsInode; MAX_FILES],
    /// The disk's data-block allocator (extent-mapped filesystems).
    pub balloc: BlockAlloc,
    /// Buffer heads.
    pub bhs: [BufferHead; MAX_BH],
    /// Per-CPU bh LRUs (`bh_lrus`): each slot holds a `b_count` reference.
    pub bh_lru: [[BhRef; BH_LRU_SIZE]; NCPUS],
    /// `lru_cache_disable()` callers in progress (migration, 8cc621d2f45d).
    pub lru_disabled: u8,
    /// The frame whose buffers a norefs migration checked and has not yet
    /// released (no bh reference may be taken on it meanwhile), or NO_FRAME.
    pub norefs_window: u8,
    /// The folio a migration last gave up on, and the context that ran it
    /// (`NONE` if none did): the quiet world checks it can still move
    /// ([`crate::mm::migrate::check_migration_progress`]).
    pub migrate_failed: (FolioRef, CtxId),
    /// The journal (jbd2) of the filesystem whose metadata lives on the block device.
    pub journal: Journal,
    /// The hashed page waitqueues.
    pub wq: WaitQueues,
    /// Per-task scheduling state.
    pub sched: [TaskSched; NTASK_SLOTS],
    /// Bios, by submission order.
    pub bios: [Bio; MAX_BIOS],
    /// Bios submitted so far.
    pub nbios: u8,
    /// The disk.
    pub disk: Disk,
    /// What users were promised.
    pub shadow: Shadow,
    /// Each user task's address space (its shared file mappings and PTEs).
    pub mms: [MmStruct; MAX_TASKS],
    /// Task `t`'s address space: its own slot, or its leader's ([`tlb`]).
    pub mm_of: [u8; MAX_TASKS],
    /// Bit `m`: mm `m` is shared by several tasks (their TLBs are modelled).
    pub threaded: u8,
    /// Each user task's CPU's TLB, for an mm with threads.
    pub tlb: [Tlb; MAX_TASKS],
    /// Each task's child, the task its `fork` creates ([`NO_CHILD`]: none;
    /// fixed per case, [`crate::case::TaskDef::fork`]).
    pub fork_child: [u8; MAX_TASKS],
    /// Bit `c`: child task `c` may run (its parent forked it, or finished
    /// without forking).
    pub forked: u8,
    /// Bit `c`: child `c`'s fork failed or never happened: it runs none of
    /// its operations (only the teardown of what the failed fork copied).
    pub fork_failed: u8,
    /// Bit `f` of slot `t`: task slot `t` holds file `f` open — an open
    /// file descriptor, whose `struct file` holds an inode reference
    /// (`i_count`) from `open()` to the deferred `fput()` of `close()`.
    /// A task opens a file at its first operation that needs a descriptor
    /// and closes it after its last operation naming the file
    /// ([`crate::op::pre::open_file`]).
    pub fds: [u8; NTASK_SLOTS],
    /// Locks held across steps.
    pub locks: [LockState; NLOCKS],
    /// Allocations so far (for the allocation-failure fault).
    pub allocs: u8,
    /// The allocation number that fails (0 = none).
    pub fail_alloc: u8,
    /// Bios whose completion reports an error (bit k = bio k).
    pub fail_bios: u16,
    // ---- per-run bookkeeping, not part of the state `check` compares ----
    /// The context taking the current step.
    pub me: CtxId,
    /// Global step number.
    pub step_no: u32,
    /// Oracle firings.
    pub findings: Findings,
    /// Events of the current step, for the trace.
    pub ev: EventBuf,
    /// The frame the current step touched, for coverage and signatures.
    pub touched: FrameId,
}

impl Hash for World {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.frames.hash(h);
        self.free_list[..self.free_len as usize].hash(h);
        self.mappings.hash(h);
        self.inodes.hash(h);
        self.balloc.hash(h);
        self.bhs.hash(h);
        self.bh_lru.hash(h);
        self.lru_disabled.hash(h);
        self.norefs_window.hash(h);
        self.migrate_failed.hash(h);
        // Until a transaction has run (`next_tid` still 1) the journal is
        // all defaults but for the plain users' blocks and the buffers'
        // BH_Write_EIO: most cases never start one, and hashing its arrays
        // would cost every explored state.
        if self.journal.next_tid == 1 {
            self.journal.plain.hash(h);
            for j in &self.journal.jh {
                j.write_io_error.hash(h);
            }
        } else {
            self.journal.hash(h);
        }
        self.wq.hash(h);
        self.sched.hash(h);
        self.bios[..self.nbios as usize].hash(h);
        self.disk.hash(h);
        self.shadow.hash(h);
        // Most cases map nothing: hash the page tables only when they exist.
        if self.any_mapped() {
            self.mms.hash(h);
        }
        // mm_of is fixed per case; the TLBs exist only with threads.
        if self.threaded != 0 {
            self.tlb.hash(h);
        }
        self.locks.hash(h);
        self.allocs.hash(h);
        self.forked.hash(h);
        self.fork_failed.hash(h);
        self.fds.hash(h);
    }
}

impl World {
    /// A fresh machine: every frame free, files empty, disk zeroed.
    pub fn new(cfg: Config, toggles: Toggles) -> World {
        let nframes = cfg.frames.clamp(1, MAX_FRAMES as u8);
        let mut free_list = [NO_FRAME; MAX_FRAMES];
        // Allocate frame 0 first: push in reverse so it is on top.
        for (i, f) in (0..nframes).rev().enumerate() {
            free_list[i] = f;
        }
        let mut mappings = [Mapping::EMPTY; MAX_MAPPINGS];
        mappings[BDEV as usize].i_size = MAX_INDEX as u8;
        World {
            cfg: Config {
                frames: nframes,
                wq_buckets: cfg.wq_buckets.clamp(1, MAX_BUCKETS as u8),
                bh_per_page: match cfg.bh_per_page {
                    0 | 1 => 1,
                    2 | 3 => 2,
                    _ => 4,
                },
                fs: cfg.fs,
                file_bpp: if cfg.fs == Fs::Simple {
                    1
                } else {
                    cfg.file_bpp.clamp(1, MAX_FILE_BPP as u8)
                },
                page_lock_unfairness: cfg.page_lock_unfairness.min(MAX_PAGE_LOCK_UNFAIRNESS),
            },
            toggles,
            frames: [Frame::EMPTY; MAX_FRAMES],
            free_list,
            free_len: nframes,
            mappings,
            inodes: [FsInode::EMPTY; MAX_FILES],
            balloc: BlockAlloc::default(),
            bhs: [BufferHead::DEAD; MAX_BH],
            bh_lru: [[BhRef::NONE; BH_LRU_SIZE]; NCPUS],
            lru_disabled: 0,
            norefs_window: NO_FRAME,
            migrate_failed: (FolioRef::NONE, 0),
            journal: Journal::EMPTY,
            wq: WaitQueues::new(cfg.wq_buckets),
            sched: [TaskSched::default(); NTASK_SLOTS],
            bios: [Bio::default(); MAX_BIOS],
            nbios: 0,
            disk: Disk::ZERO,
            shadow: Shadow::EMPTY,
            mms: [MmStruct::EMPTY; MAX_TASKS],
            mm_of: [0, 1, 2, 3],
            threaded: 0,
            tlb: [Tlb::EMPTY; MAX_TASKS],
            fork_child: [NO_CHILD; MAX_TASKS],
            forked: 0,
            fork_failed: 0,
            fds: [0; NTASK_SLOTS],
            locks: [LockState::FREE; NLOCKS],
            allocs: 0,
            fail_alloc: 0,
            fail_bios: 0,
            me: 0,
            step_no: 0,
            findings: Findings::default(),
            ev: EventBuf::default(),
            touched: NO_FRAME,
        }
    }

    /// Whether the fix `t` is in force.
    #[inline]
    pub fn has(&self, t: Toggle) -> bool {
        self.toggles.has(t)
    }

    /// Fire oracle `o` in the current context.
    pub fn fire(&mut self, o: OracleId, frame: FrameId, payload: crate::oracle::Payload) {
        let f = Finding {
            oracle: o,
            ctx: self.me,
            step_no: self.step_no,
            at: crate::oracle::At::Pending,
            frame,
            payload,
        };
        if !self.findings.has(o) {
            self.ev.push(Event::Oracle(o));
        }
        self.findings.push(f);
    }

    /// Record a trace event for the current step.
    #[inline]
    pub fn note(&mut self, e: Event) {
        self.ev.push(e);
    }

    /// Check that `r` still points at the folio it was taken on; fire
    /// `use-after-free` if the frame was freed or reused since. Returns
    /// whether the reference is still good. Every access through a pointer
    /// that is not a counted reference goes through here.
    pub fn check_ref(&mut self, r: FolioRef) -> bool {
        if r.is_none() {
            return false;
        }
        self.touched = r.frame;
        let f = &self.frames[r.frame as usize];
        if f.free || f.inc != r.inc {
            let cur = if f.free { 0 } else { f.inc };
            self.fire(
                OracleId::UseAfterFree,
                r.frame,
                crate::oracle::Payload::Incarnations {
                    held: r.inc,
                    now: (cur),
                },
            );
            return false;
        }
        true
    }

    /// A reference to the folio in frame `f` as it is now.
    #[inline]
    pub fn folio_ref(&self, f: FrameId) -> FolioRef {
        FolioRef {
            frame: f,
            inc: self.frames[f as usize].inc,
        }
    }

    /// The frame `r` points at (whatever it holds now).
    #[inline]
    pub fn frame(&self, r: FolioRef) -> &Frame {
        &self.frames[r.frame as usize]
    }

    /// The frame `r` points at, mutable.
    #[inline]
    pub fn frame_mut(&mut self, r: FolioRef) -> &mut Frame {
        self.touched = r.frame;
        &mut self.frames[r.frame as usize]
    }

    /// The folio cached at (`mapping`, `index`), if any.
    #[inline]
    pub fn slot_frame(&self, mapping: u8, index: u8) -> FrameId {
        self.mappings[mapping as usize].slots[index as usize].frame
    }

    /// Whether a lock can be taken exclusively now (no owner, no reader).
    #[inline]
    pub fn lock_free(&self, l: LockId) -> bool {
        let s = &self.locks[l as usize];
        s.owner == NO_OWNER && s.readers == 0
    }

    /// Whether a reader-writer lock can be taken shared now (no writer).
    #[inline]
    pub fn lock_shared_ok(&self, l: LockId) -> bool {
        self.locks[l as usize].owner == NO_OWNER
    }
}
