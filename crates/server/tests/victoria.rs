//! Metrics in a real VictoriaMetrics (Debian's, started per test): the same
//! samples written to it and to the embedded store answer every query the
//! same (raw, and in buckets, recent ones included); the agent API, remote
//! write and Prometheus import write through it and the metrics query reads
//! back; with it down, writes get 503 naming its URL, the rest of the API
//! keeps serving, and writes succeed again once it is back.

use std::net::SocketAddr;

use sonde_server::api::Api;
use sonde_server::http::{Handler, Request};
use sonde_server::metrics::Metrics;
use sonde_server::state::{KeyKind, State};
use sonde_server::victoria::Victoria;
use sonde_tsdb::{MatchOp, Matcher, Points, SeriesKey};

#[path = "support/victoria.rs"]
mod victoria;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sonde-vmtest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// Samples over the last three hours, irregular, up to a second ago (so
/// some are newer than VictoriaMetrics' latency offset).
fn samples(now: i64) -> Vec<(SeriesKey, i64, f64)> {
    let keys = [
        SeriesKey::new("cpu.user.percentage", &[("host", "web-1")]),
        SeriesKey::new("cpu.user.percentage", &[("host", "web-2")]),
        SeriesKey::new(
            "net.sql.request.time.worst",
            &[("query", "SELECT \"a\\b\" FROM t"), ("service", "shop-db")],
        ),
    ];
    let mut out = Vec::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for (k, key) in keys.iter().enumerate() {
        let mut t = now - 3 * 3_600_000 + k as i64 * 777;
        while t < now - 1000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push((key.clone(), t, (x % 10_000) as f64 / 100.0));
            // Dense in the last five minutes (the part VictoriaMetrics'
            // latency offset touches).
            t += if t > now - 300_000 {
                1_000 + (x % 3_000) as i64
            } else {
                5_000 + (x % 50_000) as i64
            };
        }
    }
    out
}

fn sum_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn victoria_metrics_answers_queries_as_the_embedded_store_does() {
    same_answers("same", &victoria::Vm::start("same"));
}

/// With VictoriaMetrics' default 30 s latency offset, its `query_range`
/// repeats older points in place of the last 30 s; sonde folds those
/// buckets from raw samples, so the answers still match.
#[test]
fn answers_match_with_victoria_metrics_default_latency_offset() {
    same_answers(
        "latency",
        &victoria::Vm::start_with_default_latency("latency"),
    );
}

