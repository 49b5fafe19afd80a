//! Buffer heads (`struct buffer_head`, include/linux/buffer_head.h) and the
//! per-CPU bh LRU (fs/buffer.c `bh_lrus`).
//!
//! A block-device folio carries a ring of buffer heads, one per block,
//! linked by `b_this_page` and attached through `folio->private`.
//! `b_count` is independent of the folio refcount — taking a bh reference
//! does not pin the folio against migration's refcount freeze, which is the
//! whole of Case 2. Each buffer head records the folio (and its
//! incarnation) `b_folio` points at; the model's buffer heads have
//! incarnations too, so a pointer to a freed bh is detectable.

use super::frame::FolioRef;

/// Buffer heads in the model.
pub const MAX_BH: usize = 8;
/// "No buffer head".
pub const NO_BH: u8 = u8::MAX;
/// Slots per CPU bh LRU (16 in the kernel; 2 keep cases small).
pub const BH_LRU_SIZE: usize = 2;

/// `enum bh_state_bits`, only those the model uses.
pub mod bs {
    /// BH_Uptodate.
    pub const UPTODATE: u16 = 1 << 0;
    /// BH_Dirty.
    pub const DIRTY: u16 = 1 << 1;
    /// BH_Lock.
    pub const LOCK: u16 = 1 << 2;
    /// BH_Mapped.
    pub const MAPPED: u16 = 1 << 3;
    /// BH_Meta: metadata (ext4 `__ext4_handle_dirty_metadata()` sets it).
    pub const META: u16 = 1 << 4;
    /// BH_Migrate: a norefs migration is under way (2d900efff915).
    pub const MIGRATE: u16 = 1 << 5;
    /// gfs2: a `struct gfs2_bufdata` with `bd_tr` set — the buffer is in a
    /// transaction and pinned until the log is flushed (`gfs2_trans_add_data()`).
    pub const TRANS: u16 = 1 << 6;
    /// gfs2 journaled data: the buffer's current contents were added to a
    /// transaction (cleared when a write dirties it again), so writing it in
    /// place is ordered after its journal copy.
    pub const JLOGGED: u16 = 1 << 7;
    /// BH_Async_Write: in a page writeback bio, locked by it
    /// (`mark_buffer_async_write()` … `end_buffer_async_write()`).
    pub const ASYNC_WRITE: u16 = 1 << 8;
}

/// One buffer head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BufferHead {
    /// Allocated (part of a ring).
    pub live: bool,
    /// Bumped at every allocation.
    pub inc: u16,
    /// `b_count`.
    pub b_count: i16,
    /// `b_state`, see [`bs`].
    pub state: u16,
    /// `b_folio`, with the incarnation it was set on.
    pub folio: FolioRef,
    /// Block within the folio (`bh_offset() / b_size`).
    pub offset: u8,
    /// `b_blocknr`.
    pub blocknr: u8,
    /// `b_this_page`.
    pub next: u8,
}

impl BufferHead {
    /// An unused slot.
    pub const DEAD: BufferHead = BufferHead {
        live: false,
        inc: 0,
        b_count: 0,
        state: 0,
        folio: FolioRef::NONE,
        offset: 0,
        blocknr: 0,
        next: NO_BH,
    };
}

/// A pointer to a buffer head as some context holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BhRef {
    /// The slot.
    pub id: u8,
    /// The incarnation seen.
    pub inc: u16,
}

impl BhRef {
    /// A null pointer.
    pub const NONE: BhRef = BhRef { id: NO_BH, inc: 0 };

    /// Whether null.
    #[inline]
    pub fn is_none(self) -> bool {
        self.id == NO_BH
    }
}

impl Default for BhRef {
    fn default() -> Self {
        BhRef::NONE
    }
}
