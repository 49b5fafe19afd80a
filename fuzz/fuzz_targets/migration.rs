//! Buffer heads, the bh LRU and norefs migration on v5.0, v6.15-rc1 and the 2025 proposals (Cases 2, 3).
#![no_main]
use libfuzzer_sys::fuzz_target;
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Migration, data));
