//! What the live-capture tests share.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn sysdig() -> Option<PathBuf> {
    ["/usr/bin/sysdig", "/usr/local/bin/sysdig"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

pub fn dig_read(tool: &Path, args: &[&str], file: &Path) -> Vec<u8> {
    let mut cmd = Command::new(tool);
    if tool.ends_with("sonde") {
        cmd.arg("dig");
    }
    let out = cmd
        .arg("-r")
        .arg(file)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run the reader");
    assert!(
        out.status.success(),
        "{} -r {}: {}",
        tool.display(),
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The sonde binary under test.
pub fn sonde() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sonde"))
}

/// Whether live capture can run here; says why not when it cannot.
pub fn can_capture() -> bool {
    if sonde_kernel::running_as_root() {
        true
    } else {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        false
    }
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sonde-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts `sonde dig ARGS` and waits until `ready` exists (a file sonde
/// creates once the probe is attached), or, with no file, until its
/// programs are attached.
pub fn start_dig(args: &[&str], ready: Option<&Path>) -> std::process::Child {
    let mut child = Command::new(sonde())
        .arg("dig")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sonde dig");
    let deadline = Instant::now() + Duration::from_secs(20);
    match ready {
        Some(path) => {
            while !path.exists() {
                assert!(
                    Instant::now() < deadline,
                    "sonde dig never created {}",
                    path.display()
                );
                if let Some(status) = child.try_wait().expect("try_wait") {
                    panic!("sonde dig exited early: {status}");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        None => wait_attached(&mut child, deadline),
    }
    child
}

/// How many BPF links the capture program makes: sys_enter, sys_exit,
/// sched_switch, sched_process_fork, sched_process_exec, sched_process_exit.
const CAPTURE_LINKS: usize = 6;

/// Waits until `child` has attached every capture program: its open fds
/// include that many BPF links (their fdinfo names a `link_type`).
pub fn wait_attached(child: &mut std::process::Child, deadline: Instant) {
    let fdinfo = PathBuf::from(format!("/proc/{}/fdinfo", child.id()));
    loop {
        let links = std::fs::read_dir(&fdinfo)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| {
                        std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("link_type:"))
                    })
                    .count()
            })
            .unwrap_or(0);
        if links >= CAPTURE_LINKS {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "sonde dig never attached its programs"
        );
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("sonde dig exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends a signal to a child.
pub fn signal(child: &std::process::Child, sig: &str) {
    assert!(
        Command::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status()
            .expect("kill")
            .success()
    );
}

/// Runs a shell command line; asserts it succeeded.
pub fn sh(line: &str) {
    let st = Command::new("/bin/sh")
        .args(["-c", line])
        .status()
        .expect("sh");
    assert!(st.success(), "{line}: {st}");
}

/// Both readers print the same lines for `file`; returns sysdig's.
pub fn same_in_both(file: &Path) -> String {
    let sysdig = sysdig().expect("sysdig is missing: `make test` installs it (scripts/setup.sh)");
    let theirs = dig_read(&sysdig, &[], file);
    let ours = dig_read(&sonde(), &[], file);
    assert!(
        ours == theirs,
        "sonde dig -r and sysdig -r print different lines for {} ({} and {} bytes)",
        file.display(),
        ours.len(),
        theirs.len()
    );
    String::from_utf8_lossy(&theirs).into_owned()
}

/// A free TCP port on the loopback (bound, then released for a server to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A child killed when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until something listens on `port` (15 s at most).
pub fn wait_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
