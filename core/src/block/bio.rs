//! A bio's life after `submit_bio()`: the device's DMA, then completion in
//! the bio's own context (block/bio.c `bio_endio()` calling the filesystem's
//! end_io, which for page writeback ends in `folio_end_writeback()`).

use crate::exec::poll::Poll;
use crate::mm::filemap::{folio_unlock, folio_wake_bit};
use crate::mm::swap::{folio_get, folio_put};
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    mark, pg, Bio, BioKind, Disk, FolioRef, World, MAX_BIOS, MAX_BLOCKS, NO_MAPPING, NO_PBLK,
};

/// `submit_bio()`: a new bio for `folio` (its current mapping and index),
/// recording the incarnation it was submitted with. The I/O-error fault
/// applies here. Returns `false` if every bio slot is in flight (the caller
/// waits). Bio numbers follow submission order; once all slots were used, a
/// finished slot is reused.
pub fn submit_bio(w: &mut World, folio: FolioRef, kind: BioKind) -> bool {
    let fr = *w.frame(folio);
    let mut pblk = [NO_PBLK; MAX_BLOCKS];
    if fr.mapping != NO_MAPPING {
        for (b, p) in pblk.iter_mut().enumerate().take(w.cfg.bpp(fr.mapping)) {
            *p = Disk::block_of(fr.mapping, fr.index, b) as u8;
        }
    }
    submit_bio_blocks(w, folio, kind, pblk, 0)
}

/// `submit_bio()` for a folio of an extent-mapped file: block `b` of the
/// page goes to (or comes from) disk block `pblk[b]` (`NO_PBLK`: not
/// transferred); the blocks in `convert` were unwritten when mapped and are
/// converted when the write completes.
pub fn submit_bio_blocks(
    w: &mut World,
    folio: FolioRef,
    kind: BioKind,
    pblk: [u8; MAX_BLOCKS],
    convert: u8,
) -> bool {
    submit_bio_at(w, folio, kind, pblk, convert).is_some()
}

/// `submit_bio_blocks()`, returning the bio's slot (`None`: every slot is
/// in flight), for a submitter that records more about the bio.
pub fn submit_bio_at(
    w: &mut World,
    folio: FolioRef,
    kind: BioKind,
    pblk: [u8; MAX_BLOCKS],
    convert: u8,
) -> Option<usize> {
    let k = if (w.nbios as usize) < MAX_BIOS {
        w.nbios as usize
    } else {
        w.bios.iter().position(|b| !b.live)?
    };
    let fr = *w.frame(folio);
    w.bios[k] = Bio {
        live: true,
        kind,
        folio,
        mapping: fr.mapping,
        index: fr.index,
        error: w.fail_bios & (1 << k) != 0,
        pc: 0,
        had_waiters: false,
        holds_ref: false,
        pblk,
        convert,
        bh: crate::world::NO_BH,
        tid: 0,
        token: 0,
        frozen: false,
        task: w.me,
        vers: [0; crate::world::MAX_BLOCKS],
    };
    if (w.nbios as usize) < MAX_BIOS {
        w.nbios += 1;
    }
    w.note(Event::Submit {
        bio: k as u8,
        frame: folio.frame,
        inc: folio.inc,
    });
    Some(k)
}

/// Take one step of bio `k`.
pub fn bio_step(w: &mut World, k: usize) -> Poll {
    let b = w.bios[k];
    match b.kind {
        BioKind::WritePage => write_step(w, k, b),
        BioKind::ReadPage => read_step(w, k, b),
        BioKind::JournalLog => crate::fs::jbd2::commit::log_bio_step(w, k),
        BioKind::DioSimple | BioKind::DioIomap | BioKind::DioWrite | BioKind::DioWriteSimple => {
            crate::fs::direct_io::dio_bio_step(w, k)
        }
        BioKind::WriteBuffer => match b.pc {
            wpc::DMA => dma_transfer(w, k, b),
            _ => {
                crate::fs::buffer::end_buffer_write_sync(w, b.bh, b.error);
                finish(w, k, StepId::EndBufferWriteSync)
            }
        },
    }
}

fn finish(w: &mut World, k: usize, id: StepId) -> Poll {
    w.bios[k].live = false;
    Poll::Done(id)
}

