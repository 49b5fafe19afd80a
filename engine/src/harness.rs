//! The harness every front end calls: bytes → case → run → on an oracle
//! finding, panic with a message that starts with the oracle's name.
//!
//! ClusterFuzz buckets Rust crashes by their top stack frames and merges
//! panics whose top frames are all panic machinery (google/oss-fuzz#8389), so
//! each oracle panics from its own `#[inline(never)]` function named after it.
//! Nothing else here panics on any input: decoding accepts every byte string
//! and the model's executors stop on a step budget.

use pagelife_core::case::Case;
use pagelife_core::codec;
use pagelife_core::exec::replay::{run_case, NoObserver, Outcome, RunOptions};
use pagelife_core::oracle::{Finding, OracleId};
use pagelife_core::profile::Profile;
use pagelife_triage::report::finding_line;
use pagelife_triage::signature::signature_of;

use crate::cov::{FeatureSink, InterleavingCov};
use crate::known;
use crate::target::Target;

/// Decode `bytes` and put the case on one of `target`'s profiles
/// ([`Target::prepare`]: its own if the target has it, else the one its
/// profile byte picks, without extra toggles — no kernel that never existed);
/// `None` if the bytes are not of this format version.
pub fn decode_for(target: Target, bytes: &[u8]) -> Option<Case> {
    let mut c = codec::decode(bytes).ok()?;
    target.prepare(&mut c);
    Some(c)
}

/// Run `bytes` on `target`, feeding interleaving features to `sink` if
/// given; `None` if they do not decode.
pub fn run_input<S: FeatureSink>(
    target: Target,
    bytes: &[u8],
    sink: Option<&mut S>,
) -> Option<(Case, Outcome)> {
    let case = decode_for(target, bytes)?;
    let opts = RunOptions::default();
    let out = match sink {
        Some(s) => run_case(&case, opts, &mut InterleavingCov::new(s)),
        None => run_case(&case, opts, &mut NoObserver),
    };
    Some((case, out))
}

/// The fuzz entry point: run `bytes` and panic if an oracle fired, unless
/// the run's signature is a known race of the target ([`crate::known`]),
/// which is said once on stderr instead.
pub fn fuzz_one<S: FeatureSink>(target: Target, bytes: &[u8], sink: Option<&mut S>) {
    fuzz_one_as(target, bytes, sink, known::crash_on_known());
}

/// [`fuzz_one`], crashing on known races too when `crash_on_known`.
pub fn fuzz_one_as<S: FeatureSink>(
    target: Target,
    bytes: &[u8],
    sink: Option<&mut S>,
    crash_on_known: bool,
) {
    let Some((case, out)) = run_input(target, bytes, sink) else {
        return;
    };
    let Some(f) = out.findings.headline() else {
        return;
    };
    if !crash_on_known {
        if let Some(sig) = signature_of(&out) {
            let key = sig.key();
            if known::is_known(target, &key, case.config.fs) {
                known::note_known(target, &key, &case.profile.to_string());
                return;
            }
        }
    }
    report(&case, f);
}

/// The benchmark's entry point (`scripts/bench-libfuzzer.sh`): run `bytes`
/// on `profile` (or the profile the bytes name, if the target covers it) and
/// panic only when the run's signature is `want` (a [`Signature::key`]), so
/// libFuzzer's time to first crash is its time to that race.
///
/// [`Signature::key`]: pagelife_triage::signature::Signature::key
pub fn fuzz_one_want<S: FeatureSink>(
    target: Target,
    bytes: &[u8],
    sink: Option<&mut S>,
    profile: Option<Profile>,
    want: &str,
) {
    let Ok(mut case) = codec::decode(bytes) else {
        return;
    };
    match profile {
        Some(p) => case.profile = p,
        None if !target.accepts(&case) => return,
        None => {}
    }
    let opts = RunOptions::default();
    let out = match sink {
        Some(s) => run_case(&case, opts, &mut InterleavingCov::new(s)),
        None => run_case(&case, opts, &mut NoObserver),
    };
    if signature_of(&out).is_some_and(|s| s.key() == want) {
        if let Some(f) = out.findings.headline() {
            report(&case, f);
        }
    }
}

macro_rules! oracle_panics {
    ($($variant:ident => $f:ident, $name:literal;)*) => {
        /// Panic for finding `f`, from the function named after its oracle.
        pub fn report(case: &Case, f: &Finding) -> ! {
            // The target may have put the bytes on another profile than the
            // one they name (`Target::prepare`): say which, for the replay.
            let msg = format!(
                "{} [on {p}: pagelife replay --bytes --profile {p} CRASH-FILE]",
                finding_line(case, f),
                p = case.profile
            );
            match f.oracle {
                $(OracleId::$variant => $f(msg),)*
            }
        }

        $(
            #[doc = concat!("Panic for the `", $name, "` oracle (its own frame for crash bucketing).")]
            #[inline(never)]
            #[cold]
            pub fn $f(msg: String) -> ! {
                panic!(concat!($name, ": {}"), msg)
            }
        )*
    };
}

// One panic function per oracle, from its declaration in pagelife-core.
pagelife_core::for_each_oracle!(oracle_panics);
