use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Strategy};
use pagelife_engine::target::Target;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let target = Target::from_name(&args[1]).unwrap();
    let secs: f64 = args[2].parse().unwrap();
    let seed: u64 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(1);
    let strategy = match args.get(4).map(|s| s.as_str()) {
        Some("random") => Strategy::Random,
        Some("pct") => Strategy::Pct,
        _ => Strategy::Guided,
    };
    let cov = args.get(5).map(|s| s != "nocov").unwrap_or(true);
    let mut f = Fuzzer::new(FuzzConfig {
        target,
        seed,
        job: 0,
        interleaving_cov: cov,
        strategy,
        profile: None,
    });
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < secs {
        if let pagelife_engine::fuzzer::Outcome1::New(nf) = f.step() {
            println!(
                "{:8.3}s exec {:8} [{}] {}",
                t.elapsed().as_secs_f64(),
                nf.exec,
                nf.case.profile,
                nf.signature
            );
        }
    }
    let s = f.stats();
    println!(
        "execs {} ({:.0}/s) steps {} corpus {} features {}",
        s.execs,
        s.execs as f64 / secs,
        s.steps,
        s.corpus,
        s.features
    );
}
