//! The filesystem seam: the operations `mm/` and `block/` call on a mapping,
//! as the kernel calls `mapping->a_ops` (`struct address_space_operations`,
//! include/linux/fs.h), `file->f_op`, `inode->i_op->setattr` and
//! `vma->vm_ops->page_mkwrite`.
//!
//! Each filesystem declares one [`AddressSpaceOps`] table in its own file
//! (`fs/simple.rs`, `fs/xfs.rs`, `fs/ext4.rs`, `fs/gfs2.rs`; the block
//! device's in `block/fops.rs`, as `def_blk_aops` is in block/fops.c), and
//! [`a_ops`] picks the table of a mapping. `mm/` and `block/` never ask
//! which filesystem they run on; a new filesystem is a new table.

use super::{FsMkwrite, ReadFolio, WbCtx, WriteIter};
use crate::exec::poll::Cond;
use crate::step::StepId;
use crate::world::{Bio, Config, FolioRef, Fs, LockId, World, BDEV, MAX_BLOCKS};

/// A lock a filesystem's fault handlers hold.
#[derive(Clone, Copy, Debug)]
pub enum FaultLock {
    /// Nothing.
    None,
    /// `filemap_invalidate_lock_shared()` (ext4's `i_mmap_sem` before
    /// d4f5258eae7b, XFS's `XFS_MMAPLOCK_SHARED`), for the handler's own
    /// duration.
    InvalidateShared,
    /// The same, taken by the filesystem's `->fault` around
    /// `filemap_fault()` until this toggle (730633f0b7f9: `filemap_fault()`
    /// takes it itself when it must create or read the folio).
    InvalidateSharedUntil(crate::profile::Toggle),
    /// The filesystem's own inode lock of the file, exclusive, taken in a
    /// step with this label and held to the end of the fault
    /// (`gfs2_page_mkwrite()`: the inode glock).
    Exclusive(fn(u8) -> LockId, StepId),
}

/// The locks `->setattr` takes around a truncate's page-cache truncation.
#[derive(Clone, Copy, Debug)]
pub struct SetattrLocks {
    /// The filesystem's own inode lock, taken exclusive with `i_rwsem`
    /// (`gfs2_setattr()`: the inode glock).
    pub inode_lock: Option<fn(u8) -> LockId>,
    /// `filemap_invalidate_lock()` over `truncate_setsize()` and
    /// `truncate_pagecache()` (XFS's `XFS_MMAPLOCK_EXCL`, ext4).
    pub invalidate_lock: bool,
}

/// Which `->migrate_folio` the mapping has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrateKind {
    /// `migrate_folio()` / `filemap_migrate_folio()`: no buffers to move.
    Folio,
    /// `buffer_migrate_folio()`: buffers move with the folio, no reference check.
    Buffers,
    /// `buffer_migrate_folio_norefs()`: buffers move only if none is
    /// referenced (the block device, ext4's journalled metadata).
    BuffersNorefs,
}

/// One step of writeback's block mapping of a folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapStep {
    /// The folio is mapped, in a step with this label: the disk units its
    /// bio carries (per unit of the page, `NO_PBLK` for units not written)
    /// and the blocks its ioend converts.
    Done([u8; MAX_BLOCKS], u8, StepId),
    /// A step with this label; more follow.
    Ran(StepId),
    /// Wait for this before the next step.
    Wait(Cond),
}

/// The per-folio block mapping of writeback (`->map_blocks` of
/// `iomap_writeback_ops`, ext4's `mpage_map_one_extent()`, gfs2's mapped
/// buffers) for a locked folio under writeback, a step at a time; its
/// progress lives in the [`WbCtx`].
pub type MapBlocks = fn(&mut World, u8, FolioRef, &mut WbCtx) -> MapStep;

/// A lock of a file (by the file's number), and the label of the step that
/// takes it.
pub type FileLock = (fn(u8) -> LockId, StepId);

