//! Cases 2 and 3 (buffer heads and norefs migration): the litmus files give
//! the verdicts the mails describe, and each commit or proposal the verdict a
//! reviewer would want.

mod common;

use common::{load, on};
use pagelife_core::exec::check::{check, check_matching, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::{Findings, OracleId};

const FILES: [&str; 4] = [
    "case2-norefs-find-get-block.litmus",
    "case3-large-folio-sleep.litmus",
    "case3-meta-head-only.litmus",
    "case3-early-unlock-ext2.litmus",
];

fn fires(file: &str, profile: &str) -> Option<OracleId> {
    let c = on(&load(file).case, profile);
    replay(&c).findings.headline().map(|f| f.oracle)
}

/// Whether `check` finds a race in the file on the profile: any oracle but
/// `migrate-starved`, which says a proposal's price in liveness, not a race
/// (`starved` below).
fn check_finds(file: &str, profile: &str) -> bool {
    check_for(file, profile, &|f| {
        f.iter().any(|x| x.oracle != OracleId::MigrateStarved)
    })
}

/// Whether the file's migration can end up never succeeding on the profile.
fn starved(file: &str, profile: &str) -> bool {
    check_for(file, profile, &|f| f.has(OracleId::MigrateStarved))
}

fn check_for(file: &str, profile: &str, accept: &dyn Fn(&Findings) -> bool) -> bool {
    let c = on(&load(file).case, profile);
    let opts = CheckOptions {
        bound: 3,
        max_states: 2_000_000,
    };
    check_matching(&c, opts, accept).violation.is_some()
}

#[test]
fn each_file_fires_what_its_mail_describes_and_nothing_on_mainline() {
    for f in FILES {
        let l = load(f);
        let out = replay(&l.case);
        for o in &l.expect {
            assert!(out.findings.has(*o), "{f}: {o} did not fire");
        }
        assert!(
            replay(&on(&l.case, "mainline")).findings.is_empty(),
            "{f} on mainline"
        );
        let r = check(
            &on(&l.case, "mainline"),
            CheckOptions {
                bound: 3,
                max_states: 2_000_000,
            },
        );
        assert!(
            r.violation.is_none() && !r.truncated,
            "{f}: check on mainline"
        );
    }
}

#[test]
fn norefs_89cb0888ca14_is_racy_and_ebdf4de5642f_closes_it() {
    assert_eq!(
        fires("case2-norefs-find-get-block.litmus", "v5.0"),
        Some(OracleId::LostBhUpdate)
    );
    assert!(!check_finds("case2-norefs-find-get-block.litmus", "v5.3"));
}

#[test]
fn ebdf4de5642f_sleeps_in_atomic_once_large_bdev_folios_come() {
    assert_eq!(
        fires("case3-large-folio-sleep.litmus", "v6.15rc1"),
        Some(OracleId::SleepInAtomic)
    );
    assert_eq!(fires("case3-large-folio-sleep.litmus", "v6.12"), None);
}

#[test]
fn luis_v2_reopens_the_race_for_plain_buffers_and_misses_a_non_head_meta_buffer() {
    assert!(check_finds("case3-early-unlock-ext2.litmus", "luis_v2"));
    assert!(check_finds("case3-meta-head-only.litmus", "luis_v2"));
    // It did fix the sleep in atomic.
    assert!(!check_finds("case3-large-folio-sleep.litmus", "luis_v2"));
}

#[test]
fn wilcox_per_bh_check_fixes_the_second_but_not_the_first() {
    assert!(!check_finds("case3-meta-head-only.litmus", "willy_per_bh"));
    // By never migrating a folio with a BH_Meta buffer again.
    assert!(starved("case3-meta-head-only.litmus", "willy_per_bh"));
    assert!(!starved("case3-meta-head-only.litmus", "v6.15rc1"));
    assert!(check_finds(
        "case3-early-unlock-ext2.litmus",
        "willy_per_bh"
    ));
}

#[test]
fn bh_migrate_2d900efff915_closes_all_of_them() {
    for f in FILES {
        assert!(!check_finds(f, "mainline"), "{f}");
    }
}

#[test]
fn jan_kara_2019_rfc_closes_case_2_too() {
    assert!(!check_finds(
        "case2-norefs-find-get-block.litmus",
        "jan_rfc_2019"
    ));
}

#[test]
fn new_oracles_fire_and_do_not() {
    let case2 = load("case2-norefs-find-get-block.litmus").case;
    let out = replay(&case2);
    for o in [
        OracleId::BhRefDuringMigration,
        OracleId::BhUseAfterFree,
        OracleId::LostBhUpdate,
    ] {
        assert!(out.findings.has(o), "{o}");
    }
    let fixed = replay(&on(&case2, "v5.3"));
    for o in [
        OracleId::BhRefDuringMigration,
        OracleId::BhUseAfterFree,
        OracleId::LostBhUpdate,
    ] {
        assert!(!fixed.findings.has(o), "{o} on v5.3");
    }
    let sleep = load("case3-large-folio-sleep.litmus").case;
    assert!(replay(&sleep).findings.has(OracleId::SleepInAtomic));
    assert!(!replay(&on(&sleep, "mainline"))
        .findings
        .has(OracleId::SleepInAtomic));
}
