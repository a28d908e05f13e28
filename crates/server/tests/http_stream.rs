//! The HTTP layer's streamed routes: a body larger than the ordinary limit
//! is handed over as it arrives (never held), `Expect: 100-continue` is
//! answered only when the handler reads, a refused request's unread body
//! does not cost the answer, the connection stays usable after a body read
//! to its end, an answer streamed from a reader goes out at its length, and
//! one whose source fails closes the connection short.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use sonde_server::http::{BodyStream, Handler, Limits, Request, Response, Server, Streamed};

/// `/count` streams: counts the body's bytes (refusing without reading
/// when `?refuse`); `/bytes?n=N` answers N bytes from a reader; `/broken`
/// announces 1000 and fails after 10. Everything else is ordinary.
struct Streams;

/// Gives `n` bytes, then fails.
struct Failing(usize);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::other("the store went away"));
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(b'x');
        self.0 -= n;
        Ok(n)
    }
}

impl Handler for Streams {
    fn handle(&self, req: &Request) -> Response {
        Response::new(200, "text/plain", format!("whole {} bytes", req.body.len()))
    }

    fn stream_limit(&self, head: &Request) -> Option<u64> {
        match head.path.as_str() {
            "/count" => Some(10 << 20),
            "/bytes" | "/broken" => Some(0),
            _ => None,
        }
    }

    fn handle_stream(&self, req: &Request, body: &mut dyn Read) -> Streamed {
        match req.path.as_str() {
            "/count" if req.query == "refuse" => Response::error(403, "refused").into(),
            "/count" => {
                let mut buf = [0u8; 4096];
                let mut n = 0u64;
                loop {
                    match body.read(&mut buf) {
                        Ok(0) => break,
                        Ok(k) => n += k as u64,
                        Err(e) => return Response::error(400, &e.to_string()).into(),
                    }
                }
                Response::new(200, "text/plain", format!("streamed {n} bytes")).into()
            }
            "/bytes" => {
                let n: u64 = req.param("n").and_then(|n| n.parse().ok()).unwrap_or(0);
                Streamed {
                    response: Response::new(200, "application/octet-stream", ""),
                    body: Some(BodyStream {
                        len: n,
                        reader: Box::new(std::io::repeat(b'z').take(n)),
                    }),
                }
            }
            _ => Streamed {
                response: Response::new(200, "application/octet-stream", ""),
                body: Some(BodyStream {
                    len: 1000,
                    reader: Box::new(Failing(10)),
                }),
            },
        }
    }
}

fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let limits = Limits {
        max_body_bytes: 1000,
        request_time: Duration::from_secs(5),
        idle_time: Duration::from_millis(500),
        threads: 4,
        ..Limits::default()
    };
    Server::start(listener, Arc::new(Streams), limits).expect("start")
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(s.addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    c
}

/// Reads one response: (status line, headers, body by Content-Length).
fn response(r: &mut impl BufRead) -> (String, String, Vec<u8>) {
    let mut status = String::new();
    r.read_line(&mut status).expect("status");
    let mut headers = String::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).expect("header");
        if l == "\r\n" || l.is_empty() {
            break;
        }
        headers.push_str(&l);
    }
    let len: usize = headers
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("Content-Length");
    let mut body = vec![0; len];
    r.read_exact(&mut body).expect("body");
    (status.trim_end().to_string(), headers, body)
}

#[test]
fn a_body_past_the_ordinary_limit_streams_and_the_connection_goes_on() {
    let s = start();
    let mut c = connect(&s);
    let body = vec![b'a'; 3 << 20];
    c.write_all(
        format!(
            "POST /count HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .expect("head");
    c.write_all(&body).expect("body");
    let mut r = BufReader::new(c.try_clone().expect("clone"));
    let (status, _, text) = response(&mut r);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(text, format!("streamed {} bytes", 3 << 20).as_bytes());
    // The same connection serves the next request (the body was all read).
    c.write_all(b"POST /other HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
        .expect("second");
    let (status, _, text) = response(&mut r);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(text, b"whole 3 bytes");
    // An ordinary route keeps the ordinary limit.
    let mut c = connect(&s);
    c.write_all(b"POST /other HTTP/1.1\r\nContent-Length: 1001\r\n\r\n")
        .expect("head");
    let (status, _, _) = response(&mut BufReader::new(c));
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // A streamed one has its own.
    let mut c = connect(&s);
    c.write_all(
        format!(
            "POST /count HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            (10 << 20) + 1
        )
        .as_bytes(),
    )
    .expect("head");
    let (status, _, text) = response(&mut BufReader::new(c));
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    assert!(
        String::from_utf8_lossy(&text).contains("at most 10485760"),
        "{text:?}"
    );
    s.stop();
}

#[test]
fn continue_is_sent_only_when_the_body_is_wanted() {
    let s = start();
    // Refused: the final answer comes without a 100, and no body was sent.
    let mut c = connect(&s);
    c.write_all(
        b"POST /count?refuse HTTP/1.1\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n",
    )
    .expect("head");
    let mut r = BufReader::new(c.try_clone().expect("clone"));
    let (status, headers, _) = response(&mut r);
    assert!(status.starts_with("HTTP/1.1 403"), "{status}");
    assert!(headers.contains("Connection: close"), "{headers}");
    // Wanted: 100 Continue, then the body, then the answer.
    let mut c = connect(&s);
    c.write_all(b"POST /count HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        .expect("head");
    let mut r = BufReader::new(c.try_clone().expect("clone"));
    let mut line = String::new();
    r.read_line(&mut line).expect("interim");
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    r.read_line(&mut line).expect("blank");
    c.write_all(b"hello").expect("body");
    let (status, _, text) = response(&mut r);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(text, b"streamed 5 bytes");
    s.stop();
}

#[test]
fn a_refused_upload_still_gets_its_answer() {
    let s = start();
    let mut c = connect(&s);
    // Sent whole before reading: the server answers without reading it,
    // then drains, so the answer is not lost to a reset.
    c.write_all(b"POST /count?refuse HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n")
        .expect("head");
    let _ = c.write_all(&vec![b'b'; 2_000_000]);
    let (status, _, text) = response(&mut BufReader::new(c));
    assert!(status.starts_with("HTTP/1.1 403"), "{status}");
    assert!(String::from_utf8_lossy(&text).contains("refused"));
    s.stop();
}

#[test]
fn answers_stream_from_a_reader() {
    let s = start();
    let mut c = connect(&s);
    c.write_all(b"GET /bytes?n=2000000 HTTP/1.1\r\n\r\nGET /bytes?n=3 HTTP/1.1\r\n\r\n")
        .expect("two requests");
    let mut r = BufReader::new(c);
    let (status, headers, body) = response(&mut r);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("Content-Length: 2000000"), "{headers}");
    assert!(body.len() == 2_000_000 && body.iter().all(|&b| b == b'z'));
    let (_, _, body) = response(&mut r);
    assert_eq!(body, b"zzz", "kept alive after a streamed answer");
    // A source that fails: the head says 1000, 10 come, the connection ends.
    let mut c = connect(&s);
    c.write_all(b"GET /broken HTTP/1.1\r\n\r\n")
        .expect("request");
    let mut all = Vec::new();
    let _ = c.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    assert!(text.contains("Content-Length: 1000"), "{text}");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.len())
        .unwrap_or(0);
    assert_eq!(body, 10, "the client sees a short body, not a wrong one");
    s.stop();
}
