//! fs/inode.c: the end of an inode's life — the last `iput()` of an
//! unlinked file: `iput_final()` → `evict()` → `truncate_inode_pages_final()`
//! → `->evict_inode` → `clear_inode()`.
//!
//! Followed: fs/inode.c `iput()`, `iput_final()`, `evict()`, `clear_inode()`
//! and mm/truncate.c `truncate_inode_pages_final()` (torvalds/linux, 2025),
//! and 08142579b6ca for `clear_inode()`'s xa_lock. The eviction runs in the
//! context that drops the last reference of a file with no name left
//! ([`unreferenced_orphan`]): the unlinking task's final `iput()`, or a
//! task's deferred `fput()` (`task_work_run()` → `____fput()` on its way
//! back to user space: the close after its last use of the file, the
//! `munmap()` or exit of a mapping of it), or a walk's `iput()`
//! (`drop_caches`). Tasks hold the file open while they use it
//! ([`crate::op::pre::open_file`]), so nothing uses it once it is being
//! evicted. Paths that hold no inode reference — reclaim's
//! `__remove_mapping()`, migration — race it.

use crate::exec::poll::Poll;
use crate::impl_step;
use crate::mm::truncate::Truncate;
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::world::{istate, World, MAX_INDEX, NO_FRAME};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum EvictPc {
    IputFinal,
    TruncateFinal,
    Truncate,
    EvictInode,
    ClearInode,
}

/// The eviction of `file` (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Evict {
    file: u8,
    pc: EvictPc,
    trunc: Option<Truncate>,
}

impl Evict {
    /// Evict `file`, whose last reference the caller dropped.
    pub fn new(file: u8) -> Evict {
        Evict {
            file,
            pc: EvictPc::IputFinal,
            trunc: None,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        match self.pc {
            EvictPc::IputFinal => {
                w.mappings[f].i_state |= istate::FREEING;
                // No name and no reference: the data is dead from here on
                // (the truncation drops dirty pages unwritten), and so are
                // the promises made about it — a sync(2) that began the
                // file before it too (its check sees the truncation).
                let upp = w.cfg.upp(self.file);
                w.shadow.discard(f, 0, MAX_INDEX * upp);
                self.pc = EvictPc::TruncateFinal;
                Poll::Ran(StepId::IputFinal)
            }
            EvictPc::TruncateFinal => {
                // mapping_set_exiting(); if (!mapping_empty()) cycle the xa_lock.
                if !w.mappings[f].is_empty() {
                    if let Err(c) = w.xa_spin(self.file) {
                        return Poll::Block(c);
                    }
                }
                self.pc = EvictPc::Truncate;
                Poll::Ran(StepId::TruncateInodePagesFinal)
            }
            EvictPc::Truncate => {
                let make = Truncate::range(self.file, 0, MAX_INDEX as u8);
                let (id, _) = crate::nested!(self.trunc, w, make);
                self.pc = EvictPc::EvictInode;
                Poll::Ran(id)
            }
            EvictPc::EvictInode => {
                // The file was unlinked: its blocks are freed.
                if let Err(c) = (w.a_ops(self.file).truncate_blocks)(w, self.file, 0) {
                    return Poll::Block(c);
                }
                self.pc = EvictPc::ClearInode;
                Poll::Ran(StepId::EvictInode)
            }
            EvictPc::ClearInode => self.clear_inode(w),
        }
    }

    /// `clear_inode()`: `BUG_ON(inode->i_data.nrpages)` (under the xa_lock
    /// with 08142579b6ca), then `I_FREEING | I_CLEAR`.
    fn clear_inode(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        if w.has(Toggle::ClearInodeXaLock) {
            if let Err(c) = w.xa_spin(self.file) {
                return Poll::Block(c);
            }
        }
        let pages = w.mappings[f].nrpages;
        if pages != 0 {
            let frame = w.mappings[f]
                .slots
                .iter()
                .map(|s| s.frame)
                .find(|&x| x != NO_FRAME)
                .unwrap_or(NO_FRAME);
            w.fire(
                OracleId::PagesAtClearInode,
                frame,
                Payload::Pages {
                    file: self.file,
                    pages,
                },
            );
        }
        w.mappings[f].i_state = istate::FREEING | istate::CLEAR;
        Poll::Done(StepId::ClearInode)
    }
}

impl_step!(Evict);

/// The file whose last reference is gone while it has no name and no
/// eviction began: `iput()` found `i_count` dropped to zero and
/// `generic_drop_inode()` (`!inode->i_nlink`) said to evict it. The
/// context that dropped the reference evicts it ([`Evict`]).
pub fn unreferenced_orphan(w: &World) -> Option<u8> {
    (0..crate::world::MAX_FILES as u8).find(|&f| {
        let m = &w.mappings[f as usize];
        m.i_nlink == 0 && m.i_count == 0 && m.i_state & istate::FREEING == 0
    })
}

/// `iput()` of one reference of `file`: `Some` with the eviction the
/// caller runs if it was the last one of an unlinked file.
pub fn iput(w: &mut World, file: u8) -> Option<Evict> {
    let m = &mut w.mappings[file as usize];
    m.i_count = m.i_count.saturating_sub(1);
    (unreferenced_orphan(w) == Some(file)).then(|| Evict::new(file))
}
