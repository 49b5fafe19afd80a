//! Model speed: steps per second and cases per second on random 3-task
//! cases of about 64 steps (the yardstick), with no trace recorded,
//! as the fuzzers run them.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pagelife_core::case::{Case, Op, Run, Slice, TaskDef};
use pagelife_core::exec::replay::{run_case, NoObserver, RunOptions};
use pagelife_core::profile::Profile;
use pagelife_core::world::{Config, BIO_CTX0};

struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u8 {
        (self.next_u64() % n) as u8
    }
}

fn random_op(r: &mut Rng, bh: bool) -> Op {
    let file = r.below(3);
    if bh && r.below(2) == 0 {
        return match r.below(3) {
            0 | 1 => Op::BhWrite {
                block: r.below(4),
                getblk: r.below(2) == 0,
                meta: false,
                nonatomic: r.below(2) == 0,
            },
            _ => Op::Migrate { frame: r.below(4) },
        };
    }
    match r.below(7) {
        0 | 1 => Op::Write {
            file,
            index: r.below(4),
        },
        2 => Op::Read {
            file,
            index: r.below(4),
        },
        3 => Op::Writeback {
            file,
            all: r.below(2) == 1,
        },
        4 => Op::Fsync { file },
        5 => Op::Truncate {
            file,
            size: r.below(5),
        },
        _ => Op::Reclaim { frame: r.below(4) },
    }
}

/// A random case with 3 tasks whose whole run (setup, schedule, fallback and
/// the final sync) takes 56..=72 steps; with `bh`, buffer-head users and
/// migrations of block-device folios (two buffers per page) are among the operations.
fn random_case(r: &mut Rng, bh: bool) -> Case {
    loop {
        let profiles = ["v5.8", "v5.10", "mainline"];
        let mut c = Case {
            profile: Profile::parse(profiles[r.below(3) as usize]).unwrap(),
            config: Config {
                frames: 4,
                wq_buckets: 1 + r.below(2),
                bh_per_page: if bh { 2 } else { 1 },
                ..Config::default()
            },
            setup: if r.below(2) == 0 {
                vec![]
            } else {
                vec![
                    Op::Write { file: 0, index: 0 },
                    Op::Writeback {
                        file: 0,
                        all: false,
                    },
                ]
            },
            tasks: (0..3)
                .map(|i| TaskDef {
                    name: ["A", "B", "C"][i].into(),
                    cpu: i as u8,
                    thread: None,
                    fork: None,
                    ops: (0..1 + r.below(3)).map(|_| random_op(r, bh)).collect(),
                })
                .collect(),
            schedule: Vec::new(),
            faults: Vec::new(),
        };
        for _ in 0..12 {
            let ctx = match r.below(4) {
                3 => BIO_CTX0 + r.below(3),
                t => t,
            };
            c.schedule.push(Slice {
                ctx,
                run: Run::Steps(1 + r.below(8)),
            });
        }
        let out = run_case(&c, RunOptions::default(), &mut NoObserver);
        if (56..=72).contains(&out.steps) {
            return c;
        }
    }
}

fn bench(cr: &mut Criterion) {
    for (group, bh) in [("model", false), ("model_bh", true)] {
        let mut r = Rng(0x5eed);
        let pool: Vec<Case> = (0..256).map(|_| random_case(&mut r, bh)).collect();
        let opts = RunOptions::default();
        let total_steps: u64 = pool
            .iter()
            .map(|c| run_case(c, opts, &mut NoObserver).steps as u64)
            .sum();
        let mut g = cr.benchmark_group(group);
        g.throughput(Throughput::Elements(total_steps));
        g.bench_function("steps", |b| {
            b.iter(|| {
                for c in &pool {
                    std::hint::black_box(run_case(c, opts, &mut NoObserver));
                }
            })
        });
        g.throughput(Throughput::Elements(pool.len() as u64));
        g.bench_function("cases", |b| {
            b.iter(|| {
                for c in &pool {
                    std::hint::black_box(run_case(c, opts, &mut NoObserver));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
