//! The HTTP layer under limits: oversized and malformed requests get a clear
//! 4xx and the connection is closed; a client that trickles its request is
//! cut off at the request time; keep-alive serves several requests on one
//! connection; a stuck client does not stop others being served.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sonde_server::http::{Handler, Limits, Request, Response, Server};

struct Echo;

impl Handler for Echo {
    fn handle(&self, req: &Request) -> Response {
        Response::new(
            200,
            "text/plain",
            format!("{} {} {} bytes", req.method, req.path, req.body.len()),
        )
    }
}

fn start(limits: Limits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    Server::start(listener, Arc::new(Echo), limits).expect("start")
}

fn small() -> Limits {
    Limits {
        max_header_bytes: 1024,
        max_body_bytes: 100,
        request_time: Duration::from_millis(800),
        idle_time: Duration::from_millis(800),
        threads: 4,
    }
}

/// Sends raw bytes, reads until the server closes; the text.
fn exchange(s: &Server, bytes: &[u8]) -> String {
    let mut c = TcpStream::connect(s.addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    c.write_all(bytes).expect("send");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    out
}

#[test]
fn oversized_and_malformed_requests_get_a_clear_4xx() {
    let s = start(small());
    let big = format!(
        "POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n{}",
        "a".repeat(101)
    );
    let r = exchange(&s, big.as_bytes());
    assert!(r.starts_with("HTTP/1.1 413 "), "{r}");
    assert!(r.contains("at most 100 are taken"), "{r}");
    let r = exchange(
        &s,
        format!("GET /x HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(2000)).as_bytes(),
    );
    assert!(r.starts_with("HTTP/1.1 431 "), "{r}");
    let r = exchange(&s, b"HELLO\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400 "), "{r}");
    let r = exchange(&s, b"GET /x HTTP/1.1\r\nno colon here\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400 "), "{r}");
    let r = exchange(&s, b"POST /x HTTP/1.1\r\nContent-Length: lots\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400 "), "{r}");
    let r = exchange(
        &s,
        b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 411 "), "{r}");
    // Two lengths that disagree (a smuggling attempt through a proxy that
    // reads the other): refused; the same length twice is taken.
    let r = exchange(
        &s,
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc",
    );
    assert!(r.starts_with("HTTP/1.1 400 "), "{r}");
    assert!(r.contains("different values"), "{r}");
    let r = exchange(
        &s,
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    );
    assert!(r.ends_with("POST /x 3 bytes"), "{r}");
    // And the server still serves.
    let r = exchange(&s, b"GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 200 ") && r.ends_with("GET /ok 0 bytes"),
        "{r}"
    );
    s.stop();
}

/// HEAD answers as GET would, length included, without the body; the next
/// request on the connection is read right after it.
#[test]
fn head_is_get_without_the_body() {
    let s = start(small());
    let r = exchange(
        &s,
        b"HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    let (first, second) = r.split_once("\r\n\r\n").expect("a head");
    assert!(first.starts_with("HTTP/1.1 200 "), "{r}");
    // The length of the GET's body, "GET /h 0 bytes".
    assert!(first.lines().any(|l| l == "Content-Length: 14"), "{r}");
    assert!(
        second.starts_with("HTTP/1.1 200 "),
        "no body after HEAD's head: {r}"
    );
    assert!(second.ends_with("GET /g 0 bytes"), "{r}");
    s.stop();
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let s = start(small());
    let mut c = TcpStream::connect(s.addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    c.write_all(b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
    assert!(
        out.contains("POST /a 3 bytes") && out.contains("GET /b 0 bytes"),
        "{out}"
    );
    s.stop();
}

#[test]
fn a_trickling_client_is_cut_off_and_others_are_served_meanwhile() {
    let s = start(small());
    let mut slow = TcpStream::connect(s.addr).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let started = Instant::now();
    // One byte every 300 ms: the request never completes.
    let writer = {
        let mut w = slow.try_clone().expect("clone");
        std::thread::spawn(move || {
            for b in b"GET /slow HTTP/1.1\r\nX: y\r\n" {
                if w.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };
    // Meanwhile another client is served at once.
    let r = exchange(&s, b"GET /fast HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 200 "), "{r}");
    assert!(started.elapsed() < Duration::from_millis(500));
    let mut out = String::new();
    let _ = slow.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let _ = writer.join();
    s.stop();
}
