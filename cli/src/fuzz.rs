//! `pagelife fuzz`: the built-in engine, on stable Rust.
//!
//! Jobs run on threads, each a deterministic `Fuzzer` for (seed, job) over
//! the chosen targets in turn. Findings are deduplicated by signature across
//! jobs; each new one is written at once, atomically (a temporary file then
//! `rename`), as bytes and as a litmus file, so Ctrl-C or a kill loses
//! nothing already reported. At the end: a table of findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pagelife_core::codec;
use pagelife_core::exec::schedule::label_schedule;
use pagelife_core::litmus;
use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, NewFinding, Outcome1, Strategy};
use pagelife_engine::target::Target;
use pagelife_triage::signature::Signature;

use crate::input::load;

/// How the engine makes inputs.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StrategyArg {
    /// Coverage-guided mutation plus fresh PCT and random runs.
    Guided,
    /// Fresh cases with uniform random scheduling only.
    Random,
    /// Fresh cases with PCT scheduling only.
    Pct,
}

/// Fuzz the model with the built-in engine (stable Rust, in-process).
///
/// With no arguments: 30 seconds on every target whose kernels have races,
/// on all cores, new findings saved to ./findings and printed as they come.
#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Targets to fuzz (default: every target with racy profiles). See `pagelife fuzz --list`.
    #[arg(long = "target", short = 't')]
    pub targets: Vec<String>,
    /// Run every case on this profile instead of the targets' (NAME[+TOGGLE][-TOGGLE]).
    #[arg(long)]
    pub profile: Option<String>,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 30.0)]
    pub time: f64,
    /// Stop after this many executions in all (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub runs: u64,
    /// Seed; each job's run is deterministic for (seed, job).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: available cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Seed inputs: a folder of litmus or byte files.
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Where findings are saved.
    #[arg(long, default_value = "findings")]
    pub out: PathBuf,
    /// Turn the interleaving coverage signal off (for comparison).
    #[arg(long)]
    pub no_interleaving_cov: bool,
    /// How inputs are made.
    #[arg(long, value_enum, default_value_t = StrategyArg::Guided)]
    pub strategy: StrategyArg,
    /// Stop at the first new finding (for time-to-first-finding measurements).
    #[arg(long)]
    pub stop_on_first: bool,
    /// List the targets and exit.
    #[arg(long)]
    pub list: bool,
    /// Also save findings, duplicates included, as bytes in this folder (at
    /// most 150 per signature, 1000 in all): raw material for `pagelife dedup`.
    #[arg(long)]
    pub save_all: Option<PathBuf>,
}

/// A finding as the table shows it.
struct Row {
    sig: Signature,
    profile: String,
    first_secs: f64,
    first_exec: u64,
    count: u64,
    file: PathBuf,
}

