//! Regression test exported by `pagelife explain --format rust` for `case4-iomap-stale-zero`: a `pagelife fuzz --target iomap` finding, minimized.
//! Signature: disk-mismatch in filemap_check_errors (with stale-iomap); racing step folio_put.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN stale-iomap (A, step 69, frame1) — mirrors iomap_write_begin() ->iomap_valid(): no folio is initialised from a stale iomap (d7b64041164c, 304a68b9c63b; trace xfs_iomap_invalid)
# DATA-LOSS disk-mismatch (umount, step 115, frame1; disk has 0, promised f0:7v1) — mirrors fsync(2): data written before fsync is on disk when it returns; sync(2) at unmount
litmus case4-iomap-stale-zero-min
profile v5.0
config frames=2 buckets=1 fs=xfs blocks=2
expect stale-iomap disk-mismatch

setup:
  pwrite f0 3 5

task A:
  pwrite f0 2 5

task C cpu=2:
  writeback f0 none

task D cpu=3:
  reclaim frame1

schedule:
  A   filemap_get_entry
  C   *
  io1 *
  D   *
"#;

#[test]
fn case4_iomap_stale_zero_min_fires_on_v5_0() {
    let case =
        litmus::parse_str(CASE, "case4-iomap-stale-zero-min").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("disk-mismatch").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "disk-mismatch did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_iomap_stale_zero_min_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case4-iomap-stale-zero-min").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
