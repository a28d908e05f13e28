//! The dashboard's HTML, written out by hand: every value from a host or a
//! user escaped, no inline script (the Content-Security-Policy allows only
//! our own files), data for scripts in `data-` attributes.

use crate::http::Response;
use crate::state::{CheckState, Host};

use super::auth::Session;

/// `&<>"'` escaped, for text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The asset links carry the version, so a new binary's files are fetched
/// however long the old ones were cached.
pub(super) fn head(title: &str) -> String {
    let v = env!("CARGO_PKG_VERSION");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — sonde</title>\
         <link rel=\"stylesheet\" href=\"/assets/uPlot.min.css?v={v}\">\
         <link rel=\"stylesheet\" href=\"/assets/app.css?v={v}\">\
         <script src=\"/assets/uPlot.min.js?v={v}\" defer></script>\
         <script src=\"/assets/app.js?v={v}\" defer></script></head>\n",
        esc(title)
    )
}

pub(super) fn nav(session: &Session) -> String {
    format!(
        "<header><a class=\"brand\" href=\"/\">sonde</a><nav><a href=\"/\">Hosts</a>\
         <a href=\"/services\">Services</a><a href=\"/dashboards\">Dashboards</a>\
         <a href=\"/alerts\">Alerts</a><a href=\"/incidents\">Incidents</a>\
         <a href=\"/monitors\">Monitors</a></nav>\
         <form method=\"post\" action=\"/logout\" class=\"logout\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <span>{}</span> <button type=\"submit\">Log out</button></form></header>\n",
        esc(&session.csrf),
        esc(&session.user)
    )
}

pub(super) fn html(status: u16, body: String) -> Response {
    Response::new(status, "text/html; charset=utf-8", body).with_header("Cache-Control", "no-store")
}

pub fn login(csrf: &str, message: Option<&str>) -> Response {
    let msg = message
        .map(|m| format!("<p class=\"error\" id=\"login-error\">{}</p>", esc(m)))
        .unwrap_or_default();
    html(
        200,
        format!(
            "{}<body class=\"login\"><main><h1>sonde</h1>{msg}\
             <form method=\"post\" action=\"/login\" id=\"login\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required autofocus></label>\
             <label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
             <button type=\"submit\">Log in</button></form></main></body></html>\n",
            head("Log in"),
            esc(csrf)
        ),
    )
}

pub fn not_found(session: &Session, what: &str) -> Response {
    html(
        404,
        format!(
            "{}<body>{}<main><h1>Not found</h1><p>{}</p></main></body></html>\n",
            head("Not found"),
            nav(session),
            esc(what)
        ),
    )
}

/// The worst status of a host's checks (CRITICAL > WARNING > UNKNOWN >
/// OK), or `None` without checks.
pub fn worst(checks: &[CheckState]) -> Option<&'static str> {
    checks
        .iter()
        .map(|c| match c.status.as_str() {
            "CRITICAL" => (3, "CRITICAL"),
            "WARNING" => (2, "WARNING"),
            "OK" => (0, "OK"),
            _ => (1, "UNKNOWN"),
        })
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, s)| s)
}

/// "42 s ago", "3 min ago", "2 h ago", "5 d ago".
pub fn ago(then: Option<i64>, now: i64) -> String {
    let Some(then) = then else {
        return "never".into();
    };
    let d = (now - then).max(0);
    match d {
        0..60 => format!("{d} s ago"),
        60..3600 => format!("{} min ago", d / 60),
        3600..86400 => format!("{} h ago", d / 3600),
        _ => format!("{} d ago", d / 86400),
    }
}

/// A value for people: at most three decimals, no trailing zeros.
pub fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// `YYYY-MM-DDTHH:MM[:SS]` (a `datetime-local` field's value) read as UTC;
/// `None` for anything else.
pub fn parse_utc(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-');
    let (y, m, day): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let mut t = time.splitn(3, ':');
    let (h, min): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: i64 = match t.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || day < 1
        || day > month_days[(m - 1) as usize]
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0..60).contains(&sec)
    {
        return None;
    }
    // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

/// `2026-11-22 12:30:05 UTC`: a time people can compare across pages
/// (the server does not know the reader's zone).
pub fn utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

pub(super) fn spec<'a>(h: &'a Host, path: &[&str]) -> &'a str {
    let mut v = &h.specs;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or("")
}

pub(super) fn status_badge(status: Option<&str>) -> String {
    match status {
        Some(s) => format!(
            "<span class=\"status {}\">{s}</span>",
            s.to_ascii_lowercase()
        ),
        None => "<span class=\"status none\">no checks</span>".into(),
    }
}

