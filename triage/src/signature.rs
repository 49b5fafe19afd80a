//! Finding signatures: what makes two findings the same bug.
//!
//! A signature is the run's headline oracle (see
//! [`pagelife_core::oracle::Findings::headline`]), the step it fired in, and
//! the *mechanism* oracles that fired before it in the same run — a wakeup
//! that crossed incarnations, a frame freed under writeback, a waiter that
//! returned with PG_writeback set — because a `writeback-after-wait` reached
//! through a leaked wakeup of a reused page is not the same race as one
//! without. Step labels and oracle names only: no context names, step
//! numbers or seeds, so it is stable across seeds and schedule changes.
//!
//! The *racing step* — the last step another context took on the same frame
//! before the oracle fired — is reported with the signature but is not part
//! of its identity: in fuzzer findings it varies with whatever the other
//! task happened to be doing, and would split one race into many groups.

use std::fmt;

use pagelife_core::case::Case;
use pagelife_core::exec::replay::{replay, Outcome};
use pagelife_core::oracle::{Findings, OracleId, Severity};
use pagelife_core::step::StepId;
use pagelife_core::trace::Phase;

/// The identity of a finding.
#[derive(Clone, Debug)]
pub struct Signature {
    /// The headline oracle.
    pub oracle: OracleId,
    /// The step it fired in (`None` for the checks of a quiet world).
    pub at: Option<StepId>,
    /// The last step another context took on the frame before it (shown, not compared).
    pub racer: Option<StepId>,
    /// Mechanism oracles that fired before it in the same run, sorted.
    pub with: Vec<OracleId>,
}

impl Signature {
    /// The identity as one line: `oracle@step+mechanism+...`.
    pub fn key(&self) -> String {
        let mut k = self.oracle.name().to_string();
        if let Some(a) = self.at {
            k.push('@');
            k.push_str(a.name());
        }
        for w in &self.with {
            k.push('+');
            k.push_str(w.name());
        }
        k
    }
}

impl Signature {
    /// A syzbot-style one-line title: `BUG: use-after-free in folio_wake_bit`,
    /// `WARNING: …`, `DATA LOSS: …`, `INFO: task hung: …`; the mechanism
    /// oracles follow in parentheses. Used in tables, JSON and the
    /// `description` file of a finding's folder.
    pub fn title(&self) -> String {
        let prefix = match self.oracle.severity() {
            Severity::Bug => "BUG",
            Severity::Warn => "WARNING",
            Severity::DataLoss => "DATA LOSS",
            Severity::Hang => "INFO: task hung",
        };
        let mut t = format!("{prefix}: {}", self.oracle.name());
        match self.at {
            Some(a) => {
                t.push_str(" in ");
                t.push_str(a.name());
            }
            None => t.push_str(" once quiet"),
        }
        if !self.with.is_empty() {
            let w: Vec<&str> = self.with.iter().map(|o| o.name()).collect();
            t.push_str(&format!(" (with {})", w.join(", ")));
        }
        t
    }

    /// A stable id: the first 12 hex digits of the 64-bit FNV-1a hash of
    /// [`Signature::key`]. The same signature has the same id in every run
    /// and every build (as long as oracle and step names stay), so findings
    /// can be filed under it the way syzkaller files crashes under a hash of
    /// their title.
    pub fn id(&self) -> String {
        format!("{:016x}", fnv1a64(self.key().as_bytes()))[..12].to_string()
    }
}

/// The 64-bit FNV-1a hash: simple, stable, independent of the standard
/// library's (randomized, unspecified) hashers.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl PartialEq for Signature {
    fn eq(&self, o: &Self) -> bool {
        self.oracle == o.oracle && self.at == o.at && self.with == o.with
    }
}

impl Eq for Signature {}

impl std::hash::Hash for Signature {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.oracle, self.at, &self.with).hash(h)
    }
}

impl PartialOrd for Signature {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Signature {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.oracle, self.at, &self.with).cmp(&(o.oracle, o.at, &o.with))
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.oracle.name())?;
        if let Some(a) = self.at {
            write!(f, " in {}", a.name())?;
        }
        if !self.with.is_empty() {
            let w: Vec<&str> = self.with.iter().map(|o| o.name()).collect();
            write!(f, " (with {})", w.join(", "))?;
        }
        if let Some(r) = self.racer {
            write!(f, "; racing step {}", r.name())?;
        }
        Ok(())
    }
}

/// The signature of a run's findings (no racing step: that needs the trace).
pub fn signature_of_findings(findings: &Findings) -> Option<Signature> {
    let h = *findings.headline()?;
    let mut with: Vec<OracleId> = findings
        .story()
        .filter(|f| f.oracle != h.oracle && f.step_no <= h.step_no && f.oracle.mechanism())
        .map(|f| f.oracle)
        .collect();
    with.sort();
    with.dedup();
    Some(Signature {
        oracle: h.oracle,
        at: h.at.step(),
        racer: None,
        with,
    })
}

/// The signature of a run that kept its trace (with its racing step); `None` if nothing fired.
pub fn signature_of(out: &Outcome) -> Option<Signature> {
    let mut sig = signature_of_findings(&out.findings)?;
    let h = *out.findings.headline()?;
    if let (Some(t), true) = (&out.trace, h.frame != u8::MAX) {
        sig.racer = t
            .steps
            .iter()
            .rev()
            .filter(|e| e.step_no < h.step_no && e.ctx != h.ctx && e.phase == Phase::Main)
            .find(|e| e.frame == Some(h.frame))
            .map(|e| e.step);
    }
    Some(sig)
}

/// Replay `case` and return its signature; `None` if nothing fired.
pub fn signature(case: &Case) -> Option<Signature> {
    signature_of(&replay(case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_title_are_stable() {
        let s = Signature {
            oracle: OracleId::StaleDma,
            at: StepId::ALL
                .iter()
                .copied()
                .find(|s| s.name() == "dma_transfer"),
            racer: None,
            with: vec![],
        };
        assert_eq!(s.key(), "stale-dma@dma_transfer");
        // FNV-1a 64 of the key: fixed forever (folder names depend on it).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(s.id().len(), 12);
        assert_eq!(s.title(), "DATA LOSS: stale-dma in dma_transfer");
    }
}
