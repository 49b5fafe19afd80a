//! `pagelife dedup DIR`: group findings by signature.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use pagelife_core::case::Case;
use pagelife_triage::facts::facts;
use pagelife_triage::signature::{signature, Signature};

use crate::input::load;
use crate::records::{emit, Record, SigInfo};
use crate::width::{wrap, WIDTH};
use crate::Status;

/// Group a folder of findings — litmus files, fuzzer bytes, libFuzzer
/// `crash-*` files, AFL `crashes/` folders, `pagelife fuzz` folders
/// (searched recursively) — by signature, and print one entry per group:
/// its size, whether its case also fires on mainline and whether it is
/// serial (one task alone fires it), its title and an example.
/// Exit status: 0, 2 bad input, 3 no files.
#[derive(Args, Debug)]
pub struct DedupArgs {
    /// The folder.
    pub dir: PathBuf,
    /// JSON lines (a `dedup-group` record per group, then `dedup-summary`).
    #[arg(long)]
    pub json: bool,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        // AFL's README.txt, our own temporary files and folder metadata are not findings.
        if name.starts_with("README")
            || name.contains(".tmp")
            || name.starts_with('.')
            || name == "description"
            || name.ends_with(".json")
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

/// Run the subcommand.
pub fn run(a: &DedupArgs) -> Result<Status> {
    let mut files = Vec::new();
    walk(&a.dir, &mut files)?;
    let mut groups: BTreeMap<Signature, (Case, Vec<PathBuf>)> = BTreeMap::new();
    let mut clean = 0;
    for f in &files {
        let case = load(f)?.case;
        match signature(&case) {
            Some(s) => groups
                .entry(s)
                .or_insert_with(|| (case, Vec::new()))
                .1
                .push(f.clone()),
            None => clean += 1,
        }
    }
    if files.is_empty() {
        crate::warnln!("pagelife: {}: no files, nothing to do", a.dir.display());
    }
    let status = if files.is_empty() {
        Status::Nothing
    } else {
        Status::Ok
    };
    if a.json {
        for (s, (case, fs)) in &groups {
            emit(Record::DedupGroup {
                signature: SigInfo::of(s),
                count: fs.len(),
                files: fs.iter().map(|f| f.display().to_string()).collect(),
                facts: facts(case).into(),
            });
        }
        emit(Record::DedupSummary {
            files: files.len(),
            groups: groups.len(),
            clean,
        });
        return Ok(status);
    }
    outln!(
        "{} files, {} groups, {} without a finding\n",
        files.len(),
        groups.len(),
        clean
    );
    if !groups.is_empty() {
        outln!("count  mainline  serial  title");
    }
    for (s, (case, fs)) in &groups {
        let fx = facts(case);
        let yn = |b: bool| if b { "yes" } else { "no" };
        let head = format!(
            "{:>5}  {:<8}  {:<6}  ",
            fs.len(),
            yn(fx.also_on_mainline),
            yn(fx.serial)
        );
        let pad = " ".repeat(head.len());
        for l in wrap(&s.title(), WIDTH, &head, &format!("{pad}  ")) {
            outln!("{l}");
        }
        for l in wrap(&format!("e.g. {}", fs[0].display()), WIDTH, &pad, &pad) {
            outln!("{l}");
        }
    }
    Ok(status)
}
