//! `redis`: Redis `INFO` over RESP, named as mackerel-plugin-redis names it
//! (`redis.queries.total_commands_processed`, `redis.keys.keys`, ...), plus
//! keys per database and the replication offsets.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use super::args::{self, Flag, Flags};
use super::graph::{self, Graph, Stats, counter, gauge};
use super::net::{self, Endpoint, Stream};
use crate::{MetricPlugin, PluginError, Sample, UsageError};

const FLAGS: &[Flag] = &[
    Flag::new("host", "HOST", "server host (default localhost)"),
    Flag::new("port", "PORT", "server port (default 6379)"),
    Flag::new("socket", "PATH", "unix socket (instead of host and port)"),
    Flag::new("username", "USER", "ACL user to AUTH as (with --password)"),
    Flag::new(
        "password",
        "PASSWORD",
        "password to AUTH with (default $REDIS_PASSWORD)",
    ),
    Flag::new(
        "config-command",
        "NAME",
        "the CONFIG command, renamed on some servers; \"\" skips the capacity graph (default CONFIG)",
    ),
    args::PREFIX,
    args::TIMEOUT,
];

const GRAPHS: &[Graph] = &[
    Graph {
        key: "queries",
        label: "Queries",
        unit: "integer",
        metrics: &[counter("total_commands_processed", "Queries")],
    },
    Graph {
        key: "connections",
        label: "Connections",
        unit: "integer",
        metrics: &[
            counter("total_connections_received", "Connections").stacked(),
            counter("rejected_connections", "Rejected Connections").stacked(),
        ],
    },
    Graph {
        key: "clients",
        label: "Clients",
        unit: "integer",
        metrics: &[
            gauge("connected_clients", "Connected Clients").stacked(),
            gauge("blocked_clients", "Blocked Clients").stacked(),
            gauge("connected_slaves", "Connected Slaves").stacked(),
        ],
    },
    Graph {
        key: "keys",
        label: "Keys",
        unit: "integer",
        metrics: &[
            gauge("keys", "Keys"),
            gauge("expires", "Keys with expiration"),
            counter("expired", "Expired Keys"),
            counter("evicted_keys", "Evicted Keys"),
        ],
    },
    Graph {
        key: "keyspace",
        label: "Keyspace",
        unit: "integer",
        metrics: &[
            counter("keyspace_hits", "Keyspace Hits"),
            counter("keyspace_misses", "Keyspace Missed"),
        ],
    },
    Graph {
        key: "memory",
        label: "Memory",
        unit: "integer",
        metrics: &[
            gauge("used_memory", "Used Memory"),
            gauge("used_memory_rss", "Used Memory RSS"),
            gauge("used_memory_peak", "Used Memory Peak"),
            gauge("used_memory_lua", "Used Memory Lua engine"),
        ],
    },
    Graph {
        key: "capacity",
        label: "Capacity",
        unit: "percentage",
        metrics: &[
            gauge("percentage_of_memory", "Percentage of memory"),
            gauge("percentage_of_clients", "Percentage of clients"),
        ],
    },
    Graph {
        key: "uptime",
        label: "Uptime",
        unit: "integer",
        metrics: &[gauge("uptime_in_seconds", "Uptime In Seconds")],
    },
    Graph {
        key: "replication",
        label: "Replication Offset",
        unit: "bytes",
        metrics: &[
            gauge("master_repl_offset", "Master Offset"),
            gauge("slave_repl_offset", "Replica Offset"),
        ],
    },
    Graph {
        key: "lag",
        label: "Slave Lag",
        unit: "seconds",
        metrics: &[gauge("*", "%1")],
    },
    Graph {
        key: "offset_delay",
        label: "Slave Offset Delay",
        unit: "integer",
        metrics: &[gauge("*", "%1")],
    },
    Graph {
        key: "db_keys",
        label: "Keys per Database",
        unit: "integer",
        metrics: &[gauge("*", "%1")],
    },
    Graph {
        key: "db_expires",
        label: "Keys with Expiration per Database",
        unit: "integer",
        metrics: &[gauge("*", "%1")],
    },
];

/// The redis plugin, configured.
#[derive(Debug)]
pub struct Redis {
    endpoint: Endpoint,
    username: Option<String>,
    password: Option<String>,
    config_command: String,
    prefix: String,
    timeout: Duration,
}

