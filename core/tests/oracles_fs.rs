//! The oracles of Cases 4 and 5: each fires on its race, and does not fire
//! when the same tasks run one after the other on the same (unfixed) kernel.

mod common;

use common::load;
use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;

/// The case with its schedule dropped: the tasks run in order, each until it
/// finishes (the replay's fallback), the bios as they become ready.
fn serial(c: &Case) -> Case {
    let mut c = c.clone();
    c.schedule.clear();
    c
}

fn fired(c: &Case) -> Vec<OracleId> {
    replay(c).findings.iter().map(|f| f.oracle).collect()
}

fn fires_only_when_raced(file: &str, o: OracleId) {
    let c = load(file).case;
    assert!(
        fired(&c).contains(&o),
        "{file}: {o} did not fire: {:?}",
        fired(&c)
    );
    let s = serial(&c);
    assert!(fired(&s).is_empty(), "{file} run serially: {:?}", fired(&s));
}

#[test]
fn stale_iomap() {
    fires_only_when_raced("case4-iomap-stale-zero.litmus", OracleId::StaleIomap);
}

#[test]
fn stale_writeback_map() {
    fires_only_when_raced(
        "case4-xfs-stale-writeback-map.litmus",
        OracleId::StaleWritebackMap,
    );
}

#[test]
fn es_inconsistent() {
    fires_only_when_raced("case4-ext4-delalloc-read.litmus", OracleId::EsInconsistent);
    fires_only_when_raced(
        "case4-ext4-delalloc-fallocate.litmus",
        OracleId::EsInconsistent,
    );
}

#[test]
fn reservation_leak() {
    fires_only_when_raced(
        "case4-ext4-delalloc-fallocate.litmus",
        OracleId::ReservationLeak,
    );
    // XFS: the delalloc extent a stale writeback mapping never converted.
    fires_only_when_raced(
        "case4-xfs-stale-writeback-map.litmus",
        OracleId::ReservationLeak,
    );
}

#[test]
fn unjournaled_jdata_write_and_bh_use_after_free() {
    fires_only_when_raced("case5-gfs2-page-done.litmus", OracleId::UnjournaledJdata);
    fires_only_when_raced("case5-gfs2-page-done.litmus", OracleId::BhUseAfterFree);
    // Writeback in the window alone: the in-place write, no use after free.
    let mut c = load("case5-gfs2-page-done.litmus").case;
    c.tasks.truncate(2);
    c.schedule
        .retain(|s| s.ctx < 2 || s.ctx >= pagelife_core::world::BIO_CTX0);
    let f = fired(&c);
    assert!(f.contains(&OracleId::UnjournaledJdata), "{f:?}");
    assert!(!f.contains(&OracleId::BhUseAfterFree), "{f:?}");
}

#[test]
fn partial_block_writes_read_the_rest_of_the_block_when_nothing_races() {
    // pwrite of the first half of a written block, the folio not cached: the
    // second half is read from disk, and the final sync keeps both halves.
    let c = common::case(
        "
profile v6.1
config fs=xfs
setup:
  pwrite f0 0 2
  fsync f0
task A:
  reclaim frame0
  pwrite f0 0 1
  read f0 0
",
    );
    let out = replay(&c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}
