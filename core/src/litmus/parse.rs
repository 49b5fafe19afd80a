//! The litmus parser. Errors name the file, line and column, and what was expected.

use std::fmt;

use crate::case::{Case, FallocMode, Fault, Op, Run, Slice, TaskDef};
use crate::oracle::OracleId;
use crate::profile::Profile;
use crate::step::StepId;
use crate::world::{
    Config, CtxId, Fs, BIO_CTX0, MAX_BIOS, MAX_BUCKETS, MAX_FILES, MAX_FILE_BPP, MAX_FRAMES,
    MAX_INDEX, MAX_TASKS, TASK_KSWAPD,
};

/// A parsed litmus file: the case and what the author said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Litmus {
    /// The case.
    pub case: Case,
    /// The `litmus NAME` title, if any.
    pub title: Option<String>,
    /// The oracles the author expects to fire (`expect`).
    pub expect: Vec<OracleId>,
}

/// A parse error: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LitmusError {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What was expected, and what was found.
    pub msg: String,
}

impl fmt::Display for LitmusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.msg)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Header,
    Setup,
    Task,
    Schedule,
    Faults,
}

/// A word of a line, with its 1-based column.
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    col: usize,
}

struct Parser<'a> {
    file: &'a str,
    line: usize,
}

impl Parser<'_> {
    fn err<T>(&self, col: usize, msg: impl Into<String>) -> Result<T, LitmusError> {
        Err(LitmusError {
            file: self.file.to_string(),
            line: self.line,
            col,
            msg: msg.into(),
        })
    }

    fn expect_end(&self, words: &[Word], n: usize, what: &str) -> Result<(), LitmusError> {
        if let Some(w) = words.get(n) {
            return self.err(
                w.col,
                format!("expected end of line after {what}, found `{}`", w.text),
            );
        }
        Ok(())
    }

    fn num(
        &self,
        w: Option<&Word>,
        what: &str,
        max: usize,
        after: usize,
    ) -> Result<u8, LitmusError> {
        let Some(w) = w else {
            return self.err(after, format!("expected {what}, found end of line"));
        };
        match w.text.parse::<usize>() {
            Ok(n) if n <= max => Ok(n as u8),
            Ok(n) => self.err(w.col, format!("expected {what} (at most {max}), found {n}")),
            Err(_) => self.err(w.col, format!("expected {what}, found `{}`", w.text)),
        }
    }

    fn file_or_bdev(&self, w: Option<&Word>, after: usize) -> Result<u8, LitmusError> {
        if w.is_some_and(|w| w.text == "bdev") {
            return Ok(crate::world::BDEV);
        }
        self.file_arg(w, after)
    }

    fn file_arg(&self, w: Option<&Word>, after: usize) -> Result<u8, LitmusError> {
        let Some(w) = w else {
            return self.err(after, "expected a file (f0, f1, f2), found end of line");
        };
        let n = w
            .text
            .strip_prefix('f')
            .and_then(|d| d.parse::<usize>().ok());
        match n {
            Some(n) if n < MAX_FILES => Ok(n as u8),
            _ => self.err(
                w.col,
                format!(
                    "expected a file (f0..f{}), found `{}`",
                    MAX_FILES - 1,
                    w.text
                ),
            ),
        }
    }

    fn op(&self, words: &[Word]) -> Result<Op, LitmusError> {
        let w0 = words[0];
        let end = |w: &Word| w.col + w.text.len();
        let op = match w0.text {
            "write" | "read" => {
                let file = self.file_arg(words.get(1), end(&w0))?;
                let index = self.num(words.get(2), "a page index", MAX_INDEX - 1, end(&words[1]))?;
                self.expect_end(words, 3, "the page index")?;
                if w0.text == "write" {
                    Op::Write { file, index }
                } else {
                    Op::Read { file, index }
                }
            }
            "writeback" => {
                let file = self.file_or_bdev(words.get(1), end(&w0))?;
                let all = match words.get(2).map(|w| w.text) {
                    Some("none") => false,
                    Some("all") => true,
                    Some(t) => return self.err(words[2].col, format!("expected `none` or `all` (WB_SYNC_NONE/ALL), found `{t}`")),
                    None => return self.err(end(&words[1]), "expected `none` or `all` (WB_SYNC_NONE/ALL), found end of line"),
                };
                self.expect_end(words, 3, "the sync mode")?;
                Op::Writeback { file, all }
            }
            "fsync" => {
                let file = self.file_or_bdev(words.get(1), end(&w0))?;
                self.expect_end(words, 2, "the file")?;
                Op::Fsync { file }
            }
            "sync" => {
                self.expect_end(words, 1, "`sync`")?;
                Op::Sync
            }
            "truncate" => {
                let file = self.file_arg(words.get(1), end(&w0))?;
                let size = self.num(words.get(2), "a size in pages", MAX_INDEX, end(&words[1]))?;
                self.expect_end(words, 3, "the size")?;
                Op::Truncate { file, size }
            }
            "reclaim" | "migrate" => {
                let Some(w) = words.get(1) else { return self.err(end(&w0), "expected a frame (frame0..), found end of line") };
                let frame = self.frame_arg(w)?;
                self.expect_end(words, 2, "the frame")?;
                if w0.text == "reclaim" {
                    Op::Reclaim { frame }
                } else {
                    Op::Migrate { frame }
                }
            }
            "bh-write" => {
                let block = self.num(words.get(1), "a block number of the device", crate::world::MAX_LBLK - 1, end(&w0))?;
                let (mut getblk, mut meta, mut nonatomic) = (false, false, false);
                for w in &words[2..] {
                    match w.text {
                        "getblk" => getblk = true,
                        "meta" => meta = true,
                        "nonatomic" => nonatomic = true,
                        t => return self.err(w.col, format!("expected `getblk`, `meta` or `nonatomic`, found `{t}`")),
                    }
                }
                Op::BhWrite { block, getblk, meta, nonatomic }
            }
            "pwrite" => {
                let file = self.file_arg(words.get(1), end(&w0))?;
                let unit = self.num(words.get(2), "a first data unit", crate::world::MAX_LBLK - 1, end(&words[1]))?;
                let len = self.num(words.get(3), "a length in data units", crate::world::MAX_LBLK, end(&words[2]))?;
                if len == 0 || unit as usize + len as usize > crate::world::MAX_LBLK {
                    return self.err(words[3].col, format!("expected a length of 1..{} data units", crate::world::MAX_LBLK - unit as usize));
                }
                self.expect_end(words, 4, "the length")?;
                Op::Pwrite { file, unit, len }
            }
            "fallocate" | "punch" | "zero-range" => {
                let file = self.file_arg(words.get(1), end(&w0))?;
                let index = self.num(words.get(2), "a first page", MAX_INDEX - 1, end(&words[1]))?;
                let count = self.num(words.get(3), "a page count", MAX_INDEX, end(&words[2]))?;
                if count == 0 || index as usize + count as usize > MAX_INDEX {
                    return self.err(words[3].col, format!("expected a page count of 1..{}", MAX_INDEX - index as usize));
                }
                self.expect_end(words, 4, "the page count")?;
                let mode = match w0.text {
                    "fallocate" => FallocMode::Alloc,
                    "punch" => FallocMode::Punch,
                    _ => FallocMode::Zero,
                };
                Op::Falloc { file, mode, index, count }
            }
            "mkwrite" => {
                let file = self.file_arg(words.get(1), end(&w0))?;
                let index = self.num(words.get(2), "a page index", MAX_INDEX - 1, end(&words[1]))?;
                self.expect_end(words, 3, "the page index")?;
                Op::Mkwrite { file, index }
            }
            other => {
                return self.err(
                    w0.col,
                    format!("expected an operation (write, pwrite, read, mkwrite, writeback, fsync, sync, truncate, fallocate, punch, zero-range, reclaim, migrate, bh-write), found `{other}`"),
                )
            }
        };
        Ok(op)
    }

    fn frame_arg(&self, w: &Word) -> Result<u8, LitmusError> {
        let n = w
            .text
            .strip_prefix("frame")
            .unwrap_or(w.text)
            .parse::<usize>()
            .ok();
        match n {
            Some(n) if n < MAX_FRAMES => Ok(n as u8),
            _ => self.err(
                w.col,
                format!(
                    "expected a frame (frame0..frame{}), found `{}`",
                    MAX_FRAMES - 1,
                    w.text
                ),
            ),
        }
    }

    fn ctx(&self, w: &Word, names: &[String]) -> Result<CtxId, LitmusError> {
        if let Some(i) = names.iter().position(|n| n == w.text) {
            return Ok(i as CtxId);
        }
        if w.text == "kswapd" {
            return Ok(TASK_KSWAPD);
        }
        if let Some(k) = w
            .text
            .strip_prefix("io")
            .and_then(|d| d.parse::<usize>().ok())
        {
            if k < MAX_BIOS {
                return Ok(BIO_CTX0 + k as u8);
            }
            return self.err(
                w.col,
                format!("expected a bio io0..io{}, found `{}`", MAX_BIOS - 1, w.text),
            );
        }
        let known = if names.is_empty() {
            "no tasks declared".to_string()
        } else {
            names.join(", ")
        };
        self.err(
            w.col,
            format!(
                "expected a task ({known}), a bio (io0, io1, ...) or kswapd, found `{}`",
                w.text
            ),
        )
    }
}

