//! kernel/fork.c `dup_mmap()` and mm/memory.c `copy_page_range()`: the
//! address space a child process starts with.
//!
//! Under the parent's `mmap_lock` held for writing, each VMA is duplicated
//! for the child (`vm_area_dup()`, the file's reference taken), and each
//! VMA that needs it has its PTEs copied (`vma_needs_copy()`: the
//! anonymous VMA, and a private file VMA once it has an `anon_vma`, here
//! once one of its PTEs maps a private copy; a shared file VMA is left to
//! fault in the child). `copy_present_pte()` shares a page-cache folio
//! read-only and an anonymous one copy-on-write — both PTEs
//! write-protected, the folio's reference and mapcount raised,
//! PG_anon_exclusive cleared — unless the folio may be DMA-pinned
//! ([`Toggle::ForkEarlyCow`], with 6c287605fd56 only an exclusive one):
//! then the child gets a copy at once (`copy_present_page()`, whose page
//! is allocated outside the PTE locks: -EAGAIN, `folio_prealloc()`, the
//! VMA again) and the parent keeps its writable PTE.
//!
//! What the child's pages promise its loads is what the parent's promised
//! when its PTEs were copied, except a page with a direct I/O in flight
//! in another thread (open(2): "O_DIRECT I/Os should never be run
//! concurrently with the fork(2) system call ... data corruption and
//! undefined behavior in parent and child"), which promises the child
//! nothing, and the private copies of a file mapping, whose loads the
//! child's model does not check. Followed: kernel/fork.c and mm/memory.c
//! of mainline (`dup_mmap()`, `copy_pte_range()`, `copy_present_ptes()`,
//! `folio_try_dup_anon_rmap_pte()`), v5.10 (70e806e4e645's
//! `page_needs_cow_for_dma()`), v5.0 (`copy_one_pte()`). Not modelled:
//! `MADV_DONTFORK`/`MADV_WIPEONFORK`, the child's own `mmap_lock`.

use crate::exec::poll::{Cond, Poll};
use crate::mm::gup::GUP_PIN_COUNTING_BIAS;
use crate::mm::memory::access::folio_prealloc;
use crate::mm::swap::folio_put;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    lock::mmap_lock, pg, pte, pte_slot, FolioRef, Pte, World, ANON, MAX_FILES, MAX_INDEX,
    MAX_TASKS, NO_CHILD,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ForkPc {
    Lock,
    /// `copy_page_range()` of the VMA of this row (files, then [`ANON`]).
    Copy(u8),
    Prealloc(u8),
    Unlock,
}

/// `fork()`'s copy of the running task's address space into its child's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fork {
    pc: ForkPc,
    child: u8,
    /// The page `copy_present_page()` asked for.
    prealloc: FolioRef,
    /// The page of the row the walk resumes at.
    from: u8,
}

