//! `pagelife bench`: time and executions to first finding of each seed race,
//! per search strategy, median and spread over N seeds; a Markdown table and
//! an SVG plot; raw speed and scaling.
//!
//! A seed race is a litmus file of `corpus/litmus`; it counts as found when
//! a run on the file's own profile has the signature of that file's replay
//! (races of one kernel that share a signature — the early-unlock and the
//! non-head metadata race on luis_v2 — are not told apart). Every run is one
//! job on one thread, so the figures compare strategies, not cores; the
//! (race, strategy, seed) runs are spread over `--workers` threads.
//!
//! Strategies: `guided` (the built-in engine with the interleaving signal),
//! `guided-nocov` (without it), `random` and `pct` (fresh cases, one
//! scheduler, no feedback), `stress` (the race's own tasks on real threads
//! with random delays at the seeds' udelay points, repeated), `check` (the
//! exhaustive explorer on the race's own tasks, up to 3 preemptions — one
//! deterministic run, no seeds).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use pagelife_core::case::Case;
use pagelife_core::exec::check::{check_matching, CheckOptions};
use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Outcome1, Strategy};
use pagelife_engine::stress::{stress_once, StressOptions};
use pagelife_engine::target::Target;
use pagelife_triage::signature::{signature, signature_of_findings, Signature};

use crate::input::load;
use crate::store::write_replace;
use crate::Status;

/// Measure how fast each strategy finds each seed race.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seeds per (race, strategy).
    #[arg(long, default_value_t = 5)]
    pub seeds: u64,
    /// Give up on a run after this many seconds (counted as not found): positive, finite, at most 1e9.
    #[arg(long, default_value_t = 8.0, allow_negative_numbers = true)]
    pub cap: f64,
    /// Litmus files of the races (default: corpus/litmus/*.litmus).
    pub files: Vec<PathBuf>,
    /// Strategies (comma-separated): guided, guided-nocov, random, pct, hybrid,
    /// check-only, swarm, stress, check.
    #[arg(long, default_value = "guided,guided-nocov,random,pct,stress,check")]
    pub strategies: String,
    /// Longest delay at a stress delay point, in microseconds (the udelay).
    #[arg(long, default_value_t = 400)]
    pub delay_us: u64,
    /// Worker threads for the runs.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Write a Markdown table here.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the table (bench.md) and the plot (bench.svg) into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rows to add to the table and the plot: Markdown files with rows of
    /// the same seven columns (the peers' and libFuzzer's results).
    #[arg(long)]
    pub extra: Vec<PathBuf>,
    /// Instead: run this many random byte strings through every target's
    /// harness (decode + run, as libFuzzer and AFL do) and report executions/s.
    #[arg(long)]
    pub random_inputs: Option<u64>,
    /// No hint of the race's operations: every race is fuzzed with the
    /// `mainline` target's generator (every operation) on the race's own
    /// profile, from an empty corpus, instead of its subsystem's target.
    #[arg(long)]
    pub no_hint: bool,
    /// Instead: measure scaling (executions/s per job count, time per case
    /// against tasks, operations and frames, `check` states against the bound).
    #[arg(long)]
    pub scaling: bool,
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strat {
    Fuzz(Strategy, bool),
    Stress,
    Check,
}

fn strategy_of(name: &str) -> Result<Strat> {
    Ok(match name {
        "guided" => Strat::Fuzz(Strategy::Guided, true),
        "guided-nocov" => Strat::Fuzz(Strategy::Guided, false),
        "random" => Strat::Fuzz(Strategy::Random, false),
        "pct" => Strat::Fuzz(Strategy::Pct, false),
        "hybrid" => Strat::Fuzz(Strategy::Hybrid, true),
        "check-only" => Strat::Fuzz(Strategy::CheckOnly, false),
        "swarm" => Strat::Fuzz(Strategy::Swarm, true),
        "stress" => Strat::Stress,
        "check" => Strat::Check,
        other => {
            bail!("unknown strategy `{other}` (guided, guided-nocov, random, pct, hybrid, check-only, swarm, stress, check)")
        }
    })
}

