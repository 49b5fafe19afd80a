//! fs/sync.c: `fsync(2)` and `sync(2)`.
//!
//! `vfs_fsync_range()` → the filesystem's `->fsync` → `file_write_and_wait_range()`
//! (mm/filemap.c): `__filemap_fdatawrite_range(WB_SYNC_ALL)`, then
//! `__filemap_fdatawait_range()`, then `file_check_and_advance_wb_err()`
//! (modelled by `filemap_check_errors()`). When it returns 0, every write that
//! returned before the fsync started must be on the disk: the
//! `disk-mismatch` oracle checks that at the return.

use crate::exec::poll::Poll;
use crate::mm::page_writeback::{FdataWait, SyncMode, WriteCachePages};
use crate::oracle::OracleId;
use crate::step::StepId;
use crate::world::{Disk, World, MAX_INDEX, MAX_LBLK, MAX_MAPPINGS};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FsyncPc {
    LogFlush,
    Write,
    Wait,
    Check,
}

/// `fsync(2)` on one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fsync {
    file: u8,
    pc: FsyncPc,
    started: bool,
    promised: [u16; MAX_LBLK],
    truncs: u16,
    write: WriteCachePages,
    wait: FdataWait,
    /// 0 or -5 (-EIO).
    pub err: i8,
}

impl Fsync {
    /// Sync `file`.
    pub fn new(file: u8) -> Fsync {
        Fsync {
            file,
            pc: FsyncPc::LogFlush,
            started: false,
            promised: [0; MAX_LBLK],
            truncs: 0,
            write: WriteCachePages::new(file, SyncMode::All),
            wait: FdataWait::new(file),
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if !self.started {
            self.started = true;
            self.promised = w.shadow.latest[self.file as usize];
            self.truncs = w.shadow.truncs[self.file as usize];
            // filemap_write_and_wait_range(): if (mapping_needs_writeback(mapping))
            // — a mapping with no pages has nothing to write or wait for.
            if w.mappings[self.file as usize].is_empty() {
                self.pc = FsyncPc::Check;
            }
        }
        match self.pc {
            FsyncPc::LogFlush => {
                if w.cfg.fs == crate::world::Fs::Gfs2 && w.cfg.extent_mapped(self.file) {
                    // gfs2_fsync() / gfs2_jdata_writepages(WB_SYNC_ALL): the log first.
                    crate::fs::gfs2::log_flush(w, self.file);
                    self.pc = FsyncPc::Write;
                    return Poll::Ran(StepId::Gfs2LogFlush);
                }
                self.pc = FsyncPc::Write;
                self.step(w)
            }
            FsyncPc::Write => match self.write.step(w) {
                Poll::Done(id) => {
                    self.pc = FsyncPc::Wait;
                    Poll::Ran(id)
                }
                p => p,
            },
            FsyncPc::Wait => match self.wait.step(w) {
                Poll::Done(id) => {
                    self.pc = FsyncPc::Check;
                    Poll::Ran(id)
                }
                p => p,
            },
            FsyncPc::Check => {
                let f = self.file as usize;
                let m = &mut w.mappings[f];
                if m.eio {
                    m.eio = false;
                    self.err = -5;
                    return Poll::Done(StepId::FilemapCheckErrors);
                }
                if w.shadow.truncs[f] == self.truncs {
                    check_durable(w, self.file, &self.promised);
                }
                Poll::Done(StepId::FilemapCheckErrors)
            }
        }
    }
}

/// Fire `disk-mismatch` if a block below EOF whose promise is not void
/// lacks, on disk, the version `promised` (or a later one) of its own data.
pub fn check_durable(w: &mut World, file: u8, promised: &[u16; MAX_LBLK]) {
    let f = file as usize;
    let upp = w.cfg.upp(file);
    let pages = (w.mappings[f].i_size as usize).min(MAX_INDEX);
    for i in 0..pages {
        for b in 0..upp {
            let lblk = i * upp + b;
            let want = promised[lblk];
            if !w.shadow.promised(f, lblk, want) || w.shadow.punching(f, lblk) {
                continue;
            }
            let got = if file == crate::world::BDEV {
                w.disk.blocks[Disk::block_of(file, i as u8, b)]
            } else {
                crate::fs::visible_unit(w, file, lblk)
            };
            if !w.shadow.holds(f, lblk, got, want) {
                let frame = w.slot_frame(file, i as u8);
                w.fire(
                    OracleId::DiskMismatch,
                    frame,
                    crate::oracle::Payload::Data {
                        found: got,
                        promised: w.shadow.expected(f, lblk, want),
                    },
                );
            }
        }
    }
}

/// `sync(2)`: `fsync` every file, then the block device (`ksys_sync()` writes
/// back and waits on every inode and `sync_blockdev()`s; the model does it one
/// mapping after the other).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyncAll {
    file: u8,
    cur: Fsync,
}

impl SyncAll {
    /// Sync every file.
    pub fn new() -> SyncAll {
        SyncAll {
            file: 0,
            cur: Fsync::new(0),
        }
    }

    /// Take one step. Files being evicted when their turn comes are
    /// skipped, as `wait_sb_inodes()` skips `I_FREEING` inodes; a file
    /// whose sync has begun is finished (its folio may be locked by it: the
    /// kernel's `evict()` waits for such a writeback, `inode_wait_for_writeback()`).
    pub fn step(&mut self, w: &mut World) -> Poll {
        while !self.cur.started
            && (self.file as usize) < crate::world::MAX_FILES
            && w.mappings[self.file as usize].i_state & crate::world::istate::FREEING != 0
        {
            self.file += 1;
            self.cur = Fsync::new(self.file);
        }
        match self.cur.step(w) {
            Poll::Done(id) => {
                self.file += 1;
                if self.file as usize >= MAX_MAPPINGS {
                    return Poll::Done(id);
                }
                self.cur = Fsync::new(self.file);
                Poll::Ran(id)
            }
            p => p,
        }
    }
}

impl Default for SyncAll {
    fn default() -> Self {
        SyncAll::new()
    }
}

crate::impl_step!(Fsync, SyncAll);
