//! The disk and the data tokens that travel between it and the page cache.
//!
//! Data is not bytes: every block write by a user puts a *token* naming the
//! file, the block and a version into the frame, so the disk and the page
//! cache can be compared with what the user was promised, and another file's
//! data on a block is recognisable.

use super::frame::MAX_BLOCKS;
use super::mapping::MAX_INDEX;
use super::MAX_MAPPINGS;

/// Blocks on the disk: one per (mapping, page index, block in page).
pub const DISK_BLOCKS: usize = MAX_MAPPINGS * MAX_INDEX * MAX_BLOCKS;

/// Data tokens: `0` is zeroes; otherwise `(file + 1) << 24 | block << 16 | version`.
/// A store to anonymous memory makes a token of its own, whose "file" is
/// [`token::ANON_BASE`] plus the task.
pub mod token {
    /// The "file" of task 0's anonymous stores (task `t`'s is this plus `t`).
    pub const ANON_BASE: u8 = 0x40;

    /// The token of version `v` of a store by task `t` to its anonymous page `page`.
    #[inline]
    pub fn anon(t: u8, page: u8, v: u16) -> u32 {
        make(ANON_BASE + (t & 0x0f), page, v)
    }

    /// The token for version `v` of logical block `lblk` of `file`.
    #[inline]
    pub fn make(file: u8, lblk: u8, v: u16) -> u32 {
        if v == 0 {
            return 0;
        }
        ((file as u32 + 1) << 24) | ((lblk as u32) << 16) | v as u32
    }

    /// The file a token belongs to (`None` for zeroes).
    #[inline]
    pub fn file(t: u32) -> Option<u8> {
        if t == 0 {
            None
        } else {
            Some(((t >> 24) as u8).wrapping_sub(1))
        }
    }

    /// The logical block a token belongs to.
    #[inline]
    pub fn lblk(t: u32) -> u8 {
        (t >> 16) as u8
    }

    /// The version (0 = zeroes).
    #[inline]
    pub fn version(t: u32) -> u16 {
        t as u16
    }

    /// Whether `t` is block `blk` of file `f` at version `want` or later:
    /// what a promise of version `want` of that block asks of a place
    /// (the disk, a folio) that should hold it.
    #[inline]
    pub fn holds(t: u32, f: u8, blk: usize, want: u16) -> bool {
        file(t) == Some(f) && lblk(t) as usize == blk && version(t) >= want
    }

    /// `f0:1v3`-style text, `0` for zeroes; `anon0:1v2` for task 0's
    /// anonymous page 1, `copy0:f0:1v2` for its private copy of f0:1.
    pub fn show(t: u32) -> String {
        use super::MAX_INDEX;
        match file(t) {
            None => "0".to_string(),
            // A private copy of page p of file g (cow_index): its own name.
            Some(f) if f >= ANON_BASE && lblk(t) as usize >= MAX_INDEX => {
                let (g, p) = (
                    lblk(t) as usize / MAX_INDEX - 1,
                    lblk(t) as usize % MAX_INDEX,
                );
                format!("copy{}:f{g}:{p}v{}", f - ANON_BASE, version(t))
            }
            Some(f) if f >= ANON_BASE => {
                format!("anon{}:{}v{}", f - ANON_BASE, lblk(t), version(t))
            }
            Some(f) => format!("f{}:{}v{}", f, lblk(t), version(t)),
        }
    }
}

/// The disk: one token per block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Disk {
    /// Block contents.
    pub blocks: [u32; DISK_BLOCKS],
}

impl Disk {
    /// A zeroed disk.
    pub const ZERO: Disk = Disk {
        blocks: [0; DISK_BLOCKS],
    };

    /// The disk block of page `index`, block `b` in the page, of `file`
    /// (the model's filesystem maps every file block to a fixed disk block).
    #[inline]
    pub fn block_of(file: u8, index: u8, b: usize) -> usize {
        (file as usize * MAX_INDEX + index as usize) * MAX_BLOCKS + b
    }
}
