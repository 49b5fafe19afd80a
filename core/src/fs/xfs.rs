//! fs/xfs: the mapping side of XFS's buffered I/O — `->iomap_begin` for
//! writes (delalloc reservations, the validity cookie), the writeback
//! mapping cache of `xfs_map_blocks()` with its `data_seq`, delalloc
//! conversion, and the space allocation of fallocate.
//!
//! Followed: fs/xfs/xfs_iomap.c `xfs_buffered_write_iomap_begin()`,
//! `xfs_iomap_inode_sequence()`, `xfs_iomap_valid()` (linux-fsdevel/vfs
//! @3276290ee77f, 7.0 era) and fs/xfs/xfs_aops.c `xfs_imap_valid()`,
//! `xfs_map_blocks()` (linux-mm @17e925976e29), as quoted in the seed notes.
//! Each ILOCK section is one step (nothing else can change the extent map
//! while it is held). Not modelled: the COW fork (no reflink), speculative
//! preallocation beyond EOF, extent size hints.

use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::trace::Event;
use crate::world::{ext, Extent, World, NO_PBLK};

use super::aops::{AddressSpaceOps, FaultLock, MapStep, MigrateKind, SetattrLocks};
use super::iomap::{extent_run, Iomap, IomapWrite};
use super::mkwrite::{FsMkwrite, MkwriteHow};
use super::read::{ReadFolio, ReadHow};
use super::reflink::cow_run;
use super::set_extent;
use super::vfs::{clamp_units, WriteIter};
use super::writeback::WbCtx;
use crate::step::StepId;
use crate::world::FolioRef;

/// `xfs_buffered_write_iomap_begin()` for blocks `lb..le`: under ILOCK_EXCL,
/// look the data fork up at `lb`; a hole gets a delalloc reservation
/// (`xfs_bmapi_reserve_delalloc()`, which changes the extent tree and bumps
/// `if_seq`) and `IOMAP_F_NEW`; the cookie is `xfs_iomap_inode_sequence()`
/// sampled after that, then ILOCK is dropped. Always succeeds (delalloc
/// needs no block yet). On a reflinked file a shared block goes through the
/// COW fork first ([`super::reflink::cow_write_begin`]).
pub fn buffered_write_iomap_begin(w: &mut World, file: u8, lb: usize, le: usize) -> Option<Iomap> {
    if w.inodes[file as usize].reflink {
        if let Some(m) = super::reflink::cow_write_begin(w, file, lb, le) {
            return Some(m);
        }
    }
    let mut m = extent_run(w, file, lb, le);
    super::reflink::trim_data_map(w, file, &mut m);
    if m.typ == ext::HOLE {
        for lblk in m.off as usize..m.end() {
            set_extent(
                w,
                file,
                lblk,
                Extent {
                    state: ext::DELALLOC,
                    pblk: NO_PBLK,
                },
            );
        }
        m.typ = ext::DELALLOC;
        m.new = true;
    }
    m.cookie = w.inodes[file as usize].if_seq;
    Some(m)
}

/// `xfs_iomap_valid()`: the cookie of a buffered write's mapping still
/// matches the data fork's `if_seq` and, for a shared mapping, the COW
/// fork's (`xfs_iomap_inode_sequence(ip, IOMAP_F_SHARED)`).
pub fn iomap_valid(w: &World, file: u8, m: &Iomap) -> bool {
    let ino = &w.inodes[file as usize];
    m.cookie == ino.if_seq && (!m.shared || m.cow_cookie == ino.cow_seq)
}

/// `xfs_imap_valid()`: the cached mapping covers `lblk`; a COW mapping
/// needs nothing more; a data mapping is valid if — with d9252d526ba6 —
/// the data fork has not changed since it was looked up, and the COW fork
/// has not either if the file has COW data (`wpc->cow_seq`, checked in
/// `xfs_map_blocks()` since e666aa37f4a5, v4.20: a COW reservation made
/// since overlaps the cached mapping).
fn imap_valid(w: &World, file: u8, wpc: &WbCtx, lblk: usize) -> bool {
    if !wpc.map.covers(lblk) {
        return false;
    }
    if wpc.map.shared {
        return true;
    }
    let ino = &w.inodes[file as usize];
    if w.has(Toggle::WbSeqCheck) && wpc.map.cookie != ino.if_seq {
        return false;
    }
    !ino.has_cow_data() || wpc.map.cow_cookie == ino.cow_seq
}

