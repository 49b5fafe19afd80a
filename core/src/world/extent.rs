//! A file's block mapping, as the filesystem keeps it: the extent map (XFS's
//! data fork `ip->i_df`, ext4's on-disk extent tree, gfs2's metadata tree —
//! one per-block array here), the fork's sequence number (`if_seq`, bumped by
//! `xfs_iext_inc_seq()` on every change: fs/xfs/libxfs/xfs_iext_tree.c),
//! ext4's extent-status cache and delalloc reservation count, and the
//! allocator of data blocks on the disk.
//!
//! Block states follow `struct xfs_bmbt_irec` / `enum iomap_type`:
//! a *hole* maps nothing; *delalloc* is reserved in memory only
//! (`DELAYSTARTBLOCK`, `IOMAP_DELALLOC`); *unwritten* is allocated but reads
//! as zeroes until converted (`XFS_EXT_UNWRITTEN`, `IOMAP_UNWRITTEN`);
//! *written* is allocated and holds data (`IOMAP_MAPPED`).
//!
//! The files of a simple (ext2-like) filesystem keep their fixed blocks and
//! never look here; the iomap filesystems (XFS, ext4, gfs2) allocate from
//! the data region of the disk, first fit, so a block one file freed is the
//! next one another file gets — which is what makes a stale mapping write
//! someone else's data.

use super::mapping::MAX_INDEX;

/// Filesystem blocks per file page an extent-mapped filesystem can have
/// (1: block size = page size; 2: block size = half a page).
pub const MAX_FILE_BPP: usize = 2;
/// Data units per filesystem block. Data (tokens) is kept per *unit*, so a
/// write can cover part of a block — the partial-block write whose rest
/// `__iomap_write_begin()` must zero or read (xfs/559 writes one byte into
/// the last block).
pub const UPB: usize = 2;
/// Logical blocks of a file on an extent-mapped filesystem.
pub const FILE_LBLKS: usize = MAX_INDEX * MAX_FILE_BPP;
/// Filesystem blocks in the disk's data region (its first
/// `MAX_FILES * MAX_INDEX * MAX_BLOCKS` units; the block device's own blocks
/// follow). Block `p` is disk units `p * UPB ..`.
pub const DATA_BLOCKS: usize = super::MAX_FILES * MAX_INDEX * super::MAX_BLOCKS / UPB;
/// "No physical block".
pub const NO_PBLK: u8 = u8::MAX;

/// Extent (block) states of the file's map.
pub mod ext {
    /// Nothing mapped (`HOLESTARTBLOCK`, `IOMAP_HOLE`).
    pub const HOLE: u8 = 0;
    /// Reserved, not allocated (`DELAYSTARTBLOCK`, `IOMAP_DELALLOC`).
    pub const DELALLOC: u8 = 1;
    /// Allocated, reads as zeroes (`XFS_EXT_UNWRITTEN`, `IOMAP_UNWRITTEN`).
    pub const UNWRITTEN: u8 = 2;
    /// Allocated and written (`XFS_EXT_NORM`, `IOMAP_MAPPED`).
    pub const WRITTEN: u8 = 3;
    /// Short names for traces.
    pub const NAMES: [&str; 4] = ["hole", "delalloc", "unwritten", "written"];
}

/// ext4 extent-status cache entries (fs/ext4/extents_status.h).
pub mod es {
    /// No entry: the lookup misses and the caller reads the extent tree.
    pub const NONE: u8 = 0;
    /// EXTENT_STATUS_HOLE.
    pub const HOLE: u8 = 1;
    /// EXTENT_STATUS_DELAYED.
    pub const DELAYED: u8 = 2;
    /// EXTENT_STATUS_UNWRITTEN.
    pub const UNWRITTEN: u8 = 3;
    /// EXTENT_STATUS_WRITTEN.
    pub const WRITTEN: u8 = 4;
    /// Short names for traces.
    pub const NAMES: [&str; 5] = ["none", "hole", "delayed", "unwritten", "written"];
}

/// One block of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Extent {
    /// See [`ext`].
    pub state: u8,
    /// The disk block, for unwritten and written blocks.
    pub pblk: u8,
}

impl Extent {
    /// A hole.
    pub const HOLE: Extent = Extent {
        state: ext::HOLE,
        pblk: NO_PBLK,
    };

    /// Whether a disk block backs it.
    #[inline]
    pub fn allocated(self) -> bool {
        self.state == ext::UNWRITTEN || self.state == ext::WRITTEN
    }
}