/// The target whose generator makes cases like this race's: a case with a
/// mapping belongs to `mappings`, a filesystem case to `iomap`, one with
/// eviction or the journal to
/// `lifecycle`, the rest to the first target fuzzing its profile.
fn target_for(case: &Case, profile: &str) -> Target {
    let mut ops = case
        .setup
        .iter()
        .chain(case.tasks.iter().flat_map(|t| &t.ops));
    let mapping = |op: &pagelife_core::case::Op| {
        use pagelife_core::case::OpKind::*;
        matches!(
            op.kind(),
            Mmap | AnonLoad | AnonStore | AnonMadvise | DioRead
        )
    };
    if ops.any(mapping) {
        return Target::Mappings;
    }
    if case.config.fs != pagelife_core::world::Fs::Simple {
        return Target::Iomap;
    }
    let lifecycle = |op: &pagelife_core::case::Op| {
        use pagelife_core::case::OpKind::*;
        matches!(op.kind(), Unlink | Jbd2Update | Jbd2Commit | Jbd2Checkpoint)
    };
    if case
        .setup
        .iter()
        .chain(case.tasks.iter().flat_map(|t| &t.ops))
        .any(lifecycle)
    {
        return Target::Lifecycle;
    }
    Target::ALL
        .iter()
        .copied()
        .find(|t| t.profiles().contains(&profile))
        .unwrap_or(Target::Mainline)
}

/// Run one fuzzing job, on the race's own profile, until `want` is found or `cap` passes.
pub fn time_to_find(
    target: Target,
    profile: Profile,
    strategy: Strategy,
    cov: bool,
    seed: u64,
    want: &Signature,
    cap: f64,
) -> (Option<f64>, u64) {
    let mut f = Fuzzer::new(FuzzConfig {
        target,
        seed,
        job: 0,
        interleaving_cov: cov,
        strategy,
        profile: Some(profile),
        keep_duplicates: false,
    });
    let start = Instant::now();
    let cap = Duration::from_secs_f64(cap);
    let mut n = 0u64;
    loop {
        n += 1;
        if let Outcome1::New(nf) = f.step() {
            if nf.signature == *want {
                return (Some(start.elapsed().as_secs_f64()), n);
            }
        }
        if n.is_multiple_of(64) && start.elapsed() >= cap {
            return (None, n);
        }
    }
}

/// Stress runs of the race's own case until its signature shows or `cap` passes.
fn stress_to_find(
    case: &Case,
    seed: u64,
    want: &Signature,
    cap: f64,
    delay_us: u64,
) -> (Option<f64>, u64) {
    let opts = StressOptions {
        long: Duration::from_micros(delay_us),
        ..StressOptions::default()
    };
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < cap {
        n += 1;
        let Ok(r) = stress_once(case, seed.wrapping_mul(1_000_003).wrapping_add(n), opts) else {
            // No threads to be had: the baseline cannot run.
            return (None, n);
        };
        if signature_of_findings(&r.findings).is_some_and(|s| s == *want) {
            return (Some(start.elapsed().as_secs_f64()), n);
        }
    }
    (None, n)
}

/// The exhaustive explorer on the race's own tasks: time to a violation with its signature.
fn check_to_find(case: &Case, want: &Signature, cap_states: u64) -> (Option<f64>, u64) {
    let start = Instant::now();
    let w = want.clone();
    let accept =
        move |f: &pagelife_core::oracle::Findings| signature_of_findings(f).is_some_and(|s| s == w);
    let r = check_matching(
        case,
        CheckOptions {
            bound: 3,
            max_states: cap_states,
        },
        &accept,
    );
    let t = start.elapsed().as_secs_f64();
    (r.violation.map(|_| t), r.states)
}

struct Race {
    name: String,
    /// The base profile's name (which target fuzzes it).
    profile: String,
    /// The profile as the file gives it (`v5.0-89cb0888ca14`), for the table.
    shown: String,
    case: Case,
    want: Signature,
}

#[derive(Clone, Copy)]
struct Job {
    race: usize,
    strat: usize,
    seed: u64,
}

/// Results of one (race, strategy) cell.
#[derive(Default, Clone)]
struct Cell {
    times: Vec<Option<f64>>,
    execs: Vec<u64>,
}