fn same_answers(name: &str, vm: &victoria::Vm) {
    let dir = temp(name);
    let embedded: Metrics = sonde_tsdb::Store::open(
        dir.join("metrics"),
        sonde_tsdb::Options {
            background_interval: None,
            ..Default::default()
        },
    )
    .expect("store")
    .into();
    let remote: Metrics = Victoria::new(&vm.url).expect("url").into();
    let now = now_ms();
    let data = samples(now);
    for chunk in data.chunks(500) {
        embedded.append_keyed(chunk).expect("embedded append");
        remote.append_keyed(chunk).expect("victoria append");
    }
    remote.flush().expect("force flush");
    let selections = [
        vec![Matcher::name("cpu.user.percentage")],
        vec![
            Matcher::name("cpu.user.percentage"),
            Matcher::eq("host", "web-2"),
        ],
        vec![
            Matcher::new("__name__", MatchOp::Regex, "net\\.sql\\..*").expect("re"),
            Matcher::eq("query", "SELECT \"a\\b\" FROM t"),
        ],
        vec![Matcher::new("host", MatchOp::Regex, "web-.*").expect("re")],
    ];
    let hour = 3_600_000;
    let ranges = [
        // Raw: everything, and a cut that starts and ends between samples.
        (now - 4 * hour, now + 1000, 0),
        (now - 2 * hour + 1234, now - hour - 4321, 0),
        // Buckets: aligned like the dashboard's, unaligned, and reaching now.
        (
            (now - 3 * hour) / 300_000 * 300_000,
            (now / 300_000 + 1) * 300_000,
            300_000,
        ),
        (now - 2 * hour - 17_000, now - 30 * 60_000 + 5_000, 60_000),
        (now - 10 * 60_000, now + 1, 10_000),
        (now - 3 * 60_000, now + 1, 2_000),
        (now - 4 * hour, now + 1, hour),
    ];
    let mut compared = 0;
    for m in &selections {
        for &(from, to, step) in &ranges {
            let what = format!("{m:?} [{from}, {to}) step {step}");
            let a = embedded.query_range(m, from, to, step).expect("embedded");
            let b = remote.query_range(m, from, to, step).expect("victoria");
            let keys = |s: &[sonde_tsdb::SeriesPoints]| {
                let mut k: Vec<SeriesKey> = s.iter().map(|s| s.key.clone()).collect();
                k.sort();
                k
            };
            assert_eq!(keys(&a), keys(&b), "{what}");
            assert!(!a.is_empty(), "{what}: nothing selected");
            for sa in &a {
                let sb = b.iter().find(|s| s.key == sa.key).expect("same keys");
                match (&sa.points, &sb.points) {
                    (Points::Raw(pa), Points::Raw(pb)) => {
                        assert_eq!(pa, pb, "{what} {}", sa.key);
                        compared += pa.len();
                    }
                    (Points::Buckets(ba), Points::Buckets(bb)) => {
                        let ts =
                            |b: &[sonde_tsdb::Bucket]| b.iter().map(|b| b.ts).collect::<Vec<_>>();
                        assert_eq!(ts(ba), ts(bb), "{what} {}", sa.key);
                        for (x, y) in ba.iter().zip(bb) {
                            assert_eq!(
                                (x.count, x.min, x.max),
                                (y.count, y.min, y.max),
                                "{what} {} bucket {}",
                                sa.key,
                                x.ts
                            );
                            assert!(sum_close(x.sum, y.sum), "{what} {}: {x:?} {y:?}", sa.key);
                        }
                        compared += ba.len();
                    }
                    other => panic!("{what}: different kinds {other:?}"),
                }
            }
        }
    }
    assert!(compared > 1000, "only {compared} points compared");
    let mut hosts = remote
        .label_values("host", &[Matcher::name("cpu.user.percentage")])
        .expect("label values");
    hosts.sort();
    assert_eq!(hosts, ["web-1", "web-2"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// Listing (series, label names and values) and last values are the same
/// from both stores.
#[test]
fn listing_and_last_values_match_the_embedded_store() {
    let dir = temp("listing");
    let vm = victoria::Vm::start("listing");
    let embedded: Metrics = sonde_tsdb::Store::open(
        dir.join("metrics"),
        sonde_tsdb::Options {
            background_interval: None,
            ..Default::default()
        },
    )
    .expect("store")
    .into();
    let remote: Metrics = Victoria::new(&vm.url).expect("url").into();
    let now = now_ms();
    let data = samples(now);
    // One more series whose labels are a superset of another's: its last
    // value must not be taken for the other's.
    let extra = (
        SeriesKey::new("cpu.user.percentage", &[("host", "web-1"), ("core", "3")]),
        now - 500,
        99.0,
    );
    for m in [&embedded, &remote] {
        m.append_keyed(&data).expect("append");
        m.append_keyed(std::slice::from_ref(&extra))
            .expect("append");
    }
    remote.flush().expect("flush");
    let keys = |m: &Metrics, sel: &[Matcher]| -> Vec<SeriesKey> {
        let mut k: Vec<SeriesKey> = m
            .select(sel)
            .expect("select")
            .into_iter()
            .map(|id| m.series_key(id).expect("key"))
            .collect();
        k.sort();
        k
    };
    for sel in [
        vec![Matcher::name("cpu.user.percentage")],
        vec![Matcher::eq("host", "web-1")],
        vec![Matcher::new("service", MatchOp::Regex, "shop-.*").expect("re")],
    ] {
        let want = keys(&embedded, &sel);
        assert!(!want.is_empty());
        assert_eq!(keys(&remote, &sel), want, "{sel:?}");
        assert_eq!(
            remote.label_values("__name__", &sel).expect("values"),
            embedded.label_values("__name__", &sel).expect("values"),
            "{sel:?}"
        );
    }
    assert_eq!(
        remote.label_names().expect("names"),
        embedded.label_names().expect("names")
    );
    for key in keys(&embedded, &[]) {
        let id_e = embedded.series_id(&key).expect("id");
        let id_r = remote.series_id(&key).expect("id");
        let want = embedded.last_value(id_e).expect("last");
        assert!(want.is_some());
        assert_eq!(remote.last_value(id_r).expect("last"), want, "{key}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn request(method: &str, path_query: &str, key: &str, body: &[u8]) -> Request {
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    Request {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![
            ("x-api-key".into(), key.into()),
            ("content-encoding".into(), "snappy".into()),
        ]
        .into_iter()
        .filter(|(k, _)| k != "content-encoding" || path == "/api/v1/write")
        .collect(),
        body: body.to_vec(),
        peer: SocketAddr::from(([127, 0, 0, 1], 1)),
    }
}

fn call(api: &Api, method: &str, path: &str, key: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let r = api.handle(&request(method, path, key, body));
    let text = String::from_utf8_lossy(&r.body).to_string();
    (
        r.status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

fn api_over(vm: &victoria::Vm, dir: &std::path::Path) -> (Api, String, String) {
    let state = State::open(&dir.join("state.db")).expect("state");
    let write = state.create_key(KeyKind::Write, "agents", 0).expect("key");
    let admin = state.create_key(KeyKind::Admin, "admin", 0).expect("key");
    let api = Api::new(state, Victoria::new(&vm.url).expect("url"));
    (api, write, admin)
}

/// Every write path of the API ends in VictoriaMetrics and reads back.
#[test]
fn the_api_writes_through_victoria_metrics_and_reads_back() {
    let dir = temp("api");
    let vm = victoria::Vm::start("api");
    let (api, key, admin) = api_over(&vm, &dir);
    let (s, host) = call(&api, "POST", "/api/v1/hosts", &key, br#"{"name": "db-1"}"#);
    assert_eq!(s, 200, "{host}");
    let id = host["id"].as_str().expect("id").to_string();
    let t = now_ms() / 1000 - 60;
    let batch = serde_json::json!({"metrics": [
        {"name": "custom.jobs.waiting", "time": t, "value": 4.0},
        {"name": "custom.jobs.waiting", "time": t + 30, "value": 6.5},
    ]});
    let (s, b) = call(
        &api,
        "POST",
        &format!("/api/v1/hosts/{id}/metrics"),
        &key,
        batch.to_string().as_bytes(),
    );
    assert_eq!(s, 200, "{b}");
    let rw = sonde_server::remote_write::encode(&[sonde_server::remote_write::Series {
        name: "node_load1".into(),
        labels: vec![("instance".into(), "n1:9100".into())],
        samples: vec![(t * 1000, 0.25), (t * 1000 + 15_000, 0.5)],
    }]);
    let (s, b) = call(
        &api,
        "POST",
        "/api/v1/write",
        &key,
        &sonde_server::remote_write::snappy_encode(&rw),
    );
    assert_eq!(s, 204, "{b}");
    let text = format!(
        "http_requests_total{{code=\"200\",path=\"/a b\"}} 17 {}\nhttp_requests_total{{code=\"500\",path=\"/a b\"}} 2 {}\n",
        t * 1000,
        t * 1000
    );
    let (s, b) = call(
        &api,
        "POST",
        "/api/v1/import/prometheus",
        &key,
        text.as_bytes(),
    );
    assert_eq!(s, 204, "{b}");
    let (s, b) = call(&api, "POST", "/api/v1/admin/flush", &admin, b"");
    assert_eq!(s, 200, "{b}");
    assert!(
        b["store"].as_str().is_some_and(|s| s.contains(&vm.url)),
        "{b}"
    );

    let (s, b) = call(
        &api,
        "GET",
        &format!("/api/v1/hosts/{id}/metrics?name=custom%5C.jobs%5C..*"),
        &key,
        b"",
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["series"][0]["points"],
        serde_json::json!([[t, 4.0], [t + 30, 6.5]]),
        "{b}"
    );
    assert_eq!(b["series"][0]["labels"]["host"], id.as_str());
    let (s, b) = call(
        &api,
        "GET",
        "/api/v1/metrics?name=node_load1&label.instance=n1%3A9100",
        &key,
        b"",
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["series"][0]["points"],
        serde_json::json!([[t, 0.25], [t + 15, 0.5]]),
        "{b}"
    );
    // Per-step averages over a long range.
    let (s, b) = call(
        &api,
        "GET",
        &format!(
            "/api/v1/metrics?name=http_requests_total&label.code=500&from={}&to={}&step=3600",
            t - 7200,
            t + 3600
        ),
        &key,
        b"",
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["series"].as_array().map(Vec::len), Some(1), "{b}");
    assert_eq!(b["series"][0]["labels"]["path"], "/a b");
    assert_eq!(
        b["series"][0]["points"],
        serde_json::json!([[t - t % 3600, 2.0]]),
        "{b}"
    );
    // Ranges at the ends of the time line: an answer or a clear refusal,
    // never a panic.
    for q in [
        "from=-9000000000000000&to=9000000000000000",
        "from=-9000000000000000&to=9000000000000000&step=1",
        "from=9000000000000000&to=-9000000000000000&step=9000000000000000",
    ] {
        let (s, b) = call(
            &api,
            "GET",
            &format!("/api/v1/metrics?name=node_load1&{q}"),
            &key,
            b"",
        );
        assert!(matches!(s, 200 | 400 | 413), "{q}: {s} {b}");
        assert!(s == 200 || b["error"].is_string(), "{q}: {b}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// VictoriaMetrics down: a metric batch gets 503 naming its URL (the agent
/// keeps the batch), the rest of the API serves on; back up, the same batch
/// is taken and reads back.
#[test]
fn victoria_metrics_down_is_a_503_naming_it_and_writes_resume() {
    let dir = temp("down");
    let mut vm = victoria::Vm::start("down");
    let (api, key, _admin) = api_over(&vm, &dir);
    let (_, host) = call(&api, "POST", "/api/v1/hosts", &key, br#"{"name": "web-9"}"#);
    let id = host["id"].as_str().expect("id").to_string();
    let t = now_ms() / 1000 - 10;
    let batch =
        serde_json::json!({"metrics": [{"name": "loadavg5", "time": t, "value": 1.5}]}).to_string();
    let post = |api: &Api| {
        call(
            api,
            "POST",
            &format!("/api/v1/hosts/{id}/metrics"),
            &key,
            batch.as_bytes(),
        )
    };
    let (s, b) = post(&api);
    assert_eq!(s, 200, "{b}");
    vm.stop();
    let (s, b) = post(&api);
    assert_eq!(s, 503, "{b}");
    let msg = b["error"].as_str().unwrap_or_default().to_string();
    assert!(
        msg.contains(&format!("{}/api/v1/write", vm.url)) && msg.contains("unavailable"),
        "{b}"
    );
    let (s, b) = call(&api, "GET", "/api/v1/metrics?name=loadavg5", &key, b"");
    assert_eq!(s, 503, "{b}");
    assert!(b.to_string().contains(&vm.url), "{b}");
    let (s, b) = call(&api, "GET", "/api/v1/hosts", &key, b"");
    assert_eq!(s, 200, "the rest of the API serves on: {b}");
    let (s, b) = call(
        &api,
        "POST",
        "/api/v1/import/prometheus",
        &key,
        format!("x_total 1 {}\n", t * 1000).as_bytes(),
    );
    assert_eq!(s, 503, "{b}");
    vm.resume();
    let (s, b) = post(&api);
    assert_eq!(s, 200, "{b}");
    api.metrics.flush().expect("flush");
    let (s, b) = call(
        &api,
        "GET",
        &format!("/api/v1/hosts/{id}/metrics?name=loadavg5"),
        &key,
        b"",
    );
    assert_eq!(s, 200, "{b}");
    // Written twice (before and after the outage), kept once.
    assert_eq!(
        b["series"][0]["points"],
        serde_json::json!([[t, 1.5]]),
        "{b}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A dashboard over an `Api`, logged in: the site and its session cookie.
fn dashboard(api: Api, dir: &std::path::Path) -> (sonde_server::web::Site, String) {
    let (site, first) = sonde_server::web::start(dir, std::sync::Arc::new(api)).expect("site");
    let (user, password) = first.expect("first login");
    let cookie_of = |r: &sonde_server::http::Response, name: &str| -> Option<String> {
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                let (k, v) = v.split(';').next()?.split_once('=')?;
                (k == name && !v.is_empty()).then(|| v.to_string())
            })
    };
    let page = site.handle(&request("GET", "/login", "", b""));
    let token = cookie_of(&page, "sonde_login_csrf").expect("login token");
    let mut req = request(
        "POST",
        "/login",
        "",
        format!(
            "csrf={token}&user={user}&password={}",
            sonde_server::client::query_escape(&password)
        )
        .as_bytes(),
    );
    req.headers = vec![
        ("cookie".into(), format!("sonde_login_csrf={token}")),
        (
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ),
    ];
    let r = site.handle(&req);
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    let session = cookie_of(&r, "sonde_session").expect("session");
    (site, format!("sonde_session={session}"))
}

/// The host page's graphs (an hour raw, a day in buckets, a plugin graph
/// by its definition) are the same drawn from VictoriaMetrics as from the
/// embedded store.
#[test]
fn host_graphs_are_the_same_from_victoria_metrics() {
    let dir = temp("graphs");
    let vm = victoria::Vm::start("graphs");
    let t = now_ms() / 1000;
    let batch = serde_json::json!({"metrics": (0..300).flat_map(|i| [
        serde_json::json!({"name": "loadavg5", "time": t - 86_000 + i * 287, "value": (i % 17) as f64 / 10.0}),
        serde_json::json!({"name": "custom.jobs.waiting", "time": t - 3000 + i * 10, "value": (i % 5) as f64}),
    ]).collect::<Vec<_>>()})
    .to_string();
    let defs = serde_json::json!([{"name": "custom.jobs", "displayName": "Jobs", "unit": "integer",
        "metrics": [{"name": "custom.jobs.waiting", "displayName": "waiting"}]}])
    .to_string();
    let mut answers = Vec::new();
    for backend in ["embedded", "victoria"] {
        let d = dir.join(backend);
        std::fs::create_dir_all(&d).expect("dir");
        let state = State::open(&d.join("state.db")).expect("state");
        let key = state.create_key(KeyKind::Write, "agents", 0).expect("key");
        let api = if backend == "embedded" {
            Api::new(
                state,
                sonde_tsdb::Store::open(d.join("metrics"), sonde_tsdb::Options::default())
                    .expect("store"),
            )
        } else {
            Api::new(state, Victoria::new(&vm.url).expect("url"))
        };
        let (_, host) = call(&api, "POST", "/api/v1/hosts", &key, br#"{"name": "web-1"}"#);
        let host = host["id"].as_str().expect("id").to_string();
        for (path, body) in [("metrics", &batch), ("graph-defs", &defs)] {
            let (s, b) = call(
                &api,
                "POST",
                &format!("/api/v1/hosts/{host}/{path}"),
                &key,
                body.as_bytes(),
            );
            assert_eq!(s, 200, "{backend} {path}: {b}");
        }
        api.metrics.flush().expect("flush");
        let (site, cookie) = dashboard(api, &d);
        let mut got = Vec::new();
        for span in [3600, 86_400] {
            let mut req = request(
                "GET",
                &format!("/ui/hosts/{host}/graphs?from={}&to={t}", t - span),
                "",
                b"",
            );
            req.headers = vec![("cookie".into(), cookie.clone())];
            let r = site.handle(&req);
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
            got.push((v["step"].clone(), v["graphs"].clone()));
        }
        answers.push(got);
    }
    let points = |g: &serde_json::Value| -> usize {
        g.as_array()
            .map(|gs| {
                gs.iter()
                    .flat_map(|g| g["lines"].as_array().cloned().unwrap_or_default())
                    .map(|l| l["points"].as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0)
    };
    for (a, b) in answers[0].iter().zip(&answers[1]) {
        assert!(points(&a.1) > 10, "{a:?}");
        assert_eq!(a, b);
    }
    assert!(
        answers[1][0].1.to_string().contains("Jobs"),
        "the plugin graph by its definition: {:?}",
        answers[1][0]
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The outgoing client against a real VictoriaMetrics, which keeps
/// connections alive: writes and queries one after another go over one
/// pooled connection, a streamed request body included.
#[test]
fn one_kept_alive_connection_carries_call_after_call() {
    use sonde_server::client::{Body, Client};
    let vm = victoria::Vm::start("client-pool");
    let c = Client::new(&vm.url, std::time::Duration::from_secs(10)).expect("client");
    for i in 0..5 {
        c.expect_ok("GET", "/health", &[], b"").expect("health");
        assert_eq!(c.idle_connections(), 1, "after call {i}");
    }
    let line = b"pool_test_metric{n=\"1\"} 42\n";
    let r = c
        .send(
            "POST",
            "/api/v1/import/prometheus",
            &[],
            Body::Reader {
                reader: &mut &line[..],
                len: line.len() as u64,
            },
        )
        .expect("import");
    assert_eq!(r.status, 204);
    assert_eq!(c.idle_connections(), 1, "a 204 is at its end at once");
    c.expect_ok("GET", "/internal/force_flush", &[], b"")
        .expect("flush");
    let body = c
        .expect_ok("GET", "/api/v1/series?match[]=pool_test_metric", &[], b"")
        .expect("series");
    assert!(
        String::from_utf8_lossy(&body).contains("pool_test_metric"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(c.idle_connections(), 1);
}
