//! The state over both backends, and what only PostgreSQL (fleet mode)
//! brings: two instances on one database share hosts and logins, start
//! together without racing over the schema, and let exactly one of them
//! lead (run monitors and notifications), handing over when the leader's
//! connection dies; URLs over TCP with SCRAM and the errors of a wrong
//! password, database or address; the portable SQL dialect on a real
//! server.

mod common_pg;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common_pg::{backend, is_root, shared};
use sonde_server::params;
use sonde_server::sql::{Db, DbError};
use sonde_server::state::{CheckReport, KeyKind, Silence, State};
use sonde_server::web::auth::Auth;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sonde-state-{name}-{:?}-{}",
        backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn report(name: &str, status: &str, at: i64) -> CheckReport {
    CheckReport {
        name: name.into(),
        status: status.into(),
        message: format!("{status} at {at}"),
        occurred_at: at,
        max_check_attempts: Some(3),
        notification_interval: None,
        memo: None,
    }
}

fn keys_are_hashed_and_known_by_kind() {
    let dir = scratch("keys");
    let s = common_pg::state("keys", &dir);
    assert_eq!(s.key_count().expect("count"), 0);
    let k = s.create_key(KeyKind::Write, "agents", 1).expect("key");
    assert_eq!(s.key_kind(&k).expect("lookup"), Some(KeyKind::Write));
    assert_eq!(s.key_kind("nope").expect("lookup"), None);
    // Added again under another kind: replaced, not doubled.
    s.add_key("chosen", KeyKind::Read, "cli", 2).expect("add");
    s.add_key("chosen", KeyKind::Admin, "cli", 3)
        .expect("add again");
    assert_eq!(s.key_kind("chosen").expect("lookup"), Some(KeyKind::Admin));
    assert_eq!(s.key_count().expect("count"), 2);
    s.remove_keys_named("cli").expect("remove");
    assert_eq!(s.key_kind("chosen").expect("lookup"), None);
    let _ = std::fs::remove_dir_all(dir);
}

fn hosts_register_once_by_name() {
    let dir = scratch("hosts");
    let s = common_pg::state("hosts", &dir);
    let a = s
        .register_host("web-1", &serde_json::json!({"v": 1}), 10)
        .expect("register");
    let b = s
        .register_host("web-1", &serde_json::json!({"v": 2}), 20)
        .expect("again");
    assert_eq!(a, b, "a known name keeps its id");
    let h = s.host(&a).expect("read").expect("known");
    assert_eq!((h.specs["v"].as_i64(), h.last_seen), (Some(2), Some(20)));
    assert!(s.touch_host(&a, 15).expect("touch"), "known");
    assert_eq!(
        s.host(&a).expect("read").expect("known").last_seen,
        Some(20),
        "an older post does not move last_seen back"
    );
    assert!(s.touch_host(&a, 30).expect("touch"));
    assert_eq!(
        s.host(&a).expect("read").expect("known").last_seen,
        Some(30)
    );
    assert!(!s.touch_host("unknown", 30).expect("touch"));
    assert!(
        !s.update_host("unknown", &serde_json::json!({}), 1)
            .expect("update")
    );
    assert_eq!(s.host("unknown").expect("read"), None);
    s.register_host("db-1", &serde_json::json!({}), 5)
        .expect("register");
    let names: Vec<String> = s
        .hosts()
        .expect("list")
        .into_iter()
        .map(|h| h.name)
        .collect();
    assert_eq!(names, vec!["db-1", "web-1"]);
    // Graph definitions and metadata replace by name.
    s.put_graph_defs(&a, &[("cpu".into(), serde_json::json!({"label": "CPU"}))])
        .expect("defs");
    s.put_graph_defs(&a, &[("cpu".into(), serde_json::json!({"label": "CPU %"}))])
        .expect("defs again");
    assert_eq!(
        s.graph_defs(&a).expect("defs"),
        vec![serde_json::json!({"label": "CPU %"})]
    );
    s.put_metadata(&a, "ns", &serde_json::json!([1, 2]))
        .expect("meta");
    s.put_metadata(&a, "ns", &serde_json::json!({"x": "y?"}))
        .expect("meta again");
    assert_eq!(
        s.metadata(&a, "ns").expect("meta"),
        Some(serde_json::json!({"x": "y?"}))
    );
    assert_eq!(s.metadata(&a, "other").expect("meta"), None);
    let _ = std::fs::remove_dir_all(dir);
}

