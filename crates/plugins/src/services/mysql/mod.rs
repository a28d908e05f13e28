//! `mysql`: MySQL/MariaDB metrics named as mackerel-plugin-mysql names
//! them (`mysql.cmd.Com_select`, `mysql.connections.max_connections`,
//! `mysql.innodb_rows.Innodb_rows_read`, ...), from `SHOW GLOBAL STATUS`,
//! the few `SHOW GLOBAL VARIABLES` that are limits, replica status, and a
//! count of long transactions taken on the server (its own clock and time
//! zone, so a client in another zone cannot miscount).
//!
//! The InnoDB graphs come from the `Innodb_*` status variables only; the
//! Go plugin's parse of `SHOW ENGINE INNODB STATUS` text (semaphores,
//! insert buffer, pending I/O) is not carried over.

mod graphs;
pub mod wire;

use std::time::Duration;

use serde_json::Value;

use super::args::{self, Flag, Flags};
use super::graph::{self, Graph, Stats};
use super::net::{self, Endpoint, Stream};
use crate::{MetricPlugin, PluginError, Sample, UsageError};
use graphs::{EXTENDED_GRAPHS, GRAPHS, INNODB_ALIASES, INNODB_GRAPHS, PROCESS_STATES};
use wire::{AuthReply, ResultSet, WireError};

const FLAGS: &[Flag] = &[
    Flag::new("host", "HOST", "server host (default localhost)"),
    Flag::new("port", "PORT", "server port (default 3306)"),
    Flag::new(
        "socket",
        "PATH",
        "unix socket (instead of host and port); MariaDB's root needs no password here",
    ),
    Flag::new("username", "USER", "user (default root)"),
    Flag::new("user", "USER", "same as --username"),
    Flag::new(
        "password",
        "PASSWORD",
        "password (default $MYSQL_PASSWORD, else none)",
    ),
    Flag::new("database", "NAME", "database to connect to (default none)"),
    Flag::new(
        "long-transaction-seconds",
        "SECONDS",
        "a transaction open longer than this is counted as long (default 60)",
    ),
    Flag::new("disable_innodb", "", "leave out the InnoDB graphs"),
    Flag::new(
        "enable_extended",
        "",
        "add the query cache, temporary objects, tables, sorts, handlers and MyISAM graphs",
    ),
    args::PREFIX,
    args::TIMEOUT,
];

/// The global variables the graphs use (limits and sizes).
const VARIABLES: &str = "SHOW GLOBAL VARIABLES WHERE Variable_name IN \
    ('max_connections', 'thread_cache_size', 'innodb_log_buffer_size', 'query_cache_size', \
    'table_open_cache', 'key_buffer_size', 'key_cache_block_size')";

/// The mysql plugin, configured.
#[derive(Debug)]
pub struct Mysql {
    endpoint: Endpoint,
    user: String,
    password: String,
    database: Option<String>,
    long_seconds: u64,
    innodb: bool,
    extended: bool,
    prefix: String,
    timeout: Duration,
}

impl Mysql {
    /// Configured from the arguments after the plugin's name.
    pub fn from_args(args: &[String]) -> Result<Mysql, UsageError> {
        let f = Flags::parse("mysql", args, FLAGS)?;
        let user = f
            .get("username")
            .or_else(|| f.get("user"))
            .unwrap_or("root")
            .to_string();
        let password = f
            .get("password")
            .map(str::to_string)
            .or_else(|| std::env::var("MYSQL_PASSWORD").ok())
            .unwrap_or_default();
        let long_seconds = f.number("long-transaction-seconds", 60u64)?;
        if long_seconds == 0 {
            return Err(f.bad("long-transaction-seconds", "0", "at least 1"));
        }
        Ok(Mysql {
            endpoint: net::endpoint(&f, "localhost", 3306)?,
            user,
            password,
            database: f
                .get("database")
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            long_seconds,
            innodb: !f.switch("disable_innodb")?,
            extended: f.switch("enable_extended")?,
            prefix: f.string(args::PREFIX.name, "mysql"),
            timeout: f.timeout()?,
        })
    }

