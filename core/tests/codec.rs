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
        let c = decode(&rng.case_bytes(128)).unwrap();
        assert!(within_limits(&c));
        let b = encode(&c);
        assert_eq!(decode(&b).unwrap(), c, "bytes {b:?}");
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
        assert_eq!(decode(&encode(&c)).unwrap(), c, "{f} via bytes");
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
        let mut c = decode(&rng.case_bytes(128)).unwrap();
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
        let c = decode(&rng.case_bytes(160)).unwrap();
        let _ = run_case(&c, opts, &mut NoObserver);
    }
}

/// Every seed corpus file (`corpus/<target>/*.bin`, made by
/// `scripts/gen-corpus.sh`) decodes to its litmus file's case (on
/// `mainline` for the `mainline` corpus): the byte codes of operations,
/// steps and toggles have not moved under them.
#[test]
fn corpus_bytes_are_their_litmus_files() {
    let root = common::litmus_dir().join("..");
    let mut n = 0;
    for target in ["writeback", "migration", "iomap", "mainline"] {
        let dir = root.join(target);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "bin") {
                continue;
            }
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            let mut want = load(&format!("{stem}.litmus")).case;
            if target == "mainline" {
                want.profile = pagelife_core::profile::Profile::named("mainline").unwrap();
            }
            let bytes = std::fs::read(&p).unwrap();
            let got = decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert_eq!(got, want, "{}", p.display());
            assert_eq!(encode(&want), bytes, "{}", p.display());
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} corpus files");
}
