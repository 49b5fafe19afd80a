//! Reading a case from a file: a litmus file, or the bytes a fuzzer saved.

use std::path::Path;

use anyhow::{bail, Context, Result};
use pagelife_core::case::Case;
use pagelife_core::codec;
use pagelife_core::litmus;
use pagelife_core::oracle::OracleId;
use pagelife_core::profile::Profile;

/// A case read from a file, with what the file said about it.
pub struct Loaded {
    /// The case.
    pub case: Case,
    /// The litmus title, if it was a litmus file.
    pub title: Option<String>,
    /// The oracles a litmus file expects.
    pub expect: Vec<OracleId>,
    /// Whether it was a litmus file.
    #[allow(dead_code)]
    pub litmus: bool,
}

/// Whether `text` looks like a litmus file (so it must parse as one).
fn looks_like_litmus(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("profile ")
            || l.starts_with("litmus ")
            || l == "schedule:"
            || l.starts_with("task ")
    })
}

/// Read `path`: `*.litmus` (or text that looks like litmus) is parsed,
/// anything else is decoded as fuzzer bytes.
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_litmus_ext = path.extension().is_some_and(|e| e == "litmus");
    let text = std::str::from_utf8(&bytes).ok();
    if is_litmus_ext || text.is_some_and(looks_like_litmus) {
        let Some(text) = text else {
            bail!("{}: a litmus file must be UTF-8 text", path.display())
        };
        let l = litmus::parse(text, &path.display().to_string())?;
        return Ok(Loaded {
            case: l.case,
            title: l.title,
            expect: l.expect,
            litmus: true,
        });
    }
    let case = codec::decode(&bytes).with_context(|| {
        format!(
            "{}: not a litmus file, nor pagelife case bytes",
            path.display()
        )
    })?;
    Ok(Loaded {
        case,
        title: None,
        expect: Vec::new(),
        litmus: false,
    })
}

/// Load, then apply `--profile` if given.
pub fn load_with_profile(path: &Path, profile: Option<&str>) -> Result<Loaded> {
    let mut l = load(path)?;
    if let Some(p) = profile {
        l.case.profile = Profile::parse(p).with_context(|| format!("--profile {p}"))?;
    }
    Ok(l)
}
