//! `dns` (go-check-plugins' check-dns): asks a DNS server (`-s`, default the
//! first `nameserver` of /etc/resolv.conf) for a name's A or AAAA records
//! over UDP, retrying over TCP when the answer was truncated, and checks
//! the addresses against the expected ones (`-a`/`-e`). CRITICAL on
//! NXDOMAIN or another error code, no address, a timeout, or addresses
//! that differ entirely from the expected (WARNING when they differ in part).
//!
//! ```text
//! sonde plugin dns -H example.com -s 192.0.2.53 -a 93.184.216.34
//! DNS OK: example.com A 93.184.216.34 from 192.0.2.53:53 in 0.012 seconds
//! ```

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use super::args::{self, Flag, opt, switch};
use super::dns_wire::{self, RCODE_NXDOMAIN, TYPE_A, TYPE_AAAA};
use super::net::Deadline;
use super::{DEFAULT_TIMEOUT, TimeLimits, result, worse};
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "dns";

const FLAGS: &[Flag] = &[
    opt(Some('H'), "host"),
    opt(Some('s'), "server"),
    opt(Some('p'), "port"),
    opt(Some('q'), "querytype"),
    opt(Some('a'), "expected-address"),
    opt(Some('e'), "expected-string"),
    switch(None, "norec"),
    opt(Some('w'), "warning"),
    opt(Some('c'), "critical"),
    opt(Some('t'), "timeout"),
];

/// The first `nameserver` in resolv.conf text.
pub fn resolv_conf_server(text: &str) -> Option<IpAddr> {
    text.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        (f.next() == Some("nameserver"))
            .then(|| f.next())
            .flatten()
            // A link-local IPv6 server may carry a zone (`fe80::1%eth0`),
            // which IpAddr does not parse: such a server is skipped.
            .and_then(|a| a.parse().ok())
    })
}

/// The server to ask: `-s` (an address; a name would need a resolver to
/// find the resolver) or resolv.conf's first, at `port`.
pub(crate) fn server_addr(
    plugin: &str,
    given: Option<&str>,
    port: u16,
) -> Result<SocketAddr, UsageError> {
    let ip = match given {
        Some(s) => s
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .map_err(|_| args::usage(plugin, format!("--server {s:?} is not an IP address")))?,
        None => {
            let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
            resolv_conf_server(&text).ok_or_else(|| {
                args::usage(
                    plugin,
                    "no --server given and no nameserver in /etc/resolv.conf",
                )
            })?
        }
    };
    Ok(SocketAddr::new(ip, port))
}

/// `A` or `AAAA` as a type number.
pub(crate) fn query_type(plugin: &str, given: Option<&str>) -> Result<u16, UsageError> {
    match given.map(str::to_ascii_uppercase).as_deref() {
        None | Some("A") => Ok(TYPE_A),
        Some("AAAA") => Ok(TYPE_AAAA),
        Some(_) => Err(args::usage(
            plugin,
            format!("--querytype {:?}: A or AAAA", given.unwrap_or_default()),
        )),
    }
}

/// A query's id: unpredictable enough that a stray or spoofed datagram is
/// not taken for the answer (nothing here needs cryptographic strength).
fn query_id() -> u16 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (t ^ (t >> 16) ^ std::process::id()) as u16
}

/// Asks `server` for `name`; returns the response, the time it took and
/// whether TCP was needed. The error names the server.
pub fn ask(
    server: SocketAddr,
    name: &str,
    qtype: u16,
    recurse: bool,
    timeout: Duration,
) -> Result<(dns_wire::Response, Duration, bool), String> {
    let ctx = |e: &dyn std::fmt::Display| format!("{server}: {e}");
    let deadline = Deadline::after(timeout);
    let id = query_id();
    let q = dns_wire::query(id, name, qtype, recurse).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().map_err(|e| ctx(&e))?
    } else {
        "[::]:0".parse().map_err(|e| ctx(&e))?
    };
    let sock = UdpSocket::bind(bind).map_err(|e| ctx(&e))?;
    sock.connect(server).map_err(|e| ctx(&e))?;
    sock.send(&q).map_err(|e| ctx(&e))?;
    let mut buf = [0u8; 4096];
    let resp = loop {
        let left = deadline
            .left("waiting for the answer")
            .map_err(|e| ctx(&e))?;
        sock.set_read_timeout(Some(left)).map_err(|e| ctx(&e))?;
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(ctx(&"timed out waiting for the answer"));
            }
            Err(e) => return Err(ctx(&e)),
        };
        // Anything not our answer (another id, garbage) is ignored.
        if let Ok(r) = dns_wire::decode(&buf[..n])
            && r.id == id
            && r.response
        {
            break r;
        }
    };
    if !resp.truncated {
        return Ok((resp, start.elapsed(), false));
    }
    let r = ask_tcp(server, &q, id, deadline).map_err(|e| ctx(&format!("over TCP: {e}")))?;
    Ok((r, start.elapsed(), true))
}

