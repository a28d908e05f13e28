//! `http` (go-check-plugins' check-http): fetches a URL over HTTP/1.1, plain
//! or TLS, with the client of [`super::http_wire`], and grades the status
//! code, a body pattern, the response time and (https) the certificate's
//! days left.
//!
//! ```text
//! sonde plugin http -u https://example.com/health -s 200-299 -p '"ok"' -w 1 -c 3 --cert-days-warning 30
//! HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.004 second response time; certificate expires in 80 days (2027-02-10 12:00:00 UTC)
//! ```
//!
//! Status codes map to statuses as check-http maps them: `-s 404=ok` (or a
//! range, `-s 500-599=warning`) says what a code means; codes no mapping
//! names are OK below 400, WARNING below 500, CRITICAL otherwise. A bare
//! range (`-s 200-399`) names the expected codes: OK inside, CRITICAL
//! outside. Redirects are followed (`--max-redirects`, 10; 0 makes the 3xx
//! the answer). `--user USER[:PASSWORD]` sends basic authentication;
//! `--connect-to` sends the request to another address under the URL's
//! name (a backend behind a load balancer).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::args::{self, Flag, opt, switch};
use super::http_wire::{self, Response, Url};
use super::net::{self, Deadline, Timed};
use super::tls::{self, Trust};
use super::{DEFAULT_TIMEOUT, TimeLimits, der, result, worse};
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "http";

const FLAGS: &[Flag] = &[
    opt(Some('u'), "url"),
    opt(Some('s'), "status"),
    opt(Some('p'), "pattern"),
    opt(Some('m'), "method"),
    opt(Some('d'), "body"),
    opt(Some('H'), "header"),
    switch(None, "no-check-certificate"),
    opt(None, "ca-file"),
    opt(Some('w'), "warning"),
    opt(Some('c'), "critical"),
    opt(Some('t'), "timeout"),
    opt(None, "cert-days-warning"),
    opt(None, "cert-days-critical"),
    opt(Some('B'), "require-bytes"),
    opt(Some('g'), "min-bytes"),
    opt(None, "max-bytes"),
    opt(None, "max-redirects"),
    opt(None, "connect-to"),
    opt(None, "user"),
];

/// `--connect-to HOST1:PORT1:HOST2:PORT2` (as curl and check-http take it):
/// a request for HOST1:PORT1 connects to HOST2:PORT2 instead, while the
/// Host header, SNI and certificate check keep the URL's name. An empty
/// part matches any host or port (1, 2) or keeps the URL's (3, 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectTo {
    from_host: Option<String>,
    from_port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
}

impl ConnectTo {
    fn parse(s: &str) -> Result<ConnectTo, String> {
        let bad = || format!("--connect-to {s:?}: expected HOST1:PORT1:HOST2:PORT2");
        // A host part: `[v6]`, a name or IPv4 address, or nothing.
        fn host(rest: &str) -> Option<(Option<String>, &str)> {
            if let Some(r) = rest.strip_prefix('[') {
                let (h, after) = r.split_once(']')?;
                return Some((Some(h.to_string()), after));
            }
            let end = rest.find(':').unwrap_or(rest.len());
            let h = &rest[..end];
            Some(((!h.is_empty()).then(|| h.to_string()), &rest[end..]))
        }
        fn port(rest: &str) -> Option<(Option<u16>, &str)> {
            let end = rest.find(':').unwrap_or(rest.len());
            let p = &rest[..end];
            let port = if p.is_empty() {
                None
            } else {
                Some(p.parse().ok()?)
            };
            Some((port, &rest[end..]))
        }
        let (from_host, r) = host(s).ok_or_else(bad)?;
        let (from_port, r) = port(r.strip_prefix(':').ok_or_else(bad)?).ok_or_else(bad)?;
        let (to_host, r) = host(r.strip_prefix(':').ok_or_else(bad)?).ok_or_else(bad)?;
        let (to_port, r) = port(r.strip_prefix(':').ok_or_else(bad)?).ok_or_else(bad)?;
        if !r.is_empty() {
            return Err(bad());
        }
        Ok(ConnectTo {
            from_host,
            from_port,
            to_host,
            to_port,
        })
    }
}

