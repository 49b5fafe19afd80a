//! Regression test exported by `pagelife explain --format rust` for `case1-no-reuse`.
//! Signature: writeback-after-wait in folio_clear_dirty_for_io; racing step folio_end_writeback:put.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# BUG writeback-after-wait (CPU3, step 59, frame0) — mirrors BUG_ON(folio_test_writeback(folio)) in folio_prepare_writeback() / write_cache_pages()
# BUG end-writeback-unset (io2, step 70, frame0) — mirrors VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback(); BUG() in v5.x end_page_writeback()
litmus case1-no-reuse
profile v5.10
config frames=2 buckets=1
expect writeback-after-wait

setup:
  write f0 0
  writeback f0 none
  write f0 0

task CPU2:
  writeback f0 none
  write f0 0

task CPU3:
  writeback f0 all

schedule:
  io0  __folio_end_writeback
  CPU2 *
  CPU3 folio_wait_bit_common
  io0  *
  CPU3 *
"#;

#[test]
fn case1_no_reuse_fires_on_v5_10() {
    let case = litmus::parse_str(CASE, "case1-no-reuse").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("writeback-after-wait").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "writeback-after-wait did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case1_no_reuse_is_fixed_on_mainline() {
    let mut case = litmus::parse_str(CASE, "case1-no-reuse").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
