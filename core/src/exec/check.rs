//! `check`: every interleaving of a case's tasks (and the bios they submit)
//! up to a preemption bound, deduplicating equal states.
//!
//! The search is a depth-first walk over machine states. A *preemption* is
//! switching away from the context that took the last step while it could
//! still take another (switching after it blocks or finishes is free), as in
//! CHESS (Musuvathi and Qadeer, PLDI 2007). States are identified by a 64-bit
//! hash of the whole machine and the last context; a state reached again with
//! no fewer preemptions is not explored twice. Faults of the case apply as in
//! replay; its schedule is ignored.
//!
//! With [`UNBOUNDED`] (`check --bound inf`) preemptions are not counted and
//! the last context leaves the key: a state is explored once whatever path
//! reached it, and a search that finishes has seen every interleaving. No
//! partial-order reduction yet: interleavings of independent steps are
//! each walked until their states meet.
//!
//! Limits, said plainly: the state hash is 64 bits (a collision could hide a
//! state, at odds of roughly n²/2⁶⁵ for n states); "no violation" means none
//! within the bound, not none at all, except for a finished unbounded search.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::case::{Case, Run, Slice};
use crate::exec::machine::{Machine, StepResult};
use crate::exec::replay::{finish_run, machine_after_setup, run_due_faults};
use crate::exec::schedule::{compress, label_schedule};
use crate::oracle::Findings;
use crate::world::CtxId;

/// [`CheckOptions::bound`] for a complete exploration: every interleaving,
/// preemptions not counted, a state reached again by any path not explored
/// twice (`check --bound inf`).
pub const UNBOUNDED: u8 = u8::MAX;

/// How far to search.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Most preemptions per interleaving ([`UNBOUNDED`]: no limit).
    pub bound: u8,
    /// Stop after this many distinct states (the report says it stopped).
    pub max_states: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            bound: 3,
            max_states: 5_000_000,
        }
    }
}

/// A violation: the interleaving that found it, as a case, and what fired.
#[derive(Clone, Debug)]
pub struct Violation {
    /// The input case with its schedule replaced by the violating interleaving.
    pub case: Case,
    /// What fired when it ran.
    pub findings: Findings,
}

/// The result of a search.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// The first violation found, if any.
    pub violation: Option<Violation>,
    /// Complete interleavings explored (runs that reached a quiet world).
    pub interleavings: u64,
    /// Distinct states visited.
    pub states: u64,
    /// The state limit stopped the search early.
    pub truncated: bool,
}

/// FxHash (rustc's hasher): fast, good enough to key states.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64)
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

struct Search<'a> {
    opts: CheckOptions,
    accept: &'a dyn Fn(&Findings) -> bool,
    visited: HashMap<u64, u8>,
    interleavings: u64,
    truncated: bool,
    found: Option<(Vec<CtxId>, Findings)>,
}

/// One level of the depth-first walk: the enabled successors of a state.
struct Level<'c> {
    children: Vec<(CtxId, Machine<'c>)>,
    next: usize,
    last: Option<CtxId>,
    pre: u8,
    last_enabled: bool,
}

