//! The server's outbound HTTP/1.1 for object stores: one request per
//! connection (`Connection: close`), bodies streamed both ways — a request
//! body is copied from a reader of known length, a response body is read
//! through [`BodyReader`] as the caller consumes it (by `Content-Length`,
//! chunked, or to the end) — so a 256 MiB object never sits in memory.
//! Every connect, read and write has a timeout: a store that stops
//! answering costs one request a bounded time, never a thread for good.
//!
//! Not here: TLS (an `https://` store is reached through a TLS proxy, like
//! the agent's server), keep-alive, redirects.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where requests go: `http://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    /// `http://host[:port]` (a trailing `/` allowed; no path).
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            if url.starts_with("https://") {
                format!("{url}: https is not spoken here; reach the store through a TLS proxy on http://")
            } else {
                format!("{url}: not an http:// URL")
            }
        })?;
        let hostport = rest.trim_end_matches('/');
        if hostport.contains('/') {
            return Err(format!("{url}: an endpoint has no path"));
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => (
                h.trim_start_matches('[').trim_end_matches(']'),
                p.parse::<u16>()
                    .map_err(|_| format!("{url}: {p:?} is not a port"))?,
            ),
            _ => (hostport, 80),
        };
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        Ok(Target {
            host: host.to_string(),
            port,
        })
    }

    /// The `Host` header's value (the port left out when it is 80).
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == 80 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}", self.host_header())
    }
}

/// What went wrong talking to a server, naming it.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{target}: cannot connect: {source}")]
    Connect {
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{target}: {what}: {source}")]
    Io {
        target: String,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{target}: {what}")]
    Protocol { target: String, what: String },
}

/// A request body.
pub enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// Exactly `len` bytes from the reader (fewer is an error: the request
    /// is abandoned, so the server stores nothing).
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
}

/// A response, its body not yet read.
pub struct Reply {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: BodyReader,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body, at most `limit` bytes of it (error bodies and listings are
    /// small; a larger one is cut there).
    pub fn read_to_vec(mut self, limit: u64) -> Result<Vec<u8>, ClientError> {
        let mut v = Vec::new();
        let target = self.body.target.clone();
        (&mut self.body)
            .take(limit)
            .read_to_end(&mut v)
            .map_err(|source| ClientError::Io {
                target,
                what: "reading the response body",
                source,
            })?;
        Ok(v)
    }
}

enum Framing {
    Empty,
    Length(u64),
    /// Bytes left in the current chunk; `None` before a size line.
    Chunked(Option<u64>),
    ToEnd,
    Done,
}

/// A response body read from its connection as it is consumed.
pub struct BodyReader {
    conn: BufReader<TcpStream>,
    framing: Framing,
    target: String,
}

impl BodyReader {
    /// Bytes the framing says are left, when it says (`Content-Length`).
    pub fn remaining(&self) -> Option<u64> {
        match self.framing {
            Framing::Length(n) => Some(n),
            Framing::Empty | Framing::Done => Some(0),
            _ => None,
        }
    }
}

fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

fn read_crlf_line(r: &mut impl BufRead, limit: usize) -> std::io::Result<String> {
    let mut line = Vec::new();
    r.take(limit as u64).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(bad("a line ended early or was too long"));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.framing {
                Framing::Empty | Framing::Done => return Ok(0),
                Framing::ToEnd => return self.conn.read(buf),
                Framing::Length(0) => {
                    self.framing = Framing::Done;
                    return Ok(0);
                }
                Framing::Length(left) => {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = self.conn.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!("{}: the body ended {left} bytes short", self.target),
                        ));
                    }
                    self.framing = Framing::Length(left - n as u64);
                    return Ok(n);
                }
                Framing::Chunked(None) => {
                    let line = read_crlf_line(&mut self.conn, 1024)?;
                    let size = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size, 16)
                        .map_err(|_| bad("a chunk size that is not hex"))?;
                    if size == 0 {
                        // Trailers, up to the blank line.
                        while !read_crlf_line(&mut self.conn, 8192)?.is_empty() {}
                        self.framing = Framing::Done;
                        return Ok(0);
                    }
                    self.framing = Framing::Chunked(Some(size));
                }
                Framing::Chunked(Some(0)) => {
                    if !read_crlf_line(&mut self.conn, 2)?.is_empty() {
                        return Err(bad("a chunk not followed by CRLF"));
                    }
                    self.framing = Framing::Chunked(None);
                }
                Framing::Chunked(Some(left)) => {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = self.conn.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the connection closed inside a chunk",
                        ));
                    }
                    self.framing = Framing::Chunked(Some(left - n as u64));
                    return Ok(n);
                }
            }
        }
    }
}

