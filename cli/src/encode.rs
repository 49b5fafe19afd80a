//! `pagelife encode`: litmus files to the byte form fuzzers read (seed corpora).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use pagelife_core::codec;

use crate::input::load_with_profile;

/// Write each case as fuzzer bytes (`OUT/<stem>.bin`), checking that the
/// bytes decode back to the same case.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// Litmus (or byte) files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Put every case on this profile first.
    #[arg(long)]
    pub profile: Option<String>,
}

/// Run the subcommand.
pub fn run(a: &EncodeArgs) -> Result<crate::Status> {
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    for f in &a.files {
        let l = load_with_profile(f, a.profile.as_deref())?;
        if !codec::fits(&l.case) {
            bail!(
                "{}: the case is beyond the byte encoding's limits",
                f.display()
            );
        }
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "case".into());
        let out = a.out.join(format!("{stem}.bin"));
        crate::store::write_replace(&out, &codec::encode(&l.case))?;
        outln!("{} -> {}", f.display(), out.display());
    }
    Ok(crate::Status::Ok)
}
