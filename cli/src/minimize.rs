//! `pagelife minimize FILE`: the smallest case with the same signature.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use pagelife_core::litmus;
use pagelife_triage::minimize::minimize;

use crate::input::load_with_profile;

/// Minimize a finding (litmus or fuzzer bytes): fewer tasks, operations,
/// faults and context switches, same signature. Prints the result as a
/// litmus file (or writes it with `-o`) and the sizes before and after.
#[derive(Args, Debug)]
pub struct MinimizeArgs {
    /// The finding.
    pub file: PathBuf,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Write the minimized litmus file here.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

/// Minimize and render; shared with `import`.
pub fn minimized_litmus(
    case: &pagelife_core::case::Case,
    title: &str,
    origin: &str,
) -> Result<(String, String)> {
    let Some(r) = minimize(case) else {
        bail!("{origin}: no oracle fires, nothing to minimize")
    };
    let out = pagelife_core::exec::replay::replay(&r.case);
    let expect: Vec<_> = out.findings.story().map(|f| f.oracle).collect();
    let summary = format!(
        "minimized from {} to {} ({} candidates tried)",
        r.before, r.after, r.tried
    );
    let comments = vec![
        format!("minimized by pagelife from {origin}"),
        format!("signature: {}", r.signature),
        summary.clone(),
    ];
    Ok((
        litmus::print(&r.case, Some(title), &expect, &comments),
        summary,
    ))
}

/// Run the subcommand; returns whether the minimized case has a finding (always, on success).
pub fn run(a: &MinimizeArgs) -> Result<bool> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let title = a
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "finding".into());
    let (text, summary) = minimized_litmus(
        &l.case,
        &format!("{title}-min"),
        &a.file.display().to_string(),
    )?;
    match &a.out {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
            println!("{summary}\nwritten to {}", p.display());
        }
        None => {
            print!("{text}");
            eprintln!("{summary}");
        }
    }
    Ok(true)
}
