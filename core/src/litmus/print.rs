//! Printing a case as a litmus file (the inverse of the parser).

use std::fmt::Write;

use crate::case::{Case, Fault, Run, DEFAULT_NAMES};
use crate::oracle::OracleId;
use crate::world::{Config, CtxId, BIO_CTX0, MAX_TASKS, TASK_KSWAPD};

fn usable_names(case: &Case) -> Vec<String> {
    let names = case.names();
    let ok = names.iter().enumerate().all(|(i, n)| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && n != "kswapd"
            && n != "init"
            && n != "umount"
            && n.strip_prefix("io")
                .is_none_or(|d| d.parse::<u32>().is_err())
            && !names[..i].contains(n)
    });
    if ok {
        names
    } else {
        (0..names.len())
            .map(|i| DEFAULT_NAMES[i.min(MAX_TASKS - 1)].to_string())
            .collect()
    }
}

fn ctx(c: CtxId, names: &[String]) -> String {
    if (c as usize) < MAX_TASKS {
        names
            .get(c as usize)
            .cloned()
            .unwrap_or_else(|| DEFAULT_NAMES[c as usize].to_string())
    } else if c == TASK_KSWAPD {
        "kswapd".into()
    } else {
        format!("io{}", c.saturating_sub(BIO_CTX0))
    }
}

/// Print `case` as a litmus file with an optional title, expectations and
/// leading comment lines.
pub fn print(case: &Case, title: Option<&str>, expect: &[OracleId], comments: &[String]) -> String {
    let mut s = String::new();
    for c in comments {
        for l in c.lines() {
            let _ = writeln!(s, "# {l}");
        }
    }
    if let Some(t) = title {
        let _ = writeln!(s, "litmus {t}");
    }
    let _ = writeln!(s, "profile {}", case.profile);
    if case.config != Config::default() {
        let _ = writeln!(s, "config {}", config_line(&case.config));
    }
    if !expect.is_empty() {
        let names: Vec<&str> = expect.iter().map(|o| o.name()).collect();
        let _ = writeln!(s, "expect {}", names.join(" "));
    }
    if !case.setup.is_empty() {
        let _ = writeln!(s, "\nsetup:");
        for op in &case.setup {
            let _ = writeln!(s, "  {op}");
        }
    }
    let names = usable_names(case);
    for (i, t) in case.tasks.iter().enumerate() {
        let cpu = if t.cpu as usize != i {
            format!(" cpu={}", t.cpu)
        } else {
            String::new()
        };
        let thread = match (t.thread, t.fork) {
            (Some(l), _) => names.get(l as usize).map(|l| format!(" thread={l}")),
            (None, Some(p)) => names.get(p as usize).map(|p| format!(" fork={p}")),
            (None, None) => None,
        }
        .unwrap_or_default();
        let _ = writeln!(s, "\ntask {}{cpu}{thread}:", names[i]);
        for op in &t.ops {
            let _ = writeln!(s, "  {op}");
        }
    }
    schedule(&mut s, case, &names);
    faults(&mut s, case, &names);
    s
}

/// `frames=N buckets=N [bh=N] [fs=F [blocks=N]] [unfairness=N]`.
fn config_line(c: &Config) -> String {
    let mut l = format!("frames={} buckets={}", c.frames, c.wq_buckets);
    if c.bh_per_page > 1 {
        let _ = write!(l, " bh={}", c.bh_per_page);
    }
    if c.fs != crate::world::Fs::Simple {
        let _ = write!(l, " fs={}", c.fs.name());
        if c.file_bpp > 1 {
            let _ = write!(l, " blocks={}", c.file_bpp);
        }
    }
    if c.page_lock_unfairness != crate::world::PAGE_LOCK_UNFAIRNESS {
        let _ = write!(l, " unfairness={}", c.page_lock_unfairness);
    }
    l
}

fn schedule(s: &mut String, case: &Case, names: &[String]) {
    if case.schedule.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nschedule:");
    let w = case
        .schedule
        .iter()
        .map(|sl| ctx(sl.ctx, names).len())
        .max()
        .unwrap_or(0);
    for sl in &case.schedule {
        let run = match sl.run {
            Run::Block => "*".to_string(),
            Run::Steps(n) => n.to_string(),
            Run::Until(id, 1) => id.name().to_string(),
            Run::Until(id, k) => format!("{} x{k}", id.name()),
        };
        let _ = writeln!(s, "  {:w$} {run}", ctx(sl.ctx, names));
    }
}

fn faults(s: &mut String, case: &Case, names: &[String]) {
    if case.faults.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nfaults:");
    for f in &case.faults {
        let line = match *f {
            Fault::IoError { bio } => format!("io-error io{bio}"),
            Fault::AllocFail { nth } => format!("alloc-fail {nth}"),
            Fault::Signal { task, at } => format!("signal {} at {at}", ctx(task, names)),
            Fault::Reclaim { frame, at } => format!("reclaim frame{frame} at {at}"),
        };
        let _ = writeln!(s, "  {line}");
    }
}

/// Print a case with no title or comments.
pub fn print_case(case: &Case) -> String {
    print(case, None, &[], &[])
}
