//! Conformance with sysdig, measured.
//!
//! For every shared capture (`../shared/captures/*.scap`, beside the repository) and every case in
//! `tests/golden/cases.txt`, this runs
//!
//! ```text
//! TZ=UTC LC_ALL=C sonde dig -r ../shared/captures/CAPTURE.scap ARGS...
//! ```
//!
//! from the workspace root — exactly as `scripts/golden.sh` ran Debian's sysdig 0.29.3 to write
//! `tests/golden/CAPTURE/CASE.out` — and compares standard output byte for byte, line by line. The exit
//! status must agree too (success or failure); standard error is not compared.
//!
//! It is one test on purpose: every case runs before anything is asserted, so one run shows the whole
//! picture. The table (capture, case, identical/total lines, ratio) goes to standard output (written
//! directly, so libtest shows it without `--nocapture`) and to `target/conformance-report.txt`; sonde's own
//! output for each case is kept in `target/conformance/CAPTURE/CASE.out` for `diff` against the golden.
//! "Identical lines" counts the lines the two outputs have in common in order (their longest common
//! subsequence), so one missing line near the top costs one line, not the rest of the file.
//!
//! To regenerate the goldens (after changing `cases.txt`, or when a capture is added): `scripts/golden.sh`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const SONDE: &str = env!("CARGO_BIN_EXE_sonde");

/// Captures whose expected output is the golden of another capture.
///
/// `libs_curl_google_comments.scap` is `libs_curl_google.scap` after Wireshark's editcap added options (a
/// file-level comment and a few per-block comments) to its blocks. sysdig 0.29.3 cannot read it ("expecting 4
/// bytes, read 0"; its own golden records that failure, exit status 1), but the events are the same events:
/// a correct reader skips the options and prints exactly what sysdig prints for the original capture. So
/// sonde is held to `libs_curl_google`'s golden there, and must succeed.
const STAND_INS: &[(&str, &str)] = &[("libs_curl_google_comments", "libs_curl_google")];

/// A case that takes longer than this is killed and counted as a failure rather than hanging the suite.
const CASE_TIMEOUT: Duration = Duration::from_secs(300);

/// Above this many line pairs the longest common subsequence is not computed; lines are compared by position.
const LCS_CELL_LIMIT: usize = 200_000_000;

/// How many differing lines to show per failing case, and how many failing cases in the panic message.
const DIFF_LINES_SHOWN: usize = 3;
const FAILURES_SHOWN: usize = 20;

#[test]
fn sonde_dig_matches_sysdig_on_every_shared_capture() {
    let root = tidy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    let golden_dir = root.join("tests/golden");
    let captures_dir = root.join("../shared/captures");
    // CARGO_TARGET_TMPDIR is `<target dir>/tmp`, wherever CARGO_TARGET_DIR put the target dir.
    let target_dir = tidy(Path::new(env!("CARGO_TARGET_TMPDIR")).join(".."));
    let output_dir = target_dir.join("conformance");

    let captures = list_captures(&captures_dir);
    let cases = read_cases(&golden_dir.join("cases.txt"));
    // Stale outputs from an earlier run would mislead whoever diffs them.
    let _ = fs::remove_dir_all(&output_dir);

    let jobs: Vec<Job> = captures
        .iter()
        .flat_map(|capture| cases.iter().map(move |case| Job { capture, case }))
        .collect();
    let outcomes = run_all(&jobs, &root, &golden_dir, &output_dir);

    let report = render_report(&outcomes);
    let report_path = target_dir.join("conformance-report.txt");
    if let Err(err) = fs::write(&report_path, &report) {
        panic!("cannot write {}: {err}", report_path.display());
    }
    // Written to the stream itself, not through println!, so libtest does not swallow it on success.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());

    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if !failures.is_empty() {
        let mut message = format!(
            "{} of {} cases differ from sysdig 0.29.3 (full table: {}; sonde's output: {}/CAPTURE/CASE.out)\n",
            failures.len(),
            outcomes.len(),
            report_path.display(),
            output_dir.display(),
        );
        for outcome in failures.iter().take(FAILURES_SHOWN) {
            message.push_str(&outcome.details());
        }
        if failures.len() > FAILURES_SHOWN {
            let _ = writeln!(message, "... and {} more", failures.len() - FAILURES_SHOWN);
        }
        panic!("{message}");
    }
}