fn load_races(files: &[PathBuf]) -> Result<Vec<Race>> {
    let files: Vec<PathBuf> = if files.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir("corpus/litmus")
            .context("corpus/litmus (run from the repository root, or name the files)")?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "litmus"))
            .collect();
        v.sort();
        v
    } else {
        files.to_vec()
    };
    let mut races = Vec::new();
    for file in &files {
        let l = load(file)?;
        let Some(want) = signature(&l.case) else {
            outln!("{}: replays clean, skipped", file.display());
            continue;
        };
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        races.push(Race {
            name,
            profile: l.case.profile.base_profile().name.to_string(),
            shown: l.case.profile.to_string(),
            case: l.case,
            want,
        });
    }
    Ok(races)
}

/// Run the subcommand.
pub fn run(a: &BenchArgs) -> Result<Status> {
    crate::fuzz::checked_secs(a.cap, "--cap")?;
    if a.workers == 0 {
        bail!("--workers must be at least 1");
    }
    if let Some(n) = a.random_inputs {
        return random_inputs(n);
    }
    if a.scaling {
        return scaling();
    }
    let races = load_races(&a.files)?;
    let names: Vec<String> = a
        .strategies
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let strats: Vec<Strat> = names
        .iter()
        .map(|s| strategy_of(s))
        .collect::<Result<_>>()?;
    let start = Instant::now();
    let cells = run_jobs(a, &races, &strats)?;
    let mut rows = rows_of(a, &races, &names, &strats, &cells);
    for p in &a.extra {
        rows.extend(read_extra(p)?);
    }
    // Each race's rows together, in the order the races first appear.
    let mut order: Vec<String> = Vec::new();
    for r in &rows {
        if !order.contains(&r.race) {
            order.push(r.race.clone());
        }
    }
    rows.sort_by_key(|r| order.iter().position(|o| *o == r.race));
    let md = markdown(a, &rows, start.elapsed().as_secs_f64());
    if let Some(p) = &a.markdown {
        write_replace(p, md.as_bytes())?;
    }
    if let Some(dir) = &a.out {
        write_out_dir(dir, &md, &order, &rows, a.cap)?;
    }
    Ok(Status::Ok)
}

