//! The server's one outgoing HTTP/1.1 client, for every call it makes to
//! another service: VictoriaMetrics (remote write, queries), an S3 store
//! (artefacts), webhook receivers (notifications).
//!
//! A [`Client`] speaks to one origin (`http://host:port`, optionally with a
//! path prefix) and keeps a small pool of kept-alive connections to it, so a
//! fleet server writing to VictoriaMetrics many times a second does not pay
//! a TCP handshake each time. Connecting, and then every single read and
//! write, has a timeout: a service that stops answering costs one request a
//! bounded time, never a thread for good.
//!
//! Request bodies are either in memory ([`Body::Bytes`]) or streamed from a
//! reader of known length ([`Body::Reader`]), so a 256 MiB artefact never
//! sits in memory. Answers are either read whole with a size cap
//! ([`Client::call`], [`Client::expect_ok`]) or handed back as a stream
//! ([`Client::send`] → [`Reply::body`]), framed by `Content-Length`, chunked
//! encoding or the end of the connection; interim `1xx` answers (`100
//! Continue`) are skipped.
//!
//! The invariants the pool keeps:
//! - a connection goes back to the pool only once its answer's body has been
//!   read to its very end (no bytes left over), the request was sent whole,
//!   and neither side said `Connection: close`; a streamed answer dropped
//!   before its end closes its connection;
//! - a reused connection is checked before use (the peer has not closed it,
//!   it has not idled past [`MAX_IDLE_TIME`]); one that still turns out to
//!   be closed before any answer byte arrived is replaced and the request
//!   sent once more — but only when the body can be sent again (in memory);
//!   a streamed body is never sent twice, the caller gets the error.
//!
//! Plain HTTP only: an `https://` service is reached through a TLS proxy, or
//! kept on a trusted network. Every error names the URL, so a message that
//! reaches an agent, a page or a log says which service failed.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most an answer read whole may hold (a query answer of millions of
/// points is tens of MiB; past this the service is answering something else).
pub const MAX_ANSWER: u64 = 512 << 20;
/// Idle connections kept per client (per origin).
const MAX_IDLE: usize = 16;
/// An idle connection older than this is closed rather than reused: below
/// the idle timeouts of the services sonde talks to (VictoriaMetrics 1 min,
/// nginx 75 s), so they rarely close one just as a request goes out.
pub const MAX_IDLE_TIME: Duration = Duration::from_secs(30);
/// Longest status or header line taken, and all headers together.
const MAX_LINE: usize = 16 << 10;
const MAX_HEAD: usize = 256 << 10;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The service could not be reached, stopped answering or answered
    /// nonsense, or said 5xx / 429: try again later.
    #[error("{url}: {reason}")]
    Unavailable { url: String, reason: String },
    /// The service refused the request (a non-2xx answer, through
    /// [`Client::expect_ok`]), with the start of its own message.
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    /// The request could not be sent as asked (a header holding a line
    /// break, a body source that ended early or failed): a caller's
    /// problem, not the service's.
    #[error("{url}: {reason}")]
    Request { url: String, reason: String },
}

/// Where requests go: a host and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// A name or an address (an IPv6 one without its brackets).
    pub host: String,
    pub port: u16,
}

impl Target {
    /// `http://host[:port]` (a trailing `/` allowed; no path): an endpoint
    /// such as an S3 store's.
    pub fn parse(url: &str) -> Result<Target, String> {
        let (target, path) = Target::parse_with_path(url)?;
        if !path.trim_end_matches('/').is_empty() {
            return Err(format!("{url}: an endpoint has no path"));
        }
        Ok(target)
    }

