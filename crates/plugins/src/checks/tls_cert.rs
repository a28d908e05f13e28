//! `tls-cert` (go-check-plugins' check-ssl-cert): days until a server's TLS
//! certificate expires, against `-w`/`-c` days. CRITICAL when it has expired,
//! is not valid yet, is not trusted (unless `--no-check-certificate`), or
//! when no TLS handshake can be made, with the reason.
//!
//! ```text
//! sonde plugin tls-cert -H example.com -w 30 -c 14
//! SSL OK: Certificate 'example.com:443' expires in 80 days (2027-02-10 12:00:00 UTC)
//! ```

use std::path::Path;
use std::time::Duration;

use super::args::{self, Flag, opt, switch};
use super::net::{self, Deadline, Timed};
use super::tls::{self, Trust};
use super::{DEFAULT_TIMEOUT, der, result};
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "tls-cert";

const FLAGS: &[Flag] = &[
    opt(Some('H'), "host"),
    opt(None, "hostname"),
    opt(Some('p'), "port"),
    opt(Some('w'), "warning"),
    opt(Some('c'), "critical"),
    opt(None, "servername"),
    opt(None, "ca-file"),
    switch(None, "no-check-certificate"),
    opt(Some('t'), "timeout"),
];

/// The configured `tls-cert` check.
#[derive(Debug)]
pub struct TlsCert {
    host: String,
    port: u16,
    server_name: String,
    warning: i64,
    critical: i64,
    trust: Trust,
    verify: bool,
    timeout: Duration,
}

impl TlsCert {
    /// Configures the check from its flags (warning 30 and critical 14
    /// days unless given, as check-ssl-cert has them).
    pub fn from_args(a: &[String]) -> Result<TlsCert, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let host = p
            .get("host")
            .or(p.get("hostname"))
            .ok_or_else(|| args::usage(NAME, "-H/--host is required"))?
            .to_string();
        Ok(TlsCert {
            server_name: p.get("servername").unwrap_or(&host).to_string(),
            host,
            port: p.num("port")?.unwrap_or(443),
            warning: p.num("warning")?.unwrap_or(30),
            critical: p.num("critical")?.unwrap_or(14),
            trust: Trust::new(p.get("ca-file").map(Path::new)).map_err(|e| args::usage(NAME, e))?,
            verify: !p.has("no-check-certificate"),
            timeout: p.timeout(DEFAULT_TIMEOUT)?,
        })
    }

    fn run(&self) -> CheckResult {
        let addr = net::host_port(&self.host, self.port);
        let crit = |m: String| result("SSL", CheckStatus::Critical, m);
        let deadline = Deadline::after(self.timeout);
        let tcp = match net::resolve(&self.host, self.port, deadline)
            .and_then(|a| net::connect(&a, deadline))
        {
            Ok(t) => t,
            Err(e) => return crit(format!("{addr}: {e}")),
        };
        let h = match tls::handshake(
            &self.trust,
            Timed {
                sock: tcp,
                deadline,
            },
            &self.server_name,
        ) {
            Ok(h) => h,
            Err(e) => return crit(format!("{addr}: {e}")),
        };
        let v = match h.validity() {
            Ok(v) => v,
            Err(e) => return crit(format!("{addr}: {e}")),
        };
        let now = crate::epoch_now() as i64;
        let days = tls::days_left(v.not_after, now);
        let expiry = der::format_utc(v.not_after);
        if v.not_after < now {
            return crit(format!(
                "Certificate '{addr}' expired {} days ago ({expiry})",
                (now - v.not_after) / 86_400
            ));
        }
        if v.not_before > now {
            return crit(format!(
                "Certificate '{addr}' is not valid before {}",
                der::format_utc(v.not_before)
            ));
        }
        let msg = format!("Certificate '{addr}' expires in {days} days ({expiry})");
        if self.verify
            && let Err(e) = &h.verdict
        {
            return crit(format!("{msg}; not trusted: {e}"));
        }
        let status = if days < self.critical {
            CheckStatus::Critical
        } else if days < self.warning {
            CheckStatus::Warning
        } else {
            CheckStatus::Ok
        };
        result("SSL", status, msg)
    }
}

impl CheckPlugin for TlsCert {
    fn check(&mut self) -> CheckResult {
        self.run()
    }
}