/// The filesystem-private part of one inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FsInode {
    /// The data fork, one entry per logical block.
    pub map: [Extent; FILE_LBLKS],
    /// `ip->i_df.if_seq`: bumped by every change to `map`.
    pub if_seq: u16,
    /// ext4's extent-status cache (`ei->i_es_tree`), see [`es`].
    pub es: [u8; FILE_LBLKS],
    /// ext4 `ei->i_reserved_data_blocks`.
    pub reserved: u8,
    /// XFS's COW fork (`ip->i_cowfp`), one entry per logical block: the
    /// delalloc reservations and allocated staging blocks a write to a
    /// shared block goes to (fs/xfs/xfs_reflink.c), remapped into the data
    /// fork when the write completes. Its written state stands for
    /// `xfs_reflink_convert_cow()` having run at submission.
    pub cow: [Extent; FILE_LBLKS],
    /// `ip->i_cowfp->if_seq`: bumped by every change to `cow`.
    pub cow_seq: u16,
    /// `XFS_DIFLAG_REFLINK` (`xfs_is_reflink_inode()`, so
    /// `xfs_is_cow_inode()`): set on both files by a remap; writes to the
    /// file's shared blocks go through the COW fork.
    pub reflink: bool,
}

impl FsInode {
    /// An empty file.
    pub const EMPTY: FsInode = FsInode {
        map: [Extent::HOLE; FILE_LBLKS],
        if_seq: 0,
        es: [es::NONE; FILE_LBLKS],
        reserved: 0,
        cow: [Extent::HOLE; FILE_LBLKS],
        cow_seq: 0,
        reflink: false,
    };

    /// Set block `lblk`'s mapping, bumping the fork sequence number
    /// (`xfs_iext_update_extent()` / `_insert_raw()` / `_remove()` all call
    /// `xfs_iext_inc_seq()` first).
    #[inline]
    pub fn set(&mut self, lblk: usize, e: Extent) {
        if lblk < FILE_LBLKS && self.map[lblk] != e {
            self.if_seq = self.if_seq.wrapping_add(1);
            self.map[lblk] = e;
        }
    }

    /// Set block `lblk`'s COW fork entry, bumping `cow_seq` (the COW fork's
    /// `xfs_iext_*()` changes bump its `if_seq` as the data fork's do).
    #[inline]
    pub fn set_cow(&mut self, lblk: usize, e: Extent) {
        if lblk < FILE_LBLKS && self.cow[lblk] != e {
            self.cow_seq = self.cow_seq.wrapping_add(1);
            self.cow[lblk] = e;
        }
    }

    /// Make block `lblk`'s allocated COW extent written
    /// (`xfs_reflink_convert_cow_locked()`: an in-core state change, no
    /// I/O) and return its staging block.
    #[inline]
    pub fn cow_convert(&mut self, lblk: usize) -> u8 {
        let pblk = self.cow[lblk].pblk;
        self.set_cow(
            lblk,
            Extent {
                state: ext::WRITTEN,
                pblk,
            },
        );
        pblk
    }

    /// Whether the COW fork holds anything (`xfs_inode_has_cow_data()`).
    #[inline]
    pub fn has_cow_data(&self) -> bool {
        self.cow.iter().any(|e| e.state != ext::HOLE)
    }
}

/// The disk's data-block allocator: one bit per data block, set = in use,
/// and XFS's reference counts of shared blocks (the refcount btree, which
/// records only blocks with more than one owner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct BlockAlloc {
    /// In-use bits.
    pub used: u64,
    /// Owners beyond the first of each data block (refcount - 1).
    pub extra: [u8; DATA_BLOCKS],
}

impl BlockAlloc {
    /// Allocate the lowest free data block (`xfs_alloc_vextent()` /
    /// `ext4_mb_new_blocks()` reduced to first fit), or `None` (ENOSPC).
    pub fn alloc(&mut self) -> Option<u8> {
        let free = !self.used & ((1u64 << DATA_BLOCKS) - 1);
        if free == 0 {
            return None;
        }
        let b = free.trailing_zeros() as u8;
        self.used |= 1 << b;
        Some(b)
    }

    /// Free data block `b`.
    pub fn free(&mut self, b: u8) {
        if (b as usize) < DATA_BLOCKS {
            self.used &= !(1u64 << b);
        }
    }

    /// Whether `b` is in use.
    pub fn in_use(&self, b: u8) -> bool {
        (b as usize) < DATA_BLOCKS && self.used & (1u64 << b) != 0
    }

    /// Another file maps block `b` (`xfs_refcount_increase_extent()`).
    pub fn share(&mut self, b: u8) {
        if let Some(n) = self.extra.get_mut(b as usize) {
            *n = n.saturating_add(1);
        }
    }

    /// Whether more than one file maps block `b` (`xfs_reflink_find_shared()`
    /// finds a refcount record).
    pub fn shared(&self, b: u8) -> bool {
        self.extra.get(b as usize).is_some_and(|&n| n != 0)
    }

    /// One owner lets block `b` go (`__xfs_bunmapi()` → for a reflinked
    /// file `xfs_refcount_decrease_extent()`, else `xfs_free_extent_later()`):
    /// a shared block loses a reference, the last owner frees it.
    pub fn put(&mut self, b: u8) {
        match self.extra.get_mut(b as usize) {
            Some(n) if *n != 0 => *n -= 1,
            _ => self.free(b),
        }
    }
}
