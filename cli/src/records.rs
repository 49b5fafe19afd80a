//! `--json`: one JSON object per line, for scripts and CI. Every line has
//! the [`Stamp`] fields (`pagelife`, `commit`, `format`) and a `record`
//! field naming its kind; the JSON Schema of a line is `pagelife schema`
//! (generated with `schemars`, published as `docs/records.schema.json`).

use schemars::JsonSchema;
use serde::Serialize;

use pagelife_core::case::Case;
use pagelife_core::oracle::Finding;
use pagelife_triage::facts::Facts;
use pagelife_triage::report::finding_line;
use pagelife_triage::signature::Signature;

use crate::out::{stamp, Stamp};

/// One line of `--json` output.
#[derive(Serialize, JsonSchema)]
pub struct Line {
    /// Which pagelife wrote it.
    #[serde(flatten)]
    pub stamp: Stamp,
    /// What it says.
    #[serde(flatten)]
    pub record: Record,
}

/// A finding's identity.
#[derive(Serialize, JsonSchema, Clone)]
pub struct SigInfo {
    /// Stable id (12 hex digits of the FNV-1a hash of `key`): the folder name's prefix.
    pub id: String,
    /// `oracle@step+mechanism...`.
    pub key: String,
    /// syzbot-style title: `BUG: use-after-free in folio_wake_bit`.
    pub title: String,
    /// The headline oracle.
    pub oracle: String,
    /// BUG, WARN, DATA-LOSS or HANG.
    pub severity: String,
    /// The step it fired in (null: the checks of a quiet world).
    pub at: Option<String>,
    /// Mechanism oracles that fired before it.
    pub with: Vec<String>,
    /// The last step another context took on the frame (shown, not part of the identity).
    pub racing_step: Option<String>,
}

impl SigInfo {
    /// From a signature.
    pub fn of(s: &Signature) -> SigInfo {
        SigInfo {
            id: s.id(),
            key: s.key(),
            title: s.title(),
            oracle: s.oracle.name().into(),
            severity: s.oracle.severity().to_string(),
            at: s.at.map(|a| a.name().into()),
            with: s.with.iter().map(|o| o.name().into()).collect(),
            racing_step: s.racer.map(|a| a.name().into()),
        }
    }
}

/// One oracle firing.
#[derive(Serialize, JsonSchema)]
pub struct FiringInfo {
    /// Oracle name.
    pub oracle: String,
    /// BUG, WARN, DATA-LOSS or HANG.
    pub severity: String,
    /// Global step number.
    pub step_no: u32,
    /// Step label (null for the checks of a quiet world).
    pub step: Option<String>,
    /// One-line description.
    pub text: String,
}

impl FiringInfo {
    /// From a finding of `case`.
    pub fn of(case: &Case, f: &Finding) -> FiringInfo {
        FiringInfo {
            oracle: f.oracle.name().into(),
            severity: f.oracle.severity().to_string(),
            step_no: f.step_no,
            step: f.at.step().map(|s| s.name().into()),
            text: finding_line(case, f),
        }
    }
}

/// Triage facts (see `pagelife_triage::facts`).
#[derive(Serialize, JsonSchema, Clone, Copy)]
pub struct FactsInfo {
    /// The (minimized) case fires on mainline too.
    pub also_on_mainline: bool,
    /// One task alone, with no interleaving, fires the same oracle.
    pub serial: bool,
}

impl From<Facts> for FactsInfo {
    fn from(f: Facts) -> Self {
        FactsInfo {
            also_on_mainline: f.also_on_mainline,
            serial: f.serial,
        }
    }
}

/// What a `check` searched.
#[derive(Serialize, JsonSchema)]
pub struct SearchInfo {
    /// The input file.
    pub file: String,
    /// Profile expression.
    pub profile: String,
    /// Preemption bound (255: none, `--bound inf`).
    pub bound: u8,
    /// Interleavings explored.
    pub interleavings: u64,
    /// Distinct states.
    pub states: u64,
    /// A search stopped at `--max-states`: not exhaustive.
    pub truncated: bool,
}

/// One signature `check --all` found.
#[derive(Serialize, JsonSchema)]
pub struct FoundInfo {
    /// Its identity.
    pub signature: SigInfo,
    /// The fewest preemptions that show it.
    pub preemptions: u8,
    /// That interleaving as a litmus file.
    pub litmus: String,
}

/// `verify`: one input file's race.
#[derive(Serialize, JsonSchema)]
pub struct VerifyFileInfo {
    /// The file.
    pub file: String,
    /// `closed`, `still-open` (the file's own replay or check shows it on
    /// the patched profile), `open-elsewhere` (only another way does), or
    /// `not-on-base`.
    pub verdict: String,
    /// Its race on the base (null: nothing fires there).
    pub race: Option<SigInfo>,
    /// What shows it still on the patched profile (null: closed).
    pub on_patched: Option<SigInfo>,
}

