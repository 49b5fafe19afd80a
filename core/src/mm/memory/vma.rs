//! mm/mmap.c, mm/vma.c, mm/madvise.c: a task's shared file mappings come
//! and go — `mmap(MAP_SHARED)` of a whole file (`mmap_region()` links the
//! VMA into the file's `i_mmap` and takes a reference on the file,
//! `get_file()`), `munmap()` (`unmap_vmas()` zaps its PTEs, `remove_vma()`
//! drops the file with `fput()`), `exit_mmap()` doing that for every
//! mapping, and `madvise(MADV_DONTNEED)` (`zap_page_range_single()`: the
//! PTEs go, the VMA stays).
//!
//! All of it runs under the task's own `mmap_lock`, which no other modelled
//! path takes: the VMA changes are one step each (the rmap walks, which
//! take `i_mmap_rwsem` in the kernel, see [`crate::world::pgtable`]).

use crate::exec::poll::{Cond, Poll};
use crate::step::StepId;
use crate::world::{lock::mmap_lock, World, ANON, MAX_FILES, MAX_INDEX, MAX_TASKS, NO_FRAME};

use super::zap::Zap;

/// `mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)` of
/// `file`; `MAP_PRIVATE` with `private` (a store breaks copy-on-write);
/// `PROT_READ` alone with `ro` (a store is SIGSEGV: only a `FOLL_FORCE`
/// write, through `/proc/PID/mem` or `ptrace()`, writes to a read-only
/// private mapping).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mmap {
    file: u8,
    private: bool,
    ro: bool,
}

impl Mmap {
    /// Map `file`, shared or private, writable or read-only.
    pub fn new(file: u8, private: bool, ro: bool) -> Mmap {
        Mmap { file, private, ro }
    }

    /// `vm_mmap_pgoff()`: `mmap_write_lock_killable()` (waiting for a
    /// remote reader of the address space) and `mmap_region()` in one step
    /// (nothing else in the step needs the lock), then the unlock. A
    /// second `mmap` of a mapped file is refused here (the model has one
    /// VMA per file per task).
    pub fn step(&mut self, w: &mut World) -> Poll {
        let (t, f) = (
            w.mm_id(w.me) as usize % MAX_TASKS,
            self.file as usize % MAX_FILES,
        );
        if !w.lock_free(mmap_lock(t as u8)) {
            return Poll::Block(Cond::Lock(mmap_lock(t as u8)));
        }
        if w.mms[t].maps(self.file) {
            w.note(crate::trace::Event::Note(
                "already mapped: one VMA per file",
            ));
        } else {
            w.mms[t].vmas |= 1 << f;
            w.mms[t].private &= !(1 << f);
            w.mms[t].private |= (self.private as u8) << f;
            w.mms[t].ro &= !(1 << f);
            w.mms[t].ro |= (self.ro as u8) << f;
            w.mappings[f].i_count += 1;
        }
        Poll::Done(StepId::MmapRegion)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum UnmapPc {
    Start,
    Zap,
    Remove,
}

/// Tear down mappings of the task: `munmap()` of the files in `files` (a
/// bit per file; `exit_mmap()` is every mapped file), or, with `page`, only
/// that page's PTE (`madvise(MADV_DONTNEED)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Munmap {
    files: u8,
    page: Option<u8>,
    pc: UnmapPc,
    zap: Zap,
    /// `munmap()`'s `mmap_write_lock_killable()` is held.
    locked: bool,
}

impl Munmap {
    /// `munmap()` of `file`'s mapping.
    pub fn new(file: u8) -> Munmap {
        Munmap {
            files: 1 << (file as usize % MAX_FILES),
            page: None,
            pc: UnmapPc::Start,
            zap: Zap::NONE,
            locked: false,
        }
    }

    /// `exit_mmap()`: every mapping of the task, its anonymous memory too.
    pub fn exit() -> Munmap {
        Munmap {
            files: (1 << (ANON + 1)) - 1,
            ..Munmap::new(0)
        }
    }

