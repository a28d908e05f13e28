//! Running plugins as real processes: output, exit codes, meta mode,
//! timeouts that kill the whole process group, output caps.

use std::time::{Duration, Instant};

use sonde_metrics::plugin::{CheckStatus, parse_metrics};
use sonde_metrics::runner::{PluginCommand, RunSpec, run};

fn spec(command: PluginCommand) -> RunSpec {
    RunSpec {
        command,
        env: vec![("GREETING".into(), "hi".into())],
        timeout: Duration::from_secs(10),
        max_output: 64 * 1024,
        meta: false,
        user: None,
    }
}

/// `user = "nobody"`: the plugin runs with nobody's ids and no supplementary
/// group of the agent's (root's).
#[test]
fn a_plugin_runs_as_its_user() {
    if unsafe_free_euid() != 0 {
        eprintln!("skipped: switching users needs root (CI runs as root)");
        return;
    }
    let mut s = spec(PluginCommand::Shell(
        "id -u; id -g; id -G; echo $HOME".into(),
    ));
    let user = sonde_metrics::runner::lookup_user(std::path::Path::new("/etc/passwd"), "nobody")
        .expect("nobody in /etc/passwd");
    s.user = Some(user.clone());
    let r = run(&s).expect("run");
    assert_eq!(
        r.stdout,
        format!("{}\n{}\n{}\n{}\n", user.uid, user.gid, user.gid, user.home),
        "{}",
        r.stderr
    );
    assert!(
        sonde_metrics::runner::lookup_user(std::path::Path::new("/etc/passwd"), "no-such-user")
            .is_err()
    );
}

/// The effective uid, read from /proc (no unsafe in tests).
fn unsafe_free_euid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .expect("status")
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|r| r.split_whitespace().nth(1)?.parse().ok())
        .expect("Uid line")
}

#[test]
fn a_metric_plugin_runs_with_its_env_and_meta_mode() {
    let line =
        "echo \"demo.value\t42\t$(date +%s)\"; echo \"$GREETING/$MACKEREL_AGENT_PLUGIN_META\" >&2";
    let r = run(&spec(PluginCommand::Shell(line.into()))).expect("run");
    assert_eq!(r.exit, Some(0));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let p = parse_metrics(&r.stdout, now);
    assert_eq!((p.metrics.len(), p.malformed), (1, 0));
    assert_eq!(p.metrics[0].value, 42.0);
    assert_eq!(r.stderr, "hi/\n", "the env, and META empty in normal runs");
    let mut meta = spec(PluginCommand::Argv(vec![
        "/bin/sh".into(),
        "-c".into(),
        "printf '%s' \"$MACKEREL_AGENT_PLUGIN_META\"".into(),
    ]));
    meta.meta = true;
    assert_eq!(run(&meta).expect("run").stdout, "1");
}

#[test]
fn a_check_plugins_exit_code_is_its_status() {
    for (code, status) in [
        (0, CheckStatus::Ok),
        (1, CheckStatus::Warning),
        (2, CheckStatus::Critical),
        (3, CheckStatus::Unknown),
        (7, CheckStatus::Unknown),
    ] {
        let r = run(&spec(PluginCommand::Shell(format!(
            "echo msg; exit {code}"
        ))))
        .expect("run");
        assert_eq!(CheckStatus::from_exit(r.exit), status, "exit {code}");
        assert_eq!(r.stdout, "msg\n");
    }
}

/// A plugin that hangs, with a child of its own: at the timeout both are
/// killed, and the run ends at once, UNKNOWN.
#[test]
fn a_hanging_plugin_and_its_children_are_killed_at_the_timeout() {
    let dir = std::env::temp_dir().join(format!("sonde-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pidfile = dir.join("child.pid");
    let mut s = spec(PluginCommand::Shell(format!(
        "sleep 300 & echo $! > {}; sleep 300",
        pidfile.display()
    )));
    s.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let r = run(&s).expect("run");
    assert!(r.timed_out && r.exit.is_none());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(CheckStatus::from_exit(r.exit), CheckStatus::Unknown);
    let child: u32 = std::fs::read_to_string(&pidfile)
        .expect("the child's pid")
        .trim()
        .parse()
        .expect("a pid");
    // The background sleep is gone (or a zombie about to be reaped by init).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        let alive = state
            .split(") ")
            .nth(1)
            .is_some_and(|rest| !rest.starts_with('Z'));
        if !alive {
            break;
        }
        assert!(Instant::now() < deadline, "the plugin's child outlived it");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A plugin that floods its output: what is kept is capped, the run ends
/// (at the timeout), and the agent is not blocked.
#[test]
fn a_flooding_plugin_is_capped() {
    let mut s = spec(PluginCommand::Argv(vec![
        "/usr/bin/yes".into(),
        "x.y\t1\t0".into(),
    ]));
    s.max_output = 4096;
    s.timeout = Duration::from_millis(300);
    let r = run(&s).expect("run");
    assert!(r.truncated && r.timed_out);
    assert_eq!(r.stdout.len(), 4096);
}

#[test]
fn a_missing_program_is_an_error() {
    let e = run(&spec(PluginCommand::Argv(vec![
        "/nonexistent/plugin".into(),
    ])))
    .expect_err("no such program");
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
}
