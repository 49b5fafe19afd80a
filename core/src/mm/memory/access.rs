//! A user's load or store of one page through its shared mapping, and the
//! read fault that maps the page (mm/memory.c).
//!
//! The access is the CPU's: a walk of the task's page table and the access
//! through the PTE, one step (a lockless read of the PTE; the CPU sets the
//! accessed bit, and on a store the dirty bit, atomically). A load through a
//! present PTE is checked against what was promised to it (`stale-read`).
//! Without a present PTE a load takes a read fault ([`ReadFault`],
//! `do_read_fault()`); a store takes `do_shared_fault()`, or on a read-only
//! PTE `do_wp_page()` ([`PageMkwrite`]). After a fault the instruction
//! runs again, so a store that a writeback write-protected meanwhile
//! faults again.
//!
//! Fault-around is modelled for the faulting page only (its neighbours
//! would each be the same steps). Not modelled: XFS's `XFS_MMAPLOCK_SHARED`
//! around `filemap_map_pages()` (cd647d5651c0, v5.9, removed again as
//! unneeded: "XFS doesn't actually need to be holding the
//! XFS_MMAPLOCK_SHARED to do this, any more than it needs the
//! XFS_MMAPLOCK_SHARED for a read() that hits in the page cache"), the
//! VMA lock, and retrying a fault after dropping `mmap_lock`
//! (`VM_FAULT_RETRY`).

use crate::exec::poll::Poll;
use crate::fs::FaultLock;
use crate::mm::filemap::{check_read_data, folio_trylock, folio_unlock, FilemapRead, LockFolio};
use crate::mm::page_alloc::folio_alloc;
use crate::mm::rmap::set_pte;
use crate::mm::swap::{folio_put, folio_try_get};
use crate::oracle::{OracleId, Payload};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{
    cow_index, lock, pg, pte, pte_slot, token, FolioRef, LockId, World, ANON, MAX_BLOCKS,
    MAX_TASKS, NO_FRAME,
};

use super::cow::WpCopy;
use super::write_fault::{store_page, wanted, PageMkwrite};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum AccPc {
    Access,
    ReadFault,
    WriteFault,
    /// A store's `do_wp_page()` in a private mapping.
    CowFault,
}

/// A load (`store` false) or store of page `index` of `file` by the
/// running task, through its mapping of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserAccess {
    file: u8,
    index: u8,
    store: bool,
    pc: AccPc,
    read: Option<ReadFault>,
    write: Option<PageMkwrite>,
    cow: Option<WpCopy>,
    /// The fault holds `mmap_lock` for reading (an mm with threads, whose
    /// `mmap()`/`munmap()` may run beside it).
    mmap_locked: bool,
}

impl UserAccess {
    /// A load or store of page `index` of `file`.
    pub fn new(file: u8, index: u8, store: bool) -> UserAccess {
        UserAccess {
            file,
            index,
            store,
            pc: AccPc::Access,
            read: None,
            write: None,
            cow: None,
            mmap_locked: false,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            AccPc::Access => self.access(w),
            AccPc::ReadFault => {
                let t = w.mm_id(w.me);
                let (id, rf) =
                    crate::nested!(self.read, w, ReadFault::new(t, self.file, self.index));
                self.after_fault(w, rf.sigbus || rf.oom, id)
            }
            AccPc::CowFault => {
                let t = w.mm_id(w.me);
                let (id, wp) = crate::nested!(self.cow, w, WpCopy::new(t, self.file, self.index));
                self.after_fault(w, wp.oom, id)
            }
            AccPc::WriteFault => {
                let Some(m) = self.write.as_mut() else {
                    self.pc = AccPc::Access;
                    return self.step(w);
                };
                let id = crate::done!(m.step(w));
                let sigbus = m.err != 0;
                self.write = None;
                self.after_fault(w, sigbus, id)
            }
        }
    }

    /// The fault returned: the instruction runs again, or SIGBUS ends it.
    fn after_fault(&mut self, w: &mut World, sigbus: bool, id: StepId) -> Poll {
        if self.mmap_locked {
            w.unlock_shared(lock::mmap_lock(w.mm_id(w.me)));
            self.mmap_locked = false;
        }
        if sigbus {
            w.note(Event::Note("SIGBUS"));
            return Poll::Done(id);
        }
        self.pc = AccPc::Access;
        Poll::Ran(id)
    }

