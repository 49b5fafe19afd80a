//! The stress executor records the order its threads took: every run,
//! whatever it found, replays in the deterministic executor with the same
//! findings.

use std::time::Duration;

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_engine::stress::{stress_once, StressOptions};

fn case(name: &str) -> pagelife_core::case::Case {
    let p = format!("{}/../corpus/litmus/{name}", env!("CARGO_MANIFEST_DIR"));
    litmus::parse_str(&std::fs::read_to_string(&p).unwrap(), &p).unwrap()
}

#[test]
fn every_stress_run_replays_with_its_findings() {
    // Short delays: many different orders in little time.
    let opts = StressOptions {
        short: Duration::from_micros(3),
        long: Duration::from_micros(30),
        ..StressOptions::default()
    };
    let dir = format!("{}/../corpus/litmus", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".litmus"))
        .collect();
    names.sort();
    assert!(names.len() >= 7);
    for name in &names {
        let c = case(name);
        for seed in 0..40 {
            let r = stress_once(&c, seed, opts).expect("threads");
            let out = replay(&r.case);
            assert_eq!(
                out.findings, r.findings,
                "{name} seed {seed}: {:?}",
                r.case.schedule
            );
        }
    }
}
