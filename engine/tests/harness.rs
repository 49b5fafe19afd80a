//! The shared harness: bytes mean one case everywhere; panics only on
//! findings, with a message that starts with the oracle's name.

use std::panic;

use pagelife_core::codec;
use pagelife_core::litmus;
use pagelife_core::oracle::{At, Finding, OracleId, Payload};
use pagelife_engine::cov::NoSink;
use pagelife_engine::harness::{decode_for, fuzz_one, report};
use pagelife_engine::target::Target;

fn seed(name: &str) -> Vec<u8> {
    let p = format!("{}/../corpus/litmus/{name}", env!("CARGO_MANIFEST_DIR"));
    codec::encode(&litmus::parse_str(&std::fs::read_to_string(&p).unwrap(), &p).unwrap())
}

#[test]
fn every_oracle_panics_with_its_name_first() {
    let case = pagelife_core::case::Case::default();
    for &o in OracleId::ALL {
        let f = Finding {
            oracle: o,
            ctx: 0,
            step_no: 1,
            at: At::Pending,
            frame: 0,
            payload: Payload::None,
        };
        let err = panic::catch_unwind(|| report(&case, &f)).expect_err("report panics");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.starts_with(&format!("{}: ", o.name())), "{o}: {msg}");
    }
}

#[test]
fn a_seed_race_panics_and_a_clean_case_does_not() {
    let bytes = seed("case1-stale-dma.litmus");
    assert_eq!(
        decode_for(Target::Writeback, &bytes),
        codec::decode(&bytes).ok()
    );
    let err = panic::catch_unwind(|| fuzz_one::<NoSink>(Target::Writeback, &bytes, None))
        .expect_err("finding");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.starts_with("stale-dma: "), "{msg}");
    // The mainline target skips a v5.8 case rather than rewriting it.
    assert_eq!(decode_for(Target::Mainline, &bytes), None);
    fuzz_one::<NoSink>(Target::Mainline, &bytes, None);
}
