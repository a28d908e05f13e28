//! Two server instances on one PostgreSQL, each running the monitor loop
//! and the notifier as `sonde server` does: an agent gone silent opens one
//! alert, one incident and one webhook delivery (not one per instance);
//! after the leader loses its lock connection, one instance leads again and
//! the agent's return resolves the same alert, delivered once. Two whole
//! servers (as behind one load balancer) share hosts, keys and logins: a
//! session made on one is good on the other.

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

/// One HTTP request: (status, Set-Cookie values, body).
fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<String>, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.trim().split(';').next().map(str::to_string))
        .collect();
    (status, cookies, body.to_string())
}

#[test]
fn two_servers_share_hosts_keys_and_logins() {
    if !common_pg::is_root() {
        println!(
            "skipped: two_servers_share_hosts_keys_and_logins needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let url = common_pg::shared().fresh_db("two_servers");
    let base = std::env::temp_dir().join(format!("sonde-fleet-servers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let options = |name: &str| sonde_server::serve::Options {
        data: base.join(name),
        listen: "127.0.0.1:0".into(),
        write_keys: vec![],
        admin_keys: vec!["fleet-admin".into()],
        limits: sonde_server::http::Limits::default(),
        evaluate_every: Duration::from_secs(5),
        state: Some(url.clone()),
        metrics_url: None,
        artefacts: None,
        trusted_proxies: Vec::new(),
    };
    let one = sonde_server::serve::start(&options("one")).expect("first server");
    let two = sonde_server::serve::start(&options("two")).expect("second server");
    let (user, password) = one
        .first_login
        .clone()
        .expect("the first start makes a user");
    assert!(two.first_login.is_none(), "the second finds the user made");
    assert_eq!(one.first_keys.len(), 2);
    assert!(two.first_keys.is_empty(), "and the keys");
    let write_key = one
        .first_keys
        .iter()
        .find(|(k, _)| *k == sonde_server::state::KeyKind::Write)
        .map(|(_, k)| k.clone())
        .expect("a write key");

    // An agent posts to one; the other lists its host.
    let (status, _, body) = http(
        one.server.addr,
        "POST",
        "/api/v1/hosts",
        &[
            ("X-Api-Key", &write_key),
            ("Content-Type", "application/json"),
        ],
        r#"{"name":"web-7"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = http(
        two.server.addr,
        "GET",
        "/api/v1/hosts",
        &[("X-Api-Key", "fleet-admin")],
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("web-7"), "{body}");

    // Log in on one; the session works on two.
    let (status, cookies, _) = http(one.server.addr, "GET", "/login", &[], "");
    assert_eq!(status, 200);
    let token = cookies
        .iter()
        .find_map(|c| c.strip_prefix("sonde_login_csrf="))
        .expect("login CSRF cookie")
        .to_string();
    let (status, cookies, body) = http(
        one.server.addr,
        "POST",
        "/login",
        &[
            ("Cookie", &format!("sonde_login_csrf={token}")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &format!("csrf={token}&user={user}&password={password}"),
    );
    assert_eq!(status, 303, "{body}");
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sonde_session="))
        .expect("a session cookie")
        .clone();
    let (status, _, body) = http(two.server.addr, "GET", "/", &[("Cookie", &session)], "");
    assert_eq!(status, 200, "logged in on the other server too: {body}");
    assert!(body.contains("web-7"), "{body}");
    let (status, _, _) = http(two.server.addr, "GET", "/", &[], "");
    assert_eq!(status, 303, "and not without the cookie");
    one.server.stop();
    two.server.stop();
    let _ = std::fs::remove_dir_all(&base);
}

/// Servers started together on a fresh database: one makes the first user
/// and prints its password, the others do not overwrite it.
#[test]
fn servers_starting_together_make_one_first_user() {
    if !common_pg::is_root() {
        println!(
            "skipped: servers_starting_together_make_one_first_user needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let url = common_pg::shared().fresh_db("first_user");
    let base = std::env::temp_dir().join(format!("sonde-fleet-first-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let starts: Vec<_> = (0..3)
        .map(|i| {
            let options = sonde_server::serve::Options {
                data: base.join(i.to_string()),
                listen: "127.0.0.1:0".into(),
                write_keys: vec![],
                admin_keys: vec![],
                limits: sonde_server::http::Limits::default(),
                evaluate_every: Duration::from_secs(5),
                state: Some(url.clone()),
                metrics_url: None,
                artefacts: None,
                trusted_proxies: Vec::new(),
            };
            std::thread::spawn(move || {
                let r = sonde_server::serve::start(&options).expect("start");
                let login = r.first_login.clone();
                r.server.stop();
                login
            })
        })
        .collect();
    let logins: Vec<(String, String)> = starts
        .into_iter()
        .filter_map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(logins.len(), 1, "one first login: {logins:?}");
    let db = std::sync::Arc::new(sonde_server::sql::Db::open(&url).expect("db"));
    let auth = sonde_server::web::auth::Auth::over(db).expect("auth");
    assert_eq!(auth.user_count().expect("count"), 1);
    assert!(
        auth.check_password(&logins[0].0, &logins[0].1)
            .expect("check"),
        "the printed password is the stored one"
    );
    let _ = std::fs::remove_dir_all(&base);
}