    /// `http://host[:port][/path[?query]]`: the target and the rest, from
    /// its `/` on (`""` when there is none), as written.
    pub fn parse_with_path(url: &str) -> Result<(Target, String), String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            if url.starts_with("https://") {
                format!(
                    "{url}: https is not spoken here; only http:// URLs are reached directly (put a TLS proxy in front)"
                )
            } else {
                format!("{url}: not an http:// URL")
            }
        })?;
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if hostport.contains(['?', '#', '@']) {
            return Err(format!("{url}: not http://host[:port][/path]"));
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{url}: an IPv6 address without its closing ]"))?;
            match after.strip_prefix(':') {
                Some(p) => (host, parse_port(url, p)?),
                None if after.is_empty() => (host, 80),
                None => return Err(format!("{url}: not http://host[:port][/path]")),
            }
        } else {
            match hostport.split_once(':') {
                Some((_, p)) if p.contains(':') => {
                    return Err(format!("{url}: an IPv6 address goes in brackets"));
                }
                Some((h, p)) => (h, parse_port(url, p)?),
                None => (hostport, 80),
            }
        };
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        Ok((
            Target {
                host: host.to_string(),
                port,
            },
            path.to_string(),
        ))
    }

    /// The `Host` header's value (the port left out when it is 80, as
    /// clients usually send it, which matters where it is signed: SigV4).
    pub fn host_header(&self) -> String {
        let host = self.bracketed();
        if self.port == 80 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    fn bracketed(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

fn parse_port(url: &str, p: &str) -> Result<u16, String> {
    p.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("{url}: {p:?} is not a port"))
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}", self.host_header())
    }
}

/// How long a connect, and then any one read or write, may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            io: Duration::from_secs(30),
        }
    }
}

/// A request body.
pub enum Body<'a> {
    Empty,
    /// In memory: can be sent again on a new connection.
    Bytes(&'a [u8]),
    /// Exactly `len` bytes from the reader, copied as they are read. Fewer
    /// (or a read error) abandons the request, closing its connection, so
    /// the service stores nothing. Never sent twice.
    Reader {
        reader: &'a mut dyn Read,
        len: u64,
    },
}

impl Body<'_> {
    fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Reader { len, .. } => *len,
        }
    }

    fn resendable(&self) -> bool {
        !matches!(self, Body::Reader { .. })
    }
}

/// A whole answer ([`Client::call`]).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// An answer whose body is still on its connection ([`Client::send`]).
pub struct Reply {
    pub status: u16,
    /// Names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: BodyReader,
}

impl Reply {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body, at most `limit` bytes of it: a larger one is cut there
    /// (error bodies and listings are small; the connection of a cut one is
    /// closed, not reused).
    pub fn read_to_vec(mut self, limit: u64) -> Result<Vec<u8>, ClientError> {
        let mut v = Vec::new();
        Unwrapped(&mut self.body)
            .take(limit)
            .read_to_end(&mut v)
            .map_err(|e| self.body.failed("reading the answer", e))?;
        Ok(v)
    }
}

/// Connections to one origin, idle between requests.
#[derive(Debug)]
struct Pool {
    idle: Mutex<Vec<(BufReader<TcpStream>, Instant)>>,
}

impl Pool {
    /// The most recently used connection that is still good.
    fn take(&self) -> Option<BufReader<TcpStream>> {
        loop {
            let (conn, since) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()?;
            if since.elapsed() <= MAX_IDLE_TIME && still_open(conn.get_ref()) {
                return Some(conn);
            }
        }
    }

    fn put(&self, conn: BufReader<TcpStream>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|(_, since)| since.elapsed() <= MAX_IDLE_TIME);
        if idle.len() < MAX_IDLE {
            idle.push((conn, Instant::now()));
        }
    }
}

