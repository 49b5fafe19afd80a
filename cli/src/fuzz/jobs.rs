//! The worker threads of `pagelife fuzz`, and what happens to a new finding:
//! claimed (so other jobs count it as a duplicate), minimized, triaged and
//! saved — outside the lock — then reported.

use std::sync::atomic::Ordering;
use std::time::Instant;

use pagelife_core::case::Case;
use pagelife_core::codec;
use pagelife_core::exec::schedule::label_schedule;
use pagelife_core::litmus;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, NewFinding, Outcome1};
use pagelife_triage::facts::{facts, Facts};
use pagelife_triage::minimize::minimize;
use pagelife_triage::signature::{fnv1a64, Signature};

use super::summary::Log;
use super::{FuzzArgs, Plan, Shared, Stop};
use crate::out::stamp_line;
use crate::store::{write_new, Reproducer, Saved, Store};

/// A finding as the table shows it.
pub struct Row {
    /// Its signature.
    pub sig: Signature,
    /// The profile it fired on.
    pub profile: String,
    /// Seconds to it.
    pub first_secs: f64,
    /// Executions to it.
    pub first_exec: u64,
    /// Times seen (this run).
    pub count: u64,
    /// Where it was saved (None: not yet, or failed).
    pub saved: Option<Saved>,
    /// Why it could not be saved.
    pub error: Option<String>,
    /// Triage facts (on the minimized case when minimization kept the signature).
    pub facts: Option<Facts>,
}

/// Start one thread per job; a thread that cannot start stops the run
/// (the ones started finish their current execution and the table is printed).
pub fn run_all(a: &FuzzArgs, plan: &Plan, store: &Store, shared: &Shared, log: &Log) {
    std::thread::scope(|s| {
        for job in 0..plan.jobs {
            let spawned = std::thread::Builder::new()
                .name(format!("fuzz-{job}"))
                .spawn_scoped(s, move || one_job(a, plan, store, shared, log, job));
            if let Err(e) = spawned {
                shared.fail(format!(
                    "cannot start job thread {} of {}: {e}",
                    job + 1,
                    plan.jobs
                ));
                break;
            }
        }
        log.progress_until_stopped(a, plan, shared);
    });
}

fn limits_reached(a: &FuzzArgs, plan: &Plan, shared: &Shared) -> bool {
    if shared.stop.load(Ordering::Relaxed) {
        return true;
    }
    if plan.deadline.is_some_and(|d| Instant::now() >= d) {
        shared.stop(Stop::Time);
        return true;
    }
    if a.runs > 0 && shared.execs.load(Ordering::Relaxed) >= a.runs {
        shared.stop(Stop::Runs);
        return true;
    }
    false
}

fn fuzzers_for(a: &FuzzArgs, plan: &Plan, job: usize) -> Vec<Fuzzer> {
    plan.targets
        .iter()
        .map(|&target| {
            let mut f = Fuzzer::new(FuzzConfig {
                target,
                seed: a.seed,
                job: job as u64,
                interleaving_cov: !a.no_interleaving_cov,
                strategy: plan.strategy,
                profile: plan.profile,
                keep_duplicates: a.save_all.is_some(),
            });
            for c in &plan.seeds {
                f.add_seed(c.clone());
            }
            f
        })
        .collect()
}

fn one_job(a: &FuzzArgs, plan: &Plan, store: &Store, shared: &Shared, log: &Log, job: usize) {
    let mut fuzzers = fuzzers_for(a, plan, job);
    let mut local = 0u64;
    // Check the limits often enough that --runs is exact to within a few executions.
    let every = if a.runs > 0 { 16 } else { 256 };
    loop {
        if local.is_multiple_of(every) && limits_reached(a, plan, shared) {
            break;
        }
        let k = (local as usize) % fuzzers.len();
        local += 1;
        let r = fuzzers[k].step();
        shared.execs.fetch_add(1, Ordering::Relaxed);
        if job == 0 && local.is_multiple_of(1024) {
            let n = fuzzers.iter().map(|f| f.stats().features as u64).sum();
            shared.features.store(n, Ordering::Relaxed);
        }
        match r {
            Outcome1::Nothing => {}
            Outcome1::Seen(sig, case) => {
                let count = bump(shared, &sig);
                // At most 150 raw files per signature, so rare races are in the folder too.
                if let (Some(c), true) = (case, count <= 150) {
                    save_raw(a, shared, &c);
                }
            }
            Outcome1::New(nf) => {
                if a.save_all.is_some() {
                    save_raw(a, shared, &nf.case);
                }
                if bump(shared, &nf.signature) == 0 {
                    new_finding(a, store, shared, log, &nf);
                }
            }
        }
    }
}

