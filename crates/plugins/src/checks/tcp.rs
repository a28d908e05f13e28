//! `tcp` (go-check-plugins' check-tcp): connects to a port, optionally over
//! TLS, optionally sends a string and expects a pattern in the answer, and
//! grades the response time.
//!
//! `-U/--unix-sock PATH` checks a UNIX socket instead of a port.
//! `--service ftp|pop|spop|imap|simap|smtp|ssmtp|gearman` fills in the
//! port, greeting pattern, quit command and TLS of a well-known protocol.
//!
//! ```text
//! sonde plugin tcp -H localhost -p 6379 -s 'PING\r\n' -E -e '^\+PONG' -w 0.5 -c 1
//! TCP OK: 0.001 seconds response time on localhost port 6379 [+PONG]
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::args::{self, Flag, opt, switch};
use super::net::{self, Deadline, Timed};
use super::tls::{self, Trust};
use super::{DEFAULT_TIMEOUT, TimeLimits, result};
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "tcp";

const FLAGS: &[Flag] = &[
    opt(Some('H'), "hostname"),
    opt(Some('p'), "port"),
    opt(Some('s'), "send"),
    opt(Some('e'), "expect-pattern"),
    opt(None, "expect"),
    opt(Some('q'), "quit"),
    opt(Some('m'), "maxbytes"),
    opt(Some('w'), "warning"),
    opt(Some('c'), "critical"),
    opt(Some('t'), "timeout"),
    switch(Some('E'), "escape"),
    switch(Some('S'), "ssl"),
    switch(None, "tls"),
    switch(None, "no-check-certificate"),
    opt(None, "ca-file"),
    switch(Some('W'), "error-warning"),
    switch(Some('C'), "expect-closed"),
    opt(None, "service"),
    opt(Some('U'), "unix-sock"),
];

/// A well-known exchange for `--service` (as check-tcp has them): the
/// port, what to send (escaped), the greeting to expect, the quit command,
/// TLS.
struct Service {
    name: &'static str,
    port: u16,
    send: Option<&'static str>,
    expect: &'static str,
    quit: Option<&'static str>,
    tls: bool,
}

const fn service(
    name: &'static str,
    port: u16,
    expect: &'static str,
    quit: &'static str,
    tls: bool,
) -> Service {
    Service {
        name,
        port,
        send: None,
        expect,
        quit: Some(quit),
        tls,
    }
}

const SERVICES: &[Service] = &[
    service("FTP", 21, r"^220", "QUIT", false),
    service("POP", 110, r"^\+OK", "QUIT", false),
    service("SPOP", 995, r"^\+OK", "QUIT", true),
    service("IMAP", 143, r"^\* OK", "a1 LOGOUT", false),
    service("SIMAP", 993, r"^\* OK", "a1 LOGOUT", true),
    service("SMTP", 25, r"^220", "QUIT", false),
    service("SSMTP", 465, r"^220", "QUIT", true),
    Service {
        name: "GEARMAN",
        port: 7003,
        send: Some(r"version\n"),
        expect: r"\A[0-9]+\.[0-9]+\n\z",
        quit: None,
        tls: false,
    },
];

/// How much of an answer is read at most when `--maxbytes` is not given.
const DEFAULT_MAX_BYTES: usize = 64 * 1024;

/// The configured `tcp` check.
#[derive(Debug)]
pub struct Tcp {
    host: String,
    port: u16,
    send: Option<Vec<u8>>,
    expect: Option<regex::bytes::Regex>,
    expect_text: Option<String>,
    quit: Option<Vec<u8>>,
    max_bytes: usize,
    limits: TimeLimits,
    timeout: Duration,
    tls: Option<Trust>,
    verify: bool,
    error_status: CheckStatus,
    expect_closed: bool,
    unix: Option<PathBuf>,
    /// The message's first word: `TCP`, or the service (`FTP`), as
    /// check-tcp names it.
    label: String,
}

