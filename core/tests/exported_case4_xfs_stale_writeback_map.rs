//! Regression test exported by `pagelife explain --format rust` for `case4-xfs-stale-writeback-map`: a `pagelife fuzz --target iomap` finding, minimized.
//! Signature: disk-mismatch in filemap_check_errors (with stale-writeback-map); racing step folio_wake_bit.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN stale-writeback-map (A, step 98, frame1) — mirrors xfs_imap_valid(): a cached writeback mapping is revalidated against if_seq (d9252d526ba6; xfs/558, generic/524)
# DATA-LOSS disk-mismatch (umount, step 131, frame1; disk has 0, promised f0:4v2) — mirrors fsync(2): data written before fsync is on disk when it returns; sync(2) at unmount
# WARN reservation-leak (umount, step 135) — mirrors ext4_destroy_inode(): "i_reserved_data_blocks(N) not cleared!" (seed 001); XFS: delalloc extent left at inode reclaim
litmus case4-xfs-stale-writeback-map-min
profile v5.0
config frames=2 buckets=1 fs=xfs blocks=2
expect stale-writeback-map disk-mismatch reservation-leak

setup:
  pwrite f0 1 5

task A:
  writeback f0 none

task B:
  pwrite f0 0 5

task C:
  punch f0 1 1

schedule:
  C   *
  A   6
  io0 *
  C   *
  A   2
  B   21
"#;

#[test]
fn case4_xfs_stale_writeback_map_min_fires_on_v5_0() {
    let case = litmus::parse_str(CASE, "case4-xfs-stale-writeback-map-min")
        .expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("disk-mismatch").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "disk-mismatch did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_xfs_stale_writeback_map_min_is_fixed_on_mainline() {
    let mut case = litmus::parse_str(CASE, "case4-xfs-stale-writeback-map-min")
        .expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
