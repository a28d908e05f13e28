//! The `dns` check against a real dnsmasq on a free port: A and AAAA
//! answers, expected addresses, NXDOMAIN, an answer too big for UDP (TCP
//! fallback), a server that never answers, and no server at all.

mod common_checks;

use std::net::UdpSocket;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common_checks::{Dnsmasq, assert_result, check, usage_error};
use sonde_plugins::CheckStatus;

fn dnsmasq() -> &'static Dnsmasq {
    static D: OnceLock<Dnsmasq> = OnceLock::new();
    D.get_or_init(Dnsmasq::start)
}

fn ask(extra: &[&str]) -> sonde_plugins::CheckResult {
    let port = dnsmasq().port.to_string();
    let server = dnsmasq().server();
    check("dns", &[&["-s", &server, "-p", &port][..], extra].concat())
}

#[test]
fn a_and_aaaa_answers() {
    let port = dnsmasq().port;
    let r = ask(&["-H", "test.sonde"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &[&format!(
            "DNS OK: test.sonde A 192.0.2.7 from 127.0.0.1:{port} in "
        )],
    );
    let r = ask(&["-H", "test.sonde", "-q", "AAAA"]);
    assert_result(&r, CheckStatus::Ok, &["test.sonde AAAA 2001:db8::7"]);
    // Any name under the domain.
    let r = ask(&["-H", "www.test.sonde."]);
    assert_result(&r, CheckStatus::Ok, &["192.0.2.7"]);
}

#[test]
fn expected_addresses() {
    let r = ask(&["-H", "test.sonde", "-a", "192.0.2.7"]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
    let r = ask(&["-H", "test.sonde", "-a", "192.0.2.8"]);
    assert_result(
        &r,
        CheckStatus::Critical,
        &["192.0.2.7", "expected 192.0.2.8"],
    );
    let r = ask(&["-H", "test.sonde", "-e", "192.0.2.7,192.0.2.8"]);
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
    let r = ask(&["-H", "test.sonde", "-q", "aaaa", "-a", "2001:db8:0::7"]);
    assert_eq!(r.status, CheckStatus::Ok, "{}", r.message);
}

#[test]
fn nxdomain_and_refused_are_critical() {
    let r = ask(&["-H", "gone.nx.sonde"]);
    assert_result(&r, CheckStatus::Critical, &["gone.nx.sonde A: NXDOMAIN"]);
    // No upstream for other names: dnsmasq refuses them.
    let r = ask(&["-H", "example.invalid"]);
    assert_result(&r, CheckStatus::Critical, &["REFUSED"]);
}

#[test]
fn a_big_answer_falls_back_to_tcp() {
    let r = ask(&["-H", "big.sonde"]);
    assert_result(
        &r,
        CheckStatus::Ok,
        &["(over TCP)", "192.0.2.1, ", "192.0.2.40"],
    );
}

#[test]
fn a_silent_server_times_out_and_names_the_server() {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = s.local_addr().expect("addr").port().to_string();
    let start = Instant::now();
    let r = check(
        "dns",
        &[
            "-H",
            "test.sonde",
            "-s",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "0.5",
        ],
    );
    assert_result(
        &r,
        CheckStatus::Critical,
        &[&format!("127.0.0.1:{port}"), "timed out"],
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(s);
}

#[test]
fn response_time_thresholds() {
    let r = ask(&["-H", "test.sonde", "-w", "0.000001", "-c", "30"]);
    assert_eq!(r.status, CheckStatus::Warning, "{}", r.message);
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert!(
        usage_error("dns", &["-s", "127.0.0.1"])
            .to_string()
            .contains("--host")
    );
    assert!(
        usage_error("dns", &["-H", "a", "-s", "dns.example"])
            .to_string()
            .contains("dns.example")
    );
    assert!(
        usage_error("dns", &["-H", "a", "-s", "127.0.0.1", "-q", "MX"])
            .to_string()
            .contains("MX")
    );
    assert!(
        usage_error("dns", &["-H", "a..b", "-s", "127.0.0.1"])
            .to_string()
            .contains("a..b")
    );
    assert!(
        usage_error("dns", &["-H", "a", "-s", "127.0.0.1", "-a", "nope"])
            .to_string()
            .contains("nope")
    );
}
