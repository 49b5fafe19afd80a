//! Cases 4 and 5 (iomap's cached mappings, ext4 delalloc, gfs2 page_done):
//! the litmus files give the verdicts the mails describe, each fix closes its
//! race (replay and `check`), and removing one fix from mainline opens it again.

mod common;

use common::{load, on};
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;

const FILES: [&str; 6] = [
    "case4-iomap-stale-zero.litmus",
    "case4-xfs-punch-vs-mkwrite.litmus",
    "case4-xfs-stale-writeback-map.litmus",
    "case4-ext4-delalloc-fallocate.litmus",
    "case4-ext4-delalloc-read.litmus",
    "case5-gfs2-page-done.litmus",
];

fn headline(file: &str, profile: &str) -> Option<OracleId> {
    let c = on(&load(file).case, profile);
    replay(&c).findings.headline().map(|f| f.oracle)
}

fn check_clean(file: &str, profile: &str) -> bool {
    let c = on(&load(file).case, profile);
    let r = check(
        &c,
        CheckOptions {
            bound: 3,
            max_states: 3_000_000,
        },
    );
    assert!(
        !r.truncated,
        "{file} on {profile}: check stopped at max_states"
    );
    r.violation.is_none()
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
        assert!(check_clean(f, "mainline"), "{f}: check on mainline");
    }
}

#[test]
fn fixes_198dd8aedee6_and_f43dc4dc3eff_close_the_punch_vs_page_mkwrite_race() {
    let f = "case4-xfs-punch-vs-mkwrite.litmus";
    assert_eq!(headline(f, "v6.1"), Some(OracleId::DiskMismatch));
    // The lock alone closes the window between the truncation and the
    // punch, but v6.1's truncate_pagecache_range() still drops a folio the
    // fault dirtied before it: f43dc4dc3eff's data loss.
    assert_eq!(headline(f, "v6.1+198dd8aedee6"), None);
    assert!(!check_clean(f, "v6.1+198dd8aedee6"));
    // The scan alone leaves the window between the scan and the tail punch.
    assert!(!check_clean(f, "v6.1+f43dc4dc3eff"));
    assert!(!check_clean(f, "mainline-198dd8aedee6"));
    // Both: v6.2.
    assert!(check_clean(f, "v6.1+198dd8aedee6+f43dc4dc3eff"));
    assert_eq!(headline(f, "v6.2"), None);
    assert!(check_clean(f, "v6.2"));
}

#[test]
fn d7b64041164c_and_304a68b9c63b_close_the_stale_iomap_zeroing() {
    let f = "case4-iomap-stale-zero.litmus";
    assert_eq!(headline(f, "v6.1"), Some(OracleId::DiskMismatch));
    assert_eq!(headline(f, "v6.2"), None);
    assert!(check_clean(f, "v6.2"));
    // Either half alone is not the fix: the iomap core hook needs XFS's cookie.
    assert_eq!(
        headline(f, "v6.2-d7b64041164c"),
        Some(OracleId::DiskMismatch)
    );
    assert_eq!(
        headline(f, "v6.2-304a68b9c63b"),
        Some(OracleId::DiskMismatch)
    );
    assert_eq!(
        headline(f, "mainline-304a68b9c63b"),
        Some(OracleId::DiskMismatch)
    );
}

#[test]
fn d9252d526ba6_closes_the_stale_writeback_mapping() {
    let f = "case4-xfs-stale-writeback-map.litmus";
    assert_eq!(headline(f, "v5.0"), Some(OracleId::DiskMismatch));
    assert_eq!(headline(f, "v5.3"), None);
    assert!(check_clean(f, "v5.3"));
    assert_eq!(
        headline(f, "mainline-d9252d526ba6"),
        Some(OracleId::DiskMismatch)
    );
}

