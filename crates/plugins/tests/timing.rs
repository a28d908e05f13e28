//! The timing plugins against real servers: `url-timing` on nginx (plain
//! and HTTPS) and `dns-timing` on dnsmasq; the samples match the graph
//! definitions, and a server that is down gives an error naming it.

mod common_checks;

use std::collections::HashMap;

use common_checks::{Dnsmasq, Nginx, args, free_port};
use sonde_plugins::{Builtin, MetricPlugin, Reading};

fn plugin(name: &str, a: &[&str]) -> Box<dyn MetricPlugin> {
    match sonde_plugins::lookup(name, &args(a)) {
        Ok(Builtin::Metrics(p)) => p,
        Ok(other) => panic!("{name}: {other:?}"),
        Err(e) => panic!("{name} {a:?}: {e}"),
    }
}

/// The samples by name, in milliseconds.
fn fetch(p: &mut dyn MetricPlugin) -> HashMap<String, f64> {
    p.fetch()
        .expect("fetch")
        .into_iter()
        .map(|s| match s.reading {
            Reading::Gauge(v) => (s.name, v),
            Reading::Counter(_) => panic!("{} is a counter", s.name),
        })
        .collect()
}

/// Every sample is a line of a graph in `graphs()`, in milliseconds, and
/// every line has a sample.
fn assert_matches_graphs(p: &dyn MetricPlugin, samples: &HashMap<String, f64>) {
    let g = p.graphs();
    let graphs = g["graphs"].as_object().expect("graphs object");
    let mut lines = Vec::new();
    for (key, def) in graphs {
        assert_eq!(def["unit"], "milliseconds", "{g}");
        for m in def["metrics"].as_array().expect("metrics") {
            lines.push(format!("{key}.{}", m["name"].as_str().expect("name")));
        }
    }
    let mut names: Vec<&String> = samples.keys().collect();
    names.sort();
    lines.sort();
    assert_eq!(names, lines.iter().collect::<Vec<_>>(), "{g}");
}

#[test]
fn url_timing_over_plain_http_and_https() {
    let n = Nginx::start();
    let u = format!("http://127.0.0.1:{}/index.html", n.http);
    let mut p = plugin("url-timing", &["-u", &u]);
    let s = fetch(p.as_mut());
    assert_matches_graphs(p.as_ref(), &s);
    let get = |k: &str| s[&format!("timing.127_0_0_1.{k}")];
    assert!(!s.contains_key("timing.127_0_0_1.tls"), "{s:?}");
    for k in ["dns", "connect", "first_byte", "total"] {
        assert!(get(k) >= 0.0 && get(k) < 5000.0, "{k}: {s:?}");
    }
    assert!(
        get("total") >= get("first_byte") && get("total") >= get("connect"),
        "{s:?}"
    );
    // An address needs no lookup.
    assert!(get("dns") < 5.0, "{s:?}");

    let u = format!("https://localhost:{}/", n.https);
    let mut p = plugin(
        "url-timing",
        &["-u", &u, "--name", "web-tls", "--ca-file", &n.ca()],
    );
    let s = fetch(p.as_mut());
    assert_matches_graphs(p.as_ref(), &s);
    assert!(s["timing.web-tls.tls"] > 0.0, "{s:?}");
    assert!(
        s["timing.web-tls.total"] >= s["timing.web-tls.tls"],
        "{s:?}"
    );
    // An untrusted certificate is an error, not a timing.
    let mut p = plugin("url-timing", &["-u", &u]);
    let e = p.fetch().expect_err("untrusted");
    assert!(e.to_string().contains("UnknownIssuer"), "{e}");
}

#[test]
fn url_timing_of_a_down_server_is_an_error_naming_it() {
    let port = free_port();
    let mut p = plugin("url-timing", &["-u", &format!("http://127.0.0.1:{port}/")]);
    let e = p.fetch().expect_err("down");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[test]
fn url_timing_standalone_prints_mackerel_lines() {
    let n = Nginx::start();
    let u = format!("http://127.0.0.1:{}/", n.http);
    let mut out = Vec::new();
    let code =
        sonde_plugins::run_standalone("url-timing", &args(&["-u", &u, "-n", "web"]), &mut out);
    let text = String::from_utf8(out).expect("text");
    assert_eq!(code, 0, "{text}");
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "timing.web.dns",
            "timing.web.connect",
            "timing.web.first_byte",
            "timing.web.total"
        ]
    );
    assert!(text.lines().all(|l| l.split('\t').count() == 3), "{text}");
}

#[test]
fn dns_timing_against_dnsmasq() {
    let d = Dnsmasq::start();
    let port = d.port.to_string();
    let mut p = plugin(
        "dns-timing",
        &["-H", "test.sonde", "-s", "127.0.0.1", "-p", &port],
    );
    let s = fetch(p.as_mut());
    assert_matches_graphs(p.as_ref(), &s);
    let v = s["dns_timing.test_sonde.lookup"];
    assert!(v > 0.0 && v < 5000.0, "{s:?}");
    // A negative answer is an answer, and took time.
    let mut p = plugin(
        "dns-timing",
        &[
            "-H",
            "x.nx.sonde",
            "-s",
            "127.0.0.1",
            "-p",
            &port,
            "-n",
            "nx",
        ],
    );
    assert!(fetch(p.as_mut())["dns_timing.nx.lookup"] > 0.0);
    // No answer: an error naming the server.
    drop(d);
    let e = p.fetch().expect_err("no server");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    for (name, a, want) in [
        ("url-timing", &["-n", "x"][..], "--url"),
        (
            "url-timing",
            &["-u", "http://h/", "--name", "a.b"][..],
            "a.b",
        ),
        ("dns-timing", &["-s", "127.0.0.1"][..], "--host"),
        ("dns-timing", &["-H", "a", "-s", "resolver"][..], "resolver"),
    ] {
        let e = common_checks::usage_error(name, a);
        assert!(e.to_string().contains(want), "{e}");
    }
}
