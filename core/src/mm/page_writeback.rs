//! mm/page-writeback.c: starting writeback, waiting for it, and the
//! writeback iteration over a file (`write_cache_pages()`, which v6.8 split
//! into `writeback_iter()` / `writeback_get_folio()` /
//! `folio_prepare_writeback()` with the same tests).

use crate::block::bio::{submit_bio, submit_bio_blocks};
use crate::exec::poll::{Cond, Poll};
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::BioKind;
use crate::world::{mark, pg, FolioRef, World, MAX_INDEX, NO_FRAME};

use super::filemap::{folio_unlock, Behavior, LockFolio, WaitBit};
use super::rmap::{next_mapper_sync, page_vma_mkclean_one, set_page_dirty};
use super::swap::{folio_put, folio_try_get};

/// `folio_wait_writeback()`: `while (folio_test_writeback(folio))
/// folio_wait_bit(folio, PG_writeback);` since c2407cf7d22d; before it,
/// `wait_on_page_writeback()` had `if`, so one wakeup — spurious or not —
/// ended the wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitWriteback {
    folio: FolioRef,
    killable: bool,
    waits: u8,
    wait: Option<WaitBit>,
    /// 0, or -4 (-EINTR) for the killable variant.
    pub ret: i8,
}

impl WaitWriteback {
    /// Wait for writeback of `folio` to end (the caller holds a reference).
    pub fn new(folio: FolioRef, killable: bool) -> WaitWriteback {
        WaitWriteback {
            folio,
            killable,
            waits: 0,
            wait: None,
            ret: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match &mut self.wait {
            None => {
                w.check_ref(self.folio);
                let again = self.waits == 0 || w.has(Toggle::WaitWritebackLoop);
                if again && w.frame(self.folio).flags & pg::WRITEBACK != 0 {
                    self.wait = Some(WaitBit::new(
                        self.folio,
                        pg::WRITEBACK,
                        Behavior::Shared,
                        self.killable,
                    ));
                    self.waits = self.waits.saturating_add(1);
                    return Poll::Ran(StepId::FolioWaitWriteback);
                }
                Poll::Done(StepId::FolioWaitWriteback)
            }
            Some(wb) => match wb.step(w) {
                Poll::Done(id) => {
                    let ret = wb.ret;
                    self.wait = None;
                    if ret != 0 {
                        self.ret = ret;
                        return Poll::Done(id);
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
        }
    }
}

/// A batch of folios with a reference each (`struct folio_batch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FolioBatch {
    /// The folios.
    pub folios: [FolioRef; MAX_INDEX],
    /// How many.
    pub nr: u8,
}

impl FolioBatch {
    /// Add a folio.
    pub fn add(&mut self, r: FolioRef) {
        if (self.nr as usize) < MAX_INDEX {
            self.folios[self.nr as usize] = r;
            self.nr += 1;
        }
    }

    /// `folio_batch_release()`: put every reference and empty the batch.
    pub fn release(&mut self, w: &mut World) {
        for i in 0..self.nr as usize {
            folio_put(w, self.folios[i]);
        }
        self.nr = 0;
    }
}

/// `filemap_get_folios_tag()`: from `*index` on, every folio carrying `tag`,
/// with a reference each; `*index` moves past the last one. Spins (blocks)
/// on a frozen folio.
pub fn filemap_get_folios_tag(
    w: &mut World,
    mapping: u8,
    index: &mut u8,
    end: u8,
    tag: u8,
    batch: &mut FolioBatch,
) -> Result<(), Cond> {
    let end = (end as usize).min(MAX_INDEX);
    // Refuse to take any reference while one candidate is frozen, so a
    // blocked step changes nothing.
    for i in *index as usize..end {
        let s = w.mappings[mapping as usize].slots[i];
        if s.frame != NO_FRAME && s.marks & tag != 0 && w.frames[s.frame as usize].refcount == 0 {
            return Err(Cond::SlotBusy {
                mapping,
                index: i as u8,
                frame: s.frame,
            });
        }
    }
    for i in *index as usize..end {
        let s = w.mappings[mapping as usize].slots[i];
        if s.frame != NO_FRAME && s.marks & tag != 0 {
            if let Some(r) = folio_try_get(w, s.frame) {
                batch.add(r);
                *index = i as u8 + 1;
            }
        }
    }
    Ok(())
}

/// Writeback mode (`enum writeback_sync_modes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncMode {
    /// WB_SYNC_NONE: background writeback; skip folios under writeback.
    None,
    /// WB_SYNC_ALL: data integrity; wait for folios under writeback.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WcpPc {
    Tag,
    GetBatch,
    Lock,
    Prepare,
    Wait,
    /// `folio_clear_dirty_for_io()` → `folio_mkclean()`: the rmap walk
    /// from task `from` on; `cleaned`: a PTE was writable or dirty.
    Mkclean {
        from: u8,
        cleaned: bool,
    },
    ClearDirty,
    StartWriteback,
    MapBlocks,
    Submit,
    Unlock,
    Release,
}

/// `write_cache_pages()` / `writeback_iter()` over one file, with a
/// `->writepage` that does `__folio_start_writeback()`, the mapping's block
/// mapping (`->map_blocks`), `submit_bio()`, `folio_unlock()` (the order of
/// `__block_write_full_folio()` and `iomap_writeback_folio()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WriteCachePages {
    mapping: u8,
    mode: SyncMode,
    pc: WcpPc,
    index: u8,
    end: u8,
    /// The filesystem's writeback context (its cached mapping).
    wpc: crate::fs::WbCtx,
    /// The disk units the current folio's bio carries, and the blocks its
    /// ioend converts.
    units: [u8; crate::world::MAX_BLOCKS],
    convert: u8,
    batch: FolioBatch,
    cur: u8,
    lock: Option<LockFolio>,
    wait: WaitWriteback,
}

impl WriteCachePages {
    /// Write back the dirty pages of `mapping`.
    pub fn new(mapping: u8, mode: SyncMode) -> WriteCachePages {
        WriteCachePages {
            mapping,
            mode,
            pc: if mode == SyncMode::All {
                WcpPc::Tag
            } else {
                WcpPc::GetBatch
            },
            index: 0,
            end: MAX_INDEX as u8,
            wpc: crate::fs::WbCtx::default(),
            units: [crate::world::NO_PBLK; crate::world::MAX_BLOCKS],
            convert: 0,
            batch: FolioBatch::default(),
            cur: 0,
            lock: None,
            wait: WaitWriteback::new(FolioRef::NONE, false),
        }
    }