/// The path without its `..`s, for messages a person reads (unchanged if it does not exist).
fn tidy(path: PathBuf) -> PathBuf {
    fs::canonicalize(&path).unwrap_or(path)
}

struct Case {
    name: String,
    args: Vec<String>,
}

struct Job<'a> {
    capture: &'a str,
    case: &'a Case,
}

/// The stems of `../shared/captures/*.scap`, sorted.
fn list_captures(dir: &Path) -> Vec<String> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => panic!(
            "cannot read the shared captures in {}: {err}\n\
             The conformance test needs the project's shared directory beside the repository \
             (../shared/captures/*.scap), as CI provides it.",
            dir.display()
        ),
    };
    let mut stems: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scap"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    stems.sort();
    assert!(!stems.is_empty(), "no *.scap files in {}", dir.display());
    stems
}

/// `cases.txt`: one case per line, name then arguments, TAB-separated; `#` comments and blank lines skipped.
fn read_cases(path: &Path) -> Vec<Case> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => panic!("cannot read {}: {err}", path.display()),
    };
    let cases: Vec<Case> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            // Like bash's `IFS=$'\t' read -a` in scripts/golden.sh: runs of TABs separate, none are empty.
            let mut fields = line
                .split('\t')
                .filter(|field| !field.is_empty())
                .map(str::to_owned);
            let name = fields.next().unwrap_or_default();
            Case {
                name,
                args: fields.collect(),
            }
        })
        .collect();
    assert!(!cases.is_empty(), "no cases in {}", path.display());
    cases
}

/// Runs every job, a few at a time, and returns the outcomes in job order.
fn run_all(jobs: &[Job], root: &Path, golden_dir: &Path, output_dir: &Path) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let outcome = run_job(job, root, golden_dir, output_dir);
                    done.lock()
                        .unwrap_or_else(|poison| poison.into_inner())
                        .push((index, outcome));
                }
            });
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner());
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, outcome)| outcome).collect()
}

fn run_job(job: &Job, root: &Path, golden_dir: &Path, output_dir: &Path) -> Outcome {
    let capture = job.capture;
    let case = &job.case.name;
    let golden_from = STAND_INS
        .iter()
        .find(|(stand_in_for, _)| *stand_in_for == capture)
        .map_or(capture, |(_, golden)| *golden);
    let mut outcome = Outcome {
        capture: capture.to_owned(),
        case: case.clone(),
        golden_from: golden_from.to_owned(),
        identical: 0,
        total: 0,
        problem: None,
        diffs: Vec::new(),
    };

    let golden_case = golden_dir.join(golden_from).join(case);
    let golden_out = fs::read(golden_case.with_extension("out"));
    let golden_rc = fs::read_to_string(golden_case.with_extension("rc"));
    let (golden_out, golden_rc) = match (golden_out, golden_rc) {
        (Ok(out), Ok(rc)) => (out, rc.trim().parse::<i32>().unwrap_or(-1)),
        _ => {
            outcome.problem = Some(format!(
                "no golden {}.{{out,rc}}: run scripts/golden.sh",
                golden_case.display()
            ));
            return outcome;
        }
    };

    let capture_arg = format!("../shared/captures/{capture}.scap");
    let run = run_sonde(root, &capture_arg, &job.case.args);
    let kept = output_dir.join(capture);
    if fs::create_dir_all(&kept).is_ok() {
        let _ = fs::write(kept.join(format!("{case}.out")), &run.stdout);
        let _ = fs::write(kept.join(format!("{case}.err")), &run.stderr);
    }

    let golden_lines: Vec<&[u8]> = golden_out.split_inclusive(|&b| b == b'\n').collect();
    let our_lines: Vec<&[u8]> = run.stdout.split_inclusive(|&b| b == b'\n').collect();
    outcome.total = golden_lines.len().max(our_lines.len());
    outcome.identical = common_lines(&golden_lines, &our_lines);
    outcome.diffs = first_differences(&golden_lines, &our_lines);

    let stderr_tail = || {
        let text = String::from_utf8_lossy(&run.stderr);
        let text = text.trim();
        if text.is_empty() {
            String::new()
        } else {
            format!("; stderr: {}", shorten(text, 400))
        }
    };
    outcome.problem = match (&run.status, run.error.as_deref()) {
        (_, Some(error)) => Some(error.to_owned()),
        (None, None) => Some(format!("killed after {} s", CASE_TIMEOUT.as_secs())),
        (Some(status), None) if status.success() != (golden_rc == 0) => Some(format!(
            "{}, sysdig exited {golden_rc}{}",
            describe(status),
            stderr_tail()
        )),
        _ => None,
    };
    outcome
}

struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `None` when the process was killed for taking too long.
    status: Option<ExitStatus>,
    error: Option<String>,
}

fn run_sonde(root: &Path, capture_arg: &str, args: &[String]) -> Run {
    let spawned = Command::new(SONDE)
        .arg("dig")
        .arg("-r")
        .arg(capture_arg)
        .args(args)
        .current_dir(root)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            return Run {
                stdout: Vec::new(),
                stderr: Vec::new(),
                status: None,
                error: Some(format!("cannot run {SONDE}: {err}")),
            };
        }
    };
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );

    let deadline = Instant::now() + CASE_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    Run {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status,
        error: None,
    }
}

struct Outcome {
    capture: String,
    case: String,
    /// The capture whose golden was compared: `capture` itself unless it is in `STAND_INS`.
    golden_from: String,
    identical: usize,
    total: usize,
    /// Why the case fails apart from differing lines: a missing golden, the wrong exit status, a timeout.
    problem: Option<String>,
    /// The first differing lines, by position: (line number from 1, golden, ours).
    diffs: Vec<(usize, Option<String>, Option<String>)>,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.problem.is_none() && self.diffs.is_empty()
    }

    fn status(&self) -> String {
        let mut status = match (&self.problem, self.passed()) {
            (Some(problem), _) => format!("FAIL: {}", shorten(problem, 100)),
            (None, true) => "ok".to_owned(),
            (None, false) => "DIFF".to_owned(),
        };
        if self.golden_from != self.capture {
            let _ = write!(status, " (golden of {})", self.golden_from);
        }
        status
    }

    fn details(&self) -> String {
        let mut text = format!(
            "\n{} {}: {}/{} identical lines{}\n",
            self.capture,
            self.case,
            self.identical,
            self.total,
            self.problem
                .as_ref()
                .map(|p| format!("; {p}"))
                .unwrap_or_default()
        );
        for (line, golden, ours) in &self.diffs {
            let show =
                |side: &Option<String>| side.clone().unwrap_or_else(|| "<no line>".to_owned());
            let _ = writeln!(
                text,
                "  line {line}\n    sysdig: {}\n    sonde:  {}",
                show(golden),
                show(ours)
            );
        }
        text
    }
}

/// How many lines `a` and `b` have in common, in order: the length of their longest common subsequence.
fn common_lines(a: &[&[u8]], b: &[&[u8]]) -> usize {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() || b.is_empty() {
        return prefix + suffix;
    }
    if a.len().saturating_mul(b.len()) > LCS_CELL_LIMIT {
        // Too different to align cheaply: count the lines that agree by position.
        return prefix + suffix + a.iter().zip(b).filter(|(x, y)| x == y).count();
    }
    // Lines become small integers so that the quadratic loop compares numbers, not strings.
    let mut ids: HashMap<&[u8], u32> = HashMap::new();
    let (a, b) = (intern(a, &mut ids), intern(b, &mut ids));
    let mut previous = vec![0u32; b.len() + 1];
    let mut current = vec![0u32; b.len() + 1];
    for &x in &a {
        for (j, &y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                current[j].max(previous[j + 1])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    prefix + suffix + previous[b.len()] as usize
}

fn intern<'a>(lines: &[&'a [u8]], ids: &mut HashMap<&'a [u8], u32>) -> Vec<u32> {
    lines
        .iter()
        .map(|&line| {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            *ids.entry(line).or_insert(next)
        })
        .collect()
}

