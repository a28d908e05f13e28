//! Notifications: every alert change is queued (in SQLite) for every
//! channel and delivered by a thread of its own, so a slow or dead receiver
//! never holds up monitors. Each delivery is retried with back-off (10 s
//! doubling, at most an hour apart, eight attempts) and every attempt is
//! logged with its error.
//!
//! Channels: `webhook` (the generic JSON below), `slack` (Slack's incoming
//! webhook body, `{"text": ...}`, which Mattermost and Rocket.Chat take too),
//! `email` (through a configured SMTP server; plain SMTP, `AUTH PLAIN` when
//! a user is given). Receivers are reached over plain HTTP; https ones go
//! through a proxy for now.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::Deserialize;

use crate::client::{Body, Client, Target, Timeouts};

/// A channel as configured through the API.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Channel {
    Webhook {
        url: String,
    },
    Slack {
        url: String,
    },
    Email {
        /// `host:port` of the SMTP server.
        smtp: String,
        from: String,
        to: Vec<String>,
        #[serde(default)]
        username: Option<String>,
        #[serde(default)]
        password: Option<String>,
    },
}

impl Channel {
    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<String> {
        match self {
            Channel::Webhook { url } | Channel::Slack { url } => Target::parse_with_path(url).err(),
            Channel::Email { smtp, from, to, .. } => {
                if !smtp.contains(':') {
                    Some("smtp is host:port".into())
                } else if !from.contains('@')
                    || to.is_empty()
                    || to.iter().any(|t| !t.contains('@'))
                {
                    Some("from and to are e-mail addresses".into())
                } else if [from]
                    .into_iter()
                    .chain(to)
                    .any(|a| a.contains(['\r', '\n', '<', '>']))
                {
                    Some("addresses may not hold line breaks or angle brackets".into())
                } else {
                    None
                }
            }
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// A TCP connection to the SMTP server, with timeouts.
fn connect(hostport: &str) -> Result<TcpStream, String> {
    let addr = hostport
        .to_socket_addrs()
        .map_err(|e| format!("{hostport}: {e}"))?
        .next()
        .ok_or_else(|| format!("{hostport}: no address"))?;
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("{hostport}: {e}"))?;
    let _ = s.set_read_timeout(Some(TIMEOUT));
    let _ = s.set_write_timeout(Some(TIMEOUT));
    Ok(s)
}

/// POSTs JSON through the shared HTTP client; a 2xx is delivered.
fn post_json(url: &str, body: &serde_json::Value) -> Result<(), String> {
    let (target, path) = Target::parse_with_path(url)?;
    // A client per delivery: receivers are many and called seldom, so a
    // pool kept between deliveries would mostly hold connections they
    // have long closed.
    let client = Client::for_target(
        target,
        Timeouts {
            connect: TIMEOUT,
            io: TIMEOUT,
        },
    );
    let path = if path.is_empty() { "/" } else { path.as_str() };
    let bytes = body.to_string();
    let reply = client
        .send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Body::Bytes(bytes.as_bytes()),
        )
        .map_err(|e| e.to_string())?;
    // Delivered on the status alone: a receiver's body says nothing more,
    // and one that never ends it must not hold up the delivery.
    if (200..300).contains(&reply.status) {
        return Ok(());
    }
    let status = reply.status;
    let text = reply.read_to_vec(2000).unwrap_or_default();
    Err(format!(
        "{url}: HTTP {status}: {}",
        String::from_utf8_lossy(&text).trim()
    ))
}

/// One SMTP reply: its code (every line of a multi-line reply read).
fn smtp_reply(r: &mut impl BufRead) -> Result<(u16, String), String> {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        let n = r
            .by_ref()
            .take(4096)
            .read_line(&mut line)
            .map_err(|e| format!("SMTP: {e}"))?;
        if n == 0 {
            return Err("SMTP: the server closed the connection".into());
        }
        text.push_str(&line);
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("SMTP: not a reply: {:?}", line.trim_end()))?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, text.trim_end().to_string()));
        }
    }
}

