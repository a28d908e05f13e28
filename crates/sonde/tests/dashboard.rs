//! The dashboard end to end, in a real browser: `sonde server` is started,
//! a host and an hour of its metrics are posted through the agent API, then
//! headless Chromium (driven over the DevTools protocol, spoken here over a
//! small WebSocket client of our own) logs in with the first password the
//! server printed, opens the host from the hosts page, and the test checks
//! that the charts were drawn with every posted point (the page's count and
//! the chart canvas's pixels in the first line's colour); dragging across a
//! chart zooms in. Then, as an operator would: a monitor is made through
//! its form (refused first, with the API's reason), the metric crosses it
//! and its alert shows on the alerts page, the incident's timeline shows the
//! alert and takes a note, the monitor is muted from the list, a custom
//! dashboard is made and its charts drawn with every point, and the host's
//! service dashboard draws its hosts' charts. Screenshots of every step go
//! to `target/dashboard-screenshots/`. It runs twice: with the state in the
//! data directory (SQLite), and with `--state postgres://...` on a real
//! PostgreSQL (fleet mode).

mod common;
#[path = "../../server/tests/common_pg/mod.rs"]
mod common_pg;
#[path = "../../server/tests/support/victoria.rs"]
mod victoria;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Running, free_port, sonde, temp_dir, wait_port};

/// One HTTP/1.1 request; (status, body).
fn http(port: u16, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(k) = key {
        head.push_str(&format!("X-Api-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send");
    s.write_all(body.as_bytes()).expect("send body");
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line).expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut length = None;
    loop {
        let mut l = String::new();
        r.read_line(&mut l).expect("header");
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body).expect("body");
        }
        None => {
            let _ = r.read_to_end(&mut body);
        }
    }
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The smallest WebSocket client the DevTools protocol needs: text
/// messages, masked as a client must, fragments joined.
struct Cdp {
    stream: TcpStream,
    next_id: u64,
}

impl Cdp {
    fn connect(url: &str) -> Cdp {
        let rest = url.strip_prefix("ws://").expect("a ws:// URL");
        let (hostport, path) = rest.split_once('/').expect("a path");
        let mut stream = TcpStream::connect(hostport).expect("connect to DevTools");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: c29uZGUtZGFzaGJvYXJkLQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("handshake");
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut b).expect("handshake reply");
            head.push(b[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "DevTools refused: {head}");
        Cdp { stream, next_id: 1 }
    }