/// Whether the peer has neither closed an idle connection nor sent on it
/// (an idle HTTP connection has nothing to read): a look without waiting.
fn still_open(s: &TcpStream) -> bool {
    if s.set_nonblocking(true).is_err() {
        return false;
    }
    let open =
        matches!(s.peek(&mut [0u8; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    s.set_nonblocking(false).is_ok() && open
}

/// One origin and its kept-alive connections. Shared between threads (the
/// pool is behind a lock held only to take or give back a connection).
#[derive(Debug)]
pub struct Client {
    target: Target,
    /// The path prefix (`""` or `/prefix`, without a trailing `/`).
    prefix: String,
    /// `http://host:port[/prefix]`, for messages.
    base: String,
    timeouts: Timeouts,
    pool: Arc<Pool>,
}

/// An exchange that failed, and whether it failed the way a kept-alive
/// connection the peer had closed fails: before any answer byte.
struct Failure {
    error: ClientError,
    stale: bool,
}

impl Client {
    /// A client for `url` (`http://host[:port][/prefix]`) with a 5 s connect
    /// timeout and `io_timeout` on each read and write; nothing is
    /// connected yet, so a server starts while the service is down.
    pub fn new(url: &str, io_timeout: Duration) -> Result<Client, String> {
        let (target, prefix) = Target::parse_with_path(url)?;
        let mut c = Client::for_target(target, Timeouts::default().with_io(io_timeout));
        c.prefix = prefix.trim_end_matches('/').to_string();
        c.base.push_str(&c.prefix);
        Ok(c)
    }

    /// A client for an endpoint without a path prefix.
    pub fn for_target(target: Target, timeouts: Timeouts) -> Client {
        Client {
            base: format!("http://{}:{}", target.bracketed(), target.port),
            target,
            prefix: String::new(),
            timeouts,
            pool: Arc::new(Pool {
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The origin (`http://host:port[/prefix]`), for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Where requests go.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Connections waiting in the pool now (for tests and diagnostics).
    pub fn idle_connections(&self) -> usize {
        self.pool
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn connect(&self, url: &str) -> Result<BufReader<TcpStream>, ClientError> {
        let unavailable = |reason: String| ClientError::Unavailable {
            url: url.to_string(),
            reason,
        };
        let addrs: Vec<SocketAddr> = (self.target.host.as_str(), self.target.port)
            .to_socket_addrs()
            .map_err(|e| unavailable(format!("cannot resolve {}: {e}", self.target.host)))?
            .collect();
        let mut last = String::from("the host name has no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeouts.connect) {
                Ok(s) => {
                    let _ = s.set_read_timeout(Some(self.timeouts.io));
                    let _ = s.set_write_timeout(Some(self.timeouts.io));
                    let _ = s.set_nodelay(true);
                    return Ok(BufReader::with_capacity(64 << 10, s));
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(unavailable(format!("cannot connect: {last}")))
    }

    /// Sends `method path` (path and query, already encoded, starting with
    /// `/`; after the prefix) with extra `headers` and `body`, and reads the
    /// answer's head, whatever its status; the body is the caller's to read
    /// ([`BodyReader`]). `Host`, `User-Agent` and `Content-Length` are
    /// written here.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        mut body: Body,
    ) -> Result<Reply, ClientError> {
        let url = self.url(path);
        let head = self.head(method, path, headers, body.len(), &url)?;
        let (conn, reused) = match self.pool.take() {
            Some(c) => (c, true),
            None => (self.connect(&url)?, false),
        };
        match self.exchange(conn, method, &head, &mut body, &url) {
            Ok(r) => Ok(r),
            Err(f) if f.stale && reused && body.resendable() => {
                let conn = self.connect(&url)?;
                self.exchange(conn, method, &head, &mut body, &url)
                    .map_err(|f| f.error)
            }
            Err(f) => Err(f.error),
        }
    }

    /// The request line and headers.
    fn head(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        len: u64,
        url: &str,
    ) -> Result<String, ClientError> {
        use std::fmt::Write as _;
        let refuse = |reason: String| ClientError::Request {
            url: url.to_string(),
            reason,
        };
        if method.is_empty() || method.contains(|c: char| !c.is_ascii_uppercase()) {
            return Err(refuse(format!("{method:?} is not an HTTP method")));
        }
        if !path.starts_with('/') || path.contains(|c: char| c.is_ascii_whitespace()) {
            return Err(refuse(format!("{path:?} is not a request path")));
        }
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: sonde-server\r\n",
            self.prefix,
            self.target.host_header()
        );
        for (k, v) in headers {
            if v.contains(['\r', '\n']) || k.is_empty() || k.contains(['\r', '\n', ':', ' ']) {
                return Err(refuse(format!("header {k:?} holds a line break")));
            }
            let _ = write!(head, "{k}: {v}\r\n");
        }
        if len > 0 || matches!(method, "POST" | "PUT" | "PATCH") {
            let _ = write!(head, "Content-Length: {len}\r\n");
        }
        head.push_str("\r\n");
        Ok(head)
    }

    /// One request on one connection.
    fn exchange(
        &self,
        mut conn: BufReader<TcpStream>,
        method: &str,
        head: &str,
        body: &mut Body,
        url: &str,
    ) -> Result<Reply, Failure> {
        let unavailable = |reason: String, stale: bool| Failure {
            error: ClientError::Unavailable {
                url: url.to_string(),
                reason,
            },
            stale,
        };
        match send_request(conn.get_mut(), head, body) {
            Ok(()) => {}
            Err(Sending::Source(reason)) => {
                // Abandoned: the service sees the connection close short of
                // the length it was promised, and keeps nothing.
                let _ = conn.get_ref().shutdown(std::net::Shutdown::Both);
                return Err(Failure {
                    error: ClientError::Request {
                        url: url.to_string(),
                        reason,
                    },
                    stale: false,
                });
            }
            Err(Sending::Socket(e)) => {
                // A service that answered early (an error before the whole
                // body) and closed is read for its answer, which says more;
                // the connection is not reused, part of the request unsent.
                return match read_head(conn, method, url, None) {
                    Ok(r) => Ok(r),
                    Err(_) => Err(unavailable(format!("sending the request: {e}"), true)),
                };
            }
        }
        read_head(conn, method, url, Some(Arc::clone(&self.pool)))
    }

    /// A call whose answer is read whole (at most [`MAX_ANSWER`] bytes), an
    /// in-memory body sent (again on a new connection, should a kept-alive
    /// one turn out closed), whatever the answer's status.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, ClientError> {
        let mut r = self.send(method, path, headers, Body::Bytes(body))?;
        let too_big = |n: u64| ClientError::Unavailable {
            url: self.url(path),
            reason: format!("an answer of {n} bytes; at most {MAX_ANSWER}"),
        };
        if let Some(n) = r.body.remaining().filter(|n| *n > MAX_ANSWER) {
            return Err(too_big(n));
        }
        let mut out = Vec::new();
        Unwrapped(&mut r.body)
            .take(MAX_ANSWER + 1)
            .read_to_end(&mut out)
            .map_err(|e| r.body.failed("reading the answer", e))?;
        if out.len() as u64 > MAX_ANSWER {
            return Err(too_big(out.len() as u64));
        }
        Ok(Answer {
            status: r.status,
            body: out,
        })
    }

    /// A call whose answer must be 2xx: the body, or an error with the
    /// service's own message. 5xx (and 429) are `Unavailable` (try again).
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
        // Without the query, which may hold what a log should not.
        let url = self.url(path.split('?').next().unwrap_or(path));
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

impl Timeouts {
    /// These, with another read/write timeout.
    pub fn with_io(self, io: Duration) -> Timeouts {
        Timeouts { io, ..self }
    }
}

/// Why a request could not be sent.
enum Sending {
    /// The body's reader ended early or failed.
    Source(String),
    /// The connection failed.
    Socket(std::io::Error),
}

fn send_request(s: &mut TcpStream, head: &str, body: &mut Body) -> Result<(), Sending> {
    s.write_all(head.as_bytes()).map_err(Sending::Socket)?;
    match body {
        Body::Empty => {}
        Body::Bytes(b) => s.write_all(b).map_err(Sending::Socket)?,
        Body::Reader { reader, len } => {
            let len = *len;
            let mut buf = vec![0u8; 64 << 10];
            let mut left = len;
            while left > 0 {
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = match reader.read(&mut buf[..want]) {
                    Ok(0) => {
                        return Err(Sending::Source(format!(
                            "sending the body: the body's source ended after {} of {len} bytes",
                            len - left
                        )));
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(Sending::Source(format!(
                            "sending the body: reading its source after {} of {len} bytes: {e}",
                            len - left
                        )));
                    }
                };
                s.write_all(&buf[..n]).map_err(Sending::Socket)?;
                left -= n as u64;
            }
        }
    }
    s.flush().map_err(Sending::Socket)
}

/// Whether a failed first read is how a kept-alive connection the peer
/// closed meanwhile fails (not a timeout: a slow service is not sent the
/// request twice).
fn looks_stale(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
    )
}

/// The answer's head (interim `1xx` answers skipped) and its body's framing;
/// the body reads on from `conn`, bytes it buffered included. `pool`: where
/// the connection goes back once the body is read (`None`: the request did
/// not go out whole, so the connection is not reused).
fn read_head(
    mut conn: BufReader<TcpStream>,
    method: &str,
    url: &str,
    pool: Option<Arc<Pool>>,
) -> Result<Reply, Failure> {
    let fail = |reason: String, stale: bool| Failure {
        error: ClientError::Unavailable {
            url: url.to_string(),
            reason,
        },
        stale,
    };
    let mut first = true;
    loop {
        let line = match read_line(&mut conn, MAX_LINE) {
            Ok(Some(l)) => l,
            Ok(None) => {
                return Err(fail(
                    "the connection was closed before an answer".into(),
                    first,
                ));
            }
            Err(e) => {
                let stale = first && looks_stale(&e);
                return Err(fail(format!("reading the answer: {e}"), stale));
            }
        };
        first = false;
        let mut parts = line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let status = parts
            .next()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|_| version.starts_with("HTTP/1."))
            .ok_or_else(|| fail(format!("not an HTTP answer: {line:?}"), false))?;
        let mut headers = Vec::new();
        let mut bytes = 0usize;
        loop {
            let l = read_line(&mut conn, MAX_LINE)
                .map_err(|e| fail(format!("reading the answer's headers: {e}"), false))?
                .ok_or_else(|| fail("the answer's headers were cut".into(), false))?;
            if l.is_empty() {
                break;
            }
            bytes += l.len();
            if bytes > MAX_HEAD {
                return Err(fail(
                    format!("the answer's headers pass {MAX_HEAD} bytes"),
                    false,
                ));
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        if (100..200).contains(&status) {
            continue;
        }
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.to_ascii_lowercase())
        };
        let framing = if method == "HEAD" || status == 204 || status == 304 {
            Framing::Done
        } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            Framing::Chunked(None)
        } else if let Some(v) = get("content-length") {
            match v.parse::<u64>() {
                Ok(0) => Framing::Done,
                Ok(n) => Framing::Length(n),
                Err(_) => return Err(fail(format!("bad Content-Length {v:?}"), false)),
            }
        } else {
            Framing::ToEnd
        };
        let close = match get("connection") {
            Some(v) if v.contains("close") => true,
            Some(v) if v.contains("keep-alive") => false,
            _ => version == "HTTP/1.0",
        };
        let keep = !close && !matches!(framing, Framing::ToEnd);
        let body = BodyReader::new(conn, framing, url, pool.filter(|_| keep));
        return Ok(Reply {
            status,
            headers,
            body,
        });
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

mod body;
#[cfg(test)]
mod tests;

pub use body::BodyReader;
use body::{Framing, Unwrapped, read_line};
