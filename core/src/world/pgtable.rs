//! Page tables: each user task's address space (`struct mm_struct`) with a
//! shared mapping (`MAP_SHARED`, the whole file) of the files it called
//! `mmap` on, one PTE per page of those files, and its anonymous memory
//! (`MAP_PRIVATE | MAP_ANONYMOUS`: the heap a user's buffers live in) of
//! [`MAX_INDEX`] pages, a row of PTEs of its own ([`ANON`]).
//!
//! The model keeps what the kernel's page-lifetime paths read: a PTE is
//! present or not; present, it maps a frame (the pfn) and carries the
//! writable, dirty and young (accessed) bits (arch/x86 `_PAGE_RW`,
//! `_PAGE_DIRTY`, `_PAGE_ACCESSED`). The frame's `_mapcount`
//! ([`crate::world::Frame::mapcount`]) counts the PTEs mapping it apart
//! from its refcount, as the kernel keeps them: each present PTE holds one
//! reference and one mapcount (`folio_add_file_rmap_ptes()`,
//! mm/rmap.c). The reverse map (`rmap_walk_file()` over `i_mmap`) finds a
//! folio's PTEs by computing each VMA's address for `folio->index` and
//! checking the PTE maps the folio's pfn (`page_vma_mapped_walk()`); here
//! that is the PTE slot of (`mapping`, `index`) in every mm.
//!
//! Each mm has one page table, so one PTE lock (`pte_offset_map_lock()`):
//! every section under it is one step (a set, a zap, a write-protect), so it
//! needs no lock object. `i_mmap_rwsem` guards the VMA tree, which only
//! `mmap`/`munmap` change; its holders (the rmap walk, `unmap_mapping_range()`)
//! hold it across their walk in the kernel, and here walk one mm per step
//! without it: a VMA linked or removed meanwhile has no PTE for the walk to
//! miss (a new VMA starts empty, `munmap` zaps its own PTEs first).

use super::frame::{FolioRef, FrameId, MAX_BLOCKS, NO_FRAME};
use super::mapping::MAX_INDEX;
use super::{MAX_FILES, MAX_TASKS};

/// PTE bits.
pub mod pte {
    /// `_PAGE_PRESENT`.
    pub const PRESENT: u8 = 1 << 0;
    /// `_PAGE_RW`: stores do not fault.
    pub const WRITE: u8 = 1 << 1;
    /// `_PAGE_DIRTY`: set by the CPU on a store through the PTE.
    pub const DIRTY: u8 = 1 << 2;
    /// `_PAGE_ACCESSED`: set by the CPU on an access, cleared by
    /// `folio_referenced()`.
    pub const YOUNG: u8 = 1 << 3;
}

/// One page-table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pte {
    /// The frame mapped (the pfn), or [`NO_FRAME`].
    pub frame: FrameId,
    /// [`pte`] bits.
    pub flags: u8,
    /// The frame's incarnation when the PTE was set: a PTE that outlives it
    /// maps a freed or reused page.
    pub inc: u16,
}

impl Pte {
    /// `pte_none()`.
    pub const NONE: Pte = Pte {
        frame: NO_FRAME,
        flags: 0,
        inc: 0,
    };

    /// `pte_present()`.
    #[inline]
    pub fn present(&self) -> bool {
        self.flags & pte::PRESENT != 0
    }

    /// The folio it maps, as the PTE saw it.
    #[inline]
    pub fn folio(&self) -> FolioRef {
        FolioRef {
            frame: self.frame,
            inc: self.inc,
        }
    }
}

/// The "file" number of a task's anonymous memory in [`pte_slot`] and in
/// [`MmStruct::vmas`]: the row after the files' (no file has it: the
/// block device, which has the same number, is never mapped).
pub const ANON: u8 = MAX_FILES as u8;

/// PTEs per mm: one per page of each file, and the anonymous pages.
pub const NPTE: usize = (MAX_FILES + 1) * MAX_INDEX;

