//! What `verify` gathers on one profile: every signature that fired, how it
//! was found, and a case that reproduces it there.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use pagelife_core::case::Case;
use pagelife_core::exec::check::{check_matching, CheckOptions};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::{Findings, OracleId};
use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Outcome1, Strategy};
use pagelife_engine::target::Target;
use pagelife_triage::minimize::minimize;
use pagelife_triage::search::all_signatures;
use pagelife_triage::signature::{signature_of, signature_of_findings, Signature};

/// How a signature was found on a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Replaying input file N as written.
    Replay(usize),
    /// `check` of input file N's tasks (fewest preemptions).
    Check(usize, u8),
    /// Neighbourhood fuzzing.
    Fuzz,
    /// Another profile's reproducer, replayed or checked on this one.
    Cross,
}

impl How {
    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            How::Replay(_) => "replay",
            How::Check(..) => "check",
            How::Fuzz => "fuzz",
            How::Cross => "cross-check",
        }
    }
}

/// One signature on one profile.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The signature.
    pub sig: Signature,
    /// Every way it was found.
    pub how: Vec<How>,
    /// A case that shows it on this profile (minimized when it came from fuzzing).
    pub case: Case,
}

/// Everything found on one profile.
#[derive(Clone, Debug)]
pub struct Side {
    /// The profile.
    pub profile: Profile,
    /// Signatures, in the order found.
    pub found: Vec<Evidence>,
    /// `check` interleavings explored over the input files.
    pub interleavings: u64,
    /// Fuzzing executions.
    pub execs: u64,
}

impl Side {
    /// An empty side.
    pub fn new(profile: Profile) -> Side {
        Side {
            profile,
            found: Vec::new(),
            interleavings: 0,
            execs: 0,
        }
    }

    /// The evidence for `sig`, if found.
    pub fn get(&self, sig: &Signature) -> Option<&Evidence> {
        self.found.iter().find(|e| e.sig == *sig)
    }

    /// Record `sig` found `how`, with `case` (kept from the first way found).
    pub fn add(&mut self, sig: Signature, how: How, case: &Case) {
        match self.found.iter_mut().find(|e| e.sig == sig) {
            Some(e) if !e.how.contains(&how) => e.how.push(how),
            Some(_) => {}
            None => self.found.push(Evidence {
                sig,
                how: vec![how],
                case: case.clone(),
            }),
        }
    }

    /// Replay and check each input case on this side's profile.
    pub fn replay_and_check(&mut self, cases: &[Case], opts: CheckOptions) {
        for (i, c) in cases.iter().enumerate() {
            let mut c = c.clone();
            c.profile = self.profile;
            if let Some(sig) = signature_of(&replay(&c)) {
                self.add(sig, How::Replay(i), &c);
            }
            let s = all_signatures(&c, opts);
            self.interleavings += s.interleavings;
            for d in s.found {
                self.add(d.signature, How::Check(i, d.bound), &d.violation.case);
            }
        }
    }

    /// Whether `case`, put on this profile, shows `sig`: replayed as written,
    /// or in one of its interleavings within the bound.
    pub fn shows(&self, case: &Case, sig: &Signature, opts: CheckOptions) -> Option<Case> {
        let mut c = case.clone();
        c.profile = self.profile;
        if signature_of(&replay(&c)).as_ref() == Some(sig) {
            return Some(c);
        }
        let same = |f: &_| signature_of_findings(f).as_ref() == Some(sig);
        check_matching(&c, opts, &same).violation.map(|v| v.case)
    }
}

impl Side {
    /// Whether `case`, put on this profile, fires `oracle` as its headline
    /// at any step: replayed as written, or in one of its interleavings
    /// within the bound. (A patched-profile finding whose reproducer does
    /// this on the base is the same bug reached at another step there.)
    pub fn fires_oracle(&self, case: &Case, oracle: OracleId, opts: CheckOptions) -> bool {
        let mut c = case.clone();
        c.profile = self.profile;
        let headline = |f: &Findings| f.headline().is_some_and(|h| h.oracle == oracle);
        headline(&replay(&c).findings) || check_matching(&c, opts, &headline).violation.is_some()
    }
}

/// How long and how hard to fuzz one side.
#[derive(Clone, Copy, Debug)]
pub struct FuzzPlan {
    /// Seconds.
    pub secs: f64,
    /// Threads.
    pub jobs: usize,
    /// Seed.
    pub seed: u64,
}

/// One fuzzing job: the neighbourhood of `seeds` on `profile` until `until`.
fn fuzz_job(
    profile: Profile,
    seeds: &[Case],
    plan: FuzzPlan,
    job: usize,
    until: Instant,
) -> (u64, Vec<(Signature, Case)>) {
    let mut f = Fuzzer::new(FuzzConfig {
        target: Target::Mainline,
        seed: plan.seed,
        job: job as u64,
        interleaving_cov: true,
        strategy: Strategy::Guided,
        profile: Some(profile),
        keep_duplicates: false,
    });
    f.neighbourhood();
    for c in seeds {
        f.add_seed(c.clone());
    }
    let mut found = Vec::new();
    let mut n = 0u64;
    while !n.is_multiple_of(256) || Instant::now() < until {
        n += 1;
        if let Outcome1::New(nf) = f.step() {
            found.push((nf.signature, nf.case));
        }
    }
    (n, found)
}

impl Side {
    /// Fuzz the neighbourhood of `seeds` on this profile; each new
    /// signature's case is minimized (keeping the signature).
    pub fn fuzz(&mut self, seeds: &[Case], plan: FuzzPlan) {
        if plan.secs <= 0.0 || seeds.is_empty() {
            return;
        }
        let until = Instant::now() + Duration::from_secs_f64(plan.secs.min(86_400.0));
        let results = Mutex::new(Vec::new());
        let profile = self.profile;
        // A thread that cannot start leaves its job out (the note says so);
        // the ones started run to the deadline.
        std::thread::scope(|s| {
            for job in 0..plan.jobs.max(1) {
                let results = &results;
                let started = std::thread::Builder::new().spawn_scoped(s, move || {
                    let r = fuzz_job(profile, seeds, plan, job, until);
                    results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                });
                if let Err(e) = started {
                    crate::out::warn(format_args!(
                        "pagelife: verify: fuzzing job {job} did not start: {e}\n"
                    ));
                    break;
                }
            }
        });
        for (n, found) in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            self.execs += n;
            for (sig, case) in found {
                if self.get(&sig).is_none() {
                    let min = minimize(&case)
                        .filter(|r| r.signature == sig)
                        .map_or(case, |r| r.case);
                    self.add(sig, How::Fuzz, &min);
                } else {
                    self.add(sig, How::Fuzz, &case);
                }
            }
        }
    }
}
