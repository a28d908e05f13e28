//! Live capture on this machine: needs root (CI runs as root); elsewhere each
//! test says it skipped.

mod common;
use common::*;

const READ_E: u16 = 6;
const READ_X: u16 = 7;
const WRITE_E: u16 = 8;
const WRITE_X: u16 = 9;
const CLOSE_E: u16 = 4;
const CLOSE_X: u16 = 5;
const OPENAT_E: u16 = 306;
const OPENAT_X: u16 = 307;
const EXECVE_E: u16 = 292;
const EXECVE_X: u16 = 293;
const CLONE_X: u16 = 223;

/// A child's calls come out as scap events that decode: openat, read, write,
/// close, clone and execve with their parameters, everything else as the generic pair named
/// by its `PPM_SC` code; buffers cut to the snaplen; wall-clock timestamps.
#[test]
fn a_childs_system_calls_are_recorded_as_scap_events() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sonde-kernel-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("out.txt");
    let (pid, seen) = record(
        &format!(
            "read x; echo \"$x-out\"; (exit 3); echo data > {}; exec head -c 300 /dev/zero",
            file.display()
        ),
        80,
    );

    // `read x` from a pipe reads one byte at a time: fd 0, size 1, then the
    // byte, until the newline. (The first read was under way when the probe
    // was attached: only its exit is seen.)
    let reads: Vec<&Seen> = seen.iter().filter(|e| e.ty == READ_E).collect();
    assert!(reads.len() >= 2);
    assert!(
        reads[..2]
            .iter()
            .all(|e| e.int(0) == Some(0) && e.int(1) == Some(1))
    );
    let got: Vec<u8> = seen
        .iter()
        .filter(|e| e.ty == READ_X && e.int(0) == Some(1))
        .take(3)
        .flat_map(|e| e.params[1].clone())
        .collect();
    assert_eq!(got, b"go\n", "what `read` returned, byte by byte");

    // `echo` writes the line to stdout in one call.
    let enter = seen
        .iter()
        .position(|e| e.ty == WRITE_E && e.int(0) == Some(1) && e.int(1) == Some(7))
        .expect("write(1, _, 7) enters");
    let exit = seen[enter + 1..]
        .iter()
        .find(|e| e.ty == WRITE_X)
        .expect("and returns");
    assert_eq!(exit.int(0), Some(7));
    assert_eq!(exit.params[1], b"go-out\n");

    // `head -c 300` writes 300 zero bytes; 80 of them are kept (snaplen).
    let big = seen
        .iter()
        .find(|e| e.ty == WRITE_X && e.int(0) == Some(300))
        .expect("the 300-byte write");
    assert_eq!(big.params[1], vec![0u8; 80]);

    // Files the loader opened are closed: fd in, 0 out.
    let close = seen.iter().position(|e| e.ty == CLOSE_E).expect("close");
    assert!(close + 1 < seen.len() && seen[close + 1].ty == CLOSE_X);
    assert!(seen[close].int(0).is_some_and(|fd| fd >= 0));
    assert_eq!(seen[close + 1].int(0), Some(0));

    // `echo data > FILE` opens it with openat(AT_FDCWD, FILE, O_WRONLY |
    // O_CREAT | O_TRUNC, 0666): flags as PPM_O_* (WRONLY 2, CREAT 4, TRUNC
    // 256), the mode kept because the open can create, and on return the fd
    // and the file system's device as the driver encodes it.
    let name = {
        let mut n = file.clone().into_os_string().into_encoded_bytes();
        n.push(0);
        n
    };
    let enter = seen
        .iter()
        .position(|e| e.ty == OPENAT_E && e.params.get(1) == Some(&name))
        .expect("openat of the file enters");
    let e = &seen[enter];
    assert_eq!(e.int(0), Some(-100), "dirfd AT_FDCWD");
    assert_eq!(e.int(2), Some(2 | 4 | 256), "flags");
    assert_eq!(e.int(3), Some(0o666), "mode");
    let x = seen[enter + 1..]
        .iter()
        .find(|e| e.ty == OPENAT_X)
        .expect("and returns");
    assert!(x.int(0).is_some_and(|fd| fd >= 0), "an fd");
    assert_eq!(x.params[2], name);
    assert_eq!(x.int(3), Some(2 | 4 | 256));
    let dev = std::os::unix::fs::MetadataExt::dev(&std::fs::metadata(&file).expect("stat"));
    let (major, minor) = ((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00));
    assert_eq!(
        x.int(5),
        Some(((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)) as i64),
        "dev"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // `exec head` enters with the path it runs (sh tries each directory of
    // PATH: the ones without it fail with ENOENT), and returns describing
    // the new program: exe (the first argument), the other arguments, tid,
    // pid, parent, comm.
    let ok = seen
        .iter()
        .position(|e| e.ty == EXECVE_X && e.int(0) == Some(0))
        .expect("a successful execve");
    let enter = seen[..ok]
        .iter()
        .rev()
        .find(|e| e.ty == EXECVE_E)
        .expect("its enter");
    assert!(
        enter.params[0].ends_with(b"/head\0"),
        "{:?}",
        enter.params[0]
    );
    assert!(
        seen[..ok]
            .iter()
            .filter(|e| e.ty == EXECVE_X)
            .all(|e| e.int(0) == Some(-2)),
        "the failed tries return ENOENT"
    );
    let x = &seen[ok];
    assert_eq!(x.name, "execve");
    assert_eq!(x.int(0), Some(0));
    assert_eq!(x.params[1], b"head\0");
    assert_eq!(x.params[2], b"-c\x00300\x00/dev/zero\x00");
    assert_eq!(x.int(3), Some(i64::from(pid)));
    assert_eq!(x.int(4), Some(i64::from(pid)));
    assert_eq!(x.int(5), Some(my_tid()), "the parent: this test's thread");
    assert_eq!(x.params[13], b"head\0", "comm");
    // The cgroups: `controller=/path` entries, each as /proc tells it for
    // this test's process (which the child inherits).
    let proc_cgroups = std::fs::read_to_string("/proc/self/cgroup").expect("cgroup");
    let entries: Vec<&[u8]> = x.params[14]
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .collect();
    assert!(!entries.is_empty(), "cgroups are listed");
    for e in entries {
        let e = std::str::from_utf8(e).expect("utf-8 cgroup entry");
        let (controller, path) = e.split_once('=').expect("controller=path");
        assert!(
            proc_cgroups.lines().any(|l| {
                let mut f = l.splitn(3, ':');
                let (_, ctls, p) = (f.next(), f.next().unwrap_or(""), f.next().unwrap_or(""));
                p == path
                    && (ctls.is_empty()
                        || ctls.split(',').any(|c| c == controller)
                        || controller == "io")
            }),
            "{e} is not in /proc/self/cgroup:\n{proc_cgroups}"
        );
    }

    // The subshell `(exit 3)` is a fork: clone returns the child's tid in
    // the parent, with the parent's ids, comm and the clone flags glibc's
    // fork passes (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, as PPM_CL_*).
    let fork = seen
        .iter()
        .find(|e| e.ty == CLONE_X)
        .expect("the subshell's clone returns");
    assert!(fork.int(0).is_some_and(|child| child > i64::from(pid)));
    assert_eq!(fork.int(3), Some(i64::from(pid)), "tid");
    assert_eq!(fork.int(4), Some(i64::from(pid)), "pid");
    assert_eq!(
        fork.int(5),
        Some(my_tid()),
        "ptid: the thread that started sh"
    );
    assert_eq!(fork.params[13], b"sh\0", "comm");
    assert_eq!(fork.int(15), Some(0x80_0000 | 0x100_0000), "flags");
    assert_eq!(fork.int(18), Some(i64::from(pid)), "vtid");

    // The child ends with procexit: status, exit code, signal and core, 0
    // for head's clean exit.
    let end = seen
        .iter()
        .rev()
        .find(|e| e.ty == PROCEXIT_E)
        .expect("procexit");
    assert_eq!((end.int(0), end.int(1)), (Some(0), Some(0)));
    assert_eq!(
        (end.params[2].as_slice(), end.params[3].as_slice()),
        (&[0u8][..], &[0u8][..])
    );

    // Calls without events of their own are the generic pair, named by
    // their PPM_SC code: exit_group (native 231), just before.
    let exit = seen
        .iter()
        .rev()
        .find(|e| e.ty == 0)
        .expect("a generic event");
    assert_eq!(
        (exit.name, exit.syscall(), exit.int(1)),
        ("syscall", "exit_group", Some(231))
    );

    // Timestamps are wall-clock ns, in order, and recent.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64;
    assert!(seen.windows(2).all(|w| w[0].ts <= w[1].ts));
    assert!(
        seen.iter()
            .all(|e| e.ts <= now && now - e.ts < 60_000_000_000)
    );
}

