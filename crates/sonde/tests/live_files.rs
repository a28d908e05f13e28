//! Live captures written as files: rotation by size, count and time, the
//! flight recorder, drops marked in the stream, the kernel-side prefilter.
//! Each file is read by Debian's sysdig 0.29.3 and by sonde with the same
//! lines. Needs root (CI runs as root); says when it skips.

use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::*;

/// `-C 1 -W 2` under a busy workload: files FILE0 and FILE1 only, each cut
/// near a million bytes, each a capture both readers read alike.
#[test]
fn size_rotation_keeps_w_files_of_c_megabytes() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("rotate-size");
    let base = dir.join("cap.scap");
    let first = dir.join("cap.scap0");
    let mut dig = start_dig(
        &[
            "-C",
            "1",
            "-W",
            "2",
            "--no-switch",
            "-w",
            base.to_str().expect("utf-8"),
        ],
        Some(&first),
    );
    sh("dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null");
    std::thread::sleep(Duration::from_millis(300));
    signal(&dig, "INT");
    assert!(dig.wait().expect("wait").success());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["cap.scap0", "cap.scap1"], "-W 2 keeps two files");
    let (mut largest, mut events) = (0, 0);
    for name in names {
        let path = dir.join(&name);
        let len = std::fs::metadata(&path).expect("stat").len();
        // A file is closed at the first event past a million bytes.
        assert!(len <= 1_000_000 + 70_000, "{name}: {len} bytes");
        if len > largest {
            largest = len;
            events = same_in_both(&path).lines().count();
        } else {
            same_in_both(&path);
        }
    }
    // One file was filled and closed (the one being written when the
    // capture stopped may have just begun); how many events that is depends
    // on what else the machine did, so its size is what is checked.
    assert!(
        largest >= 1_000_000 - 70_000,
        "a full file holds a million bytes of events: {largest}"
    );
    assert!(events > 1_000, "{events} events in the full file");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-G 1 -W 2` with a strftime name: a new file every second, named by the
/// time, and the capture ends by itself after the second file.
#[test]
fn time_rotation_names_files_by_time_and_stops_after_w() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("rotate-time");
    let pattern = dir.join("cap-%H%M%S.scap");
    let started = Instant::now();
    let mut dig = Command::new(sonde())
        .args(["dig", "-G", "1", "-W", "2", "-w"])
        .arg(&pattern)
        .spawn()
        .expect("start");
    // Activity, so that events arrive to trigger the rotation.
    while dig.try_wait().expect("try_wait").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "-G 1 -W 2 never ended"
        );
        sh("cat /etc/hostname > /dev/null");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(dig.wait().expect("wait").success());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(
            name.len() == "cap-HHMMSS.scap".len()
                && name.starts_with("cap-")
                && name[4..10].bytes().all(|b| b.is_ascii_digit()),
            "{name} is named by strftime"
        );
        same_in_both(&dir.join(name));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--ring`: events from before SIGUSR1 are in the file it writes, and so
