//! `postgres`: PostgreSQL metrics named as mackerel-plugin-postgres names
//! them (`postgres.commits.xact_commit`, `postgres.connections.active`,
//! ...) plus locks by mode (`postgres.locks.<Mode>`) and replication lag:
//! on a standby the age of the last replayed transaction, on a primary one
//! line per connected replica; neither when the server is alone.
//!
//! Unlike the Go plugin, a connection waiting on an event is counted under
//! its state (an idle backend always waits on ClientRead, which made the Go
//! plugin post `idle_waiting`, a name its graph does not define); only
//! `active_waiting` is kept apart, as its graph has it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::args::{self, Flag, Flags};
use super::graph::{self, Graph, Stats, counter, gauge};
use super::net::{Endpoint, Stream};
use crate::{MetricPlugin, PluginError, Sample, UsageError};
use sonde_pgwire::{Login, Rows, WireError, proto as wire};

const FLAGS: &[Flag] = &[
    Flag::new(
        "hostname",
        "HOST",
        "server host, or a socket directory if it starts with / (default localhost)",
    ),
    Flag::new("host", "HOST", "same as --hostname"),
    Flag::new(
        "port",
        "PORT",
        "server port, also naming the socket file (default 5432)",
    ),
    Flag::new(
        "socket",
        "PATH",
        "unix socket directory (e.g. /var/run/postgresql) or socket file",
    ),
    Flag::new("user", "USER", "user (default postgres)"),
    Flag::new("password", "PASSWORD", "password (default $PGPASSWORD)"),
    Flag::new(
        "database",
        "NAME",
        "database to connect to (default postgres)",
    ),
    Flag::new(
        "sslmode",
        "MODE",
        "disable, allow or prefer: sonde connects without TLS",
    ),
    Flag::new("connect_timeout", "SECONDS", "same as --timeout"),
    args::PREFIX,
    args::TIMEOUT,
];

/// The standard table-lock modes, posted (as 0 when none is held) so the
/// graph keeps its lines.
const LOCK_MODES: &[&str] = &[
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
    "SIReadLock",
];

const GRAPHS: &[Graph] = &[
    Graph {
        key: "connections",
        label: "Connections",
        unit: "integer",
        metrics: &[
            gauge("active", "Active").stacked(),
            gauge("active_waiting", "Active waiting").stacked(),
            gauge("idle", "Idle").stacked(),
            gauge("idle_in_transaction", "Idle in transaction").stacked(),
            gauge(
                "idle_in_transaction_aborted",
                "Idle in transaction (aborted)",
            )
            .stacked(),
            gauge("fastpath_function_call", "fast-path function call").stacked(),
            gauge("disabled", "Disabled").stacked(),
        ],
    },
    Graph {
        key: "commits",
        label: "Commits",
        unit: "integer",
        metrics: &[
            counter("xact_commit", "Xact Commit"),
            counter("xact_rollback", "Xact Rollback"),
        ],
    },
    Graph {
        key: "blocks",
        label: "Blocks",
        unit: "integer",
        metrics: &[
            counter("blks_read", "Blocks Read"),
            counter("blks_hit", "Blocks Hit"),
        ],
    },
    Graph {
        key: "rows",
        label: "Rows",
        unit: "integer",
        metrics: &[
            counter("tup_returned", "Returned Rows"),
            counter("tup_fetched", "Fetched Rows").stacked(),
            counter("tup_inserted", "Inserted Rows").stacked(),
            counter("tup_updated", "Updated Rows").stacked(),
            counter("tup_deleted", "Deleted Rows").stacked(),
        ],
    },
    Graph {
        key: "size",
        label: "Data Size",
        unit: "integer",
        metrics: &[gauge("total_size", "Total Size")],
    },
    Graph {
        key: "deadlocks",
        label: "Dead Locks",
        unit: "integer",
        metrics: &[counter("deadlocks", "Deadlocks")],
    },
    Graph {
        key: "iotime",
        label: "Block I/O time",
        unit: "float",
        metrics: &[
            counter("blk_read_time", "Block Read Time (ms)"),
            counter("blk_write_time", "Block Write Time (ms)"),
        ],
    },
    Graph {
        key: "tempfile",
        label: "Temporary file",
        unit: "integer",
        metrics: &[counter("temp_bytes", "Temporary file size (byte)")],
    },
    Graph {
        key: "xlog_location",
        label: "Amount of Transaction location change",
        unit: "bytes",
        metrics: &[counter(
            "xlog_location_bytes",
            "Amount of Transaction location change (byte)",
        )],
    },
    Graph {
        key: "locks",
        label: "Locks by mode",
        unit: "integer",
        metrics: &[
            gauge("AccessShareLock", "AccessShare"),
            gauge("RowShareLock", "RowShare"),
            gauge("RowExclusiveLock", "RowExclusive"),
            gauge("ShareUpdateExclusiveLock", "ShareUpdateExclusive"),
            gauge("ShareLock", "Share"),
            gauge("ShareRowExclusiveLock", "ShareRowExclusive"),
            gauge("ExclusiveLock", "Exclusive"),
            gauge("AccessExclusiveLock", "AccessExclusive"),
            gauge("SIReadLock", "SIRead (predicate)"),
        ],
    },
    Graph {
        key: "standby",
        label: "Standby replay delay",
        unit: "seconds",
        metrics: &[gauge(
            "replay_delay_seconds",
            "Since the last replayed transaction",
        )],
    },
    Graph {
        key: "replication_lag",
        label: "Replication lag per replica",
        unit: "seconds",
        metrics: &[gauge("*", "%1")],
    },
    Graph {
        key: "replication_delay_bytes",
        label: "Replication delay per replica",
        unit: "bytes",
        metrics: &[gauge("*", "%1")],
    },
];

