//! Issue 20: `check --bound inf` (complete exploration with state
//! deduplication). Each test runs the built binary.

use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_pagelife"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn bound_inf_verifies_a_fixed_kernel_and_finds_the_race_on_an_old_one() {
    let f = "corpus/litmus/case1-stale-dma.litmus";
    let (code, out, _) = run(&["check", f, "--profile", "mainline", "--bound", "inf"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("verified: no violation under any interleaving of these tasks"),
        "{out}"
    );
    assert!(out.contains("bound inf"), "{out}");
    let (code, out, _) = run(&["check", f, "--profile", "v5.8", "--bound", "inf"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("found by pagelife check"), "{out}");
}

#[test]
fn bound_inf_that_hits_max_states_is_not_called_verified() {
    let f = "corpus/litmus/case1-reuse-bug-on.litmus";
    let args = [
        "check",
        f,
        "--profile",
        "mainline",
        "--bound",
        "inf",
        "--max-states",
        "1000",
    ];
    let (code, out, _) = run(&args);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("no violation"), "{out}");
    assert!(out.contains("STOPPED at --max-states"), "{out}");
}

#[test]
fn bad_bounds_are_refused() {
    let f = "corpus/litmus/case1-stale-dma.litmus";
    for b in ["255", "-1", "infinity", "1e3"] {
        let (code, _, err) = run(&["check", f, &format!("--bound={b}")]);
        assert_eq!(code, 2, "--bound {b}: {err}");
        assert!(err.contains("or `inf`"), "--bound {b}: {err}");
    }
    let (code, _, err) = run(&["check", f, "--bound", "inf", "--all"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("finite --bound"), "{err}");
}