    fn graph_table(&self) -> Vec<Graph> {
        let mut g = GRAPHS.to_vec();
        if self.innodb {
            g.extend_from_slice(INNODB_GRAPHS);
        }
        if self.extended {
            g.extend_from_slice(EXTENDED_GRAPHS);
        }
        g
    }
}

impl MetricPlugin for Mysql {
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError> {
        let mut c = Conn::open(self)?;
        let mut st = Stats::default();
        for row in c.query("SHOW GLOBAL STATUS")?.rows {
            if let [Some(name), Some(value)] = &row[..] {
                st.set_text(name.as_str(), value);
            }
        }
        for row in c.query(VARIABLES)?.rows {
            if let [Some(name), Some(value)] = &row[..] {
                st.set_text(name.as_str(), value);
            }
        }
        for (short, long) in INNODB_ALIASES {
            if let Some(v) = st.0.get(*long).copied() {
                st.0.entry((*short).to_string()).or_insert(v);
            }
        }
        extended_values(&mut st);
        if let (Some(n), Some(max)) = (st.get("Threads_connected"), st.get("max_connections"))
            && max > 0.0
        {
            st.set_f64("PercentageOfConnections", 100.0 * n / max);
        }
        if self.innodb
            && let (Some(used), Some(size)) = (st.get("database_pages"), st.get("pool_size"))
            && size > 0.0
        {
            st.set_f64("PercentageOfBufferPool", 100.0 * used / size);
        }
        c.replication(&mut st)?;
        if self.extended {
            // Grouped on the server: one row per state, not per thread.
            for name in PROCESS_STATES {
                st.set_u64(*name, 0);
            }
            let q = "SELECT STATE, COUNT(*) FROM information_schema.PROCESSLIST GROUP BY STATE";
            for row in c.query(q)?.rows {
                if let [state, Some(n)] = &row[..] {
                    let name = process_state(state.as_deref());
                    let n: u64 = n.parse().unwrap_or(0);
                    let prev = st.get(name).unwrap_or(0.0) as u64;
                    st.set_u64(name, prev + n);
                }
            }
        }
        if self.innodb {
            let q = format!(
                "SELECT COUNT(*) FROM information_schema.INNODB_TRX \
                 WHERE trx_started < NOW() - INTERVAL {} SECOND",
                self.long_seconds
            );
            let rs = c.query(&q)?;
            let n = rs.rows.first().and_then(|r| r.first().cloned().flatten());
            if let Some(n) = n {
                st.set_text("long_running", &n);
            }
        }
        c.quit();
        Ok(graph::samples(&self.prefix, &self.graph_table(), &st))
    }

    fn graphs(&self) -> Value {
        let label = graph::title(&self.prefix.replace("mysql", "MySQL"));
        graph::meta(&self.prefix, &label, &self.graph_table())
    }
}

/// The extended graphs' derived values: the table cache under its old
/// name, and the MyISAM key cache in bytes.
fn extended_values(st: &mut Stats) {
    if let Some(v) = st.0.get("table_open_cache").copied() {
        st.set("table_cache", v);
    }
    if let (Some(size), Some(block)) = (st.get("key_buffer_size"), st.get("key_cache_block_size")) {
        if let Some(unused) = st.get("Key_blocks_unused") {
            st.set_f64("key_buf_bytes_used", size - unused * block);
        }
        if let Some(dirty) = st.get("Key_blocks_not_flushed") {
            st.set_f64("key_buf_bytes_unflushed", dirty * block);
        }
    }
}