/// The (race, strategy, seed) runs, spread over `--workers` threads.
fn run_jobs(a: &BenchArgs, races: &[Race], strats: &[Strat]) -> Result<Vec<Vec<Cell>>> {
    let mut jobs = Vec::new();
    for r in 0..races.len() {
        for (s, st) in strats.iter().enumerate() {
            let seeds = if *st == Strat::Check { 1 } else { a.seeds };
            for seed in 1..=seeds {
                jobs.push(Job {
                    race: r,
                    strat: s,
                    seed,
                });
            }
        }
    }
    let cells: Mutex<Vec<Vec<Cell>>> =
        Mutex::new(vec![vec![Cell::default(); strats.len()]; races.len()]);
    let next = AtomicUsize::new(0);
    noteln!(
        "bench: {} runs over {} worker(s), cap {} s per run",
        jobs.len(),
        a.workers,
        a.cap
    );
    let one = |j: Job| {
        let race = &races[j.race];
        let target = if a.no_hint {
            Target::Mainline
        } else {
            target_for(&race.case, &race.profile)
        };
        let (t, n) = match strats[j.strat] {
            Strat::Fuzz(st, cov) => time_to_find(
                target,
                race.case.profile,
                st,
                cov,
                j.seed,
                &race.want,
                a.cap,
            ),
            Strat::Stress => stress_to_find(&race.case, j.seed, &race.want, a.cap, a.delay_us),
            Strat::Check => check_to_find(&race.case, &race.want, 5_000_000),
        };
        if let Ok(mut c) = cells.lock() {
            c[j.race][j.strat].times.push(t);
            c[j.race][j.strat].execs.push(n);
        }
    };
    let spawn_error = std::thread::scope(|s| {
        for w in 0..a.workers {
            let worker = || {
                while let Some(j) = jobs.get(next.fetch_add(1, Ordering::Relaxed)).copied() {
                    one(j);
                }
            };
            if let Err(e) = std::thread::Builder::new().spawn_scoped(s, worker) {
                // The started workers take every job; none is lost. Stop them.
                next.store(jobs.len(), Ordering::Relaxed);
                return Some(format!("cannot start bench worker {}: {e}", w + 1));
            }
        }
        None
    });
    if let Some(e) = spawn_error {
        bail!(e);
    }
    Ok(cells.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// The table's rows for our own runs, printed as they are made.
fn rows_of(
    a: &BenchArgs,
    races: &[Race],
    names: &[String],
    strats: &[Strat],
    cells: &[Vec<Cell>],
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (ri, race) in races.iter().enumerate() {
        outln!("{} [{}]: {}", race.name, race.shown, race.want.key());
        for (si, name) in names.iter().enumerate() {
            let row = Row::of_cell(a, race, name, strats[si] == Strat::Check, &cells[ri][si]);
            outln!(
                "  {:<13} found {}  median {} s  range {}  median {}",
                row.strategy,
                row.found,
                row.median_text,
                row.range,
                row.execs
            );
            rows.push(row);
        }
    }
    rows
}

/// Rows from an `--extra` Markdown file.
fn read_extra(p: &Path) -> Result<Vec<Row>> {
    let text =
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with("| ") || line.starts_with("| race ") {
            continue;
        }
        let row = Row::parse(line).with_context(|| {
            format!("{}:{}: expected a row `| race | profile | strategy | found | median | range | executions |`", p.display(), i + 1)
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// The Markdown table with its footnote.
fn markdown(a: &BenchArgs, rows: &[Row], secs: f64) -> String {
    let mut md = String::from(
        "| race | profile | strategy | found | median time to first finding (s) | min–max (s) | median executions |\n|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.race, r.profile, r.strategy, r.found, r.median_text, r.range, r.execs
        ));
    }
    md.push_str(&format!(
        "\n{} seeds per cell (check: one deterministic run, bound 3), cap {} s per run, {} worker threads, {:.0} s in all. \
         Executions: cases run (stress: stress runs; check: states explored). \
         A median is shown only when more than half of the seeds found the race.\n",
        a.seeds, a.cap, a.workers, secs
    ));
    if a.no_hint {
        md.push_str(
            "\nNo hint: every race fuzzed with the `mainline` target's generator (every operation), \
             on the race's own profile, from an empty corpus.\n",
        );
    }
    md
}

const BENCH_INTRO: &str = "Time and executions to the first finding of each seed race of `corpus/litmus/`, with its \
     signature, on its own profile. Two kinds of search:\n\n\
     - **from nothing** — `guided` (the built-in engine, coverage-guided by interleaving features), \
     `guided-nocov` (the same engine with that signal off: its corpus grows only by cases that fire an oracle signature it has not seen), \
     `random` and `pct` (fresh random cases, one scheduler each), `libfuzzer` and `libfuzzer-nocov` \
     (cargo fuzz with ASan and the engine's custom mutator, with and without the interleaving \
     counters), `libfuzzer -s none` (the same without a sanitizer) and `libfuzzer-bytes -s none` \
     (libFuzzer's own byte mutation; all four from `scripts/bench-libfuzzer.sh`): they \
     choose the operations, the interleaving and the faults;\n\
     - **told the operations** — `stress` (the litmus file's tasks on real threads, random delays at \
     the seeds' udelay points, run after run; `pagelife stress`), `check` (every interleaving of those \
     tasks up to 3 preemptions, one deterministic run), and the peers of `bench/peers/` (rows \
     `toy model`: loom and shuttle on a hand-written Rust model of the race, whose threads, steps and \
     even the `yield_now()` at the race window were written by someone who already knew the race).\n\n\
     ![plot](bench.svg)\n\n";

/// `--out DIR`: bench.md (intro and table) and bench.svg.
fn write_out_dir(dir: &Path, md: &str, order: &[String], rows: &[Row], cap: f64) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut doc = String::from("# Bug-finding benchmark\n\nRegenerated by `scripts/bench.sh`.\n\n");
    doc.push_str(BENCH_INTRO);
    doc.push_str(md);
    write_replace(&dir.join("bench.md"), doc.as_bytes())?;
    write_replace(&dir.join("bench.svg"), plot(order, rows, cap).as_bytes())?;
    outln!(
        "wrote {} and {}",
        dir.join("bench.md").display(),
        dir.join("bench.svg").display()
    );
    Ok(())
}

/// One line of the table: ours, or read from `--extra`.
struct Row {
    race: String,
    profile: String,
    strategy: String,
    found: String,
    median: Option<f64>,
    /// The cap a run that found nothing gave up at.
    cap: f64,
    median_text: String,
    range: String,
    execs: String,
}

impl Row {
    /// The row of one (race, strategy) cell of our own runs.
    fn of_cell(a: &BenchArgs, race: &Race, name: &str, is_check: bool, c: &Cell) -> Row {
        let found: Vec<f64> = c.times.iter().flatten().copied().collect();
        let total = c.times.len();
        let median_s = if found.len() * 2 > total {
            median(&found)
        } else {
            None
        };
        let range = if found.is_empty() {
            "—".into()
        } else {
            format!(
                "{:.3}–{:.3}",
                found.iter().copied().fold(f64::INFINITY, f64::min),
                found.iter().copied().fold(0.0, f64::max)
            )
        };
        let ex = median(&c.execs.iter().map(|&e| e as f64).collect::<Vec<_>>()).unwrap_or(0.0);
        let unit = if is_check { " states" } else { "" };
        Row {
            race: race.name.clone(),
            profile: race.shown.clone(),
            strategy: name.to_string(),
            found: format!("{}/{total}", found.len()),
            median: median_s,
            cap: a.cap,
            median_text: median_s.map_or(format!("> {:.0}", a.cap), |m| format!("{m:.3}")),
            range,
            execs: format!("{ex:.0}{unit}"),
        }
    }

    /// A Markdown row of the table's seven columns.
    fn parse(line: &str) -> Option<Row> {
        let cols: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cols.len() != 7 {
            return None;
        }
        let median = cols[4].parse::<f64>().ok();
        let cap = match median {
            Some(m) => m,
            None => cols[4].strip_prefix('>')?.trim().parse::<f64>().ok()?,
        };
        Some(Row {
            race: cols[0].into(),
            profile: cols[1].into(),
            strategy: cols[2].into(),
            found: cols[3].into(),
            median,
            cap,
            median_text: cols[4].into(),
            range: cols[5].into(),
            execs: cols[6].into(),
        })
    }
}

/// A log-scale bar chart of median time to first finding, per race and strategy.
fn plot(races: &[String], rows: &[Row], cap: f64) -> String {
    let colors = PLOT_COLORS;
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        if !names.contains(&r.strategy.as_str()) {
            names.push(&r.strategy);
        }
    }
    let per_race: Vec<Vec<&Row>> = races
        .iter()
        .map(|n| rows.iter().filter(|r| r.race == *n).collect())
        .collect();
    let bw = 12.0;
    let (gap, left, top, h) = (26.0, 60.0, 40.0, 260.0);
    let width_of = |v: &Vec<&Row>| bw * v.len() as f64 + gap;
    let plot_w: f64 = per_race.iter().map(width_of).sum();
    let legend_cols = 4usize;
    let legend_rows = names.len().div_ceil(legend_cols);
    let width = (left + plot_w + 20.0).max(left + 190.0 * legend_cols as f64);
    let height = top + h + 130.0 + 16.0 * legend_rows as f64;
    let top_t = rows
        .iter()
        .map(|r| r.median.unwrap_or(r.cap))
        .fold(cap, f64::max)
        * 1.5;
    let (lo, hi) = (1e-4f64.log10(), top_t.log10());
    let y = |t: f64| top + h - (t.max(1e-4).log10() - lo) / (hi - lo) * h;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="DejaVu Sans, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">Median time to first finding (s, log scale); pale = not found within the cap (the bar's height)</text>"#
    );
    for e in -4..=(top_t.log10().ceil() as i32) {
        let t = 10f64.powi(e);
        let yy = y(t);
        if yy >= top - 1.0 {
            s.push_str(&format!(
                r##"<line x1="{left}" x2="{:.0}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.0}" y="{:.1}" text-anchor="end">{t}</text>"##,
                width - 10.0,
                left - 4.0,
                yy + 4.0
            ));
        }
    }
    let mut x0 = left;
    for (ri, race) in races.iter().enumerate() {
        for (i, r) in per_race[ri].iter().enumerate() {
            let si = names.iter().position(|n| *n == r.strategy).unwrap_or(0);
            let (t, ok) = match r.median {
                Some(m) => (m, true),
                None => (r.cap, false),
            };
            let x = x0 + i as f64 * bw;
            let yy = y(t);
            let fill = colors[si % colors.len()];
            let op = if ok { "1" } else { "0.3" };
            s.push_str(&format!(
                r#"<rect x="{x:.1}" y="{yy:.1}" width="{:.1}" height="{:.1}" fill="{fill}" fill-opacity="{op}" stroke="{fill}"><title>{} / {}: {} s</title></rect>"#,
                bw - 2.0,
                (top + h - yy).max(1.0),
                race,
                r.strategy,
                r.median_text
            ));
        }
        s.push_str(&format!(
            r#"<text transform="translate({:.0},{:.0}) rotate(30)" font-size="10">{}</text>"#,
            x0,
            top + h + 14.0,
            race
        ));
        x0 += width_of(&per_race[ri]);
    }
    s.push_str(&plot_legend(&names, left, top + h + 120.0, legend_cols));
    s.push_str("</svg>\n");
    s
}

const PLOT_COLORS: [&str; 19] = [
    "#1f6feb", "#8cb4ff", "#d4a017", "#9a6fd8", "#d04040", "#2e9e5b", "#555555", "#999999",
    "#c0c0c0", "#e07b39", "#f2b48a", "#6b4226", "#a37b5c", "#d9c2ad", "#00838f", "#80cbc4",
    "#004d40", "#ff80ab", "#c51162",
];

/// The plot's legend: a swatch and a name per strategy, `cols` to a row.
fn plot_legend(names: &[&str], left: f64, y0: f64, cols: usize) -> String {
    let mut s = String::new();
    for (si, n) in names.iter().enumerate() {
        let x = left + (si % cols) as f64 * 190.0;
        let yy = y0 + 16.0 * (si / cols) as f64;
        s.push_str(&format!(
            r#"<rect x="{x:.0}" y="{:.0}" width="10" height="10" fill="{}"/><text x="{:.0}" y="{yy:.0}">{n}</text>"#,
            yy - 9.0,
            PLOT_COLORS[si % PLOT_COLORS.len()],
            x + 14.0
        ));
    }
    s
}

/// Random byte strings through each target's harness; any panic is a bug.
fn random_inputs(n: u64) -> Result<Status> {
    use pagelife_engine::cov::CovMap;
    use pagelife_engine::harness::run_input;
    for &t in Target::ALL {
        let mut rng = pagelife_engine::rng::Rng::new(0xfeed, t as u64);
        let mut buf = Vec::with_capacity(256);
        let mut cov = CovMap::default();
        let (mut ran, mut findings) = (0u64, 0u64);
        let start = Instant::now();
        for _ in 0..n {
            buf.clear();
            let len = rng.below(200);
            buf.extend((0..len).map(|_| rng.u64() as u8));
            // Name one of the target's profiles half the time (the harness
            // maps the others onto them).
            if !buf.is_empty() && rng.chance(0.5) {
                let ps = t.profiles();
                let name = ps[rng.below(ps.len())];
                buf[0] = pagelife_core::profile::PROFILES
                    .iter()
                    .position(|p| p.name == name)
                    .unwrap_or(0) as u8;
            }
            if let Some((_, out)) = run_input(t, &buf, Some(&mut cov)) {
                ran += 1;
                findings += u64::from(!out.findings.is_empty());
            }
            cov.discard();
        }
        let el = start.elapsed().as_secs_f64();
        outln!(
            "{:10} {n} inputs in {el:.1}s ({:.0}/s): {ran} run (others: not of this codec version), {findings} with an oracle finding, no other panic",
            t.name(),
            n as f64 / el
        );
    }
    Ok(Status::Ok)
}

/// Executions/s per job count; time per case against its size; `check` states against the bound.
fn scaling() -> Result<Status> {
    scaling_engine();
    scaling_case_size();
    scaling_check()?;
    Ok(Status::Ok)
}

/// 1. The engine with 1 and 2 jobs, 5 s each.
fn scaling_engine() {
    for jobs in [1usize, 2] {
        let stop = std::sync::atomic::AtomicBool::new(false);
        let count = std::sync::atomic::AtomicU64::new(0);
        let start = Instant::now();
        std::thread::scope(|s| {
            for j in 0..jobs {
                let (stop, count) = (&stop, &count);
                let worker = move || {
                    let mut f = Fuzzer::new(FuzzConfig {
                        target: Target::Writeback,
                        seed: 7,
                        job: j as u64,
                        interleaving_cov: true,
                        strategy: Strategy::Guided,
                        profile: None,
                        keep_duplicates: false,
                    });
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..64 {
                            f.step();
                        }
                        count.fetch_add(64, Ordering::Relaxed);
                    }
                };
                if let Err(e) = std::thread::Builder::new().spawn_scoped(s, worker) {
                    warnln!("pagelife: error: cannot start a scaling job: {e}");
                    break;
                }
            }
            std::thread::sleep(Duration::from_secs(5));
            stop.store(true, Ordering::Relaxed);
        });
        let n = count.load(Ordering::Relaxed);
        outln!(
            "engine, {jobs} job(s): {:.0} executions/s",
            n as f64 / start.elapsed().as_secs_f64()
        );
    }
}

