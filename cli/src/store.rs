//! The findings folder: one folder per signature, never a file overwritten.
//!
//! As syzkaller files crashes under a hash of their title, `fuzz --out DIR`
//! files each finding under `DIR/<id>-<oracle>/`, where `<id>` is the
//! signature's stable hash ([`Signature::id`]), so two runs into the same
//! folder merge: a signature already there gains a reproducer, nothing is
//! renumbered or replaced. A folder holds:
//!
//! | file | what |
//! |---|---|
//! | `description` | the syzbot-style title, one line |
//! | `meta.json` | the signature key, the version stamp, where and when it was found |
//! | `repro.litmus`, `repro.bin` | the first reproducer, as litmus text (labelled schedule) and fuzzer bytes |
//! | `repro-<hash>.litmus`, `.bin` | later reproducers that differ from it (from later runs) |
//! | `min.litmus` | the minimized reproducer, when minimization kept the signature |
//!
//! Every file is written to a temporary file in the same folder, synced,
//! then linked into place (`link(2)`: it fails rather than replace a file),
//! and the folder is synced. A new signature's folder is built under a
//! temporary name and renamed into place whole. When a write fails (disk
//! full, read-only), the temporary files are removed: a folder is complete
//! or absent, and the error is returned.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context, Result};
use pagelife_triage::signature::{fnv1a64, Signature};

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// A temporary name in `dir` no other process or thread uses.
fn tmp_name(dir: &Path, what: &str) -> PathBuf {
    let n = TMP_SEQ.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".tmp-{what}-{}-{n}", std::process::id()))
}

/// Write `bytes` to a new temporary file in `dir`, synced; removed again on error.
fn write_tmp(dir: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let tmp = tmp_name(dir, "file");
    let r = (|| -> std::io::Result<()> {
        let mut f = File::options().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match r {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e).with_context(|| format!("writing {}", tmp.display()))
        }
    }
}

/// Sync a folder, so the names in it survive a crash.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
}

/// Move `tmp` to `dest`, failing (and leaving `dest` alone) if `dest` exists.
fn place(tmp: &Path, dest: &Path) -> Result<()> {
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} exists: not overwritten", dest.display())
        }
        // A filesystem without hard links: check, then rename.
        Err(_) if !dest.exists() => {
            std::fs::rename(tmp, dest).with_context(|| format!("renaming to {}", dest.display()))
        }
        Err(e) => Err(e).with_context(|| format!("linking {}", dest.display())),
    }
}

/// Write `bytes` to `path` atomically (temporary file in the same folder,
/// synced, then linked into place); never replaces an existing file.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let tmp = write_tmp(dir, bytes)?;
    let r = place(&tmp, path).and_then(|()| sync_dir(dir));
    let _ = std::fs::remove_file(&tmp);
    r
}

/// Write `bytes` to `path` atomically, replacing it if it exists (for
/// outputs a user names with `-o`).
pub fn write_replace(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let tmp = write_tmp(dir, bytes)?;
    let r = std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r.and_then(|()| sync_dir(dir))
}

/// One finding's files, ready to save.
pub struct Reproducer {
    /// Fuzzer bytes.
    pub bin: Vec<u8>,
    /// Litmus text (built for a given file name by `litmus`).
    pub litmus: Box<dyn Fn(&str) -> String + Send>,
    /// The minimized litmus text, if any.
    pub min: Option<String>,
    /// `meta.json`'s content.
    pub meta: String,
}

/// Where a finding went.
#[derive(Clone, Debug)]
pub struct Saved {
    /// Its folder.
    pub dir: PathBuf,
    /// The files written this time (empty: the same reproducer was there already).
    pub files: Vec<PathBuf>,
    /// The litmus file to replay.
    pub litmus: PathBuf,
}

