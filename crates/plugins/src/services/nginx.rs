//! `nginx`: the `stub_status` page over plain HTTP/1.1 (one GET of our
//! own), named as mackerel-plugin-nginx names it
//! (`nginx.connections.connections`, `nginx.requests.accepts`,
//! `nginx.queue.reading`, ...).

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use super::args::{self, Flag, Flags};
use super::graph::{self, Graph, Stats, counter, gauge};
use super::net::Endpoint;
use crate::{MetricPlugin, PluginError, Sample, UsageError};

const FLAGS: &[Flag] = &[
    Flag::new(
        "uri",
        "URL",
        "the status page, http://HOST[:PORT]/PATH (instead of --host, --port, --path)",
    ),
    Flag::new(
        "scheme",
        "http",
        "only http: the agent does not carry a TLS client",
    ),
    Flag::new("host", "HOST", "server host (default localhost)"),
    Flag::new("port", "PORT", "server port (default 8080)"),
    Flag::new("path", "PATH", "status page path (default /nginx_status)"),
    Flag::new(
        "header",
        "NAME: VALUE",
        "an extra request header (may be repeated)",
    ),
    args::TIMEOUT,
];

const GRAPHS: &[Graph] = &[
    Graph {
        key: "connections",
        label: "Connections",
        unit: "integer",
        metrics: &[gauge("connections", "Active connections")],
    },
    Graph {
        key: "requests",
        label: "requests",
        unit: "float",
        metrics: &[
            counter("accepts", "Accepted connections"),
            counter("handled", "Handled connections"),
            counter("requests", "Handled requests"),
        ],
    },
    Graph {
        key: "queue",
        label: "connection status",
        unit: "integer",
        metrics: &[
            gauge("reading", "Reading"),
            gauge("writing", "Writing"),
            gauge("waiting", "Waiting"),
        ],
    },
];

/// The nginx plugin, configured.
#[derive(Debug)]
pub struct Nginx {
    endpoint: Endpoint,
    /// `Host` header value.
    host_header: String,
    path: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
}

impl Nginx {
    /// Configured from the arguments after the plugin's name.
    pub fn from_args(args: &[String]) -> Result<Nginx, UsageError> {
        let f = Flags::parse("nginx", args, FLAGS)?;
        let scheme = f.string("scheme", "http");
        if scheme != "http" {
            return Err(f.bad("scheme", &scheme, "http (no TLS client in the agent)"));
        }
        let (host, port, path) = match f.get("uri") {
            Some(uri) => {
                parse_uri(uri).ok_or_else(|| f.bad("uri", uri, "http://HOST[:PORT]/PATH"))?
            }
            None => (
                f.string("host", "localhost"),
                f.number("port", 8080u16)?,
                f.string("path", "/nginx_status"),
            ),
        };
        if !path.starts_with('/')
            || path
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(f.bad("path", &path, "a path starting with /, without spaces"));
        }
        let mut headers = Vec::new();
        for h in f.all("header") {
            let (n, v) = h
                .split_once(':')
                .filter(|(n, v)| {
                    !n.trim().is_empty() && !n.contains(['\r', '\n']) && !v.contains(['\r', '\n'])
                })
                .ok_or_else(|| f.bad("header", h, "NAME: VALUE on one line"))?;
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
        let host_header = if port == 80 {
            host.clone()
        } else {
            format!("{host}:{port}")
        };
        Ok(Nginx {
            endpoint: Endpoint::Tcp { host, port },
            host_header,
            path,
            headers,
            timeout: f.timeout()?,
        })
    }

