//! `pagelife profiles`: the named profiles and every fix toggle.

use pagelife_core::profile::{Toggle, PROFILES};

use crate::width::{wrap, WIDTH};

fn print_wrapped(s: &str, first: &str, rest: &str) {
    for l in wrap(s, WIDTH, first, rest) {
        outln!("{l}");
    }
}

/// Print every profile with its toggles, then every toggle with its commit
/// subject, wrapped to 80 columns.
pub fn run() -> anyhow::Result<crate::Status> {
    outln!("profiles:");
    let pad = " ".repeat(13);
    for p in PROFILES {
        let ts: Vec<&str> = p.toggles.iter().map(|t| t.id()).collect();
        print_wrapped(p.about, &format!("  {:10} ", p.name), &pad);
        let ts = if ts.is_empty() {
            "(none)".to_string()
        } else {
            ts.join(" ")
        };
        print_wrapped(&format!("toggles: {ts}"), &pad, &format!("{pad}         "));
    }
    outln!("\ntoggles (add or remove with NAME+ID / NAME-ID, e.g. v5.8+073861ed77b6):");
    for t in Toggle::ALL {
        print_wrapped(t.title(), &format!("  {:16} ", t.id()), &" ".repeat(19));
    }
    Ok(crate::Status::Ok)
}
