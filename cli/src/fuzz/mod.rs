//! `pagelife fuzz`: the built-in engine, on stable Rust.
//!
//! Jobs run on threads, each a deterministic `Fuzzer` for (seed, job) over
//! the chosen targets in turn. Findings are deduplicated by signature across
//! jobs; each new one is minimized and saved at once into its signature's
//! folder (see [`crate::store`]: never a file overwritten, a folder complete
//! or absent), so Ctrl-C or a kill loses nothing already reported. At the
//! end: a table of findings, which says which could not be saved.
//!
//! Limits: `--time S` (default 30 s when `--runs` is not given), `--runs N`
//! (alone: no time limit), Ctrl-C; the summary says which one stopped the
//! run. A save that fails stops the run at once: the table marks the
//! finding NOT SAVED and the exit status is 2.

mod jobs;
mod summary;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use pagelife_core::case::Case;
use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::Strategy;
use pagelife_engine::target::Target;

use crate::input::{load, parse_profile};
use crate::store::Store;
use crate::Status;

pub use jobs::Row;

/// How the engine makes inputs.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StrategyArg {
    /// Coverage-guided mutation plus fresh PCT and random runs.
    Guided,
    /// Fresh cases with uniform random scheduling only.
    Random,
    /// Fresh cases with PCT scheduling only.
    Pct,
    /// Guided, plus the bounded checker over the interleavings of each case
    /// that reaches new coverage (fuzz the operations, check their schedules).
    Hybrid,
    /// Fresh cases, each explored by the bounded checker (a baseline).
    CheckOnly,
    /// Guided, with swarm configurations: each job draws a random subset of
    /// the target's operations and faults and pins parts of the
    /// configuration, again every 20,000 executions.
    Swarm,
}

/// The longest `--time` (and `bench --cap`) accepted: 10^9 s, about 31 years.
pub const MAX_SECS: f64 = 1e9;

/// Fuzz the model with the built-in engine (stable Rust, in-process).
///
/// With no arguments: 30 seconds on every target whose kernels have races,
/// on all cores, new findings saved to ./findings (one folder per
/// signature, `<id>-<oracle>/`, merged across runs) and printed as they
/// come. Exit status: 0 nothing found, 1 findings, 2 an error (a finding
/// that could not be saved, a thread that could not start, bad options).
#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Targets to fuzz (default: every target with racy profiles). See `pagelife fuzz --list`.
    #[arg(long = "target", short = 't')]
    pub targets: Vec<String>,
    /// Run every case on this profile instead of the targets' (NAME[+TOGGLE][-TOGGLE]).
    #[arg(long)]
    pub profile: Option<String>,
    /// Stop after this many seconds: positive, finite, at most 1e9 [default: 30, or no
    /// time limit when --runs is given].
    #[arg(long, allow_negative_numbers = true)]
    pub time: Option<f64>,
    /// Stop after this many executions in all (0: no limit). Alone, it is the only limit.
    #[arg(long, default_value_t = 0)]
    pub runs: u64,
    /// Seed; each job's run is deterministic for (seed, job).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, at least 1 (default: available cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Seed inputs: a folder of litmus or byte files.
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Where findings are saved: one folder per signature, merged with what is there.
    #[arg(long, default_value = "findings")]
    pub out: PathBuf,
    /// Turn the interleaving coverage signal off (for comparison).
    #[arg(long)]
    pub no_interleaving_cov: bool,
    /// How inputs are made.
    #[arg(long, value_enum, default_value_t = StrategyArg::Guided)]
    pub strategy: StrategyArg,
    /// Stop at the first new finding (for time-to-first-finding measurements).
    #[arg(long)]
    pub stop_on_first: bool,
    /// List the targets and exit.
    #[arg(long)]
    pub list: bool,
    /// Also save findings, duplicates included, as bytes in this folder (at
    /// most 150 per signature, 1000 in all, named by their hash): raw material for `pagelife dedup`.
    #[arg(long)]
    pub save_all: Option<PathBuf>,
    /// Do not minimize new findings (faster; the table's mainline/serial columns then use the raw case).
    #[arg(long)]
    pub no_minimize: bool,
    /// JSON lines on standard output (fuzz-start, fuzz-finding, fuzz-summary) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stop {
    /// Still running.
    Running = 0,
    /// `--time`.
    Time,
    /// `--runs`.
    Runs,
    /// `--stop-on-first`.
    FirstFinding,
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// A finding could not be saved, or a thread could not start.
    Error,
}

impl Stop {
    fn from_u8(v: u8) -> Stop {
        [
            Stop::Running,
            Stop::Time,
            Stop::Runs,
            Stop::FirstFinding,
            Stop::Interrupt,
            Stop::Error,
        ]
        .get(v as usize)
        .copied()
        .unwrap_or(Stop::Error)
    }

    /// The name in `fuzz-summary` records.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Running => "running",
            Stop::Time => "time",
            Stop::Runs => "runs",
            Stop::FirstFinding => "first-finding",
            Stop::Interrupt => "interrupt",
            Stop::Error => "error",
        }
    }
}

/// What the jobs share.
pub struct Shared {
    /// Set when the run must end.
    pub stop: AtomicBool,
    /// Why (the first reason wins).
    reason: AtomicU8,
    /// Executions so far.
    pub execs: AtomicU64,
    /// Interleaving features (job 0's count).
    pub features: AtomicU64,
    /// Raw files saved by `--save-all`.
    pub saved_raw: AtomicU64,
    /// The findings, in the order found.
    pub rows: Mutex<Vec<Row>>,
    /// Errors (saves, thread starts).
    pub errors: Mutex<Vec<String>>,
    /// When the run started.
    pub start: Instant,
}

