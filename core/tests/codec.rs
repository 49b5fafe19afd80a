//! The byte encoding and the litmus form round-trip, and any bytes are a valid case.

mod common;

use common::{load, Rng};
use pagelife_core::codec::{decode, encode, within_limits};
use pagelife_core::exec::replay::{run_case, NoObserver, RunOptions};
use pagelife_core::litmus;

#[test]
fn bytes_round_trip() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let c = decode(&rng.bytes(128));
        assert!(within_limits(&c));
        let b = encode(&c);
        assert_eq!(decode(&b), c, "bytes {b:?}");
    }
}

#[test]
fn litmus_round_trip_through_bytes_and_text() {
    for f in [
        "case1-reuse-bug-on.litmus",
        "case1-stale-dma.litmus",
        "case1-no-reuse.litmus",
    ] {
        let c = load(f).case;
        assert_eq!(decode(&encode(&c)), c, "{f} via bytes");
        let text = litmus::print_case(&c);
        assert_eq!(
            litmus::parse_str(&text, f).unwrap(),
            c,
            "{f} via text:\n{text}"
        );
    }
}

#[test]
fn random_cases_print_and_parse_back() {
    let mut rng = Rng(7);
    for _ in 0..5_000 {
        let mut c = decode(&rng.bytes(128));
        // Names that are not litmus names print as defaults; compare after that.
        let text = litmus::print_case(&c);
        let back = litmus::parse_str(&text, "random").unwrap_or_else(|e| panic!("{e}\n{text}"));
        for (t, b) in c.tasks.iter_mut().zip(&back.tasks) {
            t.name = b.name.clone();
        }
        assert_eq!(back, c, "\n{text}");
    }
}

#[test]
fn a_hundred_thousand_random_inputs_run_without_panic() {
    let mut rng = Rng(0xdead_beef);
    let opts = RunOptions::default();
    for _ in 0..100_000 {
        let c = decode(&rng.bytes(160));
        let _ = run_case(&c, opts, &mut NoObserver);
    }
}
