//! Regression test exported by `pagelife explain --format rust` for `case1-reuse-bug-on`.
//! Signature: writeback-after-wait in folio_clear_dirty_for_io (with cross-incarnation-wakeup); racing step folio_wake_bit.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# BUG use-after-free (io0, step 65, frame0; pointer to incarnation #1 used, frame now #2) — mirrors VM_BUG_ON_PAGE(PageTail) in PageWaiters() on a reused page (Hugh Dickins, seed 003); KASAN use-after-free
# WARN cross-incarnation-wakeup (io0, step 65, frame0; waker held #1, waiter queued on #2) — mirrors a wakeup that leaks from a previous use of a page (Linus Torvalds, seed 003)
# BUG writeback-after-wait (W, step 68, frame0) — mirrors BUG_ON(folio_test_writeback(folio)) in folio_prepare_writeback() / write_cache_pages()
# BUG end-writeback-unset (io2, step 78, frame0) — mirrors VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback(); BUG() in v5.x end_page_writeback()
litmus case1-reuse-bug-on
profile v5.8
config frames=2 buckets=1
expect use-after-free cross-incarnation-wakeup writeback-after-wait

setup:
  write f0 0
  writeback f0 none

task T:
  truncate f0 0

task N:
  write f1 0
  writeback f1 none
  write f1 0

task W:
  writeback f1 all

schedule:
  io0 __folio_end_writeback
  T   *
  N   *
  W   folio_wait_bit_common
  io0 *
  W   *
"#;

#[test]
fn case1_reuse_bug_on_fires_on_v5_8() {
    let case = litmus::parse_str(CASE, "case1-reuse-bug-on").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("writeback-after-wait").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "writeback-after-wait did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case1_reuse_bug_on_is_fixed_on_mainline() {
    let mut case = litmus::parse_str(CASE, "case1-reuse-bug-on").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
