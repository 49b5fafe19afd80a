//! PG_writeback wakeups, page reuse, truncation and reclaim on v5.7–v5.10 (Case 1).
#![no_main]
use libfuzzer_sys::fuzz_target;
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Writeback, data));
