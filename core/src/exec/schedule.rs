//! Schedules as data: run-length encoding of the contexts that took steps,
//! and rewriting step counts into step labels a reader can follow.

use crate::case::{Case, Run, Slice};
use crate::exec::replay::replay;
use crate::trace::Phase;
use crate::world::CtxId;

/// Run-length encode a sequence of contexts: `[A, A, B, A]` → `[(A,2),(B,1),(A,1)]`
/// (runs longer than 255 are split).
pub fn compress(taken: &[CtxId]) -> Vec<(CtxId, u8)> {
    let mut out: Vec<(CtxId, u8)> = Vec::new();
    for &c in taken {
        match out.last_mut() {
            Some((lc, n)) if *lc == c && *n < u8::MAX => *n += 1,
            _ => out.push((c, 1)),
        }
    }
    out
}

/// The schedule that reproduces exactly the steps `taken` (each slice a step count).
pub fn schedule_from_taken(taken: &[CtxId]) -> Vec<Slice> {
    compress(taken)
        .into_iter()
        .map(|(ctx, n)| Slice {
            ctx,
            run: Run::Steps(n),
        })
        .collect()
}

/// `case` without the schedule slices its replay skips (their context could
/// not run: they take no step, so the run is the same without them).
pub fn prune_skipped(case: &Case) -> Case {
    let skipped = replay(case).trace.map(|t| t.skipped).unwrap_or_default();
    let mut c = case.clone();
    if !skipped.is_empty() {
        c.schedule = case
            .schedule
            .iter()
            .enumerate()
            .filter(|(i, _)| !skipped.contains(i))
            .map(|(_, s)| *s)
            .collect();
    }
    c
}

/// Rewrite every `Steps(n)` slice of `case` as `Until(label, k)`: run until
/// the k-th occurrence of the label of its last step — the same steps, said
/// the way the seed mails say them ("CPU1: test_clear_page_writeback").
pub fn label_schedule(case: &Case) -> Vec<Slice> {
    let out = replay(case);
    let Some(trace) = out.trace else {
        return case.schedule.clone();
    };
    let main: Vec<_> = trace
        .steps
        .iter()
        .filter(|e| e.phase == Phase::Main)
        .collect();
    let mut pos = 0;
    let mut sched = Vec::with_capacity(case.schedule.len());
    for s in &case.schedule {
        // The steps this slice took: the entries from `pos` that are its
        // context's, as far as its run goes (every slice advances `pos`,
        // labelled or not, so later slices stay aligned).
        let rest = &main[pos.min(main.len())..];
        let ours = rest.iter().take_while(|e| e.ctx == s.ctx).count();
        let took = match s.run {
            Run::Steps(n) => ours.min(n as usize),
            Run::Until(id, k) => {
                let mut seen = 0;
                rest[..ours]
                    .iter()
                    .position(|e| {
                        seen += usize::from(e.step == id);
                        seen >= usize::from(k.max(1))
                    })
                    .map_or(ours, |p| p + 1)
            }
            Run::Block => ours,
        };
        let mine = &rest[..took];
        pos += took;
        match (s.run, mine.last()) {
            (Run::Steps(n), Some(last)) if took == n as usize => {
                let k = mine.iter().filter(|e| e.step == last.step).count();
                sched.push(Slice {
                    ctx: s.ctx,
                    run: Run::Until(last.step, k.min(255) as u8),
                });
            }
            // Labelled already, or cut short, or skipped: as it was.
            _ => sched.push(*s),
        }
    }
    sched
}
