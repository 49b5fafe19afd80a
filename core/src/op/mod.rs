//! Operations: the entry points a task calls — syscalls, and the background
//! work of kernel threads (writeback, reclaim, migration) — each declared
//! once, here.
//!
//! A declaration gives the litmus keyword, the stable byte code, the
//! arguments (each a field and an [`ArgKind`]), the generator's weight in
//! each [`Domain`], the step machine that performs it and how to build it,
//! and its precondition on the world. The parser, printer, codec,
//! [`Op::clamped`], the error lists, `pagelife ops` and the generator all
//! come from this one table; everything else matches exhaustively on
//! [`Op`] or [`OpKind`].
//!
//! Adding an operation: write its step machine (in the file of the kernel
//! code it models), declare it below, and add a litmus file that shows what
//! it does (`docs/extending.md`).

pub mod arg;
pub mod pre;

pub use arg::{ArgKind, ArgSpec, ArgValue, Args, MAX_ARGS};

use crate::exec::poll::{Cond, Poll};
use crate::world::{Config, World};

/// What an operation's precondition says when a task is about to start it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pre {
    /// Start it.
    Ready,
    /// It cannot happen now (its object is gone): the task skips it, as a
    /// syscall on a closed file descriptor would fail without entering the
    /// kernel path.
    Skip(&'static str),
    /// Wait until the condition holds.
    Wait(Cond),
    /// Start it once the task has opened the files whose bits are in `.0`
    /// (`open()`: a descriptor and its inode reference each,
    /// [`crate::world::World::fds`]).
    Open(u8),
}

/// Which part of the model a generator draws operations for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// Files on the simple filesystem: the page cache, writeback, truncation,
    /// reclaim (Case 1).
    Pages,
    /// The block device's buffer heads and migration (Cases 2, 3).
    Buffers,
    /// Extent-mapped files: iomap, XFS, ext4, gfs2 (Cases 4, 5).
    Extents,
    /// The end of a page's and an inode's life and the journal's hold on
    /// buffers: eviction, reclaim, migration, jbd2 (issue 19's area).
    Lifecycle,
    /// User mappings of files: faults, loads and stores through PTEs,
    /// write-protection by writeback, unmapping by truncation and reclaim
    /// (issue 17's area).
    Mappings,
}

impl Domain {
    /// Every domain, in the order of a declaration's `weights`.
    pub const ALL: [Domain; 5] = [
        Domain::Pages,
        Domain::Buffers,
        Domain::Extents,
        Domain::Lifecycle,
        Domain::Mappings,
    ];
}

/// What building an operation's step machine may look at.
#[derive(Clone, Copy, Debug)]
pub struct OpCx<'a> {
    /// The world's configuration.
    pub cfg: &'a Config,
    /// The CPU the task runs on.
    pub cpu: u8,
}

/// One operation's static description.
#[derive(Clone, Copy, Debug)]
pub struct OpSpec {
    /// The litmus keyword.
    pub keyword: &'static str,
    /// The stable byte code.
    pub code: u8,
    /// Its arguments.
    pub args: &'static [ArgSpec],
    /// Generator weights per [`Domain`] (0: never drawn there).
    pub weights: [u16; 5],
    /// The doc comment of the declaration.
    pub doc: &'static str,
}

