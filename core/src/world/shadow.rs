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
    /// The file whose data the unit holds since a remap shared its block
    /// (`FICLONE`, [`crate::fs::reflink`]): its tokens are that file's, at
    /// version `latest` exactly, until this file writes the unit again;
    /// [`NO_ORIGIN`] when the unit holds the file's own data.
    pub origin: [[u8; MAX_LBLK]; MAX_MAPPINGS],
}

/// "The unit holds its own file's data" in [`Shadow::origin`].
pub const NO_ORIGIN: u8 = u8::MAX;

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
            self.origin[f][u] = NO_ORIGIN;
        }
        self.truncs[f] = self.truncs[f].wrapping_add(1);
    }

    /// Whether unit `u` of mapping `f` is in a hole punch in progress.
    #[inline]
    pub fn punching(&self, f: usize, u: usize) -> bool {
        let (from, to) = self.punching[f];
        (from as usize..to as usize).contains(&u)
    }

    /// A write of version `v` of unit `u` of mapping `f` returned: it is
    /// promised, and the unit holds the file's own data again.
    #[inline]
    pub fn wrote(&mut self, f: usize, u: usize, v: u16) {
        self.latest[f][u] = v;
        self.origin[f][u] = NO_ORIGIN;
    }

    /// A remap made unit `u` of file `dst` share a block whose unit holds
    /// `t` (the source's data as its flushed block has it: at least what
    /// the source was promised, perhaps a later store's): `dst` now holds
    /// exactly that — the data of the file `t` belongs to — and its own
    /// next writes come after it; what was promised of it before is void.
    pub fn cloned(&mut self, dst: usize, u: usize, t: u32) {
        use super::token;
        let v = token::version(t);
        if t == 0 || token::lblk(t) as usize != u {
            self.discard(dst, u, u + 1);
            return;
        }
        let o = token::file(t).unwrap_or(dst as u8);
        self.origin[dst][u] = if o as usize == dst { NO_ORIGIN } else { o };
        self.latest[dst][u] = v;
        self.void_below[dst][u] = 0;
        self.next[dst][u] = self.next[dst][u].max(v.wrapping_add(1)).max(1);
        // The unit's data was replaced, as a truncation replaces it with
        // zeroes: promises snapshotted before it (an fsync's) may not hold.
        self.truncs[dst] = self.truncs[dst].wrapping_add(1);
    }

    /// Whether token `t` may be in unit `u` of mapping `f` at all: zeroes,
    /// its own data, or the data of the file it was cloned from.
    #[inline]
    pub fn owner_ok(&self, f: usize, u: usize, t: u32) -> bool {
        use super::token;
        t == 0
            || token::lblk(t) as usize == u
                && (token::file(t) == Some(f as u8) || self.origin_is(f, u, t))
    }

    /// Whether `t` is data of the file unit `u` of `f` was cloned from.
    #[inline]
    fn origin_is(&self, f: usize, u: usize, t: u32) -> bool {
        let o = self.origin[f][u];
        o != NO_ORIGIN && super::token::file(t) == Some(o)
    }

    /// Whether `t`, found in unit `u` of mapping `f` (on the disk, in a
    /// folio), keeps a promise of version `want`: [`super::token::holds`] of
    /// its own data, or, for a unit cloned from another file, that file's
    /// data at exactly the cloned version (any other version of it is
    /// another file's write landing in this one's block).
    #[inline]
    pub fn holds(&self, f: usize, u: usize, t: u32, want: u16) -> bool {
        if super::token::holds(t, f as u8, u, want) {
            return true;
        }
        self.origin_is(f, u, t)
            && super::token::lblk(t) as usize == u
            && super::token::version(t) == self.latest[f][u]
    }

    /// The token a promise of version `want` of unit `u` of mapping `f`
    /// stands for in a report: the file's own, or, for a cloned unit, the
    /// data of the file it was cloned from at the cloned version.
    pub fn expected(&self, f: usize, u: usize, want: u16) -> u32 {
        match self.origin[f][u] {
            NO_ORIGIN => super::token::make(f as u8, u as u8, want),
            o => super::token::make(o, u as u8, self.latest[f][u]),
        }
    }

    /// Nothing promised yet.
    pub const EMPTY: Shadow = Shadow {
        latest: [[0; MAX_LBLK]; MAX_MAPPINGS],
        next: [[1; MAX_LBLK]; MAX_MAPPINGS],
        void_below: [[0; MAX_LBLK]; MAX_MAPPINGS],
        truncs: [0; MAX_MAPPINGS],
        punching: [(0, 0); MAX_MAPPINGS],
        dirtied: [[0; MAX_LBLK]; MAX_MAPPINGS],
        origin: [[NO_ORIGIN; MAX_LBLK]; MAX_MAPPINGS],
    };
}
