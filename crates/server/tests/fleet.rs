//! Two server instances on one PostgreSQL, each running the monitor loop
//! and the notifier as `sonde server` does: an agent gone silent opens one
//! alert, one incident and one webhook delivery (not one per instance);
//! after the leader loses its lock connection, one instance leads again and
//! the agent's return resolves the same alert, delivered once.

mod common_pg;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sonde_server::api::Api;
use sonde_server::state::State;

/// An HTTP receiver that records request bodies and answers 200.
fn receiver(listener: TcpListener) -> Arc<Mutex<Vec<serde_json::Value>>> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&got);
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { continue };
            let mut r = BufReader::new(&s);
            let mut len = 0;
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 2 {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            if let Ok(v) = serde_json::from_slice(&body) {
                store.lock().expect("lock").push(v);
            }
            let _ = (&s)
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    got
}

fn instance(url: &str, name: &str) -> Arc<Api> {
    let dir = std::env::temp_dir().join(format!("sonde-fleet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = State::connect(url).expect("state");
    let metrics = sonde_tsdb::Store::open(
        dir.join("metrics"),
        sonde_tsdb::Options {
            background_interval: None,
            ..Default::default()
        },
    )
    .expect("store");
    Arc::new(Api::new(state, metrics))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "not within {secs} s: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_instances_alert_and_notify_once() {
    if !common_pg::is_root() {
        println!(
            "skipped: two_instances_alert_and_notify_once needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let pg = common_pg::shared();
    let url = pg.fresh_db("fleet");
    let a = instance(&url, "a");
    let b = instance(&url, "b");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = receiver(listener);
    a.state
        .add_channel(
            &serde_json::json!({"type": "webhook", "url": format!("http://127.0.0.1:{port}/hook")}),
        )
        .expect("channel");
    b.state
        .put_monitor(
            None,
            &serde_json::json!({"name": "agents", "type": "connectivity", "minutes": 1}),
        )
        .expect("monitor");
    // Registered ten minutes ago and silent since.
    let host = a
        .state
        .register_host("web-1", &serde_json::json!({"name": "web-1"}), now() - 600)
        .expect("host");
    let stop = Arc::new(AtomicBool::new(false));
    for api in [&a, &b] {
        sonde_server::monitor::spawn(Arc::clone(api), Duration::from_secs(1), Arc::clone(&stop));
        sonde_server::notify::spawn(Arc::clone(api));
    }
    wait_for("the alert's notification", 15, || {
        !got.lock().expect("lock").is_empty()
    });
    // Several more periods of both instances: nothing doubles.
    std::thread::sleep(Duration::from_secs(3));
    let t = now();
    assert_eq!(a.state.alerts(false, t).expect("alerts").len(), 1);
    assert_eq!(b.state.incidents().expect("incidents").len(), 1);
    {
        let got = got.lock().expect("lock");
        assert_eq!(got.len(), 1, "one delivery, not one per instance: {got:?}");
        assert_eq!(got[0]["event"], "opened");
        assert_eq!(got[0]["segment"], format!("host={host}"));
    }
    let leaders = [&a, &b]
        .iter()
        .filter(|i| i.state.db().leader_backend_pid().is_some())
        .count();
    assert_eq!(leaders, 1, "exactly one instance holds the leader lock");

    // The leader's lock connection dies; one instance leads again.
    let pid = [&a, &b]
        .iter()
        .find_map(|i| i.state.db().leader_backend_pid())
        .expect("a leader");
    pg.sql(&format!("SELECT pg_terminate_backend({pid})"));
    wait_for("a new leader", 10, || {
        [&a, &b]
            .iter()
            .filter_map(|i| i.state.db().leader_backend_pid())
            .any(|p| p != pid)
    });
    // The agent is back: whichever leads resolves the same alert.
    a.state.touch_host(&host, now()).expect("touch");
    wait_for("the resolution's notification", 15, || {
        got.lock().expect("lock").len() >= 2
    });
    std::thread::sleep(Duration::from_secs(3));
    let got = got.lock().expect("lock");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1]["event"], "resolved");
    assert_eq!(got[1]["alert_id"], got[0]["alert_id"], "the same alert");
    let alerts = a.state.alerts(false, now()).expect("alerts");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].closed_at.is_some());
    assert_eq!(
        b.state.incidents().expect("incidents")[0].status,
        "resolved"
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
}