    fn request(&self) -> Vec<u8> {
        let mut r = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: sonde-agent\r\nAccept: */*\r\nConnection: close\r\n",
            self.path, self.host_header
        );
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case("host") {
                // A Host header given replaces ours (name-based vhosts).
                r = r.replacen(&format!("Host: {}\r\n", self.host_header), "", 1);
            }
            r.push_str(&format!("{n}: {v}\r\n"));
        }
        r.push_str("\r\n");
        r.into_bytes()
    }
}

impl MetricPlugin for Nginx {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let mut s = self.endpoint.connect("nginx", self.timeout)?;
        let url = format!("http://{}{}", s.addr(), self.path);
        s.write_all(&self.request())
            .map_err(|e| s.error(format!("GET {}: {e}", self.path)))?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).map_err(|e| {
                PluginError::new(format!("nginx at {url}: reading the response: {e}"))
            })?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if is_complete(&buf) {
                break;
            }
            if buf.len() > MAX_RESPONSE {
                return Err(PluginError::new(format!(
                    "nginx at {url}: response longer than {MAX_RESPONSE} bytes: not a stub_status page"
                )));
            }
        }
        let (status, body) =
            parse_response(&buf).map_err(|e| PluginError::new(format!("nginx at {url}: {e}")))?;
        if status != 200 {
            return Err(PluginError::new(format!(
                "nginx at {url}: HTTP {status} (is stub_status on at that location?)"
            )));
        }
        let st = parse_stub_status(&String::from_utf8_lossy(&body))
            .map_err(|e| PluginError::new(format!("nginx at {url}: {e}")))?;
        Ok(graph::samples("nginx", GRAPHS, &st))
    }

    fn graphs(&self) -> Value {
        graph::meta("nginx", "Nginx", GRAPHS)
    }
}

/// A stub_status page is a few hundred bytes.
const MAX_RESPONSE: usize = 64 << 10;

/// `http://host[:port]/path` apart.
fn parse_uri(uri: &str) -> Option<(String, u16, String)> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), 80),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some((host, port, path))
}

/// Why an HTTP response cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("not an HTTP response: {0:?}")]
    StatusLine(String),
    #[error("the response ended inside its headers")]
    Headers,
    #[error("bad chunked body at byte {0}")]
    Chunk(usize),
    #[error("the body is shorter than its Content-Length ({0} < {1})")]
    Short(usize, usize),
}

/// The status code and body of a whole HTTP/1.x response (the server
/// closed the connection after it), with a chunked body decoded.
pub fn parse_response(buf: &[u8]) -> Result<(u16, Vec<u8>), HttpError> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        let first = buf.split(|b| *b == b'\n').next().unwrap_or_default();
        if !first.starts_with(b"HTTP/1.") {
            return Err(HttpError::StatusLine(
                String::from_utf8_lossy(&first[..first.len().min(60)]).into(),
            ));
        }
        return Err(HttpError::Headers);
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..))
        .and_then(|r| r.split(' ').next())
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| HttpError::StatusLine(status_line.chars().take(60).collect()))?;
    let (chunked, length) = framing(lines);
    let body = &buf[end + 4..];
    if chunked {
        return Ok((status, dechunk(body)?));
    }
    match length {
        Some(n) if body.len() < n => Err(HttpError::Short(body.len(), n)),
        Some(n) => Ok((status, body[..n].to_vec())),
        None => Ok((status, body.to_vec())),
    }
}

/// Whether the body is chunked, and its Content-Length, from the header
/// lines.
fn framing<'a>(lines: impl Iterator<Item = &'a str>) -> (bool, Option<usize>) {
    let mut chunked = false;
    let mut length = None;
    for l in lines {
        let Some((n, v)) = l.split_once(':') else {
            continue;
        };
        let v = v.trim();
        if n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        } else if n.eq_ignore_ascii_case("content-length") {
            length = v.parse::<usize>().ok();
        }
    }
    (chunked, length)
}

/// Whether `buf` already holds a whole response whose headers say where
/// it ends (Content-Length or chunks): then a server that keeps the
/// connection open despite `Connection: close` is not waited for.
pub fn is_complete(buf: &[u8]) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    let body = &buf[end + 4..];
    match framing(head.split("\r\n").skip(1)) {
        (true, _) => dechunk(body).is_ok(),
        (false, Some(n)) => body.len() >= n,
        (false, None) => false,
    }
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, HttpError> {
    let total = b.len();
    let mut out = Vec::new();
    loop {
        let at = total - b.len();
        let nl = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(HttpError::Chunk(at))?;
        let size_text = std::str::from_utf8(&b[..nl]).map_err(|_| HttpError::Chunk(at))?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| HttpError::Chunk(at))?;
        b = &b[nl + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size + 2 || &b[size..size + 2] != b"\r\n" {
            return Err(HttpError::Chunk(at));
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// Why a body is not a stub_status page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a stub_status page: {0}")]
pub struct StubStatusError(String);

/// The stub_status page:
///
/// ```text
/// Active connections: 2
/// server accepts handled requests
///  10 10 25
/// Reading: 0 Writing: 1 Waiting: 1
/// ```
pub fn parse_stub_status(text: &str) -> Result<Stats, StubStatusError> {
    let err = |what: &str| StubStatusError(what.to_string());
    let mut st = Stats::default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let active = lines
        .next()
        .and_then(|l| l.strip_prefix("Active connections:"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| err("no `Active connections: N` line first"))?;
    st.set_u64("connections", active);
    if lines.next() != Some("server accepts handled requests") {
        return Err(err("no `server accepts handled requests` line"));
    }
    let counts: Vec<u64> = lines
        .next()
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let [accepts, handled, requests] = counts[..] else {
        return Err(err(
            "the accepts/handled/requests line does not hold three numbers",
        ));
    };
    st.set_u64("accepts", accepts);
    st.set_u64("handled", handled);
    st.set_u64("requests", requests);
    let queue = lines
        .next()
        .ok_or_else(|| err("no Reading/Writing/Waiting line"))?;
    let words: Vec<&str> = queue.split_whitespace().collect();
    match words[..] {
        ["Reading:", r, "Writing:", w, "Waiting:", q] => {
            for (name, v) in [("reading", r), ("writing", w), ("waiting", q)] {
                let n = v
                    .parse::<u64>()
                    .map_err(|_| err("a Reading/Writing/Waiting value is not a number"))?;
                st.set_u64(name, n);
            }
        }
        _ => return Err(err("the Reading/Writing/Waiting line is malformed")),
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n";

    #[test]
    fn stub_status_reads() {
        let st = parse_stub_status(PAGE).expect("valid");
        assert_eq!(st.get("connections"), Some(291.0));
        assert_eq!(st.get("requests"), Some(31070465.0));
        assert_eq!(st.get("waiting"), Some(106.0));
    }

    #[test]
    fn truncated_pages_are_errors() {
        for cut in [0, 10, 25, 60, 80, PAGE.len() - 5] {
            assert!(parse_stub_status(&PAGE[..cut]).is_err(), "cut at {cut}");
        }
        assert!(parse_stub_status("<html>404</html>").is_err());
    }

    #[test]
    fn responses_with_length_or_chunks_decode() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef";
        assert_eq!(parse_response(r), Ok((200, b"abc".to_vec())));
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_response(r), Ok((200, b"abcde".to_vec())));
        assert_eq!(
            parse_response(b"HTTP/1.1 404 Not Found\r\n\r\n"),
            Ok((404, vec![]))
        );
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        ));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab"
        ));
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab"
        ));
        assert!(!is_complete(b"HTTP/1.1 200 OK\r\n\r\nuntil close"));
    }

    #[test]
    fn broken_responses_are_errors() {
        assert!(matches!(
            parse_response(b"SSH-2.0-OpenSSH\r\n"),
            Err(HttpError::StatusLine(_))
        ));
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK\r\nContent-Le"),
            Err(HttpError::Headers)
        );
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"),
            Err(HttpError::Short(3, 9))
        );
        assert!(matches!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc"),
            Err(HttpError::Chunk(0))
        ));
        assert!(matches!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"),
            Err(HttpError::Chunk(0))
        ));
        assert!(matches!(
            parse_response(b"HTTP/1.1 abc\r\n\r\n"),
            Err(HttpError::StatusLine(_))
        ));
    }

    #[test]
    fn a_server_that_keeps_the_connection_open_is_not_waited_for() {
        use std::io::{Read as _, Write as _};
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            let (mut c, _) = l.accept().expect("accept");
            let mut req = [0u8; 1024];
            let _ = c.read(&mut req);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{PAGE}",
                PAGE.len()
            );
            c.write_all(reply.as_bytes()).expect("reply");
            // Keep the connection open past the plugin's fetch.
            std::thread::sleep(Duration::from_millis(1200));
        });
        let args = [
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--timeout",
            "2",
        ]
        .map(String::from);
        let mut p = Nginx::from_args(&args).expect("valid");
        let started = std::time::Instant::now();
        let s = p.fetch().expect("a whole response");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(s.len(), 7);
        server.join().expect("server thread");
    }

    #[test]
    fn uris_and_flags() {
        assert_eq!(
            parse_uri("http://127.0.0.1:81/st"),
            Some(("127.0.0.1".into(), 81, "/st".into()))
        );
        assert_eq!(parse_uri("http://h"), Some(("h".into(), 80, "/".into())));
        assert_eq!(
            parse_uri("http://[::1]:8080/s"),
            Some(("::1".into(), 8080, "/s".into()))
        );
        assert_eq!(parse_uri("https://h/"), None);
        assert_eq!(parse_uri("http://h:x/"), None);
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let e = Nginx::from_args(&a(&["--scheme", "https"])).expect_err("no tls");
        assert!(e.to_string().contains("--scheme"), "{e}");
        let e = Nginx::from_args(&a(&["--header", "bad"])).expect_err("header");
        assert!(e.to_string().contains("--header \"bad\""), "{e}");
        let n = Nginx::from_args(&a(&["--uri", "http://x:81/s", "--header", "Host: v"]))
            .expect("valid");
        let req = String::from_utf8(n.request()).expect("ascii");
        assert!(req.starts_with("GET /s HTTP/1.1\r\n"), "{req}");
        assert!(
            req.contains("Host: v\r\n") && !req.contains("Host: x:81"),
            "{req}"
        );
    }
}
