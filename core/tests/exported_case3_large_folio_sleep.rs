//! Regression test exported by `pagelife explain --format rust` for `case3-large-folio-sleep`.
//! Signature: sleep-in-atomic in folio_mc_copy; racing step folio_end_writeback:put.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# BUG sleep-in-atomic (M, step 44, frame0) — mirrors BUG: sleeping function called from invalid context (might_sleep() with a spinlock held)
litmus case3-large-folio-sleep
profile v6.15rc1
config frames=3 buckets=1
expect sleep-in-atomic

setup:
  bh-write 0 getblk
  fsync bdev

task M:
  migrate frame0

schedule:
  io0 *
  M   *
"#;

#[test]
fn case3_large_folio_sleep_fires_on_v6_15rc1() {
    let case = litmus::parse_str(CASE, "case3-large-folio-sleep").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("sleep-in-atomic").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "sleep-in-atomic did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case3_large_folio_sleep_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case3-large-folio-sleep").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
