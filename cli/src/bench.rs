//! `pagelife bench`: time and executions to first finding of each seed race,
//! per search strategy, median and spread over N seeds; plus raw speed.
//!
//! A seed race is a litmus file of `corpus/litmus`; it counts as found when
//! a run's signature equals the signature of that file's own replay. Every
//! run is one job on one thread, so the figures compare strategies, not cores.

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

/// Run one job until `want` is found or `cap` passes.
pub fn time_to_find(
    target: Target,
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
        profile: None,
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
                let (t, n) = time_to_find(target, *strategy, *cov, seed, &want, a.cap);
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
