//! The kernel's TCP and UDP counters, from the header/value line pairs of
//! /proc/net/snmp (`Tcp:`, `Udp:`) and /proc/net/netstat (`TcpExt:`).
//!
//! Names: the section in lower case, the kernel's own field name (the one
//! `nstat`, `netstat -s` sources and node_exporter use, so it can be looked
//! up), and `.delta` for a per-second rate, as Mackerel's built-in
//! `disk.<dev>.reads.delta` and `interface.<if>.rxBytes.delta` are:
//!
//! - `tcp.<Field>.delta`: ActiveOpens, PassiveOpens, AttemptFails,
//!   EstabResets, InSegs, OutSegs, RetransSegs, InErrs, OutRsts,
//!   InCsumErrors (connections or segments per second);
//! - `tcp.CurrEstab`: a gauge, the connections now ESTABLISHED or
//!   CLOSE-WAIT;
//! - `udp.<Field>.delta`: InDatagrams, NoPorts, InErrors, OutDatagrams,
//!   RcvbufErrors, SndbufErrors, InCsumErrors, for UDP over IPv4;
//! - `udp6.<Field>.delta`: the same for UDP over IPv6, which the kernel
//!   counts apart, in /proc/net/snmp6 (`Udp6InDatagrams 12` lines; the
//!   file is absent when IPv6 is disabled, and then so are these);
//! - `tcpext.<Field>.delta`: the listen-queue, SYN-cookie, abort, drop and
//!   retransmission counters of [`TCPEXT_COUNTERS`].
//!
//! No Mackerel plugin of mackerelio posts these. The one Mackerel-format
//! plugin found (ryuichi1208/mackerel-plugin-linux-netstat) posts nstat names
//! (`netstat.tcp.segments.TcpInSegs`) as changes per minute; these are per
//! second, so they are not given its names.
//!
//! Headers are paired with values by name, never by position: kernels add
//! columns (Tcp's InCsumErrors came in 3.10), and a field this kernel lacks
//! is simply not posted.

use crate::counter::Rates;
use crate::{Metric, ReadError, Roots};

/// `Tcp:` counters posted as rates.
pub const TCP_COUNTERS: [&str; 10] = [
    "ActiveOpens",
    "PassiveOpens",
    "AttemptFails",
    "EstabResets",
    "InSegs",
    "OutSegs",
    "RetransSegs",
    "InErrs",
    "OutRsts",
    "InCsumErrors",
];

/// `Tcp:` values that are gauges.
pub const TCP_GAUGES: [&str; 1] = ["CurrEstab"];

/// `Udp:` counters posted as rates.
pub const UDP_COUNTERS: [&str; 7] = [
    "InDatagrams",
    "NoPorts",
    "InErrors",
    "OutDatagrams",
    "RcvbufErrors",
    "SndbufErrors",
    "InCsumErrors",
];

/// `TcpExt:` counters posted as rates: what an operator looks at when
/// connections are refused, reset or slow.
pub const TCPEXT_COUNTERS: [&str; 24] = [
    "ListenOverflows",
    "ListenDrops",
    "TCPTimeouts",
    "SyncookiesSent",
    "SyncookiesRecv",
    "SyncookiesFailed",
    "EmbryonicRsts",
    "PruneCalled",
    "RcvPruned",
    "TW",
    "TCPAbortOnData",
    "TCPAbortOnClose",
    "TCPAbortOnMemory",
    "TCPAbortOnTimeout",
    "TCPAbortOnLinger",
    "TCPAbortFailed",
    "TCPMemoryPressures",
    "TCPBacklogDrop",
    "TCPRcvQDrop",
    "TCPReqQFullDrop",
    "TCPLostRetransmit",
    "TCPFastRetrans",
    "TCPSynRetrans",
    "TCPOFODrop",
];

/// What one file gave: counters by metric name (for [`Rates`]) and gauges.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Readings {
    pub counters: Vec<(String, u64)>,
    pub gauges: Vec<Metric>,
}

/// A section this module reads: its name in the file, the metric prefix,
/// its counters and its gauges.
struct Section {
    name: &'static str,
    prefix: &'static str,
    counters: &'static [&'static str],
    gauges: &'static [&'static str],
}

const SNMP: [Section; 2] = [
    Section {
        name: "Tcp",
        prefix: "tcp",
        counters: &TCP_COUNTERS,
        gauges: &TCP_GAUGES,
    },
    Section {
        name: "Udp",
        prefix: "udp",
        counters: &UDP_COUNTERS,
        gauges: &[],
    },
];

const NETSTAT: [Section; 1] = [Section {
    name: "TcpExt",
    prefix: "tcpext",
    counters: &TCPEXT_COUNTERS,
    gauges: &[],
}];

/// Reads /proc/net/snmp's `Tcp:` and `Udp:` pairs (`file` names it in
/// errors).
pub fn parse_snmp(text: &str, file: &str) -> Result<Readings, ReadError> {
    parse(text, file, &SNMP)
}

