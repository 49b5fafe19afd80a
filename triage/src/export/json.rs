//! JSON export. Schema `pagelife-finding/1`:
//!
//! ```text
//! {
//!   "schema": "pagelife-finding/1",
//!   "title": string | null,
//!   "profile": "v5.8",                       // profile expression
//!   "toggles": ["2a9127fcf229", ...],        // fixes in force
//!   "litmus": string,                        // the case as a litmus file
//!   "signature": null | { "key": string, "oracle": string, "at": string|null,
//!                         "racing_step": string|null, "with": [string] },
//!   "findings": [ { "oracle", "severity", "context", "step_no", "step", "frame",
//!                   "mirrors", "text" } ],   // firing order
//!   "trace": [ { "step_no", "phase", "context", "step", "frame", "incarnation",
//!                "flags", "refcount", "events": [string] } ]
//! }
//! ```
//! `phase` is one of `setup`, `main`, `injected`, `quiesce`; `frame`,
//! `incarnation`, `flags` (e.g. `"L|WB|U"`) and `refcount` are null for steps
//! that touched no frame.

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::step::StepId;
use pagelife_core::trace::Phase;
use pagelife_core::world::{ctx_name, Frame};
use serde::Serialize;

use crate::report::finding_line;
use crate::signature::signature_of;
use crate::table::event_text;

/// The document.
#[derive(Serialize)]
pub struct Doc {
    /// Always `pagelife-finding/1`.
    pub schema: &'static str,
    /// The litmus title, if any.
    pub title: Option<String>,
    /// Profile expression.
    pub profile: String,
    /// Toggle ids in force.
    pub toggles: Vec<&'static str>,
    /// The case as litmus text.
    pub litmus: String,
    /// The signature, if anything fired.
    pub signature: Option<SigJson>,
    /// Findings in firing order.
    pub findings: Vec<FindingJson>,
    /// Every step.
    pub trace: Vec<StepJson>,
}

/// A signature.
#[derive(Serialize)]
pub struct SigJson {
    /// One-line identity.
    pub key: String,
    /// Headline oracle.
    pub oracle: &'static str,
    /// Step it fired in.
    pub at: Option<&'static str>,
    /// The racing step (not part of the identity).
    pub racing_step: Option<&'static str>,
    /// Mechanism oracles that fired before it.
    pub with: Vec<&'static str>,
}

/// A finding.
#[derive(Serialize)]
pub struct FindingJson {
    /// Oracle name.
    pub oracle: &'static str,
    /// BUG, WARN, DATA-LOSS or HANG.
    pub severity: String,
    /// Context name.
    pub context: String,
    /// Global step number.
    pub step_no: u32,
    /// Step label.
    pub step: Option<&'static str>,
    /// Frame number, if any.
    pub frame: Option<u8>,
    /// What it mirrors in the kernel.
    pub mirrors: &'static str,
    /// One-line description.
    pub text: String,
}

/// A step.
#[derive(Serialize)]
pub struct StepJson {
    /// Global step number.
    pub step_no: u32,
    /// setup, main, injected or quiesce.
    pub phase: &'static str,
    /// Context name.
    pub context: String,
    /// Step label.
    pub step: &'static str,
    /// Frame touched.
    pub frame: Option<u8>,
    /// Its incarnation after the step.
    pub incarnation: Option<u16>,
    /// Its flags after the step.
    pub flags: Option<String>,
    /// Its refcount after the step.
    pub refcount: Option<i16>,
    /// What the step did.
    pub events: Vec<String>,
}

/// Build the document for `case`.
pub fn doc(case: &Case, title: Option<&str>) -> Doc {
    let out = replay(case);
    let names = case.names();
    let sig = signature_of(&out);
    let trace = out
        .trace
        .as_ref()
        .map(|t| t.steps.as_slice())
        .unwrap_or(&[]);
    Doc {
        schema: "pagelife-finding/1",
        title: title.map(str::to_string),
        profile: case.profile.to_string(),
        toggles: case.profile.toggles().iter().map(|t| t.id()).collect(),
        litmus: super::litmus_text(case, title),
        signature: sig.map(|s| SigJson {
            key: s.key(),
            oracle: s.oracle.name(),
            at: s.at.map(StepId::name),
            racing_step: s.racer.map(StepId::name),
            with: s.with.iter().map(|o| o.name()).collect(),
        }),
        findings: out
            .findings
            .iter()
            .map(|f| FindingJson {
                oracle: f.oracle.name(),
                severity: f.oracle.severity().to_string(),
                context: ctx_name(f.ctx, &names),
                step_no: f.step_no,
                step: f.at.step().map(StepId::name),
                frame: (f.frame != u8::MAX).then_some(f.frame),
                mirrors: f.oracle.mirrors(),
                text: finding_line(case, f),
            })
            .collect(),
        trace: trace
            .iter()
            .map(|e| StepJson {
                step_no: e.step_no,
                phase: match e.phase {
                    Phase::Setup => "setup",
                    Phase::Main => "main",
                    Phase::Injected => "injected",
                    Phase::Quiesce => "quiesce",
                },
                context: ctx_name(e.ctx, &names),
                step: e.step.name(),
                frame: e.frame,
                incarnation: e.frame_state.map(|s| s.0),
                flags: e.frame_state.map(|s| {
                    Frame {
                        flags: s.1,
                        ..Frame::EMPTY
                    }
                    .flag_string()
                }),
                refcount: e.frame_state.map(|s| s.2),
                events: e
                    .events
                    .iter()
                    .filter_map(|ev| event_text(ev, &names))
                    .collect(),
            })
            .collect(),
    }
}

/// The JSON text (pretty, deterministic).
pub fn to_json(case: &Case, title: Option<&str>) -> String {
    serde_json::to_string_pretty(&doc(case, title))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
