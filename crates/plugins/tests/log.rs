//! The `log` check on files the test writes, appends to, rotates (rename
//! to FILE.1, and copytruncate) and truncates, with the state in a
//! temporary directory.

mod common_checks;

use std::io::Write;
use std::path::Path;

use common_checks::{TempDir, assert_result, check, usage_error};
use sonde_plugins::{Builtin, CheckPlugin, CheckResult, CheckStatus};

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open log");
    f.write_all(text.as_bytes()).expect("append");
}

/// A configured log check, run several times as the agent would.
fn plugin(a: &[&str]) -> Box<dyn CheckPlugin> {
    match sonde_plugins::lookup("log", &common_checks::args(a)) {
        Ok(Builtin::Check(c)) => c,
        other => panic!("{other:?}"),
    }
}

struct Case {
    dir: TempDir,
    log: String,
    state: String,
}

impl Case {
    fn new() -> Case {
        let dir = TempDir::new("log");
        std::fs::create_dir_all(dir.path().join("state")).expect("state dir");
        let log = dir.path().join("app.log").display().to_string();
        let state = dir.path().join("state").display().to_string();
        Case { dir, log, state }
    }

    fn path(&self) -> &Path {
        Path::new(&self.log)
    }

    fn run(&self, extra: &[&str]) -> CheckResult {
        let mut a = vec!["-f", &self.log, "-p", "ERROR", "--state-dir", &self.state];
        a.extend_from_slice(extra);
        check("log", &a)
    }
}