fn check_reports_keep_the_latest_and_store_all_or_none() {
    let dir = scratch("checks");
    let s = common_pg::state("checks", &dir);
    let id = s
        .register_host("db-1", &serde_json::json!({}), 1)
        .expect("register");
    s.record_checks(
        &id,
        &[
            report("disk", "OK", 1),
            report("disk", "CRITICAL", 3),
            report("disk", "WARNING", 2),
            report("load", "OK", 5),
        ],
    )
    .expect("record");
    let c = s.checks(&id).expect("checks");
    let got: Vec<(&str, &str, i64)> = c
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str(), c.occurred_at))
        .collect();
    assert_eq!(got, vec![("disk", "CRITICAL", 3), ("load", "OK", 5)]);
    assert_eq!(c[0].max_check_attempts, Some(3));
    // Reports for a host that does not exist break the foreign key: none
    // of the batch is kept.
    let e = s
        .record_checks("no-such-host", &[report("disk", "OK", 9)])
        .expect_err("foreign key");
    assert_eq!(e.status(), 500, "{e}");
    assert_eq!(s.checks("no-such-host").expect("checks"), vec![]);
    let _ = std::fs::remove_dir_all(dir);
}

fn monitors_alerts_silences_and_incidents_round_trip() {
    let dir = scratch("alerts");
    let s = common_pg::state("alerts", &dir);
    let def = serde_json::json!({"name": "load", "type": "metric"});
    let m1 = s.put_monitor(None, &def).expect("monitor");
    let m2 = s.put_monitor(None, &def).expect("monitor");
    assert!(m2 > m1, "ids grow");
    assert_eq!(
        s.put_monitor(Some(m1), &serde_json::json!({"name": "x"}))
            .expect("edit"),
        m1
    );
    assert!(s.monitor_exists(m1).expect("exists"));
    assert!(!s.monitor_exists(m2 + 100).expect("exists"));
    assert_eq!(s.monitors().expect("list").len(), 2);

    let a = s
        .open_alert(m1, "host=a", "WARNING", Some(2.5), "load 2.5", 100)
        .expect("open");
    s.open_alert(m1, "host=b", "CRITICAL", None, "silent", 100)
        .expect("open");
    assert_eq!(
        s.update_alert(m1, "host=a", "CRITICAL", Some(1e300), "worse", 110)
            .expect("update"),
        Some(a)
    );
    assert_eq!(
        s.update_alert(m1, "host=zzz", "OK", None, "no such", 110)
            .expect("update"),
        None
    );
    let open = s.alerts(true, 110).expect("alerts");
    assert_eq!(open.len(), 2);
    let alert_a = open.iter().find(|x| x.id == a).expect("a");
    assert_eq!(
        (alert_a.status.as_str(), alert_a.value),
        ("CRITICAL", Some(1e300))
    );
    let inc = s
        .open_incident(a, "load on a", "WARNING: load 2.5", 100)
        .expect("incident");
    assert_eq!(
        s.open_incident(a, "load on a", "CRITICAL: worse", 110)
            .expect("again"),
        inc,
        "one incident per alert"
    );
    assert_eq!(s.incident_of(a).expect("of"), Some(inc));
    assert!(
        s.add_incident_event(
            inc,
            "note",
            "it's the backup?",
            Some(&serde_json::json!({"by": "ops"})),
            false,
            115
        )
        .expect("note")
    );
    assert!(
        !s.add_incident_event(inc + 999, "note", "nobody", None, false, 115)
            .expect("unknown incident")
    );
    // Silence one segment: only that alert is muted.
    let sid = s
        .add_silence(&Silence {
            id: None,
            monitor_id: Some(m1),
            segment: Some("host=b".into()),
            starts_at: 100,
            ends_at: 200,
            comment: "maintenance".into(),
        })
        .expect("silence");
    assert!(sid > 0);
    let muted: Vec<(String, bool)> = s
        .alerts(true, 150)
        .expect("alerts")
        .into_iter()
        .map(|x| (x.segment, x.silenced))
        .collect();
    assert!(muted.contains(&("host=b".into(), true)), "{muted:?}");
    assert!(muted.contains(&("host=a".into(), false)), "{muted:?}");
    assert_eq!(s.silences(250).expect("silences"), vec![]);
    // Resolve: the alert closes, the timeline keeps its order.
    s.update_alert(m1, "host=a", "OK", None, "fine", 120)
        .expect("resolve");
    s.add_incident_event(inc, "alert", "OK: fine", None, true, 120)
        .expect("resolve incident");
    let events: Vec<String> = s
        .alert_events(a)
        .expect("events")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(events, vec!["WARNING", "CRITICAL", "OK"]);
    let incidents = s.incidents().expect("incidents");
    assert_eq!(
        (incidents[0].status.as_str(), incidents[0].resolved_at),
        ("resolved", Some(120))
    );
    let kinds: Vec<&str> = incidents[0].timeline.iter().map(|t| t.2.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "WARNING: load 2.5",
            "CRITICAL: worse",
            "it's the backup?",
            "OK: fine"
        ]
    );
    assert_eq!(
        incidents[0].timeline[2].3,
        Some(serde_json::json!({"by": "ops"}))
    );
    assert_eq!(s.open_alerts().expect("open").len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

fn notifications_queue_retry_and_log() {
    let dir = scratch("notify");
    let s = common_pg::state("notify", &dir);
    assert_eq!(
        s.queue_notifications(None, &serde_json::json!({"e": 1}), 10)
            .expect("queue"),
        0,
        "no channels, nothing queued"
    );
    let c = s
        .add_channel(&serde_json::json!({"type": "webhook", "url": "http://x/"}))
        .expect("channel");
    assert_eq!(s.channels().expect("channels")[0].0, c);
    assert_eq!(
        s.queue_notifications(Some(7), &serde_json::json!({"e": 2}), 10)
            .expect("queue"),
        1
    );
    let due = s.due_notifications(10).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].payload, serde_json::json!({"e": 2}));
    s.notification_attempt(due[0].id, Some("refused"), Some(20), 10)
        .expect("attempt");
    assert!(
        s.due_notifications(15).expect("due").is_empty(),
        "backing off"
    );
    assert_eq!(s.due_notifications(20).expect("due")[0].attempts, 1);
    s.notification_attempt(due[0].id, None, None, 20)
        .expect("delivered");
    let log = s.notification_log().expect("log");
    assert_eq!(
        (log[0].1, log[0].2, log[0].3, log[0].5.clone()),
        (c, 2, Some(20), None)
    );
    let _ = std::fs::remove_dir_all(dir);
}

