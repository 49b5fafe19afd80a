//! `fallocate(2)`: preallocation, hole punching and zeroing of a page range.
//!
//! Preallocation (mode 0) takes `i_rwsem` and allocates unwritten extents
//! — `xfs_alloc_file_space()` in one ILOCK section; ext4's
//! `ext4_alloc_file_blocks()` block by block through `ext4_map_blocks()`,
//! which takes `i_data_sem` but *not* the folio lock nor `invalidate_lock`
//! (the reason Case 4C's page fault can race it); gfs2, which has no
//! unwritten extents, allocates zeroed blocks (`__gfs2_fallocate()`).
//! Hole punching (`xfs_free_file_space()`, `ext4_punch_hole()`,
//! `gfs2_punch_hole()`) takes `i_rwsem` and `invalidate_lock`, writes back
//! and waits on the range (`filemap_write_and_wait_range()`), drops it from
//! the page cache (`truncate_pagecache_range()`) and frees its blocks; zero
//! range punches, then preallocates. The simple filesystem has no fallocate
//! (ext2: -EOPNOTSUPP).

use crate::exec::poll::{Cond, Poll};
use crate::mm::page_writeback::{FdataWait, SyncMode, WriteCachePages};
use crate::mm::truncate::Truncate;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{ext, lock, Extent, Fs, World, NO_OWNER};

use super::ext4::{Ext4MapBlocks, MapMode};
use super::{disk_unit, free_file_blocks, set_extent};

/// The fallocate modes the model has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FallocMode {
    /// Plain preallocation (mode 0): unwritten extents, `i_size` extended.
    Alloc,
    /// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`.
    Punch,
    /// `FALLOC_FL_ZERO_RANGE`: punch, then preallocate unwritten.
    Zero,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FaPc {
    InodeLock,
    InvalidateLock,
    Flush,
    Wait,
    Truncate,
    Free,
    Alloc,
    Ext4Map,
    InvalidateUnlock,
    InodeUnlock,
}

/// One `fallocate()` call on pages `index..index+count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Falloc {
    file: u8,
    mode: FallocMode,
    index: u8,
    end: u8,
    pc: FaPc,
    flush: WriteCachePages,
    wait: FdataWait,
    trunc: Truncate,
    map: Ext4MapBlocks,
    cur: u8,
    /// 0 or a negative errno.
    pub err: i8,
}

impl Falloc {
    /// `fallocate(file, mode, index * PAGE_SIZE, count * PAGE_SIZE)`.
    pub fn new(file: u8, mode: FallocMode, index: u8, count: u8) -> Falloc {
        let end = index.saturating_add(count);
        Falloc {
            file,
            mode,
            index,
            end,
            pc: FaPc::InodeLock,
            flush: WriteCachePages::range(file, SyncMode::All, index, end),
            wait: FdataWait::range(file, index, end),
            trunc: Truncate::range(file, index, end),
            map: Ext4MapBlocks::new(file, 0, MapMode::Create),
            cur: 0,
            err: 0,
        }
    }

    fn blocks(&self, w: &World) -> (usize, usize) {
        let bpp = w.cfg.bpp(self.file);
        (self.index as usize * bpp, self.end as usize * bpp)
    }

