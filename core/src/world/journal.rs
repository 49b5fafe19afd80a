//! The journal's state (jbd2, include/linux/jbd2.h, include/linux/journal-head.h):
//! a `struct journal_head` per buffer head, the running and committing
//! transactions, and what each transaction promised.
//!
//! The model's journal has at most two live transactions, as jbd2 does: the
//! running one (handles join it) and the committing one. Transaction ids
//! (`t_tid`) start at 1; 0 is "none". A journal head exists while
//! `BH_JBD` is set and then holds one `b_count` reference on its buffer
//! (`jbd2_journal_add_journal_head()` → `get_bh()`; the last
//! `jbd2_journal_put_journal_head()` → `__brelse()`), which is what makes
//! `buffer_migrate_folio_norefs()` back off a journalled buffer.

use super::bh::MAX_BH;
use super::MAX_LBLK;

/// `enum` of jbd2's buffer lists (`b_jlist`, include/linux/jbd2.h `BJ_*`),
/// those the model uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Jlist {
    /// `BJ_None`: on no transaction list.
    #[default]
    None,
    /// `BJ_Reserved`: write access taken, not yet modified.
    Reserved,
    /// `BJ_Metadata`: modified metadata of the transaction.
    Metadata,
    /// `BJ_Shadow`: its log copy is being written.
    Shadow,
    /// `BJ_Forget`: logged; refiled or checkpointed at the end of commit.
    Forget,
}

/// One `struct journal_head` (and the jbd2 bits of its buffer's `b_state`:
/// `BH_JBD`, `BH_JBDDirty`, `BH_Shadow`), kept beside the buffer head of the
/// same slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct JournalHead {
    /// `BH_JBD`: attached (`bh->b_private`), holding one `b_count`.
    pub attached: bool,
    /// `b_jcount`: the caller's, `b_transaction`'s and `b_cp_transaction`'s
    /// references on the journal head.
    pub jcount: u8,
    /// `b_transaction` (tid, 0 = none).
    pub transaction: u8,
    /// `b_next_transaction`: the running transaction wants the buffer while
    /// the committing one owns it.
    pub next_transaction: u8,
    /// `b_jlist`.
    pub jlist: Jlist,
    /// `b_frozen_data` exists: the contents the committing transaction
    /// logs, copied before a later handle changed the buffer.
    pub has_frozen: bool,
    /// The frozen copy's data token.
    pub frozen: u32,
    /// `b_modified`: this transaction already charged a credit for it.
    pub modified: bool,
    /// `b_cp_transaction` (tid, 0 = none): on that transaction's checkpoint list.
    pub cp_transaction: u8,
    /// `BH_JBDDirty`: dirty for the journal, hidden from writeback.
    pub jbddirty: bool,
    /// `BH_Shadow`: the log write of the primary copy is in flight.
    pub shadow: bool,
    /// `BH_Write_EIO`: its last in-place write failed.
    pub write_io_error: bool,
}

/// The journal (`journal_t`), the parts the model uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Journal {
    /// Journal heads, by buffer-head slot.
    pub jh: [JournalHead; MAX_BH],
    /// `j_running_transaction` (tid, 0 = none).
    pub running: u8,
    /// `j_committing_transaction` (tid, 0 = none).
    pub committing: u8,
    /// The tid the next transaction gets.
    pub next_tid: u8,
    /// The running transaction's `t_updates`: handles in it.
    pub updates: u8,
    /// The running transaction is `T_LOCKED`: new handles wait.
    pub locked: bool,
    /// What each live transaction's handles left in each block of the block
    /// device (a version; 0 = not modified), by `tid & 1`: what its log copy
    /// must hold.
    pub want: [[u16; MAX_LBLK]; 2],
    /// The version of each block the last committed transaction holds: what
    /// recovery would replay, so what a checkpoint must find in place before
    /// the journal forgets it.
    pub committed: [u16; MAX_LBLK],
    /// Blocks a journal handle has modified (bit per block): the
    /// filesystem journals them, so no other metadata user writes them.
    pub journalled: u16,
    /// Blocks a metadata user outside the journal has modified: no handle
    /// journals them (a block belongs to one filesystem's one kind of
    /// metadata; mixing the two in a case is not a kernel state).
    pub plain: u16,
}

impl Journal {
    /// A journal with no transaction.
    pub const EMPTY: Journal = Journal {
        jh: [JournalHead {
            attached: false,
            jcount: 0,
            transaction: 0,
            next_transaction: 0,
            jlist: Jlist::None,
            has_frozen: false,
            frozen: 0,
            modified: false,
            cp_transaction: 0,
            jbddirty: false,
            shadow: false,
            write_io_error: false,
        }; MAX_BH],
        running: 0,
        committing: 0,
        next_tid: 1,
        updates: 0,
        locked: false,
        want: [[0; MAX_LBLK]; 2],
        committed: [0; MAX_LBLK],
        journalled: 0,
        plain: 0,
    };

    /// The journal head of buffer `id`.
    #[inline]
    pub fn jh(&self, id: u8) -> &JournalHead {
        &self.jh[(id as usize).min(MAX_BH - 1)]
    }

    /// The journal head of buffer `id`, to change.
    #[inline]
    pub fn jh_mut(&mut self, id: u8) -> &mut JournalHead {
        &mut self.jh[(id as usize).min(MAX_BH - 1)]
    }

    /// Whether a metadata user of the other kind (journalled or not) has
    /// modified block `blk`: this one must not.
    #[inline]
    pub fn foreign(&self, blk: u8, journal: bool) -> bool {
        let bit = 1u16 << (blk as u32 % 16);
        let other = if journal { self.plain } else { self.journalled };
        other & bit != 0
    }

    /// Record that a user of this kind modified block `blk`.
    #[inline]
    pub fn claim(&mut self, blk: u8, journal: bool) {
        let bit = 1u16 << (blk as u32 % 16);
        if journal {
            self.journalled |= bit;
        } else {
            self.plain |= bit;
        }
    }

    /// What transaction `tid` promised for block `blk` (0: nothing).
    #[inline]
    pub fn want(&self, tid: u8, blk: usize) -> u16 {
        self.want[(tid & 1) as usize][blk.min(MAX_LBLK - 1)]
    }
}
