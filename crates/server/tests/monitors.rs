//! Monitors evaluated against a real store and state (temporary files):
//! segmentation by labels, escalation, resolution, connectivity and check
//! monitors, alerts surviving a restart of the evaluator.

use std::path::PathBuf;

use sonde_server::api::Api;
use sonde_server::metrics::Metrics;
use sonde_server::monitor::{Change, Evaluator, Level};
use sonde_server::state::CheckReport;
use sonde_tsdb::SeriesKey;

mod common_pg;
#[path = "support/victoria.rs"]
mod victoria;

/// The stores each test body runs against: the same monitors must behave
/// the same on both.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Embedded,
    Victoria,
}
const BACKENDS: [Backend; 2] = [Backend::Embedded, Backend::Victoria];

/// What a test's `Api` needs kept alive (and removed after).
struct Guard {
    dir: PathBuf,
    _vm: Option<victoria::Vm>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn api(name: &str, backend: Backend) -> (Api, Guard) {
    eprintln!("{name}: against {backend:?}");
    let dir = std::env::temp_dir().join(format!(
        "sonde-monitors-{name}-{backend:?}-{:?}-{}",
        common_pg::backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let state = common_pg::state(&format!("{name}_{backend:?}"), &dir);
    let (metrics, vm): (Metrics, _) = match backend {
        Backend::Embedded => (
            sonde_tsdb::Store::open(
                dir.join("metrics"),
                sonde_tsdb::Options {
                    background_interval: None,
                    ..Default::default()
                },
            )
            .expect("store")
            .into(),
            None,
        ),
        Backend::Victoria => {
            let vm = victoria::Vm::start(&format!("{name}-{:?}", common_pg::backend()));
            (
                sonde_server::victoria::Victoria::new(&vm.url)
                    .expect("url")
                    .into(),
                Some(vm),
            )
        }
    };
    (Api::new(state, metrics), Guard { dir, _vm: vm })
}

/// Makes what was just written visible to queries: VictoriaMetrics shows
/// samples a few seconds after it took them, unless told to flush.
fn visible(api: &Api) {
    if let Metrics::Victoria(_) = api.metrics {
        api.metrics.flush().expect("force flush");
    }
}

/// The tests' "now": ten minutes ago, on a whole minute (VictoriaMetrics
/// takes samples within its retention and at most two days ahead, so the
/// times are real ones).
fn now() -> i64 {
    static BASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        t - t % 60 - 600
    })
}

fn latency(api: &Api, query: &str, at: i64, v: f64) {
    api.metrics
        .append_keyed(&[(
            SeriesKey::new(
                "net.sql.request.time.worst",
                &[("query", query), ("service", "shop-db")],
            ),
            at * 1000,
            v,
        )])
        .expect("append");
    visible(api);
}

/// "Alert when net.sql.request.time.worst > 3.8 s, segmented by query and
/// service": one alert per query that crosses, none for the others; it
/// escalates and resolves.
fn a_latency_monitor_alerts_per_query_and_service() {
    for backend in BACKENDS {
        let (api, _guard) = api("latency", backend);
        let m = serde_json::json!({
            "name": "slow queries", "type": "metric", "metric": "net.sql.request.time.worst",
            "segment_by": ["query", "service"], "operator": ">", "warning": 2.0, "critical": 3.8,
            "duration": 60
        });
        let id = api.state.put_monitor(None, &m).expect("monitor");
        let mut ev = Evaluator::default();
        latency(&api, "SELECT * FROM orders", now() - 10, 2.5);
        latency(&api, "SELECT 1", now() - 10, 0.01);
        let c = ev.run_once(&api, now()).expect("evaluate");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].1, "query=SELECT * FROM orders,service=shop-db");
        assert_eq!(
            c[0].2,
            Change::Opened {
                level: Level::Warning
            }
        );
        // Worse: escalates.
        latency(&api, "SELECT * FROM orders", now() + 5, 9.0);
        let c = ev.run_once(&api, now() + 10).expect("evaluate");
        assert_eq!(
            c[0].2,
            Change::Escalated {
                from: Level::Warning,
                to: Level::Critical
            }
        );
        let open = api.state.alerts(true, now() + 10).expect("alerts");
        assert_eq!(open.len(), 1);
        assert_eq!(
            (open[0].monitor_id, open[0].status.as_str()),
            (id, "CRITICAL")
        );
        assert!(
            open[0].message.contains("> 3.8 (critical)"),
            "{}",
            open[0].message
        );
        // A minute later only fast answers are in the window: resolved.
        latency(&api, "SELECT * FROM orders", now() + 100, 0.2);
        let c = ev.run_once(&api, now() + 120).expect("evaluate");
        assert_eq!(
            c[0].2,
            Change::Resolved {
                was: Level::Critical
            }
        );
        assert!(
            api.state
                .alerts(true, now() + 120)
                .expect("alerts")
                .is_empty()
        );
        let all = api.state.alerts(false, now() + 120).expect("alerts");
        let events = api.state.alert_events(all[0].id).expect("events");
        let statuses: Vec<&str> = events.iter().map(|(_, s, _)| s.as_str()).collect();
        assert_eq!(statuses, ["WARNING", "CRITICAL", "OK"]);
    }
}