/// Base64 (standard, padded), for `AUTH PLAIN`.
fn base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Sends one message through an SMTP server.
fn send_mail(
    smtp: &str,
    from: &str,
    to: &[String],
    auth: Option<(&str, &str)>,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let s = connect(smtp)?;
    let mut w = s.try_clone().map_err(|e| format!("{smtp}: {e}"))?;
    let mut r = BufReader::new(s);
    let expect = |r: &mut BufReader<TcpStream>, want: u16, what: &str| -> Result<(), String> {
        let (code, text) = smtp_reply(r)?;
        if code == want {
            Ok(())
        } else {
            Err(format!("{smtp}: {what}: {text}"))
        }
    };
    let say = |w: &mut TcpStream, line: &str| -> Result<(), String> {
        w.write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| format!("{smtp}: {e}"))
    };
    expect(&mut r, 220, "greeting")?;
    say(&mut w, "EHLO sonde")?;
    expect(&mut r, 250, "EHLO")?;
    if let Some((user, pass)) = auth {
        say(
            &mut w,
            &format!(
                "AUTH PLAIN {}",
                base64(format!("\0{user}\0{pass}").as_bytes())
            ),
        )?;
        expect(&mut r, 235, "AUTH")?;
    }
    say(&mut w, &format!("MAIL FROM:<{from}>"))?;
    expect(&mut r, 250, "MAIL FROM")?;
    for t in to {
        say(&mut w, &format!("RCPT TO:<{t}>"))?;
        expect(&mut r, 250, &format!("RCPT TO {t}"))?;
    }
    say(&mut w, "DATA")?;
    expect(&mut r, 354, "DATA")?;
    let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
    let mut msg = format!(
        "From: {from}\r\nTo: {}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n",
        to.join(", ")
    );
    // Every line break made CRLF (a bare CR cannot end DATA early on a
    // lenient server), then dot-stuffing.
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    for line in body.split('\n') {
        // Dot-stuffing: a line that starts with a dot gets another.
        if line.starts_with('.') {
            msg.push('.');
        }
        msg.push_str(line);
        msg.push_str("\r\n");
    }
    msg.push_str(".\r\n");
    w.write_all(msg.as_bytes())
        .map_err(|e| format!("{smtp}: {e}"))?;
    expect(&mut r, 250, "the message")?;
    let _ = say(&mut w, "QUIT");
    Ok(())
}

/// One line a person reads: what changed.
pub fn summary(payload: &serde_json::Value) -> String {
    format!(
        "[{}] {} {} — {}",
        payload["status"].as_str().unwrap_or(""),
        payload["monitor"].as_str().unwrap_or(""),
        payload["segment"].as_str().unwrap_or(""),
        payload["message"].as_str().unwrap_or("")
    )
}

/// Delivers one notification.
pub fn deliver(channel: &Channel, payload: &serde_json::Value) -> Result<(), String> {
    match channel {
        Channel::Webhook { url } => post_json(url, payload),
        Channel::Slack { url } => post_json(url, &serde_json::json!({ "text": summary(payload) })),
        Channel::Email {
            smtp,
            from,
            to,
            username,
            password,
        } => {
            let auth = username
                .as_deref()
                .map(|u| (u, password.as_deref().unwrap_or("")));
            let body = format!(
                "{}\n\n{}\n",
                summary(payload),
                serde_json::to_string_pretty(payload).unwrap_or_default()
            );
            send_mail(
                smtp,
                from,
                to,
                auth,
                &format!("sonde: {}", summary(payload)),
                &body,
            )
        }
    }
}

/// Attempts before giving up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds before attempt `n + 1` after `n` failed ones.
pub fn backoff(n: i64) -> i64 {
    (10i64 << n.clamp(0, 20)).min(3600)
}

/// Delivers what is due, once.
pub fn run_once(state: &crate::state::State, now: i64) -> Result<usize, String> {
    let due = state.due_notifications(now).map_err(|e| e.to_string())?;
    let n = due.len();
    for p in due {
        let result = serde_json::from_value::<Channel>(p.channel.clone())
            .map_err(|e| format!("the channel is not valid: {e}"))
            .and_then(|c| deliver(&c, &p.payload));
        let (err, next) = match &result {
            Ok(()) => (None, None),
            Err(e) => {
                let attempts = p.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS).then(|| now + backoff(p.attempts));
                (Some(e.as_str()), next)
            }
        };
        state
            .notification_attempt(p.id, err, next, now)
            .map_err(|e| e.to_string())?;
    }
    Ok(n)
}

/// Delivers notifications every second until the process ends.
pub fn spawn(api: std::sync::Arc<crate::api::Api>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut said = false;
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            // One notifier across instances sharing a PostgreSQL state, so
            // a notification goes out once.
            if api.state.is_leader() {
                match run_once(&api.state, now) {
                    Ok(_) => said = false,
                    Err(e) if !said => {
                        eprintln!("sonde server: notifications: {e}");
                        said = true;
                    }
                    Err(_) => {}
                }
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"\0u\0p"), "AHUAcA==");
    }

    #[test]
    fn channels_are_checked() {
        let c: Channel =
            serde_json::from_str(r#"{"type":"slack","url":"https://hooks.slack.com/x"}"#)
                .expect("parses");
        assert!(c.problem().is_some_and(|p| p.contains("only http://")));
        let c: Channel = serde_json::from_str(
            r#"{"type":"email","smtp":"mail:25","from":"a@b","to":["c@d\r\nRCPT TO:<e@f>"]}"#,
        )
        .expect("parses");
        assert!(c.problem().is_some(), "header injection refused");
        assert!(serde_json::from_str::<Channel>(r#"{"type":"pager"}"#).is_err());
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(0), 10);
        assert_eq!(backoff(1), 20);
        assert_eq!(backoff(10), 3600);
    }
}
