//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use pagelife_core::case::Case;
use pagelife_core::litmus::{self, Litmus};
use pagelife_core::profile::Profile;

/// The repository's corpus/litmus folder.
pub fn litmus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/litmus")
}

/// Parse a litmus file from the corpus.
pub fn load(name: &str) -> Litmus {
    let p = litmus_dir().join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    litmus::parse(&text, &p.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Parse a litmus text.
pub fn case(text: &str) -> Case {
    litmus::parse_str(text, "test").unwrap_or_else(|e| panic!("{e}"))
}

/// The same case on another profile.
pub fn on(c: &Case, profile: &str) -> Case {
    let mut c = c.clone();
    c.profile = Profile::parse(profile).unwrap();
    c
}

/// xorshift64*: a deterministic generator for tests (core has no randomness).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = (self.next_u64() % (max as u64 + 1)) as usize;
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
    /// Random case bytes: the format version, then up to `max` random bytes.
    pub fn case_bytes(&mut self, max: usize) -> Vec<u8> {
        let mut b = vec![pagelife_core::codec::FORMAT_VERSION];
        b.extend(self.bytes(max));
        b
    }
}

/// `check` to bound 3: the violation, if any, as text.
pub fn check3(c: &pagelife_core::case::Case) -> Option<String> {
    let opts = pagelife_core::exec::check::CheckOptions {
        bound: 3,
        ..Default::default()
    };
    pagelife_core::exec::check::check(c, opts)
        .violation
        .map(|v| format!("{v:?}"))
}

/// The steps of a clean run of `c` (no finding), and its notes.
pub fn run(c: &Case) -> (Vec<pagelife_core::step::StepId>, Vec<&'static str>) {
    let out = pagelife_core::exec::replay::replay(c);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let (mut steps, mut notes) = (Vec::new(), Vec::new());
    for e in out.trace.expect("trace").steps {
        steps.push(e.step);
        for ev in e.events {
            if let pagelife_core::trace::Event::Note(n) | pagelife_core::trace::Event::Bail(n) = ev
            {
                notes.push(n);
            }
        }
    }
    (steps, notes)
}

/// How many times step `id` is in `s`.
pub fn count(s: &[pagelife_core::step::StepId], id: pagelife_core::step::StepId) -> usize {
    s.iter().filter(|&&x| x == id).count()
}
