//! The built-in engine's speed: executions per second of one job on the
//! writeback target (guided, interleaving coverage on), as `pagelife fuzz
//! --jobs 1` runs it minus finding triage, and the model's share of it. The
//! fuzzer is warmed up first, so the corpus is in its steady state.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Strategy};
use pagelife_engine::target::Target;

const BATCH: u64 = 1000;

fn fuzzer(target: Target) -> Fuzzer {
    let mut f = Fuzzer::new(FuzzConfig {
        target,
        seed: 7,
        job: 0,
        interleaving_cov: true,
        strategy: Strategy::Guided,
        profile: None,
        keep_duplicates: false,
    });
    for _ in 0..20_000 {
        f.step();
    }
    f
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(BATCH));
    for target in [Target::Writeback, Target::Mainline] {
        let mut f = fuzzer(target);
        g.bench_function(format!("{target:?} executions"), |b| {
            b.iter(|| {
                for _ in 0..BATCH {
                    f.step();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
