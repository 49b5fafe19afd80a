//! fs/gfs2: journaled data (jdata) written through iomap with buffer heads —
//! Case 5.
//!
//! A jdata write allocates blocks in `->iomap_begin` (`gfs2_iomap_begin()` →
//! `gfs2_iomap_begin_write()` → `__gfs2_iomap_alloc()`), opens a transaction per folio
//! (`->page_prepare` / later `->get_folio`: `gfs2_trans_begin()`), writes
//! through the folio's buffer heads (`IOMAP_F_BUFFER_HEAD`), and in
//! `->page_done` / `->put_folio` adds the buffers to the transaction
//! (`gfs2_page_add_databufs()` / `gfs2_trans_add_databufs()`), dirties the
//! inode and ends the transaction. Writeback (`gfs2_jdata_writepages()`)
//! writes dirty buffers in place; reclaim's `gfs2_release_folio()` frees a
//! folio's buffers when none is referenced, in a transaction, or dirty.
//! Followed: fs/gfs2/bmap.c and aops.c of the gfs2 tree
//! (kernelorg-mirror @04e5d5785cde, @5b9ad8a01622) and the pre-fix
//! `gfs2_iomap_page_done()` from the v5 2/9 posting of 80baab88bb93, as
//! quoted in the seed notes.
//!
//! The model's transaction is the buffers' state: `bs::TRANS` (`bd->bd_tr`,
//! pinned until the log is flushed) and `bs::JLOGGED` (the buffer's current
//! contents were added to a transaction). Not modelled: glocks, the log's
//! own I/O and the AIL, stuffed inodes, `PG_checked` (set only by
//! `jdata_dirty_folio()`, which the iomap write path does not reach:
//! `mark_buffer_dirty()` sets PG_dirty directly).

use crate::oracle::OracleId;
use crate::trace::Event;
use crate::world::{bs, ext, Extent, FolioRef, World, MAX_BH, NO_BH, NO_PBLK, UPB};

use super::buffer::{attach_new_buffers, ring, ring_ids, try_to_free_buffers};
use super::iomap::{extent_run, Iomap};
use super::set_extent;

/// `gfs2_iomap_begin(IOMAP_WRITE)` for blocks `lb..le`: holes are allocated
/// (`gfs2_iomap_begin_write()` → `__gfs2_iomap_alloc()`: written blocks, `IOMAP_F_NEW` so the part a
/// write does not cover is zeroed); allocated blocks are mapped as they are.
/// `None` on ENOSPC.
pub fn iomap_begin_write(w: &mut World, file: u8, lb: usize, le: usize) -> Option<Iomap> {
    let m = extent_run(w, file, lb, le);
    if m.typ != ext::HOLE {
        return Some(m);
    }
    let mut n = 0;
    let mut first = NO_PBLK;
    for lblk in m.off as usize..m.end() {
        // The reservation (gfs2_inplace_reserve()) fails up front, or the
        // mapping covers what could be allocated.
        let Some(p) = w.balloc.alloc() else {
            if n == 0 {
                return None;
            }
            break;
        };
        if first == NO_PBLK {
            first = p;
        } else if p != first + n {
            // Not contiguous: the iomap ends here; the next one maps the rest.
            w.balloc.free(p);
            break;
        }
        set_extent(
            w,
            file,
            lblk,
            Extent {
                state: ext::WRITTEN,
                pblk: p,
            },
        );
        n += 1;
    }
    Some(Iomap {
        off: lb as u8,
        len: n,
        typ: ext::WRITTEN,
        pblk: first,
        cookie: w.inodes[file as usize].if_seq,
        new: true,
        ..Iomap::NONE
    })
}

/// `create_empty_buffers()` as `__block_write_begin_int()` does it for a
/// folio without buffers: one buffer head per block, mapped to the block's
/// disk block. Returns false if no buffer-head slot is free.
pub fn ensure_buffers(w: &mut World, file: u8, r: FolioRef) -> bool {
    if w.frame(r).bh_head != NO_BH {
        return true;
    }
    let bpp = w.cfg.bpp(file);
    let page = w.frame(r).index as usize;
    let mut blocks = [NO_PBLK; MAX_BH];
    for (k, b) in blocks.iter_mut().enumerate().take(bpp) {
        *b = w.inodes[file as usize].map[page * bpp + k].pblk;
    }
    if !attach_new_buffers(w, r, bs::MAPPED, &blocks[..bpp]) {
        w.note(Event::Note("no buffer head free"));
        return false;
    }
    true
}

