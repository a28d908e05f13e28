//! The flight recorder through its API, as a consumer of the live stream
//! other than `sonde dig` uses it: events go into a ring `Store`, a
//! `Trigger` is fired in-process, and the file holds what happened before
//! it and during the seconds after. Needs root (CI runs as root); says when
//! it skips.

use std::process::Command;
use std::time::{Duration, Instant};

use sonde_capture::live::{LiveSource, RingNews, RingStore, Store};
use sonde_capture::recorder::Trigger;
use sonde_kernel::ProbeOptions;

fn drain_for(source: &mut LiveSource, store: &mut Store, how_long: Duration) {
    let until = Instant::now() + how_long;
    while Instant::now() < until {
        source
            .poll(Duration::from_millis(20), |cpu, bytes| {
                store.keep(cpu, 0, bytes).expect("keep");
            })
            .expect("poll");
    }
}

/// Every write event's data in the capture.
fn written_data(path: &std::path::Path) -> Vec<Vec<u8>> {
    let mut src = sonde_capture::FileSource::open(path).expect("open the dump");
    let mut out = Vec::new();
    let mut take = |ty: u16, data: Option<&[u8]>| {
        if ty == 9
            && let Some(d) = data
        {
            out.push(d.to_vec());
        }
    };
    loop {
        if let Some(ev) = src.next_event() {
            take(ev.ty, ev.param(1));
            continue;
        }
        match src.next_block().expect("a valid capture") {
            Some(sonde_scap::Block::Event(ev)) => take(ev.ty, ev.param(1)),
            Some(_) => {}
            None => break,
        }
    }
    out
}

#[test]
fn a_trigger_writes_the_events_from_before_it() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sonde-ring-api-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("dump.scap");
    // Only the events of a shell under a name of its own: other tests may run
    // busy workloads beside this one, whose events would push the markers out
    // of the ring (or the kernel buffer) before the trigger.
    let shell = dir.join("ringapi-sh");
    std::os::unix::fs::symlink("/bin/sh", &shell).expect("symlink");
    let options = ProbeOptions {
        only_comm: Some("ringapi-sh".into()),
        ..ProbeOptions::default()
    };
    let mut source = LiveSource::open(&options).expect("probe (root, BTF)");
    let mut store = Store::Ring(Box::new(RingStore::new(
        16 << 20,
        Duration::from_millis(500),
        Some(path.clone()),
        false,
        source.header().clone(),
    )));
    let trigger = Trigger::new();
    let tag = std::process::id();
    let run = |line: String| {
        assert!(
            Command::new(&shell)
                .args(["-c", &line])
                .status()
                .expect("sh")
                .success()
        );
    };
    run(format!("echo before-{tag} > /dev/null"));
    drain_for(&mut source, &mut store, Duration::from_millis(300));
    assert!(!path.exists(), "nothing is written before the trigger");

    // Another part of sonde (a rule, a runbook) fires the trigger.
    let other = trigger.clone();
    other.fire();
    let Store::Ring(ring) = &mut store else {
        unreachable!("a ring store")
    };
    match ring.tick(&trigger) {
        Some(RingNews::Started { path: p, bytes, .. }) => {
            assert_eq!(p, path);
            assert!(bytes > 0, "the recorder held events");
        }
        other => panic!("the trigger started no file: {other:?}"),
    }
    run(format!("echo after-{tag} > /dev/null"));
    drain_for(&mut source, &mut store, Duration::from_millis(300));
    let news = store.finish().expect("finish");
    assert!(
        matches!(news, Some(RingNews::Wrote(ref p)) if *p == path),
        "{news:?}"
    );

    let data = written_data(&path);
    for marker in [format!("before-{tag}\n"), format!("after-{tag}\n")] {
        assert!(
            data.iter().any(|d| d == marker.as_bytes()),
            "{marker:?} is in the dump"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
