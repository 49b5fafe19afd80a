//! fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()`: write committed
//! metadata in place, then let the journal forget it.

use super::{put_journal_head, JbdCommit};
use crate::block::bio::submit_bio_at;
use crate::exec::poll::{Cond, Poll};
use crate::fs::buffer::{bh_ref, brelse, buffer_locked, get_bh};
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{bs, token, BioKind, Disk, World, BDEV, MAX_BH, MAX_BLOCKS, NO_PBLK};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum CpPc {
    /// Look at the checkpoint buffers from this slot on.
    Scan(u8),
    /// Before e34c8dd238d0: the buffer was not locked a step ago; now its
    /// transaction and its dirty bit.
    Examine(u8),
    /// `__flush_batch()` → `write_dirty_buffer()` of this buffer.
    Write(u8),
    /// Before c2d6fd9d6f35: the buffer is on `t_checkpoint_io_list`; once
    /// unlocked it is taken for written and removed.
    IoList(u8),
    /// The buffer belongs to a live transaction ("Waiting for Godot"):
    /// `jbd2_log_start_commit()` and `jbd2_log_wait_commit()`, then `goto
    /// restart` at this buffer. The commit kjournald2 runs is taken here.
    Commit(u8),
}

/// One `jbd2_log_do_checkpoint()` pass over every checkpoint list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JbdCheckpoint {
    pc: CpPc,
    /// Buffers removed from a checkpoint list.
    removed: u8,
    commit: Option<JbdCommit>,
}

impl Default for JbdCheckpoint {
    fn default() -> Self {
        JbdCheckpoint::new()
    }
}

impl JbdCheckpoint {
    /// A checkpoint about to start (as `__jbd2_log_wait_for_space()` or
    /// `jbd2_journal_flush()` run it).
    pub fn new() -> JbdCheckpoint {
        JbdCheckpoint {
            pc: CpPc::Scan(0),
            removed: 0,
            commit: None,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            CpPc::Scan(from) => self.scan(w, from),
            CpPc::Examine(id) => self.examine(w, id),
            CpPc::Write(id) => self.write(w, id),
            CpPc::IoList(id) => self.io_list(w, id),
            CpPc::Commit(id) => {
                let c = self.commit.get_or_insert_with(JbdCommit::new);
                match c.step(w) {
                    Poll::Done(s) => {
                        self.commit = None;
                        self.pc = CpPc::Scan(id);
                        Poll::Ran(s)
                    }
                    p => p,
                }
            }
        }
    }

    /// See [`StepId::CheckpointScan`].
    fn scan(&mut self, w: &mut World, from: u8) -> Poll {
        let next = (from..MAX_BH as u8).find(|&id| w.journal.jh(id).cp_transaction != 0);
        let Some(id) = next else {
            if self.removed == 0 {
                w.note(Event::Note("no checkpoint list: nothing to do"));
            }
            return Poll::Done(StepId::CheckpointScan);
        };
        w.touched = w.bhs[id as usize].folio.frame;
        if buffer_locked(w, id) {
            // get_bh(); wait_on_buffer(); __brelse(); goto restart.
            return Poll::Block(Cond::BhUnlocked(id));
        }
        if !w.has(Toggle::CheckpointTrylock) {
            // `if (buffer_locked(bh))` was a lockless read of its own.
            self.pc = CpPc::Examine(id);
            return Poll::Ran(StepId::CheckpointScan);
        }
        // trylock_buffer(): the tests below are under the buffer lock.
        self.examine(w, id)
    }

    /// The buffer's transaction, then its dirty bit: commit the transaction
    /// first, queue the buffer for writing, or remove it from the
    /// checkpoint list.
    fn examine(&mut self, w: &mut World, id: u8) -> Poll {
        let b = w.bhs[id as usize];
        w.touched = b.folio.frame;
        let step = if w.has(Toggle::CheckpointTrylock) {
            StepId::CheckpointScan
        } else {
            StepId::CheckpointDirty
        };
        if w.journal.jh(id).transaction != 0 {
            w.note(Event::Note(
                "buffer in a live transaction: commit it and wait",
            ));
            self.pc = CpPc::Commit(id);
            return Poll::Ran(step);
        }
        if b.state & bs::DIRTY != 0 {
            get_bh(w, id);
            self.pc = CpPc::Write(id);
            return Poll::Ran(step);
        }
        remove_checkpoint(w, id);
        self.removed += 1;
        self.pc = CpPc::Scan(id + 1);
        Poll::Ran(step)
    }

