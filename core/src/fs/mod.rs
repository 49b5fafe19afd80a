//! fs/: the VFS entry points the model's tasks call, and the filesystems.
//!
//! The simple filesystem (Cases 1–3) maps every file block to a fixed disk
//! block and needs nothing here beyond `sync` and the block device's
//! buffer heads. The extent-mapped filesystems of Cases 4 and 5 — XFS
//! through iomap, ext4 with delalloc, gfs2 journaled data — keep a per-file
//! extent map ([`crate::world::FsInode`]); the helpers below are what they
//! share: where a data unit lives on disk, what a read of it finds, and
//! freeing a file's blocks.

pub mod buffer;
pub mod ext4;
pub mod falloc;
pub mod gfs2;
pub mod iomap;
pub mod sync;
pub mod xfs;

pub use falloc::FallocMode;

use crate::exec::poll::Poll;
use crate::trace::Event;
use crate::world::{ext, token, Config, Disk, Extent, Fs, World, FILE_LBLKS, NO_PBLK, UPB};

/// `file->f_op->write_iter` for a buffered write: the machine of the
/// file's filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WriteIter {
    /// `generic_perform_write()` with `block_write_begin()` (the simple
    /// filesystem: one block per page).
    Generic(crate::mm::filemap::BufferedWrite),
    /// `iomap_file_buffered_write()` (XFS, gfs2).
    Iomap(iomap::IomapWrite),
    /// `ext4_buffered_write_iter()` with delalloc (`ext4_da_write_begin()`).
    Ext4(ext4::Ext4Write),
}

/// The buffered write of data units `unit..unit + len` of `file` (on the
/// simple filesystem a unit is a page) through its filesystem's
/// `->write_iter`.
pub fn write_iter(cfg: &Config, file: u8, unit: u8, len: u8) -> WriteIter {
    if !cfg.extent_mapped(file) {
        return WriteIter::Generic(crate::mm::filemap::BufferedWrite::pages(file, unit, len));
    }
    // A file has MAX_INDEX pages of upp units: clamp to it.
    let limit = (cfg.upp(file) * crate::world::MAX_INDEX) as u8;
    let unit = unit.min(limit);
    let len = len.min(limit - unit);
    match cfg.fs {
        Fs::Ext4 => WriteIter::Ext4(ext4::Ext4Write::new(file, unit, len)),
        Fs::Xfs | Fs::Gfs2 | Fs::Simple => {
            WriteIter::Iomap(iomap::IomapWrite::new(file, unit, len))
        }
    }
}

impl WriteIter {
    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self {
            WriteIter::Generic(m) => m.step(w),
            WriteIter::Iomap(m) => m.step(w),
            WriteIter::Ext4(m) => m.step(w),
        }
    }
}

/// The disk unit holding unit `j` of filesystem block `pblk`.
#[inline]
pub fn disk_unit(pblk: u8, j: usize) -> usize {
    pblk as usize * UPB + j
}

/// What a read of data unit `u` of `file` finds on the disk, the page cache
/// aside: on the simple filesystem its fixed block; on an extent-mapped one
/// the block's data if the extent is written, zeroes for a hole, a delalloc
/// reservation or an unwritten extent.
pub fn visible_unit(w: &World, file: u8, u: usize) -> u32 {
    if !w.cfg.extent_mapped(file) {
        return w.disk.blocks[Disk::block_of(file, u as u8, 0)];
    }
    let e = w.inodes[file as usize].map[(u / UPB).min(FILE_LBLKS - 1)];
    if e.state == ext::WRITTEN && e.pblk != NO_PBLK {
        w.disk.blocks[disk_unit(e.pblk, u % UPB)]
    } else {
        0
    }
}

/// Change block `lblk`'s mapping (bumping `if_seq`) and note it in the trace.
pub fn set_extent(w: &mut World, file: u8, lblk: usize, e: Extent) {
    let f = file as usize;
    let from = w.inodes[f].map[lblk];
    if from == e {
        return;
    }
    w.inodes[f].set(lblk, e);
    w.note(Event::Map {
        file,
        lblk: lblk as u8,
        from: from.state,
        to: e.state,
        pblk: e.pblk,
    });
}

