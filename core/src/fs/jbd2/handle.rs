//! The handle's side of a journalled metadata update: the steps
//! [`crate::fs::buffer::BhWrite`] takes around its update when it runs in a
//! jbd2 handle (fs/jbd2/transaction.c, fs/ext4/ext4_jbd2.c).

use super::{add_journal_head, bh_data, file_buffer, put_journal_head};
use crate::exec::poll::Cond;
use crate::mm::migrate::might_sleep;
use crate::trace::Event;
use crate::world::{bs, Jlist, World, MAX_LBLK};

/// `start_this_handle()`: join the running transaction (creating one if
/// none runs), or wait while it is `T_LOCKED`. Returns the transaction's tid.
pub fn journal_start(w: &mut World) -> Result<u8, Cond> {
    let j = &mut w.journal;
    if j.locked {
        return Err(Cond::JournalUnlocked);
    }
    if j.running == 0 {
        // jbd2_get_transaction(): tids alternate between the two slots of `want`.
        j.running = j.next_tid;
        j.next_tid = j.next_tid % 254 + 1;
        j.want[(j.running & 1) as usize] = [0; MAX_LBLK];
        j.updates = 0;
    }
    j.updates += 1;
    Ok(j.running)
}

/// `stop_this_handle()`: `t_updates` down (the commit waiting in
/// `jbd2_journal_wait_updates()` can go on at 0).
pub fn journal_stop(w: &mut World) {
    w.journal.updates = w.journal.updates.saturating_sub(1);
}

/// `jbd2_write_access_granted()`: the buffer is already the handle's
/// transaction's (`b_transaction` or `b_next_transaction`).
pub fn write_access_granted(w: &World, id: u8, tid: u8) -> bool {
    let jh = w.journal.jh(id);
    jh.attached && (jh.transaction == tid || jh.next_transaction == tid)
}

/// `jbd2_journal_add_journal_head()` for the handle.
pub fn attach(w: &mut World, id: u8) {
    add_journal_head(w, id);
}

/// `do_get_write_access()` `repeat: lock_buffer(bh)`.
pub fn lock_buffer(w: &mut World, id: u8) -> Result<(), Cond> {
    if crate::fs::buffer::buffer_locked(w, id) {
        might_sleep(w);
        return Err(Cond::BhUnlocked(id));
    }
    w.bhs[id as usize].state |= bs::LOCK;
    w.touched = w.bhs[id as usize].folio.frame;
    Ok(())
}

/// What `do_get_write_access()` decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Write access granted; the caller's journal-head reference was put.
    Granted,
    /// `BH_Shadow`: the committing transaction is writing the primary copy;
    /// wait for it, then `goto repeat` (the reference is kept).
    Shadow,
}

/// `do_get_write_access()` under `b_state_lock`, the buffer locked by the
/// caller: see [`crate::step::StepId::DoGetWriteAccess`].
pub fn do_get_write_access(w: &mut World, id: u8, tid: u8) -> Access {
    let b = &mut w.bhs[id as usize];
    if b.state & bs::DIRTY != 0 {
        // "dirty buffer ... clear_buffer_dirty(); set_buffer_jbddirty()"
        b.state &= !bs::DIRTY;
        w.journal.jh_mut(id).jbddirty = true;
    }
    w.bhs[id as usize].state &= !bs::LOCK;
    let jh = *w.journal.jh(id);
    if jh.transaction == tid || jh.next_transaction == tid {
        put_journal_head(w, id);
        return Access::Granted;
    }
    w.journal.jh_mut(id).modified = false;
    if jh.transaction == 0 {
        file_buffer(w, id, tid, Jlist::Reserved);
    } else if !jh.has_frozen {
        // The committing transaction owns the buffer.
        if jh.shadow {
            w.note(Event::Note("BH_Shadow: wait for the log write"));
            return Access::Shadow;
        }
        if jh.jlist == Jlist::Metadata {
            // jbd2_freeze_jh_data(): the committing transaction logs this copy.
            let t = bh_data(w, id);
            let m = w.journal.jh_mut(id);
            m.has_frozen = true;
            m.frozen = t;
        }
        w.journal.jh_mut(id).next_transaction = tid;
    } else {
        w.journal.jh_mut(id).next_transaction = tid;
    }
    put_journal_head(w, id);
    Access::Granted
}

/// `__ext4_handle_dirty_metadata()` → `jbd2_journal_dirty_metadata()`: see
/// [`crate::step::StepId::DirtyMetadata`]. `version` is what the handle
/// wrote into block `blk`: what transaction `tid` must log for it.
pub fn dirty_metadata(w: &mut World, id: u8, tid: u8, blk: u8, version: u16) {
    w.bhs[id as usize].state |= bs::META;
    let jh = *w.journal.jh(id);
    if jh.transaction != tid && jh.next_transaction != tid {
        // J_ASSERT_JH(jh, b_transaction == transaction || b_next_transaction == transaction)
        w.note(Event::Note(
            "jbd2_journal_dirty_metadata: not the handle's buffer",
        ));
        return;
    }
    w.journal.jh_mut(id).modified = true;
    // Handles of one transaction may update the block one after another:
    // the buffer holds the latest version (versions grow in write order).
    let want = &mut w.journal.want[(tid & 1) as usize][(blk as usize).min(MAX_LBLK - 1)];
    *want = (*want).max(version);
    if jh.jlist == Jlist::Metadata && jh.transaction == tid {
        return;
    }
    w.journal.jh_mut(id).jbddirty = true;
    if jh.transaction == tid {
        file_buffer(w, id, tid, Jlist::Metadata);
    }
}