/// are the events of the seconds after it (--ring-after).
#[test]
fn the_flight_recorder_writes_what_came_before_the_trigger() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("ring");
    let file = dir.join("ring.scap");
    // Only sh's events: other tests may run busy workloads beside this one,
    // whose events would push the markers out of the ring.
    let dig = start_dig(
        &[
            "--ring",
            "64",
            "--ring-after",
            "2",
            "-w",
            file.to_str().expect("utf-8"),
            "proc.name=sh",
        ],
        None,
    );
    let tag = std::process::id();
    sh(&format!("echo before-trigger-{tag} > /dev/null"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(!file.exists(), "nothing is written before the trigger");
    signal(&dig, "USR1");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !file.exists() {
        assert!(Instant::now() < deadline, "SIGUSR1 wrote no file");
        std::thread::sleep(Duration::from_millis(20));
    }
    sh(&format!("echo after-trigger-{tag} > /dev/null"));
    std::thread::sleep(Duration::from_millis(2500));
    signal(&dig, "INT");
    let out = dig.wait_with_output().expect("wait");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("wrote {}", file.display())),
        "{stderr}"
    );
    let text = same_in_both(&file);
    for marker in [
        format!("before-trigger-{tag}"),
        format!("after-trigger-{tag}"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains("< write res=") && l.contains(&marker)),
            "{marker} is in the flight recorder's file"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A burst the kernel buffer cannot hold while sonde is held up: the drops
/// are counted (-v) and marked in the stream with `drop` events whose ratio
/// says how many were lost. (sonde writes to a FIFO that nobody reads until
/// the burst is over, so it cannot drain in time.)
#[test]
fn drops_are_counted_and_marked_in_the_stream() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("drops");
    let fifo = dir.join("fifo");
    sh(&format!("mkfifo {}", fifo.display()));
    let file = dir.join("drops.scap");
    let dig = start_dig(
        &[
            "-v",
            "--buffer-size",
            "1",
            "-w",
            fifo.to_str().expect("utf-8"),
        ],
        None,
    );
    sh("dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null");
    let mut reader = Command::new("/bin/sh")
        .args([
            "-c",
            &format!("cat {} > {}", fifo.display(), file.display()),
        ])
        .spawn()
        .expect("read the FIFO");
    std::thread::sleep(Duration::from_millis(1000));
    signal(&dig, "INT");
    let out = dig.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(reader.wait().expect("reader").success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let drops: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Driver Drops:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("-v reports the drops");
    assert!(drops > 0, "a full buffer drops events: {stderr}");
    // sysdig reads the file as sonde does (neither prints internal events
    // such as `drop`: they are counted below from the file itself).
    same_in_both(&file);
    // The lost counts the drop events carry add up to what -v says.
    let mut src = sonde_capture::FileSource::open(&file).expect("open the capture");
    let (mut lost, mut enters, mut exits) = (0u64, 0, 0);
    let mut count = |ty: u16, ratio: Option<u64>| match ty {
        148 => {
            enters += 1;
            lost += ratio.expect("ratio");
        }
        149 => exits += 1,
        _ => {}
    };
    loop {
        if let Some(ev) = src.next_event() {
            count(ev.ty, ev.param_u64(0));
            continue;
        }
        match src.next_block().expect("a valid capture") {
            Some(sonde_scap::Block::Event(ev)) => count(ev.ty, ev.param_u64(0)),
            Some(_) => {}
            None => break,
        }
    }
    assert!(
        enters > 0 && enters == exits,
        "{enters} drop enters, {exits} exits"
    );
    assert_eq!(lost, drops, "the drop events carry every lost event");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A filter on the process or command name is applied in the kernel: what
/// sonde drains is what the filter keeps.
#[test]
fn a_command_filter_is_applied_in_the_kernel() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("prefilter");
    let prog = dir.join("sonde-prefilt");
    std::fs::copy("/bin/cat", &prog).expect("copy cat");
    let file = dir.join("only.scap");
    let dig = start_dig(
        &[
            "-v",
            "-w",
            file.to_str().expect("utf-8"),
            "proc.name=sonde-prefilt",
        ],
        Some(&file),
    );
    for _ in 0..3 {
        sh(&format!("{} /etc/hostname > /dev/null", prog.display()));
    }
    sh("dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null");
    std::thread::sleep(Duration::from_millis(300));
    signal(&dig, "INT");
    let out = dig.wait_with_output().expect("wait");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let number = |key: &str| -> u64 {
        stderr
            .lines()
            .find_map(|l| l.split(key).nth(1))
            .and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{key} in {stderr}"))
    };
    let (drained, kept) = (number("Driver Events:"), number("Captured Events: "));
    assert!(kept > 30, "the three runs are captured: {stderr}");
    // dd's 40000 calls never reach userspace.
    assert!(drained < kept + 1000, "drained {drained}, kept {kept}");
    let text = same_in_both(&file);
    assert!(
        text.lines().all(|l| l.contains(" sonde-prefilt (")),
        "only the command's events"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-F` with a filter: the events the filter leaves out that change the
/// state are written too, marked state-only (sysdig's fatfile); readers
/// print only what the filter kept, alike.
#[test]
fn fatfile_writes_state_events_marked_state_only() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("fatfile");
    let file = dir.join("fat.scap");
    let dig = start_dig(
        &[
            "-F",
            "-w",
            file.to_str().expect("utf-8"),
            "evt.type=write and proc.name=cat",
        ],
        Some(&file),
    );
    sh("cat /etc/hostname > /dev/null");
    std::thread::sleep(Duration::from_millis(300));
    signal(&dig, "INT");
    assert!(dig.wait_with_output().expect("wait").status.success());
    let text = same_in_both(&file);
    assert!(
        !text.is_empty()
            && text
                .lines()
                .all(|l| l.contains(" cat (") && l.contains(" write ")),
        "only what the filter keeps is printed:\n{text}"
    );
    let mut src = sonde_capture::FileSource::open(&file).expect("open");
    let (mut state_only, mut kept) = (0, 0);
    loop {
        let flags = if let Some(ev) = src.next_event() {
            Some(ev.dump_flags)
        } else {
            match src.next_block().expect("a valid capture") {
                Some(sonde_scap::Block::Event(ev)) => Some(ev.dump_flags),
                Some(_) => None,
                None => break,
            }
        };
        match flags {
            Some(1) => state_only += 1,
            Some(_) => kept += 1,
            None => {}
        }
    }
    assert!(state_only > 0, "state-changing events are written, marked");
    assert!(kept > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
