//! What the live tests share: running a child under the probe and keeping
//! its events.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sonde_event::{HeaderVersion, RawEvent, SYSCALL_TABLE, event_info};
use sonde_kernel::{Attach, Probe, ProbeOptions};

pub const PROCEXIT_E: u16 = 186;
/// clone, fork, vfork and clone3 exits.
pub const CLONE_EXITS: [u16; 4] = [223, 225, 227, 335];

/// The calling thread's id (`/proc/thread-self` is `PID/task/TID`).
pub fn my_tid() -> i64 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .expect("/proc/thread-self")
}

/// One recorded event, decoded and detached from the ring buffer.
#[derive(Debug)]
pub struct Seen {
    pub tid: u64,
    pub ts: u64,
    pub ty: u16,
    pub name: &'static str,
    pub params: Vec<Vec<u8>>,
}

impl Seen {
    pub fn int(&self, i: usize) -> Option<i64> {
        let b = self.params.get(i)?;
        Some(match b.len() {
            2 => i64::from(u16::from_le_bytes([b[0], b[1]])),
            4 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            8 => i64::from_le_bytes(b.as_slice().try_into().ok()?),
            _ => return None,
        })
    }

    /// The `PPM_SC` name a generic event carries.
    pub fn syscall(&self) -> &'static str {
        let id = self.int(0).unwrap_or(-1);
        usize::try_from(id)
            .ok()
            .and_then(|i| SYSCALL_TABLE.get(i))
            .map_or("?", |s| s.name)
    }
}

/// Runs `script` under `sh` with the probe open on its pid (the child waits
/// on its stdin until the probe is attached), and returns its events.
pub fn record(script: &str, snaplen: u32) -> (u32, Vec<Seen>) {
    record_program(&["/bin/sh", "-c", script], snaplen)
}

/// Runs `argv` with the probe open on its pid; the program reads a line
/// from its stdin (sent once the probe is attached) before it starts.
pub fn record_program(argv: &[&str], snaplen: u32) -> (u32, Vec<Seen>) {
    record_attached(argv, snaplen, Attach::Auto)
}

/// `record_program` with the programs attached as `attach` says.
pub fn record_attached(argv: &[&str], snaplen: u32, attach: Attach) -> (u32, Vec<Seen>) {
    let mut child = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn /bin/sh");
    let pid = child.id();
    let mut probe = Probe::open(&ProbeOptions {
        only_tgid: Some(pid),
        snaplen,
        attach,
        ..ProbeOptions::default()
    })
    .expect("open the probe (root, BTF, tp_btf)");
    if attach != Attach::Auto {
        assert_eq!(probe.attached_as(), attach);
    }
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"go\n")
        .expect("release the child");
    assert!(child.wait().expect("wait").success());

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut ended = false;
    while !ended && Instant::now() < deadline {
        probe
            .poll(Duration::from_millis(100), |cpu, bytes| {
                let ev = RawEvent::decode(bytes, HeaderVersion::V2, cpu, 0)
                    .expect("every recorded event decodes");
                let name = event_info(ev.ty).map_or("?", |i| i.name);
                let params: Vec<Vec<u8>> = ev.params().map(<[u8]>::to_vec).collect();
                // The main thread's end (the process's other threads end
                // before it).
                ended |= ev.ty == PROCEXIT_E && ev.tid == u64::from(pid);
                seen.push(Seen {
                    tid: ev.tid,
                    ts: ev.ts,
                    ty: ev.ty,
                    name,
                    params,
                });
            })
            .expect("poll");
    }
    eprintln!("{} events from pid {pid}", seen.len());
    assert_eq!(probe.drops().expect("drops"), 0, "events dropped");
    assert!(ended, "the child's procexit was not seen");
    // Only the child's threads are recorded: its main thread, and threads
    // it made, each announced by its side of the clone (res 0) first.
    let mut threads = vec![u64::from(pid)];
    for e in &seen {
        if CLONE_EXITS.contains(&e.ty) && e.int(0) == Some(0) && !threads.contains(&e.tid) {
            threads.push(e.tid);
        }
        assert!(
            threads.contains(&e.tid),
            "event {} of thread {} that is not the child's, or came before its clone",
            e.name,
            e.tid
        );
    }
    (pid, seen)
}