    /// The CPU's access through the PTE, or the fault it takes.
    fn access(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me) as usize % MAX_TASKS;
        let slot = pte_slot(self.file, self.index);
        let cached = w.tlb_hit(w.me, slot, self.store);
        let p = cached.unwrap_or(w.mms[t].ptes[slot]);
        if !p.present() || (self.store && p.flags & pte::WRITE == 0) {
            return self.fault(w, t as u8);
        }
        if self.mmap_locked {
            // A spurious fault: the PTE is there now.
            w.unlock_shared(lock::mmap_lock(t as u8));
            self.mmap_locked = false;
        }
        let r = p.folio();
        w.check_ref(r);
        let upp = w.cfg.upp(self.file);
        let stale = w.tlb_stale(w.me, slot, cached);
        w.walk_or_tlb(slot, cached, self.store);
        if self.store {
            if w.frame(r).anon != 0 {
                private_store(w, t as u8, self.file, self.index, r);
                if stale {
                    w.mms[t].cow[slot] = 0;
                }
            } else {
                store_page(w, r, self.file, self.index);
            }
            return Poll::Done(StepId::UserStore);
        }
        if stale && w.frame(r).anon != 0 {
            return Poll::Done(StepId::UserLoad);
        }
        if w.frame(r).anon != 0 || w.mms[t].cow[slot] != 0 {
            check_private_copy(w, t as u8, self.file, self.index, r);
            return Poll::Done(StepId::UserLoad);
        }
        let mut promised = [0u16; MAX_BLOCKS];
        let base = self.index as usize * upp;
        for (j, v) in promised.iter_mut().enumerate().take(upp) {
            *v = w.shadow.latest[self.file as usize][base + j];
        }
        check_read_data(
            w,
            r,
            self.file,
            self.index as usize,
            &promised[..upp],
            false,
        );
        Poll::Done(StepId::UserLoad)
    }

    /// No PTE, or a store to a read-only one: the page fault, whose first
    /// step is taken now.
    fn fault(&mut self, w: &mut World, t: u8) -> Poll {
        // The fault ends under the PTE lock (finish_fault()); a zap of
        // the mm holding it across its TLB flush is waited for first
        // (earlier than the kernel waits: the fault's lookup is not
        // raced against that window).
        if w.mm_threaded(t) && !self.mmap_locked {
            // lock_mm_and_find_vma(): another thread's mmap() or munmap()
            // holds it for writing, or has removed the VMA (SIGSEGV).
            if let Err(c) = w.lock_shared(lock::mmap_lock(t)) {
                return Poll::Block(c);
            }
            self.mmap_locked = true;
            if !w.mms[t as usize % MAX_TASKS].maps(self.file) {
                w.note(Event::Note("no VMA: SIGSEGV"));
                w.unlock_shared(lock::mmap_lock(t));
                self.mmap_locked = false;
                return Poll::Done(StepId::MmapReadLock);
            }
            // The fault runs from the next step (the access retried
            // first: another thread may have mapped the page meanwhile).
            return Poll::Ran(StepId::MmapReadLock);
        }
        if let Err(c) = w.ptl_spin(t) {
            return Poll::Block(c);
        }
        if self.store && w.mms[t as usize % MAX_TASKS].maps_private(self.file) {
            // do_cow_fault() without a PTE, do_wp_page() on a read-only one.
            let present =
                w.mms[t as usize % MAX_TASKS].ptes[pte_slot(self.file, self.index)].present();
            self.pc = if present {
                AccPc::CowFault
            } else {
                self.read = Some(ReadFault::cow(t, self.file, self.index));
                AccPc::ReadFault
            };
        } else if self.store {
            self.write = Some(PageMkwrite::pte(w, t, self.file, self.index));
            self.pc = AccPc::WriteFault;
        } else {
            self.pc = AccPc::ReadFault;
        }
        self.step(w)
    }
}