/// An agent silent for longer than the monitor's minutes opens a
/// connectivity alert; posting again resolves it.
fn a_silent_agent_opens_a_connectivity_alert() {
    for backend in BACKENDS {
        let (api, _guard) = api("connectivity", backend);
        api.state
            .put_monitor(
                None,
                &serde_json::json!({"name": "agents", "type": "connectivity", "minutes": 5}),
            )
            .expect("monitor");
        let h = api
            .state
            .register_host("web-1", &serde_json::json!({"name": "web-1"}), now())
            .expect("host");
        let mut ev = Evaluator::default();
        assert!(ev.run_once(&api, now() + 60).expect("evaluate").is_empty());
        let c = ev.run_once(&api, now() + 6 * 60).expect("evaluate");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, format!("host={h}"));
        assert_eq!(
            c[0].2,
            Change::Opened {
                level: Level::Critical
            }
        );
        api.state.touch_host(&h, now() + 7 * 60).expect("touch");
        let c = ev.run_once(&api, now() + 7 * 60).expect("evaluate");
        assert_eq!(
            c[0].2,
            Change::Resolved {
                was: Level::Critical
            }
        );
    }
}

/// Check-plugin results raise alerts per host and check, damped by the
/// monitor's attempts; an evaluator restarted while an alert is open picks
/// it up (no second alert, and it resolves).
fn check_results_raise_alerts_and_survive_a_restart() {
    for backend in BACKENDS {
        let (api, _guard) = api("checks", backend);
        api.state
            .put_monitor(
                None,
                &serde_json::json!({"name": "checks", "type": "check", "max_check_attempts": 2}),
            )
            .expect("monitor");
        let h = api
            .state
            .register_host("db-1", &serde_json::json!({"name": "db-1"}), now())
            .expect("host");
        let report = |status: &str, at: i64| CheckReport {
            name: "replication".into(),
            status: status.into(),
            message: format!("replication {status}"),
            occurred_at: at,
            max_check_attempts: None,
            notification_interval: None,
            memo: None,
        };
        api.state
            .record_checks(&h, &[report("CRITICAL", now())])
            .expect("report");
        let mut ev = Evaluator::default();
        assert!(
            ev.run_once(&api, now()).expect("evaluate").is_empty(),
            "one attempt is not enough"
        );
        let c = ev.evaluate(&api, now() + 10).expect("evaluate");
        assert_eq!(
            c[0].change,
            Change::Opened {
                level: Level::Critical
            }
        );
        sonde_server::monitor::record(&api, &c, now() + 10).expect("record");
        // A new evaluator (a restarted server) knows the open alert.
        let mut ev = Evaluator::default();
        assert!(ev.run_once(&api, now() + 20).expect("evaluate").is_empty());
        api.state
            .record_checks(&h, &[report("OK", now() + 25)])
            .expect("report");
        let c = ev.run_once(&api, now() + 30).expect("evaluate");
        assert_eq!(
            c[0].2,
            Change::Resolved {
                was: Level::Critical
            }
        );
        assert_eq!(
            api.state.alerts(false, now() + 30).expect("alerts").len(),
            1,
            "one alert in all"
        );
    }
}

/// An expression over several series: the error ratio per service opens an
/// alert for the service whose errors are over 5 % of its requests.
fn an_expression_monitor_alerts_on_a_ratio_per_segment() {
    for backend in BACKENDS {
        let (api, _guard) = api("expression", backend);
        api.state
            .put_monitor(
                None,
                &serde_json::json!({
                    "name": "error ratio", "type": "expression",
                    "expression": "100 * errors / requests",
                    "segment_by": ["service"], "operator": ">", "critical": 5, "duration": 60
                }),
            )
            .expect("monitor");
        let put = |name: &str, service: &str, instance: &str, v: f64| {
            api.metrics
                .append_keyed(&[(
                    SeriesKey::new(name, &[("service", service), ("instance", instance)]),
                    (now() - 10) * 1000,
                    v,
                )])
                .expect("append");
            visible(&api);
        };
        // shop: 12 errors in 100 requests over two instances; cart: 1 in 100.
        put("errors", "shop", "a", 10.0);
        put("errors", "shop", "b", 2.0);
        put("requests", "shop", "a", 50.0);
        put("requests", "shop", "b", 50.0);
        put("errors", "cart", "a", 1.0);
        put("requests", "cart", "a", 100.0);
        let mut ev = Evaluator::default();
        let c = ev.run_once(&api, now()).expect("evaluate");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].1, "service=shop");
        assert_eq!(
            c[0].2,
            Change::Opened {
                level: Level::Critical
            }
        );
        let open = api.state.alerts(true, now()).expect("alerts");
        assert!(
            open[0].message.starts_with("100 * errors / requests = 12"),
            "{}",
            open[0].message
        );
    }
}

