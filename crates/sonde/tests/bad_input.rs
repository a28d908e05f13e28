//! `sonde dig` on damaged and wrong input: a truncated capture, a bad magic,
//! a corrupted block length, an event longer than its block, a parameter
//! length past its event, an empty file, a directory, a missing file.
//!
//! Every case must fail with a non-zero exit status and no panic, print one
//! error line that names the file (and, where they apply, the byte offset and
//! the block type), and print every event before the damage: its standard
//! output must be what the same command prints for the intact prefix of the
//! file (and, for the shared captures, a prefix of sysdig's golden output).

use std::path::{Path, PathBuf};
use std::process::Command;

use sonde_scap::{BlockType, BlockWriter, MachineInfo, ThreadRecord, encode_event_v2};

const SONDE: &str = env!("CARGO_BIN_EXE_sonde");

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A shared capture, or `None` (with a message) when the shared directory
/// is not beside the repository.
fn shared_capture(name: &str) -> Option<PathBuf> {
    let p = workspace_root().join("../shared/captures").join(name);
    if p.is_file() {
        Some(p)
    } else {
        println!("{} is missing: skipping", p.display());
        None
    }
}

fn golden(capture: &str) -> Option<String> {
    let p = workspace_root()
        .join("tests/golden")
        .join(capture)
        .join("all.out");
    std::fs::read_to_string(p).ok()
}

/// A temporary file, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str, bytes: &[u8]) -> Temp {
        let p = std::env::temp_dir().join(format!("sonde-bad-input-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).expect("write temp file");
        Temp(p)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn dig(path: &Path) -> Run {
    dig_with(path, &[])
}

fn dig_with(path: &Path, extra: &[&str]) -> Run {
    let out = Command::new(SONDE)
        .arg("dig")
        .args(extra)
        .arg("-r")
        .arg(path)
        .current_dir(workspace_root())
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .expect("run sonde");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts a clean failure: exit status 1, no panic, one error line naming
/// the file and containing every string of `want`. Returns the line.
fn assert_fails(r: &Run, path: &Path, want: &[&str]) -> String {
    assert!(
        !r.stderr.contains("panicked"),
        "sonde panicked on {}:\n{}",
        path.display(),
        r.stderr
    );
    assert_eq!(
        r.code,
        Some(1),
        "exit status for {} (stderr: {})",
        path.display(),
        r.stderr
    );
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line, got:\n{}", r.stderr);
    let line = lines[0];
    assert!(line.starts_with("sonde dig: "), "{line}");
    assert!(
        line.contains(&path.display().to_string()),
        "the error names the file {}: {line}",
        path.display()
    );
    for w in want {
        assert!(line.contains(w), "the error mentions {w:?}: {line}");
    }
    line.to_string()
}

/// `-q` alone decodes events on the main thread instead of the reader
/// thread: it must stop at the same place, with the same error line, having
/// counted the same events as a run that prints them.
fn assert_quiet_fails_alike(path: &Path, line: &str) {
    let captured = |r: &Run| {
        r.stderr
            .lines()
            .find_map(|l| l.split("Captured Events: ").nth(1))
            .and_then(|t| t.split(',').next())
            .map(str::to_owned)
    };
    let v = dig_with(path, &["-v"]);
    let q = dig_with(path, &["-q", "-v"]);
    assert_eq!(q.code, Some(1), "-q exit status (stderr: {})", q.stderr);
    assert!(!q.stderr.contains("panicked"), "{}", q.stderr);
    assert!(
        q.stderr.lines().any(|l| l == line),
        "-q gives the same error line {line:?}:\n{}",
        q.stderr
    );
    assert!(captured(&v).is_some(), "-v prints a count:\n{}", v.stderr);
    assert_eq!(
        captured(&q),
        captured(&v),
        "events counted before the error"
    );
}

/// The blocks of a file: (offset, type id, total length), as far as the
/// lengths lead.
fn blocks(bytes: &[u8]) -> Vec<(usize, u32, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let ty = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        if len < 12 {
            break;
        }
        out.push((at, ty, len));
        at += len;
    }
    out
}

/// The `n`th block of type `ty` (offset and length).
fn nth_block(bytes: &[u8], ty: u32, n: usize) -> (usize, usize) {
    let (at, _, len) = blocks(bytes)
        .into_iter()
        .filter(|b| b.1 == ty)
        .nth(n)
        .expect("block");
    (at, len)
}

fn block_name(ty: u32) -> String {
    BlockType::from_u32(ty).name()
}

/// Checks that the damaged file printed what its intact first `cut` bytes
/// print (which must read without error), and a prefix of `golden`.
fn assert_prints_intact_prefix(r: &Run, bytes: &[u8], cut: usize, golden: Option<&str>) {
    let prefix = Temp::new(&format!("prefix-{cut}.scap"), &bytes[..cut]);
    let p = dig(&prefix.0);
    assert_eq!(p.code, Some(0), "the intact prefix reads: {}", p.stderr);
    assert_eq!(
        r.stdout.lines().count(),
        p.stdout.lines().count(),
        "as many events as the intact prefix"
    );
    assert!(r.stdout == p.stdout, "the same lines as the intact prefix");
    if let Some(g) = golden {
        assert!(
            g.starts_with(&r.stdout),
            "the lines printed are the start of sysdig's output"
        );
    }
}

const EV: u32 = 0x204;
const ERROR_502: &str = "sysdig-inspect_502Error.scap";

#[test]
fn truncated_in_an_event_block() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let bytes = std::fs::read(&src).expect("read capture");
    let golden = golden("sysdig-inspect_502Error");
    // Mid-block, about half-way through the events.
    let (at, len) = nth_block(&bytes, EV, 11_000);
    let cut = at + len / 2;
    let t = Temp::new("truncated.scap", &bytes[..cut]);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[&format!("byte offset {at}"), &block_name(EV), "truncated"],
    );
    assert!(r.stdout.lines().count() > 1000, "events before the damage");
    assert_prints_intact_prefix(&r, &bytes, at, golden.as_deref());
}

