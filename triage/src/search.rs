//! Searches built on `check`: every distinct signature a case's tasks can
//! produce within a preemption bound (`check --all`, `verify`), and a
//! search that keeps going until given oracles fire (`check --want`).
//!
//! [`all_signatures`] runs the exhaustive search once per bound, 0 to K, and
//! within a bound once more per signature found (each later run accepts only
//! signatures not yet seen): a signature is listed with an interleaving of
//! the fewest preemptions that shows it. The cost is one search per
//! signature and bound; the state limit applies to each search.

use pagelife_core::case::Case;
use pagelife_core::exec::check::{check_matching, CheckOptions, Violation};
use pagelife_core::oracle::{Findings, OracleId};

use crate::signature::{signature_of_findings, Signature};

/// A signature the search found, with its interleaving.
#[derive(Clone, Debug)]
pub struct Distinct {
    /// The signature.
    pub signature: Signature,
    /// The fewest preemptions an interleaving that shows it needs.
    pub bound: u8,
    /// That interleaving, as a case, and what fired.
    pub violation: Violation,
}

/// What a multi-search saw.
#[derive(Clone, Debug, Default)]
pub struct Searched {
    /// Each distinct signature, in the order found (fewest preemptions first).
    pub found: Vec<Distinct>,
    /// Complete interleavings explored, summed over the searches.
    pub interleavings: u64,
    /// Distinct states visited, summed over the searches.
    pub states: u64,
    /// A search stopped at the state limit: the list may be incomplete.
    pub truncated: bool,
}

/// Every distinct signature of `case` within `opts.bound` preemptions.
pub fn all_signatures(case: &Case, opts: CheckOptions) -> Searched {
    let mut s = Searched::default();
    for bound in 0..=opts.bound {
        loop {
            let seen: Vec<Signature> = s.found.iter().map(|d| d.signature.clone()).collect();
            let fresh = |f: &Findings| signature_of_findings(f).is_some_and(|g| !seen.contains(&g));
            let r = check_matching(case, CheckOptions { bound, ..opts }, &fresh);
            s.interleavings += r.interleavings;
            s.states += r.states;
            s.truncated |= r.truncated;
            let Some(v) = r.violation else { break };
            let Some(signature) = signature_of_findings(&v.findings) else {
                break;
            };
            s.found.push(Distinct {
                signature,
                bound,
                violation: v,
            });
        }
    }
    s
}

/// Whether every oracle of `want` fired in `findings`.
pub fn fires_all(findings: &Findings, want: &[OracleId]) -> bool {
    want.iter().all(|w| findings.iter().any(|f| f.oracle == *w))
}

/// The first interleaving within the bound in which every oracle of `want`
/// fires (other violations end their branch and the search goes on).
pub fn first_with(
    case: &Case,
    opts: CheckOptions,
    want: &[OracleId],
) -> pagelife_core::exec::check::CheckReport {
    check_matching(case, opts, &|f| fires_all(f, want))
}
