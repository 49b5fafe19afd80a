//! `madvise(MADV_PAGEOUT)` (1a4e58cce84e, v5.4): the page walk isolates a
//! folio this mm alone maps, and `shrink_folio_list()` reclaims it at once
//! as reclaim would: a dirty file folio is unmapped and kept, a clean one
//! freed, and the next access faults it back with its data.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::step::StepId;

/// Four frames and page 0 of `f0` written and clean on disk.
const CLEAN_F0: &str = "config frames=4
setup:
  write f0 0
  fsync f0
";

/// Store, page out (unmapped, kept dirty), load (faulted back by
/// fault-around), fsync, page out (freed), load (read from disk).
#[test]
fn pageout_keeps_a_dirty_file_folio_and_frees_a_clean_one() {
    let c = case(&format!(
        "profile mainline\n{CLEAN_F0}task A:
  mmap f0
  store f0 0
  madvise-pageout f0 0
  load f0 0
  fsync f0
  madvise-pageout f0 0
  load f0 0
"
    ));
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::MadvisePageoutPteRange), 2);
    assert_eq!(count(&s, StepId::TryToUnmapOne), 2, "both unmap the PTE");
    assert!(notes.contains(&"dirty: keep"), "{notes:?}");
    assert_eq!(count(&s, StepId::PageCacheDelete), 1, "only the clean one");
    assert_eq!(
        count(&s, StepId::FilemapFault),
        2,
        "the store and the last load"
    );
}

/// A folio another mm maps too is left alone (`folio_mapcount()`).
#[test]
fn pageout_skips_a_folio_another_mm_maps() {
    let c = case(&format!(
        "profile mainline\n{CLEAN_F0}task B:
  mmap f0
  load f0 0
  load f0 0
task A:
  mmap f0
  load f0 0
  madvise-pageout f0 0
schedule:
  B user_load
  A user_load
  A madvise_cold_or_pageout_pte_range
"
    ));
    let (s, notes) = run(&c);
    assert!(
        notes.contains(&"mapped by another mm: skipped"),
        "{notes:?}"
    );
    assert_eq!(count(&s, StepId::TryToUnmapOne), 0);
}

/// Before 2864f3d0f583 (v6.9) the walk made the PTE old and reclaim then
/// checked references: another thread's access in between keeps the
/// folio. Since, `shrink_folio_list(…, ignore_references)` frees it.
#[test]
fn since_2864f3d0f583_pageout_ignores_a_reference_after_the_walk() {
    let text = &format!(
        "profile v6.8\n{CLEAN_F0}task A:
  mmap f0
  load f0 0
  madvise-pageout f0 0
task B thread=A:
  load f0 0
schedule:
  io0 folio_end_writeback:put
  A madvise_cold_or_pageout_pte_range
  B user_load
"
    );
    let (s, notes) = run(&case(text));
    assert_eq!(count(&s, StepId::FolioReferencedOne), 1);
    assert!(notes.contains(&"referenced: keep"), "{notes:?}");
    let (s, notes) = run(&on(&case(text), "v6.11"));
    assert_eq!(count(&s, StepId::FolioReferencedOne), 0);
    assert!(!notes.contains(&"referenced: keep"), "{notes:?}");
    assert_eq!(count(&s, StepId::PageCacheDelete), 1);
}

/// 6c8e2a256915's race driven by `MADV_PAGEOUT` from another thread:
/// `check` finds it unscheduled on v5.11; on v6.1 and mainline nothing to
/// bound 3; mainline without the fix finds it again; before v5.4 the
/// advice does not exist.
#[test]
fn pageout_of_a_lazily_freed_dio_buffer_loses_data_before_6c8e2a256915() {
    let mut c = load("madvise-pageout-vs-dio-read.litmus").case;
    c.schedule.clear();
    assert!(check3(&c).is_some(), "check misses the race on v5.11");
    for p in ["v6.1", "mainline", "v5.3"] {
        assert_eq!(check3(&on(&c, p)), None, "on {p}");
    }
    assert!(check3(&on(&c, "mainline-6c8e2a256915")).is_some());
}
