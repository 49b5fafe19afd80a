//! Export of a finding in the forms a kernel developer uses: the table
//! ([`crate::table`]), a litmus file, JSON, a Rust regression test, an SVG
//! timeline, a C program for a real kernel. Each is a pure function of the case: the same input gives the
//! same bytes.

pub mod c;
pub mod json;
pub mod rust_test;
pub mod svg;

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;
use pagelife_core::exec::schedule::label_schedule;
use pagelife_core::litmus;

use crate::report::finding_line;

/// The case as a litmus file, schedule labelled with step names, findings as comments.
pub fn litmus_text(case: &Case, title: Option<&str>) -> String {
    let mut c = case.clone();
    c.schedule = label_schedule(case);
    let out = replay(&c);
    let expect: Vec<_> = out.findings.story().map(|f| f.oracle).collect();
    // Each comment wrapped so that `# ` and it fit 80 columns.
    let comments: Vec<String> = out
        .findings
        .iter()
        .map(|f| crate::table::wrap(&finding_line(&c, f), 78).join("\n"))
        .collect();
    litmus::print(&c, title, &expect, &comments)
}
