//! `memcached`: the text protocol's `stats` (and `stats items` for
//! evictions of items that still had time to live), named as
//! mackerel-plugin-memcached names them (`memcached.cmd.cmd_get`, ...).

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use super::args::{self, Flag, Flags};
use super::graph::{self, Graph, Stats, counter, gauge};
use super::net::{self, Endpoint, Stream};
use crate::{MetricPlugin, PluginError, Sample, UsageError};

const FLAGS: &[Flag] = &[
    Flag::new("host", "HOST", "server host (default localhost)"),
    Flag::new("port", "PORT", "server port (default 11211)"),
    Flag::new("socket", "PATH", "unix socket (instead of host and port)"),
    args::PREFIX,
    args::TIMEOUT,
];

// mackerel-plugin-memcached's `rusage` graph (CPU seconds as a float
// counter) is left out: a counter here is whole, and whole seconds per
// minute would say nothing.
const GRAPHS: &[Graph] = &[
    Graph {
        key: "connections",
        label: "Connections",
        unit: "integer",
        metrics: &[gauge("curr_connections", "Connections")],
    },
    Graph {
        key: "cmd",
        label: "Command",
        unit: "integer",
        metrics: &[
            counter("cmd_get", "Get"),
            counter("cmd_set", "Set"),
            counter("cmd_flush", "Flush"),
            counter("cmd_touch", "Touch"),
        ],
    },
    Graph {
        key: "hitmiss",
        label: "Hits/Misses",
        unit: "integer",
        metrics: &[
            counter("get_hits", "Get Hits"),
            counter("get_misses", "Get Misses"),
            counter("delete_hits", "Delete Hits"),
            counter("delete_misses", "Delete Misses"),
            counter("incr_hits", "Incr Hits"),
            counter("incr_misses", "Incr Misses"),
            counter("cas_hits", "Cas Hits"),
            counter("cas_misses", "Cas Misses"),
            counter("touch_hits", "Touch Hits"),
            counter("touch_misses", "Touch Misses"),
        ],
    },
    Graph {
        key: "evictions",
        label: "Evictions",
        unit: "integer",
        metrics: &[
            counter("evictions", "Evictions"),
            counter("nonzero_evictions", "Nonzero Evictions"),
            counter("reclaimed", "Reclaimed"),
        ],
    },
    Graph {
        key: "unfetched",
        label: "Unfetched",
        unit: "integer",
        metrics: &[
            counter("expired_unfetched", "Expired unfetched"),
            counter("evicted_unfetched", "Evicted unfetched"),
        ],
    },
    Graph {
        key: "bytes",
        label: "Traffics",
        unit: "bytes",
        metrics: &[
            counter("bytes_read", "Read"),
            counter("bytes_written", "Write"),
        ],
    },
    Graph {
        key: "cachesize",
        label: "Cache Size",
        unit: "bytes",
        metrics: &[gauge("limit_maxbytes", "Total"), gauge("bytes", "Used")],
    },
    Graph {
        key: "items",
        label: "Items",
        unit: "integer",
        metrics: &[
            gauge("curr_items", "Current Items"),
            counter("new_items", "New Items"),
        ],
    },
];

/// The memcached plugin, configured.
#[derive(Debug)]
pub struct Memcached {
    endpoint: Endpoint,
    prefix: String,
    timeout: Duration,
}

impl Memcached {
    /// Configured from the arguments after the plugin's name.
    pub fn from_args(args: &[String]) -> Result<Memcached, UsageError> {
        let f = Flags::parse("memcached", args, FLAGS)?;
        Ok(Memcached {
            endpoint: net::endpoint(&f, "localhost", 11211)?,
            prefix: f.string(args::PREFIX.name, "memcached"),
            timeout: f.timeout()?,
        })
    }
}

impl MetricPlugin for Memcached {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let mut s = self.endpoint.connect("memcached", self.timeout)?;
        let stats = command(&mut s, "stats")?;
        let mut st = parse_stats(&stats).map_err(|e| s.error(format!("stats: {e}")))?;
        let items = command(&mut s, "stats items")?;
        match parse_items(&items) {
            Ok(n) => st.set_u64("nonzero_evictions", n),
            // Proxies speaking the protocol (mcrouter, twemproxy) may not
            // know `stats items`; the rest is still worth posting.
            Err(StatsError::Refused(_)) => {}
            Err(e) => return Err(s.error(format!("stats items: {e}"))),
        }
        Ok(graph::samples(&self.prefix, GRAPHS, &st))
    }

    fn graphs(&self) -> Value {
        graph::meta(&self.prefix, &graph::title(&self.prefix), GRAPHS)
    }
}