    /// `write_dirty_buffer()`, then the batch's `__brelse()`; the scan
    /// starts again at this buffer (now locked until its write completes).
    fn write(&mut self, w: &mut World, id: u8) -> Poll {
        let b = w.bhs[id as usize];
        if buffer_locked(w, id) {
            crate::mm::migrate::might_sleep(w);
            return Poll::Block(Cond::BhUnlocked(id));
        }
        if b.state & bs::DIRTY != 0 {
            let mut pblk = [NO_PBLK; MAX_BLOCKS];
            let index = w.frames[b.folio.frame as usize].index;
            pblk[b.offset as usize % MAX_BLOCKS] =
                Disk::block_of(BDEV, index, b.offset as usize) as u8;
            let Some(k) = submit_bio_at(w, b.folio, BioKind::WriteBuffer, pblk, 0) else {
                return Poll::Block(Cond::BioSlot);
            };
            w.bios[k].bh = id;
            let bh = &mut w.bhs[id as usize];
            bh.state |= bs::LOCK;
            bh.state &= !bs::DIRTY;
            get_bh(w, id);
        }
        let r = bh_ref(w, id);
        brelse(w, r);
        w.touched = b.folio.frame;
        self.pc = if w.has(Toggle::CheckpointRecheck) {
            CpPc::Scan(id)
        } else {
            CpPc::IoList(id)
        };
        Poll::Ran(StepId::WriteDirtyBuffer)
    }

    /// The `t_checkpoint_io_list` pass of v6.4 and earlier (`restart2:`):
    /// wait while the buffer is locked, then remove it from the checkpoint
    /// list whatever its state, and start over.
    fn io_list(&mut self, w: &mut World, id: u8) -> Poll {
        w.touched = w.bhs[id as usize].folio.frame;
        if buffer_locked(w, id) {
            return Poll::Block(Cond::BhUnlocked(id));
        }
        if w.journal.jh(id).cp_transaction != 0 {
            remove_checkpoint(w, id);
            self.removed += 1;
        }
        self.pc = CpPc::Scan(0);
        Poll::Ran(StepId::CheckpointIoList)
    }
}

/// `__jbd2_journal_remove_checkpoint()` of a clean, unlocked buffer: the
/// journal forgets its committed update, so the block in place must hold it
/// (`checkpoint-lost` otherwise); then the checkpoint's journal-head
/// reference goes.
pub fn remove_checkpoint(w: &mut World, id: u8) {
    let b = w.bhs[id as usize];
    let blk = b.blocknr as usize;
    let want = w.journal.committed[blk.min(w.journal.committed.len() - 1)];
    let bpp = w.cfg.bpp(BDEV);
    let home = w.disk.blocks[Disk::block_of(BDEV, (blk / bpp) as u8, blk % bpp)];
    if w.journal.jh(id).write_io_error {
        // "if (unlikely(buffer_write_io_error(bh)) && !result) result = -EIO",
        // then jbd2_journal_abort(): the log keeps the transaction.
        w.journal.jh_mut(id).write_io_error = false;
        w.note(Event::Note(
            "write I/O error: the journal aborts, the log keeps it",
        ));
    } else if want != 0 && !token::holds(home, BDEV, blk, want) {
        w.fire(
            OracleId::CheckpointLost,
            b.folio.frame,
            Payload::Data {
                found: home,
                promised: token::make(BDEV, b.blocknr, want),
            },
        );
    }
    w.journal.jh_mut(id).cp_transaction = 0;
    put_journal_head(w, id);
}
