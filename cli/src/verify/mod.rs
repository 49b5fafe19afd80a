//! `pagelife verify FILE... --base P --patched Q`: does the patch close the
//! race, or only make the reproducer stop working? Each file is replayed and
//! checked on both profiles, the neighbourhood of the files (their
//! mutations: more tasks, neighbouring operations, faults, other files) is
//! fuzzed on both, and each profile's reproducers are re-run on the other
//! — the diff fuzzing syzkaller does for a patched kernel, on the model.
//!
//! A file's race is its signature on the base (its replay, else the first
//! interleaving `check` finds, preferring one that fires what the file
//! `expect`s). The patched profile *still has* it when anything found there
//! is that signature, or the same headline oracle after the same mechanism
//! oracles at another step (the race moved, it did not close): *still open*
//! when the file's own replay or check shows it there, *open elsewhere*
//! when only another way does (neighbourhood fuzzing, another file: the
//! patch made the reproducer stop working without closing the race).
//! Otherwise the patch *closes* it. A signature found on the patched profile that matches
//! no file's race is *patched-only* when no base run shows it and its
//! reproducer, replayed and checked on the base, does not fire the same
//! headline oracle: a race the patch adds; *moved* when that reproducer
//! fires the same oracle at another step on the base (the patch moved where
//! an old bug shows); or *both*, a race the patch leaves as it was.

mod evidence;
mod report;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use pagelife_core::case::Case;
use pagelife_core::exec::check::CheckOptions;
use pagelife_core::oracle::OracleId;
use pagelife_triage::search::fires_all;
use pagelife_triage::signature::Signature;

use crate::input::{display_name, load, parse_profile, Loaded};
use crate::progress::Spinner;
use crate::Status;
use evidence::{FuzzPlan, How, Side};

/// Does a fix close the race? Replay and check each file on the base and
/// the patched profile, fuzz the files' neighbourhood on both, and classify
/// every signature: closed, still open, patched-only (a race the patch
/// adds) or both. Exit status: 0 the patch closes every file's race and adds
/// none, 1 otherwise, 2 bad input.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Litmus or byte files: the races the patch is meant to close.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The kernel before the patch (a profile expression, e.g. v5.8).
    #[arg(long)]
    pub base: String,
    /// The kernel with it (e.g. v5.8+073861ed77b6, or a proposal).
    #[arg(long)]
    pub patched: String,
    /// Seconds of neighbourhood fuzzing in all, half on each profile (0: none).
    #[arg(long, default_value_t = 60.0)]
    pub time: f64,
    /// `check` bound for the files and the cross-checks.
    #[arg(long, default_value_t = 2)]
    pub bound: u8,
    /// `check` state limit per search.
    #[arg(long, default_value_t = 300_000)]
    pub max_states: u64,
    /// Fuzzing threads per profile.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Fuzzing seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// One JSON line (a `verify` record) instead of the report.
    #[arg(long)]
    pub json: bool,
}

/// What a file's race became on the patched profile.
#[derive(Clone, Debug)]
pub enum FileVerdict {
    /// Nothing fires on the base: there is no race to close.
    NotOnBase,
    /// The patched profile shows none of it.
    Closed(Signature),
    /// The patched profile still shows it (as the second signature), in
    /// the file's own interleavings (its replay or check).
    StillOpen(Signature, Signature),
    /// The file's own interleavings are clean on the patched profile, but
    /// the race is still reachable another way (fuzzing, another file):
    /// the patch made this reproducer stop working, it did not close the race.
    OpenElsewhere(Signature, Signature),
}

/// What a signature that matches no file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Fires on the patched profile, not on the base: the patch adds it.
    PatchedOnly,
    /// Fires on both.
    Both,
    /// Fires on the patched profile; on the base its reproducer fires the
    /// same headline oracle at another step (the same bug, which the patch
    /// moved: not a race the patch adds).
    Elsewhere,
    /// Fires on the base only.
    Closed,
}

/// Everything `verify` found.
pub struct Verification {
    /// The input file names.
    pub names: Vec<String>,
    /// The base side.
    pub base: Side,
    /// The patched side.
    pub patched: Side,
    /// Per file.
    pub files: Vec<FileVerdict>,
    /// The other signatures.
    pub others: Vec<(Signature, Class)>,
    /// The settings.
    pub opts: CheckOptions,
    /// Fuzzing seconds per side.
    pub secs: f64,
}

/// The same race: the same signature, or the same headline oracle after the
/// same mechanism oracles at another step.
fn same_race(a: &Signature, b: &Signature) -> bool {
    a == b || (a.oracle == b.oracle && a.with == b.with)
}

