//! A bio's life after `submit_bio()`: the device's DMA, then completion in
//! the bio's own context (block/bio.c `bio_endio()` calling the filesystem's
//! end_io, which for page writeback ends in `folio_end_writeback()`).

use crate::exec::poll::Poll;
use crate::mm::filemap::{folio_unlock, folio_wake_bit};
use crate::mm::swap::{folio_get, folio_put};
use crate::oracle::OracleId;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{mark, pg, Bio, BioKind, Disk, FolioRef, World, MAX_BIOS, NO_MAPPING};

/// `submit_bio()`: a new bio for `folio` (its current mapping and index),
/// recording the incarnation it was submitted with. The I/O-error fault
/// applies here. Returns `false` if every bio slot is in flight (the caller
/// waits). Bio numbers follow submission order; once all slots were used, a
/// finished slot is reused.
pub fn submit_bio(w: &mut World, folio: FolioRef, kind: BioKind) -> bool {
    let k = if (w.nbios as usize) < MAX_BIOS {
        w.nbios as usize
    } else {
        match w.bios.iter().position(|b| !b.live) {
            Some(k) => k,
            None => return false,
        }
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
    };
    if (w.nbios as usize) < MAX_BIOS {
        w.nbios += 1;
    }
    w.note(Event::Submit {
        bio: k as u8,
        frame: folio.frame,
        inc: folio.inc,
    });
    true
}

/// Take one step of bio `k`.
pub fn bio_step(w: &mut World, k: usize) -> Poll {
    let b = w.bios[k];
    match b.kind {
        BioKind::WritePage => write_step(w, k, b),
        BioKind::ReadPage => read_step(w, k, b),
    }
}

fn finish(w: &mut World, k: usize, id: StepId) -> Poll {
    w.bios[k].live = false;
    Poll::Done(id)
}

fn write_step(w: &mut World, k: usize, b: Bio) -> Poll {
    let f = b.folio.frame;
    match b.pc {
        0 => {
            // The device reads the frame now, whatever it holds.
            let fr = w.frames[f as usize];
            w.touched = f;
            if fr.free || fr.inc != b.folio.inc {
                w.fire(
                    OracleId::StaleDma,
                    f,
                    b.folio.inc as u32,
                    if fr.free { 0 } else { fr.inc as u32 },
                );
            }
            if b.mapping != NO_MAPPING && !b.error {
                // Every block of the page (one for a file, bh_per_page on the block device).
                for k in 1..w.cfg.bpp(b.mapping) {
                    w.disk.blocks[Disk::block_of(b.mapping, b.index, k)] = fr.data[k];
                }
                let blk = Disk::block_of(b.mapping, b.index, 0);
                w.disk.blocks[blk] = fr.data[0];
                w.note(Event::Dma {
                    bio: k as u8,
                    block: blk as u8,
                    token: fr.data[0],
                });
            } else if b.error {
                w.note(Event::Note("I/O error (fault)"));
            }
            w.bios[k].pc = 1;
            Poll::Ran(StepId::DmaTransfer)
        }
        1 => {
            // folio_end_writeback() up to __folio_end_writeback().
            w.check_ref(b.folio);
            if w.frames[f as usize].flags & pg::WRITEBACK == 0 {
                w.fire(OracleId::EndWritebackUnset, f, b.folio.inc as u32, 0);
            }
            if b.error {
                // mapping_set_error(): reported by the next fsync.
                if b.mapping != NO_MAPPING {
                    w.mappings[b.mapping as usize].eio = true;
                    // Every block of the page: one for a file, bh_per_page on the device.
                    let bpp = w.cfg.bpp(b.mapping);
                    let m = b.mapping as usize;
                    for lblk in b.index as usize * bpp..(b.index as usize + 1) * bpp {
                        w.shadow.void_below[m][lblk] = w.shadow.next[m][lblk];
                    }
                }
            }
            w.frames[f as usize].flags &= !pg::RECLAIM;
            if w.has(Toggle::EndWritebackRef) {
                folio_get(w, b.folio);
                w.bios[k].holds_ref = true;
            }
            // __folio_end_writeback(): under xa_lock, clear PG_writeback and the mark.
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
            w.bios[k].pc = 2;
            Poll::Ran(StepId::FolioEndWritebackClear)
        }
        2 => {
            let wake = if w.has(Toggle::XorHasWaiters) {
                // folio_xor_flags_has_waiters() read PG_waiters with the clear.
                b.had_waiters
            } else {
                // v5.x wake_up_page(): if (!PageWaiters(page)) return; — a
                // separate access, on a page this context may no longer own.
                w.check_ref(b.folio);
                w.touched = f;
                w.frames[f as usize].flags & pg::WAITERS != 0
            };
            if wake {
                folio_wake_bit(w, b.folio, pg::WRITEBACK);
            }
            if b.holds_ref {
                w.bios[k].pc = 3;
                return Poll::Ran(StepId::EndWritebackWake);
            }
            finish(w, k, StepId::EndWritebackWake)
        }
        _ => {
            folio_put(w, b.folio);
            finish(w, k, StepId::EndWritebackPut)
        }
    }
}

fn read_step(w: &mut World, k: usize, b: Bio) -> Poll {
    match b.pc {
        0 => {
            w.check_ref(b.folio);
            if b.mapping != NO_MAPPING && !b.error {
                for k in 1..w.cfg.bpp(b.mapping) {
                    let t = w.disk.blocks[Disk::block_of(b.mapping, b.index, k)];
                    w.frame_mut(b.folio).data[k] = t;
                }
                let blk = Disk::block_of(b.mapping, b.index, 0);
                let t = w.disk.blocks[blk];
                w.frame_mut(b.folio).data[0] = t;
                w.note(Event::Dma {
                    bio: k as u8,
                    block: blk as u8,
                    token: t,
                });
            }
            w.bios[k].pc = 1;
            Poll::Ran(StepId::DmaRead)
        }
        _ => {
            // folio_end_read(): uptodate on success, then unlock.
            if !b.error {
                w.frame_mut(b.folio).flags |= pg::UPTODATE;
            }
            folio_unlock(w, b.folio);
            finish(w, k, StepId::ReadEndio)
        }
    }
}