/// The PTE slot of page `index` of `file` in a shared mapping of the whole
/// file, or of anonymous page `index` when `file` is [`ANON`].
#[inline]
pub fn pte_slot(file: u8, index: u8) -> usize {
    (file as usize).min(ANON as usize) * MAX_INDEX + (index as usize % MAX_INDEX)
}

/// What a load of one anonymous page must return: the last store's or
/// direct-I/O read's data, or zeroes (`madvise(MADV_DONTNEED)`, a page
/// never written). After `madvise(MADV_FREE)` the kernel may instead drop
/// the page, so zeroes are allowed too, until the next store or direct-I/O
/// read into it (madvise(2): "the kernel can thus free these pages ... a
/// subsequent write will succeed and the kernel cannot free those dirtied
/// pages").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnonPromise {
    /// The page's data, one token per block.
    pub data: [u32; MAX_BLOCKS],
    /// Zeroes are allowed as well (lazily freed).
    pub may_zero: bool,
    /// Anything is (a direct-I/O read into it failed).
    pub any: bool,
    /// The version of the next store to the page.
    pub next: u16,
}

impl AnonPromise {
    /// Zeroes, never written.
    pub const ZERO: AnonPromise = AnonPromise {
        data: [0; MAX_BLOCKS],
        may_zero: false,
        any: false,
        next: 1,
    };

    /// Whether a load finding `data` keeps the promise.
    #[inline]
    pub fn kept(&self, data: &[u32; MAX_BLOCKS]) -> bool {
        self.any || *data == self.data || (self.may_zero && *data == [0; MAX_BLOCKS])
    }
}

/// The anonymous folio `index` of a private copy (copy-on-write) of page
/// `page` of a private mapping of `file`: past the anonymous pages'
/// indices, so the rmap finds its PTE in the file's row ([`anon_slot`]).
#[inline]
pub fn cow_index(file: u8, page: u8) -> u8 {
    (MAX_INDEX * (1 + file as usize % MAX_FILES) + page as usize % MAX_INDEX) as u8
}

/// The PTE slot of anonymous folio index `index`: an anonymous page of the
/// task's heap, or a private copy of a file page ([`cow_index`]).
#[inline]
pub fn anon_slot(index: u8) -> usize {
    match (index as usize / MAX_INDEX).checked_sub(1) {
        Some(f) => pte_slot(f as u8, index % MAX_INDEX as u8),
        None => pte_slot(ANON, index),
    }
}

/// A long-term pin the process holds on one of its anonymous pages (a
/// driver's registered buffer: RDMA, io_uring, `vmsplice()`), and what a
/// device's read through it must find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PinnedPage {
    /// The pinned folio ([`FolioRef::NONE`]: no pin).
    pub folio: FolioRef,
    /// The anonymous page it was taken on.
    pub page: u8,
    /// `FOLL_WRITE`: the device writes to it.
    pub write: bool,
    /// The process has not unmapped the page since the pin (its promise
    /// is what a device read must find); once it has, [`PinnedPage::held`].
    pub connected: bool,
    /// What the page held when the process unmapped it.
    pub held: AnonPromise,
}

impl PinnedPage {
    /// No pin.
    pub const NONE: PinnedPage = PinnedPage {
        folio: FolioRef::NONE,
        page: 0,
        write: false,
        connected: false,
        held: AnonPromise::ZERO,
    };
}

