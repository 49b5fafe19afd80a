//! `pagelife explain FILE --format FMT`: a finding in the form you need.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use pagelife_core::exec::replay::replay;
use pagelife_triage::export::{c, json, litmus_text, rust_test, svg};
use pagelife_triage::table::{render, story_end, TableOptions};

use crate::input::{load_with_profile, stem};
use crate::store::write_replace;
use crate::Status;

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
    /// The case (`-`: standard input).
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

/// Run the subcommand (exit 0 whether or not the case fires).
pub fn run(a: &ExplainArgs) -> Result<Status> {
    let l = load_with_profile(&a.file, a.profile.as_deref())?;
    let title = l.title.clone().unwrap_or_else(|| stem(&a.file, "case"));
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
        Some(p) => write_replace(p, text.as_bytes())?,
        None => out!("{text}"),
    }
    Ok(Status::Ok)
}
