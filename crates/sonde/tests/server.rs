//! `sonde server` with the real agent: the agent registers its host, posts
//! metric batches, check reports and graph definitions, and the server keeps
//! them
//! (read back through the API with a key). Bad requests get a clear 4xx and
//! store nothing.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, free_port, signal, sonde, temp_dir};

fn start_server(data: &Path, port: u16, key: &str) -> Running {
    start_server_with(data, port, key, &[])
}

fn start_server_with(data: &Path, port: u16, key: &str, extra: &[&str]) -> Running {
    let child = Command::new(sonde())
        .args([
            "server",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--write-key",
            key,
        ])
        .args(extra)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sonde server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Running(child)
}

/// One request; (status, body).
fn call(port: u16, method: &str, path: &str, key: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(k) = key {
        head.push_str(&format!("X-Api-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send");
    s.write_all(body).expect("send body");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A GET's body as bytes (an attachment), after checking it is a 200 with
/// the length it announced.
fn download(port: u16, path: &str, key: &str) -> Vec<u8> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let head =
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Api-Key: {key}\r\n\r\n");
    s.write_all(head.as_bytes()).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let body = out[split + 4..].to_vec();
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{head} with {} bytes",
        body.len()
    );
    body
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_agent_registers_and_its_metrics_checks_and_graphs_are_kept() {
    let dir = temp_dir("server-agent");
    let port = free_port();
    let key = "write-key-for-the-test";
    let _server = start_server(&dir.join("data"), port, key);
    let plugin = dir.join("plugin.sh");
    std::fs::write(
        &plugin,
        "if [ -n \"$MACKEREL_AGENT_PLUGIN_META\" ]; then echo '# mackerel-agent-plugin'; \
         echo '{\"graphs\":{\"jobs\":{\"label\":\"Jobs\",\"unit\":\"integer\",\"metrics\":[{\"name\":\"*\",\"label\":\"%1\"}]}}}'; exit 0; fi\n\
         printf 'jobs.waiting\\t4\\t%s\\n' $(date +%s)\n",
    )
    .expect("plugin");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            r#"apibase = "http://127.0.0.1:{port}"
apikey = "{key}"
root = "{root}"
display_name = "the test host"
[agent]
interval_seconds = 1
hostname = "server-test-host"
[prometheus]
listen = ""
[plugin.metrics.jobs]
command = ["sh", "{plugin}"]
[plugin.checks.queue]
command = "echo 'queue stuck'; exit 2"
max_check_attempts = 2
"#,
            root = dir.join("agent").display(),
            plugin = plugin.display()
        ),
    )
    .expect("config");
    let mut agent = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&config)
        .stderr(Stdio::piped())
        .spawn()
        .expect("agent");
    // Wait for the host and its check to arrive.
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        let (status, body) = call(port, "GET", "/api/v1/hosts", Some(key), b"");
        assert_eq!(status, 200, "{body}");
        let hosts = json(&body)["hosts"].clone();
        if let Some(h) = hosts.as_array().and_then(|a| a.first()) {
            let id = h["id"].as_str().expect("id").to_string();
            let (_, checks) = call(
                port,
                "GET",
                &format!("/api/v1/hosts/{id}/checks"),
                Some(key),
                b"",
            );
            if !json(&checks)["checks"]
                .as_array()
                .is_some_and(|c| c.is_empty())
            {
                break id;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the host and its check did not arrive"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // Metric batches: the plugin's value and a collector's.
    let series = |name: &str| -> Vec<serde_json::Value> {
        let (status, body) = call(
            port,
            "GET",
            &format!("/api/v1/hosts/{id}/metrics?name={name}"),
            Some(key),
            b"",
        );
        assert_eq!(status, 200, "{body}");
        json(&body)["series"][0]["points"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    while series("custom.jobs.waiting").is_empty() || series("loadavg5").is_empty() {
        assert!(Instant::now() < deadline, "the metrics did not arrive");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(series("custom.jobs.waiting").iter().all(|p| p[1] == 4.0));
    signal(&agent, "TERM");
    let _ = agent.wait();
    let (_, host) = call(port, "GET", &format!("/api/v1/hosts/{id}"), Some(key), b"");
    let host = json(&host);
    assert_eq!(host["name"], "server-test-host");
    assert_eq!(host["specs"]["displayName"], "the test host");
    assert!(host["specs"]["meta"]["kernel"]["release"].is_string());
    let (_, checks) = call(
        port,
        "GET",
        &format!("/api/v1/hosts/{id}/checks"),
        Some(key),
        b"",
    );
    let check = json(&checks)["checks"][0].clone();
    assert_eq!(
        (
            &check["name"],
            &check["status"],
            &check["message"],
            &check["max_check_attempts"]
        ),
        (
            &"queue".into(),
            &"CRITICAL".into(),
            &"queue stuck".into(),
            &2.into()
        )
    );
    let (_, defs) = call(
        port,
        "GET",
        &format!("/api/v1/hosts/{id}/graph-defs"),
        Some(key),
        b"",
    );
    let defs = json(&defs);
    assert_eq!(defs[0]["name"], "custom.jobs");
    assert_eq!(defs[0]["metrics"][0]["name"], "custom.jobs.*");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_requests_get_a_clear_4xx_and_store_nothing() {
    let dir = temp_dir("server-bad");
    let port = free_port();
    let key = "k-bad";
    let _server = start_server(&dir.join("data"), port, key);
    let (status, body) = call(port, "POST", "/api/v1/hosts", None, b"{\"name\":\"x\"}");
    assert_eq!(
        (status, json(&body)["error"].as_str()),
        (
            401,
            Some("no X-Api-Key header (or Authorization: Bearer KEY)")
        )
    );
    let (status, _) = call(port, "GET", "/api/v1/hosts", None, b"");
    assert_eq!(status, 401, "reading needs a key too");
    let (status, body) = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some("wrong"),
        b"{\"name\":\"x\"}",
    );
    assert_eq!(
        (status, json(&body)["error"].as_str()),
        (401, Some("unknown API key"))
    );
    let (status, body) = call(port, "POST", "/api/v1/hosts", Some(key), b"{\"name\": ");
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("the body is not valid JSON"))
    );
    let (status, _) = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some(key),
        b"{\"name\": \"\"}",
    );
    assert_eq!(status, 400);
    let (_, body) = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some(key),
        b"{\"name\": \"h1\"}",
    );
    let id = json(&body)["id"].as_str().expect("id").to_string();
    // A batch with one bad report is refused whole.
    let occ = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let reports = format!(
        r#"{{"reports":[{{"name":"a","status":"OK","message":"","occurredAt":{occ}}},
                        {{"name":"b","status":"FINE","message":"","occurredAt":{occ}}}]}}"#
    );
    let reports = reports.as_bytes();
    // A report from 1970 is refused, naming it.
    let old = br#"{"reports":[{"name":"a","status":"OK","message":"","occurredAt":1}]}"#;
    let (status, body) = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{id}/checks"),
        Some(key),
        old,
    );
    assert_eq!(status, 400);
    assert!(body.contains("reports[0]: occurredAt 1"), "{body}");
    let (status, body) = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{id}/checks"),
        Some(key),
        reports,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("reports[1]"), "{body}");
    let (_, checks) = call(
        port,
        "GET",
        &format!("/api/v1/hosts/{id}/checks"),
        Some(key),
        b"",
    );
    assert_eq!(
        json(&checks)["checks"],
        serde_json::json!([]),
        "nothing stored half-way"
    );
    // A metric batch with one bad value is refused whole, naming it.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    for (batch, says) in [
        (
            format!(
                r#"{{"metrics":[{{"name":"ok","time":{t},"value":1}},{{"name":"bad name","time":{t},"value":1}}]}}"#
            ),
            "metrics[1]: name \"bad name\"",
        ),
        (
            format!(
                r#"{{"metrics":[{{"name":"ok","time":{t},"value":1}},{{"name":"late","time":{},"value":1}}]}}"#,
                t - 40 * 86_400
            ),
            "metrics[1] late: time",
        ),
        (
            format!(r#"{{"metrics":[{{"name":"ok","time":{t},"value":"one"}}]}}"#),
            "not a metric batch",
        ),
    ] {
        let (status, body) = call(
            port,
            "POST",
            &format!("/api/v1/hosts/{id}/metrics"),
            Some(key),
            batch.as_bytes(),
        );
        assert_eq!(status, 400, "{body}");
        assert!(
            json(&body)["error"]
                .as_str()
                .is_some_and(|e| e.contains(says)),
            "{body}"
        );
    }
    let (_, body) = call(
        port,
        "GET",
        &format!("/api/v1/hosts/{id}/metrics?name=ok"),
        Some(key),
        b"",
    );
    assert_eq!(
        json(&body)["series"],
        serde_json::json!([]),
        "nothing of a refused batch is stored"
    );
    // Metadata is kept as sent, and read back.
    let (status, _) = call(
        port,
        "PUT",
        &format!("/api/v1/hosts/{id}/metadata/inventory"),
        Some(key),
        br#"{"rack": "b7"}"#,
    );
    assert_eq!(status, 200);
    let (_, meta) = call(
        port,
        "GET",
        &format!("/api/v1/hosts/{id}/metadata/inventory"),
        Some(key),
        b"",
    );
    assert_eq!(json(&meta)["rack"], "b7");
    let (status, _) = call(
        port,
        "PUT",
        &format!("/api/v1/hosts/{id}/metadata/a/b"),
        Some(key),
        b"{}",
    );
    assert_eq!(status, 400);
    let (status, _) = call(
        port,
        "POST",
        "/api/v1/hosts/nope/checks",
        Some(key),
        br#"{"reports":[]}"#,
    );
    assert_eq!(status, 404);
    let (status, _) = call(port, "GET", "/api/v1/nothing", Some(key), b"");
    assert_eq!(status, 404);
    // The first start made an admin and a write key, readable by the owner only.
    let keys = dir.join("data/first-keys.txt");
    let mode = std::fs::metadata(&keys).expect("first keys").permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&keys).expect("read");
    let admin = text
        .lines()
        .find_map(|l| l.strip_prefix("Admin\t"))
        .expect("an admin key");
    let (status, _) = call(port, "GET", "/api/v1/hosts", Some(admin), b"");
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kill -9` of the server while batches are being posted loses no value
/// whose batch was acknowledged (200): after a restart on the same data
/// directory every one of them is there.
#[test]
fn kill_9_during_ingest_loses_no_acknowledged_value() {
    let dir = temp_dir("server-kill9");
    let port = free_port();
    let key = "k-kill";
    let data = dir.join("data");
    let mut server = start_server(&data, port, key);
    let (_, body) = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some(key),
        b"{\"name\": \"k9\"}",
    );
    let id = json(&body)["id"].as_str().expect("id").to_string();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    // Batches of 50 values of one series, each value at its own second.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let poster = {
        let (acked, id) = (std::sync::Arc::clone(&acked), id.clone());
        std::thread::spawn(move || {
            for b in 0..10_000i64 {
                let values: Vec<String> = (0..50)
                    .map(|i| {
                        let n = b * 50 + i;
                        format!(
                            r#"{{"name":"k9.seq","time":{},"value":{n}}}"#,
                            t - 2_000_000 + n
                        )
                    })
                    .collect();
                let body = format!(r#"{{"metrics":[{}]}}"#, values.join(","));
                let (status, _) = std::panic::catch_unwind(|| {
                    call(
                        port,
                        "POST",
                        &format!("/api/v1/hosts/{id}/metrics"),
                        Some(key),
                        body.as_bytes(),
                    )
                })
                .unwrap_or((0, String::new()));
                if status != 200 {
                    break;
                }
                acked
                    .lock()
                    .expect("lock")
                    .extend((0..50).map(|i| b * 50 + i));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    let _ = server.0.kill(); // SIGKILL
    let _ = server.0.wait();
    let _ = poster.join();
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= 500,
        "batches were acknowledged before the kill: {}",
        acked.len()
    );
    let _server = start_server(&data, port, key);
    let (status, body) = call(
        port,
        "GET",
        &format!(
            "/api/v1/hosts/{id}/metrics?name=k9.seq&from={}&to={}",
            t - 2_000_001,
            t
        ),
        Some(key),
        b"",
    );
    assert_eq!(status, 200);
    let stored: std::collections::BTreeSet<i64> = json(&body)["series"][0]["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p[1].as_f64().map(|v| v as i64))
        .collect();
    let lost: Vec<&i64> = acked.iter().filter(|n| !stored.contains(n)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged values lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Debian's Prometheus sends to sonde by remote write (snappy protobuf, with
/// the write key as a bearer token): its own `up` and build info arrive with their
/// labels.
#[test]
fn a_real_prometheus_remote_writes_to_the_server() {
    let prometheus = Path::new("/usr/bin/prometheus");
    assert!(
        prometheus.exists(),
        "prometheus is missing: `make test` installs it (scripts/setup.sh)"
    );
    let dir = temp_dir("server-remote-write");
    let (port, prom_port) = (free_port(), free_port());
    let key = "k-remote-write";
    let _server = start_server(&dir.join("data"), port, key);
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n\
             scrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:{prom_port}']\n\
             remote_write:\n  - url: http://127.0.0.1:{port}/api/v1/write\n    authorization:\n      credentials: {key}\n    queue_config:\n      batch_send_deadline: 1s\n"
        ),
    )
    .expect("config");
    let prom = Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("prom").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let _prom = Running(prom);
    let deadline = Instant::now() + Duration::from_secs(60);
    let up = loop {
        let (status, body) = call(
            port,
            "GET",
            "/api/v1/metrics?name=up&label.job=self",
            Some(key),
            b"",
        );
        assert_eq!(status, 200, "{body}");
        let v = json(&body);
        if let Some(s) = v["series"].as_array().and_then(|a| a.first()).cloned() {
            break s;
        }
        assert!(Instant::now() < deadline, "nothing arrived by remote write");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(up["labels"]["instance"], format!("127.0.0.1:{prom_port}"));
    assert!(
        up["points"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p[1] == 1.0)),
        "{up}"
    );
    let (_, body) = call(
        port,
        "GET",
        "/api/v1/metrics?name=prometheus_build_info",
        Some(key),
        b"",
    );
    assert!(
        json(&body)["series"][0]["labels"]["version"].is_string(),
        "{body}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sonde up`: the server and a local agent in one process; the agent's host
