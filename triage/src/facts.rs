//! What a kernel developer asks first about a finding, beyond its
//! signature: does it *also fire on mainline* (an open bug, or a model bug,
//! rather than a fixed one), and is it *serial* — does it fire with one task
//! and no interleaving at all (a plain logic bug, or a model bug, rather
//! than a race)?

use pagelife_core::case::{Case, Fault};
use pagelife_core::exec::replay::replay;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

/// The answers, for tables and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Facts {
    /// The case, replayed as written on `mainline`, fires an oracle.
    pub also_on_mainline: bool,
    /// One of the case's tasks alone (setup kept, no schedule, no signal or
    /// reclaim injected; I/O errors and allocation failures kept) fires the
    /// same headline oracle.
    pub serial: bool,
}

/// Whether `case` fires anything on `mainline`.
pub fn also_on_mainline(case: &Case) -> bool {
    let mut c = case.clone();
    c.profile = Profile::default();
    !replay(&c).findings.is_empty()
}

/// `case` with only task `i`, no schedule and no interleaving faults.
pub fn alone(case: &Case, i: usize) -> Case {
    let mut c = case.clone();
    c.tasks = vec![case.tasks[i].clone()];
    c.schedule.clear();
    c.faults = case
        .faults
        .iter()
        .copied()
        .filter(|f| matches!(f, Fault::IoError { .. } | Fault::AllocFail { .. }))
        .collect();
    c
}

/// Whether one task of `case` alone fires `oracle` (see [`Facts::serial`]).
pub fn serial(case: &Case, oracle: OracleId) -> bool {
    (0..case.tasks.len()).any(|i| {
        replay(&alone(case, i))
            .findings
            .headline()
            .is_some_and(|f| f.oracle == oracle)
    })
}

/// Both facts; `serial` is false when nothing fires.
pub fn facts(case: &Case) -> Facts {
    let headline = replay(case).findings.headline().map(|f| f.oracle);
    Facts {
        also_on_mainline: also_on_mainline(case),
        serial: headline.is_some_and(|o| serial(case, o)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pagelife_core::litmus;

    #[test]
    fn a_fixed_race_is_neither_serial_nor_on_mainline() {
        let text = include_str!("../../corpus/litmus/case1-reuse-bug-on.litmus");
        let case = litmus::parse_str(text, "case1").expect("parses");
        assert_eq!(facts(&case), Facts::default());
    }
}
