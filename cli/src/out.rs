//! Output, the way Unix tools do it: a closed pipe ends the command quietly
//! (`pagelife steps | head -1` exits 0), `-q` silences notes and progress,
//! and every `--json` record carries the version stamp.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use pagelife_core::codec::FORMAT_VERSION;
use schemars::JsonSchema;
use serde::Serialize;

/// Options every subcommand shares, set once from the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Global {
    /// `-q`: no notes, no progress, no headers on standard error.
    pub quiet: bool,
    /// `--litmus`: every input file is parsed as litmus text.
    pub force_litmus: bool,
    /// `--bytes`: every input file is decoded as fuzzer bytes.
    pub force_bytes: bool,
}

static GLOBAL: OnceLock<Global> = OnceLock::new();

/// Set the shared options (once, from `main`).
pub fn set_global(g: Global) {
    let _ = GLOBAL.set(g);
}

/// The shared options.
pub fn global() -> Global {
    GLOBAL.get().copied().unwrap_or_default()
}

/// Write to standard output. A closed pipe (EPIPE) ends the process with
/// status 0, as `head` expects of the command feeding it; any other write
/// error ends it with status 2 and the error.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_fmt(args) {
        write_failed(&e);
    }
}

/// Flush standard output, with the same rule for a closed pipe.
pub fn flush_out() {
    if let Err(e) = std::io::stdout().lock().flush() {
        write_failed(&e);
    }
}

/// What a failed write to standard output does (see [`write_out`]).
pub fn write_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    let _ = writeln!(
        std::io::stderr(),
        "pagelife: error: writing to standard output: {e}"
    );
    std::process::exit(2);
}

/// A note on standard error, unless `-q`. Never fails (a closed standard
/// error loses the note, nothing else).
pub fn note(args: std::fmt::Arguments<'_>) {
    if !global().quiet {
        let _ = std::io::stderr().lock().write_fmt(args);
    }
}

/// A line on standard error even with `-q`: errors and warnings that change what a result means.
pub fn warn(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Whether standard error is a terminal and progress may be drawn there.
pub fn progress_allowed() -> bool {
    !global().quiet && std::io::stderr().is_terminal()
}

/// `println!` to standard output under the closed-pipe rule of [`write_out`].
#[macro_export]
macro_rules! outln {
    () => { $crate::out::write_out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::out::write_out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` to standard output under the closed-pipe rule of [`write_out`].
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::out::write_out(format_args!($($t)*)) };
}

/// `eprintln!` unless `-q`, never panicking.
#[macro_export]
macro_rules! noteln {
    ($($t:tt)*) => { $crate::out::note(format_args!("{}\n", format_args!($($t)*))) };
}

/// `eprintln!` even with `-q`, never panicking.
#[macro_export]
macro_rules! warnln {
    ($($t:tt)*) => { $crate::out::warn(format_args!("{}\n", format_args!($($t)*))) };
}

/// Which pagelife wrote a record or a file: in every `--json` record and
/// as a comment in every saved litmus file.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Stamp {
    /// The pagelife version (`CARGO_PKG_VERSION`).
    pub pagelife: &'static str,
    /// The git commit it was built from (`unknown` when built without git).
    pub commit: &'static str,
    /// `pagelife_core::codec::FORMAT_VERSION`: how fuzzer bytes decode.
    pub format: u8,
}

/// The stamp of this binary.
pub fn stamp() -> Stamp {
    Stamp {
        pagelife: env!("CARGO_PKG_VERSION"),
        commit: env!("PAGELIFE_GIT_COMMIT"),
        format: FORMAT_VERSION,
    }
}

/// The stamp as one line, for `--version` and litmus comments.
pub fn stamp_line() -> String {
    let s = stamp();
    format!(
        "pagelife {} (commit {}, codec format {})",
        s.pagelife, s.commit, s.format
    )
}

/// Print `record` as one JSON line.
pub fn json_line<T: Serialize>(record: &T) {
    match serde_json::to_string(record) {
        Ok(l) => outln!("{l}"),
        Err(e) => warnln!("pagelife: error: cannot serialize a record: {e}"),
    }
}
