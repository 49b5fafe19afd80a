//! fs/jbd2/commit.c `jbd2_journal_commit_transaction()` (kjournald2), for
//! the metadata buffers of the running transaction, and the log bio's
//! completion `journal_end_buffer_io_sync()`.

use super::{put_journal_head, refile_buffer};
use crate::block::bio::submit_bio_at;
use crate::exec::poll::{Cond, Poll};
use crate::fs::buffer::{bh_ref, brelse, get_bh};
use crate::oracle::{OracleId, Payload};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    token, BioKind, Jlist, World, BDEV, MAX_BH, MAX_BLOCKS, MAX_LBLK, NO_MAPPING, NO_PBLK,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum CommitPc {
    Lock,
    Wait,
    WriteMeta,
    LogWait(u8),
    Record,
    Forget,
    Done,
}

/// One commit of the running transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JbdCommit {
    pc: CommitPc,
    tid: u8,
    /// Log writes in flight, in `t_buffers` order: (bio slot, buffer).
    log: [(u8, u8); MAX_BH],
    nlog: u8,
}

impl Default for JbdCommit {
    fn default() -> Self {
        JbdCommit::new()
    }
}

impl JbdCommit {
    /// kjournald2 about to commit whatever transaction runs.
    pub fn new() -> JbdCommit {
        JbdCommit {
            pc: CommitPc::Lock,
            tid: 0,
            log: [(0, 0); MAX_BH],
            nlog: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            CommitPc::Lock => self.lock(w),
            CommitPc::Wait => self.switch(w),
            CommitPc::WriteMeta => self.write_meta(w),
            CommitPc::LogWait(k) => self.log_wait(w, k),
            CommitPc::Record => self.record(w),
            CommitPc::Forget => self.forget(w),
            CommitPc::Done => {
                w.journal.committing = 0;
                Poll::Done(StepId::CommitDone)
            }
        }
    }

    /// `T_LOCKED`: one kjournald2, so a second commit waits for the first.
    fn lock(&mut self, w: &mut World) -> Poll {
        if w.journal.locked || w.journal.committing != 0 {
            return Poll::Block(Cond::CommitIdle);
        }
        if w.journal.running == 0 {
            w.note(Event::Note("no running transaction: nothing to commit"));
            return Poll::Done(StepId::CommitLock);
        }
        self.tid = w.journal.running;
        w.journal.locked = true;
        self.pc = CommitPc::Wait;
        Poll::Ran(StepId::CommitLock)
    }

    /// `jbd2_journal_wait_updates()`, then `T_SWITCH` (the reserved list
    /// refiled) and `T_FLUSH`.
    fn switch(&mut self, w: &mut World) -> Poll {
        if w.journal.updates != 0 {
            return Poll::Block(Cond::JournalUpdates);
        }
        for id in 0..MAX_BH as u8 {
            let jh = w.journal.jh(id);
            if jh.transaction == self.tid && jh.jlist == Jlist::Reserved && refile_buffer(w, id) {
                put_journal_head(w, id);
            }
        }
        let j = &mut w.journal;
        j.committing = self.tid;
        j.running = 0;
        j.locked = false;
        self.pc = CommitPc::WriteMeta;
        Poll::Ran(StepId::CommitSwitch)
    }

    /// The next buffer on `t_buffers`: the commit's own `b_count`
    /// (`atomic_inc()`), `jbd2_journal_write_metadata_buffer()` and the log
    /// buffer's `submit_bh()` (its lock is the commit's own).
    fn write_meta(&mut self, w: &mut World) -> Poll {
        let next = on_list(w, self.tid, Jlist::Metadata);
        let Some(id) = next else {
            self.pc = CommitPc::LogWait(0);
            return self.step(w);
        };
        let b = w.bhs[id as usize];
        let jh = *w.journal.jh(id);
        let Some(k) = submit_bio_at(w, b.folio, BioKind::JournalLog, [NO_PBLK; MAX_BLOCKS], 0)
        else {
            return Poll::Block(Cond::BioSlot);
        };
        get_bh(w, id);
        let bio = &mut w.bios[k];
        bio.mapping = NO_MAPPING;
        bio.index = b.blocknr;
        bio.bh = id;
        bio.tid = self.tid;
        bio.frozen = jh.has_frozen;
        bio.token = jh.frozen;
        let m = w.journal.jh_mut(id);
        m.jlist = Jlist::Shadow;
        m.shadow = true;
        w.touched = b.folio.frame;
        self.log[self.nlog as usize % MAX_BH] = (k as u8, id);
        self.nlog += 1;
        Poll::Ran(StepId::WriteMetadataBuffer)
    }