/// The processlist graph's name for a thread state, as the Go plugin
/// files it: no state is `none`, waiting for any lock is `locked`,
/// anything unlisted is `other`.
fn process_state(state: Option<&str>) -> &'static str {
    let Some(state) = state else {
        return "State_other";
    };
    let state = if state.is_empty() {
        "none".to_string()
    } else if state == "Table lock"
        || (state.starts_with("Waiting for ") && state.ends_with("lock"))
    {
        "locked".to_string()
    } else {
        state.to_lowercase().replace(' ', "_")
    };
    let name = format!("State_{state}");
    PROCESS_STATES
        .iter()
        .find(|s| **s == name)
        .copied()
        .unwrap_or("State_other")
}

/// An authenticated connection.
struct Conn {
    s: Stream,
}

impl Conn {
    fn open(cfg: &Mysql) -> Result<Conn, PluginError> {
        let mut s = cfg.endpoint.connect("mysql", cfg.timeout)?;
        let fail = |s: &Stream, e: WireError| s.error(format!("login as {:?}: {e}", cfg.user));
        let (_, greeting) = match wire::read_packet(&mut s) {
            Ok(p) => p,
            Err(e) => return Err(fail(&s, e)),
        };
        let hs = wire::parse_handshake(&greeting).map_err(|e| fail(&s, e))?;
        let pw = cfg.password.as_bytes();
        // Answer in the server's default method when we speak it, else in
        // mysql_native_password and let the server switch us.
        let (mut plugin, answer) = match wire::auth_answer(&hs.auth_plugin, pw, &hs.scramble) {
            Some(a) => (hs.auth_plugin.clone(), a),
            None => (
                "mysql_native_password".to_string(),
                wire::native_password(pw, &hs.scramble),
            ),
        };
        let resp =
            wire::handshake_response(&hs, &cfg.user, &answer, &plugin, cfg.database.as_deref());
        let mut seq = 1u8;
        wire::write_packet(&mut s, seq, &resp).map_err(|e| fail(&s, e))?;
        // Switches and extra rounds are few; more is a confused server.
        for _ in 0..4 {
            let (got, p) = wire::read_packet(&mut s).map_err(|e| fail(&s, e))?;
            seq = got.wrapping_add(1);
            match wire::parse_auth_reply(&p).map_err(|e| fail(&s, e))? {
                AuthReply::Ok => return Ok(Conn { s }),
                AuthReply::Switch {
                    plugin: next,
                    scramble,
                } => {
                    let answer = wire::auth_answer(&next, pw, &scramble).ok_or_else(|| {
                        s.error(format!(
                            "login as {:?}: the server wants the {next} method, which sonde does not speak",
                            cfg.user
                        ))
                    })?;
                    plugin = next;
                    wire::write_packet(&mut s, seq, &answer).map_err(|e| fail(&s, e))?;
                }
                AuthReply::MoreData(d) if plugin == "caching_sha2_password" => match d.first() {
                    Some(3) => {} // fast auth done; OK follows
                    Some(4) if matches!(cfg.endpoint, Endpoint::Unix(_)) => {
                        // Full authentication: over a local socket the
                        // password may go in the clear, NUL-terminated.
                        let mut p = pw.to_vec();
                        p.push(0);
                        wire::write_packet(&mut s, seq, &p).map_err(|e| fail(&s, e))?;
                    }
                    _ => {
                        return Err(s.error(format!(
                            "login as {:?}: caching_sha2_password wants the full password, which sonde sends only over --socket (no TLS here)",
                            cfg.user
                        )));
                    }
                },
                AuthReply::MoreData(_) => {
                    return Err(s.error(format!(
                        "login as {:?}: unexpected extra data for {plugin}",
                        cfg.user
                    )));
                }
            }
        }
        Err(s.error(format!(
            "login as {:?}: too many authentication rounds",
            cfg.user
        )))
    }

    fn query(&mut self, sql: &str) -> Result<ResultSet, PluginError> {
        self.try_query(sql)
            .map_err(|e| self.s.error(format!("{}: {e}", first_words(sql))))
    }

    fn try_query(&mut self, sql: &str) -> Result<ResultSet, WireError> {
        let mut p = Vec::with_capacity(sql.len() + 1);
        p.push(0x03); // COM_QUERY
        p.extend_from_slice(sql.as_bytes());
        wire::write_packet(&mut self.s, 0, &p)?;
        let s = &mut self.s;
        wire::read_result_set(|| wire::read_packet(s).map(|(_, p)| p))
    }

