//! The litmus parser. Errors name the file, line and column (in
//! characters), and what was expected. It reads line by line
//! ([`parse_reader`]) and stops at the first error; what it keeps before the
//! end is bounded by the format's limits.

use std::fmt;
use std::io::BufRead;

use super::words::{words, Word};
use crate::case::{Case, Fault, Op, OpKind, Run, Slice, TaskDef};
use crate::codec::{MAX_FAULTS, MAX_OPS, MAX_SLICES};
use crate::op::{ArgKind, MAX_ARGS};
use crate::oracle::OracleId;
use crate::profile::Profile;
use crate::step::StepId;
use crate::world::{
    Config, CtxId, Fs, BIO_CTX0, MAX_BIOS, MAX_BUCKETS, MAX_FILE_BPP, MAX_FRAMES,
    MAX_PAGE_LOCK_UNFAIRNESS, MAX_TASKS, TASK_KSWAPD,
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
    /// 1-based column, in characters.
    pub col: usize,
    /// What was expected, and what was found.
    pub msg: String,
}

impl fmt::Display for LitmusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.msg)
    }
}

type Res<T> = Result<T, LitmusError>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Header,
    Setup,
    Task,
    Schedule,
    Faults,
}

/// A context named before every task is known: resolved at the end.
#[derive(Clone)]
struct Named {
    line: usize,
    col: usize,
    name: String,
}

/// When a signal or an injected reclaim comes: before a global step
/// number, or before (`at`) or just after (`after`) the `nth` step with a
/// label, whoever takes it.
#[derive(Clone, Copy)]
enum Timing {
    Step(u16),
    Label {
        id: StepId,
        nth: u8,
        after: bool,
        line: usize,
        col: usize,
    },
}

/// A page named where a frame is expected (`migrate f0:1`, `reclaim
/// bdev:0`): the frame that holds it once setup has run, resolved at the end.
#[derive(Clone, Copy)]
struct PageRef {
    mapping: u8,
    index: u8,
    line: usize,
    col: usize,
}

/// Where a frame-valued page reference goes: task `task`'s operation `op`,
/// argument `arg`.
#[derive(Clone, Copy)]
struct OpPageRef {
    task: usize,
    op: usize,
    arg: usize,
    page: PageRef,
}

/// A fault whose task or timing is resolved at the end.
enum PendingFault {
    Done(Fault),
    Signal {
        task: Named,
        at: Timing,
    },
    Reclaim {
        frame: u8,
        page: Option<PageRef>,
        at: Timing,
    },
    /// The first allocation the step at a label makes fails.
    AllocAt(Timing),
}

struct Parser<'a> {
    file: &'a str,
    line: usize,
    section: Section,
    case: Case,
    title: Option<String>,
    expect: Vec<OracleId>,
    profile_seen: bool,
    /// Each slice, with the old step name it used when that name's step
    /// depends on the context's operations (resolved at the end).
    schedule: Vec<(Named, Run, Option<String>)>,
    faults: Vec<PendingFault>,
    page_refs: Vec<OpPageRef>,
}

impl<'a> Parser<'a> {
    fn new(file: &'a str) -> Self {
        Parser {
            file,
            line: 0,
            section: Section::Header,
            case: Case::default(),
            title: None,
            expect: Vec::new(),
            profile_seen: false,
            schedule: Vec::new(),
            faults: Vec::new(),
            page_refs: Vec::new(),
        }
    }

    fn err<T>(&self, col: usize, msg: impl Into<String>) -> Res<T> {
        self.err_at(self.line, col, msg)
    }

    fn err_at<T>(&self, line: usize, col: usize, msg: impl Into<String>) -> Res<T> {
        Err(LitmusError {
            file: self.file.to_string(),
            line,
            col,
            msg: msg.into(),
        })
    }

    fn expect_end(&self, ws: &[Word], n: usize, what: &str) -> Res<()> {
        match ws.get(n) {
            Some(w) => self.err(
                w.col,
                format!("expected end of line after {what}, found `{}`", w.text),
            ),
            None => Ok(()),
        }
    }

