//! `pagelife check FILE`: every interleaving of the file's tasks up to K preemptions.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::litmus;
use pagelife_triage::report::finding_line;

use crate::input::load_with_profile;

/// Explore every interleaving of the file's tasks (its schedule is ignored)
/// up to `--bound` preemptions, deduplicating equal states. Prints the first
/// violation as a replayable litmus file, or "no violation" with the counts.
/// Exit status: 0 no violation, 1 violation, 2 bad input.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The case: a `.litmus` file, or bytes saved by a fuzzer.
    pub file: PathBuf,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Most preemptions per interleaving.
    #[arg(long, default_value_t = 3)]
    pub bound: u8,
    /// Stop after this many distinct states.
    #[arg(long, default_value_t = 5_000_000)]
    pub max_states: u64,
}

/// Run the subcommand; returns whether a violation was found.
pub fn run(a: &CheckArgs) -> Result<bool> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let r = check(
        &l.case,
        CheckOptions {
            bound: a.bound,
            max_states: a.max_states,
        },
    );
    let counts = format!(
        "{} interleavings, {} states explored (profile {}, bound {})",
        r.interleavings, r.states, l.case.profile, a.bound
    );
    match r.violation {
        None => {
            println!(
                "no violation: {counts}{}",
                if r.truncated {
                    "; STOPPED at --max-states, not exhaustive"
                } else {
                    ""
                }
            );
            Ok(false)
        }
        Some(v) => {
            let expect: Vec<_> = v.findings.iter().map(|f| f.oracle).collect();
            let mut comments = vec![format!("found by pagelife check: {counts}")];
            for f in v.findings.iter() {
                comments.push(finding_line(&v.case, f));
            }
            let title = l.title.as_deref().map(|t| format!("{t}-check"));
            print!(
                "{}",
                litmus::print(&v.case, title.as_deref(), &expect, &comments)
            );
            Ok(true)
        }
    }
}
