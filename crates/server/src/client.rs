//! A small HTTP/1.1 client for the server's own outgoing calls to one
//! origin (VictoriaMetrics): kept-alive connections reused from a pool,
//! timeouts on connecting and on every read and write, `Content-Length` and
//! chunked bodies, a cap on what an answer may hold. Plain HTTP only (put a
//! TLS proxy in front of a remote engine, or keep it on a trusted network).
//!
//! Errors name the URL, so a message that reaches an agent or a log says
//! which engine failed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Mutex;
use std::time::Duration;

/// The most an answer's body may hold (a query answer of millions of
/// points is tens of MiB; past this the engine is answering something else).
const MAX_BODY: usize = 512 << 20;
/// Idle connections kept for reuse.
const MAX_IDLE: usize = 16;

/// Why a call failed: the engine could not be reached or answered nonsense
/// (`Unavailable`: try again later), or it answered with an HTTP error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("{url}: {reason}")]
    Unavailable { url: String, reason: String },
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
}

/// One origin (`http://host:port`, optionally with a path prefix).
#[derive(Debug)]
pub struct Client {
    /// As configured, without a trailing `/`.
    base: String,
    /// `host:port`, for the `Host` header and connecting.
    hostport: String,
    /// The path prefix (`""` or `/prefix`).
    prefix: String,
    idle: Mutex<Vec<BufReader<TcpStream>>>,
    connect_timeout: Duration,
    io_timeout: Duration,
}

