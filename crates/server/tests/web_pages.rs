//! The dashboard's alerts, incidents, monitors, custom and service
//! dashboards over real HTTP, against a real state database and metrics
//! store (temporary files): every page wants a session (else the login),
//! every form its CSRF token (else 403 and nothing stored); the monitor
//! form refuses what the API refuses, in the API's words, keeping what was
//! typed; mute and unmute are silences; notes land on the timeline escaped;
//! attachments are served, a missing one is a clear error; dashboards chart
//! the series their matchers select, aggregated as asked.

mod common_pg;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sonde_server::api::Api;
use sonde_server::http::{Limits, Server};
use sonde_server::monitor::{Evaluator, Monitor, record};
use sonde_server::state::{KeyKind, State};
use sonde_tsdb::SeriesKey;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, c)| {
                let (k, v) = c.split(';').next()?.split_once('=')?;
                (k == name && !v.is_empty()).then(|| v.to_string())
            })
    }
}

fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send");
    s.write_all(body.as_bytes()).expect("send body");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn csrf_in(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..].split('"').next().expect("value").to_string()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

struct Setup {
    server: Server,
    api: Arc<Api>,
    addr: SocketAddr,
    write_key: String,
    /// `sonde_session=...`
    cookie: String,
    /// The session's CSRF token.
    csrf: String,
    dir: PathBuf,
}

impl Setup {
    fn get(&self, path: &str) -> Reply {
        call(self.addr, "GET", path, &[("Cookie", &self.cookie)], "")
    }

