//! PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
//! Nagarakatte, ASPLOS 2010), as shuttle's `PctScheduler` does it: every
//! context gets a random priority when it first appears; the highest-priority
//! enabled context runs; at `depth - 1` random change points the running
//! context drops below every initial priority. A bug of depth d is found
//! with probability at least 1/(n·k^(d-1)) per run.
//!
//! Where it differs from shuttle: contexts here include bios, which appear
//! when submitted, and `k` (the step estimate) is a parameter rather than
//! learned from earlier runs.

use pagelife_core::exec::machine::Machine;
use pagelife_core::exec::replay::Chooser;
use pagelife_core::world::{CtxId, MAX_CTX};

use crate::rng::Rng;

/// The PCT scheduler for one run.
pub struct Pct<'r> {
    rng: &'r mut Rng,
    depth: usize,
    prio: [u32; MAX_CTX],
    change_points: Vec<usize>,
    steps: usize,
}

impl<'r> Pct<'r> {
    /// PCT of bug depth `depth` (1–3) over about `k` steps.
    pub fn new(rng: &'r mut Rng, depth: usize, k: usize) -> Self {
        let depth = depth.max(1);
        let mut change_points: Vec<usize> =
            (1..depth).map(|_| 1 + rng.below(k.max(2) - 1)).collect();
        change_points.sort_unstable();
        Pct {
            rng,
            depth,
            prio: [0; MAX_CTX],
            change_points,
            steps: 0,
        }
    }
}

impl Chooser for Pct<'_> {
    fn choose(&mut self, _: &Machine<'_>, enabled: &[CtxId], _last: Option<CtxId>) -> CtxId {
        for &c in enabled {
            if self.prio[c as usize] == 0 {
                // Initial priorities are above every change-point priority (1..depth).
                self.prio[c as usize] = self.depth as u32 + 1 + self.rng.below(1 << 20) as u32;
            }
        }
        let best = |p: &[u32; MAX_CTX]| {
            enabled
                .iter()
                .copied()
                .max_by_key(|&c| (p[c as usize], c))
                .unwrap_or(enabled[0])
        };
        let mut c = best(&self.prio);
        while let Some(pos) = self.change_points.iter().position(|&s| s == self.steps) {
            // Change point i: the running context drops to priority depth - i.
            self.prio[c as usize] = (self.depth - 1 - pos) as u32 + 1;
            self.change_points[pos] = usize::MAX;
            c = best(&self.prio);
        }
        self.steps += 1;
        c
    }
}
