//! User mappings: page tables, faults, loads and stores through PTEs, and
//! the paths that write-protect (writeback), age and unmap (reclaim), and
//! zap (truncation, `munmap`, `madvise`, exit) them. Each operation does
//! what its kernel path does, and `check` on mainline finds nothing in the
//! races between them up to bound 3.

mod common;

use common::{case, check3, count, load, on};
use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::step::StepId;
use pagelife_core::trace::Event;

fn steps(c: &Case) -> Vec<StepId> {
    let out = replay(c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    out.trace
        .expect("trace")
        .steps
        .iter()
        .map(|e| e.step)
        .collect()
}

fn notes(c: &Case) -> Vec<&'static str> {
    let out = replay(c);
    let mut v = Vec::new();
    for e in out.trace.expect("trace").steps {
        for ev in e.events {
            if let Event::Note(n) | Event::Bail(n) = ev {
                v.push(n);
            }
        }
    }
    v
}

/// PTEs set by faults: by fault-around (a cached page) or `finish_fault()`.
fn maps(s: &[StepId]) -> usize {
    count(s, StepId::FilemapMapOrder0Folio) + count(s, StepId::FinishFault)
}

/// A store, a writeback, a store: writeback write-protects the PTE
/// (`folio_mkclean()`), so the second store faults (`do_wp_page()`) and
/// dirties the folio again; the fsync then writes it.
const STORE_WRITEBACK_STORE: &str = "
profile mainline
config frames=4
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  writeback f0 all
  store f0 0
  fsync f0
";

#[test]
fn writeback_write_protects_so_the_next_store_faults() {
    let s = steps(&case(STORE_WRITEBACK_STORE));
    // The first store maps the page writable (do_shared_fault), the second
    // finds it read-only after the writeback and reuses it.
    assert_eq!(count(&s, StepId::FinishFault), 1);
    let clean = s.iter().position(|&x| x == StepId::PageVmaMkcleanOne);
    let wp = s.iter().position(|&x| x == StepId::DoWpPage);
    assert!(clean.is_some() && wp > clean, "{s:?}");
    assert_eq!(count(&s, StepId::WpPageReuse), 1);
    assert_eq!(count(&s, StepId::UserStore), 2);
    // exit_mmap() zaps the PTE at the end.
    assert!(s.contains(&StepId::ZapPteRange) && s.contains(&StepId::RemoveVma));
}

/// A load of a cached page is mapped read-only by fault-around, with no
/// `__do_fault()`; a second load goes through the PTE.
#[test]
fn a_load_maps_read_only_and_the_next_one_does_not_fault() {
    let s = steps(&case(
        "
profile mainline
setup:
  write f0 1
task A:
  mmap f0
  load f0 1
  load f0 1
",
    ));
    assert_eq!(count(&s, StepId::FilemapMapOrder0Folio), 1);
    assert_eq!(count(&s, StepId::FinishFault), 0);
    assert_eq!(count(&s, StepId::UserLoad), 2);
    assert_eq!(count(&s, StepId::DoWpPage), 0);
}

/// Reclaim of a mapped page: the first pass finds the PTE young and keeps
/// it (clearing the bit), the second unmaps and frees it; the next load
/// faults it in again from the disk.
#[test]
fn reclaim_keeps_a_young_page_then_unmaps_it() {
    let c = case(
        "
profile mainline
config frames=4
setup:
  write f0 0
task A:
  fsync f0
  mmap f0
  load f0 0
  reclaim frame0
  reclaim frame0
  load f0 0
",
    );
    let s = steps(&c);
    assert!(notes(&c).contains(&"referenced: keep"));
    // Both passes age the PTE; the second finds it old.
    assert_eq!(count(&s, StepId::FolioReferencedOne), 2);
    assert_eq!(count(&s, StepId::TryToUnmapOne), 1);
    assert_eq!(count(&s, StepId::FreeUnrefFolios), 1);
    // The first load maps the cached page (fault-around), the second
    // reads it back in (__do_fault(), finish_fault()).
    assert_eq!(count(&s, StepId::FilemapMapOrder0Folio), 1);
    assert_eq!(count(&s, StepId::FinishFault), 1);
}

/// Truncation unmaps before it removes: the PTE beyond the new EOF goes
/// (`unmap_mapping_range()`), and a later load of that page is SIGBUS.
#[test]
fn truncate_unmaps_and_a_load_beyond_eof_is_sigbus() {
    let c = case(
        "
profile mainline
setup:
  write f0 0
  write f0 1
task A:
  mmap f0
  load f0 1
  truncate f0 1
  load f0 1
",
    );
    let s = steps(&c);
    assert!(s.contains(&StepId::ZapPteRange));
    assert!(notes(&c).contains(&"SIGBUS"), "{:?}", notes(&c));
}

