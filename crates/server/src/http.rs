//! The server's HTTP/1.1 layer: a fixed pool of connection threads behind one
//! accept loop, keep-alive, and hard limits on everything a client controls
//! (header bytes, body bytes, time to send a request, idle time), so that a
//! slow or hostile client costs one thread for a bounded time and never the
//! server. Handlers see a whole [`Request`] (body read, size checked) and
//! return a [`Response`]; the few routes that move files (incident
//! attachments) take their request body as a stream and may answer with
//! one ([`Handler::stream_limit`]), so a 256 MiB upload or download costs
//! a buffer, not its size.
//!
//! Not here: TLS (put the server behind a TLS proxy, or on a trusted
//! network), HTTP/2, request pipelining beyond one at a time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// What a client may send.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Request line plus headers.
    pub max_header_bytes: usize,
    /// The body (`413` past it); streamed routes have their own
    /// ([`Handler::stream_limit`]).
    pub max_body_bytes: usize,
    /// To send one whole request once it has started.
    pub request_time: Duration,
    /// Between two requests on a kept-alive connection.
    pub idle_time: Duration,
    /// Connections served at once; more wait in the accept queue.
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_header_bytes: 64 << 10,
            max_body_bytes: 32 << 20,
            request_time: Duration::from_secs(30),
            idle_time: Duration::from_secs(15),
            threads: 64,
        }
    }
}

/// A request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: SocketAddr,
}

impl Request {
    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter, percent-decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
    }
}

/// `%XX` and `+` decoded; invalid escapes kept as they are.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::new(status, "application/json", v.to_string())
    }

    /// `{"error": message}` with this status. A 503 (the state database
    /// away) also says when to try again, so agents back off rather than
    /// hammer a server that is waiting for its database.
    pub fn error(status: u16, message: &str) -> Response {
        let r = Response::json(status, &serde_json::json!({ "error": message }));
        if status == 503 {
            r.with_header("Retry-After", "5")
        } else {
            r
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// A response body read from its source as it is sent (a stored file),
/// never held whole: `len` bytes are sent (the `Content-Length`), and a
/// source that fails or ends early closes the connection, so the client
/// sees a short body rather than a wrong one.
pub struct BodyStream {
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
}

/// The answer to a streamed exchange: `response`'s status and headers, and
/// its body from `body` when given (else `response.body`).
pub struct Streamed {
    pub response: Response,
    pub body: Option<BodyStream>,
}

impl From<Response> for Streamed {
    fn from(response: Response) -> Streamed {
        Streamed {
            response,
            body: None,
        }
    }
}

/// Handles requests.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: &Request) -> Response;

    /// Whether this request is streamed — its body handed to
    /// [`Handler::handle_stream`] as it arrives instead of read whole first
    /// — and the largest body it may have (`413` past it). Asked with the
    /// request's head only (`body` empty). None (the default) for every
    /// ordinary request.
    fn stream_limit(&self, _head: &Request) -> Option<u64> {
        None
    }

    /// A streamed request: `body` yields its bytes (exactly its
    /// `Content-Length`, within a deadline); what the handler does not read
    /// is discarded and the connection closed. The answer may stream too.
    fn handle_stream(&self, req: &Request, _body: &mut dyn Read) -> Streamed {
        self.handle(req).into()
    }
}

/// A streamed request's body: at most its `Content-Length`, each read
/// bounded by the request time and the whole by a rate floor of 64 KiB/s
/// after that (a slow client cannot hold the thread for ever). Answers
/// `100 Continue` before the first read when the client asked for it, so a
/// client refused on its key never sends the body.
struct StreamBody<'a> {
    reader: &'a mut BufReader<TcpStream>,
    writer: &'a mut TcpStream,
    left: u64,
    send_continue: bool,
    until: Instant,
    stall: Duration,
    failed: bool,
}

impl Read for StreamBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        if self.send_continue {
            self.send_continue = false;
            self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let left_time = self.until.saturating_duration_since(Instant::now());
        if left_time.is_zero() {
            self.failed = true;
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client sent the body too slowly",
            ));
        }
        let _ = self
            .reader
            .get_ref()
            .set_read_timeout(Some(left_time.min(self.stall)));
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        match self.reader.read(&mut buf[..want]) {
            Ok(0) => {
                self.failed = true;
                Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the client closed with {} body bytes unsent", self.left),
                ))
            }
            Ok(n) => {
                self.left -= n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }
}

/// What was read of a request.
///
/// A `HEAD` request is handed to the handler as the `GET` it asks about
/// (`head_only` set): the answer's status and headers, its `Content-Length`
/// included, are sent without its body.
enum Incoming {
    Whole(Request, bool),
    /// The head; the body (this long) is still on the connection.
    Stream(Request, u64, bool),
}

