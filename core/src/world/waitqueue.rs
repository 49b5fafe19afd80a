//! The hashed page waitqueue table (`folio_wait_table[]` in mm/filemap.c).
//!
//! The kernel hashes a folio's address into 256 queues shared by every
//! folio; the model hashes the frame number into a configurable number of
//! buckets (1–8), so collisions — several frames on one queue — happen in
//! small cases. A queue entry belongs to a sleeping task; it records the frame,
//! the bit and the `WQ_FLAG_*` flags as `struct wait_page_queue` does, plus
//! the incarnation the waiter saw (model-only, for the oracles: the kernel
//! matches by `struct folio *` alone, which is how a wakeup can cross
//! incarnations).

use super::frame::FrameId;
use super::NTASK_SLOTS;

/// Most buckets the table can have.
pub const MAX_BUCKETS: usize = 8;

/// `WQ_FLAG_*` bits (include/linux/wait.h).
pub mod wq {
    /// WQ_FLAG_EXCLUSIVE: wake only one such waiter.
    pub const EXCLUSIVE: u8 = 1 << 0;
    /// WQ_FLAG_WOKEN: the waker has been here.
    pub const WOKEN: u8 = 1 << 1;
    /// WQ_FLAG_CUSTOM: for page waits, "hand the lock over to me" (5ef64cc8987a).
    pub const CUSTOM: u8 = 1 << 2;
    /// WQ_FLAG_DONE: the waker took the bit for us.
    pub const DONE: u8 = 1 << 3;
}

/// A task's `struct wait_page_queue` (lives on its stack in the kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct WaitEntry {
    /// `wait_page.folio`.
    pub frame: FrameId,
    /// The incarnation the waiter saw when it queued (model only).
    pub inc: u16,
    /// `wait_page.bit_nr` as a flag mask (`pg::LOCKED` or `pg::WRITEBACK`).
    pub bit: u16,
    /// `wait->flags`.
    pub flags: u8,
    /// On a queue (`!list_empty(&wait->entry)`).
    pub queued: bool,
}

/// The table: each bucket an ordered list of waiting task slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitQueues {
    /// Buckets in use (1..=MAX_BUCKETS).
    pub nbuckets: u8,
    /// Queue contents, oldest first.
    pub q: [[u8; NTASK_SLOTS]; MAX_BUCKETS],
    /// Queue lengths.
    pub len: [u8; MAX_BUCKETS],
}

impl WaitQueues {
    /// An empty table with `nbuckets` queues.
    pub fn new(nbuckets: u8) -> WaitQueues {
        WaitQueues {
            nbuckets: nbuckets.clamp(1, MAX_BUCKETS as u8),
            q: [[0; NTASK_SLOTS]; MAX_BUCKETS],
            len: [0; MAX_BUCKETS],
        }
    }

    /// `folio_waitqueue()`: the bucket of a frame.
    #[inline]
    pub fn bucket(&self, frame: FrameId) -> usize {
        frame as usize % self.nbuckets as usize
    }

    /// `__add_wait_queue_entry_tail()`.
    pub fn add_tail(&mut self, b: usize, task: u8) {
        let n = self.len[b] as usize;
        if n < NTASK_SLOTS {
            self.q[b][n] = task;
            self.len[b] += 1;
        }
    }

    /// `list_del_init()` of a task's entry, wherever it is in bucket `b`.
    pub fn remove(&mut self, b: usize, task: u8) {
        let n = self.len[b] as usize;
        if let Some(pos) = self.q[b][..n].iter().position(|&t| t == task) {
            self.q[b].copy_within(pos + 1..n, pos);
            self.len[b] -= 1;
        }
    }

    /// `waitqueue_active()`.
    #[inline]
    pub fn active(&self, b: usize) -> bool {
        self.len[b] != 0
    }

    /// The waiters of bucket `b`, oldest first.
    pub fn entries(&self, b: usize) -> &[u8] {
        &self.q[b][..self.len[b] as usize]
    }
}
