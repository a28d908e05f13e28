//! The web dashboard: server-rendered pages behind a login, their assets
//! (the vendored uPlot chart library and a little hand-written JS and CSS)
//! compiled into the binary, and the JSON the charts draw from.
//!
//! [`Site`] is the server's whole handler: `/api/` goes to the agent API
//! as before; every other path is the dashboard's. Pages need a session
//! (else a redirect to `/login`); every POST carries the session's CSRF
//! token (the login form a token of its own, double-submitted in a
//! cookie). Chart data comes from `/ui/...`, which takes the session, never
//! an API key.

pub mod auth;
pub mod dashboards;
pub mod graphs;
pub mod incidents;
mod monitors;
mod pages;
pub mod panels;
mod silences;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::api::Api;
use crate::http::{Handler, Request, Response};
use auth::{Auth, Session};

const SESSION_COOKIE: &str = "sonde_session";
const LOGIN_CSRF_COOKIE: &str = "sonde_login_csrf";

/// The agent API and the dashboard, one handler.
pub struct Site {
    pub api: Arc<Api>,
    pub auth: Auth,
    /// Addresses of the proxies in front (a load balancer before several
    /// instances): from them, the client is the last `X-Forwarded-For` hop
    /// that is not itself one of them. Empty: the peer is the client, and
    /// `X-Forwarded-For` is ignored (anyone could send it).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The dashboard over `api`, its users in the state's database (the data
/// directory's `state.db`, or the shared PostgreSQL).
/// At the first start (no users) it makes `admin` with a random password,
/// returned and written to `first-login.txt` (mode 0600) for whoever
/// installs.
pub fn start(data: &Path, api: Arc<Api>) -> Result<(Site, Option<(String, String)>), String> {
    let auth = Auth::over(Arc::clone(api.state.db())).map_err(|e| e.to_string())?;
    let mut first_login = None;
    if auth.user_count().map_err(|e| e.to_string())? == 0 {
        let password =
            crate::state::random_hex(12).map_err(|e| format!("making the first password: {e}"))?;
        // Instances sharing a PostgreSQL may start together: only the one
        // whose user is stored says its password.
        let made = auth
            .add_first_user("admin", &password, now())
            .map_err(|e| format!("making the first user: {e}"))?;
        if !made {
            return Ok((
                Site {
                    api,
                    auth,
                    trusted_proxies: Vec::new(),
                },
                None,
            ));
        }
        write_private(
            &data.join("first-login.txt"),
            &format!("admin\t{password}\n"),
        )?;
        first_login = Some(("admin".to_string(), password));
    }
    Ok((
        Site {
            api,
            auth,
            trusted_proxies: Vec::new(),
        },
        first_login,
    ))
}

/// A file only its owner can read (the first password).
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A named cookie's value.
pub fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .filter(|(k, _)| k == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// An `application/x-www-form-urlencoded` body's field.
pub fn form_field(req: &Request, name: &str) -> Option<String> {
    let body = std::str::from_utf8(&req.body).ok()?;
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (crate::http::percent_decode(k) == name).then(|| crate::http::percent_decode(v))
    })
}

/// Every field of an `application/x-www-form-urlencoded` body, parsed once
/// (a repeated name keeps its first value, as [`form_field`] does).
pub fn form_fields(req: &Request) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let Ok(body) = std::str::from_utf8(&req.body) else {
        return out;
    };
    for kv in body.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        out.entry(crate::http::percent_decode(k))
            .or_insert_with(|| crate::http::percent_decode(v));
    }
    out
}

/// The largest form the dashboard takes: its forms are a few KiB (a note
/// at most 10 000 bytes); the server's body limit is for metric batches.
const MAX_FORM: usize = 1 << 20;

/// The attributes every cookie of ours has; `Secure` when the request came
/// over https (a TLS proxy in front says so with `X-Forwarded-Proto`).
fn cookie_attrs(req: &Request, max_age: i64) -> String {
    let secure = req
        .header("x-forwarded-proto")
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!(
        "HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn redirect(to: &str) -> Response {
    Response::new(303, "text/plain; charset=utf-8", format!("see {to}\n"))
        .with_header("Location", to)
}

/// Headers for every dashboard response: nothing framed, sniffed or loaded
/// from elsewhere.
fn hardened(r: Response) -> Response {
    r.with_header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    )
    .with_header("X-Content-Type-Options", "nosniff")
    .with_header("X-Frame-Options", "DENY")
    .with_header("Referrer-Policy", "same-origin")
}

