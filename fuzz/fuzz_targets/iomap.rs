//! Extent-mapped filesystems: XFS stale iomaps and writeback mappings, ext4 delalloc, gfs2 page_done (Cases 4, 5).
#![no_main]
use libfuzzer_sys::fuzz_target;
#[cfg(feature = "custom-mutator")]
use libfuzzer_sys::{fuzz_crossover, fuzz_mutator};
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Iomap, data));

#[cfg(feature = "custom-mutator")]
fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    pagelife_fuzz::libfuzzer_mutate(Target::Iomap, data, size, max_size, seed)
});

#[cfg(feature = "custom-mutator")]
fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
    pagelife_fuzz::libfuzzer_crossover(Target::Iomap, data1, data2, out, seed)
});
