//! Regression test exported by `pagelife explain --format rust` for `case3-early-unlock-ext2`.
//! Signature: lost-bh-update; racing step mark_buffer_dirty.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# BUG bh-ref-during-migration (E, step 50, frame0) — mirrors
#   buffer_migrate_folio_norefs(): no bh reference may appear once b_count was
#   checked (ebdf4de5642f)
# BUG bh-use-after-free (E, step 58, frame0) — mirrors KASAN use-after-free on a
#   buffer_head or on the old page of a migration (seed 002); page_buffers()
#   after try_to_free_buffers() (seed 004)
# DATA-LOSS lost-bh-update (umount, step 61, frame1) — mirrors a buffer modified
#   and marked dirty is written back (metadata corruption, seed 002)
# DATA-LOSS disk-mismatch (umount, step 84, frame1; disk has f3:0v1, promised
#   f3:0v2) — mirrors fsync(2): data written before fsync is on disk when it
#   returns; sync(2) at unmount
litmus case3-early-unlock-ext2
profile luis_v2
config frames=3 buckets=1
expect bh-ref-during-migration bh-use-after-free lost-bh-update disk-mismatch

setup:
  bh-write 0 getblk
  fsync bdev

task M:
  migrate frame0

task E:
  bh-write 0

schedule:
  io0 *
  M   __buffer_migrate_folio:check
  E   __find_get_block_slow:unlock
  M   migrate_folio_done
  E   *
"#;

#[test]
fn case3_early_unlock_ext2_fires_on_luis_v2() {
    let case = litmus::parse_str(CASE, "case3-early-unlock-ext2").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("lost-bh-update").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "lost-bh-update did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case3_early_unlock_ext2_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case3-early-unlock-ext2").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
