//! Regression test exported by `pagelife explain --format rust` for `case4-xfs-punch-vs-mkwrite`.
//! Signature: disk-mismatch in filemap_check_errors; racing step folio_put.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# DATA-LOSS disk-mismatch (umount, step 66, frame0; disk has 0, promised f0:0v1)
#   — mirrors fsync(2): data written before fsync is on disk when it returns;
#   sync(2) at unmount
litmus case4-xfs-punch-vs-mkwrite
profile v6.1
config frames=3 buckets=1 fs=xfs
expect disk-mismatch

setup:
  truncate f0 2
  read f0 1

task W:
  pwrite f0 0 4

task M:
  mkwrite f0 0

schedule:
  W find_get_entries
  M folio_put
  W inode_unlock

faults:
  alloc-fail 2
"#;

#[test]
fn case4_xfs_punch_vs_mkwrite_fires_on_v6_1() {
    let case =
        litmus::parse_str(CASE, "case4-xfs-punch-vs-mkwrite").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("disk-mismatch").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "disk-mismatch did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_xfs_punch_vs_mkwrite_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case4-xfs-punch-vs-mkwrite").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
