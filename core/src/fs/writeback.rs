//! The filesystem side of writeback: the writeback context a
//! `->writepages` call carries from folio to folio (`struct
//! iomap_writepage_ctx`, XFS's `struct xfs_writepage_ctx`), and the
//! block-by-block mapping each filesystem's `->map_blocks` does for a
//! locked folio under writeback.

use crate::world::{FolioRef, World, MAX_BLOCKS, NO_PBLK, UPB};

use super::disk_unit;
use super::iomap::Iomap;

/// The writeback context: the cached mapping (`wpc->iomap`; its `cookie`
/// is XFS's `data_seq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WbCtx {
    /// The cached mapping.
    pub map: Iomap,
}

impl Default for WbCtx {
    fn default() -> Self {
        WbCtx { map: Iomap::NONE }
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