fn words(line: &str) -> Vec<Word<'_>> {
    let code = line.split('#').next().unwrap_or("");
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in code.char_indices() {
        if ch.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(Word {
                    text: &code[s..i],
                    col: s + 1,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &code[s..],
            col: s + 1,
        });
    }
    out
}

/// A schedule run: `*`, a number, or a label with an optional `xK`.
fn run_of(p: &Parser, ws: &[Word]) -> Result<Run, LitmusError> {
    let Some(w) = ws.first() else {
        return p.err(1, "expected `*`, a step count or a step label");
    };
    if w.text == "*" {
        p.expect_end(ws, 1, "`*`")?;
        return Ok(Run::Block);
    }
    if w.text.bytes().all(|b| b.is_ascii_digit()) {
        let n = p.num(Some(w), "a step count", 127, w.col)?;
        if n == 0 {
            return p.err(w.col, "expected a step count of at least 1");
        }
        p.expect_end(ws, 1, "the step count")?;
        return Ok(Run::Steps(n));
    }
    let Some(id) = StepId::from_name(w.text) else {
        let near: Vec<&str> = StepId::ALL
            .iter()
            .map(|s| s.name())
            .filter(|n| n.contains(w.text) || w.text.contains(n))
            .take(4)
            .collect();
        let hint = if near.is_empty() {
            String::from(" (see `pagelife steps`)")
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        return p.err(
            w.col,
            format!(
                "expected `*`, a step count or a step label, found `{}`{hint}",
                w.text
            ),
        );
    };
    let mut k = 1;
    if let Some(w2) = ws.get(1) {
        match w2.text.strip_prefix('x').and_then(|d| d.parse::<u8>().ok()) {
            Some(n) if (1..=127).contains(&n) => k = n,
            _ => {
                return p.err(
                    w2.col,
                    format!(
                        "expected `xK` (until its K-th occurrence, 1-127), found `{}`",
                        w2.text
                    ),
                )
            }
        }
        p.expect_end(ws, 2, "the occurrence")?;
    }
    Ok(Run::Until(id, k))
}

/// Parse a litmus file. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Litmus, LitmusError> {
    let mut p = Parser { file, line: 0 };
    let mut case = Case::default();
    let mut title = None;
    let mut expect = Vec::new();
    let mut section = Section::Header;
    let mut profile_seen = false;
    // Schedule and fault lines name tasks that may be declared later: resolve at the end.
    let mut pending_sched: Vec<(usize, Vec<(String, usize)>)> = Vec::new();
    let mut pending_faults: Vec<(usize, Vec<(String, usize)>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        p.line = i + 1;
        let ws = words(line);
        let Some(&w0) = ws.first() else { continue };
        // Section headers may be indented (operations never end in `:` or start with `task`).
        if w0.text.ends_with(':') || w0.text == "task" {
            // A section header.
            match w0.text {
                "setup:" => {
                    p.expect_end(&ws, 1, "`setup:`")?;
                    section = Section::Setup;
                }
                "schedule:" => {
                    p.expect_end(&ws, 1, "`schedule:`")?;
                    section = Section::Schedule;
                }
                "faults:" => {
                    p.expect_end(&ws, 1, "`faults:`")?;
                    section = Section::Faults;
                }
                "task" => {
                    let Some(nw) = ws.get(1) else { return p.err(w0.col + 4, "expected a task name after `task`") };
                    let mut name = nw.text.to_string();
                    let mut cpu = case.tasks.len() as u8;
                    let mut closed = name.ends_with(':');
                    if closed {
                        name.pop();
                    }
                    for w in &ws[2..] {
                        if closed {
                            return p.err(w.col, format!("expected end of line after `:`, found `{}`", w.text));
                        }
                        let t = w.text.trim_end_matches(':');
                        if let Some(c) = t.strip_prefix("cpu=") {
                            cpu = match c.parse::<u8>() {
                                Ok(c) if c < 4 => c,
                                _ => return p.err(w.col, format!("expected cpu=0..3, found `{t}`")),
                            };
                        } else if !t.is_empty() {
                            return p.err(w.col, format!("expected `cpu=N` or `:`, found `{}`", w.text));
                        }
                        closed = w.text.ends_with(':');
                    }
                    if !closed {
                        return p.err(line.trim_end().len() + 1, "expected `:` at the end of the task line");
                    }
                    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                    let reserved = name == "kswapd"
                        || name == "init"
                        || name == "umount"
                        || name.strip_prefix("io").is_some_and(|d| d.parse::<u32>().is_ok());
                    if !valid || reserved {
                        return p.err(nw.col, format!("expected a task name of letters, digits and `_` (not io<N>, kswapd, init, umount), found `{name}`"));
                    }
                    if case.tasks.iter().any(|t| t.name == name) {
                        return p.err(nw.col, format!("task `{name}` is declared twice"));
                    }
                    if case.tasks.len() >= MAX_TASKS {
                        return p.err(w0.col, format!("at most {MAX_TASKS} tasks"));
                    }
                    case.tasks.push(TaskDef { name, cpu, ops: Vec::new() });
                    section = Section::Task;
                }
                other => {
                    return p.err(w0.col, format!("expected a section (`setup:`, `task NAME:`, `schedule:`, `faults:`) or a header line, found `{other}`"))
                }
            }
            continue;
        }
        match section {
            Section::Header => match w0.text {
                "litmus" => {
                    if ws.len() < 2 {
                        return p.err(w0.col + 6, "expected a title after `litmus`");
                    }
                    title = Some(ws[1..].iter().map(|w| w.text).collect::<Vec<_>>().join(" "));
                }
                "profile" => {
                    let Some(w) = ws.get(1) else { return p.err(w0.col + 7, "expected a profile after `profile`") };
                    case.profile = match Profile::parse(w.text) {
                        Ok(pr) => pr,
                        Err(e) => return p.err(w.col, format!("expected a profile: {e}")),
                    };
                    p.expect_end(&ws, 2, "the profile")?;
                    profile_seen = true;
                }
                "config" => {
                    let mut cfg = Config::default();
                    const KEYS: &str = "`frames=N`, `buckets=N`, `bh=N`, `fs=simple|xfs|ext4|gfs2` or `blocks=N`";
                    for w in &ws[1..] {
                        let Some((k, v)) = w.text.split_once('=') else {
                            return p.err(w.col, format!("expected {KEYS}, found `{}`", w.text));
                        };
                        if k == "fs" {
                            match Fs::named(v) {
                                Some(f) => cfg.fs = f,
                                None => return p.err(w.col + 3, format!("expected a filesystem (simple, xfs, ext4, gfs2), found `{v}`")),
                            }
                            continue;
                        }
                        let v = match v.parse::<usize>() {
                            Ok(v) => v,
                            Err(_) => return p.err(w.col + k.len() + 1, format!("expected a number, found `{v}`")),
                        };
                        match k {
                            "bh" if [1, 2, 4].contains(&v) => cfg.bh_per_page = v as u8,
                            "bh" => return p.err(w.col, format!("expected bh=1, 2 or 4 (buffer heads per block-device page), found {v}")),
                            "frames" if (1..=MAX_FRAMES).contains(&v) => cfg.frames = v as u8,
                            "buckets" if (1..=MAX_BUCKETS).contains(&v) => cfg.wq_buckets = v as u8,
                            "frames" => return p.err(w.col, format!("expected frames=1..{MAX_FRAMES}, found {v}")),
                            "buckets" => return p.err(w.col, format!("expected buckets=1..{MAX_BUCKETS}, found {v}")),
                            "blocks" if (1..=MAX_FILE_BPP).contains(&v) => cfg.file_bpp = v as u8,
                            "blocks" => return p.err(w.col, format!("expected blocks=1 or 2 (filesystem blocks per file page), found {v}")),
                            _ => return p.err(w.col, format!("expected {KEYS}, found `{}`", w.text)),
                        }
                    }
                    if cfg.fs == Fs::Simple && cfg.file_bpp != 1 {
                        return p.err(ws[0].col, "blocks=2 needs an extent-mapped filesystem (fs=xfs, ext4 or gfs2)");
                    }
                    case.config = cfg;
                }
                "expect" => {
                    for w in &ws[1..] {
                        match OracleId::from_name(w.text) {
                            Some(o) => expect.push(o),
                            None => {
                                let known: Vec<&str> = OracleId::ALL.iter().map(|o| o.name()).collect();
                                return p.err(w.col, format!("expected an oracle name ({}), found `{}`", known.join(", "), w.text));
                            }
                        }
                    }
                }
                other => {
                    return p.err(w0.col, format!("expected `litmus`, `profile`, `config`, `expect` or a section, found `{other}`"))
                }
            },
            Section::Setup => {
                if case.setup.len() >= crate::codec::MAX_OPS {
                    return p.err(w0.col, format!("at most {} setup operations", crate::codec::MAX_OPS));
                }
                case.setup.push(p.op(&ws)?)
            }
            Section::Task => {
                let t = case.tasks.last_mut().map(|t| t.ops.len()).unwrap_or(0);
                if t >= crate::codec::MAX_OPS {
                    return p.err(w0.col, format!("at most {} operations per task", crate::codec::MAX_OPS));
                }
                let op = p.op(&ws)?;
                if let Some(t) = case.tasks.last_mut() {
                    t.ops.push(op);
                }
            }
            Section::Schedule => {
                pending_sched.push((p.line, ws.iter().map(|w| (w.text.to_string(), w.col)).collect()));
            }
            Section::Faults => {
                pending_faults.push((p.line, ws.iter().map(|w| (w.text.to_string(), w.col)).collect()));
            }
        }
    }
    if !profile_seen {
        p.line = 1;
        return p.err(1, "expected a `profile NAME` line (every litmus file says which kernel it was reported on)");
    }
    let names = case.names();
    for (line, owned) in pending_sched {
        p.line = line;
        let ws: Vec<Word> = owned
            .iter()
            .map(|(t, c)| Word { text: t, col: *c })
            .collect();
        let ctx = p.ctx(&ws[0], &names)?;
        if ws.len() < 2 {
            return p.err(
                ws[0].col + ws[0].text.len(),
                "expected `*`, a step count or a step label after the context",
            );
        }
        let run = run_of(&p, &ws[1..])?;
        if case.schedule.len() >= crate::codec::MAX_SLICES {
            return p.err(
                1,
                format!("at most {} schedule lines", crate::codec::MAX_SLICES),
            );
        }
        case.schedule.push(Slice { ctx, run });
    }
    for (line, owned) in pending_faults {
        p.line = line;
        let ws: Vec<Word> = owned
            .iter()
            .map(|(t, c)| Word { text: t, col: *c })
            .collect();
        let end = |w: &Word| w.col + w.text.len();
        let at = |p: &Parser, ws: &[Word], i: usize| -> Result<u16, LitmusError> {
            match (ws.get(i), ws.get(i + 1)) {
                (Some(a), Some(n)) if a.text == "at" => match n.text.parse::<u16>() {
                    Ok(v) => Ok(v),
                    Err(_) => p.err(n.col, format!("expected a step number, found `{}`", n.text)),
                },
                (Some(a), _) => p.err(a.col, format!("expected `at STEP`, found `{}`", a.text)),
                _ => p.err(end(&ws[i - 1]), "expected `at STEP`, found end of line"),
            }
        };
        let f = match ws[0].text {
            "io-error" => {
                let Some(w) = ws.get(1) else {
                    return p.err(end(&ws[0]), "expected a bio (io0, io1, ...)");
                };
                let c = p.ctx(w, &[])?;
                p.expect_end(&ws, 2, "the bio")?;
                Fault::IoError { bio: c - BIO_CTX0 }
            }
            "alloc-fail" => {
                let n = p.num(ws.get(1), "which allocation (1-255)", 255, end(&ws[0]))?;
                p.expect_end(&ws, 2, "the allocation number")?;
                Fault::AllocFail { nth: n }
            }
            "signal" => {
                let Some(w) = ws.get(1) else {
                    return p.err(end(&ws[0]), "expected a task");
                };
                let c = p.ctx(w, &names)?;
                if c as usize >= MAX_TASKS {
                    return p.err(w.col, format!("expected a task, found `{}`", w.text));
                }
                let at = at(&p, &ws, 2)?;
                p.expect_end(&ws, 4, "the step number")?;
                Fault::Signal { task: c, at }
            }
            "reclaim" => {
                let Some(w) = ws.get(1) else {
                    return p.err(end(&ws[0]), "expected a frame (frame0..)");
                };
                let frame = p.frame_arg(w)?;
                let at = at(&p, &ws, 2)?;
                p.expect_end(&ws, 4, "the step number")?;
                Fault::Reclaim { frame, at }
            }
            other => {
                return p.err(
                    ws[0].col,
                    format!(
                        "expected a fault (io-error, alloc-fail, signal, reclaim), found `{other}`"
                    ),
                )
            }
        };
        if case.faults.len() >= crate::codec::MAX_FAULTS {
            return p.err(1, format!("at most {} faults", crate::codec::MAX_FAULTS));
        }
        case.faults.push(f);
    }
    Ok(Litmus {
        case,
        title,
        expect,
    })
}

/// Parse a litmus file and keep only the case.
pub fn parse_str(text: &str, file: &str) -> Result<Case, LitmusError> {
    parse(text, file).map(|l| l.case)
}
