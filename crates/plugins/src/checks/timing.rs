//! Timing metric plugins, for the support question "is it DNS, the
//! network, TLS or the app?": `url-timing` fetches a URL and posts how long
//! each phase took, `dns-timing` how long a DNS server takes to answer.
//! Values are gauges in milliseconds.
//!
//! ```text
//! sonde plugin url-timing -u https://example.com/ --name example
//! timing.example.dns          1.2    <epoch>
//! timing.example.connect      10.4   <epoch>
//! timing.example.tls          21.9   <epoch>
//! timing.example.first_byte   35.0   <epoch>
//! timing.example.total        35.8   <epoch>
//! ```
//!
//! `dns` is the system resolver's lookup of the host (0 for an address);
//! `connect` the TCP handshake; `tls` the TLS handshake (https only);
//! `first_byte` from the request sent to the first byte of the answer (the
//! application's think time); `total` everything, body included. Redirects
//! are not followed: the times are of the URL itself. A failed fetch posts
//! nothing (the error names the URL and the address).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::args::{self, Flag, opt, switch};
use super::http::{self, Request};
use super::http_wire::Url;
use super::tls::Trust;
use super::{DEFAULT_TIMEOUT, dns};
use crate::{MetricPlugin, PluginError, Sample, UsageError};

const URL_FLAGS: &[Flag] = &[
    opt(Some('u'), "url"),
    opt(Some('n'), "name"),
    opt(Some('m'), "method"),
    opt(Some('H'), "header"),
    switch(None, "no-check-certificate"),
    opt(None, "ca-file"),
    opt(Some('t'), "timeout"),
];

const DNS_FLAGS: &[Flag] = &[
    opt(Some('H'), "host"),
    opt(Some('s'), "server"),
    opt(Some('p'), "port"),
    opt(Some('q'), "querytype"),
    opt(Some('n'), "name"),
    opt(Some('t'), "timeout"),
];

/// A metric name part from `s`: characters other than letters, digits,
/// `-` and `_` become `_` (a host's dots would split the name).
pub fn metric_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `--name` if given (it must be a valid name part), else `default`
/// made into one.
fn name_arg(plugin: &str, given: Option<&str>, default: &str) -> Result<String, UsageError> {
    match given {
        Some(n) if !n.is_empty() && metric_part(n) == n => Ok(n.to_string()),
        Some(n) => Err(args::usage(
            plugin,
            format!("--name {n:?}: letters, digits, '-' and '_' only"),
        )),
        None => Ok(metric_part(default)),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn graph(key: &str, label: &str, metrics: &[(&str, &str)]) -> Value {
    let metrics: Vec<Value> = metrics
        .iter()
        .map(|(n, l)| json!({"name": n, "label": l, "stacked": false}))
        .collect();
    json!({"graphs": {key: {"label": label, "unit": "milliseconds", "metrics": metrics}}})
}

/// The configured `url-timing` plugin.
#[derive(Debug)]
pub struct UrlTiming {
    req: Request,
    name: String,
}

impl UrlTiming {
    /// Configures the plugin from its flags.
    pub fn from_args(a: &[String]) -> Result<UrlTiming, UsageError> {
        const NAME: &str = "url-timing";
        let p = args::parse(NAME, URL_FLAGS, a)?;
        let url = Url::parse(p.required("url")?).map_err(|e| args::usage(NAME, e))?;
        let trust = url
            .tls
            .then(|| Trust::new(p.get("ca-file").map(Path::new)))
            .transpose()
            .map_err(|e| args::usage(NAME, e))?;
        let name = name_arg(NAME, p.get("name"), &url.host)?;
        Ok(UrlTiming {
            req: Request {
                method: p.get("method").unwrap_or("GET").to_ascii_uppercase(),
                headers: http::parse_headers(NAME, &p.all("header"))?,
                body: Vec::new(),
                trust,
                verify: !p.has("no-check-certificate"),
                timeout: p.timeout(DEFAULT_TIMEOUT)?,
                max_bytes: http::DEFAULT_MAX_BYTES,
                connect_to: Vec::new(),
                url,
            },
            name,
        })
    }
}

impl MetricPlugin for UrlTiming {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let f = http::fetch(&self.req)
            .map_err(|e| PluginError::new(format!("{}: {e}", self.req.url.display())))?;
        let key = |m: &str| format!("timing.{}.{m}", self.name);
        let mut out = vec![
            Sample::gauge(key("dns"), ms(f.dns)),
            Sample::gauge(key("connect"), ms(f.connect)),
        ];
        if let Some(t) = f.tls {
            out.push(Sample::gauge(key("tls"), ms(t)));
        }
        out.push(Sample::gauge(key("first_byte"), ms(f.first_byte)));
        out.push(Sample::gauge(key("total"), ms(f.total)));
        Ok(out)
    }

    fn graphs(&self) -> Value {
        let mut lines = vec![("dns", "DNS lookup"), ("connect", "TCP connect")];
        if self.req.url.tls {
            lines.push(("tls", "TLS handshake"));
        }
        lines.extend([("first_byte", "First byte"), ("total", "Total")]);
        graph(
            &format!("timing.{}", self.name),
            &format!("Timing {}", self.req.url.display()),
            &lines,
        )
    }
}

/// The configured `dns-timing` plugin.
#[derive(Debug)]
pub struct DnsTiming {
    host: String,
    server: SocketAddr,
    qtype: u16,
    name: String,
    timeout: Duration,
}

impl DnsTiming {
    /// Configures the plugin from its flags.
    pub fn from_args(a: &[String]) -> Result<DnsTiming, UsageError> {
        const NAME: &str = "dns-timing";
        let p = args::parse(NAME, DNS_FLAGS, a)?;
        let host = p.required("host")?.to_string();
        super::dns_wire::query(0, &host, 1, true).map_err(|e| args::usage(NAME, e.to_string()))?;
        Ok(DnsTiming {
            server: dns::server_addr(NAME, p.get("server"), p.num("port")?.unwrap_or(53))?,
            qtype: dns::query_type(NAME, p.get("querytype"))?,
            name: name_arg(NAME, p.get("name"), &host)?,
            timeout: p.timeout(DEFAULT_TIMEOUT)?,
            host,
        })
    }
}

impl MetricPlugin for DnsTiming {
    /// The time to an answer, whatever it says (an NXDOMAIN takes time
    /// too); no value when there is no answer.
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let (_, took, _) = dns::ask(self.server, &self.host, self.qtype, true, self.timeout)
            .map_err(|e| PluginError::new(format!("{}: {e}", self.host)))?;
        Ok(vec![Sample::gauge(
            format!("dns_timing.{}.lookup", self.name),
            ms(took),
        )])
    }

    fn graphs(&self) -> Value {
        graph(
            &format!("dns_timing.{}", self.name),
            &format!("DNS lookup {} at {}", self.host, self.server),
            &[("lookup", "Lookup")],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(metric_part("www.example.com"), "www_example_com");
        assert_eq!(metric_part("::1"), "__1");
        assert_eq!(name_arg("t", Some("api-1"), "x").expect("valid"), "api-1");
        assert!(name_arg("t", Some("a.b"), "x").is_err());
        assert!(name_arg("t", Some(""), "x").is_err());
        assert_eq!(name_arg("t", None, "a.b").expect("valid"), "a_b");
    }
}