/// Where to connect for `url`: the first `--connect-to` that matches, else
/// the URL's host and port.
fn dial_target(url: &Url, maps: &[ConnectTo]) -> (String, u16) {
    maps.iter()
        .find(|m| {
            m.from_host
                .as_ref()
                .is_none_or(|h| h.eq_ignore_ascii_case(&url.host))
                && m.from_port.is_none_or(|p| p == url.port)
        })
        .map(|m| {
            (
                m.to_host.clone().unwrap_or_else(|| url.host.clone()),
                m.to_port.unwrap_or(url.port),
            )
        })
        .unwrap_or_else(|| (url.host.clone(), url.port))
}

/// Redirects followed unless `--max-redirects` says otherwise (check-http's
/// default).
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// The most body kept (and read) unless `--max-bytes` says otherwise: a
/// health page is small, and a check must not download a film.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// One `-s` mapping: codes `lo..=hi` mean `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatusRange {
    lo: u16,
    hi: u16,
    status: CheckStatus,
}

/// Parses `200`, `200-399`, `404=ok`, `500-599=warning`; a bare code or
/// range is marked `expected` (true in the second value).
fn parse_status(s: &str) -> Result<(StatusRange, bool), String> {
    let bad = || format!("--status {s:?}: expected CODE[-CODE][=ok|warning|critical|unknown]");
    let (codes, st) = match s.split_once('=') {
        Some((c, st)) => (c, Some(st)),
        None => (s, None),
    };
    let (lo, hi) = match codes.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let c = codes.trim().parse().map_err(|_| bad())?;
            (c, c)
        }
    };
    if lo > hi || !(100..=999).contains(&lo) || hi > 999 {
        return Err(bad());
    }
    let status = match st.map(str::to_ascii_lowercase).as_deref() {
        None | Some("ok") => CheckStatus::Ok,
        Some("warning") => CheckStatus::Warning,
        Some("critical") => CheckStatus::Critical,
        Some("unknown") => CheckStatus::Unknown,
        Some(_) => return Err(bad()),
    };
    Ok((StatusRange { lo, hi, status }, st.is_none()))
}

/// What a request took and brought back.
pub(crate) struct Fetched {
    pub response: Response,
    /// Resolving the host's name.
    pub dns: Duration,
    /// The TCP connection.
    pub connect: Duration,
    /// The TLS handshake (https only).
    pub tls: Option<Duration>,
    /// From the request written to the response's first byte.
    pub first_byte: Duration,
    /// From the start to the whole response read.
    pub total: Duration,
    /// The leaf certificate's expiry (https only), or why it is unknown.
    pub not_after: Option<Result<i64, String>>,
}

/// How to make a request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub url: Url,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub trust: Option<Trust>,
    pub verify: bool,
    pub timeout: Duration,
    pub max_bytes: usize,
    pub connect_to: Vec<ConnectTo>,
}

