//! The dashboard over real HTTP: pages without a session redirect to the
//! login; a wrong password is refused (401) and repeated failures are
//! rate-limited (429) without stopping the server; POSTs without the
//! session's CSRF token are refused (403); the session cookie has the
//! attributes that keep it to this site; the chart data endpoint takes the
//! session and returns what the API stored; the agent API is unchanged
//! under the dashboard.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sonde_server::api::Api;
use sonde_server::http::{Limits, Server};
use sonde_server::state::KeyKind;

mod common_pg;

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

    fn cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `NAME=VALUE` of a Set-Cookie.
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
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

/// The value of the first `name="csrf" value="..."` in a page.
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

struct Setup {
    server: Server,
    password: String,
    write_key: String,
    _dir: PathBuf,
}

fn setup(name: &str) -> Setup {
    setup_behind(name, &[])
}

/// [`setup`] with the dashboard trusting these proxies' `X-Forwarded-For`.
fn setup_behind(name: &str, proxies: &[std::net::IpAddr]) -> Setup {
    let dir = std::env::temp_dir().join(format!(
        "sonde-web-{name}-{:?}-{}",
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
    let (mut site, first) = sonde_server::web::start(&dir, api).expect("dashboard");
    site.trusted_proxies = proxies.to_vec();
    let (user, password) = first.expect("a first user on a fresh database");
    assert_eq!(user, "admin");
    // Kept for whoever installs, readable by the owner only.
    let file = dir.join("first-login.txt");
    let text = std::fs::read_to_string(&file).expect("first-login.txt");
    assert_eq!(text, format!("admin\t{password}\n"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = Server::start(listener, Arc::new(site), Limits::default()).expect("start");
    Setup {
        server,
        password,
        write_key,
        _dir: dir,
    }
}

/// Logs in; the session cookie.
fn login(addr: SocketAddr, user: &str, password: &str) -> Reply {
    login_via(addr, user, password, None)
}

/// [`login`] as a proxy sends it: with `X-Forwarded-For` when given.
fn login_via(addr: SocketAddr, user: &str, password: &str, xff: Option<&str>) -> Reply {
    let page = call(addr, "GET", "/login", &[], "");
    assert_eq!(page.status, 200);
    let token = page.cookie("sonde_login_csrf").expect("login CSRF cookie");
    assert_eq!(
        csrf_in(&page.body),
        token,
        "the form carries the cookie's token"
    );
    call(
        addr,
        "POST",
        "/login",
        &[
            ("Cookie", format!("sonde_login_csrf={token}").as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Forwarded-For", xff.unwrap_or("")),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect::<Vec<(&str, &str)>>(),
        &form(&[("csrf", &token), ("user", user), ("password", password)]),
    )
}

fn pages_need_a_session_and_posts_a_csrf_token() {
    let s = setup("session");
    let addr = s.server.addr;

    for path in ["/", "/hosts/abc"] {
        let r = call(addr, "GET", path, &[], "");
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.header("location"), Some("/login"), "{path}");
    }
    assert_eq!(
        call(addr, "GET", "/ui/hosts/abc/graphs", &[], "").status,
        401
    );
    // A forged session cookie is no session.
    let forged = call(addr, "GET", "/", &[("Cookie", "sonde_session=00ff")], "");
    assert_eq!(forged.status, 303);

    // Assets need no session and are cached.
    let js = call(addr, "GET", "/assets/uPlot.min.js", &[], "");
    assert_eq!(js.status, 200);
    assert!(js.body.contains("uPlot"));
    assert!(
        js.header("cache-control")
            .is_some_and(|c| c.contains("max-age"))
    );

    // A second load of the form (another tab, a favicon request sent to
    // the login) keeps the browser's token, so the first form still works.
    let first = call(addr, "GET", "/login", &[], "");
    let t = first.cookie("sonde_login_csrf").expect("token");
    let again = call(
        addr,
        "GET",
        "/login",
        &[("Cookie", &format!("sonde_login_csrf={t}"))],
        "",
    );
    assert_eq!(csrf_in(&again.body), t);

    // The login form refuses a POST without its token.
    let r = call(
        addr,
        "POST",
        "/login",
        &[],
        &form(&[("user", "admin"), ("password", &s.password)]),
    );
    assert_eq!(r.status, 403);
    assert!(r.cookie("sonde_session").is_none());

    let bad = login(addr, "admin", "not the password");
    assert_eq!(bad.status, 401);
    assert!(bad.body.contains("Wrong user name or password"));
    assert!(bad.cookie("sonde_session").is_none());

    let ok = login(addr, "admin", &s.password);
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.header("location"), Some("/"));
    let set = ok
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("sonde_session="))
        .expect("session cookie")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    let id = ok.cookie("sonde_session").expect("session id");
    assert_eq!(id.len(), 64);
    let cookie = format!("sonde_session={id}");

    // Behind a TLS proxy the cookie is Secure.
    let page = call(addr, "GET", "/login", &[], "");
    let token = page.cookie("sonde_login_csrf").expect("token");
    let https = call(
        addr,
        "POST",
        "/login",
        &[
            ("Cookie", &format!("sonde_login_csrf={token}")),
            ("X-Forwarded-Proto", "https"),
        ],
        &form(&[
            ("csrf", &token),
            ("user", "admin"),
            ("password", &s.password),
        ]),
    );
    assert_eq!(https.status, 303);
    assert!(
        https
            .cookies()
            .iter()
            .any(|c| c.starts_with("sonde_session=") && c.contains("; Secure"))
    );

    // A host through the agent API (unchanged under the dashboard).
    let reg = call(
        addr,
        "POST",
        "/api/v1/hosts",
        &[("X-Api-Key", &s.write_key)],
        r#"{"name": "web-<b>1</b>", "meta": {"agent-version": "9.9.9", "kernel": {"release": "6.1.0-test"}}}"#,
    );
    assert_eq!(reg.status, 200, "{}", reg.body);
    let v: serde_json::Value = serde_json::from_str(&reg.body).expect("json");
    let host = v["id"].as_str().expect("id").to_string();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let batch = serde_json::json!({"metrics": (0..10).map(|i| serde_json::json!(
        {"name": "loadavg5", "time": t - 600 + i * 60, "value": i as f64 / 10.0})).collect::<Vec<_>>()});
    let r = call(
        addr,
        "POST",
        &format!("/api/v1/hosts/{host}/metrics"),
        &[("X-Api-Key", &s.write_key)],
        &batch.to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(
        addr,
        "POST",
        &format!("/api/v1/hosts/{host}/checks"),
        &[("X-Api-Key", &s.write_key)],
        &serde_json::json!({"reports": [
            {"name": "a", "status": "OK", "message": "", "occurredAt": t},
            {"name": "b", "status": "WARNING", "message": "hmm", "occurredAt": t}]})
        .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // The hosts page: the name escaped, the worst status, the agent.
    let hosts = call(addr, "GET", "/", &[("Cookie", &cookie)], "");
    assert_eq!(hosts.status, 200);
    assert!(
        hosts.body.contains("web-&lt;b&gt;1&lt;/b&gt;"),
        "{}",
        hosts.body
    );
    assert!(!hosts.body.contains("<b>1</b>"));
    assert!(hosts.body.contains("status warning\">WARNING"));
    assert!(hosts.body.contains("9.9.9") && hosts.body.contains("6.1.0-test"));
    assert!(
        hosts
            .header("content-security-policy")
            .is_some_and(|c| c.contains("script-src 'self'"))
    );
    let page = call(
        addr,
        "GET",
        &format!("/hosts/{host}"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("data-host=\"{host}\"")));
    assert_eq!(
        call(addr, "GET", "/hosts/nope", &[("Cookie", &cookie)], "").status,
        404
    );

    // The charts' data, with the session (no API key).
    let data = call(
        addr,
        "GET",
        &format!("/ui/hosts/{host}/graphs?from={}&to={}", t - 3600, t),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(data.status, 200, "{}", data.body);
    let v: serde_json::Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(v["graphs"][0]["title"], "Load average");
    let points = v["graphs"][0]["lines"][0]["points"]
        .as_array()
        .expect("points");
    assert_eq!(points.len(), 10);
    assert_eq!(points[3], serde_json::json!([t - 600 + 180, 0.3]));
    // A day: per-step averages over whole 5 minutes.
    let day = call(
        addr,
        "GET",
        &format!("/ui/hosts/{host}/graphs?from={}&to={}", t - 86400, t),
        &[("Cookie", &cookie)],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&day.body).expect("json");
    assert_eq!(v["step"], 300);
    let buckets = v["graphs"][0]["lines"][0]["points"]
        .as_array()
        .expect("points");
    assert!((2..=3).contains(&buckets.len()), "{buckets:?}");
    for b in buckets {
        assert_eq!(b[0].as_i64().expect("time") % 300, 0, "{b}");
    }
    let bad = call(
        addr,
        "GET",
        &format!("/ui/hosts/{host}/graphs?from=x"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(bad.status, 400);

    // Logging out takes the session's token: none, a wrong one, then right.
    let token = csrf_in(&hosts.body);
    let none = call(addr, "POST", "/logout", &[("Cookie", &cookie)], "");
    assert_eq!(none.status, 403);
    let wrong = call(
        addr,
        "POST",
        "/logout",
        &[("Cookie", &cookie)],
        &form(&[("csrf", &"0".repeat(64))]),
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(
        call(addr, "GET", "/", &[("Cookie", &cookie)], "").status,
        200
    );
    let out = call(
        addr,
        "POST",
        "/logout",
        &[("Cookie", &cookie)],
        &form(&[("csrf", &token)]),
    );
    assert_eq!(out.status, 303);
    assert_eq!(
        call(addr, "GET", "/", &[("Cookie", &cookie)], "").status,
        303
    );
    s.server.stop();
}

fn failed_logins_are_rate_limited() {
    let s = setup("limit");
    let addr = s.server.addr;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login(addr, "admin", "guess").status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    // Blocked before the password is checked: the right one waits too.
    let r = login(addr, "admin", &s.password);
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Too many failed logins"), "{}", r.body);
    assert!(r.header("retry-after").is_some());
    // The server still serves everyone else.
    assert_eq!(call(addr, "GET", "/login", &[], "").status, 200);
    assert_eq!(
        call(
            addr,
            "GET",
            "/api/v1/hosts",
            &[("X-Api-Key", &s.write_key)],
            ""
        )
        .status,
        200
    );
    s.server.stop();
}

/// Behind a trusted proxy (several instances behind one address), failed
/// logins count per client, not per proxy: one client's guesses do not
/// lock everyone out, and a client cannot escape its count by writing its
/// own `X-Forwarded-For` hops. Without a trusted proxy the header is ignored.
fn failed_logins_behind_a_trusted_proxy_count_per_client() {
    let local: std::net::IpAddr = [127, 0, 0, 1].into();
    let s = setup_behind("proxied", &[local]);
    let addr = s.server.addr;
    let guesser = Some("203.0.113.7");
    for i in 0..10 {
        let r = login_via(addr, &format!("user{i}"), "guess", guesser);
        assert_eq!(r.status, 401, "guess {i}");
    }
    assert_eq!(login_via(addr, "user10", "guess", guesser).status, 429);
    // Hops the client wrote itself, left of the proxy's, change nothing.
    assert_eq!(
        login_via(addr, "user11", "guess", Some("10.9.9.9, 203.0.113.7")).status,
        429
    );
    // Another client through the same proxy logs in.
    let ok = login_via(addr, "admin", &s.password, Some("198.51.100.2"));
    assert_eq!(ok.status, 303, "{}", ok.body);
    s.server.stop();

    // Not trusted: the header is ignored and the peer is counted.
    let s = setup("unproxied");
    let addr = s.server.addr;
    for i in 0..10 {
        let xff = format!("192.0.2.{i}");
        let r = login_via(addr, &format!("user{i}"), "guess", Some(&xff));
        assert_eq!(r.status, 401, "guess {i}");
    }
    assert_eq!(
        login_via(addr, "user10", "guess", Some("192.0.2.99")).status,
        429
    );
    s.server.stop();
}

both!(
    pages_need_a_session_and_posts_a_csrf_token,
    failed_logins_are_rate_limited,
    failed_logins_behind_a_trusted_proxy_count_per_client,
);
