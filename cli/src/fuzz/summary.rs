//! What `pagelife fuzz` prints: a header, a line per new finding and a
//! progress spinner while it runs (the spinner only on a terminal; the
//! lines as plain lines when there is none), and the table at the end —
//! or, with `--json`, one record for each of those.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pagelife_core::profile::Profile;

use super::jobs::Row;
use super::{FuzzArgs, Plan, Shared, Stop};
use crate::out::progress_allowed;
use crate::records::{emit, FactsInfo, Record, SigInfo};
use crate::width::{toggle_legend, wrap, WIDTH};
use crate::Status;

/// Where the run's lines go.
pub struct Log {
    bar: Option<ProgressBar>,
    json: bool,
}

impl Log {
    /// Print the header (a `fuzz-start` record with `--json`).
    pub fn new(a: &FuzzArgs, plan: &Plan) -> Log {
        let bar = progress_allowed().then(|| {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb
        });
        let log = Log { bar, json: a.json };
        let names: Vec<String> = plan.targets.iter().map(|t| t.name().to_string()).collect();
        if a.json {
            emit(Record::FuzzStart {
                targets: names,
                jobs: plan.jobs,
                seed: a.seed,
                time_limit: plan.time,
                runs_limit: (a.runs > 0).then_some(a.runs),
                out: a.out.display().to_string(),
            });
        } else if !crate::out::global().quiet {
            let limit = match (plan.time, a.runs) {
                (Some(t), 0) => format!("up to {t}s"),
                (Some(t), n) => format!("up to {t}s or {n} runs"),
                (None, n) => format!("up to {n} runs"),
            };
            log.line(&format!(
                "pagelife fuzz: targets {} · {} job(s) · seed {} · {limit} · findings in {}",
                names.join(", "),
                plan.jobs,
                a.seed,
                a.out.display()
            ));
        }
        log
    }

    /// A line above the spinner, or a plain line on standard output.
    fn line(&self, s: &str) {
        let body = s.trim_start();
        let lead = &s[..s.len() - body.len()];
        for l in wrap(body, WIDTH, lead, &format!("{lead}    ")) {
            match &self.bar {
                Some(pb) => pb.println(l),
                None => outln!("{l}"),
            }
        }
    }

    /// Report a new finding (saved or not).
    pub fn new_finding(&self, r: &Row) {
        if self.json {
            emit(finding_record(r));
            return;
        }
        self.line(&format!(
            "{:7.2}s NEW [{}] {}",
            r.first_secs,
            r.profile,
            r.sig.title()
        ));
        match (&r.saved, &r.error) {
            (Some(s), _) => self.line(&format!("    → {}", s.litmus.display())),
            (None, Some(e)) => self.line(&format!("    NOT SAVED: {e}")),
            (None, None) => {}
        }
    }

    /// The spinner, on the calling thread, until the run stops.
    pub fn progress_until_stopped(&self, a: &FuzzArgs, plan: &Plan, shared: &Shared) {
        while !shared.stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            if plan.deadline.is_some_and(|d| Instant::now() >= d) {
                shared.stop(Stop::Time);
            }
            if a.runs > 0 && shared.execs.load(Ordering::Relaxed) >= a.runs {
                shared.stop(Stop::Runs);
            }
            if let Some(pb) = &self.bar {
                let e = shared.execs.load(Ordering::Relaxed);
                let el = shared.start.elapsed().as_secs_f64().max(1e-9);
                let nf = shared.rows.lock().map(|g| g.len()).unwrap_or(0);
                pb.set_message(format!(
                    "{e} execs · {:.0}/s · {} interleaving features · {nf} findings",
                    e as f64 / el,
                    shared.features.load(Ordering::Relaxed)
                ));
                pb.tick();
            }
        }
    }

    /// Remove the spinner.
    pub fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

fn finding_record(r: &Row) -> Record {
    Record::FuzzFinding {
        signature: SigInfo::of(&r.sig),
        profile: r.profile.clone(),
        secs: r.first_secs,
        exec: r.first_exec,
        dir: r.saved.as_ref().map(|s| s.dir.display().to_string()),
        files: r
            .saved
            .iter()
            .flat_map(|s| s.files.iter().map(|f| f.display().to_string()))
            .collect(),
        error: r.error.clone(),
        facts: r.facts.map(FactsInfo::from),
    }
}