both!(
    keys_are_hashed_and_known_by_kind,
    hosts_register_once_by_name,
    check_reports_keep_the_latest_and_store_all_or_none,
    monitors_alerts_silences_and_incidents_round_trip,
    notifications_queue_retry_and_log,
);

macro_rules! needs_root {
    ($what:expr) => {
        if !is_root() {
            println!(
                "skipped: {} needs root (CI runs as root) to run postgres as the postgres user",
                $what
            );
            return;
        }
    };
}

#[test]
fn two_instances_on_one_database_share_hosts_and_logins() {
    needs_root!("two_instances_on_one_database_share_hosts_and_logins");
    let url = shared().fresh_db("share");
    let a = State::connect(&url).expect("instance a");
    let b = State::connect(&url).expect("instance b");
    let id = a
        .register_host("web-1", &serde_json::json!({}), 1)
        .expect("register on a");
    assert_eq!(b.host(&id).expect("read on b").expect("seen").name, "web-1");
    let key = a.create_key(KeyKind::Write, "agents", 1).expect("key");
    assert_eq!(b.key_kind(&key).expect("lookup"), Some(KeyKind::Write));
    let auth_a = Auth::over(std::sync::Arc::clone(a.db())).expect("auth a");
    let auth_b = Auth::over(std::sync::Arc::clone(b.db())).expect("auth b");
    auth_a.set_user("admin", "pw", 1).expect("user");
    assert!(auth_b.check_password("admin", "pw").expect("check on b"));
    let (sid, sess) = auth_a.create_session("admin", 1000).expect("login on a");
    assert_eq!(
        auth_b.session(&sid, 1001).expect("session on b"),
        Some(sess),
        "a login on one instance holds on the other"
    );
    auth_b.end_session(&sid).expect("logout on b");
    assert_eq!(auth_a.session(&sid, 1001).expect("session on a"), None);
}

