//! `fork()` (`task B fork=A`), copy-on-write of anonymous memory as each
//! release decides it in `do_wp_page()`, long-term pins (`pin`, `unpin`)
//! and the GUP-vs-COW fixes: 17839856fd58, 09854ba94c6a, 70e806e4e645,
//! a7f226604170.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::codec;
use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::step::StepId;

/// Each litmus file fires on its profile as written, `check` finds the
/// race there without the schedule, and finds none on the profiles whose
/// fix closes it, nor on mainline.
#[test]
fn each_gup_vs_cow_fix_closes_its_race() {
    let table: [(&str, &str, &[&str]); 3] = [
        (
            "cow-vmsplice-after-fork.litmus",
            "v5.7",
            &[
                "v5.7+17839856fd58",
                "v5.7+09854ba94c6a",
                "v5.8",
                "v5.9",
                "mainline",
            ],
        ),
        (
            "cow-fork-with-pinned-page.litmus",
            "v5.8",
            &["v5.9", "v6.1", "mainline"],
        ),
        (
            "cow-ro-pin-after-fork.litmus",
            "v5.11",
            &["v6.1", "mainline"],
        ),
    ];
    for (file, before, after) in table {
        let l = load(file);
        let out = replay(&l.case);
        assert!(!out.findings.is_empty(), "{file}: fires as written");
        let mut free = l.case.clone();
        free.schedule.clear();
        assert!(check3(&on(&free, before)).is_some(), "{file} on {before}");
        for p in after {
            assert_eq!(check3(&on(&l.case, p)), None, "{file} on {p}");
        }
    }
}

/// Serially the child sees the parent's data as it was at the fork, and
/// the two processes' stores after it stay apart: each write fault copies
/// or reuses, and no oracle fires on any release.
#[test]
fn after_fork_parent_and_child_see_their_own_stores() {
    let text = "profile mainline
task A:
  anon-store 0
  fork
  anon-store 0
  anon-load 0
task B fork=A:
  anon-load 0
  anon-store 0
  anon-load 0
";
    for p in ["v5.0", "v5.8", "v5.9", "v6.1", "mainline"] {
        let c = on(&case(text), p);
        let out = replay(&c);
        assert!(out.findings.is_empty(), "{p}: {:?}", out.findings);
        let (s, _) = run(&c);
        assert_eq!(count(&s, StepId::CopyPteRange), 1, "{p}: {s:?}");
        assert!(count(&s, StepId::DoWpPage) >= 2, "{p}: {s:?}");
    }
}

/// The child's operations start only once the parent's fork is done.
#[test]
fn a_child_runs_after_the_fork() {
    let c = case(
        "profile mainline
task A:
  anon-store 0
  fork
task B fork=A:
  anon-load 0
schedule:
  B 5
  A 100
  B 100
",
    );
    let (s, _) = run(&c);
    let fork = s.iter().position(|&id| id == StepId::DupMmapDone);
    let load = s.iter().position(|&id| id == StepId::UserLoad);
    assert!(fork.is_some() && load > fork, "{s:?}");
}

/// A fork whose `copy_present_page()` cannot get a page fails: the child
/// runs none of its operations, and what the fork copied is torn down.
#[test]
fn a_failed_fork_runs_no_child() {
    let c = case(
        "profile mainline
task A:
  anon-store 0
  pin 0
  fork
  unpin
task B fork=A:
  anon-store 0
faults:
  alloc-fail at page_copy_prealloc
",
    );
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let (s, notes) = run(&c);
    assert!(
        notes.contains(&"the fork failed: the child never ran"),
        "{notes:?}"
    );
    assert_eq!(count(&s, StepId::UserStore), 1, "{s:?}");
}

/// A read-only pin of the process's own page, then a store: the device
/// reads the store on every release (the PTE is writable: no fault).
#[test]
fn a_pin_without_fork_is_coherent() {
    let text = "profile mainline
task A:
  anon-store 0
  pin 0 ro
  anon-store 0
  unpin
  pin 0
  unpin
  anon-load 0
";
    for p in ["v5.0", "v5.9", "mainline"] {
        let c = on(&case(text), p);
        assert_eq!(check3(&c), None, "{p}");
    }
}

/// `fork=` must name an earlier task of its own, one child per parent;
/// each error says where. (A `fork` without a declared child is skipped
/// when it runs, as a second `fork` is: see the next test.)
#[test]
fn fork_declarations_are_checked() {
    let bad = [
        (
            "profile mainline\ntask A:\ntask B fork=C:\n",
            "3:13",
            "earlier task",
        ),
        (
            "profile mainline\ntask A:\ntask B fork=A:\ntask C fork=A:\n",
            "4:13",
            "already has a child",
        ),
        (
            "profile mainline\ntask A:\ntask B fork=A:\ntask C thread=B:\n",
            "4:15",
            "child of a fork",
        ),
        (
            "profile mainline\ntask A:\ntask B fork=A thread=A:\n",
            "3:15",
            "not both",
        ),
    ];
    for (text, at, msg) in bad {
        let e = litmus::parse(text, "t.litmus").expect_err(text);
        let s = e.to_string();
        assert!(
            s.contains(&format!("t.litmus:{at}")) && s.contains(msg),
            "{text}: {s}"
        );
    }
}

/// A `fork` with no child declared, and a second one, are skipped.
#[test]
fn forks_without_a_child_are_skipped() {
    let c = case("profile mainline\ntask A:\n  anon-store 0\n  fork\n  fork\ntask B:\n  fork\n");
    let (s, notes) = run(&c);
    assert!(
        notes.contains(&"no child declared (`fork=`): skipped"),
        "{notes:?}"
    );
    assert_eq!(count(&s, StepId::DupMmap), 0, "{s:?}");
    let c = case("profile mainline\ntask A:\n  anon-store 0\n  fork\n  fork\ntask B fork=A:\n");
    let (s, notes) = run(&c);
    assert!(notes.contains(&"already forked: skipped"), "{notes:?}");
    assert_eq!(count(&s, StepId::DupMmap), 1, "{s:?}");
}

/// The relation survives the printer and the codec.
#[test]
fn fork_relations_round_trip() {
    let l = load("cow-vmsplice-after-fork.litmus");
    assert_eq!(l.case.tasks[1].fork, Some(0));
    let printed = litmus::print(&l.case, None, &[], &[]);
    assert!(printed.contains("task B fork=A:"), "{printed}");
    let back = codec::decode(&codec::encode(&l.case)).expect("decodes");
    assert_eq!(back.tasks[1].fork, Some(0));
    assert_eq!(back.tasks[1].thread, None);
}

/// The oracle is general: a device read through a pin of a page the
/// process then unmapped must find what the page held, and does.
#[test]
fn pin_incoherent_is_silent_when_the_process_unmaps_its_own_page() {
    let c = case(
        "profile v5.7
task A:
  anon-store 0
  pin 0 ro
  anon-madvise 0 dontneed
  anon-store 0
  unpin
",
    );
    let out = replay(&c);
    assert!(
        !out.findings.has(OracleId::PinIncoherent),
        "{:?}",
        out.findings
    );
    assert_eq!(check3(&c), None);
}
