//! Check plugins (HTTP, TCP, TLS certificate, process, log file, DNS) and the
//! timing metric plugins (DNS/TCP/TLS/first-byte times of a URL, DNS lookup
//! time).
//!
//! Every check is configured once from its arguments (bad arguments are a
//! [`UsageError`] then, not at the first run) and speaks its protocol itself
//! with a deadline on every network step (`--timeout`), so that a check can
//! neither fork nor hang the agent. Messages read as go-check-plugins prints
//! them (`HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.004 second response
//! time`), so alerts made for mackerel-agent carry over.

use std::time::Duration;

use crate::{Builtin, CheckResult, CheckStatus, UsageError};

pub(crate) mod args;
pub mod der;
pub mod dns;
pub mod dns_wire;
pub mod http;
pub mod http_wire;
pub mod log;
pub(crate) mod net;
pub mod process;
pub mod tcp;
pub mod timing;
pub(crate) mod tls;
pub mod tls_cert;

/// The default for `--timeout` in the network checks: long enough for a slow
/// server, short enough that a check every minute never piles up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The check or timing plugin named `name`, configured from `args`; `None`
/// when none has that name.
pub fn lookup(name: &str, args: &[String]) -> Option<Result<Builtin, UsageError>> {
    fn check<P: crate::CheckPlugin + 'static>(
        p: Result<P, UsageError>,
    ) -> Result<Builtin, UsageError> {
        p.map(|p| Builtin::Check(Box::new(p)))
    }
    fn metrics<P: crate::MetricPlugin + 'static>(
        p: Result<P, UsageError>,
    ) -> Result<Builtin, UsageError> {
        p.map(|p| Builtin::Metrics(Box::new(p)))
    }
    Some(match name {
        "tcp" => check(tcp::Tcp::from_args(args)),
        "process" | "procs" => check(process::Procs::from_args(args)),
        "log" => check(log::Log::from_args(args)),
        "http" => check(http::Http::from_args(args)),
        "tls-cert" | "ssl-cert" => check(tls_cert::TlsCert::from_args(args)),
        "dns" => check(dns::Dns::from_args(args)),
        "url-timing" => metrics(timing::UrlTiming::from_args(args)),
        "dns-timing" => metrics(timing::DnsTiming::from_args(args)),
        _ => return None,
    })
}

/// The check and timing plugins: name and one line on what it does.
pub const NAMES: &[(&str, &str)] = &[
    (
        "http",
        "check: an HTTP(S) URL's status, body pattern, response time and certificate expiry",
    ),
    (
        "tcp",
        "check: a TCP (or TLS) port accepts, optionally answers as expected, in time",
    ),
    (
        "tls-cert",
        "check: days until a server's TLS certificate expires (alias ssl-cert)",
    ),
    (
        "process",
        "check: how many processes match a name or command line (alias procs)",
    ),
    (
        "log",
        "check: lines matching a pattern appended to a log file since the last run",
    ),
    (
        "dns",
        "check: a DNS server answers a name (A/AAAA), optionally with the expected address",
    ),
    (
        "url-timing",
        "metrics: DNS, connect, TLS, first-byte and total milliseconds of fetching a URL",
    ),
    (
        "dns-timing",
        "metrics: milliseconds a DNS server takes to answer a name",
    ),
];

/// A result printed as the go-check-plugins helper prints one:
/// `<NAME> <STATUS>: <message>`.
pub(crate) fn result(name: &str, status: CheckStatus, message: impl AsRef<str>) -> CheckResult {
    CheckResult {
        status,
        message: format!("{name} {}: {}", status.as_str(), message.as_ref()),
    }
}

/// The worse of two statuses (UNKNOWN ranks between WARNING and CRITICAL,
/// as Nagios orders them for "which one to report").
pub(crate) fn worse(a: CheckStatus, b: CheckStatus) -> CheckStatus {
    fn rank(s: CheckStatus) -> u8 {
        match s {
            CheckStatus::Ok => 0,
            CheckStatus::Warning => 1,
            CheckStatus::Unknown => 2,
            CheckStatus::Critical => 3,
        }
    }
    if rank(b) > rank(a) { b } else { a }
}

/// Response-time thresholds (`-w`/`-c`, seconds): WARNING when the time
/// exceeds the first, CRITICAL when it exceeds the second.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TimeLimits {
    pub warning: Option<Duration>,
    pub critical: Option<Duration>,
}

impl TimeLimits {
    pub fn from_args(p: &args::Parsed) -> Result<TimeLimits, UsageError> {
        Ok(TimeLimits {
            warning: p.seconds("warning")?,
            critical: p.seconds("critical")?,
        })
    }

    pub fn status(&self, took: Duration) -> CheckStatus {
        if self.critical.is_some_and(|c| took > c) {
            CheckStatus::Critical
        } else if self.warning.is_some_and(|w| took > w) {
            CheckStatus::Warning
        } else {
            CheckStatus::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_in_the_catalogue_is_looked_up() {
        for (name, _) in NAMES {
            // Without arguments each either configures or refuses with a
            // usage error; never "no such plugin".
            assert!(lookup(name, &[]).is_some(), "{name}");
        }
        assert!(lookup("nope", &[]).is_none());
    }

    #[test]
    fn limits_and_ranking() {
        let l = TimeLimits {
            warning: Some(Duration::from_millis(100)),
            critical: Some(Duration::from_millis(300)),
        };
        assert_eq!(l.status(Duration::from_millis(50)), CheckStatus::Ok);
        assert_eq!(l.status(Duration::from_millis(200)), CheckStatus::Warning);
        assert_eq!(l.status(Duration::from_millis(400)), CheckStatus::Critical);
        assert_eq!(
            worse(CheckStatus::Warning, CheckStatus::Critical),
            CheckStatus::Critical
        );
        assert_eq!(
            worse(CheckStatus::Unknown, CheckStatus::Warning),
            CheckStatus::Unknown
        );
        let r = result("TCP", CheckStatus::Ok, "fine");
        assert_eq!(r.message, "TCP OK: fine");
    }
}