/// A write bio's program counter values (`Bio::pc`).
mod wpc {
    /// The device's DMA.
    pub const DMA: u8 = 0;
    /// `folio_end_writeback()` up to `__folio_end_writeback()`.
    pub const END: u8 = 1;
    /// `folio_wake_bit()`.
    pub const WAKE: u8 = 2;
    /// The `folio_put()` of 073861ed77b6.
    pub const PUT: u8 = 3;
    /// The ioend's completion work (unwritten conversion).
    pub const IOEND: u8 = 4;
}

fn write_step(w: &mut World, k: usize, b: Bio) -> Poll {
    match b.pc {
        wpc::DMA => dma_transfer(w, k, b),
        wpc::IOEND => {
            // The ioend's completion work: unwritten extents become written,
            // COW blocks are remapped into the data fork.
            if let Err(c) = (w.a_ops(b.mapping).end_io)(w, &b) {
                return Poll::Block(c);
            }
            w.bios[k].pc = wpc::END;
            Poll::Ran(if b.convert >> crate::world::IOEND_SHARED_SHIFT != 0 {
                StepId::XfsReflinkEndCow
            } else {
                StepId::XfsEndIoendConvert
            })
        }
        wpc::END => end_writeback_clear(w, k, b),
        wpc::WAKE => end_writeback_wake(w, k, b),
        wpc::PUT => {
            folio_put(w, b.folio);
            finish(w, k, StepId::EndWritebackPut)
        }
        _ => finish(w, k, StepId::EndWritebackPut),
    }
}

/// The frame a bio's DMA reads now, whatever it holds: `stale-dma` if it
/// was freed or reused since the bio was submitted on it.
pub fn dma_frame(w: &mut World, b: &Bio) -> crate::world::Frame {
    let f = b.folio.frame;
    let fr = w.frames[f as usize];
    w.touched = f;
    if fr.free || fr.inc != b.folio.inc {
        w.fire(
            OracleId::StaleDma,
            f,
            Payload::Incarnations {
                held: b.folio.inc,
                now: if fr.free { 0 } else { fr.inc },
            },
        );
    }
    fr
}

/// `shared-overwrite`: the device is about to write `token` over disk unit
/// `unit` of a file's data block that more than one file maps.
pub fn check_shared_overwrite(w: &mut World, b: &Bio, unit: u8, token: u32) {
    if !w.cfg.extent_mapped(b.mapping) {
        return;
    }
    let pblk = unit / crate::world::UPB as u8;
    if w.balloc.shared(pblk) {
        w.fire(
            OracleId::SharedOverwrite,
            b.folio.frame,
            Payload::Shared {
                pblk,
                owners: w.balloc.extra[pblk as usize].saturating_add(1),
                token,
            },
        );
    }
}

/// The device reads the frame now, whatever it holds, and writes every
/// block the bio carries (all of a page of the simple filesystem or the
/// block device; the dirty, mapped ones of an extent-mapped file).
fn dma_transfer(w: &mut World, k: usize, b: Bio) -> Poll {
    let fr = dma_frame(w, &b);
    if b.mapping != NO_MAPPING && !b.error {
        for (j, &p) in b.pblk.iter().enumerate() {
            if p == NO_PBLK || (p as usize) >= w.disk.blocks.len() {
                continue;
            }
            check_shared_overwrite(w, &b, p, fr.data[j]);
            w.disk.blocks[p as usize] = fr.data[j];
            w.note(Event::Dma {
                bio: k as u8,
                block: p,
                token: fr.data[j],
            });
        }
    } else if b.error {
        w.note(Event::Note("I/O error (fault)"));
    }
    // An ioend's completion work runs even when it failed if it wrote COW
    // blocks: xfs_end_ioend() then cancels them.
    let shared = b.convert >> crate::world::IOEND_SHARED_SHIFT != 0;
    w.bios[k].pc = if b.convert != 0 && (!b.error || shared) {
        wpc::IOEND
    } else {
        wpc::END
    };
    Poll::Ran(StepId::DmaTransfer)
}

