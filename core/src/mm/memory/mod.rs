//! mm/memory.c: page faults on shared and private file mappings and on
//! anonymous memory, copy-on-write, a debugger's write into another task, the user's loads and stores through PTEs, and the zapping of PTEs (`munmap()`,
//! `madvise(MADV_DONTNEED)`, `exit_mmap()`, `unmap_mapping_range()`).
//!
//! The page tables themselves are [`crate::world::pgtable`]; the reverse
//! map's walks are [`crate::mm::rmap`].

pub mod access;
pub mod access_remote;
pub mod anon;
pub mod cow;
pub mod vma;
pub mod write_fault;
pub mod zap;

pub use access::{ReadFault, UserAccess};
pub use access_remote::AccessRemote;
pub use anon::{AnonAccess, AnonFault, AnonMadvise};
pub use cow::WpCopy;
pub use vma::{Mmap, Munmap};
pub use write_fault::{PageMkwrite, PteMode};
pub use zap::Zap;
