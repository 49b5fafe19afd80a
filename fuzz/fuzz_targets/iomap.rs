//! Extent-mapped filesystems: XFS stale iomaps and writeback mappings, ext4 delalloc, gfs2 page_done (Cases 4, 5).
#![no_main]
use libfuzzer_sys::fuzz_target;
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Iomap, data));