/// Map private copy `c` of page `index` of `file` in task `t`'s PTE
/// (under the PTE lock): `folio_add_new_anon_rmap()` (anonymous,
/// exclusive, PG_swapbacked), `folio_add_lru_vma()`, `set_pte_at()` dirty
/// and young, writable if the mapping has `VM_WRITE` (`maybe_mkwrite()`).
/// The PTE owns the copy's reference.
pub fn map_private_copy(w: &mut World, t: u8, file: u8, index: u8, c: FolioRef) {
    let write = if w.mms[t as usize % MAX_TASKS].vm_write(file) {
        pte::WRITE
    } else {
        0
    };
    let fr = w.frame_mut(c);
    fr.anon = t % MAX_TASKS as u8 + 1;
    // A copy of an anonymous page (after fork()) keeps its page's index.
    fr.index = if file == ANON {
        index
    } else {
        cow_index(file, index)
    };
    fr.mapcount = 1;
    fr.flags |= pg::SWAPBACKED | pg::LRU | pg::ANON_EXCLUSIVE;
    w.mms[t as usize % MAX_TASKS].ptes[pte_slot(file, index)] = crate::world::Pte {
        frame: c.frame,
        flags: pte::PRESENT | pte::DIRTY | pte::YOUNG | write,
        inc: c.inc,
    };
}

/// A store by task `t` to its private copy `r` of page `index` of `file`:
/// a new version of the copy's data, promised to the task's loads while
/// the page is inside `i_size` (past it, a truncation that set the size
/// is about to discard the copy).
fn private_store(w: &mut World, t: u8, file: u8, index: u8, r: FolioRef) {
    let inside = index < w.mappings[file as usize % w.mappings.len()].i_size;
    let v = write_private_copy(w, t, file, index, r);
    w.mms[t as usize % MAX_TASKS].cow[pte_slot(file, index)] = if inside { v } else { 0 };
}

/// Write a new version of task `t`'s private copy of page `index` of
/// `file` into folio `r` (a store, or a forced write into whatever page
/// GUP returned); returns the version.
pub fn write_private_copy(w: &mut World, t: u8, file: u8, index: u8, r: FolioRef) -> u16 {
    let mm = &mut w.mms[t as usize % MAX_TASKS];
    let v = mm.cow_next;
    mm.cow_next = mm.cow_next.wrapping_add(1).max(1);
    let upp = w.cfg.upp(file).min(MAX_BLOCKS);
    let data = private_copy_data(t, file, index, v);
    w.check_ref(r);
    w.frame_mut(r).data[..upp].copy_from_slice(&data[..upp]);
    v
}

/// `folio_prealloc()` of a private copy (`do_cow_fault()`,
/// `wp_page_copy()`): an uptodate folio, or `None` (`VM_FAULT_OOM`, said).
pub fn folio_prealloc(w: &mut World) -> Option<FolioRef> {
    let Some(r) = folio_alloc(w) else {
        w.note(Event::Note("VM_FAULT_OOM"));
        return None;
    };
    w.frame_mut(r).flags |= pg::UPTODATE;
    Some(r)
}

/// The data a `FOLL_FORCE` write of version `v` leaves in task `t`'s
/// private copy of page `index` of `file`, one token per data unit.
pub fn private_copy_data(t: u8, file: u8, index: u8, v: u16) -> [u32; MAX_BLOCKS] {
    [token::anon(t, cow_index(file, index), v); MAX_BLOCKS]
}

