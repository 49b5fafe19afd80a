//! Every oracle: its stable name, its severity, and the kernel assertion or
//! user-visible promise it mirrors.
//!
//! Oracles fire from inside the steps (the way `BUG_ON` and `WARN_ON` sit
//! inside kernel functions) or at the end of a run, once the world is quiet
//! (data integrity, stuck tasks). A firing is a [`Finding`]: which oracle,
//! in which context, at which step, on which frame, with a typed
//! [`Payload`].
//!
//! Each oracle is declared once, below: its stable code and name, severity,
//! rank, whether it is fatal or a mechanism, the function fuzz targets panic
//! from, the kernel assertion it mirrors, and the formatter of its payload.
//! Everything else — signatures, reports, the harness's panic functions
//! (`for_each_oracle!`) — derives from that declaration.

mod findings;
mod payload;

use std::fmt;

pub use findings::{At, Finding, Findings};
pub use payload::{fmt as detail, Payload};

/// How bad a finding is, in the kernel's own vocabulary.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Severity {
    /// A `BUG_ON` / `VM_BUG_ON` or memory corruption (use-after-free).
    Bug,
    /// A `WARN_ON` the kernel has or a proposed one.
    Warn,
    /// Data a user was promised is not where it should be.
    DataLoss,
    /// A task waits forever: a lost wakeup or a deadlock.
    Hang,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Bug => "BUG",
            Severity::Warn => "WARN",
            Severity::DataLoss => "DATA-LOSS",
            Severity::Hang => "HANG",
        })
    }
}

macro_rules! oracles {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($code:literal, $name:literal) {
        severity: $sev:ident, rank: $rank:literal, fatal: $fatal:literal, mechanism: $mech:literal,
        panic: $panic:ident,
        mirrors: $mirrors:literal,
        detail: $detail:expr $(,)?
    } )*) => {
        /// Every oracle the model has. The discriminant is its stable code
        /// (its bit in [`Findings::mask`]); the compiler rejects a code used twice.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum OracleId {
            $( $(#[doc = $doc])* $variant = $code, )*
        }

        impl OracleId {
            /// All oracles, in declaration order.
            pub const ALL: &'static [OracleId] = &[$(OracleId::$variant),*];

            /// The stable name (kebab-case) used in reports, signatures and panics.
            pub fn name(self) -> &'static str {
                match self { $(OracleId::$variant => $name,)* }
            }

            /// How bad it is.
            pub fn severity(self) -> Severity {
                match self { $(OracleId::$variant => Severity::$sev,)* }
            }

            /// The kernel assertion or promise it mirrors, in one line.
            pub fn mirrors(self) -> &'static str {
                match self { $(OracleId::$variant => $mirrors,)* }
            }

            /// What the oracle models, in full (its doc comment).
            pub fn doc(self) -> &'static str {
                match self { $(OracleId::$variant => concat!($($doc, "\n"),*),)* }
            }

            /// Whether the kernel stops here (`BUG_ON`, `BUG()`): what happens
            /// after it in a run is not part of the story. Bad page state,
            /// memory corruption the kernel does not check, warnings and data
            /// loss let the kernel go on.
            pub fn fatal(self) -> bool {
                match self { $(OracleId::$variant => $fatal,)* }
            }

            /// How much a finding of this oracle says, for choosing a run's
            /// headline (lower first): 0 data a user was promised is gone; 1 a
            /// kernel `BUG_ON` / `VM_BUG_ON`; 2 memory corruption the kernel
            /// does not check; 3 a hang or a leak; 4 a warning.
            pub fn rank(self) -> u8 {
                match self { $(OracleId::$variant => $rank,)* }
            }

            /// Whether the oracle says *how* a race happened (a wakeup that
            /// crossed incarnations, a stale cached mapping…): kept in a
            /// finding's signature beside the headline.
            pub fn mechanism(self) -> bool {
                match self { $(OracleId::$variant => $mech,)* }
            }

            /// The name of the function a fuzz target panics from for this
            /// oracle (crash bucketing: one stack frame per oracle).
            pub fn panic_fn(self) -> &'static str {
                match self { $(OracleId::$variant => stringify!($panic),)* }
            }

            /// The finding's detail for a report: what its payload says.
            pub fn detail(self, p: &Payload, names: &[String]) -> String {
                match self { $(OracleId::$variant => {
                    let f: fn(&Payload, &[String]) -> String = $detail;
                    f(p, names)
                })* }
            }
        }

        /// Calls `$m!` with every oracle as `Variant => panic_fn_name, "name";`,
        /// so other crates (the fuzz harness) generate per-oracle code from
        /// the one declaration in `core/src/oracle/mod.rs`.
        #[macro_export]
        macro_rules! for_each_oracle {
            ($m:ident) => {
                $m! { $( $variant => $panic, $name; )* }
            };
        }
    };
}

