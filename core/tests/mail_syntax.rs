//! Litmus files typed from the mails (issue 16): old function names, pages
//! by name, faults timed by label, and the warnings and bail-out reasons a
//! user needs to see why a written schedule did not happen.

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::litmus::parse_str;
use pagelife_core::trace::Event;

fn corpus(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../corpus/litmus/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn parse(text: &str) -> Case {
    parse_str(text, "t.litmus").unwrap()
}

fn error(text: &str) -> String {
    parse_str(text, "t.litmus").unwrap_err().to_string()
}

#[test]
fn old_names_parse_to_todays_steps() {
    let mail = corpus("case1-dma-as-in-mail.litmus");
    let today = mail
        .replace("io0 test_clear_page_writeback", "io0 __folio_end_writeback")
        .replace("io0 wake_up_page ", "io0 folio_wake_bit ")
        .replace(
            "after test_clear_page_writeback",
            "after __folio_end_writeback",
        );
    assert_ne!(mail, today);
    assert_eq!(parse(&mail), parse(&today));
    // The same old name, two steps: the context's operation picks.
    let jan = corpus("case2-as-in-mail.litmus");
    let c = parse(&jan);
    let names: Vec<String> = c.schedule.iter().map(|s| format!("{:?}", s.run)).collect();
    assert!(names[0].contains("NorefsCheck"), "{names:?}");
    assert!(names[1].contains("FindGetBlockUnlock"), "{names:?}");
}

#[test]
fn a_page_names_the_frame_that_holds_it_after_setup() {
    let file = corpus("case2-norefs-find-get-block.litmus");
    assert_eq!(
        parse(&file.replace("migrate frame0", "migrate bdev:0")),
        parse(&file)
    );
    let e = error(&file.replace("migrate frame0", "migrate bdev:3"));
    assert!(
        e.contains("page bdev:3 is not in the page cache after setup"),
        "{e}"
    );
    assert!(e.starts_with("t.litmus:23:"), "{e}");
    let e = error(&file.replace("bh-write 0 getblk", "migrate f0:0"));
    assert!(e.contains("use it in a task or a fault"), "{e}");
}

#[test]
fn a_fault_timed_by_label_is_the_fault_at_that_steps_number() {
    let file = corpus("gfs2-short-write-stale-signal.litmus");
    let by_label = parse(&file.replace("signal A at 5", "signal A after gfs2_iomap_begin"));
    // The label's step, found in a run without the signal.
    let trace = replay(&parse(&file.replace("faults:\n  signal A at 5", "")))
        .trace
        .unwrap();
    let n = trace
        .steps
        .iter()
        .find(|e| {
            e.step.name() == "gfs2_iomap_begin" && e.phase == pagelife_core::trace::Phase::Main
        })
        .unwrap()
        .step_no;
    let by_number = parse(&file.replace("signal A at 5", &format!("signal A at {}", n + 1)));
    assert_eq!(by_label, by_number);
    let alloc = corpus("gfs2-short-write-stale-alloc.litmus");
    assert_eq!(
        parse(&alloc.replace("alloc-fail 2", "alloc-fail at filemap_alloc_folio")),
        parse(&alloc)
    );
    let e = error(&file.replace("signal A at 5", "signal A at folio_put x9"));
    assert!(
        e.contains("never reaches step folio_put (occurrence 9)"),
        "{e}"
    );
    let e = error(&file.replace("signal A at 5", "signal A at wake_up"));
    assert!(
        e.contains("did you mean") && e.contains("folio_wake_bit"),
        "{e}"
    );
}

#[test]
fn a_slice_that_cannot_happen_is_a_warning_in_the_trace() {
    let file = corpus("case1-no-reuse.litmus").replace("schedule:\n", "schedule:\n  io5 *\n");
    let t = replay(&parse(&file)).trace.unwrap();
    assert!(
        t.warnings
            .iter()
            .any(|(_, w)| w == "io5 was never submitted: slice skipped"),
        "{:?}",
        t.warnings
    );
    let file = corpus("case2-norefs-find-get-block.litmus")
        .replace("CPU1 migrate_folio_done", "CPU1 migrate_folio_done x3");
    let t = replay(&parse(&file)).trace.unwrap();
    assert!(
        t.warnings
            .iter()
            .any(|(_, w)| w.contains("finished before step migrate_folio_done came (x3")),
        "{:?}",
        t.warnings
    );
}

#[test]
fn migration_says_why_it_bailed_out() {
    let file = corpus("case2-as-in-mail.litmus");
    let t = replay(&parse(&file)).trace.unwrap();
    let bails: Vec<&str> = t
        .steps
        .iter()
        .flat_map(|e| e.events.iter())
        .filter_map(|e| match e {
            Event::Bail(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(
        bails,
        ["buffer referenced (a bh LRU): invalidate_bh_lrus(), check again"]
    );
}

#[test]
fn a_labelled_schedule_replays_the_steps_it_was_made_from() {
    use pagelife_core::case::Run;
    use pagelife_core::exec::schedule::{label_schedule, schedule_from_taken};
    let steps = |c: &Case| -> Vec<_> {
        let t = replay(c).trace.unwrap();
        t.steps.iter().map(|e| (e.ctx, e.step)).collect()
    };
    let dir = format!("{}/../corpus/litmus", env!("CARGO_MANIFEST_DIR"));
    for e in std::fs::read_dir(dir).unwrap() {
        let mut c = parse(&std::fs::read_to_string(e.unwrap().path()).unwrap());
        // The run as counted slices, every third one asking for more steps
        // than its context can take (cut short), mixed with the file's own
        // labelled slices: every slice after them must stay aligned.
        let own = c.schedule.clone();
        let mut sched = schedule_from_taken(&replay(&c).taken);
        for (i, s) in sched.iter_mut().enumerate() {
            if let (0, Run::Steps(n)) = (i % 3, s.run) {
                s.run = Run::Steps(n.saturating_mul(4).min(127));
            }
        }
        c.schedule = own.into_iter().take(2).chain(sched).take(32).collect();
        let mut labelled = c.clone();
        labelled.schedule = label_schedule(&c);
        assert_eq!(steps(&c), steps(&labelled), "{:?}", c.schedule);
    }
    // A fuzzer finding (CI's main job) whose schedule had slices its replay
    // skips: pruned, they are gone and the run is the same.
    let bytes = include_bytes!("data/label-schedule-cut-short.bin");
    let raw = pagelife_core::codec::decode(bytes).unwrap();
    assert!(!replay(&raw).trace.unwrap().skipped.is_empty());
    let c = pagelife_core::exec::schedule::prune_skipped(&raw);
    assert!(replay(&c).trace.unwrap().skipped.is_empty());
    assert_eq!(steps(&raw), steps(&c));
    let mut labelled = c.clone();
    labelled.schedule = label_schedule(&c);
    assert_eq!(steps(&c), steps(&labelled));
}