    /// A form POST with the session (and `csrf` as given).
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        call(
            self.addr,
            "POST",
            path,
            &[
                ("Cookie", &self.cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &form(fields),
        )
    }

    /// A form POST carrying the session's token.
    fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    fn api_post(&self, path: &str, body: &Value) -> Reply {
        call(
            self.addr,
            "POST",
            path,
            &[("X-Api-Key", &self.write_key)],
            &body.to_string(),
        )
    }

    /// A host registered through the agent API; its id.
    fn host(&self, name: &str, roles: &[&str]) -> String {
        let r = self.api_post(
            "/api/v1/hosts",
            &json!({"name": name, "roleFullnames": roles, "meta": {}}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v: Value = serde_json::from_str(&r.body).expect("json");
        v["id"].as_str().expect("id").to_string()
    }

    fn metrics(&self, host: &str, name: &str, points: &[(i64, f64)]) {
        let batch: Vec<Value> = points
            .iter()
            .map(|(t, v)| json!({"name": name, "time": t, "value": v}))
            .collect();
        let r = self.api_post(
            &format!("/api/v1/hosts/{host}/metrics"),
            &json!({ "metrics": batch }),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }

    /// One evaluation of the monitors, with incidents made as the server
    /// makes them.
    fn evaluate(&self, ev: &mut Evaluator) {
        let t = now();
        let changes = ev.evaluate(&self.api, t).expect("evaluate");
        record(&self.api, &changes, t).expect("record");
    }
}

fn setup(name: &str) -> Setup {
    let dir = std::env::temp_dir().join(format!(
        "sonde-web-pages-{name}-{:?}-{}",
        common_pg::backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let state = common_pg::state(name, &dir);
    let write_key = state
        .create_key(KeyKind::Write, "test", 0)
        .expect("write key");
    let metrics = sonde_tsdb::Store::open(dir.join("metrics"), sonde_tsdb::Options::default())
        .expect("metrics store");
    let api = Arc::new(Api::new(state, metrics));
    let (site, first) = sonde_server::web::start(&dir, Arc::clone(&api)).expect("dashboard");
    let (_, password) = first.expect("a first user");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = Server::start(listener, Arc::new(site), Limits::default()).expect("start");
    let addr = server.addr;
    let page = call(addr, "GET", "/login", &[], "");
    let token = page.cookie("sonde_login_csrf").expect("login token");
    let ok = call(
        addr,
        "POST",
        "/login",
        &[("Cookie", &format!("sonde_login_csrf={token}"))],
        &form(&[("csrf", &token), ("user", "admin"), ("password", &password)]),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    let cookie = format!(
        "sonde_session={}",
        ok.cookie("sonde_session").expect("session")
    );
    let home = call(addr, "GET", "/", &[("Cookie", &cookie)], "");
    let csrf = csrf_in(&home.body);
    Setup {
        server,
        api,
        addr,
        write_key,
        cookie,
        csrf,
        dir,
    }
}

fn every_page_wants_a_session() {
    let s = setup("session");
    for path in [
        "/alerts",
        "/incidents",
        "/incidents/1",
        "/incidents/1/attachments/1",
        "/monitors",
        "/monitors/new",
        "/monitors/1",
        "/dashboards",
        "/dashboards/new",
        "/dashboards/1",
        "/dashboards/1/edit",
        "/services",
        "/services/shop",
    ] {
        let r = call(s.addr, "GET", path, &[], "");
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.header("location"), Some("/login"), "{path}");
    }
    for path in ["/ui/dashboards/1/graphs", "/ui/services/shop/graphs"] {
        assert_eq!(call(s.addr, "GET", path, &[], "").status, 401, "{path}");
    }
    // A form posted without a session stores nothing.
    let r = call(
        s.addr,
        "POST",
        "/monitors",
        &[],
        &form(&[("name", "x"), ("type", "connectivity")]),
    );
    assert_eq!(r.status, 303);
    assert!(s.api.state.monitors().expect("monitors").is_empty());
    // Logged in, each page is there, in the nav.
    let r = s.get("/alerts");
    assert_eq!(r.status, 200);
    for link in [
        "/alerts",
        "/incidents",
        "/monitors",
        "/dashboards",
        "/services",
    ] {
        assert!(r.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert_eq!(s.get("/monitors/99").status, 404);
    assert_eq!(s.get("/incidents/99").status, 404);
    assert_eq!(s.get("/dashboards/99").status, 404);
    assert_eq!(s.get("/services/none").status, 404);
    assert_eq!(s.get("/monitors/abc").status, 404);
    // An oversized form is refused whole, and the server serves on.
    let big = "x".repeat(2 << 20);
    let r = s.submit("/monitors", &[("name", &big), ("type", "connectivity")]);
    assert_eq!(r.status, 413);
    assert!(r.body.contains("the dashboard takes at most"), "{}", r.body);
    assert!(s.api.state.monitors().expect("monitors").is_empty());
    assert_eq!(s.get("/monitors").status, 200);
    s.server.stop();
}

fn monitor_forms_checked_by_the_api_muted_and_deleted() {
    let s = setup("monitors");
    let new = s.get("/monitors/new?type=expression");
    assert_eq!(new.status, 200);
    assert!(new.body.contains("<option value=\"expression\" selected>"));

    let fields = |warning: &'static str, critical: &'static str| {
        vec![
            ("name", "load"),
            ("type", "metric"),
            ("metric", "loadavg5"),
            ("segment_by", "host"),
            ("operator", ">"),
            ("warning", warning),
            ("critical", critical),
            ("duration", "60"),
        ]
    };
    // Without the session's token, or with another: refused, nothing kept.
    let r = s.post("/monitors", &fields("2", "4"));
    assert_eq!(r.status, 403);
    let mut forged = fields("2", "4");
    forged.push(("csrf", "00"));
    assert_eq!(s.post("/monitors", &forged).status, 403);
    assert!(s.api.state.monitors().expect("monitors").is_empty());

    // Warning past critical: the API's own words, the typed values kept.
    let r = s.submit("/monitors", &fields("5", "3"));
    assert_eq!(r.status, 400);
    let api_says = Monitor::parse(
        &json!({"name": "load", "type": "metric", "metric": "loadavg5",
        "segment_by": ["host"], "operator": ">", "warning": 5.0, "critical": 3.0, "duration": 60}),
    )
    .expect_err("the API refuses it");
    assert!(r.body.contains("id=\"form-error\""), "{}", r.body);
    let shown = api_says
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    assert!(r.body.contains(&shown), "{shown} in {}", r.body);
    assert!(
        r.body.contains(
            "name=\"warning\" id=\"m-warning\" type=\"text\" placeholder=\"\" value=\"5\""
        )
    );
    // A type the API does not know; a number that is not one.
    let r = s.submit("/monitors", &[("name", "x"), ("type", "bogus")]);
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("type &quot;bogus&quot; is not one of"),
        "{}",
        r.body
    );
    let r = s.submit("/monitors", &fields("lots", "4"));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("warning: &quot;lots&quot; is not a number"));
    let r = s.submit("/monitors", &[("name", ""), ("type", "connectivity")]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("a monitor needs a name"));
    assert!(s.api.state.monitors().expect("monitors").is_empty());

    // Every kind the API takes is made through the form.
    let r = s.submit("/monitors", &fields("2", "4"));
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r
        .header("location")
        .and_then(|l| l.strip_prefix("/monitors/"))
        .and_then(|i| i.parse().ok())
        .expect("the new monitor's page");
    for kind in [
        vec![
            ("name", "errors"),
            ("type", "expression"),
            ("expression", "100 * errors / requests"),
            ("segment_by", "service"),
            ("operator", ">"),
            ("critical", "5"),
        ],
        vec![
            ("name", "agents"),
            ("type", "connectivity"),
            ("minutes", "3"),
        ],
        vec![
            ("name", "checks"),
            ("type", "check"),
            ("check", "replication"),
        ],
    ] {
        let r = s.submit("/monitors", &kind);
        assert_eq!(r.status, 303, "{kind:?}: {}", r.body);
    }
    let stored = s.api.state.monitors().expect("monitors");
    assert_eq!(stored.len(), 4);
    assert_eq!(
        stored[0].1,
        json!({"name": "load", "type": "metric", "metric": "loadavg5", "segment_by": ["host"],
               "operator": ">", "warning": 2.0, "critical": 4.0, "duration": 60})
    );
    assert_eq!(stored[1].1["expression"], "100 * errors / requests");
    assert_eq!(
        stored[2].1,
        json!({"name": "agents", "type": "connectivity", "minutes": 3})
    );
    assert_eq!(stored[3].1["check"], "replication");

    // The edit form shows what is stored, and saves a change.
    let page = s.get(&format!("/monitors/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"loadavg5\""));
    let mut edited = fields("2", "3");
    edited[0] = ("name", "load (edited)");
    let r = s.submit(&format!("/monitors/{id}"), &edited);
    assert_eq!(r.status, 303, "{}", r.body);
    let m = &s.api.state.monitors().expect("monitors")[0].1;
    assert_eq!(
        (m["name"].as_str(), m["critical"].as_f64()),
        (Some("load (edited)"), Some(3.0))
    );
    // An edit the API refuses leaves the stored monitor as it was.
    let r = s.submit(&format!("/monitors/{id}"), &fields("9", "3"));
    assert_eq!(r.status, 400);
    assert_eq!(
        s.api.state.monitors().expect("monitors")[0].1["critical"],
        3.0
    );

    // The list says OK, then alerting once the metric crosses.
    let list = s.get("/monitors");
    let row = |body: &str, id: i64| -> String {
        let at = body
            .find(&format!("<tr data-monitor=\"{id}\">"))
            .expect("the monitor's row");
        body[at..].split("</tr>").next().expect("row").to_string()
    };
    assert!(row(&list.body, id).contains("status ok\">OK"));
    let host = s.host("web-1", &[]);
    let t = now();
    s.metrics(&host, "loadavg5", &[(t - 30, 3.5), (t - 5, 3.5)]);
    let mut ev = Evaluator::default();
    s.evaluate(&mut ev);
    let list = s.get("/monitors");
    let r = row(&list.body, id);
    assert!(r.contains("CRITICAL × 1"), "{r}");
    assert!(!r.contains("MUTED"));

    // Muted for an hour: a silence of the whole monitor; the list says so.
    assert_eq!(
        s.submit(&format!("/monitors/{id}/mute"), &[("minutes", "0")])
            .status,
        400
    );
    assert_eq!(
        s.post(&format!("/monitors/{id}/mute"), &[("minutes", "60")])
            .status,
        403
    );
    assert!(s.api.state.silences(now()).expect("silences").is_empty());
    let r = s.submit(
        &format!("/monitors/{id}/mute"),
        &[("minutes", "60"), ("back", "https://elsewhere.example/")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("/monitors"),
        "no redirect elsewhere"
    );
    let silences = s.api.state.silences(now()).expect("silences");
    assert_eq!(silences.len(), 1);
    assert_eq!(
        (silences[0].monitor_id, silences[0].segment.as_deref()),
        (Some(id), None)
    );
    assert!((silences[0].ends_at - (now() + 3600)).abs() <= 5);
    let r = row(&s.get("/monitors").body, id);
    assert!(r.contains("MUTED") && r.contains("Unmute"), "{r}");
    let alerts = s.get("/alerts");
    assert!(alerts.body.contains("status muted\">MUTED"));
    // Unmuted: the silence ends now.
    let r = s.submit(
        &format!("/monitors/{id}/unmute"),
        &[("back", &format!("/monitors/{id}"))],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some(format!("/monitors/{id}").as_str())
    );
    assert!(s.api.state.silences(now()).expect("silences").is_empty());
    assert!(!row(&s.get("/monitors").body, id).contains("MUTED"));

    // A maintenance window set ahead: not muted now, muted when it comes;
    // listed on the monitor's page until cancelled.
    let window = format!("/monitors/{id}/window");
    let at = now() + 7200;
    // As a datetime-local field sends it (coreutils' date does the
    // calendar, independently of the server's).
    let starts = |t: i64| {
        let out = std::process::Command::new("date")
            .args(["-u", "-d", &format!("@{t}"), "+%Y-%m-%dT%H:%M"])
            .output()
            .expect("date");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    };
    // The form's default: the next whole hour.
    let page = s.get(&format!("/monitors/{id}"));
    let next_hour = |t: i64| t + 3600 - t % 3600;
    // (Either side of an hour turning while the page was made.)
    let shown = |t: i64| format!("id=\"w-starts\" value=\"{}\"", starts(next_hour(t)));
    assert!(
        page.body.contains(&shown(now())) || page.body.contains(&shown(now() - 5)),
        "{}",
        page.body
    );
    for (fields, says) in [
        (
            vec![("starts", "tomorrow"), ("minutes", "30")],
            "is not a time",
        ),
        (
            vec![("starts", "2001-01-01T00:00"), ("minutes", "30")],
            "in the past",
        ),
        (
            vec![("starts", starts(at).as_str()), ("minutes", "0")],
            "a window lasts",
        ),
    ] {
        let r = s.submit(&window, &fields);
        assert_eq!(r.status, 400, "{fields:?}");
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert_eq!(
        s.post(&window, &[("starts", &starts(at)), ("minutes", "30")])
            .status,
        403
    );
    let r = s.submit(
        &window,
        &[
            ("starts", &starts(at)),
            ("minutes", "30"),
            ("comment", "kernel upgrade"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        s.api.state.silences(now()).expect("now").is_empty(),
        "not muted yet"
    );
    let later = s.api.state.silences(at + 60).expect("later");
    assert_eq!(later.len(), 1);
    let start_minute = at - at % 60;
    assert_eq!(
        (later[0].starts_at, later[0].ends_at),
        (start_minute, start_minute + 1800)
    );
    assert_eq!(later[0].comment, "kernel upgrade (set by admin)");
    let page = s.get(&format!("/monitors/{id}"));
    let windows = page.body.split("id=\"windows\"").nth(1).expect("windows");
    assert!(windows.contains("kernel upgrade"), "{windows}");
    let sid = later[0].id.expect("id");
    assert!(!row(&s.get("/monitors").body, id).contains("MUTED"));
    assert_eq!(
        s.submit(&format!("/monitors/{id}/window/999/cancel"), &[])
            .status,
        404
    );
    let r = s.submit(&format!("/monitors/{id}/window/{sid}/cancel"), &[]);
    assert_eq!(r.status, 303);
    assert!(s.api.state.silences(at + 60).expect("later").is_empty());

    // Deleted: gone, its alert closed.
    assert_eq!(s.post(&format!("/monitors/{id}/delete"), &[]).status, 403);
    let r = s.submit(&format!("/monitors/{id}/delete"), &[]);
    assert_eq!(r.status, 303);
    assert!(!s.api.state.monitor_exists(id).expect("exists"));
    assert!(s.api.state.alerts(true, now()).expect("alerts").is_empty());
    assert_eq!(s.submit(&format!("/monitors/{id}/delete"), &[]).status, 404);
    s.server.stop();
}

fn alerts_incidents_notes_and_attachments() {
    let s = setup("incidents");
    let host = s.host("db-<1>", &[]);
    let id = s
        .api
        .state
        .put_monitor(
            None,
            &json!({"name": "disk busy", "type": "metric", "metric": "disk.busy",
                    "operator": ">", "critical": 90, "duration": 60}),
        )
        .expect("monitor");
    let t = now();
    s.metrics(&host, "disk.busy", &[(t - 10, 97.0)]);
    let mut ev = Evaluator::default();
    s.evaluate(&mut ev);
    let incident = s.api.state.incidents().expect("incidents")[0].id;

    // The alert, linked to its monitor and incident, the host by name.
    let alerts = s.get("/alerts");
    assert_eq!(alerts.status, 200);
    let open = alerts
        .body
        .split("id=\"closed-alerts\"")
        .next()
        .expect("open part");
    assert!(open.contains("status critical\">CRITICAL"), "{open}");
    assert!(open.contains(&format!("<a href=\"/monitors/{id}\">disk busy</a>")));
    assert!(open.contains(&format!(
        "<a href=\"/incidents/{incident}\">#{incident}</a>"
    )));
    assert!(open.contains(&format!("host=<a href=\"/hosts/{host}\">db-&lt;1&gt;</a>")));
    assert!(open.contains("97"));

    let list = s.get("/incidents");
    assert!(
        list.body
            .contains(&format!("href=\"/incidents/{incident}\""))
    );
    let page = s.get(&format!("/incidents/{incident}"));
    assert_eq!(page.status, 200);
    let timeline = page
        .body
        .split("id=\"timeline\"")
        .nth(1)
        .expect("a timeline");
    assert!(timeline.contains("CRITICAL: disk.busy = 97"), "{timeline}");

    // Notes: the session's token needed, bounded, stored escaped.
    let path = format!("/incidents/{incident}/notes");
    assert_eq!(s.post(&path, &[("text", "forged")]).status, 403);
    let r = s.submit(&path, &[("text", "   ")]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("A note is 1 to 10000 bytes"));
    let r = s.submit(&path, &[("text", &"x".repeat(10_001))]);
    assert_eq!(r.status, 400);
    let r = s.submit(&path, &[("text", "looked at <b>iostat</b>\r\nsda is full")]);
    assert_eq!(r.status, 303);
    let i = s
        .api
        .state
        .incident(incident)
        .expect("read")
        .expect("there");
    let notes: Vec<_> = i.timeline.iter().filter(|e| e.1 == "note").collect();
    assert_eq!(notes.len(), 1, "only the good note: {:?}", i.timeline);
    assert_eq!(notes[0].2, "looked at <b>iostat</b>\nsda is full");
    let page = s.get(&format!("/incidents/{incident}"));
    assert!(
        page.body
            .contains("<b>admin</b>: looked at &lt;b&gt;iostat&lt;/b&gt;")
    );
    assert_eq!(
        s.submit("/incidents/99/notes", &[("text", "x")]).status,
        404
    );

    // Attachments: served by number; a missing number or file is a clear
    // answer and the server serves on.
    let file = s.dir.join("capture.scap");
    std::fs::write(&file, b"\x0a\x0d\x0d\x0acapture bytes").expect("write");
    s.api
        .state
        .add_incident_event(
            incident,
            "attachment",
            "system-call capture",
            Some(&json!({"path": file, "bytes": 17})),
            false,
            now(),
        )
        .expect("attach");
    s.api
        .state
        .add_incident_event(
            incident,
            "attachment",
            "gone",
            Some(&json!({"path": s.dir.join("gone.scap"), "bytes": 1})),
            false,
            now(),
        )
        .expect("attach");
    let page = s.get(&format!("/incidents/{incident}"));
    assert!(
        page.body
            .contains(&format!("href=\"/incidents/{incident}/attachments/1\""))
    );
    assert!(
        page.body
            .contains(&format!("href=\"/incidents/{incident}/attachments/2\""))
    );
    let a = s.get(&format!("/incidents/{incident}/attachments/1"));
    assert_eq!(a.status, 200);
    assert_eq!(a.body.as_bytes(), b"\x0a\x0d\x0d\x0acapture bytes");
    assert_eq!(
        a.header("content-disposition"),
        Some("attachment; filename=\"capture.scap\"")
    );
    // A file gone from the disk: not found, and the answer names it.
    let gone = s.get(&format!("/incidents/{incident}/attachments/2"));
    assert_eq!(gone.status, 404);
    assert!(gone.body.contains("gone.scap"), "{}", gone.body);
    for n in ["0", "3", "x"] {
        let r = s.get(&format!("/incidents/{incident}/attachments/{n}"));
        assert_eq!(r.status, 404, "{n}");
    }
    assert_eq!(s.get("/alerts").status, 200);

    // Resolved: the alert moves to the closed ones, the incident says so.
    s.metrics(&host, "disk.busy", &[(now(), 1.0)]);
    // The average over the minute must fall under 90: wait it out by
    // replacing the high point (same time, newest write wins).
    s.metrics(&host, "disk.busy", &[(t - 10, 1.0)]);
    s.evaluate(&mut ev);
    let alerts = s.get("/alerts");
    let (open, closed) = alerts
        .body
        .split_once("id=\"closed-alerts\"")
        .expect("parts");
    assert!(open.contains("No open alerts"), "{open}");
    assert!(closed.contains(&format!("href=\"/incidents/{incident}\"")));
    assert!(
        s.get(&format!("/incidents/{incident}"))
            .body
            .contains("status ok\">resolved")
    );
    s.server.stop();
}

fn custom_dashboards_chart_what_their_matchers_select() {
    let s = setup("custom");
    let t = now();
    let minute = t - t % 60 - 600;
    // Two web hosts and a db host, a series each (labels as remote write
    // sends them).
    for (host, role, v) in [("h1", "web", 10.0), ("h2", "web", 30.0), ("h3", "db", 99.0)] {
        s.api
            .metrics
            .append_keyed(&[(
                SeriesKey::new("req.time", &[("host", host), ("role", role)]),
                (minute + 5) * 1000,
                v,
            )])
            .expect("append");
    }
    let rows =
        |metric: &'static str, matchers: &'static str, agg: &'static str, by: &'static str| {
            vec![
                ("name", "Web"),
                ("g0_title", ""),
                ("g0_metric", metric),
                ("g0_matchers", matchers),
                ("g0_agg", agg),
                ("g0_by", by),
                ("g0_unit", "float"),
                ("g1_metric", "req.time"),
                ("g1_matchers", "role=web"),
                ("g1_agg", "none"),
            ]
        };
    // Refused: no token; a bad name; grouping without an aggregation; a
    // regex that does not compile. Each says which graph, nothing stored.
    assert_eq!(
        s.post("/dashboards", &rows("req.time", "", "avg", "role"))
            .status,
        403
    );
    for (fields, says) in [
        (
            rows("req time", "", "none", ""),
            "graph 1: metric &quot;req time&quot;",
        ),
        (
            rows("req.time", "", "none", "role"),
            "graph 1: grouping by &quot;role&quot; needs an aggregation",
        ),
        (rows("req.time", "role=~(", "avg", ""), "graph 1: role:"),
        (
            rows("req.time", "role=web host=h1", "avg", ""),
            "separate matchers with commas",
        ),
    ] {
        let r = s.submit("/dashboards", &fields);
        assert_eq!(r.status, 400, "{fields:?}");
        assert!(r.body.contains(says), "{says} in {}", r.body);
        assert!(r.body.contains("id=\"form-error\""));
    }
    assert!(s.api.state.dashboards().expect("list").is_empty());

    let r = s.submit("/dashboards", &rows("req.time", "", "avg", "role"));
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.header("location").expect("location").to_string();
    let id: i64 = loc["/dashboards/".len()..].parse().expect("id");
    let page = s.get(&loc);
    assert!(
        page.body
            .contains(&format!("data-src=\"/ui/dashboards/{id}/graphs\""))
    );
    let data = s.get(&format!(
        "/ui/dashboards/{id}/graphs?from={}&to={}",
        t - 3600,
        t
    ));
    assert_eq!(data.status, 200, "{}", data.body);
    let v: Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(v["step"], 60);
    let g = &v["graphs"][0];
    assert_eq!(g["title"], "avg req.time by role");
    assert_eq!(g["lines"][0]["label"], "db");
    assert_eq!(g["lines"][0]["points"], json!([[minute, 99.0]]));
    assert_eq!(g["lines"][1]["label"], "web");
    assert_eq!(
        g["lines"][1]["points"],
        json!([[minute, 20.0]]),
        "the web hosts averaged"
    );
    // The second graph: only the web series, a line each.
    let labels: Vec<&str> = v["graphs"][1]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["label"].as_str().expect("label"))
        .collect();
    assert_eq!(labels, ["h1", "h2"]);
    assert_eq!(
        s.get(&format!("/ui/dashboards/{id}/graphs?from=x")).status,
        400
    );

    // Edited: the form shows what is stored; a new name and a sum.
    let edit = s.get(&format!("/dashboards/{id}/edit"));
    assert!(
        edit.body
            .contains("id=\"g1_matchers\" placeholder=\"role=web, host!=db-1\" value=\"role=web\"")
    );
    let mut changed = rows("req.time", "role!=db", "sum", "");
    changed[0] = ("name", "Web (sum)");
    assert_eq!(s.submit(&format!("/dashboards/{id}"), &changed).status, 303);
    let d = s.api.state.dashboard(id).expect("read").expect("there");
    assert_eq!(d.name, "Web (sum)");
    let v: Value = serde_json::from_str(
        &s.get(&format!(
            "/ui/dashboards/{id}/graphs?from={}&to={}",
            t - 3600,
            t
        ))
        .body,
    )
    .expect("json");
    assert_eq!(
        v["graphs"][0]["lines"][0]["points"],
        json!([[minute, 40.0]])
    );
    assert!(s.get("/dashboards").body.contains("Web (sum)"));

    // Deleted.
    assert_eq!(s.post(&format!("/dashboards/{id}/delete"), &[]).status, 403);
    assert_eq!(
        s.submit(&format!("/dashboards/{id}/delete"), &[]).status,
        303
    );
    assert!(s.api.state.dashboard(id).expect("read").is_none());
    assert_eq!(s.get(&format!("/ui/dashboards/{id}/graphs")).status, 404);
    s.server.stop();
}

fn service_dashboards_group_hosts_by_role() {
    let s = setup("services");
    let web1 = s.host("web-1", &["shop:web"]);
    let web2 = s.host("web-2", &["shop:web"]);
    let db = s.host("db-1", &["shop:db", "backup:agent"]);
    let other = s.host("blog-1", &["blog:web"]);
    let t = now();
    for (h, v) in [(&web1, 1.0), (&web2, 2.0), (&db, 3.0), (&other, 9.0)] {
        s.metrics(h, "loadavg5", &[(t - 120, v), (t - 60, v)]);
    }
    // A series the service itself sends (remote write, with its label).
    s.api
        .metrics
        .append_keyed(&[(
            SeriesKey::new("shop.orders", &[("service", "shop"), ("instance", "a")]),
            (t - 30) * 1000,
            12.0,
        )])
        .expect("append");

    // The hosts list links each host's roles to their service.
    let hosts = s.get("/");
    assert!(
        hosts
            .body
            .contains("<a class=\"role\" href=\"/services/shop\">shop:db</a>")
    );
    assert!(
        hosts
            .body
            .contains("<a class=\"role\" href=\"/services/backup\">backup:agent</a>")
    );
    let list = s.get("/services");
    assert_eq!(list.status, 200);
    for name in ["backup", "blog", "shop"] {
        assert!(
            list.body.contains(&format!("href=\"/services/{name}\"")),
            "{name}"
        );
    }
    assert!(list.body.contains("db: 1 · web: 2"), "{}", list.body);
    let page = s.get("/services/shop");
    assert_eq!(page.status, 200);
    let roles = page.body.split("id=\"roles\"").nth(1).expect("roles");
    assert!(roles.contains("<h3>web</h3>") && roles.contains("<h3>db</h3>"));
    assert!(roles.contains(&format!("<a href=\"/hosts/{web1}\">web-1</a>")));
    assert!(!roles.contains("blog-1"));
    assert!(page.body.contains("data-src=\"/ui/services/shop/graphs\""));

    let data = s.get(&format!(
        "/ui/services/shop/graphs?from={}&to={}",
        t - 3600,
        t
    ));
    assert_eq!(data.status, 200, "{}", data.body);
    let v: Value = serde_json::from_str(&data.body).expect("json");
    let titles: Vec<&str> = v["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .map(|g| g["title"].as_str().expect("title"))
        .collect();
    // Hosts without CPU or memory series: those charts are left out.
    assert_eq!(titles, ["Load average (5 min)", "shop.orders"]);
    let lines: Vec<(&str, usize)> = v["graphs"][0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["label"].as_str().expect("label"),
                l["points"].as_array().expect("points").len(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("db-1", 2), ("web-1", 2), ("web-2", 2)],
        "the shop's hosts, by name"
    );
    assert_eq!(
        v["graphs"][1]["lines"][0]["points"],
        json!([[t - 30, 12.0]])
    );
    assert_eq!(s.get("/ui/services/nope/graphs").status, 404);
    s.server.stop();
}

/// A database made before custom dashboards (schema 3) gets their table at
/// the next start, its other contents kept; a stored dashboard that no
/// longer reads is reported on its pages, not a panic.
#[test]
fn older_databases_get_the_dashboards_table() {
    let dir = std::env::temp_dir().join(format!("sonde-web-pages-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("state.db");
    let state = State::open(&path).expect("state");
    let id = state
        .put_monitor(None, &json!({"name": "kept", "type": "connectivity"}))
        .expect("monitor");
    drop(state);
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("DROP TABLE dashboards; PRAGMA user_version = 3;")
            .expect("back to schema 3");
    }
    let state = State::open(&path).expect("migrated");
    assert!(state.monitor_exists(id).expect("exists"));
    let d = state
        .add_dashboard("after", &json!({"graphs": []}), 5)
        .expect("a dashboard");
    assert_eq!(
        state.dashboard(d).expect("read").expect("there").name,
        "after"
    );
    drop(state);

    let s = setup("damaged");
    let bad = s
        .api
        .state
        .add_dashboard("damaged", &json!({"graphs": [{"metric": "not a name"}]}), 1)
        .expect("stored");
    let edit = s.get(&format!("/dashboards/{bad}/edit"));
    assert_eq!(edit.status, 200);
    assert!(
        edit.body
            .contains("the stored dashboard does not read: graph 1")
    );
    let data = s.get(&format!("/ui/dashboards/{bad}/graphs"));
    assert_eq!(data.status, 500);
    assert!(data.body.contains("graph 1: metric"), "{}", data.body);
    assert_eq!(s.get("/dashboards").status, 200);
    s.server.stop();
}

/// Series sent every second, many of them: a custom dashboard draws them
/// from per-minute averages rather than hundreds of thousands of points.
fn dense_series_are_drawn_from_averages() {
    let s = setup("dense");
    let t = now();
    let start = t - 7200;
    for i in 0..15 {
        let key = SeriesKey::new("fast.gauge", &[("worker", &format!("w{i:02}"))]);
        let samples: Vec<(SeriesKey, i64, f64)> = (start..t)
            .map(|ts| (key.clone(), ts * 1000, (ts % 60) as f64))
            .collect();
        s.api.metrics.append_keyed(&samples).expect("append");
    }
    let r = s.submit(
        "/dashboards",
        &[
            ("name", "dense"),
            ("g0_metric", "fast.gauge"),
            ("g0_agg", "none"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.header("location").expect("location").to_string();
    let data = s.get(&format!("/ui{loc}/graphs?from={}&to={}", t - 10_800, t));
    assert_eq!(data.status, 200, "{}", data.body);
    let v: Value = serde_json::from_str(&data.body).expect("json");
    let lines = v["graphs"][0]["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 15);
    for l in lines {
        let points = l["points"].as_array().expect("points");
        assert!(
            (120..=122).contains(&points.len()),
            "{} points",
            points.len()
        );
        // A whole minute's average of 0..59.
        let whole = &points[5];
        assert_eq!(whole[0].as_i64().expect("time") % 60, 0);
        assert_eq!(whole[1], 29.5);
    }
    // An hour of one series is drawn raw, every second.
    let r = s.submit(
        "/dashboards",
        &[
            ("name", "one"),
            ("g0_metric", "fast.gauge"),
            ("g0_matchers", "worker=w00"),
        ],
    );
    let loc = r.header("location").expect("location").to_string();
    let v: Value = serde_json::from_str(
        &s.get(&format!("/ui{loc}/graphs?from={}&to={}", t - 3600, t - 1))
            .body,
    )
    .expect("json");
    assert_eq!(
        v["graphs"][0]["lines"][0]["points"]
            .as_array()
            .map(Vec::len),
        Some(3600)
    );
    s.server.stop();
}

// The pages and forms on both state backends (SQLite, PostgreSQL).
both!(
    every_page_wants_a_session,
    monitor_forms_checked_by_the_api_muted_and_deleted,
    alerts_incidents_notes_and_attachments,
    custom_dashboards_chart_what_their_matchers_select,
    service_dashboards_group_hosts_by_role,
    dense_series_are_drawn_from_averages,
);
