//! The `pagelife` command: find, replay, check and explain page-lifetime
//! races in the model. One file per subcommand; each is a thin layer over
//! `pagelife-core` and `pagelife-triage`.

#[macro_use]
mod out;

mod bench;
mod check;
mod dedup;
mod encode;
mod expect;
mod explain;
mod fuzz;
mod import;
mod input;
mod matrix;
mod minimize;
mod profiles;
mod progress;
mod records;
mod replay;
mod steps;
mod store;
mod stress;
mod verify;
mod width;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// What a subcommand that ran to the end says, as its exit status.
///
/// The rule, for every subcommand: **0** success; **1** an oracle fired —
/// only for `replay`, `check`, `fuzz` and `stress`, whose job is to say
/// whether something fires; **2** bad input or a failure (a file that
/// cannot be read or written, a bad option); **3** nothing to do (`minimize`
/// or `import` of a case on which nothing fires, `dedup` of a folder with no
/// files). A closed standard output (`| head -1`) ends any subcommand with 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Ok,
    /// Exit 1: an oracle fired (replay, check, fuzz, stress).
    Fired,
    /// Exit 3: nothing to do.
    Nothing,
    /// Exit 4: run on the profile its file declares, an oracle the file
    /// `expect`s did not fire (replay, check).
    Missed,
}

impl Status {
    /// `Fired` if `b`, else `Ok`.
    pub fn fired_if(b: bool) -> Status {
        if b {
            Status::Fired
        } else {
            Status::Ok
        }
    }
}

const AFTER_HELP: &str = "Exit status: 0 success; 1 an oracle fired (replay, check, fuzz, stress) or the patch does not close the race (verify); \
2 bad input or a failure; 3 nothing to do (minimize/import of a clean case, dedup of an empty folder); \
4 an oracle the file `expect`s did not fire on the file's own profile (replay, check). \
A closed standard output (e.g. `| head -1`) exits 0.";

/// pagelife: an executable model of Linux page-lifetime races, with
/// fuzzers, an exhaustive checker and oracles.
#[derive(Parser, Debug)]
#[command(name = "pagelife", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    /// No progress, notes or headers on standard error (results and errors still print).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Parse every input file as litmus text, whatever its name.
    #[arg(long, global = true, conflicts_with = "bytes")]
    litmus: bool,
    /// Decode every input file as fuzzer bytes, whatever it looks like.
    #[arg(long, global = true)]
    bytes: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Fuzz the model with the built-in engine; save and print findings (exit 1 if any).
    Fuzz(fuzz::FuzzArgs),
    /// Replay a case and print its interleaving and verdict (exit 1 if an oracle fired).
    Replay(replay::ReplayArgs),
    /// Explore every interleaving up to K preemptions, or all (`--bound inf`); exit 1 on a violation.
    Check(check::CheckArgs),
    /// Run the file's tasks on real threads with random delays (the stress baseline; exit 1 if found).
    Stress(stress::StressArgs),
    /// Write litmus files as the bytes fuzzers read (seed corpora).
    Encode(encode::EncodeArgs),
    /// Measure time and executions to first finding of each seed race, per strategy.
    Bench(bench::BenchArgs),
    /// Minimize a finding: fewer tasks, operations and context switches, same signature.
    Minimize(minimize::MinimizeArgs),
    /// Export a finding: table, litmus, JSON, Rust test or SVG.
    Explain(explain::ExplainArgs),
    /// Replay files against every profile: which kernels have the race, which fixes close it.
    Matrix(matrix::MatrixArgs),
    /// Does a patch close the race? Replay, check and fuzz base and patched (exit 1 unless it closes all, adds none).
    Verify(verify::VerifyArgs),
    /// Group a folder of findings (litmus, bytes, crash files) by signature.
    Dedup(dedup::DedupArgs),
    /// Turn a libFuzzer/AFL crash file into a minimized litmus file.
    Import(import::ImportArgs),
    /// List the named profiles and fix toggles.
    Profiles,
    /// List the step labels a litmus schedule can use.
    Steps {
        /// Print each step's full documentation.
        #[arg(long)]
        verbose: bool,
        /// Print the audit table of docs/model.md (Markdown): each step's
        /// kernel code, the locks held across it, the shared state it touches.
        #[arg(long)]
        audit: bool,
    },
    /// Print the JSON Schema of `--json` lines.
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `pagelife man | man -l -`.
    Man,
}

/// The command line, with the long version (commit and codec format).
pub fn command() -> clap::Command {
    let st = out::stamp();
    let long = format!(
        "{} (commit {}, codec format {})",
        st.pagelife, st.commit, st.format
    );
    let long: &'static str = Box::leak(long.into_boxed_str());
    Cli::command().long_version(long)
}

fn dispatch(cmd: &Cmd) -> anyhow::Result<Status> {
    match cmd {
        Cmd::Fuzz(a) => fuzz::run(a),
        Cmd::Bench(a) => bench::run(a),
        Cmd::Minimize(a) => minimize::run(a),
        Cmd::Explain(a) => explain::run(a),
        Cmd::Matrix(a) => matrix::run(a),
        Cmd::Verify(a) => verify::run(a),
        Cmd::Dedup(a) => dedup::run(a),
        Cmd::Import(a) => import::run(a),
        Cmd::Encode(a) => encode::run(a),
        Cmd::Replay(a) => replay::run(a),
        Cmd::Check(a) => check::run(a),
        Cmd::Stress(a) => stress::run(a),
        Cmd::Profiles => profiles::run(),
        Cmd::Steps { verbose, audit } => steps::run(*verbose, *audit),
        Cmd::Schema => {
            out!("{}", records::schema());
            Ok(Status::Ok)
        }
        Cmd::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut command(), "pagelife", &mut buf);
            out!("{}", String::from_utf8_lossy(&buf));
            Ok(Status::Ok)
        }
        Cmd::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(command()).render(&mut buf)?;
            out!("{}", String::from_utf8_lossy(&buf));
            Ok(Status::Ok)
        }
    }
}

/// Whether `e` is, at bottom, a closed pipe.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if let Err(pe) = e.print() {
                if pe.kind() != std::io::ErrorKind::BrokenPipe {
                    return ExitCode::from(2);
                }
            }
            return ExitCode::from(code);
        }
    };
    out::set_global(out::Global {
        quiet: cli.quiet,
        force_litmus: cli.litmus,
        force_bytes: cli.bytes,
    });
    let r = dispatch(&cli.cmd);
    out::flush_out();
    match r {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Fired) => ExitCode::from(1),
        Ok(Status::Nothing) => ExitCode::from(3),
        Ok(Status::Missed) => ExitCode::from(4),
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            warnln!("pagelife: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
