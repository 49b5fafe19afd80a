//! Anonymous memory, GUP and direct I/O: a task's buffer is faulted in by
//! its first store, made lazily freeable by `MADV_FREE`, discarded by
//! reclaim only while nothing else holds it, and filled by an `O_DIRECT`
//! read through a GUP reference; a load is checked against what the last
//! store or read put there (`user-data-lost`).

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;
use pagelife_core::step::StepId;
use pagelife_core::trace::Event;

/// The first store faults a zeroed folio in (`do_anonymous_page()`), the
/// second goes through the PTE; a load sees the store; exit frees it.
#[test]
fn the_first_store_faults_the_page_in_and_exit_frees_it() {
    let c = case(
        "profile mainline
task A:
  anon-store 1
  anon-store 1
  anon-load 1
  anon-load 0
",
    );
    let (s, _) = run(&c);
    assert_eq!(count(&s, StepId::AllocAnonFolio), 1);
    assert_eq!(count(&s, StepId::DoAnonymousPage), 1);
    assert_eq!(count(&s, StepId::UserStore), 2);
    // Page 0 was never written: its load reads the zero page, no fault.
    assert_eq!(count(&s, StepId::UserLoad), 2);
    let out = replay(&c);
    let frees = out
        .trace
        .unwrap()
        .steps
        .iter()
        .flat_map(|e| e.events.clone())
        .filter(|ev| matches!(ev, Event::Free { .. }))
        .count();
    assert_eq!(frees, 1, "exit_mmap() frees the anonymous folio");
}

/// `MADV_FREE` then reclaim: the clean folio is discarded and the next
/// load reads zeroes, which the advice allows. A store after the advice
/// makes it dirty: reclaim remaps it (`set_pte_at(…, pteval)`) and the
/// data stays.
#[test]
fn reclaim_discards_a_lazily_freed_page_unless_it_was_written_again() {
    let freed = "profile mainline
config frames=4
task A:
  anon-store 0
  anon-madvise 0 free
  anon-load 0
task R:
  reclaim frame0
schedule:
  A madvise_free_pte_range
  R folio_putback_lru
";
    let (_, notes) = run(&case(freed));
    assert!(notes.contains(&"lazyfree: discard"), "{notes:?}");
    assert!(notes.contains(&"lazyfree: freed"), "{notes:?}");
    let written = freed.replace(
        "  anon-madvise 0 free\n",
        "  anon-madvise 0 free\n  anon-store 0\n",
    );
    // Two passes: the store's young bit keeps it once, then the unmap
    // finds the PTE dirty, remaps it and makes it swap-backed again.
    let written = written
        .replace("A madvise_free_pte_range", "A user_store x2")
        .replace("  reclaim frame0\n", "  reclaim frame0\n  reclaim frame0\n")
        .replace("R folio_putback_lru", "R folio_putback_lru x2");
    let (_, notes) = run(&case(&written));
    assert!(!notes.contains(&"lazyfree: discard"), "{notes:?}");
    assert!(notes.contains(&"referenced: keep"), "{notes:?}");
    assert!(notes.contains(&"still mapped: keep"), "{notes:?}");
}

/// An `O_DIRECT` read into a buffer never touched: GUP's fast path finds
/// no PTE, the slow path faults the page in and takes it; the DMA fills
/// it, and a load finds the file's data.
#[test]
fn a_direct_read_faults_the_buffer_in_and_fills_it() {
    for body in [
        "config frames=4\nsetup:\n  bh-write 0 getblk\n  fsync bdev\ntask A:\n  dio-read bdev 0 2\n  anon-load 2\n",
        "config frames=4 fs=xfs\nsetup:\n  pwrite f0 0 2\n  fsync f0\ntask A:\n  dio-read f0 0 2\n  anon-load 2\n",
    ] {
        let (s, _) = run(&case(&format!("profile mainline\n{body}")));
        assert_eq!(count(&s, StepId::GupFastPteRange), 1, "{body}");
        assert_eq!(count(&s, StepId::FollowPagePte), 2, "{body}");
        assert_eq!(count(&s, StepId::DoAnonymousPage), 1, "{body}");
        assert_eq!(count(&s, StepId::DmaRead), 1, "{body}");
    }
}

