//! The built-in engine: corpus-based, structure-aware mutation guided by the
//! interleaving coverage signal, with random and PCT online scheduling as
//! further strategies. One `Fuzzer` is one job: single-threaded and
//! deterministic for its (seed, job); the CLI runs several and adds clocks.

use std::collections::HashSet;

use pagelife_core::case::Case;
use pagelife_core::exec::check::{check_matching, CheckOptions};
use pagelife_core::exec::replay::{
    run_case, run_online, Chooser, NoObserver, Observer, Outcome, RunOptions,
};
use pagelife_core::exec::schedule::schedule_from_taken;
use pagelife_core::oracle::{Findings, OracleId};
use pagelife_core::profile::Profile;
use pagelife_triage::signature::{signature_of, signature_of_findings, Signature};

use crate::cov::{CovMap, InterleavingCov};
use crate::generate::random_case;
use crate::mutate::mutate;
use crate::rng::Rng;
use crate::sched::{Pct, RandomWalk};
use crate::swarm::Menu;
use crate::target::Target;
use crate::tuning::{Tuning, SWARM_RESTART};

/// How inputs are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Coverage-guided mutation of a corpus, plus fresh PCT and random runs (the default).
    Guided,
    /// Fresh cases, uniform random scheduling only (a baseline).
    Random,
    /// Fresh cases, PCT scheduling only, depth 1–3 (a baseline).
    Pct,
    /// Guided, and when a run reaches new coverage (new interleaving
    /// features, or an oracle this job has not seen), the bounded checker
    /// over the interleavings of that case's tasks: fuzzing finds the
    /// operations, model checking their schedules. Each set of operations is
    /// checked once (bound 1, a few thousand states); the checker's complete
    /// interleavings count as executions, so the budget is shared by time.
    Hybrid,
    /// Fresh cases, each checked (bound 1, a few thousand states) instead
    /// of scheduled: the checker alone, a baseline for the hybrid.
    CheckOnly,
    /// Guided, with swarm configurations ([`crate::swarm`]): the job draws
    /// a random subset of the target's operations and faults and pins parts
    /// of the configuration, and draws again every
    /// [`crate::tuning::SWARM_RESTART`] executions; the corpus is kept.
    Swarm,
}

/// One job's configuration.
#[derive(Clone, Copy, Debug)]
pub struct FuzzConfig {
    /// What to fuzz.
    pub target: Target,
    /// The run's seed.
    pub seed: u64,
    /// The job number (each job has its own deterministic stream).
    pub job: u64,
    /// Use the interleaving coverage signal to keep inputs.
    pub interleaving_cov: bool,
    /// How inputs are made.
    pub strategy: Strategy,
    /// Run every case on this profile instead of the target's.
    pub profile: Option<Profile>,
    /// Hand back the case of every finding, duplicates too (for `--save-all`).
    pub keep_duplicates: bool,
}

/// What one execution produced.
#[derive(Clone, Debug)]
pub enum Outcome1 {
    /// No oracle fired.
    Nothing,
    /// A finding whose signature this job had already reported (with its
    /// case if `keep_duplicates`).
    Seen(Signature, Option<Box<Case>>),
    /// A finding with a new signature.
    New(Box<NewFinding>),
}

/// Counters of one job.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Cases executed.
    pub execs: u64,
    /// Model steps executed.
    pub steps: u64,
    /// Corpus entries.
    pub corpus: usize,
    /// Interleaving features seen.
    pub features: usize,
    /// Distinct findings (by signature) this job reported.
    pub findings: usize,
    /// Bounded checks run (hybrid and check-only strategies).
    pub checks: u64,
}

/// A finding no earlier execution of this job had.
#[derive(Clone, Debug)]
pub struct NewFinding {
    /// Its signature.
    pub signature: Signature,
    /// The case, with the concrete schedule that reproduces it.
    pub case: Case,
    /// Every oracle that fired in it.
    pub oracles: Vec<OracleId>,
    /// The execution number (1-based) that found it.
    pub exec: u64,
}

/// Most corpus entries kept.
const MAX_CORPUS: usize = 4096;

/// One fuzzing job.
pub struct Fuzzer {
    cfg: FuzzConfig,
    rng: Rng,
    corpus: Vec<Case>,
    cov: CovMap,
    seen: HashSet<Signature>,
    /// Operation sets already checked (hybrid, check-only).
    checked: HashSet<u64>,
    /// States the checker explored (hybrid, check-only).
    check_states: u64,
    stats: Stats,
    tuning: Tuning,
    /// What fresh cases and mutations draw from.
    menu: Menu,
}

enum Sched {
    Pct(usize),
    Random,
}

impl Fuzzer {
    /// A job with an empty corpus.
    pub fn new(cfg: FuzzConfig) -> Fuzzer {
        Fuzzer {
            cfg,
            rng: Rng::new(cfg.seed, cfg.job),
            corpus: Vec::new(),
            cov: CovMap::default(),
            seen: HashSet::new(),
            checked: HashSet::new(),
            check_states: 0,
            stats: Stats::default(),
            tuning: cfg.target.tuning(),
            menu: Menu::full(cfg.target),
        }
    }

