//! User mappings on `mainline`: page faults, loads and stores through PTEs
//! against writeback, truncation, hole punching, reclaim and eviction.
#![no_main]

pagelife_fuzz::libfuzzer_target!(Mappings);
