//! `pagelife minimize FILE`: the smallest case with the same signature.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pagelife_core::litmus;
use pagelife_triage::minimize::minimize;

use crate::input::{display_name, load_with_profile, stem};
use crate::store::write_replace;
use crate::Status;

/// Minimize a finding (litmus or fuzzer bytes): fewer tasks, operations,
/// faults and context switches, same signature. Prints the result as a
/// litmus file (or writes it with `-o`) and the sizes before and after.
#[derive(Args, Debug)]
pub struct MinimizeArgs {
    /// The finding (`-`: standard input).
    pub file: PathBuf,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Write the minimized litmus file here.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

/// Minimize and render; shared with `import`. `None`: nothing fires.
pub fn minimized_litmus(
    case: &pagelife_core::case::Case,
    title: &str,
    origin: &str,
) -> Option<(String, String)> {
    let r = minimize(case)?;
    let out = pagelife_core::exec::replay::replay(&r.case);
    let expect: Vec<_> = out.findings.story().map(|f| f.oracle).collect();
    let summary = format!(
        "minimized from {} to {} ({} candidates tried)",
        r.before, r.after, r.tried
    );
    let comments = vec![
        crate::out::stamp_line(),
        format!("minimized by pagelife from {origin}"),
        format!("signature: {}", r.signature.key()),
        format!("title: {}", r.signature.title()),
        summary.clone(),
    ];
    Some((
        litmus::print(
            &r.case,
            Some(title),
            &expect,
            &crate::check::comment_lines(&comments),
        ),
        summary,
    ))
}

/// Write a minimized litmus file to `out` (or standard output) and say so.
pub fn emit_minimized(out: Option<&std::path::Path>, text: &str, summary: &str) -> Result<()> {
    match out {
        Some(p) => {
            write_replace(p, text.as_bytes())?;
            outln!("{summary}\nwritten to {}", p.display());
        }
        None => {
            out!("{text}");
            crate::noteln!("{summary}");
        }
    }
    Ok(())
}

/// Run the subcommand: exit 0 minimized, 3 nothing fires (nothing to do).
pub fn run(a: &MinimizeArgs) -> Result<Status> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let title = format!("{}-min", stem(&a.file, "finding"));
    let origin = display_name(&a.file);
    let Some((text, summary)) = minimized_litmus(&l.case, &title, &origin) else {
        crate::warnln!("pagelife: {origin}: no oracle fires, nothing to minimize");
        return Ok(Status::Nothing);
    };
    emit_minimized(a.out.as_deref(), &text, &summary)?;
    Ok(Status::Ok)
}