/// An alert stored just before a crash, without its incident: the next
/// evaluator reports it as opened, so it gets its incident (and
/// notifications). Deleting the monitor then resolves the incident, with the
/// reason on its timeline.
fn an_alert_left_without_its_incident_gets_one_and_deleting_resolves_it() {
    for backend in BACKENDS {
        let (api, _guard) = api("orphan", backend);
        let mid = api
            .state
            .put_monitor(
                None,
                &serde_json::json!({"name": "load", "type": "connectivity", "minutes": 5}),
            )
            .expect("monitor");
        // As if the server died between storing the alert and its incident.
        api.state
            .open_alert(mid, "host=x", "CRITICAL", None, "silent", now())
            .expect("alert");
        assert!(api.state.incidents().expect("incidents").is_empty());
        let mut ev = Evaluator::default();
        let changes = ev.evaluate(&api, now() + 10).expect("evaluate");
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].change,
            Change::Opened {
                level: Level::Critical
            }
        );
        sonde_server::monitor::record(&api, &changes, now() + 10).expect("record");
        let incidents = api.state.incidents().expect("incidents");
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0].status, "open");
        assert!(api.state.delete_monitor(mid, now() + 20).expect("delete"));
        let incidents = api.state.incidents().expect("incidents");
        assert_eq!(incidents[0].status, "resolved");
        assert!(
            incidents[0]
                .timeline
                .iter()
                .any(|(_, _, text, _)| text.contains("the monitor was deleted"))
        );
        assert!(
            api.state
                .alerts(true, now() + 20)
                .expect("alerts")
                .is_empty()
        );
    }
}

/// An alert change, its incident and its notifications are one transaction:
/// when queueing the notifications fails (here the table is away), no
/// incident is left behind without them; once the store is back, the
/// evaluator's restart reports the alert as it would have, exactly once.
fn an_incident_and_its_notifications_are_stored_together_or_not_at_all() {
    let (api, _guard) = api("together", Backend::Embedded);
    let db = api.state.db();
    api.state
        .add_channel(&serde_json::json!({"type": "webhook", "url": "http://127.0.0.1:9/hook"}))
        .expect("channel");
    let mid = api
        .state
        .put_monitor(
            None,
            &serde_json::json!({"name": "load", "type": "connectivity", "minutes": 5}),
        )
        .expect("monitor");
    api.state
        .open_alert(mid, "host=x", "CRITICAL", None, "silent", now())
        .expect("alert");
    let mut ev = Evaluator::default();
    let changes = ev.evaluate(&api, now() + 10).expect("evaluate");
    assert_eq!(changes.len(), 1, "{changes:?}");
    db.execute(
        "ALTER TABLE notifications RENAME TO notifications_away",
        &[],
    )
    .expect("rename");
    let err =
        sonde_server::monitor::record(&api, &changes, now() + 10).expect_err("queueing fails");
    assert!(err.contains("notifications"), "{err}");
    assert!(
        api.state.incidents().expect("incidents").is_empty(),
        "no incident without its notifications"
    );
    db.execute(
        "ALTER TABLE notifications_away RENAME TO notifications",
        &[],
    )
    .expect("rename back");
    // What the evaluator thread does after an error: start again from the
    // stored alerts, which reports the alert still without an incident.
    let mut ev = Evaluator::default();
    let changes = ev.evaluate(&api, now() + 20).expect("evaluate");
    sonde_server::monitor::record(&api, &changes, now() + 20).expect("record");
    let incidents = api.state.incidents().expect("incidents");
    assert_eq!(incidents.len(), 1);
    let queued = api.state.notification_log().expect("log");
    assert_eq!(queued.len(), 1, "one channel, one notification: {queued:?}");
    // And once only: the next evaluation does not open it again (the host
    // it watches was never seen, so it goes on to resolve).
    let changes = ev.evaluate(&api, now() + 30).expect("evaluate");
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c.change, Change::Opened { .. })),
        "{changes:?}"
    );
    sonde_server::monitor::record(&api, &changes, now() + 30).expect("record");
    assert_eq!(api.state.incidents().expect("incidents").len(), 1);
}

// Each body runs on both state backends (SQLite, PostgreSQL), and within
// it on both metric stores (embedded, VictoriaMetrics).
both!(
    a_latency_monitor_alerts_per_query_and_service,
    a_silent_agent_opens_a_connectivity_alert,
    check_results_raise_alerts_and_survive_a_restart,
    an_expression_monitor_alerts_on_a_ratio_per_segment,
    an_alert_left_without_its_incident_gets_one_and_deleting_resolves_it,
    an_incident_and_its_notifications_are_stored_together_or_not_at_all,
);