#[test]
fn instances_starting_together_migrate_once() {
    needs_root!("instances_starting_together_migrate_once");
    let url = shared().fresh_db("race");
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let s = State::connect(&url).map_err(|e| e.to_string())?;
                Auth::over(std::sync::Arc::clone(s.db())).map_err(|e| e.to_string())?;
                Ok::<_, String>(s)
            })
        })
        .collect();
    for t in starts {
        t.join().expect("thread").expect("every instance starts");
    }
    let db = Db::open(&url).expect("db");
    let v = db
        .query("SELECT version FROM sonde_schema", &[])
        .expect("versions");
    assert_eq!(v.len(), 1, "one version row");
    assert_eq!(
        v[0].get::<i64>(0).expect("version"),
        4,
        "every schema step of state.rs applied once"
    );
}

#[test]
fn exactly_one_instance_leads_and_a_lost_connection_hands_over() {
    needs_root!("exactly_one_instance_leads_and_a_lost_connection_hands_over");
    let url = shared().fresh_db("leader");
    let a = State::connect(&url).expect("a");
    let b = State::connect(&url).expect("b");
    assert!(a.is_leader(), "the first to ask leads");
    assert!(!b.is_leader(), "the other does not");
    assert!(a.is_leader(), "and keeps leading");
    assert!(!b.is_leader());
    // The leader's lock connection dies (a network cut, a restarted
    // pooler): its session's lock goes with it.
    let pid = a.db().leader_backend_pid().expect("a holds the lock");
    let r = shared().sql(&format!("SELECT pg_terminate_backend({pid})"));
    assert_eq!(r.rows[0][0].as_deref(), Some("t"));
    let start = Instant::now();
    while !b.is_leader() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "b did not take over"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!a.is_leader(), "a finds its lock gone and b holding it");
    assert!(b.is_leader());
    // And the ordinary pool of a is unaffected.
    assert_eq!(a.key_count().expect("a still works"), 0);
}