/// sysdig's `-s 4096`: 4096 bytes of a 5000-byte read are kept.
#[test]
fn a_snaplen_of_4096_keeps_4096_bytes() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let (_, seen) = record("read x; exec head -c 5000 /dev/zero", 4096);
    let big = seen
        .iter()
        .find(|e| e.ty == READ_X && e.int(0) == Some(5000))
        .expect("head's 5000-byte read of /dev/zero");
    assert_eq!(big.params[1], vec![0u8; 4096]);
}

/// The fallback: the same programs attached as raw tracepoints record the
/// same events (here: a write's data, an exec, the end).
#[test]
fn raw_tracepoints_record_the_same_events() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let (pid, seen) = record_attached(
        &["/bin/sh", "-c", "read x; echo \"$x-raw\"; exec true"],
        80,
        sonde_kernel::Attach::RawTp,
    );
    let wrote = seen
        .iter()
        .find(|e| e.ty == WRITE_X)
        .expect("echo's write returns");
    assert_eq!(
        (wrote.int(0), wrote.params[1].as_slice()),
        (Some(7), &b"go-raw\n"[..])
    );
    let exec = seen
        .iter()
        .find(|e| e.ty == EXECVE_X && e.int(0) == Some(0))
        .expect("the exec of true");
    assert_eq!(
        (exec.params[1].as_slice(), exec.int(4)),
        (&b"true\0"[..], Some(i64::from(pid)))
    );
    assert!(
        seen.iter()
            .any(|e| e.ty == PROCEXIT_E && e.tid == u64::from(pid))
    );
}

/// Paths the kernel program cannot read: a NULL pointer is written
/// `(NULL)` (as the driver writes it) and an unreadable one the empty
/// string with its NUL, never a parameter of length 0 (which sysdig 0.29.3
/// reads past, into the next parameter's bytes).
#[test]
fn unreadable_paths_are_written_as_sysdig_reads_them() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    const OPEN_E: u16 = 2;
    let (_, seen) = record_attached(
        &[
            "/usr/bin/python3",
            "-c",
            "import sys, ctypes; sys.stdin.readline(); l = ctypes.CDLL(None); \
             l.syscall(2, None, 0); l.syscall(2, ctypes.c_void_p(8), 0)",
        ],
        80,
        sonde_kernel::Attach::Auto,
    );
    let names: Vec<&[u8]> = seen
        .iter()
        .filter(|e| e.ty == OPEN_E)
        .map(|e| e.params[0].as_slice())
        .collect();
    assert!(names.contains(&&b"(NULL)\0"[..]), "{names:?}");
    assert!(names.contains(&&b"\0"[..]), "{names:?}");
    assert!(names.iter().all(|n| !n.is_empty()), "{names:?}");
}