/// The embedded assets: (path, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/assets/uPlot.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/uPlot.iife.min.js"),
    ),
    (
        "/assets/uPlot.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/uPlot.min.css"),
    ),
    (
        "/assets/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app.js"),
    ),
    (
        "/assets/app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/app.css"),
    ),
];

impl Handler for Site {
    fn handle(&self, req: &Request) -> Response {
        if req.path.starts_with("/api/") {
            return self.api.handle(req);
        }
        hardened(self.page(req).unwrap_or_else(|e| e))
    }

    // The API's streamed routes (incident attachments) pass through as
    // they are.
    // The dashboard's attachment downloads stream too (a capture is tens of
    // megabytes; it is never held whole in memory).
    fn stream_limit(&self, head: &Request) -> Option<u64> {
        if head.path.starts_with("/api/") {
            self.api.stream_limit(head)
        } else if head.method == "GET" && incidents::attachment_route(&head.path).is_some() {
            Some(0)
        } else {
            None
        }
    }

    fn handle_stream(&self, req: &Request, body: &mut dyn std::io::Read) -> crate::http::Streamed {
        if req.path.starts_with("/api/") {
            return self.api.handle_stream(req, body);
        }
        if let (Some((id, n)), "GET") =
            (incidents::attachment_route(&req.path), req.method.as_str())
        {
            return match self.session(req) {
                Ok(Some((_, session))) => incidents::stream_attachment(self, &session, id, n),
                Ok(None) => hardened(redirect("/login")).into(),
                Err(e) => hardened(e).into(),
            };
        }
        self.handle(req).into()
    }
}

impl Site {
    /// The client's address for the failed-login limiter: the peer, or
    /// behind a trusted proxy the last `X-Forwarded-For` hop that is not a
    /// trusted proxy (hops further left were written by the client and
    /// prove nothing). A header that does not parse leaves the peer.
    pub fn client_address(&self, req: &Request) -> String {
        let peer = req.peer.ip();
        if !self.trusted_proxies.contains(&peer) {
            return peer.to_string();
        }
        let Some(hops) = req.header("x-forwarded-for") else {
            return peer.to_string();
        };
        for hop in hops.rsplit(',') {
            match hop.trim().parse::<std::net::IpAddr>() {
                Ok(ip) if self.trusted_proxies.contains(&ip) => continue,
                Ok(ip) => return ip.to_string(),
                Err(_) => break,
            }
        }
        peer.to_string()
    }

    /// The session the request's cookie names, if live.
    fn session(&self, req: &Request) -> Result<Option<(String, Session)>, Response> {
        let Some(id) = cookie(req, SESSION_COOKIE) else {
            return Ok(None);
        };
        match self.auth.session(id, now()) {
            Ok(s) => Ok(s.map(|s| (id.to_string(), s))),
            Err(e) => Err(Response::error(e.status(), &e.to_string())),
        }
    }

    fn page(&self, req: &Request) -> Result<Response, Response> {
        let path = req.path.as_str();
        if let Some((_, ct, body)) = ASSETS.iter().find(|(p, _, _)| *p == path) {
            // Named with the version in the pages' links, so a long cache
            // is safe across upgrades.
            return Ok(
                Response::new(200, ct, *body).with_header("Cache-Control", "public, max-age=86400")
            );
        }
        match (req.method.as_str(), path) {
            ("GET", "/login") => return Ok(self.login_form(req, None, 200)),
            ("POST", "/login") => return self.login(req),
            _ => {}
        }
        let Some((id, session)) = self.session(req)? else {
            return Ok(if path.starts_with("/ui/") {
                Response::error(401, "not logged in")
            } else {
                redirect("/login")
            });
        };
        if req.method == "POST" && req.body.len() > MAX_FORM {
            return Err(Response::error(
                413,
                &format!(
                    "a form of {} bytes; the dashboard takes at most {MAX_FORM}",
                    req.body.len()
                ),
            ));
        }
        if req.method == "POST" && !session.csrf_ok(form_field(req, "csrf").as_deref()) {
            return Err(Response::new(
                403,
                "text/plain; charset=utf-8",
                "the form's CSRF token is missing or wrong; reload the page and try again\n",
            ));
        }
        // Alerts, incidents, monitors, dashboards and services.
        for route in [incidents::route, monitors::route, dashboards::route] {
            if let Some(r) = route(self, req, &session) {
                return r;
            }
        }
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        match (req.method.as_str(), path) {
            ("POST", "/logout") => {
                self.auth
                    .end_session(&id)
                    .map_err(|e| Response::error(e.status(), &e.to_string()))?;
                Ok(redirect("/login").with_header(
                    "Set-Cookie",
                    &format!("{SESSION_COOKIE}=; {}", cookie_attrs(req, 0)),
                ))
            }
            ("GET", "/") => {
                let hosts = self.api.state.hosts().map_err(fail)?;
                let mut rows = Vec::with_capacity(hosts.len());
                for h in hosts {
                    let checks = self.api.state.checks(&h.id).map_err(fail)?;
                    rows.push((h, checks));
                }
                Ok(pages::hosts(&session, &rows, now()))
            }
            ("GET", p) if p.starts_with("/hosts/") => {
                let host_id = &p["/hosts/".len()..];
                let Some(host) = self.api.state.host(host_id).map_err(fail)? else {
                    return Err(pages::not_found(&session, &format!("no host {host_id:?}")));
                };
                let checks = self.api.state.checks(host_id).map_err(fail)?;
                Ok(pages::host(&session, &host, &checks, now()))
            }
            ("GET", p) if p.starts_with("/ui/hosts/") && p.ends_with("/graphs") => {
                // `/ui/hosts/graphs` has both affixes overlapping: no host.
                let Some(host_id) = p
                    .strip_prefix("/ui/hosts/")
                    .and_then(|r| r.strip_suffix("/graphs"))
                else {
                    return Err(Response::error(404, "no host"));
                };
                self.graphs_json(req, host_id)
            }
            ("GET", _) => Err(pages::not_found(&session, "no such page")),
            _ => Err(Response::error(405, "method not allowed here")),
        }
    }

