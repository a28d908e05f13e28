//! The machine's processes and their file descriptors, read from /proc at
//! the start of a live capture, as libscap reads them (`scap_procs.c`): they
//! go into the state engine (so events of processes started before the
//! capture name their process and files) and into the capture file's
//! process-list and fd-list blocks.
//!
//! Everything is best-effort: processes come and go while /proc is read, and
//! what cannot be read is left empty, never an error.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use sonde_scap::{FdRecord, FdRecordKind, ThreadRecord};

/// What the scan found.
#[derive(Debug, Clone, Default)]
pub struct ProcSnapshot {
    pub threads: Vec<ThreadRecord>,
    /// Each process's descriptors, under its main thread's id.
    pub fds: Vec<(u64, Vec<FdRecord>)>,
}

/// libscap's thread flags for a thread that is not its process's main one.
const PPM_CL_CLONE_FILES: u32 = 1 << 0;
const PPM_CL_CLONE_THREAD: u32 = 1 << 5;

/// scap's l4 protocol numbers.
const L4_TCP: u8 = 2;
const L4_UDP: u8 = 3;

/// libscap's limits on what it keeps of a process (`SCAP_MAX_PATH_SIZE`,
/// `SCAP_MAX_ARGS_SIZE`, `SCAP_MAX_ENV_SIZE`, `SCAP_MAX_CGROUPS_SIZE`): longer
/// values are cut, as libscap cuts them, so that every record can be written.
const MAX_PATH: usize = 1023;
const MAX_LIST: usize = 4095;

fn cut(mut v: Vec<u8>, max: usize) -> Vec<u8> {
    v.truncate(max);
    v
}

/// Reads every process (and thread) under `proc` (normally `/proc`).
pub fn scan(proc: &Path) -> ProcSnapshot {
    let sockets = Sockets::read(proc);
    let mut snap = ProcSnapshot::default();
    for pid in numbered::<u64>(proc) {
        let dir = proc.join(pid.to_string());
        let Some(main) = read_thread(&dir, pid, pid) else {
            continue;
        };
        let tids: Vec<u64> = numbered(&dir.join("task"));
        snap.fds.push((pid, read_fds(&dir, &sockets)));
        snap.threads.push(main);
        for tid in tids.into_iter().filter(|&t| t != pid) {
            if let Some(t) = read_thread(&dir.join("task").join(tid.to_string()), tid, pid) {
                snap.threads.push(t);
            }
        }
    }
    snap
}

