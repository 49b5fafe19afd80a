//! Every oracle: its stable name, its severity, and the kernel assertion or
//! user-visible promise it mirrors.
//!
//! Oracles fire from inside the steps (the way `BUG_ON` and `WARN_ON` sit
//! inside kernel functions) or at the end of a run, once the world is quiet
//! (data integrity, stuck tasks). A firing is a [`Finding`]: which oracle,
//! in which context, at which step, on which frame.

use std::fmt;

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
    ($( $(#[doc = $doc:literal])* $variant:ident = ($name:literal, $sev:ident, $mirrors:literal), )*) => {
        /// Every oracle the model has.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum OracleId {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl OracleId {
            /// All oracles, in `u8` order.
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
        }
    };
}

oracles! {
    /// A frame reaches the allocator with PG_writeback set: the bio still in
    /// flight will DMA from (or complete on) whatever the frame becomes next.
    FreeUnderWriteback = ("free-under-writeback", Bug,
        "mm/page_alloc.c free_page_is_bad(): PG_writeback in PAGE_FLAGS_CHECK_AT_FREE, \"Bad page state\""),
    /// A wakeup is issued on a frame whose refcount is zero.
    WakeWithoutRef = ("wake-without-ref", Warn,
        "WARN_ON_ONCE(!page_count(page)) in wake_up_page_bit(), proposed by Linus Torvalds in seed 003"),
    /// A waiter queued on one incarnation of a frame is woken by a waker whose
    /// reference is to an older incarnation: a wakeup that leaks from a
    /// previous use of the page (seed 003).
    CrossIncarnationWakeup = ("cross-incarnation-wakeup", Warn,
        "a wakeup that leaks from a previous use of a page (Linus Torvalds, seed 003)"),
    /// `folio_wait_writeback()` returned while PG_writeback is set, where the
    /// caller asserts it is clear.
    WritebackAfterWait = ("writeback-after-wait", Bug,
        "BUG_ON(folio_test_writeback(folio)) in folio_prepare_writeback() / write_cache_pages()"),
    /// The device DMA of a bio reads a frame whose incarnation changed since
    /// the bio was submitted: another file's (or a free page's) data goes to
    /// this file's disk block.
    StaleDma = ("stale-dma", DataLoss,
        "a write bio's pages stay owned by the bio until completion (seed 003, Matthew Wilcox's DMA sequence)"),
    /// A context touches a frame through a reference taken on an earlier
    /// incarnation, or after the frame was freed.
    UseAfterFree = ("use-after-free", Bug,
        "VM_BUG_ON_PAGE(PageTail) in PageWaiters() on a reused page (Hugh Dickins, seed 003); KASAN use-after-free"),
    /// `folio_put()` on a frame whose refcount is already zero.
    RefcountUnderflow = ("refcount-underflow", Bug,
        "VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio)) in folio_put()/folio_get()"),
    /// I/O completion ends writeback on a frame that is not under writeback.
    EndWritebackUnset = ("end-writeback-unset", Bug,
        "VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback(); BUG() in v5.x end_page_writeback()"),
    /// The world is quiet but a task still waits: a lost wakeup or a deadlock.
    Hang = ("hang", Hang,
        "hung task: a task in D state forever (khungtaskd)"),
    /// After a successful `fsync()`, or after the final sync of a quiet world,
    /// the disk does not hold what the user was promised.
    DiskMismatch = ("disk-mismatch", DataLoss,
        "fsync(2): data written before fsync is on disk when it returns; sync(2) at unmount"),
    /// A step that may sleep (`cond_resched()`, `lock_buffer()`, `folio_lock()`,
    /// a mutex) ran while the context held a spinlock.
    SleepInAtomic = ("sleep-in-atomic", Bug,
        "BUG: sleeping function called from invalid context (might_sleep() with a spinlock held)"),
    /// An update made through a buffer head is in neither the folio that
    /// survives in the block device's page cache nor on the disk.
    LostBhUpdate = ("lost-bh-update", DataLoss,
        "a buffer modified and marked dirty is written back (metadata corruption, seed 002)"),
    /// A buffer head, or the folio memory its `b_data` pointed at, was used
    /// after it was freed or reused.
    BhUseAfterFree = ("bh-use-after-free", Bug,
        "KASAN use-after-free on a buffer_head or on the old page of a migration (seed 002); page_buffers() after try_to_free_buffers() (seed 004)"),
    /// A buffer reference was taken on a folio between the norefs check and
    /// the end of its migration.
    BhRefDuringMigration = ("bh-ref-during-migration", Bug,
        "buffer_migrate_folio_norefs(): no bh reference may appear once b_count was checked (ebdf4de5642f)"),
    /// A read returned data older than a write that had returned before the
    /// read started, or another file's data.
    StaleRead = ("stale-read", DataLoss,
        "read(2) after write(2) returns the written data (POSIX)"),
    /// A write zeroed, or read from disk, part of a block according to a
    /// cached mapping (`struct iomap`) that no longer matches the file's
    /// extent map: the decision the current map implies is different.
    StaleIomap = ("stale-iomap", Warn,
        "iomap_write_begin() ->iomap_valid(): no folio is initialised from a stale iomap (d7b64041164c, 304a68b9c63b; trace xfs_iomap_invalid)"),
    /// Writeback mapped a dirty block through a cached writeback mapping to a
    /// disk block the file no longer maps there.
    StaleWritebackMap = ("stale-writeback-map", Warn,
        "xfs_imap_valid(): a cached writeback mapping is revalidated against if_seq (d9252d526ba6; xfs/558, generic/524)"),
    /// ext4's extent-status cache says delayed for a block the extent tree
    /// has allocated, or `i_reserved_data_blocks` differs from the number of
    /// delayed entries.
    EsInconsistent = ("es-inconsistent", Warn,
        "ext4: a delalloc extent-status entry never covers an allocated block, and every delayed block has one reservation (0ea6560abb3b, acf795dc161f)"),
    /// At inode eviction a delalloc reservation is left: ext4's
    /// `i_reserved_data_blocks` is not zero, or XFS still has a delalloc extent.
    ReservationLeak = ("reservation-leak", Warn,
        "ext4_destroy_inode(): \"i_reserved_data_blocks(N) not cleared!\" (seed 001); XFS: delalloc extent left at inode reclaim"),
    /// A gfs2 journaled-data buffer was written in place while its contents
    /// had not been added to a transaction.
    UnjournaledJdata = ("unjournaled-jdata-write", Warn,
        "gfs2 jdata: a buffer joins the transaction before writeback can write it in place (80baab88bb93, seed 004)"),
}