    fn line(&mut self, text: &str) -> Res<()> {
        let ws = words(text);
        let Some(&w0) = ws.first() else {
            return Ok(());
        };
        // Section headers may be indented (operations never end in `:` or start with `task`).
        if w0.text.ends_with(':') || w0.text == "task" {
            return self.section_header(&ws);
        }
        match self.section {
            Section::Header => self.header_line(&ws),
            Section::Setup => {
                if self.case.setup.len() >= MAX_OPS {
                    return self.err(w0.col, format!("at most {MAX_OPS} setup operations"));
                }
                let (op, page) = self.op(&ws)?;
                if let Some((_, p)) = page {
                    return self.err(
                        p.col,
                        "a page (FILE:INDEX) names the frame that holds it after setup: \
                         use it in a task or a fault, and a frame here",
                    );
                }
                self.case.setup.push(op);
                Ok(())
            }
            Section::Task => self.task_op(&ws),
            Section::Schedule => self.schedule_line(&ws),
            Section::Faults => self.fault_line(&ws),
        }
    }

    fn section_header(&mut self, ws: &[Word]) -> Res<()> {
        let w0 = ws[0];
        let (section, what) = match w0.text {
            "setup:" => (Section::Setup, "`setup:`"),
            "schedule:" => (Section::Schedule, "`schedule:`"),
            "faults:" => (Section::Faults, "`faults:`"),
            "task" => return self.task_header(ws),
            other => {
                return self.err(
                    w0.col,
                    format!(
                        "expected a section (`setup:`, `task NAME:`, `schedule:`, `faults:`) \
                         or a header line, found `{other}`"
                    ),
                )
            }
        };
        self.expect_end(ws, 1, what)?;
        self.section = section;
        Ok(())
    }

    fn task_header(&mut self, ws: &[Word]) -> Res<()> {
        let w0 = ws[0];
        let Some(nw) = ws.get(1) else {
            return self.err(w0.end(), "expected a task name after `task`");
        };
        let mut name = nw.text.to_string();
        let mut cpu = self.case.tasks.len() as u8;
        let mut thread = None;
        let mut fork = None;
        let mut closed = name.ends_with(':');
        if closed {
            name.pop();
        }
        for w in &ws[2..] {
            if closed {
                return self.err(
                    w.col,
                    format!("expected end of line after `:`, found `{}`", w.text),
                );
            }
            let t = w.text.trim_end_matches(':');
            if let Some(c) = t.strip_prefix("cpu=") {
                cpu = match c.parse::<u8>() {
                    Ok(c) if c < 4 => c,
                    _ => return self.err(w.col, format!("expected cpu=0..3, found `{t}`")),
                };
            } else if let Some(leader) = t.strip_prefix("thread=") {
                if fork.is_some() {
                    return self.err(w.col, "a task is a thread or a child, not both");
                }
                thread = Some(self.relative(leader, "thread=", w.col)?);
            } else if let Some(parent) = t.strip_prefix("fork=") {
                if thread.is_some() {
                    return self.err(w.col, "a task is a thread or a child, not both");
                }
                fork = Some(self.fork_parent(parent, w.col)?);
            } else if !t.is_empty() {
                return self.err(
                    w.col,
                    format!(
                        "expected `cpu=N`, `thread=TASK`, `fork=TASK` or `:`, found `{}`",
                        w.text
                    ),
                );
            }
            closed = w.text.ends_with(':');
        }
        if !closed {
            let end = ws.last().map_or(1, |w| w.end());
            return self.err(end, "expected `:` at the end of the task line");
        }
        self.check_task_name(&name, nw.col)?;
        if self.case.tasks.len() >= MAX_TASKS {
            return self.err(w0.col, format!("at most {MAX_TASKS} tasks"));
        }
        self.case.tasks.push(TaskDef {
            name,
            cpu,
            thread,
            fork,
            ops: Vec::new(),
        });
        self.section = Section::Task;
        Ok(())
    }

    /// `thread=NAME` or `fork=NAME` (`key`): an earlier task with an
    /// address space of its own, from the start.
    fn relative(&self, name: &str, key: &str, col: usize) -> Res<u8> {
        let col = col + key.len();
        match self.case.tasks.iter().position(|t| t.name == name) {
            Some(i) if self.case.tasks[i].thread.is_some() => self.err(
                col,
                format!("`{name}` is itself a thread: name the task whose mm it shares"),
            ),
            Some(i) if self.case.tasks[i].fork.is_some() => self.err(
                col,
                format!("`{name}` is a child of a fork: it can have no threads or children"),
            ),
            Some(i) => Ok(i as u8),
            None => self.err(
                col,
                format!("expected the name of an earlier task after `{key}`, found `{name}`"),
            ),
        }
    }

