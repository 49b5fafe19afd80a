//! Online schedulers: they pick each step while a case runs. One strategy
//! per file, as in shuttle's `scheduler/`.

pub mod pct;
pub mod random;

pub use pct::Pct;
pub use random::RandomWalk;
