//! `pagelife check FILE`: every interleaving of the file's tasks up to K preemptions.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::litmus;
use pagelife_triage::report::finding_line;
use pagelife_triage::signature::signature_of_findings;

use crate::input::{display_name, load_with_profile};
use crate::progress::Spinner;
use crate::records::{emit, Record, SigInfo};
use crate::width::{wrap, WIDTH};
use crate::Status;

/// Explore every interleaving of the file's tasks (its schedule is ignored)
/// up to `--bound` preemptions, deduplicating equal states. Prints the first
/// violation as a replayable litmus file, or "no violation" with the counts.
/// A spinner shows the time spent on a terminal.
/// Exit status: 0 no violation, 1 violation, 2 bad input.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The case: a `.litmus` file, or bytes saved by a fuzzer; `-` for standard input.
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
    /// One JSON line (a `check` record) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Comment lines for a litmus file, each wrapped to fit 80 columns with its
/// `# ` (a signature key, one word, stays whole on its line).
pub fn comment_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| wrap(l, WIDTH - 2, "", "  ").join("\n"))
        .collect()
}

/// Run the subcommand.
pub fn run(a: &CheckArgs) -> Result<Status> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let spin = Spinner::start(&format!("check, bound {}", a.bound));
    let r = check(
        &l.case,
        CheckOptions {
            bound: a.bound,
            max_states: a.max_states,
        },
    );
    spin.finish();
    let counts = format!(
        "{} interleavings, {} states explored (profile {}, bound {})",
        r.interleavings, r.states, l.case.profile, a.bound
    );
    let text = r.violation.as_ref().map(|v| {
        let expect: Vec<_> = v.findings.iter().map(|f| f.oracle).collect();
        let mut comments = vec![
            crate::out::stamp_line(),
            format!("found by pagelife check: {counts}"),
        ];
        for f in v.findings.iter() {
            comments.push(finding_line(&v.case, f));
        }
        let title = l.title.as_deref().map(|t| format!("{t}-check"));
        litmus::print(
            &v.case,
            title.as_deref(),
            &expect,
            &comment_lines(&comments),
        )
    });
    if a.json {
        emit(Record::Check {
            file: display_name(&a.file),
            profile: l.case.profile.to_string(),
            bound: a.bound,
            interleavings: r.interleavings,
            states: r.states,
            truncated: r.truncated,
            violation: r
                .violation
                .as_ref()
                .and_then(|v| signature_of_findings(&v.findings))
                .as_ref()
                .map(SigInfo::of),
            litmus: text,
        });
        return Ok(Status::fired_if(r.violation.is_some()));
    }
    match text {
        None => {
            let line = format!(
                "no violation: {counts}{}",
                if r.truncated {
                    "; STOPPED at --max-states, not exhaustive"
                } else {
                    ""
                }
            );
            for l in wrap(&line, WIDTH, "", "  ") {
                outln!("{l}");
            }
            Ok(Status::Ok)
        }
        Some(t) => {
            out!("{t}");
            Ok(Status::Fired)
        }
    }
}