    /// `fork=NAME`: as [`Parser::relative`], and a parent has one child.
    fn fork_parent(&self, name: &str, col: usize) -> Res<u8> {
        let p = self.relative(name, "fork=", col)?;
        if self.case.tasks.iter().any(|t| t.fork == Some(p)) {
            return self.err(
                col + "fork=".len(),
                format!("`{name}` already has a child: a task forks once"),
            );
        }
        Ok(p)
    }

    fn check_task_name(&self, name: &str, col: usize) -> Res<()> {
        let valid =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let reserved = name == "kswapd"
            || name == "init"
            || name == "umount"
            || name
                .strip_prefix("io")
                .is_some_and(|d| d.parse::<u32>().is_ok());
        if !valid || reserved {
            return self.err(
                col,
                format!(
                    "expected a task name of letters, digits and `_` \
                     (not io<N>, kswapd, init, umount), found `{name}`"
                ),
            );
        }
        if self.case.tasks.iter().any(|t| t.name == name) {
            return self.err(col, format!("task `{name}` is declared twice"));
        }
        Ok(())
    }

    fn task_op(&mut self, ws: &[Word]) -> Res<()> {
        let n = self.case.tasks.last().map_or(0, |t| t.ops.len());
        if n >= MAX_OPS {
            return self.err(ws[0].col, format!("at most {MAX_OPS} operations per task"));
        }
        let (op, page) = self.op(ws)?;
        if let (Some((arg, page)), Some(task)) = (page, self.case.tasks.len().checked_sub(1)) {
            self.page_refs.push(OpPageRef {
                task,
                op: n,
                arg,
                page,
            });
        }
        if let Some(t) = self.case.tasks.last_mut() {
            t.ops.push(op);
        }
        Ok(())
    }

    fn header_line(&mut self, ws: &[Word]) -> Res<()> {
        let w0 = ws[0];
        match w0.text {
            "litmus" => {
                if ws.len() < 2 {
                    return self.err(w0.end() + 1, "expected a title after `litmus`");
                }
                self.title = Some(ws[1..].iter().map(|w| w.text).collect::<Vec<_>>().join(" "));
                Ok(())
            }
            "profile" => {
                let Some(w) = ws.get(1) else {
                    return self.err(w0.end() + 1, "expected a profile after `profile`");
                };
                self.case.profile = match Profile::parse(w.text) {
                    Ok(p) => p,
                    Err(e) => return self.err(w.col, format!("expected a profile: {e}")),
                };
                self.expect_end(ws, 2, "the profile")?;
                self.profile_seen = true;
                Ok(())
            }
            "config" => self.config(ws),
            "expect" => self.expect_line(ws),
            other => self.err(
                w0.col,
                format!(
                    "expected `litmus`, `profile`, `config`, `expect` or a section, found `{other}`"
                ),
            ),
        }
    }