    /// Write back pages `start..end` only (`filemap_fdatawrite_range()`).
    pub fn range(mapping: u8, mode: SyncMode, start: u8, end: u8) -> WriteCachePages {
        let mut m = WriteCachePages::new(mapping, mode);
        m.index = start;
        m.end = end;
        m
    }

    fn folio(&self) -> FolioRef {
        self.batch.folios[self.cur as usize]
    }

    /// Continue with the next folio of the batch, or release it.
    fn next(&mut self) {
        self.cur += 1;
        self.pc = if self.cur < self.batch.nr {
            WcpPc::Lock
        } else {
            WcpPc::Release
        };
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            WcpPc::Tag => self.tag(w),
            WcpPc::GetBatch => self.get_batch(w),
            WcpPc::Lock => {
                let folio = self.folio();
                let (id, _) = crate::nested!(self.lock, w, LockFolio::new(folio, false));
                self.pc = WcpPc::Prepare;
                Poll::Ran(id)
            }
            WcpPc::Prepare => self.prepare(w),
            WcpPc::Wait => {
                let id = crate::done!(self.wait.step(w));
                self.pc = WcpPc::Mkclean {
                    from: 0,
                    cleaned: false,
                };
                Poll::Ran(id)
            }
            WcpPc::Mkclean { from, cleaned } => self.mkclean(w, from, cleaned),
            WcpPc::ClearDirty => self.clear_dirty(w),
            WcpPc::StartWriteback => {
                folio_start_writeback(w, self.folio());
                self.pc = if w.a_ops(self.mapping).map_blocks.is_some() {
                    WcpPc::MapBlocks
                } else {
                    WcpPc::Submit
                };
                Poll::Ran(StepId::FolioStartWriteback)
            }
            WcpPc::MapBlocks => self.map_blocks(w),
            WcpPc::Submit => self.submit(w),
            WcpPc::Unlock => {
                folio_unlock(w, self.folio());
                self.next();
                Poll::Ran(StepId::FolioUnlock)
            }
            WcpPc::Release => {
                self.batch.release(w);
                self.pc = WcpPc::GetBatch;
                Poll::Ran(StepId::FolioBatchRelease)
            }
        }
    }