#[test]
fn truncated_in_a_block_header() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let bytes = std::fs::read(&src).expect("read capture");
    let (at, _) = nth_block(&bytes, EV, 500);
    let t = Temp::new("truncated-header.scap", &bytes[..at + 5]);
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &[&format!("byte offset {at}"), "truncated"]);
    assert_prints_intact_prefix(&r, &bytes, at, golden("sysdig-inspect_502Error").as_deref());
}

#[test]
fn truncated_in_the_metadata() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let bytes = std::fs::read(&src).expect("read capture");
    // The process list (PL_V5) of this capture.
    let (at, len) = nth_block(&bytes, 0x211, 0);
    let t = Temp::new("truncated-pl.scap", &bytes[..at + len / 3]);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[&format!("byte offset {at}"), "PL_V5", "truncated"],
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn truncated_gzip_stream() {
    let Some(src) = shared_capture("falco_cat_write.scap") else {
        return;
    };
    let bytes = std::fs::read(&src).expect("read capture");
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    let t = Temp::new("truncated.scap.gz", &bytes[..bytes.len() * 3 / 4]);
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &["byte offset", "gzip"]);
    if let Some(g) = golden("falco_cat_write") {
        assert!(g.starts_with(&r.stdout), "a prefix of sysdig's output");
    }
}

#[test]
fn bad_magic() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let mut bytes = std::fs::read(&src).expect("read capture");
    bytes[8..12].copy_from_slice(&0x4D3C_2B1Au32.to_le_bytes());
    let t = Temp::new("bad-magic.scap", &bytes);
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &["byte offset 0", "SHB", "magic"]);
    assert_eq!(r.stdout, "");
}

#[test]
fn not_a_capture_file() {
    let t = Temp::new("text.scap", b"this is a text file, not a capture\n");
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &["byte offset 0", "not a capture file"]);
    assert_eq!(r.stdout, "");
    // Shorter than a block header.
    let t = Temp::new("tiny.scap", b"\x0a\x0d\x0d");
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &["byte offset 0", "truncated"]);
}

#[test]
fn corrupted_block_length() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let bytes = std::fs::read(&src).expect("read capture");
    let golden = golden("sysdig-inspect_502Error");
    let (at, len) = nth_block(&bytes, EV, 7_000);
    // Not a multiple of 4, and far too large for an EV block.
    for bad in [0x7FFF_FFF1u32, 0x0100_0000, 6] {
        let mut b = bytes.clone();
        b[at + 4..at + 8].copy_from_slice(&bad.to_le_bytes());
        let t = Temp::new(&format!("bad-length-{bad}.scap"), &b);
        let r = dig(&t.0);
        assert_fails(
            &r,
            &t.0,
            &[
                &format!("byte offset {at}"),
                &block_name(EV),
                &format!("block length {bad}"),
            ],
        );
        assert_prints_intact_prefix(&r, &bytes, at, golden.as_deref());
    }
    // Plausible but wrong: the trailer disagrees.
    let mut b = bytes.clone();
    b[at + 4..at + 8].copy_from_slice(&(len as u32 + 4).to_le_bytes());
    let t = Temp::new("bad-length-trailer.scap", &b);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[&format!("byte offset {at}"), &block_name(EV), "trailer"],
    );
    assert_prints_intact_prefix(&r, &bytes, at, golden.as_deref());
}

#[test]
fn event_longer_than_its_block() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let mut bytes = std::fs::read(&src).expect("read capture");
    let intact = bytes.clone();
    let (at, len) = nth_block(&bytes, EV, 3_000);
    // The event's len field: block header (8), cpu (2), ts, tid (16).
    let ev_len = at + 8 + 2 + 16;
    bytes[ev_len..ev_len + 4].copy_from_slice(&(len as u32 * 2).to_le_bytes());
    let t = Temp::new("event-too-long.scap", &bytes);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[
            &format!("byte offset {at}"),
            &block_name(EV),
            &format!("event length {}", len * 2),
        ],
    );
    assert_quiet_fails_alike(&t.0, r.stderr.trim_end());
    assert_prints_intact_prefix(
        &r,
        &intact,
        at,
        golden("sysdig-inspect_502Error").as_deref(),
    );
}