    /// `madvise(MADV_DONTNEED)` of page `index` of `file`.
    pub fn dontneed(file: u8, index: u8) -> Munmap {
        Munmap {
            page: Some(index),
            ..Munmap::new(file)
        }
    }

    /// Take one step. `munmap()` and `exit_mmap()` hold `mmap_lock` for
    /// writing throughout, taken in their first step (it waits for a
    /// remote reader: `access_remote_vm()`); the kernel downgrades it
    /// after detaching the VMAs, which then no remote access finds, so
    /// holding it is the same to every modelled reader. `madvise()` reads
    /// it, which only another writer would notice.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let mm = w.mm_id(w.me);
        let l = mmap_lock(mm);
        if self.page.is_none() && !self.locked {
            if !w.lock_free(l) {
                return Poll::Block(Cond::Lock(l));
            }
            w.lock(l).ok();
            self.locked = true;
        } else if self.page.is_some() && !self.locked && w.mm_threaded(mm) {
            // madvise() reads it: with threads, their mmap()/munmap() wait.
            if let Err(c) = w.lock_shared(l) {
                return Poll::Block(c);
            }
            self.locked = true;
        }
        let p = self.unmap_step(w);
        if matches!(p, Poll::Done(_)) && self.locked {
            if self.page.is_some() {
                w.unlock_shared(l);
            } else {
                w.unlock_if_mine(l);
            }
            self.locked = false;
        }
        p
    }

    /// One step of the zap of the lowest file left, or its `remove_vma()`.
    fn unmap_step(&mut self, w: &mut World) -> Poll {
        let t = w.mm_id(w.me) as usize % MAX_TASKS;
        let files = self.files & w.mms[t].vmas;
        if files == 0 {
            // Nothing (left) mapped among them: the syscall does nothing.
            return Poll::Done(StepId::RemoveVma);
        }
        let f = files.trailing_zeros() as u8;
        match self.pc {
            UnmapPc::Start => {
                let (from, to) = self.page.map_or((0, MAX_INDEX as u8), |i| (i, i + 1));
                w.mms[t].forget_copies(f, from, to);
                self.zap = Zap::new(w, 1 << t, f, from, to, NO_FRAME);
                self.pc = match (self.zap.is_empty(), self.page) {
                    (false, _) => UnmapPc::Zap,
                    (true, Some(_)) => return Poll::Done(StepId::ZapPteRange),
                    (true, None) => UnmapPc::Remove,
                };
                self.step(w)
            }
            UnmapPc::Zap => match self.zap.step(w) {
                Poll::Done(id) if self.page.is_some() => Poll::Done(id),
                Poll::Done(id) => {
                    self.pc = UnmapPc::Remove;
                    Poll::Ran(id)
                }
                p => p,
            },
            UnmapPc::Remove => self.remove_vma(w, f),
        }
    }

    /// `remove_vma()`: `fput()` of the file (the anonymous VMA has none);
    /// then the next file, if any.
    fn remove_vma(&mut self, w: &mut World, f: u8) -> Poll {
        let t = w.mm_id(w.me) as usize % MAX_TASKS;
        w.mms[t].vmas &= !(1 << f);
        if f == ANON {
            // exit_files() after exit_mm(): the driver's release unpins.
            crate::mm::pin::release_pin(w, t as u8);
        } else {
            let m = &mut w.mappings[f as usize % MAX_FILES];
            m.i_count = m.i_count.saturating_sub(1);
        }
        self.files &= !(1 << f);
        self.pc = UnmapPc::Start;
        if self.files & w.mms[t].vmas == 0 {
            Poll::Done(StepId::RemoveVma)
        } else {
            Poll::Ran(StepId::RemoveVma)
        }
    }
}

crate::impl_step!(Mmap, Munmap);
