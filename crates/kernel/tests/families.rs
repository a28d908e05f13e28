//! Each family of system calls the capture records with its parameters: a
//! real child (`families.py`, run by Debian's python3) makes the calls and the
//! test checks the decoded parameters against what it did. Needs root (CI
//! runs as root); elsewhere it says it skipped.

mod common;
use common::*;

/// The first event of type `ty` matching `pred`, and the index after it.
/// (Not inlined: inlined into the long test, rustc 1.95's LLVM recurses
/// forever in release builds.)
#[inline(never)]
fn find(seen: &[Seen], from: usize, ty: u16, pred: impl Fn(&Seen) -> bool) -> (usize, &Seen) {
    seen.iter()
        .enumerate()
        .skip(from)
        .find(|(_, e)| e.ty == ty && pred(e))
        .map(|(i, e)| (i + 1, e))
        .unwrap_or_else(|| panic!("no event of type {ty} after #{from}"))
}

/// A string parameter as the driver writes it (NUL included).
fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// An IPv4 socket tuple: family 2, then source and destination.
fn tuple4(sport: u16, dport: u16) -> Vec<u8> {
    let mut v = vec![2u8];
    v.extend_from_slice(&[127, 0, 0, 1]);
    v.extend_from_slice(&sport.to_le_bytes());
    v.extend_from_slice(&[127, 0, 0, 1]);
    v.extend_from_slice(&dport.to_le_bytes());
    v
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[test]
fn every_family_is_recorded_with_its_parameters() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sonde-families-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/families.py");
    let d = dir.to_str().expect("utf-8 temp dir");
    let (pid, seen) = record_program(&["/usr/bin/python3", script, d], 80);
    let pid = i64::from(pid);
    let path = |name: &str| cstr(&format!("{d}/{name}"));

    // Files. The data file is opened first: its fd is what the I/O calls use.
    let (at, open) = find(&seen, 0, 307, |e| e.params[2] == path("a"));
    let fd = open.int(0).expect("fd");
    let (at, e) = find(&seen, at, 114, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.int(2)),
        (Some(fd), Some(5), Some(3)),
        "pwrite: fd, size, pos"
    );
    let (at, x) = find(&seen, at, 115, |_| true);
    assert_eq!((x.int(0), x.params[1].as_slice()), (Some(5), &b"hello"[..]));
    let (at, e) = find(&seen, at, 112, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.int(2)),
        (Some(fd), Some(4), Some(1)),
        "pread"
    );
    let (at, x) = find(&seen, at, 113, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].as_slice()),
        (Some(4), &b"\0\0he"[..])
    );
    let (at, e) = find(&seen, at, 118, |_| true);
    assert_eq!(
        (e.int(0), e.int(1)),
        (Some(fd), Some(4)),
        "writev: fd, total size"
    );
    let (at, x) = find(&seen, at, 119, |_| true);
    assert_eq!((x.int(0), x.params[1].as_slice()), (Some(4), &b"abcd"[..]));
    let (at, e) = find(&seen, at, 116, |_| true);
    assert_eq!(e.int(0), Some(fd), "readv");
    let (at, x) = find(&seen, at, 117, |_| true);
    assert_eq!(
        (x.int(0), x.int(1), x.params[2].as_slice()),
        (Some(8), Some(8), &b"abcdello"[..])
    );
    let (at, e) = find(&seen, at, 122, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.int(2)),
        (Some(fd), Some(3), Some(10)),
        "pwritev"
    );
    let (at, x) = find(&seen, at, 123, |_| true);
    assert_eq!((x.int(0), x.params[1].as_slice()), (Some(3), &b"xyz"[..]));
    let (at, e) = find(&seen, at, 120, |_| true);
    assert_eq!((e.int(0), e.int(1)), (Some(fd), Some(10)), "preadv");
    let (at, x) = find(&seen, at, 121, |_| true);
    assert_eq!(
        (x.int(0), x.int(1), x.params[2].as_slice()),
        (Some(2), Some(2), &b"xy"[..])
    );
    // dup, dup2 and dup3 share an event: the old fd in, the new one out.
    let (at, e) = find(&seen, at, 124, |_| true);
    assert_eq!(e.int(0), Some(fd));
    let (at, _) = find(&seen, at, 125, |_| true);
    let (at, _) = find(&seen, at, 125, |x| x.int(0) == Some(20));
    let (at, _) = find(&seen, at, 125, |x| x.int(0) == Some(21));
    let (at, e) = find(&seen, at, 150, |_| true);
    assert_eq!(
        (e.int(0), e.params[1].as_slice()),
        (Some(fd), &[4u8][..]),
        "fcntl F_GETFL"
    );
    let (at, x) = find(&seen, at, 61, |_| true);
    assert_eq!(x.int(0), Some(0), "pipe");
    assert!(x.int(1).is_some_and(|f| f > fd) && x.int(2) == x.int(1).map(|f| f + 1));
    assert!(x.int(3).is_some_and(|ino| ino > 0), "the pipe's inode");
    let (at, e) = find(&seen, at, 62, |_| true);
    assert_eq!(
        (e.int(0), e.int(1)),
        (Some(5), Some(0)),
        "eventfd: initval, flags"
    );
    let (at, b) = find(&seen, at, 307, |e| e.params[2] == path("b"));
    let (at, e) = find(&seen, at, 188, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.int(2), e.int(3)),
        (b.int(0), Some(fd), Some(2), Some(4)),
        "sendfile: out, in, offset, size"
    );
    let (at, x) = find(&seen, at, 189, |_| true);
    assert_eq!(
        (x.int(0), x.int(1)),
        (Some(4), Some(6)),
        "sendfile: res, the offset after"
    );
    let (at, e) = find(&seen, at, 58, |_| true);
    assert_eq!(
        (e.params[0].clone(), e.int(1)),
        (path("c"), Some(0o604)),
        "creat"
    );
    let (at, x) = find(&seen, at, 59, |_| true);
    assert!(x.int(0).is_some_and(|f| f >= 0));
    let (at, e) = find(&seen, at, 326, |_| true);
    assert_eq!(
        (e.int(0), e.params[1].clone(), e.int(2), e.int(4)),
        (Some(-100), path("a"), Some(1), Some(0x8)),
        "openat2: dirfd, name, O_RDONLY, RESOLVE_NO_SYMLINKS"
    );
    let (at, x) = find(&seen, at, 327, |_| true);
    assert!(x.int(0).is_some_and(|f| f >= 0));
    let (at, e) = find(&seen, at, 276, |_| true);
    assert_eq!(e.int(0), Some(0o750), "mkdir mode");
    let (at, x) = find(&seen, at, 277, |_| true);
    assert_eq!((x.int(0), x.params[1].clone()), (Some(0), path("m")));
    let (at, x) = find(&seen, at, 175, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].clone(), x.params[2].clone()),
        (Some(0), path("m"), path("n")),
        "rename"
    );
    let (at, x) = find(&seen, at, 279, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].clone()),
        (Some(0), path("n")),
        "rmdir"
    );
    let (at, x) = find(&seen, at, 301, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].clone()),
        (Some(0), path("b")),
        "unlink"
    );
    let (at, dir_open) = find(&seen, at, 307, |e| e.params[2] == cstr(d));
    let dfd = dir_open.int(0);
    let (at, x) = find(&seen, at, 305, |_| true);
    assert_eq!(
        (x.int(0), x.int(1), x.params[2].clone(), x.int(3)),
        (Some(0), dfd, cstr("k"), Some(0o700)),
        "mkdirat"
    );
    let (at, x) = find(&seen, at, 177, |_| true);
    assert_eq!(
        (x.int(1), x.params[2].clone(), x.int(3), x.params[4].clone()),
        (dfd, cstr("k"), dfd, cstr("l")),
        "renameat"
    );
    let (at, x) = find(&seen, at, 303, |_| true);
    assert_eq!(
        (x.int(0), x.int(1), x.params[2].clone(), x.int(3)),
        (Some(0), dfd, cstr("l"), Some(1)),
        "unlinkat AT_REMOVEDIR"
    );
    let (at, x) = find(&seen, at, 95, |_| true);
    assert_eq!((x.int(0), x.params[1].clone()), (Some(0), cstr(d)), "chdir");
    let (at, e) = find(&seen, at, 96, |_| true);
    assert_eq!(e.int(0), dfd, "fchdir");

    // Network: a TCP server and client on loopback.
    let (at, e) = find(&seen, at, 18, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.int(2)),
        (Some(2), Some(1 | 0x80000), Some(0)),
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)"
    );
    let (at, x) = find(&seen, at, 19, |_| true);
    let srv = x.int(0);
    let (at, x) = find(&seen, at, 21, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].as_slice()),
        (Some(0), &[2, 127, 0, 0, 1, 0, 0][..]),
        "bind: 127.0.0.1:0"
    );
    let (at, e) = find(&seen, at, 24, |_| true);
    assert_eq!((e.int(0), e.int(1)), (srv, Some(5)), "listen");
    let (at, e) = find(&seen, at, 22, |_| true);
    let port = u16_at(&e.params[1], 5);
    assert_eq!(e.params[1][..5], [2, 127, 0, 0, 1], "connect's address");
    let cli = e.int(0);
    let (at, x) = find(&seen, at, 23, |_| true);
    assert_eq!(x.int(0), Some(0));
    let cport = u16_at(&x.params[1], 5);
    assert_eq!(
        x.params[1],
        tuple4(cport, port),
        "connect: this end, then the server"
    );
    let (at, x) = find(&seen, at, 249, |_| true);
    let conn = x.int(0);
    assert_eq!(
        x.params[1],
        tuple4(cport, port),
        "accept4: the client as source"
    );
    assert_eq!(
        (x.params[2].as_slice(), x.int(3), x.int(4)),
        (&[0u8][..], Some(0), Some(5)),
        "the accept queue: empty again, limit 5"
    );
    let (at, e) = find(&seen, at, 30, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.params[2].clone()),
        (cli, Some(4), tuple4(cport, port)),
        "sendto"
    );
    let (at, x) = find(&seen, at, 31, |_| true);
    assert_eq!((x.int(0), x.params[1].as_slice()), (Some(4), &b"ping"[..]));
    let (at, e) = find(&seen, at, 34, |_| true);
    assert_eq!((e.int(0), e.int(1)), (conn, Some(10)), "recvfrom");
    let (at, x) = find(&seen, at, 35, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].as_slice(), x.params[2].clone()),
        (Some(4), &b"ping"[..], tuple4(cport, port))
    );
    let (at, e) = find(&seen, at, 48, |_| true);
    assert_eq!(
        (e.int(0), e.int(1), e.params[2].clone()),
        (cli, Some(3), tuple4(cport, port)),
        "sendmsg"
    );
    let (at, x) = find(&seen, at, 49, |_| true);
    assert_eq!((x.int(0), x.params[1].as_slice()), (Some(3), &b"abc"[..]));
    let (at, x) = find(&seen, at, 53, |_| true);
    assert_eq!(
        (
            x.int(0),
            x.int(1),
            x.params[2].as_slice(),
            x.params[3].clone()
        ),
        (Some(3), Some(10), &b"abc"[..], tuple4(cport, port)),
        "recvmsg"
    );
    let (at, e) = find(&seen, at, 36, |_| true);
    assert_eq!(
        (e.int(0), e.params[1].as_slice()),
        (cli, &[1u8][..]),
        "shutdown SHUT_WR"
    );
    // UDP without a connection: the addresses the calls were given.
    let (at, e) = find(&seen, at, 30, |e| {
        e.int(1) == Some(4) && e.params[2].len() == 13 && e.params[2][1..5] == [0, 0, 0, 0]
    });
    let uport = u16_at(&e.params[2], 11);
    let (at, x) = find(&seen, at, 35, |_| true);
    assert_eq!(x.params[1], b"udp!");
    let t = &x.params[2];
    assert_eq!(
        (t[0], &t[1..5], &t[7..11], u16_at(t, 11)),
        (2, &[127, 0, 0, 1][..], &[127, 0, 0, 1][..], uport),
        "recvfrom: the sender, then this end"
    );
    let (at, e) = find(&seen, at, 42, |_| true);
    assert_eq!(e.int(0), Some(1), "socketpair AF_UNIX");
    let (at, x) = find(&seen, at, 43, |_| true);
    assert_eq!(x.int(0), Some(0));
    assert!(
        x.int(3).is_some_and(|s| s != 0)
            && x.int(4).is_some_and(|p| p != 0)
            && x.int(3) != x.int(4),
        "socketpair: both ends' sockets"
    );

    // Processes, signals, credentials, memory.
    let (at, e) = find(&seen, at, 128, |_| true);
    assert_eq!(
        (e.int(0), e.params[1].as_slice()),
        (Some(pid), &[0u8][..]),
        "kill(pid, 0)"
    );
    let (at, e) = find(&seen, at, 132, |_| true);
    assert_eq!((e.int(0), e.int(1)), (Some(pid), Some(pid)), "tgkill");
    let (at, e) = find(&seen, at, 200, |_| true);
    assert_eq!(e.int(0), Some(0), "setgid");
    let (at, e) = find(&seen, at, 198, |_| true);
    assert_eq!(e.int(0), Some(0), "setuid");
    let (at, e) = find(&seen, at, 160, |e| e.int(1) == Some(8192));
    assert_eq!(
        (e.int(2), e.int(3), e.int(4)),
        (Some(3), Some(1 | 8), Some(-1)),
        "mmap: PROT_READ|WRITE, MAP_SHARED|ANONYMOUS, no fd"
    );
    let (at, x) = find(&seen, at, 161, |_| true);
    let addr = x.int(0);
    assert!(
        x.int(1).is_some_and(|kb| kb > 0) && x.int(2).is_some_and(|kb| kb > 0),
        "vm_size and vm_rss after mmap"
    );
    let (at, e) = find(&seen, at, 164, |_| true);
    assert_eq!((e.int(0), e.int(1)), (addr, Some(8192)), "munmap");
    let (at, x) = find(&seen, at, 159, |_| true);
    assert!(x.int(0).is_some_and(|brk| brk > 0), "brk returns the break");
    let (at, e) = find(&seen, at, 168, |_| true);
    assert_eq!(
        (e.int(0), e.int(1)),
        (Some(20), Some(999_999_999)),
        "ptrace PTRACE_SEIZE"
    );
    let (at, x) = find(&seen, at, 169, |_| true);
    assert_eq!(x.int(0), Some(-3), "ESRCH");
    let (at, e) = find(&seen, at, 256, |_| true);
    assert_eq!(e.int(0), Some(2), "mount MS_NOSUID");
    let (at, x) = find(&seen, at, 257, |_| true);
    assert_eq!(
        (
            x.int(0),
            x.params[1].clone(),
            x.params[2].clone(),
            x.params[3].clone()
        ),
        (
            Some(-2),
            cstr("none"),
            cstr("/nonexistent-sonde"),
            cstr("tmpfs")
        )
    );
    let (at, e) = find(&seen, at, 258, |_| true);
    assert_eq!(e.int(0), Some(2), "umount2 MNT_DETACH");
    let (at, x) = find(&seen, at, 259, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].clone()),
        (Some(-2), cstr("/nonexistent-sonde"))
    );
    let (at, x) = find(&seen, at, 335, |_| true);
    assert_eq!(
        (x.int(0), x.int(15)),
        (Some(-22), Some(0x2000)),
        "clone3: EINVAL, CLONE_THREAD from its arguments"
    );
    // A thread (glibc makes it with clone3): its side of the clone (res 0,
    // recorded as the clone happens) comes before anything it does, with
    // CLONE_THREAD; then the parent's side names it.
    let (at, thread) = find(&seen, at, 335, |x| x.int(0) == Some(0));
    let tid = thread.tid;
    assert!(
        tid != pid as u64 && thread.int(4) == Some(pid),
        "a thread of the child"
    );
    assert!(
        thread.int(15).is_some_and(|f| f & 0x2000 != 0),
        "CLONE_THREAD"
    );
    assert_eq!(
        seen.iter().position(|e| e.tid == tid),
        Some(at - 1),
        "nothing of the thread before its clone"
    );
    let (at, x) = find(&seen, at, 335, |x| x.int(0) == Some(tid as i64));
    assert_eq!(x.tid, pid as u64, "the parent's side");
    let (at, x) = find(&seen, at, 223, |x| x.tid == pid as u64);
    assert!(
        x.int(0).is_some_and(|child| child > pid),
        "fork: the child's pid"
    );
    let (at, exe) = find(&seen, at, 307, |e| e.params[2] == cstr("/bin/true"));
    let (at, e) = find(&seen, at, 330, |_| true);
    assert_eq!(
        (e.int(0), e.params[1].clone(), e.int(2)),
        (exe.int(0), cstr(""), Some(1)),
        "execveat(fd, \"\", AT_EMPTY_PATH)"
    );
    // A successful execveat returns as execve, as the driver records it.
    let (_, x) = find(&seen, at, 293, |_| true);
    assert_eq!(
        (x.int(0), x.params[1].clone(), x.params[2].clone()),
        (Some(0), cstr("true"), cstr("x")),
        "the new program"
    );

    // Context switches of the child: the thread leaving the CPU, the one
    // coming in, and the leaving one's memory.
    let switches: Vec<&Seen> = seen
        .iter()
        .filter(|e| e.ty == 152 && e.tid == pid as u64)
        .collect();
    assert!(
        !switches.is_empty(),
        "the child was switched out at least once"
    );
    assert!(
        switches
            .iter()
            .all(|e| e.tid == pid as u64 && e.int(0).is_some_and(|next| next != pid))
    );
    assert!(
        switches.iter().any(|e| e.int(3).is_some_and(|kb| kb > 0)),
        "vm_size of a switched-out process"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
