//! Regression test exported by `pagelife explain --format rust` for `case1-stale-dma`.
//! Signature: stale-dma in dma_transfer (with free-under-writeback, cross-incarnation-wakeup); racing step folio_put.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# BUG use-after-free (io0, step 57, frame0; pointer to incarnation #1 used, frame now #2) — mirrors VM_BUG_ON_PAGE(PageTail) in PageWaiters() on a reused page (Hugh Dickins, seed 003); KASAN use-after-free
# WARN cross-incarnation-wakeup (io0, step 57, frame0; waker held #1, waiter queued on #2) — mirrors a wakeup that leaks from a previous use of a page (Linus Torvalds, seed 003)
# BUG free-under-writeback (B, step 62, frame0) — mirrors mm/page_alloc.c free_page_is_bad(): PG_writeback in PAGE_FLAGS_CHECK_AT_FREE, "Bad page state"
# DATA-LOSS stale-dma (io1, step 77, frame0; bio submitted on #2, frame now #3) — mirrors a write bio's pages stay owned by the bio until completion (seed 003, Matthew Wilcox's DMA sequence)
# BUG end-writeback-unset (io1, step 78, frame0) — mirrors VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback(); BUG() in v5.x end_page_writeback()
litmus case1-stale-dma
profile v5.8
config frames=2 buckets=1
expect use-after-free cross-incarnation-wakeup free-under-writeback stale-dma end-writeback-unset

setup:
  write f0 0
  writeback f0 none

task T:
  truncate f0 0

task B:
  write f1 0
  writeback f1 none
  truncate f1 0
  write f2 0

schedule:
  io0 __folio_end_writeback
  T   *
  B   folio_wait_bit_common
  io0 *
  B   *
  io1 *
"#;

#[test]
fn case1_stale_dma_fires_on_v5_8() {
    let case = litmus::parse_str(CASE, "case1-stale-dma").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("stale-dma").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "stale-dma did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case1_stale_dma_is_fixed_on_mainline() {
    let mut case = litmus::parse_str(CASE, "case1-stale-dma").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