/// Makes the request; the error says which step failed, for which address.
pub(crate) fn fetch(req: &Request) -> Result<Fetched, String> {
    let url = &req.url;
    let deadline = Deadline::after(req.timeout);
    let start = Instant::now();
    let (host, port) = dial_target(url, &req.connect_to);
    let addrs = net::resolve(&host, port, deadline).map_err(|e| e.to_string())?;
    let dns = start.elapsed();
    let tcp = net::connect(&addrs, deadline).map_err(|e| e.to_string())?;
    let connect = start.elapsed() - dns;
    let peer = tcp
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| net::host_port(&host, port));
    let timed = Timed {
        sock: tcp,
        deadline,
    };
    let bytes = http_wire::request(&req.method, url, &req.headers, &req.body);
    let head = req.method.eq_ignore_ascii_case("HEAD");
    let in_context = |e: String| format!("{peer}: {e}");
    // An https URL reached without a configured trust (a redirect from
    // http) is checked against the system roots.
    let trust = match (&req.trust, url.tls) {
        (_, false) => None,
        (Some(t), true) => Some(t.clone()),
        (None, true) => Some(Trust::new(None)?),
    };
    match trust {
        Some(trust) => {
            let h =
                tls::handshake(&trust, timed, &url.host).map_err(|e| in_context(e.to_string()))?;
            if req.verify
                && let Err(e) = &h.verdict
            {
                return Err(in_context(format!("certificate: {e}")));
            }
            let not_after = Some(h.validity().map(|v| v.not_after));
            let tls_took = h.took;
            let (response, first_byte) =
                exchange(EofIsEnd(h.stream), &bytes, head, req.max_bytes).map_err(in_context)?;
            Ok(Fetched {
                response,
                dns,
                connect,
                tls: Some(tls_took),
                first_byte,
                total: start.elapsed(),
                not_after,
            })
        }
        None => {
            let (response, first_byte) =
                exchange(timed, &bytes, head, req.max_bytes).map_err(in_context)?;
            Ok(Fetched {
                response,
                dns,
                connect,
                tls: None,
                first_byte,
                total: start.elapsed(),
                not_after: None,
            })
        }
    }
}

/// Writes the request and reads the response; returns it and the time to
/// its first byte.
fn exchange<S: Read + Write>(
    mut s: S,
    request: &[u8],
    head: bool,
    cap: usize,
) -> Result<(Response, Duration), String> {
    s.write_all(request)
        .and_then(|()| s.flush())
        .map_err(|e| format!("sending the request: {e}"))?;
    let sent = Instant::now();
    let mut r = BufReader::new(s);
    r.fill_buf()
        .map_err(|e| format!("waiting for the response: {e}"))?;
    let first_byte = sent.elapsed();
    let resp = http_wire::read_response(&mut r, head, cap)
        .map_err(|e| format!("reading the response: {e}"))?;
    Ok((resp, first_byte))
}

/// A TLS stream on which a peer's close without close_notify is the end of
/// the data (many servers do so; a body's own framing still catches a
/// response cut short).
struct EofIsEnd<S>(S);

impl<S: Read> Read for EofIsEnd<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}

impl<S: Write> Write for EofIsEnd<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Parses `Name: value` header arguments.
pub(crate) fn parse_headers(
    plugin: &str,
    given: &[&str],
) -> Result<Vec<(String, String)>, UsageError> {
    given
        .iter()
        .map(|h| {
            let (n, v) = h.split_once(':').ok_or_else(|| {
                args::usage(plugin, format!("--header {h:?}: expected 'Name: value'"))
            })?;
            let n = n.trim();
            let valid = !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && b != b':');
            if !valid || v.contains(['\r', '\n']) {
                return Err(args::usage(
                    plugin,
                    format!("--header {h:?}: not a valid header"),
                ));
            }
            Ok((n.to_string(), v.trim().to_string()))
        })
        .collect()
}

/// The configured `http` check.
#[derive(Debug)]
pub struct Http {
    req: Request,
    statuses: Vec<StatusRange>,
    /// A bare `-s` range was given: codes outside every range are CRITICAL.
    expect_listed: bool,
    pattern: Option<regex::bytes::Regex>,
    pattern_text: String,
    limits: TimeLimits,
    cert_warning: Option<i64>,
    cert_critical: Option<i64>,
    require_bytes: Option<u64>,
    min_bytes: Option<u64>,
    max_redirects: u32,
}

