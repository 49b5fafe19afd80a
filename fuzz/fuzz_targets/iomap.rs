//! Extent-mapped filesystems: XFS stale iomaps and writeback mappings, ext4 delalloc, gfs2 page_done (Cases 4, 5).
#![no_main]

pagelife_fuzz::libfuzzer_target!(Iomap);
