//! Regression test exported by `pagelife explain --format rust` for `case4-ext4-delalloc-read`: a `pagelife fuzz --target iomap` finding, minimized.
//! Signature: es-inconsistent in ext4_es_insert_extent.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

const CASE: &str = r#"# WARN es-inconsistent (A, step 25) — mirrors ext4: a delalloc extent-status entry never covers an allocated block, and every delayed block has one reservation (0ea6560abb3b, acf795dc161f)
litmus case4-ext4-delalloc-read-min
profile v5.0
config frames=2 buckets=1 fs=ext4 blocks=2
expect es-inconsistent

setup:
  truncate f0 2

task A:
  mkwrite f0 1

task B:
  pwrite f0 2 6

schedule:
  B __folio_set_locked:store
  A filemap_add_folio
  B filemap_add_folio
  A ext4_es_find_extent_range
  B ext4_insert_delayed_block
"#;

#[test]
fn case4_ext4_delalloc_read_min_fires_on_v5_0() {
    let case =
        litmus::parse_str(CASE, "case4-ext4-delalloc-read-min").expect("the litmus text parses");
    let out = replay(&case);
    let want = OracleId::from_name("es-inconsistent").expect("oracle exists");
    assert!(
        out.findings.has(want),
        "es-inconsistent did not fire: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}

#[test]
fn case4_ext4_delalloc_read_min_is_fixed_on_mainline() {
    let mut case =
        litmus::parse_str(CASE, "case4-ext4-delalloc-read-min").expect("the litmus text parses");
    case.profile = Profile::parse("mainline").expect("mainline exists");
    let out = replay(&case);
    assert!(
        out.findings.is_empty(),
        "on mainline: {:?}",
        out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
    );
}
