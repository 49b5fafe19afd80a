//! Buffer heads, the bh LRU and norefs migration on v5.0, v6.15-rc1 and the 2025 proposals (Cases 2, 3).
#![no_main]
use libfuzzer_sys::fuzz_target;
#[cfg(feature = "custom-mutator")]
use libfuzzer_sys::{fuzz_crossover, fuzz_mutator};
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Migration, data));

#[cfg(feature = "custom-mutator")]
fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    pagelife_fuzz::libfuzzer_mutate(Target::Migration, data, size, max_size, seed)
});

#[cfg(feature = "custom-mutator")]
fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
    pagelife_fuzz::libfuzzer_crossover(Target::Migration, data1, data2, out, seed)
});