/// The entries of `dir` whose names are numbers (pids, tids, fds), sorted;
/// none when it cannot be read.
fn numbered<T: std::str::FromStr + Ord>(dir: &Path) -> Vec<T> {
    let mut v: Vec<T> = fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// One thread from its /proc directory.
fn read_thread(dir: &Path, tid: u64, pid: u64) -> Option<ThreadRecord> {
    let stat = fs::read_to_string(dir.join("stat")).ok()?;
    // `pid (comm) state ppid pgrp session tty_nr ...`: comm may hold spaces
    // and parentheses, so it ends at the last `)`.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.as_bytes().to_vec();
    let f: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    // After the comm: state(0) ppid(1) pgrp(2) session(3) tty_nr(4) tpgid(5)
    // flags(6) minflt(7) cminflt(8) majflt(9).
    let status = fs::read_to_string(dir.join("status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
    };
    let first_num = |s: &str| {
        s.split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
    };
    let last_num = |s: &str| {
        s.split_whitespace()
            .last()
            .and_then(|v| v.parse::<i64>().ok())
    };
    let cmdline = fs::read(dir.join("cmdline")).unwrap_or_default();
    // exe is the first argument, args the others (NUL-separated).
    let (exe, args) = match cmdline.iter().position(|&b| b == 0) {
        Some(n) => (cmdline[..n].to_vec(), cmdline[n + 1..].to_vec()),
        None => (cmdline.clone(), Vec::new()),
    };
    let link = |name: &str| {
        fs::read_link(dir.join(name))
            .map(|p| p.into_os_string().into_encoded_bytes())
            .unwrap_or_default()
    };
    let mut cwd = link("cwd");
    if !cwd.ends_with(b"/") {
        cwd.push(b'/');
    }
    let cgroups = fs::read_to_string(dir.join("cgroup"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            // `id:controllers:path`; cgroup v2 has no controllers.
            let mut it = l.splitn(3, ':');
            let (_, ctl, path) = (it.next()?, it.next()?, it.next()?);
            let ctl = if ctl.is_empty() { "cpuset" } else { ctl };
            Some(format!("{ctl}={path}\0"))
        })
        .collect::<String>()
        .into_bytes();
    let fdlimit = fs::read_to_string(dir.join("limits"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Some(ThreadRecord {
        tid,
        pid,
        ptid: num(1).max(0) as u64,
        sid: num(3),
        vpgid: num(2),
        comm: cut(comm, MAX_PATH),
        exe: cut(exe, MAX_PATH),
        exepath: cut(link("exe"), MAX_PATH),
        args: cut(args, MAX_LIST),
        cwd: cut(cwd, MAX_PATH),
        fdlimit,
        flags: if tid == pid {
            0
        } else {
            PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES
        },
        uid: first_num(field("Uid:")).unwrap_or(0) as u32,
        gid: first_num(field("Gid:")).unwrap_or(0) as u32,
        vmsize_kb: first_num(field("VmSize:")).unwrap_or(0) as u32,
        vmrss_kb: first_num(field("VmRSS:")).unwrap_or(0) as u32,
        vmswap_kb: first_num(field("VmSwap:")).unwrap_or(0) as u32,
        pfmajor: num(9).max(0) as u64,
        pfminor: num(7).max(0) as u64,
        env: cut(fs::read(dir.join("environ")).unwrap_or_default(), MAX_LIST),
        vtid: last_num(field("NSpid:")).unwrap_or(tid as i64),
        vpid: last_num(field("NStgid:")).unwrap_or(pid as i64),
        cgroups: cut(cgroups, MAX_LIST),
        root: cut(link("root"), MAX_PATH),
        loginuid: fs::read_to_string(dir.join("loginuid"))
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(u32::MAX),
        tty: num(4) as u32,
        exe_writable: false,
        pidns_init_start_ts: 0,
    })
}

/// A process's descriptors, typed from their /proc links.
fn read_fds(dir: &Path, sockets: &Sockets) -> Vec<FdRecord> {
    let mut out = Vec::new();
    for fd in numbered::<i64>(&dir.join("fd")) {
        let path = dir.join("fd").join(fd.to_string());
        let Ok(target) = fs::read_link(&path) else {
            continue;
        };
        let target = cut(target.into_os_string().into_encoded_bytes(), MAX_PATH);
        let meta = fs::metadata(&path).ok();
        let ino = meta.as_ref().map_or(0, std::os::unix::fs::MetadataExt::ino);
        let named = |ty: u8| FdRecordKind::Named {
            ty,
            name: target.clone(),
        };
        let kind = if let Some(rest) = target.strip_prefix(b"socket:[") {
            let ino: u64 = std::str::from_utf8(rest.strip_suffix(b"]").unwrap_or(rest))
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            match sockets.by_ino.get(&ino) {
                Some(k) => k.clone(),
                None => named(sonde_scap::records::fd_type::UNSUPPORTED),
            }
        } else if target.starts_with(b"pipe:[") {
            named(sonde_scap::records::fd_type::FIFO)
        } else if target.starts_with(b"anon_inode:") {
            let ty = match &target[b"anon_inode:".len()..] {
                b"[eventfd]" => sonde_scap::records::fd_type::EVENT,
                b"[signalfd]" => sonde_scap::records::fd_type::SIGNALFD,
                b"[eventpoll]" => sonde_scap::records::fd_type::EVENTPOLL,
                b"inotify" => sonde_scap::records::fd_type::INOTIFY,
                b"[timerfd]" => sonde_scap::records::fd_type::TIMERFD,
                _ => sonde_scap::records::fd_type::UNSUPPORTED,
            };
            named(ty)
        } else if meta.as_ref().is_some_and(fs::Metadata::is_dir) {
            named(sonde_scap::records::fd_type::DIRECTORY)
        } else if target.starts_with(b"/") {
            let flags = fs::read_to_string(dir.join("fdinfo").join(fd.to_string()))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
                .unwrap_or(0);
            FdRecordKind::File {
                open_flags: open_flags_to_scap(flags),
                name: target.clone(),
                dev: meta
                    .as_ref()
                    .map_or(0, |m| std::os::unix::fs::MetadataExt::dev(m) as u32),
            }
        } else {
            named(sonde_scap::records::fd_type::UNSUPPORTED)
        };
        out.push(FdRecord { fd, ino, kind });
    }
    out
}

/// The machine's sockets by inode, from /proc/net.
#[derive(Default)]
struct Sockets {
    by_ino: HashMap<u64, FdRecordKind>,
}

impl Sockets {
    fn read(proc: &Path) -> Sockets {
        let mut s = Sockets::default();
        for (file, l4) in [("tcp", L4_TCP), ("udp", L4_UDP)] {
            inet_sockets(proc, file, l4, ipv4_endpoint, |ino, e| {
                let kind = if e.server {
                    FdRecordKind::Ipv4Server {
                        ip: e.lip,
                        port: e.lport,
                        l4proto: l4,
                    }
                } else {
                    FdRecordKind::Ipv4Socket {
                        sip: e.lip,
                        dip: e.rip,
                        sport: e.lport,
                        dport: e.rport,
                        l4proto: l4,
                    }
                };
                s.by_ino.insert(ino, kind);
            });
        }
        for (file, l4) in [("tcp6", L4_TCP), ("udp6", L4_UDP)] {
            inet_sockets(proc, file, l4, ipv6_endpoint, |ino, e| {
                let kind = if e.server {
                    FdRecordKind::Ipv6Server {
                        ip: e.lip,
                        port: e.lport,
                        l4proto: l4,
                    }
                } else {
                    FdRecordKind::Ipv6Socket {
                        sip: e.lip,
                        dip: e.rip,
                        sport: e.lport,
                        dport: e.rport,
                        l4proto: l4,
                    }
                };
                s.by_ino.insert(ino, kind);
            });
        }
        let unix = fs::read_to_string(proc.join("net/unix")).unwrap_or_default();
        for line in unix.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let Some(Ok(ino)) = f.get(6).map(|v| v.parse::<u64>()) else {
                continue;
            };
            let path = cut(
                f.get(7).map(|p| p.as_bytes().to_vec()).unwrap_or_default(),
                MAX_PATH,
            );
            s.by_ino.insert(
                ino,
                FdRecordKind::Unix {
                    source: 0,
                    dest: 0,
                    path,
                },
            );
        }
        s
    }
}

/// `0100007F:0050` (the address as the kernel's u32, the port in hex).
/// The two ends of a socket of /proc/net/{tcp,udp}[6].
struct InetEnds<A> {
    lip: A,
    lport: u16,
    rip: A,
    rport: u16,
    /// A TCP socket listening (state 0A), or an unconnected UDP one.
    server: bool,
}

/// Each socket of /proc/net/`file` by inode, its addresses read by
/// `endpoint`.
fn inet_sockets<A>(
    proc: &Path,
    file: &str,
    l4: u8,
    endpoint: fn(&str) -> Option<(A, u16)>,
    mut add: impl FnMut(u64, InetEnds<A>),
) {
    let text = fs::read_to_string(proc.join("net").join(file)).unwrap_or_default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(state), Some(ino)) =
            (f.get(1), f.get(2), f.get(3), f.get(9))
        else {
            continue;
        };
        let (Some((lip, lport)), Some((rip, rport)), Ok(ino)) =
            (endpoint(local), endpoint(remote), ino.parse::<u64>())
        else {
            continue;
        };
        let server = (l4 == L4_TCP && *state == "0A") || (l4 == L4_UDP && rport == 0);
        add(
            ino,
            InetEnds {
                lip,
                lport,
                rip,
                rport,
                server,
            },
        );
    }
}

fn ipv4_endpoint(s: &str) -> Option<(u32, u16)> {
    let (ip, port) = s.split_once(':')?;
    Some((
        u32::from_str_radix(ip, 16).ok()?,
        u16::from_str_radix(port, 16).ok()?,
    ))
}

/// An IPv6 endpoint of /proc/net/tcp6: 32 hex digits (four words, each
/// printed as the host reads the address's bytes), a colon, the port.
fn ipv6_endpoint(s: &str) -> Option<([u8; 16], u16)> {
    let (ip, port) = s.split_once(':')?;
    if ip.len() != 32 {
        return None;
    }
    let mut addr = [0u8; 16];
    for (i, word) in addr.chunks_exact_mut(4).enumerate() {
        let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
        word.copy_from_slice(&w.to_ne_bytes());
    }
    Some((addr, u16::from_str_radix(port, 16).ok()?))
}

/// Linux open flags as scap's `PPM_O_*` flags (`open_flags_to_scap`).
fn open_flags_to_scap(flags: u32) -> u32 {
    const O_WRONLY: u32 = 0o1;
    const O_RDWR: u32 = 0o2;
    const O_CREAT: u32 = 0o100;
    const O_EXCL: u32 = 0o200;
    const O_TRUNC: u32 = 0o1000;
    const O_APPEND: u32 = 0o2000;
    const O_NONBLOCK: u32 = 0o4000;
    const O_DSYNC: u32 = 0o10000;
    const O_DIRECT: u32 = 0o40000;
    const O_LARGEFILE: u32 = 0o100000;
    const O_DIRECTORY: u32 = 0o200000;
    const O_CLOEXEC: u32 = 0o2000000;
    const O_SYNC: u32 = 0o4010000;
    const O_TMPFILE: u32 = 0o20200000;
    let mut r = match flags & 3 {
        O_WRONLY => 1 << 1,            // PPM_O_WRONLY
        O_RDWR => (1 << 0) | (1 << 1), // PPM_O_RDWR
        _ => 1 << 0,                   // PPM_O_RDONLY
    };
    for (linux, ppm) in [
        (O_CREAT, 1 << 2),
        (O_APPEND, 1 << 3),
        (O_DSYNC, 1 << 4),
        (O_EXCL, 1 << 5),
        (O_NONBLOCK, 1 << 6),
        (O_SYNC, 1 << 7),
        (O_TRUNC, 1 << 8),
        (O_DIRECT, 1 << 9),
        (O_DIRECTORY, 1 << 10),
        (O_LARGEFILE, 1 << 11),
        (O_CLOEXEC, 1 << 12),
        // O_TMPFILE includes O_DIRECTORY's bit: any of them, as libscap tests.
        (O_TMPFILE, 1 << 13),
    ] {
        // Any bit, as libscap tests them (O_SYNC includes O_DSYNC's bit).
        if flags & linux != 0 {
            r |= ppm;
        }
    }
    r
}
