//! ext4's direct write: the filesystem's parts of `ext4_dio_write_iter()`
//! (fs/ext4/file.c) around `iomap_dio_rw()`, which
//! [`crate::fs::direct_io::DioWrite`] runs.
//!
//! Followed: mainline fs/ext4/file.c `ext4_dio_write_iter()`,
//! `ext4_dio_write_checks()`, `ext4_overwrite_io()`,
//! `ext4_dio_write_end_io()`, `ext4_handle_inode_extension()`, and
//! fs/ext4/inode.c `ext4_iomap_begin()` → `ext4_iomap_alloc()`.
//!
//! - `i_rwsem` is taken shared unless the write ends past `i_size`; the
//!   checks then upgrade it (`inode_unlock_shared()`, `inode_lock()`,
//!   `goto restart`) unless the write is an overwrite of blocks the
//!   extent tree has (`ext4_overwrite_io()`) inside `i_size`.
//! - `->iomap_begin` allocates under `down_write(i_data_sem)`: a block at
//!   or past `i_size` written (`EXT4_GET_BLOCKS_CREATE`: nobody can read
//!   it before the size covers it; the orphan list handles a crash), one
//!   inside `i_size` unwritten (`EXT4_GET_BLOCKS_IO_CREATE_EXT`),
//!   converted by `->end_io`.
//! - `ext4_dio_write_end_io()` converts, and since 91562895f803 extends
//!   `i_size` itself ([`Toggle::Ext4DioSizeInEndIo`]); before it,
//!   `ext4_handle_inode_extension()` did so after `iomap_dio_rw()` had
//!   returned, after the page-cache invalidation.
//!
//! Not modelled: unaligned writes (`inode_dio_wait()`,
//! `IOMAP_DIO_FORCE_WAIT`), `IS_NOSEC` (a file with security attributes
//! always takes the lock exclusive), `i_disksize` apart from `i_size`, the
//! orphan list and the journal handle, `IOCB_NOWAIT`.

use crate::exec::poll::Cond;
use crate::fs::{disk_unit, set_extent};
use crate::profile::Toggle;
use crate::world::{es, ext, lock, Extent, World, FILE_LBLKS, MAX_BLOCKS, NO_PBLK, UPB};

use super::ext4::{data_sem_wait, es_set};

/// What `ext4_dio_write_checks()` found for a write of page `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Checks {
    /// `ext4_extending_io()`: the write ends past `i_size`.
    pub extend: bool,
    /// `ext4_overwrite_io()`: inside `i_size`, every block allocated.
    pub overwrite: bool,
    /// Some allocated block is unwritten (`!(map.m_flags & EXT4_MAP_MAPPED)`).
    pub unwritten: bool,
}

impl Checks {
    /// `ext4_dio_write_checks()`: the shared lock must become exclusive
    /// (extending, or not an overwrite).
    pub fn need_exclusive(&self) -> bool {
        self.extend || !self.overwrite
    }

    /// Before aa9714d0e397 (v5.5's `ext4_dio_write_iter()`): the exclusive
    /// lock is downgraded (`downgrade_write()`) for an aligned overwrite
    /// of written blocks with dioread_nolock.
    pub fn downgrade(&self, w: &World) -> bool {
        !w.has(Toggle::Ext4DioSharedStart) && self.overwrite && !self.unwritten
    }
}

/// `ext4_dio_write_iter()`: `ilock_shared` unless `offset + count >
/// i_size_read(inode)` (a lockless read); before aa9714d0e397 never
/// (`inode_lock()`, then [`Checks::downgrade`]).
pub fn start_shared(w: &World, file: u8, index: u8) -> bool {
    w.has(Toggle::Ext4DioSharedStart) && index < w.mappings[file as usize % w.mappings.len()].i_size
}