/// Free blocks `lb0..lb1` of `file` (`xfs_bunmapi()`, ext4's
/// `ext4_ext_remove_space()` with `ext4_es_remove_extent()`, gfs2's
/// `punch_hole()`): allocated blocks go back to the allocator, delalloc
/// reservations are dropped, every block becomes a hole. ext4 releases the
/// reservation of every delayed extent-status entry it removes
/// (`ext4_da_release_space()`).
pub fn free_file_blocks(w: &mut World, file: u8, lb0: usize, lb1: usize) {
    let f = file as usize;
    for lblk in lb0..lb1.min(FILE_LBLKS) {
        let e = w.inodes[f].map[lblk];
        if e.allocated() {
            w.balloc.free(e.pblk);
        }
        set_extent(w, file, lblk, Extent::HOLE);
        if w.cfg.fs == Fs::Ext4 {
            ext4::es_remove(w, file, lblk);
        }
    }
}

/// The token a page-cache unit must hold for a write of version `v`.
#[inline]
pub fn unit_token(file: u8, u: usize, v: u16) -> u32 {
    token::make(file, u as u8, v)
}

/// The filesystem's mapping of a locked folio under writeback, block by
/// dirty block: XFS's `xfs_map_blocks()` through the writeback context,
/// ext4's `mpage_map_one_extent()` (which needs `i_data_sem` for writing),
/// gfs2's mapped buffers. Returns the disk units the bio carries (per unit
/// of the page, `NO_PBLK` for units not written), the blocks whose
/// unwritten extents the ioend converts, and the step's label; clears the
/// folio's per-block dirty bits.
pub fn writeback_map_folio(
    w: &mut World,
    file: u8,
    r: crate::world::FolioRef,
    wpc: &mut xfs::Wpc,
) -> Result<([u8; crate::world::MAX_BLOCKS], u8, crate::step::StepId), crate::exec::poll::Cond> {
    use crate::step::StepId;
    if w.cfg.fs == Fs::Ext4 && !ext4::data_sem_free(w, file) {
        return Err(crate::exec::poll::Cond::Lock(
            crate::world::lock::i_data_sem(file),
        ));
    }
    w.check_ref(r);
    let bpp = w.cfg.bpp(file);
    let fr = *w.frame(r);
    let mut units = [NO_PBLK; crate::world::MAX_BLOCKS];
    let mut convert = 0u8;
    // Which blocks go out: the dirty ones (buffer heads; iomap with
    // 4ce02c679722), or before it every uptodate block of the dirty folio
    // (`if (iop && !test_bit(i, iop->uptodate)) continue;`).
    let write = if w.cfg.fs == Fs::Xfs && !w.has(crate::profile::Toggle::IomapBlockDirty) {
        fr.blk_dirty | fr.blk_uptodate
    } else {
        fr.blk_dirty
    };
    for b in 0..bpp {
        if write & (1 << b) == 0 {
            continue;
        }
        let lblk = fr.index as usize * bpp + b;
        let (p, conv) = match w.cfg.fs {
            Fs::Xfs => xfs::map_blocks(w, file, wpc, lblk),
            Fs::Ext4 => ext4::writeback_map_block(w, file, lblk, fr.blk_delay & (1 << b) != 0),
            _ => {
                let e = w.inodes[file as usize].map[lblk];
                if e.allocated() {
                    (e.pblk, e.state == ext::UNWRITTEN)
                } else {
                    (NO_PBLK, false)
                }
            }
        };
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
    let id = match w.cfg.fs {
        Fs::Xfs => StepId::XfsMapBlocks,
        Fs::Ext4 => StepId::Ext4MpageMapOneExtent,
        _ => StepId::Gfs2WriteJdataFolio,
    };
    Ok((units, convert, id))
}
