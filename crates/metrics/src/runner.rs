//! Running a plugin: its command (a string through `sh -c`, or an argv run
//! directly), its environment, a timeout after which its whole process group
//! is killed (a plugin's children cannot outlive it), and a cap on what it
//! may print (the rest is read and thrown away, so it never blocks).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A plugin's command, as mackerel-agent's config gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginCommand {
    /// Run with `sh -c`.
    Shell(String),
    /// Run directly.
    Argv(Vec<String>),
}

/// How to run one plugin once.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub command: PluginCommand,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    /// Bytes of stdout (and of stderr) kept.
    pub max_output: usize,
    /// Meta mode: `MACKEREL_AGENT_PLUGIN_META=1` (else it is set empty).
    pub meta: bool,
    /// Run as this user (uid, gid and home, from [`lookup_user`]);
    /// mackerel-agent runs `sudo -Eu USER`, sonde switches ids itself.
    pub user: Option<User>,
}

/// A user to run a plugin as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

/// The user `name` from the passwd file at `passwd` (normally
/// `/etc/passwd`); a number is taken as a uid.
pub fn lookup_user(passwd: &std::path::Path, name: &str) -> Result<User, String> {
    let text = std::fs::read_to_string(passwd).map_err(|e| format!("{}: {e}", passwd.display()))?;
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 7 {
            continue;
        }
        if f[0] == name || f[2] == name {
            let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse()) else {
                continue;
            };
            return Ok(User {
                name: f[0].to_string(),
                uid,
                gid,
                home: f[5].to_string(),
            });
        }
    }
    Err(format!("no user {name:?} in {}", passwd.display()))
}

/// What one run gave.
#[derive(Debug, Default)]
pub struct RunResult {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; none when killed (timeout) or ended by a signal.
    pub exit: Option<i32>,
    pub timed_out: bool,
    /// The plugin printed more than `max_output` bytes.
    pub truncated: bool,
}

/// Reads a pipe to its end, keeping at most `max` bytes.
fn drain(mut r: impl Read, max: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = max.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

/// Kills every process of the group `pgid`.
#[allow(unsafe_code)]
fn kill_group(pgid: u32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory
    // is involved.
    unsafe {
        libc::kill(-(pgid as i32), libc::SIGKILL);
    }
}

/// Runs the plugin once.
pub fn run(spec: &RunSpec) -> std::io::Result<RunResult> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut cmd = match &spec.command {
        PluginCommand::Shell(line) => {
            let mut c = Command::new("/bin/sh");
            c.arg("-c").arg(line);
            c
        }
        PluginCommand::Argv(argv) => {
            let Some((prog, args)) = argv.split_first() else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "an empty command",
                ));
            };
            let mut c = Command::new(prog);
            c.args(args);
            c
        }
    };
    cmd.envs(spec.env.iter().map(|(k, v)| (k, v)))
        .env(
            "MACKEREL_AGENT_PLUGIN_META",
            if spec.meta { "1" } else { "" },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that a timeout kills its children too.
        .process_group(0);
    if let Some(u) = &spec.user {
        // std drops the supplementary groups when it sets the uid.
        cmd.uid(u.uid)
            .gid(u.gid)
            .env("USER", &u.name)
            .env("LOGNAME", &u.name)
            .env("HOME", &u.home);
    }
    let mut child = cmd.spawn()?;
    let pgid = child.id();
    let max = spec.max_output;
    let out = child
        .stdout
        .take()
        .map(|p| std::thread::spawn(move || drain(p, max)));
    let err = child
        .stderr
        .take()
        .map(|p| std::thread::spawn(move || drain(p, max)));
    let deadline = Instant::now() + spec.timeout;
    let mut result = RunResult::default();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if Instant::now() >= deadline {
            result.timed_out = true;
            kill_group(pgid);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // A plugin that exited but left children holding its pipes: they go
    // with it.
    kill_group(pgid);
    result.exit = if result.timed_out || status.signal().is_some() {
        None
    } else {
        status.code()
    };
    if let Some(h) = out
        && let Ok((bytes, cut)) = h.join()
    {
        result.stdout = String::from_utf8_lossy(&bytes).into_owned();
        result.truncated |= cut;
    }
    if let Some(h) = err
        && let Ok((bytes, cut)) = h.join()
    {
        result.stderr = String::from_utf8_lossy(&bytes).into_owned();
        result.truncated |= cut;
    }
    Ok(result)
}
