//! The interleaving as an SVG timeline: one lane per context, time going
//! down, each step a box labelled with its kernel function; frame
//! allocations and frees with their incarnations, sleeps as dashed lines,
//! wakeups as arrows from the waker to the woken lane, the DMA, and the
//! oracles in red. Plain SVG 1.1, no scripts or external fonts, so any
//! browser renders it.
//!
//! The canvas is sized to its content: every text's extent is estimated
//! from its length (monospace, 0.61 em per character) and the canvas grows
//! to hold the widest and lowest. Runs of quiet steps of one context are
//! elided as in the table (`… 5 steps`), step labels too wide for their box
//! are abbreviated (`prefix~N`, listed in the legend), verdict lines are
//! wrapped, and a legend explains `f0#2 r1`. `scripts/check-svg.sh` renders
//! every seed race in Chromium and fails if a text leaves the canvas or a
//! label its box.

use std::fmt::Write;

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::trace::{Event, Phase, TraceEntry};
use pagelife_core::world::{ctx_name, token, CtxId};

use crate::report::{finding_line, setup_line};
use crate::table::wrap;

const LANE: usize = 250;
const ROW: usize = 22;
const LEFT: usize = 50;
/// Width of a step's box.
const BOX: usize = LANE - 28;
/// Characters of 11 px text that fit in a box (with its padding).
const BOX_CHARS: usize = (BOX - 12) * 100 / 671;
/// Longest verdict or setup line, in characters, before it wraps.
const LINE_CHARS: usize = 110;

/// Text as XML character data: markup escaped, and characters XML 1.0 does
/// not allow (controls other than tab and newline, U+FFFE, U+FFFF) replaced by U+FFFD.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\t' | '\n' => o.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// The SVG body being drawn, and how far its content reaches.
struct Canvas {
    body: String,
    max_x: f64,
    max_y: f64,
}

impl Canvas {
    /// A text at (x, y) of `size` px, anchored `start` or `middle`; `extra` attributes.
    fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, extra: &str, t: &str) {
        let w = t.chars().count() as f64 * 0.61 * size;
        let right = if anchor == "middle" {
            x + w / 2.0
        } else {
            x + w
        };
        self.max_x = self.max_x.max(right);
        self.max_y = self.max_y.max(y + size * 0.3);
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.0}" y="{y:.0}" font-size="{size}" text-anchor="{anchor}"{extra}>{}</text>"#,
            esc(t)
        );
    }

    /// Raw markup that reaches (x, y).
    fn raw(&mut self, x: f64, y: f64, markup: &str) {
        self.max_x = self.max_x.max(x);
        self.max_y = self.max_y.max(y);
        let _ = writeln!(self.body, "{markup}");
    }
}

/// A row of the timeline: a step, or a run of quiet steps left out.
enum Item<'a> {
    Step(&'a TraceEntry),
    Elided(CtxId, usize),
}

fn visible(e: &TraceEntry) -> bool {
    e.events
        .iter()
        .any(|ev| !matches!(ev, Event::Note(_) | Event::Block))
}

/// The rows: in a run of one context longer than 4 steps, quiet steps
/// other than the first and last are elided.
fn items<'a>(steps: &[&'a TraceEntry]) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    for run in steps.chunk_by(|a, b| a.ctx == b.ctx) {
        let mut hidden = 0;
        for (k, e) in run.iter().enumerate() {
            let keep = run.len() <= 4 || k == 0 || k == run.len() - 1 || visible(e);
            if keep {
                if hidden > 0 {
                    out.push(Item::Elided(e.ctx, hidden));
                    hidden = 0;
                }
                out.push(Item::Step(e));
            } else {
                hidden += 1;
            }
        }
    }
    out
}

/// Labels too wide for a box, abbreviated.
#[derive(Default)]
struct Abbrev(Vec<String>);

impl Abbrev {
    fn fit(&mut self, label: &str, w: usize) -> String {
        if label.chars().count() <= w {
            return label.to_string();
        }
        let k = match self.0.iter().position(|l| l == label) {
            Some(k) => k + 1,
            None => {
                self.0.push(label.to_string());
                self.0.len()
            }
        };
        let tag = format!("~{k}");
        let keep = w.saturating_sub(tag.len()).max(1);
        format!("{}{tag}", label.chars().take(keep).collect::<String>())
    }
}