#[test]
fn counts_only_lines_since_the_last_run_and_quotes_them() {
    let c = Case::new();
    append(c.path(), "old ERROR before the first run\n");
    // The first run starts at the end, as check-log does.
    let r = c.run(&["-E", "retrying"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["LOG OK: 0 matching lines", "first run"],
    );
    append(
        c.path(),
        "fine\nERROR: disk full\nERROR: retrying\nok\nERROR: cannot write\n",
    );
    let r = c.run(&["-E", "retrying"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &[
            "LOG CRITICAL: 2 matching lines in",
            "app.log for pattern /ERROR/",
            "\n\"ERROR: disk full\"",
            "\n\"ERROR: cannot write\"",
        ],
    );
    assert!(!r.message.contains("before the first run"), "{}", r.message);
    // Nothing new since.
    let r = c.run(&["-E", "retrying"]);
    assert_result(&r, CheckStatus::Ok, &["0 matching lines"]);
    // The first three are quoted, the rest counted.
    append(c.path(), &"ERROR again\n".repeat(5));
    let r = c.run(&["-E", "retrying"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["5 matching lines", "\n... and 2 more"],
    );
    assert_eq!(
        r.message.matches("\"ERROR again\"").count(),
        3,
        "{}",
        r.message
    );
}

#[test]
fn two_checks_of_one_file_keep_their_own_positions() {
    let c = Case::new();
    append(c.path(), "start\n");
    let mut a = plugin(&["-f", &c.log, "-p", "ERROR", "--state-dir", &c.state]);
    let mut b = plugin(&["-f", &c.log, "-p", "disk", "--state-dir", &c.state]);
    a.check();
    b.check();
    append(c.path(), "ERROR: disk full\n");
    assert_result(&a.check(), CheckStatus::Critical, &["1 matching lines"]);
    assert_result(&b.check(), CheckStatus::Critical, &["1 matching lines"]);
}

#[test]
fn warning_and_critical_counts() {
    // (lines, flags, status): -w/-c are "more than", as check-log's are.
    let cases: &[(&str, &[&str], CheckStatus)] = &[
        (
            "ERROR 1\nERROR 2\n",
            &["-w", "1", "-c", "5"],
            CheckStatus::Warning,
        ),
        (
            "ERROR 3\nerror 4\n",
            &["-w", "0", "-c", "1", "-i"],
            CheckStatus::Critical,
        ),
        (
            "ERROR 3\nerror 4\n",
            &["-w", "1", "-c", "2"],
            CheckStatus::Ok,
        ),
        ("ERROR 5\n", &["-w", "1", "-c", "1"], CheckStatus::Ok),
    ];
    for (lines, flags, status) in cases {
        let c = Case::new();
        append(c.path(), lines);
        let r = c.run(&[&["--check-first"][..], flags].concat());
        assert_eq!(r.status, *status, "{flags:?}: {}", r.message);
    }
}

#[test]
fn a_line_still_being_written_waits_for_its_end() {
    let c = Case::new();
    let mut p = plugin(&[
        "-f",
        &c.log,
        "-p",
        "ERROR",
        "--state-dir",
        &c.state,
        "--check-first",
    ]);
    append(c.path(), "ERROR one\nERR");
    assert_result(&p.check(), CheckStatus::Critical, &["1 matching lines"]);
    append(c.path(), "OR two\n");
    assert_result(
        &p.check(),
        CheckStatus::Critical,
        &["1 matching lines", "\"ERROR two\""],
    );
}

#[test]
fn rotation_to_file_1_loses_nothing() {
    let c = Case::new();
    append(c.path(), "start\n");
    c.run(&[]);
    append(c.path(), "ERROR a\nERROR b\n");
    // logrotate's default: rename, then a new file at the path.
    std::fs::rename(c.path(), c.dir.path().join("app.log.1")).expect("rotate");
    append(c.path(), "ERROR c\n");
    let r = c.run(&[]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &[
            "3 matching lines",
            "(rotated)",
            "\"ERROR a\"",
            "\"ERROR c\"",
        ],
    );
    let r = c.run(&[]);
    assert_result(&r, CheckStatus::Ok, &["0 matching lines"]);
}

#[test]
fn rotation_elsewhere_or_truncation_starts_the_new_file_at_zero() {
    let c = Case::new();
    append(
        c.path(),
        "start with a long first line to be truncated away\n",
    );
    c.run(&[]);
    // copytruncate: same inode, shorter file.
    std::fs::write(c.path(), "ERROR x\n").expect("truncate");
    let r = c.run(&[]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["1 matching lines", "truncated or replaced"],
    );
    // Moved away where we cannot see it: the new file from its start.
    append(c.path(), "ERROR lost\n");
    std::fs::rename(c.path(), c.dir.path().join("elsewhere")).expect("move");
    append(c.path(), "ERROR y\nERROR z\n");
    let r = c.run(&[]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["2 matching lines", "\"ERROR y\""],
    );
}

#[test]
fn a_run_reads_at_most_max_bytes_and_the_next_continues() {
    let c = Case::new();
    append(c.path(), "start\n");
    c.run(&["--max-bytes", "60"]);
    let line = "ERROR 0123456789\n"; // 17 bytes
    append(c.path(), &line.repeat(10));
    let r = c.run(&["--max-bytes", "60"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["3 matching lines", "119 bytes over --max-bytes"],
    );
    let r = c.run(&["--max-bytes", "60"]);
    assert_result(&r, CheckStatus::Critical, &["3 matching lines", "68 bytes"]);
    let r = c.run(&["--max-bytes", "60"]);
    assert_result(&r, CheckStatus::Critical, &["3 matching lines", "17 bytes"]);
    let r = c.run(&["--max-bytes", "60"]);
    assert_result(&r, CheckStatus::Critical, &["1 matching lines"]);
    assert!(!r.message.contains("bytes over"), "{}", r.message);
}

#[test]
fn a_missing_file_and_no_state() {
    let c = Case::new();
    let r = c.run(&[]);
    assert_result(&r, CheckStatus::Unknown, &["app.log", "No such file"]);
    let r = c.run(&["--missing", "critical"]);
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    append(c.path(), "ERROR 1\n");
    // Without state every run reads the whole file.
    for _ in 0..2 {
        let r = check("log", &["-f", &c.log, "-p", "ERROR", "--no-state"]);
        assert_result(&r, CheckStatus::Critical, &["1 matching lines"]);
    }
}

#[test]
fn a_corrupt_state_file_is_a_fresh_start() {
    let c = Case::new();
    append(c.path(), "ERROR before\n");
    c.run(&[]);
    for e in std::fs::read_dir(&c.state).expect("state dir") {
        std::fs::write(e.expect("entry").path(), "{not json").expect("corrupt");
    }
    append(c.path(), "ERROR after\n");
    let r = c.run(&[]);
    assert_result(&r, CheckStatus::Ok, &["first run"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert!(
        usage_error("log", &["-p", "x"])
            .to_string()
            .contains("--file")
    );
    assert!(
        usage_error("log", &["-f", "/x"])
            .to_string()
            .contains("--pattern")
    );
    assert!(
        usage_error("log", &["-f", "/x", "-p", "("])
            .to_string()
            .contains("regex")
    );
    assert!(
        usage_error("log", &["-f", "/x", "-p", "a", "--missing", "maybe"])
            .to_string()
            .contains("maybe")
    );
}