/// A host's `service:role`s, each linked to its service's dashboard.
fn roles(h: &Host) -> String {
    h.specs["roleFullnames"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.as_str())
        .map(|full| {
            let service = full.split_once(':').map_or(full, |(s, _)| s).trim();
            format!(
                "<a class=\"role\" href=\"/services/{}\">{}</a>",
                esc(&super::dashboards::enc(service)),
                esc(full)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hosts(session: &Session, hosts: &[(Host, Vec<CheckState>)], now: i64) -> Response {
    let mut rows = String::new();
    for (h, checks) in hosts {
        rows.push_str(&format!(
            "<tr><td><a href=\"/hosts/{}\">{}</a></td><td>{}</td><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&h.id),
            esc(&h.name),
            roles(h),
            status_badge(worst(checks)),
            h.last_seen.unwrap_or(0),
            ago(h.last_seen, now),
            esc(spec(h, &["meta", "agent-version"])),
            esc(spec(h, &["meta", "kernel", "release"])),
        ));
    }
    if hosts.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"6\">No hosts yet: start an agent with this server's write key.</td></tr>\n",
        );
    }
    html(
        200,
        format!(
            "{}<body>{}<main><h1>Hosts</h1><table class=\"hosts\" id=\"hosts\"><thead><tr>\
             <th>Name</th><th>Roles</th><th>Status</th><th>Last seen</th><th>Agent</th><th>Kernel</th></tr></thead>\
             <tbody>{rows}</tbody></table></main></body></html>\n",
            head("Hosts"),
            nav(session)
        ),
    )
}

pub fn host(session: &Session, h: &Host, checks: &[CheckState], now: i64) -> Response {
    let mut check_rows = String::new();
    for c in checks {
        check_rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>\n",
            esc(&c.name),
            status_badge(Some(match c.status.as_str() {
                "OK" => "OK",
                "WARNING" => "WARNING",
                "CRITICAL" => "CRITICAL",
                _ => "UNKNOWN",
            })),
            ago(Some(c.occurred_at), now),
            esc(&c.message)
        ));
    }
    let checks_html = if checks.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>Checks</h2><table class=\"checks\"><thead><tr><th>Check</th><th>Status</th>\
             <th>Reported</th><th>Message</th></tr></thead><tbody>{check_rows}</tbody></table>"
        )
    };
    html(
        200,
        format!(
            "{}<body>{}<main><h1>{} {}</h1>\
             <p class=\"specs\">last seen {} · agent {} · kernel {}</p>{checks_html}\
             <h2>Metrics</h2>{}</main></body></html>\n",
            head(&h.name),
            nav(session),
            esc(&h.name),
            status_badge(worst(checks)),
            ago(h.last_seen, now),
            esc(spec(h, &["meta", "agent-version"])),
            esc(spec(h, &["meta", "kernel", "release"])),
            charts(&format!("data-host=\"{}\"", esc(&h.id))),
        ),
    )
}

/// The range selector and the charts' box (app.js fills it from the JSON
/// `attrs` name: `data-host` for a host's charts, `data-src` for any URL
/// answering in the same shape).
pub fn charts(attrs: &str) -> String {
    format!(
        "<div class=\"range\" id=\"range\" {attrs}>\
         <button type=\"button\" data-span=\"3600\">1h</button>\
         <button type=\"button\" data-span=\"21600\">6h</button>\
         <button type=\"button\" data-span=\"86400\">24h</button>\
         <button type=\"button\" data-span=\"604800\">7d</button>\
         <span class=\"custom\"><input type=\"datetime-local\" id=\"range-from\"> – \
         <input type=\"datetime-local\" id=\"range-to\"> \
         <button type=\"button\" id=\"range-apply\">Show</button></span>\
         <span id=\"range-label\"></span></div>\
         <p class=\"hint\">Drag across a chart to zoom in; double-click to go back.</p>\
         <div id=\"charts\" class=\"charts\"></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: &str) -> CheckState {
        CheckState {
            host_id: "h".into(),
            name: "c".into(),
            status: status.into(),
            message: String::new(),
            occurred_at: 0,
            max_check_attempts: None,
        }
    }

    #[test]
    fn worst_status_wins() {
        assert_eq!(worst(&[]), None);
        assert_eq!(worst(&[check("OK")]), Some("OK"));
        assert_eq!(worst(&[check("OK"), check("UNKNOWN")]), Some("UNKNOWN"));
        assert_eq!(
            worst(&[check("WARNING"), check("UNKNOWN"), check("OK")]),
            Some("WARNING")
        );
        assert_eq!(
            worst(&[check("WARNING"), check("CRITICAL")]),
            Some("CRITICAL")
        );
    }

    #[test]
    fn escaping_and_ages() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(ago(None, 10), "never");
        assert_eq!(ago(Some(100), 142), "42 s ago");
        assert_eq!(ago(Some(0), 7200), "2 h ago");
        assert_eq!(ago(Some(0), 3 * 86400), "3 d ago");
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(number(254.30135799269803), "254.301");
        assert_eq!(number(97.0), "97");
        assert_eq!(number(-0.0001), "0");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(1e12), "1000000000000");
    }

    #[test]
    fn utc_dates_read_back() {
        for t in [0, 951_782_400, 1_795_350_605, 4_102_444_799] {
            let shown = utc(t);
            let typed = shown.trim_end_matches(" UTC").replacen(' ', "T", 1);
            assert_eq!(parse_utc(&typed), Some(t), "{typed}");
        }
        assert_eq!(parse_utc("2026-11-22T12:30"), Some(1_795_350_600));
        for bad in [
            "",
            "2026-11-22",
            "2026-13-01T00:00",
            "2026-02-29T00:00",
            "2026-11-22T24:00",
            "x-y-zTa:b",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_350_605), "2026-11-22 12:30:05 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
    }
}