#[test]
fn v1_parameter_lengths_that_add_up_to_nothing() {
    let Some(src) = shared_capture(ERROR_502) else {
        return;
    };
    let mut bytes = std::fs::read(&src).expect("read capture");
    let intact = bytes.clone();
    // An EV (v1) event with parameters: its first length, made huge, fits
    // no parameter count.
    let (at, _) = blocks(&bytes)
        .into_iter()
        .filter(|b| b.1 == EV && b.2 > 60)
        .map(|b| (b.0, b.2))
        .nth(2_000)
        .expect("block");
    let first_len = at + 8 + 2 + 22;
    bytes[first_len..first_len + 2].copy_from_slice(&60_000u16.to_le_bytes());
    let t = Temp::new("v1-param-length.scap", &bytes);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[
            &format!("byte offset {at}"),
            &block_name(EV),
            "parameter count",
        ],
    );
    assert_prints_intact_prefix(
        &r,
        &intact,
        at,
        golden("sysdig-inspect_502Error").as_deref(),
    );
}

/// A small v2 capture: a thread, then `n` close events of fd 3 and 4.
fn written_capture(n: u64) -> Vec<u8> {
    let mut w = BlockWriter::new(Vec::new());
    w.section_header().expect("write");
    w.machine_info(&MachineInfo {
        num_cpus: 1,
        hostname: b"h".to_vec(),
        ..MachineInfo::default()
    })
    .expect("write");
    w.threads(&[ThreadRecord {
        tid: 10,
        pid: 10,
        comm: b"sh".to_vec(),
        exe: b"sh".to_vec(),
        ..ThreadRecord::default()
    }])
    .expect("write");
    for i in 0..n {
        let ts = 1_600_000_000_000_000_000 + i * 1000;
        let ty = if i % 2 == 0 { 4 } else { 5 };
        let v = if i % 2 == 0 { 3i64 } else { 0 };
        w.event(0, 0, &encode_event_v2(ts, 10, ty, &[&v.to_le_bytes()]))
            .expect("write");
    }
    w.into_inner()
}

#[test]
fn parameter_length_past_the_event() {
    let intact = written_capture(10);
    let (at, _) = nth_block(&intact, 0x216, 6);
    let mut bytes = intact.clone();
    // The first parameter length: header (8), cpu (2), event header (26).
    let first_len = at + 8 + 2 + 26;
    bytes[first_len..first_len + 2].copy_from_slice(&9u16.to_le_bytes());
    let t = Temp::new("param-past-event.scap", &bytes);
    let r = dig(&t.0);
    assert_fails(
        &r,
        &t.0,
        &[
            &format!("byte offset {at}"),
            "EV_V2",
            "parameter 0 (length 9) runs past",
        ],
    );
    assert_eq!(r.stdout.lines().count(), 6, "the 6 events before it");
    assert_quiet_fails_alike(&t.0, r.stderr.trim_end());
    assert_prints_intact_prefix(&r, &intact, at, None);
}

#[test]
fn empty_file() {
    let t = Temp::new("empty.scap", b"");
    let r = dig(&t.0);
    assert_fails(&r, &t.0, &["empty"]);
    assert_eq!(r.stdout, "");
}

#[test]
fn a_directory() {
    let dir = std::env::temp_dir().join(format!("sonde-bad-input-{}-dir", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let r = dig(&dir);
    let _ = std::fs::remove_dir(&dir);
    assert_fails(&r, &dir, &["directory"]);
    assert_eq!(r.stdout, "");
}

#[test]
fn a_missing_file() {
    let p = std::env::temp_dir().join(format!(
        "sonde-bad-input-{}-does-not-exist.scap",
        std::process::id()
    ));
    let r = dig(&p);
    assert_fails(&r, &p, &["No such file"]);
    assert_eq!(r.stdout, "");
}

/// A bad filter is an error, not a panic. Found by the filter_parser fuzz
/// target: `bcontains` with a value whose hex digits are not ASCII (a 4-byte
/// character is an even number of bytes) sliced the string inside the
/// character (`parse_hex` in crates/filter/src/eval.rs).
#[test]
fn filter_with_non_ascii_hex_digits() {
    let t = Temp::new("filter.scap", &written_capture(2));
    for filter in [
        "fd.name bcontains 😀",
        "fd.name bstartswith €a",
        "evt.count\r\r\r\rbcontains\r\r\r\r\r\r\u{d11c8}\r",
    ] {
        let out = Command::new(SONDE)
            .arg("dig")
            .arg("-r")
            .arg(&t.0)
            .arg(filter)
            .output()
            .expect("run sonde");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{filter:?}: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{filter:?}: {stderr}");
        assert!(!stderr.trim().is_empty(), "{filter:?}: an error message");
    }
}
