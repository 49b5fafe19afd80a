//! Regression test exported by `pagelife explain --format rust` for `case4-ext4-delalloc-fallocate`: a `pagelife fuzz --target iomap` finding, minimized.
//! Signature: reservation-leak (with es-inconsistent).

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN es-inconsistent (B, step 38) — mirrors ext4: a delalloc extent-status entry never covers an allocated block, and every delayed block has one reservation (0ea6560abb3b, acf795dc161f)
# WARN reservation-leak (umount, step 70) — mirrors ext4_destroy_inode(): "i_reserved_data_blocks(N) not cleared!" (seed 001); XFS: delalloc extent left at inode reclaim
litmus case4-ext4-delalloc-fallocate-min
profile v6.7
config frames=1 buckets=1 fs=ext4
expect es-inconsistent reservation-leak

setup:
  truncate f0 2

task A:
  fallocate f0 1 3

task B:
  mkwrite f0 1

schedule:
  B ext4_es_lookup_extent x2
"#;

#[test]
fn case4_ext4_delalloc_fallocate_min_fires_on_v6_7() {
    let case = litmus::parse_str(CASE, "case4-ext4-delalloc-fallocate-min")
        .expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("reservation-leak").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "reservation-leak did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_ext4_delalloc_fallocate_min_is_fixed_on_mainline() {
    let mut case = litmus::parse_str(CASE, "case4-ext4-delalloc-fallocate-min")
        .expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