/// `xfs_bmapi_convert_delalloc()`: allocate disk blocks for the whole
/// delalloc extent holding `lblk` — from `got.br_startoff`, so blocks before
/// `lblk` too, as adjacent delalloc extents are merged in the incore tree
/// (`xfs_bmap_add_extent_hole_delay()`) — in one transaction, ILOCK_EXCL;
/// as unwritten extents with a5949d3faedf (converted at I/O completion),
/// written ones before it. Returns false on ENOSPC.
fn convert_delalloc(w: &mut World, file: u8, lblk: usize) -> Result<(), &'static str> {
    let map = &w.inodes[file as usize].map;
    match map[lblk].state {
        ext::DELALLOC => {}
        // "If we find a real extent here we raced with another thread
        // converting the extent. Just return the real extent at this offset."
        ext::UNWRITTEN | ext::WRITTEN => return Ok(()),
        // "No extent found in the range we are trying to convert":
        // WARN_ON_ONCE(whichfork != XFS_COW_FORK), -EAGAIN.
        _ => return Err("no extent to convert: -EAGAIN"),
    }
    let mut start = lblk;
    while start > 0 && map[start - 1].state == ext::DELALLOC {
        start -= 1;
    }
    let run = extent_run(w, file, start, crate::world::FILE_LBLKS);
    let state = if w.has(Toggle::DelallocUnwritten) {
        ext::UNWRITTEN
    } else {
        ext::WRITTEN
    };
    for b in run.off as usize..run.end() {
        let Some(p) = w.balloc.alloc() else {
            return if b > lblk {
                Ok(())
            } else {
                Err("ENOSPC converting delalloc")
            };
        };
        set_extent(w, file, b, Extent { state, pblk: p });
    }
    Ok(())
}

/// The disk block the writeback mapping `wpc.map` gives block `lblk`
/// (`NO_PBLK`: a hole, skipped) and whether the ioend converts an unwritten
/// extent. Fires `stale-writeback-map` when that is not where the extent
/// map has `lblk` now.
fn use_map(w: &mut World, file: u8, wpc: &WbCtx, lblk: usize) -> (u8, bool) {
    let m = wpc.map;
    let ino = &w.inodes[file as usize];
    let cur = if m.shared {
        ino.cow[lblk]
    } else {
        ino.map[lblk]
    };
    if m.shared && cur.state == ext::UNWRITTEN && cur.pblk == m.pblk_of(lblk) {
        // xfs_writeback_submit() → xfs_reflink_convert_cow() of the ioend's
        // range, under XFS_ILOCK_EXCL, with no I/O: reads never look at the
        // COW fork.
        return (w.inodes[file as usize].cow_convert(lblk), false);
    }
    if m.typ == ext::HOLE {
        // A cached hole over a block that has been reserved or allocated
        // since: the dirty data is skipped as if there were nothing to write.
        if cur.state != ext::HOLE {
            w.fire(
                OracleId::StaleWritebackMap,
                w.touched,
                Payload::StaleMap {
                    lblk: lblk as u8,
                    used: NO_PBLK,
                    now: cur.state,
                },
            );
        }
        return (NO_PBLK, false);
    }
    let p = m.pblk_of(lblk);
    // A COW mapping whose extent an earlier completion already remapped
    // (xfs_reflink_end_cow() of another ioend over the block) sends the
    // data where the data fork has the block now: not stale.
    let data = w.inodes[file as usize].map[lblk];
    let remapped = m.shared && data.allocated() && data.pblk == p;
    if (!cur.allocated() || cur.pblk != p) && !remapped {
        w.fire(
            OracleId::StaleWritebackMap,
            w.touched,
            Payload::StaleMap {
                lblk: lblk as u8,
                used: p,
                now: cur.state,
            },
        );
    }
    (p, m.typ == ext::UNWRITTEN)
}

