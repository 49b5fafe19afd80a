//! Regression test exported by `pagelife explain --format rust` for `case4-xfs-stale-writeback-map`.
//! Signature: disk-mismatch in filemap_check_errors (with stale-writeback-map); racing step folio_wake_bit.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN stale-writeback-map (B, step 124, frame1; block 1 through a view of disk
#   block 1; extent now delalloc) — mirrors xfs_imap_valid(): a cached writeback
#   mapping is revalidated against if_seq (d9252d526ba6; xfs/558, generic/524)
# DATA-LOSS disk-mismatch (umount, step 138, frame1; disk has 0, promised
#   f0:2v2) — mirrors fsync(2): data written before fsync is on disk when it
#   returns; sync(2) at unmount
# WARN reservation-leak (umount, step 142; f0: 1 block(s) still reserved) —
#   mirrors ext4_destroy_inode(): "i_reserved_data_blocks(N) not cleared!" (seed
#   001); XFS: delalloc extent left at inode reclaim
litmus case4-xfs-stale-writeback-map
profile v5.0
config frames=4 buckets=1 fs=xfs
expect stale-writeback-map disk-mismatch reservation-leak

setup:
  write f0 0
  write f0 1
  fsync f0
  write f0 0

task B:
  writeback f0 none

task P:
  punch f0 1 1
  write f0 1

schedule:
  B folio_batch_release
  P *
  B *
"#;

#[test]
fn case4_xfs_stale_writeback_map_fires_on_v5_0() {
    let case =
        litmus::parse_str(CASE, "case4-xfs-stale-writeback-map").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("disk-mismatch").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "disk-mismatch did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_xfs_stale_writeback_map_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case4-xfs-stale-writeback-map").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