impl Http {
    /// Configures the check from its flags.
    pub fn from_args(a: &[String]) -> Result<Http, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let url = Url::parse(p.required("url")?).map_err(|e| args::usage(NAME, e))?;
        let mut statuses = Vec::new();
        let mut expect_listed = false;
        for s in p.all("status") {
            let (r, expected) = parse_status(s).map_err(|e| args::usage(NAME, e))?;
            statuses.push(r);
            expect_listed |= expected;
        }
        let method = p.get("method").unwrap_or("GET").to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(args::usage(
                NAME,
                format!("--method {method:?} is not an HTTP method"),
            ));
        }
        let pattern_text = p.get("pattern").unwrap_or_default().to_string();
        let pattern = p
            .get("pattern")
            .map(|pat| {
                regex::bytes::Regex::new(pat).map_err(|e| {
                    args::usage(NAME, format!("--pattern {pat:?} is not a valid regex: {e}"))
                })
            })
            .transpose()?;
        let trust = url
            .tls
            .then(|| Trust::new(p.get("ca-file").map(Path::new)))
            .transpose()
            .map_err(|e| args::usage(NAME, e))?;
        let mut headers = parse_headers(NAME, &p.all("header"))?;
        if let Some(user) = p.get("user") {
            let given = headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
            if !given {
                let cred = if user.contains(':') {
                    user.to_string()
                } else {
                    format!("{user}:")
                };
                headers.push((
                    "Authorization".into(),
                    format!("Basic {}", http_wire::base64(cred.as_bytes())),
                ));
            }
        }
        let connect_to = p
            .all("connect-to")
            .into_iter()
            .map(ConnectTo::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| args::usage(NAME, e))?;
        Ok(Http {
            req: Request {
                url,
                method,
                headers,
                connect_to,
                body: p.get("body").unwrap_or_default().as_bytes().to_vec(),
                trust,
                verify: !p.has("no-check-certificate"),
                timeout: p.timeout(DEFAULT_TIMEOUT)?,
                max_bytes: p.num("max-bytes")?.unwrap_or(DEFAULT_MAX_BYTES),
            },
            statuses,
            expect_listed,
            pattern,
            pattern_text,
            limits: TimeLimits::from_args(&p)?,
            cert_warning: p.num("cert-days-warning")?,
            cert_critical: p.num("cert-days-critical")?,
            require_bytes: p.num("require-bytes")?,
            min_bytes: p.num("min-bytes")?,
            max_redirects: p.num("max-redirects")?.unwrap_or(DEFAULT_MAX_REDIRECTS),
        })
    }

    /// The status the response's code maps to.
    fn code_status(&self, code: u16) -> CheckStatus {
        if let Some(r) = self.statuses.iter().find(|r| (r.lo..=r.hi).contains(&code)) {
            return r.status;
        }
        if self.expect_listed || code >= 500 {
            CheckStatus::Critical
        } else if code >= 400 {
            CheckStatus::Warning
        } else {
            CheckStatus::Ok
        }
    }
}

