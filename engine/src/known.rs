//! The races each fuzz target already knows: signature keys
//! ([`Signature::key`]) listed in `corpus/known/<target>.txt`, made by
//! `scripts/gen-known.sh` from the corpus litmus files and seeded runs of
//! the built-in engine. A cargo-fuzz or AFL++ target reports a known race
//! once, to stderr, and goes on: a continuous fuzzing service (OSS-Fuzz,
//! ClusterFuzzLite) then files only what is new, as syzkaller's dashboard
//! does not file a crash whose title it has. `PAGELIFE_CRASH_ON_KNOWN=1`
//! crashes on them too (the benchmark, a local hunt for one race).
//!
//! A line is a key, or a key and the filesystem it is known on
//! (`stale-read@copy_folio_to_iter fs=gfs2`): the mainline list qualifies
//! its keys so that a known gfs2 race does not hide the same oracle at the
//! same step on another filesystem, which would be new.
//!
//! [`Signature::key`]: pagelife_triage::signature::Signature::key

use std::sync::{Mutex, OnceLock};

use pagelife_core::world::Fs;

use crate::target::Target;

fn list(target: Target) -> &'static str {
    match target {
        Target::Writeback => include_str!("../../corpus/known/writeback.txt"),
        Target::Migration => include_str!("../../corpus/known/migration.txt"),
        Target::Iomap => include_str!("../../corpus/known/iomap.txt"),
        Target::Mainline => include_str!("../../corpus/known/mainline.txt"),
        Target::Lifecycle => include_str!("../../corpus/known/lifecycle.txt"),
        Target::Mappings => include_str!("../../corpus/known/mappings.txt"),
    }
}

/// The known keys of `target`, in file order (comments and blank lines skipped).
pub fn keys(target: Target) -> impl Iterator<Item = &'static str> {
    list(target)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Whether `key`, found on filesystem `fs`, is a known race of `target`:
/// a line of its list names the key alone or the key with `fs=NAME`. The
/// racy targets (every one but `mainline`) share their lists: they all run
/// kernels from before the fixes, and a race one of them knows is the same
/// race on another.
pub fn is_known(target: Target, key: &str, fs: Fs) -> bool {
    let racy = |t: Target| t.racy();
    Target::ALL
        .iter()
        .filter(|&&t| t == target || (racy(t) && racy(target)))
        .any(|&t| keys(t).any(|line| matches(line, key, fs)))
}

/// Whether a list line (`KEY` or `KEY fs=NAME`) covers `key` on `fs`.
fn matches(line: &str, key: &str, fs: Fs) -> bool {
    let mut words = line.split_whitespace();
    if words.next() != Some(key) {
        return false;
    }
    words.all(|w| w.strip_prefix("fs=").is_some_and(|n| n == fs.name()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qualified_line_covers_its_filesystem_only() {
        let line = "stale-read@copy_folio_to_iter fs=gfs2";
        assert!(matches(line, "stale-read@copy_folio_to_iter", Fs::Gfs2));
        assert!(!matches(line, "stale-read@copy_folio_to_iter", Fs::Ext4));
        assert!(!matches(line, "stale-read", Fs::Gfs2));
        assert!(matches(
            "use-after-free@folio_unlock",
            "use-after-free@folio_unlock",
            Fs::Xfs
        ));
    }
}
