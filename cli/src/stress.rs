//! `pagelife stress FILE`: the file's tasks on real threads with random
//! delays at the seeds' udelay points, run after run, the way a race is
//! reproduced on a real kernel — the baseline `pagelife bench` measures the
//! other strategies against.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_engine::stress::{stress_once, StressOptions};
use pagelife_triage::report::finding_line;

use crate::input::load_with_profile;

/// Run the file's tasks (its schedule is ignored) on one OS thread each, with
/// random sleeps between the model's steps and longer ones at the delay
/// points, until an oracle fires or `--time` passes. A finding is printed as
/// a litmus file whose schedule is the order the threads took; it is
/// replayed in the deterministic executor before it is printed.
/// Exit status: 0 nothing found, 1 found, 2 bad input.
#[derive(Args, Debug)]
pub struct StressArgs {
    /// The case: a `.litmus` file, or bytes saved by a fuzzer; `-` for standard input.
    pub file: PathBuf,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub time: f64,
    /// Seed of the delays.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Longest delay at a delay point, in microseconds (the udelay).
    #[arg(long, default_value_t = 400)]
    pub delay_us: u64,
}

/// Run the subcommand; returns whether an oracle fired.
pub fn run(a: &StressArgs) -> Result<crate::Status> {
    crate::fuzz::checked_secs(a.time, "--time")?;
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let opts = StressOptions {
        long: Duration::from_micros(a.delay_us),
        ..StressOptions::default()
    };
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed().as_secs_f64() < a.time {
        runs += 1;
        let r = stress_once(
            &l.case,
            a.seed.wrapping_mul(1_000_003).wrapping_add(runs),
            opts,
        )
        .context("cannot start the stress threads")?;
        if r.findings.is_empty() {
            continue;
        }
        let out = replay(&r.case);
        let same = out.findings == r.findings;
        let expect: Vec<_> = out.findings.iter().map(|f| f.oracle).collect();
        let mut comments = vec![format!(
            "found by pagelife stress after {runs} runs, {:.3} s; the schedule is the order the threads took ({} steps){}",
            start.elapsed().as_secs_f64(),
            r.steps,
            if same { "" } else { "; WARNING: the replay's findings differ from the stress run's" }
        )];
        for f in out.findings.iter() {
            comments.push(finding_line(&r.case, f));
        }
        let title = l.title.as_deref().map(|t| format!("{t}-stress"));
        out!(
            "{}",
            litmus::print(
                &r.case,
                title.as_deref(),
                &expect,
                &crate::check::comment_lines(&comments)
            )
        );
        return Ok(crate::Status::Fired);
    }
    outln!(
        "nothing found: {runs} stress runs in {:.1} s (profile {})",
        start.elapsed().as_secs_f64(),
        l.case.profile
    );
    Ok(crate::Status::Ok)
}
