//! `sonde server --metrics URL` with the real agent and Debian's
//! VictoriaMetrics: the agent's metrics go through the server into
//! VictoriaMetrics and read back through the server's API; while
//! VictoriaMetrics is down the server answers metric batches with 503
//! naming it and keeps serving, and once it is back the samples the agent
//! queued meanwhile arrive.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, free_port, signal, sonde, temp_dir};

#[path = "../../server/tests/support/victoria.rs"]
mod victoria;

/// One request; (status, body).
fn call(port: u16, method: &str, path: &str, key: &str, body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(70)))
        .expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Api-Key: {key}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
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

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_agent_writes_through_the_server_into_victoria_metrics_and_outlives_its_outage() {
    let dir = temp_dir("server-victoria");
    let mut vm = victoria::Vm::start("server-victoria");
    let port = free_port();
    let (key, admin) = ("vm-write-key", "vm-admin-key");
    let server = Command::new(sonde())
        .args(["server", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--write-key", key, "--admin-key", admin])
        .args(["--metrics", &vm.url])
        .arg("--data")
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sonde server");
    let _server = Running(server);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The plugin counts up once a second, so every sample is told apart.
    let plugin = dir.join("plugin.sh");
    std::fs::write(
        &plugin,
        "printf 'seq.value\\t%s\\t%s\\n' $(date +%s) $(date +%s)\n",
    )
    .expect("plugin");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "apibase = \"http://127.0.0.1:{port}\"\napikey = \"{key}\"\nroot = \"{root}\"\n\
             [agent]\ninterval_seconds = 1\nhostname = \"vm-test-host\"\n[prometheus]\nlisten = \"\"\n\
             [plugin.metrics.seq]\ncommand = [\"sh\", \"{plugin}\"]\n",
            root = dir.join("agent").display(),
            plugin = plugin.display()
        ),
    )
    .expect("config");
    let agent = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("agent");
    let agent = Running(agent);
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        let (status, body) = call(port, "GET", "/api/v1/hosts", key, b"");
        assert_eq!(status, 200, "{body}");
        if let Some(id) = json(&body)["hosts"][0]["id"].as_str() {
            break id.to_string();
        }
        assert!(Instant::now() < deadline, "the host did not register");
        std::thread::sleep(Duration::from_millis(200));
    };
    let points = |from: i64| -> Vec<i64> {
        let (status, body) = call(
            port,
            "GET",
            &format!("/api/v1/hosts/{id}/metrics?name=custom%5C.seq%5C.value&from={from}"),
            key,
            b"",
        );
        assert_eq!(status, 200, "{body}");
        json(&body)["series"][0]["points"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| p[0].as_i64()).collect())
            .unwrap_or_default()
    };
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    // First arrival without any flush: what a user sees (VictoriaMetrics
    // shows a new series within seconds).
    while points(started - 600).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the agent's metrics did not reach VictoriaMetrics"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // The outage.
    vm.stop();
    let down_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let batch = format!(r#"{{"metrics": [{{"name": "probe", "time": {down_at}, "value": 1}}]}}"#);
    let (status, body) = call(
        port,
        "POST",
        &format!("/api/v1/hosts/{id}/metrics"),
        key,
        batch.as_bytes(),
    );
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains(&format!("{}/api/v1/write", vm.url)),
        "the message names VictoriaMetrics: {body}"
    );
    let (status, body) = call(port, "GET", "/api/v1/hosts", key, b"");
    assert_eq!(status, 200, "the server serves on: {body}");
    std::thread::sleep(Duration::from_secs(4));
    let up_at = down_at + 4;
    vm.resume();

    // What the agent measured while VictoriaMetrics was down arrives.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = call(port, "POST", "/api/v1/admin/flush", admin, b"");
        assert_eq!(status, 200, "{body}");
        let got = points(started - 600);
        let during: Vec<&i64> = got.iter().filter(|&&t| t > down_at && t < up_at).collect();
        if during.len() >= 2 {
            // Each second once: no gaps past the agent's own, no doubles.
            let mut sorted = got.clone();
            sorted.dedup();
            assert_eq!(sorted.len(), got.len(), "a sample twice: {got:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the samples queued during the outage did not arrive: {got:?} (down {down_at}..{up_at})"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    signal(&agent.0, "TERM");
    drop(agent);
    let _ = std::fs::remove_dir_all(dir);
}