/// Longest answer taken to a `stats` command.
const MAX_REPLY: usize = 1 << 20;

/// Sends `cmd` and reads the reply up to its `END` line.
fn command(s: &mut Stream, cmd: &str) -> Result<String, PluginError> {
    s.write_all(format!("{cmd}\r\n").as_bytes())
        .map_err(|e| s.error(format!("sending {cmd}: {e}")))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if buf.ends_with(b"END\r\n") || buf.ends_with(b"ERROR\r\n") {
            break;
        }
        if buf.len() > MAX_REPLY {
            return Err(s.error(format!("{cmd}: reply longer than {MAX_REPLY} bytes")));
        }
        let n = s
            .read(&mut chunk)
            .map_err(|e| s.error(format!("{cmd}: reading the reply: {e}")))?;
        if n == 0 {
            return Err(s.error(format!("{cmd}: the server closed the connection mid-reply")));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Why a `stats` reply cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("the server answered {0:?}")]
    Refused(String),
    #[error("line {0}: not `STAT name value`: {1:?}")]
    Line(usize, String),
    #[error("no END line")]
    Unterminated,
}

/// The `STAT name value` lines up to `END`. Non-numeric values (version,
/// libevent) are skipped; `new_items` is `total_items`, as the Go plugin
/// posts it.
pub fn parse_stats(text: &str) -> Result<Stats, StatsError> {
    let mut st = Stats::default();
    for (_, name, value) in stat_lines(text)? {
        st.set_text(name, value);
    }
    if let Some(t) = st.0.get("total_items").copied() {
        st.set("new_items", t);
    }
    Ok(st)
}

/// The sum of `items:N:evicted_nonzero` over the slab classes.
pub fn parse_items(text: &str) -> Result<u64, StatsError> {
    let mut sum = 0u64;
    for (i, name, value) in stat_lines(text)? {
        if name.starts_with("items:") && name.ends_with(":evicted_nonzero") {
            let v: u64 = value
                .parse()
                .map_err(|_| StatsError::Line(i, format!("{name} {value}")))?;
            sum = sum.saturating_add(v);
        }
    }
    Ok(sum)
}

fn stat_lines(text: &str) -> Result<Vec<(usize, &str, &str)>, StatsError> {
    let mut out = Vec::new();
    for (i, line) in text.split("\r\n").enumerate() {
        if line == "END" {
            return Ok(out);
        }
        if line == "ERROR" || line.starts_with("CLIENT_ERROR") || line.starts_with("SERVER_ERROR") {
            return Err(StatsError::Refused(line.to_string()));
        }
        let mut f = line.splitn(3, ' ');
        match (f.next(), f.next(), f.next()) {
            (Some("STAT"), Some(name), Some(value)) => out.push((i + 1, name, value)),
            _ => return Err(StatsError::Line(i + 1, line.chars().take(80).collect())),
        }
    }
    Err(StatsError::Unterminated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_lines_become_numbers() {
        let st = parse_stats("STAT pid 1\r\nSTAT version 1.6.18\r\nSTAT rusage_user 0.5\r\nSTAT total_items 7\r\nEND\r\n")
            .expect("valid");
        assert_eq!(st.get("pid"), Some(1.0));
        assert_eq!(st.get("version"), None);
        assert_eq!(st.get("rusage_user"), Some(0.5));
        assert_eq!(st.get("new_items"), Some(7.0));
        let n = parse_items("STAT items:1:evicted_nonzero 3\r\nSTAT items:1:number 9\r\nSTAT items:5:evicted_nonzero 4\r\nEND\r\n")
            .expect("valid");
        assert_eq!(n, 7);
        assert_eq!(parse_items("END\r\n"), Ok(0));
    }

    #[test]
    fn truncated_or_garbage_replies_are_errors() {
        assert_eq!(
            parse_stats("STAT pid 1\r\nSTAT up"),
            Err(StatsError::Line(2, "STAT up".into()))
        );
        assert_eq!(
            parse_stats("STAT pid 1\r\n"),
            Err(StatsError::Line(2, "".into()))
        );
        assert_eq!(parse_stats(""), Err(StatsError::Line(1, "".into())));
        assert_eq!(
            parse_stats("ERROR\r\n"),
            Err(StatsError::Refused("ERROR".into()))
        );
        assert_eq!(
            parse_stats("HTTP/1.1 200 OK\r\n"),
            Err(StatsError::Line(1, "HTTP/1.1 200 OK".into()))
        );
        assert!(parse_items("STAT items:1:evicted_nonzero x\r\nEND\r\n").is_err());
    }
}