macro_rules! operations {
    ($( $(#[doc = $doc:literal])* $V:ident = ($code:literal, $kw:literal)
        ( $( $f:ident : $t:ty = $kind:expr ),* )
        {
            weights: [$wp:literal, $wb:literal, $we:literal, $wl:literal, $wm:literal],
            machine: $Sm:ty = |$cx:ident| $new:expr,
            pre: |$w:ident| $pre:expr $(,)?
        }
    )*) => {
        /// One operation a task performs (see the module docs).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Op {
            $( $(#[doc = $doc])* $V { $( #[doc = concat!("`", stringify!($f), "`")] $f: $t ),* }, )*
        }

        /// The kind of an operation; its discriminant is the stable byte code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum OpKind {
            $( $(#[doc = $doc])* $V = $code, )*
        }

        /// The step machine of the operation a task is in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OpSm {
            $( #[doc = concat!("`", $kw, "`")] $V($Sm), )*
        }

        impl OpKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$V),*];

            /// The kind's description.
            pub fn spec(self) -> &'static OpSpec {
                match self { $(OpKind::$V => {
                    const S: OpSpec = OpSpec {
                        keyword: $kw,
                        code: $code,
                        args: &[$(ArgSpec { name: stringify!($f), kind: $kind }),*],
                        weights: [$wp, $wb, $we, $wl, $wm],
                        doc: concat!($($doc, "\n"),*),
                    };
                    &S
                })* }
            }
        }

        impl Op {
            /// Its kind.
            pub fn kind(&self) -> OpKind {
                match self { $(Op::$V { .. } => OpKind::$V,)* }
            }

            /// Its argument values, in declaration order.
            pub fn args(&self) -> Args {
                #[allow(unused_mut, unused_variables)]
                match *self { $(Op::$V { $($f),* } => {
                    let mut a = [0u8; MAX_ARGS];
                    let mut i = 0;
                    $( a[i] = ArgValue::to_arg($f); i += 1; )*
                    let _ = i;
                    a
                })* }
            }

            /// The operation of `kind` with argument values `a` (as they are:
            /// see [`Op::clamped`]).
            pub fn from_args(kind: OpKind, a: &Args) -> Op {
                #[allow(unused_mut, unused_variables)]
                match kind { $(OpKind::$V => {
                    let mut i = 0;
                    $( let $f = <$t as ArgValue>::from_arg(a[i]); i += 1; )*
                    let _ = (i, a);
                    Op::$V { $($f),* }
                })* }
            }

            /// The step machine that performs it.
            pub fn machine(self, cx: &OpCx) -> OpSm {
                #[allow(unused_variables)]
                match self { $(Op::$V { $($f),* } => {
                    let $cx = cx;
                    OpSm::$V($new)
                })* }
            }

            /// Whether it can start now.
            pub fn pre(self, w: &World) -> Pre {
                #[allow(unused_variables)]
                match self { $(Op::$V { $($f),* } => {
                    let $w = w;
                    $pre
                })* }
            }
        }

        impl OpSm {
            /// Take one step.
            pub fn step(&mut self, w: &mut World) -> Poll {
                match self { $(OpSm::$V(m) => m.step(w),)* }
            }
        }
    };
}

use crate::fs::direct_io::{DioRead, DioWrite};
use crate::fs::drop_caches::DropCaches;
use crate::fs::{
    buffer::BhWrite, falloc::Falloc, jbd2::JbdCheckpoint, jbd2::JbdCommit, jbd2::JbdShrink,
    namei::Unlink, sync::Fsync, sync::SyncAll, FallocMode,
};
use crate::mm::fork::Fork;
use crate::mm::madvise::MadvPageout;
use crate::mm::memory::{
    AccessRemote, AnonAccess, AnonMadvise, Mmap, Munmap, PageMkwrite, UserAccess,
};
use crate::mm::migrate::MigrateFolio;
use crate::mm::page_writeback::{SyncMode, WriteCachePages};
use crate::mm::pin::{PinPage, Unpin};
use crate::mm::truncate::Truncate;
use crate::mm::vmscan::ShrinkFolio;
use ArgKind::*;

const SYNC_MODES: &[&str] = &["none", "all"];
/// `madvise()` advice values the model has for a file mapping.
const ADVICE: &[&str] = &["dontneed"];
/// `madvise()` advice values for anonymous memory (`free`: `MADV_FREE`).
const ANON_ADVICE: &[&str] = &["dontneed", "free"];

