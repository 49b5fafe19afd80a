//! The end of life on `mainline`: inode eviction, reclaim and migration of
//! last pages, and the journal's buffer references (jbd2).
#![no_main]

pagelife_fuzz::libfuzzer_target!(Lifecycle);
