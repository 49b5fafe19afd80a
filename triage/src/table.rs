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
            width: 80,
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
        Event::Sleep { bit, .. } => format!("sleeps on {}", pg::wait_bit_name(bit)),
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
        Event::Note(s) | Event::Bail(s) => s.to_string(),
        Event::Oracle(o) => format!("[{}]", o.name()),
    })
}

fn visible(e: &TraceEntry) -> bool {
    e.events
        .iter()
        .any(|ev| !matches!(ev, Event::Note(_) | Event::Block))
}

/// Step labels too wide for a column, replaced by `prefix~N`; listed under the table.
#[derive(Default)]
struct Legend {
    long: Vec<&'static str>,
}

impl Legend {
    /// `label`, or its abbreviation if it is wider than `w`.
    fn label(&mut self, label: &'static str, w: usize) -> String {
        if label.chars().count() <= w {
            return label.to_string();
        }
        let k = match self.long.iter().position(|l| *l == label) {
            Some(k) => k + 1,
            None => {
                self.long.push(label);
                self.long.len()
            }
        };
        let tag = format!("~{k}");
        let keep = w.saturating_sub(tag.len()).max(1);
        format!("{}{tag}", label.chars().take(keep).collect::<String>())
    }

    fn lines(&self, width: usize) -> Vec<String> {
        let mut out = Vec::new();
        if !self.long.is_empty() {
            out.push("steps abbreviated above:".to_string());
        }
        for (k, l) in self.long.iter().enumerate() {
            let tag = format!("~{}", k + 1);
            out.extend(wrap(&format!("{tag:>4} {l}"), width));
        }
        out
    }
}

fn step_text(
    e: &TraceEntry,
    names: &[String],
    opts: &TableOptions,
    legend: &mut Legend,
    colw: usize,
) -> String {
    let mut s = legend.label(e.step.name(), colw.saturating_sub(1));
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

/// Word-wrap `s` to `w` columns (continuation lines indented by two);
/// a word longer than a line is cut. Leading spaces of `s` are kept.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(8);
    let body = s.trim_start();
    let mut out = Vec::new();
    let mut cur = s[..s.len() - body.len()].to_string();
    let mut fresh = true;
    for word in body.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let cl = cur.chars().count();
            let room = w.saturating_sub(cl + usize::from(!fresh));
            if word.len() <= room {
                if !fresh {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                fresh = false;
                break;
            }
            if fresh && room > 0 {
                cur.extend(word.drain(..room));
            }
            out.push(std::mem::replace(&mut cur, String::from("  ")));
            fresh = true;
            if word.is_empty() {
                break;
            }
        }
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

/// The layout of the columns.
struct Layout {
    cols: Vec<CtxId>,
    colw: usize,
    sep: usize,
}

impl Layout {
    /// Contexts in order of first appearance, sharing `width` (at least 8
    /// characters each); step labels wider than a column are abbreviated,
    /// with a legend under the table.
    fn new(main: &[&TraceEntry], width: usize) -> Layout {
        let mut cols: Vec<CtxId> = Vec::new();
        for e in main {
            if !cols.contains(&e.ctx) {
                cols.push(e.ctx);
            }
        }
        let ncol = cols.len().max(1);
        let sep = if ncol >= 4 { 1 } else { 3 };
        let colw = ((width.saturating_sub(sep * (ncol - 1))) / ncol).clamp(8, 60);
        Layout { cols, colw, sep }
    }

    /// One line of the table: `cells` padded to their columns.
    fn line(&self, cells: &[String]) -> String {
        let mut l = String::new();
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                l.push_str(&" ".repeat(self.sep));
            }
            let pad = self.colw.saturating_sub(cell.chars().count());
            l.push_str(cell);
            l.push_str(&" ".repeat(pad));
        }
        l.trim_end().to_string()
    }
}

/// Group `main` into runs of one context, eliding quiet steps.
fn blocks(
    main: &[&TraceEntry],
    lay: &Layout,
    names: &[String],
    opts: &TableOptions,
    legend: &mut Legend,
) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for run in main.chunk_by(|a, b| a.ctx == b.ctx) {
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
                let t = step_text(e, names, opts, legend, lay.colw);
                lines.extend(wrap(&t, lay.colw));
            } else {
                hidden += 1;
            }
        }
        let col = lay.cols.iter().position(|&x| x == run[0].ctx).unwrap_or(0);
        blocks.push(Block { col, lines });
    }
    blocks
}

/// The verdict under the table.
fn verdict(s: &mut String, case: &Case, out: &Outcome, width: usize) {
    if out.findings.is_empty() {
        let _ = writeln!(s, "\nverdict: no oracle fired");
        return;
    }
    let _ = writeln!(s);
    for f in out.findings.iter() {
        for l in wrap(&finding_line(case, f), width) {
            let _ = writeln!(s, "{l}");
        }
    }
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
    let lay = Layout::new(&main, opts.width);
    let mut s = String::new();
    if let Some(l) = setup_line(case, out) {
        for l in wrap(&l, opts.width) {
            let _ = writeln!(s, "{l}");
        }
    }
    let _ = writeln!(s, "profile {}", case.profile);
    if lay.cols.is_empty() {
        let _ = writeln!(s, "(no steps after setup)");
    }
    let ncol = lay.cols.len().max(1);
    let mut legend = Legend::default();
    let blocks = blocks(&main, &lay, &names, opts, &mut legend);
    let head: Vec<String> = lay
        .cols
        .iter()
        .map(|&c| ctx_name(c, &names).chars().take(lay.colw).collect())
        .collect();
    let _ = writeln!(s, "{}", lay.line(&head));
    let _ = writeln!(s, "{}", lay.line(&vec!["-".repeat(lay.colw); ncol]));
    for b in &blocks {
        for l in &b.lines {
            let mut cells = vec![String::new(); ncol];
            cells[b.col] = l.clone();
            let _ = writeln!(s, "{}", lay.line(&cells));
        }
    }
    if cut > 0 {
        let _ = writeln!(s, "({cut} more steps until the world is quiet)");
    }
    for l in legend.lines(opts.width) {
        let _ = writeln!(s, "{l}");
    }
    for (at, r) in &trace.warnings {
        for l in wrap(&format!("(before step {at}: {r})"), opts.width) {
            let _ = writeln!(s, "{l}");
        }
    }
    verdict(&mut s, case, out, opts.width);
    s
}
