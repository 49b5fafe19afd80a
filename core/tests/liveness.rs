//! The liveness oracles: `migrate-starved` (a migration that can never
//! succeed although nothing holds the folio) and `page-lock-starved` (a
//! folio-lock waiter passed over more than `vm.page_lock_unfairness` times
//! while the lock was free). Each fires on a case and stays quiet on the
//! releases that do not have the problem.

mod common;

use common::{case, load, on};
use pagelife_core::case::Case;
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;

fn fires(c: &Case, o: OracleId) -> bool {
    replay(c).findings.has(o)
}

fn opts(bound: u8) -> CheckOptions {
    CheckOptions {
        bound,
        ..CheckOptions::default()
    }
}

#[test]
fn migrate_starved_when_buffer_meta_bails_for_good() {
    let c = load("migrate-meta-never-moves.litmus").case;
    assert!(fires(&c, OracleId::MigrateStarved));
    assert!(fires(&on(&c, "willy_per_bh"), OracleId::MigrateStarved));
    for p in ["v5.10", "v6.1", "v6.15rc1", "mainline"] {
        assert!(!fires(&on(&c, p), OracleId::MigrateStarved), "{p}");
    }
}

#[test]
fn a_migration_that_failed_on_a_reference_is_not_starved() {
    // The setup's bio still holds the folio when M runs: the migration
    // gives up (-EAGAIN), but alone in the quiet world it succeeds.
    let mut c = load("migrate-meta-never-moves.litmus").case;
    c.schedule.clear();
    let c = on(&c, "mainline");
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let trace = pagelife_core::exec::replay::run_case(
        &c,
        pagelife_core::exec::replay::RunOptions {
            trace: true,
            ..Default::default()
        },
        &mut pagelife_core::exec::replay::NoObserver,
    )
    .trace
    .expect("trace");
    let text = format!("{trace:?}");
    assert!(text.contains("-EAGAIN"), "the run's migration did not fail");
}

#[test]
fn the_bh_lru_does_not_starve_migration() {
    // The setup's lookup leaves the buffer in a bh LRU: migration drains
    // the LRUs (invalidate_bh_lrus(), and lru_cache_disable() from
    // 8cc621d2f45d) on every release.
    let c = case(
        "profile mainline\nconfig frames=3\nsetup:\n  bh-write 0 getblk\n  fsync bdev\n\
         task M:\n  migrate frame0\n",
    );
    for p in ["v5.0", "v5.10", "v6.1", "mainline"] {
        let r = check(&on(&c, p), opts(2));
        assert!(r.violation.is_none(), "{p}: {:?}", r.violation);
    }
}

#[test]
fn page_lock_starved_before_the_handoff() {
    let c = load("page-lock-starved-v5.7.litmus").case;
    assert!(fires(&c, OracleId::PageLockStarved));
    // The same operations in any interleaving (bound 5) on the releases
    // that hand the lock over: never passed over more than once.
    for p in ["v5.8", "v5.9", "v5.10", "mainline"] {
        let r = check(&on(&c, p), opts(5));
        assert!(r.violation.is_none(), "{p}: {:?}", r.violation);
        assert!(!r.truncated, "{p}");
    }
}

#[test]
fn page_lock_unfairness_is_the_sysctl() {
    // With vm.page_lock_unfairness=0 the first wakeup hands the lock over:
    // v5.7 still starves A, v5.9+ do not. With the default 5, three lockers
    // are not enough to starve anyone, on any release.
    let mut c = load("page-lock-starved-v5.7.litmus").case;
    c.config.page_lock_unfairness = 0;
    c.schedule.clear();
    assert!(check(&c, opts(5)).violation.is_some());
    assert!(check(&on(&c, "v5.9"), opts(5)).violation.is_none());
    c.config.page_lock_unfairness = 5;
    assert!(check(&c, opts(5)).violation.is_none());
}