/// `ext4_dio_write_checks()` under `i_rwsem`: `ext4_extending_io()` and
/// `ext4_overwrite_io()` (`ext4_map_blocks(NULL, inode, &map, 0)`: the
/// extent-status cache, else the tree under `down_read(i_data_sem)`, one
/// step: `Err` while a writer holds it). A delayed block is not mapped.
pub fn dio_write_checks(w: &World, file: u8, index: u8) -> Result<Checks, Cond> {
    if !w.lock_shared_ok(lock::i_data_sem(file)) {
        return Err(Cond::LockShared(lock::i_data_sem(file)));
    }
    let extend = !start_shared(w, file, index);
    let bpp = w.cfg.bpp(file);
    let ino = &w.inodes[file as usize];
    let (mut mapped, mut unwritten) = (true, false);
    for lblk in index as usize * bpp..(index as usize + 1) * bpp {
        let e = ino.map[lblk.min(FILE_LBLKS - 1)];
        mapped &= e.allocated() && ino.es[lblk.min(FILE_LBLKS - 1)] != es::DELAYED;
        unwritten |= e.state == ext::UNWRITTEN;
    }
    // Unwritten blocks are an overwrite since 240930fb7e6b.
    let shared_ok = w.has(Toggle::Ext4DioUnwrittenShared) || !unwritten;
    Ok(Checks {
        extend,
        overwrite: !extend && mapped && shared_ok,
        unwritten: mapped && unwritten,
    })
}

/// What `->iomap_begin` gave the write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DioMap {
    /// The disk unit of each unit of the page.
    pub pblk: [u8; MAX_BLOCKS],
    /// The blocks (bits) `->end_io` converts (`IOMAP_DIO_UNWRITTEN`).
    pub convert: u8,
    /// `-ENOSPC`.
    pub nospc: bool,
}

/// `ext4_map_blocks()`'s allocation of one block: the on-disk extent
/// set to `state` at `pblk`, a delayed reservation it replaces released
/// (`ext4_da_update_reserve_space()`), and the extent-status entry
/// matching it (`ext4_es_insert_extent()`).
fn set_block(w: &mut World, file: u8, lblk: usize, state: u8, pblk: u8) -> Extent {
    let e = Extent { state, pblk };
    set_extent(w, file, lblk, e);
    let ino = &mut w.inodes[file as usize];
    if ino.es[lblk] == es::DELAYED {
        ino.reserved = ino.reserved.saturating_sub(1);
        ino.es[lblk] = es::NONE;
    }
    es_set(w, file, lblk, crate::fs::ext4::es_of(state));
    e
}

/// `ext4_iomap_begin()` for `IOMAP_WRITE | IOMAP_DIRECT` (`overwrite`:
/// `ext4_iomap_overwrite_ops`, no allocation) → `ext4_iomap_alloc()` →
/// `ext4_map_blocks()` under `down_write(i_data_sem)`, one step: a hole
/// at or past `i_size` allocated written and an unwritten block there
/// converted at once (`EXT4_GET_BLOCKS_CREATE`), a hole inside it
/// allocated unwritten (`EXT4_GET_BLOCKS_IO_CREATE_EXT`); an unwritten
/// block inside `i_size` is converted by `->end_io`.
pub fn iomap_begin(w: &mut World, file: u8, index: u8, overwrite: bool) -> Result<DioMap, Cond> {
    data_sem_wait(w, file)?;
    let bpp = w.cfg.bpp(file);
    let i_size = w.mappings[file as usize % w.mappings.len()].i_size;
    let mut m = DioMap {
        pblk: [NO_PBLK; MAX_BLOCKS],
        convert: 0,
        nospc: false,
    };
    for j in 0..bpp {
        let lblk = (index as usize * bpp + j).min(FILE_LBLKS - 1);
        let e = w.inodes[file as usize].map[lblk];
        let e = if overwrite || (e.allocated() && index < i_size) {
            e
        } else if e.allocated() {
            // Past i_size, EXT4_GET_BLOCKS_CREATE on an unwritten extent:
            // ext4_ext_handle_unwritten_extents() →
            // ext4_ext_convert_to_initialized(), before the I/O.
            set_block(w, file, lblk, ext::WRITTEN, e.pblk)
        } else {
            let Some(p) = w.balloc.alloc() else {
                m.nospc = true;
                return Ok(m);
            };
            let state = if index >= i_size {
                ext::WRITTEN
            } else {
                ext::UNWRITTEN
            };
            set_block(w, file, lblk, state, p)
        };
        if e.state == ext::UNWRITTEN {
            m.convert |= 1 << j;
        }
        for k in 0..UPB {
            m.pblk[j * UPB + k] = if e.allocated() {
                disk_unit(e.pblk, k) as u8
            } else {
                NO_PBLK
            };
        }
    }
    Ok(m)
}
