//! `pagelife replay FILE`: run a case as written and show the interleaving.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pagelife_core::exec::replay::replay;
use pagelife_triage::signature::signature_of;
use pagelife_triage::table::{render, story_end, TableOptions};

use crate::expect::{names, Verdict};
use crate::input::{display_name, load_with_profile};
use crate::records::{emit, FiringInfo, Record, SigInfo};
use crate::Status;

/// Replay a litmus file or a fuzzer's crash file (`-`: standard input),
/// print the interleaving (one column per task) and the oracle verdicts.
/// Exit status: 0 nothing fired, 1 an oracle fired, 2 bad input.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The case: a `.litmus` file, or bytes saved by a fuzzer; `-` for standard input.
    pub file: PathBuf,
    /// Run against this profile instead of the file's (NAME[+TOGGLE][-TOGGLE]).
    #[arg(long)]
    pub profile: Option<String>,
    /// Show every step (by default long runs without events are elided).
    #[arg(long)]
    pub all_steps: bool,
    /// Show each touched frame's incarnation, flags and refcount.
    #[arg(long)]
    pub frames: bool,
    /// Table width (columns narrower than step labels abbreviate them, with a legend).
    #[arg(long, default_value_t = 80)]
    pub width: usize,
    /// Draw the whole run (by default the table ends at the finding the file expects, or the first one).
    #[arg(long)]
    pub full: bool,
    /// Print only the profile and the run's signature (`PROFILE SIGNATURE`,
    /// or `PROFILE clean`): what `scripts/bench-libfuzzer.sh` hunts for.
    #[arg(long)]
    pub signature: bool,
    /// One JSON line (a `replay` record) instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: &ReplayArgs) -> Result<Status> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let out = replay(&l.case);
    if let Some(t) = &out.trace {
        for (at, w) in &t.warnings {
            crate::out::note(format_args!(
                "pagelife: warning: {}: before step {at}: {w}\n",
                display_name(&a.file)
            ));
        }
    }
    let seen: Vec<_> = out.findings.iter().map(|f| f.oracle).collect();
    let verdict = Verdict::of(&l, &seen);
    let fired = verdict.status(!seen.is_empty());
    if a.json {
        emit(Record::Replay {
            file: display_name(&a.file),
            profile: l.case.profile.to_string(),
            fs: l.case.config.fs.name().into(),
            signature: signature_of(&out).as_ref().map(SigInfo::of),
            findings: out
                .findings
                .iter()
                .map(|f| FiringInfo::of(&l.case, f))
                .collect(),
            budget_exhausted: out.budget_exhausted,
            expected: names(&verdict.expected),
            missing: names(&verdict.missing),
        });
        return Ok(fired);
    }
    if a.signature {
        let key = signature_of(&out).map_or("clean".to_string(), |s| s.key());
        outln!("{} {key}", l.case.profile);
        return Ok(fired);
    }
    if let Some(t) = &l.title {
        outln!("litmus {t}");
    }
    let stop_after = if a.full {
        None
    } else {
        story_end(&out, &l.expect)
    };
    let opts = TableOptions {
        width: a.width,
        all_steps: a.all_steps,
        frame_state: a.frames,
        stop_after,
    };
    out!("{}", render(&l.case, &out, &opts));
    if out.budget_exhausted {
        outln!("note: the step budget ran out (a livelock?); the quiet-world checks did not run");
    }
    if let Some(line) = verdict.line(&l.case.profile.to_string()) {
        outln!("{line}");
    }
    Ok(fired)
}