/// `madvise(MADV_DONTNEED)` zaps the PTE and keeps the mapping; `munmap`
/// drops the mapping, after which a load is skipped (SIGSEGV).
#[test]
fn dontneed_keeps_the_mapping_and_munmap_drops_it() {
    let c = case(
        "
profile mainline
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  madvise f0 0 dontneed
  load f0 0
  munmap f0
  load f0 0
",
    );
    let s = steps(&c);
    assert_eq!(count(&s, StepId::ZapPteRange), 2);
    assert_eq!(maps(&s), 2);
    // The load after munmap is skipped: one load ran.
    assert_eq!(count(&s, StepId::UserLoad), 1);
}

/// The mapping holds the file: an unlink while it is mapped drops the
/// name, not the last reference; the eviction comes after the unmap, run
/// by the task that dropped the mapping's reference.
#[test]
fn a_mapping_holds_the_inode_until_munmap() {
    let text = |sched: &str| {
        format!(
            "
profile mainline
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  munmap f0
task E:
  unlink f0
schedule:
{sched}
"
        )
    };
    let evicts = |sched: &str| {
        let out = replay(&case(&text(sched)));
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        let t = out.trace.expect("trace");
        let evict = t.steps.iter().position(|e| e.step == StepId::IputFinal);
        let unmap = t.steps.iter().position(|e| e.step == StepId::RemoveVma);
        let by = evict.map(|i| t.steps[i].ctx);
        (evict, unmap, by)
    };
    // A (task 0) holds the file: its munmap's fput() is the last reference.
    let (evict, unmap, by) = evicts("  A mmap_region\n  E *\n  A *");
    assert!(
        unmap.is_some() && evict > unmap && by == Some(0),
        "{evict:?} {unmap:?}"
    );
    // A is done with it before E unlinks: E's final iput() evicts.
    let (evict, unmap, by) = evicts("  A *\n  E *");
    assert!(
        unmap.is_some() && evict > unmap && by == Some(1),
        "{evict:?} {unmap:?}"
    );
}

/// The races between the mapping paths and writeback, truncation,
/// reclaim, hole punching and eviction, exhaustively to bound 3: mainline
/// (and the releases since v5.0, for the punch) has none.
#[test]
fn check_finds_nothing_on_mainline_up_to_bound_3() {
    let cases = [
        // A store racing writeback and fsync (folio_mkclean()).
        "config frames=4
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  store f0 0
  fsync f0
task B:
  writeback f0 none",
        // A fault and a store racing a truncation (unmap before removal).
        "config frames=4
setup:
  write f0 0
  write f0 1
task A:
  mmap f0
  load f0 1
  store f0 1
task T:
  truncate f0 1",
        // Reclaim of a mapped page racing a store, a load and writeback.
        "config frames=4
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  load f0 0
task R:
  reclaim frame0
  reclaim frame0
task B:
  writeback f0 all",
        // Eviction waiting for the mapping.
        "config frames=4
setup:
  write f0 0
task A:
  mmap f0
  store f0 0
  munmap f0
task E:
  unlink f0",
    ];
    for body in cases {
        let c = case(&format!("profile mainline\n{body}\n"));
        assert_eq!(check3(&c), None, "{body}");
    }
    // A read fault racing a hole punch whose block is reused (the fault
    // counterpart of read-vs-punch-ext4): ext4's ->fault lock, then
    // filemap_fault()'s invalidate_lock, exclude it on every release.
    let punch = case(
        "profile mainline
config frames=4 buckets=1 fs=ext4
setup:
  pwrite f0 0 2
  fsync f0
task P:
  punch f0 0 1
task A:
  mmap f0
  load f0 0
task W:
  pwrite f1 0 2
  fsync f1
",
    );
    for p in ["v5.0", "v5.10", "mainline"] {
        assert_eq!(check3(&on(&punch, p)), None, "{p}");
    }
}

/// ea3d7209ca01: without ext4's fault lock a read fault maps a folio read
/// from a block the punch is freeing (stale-read once another file reuses
/// it); with it, no interleaving up to bound 3 does, on v5.0 or mainline.
#[test]
fn ext4_fault_lock_closes_the_fault_vs_punch_race() {
    fault_lock_closes("mmap-fault-vs-punch-ext4.litmus");
}

/// e8e9ad42c1f1 (XFS_MMAPLOCK): the same on XFS.
#[test]
fn xfs_mmaplock_closes_the_fault_vs_punch_race() {
    fault_lock_closes("mmap-fault-vs-punch-xfs.litmus");
}

fn fault_lock_closes(file: &str) {
    let c = load(file).case;
    assert!(replay(&c)
        .findings
        .has(pagelife_core::oracle::OracleId::StaleRead));
    let mut unscheduled = c.clone();
    unscheduled.schedule.clear();
    assert!(check3(&unscheduled).is_some(), "check misses the race");
    for p in ["v5.0", "mainline"] {
        assert_eq!(check3(&on(&unscheduled, p)), None, "{p}");
    }
}