    /// `tag_pages_for_writeback()`: TOWRITE on every DIRTY entry.
    fn tag(&mut self, w: &mut World) -> Poll {
        let (a, b) = (self.index as usize, (self.end as usize).min(MAX_INDEX));
        for s in w.mappings[self.mapping as usize].slots[a..b].iter_mut() {
            if s.frame != NO_FRAME && s.marks & mark::DIRTY != 0 {
                s.marks |= mark::TOWRITE;
            }
        }
        self.pc = WcpPc::GetBatch;
        Poll::Ran(StepId::TagPagesForWriteback)
    }

    fn get_batch(&mut self, w: &mut World) -> Poll {
        let tag = if self.mode == SyncMode::All {
            mark::TOWRITE
        } else {
            mark::DIRTY
        };
        let mut b = FolioBatch::default();
        if let Err(c) =
            filemap_get_folios_tag(w, self.mapping, &mut self.index, self.end, tag, &mut b)
        {
            return Poll::Block(c);
        }
        if b.nr == 0 {
            return Poll::Done(StepId::FilemapGetFoliosTag);
        }
        self.batch = b;
        self.cur = 0;
        self.pc = WcpPc::Lock;
        Poll::Ran(StepId::FilemapGetFoliosTag)
    }

    /// `folio_prepare_writeback()`.
    fn prepare(&mut self, w: &mut World) -> Poll {
        let r = self.folio();
        w.check_ref(r);
        let fr = *w.frame(r);
        if fr.mapping != self.mapping {
            w.note(Event::Note("truncated: skip"));
            self.pc = WcpPc::Unlock;
        } else if fr.flags & pg::DIRTY == 0 {
            w.note(Event::Note("not dirty: skip"));
            self.pc = WcpPc::Unlock;
        } else if fr.flags & pg::WRITEBACK != 0 {
            if self.mode == SyncMode::None {
                w.note(Event::Note("under writeback: skip (WB_SYNC_NONE)"));
                self.pc = WcpPc::Unlock;
            } else {
                self.wait = WaitWriteback::new(r, false);
                self.pc = WcpPc::Wait;
            }
        } else {
            self.pc = WcpPc::Mkclean {
                from: 0,
                cleaned: false,
            };
        }
        Poll::Ran(StepId::FolioPrepareWriteback)
    }

    /// `folio_clear_dirty_for_io()`'s `folio_mkclean()`, one mm per step
    /// (`page_vma_mkclean_one()`), so that a store after it faults and
    /// dirties the folio again; a PTE that was dirty makes it
    /// `folio_mark_dirty()` before the dirty bit is cleared.
    fn mkclean(&mut self, w: &mut World, from: u8, cleaned: bool) -> Poll {
        let r = self.folio();
        if let Some(t) = next_mapper_sync(w, r, from) {
            if let Err(c) = w.ptl_spin(t) {
                return Poll::Block(c);
            }
            let c = page_vma_mkclean_one(w, t, r);
            self.pc = WcpPc::Mkclean {
                from: t + 1,
                cleaned: cleaned || c,
            };
            return Poll::Ran(StepId::PageVmaMkcleanOne);
        }
        if cleaned {
            set_page_dirty(w, r);
        }
        self.pc = WcpPc::ClearDirty;
        self.step(w)
    }

    /// `BUG_ON(folio_test_writeback(folio))`, `folio_clear_dirty_for_io()`
    /// (the DIRTY mark stays until `__folio_start_writeback()`), then the
    /// writepage's pass over the buffers.
    fn clear_dirty(&mut self, w: &mut World) -> Poll {
        let r = self.folio();
        w.check_ref(r);
        if w.frame(r).flags & pg::WRITEBACK != 0 {
            w.fire(
                OracleId::WritebackAfterWait,
                r.frame,
                Payload::Incarnation(r.inc),
            );
        }
        let fr = w.frame_mut(r);
        if fr.flags & pg::DIRTY == 0 {
            self.pc = WcpPc::Unlock;
        } else {
            fr.flags &= !pg::DIRTY;
            (w.a_ops(self.mapping).writepage_buffers)(w, r);
            self.pc = WcpPc::StartWriteback;
        }
        Poll::Ran(StepId::FolioClearDirtyForIo)
    }

