//! `unlink(2)` of an open file and the end of its life at the last
//! reference: a task that holds the file open keeps using it, one that had
//! not opened it gets `-ENOENT`, and whoever drops the last reference —
//! the unlinker, a task closing after its last use, `munmap`, a walk's
//! `iput()` — runs the eviction. `check` on mainline finds nothing in the
//! races between the eviction and the paths that hold no reference.

mod common;

use common::{case, check3, count, run};
use pagelife_core::exec::replay::replay;
use pagelife_core::step::StepId;
use pagelife_core::world::CtxId;

/// The context that took step `id` first, in a clean run of `text`.
fn who(text: &str, id: StepId) -> Option<CtxId> {
    let out = replay(&case(text));
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let t = out.trace.expect("trace");
    t.steps.iter().find(|e| e.step == id).map(|e| e.ctx)
}

const OPEN_READER: &str = "profile mainline
setup:
  write f0 0
  fsync f0
task A:
  read f0 0
  read f0 0
task U:
  unlink f0
schedule:
  A 1
  U *
  A *
";

#[test]
fn an_open_file_outlives_its_name_and_its_last_closer_evicts_it() {
    let (steps, notes) = run(&case(OPEN_READER));
    assert!(!notes.iter().any(|n| n.contains("ENOENT")), "{notes:?}");
    assert_eq!(count(&steps, StepId::DropNlink), 1);
    assert_eq!(count(&steps, StepId::ClearInode), 1);
    // A (task 0) read twice and dropped the last reference.
    assert_eq!(who(OPEN_READER, StepId::IputFinal), Some(0));
    let last_read = steps.iter().rposition(|&s| s == StepId::CopyFolioToIter);
    let evict = steps.iter().position(|&s| s == StepId::IputFinal);
    assert!(last_read < evict, "{steps:?}");
}

#[test]
fn a_task_that_had_not_opened_the_file_gets_enoent() {
    let text = "profile mainline
setup:
  write f0 0
task U:
  unlink f0
task B:
  read f0 0
  write f0 1
  read f1 0
schedule:
  U *
  B *
";
    let (steps, notes) = run(&case(text));
    assert_eq!(
        notes.iter().filter(|n| n.contains("-ENOENT")).count(),
        2,
        "{notes:?}"
    );
    assert_eq!(count(&steps, StepId::CopyFolioToIter), 0);
    // The unlinker's final iput() was the last reference (U is task 0).
    assert_eq!(who(text, StepId::IputFinal), Some(0));
}

#[test]
fn a_second_unlink_is_enoent_and_evicts_once() {
    let text = "profile mainline
setup:
  write f0 0
task U:
  unlink f0
  unlink f0
task V:
  unlink f0
";
    let (steps, notes) = run(&case(text));
    assert_eq!(count(&steps, StepId::DropNlink), 1, "{notes:?}");
    assert_eq!(count(&steps, StepId::IputFinal), 1);
}

#[test]
fn the_walk_holding_the_last_reference_evicts() {
    // drop_caches holds f0 (__iget, its second inode after the device's)
    // when U unlinks it: U's iput() is not the last, the walk's is.
    let text = "profile mainline
config frames=4
setup:
  write f0 0
  fsync f0
  bh-write 0 getblk
  fsync bdev
task U:
  unlink f0
task D:
  drop-caches
schedule:
  D drop_pagecache_sb x2
  U *
  D *
";
    assert_eq!(who(text, StepId::IputFinal), Some(1));
}

#[test]
fn the_last_munmap_evicts_an_unlinked_file() {
    let text = "profile mainline
config frames=4
setup:
  write f0 0
task A:
  mmap f0
  unlink f0
  store f0 0
  munmap f0
";
    let out = replay(&case(text));
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let t = out.trace.expect("trace");
    let unmap = t.steps.iter().position(|e| e.step == StepId::RemoveVma);
    let evict = t.steps.iter().position(|e| e.step == StepId::IputFinal);
    assert!(unmap.is_some() && evict > unmap, "{unmap:?} {evict:?}");
}

/// The eviction at the last reference races what holds none — reclaim,
/// migration, writeback of the device, another file's sync — and the
/// users that hold one: mainline has no violation up to bound 3.
#[test]
fn check_finds_nothing_on_mainline_up_to_bound_3() {
    let cases = [
        "config frames=4
setup:
  write f0 0
  fsync f0
task A:
  read f0 0
  write f0 0
task U:
  unlink f0
task R:
  reclaim frame0",
        "config frames=4
setup:
  write f0 0
task A:
  write f0 1
  fsync f0
task U:
  unlink f0
task M:
  migrate frame0",
        "config frames=4
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  munmap f0
task U:
  unlink f0
task S:
  sync",
    ];
    for body in cases {
        let c = case(&format!("profile mainline\n{body}\n"));
        assert_eq!(check3(&c), None, "{body}");
    }
}
