//! `vm_ops->page_mkwrite`'s filesystem part, on the locked folio of a write
//! fault (mm/memory.c `do_page_mkwrite()`): ext4's `ext4_page_mkwrite()` →
//! `block_page_mkwrite()` → `ext4_da_get_block_prep()` per block (no
//! `i_rwsem`, which is why it races `ext4_fallocate()`: Case 4C); XFS's
//! `xfs_write_fault()` → `iomap_page_mkwrite()` (delalloc for holes through
//! `xfs_buffered_write_iomap_begin()`); gfs2's `gfs2_page_mkwrite()`
//! (`gfs2_allocate_page_backing()`, buffers); the simple filesystem's
//! `block_page_mkwrite()`, which has nothing to allocate.

use crate::errno::{ENOMEM, ENOSPC};
use crate::exec::poll::Poll;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{FolioRef, World};

use super::ext4::{Ext4MapBlocks, Found, MapMode};

/// Which filesystem's `->page_mkwrite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MkwriteHow {
    /// Nothing to do.
    Generic,
    /// `ext4_da_get_block_prep()` on every block of the page.
    Ext4,
    /// `xfs_buffered_write_iomap_begin()` over the page's blocks.
    Xfs,
    /// `gfs2_allocate_page_backing()` and the page's buffers.
    Gfs2,
}

/// The machine (see the module docs). [`FsMkwrite::is_done`] says when it
/// has nothing left; its steps never end the fault by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FsMkwrite {
    file: u8,
    index: u8,
    how: MkwriteHow,
    blk: u8,
    map: Option<Ext4MapBlocks>,
    done: bool,
    /// 0 or a negative errno (VM_FAULT_SIGBUS / VM_FAULT_OOM).
    pub err: i8,
}

impl FsMkwrite {
    /// `->page_mkwrite` of page `index` of `file`.
    pub fn new(file: u8, index: u8, how: MkwriteHow) -> FsMkwrite {
        FsMkwrite {
            file,
            index,
            how,
            blk: 0,
            map: None,
            done: how == MkwriteHow::Generic,
            err: 0,
        }
    }

    /// Whether it has finished (then the fault goes on in the same step).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Take one step on the locked folio `r`.
    pub fn step(&mut self, w: &mut World, r: FolioRef) -> Poll {
        match self.how {
            MkwriteHow::Generic => Poll::Ran(StepId::BlockPageMkwrite),
            MkwriteHow::Ext4 => self.ext4(w, r),
            MkwriteHow::Xfs => self.xfs(w),
            MkwriteHow::Gfs2 => self.gfs2(w, r),
        }
    }

    fn ext4(&mut self, w: &mut World, r: FolioRef) -> Poll {
        let bpp = w.cfg.bpp(self.file);
        let lblk = self.index * bpp as u8 + self.blk;
        let make = Ext4MapBlocks::new(self.file, lblk, MapMode::Da);
        let (id, m) = crate::nested!(self.map, w, make);
        if m.found == Found::Delayed {
            w.frame_mut(r).blk_delay |= 1 << self.blk;
        }
        self.blk += 1;
        self.done = self.blk as usize >= bpp;
        Poll::Ran(id)
    }

    fn xfs(&mut self, w: &mut World) -> Poll {
        // iomap_page_mkwrite() → iomap_iter(IOMAP_WRITE | IOMAP_FAULT).
        let bpp = w.cfg.bpp(self.file);
        let lb = self.index as usize * bpp;
        let mut lblk = lb;
        while lblk < lb + bpp {
            let m = super::xfs::buffered_write_iomap_begin(w, self.file, lblk, lb + bpp);
            lblk = m.map_or(lb + bpp, |m| m.end().max(lblk + 1));
        }
        self.done = true;
        Poll::Ran(StepId::XfsBufferedWriteIomapBegin)
    }

    fn gfs2(&mut self, w: &mut World, r: FolioRef) -> Poll {
        // gfs2_page_mkwrite(): gfs2_write_alloc_required() →
        // gfs2_allocate_page_backing(): iomap over the page's blocks,
        // allocating the holes (fs/gfs2/file.c).
        let bpp = w.cfg.bpp(self.file);
        let lb = self.index as usize * bpp;
        let mut lblk = lb;
        while lblk < lb + bpp {
            match super::gfs2::iomap_begin_write(w, self.file, lblk, lb + bpp) {
                Some(m) => lblk = m.end().max(lblk + 1),
                None => break,
            }
        }
        if lblk < lb + bpp {
            // ENOSPC: VM_FAULT_SIGBUS.
            w.note(Event::Note("ENOSPC allocating page backing"));
            self.err = -ENOSPC;
        } else if !super::gfs2::ensure_buffers(w, self.file, r) {
            // No buffer head left in the model's pool: VM_FAULT_OOM.
            self.err = -ENOMEM;
        }
        self.done = true;
        Poll::Ran(StepId::Gfs2TransBegin)
    }
}