    /// The filesystem maps every dirty block of the locked folio
    /// (`iomap_writeback_folio()` → `->writeback_range` / `->map_blocks`).
    fn map_blocks(&mut self, w: &mut World) -> Poll {
        let Some(map) = w.a_ops(self.mapping).map_blocks else {
            self.pc = WcpPc::Submit;
            return self.submit(w);
        };
        match map(w, self.mapping, self.folio(), &mut self.wpc) {
            crate::fs::MapStep::Wait(c) => Poll::Block(c),
            crate::fs::MapStep::Ran(id) => Poll::Ran(id),
            crate::fs::MapStep::Done(units, convert, id) => {
                self.units = units;
                self.convert = convert;
                self.pc = WcpPc::Submit;
                Poll::Ran(id)
            }
        }
    }

    fn submit(&mut self, w: &mut World) -> Poll {
        let r = self.folio();
        let ok = if w.a_ops(self.mapping).map_blocks.is_some() {
            submit_bio_blocks(w, r, BioKind::WritePage, self.units, self.convert)
        } else {
            submit_bio(w, r, BioKind::WritePage)
        };
        if !ok {
            return Poll::Block(Cond::BioSlot);
        }
        self.pc = WcpPc::Unlock;
        Poll::Ran(StepId::SubmitBio)
    }
}

/// `__folio_start_writeback(folio, false)`: PG_writeback and the WRITEBACK
/// mark; DIRTY mark cleared if the folio is clean, TOWRITE cleared. The caller
/// holds the folio lock. `VM_BUG_ON_FOLIO(folio_test_writeback(folio))` is the
/// `writeback-after-wait` oracle's business one step earlier.
pub fn folio_start_writeback(w: &mut World, r: FolioRef) {
    w.check_ref(r);
    let fr = w.frame_mut(r);
    fr.flags |= pg::WRITEBACK;
    let (m, i, dirty) = (fr.mapping, fr.index, fr.flags & pg::DIRTY != 0);
    if m != crate::world::NO_MAPPING {
        let s = &mut w.mappings[m as usize].slots[i as usize];
        if s.frame == r.frame {
            s.marks |= mark::WRITEBACK;
            if !dirty {
                s.marks &= !mark::DIRTY;
            }
            s.marks &= !mark::TOWRITE;
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WaitPc {
    GetBatch,
    Wait,
    Release,
}

/// `__filemap_fdatawait_range()`: for every folio tagged WRITEBACK (a batch at
/// a time, a reference each, no folio lock), `folio_wait_writeback()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FdataWait {
    mapping: u8,
    pc: WaitPc,
    index: u8,
    end: u8,
    batch: FolioBatch,
    cur: u8,
    wait: Option<WaitWriteback>,
}

impl FdataWait {
    /// Wait for all writeback on `mapping`.
    pub fn new(mapping: u8) -> FdataWait {
        FdataWait {
            mapping,
            pc: WaitPc::GetBatch,
            index: 0,
            end: MAX_INDEX as u8,
            batch: FolioBatch::default(),
            cur: 0,
            wait: None,
        }
    }

    /// Wait for writeback of pages `start..end` only.
    pub fn range(mapping: u8, start: u8, end: u8) -> FdataWait {
        let mut m = FdataWait::new(mapping);
        m.index = start;
        m.end = end;
        m
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            WaitPc::GetBatch => {
                let mut b = FolioBatch::default();
                if let Err(c) = filemap_get_folios_tag(
                    w,
                    self.mapping,
                    &mut self.index,
                    self.end,
                    mark::WRITEBACK,
                    &mut b,
                ) {
                    return Poll::Block(c);
                }
                if b.nr == 0 {
                    return Poll::Done(StepId::FilemapGetFoliosTag);
                }
                self.batch = b;
                self.cur = 0;
                self.pc = WaitPc::Wait;
                Poll::Ran(StepId::FilemapGetFoliosTag)
            }
            WaitPc::Wait => {
                let r = self.batch.folios[self.cur as usize];
                let wait = self
                    .wait
                    .get_or_insert_with(|| WaitWriteback::new(r, false));
                match wait.step(w) {
                    Poll::Done(id) => {
                        self.wait = None;
                        self.cur += 1;
                        if self.cur >= self.batch.nr {
                            self.pc = WaitPc::Release;
                        }
                        Poll::Ran(id)
                    }
                    p => p,
                }
            }
            WaitPc::Release => {
                self.batch.release(w);
                self.pc = WaitPc::GetBatch;
                Poll::Ran(StepId::FolioBatchRelease)
            }
        }
    }
}

crate::impl_step!(WaitWriteback, WriteCachePages, FdataWait);
