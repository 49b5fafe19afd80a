//! fs/jbd2: the journal's hold on the block device's metadata buffers.
//!
//! A journalled metadata update (`jbd2-update`, ext4's
//! `ext4_journal_start()` … `__ext4_journal_get_write_access()` … modify …
//! `__ext4_handle_dirty_metadata()` … `brelse()` … `ext4_journal_stop()`) is
//! the buffer user of [`crate::fs::buffer::BhWrite`] with the handle's steps
//! ([`handle`]) around its update. The commit ([`commit`], kjournald2's
//! `jbd2_journal_commit_transaction()`) writes each modified buffer to the
//! log from the buffer's own folio — `jbd2_journal_write_metadata_buffer()`
//! aliases `bh->b_folio` with no folio lock, buffer lock or folio reference —
//! or from a frozen copy, then exposes the buffer to writeback and puts it
//! on the checkpoint list; the checkpoint ([`checkpoint`],
//! `jbd2_log_do_checkpoint()`) writes it in place and lets the journal head
//! go.
//!
//! What protects all of this against migration is the journal head's one
//! `b_count` reference, held from `jbd2_journal_add_journal_head()` to the
//! last `jbd2_journal_put_journal_head()` (Jan Kara, seed 000: "jbd2 holds bh
//! reference … that is expected to protect jbd2 from anybody else mucking
//! with the bh"), and `do_get_write_access()`'s `lock_buffer()`, which a
//! migration holds from before its reference check to `unlock_buffers`.
//!
//! Followed: fs/jbd2/journal.c (v6.6: `jbd2_journal_add_journal_head()`,
//! `jbd2_journal_put_journal_head()`, `jbd2_journal_write_metadata_buffer()`),
//! fs/jbd2/transaction.c (v5.10 and later: `do_get_write_access()`,
//! `jbd2_journal_dirty_metadata()`, `__jbd2_journal_file_buffer()`,
//! `__jbd2_journal_refile_buffer()`), fs/jbd2/commit.c (v6.1–v6.5),
//! fs/jbd2/checkpoint.c (v6.5), fs/ext4/ext4_jbd2.c. Not modelled: handle
//! credits (the `b_modified` credit is not counted), undo access
//! (`b_committed_data`), revoke, escaping, checksums, journal abort.

pub mod checkpoint;
pub mod commit;
pub mod handle;
pub mod shrink;

pub use checkpoint::JbdCheckpoint;
pub use commit::JbdCommit;
pub use shrink::JbdShrink;

use crate::fs::buffer::{bh_ref, brelse, get_bh, mark_buffer_dirty};
use crate::oracle::{OracleId, Payload};
use crate::trace::Event;
use crate::world::{bs, Jlist, World, BDEV, MAX_LBLK};

/// fs/jbd2/journal.c `jbd2_journal_add_journal_head()`: attach a journal head
/// to buffer `id` if it has none (`set_buffer_jbd()`, `get_bh()`), and take a
/// `b_jcount` reference for the caller.
pub fn add_journal_head(w: &mut World, id: u8) {
    if !w.journal.jh(id).attached {
        w.journal.jh_mut(id).attached = true;
        get_bh(w, id);
    }
    w.journal.jh_mut(id).jcount += 1;
}

/// fs/jbd2/journal.c `jbd2_journal_put_journal_head()`: drop a `b_jcount`
/// reference; the last one detaches the head (`__journal_remove_journal_head()`,
/// the frozen copy freed) and drops its `b_count` (`__brelse()`).
pub fn put_journal_head(w: &mut World, id: u8) {
    let jh = w.journal.jh_mut(id);
    if jh.jcount == 0 {
        let f = w.bhs[id as usize].folio.frame;
        w.fire(OracleId::RefcountUnderflow, f, Payload::Bh(id));
        return;
    }
    jh.jcount -= 1;
    if jh.jcount != 0 {
        return;
    }
    let filed = jh.transaction != 0 || jh.next_transaction != 0 || jh.cp_transaction != 0;
    *jh = crate::world::JournalHead::default();
    if filed {
        // __journal_remove_journal_head()'s J_ASSERT_JH()s: a model bug.
        w.note(Event::Note("journal head freed while on a transaction"));
    }
    let r = bh_ref(w, id);
    brelse(w, r);
}

/// fs/jbd2/transaction.c `__jbd2_journal_file_buffer()`: file buffer `id` on
/// `list` of transaction `tid`. A buffer on no transaction yet gives the
/// transaction a `b_jcount` reference (`jbd2_journal_grab_journal_head()`);
/// a dirty buffer becomes `BH_JBDDirty` (hidden from writeback).
pub fn file_buffer(w: &mut World, id: u8, tid: u8, list: Jlist) {
    let b = &mut w.bhs[id as usize];
    let was_dirty = b.state & bs::DIRTY != 0 || w.journal.jh(id).jbddirty;
    b.state &= !bs::DIRTY;
    let jh = w.journal.jh_mut(id);
    if jh.transaction == 0 {
        jh.jcount += 1;
    }
    jh.transaction = tid;
    jh.jlist = list;
    jh.jbddirty = was_dirty;
}

/// fs/jbd2/transaction.c `__jbd2_journal_refile_buffer()`: at the end of its
/// transaction's commit, the buffer goes to `b_next_transaction` (which
/// inherits the reference; `BH_JBDDirty` stays hidden), or is unfiled:
/// `__jbd2_journal_temp_unlink_buffer()` exposes a `BH_JBDDirty` buffer to
/// writeback (`mark_buffer_dirty()`). Returns whether the caller drops the
/// transaction's journal-head reference.
pub fn refile_buffer(w: &mut World, id: u8) -> bool {
    let jh = w.journal.jh_mut(id);
    if jh.next_transaction == 0 {
        let dirty = jh.jbddirty;
        jh.jbddirty = false;
        jh.transaction = 0;
        jh.jlist = Jlist::None;
        if dirty {
            mark_buffer_dirty(w, id);
            // From now on writeback (an fsync of the device, sync) owes the
            // committed contents in place.
            let blk = (w.bhs[id as usize].blocknr as usize).min(MAX_LBLK - 1);
            let v = w.journal.committed[blk];
            let latest = &mut w.shadow.latest[BDEV as usize][blk];
            *latest = (*latest).max(v);
        }
        return true;
    }
    jh.transaction = jh.next_transaction;
    jh.next_transaction = 0;
    jh.jlist = if jh.modified {
        Jlist::Metadata
    } else {
        Jlist::Reserved
    };
    // __jbd2_journal_file_buffer() on the next transaction: BH_Dirty folds
    // into BH_JBDDirty.
    let b = &mut w.bhs[id as usize];
    if b.state & bs::DIRTY != 0 {
        b.state &= !bs::DIRTY;
        w.journal.jh_mut(id).jbddirty = true;
    }
    false
}

/// The data token buffer `id`'s `b_data` designates now (its block in the
/// folio `b_folio` points at).
pub fn bh_data(w: &World, id: u8) -> u32 {
    let b = &w.bhs[id as usize];
    let f = b.folio.frame as usize;
    w.frames
        .get(f)
        .map_or(0, |fr| fr.data[b.offset as usize % fr.data.len()])
}