/// A user task's address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MmStruct {
    /// Bit `f`: a VMA of file `f` (it holds a reference on the file:
    /// `vma->vm_file`); bit [`ANON`]: the anonymous VMA, set by its first
    /// fault.
    pub vmas: u8,
    /// Bit `f`: file `f`'s VMA is `MAP_PRIVATE` (not `VM_SHARED`: a write
    /// breaks copy-on-write), else `MAP_SHARED`.
    pub private: u8,
    /// Bit `f`: file `f`'s VMA is `PROT_READ` only (no `VM_WRITE`; a
    /// private one keeps `VM_MAYWRITE`, so a `FOLL_FORCE` write may still
    /// break copy-on-write).
    pub ro: u8,
    /// By [`pte_slot`] of a file page: the version a `FOLL_FORCE` write
    /// left in the task's private copy of the page, which loads through
    /// the copy must find; 0 when no copy holds written data.
    pub cow: [u16; MAX_FILES * MAX_INDEX],
    /// The version of the next `FOLL_FORCE` write into this mm.
    pub cow_next: u16,
    /// The PTEs, by [`pte_slot`].
    pub ptes: [Pte; NPTE],
    /// What each anonymous page promises a load.
    pub anon: [AnonPromise; MAX_INDEX],
    /// Direct I/O in flight on each anonymous page, in an mm with threads
    /// (another thread's use of the page waits: [`crate::op::pre::buffer_idle`]).
    pub dio_busy: [u8; MAX_INDEX],
    /// The long-term pin the process holds, if any.
    pub pin: PinnedPage,
}

impl MmStruct {
    /// No mappings.
    pub const EMPTY: MmStruct = MmStruct {
        vmas: 0,
        private: 0,
        ro: 0,
        cow: [0; MAX_FILES * MAX_INDEX],
        cow_next: 1,
        ptes: [Pte::NONE; NPTE],
        anon: [AnonPromise::ZERO; MAX_INDEX],
        dio_busy: [0; MAX_INDEX],
        pin: PinnedPage::NONE,
    };

    /// The process unmaps anonymous page `page` (`MADV_DONTNEED`): a pin
    /// on it keeps what the page held.
    pub fn disconnect_pin(&mut self, page: u8) {
        if self.pin.connected && self.pin.page == page && !self.pin.folio.is_none() {
            self.pin.connected = false;
            self.pin.held = self.anon[page as usize % MAX_INDEX];
        }
    }

    /// Whether file `f` is mapped.
    #[inline]
    pub fn maps(&self, f: u8) -> bool {
        self.vmas & (1 << f) != 0
    }

    /// Pages `from..to` of file `f` lose their private copies' promises
    /// (`munmap()`, `MADV_DONTNEED`, a truncation past them: the kernel
    /// discards the copies, and loads see the file again).
    #[inline]
    pub fn forget_copies(&mut self, f: u8, from: u8, to: u8) {
        if (f as usize) < MAX_FILES {
            for i in from.min(to) as usize..(to as usize).min(MAX_INDEX) {
                self.cow[f as usize * MAX_INDEX + i] = 0;
            }
        }
    }

    /// Whether file `f` is mapped `MAP_PRIVATE`.
    #[inline]
    pub fn maps_private(&self, f: u8) -> bool {
        self.maps(f) && self.private & (1 << f) != 0
    }

    /// Whether file `f`'s mapping has `VM_WRITE` (user stores may write).
    #[inline]
    pub fn vm_write(&self, f: u8) -> bool {
        self.maps(f) && self.ro & (1 << f) == 0
    }
}

impl super::World {
    /// Whether any task has a mapping (else no PTE exists anywhere).
    #[inline]
    pub fn any_mapped(&self) -> bool {
        self.mms.iter().any(|m| m.vmas != 0)
    }

    /// Whether any task maps file `f`.
    #[inline]
    pub fn file_mapped(&self, f: u8) -> bool {
        self.mms.iter().any(|m| m.maps(f))
    }

    /// The tasks whose PTE in `slot` maps `frame`: the rmap walk of a
    /// folio (`rmap_walk_file()` → `page_vma_mapped_walk()`; for an
    /// anonymous folio, `rmap_walk_anon()` over its `anon_vma`, which
    /// without `fork()` is its own mm: the caller keeps the owner).
    pub fn rmap(&self, frame: FrameId, slot: usize) -> impl Iterator<Item = u8> + '_ {
        (0..MAX_TASKS as u8).filter(move |&t| {
            let p = &self.mms[t as usize].ptes[slot % NPTE];
            p.present() && p.frame == frame
        })
    }
}