#[test]
fn urls_over_tcp_with_scram_and_clear_errors() {
    needs_root!("urls_over_tcp_with_scram_and_clear_errors");
    let pg = shared();
    pg.sql("CREATE ROLE fleet LOGIN PASSWORD 's3cret:@/' CREATEDB");
    pg.sql("CREATE DATABASE fleet_state OWNER fleet");
    // Percent-escaped password, over TCP: SCRAM-SHA-256 (pg_hba).
    let url = format!(
        "postgres://fleet:s3cret%3A%40%2F@127.0.0.1:{}/fleet_state",
        pg.port
    );
    let s = State::connect(&url).expect("SCRAM over TCP");
    s.register_host("h", &serde_json::json!({}), 1)
        .expect("write");

    let wrong = format!("postgres://fleet:nope@127.0.0.1:{}/fleet_state", pg.port);
    let e = State::connect(&wrong)
        .err()
        .expect("wrong password")
        .to_string();
    assert!(e.contains("28P01"), "{e}");
    assert!(e.contains("127.0.0.1"), "names the server: {e}");
    assert!(!e.contains("nope"), "no password in messages: {e}");

    let missing = format!(
        "postgres://fleet:s3cret%3A%40%2F@127.0.0.1:{}/nodb",
        pg.port
    );
    let e = State::connect(&missing)
        .err()
        .expect("no database")
        .to_string();
    assert!(e.contains("3D000") && e.contains("nodb"), "{e}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let down = format!("postgres://fleet:x@127.0.0.1:{port}/fleet_state");
    let e = State::connect(&down).err().expect("nobody listens");
    assert_eq!(e.status(), 503, "{e}");
    let e = e.to_string();
    assert!(
        e.contains(&format!("127.0.0.1:{port}")) && e.contains("unavailable"),
        "{e}"
    );
    let e = State::connect("postgres://fleet@h/d?sslmode=verify-full")
        .err()
        .expect("TLS asked")
        .to_string();
    assert!(e.contains("sslmode"), "{e}");
}

#[test]
fn the_portable_dialect_on_postgres() {
    needs_root!("the_portable_dialect_on_postgres");
    let db = Db::open(&shared().fresh_db("dialect")).expect("db");
    db.migrate(&[
        "CREATE TABLE t (id INTEGER PRIMARY KEY, {rowid} k TEXT UNIQUE, v REAL, n INTEGER)",
    ])
    .expect("migrate");
    let id: i64 = db
        .query_row(
            "INSERT INTO t (k, v, n) VALUES ('why?', ?, ?) RETURNING id",
            params![0.1, None::<i64>],
        )
        .and_then(|r| r.get(0))
        .expect("insert");
    let r = db
        .query_row(
            "SELECT k, v, n, ?2 FROM t WHERE id = ?1 -- what?",
            params![id, "it's"],
        )
        .expect("select");
    assert_eq!(r.get::<String>(0).expect("k"), "why?");
    assert_eq!(r.get::<f64>(1).expect("v"), 0.1, "floats round-trip");
    assert_eq!(r.get::<Option<i64>>(2).expect("n"), None);
    assert_eq!(r.get::<String>(3).expect("param"), "it's");
    // A constraint error carries the SQLSTATE and leaves the pool usable.
    let e = db
        .execute("INSERT INTO t (k) VALUES (?)", params!["why?"])
        .expect_err("duplicate");
    assert_eq!(e.sqlstate(), Some("23505"), "{e}");
    assert!(!e.is_unavailable());
    let n = db
        .execute(
            "INSERT INTO t (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            params!["why?", f64::INFINITY],
        )
        .expect("upsert");
    assert_eq!(n, 1);
    assert_eq!(
        db.query_row("SELECT v FROM t", &[])
            .and_then(|r| r.get::<f64>(0))
            .expect("v"),
        f64::INFINITY
    );
    // A failing transaction leaves nothing behind.
    let r: Result<(), DbError> = db.transaction(|tx| {
        tx.execute("INSERT INTO t (k) VALUES (?)", params!["new"])?;
        tx.execute("INSERT INTO t (k) VALUES (?)", params!["why?"])?;
        Ok(())
    });
    assert_eq!(r.expect_err("duplicate").sqlstate(), Some("23505"));
    assert_eq!(
        db.query("SELECT k FROM t WHERE k = 'new'", &[])
            .expect("rows")
            .len(),
        0
    );
    // Many callers at once share the few pooled connections.
    let db = std::sync::Arc::new(db);
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let db = std::sync::Arc::clone(&db);
            std::thread::spawn(move || {
                for j in 0..20 {
                    db.execute(
                        "INSERT INTO t (k, n) VALUES (?, ?)",
                        params![format!("k{i}-{j}"), j as i64],
                    )
                    .expect("insert");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(
        db.query_row("SELECT count(*) FROM t", &[])
            .and_then(|r| r.get::<i64>(0))
            .expect("count"),
        321
    );
}

/// The SQLite side of a state made by URL: a path (or `sqlite://path`).
#[test]
fn a_state_url_that_is_a_path_is_sqlite() {
    let dir = std::env::temp_dir().join(format!("sonde-state-url-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("s.db");
    let s = State::connect(&format!("sqlite://{}", path.display())).expect("sqlite by URL");
    assert_eq!(s.db().backend(), sonde_server::sql::Backend::Sqlite);
    assert!(s.is_leader());
    drop(s);
    assert!(path.exists());
    let e = State::connect("/nonexistent-dir/x/state.db")
        .err()
        .expect("no such directory")
        .to_string();
    assert!(e.contains("/nonexistent-dir/x/state.db"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}
