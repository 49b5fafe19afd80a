//! fs/drop_caches.c: `echo 1 > /proc/sys/vm/drop_caches` —
//! `iterate_supers(drop_pagecache_sb)`: the block device's pseudo
//! superblock first (registered at boot), then the filesystem's; for each
//! inode, under `s_inode_list_lock` and `i_lock`, one that is being freed
//! or has no pages is skipped, else `__iget()` holds it while
//! `invalidate_mapping_pages(mapping, 0, -1)` drops what it can
//! ([`TryInvalidate`]); the reference is put only after the next inode's
//! pages (`toput_inode`), and the last one at the end (mainline).
//!
//! If a file was unlinked and closed while the walk held it, the walk's
//! `iput()` is the last one and evicts it here ([`crate::fs::inode::iput`]).

use crate::exec::poll::Poll;
use crate::fs::inode::{iput, Evict};
use crate::mm::try_invalidate::TryInvalidate;
use crate::step::StepId;
use crate::world::{istate, World, BDEV, MAX_FILES, NO_MAPPING};

/// The mappings in the order the walk meets them.
const ORDER: [u8; MAX_FILES + 1] = {
    let mut o = [BDEV; MAX_FILES + 1];
    let mut i = 0;
    while i < MAX_FILES {
        o[i + 1] = i as u8;
        i += 1;
    }
    o
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum DcPc {
    Iget,
    Pages,
    Iput,
    Done,
}

/// `drop_caches` mode 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DropCaches {
    /// Position in [`ORDER`].
    at: u8,
    pc: DcPc,
    inv: Option<TryInvalidate>,
    /// The inode whose reference is still held (`toput_inode`).
    toput: u8,
    /// The eviction the walk's last `iput()` of an unlinked file runs.
    evict: Option<Evict>,
}

impl Default for DropCaches {
    fn default() -> Self {
        DropCaches::new()
    }
}

impl DropCaches {
    /// The walk from its start.
    pub fn new() -> DropCaches {
        DropCaches {
            at: 0,
            pc: DcPc::Iget,
            inv: None,
            toput: NO_MAPPING,
            evict: None,
        }
    }

    fn mapping(&self) -> u8 {
        ORDER[(self.at as usize).min(ORDER.len() - 1)]
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if let Some(e) = self.evict.as_mut() {
            return match e.step(w) {
                Poll::Done(id) if self.pc == DcPc::Done && self.toput == NO_MAPPING => {
                    Poll::Done(id)
                }
                Poll::Done(id) => {
                    self.evict = None;
                    Poll::Ran(id)
                }
                p => p,
            };
        }
        match self.pc {
            DcPc::Iget => self.iget(w),
            DcPc::Pages => {
                let m = self.mapping();
                let (id, _) = crate::nested!(self.inv, w, TryInvalidate::new(m, 0));
                self.pc = DcPc::Iput;
                Poll::Ran(id)
            }
            DcPc::Iput => {
                // iput(toput_inode); toput_inode = inode.
                let prev = self.toput;
                self.toput = self.mapping();
                self.next();
                if prev == NO_MAPPING {
                    return self.step(w);
                }
                self.evict = iput(w, prev);
                Poll::Ran(StepId::Iput)
            }
            DcPc::Done => {
                let prev = self.toput;
                self.toput = NO_MAPPING;
                if prev != NO_MAPPING {
                    self.evict = iput(w, prev);
                    if self.evict.is_some() {
                        return Poll::Ran(StepId::Iput);
                    }
                }
                Poll::Done(StepId::Iput)
            }
        }
    }

    /// The next inode, or the end of the walk.
    fn next(&mut self) {
        self.at += 1;
        self.pc = if self.at as usize >= ORDER.len() {
            DcPc::Done
        } else {
            DcPc::Iget
        };
    }

    /// `drop_pagecache_sb()` at one inode: skip it, or take a reference.
    fn iget(&mut self, w: &mut World) -> Poll {
        let m = self.mapping();
        let mp = &mut w.mappings[m as usize];
        if mp.i_state & (istate::FREEING | istate::CLEAR) != 0 || mp.is_empty() {
            self.next();
        } else {
            mp.i_count += 1;
            self.pc = DcPc::Pages;
        }
        Poll::Ran(StepId::DropPagecacheSb)
    }
}

crate::impl_step!(DropCaches);
