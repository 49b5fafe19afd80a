//! Time and executions to the first failure of the Case 1 and Case 2 races
//! written as loom models and shuttle tests (see model.rs), for pagelife's
//! benchmark. Prints rows in the format of `pagelife bench`'s table, so
//! `scripts/bench.sh` can put them next to pagelife's own rows.
//!
//! Usage: pagelife-peers [SEEDS [CAP_SECONDS [LOOM_CAP_SECONDS]]]   (defaults 5, 8, 30)

mod model;

use std::panic;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static EXECS: AtomicU64 = AtomicU64::new(0);

/// One run: (seconds to the first failure if any, executions).
fn measure(f: impl FnOnce() + panic::UnwindSafe) -> (Option<f64>, u64) {
    EXECS.store(0, Ordering::SeqCst);
    let start = Instant::now();
    let r = panic::catch_unwind(f);
    let t = start.elapsed().as_secs_f64();
    (r.is_err().then_some(t), EXECS.load(Ordering::SeqCst))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn row(race: &str, strategy: &str, runs: &[(Option<f64>, u64)], cap: f64) {
    let found: Vec<f64> = runs.iter().filter_map(|r| r.0).collect();
    let total = runs.len();
    let med = if found.len() * 2 > total {
        median(found.clone())
    } else {
        None
    };
    let medtxt = med.map_or(format!("> {cap:.0}"), |m| format!("{m:.3}"));
    let range = if found.is_empty() {
        "—".to_string()
    } else {
        let lo = found.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = found.iter().copied().fold(0.0, f64::max);
        format!("{lo:.3}–{hi:.3}")
    };
    let ex = median(runs.iter().map(|r| r.1 as f64).collect()).unwrap_or(0.0);
    println!(
        "| {race} | toy model | {strategy} | {}/{total} | {medtxt} | {range} | {ex:.0} |",
        found.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let cap: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(8.0);
    let loom_cap: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(30.0);
    if std::env::var_os("PEERS_DEBUG").is_none() {
        panic::set_hook(Box::new(|_| {}));
    }
    type Model = fn();
    let races: [(&str, Model, Model); 2] = [
        (
            "case1-reuse-bug-on",
            model::loom_case1::run,
            model::shuttle_case1::run,
        ),
        (
            "case2-norefs-find-get-block",
            model::loom_case2::run,
            model::shuttle_case2::run,
        ),
    ];
    for (race, loom_run, shuttle_run) in races {
        // loom is deterministic: one run per bound, capped at LOOM_CAP
        // seconds (loom's max_duration: it stops without a failure).
        for bound in [Some(1), Some(2), Some(3), None] {
            let name = bound.map_or("loom exhaustive".to_string(), |b| format!("loom bound {b}"));
            let r = measure(move || {
                let mut b = loom::model::Builder::new();
                b.preemption_bound = bound;
                b.max_duration = Some(Duration::from_secs_f64(loom_cap));
                b.check(move || {
                    EXECS.fetch_add(1, Ordering::SeqCst);
                    loom_run();
                });
            });
            row(race, &name, &[r], loom_cap);
        }
        let config = || {
            let mut c = shuttle::Config::new();
            c.max_time = Some(Duration::from_secs_f64(cap));
            c.silence_warnings = true;
            c
        };
        let runs: Vec<_> = (1..=seeds)
            .map(|seed| {
                measure(move || {
                    let s = shuttle::scheduler::RandomScheduler::new_from_seed(seed, usize::MAX);
                    shuttle::Runner::new(s, config()).run(move || {
                        EXECS.fetch_add(1, Ordering::SeqCst);
                        shuttle_run();
                    });
                })
            })
            .collect();
        row(race, "shuttle random", &runs, cap);
        for depth in [1usize, 2, 3] {
            let runs: Vec<_> = (1..=seeds)
                .map(|seed| {
                    measure(move || {
                        let s = shuttle::scheduler::PctScheduler::new_from_seed(
                            seed,
                            depth,
                            usize::MAX,
                        );
                        shuttle::Runner::new(s, config()).run(move || {
                            EXECS.fetch_add(1, Ordering::SeqCst);
                            shuttle_run();
                        });
                    })
                })
                .collect();
            row(race, &format!("shuttle PCT d{depth}"), &runs, cap);
        }
    }
}