/// `xfs_map_blocks()` stages of one block.
mod stage {
    /// The lockless `xfs_imap_valid()` of the cached mapping.
    pub const VALID: u8 = 0;
    /// Under `XFS_ILOCK_SHARED`: the data fork lookup, `data_seq`.
    pub const LOOKUP: u8 = 1;
    /// `xfs_bmapi_convert_delalloc()` under `XFS_ILOCK_EXCL`.
    pub const CONVERT: u8 = 2;
    /// The same for the COW fork (`xfs_convert_blocks(wpc, ip, XFS_COW_FORK, …)`).
    pub const CONVERT_COW: u8 = 3;
}

/// One step of `xfs_map_blocks()` for block `lblk` (block `b` of its page):
/// the lockless `xfs_imap_valid()` of the cached mapping, else the lookup
/// under `XFS_ILOCK_SHARED` — the COW fork first on a file with COW data,
/// whose extent at `lblk` is the mapping (`cow_seq` recorded), else the
/// data fork (recording `data_seq`; the mapping trimmed to the next COW
/// extent) — else, for delalloc, with ILOCK dropped in between,
/// `xfs_bmapi_convert_delalloc()` of that fork under `XFS_ILOCK_EXCL`
/// (fs/xfs/xfs_aops.c of v5.1 and later; each ILOCK section is one step:
/// nothing else changes the extent map while it is held). `Some` once the
/// block is mapped.
fn map_block_step(
    w: &mut World,
    file: u8,
    wpc: &mut WbCtx,
    lblk: usize,
) -> (StepId, Option<(u8, bool)>) {
    match wpc.stage {
        stage::VALID if imap_valid(w, file, wpc, lblk) => {
            w.note(Event::Note("cached writeback mapping"));
            (StepId::XfsMapBlocks, Some(use_map(w, file, wpc, lblk)))
        }
        stage::VALID => {
            wpc.stage = stage::LOOKUP;
            (StepId::XfsMapBlocks, None)
        }
        stage::LOOKUP => lookup(w, file, wpc, lblk),
        stage::CONVERT_COW => {
            if let Err(why) = convert_cow(w, file, lblk) {
                w.note(Event::Note(why));
                return (StepId::XfsBmapiConvertDelalloc, Some((NO_PBLK, false)));
            }
            wpc.map = cow_run(w, file, lblk, crate::world::FILE_LBLKS);
            (
                StepId::XfsBmapiConvertDelalloc,
                Some(use_map(w, file, wpc, lblk)),
            )
        }
        _ => {
            if let Err(why) = convert_delalloc(w, file, lblk) {
                w.note(Event::Note(why));
                return (StepId::XfsBmapiConvertDelalloc, Some((NO_PBLK, false)));
            }
            // The merged extent may overrun the next COW extent the lookup
            // saw: trimmed to it. Only data_seq is taken (*seq).
            let end = (wpc.cow_fsb as usize).min(crate::world::FILE_LBLKS);
            let mut m = extent_run(w, file, lblk, end.max(lblk + 1));
            m.cookie = w.inodes[file as usize].if_seq;
            m.cow_cookie = wpc.map.cow_cookie;
            wpc.map = m;
            (
                StepId::XfsBmapiConvertDelalloc,
                Some(use_map(w, file, wpc, lblk)),
            )
        }
    }
}