    fn login_form(&self, req: &Request, message: Option<&str>, status: u16) -> Response {
        // The login form's own CSRF token: a random value in a cookie and
        // in the form, which another site can neither read nor set.
        // One token per browser, kept while its cookie lives: a second
        // load of the page (another tab, a redirected favicon request) must
        // not invalidate the form already shown.
        let kept = cookie(req, LOGIN_CSRF_COOKIE)
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
        let token = match kept {
            Some(t) => t.to_string(),
            None => match auth::random_bytes(32) {
                Ok(b) => b.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                Err(e) => return Response::error(500, &format!("/dev/urandom: {e}")),
            },
        };
        let mut r = pages::login(&token, message);
        r.status = status;
        r.with_header(
            "Set-Cookie",
            &format!("{LOGIN_CSRF_COOKIE}={token}; {}", cookie_attrs(req, 3600)),
        )
    }

    fn login(&self, req: &Request) -> Result<Response, Response> {
        let sent = form_field(req, "csrf").unwrap_or_default();
        let kept = cookie(req, LOGIN_CSRF_COOKIE).unwrap_or_default();
        if sent.is_empty() || !auth::constant_time_eq(sent.as_bytes(), kept.as_bytes()) {
            return Ok(self.login_form(
                req,
                Some("The form had expired or did not come from this server; try again."),
                403,
            ));
        }
        let user = form_field(req, "user").unwrap_or_default();
        let password = form_field(req, "password").unwrap_or_default();
        // Bounded before anything is kept of them (the limiter keys on the
        // user name).
        if user.len() > 255 || password.len() > 1024 {
            return Ok(self.login_form(req, Some("The user name or password is too long."), 400));
        }
        let address = self.client_address(req);
        let t = Instant::now();
        if let Some(wait) = self.auth.limiter.blocked(&address, &user, t) {
            return Ok(self
                .login_form(
                    req,
                    Some(&format!(
                        "Too many failed logins; try again in {wait} seconds."
                    )),
                    429,
                )
                .with_header("Retry-After", &wait.to_string()));
        }
        let ok = self
            .auth
            .check_password(&user, &password)
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        if !ok {
            self.auth.limiter.failed(&address, &user, t);
            return Ok(self.login_form(req, Some("Wrong user name or password."), 401));
        }
        self.auth.limiter.succeeded(&address, &user);
        let (id, _) = self
            .auth
            .create_session(&user, now())
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        Ok(redirect("/")
            .with_header(
                "Set-Cookie",
                &format!(
                    "{SESSION_COOKIE}={id}; {}",
                    cookie_attrs(req, auth::SESSION_SECS)
                ),
            )
            .with_header(
                "Set-Cookie",
                &format!("{LOGIN_CSRF_COOKIE}=; {}", cookie_attrs(req, 0)),
            ))
    }