/// The query over TCP (a two-byte length before each message).
fn ask_tcp(
    server: SocketAddr,
    q: &[u8],
    id: u16,
    deadline: Deadline,
) -> Result<dns_wire::Response, String> {
    let left = deadline.left("connecting").map_err(|e| e.to_string())?;
    let mut s = TcpStream::connect_timeout(&server, left).map_err(|e| e.to_string())?;
    let left = deadline.left("asking").map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(left)).map_err(|e| e.to_string())?;
    let mut msg = (q.len() as u16).to_be_bytes().to_vec();
    msg.extend_from_slice(q);
    s.write_all(&msg).map_err(|e| e.to_string())?;
    let mut len = [0u8; 2];
    s.read_exact(&mut len).map_err(|e| e.to_string())?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut body).map_err(|e| e.to_string())?;
    let r = dns_wire::decode(&body).map_err(|e| e.to_string())?;
    if r.id != id {
        return Err("the answer is for another query".into());
    }
    Ok(r)
}

/// The configured `dns` check.
#[derive(Debug)]
pub struct Dns {
    host: String,
    server: SocketAddr,
    qtype: u16,
    expected: Vec<String>,
    recurse: bool,
    limits: TimeLimits,
    timeout: Duration,
}

impl Dns {
    /// Configures the check from its flags.
    pub fn from_args(a: &[String]) -> Result<Dns, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let host = p.required("host")?.to_string();
        dns_wire::query(0, &host, TYPE_A, true).map_err(|e| args::usage(NAME, e.to_string()))?;
        let mut expected = Vec::new();
        for e in p
            .all("expected-address")
            .into_iter()
            .chain(p.all("expected-string"))
        {
            // check-dns takes several addresses in one string, comma-separated.
            for a in e.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                let ip: IpAddr = a.parse().map_err(|_| {
                    args::usage(NAME, format!("expected address {a:?} is not an IP address"))
                })?;
                expected.push(ip.to_string());
            }
        }
        Ok(Dns {
            host,
            server: server_addr(NAME, p.get("server"), p.num("port")?.unwrap_or(53))?,
            qtype: query_type(NAME, p.get("querytype"))?,
            expected,
            recurse: !p.has("norec"),
            limits: TimeLimits::from_args(&p)?,
            timeout: p.timeout(DEFAULT_TIMEOUT)?,
        })
    }
}

impl CheckPlugin for Dns {
    fn check(&mut self) -> CheckResult {
        let kind = if self.qtype == TYPE_AAAA { "AAAA" } else { "A" };
        let (resp, took, tcp) = match ask(
            self.server,
            &self.host,
            self.qtype,
            self.recurse,
            self.timeout,
        ) {
            Ok(r) => r,
            Err(e) => {
                return result(
                    "DNS",
                    CheckStatus::Critical,
                    format!("{} {kind}: {e}", self.host),
                );
            }
        };
        let via = if tcp { " (over TCP)" } else { "" };
        let from = format!(
            "from {}{via} in {:.3} seconds",
            self.server,
            took.as_secs_f64()
        );
        if resp.rcode != 0 {
            let what = if resp.rcode == RCODE_NXDOMAIN {
                "NXDOMAIN (no such name)".to_string()
            } else {
                dns_wire::rcode_name(resp.rcode)
            };
            return result(
                "DNS",
                CheckStatus::Critical,
                format!("{} {kind}: {what} {from}", self.host),
            );
        }
        let mut got = resp.addresses();
        if got.is_empty() {
            return result(
                "DNS",
                CheckStatus::Critical,
                format!("{} {kind}: no addresses {from}", self.host),
            );
        }
        let mut status = self.limits.status(took);
        let mut msg = format!("{} {kind} {} {from}", self.host, got.join(", "));
        if !self.expected.is_empty() {
            got.sort();
            got.dedup();
            let mut want = self.expected.clone();
            want.sort();
            want.dedup();
            let common = want.iter().filter(|w| got.contains(w)).count();
            let s = if got == want {
                CheckStatus::Ok
            } else if common > 0 {
                CheckStatus::Warning
            } else {
                CheckStatus::Critical
            };
            if s != CheckStatus::Ok {
                msg.push_str(&format!("; expected {}", want.join(", ")));
            }
            status = worse(status, s);
        }
        result("DNS", status, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_usable_nameserver() {
        let conf = "# comment\nsearch example\nnameserver fe80::1%eth0\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n";
        assert_eq!(
            resolv_conf_server(conf),
            Some("10.0.0.2".parse().expect("ip"))
        );
        assert_eq!(resolv_conf_server("options ndots:1\n"), None);
    }
}
