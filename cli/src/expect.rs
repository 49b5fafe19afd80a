//! A litmus file's `expect` line, checked: which expected oracles fired,
//! and whether the run fails for it. On the profile the file declares, an
//! expected oracle that did not fire is a failure (exit 4, [`Status::Missed`]);
//! on another profile (`--profile`) it is reported and is not: that is how a
//! fix is shown to close the race.

use pagelife_core::oracle::OracleId;

use crate::input::Loaded;
use crate::Status;

/// Expected against seen.
pub struct Verdict {
    /// The oracles the file expects.
    pub expected: Vec<OracleId>,
    /// Those of them that did not fire.
    pub missing: Vec<OracleId>,
    /// The run was on the file's own profile.
    pub own_profile: bool,
}

impl Verdict {
    /// Compare the file's `expect` with the oracles that fired.
    pub fn of(l: &Loaded, seen: &[OracleId]) -> Verdict {
        Verdict {
            expected: l.expect.clone(),
            missing: l
                .expect
                .iter()
                .copied()
                .filter(|o| !seen.contains(o))
                .collect(),
            own_profile: l.own_profile,
        }
    }

    /// The exit status: `Missed` when an expected oracle did not fire on the
    /// file's own profile, else 1 if anything fired.
    pub fn status(&self, fired: bool) -> Status {
        if self.own_profile && !self.missing.is_empty() {
            Status::Missed
        } else {
            Status::fired_if(fired)
        }
    }

    /// One line for the text output (None: the file expects nothing).
    pub fn line(&self, profile: &str) -> Option<String> {
        if self.expected.is_empty() {
            return None;
        }
        let names = |v: &[OracleId]| v.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ");
        Some(if self.missing.is_empty() {
            format!("expected {}: fired", names(&self.expected))
        } else if self.own_profile {
            format!(
                "expected {}: did NOT fire on {profile}, the file's own profile",
                names(&self.missing)
            )
        } else {
            format!(
                "expected {} (on the file's own profile): not on {profile}",
                names(&self.missing)
            )
        })
    }
}

/// Oracle names, for JSON.
pub fn names(v: &[OracleId]) -> Vec<String> {
    v.iter().map(|o| o.name().to_string()).collect()
}
