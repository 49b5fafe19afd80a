//! Private file mappings and copy-on-write: a `PROT_READ, MAP_PRIVATE`
//! mapping faults the page-cache folio in read-only; a `FOLL_FORCE` write
//! (`mem-write`: `/proc/PID/mem`) breaks copy-on-write, and its data stays
//! in the target's private copy (its loads find it, the file never does);
//! truncation discards copies, hole punching keeps them. Dirty COW
//! (19be0eaffa3a) is the race of the GUP loop with `MADV_DONTNEED`.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;
use pagelife_core::step::StepId;

const WRITE_THEN_LOAD: &str = "profile PROFILE
setup:
  write f0 0
task A:
  mmap f0 private ro
  load f0 0
  load f0 0
task B:
  mem-write A f0 0
  read f0 0
schedule:
  A user_load
  B 120
";

/// On every release the forced write copies the page (`do_wp_page()` on
/// the read-only PTE the first load left: `wp_page_copy()`), writes the
/// copy, and the file keeps its data; the target's next load finds the
/// write through the copy.
#[test]
fn a_forced_write_breaks_cow_and_leaves_the_file_alone() {
    for p in ["v5.0", "v6.1", "mainline"] {
        let c = case(&WRITE_THEN_LOAD.replace("PROFILE", p));
        let (s, notes) = run(&c);
        assert_eq!(count(&s, StepId::WpPageCopy), 1, "{p}: {s:?}");
        assert_eq!(count(&s, StepId::CopyToUserPage), 1, "{p}");
        assert_eq!(count(&s, StepId::UserLoad), 2, "{p}");
        assert!(
            !notes.contains(&"VM_FAULT_WRITE: FOLL_WRITE dropped"),
            "{p}"
        );
    }
}

/// A store to a read-only private mapping is SIGSEGV: skipped.
#[test]
fn a_store_to_a_private_mapping_is_skipped() {
    let c = case(
        "profile mainline
task A:
  mmap f0 private ro
  store f0 0
",
    );
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::UserStore), 0);
    assert!(notes.iter().any(|n| n.contains("SIGSEGV")), "{notes:?}");
}

const WRITE_THEN_OP: &str = "profile mainline
config fs=xfs
setup:
  pwrite f0 0 2
  fsync f0
task A:
  mmap f0 private ro
  load f0 0
task B:
  mem-write A f0 0
  OP
schedule:
  A mmap_region
  B 120
";

/// After the forced write, A's load is checked against its private copy:
/// a hole punch keeps the copy (`even_cows` 0: the load goes through it,
/// no fault), a truncation discards it with its promise (the load faults
/// past EOF: SIGBUS). Were the punch to zap the copy as truncation does,
/// the load would find the hole's zeroes: `user-data-lost` (a mutation
/// of `Truncate`'s unmap, tried and reverted).
#[test]
fn truncation_discards_private_copies_and_punching_keeps_them() {
    let c = case(&WRITE_THEN_OP.replace("OP", "punch f0 0 1"));
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::UserLoad), 1);
    assert_eq!(count(&s, StepId::FilemapMapPages), 0, "no fault: {s:?}");
    assert!(!notes.iter().any(|n| n.contains("SIGBUS")));
    let c = case(&WRITE_THEN_OP.replace("OP", "truncate f0 0"));
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::UserLoad), 0);
    assert!(notes.iter().any(|n| n.contains("SIGBUS")), "{notes:?}");
}

/// Dirty COW: on v5.0 without 19be0eaffa3a the write lands in the page
/// cache (`stale-read` of the file); with the fix, on each release's
/// rule, `check` finds no interleaving that does it.
#[test]
fn dirty_cow_needs_the_foll_write_games() {
    let l = load("dirty-cow-mem-write.litmus");
    let out = replay(&l.case);
    assert!(out.findings.has(OracleId::StaleRead), "{:?}", out.findings);
    for p in ["v5.0", "v6.1", "v6.2", "mainline"] {
        assert_eq!(check3(&on(&l.case, p)), None, "{p}");
    }
    // FOLL_COW's rule and the anon-exclusive one are both safe here.
    assert_eq!(check3(&on(&l.case, "v6.2-5535be309971")), None);
}

/// `munmap()` waits for a remote reader of the address space
/// (`mmap_write_lock_killable()` against `access_remote_vm()`'s read lock).
#[test]
fn munmap_waits_for_a_remote_access() {
    let c = case(
        "profile mainline
setup:
  write f0 0
task A:
  mmap f0 private ro
  munmap f0
task B:
  mem-write A f0 0
schedule:
  A 1
  B 1
  A 1
  B 100
  A 100
",
    );
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let t = out.trace.unwrap();
    let order: Vec<StepId> = t
        .steps
        .iter()
        .map(|e| e.step)
        .filter(|s| matches!(s, StepId::MmapReadUnlock | StepId::RemoveVma))
        .collect();
    assert_eq!(order, [StepId::MmapReadUnlock, StepId::RemoveVma]);
}

/// A store to a writable private mapping breaks copy-on-write itself
/// (`do_cow_fault()` with no PTE, `wp_page_copy()` after a load mapped the
/// page-cache folio): the copy is writable, the task's loads find its
/// store, and the file (a read, the disk at unmount) never does.
#[test]
fn a_store_to_a_writable_private_mapping_stays_in_the_copy() {
    let c = case(
        "profile mainline
setup:
  write f0 0
  write f0 1
task A:
  mmap f0 private
  store f0 0
  load f0 1
  store f0 1
  store f0 1
  load f0 0
  load f0 1
task B:
  read f0 0
  read f0 1
",
    );
    let (s, _) = run(&c);
    assert_eq!(count(&s, StepId::FolioPrealloc), 2, "{s:?}");
    assert_eq!(count(&s, StepId::WpPageCopy), 1);
    assert_eq!(count(&s, StepId::UserStore), 3);
    assert_eq!(check3(&c), None);
}