    fn after_free(&self) -> FaPc {
        if self.mode == FallocMode::Zero {
            FaPc::Alloc
        } else {
            FaPc::InvalidateUnlock
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let rw = lock::i_rwsem(self.file);
        let inv = lock::invalidate_lock(self.file);

        match self.pc {
            FaPc::InodeLock => self.inode_lock(w),
            FaPc::InvalidateLock => self.invalidate_lock(w),
            FaPc::Flush => match self.flush.step(w) {
                Poll::Done(id) => {
                    self.pc = FaPc::Wait;
                    Poll::Ran(id)
                }
                p => p,
            },
            FaPc::Wait => match self.wait.step(w) {
                Poll::Done(id) => {
                    let upp = w.cfg.upp(self.file);
                    let (from, to) = (self.index as usize * upp, self.end as usize * upp);
                    w.shadow.punching[self.file as usize] = (
                        from.min(crate::world::MAX_LBLK) as u8,
                        to.min(crate::world::MAX_LBLK) as u8,
                    );
                    self.pc = FaPc::Truncate;
                    Poll::Ran(id)
                }
                p => p,
            },
            FaPc::Truncate => match self.trunc.step(w) {
                Poll::Done(id) => {
                    self.pc = FaPc::Free;
                    Poll::Ran(id)
                }
                p => p,
            },
            FaPc::Free => self.free(w),
            FaPc::Alloc => self.alloc(w),
            FaPc::Ext4Map => match self.map.step(w) {
                Poll::Done(id) => {
                    if self.map.err != 0 {
                        self.err = self.map.err;
                    }
                    let (_, le) = self.blocks(w);
                    self.cur += 1;
                    if (self.cur as usize) < le && self.err == 0 {
                        self.map = Ext4MapBlocks::new(self.file, self.cur, MapMode::Create);
                    } else {
                        self.extend_size(w);
                        self.pc = if self.mode == FallocMode::Alloc {
                            FaPc::InodeUnlock
                        } else {
                            FaPc::InvalidateUnlock
                        };
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
            FaPc::InvalidateUnlock if !w.fs_invalidate_lock(self.file) => {
                self.pc = FaPc::InodeUnlock;
                self.step(w)
            }
            FaPc::InvalidateUnlock => {
                w.locks[inv as usize].owner = NO_OWNER;
                self.pc = FaPc::InodeUnlock;
                Poll::Ran(StepId::FilemapInvalidateUnlock)
            }
            FaPc::InodeUnlock => {
                super::gfs2::glock_ex_release(w, self.file);
                w.locks[rw as usize].owner = NO_OWNER;
                Poll::Done(StepId::InodeUnlock)
            }
        }
    }

    fn inode_lock(&mut self, w: &mut World) -> Poll {
        let rw = lock::i_rwsem(self.file);
        if w.cfg.fs == Fs::Simple {
            w.note(Event::Note("no ->fallocate: -EOPNOTSUPP"));
            self.err = -95;
            return Poll::Done(StepId::VfsFallocate);
        }
        if !w.lock_free(rw) {
            return Poll::Block(Cond::Lock(rw));
        }
        // gfs2_fallocate(): the inode glock, exclusive, with i_rwsem.
        if let Some(l) = w.a_ops(self.file).setattr.inode_lock {
            if let Err(c) = w.lock(l(self.file)) {
                return Poll::Block(c);
            }
        }
        w.locks[rw as usize].owner = w.me;
        self.pc = match self.mode {
            FallocMode::Alloc => FaPc::Alloc,
            _ if !w.fs_invalidate_lock(self.file) => FaPc::Flush,
            _ => FaPc::InvalidateLock,
        };
        Poll::Ran(StepId::InodeLock)
    }

    fn invalidate_lock(&mut self, w: &mut World) -> Poll {
        let inv = lock::invalidate_lock(self.file);
        if !w.lock_free(inv) {
            return Poll::Block(Cond::Lock(inv));
        }
        w.locks[inv as usize].owner = w.me;
        self.pc = FaPc::Flush;
        Poll::Ran(StepId::FilemapInvalidateLock)
    }

    fn free(&mut self, w: &mut World) -> Poll {
        // ext4_punch_hole(): ext4_ext_remove_space() under down_write(i_data_sem).
        if w.cfg.fs == Fs::Ext4 {
            if let Err(c) = super::ext4::data_sem_wait(w, self.file) {
                return Poll::Block(c);
            }
        }
        let (lb, le) = self.blocks(w);
        free_file_blocks(w, self.file, lb, le);
        // The range reads as zeroes now: nothing written before is promised.
        let upp = w.cfg.upp(self.file);
        w.shadow.discard(
            self.file as usize,
            self.index as usize * upp,
            self.end as usize * upp,
        );
        w.shadow.punching[self.file as usize] = (0, 0);
        self.pc = self.after_free();
        Poll::Ran(match w.cfg.fs {
            Fs::Ext4 => StepId::Ext4ExtRemoveSpace,
            Fs::Gfs2 => StepId::Gfs2PunchHole,
            _ => StepId::XfsBunmapi,
        })
    }

    fn alloc(&mut self, w: &mut World) -> Poll {
        let (lb, le) = self.blocks(w);
        match w.cfg.fs {
            Fs::Ext4 => {
                self.cur = lb as u8;
                self.map = Ext4MapBlocks::new(self.file, self.cur, MapMode::Create);
                self.pc = FaPc::Ext4Map;
                return self.step(w);
            }
            Fs::Gfs2 => {
                for lblk in lb..le {
                    if w.inodes[self.file as usize].map[lblk].allocated() {
                        continue;
                    }
                    let Some(p) = w.balloc.alloc() else {
                        self.err = -28;
                        break;
                    };
                    for j in 0..crate::world::UPB {
                        w.disk.blocks[disk_unit(p, j)] = 0;
                    }
                    set_extent(
                        w,
                        self.file,
                        lblk,
                        Extent {
                            state: ext::WRITTEN,
                            pblk: p,
                        },
                    );
                }
            }
            _ => {
                if !super::xfs::alloc_file_space(w, self.file, lb, le) {
                    self.err = -28;
                }
            }
        }
        self.extend_size(w);
        self.pc = if self.mode == FallocMode::Alloc {
            FaPc::InodeUnlock
        } else {
            FaPc::InvalidateUnlock
        };
        Poll::Ran(match w.cfg.fs {
            Fs::Gfs2 => StepId::Gfs2Fallocate,
            _ => StepId::XfsAllocFileSpace,
        })
    }

    /// Mode 0 extends `i_size` over the range (no `FALLOC_FL_KEEP_SIZE`).
    fn extend_size(&self, w: &mut World) {
        if self.mode == FallocMode::Alloc {
            let m = &mut w.mappings[self.file as usize];
            m.i_size = m.i_size.max(self.end);
        }
    }
}

crate::impl_step!(Falloc);