    fn expect_line(&mut self, ws: &[Word]) -> Res<()> {
        for w in &ws[1..] {
            match OracleId::from_name(w.text) {
                Some(o) => self.expect.push(o),
                None => {
                    let known: Vec<&str> = OracleId::ALL.iter().map(|o| o.name()).collect();
                    return self.err(
                        w.col,
                        format!(
                            "expected an oracle name ({}), found `{}`",
                            known.join(", "),
                            w.text
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    fn config(&mut self, ws: &[Word]) -> Res<()> {
        let mut cfg = Config::default();
        for w in &ws[1..] {
            self.config_key(w, &mut cfg)?;
        }
        if cfg.fs == Fs::Simple && cfg.file_bpp != 1 {
            return self.err(
                ws[0].col,
                "blocks=2 needs an extent-mapped filesystem (fs=xfs, ext4 or gfs2)",
            );
        }
        self.case.config = cfg;
        Ok(())
    }

    fn config_key(&self, w: &Word, cfg: &mut Config) -> Res<()> {
        const KEYS: &str = "`frames=N`, `buckets=N`, `bh=N`, `fs=simple|xfs|ext4|gfs2`, \
             `blocks=N` or `unfairness=N`";
        let Some((k, v)) = w.text.split_once('=') else {
            return self.err(w.col, format!("expected {KEYS}, found `{}`", w.text));
        };
        let vcol = w.col + k.chars().count() + 1;
        if k == "fs" {
            cfg.fs = match Fs::named(v) {
                Some(f) => f,
                None => {
                    return self.err(
                        vcol,
                        format!("expected a filesystem (simple, xfs, ext4, gfs2), found `{v}`"),
                    )
                }
            };
            return Ok(());
        }
        let Ok(n) = v.parse::<usize>() else {
            return self.err(vcol, format!("expected a number, found `{v}`"));
        };
        let bad = |what: String| self.err(w.col, format!("expected {what}, found {n}"));
        match k {
            "bh" if [1, 2, 4].contains(&n) => cfg.bh_per_page = n as u8,
            "bh" => return bad("bh=1, 2 or 4 (buffer heads per block-device page)".into()),
            "frames" if (1..=MAX_FRAMES).contains(&n) => cfg.frames = n as u8,
            "frames" => return bad(format!("frames=1..{MAX_FRAMES}")),
            "buckets" if (1..=MAX_BUCKETS).contains(&n) => cfg.wq_buckets = n as u8,
            "buckets" => return bad(format!("buckets=1..{MAX_BUCKETS}")),
            "blocks" if (1..=MAX_FILE_BPP).contains(&n) => cfg.file_bpp = n as u8,
            "blocks" => return bad("blocks=1 or 2 (filesystem blocks per file page)".into()),
            "unfairness" if n <= MAX_PAGE_LOCK_UNFAIRNESS as usize => {
                cfg.page_lock_unfairness = n as u8
            }
            "unfairness" => {
                return bad(format!(
                    "unfairness=0..{MAX_PAGE_LOCK_UNFAIRNESS} (vm.page_lock_unfairness)"
                ))
            }
            _ => return self.err(w.col, format!("expected {KEYS}, found `{}`", w.text)),
        }
        Ok(())
    }

    /// An operation line, from the operation's declaration: positional
    /// arguments in order, then its optional keywords in any order.
    fn op(&self, ws: &[Word]) -> Res<(Op, Option<(usize, PageRef)>)> {
        let w0 = ws[0];
        let Some(kind) = OpKind::from_keyword(w0.text) else {
            return self.err(
                w0.col,
                format!(
                    "expected an operation ({}), found `{}`",
                    OpKind::keywords(),
                    w0.text
                ),
            );
        };
        let specs = kind.spec().args;
        let mut args = [0u8; MAX_ARGS];
        let mut page = None;
        let (mut i, mut prev, mut end) = (1, 0, w0.end());
        for (k, s) in specs.iter().enumerate() {
            if matches!(s.kind, ArgKind::Flag(_)) {
                break;
            }
            let Some(w) = ws.get(i) else {
                return self.err(
                    end,
                    format!("expected {}, found end of line", s.kind.describe()),
                );
            };
            if s.kind == ArgKind::Frame {
                if let Some(p) = self.page_ref(w)? {
                    page = Some((k, p));
                    (i, prev, end) = (i + 1, 0, w.end());
                    continue;
                }
            }
            args[k] = match s.kind.parse(w.text, prev) {
                Ok(v) => v,
                Err(m) => return self.err(w.col, m),
            };
            (i, prev, end) = (i + 1, args[k], w.end());
        }
        let flags: Vec<(usize, &str)> = specs
            .iter()
            .enumerate()
            .filter_map(|(k, s)| match s.kind {
                ArgKind::Flag(f) => Some((k, f)),
                _ => None,
            })
            .collect();
        for w in &ws[i..] {
            match flags.iter().find(|(_, f)| *f == w.text) {
                Some(&(k, _)) => args[k] = 1,
                None => {
                    let what = if flags.is_empty() {
                        "end of line".to_string()
                    } else {
                        let f: Vec<String> = flags.iter().map(|(_, f)| format!("`{f}`")).collect();
                        f.join(", ")
                    };
                    return self.err(
                        w.col,
                        format!(
                            "expected {what} after `{}` ({}), found `{}`",
                            w0.text,
                            kind.usage(),
                            w.text
                        ),
                    );
                }
            }
        }
        Ok((Op::from_args(kind, &args), page))
    }

    /// `FILE:INDEX` where a frame is expected (None: not of that form).
    fn page_ref(&self, w: &Word) -> Res<Option<PageRef>> {
        let Some((file, index)) = w.text.split_once(':') else {
            return Ok(None);
        };
        let mapping = ArgKind::FileOrBdev
            .parse(file, 0)
            .or_else(|m| self.err(w.col, format!("in a page FILE:INDEX, {m}")))?;
        let index = ArgKind::Page.parse(index, 0).or_else(|m| {
            self.err(
                w.col + file.chars().count() + 1,
                format!("in a page FILE:INDEX, {m}"),
            )
        })?;
        Ok(Some(PageRef {
            mapping,
            index,
            line: self.line,
            col: w.col,
        }))
    }

    fn schedule_line(&mut self, ws: &[Word]) -> Res<()> {
        if self.schedule.len() >= MAX_SLICES {
            return self.err(ws[0].col, format!("at most {MAX_SLICES} schedule lines"));
        }
        if ws.len() < 2 {
            return self.err(
                ws[0].end(),
                "expected `*`, a step count or a step label after the context",
            );
        }
        let run = self.run_of(&ws[1..])?;
        let named = Named {
            line: self.line,
            col: ws[0].col,
            name: ws[0].text.to_string(),
        };
        let by_ctx = ws
            .get(1)
            .filter(|w| crate::step_alias::depends_on_context(w.text))
            .map(|w| w.text.to_string());
        self.schedule.push((named, run, by_ctx));
        Ok(())
    }

    /// A schedule run: `*`, a number, or a label with an optional `xK`.
    fn run_of(&self, ws: &[Word]) -> Res<Run> {
        let w = ws[0];
        if w.text == "*" {
            self.expect_end(ws, 1, "`*`")?;
            return Ok(Run::Block);
        }
        if w.text.bytes().all(|b| b.is_ascii_digit()) {
            return match w.text.parse::<u8>() {
                Ok(n @ 1..=127) => {
                    self.expect_end(ws, 1, "the step count")?;
                    Ok(Run::Steps(n))
                }
                _ => self.err(
                    w.col,
                    format!("expected a step count of 1..127, found {}", w.text),
                ),
            };
        }
        let Some(id) = crate::step_alias::resolve(w.text, &[]) else {
            return self.err(
                w.col,
                format!(
                    "expected `*`, a step count or a step label, found `{}`{}",
                    w.text,
                    step_hint(w.text)
                ),
            );
        };
        let mut k = 1;
        if let Some(w2) = ws.get(1) {
            match w2.text.strip_prefix('x').and_then(|d| d.parse::<u8>().ok()) {
                Some(n @ 1..=127) => k = n,
                _ => {
                    return self.err(
                        w2.col,
                        format!(
                            "expected `xK` (until its K-th occurrence, 1-127), found `{}`",
                            w2.text
                        ),
                    )
                }
            }
            self.expect_end(ws, 2, "the occurrence")?;
        }
        Ok(Run::Until(id, k))
    }

    fn fault_line(&mut self, ws: &[Word]) -> Res<()> {
        if self.faults.len() >= MAX_FAULTS {
            return self.err(ws[0].col, format!("at most {MAX_FAULTS} faults"));
        }
        let w0 = ws[0];
        let arg = |i: usize, what: &str| match ws.get(i) {
            Some(w) => Ok(*w),
            None => self.err(
                ws[i - 1].end(),
                format!("expected {what}, found end of line"),
            ),
        };
        let f = match w0.text {
            "io-error" => {
                let w = arg(1, "a bio (io0, io1, ...)")?;
                let c = self.bio(&w)?;
                self.expect_end(ws, 2, "the bio")?;
                PendingFault::Done(Fault::IoError { bio: c - BIO_CTX0 })
            }
            "alloc-fail" if matches!(ws.get(1).map(|w| w.text), Some("at")) => {
                match self.at(ws, 1)? {
                    Timing::Step(_) => {
                        return self.err(
                            ws[1].col,
                            "expected `alloc-fail N` or `alloc-fail at LABEL [xN]`",
                        )
                    }
                    at => PendingFault::AllocAt(at),
                }
            }
            "alloc-fail" => {
                let w = arg(1, "which allocation (1-255), or `at LABEL`")?;
                let Ok(nth) = w.text.parse::<u8>() else {
                    return self.err(
                        w.col,
                        format!("expected which allocation (1-255), found `{}`", w.text),
                    );
                };
                self.expect_end(ws, 2, "the allocation number")?;
                PendingFault::Done(Fault::AllocFail { nth })
            }
            "signal" => {
                let w = arg(1, "a task")?;
                let at = self.at(ws, 2)?;
                let task = Named {
                    line: self.line,
                    col: w.col,
                    name: w.text.to_string(),
                };
                PendingFault::Signal { task, at }
            }
            "reclaim" => {
                let w = arg(1, "a frame (frame0..) or a page (FILE:INDEX)")?;
                let page = self.page_ref(&w)?;
                let frame = match page {
                    Some(_) => 0,
                    None => ArgKind::Frame
                        .parse(w.text, 0)
                        .or_else(|m| self.err(w.col, m))?,
                };
                let at = self.at(ws, 2)?;
                PendingFault::Reclaim { frame, page, at }
            }
            other => {
                return self.err(
                    w0.col,
                    format!(
                        "expected a fault (io-error, alloc-fail, signal, reclaim), found `{other}`"
                    ),
                )
            }
        };
        self.faults.push(f);
        Ok(())
    }

    /// `at STEP`, `at LABEL [xN]` or `after LABEL [xN]` at word `i`, and
    /// the end of the line after it.
    fn at(&self, ws: &[Word], i: usize) -> Res<Timing> {
        let (a, n) = match (ws.get(i), ws.get(i + 1)) {
            (Some(a), Some(n)) if a.text == "at" || a.text == "after" => (a, n),
            (Some(a), _) if a.text != "at" && a.text != "after" => {
                return self.err(
                    a.col,
                    format!(
                        "expected `at STEP`, `at LABEL` or `after LABEL`, found `{}`",
                        a.text
                    ),
                )
            }
            (Some(a), _) => {
                return self.err(a.end(), format!("expected a step after `{}`", a.text))
            }
            _ => return self.err(ws[i - 1].end(), "expected `at STEP`, found end of line"),
        };
        let after = a.text == "after";
        if n.text.bytes().all(|b| b.is_ascii_digit()) {
            if after {
                return self.err(
                    n.col,
                    "expected a step label after `after` (`at N` for a step number)",
                );
            }
            let Ok(v) = n.text.parse::<u16>() else {
                return self.err(n.col, format!("expected a step number, found `{}`", n.text));
            };
            self.expect_end(ws, i + 2, "the step number")?;
            return Ok(Timing::Step(v));
        }
        let Some(id) = crate::step_alias::resolve(n.text, &[]) else {
            return self.err(
                n.col,
                format!(
                    "expected a step number or a step label, found `{}`{}",
                    n.text,
                    step_hint(n.text)
                ),
            );
        };
        let nth = match ws.get(i + 2) {
            None => 1,
            Some(w) => match w.text.strip_prefix('x').and_then(|d| d.parse::<u8>().ok()) {
                Some(k @ 1..) => {
                    self.expect_end(ws, i + 3, "the occurrence")?;
                    k
                }
                _ => {
                    return self.err(
                        w.col,
                        format!("expected `xN` (which occurrence), found `{}`", w.text),
                    )
                }
            },
        };
        Ok(Timing::Label {
            id,
            nth,
            after,
            line: self.line,
            col: n.col,
        })
    }

    fn bio(&self, w: &Word) -> Res<CtxId> {
        match w
            .text
            .strip_prefix("io")
            .and_then(|d| d.parse::<usize>().ok())
        {
            Some(k) if k < MAX_BIOS => Ok(BIO_CTX0 + k as u8),
            _ => self.err(
                w.col,
                format!("expected a bio io0..io{}, found `{}`", MAX_BIOS - 1, w.text),
            ),
        }
    }

    /// A context named in the schedule: a task, a bio, or kswapd.
    fn ctx(&self, n: &Named, names: &[String]) -> Res<CtxId> {
        if let Some(i) = names.iter().position(|t| *t == n.name) {
            return Ok(i as CtxId);
        }
        if n.name == "kswapd" {
            return Ok(TASK_KSWAPD);
        }
        if n.name.starts_with("io") && n.name[2..].parse::<usize>().is_ok() {
            let w = Word {
                text: &n.name,
                col: n.col,
            };
            return self.bio(&w).or_else(|e| self.err_at(n.line, n.col, e.msg));
        }
        let known = if names.is_empty() {
            "no tasks declared".to_string()
        } else {
            names.join(", ")
        };
        self.err_at(
            n.line,
            n.col,
            format!(
                "expected a task ({known}), a bio (io0, io1, ...) or kswapd, found `{}`",
                n.name
            ),
        )
    }

    fn finish(mut self) -> Res<Litmus> {
        if !self.profile_seen {
            return self.err_at(
                1,
                1,
                "expected a `profile NAME` line (every litmus file says which kernel it was reported on)",
            );
        }
        let names = self.case.names();
        for (n, mut run, by_ctx) in std::mem::take(&mut self.schedule) {
            let ctx = self.ctx(&n, &names)?;
            if let (Some(old), Run::Until(_, k)) = (by_ctx, run) {
                let ops: Vec<&str> = self
                    .case
                    .tasks
                    .get(usize::from(ctx))
                    .map(|t| t.ops.iter().map(|o| o.kind().spec().keyword).collect())
                    .unwrap_or_default();
                if let Some(id) = crate::step_alias::resolve(&old, &ops) {
                    run = Run::Until(id, k);
                }
            }
            self.case.schedule.push(Slice { ctx, run });
        }
        for r in std::mem::take(&mut self.page_refs) {
            let frame = self.frame_of(r.page)?;
            if let Some(op) = self
                .case
                .tasks
                .get_mut(r.task)
                .and_then(|t| t.ops.get_mut(r.op))
            {
                let mut a = op.args();
                a[r.arg] = frame;
                *op = Op::from_args(op.kind(), &a);
            }
        }
        let mut timed = Vec::new();
        for f in std::mem::take(&mut self.faults) {
            let (f, at) = match f {
                PendingFault::Done(f) => (f, Timing::Step(0)),
                PendingFault::Signal { task, at } => {
                    let c = self.ctx(&task, &names)?;
                    if c as usize >= MAX_TASKS {
                        return self.err_at(
                            task.line,
                            task.col,
                            format!("expected a task, found `{}`", task.name),
                        );
                    }
                    (Fault::Signal { task: c, at: 0 }, at)
                }
                PendingFault::AllocAt(at) => (Fault::AllocFail { nth: 0 }, at),
                PendingFault::Reclaim { frame, page, at } => {
                    let frame = match page {
                        Some(p) => self.frame_of(p)?,
                        None => frame,
                    };
                    (Fault::Reclaim { frame, at: 0 }, at)
                }
            };
            match at {
                Timing::Step(n) => self.case.faults.push(with_step(f, n)),
                Timing::Label { .. } => timed.push((f, at)),
            }
        }
        self.resolve_label_timed(timed)?;
        Ok(Litmus {
            case: self.case,
            title: self.title,
            expect: self.expect,
        })
    }
}

/// `f` timed before global step `n` (faults without a time unchanged).
fn with_step(f: Fault, n: u16) -> Fault {
    match f {
        Fault::Signal { task, .. } => Fault::Signal { task, at: n },
        Fault::Reclaim { frame, .. } => Fault::Reclaim { frame, at: n },
        f => f,
    }
}

/// Counts allocations up to the `nth` step labelled `id` after setup.
struct AllocsBefore {
    id: StepId,
    nth: u8,
    setup_steps: u32,
    seen: u8,
    last: u8,
    found: Option<u8>,
}

impl crate::exec::replay::Observer for AllocsBefore {
    fn on_step(&mut self, w: &crate::world::World, _: crate::world::CtxId, id: StepId) {
        if self.found.is_none() && w.step_no > self.setup_steps && id == self.id {
            self.seen += 1;
            if self.seen == self.nth {
                self.found = Some(self.last);
            }
        }
        self.last = w.allocs;
    }
}

/// `f` placed at timing `t` of a run of `case`: a signal or reclaim before
/// (or after) the step, an allocation failure on the step's first allocation.
fn placed(case: &Case, f: Fault, t: Timing) -> Option<(u16, Fault)> {
    if let (Fault::AllocFail { .. }, Timing::Label { id, nth, .. }) = (f, t) {
        let setup_steps = crate::exec::replay::machine_after_setup(case).world.step_no;
        let mut obs = AllocsBefore {
            id,
            nth,
            setup_steps,
            seen: 0,
            last: 0,
            found: None,
        };
        crate::exec::replay::run_case(case, crate::exec::replay::RunOptions::default(), &mut obs);
        let before = obs.found?;
        let at = step_of(case, t)?;
        return Some((
            at,
            Fault::AllocFail {
                nth: before.checked_add(1)?,
            },
        ));
    }
    let at = step_of(case, t)?;
    Some((at, with_step(f, at)))
}

/// The global step number `t` names in a run of `case` (None: never reached).
fn step_of(case: &Case, t: Timing) -> Option<u16> {
    let Timing::Label { id, nth, after, .. } = t else {
        return None;
    };
    let out = crate::exec::replay::replay(case);
    let e = out
        .trace?
        .steps
        .into_iter()
        .filter(|e| e.phase == crate::trace::Phase::Main && e.step == id)
        .nth(usize::from(nth) - 1)?;
    u16::try_from(e.step_no + u32::from(after)).ok()
}

impl Parser<'_> {
    /// The frame that holds page `p` once the setup has run.
    fn frame_of(&self, p: PageRef) -> Res<u8> {
        let m = crate::exec::replay::machine_after_setup(&self.case);
        let slot = m
            .world
            .mappings
            .get(usize::from(p.mapping))
            .and_then(|mp| mp.slots.get(usize::from(p.index)));
        match slot {
            Some(s) if s.frame != crate::world::frame::NO_FRAME => Ok(s.frame),
            _ => self.err_at(
                p.line,
                p.col,
                format!(
                    "page {}:{} is not in the page cache after setup (a page names the frame that holds it then)",
                    crate::case::file_name(p.mapping),
                    p.index
                ),
            ),
        }
    }

    /// Turn label-timed faults into step numbers by running the case: the
    /// earliest of them first, with the faults already placed, so each is
    /// placed in the run it will be part of (a fault changes only what comes
    /// after it; replay is deterministic).
    fn resolve_label_timed(&mut self, mut timed: Vec<(Fault, Timing)>) -> Res<()> {
        while !timed.is_empty() {
            let mut best: Option<(usize, u16, Fault)> = None;
            for (i, (f, t)) in timed.iter().enumerate() {
                let Some((n, f)) = placed(&self.case, *f, *t) else {
                    let Timing::Label {
                        id, nth, line, col, ..
                    } = *t
                    else {
                        continue;
                    };
                    return self.err_at(
                        line,
                        col,
                        format!(
                            "the run (with the faults placed before this one) never reaches step {} \
                             (occurrence {nth}) to time this fault at",
                            id.name()
                        ),
                    );
                };
                if best.is_none_or(|(_, b, _)| n < b) {
                    best = Some((i, n, f));
                }
            }
            let Some((i, _, f)) = best else { break };
            timed.remove(i);
            self.case.faults.push(f);
        }
        Ok(())
    }
}

/// `(did you mean …?)` for an unknown step label.
fn step_hint(text: &str) -> String {
    let text = text.strip_suffix("()").unwrap_or(text);
    let aliases = crate::step_alias::ALIASES
        .iter()
        .filter(|al| al.name.contains(text) || text.contains(al.name))
        .map(|al| al.step.name());
    let mut near: Vec<&str> = StepId::ALL
        .iter()
        .map(|s| s.name())
        .filter(|n| n.contains(text) || text.contains(n))
        .chain(aliases)
        .collect();
    near.dedup();
    near.truncate(4);
    if near.is_empty() {
        String::from(" (see `pagelife steps`)")
    } else {
        format!(" (did you mean {}?)", near.join(", "))
    }
}

/// Parse a litmus file. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Res<Litmus> {
    let mut p = Parser::new(file);
    for (i, line) in text.lines().enumerate() {
        p.line = i + 1;
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        p.line(line)?;
    }
    p.finish()
}

/// Parse a litmus file from a reader, line by line, stopping at the first
/// error (a huge file with an early error is not read to its end).
/// Invalid UTF-8 is an error at its line.
pub fn parse_reader(r: impl BufRead, file: &str) -> Res<Litmus> {
    let mut p = Parser::new(file);
    for (i, line) in r.lines().enumerate() {
        p.line = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => return p.err(1, format!("expected text (UTF-8): {e}")),
        };
        let text = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            &line
        };
        p.line(text)?;
    }
    p.finish()
}

/// Parse a litmus file and keep only the case.
pub fn parse_str(text: &str, file: &str) -> Res<Case> {
    parse(text, file).map(|l| l.case)
}
