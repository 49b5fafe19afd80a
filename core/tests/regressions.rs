//! Cases that once exposed model bugs (found by fuzzing `mainline` or the
//! other targets) must stay clean: corpus/regressions/*.litmus fire nothing.

mod common;

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;

#[test]
fn regression_cases_fire_nothing() {
    let dir = common::litmus_dir().join("../regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "litmus") {
            let text = std::fs::read_to_string(&p).unwrap();
            let c = litmus::parse_str(&text, &p.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            let out = replay(&c);
            assert!(
                out.findings.is_empty(),
                "{}: {:?}",
                p.display(),
                out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
            );
            n += 1;
        }
    }
    assert!(n >= 3);
}
