//! Locks held across steps.
//!
//! A spinlock section that fits in one step needs no model: the step is
//! atomic. Locks held *across* steps — sleeping locks like `i_rwsem`, and
//! spinlocks held over several steps — are objects here, so a task that
//! wants one blocks (is not runnable) until it is free, and sleeping while
//! holding a spinlock can be detected.

/// A lock's identity.
pub type LockId = u8;

/// Number of lock objects.
pub const NLOCKS: usize = 26;

/// `bd_mapping->i_private_lock`, a spinlock (buffer rings of the block device).
pub const PRIVATE_LOCK: LockId = 4;

/// `inode->i_rwsem` of file `f` (taken exclusively by write and truncate).
#[inline]
pub fn i_rwsem(f: u8) -> LockId {
    f
}

/// `EXT4_I(inode)->i_data_sem` of file `f`, a reader-writer semaphore.
#[inline]
pub fn i_data_sem(f: u8) -> LockId {
    5 + f % 3
}

/// `mapping->invalidate_lock` of file `f`, a reader-writer semaphore (page
/// faults take it shared, hole punching exclusive).
#[inline]
pub fn invalidate_lock(f: u8) -> LockId {
    8 + f % 3
}

/// gfs2's inode glock of file `f` as the local node sees it: reads hold it
/// shared, writes, truncates, fallocate and write faults exclusive
/// (`gfs2_glock_nq()` with `LM_ST_SHARED` / `LM_ST_EXCLUSIVE`).
#[inline]
pub fn glock(f: u8) -> LockId {
    11 + f % 3
}

/// `mapping->i_pages`' xa_lock of mapping `m` (files and the block
/// device), a spinlock. Modelled as an object only where a path holds it
/// across steps: reclaim's `__remove_mapping()`, whose critical section
/// lockless (RCU) lookups can see the middle of; everything else that takes
/// it does so inside one step and waits while another context holds it.
#[inline]
pub fn xa_lock(m: u8) -> LockId {
    14 + m % 4
}

/// `mm->mmap_lock` of user task `t`'s address space, a reader-writer
/// semaphore. Only its holders across steps are modelled: a remote access
/// (`access_remote_vm()`) reads under it, `mmap()` and `munmap()` of the
/// task itself write (the task's own faults and `madvise()` read it, and
/// cannot run beside its `mmap()`).
#[inline]
pub fn mmap_lock(t: u8) -> LockId {
    18 + t % 4
}

/// The PTE lock of mm `mm`'s page table (`pte_lockptr()`), a spinlock.
/// Modelled as an object only where a path holds it across steps: a zap
/// of an mm with threads, from clearing its PTEs to flushing their TLBs
/// (`zap_pte_range()`); every other section under it is one step and
/// waits while the zap holds it.
#[inline]
pub fn pte_lock(mm: u8) -> LockId {
    22 + mm % 4
}

/// Whether `l` is a spinlock (waiting for it is spinning, not sleeping).
#[inline]
pub fn is_spinlock(l: LockId) -> bool {
    l == PRIVATE_LOCK || (14..18).contains(&l) || (22..26).contains(&l)
}

/// The kernel's name of lock `l`, with the file it belongs to.
pub fn lock_name(l: LockId) -> String {
    let file = |f: LockId| {
        if f == 3 {
            "bdev".to_string()
        } else {
            format!("f{f}")
        }
    };
    match l {
        0..=3 => format!("i_rwsem of {}", file(l)),
        PRIVATE_LOCK => "i_private_lock of bdev".into(),
        5..=7 => format!("i_data_sem of f{}", l - 5),
        8..=10 => format!("invalidate_lock of f{}", l - 8),
        11..=13 => format!("the inode glock of f{}", l - 11),
        14..=17 => format!("xa_lock of {}", file(l - 14)),
        18..=21 => format!("mmap_lock of task{}", l - 18),
        _ => format!("the PTE lock of task{}'s mm", l.saturating_sub(22) % 4),
    }
}

/// "Nobody" as an owner.
pub const NO_OWNER: u8 = u8::MAX;

/// A lock's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LockState {
    /// The exclusive owner's context, or [`NO_OWNER`].
    pub owner: u8,
    /// Holders in shared mode (reader-writer semaphores).
    pub readers: u8,
}

impl LockState {
    /// Unlocked.
    pub const FREE: LockState = LockState {
        owner: NO_OWNER,
        readers: 0,
    };
}

impl super::World {
    /// Take lock `l` exclusively for the current context, or say what to
    /// wait for (nothing changes then).
    #[inline]
    pub fn lock(&mut self, l: LockId) -> Result<(), crate::exec::poll::Cond> {
        if !self.lock_free(l) {
            return Err(crate::exec::poll::Cond::Lock(l));
        }
        self.locks[l as usize].owner = self.me;
        Ok(())
    }

    /// Take reader-writer lock `l` shared, or say what to wait for.
    #[inline]
    pub fn lock_shared(&mut self, l: LockId) -> Result<(), crate::exec::poll::Cond> {
        if !self.lock_shared_ok(l) {
            return Err(crate::exec::poll::Cond::LockShared(l));
        }
        self.locks[l as usize].readers += 1;
        Ok(())
    }

    /// Release an exclusive hold of `l`.
    #[inline]
    pub fn unlock(&mut self, l: LockId) {
        self.locks[l as usize].owner = NO_OWNER;
    }

    /// Release a shared hold of `l`.
    #[inline]
    pub fn unlock_shared(&mut self, l: LockId) {
        let s = &mut self.locks[l as usize];
        s.readers = s.readers.saturating_sub(1);
    }

    /// A step that takes `mapping`'s xa_lock for its own duration: wait
    /// while another context holds it across steps.
    #[inline]
    pub fn xa_spin(&self, mapping: u8) -> Result<(), crate::exec::poll::Cond> {
        let l = xa_lock(mapping);
        let o = self.locks[l as usize].owner;
        if o == NO_OWNER || o == self.me {
            Ok(())
        } else {
            Err(crate::exec::poll::Cond::Lock(l))
        }
    }

    /// Release `l` if the current context holds it exclusively.
    #[inline]
    pub fn unlock_if_mine(&mut self, l: LockId) {
        if self.locks[l as usize].owner == self.me {
            self.unlock(l);
        }
    }
}