/// The `XFS_ILOCK_SHARED` section of `xfs_map_blocks()` (see
/// [`map_block_step`]).
fn lookup(w: &mut World, file: u8, wpc: &mut WbCtx, lblk: usize) -> (StepId, Option<(u8, bool)>) {
    let ino = &w.inodes[file as usize];
    let next_cow = if ino.has_cow_data() {
        (lblk..crate::world::FILE_LBLKS).find(|&b| ino.cow[b].state != ext::HOLE)
    } else {
        None
    };
    wpc.cow_fsb = next_cow.map_or(u8::MAX, |b| b as u8);
    if next_cow == Some(lblk) {
        // XFS_WPC(wpc)->cow_seq = READ_ONCE(ip->i_cowfp->if_seq).
        wpc.map = cow_run(w, file, lblk, crate::world::FILE_LBLKS);
        if wpc.map.typ == ext::DELALLOC {
            wpc.stage = stage::CONVERT_COW;
            return (StepId::XfsMapBlocksCow, None);
        }
        return (StepId::XfsMapBlocksCow, Some(use_map(w, file, wpc, lblk)));
    }
    let mut m = extent_run(w, file, lblk, next_cow.unwrap_or(crate::world::FILE_LBLKS));
    // XFS_WPC(wpc)->data_seq = READ_ONCE(ip->i_df.if_seq); cow_seq is left
    // as the last COW mapping took it, so after a COW fork change a data
    // mapping is looked up again block by block.
    m.cookie = w.inodes[file as usize].if_seq;
    m.cow_cookie = wpc.map.cow_cookie;
    wpc.map = m;
    if m.typ == ext::DELALLOC {
        wpc.stage = stage::CONVERT;
        return (StepId::XfsMapBlocksLookup, None);
    }
    (
        StepId::XfsMapBlocksLookup,
        Some(use_map(w, file, wpc, lblk)),
    )
}

/// `xfs_bmapi_convert_delalloc(ip, XFS_COW_FORK, …)`: allocate staging
/// blocks for the COW fork's delalloc extent holding `lblk`, in one
/// transaction under `XFS_ILOCK_EXCL` — unwritten in the COW fork, which
/// `xfs_reflink_convert_cow()` makes written, block by block, as
/// writeback puts them in an ioend ([`use_map`]). A COW extent
/// already allocated is taken as it is; none at all (a truncation cancelled
/// it meanwhile) is `-EAGAIN` and nothing is written.
fn convert_cow(w: &mut World, file: u8, lblk: usize) -> Result<(), &'static str> {
    let f = file as usize;
    match w.inodes[f].cow[lblk].state {
        ext::DELALLOC => {}
        ext::UNWRITTEN | ext::WRITTEN => return Ok(()),
        _ => return Err("no COW extent to convert: -EAGAIN"),
    }
    let run = cow_run(w, file, lblk, crate::world::FILE_LBLKS);
    for b in run.off as usize..run.end() {
        let Some(p) = w.balloc.alloc() else {
            return if b > lblk {
                Ok(())
            } else {
                Err("ENOSPC converting COW delalloc")
            };
        };
        let e = Extent {
            state: ext::UNWRITTEN,
            pblk: p,
        };
        w.inodes[f].set_cow(b, e);
    }
    Ok(())
}

/// `xfs_alloc_file_space()` for blocks `lb..le` (fallocate mode 0):
/// `xfs_bmapi_write(XFS_BMAPI_PREALLOC)` turns holes and delalloc into
/// unwritten extents; written and unwritten blocks stay. Returns false on
/// ENOSPC.
pub fn alloc_file_space(w: &mut World, file: u8, lb: usize, le: usize) -> bool {
    for lblk in lb..le.min(crate::world::FILE_LBLKS) {
        let e = w.inodes[file as usize].map[lblk];
        if e.allocated() {
            continue;
        }
        let Some(p) = w.balloc.alloc() else {
            return false;
        };
        set_extent(
            w,
            file,
            lblk,
            Extent {
                state: ext::UNWRITTEN,
                pblk: p,
            },
        );
    }
    true
}