/// `folio_end_writeback()` up to `__folio_end_writeback()`: an error is
/// recorded on the mapping, PG_reclaim cleared, with 073861ed77b6 a
/// reference taken, then PG_writeback and the WRITEBACK mark cleared under
/// `xa_lock` (and PG_waiters read with it, for `folio_xor_flags_has_waiters()`).
fn end_writeback_clear(w: &mut World, k: usize, b: Bio) -> Poll {
    let f = b.folio.frame;
    w.check_ref(b.folio);
    if w.frames[f as usize].flags & pg::WRITEBACK == 0 {
        w.fire(
            OracleId::EndWritebackUnset,
            f,
            Payload::Incarnation(b.folio.inc),
        );
    }
    if b.error && b.mapping != NO_MAPPING {
        // mapping_set_error(): reported by the next fsync; every unit of the
        // page is void (one for a simple file, bh_per_page on the device).
        w.mappings[b.mapping as usize].eio = true;
        let upp = w.cfg.upp(b.mapping);
        let m = b.mapping as usize;
        for lblk in b.index as usize * upp..(b.index as usize + 1) * upp {
            w.shadow.void_below[m][lblk] = w.shadow.next[m][lblk];
        }
        if b.mapping == crate::world::BDEV {
            // end_buffer_async_write(): mark_buffer_write_io_error() on each buffer.
            let head = crate::fs::buffer::folio_buffers(w, f);
            let (ids, n) = crate::fs::buffer::ring_ids(w, head);
            for &id in &ids[..n] {
                w.journal.jh_mut(id).write_io_error = true;
            }
        }
    }
    if b.mapping == crate::world::BDEV {
        crate::fs::buffer::end_buffer_async_write(w, f);
    }
    w.frames[f as usize].flags &= !pg::RECLAIM;
    if w.has(Toggle::EndWritebackRef) {
        folio_get(w, b.folio);
        w.bios[k].holds_ref = true;
    }
    let fr = &mut w.frames[f as usize];
    fr.flags &= !pg::WRITEBACK;
    let had_waiters = fr.flags & pg::WAITERS != 0;
    let (m, i) = (fr.mapping, fr.index);
    if m != NO_MAPPING {
        let s = &mut w.mappings[m as usize].slots[i as usize];
        if s.frame == f {
            s.marks &= !mark::WRITEBACK;
        }
    }
    w.bios[k].had_waiters = had_waiters;
    w.bios[k].pc = wpc::WAKE;
    Poll::Ran(StepId::FolioEndWritebackClear)
}

/// `folio_wake_bit(folio, PG_writeback)` if there were waiters: read with
/// the clear (`folio_xor_flags_has_waiters()`), or before it v5.x
/// `wake_up_page()`'s `if (!PageWaiters(page)) return;`, a separate access
/// on a page this context may no longer own.
fn end_writeback_wake(w: &mut World, k: usize, b: Bio) -> Poll {
    let f = b.folio.frame;
    let wake = if w.has(Toggle::XorHasWaiters) {
        b.had_waiters
    } else {
        w.check_ref(b.folio);
        w.touched = f;
        w.frames[f as usize].flags & pg::WAITERS != 0
    };
    if wake {
        folio_wake_bit(w, b.folio, pg::WRITEBACK);
    }
    if b.holds_ref {
        w.bios[k].pc = wpc::PUT;
        return Poll::Ran(StepId::EndWritebackWake);
    }
    finish(w, k, StepId::EndWritebackWake)
}

fn read_step(w: &mut World, k: usize, b: Bio) -> Poll {
    match b.pc {
        0 => {
            w.check_ref(b.folio);
            if b.mapping != NO_MAPPING && !b.error {
                for (j, &p) in b.pblk.iter().enumerate() {
                    if p == NO_PBLK || (p as usize) >= w.disk.blocks.len() {
                        continue;
                    }
                    let t = w.disk.blocks[p as usize];
                    w.frame_mut(b.folio).data[j] = t;
                    w.note(Event::Dma {
                        bio: k as u8,
                        block: p,
                        token: t,
                    });
                }
            }
            w.bios[k].pc = 1;
            Poll::Ran(StepId::DmaRead)
        }
        _ => {
            // folio_end_read(): uptodate on success, then unlock.
            if !b.error {
                let fr = w.frame_mut(b.folio);
                fr.flags |= pg::UPTODATE;
                fr.blk_uptodate = 0xff;
            }
            folio_unlock(w, b.folio);
            finish(w, k, StepId::ReadEndio)
        }
    }
}
