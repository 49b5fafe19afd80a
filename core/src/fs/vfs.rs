//! The VFS entry points of reads and writes (fs/read_write.c `vfs_read()` /
//! `vfs_write()` → `file->f_op->read_iter` / `->write_iter`): which
//! machine performs them is the file's filesystem's business
//! ([`super::AddressSpaceOps`]).

use crate::exec::poll::Poll;
use crate::impl_step;
use crate::mm::filemap::{BufferedWrite, FilemapRead};
use crate::step::StepId;
use crate::world::{Config, LockId, World};

use super::{ext4::Ext4Write, iomap::IomapWrite};

/// `file->f_op->write_iter` for a buffered write: the machine of the
/// file's filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WriteIter {
    /// `generic_perform_write()` with `block_write_begin()` (the simple
    /// filesystem: one block per page).
    Generic(BufferedWrite),
    /// `iomap_file_buffered_write()` (XFS, gfs2).
    Iomap(IomapWrite),
    /// `ext4_buffered_write_iter()` with delalloc (`ext4_da_write_begin()`).
    Ext4(Ext4Write),
}

/// The buffered write of data units `unit..unit + len` of `file` (on the
/// simple filesystem a unit is a page) through its filesystem's
/// `->write_iter`.
pub fn write_iter(cfg: &Config, file: u8, unit: u8, len: u8) -> WriteIter {
    (super::a_ops(cfg, file).write_iter)(cfg, file, unit, len)
}

/// Data units `unit..unit + len` clamped to a file of `MAX_INDEX` pages.
pub fn clamp_units(cfg: &Config, file: u8, unit: u8, len: u8) -> (u8, u8) {
    let limit = (cfg.upp(file) * crate::world::MAX_INDEX) as u8;
    let unit = unit.min(limit);
    (unit, len.min(limit - unit))
}

impl WriteIter {
    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self {
            WriteIter::Generic(m) => m.step(w),
            WriteIter::Iomap(m) => m.step(w),
            WriteIter::Ext4(m) => m.step(w),
        }
    }
}

/// `file->f_op->read_iter` of a buffered read: `filemap_read()`, inside
/// the lock the filesystem holds around it (gfs2's `gfs2_file_read_iter()`
/// holds the inode glock shared).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadIter {
    lock: Option<(LockId, StepId)>,
    held: bool,
    read: FilemapRead,
}

impl ReadIter {
    /// Read page `index` of `file`.
    pub fn new(cfg: &Config, file: u8, index: u8) -> ReadIter {
        ReadIter {
            lock: super::a_ops(cfg, file)
                .read_lock
                .map(|(l, id)| (l(file), id)),
            held: false,
            read: FilemapRead::new(file, index),
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        if let (Some((l, id)), false) = (self.lock, self.held) {
            if let Err(c) = w.lock_shared(l) {
                return Poll::Block(c);
            }
            self.held = true;
            return Poll::Ran(id);
        }
        let p = self.read.step(w);
        if let (Poll::Done(_), Some((l, _))) = (p, self.lock) {
            w.unlock_shared(l);
        }
        p
    }
}

impl_step!(WriteIter, ReadIter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_stay_in_the_file() {
        let cfg = Config::default();
        assert_eq!(clamp_units(&cfg, 0, 9, 9), (4, 0));
    }
}