/// Why a request could not be read: the answer to send (if the connection
/// can still take one), then close.
enum ReadFail {
    /// The client went away, or was idle past the limit: close quietly.
    Gone,
    Answer(Response),
}

/// Reads one request within the limits.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    peer: SocketAddr,
    limits: &Limits,
    handler: &dyn Handler,
) -> Result<Incoming, ReadFail> {
    let stream = reader.get_ref();
    // Wait for the first byte at most the idle time.
    let _ = stream.set_read_timeout(Some(limits.idle_time));
    match reader.fill_buf() {
        Ok([]) | Err(_) => return Err(ReadFail::Gone),
        Ok(_) => {}
    }
    let until = Instant::now() + limits.request_time;
    let timed_out = || ReadFail::Answer(Response::error(408, "the request took too long"));
    let set_deadline = |r: &BufReader<TcpStream>| -> Result<(), ReadFail> {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        let _ = r.get_ref().set_read_timeout(Some(left));
        Ok(())
    };
    let mut head_bytes = 0usize;
    let mut line = Vec::new();
    // A line, read buffer by buffer with the deadline checked before every
    // read (a client sending a byte at a time cannot stretch it).
    let mut read_line = |reader: &mut BufReader<TcpStream>| -> Result<String, ReadFail> {
        line.clear();
        loop {
            set_deadline(reader)?;
            let buf = match reader.fill_buf() {
                Ok([]) => return Err(ReadFail::Gone),
                Ok(b) => b,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(timed_out());
                }
                Err(_) => return Err(ReadFail::Gone),
            };
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            line.extend_from_slice(&buf[..take]);
            reader.consume(take);
            head_bytes += take;
            if head_bytes > limits.max_header_bytes {
                return Err(ReadFail::Answer(Response::error(
                    431,
                    "the request line and headers are too large",
                )));
            }
            if done {
                break;
            }
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    };
    let first = read_line(reader)?;
    let mut parts = first.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadFail::Answer(Response::error(
            400,
            "not an HTTP request line",
        )));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(ReadFail::Answer(Response::error(
            400,
            "not an HTTP/1.x request line",
        )));
    }
    let head_only = method == "HEAD";
    let method = if head_only { "GET" } else { method };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    loop {
        let l = read_line(reader)?;
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(ReadFail::Answer(Response::error(
                400,
                &format!("a header line without a colon: {l:?}"),
            )));
        };
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("transfer-encoding").is_some_and(|v| !v.eq_ignore_ascii_case("identity")) {
        return Err(ReadFail::Answer(Response::error(
            411,
            "send the body with a Content-Length (chunked request bodies are not taken)",
        )));
    }
    // Two lengths that disagree are how a request is smuggled past a proxy
    // that reads the other one: refused.
    let mut lengths = headers
        .iter()
        .filter(|(k, _)| k == "content-length")
        .map(|(_, v)| v.as_str());
    if let Some(first) = lengths.next()
        && lengths.any(|v| v != first)
    {
        return Err(ReadFail::Answer(Response::error(
            400,
            "Content-Length is given more than once with different values",
        )));
    }
    let length = match get("content-length") {
        Some(v) => v.parse::<usize>().map_err(|_| {
            ReadFail::Answer(Response::error(
                400,
                &format!("Content-Length {v:?} is not a number"),
            ))
        })?,
        None => 0,
    };
    let mut head = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
        peer,
    };
    if let Some(max) = handler.stream_limit(&head) {
        if length as u64 > max {
            return Err(ReadFail::Answer(Response::error(
                413,
                &format!("the body is {length} bytes; at most {max} are taken here"),
            )));
        }
        return Ok(Incoming::Stream(head, length as u64, head_only));
    }
    if length > limits.max_body_bytes {
        return Err(ReadFail::Answer(Response::error(
            413,
            &format!(
                "the body is {length} bytes; at most {} are taken",
                limits.max_body_bytes
            ),
        )));
    }
    let mut body = vec![0; length];
    let mut got = 0;
    while got < length {
        set_deadline(reader)?;
        match reader.read(&mut body[got..]) {
            Ok(0) => return Err(ReadFail::Gone),
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out());
            }
            Err(_) => return Err(ReadFail::Gone),
        }
    }
    head.body = body;
    Ok(Incoming::Whole(head, head_only))
}

fn write_head(stream: &mut TcpStream, r: &Response, len: u64, close: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {len}\r\n"));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

fn write_response(stream: &mut TcpStream, r: &Response, close: bool) -> std::io::Result<()> {
    write_head(stream, r, r.body.len() as u64, close)?;
    stream.write_all(&r.body)?;
    stream.flush()
}

/// Sends a streamed answer; false when the connection cannot go on (the
/// source failed or ended early: the client sees a short body).
fn write_streamed(stream: &mut TcpStream, s: Streamed, close: bool) -> bool {
    let Some(mut body) = s.body else {
        return write_response(stream, &s.response, close).is_ok();
    };
    if write_head(stream, &s.response, body.len, close).is_err() {
        return false;
    }
    let mut buf = vec![0u8; 64 << 10];
    let mut left = body.len;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        match body.reader.read(&mut buf[..want]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => {
                if stream.write_all(&buf[..n]).is_err() {
                    return false;
                }
                left -= n as u64;
            }
        }
    }
    stream.flush().is_ok()
}

