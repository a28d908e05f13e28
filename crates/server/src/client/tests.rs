use super::*;
use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn urls_are_checked() {
    let c = Client::new("http://127.0.0.1:8428/", Duration::from_secs(1)).expect("ok");
    assert_eq!(c.base(), "http://127.0.0.1:8428");
    let c = Client::new("http://vm/select/0/prometheus", Duration::from_secs(1)).expect("ok");
    assert_eq!(c.base(), "http://vm:80/select/0/prometheus");
    let c = Client::new("http://[::1]:81", Duration::from_secs(1)).expect("ok");
    assert_eq!(c.base(), "http://[::1]:81");
    for bad in [
        "https://vm:8428",
        "vm:8428",
        "http://",
        "http://vm:x",
        "http://::1:80",
        "http://a@vm",
    ] {
        assert!(Client::new(bad, Duration::from_secs(1)).is_err(), "{bad}");
    }
}

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
    let v6 = Target::parse("http://[::1]:81").expect("test step");
    assert_eq!(v6.host, "::1");
    assert_eq!(v6.to_string(), "http://[::1]:81");
    let https = Target::parse("https://x").expect_err("an error");
    assert!(
        https.contains("TLS proxy") && https.contains("only http://"),
        "{https}"
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
    assert_eq!(
        Target::parse_with_path("http://hooks:8080/services/x?t=1").expect("test step"),
        (
            Target {
                host: "hooks".into(),
                port: 8080
            },
            "/services/x?t=1".to_string()
        )
    );
}

#[test]
fn query_values_are_escaped() {
    assert_eq!(query_escape("{a=\"b c\"}&x"), "%7Ba%3D%22b%20c%22%7D%26x");
}

/// A port nothing listens on: bound, then closed.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn a_dead_address_is_unavailable_and_named() {
    let port = dead_port();
    let c =
        Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(1)).expect("client");
    let e = c.expect_ok("GET", "/health", &[], b"").expect_err("down");
    assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("http://127.0.0.1:{port}/health: cannot connect")),
        "{e}"
    );
}

/// What a scripted server does with one request on a connection: answer
/// it with these bytes, or (`None`) read it and close without answering,
/// as a kept-alive connection's peer does when it times it out just then.
type Step = Option<&'static str>;

/// A server on a thread: each connection it accepts follows the next
/// script, request by request, and is closed at the script's end; after
/// the last script it stops. The connections it saw, and the requests
/// (heads and bodies) it read.
struct Scripted {
    url: String,
    conns: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

fn scripted(scripts: Vec<Vec<Step>>) -> Scripted {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    let conns = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (seen, log) = (Arc::clone(&conns), Arc::clone(&requests));
    std::thread::spawn(move || {
        for script in scripts {
            let Ok((s, _)) = l.accept() else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut r = BufReader::new(s);
            for step in script {
                // The request: headers, then Content-Length bytes.
                let mut req = String::new();
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    req.push_str(&line);
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; len];
                let _ = r.read_exact(&mut body);
                req.push_str(&String::from_utf8_lossy(&body));
                log.lock().expect("log").push(req);
                match step {
                    Some(a) => {
                        let _ = r.get_mut().write_all(a.as_bytes());
                    }
                    None => break,
                }
            }
        }
    });
    Scripted {
        url,
        conns,
        requests,
    }
}

impl Scripted {
    fn conns(&self) -> usize {
        self.conns.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("log").clone()
    }
}

/// Long enough for a close on the server's side to reach the client.
fn settle() {
    std::thread::sleep(Duration::from_millis(50));
}