/// is registered, its /metrics served, the first keys printed, and Ctrl-C
/// stops both cleanly.
#[test]
fn sonde_up_runs_the_server_and_a_local_agent() {
    let dir = temp_dir("sonde-up");
    let (port, metrics_port) = (free_port(), free_port());
    let data = dir.join("data");
    let up = Command::new(sonde())
        .args([
            "up",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--metrics-listen",
            &format!("127.0.0.1:{metrics_port}"),
            "--data",
        ])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sonde up");
    let up = Running(up);
    let key_file = data.join("local-agent.key");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(key) = std::fs::read_to_string(&key_file)
            && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            let (status, body) = call(port, "GET", "/api/v1/hosts", Some(key.trim()), b"");
            if status == 200
                && json(&body)["hosts"]
                    .as_array()
                    .is_some_and(|h| h.len() == 1)
            {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the local agent's host was not registered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", metrics_port)).is_ok(),
        "/metrics served"
    );
    signal(&up.0, "INT");
    let mut up = up;
    let status = up.0.wait().expect("wait");
    let mut stderr = String::new();
    if let Some(mut e) = up.0.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("server on http://127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("first Admin key: "), "{stderr}");
    assert!(stderr.contains("sonde up: stopped"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Monitors through the API: an admin key creates one (a write key may not;
/// a bad one is refused with the reason), the server evaluates it against
/// posted metrics and opens an alert, a silence mutes it, deleting the
/// monitor closes it.
#[test]
fn monitors_through_the_api_open_alerts_and_silences_mute_them() {
    let dir = temp_dir("server-monitors");
    let port = free_port();
    let (key, admin) = ("k-w", "k-admin");
    let _server = start_server_with(
        &dir.join("data"),
        port,
        key,
        &["--admin-key", admin, "--evaluate-every", "1"],
    );
    let (_, body) = call(
        port,
        "POST",
        "/api/v1/hosts",
        Some(key),
        b"{\"name\": \"busy\"}",
    );
    let id = json(&body)["id"].as_str().expect("id").to_string();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let batch = format!(r#"{{"metrics":[{{"name":"loadavg5","time":{t},"value":9.5}}]}}"#);
    let (status, _) = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{id}/metrics"),
        Some(key),
        batch.as_bytes(),
    );
    assert_eq!(status, 200);
    let monitor = br#"{"name":"load","type":"metric","metric":"loadavg5","operator":">","warning":2,"critical":4,"duration":120}"#;
    let (status, _) = call(port, "POST", "/api/v1/monitors", Some(key), monitor);
    assert_eq!(status, 403, "a write key may not make monitors");
    let (status, body) = call(
        port,
        "POST",
        "/api/v1/monitors",
        Some(admin),
        br#"{"name":"load","type":"metric","metric":"loadavg5","operator":">","warning":5,"critical":4}"#,
    );
    assert_eq!(status, 400);
    assert!(body.contains("past critical"), "{body}");
    let (status, body) = call(port, "POST", "/api/v1/monitors", Some(admin), monitor);
    assert_eq!(status, 201, "{body}");
    let mid = json(&body)["id"].as_i64().expect("monitor id");
    let deadline = Instant::now() + Duration::from_secs(20);
    let alert = loop {
        let (_, body) = call(port, "GET", "/api/v1/alerts", Some(key), b"");
        if let Some(a) = json(&body)["alerts"]
            .as_array()
            .and_then(|a| a.first())
            .cloned()
        {
            break a;
        }
        assert!(Instant::now() < deadline, "no alert opened");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(alert["status"], "CRITICAL");
    assert_eq!(alert["monitor_id"], mid);
    assert_eq!(alert["segment"], format!("host={id}"));
    assert_eq!(alert["silenced"], false);
    assert_eq!(alert["events"][0]["status"], "CRITICAL");
    let silence = format!(
        r#"{{"monitor_id":{mid},"starts_at":{},"ends_at":{},"comment":"deploy"}}"#,
        t - 1,
        t + 3600
    );
    let (status, _) = call(
        port,
        "POST",
        "/api/v1/silences",
        Some(admin),
        silence.as_bytes(),
    );
    assert_eq!(status, 201);
    let (_, body) = call(port, "GET", "/api/v1/alerts", Some(key), b"");
    assert_eq!(json(&body)["alerts"][0]["silenced"], true);
    let (status, _) = call(
        port,
        "DELETE",
        &format!("/api/v1/monitors/{mid}"),
        Some(admin),
        b"",
    );
    assert_eq!(status, 204);
    let (_, body) = call(port, "GET", "/api/v1/alerts", Some(key), b"");
    assert_eq!(
        json(&body)["alerts"],
        serde_json::json!([]),
        "deleting the monitor closed its alert"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Prometheus text import: lines stored under their names and labels (the
/// second batch through the series cache), a bad line refuses the body,
/// naming it, and stores nothing of it.
#[test]
fn prometheus_text_import_is_stored_and_checked_whole() {
    let dir = temp_dir("server-import");
    let port = free_port();
    let key = "k-import";
    let _server = start_server(&dir.join("data"), port, key);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    for (i, v) in [(0, 1.5), (1, 2.5)] {
        let body = format!(
            "# a comment\nreq_seconds{{path=\"/a\",code=\"200\"}} {v} {}\nreq_seconds{{path=\"/b\",code=\"500\"}} 9 {}\n",
            t - 60_000 + i * 1000,
            t - 60_000 + i * 1000
        );
        let (status, body) = call(
            port,
            "POST",
            "/api/v1/import/prometheus",
            Some(key),
            body.as_bytes(),
        );
        assert_eq!(status, 204, "{body}");
    }
    let (_, body) = call(
        port,
        "GET",
        "/api/v1/metrics?name=req_seconds&label.path=/a",
        Some(key),
        b"",
    );
    let v = json(&body);
    assert_eq!(v["series"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(v["series"][0]["labels"]["code"], "200");
    let values: Vec<f64> = v["series"][0]["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p[1].as_f64())
        .collect();
    assert_eq!(values, [1.5, 2.5]);
    let bad = format!("good 1 {t}\nbad{{x=\"1\" 2 {t}\n");
    let (status, body) = call(
        port,
        "POST",
        "/api/v1/import/prometheus",
        Some(key),
        bad.as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("line 2:")),
        "{body}"
    );
    let (_, body) = call(port, "GET", "/api/v1/metrics?name=good", Some(key), b"");
    assert_eq!(
        json(&body)["series"],
        serde_json::json!([]),
        "nothing of a refused body"
    );
    // A label value past the bound is refused; so is a range that overflows.
    let long = format!("big{{v=\"{}\"}} 1 {t}\n", "x".repeat(5000));
    let (status, body) = call(
        port,
        "POST",
        "/api/v1/import/prometheus",
        Some(key),
        long.as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(body.contains("at most 4096"), "{body}");
    let (status, body) = call(
        port,
        "GET",
        "/api/v1/metrics?name=req_seconds&from=-9223372036854775807",
        Some(key),
        b"",
    );
    assert_eq!(status, 400, "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sonde up` as root: an alert opens an incident, the flight recorder
/// writes the system calls around it, and the capture is attached to the
/// incident's timeline; `sonde dig` reads it.
#[test]
fn sonde_up_attaches_a_capture_to_a_new_incident() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: live capture needs root (CI runs as root)");
        return;
    }
    let dir = temp_dir("sonde-up-capture");
    let (port, metrics_port) = (free_port(), free_port());
    let data = dir.join("data");
    let up = Command::new(sonde())
        .args([
            "up",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--metrics-listen",
            &format!("127.0.0.1:{metrics_port}"),
            "--data",
        ])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sonde up");
    let _up = Running(up);
    let deadline = Instant::now() + Duration::from_secs(60);
    // The local agent's host, its key, and the admin key.
    let (key, id) = loop {
        // The key is written before the server listens.
        if let Ok(key) = std::fs::read_to_string(data.join("local-agent.key"))
            && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            let key = key.trim().to_string();
            let (status, body) = call(port, "GET", "/api/v1/hosts", Some(&key), b"");
            if status == 200
                && let Some(id) = json(&body)["hosts"][0]["id"].as_str()
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
    let (status, body) = call(port, "POST", "/api/v1/monitors", Some(&admin), monitor);
    assert_eq!(status, 201, "{body}");
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let batch = format!(r#"{{"metrics":[{{"name":"test.fire","time":{t},"value":10}}]}}"#);
    let (status, _) = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{id}/metrics"),
        Some(&key),
        batch.as_bytes(),
    );
    assert_eq!(status, 200);
    // The capture is attached through the artefact store (here the data
    // directory) and read back through the API.
    let incident = loop {
        let (_, body) = call(port, "GET", "/api/v1/incidents", Some(&key), b"");
        let v = json(&body);
        let found = v["incidents"][0]["timeline"].as_array().and_then(|t| {
            t.iter()
                .find(|e| e[1] == "attachment" && e[3]["key"].is_string())
                .and_then(|_| v["incidents"][0]["id"].as_i64())
        });
        if let Some(id) = found {
            break id;
        }
        assert!(Instant::now() < deadline, "no capture attached: {body}");
        std::thread::sleep(Duration::from_millis(500));
    };
    let capture = download(
        port,
        &format!("/api/v1/incidents/{incident}/attachments/0"),
        &key,
    );
    assert!(capture.len() > 100, "a capture of {} bytes", capture.len());
    let attachment = dir.join("downloaded.scap");
    std::fs::write(&attachment, &capture).expect("write the capture");
    let attachment = attachment.display().to_string();
    let out = Command::new(sonde())
        .args(["dig", "-r", &attachment, "-n", "5"])
        .output()
        .expect("dig");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        5,
        "events in the capture"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A key given on the command line works only while it is given there.
#[test]
fn a_command_line_key_stops_working_when_dropped() {
    let dir = temp_dir("server-cli-key");
    let data = dir.join("data");
    let port = free_port();
    let first = start_server(&data, port, "key-one");
    let (status, _) = call(port, "GET", "/api/v1/hosts", Some("key-one"), b"");
    assert_eq!(status, 200);
    drop(first);
    let port = free_port();
    let _second = start_server(&data, port, "key-two");
    let (status, _) = call(port, "GET", "/api/v1/hosts", Some("key-one"), b"");
    assert_eq!(status, 401, "the dropped key is refused");
    let (status, _) = call(port, "GET", "/api/v1/hosts", Some("key-two"), b"");
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--state` naming a PostgreSQL nobody answers at: the server does not
/// start, and says which address it could not reach (never the password).
#[test]
fn a_state_url_nobody_answers_is_a_clear_error() {
    let data = temp_dir("server-state-url");
    let pg_port = free_port();
    let out = Command::new(sonde())
        .args(["server", "--listen", &format!("127.0.0.1:{}", free_port())])
        .arg("--data")
        .arg(&data)
        .args([
            "--state",
            &format!("postgres://sonde:s3cret@127.0.0.1:{pg_port}/state"),
        ])
        .output()
        .expect("run sonde server");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{pg_port}")) && err.contains("unavailable"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}
