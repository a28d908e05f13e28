//! Incident attachments through `sonde server`'s API, with both artefact
//! stores: the data directory (the default) and S3 (`--artefacts
//! s3://...`, a real moto server started here). Uploads and downloads are
//! byte-identical, keys are checked (401/403), unknown incidents and
//! indexes are 404; a 64 MiB upload and download do not grow the server's
//! memory by the file's size; a store that goes down gives a 503 that names
//! it, a note on the incident, and a server that keeps serving.

mod common;
#[path = "../../server/tests/moto/mod.rs"]
mod moto;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, free_port, sonde, temp_dir};
use sonde_server::state::{KeyKind, State};

const WRITE: &str = "attach-write-key";
const ADMIN: &str = "attach-admin-key";

/// `sonde server` with `--artefacts` (when given) and the moto key in its
/// environment.
fn start(data: &Path, port: u16, artefacts: Option<&str>) -> Running {
    let mut cmd = Command::new(sonde());
    cmd.args([
        "server",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--write-key",
        WRITE,
        "--admin-key",
        ADMIN,
        "--evaluate-every",
        "3600",
        "--data",
    ])
    .arg(data)
    .env("AWS_ACCESS_KEY_ID", "AKIASONDETEST")
    .env("AWS_SECRET_ACCESS_KEY", "sonde-test-secret")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if let Some(a) = artefacts {
        cmd.args(["--artefacts", a]);
    }
    let child = cmd.spawn().expect("start sonde server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Running(child)
}

/// An answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where a streamed answer's body goes, piece by piece.
type Sink<'a> = &'a mut dyn FnMut(&[u8]);

/// One request with a body from `body` (`len` bytes); the answer read by
/// its Content-Length into memory, or handed to `sink` when given.
fn exchange(
    port: u16,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &mut dyn Read,
    len: u64,
    sink: Option<Sink>,
) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len}\r\n"
    );
    if let Some(k) = key {
        head.push_str(&format!("X-Api-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send");
    // A refused request may be answered before its body is all sent.
    let _ = std::io::copy(&mut body.take(len), &mut s);
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).expect("header");
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length: u64 = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .expect("a Content-Length");
    let mut body = Vec::new();
    let mut rest = r.take(length);
    match sink {
        Some(sink) => {
            let mut buf = vec![0u8; 256 << 10];
            loop {
                let n = rest.read(&mut buf).expect("body");
                if n == 0 {
                    break;
                }
                sink(&buf[..n]);
            }
        }
        None => {
            rest.read_to_end(&mut body).expect("body");
            assert_eq!(body.len() as u64, length, "a short body");
        }
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn call(port: u16, method: &str, path: &str, key: Option<&str>, body: &[u8]) -> Answer {
    let mut b = body;
    exchange(port, method, path, key, &mut b, body.len() as u64, None)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// An incident (through an alert of a monitor), made in the server's
/// database as the monitors would; its id. And a read key.
fn incident_and_read_key(data: &Path) -> (i64, String) {
    let state = State::open(&data.join("state.db")).expect("state");
    let monitor = state
        .put_monitor(
            None,
            &serde_json::json!({"name": "disk", "type": "connectivity", "minutes": 60}),
        )
        .expect("monitor");
    let alert = state
        .open_alert(monitor, "", "critical", Some(1.0), "test alert", now())
        .expect("alert");
    let incident = state
        .open_incident(alert, "disk full", "critical: test alert", now())
        .expect("incident");
    let read = state
        .create_key(KeyKind::Read, "reader", now())
        .expect("read key");
    (incident, read)
}

/// The incident's timeline as (kind, text) pairs.
fn timeline(port: u16, incident: i64) -> Vec<(String, String)> {
    timeline_with(port, WRITE, incident)
}

fn timeline_with(port: u16, key: &str, incident: i64) -> Vec<(String, String)> {
    let v = call(port, "GET", "/api/v1/incidents", Some(key), b"").json();
    v["incidents"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["id"] == incident))
        .and_then(|i| i["timeline"].as_array())
        .map(|t| {
            t.iter()
                .map(|e| {
                    (
                        e[1].as_str().unwrap_or("").to_string(),
                        e[2].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every API promise, with this store.
fn the_attachment_api(name: &str, artefacts: impl Fn(&Path) -> Option<String>) {
    let dir = temp_dir(&format!("attach-{name}"));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data");
    let port = free_port();
    let url = artefacts(&dir);
    let _server = start(&data, port, url.as_deref());
    let (incident, read) = incident_and_read_key(&data);
    let base = format!("/api/v1/incidents/{incident}/attachments");

    let first: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let up = call(
        port,
        "POST",
        &format!("{base}?name=evidence.log"),
        Some(WRITE),
        &first,
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let v = up.json();
    assert_eq!(v["index"], 0);
    assert_eq!(v["bytes"], 300_000);
    assert_eq!(v["name"], "evidence.log");
    let key = v["key"].as_str().expect("key").to_string();
    assert!(
        key.starts_with(&format!("incidents/{incident}/0-")),
        "{key}"
    );
    // A hostile name is made safe, not refused.
    let up = call(
        port,
        "POST",
        &format!("{base}?name=..%2F..%2Fetc%2Fpasswd"),
        Some(WRITE),
        b"second",
    );
    assert_eq!(up.status, 201, "{}", up.text());
    assert_eq!(up.json()["index"], 1);
    assert_eq!(up.json()["name"], "passwd");

    // Read back byte-identical, with any key (a read key too).
    let got = call(port, "GET", &format!("{base}/0"), Some(&read), b"");
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(got.body == first, "attachment 0 differs from what was sent");
    assert_eq!(got.header("content-type"), Some("application/octet-stream"));
    assert_eq!(got.header("content-length"), Some("300000"));
    assert_eq!(
        got.header("content-disposition"),
        Some("attachment; filename=\"evidence.log\"")
    );
    assert_eq!(
        call(port, "GET", &format!("{base}/1"), Some(WRITE), b"").body,
        b"second"
    );
    let list = call(port, "GET", &base, Some(&read), b"").json();
    assert_eq!(
        list["attachments"].as_array().map(Vec::len),
        Some(2),
        "{list}"
    );
    // The timeline has them, with their keys.
    let tl = timeline(port, incident);
    assert_eq!(
        tl.iter().filter(|(k, _)| k == "attachment").count(),
        2,
        "{tl:?}"
    );

    // Keys.
    assert_eq!(
        call(port, "GET", &format!("{base}/0"), None, b"").status,
        401
    );
    assert_eq!(
        call(port, "GET", &format!("{base}/0"), Some("nope"), b"").status,
        401
    );
    let r = call(
        port,
        "POST",
        &format!("{base}?name=x"),
        Some("nope"),
        b"data",
    );
    assert_eq!(r.status, 401, "{}", r.text());
    let r = call(
        port,
        "POST",
        &format!("{base}?name=x"),
        Some(&read),
        b"data",
    );
    assert_eq!(r.status, 403, "a read key may not attach: {}", r.text());
    // Not there.
    let r = call(port, "GET", &format!("{base}/2"), Some(WRITE), b"");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("has 2 attachment"), "{}", r.text());
    assert_eq!(
        call(port, "GET", &format!("{base}/x"), Some(WRITE), b"").status,
        404
    );
    let other = format!("/api/v1/incidents/{}/attachments", incident + 100);
    assert_eq!(
        call(port, "GET", &format!("{other}/0"), Some(WRITE), b"").status,
        404
    );
    let r = call(
        port,
        "POST",
        &format!("{other}?name=x"),
        Some(WRITE),
        b"data",
    );
    assert_eq!(r.status, 404, "{}", r.text());
    // Bad uploads.
    let r = call(port, "POST", &base, Some(WRITE), b"data");
    assert_eq!(r.status, 400, "no name: {}", r.text());
    let r = call(port, "POST", &format!("{base}?name=x"), Some(WRITE), b"");
    assert_eq!(r.status, 400, "empty: {}", r.text());
    let r = call(port, "GET", "/api/v1/hosts", Some(WRITE), b"");
    assert_eq!(r.status, 200, "the server goes on serving");
    // Nothing half-stored: still two.
    let list = call(port, "GET", &base, Some(&read), b"").json();
    assert_eq!(
        list["attachments"].as_array().map(Vec::len),
        Some(2),
        "{list}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn attachments_in_the_data_directory() {
    the_attachment_api("local", |_| None);
}

#[test]
fn attachments_in_s3() {
    let moto = moto::start(false);
    let endpoint = moto.endpoint();
    the_attachment_api("s3", |_| {
        Some(format!("s3://sonde-evidence/team-a?endpoint={endpoint}"))
    });
    // They are in the bucket (the server keeps none of its own).
    let s3 = sonde_server::s3::S3::new(moto.config("sonde-evidence", "team-a/"));
    let objects = s3.list("incidents/").expect("list");
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert!(
        objects.iter().any(|(_, size)| *size == 300_000),
        "{objects:?}"
    );
}

/// The server's peak resident memory (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// The test file's byte at `i`: a pattern with no short period.
fn byte(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// The pattern as a reader.
struct Pattern(u64);

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        for b in buf.iter_mut() {
            *b = byte(self.0);
            self.0 += 1;
        }
        Ok(buf.len())
    }
}

#[test]
fn a_64_mib_attachment_streams_through_the_server_to_s3_and_back() {
    const SIZE: u64 = 64 << 20;
    let moto = moto::start(false);
    let dir = temp_dir("attach-big");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data");
    let port = free_port();
    let server = start(
        &data,
        port,
        Some(&format!("s3://big-evidence?endpoint={}", moto.endpoint())),
    );
    let (incident, _) = incident_and_read_key(&data);
    let base = format!("/api/v1/incidents/{incident}/attachments");
    // Warm the server (its threads and buffers), then measure.
    let up = call(
        port,
        "POST",
        &format!("{base}?name=small"),
        Some(WRITE),
        b"warm",
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let before = peak_rss_kb(server.0.id());
    let up = exchange(
        port,
        "POST",
        &format!("{base}?name=big.bin"),
        Some(WRITE),
        &mut Pattern(0),
        SIZE,
        None,
    );
    assert_eq!(up.status, 201, "{}", up.text());
    assert_eq!(up.json()["index"], 1);
    let mut at = 0u64;
    let mut mismatch = None;
    let mut check = |chunk: &[u8]| {
        for &b in chunk {
            if mismatch.is_none() && b != byte(at) {
                mismatch = Some(at);
            }
            at += 1;
        }
    };
    let got = exchange(
        port,
        "GET",
        &format!("{base}/1"),
        Some(WRITE),
        &mut std::io::empty(),
        0,
        Some(&mut check),
    );
    assert_eq!(got.status, 200);
    assert_eq!(at, SIZE, "bytes read back");
    assert_eq!(mismatch, None, "the first byte that differs");
    let grew_mb = peak_rss_kb(server.0.id()).saturating_sub(before) / 1024;
    println!("the server's peak RSS grew {grew_mb} MiB for a 64 MiB upload and download");
    assert!(
        grew_mb < 24,
        "the server's peak RSS grew {grew_mb} MiB: the file was held in memory"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_that_goes_down_gives_a_clear_error_and_a_note() {
    let mut moto = moto::start(false);
    let endpoint = moto.endpoint();
    let dir = temp_dir("attach-down");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data");
    let port = free_port();
    let _server = start(
        &data,
        port,
        Some(&format!("s3://down-evidence?endpoint={endpoint}")),
    );
    let (incident, _) = incident_and_read_key(&data);
    let base = format!("/api/v1/incidents/{incident}/attachments");
    let up = call(
        port,
        "POST",
        &format!("{base}?name=before.txt"),
        Some(WRITE),
        b"stored",
    );
    assert_eq!(up.status, 201, "{}", up.text());
    moto.stop();

    let r = call(
        port,
        "POST",
        &format!("{base}?name=after.txt"),
        Some(WRITE),
        b"lost",
    );
    assert_eq!(r.status, 503, "{}", r.text());
    let msg = r.json()["error"].as_str().unwrap_or("").to_string();
    assert!(
        msg.contains(&endpoint) && msg.contains("down-evidence"),
        "{msg}"
    );
    let r = call(port, "GET", &format!("{base}/0"), Some(WRITE), b"");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains(&endpoint), "{}", r.text());
    // The incident says why the evidence is missing.
    let tl = timeline(port, incident);
    assert!(
        tl.iter().any(|(k, t)| k == "note"
            && t.contains("attaching after.txt failed")
            && t.contains(&endpoint)),
        "{tl:?}"
    );
    // And everything else goes on.
    assert_eq!(
        call(port, "GET", "/api/v1/hosts", Some(WRITE), b"").status,
        200
    );
    let r = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some(WRITE),
        b"{\"name\":\"still-here\"}",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let list = call(port, "GET", &base, Some(WRITE), b"").json();
    assert_eq!(
        list["attachments"].as_array().map(Vec::len),
        Some(1),
        "{list}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sonde up --artefacts URL` as root, an alert that opens an incident
/// (so the flight recorder fires); the server's port, the local agent's
/// key, the incident, and the running `sonde up`. `None` when not root.
fn sonde_up_with_an_incident(dir: &Path, artefacts: &str) -> Option<(u16, String, i64, Running)> {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: the flight recorder needs root (CI runs as root)");
        return None;
    }
    let (port, metrics_port) = (free_port(), free_port());
    let data = dir.join("data");
    let up = Command::new(sonde())
        .args([
            "up",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--metrics-listen",
            &format!("127.0.0.1:{metrics_port}"),
            "--artefacts",
            artefacts,
            "--data",
        ])
        .arg(&data)
        .env("AWS_ACCESS_KEY_ID", "AKIASONDETEST")
        .env("AWS_SECRET_ACCESS_KEY", "sonde-test-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sonde up");
    let up = Running(up);
    let deadline = Instant::now() + Duration::from_secs(60);
    let (key, host) = loop {
        // The key is written before the server listens.
        if let Ok(key) = std::fs::read_to_string(data.join("local-agent.key"))
            && TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            let key = key.trim().to_string();
            let r = call(port, "GET", "/api/v1/hosts", Some(&key), b"");
            if r.status == 200
                && let Some(id) = r.json()["hosts"][0]["id"].as_str()
            {
                break (key, id.to_string());
            }
        }
        assert!(Instant::now() < deadline, "sonde up did not come up");
        std::thread::sleep(Duration::from_millis(200));
    };
    let keys = std::fs::read_to_string(data.join("server/first-keys.txt")).expect("keys");
    let admin = keys
        .lines()
        .find_map(|l| l.strip_prefix("Admin\t"))
        .expect("admin key")
        .to_string();
    let monitor = br#"{"name":"fire","type":"metric","metric":"test.fire","operator":">","critical":5,"duration":60}"#;
    let r = call(port, "POST", "/api/v1/monitors", Some(&admin), monitor);
    assert_eq!(r.status, 201, "{}", r.text());
    let batch = format!(
        r#"{{"metrics":[{{"name":"test.fire","time":{},"value":10}}]}}"#,
        now()
    );
    let r = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{host}/metrics"),
        Some(&key),
        batch.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let incident = loop {
        let v = call(port, "GET", "/api/v1/incidents", Some(&key), b"").json();
        if let Some(id) = v["incidents"][0]["id"].as_i64() {
            break id;
        }
        assert!(Instant::now() < deadline, "no incident opened: {v}");
        std::thread::sleep(Duration::from_millis(300));
    };
    Some((port, key, incident, up))
}

/// In fleet mode the flight recorder's capture goes to S3: it is in the
/// bucket, read back through the API, and `sonde dig` reads it.
#[test]
fn sonde_up_puts_its_capture_in_s3() {
    let moto = moto::start(false);
    let dir = temp_dir("attach-up-s3");
    let url = format!("s3://flight-recorder/up?endpoint={}", moto.endpoint());
    let Some((port, key, incident, _up)) = sonde_up_with_an_incident(&dir, &url) else {
        return;
    };
    let base = format!("/api/v1/incidents/{incident}/attachments");
    let deadline = Instant::now() + Duration::from_secs(60);
    let listed = loop {
        let v = call(port, "GET", &base, Some(&key), b"").json();
        if v["attachments"].as_array().is_some_and(|a| !a.is_empty()) {
            break v;
        }
        assert!(Instant::now() < deadline, "no capture attached: {v}");
        std::thread::sleep(Duration::from_millis(500));
    };
    let a = &listed["attachments"][0];
    assert_eq!(a["name"], format!("incident-{incident}.scap"));
    let s3 = sonde_server::s3::S3::new(moto.config("flight-recorder", "up/"));
    let objects = s3.list("incidents/").expect("list");
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(Some(objects[0].1), a["bytes"].as_u64(), "{objects:?} {a}");
    let got = call(port, "GET", &format!("{base}/0"), Some(&key), b"");
    assert_eq!(got.status, 200);
    let file = dir.join("capture.scap");
    std::fs::write(&file, &got.body).expect("write");
    let out = Command::new(sonde())
        .args(["dig", "-n", "5", "-r"])
        .arg(&file)
        .output()
        .expect("dig");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
    // Stored, the local copy is gone.
    let left: Vec<_> = std::fs::read_dir(dir.join("data/captures"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        !left
            .iter()
            .any(|n| n.to_string_lossy() == format!("incident-{incident}.scap")),
        "{left:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// With the store down, the capture is kept on disk and the incident says
/// why it has no attachment.
#[test]
fn sonde_up_notes_a_capture_it_could_not_store() {
    let mut moto = moto::start(false);
    let endpoint = moto.endpoint();
    moto.stop();
    let dir = temp_dir("attach-up-down");
    let url = format!("s3://flight-recorder?endpoint={endpoint}");
    let Some((port, key, incident, _up)) = sonde_up_with_an_incident(&dir, &url) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let note = loop {
        let tl = timeline_with(port, &key, incident);
        if let Some((_, t)) = tl
            .iter()
            .find(|(k, t)| k == "note" && t.contains("attaching"))
        {
            break t.clone();
        }
        assert!(Instant::now() < deadline, "no note: {tl:?}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(
        note.contains(&format!("incident-{incident}.scap")) && note.contains(&endpoint),
        "{note}"
    );
    let kept = dir.join(format!("data/captures/incident-{incident}.scap"));
    assert!(kept.exists(), "the capture is kept on disk");
    // And a note says where (written just after the first).
    loop {
        let tl = timeline_with(port, &key, incident);
        if tl
            .iter()
            .any(|(k, t)| k == "note" && t.contains(&kept.display().to_string()))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no note says where: {tl:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let r = call(port, "GET", "/api/v1/hosts", Some(&key), b"");
    assert_eq!(r.status, 200, "the server goes on");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store the server cannot use is refused at start, saying why.
#[test]
fn a_bad_artefacts_url_is_refused_at_start() {
    let dir = temp_dir("attach-bad-url");
    for (url, env, want) in [
        ("s3://evidence", true, "no endpoint=http://HOST:PORT"),
        (
            "s3://evidence?endpoint=https://s3.example",
            true,
            "TLS proxy",
        ),
        (
            "s3://Evidence?endpoint=http://127.0.0.1:9",
            true,
            "bucket \"Evidence\"",
        ),
        (
            "s3://evidence?endpoint=http://127.0.0.1:9",
            false,
            "AWS_ACCESS_KEY_ID is not set",
        ),
        ("ftp://evidence", true, "not s3://"),
    ] {
        let mut cmd = Command::new(sonde());
        cmd.args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--artefacts",
            url,
            "--data",
        ])
        .arg(dir.join("data"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
        if env {
            cmd.env("AWS_ACCESS_KEY_ID", "AK")
                .env("AWS_SECRET_ACCESS_KEY", "SK");
        }
        // Killed if it should start after all (the test then fails).
        let mut child = Running(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sonde server"),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = child.0.try_wait().expect("wait") {
                break Some(s);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        if status.is_some()
            && let Some(mut e) = child.0.stderr.take()
        {
            let _ = e.read_to_string(&mut err);
        }
        assert!(status.is_some_and(|s| !s.success()), "{url}: started");
        assert!(err.contains(url) && err.contains(want), "{url}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
