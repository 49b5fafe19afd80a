//! Regression test exported by `pagelife explain --format rust` for `case5-gfs2-page-done`: a `pagelife fuzz --target iomap` finding, minimized.
//! Signature: bh-use-after-free in gfs2_page_add_databufs (with unjournaled-jdata-write); racing step folio_putback_lru.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN unjournaled-jdata-write (C, step 40, frame1) — mirrors gfs2 jdata: a buffer joins the transaction before writeback can write it in place (80baab88bb93, seed 004)
# BUG bh-use-after-free (A, step 70, frame1) — mirrors KASAN use-after-free on a buffer_head or on the old page of a migration (seed 002); page_buffers() after try_to_free_buffers() (seed 004)
litmus case5-gfs2-page-done-min
profile v6.1
config frames=2 buckets=1 fs=gfs2 blocks=2
expect unjournaled-jdata-write bh-use-after-free

task A:
  pwrite f0 7 6

task C cpu=2:
  fsync f0
  reclaim frame1

schedule:
  A   folio_unlock x2
  C   *
  io0 *
  io1 *
  C   *
"#;

#[test]
fn case5_gfs2_page_done_min_fires_on_v6_1() {
    let case = litmus::parse_str(CASE, "case5-gfs2-page-done-min").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("bh-use-after-free").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "bh-use-after-free did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case5_gfs2_page_done_min_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case5-gfs2-page-done-min").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
