//! `pagelife bench`: time and executions to first finding of each seed race,
//! per search strategy, median and spread over N seeds; plus raw speed.
//!
//! A seed race is a litmus file of `corpus/litmus`; it counts as found when
//! a run on the file's own profile has the signature of that file's replay
//! (races of one kernel that share a signature — the early-unlock and the
//! non-head metadata race on luis_v2 — are not told apart). Every run is one
//! job on one thread, so the figures compare strategies, not cores.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Outcome1, Strategy};
use pagelife_engine::target::Target;
use pagelife_triage::signature::{signature, Signature};

use crate::input::load;

/// Measure how fast each strategy finds each seed race.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seeds per (race, strategy).
    #[arg(long, default_value_t = 10)]
    pub seeds: u64,
    /// Give up on a run after this many seconds (counted as not found).
    #[arg(long, default_value_t = 30.0)]
    pub cap: f64,
    /// Litmus files of the races (default: corpus/litmus/*.litmus).
    pub files: Vec<PathBuf>,
    /// Strategies: guided, guided-nocov, random, pct (comma-separated).
    #[arg(long, default_value = "guided,guided-nocov,random,pct")]
    pub strategies: String,
    /// Write a Markdown table here.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Instead: run this many random byte strings through every target's
    /// harness (decode + run, as libFuzzer and AFL do) and report executions/s.
    #[arg(long)]
    pub random_inputs: Option<u64>,
}

/// Random byte strings through each target's harness; any panic is a bug.
fn random_inputs(n: u64) -> Result<bool> {
    use pagelife_engine::cov::{CovMap, FeatureSink};
    use pagelife_engine::harness::run_input;
    for &t in Target::ALL {
        let mut rng = pagelife_engine::rng::Rng::new(0xfeed, t as u64);
        let mut buf = Vec::with_capacity(256);
        let mut cov = CovMap::default();
        let (mut ran, mut findings) = (0u64, 0u64);
        let start = Instant::now();
        for _ in 0..n {
            buf.clear();
            let len = rng.below(200);
            buf.extend((0..len).map(|_| rng.u64() as u8));
            // Steer the profile byte into the target's profiles half the time.
            if !buf.is_empty() && rng.chance(0.5) {
                let ps = t.profiles();
                let name = ps[rng.below(ps.len())];
                buf[0] = pagelife_core::profile::PROFILES
                    .iter()
                    .position(|p| p.name == name)
                    .unwrap_or(0) as u8;
            }
            if let Some((_, out)) = run_input(t, &buf, Some(&mut cov)) {
                ran += 1;
                findings += u64::from(!out.findings.is_empty());
            }
            cov.discard();
        }
        let el = start.elapsed().as_secs_f64();
        println!(
            "{:10} {n} inputs in {el:.1}s ({:.0}/s): {ran} run (others skipped: profile not covered), {findings} with an oracle finding, no other panic",
            t.name(),
            n as f64 / el
        );
        let _ = <CovMap as FeatureSink>::hit;
    }
    Ok(false)
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn strategy_of(name: &str) -> Result<(Strategy, bool)> {
    Ok(match name {
        "guided" => (Strategy::Guided, true),
        "guided-nocov" => (Strategy::Guided, false),
        "random" => (Strategy::Random, false),
        "pct" => (Strategy::Pct, false),
        other => anyhow::bail!("unknown strategy `{other}` (guided, guided-nocov, random, pct)"),
    })
}

fn target_for(profile: &str) -> Target {
    Target::ALL
        .iter()
        .copied()
        .find(|t| t.profiles().contains(&profile))
        .unwrap_or(Target::Mainline)
}

/// Run one job, on the race's own profile, until `want` is found or `cap` passes.
pub fn time_to_find(
    target: Target,
    profile: pagelife_core::profile::Profile,
    strategy: Strategy,
    cov: bool,
    seed: u64,
    want: &Signature,
    cap: f64,
) -> (Option<f64>, u64) {
    let mut f = Fuzzer::new(FuzzConfig {
        target,
        seed,
        job: 0,
        interleaving_cov: cov,
        strategy,
        profile: Some(profile),
        keep_duplicates: false,
    });
    let start = Instant::now();
    let cap = Duration::from_secs_f64(cap);
    let mut n = 0u64;
    loop {
        n += 1;
        if let Outcome1::New(nf) = f.step() {
            if nf.signature == *want {
                return (Some(start.elapsed().as_secs_f64()), n);
            }
        }
        if n.is_multiple_of(64) && start.elapsed() >= cap {
            return (None, n);
        }
    }
}

/// Run the subcommand.
pub fn run(a: &BenchArgs) -> Result<bool> {
    if let Some(n) = a.random_inputs {
        return random_inputs(n);
    }
    let files: Vec<PathBuf> = if a.files.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir("corpus/litmus")
            .context("corpus/litmus (run from the repository root, or name the files)")?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "litmus"))
            .collect();
        v.sort();
        v
    } else {
        a.files.clone()
    };
    let strategies: Vec<(String, Strategy, bool)> = a
        .strategies
        .split(',')
        .map(|s| strategy_of(s.trim()).map(|(st, c)| (s.trim().to_string(), st, c)))
        .collect::<Result<_>>()?;
    let mut md = String::new();
    md.push_str("| race | profile | strategy | found | median time to first finding (s) | min–max (s) | median executions |\n|---|---|---|---|---|---|---|\n");
    for file in &files {
        let l = load(file)?;
        let Some(want) = signature(&l.case) else {
            println!("{}: replays clean, skipped", file.display());
            continue;
        };
        let race = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let profile = l.case.profile.base_profile().name;
        let target = target_for(profile);
        println!(
            "{race} [{profile}, target {}]: {}",
            target.name(),
            want.key()
        );
        for (name, strategy, cov) in &strategies {
            let mut secs = Vec::new();
            let mut execs = Vec::new();
            let mut found = 0;
            for seed in 1..=a.seeds {
                let (t, n) =
                    time_to_find(target, l.case.profile, *strategy, *cov, seed, &want, a.cap);
                if let Some(t) = t {
                    found += 1;
                    secs.push(t);
                    execs.push(n as f64);
                }
            }
            let med = median(&secs);
            let mede = median(&execs);
            let (lo, hi) = (
                secs.iter().copied().fold(f64::INFINITY, f64::min),
                secs.iter().copied().fold(0.0, f64::max),
            );
            let medtxt = match med {
                Some(m) if found * 2 > a.seeds as usize => format!("{m:.3}"),
                Some(_) => format!("> {:.0} (median not found)", a.cap),
                None => format!("> {:.0}", a.cap),
            };
            let range = if secs.is_empty() {
                "—".to_string()
            } else {
                format!("{lo:.3}–{hi:.3}")
            };
            let ex = mede
                .map(|e| format!("{e:.0}"))
                .unwrap_or_else(|| "—".into());
            println!("  {name:<13} found {found}/{}  median {medtxt} s  range {range}  median execs {ex}", a.seeds);
            md.push_str(&format!(
                "| {race} | {profile} | {name} | {found}/{} | {medtxt} | {range} | {ex} |\n",
                a.seeds
            ));
        }
    }
    if let Some(p) = &a.markdown {
        std::fs::write(p, &md).with_context(|| format!("writing {}", p.display()))?;
        println!("table written to {}", p.display());
    }
    Ok(false)
}