/// One filesystem's operations (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct AddressSpaceOps {
    /// The filesystem's name in litmus files (`config fs=`).
    pub name: &'static str,
    /// `f_op->write_iter` for a buffered write of data units
    /// `unit..unit + len`.
    pub write_iter: fn(&Config, u8, u8, u8) -> WriteIter,
    /// `f_op->read_iter` with `IOCB_DIRECT`: how a direct read is done.
    pub direct_io: crate::fs::direct_io::DioHow,
    /// The lock `f_op->read_iter` holds shared around `filemap_read()`, and
    /// the label of the step that takes it (`gfs2_file_read_iter()`: the
    /// inode glock).
    pub read_lock: Option<FileLock>,
    /// Folios track which blocks are uptodate (`->is_partially_uptodate`):
    /// a cached folio that is not uptodate is locked and its missing blocks
    /// read, instead of waiting for a read in flight.
    pub partial_uptodate: bool,
    /// `->read_folio` for a locked folio (its missing blocks).
    pub read_folio: fn(u8, FolioRef, bool) -> ReadFolio,
    /// `->writepages`' block mapping; `None`: a page's blocks are its fixed
    /// blocks (`block_write_full_folio()` with a 1:1 `get_block`).
    pub map_blocks: Option<MapBlocks>,
    /// `__block_write_full_folio()`'s pass over the folio's buffers once
    /// `folio_clear_dirty_for_io()` succeeded (gfs2 jdata: the in-place
    /// write of `gfs2_write_jdata_folio()`).
    pub writepage_buffers: fn(&mut World, FolioRef),
    /// `->release_folio` as `filemap_release_folio()` calls it; `Err`:
    /// wait for a lock.
    pub release_folio: fn(&mut World, FolioRef) -> Result<bool, Cond>,
    /// `->migrate_folio`.
    pub migrate_folio: MigrateKind,
    /// The ioend completion work of a write bio (`xfs_end_ioend()`,
    /// `ext4_end_io_end()`): unwritten extents it wrote become written;
    /// `Err`: the work sleeps on a lock first.
    pub end_io: fn(&mut World, &Bio) -> Result<(), Cond>,
    /// `i_op->setattr`'s locks around a truncate.
    pub setattr: SetattrLocks,
    /// `->setattr` freeing the blocks past a new EOF (`ext2_truncate_blocks()`,
    /// `xfs_itruncate_extents()`, `ext4_truncate()`, gfs2's `punch_hole()`),
    /// from page `size` on; `Err`: it sleeps on a lock first (one step: the
    /// lock is taken and released inside it).
    pub truncate_blocks: fn(&mut World, u8, u8) -> Result<(), Cond>,
    /// What `vm_ops->fault` holds around `filemap_fault()` (ext4's
    /// `ext4_filemap_fault()`, XFS's `__xfs_filemap_fault()` before v5.15).
    pub fault_lock: FaultLock,
    /// What `vm_ops->page_mkwrite` holds while it runs (ext4's
    /// `ext4_page_mkwrite()`, XFS's `xfs_write_fault()`); released before
    /// the store, the folio still locked.
    pub mkwrite_lock: FaultLock,
    /// The toggle before which the filesystem took none of its fault and
    /// punch lock (`invalidate_lock`, ext4's `i_mmap_sem`): faults shared,
    /// hole punching and truncation exclusive (`None`: always took it).
    pub invalidate_lock_since: Option<crate::profile::Toggle>,
    /// `vm_ops->page_mkwrite`'s filesystem part, on a locked folio.
    pub page_mkwrite: fn(u8, u8) -> FsMkwrite,
    /// `->dirty_folio` after a store through a mapping dirtied units
    /// `from..to` of the locked folio (per-block state, gfs2's buffers).
    pub dirty_folio: fn(&mut World, FolioRef, usize, usize),
}

/// The operations of `mapping` (a file on the case's filesystem, or the
/// block device).
pub fn a_ops(cfg: &Config, mapping: u8) -> &'static AddressSpaceOps {
    if mapping == BDEV {
        return &crate::block::fops::DEF_BLK_AOPS;
    }
    match cfg.fs {
        Fs::Simple => &super::simple::SIMPLE_AOPS,
        Fs::Xfs => &super::xfs::XFS_AOPS,
        Fs::Ext4 => &super::ext4::EXT4_AOPS,
        Fs::Gfs2 => &super::gfs2::GFS2_AOPS,
    }
}

impl World {
    /// The operations of `mapping` ([`a_ops`]).
    #[inline]
    pub fn a_ops(&self, mapping: u8) -> &'static AddressSpaceOps {
        a_ops(&self.cfg, mapping)
    }

    /// Whether `mapping`'s filesystem takes its `invalidate_lock` in faults
    /// (shared) and in hole punching and truncation (exclusive) on this
    /// kernel ([`AddressSpaceOps::invalidate_lock_since`]).
    pub fn fs_invalidate_lock(&self, mapping: u8) -> bool {
        self.a_ops(mapping)
            .invalidate_lock_since
            .is_none_or(|t| self.has(t))
    }
}
