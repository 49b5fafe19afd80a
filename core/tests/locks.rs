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