impl OracleId {
    /// Look an oracle up by its stable name.
    pub fn from_name(s: &str) -> Option<OracleId> {
        OracleId::ALL.iter().copied().find(|o| o.name() == s)
    }

    /// The oracle with this `u8` value.
    pub fn from_u8(b: u8) -> Option<OracleId> {
        OracleId::ALL.get(b as usize).copied()
    }

    /// Whether the kernel stops here (`BUG_ON`, `BUG()`): what happens after
    /// it in a run is not part of the story. Bad page state, KASAN reports,
    /// warnings and data loss let the kernel go on.
    pub fn fatal(self) -> bool {
        matches!(
            self,
            OracleId::WritebackAfterWait | OracleId::EndWritebackUnset
        )
    }

    /// How much a finding of this oracle says, for choosing a run's headline
    /// (lower first): data a user was promised is gone; a kernel `BUG_ON` /
    /// `VM_BUG_ON`; memory corruption the kernel does not check; a hang; a warning.
    pub fn rank(self) -> u8 {
        use OracleId::*;
        match self {
            StaleDma | DiskMismatch | StaleRead | LostBhUpdate => 0,
            WritebackAfterWait | FreeUnderWriteback | EndWritebackUnset | SleepInAtomic => 1,
            UseAfterFree | RefcountUnderflow | BhUseAfterFree | BhRefDuringMigration => 2,
            Hang | ReservationLeak => 3,
            CrossIncarnationWakeup
            | WakeWithoutRef
            | StaleIomap
            | StaleWritebackMap
            | EsInconsistent
            | UnjournaledJdata => 4,
        }
    }
}