impl Redis {
    /// Configured from the arguments after the plugin's name.
    pub fn from_args(args: &[String]) -> Result<Redis, UsageError> {
        let f = Flags::parse("redis", args, FLAGS)?;
        let password = f
            .get("password")
            .map(str::to_string)
            .or_else(|| std::env::var("REDIS_PASSWORD").ok())
            .filter(|p| !p.is_empty());
        Ok(Redis {
            endpoint: net::endpoint(&f, "localhost", 6379)?,
            username: f
                .get("username")
                .map(str::to_string)
                .filter(|u| !u.is_empty()),
            password,
            config_command: f.string("config-command", "CONFIG"),
            prefix: f.string(args::PREFIX.name, "redis"),
            timeout: f.timeout()?,
        })
    }

    fn call(&self, s: &mut Stream, buf: &mut Vec<u8>, cmd: &[&str]) -> Result<Reply, PluginError> {
        s.write_all(&encode(cmd))
            .map_err(|e| s.error(format!("sending {}: {e}", cmd[0])))?;
        read_reply(s, buf).map_err(|e| s.error(format!("{}: {e}", cmd[0])))
    }
}

impl MetricPlugin for Redis {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let mut s = self.endpoint.connect("redis", self.timeout)?;
        let mut buf = Vec::new();
        if let Some(pw) = &self.password {
            let mut cmd = vec!["AUTH"];
            if let Some(u) = &self.username {
                cmd.push(u);
            }
            cmd.push(pw);
            if let Reply::Error(e) = self.call(&mut s, &mut buf, &cmd)? {
                return Err(s.error(format!("AUTH refused: {e}")));
            }
        }
        let info = match self.call(&mut s, &mut buf, &["INFO"])? {
            Reply::Bulk(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
            Reply::Error(e) => return Err(s.error(format!("INFO refused: {e}"))),
            other => return Err(s.error(format!("INFO: unexpected reply {other:?}"))),
        };
        let mut info = parse_info(&info);
        if !self.config_command.is_empty() {
            // The capacity graph needs the limits; a server that refuses
            // CONFIG (managed services rename it) still gives the rest.
            let cc = self.config_command.as_str();
            let maxmemory = config_value(self.call(&mut s, &mut buf, &[cc, "GET", "maxmemory"])?);
            let maxclients =
                config_value(self.call(&mut s, &mut buf, &[cc, "GET", "maxclients"])?);
            info.capacity(maxmemory, maxclients);
        }
        let mut out = graph::samples(&self.prefix, GRAPHS, &info.stats);
        let p = &self.prefix;
        for (db, keys, expires) in &info.dbs {
            out.push(Sample::gauge(format!("{p}.db_keys.{db}"), *keys as f64));
            out.push(Sample::gauge(
                format!("{p}.db_expires.{db}"),
                *expires as f64,
            ));
        }
        for (slave, lag, delay) in &info.slaves {
            if let Some(lag) = lag {
                out.push(Sample::gauge(format!("{p}.lag.{slave}_lag"), *lag));
            }
            out.push(Sample::gauge(
                format!("{p}.offset_delay.{slave}_offset_delay"),
                *delay,
            ));
        }
        Ok(out)
    }

    fn graphs(&self) -> Value {
        graph::meta(&self.prefix, &graph::title(&self.prefix), GRAPHS)
    }
}