/// A findings folder.
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Open (create) `root` and prove it can be written: a temporary file
    /// is written, synced and removed. Errors say why (read-only, full, …).
    pub fn open(root: &Path) -> Result<Store> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create the findings folder {}", root.display()))?;
        let tmp = write_tmp(root, b"probe\n")
            .with_context(|| format!("cannot write to the findings folder {}", root.display()))?;
        std::fs::remove_file(&tmp)
            .with_context(|| format!("cannot write to the findings folder {}", root.display()))?;
        Ok(Store { root: root.into() })
    }

    /// The folder of `sig`.
    pub fn dir_of(&self, sig: &Signature) -> PathBuf {
        self.root
            .join(format!("{}-{}", sig.id(), sig.oracle.name()))
    }

    /// Save a reproducer of `sig` (see the module doc).
    pub fn save(&self, sig: &Signature, r: &Reproducer) -> Result<Saved> {
        let dir = self.dir_of(sig);
        if !dir.exists() {
            match self.create(sig, &dir, r) {
                Ok(s) => return Ok(s),
                // Another process created it meanwhile: merge into it.
                Err(_) if dir.join("description").exists() => {}
                Err(e) => return Err(e),
            }
        }
        self.merge(&dir, r)
    }

    /// A new folder, built under a temporary name and renamed into place.
    fn create(&self, sig: &Signature, dir: &Path, r: &Reproducer) -> Result<Saved> {
        let tmp = tmp_name(&self.root, "dir");
        let build = || -> Result<Vec<PathBuf>> {
            std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
            let mut names = vec![
                ("description", format!("{}\n", sig.title()).into_bytes()),
                ("meta.json", r.meta.clone().into_bytes()),
                ("repro.bin", r.bin.clone()),
                ("repro.litmus", (r.litmus)("repro").into_bytes()),
            ];
            if let Some(m) = &r.min {
                names.push(("min.litmus", m.clone().into_bytes()));
            }
            let mut files = Vec::new();
            for (name, bytes) in names {
                let t = write_tmp(&tmp, &bytes)?;
                std::fs::rename(&t, tmp.join(name))
                    .with_context(|| format!("renaming in {}", tmp.display()))?;
                files.push(dir.join(name));
            }
            sync_dir(&tmp)?;
            std::fs::rename(&tmp, dir).with_context(|| format!("creating {}", dir.display()))?;
            sync_dir(&self.root)?;
            Ok(files)
        };
        match build() {
            Ok(files) => Ok(Saved {
                dir: dir.into(),
                files,
                litmus: dir.join("repro.litmus"),
            }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(e)
            }
        }
    }

    /// Add a reproducer to an existing folder, unless the same bytes are there.
    fn merge(&self, dir: &Path, r: &Reproducer) -> Result<Saved> {
        let hash = format!("{:016x}", fnv1a64(&r.bin));
        let stem = format!("repro-{}", &hash[..8]);
        let first = dir.join("repro.bin");
        let known = std::fs::read(&first).is_ok_and(|b| b == r.bin)
            || dir.join(format!("{stem}.bin")).exists();
        if known {
            let litmus = if std::fs::read(&first).is_ok_and(|b| b == r.bin) {
                dir.join("repro.litmus")
            } else {
                dir.join(format!("{stem}.litmus"))
            };
            return Ok(Saved {
                dir: dir.into(),
                files: Vec::new(),
                litmus,
            });
        }
        let bin = write_tmp(dir, &r.bin)?;
        let lit = match write_tmp(dir, (r.litmus)(&stem).as_bytes()) {
            Ok(t) => t,
            Err(e) => {
                let _ = std::fs::remove_file(&bin);
                return Err(e);
            }
        };
        let (bin_dest, lit_dest) = (
            dir.join(format!("{stem}.bin")),
            dir.join(format!("{stem}.litmus")),
        );
        let r1 = place(&lit, &lit_dest).and_then(|()| {
            place(&bin, &bin_dest).inspect_err(|_| {
                let _ = std::fs::remove_file(&lit_dest);
            })
        });
        let _ = std::fs::remove_file(&bin);
        let _ = std::fs::remove_file(&lit);
        r1?;
        sync_dir(dir)?;
        Ok(Saved {
            dir: dir.into(),
            files: vec![lit_dest.clone(), bin_dest],
            litmus: lit_dest,
        })
    }
}