impl Fork {
    /// The fork of the running task.
    pub fn new() -> Fork {
        Fork {
            pc: ForkPc::Lock,
            child: NO_CHILD,
            prealloc: FolioRef::NONE,
            from: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let parent = w.mm_id(w.me) % MAX_TASKS as u8;
        match self.pc {
            ForkPc::Lock => self.dup_mmap(w, parent),
            ForkPc::Copy(row) => self.copy_pte_range(w, parent, row),
            ForkPc::Prealloc(row) => {
                match folio_prealloc(w) {
                    Some(r) => {
                        self.prealloc = r;
                        self.pc = ForkPc::Copy(row);
                    }
                    None => {
                        w.note(Event::Note("-ENOMEM: the fork fails"));
                        w.fork_failed |= 1 << self.child;
                        self.pc = ForkPc::Unlock;
                    }
                }
                Poll::Ran(StepId::PageCopyPrealloc)
            }
            ForkPc::Unlock => {
                w.unlock_if_mine(mmap_lock(parent));
                if !self.prealloc.is_none() {
                    folio_put(w, self.prealloc);
                }
                w.forked |= 1 << self.child;
                Poll::Done(StepId::DupMmapDone)
            }
        }
    }

    /// `mmap_write_lock_killable()`, then every VMA duplicated.
    fn dup_mmap(&mut self, w: &mut World, parent: u8) -> Poll {
        let l = mmap_lock(parent);
        if !w.lock_free(l) {
            return Poll::Block(Cond::Lock(l));
        }
        w.lock(l).ok();
        self.child = w.fork_child[w.me as usize % MAX_TASKS] % MAX_TASKS as u8;
        let src = w.mms[parent as usize];
        let c = &mut w.mms[self.child as usize];
        c.vmas = src.vmas;
        c.private = src.private;
        c.ro = src.ro;
        for f in 0..MAX_FILES {
            if src.maps(f as u8) {
                w.mappings[f].i_count += 1;
            }
        }
        self.pc = self.next_row(w, parent, 0);
        Poll::Ran(StepId::DupMmap)
    }

    /// The next row at or after `from` whose VMA `copy_page_range()` copies.
    fn next_row(&self, w: &World, parent: u8, from: u8) -> ForkPc {
        let mm = &w.mms[parent as usize];
        let needs = |f: u8| {
            if f == ANON {
                return mm.maps(ANON);
            }
            mm.maps_private(f)
                && (0..MAX_INDEX as u8).any(|i| {
                    let p = mm.ptes[pte_slot(f, i)];
                    p.present() && w.frames[p.frame as usize % w.frames.len()].anon != 0
                })
        };
        (from..=ANON)
            .find(|&f| needs(f))
            .map_or(ForkPc::Unlock, ForkPc::Copy)
    }

    /// `copy_pte_range()` of row `row` from page `self.from` on, under both
    /// PTE locks, then the parent's TLBs flushed. A page to copy with no
    /// page allocated for it stops the walk there (-EAGAIN: the locks
    /// dropped, `folio_prealloc()`, the walk resumed at that address).
    fn copy_pte_range(&mut self, w: &mut World, parent: u8, row: u8) -> Poll {
        if let Err(c) = w.ptl_spin(parent) {
            return Poll::Block(c);
        }
        for i in self.from..MAX_INDEX as u8 {
            let s = pte_slot(row, i);
            let p = w.mms[parent as usize].ptes[s];
            if p.present() && needs_cow_for_dma(w, p) && self.prealloc.is_none() {
                self.from = i;
                self.pc = ForkPc::Prealloc(row);
                w.flush_tlb_mm(parent);
                return Poll::Ran(StepId::CopyPteRange);
            }
            self.copy_present_pte(w, parent, s);
            if row == ANON {
                self.copy_anon_promise(w, parent, i);
            }
        }
        self.from = 0;
        w.flush_tlb_mm(parent);
        self.pc = self.next_row(w, parent, row + 1);
        Poll::Ran(StepId::CopyPteRange)
    }

    /// What the child's anonymous page `i` promises: what the parent's does
    /// as its PTE is copied (a store by another thread of the parent until
    /// then is in the copy; one after it write-faults, or, to a pinned page
    /// the parent keeps writable, is not the child's), nothing if a direct
    /// I/O on it is in flight.
    fn copy_anon_promise(&self, w: &mut World, parent: u8, i: u8) {
        let src = &w.mms[parent as usize];
        let (mut a, busy) = (src.anon[i as usize], src.dio_busy[i as usize]);
        a.any |= busy != 0;
        w.mms[self.child as usize].anon[i as usize] = a;
    }

    /// `copy_present_pte()` of the parent's PTE in `slot`.
    fn copy_present_pte(&mut self, w: &mut World, parent: u8, slot: usize) {
        let p = w.mms[parent as usize].ptes[slot];
        if !p.present() {
            return;
        }
        let r = p.folio();
        if !w.check_ref(r) {
            return;
        }
        if needs_cow_for_dma(w, p) {
            return self.copy_present_page(w, r, slot);
        }
        let fr = w.frame_mut(r);
        fr.refcount += 1;
        fr.mapcount += 1;
        fr.flags &= !pg::ANON_EXCLUSIVE;
        // is_cow_mapping(): both PTEs write-protected; the child's old.
        w.mms[parent as usize].ptes[slot].flags &= !pte::WRITE;
        w.mms[self.child as usize].ptes[slot] = Pte {
            flags: p.flags & !(pte::WRITE | pte::YOUNG),
            ..p
        };
    }

    /// `copy_present_page()`: the child's own copy of the pinned folio `r`,
    /// mapped writable and dirty; the parent's PTE unchanged.
    fn copy_present_page(&mut self, w: &mut World, r: FolioRef, slot: usize) {
        let n = std::mem::replace(&mut self.prealloc, FolioRef::NONE);
        let src = *w.frame(r);
        let c = self.child;
        let fr = w.frame_mut(n);
        fr.data = src.data;
        fr.anon = c + 1;
        fr.index = src.index;
        fr.mapcount = 1;
        fr.flags |= pg::SWAPBACKED | pg::LRU | pg::ANON_EXCLUSIVE;
        w.mms[c as usize].ptes[slot] = Pte {
            frame: n.frame,
            flags: pte::PRESENT | pte::WRITE | pte::DIRTY,
            inc: n.inc,
        };
        w.note(Event::Note("pinned: copied for the child"));
    }
}

impl Default for Fork {
    fn default() -> Self {
        Fork::new()
    }
}

/// Whether `fork()` copies the anonymous folio PTE `p` maps at once:
/// with [`Toggle::ForkEarlyCow`] if it may be DMA-pinned
/// (`folio_maybe_dma_pinned()`: the pin bias in its refcount; the mm's
/// `MMF_HAS_PINNED` is then set too), and with [`Toggle::GupUnshare`]'s
/// 6c287605fd56 only if it is also exclusive (`folio_try_dup_anon_rmap_pte()`
/// fails).
fn needs_cow_for_dma(w: &World, p: Pte) -> bool {
    let fr = &w.frames[p.frame as usize % w.frames.len()];
    w.has(Toggle::ForkEarlyCow)
        && fr.anon != 0
        && fr.refcount >= GUP_PIN_COUNTING_BIAS
        && (!w.has(Toggle::GupUnshare) || fr.flags & pg::ANON_EXCLUSIVE != 0)
}

crate::impl_step!(Fork);
