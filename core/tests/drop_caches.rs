//! `drop_caches` (fs/drop_caches.c `drop_pagecache_sb()` →
//! mm/truncate.c `mapping_try_invalidate()`): each inode with pages held
//! while its clean, unused folios are dropped; the rest stay.

mod common;

use common::{case, check3, count};
use pagelife_core::exec::replay::replay;
use pagelife_core::step::StepId;
use pagelife_core::trace::Event;

fn steps_and_notes(text: &str) -> (Vec<StepId>, Vec<&'static str>) {
    let out = replay(&case(text));
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let (mut steps, mut notes) = (Vec::new(), Vec::new());
    for e in out.trace.expect("trace").steps {
        steps.push(e.step);
        for ev in e.events {
            if let Event::Note(n) = ev {
                notes.push(n);
            }
        }
    }
    (steps, notes)
}

/// Two clean pages of a file go; a dirty one and a mapped one stay; an
/// empty file is skipped without a reference.
#[test]
fn clean_unused_folios_go_and_the_rest_stay() {
    let (s, notes) = steps_and_notes(
        "profile mainline
config frames=6
setup:
  write f0 0
  write f0 1
  write f0 2
  fsync f0
  write f0 3
task A:
  mmap f0
  load f0 2
  drop-caches
",
    );
    assert_eq!(count(&s, StepId::RemoveMappingUnfreeze), 2, "{s:?}");
    assert!(
        notes.contains(&"dirty or under writeback: keep"),
        "{notes:?}"
    );
    assert!(notes.contains(&"referenced: keep"), "{notes:?}");
    // f0 only: the device, f1 and f2 have no pages.
    assert_eq!(count(&s, StepId::DropPagecacheSb), 4);
    assert_eq!(count(&s, StepId::Iput), 1);
}

/// `drop_caches` racing the paths that look pages up, write them, reclaim
/// and migrate them, and the eviction that waits for its inode reference:
/// no interleaving up to bound 3 fires on mainline.
#[test]
fn check_finds_nothing_on_mainline_up_to_bound_3() {
    for text in [
        "profile mainline\nconfig frames=4\nsetup:\n  write f0 0\n  fsync f0\n\
         task A:\n  drop-caches\ntask B:\n  read f0 0\n  write f0 0\n",
        "profile mainline\nconfig frames=4\nsetup:\n  write f0 0\n  fsync f0\n\
         task A:\n  drop-caches\ntask B:\n  unlink f0\n",
        "profile mainline\nconfig frames=4 bh=2\nsetup:\n  bh-write 0 getblk\n  fsync bdev\n\
         task A:\n  drop-caches\ntask B:\n  bh-write 0 getblk\n  migrate frame0\n",
        "profile mainline\nconfig frames=4\nsetup:\n  write f0 0\n\
         task A:\n  drop-caches\ntask B:\n  writeback f0 all\n  truncate f0 0\n",
    ] {
        assert_eq!(check3(&case(text)), None, "{text}");
    }
}
