//! Executors: the machine and its step rules, deterministic replay, and the
//! exhaustive bounded search.

pub mod check;
pub mod machine;
pub mod poll;
pub mod replay;
pub mod schedule;