operations! {
    /// `pwrite()` of one page: `generic_perform_write()` (on an extent-mapped
    /// file, the page's data units through its filesystem's write path).
    Write = (0, "write") (file: u8 = File, index: u8 = Page) {
        weights: [30, 0, 10, 15, 10],
        machine: crate::fs::WriteIter = |cx| {
            let upp = cx.cfg.upp(file) as u8;
            crate::fs::write_iter(cx.cfg, file, index * upp, upp)
        },
        pre: |w| pre::open_file(w, file),
    }
    /// `pread()` of one page: `filemap_read()`.
    Read = (1, "read") (file: u8 = File, index: u8 = Page) {
        weights: [10, 0, 20, 10, 5],
        machine: crate::fs::ReadIter = |cx| crate::fs::ReadIter::new(cx.cfg, file, index),
        pre: |w| pre::open_file(w, file),
    }
    /// Writeback of a file or of the block device: `filemap_fdatawrite_wbc()`
    /// → `write_cache_pages()` (WB_SYNC_NONE as the flusher does, or WB_SYNC_ALL).
    Writeback = (2, "writeback") (file: u8 = FileOrBdev, all: bool = Choice(SYNC_MODES)) {
        weights: [20, 10, 20, 5, 15],
        machine: WriteCachePages = |cx| WriteCachePages::new(
            file,
            if all { SyncMode::All } else { SyncMode::None },
        ),
        pre: |w| pre::open_file(w, file),
    }
    /// `fsync()`: `file_write_and_wait_range()` (on the block device: `sync_blockdev()`).
    Fsync = (3, "fsync") (file: u8 = FileOrBdev) {
        weights: [10, 10, 10, 8, 10],
        machine: Fsync = |cx| Fsync::new(file),
        pre: |w| pre::open_file(w, file),
    }
    /// `sync()`: every file and the block device.
    Sync = (4, "sync") () {
        weights: [0, 0, 0, 0, 0],
        machine: SyncAll = |cx| SyncAll::new(),
        pre: |w| Pre::Ready,
    }
    /// `truncate()` to `size` pages.
    Truncate = (5, "truncate") (file: u8 = File, size: u8 = Size) {
        weights: [20, 0, 10, 5, 10],
        machine: Truncate = |cx| Truncate::new(file, size),
        pre: |w| pre::open_file(w, file),
    }
    /// Reclaim of the folio in one frame (`shrink_folio_list()`).
    Reclaim = (6, "reclaim") (frame: u8 = Frame) {
        weights: [10, 10, 20, 15, 15],
        machine: ShrinkFolio = |cx| ShrinkFolio::new(frame),
        pre: |w| Pre::Ready,
    }
    /// A metadata user of the block device: look a buffer head up, modify
    /// `b_data` under its own lock only (as a filesystem updates a bitmap, or
    /// jbd2 copies metadata), `mark_buffer_dirty()`, `brelse()`. `getblk`:
    /// `bdev_getblk()` (create the buffer if missing) instead of
    /// `__find_get_block()`; `meta`: the user marks it BH_Meta
    /// (`__ext4_handle_dirty_metadata()`); `nonatomic`: the sleeping lookup
    /// `__find_get_block_nonatomic()` (2814a7d3d2ff).
    BhWrite = (7, "bh-write") (
        block: u8 = DevBlock,
        getblk: bool = Flag("getblk"),
        meta: bool = Flag("meta"),
        nonatomic: bool = Flag("nonatomic")
    ) {
        weights: [0, 40, 0, 5, 0],
        machine: BhWrite = |cx| BhWrite::new(block, getblk, meta, nonatomic, cx.cpu),
        pre: |w| pre::metadata_owner(w, block, false),
    }
    /// Migration of the folio in one frame (`migrate_pages()`, as compaction
    /// or an `lru_cache_disable()` caller such as CMA does).
    Migrate = (8, "migrate") (frame: u8 = Frame) {
        weights: [0, 30, 0, 12, 5],
        machine: MigrateFolio = |cx| MigrateFolio::new(frame),
        pre: |w| Pre::Ready,
    }
    /// `pwrite()` of data units `unit..unit+len` (on the simple filesystem a
    /// unit is a page; on an extent-mapped one a block has two units, so a
    /// write can end inside a block): `generic_perform_write()`, or
    /// `iomap_file_buffered_write()`, or ext4's `ext4_da_write_begin()` path.
    Pwrite = (9, "pwrite") (file: u8 = File, unit: u8 = Unit, len: u8 = Len) {
        weights: [0, 0, 40, 0, 0],
        machine: crate::fs::WriteIter = |cx| crate::fs::write_iter(cx.cfg, file, unit, len),
        pre: |w| pre::open_file(w, file),
    }
    /// `fallocate(2)` mode 0 on pages `index..index+count`: preallocation
    /// (`xfs_alloc_file_space()`, `ext4_alloc_file_blocks()`, `__gfs2_fallocate()`).
    Fallocate = (10, "fallocate") (file: u8 = File, index: u8 = Page, count: u8 = Count) {
        weights: [0, 0, 10, 0, 0],
        machine: Falloc = |cx| Falloc::new(file, FallocMode::Alloc, index, count),
        pre: |w| pre::open_file(w, file),
    }
    /// `fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)` on pages
    /// `index..index+count` (`xfs_free_file_space()`, `ext4_punch_hole()`,
    /// gfs2's `punch_hole()`).
    Punch = (11, "punch") (file: u8 = File, index: u8 = Page, count: u8 = Count) {
        weights: [0, 0, 7, 0, 5],
        machine: Falloc = |cx| Falloc::new(file, FallocMode::Punch, index, count),
        pre: |w| pre::open_file(w, file),
    }
    /// `fallocate(FALLOC_FL_ZERO_RANGE)` on pages `index..index+count`:
    /// punch, then preallocate unwritten.
    ZeroRange = (12, "zero-range") (file: u8 = File, index: u8 = Page, count: u8 = Count) {
        weights: [0, 0, 3, 0, 0],
        machine: Falloc = |cx| Falloc::new(file, FallocMode::Zero, index, count),
        pre: |w| pre::open_file(w, file),
    }
    /// A write fault on a shared mapping of page `index`: fault the page in,
    /// `->page_mkwrite()` (`ext4_page_mkwrite()`, `iomap_page_mkwrite()`,
    /// `block_page_mkwrite()`), the user's store, dirty, unlock.
    Mkwrite = (13, "mkwrite") (file: u8 = File, index: u8 = Page) {
        weights: [0, 0, 10, 0, 0],
        machine: PageMkwrite = |cx| PageMkwrite::new(file, index),
        pre: |w| pre::open_file(w, file),
    }
    /// `unlink()` of the file's one name (`do_unlinkat()` → `vfs_unlink()`,
    /// fs/namei.c). A task that holds the file open keeps using it; the
    /// last reference's `iput()` evicts it: `iput_final()` → `evict()` →
    /// `truncate_inode_pages_final()` → `->evict_inode` → `clear_inode()`
    /// (fs/inode.c), in the context that drops it.
    Unlink = (14, "unlink") (file: u8 = File) {
        weights: [0, 0, 3, 12, 3],
        machine: Unlink = |cx| Unlink::new(file),
        pre: |w| pre::unlinkable(w, file),
    }
    /// A journalled metadata update of a block-device block, as ext4 makes
    /// one (an extent-tree or bitmap block): `ext4_journal_start()`, the
    /// lookup (`getblk`: `sb_getblk()`, creating the buffer; `nonatomic`:
    /// the sleeping lookup), `__ext4_journal_get_write_access()`, the update
    /// through `b_data`, `__ext4_handle_dirty_metadata()`, `brelse()`,
    /// `ext4_journal_stop()` (fs/jbd2/transaction.c, fs/ext4/ext4_jbd2.c).
    Jbd2Update = (15, "jbd2-update") (
        block: u8 = DevBlock,
        getblk: bool = Flag("getblk"),
        nonatomic: bool = Flag("nonatomic")
    ) {
        weights: [0, 20, 0, 25, 0],
        machine: BhWrite = |cx| BhWrite::journalled(block, getblk, nonatomic, cx.cpu),
        pre: |w| pre::metadata_owner(w, block, true),
    }
    /// kjournald2 commits the running transaction:
    /// `jbd2_journal_commit_transaction()` (fs/jbd2/commit.c) — wait for its
    /// handles, write each modified buffer to the log from its folio or
    /// frozen copy, the commit record, then expose the buffers to writeback
    /// and put them on the checkpoint list.
    Jbd2Commit = (16, "jbd2-commit") () {
        weights: [0, 8, 0, 12, 0],
        machine: JbdCommit = |cx| JbdCommit::new(),
        pre: |w| Pre::Ready,
    }
    /// A checkpoint: `jbd2_log_do_checkpoint()` (fs/jbd2/checkpoint.c) writes
    /// the committed buffers in place (`write_dirty_buffer()`) and removes
    /// the written ones from the checkpoint lists, dropping the journal's
    /// reference.
    Jbd2Checkpoint = (17, "jbd2-checkpoint") () {
        weights: [0, 5, 0, 8, 0],
        machine: JbdCheckpoint = |cx| JbdCheckpoint::new(),
        pre: |w| Pre::Ready,
    }
    /// The journal's checkpoint shrinker under memory pressure or
    /// `drop_caches` (`jbd2_journal_shrink_scan()`, 4ba3fcdde7e3): journal
    /// heads of written-back checkpoint buffers are dropped.
    Jbd2Shrink = (18, "jbd2-shrink") () {
        weights: [0, 3, 0, 6, 0],
        machine: JbdShrink = |cx| JbdShrink::new(),
        pre: |w| Pre::Ready,
    }
    /// `mmap(MAP_SHARED, PROT_READ | PROT_WRITE)` of the whole file
    /// (`mmap_region()`); with `private` `MAP_PRIVATE` (a store breaks
    /// copy-on-write into a private copy), with `ro` `PROT_READ` alone
    /// (stores fault with SIGSEGV; a `mem-write` still writes a private
    /// one): the VMA holds a reference on the file until `munmap` or the
    /// task's exit.
    Mmap = (19, "mmap") (
        file: u8 = File,
        private: bool = Flag("private"),
        ro: bool = Flag("ro")
    ) {
        weights: [0, 0, 0, 0, 12],
        machine: Mmap = |cx| Mmap::new(file, private, ro),
        pre: |w| pre::mappable(w, file),
    }
    /// `munmap()` of the file's mapping: its PTEs are zapped (a dirty PTE
    /// dirties its folio), then `remove_vma()` drops the file.
    Munmap = (20, "munmap") (file: u8 = File) {
        weights: [0, 0, 0, 0, 3],
        machine: Munmap = |cx| Munmap::new(file),
        pre: |w| pre::mapped(w, file),
    }
    /// A user load of page `index` through the mapping: through a present
    /// PTE, or after a read fault (`do_read_fault()` → `filemap_fault()`,
    /// `finish_fault()` maps it read-only). The data is checked against
    /// what was promised.
    Load = (21, "load") (file: u8 = File, index: u8 = Page) {
        weights: [0, 0, 0, 0, 15],
        machine: UserAccess = |cx| UserAccess::new(file, index, false),
        pre: |w| pre::mapped(w, file),
    }
    /// A user store to page `index` through the mapping: through a
    /// writable PTE (the CPU sets its dirty bit), or after a write fault
    /// (`do_wp_page()` on a read-only PTE, `do_shared_fault()` on none:
    /// `->page_mkwrite`, the PTE made writable and dirty, the folio dirtied).
    Store = (22, "store") (file: u8 = File, index: u8 = Page) {
        weights: [0, 0, 0, 0, 20],
        machine: UserAccess = |cx| UserAccess::new(file, index, true),
        pre: |w| pre::writable(w, file),
    }
    /// `madvise(MADV_DONTNEED)` of page `index`: `zap_page_range_single()`
    /// clears the PTE (a dirty one dirties its folio); the VMA stays.
    Madvise = (23, "madvise") (file: u8 = File, index: u8 = Page, advice: u8 = Choice(ADVICE)) {
        weights: [0, 0, 0, 0, 6],
        machine: Munmap = |cx| Munmap::dontneed(file, index),
        pre: |w| pre::mapped(w, file),
    }
    /// The task's `exit_mmap()`: every mapping it still has is unmapped as
    /// `munmap` does. Runs by itself after a task's last operation when
    /// the task maps something; written explicitly, later accesses find no
    /// mapping.
    Exit = (24, "exit") () {
        weights: [0, 0, 0, 0, 0],
        machine: Munmap = |cx| Munmap::exit(),
        pre: |w| pre::has_mappings(w),
    }
    /// A user load of page `page` of the task's anonymous memory (its
    /// buffers): through a present PTE, or the zero page where there is
    /// none. The data is checked against the last store or direct-I/O read
    /// into it (`user-data-lost`).
    AnonLoad = (25, "anon-load") (page: u8 = Page) {
        weights: [0, 0, 0, 0, 8],
        machine: AnonAccess = |cx| AnonAccess::new(page, false),
        pre: |w| pre::buffer_idle(w, page),
    }
    /// A user store to anonymous page `page`: through a present PTE (the
    /// CPU sets its dirty bit), or after `do_anonymous_page()` maps a new
    /// zeroed folio.
    AnonStore = (26, "anon-store") (page: u8 = Page) {
        weights: [0, 0, 0, 0, 8],
        machine: AnonAccess = |cx| AnonAccess::new(page, true),
        pre: |w| pre::buffer_idle(w, page),
    }
    /// `madvise()` of anonymous page `page`: `MADV_DONTNEED` (the PTE
    /// zapped, the page reads zeroes) or `MADV_FREE` (`madvise_free_pte_range()`:
    /// the folio made clean and lazily freeable; reclaim may discard it
    /// until the next store).
    AnonMadvise = (27, "anon-madvise") (page: u8 = Page, advice: u8 = Choice(ANON_ADVICE)) {
        weights: [0, 0, 0, 0, 6],
        machine: AnonMadvise = |cx| AnonMadvise::new(page, advice == 1),
        pre: |w| pre::buffer_idle(w, page),
    }
    /// `madvise(MADV_PAGEOUT)` of page `index` of the task's mapping of
    /// `file`: if it alone maps the folio, `folio_isolate_lru()` and
    /// `shrink_folio_list()` (a clean folio unmapped and freed, a dirty one
    /// kept). v5.4 and later (1a4e58cce84e).
    MadvisePageout = (35, "madvise-pageout") (file: u8 = File, index: u8 = Page) {
        weights: [0, 0, 0, 0, 4],
        machine: MadvPageout = |cx| MadvPageout::new(file, index),
        pre: |w| pre::pageout(w, pre::mapped(w, file)),
    }
    /// `madvise(MADV_PAGEOUT)` of anonymous page `page`: reclaim keeps a
    /// swap-backed folio (no swap here) and discards a clean lazily freed
    /// (`MADV_FREE`) one. Another thread may run it on a buffer in use.
    AnonPageout = (36, "anon-pageout") (page: u8 = Page) {
        weights: [0, 0, 0, 0, 4],
        machine: MadvPageout = |cx| MadvPageout::new(crate::world::ANON, page),
        pre: |w| pre::pageout(w, pre::user_task(w)),
    }
    /// `pread(O_DIRECT)` of page `index` of a file or the block device into
    /// anonymous page `buf`: the range written back, the user page taken by
    /// GUP, a bio whose DMA writes it, the page dirtied and released
    /// (`__blkdev_direct_IO_simple()`, `iomap_dio_rw()`). The buffer then
    /// promises what the DMA brought.
    DioRead = (28, "dio-read") (file: u8 = FileOrBdev, index: u8 = Page, buf: u8 = Page) {
        weights: [0, 0, 0, 0, 8],
        machine: DioRead = |cx| DioRead::new(
            file,
            index,
            buf,
            crate::fs::aops::a_ops(cx.cfg, file).direct_io,
        ),
        pre: |w| pre::direct_io_buf(w, file, buf, false),
    }
    /// The task fills anonymous page `buf` with a new version of page
    /// `index` of `file` or the block device, then `pwrite(O_DIRECT)`s it
    /// (XFS's `iomap_dio_rw()`, block/fops.c `blkdev_direct_write()`): the
    /// range written back and invalidated (a failure: a buffered write
    /// instead), XFS's unwritten blocks allocated over holes, GUP, a bio
    /// whose DMA reads the page, then XFS's `->end_io` converts and the
    /// range is invalidated again.
    DioWrite = (29, "dio-write") (file: u8 = FileOrBdev, index: u8 = Page, buf: u8 = Page) {
        weights: [0, 0, 4, 0, 6],
        machine: DioWrite = |cx| DioWrite::new(cx.cfg, file, index, buf),
        pre: |w| pre::direct_io_buf(w, file, buf, true),
    }
    /// `echo 1 > /proc/sys/vm/drop_caches`: each inode with pages held
    /// (`__iget()`) while `invalidate_mapping_pages()` drops its clean,
    /// unused folios (fs/drop_caches.c `drop_pagecache_sb()`), the block
    /// device's first.
    DropCaches = (30, "drop-caches") () {
        weights: [0, 0, 0, 4, 0],
        machine: DropCaches = |cx| DropCaches::new(),
        pre: |w| Pre::Ready,
    }
    /// `write(2)` of page `index` to `/proc/PID/mem` of task `task`, whose
    /// private read-only mapping of `file` holds it (`mem_rw()` →
    /// `__access_remote_vm()`, as a debugger's `PTRACE_POKEDATA`): GUP with
    /// `FOLL_WRITE | FOLL_FORCE` breaks copy-on-write, the data goes into
    /// the private copy, which is dirtied; the target's loads then find it.
    MemWrite = (31, "mem-write") (task: u8 = Task, file: u8 = File, index: u8 = Page) {
        weights: [0, 0, 0, 0, 5],
        machine: AccessRemote = |cx| AccessRemote::new(task, file, index),
        pre: |w| pre::remote_private(w, task, file),
    }
    /// `fork()`: the task's process is copied into its child (the task
    /// declared `fork=` this one): `dup_mmap()` duplicates each VMA and
    /// `copy_page_range()` each private VMA's PTEs, anonymous pages shared
    /// copy-on-write (or, if pinned, copied at once: 70e806e4e645). The
    /// child's operations start when it is done.
    Fork = (32, "fork") () {
        weights: [0, 0, 0, 0, 4],
        machine: Fork = |cx| Fork::new(),
        pre: |w| pre::can_fork(w),
    }
    /// `ioctl(dst, FICLONE, src)` (`xfs_file_remap_range()`): both files'
    /// IOLOCK and MMAPLOCK taken, both written back and waited on, the
    /// destination's page cache dropped, then each of the source's blocks
    /// shared into the destination (`xfs_reflink_remap_blocks()`) and its
    /// size raised to the source's. Both files are then reflinked: a write
    /// to a shared block goes through the COW fork. XFS only.
    Reflink = (37, "reflink") (src: u8 = File, dst: u8 = File) {
        weights: [0, 0, 6, 3, 0],
        machine: crate::fs::reflink::Reflink = |cx| crate::fs::reflink::Reflink::new(src, dst),
        pre: |w| pre::reflinkable(w, src, dst),
    }
    /// A driver's long-term pin of anonymous page `page`
    /// (`pin_user_pages_fast(FOLL_LONGTERM)`, as RDMA registers a buffer;
    /// `ro`: without `FOLL_WRITE`, the device only reads, as for
    /// `vmsplice()`), held until `unpin`.
    Pin = (33, "pin") (page: u8 = Page, ro: bool = Flag("ro")) {
        weights: [0, 0, 0, 0, 5],
        machine: PinPage = |cx| PinPage::new(page, !ro),
        pre: |w| pre::can_pin(w, page),
    }
    /// The device's DMA through the task's pin — it reads the page
    /// (checked: `pin-incoherent`) or, for a writable pin, writes a new
    /// version the process's loads must find — then
    /// `unpin_user_pages_dirty_lock()`.
    Unpin = (34, "unpin") () {
        weights: [0, 0, 0, 0, 5],
        machine: Unpin = |cx| Unpin::new(),
        pre: |w| pre::pinned(w),
    }
}