/// A whole answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Client {
    /// A client for `url` (`http://host[:port][/prefix]`); nothing is
    /// connected yet.
    pub fn new(url: &str, io_timeout: Duration) -> Result<Client, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("{url}: only http:// URLs are supported (put a TLS proxy in front)")
        })?;
        let rest = rest.trim_end_matches('/');
        let (hostport, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if hostport.is_empty() || hostport.contains(['?', '#', '@']) {
            return Err(format!("{url}: not http://host[:port][/path]"));
        }
        let hostport = if hostport.rsplit_once(':').is_some_and(|(h, p)| {
            !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
        }) {
            hostport.to_string()
        } else if hostport.contains(':') && !hostport.ends_with(']') {
            return Err(format!("{url}: bad port"));
        } else {
            format!("{hostport}:80")
        };
        Ok(Client {
            base: format!("http://{hostport}{prefix}"),
            hostport,
            prefix: prefix.to_string(),
            idle: Mutex::new(Vec::new()),
            connect_timeout: Duration::from_secs(5),
            io_timeout,
        })
    }

    /// The origin as configured (`http://host:port[/prefix]`), for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn unavailable(&self, path: &str, reason: impl std::fmt::Display) -> ClientError {
        ClientError::Unavailable {
            url: format!("{}{}", self.base, path),
            reason: reason.to_string(),
        }
    }

    fn connect(&self, path: &str) -> Result<BufReader<TcpStream>, ClientError> {
        let addrs: Vec<SocketAddr> = self
            .hostport
            .to_socket_addrs()
            .map_err(|e| self.unavailable(path, format!("cannot resolve: {e}")))?
            .collect();
        let mut last = String::from("no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.connect_timeout) {
                Ok(s) => {
                    let _ = s.set_read_timeout(Some(self.io_timeout));
                    let _ = s.set_write_timeout(Some(self.io_timeout));
                    let _ = s.set_nodelay(true);
                    return Ok(BufReader::new(s));
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(self.unavailable(path, format!("cannot connect: {last}")))
    }

    /// `method path` (path and query, starting with `/`) with a body and
    /// extra headers; the answer whatever its status. A kept-alive
    /// connection the engine closed meanwhile is noticed before any answer
    /// byte arrives, and the request is sent once more on a new connection.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, ClientError> {
        let reused = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let was_reused = reused.is_some();
        let conn = match reused {
            Some(c) => c,
            None => self.connect(path)?,
        };
        match self.exchange(conn, method, path, headers, body) {
            Ok(a) => Ok(a),
            Err((_, false)) if was_reused => {
                let conn = self.connect(path)?;
                self.exchange(conn, method, path, headers, body)
                    .map_err(|(e, _)| e)
            }
            Err((e, _)) => Err(e),
        }
    }

    /// One request on one connection; on error, whether any of the answer
    /// had arrived.
    fn exchange(
        &self,
        mut conn: BufReader<TcpStream>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, (ClientError, bool)> {
        use std::fmt::Write as _;
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: sonde-server\r\nContent-Length: {}\r\n",
            self.prefix,
            self.hostport,
            body.len()
        );
        for (k, v) in headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        let fail = |e: &dyn std::fmt::Display, started: bool| (self.unavailable(path, e), started);
        {
            let s = conn.get_mut();
            s.write_all(head.as_bytes())
                .and_then(|()| s.write_all(body))
                .and_then(|()| s.flush())
                .map_err(|e| fail(&e, false))?;
        }
        let mut line = String::new();
        let n = (&mut conn)
            .take(8192)
            .read_line(&mut line)
            .map_err(|e| fail(&e, false))?;
        if n == 0 {
            return Err(fail(&"the connection was closed before an answer", false));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .filter(|_| line.starts_with("HTTP/1."))
            .ok_or_else(|| fail(&format!("not an HTTP answer: {:?}", line.trim_end()), true))?;
        let (mut length, mut chunked, mut close) = (None, false, line.starts_with("HTTP/1.0"));
        let mut header_bytes = 0;
        loop {
            line.clear();
            let n = (&mut conn)
                .take(8192)
                .read_line(&mut line)
                .map_err(|e| fail(&e, true))?;
            header_bytes += n;
            if n == 0 || header_bytes > 64 << 10 {
                return Err(fail(&"the answer's headers were cut or too long", true));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(
                    v.parse::<usize>()
                        .map_err(|_| fail(&format!("bad Content-Length {v:?}"), true))?,
                );
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.eq_ignore_ascii_case("close");
            }
        }
        let too_big = |n: usize| fail(&format!("an answer of {n} bytes; at most {MAX_BODY}"), true);
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                (&mut conn)
                    .take(1024)
                    .read_line(&mut line)
                    .map_err(|e| fail(&e, true))?;
                let size = line.trim_end().split(';').next().unwrap_or("");
                let size = usize::from_str_radix(size.trim(), 16)
                    .map_err(|_| fail(&format!("bad chunk size {:?}", line.trim_end()), true))?;
                if out.len() + size > MAX_BODY {
                    return Err(too_big(out.len() + size));
                }
                if size == 0 {
                    // Trailers, up to the empty line.
                    loop {
                        line.clear();
                        let n = (&mut conn)
                            .take(8192)
                            .read_line(&mut line)
                            .map_err(|e| fail(&e, true))?;
                        if n == 0 || line.trim_end().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let at = out.len();
                out.resize(at + size, 0);
                conn.read_exact(&mut out[at..])
                    .map_err(|e| fail(&e, true))?;
                let mut crlf = [0u8; 2];
                conn.read_exact(&mut crlf).map_err(|e| fail(&e, true))?;
            }
        } else if let Some(n) = length {
            if n > MAX_BODY {
                return Err(too_big(n));
            }
            out.resize(n, 0);
            conn.read_exact(&mut out).map_err(|e| fail(&e, true))?;
        } else if !matches!(status, 204 | 304) {
            // No length: the body runs to the end of the connection.
            (&mut conn)
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| fail(&e, true))?;
            if out.len() > MAX_BODY {
                return Err(too_big(out.len()));
            }
            close = true;
        }
        if !close && conn.buffer().is_empty() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        Ok(Answer { status, body: out })
    }

    /// A call whose answer must be 2xx: the body, or an error with the
    /// engine's own message. 5xx (and 429) are `Unavailable` (try again).
    pub fn expect_ok(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        let a = self.call(method, path, headers, body)?;
        if (200..300).contains(&a.status) {
            return Ok(a.body);
        }
        let text = String::from_utf8_lossy(&a.body[..a.body.len().min(2000)])
            .trim()
            .to_string();
        let url = format!("{}{}", self.base, path.split('?').next().unwrap_or(path));
        if a.status >= 500 || a.status == 429 {
            Err(ClientError::Unavailable {
                url,
                reason: format!("HTTP {}: {text}", a.status),
            })
        } else {
            Err(ClientError::Status {
                url,
                status: a.status,
                body: text,
            })
        }
    }
}

