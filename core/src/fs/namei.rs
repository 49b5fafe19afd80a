//! fs/namei.c: `unlink(2)` — `do_unlinkat()` → `vfs_unlink()`.
//!
//! Followed: fs/namei.c `do_unlinkat()` and `vfs_unlink()` (torvalds/linux,
//! 2025). `do_unlinkat()` takes the inode (`ihold()`: the model's
//! descriptor reference, [`crate::op::pre::unlinkable`]), `vfs_unlink()`
//! takes the target's `inode_lock()`, the filesystem's `->unlink` drops the
//! name (`drop_nlink()`: ext4's `__ext4_unlink()`, `xfs_remove()`,
//! `gfs2_unlink()`, `simple_unlink()`), `inode_unlock()`, `d_delete()`;
//! the final `iput()` at the end of `do_unlinkat()` evicts the file if
//! nothing else holds it ("truncate the inode here"), else whoever drops
//! the last reference does ([`crate::fs::inode`]). The parent directory's
//! lock is not modelled: the model has no directories.

use crate::exec::poll::Poll;
use crate::impl_step;
use crate::step::StepId;
use crate::world::{lock, World};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum UnlinkPc {
    InodeLock,
    Unlink,
}

/// `unlink()` of `file` (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unlink {
    file: u8,
    pc: UnlinkPc,
}

impl Unlink {
    /// Unlink `file`, whose name the task has found.
    pub fn new(file: u8) -> Unlink {
        Unlink {
            file,
            pc: UnlinkPc::InodeLock,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let l = lock::i_rwsem(self.file);
        match self.pc {
            UnlinkPc::InodeLock => {
                if let Err(c) = w.lock(l) {
                    return Poll::Block(c);
                }
                self.pc = UnlinkPc::Unlink;
                Poll::Ran(StepId::VfsUnlink)
            }
            UnlinkPc::Unlink => {
                let m = &mut w.mappings[self.file as usize];
                m.i_nlink = m.i_nlink.saturating_sub(1);
                w.unlock(l);
                Poll::Done(StepId::DropNlink)
            }
        }
    }
}

impl_step!(Unlink);
