//! `sonde dig -w` on this machine: the file it writes is read by Debian's
//! sysdig 0.29.3 and by `sonde dig -r` with the same lines. Needs root (CI
//! runs as root) and sysdig (`make test` installs it); says when it skips.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{dig_read, signal, start_dig, sysdig};

#[test]
fn a_capture_written_live_reads_the_same_in_sysdig_and_sonde() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let Some(sysdig) = sysdig() else {
        panic!("sysdig is missing: `make test` installs it (scripts/setup.sh)");
    };
    let dir = std::env::temp_dir().join(format!("sonde-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("live.scap");
    let _ = std::fs::remove_file(&file);
    let sonde = PathBuf::from(env!("CARGO_BIN_EXE_sonde"));
    // The file is created once the probe is attached.
    let mut capture = start_dig(&["-w", file.to_str().expect("utf-8")], Some(&file));
    // The workload: a marker written to a file, read back by cat (an exec),
    // then sent over TCP to a server on loopback by bash.
    let server = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = server.local_addr().expect("port").port();
    let receiver = std::thread::spawn(move || {
        let (mut conn, _) = server.accept().expect("accept");
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut conn, &mut got).expect("receive");
        got
    });
    let marker = format!("hello-sonde-{}", std::process::id());
    let data = dir.join("data.txt");
    let status = Command::new("/bin/sh")
        .args([
            "-c",
            &format!(
                "echo {marker} > {0}; cat {0} > /dev/null; \
                 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}; echo {marker}-tcp >&3'",
                data.display()
            ),
        ])
        .status()
        .expect("workload");
    assert!(status.success());
    assert_eq!(
        receiver.join().expect("receiver"),
        format!("{marker}-tcp\n").into_bytes()
    );
    std::thread::sleep(Duration::from_millis(300));
    // SIGINT: sonde flushes and closes a valid file.
    signal(&capture, "INT");
    let status = capture.wait().expect("wait for sonde");
    assert!(status.success(), "sonde dig -w after SIGINT: {status}");

    let theirs = dig_read(&sysdig, &[], &file);
    let ours = dig_read(&sonde, &[], &file);
    let lines = theirs.split(|&b| b == b'\n').count();
    assert!(lines > 10, "only {lines} lines in the capture");
    assert!(
        ours == theirs,
        "sonde dig -r and sysdig -r print different lines for {} ({} and {} bytes)",
        file.display(),
        ours.len(),
        theirs.len()
    );
    // The workload is in it, as sysdig reads it: the marker written by echo
    // and read back by cat (read/write carry their buffers).
    let text = String::from_utf8_lossy(&theirs);
    let wrote = text
        .lines()
        .any(|l| l.contains("< write res=") && l.contains(&marker));
    let read = text
        .lines()
        .any(|l| l.contains("< read res=") && l.contains(&marker));
    assert!(
        wrote && read,
        "the marker's write and read are in sysdig's output"
    );
    // The file the workload opened is named in the calls that use its fd.
    // cat, started during the capture, is named from its execve.
    let fd_name = format!("(<f>{})", data.display());
    assert!(
        text.lines()
            .any(|l| l.contains(" cat (") && l.contains("> read fd=") && l.contains(&fd_name)),
        "cat's read names cat and its file {fd_name}"
    );
    // The connection: connect returns the tuple (this end, then the
    // server), and the write on the socket (bash dups it onto stdout for
    // `>&3`) names it.
    let server_end = format!("->127.0.0.1:{port}");
    assert!(
        text.lines().any(|l| l.contains(" bash (")
            && l.contains("< connect res=0 tuple=127.0.0.1:")
            && l.ends_with(&format!("{server_end} "))),
        "bash's connect to port {port} with its tuple"
    );
    assert!(
        text.lines().any(|l| l.contains("> write fd=")
            && l.contains("(<4t>127.0.0.1:")
            && l.contains(&format!("{server_end})"))),
        "the write on the socket names the connection"
    );
    // Before it executes cat, the child sh made for it (by vfork, fork or
    // clone, all recorded) is already named sh: its execve enters as sh's.
    assert!(
        text.lines().any(|l| l.contains(" sh (")
            && l.contains("> execve filename=")
            && l.ends_with("/cat ")),
        "the forked child is named before it executes cat"
    );
    // Processes that existed before the capture are named, from the process
    // list the file starts with: this test's own thread, for one.
    let comm = std::fs::read_to_string("/proc/thread-self/comm").expect("comm");
    let named = format!(" {} (", comm.trim_end());
    assert!(
        text.lines().any(|l| l.contains(&named)),
        "this test's process ({named}) is named in sysdig's output"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-M 1 -z`: the capture stops by itself after a second and is gzip; sysdig
/// reads it as sonde does, and `-v` reports the events and drops.
#[test]
fn a_timed_gzip_capture_ends_by_itself_and_reads_the_same() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let Some(sysdig) = sysdig() else {
        panic!("sysdig is missing: `make test` installs it (scripts/setup.sh)");
    };
    let dir = std::env::temp_dir().join(format!("sonde-live-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("live.scap.gz");
    let sonde = PathBuf::from(env!("CARGO_BIN_EXE_sonde"));
    let started = Instant::now();
    let out = Command::new(&sonde)
        .args(["dig", "-M", "1", "-z", "-v", "-w"])
        .arg(&file)
        .output()
        .expect("run sonde dig -M 1 -z -w");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(10), "-M 1 took {took:?}");
    let head = std::fs::read(&file).expect("the capture");
    assert_eq!(head.get(..2), Some(&[0x1f, 0x8b][..]), "a gzip stream");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Driver Drops:0"), "{stderr}");
    let theirs = dig_read(&sysdig, &[], &file);
    let ours = dig_read(&sonde, &[], &file);
    assert!(!theirs.is_empty());
    assert!(
        ours == theirs,
        "sonde and sysdig read {} differently",
        file.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Not root: one clear line saying what is missing and what to do, a
/// non-zero exit, no libbpf chatter. (Run as root, the test drops to
/// `nobody` with su.)
#[test]
fn without_root_live_capture_says_what_to_do() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: needs root to run sonde as another user (CI runs as root)");
        return;
    }
    // A copy nobody can run, wherever the build directory is.
    let dir = std::env::temp_dir().join(format!("sonde-nobody-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bin = dir.join("sonde");
    std::fs::copy(env!("CARGO_BIN_EXE_sonde"), &bin).expect("copy sonde");
    for p in [&dir, &bin] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }
    let out = Command::new("su")
        .args(["nobody", "-s", "/bin/sh", "-c"])
        .arg(format!("{} dig -n 1", bin.display()))
        .output()
        .expect("su nobody");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "sonde dig: live capture: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run sonde as root"
    );
}
