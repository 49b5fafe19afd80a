//! XFS reflink: `FICLONE` shares a file's blocks with another, writes to a
//! shared block go through the COW fork (buffered, mapped, direct), the
//! completion remaps them, and the clone keeps its data; 55f669f34184's
//! trim of the remap to the ioend's range closes the stale-data race of
//! v5.19 to v6.6.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;
use pagelife_core::step::StepId;

/// The oracles that fire when `c` is replayed.
fn fired(c: &pagelife_core::case::Case) -> Vec<OracleId> {
    replay(c).findings.iter().map(|f| f.oracle).collect()
}

/// A clone and its source both written, serially: each write to a shared
/// block reserves in its file's COW fork, writeback sends it there, the
/// completion remaps it; the other file keeps its data.
const BOTH_WRITTEN: &str = "litmus xfs-reflink-cow-write
profile mainline
config frames=4 buckets=1 fs=xfs

setup:
  write f0 0
  write f0 1
  fsync f0

task A:
  reflink f0 f1
  write f1 0
  pwrite f0 2 1                      # half of block 1: the rest read from the shared block
  fsync f1
  fsync f0
  read f0 0
  read f1 1
  truncate f1 1
";

#[test]
fn a_clone_keeps_its_data_while_both_files_are_written() {
    let c = case(BOTH_WRITTEN);
    for p in ["v5.0", "v5.11", "v6.1", "mainline"] {
        let (steps, _) = run(&on(&c, p));
        assert_eq!(count(&steps, StepId::XfsReflinkRemapExtent), 2, "{p}");
        // Both files' writes went through their COW forks and were remapped.
        assert!(
            count(&steps, StepId::XfsMapBlocksCow) >= 2,
            "{p}: {steps:?}"
        );
        assert!(
            count(&steps, StepId::XfsReflinkEndCow) >= 2,
            "{p}: {steps:?}"
        );
    }
}

#[test]
fn a_direct_write_to_a_shared_block_goes_to_a_cow_block() {
    let text = "profile mainline
config frames=4 fs=xfs
setup:
  write f0 0
  fsync f0
task A:
  reflink f0 f1
  dio-write f0 0 0
  read f1 0
  read f0 0
  fsync f1
";
    let (steps, _) = run(&case(text));
    assert_eq!(count(&steps, StepId::XfsReflinkRemapExtent), 1);
    assert_eq!(count(&steps, StepId::XfsDioWriteEndIo), 1);
    assert_eq!(check3(&case(text)), None);
}

#[test]
fn only_xfs_clones() {
    let text = "profile mainline
config fs=ext4
setup:
  write f0 0
task A:
  reflink f0 f1
  read f1 0
";
    let (steps, notes) = run(&case(text));
    assert_eq!(count(&steps, StepId::XfsReflinkRemapExtent), 0);
    assert!(notes.iter().any(|n| n.contains("EOPNOTSUPP")), "{notes:?}");
}

#[test]
fn the_untrimmed_cow_remap_exposes_a_deleted_files_data_on_v6_1_only() {
    let c = load("xfs-end-cow-untrimmed.litmus").case;
    assert!(fired(&c).contains(&OracleId::StaleRead), "{:?}", fired(&c));
    for p in ["v5.11", "v6.7", "mainline", "v6.1+55f669f34184"] {
        assert_eq!(fired(&on(&c, p)), vec![], "{p}");
    }
}

#[test]
fn a_writer_of_the_source_during_the_remap_overwrites_the_shared_block_before_v5_3() {
    for f in [
        "xfs-reflink-src-vs-dio-write.litmus",
        "xfs-reflink-src-vs-mkwrite.litmus",
    ] {
        let c = load(f).case;
        assert!(
            fired(&c).contains(&OracleId::SharedOverwrite),
            "{f}: {:?}",
            fired(&c)
        );
        for p in ["v5.3", "v6.1", "mainline", "v5.0+5d888b481e6a"] {
            assert_eq!(fired(&on(&c, p)), vec![], "{f} on {p}");
        }
    }
}

#[test]
fn check_finds_nothing_on_mainline_in_the_reflink_files() {
    for f in [
        "xfs-end-cow-untrimmed.litmus",
        "xfs-reflink-src-vs-dio-write.litmus",
        "xfs-reflink-src-vs-mkwrite.litmus",
    ] {
        let c = on(&load(f).case, "mainline");
        assert_eq!(check3(&c), None, "{f}");
    }
    assert_eq!(check3(&case(BOTH_WRITTEN)), None);
}
