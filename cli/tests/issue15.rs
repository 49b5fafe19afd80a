//! Issue 15: never lose or overwrite a finding; no panic on any input or
//! pipe; output that fits a script, CI and a mail. Each test runs the built
//! binary in a temporary folder, as a user would.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test; `PAGELIFE_BIN` runs these tests against another
/// build (e.g. one from before the fixes, to see each test fail there).
fn exe() -> String {
    std::env::var("PAGELIFE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_pagelife").to_string())
}

fn bin() -> Command {
    let mut c = Command::new(exe());
    c.current_dir(root());
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh temporary folder for one test.
fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pagelife-i15-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file under `dir`, with its content.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let b = std::fs::read(&p).unwrap();
                out.push((p, b));
            }
        }
    }
    out.sort();
    out
}

fn assert_fits_80(what: &str, text: &str) {
    for l in text.lines() {
        assert!(
            l.chars().count() <= 80,
            "{what}: line over 80 columns ({}): {l:?}",
            l.chars().count()
        );
    }
}

// Items 1-3: the findings folder.

#[test]
fn item1_an_output_folder_that_cannot_be_written_is_an_error_at_once() {
    let t = Instant::now();
    let (code, out, err) = run(&["fuzz", "--time", "20", "--jobs", "1", "--out", "/proc/self"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("cannot write to the findings folder"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10));
}

/// A 64 KiB tmpfs, if this machine lets us mount one.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn new(name: &str) -> Option<Tmpfs> {
        let d = tmpdir(name);
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs", s(&d)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs(d))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn item2_disk_full_exits_2_leaves_no_partial_files_and_lists_what_was_not_saved() {
    let (dir, mut cmd, _guard);
    if let Some(t) = Tmpfs::new("full") {
        dir = t.0.clone();
        _guard = Some(t);
        cmd = bin();
        cmd.args(["fuzz", "--time", "20", "--jobs", "1", "--out", s(&dir)]);
    } else {
        // No mount here: a file-size limit instead (SIGXFSZ ignored, so writes fail with EFBIG).
        dir = tmpdir("fsize");
        _guard = None;
        cmd = Command::new("sh");
        cmd.current_dir(root()).args([
            "-c",
            &format!(
                "trap '' XFSZ; ulimit -f 2; exec {} fuzz --time 20 --jobs 1 --out {}",
                exe(),
                s(&dir)
            ),
        ]);
    }
    let o = cmd.output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(out.contains("NOT SAVED"), "{out}");
    assert!(err.contains("could not save"), "{err}");
    for (p, _) in files(&dir) {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !name.starts_with(".tmp"),
            "partial file left: {}",
            p.display()
        );
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let d = e.unwrap().path();
        for f in ["description", "meta.json", "repro.bin", "repro.litmus"] {
            assert!(d.join(f).is_file(), "{} has no {f}", d.display());
        }
    }
}