    /// Its counters.
    pub fn stats(&self) -> Stats {
        Stats {
            corpus: self.corpus.len(),
            features: self.cov.features,
            ..self.stats
        }
    }

    fn prepare(&self, case: &mut Case) {
        match self.cfg.profile {
            Some(p) => case.profile = p,
            None => self.cfg.target.prepare(case),
        }
    }

    /// Neighbourhood fuzzing (`pagelife verify`): never draw a fresh case;
    /// every execution reschedules or mutates a corpus case, so every input
    /// descends from the seeds and keeps most of their operations.
    pub fn neighbourhood(&mut self) {
        self.tuning.fresh = 0;
    }

    /// Add a seed input (from `--corpus`); it is run once for its coverage.
    pub fn add_seed(&mut self, mut case: Case) {
        self.prepare(&mut case);
        let (case, _, _) = self.execute(case, None);
        if self.corpus.len() < MAX_CORPUS {
            self.corpus.push(case);
        }
    }

    fn run<C: Chooser>(&mut self, case: &Case, chooser: Option<&mut C>) -> Outcome {
        let opts = RunOptions::default();
        if self.cfg.interleaving_cov {
            let mut obs = InterleavingCov::new(&mut self.cov);
            Self::go(case, chooser, opts, &mut obs)
        } else {
            Self::go(case, chooser, opts, &mut NoObserver)
        }
    }

    fn go<C: Chooser, O: Observer>(
        case: &Case,
        chooser: Option<&mut C>,
        opts: RunOptions,
        obs: &mut O,
    ) -> Outcome {
        match chooser {
            Some(ch) => run_online(case, ch, opts, obs),
            None => run_case(case, opts, obs),
        }
    }

    /// Run `case` (online with `sched`, or with its own schedule); returns
    /// the concrete case (`case` itself, its schedule the one run), its
    /// outcome, and whether it reached new coverage.
    fn execute(&mut self, case: Case, sched: Option<Sched>) -> (Case, Outcome, bool) {
        let (concrete, out) = match sched {
            None => {
                let out = self.run::<RandomWalk>(&case, None);
                (case, out)
            }
            Some(s) => {
                let mut rng = Rng::new(self.rng.u64(), 0);
                let out = match s {
                    Sched::Pct(d) => {
                        let mut ch = Pct::new(&mut rng, d, self.tuning.pct_steps);
                        self.run(&case, Some(&mut ch))
                    }
                    Sched::Random => {
                        let mut ch = RandomWalk::new(&mut rng, self.tuning.walk_stay);
                        self.run(&case, Some(&mut ch))
                    }
                };
                let mut c = case;
                c.schedule = schedule_from_taken(&out.taken);
                (c, out)
            }
        };
        self.stats.execs += 1;
        self.stats.steps += out.steps as u64;
        let new = if self.cfg.interleaving_cov {
            self.cov.commit()
        } else {
            false
        };
        (concrete, out, new)
    }

    fn pick_sched(&mut self) -> Sched {
        if self.rng.chance(self.tuning.pct) {
            Sched::Pct(1 + self.rng.below(self.tuning.pct_depth))
        } else {
            Sched::Random
        }
    }

    fn fresh(&mut self) -> Case {
        let mut c = random_case(&mut self.rng, self.menu);
        self.prepare(&mut c);
        c
    }

    /// Guided: a fresh case, a corpus case rescheduled, or one mutated
    /// (the shares are the target's tuning).
    fn guided_input(&mut self) -> (Case, Outcome, bool) {
        let (fresh, resched) = (self.tuning.fresh, self.tuning.resched);
        let r = self.rng.below(100);
        if self.corpus.is_empty() || r < fresh {
            let c = self.fresh();
            let s = self.pick_sched();
            self.execute(c, Some(s))
        } else if r < resched {
            let c = self.corpus[self.rng.below(self.corpus.len())].clone();
            let s = self.pick_sched();
            self.execute(c, Some(s))
        } else {
            let mut c = self.corpus[self.rng.below(self.corpus.len())].clone();
            mutate(&mut self.rng, &mut c, self.menu);
            self.prepare(&mut c);
            self.execute(c, None)
        }
    }

    fn guided(&self) -> bool {
        matches!(
            self.cfg.strategy,
            Strategy::Guided | Strategy::Hybrid | Strategy::Swarm
        )
    }

