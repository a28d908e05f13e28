//! The `tcp` check against real listeners: one the test runs (a line
//! protocol answering PING with +PONG, and one that accepts and never
//! answers), nginx over TLS, and closed ports.

mod common_checks;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common_checks::{Nginx, assert_result, check, free_port, usage_error};
use sonde_plugins::CheckStatus;

/// A server that answers every line `PING` with `+PONG` (a Redis-like
/// exchange), on `addr`; returns its port.
fn pong_server(addr: &str) -> Option<u16> {
    let l = TcpListener::bind(addr).ok()?;
    let port = l.local_addr().ok()?.port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut w = s.try_clone().expect("clone");
                for line in BufReader::new(s).lines().map_while(Result::ok) {
                    let reply = if line.trim() == "PING" {
                        "+PONG\r\n"
                    } else {
                        "-ERR\r\n"
                    };
                    if w.write_all(reply.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    Some(port)
}

/// A server that accepts and then says nothing.
fn silent_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

#[test]
fn send_and_expect_ok_with_the_answer_quoted() {
    let port = pong_server("127.0.0.1:0").expect("bind");
    let p = port.to_string();
    let r = check(
        "tcp",
        &[
            "-H",
            "127.0.0.1",
            "-p",
            &p,
            "-s",
            r"PING\r\n",
            "-E",
            "-e",
            r"^\+PONG",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Ok,
        &[
            "TCP OK: ",
            "seconds response time on 127.0.0.1 port",
            &p,
            "[+PONG]",
        ],
    );
    // By name, resolved through the system resolver.
    let r = check("tcp", &["-H", "localhost", "-p", &p]);
    assert_result(&r, CheckStatus::Ok, &["on localhost port"]);
}

#[test]
fn an_unexpected_answer_is_critical_and_quoted() {
    let port = pong_server("127.0.0.1:0").expect("bind");
    let p = port.to_string();
    let r = check(
        "tcp",
        &[
            "-H",
            "127.0.0.1",
            "-p",
            &p,
            "-s",
            "HELLO\n",
            "--expect",
            r"^\+PONG",
            "-t",
            "2",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["Unexpected response from 127.0.0.1:", "-ERR"],
    );
}

#[test]
fn ipv6_literal() {
    let Some(port) = pong_server("[::1]:0") else {
        println!("skipped: no IPv6 loopback here");
        return;
    };
    let r = check(
        "tcp",
        &["-H", "::1", "-p", &port.to_string(), "-s", "PING\n"],
    );
    assert_result(&r, CheckStatus::Ok, &["on ::1 port", "[+PONG]"]);
}

#[test]
fn a_closed_port_is_critical_naming_the_address_or_warning_with_w_flag() {
    let p = free_port().to_string();
    let r = check("tcp", &["-H", "127.0.0.1", "-p", &p]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["TCP CRITICAL: ", &format!("127.0.0.1:{p}"), "refused"],
    );
    let r = check("tcp", &["-H", "127.0.0.1", "-p", &p, "--error-warning"]);
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = check("tcp", &["-H", "127.0.0.1", "-p", &p, "--expect-closed"]);
    assert_result(&r, CheckStatus::Ok, &["Verified that the port is closed"]);
    let open = pong_server("127.0.0.1:0").expect("bind").to_string();
    let r = check("tcp", &["-H", "127.0.0.1", "-p", &open, "-C"]);
    assert_result(&r, CheckStatus::Critical, &["Unexpectedly open port"]);
}

#[test]
fn a_silent_server_times_out_within_the_timeout() {
    let p = silent_server().to_string();
    let start = Instant::now();
    let r = check(
        "tcp",
        &["-H", "127.0.0.1", "-p", &p, "-e", "hello", "-t", "0.5"],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["timed out", &format!("127.0.0.1:{p}")],
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn response_time_thresholds() {
    let p = pong_server("127.0.0.1:0").expect("bind").to_string();
    // Any exchange takes longer than a microsecond and less than a minute.
    let r = check(
        "tcp",
        &["-H", "127.0.0.1", "-p", &p, "-w", "0.000001", "-c", "60"],
    );
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = check(
        "tcp",
        &[
            "-H",
            "127.0.0.1",
            "-p",
            &p,
            "-w",
            "0.000001",
            "-c",
            "0.000002",
        ],
    );
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    let r = check(
        "tcp",
        &["-H", "127.0.0.1", "-p", &p, "-w", "30", "-c", "60"],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
}

#[test]
fn tls_to_nginx_verified_unverified_and_expired() {
    let n = Nginx::start();
    let https = n.https.to_string();
    let ca = n.ca();
    let get = r"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    let r = check(
        "tcp",
        &[
            "-H",
            "localhost",
            "-p",
            &https,
            "--tls",
            "--ca-file",
            &ca,
            "-E",
            "-s",
            get,
            "-e",
            "^HTTP/1.1 200",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Ok,
        &["on localhost port", "HTTP/1.1 200 OK"],
    );
    // The test CA is not among the system roots.
    let r = check("tcp", &["-H", "localhost", "-p", &https, "-S"]);
    assert_result(&r, CheckStatus::Critical, &["TLS", "UnknownIssuer"]);
    let r = check(
        "tcp",
        &[
            "-H",
            "localhost",
            "-p",
            &https,
            "-S",
            "--no-check-certificate",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check(
        "tcp",
        &[
            "-H",
            "localhost",
            "-p",
            &n.expired.to_string(),
            "--tls",
            "--ca-file",
            &ca,
        ],
    );
    assert_result(&r, CheckStatus::Critical, &["TLS", "xpired"]);
    // TLS to a port that speaks plain HTTP fails the handshake.
    let r = check(
        "tcp",
        &[
            "-H",
            "127.0.0.1",
            "-p",
            &n.http.to_string(),
            "--tls",
            "-t",
            "2",
        ],
    );
    assert_result(&r, CheckStatus::Critical, &["TLS handshake"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert!(
        usage_error("tcp", &["-H", "x"])
            .to_string()
            .contains("--port")
    );
    assert!(
        usage_error("tcp", &["-p", "70000"])
            .to_string()
            .contains("70000")
    );
    assert!(
        usage_error("tcp", &["-p", "1", "-e", "("])
            .to_string()
            .contains("regex")
    );
    assert!(
        usage_error("tcp", &["-p", "1", "--bogus"])
            .to_string()
            .contains("--bogus")
    );
    assert!(
        usage_error(
            "tcp",
            &["-p", "1", "--tls", "--ca-file", "/nonexistent.pem"]
        )
        .to_string()
        .contains("/nonexistent.pem")
    );
}

#[test]
fn standalone_through_the_binary_exits_with_the_status() {
    let bin = common_checks::sonde_binary();
    let p = pong_server("127.0.0.1:0").expect("bind").to_string();
    let out = std::process::Command::new(&bin)
        .args(["plugin", "tcp", "-H", "127.0.0.1", "-p", &p])
        .output()
        .expect("sonde runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("TCP OK: "), "{text}");
    let down = free_port().to_string();
    let out = std::process::Command::new(&bin)
        .args(["plugin", "tcp", "-H", "127.0.0.1", "-p", &down])
        .output()
        .expect("sonde runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with("TCP CRITICAL: ") && text.contains(&down),
        "{text}"
    );
}

/// A server that greets like FTP and reports what the client sent after.
fn ftp_like_server() -> (u16, std::sync::mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let _ = s.write_all(b"220 sonde ftp ready\r\n");
            let mut line = String::new();
            let _ = BufReader::new(s).read_line(&mut line);
            let _ = tx.send(line);
        }
    });
    (port, rx)
}

#[test]
fn a_service_preset_expects_its_greeting_and_quits() {
    let (port, said) = ftp_like_server();
    let p = port.to_string();
    let r = check("tcp", &["--service", "ftp", "-H", "127.0.0.1", "-p", &p]);
    assert_result(&r, CheckStatus::Ok, &["FTP OK: ", "[220 sonde ftp ready]"]);
    let quit = said
        .recv_timeout(Duration::from_secs(5))
        .expect("quit line");
    assert_eq!(quit, "QUIT\r\n");
    // POP expects "+OK": an FTP greeting is not one.
    let r = check(
        "tcp",
        &["--service", "POP", "-H", "127.0.0.1", "-p", &p, "-t", "1"],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["POP CRITICAL: Unexpected response", "220 sonde ftp ready"],
    );
    let e = usage_error("tcp", &["--service", "gopher"]);
    assert!(
        e.to_string().contains("gopher") && e.to_string().contains("SMTP"),
        "{e}"
    );
}

#[test]
fn a_unix_socket() {
    let dir = common_checks::TempDir::new("tcp-unix");
    let path = dir.path().join("pong.sock");
    let l = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut w = s.try_clone().expect("clone");
            let mut line = String::new();
            if BufReader::new(s).read_line(&mut line).is_ok() && line.trim() == "PING" {
                let _ = w.write_all(b"+PONG\r\n");
            }
        }
    });
    let sock = path.display().to_string();
    let r = check("tcp", &["-U", &sock, "-s", "PING\n", "-e", r"^\+PONG"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["seconds response time on unix socket", &sock, "[+PONG]"],
    );
    let gone = dir.path().join("gone.sock").display().to_string();
    let r = check("tcp", &["-U", &gone]);
    assert_result(&r, CheckStatus::Critical, &[&gone, "No such file"]);
    let r = check("tcp", &["-U", &gone, "--expect-closed"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["Verified that the unixsock is closed"],
    );
    assert!(
        usage_error("tcp", &["-U", &sock, "--tls"])
            .to_string()
            .contains("unix")
    );
}
