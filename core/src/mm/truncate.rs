//! mm/truncate.c: `truncate_setsize()` and `truncate_inode_pages_range()`.
//!
//! Pass 1 (`find_lock_entries()`) never blocks: it skips folios it cannot
//! trylock and folios under writeback, and deletes the rest in a batch.
//! Pass 2 (`find_get_entries()`) locks each remaining folio, waits for its
//! writeback and removes it — relying on `folio_wait_writeback()` to return
//! only once PG_writeback is clear, since writeback holds no reference.
//!
//! With page-aligned sizes, v7.0 handles the folio at the new EOF in its
//! "partial folio" code (`__filemap_get_folio(FGP_LOCK)`,
//! `folio_wait_writeback()`, `truncate_inode_folio()`) before pass 2; the
//! model lets pass 2 take it, as v5.x did (same lock, wait, remove sequence).

use crate::exec::poll::{Cond, Poll};
use crate::step::StepId;
use crate::world::{lock, pg, FolioRef, World, MAX_INDEX, NO_FRAME};

use super::filemap::{find_lock_entry, folio_unlock, page_cache_delete, LockFolio, LockedEntry};
use super::memory::Zap;
use super::page_writeback::{FolioBatch, WaitWriteback};
use super::swap::{folio_put, folio_try_get};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TruncPc {
    InodeLock,
    InvalidateLock,
    SetSize,
    /// `truncate_pagecache()`'s `unmap_mapping_range()` before the
    /// page-cache truncation.
    Unmap,
    FindLock,
    /// `truncate_cleanup_folio()` of each folio of the batch: a mapped one
    /// is unmapped (`unmap_mapping_folio()`).
    Cleanup1,
    Delete,
    Unlock1,
    Release1,
    FindGet,
    Lock2,
    Wait2,
    /// `truncate_inode_folio()` → `truncate_cleanup_folio()`.
    Cleanup2,
    Remove2,
    Unlock2,
    Release2,
    /// `truncate_pagecache()`'s second `unmap_mapping_range()`: private
    /// copies made of a folio after the first one (`wp_page_copy()` needs
    /// no folio lock) go too.
    Unmap2,
    InodeUnlock,
}

/// `truncate(2)` to `size` pages: `inode_lock()`, `truncate_setsize()`
/// (`i_size_write()` then `truncate_pagecache()` →
/// `truncate_inode_pages_range()`), the filesystem freeing the blocks past
/// EOF (`->setattr`, e.g. `ext2_truncate_blocks()`), `inode_unlock()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Truncate {
    file: u8,
    size: u8,
    /// One past the last page removed (`MAX_INDEX` for a truncate).
    end: u8,
    /// `truncate_pagecache_range()` for a caller that holds the locks and
    /// frees the blocks itself (hole punching): no `i_size` change.
    ranged: bool,
    pc: TruncPc,
    index: u8,
    batch: FolioBatch,
    cur: u8,
    lock: Option<LockFolio>,
    wait: Option<WaitWriteback>,
    /// XFS and ext4 hold `invalidate_lock` exclusive across the size change
    /// and the page-cache truncation.
    inv: bool,
    /// The PTEs being zapped (`unmap_mapping_range()`, `unmap_mapping_folio()`).
    zap: Option<Zap>,
}

impl Truncate {
    /// Truncate `file` to `size` pages.
    pub fn new(file: u8, size: u8) -> Truncate {
        Truncate {
            file,
            size: size.min(MAX_INDEX as u8),
            end: MAX_INDEX as u8,
            ranged: false,
            pc: TruncPc::InodeLock,
            index: 0,
            batch: FolioBatch::default(),
            cur: 0,
            lock: None,
            wait: None,
            inv: false,
            zap: None,
        }
    }

    /// `truncate_pagecache_range()` over pages `start..end` of `file`, the
    /// caller holding `i_rwsem` and `invalidate_lock`.
    pub fn range(file: u8, start: u8, end: u8) -> Truncate {
        let mut t = Truncate::new(file, start);
        t.end = end.min(MAX_INDEX as u8);
        t.ranged = true;
        t.index = t.size;
        t.pc = TruncPc::Unmap;
        t
    }

