//! One-line descriptions of findings and setups, for tables, logs and mails.

use pagelife_core::case::Case;
use pagelife_core::exec::replay::Outcome;
use pagelife_core::oracle::Finding;
use pagelife_core::trace::{Event, Phase};
use pagelife_core::world::ctx_name;

/// `BUG writeback-after-wait (W, step 68, frame0#2): BUG_ON(...)`.
pub fn finding_line(case: &Case, f: &Finding) -> String {
    let names = case.names();
    let who = ctx_name(f.ctx, &names);
    let frame = if f.frame == u8::MAX {
        String::new()
    } else {
        format!(", frame{}", f.frame)
    };
    let detail = f.detail(&names);
    let detail = if detail.is_empty() {
        detail
    } else {
        format!("; {detail}")
    };
    format!(
        "{} {} ({who}, step {}{frame}{detail}) — mirrors {}",
        f.oracle.severity(),
        f.oracle.name(),
        f.step_no,
        f.oracle.mirrors()
    )
}

/// `setup: write f0 0; writeback f0 none → io0 in flight`, or `None` without setup.
pub fn setup_line(case: &Case, out: &Outcome) -> Option<String> {
    if case.setup.is_empty() {
        return None;
    }
    let ops: Vec<String> = case.setup.iter().map(|o| o.to_string()).collect();
    let mut s = format!("setup: {}", ops.join("; "));
    if let Some(t) = out.trace.as_ref() {
        let bios: Vec<String> = t
            .steps
            .iter()
            .filter(|e| e.phase == Phase::Setup)
            .flat_map(|e| e.events.iter())
            .filter_map(|e| match e {
                Event::Submit { bio, .. } => Some(format!("io{bio}")),
                _ => None,
            })
            .collect();
        if !bios.is_empty() {
            s.push_str(&format!(" ({} submitted)", bios.join(", ")));
        }
    }
    Some(s)
}
