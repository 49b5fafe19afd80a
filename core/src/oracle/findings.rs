//! The findings of a run: which oracle fired, where, and what it saw.

use super::{OracleId, Payload};
use crate::step::StepId;

/// Where in a run a finding fired.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum At {
    /// Inside the step being taken (its label is filled in when it ends).
    Pending,
    /// In this step.
    Step(StepId),
    /// Outside any step: the checks of a quiet world (a hang, data at unmount).
    Quiet,
}

impl At {
    /// The step, if it fired in one.
    pub fn step(self) -> Option<StepId> {
        match self {
            At::Step(s) => Some(s),
            At::Pending | At::Quiet => None,
        }
    }
}

/// One firing of an oracle.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Finding {
    /// Which oracle.
    pub oracle: OracleId,
    /// The context that was running (a task, a bio, or the final checks).
    pub ctx: u8,
    /// The global step number at which it fired.
    pub step_no: u32,
    /// The step it fired in.
    pub at: At,
    /// The frame involved, or [`crate::world::NO_FRAME`].
    pub frame: u8,
    /// What else it saw.
    pub payload: Payload,
}

impl Finding {
    /// The detail line of this finding's payload, for a report.
    pub fn detail(&self, names: &[String]) -> String {
        self.oracle.detail(&self.payload, names)
    }
}

/// The findings of one run: at most one per oracle (the first), in firing order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    list: [Option<Finding>; 8],
    seen: u64,
    len: u8,
}

impl Findings {
    /// Record `f` unless its oracle already fired in this run.
    pub fn push(&mut self, f: Finding) {
        let bit = f.oracle.bit();
        if self.seen & bit != 0 {
            return;
        }
        self.seen |= bit;
        if (self.len as usize) < self.list.len() {
            self.list[self.len as usize] = Some(f);
            self.len += 1;
        }
    }

    /// Record that the findings of global step `step_no` fired in step `at`.
    pub fn set_step(&mut self, step_no: u32, at: StepId) {
        for f in self.list[..self.len as usize].iter_mut().flatten() {
            if f.step_no == step_no && f.at == At::Pending {
                f.at = At::Step(at);
            }
        }
    }

    /// The set of oracles that fired, one bit per [`OracleId::code`].
    pub fn mask(&self) -> u64 {
        self.seen
    }

    /// Whether a fatal oracle fired (the kernel would have stopped).
    pub fn stopped(&self) -> bool {
        self.iter().any(|f| f.oracle.fatal())
    }

    /// Findings not yet given a step fired outside any step (the checks of a
    /// quiet world): mark them so no later step claims them.
    pub fn seal_pending(&mut self) {
        for f in self.list[..self.len as usize].iter_mut().flatten() {
            if f.at == At::Pending {
                f.at = At::Quiet;
            }
        }
    }

    /// Whether nothing fired.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The findings, first fired first.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.list[..self.len as usize].iter().flatten()
    }

    /// The first finding in firing order.
    pub fn first(&self) -> Option<&Finding> {
        self.iter().next()
    }

    /// The findings up to and including the first fatal one (the kernel
    /// would have stopped there).
    pub fn story(&self) -> impl Iterator<Item = &Finding> {
        let mut stopped = false;
        self.iter().take_while(move |f| {
            let keep = !stopped;
            stopped |= f.oracle.fatal();
            keep
        })
    }

    /// The finding a run is reported by: among [`Findings::story`], the
    /// lowest [`OracleId::rank`], the first fired among equals. A fuzz target
    /// panics with this one.
    pub fn headline(&self) -> Option<&Finding> {
        self.story().min_by_key(|f| (f.oracle.rank(), f.step_no))
    }

    /// Whether `o` fired.
    pub fn has(&self, o: OracleId) -> bool {
        self.seen & o.bit() != 0
    }

    /// Number of distinct oracles that fired.
    pub fn len(&self) -> usize {
        self.len as usize
    }
}