    /// Replica status: nothing when the server is not a replica (no rows)
    /// or we may not ask (no privilege). `SHOW REPLICA STATUS` first
    /// (MariaDB 10.5+, MySQL 8.0.22+), the old spelling when that is a
    /// syntax error.
    fn replication(&mut self, st: &mut Stats) -> Result<(), PluginError> {
        let rs = match self.try_query("SHOW REPLICA STATUS") {
            Ok(rs) => rs,
            Err(e) if e.server_code() == Some(1064) => match self.try_query("SHOW SLAVE STATUS") {
                Ok(rs) => rs,
                Err(e) if e.server_code().is_some() => return Ok(()),
                Err(e) => return Err(self.s.error(format!("SHOW SLAVE STATUS: {e}"))),
            },
            // Access denied and the like: the rest is still worth posting.
            Err(e) if e.server_code().is_some() => return Ok(()),
            Err(e) => return Err(self.s.error(format!("SHOW REPLICA STATUS: {e}"))),
        };
        let Some(row) = rs.rows.first() else {
            return Ok(());
        };
        let col = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| rs.column(n))
                .and_then(|i| row.get(i).cloned().flatten())
        };
        if let Some(v) = col(&["Seconds_Behind_Master", "Seconds_Behind_Source"]) {
            st.set_text("Seconds_Behind_Master", &v);
        }
        for (metric, names) in [
            ("io_running", ["Slave_IO_Running", "Replica_IO_Running"]),
            ("sql_running", ["Slave_SQL_Running", "Replica_SQL_Running"]),
        ] {
            if let Some(v) = col(&names) {
                st.set_u64(metric, u64::from(v.eq_ignore_ascii_case("yes")));
            }
        }
        Ok(())
    }

    /// `COM_QUIT`, so the server does not count an aborted client.
    fn quit(mut self) {
        let _ = wire::write_packet(&mut self.s, 0, &[0x01]);
    }
}

/// The start of a statement, for messages.
fn first_words(sql: &str) -> String {
    let w: Vec<&str> = sql.split_whitespace().take(4).collect();
    w.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_states_are_filed_as_the_go_plugin_files_them() {
        assert_eq!(process_state(Some("")), "State_none");
        assert_eq!(process_state(Some("Sending data")), "State_sending_data");
        assert_eq!(
            process_state(Some("Waiting for table metadata lock")),
            "State_locked"
        );
        assert_eq!(process_state(Some("Table lock")), "State_locked");
        assert_eq!(process_state(Some("Daydreaming")), "State_other");
        assert_eq!(process_state(None), "State_other");
    }

    #[test]
    fn flags_are_checked() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = Mysql::from_args(&a(&[
            "--socket",
            "/run/mysqld/mysqld.sock",
            "--user",
            "mon",
        ]))
        .expect("valid");
        assert_eq!(m.endpoint, Endpoint::Unix("/run/mysqld/mysqld.sock".into()));
        assert_eq!(m.user, "mon");
        assert_eq!(m.long_seconds, 60);
        let e = Mysql::from_args(&a(&["--long-transaction-seconds", "0"])).expect_err("zero");
        assert!(e.to_string().contains("--long-transaction-seconds"), "{e}");
        let e = Mysql::from_args(&a(&["--disable_innodb=maybe"])).expect_err("switch");
        assert!(e.to_string().contains("--disable_innodb \"maybe\""), "{e}");
        let no_innodb = Mysql::from_args(&a(&["--disable_innodb"])).expect("valid");
        assert!(
            no_innodb.graphs()["graphs"]
                .get("mysql.innodb_rows")
                .is_none()
        );
        assert_eq!(
            no_innodb.graphs()["graphs"]["mysql.cmd"]["label"],
            "MySQL Command"
        );
    }
}
