//! `pagelife import`: a libFuzzer or AFL crash file to a minimized litmus file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::input::load;
use crate::minimize::minimized_litmus;

/// Turn a fuzzer's crash file into a minimized, labelled litmus file in one step.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The crash file (bytes).
    pub file: PathBuf,
    /// Where to write the litmus file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Title for the litmus file (default: from the file name).
    #[arg(long)]
    pub title: Option<String>,
}

/// Run the subcommand.
pub fn run(a: &ImportArgs) -> Result<bool> {
    let l = load(&a.file)?;
    let stem = a
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "imported".into());
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
    let (text, summary) = minimized_litmus(&l.case, &title, &a.file.display().to_string())?;
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