/// A direct read's data is what a later load must see: dropping it (here,
/// `MADV_DONTNEED` after the read, which promises zeroes) is allowed, but
/// a load finding zeroes where the read put data fires `user-data-lost`.
#[test]
fn user_data_lost_fires_where_the_read_data_is_gone() {
    let c = load("madvise-free-vs-dio-read.litmus").case;
    let out = replay(&c);
    assert!(out.findings.has(OracleId::UserDataLost));
    // Zeroes after MADV_DONTNEED are what the advice promises: clean (run()
    // asserts it), on a release without the fix too.
    run(&case(
        "profile v5.11
config frames=4
setup:
  bh-write 0 getblk
  fsync bdev
task A:
  anon-store 0
  dio-read bdev 0 0
  anon-madvise 0 dontneed
  anon-load 0
",
    ));
}

/// 6c8e2a256915: before it reclaim discards a lazily freed page a direct
/// read holds (the blkdev path, and iomap's window before
/// `bio_set_pages_dirty()`); `check` finds it unscheduled on v5.11, and
/// on v6.1 and mainline no interleaving up to bound 3 loses the data.
/// Taking the fix out of mainline brings it back.
#[test]
fn the_lazyfree_refcount_check_closes_the_madvise_free_vs_dio_race() {
    for file in [
        "madvise-free-vs-dio-read.litmus",
        "madvise-free-vs-dio-read-xfs.litmus",
    ] {
        let mut c = load(file).case;
        c.schedule.clear();
        assert!(check3(&c).is_some(), "{file}: check misses the race");
        for p in ["v6.1", "mainline"] {
            assert_eq!(check3(&on(&c, p)), None, "{file} on {p}");
        }
        assert!(check3(&on(&c, "mainline-6c8e2a256915")).is_some(), "{file}");
    }
}

/// Exhaustively to bound 3 on mainline: a buffer written after
/// `MADV_FREE`, a `MADV_DONTNEED` and a direct read against reclaim, and a
/// direct read racing a buffered writer of the same file.
#[test]
fn check_finds_nothing_on_mainline_up_to_bound_3() {
    let cases = [
        "config frames=4
task A:
  anon-store 0
  anon-madvise 0 free
  anon-store 0
  anon-load 0
task R:
  reclaim frame3
  reclaim frame3",
        "config frames=4
setup:
  bh-write 0 getblk
  fsync bdev
task A:
  anon-store 0
  dio-read bdev 0 0
  anon-madvise 0 dontneed
  anon-load 0
task R:
  reclaim frame2",
        "config frames=4 fs=xfs
setup:
  pwrite f0 0 2
task A:
  anon-store 1
  anon-madvise 1 free
  dio-read f0 0 1
  anon-load 1
task W:
  pwrite f0 0 2
task R:
  reclaim frame1",
    ];
    for body in cases {
        let c = case(&format!("profile mainline\n{body}\n"));
        assert_eq!(check3(&c), None, "{body}");
    }
}

/// An `O_DIRECT` write to a hole: the buffer filled, the block allocated
/// unwritten, the DMA from the buffer, `->end_io` converts; a cached page
/// of the range is invalidated before the write (and a later read finds
/// the data); a folio dirtied again is refused (`-EBUSY`) and, since
/// 60263d5889e6, the write goes through the page cache instead.
#[test]
fn a_direct_write_allocates_converts_and_invalidates() {
    let c = case(
        "profile mainline
config frames=4 fs=xfs
setup:
  truncate f0 2
  read f0 0
task W:
  dio-write f0 0 0
  read f0 0
  fsync f0
",
    );
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::XfsDirectWriteIomapBegin), 1);
    assert_eq!(count(&s, StepId::XfsDioWriteEndIo), 1);
    assert_eq!(count(&s, StepId::FolioUnmapInvalidate), 1, "{s:?}");
    assert!(!notes.iter().any(|n| n.contains("invalidation failed")));
    // The direct write is skipped on the filesystems without it.
    let (_, notes) = run(&case(
        "profile mainline\nconfig fs=simple\ntask W:\n  dio-write f0 0 0\n  anon-load 0\n",
    ));
    assert!(
        notes.iter().any(|n| n.contains("no direct write")),
        "{notes:?}"
    );
}