#[test]
fn item3_two_runs_into_one_folder_merge_and_overwrite_nothing() {
    let dir = tmpdir("merge");
    let out = s(&dir);
    let (code, o1, e1) = run(&[
        "fuzz", "--time", "2", "--jobs", "1", "--seed", "1", "--out", out,
    ]);
    assert_eq!(code, 1, "{o1}{e1}");
    let first = files(&dir);
    assert!(!first.is_empty());
    let (code, o2, e2) = run(&[
        "fuzz", "--time", "2", "--jobs", "1", "--seed", "2", "--out", out,
    ]);
    assert_eq!(code, 1, "{o2}{e2}");
    let after = files(&dir);
    for (p, b) in &first {
        let now = after.iter().find(|(q, _)| q == p);
        assert_eq!(
            now.map(|x| &x.1),
            Some(b),
            "{} changed or vanished",
            p.display()
        );
    }
    // Folders are named by the signature's stable id: 12 hex digits, then the oracle.
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        let (id, oracle) = name.split_at(12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
        assert!(oracle.starts_with('-'), "{name}");
    }
    // Every saved litmus file replays with its signature and carries the version stamp.
    let lit = first
        .iter()
        .find(|(p, _)| p.ends_with("repro.litmus"))
        .unwrap();
    let text = String::from_utf8_lossy(&lit.1);
    assert!(text.contains("# pagelife 0.1.0 (commit "), "{text}");
    let meta = lit.0.with_file_name("meta.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(meta).unwrap()).unwrap();
    assert_eq!(v["stamp"]["format"], pagelife_core::codec::FORMAT_VERSION);
    assert_eq!(run(&["replay", s(&lit.0)]).0, 1);
}

// Item 4: a second SIGINT within 100 ms is the same Ctrl-C.

#[test]
fn item4_two_sigints_close_together_are_one_ctrl_c() {
    let dir = tmpdir("sigint");
    let child = bin()
        .args(["fuzz", "--time", "30", "--jobs", "1", "--out", s(&dir)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id() as i32;
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    std::thread::sleep(Duration::from_millis(20));
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_ne!(o.status.code(), Some(130), "{out}");
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("stopped by Ctrl-C"), "{out}");
}

// Item 5: without a terminal, the header and NEW lines are plain lines.

#[test]
fn item5_without_a_terminal_fuzz_prints_its_header_and_findings() {
    let dir = tmpdir("notty");
    // Run where a user would: the findings folder relative to the current one.
    let o = bin()
        .current_dir(&dir)
        .args(["fuzz", "--time", "2", "--jobs", "1", "--out", "findings"])
        .output()
        .unwrap();
    let (code, out, err) = (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("pagelife fuzz: targets"), "{out}");
    assert!(out.contains(" NEW ["), "{out}");
    // Item 18: the whole run, table included, fits 80 columns; item 20: the triage columns.
    assert_fits_80("fuzz", &out);
    assert!(out.contains("mainline") && out.contains("serial"), "{out}");
    // -q: no header.
    let (_, out, _) = run(&["fuzz", "-q", "--time", "1", "--jobs", "1", "--out", s(&dir)]);
    assert!(!out.contains("pagelife fuzz: targets"), "{out}");
}

// Item 6: a closed pipe ends every subcommand quietly.

#[test]
fn item6_a_closed_pipe_is_no_panic_for_any_subcommand() {
    let dir = tmpdir("pipe");
    let lit = "corpus/litmus/case1-reuse-bug-on.litmus";
    let bytes = write(
        &dir,
        "crash-1",
        &[
            pagelife_core::codec::FORMAT_VERSION,
            3,
            0,
            0,
            17,
            5,
            9,
            200,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
        ],
    );
    let out = s(&dir);
    let cases: Vec<Vec<&str>> = vec![
        vec!["steps", "--verbose"],
        vec!["steps"],
        vec!["profiles"],
        vec!["replay", lit],
        vec!["replay", "--signature", lit],
        vec!["replay", "--json", lit],
        vec!["explain", lit],
        vec!["explain", lit, "-f", "json"],
        vec!["explain", lit, "-f", "svg"],
        vec!["explain", lit, "-f", "rust"],
        vec!["explain", lit, "-f", "litmus"],
        vec!["check", lit, "--bound", "1"],
        vec!["minimize", lit],
        vec!["import", s(&bytes)],
        vec!["matrix", lit, "--bound", "0"],
        vec!["dedup", "corpus/litmus"],
        vec!["fuzz", "--list"],
        vec!["fuzz", "--time", "1", "--jobs", "1", "--out", out],
        vec!["schema"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["--help"],
    ];
    for args in cases {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let code = child.wait().unwrap().code();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(code, Some(0) | Some(1) | Some(3)),
            "{args:?} gave {code:?}: {err}"
        );
    }
}

// Item 7: durations and caps that do not fit are refused.

#[test]
fn item7_durations_that_overflow_are_refused_with_status_2() {
    for t in ["inf", "1e30", "1e19", "NaN", "-1", "0"] {
        let arg = format!("--time={t}");
        let (code, _, err) = run(&["fuzz", &arg, "--out", "/tmp/pagelife-never"]);
        assert_eq!(code, 2, "--time {t}: {err}");
        assert!(err.contains("--time"), "{err}");
    }
    for c in ["-1", "NaN", "inf"] {
        let arg = format!("--cap={c}");
        let (code, _, err) = run(&["bench", &arg, "--strategies", ""]);
        assert_eq!(code, 2, "--cap {c}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, _, err) = run(&[
        "stress",
        "corpus/litmus/case1-no-reuse.litmus",
        "--time",
        "inf",
    ]);
    assert_eq!(code, 2, "{err}");
}

// Item 8: a thread that cannot start is reported; the run stops.

#[test]
fn item8_a_thread_that_cannot_start_is_an_error_not_a_panic() {
    let dir = tmpdir("spawn");
    let o = bin()
        .args(["fuzz", "--time", "5", "--jobs", "2", "--out", s(&dir)])
        // A 16 TiB stack for every new thread: no machine maps that.
        .env("RUST_MIN_STACK", "17592186044416")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("cannot start job thread"), "{err}");
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("stopped by an error"), "{out}");
}

