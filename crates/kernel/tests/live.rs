//! Live capture on this machine: needs root (CI runs as root); elsewhere each
//! test says it skipped.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sonde_event::{HeaderVersion, RawEvent, SYSCALL_TABLE, event_info};
use sonde_kernel::{Probe, ProbeOptions};

fn is_root() -> bool {
    // /proc/self/status names the effective uid (second field of `Uid:`).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// A child's system calls come out as decodable scap events: its `read`
/// (which we release) returns as the generic exit named `read`, and its
/// `execve` enters as the generic enter with native number 59.
#[test]
fn a_childs_system_calls_are_recorded_as_scap_events() {
    if !is_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    // The child waits on its stdin, so the probe can be opened on its pid
    // before it does anything we look for.
    let mut child = Command::new("/bin/sh")
        .args(["-c", "read x; exec /bin/true"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn /bin/sh");
    let pid = child.id();
    let mut probe = Probe::open(&ProbeOptions {
        only_tgid: Some(pid),
        ..ProbeOptions::default()
    })
    .expect("open the probe (root, BTF, tp_btf)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"go\n")
        .expect("release the child");
    let status = child.wait().expect("wait");
    assert!(status.success());

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        probe
            .poll(Duration::from_millis(100), |cpu, bytes| {
                let ev = RawEvent::decode(bytes, HeaderVersion::V2, cpu, 0)
                    .expect("every recorded event decodes");
                let name = event_info(ev.ty).map(|i| i.name).unwrap_or("?");
                let id = ev.param_u64(0).unwrap_or(u64::MAX) as usize;
                let sc = SYSCALL_TABLE.get(id).map_or("?", |s| s.name);
                let native = ev.param_u64(1);
                seen.push((ev.tid, ev.ty, name, sc, native, ev.ts));
            })
            .expect("poll");
        if seen.iter().any(|e| e.4 == Some(59)) {
            break;
        }
    }
    eprintln!("{} events from pid {pid}", seen.len());
    assert_eq!(probe.drops().expect("drops"), 0);
    assert!(!seen.is_empty(), "no events from pid {pid}");
    assert!(
        seen.iter().all(|e| e.0 == u64::from(pid)),
        "only the child's thread is recorded: {seen:?}"
    );
    assert!(
        seen.iter().any(|e| e.1 == 1 && e.3 == "read"),
        "the child's read returns as `syscall` (ID read): {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|e| e.1 == 0 && e.3 == "execve" && e.4 == Some(59)),
        "the child's execve enters as `syscall` (ID execve, nativeID 59): {seen:?}"
    );
    // Timestamps are wall-clock ns, in order per thread, and recent.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64;
    assert!(seen.windows(2).all(|w| w[0].5 <= w[1].5));
    assert!(
        seen.iter()
            .all(|e| e.5 <= now && now - e.5 < 60_000_000_000)
    );
}
