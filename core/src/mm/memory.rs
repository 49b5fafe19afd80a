//! mm/memory.c: a write fault on a shared file mapping —
//! `do_shared_fault()`: `__do_fault()` (`filemap_fault()` brings the page
//! in), `do_page_mkwrite()` (the filesystem's `->page_mkwrite`, which
//! returns with the folio locked), then the user's store lands and
//! `fault_dirty_shared_page()` dirties and unlocks.
//!
//! `->page_mkwrite`: ext4's `ext4_page_mkwrite()` (`invalidate_lock`
//! shared, `block_page_mkwrite()` → `ext4_da_get_block_prep()` per block —
//! no `i_rwsem`, which is why it races `ext4_fallocate()`: Case 4C); XFS's
//! `xfs_write_fault()` (`XFS_MMAPLOCK_SHARED` = `invalidate_lock`) →
//! `iomap_page_mkwrite()` (delalloc for holes through
//! `xfs_buffered_write_iomap_begin()`); gfs2's `gfs2_page_mkwrite()`
//! (buffers added to a transaction); the simple filesystem's
//! `block_page_mkwrite()`. The page is assumed mapped since an earlier read
//! fault: the model's fault starts at the write.

use crate::exec::poll::{Cond, Poll};
use crate::fs::ext4::{Ext4MapBlocks, Found, MapMode};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{lock, pg, Fs, World};

use super::filemap::{folio_mark_dirty, folio_unlock, FilemapRead, LockFolio};
use super::swap::folio_put;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MwPc {
    InvLock,
    Fault,
    Lock,
    Check,
    FsMkwrite,
    Store,
    Unlock,
    Put,
    InvUnlock,
}

/// A write fault on page `index` of `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageMkwrite {
    file: u8,
    index: u8,
    pc: MwPc,
    fault: FilemapRead,
    lock: Option<LockFolio>,
    map: Option<Ext4MapBlocks>,
    blk: u8,
    inv: bool,
    /// 0 or a negative errno (-14: beyond EOF, SIGBUS).
    pub err: i8,
}

