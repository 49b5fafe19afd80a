//! The `pagelife` binary as a user runs it: exit statuses, and a clear
//! error with status 2 for malformed input to every command.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pagelife"));
    c.current_dir(root());
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tmp(name: &str, text: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pagelife-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn status(args: &[&str]) -> (i32, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).to_string() + &String::from_utf8_lossy(&o.stdout),
    )
}

#[test]
fn replay_exit_statuses() {
    assert_eq!(
        status(&["replay", "corpus/litmus/case1-reuse-bug-on.litmus"]).0,
        1
    );
    assert_eq!(
        status(&[
            "replay",
            "corpus/litmus/case1-reuse-bug-on.litmus",
            "--profile",
            "mainline"
        ])
        .0,
        0
    );
}

#[test]
fn check_exit_statuses() {
    assert_eq!(
        status(&[
            "check",
            "corpus/litmus/case1-no-reuse.litmus",
            "--profile",
            "v5.11"
        ])
        .0,
        0
    );
    assert_eq!(
        status(&[
            "check",
            "corpus/litmus/case1-no-reuse.litmus",
            "--profile",
            "v5.10"
        ])
        .0,
        1
    );
}

#[test]
fn malformed_input_is_a_clear_error_with_status_2_for_every_command() {
    let bad = tmp("bad.litmus", b"profile v5.8\ntask A:\n  write f9 0\n");
    let bad = bad.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["replay", bad],
        vec!["replay", "no/such/file"],
        vec![
            "replay",
            "corpus/litmus/case1-no-reuse.litmus",
            "--profile",
            "v9.9",
        ],
        vec!["check", bad],
        vec![
            "check",
            "corpus/litmus/case1-no-reuse.litmus",
            "--profile",
            "v5.8+nosuchfix",
        ],
        vec!["minimize", bad],
        vec!["explain", bad],
        vec![
            "explain",
            "corpus/litmus/case1-no-reuse.litmus",
            "--format",
            "pdf",
        ],
        vec!["matrix", bad],
        vec!["dedup", "no/such/dir"],
        vec!["import", bad],
        vec!["encode", bad, "--out", "/tmp/pagelife-never"],
        vec!["fuzz", "--target", "nosuchtarget", "--time", "1"],
        vec!["fuzz", "--time", "0"],
        vec!["bench", "--strategies", "magic"],
        vec!["stress", bad],
        vec!["stress", "no/such/file"],
        vec!["nosuchcommand"],
    ];
    for args in cases {
        let (code, out) = status(&args);
        assert_eq!(code, 2, "{args:?} gave {code}:\n{out}");
        assert!(out.contains("error"), "{args:?} printed no error:\n{out}");
    }
    // The litmus error names file, line and column.
    let (_, out) = status(&["replay", bad]);
    assert!(out.contains("bad.litmus:3:9"), "{out}");
}

#[test]
fn every_export_format_works_and_is_deterministic() {
    for f in ["table", "litmus", "json", "rust", "svg"] {
        let a = bin()
            .args(["explain", "corpus/litmus/case1-stale-dma.litmus", "-f", f])
            .output()
            .unwrap();
        let b = bin()
            .args(["explain", "corpus/litmus/case1-stale-dma.litmus", "-f", f])
            .output()
            .unwrap();
        assert_eq!(a.status.code(), Some(0), "{f}");
        assert!(!a.stdout.is_empty(), "{f}");
        assert_eq!(a.stdout, b.stdout, "{f} is not deterministic");
    }
    let json = bin()
        .args([
            "explain",
            "corpus/litmus/case1-stale-dma.litmus",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["schema"], "pagelife-finding/1");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["oracle"] == "stale-dma"));
}

#[test]
fn minimize_is_deterministic_and_keeps_the_signature() {
    let a = bin()
        .args(["minimize", "corpus/litmus/case1-reuse-bug-on.litmus"])
        .output()
        .unwrap();
    let b = bin()
        .args(["minimize", "corpus/litmus/case1-reuse-bug-on.litmus"])
        .output()
        .unwrap();
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(
        text.contains("writeback-after-wait@folio_clear_dirty_for_io+cross-incarnation-wakeup"),
        "{text}"
    );
    let out = tmp("min.litmus", &a.stdout);
    assert_eq!(status(&["replay", out.to_str().unwrap()]).0, 1);
}

#[test]
fn table_fits_a_mail_when_two_contexts_are_involved() {
    let two = tmp(
        "two.litmus",
        b"profile v5.10\nsetup:\n  write f0 0\n  writeback f0 none\ntask A:\n  write f0 0\n  writeback f0 none\n  fsync f0\nschedule:\n  io0 __folio_end_writeback\n  A folio_wait_bit_common\n  io0 *\n  A *\n",
    );
    let (code, out) = status(&["replay", two.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    for l in out.lines() {
        assert!(l.chars().count() <= 80, "line over 80 columns: {l:?}");
    }
}

#[test]
fn bench_extra_rows_must_have_the_tables_columns() {
    let rows = tmp("rows.md", b"| race | profile | strategy | found | m | r | e |\n|---|\n| case9 | toy | peer | 1/1 | 0.5 |\n");
    let (code, out) = status(&[
        "bench",
        "--strategies",
        "",
        "--extra",
        rows.to_str().unwrap(),
        "corpus/litmus/case1-no-reuse.litmus",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("rows.md:3"), "{out}");
    // Well-formed rows join the table, next to the race they name.
    let rows = tmp(
        "rows-ok.md",
        "| case1-no-reuse | toy model | shuttle random | 2/3 | 0.010 | 0.001–0.100 | 12 |\n| case9 | toy model | loom | 0/1 | > 5 | — | 7 |\n".as_bytes(),
    );
    let table = tmp("table.md", b"");
    let (code, out) = status(&[
        "bench",
        "--strategies",
        "",
        "--extra",
        rows.to_str().unwrap(),
        "--markdown",
        table.to_str().unwrap(),
        "corpus/litmus/case1-no-reuse.litmus",
    ]);
    assert_eq!(code, 0, "{out}");
    let t = std::fs::read_to_string(&table).unwrap();
    assert!(
        t.contains("| case1-no-reuse | toy model | shuttle random | 2/3 | 0.010 |"),
        "{t}"
    );
    assert!(
        t.contains("| case9 | toy model | loom | 0/1 | > 5 |"),
        "{t}"
    );
}

#[test]
fn replay_signature_prints_profile_and_signature() {
    let (code, out) = status(&[
        "replay",
        "--signature",
        "corpus/litmus/case1-reuse-bug-on.litmus",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        out.trim(),
        "v5.8 writeback-after-wait@folio_clear_dirty_for_io+cross-incarnation-wakeup"
    );
    let (code, out) = status(&[
        "replay",
        "--signature",
        "corpus/litmus/case1-reuse-bug-on.litmus",
        "--profile",
        "mainline",
    ]);
    assert_eq!((code, out.trim()), (0, "mainline clean"));
}

#[test]
fn a_stress_finding_is_a_litmus_file_that_replays_with_its_findings() {
    // The large-folio sleep in atomic fires on nearly every stress run.
    let (code, out) = status(&[
        "stress",
        "corpus/litmus/case3-large-folio-sleep.litmus",
        "--time",
        "20",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("WARNING"), "{out}");
    let f = tmp("stress-found.litmus", out.as_bytes());
    let (code, again) = status(&["replay", "--signature", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{again}");
    assert!(again.contains("sleep-in-atomic"), "{again}");
}