/// A load by task `t` of page `index` of its private mapping of `file`
/// through folio `r`: after a `FOLL_FORCE` write into a private copy
/// returned, the load finds its data there (`user-data-lost` otherwise,
/// also when the copy is gone and `r` is the page-cache folio) until the
/// task discards the copy. A copy no write has filled yet holds the
/// file's data as the copy found it, which is not checked.
fn check_private_copy(w: &mut World, t: u8, file: u8, index: u8, r: FolioRef) {
    let v = w.mms[t as usize % MAX_TASKS].cow[pte_slot(file, index)];
    if v == 0 {
        return;
    }
    let upp = w.cfg.upp(file).min(MAX_BLOCKS);
    let want = private_copy_data(t, file, index, v);
    let data = w.frame(r).data;
    if let Some(j) = (0..upp).find(|&j| data[j] != want[j]) {
        w.fire(
            OracleId::UserDataLost,
            r.frame,
            Payload::Data {
                found: data[j],
                promised: want[j],
            },
        );
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum RfPc {
    /// `do_fault_around()` → `filemap_map_pages()` first.
    Around(AroundPc),
    /// `do_cow_fault()`: `folio_prealloc()` of the private copy first.
    Alloc,
    /// `do_cow_fault()`: `copy_mc_user_highpage()` into the copy.
    Copy,
    FaultLock,
    Fault,
    Lock,
    Check,
    Map,
    Unlock,
    Put,
}

/// `filemap_map_pages()` → `next_uptodate_folio()` on the faulting page,
/// under `rcu_read_lock()` and without the `->fault` lock, step by step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum AroundPc {
    /// `xas_next_entry()`: the slot.
    Load,
    /// `folio_try_get()` (skip a frozen or freed one).
    TryGet(crate::world::FrameId),
    /// `folio_test_locked()`, `xas_reload()` and `folio_test_uptodate()`,
    /// in mainline's order after the try-get (any failing: put and skip).
    Reload(FolioRef),
    /// `folio_trylock()`, then under the lock `folio->mapping`,
    /// `folio_test_uptodate()` and `index >= max_idx`.
    Trylock(FolioRef),
    /// `filemap_map_order0_folio()` under the PTE lock.
    Map(FolioRef),
    /// `folio_unlock()`; `mapped`: the fault is done (VM_FAULT_NOPAGE).
    Unlock(FolioRef, bool),
    /// `folio_put()` of a folio skipped after its reference was taken.
    Put(FolioRef),
}

/// `do_read_fault()` of task `t`: fault-around first (`do_fault_around()`
/// → `filemap_map_pages()`, as mainline does by default: fault_around_bytes
/// is 64 KiB), which maps the page if it is cached, uptodate, unlocked and
/// inside `i_size`, with no filesystem lock; else `__do_fault()` → the filesystem's
/// `->fault` (its lock, shared: ext4's `i_mmap_sem` and XFS's
/// `XFS_MMAPLOCK_SHARED` before 730633f0b7f9, gfs2's glock) around
/// `filemap_fault()` (find or read the folio, lock it, recheck
/// `folio->mapping` and retry if it was truncated, SIGBUS beyond `i_size`,
/// return it locked), then `finish_fault()` maps it read-only and the
/// folio is unlocked; the PTE keeps the fault's reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadFault {
    t: u8,
    file: u8,
    index: u8,
    pc: RfPc,
    fault: FilemapRead,
    lock: Option<LockFolio>,
    /// The `->fault` lock held shared.
    held: Option<LockId>,
    /// The PTE took the reference.
    mapped: bool,
    /// Truncated under us: look up again after the put.
    retry: bool,
    /// `do_cow_fault()`: the private copy is mapped instead of the folio.
    cow_fault: bool,
    /// The private copy while the fault owns it.
    cow: FolioRef,
    /// The fault failed (beyond EOF, or a fatal signal).
    pub sigbus: bool,
    /// The private copy could not be allocated (`VM_FAULT_OOM`).
    pub oom: bool,
}

impl ReadFault {
    /// A read fault of task `t` on page `index` of `file`.
    pub fn new(t: u8, file: u8, index: u8) -> ReadFault {
        ReadFault {
            t,
            file,
            index,
            pc: RfPc::Around(AroundPc::Load),
            fault: FilemapRead::fault(file, index),
            lock: None,
            held: None,
            mapped: false,
            retry: false,
            cow_fault: false,
            cow: FolioRef::NONE,
            sigbus: false,
            oom: false,
        }
    }

