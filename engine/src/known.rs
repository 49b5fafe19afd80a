//! The races each fuzz target already knows: signature keys
//! ([`Signature::key`]) listed in `corpus/known/<target>.txt`, made by
//! `scripts/gen-known.sh` from the corpus litmus files and seeded runs of
//! the built-in engine. A cargo-fuzz or AFL++ target reports a known race
//! once, to stderr, and goes on: a continuous fuzzing service (OSS-Fuzz,
//! ClusterFuzzLite) then files only what is new, as syzkaller's dashboard
//! does not file a crash whose title it has. `PAGELIFE_CRASH_ON_KNOWN=1`
//! crashes on them too (the benchmark, a local hunt for one race).
//!
//! [`Signature::key`]: pagelife_triage::signature::Signature::key

use std::sync::{Mutex, OnceLock};

use crate::target::Target;

fn list(target: Target) -> &'static str {
    match target {
        Target::Writeback => include_str!("../../corpus/known/writeback.txt"),
        Target::Migration => include_str!("../../corpus/known/migration.txt"),
        Target::Iomap => include_str!("../../corpus/known/iomap.txt"),
        Target::Mainline => include_str!("../../corpus/known/mainline.txt"),
    }
}

/// The known keys of `target`, in file order (comments and blank lines skipped).
pub fn keys(target: Target) -> impl Iterator<Item = &'static str> {
    list(target)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Whether `key` is a known race of `target`. The racy targets (every one
/// but `mainline`) share their lists: they all run kernels from before the
/// fixes, and a race one of them knows is the same race on another.
pub fn is_known(target: Target, key: &str) -> bool {
    let racy = |t: Target| t != Target::Mainline;
    Target::ALL
        .iter()
        .filter(|&&t| t == target || (racy(t) && racy(target)))
        .any(|&t| keys(t).any(|k| k == key))
}

/// Whether known races crash as well (`PAGELIFE_CRASH_ON_KNOWN` set and not `0`).
pub fn crash_on_known() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PAGELIFE_CRASH_ON_KNOWN").is_some_and(|v| v != "0"))
}

/// Say on stderr, the first time only, that a known race was found.
pub fn note_known(target: Target, key: &str, profile: &str) {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if seen.iter().any(|k| k == key) {
        return;
    }
    seen.push(key.to_string());
    eprintln!(
        "pagelife: known race of the {} target on {profile}: {key} (not a crash; \
         PAGELIFE_CRASH_ON_KNOWN=1 crashes on it)",
        target.name()
    );
}
