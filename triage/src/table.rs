//! The interleaving as a table with one column per context, the way the
//! seed mails draw races ("CPU1 | CPU2"), each step labelled with its kernel
//! function, and the verdict underneath.
//!
//! Consecutive steps of one context form one block in its column. Steps that
//! did something visible (allocated, freed, slept, woke, submitted, did DMA,
//! fired an oracle) are always shown; in a long run of other steps only the
//! first and last are, with the count of those left out between them.

use std::fmt::Write;

use pagelife_core::case::Case;
use pagelife_core::exec::replay::Outcome;
use pagelife_core::trace::{Event, Phase, TraceEntry};
use pagelife_core::world::{ctx_name, es, ext, pg, token, CtxId, NO_PBLK};

use crate::report::{finding_line, setup_line};

/// How to draw the table.
#[derive(Clone, Copy, Debug)]
pub struct TableOptions {
    /// Total width to aim for.
    pub width: usize,
    /// Show every step (no eliding).
    pub all_steps: bool,
    /// Show frame state (incarnation, flags, refcount) after each step.
    pub frame_state: bool,
    /// End the table after this global step (the rest is summarised in one line).
    pub stop_after: Option<u32>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            width: 78,
            all_steps: false,
            frame_state: false,
            stop_after: None,
        }
    }
}

/// Where a table should end: after the step at which the last of the
/// `expected` oracles fired, or, with no expectations (or none of them
/// fired), after the first finding. `None` (the whole run) when nothing
/// fired or the finding came from the checks of a quiet world.
pub fn story_end(out: &Outcome, expected: &[pagelife_core::oracle::OracleId]) -> Option<u32> {
    let main_end = out.trace.as_ref().and_then(|t| {
        t.steps
            .iter()
            .filter(|e| matches!(e.phase, Phase::Main | Phase::Injected))
            .map(|e| e.step_no)
            .max()
    })?;
    let exp: Vec<u32> = out
        .findings
        .iter()
        .filter(|f| expected.contains(&f.oracle))
        .map(|f| f.step_no)
        .collect();
    let at = if exp.is_empty() {
        out.findings.first().map(|f| f.step_no)?
    } else {
        *exp.iter().max()?
    };
    (at <= main_end).then_some(at)
}

/// A short text for an event, from the point of view of the step's context.
pub fn event_text(e: &Event, names: &[String]) -> Option<String> {
    Some(match *e {
        Event::Alloc { frame, inc } => format!("frame{frame}#{inc} allocated"),
        Event::Free { frame, inc } => format!("frame{frame}#{inc} freed"),
        Event::Insert {
            frame,
            mapping,
            index,
        } => format!("frame{frame} → f{mapping}:{index}"),
        Event::Delete { mapping, index, .. } => format!("off f{mapping}:{index}"),
        Event::Sleep { bit, .. } => format!(
            "sleeps on {}",
            if bit == pg::LOCKED {
                "PG_locked"
            } else {
                "PG_writeback"
            }
        ),
        Event::Wake { wakee, .. } => format!("wakes {}", ctx_name(wakee, names)),
        Event::Submit { bio, frame, inc } => format!("io{bio} on frame{frame}#{inc}"),
        Event::Dma {
            block, token: t, ..
        } => format!("DMA {} → blk{block}", token::show(t)),
        Event::Map {
            file,
            lblk,
            from,
            to,
            pblk,
        } => {
            let name = |x: u8| ext::NAMES.get(x as usize).copied().unwrap_or("?");
            let at = if pblk == NO_PBLK {
                String::new()
            } else {
                format!(" @p{pblk}")
            };
            format!("f{file} blk{lblk} {} → {}{at}", name(from), name(to))
        }
        Event::Es {
            file,
            lblk,
            state,
            reserved,
        } => format!(
            "ES f{file} blk{lblk} = {} (reserved {reserved})",
            es::NAMES.get(state as usize).copied().unwrap_or("?")
        ),
        Event::Init { lblk, from } => {
            if from == NO_PBLK {
                format!("zeroes blk{lblk}")
            } else {
                format!("reads blk{lblk} from p{from}")
            }
        }
        Event::Block => return None,
        Event::Note(s) => s.to_string(),
        Event::Oracle(o) => format!("[{}]", o.name()),
    })
}

fn visible(e: &TraceEntry) -> bool {
    e.events
        .iter()
        .any(|ev| !matches!(ev, Event::Note(_) | Event::Block))
}

