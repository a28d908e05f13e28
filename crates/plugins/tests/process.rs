//! The `process` check against processes the test starts (`sleep` under a
//! name of its own, through a symlink, so that nothing else on the machine
//! matches), and against a hand-made /proc tree.

mod common_checks;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common_checks::{TempDir, assert_result, check, usage_error};
use sonde_plugins::CheckStatus;

/// Children killed on drop.
struct Sleepers(Vec<Child>);

impl Drop for Sleepers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `n` sleepers named `name` (a symlink to sleep), with `arg` as the
/// duration, optionally as `uid`; waits until /proc shows them by name.
fn sleepers(dir: &TempDir, name: &str, arg: &str, n: usize, uid: Option<u32>) -> Sleepers {
    let link = dir.path().join(name);
    if !link.exists() {
        std::os::unix::fs::symlink("/bin/sleep", &link).expect("symlink");
    }
    let mut v = Sleepers(Vec::new());
    for _ in 0..n {
        let mut c = Command::new(&link);
        c.arg(arg).stdout(Stdio::null());
        if let Some(u) = uid {
            c.uid(u);
        }
        v.0.push(c.spawn().expect("sleep starts"));
    }
    let until = Instant::now() + Duration::from_secs(5);
    for c in &v.0 {
        let comm = format!("/proc/{}/comm", c.id());
        while std::fs::read_to_string(&comm)
            .map(|s| s.trim() != name)
            .unwrap_or(true)
        {
            assert!(Instant::now() < until, "{name} did not exec");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    v
}

/// A process name unique to this test run (comm keeps 15 bytes).
fn unique(tag: &str) -> String {
    format!("sp{tag}{}", std::process::id() % 1_000_000)
}

#[test]
fn counts_by_name_and_grades_under_and_over() {
    let dir = TempDir::new("procs");
    let name = unique("a");
    let _s = sleepers(&dir, &name, "600", 2, None);
    let pat = format!("^{name}$");
    let r = check("process", &["-p", &pat]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &[
            "Procs OK: Found 2 matching processes",
            &format!("cmd /{pat}/"),
        ],
    );
    let r = check("process", &["-p", &pat, "--warning-over", "1"]);
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = check("process", &["-p", &pat, "-w", "1", "--critical-over", "1"]);
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    let r = check(
        "process",
        &["-p", &pat, "--warning-under", "3", "--critical-under", "2"],
    );
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = check("process", &["-p", &pat, "--critical-under", "3"]);
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    // None running: under the default of one.
    let r = check("process", &["-p", "^no-such-process-here$"]);
    assert_result(&r, CheckStatus::Critical, &["Found 0 matching processes"]);
    let r = check("process", &["-p", &pat, "-x", "."]);
    assert_result(&r, CheckStatus::Critical, &["Found 0"]);
}

#[test]
fn full_matches_the_command_line_not_the_name() {
    let dir = TempDir::new("procs");
    let name = unique("b");
    // A duration no other process has as its argument.
    let arg = format!("7{}.25", std::process::id());
    let _s = sleepers(&dir, &name, &arg, 1, None);
    let pat = format!(" {}$", arg.replace('.', r"\."));
    let r = check("process", &["--full", "-p", &pat]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["Found 1 matching processes", "args /"],
    );
    // The name alone does not hold the argument.
    let r = check("process", &["-p", &pat]);
    assert_result(&r, CheckStatus::Critical, &["Found 0"]);
}

#[test]
fn by_user() {
    if euid() != 0 {
        println!(
            "skipped: process --user needs root to start a process as nobody (CI runs as root)"
        );
        return;
    }
    let dir = TempDir::new("procs");
    let name = unique("c");
    let _root = sleepers(&dir, &name, "600", 1, None);
    let _nobody = sleepers(&dir, &name, "600", 2, Some(65534));
    let pat = format!("^{name}$");
    let r = check("process", &["-p", &pat, "--user", "nobody"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["Found 2 matching processes", "user /nobody/"],
    );
    let r = check("process", &["-p", &pat, "-u", "0"]);
    assert_result(&r, CheckStatus::Ok, &["Found 1 matching processes"]);
}

/// The effective uid, from /proc (no unsafe libc call needed).
fn euid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|r| r.split_whitespace().nth(1))
                .and_then(|u| u.parse().ok())
        })
        .unwrap_or(u32::MAX)
}

#[test]
fn a_hand_made_proc_tree() {
    let dir = TempDir::new("procs-tree");
    let mk = |pid: u32, comm: &str, cmdline: &[u8], uid: u32| {
        let d = dir.path().join(pid.to_string());
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(d.join("comm"), format!("{comm}\n")).expect("comm");
        std::fs::write(d.join("cmdline"), cmdline).expect("cmdline");
        std::fs::write(
            d.join("status"),
            format!("Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n"),
        )
        .expect("status");
    };
    mk(10, "nginx", b"nginx: master process /usr/sbin/nginx\0", 0);
    mk(11, "nginx", b"nginx: worker process\0", 33);
    mk(12, "kworker/0:1", b"", 0);
    // Not a process directory, and one that vanished half-read.
    std::fs::create_dir_all(dir.path().join("sys")).expect("dir");
    std::fs::create_dir_all(dir.path().join("13")).expect("dir");
    let root = dir.path().display().to_string();
    let r = check("process", &["--proc-root", &root, "-p", "^nginx$"]);
    assert_result(&r, CheckStatus::Ok, &["Found 2 matching processes"]);
    let r = check(
        "process",
        &["--proc-root", &root, "-p", "^nginx$", "-u", "33"],
    );
    assert_result(&r, CheckStatus::Ok, &["Found 1 matching processes"]);
    let r = check(
        "process",
        &["--proc-root", &root, "-f", "-p", "master process"],
    );
    assert_result(&r, CheckStatus::Ok, &["Found 1 matching processes"]);
    let r = check("process", &["--proc-root", &root]);
    assert_result(&r, CheckStatus::Ok, &["Found 3 matching processes"]);
    let r = check("process", &["--proc-root", "/nonexistent-proc"]);
    assert_result(&r, CheckStatus::Unknown, &["/nonexistent-proc"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert!(
        usage_error("process", &["-p", "("])
            .to_string()
            .contains("regex")
    );
    assert!(
        usage_error("process", &["-u", "no-such-user-xyz"])
            .to_string()
            .contains("no-such-user-xyz")
    );
    assert!(
        usage_error("process", &["-w", "many"])
            .to_string()
            .contains("many")
    );
    assert!(
        usage_error("process", &["--state", "Z"])
            .to_string()
            .contains("--state")
    );
}

#[test]
fn the_checking_process_is_not_counted_unless_asked() {
    let comm = std::fs::read_to_string("/proc/self/comm").expect("comm");
    let pat = format!("^{}$", regex_escape(comm.trim()));
    let others = check("process", &["-p", &pat, "-C", "0", "-W", "0"]);
    let with_me = check(
        "process",
        &["-p", &pat, "-C", "0", "-W", "0", "--match-self"],
    );
    let count = |m: &str| -> usize {
        m.split("Found ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {m:?}"))
    };
    assert_eq!(
        count(&with_me.message),
        count(&others.message) + 1,
        "{} / {}",
        others.message,
        with_me.message
    );
}

/// `s` with regex metacharacters escaped (test binary names hold '-').
fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let meta = r"\.+*?()|[]{}^$-".contains(c);
            meta.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}