impl fmt::Display for OracleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One firing of an oracle.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Finding {
    /// Which oracle.
    pub oracle: OracleId,
    /// The context that was running (a task, a bio, or the final checks).
    pub ctx: u8,
    /// The global step number at which it fired.
    pub step_no: u32,
    /// The step it fired in, as a [`crate::step::StepId`] value (`u8::MAX`:
    /// outside any step, as a hang is).
    pub at: u8,
    /// The frame involved, or `u8::MAX`.
    pub frame: u8,
    /// Oracle-specific detail (an incarnation, a block number, another context), for the report.
    pub a: u32,
    /// A second detail value.
    pub b: u32,
}

/// The findings of one run: at most one per oracle (the first), in firing order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    list: [Option<Finding>; 8],
    seen: u32,
    len: u8,
}

impl Findings {
    /// Record `f` unless its oracle already fired in this run.
    pub fn push(&mut self, f: Finding) {
        let bit = 1u32 << (f.oracle as u8);
        if self.seen & bit != 0 {
            return;
        }
        self.seen |= bit;
        if (self.len as usize) < self.list.len() {
            self.list[self.len as usize] = Some(f);
            self.len += 1;
        }
    }

    /// Record that the findings of global step `step_no` fired in step `at`.
    pub fn set_step(&mut self, step_no: u32, at: crate::step::StepId) {
        for f in self.list[..self.len as usize].iter_mut().flatten() {
            if f.step_no == step_no && f.at == u8::MAX {
                f.at = at as u8;
            }
        }
    }

    /// The set of oracles that fired, one bit per [`OracleId`].
    pub fn mask(&self) -> u32 {
        self.seen
    }

    /// Whether a fatal oracle fired (the kernel would have stopped).
    pub fn stopped(&self) -> bool {
        self.iter().any(|f| f.oracle.fatal())
    }

    /// Findings not yet given a step fired outside any step (the checks of a
    /// quiet world): mark them so no later step claims them.
    pub fn seal_pending(&mut self) {
        for f in self.list[..self.len as usize].iter_mut().flatten() {
            if f.at == u8::MAX {
                f.at = u8::MAX - 1;
            }
        }
    }

    /// Whether nothing fired.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The findings, first fired first.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.list[..self.len as usize].iter().flatten()
    }

    /// The first finding in firing order.
    pub fn first(&self) -> Option<&Finding> {
        self.iter().next()
    }

    /// The findings up to and including the first fatal one (the kernel
    /// would have stopped there).
    pub fn story(&self) -> impl Iterator<Item = &Finding> {
        let mut stopped = false;
        self.iter().take_while(move |f| {
            let keep = !stopped;
            stopped |= f.oracle.fatal();
            keep
        })
    }

    /// The finding a run is reported by: among [`Findings::story`], the
    /// lowest [`OracleId::rank`], the first fired among equals. A fuzz target
    /// panics with this one.
    pub fn headline(&self) -> Option<&Finding> {
        self.story().min_by_key(|f| (f.oracle.rank(), f.step_no))
    }

    /// Whether `o` fired.
    pub fn has(&self, o: OracleId) -> bool {
        self.seen & (1u32 << (o as u8)) != 0
    }

    /// Number of distinct oracles that fired.
    pub fn len(&self) -> usize {
        self.len as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique() {
        for (i, o) in OracleId::ALL.iter().enumerate() {
            assert_eq!(*o as usize, i);
            assert_eq!(OracleId::from_name(o.name()), Some(*o));
        }
        assert!(OracleId::ALL.len() <= 32, "Findings::seen is a u32");
    }
}