/// After answering a streamed request whose body was not all read: stop
/// sending, then read and drop what the client is still sending for a
/// moment, so that the answer reaches it before the connection closes
/// (closing with unread bytes would reset it and lose the answer).
fn linger(reader: &mut BufReader<TcpStream>, writer: &TcpStream) {
    let _ = writer.shutdown(std::net::Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let mut dropped = 0usize;
    let mut buf = [0u8; 64 << 10];
    let _ = reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)));
    while Instant::now() < until && dropped < 16 << 20 {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => dropped += n,
        }
    }
}

/// Serves one connection: requests until the client closes, asks to close,
/// idles past the limit, or a request is bad.
fn connection(stream: TcpStream, peer: SocketAddr, handler: &dyn Handler, limits: &Limits) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    loop {
        match read_request(&mut reader, peer, limits, handler) {
            Ok(Incoming::Stream(req, length, head_only)) => {
                let close = req
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let mut body = StreamBody {
                    send_continue: req
                        .header("expect")
                        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue")),
                    reader: &mut reader,
                    writer: &mut writer,
                    left: length,
                    until: Instant::now()
                        + limits.request_time
                        + Duration::from_secs(length / (64 << 10)),
                    stall: limits.request_time,
                    failed: false,
                };
                let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handler.handle_stream(&req, &mut body)
                }))
                .unwrap_or_else(|_| {
                    Response::error(500, "the server failed on this request").into()
                });
                // A body not read to its end leaves the connection mid-request.
                let unread = body.left > 0;
                let failed = body.failed;
                let close = close || unread;
                if failed {
                    // The client is gone or too slow: say so if it listens.
                    let _ = write_streamed(&mut writer, answer, true);
                    return;
                }
                if head_only {
                    let len = answer
                        .body
                        .as_ref()
                        .map_or(answer.response.body.len() as u64, |b| b.len);
                    if write_head(&mut writer, &answer.response, len, close)
                        .and_then(|()| writer.flush())
                        .is_err()
                    {
                        return;
                    }
                } else if !write_streamed(&mut writer, answer, close) {
                    return;
                }
                if unread {
                    linger(&mut reader, &writer);
                }
                if close {
                    return;
                }
            }
            Ok(Incoming::Whole(req, head_only)) => {
                let close = req
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                // A handler that panics answers 500 and costs its request,
                // never the connection thread.
                let resp =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.handle(&req)))
                        .unwrap_or_else(|_| {
                            Response::error(500, "the server failed on this request")
                        });
                let sent = if head_only {
                    write_head(&mut writer, &resp, resp.body.len() as u64, close)
                        .and_then(|()| writer.flush())
                } else {
                    write_response(&mut writer, &resp, close)
                };
                if sent.is_err() || close {
                    return;
                }
            }
            Err(ReadFail::Gone) => return,
            Err(ReadFail::Answer(resp)) => {
                let _ = write_response(&mut writer, &resp, true);
                return;
            }
        }
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Connections being served now.
    pub busy: Arc<AtomicUsize>,
}

impl Server {
    /// Serves `handler` on `listener` with a pool of `limits.threads`.
    pub fn start(
        listener: TcpListener,
        handler: Arc<dyn Handler>,
        limits: Limits,
    ) -> std::io::Result<Server> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::sync_channel::<(TcpStream, SocketAddr)>(limits.threads);
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::new();
        for _ in 0..limits.threads.max(1) {
            let rx = Arc::clone(&rx);
            let handler = Arc::clone(&handler);
            let limits = limits.clone();
            let busy = Arc::clone(&busy);
            threads.push(std::thread::spawn(move || {
                loop {
                    let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((stream, peer)) = next else { break };
                    busy.fetch_add(1, Ordering::Relaxed);
                    connection(stream, peer, handler.as_ref(), &limits);
                    busy.fetch_sub(1, Ordering::Relaxed);
                }
            }));
        }
        let stop2 = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = conn else {
                    // Out of descriptors: let connections finish.
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let peer = stream
                    .peer_addr()
                    .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                if tx.send((stream, peer)).is_err() {
                    break;
                }
            }
        }));
        Ok(Server {
            addr,
            stop,
            threads,
            busy,
        })
    }

    /// Stops accepting, lets the connections being served finish.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for t in self.threads {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%7Bjob%3D%22x%22%7D"), "{job=\"x\"}");
    }
}
