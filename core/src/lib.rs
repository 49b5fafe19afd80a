//! # pagelife-core: an executable model of Linux page-lifetime races
//!
//! This crate models the kernel paths that touch a page's life — allocation,
//! page-cache insertion, dirtying, writeback and its completion, truncation,
//! reclaim — as *step machines*: each step is the code between two points where
//! the kernel can be raced, named after the kernel function it models
//! ([`step::StepId`]). A [`case::Case`] says which kernel ([`profile`]), which
//! tasks run which operations, in which interleaving, with which faults. The
//! executors ([`exec`]) run it deterministically and the [`oracle`]s say
//! whether something the kernel asserts, or promises a user, was broken.
//!
//! ```
//! use pagelife_core::litmus;
//! use pagelife_core::exec::replay::replay;
//!
//! let case = litmus::parse_str(r#"
//!     profile v5.8
//!     setup:
//!       write f0 0
//!       writeback f0 none
//!       write f0 0
//!     task N:
//!       writeback f0 none
//!       write f0 0
//!     task W:
//!       writeback f0 all
//!     schedule:
//!       io0 __folio_end_writeback
//!       N *
//!       W folio_wait_bit_common
//!       io0 *
//!       W *
//! "#, "doc").unwrap();
//! let out = replay(&case);
//! assert!(out.findings.has(pagelife_core::oracle::OracleId::WritebackAfterWait));
//! ```
//!
//! ## What is modelled
//! - Frames with refcount, flags, owner and an incarnation number bumped at
//!   every allocation; a LIFO free list.
//! - Files with a page cache (xarray marks DIRTY / WRITEBACK / TOWRITE), `i_size`
//!   and `i_rwsem`.
//! - The hashed page waitqueue, PG_waiters, exclusive and shared waiters, with
//!   the v5.7 and the 2a9127fcf229 (v5.8+) wake rules and v5.9's lock unfairness.
//! - Bios as contexts of their own: DMA at transfer time, completion through
//!   `folio_end_writeback()`.
//! - Buffered write and read, `write_cache_pages()` (WB_SYNC_NONE / ALL),
//!   fsync, sync, `truncate_inode_pages_range()`, reclaim of clean folios.
//! - Faults: I/O errors, allocation failures, fatal signals, injected reclaim.
//! - A shadow model of what users were promised, checked at every fsync and
//!   after the final sync of a quiet world.
//! - Buffer heads, the per-CPU bh LRU and folio migration (Cases 2, 3).
//! - Extent-mapped files (`config fs=xfs|ext4|gfs2 blocks=N`): per-block
//!   extent state with a fork sequence number, a disk-block allocator, data
//!   units below block size; iomap buffered writes and writeback, XFS
//!   delalloc and unwritten conversion, ext4's extent-status tree and
//!   delalloc reservations, gfs2 journaled data, fallocate / punch / zero
//!   range and write faults (Cases 4, 5).
//!
//! ## Determinism
//! No clocks, threads or randomness here: the same case gives the same trace,
//! byte for byte.
//!
//! ## Limitations
//! - Sizes are in pages (`i_size`, truncate, fallocate ranges); writes are in
//!   data units (two per block), up to four blocks per page.
//! - No CoW fork, reflink or bigalloc; gfs2 glocks are a local reader-writer
//!   lock and the log is a flag on the buffer (no AIL, no log I/O).
//! - No memory ordering below the step level: a step is atomic, and
//!   interleavings are between steps (the kernel's barriers are assumed right).
//! - Large folios on files, readahead, `balance_dirty_pages()`,
//!   stable pages and the LRU lists' order are not modelled.
//! - The truncate of a page-aligned size takes the folio at the new EOF in
//!   pass 2 (as v5.x did) rather than in v7.0's partial-folio code.
//! - A frame freed with bad flags is still returned to the allocator (as a
//!   production kernel's per-cpu free path does), after the oracle fired.

#![deny(missing_docs)]

pub mod audit;
pub mod block;
pub mod case;
pub mod codec;
pub mod errno;
pub mod exec;
pub mod fs;
pub mod litmus;
pub mod mm;
pub mod op;
pub mod oracle;
pub mod profile;
pub mod step;
pub mod step_alias;
pub mod trace;
pub mod world;