/// The first few positions where the outputs differ, with both lines as readable text.
fn first_differences(
    golden: &[&[u8]],
    ours: &[&[u8]],
) -> Vec<(usize, Option<String>, Option<String>)> {
    let show = |line: Option<&&[u8]>| {
        line.map(|line| match line.strip_suffix(b"\n") {
            Some(text) => shorten(&String::from_utf8_lossy(text), 300),
            None => format!(
                "{} <no newline at end>",
                shorten(&String::from_utf8_lossy(line), 300)
            ),
        })
    };
    (0..golden.len().max(ours.len()))
        .filter(|&i| golden.get(i) != ours.get(i))
        .take(DIFF_LINES_SHOWN)
        .map(|i| (i + 1, show(golden.get(i)), show(ours.get(i))))
        .collect()
}

fn render_report(outcomes: &[Outcome]) -> String {
    let mut report = String::from(
        "Conformance: sonde dig -r CAPTURE ARGS vs Debian's sysdig 0.29.3 (TZ=UTC)\n\n",
    );
    let _ = writeln!(
        report,
        "{:<40} {:<16} {:>15} {:>8}  status",
        "capture", "case", "identical/total", "ratio"
    );
    for o in outcomes {
        let _ = writeln!(
            report,
            "{:<40} {:<16} {:>15} {:>8}  {}",
            o.capture,
            o.case,
            format!("{}/{}", o.identical, o.total),
            ratio(o.identical, o.total),
            o.status()
        );
    }

    report.push_str("\nPer capture:\n");
    let _ = writeln!(
        report,
        "{:<40} {:>8} {:>17} {:>8}",
        "capture", "cases", "identical/total", "ratio"
    );
    let mut captures: Vec<&str> = outcomes.iter().map(|o| o.capture.as_str()).collect();
    captures.dedup();
    for capture in captures {
        let of_capture: Vec<&Outcome> = outcomes.iter().filter(|o| o.capture == capture).collect();
        let (identical, total) = sum_lines(of_capture.iter().copied());
        let passed = of_capture.iter().filter(|o| o.passed()).count();
        let _ = writeln!(
            report,
            "{:<40} {:>8} {:>17} {:>8}",
            capture,
            format!("{passed}/{}", of_capture.len()),
            format!("{identical}/{total}"),
            ratio(identical, total)
        );
    }

    let (identical, total) = sum_lines(outcomes.iter());
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let _ = writeln!(
        report,
        "\nAll: {passed} of {} cases identical; {identical}/{total} lines identical ({})",
        outcomes.len(),
        ratio(identical, total)
    );
    let failing: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if !failing.is_empty() {
        report.push_str("\nFirst differences (sysdig's line, then sonde's):\n");
        for outcome in failing {
            report.push_str(&outcome.details());
        }
    }
    report
}

fn sum_lines<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> (usize, usize) {
    outcomes.fold((0, 0), |(identical, total), o| {
        (identical + o.identical, total + o.total)
    })
}

/// A percentage rounded down, so that anything short of identical never shows as 100 %.
fn ratio(identical: usize, total: usize) -> String {
    if total == 0 {
        return "100.00%".to_owned();
    }
    let basis_points = identical as u128 * 10_000 / total as u128;
    format!("{}.{:02}%", basis_points / 100, basis_points % 100)
}

fn describe(status: &ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("sonde exited {code}"),
        None => format!("sonde was killed ({status})"),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[test]
fn identical_lines_are_counted_in_order_not_by_position() {
    let lines = |text: &'static str| -> Vec<&'static [u8]> {
        text.as_bytes().split_inclusive(|&b| b == b'\n').collect()
    };
    // One line missing near the top costs one line, not every line after it.
    assert_eq!(
        common_lines(&lines("a\nb\nc\nd\ne\n"), &lines("a\nc\nd\ne\n")),
        4
    );
    assert_eq!(common_lines(&lines("a\nx\nc\n"), &lines("a\ny\nc\n")), 2);
    assert_eq!(common_lines(&lines("a\nb\n"), &lines("b\na\n")), 1);
    // A missing final newline is a difference.
    assert_eq!(common_lines(&lines("a\nb\n"), &lines("a\nb")), 1);
    assert_eq!(common_lines(&lines(""), &lines("a\n")), 0);
    assert_eq!(ratio(9477, 9478), "99.98%");
    assert_eq!(ratio(0, 0), "100.00%");
}
