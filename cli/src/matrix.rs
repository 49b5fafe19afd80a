//! `pagelife matrix FILE...`: which kernels have the race, which proposals close it.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::profile::{Profile, PROFILES};

use crate::input::load;

/// Replay each file against every profile (and explore its tasks with
/// `check`), and print a table profile × file: the headline oracle of the
/// replay, and `check`'s verdict.
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// Litmus or byte files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Extra profiles (expressions) to add as rows, e.g. v5.8+073861ed77b6.
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// `check` bound (0: skip check).
    #[arg(long, default_value_t = 2)]
    pub bound: u8,
    /// `check` state limit per cell.
    #[arg(long, default_value_t = 300_000)]
    pub max_states: u64,
}

/// Run the subcommand; returns whether anything fired anywhere.
pub fn run(a: &MatrixArgs) -> Result<bool> {
    let mut cases = Vec::new();
    for f in &a.files {
        let l = load(f)?;
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        cases.push((name, l.case));
    }
    let mut rows: Vec<Profile> = PROFILES
        .iter()
        .filter_map(|p| Profile::named(p.name))
        .collect();
    for p in &a.profiles {
        rows.push(Profile::parse(p)?);
    }
    let colw = cases
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(10)
        .max(30);
    print!("{:<24}", "profile");
    for (n, _) in &cases {
        print!(" | {n:<colw$}");
    }
    println!();
    println!("{}", "-".repeat(24 + cases.len() * (colw + 3)));
    let mut any = false;
    for p in &rows {
        print!("{:<24}", p.to_string());
        for (_, c) in &cases {
            let mut c = c.clone();
            c.profile = *p;
            let out = replay(&c);
            let r = out
                .findings
                .headline()
                .map(|f| f.oracle.name().to_string())
                .unwrap_or_else(|| "·".into());
            any |= !out.findings.is_empty();
            let chk = if a.bound == 0 {
                String::new()
            } else {
                let rep = check(
                    &c,
                    CheckOptions {
                        bound: a.bound,
                        max_states: a.max_states,
                    },
                );
                match (&rep.violation, rep.truncated) {
                    (Some(v), _) => {
                        any = true;
                        format!(
                            " / check: {}",
                            v.findings
                                .headline()
                                .map(|f| f.oracle.name())
                                .unwrap_or("?")
                        )
                    }
                    (None, true) => " / check: none (truncated)".into(),
                    (None, false) => " / check: none".into(),
                }
            };
            print!(" | {:<colw$}", format!("{r}{chk}"));
        }
        println!();
    }
    println!("\ncells: headline oracle of the replay as written / check's verdict up to {} preemption(s); · = nothing fired", a.bound);
    Ok(any)
}
