//! `pagelife explain FILE --format FMT`: a finding in the form you need.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use pagelife_core::exec::replay::replay;
use pagelife_triage::export::{c, json, litmus_text, rust_test, svg};
use pagelife_triage::table::{render, story_end, TableOptions};

use crate::input::load_with_profile;

/// Export formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// One column per context, as the seed mails draw races (fits a mail at two columns).
    Table,
    /// A litmus file with the schedule written as step labels.
    Litmus,
    /// JSON, schema `pagelife-finding/1` (see triage/src/export/json.rs).
    Json,
    /// A Rust `#[test]` that replays the case and asserts the finding, and its absence on mainline.
    Rust,
    /// An SVG timeline: lanes per context, incarnations, sleeps, wakeups, DMA, oracles.
    Svg,
    /// A C11 + pthreads program that performs the case on a real kernel (see triage/src/export/c.rs).
    C,
}

/// Explain a case (litmus or fuzzer bytes) in one of several forms.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The case.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Run against this profile instead of the file's.
    #[arg(long)]
    pub profile: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

/// Run the subcommand; returns whether an oracle fired.
pub fn run(a: &ExplainArgs) -> Result<bool> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let stem = a
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "case".into());
    let title = l.title.clone().unwrap_or(stem);
    let out = replay(&l.case);
    let text = match a.format {
        Format::Table => {
            let opts = TableOptions {
                stop_after: story_end(&out, &l.expect),
                ..Default::default()
            };
            render(&l.case, &out, &opts)
        }
        Format::Litmus => litmus_text(&l.case, Some(&title)),
        Format::Json => json::to_json(&l.case, Some(&title)) + "\n",
        Format::Rust => rust_test::rust_test(&l.case, &title),
        Format::Svg => svg::svg(&l.case, Some(&title)),
        Format::C => c::c_program(&l.case, &title),
    };
    match &a.out {
        Some(p) => std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?,
        None => print!("{text}"),
    }
    Ok(!out.findings.is_empty())
}
