//! `sonde agent` as a user runs it: the binary with a config file. Delivery
//! through a server outage and a restart, the scheduler's spread and
//! concurrency limit, bad plugins and missing /proc files, `once` and
//! `configtest`.
//!
//! The receiving end here is a small implementation of the documented
//! `/api/v1/` agent API (docs/agent-api.md) inside the test, recording what
//! it is sent; the sonde server (issue 5) implements the same API.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{free_port, signal, sonde, temp_dir};

/// What the receiver was sent.
#[derive(Default, Debug)]
struct Received {
    hosts: Vec<serde_json::Value>,
    metrics: Vec<serde_json::Value>,
    checks: Vec<serde_json::Value>,
    graph_defs: Vec<serde_json::Value>,
    keys: BTreeSet<String>,
}

/// Serves the agent API on `listener` until the test ends.
fn receiver(listener: TcpListener) -> Arc<Mutex<Received>> {
    let got = Arc::new(Mutex::new(Received::default()));
    let store = Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut r = BufReader::new(&stream);
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let mut length = 0usize;
            let mut h = String::new();
            loop {
                h.clear();
                if r.read_line(&mut h).unwrap_or(0) <= 2 {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or(("", ""));
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("x-api-key") {
                    store.lock().expect("lock").keys.insert(v.trim().into());
                }
            }
            let mut body = vec![0; length];
            let _ = r.read_exact(&mut body);
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let mut words = line.split_whitespace();
            let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let answer = {
                let mut g = store.lock().expect("lock");
                match (method, path) {
                    ("POST", "/api/v1/hosts") => {
                        g.hosts.push(json);
                        Some(r#"{"id":"h1"}"#)
                    }
                    ("POST", "/api/v1/hosts/h1/metrics") => {
                        g.metrics.push(json);
                        Some("{}")
                    }
                    ("POST", "/api/v1/hosts/h1/checks") => {
                        g.checks.push(json);
                        Some("{}")
                    }
                    ("POST", "/api/v1/hosts/h1/graph-defs") => {
                        g.graph_defs.push(json);
                        Some("{}")
                    }
                    _ => None,
                }
            };
            let (status, body) = match answer {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", "{\"error\":\"no such endpoint\"}"),
            };
            let mut w = &stream;
            let _ = write!(
                w,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    got
}

/// A running agent; killed if a test fails before it stops the agent.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_agent(config: &Path, extra: &[&str]) -> Running {
    Running(Some(spawn_agent(config, extra)))
}

fn spawn_agent(config: &Path, extra: &[&str]) -> Child {
    Command::new(sonde())
        .args(["agent", "-c"])
        .arg(config)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sonde agent")
}

/// Stops an agent with SIGTERM; its stderr.
fn stop_agent(mut running: Running) -> String {
    let child = running.0.take().expect("a running agent");
    signal(&child, "TERM");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the agent stops cleanly: {stderr}");
    stderr
}

fn queue_files(root: &Path) -> usize {
    std::fs::read_dir(root.join("queue"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .count()
        })
        .unwrap_or(0)
}

/// `name value` pairs of every metric batch received.
fn received_values(got: &Received, name: &str) -> BTreeSet<i64> {
    got.metrics
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["name"] == name)
        .filter_map(|m| m["value"].as_f64().map(|v| v as i64))
        .collect()
}

/// The server is down while the agent runs, the agent is restarted during
/// the outage, then the server comes back: every sample the agent took
/// arrives, none twice, with the API key and after the host registered.
#[test]
fn every_sample_arrives_after_an_outage_and_a_restart() {
    let dir = temp_dir("agent-outage");
    let port = free_port();
    let root = dir.join("state");
    let seen = dir.join("printed");
    // The plugin's value is a sequence number, so each sample is unique
    // (the run in meta mode at start, for graph definitions, prints none).
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            r#"apibase = "http://127.0.0.1:{port}"
apikey = "test-key"
root = "{root}"
[agent]
interval_seconds = 1
[prometheus]
listen = ""
[plugin.metrics.seq]
command = "[ -n \"$MACKEREL_AGENT_PLUGIN_META\" ] && exit 0; n=$(cat {seen} 2>/dev/null | wc -l); echo $n >> {seen}; printf 'outage.seq\t%s\t%s\n' $n $(date +%s)"
"#,
            root = root.display(),
            seen = seen.display()
        ),
    )
    .expect("config");

    let first = start_agent(&config, &[]);
    std::thread::sleep(Duration::from_secs(4));
    let stderr = stop_agent(first);
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")),
        "the failed delivery names the server: {stderr}"
    );
    let queued = queue_files(&root);
    assert!(
        queued >= 2,
        "batches kept on disk across the stop: {queued}"
    );

    let second = start_agent(&config, &[]);
    std::thread::sleep(Duration::from_secs(3));
    // The server comes back.
    let got = receiver(TcpListener::bind(("127.0.0.1", port)).expect("the server's port"));
    let deadline = Instant::now() + Duration::from_secs(40);
    let printed = |upto: usize| -> BTreeSet<i64> {
        std::fs::read_to_string(&seen)
            .unwrap_or_default()
            .lines()
            .take(upto)
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    };
    // Wait until everything printed up to now has arrived.
    let target = printed(usize::MAX);
    loop {
        let have = received_values(&got.lock().expect("lock"), "custom.outage.seq");
        if target.is_subset(&have) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "missing after 40 s: {:?}",
            target.difference(&have).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    stop_agent(second);
    let got = got.lock().expect("lock");
    let all = printed(usize::MAX);
    let have = received_values(&got, "custom.outage.seq");
    assert!(all.len() >= 6, "the plugin ran every second: {all:?}");
    // The first sample a plugin prints at stop may be cut by the stop
    // itself; everything printed before the last stop arrived.
    assert!(target.is_subset(&have));
    let count: usize = got
        .metrics
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["name"] == "custom.outage.seq")
        .count();
    assert_eq!(count, have.len(), "no sample arrived twice");
    assert_eq!(got.keys, BTreeSet::from(["test-key".to_string()]));
    let host = &got.hosts[0];
    assert!(host["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(host["meta"]["kernel"]["release"].as_str().is_some());
    assert!(
        host["meta"]["cpu"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(host["meta"]["memory"]["total"].as_str().is_some());
    assert!(host["meta"]["block_device"].is_object());
    assert!(host["meta"]["filesystem"].is_object());
    assert!(host["interfaces"].is_array());
    // The agent's own figures travel with the batches.
    assert!(
        got.metrics
            .iter()
            .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
            .any(|m| m["name"] == "sonde.agent.queue.dropped" && m["value"] == 0.0)
    );
    // The built-in collectors' values were delivered too.
    assert!(
        got.metrics
            .iter()
            .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
            .any(|m| m["name"] == "loadavg5")
    );
    assert_eq!(queue_files(&root), 0, "the queue is empty once delivered");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Plugin start times: spread over the interval (never all at :00), and
/// never more running at once than the concurrency limit.
#[test]
fn plugins_start_spread_out_and_within_the_concurrency_limit() {
    let dir = temp_dir("agent-spread");
    let log = dir.join("runs");
    let mut text = String::from(
        "[agent]\ninterval_seconds = 4\nconcurrency = 2\n[prometheus]\nlisten = \"\"\n",
    );
    for i in 0..8 {
        text.push_str(&format!(
            "[plugin.metrics.p{i}]\ncommand = \"echo start $(date +%s.%N) >> {log}; sleep 0.4; echo end $(date +%s.%N) >> {log}\"\n",
            log = log.display()
        ));
    }
    let config = dir.join("agent.toml");
    std::fs::write(&config, text).expect("config");
    let agent = start_agent(&config, &[]);
    std::thread::sleep(Duration::from_millis(8500));
    stop_agent(agent);
    let mut events: Vec<(f64, i32)> = std::fs::read_to_string(&log)
        .expect("the plugins ran")
        .lines()
        .filter_map(|l| {
            let (what, t) = l.split_once(' ')?;
            Some((t.parse().ok()?, if what == "start" { 1 } else { -1 }))
        })
        .collect();
    events.sort_by(|a, b| a.partial_cmp(b).expect("times"));
    let starts: Vec<f64> = events.iter().filter(|e| e.1 == 1).map(|e| e.0).collect();
    assert!(starts.len() >= 8, "{} runs", starts.len());
    // Concurrency: at no time more than two running.
    let mut running = 0;
    let mut most = 0;
    for (_, d) in &events {
        running += d;
        most = most.max(running);
    }
    assert!(most <= 2, "{most} plugins ran at once");
    // Spread: the starts' positions within the 4 s interval cover more than
    // a second, and are not all at the interval's start.
    let phases: Vec<f64> = starts.iter().map(|t| t % 4.0).collect();
    let (lo, hi) = phases
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    assert!(hi - lo > 1.0, "start phases {phases:?}");
    assert!(
        phases.iter().filter(|p| **p < 0.1).count() < phases.len() / 2,
        "{phases:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// GET /metrics from a running agent.
fn scrape(addr: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to /metrics");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text
}

/// Malformed plugin lines, a plugin that hangs, one that floods, a /proc
/// file that is missing: each is logged once, and the agent keeps
/// collecting and serving the rest.
#[test]
fn bad_plugins_and_missing_proc_files_are_logged_once_and_the_rest_goes_on() {
    let dir = temp_dir("agent-bad");
    // A /proc with loadavg but no diskstats.
    let proc = dir.join("proc");
    std::fs::create_dir_all(&proc).expect("proc");
    std::fs::write(proc.join("loadavg"), "0.25 0.50 0.75 1/100 12345\n").expect("loadavg");
    let port = free_port();
    let api = free_port();
    let got = receiver(TcpListener::bind(("127.0.0.1", api)).expect("api port"));
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            r#"apibase = "http://127.0.0.1:{api}"
apikey = "k"
root = "{root}"
[agent]
interval_seconds = 1
procfs = "{proc}"
[prometheus]
listen = "127.0.0.1:{port}"
[plugin.metrics.good]
command = "printf 'good.value\t7\t%s\n' $(date +%s)"
[plugin.metrics.garbled]
command = "echo 'not a metric line'; echo 'x 1'; printf 'garbled.ok\t1\t%s\n' $(date +%s)"
[plugin.metrics.hangs]
command = "sleep 100"
timeout_seconds = 1
[plugin.metrics.floods]
command = "yes 'flood.x	1	0' | head -c 5000000"
max_output_bytes = 10000
"#,
            proc = proc.display(),
            root = dir.join("state").display()
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    std::thread::sleep(Duration::from_millis(4500));
    let metrics = scrape(&format!("127.0.0.1:{port}"));
    let stderr = stop_agent(agent);
    assert!(
        metrics.contains("\nsonde_custom_good_value 7\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nsonde_custom_garbled_ok 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("\nsonde_loadavg5 0.5\n"), "{metrics}");
    // ... and delivers them.
    let delivered = received_values(&got.lock().expect("lock"), "custom.good.value");
    assert_eq!(
        delivered,
        BTreeSet::from([7]),
        "the good plugin's value was posted"
    );
    let count = |needle: &str| stderr.matches(needle).count();
    assert_eq!(
        count("plugin.metrics.garbled: 2 malformed line(s) skipped"),
        1,
        "{stderr}"
    );
    assert_eq!(
        count("plugin.metrics.hangs: killed after 1 s"),
        1,
        "{stderr}"
    );
    assert_eq!(
        count("plugin.metrics.floods: printed more than 10000 bytes"),
        1,
        "{stderr}"
    );
    let missing = format!("collector disk: {}/diskstats: No such file", proc.display());
    assert_eq!(count(&missing), 1, "{stderr}");
    // No sleep is left behind by the killed plugin.
    let left = Command::new("pgrep")
        .args(["-f", "^sleep 100$"])
        .output()
        .expect("pgrep");
    assert!(
        left.stdout.is_empty(),
        "the hung plugin's process group is gone"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn once_prints_one_round_as_json_and_configtest_checks() {
    let dir = temp_dir("agent-once");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        "[prometheus]\nlisten = \"\"\n[plugin.metrics.one]\ncommand = \"printf 'one.x\\t1\\t%s\\n' $(date +%s)\"\n[plugin.checks.fine]\ncommand = \"echo all good\"\n\
         [plugin.metrics.stamped]\nuse_plugin_timestamp = true\n\
         command = \"printf 'stamped.recent\\t1\\t%s\\nstamped.old\\t2\\t%s\\n' $(($(date +%s) - 300)) $(($(date +%s) - 3600))\"\n",
    )
    .expect("config");
    let out = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&config)
        .arg("once")
        .output()
        .expect("once");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: BTreeSet<&str> = v["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    for n in [
        "cpu.user.percentage",
        "loadavg5",
        "memory.used",
        "custom.one.x",
        "tcp.state.LISTEN",
    ] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("interface.")));
    // Plugin timestamps: kept within 15 minutes of the agent's clock, the
    // agent's time otherwise.
    let time_of = |name: &str| {
        v["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .find(|m| m["name"] == name)
            .and_then(|m| m["time"].as_i64())
            .unwrap_or_else(|| panic!("{name}"))
    };
    let now = time_of("custom.one.x");
    assert!((now - 300 - time_of("custom.stamped.recent")).abs() <= 2);
    assert!((time_of("custom.stamped.old") - now).abs() <= 2);
    assert_eq!(v["checks"][0]["status"], "OK");
    assert_eq!(v["checks"][0]["message"], "all good");
    assert!(v["host"]["meta"]["kernel"]["release"].is_string());

    let ok = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&config)
        .arg("configtest")
        .output()
        .expect("configtest");
    assert!(ok.status.success());
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[agent]\nintervall_seconds = 5\n").expect("bad");
    let out = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&bad)
        .arg("configtest")
        .output()
        .expect("configtest");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: line 2: unknown key `intervall_seconds`; did you mean `interval_seconds`?",
            bad.display()
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// GET `path` from `addr`; the body.
fn get(addr: &str, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
}

/// The value of a PromQL query's first sample, when it has one.
fn prom_value(addr: &str, query: &str) -> Option<String> {
    let body = get(addr, &format!("/api/v1/query?query={query}"))?;
    // The body may be chunked; the JSON object is what lies between the
    // first `{` and the last `}`.
    let json = &body[body.find('{')?..=body.rfind('}')?];
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v["data"]["result"][0]["value"][1]
        .as_str()
        .map(String::from)
}

/// Debian's Prometheus scrapes the agent's /metrics: the target is up and
/// the values it stores are the agent's.
#[test]
fn a_real_prometheus_scrapes_the_agent() {
    let prometheus = Path::new("/usr/bin/prometheus");
    assert!(
        prometheus.exists(),
        "prometheus is missing: `make test` installs it (scripts/setup.sh)"
    );
    let dir = temp_dir("agent-prometheus");
    let (agent_port, prom_port) = (free_port(), free_port());
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[agent]\ninterval_seconds = 1\n[prometheus]\nlisten = \"127.0.0.1:{agent_port}\"\n\
             [plugin.metrics.fixed]\ncommand = \"printf 'fixed.answer\\t42\\t%s\\n' $(date +%s)\"\n"
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    let prom_config = dir.join("prometheus.yml");
    std::fs::write(
        &prom_config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sonde\n    static_configs:\n      - targets: ['127.0.0.1:{agent_port}']\n"
        ),
    )
    .expect("prometheus config");
    let mut prom = Command::new(prometheus)
        .arg(format!("--config.file={}", prom_config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let addr = format!("127.0.0.1:{prom_port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut answer = None;
    while Instant::now() < deadline {
        answer = prom_value(&addr, "sonde_custom_fixed_answer");
        if answer.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let up = prom_value(&addr, "up%7Bjob%3D%22sonde%22%7D");
    let load = prom_value(&addr, "sonde_loadavg5");
    let _ = prom.kill();
    let _ = prom.wait();
    stop_agent(agent);
    assert_eq!(
        answer.as_deref(),
        Some("42"),
        "Prometheus stored the plugin's value"
    );
    assert_eq!(up.as_deref(), Some("1"), "the scrape target is up");
    let load: f64 = load.expect("loadavg5 scraped").parse().expect("a number");
    assert!((0.0..1000.0).contains(&load));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Built-in plugins named in the config run inside the agent with the same
/// arguments as `sonde plugin NAME`: a TCP check against a listener of this
/// test, and URL timings of Debian's python3 HTTP server.
#[test]
fn built_in_plugins_run_from_the_config() {
    let dir = temp_dir("agent-builtin");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("addr").port();
    let web_port = free_port();
    let mut web = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &web_port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", web_port)).is_err() {
        assert!(Instant::now() < deadline, "the HTTP server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[prometheus]\nlisten = \"\"\n\
             [plugin.checks.port]\nbuiltin = [\"tcp\", \"-H\", \"127.0.0.1\", \"-p\", \"{port}\"]\n\
             [plugin.checks.closed]\nbuiltin = \"tcp -H 127.0.0.1 -p {closed}\"\n\
             [plugin.metrics.web]\nbuiltin = \"url-timing -u http://127.0.0.1:{web_port}/ --name web\"\n",
            closed = free_port()
        ),
    )
    .expect("config");
    let out = Command::new(sonde())
        .args(["agent", "-c"])
        .arg(&config)
        .arg("once")
        .output()
        .expect("once");
    let _ = web.kill();
    let _ = web.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let check = |name: &str| {
        v["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("check {name} in {}", v["checks"]))
    };
    assert_eq!(check("port")["status"], "OK");
    assert!(
        check("port")["message"]
            .as_str()
            .is_some_and(|m| m.contains("TCP OK"))
    );
    assert_eq!(check("closed")["status"], "CRITICAL");
    let total = v["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == "custom.timing.web.total")
        .unwrap_or_else(|| panic!("custom.timing.web.total in {}", v["metrics"]));
    assert!(
        total["value"]
            .as_f64()
            .is_some_and(|ms| ms > 0.0 && ms < 10_000.0)
    );
    drop(listener);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The systemd unit's commands are the agent's: its configtest passes on the
/// example config, and it runs the agent in the foreground.
#[test]
fn the_systemd_unit_runs_the_agent_with_its_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let unit = std::fs::read_to_string(root.join("config/sonde-agent.service")).expect("unit");
    for section in ["[Unit]", "[Service]", "[Install]"] {
        assert!(unit.contains(section), "{section}");
    }
    let line = |key: &str| {
        unit.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in the unit"))
            .to_string()
    };
    assert_eq!(
        line("ExecStart="),
        "/usr/local/bin/sonde agent -c /etc/sonde/agent.toml"
    );
    let pre = line("ExecStartPre=");
    let example = root.join("config/agent.toml");
    let words: Vec<String> = pre
        .split_whitespace()
        .map(|w| match w {
            "/usr/local/bin/sonde" => sonde().display().to_string(),
            "/etc/sonde/agent.toml" => example.display().to_string(),
            w => w.to_string(),
        })
        .collect();
    let out = Command::new(&words[0])
        .args(&words[1..])
        .output()
        .expect("the unit's ExecStartPre");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A check's reports reach the server with their settings, its `action`
/// runs after every check with the status, the previous status and the
/// message, and a metric plugin's graph definitions (its meta output) are
/// posted once.
#[test]
fn checks_report_and_run_their_action_and_graphs_are_posted() {
    let dir = temp_dir("agent-checks");
    let port = free_port();
    let got = receiver(TcpListener::bind(("127.0.0.1", port)).expect("port"));
    let plugin = dir.join("plugin.sh");
    std::fs::write(
        &plugin,
        "if [ -n \"$MACKEREL_AGENT_PLUGIN_META\" ]; then\n\
         echo '# mackerel-agent-plugin'\n\
         echo '{\"graphs\":{\"queue\":{\"label\":\"Queue\",\"unit\":\"integer\",\"metrics\":[{\"name\":\"depth\",\"label\":\"Depth\",\"stacked\":true}]}}}'\n\
         exit 0\nfi\nprintf 'queue.depth\\t3\\t%s\\n' $(date +%s)\n",
    )
    .expect("plugin");
    let actions = dir.join("actions");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            r#"apibase = "http://127.0.0.1:{port}"
apikey = "k"
root = "{root}"
[agent]
interval_seconds = 1
[prometheus]
listen = ""
[plugin.metrics.queue]
command = ["sh", "{plugin}"]
[plugin.checks.disk]
command = "echo 'disk is full'; exit 2"
max_check_attempts = 3
notification_interval = 5
memo = "grow it"
action = {{ command = "echo \"$MACKEREL_STATUS:$MACKEREL_PREVIOUS_STATUS:$MACKEREL_CHECK_MESSAGE\" >> {actions}" }}
"#,
            root = dir.join("state").display(),
            plugin = plugin.display(),
            actions = actions.display()
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    std::thread::sleep(Duration::from_millis(3500));
    stop_agent(agent);
    let lines: Vec<String> = std::fs::read_to_string(&actions)
        .expect("the action ran")
        .lines()
        .map(String::from)
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    assert_eq!(lines[0], "CRITICAL::disk is full");
    assert_eq!(lines[1], "CRITICAL:CRITICAL:disk is full");
    let got = got.lock().expect("lock");
    let reports: Vec<&serde_json::Value> = got
        .checks
        .iter()
        .flat_map(|b| b["reports"].as_array().into_iter().flatten())
        .collect();
    assert!(reports.len() >= 2, "a non-OK result is reported every run");
    let r = reports[0];
    assert_eq!(
        (&r["name"], &r["status"], &r["message"]),
        (&"disk".into(), &"CRITICAL".into(), &"disk is full".into())
    );
    assert_eq!(r["maxCheckAttempts"], 3);
    assert_eq!(
        r["notificationInterval"], 10,
        "at least 10 minutes, as mackerel-agent"
    );
    assert_eq!(r["memo"], "grow it");
    assert_eq!(got.graph_defs.len(), 1, "graph definitions are posted once");
    let g = &got.graph_defs[0][0];
    assert_eq!(g["name"], "custom.queue");
    assert_eq!(g["unit"], "integer");
    assert_eq!(g["metrics"][0]["name"], "custom.queue.depth");
    assert_eq!(g["metrics"][0]["isStacked"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The queue's disk fills while the server is down: the batches the disk
/// refuses are held in memory (said once), and every sample still arrives
/// when the server is back. Needs root to mount a small tmpfs.
#[test]
fn a_full_disk_during_an_outage_loses_nothing() {
    if !sonde_kernel::running_as_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let dir = temp_dir("agent-fulldisk");
    let state = dir.join("state");
    std::fs::create_dir_all(&state).expect("state dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=40k", "tmpfs"])
        .arg(&state)
        .status()
        .expect("mount");
    assert!(mounted.success(), "mount a 40 KB tmpfs");
    let port = free_port();
    let seen = dir.join("printed");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            r#"apibase = "http://127.0.0.1:{port}"
apikey = "k"
root = "{state}"
[agent]
interval_seconds = 1
[prometheus]
listen = ""
[plugin.metrics.seq]
command = "[ -n \"$MACKEREL_AGENT_PLUGIN_META\" ] && exit 0; n=$(cat {seen} 2>/dev/null | wc -l); echo $n >> {seen}; printf 'full.seq\t%s\t%s\n' $n $(date +%s)"
"#,
            state = state.display(),
            seen = seen.display()
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    // Long enough for the batches (~10 KB each with every collector) to
    // fill 40 KB.
    std::thread::sleep(Duration::from_secs(8));
    let got = receiver(TcpListener::bind(("127.0.0.1", port)).expect("port"));
    let printed: BTreeSet<i64> = std::fs::read_to_string(&seen)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(40);
    while !printed.is_subset(&received_values(
        &got.lock().expect("lock"),
        "custom.full.seq",
    )) {
        assert!(Instant::now() < deadline, "samples missing after 40 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let stderr = stop_agent(agent);
    let _ = Command::new("umount").arg(&state).status();
    assert!(printed.len() >= 6, "{printed:?}");
    assert_eq!(
        stderr.matches("batches are held in memory").count(),
        1,
        "the full disk is said once: {stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The steal regression, end to end: a /proc/stat whose steal counter goes
/// backwards (the kernel bug behind "CPU steal 100 %") makes the agent drop
/// that sample and count it; no absurd percentage is ever served.
#[test]
fn a_steal_counter_going_backwards_is_dropped_and_counted() {
    let dir = temp_dir("agent-steal");
    let proc = dir.join("proc");
    std::fs::create_dir_all(&proc).expect("proc");
    let stat = |steal: u64, base: u64| {
        // user nice system idle iowait irq softirq steal guest guest_nice
        format!(
            "cpu  {} 0 {} {} 0 0 0 {steal} 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n",
            base,
            base,
            base * 2
        )
    };
    std::fs::write(proc.join("stat"), stat(5000, 1000)).expect("stat");
    let port = free_port();
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[agent]\ninterval_seconds = 1\nprocfs = \"{}\"\n[prometheus]\nlisten = \"127.0.0.1:{port}\"\n",
            proc.display()
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    let addr = format!("127.0.0.1:{port}");
    let value = |text: &str, name: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} "))?.parse().ok())
    };
    let mut steals = Vec::new();
    let mut resets = 0.0;
    // Counters grow every second; at the fourth step steal drops by 4000.
    for step in 1..=8u64 {
        let steal = if step < 4 {
            5000 + step * 10
        } else {
            1000 + step * 10
        };
        std::fs::write(proc.join("stat"), stat(steal, 1000 + step * 100)).expect("stat");
        std::thread::sleep(Duration::from_millis(1100));
        let text = scrape(&addr);
        if let Some(v) = value(&text, "sonde_cpu_steal_percentage") {
            steals.push(v);
        }
        resets = value(&text, "sonde_agent_counter_resets_cpu").unwrap_or(resets);
    }
    stop_agent(agent);
    assert!(!steals.is_empty(), "steal was served");
    assert!(
        steals.iter().all(|v| (0.0..=200.0).contains(v)),
        "no absurd steal: {steals:?}"
    );
    assert!(resets >= 1.0, "the dropped sample is counted: {resets}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A value nobody gives any more (a plugin that stopped printing it) leaves
/// /metrics after three intervals instead of being served stale for ever.
#[test]
fn values_no_longer_given_leave_metrics() {
    let dir = temp_dir("agent-stale");
    let port = free_port();
    let flag = dir.join("printed-once");
    let config = dir.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[agent]\ninterval_seconds = 1\n[prometheus]\nlisten = \"127.0.0.1:{port}\"\n\
             [plugin.metrics.fading]\ncommand = \"[ -n \\\"$MACKEREL_AGENT_PLUGIN_META\\\" ] && exit 0; \
             printf 'fading.always\\\\t1\\\\t%s\\\\n' $(date +%s); \
             [ -e {flag} ] || {{ touch {flag}; printf 'fading.once\\\\t1\\\\t%s\\\\n' $(date +%s); }}\"\n",
            flag = flag.display()
        ),
    )
    .expect("config");
    let agent = start_agent(&config, &[]);
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get(&addr, "/metrics").is_some_and(|t| t.contains("\nsonde_custom_fading_once 1\n")) {
        assert!(Instant::now() < deadline, "the value was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(5));
    let text = scrape(&addr);
    stop_agent(agent);
    assert!(!text.contains("sonde_custom_fading_once"), "{text}");
    assert!(text.contains("\nsonde_custom_fading_always 1\n"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