/// A case of `tasks` tasks of `ops` operations over `frames` frames.
fn sized_case(tasks: usize, ops: usize, frames: u8) -> Case {
    use pagelife_core::case::{Op, TaskDef, DEFAULT_NAMES};
    let mut c = Case {
        profile: Profile::named("v5.8").unwrap_or_default(),
        ..Case::default()
    };
    c.config.frames = frames;
    c.setup = vec![
        Op::Write { file: 0, index: 0 },
        Op::Writeback {
            file: 0,
            all: false,
        },
    ];
    for (t, name) in DEFAULT_NAMES.iter().enumerate().take(tasks) {
        let f = (t % 3) as u8;
        let ops: Vec<Op> = (0..ops)
            .map(|k| match k % 3 {
                0 => Op::Write {
                    file: f,
                    index: (k % 4) as u8,
                },
                1 => Op::Writeback {
                    file: f,
                    all: k % 2 == 0,
                },
                _ => Op::Truncate { file: f, size: 1 },
            })
            .collect();
        c.tasks.push(TaskDef {
            name: (*name).into(),
            cpu: t as u8,
            thread: None,
            fork: None,
            ops,
        });
    }
    c
}

/// 2. Time per case against tasks, operations per task, frames.
fn scaling_case_size() {
    use pagelife_core::exec::replay::{run_case, NoObserver, RunOptions};
    let time_case = |c: &Case| -> (f64, u32) {
        let reps = 2000;
        let start = Instant::now();
        let mut steps = 0;
        for _ in 0..reps {
            steps = run_case(c, RunOptions::default(), &mut NoObserver).steps;
        }
        (start.elapsed().as_secs_f64() / reps as f64 * 1e6, steps)
    };
    for t in 1..=4 {
        let (us, st) = time_case(&sized_case(t, 3, 4));
        outln!("tasks={t} ops/task=3 frames=4: {us:.1} µs/case, {st} steps");
    }
    for o in [1, 2, 4, 8] {
        let (us, st) = time_case(&sized_case(2, o, 4));
        outln!("tasks=2 ops/task={o} frames=4: {us:.1} µs/case, {st} steps");
    }
    for fr in [2u8, 4, 8] {
        let (us, st) = time_case(&sized_case(3, 3, fr));
        outln!("tasks=3 ops/task=3 frames={fr}: {us:.1} µs/case, {st} steps");
    }
}

/// 3. `check`'s state count against the bound, on the reuse race (mainline: full search).
fn scaling_check() -> Result<()> {
    use pagelife_core::exec::check::check;
    let l = load(Path::new("corpus/litmus/case1-reuse-bug-on.litmus"))?;
    let mut c = l.case.clone();
    c.profile = Profile::named("mainline").unwrap_or_default();
    let unbounded = pagelife_core::exec::check::UNBOUNDED;
    for bound in (0..=4u8).chain([unbounded]) {
        let start = Instant::now();
        let r = check(
            &c,
            CheckOptions {
                bound,
                max_states: 20_000_000,
            },
        );
        outln!(
            "check case1-reuse-bug-on on mainline, bound {}: {} states, {} interleavings, {:.2} s{}",
            crate::check::bound_str(bound),
            r.states,
            r.interleavings,
            start.elapsed().as_secs_f64(),
            if r.truncated { " (truncated)" } else { "" }
        );
    }
    Ok(())
}
