//! `pagelife import`: a libFuzzer or AFL crash file to a minimized litmus file.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::input::{display_name, load, stem};
use crate::minimize::{emit_minimized, minimized_litmus};
use crate::Status;

/// Turn a fuzzer's crash file into a minimized, labelled litmus file in one step.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The crash file (bytes; `-`: standard input).
    pub file: PathBuf,
    /// Where to write the litmus file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Title for the litmus file (default: from the file name).
    #[arg(long)]
    pub title: Option<String>,
}

/// Run the subcommand: exit 0 imported, 3 nothing fires (nothing to do).
pub fn run(a: &ImportArgs) -> Result<Status> {
    let l = load(&a.file)?;
    let stem = stem(&a.file, "imported");
    let title = a.title.clone().unwrap_or_else(|| {
        stem.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    });
    let origin = display_name(&a.file);
    let Some((text, summary)) = minimized_litmus(&l.case, &title, &origin) else {
        crate::warnln!("pagelife: {origin}: no oracle fires, nothing to import");
        return Ok(Status::Nothing);
    };
    emit_minimized(a.out.as_deref(), &text, &summary)?;
    Ok(Status::Ok)
}