// Item 10: the Rust export parses whatever the title.

#[test]
fn item10_rust_export_parses_with_quotes_backslashes_and_hashes_in_names() {
    let dir = tmpdir("rust");
    let case = std::fs::read_to_string(root().join("corpus/litmus/case1-stale-dma.litmus"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("litmus "))
        .collect::<Vec<_>>()
        .join("\n");
    let titled = format!("litmus a\"b\\c\"##\n{case}\n");
    let files = [
        write(&dir, "titled.litmus", titled.as_bytes()),
        write(&dir, "x\"##.litmus", case.as_bytes()),
    ];
    let rustfmt = Command::new("rustfmt").arg("--version").output();
    for f in &files {
        let (code, rust, err) = run(&["explain", s(f), "-f", "rust"]);
        assert!(code == 0 || code == 1, "{err}");
        if rustfmt.is_err() {
            continue;
        }
        let p = write(&dir, "export.rs", rust.as_bytes());
        let o = Command::new("rustfmt")
            .args(["--edition", "2021", "--emit", "stdout"])
            .arg(&p)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: exported Rust does not parse:\n{}\n{rust}",
            f.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

// Item 11: control characters never reach the SVG.

#[test]
fn item11_control_characters_in_a_title_do_not_reach_the_svg() {
    let dir = tmpdir("svg");
    let case = std::fs::read_to_string(root().join("corpus/litmus/case1-stale-dma.litmus"))
        .unwrap()
        .replace("litmus case1-stale-dma", "litmus a\u{1}b");
    let f = write(&dir, "ctl.litmus", case.as_bytes());
    let (code, svg, err) = run(&["explain", s(&f), "-f", "svg"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        svg.chars().all(|c| c == '\n' || !c.is_control()),
        "a control character in the SVG"
    );
}

// Item 12: replay --signature keeps the profile's toggles.

#[test]
fn item12_replay_signature_prints_the_whole_profile() {
    let (_, out, _) = run(&[
        "replay",
        "--signature",
        "corpus/litmus/case1-reuse-bug-on.litmus",
        "--profile",
        "v5.8+073861ed77b6",
    ]);
    assert!(out.starts_with("v5.8+073861ed77b6 "), "{out}");
}

// Item 14: text that is not litmus is not run as some random case: fuzzer
// bytes start with the format version, and the error says what the file is.

#[test]
fn item14_text_read_as_fuzzer_bytes_is_said_so() {
    let (code, _, err) = run(&["replay", "README.md"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("text, but not a litmus file"), "{err}");
    let (code, _, err) = run(&["--bytes", "replay", "README.md"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("format version"), "{err}");
    let (code, _, err) = run(&["replay", "--litmus", "README.md"]);
    assert_eq!(code, 2, "{err}");
    // `-` reads standard input.
    let mut child = bin()
        .args(["replay", "--signature", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(root().join("corpus/litmus/case1-reuse-bug-on.litmus")).unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("v5.8 writeback-after-wait"));
}

// Item 15: --runs alone runs to N; --jobs 0 is refused.

#[test]
fn item15_runs_alone_is_the_only_limit_and_jobs_0_is_refused() {
    let dir = tmpdir("runs");
    let (_, out, err) = run(&["fuzz", "--runs", "3000", "--jobs", "1", "--out", s(&dir)]);
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("stopped by the execution limit (3000 runs)"),
        "{out}{err}"
    );
    let (code, _, err) = run(&["fuzz", "--jobs", "0", "--out", s(&dir)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--jobs"), "{err}");
}

// Item 16: one exit-status rule.

#[test]
fn item16_exit_statuses_follow_one_rule() {
    let dir = tmpdir("exit");
    let lit = "corpus/litmus/case1-reuse-bug-on.litmus";
    let clean = write(
        &dir,
        "clean.litmus",
        b"profile mainline\ntask A:\n  write f0 0\n",
    );
    let crash = write(
        &dir,
        "crash-x",
        &std::fs::read(
            root()
                .join("corpus/writeback")
                .read_dir()
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        .unwrap(),
    );
    let empty = tmpdir("exit-empty");
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["explain", lit], 0),
        (vec!["minimize", lit], 0),
        (vec!["minimize", s(&clean)], 3),
        (vec!["import", s(&clean)], 3),
        (vec!["matrix", lit, "--bound", "0"], 0),
        (vec!["dedup", s(&empty)], 3),
        (vec!["dedup", "corpus/litmus"], 0),
        (vec!["replay", lit], 1),
        (vec!["replay", s(&clean)], 0),
    ];
    for (args, want) in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, want, "{args:?}: {out}{err}");
    }
    let (code, _, err) = run(&["import", s(&crash)]);
    assert!(code == 0 || code == 3, "{err}");
    let (_, help, _) = run(&["--help"]);
    assert!(
        help.contains("Exit status: 0 success; 1 an oracle fired"),
        "{help}"
    );
}

// Item 17: --json lines with the version stamp, and a published schema.

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .collect()
}

#[test]
fn item17_json_lines_carry_the_stamp_and_match_the_published_schema() {
    let dir = tmpdir("json");
    let lit = "corpus/litmus/case1-reuse-bug-on.litmus";
    let runs: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec![
                "fuzz",
                "--json",
                "--time",
                "1",
                "--jobs",
                "1",
                "--out",
                s(&dir),
            ],
            &["fuzz-start", "fuzz-summary"],
        ),
        (vec!["replay", "--json", lit], &["replay"]),
        (vec!["check", "--json", lit, "--bound", "1"], &["check"]),
        (
            vec!["matrix", "--json", lit, "--bound", "0"],
            &["matrix-cell"],
        ),
        (
            vec!["dedup", "--json", "corpus/litmus"],
            &["dedup-group", "dedup-summary"],
        ),
    ];
    let (_, schema, _) = run(&["schema"]);
    let published = std::fs::read_to_string(root().join("docs/records.schema.json")).unwrap();
    assert_eq!(
        schema, published,
        "docs/records.schema.json is stale: pagelife schema > docs/records.schema.json"
    );
    for (args, kinds) in runs {
        let (_, out, err) = run(&args);
        let recs = json_lines(&out);
        assert!(!recs.is_empty(), "{args:?}: {err}");
        for r in &recs {
            assert_eq!(r["pagelife"], "0.1.0", "{r}");
            assert!(r["commit"].is_string(), "{r}");
            assert_eq!(r["format"], pagelife_core::codec::FORMAT_VERSION, "{r}");
            let kind = r["record"].as_str().unwrap();
            assert!(
                schema.contains(&format!("\"{kind}\"")),
                "{kind} not in the schema"
            );
        }
        for k in kinds {
            assert!(
                recs.iter().any(|r| r["record"] == *k),
                "{args:?}: no {k} record"
            );
        }
    }
}

// Items 18, 20, 21: 80 columns, triage columns, toggle subjects.

#[test]
fn item18_tables_fit_80_columns() {
    let dir = tmpdir("width");
    let four = write(
        &dir,
        "four.litmus",
        b"profile v5.10\nsetup:\n  write f0 0\n  writeback f0 none\ntask A:\n  write f0 0\n  writeback f0 none\n  fsync f0\ntask B:\n  truncate f0 0\n  write f0 0\ntask C:\n  fsync f0\n  truncate f0 0\n",
    );
    for args in [
        vec!["replay", s(&four)],
        vec!["replay", "corpus/litmus/case2-norefs-find-get-block.litmus"],
        vec![
            "check",
            "corpus/litmus/case1-no-reuse.litmus",
            "--profile",
            "v5.10",
        ],
        vec!["check", s(&four), "--bound", "1"],
        vec![
            "matrix",
            "corpus/litmus/case1-no-reuse.litmus",
            "corpus/litmus/case4-iomap-stale-zero.litmus",
            "--bound",
            "1",
            "--profile",
            "v5.8+073861ed77b6",
        ],
        vec!["dedup", "corpus/litmus"],
        vec!["profiles"],
        vec!["steps"],
        vec!["fuzz", "--list"],
    ] {
        let (_, out, err) = run(&args);
        assert!(!out.is_empty(), "{args:?}: {err}");
        assert_fits_80(&format!("{args:?}"), &out);
    }
    // Saved litmus text: our comments fit (the `expect` line is core's printer's).
    let (_, out, _) = run(&["minimize", "corpus/litmus/case1-stale-dma.litmus"]);
    let comments: Vec<&str> = out.lines().filter(|l| l.starts_with('#')).collect();
    assert!(comments.len() > 3, "{out}");
    assert_fits_80("minimize comments", &comments.join("\n"));
    let (_, out, _) = run(&[
        "matrix",
        "corpus/litmus/case1-no-reuse.litmus",
        "--bound",
        "0",
        "--profile",
        "v5.8+073861ed77b6",
    ]);
    assert!(out.contains("073861ed77b6  "), "no toggle legend: {out}");
    let (_, md, _) = run(&[
        "matrix",
        "corpus/litmus/case1-no-reuse.litmus",
        "--bound",
        "0",
        "--format",
        "markdown",
    ]);
    assert!(md.starts_with("| profile | case1-no-reuse |"), "{md}");
    let (_, csv, _) = run(&[
        "matrix",
        "corpus/litmus/case1-no-reuse.litmus",
        "--bound",
        "0",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with("file,profile,replay,check\n"), "{csv}");
}

#[test]
fn item20_dedup_says_also_on_mainline_and_serial_with_a_title() {
    // The gfs2 files and a reuse race, alone: a group's facts are its first
    // file's.
    let dir = tmpdir("dedup");
    for f in [
        "gfs2-short-write-stale-alloc.litmus",
        "gfs2-short-write-stale-signal.litmus",
        "case1-reuse-bug-on.litmus",
        "case1-no-reuse.litmus",
    ] {
        let text = std::fs::read(root().join("corpus/litmus").join(f)).unwrap();
        write(&dir, f, &text);
    }
    let (_, out, _) = run(&["dedup", "--json", s(&dir)]);
    let recs = json_lines(&out);
    let gfs2 = recs
        .iter()
        .find(|r| r["record"] == "dedup-group" && r["signature"]["oracle"] == "stale-read")
        .expect("the gfs2 stale-read group");
    assert_eq!(gfs2["facts"]["also_on_mainline"], true);
    assert_eq!(gfs2["facts"]["serial"], true);
    assert!(gfs2["signature"]["title"]
        .as_str()
        .unwrap()
        .starts_with("DATA LOSS: stale-read"));
    let reuse = recs
        .iter()
        .find(|r| r["signature"]["oracle"] == "writeback-after-wait")
        .expect("the reuse group");
    assert_eq!(reuse["facts"]["also_on_mainline"], false);
    assert_eq!(reuse["facts"]["serial"], false);
}

#[test]
fn item21_completions_and_man_page() {
    for sh in ["bash", "zsh", "fish"] {
        let (code, out, _) = run(&["completions", sh]);
        assert_eq!(code, 0);
        assert!(out.contains("pagelife") && out.contains("replay"), "{sh}");
    }
    let (code, man, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH pagelife"), "{man}");
    let (_, v, _) = run(&["--version"]);
    assert!(
        v.contains(&format!(
            "codec format {}",
            pagelife_core::codec::FORMAT_VERSION
        )),
        "{v}"
    );
}