/// Kinds by byte code.
const BY_CODE: [Option<OpKind>; 256] = {
    let mut t = [None; 256];
    let mut i = 0;
    while i < OpKind::ALL.len() {
        t[OpKind::ALL[i] as usize] = Some(OpKind::ALL[i]);
        i += 1;
    }
    t
};

impl OpKind {
    /// The kind with byte code `b`, if any.
    pub const fn from_code(b: u8) -> Option<OpKind> {
        BY_CODE[b as usize]
    }

    /// The stable byte code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The kind whose litmus keyword is `kw`.
    pub fn from_keyword(kw: &str) -> Option<OpKind> {
        OpKind::ALL.iter().copied().find(|k| k.spec().keyword == kw)
    }

    /// The usage line: `pwrite FILE UNIT LEN`, `bh-write BLOCK [getblk] …`.
    pub fn usage(self) -> String {
        let s = self.spec();
        let mut u = s.keyword.to_string();
        for a in s.args {
            u.push(' ');
            u.push_str(&a.kind.usage(a.name));
        }
        u
    }

    /// Every keyword, comma-separated (for error messages).
    pub fn keywords() -> String {
        OpKind::ALL
            .iter()
            .map(|k| k.spec().keyword)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Weight in domain `d` for the generator.
    pub fn weight(self, d: Domain) -> u16 {
        self.spec().weights[d as usize]
    }
}

impl Op {
    /// The files whose inodes the operation holds a reference on while it
    /// runs, as bits: its file arguments (not the block device).
    pub fn inodes(&self) -> u8 {
        let a = self.args();
        self.kind()
            .spec()
            .args
            .iter()
            .zip(a)
            .filter_map(|(s, v)| match s.kind {
                ArgKind::File => Some(v),
                ArgKind::FileOrBdev if v != crate::world::BDEV => Some(v),
                _ => None,
            })
            .filter(|&f| (f as usize) < crate::world::MAX_FILES)
            .fold(0, |m, f| m | 1 << f)
    }