    fn send_text(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x5a, 0x13, 0xc7, 0x2e];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).expect("send to DevTools");
    }

    fn read_message(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.stream.read_exact(&mut h).expect("frame header");
            let (fin, op) = (h[0] & 0x80 != 0, h[0] & 0x0f);
            let len = match h[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.stream.read_exact(&mut b).expect("length");
                    u16::from_be_bytes(b) as usize
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.stream.read_exact(&mut b).expect("length");
                    u64::from_be_bytes(b) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.stream.read_exact(&mut payload).expect("payload");
            match op {
                0x8 => panic!("DevTools closed the connection"),
                0x9 | 0xa => continue,
                _ => message.extend_from_slice(&payload),
            }
            if fin {
                return String::from_utf8(message).expect("UTF-8 message");
            }
        }
    }

    /// A command's result (events in between are skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// A command's result, or DevTools' error.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send_text(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let msg: Value =
                serde_json::from_str(&self.read_message()).expect("JSON from DevTools");
            if msg["id"] == id {
                return match msg.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(msg["result"].clone()),
                };
            }
        }
    }

    /// A JavaScript expression's value in the page.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    fn wait_for(&mut self, expr: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // Mid-navigation the document may be half there: not yet.
            let guarded =
                format!("(() => {{ try {{ return {expr}; }} catch (e) {{ return false; }} }})()");
            // An evaluation the page navigated away from is "not yet" too.
            let r = self.try_call(
                "Runtime.evaluate",
                json!({"expression": guarded, "returnByValue": true, "awaitPromise": true}),
            );
            if r.is_ok_and(|r| r["result"]["value"] == json!(true)) {
                return;
            }
            if Instant::now() > deadline {
                let state =
                    self.eval("location.href + ' ' + document.body.innerText.slice(0, 500)");
                panic!("timed out waiting until {what}; the page: {state}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&mut self, dir: &Path, name: &str) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64_decode(r["data"].as_str().expect("screenshot data"));
        assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("Debian's chromium is needed: run scripts/setup.sh")
}

#[test]
fn log_in_open_a_host_and_see_its_charts() {
    dashboard("sqlite", None, None);
}

#[test]
fn log_in_open_a_host_and_see_its_charts_on_postgres() {
    if !common_pg::is_root() {
        println!(
            "skipped: the dashboard on PostgreSQL needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let url = common_pg::shared().fresh_db("dashboard");
    dashboard("postgres", Some(&url), None);
}

/// Fleet mode: the state in PostgreSQL and the metrics in VictoriaMetrics
/// (both real), the same walk.
#[test]
fn log_in_open_a_host_and_see_its_charts_in_fleet_mode() {
    if !common_pg::is_root() {
        println!(
            "skipped: the dashboard in fleet mode needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let url = common_pg::shared().fresh_db("dashboard_fleet");
    let vm = victoria::Vm::start("sonde-dashboard-fleet");
    dashboard("fleet", Some(&url), Some(&vm.url));
}

const ADMIN_KEY: &str = "dashboard-test-admin-key";

/// Makes what was posted visible to queries at once (VictoriaMetrics shows
/// new samples a few seconds after it took them; the embedded store at once).
fn visible(port: u16) {
    let (status, body) = http(port, "POST", "/api/v1/admin/flush", Some(ADMIN_KEY), "");
    assert_eq!(status, 200, "{body}");
}

/// The whole walk, the state in `state` (a URL) or the data directory, the
/// metrics in VictoriaMetrics at `metrics` or the embedded store.
fn dashboard(backend: &str, state: Option<&str>, metrics: Option<&str>) {
    let dir = temp_dir(&format!("dashboard-{backend}"));
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("dashboard-screenshots")
        .join(backend);
    std::fs::create_dir_all(&shots).expect("screenshot dir");

    // The server, with a write key for the test's "agent".
    let port = free_port();
    let key = "dashboard-test-write-key";
    let log = dir.join("server.log");
    let server = Running(
        Command::new(sonde())
            .args([
                "server",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--write-key",
                key,
                "--admin-key",
                ADMIN_KEY,
                // Monitors evaluated every second: the alert shows quickly.
                "--evaluate-every",
                "1",
                "--data",
            ])
            .arg(dir.join("data"))
            .args(state.map(|u| ["--state", u]).into_iter().flatten())
            .args(metrics.map(|u| ["--metrics", u]).into_iter().flatten())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start sonde server"),
    );
    wait_port(port, "sonde server");
    // The port takes connections from its bind; the server is up (its first
    // user made) once it says where it listens.
    let deadline = Instant::now() + Duration::from_secs(15);
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("listening on")) {
        assert!(Instant::now() < deadline, "sonde server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let login = std::fs::read_to_string(dir.join("data/first-login.txt")).expect("first-login.txt");
    let (user, password) = login
        .trim_end()
        .split_once('\t')
        .expect("user TAB password");
    assert_eq!(user, "admin");
    let printed = std::fs::read_to_string(&log).expect("server log");
    assert!(
        printed.contains(&format!("first login: admin / {password}")),
        "{printed}"
    );

    // A host and an hour of its metrics, a point a minute.
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/hosts",
        Some(key),
        &json!({"name": "e2e-host", "roleFullnames": ["e2e-shop:web"],
                "meta": {"agent-version": "0.0.1-e2e", "kernel": {"release": "6.1.0-e2e"}}})
        .to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let host: Value = serde_json::from_str(&body).expect("json");
    let host = host["id"].as_str().expect("id").to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let names = [
        "cpu.user.percentage",
        "cpu.system.percentage",
        "cpu.idle.percentage",
        "loadavg1",
        "loadavg5",
        "loadavg15",
        "memory.used",
        "memory.total",
        "custom.e2e.queue.depth",
    ];
    let mut metrics = Vec::new();
    for i in 0..60i64 {
        let t = now - 59 * 60 + i * 60;
        let wave = (i as f64 / 6.0).sin();
        for (j, name) in names.iter().enumerate() {
            let value = match *name {
                "cpu.user.percentage" => 30.0 + 20.0 * wave,
                "cpu.system.percentage" => 10.0,
                "cpu.idle.percentage" => 60.0 - 20.0 * wave,
                "memory.used" => 2e9 + 5e8 * wave,
                "memory.total" => 8e9,
                _ => 1.0 + j as f64 + wave,
            };
            metrics.push(json!({"name": name, "time": t, "value": value}));
        }
    }
    let (status, body) = http(
        port,
        "POST",
        &format!("/api/v1/hosts/{host}/metrics"),
        Some(key),
        &json!({ "metrics": metrics }).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    visible(port);
    let (status, body) = http(
        port,
        "POST",
        &format!("/api/v1/hosts/{host}/graph-defs"),
        Some(key),
        &json!([{"name": "custom.e2e.queue", "displayName": "E2E queue", "unit": "integer",
                 "metrics": [{"name": "custom.e2e.queue.*", "displayName": "", "isStacked": false}]}])
        .to_string(),
    );
    assert_eq!(status, 200, "{body}");

    // The browser.
    let cdp_port = free_port();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--window-size=1280,1800",
        &format!("--remote-debugging-port={cdp_port}"),
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.join("chromium").display()
    ));
    if sonde_kernel::running_as_root() {
        // Chromium's sandbox will not run as root.
        cmd.arg("--no-sandbox");
    }
    let _browser = Running(
        cmd.arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium"),
    );
    wait_port(cdp_port, "chromium's DevTools");
    let deadline = Instant::now() + Duration::from_secs(15);
    let ws = loop {
        let (_, body) = http(cdp_port, "GET", "/json/list", None, "");
        let pages: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if let Some(url) = pages
            .as_array()
            .and_then(|a| a.iter().find(|p| p["type"] == "page"))
            .and_then(|p| p["webSocketDebuggerUrl"].as_str())
        {
            break url.to_string();
        }
        assert!(Instant::now() < deadline, "chromium opened no page: {body}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut cdp = Cdp::connect(&ws);
    cdp.call("Page.enable", json!({}));

    // Not logged in: the dashboard sends us to the login page.
    let base = format!("http://127.0.0.1:{port}");
    cdp.call("Page.navigate", json!({"url": format!("{base}/")}));
    cdp.wait_for(
        "location.pathname === '/login' && document.readyState === 'complete' && !!document.getElementById('user')",
        "the login page is shown",
    );
    cdp.screenshot(&shots, "01-login.png");

    // A wrong password first: refused, with a message.
    let submit = |pw: &str| {
        format!(
            "document.getElementById('user').value = 'admin'; \
             document.getElementById('password').value = {}; \
             document.getElementById('login').submit(); true",
            json!(pw)
        )
    };
    cdp.eval(&submit("wrong"));
    cdp.wait_for(
        "!!document.getElementById('login-error') && document.readyState === 'complete'",
        "the wrong password is refused",
    );
    cdp.eval(&submit(password));
    cdp.wait_for(
        "location.pathname === '/' && !!document.getElementById('hosts') && document.readyState === 'complete'",
        "the hosts page is shown after login",
    );
    let text = cdp.eval("document.getElementById('hosts').innerText");
    let text = text.as_str().expect("text");
    assert!(
        text.contains("e2e-host") && text.contains("0.0.1-e2e") && text.contains("6.1.0-e2e"),
        "{text}"
    );
    cdp.screenshot(&shots, "02-hosts.png");

    // Open the host; its charts load from /ui with the session.
    cdp.eval("document.querySelector('#hosts a').click(); true");
    cdp.wait_for(
        "location.pathname.startsWith('/hosts/') && document.body.dataset.loading === '0' \
         && Number(document.body.dataset.points) > 0",
        "the host's charts are drawn",
    );
    let charts = cdp.eval("Number(document.body.dataset.charts)");
    let points = cdp.eval("Number(document.body.dataset.points)");
    let titles =
        cdp.eval("Array.from(document.querySelectorAll('.chart h3')).map(h => h.textContent)");
    assert_eq!(
        titles,
        json!(["E2E queue", "CPU", "Load average", "Memory"])
    );
    assert_eq!(charts, json!(4));
    assert_eq!(points, json!(60 * names.len()), "every posted point drawn");
    cdp.screenshot(&shots, "03-host.png");
    // The first chart's canvas holds pixels in its line's colour
    // (#3b7dd8): the data was drawn, not only the axes.
    let coloured = cdp.eval(
        "(() => { const c = document.querySelectorAll('.chart canvas')[0]; \
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; \
          for (let i = 0; i < d.length; i += 4) { \
            if (d[i+3] > 200 && Math.abs(d[i]-59) < 40 && Math.abs(d[i+1]-125) < 40 && Math.abs(d[i+2]-216) < 40) n++; } \
          return n; })()",
    );
    let coloured = coloured.as_u64().expect("a count");
    assert!(
        coloured > 200,
        "only {coloured} pixels of the line's colour"
    );

    // Drag across the load chart's right half: every chart zooms to it.
    let rect = cdp.eval(
        "(() => { const r = document.querySelectorAll('.chart .u-over')[2].getBoundingClientRect(); \
          return [r.left, r.top, r.width, r.height]; })()",
    );
    let r: Vec<f64> = serde_json::from_value(rect).expect("a rectangle");
    let y = r[1] + r[3] / 2.0;
    for (kind, x, buttons) in [
        ("mouseMoved", r[0] + r[2] * 0.5, 0),
        ("mousePressed", r[0] + r[2] * 0.5, 1),
        ("mouseMoved", r[0] + r[2] * 0.7, 1),
        ("mouseMoved", r[0] + r[2] * 0.99, 1),
        ("mouseReleased", r[0] + r[2] * 0.99, 0),
    ] {
        cdp.call(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
        );
    }
    cdp.wait_for(
        &format!(
            "document.body.dataset.loading === '0' && Number(document.body.dataset.points) > 0 \
             && Number(document.body.dataset.points) < {}",
            60 * names.len()
        ),
        "the charts zoom to the dragged range",
    );
    cdp.screenshot(&shots, "04-zoomed.png");
    // The range selector: 6 hours holds the whole hour posted again.
    cdp.eval("document.querySelector('#range button[data-span=\"21600\"]').click(); true");
    cdp.wait_for(
        &format!(
            "document.body.dataset.loading === '0' && Number(document.body.dataset.points) === {}",
            60 * names.len()
        ),
        "the 6-hour range shows every point",
    );
    cdp.screenshot(&shots, "05-six-hours.png");

    // A monitor made through the form: first refused (warning past
    // critical) with the API's reason and the typed values kept, then saved.
    let base_url = |p: &str| format!("{base}{p}");
    cdp.call("Page.navigate", json!({"url": base_url("/monitors/new")}));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('m-name')",
        "the new monitor form is shown",
    );
    // The form shows the chosen type's fields only.
    cdp.eval(
        "(() => { const t = document.getElementById('m-type'); t.value = 'connectivity'; \
         t.dispatchEvent(new Event('change')); return true; })()",
    );
    assert_eq!(
        cdp.eval(
            "[document.querySelector('fieldset[data-kinds=\"metric\"]').hidden, \
              document.querySelector('fieldset[data-kinds=\"connectivity\"]').hidden]"
        ),
        json!([true, false])
    );
    let fill = |fields: &[(&str, &str)], form: &str| {
        let mut js = String::new();
        for (id, v) in fields {
            js.push_str(&format!(
                "document.getElementById({}).value = {}; ",
                json!(id),
                json!(v)
            ));
        }
        js.push_str(&format!(
            "document.getElementById({}).submit(); true",
            json!(form)
        ));
        js
    };
    let monitor = [
        ("m-name", "e2e queue deep"),
        ("m-type", "metric"),
        ("m-metric", "custom.e2e.queue.depth"),
        ("m-segment_by", "host"),
        ("m-operator", ">"),
        ("m-warning", "100"),
        ("m-critical", "50"),
        ("m-duration", "60"),
    ];
    cdp.eval(&fill(&monitor, "monitor-form"));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('form-error') \
         && document.getElementById('form-error').textContent.includes('warning 100 is past critical 50') \
         && document.getElementById('m-metric').value === 'custom.e2e.queue.depth'",
        "the form shows the API's reason and keeps the values",
    );
    cdp.screenshot(&shots, "06-monitor-refused.png");
    cdp.eval(&fill(&[("m-warning", "")], "monitor-form"));
    cdp.wait_for(
        "document.readyState === 'complete' && /^\\/monitors\\/\\d+$/.test(location.pathname) \
         && document.getElementById('monitor-state').textContent.includes('OK')",
        "the monitor is saved, OK",
    );
    cdp.screenshot(&shots, "07-monitor-saved.png");

    // The metric crosses it: the alert is on the alerts page.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let (status, body) = http(
        port,
        "POST",
        &format!("/api/v1/hosts/{host}/metrics"),
        Some(key),
        &json!({"metrics": [{"name": "custom.e2e.queue.depth", "time": t, "value": 500.0}]})
            .to_string(),
    );
    assert_eq!(status, 200, "{body}");
    visible(port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        cdp.call("Page.navigate", json!({"url": base_url("/alerts")}));
        cdp.wait_for(
            "document.readyState === 'complete' && !!document.getElementById('open-alerts')",
            "the alerts page is shown",
        );
        if cdp.eval("document.getElementById('open-alerts').innerText.includes('e2e queue deep')")
            == json!(true)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no alert: {}",
            cdp.eval("document.body.innerText")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let row = cdp.eval("document.querySelector('#open-alerts tbody tr').innerText");
    let row = row.as_str().expect("text");
    assert!(
        row.contains("CRITICAL") && row.contains("e2e-host") && row.contains("e2e queue deep"),
        "{row}"
    );
    cdp.screenshot(&shots, "08-alert.png");

    // Its incident: the alert on the timeline; a note added.
    cdp.eval("document.querySelector('#open-alerts a[href^=\"/incidents/\"]').click(); true");
    cdp.wait_for(
        "location.pathname.startsWith('/incidents/') && document.readyState === 'complete' \
         && document.getElementById('timeline').innerText.includes('CRITICAL: custom.e2e.queue.depth')",
        "the incident's timeline shows the alert",
    );
    cdp.screenshot(&shots, "09-incident.png");
    cdp.eval(&fill(
        &[("note-text", "the consumer was stopped; restarting it")],
        "note-form",
    ));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('timeline') \
         && document.getElementById('timeline').innerText.includes('admin: the consumer was stopped; restarting it')",
        "the note is on the timeline",
    );
    cdp.screenshot(&shots, "10-note.png");

    // Muted for an hour from the monitors list.
    cdp.call("Page.navigate", json!({"url": base_url("/monitors")}));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('monitors')",
        "the monitors list is shown",
    );
    let state = cdp.eval("document.querySelector('#monitors tbody tr .state').innerText");
    assert!(
        state.as_str().is_some_and(|s| s.contains("CRITICAL")),
        "{state}"
    );
    cdp.eval(
        "(() => { const f = document.querySelector('#monitors tbody tr form.inline'); \
         f.querySelector('select').value = '60'; f.submit(); return true; })()",
    );
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('monitors') \
         && document.querySelector('#monitors tbody tr .state').innerText.includes('MUTED') \
         && !!document.querySelector('#monitors tbody tr button.unmute')",
        "the monitor is muted",
    );
    cdp.screenshot(&shots, "11-muted.png");

    // A custom dashboard: load averaged per host, and the host's CPU.
    cdp.call("Page.navigate", json!({"url": base_url("/dashboards/new")}));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('d-name')",
        "the new dashboard form is shown",
    );
    let cpu_matcher = format!("host={host}");
    cdp.eval(&fill(
        &[
            ("d-name", "E2E load"),
            ("g0_metric", "loadavg5"),
            ("g0_agg", "avg"),
            ("g0_by", "host"),
            ("g1_title", "CPU user"),
            ("g1_metric", "cpu.user.percentage"),
            ("g1_matchers", &cpu_matcher),
            ("g1_unit", "percentage"),
        ],
        "dashboard-form",
    ));
    cdp.wait_for(
        "/^\\/dashboards\\/\\d+$/.test(location.pathname) && document.body.dataset.loading === '0' \
         && Number(document.body.dataset.points) > 0",
        "the custom dashboard's charts are drawn",
    );
    // Six hours holds the whole posted hour: a point a minute in each.
    cdp.eval("document.querySelector('#range button[data-span=\"21600\"]').click(); true");
    cdp.wait_for(
        "document.body.dataset.loading === '0' && Number(document.body.dataset.points) === 120",
        "the custom dashboard shows every minute of both series",
    );
    assert_eq!(
        cdp.eval("Array.from(document.querySelectorAll('.chart h3')).map(h => h.textContent)"),
        json!(["avg loadavg5 by host", "CPU user"])
    );
    let coloured = cdp.eval(
        "(() => { const c = document.querySelectorAll('.chart canvas')[0]; \
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; \
          for (let i = 0; i < d.length; i += 4) { \
            if (d[i+3] > 200 && Math.abs(d[i]-59) < 40 && Math.abs(d[i+1]-125) < 40 && Math.abs(d[i+2]-216) < 40) n++; } \
          return n; })()",
    );
    assert!(
        coloured.as_u64().is_some_and(|n| n > 200),
        "only {coloured} pixels of the line's colour"
    );
    cdp.screenshot(&shots, "12-custom-dashboard.png");

    // The service dashboard: the host under its role, its charts drawn.
    cdp.call("Page.navigate", json!({"url": base_url("/services")}));
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('services')",
        "the services list is shown",
    );
    cdp.eval("document.querySelector('#services a[href=\"/services/e2e-shop\"]').click(); true");
    cdp.wait_for(
        "location.pathname === '/services/e2e-shop' && document.body.dataset.loading === '0' \
         && Number(document.body.dataset.points) > 0",
        "the service's charts are drawn",
    );
    cdp.eval("document.querySelector('#range button[data-span=\"21600\"]').click(); true");
    cdp.wait_for(
        "document.body.dataset.loading === '0' && Number(document.body.dataset.points) === 180",
        "the service's charts hold every minute",
    );
    assert_eq!(
        cdp.eval("Array.from(document.querySelectorAll('.chart h3')).map(h => h.textContent)"),
        json!(["Load average (5 min)", "CPU user", "Memory used"])
    );
    let roles = cdp.eval("document.getElementById('roles').innerText");
    assert!(
        roles
            .as_str()
            .is_some_and(|r| r.contains("web") && r.contains("e2e-host")),
        "{roles}"
    );
    cdp.screenshot(&shots, "13-service.png");
    drop(server);
}