const STAT_DATABASE: &str = "SELECT sum(xact_commit) AS xact_commit, sum(xact_rollback) AS xact_rollback, \
    sum(blks_read) AS blks_read, sum(blks_hit) AS blks_hit, \
    floor(sum(blk_read_time))::bigint AS blk_read_time, floor(sum(blk_write_time))::bigint AS blk_write_time, \
    sum(tup_returned) AS tup_returned, sum(tup_fetched) AS tup_fetched, sum(tup_inserted) AS tup_inserted, \
    sum(tup_updated) AS tup_updated, sum(tup_deleted) AS tup_deleted, \
    sum(deadlocks) AS deadlocks, sum(temp_bytes) AS temp_bytes FROM pg_stat_database";

const CONNECTIONS: &str = "SELECT state, wait_event IS NOT NULL, count(*) FROM pg_stat_activity \
    WHERE state IS NOT NULL GROUP BY 1, 2";

const SIZE: &str = "SELECT sum(pg_database_size(datname)) FROM pg_database \
    WHERE has_database_privilege(datname, 'connect')";

const LOCKS: &str = "SELECT mode, count(*) FROM pg_locks GROUP BY mode";

const RECOVERY: &str = "SELECT pg_is_in_recovery(), \
    CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END, \
    CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END";

const REPLICAS: &str = "SELECT application_name, client_addr, pid, extract(epoch FROM replay_lag), \
    pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication";

/// The postgres plugin, configured.
#[derive(Debug)]
pub struct Postgres {
    endpoint: Endpoint,
    user: String,
    password: Option<String>,
    database: String,
    prefix: String,
    timeout: Duration,
}

impl Postgres {
    /// Configured from the arguments after the plugin's name.
    pub fn from_args(args: &[String]) -> Result<Postgres, UsageError> {
        let f = Flags::parse("postgres", args, FLAGS)?;
        let port = f.number("port", 5432u16)?;
        let host = f
            .get("hostname")
            .or_else(|| f.get("host"))
            .unwrap_or("localhost")
            .to_string();
        let socket = f
            .get("socket")
            .map(str::to_string)
            .or_else(|| host.starts_with('/').then(|| host.clone()));
        let endpoint = match socket {
            Some(s) => Endpoint::Unix(socket_file(Path::new(&s), port)),
            None if host.is_empty() => {
                return Err(f.bad("hostname", &host, "a host name or address"));
            }
            None => Endpoint::Tcp { host, port },
        };
        let sslmode = f.string("sslmode", "disable");
        if !matches!(sslmode.as_str(), "disable" | "allow" | "prefer") {
            return Err(f.bad(
                "sslmode",
                &sslmode,
                "disable, allow or prefer (no TLS client in the agent)",
            ));
        }
        let timeout = match f.get("connect_timeout") {
            Some(v) if f.get(args::TIMEOUT.name).is_none() => v
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| f.bad("connect_timeout", v, "seconds, more than 0"))?,
            _ => f.timeout()?,
        };
        Ok(Postgres {
            endpoint,
            user: f.string("user", "postgres"),
            password: f
                .get("password")
                .map(str::to_string)
                .or_else(|| std::env::var("PGPASSWORD").ok())
                .filter(|p| !p.is_empty()),
            database: f.string("database", "postgres"),
            prefix: f.string(args::PREFIX.name, "postgres"),
            timeout,
        })
    }
}

