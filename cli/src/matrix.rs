//! `pagelife matrix FILE...`: which kernels have the race, which proposals close it.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use pagelife_core::case::Case;
use pagelife_core::exec::check::{check, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::profile::{Profile, PROFILES};

use crate::input::{display_name, load, parse_profile, stem};
use crate::progress::Spinner;
use crate::records::{emit, Record};
use crate::width::{toggle_legend, WIDTH};
use crate::Status;

/// How the matrix is printed.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MatrixFormat {
    /// One block per file, a row per profile (fits 80 columns).
    Text,
    /// One Markdown table: a row per profile, a column per file (wide).
    Markdown,
    /// CSV, one line per (file, profile): file,profile,replay,check.
    Csv,
}

/// Replay each file against every named profile, its own and each
/// `--profile` (and explore its tasks with
/// `check`), and print profile × file: the headline oracle of the replay,
/// and `check`'s verdict. A progress bar counts the cells on a terminal.
/// Exit status: 0 (whatever fired), 2 bad input.
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// Litmus or byte files (`-`: standard input).
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
    /// JSON lines (a `matrix-cell` record per cell) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One (file, profile) cell.
struct Cell {
    replay: Option<&'static str>,
    /// `None`: not checked; `Some((oracle, truncated))`.
    check: Option<(Option<&'static str>, bool)>,
}

impl Cell {
    fn replay_text(&self) -> &'static str {
        self.replay.unwrap_or("·")
    }
    fn check_text(&self) -> String {
        match self.check {
            None => "-".into(),
            Some((Some(o), _)) => o.into(),
            Some((None, true)) => "none (truncated)".into(),
            Some((None, false)) => "none".into(),
        }
    }
}

fn cell(c: &Case, p: Profile, a: &MatrixArgs) -> Cell {
    let mut c = c.clone();
    c.profile = p;
    let out = replay(&c);
    let replay = out.findings.headline().map(|f| f.oracle.name());
    let check = (a.bound > 0).then(|| {
        let rep = check(
            &c,
            CheckOptions {
                bound: a.bound,
                max_states: a.max_states,
            },
        );
        let o = rep
            .violation
            .as_ref()
            .map(|v| v.findings.headline().map_or("?", |f| f.oracle.name()));
        (o, rep.truncated)
    });
    Cell { replay, check }
}

fn text(a: &MatrixArgs, names: &[String], rows: &[Profile], cells: &[Vec<Cell>]) {
    let (pw, rw) = (22usize, 26usize);
    for (fi, n) in names.iter().enumerate() {
        if fi > 0 {
            outln!();
        }
        outln!("{n}");
        outln!(
            "  {:<pw$} {:<rw$} {}",
            "profile",
            "replay",
            if a.bound > 0 {
                format!("check (bound {})", a.bound)
            } else {
                "check".into()
            }
        );
        for (pi, p) in rows.iter().enumerate() {
            let c = &cells[fi][pi];
            let mut name = p.to_string();
            if name.chars().count() > pw {
                outln!("  {name}");
                name.clear();
            }
            outln!("  {name:<pw$} {:<rw$} {}", c.replay_text(), c.check_text());
        }
    }
    outln!(
        "\nreplay: headline oracle of the file as written; check: the violation found\nup to {} preemption(s) (- not run); · nothing fired.",
        a.bound
    );
    let legend = toggle_legend(rows, WIDTH);
    if !legend.is_empty() {
        outln!();
        for l in legend {
            outln!("{l}");
        }
    }
}

fn markdown(names: &[String], rows: &[Profile], cells: &[Vec<Cell>]) {
    outln!("| profile | {} |", names.join(" | "));
    outln!("|---|{}", "---|".repeat(names.len()));
    for (pi, p) in rows.iter().enumerate() {
        let cs: Vec<String> = (0..names.len())
            .map(|fi| {
                let c = &cells[fi][pi];
                format!("{} / {}", c.replay_text(), c.check_text())
            })
            .collect();
        outln!("| {p} | {} |", cs.join(" | "));
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Run the subcommand.
pub fn run(a: &MatrixArgs) -> Result<Status> {
    let mut cases = Vec::new();
    for f in &a.files {
        cases.push((f, load(f)?.case));
    }
    let mut rows: Vec<Profile> = PROFILES
        .iter()
        .filter_map(|p| Profile::named(p.name))
        .collect();
    // Each file's own profile is a row (a file may declare an expression
    // such as v5.8+073861ed77b6), and so is every --profile.
    let own = cases.iter().map(|(_, c)| Ok(c.profile));
    let extra = a.profiles.iter().map(|p| parse_profile(p));
    for p in own.chain(extra) {
        let p = p?;
        if !rows.contains(&p) {
            rows.push(p);
        }
    }
    let bar = Spinner::bar((cases.len() * rows.len()) as u64, "matrix");
    let mut cells: Vec<Vec<Cell>> = Vec::new();
    for (f, c) in &cases {
        let mut v = Vec::new();
        for p in &rows {
            bar.step(&format!("{} on {p}", stem(f, "case")));
            v.push(cell(c, *p, a));
        }
        cells.push(v);
    }
    bar.finish();
    let names: Vec<String> = cases.iter().map(|(f, _)| stem(f, "case")).collect();
    if a.json {
        for (fi, (f, _)) in cases.iter().enumerate() {
            for (pi, p) in rows.iter().enumerate() {
                let c = &cells[fi][pi];
                emit(Record::MatrixCell {
                    file: display_name(f),
                    profile: p.to_string(),
                    replay: c.replay.map(str::to_string),
                    check: c.check.and_then(|x| x.0).map(str::to_string),
                    checked: c.check.is_some(),
                    check_truncated: c.check.is_some_and(|x| x.1),
                });
            }
        }
        return Ok(Status::Ok);
    }
    match a.format {
        MatrixFormat::Text => text(a, &names, &rows, &cells),
        MatrixFormat::Markdown => markdown(&names, &rows, &cells),
        MatrixFormat::Csv => {
            outln!("file,profile,replay,check");
            for (fi, n) in names.iter().enumerate() {
                for (pi, p) in rows.iter().enumerate() {
                    let c = &cells[fi][pi];
                    outln!(
                        "{},{},{},{}",
                        csv_field(n),
                        csv_field(&p.to_string()),
                        c.replay.unwrap_or(""),
                        c.check_text()
                    );
                }
            }
        }
    }
    Ok(Status::Ok)
}