    /// `do_cow_fault()` of task `t` (a write fault, no PTE, in a private
    /// mapping): a new anonymous folio, `__do_fault()` as a read fault
    /// does it (no fault-around), the data copied into the new folio under
    /// the page-cache folio's lock, and `finish_fault()` maps the copy:
    /// anonymous and exclusive (`folio_add_new_anon_rmap()`), dirty, not
    /// writable in a mapping without `VM_WRITE` (`maybe_mkwrite()`); then
    /// the page-cache folio is unlocked and put. mm/memory.c (mainline;
    /// the same steps since v4.8's `do_cow_fault()`).
    pub fn cow(t: u8, file: u8, index: u8) -> ReadFault {
        ReadFault {
            pc: RfPc::Alloc,
            cow_fault: true,
            ..ReadFault::new(t, file, index)
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            RfPc::Around(a) => self.around(w, a),
            RfPc::Alloc => {
                let Some(r) = folio_prealloc(w) else {
                    self.oom = true;
                    return Poll::Done(StepId::FolioPrealloc);
                };
                self.cow = r;
                self.pc = RfPc::FaultLock;
                Poll::Ran(StepId::FolioPrealloc)
            }
            RfPc::Copy => {
                let data = w.frame(self.fault.folio).data;
                w.frame_mut(self.cow).data = data;
                self.pc = RfPc::Map;
                Poll::Ran(StepId::CopyUserHighpage)
            }
            RfPc::FaultLock => self.fault_lock(w),
            RfPc::Fault => {
                let id = crate::done!(self.fault.step(w));
                if self.fault.err != 0 {
                    self.sigbus = true;
                    self.fail(w);
                    return Poll::Done(id);
                }
                self.pc = RfPc::Lock;
                Poll::Ran(id)
            }
            RfPc::Lock => {
                let folio = self.fault.folio;
                let (id, lk) = crate::nested!(self.lock, w, LockFolio::new(folio, true));
                if lk.ret != 0 {
                    self.sigbus = true;
                    self.fail(w);
                    self.pc = RfPc::Put;
                } else {
                    self.pc = RfPc::Check;
                }
                Poll::Ran(id)
            }
            RfPc::Check => self.check(w),
            RfPc::Map => self.map(w),
            RfPc::Unlock => {
                folio_unlock(w, self.fault.folio);
                if self.mapped {
                    return Poll::Done(StepId::FolioUnlock);
                }
                self.pc = RfPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            RfPc::Put => {
                folio_put(w, self.fault.folio);
                if self.retry {
                    self.retry = false;
                    self.fault = FilemapRead::fault(self.file, self.index);
                    self.pc = RfPc::Fault;
                    return Poll::Ran(StepId::FolioPut);
                }
                Poll::Done(StepId::FolioPut)
            }
        }
    }

    /// One step of `filemap_map_pages()` on the faulting page; a skip goes
    /// on to `__do_fault()`.
    fn around(&mut self, w: &mut World, a: AroundPc) -> Poll {
        let (next, id) = match a {
            AroundPc::Load => {
                let f = w.slot_frame(self.file, self.index);
                let next = (f != NO_FRAME).then_some(AroundPc::TryGet(f));
                (next, StepId::FilemapMapPages)
            }
            AroundPc::TryGet(f) => (
                folio_try_get(w, f).map(AroundPc::Reload),
                StepId::FolioTryGet,
            ),
            AroundPc::Reload(r) => {
                let fr = w.frame(r);
                let ok = fr.flags & pg::LOCKED == 0
                    && w.slot_frame(self.file, self.index) == r.frame
                    && fr.flags & pg::UPTODATE != 0;
                (
                    Some(if ok {
                        AroundPc::Trylock(r)
                    } else {
                        AroundPc::Put(r)
                    }),
                    StepId::XasReload,
                )
            }
            AroundPc::Trylock(r) => (Some(self.around_trylock(w, r)), StepId::NextUptodateFolio),
            AroundPc::Map(r) => {
                let t = self.t as usize % MAX_TASKS;
                let none = !w.mms[t].ptes[pte_slot(self.file, self.index)].present();
                if none {
                    set_pte(w, self.t, self.file, self.index, r, false);
                }
                (
                    Some(AroundPc::Unlock(r, none)),
                    StepId::FilemapMapOrder0Folio,
                )
            }
            AroundPc::Unlock(r, mapped) => {
                folio_unlock(w, r);
                if mapped {
                    return Poll::Done(StepId::FolioUnlock);
                }
                (Some(AroundPc::Put(r)), StepId::FolioUnlock)
            }
            AroundPc::Put(r) => {
                folio_put(w, r);
                (None, StepId::FolioPut)
            }
        };
        self.pc = next.map_or(RfPc::FaultLock, RfPc::Around);
        Poll::Ran(id)
    }

    /// `folio_trylock()` and the tests under the lock: map it, or unlock
    /// (or, not locked, put) and skip.
    fn around_trylock(&mut self, w: &mut World, r: FolioRef) -> AroundPc {
        if !folio_trylock(w, r) {
            return AroundPc::Put(r);
        }
        let fr = w.frame(r);
        let ok = fr.mapping == self.file
            && fr.flags & pg::UPTODATE != 0
            && self.index < w.mappings[self.file as usize].i_size;
        if ok {
            AroundPc::Map(r)
        } else {
            AroundPc::Unlock(r, false)
        }
    }

    /// The filesystem's `->fault` lock, shared, if this kernel has one.
    fn fault_lock(&mut self, w: &mut World) -> Poll {
        let fl = w.a_ops(self.file).fault_lock;
        let (l, id) = match fl {
            _ if !wanted(w, self.file, fl) => (None, StepId::FilemapInvalidateLockShared),
            // gfs2_fault(): the glock, shared for a read fault.
            FaultLock::Exclusive(f, id) => (Some(f(self.file)), id),
            _ => (
                Some(lock::invalidate_lock(self.file)),
                StepId::FilemapInvalidateLockShared,
            ),
        };
        self.pc = RfPc::Fault;
        let Some(l) = l else {
            return self.step(w);
        };
        if let Err(c) = w.lock_shared(l) {
            self.pc = RfPc::FaultLock;
            return Poll::Block(c);
        }
        self.held = Some(l);
        Poll::Ran(id)
    }

    fn release(&mut self, w: &mut World) {
        if let Some(l) = self.held.take() {
            w.unlock_shared(l);
        }
    }

    /// The fault failed: its lock goes, and a private copy not mapped.
    fn fail(&mut self, w: &mut World) {
        self.release(w);
        if !self.cow.is_none() {
            folio_put(w, self.cow);
            self.cow = FolioRef::NONE;
        }
    }

    /// `filemap_fault()` with the folio locked: still in the mapping
    /// (`folio->mapping != mapping`: unlock, put, look up again), uptodate,
    /// inside `i_size` (`index >= max_idx`: SIGBUS). Then `->fault`
    /// returns and its lock goes.
    fn check(&mut self, w: &mut World) -> Poll {
        let r = self.fault.folio;
        w.check_ref(r);
        let fr = *w.frame(r);
        self.pc = RfPc::Unlock;
        if fr.mapping != self.file || fr.index != self.index || fr.flags & pg::UPTODATE == 0 {
            w.note(Event::Note("truncated meanwhile: retry"));
            self.retry = true;
        } else if w.mappings[self.file as usize].i_size <= self.index {
            w.note(Event::Note("beyond EOF: VM_FAULT_SIGBUS"));
            self.sigbus = true;
            self.fail(w);
        } else {
            self.release(w);
            self.pc = if self.cow_fault {
                RfPc::Copy
            } else {
                RfPc::Map
            };
        }
        Poll::Ran(StepId::FilemapFaultRecheck)
    }

    /// `finish_fault()` → `set_pte_range()` under the PTE lock: the PTE is
    /// still none (else another thread mapped it: VM_FAULT_NOPAGE), map the
    /// folio read-only.
    fn map(&mut self, w: &mut World) -> Poll {
        let r = self.fault.folio;
        w.check_ref(r);
        let t = self.t as usize % MAX_TASKS;
        let none = !w.mms[t].ptes[pte_slot(self.file, self.index)].present();
        if !none {
            w.note(Event::Note("PTE already set: VM_FAULT_NOPAGE"));
        }
        if self.cow_fault {
            let c = std::mem::replace(&mut self.cow, FolioRef::NONE);
            if none {
                map_private_copy(w, self.t, self.file, self.index, c);
            } else {
                folio_put(w, c);
            }
        } else if none {
            set_pte(w, self.t, self.file, self.index, r, false);
            self.mapped = true;
        }
        self.pc = RfPc::Unlock;
        Poll::Ran(StepId::FinishFault)
    }
}

crate::impl_step!(UserAccess, ReadFault);
