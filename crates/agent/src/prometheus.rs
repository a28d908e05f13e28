//! The `/metrics` endpoint: the latest value of every metric the agent
//! collected, in Prometheus's text exposition format (0.0.4), so a
//! Prometheus that already scrapes node_exporter can scrape sonde instead.
//!
//! Names: `sonde_` + the Mackerel name with every character Prometheus does
//! not allow (`[a-zA-Z0-9_:]`) made `_` — `cpu.user.percentage` is
//! `sonde_cpu_user_percentage`, `custom.mysql.cmd.Com_select` is
//! `sonde_custom_mysql_cmd_Com_select`; the agent's own `sonde.agent.*` are
//! `sonde_agent_*`. All are gauges (rates are already
//! rates). Two names that map to one (`a-b`, `a_b`) keep the first.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::jobs::Point;

/// The Prometheus name of a Mackerel name.
pub fn name(mackerel: &str) -> String {
    // The agent's own metrics (`sonde.agent.*`) are not prefixed twice.
    let mackerel = mackerel.strip_prefix("sonde.").unwrap_or(mackerel);
    let mut out = String::with_capacity(mackerel.len() + 6);
    out.push_str("sonde_");
    out.extend(mackerel.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            c
        } else {
            '_'
        }
    }));
    out
}

/// A value as Prometheus writes it.
fn value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// The exposition text of these points.
pub fn exposition(latest: &HashMap<String, Point>) -> String {
    let mut by_name: BTreeMap<String, (&str, f64)> = BTreeMap::new();
    let mut sorted: Vec<&Point> = latest.values().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for p in sorted {
        by_name
            .entry(name(&p.name))
            .or_insert((p.name.as_str(), p.value));
    }
    let mut out = String::with_capacity(by_name.len() * 80);
    for (n, (orig, v)) in by_name {
        // HELP text escapes backslashes and newlines.
        let help = orig.replace('\\', "\\\\").replace('\n', "\\n");
        out.push_str(&format!(
            "# HELP {n} {help}\n# TYPE {n} gauge\n{n} {}\n",
            value(v)
        ));
    }
    out
}

/// Serves `/metrics` on `listener` until `stop`; one request at a time (a
/// scrape is small and quick). The accept blocks (no polling: an idle agent
/// does not wake); [`wake`] unblocks it at stop.
pub fn serve(
    listener: TcpListener,
    latest: Arc<Mutex<HashMap<String, Point>>>,
    stop: Arc<AtomicBool>,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Ok(stream) = stream else { continue };
        answer(&stream, &latest);
    }
}

/// Unblocks [`serve`]'s accept (after `stop` is set) with a connection of
/// its own.
pub fn wake(addr: std::net::SocketAddr) {
    let _ = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1));
}

fn answer(stream: &std::net::TcpStream, latest: &Mutex<HashMap<String, Point>>) {
    // One request at a time: a client that trickles its request may hold
    // the endpoint for at most two seconds, and may send at most 8 KiB.
    let until = std::time::Instant::now() + Duration::from_secs(2);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(std::io::Read::take(stream, 8192));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // The rest of the request's headers.
    let mut h = String::new();
    while std::time::Instant::now() < until && reader.read_line(&mut h).is_ok_and(|n| n > 2) {
        h.clear();
    }
    let path = line.split_ascii_whitespace().nth(1).unwrap_or("");
    let (status, ctype, body) =
        if line.starts_with("GET ") && (path == "/metrics" || path.starts_with("/metrics?")) {
            let text = exposition(&latest.lock().unwrap_or_else(|e| e.into_inner()));
            ("200 OK", "text/plain; version=0.0.4; charset=utf-8", text)
        } else {
            (
                "404 Not Found",
                "text/plain; charset=utf-8",
                "sonde agent: only GET /metrics is served here\n".to_string(),
            )
        };
    let mut w = stream;
    let _ = write!(
        w,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_text() {
        assert_eq!(name("cpu.user.percentage"), "sonde_cpu_user_percentage");
        assert_eq!(
            name("sonde.agent.queue.dropped"),
            "sonde_agent_queue_dropped"
        );
        assert_eq!(
            name("custom.a-b.c"),
            "sonde_custom_a_b_c",
            "dashes are not allowed"
        );
        let mut latest = HashMap::new();
        for (n, v) in [("loadavg5", 0.5), ("x.a-b", 1.0), ("x.a_b", 2.0)] {
            latest.insert(
                n.to_string(),
                Point {
                    name: n.into(),
                    time: 0,
                    value: v,
                },
            );
        }
        assert_eq!(
            exposition(&latest),
            "# HELP sonde_loadavg5 loadavg5\n# TYPE sonde_loadavg5 gauge\nsonde_loadavg5 0.5\n\
             # HELP sonde_x_a_b x.a-b\n# TYPE sonde_x_a_b gauge\nsonde_x_a_b 1\n"
        );
    }
}
