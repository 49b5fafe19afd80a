//! `pagelife check FILE`: every interleaving of the file's tasks up to K preemptions.

use std::path::PathBuf;

use anyhow::bail;
use anyhow::Result;
use clap::Args;
use pagelife_core::exec::check::Violation;
use pagelife_core::exec::check::{check, CheckOptions, CheckReport, UNBOUNDED};
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_triage::report::finding_line;
use pagelife_triage::search::{all_signatures, fires_all, first_with};
use pagelife_triage::signature::signature_of_findings;

use crate::expect::{names, Verdict};
use crate::input::{display_name, load_with_profile, Loaded};
use crate::out::stamp_line;
use crate::progress::Spinner;
use crate::records::{emit, Record, SigInfo};
use crate::records::{FoundInfo, SearchInfo};
use crate::width::{wrap, WIDTH};
use crate::Status;

/// Explore every interleaving of the file's tasks (its schedule is ignored)
/// up to `--bound` preemptions, deduplicating equal states. Prints the first
/// violation as a replayable litmus file, or "no violation" with the counts.
/// A spinner shows the time spent on a terminal.
/// Exit status: 0 no violation, 1 violation, 2 bad input, 4 an oracle the
/// file `expect`s did not fire on its own profile.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The case: a `.litmus` file, or bytes saved by a fuzzer; `-` for standard input.
    pub file: PathBuf,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Most preemptions per interleaving (0-254), or `inf`: every
    /// interleaving, a state reached by any path explored once; "verified"
    /// when it finishes.
    #[arg(long, default_value = "3", value_parser = parse_bound)]
    pub bound: u8,
    /// Stop after this many distinct states.
    #[arg(long, default_value_t = 5_000_000)]
    pub max_states: u64,
    /// One JSON line (a `check` record) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Search on until an interleaving fires every one of these oracles
    /// (repeatable); other violations end their branch. Without it, when the
    /// first violation lacks an oracle the file `expect`s, the search goes on
    /// for the expected ones. With it, the exit status judges these, not `expect`.
    #[arg(long, value_name = "ORACLE")]
    pub want: Vec<String>,
    /// List every distinct signature within the bound, each with an
    /// interleaving of the fewest preemptions (one search per signature and bound).
    #[arg(long, conflicts_with = "want")]
    pub all: bool,
}

/// Comment lines for a litmus file, each wrapped to fit 80 columns with its
/// `# ` (a signature key, one word, stays whole on its line).
pub fn comment_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| wrap(l, WIDTH - 2, "", "  ").join("\n"))
        .collect()
}

/// The `--want` oracles, by name.
fn wanted(names: &[String]) -> Result<Vec<OracleId>> {
    names
        .iter()
        .map(|n| match OracleId::from_name(n) {
            Some(o) => Ok(o),
            None => {
                let all: Vec<_> = OracleId::ALL.iter().map(|o| o.name()).collect();
                bail!("--want {n}: no such oracle (one of: {})", all.join(", "))
            }
        })
        .collect()
}

/// The search: for `want` if given; else the first violation, and when it
/// lacks an oracle the file expects, the first one that has them all.
fn search(l: &Loaded, opts: CheckOptions, want: &[OracleId]) -> (CheckReport, Option<String>) {
    if !want.is_empty() {
        return (first_with(&l.case, opts, want), None);
    }
    let r = check(&l.case, opts);
    let lacks = |r: &CheckReport| {
        r.violation
            .as_ref()
            .is_some_and(|v| !fires_all(&v.findings, &l.expect))
    };
    if l.expect.is_empty() || !lacks(&r) {
        return (r, None);
    }
    let first = r
        .violation
        .as_ref()
        .and_then(|v| signature_of_findings(&v.findings))
        .map_or_else(String::new, |s| s.key());
    let again = first_with(&l.case, opts, &l.expect);
    let note = format!(
        "the first violation ({first}) lacks an expected oracle; searched on for the expected ones"
    );
    if again.violation.is_some() {
        (again, Some(note))
    } else {
        (r, None)
    }
}

/// `--bound`: a number of preemptions, or `inf` ([`UNBOUNDED`]).
pub fn parse_bound(s: &str) -> std::result::Result<u8, String> {
    if s == "inf" {
        return Ok(UNBOUNDED);
    }
    match s.parse::<u8>() {
        Ok(n) if n < UNBOUNDED => Ok(n),
        _ => Err(format!(
            "expected a number of preemptions (0-{}) or `inf`, found `{s}`",
            UNBOUNDED - 1
        )),
    }
}

/// The bound as the user wrote it.
pub fn bound_str(b: u8) -> String {
    if b == UNBOUNDED {
        "inf".into()
    } else {
        b.to_string()
    }
}

