//! mm/: the memory-management paths, one file per kernel file.

pub mod filemap;
pub mod fork;
pub mod gup;
pub mod gup_remote;
pub mod invalidate;
pub mod madvise;
pub mod memory;
pub mod migrate;
pub mod page_alloc;
pub mod page_writeback;
pub mod pin;
pub mod rmap;
pub mod swap;
pub mod truncate;
pub mod try_invalidate;
pub mod vmscan;
