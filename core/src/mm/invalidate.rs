//! mm/truncate.c `invalidate_inode_pages2_range()` for one page, as a
//! direct write calls it before (`kiocb_invalidate_pages()`) and after
//! (`kiocb_invalidate_post_direct_write()`) the write (mainline).
//!
//! `find_get_entries()`; a mapped folio's range unmapped before the lock
//! (`unmap_mapping_pages()`); `folio_lock()`; truncated meanwhile: skip;
//! `folio_wait_writeback()`; then `folio_unmap_invalidate()`
//! (`invalidate_complete_folio2()` before 4a9e23159fd3): unmapped again if
//! mapped, no `->launder_folio` on the filesystems modelled, the
//! filesystem's `->release_folio` (refused for a dirty folio), and under
//! `xa_lock` a dirty folio is refused (`-EBUSY`), else the folio leaves the
//! page cache (`__filemap_remove_folio()`, `filemap_free_folio()`): the
//! folio's other references are ignored. Then `folio_unlock()` and the
//! batch's `folio_put()`.

use crate::exec::poll::Poll;
use crate::mm::filemap::{folio_unlock, page_cache_delete, GetEntry, LockFolio};
use crate::mm::memory::Zap;
use crate::mm::page_writeback::WaitWriteback;
use crate::mm::rmap::folio_mapped;
use crate::mm::swap::folio_put;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pg, FolioRef, World, MAX_INDEX};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum InvPc {
    Lookup,
    UnmapRange,
    Lock,
    Check,
    Wait,
    Unmap,
    Remove,
    Unlock,
    Put,
}

/// `invalidate_inode_pages2_range(mapping, index, index)`: `err` is 0, or
/// -16 (`-EBUSY`) when the folio could not be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidatePages2 {
    file: u8,
    index: u8,
    pc: InvPc,
    get: Option<GetEntry>,
    lock: Option<LockFolio>,
    wait: Option<WaitWriteback>,
    zap: Zap,
    folio: FolioRef,
    /// 0, or -16 (`-EBUSY`).
    pub err: i8,
}

impl InvalidatePages2 {
    /// Invalidate page `index` of `file`.
    pub fn new(file: u8, index: u8) -> InvalidatePages2 {
        InvalidatePages2 {
            file,
            index: index % MAX_INDEX as u8,
            pc: InvPc::Lookup,
            get: None,
            lock: None,
            wait: None,
            zap: Zap::NONE,
            folio: FolioRef::NONE,
            err: 0,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            InvPc::Lookup => {
                let make = GetEntry::new(self.file, self.index, StepId::FindGetEntries);
                let (id, g) = crate::nested!(self.get, w, make);
                let Some(r) = g.folio else {
                    return Poll::Done(id);
                };
                self.folio = r;
                self.pc = if folio_mapped(w, r) {
                    self.zap = Zap::page_cache(w, self.file, self.index, MAX_INDEX as u8);
                    InvPc::UnmapRange
                } else {
                    InvPc::Lock
                };
                Poll::Ran(id)
            }
            InvPc::UnmapRange | InvPc::Unmap => self.zap(w),
            InvPc::Lock => {
                let (id, _) = crate::nested!(self.lock, w, LockFolio::new(self.folio, false));
                self.pc = InvPc::Check;
                Poll::Ran(id)
            }
            InvPc::Check => {
                self.pc = if w.frame(self.folio).mapping != self.file {
                    InvPc::Unlock
                } else {
                    InvPc::Wait
                };
                self.step(w)
            }
            InvPc::Wait => {
                let (id, _) = crate::nested!(self.wait, w, WaitWriteback::new(self.folio, false));
                self.pc = if folio_mapped(w, self.folio) {
                    self.zap = Zap::folio(w, self.folio, self.file, self.index);
                    InvPc::Unmap
                } else {
                    InvPc::Remove
                };
                Poll::Ran(id)
            }
            InvPc::Remove => self.remove(w),
            InvPc::Unlock => {
                folio_unlock(w, self.folio);
                self.pc = InvPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            InvPc::Put => {
                folio_put(w, self.folio);
                Poll::Done(StepId::FolioBatchRelease)
            }
        }
    }

    /// A zap of the PTEs (the range before the lock, the folio under it).
    fn zap(&mut self, w: &mut World) -> Poll {
        if self.zap.is_empty() {
            self.pc = self.after_zap();
            return self.step(w);
        }
        let id = crate::done!(self.zap.step(w));
        self.pc = self.after_zap();
        Poll::Ran(id)
    }

    fn after_zap(&self) -> InvPc {
        if self.pc == InvPc::UnmapRange {
            InvPc::Lock
        } else {
            InvPc::Remove
        }
    }

    /// `folio_unmap_invalidate()` past the unmap: `->release_folio`, then
    /// under `xa_lock` the dirty test and the removal.
    fn remove(&mut self, w: &mut World) -> Poll {
        let r = self.folio;
        // filemap_release_folio(): only a folio with private data needs it.
        let released = w.frame(r).flags & pg::PRIVATE == 0
            || match (w.a_ops(self.file).release_folio)(w, r) {
                Ok(ok) => ok,
                Err(c) => return Poll::Block(c),
            };
        if let Err(c) = w.xa_spin(self.file) {
            return Poll::Block(c);
        }
        if !released || w.frame(r).flags & pg::DIRTY != 0 {
            w.note(Event::Note("dirty or busy: -EBUSY"));
            self.err = -16;
        } else {
            page_cache_delete(w, r);
            folio_put(w, r);
        }
        self.pc = InvPc::Unlock;
        Poll::Ran(StepId::FolioUnmapInvalidate)
    }
}

crate::impl_step!(InvalidatePages2);
