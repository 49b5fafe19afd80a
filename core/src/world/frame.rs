//! Physical frames: `struct page` / `struct folio` as the model sees them.
//!
//! A frame outlives the folios it holds: each allocation is a new
//! *incarnation* of the frame. Every reference the model hands out (a bio, a
//! waiter's queue entry, a task's folio pointer) records the incarnation it
//! saw, which is what makes "a wakeup that leaks from a previous use of the
//! page" and "DMA into a page that was freed and reused" checkable.

/// Index of a frame in [`crate::world::World::frames`].
pub type FrameId = u8;

/// "No frame" in a slot or a field.
pub const NO_FRAME: FrameId = u8::MAX;

/// "No mapping" in [`Frame::mapping`].
pub const NO_MAPPING: u8 = u8::MAX;

/// Page flag bits (include/linux/page-flags.h), only those the model uses.
pub mod pg {
    /// PG_locked: the folio lock, a sleeping bit lock.
    pub const LOCKED: u16 = 1 << 0;
    /// PG_writeback: set under the folio lock, cleared by I/O completion without it.
    pub const WRITEBACK: u16 = 1 << 1;
    /// PG_dirty.
    pub const DIRTY: u16 = 1 << 2;
    /// PG_uptodate.
    pub const UPTODATE: u16 = 1 << 3;
    /// PG_private: buffer heads (or other fs data) attached.
    pub const PRIVATE: u16 = 1 << 4;
    /// PG_waiters: someone may sleep on this folio's hashed waitqueue.
    pub const WAITERS: u16 = 1 << 5;
    /// PG_reclaim: reclaim wants it freed as soon as writeback ends.
    pub const RECLAIM: u16 = 1 << 6;
    /// PG_lru: on an LRU list (in the page cache, not isolated).
    pub const LRU: u16 = 1 << 7;
    /// PG_swapbacked: an anonymous folio whose data lives in memory or
    /// swap; `folio_mark_lazyfree()` clears it (`MADV_FREE`), and reclaim
    /// may then discard a clean one instead of swapping it out.
    pub const SWAPBACKED: u16 = 1 << 8;
    /// PG_anon_exclusive (6c287605fd56): an anonymous folio mapped by one
    /// process only, which a write may reuse without copying. Kept on
    /// every release; read only where [`crate::profile::Toggle::GupUnshare`]
    /// and [`crate::profile::Toggle::GupAnonExclusive`] say the kernel did.
    pub const ANON_EXCLUSIVE: u16 = 1 << 9;
    /// `PAGE_FLAGS_CHECK_AT_FREE` restricted to the bits above.
    pub const CHECK_AT_FREE: u16 = LOCKED | WRITEBACK | PRIVATE | LRU;

    /// Short names for traces, in bit order.
    pub const NAMES: [&str; 10] = ["L", "WB", "D", "U", "P", "W", "R", "LRU", "SB", "AX"];

    /// The kernel's name of a bit a task sleeps on (`PG_locked` or
    /// `PG_writeback`: the only two `folio_wait_bit_common()` waits on here).
    pub fn wait_bit_name(bit: u16) -> &'static str {
        if bit == LOCKED {
            "PG_locked"
        } else {
            "PG_writeback"
        }
    }
}

/// Most blocks a frame can hold (buffer heads per page).
pub const MAX_BLOCKS: usize = 4;

/// One physical frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// `folio_ref_count()`. Zero when free or frozen.
    pub refcount: i16,
    /// Page flags, see [`pg`].
    pub flags: u16,
    /// `folio->mapping` as a mapping index, or [`NO_MAPPING`].
    pub mapping: u8,
    /// `folio->index`.
    pub index: u8,
    /// Bumped at every allocation; references record the one they saw.
    pub inc: u16,
    /// On the free list.
    pub free: bool,
    /// Contents, one data token per block (see [`crate::world::token`]).
    pub data: [u32; MAX_BLOCKS],
    /// `folio->private`: the head of the buffer ring, or `NO_BH`.
    pub bh_head: u8,
    /// Per-block uptodate bits (`struct iomap_folio_state` `state`), for
    /// folios of extent-mapped files with several blocks.
    pub blk_uptodate: u8,
    /// Per-block dirty bits (the second half of `ifs->state`).
    pub blk_dirty: u8,
    /// Per-block BH_Delay (ext4: the block has a delalloc reservation and
    /// writeback must allocate it, `buffer_delay()`).
    pub blk_delay: u8,
    /// The context that froze the refcount (`folio_ref_freeze()`) and owns
    /// the folio while it is frozen, or `NO_OWNER`.
    pub frozen_by: u8,
    /// `folio_mapcount()`: the PTEs mapping it (the kernel's `_mapcount`
    /// plus one), kept apart from `refcount` though each holds a reference.
    pub mapcount: u8,
    /// An anonymous folio (`folio_test_anon()`: `PAGE_MAPPING_ANON` in
    /// `folio->mapping`): its owner task plus one, whose `anon_vma` (its
    /// own mm, without `fork()`) the rmap walks; 0 for any other folio.
    /// `index` is its page in the owner's anonymous memory.
    pub anon: u8,
}

impl Frame {
    /// A frame that was never allocated.
    pub const EMPTY: Frame = Frame {
        refcount: 0,
        flags: 0,
        mapping: NO_MAPPING,
        index: 0,
        inc: 0,
        free: true,
        data: [0; MAX_BLOCKS],
        bh_head: u8::MAX,
        blk_uptodate: 0,
        blk_dirty: 0,
        blk_delay: 0,
        frozen_by: crate::world::NO_OWNER,
        mapcount: 0,
        anon: 0,
    };

    /// The owner task of an anonymous folio (`None`: not anonymous).
    #[inline]
    pub fn anon_owner(&self) -> Option<u8> {
        self.anon.checked_sub(1)
    }

    /// Whether all of `bits` are set.
    #[inline]
    pub fn test(&self, bits: u16) -> bool {
        self.flags & bits == bits
    }

    /// Flags as a short string (`L|WB|D`) for traces.
    pub fn flag_string(&self) -> String {
        let mut s = String::new();
        for (i, n) in pg::NAMES.iter().enumerate() {
            if self.flags & (1 << i) != 0 {
                if !s.is_empty() {
                    s.push('|');
                }
                s.push_str(n);
            }
        }
        if s.is_empty() {
            s.push('-');
        }
        s
    }
}

/// A pointer to a folio as some context holds it: the frame and the
/// incarnation it was taken on. Whether it is a *counted* reference is up to
/// the holder (a bio's is not: PG_writeback holds no reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FolioRef {
    /// The frame.
    pub frame: FrameId,
    /// The incarnation seen when the pointer was taken.
    pub inc: u16,
}

impl FolioRef {
    /// A null pointer.
    pub const NONE: FolioRef = FolioRef {
        frame: NO_FRAME,
        inc: 0,
    };

    /// Whether this is a null pointer.
    #[inline]
    pub fn is_none(self) -> bool {
        self.frame == NO_FRAME
    }
}