/// 5e25c269e17d: before it a buffered read between the invalidation after
/// a direct write and the unwritten conversion caches zeroes over the
/// written data (`stale-read`); `check` finds it unscheduled without the
/// fix, and with it no interleaving up to bound 3 does, on v5.0 or
/// mainline. The other toggles of the area do not change it.
#[test]
fn end_io_before_the_invalidation_closes_the_dio_write_vs_read_race() {
    let mut c = load("dio-write-vs-read-unwritten-xfs.litmus").case;
    assert!(replay(&c).findings.has(OracleId::StaleRead));
    c.schedule.clear();
    assert!(check3(&c).is_some(), "check misses the race");
    for p in [
        "v5.0",
        "v5.11",
        "mainline",
        "mainline-6c8e2a256915-60263d5889e6",
    ] {
        assert_eq!(check3(&on(&c, p)), None, "{p}");
    }
}

/// A direct write to the block device (`blkdev_direct_write()`): no inode
/// lock, no `->iomap_begin`, the DMA to the page's fixed blocks, the page
/// released by the submitter; a direct read then returns the data and an
/// fsync finds it on disk. A buffer of the page in a bh LRU holds a
/// reference, so the invalidation before the write fails (`-EBUSY`) and the
/// write would be buffered (not modelled: nothing written, nothing promised).
#[test]
fn a_direct_write_to_the_block_device_lands_at_its_fixed_blocks() {
    let c = case(
        "profile mainline
config frames=4 bh=2
task A:
  dio-write bdev 0 0
  dio-read bdev 0 1
  anon-load 1
  fsync bdev
",
    );
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::SubmitBioWait), 2, "{s:?}");
    assert_eq!(count(&s, StepId::BioReleasePages), 2, "{s:?}");
    assert_eq!(count(&s, StepId::XfsDirectWriteIomapBegin), 0);
    assert!(notes.is_empty(), "{notes:?}");
    let (_, notes) = run(&case(
        "profile mainline
config frames=4 bh=2
setup:
  bh-write 0 getblk
  fsync bdev
task A:
  dio-write bdev 0 0
  anon-load 0
",
    ));
    assert!(
        notes.iter().any(|n| n.contains("blkdev_buffered_write")),
        "{notes:?}"
    );
}

/// A store through a mapping overlaps a direct write of the same page, and
/// the store's folio is written back over the write's blocks after the
/// write returned (`corpus/regressions/mainline-dio-write-vs-store-fsync`,
/// which fires `disk-mismatch` if the write promises its version
/// regardless). POSIX orders nothing between overlapping writes: a direct
/// write during which a folio of its range was dirtied promises nothing
/// (`Shadow::dirtied`), and the case replays clean. Two direct writes
/// overlapping under the shared lock (their DMAs reach the disk in the
/// order of their versions), and a metadata update through the buffer
/// cache racing a direct write of the device, are clean to bound 3.
#[test]
fn overlapping_writes_keep_every_promise() {
    let p = common::litmus_dir().join("../regressions/mainline-dio-write-vs-store-fsync.litmus");
    let text = std::fs::read_to_string(&p).expect("regression file");
    let c = pagelife_core::litmus::parse(&text, "regression")
        .expect("parses")
        .case;
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let c = case(
        "profile mainline
config frames=5 fs=xfs
setup:
  truncate f0 1
task A:
  dio-write f0 0 0
  read f0 0
task B:
  dio-write f0 0 0
  fsync f0
",
    );
    assert_eq!(check3(&c), None);
    let c = case(
        "profile mainline
config frames=4 bh=2
task A:
  dio-write bdev 0 0
  fsync bdev
task B:
  bh-write 0 getblk
",
    );
    assert_eq!(check3(&c), None);
}
