//! Litmus files: a case written for people, close to the CPU1/CPU2 tables
//! of the seed mails.
//!
//! ```text
//! # Comments start with '#', anywhere on a line.
//! litmus case1-no-reuse            # optional title
//! profile v5.8                     # a profile expression: NAME[+TOGGLE][-TOGGLE]
//! config frames=2 buckets=1        # optional: frames (1-8), waitqueue buckets (1-8),
//!                                  #   bh=1|2|4, fs=simple|xfs|ext4|gfs2, blocks=1|2,
//!                                  #   unfairness=0-7 (vm.page_lock_unfairness, 5)
//! expect writeback-after-wait      # optional: oracles the author expects to fire
//!
//! setup:                           # run to completion first; their bios stay in flight
//!   write f0 0
//!   writeback f0 none
//!
//! task N cpu=1:                    # a task: its operations, in order
//!   writeback f0 none
//!   write f0 0
//!
//! task M thread=N:                 # optional thread=: a thread of N's process
//!   store f0 0                     #   (its mm, its mappings; a TLB of its own)
//!
//! task C fork=N:                   # optional fork=: the child N's `fork` creates;
//!   anon-load 0                    #   it runs once the fork is done
//!
//! schedule:                        # who runs, for how long
//!   io0 __folio_end_writeback      # until its next step with this label
//!   N *                            # until it blocks or finishes
//!   W 3                            # three steps
//!   io1 folio_wake_bit x2          # until the 2nd next step with this label
//!
//! faults:
//!   io-error io1                   # that bio completes with an error
//!   alloc-fail 2                   # the 2nd allocation fails
//!   signal W at 12                 # SIGKILL to W before global step 12
//!   reclaim frame0 at 7            # kswapd reclaims frame 0 before step 7
//!   signal W at folio_lock x2      # ... before the 2nd folio_lock step (anyone's)
//!   reclaim f0:0 after test_clear_page_writeback   # f0's page 0, right after that step
//!   alloc-fail at filemap_alloc_folio              # the allocation that step makes
//! ```
//!
//! Typed from a mail: step labels may be the names the functions had in
//! earlier releases (`end_page_writeback`, `wake_up_page`, `lock_page`,
//! `buffer_migrate_page_norefs()`, `spin_unlock(&mapping->private_lock)`;
//! [`crate::step_alias`] lists them), and where an operation or a fault
//! takes a frame, a page may be named instead (`migrate bdev:0`, `reclaim
//! f0:0`): the frame that holds it once setup has run. A label-timed fault
//! is placed by running the case (deterministic): before the N-th step
//! with that label after setup, or just after it with `after`. `replay`
//! warns when a slice's label never comes or its context cannot run.
//!
//! Operations (declared in [`crate::op`], where each one's doc says what it
//! models; `pagelife steps` and the parser's errors list them too):
//! `write FILE INDEX`, `read FILE INDEX`, `writeback FILE none|all`,
//! `fsync FILE`, `sync`, `truncate FILE SIZE`, `reclaim FRAME`,
//! `migrate FRAME`, `bh-write BLOCK [getblk] [meta] [nonatomic]` (a
//! metadata user of the block device, Cases 2 and 3), `unlink FILE` (the
//! name goes; a task holds a file open from its first operation on it to
//! its last, and the last reference's `iput()` evicts the file), `drop-caches` (`echo 1 >
//! /proc/sys/vm/drop_caches`: every inode's clean, unused folios, the
//! block device's first), `reflink SRC DST` (`ioctl(DST, FICLONE, SRC)` on
//! XFS: DST shares SRC's blocks, and writes to shared blocks go through
//! the COW fork), and the journal (jbd2, seed 000):
//! `jbd2-update BLOCK [getblk] [nonatomic]` (a journalled metadata update
//! in a handle), `jbd2-commit` (kjournald2 commits the running
//! transaction), `jbd2-checkpoint` (write the committed buffers in place
//! and let the journal forget them), `jbd2-shrink` (the checkpoint
//! shrinker drops written-back buffers' journal heads). Files are `f0`..`f2` (and `bdev` for
//! writeback and fsync), indices `0`..`3`, frames `frame0`..`frame7`.
//! Contexts in the schedule: task names, `io0`.. (bios by submission
//! order), `kswapd`.
//!
//! Extent-mapped files (`config fs=xfs|ext4|gfs2 blocks=N`, N blocks per
//! page, each block two data units; Cases 4 and 5) add:
//! `pwrite FILE UNIT LEN` (a write of data units, through iomap on XFS and gfs2, through
//! `ext4_da_write_begin()` on ext4), `fallocate FILE INDEX COUNT`,
//! `punch FILE INDEX COUNT`, `zero-range FILE INDEX COUNT` (pages), and
//! `mkwrite FILE INDEX` (a write fault on a shared mapping:
//! `->page_mkwrite`, the store, the folio dirtied).
//!
//! User mappings (page tables, any filesystem): `mmap FILE [private] [ro]`
//! (a shared mapping of the whole file, with `private` a `MAP_PRIVATE`
//! one, with `ro` `PROT_READ` only; held until `munmap` or the task's
//! exit), `load FILE INDEX` and `store FILE INDEX` (the CPU's access
//! through the PTE, faulting when there is none or a store meets a
//! read-only one: a store to a private mapping breaks copy-on-write, to an
//! `ro` one is SIGSEGV, skipped), `munmap FILE`,
//! `madvise FILE INDEX dontneed` (the PTE zapped, the mapping kept),
//! `madvise-pageout FILE INDEX` (`MADV_PAGEOUT`, since v5.4: the folio
//! reclaimed at once if this mm alone maps it), `exit`
//! (the task's `exit_mmap()`, which runs by itself after a task's last
//! operation when it still maps something), and
//! `mem-write TASK FILE INDEX` (`write(2)` to `/proc/PID/mem` of the task
//! in slot `TASK`, `A` for the first task section to `D`: a `FOLL_FORCE`
//! write into its private mapping, breaking copy-on-write).
//!
//! Anonymous memory (each user task's buffers, `MAX_INDEX` pages):
//! `anon-load PAGE` and `anon-store PAGE`, `anon-madvise PAGE dontneed|free`
//! (`MADV_FREE`: reclaim may discard the page until the next store),
//! `anon-pageout PAGE` (`MADV_PAGEOUT` of the page), and
//! `dio-read FILE INDEX BUF` (`pread(O_DIRECT)` of page `INDEX` of a file or
//! `bdev` into anonymous page `BUF`: GUP, a bio whose DMA writes the page),
//! and `dio-write FILE INDEX BUF` (an XFS or ext4 file or `bdev`: the buffer
//! filled with a new version of the page, then `pwrite(O_DIRECT)`, with the
//! page-cache invalidation before and after it).
//!
//! Processes and pins: `fork` (the task's address space copied into the
//! child declared `fork=` it, anonymous pages shared copy-on-write; a
//! `fork` with no child declared, or a second one, is skipped),
//! `pin PAGE [ro]` (a driver's long-term pin of anonymous page `PAGE`, for
//! the device to write, or with `ro` to read, as `vmsplice()` does), and
//! `unpin` (the device's DMA through the pin — a read is checked,
//! `pin-incoherent` — then the unpin).

mod parse;
mod print;
mod words;

pub use parse::{parse, parse_reader, parse_str, Litmus, LitmusError};
pub use print::{print, print_case};