/// A file's race on the base (see the module doc).
fn race_of(base: &Side, file: usize, expect: &[OracleId]) -> Option<Signature> {
    let of_file = |h: &How| matches!(h, How::Replay(i) | How::Check(i, _) if *i == file);
    let replayed = base
        .found
        .iter()
        .find(|e| e.how.contains(&How::Replay(file)));
    let checked = || {
        let mine: Vec<_> = base
            .found
            .iter()
            .filter(|e| e.how.iter().any(of_file))
            .collect();
        mine.iter()
            .find(|e| {
                let r = pagelife_core::exec::replay::replay(&e.case);
                fires_all(&r.findings, expect)
            })
            .or(mine.first())
            .map(|e| e.sig.clone())
    };
    replayed.map(|e| e.sig.clone()).or_else(checked)
}

/// Re-run each side's reproducers of signatures the other side lacks there.
fn cross_check(from: &Side, to: &mut Side, opts: CheckOptions) {
    for e in &from.found {
        if to.get(&e.sig).is_some() {
            continue;
        }
        if let Some(c) = to.shows(&e.case, &e.sig, opts) {
            to.add(e.sig.clone(), How::Cross, &c);
        }
    }
}

fn classify(v: &mut Verification, races: &[Option<Signature>]) {
    v.files = races
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let Some(s) = r else {
                return FileVerdict::NotOnBase;
            };
            let own = |h: &How| matches!(h, How::Replay(j) | How::Check(j, _) if *j == i);
            let hits: Vec<_> = v
                .patched
                .found
                .iter()
                .filter(|e| same_race(s, &e.sig))
                .collect();
            match (hits.iter().find(|e| e.how.iter().any(own)), hits.first()) {
                (Some(e), _) => FileVerdict::StillOpen(s.clone(), e.sig.clone()),
                (None, Some(e)) => FileVerdict::OpenElsewhere(s.clone(), e.sig.clone()),
                (None, None) => FileVerdict::Closed(s.clone()),
            }
        })
        .collect();
    let is_race = |s: &Signature| races.iter().flatten().any(|r| same_race(r, s));
    let mut others = Vec::new();
    for e in v.patched.found.iter().filter(|e| !is_race(&e.sig)) {
        let class = if v.base.get(&e.sig).is_some() {
            Class::Both
        } else if v.base.fires_oracle(&e.case, e.sig.oracle, v.opts) {
            Class::Elsewhere
        } else {
            Class::PatchedOnly
        };
        others.push((e.sig.clone(), class));
    }
    for e in v.base.found.iter().filter(|e| !is_race(&e.sig)) {
        if v.patched.get(&e.sig).is_none() {
            others.push((e.sig.clone(), Class::Closed));
        }
    }
    v.others = others;
}

/// Load the files: their names, cases and `expect`s.
fn load_all(files: &[PathBuf]) -> Result<Vec<(String, Loaded)>> {
    files
        .iter()
        .map(|f| Ok((display_name(f), load(f)?)))
        .collect()
}

/// Run the subcommand.
pub fn run(a: &VerifyArgs) -> Result<Status> {
    if !(a.time.is_finite() && a.time >= 0.0) {
        bail!("--time {}: expected a number of seconds, 0 or more", a.time);
    }
    let loaded = load_all(&a.files)?;
    let names: Vec<String> = loaded.iter().map(|(n, _)| n.clone()).collect();
    let cases: Vec<Case> = loaded.iter().map(|(_, l)| l.case.clone()).collect();
    let opts = CheckOptions {
        bound: a.bound,
        max_states: a.max_states,
    };
    let mut base = Side::new(parse_profile(&a.base).map_err(|e| e.context("--base"))?);
    let mut patched = Side::new(parse_profile(&a.patched).map_err(|e| e.context("--patched"))?);
    let secs = a.time / 2.0;
    for side in [&mut base, &mut patched] {
        let spin = Spinner::start(&format!("verify: replay and check on {}", side.profile));
        side.replay_and_check(&cases, opts);
        spin.finish();
        let spin = Spinner::start(&format!(
            "verify: fuzzing on {} for {secs:.0} s",
            side.profile
        ));
        let seeds: Vec<Case> = cases
            .iter()
            .cloned()
            .chain(side.found.iter().map(|e| e.case.clone()))
            .collect();
        side.fuzz(
            &seeds,
            FuzzPlan {
                secs,
                jobs: a.jobs,
                seed: a.seed,
            },
        );
        spin.finish();
    }
    let spin = Spinner::start("verify: cross-checking reproducers");
    cross_check(&patched, &mut base, opts);
    cross_check(&base, &mut patched, opts);
    spin.finish();
    let races: Vec<_> = (0..cases.len())
        .map(|i| race_of(&base, i, &loaded[i].1.expect))
        .collect();
    let mut v = Verification {
        names,
        base,
        patched,
        files: Vec::new(),
        others: Vec::new(),
        opts,
        secs,
    };
    classify(&mut v, &races);
    report::print(&v, a.json);
    Ok(Status::fired_if(!v.passes()))
}

impl Verification {
    /// The patch closes every file's race and adds none.
    pub fn passes(&self) -> bool {
        self.files.iter().all(|f| {
            !matches!(
                f,
                FileVerdict::StillOpen(..) | FileVerdict::OpenElsewhere(..)
            )
        }) && !self.others.iter().any(|(_, c)| *c == Class::PatchedOnly)
    }
}