use payload::fmt::{context, data, incarnations};

oracles! {
    /// A frame reaches the allocator with PG_writeback set: the bio still in
    /// flight will DMA from (or complete on) whatever the frame becomes next.
    FreeUnderWriteback = (0, "free-under-writeback") {
        severity: Bug, rank: 1, fatal: false, mechanism: true,
        panic: oracle_free_under_writeback,
        mirrors: "mm/page_alloc.c free_page_is_bad(): PG_writeback in PAGE_FLAGS_CHECK_AT_FREE, \"Bad page state\"",
        detail: detail::none,
    }
    /// A wakeup is issued on a frame whose refcount is zero.
    WakeWithoutRef = (1, "wake-without-ref") {
        severity: Warn, rank: 4, fatal: false, mechanism: false,
        panic: oracle_wake_without_ref,
        mirrors: "WARN_ON_ONCE(!page_count(page)) in wake_up_page_bit(), proposed by Linus Torvalds in seed 003",
        detail: detail::none,
    }
    /// A waiter queued on one incarnation of a frame is woken by a waker whose
    /// reference is to an older incarnation: a wakeup that leaks from a
    /// previous use of the page (seed 003).
    CrossIncarnationWakeup = (2, "cross-incarnation-wakeup") {
        severity: Warn, rank: 4, fatal: false, mechanism: true,
        panic: oracle_cross_incarnation_wakeup,
        mirrors: "a wakeup that leaks from a previous use of a page (Linus Torvalds, seed 003)",
        detail: |p, n| incarnations(p, n, "waker held", "waiter queued on"),
    }
    /// `folio_wait_writeback()` returned while PG_writeback is set, where the
    /// caller asserts it is clear.
    WritebackAfterWait = (3, "writeback-after-wait") {
        severity: Bug, rank: 1, fatal: true, mechanism: true,
        panic: oracle_writeback_after_wait,
        mirrors: "BUG_ON(folio_test_writeback(folio)) in folio_prepare_writeback() / write_cache_pages()",
        detail: detail::none,
    }
    /// The device DMA of a bio reads a frame whose incarnation changed since
    /// the bio was submitted: another file's (or a free page's) data goes to
    /// this file's disk block.
    StaleDma = (4, "stale-dma") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_stale_dma,
        mirrors: "a write bio's pages stay owned by the bio until completion (seed 003, Matthew Wilcox's DMA sequence)",
        detail: |p, n| incarnations(p, n, "bio submitted on", "frame now"),
    }
    /// A context touches a frame through a reference taken on an earlier
    /// incarnation, or after the frame was freed. A kernel shows it as
    /// `VM_BUG_ON_PAGE(PageTail(page))` under `CONFIG_DEBUG_VM_PGFLAGS` when
    /// the page has become part of a compound page, as flags of another
    /// page changing, or as a false wakeup (KASAN does not track `struct
    /// page` accesses).
    UseAfterFree = (5, "use-after-free") {
        severity: Bug, rank: 2, fatal: false, mechanism: false,
        panic: oracle_use_after_free,
        mirrors: "VM_BUG_ON_PAGE(PageTail) in PageWaiters() on a reused page (Hugh Dickins, seed 003); a struct page used after it was freed",
        detail: |p, _| match *p {
            Payload::Incarnations { held, now: 0 } => {
                format!("pointer to incarnation #{held} used after the frame was freed")
            }
            Payload::Incarnations { held, now } => {
                format!("pointer to incarnation #{held} used, frame now #{now}")
            }
            _ => String::new(),
        },
    }
    /// `folio_put()` on a frame whose refcount is already zero (or `brelse()`
    /// on a buffer with no reference).
    RefcountUnderflow = (6, "refcount-underflow") {
        severity: Bug, rank: 2, fatal: false, mechanism: false,
        panic: oracle_refcount_underflow,
        mirrors: "VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio)) in folio_put()/folio_get()",
        detail: detail::none,
    }
    /// I/O completion ends writeback on a frame that is not under writeback.
    EndWritebackUnset = (7, "end-writeback-unset") {
        severity: Bug, rank: 1, fatal: true, mechanism: false,
        panic: oracle_end_writeback_unset,
        mirrors: "VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback(); BUG() in v5.x end_page_writeback()",
        detail: detail::none,
    }
    /// The world is quiet but a task still waits: a lost wakeup or a deadlock.
    Hang = (8, "hang") {
        severity: Hang, rank: 3, fatal: false, mechanism: false,
        panic: oracle_hang,
        mirrors: "hung task: a task in D state forever (khungtaskd)",
        detail: detail::hung,
    }
    /// After a successful `fsync()`, or after the final sync of a quiet world,
    /// the disk does not hold what the user was promised.
    DiskMismatch = (9, "disk-mismatch") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_disk_mismatch,
        mirrors: "fsync(2): data written before fsync is on disk when it returns; sync(2) at unmount",
        detail: |p, _| data(p, "disk has", "promised"),
    }
    /// A step that may sleep (`cond_resched()`, `lock_buffer()`, `folio_lock()`,
    /// a mutex) ran while the context held a spinlock.
    SleepInAtomic = (10, "sleep-in-atomic") {
        severity: Bug, rank: 1, fatal: false, mechanism: false,
        panic: oracle_sleep_in_atomic,
        mirrors: "BUG: sleeping function called from invalid context (might_sleep() with a spinlock held)",
        detail: detail::none,
    }
    /// An update made through a buffer head is in neither the folio that
    /// survives in the block device's page cache nor on the disk.
    LostBhUpdate = (11, "lost-bh-update") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_lost_bh_update,
        mirrors: "a buffer modified and marked dirty is written back (metadata corruption, seed 002)",
        detail: detail::none,
    }
    /// A buffer head, or the folio memory its `b_data` pointed at, was used
    /// after it was freed or reused.
    BhUseAfterFree = (12, "bh-use-after-free") {
        severity: Bug, rank: 2, fatal: false, mechanism: false,
        panic: oracle_bh_use_after_free,
        mirrors: "KASAN use-after-free on a buffer_head or on the old page of a migration (seed 002); page_buffers() after try_to_free_buffers() (seed 004)",
        detail: detail::none,
    }
    /// A buffer reference was taken on a folio between the norefs check and
    /// the end of its migration.
    BhRefDuringMigration = (13, "bh-ref-during-migration") {
        severity: Bug, rank: 2, fatal: false, mechanism: false,
        panic: oracle_bh_ref_during_migration,
        mirrors: "buffer_migrate_folio_norefs(): no bh reference may appear once b_count was checked (ebdf4de5642f)",
        detail: detail::none,
    }
    /// A read returned data older than a write that had returned before the
    /// read started, or another file's data.
    StaleRead = (14, "stale-read") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_stale_read,
        mirrors: "read(2) after write(2) returns the written data (POSIX)",
        detail: |p, _| data(p, "read", "promised at least"),
    }
    /// A write zeroed, or read from disk, part of a block according to a
    /// cached mapping (`struct iomap`) that no longer matches the file's
    /// extent map: the decision the current map implies is different.
    StaleIomap = (15, "stale-iomap") {
        severity: Warn, rank: 4, fatal: false, mechanism: true,
        panic: oracle_stale_iomap,
        mirrors: "iomap_write_begin() ->iomap_valid(): no folio is initialised from a stale iomap (d7b64041164c, 304a68b9c63b; trace xfs_iomap_invalid)",
        detail: detail::stale_map,
    }
    /// Writeback mapped a dirty block through a cached writeback mapping to a
    /// disk block the file no longer maps there.
    StaleWritebackMap = (16, "stale-writeback-map") {
        severity: Warn, rank: 4, fatal: false, mechanism: true,
        panic: oracle_stale_writeback_map,
        mirrors: "xfs_imap_valid(): a cached writeback mapping is revalidated against if_seq (d9252d526ba6; xfs/558, generic/524)",
        detail: detail::stale_map,
    }
    /// ext4's extent-status cache says delayed for a block the extent tree
    /// has allocated, or `i_reserved_data_blocks` differs from the number of
    /// delayed entries.
    EsInconsistent = (17, "es-inconsistent") {
        severity: Warn, rank: 4, fatal: false, mechanism: true,
        panic: oracle_es_inconsistent,
        mirrors: "ext4: a delalloc extent-status entry never covers an allocated block, and every delayed block has one reservation (0ea6560abb3b, acf795dc161f)",
        detail: detail::es,
    }
    /// At inode eviction a delalloc reservation is left: ext4's
    /// `i_reserved_data_blocks` is not zero, or XFS still has a delalloc extent.
    ReservationLeak = (18, "reservation-leak") {
        severity: Warn, rank: 3, fatal: false, mechanism: false,
        panic: oracle_reservation_leak,
        mirrors: "ext4_destroy_inode(): \"i_reserved_data_blocks(N) not cleared!\" (seed 001); XFS: delalloc extent left at inode reclaim",
        detail: detail::reserved,
    }
    /// A gfs2 journaled-data buffer was written in place while its contents
    /// had not been added to a transaction.
    UnjournaledJdata = (19, "unjournaled-jdata-write") {
        severity: Warn, rank: 4, fatal: false, mechanism: true,
        panic: oracle_unjournaled_jdata_write,
        mirrors: "gfs2 jdata: a buffer joins the transaction before writeback can write it in place (80baab88bb93, seed 004)",
        detail: detail::none,
    }
    /// `clear_inode()` of an evicted inode found pages still counted in its
    /// mapping: the inode (and its mapping) would be freed under them.
    PagesAtClearInode = (20, "pages-at-clear-inode") {
        severity: Bug, rank: 1, fatal: true, mechanism: false,
        panic: oracle_pages_at_clear_inode,
        mirrors: "fs/inode.c clear_inode(): BUG_ON(inode->i_data.nrpages)",
        detail: detail::pages,
    }
    /// jbd2 wrote a metadata buffer to the log with contents other than the
    /// ones its transaction's handles left: a stale copy (an update that
    /// went to a page the buffer no longer points at) or a later
    /// transaction's update (no frozen copy). Recovery would replay it.
    LogStaleCopy = (21, "log-stale-copy") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_log_stale_copy,
        mirrors: "jbd2_journal_write_metadata_buffer(): the log copy is the buffer as its transaction left it (b_frozen_data once a later handle changes it; BH_Shadow makes writers wait)",
        detail: |p, _| data(p, "log has", "transaction left"),
    }
    /// A buffer left the journal's checkpoint list while its home block
    /// did not hold what the journal committed for it: once the journal
    /// forgets the transaction, recovery cannot bring the update back.
    CheckpointLost = (22, "checkpoint-lost") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_checkpoint_lost,
        mirrors: "fs/jbd2/checkpoint.c: a buffer is removed from the checkpoint list only once it is written in place (__jbd2_journal_remove_checkpoint() after !buffer_dirty && !buffer_locked)",
        detail: |p, _| data(p, "disk has", "committed"),
    }
    /// A migration gave up on a folio, and once the world was quiet and
    /// synced — no task, bio or journal holding anything — a migration of
    /// the same folio, alone, gave up again: it can never succeed. CMA,
    /// memory offlining and compaction rely on a folio nobody holds being
    /// movable; a cache the migration should drain (the bh LRUs) or a test
    /// no state change can pass (a `buffer_meta()` bail) breaks that.
    MigrateStarved = (23, "migrate-starved") {
        severity: Hang, rank: 3, fatal: false, mechanism: false,
        panic: oracle_migrate_starved,
        mirrors: "migrate_pages() of a folio nobody holds succeeds (8cc621d2f45d: bh LRU references made CMA allocations fail; alloc_contig_range() \"PFNs busy\")",
        detail: |p, n| context(p, n, "could not migrate it, and alone, with nothing holding it, cannot"),
    }
    /// An EXCLUSIVE waiter of a folio lock was woken with the lock free and
    /// found it taken more than `vm.page_lock_unfairness` times: the lock
    /// went to others every time. 5ef64cc8987a bounds this (after that many
    /// misses the waker hands the lock over, `WQ_FLAG_CUSTOM`); v5.8's
    /// 2a9127fcf229 always hands it over; before it the waiter could lose
    /// forever.
    PageLockStarved = (24, "page-lock-starved") {
        severity: Hang, rank: 3, fatal: false, mechanism: false,
        panic: oracle_page_lock_starved,
        mirrors: "folio_wait_bit_common(): an EXCLUSIVE waiter is passed over at most sysctl_page_lock_unfairness times (5ef64cc8987a)",
        detail: |p, n| context(p, n, "was passed over for the free folio lock too often"),
    }
    /// A frame was freed while PTEs still mapped it (`_mapcount` not -1):
    /// a user can read and write a page the allocator hands to someone else.
    FreeMapped = (25, "free-mapped") {
        severity: Bug, rank: 1, fatal: false, mechanism: false,
        panic: oracle_free_mapped,
        mirrors: "mm/page_alloc.c free_page_is_bad(): \"BUG: Bad page state\", reason \"nonzero mapcount\"",
        detail: detail::none,
    }
    /// A folio left the page cache while a PTE still mapped it: the user
    /// keeps reading and writing a page the file no longer has.
    BadPageCache = (26, "bad-page-cache") {
        severity: Bug, rank: 1, fatal: false, mechanism: false,
        panic: oracle_bad_page_cache,
        mirrors: "mm/filemap.c filemap_unaccount_folio(): \"BUG: Bad page cache in process\", still mapped when deleted",
        detail: detail::none,
    }
    /// A load of the task's own anonymous memory returned other data than
    /// the last store or direct-I/O read into it put there (zeroes allowed
    /// only after `MADV_DONTNEED`, or `MADV_FREE` with no write since):
    /// the page the user sees is not the one the data went to.
    UserDataLost = (27, "user-data-lost") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_user_data_lost,
        mirrors: "a read(2) into a buffer returns with the data in the buffer; madvise(2) MADV_FREE: a page written after the advice is not freed",
        detail: |p, _| data(p, "load found", "the buffer held"),
    }
    /// A device's read through a page a process pinned (`pin_user_pages()`
    /// for RDMA or a registered buffer, `vmsplice()`) found data other than
    /// what the process put in that page of its memory: its last store
    /// while the page is mapped, or what the page held when the process
    /// unmapped it. The pinned page is no longer the one the process sees
    /// (a write copied it away), or another process's write reached it.
    PinIncoherent = (28, "pin-incoherent") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: false,
        panic: oracle_pin_incoherent,
        mirrors: "a pinned page is the page the process maps (pin_user_pages(): R/O pins are reliable since v5.19; fork(2) and CVE-2020-29374)",
        detail: |p, _| data(p, "device read", "the process's page held"),
    }
    /// The device wrote a file's data into a disk block that more than one
    /// file maps (a block a remap shared, refcount above one): one file's
    /// write lands in the others' data. A shared block is never written in
    /// place: XFS sends a write to it through the COW fork — a buffered
    /// write reserves a block there (`xfs_reflink_allocate_cow()`,
    /// `xfs_buffered_write_iomap_begin()`), writeback maps it
    /// (`xfs_map_blocks()`), the completion remaps it
    /// (`xfs_reflink_end_cow()`).
    SharedOverwrite = (29, "shared-overwrite") {
        severity: DataLoss, rank: 0, fatal: false, mechanism: true,
        panic: oracle_shared_overwrite,
        mirrors: "xfs reflink: a shared extent is copied on write, never overwritten (xfs_reflink_allocate_cow(), xfs_map_blocks(); xfs/xfstests reflink group)",
        detail: detail::shared,
    }
}

const _: () = {
    let mut i = 0;
    while i < OracleId::ALL.len() {
        assert!((OracleId::ALL[i] as u8) < 64, "Findings::seen is a u64");
        i += 1;
    }
};

impl OracleId {
    /// Look an oracle up by its stable name.
    pub fn from_name(s: &str) -> Option<OracleId> {
        OracleId::ALL.iter().copied().find(|o| o.name() == s)
    }

    /// The oracle's stable code.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The oracle with code `b`.
    pub fn from_code(b: u8) -> Option<OracleId> {
        OracleId::ALL.iter().copied().find(|o| o.code() == b)
    }

    /// This oracle's bit in [`Findings::mask`].
    #[inline]
    pub const fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

impl fmt::Display for OracleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_unique() {
        for o in OracleId::ALL {
            assert_eq!(OracleId::from_name(o.name()), Some(*o));
            assert_eq!(OracleId::from_code(o.code()), Some(*o));
            assert!(o.panic_fn().starts_with("oracle_"));
            assert!(!o.doc().trim().is_empty(), "{o} has no doc");
        }
    }
}
