//! `->read_folio` on a locked folio: the filesystem maps the blocks that
//! are not uptodate and reads them — mm/filemap.c `filemap_read_folio()`
//! calls it for a new folio (a bio; the reader then waits for the unlock in
//! the completion), and for a cached folio only partly uptodate the model
//! reads the missing blocks synchronously.
//!
//! The simple filesystem's folio is its fixed blocks (`mpage_read_folio()`
//! with a 1:1 `get_block`); XFS and gfs2 read through `iomap_read_folio()`
//! (holes, delalloc and unwritten blocks are zeroed, written ones read);
//! ext4's `ext4_mpage_readpages()` maps every block with
//! `ext4_map_blocks()` first — the extent-status cache, `i_data_sem`, a hole
//! cached by `ext4_ext_put_gap_in_cache()` — one step machine per block.
//!
//! Each of them zeroes what lies at or past `i_size` instead of mapping it
//! (`do_mpage_readpage()`'s and `ext4_mpage_readpages()`'s
//! `last_block_in_file`, `iomap_block_needs_zeroing()`): a folio read
//! there (a truncation after the reader's size check, or a read past EOF
//! before 8c8387ee3f55) is zeroes whatever the blocks hold.

use crate::block::bio::{submit_bio, submit_bio_blocks};
use crate::exec::poll::{Cond, Poll};
use crate::impl_step;
use crate::mm::filemap::folio_unlock;
use crate::step::StepId;
use crate::world::{pg, BioKind, FolioRef, World, MAX_BLOCKS, NO_PBLK, UPB};

use super::ext4::{Ext4MapBlocks, Found, MapMode};
use super::{disk_unit, iomap};

/// How a filesystem reads a folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadHow {
    /// One bio for the page's fixed blocks.
    FixedBlocks,
    /// `iomap_read_folio()`: the extent map decides, block by block.
    Iomap,
    /// `ext4_mpage_readpages()`: `ext4_map_blocks()` for each block first.
    Ext4,
}

/// `->read_folio` as a step machine (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadFolio {
    file: u8,
    folio: FolioRef,
    /// Read the missing blocks now instead of submitting a bio.
    sync: bool,
    how: ReadHow,
    blk: u8,
    map: Option<Ext4MapBlocks>,
    units: [u8; MAX_BLOCKS],
    /// ext4: `last_block_in_file` as the read of this folio began: `None`
    /// before its first step, `Some(true)` if the folio lies past it.
    past_eof: Option<bool>,
}

impl ReadFolio {
    /// Read `folio` of `file` (locked) the way `how` says.
    pub fn new(file: u8, folio: FolioRef, sync: bool, how: ReadHow) -> ReadFolio {
        ReadFolio {
            file,
            folio,
            sync,
            how,
            blk: 0,
            map: None,
            units: [NO_PBLK; MAX_BLOCKS],
            past_eof: None,
        }
    }

    /// Take one step; its last one reads (or submits) and unlocks as the
    /// kernel's completion would.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if self.how == ReadHow::Ext4 {
            if let Some(p) = self.map_step(w) {
                return p;
            }
        }
        match self.how {
            ReadHow::FixedBlocks => self.submit_fixed(w),
            ReadHow::Iomap | ReadHow::Ext4 => self.read_units(w),
        }
    }

    /// ext4: map the next block that is not uptodate; `None` once all are.
    fn map_step(&mut self, w: &mut World) -> Option<Poll> {
        let bpp = w.cfg.bpp(self.file);
        while (self.blk as usize) < bpp && w.frame(self.folio).blk_uptodate & (1 << self.blk) != 0 {
            self.blk += 1;
        }
        if self.blk as usize >= bpp {
            return None;
        }
        let lblk = (self.frame_index(w) * bpp + self.blk as usize) as u8;
        // ext4_mpage_readpages(): last_block_in_file from i_size_read() as
        // the folio's read begins; a block past it is a hole, not mapped.
        if *self
            .past_eof
            .get_or_insert_with(|| past_eof(w, self.file, self.folio))
        {
            let b = self.blk as usize;
            w.frame_mut(self.folio).data[b * UPB..(b + 1) * UPB].fill(0);
            self.blk += 1;
            return self.map_step(w);
        }
        let make = Ext4MapBlocks::new(self.file, lblk, MapMode::Read);
        let (id, m) = match crate::exec::poll::nested(&mut self.map, w, make) {
            Ok(x) => x,
            Err(p) => return Some(p),
        };
        let b = self.blk as usize;
        for j in 0..UPB {
            match m.found {
                Found::Written(p) => self.units[b * UPB + j] = disk_unit(p, j) as u8,
                _ => w.frame_mut(self.folio).data[b * UPB + j] = 0,
            }
        }
        self.blk += 1;
        Some(Poll::Ran(id))
    }

    fn frame_index(&self, w: &World) -> usize {
        w.frame(self.folio).index as usize
    }

    fn submit_fixed(&mut self, w: &mut World) -> Poll {
        if past_eof(w, self.file, self.folio) {
            // do_mpage_readpage(): every block a hole — zeroed, uptodate.
            let fr = w.frame_mut(self.folio);
            fr.data = [0; MAX_BLOCKS];
            fr.flags |= pg::UPTODATE;
            fr.blk_uptodate = 0xff;
            folio_unlock(w, self.folio);
            return Poll::Done(StepId::FilemapReadFolio);
        }
        if !submit_bio(w, self.folio, BioKind::ReadPage) {
            return Poll::Block(Cond::BioSlot);
        }
        Poll::Done(StepId::FilemapReadFolio)
    }

    fn read_units(&mut self, w: &mut World) -> Poll {
        let id = if self.how == ReadHow::Ext4 {
            StepId::Ext4MpageReadpages
        } else {
            self.units = iomap::read_folio_sources(w, self.file, self.folio);
            StepId::IomapReadFolio
        };
        if self.sync {
            iomap::read_folio_sync(w, self.folio, self.units);
            folio_unlock(w, self.folio);
        } else if self.units.iter().all(|&u| u == NO_PBLK) {
            // Nothing to read: every block was zeroed (folio_end_read()).
            let fr = w.frame_mut(self.folio);
            fr.flags |= pg::UPTODATE;
            fr.blk_uptodate = 0xff;
            folio_unlock(w, self.folio);
        } else if !submit_bio_blocks(w, self.folio, BioKind::ReadPage, self.units, 0) {
            return Poll::Block(Cond::BioSlot);
        }
        Poll::Done(id)
    }
}

/// The folio lies at or past `i_size` (a lockless `i_size_read()`; the
/// block device's size is its whole index range).
pub fn past_eof(w: &World, file: u8, folio: FolioRef) -> bool {
    w.frame(folio).index >= w.mappings[file as usize % w.mappings.len()].i_size
}

impl_step!(ReadFolio);