impl Tcp {
    /// Configures the check from its flags.
    pub fn from_args(a: &[String]) -> Result<Tcp, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let service = match p.get("service") {
            None => None,
            Some(s) => Some(
                SERVICES
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        let names: Vec<&str> = SERVICES.iter().map(|x| x.name).collect();
                        args::usage(
                            NAME,
                            format!("--service {s:?}: one of {}", names.join(", ")),
                        )
                    })?,
            ),
        };
        let unix = p.get("unix-sock").map(PathBuf::from);
        let port: u16 = match p.num("port")?.or(service.map(|s| s.port)) {
            Some(port) => port,
            None if unix.is_some() => 0,
            None => {
                return Err(args::usage(
                    NAME,
                    "-p/--port (or -U/--unix-sock) is required",
                ));
            }
        };
        let escape = p.has("escape");
        let bytes = |s: &str| {
            if escape {
                unescape(s).into_bytes()
            } else {
                s.as_bytes().to_vec()
            }
        };
        let expect_text = p
            .get("expect-pattern")
            .or(p.get("expect"))
            .or(service.map(|s| s.expect))
            .map(str::to_string);
        let expect = expect_text
            .as_deref()
            .map(|e| {
                regex::bytes::Regex::new(e).map_err(|err| {
                    args::usage(
                        NAME,
                        format!("--expect-pattern {e:?} is not a valid regex: {err}"),
                    )
                })
            })
            .transpose()?;
        let tls = (p.has("ssl") || p.has("tls") || service.is_some_and(|s| s.tls))
            .then(|| Trust::new(p.get("ca-file").map(Path::new)))
            .transpose()
            .map_err(|e| args::usage(NAME, e))?;
        if p.get("unix-sock").is_some() && tls.is_some() {
            return Err(args::usage(
                NAME,
                "TLS over -U/--unix-sock is not supported",
            ));
        }
        let max_bytes = p
            .num::<usize>("maxbytes")?
            .unwrap_or(DEFAULT_MAX_BYTES)
            .max(1);
        Ok(Tcp {
            host: p.get("hostname").unwrap_or("localhost").to_string(),
            port,
            send: p.get("send").map(bytes).or_else(|| {
                service
                    .and_then(|s| s.send)
                    .map(|x| unescape(x).into_bytes())
            }),
            expect,
            expect_text,
            // Without -E a quit string ends with CRLF, as check-tcp sends it.
            quit: p.get("quit").or(service.and_then(|s| s.quit)).map(|q| {
                if escape {
                    unescape(q).into_bytes()
                } else {
                    format!("{q}\r\n").into_bytes()
                }
            }),
            max_bytes,
            limits: TimeLimits::from_args(&p)?,
            timeout: p.timeout(DEFAULT_TIMEOUT)?,
            tls,
            verify: !p.has("no-check-certificate"),
            error_status: if p.has("error-warning") {
                CheckStatus::Warning
            } else {
                CheckStatus::Critical
            },
            expect_closed: p.has("expect-closed"),
            unix,
            label: service.map_or("TCP", |s| s.name).to_string(),
        })
    }

    fn fail(&self, msg: impl AsRef<str>) -> CheckResult {
        result(&self.label, self.error_status, msg)
    }

    fn run(&self) -> CheckResult {
        if let Some(path) = &self.unix {
            return self.run_unix(path);
        }
        let deadline = Deadline::after(self.timeout);
        let addr = net::host_port(&self.host, self.port);
        let start = Instant::now();
        let connected = net::resolve(&self.host, self.port, deadline)
            .and_then(|addrs| net::connect(&addrs, deadline));
        let tcp = match (connected, self.expect_closed) {
            (Err(_), true) => {
                return result(
                    &self.label,
                    CheckStatus::Ok,
                    format!("Verified that the port is closed. (port={})", self.port),
                );
            }
            (Ok(_), true) => {
                return self.fail(format!("Unexpectedly open port. (port={})", self.port));
            }
            (Err(e), false) => return self.fail(format!("{addr}: {e}")),
            (Ok(s), false) => Timed { sock: s, deadline },
        };
        let answer = match &self.tls {
            None => self.converse(tcp),
            Some(trust) => match tls::handshake(trust, tcp, &self.host) {
                Err(e) => return self.fail(format!("{addr}: {e}")),
                Ok(h) => {
                    if let (true, Err(e)) = (self.verify, &h.verdict) {
                        return self.fail(format!("{addr}: TLS: {e}"));
                    }
                    self.converse(h.stream)
                }
            },
        };
        let answer = match answer {
            Ok(a) => a,
            Err(e) => return self.fail(format!("{addr}: {e}")),
        };
        self.judge(
            &addr,
            &format!("{} port {}", self.host, self.port),
            start.elapsed(),
            &answer,
        )
    }

    /// The check over a UNIX socket (`-U`).
    fn run_unix(&self, path: &Path) -> CheckResult {
        let deadline = Deadline::after(self.timeout);
        let shown = path.display().to_string();
        let start = Instant::now();
        let sock = match (net::connect_unix(path, deadline), self.expect_closed) {
            (Err(_), true) => {
                return result(
                    &self.label,
                    CheckStatus::Ok,
                    format!("Verified that the unixsock is closed. (sock={shown})"),
                );
            }
            (Ok(_), true) => {
                return self.fail(format!("Unexpectedly open unixsock. (sock={shown})"));
            }
            (Err(e), false) => return self.fail(e.to_string()),
            (Ok(s), false) => Timed { sock: s, deadline },
        };
        match self.converse(sock) {
            Ok(answer) => self.judge(
                &shown,
                &format!("unix socket {shown}"),
                start.elapsed(),
                &answer,
            ),
            Err(e) => self.fail(format!("{shown}: {e}")),
        }
    }

    /// The result for `answer`, read from `addr` (described as `on`) in
    /// `took`.
    fn judge(&self, addr: &str, on: &str, took: Duration, answer: &[u8]) -> CheckResult {
        let text = String::from_utf8_lossy(answer);
        if let Some(re) = &self.expect
            && !re.is_match(answer)
        {
            return self.fail(format!(
                "Unexpected response from {addr} (expected /{}/): {}",
                self.expect_text.as_deref().unwrap_or(""),
                text.trim_end_matches(['\r', '\n'])
            ));
        }
        let mut msg = format!("{:.3} seconds response time on {on}", took.as_secs_f64());
        if !answer.is_empty() {
            msg.push_str(&format!(" [{}]", text.trim_matches(['\r', '\n'])));
        }
        result(&self.label, self.limits.status(took), msg)
    }

    /// Sends the string, reads the answer (until the pattern matches, the
    /// peer closes, `--maxbytes` arrive, or nothing more comes), sends the
    /// quit string.
    fn converse<S: Read + Write>(&self, mut s: S) -> std::io::Result<Vec<u8>> {
        if let Some(send) = &self.send {
            s.write_all(send)?;
            s.flush()?;
        }
        let mut answer = Vec::new();
        if self.send.is_some() || self.expect.is_some() {
            let mut buf = [0u8; 4096];
            loop {
                let n = match s.read(&mut buf) {
                    Ok(n) => n,
                    // A peer that closes abruptly after answering (common
                    // with TLS without close_notify), or keeps the
                    // connection open without the pattern arriving, still
                    // answered: the pattern is judged on what came.
                    Err(_) if !answer.is_empty() => 0,
                    Err(e) => return Err(e),
                };
                if n == 0 {
                    break;
                }
                let room = self.max_bytes - answer.len();
                answer.extend_from_slice(&buf[..n.min(room)]);
                let done = match &self.expect {
                    Some(re) => re.is_match(&answer),
                    // Without a pattern the first piece of the answer is it.
                    None => true,
                };
                if done || answer.len() >= self.max_bytes {
                    break;
                }
            }
        }
        if let Some(q) = &self.quit {
            // The answer is already in; a peer gone by now is no failure.
            let _ = s.write_all(q).and_then(|()| s.flush());
        }
        Ok(answer)
    }
}

impl CheckPlugin for Tcp {
    fn check(&mut self) -> CheckResult {
        self.run()
    }
}

/// `\n`, `\r`, `\t` and `\\` in a send or quit string, with `-E`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"PING\r\n\t\\x\q\"), "PING\r\n\t\\x\\q\\");
    }
}
