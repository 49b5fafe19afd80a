//! # pagelife-engine: fuzzing the model
//!
//! The pieces every fuzzing front end shares: [`harness`] (bytes → case →
//! run → panic on a finding, for libFuzzer and AFL), [`cov`] (the
//! interleaving coverage signal), [`sched`] (random and PCT online
//! schedulers), [`generate`] and [`mutate`] (structure-aware inputs, drawn
//! from a [`swarm::Menu`]: the target's, or a swarm configuration), and
//! [`fuzzer`], the built-in engine `pagelife fuzz` runs.
//!
//! It lives outside `pagelife-core` because it uses randomness (seeded, so
//! each job is deterministic per seed) and the CLI adds clocks and threads
//! around it; the core stays free of all three.

#![deny(missing_docs)]

pub mod bytes;
pub mod cov;
pub mod fuzzer;
pub mod generate;
pub mod harness;
pub mod known;
pub mod mutate;
pub mod rng;
pub mod sched;
pub mod stress;
pub mod swarm;
pub mod target;
pub mod tuning;
