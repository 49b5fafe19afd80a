//! Buffer heads, the bh LRU and norefs migration on v5.0, v6.15-rc1 and the 2025 proposals (Cases 2, 3).
#![no_main]

pagelife_fuzz::libfuzzer_target!(Migration);
