//! Notifications delivered for real: a webhook receiver and a Slack-style
//! one (HTTP servers in the test, as the receiving services would be), an
//! SMTP server (Python's `smtpd` debugging server from Debian's python3),
//! retries with back-off logged when the receiver is down, and an alert
//! opening an incident whose timeline follows it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sonde_server::api::Api;
use sonde_server::monitor::{Evaluator, record};
use sonde_server::notify;

mod common_pg;

fn api(name: &str) -> (Api, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "sonde-notify-{name}-{:?}-{}",
        common_pg::backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let state = common_pg::state(name, &dir);
    let metrics = sonde_tsdb::Store::open(
        dir.join("metrics"),
        sonde_tsdb::Options {
            background_interval: None,
            ..Default::default()
        },
    )
    .expect("store");
    (Api::new(state, metrics), dir)
}

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

const NOW: i64 = 1_800_000_000;

/// A connectivity alert opens an incident and goes to a webhook (the
/// generic JSON), a Slack-style receiver (`{"text"}`) and by e-mail; the
/// resolution follows on the incident's timeline and to every channel.
fn an_alert_opens_an_incident_and_every_channel_hears_of_it() {
    let (api, dir) = api("channels");
    let hook = TcpListener::bind("127.0.0.1:0").expect("bind");
    let hook_port = hook.local_addr().expect("addr").port();
    let hooked = receiver(hook);
    let slack = TcpListener::bind("127.0.0.1:0").expect("bind");
    let slack_port = slack.local_addr().expect("addr").port();
    let slacked = receiver(slack);
    let smtp_port = free_port();
    let mut smtp = Command::new("python3")
        .args([
            "-u",
            "-W",
            "ignore",
            "-m",
            "smtpd",
            "-n",
            "-c",
            "DebuggingServer",
        ])
        .arg(format!("127.0.0.1:{smtp_port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m smtpd");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", smtp_port)).is_err() {
        assert!(Instant::now() < deadline, "the SMTP server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    for c in [
        serde_json::json!({"type": "webhook", "url": format!("http://127.0.0.1:{hook_port}/sonde")}),
        serde_json::json!({"type": "slack", "url": format!("http://127.0.0.1:{slack_port}/services/x")}),
        serde_json::json!({"type": "email", "smtp": format!("127.0.0.1:{smtp_port}"),
            "from": "sonde@example.org", "to": ["oncall@example.org"]}),
    ] {
        api.state.add_channel(&c).expect("channel");
    }
    api.state
        .put_monitor(
            None,
            &serde_json::json!({"name": "agents", "type": "connectivity", "minutes": 1}),
        )
        .expect("monitor");
    let h = api
        .state
        .register_host("web-9", &serde_json::json!({"name": "web-9"}), NOW)
        .expect("host");
    let mut ev = Evaluator::default();
    let changes = ev.evaluate(&api, NOW + 120).expect("evaluate");
    record(&api, &changes, NOW + 120).expect("record");
    assert_eq!(notify::run_once(&api.state, NOW + 120).expect("deliver"), 3);
    api.state.touch_host(&h, NOW + 130).expect("touch");
    let changes = ev.evaluate(&api, NOW + 130).expect("evaluate");
    record(&api, &changes, NOW + 130).expect("record");
    assert_eq!(notify::run_once(&api.state, NOW + 130).expect("deliver"), 3);

    let hooked = hooked.lock().expect("lock").clone();
    assert_eq!(hooked.len(), 2);
    assert_eq!(
        (hooked[0]["event"].as_str(), hooked[0]["status"].as_str()),
        (Some("opened"), Some("CRITICAL"))
    );
    assert_eq!(hooked[0]["segment"], format!("host={h}"));
    assert_eq!(hooked[1]["event"], "resolved");
    let slacked = slacked.lock().expect("lock").clone();
    assert!(
        slacked[0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("[CRITICAL] agents host=")),
        "{slacked:?}"
    );
    let _ = smtp.kill();
    let mut mail = String::new();
    if let Some(mut out) = smtp.stdout.take() {
        let _ = out.read_to_string(&mut mail);
    }
    let _ = smtp.wait();
    assert!(mail.contains("Subject: sonde: [CRITICAL] agents"), "{mail}");
    assert!(mail.contains("Subject: sonde: [OK] agents"), "{mail}");
    assert!(mail.contains("oncall@example.org"), "{mail}");
    let log = api.state.notification_log().expect("log");
    assert!(
        log.iter()
            .all(|(_, _, attempts, delivered, _, _)| *attempts == 1 && delivered.is_some())
    );
    // The incident: opened, then resolved, on one timeline.
    let incidents = api.state.incidents().expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].status, "resolved");
    let kinds: Vec<&str> = incidents[0]
        .timeline
        .iter()
        .map(|(_, k, t, _)| {
            assert!(!t.is_empty());
            k.as_str()
        })
        .collect();
    assert_eq!(kinds, ["alert", "alert"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// A receiver that is down: the attempt fails with the reason logged and is
/// retried after the back-off, then delivered once the receiver is up; a
/// receiver that never comes back is given up after the last attempt.
fn deliveries_are_retried_with_back_off_and_logged() {
    let (api, dir) = api("retry");
    let port = free_port();
    api.state
        .add_channel(
            &serde_json::json!({"type": "webhook", "url": format!("http://127.0.0.1:{port}/x")}),
        )
        .expect("channel");
    api.state
        .queue_notifications(
            None,
            &serde_json::json!({"event": "opened", "status": "WARNING"}),
            NOW,
        )
        .expect("queue");
    assert_eq!(notify::run_once(&api.state, NOW).expect("deliver"), 1);
    let log = api.state.notification_log().expect("log");
    let (_, _, attempts, delivered, failed, error) = &log[0];
    assert_eq!((*attempts, *delivered, *failed), (1, None, None));
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains(&format!("127.0.0.1:{port}"))),
        "{error:?}"
    );
    assert_eq!(
        notify::run_once(&api.state, NOW + 5).expect("deliver"),
        0,
        "not before the back-off"
    );
    let got = receiver(TcpListener::bind(("127.0.0.1", port)).expect("the receiver's port"));
    assert_eq!(notify::run_once(&api.state, NOW + 10).expect("deliver"), 1);
    assert_eq!(got.lock().expect("lock").len(), 1);
    let log = api.state.notification_log().expect("log");
    assert_eq!((log[0].2, log[0].3.is_some()), (2, true));

    // One that never answers is given up after the last attempt.
    let dead = free_port();
    let (api2, dir2) = api_with_channel(dead);
    let mut t = NOW;
    for _ in 0..notify::MAX_ATTEMPTS {
        notify::run_once(&api2.state, t).expect("deliver");
        t += 3600;
    }
    let log = api2.state.notification_log().expect("log");
    assert_eq!(
        (log[0].2, log[0].4.is_some()),
        (notify::MAX_ATTEMPTS, true),
        "{log:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}

fn api_with_channel(port: u16) -> (Api, std::path::PathBuf) {
    let (api, dir) = api("dead");
    api.state
        .add_channel(
            &serde_json::json!({"type": "webhook", "url": format!("http://127.0.0.1:{port}/x")}),
        )
        .expect("channel");
    api.state
        .queue_notifications(None, &serde_json::json!({"event": "opened"}), NOW)
        .expect("queue");
    (api, dir)
}

both!(
    an_alert_opens_an_incident_and_every_channel_hears_of_it,
    deliveries_are_retried_with_back_off_and_logged,
);
