//! Fleet mode end to end (issue 5, point 3): two `sonde server` instances
//! with their state in one real PostgreSQL, their metrics in one real
//! VictoriaMetrics and their artefacts in one S3 (moto), behind one address
//! (Debian's nginx, round robin). Whatever is written through either is read
//! through the other; a login made through one holds on the other; one of
//! them evaluates monitors (one alert, one incident); when one instance is
//! killed the address keeps serving and the survivor takes over the
//! monitors; neither keeps state of its own in its data directory.

mod common;
#[path = "../../server/tests/common_pg/mod.rs"]
mod common_pg;
#[path = "../../server/tests/moto/mod.rs"]
mod moto;
#[path = "../../server/tests/support/victoria.rs"]
mod victoria;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, free_port, sonde, temp_dir, wait_port};
use serde_json::{Value, json};

const WRITE: &str = "fleet-write-key";
const ADMIN: &str = "fleet-admin-key";

/// An answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| {
                let (kv, _) = v.split_once(';').unwrap_or((v, ""));
                let (k, v) = kv.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
    }
}

/// One HTTP/1.1 exchange on a new connection (`Connection: close`).
fn call(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: fleet.test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send head");
    s.write_all(body).expect("send body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .expect("chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

fn api(port: u16, method: &str, path: &str, key: &str, body: &Value) -> Answer {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    call(
        port,
        method,
        path,
        &[("X-Api-Key", key), ("Content-Type", "application/json")],
        &body,
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// `sonde server` in fleet mode.
fn server(data: &Path, port: u16, state: &str, metrics: &str, artefacts: &str) -> Running {
    let log = std::fs::File::create(data.with_extension("log")).expect("log");
    let child = Command::new(sonde())
        .args([
            "server",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--write-key",
            WRITE,
            "--admin-key",
            ADMIN,
            "--evaluate-every",
            "1",
            "--state",
            state,
            "--metrics",
            metrics,
            "--artefacts",
            artefacts,
            "--trusted-proxy",
            "127.0.0.1",
            "--data",
        ])
        .arg(data)
        .env("AWS_ACCESS_KEY_ID", "AKIASONDETEST")
        .env("AWS_SECRET_ACCESS_KEY", "sonde-test-secret")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start sonde server");
    wait_port(port, "sonde server");
    Running(child)
}

/// Debian's nginx in front of both instances, round robin; a connection
/// refused by one goes to the other.
fn nginx(dir: &Path, port: u16, upstreams: &[u16]) -> Running {
    std::fs::create_dir_all(dir.join("tmp")).expect("nginx dir");
    let servers: String = upstreams
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=0;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\nerror_log {d}/error.log;\npid {d}/nginx.pid;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/tmp/body;\n proxy_temp_path {d}/tmp/proxy;\n\
         fastcgi_temp_path {d}/tmp/fcgi;\n uwsgi_temp_path {d}/tmp/uwsgi;\n scgi_temp_path {d}/tmp/scgi;\n\
         upstream sonde {{\n{servers}}}\n\
         server {{\n listen 127.0.0.1:{port};\n client_max_body_size 64m;\n\
         location / {{ proxy_pass http://sonde; proxy_http_version 1.1; proxy_set_header Host $host;\n proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
         proxy_next_upstream error timeout; proxy_connect_timeout 2s; proxy_request_buffering on; }}\n }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
    let child = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx (package nginx)");
    wait_port(port, "nginx");
    Running(child)
}

/// Polls `f` until it holds (or fails the test after `secs`).
fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "not within {secs} s: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn open_alerts(port: u16, monitor: i64) -> Vec<Value> {
    let a = api(port, "GET", "/api/v1/alerts", ADMIN, &Value::Null);
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|x| x["monitor_id"].as_i64() == Some(monitor))
        .cloned()
        .collect()
}

fn incidents_of(port: u16, alert: i64) -> Vec<Value> {
    let a = api(port, "GET", "/api/v1/incidents", ADMIN, &Value::Null);
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|x| x["alert_id"].as_i64() == Some(alert))
        .cloned()
        .collect()
}

fn monitor(port: u16, name: &str, metric: &str) -> i64 {
    let m = json!({
        "name": name, "type": "metric", "metric": metric,
        "operator": ">", "warning": 50.0, "critical": 90.0, "duration": 60
    });
    let r = api(port, "POST", "/api/v1/monitors", ADMIN, &m);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_i64().expect("monitor id")
}

fn post_metric(port: u16, host: &str, name: &str, value: f64) {
    let batch = json!({"metrics": [{"name": name, "time": now(), "value": value}]});
    let r = api(
        port,
        "POST",
        &format!("/api/v1/hosts/{host}/metrics"),
        WRITE,
        &batch,
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn two_instances_behind_one_address_share_everything() {
    if !common_pg::is_root() {
        println!(
            "skipped: fleet mode needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let dir = temp_dir("fleet");
    let state = common_pg::shared().fresh_db("fleet");
    let vm = victoria::Vm::start("sonde-fleet");
    let moto = moto::start(false);
    let artefacts = format!("s3://fleet-evidence/incidents?endpoint={}", moto.endpoint());
    let (pa, pb, front) = (free_port(), free_port(), free_port());
    let (da, db) = (dir.join("a"), dir.join("b"));
    let mut a = Some(server(&da, pa, &state, &vm.url, &artefacts));
    let _b = server(&db, pb, &state, &vm.url, &artefacts);
    let _nginx = nginx(&dir.join("nginx"), front, &[pa, pb]);

    // An agent registers and posts through the one address.
    let host = json!({"name": "fleet-web-1", "meta": {"agent-name": "test"}});
    let r = api(front, "POST", "/api/v1/hosts", WRITE, &host);
    assert!(matches!(r.status, 200 | 201), "{}", r.text());
    let host_id = r.json()["id"].as_str().expect("host id").to_string();
    for v in [1.0, 2.0, 3.0] {
        post_metric(front, &host_id, "fleet.load", v);
        std::thread::sleep(Duration::from_millis(1100));
    }
    // Each instance knows the host and reads the same points.
    let flushed = api(pa, "POST", "/api/v1/admin/flush", ADMIN, &Value::Null);
    assert_eq!(flushed.status, 200, "{}", flushed.text());
    let points = |port: u16| -> Vec<Value> {
        let r = api(
            port,
            "GET",
            &format!("/api/v1/hosts/{host_id}/metrics?name=fleet%5C.load"),
            ADMIN,
            &Value::Null,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["series"][0]["points"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    eventually(10, "both instances read the three points", || {
        points(pa).len() == 3 && points(pa) == points(pb)
    });
    for port in [pa, pb] {
        let hosts = api(port, "GET", "/api/v1/hosts", ADMIN, &Value::Null).json();
        assert!(
            hosts["hosts"]
                .as_array()
                .expect("hosts")
                .iter()
                .any(|h| h["id"] == host_id.as_str()),
            "{hosts}"
        );
    }

    // A login made through the address holds whichever instance answers,
    // and directly on each.
    // Whichever instance made the first user (both started at once) wrote it.
    let first = [&da, &db]
        .iter()
        .find_map(|d| std::fs::read_to_string(d.join("first-login.txt")).ok())
        .expect("one instance wrote the first login");
    let password = first
        .lines()
        .find_map(|l| {
            l.strip_prefix("password: ")
                .or_else(|| l.split_whitespace().nth(1))
        })
        .expect("a password line")
        .trim()
        .to_string();
    let page = call(front, "GET", "/login", &[], b"");
    let token = page.cookie("sonde_login_csrf").expect("login token");
    let form = format!("csrf={token}&user=admin&password={password}");
    let ok = call(
        front,
        "POST",
        "/login",
        &[
            ("Cookie", &format!("sonde_login_csrf={token}")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(ok.status, 303, "{}", ok.text());
    let cookie = format!(
        "sonde_session={}",
        ok.cookie("sonde_session").expect("session")
    );
    for port in [front, front, front, front, pa, pb] {
        let home = call(port, "GET", "/", &[("Cookie", &cookie)], b"");
        assert_eq!(home.status, 200, "port {port}: {}", home.text());
        assert!(home.text().contains("fleet-web-1"), "port {port}");
    }

    // A monitor made on A is B's too; one alert, one incident, whoever
    // evaluates.
    let hot = monitor(pa, "fleet hot", "fleet.temp");
    let listed = api(pb, "GET", "/api/v1/monitors", ADMIN, &Value::Null).json();
    assert!(
        listed["monitors"]
            .as_array()
            .expect("monitors")
            .iter()
            .any(|m| m["id"].as_i64() == Some(hot)),
        "{listed}"
    );
    post_metric(front, &host_id, "fleet.temp", 95.0);
    eventually(30, "the alert opens", || !open_alerts(pb, hot).is_empty());
    let alerts = open_alerts(pa, hot);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["status"], "CRITICAL", "{alerts:?}");
    let alert = alerts[0]["id"].as_i64().expect("alert id");
    eventually(10, "the incident opens", || {
        incidents_of(pa, alert).len() == 1
    });
    // A few more evaluations by whichever leads: still one of each.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(open_alerts(pb, hot).len(), 1);
    let incidents = incidents_of(pb, alert);
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    let incident = incidents[0]["id"].as_i64().expect("incident id");

    // Evidence attached through A lands in S3 and reads back through B.
    let evidence: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let up = call(
        pa,
        "POST",
        &format!("/api/v1/incidents/{incident}/attachments?name=evidence.bin"),
        &[("X-Api-Key", WRITE)],
        &evidence,
    );
    assert!(matches!(up.status, 200 | 201), "{}", up.text());
    let down = call(
        pb,
        "GET",
        &format!("/api/v1/incidents/{incident}/attachments/0"),
        &[("X-Api-Key", ADMIN)],
        b"",
    );
    assert_eq!(down.status, 200, "{}", down.text());
    assert!(
        down.body == evidence,
        "the attachment read through B differs"
    );
    let through_front = call(
        front,
        "GET",
        &format!("/incidents/{incident}/attachments/1"),
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(through_front.status, 200);
    assert!(through_front.body == evidence);

    // A dies: the address keeps serving, and B evaluates the monitors.
    drop(a.take());
    for _ in 0..6 {
        let r = api(front, "GET", "/api/v1/hosts", ADMIN, &Value::Null);
        assert_eq!(r.status, 200, "{}", r.text());
        let home = call(front, "GET", "/", &[("Cookie", &cookie)], b"");
        assert_eq!(home.status, 200, "the login survives A");
    }
    let cold = monitor(front, "fleet cold", "fleet.fan");
    post_metric(front, &host_id, "fleet.fan", 99.0);
    eventually(30, "the survivor opens the new alert", || {
        !open_alerts(front, cold).is_empty()
    });

    // Neither instance keeps state, metrics or artefacts of its own.
    for d in [&da, &db] {
        for own in ["state.db", "metrics", "artefacts"] {
            assert!(!d.join(own).exists(), "{} holds {own}", d.display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