fn step_text(e: &TraceEntry, names: &[String], opts: &TableOptions) -> String {
    let mut s = e.step.name().to_string();
    let evs: Vec<String> = e
        .events
        .iter()
        .filter_map(|ev| event_text(ev, names))
        .collect();
    if !evs.is_empty() {
        let _ = write!(s, ": {}", evs.join(", "));
    }
    if opts.frame_state {
        if let (Some(f), Some((inc, flags, rc))) = (e.frame, e.frame_state) {
            let fr = pagelife_core::world::Frame {
                flags,
                ..pagelife_core::world::Frame::EMPTY
            };
            let _ = write!(s, " [frame{f}#{inc} {} ref={rc}]", fr.flag_string());
        }
    }
    s
}

/// Word-wrap `s` to `w` columns (continuation lines indented by two).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(12);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut fresh = true;
    for word in s.split_whitespace() {
        let cl = cur.chars().count();
        if !fresh && cl + 1 + word.chars().count() > w {
            out.push(std::mem::replace(&mut cur, String::from("  ")));
            fresh = true;
        }
        if !fresh {
            cur.push(' ');
        }
        cur.push_str(word);
        fresh = false;
    }
    if !fresh {
        out.push(cur);
    }
    out
}

/// One block: a run of steps of one context.
struct Block {
    col: usize,
    lines: Vec<String>,
}

/// Draw the interleaving of `out` (a replay with a trace) for `case`.
pub fn render(case: &Case, out: &Outcome, opts: &TableOptions) -> String {
    let names = case.names();
    let Some(trace) = out.trace.as_ref() else {
        return String::from("(no trace recorded)\n");
    };
    let all_main: Vec<&TraceEntry> = trace
        .steps
        .iter()
        .filter(|e| matches!(e.phase, Phase::Main | Phase::Injected))
        .collect();
    let main: Vec<&TraceEntry> = all_main
        .iter()
        .copied()
        .filter(|e| opts.stop_after.is_none_or(|s| e.step_no <= s))
        .collect();
    let cut = all_main.len() - main.len();
    // Columns: contexts in order of first appearance.
    let mut cols: Vec<CtxId> = Vec::new();
    for e in &main {
        if !cols.contains(&e.ctx) {
            cols.push(e.ctx);
        }
    }
    let mut s = String::new();
    if let Some(l) = setup_line(case, out) {
        let _ = writeln!(s, "{l}");
    }
    let _ = writeln!(s, "profile {}", case.profile);
    if cols.is_empty() {
        let _ = writeln!(s, "(no steps after setup)");
    }
    let ncol = cols.len().max(1);
    let sep = 3;
    // Two columns fit the width; more get at least 26 characters each.
    let colw = ((opts.width.saturating_sub(sep * (ncol - 1))) / ncol).clamp(26, 60);
    // Group runs.
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = 0;
    while i < main.len() {
        let c = main[i].ctx;
        let mut j = i;
        while j < main.len() && main[j].ctx == c {
            j += 1;
        }
        let run = &main[i..j];
        let mut lines = Vec::new();
        let mut hidden = 0usize;
        for (k, e) in run.iter().enumerate() {
            let keep =
                opts.all_steps || k == 0 || k == run.len() - 1 || visible(e) || run.len() <= 4;
            if keep {
                if hidden > 0 {
                    lines.push(format!(
                        "  … {hidden} step{}",
                        if hidden == 1 { "" } else { "s" }
                    ));
                    hidden = 0;
                }
                lines.extend(wrap(&step_text(e, &names, opts), colw));
            } else {
                hidden += 1;
            }
        }
        let col = cols.iter().position(|&x| x == c).unwrap_or(0);
        blocks.push(Block { col, lines });
        i = j;
    }
    let head: Vec<String> = cols.iter().map(|&c| ctx_name(c, &names)).collect();
    let line = |cells: &[String]| -> String {
        let mut l = String::new();
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                l.push_str(&" ".repeat(sep));
            }
            let pad = colw.saturating_sub(cell.chars().count());
            l.push_str(cell);
            l.push_str(&" ".repeat(pad));
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(s, "{}", line(&head));
    let _ = writeln!(s, "{}", line(&vec!["-".repeat(colw); ncol]));
    for b in &blocks {
        for l in &b.lines {
            let mut cells = vec![String::new(); ncol];
            cells[b.col] = l.clone();
            let _ = writeln!(s, "{}", line(&cells));
        }
    }
    if cut > 0 {
        let _ = writeln!(s, "({cut} more steps until the world is quiet)");
    }
    for (at, r) in &trace.remarks {
        if r.contains("cannot run") {
            let _ = writeln!(s, "(before step {at}: {r})");
        }
    }
    if out.findings.is_empty() {
        let _ = writeln!(s, "\nverdict: no oracle fired");
    } else {
        let _ = writeln!(s);
        for f in out.findings.iter() {
            for l in wrap(&finding_line(case, f), opts.width) {
                let _ = writeln!(s, "{l}");
            }
        }
    }
    s
}