/// Count a sighting of `sig`; 0 if it is new (then it is claimed as a row).
fn bump(shared: &Shared, sig: &Signature) -> u64 {
    let Ok(mut rows) = shared.rows.lock() else {
        return 1;
    };
    if let Some(r) = rows.iter_mut().find(|r| r.sig == *sig) {
        r.count += 1;
        return r.count;
    }
    rows.push(Row {
        sig: sig.clone(),
        profile: String::new(),
        first_secs: shared.start.elapsed().as_secs_f64(),
        first_exec: shared.execs.load(Ordering::Relaxed),
        count: 1,
        saved: None,
        error: None,
        facts: None,
    });
    0
}

/// Save a raw finding (bytes, named by their hash) for `--save-all`; at most 1000.
fn save_raw(a: &FuzzArgs, shared: &Shared, case: &Case) {
    let Some(dir) = &a.save_all else { return };
    if shared.saved_raw.fetch_add(1, Ordering::Relaxed) < 1000 {
        let bytes = codec::encode(case);
        let p = dir.join(format!("crash-{:016x}", fnv1a64(&bytes)));
        if !p.exists() {
            if let Err(e) = write_new(&p, &bytes) {
                shared.fail(format!("--save-all: {e:#}"));
            }
        }
    }
}

/// The files of a new finding.
fn reproducer(a: &FuzzArgs, store: &Store, nf: &NewFinding, min: Option<&Case>) -> Reproducer {
    let mut labelled = nf.case.clone();
    labelled.schedule = label_schedule(&nf.case);
    let dir = store.dir_of(&nf.signature);
    let oracles = nf.oracles.clone();
    let sig_line = format!("signature: {}", nf.signature.key());
    let found = format!(
        "found by pagelife fuzz (seed {}, execution {} of its job)",
        a.seed, nf.exec
    );
    let min_text = min.map(|m| {
        let comments = vec![
            stamp_line(),
            format!("minimized from {}", dir.join("repro.litmus").display()),
            sig_line.clone(),
        ];
        let expect: Vec<_> = pagelife_core::exec::replay::replay(m)
            .findings
            .story()
            .map(|f| f.oracle)
            .collect();
        litmus::print(
            m,
            Some("min"),
            &expect,
            &crate::check::comment_lines(&comments),
        )
    });
    let meta = serde_json::json!({
        "stamp": crate::out::stamp(),
        "key": nf.signature.key(),
        "title": nf.signature.title(),
        "profile": nf.case.profile.to_string(),
        "seed": a.seed,
        "exec": nf.exec,
    });
    Reproducer {
        bin: codec::encode(&nf.case),
        litmus: Box::new(move |stem: &str| {
            let comments = vec![
                stamp_line(),
                found.clone(),
                sig_line.clone(),
                format!(
                    "replay: pagelife replay {}",
                    dir.join(format!("{stem}.litmus")).display()
                ),
            ];
            litmus::print(
                &labelled,
                Some(stem),
                &oracles,
                &crate::check::comment_lines(&comments),
            )
        }),
        min: min_text,
        meta: serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n",
    }
}

/// Minimize (unless `--no-minimize`), triage, save and report a claimed finding.
fn new_finding(a: &FuzzArgs, store: &Store, shared: &Shared, log: &Log, nf: &NewFinding) {
    let min = if a.no_minimize {
        None
    } else {
        minimize(&nf.case)
            .filter(|r| r.signature == nf.signature)
            .map(|r| r.case)
    };
    let fx = facts(min.as_ref().unwrap_or(&nf.case));
    let saved = store.save(&nf.signature, &reproducer(a, store, nf, min.as_ref()));
    let Ok(mut rows) = shared.rows.lock() else {
        return;
    };
    let Some(row) = rows.iter_mut().find(|r| r.sig == nf.signature) else {
        return;
    };
    row.profile = nf.case.profile.to_string();
    row.facts = Some(fx);
    match saved {
        Ok(s) => row.saved = Some(s),
        Err(e) => row.error = Some(format!("{e:#}")),
    }
    log.new_finding(row);
    let failed = row.error.clone();
    drop(rows);
    if let Some(e) = failed {
        shared.fail(format!(
            "could not save a finding ({}): {e}",
            nf.signature.key()
        ));
    } else if a.stop_on_first {
        shared.stop(Stop::FirstFinding);
    }
}
