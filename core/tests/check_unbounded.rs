//! `check` without a preemption bound: every interleaving of the tasks,
//! states deduplicated whatever path reached them.

mod common;

use common::{load, on};
use pagelife_core::exec::check::{check, CheckOptions, UNBOUNDED};

fn opts(bound: u8) -> CheckOptions {
    CheckOptions {
        bound,
        ..CheckOptions::default()
    }
}

#[test]
fn unbounded_finds_what_a_bound_finds_and_verifies_the_fix() {
    let c = load("case1-no-reuse.litmus").case;
    assert!(check(&on(&c, "v5.10"), opts(2)).violation.is_some());
    assert!(check(&on(&c, "v5.10"), opts(UNBOUNDED)).violation.is_some());
    let r = check(&on(&c, "mainline"), opts(UNBOUNDED));
    assert!(r.violation.is_none() && !r.truncated);
}

#[test]
fn unbounded_reaches_a_race_beyond_a_small_bound() {
    // case1-reuse-bug-on's v5.8 race needs preemptions: bound 0 misses it.
    let c = load("case1-reuse-bug-on.litmus").case;
    assert!(check(&c, opts(0)).violation.is_none());
    assert!(check(&c, opts(UNBOUNDED)).violation.is_some());
}