/// libpq's convention: a directory holds `.s.PGSQL.<port>`.
fn socket_file(path: &Path, port: u16) -> PathBuf {
    if path.is_dir() {
        path.join(format!(".s.PGSQL.{port}"))
    } else {
        path.to_path_buf()
    }
}

impl MetricPlugin for Postgres {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let mut c = Conn::open(self)?;
        let mut st = Stats::default();
        let db = c.query(STAT_DATABASE)?;
        if let Some(row) = db.rows.first() {
            for (name, v) in db.columns.iter().zip(row) {
                if let Some(v) = v {
                    st.set_text(name.as_str(), v);
                }
            }
        }
        for name in [
            "active",
            "active_waiting",
            "idle",
            "idle_in_transaction",
            "idle_in_transaction_aborted",
        ] {
            st.set_u64(name, 0);
        }
        for row in c.query(CONNECTIONS)?.rows {
            if let [Some(state), Some(waiting), Some(n)] = &row[..] {
                let mut name = state_name(state);
                if name == "active" && waiting == "t" {
                    name.push_str("_waiting");
                }
                let n: u64 = n.parse().unwrap_or(0);
                let prev = st.get(&name).unwrap_or(0.0) as u64;
                st.set_u64(name, prev + n);
            }
        }
        if let Some(Some(size)) = c.query(SIZE)?.rows.first().and_then(|r| r.first()) {
            st.set_text("total_size", size);
        }
        for m in LOCK_MODES {
            st.set_u64(*m, 0);
        }
        for row in c.query(LOCKS)?.rows {
            if let [Some(mode), Some(n)] = &row[..] {
                st.set_text(mode.as_str(), n);
            }
        }
        let mut out = Vec::new();
        // Replication needs PostgreSQL 10+ names; an older or restricted
        // server still gives everything above.
        if let Some(rec) = c.optional(RECOVERY)? {
            let row = rec.rows.first().cloned().unwrap_or_default();
            let standby = row.first().cloned().flatten().as_deref() == Some("t");
            if let Some(Some(lsn)) = row.get(1) {
                st.set_text("xlog_location_bytes", lsn);
            }
            if let Some(Some(delay)) = row.get(2) {
                st.set_text("replay_delay_seconds", delay);
            }
            if !standby && let Some(reps) = c.optional(REPLICAS)? {
                out.extend(replica_samples(&self.prefix, &reps));
            }
        }
        c.terminate();
        let mut samples = graph::samples(&self.prefix, GRAPHS, &st);
        samples.extend(out);
        Ok(samples)
    }

    fn graphs(&self) -> Value {
        graph::meta(&self.prefix, &graph::title(&self.prefix), GRAPHS)
    }
}

/// `idle in transaction (aborted)` → `idle_in_transaction_aborted`.
fn state_name(state: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for ch in state.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(ch);
        } else {
            gap = true;
        }
    }
    out
}

/// One lag and one byte-delay line per replica, named by its
/// application_name (else its address, else its walsender pid).
fn replica_samples(prefix: &str, reps: &Rows) -> Vec<Sample> {
    let mut by_name: BTreeMap<String, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for row in &reps.rows {
        let cell = |i: usize| row.get(i).cloned().flatten().filter(|s| !s.is_empty());
        let Some(name) = cell(0).or_else(|| cell(1)).or_else(|| cell(2)) else {
            continue;
        };
        let lag = cell(3).and_then(|v| v.parse().ok());
        let bytes = cell(4).and_then(|v| v.parse().ok());
        by_name.insert(graph::segment(&name), (lag, bytes));
    }
    let mut out = Vec::new();
    for (name, (lag, bytes)) in by_name {
        // No replay_lag yet means the replica has caught up and is idle.
        out.push(Sample::gauge(
            format!("{prefix}.replication_lag.{name}"),
            lag.unwrap_or(0.0),
        ));
        if let Some(b) = bytes {
            out.push(Sample::gauge(
                format!("{prefix}.replication_delay_bytes.{name}"),
                b,
            ));
        }
    }
    out
}