    /// `wait_on_buffer()` of log write `k`, then the shadowed buffer goes to
    /// `BJ_Forget` and the commit's `b_count` is dropped.
    fn log_wait(&mut self, w: &mut World, k: u8) -> Poll {
        if k >= self.nlog {
            self.pc = CommitPc::Record;
            return self.step(w);
        }
        let (slot, id) = self.log[k as usize];
        if w.bios[slot as usize].live {
            return Poll::Block(Cond::BioDone(slot));
        }
        w.journal.jh_mut(id).jlist = Jlist::Forget;
        let r = bh_ref(w, id);
        brelse(w, r);
        self.pc = CommitPc::LogWait(k + 1);
        Poll::Ran(StepId::LogWait)
    }

    /// The commit record: what the transaction's handles left is what
    /// recovery replays from now on.
    fn record(&mut self, w: &mut World) -> Poll {
        let j = &mut w.journal;
        for blk in 0..MAX_LBLK {
            let v = j.want[(self.tid & 1) as usize][blk];
            if v != 0 {
                j.committed[blk] = v;
            }
        }
        self.pc = CommitPc::Forget;
        Poll::Ran(StepId::CommitRecord)
    }

    /// The next buffer on the forget list: see [`StepId::CommitForget`].
    fn forget(&mut self, w: &mut World) -> Poll {
        let next = on_list(w, self.tid, Jlist::Forget);
        let Some(id) = next else {
            self.pc = CommitPc::Done;
            return self.step(w);
        };
        let jh = *w.journal.jh(id);
        w.journal.jh_mut(id).has_frozen = false;
        if jh.cp_transaction != 0 && jh.cp_transaction != self.tid {
            // An older checkpoint entry: __jbd2_journal_remove_checkpoint().
            w.journal.jh_mut(id).cp_transaction = 0;
            put_journal_head(w, id);
        }
        if jh.jbddirty {
            // __jbd2_journal_insert_checkpoint(): the checkpoint's reference.
            let m = w.journal.jh_mut(id);
            m.cp_transaction = self.tid;
            m.jcount += 1;
        }
        if refile_buffer(w, id) {
            put_journal_head(w, id);
        }
        w.touched = w.bhs[id as usize].folio.frame;
        Poll::Ran(StepId::CommitForget)
    }
}

/// The first buffer (by slot) on list `list` of transaction `tid`.
fn on_list(w: &World, tid: u8, list: Jlist) -> Option<u8> {
    (0..MAX_BH as u8).find(|&id| {
        let jh = w.journal.jh(id);
        jh.transaction == tid && jh.jlist == list
    })
}

/// A log bio's steps: the device reads the log buffer's memory — the
/// frozen copy, or the buffer's folio *at transfer time* — and the copy is
/// checked against what its transaction left (`log-stale-copy`); then
/// `journal_end_buffer_io_sync()` clears `BH_Shadow`.
pub fn log_bio_step(w: &mut World, k: usize) -> Poll {
    let b = w.bios[k];
    if b.pc != 0 {
        w.journal.jh_mut(b.bh).shadow = false;
        w.bios[k].live = false;
        return Poll::Done(StepId::JournalEndIo);
    }
    let got = if b.frozen {
        b.token
    } else {
        let fr = crate::block::bio::dma_frame(w, &b);
        let off = b.index as usize % w.cfg.bpp(BDEV);
        fr.data[off]
    };
    let want = w.journal.want(b.tid, b.index as usize);
    let promised = token::make(BDEV, b.index, want);
    if b.error {
        w.note(Event::Note(
            "I/O error on the log (journal abort is not modelled)",
        ));
    } else if want != 0 && got != promised {
        w.fire(
            OracleId::LogStaleCopy,
            b.folio.frame,
            Payload::Data {
                found: got,
                promised,
            },
        );
    }
    w.bios[k].pc = 1;
    Poll::Ran(StepId::DmaTransfer)
}