/// `block_write_end()` → `__block_commit_write()` → `mark_buffer_dirty()`
/// on the written blocks (`bits`, one per block of the folio): uptodate,
/// dirty, and no longer journaled as they now are.
pub fn mark_buffers_dirty(w: &mut World, r: FolioRef, bits: u8) {
    let head = w.frame(r).bh_head;
    let (ids, n) = ring_ids(w, head);
    for &id in &ids[..n] {
        let b = &mut w.bhs[id as usize];
        if bits & (1 << b.offset) != 0 {
            b.state = (b.state | bs::UPTODATE | bs::DIRTY) & !bs::JLOGGED;
        }
    }
}

/// `gfs2_page_add_databufs()` (`gfs2_trans_add_databufs()`): walk the
/// folio's buffer ring (`page_buffers()`) and add each buffer the write
/// touched (units `from..to`) to the current transaction. A folio whose
/// buffers were freed meanwhile — `try_to_free_buffers()` from reclaim — is
/// a walk of freed buffer heads: `bh-use-after-free`.
pub fn add_databufs(w: &mut World, r: FolioRef, from: usize, to: usize) {
    w.check_ref(r);
    let head = w.frame(r).bh_head;
    if head == NO_BH || !w.bhs[head as usize].live || w.bhs[head as usize].folio != r {
        w.note(Event::Note("page_buffers(): the buffers are gone"));
        w.fire(
            OracleId::BhUseAfterFree,
            r.frame,
            crate::oracle::Payload::Bh(head),
        );
        return;
    }
    let page = w.frame(r).index as usize;
    let file = w.frame(r).mapping;
    let bpp = w.cfg.bpp(file);
    let (ids, n) = ring_ids(w, head);
    for &id in &ids[..n] {
        let lblk = page * bpp + w.bhs[id as usize].offset as usize;
        let (b0, b1) = (lblk * UPB, (lblk + 1) * UPB);
        if b1 <= from || b0 >= to {
            continue;
        }
        let b = &mut w.bhs[id as usize];
        b.state |= bs::UPTODATE | bs::TRANS | bs::JLOGGED;
    }
}

/// `gfs2_release_folio()` then `try_to_free_buffers()`, for reclaim of a
/// clean, locked jdata folio: keep the buffers if any is referenced, in a
/// transaction (`bd->bd_tr`) or dirty; otherwise free the ring and detach it.
pub fn release_folio(w: &mut World, r: FolioRef) -> bool {
    let head = w.frame(r).bh_head;
    if ring(w, head).any(|id| w.bhs[id as usize].state & bs::TRANS != 0) {
        return false;
    }
    try_to_free_buffers(w, r)
}

/// The in-place write of a jdata folio's dirty buffers
/// (`gfs2_write_jdata_folio()` → `__block_write_full_folio()`): a dirty
/// buffer whose contents were never added to a transaction reaches its
/// place on disk unjournaled (`unjournaled-jdata-write`). Clears the
/// buffers' dirty bits.
pub fn write_jdata_buffers(w: &mut World, r: FolioRef) {
    let head = w.frame(r).bh_head;
    let (ids, n) = ring_ids(w, head);
    for &id in &ids[..n] {
        let st = w.bhs[id as usize].state;
        if st & bs::DIRTY != 0 && st & bs::JLOGGED == 0 {
            w.fire(
                OracleId::UnjournaledJdata,
                r.frame,
                crate::oracle::Payload::Bh(id),
            );
        }
        w.bhs[id as usize].state &= !bs::DIRTY;
    }
}

/// `gfs2_log_flush()`: the transactions are committed to the log; their
/// buffers are no longer pinned (`bd_tr` cleared).
pub fn log_flush(w: &mut World, file: u8) {
    for b in w.bhs.iter_mut() {
        if b.live && b.state & bs::TRANS != 0 {
            let f = b.folio.frame as usize;
            if f < w.frames.len() && w.frames[f].mapping == file {
                b.state &= !bs::TRANS;
            }
        }
    }
}

