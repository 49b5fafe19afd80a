//! Address spaces: the page cache of one file (`struct address_space`).

use super::frame::{FrameId, NO_FRAME};

/// Page-cache indices per file the model has.
pub const MAX_INDEX: usize = 4;

/// xarray marks on a page-cache slot (`PAGECACHE_TAG_*`).
pub mod mark {
    /// PAGECACHE_TAG_DIRTY.
    pub const DIRTY: u8 = 1 << 0;
    /// PAGECACHE_TAG_WRITEBACK.
    pub const WRITEBACK: u8 = 1 << 1;
    /// PAGECACHE_TAG_TOWRITE.
    pub const TOWRITE: u8 = 1 << 2;
}

/// One slot of `mapping->i_pages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The folio's frame, or [`NO_FRAME`].
    pub frame: FrameId,
    /// xarray marks, see [`mark`].
    pub marks: u8,
}

impl Slot {
    /// An empty slot.
    pub const EMPTY: Slot = Slot {
        frame: NO_FRAME,
        marks: 0,
    };
}

/// One file's page cache and inode state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mapping {
    /// `i_pages`: index → folio.
    pub slots: [Slot; MAX_INDEX],
    /// `i_size`, in pages.
    pub i_size: u8,
    /// AS_EIO: a writeback error not yet reported by fsync.
    pub eio: bool,
    /// `mapping->nrpages`, kept where the kernel keeps it (under the
    /// xa_lock, after the xarray store), not derived from the slots: a
    /// lockless lookup can see the slots and the count disagree.
    pub nrpages: u8,
    /// The inode's `i_count`: the references of open file descriptors
    /// ([`crate::world::World::fds`]), of mappings' `vm_file`s, and of the
    /// walks that `__iget()` it (`drop_caches`).
    pub i_count: u8,
    /// The inode's `i_nlink`: its names. `vfs_unlink()` drops the one
    /// name a file has; the last `iput()` of an inode with none evicts it
    /// (`generic_drop_inode()`), and `open()` of it fails with `-ENOENT`.
    pub i_nlink: u8,
    /// The inode's `i_state` ([`istate`]).
    pub i_state: u8,
}

/// `inode->i_state` bits (include/linux/fs.h).
pub mod istate {
    /// `I_FREEING`: `iput_final()` decided to evict; no new user may find it.
    pub const FREEING: u8 = 1;
    /// `I_CLEAR`: `clear_inode()` ran; the inode is gone.
    pub const CLEAR: u8 = 2;
}

impl Mapping {
    /// An empty file.
    pub const EMPTY: Mapping = Mapping {
        slots: [Slot::EMPTY; MAX_INDEX],
        i_size: 0,
        eio: false,
        nrpages: 0,
        i_count: 0,
        i_nlink: 1,
        i_state: 0,
    };

    /// `mapping_tagged()`: any slot carries `m`.
    pub fn tagged(&self, m: u8) -> bool {
        self.slots
            .iter()
            .any(|s| s.frame != NO_FRAME && s.marks & m != 0)
    }

    /// `mapping_empty()`.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(|s| s.frame == NO_FRAME)
    }
}