impl Shared {
    /// End the run for `why` (the first reason is kept).
    pub fn stop(&self, why: Stop) {
        let _ = self
            .reason
            .compare_exchange(0, why as u8, Ordering::SeqCst, Ordering::SeqCst);
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Why the run ended.
    pub fn reason(&self) -> Stop {
        Stop::from_u8(self.reason.load(Ordering::SeqCst))
    }

    /// Record an error and stop.
    pub fn fail(&self, e: String) {
        warnln!("pagelife: error: {e}");
        if let Ok(mut g) = self.errors.lock() {
            g.push(e);
        }
        self.stop(Stop::Error);
    }
}

/// Everything a run needs, checked.
pub struct Plan {
    /// Targets.
    pub targets: Vec<Target>,
    /// `--profile`.
    pub profile: Option<Profile>,
    /// When to stop (None: no time limit).
    pub deadline: Option<Instant>,
    /// `--time` in seconds, if any.
    pub time: Option<f64>,
    /// Worker threads.
    pub jobs: usize,
    /// Seed inputs.
    pub seeds: Vec<Case>,
    /// How inputs are made.
    pub strategy: Strategy,
}

/// A positive, finite number of seconds up to [`MAX_SECS`], as a duration.
pub fn checked_secs(v: f64, what: &str) -> Result<Duration> {
    if !(v.is_finite() && v > 0.0 && v <= MAX_SECS) {
        bail!("{what} must be a positive, finite number of seconds up to {MAX_SECS:e} (got {v})");
    }
    Duration::try_from_secs_f64(v).with_context(|| format!("{what} {v}"))
}

fn targets_of(a: &FuzzArgs) -> Result<Vec<Target>> {
    if a.targets.is_empty() {
        return Ok(Target::ALL.iter().copied().filter(|t| t.racy()).collect());
    }
    a.targets
        .iter()
        .map(|n| {
            Target::from_name(n)
                .with_context(|| format!("unknown target `{n}` (see `pagelife fuzz --list`)"))
        })
        .collect()
}

fn read_corpus(dir: &std::path::Path) -> Result<Vec<Case>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read corpus folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    entries.iter().map(|p| Ok(load(p)?.case)).collect()
}

impl Plan {
    /// Check the options (exit 2 on any bad one, before anything runs).
    pub fn new(a: &FuzzArgs, start: Instant) -> Result<Plan> {
        let targets = targets_of(a)?;
        let profile = a.profile.as_deref().map(parse_profile).transpose()?;
        let time = match (a.time, a.runs) {
            (Some(t), _) => Some(t),
            (None, 0) => Some(30.0),
            (None, _) => None,
        };
        let deadline = match time {
            Some(t) => Some(
                start
                    .checked_add(checked_secs(t, "--time")?)
                    .context("--time is too far in the future")?,
            ),
            None => None,
        };
        let jobs = match a.jobs {
            Some(0) => bail!("--jobs must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let seeds = match &a.corpus {
            Some(d) => read_corpus(d)?,
            None => Vec::new(),
        };
        let strategy = match a.strategy {
            StrategyArg::Guided => Strategy::Guided,
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Pct => Strategy::Pct,
            StrategyArg::Hybrid => Strategy::Hybrid,
            StrategyArg::CheckOnly => Strategy::CheckOnly,
            StrategyArg::Swarm => Strategy::Swarm,
        };
        Ok(Plan {
            targets,
            profile,
            deadline,
            time,
            jobs,
            seeds,
            strategy,
        })
    }
}

fn list() -> Status {
    for t in Target::ALL {
        let text = format!("{} [profiles: {}]", t.about(), t.profiles().join(", "));
        let pad = " ".repeat(11);
        for l in crate::width::wrap(
            &text,
            crate::width::WIDTH,
            &format!("{:10} ", t.name()),
            &pad,
        ) {
            outln!("{l}");
        }
    }
    Status::Ok
}

/// Ctrl-C stops the run; a second one more than 100 ms after the first
/// exits at once (status 130). Two SIGINTs within 100 ms are one Ctrl-C:
/// GNU `timeout -s INT` signals the process, then its process group.
fn on_interrupt(shared: Arc<Shared>) {
    let first_ms = AtomicU64::new(0);
    let _ = ctrlc::set_handler(move || {
        let now = shared.start.elapsed().as_millis() as u64 + 1;
        match first_ms.compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => shared.stop(Stop::Interrupt),
            Err(first) if now.saturating_sub(first) > 100 => std::process::exit(130),
            Err(_) => {}
        }
    });
}

/// Run the subcommand.
pub fn run(a: &FuzzArgs) -> Result<Status> {
    if a.list {
        return Ok(list());
    }
    let start = Instant::now();
    let plan = Plan::new(a, start)?;
    let store = Store::open(&a.out)?;
    if let Some(d) = &a.save_all {
        Store::open(d)?;
    }
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        reason: AtomicU8::new(0),
        execs: AtomicU64::new(0),
        features: AtomicU64::new(0),
        saved_raw: AtomicU64::new(0),
        rows: Mutex::new(Vec::new()),
        errors: Mutex::new(Vec::new()),
        start,
    });
    on_interrupt(shared.clone());
    let log = summary::Log::new(a, &plan);
    jobs::run_all(a, &plan, &store, &shared, &log);
    log.finish();
    summary::report(a, &plan, &shared)
}
