//! The hybrid and check-only strategies: the bounded checker's violations
//! join the finding stream, and each set of operations is checked once.

use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Outcome1, Strategy};
use pagelife_engine::target::Target;

fn job(strategy: Strategy) -> Fuzzer {
    Fuzzer::new(FuzzConfig {
        target: Target::Writeback,
        seed: 1,
        job: 0,
        interleaving_cov: true,
        strategy,
        profile: Some(Profile::named("v5.8").unwrap()),
        keep_duplicates: false,
    })
}

fn findings(f: &mut Fuzzer, steps: usize) -> usize {
    (0..steps)
        .filter(|_| matches!(f.step(), Outcome1::New(_)))
        .count()
}

#[test]
fn the_checker_alone_finds_v5_8_races() {
    let mut f = job(Strategy::CheckOnly);
    assert!(findings(&mut f, 300) > 0);
    assert!(f.stats().checks > 0);
}

#[test]
fn hybrid_checks_some_cases_and_still_finds() {
    let mut f = job(Strategy::Hybrid);
    let n = findings(&mut f, 3000);
    assert!(n > 0);
    let s = f.stats();
    assert!(s.checks > 0, "the hybrid never checked");
    assert!(
        s.checks < 3000,
        "the hybrid checked every case: {}",
        s.checks
    );
}

#[test]
fn guided_never_checks() {
    let mut f = job(Strategy::Guided);
    findings(&mut f, 500);
    assert_eq!(f.stats().checks, 0);
}