    fn folio(&self) -> FolioRef {
        self.batch.folios[self.cur as usize]
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            TruncPc::InodeLock => self.inode_lock(w),
            TruncPc::InvalidateLock => self.invalidate_lock(w),
            TruncPc::SetSize => self.set_size(w),
            TruncPc::Unmap => {
                // truncate_pagecache() unmaps private copies too;
                // truncate_pagecache_range() (a punch) keeps them.
                let (f, from, to, punch) = (self.file, self.size, self.end, self.ranged);
                self.zap_then(
                    w,
                    |w| {
                        if punch {
                            Zap::page_cache(w, f, from, to)
                        } else {
                            Zap::new(w, u8::MAX, f, from, to, NO_FRAME)
                        }
                    },
                    TruncPc::FindLock,
                )
            }
            TruncPc::FindLock => self.find_lock(w),
            TruncPc::Cleanup1 => self.cleanup1(w),
            TruncPc::Delete => self.delete(w),
            TruncPc::Unlock1 => self.unlock1(w),
            TruncPc::Release1 => {
                self.batch.release(w);
                self.pc = TruncPc::FindLock;
                Poll::Ran(StepId::FolioBatchRelease)
            }
            TruncPc::FindGet => self.find_get(w),
            TruncPc::Lock2 => self.lock2(w),
            TruncPc::Wait2 => self.wait2(w),
            TruncPc::Cleanup2 => {
                let r = self.folio();
                let f = self.file;
                self.zap_then(w, |w| unmap_folio(w, r, f), TruncPc::Remove2)
            }
            TruncPc::Remove2 => self.remove2(w),
            TruncPc::Unlock2 => self.unlock2(w),
            TruncPc::Release2 => {
                self.batch.release(w);
                self.pc = TruncPc::FindGet;
                Poll::Ran(StepId::FolioBatchRelease)
            }
            TruncPc::Unmap2 => {
                let (f, from, to) = (self.file, self.size, self.end);
                self.zap_then(
                    w,
                    |w| Zap::new(w, u8::MAX, f, from, to, NO_FRAME),
                    TruncPc::InodeUnlock,
                )
            }
            TruncPc::InodeUnlock => self.inode_unlock(w),
        }
    }

    fn invalidate_lock(&mut self, w: &mut World) -> Poll {
        // ->setattr (xfs_vn_setattr(): XFS_MMAPLOCK_EXCL; ext4_setattr():
        // filemap_invalidate_lock()) holds it over i_size_write() and
        // truncate_pagecache(), so a page fault cannot dirty a folio
        // the truncate is removing.
        if let Err(c) = w.lock(lock::invalidate_lock(self.file)) {
            return Poll::Block(c);
        }
        self.inv = true;
        self.pc = TruncPc::SetSize;
        Poll::Ran(StepId::FilemapInvalidateLock)
    }

    fn set_size(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        w.mappings[f].i_size = self.size;
        let upp = w.cfg.upp(self.file);
        w.shadow
            .discard(f, self.size as usize * upp, crate::world::MAX_LBLK);
        for mm in w.mms.iter_mut() {
            mm.forget_copies(self.file, self.size, MAX_INDEX as u8);
        }
        self.index = self.size;
        self.batch = FolioBatch::default();
        self.pc = TruncPc::Unmap;
        Poll::Ran(StepId::TruncateSetsize)
    }

    fn find_lock(&mut self, w: &mut World) -> Poll {
        match find_lock_entry(w, self.file, self.index, self.end) {
            LockedEntry::None => {
                self.pc = if self.batch.nr > 0 {
                    self.cur = 0;
                    TruncPc::Cleanup1
                } else {
                    TruncPc::FindGet
                };
                self.index = self.size;
                return self.step(w);
            }
            LockedEntry::Busy(c) => return Poll::Block(c),
            LockedEntry::Skipped(i) => self.index = i + 1,
            LockedEntry::Locked(i, r) => {
                self.index = i + 1;
                self.batch.add(r);
            }
        }
        Poll::Ran(StepId::FindLockEntries)
    }

    /// Zap what `make` finds (nothing: no step), then go to `next`.
    fn zap_then(&mut self, w: &mut World, make: impl Fn(&World) -> Zap, next: TruncPc) -> Poll {
        if self.zap.is_none() {
            let z = make(w);
            if z.is_empty() {
                self.pc = next;
                return self.step(w);
            }
            self.zap = Some(z);
        }
        let (id, _) = crate::nested!(self.zap, w, Zap::NONE);
        self.pc = next;
        Poll::Ran(id)
    }

    /// `truncate_cleanup_folio()` of the batch's folios in turn, each one
    /// locked: a mapped folio is unmapped from every mm (its zap's steps,
    /// then the next folio).
    fn cleanup1(&mut self, w: &mut World) -> Poll {
        if let Some(z) = self.zap.as_mut() {
            return match z.step(w) {
                Poll::Done(id) => {
                    self.zap = None;
                    self.cur += 1;
                    Poll::Ran(id)
                }
                p => p,
            };
        }
        while self.cur < self.batch.nr {
            let z = unmap_folio(w, self.folio(), self.file);
            if !z.is_empty() {
                self.zap = Some(z);
                return self.cleanup1(w);
            }
            self.cur += 1;
        }
        self.cur = 0;
        self.pc = TruncPc::Delete;
        self.step(w)
    }

    fn delete(&mut self, w: &mut World) -> Poll {
        // truncate_cleanup_folio() (folio_cancel_dirty()) on each, then
        // delete_from_page_cache_batch(): remove under xa_lock, drop the
        // page-cache references (filemap_free_folio()). One step: the
        // truncating task holds an inode reference, so nothing reads
        // nrpages to free the mapping meanwhile.
        if let Err(c) = w.xa_spin(self.file) {
            return Poll::Block(c);
        }
        for k in 0..self.batch.nr as usize {
            let r = self.batch.folios[k];
            w.frame_mut(r).flags &= !pg::DIRTY;
            crate::fs::buffer::invalidate_folio_buffers(w, r);
            page_cache_delete(w, r);
        }
        for k in 0..self.batch.nr as usize {
            folio_put(w, self.batch.folios[k]);
        }
        self.cur = 0;
        self.pc = TruncPc::Unlock1;
        Poll::Ran(StepId::DeleteFromPageCacheBatch)
    }

    fn unlock1(&mut self, w: &mut World) -> Poll {
        folio_unlock(w, self.folio());
        self.cur += 1;
        if self.cur >= self.batch.nr {
            self.pc = TruncPc::Release1;
        }
        Poll::Ran(StepId::FolioUnlock)
    }

    fn find_get(&mut self, w: &mut World) -> Poll {
        // find_get_entries() from `index`; when nothing is left from the
        // start of the range, pass 2 is over.
        let mut b = FolioBatch::default();
        let m = w.mappings[self.file as usize];
        for i in self.index as usize..self.end as usize {
            let f = m.slots[i].frame;
            if f != NO_FRAME && w.frames[f as usize].refcount == 0 {
                return Poll::Block(Cond::SlotBusy {
                    mapping: self.file,
                    index: i as u8,
                    frame: f,
                });
            }
        }
        for i in self.index as usize..self.end as usize {
            let f = m.slots[i].frame;
            if f != NO_FRAME {
                if let Some(r) = folio_try_get(w, f) {
                    b.add(r);
                    self.index = i as u8 + 1;
                }
            }
        }
        if b.nr == 0 {
            if self.index == self.size {
                if self.ranged {
                    return Poll::Done(StepId::FindGetEntries);
                }
                self.pc = TruncPc::Unmap2;
            } else {
                self.index = self.size;
            }
            return Poll::Ran(StepId::FindGetEntries);
        }
        self.batch = b;
        self.cur = 0;
        self.pc = TruncPc::Lock2;
        Poll::Ran(StepId::FindGetEntries)
    }

    fn lock2(&mut self, w: &mut World) -> Poll {
        let r = self.folio();
        let lk = self.lock.get_or_insert_with(|| LockFolio::new(r, false));
        match lk.step(w) {
            Poll::Done(id) => {
                self.lock = None;
                self.pc = TruncPc::Wait2;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn wait2(&mut self, w: &mut World) -> Poll {
        let r = self.folio();
        let wt = self
            .wait
            .get_or_insert_with(|| WaitWriteback::new(r, false));
        match wt.step(w) {
            Poll::Done(id) => {
                self.wait = None;
                self.pc = TruncPc::Cleanup2;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn remove2(&mut self, w: &mut World) -> Poll {
        // truncate_inode_folio(): if still ours, truncate_cleanup_folio()
        // and filemap_remove_folio() (drops the page-cache reference).
        if let Err(c) = w.xa_spin(self.file) {
            return Poll::Block(c);
        }
        let r = self.folio();
        w.check_ref(r);
        if w.frame(r).mapping == self.file {
            w.frame_mut(r).flags &= !pg::DIRTY;
            crate::fs::buffer::invalidate_folio_buffers(w, r);
            page_cache_delete(w, r);
            folio_put(w, r);
        }
        self.pc = TruncPc::Unlock2;
        Poll::Ran(StepId::TruncateInodeFolio)
    }

    fn unlock2(&mut self, w: &mut World) -> Poll {
        folio_unlock(w, self.folio());
        self.cur += 1;
        self.pc = if self.cur < self.batch.nr {
            TruncPc::Lock2
        } else {
            TruncPc::Release2
        };
        Poll::Ran(StepId::FolioUnlock)
    }

    /// `inode_lock()`, and the filesystem's own inode lock with it
    /// (`gfs2_setattr()`: the glock).
    fn inode_lock(&mut self, w: &mut World) -> Poll {
        let l = lock::i_rwsem(self.file);
        if !w.lock_free(l) {
            return Poll::Block(Cond::Lock(l));
        }
        let setattr = w.a_ops(self.file).setattr;
        if let Some(fl) = setattr.inode_lock {
            if let Err(c) = w.lock(fl(self.file)) {
                return Poll::Block(c);
            }
        }
        w.locks[l as usize].owner = w.me;
        self.pc = if setattr.invalidate_lock && w.fs_invalidate_lock(self.file) {
            TruncPc::InvalidateLock
        } else {
            TruncPc::SetSize
        };
        Poll::Ran(StepId::InodeLock)
    }

    /// The end of `truncate(2)`: what was stored past the new EOF is gone,
    /// `->setattr` frees the blocks there, the locks are released.
    fn inode_unlock(&mut self, w: &mut World) -> Poll {
        // A store through a mapping that passed its i_size check before
        // truncate_setsize() landed in a folio this truncate removed (or
        // zeroed): it is discarded with everything else past EOF; and an
        // fsync or read that overlapped the truncation checks nothing it
        // snapshotted before the truncate was over.
        let ops = w.a_ops(self.file);
        if let Err(c) = (ops.truncate_blocks)(w, self.file, self.size) {
            return Poll::Block(c);
        }
        let upp = w.cfg.upp(self.file);
        w.shadow.discard(
            self.file as usize,
            self.size as usize * upp,
            crate::world::MAX_LBLK,
        );
        if let Some(fl) = ops.setattr.inode_lock {
            w.unlock_if_mine(fl(self.file));
        }
        if self.inv {
            w.unlock(lock::invalidate_lock(self.file));
            self.inv = false;
        }
        w.unlock(lock::i_rwsem(self.file));
        Poll::Done(StepId::InodeUnlock)
    }
}

/// `unmap_mapping_folio()` of folio `r` of `file` if it is still there and
/// mapped (`folio_mapped()`, under the folio lock).
fn unmap_folio(w: &World, r: FolioRef, file: u8) -> Zap {
    let fr = w.frame(r);
    if fr.mapping != file || fr.mapcount == 0 {
        return Zap::NONE;
    }
    Zap::folio(w, r, file, fr.index)
}

crate::impl_step!(Truncate);