/// `verify`: a signature that is no input file's race.
#[derive(Serialize, JsonSchema)]
pub struct VerifySigInfo {
    /// Its identity.
    pub signature: SigInfo,
    /// `patched-only` (the patch adds it), `moved` (on the base its
    /// reproducer fires the same oracle at another step), `both` or
    /// `closed` (base only).
    pub class: String,
    /// A reproducer on the patched profile (patched-only signatures).
    pub litmus: Option<String>,
}

/// What a line says.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    /// `fuzz`: the run starts.
    FuzzStart {
        /// Targets fuzzed.
        targets: Vec<String>,
        /// Worker threads.
        jobs: usize,
        /// Seed.
        seed: u64,
        /// `--time`, if the run has a time limit.
        time_limit: Option<f64>,
        /// `--runs`, if the run has an execution limit.
        runs_limit: Option<u64>,
        /// The findings folder.
        out: String,
    },
    /// `fuzz`: a new finding (one per signature and run).
    FuzzFinding {
        /// Its identity.
        signature: SigInfo,
        /// Profile it fired on.
        profile: String,
        /// Seconds since the start.
        secs: f64,
        /// Executions since the start.
        exec: u64,
        /// Its folder (null if it could not be saved).
        dir: Option<String>,
        /// The reproducer files written.
        files: Vec<String>,
        /// Why it could not be saved.
        error: Option<String>,
        /// Triage facts on the minimized case (null if not computed).
        facts: Option<FactsInfo>,
    },
    /// `fuzz`: the end of the run.
    FuzzSummary {
        /// Executions in all.
        executions: u64,
        /// Seconds.
        secs: f64,
        /// Distinct findings.
        findings: usize,
        /// Findings that could not be saved.
        unsaved: usize,
        /// What stopped the run: `time`, `runs`, `first-finding`, `interrupt`, `error`.
        stopped_by: String,
    },
    /// `replay`: one run.
    Replay {
        /// The input file.
        file: String,
        /// Profile expression it ran on.
        profile: String,
        /// The filesystem the case runs on (`config fs=`; `simple` by default).
        fs: String,
        /// The signature (null: nothing fired).
        signature: Option<SigInfo>,
        /// Every firing, in order.
        findings: Vec<FiringInfo>,
        /// The step budget ran out (a livelock?).
        budget_exhausted: bool,
        /// The oracles the file `expect`s.
        expected: Vec<String>,
        /// Those of them that did not fire.
        missing: Vec<String>,
    },
    /// `check`: the exhaustive exploration.
    Check {
        /// What was searched.
        #[serde(flatten)]
        search: SearchInfo,
        /// The first violation's signature (null: none).
        violation: Option<SigInfo>,
        /// The violation as a litmus file.
        litmus: Option<String>,
        /// The oracles the file `expect`s.
        expected: Vec<String>,
        /// Those of them that did not fire in the violation.
        missing: Vec<String>,
    },
    /// `verify`: base against patched.
    Verify {
        /// The base profile.
        base: String,
        /// The patched profile.
        patched: String,
        /// `check` bound.
        bound: u8,
        /// Seconds of fuzzing on each profile.
        fuzz_secs: f64,
        /// Fuzzing executions on the base and on the patched profile.
        executions: [u64; 2],
        /// `check` interleavings on the base and on the patched profile.
        interleavings: [u64; 2],
        /// Each input file's race.
        files: Vec<VerifyFileInfo>,
        /// The other signatures.
        others: Vec<VerifySigInfo>,
        /// The patch closes every file's race and adds none (exit 0).
        passes: bool,
        /// The verdict as a paragraph for a mail.
        paragraph: String,
    },
    /// `check --all`: every distinct signature within the bound.
    CheckAll {
        /// What was searched (counts summed over the searches).
        #[serde(flatten)]
        search: SearchInfo,
        /// Each signature, fewest preemptions first.
        found: Vec<FoundInfo>,
    },
    /// `matrix`: one (file, profile) cell.
    MatrixCell {
        /// The input file.
        file: String,
        /// Profile expression.
        profile: String,
        /// Headline oracle of the replay as written (null: nothing fired).
        replay: Option<String>,
        /// Headline oracle of `check`'s violation (null: none or not run).
        check: Option<String>,
        /// `check` ran.
        checked: bool,
        /// `check` stopped at its state limit.
        check_truncated: bool,
    },
    /// `dedup`: one group of files with the same signature.
    DedupGroup {
        /// The signature.
        signature: SigInfo,
        /// Files in the group.
        count: usize,
        /// The files.
        files: Vec<String>,
        /// Triage facts on the first file's case.
        facts: FactsInfo,
    },
    /// `dedup`: the totals.
    DedupSummary {
        /// Files read.
        files: usize,
        /// Groups.
        groups: usize,
        /// Files without a finding.
        clean: usize,
    },
}

/// Print `record` as one JSON line.
pub fn emit(record: Record) {
    crate::out::json_line(&Line {
        stamp: stamp(),
        record,
    });
}

/// The JSON Schema of a line, pretty-printed.
pub fn schema() -> String {
    let s = schemars::schema_for!(Line);
    serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
}