/// `xfs_writepages()` → `iomap_writepages()` → `xfs_map_blocks()` for every
/// block of the folio that goes out — the dirty ones with 4ce02c679722,
/// every uptodate block of the dirty folio before it (`if (iop &&
/// !test_bit(i, iop->uptodate)) continue;`) — a step at a time.
fn writeback_map(w: &mut World, file: u8, r: FolioRef, wpc: &mut WbCtx) -> MapStep {
    if !wpc.busy {
        w.check_ref(r);
        let fr = *w.frame(r);
        wpc.begin(if w.has(Toggle::IomapBlockDirty) {
            fr.blk_dirty
        } else {
            fr.blk_dirty | fr.blk_uptodate
        });
    }
    let bpp = w.cfg.bpp(file);
    let Some(b) = wpc.next_block(bpp) else {
        let (units, convert) = wpc.finish(w, r);
        return MapStep::Done(units, convert, StepId::XfsMapBlocks);
    };
    let lblk = w.frame(r).index as usize * bpp + b;
    let (id, mapped) = map_block_step(w, file, wpc, lblk);
    let Some((p, conv)) = mapped else {
        return MapStep::Ran(id);
    };
    wpc.record(b, p, conv);
    if wpc.map.shared && p != NO_PBLK {
        // The ioend carries IOMAP_F_SHARED: xfs_reflink_end_cow() at completion.
        wpc.convert |= 1 << (b + crate::world::IOEND_SHARED_SHIFT as usize);
    }
    wpc.blk += 1;
    wpc.stage = stage::VALID;
    if wpc.next_block(bpp).is_none() {
        let (units, convert) = wpc.finish(w, r);
        return MapStep::Done(units, convert, id);
    }
    MapStep::Ran(id)
}

/// Data units `unit..unit + len` of `file` through `iomap_file_buffered_write()`.
fn write_iter(cfg: &crate::world::Config, file: u8, unit: u8, len: u8) -> WriteIter {
    let (unit, len) = clamp_units(cfg, file, unit, len);
    WriteIter::Iomap(IomapWrite::new(file, unit, len))
}

/// XFS's operations (`xfs_address_space_operations`, `xfs_file_operations`,
/// `xfs_file_vm_ops`, `xfs_vn_setattr()`).
pub const XFS_AOPS: AddressSpaceOps = AddressSpaceOps {
    name: "xfs",
    direct_io: crate::fs::direct_io::DioHow::Iomap(
        StepId::XfsIlockIocb,
        crate::fs::direct_io::DioWrites::Xfs,
    ),
    write_iter,
    // xfs_file_buffered_read(): XFS_IOLOCK_SHARED (i_rwsem) around filemap_read().
    read_lock: Some((crate::world::lock::i_rwsem, StepId::XfsIlockIocb)),
    partial_uptodate: true,
    read_folio: |file, r, sync| ReadFolio::new(file, r, sync, ReadHow::Iomap),
    map_blocks: Some(writeback_map),
    writepage_buffers: super::buffer::write_full_folio_buffers,
    release_folio: |w, r| Ok(super::buffer::try_to_free_buffers(w, r)),
    migrate_folio: MigrateKind::Folio,
    end_io: |w, b| {
        super::iomap::end_ioend_convert(w, b, |_, _, _| {});
        super::reflink::end_ioend_cow(w, b);
        Ok(())
    },
    // xfs_vn_setattr(): XFS_MMAPLOCK_EXCL (invalidate_lock) over the size
    // change and the page-cache truncation.
    setattr: SetattrLocks {
        inode_lock: None,
        invalidate_lock: true,
    },
    // xfs_itruncate_extents_flags(): the data fork's blocks past the size,
    // then xfs_reflink_cancel_cow_blocks() of the COW fork's.
    truncate_blocks: |w, file, size| {
        let bpp = w.cfg.bpp(file);
        super::free_file_blocks(w, file, size as usize * bpp, crate::world::FILE_LBLKS);
        super::reflink::cancel_cow(w, file, size as usize * bpp);
        Ok(())
    },
    // ->fault: ext4_filemap_fault() (i_mmap_sem, ea3d7209ca01) /
    // __xfs_filemap_fault() (XFS_MMAPLOCK_SHARED) around filemap_fault(),
    // until filemap_fault() took invalidate_lock itself (730633f0b7f9,
    // d4f5258eae7b, v5.15).
    fault_lock: FaultLock::InvalidateSharedUntil(crate::profile::Toggle::InvalidateLockRead),
    mkwrite_lock: FaultLock::InvalidateShared,
    invalidate_lock_since: Some(crate::profile::Toggle::XfsMmapLock),
    page_mkwrite: |file, index| FsMkwrite::new(file, index, MkwriteHow::Xfs),
    dirty_folio: super::iomap::mark_range_dirty,
};