impl CheckPlugin for Http {
    fn check(&mut self) -> CheckResult {
        let mut req = self.req.clone();
        let mut hops = Vec::new();
        let mut elapsed = Duration::ZERO;
        let f = loop {
            let f = match fetch(&req) {
                Ok(f) => f,
                Err(e) => {
                    return result(
                        "HTTP",
                        CheckStatus::Critical,
                        format!("{}: {e}", req.url.display()),
                    );
                }
            };
            elapsed += f.total;
            let next = (300..400)
                .contains(&f.response.status)
                .then(|| f.response.header("location"))
                .flatten()
                .filter(|_| hops.len() < self.max_redirects as usize);
            let Some(location) = next else { break f };
            match req.url.join(location) {
                Ok(u) => req.url = u,
                // A Location we cannot follow: the redirect is the answer.
                Err(_) => break f,
            }
            if !matches!(f.response.status, 307 | 308) {
                // As browsers do: the request after a 301/302/303 is a GET.
                req.method = "GET".into();
                req.body.clear();
            }
            hops.push(req.url.display());
            // One --timeout for the request and all its redirects.
            req.timeout = self.req.timeout.saturating_sub(elapsed);
            if req.timeout.is_zero() {
                return result(
                    "HTTP",
                    CheckStatus::Critical,
                    format!("{}: timed out following redirects", req.url.display()),
                );
            }
        };
        let r = &f.response;
        let mut status = self.code_status(r.status);
        let mut notes = String::new();
        if let Some(re) = &self.pattern
            && !re.is_match(&r.body)
        {
            notes.push_str(&format!(
                "'{}' not found in the content\n",
                self.pattern_text
            ));
            status = CheckStatus::Critical;
        }
        if let Some(want) = self.require_bytes
            && r.length != want
        {
            notes.push_str(&format!(
                "Response was '{}' bytes instead of '{want}'\n",
                r.length
            ));
            status = CheckStatus::Critical;
        }
        if let Some(min) = self.min_bytes
            && r.length < min
        {
            notes.push_str(&format!(
                "Response was '{}' bytes instead of the indicated minimum '{min}'\n",
                r.length
            ));
            status = CheckStatus::Critical;
        }
        status = worse(status, self.limits.status(elapsed));
        let mut msg = format!(
            "{notes}{} {} {} - {}{} bytes in {:.3} second response time",
            r.version,
            r.status,
            r.reason,
            if r.truncated { "more than " } else { "" },
            r.length,
            elapsed.as_secs_f64()
        );
        if let Some(last) = hops.last() {
            let n = hops.len();
            msg.push_str(&format!(
                "; followed {n} redirect{} to {last}",
                if n == 1 { "" } else { "s" }
            ));
        }
        match &f.not_after {
            Some(Ok(not_after)) => {
                let days = tls::days_left(*not_after, crate::epoch_now() as i64);
                msg.push_str(&format!(
                    "; certificate expires in {days} days ({})",
                    der::format_utc(*not_after)
                ));
                if self.cert_critical.is_some_and(|c| days < c) {
                    status = CheckStatus::Critical;
                } else if self.cert_warning.is_some_and(|w| days < w) {
                    status = worse(status, CheckStatus::Warning);
                }
            }
            Some(Err(e)) if self.cert_warning.is_some() || self.cert_critical.is_some() => {
                msg.push_str(&format!("; certificate: {e}"));
                status = worse(status, CheckStatus::Unknown);
            }
            _ => {}
        }
        result("HTTP", status, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mappings() {
        let (r, bare) = parse_status("200-399").expect("valid");
        assert_eq!(
            (r.lo, r.hi, r.status, bare),
            (200, 399, CheckStatus::Ok, true)
        );
        let (r, bare) = parse_status("404=Warning").expect("valid");
        assert_eq!(
            (r.lo, r.hi, r.status, bare),
            (404, 404, CheckStatus::Warning, false)
        );
        for bad in ["", "abc", "399-200", "200=meh", "99", "200-1000", "=ok"] {
            assert!(parse_status(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn connect_to() {
        let c = ConnectTo::parse("example.com:443:[::1]:8443").expect("valid");
        assert_eq!(
            c,
            ConnectTo {
                from_host: Some("example.com".into()),
                from_port: Some(443),
                to_host: Some("::1".into()),
                to_port: Some(8443),
            }
        );
        let any = ConnectTo::parse("::127.0.0.1:").expect("valid");
        let u = Url::parse("https://example.com/").expect("valid");
        assert_eq!(
            dial_target(&u, std::slice::from_ref(&c)),
            ("::1".into(), 8443)
        );
        assert_eq!(dial_target(&u, &[any]), ("127.0.0.1".into(), 443));
        let other = Url::parse("https://example.org:444/").expect("valid");
        assert_eq!(dial_target(&other, &[c]), ("example.org".into(), 444));
        for bad in ["a:b:c:d", "a:1:b", "a:1:b:2:3", "[::1:1:b:2", "a:99999:b:1"] {
            assert!(ConnectTo::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers() {
        let h = parse_headers("http", &["X-A: 1", "Host:example.com"]).expect("valid");
        assert_eq!(
            h,
            vec![
                ("X-A".into(), "1".into()),
                ("Host".into(), "example.com".into())
            ]
        );
        assert!(parse_headers("http", &["no colon"]).is_err());
        assert!(parse_headers("http", &["Bad Name: x"]).is_err());
        assert!(parse_headers("http", &[": x"]).is_err());
    }
}