/// An authenticated connection, ready for queries.
struct Conn {
    s: Stream,
}

impl Conn {
    fn open(cfg: &Postgres) -> Result<Conn, PluginError> {
        let mut s = cfg.endpoint.connect("postgres", cfg.timeout)?;
        let who = format!("login as {:?} to {:?}", cfg.user, cfg.database);
        let login = Login {
            user: &cfg.user,
            database: &cfg.database,
            password: cfg.password.as_deref(),
        };
        match sonde_pgwire::login(&mut s, login) {
            Ok(_) => Ok(Conn { s }),
            Err(WireError::PasswordNeeded) => Err(s.error(format!(
                "{who}: the server asks for a password (give --password or PGPASSWORD)"
            ))),
            Err(e) => Err(s.error(format!("{who}: {e}"))),
        }
    }

    fn try_query(&mut self, sql: &str) -> Result<Rows, WireError> {
        std::io::Write::write_all(&mut self.s, &wire::query(sql))?;
        let s = &mut self.s;
        wire::read_query_reply(|| wire::read_message(s))
    }

    fn query(&mut self, sql: &str) -> Result<Rows, PluginError> {
        self.try_query(sql)
            .map_err(|e| self.s.error(format!("{}: {e}", first_words(sql))))
    }

    /// A query whose refusal by the server (missing function on an old
    /// version, no privilege) means "not available" rather than failure.
    fn optional(&mut self, sql: &str) -> Result<Option<Rows>, PluginError> {
        match self.try_query(sql) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.sqlstate().is_some() => Ok(None),
            Err(e) => Err(self.s.error(format!("{}: {e}", first_words(sql)))),
        }
    }

    fn terminate(mut self) {
        let _ = std::io::Write::write_all(&mut self.s, &wire::message(b'X', &[]));
    }
}

fn first_words(sql: &str) -> String {
    let w: Vec<&str> = sql.split_whitespace().take(4).collect();
    w.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_named_as_the_go_plugin_names_them() {
        assert_eq!(
            state_name("idle in transaction (aborted)"),
            "idle_in_transaction_aborted"
        );
        assert_eq!(
            state_name("fastpath function call"),
            "fastpath_function_call"
        );
        assert_eq!(state_name("active"), "active");
    }

    #[test]
    fn flags_are_checked() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let p = Postgres::from_args(&a(&["--hostname", "/nonexistent-dir/x", "--user", "mon"]))
            .expect("valid");
        assert_eq!(p.endpoint, Endpoint::Unix("/nonexistent-dir/x".into()));
        let p = Postgres::from_args(&a(&["--socket", "/tmp", "--port", "5433"])).expect("valid");
        assert_eq!(p.endpoint, Endpoint::Unix("/tmp/.s.PGSQL.5433".into()));
        let e = Postgres::from_args(&a(&["--sslmode", "require"])).expect_err("tls");
        assert!(e.to_string().contains("--sslmode \"require\""), "{e}");
        let e = Postgres::from_args(&a(&["--connect_timeout", "x"])).expect_err("timeout");
        assert!(e.to_string().contains("--connect_timeout \"x\""), "{e}");
    }

    #[test]
    fn replicas_get_a_line_each() {
        let reps = Rows {
            rows: vec![
                vec![
                    Some("standby 1".into()),
                    Some("10.0.0.2".into()),
                    Some("77".into()),
                    Some("0.25".into()),
                    Some("4096".into()),
                ],
                vec![Some("".into()), None, Some("78".into()), None, None],
            ],
            ..Rows::default()
        };
        let s = replica_samples("postgres", &reps);
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "postgres.replication_lag.78",
                "postgres.replication_lag.standby_1",
                "postgres.replication_delay_bytes.standby_1"
            ]
        );
    }
}
