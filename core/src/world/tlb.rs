//! Threads sharing an address space, and their TLBs.
//!
//! A task declared `thread=LEADER` runs on the leader's `mm_struct`
//! (`clone(CLONE_VM)`): its faults, stores and mappings are the leader's
//! mm's, and that mm's index is the leader's task slot ([`World::mm_id`]).
//!
//! Each task runs on its own CPU, whose TLB caches the PTEs it used
//! (arch/x86: an entry keeps the pfn and the `_PAGE_RW` and `_PAGE_DIRTY`
//! bits it was filled with). A load through a cached entry, or a store
//! through a writable and dirty one, does not read the PTE: after the PTE
//! is cleared the CPU keeps using the page until a TLB flush
//! (`flush_tlb_mm_range()`) reaches it. A store through an entry without
//! the dirty bit walks the page table to set it (the Intel SDM, "Accessed
//! and Dirty Flags"), so it sees a cleared PTE and faults.
//!
//! Only the TLBs of an mm that has threads are modelled: a task alone in
//! its mm is in its own system call whenever its PTEs change, and every
//! path flushes before it returns to user space, so its TLB never holds an
//! entry its page table does not.

use super::pgtable::{pte, Pte, NPTE};
use super::{CtxId, World, MAX_TASKS};

/// One CPU's TLB entries for the PTE slots of its task's mm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tlb {
    /// A cached PTE per slot; [`Pte::NONE`] if none is cached.
    pub entries: [Pte; NPTE],
}

impl Tlb {
    /// Empty.
    pub const EMPTY: Tlb = Tlb {
        entries: [Pte::NONE; NPTE],
    };
}

impl World {
    /// The mm of context `c`: its own task slot, or its leader's for a
    /// thread. Contexts that are not user tasks have none of their own.
    #[inline]
    pub fn mm_id(&self, c: CtxId) -> u8 {
        match self.mm_of.get(c as usize) {
            Some(&m) => m,
            None => c,
        }
    }

    /// Whether mm `mm` is shared by several tasks (its TLBs are modelled).
    #[inline]
    pub fn mm_threaded(&self, mm: u8) -> bool {
        self.threaded & (1 << (mm % 8)) != 0
    }

    /// Declare the tasks' address spaces: `mm_of[t]` is task `t`'s mm.
    pub fn set_threads(&mut self, mm_of: [u8; MAX_TASKS]) {
        self.mm_of = mm_of;
        self.threaded = 0;
        for (t, &m) in mm_of.iter().enumerate() {
            if m as usize != t {
                self.threaded |= 1 << (m % 8);
            }
        }
    }

    /// The entry task `t`'s TLB holds for `slot`, if it allows the access
    /// (a store needs it writable and dirty).
    #[inline]
    pub fn tlb_hit(&self, t: u8, slot: usize, store: bool) -> Option<Pte> {
        let e = self.tlb.get(t as usize)?.entries[slot % NPTE];
        let need = pte::PRESENT | if store { pte::WRITE | pte::DIRTY } else { 0 };
        (e.flags & need == need).then_some(e)
    }

    /// Task `t`'s CPU caches PTE `p` of `slot` (after a walk found it),
    /// if its mm has threads.
    #[inline]
    pub fn tlb_fill(&mut self, t: u8, slot: usize, p: Pte) {
        let mm = self.mm_id(t);
        if self.mm_threaded(mm) {
            if let Some(tlb) = self.tlb.get_mut(t as usize) {
                tlb.entries[slot % NPTE] = p;
            }
        }
    }

    /// Whether `cached`, an entry task `t` used, is stale: its mm's PTE no
    /// longer maps that page (a zap cleared it and has not flushed yet).
    /// An access through it reaches a page the mm is discarding: a store
    /// to anonymous memory there may be lost, and a load may find the data
    /// from before a concurrent `MADV_DONTNEED`, as the syscall's contract
    /// with a racing thread allows.
    #[inline]
    pub fn tlb_stale(&self, t: u8, slot: usize, cached: Option<Pte>) -> bool {
        let Some(c) = cached else {
            return false;
        };
        let mm = self.mm_id(t) as usize % MAX_TASKS;
        let p = self.mms[mm].ptes[slot % NPTE];
        !(p.present() && p.frame == c.frame && p.inc == c.inc)
    }

    /// The current task's access to `slot` of its mm, through `cached` (a
    /// TLB hit: no PTE is read or written), or the page walk: the PTE's
    /// accessed and, for a store, dirty bits set by the CPU, which then
    /// caches the PTE.
    pub fn walk_or_tlb(&mut self, slot: usize, cached: Option<Pte>, store: bool) {
        if cached.is_some() {
            self.note(crate::trace::Event::Note("through a TLB entry"));
            return;
        }
        let mm = self.mm_id(self.me) as usize % MAX_TASKS;
        let bits = if store {
            pte::DIRTY | pte::YOUNG
        } else {
            pte::YOUNG
        };
        self.mms[mm].ptes[slot % NPTE].flags |= bits;
        let filled = self.mms[mm].ptes[slot % NPTE];
        self.tlb_fill(self.me, slot, filled);
    }

    /// `flush_tlb_page()`: drop every CPU's entry for `slot` of mm `mm`.
    pub fn flush_tlb_page(&mut self, mm: u8, slot: usize) {
        if !self.mm_threaded(mm) {
            return;
        }
        for t in 0..MAX_TASKS {
            if self.mm_of[t] == mm {
                self.tlb[t].entries[slot % NPTE] = Pte::NONE;
            }
        }
    }

    /// `flush_tlb_mm()`: drop every CPU's entries for mm `mm`.
    pub fn flush_tlb_mm(&mut self, mm: u8) {
        if !self.mm_threaded(mm) {
            return;
        }
        for t in 0..MAX_TASKS {
            if self.mm_of[t] == mm {
                self.tlb[t] = Tlb::EMPTY;
            }
        }
    }

    /// A direct I/O on anonymous page `page` of mm `mm` begins (its
    /// buffer), in an mm with threads: the others' uses of the page wait.
    pub fn dio_begin(&mut self, mm: u8, page: u8) {
        if self.mm_threaded(mm) {
            let m = &mut self.mms[mm as usize % MAX_TASKS];
            let p = page as usize % m.dio_busy.len();
            m.dio_busy[p] = m.dio_busy[p].saturating_add(1);
        }
    }

    /// The direct I/O on the page has returned.
    pub fn dio_end(&mut self, mm: u8, page: u8) {
        if self.mm_threaded(mm) {
            let m = &mut self.mms[mm as usize % MAX_TASKS];
            let p = page as usize % m.dio_busy.len();
            m.dio_busy[p] = m.dio_busy[p].saturating_sub(1);
        }
    }

    /// Whether another context holds mm `mm`'s PTE lock across steps
    /// (a zap between clearing PTEs and flushing the TLBs).
    #[inline]
    pub fn ptl_spin(&self, mm: u8) -> Result<(), crate::exec::poll::Cond> {
        let l = super::lock::pte_lock(mm);
        let o = self.locks[l as usize].owner;
        if o == super::NO_OWNER || o == self.me {
            Ok(())
        } else {
            Err(crate::exec::poll::Cond::Lock(l))
        }
    }
}
