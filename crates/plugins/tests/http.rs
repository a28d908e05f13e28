//! The `http` check against a real nginx (plain HTTP and HTTPS with
//! certificates the test makes), a closed port and a server that never
//! answers.

mod common_checks;

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common_checks::{INDEX, Nginx, assert_result, check, free_port, usage_error};
use sonde_plugins::CheckStatus;

/// One nginx for the whole test binary (started once, a second or so).
fn nginx() -> &'static Nginx {
    static N: OnceLock<Nginx> = OnceLock::new();
    N.get_or_init(Nginx::start)
}

fn url(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", nginx().http)
}

fn https(path: &str) -> String {
    format!("https://localhost:{}{path}", nginx().https)
}

#[test]
fn a_page_is_ok_with_the_go_check_plugins_message() {
    let r = check("http", &["-u", &url("/index.html")]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &[
            "HTTP OK: HTTP/1.1 200 OK - ",
            &format!("{} bytes in ", INDEX.len()),
            "second response time",
        ],
    );
}

#[test]
fn status_codes_by_default_and_by_mapping() {
    let r = check("http", &["-u", &url("/missing")]);
    assert_result(
        &r,
        CheckStatus::Warning,
        &["HTTP WARNING: HTTP/1.1 404 Not Found"],
    );
    let r = check("http", &["-u", &url("/boom")]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["500 Internal Server Error", "5 bytes"],
    );
    let r = check("http", &["-u", &url("/moved"), "--max-redirects", "0"]);
    assert_result(&r, CheckStatus::Ok, &["301 Moved Permanently"]);
    let r = check("http", &["-u", &url("/missing"), "-s", "404=ok"]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check("http", &["-u", &url("/boom"), "-s", "500-599=warning"]);
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    // A bare range lists the expected codes: the redirect is not one.
    let r = check(
        "http",
        &[
            "-u",
            &url("/moved"),
            "-s",
            "200-299",
            "--max-redirects",
            "0",
        ],
    );
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    let r = check("http", &["-u", &url("/index.html"), "-s", "200-299"]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
}

#[test]
fn redirects_are_followed_as_check_http_follows_them() {
    let r = check("http", &["-u", &url("/moved"), "-p", "hello from sonde"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &[
            "HTTP/1.1 200 OK",
            &format!("; followed 1 redirect to {}", url("/index.html")),
        ],
    );
    // A loop ends after --max-redirects with the last answer.
    let r = check("http", &["-u", &url("/loop"), "--max-redirects", "3"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["302 Moved Temporarily", "followed 3 redirects"],
    );
}

#[test]
fn body_pattern_and_sizes() {
    let r = check(
        "http",
        &["-u", &url("/index.html"), "-p", "hello from sonde"],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check("http", &["-u", &url("/index.html"), "-p", "goodbye"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["HTTP CRITICAL: 'goodbye' not found in the content\nHTTP/1.1 200 OK"],
    );
    let n = INDEX.len().to_string();
    let r = check("http", &["-u", &url("/index.html"), "-B", &n]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check(
        "http",
        &["-u", &url("/index.html"), "--min-bytes", "100000"],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["instead of the indicated minimum '100000'"],
    );
    // The cap keeps the first bytes only, and says so.
    let r = check(
        "http",
        &[
            "-u",
            &url("/index.html"),
            "--max-bytes",
            "10",
            "-p",
            "hello",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["not found", &format!("more than {n} bytes")],
    );
}

#[test]
fn a_chunked_response_is_decoded() {
    // sub_filter rewrites the page, so nginx sends it chunked.
    let r = check(
        "http",
        &[
            "-u",
            &url("/chunked/"),
            "-p",
            "HELLO from sonde's test nginx</body>",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Ok,
        &["200 OK", &format!("{} bytes", INDEX.len())],
    );
}

#[test]
fn method_headers_and_body() {
    let r = check(
        "http",
        &[
            "-u",
            &url("/method"),
            "-m",
            "POST",
            "-d",
            "a=1",
            "-p",
            "(?m)^method=POST$",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check("http", &["-u", &url("/header")]);
    assert_result(&r, CheckStatus::Warning, &["403"]);
    let r = check(
        "http",
        &[
            "-u",
            &url("/header"),
            "-H",
            "X-Sonde: yes",
            "-p",
            "header seen",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = check("http", &["-u", &url("/index.html"), "-m", "HEAD"]);
    assert_result(&r, CheckStatus::Ok, &[&format!("{} bytes", INDEX.len())]);
}

#[test]
fn basic_auth_and_connect_to() {
    let r = check("http", &["-u", &url("/auth")]);
    assert_result(&r, CheckStatus::Warning, &["401"]);
    let r = check(
        "http",
        &[
            "-u",
            &url("/auth"),
            "--user",
            "sonde:secret",
            "-p",
            "auth ok",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    // A URL whose port nobody serves, sent to nginx's HTTPS port: the name
    // (Host, SNI, certificate) stays localhost.
    let dead = free_port();
    let to = format!("localhost:{dead}:127.0.0.1:{}", nginx().https);
    let u = format!("https://localhost:{dead}/index.html");
    let r = check(
        "http",
        &[
            "-u",
            &u,
            "--connect-to",
            &to,
            "--ca-file",
            &nginx().ca(),
            "-p",
            "hello",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Ok,
        &["200 OK", "certificate expires in 10 days"],
    );
    let r = check("http", &["-u", &u, "--ca-file", &nginx().ca()]);
    assert_result(&r, CheckStatus::Critical, &[&format!("{dead}"), "refused"]);
}

#[test]
fn response_time_thresholds() {
    let r = check(
        "http",
        &["-u", &url("/index.html"), "-w", "0.000001", "-c", "60"],
    );
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = check(
        "http",
        &[
            "-u",
            &url("/index.html"),
            "-w",
            "0.000001",
            "-c",
            "0.000002",
        ],
    );
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
}

#[test]
fn https_with_the_test_ca_and_certificate_days() {
    let ca = nginx().ca();
    let r = check(
        "http",
        &["-u", &https("/index.html"), "--ca-file", &ca, "-p", "hello"],
    );
    assert_result(
        &r,
        CheckStatus::Ok,
        &[
            "HTTP OK: HTTP/1.1 200 OK",
            "certificate expires in 10 days (",
        ],
    );
    let r = check(
        "http",
        &[
            "-u",
            &https("/"),
            "--ca-file",
            &ca,
            "--cert-days-warning",
            "30",
        ],
    );
    assert_result(&r, CheckStatus::Warning, &["expires in 10 days"]);
    let r = check(
        "http",
        &[
            "-u",
            &https("/"),
            "--ca-file",
            &ca,
            "--cert-days-warning",
            "30",
            "--cert-days-critical",
            "14",
        ],
    );
    assert_eq!(r.status, CheckStatus::Critical, "{}", r.message);
    let r = check(
        "http",
        &[
            "-u",
            &https("/"),
            "--ca-file",
            &ca,
            "--cert-days-warning",
            "5",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    // By address: the certificate names 127.0.0.1 too.
    let by_ip = format!("https://127.0.0.1:{}/", nginx().https);
    let r = check("http", &["-u", &by_ip, "--ca-file", &ca]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
}

#[test]
fn https_trust_failures_are_critical_unless_not_checked() {
    let r = check("http", &["-u", &https("/")]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["certificate", "UnknownIssuer", "127.0.0.1:"],
    );
    let r = check("http", &["-u", &https("/"), "--no-check-certificate"]);
    assert_result(&r, CheckStatus::Ok, &["200 OK"]);
    let expired = format!("https://localhost:{}/", nginx().expired);
    let r = check("http", &["-u", &expired, "--ca-file", &nginx().ca()]);
    assert_result(&r, CheckStatus::Critical, &["certificate", "xpired"]);
    let r = check(
        "http",
        &[
            "-u",
            &expired,
            "--no-check-certificate",
            "--cert-days-critical",
            "1",
        ],
    );
    assert_result(&r, CheckStatus::Critical, &["certificate expires in -3"]);
    // Plain HTTP spoken to a TLS port, and TLS to a plain port.
    let plain_to_tls = format!("http://127.0.0.1:{}/", nginx().https);
    let r = check("http", &["-u", &plain_to_tls]);
    assert_result(&r, CheckStatus::Warning, &["400 Bad Request"]);
    let tls_to_plain = format!("https://127.0.0.1:{}/", nginx().http);
    let r = check("http", &["-u", &tls_to_plain, "-t", "2"]);
    assert_result(&r, CheckStatus::Critical, &["TLS handshake"]);
}

#[test]
fn a_down_server_is_critical_naming_the_address() {
    let p = free_port();
    let u = format!("http://127.0.0.1:{p}/health");
    let r = check("http", &["-u", &u]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["HTTP CRITICAL: ", &u, &format!("127.0.0.1:{p}"), "refused"],
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let p = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    let start = Instant::now();
    let r = check(
        "http",
        &["-u", &format!("http://127.0.0.1:{p}/"), "-t", "0.5"],
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
fn bad_arguments_are_usage_errors() {
    assert!(usage_error("http", &[]).to_string().contains("--url"));
    assert!(
        usage_error("http", &["-u", "ftp://x/"])
            .to_string()
            .contains("ftp://x/")
    );
    assert!(
        usage_error("http", &["-u", "http://x/", "-s", "2xx"])
            .to_string()
            .contains("2xx")
    );
    assert!(
        usage_error("http", &["-u", "http://x/", "-p", "("])
            .to_string()
            .contains("regex")
    );
    assert!(
        usage_error("http", &["-u", "http://x/", "-H", "nocolon"])
            .to_string()
            .contains("nocolon")
    );
    assert!(
        usage_error("http", &["-u", "http://x/", "-m", "GE T"])
            .to_string()
            .contains("method")
    );
    assert!(
        usage_error(
            "http",
            &["-u", "https://x/", "--ca-file", "/nonexistent.pem"]
        )
        .to_string()
        .contains("/nonexistent.pem")
    );
}
