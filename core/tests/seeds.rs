//! The Case 1 litmus files give the verdicts the seed thread describes.

mod common;

use common::{load, on};
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;

const FILES: [&str; 3] = [
    "case1-reuse-bug-on.litmus",
    "case1-stale-dma.litmus",
    "case1-no-reuse.litmus",
];

#[test]
fn replay_on_the_reported_profile_fires_what_the_mail_describes() {
    for f in FILES {
        let l = load(f);
        assert!(!l.expect.is_empty(), "{f} has an expect line");
        let out = replay(&l.case);
        for o in &l.expect {
            assert!(
                out.findings.has(*o),
                "{f}: {o} did not fire; fired: {:?}",
                out.findings.iter().map(|x| x.oracle).collect::<Vec<_>>()
            );
        }
    }
    // The headline oracle of each mail.
    assert!(replay(&load("case1-reuse-bug-on.litmus").case)
        .findings
        .has(OracleId::WritebackAfterWait));
    assert!(replay(&load("case1-stale-dma.litmus").case)
        .findings
        .has(OracleId::StaleDma));
    assert!(replay(&load("case1-no-reuse.litmus").case)
        .findings
        .has(OracleId::WritebackAfterWait));
}

#[test]
fn replay_on_mainline_fires_nothing() {
    for f in FILES {
        let c = on(&load(f).case, "mainline");
        let out = replay(&c);
        assert!(
            out.findings.is_empty(),
            "{f} on mainline: {:?}",
            out.findings.iter().map(|x| x.oracle).collect::<Vec<_>>()
        );
    }
}

#[test]
fn check_mainline_bound_3_finds_no_violation() {
    for f in FILES {
        let r = check(
            &on(&load(f).case, "mainline"),
            CheckOptions {
                bound: 3,
                max_states: 5_000_000,
            },
        );
        assert!(!r.truncated, "{f}: search truncated");
        assert!(
            r.violation.is_none(),
            "{f}: {:?}",
            r.violation.map(|v| v.findings)
        );
        assert!(r.interleavings > 0 && r.states > 0);
    }
}

#[test]
fn check_v5_8_finds_a_violation_in_every_file() {
    for f in FILES {
        let r = check(&on(&load(f).case, "v5.8"), CheckOptions::default());
        let v = r
            .violation
            .unwrap_or_else(|| panic!("{f}: no violation on v5.8"));
        // The violation replays: the printed schedule reproduces a finding.
        let again = replay(&v.case);
        assert!(!again.findings.is_empty(), "{f}: violation does not replay");
    }
}

#[test]
fn hughs_reference_alone_does_not_stop_a_leftover_wakeup() {
    let c = on(&load("case1-no-reuse.litmus").case, "v5.10");
    let r = check(&c, CheckOptions::default());
    let v = r.violation.expect("v5.10 still has the no-reuse race");
    assert!(v.findings.has(OracleId::WritebackAfterWait));
    // And the while loop (v5.11) closes it.
    let r = check(&on(&c, "v5.11"), CheckOptions::default());
    assert!(r.violation.is_none());
}

#[test]
fn before_the_rewrite_the_waker_still_touches_a_page_it_does_not_own() {
    // v5.7: the BUG_ON cannot fire (the waker re-tests the bit, waiters loop),
    // but the old completion still reads PageWaiters of the reused page.
    let out = replay(&on(&load("case1-reuse-bug-on.litmus").case, "v5.7"));
    assert!(!out.findings.has(OracleId::WritebackAfterWait));
    assert!(out.findings.has(OracleId::UseAfterFree));
}
