//! The filesystem side of writeback: the writeback context a
//! `->writepages` call carries from folio to folio (`struct
//! iomap_writepage_ctx`, XFS's `struct xfs_writepage_ctx`), and the
//! block-by-block mapping each filesystem's `->map_blocks` does for a
//! locked folio under writeback.

use crate::world::{FolioRef, World, MAX_BLOCKS, NO_PBLK, UPB};

use super::disk_unit;
use super::iomap::Iomap;

/// The writeback context: the cached mapping (`wpc->iomap`; its `cookie`
/// is XFS's `data_seq`), and the progress of a folio whose blocks are
/// mapped over several steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WbCtx {
    /// The cached mapping.
    pub map: Iomap,
    /// A folio's mapping is under way.
    pub busy: bool,
    /// Its blocks that go out.
    pub write: u8,
    /// The block being mapped.
    pub blk: u8,
    /// The block's stage (the filesystem's own numbering).
    pub stage: u8,
    /// The disk units mapped so far.
    pub units: [u8; MAX_BLOCKS],
    /// The blocks the ioend converts.
    pub convert: u8,
    /// XFS: the first COW extent at or after the block the last lookup
    /// was for (`cow_fsb` in `xfs_map_blocks()`), `u8::MAX` for none
    /// (`NULLFILEOFF`): a data mapping converted from delalloc is trimmed
    /// to it.
    pub cow_fsb: u8,
}

impl Default for WbCtx {
    fn default() -> Self {
        WbCtx {
            map: Iomap::NONE,
            busy: false,
            write: 0,
            blk: 0,
            stage: 0,
            units: [NO_PBLK; MAX_BLOCKS],
            convert: 0,
            cow_fsb: u8::MAX,
        }
    }
}

impl WbCtx {
    /// Start mapping the blocks in `write` of a folio.
    pub fn begin(&mut self, write: u8) {
        self.busy = true;
        self.write = write;
        self.blk = 0;
        self.stage = 0;
        self.units = [NO_PBLK; MAX_BLOCKS];
        self.convert = 0;
    }

    /// Block `b` of the page goes to disk block `p` (`NO_PBLK`: skipped);
    /// `conv`: its unwritten extent is converted at completion.
    pub fn record(&mut self, b: usize, p: u8, conv: bool) {
        if p != NO_PBLK {
            for j in 0..UPB {
                self.units[b * UPB + j] = disk_unit(p, j) as u8;
            }
            if conv {
                self.convert |= 1 << b;
            }
        }
    }

    /// The next block to map (from `blk` on), or `None` when all are.
    pub fn next_block(&mut self, bpp: usize) -> Option<usize> {
        while (self.blk as usize) < bpp && self.write & (1 << self.blk) == 0 {
            self.blk += 1;
        }
        ((self.blk as usize) < bpp).then_some(self.blk as usize)
    }

    /// The folio is mapped: its per-block dirty and delay bits are cleared.
    pub fn finish(&mut self, w: &mut World, r: FolioRef) -> ([u8; MAX_BLOCKS], u8) {
        let fr = w.frame_mut(r);
        fr.blk_dirty = 0;
        fr.blk_delay = 0;
        self.busy = false;
        (self.units, self.convert)
    }
}

/// Map the blocks of folio `r` whose bits are in `write` with `map_block`
/// (logical block, BH_Delay → disk block or `NO_PBLK`, and whether the ioend
/// converts an unwritten extent): the disk units the bio carries and the
/// blocks it converts. Clears the folio's per-block dirty and delay bits.
pub fn map_folio_blocks(
    w: &mut World,
    file: u8,
    r: FolioRef,
    write: u8,
    mut map_block: impl FnMut(&mut World, usize, bool) -> (u8, bool),
) -> ([u8; MAX_BLOCKS], u8) {
    w.check_ref(r);
    let bpp = w.cfg.bpp(file);
    let fr = *w.frame(r);
    let mut units = [NO_PBLK; MAX_BLOCKS];
    let mut convert = 0u8;
    for b in 0..bpp {
        if write & (1 << b) == 0 {
            continue;
        }
        let lblk = fr.index as usize * bpp + b;
        let (p, conv) = map_block(w, lblk, fr.blk_delay & (1 << b) != 0);
        if p != NO_PBLK {
            for j in 0..UPB {
                units[b * UPB + j] = disk_unit(p, j) as u8;
            }
            if conv {
                convert |= 1 << b;
            }
        }
    }
    let fr = w.frame_mut(r);
    fr.blk_dirty = 0;
    fr.blk_delay = 0;
    (units, convert)
}
