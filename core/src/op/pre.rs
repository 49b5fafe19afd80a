//! Preconditions operations declare: what must hold of the world for a
//! task to start them. An operation on a file needs an open descriptor of
//! it ([`open_file`]): the task opens it at the first such operation (its
//! `struct file` holds an inode reference, `i_count`) and closes it after
//! its last operation naming the file, so a file is evicted only once no
//! task will use it again — by whoever drops the last reference of an
//! unlinked file ([`crate::fs::inode`]). A task that had not opened a file
//! before it was unlinked cannot open it (`-ENOENT`).

use super::Pre;
use crate::exec::poll::Cond;
use crate::world::{istate, World, MAX_FILES, MAX_TASKS};

/// An open descriptor of `file`: the task's own if it holds one
/// ([`World::fds`]); else `open()` finds the name (`Pre::Open`), or the
/// file was unlinked and the task skips the operation, as `open()` fails
/// with `-ENOENT`.
pub fn open_file(w: &World, file: u8) -> Pre {
    let f = (file as usize).min(MAX_FILES - 1);
    let m = &w.mappings[f];
    if w.fds.get(w.me as usize).is_some_and(|b| b & 1 << f != 0) {
        Pre::Ready
    } else if m.i_nlink == 0 || m.i_state & istate::FREEING != 0 {
        Pre::Skip("open(): -ENOENT, the file was unlinked: skipped")
    } else {
        Pre::Open(1 << f)
    }
}

/// Descriptors of both `src` and `dst` ([`open_file`] of each).
pub fn open_two(w: &World, src: u8, dst: u8) -> Pre {
    match (open_file(w, src), open_file(w, dst)) {
        (Pre::Ready, p) | (p, Pre::Ready) => p,
        (Pre::Open(a), Pre::Open(b)) => Pre::Open(a | b),
        (Pre::Open(_), p) | (p, _) => p,
    }
}

/// `ioctl(dst, FICLONE, src)`: XFS only (the others have no
/// `->remap_file_range`: `-EOPNOTSUPP`); a file cannot be cloned onto
/// itself (`generic_remap_checks()`: overlapping ranges of one inode,
/// `-EINVAL`).
pub fn reflinkable(w: &World, src: u8, dst: u8) -> Pre {
    if w.cfg.fs != crate::world::Fs::Xfs {
        Pre::Skip("FICLONE: no ->remap_file_range, -EOPNOTSUPP: skipped")
    } else if src == dst {
        Pre::Skip("FICLONE onto the same file: -EINVAL: skipped")
    } else {
        open_two(w, src, dst)
    }
}

/// `unlink()` of `file`: its name, if it still has one (else `-ENOENT`);
/// `do_unlinkat()` holds the inode (`ihold()`) until its final `iput()`,
/// as a descriptor would ([`open_file`]).
pub fn unlinkable(w: &World, file: u8) -> Pre {
    if w.mappings[(file as usize).min(MAX_FILES - 1)].i_nlink == 0 {
        Pre::Skip("unlink(): -ENOENT, already unlinked: skipped")
    } else {
        open_file(w, file)
    }
}

/// A metadata user of block `block` (journalled or not) skips a block the
/// other kind has modified: see [`crate::world::Journal::plain`].
pub fn metadata_owner(w: &World, block: u8, journal: bool) -> Pre {
    if w.journal.foreign(block, journal) {
        Pre::Skip(if journal {
            "a block written outside the journal: no handle journals it"
        } else {
            "a journalled block: only the journal's handles write it"
        })
    } else {
        Pre::Ready
    }
}

/// A user task (setup, umount and kswapd have no address space) and a live
/// file: `mmap()` can map it.
pub fn mappable(w: &World, file: u8) -> Pre {
    if w.me as usize >= MAX_TASKS {
        return Pre::Skip("no address space: skipped");
    }
    open_file(w, file)
}

/// A user task: it has anonymous memory (setup, umount and kswapd have no
/// address space).
pub fn user_task(w: &World) -> Pre {
    if w.me as usize >= MAX_TASKS {
        Pre::Skip("no address space: skipped")
    } else {
        Pre::Ready
    }
}

/// A user task's use of anonymous page `page` — a load, a store, an
/// `madvise()`, a direct I/O into or from it — waits while another thread
/// of its mm has a direct I/O in flight on the page: a program that lets
/// two threads use one buffer at once, one of them in `read(2)` or
/// `write(2)` on it, gets what it asked for (either's data), which no
/// promise can state. The kernel does not wait; the model's programs do.
pub fn buffer_idle(w: &World, page: u8) -> Pre {
    match user_task(w) {
        Pre::Ready => {}
        p => return p,
    }
    let m = &w.mms[w.mm_id(w.me) as usize % MAX_TASKS];
    if m.dio_busy[page as usize % m.dio_busy.len()] != 0 {
        Pre::Wait(Cond::BufferIdle(page))
    } else {
        Pre::Ready
    }
}

/// A direct read by a user task of a live file whose filesystem the model
/// has direct I/O for (not gfs2's).
pub fn direct_io(w: &World, file: u8) -> Pre {
    if w.a_ops(file).direct_io == crate::fs::direct_io::DioHow::None {
        return Pre::Skip("no direct I/O modelled for this filesystem: skipped");
    }
    match user_task(w) {
        Pre::Ready => open_file(w, file),
        p => p,
    }
}

