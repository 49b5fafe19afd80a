//! What a run records: one entry per step, with the events the step caused,
//! for tables, pictures, signatures and minimization.

use crate::oracle::OracleId;
use crate::step::StepId;
use crate::world::{CtxId, FrameId};

/// Something a step did that a reader of the trace wants to see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A frame was allocated (a new incarnation).
    Alloc {
        /// The frame.
        frame: FrameId,
        /// Its new incarnation.
        inc: u16,
    },
    /// A frame went back to the allocator.
    Free {
        /// The frame.
        frame: FrameId,
        /// The incarnation that ended.
        inc: u16,
    },
    /// A folio entered a page cache.
    Insert {
        /// The frame.
        frame: FrameId,
        /// File.
        mapping: u8,
        /// Page index.
        index: u8,
    },
    /// A folio left a page cache.
    Delete {
        /// The frame.
        frame: FrameId,
        /// File.
        mapping: u8,
        /// Page index.
        index: u8,
    },
    /// The current task went to sleep on a folio bit.
    Sleep {
        /// The frame.
        frame: FrameId,
        /// `pg::LOCKED` or `pg::WRITEBACK`.
        bit: u16,
    },
    /// The current context woke a sleeping task.
    Wake {
        /// The task woken.
        wakee: CtxId,
        /// The frame the waker meant.
        frame: FrameId,
    },
    /// A bio was submitted.
    Submit {
        /// Its number.
        bio: u8,
        /// Its frame.
        frame: FrameId,
        /// The incarnation it was submitted with.
        inc: u16,
    },
    /// The device transferred a block.
    Dma {
        /// The bio.
        bio: u8,
        /// The disk block written (or read).
        block: u8,
        /// The data token transferred.
        token: u32,
    },
    /// A block of a file's extent map changed (`if_seq` was bumped).
    Map {
        /// File.
        file: u8,
        /// Logical block.
        lblk: u8,
        /// Its state before (see [`crate::world::ext`]).
        from: u8,
        /// Its state now.
        to: u8,
        /// The disk block now mapped, or `NO_PBLK`.
        pblk: u8,
    },
    /// An ext4 extent-status entry was set (see [`crate::world::es`]).
    Es {
        /// File.
        file: u8,
        /// Logical block.
        lblk: u8,
        /// The new entry.
        state: u8,
        /// `i_reserved_data_blocks` after the change.
        reserved: u8,
    },
    /// A block of a folio was initialised before a partial write: zeroed, or
    /// read from a disk block.
    Init {
        /// Logical block.
        lblk: u8,
        /// The disk block it was read from, or `NO_PBLK` if it was zeroed.
        from: u8,
    },
    /// The step could not proceed and the task blocked.
    Block,
    /// A free-form remark from the step (a branch taken).
    Note(&'static str),
    /// The path gave up or goes round again, and why (`-EAGAIN: buffer
    /// referenced (a bh LRU)`): shown even in compact tables, so a user can
    /// see what to change in the case.
    Bail(&'static str),
    /// An oracle fired in this step.
    Oracle(OracleId),
}

/// The events of one step (a fixed buffer: a step causes only a few).
#[derive(Clone, Copy, Debug, Default)]
pub struct EventBuf {
    buf: [Option<Event>; 8],
    len: u8,
}

impl EventBuf {
    /// Add an event (dropped if the buffer is full).
    #[inline]
    pub fn push(&mut self, e: Event) {
        if (self.len as usize) < self.buf.len() {
            self.buf[self.len as usize] = Some(e);
            self.len += 1;
        }
    }

    /// Empty the buffer.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The events, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.buf[..self.len as usize].iter().flatten()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Which part of a run a step belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The case's `setup:` operations.
    Setup,
    /// The schedule and the fallback: the interleaving itself.
    Main,
    /// Injected reclaim (a fault).
    Injected,
    /// The checks of a quiet world (the final sync).
    Quiesce,
}

/// One step of a run as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// Which part of the run.
    pub phase: Phase,
    /// Global step number.
    pub step_no: u32,
    /// Who took it.
    pub ctx: CtxId,
    /// Which step.
    pub step: StepId,
    /// The frame it touched, if any.
    pub frame: Option<FrameId>,
    /// That frame's incarnation, flags and refcount after the step.
    pub frame_state: Option<(u16, u16, i16)>,
    /// What it did.
    pub events: Vec<Event>,
}

/// A whole run's record, plus scheduler remarks (fallbacks, skipped slices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The steps, in order.
    pub steps: Vec<TraceEntry>,
    /// Scheduler remarks: (the step number they precede, text).
    pub remarks: Vec<(u32, String)>,
    /// The schedule did not happen as written: a slice whose context
    /// could not run, or whose label never came (the step number, text).
    pub warnings: Vec<(u32, String)>,
    /// The schedule's slices (by index) whose context could not run: they
    /// took no step, and removing them changes nothing.
    pub skipped: Vec<usize>,
}
