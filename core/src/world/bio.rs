//! Bios in flight: explicit I/O objects with their own context.
//!
//! A bio records the frame and the incarnation it was submitted with. The
//! device's DMA is its own step ([`crate::step::StepId::DmaTransfer`]) that
//! reads the frame *at transfer time*; completion then runs in the bio's own
//! context, the way `bio_endio()` runs from the block layer's interrupt or
//! workqueue context.

use super::frame::FolioRef;

/// Most bios a case can submit (each is a context of its own).
pub const MAX_BIOS: usize = 12;

/// What a bio does and how it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum BioKind {
    /// A page-cache writeback bio; completion is `folio_end_writeback()`.
    #[default]
    WritePage,
    /// A read into a locked, new folio; completion sets uptodate and unlocks.
    ReadPage,
    /// jbd2's log copy of a metadata buffer (`submit_bh()` of the log buffer
    /// `jbd2_journal_write_metadata_buffer()` made): the DMA reads the
    /// buffer's folio (or its frozen copy) at transfer time; completion is
    /// `journal_end_buffer_io_sync()`.
    JournalLog,
    /// A buffer written in place (`write_dirty_buffer()` → `submit_bh()`);
    /// completion is `end_buffer_write_sync()`.
    WriteBuffer,
    /// A direct-I/O read into a user page, waited for by its submitter
    /// (`__blkdev_direct_IO_simple()`'s `submit_bio_wait()`): completion
    /// only wakes it.
    DioSimple,
    /// An iomap direct-I/O read into a user page: completion is
    /// `iomap_dio_bio_end_io()` (`bio_check_pages_dirty()` releases the
    /// page) and wakes the submitter.
    DioIomap,
    /// An iomap direct write from a user page: the DMA reads the page into
    /// the disk blocks; completion releases the page and wakes the
    /// submitter, whose `iomap_dio_complete()` does the rest.
    DioWrite,
    /// A direct write from a user page to the block device
    /// (`__blkdev_direct_IO_simple()`): completion only wakes the
    /// submitter (`submit_bio_wait()`), which releases the page.
    DioWriteSimple,
}

/// One bio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Bio {
    /// Submitted and not yet finished.
    pub live: bool,
    /// What it is.
    pub kind: BioKind,
    /// The frame and the incarnation it was submitted with.
    pub folio: FolioRef,
    /// The file and page index it writes (or reads).
    pub mapping: u8,
    /// Page index.
    pub index: u8,
    /// The I/O fails (fault injection).
    pub error: bool,
    /// Progress through its steps (see `block::bio`).
    pub pc: u8,
    /// `__folio_end_writeback()`'s return value, carried to the wake step.
    pub had_waiters: bool,
    /// Holds a counted reference (073861ed77b6) between its steps.
    pub holds_ref: bool,
    /// For an extent-mapped file: the disk block each block of the page
    /// goes to (or comes from), `NO_PBLK` for a block not transferred (clean,
    /// a hole, or zeroes on a read).
    pub pblk: [u8; super::MAX_BLOCKS],
    /// The ioend's completion work per block of the page: bit `b`, its
    /// extent was unwritten when mapped and is converted
    /// (`IOMAP_IOEND_UNWRITTEN`, `xfs_end_ioend()`); bit
    /// `b + IOEND_SHARED_SHIFT`, it was written to its COW fork block and is
    /// remapped (`IOMAP_IOEND_SHARED`, `xfs_reflink_end_cow()`).
    pub convert: u8,
    /// The buffer head a buffer bio is for (`NO_BH` for a page bio).
    pub bh: u8,
    /// A journal log bio: the transaction it logs for.
    pub tid: u8,
    /// A journal log bio of a frozen copy: its data (`frozen` set).
    pub token: u32,
    /// A journal log bio writes `token` (`b_frozen_data`), not the folio.
    pub frozen: bool,
    /// The context that submitted it.
    pub task: u8,
    /// A direct write: the version of the file data each unit of the user
    /// buffer was filled with, replaced by the DMA with the version the
    /// data lands as (a write's place in the order of writes to a block is
    /// when its data reaches it).
    pub vers: [u16; super::MAX_BLOCKS],
}

/// Where a bio's `convert` keeps its shared (COW) blocks.
pub const IOEND_SHARED_SHIFT: u8 = 4;

impl Default for FolioRef {
    fn default() -> Self {
        FolioRef::NONE
    }
}
