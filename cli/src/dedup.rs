//! `pagelife dedup DIR`: group findings by signature.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use pagelife_triage::signature::{signature, Signature};

use crate::input::load;

/// Group a folder of findings — litmus files, fuzzer bytes, libFuzzer
/// `crash-*` files, AFL `crashes/` folders (searched recursively) — by
/// signature, and print one line per group with its size and an example.
#[derive(Args, Debug)]
pub struct DedupArgs {
    /// The folder.
    pub dir: PathBuf,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            // AFL's README.txt and our own temporary files are not findings.
            if name.starts_with("README") || name.contains(".tmp") || name.starts_with('.') {
                continue;
            }
            out.push(p);
        }
    }
    Ok(())
}

/// Run the subcommand; returns whether any file has a finding.
pub fn run(a: &DedupArgs) -> Result<bool> {
    let mut files = Vec::new();
    walk(&a.dir, &mut files)?;
    let mut groups: BTreeMap<Signature, Vec<PathBuf>> = BTreeMap::new();
    let mut clean = 0;
    for f in &files {
        match signature(&load(f)?.case) {
            Some(s) => groups.entry(s).or_default().push(f.clone()),
            None => clean += 1,
        }
    }
    println!(
        "{} files, {} groups, {} without a finding\n",
        files.len(),
        groups.len(),
        clean
    );
    for (s, fs) in &groups {
        println!("{:>5}  {}\n       e.g. {}", fs.len(), s, fs[0].display());
    }
    Ok(!groups.is_empty())
}
