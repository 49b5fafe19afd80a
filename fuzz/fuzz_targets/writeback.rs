//! PG_writeback wakeups, page reuse, truncation and reclaim on v5.7–v5.10 (Case 1).
#![no_main]

pagelife_fuzz::libfuzzer_target!(Writeback);