impl Search<'_> {
    /// The enabled successors of `m`, or `None` at a quiet state (which is
    /// then finished and checked).
    fn expand<'c>(
        &mut self,
        m: &Machine<'c>,
        last: Option<CtxId>,
        pre: u8,
        path: &[CtxId],
    ) -> Option<Level<'c>> {
        let mut base = m.clone();
        run_due_faults(&mut base);
        if !base.world.findings.is_empty() {
            if (self.accept)(&base.world.findings) {
                self.found = Some((path.to_vec(), base.world.findings));
                return None;
            }
            if base.world.findings.stopped() {
                return None;
            }
        }
        // Probe every context once: those that block are not enabled.
        let mut children: Vec<(CtxId, Machine<'c>)> = Vec::new();
        for c in Machine::schedulable() {
            if !base.runnable(c) {
                continue;
            }
            let mut m2 = base.clone();
            let step_no = m2.world.step_no;
            match m2.step_ctx(c) {
                StepResult::Ran(id) => {
                    m2.world.findings.set_step(step_no, id);
                    children.push((c, m2))
                }
                _ => {
                    // Remember what it blocks on, in the base and in the children made so far.
                    let t = c as usize;
                    if m2.quiet_change {
                        // It skipped or closed without a step: the world
                        // changed too (descriptors, i_count, a finished
                        // task's child), not only its progress.
                        base.world = m2.world;
                        base.tasks[t] = m2.tasks[t];
                    } else if t < base.tasks.len() {
                        base.tasks[t] = m2.tasks[t];
                        for (_, ch) in children.iter_mut() {
                            if ch.tasks[t].blocked.is_none()
                                && ch.tasks[t].op_idx == m2.tasks[t].op_idx
                            {
                                ch.tasks[t] = m2.tasks[t];
                            }
                        }
                    }
                }
            }
        }
        if children.is_empty() {
            self.interleavings += 1;
            let f = finish_run(base);
            if !f.is_empty() && (self.accept)(&f) {
                self.found = Some((path.to_vec(), f));
            }
            return None;
        }
        // A task whose operations are over and whose implicit exit is all
        // that is left has finished, as far as preemptions go: switching
        // away from it is free, as it was before exits existed.
        let last_enabled =
            last.is_some_and(|l| !base.only_exit_left(l) && children.iter().any(|(c, _)| *c == l));
        // The running context first: schedules without preemption are tried first.
        children.sort_by_key(|(c, _)| (Some(*c) != last, *c));
        Some(Level {
            children,
            next: 0,
            last,
            pre,
            last_enabled,
        })
    }

    fn run(&mut self, start: &Machine<'_>) {
        let mut path: Vec<CtxId> = Vec::new();
        let mut stack: Vec<Level<'_>> = Vec::new();
        if let Some(l) = self.expand(start, None, 0, &path) {
            stack.push(l);
        }
        while let Some(top) = stack.last_mut() {
            if self.found.is_some() || self.truncated {
                return;
            }
            if top.next >= top.children.len() {
                stack.pop();
                path.pop();
                continue;
            }
            let i = top.next;
            top.next += 1;
            let c = top.children[i].0;
            let unbounded = self.opts.bound == UNBOUNDED;
            let cost = u8::from(!unbounded && top.last_enabled && Some(c) != top.last);
            let pre = top.pre + cost;
            if pre > self.opts.bound {
                continue;
            }
            // Take the child out of the level: it is visited once.
            let child = top.children[i].1.clone();
            path.push(c);
            if !child.world.findings.is_empty() {
                // A wanted finding ends the search; an unwanted one ends the
                // branch only if the kernel would have stopped there.
                if (self.accept)(&child.world.findings) {
                    self.found = Some((path.clone(), child.world.findings));
                    return;
                }
                if child.world.findings.stopped() {
                    path.pop();
                    continue;
                }
            }
            let mut h = Fx::default();
            child.hash(&mut h);
            // The last context only matters for counting preemptions.
            if !unbounded {
                c.hash(&mut h);
            }
            // Paths that fired different oracles are different stories.
            child.world.findings.mask().hash(&mut h);
            let key = h.finish();
            if self.visited.get(&key).is_some_and(|&p| p <= pre) {
                path.pop();
                continue;
            }
            if self.visited.len() as u64 >= self.opts.max_states {
                self.truncated = true;
                return;
            }
            self.visited.insert(key, pre);
            match self.expand(&child, Some(c), pre, &path) {
                Some(l) => stack.push(l),
                None => {
                    path.pop();
                }
            }
        }
    }
}

/// Explore every interleaving of `case`'s tasks up to `opts.bound` preemptions.
pub fn check(case: &Case, opts: CheckOptions) -> CheckReport {
    check_matching(case, opts, &|_| true)
}

/// Like [`check`], but only a run whose findings `accept` takes counts as
/// a violation (other findings end their branch). The minimizer uses it to
/// find a schedule with the same signature for a smaller case.
pub fn check_matching(
    case: &Case,
    opts: CheckOptions,
    accept: &dyn Fn(&Findings) -> bool,
) -> CheckReport {
    let start = machine_after_setup(case);
    let mut s = Search {
        opts,
        accept,
        visited: HashMap::new(),
        interleavings: 0,
        truncated: false,
        found: None,
    };
    s.run(&start);
    let violation = s.found.take().map(|(p, findings)| {
        let mut v = case.clone();
        v.schedule = compress(&p)
            .into_iter()
            .map(|(ctx, n)| Slice {
                ctx,
                run: Run::Steps(n),
            })
            .collect();
        v.schedule = label_schedule(&v);
        Violation { case: v, findings }
    });
    CheckReport {
        violation,
        interleavings: s.interleavings,
        states: s.visited.len() as u64,
        truncated: s.truncated,
    }
}
