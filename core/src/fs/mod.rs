//! fs/: the VFS entry points the model's tasks call, the filesystem seam
//! ([`aops`]) and the filesystems behind it.
//!
//! The simple filesystem (Cases 1–3, [`simple`]) maps every file block to a
//! fixed disk block. The extent-mapped filesystems of Cases 4 and 5 — XFS
//! through iomap, ext4 with delalloc, gfs2 journaled data — keep a per-file
//! extent map ([`crate::world::FsInode`]); the helpers below are what they
//! share: where a data unit lives on disk, what a read of it finds, and
//! freeing a file's blocks.

pub mod aops;
pub mod buffer;
pub mod direct_io;
pub mod drop_caches;
pub mod ext4;
pub mod ext4_dio;
pub mod falloc;
pub mod gfs2;
pub mod inode;
pub mod iomap;
pub mod jbd2;
pub mod mkwrite;
pub mod namei;
pub mod read;
pub mod reflink;
pub mod simple;
pub mod sync;
pub mod vfs;
pub mod writeback;
pub mod xfs;

pub use aops::{a_ops, AddressSpaceOps, FaultLock, MapStep, MigrateKind, SetattrLocks};
pub use falloc::FallocMode;
pub use mkwrite::FsMkwrite;
pub use read::ReadFolio;
pub use vfs::{write_iter, ReadIter, WriteIter};
pub use writeback::WbCtx;

use crate::trace::Event;
use crate::world::{ext, token, Disk, Extent, Fs, World, FILE_LBLKS, NO_PBLK, UPB};

/// The disk unit holding unit `j` of filesystem block `pblk`.
#[inline]
pub fn disk_unit(pblk: u8, j: usize) -> usize {
    pblk as usize * UPB + j
}

/// What a read of data unit `u` of `file` finds on the disk, the page cache
/// aside: on the simple filesystem its fixed block; on an extent-mapped one
/// the block's data if the extent is written, zeroes for a hole, a delalloc
/// reservation or an unwritten extent.
pub fn visible_unit(w: &World, file: u8, u: usize) -> u32 {
    if !w.cfg.extent_mapped(file) {
        return w.disk.blocks[Disk::block_of(file, u as u8, 0)];
    }
    let e = w.inodes[file as usize].map[(u / UPB).min(FILE_LBLKS - 1)];
    if e.state == ext::WRITTEN && e.pblk != NO_PBLK {
        w.disk.blocks[disk_unit(e.pblk, u % UPB)]
    } else {
        0
    }
}

/// Change block `lblk`'s mapping (bumping `if_seq`) and note it in the trace.
pub fn set_extent(w: &mut World, file: u8, lblk: usize, e: Extent) {
    let f = file as usize;
    let from = w.inodes[f].map[lblk];
    if from == e {
        return;
    }
    w.inodes[f].set(lblk, e);
    w.note(Event::Map {
        file,
        lblk: lblk as u8,
        from: from.state,
        to: e.state,
        pblk: e.pblk,
    });
}

/// Free blocks `lb0..lb1` of `file` (`xfs_bunmapi()`, ext4's
/// `ext4_ext_remove_space()` with `ext4_es_remove_extent()`, gfs2's
/// `punch_hole()`): allocated blocks go back to the allocator (a block
/// another file shares loses this file's reference instead), delalloc
/// reservations are dropped, every block becomes a hole. ext4 releases the
/// reservation of every delayed extent-status entry it removes
/// (`ext4_da_release_space()`).
pub fn free_file_blocks(w: &mut World, file: u8, lb0: usize, lb1: usize) {
    let f = file as usize;
    for lblk in lb0..lb1.min(FILE_LBLKS) {
        let e = w.inodes[f].map[lblk];
        if e.allocated() {
            w.balloc.put(e.pblk);
        }
        set_extent(w, file, lblk, Extent::HOLE);
        if w.cfg.fs == Fs::Ext4 {
            ext4::es_remove(w, file, lblk);
        }
    }
}

/// The token a page-cache unit must hold for a write of version `v`.
#[inline]
pub fn unit_token(file: u8, u: usize, v: u16) -> u32 {
    token::make(file, u as u8, v)
}
