//! The shadow model: what users were promised.
//!
//! A write that returned promises its data to every later read; an fsync that
//! returned 0 promises the data of every write that returned before it
//! started to the disk; at the end of a quiet run the final sync promises
//! everything. The data-integrity oracles compare the disk and reads to this.

use super::{MAX_LBLK, MAX_MAPPINGS};

/// Per-mapping, per-block promises (a file's block is its page; the block
/// device has `bh_per_page` blocks per page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shadow {
    /// Version of the last write that returned (0 = zeroes / hole).
    pub latest: [[u16; MAX_LBLK]; MAX_MAPPINGS],
    /// Version of the next write to each page.
    pub next: [[u16; MAX_LBLK]; MAX_MAPPINGS],
    /// A writeback of this page failed when versions below this one had been
    /// written: any of them may be lost (the error goes to the next fsync);
    /// only a version at or above it is promised again.
    pub void_below: [[u16; MAX_LBLK]; MAX_MAPPINGS],
    /// Bumped by every truncate: promises taken before it may no longer hold.
    pub truncs: [u16; MAX_MAPPINGS],
    /// The units `from..to` of a hole punch in progress, from its page-cache
    /// truncation to the freeing of its blocks (`i_rwsem` makes it one per
    /// file). A store racing the punch (through a PTE made writable before
    /// the punch took `invalidate_lock`) may be dropped with the page cache
    /// unwritten while the disk keeps the old data until the blocks go:
    /// what the range holds is the punch's to decide until it returns, and
    /// an fsync checks nothing there meanwhile.
    pub punching: [(u8, u8); MAX_MAPPINGS],
    /// Bumped (wrapping) whenever a page-cache folio over the unit is
    /// dirtied (`folio_mark_dirty()`): a direct write that sees it change
    /// while in flight collided with a buffered or mapped writer of its
    /// range, whose folio — read before the write's DMA, perhaps dirtied
    /// by a write fault whose store never came — may go to disk after it.
    /// The kernel does not support the mix ("we don't support it 100%",
    /// `generic_file_direct_write()`) and warns only when its own
    /// invalidation finds the folio; the model promises nothing then.
    pub dirtied: [[u8; MAX_LBLK]; MAX_MAPPINGS],
}

impl Shadow {
    /// Whether version `v` of page (`f`, `i`) is still promised (not voided by an I/O error).
    #[inline]
    pub fn promised(&self, f: usize, i: usize, v: u16) -> bool {
        v != 0 && v >= self.void_below[f][i]
    }

    /// Units `from..to` of mapping `f` read as zeroes now (truncated past
    /// EOF, punched): nothing written there before is promised, and the
    /// truncation is counted for promises snapshotted before it.
    pub fn discard(&mut self, f: usize, from: usize, to: usize) {
        for u in from..to.min(MAX_LBLK) {
            self.latest[f][u] = 0;
            self.void_below[f][u] = 0;
        }
        self.truncs[f] = self.truncs[f].wrapping_add(1);
    }

    /// Whether unit `u` of mapping `f` is in a hole punch in progress.
    #[inline]
    pub fn punching(&self, f: usize, u: usize) -> bool {
        let (from, to) = self.punching[f];
        (from as usize..to as usize).contains(&u)
    }

    /// Nothing promised yet.
    pub const EMPTY: Shadow = Shadow {
        latest: [[0; MAX_LBLK]; MAX_MAPPINGS],
        next: [[1; MAX_LBLK]; MAX_MAPPINGS],
        void_below: [[0; MAX_LBLK]; MAX_MAPPINGS],
        truncs: [0; MAX_MAPPINGS],
        punching: [(0, 0); MAX_MAPPINGS],
        dirtied: [[0; MAX_LBLK]; MAX_MAPPINGS],
    };
}
