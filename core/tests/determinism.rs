//! The same case gives the same trace, byte for byte.

mod common;

use common::{load, Rng};
use pagelife_core::codec;
use pagelife_core::exec::replay::replay;

fn trace_bytes(c: &pagelife_core::case::Case) -> String {
    let out = replay(c);
    format!("{:?}\n{:?}\n{:?}", out.trace, out.findings, out.taken)
}

#[test]
fn litmus_files_replay_identically() {
    for f in [
        "case1-reuse-bug-on.litmus",
        "case1-stale-dma.litmus",
        "case1-no-reuse.litmus",
    ] {
        let c = load(f).case;
        assert_eq!(trace_bytes(&c), trace_bytes(&c), "{f}");
    }
}

#[test]
fn random_cases_replay_identically() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2000 {
        let c = codec::decode(&rng.case_bytes(96)).unwrap();
        assert_eq!(trace_bytes(&c), trace_bytes(&c));
    }
}
