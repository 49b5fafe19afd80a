//! The journal (jbd2): a journal head's `b_count` reference from write
//! access to checkpoint, the frozen copy and BH_Shadow, the checkpoint's
//! commit of a live transaction, and seed 000's question — does migration
//! race a journalled buffer? Each jbd2 oracle fires when raced and not
//! serially.

mod common;

use pagelife_core::exec::check::{check, check_matching, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::{OracleId, Severity};
use pagelife_core::world::ctx_name;

fn text(name: &str) -> String {
    std::fs::read_to_string(common::litmus_dir().join(name)).unwrap()
}

fn opts() -> CheckOptions {
    CheckOptions {
        bound: 3,
        ..CheckOptions::default()
    }
}

/// Step names of a replay's trace, with the context that took each.
fn steps(t: &str) -> Vec<(String, String)> {
    let c = common::case(t);
    let names: Vec<String> = c.tasks.iter().map(|t| t.name.clone()).collect();
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let tr = out.trace.expect("replay traces");
    tr.steps
        .iter()
        .map(|s| (ctx_name(s.ctx, &names), s.step.name().to_string()))
        .collect()
}

#[test]
fn the_journal_head_holds_a_reference_until_the_checkpoint_drops_it() {
    let t = "litmus jh-ref\nprofile mainline\nconfig frames=3 buckets=1\n\
        task T:\n  jbd2-update 0 getblk\n  migrate frame0\n  jbd2-commit\n  migrate frame0\n\
        \x20 jbd2-checkpoint\n  migrate frame0\n";
    let s = steps(t);
    let set_bh: Vec<usize> = (0..s.len()).filter(|&i| s[i].1 == "folio_set_bh").collect();
    let last_cp = s
        .iter()
        .rposition(|x| *x == ("T".into(), "jbd2_log_do_checkpoint".into()))
        .unwrap();
    assert_eq!(
        set_bh.len(),
        1,
        "only the migration after the checkpoint moves the folio"
    );
    assert!(set_bh[0] > last_cp);
}

#[test]
fn a_handle_waits_for_the_log_write_of_the_primary_copy() {
    // J asks for write access while K's log write of block 0 is in flight
    // (BH_Shadow): it sleeps until journal_end_buffer_io_sync(), then
    // repeats do_get_write_access().
    let t = "litmus shadow\nprofile mainline\nconfig frames=3 buckets=1\n\
        setup:\n  jbd2-update 0 getblk\n\
        task K:\n  jbd2-commit\ntask J:\n  jbd2-update 0\n\
        schedule:\n  K jbd2_journal_write_metadata_buffer\n  J *\n  io0 *\n  J *\n  K *\n";
    let s = steps(t);
    let access: Vec<usize> = (0..s.len())
        .filter(|&i| s[i] == ("J".into(), "do_get_write_access".into()))
        .collect();
    let end_io = s
        .iter()
        .position(|x| x.1 == "journal_end_buffer_io_sync")
        .unwrap();
    assert_eq!(access.len(), 2, "{s:?}");
    assert!(access[0] < end_io && end_io < access[1]);
}

#[test]
fn a_later_handle_changes_the_buffer_while_the_commit_logs_its_frozen_copy() {
    // T1 is committing and block 0 is on its BJ_Metadata list, not yet
    // shadowed: J (T2) freezes a copy and updates the buffer before the log
    // write; the log gets T1's contents (no log-stale-copy).
    let t = "litmus frozen\nprofile mainline\nconfig frames=3 buckets=1\n\
        setup:\n  jbd2-update 0 getblk\n\
        task K:\n  jbd2-commit\ntask J:\n  jbd2-update 0\n\
        schedule:\n  K jbd2_journal_commit_transaction:T_FLUSH\n  J *\n  K *\n  io0 *\n";
    let s = steps(t);
    let write = s
        .iter()
        .position(|x| *x == ("J".into(), "b_data:write".into()))
        .unwrap();
    let dma = s.iter().position(|x| x.1 == "dma_transfer").unwrap();
    assert!(write < dma, "{s:?}");
    let c = common::case(t);
    assert!(check(&c, opts()).violation.is_none());
}

#[test]
fn a_checkpoint_commits_a_buffers_live_transaction_first() {
    // Block 0 is on T1's checkpoint list and in T2: the checkpoint commits
    // T2 ("Waiting for Godot") before it lets T1 go; umount finds v2 on disk.
    let t = "litmus godot\nprofile mainline\nconfig frames=3 buckets=1\n\
        task T:\n  jbd2-update 0 getblk\n  jbd2-commit\n  jbd2-update 0\n  jbd2-checkpoint\n";
    let s = steps(t);
    let locks = s
        .iter()
        .filter(|x| x.1 == "jbd2_journal_commit_transaction:T_LOCKED")
        .count();
    assert!(locks >= 2, "{s:?}");
}

/// The jbd2 oracles fire in their litmus files' races and not when the
/// same operations run one after another.
#[test]
fn log_stale_copy_and_checkpoint_lost_fire_when_raced_not_serially() {
    for name in [
        "jbd2-commit-vs-migrate.litmus",
        "jbd2-without-norefs.litmus",
    ] {
        let l = common::load(name);
        let raced = replay(&l.case);
        assert!(raced.findings.has(OracleId::LogStaleCopy), "{name}");
        let mut serial = l.case.clone();
        serial.schedule.clear();
        let out = replay(&serial);
        assert!(
            out.findings.is_empty(),
            "{name} serially: {:?}",
            out.findings
        );
    }
    let l = common::load("jbd2-without-norefs.litmus");
    assert!(replay(&l.case).findings.has(OracleId::CheckpointLost));
}

const RELEASES: [&str; 9] = [
    "v5.0",
    "v5.3",
    "v5.10",
    "v6.1",
    "v6.12",
    "mainline",
    "jan_rfc_2019",
    "luis_v2",
    "willy_per_bh",
];

/// Seed 000: with the journal's reference, migration never races the
/// commit's aliasing of `b_folio` on any release or proposal; it does when
/// the norefs check is taken away. The proposals that bail on
/// `buffer_meta()` pay for it in liveness: once the journal has let go of
/// the buffer, its folio still never migrates (`migrate-starved`).
#[test]
fn the_norefs_check_makes_migration_back_off_a_journalled_buffer() {
    let t = text("jbd2-commit-vs-migrate.litmus");
    let c = common::case(&t);
    assert!(check(&c, opts()).violation.is_some());
    let race = |f: &pagelife_core::oracle::Findings| {
        f.iter().any(|x| x.oracle != OracleId::MigrateStarved)
    };
    let starved = |f: &pagelife_core::oracle::Findings| f.has(OracleId::MigrateStarved);
    for p in RELEASES {
        let r = check_matching(&common::on(&c, p), opts(), &race);
        assert!(
            r.violation.is_none(),
            "{p}: {:?}",
            r.violation.map(|v| v.findings)
        );
        let meta_bail = matches!(p, "luis_v2" | "willy_per_bh");
        let r = check_matching(&common::on(&c, p), opts(), &starved);
        assert_eq!(r.violation.is_some(), meta_bail, "{p}");
    }
}

/// Seed 000 again: a first journalled update racing a migration whose
/// check went early (luis_v2, willy_per_bh: a lookup's reference after the
/// check) loses nothing — `do_get_write_access()` waits on the buffer lock
/// the migration holds — where a metadata user that does not lock the
/// buffer loses its update (case3-meta-head-only).
#[test]
fn a_journalled_update_is_not_lost_where_an_unlocked_one_is() {
    let data_loss = |f: &pagelife_core::oracle::Findings| {
        f.iter().any(|x| x.oracle.severity() == Severity::DataLoss)
    };
    let jbd2 = common::case(&text("jbd2-first-update-vs-migrate.litmus"));
    let plain = common::case(&text("case3-meta-head-only.litmus"));
    for p in RELEASES {
        let r = check_matching(&common::on(&jbd2, p), opts(), &data_loss);
        assert!(
            r.violation.is_none(),
            "{p}: {:?}",
            r.violation.map(|v| v.findings)
        );
    }
    let r = check_matching(&common::on(&plain, "luis_v2"), opts(), &data_loss);
    assert!(r.violation.is_some());
}

/// `checkpoint-lost` is found in `file` on each of `racy` and on none of `clean`.
fn checkpoint_lost_on(file: &str, racy: &[&str], clean: &[&str]) {
    let c = common::case(&text(file));
    let lost = |p: &str| {
        let r = check(&common::on(&c, p), opts());
        r.violation
            .is_some_and(|v| v.findings.has(OracleId::CheckpointLost))
    };
    for p in racy {
        assert!(lost(p), "{file}: not on {p}");
    }
    for p in clean {
        assert!(!lost(p), "{file}: on {p}");
    }
}

/// e34c8dd238d0 (v6.5): the checkpoint's dirty test under `trylock_buffer()`
/// closes the race with writeback that v6.4 and earlier had
/// (jbd2-checkpoint-vs-writeback.litmus), and taking it out of mainline
/// opens it again.
#[test]
fn e34c8dd238d0_closes_the_checkpoint_race_with_writeback() {
    checkpoint_lost_on(
        "jbd2-checkpoint-vs-writeback.litmus",
        &["v6.1", "v5.10", "mainline-e34c8dd238d0"],
        &["v6.1+e34c8dd238d0", "v6.7", "mainline"],
    );
}

/// c2d6fd9d6f35 (v6.5): a buffer the checkpoint queued for writing is
/// examined again, not removed because it is unlocked
/// (jbd2-checkpoint-recheck.litmus: a handle cleared its dirty bit for a
/// new transaction, so nothing was written).
#[test]
fn c2d6fd9d6f35_keeps_a_rejournalled_buffer_on_the_checkpoint_list() {
    checkpoint_lost_on(
        "jbd2-checkpoint-recheck.litmus",
        &["v6.1", "mainline-c2d6fd9d6f35"],
        &["v6.1+c2d6fd9d6f35", "v6.7", "mainline"],
    );
}

/// 46f881b5b175 (v6.5): the checkpoint shrinker tests BH_Dirty under
/// `trylock_buffer()`; before it (v6.1, the shrinker of 4ba3fcdde7e3) a
/// writeback between `__cp_buffer_busy()`'s lock and dirty reads made it
/// drop a buffer whose write was in flight. v5.11 has no shrinker.
#[test]
fn f46f881b5b175_closes_the_shrinker_race_with_writeback() {
    checkpoint_lost_on(
        "jbd2-shrink-vs-writeback.litmus",
        &["v6.1", "mainline-46f881b5b175"],
        &["v6.1+46f881b5b175", "v6.7", "mainline", "v5.11"],
    );
}

/// 590a809ff743 (v6.6): a buffer a live transaction holds is busy for the
/// shrinker; 46f881b5b175 alone (v6.5's state) dropped a re-journalled one.
#[test]
fn f590a809ff743_keeps_a_rejournalled_buffer_from_the_shrinker() {
    checkpoint_lost_on(
        "jbd2-shrink-rejournalled.litmus",
        &["v6.7-590a809ff743", "v6.1+46f881b5b175"],
        &["v6.7", "mainline"],
    );
}
