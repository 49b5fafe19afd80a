//! `pagelife profiles`: the named profiles and every fix toggle.

use pagelife_core::profile::{Toggle, PROFILES};

/// Print every profile with its toggles, then every toggle with its commit.
pub fn run() {
    println!("profiles:");
    for p in PROFILES {
        let ts: Vec<&str> = p.toggles.iter().map(|t| t.id()).collect();
        println!("  {:10} {}", p.name, p.about);
        println!(
            "  {:10}   toggles: {}",
            "",
            if ts.is_empty() {
                "(none)".to_string()
            } else {
                ts.join(" ")
            }
        );
    }
    println!("\ntoggles (add or remove with NAME+ID / NAME-ID, e.g. v5.8+073861ed77b6):");
    for t in Toggle::ALL {
        println!("  {:16} {}", t.id(), t.title());
    }
}
