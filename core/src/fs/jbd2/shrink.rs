//! fs/jbd2/checkpoint.c `jbd2_journal_shrink_scan()` →
//! `jbd2_journal_shrink_checkpoint_list()` → `journal_shrink_one_cp_list()`
//! (4ba3fcdde7e3, v5.14): under memory pressure (or `drop_caches`), the
//! journal drops the journal heads of checkpointed buffers already written
//! in place, so `try_to_free_buffers()` can free them.

use super::checkpoint::remove_checkpoint;
use crate::exec::poll::Poll;
use crate::fs::buffer::buffer_locked;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{bs, World, MAX_BH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ShrinkPc {
    /// The checkpoint buffers from this slot on.
    Next(u8),
    /// Before 46f881b5b175: `__cp_buffer_busy()` found the buffer unlocked
    /// and in no transaction a step ago; now its BH_Dirty.
    Dirty(u8),
}

/// One shrinker pass over every checkpoint list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JbdShrink {
    pc: ShrinkPc,
}

impl Default for JbdShrink {
    fn default() -> Self {
        JbdShrink::new()
    }
}

impl JbdShrink {
    /// The shrinker about to scan.
    pub fn new() -> JbdShrink {
        JbdShrink {
            pc: ShrinkPc::Next(0),
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            ShrinkPc::Next(from) => self.next(w, from),
            ShrinkPc::Dirty(id) => {
                if w.bhs[id as usize].state & bs::DIRTY == 0 {
                    remove_checkpoint(w, id);
                }
                self.pc = ShrinkPc::Next(id + 1);
                Poll::Ran(StepId::ShrinkDirty)
            }
        }
    }

    /// The next buffer: busy ones stay; see [`StepId::JournalShrink`].
    fn next(&mut self, w: &mut World, from: u8) -> Poll {
        if !w.has(Toggle::CheckpointShrinker) {
            w.note(Event::Note("no checkpoint shrinker before 4ba3fcdde7e3"));
            return Poll::Done(StepId::JournalShrink);
        }
        let next = (from..MAX_BH as u8).find(|&id| w.journal.jh(id).cp_transaction != 0);
        let Some(id) = next else {
            return Poll::Done(StepId::JournalShrink);
        };
        w.touched = w.bhs[id as usize].folio.frame;
        self.pc = ShrinkPc::Next(id + 1);
        let in_transaction = w.journal.jh(id).transaction != 0;
        if !w.has(Toggle::ShrinkTrylock) {
            // __cp_buffer_busy(): b_transaction, then buffer_locked(), then
            // (a step later) buffer_dirty().
            if !in_transaction && !buffer_locked(w, id) {
                self.pc = ShrinkPc::Dirty(id);
            }
            return Poll::Ran(StepId::JournalShrink);
        }
        // jbd2_journal_try_remove_checkpoint()
        let busy = (w.has(Toggle::ShrinkTransactionBusy) && in_transaction)
            || buffer_locked(w, id)
            || w.bhs[id as usize].state & bs::DIRTY != 0;
        if !busy {
            remove_checkpoint(w, id);
        }
        Poll::Ran(StepId::JournalShrink)
    }
}