impl PageMkwrite {
    /// A write fault on page `index` of `file`.
    pub fn new(file: u8, index: u8) -> PageMkwrite {
        PageMkwrite {
            file,
            index,
            pc: MwPc::InvLock,
            fault: FilemapRead::fault(file, index),
            lock: None,
            map: None,
            blk: 0,
            inv: false,
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        let inv = lock::invalidate_lock(self.file);
        match self.pc {
            MwPc::InvLock => {
                // gfs2_page_mkwrite(): the inode glock, exclusive.
                match crate::fs::gfs2::glock_ex(w, self.file) {
                    Err(c) => return Poll::Block(c),
                    Ok(true) => {
                        self.pc = MwPc::Fault;
                        return Poll::Ran(StepId::Gfs2GlockNq);
                    }
                    Ok(false) => {}
                }
                if matches!(w.cfg.fs, Fs::Xfs | Fs::Ext4) {
                    // filemap_invalidate_lock_shared() / xfs_ilock(XFS_MMAPLOCK_SHARED).
                    if !w.lock_shared_ok(inv) {
                        return Poll::Block(Cond::LockShared(inv));
                    }
                    w.locks[inv as usize].readers += 1;
                    self.inv = true;
                }
                self.pc = MwPc::Fault;
                Poll::Ran(StepId::FilemapInvalidateLockShared)
            }
            MwPc::Fault => match self.fault.step(w) {
                Poll::Done(id) => {
                    if self.fault.err != 0 {
                        self.err = self.fault.err;
                        w.note(Event::Note("fault beyond EOF: SIGBUS"));
                        self.pc = MwPc::InvUnlock;
                    } else {
                        self.lock = Some(LockFolio::new(self.fault.folio, false));
                        self.pc = MwPc::Lock;
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
            MwPc::Lock => {
                let Some(lk) = self.lock.as_mut() else {
                    self.pc = MwPc::Check;
                    return self.step(w);
                };
                match lk.step(w) {
                    Poll::Done(id) => {
                        self.lock = None;
                        self.pc = MwPc::Check;
                        Poll::Ran(id)
                    }
                    p => p,
                }
            }
            MwPc::Check => {
                // block_page_mkwrite(): truncated since the fault looked it up?
                let r = self.fault.folio;
                w.check_ref(r);
                if w.frame(r).mapping != self.file || w.mappings[f].i_size <= self.index {
                    w.note(Event::Note("truncated meanwhile: VM_FAULT_NOPAGE"));
                    self.pc = MwPc::Unlock;
                } else {
                    self.pc = MwPc::FsMkwrite;
                    self.blk = 0;
                }
                Poll::Ran(StepId::BlockPageMkwrite)
            }
            MwPc::FsMkwrite => {
                let r = self.fault.folio;
                let bpp = w.cfg.bpp(self.file);
                match w.cfg.fs {
                    Fs::Ext4 => {
                        if self.blk as usize >= bpp {
                            self.pc = MwPc::Store;
                            return self.step(w);
                        }
                        let lblk = self.index * bpp as u8 + self.blk;
                        let m = self.map.get_or_insert_with(|| {
                            Ext4MapBlocks::new(self.file, lblk, MapMode::Da)
                        });
                        match m.step(w) {
                            Poll::Done(id) => {
                                if m.found == Found::Delayed {
                                    w.frame_mut(r).blk_delay |= 1 << self.blk;
                                }
                                self.map = None;
                                self.blk += 1;
                                Poll::Ran(id)
                            }
                            p => p,
                        }
                    }
                    Fs::Xfs => {
                        // iomap_page_mkwrite() → iomap_iter(IOMAP_WRITE | IOMAP_FAULT).
                        let lb = self.index as usize * bpp;
                        let mut lblk = lb;
                        while lblk < lb + bpp {
                            let m = crate::fs::xfs::buffered_write_iomap_begin(
                                w,
                                self.file,
                                lblk,
                                lb + bpp,
                            );
                            lblk = m.map_or(lb + bpp, |m| m.end().max(lblk + 1));
                        }
                        self.pc = MwPc::Store;
                        Poll::Ran(StepId::XfsBufferedWriteIomapBegin)
                    }
                    Fs::Gfs2 => {
                        // gfs2_page_mkwrite(): gfs2_write_alloc_required() →
                        // gfs2_allocate_page_backing(): iomap over the page's
                        // blocks, allocating the holes (fs/gfs2/file.c).
                        let lb = self.index as usize * bpp;
                        let mut lblk = lb;
                        while lblk < lb + bpp {
                            match crate::fs::gfs2::iomap_begin_write(w, self.file, lblk, lb + bpp) {
                                Some(m) => lblk = m.end().max(lblk + 1),
                                None => break,
                            }
                        }
                        if lblk < lb + bpp {
                            // ENOSPC: VM_FAULT_SIGBUS.
                            w.note(Event::Note("ENOSPC allocating page backing"));
                            self.err = -28;
                            self.pc = MwPc::Unlock;
                        } else if crate::fs::gfs2::ensure_buffers(w, self.file, r) {
                            self.pc = MwPc::Store;
                        } else {
                            // No buffer head left in the model's pool: VM_FAULT_OOM.
                            self.err = -12;
                            self.pc = MwPc::Unlock;
                        }
                        Poll::Ran(StepId::Gfs2TransBegin)
                    }
                    Fs::Simple => {
                        self.pc = MwPc::Store;
                        self.step(w)
                    }
                }
            }
            MwPc::Store => {
                // The user's store through the now-writable PTE, then
                // fault_dirty_shared_page(): dirty.
                let r = self.fault.folio;
                w.check_ref(r);
                let upp = w.cfg.upp(self.file);
                let bpp = w.cfg.bpp(self.file);
                for j in 0..upp {
                    let u = self.index as usize * upp + j;
                    let v = w.shadow.next[f][u];
                    w.shadow.next[f][u] = v.wrapping_add(1).max(1);
                    w.frame_mut(r).data[j] = crate::fs::unit_token(self.file, u, v);
                    // The store is visible to every later read at once (and a
                    // truncate that follows discards it: the promise is made
                    // here, not when the fault handler returns).
                    w.shadow.latest[f][u] = v;
                }
                let all = ((1u16 << bpp) - 1) as u8;
                if w.cfg.extent_mapped(self.file) {
                    let fr = w.frame_mut(r);
                    fr.blk_uptodate = all;
                    fr.blk_dirty = all;
                }
                if w.cfg.fs == Fs::Gfs2 {
                    crate::fs::gfs2::mark_buffers_dirty(w, r, all);
                    crate::fs::gfs2::add_databufs(
                        w,
                        r,
                        self.index as usize * upp,
                        (self.index as usize + 1) * upp,
                    );
                }
                w.frame_mut(r).flags |= pg::UPTODATE;
                folio_mark_dirty(w, r);
                self.pc = MwPc::Unlock;
                Poll::Ran(StepId::FaultDirtySharedPage)
            }
            MwPc::Unlock => {
                folio_unlock(w, self.fault.folio);
                self.pc = MwPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            MwPc::Put => {
                folio_put(w, self.fault.folio);
                self.pc = MwPc::InvUnlock;
                Poll::Ran(StepId::FolioPut)
            }
            MwPc::InvUnlock => {
                crate::fs::gfs2::glock_ex_release(w, self.file);
                if self.inv {
                    let s = &mut w.locks[inv as usize];
                    s.readers = s.readers.saturating_sub(1);
                }
                Poll::Done(StepId::FilemapInvalidateUnlockShared)
            }
        }
    }
}