#[test]
fn only_0ea6560abb3b_closes_the_mkwrite_fallocate_race() {
    let f = "case4-ext4-delalloc-fallocate.litmus";
    // acf795dc161f (the exclusive lock) does not help: the lookup was lockless.
    assert_eq!(headline(f, "v6.7"), Some(OracleId::ReservationLeak));
    assert_eq!(headline(f, "v6.8"), Some(OracleId::ReservationLeak));
    assert_eq!(headline(f, "v6.11"), None);
    assert!(check_clean(f, "v6.11"));
    assert_eq!(
        headline(f, "mainline-0ea6560abb3b"),
        Some(OracleId::ReservationLeak)
    );
}

#[test]
fn acf795dc161f_closes_the_read_put_gap_race() {
    let f = "case4-ext4-delalloc-read.litmus";
    assert_eq!(headline(f, "v6.7"), Some(OracleId::EsInconsistent));
    assert_eq!(headline(f, "v6.8"), None);
    assert!(check_clean(f, "v6.8"));
    // 0ea6560abb3b's recheck runs under the write lock only: alone it does not help.
    assert_eq!(
        headline(f, "mainline-acf795dc161f"),
        Some(OracleId::EsInconsistent)
    );
}

#[test]
fn gfs2_80baab88bb93_and_the_v1_proposal_both_close_page_done_after_unlock() {
    let f = "case5-gfs2-page-done.litmus";
    assert_eq!(headline(f, "v6.1"), Some(OracleId::BhUseAfterFree));
    assert_eq!(headline(f, "v6.2"), Some(OracleId::BhUseAfterFree));
    assert_eq!(headline(f, "v6.3"), None);
    assert!(check_clean(f, "v6.3"));
    assert_eq!(headline(f, "gfs2_v1"), None);
    assert!(check_clean(f, "gfs2_v1"));
    assert_eq!(
        headline(f, "mainline-80baab88bb93"),
        Some(OracleId::BhUseAfterFree)
    );
}

/// The gfs2 short write (docs/reports/gfs2-short-write-stale-data.md),
/// reached by an allocation failure and by a fatal signal: stale data on
/// mainline and on Debian 12's kernel, not on XFS or ext4, and none with the
/// report's candidate fix (the `gfs2_zero_kept` proposal).
#[test]
fn the_gfs2_zero_kept_proposal_closes_both_short_write_triggers() {
    for f in [
        "gfs2-short-write-stale-alloc.litmus",
        "gfs2-short-write-stale-signal.litmus",
    ] {
        for p in ["mainline", "debian12", "v6.1"] {
            assert_eq!(headline(f, p), Some(OracleId::StaleRead), "{f} on {p}");
        }
        assert_eq!(headline(f, "gfs2_zero_kept"), None, "{f}");
        assert!(check_clean(f, "gfs2_zero_kept"), "{f}");
        for fs in ["xfs", "ext4"] {
            let text = std::fs::read_to_string(common::litmus_dir().join(f))
                .unwrap()
                .replace("fs=gfs2", &format!("fs={fs}"));
            let c = common::case(&text);
            assert!(replay(&c).findings.is_empty(), "{f} on {fs}");
        }
    }
}

#[test]
fn the_earlier_seed_races_keep_their_verdicts() {
    let expect: [(&str, &str, Option<OracleId>); 6] = [
        (
            "case1-reuse-bug-on.litmus",
            "v5.8",
            Some(OracleId::WritebackAfterWait),
        ),
        ("case1-stale-dma.litmus", "v5.8", Some(OracleId::StaleDma)),
        (
            "case1-no-reuse.litmus",
            "v5.10",
            Some(OracleId::WritebackAfterWait),
        ),
        (
            "case2-norefs-find-get-block.litmus",
            "v5.0",
            Some(OracleId::LostBhUpdate),
        ),
        (
            "case3-large-folio-sleep.litmus",
            "v6.15rc1",
            Some(OracleId::SleepInAtomic),
        ),
        ("case1-reuse-bug-on.litmus", "v6.1", None),
    ];
    for (f, p, o) in expect {
        assert_eq!(headline(f, p), o, "{f} on {p}");
    }
}