    /// `/ui/hosts/ID/graphs?from=S&to=S`: the host's charts over a range
    /// (the last hour by default), each line's points as `[time, value]`;
    /// raw points up to ~600 per line, per-step averages past that.
    fn graphs_json(&self, req: &Request, host_id: &str) -> Result<Response, Response> {
        let num = |p: &str, default: i64| -> Result<i64, Response> {
            match req.param(p) {
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
                    .ok_or_else(|| Response::error(400, &format!("{p}={v:?} is not a number"))),
                None => Ok(default),
            }
        };
        let t = now();
        let (from, to) = (num("from", t - 3600)?, num("to", t)?);
        if to <= from {
            return Err(Response::error(400, "to= must be after from="));
        }
        let span = to - from;
        // Past 6 hours, averages: about 600 per line, over steps of whole
        // 5 minutes and a range aligned to them, so the store can answer
        // from its rollups instead of reading every raw point.
        let step = if span <= 6 * 3600 {
            0
        } else {
            ((span / 600 + 299) / 300) * 300
        };
        let (q_from, q_to) = if step == 0 {
            (from, to)
        } else {
            (
                from - from.rem_euclid(step),
                to + (step - to.rem_euclid(step)) % step,
            )
        };
        let series = self
            .api
            .metrics
            .query_range(
                &[sonde_tsdb::Matcher::eq("host", host_id)],
                q_from * 1000,
                q_to * 1000,
                step * 1000,
            )
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        let mut points: std::collections::HashMap<String, Vec<(i64, f64)>> =
            std::collections::HashMap::new();
        for s in series {
            let p: Vec<(i64, f64)> = match s.points {
                sonde_tsdb::Points::Raw(p) => p.into_iter().map(|(ts, v)| (ts / 1000, v)).collect(),
                sonde_tsdb::Points::Buckets(b) => {
                    b.into_iter().map(|b| (b.ts / 1000, b.avg())).collect()
                }
            };
            if !p.is_empty() {
                points.entry(s.key.name).or_default().extend(p);
            }
        }
        let mut names: Vec<String> = points.keys().cloned().collect();
        names.sort();
        let defs = self
            .api
            .state
            .graph_defs(host_id)
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        let graphs: Vec<serde_json::Value> = graphs::build(&names, &defs)
            .into_iter()
            .map(|g| {
                let lines: Vec<serde_json::Value> = g
                    .lines
                    .iter()
                    .map(|l| {
                        let pts: Vec<serde_json::Value> = points
                            .get(&l.metric)
                            .map(|p| {
                                p.iter()
                                    .filter(|(_, v)| v.is_finite())
                                    .map(|(t, v)| serde_json::json!([t, v]))
                                    .collect()
                            })
                            .unwrap_or_default();
                        serde_json::json!({
                            "metric": l.metric, "label": l.label,
                            "stacked": l.stacked, "points": pts,
                        })
                    })
                    .collect();
                serde_json::json!({ "title": g.title, "unit": g.unit, "lines": lines })
            })
            .collect();
        Ok(Response::json(
            200,
            &serde_json::json!({ "from": from, "to": to, "step": step, "graphs": graphs }),
        )
        .with_header("Cache-Control", "no-store"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)], body: &str) -> Request {
        Request {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            peer: std::net::SocketAddr::from(([127, 0, 0, 1], 1)),
        }
    }

    #[test]
    fn cookies_and_form_fields() {
        let r = req(
            &[("cookie", "a=1; sonde_session=abc"), ("cookie", "b=2")],
            "user=ad%20min&password=p%26w%3D&csrf=",
        );
        assert_eq!(cookie(&r, "sonde_session"), Some("abc"));
        assert_eq!(cookie(&r, "b"), Some("2"));
        assert_eq!(cookie(&r, "session"), None);
        assert_eq!(form_field(&r, "user").as_deref(), Some("ad min"));
        assert_eq!(form_field(&r, "password").as_deref(), Some("p&w="));
        assert_eq!(form_field(&r, "csrf").as_deref(), Some(""));
        assert_eq!(form_field(&r, "nope"), None);
        let all = form_fields(&r);
        assert_eq!(all.len(), 3);
        assert_eq!(all["password"], "p&w=");
        // Not UTF-8: no fields, no panic.
        let mut bad = req(&[], "");
        bad.body = vec![0xff, 0xfe, b'='];
        assert_eq!(form_field(&bad, "user"), None);
    }

    #[test]
    fn cookies_are_secure_behind_tls() {
        let plain = cookie_attrs(&req(&[], ""), 60);
        assert_eq!(plain, "HttpOnly; SameSite=Strict; Path=/; Max-Age=60");
        let tls = cookie_attrs(&req(&[("x-forwarded-proto", "https")], ""), 60);
        assert!(tls.ends_with("; Secure"), "{tls}");
    }
}
