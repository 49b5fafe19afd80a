//! Every litmus file in corpus/litmus says what it expects (`expect`), and
//! replayed on its own profile, each expected oracle fires. A new
//! operation, oracle or toggle is shown by adding a litmus file: this test
//! runs it.

mod common;

use pagelife_core::exec::replay::replay;

#[test]
fn every_litmus_file_fires_what_it_expects_on_its_profile() {
    let dir = common::litmus_dir();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "litmus") {
            continue;
        }
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let l = common::load(&name);
        assert!(!l.expect.is_empty(), "{name}: no `expect` line");
        let out = replay(&l.case);
        for o in &l.expect {
            assert!(
                out.findings.has(*o),
                "{name}: expected {o} on {}, fired {:?}",
                l.case.profile,
                out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>()
            );
        }
        n += 1;
    }
    assert!(n >= 14, "only {n} litmus files");
}