fn stopped_by(why: Stop, plan: &Plan, a: &FuzzArgs) -> String {
    match why {
        Stop::Time => format!("the time limit ({} s)", plan.time.unwrap_or(0.0)),
        Stop::Runs => format!("the execution limit ({} runs)", a.runs),
        Stop::FirstFinding => "the first finding (--stop-on-first)".into(),
        Stop::Interrupt => "Ctrl-C".into(),
        Stop::Error => "an error".into(),
        Stop::Running => "the end".into(),
    }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

/// The table: per finding a line of numbers, its title, where it is.
fn table(rows: &[Row]) {
    outln!(
        "{:>3}  {:<9} {:>8} {:>10} {:>7}  {:<8} {}",
        "#",
        "severity",
        "first s",
        "first exec",
        "count",
        "mainline",
        "serial"
    );
    for (i, r) in rows.iter().enumerate() {
        outln!(
            "{:>3}  {:<9} {:>8.2} {:>10} {:>7}  {:<8} {}",
            i + 1,
            r.sig.oracle.severity().to_string(),
            r.first_secs,
            r.first_exec,
            r.count,
            yes_no(r.facts.map(|f| f.also_on_mainline)),
            yes_no(r.facts.map(|f| f.serial)),
        );
        for l in wrap(&r.sig.title(), WIDTH, "     ", "       ") {
            outln!("{l}");
        }
        let place = match (&r.saved, &r.error) {
            (Some(s), _) => format!("on {} → {}", r.profile, s.litmus.display()),
            (None, Some(e)) => format!("on {}: NOT SAVED: {e}", r.profile),
            (None, None) => format!("on {}: NOT SAVED (the run stopped first)", r.profile),
        };
        for l in wrap(&place, WIDTH, "     ", "       ") {
            outln!("{l}");
        }
    }
    let profiles: Vec<Profile> = rows
        .iter()
        .filter_map(|r| Profile::parse(&r.profile).ok())
        .collect();
    let legend = toggle_legend(&profiles, WIDTH);
    if !legend.is_empty() {
        outln!();
        for l in legend {
            outln!("{l}");
        }
    }
    outln!(
        "\nmainline: the minimized case fires on mainline too; serial: one task alone,\nwith no interleaving, fires it."
    );
}

/// Print the summary and table (or the `fuzz-summary` record); the status.
pub fn report(a: &FuzzArgs, plan: &Plan, shared: &Shared) -> Result<Status> {
    let e = shared.execs.load(Ordering::Relaxed);
    let el = shared.start.elapsed().as_secs_f64();
    let rows = std::mem::take(&mut *shared.rows.lock().unwrap_or_else(|p| p.into_inner()));
    let errors = std::mem::take(&mut *shared.errors.lock().unwrap_or_else(|p| p.into_inner()));
    let unsaved = rows.iter().filter(|r| r.saved.is_none()).count();
    let why = shared.reason();
    if a.json {
        emit(Record::FuzzSummary {
            executions: e,
            secs: el,
            findings: rows.len(),
            unsaved,
            stopped_by: why.name().into(),
        });
    } else {
        let head = format!(
            "{e} executions in {el:.1}s ({:.0}/s), {} distinct findings{}; stopped by {}",
            e as f64 / el.max(1e-9),
            rows.len(),
            if unsaved > 0 {
                format!(", {unsaved} NOT SAVED")
            } else {
                String::new()
            },
            stopped_by(why, plan, a)
        );
        outln!();
        for l in wrap(&head, WIDTH, "", "") {
            outln!("{l}");
        }
        outln!();
        if !rows.is_empty() {
            table(&rows);
        }
        if let Some(r) = rows.iter().find_map(|r| r.saved.as_ref()) {
            outln!("\nreplay any of them:");
            outln!("  pagelife replay {}", r.litmus.display());
        }
    }
    if !errors.is_empty() {
        return Err(anyhow!(
            "{} error(s); the first: {}{}",
            errors.len(),
            errors[0],
            if unsaved > 0 {
                format!(" ({unsaved} finding(s) not saved, listed above)")
            } else {
                String::new()
            }
        ));
    }
    Ok(Status::fired_if(!rows.is_empty()))
}
