//! The `pagelife` command: find, replay, check and explain page-lifetime
//! races in the model. One file per subcommand; each is a thin layer over
//! `pagelife-core` and `pagelife-triage`.

mod bench;
mod check;
mod dedup;
mod encode;
mod explain;
mod fuzz;
mod import;
mod input;
mod matrix;
mod minimize;
mod profiles;
mod replay;
mod steps;
mod stress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// pagelife: an executable model of Linux page-lifetime races, with
/// fuzzers, an exhaustive checker and oracles.
#[derive(Parser, Debug)]
#[command(name = "pagelife", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Fuzz the model with the built-in engine; save and print findings (exit 1 if any).
    Fuzz(fuzz::FuzzArgs),
    /// Replay a case and print its interleaving and verdict (exit 1 if an oracle fired).
    Replay(replay::ReplayArgs),
    /// Explore every interleaving up to K preemptions (exit 1 on a violation).
    Check(check::CheckArgs),
    /// Run the file's tasks on real threads with random delays (the stress baseline).
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
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let r = match &cli.cmd {
        Cmd::Fuzz(a) => fuzz::run(a),
        Cmd::Bench(a) => bench::run(a),
        Cmd::Minimize(a) => minimize::run(a),
        Cmd::Explain(a) => explain::run(a),
        Cmd::Matrix(a) => matrix::run(a),
        Cmd::Dedup(a) => dedup::run(a),
        Cmd::Import(a) => import::run(a),
        Cmd::Encode(a) => encode::run(a),
        Cmd::Replay(a) => replay::run(a),
        Cmd::Check(a) => check::run(a),
        Cmd::Stress(a) => stress::run(a),
        Cmd::Profiles => {
            profiles::run();
            Ok(false)
        }
        Cmd::Steps { verbose } => {
            steps::run(*verbose);
            Ok(false)
        }
    };
    match r {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("pagelife: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