/// How long a connect, and then any one read or write, may take.
#[derive(Debug, Clone, Copy)]
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

/// Sends one request (`target_path` is the path and query, already
/// encoded) and reads the response's head; the body is the caller's to read.
pub fn request(
    target: &Target,
    method: &str,
    target_path: &str,
    headers: &[(String, String)],
    body: Body,
    timeouts: Timeouts,
) -> Result<Reply, ClientError> {
    let name = target.to_string();
    let io = |what: &'static str| {
        let name = name.clone();
        move |source| ClientError::Io {
            target: name,
            what,
            source,
        }
    };
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|source| ClientError::Connect {
            target: name.clone(),
            source,
        })?
        .next()
        .ok_or_else(|| ClientError::Protocol {
            target: name.clone(),
            what: "the host name has no address".into(),
        })?;
    let stream = TcpStream::connect_timeout(&addr, timeouts.connect).map_err(|source| {
        ClientError::Connect {
            target: name.clone(),
            source,
        }
    })?;
    let _ = stream.set_read_timeout(Some(timeouts.io));
    let _ = stream.set_write_timeout(Some(timeouts.io));
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().map_err(io("cloning the socket"))?;
    let mut head = format!(
        "{method} {target_path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        target.host_header()
    );
    for (k, v) in headers {
        if v.contains(['\r', '\n']) || k.contains(['\r', '\n', ':']) {
            return Err(ClientError::Protocol {
                target: name,
                what: format!("header {k:?} holds a line break"),
            });
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let len = body.len();
    if len > 0 || matches!(method, "PUT" | "POST") {
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    head.push_str("\r\n");
    let sent: std::io::Result<()> = (|| {
        writer.write_all(head.as_bytes())?;
        match body {
            Body::Empty => {}
            Body::Bytes(b) => writer.write_all(b)?,
            Body::Reader { reader, len } => {
                let mut buf = vec![0u8; 64 << 10];
                let mut left = len;
                while left > 0 {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = reader.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!(
                                "the body's source ended after {} of {len} bytes",
                                len - left
                            ),
                        ));
                    }
                    writer.write_all(&buf[..n])?;
                    left -= n as u64;
                }
            }
        }
        writer.flush()
    })();
    let conn = BufReader::with_capacity(64 << 10, stream);
    if let Err(e) = sent {
        // The source failed: abandon the request so the server keeps no
        // part of it. A server that answered early (an error before the
        // whole body) is read for its answer, which says more.
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return Err(io("sending the body")(e));
        }
        return match read_head(conn, method, &name) {
            Ok(reply) => Ok(reply),
            Err(_) => Err(io("sending the request")(e)),
        };
    }
    read_head(conn, method, &name)
}

