//! `filemap_get_entry()` is three steps (`xas_load()`, `folio_try_get()`,
//! `xas_reload()`): a folio freed and reused between the load and the
//! try-get takes the lookup's speculative reference, and the reload drops
//! it. One merged step could not show that window.

mod common;

use pagelife_core::exec::replay::replay;
use pagelife_core::trace::Event;

#[test]
fn a_speculative_reference_lands_on_a_reused_folio_and_the_reload_drops_it() {
    // R loads frame0 from f0:0; T truncates f0 and frees frame0; W's write
    // to f1 reuses it (the allocator is LIFO); R's folio_try_get() succeeds
    // on f1's folio and xas_reload() sees f0:0 changed.
    let text = "litmus speculative-ref\nprofile mainline\nconfig frames=2 buckets=1\n\
        setup:\n  write f0 0\n\
        task R:\n  read f0 0\ntask T:\n  truncate f0 0\ntask W:\n  write f1 0\n\
        schedule:\n  R filemap_get_entry\n  T *\n  W *\n  R *\n";
    let out = replay(&common::case(text));
    assert!(
        out.findings.is_empty(),
        "the kernel handles this: no oracle"
    );
    let steps = out.trace.expect("replay traces").steps;
    let try_get = steps
        .iter()
        .find(|s| s.step.name() == "folio_try_get")
        .expect("R took folio_try_get");
    let (inc, _, refs) = try_get.frame_state.expect("the try-get names its frame");
    assert_eq!(try_get.frame, Some(0));
    assert!(inc >= 2, "frame0 was reused (incarnation {inc})");
    assert!(
        refs >= 2,
        "the speculative reference is on f1's folio ({refs})"
    );
    let reload = steps
        .iter()
        .find(|s| s.step.name() == "xas_reload")
        .expect("R took xas_reload");
    assert!(
        reload
            .events
            .iter()
            .any(|e| matches!(e, Event::Note(n) if n.contains("slot changed"))),
        "the reload repeats the lookup"
    );
}

/// filemap_read() tests i_size again after it has its folios: a truncation
/// between the lookup and the copy leaves nothing to copy.
#[test]
fn a_read_that_a_truncation_overtakes_copies_nothing() {
    let text = "litmus read-past-new-eof\nprofile mainline\nconfig frames=2 buckets=1\n\
        setup:\n  write f0 0\n  write f0 1\n\
        task R:\n  read f0 1\ntask T:\n  truncate f0 1\n\
        schedule:\n  R xas_reload\n  T *\n  R *\n";
    let out = replay(&common::case(text));
    assert!(out.findings.is_empty());
    let steps = out.trace.expect("replay traces").steps;
    let copy = steps
        .iter()
        .find(|s| s.step.name() == "copy_folio_to_iter")
        .expect("R reached the copy");
    assert!(
        copy.events
            .iter()
            .any(|e| matches!(e, Event::Note(n) if n.contains("beyond EOF after the lookup"))),
        "the copy saw the new i_size"
    );
}