/// Percent-encodes a query parameter's value.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        let c = Client::new("http://127.0.0.1:8428/", Duration::from_secs(1)).expect("ok");
        assert_eq!(c.base(), "http://127.0.0.1:8428");
        let c = Client::new("http://vm/select/0/prometheus", Duration::from_secs(1)).expect("ok");
        assert_eq!(c.base(), "http://vm:80/select/0/prometheus");
        for bad in ["https://vm:8428", "vm:8428", "http://", "http://vm:x"] {
            assert!(Client::new(bad, Duration::from_secs(1)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_dead_address_is_unavailable_and_named() {
        // A port nothing listens on: bound, then closed.
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        drop(l);
        let c = Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(1))
            .expect("client");
        let e = c.expect_ok("GET", "/health", &[], b"").expect_err("down");
        assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
        assert!(
            e.to_string()
                .contains(&format!("http://127.0.0.1:{port}/health")),
            "{e}"
        );
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("{a=\"b c\"}&x"), "%7Ba%3D%22b%20c%22%7D%26x");
    }

    /// A one-thread server that answers each request on a connection with
    /// the next of `answers`, then closes the connection after
    /// `per_connection` answers; how many connections it saw.
    fn serve(
        answers: Vec<&'static str>,
        per_connection: usize,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", l.local_addr().expect("addr"));
        let conns = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = std::sync::Arc::clone(&conns);
        std::thread::spawn(move || {
            let mut next = answers.into_iter();
            for s in l.incoming() {
                let Ok(s) = s else { return };
                seen.fetch_add(1, Ordering::SeqCst);
                let mut r = BufReader::new(s);
                for _ in 0..per_connection {
                    // The request: headers, then Content-Length bytes.
                    let mut len = 0;
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; len];
                    let _ = r.read_exact(&mut body);
                    let Some(a) = next.next() else { return };
                    let _ = r.get_mut().write_all(a.as_bytes());
                }
            }
        });
        (url, conns)
    }

    #[test]
    fn chunked_and_sized_answers_on_one_kept_alive_connection() {
        let (url, conns) = serve(
            vec![
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy",
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad",
            ],
            4,
        );
        let c = Client::new(&url, Duration::from_secs(5)).expect("client");
        assert_eq!(
            c.expect_ok("GET", "/a", &[], b"").expect("a"),
            b"hello world"
        );
        assert_eq!(c.expect_ok("POST", "/b", &[], b"body").expect("b"), b"abc");
        let e = c.expect_ok("GET", "/c?x=1", &[], b"").expect_err("503");
        assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
        assert_eq!(e.to_string(), format!("{url}/c: HTTP 503: busy"));
        let e = c.expect_ok("GET", "/d", &[], b"").expect_err("400");
        assert!(matches!(e, ClientError::Status { status: 400, .. }), "{e}");
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_kept_alive_connection_closed_by_the_server_is_replaced() {
        // One answer per connection, but no `Connection: close`: the
        // client keeps the connection, finds it closed, and sends again.
        let (url, conns) = serve(
            vec![
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2",
            ],
            1,
        );
        let c = Client::new(&url, Duration::from_secs(5)).expect("client");
        assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("first"), b"1");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("second"), b"2");
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