    /// One execution (for the hybrid strategy, sometimes followed by a
    /// bounded check of the case's interleavings; see [`Strategy::Hybrid`]).
    pub fn step(&mut self) -> Outcome1 {
        let (concrete, out, new) = match self.cfg.strategy {
            Strategy::Random => {
                let c = self.fresh();
                self.execute(c, Some(Sched::Random))
            }
            Strategy::Pct => {
                let c = self.fresh();
                let d = 1 + self.rng.below(self.tuning.pct_depth);
                self.execute(c, Some(Sched::Pct(d)))
            }
            Strategy::CheckOnly => {
                let c = self.fresh();
                return self.check_ops(&c).unwrap_or(Outcome1::Nothing);
            }
            Strategy::Guided | Strategy::Hybrid => self.guided_input(),
            Strategy::Swarm => {
                if self.stats.execs.is_multiple_of(SWARM_RESTART) {
                    self.menu = Menu::swarm(&mut self.rng, self.cfg.target);
                }
                self.guided_input()
            }
        };
        // A run that reached new features, or made an oracle fire that this
        // job has not seen (a mechanism on its own — a stale mapping used, an
        // extent entry lost — is often one step from the data loss), is kept.
        let fired_new = self.guided()
            && signature_of_findings(&out.findings).is_some_and(|s| !self.seen.contains(&s));
        if new || fired_new {
            if self.corpus.len() < MAX_CORPUS {
                self.corpus.push(concrete.clone());
            } else {
                let i = self.rng.below(MAX_CORPUS);
                self.corpus[i] = concrete.clone();
            }
        }
        let o = self.outcome(&concrete, &out);
        // The checker's share: its states stay below a third of the model
        // steps the executions took (a state costs about a step).
        let budget = self.check_states * HYBRID_SHARE <= self.stats.steps;
        if matches!(o, Outcome1::New(_))
            || self.cfg.strategy != Strategy::Hybrid
            || !(new || fired_new)
            || !budget
        {
            return o;
        }
        self.check_ops(&concrete).unwrap_or(o)
    }

    /// What a run of `concrete` that produced `out` is: nothing, a
    /// signature seen before, or a new finding (confirmed by a replay).
    fn outcome(&mut self, concrete: &Case, out: &Outcome) -> Outcome1 {
        let Some(sig) = signature_of_findings(&out.findings) else {
            return Outcome1::Nothing;
        };
        if self.seen.contains(&sig) {
            let case = self.cfg.keep_duplicates.then(|| Box::new(concrete.clone()));
            return Outcome1::Seen(sig, case);
        }
        // Confirm by replaying the concrete case with a trace; that run names
        // the finding. Slices that replay skips are dropped (the same run).
        let concrete = pagelife_core::exec::schedule::prune_skipped(concrete);
        let again = pagelife_core::exec::replay::replay(&concrete);
        let Some(sig) = signature_of(&again) else {
            return Outcome1::Nothing;
        };
        if !self.seen.insert(sig.clone()) {
            let case = self.cfg.keep_duplicates.then(|| Box::new(concrete));
            return Outcome1::Seen(sig, case);
        }
        self.stats.findings += 1;
        Outcome1::New(Box::new(NewFinding {
            signature: sig,
            oracles: again.findings.iter().map(|f| f.oracle).collect(),
            case: concrete,
            exec: self.stats.execs,
        }))
    }

    /// The bounded checker over the interleavings of `case`'s tasks (bound
    /// [`HYBRID_BOUND`], at most [`HYBRID_STATES`] states), once per set of
    /// operations: only a signature this job has not reported counts as a
    /// violation. Each complete interleaving counts as an execution.
    fn check_ops(&mut self, case: &Case) -> Option<Outcome1> {
        let ops: usize = case.tasks.iter().map(|t| t.ops.len()).sum();
        if case.tasks.len() < 2 || ops > HYBRID_MAX_OPS {
            return None;
        }
        let key = ops_key(case);
        if self.checked.contains(&key) {
            return None;
        }
        if self.checked.len() < MAX_CHECKED {
            self.checked.insert(key);
        }
        let seen = &self.seen;
        let fresh = |f: &Findings| signature_of_findings(f).is_some_and(|s| !seen.contains(&s));
        let opts = CheckOptions {
            bound: HYBRID_BOUND,
            max_states: HYBRID_STATES,
        };
        let r = check_matching(case, opts, &fresh);
        self.check_states += r.states;
        self.stats.execs += r.interleavings.max(1);
        self.stats.checks += 1;
        let v = r.violation?;
        let out =
            pagelife_core::exec::replay::run_case(&v.case, RunOptions::default(), &mut NoObserver);
        match self.outcome(&v.case, &out) {
            Outcome1::Nothing => None,
            o => Some(o),
        }
    }
}

/// The hybrid strategy's preemption bound.
pub const HYBRID_BOUND: u8 = 1;
/// The hybrid strategy's state budget per check: a few thousand states
/// cost about as much as a few hundred executions.
pub const HYBRID_STATES: u64 = 4_000;
/// The hybrid strategy checks while its states are fewer than the model
/// steps of its executions divided by this. Measured on this machine: a
/// checker state (machine clone, hash, dedup) costs about 45 model steps
/// (`check` of case1-reuse-bug-on at bound 2: 47k states in 0.2 s; the
/// model runs 10.6 M steps/s), so 96 keeps the checker near a third of the
/// time.
const HYBRID_SHARE: u64 = 96;
/// Cases with more operations than this are not checked (their state
/// space does not fit the budget).
const HYBRID_MAX_OPS: usize = 8;
/// Most operation sets remembered as checked.
const MAX_CHECKED: usize = 1 << 16;

/// A case's identity for the hybrid strategy: everything but its schedule.
fn ops_key(case: &Case) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut c = case.clone();
    c.schedule.clear();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.hash(&mut h);
    h.finish()
}
