//! A finding as a Rust regression test: it replays the case on its profile
//! and asserts the headline finding, and asserts that nothing fires on
//! `mainline`. Paste it into `core/tests/` (or any crate depending on
//! `pagelife-core`).

use pagelife_core::case::Case;
use pagelife_core::exec::replay::replay;

use crate::signature::signature_of;

/// A Rust identifier from `s`.
fn ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "case_");
    }
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_end_matches('_').to_string()
}

/// The `#`s a raw string needs so that `text` cannot end it: one more than
/// the longest run of `#` after a `"` in `text`.
fn raw_hashes(text: &str) -> String {
    let longest = text
        .split('"')
        .skip(1)
        .map(|rest| rest.chars().take_while(|&c| c == '#').count())
        .max()
        .unwrap_or(0);
    "#".repeat(longest + 1)
}

/// `s` fit for a `//!` comment line: control characters (newlines too) as spaces.
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The test file for `case` named `name`.
pub fn rust_test(case: &Case, name: &str) -> String {
    let litmus = super::litmus_text(case, Some(name));
    let out = replay(case);
    let id = ident(name);
    let sig = signature_of(&out);
    let mut s = String::new();
    s.push_str(&format!(
        "//! Regression test exported by `pagelife explain --format rust` for `{}`.\n",
        comment_safe(name)
    ));
    // `name` goes into string literals as a Rust literal (escaped by `{:?}`).
    let lit = format!("{name:?}");
    if let Some(sig) = &sig {
        s.push_str(&format!("//! Signature: {sig}.\n"));
    }
    s.push_str("\nuse pagelife_core::exec::replay::replay;\nuse pagelife_core::litmus;\nuse pagelife_core::oracle::OracleId;\nuse pagelife_core::profile::Profile;\n\n");
    let hashes = raw_hashes(&litmus);
    s.push_str(&format!(
        "const CASE: &str = r{hashes}\"{litmus}\"{hashes};\n\n"
    ));
    match &sig {
        Some(sig) => {
            s.push_str(&format!(
                "#[test]\nfn {id}_fires_on_{prof}() {{\n    let case = litmus::parse_str(CASE, {lit}).expect(\"the litmus text parses\");\n    let out = replay(&case);\n    let want = OracleId::from_name(\"{o}\").expect(\"oracle exists\");\n    assert!(out.findings.has(want), \"{o} did not fire: {{:?}}\", out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>());\n}}\n\n",
                prof = ident(&case.profile.to_string()),
                o = sig.oracle.name()
            ));
        }
        None => {
            s.push_str(&format!(
                "#[test]\nfn {id}_is_clean_on_its_profile() {{\n    let case = litmus::parse_str(CASE, {lit}).expect(\"the litmus text parses\");\n    assert!(replay(&case).findings.is_empty());\n}}\n\n"
            ));
        }
    }
    let mut on_mainline = case.clone();
    on_mainline.profile = pagelife_core::profile::Profile::default();
    if !replay(&on_mainline).findings.is_empty() {
        s.push_str("// Note: this case also fires on mainline (an open race, or a model bug): no mainline test.
");
        return s;
    }
    s.push_str(&format!(
        "#[test]\nfn {id}_is_fixed_on_mainline() {{\n    let mut case = litmus::parse_str(CASE, {lit}).expect(\"the litmus text parses\");\n    case.profile = Profile::parse(\"mainline\").expect(\"mainline exists\");\n    let out = replay(&case);\n    assert!(out.findings.is_empty(), \"on mainline: {{:?}}\", out.findings.iter().map(|f| f.oracle).collect::<Vec<_>>());\n}}\n"
    ));
    s
}
