//! Reading a case from a file (or `-`, standard input): a litmus file, or
//! the bytes a fuzzer saved.
//!
//! `*.litmus`, and text that looks like litmus, is parsed; anything else is
//! decoded as fuzzer bytes (every byte string is a case), so crash files of
//! libFuzzer and AFL replay as they are. A file that is text but not litmus
//! (a README, a log) is decoded as bytes too, with a note on standard error
//! saying so. `--litmus` and `--bytes` force either reading.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use pagelife_core::case::Case;
use pagelife_core::codec;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

use crate::out::global;

/// A case read from a file, with what the file said about it.
pub struct Loaded {
    /// The case.
    pub case: Case,
    /// The litmus title, if it was a litmus file.
    pub title: Option<String>,
    /// The oracles a litmus file expects.
    pub expect: Vec<OracleId>,
    /// The case runs on the profile its file declares (no `--profile`, or
    /// `--profile` naming the same one).
    pub own_profile: bool,
}

/// Whether `text` looks like a litmus file (so it must parse as one).
fn looks_like_litmus(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start().trim_start_matches('\u{feff}');
        l.starts_with("profile ")
            || l.starts_with("litmus ")
            || l == "schedule:"
            || l.starts_with("task ")
    })
}

/// Whether `bytes` read as human text: UTF-8, not empty, and all of it
/// printable or whitespace (fuzzer bytes almost never are).
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let Ok(t) = std::str::from_utf8(bytes) else {
        return false;
    };
    !t.trim().is_empty()
        && t.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// The name to show for `path` (`<stdin>` for `-`).
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// The bytes of `path`, or of standard input for `-`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .context("cannot read standard input")?;
        return Ok(v);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Read `path` (see the module doc for how it is read).
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = read_bytes(path)?;
    let name = display_name(path);
    let g = global();
    let is_litmus_ext = path.extension().is_some_and(|e| e == "litmus");
    let text = std::str::from_utf8(&bytes).ok();
    let as_litmus = g.force_litmus
        || (!g.force_bytes && (is_litmus_ext || text.is_some_and(looks_like_litmus)));
    if as_litmus {
        let Some(text) = text else {
            bail!("{name}: a litmus file must be UTF-8 text")
        };
        let l = litmus::parse(text, &name)?;
        return Ok(Loaded {
            case: l.case,
            title: l.title,
            expect: l.expect,
            own_profile: true,
        });
    }
    // Fuzzer bytes start with the format version: text (a README, a
    // mistyped litmus file) is refused, not run as some random case.
    let case = codec::decode(&bytes).with_context(|| {
        if !g.force_bytes && looks_like_text(&bytes) {
            format!("{name}: text, but not a litmus file (--litmus parses it as one)")
        } else {
            format!("{name}: not a litmus file, nor pagelife case bytes")
        }
    })?;
    Ok(Loaded {
        case,
        title: None,
        expect: Vec::new(),
        own_profile: true,
    })
}

/// Load, then apply `--profile` if given.
pub fn load_with_profile(path: &Path, profile: Option<&str>) -> Result<Loaded> {
    let mut l = load(path)?;
    if let Some(p) = profile {
        let p = parse_profile(p)?;
        l.own_profile = p == l.case.profile;
        l.case.profile = p;
    }
    Ok(l)
}

/// A `--profile` expression.
pub fn parse_profile(p: &str) -> Result<Profile> {
    Profile::parse(p).with_context(|| format!("--profile {p}"))
}

/// The stem of `path` for titles (`stdin` for `-`).
pub fn stem(path: &Path, default: &str) -> String {
    if path == Path::new("-") {
        return "stdin".into();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| default.into())
}