    /// Every argument reduced into its range (decoded and parsed operations
    /// always are).
    pub fn clamped(self) -> Op {
        let k = self.kind();
        let mut a = self.args();
        arg::clamp_args(k.spec().args, &mut a);
        Op::from_args(k, &a)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = self.kind();
        let a = self.args();
        f.write_str(k.spec().keyword)?;
        for (i, s) in k.spec().args.iter().enumerate() {
            if let Some(t) = s.kind.show(a[i]) {
                write!(f, " {t}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_codes_and_args_are_consistent() {
        for &k in OpKind::ALL {
            let s = k.spec();
            assert_eq!(OpKind::from_keyword(s.keyword), Some(k));
            assert_eq!(OpKind::from_code(k.code()), Some(k));
            assert_eq!(s.code, k.code());
            assert!(s.args.len() <= MAX_ARGS);
            assert!(arg::arg_bytes(s.args) <= 4);
            assert!(!s.doc.trim().is_empty());
            // A flag never comes before a positional argument.
            let first_flag = s.args.iter().position(|a| matches!(a.kind, Flag(_)));
            if let Some(p) = first_flag {
                assert!(s.args[p..].iter().all(|a| matches!(a.kind, Flag(_))));
            }
        }
    }

    #[test]
    fn the_litmus_docs_list_every_operation() {
        let doc = include_str!("../litmus/mod.rs");
        for &k in OpKind::ALL {
            let usage = k.usage();
            assert!(
                doc.contains(&format!("`{usage}`")),
                "litmus docs lack `{usage}`"
            );
        }
    }

    #[test]
    fn args_round_trip_through_bytes() {
        for &k in OpKind::ALL {
            let specs = k.spec().args;
            for seed in 0..=255u8 {
                let a = arg::unpack(specs, &[seed, seed.rotate_left(3)]);
                let op = Op::from_args(k, &a);
                assert_eq!(op.clamped(), op, "{op}");
                let mut b = Vec::new();
                arg::pack(specs, &op.args(), &mut b);
                assert_eq!(Op::from_args(k, &arg::unpack(specs, &b)), op);
            }
        }
    }
}
