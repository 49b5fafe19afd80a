//! Locks per release: a read racing a hole punch (730633f0b7f9's read-side
//! invalidate_lock), and XFS's IOLOCK that always excluded it.

mod common;

use pagelife_core::exec::check::{check, CheckOptions};

fn violates(text: &str, profile: &str) -> bool {
    let c = common::on(&common::case(text), profile);
    check(
        &c,
        CheckOptions {
            bound: 3,
            ..CheckOptions::default()
        },
    )
    .violation
    .is_some()
}

#[test]
fn read_vs_punch_races_on_ext4_before_v5_15_only() {
    let text =
        std::fs::read_to_string(common::litmus_dir().join("read-vs-punch-ext4.litmus")).unwrap();
    assert!(violates(&text, "v5.10"));
    assert!(!violates(&text, "mainline"));
    assert!(!violates(&text, "v6.1"));
}

#[test]
fn read_vs_punch_never_races_on_xfs() {
    let text = std::fs::read_to_string(common::litmus_dir().join("read-vs-punch-ext4.litmus"))
        .unwrap()
        .replace("fs=ext4", "fs=xfs")
        .replace("ext4_mpage_readpages", "iomap_read_folio");
    assert!(!violates(&text, "v5.10"));
    assert!(!violates(&text, "mainline"));
}

/// ext4 changes the block map under `down_write(i_data_sem)`
/// (ext4_ext_remove_space() in ext4_punch_hole(), ext4_truncate(),
/// ext4_convert_unwritten_extents()): a punch whose freeing is one step
/// waits while a read's ext4_map_blocks() holds the semaphore shared.
#[test]
fn ext4_punch_waits_for_a_reader_of_the_extent_tree() {
    // v5.10: the read takes no invalidate_lock; page 1 is a hole the
    // extent-status tree does not know, so ext4_map_blocks() looks it up
    // under down_read(i_data_sem).
    let text = "litmus punch-vs-map\nprofile v5.10\nconfig frames=4 buckets=1 fs=ext4\n\
        setup:\n  pwrite f0 0 1\n  pwrite f0 6 2\n  fsync f0\n\
        task P:\n  punch f0 0 1\n\
        task R:\n  read f0 1\n\
        schedule:\n  P find_get_entries\n  R down_read\n  P *\n  R *\n  P *\n";
    let out = pagelife_core::exec::replay::replay(&common::case(text));
    let steps = out.trace.expect("replay traces").steps;
    // The last up_read is the read's (the setup's writes take it too).
    let up = steps.iter().rposition(|s| s.step.name() == "up_read");
    let free = steps
        .iter()
        .position(|s| s.step.name() == "ext4_ext_remove_space");
    assert!(
        up.is_some() && free.is_some(),
        "both steps are in the trace"
    );
    assert!(
        up < free,
        "the punch freed blocks under the reader's i_data_sem"
    );
}