#[test]
fn chunked_and_sized_answers_on_one_kept_alive_connection() {
    let s = scripted(vec![vec![
        Some(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
        ),
        Some("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
        Some("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"),
        Some("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"),
    ]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    assert_eq!(
        c.expect_ok("GET", "/a", &[], b"").expect("a"),
        b"hello world"
    );
    assert_eq!(c.expect_ok("POST", "/b", &[], b"body").expect("b"), b"abc");
    let e = c.expect_ok("GET", "/c?x=1", &[], b"").expect_err("503");
    assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
    assert_eq!(e.to_string(), format!("{}/c: HTTP 503: busy", s.url));
    let e = c.expect_ok("GET", "/d", &[], b"").expect_err("400");
    assert!(matches!(e, ClientError::Status { status: 400, .. }), "{e}");
    assert_eq!(s.conns(), 1);
    let reqs = s.requests();
    assert!(
        reqs[1].starts_with("POST /b HTTP/1.1\r\nHost: 127.0.0.1:")
            && reqs[1].contains("\r\nContent-Length: 4\r\n")
            && reqs[1].ends_with("\r\n\r\nbody"),
        "{reqs:?}"
    );
}

#[test]
fn chunked_bodies_are_decoded_and_interim_answers_skipped() {
    let s = scripted(vec![vec![Some(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
    )]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let r = c.send("GET", "/b/k", &[], Body::Empty).expect("test step");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.read_to_vec(1 << 20).expect("test step"), b"hello world");
    assert_eq!(c.idle_connections(), 1, "read to its end: kept");
}

#[test]
fn a_short_body_is_an_error_naming_the_url() {
    let s = scripted(vec![vec![Some(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    )]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let r = c.send("GET", "/k", &[], Body::Empty).expect("test step");
    let e = r.read_to_vec(100).expect_err("an error").to_string();
    assert!(
        e.contains("7 bytes short") && e.contains(&format!("{}/k", s.url)),
        "{e}"
    );
    // Read as a stream, the error names the URL too.
    let s = scripted(vec![vec![Some(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    )]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let mut r = c.send("GET", "/k", &[], Body::Empty).expect("test step");
    let e = std::io::copy(&mut r.body, &mut std::io::sink())
        .expect_err("short")
        .to_string();
    assert!(e.starts_with(&format!("{}/k: ", s.url)), "{e}");
    assert_eq!(c.idle_connections(), 0);
}

#[test]
fn a_source_that_ends_early_abandons_the_request() {
    let s = scripted(vec![vec![Some(
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    )]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let mut src: &[u8] = b"only this";
    let e = c
        .send(
            "PUT",
            "/b/k",
            &[],
            Body::Reader {
                reader: &mut src,
                len: 100,
            },
        )
        .err()
        .expect("test step");
    assert!(matches!(e, ClientError::Request { .. }), "{e}");
    assert!(e.to_string().contains("ended after 9 of 100 bytes"), "{e}");
    settle();
    let reqs = s.requests();
    assert!(
        reqs.len() == 1 && reqs[0].contains("Content-Length: 100\r\n"),
        "{reqs:?}"
    );
    assert_eq!(c.idle_connections(), 0);
}

#[test]
fn a_kept_alive_connection_closed_by_the_server_is_replaced() {
    // One answer per connection, but no `Connection: close`: the client
    // keeps the connection, sees that it was closed, and connects again.
    let s = scripted(vec![
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1")],
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2")],
    ]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("first"), b"1");
    settle();
    assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("second"), b"2");
    assert_eq!(s.conns(), 2);
}

/// The peer closes a kept-alive connection just as the next request goes
/// out (it reads it, then closes without an answer): an in-memory body is
/// sent once more on a new connection...
#[test]
fn an_in_memory_body_is_sent_again_when_a_reused_connection_was_closed() {
    let s = scripted(vec![
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"), None],
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2")],
    ]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("first"), b"1");
    assert_eq!(c.idle_connections(), 1);
    assert_eq!(c.expect_ok("POST", "/w", &[], b"abc").expect("again"), b"2");
    assert_eq!(s.conns(), 2);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert_eq!(reqs[1], reqs[2], "the same request, twice");
}

/// ...but a streamed one never is: its reader cannot be read again, so the
/// caller gets the error, and the service sees no second connection.
#[test]
fn a_streamed_request_body_is_never_retried() {
    let s = scripted(vec![
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"), None],
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2")],
    ]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("first"), b"1");
    let mut src: &[u8] = b"abc";
    let e = c
        .send(
            "PUT",
            "/k",
            &[],
            Body::Reader {
                reader: &mut src,
                len: 3,
            },
        )
        .err()
        .expect("not retried");
    assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("{}/k: the connection was closed", s.url)),
        "{e}"
    );
    settle();
    assert_eq!(s.conns(), 1, "no second connection");
    assert_eq!(s.requests().len(), 2);
}

#[test]
fn a_streamed_answer_returns_its_connection_only_when_read_to_its_end() {
    let s = scripted(vec![
        vec![
            Some("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"),
            Some("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"),
        ],
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")],
    ]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    // Read to its end (exactly its length, no read past it): kept.
    let mut r = c.send("GET", "/whole", &[], Body::Empty).expect("send");
    assert_eq!(r.body.remaining(), Some(10));
    let mut got = [0u8; 10];
    r.body.read_exact(&mut got).expect("read");
    assert_eq!(&got, b"0123456789");
    assert_eq!(r.body.remaining(), Some(0));
    assert_eq!(c.idle_connections(), 1);
    drop(r);
    // Dropped after 3 of 10 bytes: the connection is closed, not pooled
    // (the next answer would start with the rest of this body).
    let mut r = c.send("GET", "/part", &[], Body::Empty).expect("send");
    let mut got = [0u8; 3];
    r.body.read_exact(&mut got).expect("read");
    drop(r);
    assert_eq!(c.idle_connections(), 0);
    assert_eq!(c.expect_ok("GET", "/next", &[], b"").expect("next"), b"ok");
    assert_eq!(s.conns(), 2);
}

#[test]
fn answers_that_end_their_connection_are_not_pooled() {
    let s = scripted(vec![
        vec![Some(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
        )],
        vec![Some("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb")],
        vec![Some("HTTP/1.1 200 OK\r\n\r\nto the end")],
        vec![
            Some("HTTP/1.1 204 No Content\r\n\r\n"),
            Some("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
        ],
    ]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    assert_eq!(c.call("GET", "/", &[], b"").expect("a").body, b"a");
    assert_eq!(c.idle_connections(), 0);
    assert_eq!(c.call("GET", "/", &[], b"").expect("b").body, b"b");
    assert_eq!(c.idle_connections(), 0);
    assert_eq!(c.call("GET", "/", &[], b"").expect("c").body, b"to the end");
    assert_eq!(c.idle_connections(), 0);
    // Answers without a body are at their end at once: kept.
    let r = c.send("DELETE", "/", &[], Body::Empty).expect("204");
    assert_eq!(r.status, 204);
    assert_eq!(c.idle_connections(), 1);
    let r = c.send("HEAD", "/", &[], Body::Empty).expect("head");
    assert_eq!(r.header("content-length"), Some("4"));
    assert_eq!(c.idle_connections(), 1);
    assert_eq!(s.conns(), 4);
}

#[test]
fn an_answer_past_the_cap_is_refused_before_it_is_read() {
    let s = scripted(vec![vec![Some(
        "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n",
    )]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let e = c.call("GET", "/big", &[], b"").expect_err("too big");
    assert_eq!(
        e.to_string(),
        format!(
            "{}/big: an answer of 1073741824 bytes; at most {MAX_ANSWER}",
            s.url
        )
    );
}

#[test]
fn nonsense_and_injected_headers_are_errors() {
    let s = scripted(vec![vec![Some("SSH-2.0-OpenSSH\r\n")]]);
    let c = Client::new(&s.url, Duration::from_secs(5)).expect("client");
    let e = c.call("GET", "/", &[], b"").expect_err("not http");
    assert!(e.to_string().contains("not an HTTP answer"), "{e}");
    let e = c
        .call("GET", "/", &[("X-A", "b\r\nX-Evil: 1")], b"")
        .expect_err("refused");
    assert!(matches!(e, ClientError::Request { .. }), "{e}");
    assert_eq!(s.requests().len(), 1, "nothing sent");
}

#[test]
fn a_silent_service_times_out_and_is_not_sent_the_request_twice() {
    // The first request answered, the second read and never answered (an
    // empty answer: nothing written, the next request awaited).
    let s = scripted(vec![
        vec![
            Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"),
            Some(""),
            None,
        ],
        vec![Some("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2")],
    ]);
    let c = Client::new(&s.url, Duration::from_millis(300)).expect("client");
    assert_eq!(c.expect_ok("GET", "/", &[], b"").expect("first"), b"1");
    let started = Instant::now();
    let e = c.call("GET", "/slow", &[], b"").expect_err("timeout");
    assert!(matches!(e, ClientError::Unavailable { .. }), "{e}");
    assert!(
        e.to_string().starts_with(&format!("{}/slow: ", s.url)),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    settle();
    assert_eq!(s.conns(), 1, "a timeout is not a closed connection");
}
