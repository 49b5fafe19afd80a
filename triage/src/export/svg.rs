//! The interleaving as an SVG timeline: one lane per context, time going
//! down, each step a box labelled with its kernel function; frame
//! allocations and frees with their incarnations, sleeps as dashed lines,
//! wakeups as arrows from the waker to the woken lane, the DMA, and the
//! oracles in red. Plain SVG 1.1, no scripts or external fonts, so any
//! browser renders it.

use std::fmt::Write;

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::trace::{Event, Phase, TraceEntry};
use pagelife_core::world::{ctx_name, token, CtxId};

use crate::report::{finding_line, setup_line};

const LANE: usize = 250;
const ROW: usize = 22;
const TOP: usize = 70;
const LEFT: usize = 50;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
    let lane_x = |c: CtxId| LEFT + lanes.iter().position(|&x| x == c).unwrap_or(0) * LANE;
    let nfind = out.findings.len();
    let width = LEFT + lanes.len().max(1) * LANE + 20;
    let height = TOP + steps.len() * ROW + 40 + nfind * 18 + 20;
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
    let head = format!("{} — profile {}", title.unwrap_or("pagelife"), case.profile);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="14" font-weight="bold">{}</text>"#,
        esc(&head)
    );
    if let Some(l) = setup_line(case, &out) {
        let _ = writeln!(s, r##"<text x="10" y="36" fill="#555">{}</text>"##, esc(&l));
    }
    for &c in &lanes {
        let x = lane_x(c);
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="13" font-weight="bold" text-anchor="middle">{}</text>"##,
            x + LANE / 2 - 10,
            TOP - 10,
            esc(&ctx_name(c, &names))
        );
        let _ = writeln!(
            s,
            r##"<line x1="{lx}" y1="{TOP}" x2="{lx}" y2="{}" stroke="#ddd"/>"##,
            TOP + steps.len() * ROW,
            lx = x + LANE / 2 - 10
        );
    }
    // Sleeps: from the step that slept to the context's next step.
    for (i, e) in steps.iter().enumerate() {
        if e.events.iter().any(|ev| matches!(ev, Event::Sleep { .. })) {
            let next = steps[i + 1..]
                .iter()
                .position(|x| x.ctx == e.ctx)
                .map(|k| i + 1 + k)
                .unwrap_or(steps.len());
            let x = lane_x(e.ctx) + LANE / 2 - 10;
            let _ = writeln!(
                s,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#999" stroke-width="2" stroke-dasharray="4 3"/>"##,
                TOP + i * ROW + ROW - 4,
                TOP + next * ROW + 2
            );
        }
    }
    for (i, e) in steps.iter().enumerate() {
        let y = TOP + i * ROW;
        let x = lane_x(e.ctx);
        let fired = e.events.iter().any(|ev| matches!(ev, Event::Oracle(_)));
        let (fill, stroke) = if fired {
            ("#ffe5e5", "#d00")
        } else {
            ("#f2f6fc", "#8aa")
        };
        let _ = writeln!(
            s,
            r##"<text x="6" y="{}" fill="#999" font-size="9">{}</text>"##,
            y + 14,
            e.step_no
        );
        let _ = writeln!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{fill}" stroke="{stroke}"/>"#,
            x + 4,
            y + 2,
            LANE - 28,
            ROW - 5
        );
        let mut label = e.step.name().to_string();
        if let (Some(f), Some((inc, _, rc))) = (e.frame, e.frame_state) {
            label.push_str(&format!("  f{f}#{inc} r{rc}"));
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{}</text>"#,
            x + 9,
            y + 15,
            esc(&label)
        );
        // Side notes: allocation, free, DMA, oracles.
        let mut notes: Vec<(String, &str)> = Vec::new();
        for ev in &e.events {
            match *ev {
                Event::Alloc { frame, inc } => {
                    notes.push((format!("+frame{frame}#{inc}"), "#0a7f2e"))
                }
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
        if !notes.is_empty() {
            let mut tx = x + LANE - 20;
            let anchor = "start";
            // Notes go to the right of the box, into the next lane's gutter.
            for (n, color) in notes {
                let _ = writeln!(
                    s,
                    r#"<text x="{tx}" y="{}" fill="{color}" font-size="9" text-anchor="{anchor}">{}</text>"#,
                    y + 15,
                    esc(&n)
                );
                tx += 7 * n.chars().count() + 6;
            }
        }
        // Wakeups: an arrow to the woken context's lane.
        for ev in &e.events {
            if let Event::Wake { wakee, .. } = *ev {
                if lanes.contains(&wakee) {
                    let (x1, x2) = (x + LANE / 2 - 10, lane_x(wakee) + LANE / 2 - 10);
                    let yy = y + ROW / 2;
                    let _ = writeln!(
                        s,
                        r##"<path d="M{x1},{yy} C{x1},{} {x2},{} {x2},{}" fill="none" stroke="#1f6feb" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                        yy + 14,
                        yy + 14,
                        yy + ROW - 2
                    );
                }
            }
        }
    }
    let mut y = TOP + steps.len() * ROW + 30;
    if out.findings.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="10" y="{y}" fill="#0a7f2e">verdict: no oracle fired</text>"##
        );
    }
    for f in out.findings.iter() {
        let _ = writeln!(
            s,
            r##"<text x="10" y="{y}" fill="#d00">{}</text>"##,
            esc(&finding_line(case, f))
        );
        y += 18;
    }
    s.push_str("</svg>\n");
    s
}