/// Run the subcommand.
pub fn run(a: &CheckArgs) -> Result<Status> {
    let mut l = load_with_profile(&a.file, a.profile.as_deref())?;
    let want = wanted(&a.want)?;
    if !want.is_empty() {
        // What the user asks for is what the run is judged by.
        l.expect = want.clone();
    }
    let opts = CheckOptions {
        bound: a.bound,
        max_states: a.max_states,
    };
    if a.all {
        if a.bound == UNBOUNDED {
            bail!("--all lists each signature with its fewest preemptions: give a finite --bound");
        }
        return run_all(a, &l, opts);
    }
    let spin = Spinner::start(&format!("check, bound {}", bound_str(a.bound)));
    let (r, note) = search(&l, opts, &want);
    spin.finish();
    let counts = format!(
        "{} interleavings, {} states explored (profile {}, bound {})",
        r.interleavings,
        r.states,
        l.case.profile,
        bound_str(a.bound)
    );
    let seen: Vec<_> = r
        .violation
        .iter()
        .flat_map(|v| v.findings.iter().map(|f| f.oracle))
        .collect();
    let verdict = Verdict::of(&l, &seen);
    let status = verdict.status(r.violation.is_some());
    let text = r.violation.as_ref().map(|v| {
        let mut comments = vec![stamp_line(), format!("found by pagelife check: {counts}")];
        comments.extend(note.clone());
        violation_litmus(&l, v, comments)
    });
    if a.json {
        emit(Record::Check {
            search: searched(a, &l, (r.interleavings, r.states, r.truncated)),
            violation: r
                .violation
                .as_ref()
                .and_then(|v| signature_of_findings(&v.findings))
                .as_ref()
                .map(SigInfo::of),
            litmus: text,
            expected: names(&verdict.expected),
            missing: names(&verdict.missing),
        });
        return Ok(status);
    }
    match text {
        None if a.bound == UNBOUNDED && !r.truncated => print_wrapped(&format!(
            "verified: no violation under any interleaving of these tasks ({counts})"
        )),
        None => print_wrapped(&format!(
            "no violation: {counts}{}",
            truncated_note(r.truncated)
        )),
        Some(t) => out!("{t}"),
    }
    if let Some(line) = verdict.line(&l.case.profile.to_string()) {
        outln!("{line}");
    }
    Ok(status)
}

/// The search's record fields: (interleavings, states, truncated).
fn searched(
    a: &CheckArgs,
    l: &Loaded,
    (interleavings, states, truncated): (u64, u64, bool),
) -> SearchInfo {
    SearchInfo {
        file: display_name(&a.file),
        profile: l.case.profile.to_string(),
        bound: a.bound,
        interleavings,
        states,
        truncated,
    }
}

fn truncated_note(truncated: bool) -> &'static str {
    if truncated {
        "; STOPPED at --max-states, not exhaustive"
    } else {
        ""
    }
}

fn print_wrapped(line: &str) {
    for l in wrap(line, WIDTH, "", "  ") {
        outln!("{l}");
    }
}

/// A violation as a replayable litmus file, with `comments` and its findings.
fn violation_litmus(l: &Loaded, v: &Violation, mut comments: Vec<String>) -> String {
    let expect: Vec<_> = v.findings.iter().map(|f| f.oracle).collect();
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
}

/// `--all`: each distinct signature, fewest preemptions first.
fn run_all(a: &CheckArgs, l: &Loaded, opts: CheckOptions) -> Result<Status> {
    let spin = Spinner::start(&format!("check --all, bound {}", a.bound));
    let s = all_signatures(&l.case, opts);
    spin.finish();
    let seen: Vec<_> = s
        .found
        .iter()
        .flat_map(|d| d.violation.findings.iter().map(|f| f.oracle))
        .collect();
    let verdict = Verdict::of(l, &seen);
    let counts = format!(
        "{} distinct signatures; {} interleavings, {} states explored over {} searches \
         (profile {}, bound {}){}",
        s.found.len(),
        s.interleavings,
        s.states,
        s.found.len() + usize::from(a.bound) + 1,
        l.case.profile,
        a.bound,
        truncated_note(s.truncated)
    );
    let found: Vec<_> = s
        .found
        .iter()
        .map(|d| {
            let c = vec![
                stamp_line(),
                format!("found by pagelife check --all: preemptions {}", d.bound),
            ];
            (d, violation_litmus(l, &d.violation, c))
        })
        .collect();
    if a.json {
        emit(Record::CheckAll {
            search: searched(a, l, (s.interleavings, s.states, s.truncated)),
            found: found
                .iter()
                .map(|(d, t)| FoundInfo {
                    signature: SigInfo::of(&d.signature),
                    preemptions: d.bound,
                    litmus: t.clone(),
                })
                .collect(),
        });
        return Ok(verdict.status(!s.found.is_empty()));
    }
    print_wrapped(&counts);
    for (d, _) in &found {
        outln!(
            "  {:<11} {}",
            format!("{} preempt.", d.bound),
            d.signature.key()
        );
    }
    for (_, t) in &found {
        outln!();
        out!("{t}");
    }
    if let Some(line) = verdict.line(&l.case.profile.to_string()) {
        outln!("{line}");
    }
    Ok(verdict.status(!s.found.is_empty()))
}
