//! `verify`'s report: a block per file, the other signatures, a paragraph
//! for the mail, and the reproducers of what is still open or new; or one
//! JSON `verify` record.

use pagelife_core::exec::replay::replay;
use pagelife_core::litmus;
use pagelife_triage::signature::Signature;

use super::evidence::{Evidence, Side};
use super::{Class, FileVerdict, Verification};
use crate::check::comment_lines;
use crate::out::stamp_line;
use crate::records::{emit, Record, SigInfo, VerifyFileInfo, VerifySigInfo};
use crate::width::{wrap, WIDTH};

/// Print `line` wrapped to 80 columns after `first`, continuing after `rest`.
fn put(first: &str, line: &str, rest: &str) {
    for l in wrap(line, WIDTH, first, rest) {
        outln!("{l}");
    }
}

fn hows(e: &Evidence) -> String {
    let mut w: Vec<&str> = Vec::new();
    for h in &e.how {
        if !w.contains(&h.word()) {
            w.push(h.word());
        }
    }
    w.join(", ")
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn searched(v: &Verification, s: &Side) -> String {
    format!(
        "check bound {}: {} interleavings; {:.0} s of neighbourhood fuzzing: {} executions",
        v.opts.bound,
        thousands(s.interleavings),
        v.secs,
        thousands(s.execs)
    )
}

fn stem(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.strip_suffix(".litmus").unwrap_or(base)
}

fn file_block(v: &Verification, i: usize) {
    let (b, p) = (v.base.profile, v.patched.profile);
    let (word, race, now) = match &v.files[i] {
        FileVerdict::NotOnBase => ("NOT ON BASE", None, None),
        FileVerdict::Closed(s) => ("CLOSED", Some(s), None),
        FileVerdict::StillOpen(s, t) => ("STILL OPEN", Some(s), Some(t)),
        FileVerdict::OpenElsewhere(s, t) => ("OPEN ELSEWHERE", Some(s), Some(t)),
    };
    outln!(
        "{:<w$} {word}",
        v.names[i],
        w = WIDTH.saturating_sub(word.len() + 1)
    );
    match race {
        None => put(
            "  ",
            &format!("on {b}: nothing fires (replay, check)"),
            "    ",
        ),
        Some(s) => put(
            "  ",
            &format!("race on {b}: {} ({})", s.key(), evid(&v.base, s)),
            "    ",
        ),
    }
    match (race, now) {
        (_, Some(t)) => put(
            "  ",
            &format!("on {p}: {} ({})", t.key(), evid(&v.patched, t)),
            "    ",
        ),
        (Some(_), None) => put(
            "  ",
            &format!("on {p}: not found ({})", searched(v, &v.patched)),
            "    ",
        ),
        (None, None) => {}
    }
}

fn evid(s: &Side, sig: &Signature) -> String {
    s.get(sig).map_or_else(String::new, hows)
}

fn others_block(v: &Verification) {
    if v.others.is_empty() {
        return;
    }
    outln!();
    outln!("other signatures");
    for (s, c) in &v.others {
        let (word, side) = match c {
            Class::PatchedOnly => ("patched-only", &v.patched),
            Class::Both => ("both", &v.patched),
            Class::Elsewhere => ("moved", &v.patched),
            Class::Closed => ("closed", &v.base),
        };
        put(
            &format!("  {word:<13} "),
            &format!("{} ({})", s.key(), evid(side, s)),
            "                ",
        );
    }
}

/// The paragraph for the mail.
pub fn paragraph(v: &Verification) -> String {
    let list = |f: &dyn Fn(&FileVerdict) -> bool| -> Vec<&str> {
        v.files
            .iter()
            .zip(&v.names)
            .filter(|(f2, _)| f(f2))
            .map(|(_, n)| stem(n))
            .collect()
    };
    let join = |v: Vec<&str>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let closed = list(&|f| matches!(f, FileVerdict::Closed(_)));
    let mut open: Vec<String> = Vec::new();
    for (f, n) in v.files.iter().zip(&v.names) {
        match f {
            FileVerdict::StillOpen(_, t) => open.push(format!("{} ({})", stem(n), t.key())),
            FileVerdict::OpenElsewhere(_, t) => open.push(format!(
                "{} (its interleaving is closed, but {} is reachable another way)",
                stem(n),
                t.key()
            )),
            _ => {}
        }
    }
    let added: Vec<String> = v
        .others
        .iter()
        .filter(|(_, c)| *c == Class::PatchedOnly)
        .map(|(s, _)| s.key())
        .collect();
    let mut p = format!(
        "{} against {}: closes {} ({} on {}, none); still open: {}; patched-only: {}.",
        v.patched.profile,
        v.base.profile,
        join(closed),
        searched(v, &v.patched),
        v.patched.profile,
        if open.is_empty() {
            "none".into()
        } else {
            open.join(", ")
        },
        if added.is_empty() {
            "none".into()
        } else {
            added.join(", ")
        },
    );
    let not_on_base = list(&|f| matches!(f, FileVerdict::NotOnBase));
    if !not_on_base.is_empty() {
        p.push_str(&format!(
            " Nothing fires on {} for {}.",
            v.base.profile,
            join(not_on_base)
        ));
    }
    p
}

/// The reproducers a reviewer needs: what is still open, what the patch adds.
fn reproducers(v: &Verification) -> Vec<(String, String)> {
    let mut want: Vec<&Signature> = v
        .files
        .iter()
        .filter_map(|f| match f {
            FileVerdict::StillOpen(_, t) | FileVerdict::OpenElsewhere(_, t) => Some(t),
            _ => None,
        })
        .collect();
    want.extend(
        v.others
            .iter()
            .filter(|(_, c)| *c == Class::PatchedOnly)
            .map(|(s, _)| s),
    );
    want.dedup();
    want.iter()
        .filter_map(|s| v.patched.get(s))
        .map(|e| {
            let r = replay(&e.case);
            let expect: Vec<_> = r.findings.story().map(|f| f.oracle).collect();
            let comments = comment_lines(&[
                stamp_line(),
                format!(
                    "found by pagelife verify on {} ({})",
                    v.patched.profile,
                    hows(e)
                ),
                format!("signature: {}", e.sig.key()),
            ]);
            (
                e.sig.key(),
                litmus::print(&e.case, Some("verify"), &expect, &comments),
            )
        })
        .collect()
}

/// Print the report (or the JSON record).
pub fn print(v: &Verification, json: bool) {
    let repros = reproducers(v);
    if json {
        emit(record(v, &repros));
        return;
    }
    put(
        "",
        &format!(
            "pagelife verify: base {}, patched {} (check bound {}; {:.0} s of fuzzing on each)",
            v.base.profile, v.patched.profile, v.opts.bound, v.secs
        ),
        "  ",
    );
    outln!();
    for i in 0..v.files.len() {
        file_block(v, i);
    }
    others_block(v);
    outln!();
    put("", &paragraph(v), "");
    for (key, text) in &repros {
        outln!();
        put(
            "",
            &format!("reproducer of {key} on {}:", v.patched.profile),
            "  ",
        );
        out!("{text}");
    }
}

fn record(v: &Verification, repros: &[(String, String)]) -> Record {
    let files = v
        .files
        .iter()
        .zip(&v.names)
        .map(|(f, n)| {
            let (verdict, race, now) = match f {
                FileVerdict::NotOnBase => ("not-on-base", None, None),
                FileVerdict::Closed(s) => ("closed", Some(s), None),
                FileVerdict::StillOpen(s, t) => ("still-open", Some(s), Some(t)),
                FileVerdict::OpenElsewhere(s, t) => ("open-elsewhere", Some(s), Some(t)),
            };
            VerifyFileInfo {
                file: n.clone(),
                verdict: verdict.into(),
                race: race.map(SigInfo::of),
                on_patched: now.map(SigInfo::of),
            }
        })
        .collect();
    let others = v
        .others
        .iter()
        .map(|(s, c)| VerifySigInfo {
            signature: SigInfo::of(s),
            class: match c {
                Class::PatchedOnly => "patched-only",
                Class::Both => "both",
                Class::Elsewhere => "moved",
                Class::Closed => "closed",
            }
            .into(),
            litmus: repros
                .iter()
                .find(|(k, _)| *k == s.key())
                .map(|(_, t)| t.clone()),
        })
        .collect();
    Record::Verify {
        base: v.base.profile.to_string(),
        patched: v.patched.profile.to_string(),
        bound: v.opts.bound,
        fuzz_secs: v.secs,
        executions: [v.base.execs, v.patched.execs],
        interleavings: [v.base.interleavings, v.patched.interleavings],
        files,
        others,
        passes: v.passes(),
        paragraph: paragraph(v),
    }
}