/// [`direct_io`] (or [`direct_write`] when `write`) of `file` with
/// anonymous page `buf` as the buffer, once it is idle ([`buffer_idle`]).
pub fn direct_io_buf(w: &World, file: u8, buf: u8, write: bool) -> Pre {
    let p = if write {
        direct_write(w, file)
    } else {
        direct_io(w, file)
    };
    match (p, buffer_idle(w, buf)) {
        (Pre::Ready | Pre::Open(_), Pre::Ready) => p,
        (Pre::Ready | Pre::Open(_), idle) => idle,
        (p, _) => p,
    }
}

/// A direct write by a user task of a live file whose filesystem the model
/// has direct writes for (XFS, ext4, the block device).
pub fn direct_write(w: &World, file: u8) -> Pre {
    use crate::fs::direct_io::DioHow;
    let modelled = match w.a_ops(file).direct_io {
        DioHow::Iomap(_, writes) => writes != crate::fs::direct_io::DioWrites::None,
        DioHow::Simple => file == crate::world::BDEV,
        DioHow::None => false,
    };
    if !modelled {
        return Pre::Skip("no direct write modelled for this filesystem: skipped");
    }
    direct_io(w, file)
}

/// The task maps `file`: else the access or `munmap()` has nothing to work
/// on (a load or store would be SIGSEGV) and is skipped.
pub fn mapped(w: &World, file: u8) -> Pre {
    match w.mms.get(w.mm_id(w.me) as usize) {
        Some(mm) if (file as usize) < MAX_FILES && mm.maps(file) => Pre::Ready,
        _ => Pre::Skip("not mapped: skipped (SIGSEGV)"),
    }
}

/// A store through the task's mapping of `file`: it must be mapped, and
/// writable (a `PROT_READ` mapping faults with SIGSEGV:
/// `do_user_addr_fault()` finds no `VM_WRITE`).
pub fn writable(w: &World, file: u8) -> Pre {
    match w.mms.get(w.mm_id(w.me) as usize) {
        Some(mm) if (file as usize) < MAX_FILES && mm.maps(file) && !mm.vm_write(file) => {
            Pre::Skip("a read-only mapping: skipped (SIGSEGV)")
        }
        _ => mapped(w, file),
    }
}

/// A `FOLL_FORCE` write into task `target`'s private mapping of `file`:
/// the target must be a user task with one (else `-EFAULT`, or `-EIO` for
/// no such process: skipped), and `file` live.
pub fn remote_private(w: &World, target: u8, file: u8) -> Pre {
    match w.mms.get(w.mm_id(target) as usize) {
        // The mapping's vm_file holds the file: it cannot be evicted.
        Some(mm) if (file as usize) < MAX_FILES && mm.maps_private(file) => Pre::Ready,
        _ => Pre::Skip("no private mapping of the file there: skipped (-EFAULT)"),
    }
}

/// The task has a mapping left for `exit_mmap()` to tear down.
pub fn has_mappings(w: &World) -> Pre {
    match w.mms.get(w.mm_id(w.me) as usize) {
        Some(mm) if mm.vmas != 0 => Pre::Ready,
        _ => Pre::Skip("nothing mapped"),
    }
}

/// `fork()` by a task that has a child declared (`fork=`) and has not
/// forked yet.
pub fn can_fork(w: &World) -> Pre {
    match user_task(w) {
        Pre::Ready => {}
        p => return p,
    }
    match w.fork_child.get(w.me as usize).copied() {
        Some(c) if (c as usize) < MAX_TASKS && w.forked & (1 << c) == 0 => Pre::Ready,
        Some(c) if (c as usize) < MAX_TASKS => Pre::Skip("already forked: skipped"),
        _ => Pre::Skip("no child declared (`fork=`): skipped"),
    }
}

/// A pin of anonymous page `page` by a process that holds none yet, once
/// the page is idle ([`buffer_idle`]).
pub fn can_pin(w: &World, page: u8) -> Pre {
    match buffer_idle(w, page) {
        Pre::Ready => {}
        p => return p,
    }
    if w.mms[w.mm_id(w.me) as usize % MAX_TASKS]
        .pin
        .folio
        .is_none()
    {
        Pre::Ready
    } else {
        Pre::Skip("a pin is held already: skipped")
    }
}

/// The DMA and unpin of the process's pin, if it holds one, once the
/// pinned page is idle ([`buffer_idle`]): a program does not let the
/// device use a buffer a thread of it has in `read(2)` or `write(2)`.
pub fn pinned(w: &World) -> Pre {
    match user_task(w) {
        Pre::Ready => {}
        p => return p,
    }
    let pin = w.mms[w.mm_id(w.me) as usize % MAX_TASKS].pin;
    if pin.folio.is_none() {
        Pre::Skip("no pin held: skipped")
    } else {
        buffer_idle(w, pin.page)
    }
}

/// `madvise(MADV_PAGEOUT)`: unknown advice (`-EINVAL`) before
/// 1a4e58cce84e (v5.4); else precondition `p` of its range.
pub fn pageout(w: &World, p: Pre) -> Pre {
    if !w.has(crate::profile::Toggle::MadvPageout) {
        return Pre::Skip("MADV_PAGEOUT: -EINVAL before 1a4e58cce84e (v5.4): skipped");
    }
    p
}
