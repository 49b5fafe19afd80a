//! Threads sharing an mm (`task B thread=A`) and their TLBs: a store
//! through a stale TLB entry after a zap cleared the PTE and before its
//! flush; 5df397dec7c4 (v6.2) keeps the rmap of a dirty file PTE until the
//! flush, so `folio_mkclean()` waits for the PTE lock.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::codec;
use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::step::StepId;

/// Before 5df397dec7c4 the litmus file's interleaving loses the second
/// store (`disk-mismatch`), and `check` finds it on v6.1 without a
/// schedule; since, `check` finds no interleaving that loses it.
#[test]
fn a_stale_tlb_store_after_mkclean_needs_the_early_rmap_removal() {
    let l = load("tlb-stale-dirty-vs-mkclean.litmus");
    let out = replay(&l.case);
    assert!(
        out.findings.has(OracleId::DiskMismatch),
        "{:?}",
        out.findings
    );
    let mut free = l.case.clone();
    free.schedule.clear();
    assert!(check3(&on(&free, "v6.1")).is_some(), "v6.1");
    for p in ["v6.2", "mainline", "v6.1+5df397dec7c4"] {
        assert_eq!(check3(&on(&l.case, p)), None, "{p}");
    }
    assert!(check3(&on(&l.case, "mainline-5df397dec7c4")).is_some());
}

/// Two tasks of one mm: the thread stores through the mapping its leader
/// made, and the second store hits its TLB (no second walk: no fault).
#[test]
fn a_thread_uses_its_leaders_mapping_and_its_own_tlb() {
    let c = case(
        "profile mainline
setup:
  write f0 0
task A:
  mmap f0
task B thread=A:
  store f0 0
  store f0 0
schedule:
  A mmap_region
  B 100
",
    );
    let (s, notes) = run(&c);
    assert_eq!(count(&s, StepId::UserStore), 2, "{s:?}");
    assert!(notes.contains(&"through a TLB entry"), "{notes:?}");
    assert_eq!(count(&s, StepId::RemoveVma), 1, "one exit_mmap(): {s:?}");
}

/// Separate processes have no TLB entry to go stale: the same zap and
/// cleaning on two mms never loses the store, on any release.
#[test]
fn without_threads_nothing_is_lost() {
    let l = load("tlb-stale-dirty-vs-mkclean.litmus");
    let text = litmus::print(&l.case, None, &[], &[]).replace(" thread=A", "");
    let mut c = case(&text);
    let mmap = c.tasks[0].ops[0];
    c.tasks[1].ops.insert(0, mmap);
    assert!(c.tasks.iter().all(|t| t.thread.is_none()));
    assert_eq!(check3(&on(&c, "v6.1")), None);
}

/// `thread=` names an earlier task that is not itself a thread, and it
/// survives the byte codec.
#[test]
fn thread_declarations_parse_print_and_encode() {
    let bad = [
        ("task A thread=B:\n  sync\n", "earlier task"),
        (
            "task A:\n  sync\ntask B thread=A:\n  sync\ntask C thread=B:\n  sync\n",
            "itself a thread",
        ),
    ];
    for (text, want) in bad {
        let e = litmus::parse_str(text, "t").unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
        assert!(e.starts_with("t:1:") || e.starts_with("t:5:"), "{e}");
    }
    let l = load("tlb-stale-dirty-vs-mkclean.litmus");
    assert_eq!(l.case.tasks[1].thread, Some(0));
    let back = codec::decode(&codec::encode(&l.case)).expect("decode");
    assert_eq!(back.tasks[1].thread, Some(0));
    assert_eq!(back.tasks[2].thread, None);
    let printed = litmus::print(&l.case, None, &[], &[]);
    assert!(printed.contains("task B thread=A:"), "{printed}");
}
