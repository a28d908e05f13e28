//! The `tls-cert` check against nginx serving a certificate that expires in
//! ten days and one that expired thirty days ago (both signed by a test CA
//! the test makes with openssl), a plain-HTTP port and a closed port.

mod common_checks;

use std::sync::OnceLock;

use common_checks::{Nginx, assert_result, check, free_port, usage_error};
use sonde_plugins::CheckStatus;

fn nginx() -> &'static Nginx {
    static N: OnceLock<Nginx> = OnceLock::new();
    N.get_or_init(Nginx::start)
}

#[test]
fn days_left_against_the_thresholds() {
    let (p, ca) = (nginx().https.to_string(), nginx().ca());
    let base = ["-H", "localhost", "-p", &p, "--ca-file", &ca];
    let run = |extra: &[&str]| check("tls-cert", &[&base[..], extra].concat());
    // The defaults (30 and 14 days) make ten days CRITICAL.
    let r = run(&[]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &[
            "SSL CRITICAL: Certificate 'localhost:",
            "' expires in 10 days (",
            " UTC)",
        ],
    );
    let r = run(&["-w", "30", "-c", "5"]);
    assert_result(&r, CheckStatus::Warning, &["expires in 10 days"]);
    let r = run(&["-w", "5", "-c", "1"]);
    assert_result(&r, CheckStatus::Ok, &["SSL OK: ", "expires in 10 days"]);
    // The ssl-cert alias, by address.
    let r = check(
        "ssl-cert",
        &[
            "-H",
            "127.0.0.1",
            "-p",
            &p,
            "--ca-file",
            &ca,
            "-w",
            "5",
            "-c",
            "1",
        ],
    );
    assert_result(&r, CheckStatus::Ok, &["Certificate '127.0.0.1:"]);
}

#[test]
fn an_expired_certificate_is_critical_even_unchecked() {
    let p = nginx().expired.to_string();
    for extra in [
        ["--ca-file", nginx().ca().as_str()].to_vec(),
        vec!["--no-check-certificate"],
    ] {
        let r = check(
            "tls-cert",
            &[&["-H", "localhost", "-p", &p][..], &extra].concat(),
        );
        assert_result(&r, CheckStatus::Critical, &["expired 30 days ago"]);
    }
}

#[test]
fn an_untrusted_certificate_is_critical_with_the_reason_unless_unchecked() {
    let p = nginx().https.to_string();
    let r = check(
        "tls-cert",
        &["-H", "localhost", "-p", &p, "-w", "5", "-c", "1"],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["expires in 10 days", "not trusted", "UnknownIssuer"],
    );
    let r = check(
        "tls-cert",
        &[
            "-H",
            "localhost",
            "-p",
            &p,
            "-w",
            "5",
            "-c",
            "1",
            "--no-check-certificate",
        ],
    );
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    // A name the certificate does not carry.
    let r = check(
        "tls-cert",
        &[
            "-H",
            "127.0.0.1",
            "--servername",
            "other.example",
            "-p",
            &p,
            "--ca-file",
            &nginx().ca(),
            "-w",
            "5",
            "-c",
            "1",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &["not trusted", "not valid for name \"other.example\""],
    );
}

#[test]
fn no_handshake_is_critical_naming_the_address() {
    let plain = nginx().http.to_string();
    let r = check("tls-cert", &["-H", "127.0.0.1", "-p", &plain, "-t", "2"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &[&format!("127.0.0.1:{plain}"), "TLS handshake"],
    );
    let closed = free_port().to_string();
    let r = check("tls-cert", &["-H", "127.0.0.1", "-p", &closed]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &[&format!("127.0.0.1:{closed}"), "refused"],
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert!(usage_error("tls-cert", &[]).to_string().contains("--host"));
    assert!(
        usage_error("tls-cert", &["-H", "x", "-w", "soon"])
            .to_string()
            .contains("soon")
    );
    assert!(
        usage_error("tls-cert", &["-H", "x", "-p", "0x1"])
            .to_string()
            .contains("0x1")
    );
}