/// The response head (interim `1xx` answers skipped), with the body's
/// framing; the body reads on from `conn` (bytes it buffered included).
fn read_head(
    mut conn: BufReader<TcpStream>,
    method: &str,
    name: &str,
) -> Result<Reply, ClientError> {
    let io = |what: &'static str| {
        let name = name.to_string();
        move |source| ClientError::Io {
            target: name,
            what,
            source,
        }
    };
    loop {
        let line = read_crlf_line(&mut conn, 8192).map_err(io("reading the response"))?;
        let mut parts = line.splitn(3, ' ');
        let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
            return Err(ClientError::Protocol {
                target: name.into(),
                what: format!("not an HTTP status line: {line:?}"),
            });
        };
        let status: u16 = match (version.starts_with("HTTP/1."), code.parse()) {
            (true, Ok(s)) => s,
            _ => {
                return Err(ClientError::Protocol {
                    target: name.into(),
                    what: format!("not an HTTP status line: {line:?}"),
                });
            }
        };
        let mut headers = Vec::new();
        let mut bytes = 0usize;
        loop {
            let l =
                read_crlf_line(&mut conn, 16 << 10).map_err(io("reading the response headers"))?;
            if l.is_empty() {
                break;
            }
            bytes += l.len();
            if bytes > 256 << 10 {
                return Err(ClientError::Protocol {
                    target: name.into(),
                    what: "response headers past 256 KiB".into(),
                });
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
                .map(|(_, v)| v.as_str())
        };
        let framing = if method == "HEAD" || status == 204 || status == 304 {
            Framing::Empty
        } else if get("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            Framing::Chunked(None)
        } else if let Some(v) = get("content-length") {
            Framing::Length(v.parse().map_err(|_| ClientError::Protocol {
                target: name.into(),
                what: format!("Content-Length {v:?} is not a number"),
            })?)
        } else {
            Framing::ToEnd
        };
        return Ok(Reply {
            status,
            headers,
            body: BodyReader {
                conn,
                framing,
                target: name.to_string(),
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("http://127.0.0.1:9000/").expect("test step");
        assert_eq!((t.host.as_str(), t.port), ("127.0.0.1", 9000));
        assert_eq!(t.host_header(), "127.0.0.1:9000");
        assert_eq!(
            Target::parse("http://s3.local")
                .expect("test step")
                .host_header(),
            "s3.local"
        );
        assert_eq!(
            Target::parse("http://[::1]:81").expect("test step").host,
            "::1"
        );
        assert!(
            Target::parse("https://x")
                .expect_err("an error")
                .contains("TLS proxy")
        );
        assert!(
            Target::parse("http://x:99999")
                .expect_err("an error")
                .contains("port")
        );
        assert!(
            Target::parse("http://x/y")
                .expect_err("an error")
                .contains("no path")
        );
    }

    /// A server on a thread that answers `answer` to one request and hands
    /// back what it was sent.
    fn one_answer(answer: &'static [u8]) -> (Target, std::thread::JoinHandle<Vec<u8>>) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("test step");
        let port = l.local_addr().expect("test step").port();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().expect("test step");
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .expect("test step");
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(answer).expect("test step");
            got
        });
        (
            Target {
                host: "127.0.0.1".into(),
                port,
            },
            h,
        )
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        let (t, h) = one_answer(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
        );
        let r =
            request(&t, "GET", "/b/k", &[], Body::Empty, Timeouts::default()).expect("test step");
        assert_eq!(r.status, 200);
        assert_eq!(r.read_to_vec(1 << 20).expect("test step"), b"hello world");
        let sent = String::from_utf8(h.join().expect("test step")).expect("test step");
        assert!(
            sent.starts_with("GET /b/k HTTP/1.1\r\nHost: 127.0.0.1:"),
            "{sent}"
        );
    }

    #[test]
    fn a_short_body_is_an_error() {
        let (t, _h) = one_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        let r = request(&t, "GET", "/", &[], Body::Empty, Timeouts::default()).expect("test step");
        let e = r.read_to_vec(100).expect_err("an error").to_string();
        assert!(e.contains("7 bytes short"), "{e}");
    }

    #[test]
    fn a_source_that_ends_early_abandons_the_request() {
        let (t, h) = one_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        let mut src: &[u8] = b"only this";
        let e = request(
            &t,
            "PUT",
            "/b/k",
            &[],
            Body::Reader {
                reader: &mut src,
                len: 100,
            },
            Timeouts::default(),
        )
        .err()
        .expect("test step")
        .to_string();
        assert!(e.contains("ended after 9 of 100 bytes"), "{e}");
        let sent = String::from_utf8(h.join().expect("test step")).expect("test step");
        assert!(sent.contains("Content-Length: 100\r\n"), "{sent}");
    }

    #[test]
    fn nothing_listening_names_the_target() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("test step");
        let port = l.local_addr().expect("test step").port();
        drop(l);
        let t = Target {
            host: "127.0.0.1".into(),
            port,
        };
        let e = request(&t, "GET", "/", &[], Body::Empty, Timeouts::default())
            .err()
            .expect("test step")
            .to_string();
        assert!(
            e.contains(&format!("http://127.0.0.1:{port}: cannot connect")),
            "{e}"
        );
    }
}