/// Reads /proc/net/netstat's `TcpExt:` pair (`file` names it in errors).
pub fn parse_netstat(text: &str, file: &str) -> Result<Readings, ReadError> {
    parse(text, file, &NETSTAT)
}

/// Pairs each wanted section's header line with the values line after it.
/// Lines of other sections, and lines without a `Name:` prefix, are
/// skipped. A wanted section whose lines cannot be paired (no values line,
/// a different number of names and values, a value that is not a number)
/// is an error naming the line; so is a file without any wanted section.
fn parse(text: &str, file: &str, sections: &[Section]) -> Result<Readings, ReadError> {
    let err = |line: usize, what: String| ReadError::Parse {
        path: file.to_string(),
        line,
        what,
    };
    let mut out = Readings::default();
    let mut found = 0;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let Some((name, names)) = line.split_once(':') else {
            continue;
        };
        let Some(section) = sections.iter().find(|s| s.name == name) else {
            continue;
        };
        let number = i + 1;
        let mut names_it = names.split_ascii_whitespace().peekable();
        let Some(first) = names_it.peek() else {
            continue; // a short line
        };
        if first.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            return Err(err(
                number,
                format!("{name}: values without a header line before them"),
            ));
        }
        let values = match lines.next_if(|(_, l)| l.split_once(':').is_some_and(|(n, _)| n == name))
        {
            Some((_, l)) => l.split_once(':').map_or("", |(_, v)| v),
            None => {
                return Err(err(
                    number,
                    format!("{name}: a header line without its values line"),
                ));
            }
        };
        let (n_names, n_values) = (
            names.split_ascii_whitespace().count(),
            values.split_ascii_whitespace().count(),
        );
        if n_names != n_values {
            return Err(err(
                number + 1,
                format!("{name}: {n_names} names but {n_values} values"),
            ));
        }
        found += 1;
        for (field, value) in names_it.zip(values.split_ascii_whitespace()) {
            let prefix = section.prefix;
            if section.counters.contains(&field) {
                let v = value.parse::<u64>().map_err(|_| {
                    err(
                        number + 1,
                        format!("{name}: {field}: {value:?} is not a counter"),
                    )
                })?;
                out.counters.push((format!("{prefix}.{field}.delta"), v));
            } else if section.gauges.contains(&field) {
                let v = value.parse::<i64>().map_err(|_| {
                    err(
                        number + 1,
                        format!("{name}: {field}: {value:?} is not a number"),
                    )
                })?;
                out.gauges
                    .push(Metric::new(format!("{prefix}.{field}"), v as f64));
            }
        }
    }
    if found == 0 {
        let names: Vec<&str> = sections.iter().map(|s| s.name).collect();
        return Err(err(
            1,
            format!(
                "no {} section (header and values lines)",
                names.join(": or ") + ":"
            ),
        ));
    }
    Ok(out)
}

/// Reads /proc/net/snmp6's `Udp6<Field> <value>` lines (`file` names it in
/// errors). Other lines are skipped; a file without Udp6 counters, or a
/// wanted counter that is not a number, is an error naming the line.
pub fn parse_snmp6(text: &str, file: &str) -> Result<Readings, ReadError> {
    let mut out = Readings::default();
    let mut found = false;
    for (i, line) in text.lines().enumerate() {
        let mut f = line.split_ascii_whitespace();
        let (Some(key), Some(value), None) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let Some(field) = key.strip_prefix("Udp6") else {
            continue;
        };
        found = true;
        if UDP_COUNTERS.contains(&field) {
            let v = value.parse::<u64>().map_err(|_| ReadError::Parse {
                path: file.to_string(),
                line: i + 1,
                what: format!("{key}: {value:?} is not a counter"),
            })?;
            out.counters.push((format!("udp6.{field}.delta"), v));
        }
    }
    if !found {
        return Err(ReadError::Parse {
            path: file.to_string(),
            line: 1,
            what: "no Udp6 counters".into(),
        });
    }
    Ok(out)
}

/// Reads /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 (if IPv6 is
/// enabled): the counters as per-second rates since the previous call
/// (none at the first; none for a counter that went backwards, counted in
/// `rates.dropped`), taken `at` seconds on a monotonic clock, and the
/// gauges as they are.
pub fn collect(roots: &Roots, rates: &mut Rates, at: f64) -> Result<Vec<Metric>, ReadError> {
    let at_file = |rel: &str| roots.proc.join(rel).display().to_string();
    let snmp = parse_snmp(&roots.read_proc("net/snmp")?, &at_file("net/snmp"))?;
    let netstat = parse_netstat(&roots.read_proc("net/netstat")?, &at_file("net/netstat"))?;
    let snmp6 = match roots.read_proc("net/snmp6") {
        Ok(text) => parse_snmp6(&text, &at_file("net/snmp6"))?,
        Err(ReadError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Readings::default()
        }
        Err(e) => return Err(e),
    };
    let counters = snmp
        .counters
        .into_iter()
        .chain(netstat.counters)
        .chain(snmp6.counters);
    let mut out = rates.sample(at, counters);
    out.extend(snmp.gauges);
    out.extend(netstat.gauges);
    Ok(out)
}