/// The side notes of a step: allocation, free, DMA, oracles.
fn notes(e: &TraceEntry) -> Vec<(String, &'static str)> {
    let mut notes = Vec::new();
    for ev in &e.events {
        match *ev {
            Event::Alloc { frame, inc } => notes.push((format!("+frame{frame}#{inc}"), "#0a7f2e")),
            Event::Free { frame, inc } => {
                notes.push((format!("frame{frame}#{inc} freed"), "#b35c00"))
            }
            Event::Dma {
                block, token: t, ..
            } => notes.push((format!("DMA {} → blk{block}", token::show(t)), "#6a3fb5")),
            Event::Oracle(o) => notes.push((o.name().to_string(), "#d00")),
            _ => {}
        }
    }
    notes
}

/// Where things are.
struct Geometry {
    lanes: Vec<CtxId>,
    top: usize,
}

impl Geometry {
    fn lane_x(&self, c: CtxId) -> usize {
        LEFT + self.lanes.iter().position(|&x| x == c).unwrap_or(0) * LANE
    }
    fn mid(&self, c: CtxId) -> usize {
        self.lane_x(c) + LANE / 2 - 10
    }
    fn row_y(&self, i: usize) -> usize {
        self.top + i * ROW
    }
}

/// One step's box, label, notes and wakeup arrows.
fn draw_step(cv: &mut Canvas, g: &Geometry, i: usize, e: &TraceEntry, ab: &mut Abbrev) {
    let (y, x) = (g.row_y(i), g.lane_x(e.ctx));
    let fired = e.events.iter().any(|ev| matches!(ev, Event::Oracle(_)));
    let (fill, stroke) = if fired {
        ("#ffe5e5", "#d00")
    } else {
        ("#f2f6fc", "#8aa")
    };
    cv.text(
        6.0,
        (y + 14) as f64,
        9.0,
        "start",
        r##" fill="#999""##,
        &e.step_no.to_string(),
    );
    cv.raw(
        (x + 4 + BOX) as f64,
        (y + ROW) as f64,
        &format!(
            r#"<rect x="{}" y="{}" width="{BOX}" height="{}" rx="4" fill="{fill}" stroke="{stroke}"/>"#,
            x + 4,
            y + 2,
            ROW - 5
        ),
    );
    let fs = match (e.frame, e.frame_state) {
        (Some(f), Some((inc, _, rc))) => format!("  f{f}#{inc} r{rc}"),
        _ => String::new(),
    };
    let label = ab.fit(e.step.name(), BOX_CHARS.saturating_sub(fs.chars().count())) + &fs;
    cv.text(
        (x + 9) as f64,
        (y + 15) as f64,
        11.0,
        "start",
        r#" class="label""#,
        &label,
    );
    let mut tx = (x + LANE - 20) as f64;
    for (n, color) in notes(e) {
        let extra = format!(r#" fill="{color}""#);
        cv.text(tx, (y + 15) as f64, 9.0, "start", &extra, &n);
        tx += 0.61 * 9.0 * n.chars().count() as f64 + 6.0;
    }
    for ev in &e.events {
        if let Event::Wake { wakee, .. } = *ev {
            if g.lanes.contains(&wakee) {
                let (x1, x2, yy) = (g.mid(e.ctx), g.mid(wakee), y + ROW / 2);
                cv.raw(
                    x1.max(x2) as f64,
                    (yy + ROW) as f64,
                    &format!(
                        r##"<path d="M{x1},{yy} C{x1},{} {x2},{} {x2},{}" fill="none" stroke="#1f6feb" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                        yy + 14,
                        yy + 14,
                        yy + ROW - 2
                    ),
                );
            }
        }
    }
}

/// Lane heads and lines, sleeps, and every row.
fn draw_timeline(cv: &mut Canvas, g: &Geometry, rows: &[Item], names: &[String]) -> Abbrev {
    let bottom = g.row_y(rows.len());
    for &c in &g.lanes {
        let lx = g.mid(c);
        let extra = r#" font-weight="bold""#;
        cv.text(
            lx as f64,
            (g.top - 10) as f64,
            13.0,
            "middle",
            extra,
            &ctx_name(c, names),
        );
        let _ = writeln!(
            cv.body,
            r##"<line x1="{lx}" y1="{}" x2="{lx}" y2="{bottom}" stroke="#ddd"/>"##,
            g.top
        );
    }
    // Sleeps: from the step that slept to the context's next row.
    for (i, it) in rows.iter().enumerate() {
        let Item::Step(e) = it else { continue };
        if e.events.iter().any(|ev| matches!(ev, Event::Sleep { .. })) {
            let next = rows[i + 1..]
                .iter()
                .position(|r| match r {
                    Item::Step(x) => x.ctx == e.ctx,
                    Item::Elided(c, _) => *c == e.ctx,
                })
                .map_or(rows.len(), |k| i + 1 + k);
            let x = g.mid(e.ctx);
            let _ = writeln!(
                cv.body,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#999" stroke-width="2" stroke-dasharray="4 3"/>"##,
                g.row_y(i) + ROW - 4,
                g.row_y(next) + 2
            );
        }
    }
    let mut ab = Abbrev::default();
    for (i, it) in rows.iter().enumerate() {
        match it {
            Item::Step(e) => draw_step(cv, g, i, e, &mut ab),
            Item::Elided(c, n) => {
                let t = format!("… {n} step{}", if *n == 1 { "" } else { "s" });
                let extra = r##" fill="#777" font-style="italic""##;
                cv.text(
                    (g.lane_x(*c) + 9) as f64,
                    (g.row_y(i) + 15) as f64,
                    10.0,
                    "start",
                    extra,
                    &t,
                );
            }
        }
    }
    ab
}

/// Verdict lines (wrapped), then the legend, from `y` down.
fn draw_footer(
    cv: &mut Canvas,
    case: &Case,
    out: &pagelife_core::exec::replay::Outcome,
    y0: usize,
    ab: &Abbrev,
) {
    let mut lines: Vec<(String, f64, &str)> = Vec::new();
    if out.findings.is_empty() {
        lines.push(("verdict: no oracle fired".into(), 11.0, "#0a7f2e"));
    }
    for f in out.findings.iter() {
        for l in wrap(&finding_line(case, f), LINE_CHARS) {
            lines.push((l, 11.0, "#d00"));
        }
    }
    lines.push((String::new(), 2.0, "#555"));
    let legend = "fN#I rR: frame N, its incarnation I and refcount R after the step · dashed line: asleep · blue arrow: a wakeup · red box: an oracle fired · … N steps: quiet steps left out";
    for l in wrap(legend, LINE_CHARS * 11 / 9) {
        lines.push((l, 9.0, "#555"));
    }
    for (k, l) in ab.0.iter().enumerate() {
        lines.push((format!("~{}: {l}", k + 1), 9.0, "#555"));
    }
    let mut y = y0 as f64;
    for (t, size, color) in lines {
        if !t.is_empty() {
            cv.text(10.0, y, size, "start", &format!(r#" fill="{color}""#), &t);
        }
        y += size + 6.0;
    }
}

/// The SVG document for `case`.
pub fn svg(case: &Case, title: Option<&str>) -> String {
    let out = replay(case);
    let names = case.names();
    let steps: Vec<&TraceEntry> = out
        .trace
        .as_ref()
        .map(|t| {
            t.steps
                .iter()
                .filter(|e| matches!(e.phase, Phase::Main | Phase::Injected))
                .collect()
        })
        .unwrap_or_default();
    let mut lanes: Vec<CtxId> = Vec::new();
    for e in &steps {
        if !lanes.contains(&e.ctx) {
            lanes.push(e.ctx);
        }
    }
    let mut cv = Canvas {
        body: String::new(),
        max_x: (LEFT + lanes.len().max(1) * LANE) as f64,
        max_y: 0.0,
    };
    let head = format!("{} — profile {}", title.unwrap_or("pagelife"), case.profile);
    let mut y = 18;
    for l in wrap(&head, LINE_CHARS * 11 / 14) {
        cv.text(10.0, y as f64, 14.0, "start", r#" font-weight="bold""#, &l);
        y += 18;
    }
    for l in setup_line(case, &out)
        .map(|l| wrap(&l, LINE_CHARS))
        .unwrap_or_default()
    {
        cv.text(10.0, y as f64, 11.0, "start", r##" fill="#555""##, &l);
        y += 16;
    }
    let g = Geometry { lanes, top: y + 30 };
    let rows = items(&steps);
    let ab = draw_timeline(&mut cv, &g, &rows, &names);
    draw_footer(&mut cv, case, &out, g.row_y(rows.len()) + 30, &ab);
    let (width, height) = (cv.max_x.ceil() as usize + 20, cv.max_y.ceil() as usize + 20);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, monospace" font-size="11">"#
    );
    let _ = writeln!(
        s,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f6feb"/></marker></defs>"##
    );
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
    );
    s.push_str(&cv.body);
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_do_not_reach_the_xml() {
        let e = esc("a\u{1}b\u{0}c<&>\u{ffff}");
        assert_eq!(e, "a\u{fffd}b\u{fffd}c&lt;&amp;&gt;\u{fffd}");
    }
}
