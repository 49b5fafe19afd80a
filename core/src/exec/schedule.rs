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
        let Run::Steps(n) = s.run else {
            sched.push(*s);
            continue;
        };
        let n = n as usize;
        let mine: Vec<_> = main[pos.min(main.len())..]
            .iter()
            .take(n)
            .filter(|e| e.ctx == s.ctx)
            .collect();
        if mine.len() != n || n == 0 {
            // The slice did not run as counted (skipped or cut short): keep the count.
            sched.push(*s);
            pos += mine.len();
            continue;
        }
        let last = mine[n - 1].step;
        let k = mine.iter().filter(|e| e.step == last).count();
        sched.push(Slice {
            ctx: s.ctx,
            run: Run::Until(last, k.min(255) as u8),
        });
        pos += n;
    }
    sched
}
