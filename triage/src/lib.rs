//! # pagelife-triage: what happens to a finding
//!
//! Signatures and dedup, minimization, export (table, litmus, JSON, Rust
//! test, SVG), the fix matrix — each a module with one job, over
//! `pagelife-core`'s cases and traces.

#![deny(missing_docs)]

pub mod export;
pub mod facts;
pub mod minimize;
pub mod report;
pub mod search;
pub mod signature;
pub mod table;