struct Registry {
    rows: Vec<Row>,
    index: HashMap<Signature, usize>,
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, then rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

fn save(out: &Path, n: usize, nf: &NewFinding) -> Result<PathBuf> {
    let stem = format!("{:03}-{}", n, nf.signature.oracle.name());
    let bin = out.join(format!("{stem}.bin"));
    write_atomic(&bin, &codec::encode(&nf.case))?;
    let mut labelled = nf.case.clone();
    labelled.schedule = label_schedule(&nf.case);
    let comments = vec![
        format!("found by pagelife fuzz (execution {})", nf.exec),
        format!("signature: {}", nf.signature),
        format!(
            "replay: pagelife replay {}",
            out.join(format!("{stem}.litmus")).display()
        ),
    ];
    let text = litmus::print(&labelled, Some(&stem), &nf.oracles, &comments);
    let lit = out.join(format!("{stem}.litmus"));
    write_atomic(&lit, text.as_bytes())?;
    Ok(lit)
}

/// Save a raw finding (bytes, libFuzzer-style name) for `--save-all`; at most 1000.
fn save_raw(dir: &Path, saved: &AtomicU64, case: &pagelife_core::case::Case) {
    let n = saved.fetch_add(1, Ordering::Relaxed);
    if n < 1000 {
        let _ = write_atomic(&dir.join(format!("crash-{n:04}")), &codec::encode(case));
    }
}

fn read_corpus(dir: &Path) -> Result<Vec<pagelife_core::case::Case>> {
    let mut cases = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read corpus folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for p in entries {
        cases.push(load(&p)?.case);
    }
    Ok(cases)
}

/// Run the subcommand; returns whether anything was found.
pub fn run(a: &FuzzArgs) -> Result<bool> {
    if a.list {
        for t in Target::ALL {
            println!(
                "{:10} {}  [profiles: {}]",
                t.name(),
                t.about(),
                t.profiles().join(", ")
            );
        }
        return Ok(false);
    }
    let targets: Vec<Target> = if a.targets.is_empty() {
        Target::ALL
            .iter()
            .copied()
            .filter(|t| *t != Target::Mainline)
            .collect()
    } else {
        a.targets
            .iter()
            .map(|n| {
                Target::from_name(n)
                    .with_context(|| format!("unknown target `{n}` (see `pagelife fuzz --list`)"))
            })
            .collect::<Result<_>>()?
    };
    let profile = match &a.profile {
        Some(p) => Some(Profile::parse(p).with_context(|| format!("--profile {p}"))?),
        None => None,
    };
    if a.time.is_nan() || a.time <= 0.0 {
        bail!("--time must be positive");
    }
    let seeds = match &a.corpus {
        Some(d) => read_corpus(d)?,
        None => Vec::new(),
    };
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let jobs = a
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let strategy = match a.strategy {
        StrategyArg::Guided => Strategy::Guided,
        StrategyArg::Random => Strategy::Random,
        StrategyArg::Pct => Strategy::Pct,
    };

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second Ctrl-C kills the process; everything reported is already on disk.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let execs = AtomicU64::new(0);
    let saved = AtomicU64::new(0);
    if let Some(d) = &a.save_all {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let features = AtomicU64::new(0);
    let reg = Mutex::new(Registry {
        rows: Vec::new(),
        index: HashMap::new(),
    });
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(a.time);
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let names: Vec<&str> = targets.iter().map(|t| t.name()).collect();
    pb.println(format!(
        "pagelife fuzz: targets {} · {} job(s) · seed {} · up to {}s · findings in {}",
        names.join(", "),
        jobs,
        a.seed,
        a.time,
        a.out.display()
    ));

    std::thread::scope(|s| {
        for job in 0..jobs {
            let (targets, seeds, stop, execs, features, reg, pb, saved) = (
                &targets, &seeds, &stop, &execs, &features, &reg, &pb, &saved,
            );
            s.spawn(move || {
                let mut fuzzers: Vec<Fuzzer> = targets
                    .iter()
                    .map(|&target| {
                        let mut f = Fuzzer::new(FuzzConfig {
                            target,
                            seed: a.seed,
                            job: job as u64,
                            interleaving_cov: !a.no_interleaving_cov,
                            strategy,
                            profile,
                            keep_duplicates: a.save_all.is_some(),
                        });
                        for c in seeds {
                            f.add_seed(c.clone());
                        }
                        f
                    })
                    .collect();
                let mut i = 0usize;
                let mut local = 0u64;
                loop {
                    if local.is_multiple_of(256)
                        && (stop.load(Ordering::Relaxed)
                            || Instant::now() >= deadline
                            || (a.runs > 0 && execs.load(Ordering::Relaxed) >= a.runs))
                    {
                        break;
                    }
                    let k = i % fuzzers.len();
                    i += 1;
                    local += 1;
                    let r = fuzzers[k].step();
                    execs.fetch_add(1, Ordering::Relaxed);
                    if job == 0 && local.is_multiple_of(1024) {
                        features.store(
                            fuzzers.iter().map(|f| f.stats().features as u64).sum(),
                            Ordering::Relaxed,
                        );
                    }
                    match r {
                        Outcome1::Nothing => {}
                        Outcome1::Seen(sig, case) => {
                            let mut count = 0;
                            if let Ok(mut g) = reg.lock() {
                                if let Some(&ix) = g.index.get(&sig) {
                                    g.rows[ix].count += 1;
                                    count = g.rows[ix].count;
                                }
                            }
                            // At most 150 raw files per signature, so rare races are in the folder too.
                            if let (Some(dir), Some(c), true) = (&a.save_all, case, count <= 150) {
                                save_raw(dir, saved, &c);
                            }
                        }
                        Outcome1::New(nf) => {
                            if let Some(dir) = &a.save_all {
                                save_raw(dir, saved, &nf.case);
                            }
                            let Ok(mut g) = reg.lock() else { break };
                            if let Some(&ix) = g.index.get(&nf.signature) {
                                g.rows[ix].count += 1;
                                continue;
                            }
                            let n = g.rows.len() + 1;
                            let secs = start.elapsed().as_secs_f64();
                            match save(&a.out, n, &nf) {
                                Ok(file) => {
                                    pb.println(format!(
                                        "{secs:7.2}s  NEW [{}] {}  → {}",
                                        nf.case.profile,
                                        nf.signature,
                                        file.display()
                                    ));
                                    let ix = g.rows.len();
                                    g.index.insert(nf.signature.clone(), ix);
                                    g.rows.push(Row {
                                        sig: nf.signature.clone(),
                                        profile: nf.case.profile.to_string(),
                                        first_secs: secs,
                                        first_exec: execs.load(Ordering::Relaxed),
                                        count: 1,
                                        file,
                                    });
                                    if a.stop_on_first {
                                        stop.store(true, Ordering::SeqCst);
                                    }
                                }
                                Err(e) => {
                                    pb.println(format!("error saving a finding: {e:#}"));
                                    stop.store(true, Ordering::SeqCst);
                                }
                            }
                        }
                    }
                }
            });
        }
        // Progress, on the calling thread.
        while !stop.load(Ordering::Relaxed)
            && Instant::now() < deadline
            && !(a.runs > 0 && execs.load(Ordering::Relaxed) >= a.runs)
        {
            std::thread::sleep(Duration::from_millis(200));
            let e = execs.load(Ordering::Relaxed);
            let el = start.elapsed().as_secs_f64().max(1e-9);
            let nf = reg.lock().map(|g| g.rows.len()).unwrap_or(0);
            pb.set_message(format!(
                "{e} execs · {:.0}/s · {} interleaving features · {nf} findings",
                e as f64 / el,
                features.load(Ordering::Relaxed)
            ));
            pb.tick();
        }
        stop.store(true, Ordering::SeqCst);
    });
    pb.finish_and_clear();
    let e = execs.load(Ordering::Relaxed);
    let el = start.elapsed().as_secs_f64();
    let g = reg.into_inner().unwrap_or_else(|p| p.into_inner());
    println!(
        "\n{} executions in {:.1}s ({:.0}/s), {} distinct findings\n",
        e,
        el,
        e as f64 / el.max(1e-9),
        g.rows.len()
    );
    if !g.rows.is_empty() {
        println!(
            "{:<4} {:<9} {:<10} {:>9} {:>10} {:>7}  signature",
            "#", "severity", "profile", "first(s)", "first exec", "count"
        );
        for (i, r) in g.rows.iter().enumerate() {
            println!(
                "{:<4} {:<9} {:<10} {:>9.2} {:>10} {:>7}  {}",
                i + 1,
                r.sig.oracle.severity().to_string(),
                r.profile,
                r.first_secs,
                r.first_exec,
                r.count,
                r.sig
            );
        }
        println!(
            "\nreplay any of them: pagelife replay {}",
            g.rows[0].file.display()
        );
    }
    Ok(!g.rows.is_empty())
}
