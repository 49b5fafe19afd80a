//! ext4's direct write (`ext4_dio_write_iter()`): the lock it takes per
//! release (aa9714d0e397, 240930fb7e6b), the blocks `ext4_iomap_begin()`
//! allocates, and where `i_size` grows (5899593f51e6), with the race the
//! last one closed.

mod common;

use common::{case, check3, count, load, on, run};
use pagelife_core::step::StepId;

/// `config` and a task `A` that direct-writes page `index` of `f0` after
/// `setup`, then reads it back.
fn dio_write(profile: &str, setup: &str, index: u8) -> pagelife_core::case::Case {
    case(&format!(
        "profile {profile}\nconfig frames=4 fs=ext4\nsetup:\n{setup}task A:
  dio-write f0 {index} 0
  read f0 {index}
"
    ))
}

/// Page 0 written and on disk: a direct write over it is an overwrite.
const WRITTEN: &str = "  write f0 0\n  fsync f0\n";

/// An overwrite of written blocks keeps `i_rwsem` shared on mainline; on
/// v5.3 (before aa9714d0e397) it is taken exclusive and downgraded.
#[test]
fn an_overwrite_is_shared_since_aa9714d0e397() {
    let (s, _) = run(&dio_write("mainline", WRITTEN, 0));
    assert_eq!(count(&s, StepId::InodeLockShared), 1);
    assert_eq!(count(&s, StepId::Ext4DioWriteChecks), 1);
    assert_eq!(count(&s, StepId::Ext4IomapBegin), 1);
    let (old, _) = run(&dio_write("v5.3", WRITTEN, 0));
    assert_eq!(count(&old, StepId::InodeLockShared), 0);
    assert_eq!(
        count(&old, StepId::InodeLock),
        count(&s, StepId::InodeLock) + 1,
        "the write's own inode_lock()"
    );
}

/// A write into a hole inside `i_size` starts shared, is not an
/// overwrite, and restarts exclusive; its block is allocated unwritten
/// and converted by `->end_io`, and the read finds the data.
#[test]
fn a_hole_inside_i_size_restarts_exclusive_and_is_converted() {
    let c = dio_write("mainline", "  truncate f0 2\n", 0);
    let (s, _) = run(&c);
    assert_eq!(count(&s, StepId::InodeLockShared), 1);
    assert_eq!(count(&s, StepId::Ext4DioWriteChecks), 2, "restart");
    let out = pagelife_core::exec::replay::replay(&c);
    let converted = out.trace.expect("trace").steps.iter().any(|e| {
        e.step == StepId::Ext4DioWriteEndIo
            && e.events.iter().any(|ev| {
                matches!(ev, pagelife_core::trace::Event::Map { from, to, .. }
                    if *from == pagelife_core::world::ext::UNWRITTEN
                        && *to == pagelife_core::world::ext::WRITTEN)
            })
    });
    assert!(converted, "->end_io converts the unwritten block");
}

/// An overwrite of preallocated (unwritten) blocks takes `i_rwsem`
/// exclusive before 240930fb7e6b (v6.1) and keeps it shared since (v6.3).
#[test]
fn an_unwritten_overwrite_is_shared_since_240930fb7e6b() {
    let prealloc = "  fallocate f0 0 1\n";
    let (v61, _) = run(&dio_write("v6.1", prealloc, 0));
    assert_eq!(count(&v61, StepId::Ext4DioWriteChecks), 2, "restart");
    let (v63, _) = run(&dio_write("v6.3", prealloc, 0));
    assert_eq!(count(&v63, StepId::Ext4DioWriteChecks), 1, "stays shared");
}

/// An extending write grows `i_size` in `->end_io` since 5899593f51e6,
/// and after `iomap_dio_rw()` before it; both read their data back.
#[test]
fn an_extending_write_grows_i_size_where_each_release_did() {
    let (s, _) = run(&dio_write("mainline", "  truncate f0 1\n", 1));
    assert_eq!(count(&s, StepId::InodeLockShared), 0, "past EOF: exclusive");
    assert_eq!(count(&s, StepId::Ext4HandleInodeExtension), 0);
    let (old, _) = run(&dio_write("v5.11", "  truncate f0 1\n", 1));
    assert_eq!(count(&old, StepId::Ext4HandleInodeExtension), 1);
}

/// The generic/418 race: `check` finds it unscheduled on v5.11 and v5.0;
/// with 5899593f51e6, on v6.1 and on mainline nothing to bound 3; and on
/// mainline without it 8c8387ee3f55 keeps the read away from the page
/// past EOF.
#[test]
fn an_extending_write_races_a_read_before_5899593f51e6() {
    let mut c = load("ext4-dio-extend-vs-read.litmus").case;
    c.schedule.clear();
    for p in ["v5.11", "v5.0"] {
        assert!(check3(&on(&c, p)).is_some(), "check misses it on {p}");
    }
    for p in [
        "v5.11+5899593f51e6",
        "v6.1",
        "mainline",
        "mainline-5899593f51e6",
    ] {
        assert_eq!(check3(&on(&c, p)), None, "on {p}");
    }
}