/// The number `CONFIG GET name` answered (`[name, value]`), if any.
fn config_value(r: Reply) -> Option<f64> {
    match r {
        Reply::Array(Some(items)) => match items.get(1) {
            Some(Reply::Bulk(Some(v))) => std::str::from_utf8(v).ok()?.trim().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// What `INFO` says, as the plugin posts it.
#[derive(Debug, Default)]
pub struct Info {
    pub stats: Stats,
    /// `(db0, keys, expires)` per database.
    pub dbs: Vec<(String, u64, u64)>,
    /// `(slave0, lag seconds, offset delay)` per replica of this primary.
    pub slaves: Vec<(String, Option<f64>, f64)>,
}

impl Info {
    /// Adds the capacity percentages from the limits CONFIG gave.
    fn capacity(&mut self, maxmemory: Option<f64>, maxclients: Option<f64>) {
        if let (Some(max), Some(used)) = (maxmemory, self.stats.get("used_memory")) {
            // maxmemory 0 is "no limit": mackerel-plugin-redis posts 0.
            let pct = if max > 0.0 { 100.0 * used / max } else { 0.0 };
            self.stats.set_f64("percentage_of_memory", pct);
        }
        if let (Some(max), Some(n)) = (maxclients, self.stats.get("connected_clients"))
            && max > 0.0
        {
            self.stats.set_f64("percentage_of_clients", 100.0 * n / max);
        }
    }
}

/// Reads `INFO`'s `key:value` lines. Lines that are not numbers are not
/// metrics; `dbN:keys=..,expires=..` and `slaveN:ip=..,offset=..,lag=..`
/// are taken apart.
pub fn parse_info(text: &str) -> Info {
    let mut info = Info::default();
    let mut keys = 0u64;
    let mut expires = 0u64;
    let mut slave_offsets = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let fields = |v: &str| -> Vec<(String, String)> {
            v.split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let field = |fs: &[(String, String)], name: &str| {
            fs.iter().find(|(a, _)| a == name).map(|(_, b)| b.clone())
        };
        if k.starts_with("db") && k[2..].bytes().all(|b| b.is_ascii_digit()) && k.len() > 2 {
            let fs = fields(v);
            let n = |name| {
                field(&fs, name)
                    .and_then(|x| x.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let (kk, ee) = (n("keys"), n("expires"));
            keys += kk;
            expires += ee;
            info.dbs.push((k.to_string(), kk, ee));
            continue;
        }
        if k.starts_with("slave") && k.len() > 5 && k[5..].bytes().all(|b| b.is_ascii_digit()) {
            let fs = fields(v);
            let offset = field(&fs, "offset").and_then(|x| x.parse::<f64>().ok());
            let lag = field(&fs, "lag").and_then(|x| x.parse::<f64>().ok());
            if let Some(o) = offset {
                slave_offsets.push((k.to_string(), lag, o));
            }
            continue;
        }
        info.stats.set_text(k, v);
    }
    info.stats.set_u64("keys", keys);
    info.stats.set_u64("expires", expires);
    if let Some(e) = info.stats.0.get("expired_keys").copied() {
        info.stats.set("expired", e);
    }
    let master = info.stats.get("master_repl_offset").unwrap_or(0.0);
    info.slaves = slave_offsets
        .into_iter()
        .map(|(k, lag, o)| (k, lag, master - o))
        .collect();
    info
}

/// One RESP (version 2) reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK`
    Simple(String),
    /// `-ERR ...`: the server refused.
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$n` bytes, or `$-1` (nil).
    Bulk(Option<Vec<u8>>),
    /// `*n` replies, or `*-1` (nil).
    Array(Option<Vec<Reply>>),
}

/// Why bytes are not a RESP reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RespError {
    #[error("not a RESP reply: type byte {0:#04x} at offset {1}")]
    Type(u8, usize),
    #[error("not a RESP reply: bad length or number at offset {0}")]
    Number(usize),
    #[error("not a RESP reply: bulk string not ended by CRLF at offset {0}")]
    Terminator(usize),
    #[error("reply nested more than {MAX_DEPTH} deep")]
    Depth,
}

/// Most bytes one reply may take: INFO is a few kilobytes.
const MAX_REPLY: usize = 16 << 20;
const MAX_DEPTH: usize = 8;

/// A command as RESP: an array of bulk strings.
pub fn encode(cmd: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", cmd.len()).into_bytes();
    for a in cmd {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The reply at the start of `buf` and its length, or `None` when `buf`
/// holds only part of one.
pub fn decode(buf: &[u8]) -> Result<Option<(Reply, usize)>, RespError> {
    decode_at(buf, 0, 0)
}

fn decode_at(buf: &[u8], at: usize, depth: usize) -> Result<Option<(Reply, usize)>, RespError> {
    if depth > MAX_DEPTH {
        return Err(RespError::Depth);
    }
    let Some(&t) = buf.get(at) else {
        return Ok(None);
    };
    if !b"+-:$*".contains(&t) {
        return Err(RespError::Type(t, at));
    }
    // The line after the type byte.
    let Some(nl) = buf[at + 1..].windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line = &buf[at + 1..at + 1 + nl];
    let after = at + 1 + nl + 2;
    let text = || String::from_utf8_lossy(line).into_owned();
    let number = || -> Result<i64, RespError> {
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(RespError::Number(at + 1))
    };
    Ok(Some(match t {
        b'+' => (Reply::Simple(text()), after),
        b'-' => (Reply::Error(text()), after),
        b':' => (Reply::Integer(number()?), after),
        b'$' => {
            let n = number()?;
            if n < 0 {
                return Ok(Some((Reply::Bulk(None), after)));
            }
            let n = usize::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_REPLY)
                .ok_or(RespError::Number(at + 1))?;
            let end = after + n;
            if buf.len() < end + 2 {
                return Ok(None);
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Err(RespError::Terminator(end));
            }
            (Reply::Bulk(Some(buf[after..end].to_vec())), end + 2)
        }
        b'*' => {
            let n = number()?;
            if n < 0 {
                return Ok(Some((Reply::Array(None), after)));
            }
            let n = usize::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_REPLY)
                .ok_or(RespError::Number(at + 1))?;
            let mut items = Vec::with_capacity(n.min(64));
            let mut pos = after;
            for _ in 0..n {
                match decode_at(buf, pos, depth + 1)? {
                    Some((r, next)) => {
                        items.push(r);
                        pos = next;
                    }
                    None => return Ok(None),
                }
            }
            (Reply::Array(Some(items)), pos)
        }
        other => return Err(RespError::Type(other, at)),
    }))
}

/// Reads one reply, keeping what follows it in `buf`.
fn read_reply(s: &mut impl Read, buf: &mut Vec<u8>) -> Result<Reply, String> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some((r, used)) = decode(buf).map_err(|e| e.to_string())? {
            buf.drain(..used);
            return Ok(r);
        }
        if buf.len() > MAX_REPLY {
            return Err(format!("reply longer than {MAX_REPLY} bytes"));
        }
        let n = s
            .read(&mut chunk)
            .map_err(|e| format!("reading the reply: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection mid-reply".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_decode_whole_and_wait_when_partial() {
        let b = b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n+OK\r\n";
        let (r, n) = decode(b).expect("valid").expect("whole");
        assert_eq!(
            r,
            Reply::Array(Some(vec![
                Reply::Bulk(Some(b"maxmemory".to_vec())),
                Reply::Bulk(Some(b"0".to_vec()))
            ]))
        );
        assert_eq!(&b[n..], b"+OK\r\n");
        for cut in 0..n {
            assert_eq!(
                decode(&b[..cut]).expect("a prefix is not an error"),
                None,
                "cut {cut}"
            );
        }
        assert_eq!(
            decode(b"$-1\r\n").expect("nil"),
            Some((Reply::Bulk(None), 5))
        );
        assert_eq!(
            decode(b":-7\r\n").expect("int"),
            Some((Reply::Integer(-7), 5))
        );
        assert_eq!(
            decode(b"-NOAUTH Authentication required.\r\n")
                .expect("err")
                .map(|x| x.0),
            Some(Reply::Error("NOAUTH Authentication required.".into()))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(decode(b"HTTP/1.1 400\r\n"), Err(RespError::Type(b'H', 0)));
        // Found by the robustness test: a reply that is only a line end.
        assert_eq!(decode(b"\r\n"), Err(RespError::Type(b'\r', 0)));
        assert_eq!(decode(b"$abc\r\n"), Err(RespError::Number(1)));
        assert_eq!(decode(b"$99999999999\r\n"), Err(RespError::Number(1)));
        assert_eq!(decode(b"$2\r\nabcd\r\n"), Err(RespError::Terminator(6)));
        let deep = "*1\r\n".repeat(20);
        assert_eq!(decode(deep.as_bytes()), Err(RespError::Depth));
        let mut short: &[u8] = b"$10\r\nabc";
        let e = read_reply(&mut short, &mut Vec::new()).expect_err("closed");
        assert!(e.contains("closed"), "{e}");
    }

    #[test]
    fn info_is_read_as_the_go_plugin_reads_it() {
        let text = "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n\
            # Clients\r\nconnected_clients:3\r\n# Stats\r\nexpired_keys:5\r\n\
            # Replication\r\nrole:master\r\nslave0:ip=10.0.0.2,port=6380,state=online,offset=900,lag=1\r\n\
            master_repl_offset:1000\r\n# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=0\r\n\
            db3:keys=5,expires=0,avg_ttl=0\r\n";
        let mut info = parse_info(text);
        assert_eq!(info.stats.get("uptime_in_seconds"), Some(42.0));
        assert_eq!(info.stats.get("redis_version"), None);
        assert_eq!(info.stats.get("keys"), Some(15.0));
        assert_eq!(info.stats.get("expires"), Some(2.0));
        assert_eq!(info.stats.get("expired"), Some(5.0));
        assert_eq!(info.dbs, vec![("db0".into(), 10, 2), ("db3".into(), 5, 0)]);
        assert_eq!(info.slaves, vec![("slave0".into(), Some(1.0), 100.0)]);
        info.stats.set_u64("used_memory", 50);
        info.capacity(Some(200.0), Some(10.0));
        assert_eq!(info.stats.get("percentage_of_memory"), Some(25.0));
        assert_eq!(info.stats.get("percentage_of_clients"), Some(30.0));
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(
            encode(&["CONFIG", "GET", "maxmemory"]),
            b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n"
        );
    }
}
