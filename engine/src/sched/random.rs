//! Uniform random scheduling, with a bias to keep running the same context
//! (switching at every step makes long kernel paths unlikely to finish).

use pagelife_core::exec::machine::Machine;
use pagelife_core::exec::replay::Chooser;
use pagelife_core::world::CtxId;

use crate::rng::Rng;

/// Pick a random enabled context; stay with the last one with probability `stay`.
pub struct RandomWalk<'r> {
    rng: &'r mut Rng,
    stay: f64,
}

impl<'r> RandomWalk<'r> {
    /// A random walk that keeps the running context with probability `stay`.
    pub fn new(rng: &'r mut Rng, stay: f64) -> Self {
        RandomWalk { rng, stay }
    }
}

impl Chooser for RandomWalk<'_> {
    fn choose(&mut self, _: &Machine<'_>, enabled: &[CtxId], last: Option<CtxId>) -> CtxId {
        if let Some(l) = last {
            if enabled.contains(&l) && self.rng.chance(self.stay) {
                return l;
            }
        }
        enabled[self.rng.below(enabled.len())]
    }
}