/// `gfs2_glock_nq(LM_ST_EXCLUSIVE)` on `file`'s inode glock: `Err` wait.
pub fn glock_ex(w: &mut World, file: u8) -> Result<(), crate::exec::poll::Cond> {
    w.lock(crate::world::lock::glock(file))
}

/// `gfs2_glock_dq()` of an exclusive hold taken by [`glock_ex`].
pub fn glock_ex_release(w: &mut World, file: u8) {
    w.unlock_if_mine(crate::world::lock::glock(file));
}

// ---------------------------------------------------------------------------
// The operations table
// ---------------------------------------------------------------------------

use super::aops::{AddressSpaceOps, FaultLock, MapStep, MigrateKind, SetattrLocks};
use super::mkwrite::{FsMkwrite, MkwriteHow};
use super::read::{ReadFolio, ReadHow};
use super::vfs::{clamp_units, WriteIter};
use super::writeback::{map_folio_blocks, WbCtx};
use crate::step::StepId;

/// `gfs2_jdata_writepages()`: a dirty block goes to the disk block its
/// buffer maps.
fn writeback_map(w: &mut World, file: u8, r: FolioRef, _: &mut WbCtx) -> MapStep {
    let write = w.frame(r).blk_dirty;
    let (units, convert) = map_folio_blocks(w, file, r, write, |w, lblk, _| {
        let e = w.inodes[file as usize].map[lblk];
        if e.allocated() {
            (e.pblk, e.state == ext::UNWRITTEN)
        } else {
            (NO_PBLK, false)
        }
    });
    MapStep::Done(units, convert, StepId::Gfs2WriteJdataFolio)
}

/// `->dirty_folio` after a store through a mapping: the blocks are dirty,
/// their buffers marked dirty and added to the transaction
/// (`gfs2_page_add_databufs()`).
fn dirty_folio(w: &mut World, r: FolioRef, from: usize, to: usize) {
    super::iomap::mark_range_dirty(w, r, from, to);
    let bpp = w.cfg.bpp(w.frame(r).mapping);
    let mut bits = 0u8;
    for lblk in from / UPB..to.div_ceil(UPB) {
        bits |= 1 << (lblk % bpp);
    }
    mark_buffers_dirty(w, r, bits);
    add_databufs(w, r, from, to);
}

/// gfs2's operations (`gfs2_jdata_aops`, `gfs2_file_fops`, `gfs2_vm_ops`,
/// `gfs2_setattr()`).
pub const GFS2_AOPS: AddressSpaceOps = AddressSpaceOps {
    name: "gfs2",
    direct_io: crate::fs::direct_io::DioHow::None,
    write_iter: |cfg, file, unit, len| {
        let (unit, len) = clamp_units(cfg, file, unit, len);
        WriteIter::Iomap(super::iomap::IomapWrite::new(file, unit, len))
    },
    // gfs2_file_read_iter(): the inode glock, shared, around filemap_read().
    read_lock: Some((crate::world::lock::glock, StepId::Gfs2GlockNq)),
    partial_uptodate: true,
    read_folio: |file, r, sync| ReadFolio::new(file, r, sync, ReadHow::Iomap),
    map_blocks: Some(writeback_map),
    writepage_buffers: write_jdata_buffers,
    release_folio: |w, r| Ok(release_folio(w, r)),
    migrate_folio: MigrateKind::Buffers,
    end_io: |w, b| {
        super::iomap::end_ioend_convert(w, b, |_, _, _| {});
        Ok(())
    },
    // gfs2_setattr(): the inode glock, exclusive.
    setattr: SetattrLocks {
        inode_lock: Some(crate::world::lock::glock),
        invalidate_lock: false,
    },
    truncate_blocks: |w, file, size| {
        let bpp = w.cfg.bpp(file);
        super::free_file_blocks(w, file, size as usize * bpp, crate::world::FILE_LBLKS);
        Ok(())
    },
    // gfs2_page_mkwrite(): the inode glock, exclusive.
    fault_lock: FaultLock::Exclusive(crate::world::lock::glock, StepId::Gfs2GlockNq),
    mkwrite_lock: FaultLock::None,
    invalidate_lock_since: None,
    page_mkwrite: |file, index| FsMkwrite::new(file, index, MkwriteHow::Gfs2),
    dirty_folio,
};
