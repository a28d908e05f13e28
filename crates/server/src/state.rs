//! The server's state in SQLite (one file in the data directory, WAL mode):
//! API keys, hosts and their specs, check results, graph definitions and host
//! metadata. Metrics are not here (they go to the time-series store).
//!
//! Keys are stored as SHA-256 hashes: the database never holds a usable key.
//! The schema is versioned with `PRAGMA user_version` and migrated at open.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Agents: register hosts, post metrics and checks.
    Write,
    /// Dashboards and scripts: read.
    Read,
    /// Everything, keys included.
    Admin,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Write => "write",
            KeyKind::Read => "read",
            KeyKind::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<KeyKind> {
        match s {
            "write" => Some(KeyKind::Write),
            "read" => Some(KeyKind::Read),
            "admin" => Some(KeyKind::Admin),
            _ => None,
        }
    }

    /// Whether a key of this kind may write (post agent data).
    pub fn can_write(self) -> bool {
        matches!(self, KeyKind::Write | KeyKind::Admin)
    }
}

/// A state error, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("state database: {what}: {source}")]
pub struct StateError {
    pub what: String,
    #[source]
    pub source: rusqlite::Error,
}

type Result<T> = std::result::Result<T, StateError>;

fn ctx<T>(what: &str, r: rusqlite::Result<T>) -> Result<T> {
    r.map_err(|source| StateError {
        what: what.into(),
        source,
    })
}

/// A host as the server knows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Host {
    pub id: String,
    pub name: String,
    pub specs: serde_json::Value,
    pub registered_at: i64,
    pub last_seen: Option<i64>,
}

/// A check's latest result on a host.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheckState {
    pub host_id: String,
    pub name: String,
    pub status: String,
    pub message: String,
    pub occurred_at: i64,
    pub max_check_attempts: Option<i64>,
}

pub struct State {
    conn: Mutex<Connection>,
}

const SCHEMA: &[&str] = &[
    // 1: keys, hosts, checks, graph definitions, metadata.
    "CREATE TABLE api_keys (
        hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE hosts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        specs TEXT NOT NULL,
        registered_at INTEGER NOT NULL,
        last_seen INTEGER
    );
    CREATE TABLE check_reports (
        host_id TEXT NOT NULL REFERENCES hosts(id),
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        max_check_attempts INTEGER,
        notification_interval INTEGER,
        memo TEXT
    );
    CREATE INDEX check_reports_by_host ON check_reports(host_id, name, occurred_at);
    CREATE TABLE graph_defs (
        host_id TEXT NOT NULL REFERENCES hosts(id),
        name TEXT NOT NULL,
        def TEXT NOT NULL,
        PRIMARY KEY (host_id, name)
    );
    CREATE TABLE metadata (
        host_id TEXT NOT NULL REFERENCES hosts(id),
        namespace TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (host_id, namespace)
    );",
    // 2: monitors, alerts (one per monitor and segment while open), silences.
    "CREATE TABLE monitors (
        id INTEGER PRIMARY KEY,
        def TEXT NOT NULL
    );
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        monitor_id INTEGER NOT NULL,
        segment TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        closed_at INTEGER,
        value REAL,
        message TEXT NOT NULL
    );
    CREATE INDEX alerts_open ON alerts(monitor_id, segment) WHERE closed_at IS NULL;
    CREATE TABLE alert_events (
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        at INTEGER NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE TABLE silences (
        id INTEGER PRIMARY KEY,
        monitor_id INTEGER,
        segment TEXT,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        comment TEXT NOT NULL
    );",
    // 3: incidents with their timelines, notification channels and the log
    // of every delivery attempt.
    "CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL UNIQUE REFERENCES alerts(id),
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        resolved_at INTEGER
    );
    CREATE TABLE incident_events (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT
    );
    CREATE TABLE channels (
        id INTEGER PRIMARY KEY,
        def TEXT NOT NULL
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        incident_id INTEGER,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        delivered_at INTEGER,
        failed_at INTEGER,
        last_error TEXT
    );",
    // 4: the web dashboard's custom dashboards, each a JSON list of graphs
    // (see `web::dashboards`).
    "CREATE TABLE dashboards (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        def TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );",
];

/// SHA-256 of a key, hex.
fn hash(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes from the kernel, hex.
pub fn random_hex(n: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

impl State {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<State> {
        let conn = ctx(&format!("open {}", path.display()), Connection::open(path))?;
        ctx(
            "set WAL mode",
            conn.pragma_update(None, "journal_mode", "WAL"),
        )?;
        ctx(
            "set synchronous",
            conn.pragma_update(None, "synchronous", "FULL"),
        )?;
        ctx(
            "enable foreign keys",
            conn.pragma_update(None, "foreign_keys", true),
        )?;
        let version: i64 = ctx(
            "read the schema version",
            conn.pragma_query_value(None, "user_version", |r| r.get(0)),
        )?;
        // Each step and its version number in one transaction: a crash
        // between them cannot leave tables without the version saying so.
        for (i, step) in SCHEMA.iter().enumerate().skip(version as usize) {
            ctx(
                &format!("migrate to schema {}", i + 1),
                conn.execute_batch(&format!(
                    "BEGIN; {step}; PRAGMA user_version = {}; COMMIT;",
                    i + 1
                )),
            )?;
        }
        Ok(State {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes a new key of this kind; returns it (the only time it is seen).
    pub fn create_key(&self, kind: KeyKind, name: &str, now: i64) -> std::io::Result<String> {
        let key = random_hex(24)?;
        self.conn()
            .execute(
                "INSERT INTO api_keys (hash, kind, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![hash(&key), kind.as_str(), name, now],
            )
            .map_err(std::io::Error::other)?;
        Ok(key)
    }

    /// Adds a key chosen elsewhere (configuration, tests).
    pub fn add_key(&self, key: &str, kind: KeyKind, name: &str, now: i64) -> Result<()> {
        ctx(
            "add a key",
            self.conn().execute(
                "INSERT OR REPLACE INTO api_keys (hash, kind, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![hash(key), kind.as_str(), name, now],
            ),
        )?;
        Ok(())
    }

    /// Removes the keys of this name (the command line's, re-added at each
    /// start, so that a key dropped from the command line stops working).
    pub fn remove_keys_named(&self, name: &str) -> Result<()> {
        ctx(
            "remove keys",
            self.conn()
                .execute("DELETE FROM api_keys WHERE name = ?1", params![name]),
        )?;
        Ok(())
    }

    /// Open alerts that have no incident (a crash between the two writes),
    /// as (alert id, monitor id, segment, status, message).
    #[allow(clippy::type_complexity)]
    pub fn alerts_without_incident(&self) -> Result<Vec<(i64, i64, String, String, String)>> {
        let conn = self.conn();
        let mut st = ctx(
            "find alerts without an incident",
            conn.prepare(
                "SELECT a.id, a.monitor_id, a.segment, a.status, a.message FROM alerts a \
                 LEFT JOIN incidents i ON i.alert_id = a.id WHERE a.closed_at IS NULL AND i.id IS NULL",
            ),
        )?;
        let rows = ctx(
            "find alerts without an incident",
            st.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            }),
        )?;
        ctx("find alerts without an incident", rows.collect())
    }

    /// What `key` may do; none for an unknown key.
    pub fn key_kind(&self, key: &str) -> Result<Option<KeyKind>> {
        let kind: Option<String> = ctx(
            "look a key up",
            self.conn()
                .query_row(
                    "SELECT kind FROM api_keys WHERE hash = ?1",
                    params![hash(key)],
                    |r| r.get(0),
                )
                .optional(),
        )?;
        Ok(kind.as_deref().and_then(KeyKind::parse))
    }

    /// How many keys there are (none: the first start makes them).
    pub fn key_count(&self) -> Result<i64> {
        ctx(
            "count keys",
            self.conn()
                .query_row("SELECT count(*) FROM api_keys", [], |r| r.get(0)),
        )
    }

    /// Registers a host by name: a name already known keeps its id (an agent
    /// whose id file was lost, or a reinstalled machine) and gets the new
    /// specs. Returns the id.
    pub fn register_host(&self, name: &str, specs: &serde_json::Value, now: i64) -> Result<String> {
        let conn = self.conn();
        let known: Option<String> = ctx(
            "find a host by name",
            conn.query_row("SELECT id FROM hosts WHERE name = ?1", params![name], |r| {
                r.get(0)
            })
            .optional(),
        )?;
        if let Some(id) = known {
            ctx(
                "update a host's specs",
                conn.execute(
                    "UPDATE hosts SET specs = ?2, last_seen = ?3 WHERE id = ?1",
                    params![id, specs.to_string(), now],
                ),
            )?;
            return Ok(id);
        }
        let id = random_hex(8).map_err(|e| StateError {
            what: "make a host id".into(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        ctx(
            "add a host",
            conn.execute(
                "INSERT INTO hosts (id, name, specs, registered_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![id, name, specs.to_string(), now],
            ),
        )?;
        Ok(id)
    }

    /// Replaces a host's specs; false when the id is unknown.
    pub fn update_host(&self, id: &str, specs: &serde_json::Value, now: i64) -> Result<bool> {
        let n = ctx(
            "update a host",
            self.conn().execute(
                "UPDATE hosts SET specs = ?2, last_seen = ?3 WHERE id = ?1",
                params![id, specs.to_string(), now],
            ),
        )?;
        Ok(n > 0)
    }

    /// Notes that the host posted; false when the id is unknown.
    pub fn touch_host(&self, id: &str, now: i64) -> Result<bool> {
        let n = ctx(
            "note a host's post",
            self.conn().execute(
                "UPDATE hosts SET last_seen = max(coalesce(last_seen, 0), ?2) WHERE id = ?1",
                params![id, now],
            ),
        )?;
        Ok(n > 0)
    }

    pub fn host(&self, id: &str) -> Result<Option<Host>> {
        ctx(
            "read a host",
            self.conn()
                .query_row(
                    "SELECT id, name, specs, registered_at, last_seen FROM hosts WHERE id = ?1",
                    params![id],
                    row_host,
                )
                .optional(),
        )
    }

    pub fn hosts(&self) -> Result<Vec<Host>> {
        let conn = self.conn();
        let mut st = ctx(
            "list hosts",
            conn.prepare(
                "SELECT id, name, specs, registered_at, last_seen FROM hosts ORDER BY name",
            ),
        )?;
        let rows = ctx("list hosts", st.query_map([], row_host))?;
        ctx("list hosts", rows.collect())
    }

    /// Stores check reports, all or none.
    pub fn record_checks(&self, host_id: &str, reports: &[CheckReport]) -> Result<()> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        for r in reports {
            ctx(
                "store a check report",
                tx.execute(
                    "INSERT INTO check_reports (host_id, name, status, message, occurred_at, \
                     max_check_attempts, notification_interval, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        host_id,
                        r.name,
                        r.status,
                        r.message,
                        r.occurred_at,
                        r.max_check_attempts,
                        r.notification_interval,
                        r.memo
                    ],
                ),
            )?;
        }
        ctx("commit check reports", tx.commit())
    }

    /// Every check's latest result on a host.
    pub fn checks(&self, host_id: &str) -> Result<Vec<CheckState>> {
        let conn = self.conn();
        let mut st = ctx(
            "list checks",
            conn.prepare(
                "SELECT host_id, name, status, message, max(occurred_at), max_check_attempts \
                 FROM check_reports WHERE host_id = ?1 GROUP BY name ORDER BY name",
            ),
        )?;
        let rows = ctx(
            "list checks",
            st.query_map(params![host_id], |r| {
                Ok(CheckState {
                    host_id: r.get(0)?,
                    name: r.get(1)?,
                    status: r.get(2)?,
                    message: r.get(3)?,
                    occurred_at: r.get(4)?,
                    max_check_attempts: r.get(5)?,
                })
            }),
        )?;
        ctx("list checks", rows.collect())
    }

    /// Replaces graph definitions by name, all or none.
    pub fn put_graph_defs(
        &self,
        host_id: &str,
        defs: &[(String, serde_json::Value)],
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        for (name, def) in defs {
            ctx(
                "store a graph definition",
                tx.execute(
                    "INSERT OR REPLACE INTO graph_defs (host_id, name, def) VALUES (?1, ?2, ?3)",
                    params![host_id, name, def.to_string()],
                ),
            )?;
        }
        ctx("commit graph definitions", tx.commit())
    }

    pub fn graph_defs(&self, host_id: &str) -> Result<Vec<serde_json::Value>> {
        let conn = self.conn();
        let mut st = ctx(
            "list graph definitions",
            conn.prepare("SELECT def FROM graph_defs WHERE host_id = ?1 ORDER BY name"),
        )?;
        let rows = ctx(
            "list graph definitions",
            st.query_map(params![host_id], |r| r.get::<_, String>(0)),
        )?;
        let texts: Vec<String> = ctx("list graph definitions", rows.collect())?;
        Ok(texts
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }

    pub fn put_metadata(
        &self,
        host_id: &str,
        namespace: &str,
        v: &serde_json::Value,
    ) -> Result<()> {
        ctx(
            "store metadata",
            self.conn().execute(
                "INSERT OR REPLACE INTO metadata (host_id, namespace, value) VALUES (?1, ?2, ?3)",
                params![host_id, namespace, v.to_string()],
            ),
        )?;
        Ok(())
    }

    pub fn metadata(&self, host_id: &str, namespace: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = ctx(
            "read metadata",
            self.conn()
                .query_row(
                    "SELECT value FROM metadata WHERE host_id = ?1 AND namespace = ?2",
                    params![host_id, namespace],
                    |r| r.get(0),
                )
                .optional(),
        )?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    pub id: i64,
    pub monitor_id: i64,
    pub segment: String,
    pub status: String,
    pub opened_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub value: Option<f64>,
    pub message: String,
    /// Muted by a silence now.
    pub silenced: bool,
}

/// A silence: mutes a monitor's alerts (one segment's, or all) for a time;
/// a maintenance window is one set ahead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Silence {
    #[serde(default)]
    pub id: Option<i64>,
    /// The monitor (none: every monitor).
    pub monitor_id: Option<i64>,
    /// One segment (`host=…`), or none for all.
    pub segment: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    #[serde(default)]
    pub comment: String,
}

impl State {
    pub fn put_monitor(&self, id: Option<i64>, def: &serde_json::Value) -> Result<i64> {
        let conn = self.conn();
        match id {
            Some(id) => {
                ctx(
                    "update a monitor",
                    conn.execute(
                        "UPDATE monitors SET def = ?2 WHERE id = ?1",
                        params![id, def.to_string()],
                    ),
                )?;
                Ok(id)
            }
            None => {
                ctx(
                    "add a monitor",
                    conn.execute(
                        "INSERT INTO monitors (def) VALUES (?1)",
                        params![def.to_string()],
                    ),
                )?;
                Ok(conn.last_insert_rowid())
            }
        }
    }

    pub fn monitor_exists(&self, id: i64) -> Result<bool> {
        ctx(
            "find a monitor",
            self.conn()
                .query_row(
                    "SELECT count(*) FROM monitors WHERE id = ?1",
                    params![id],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0),
        )
    }

    /// Deletes a monitor and closes its open alerts.
    pub fn delete_monitor(&self, id: i64, now: i64) -> Result<bool> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        let n = ctx(
            "delete a monitor",
            tx.execute("DELETE FROM monitors WHERE id = ?1", params![id]),
        )?;
        // Its open alerts close, with the reason on their record and their
        // incidents' timelines, and the incidents resolve.
        ctx(
            "note the alerts' end",
            tx.execute(
                "INSERT INTO alert_events (alert_id, at, status, message) \
                 SELECT id, ?2, 'OK', 'the monitor was deleted' FROM alerts \
                 WHERE monitor_id = ?1 AND closed_at IS NULL",
                params![id, now],
            ),
        )?;
        ctx(
            "note it on the incidents",
            tx.execute(
                "INSERT INTO incident_events (incident_id, at, kind, text) \
                 SELECT i.id, ?2, 'alert', 'OK: the monitor was deleted' FROM incidents i \
                 JOIN alerts a ON a.id = i.alert_id WHERE a.monitor_id = ?1 AND a.closed_at IS NULL",
                params![id, now],
            ),
        )?;
        ctx(
            "resolve the incidents",
            tx.execute(
                "UPDATE incidents SET status = 'resolved', resolved_at = ?2 WHERE status = 'open' AND alert_id IN \
                 (SELECT id FROM alerts WHERE monitor_id = ?1 AND closed_at IS NULL)",
                params![id, now],
            ),
        )?;
        ctx(
            "close its alerts",
            tx.execute(
                "UPDATE alerts SET closed_at = ?2, status = 'OK', message = 'the monitor was deleted' \
                 WHERE monitor_id = ?1 AND closed_at IS NULL",
                params![id, now],
            ),
        )?;
        ctx("commit", tx.commit())?;
        Ok(n > 0)
    }

    /// Every monitor: (id, definition).
    pub fn monitors(&self) -> Result<Vec<(i64, serde_json::Value)>> {
        let conn = self.conn();
        let mut st = ctx(
            "list monitors",
            conn.prepare("SELECT id, def FROM monitors ORDER BY id"),
        )?;
        let rows = ctx(
            "list monitors",
            st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))),
        )?;
        let list: Vec<(i64, String)> = ctx("list monitors", rows.collect())?;
        Ok(list
            .into_iter()
            .filter_map(|(id, d)| Some((id, serde_json::from_str(&d).ok()?)))
            .collect())
    }

    /// Opens an alert; its id.
    pub fn open_alert(
        &self,
        monitor_id: i64,
        segment: &str,
        status: &str,
        value: Option<f64>,
        message: &str,
        now: i64,
    ) -> Result<i64> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        ctx(
            "open an alert",
            tx.execute(
                "INSERT INTO alerts (monitor_id, segment, status, opened_at, updated_at, value, message)                  VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
                params![monitor_id, segment, status, now, value, message],
            ),
        )?;
        let id = tx.last_insert_rowid();
        ctx(
            "note the alert's change",
            tx.execute(
                "INSERT INTO alert_events (alert_id, at, status, message) VALUES (?1, ?2, ?3, ?4)",
                params![id, now, status, message],
            ),
        )?;
        ctx("commit", tx.commit())?;
        Ok(id)
    }

    /// Changes an open alert's status (escalation, or `OK` to close it).
    pub fn update_alert(
        &self,
        monitor_id: i64,
        segment: &str,
        status: &str,
        value: Option<f64>,
        message: &str,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        let id: Option<i64> = ctx(
            "find the open alert",
            tx.query_row(
                "SELECT id FROM alerts WHERE monitor_id = ?1 AND segment = ?2 AND closed_at IS NULL",
                params![monitor_id, segment],
                |r| r.get(0),
            )
            .optional(),
        )?;
        let Some(id) = id else {
            return Ok(None);
        };
        let closed = (status == "OK").then_some(now);
        ctx(
            "update the alert",
            tx.execute(
                "UPDATE alerts SET status = ?2, updated_at = ?3, closed_at = ?4, value = ?5, message = ?6 WHERE id = ?1",
                params![id, status, now, closed, value, message],
            ),
        )?;
        ctx(
            "note the alert's change",
            tx.execute(
                "INSERT INTO alert_events (alert_id, at, status, message) VALUES (?1, ?2, ?3, ?4)",
                params![id, now, status, message],
            ),
        )?;
        ctx("commit", tx.commit())?;
        Ok(Some(id))
    }

    /// Alerts, open ones only or all (newest first), with whether a silence
    /// mutes them at `now`.
    pub fn alerts(&self, open_only: bool, now: i64) -> Result<Vec<Alert>> {
        let conn = self.conn();
        let sql = if open_only {
            "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message              FROM alerts WHERE closed_at IS NULL ORDER BY id DESC"
        } else {
            "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message              FROM alerts ORDER BY id DESC LIMIT 1000"
        };
        let mut st = ctx("list alerts", conn.prepare(sql))?;
        let rows = ctx(
            "list alerts",
            st.query_map([], |r| {
                Ok(Alert {
                    id: r.get(0)?,
                    monitor_id: r.get(1)?,
                    segment: r.get(2)?,
                    status: r.get(3)?,
                    opened_at: r.get(4)?,
                    updated_at: r.get(5)?,
                    closed_at: r.get(6)?,
                    value: r.get(7)?,
                    message: r.get(8)?,
                    silenced: false,
                })
            }),
        )?;
        let mut list: Vec<Alert> = ctx("list alerts", rows.collect())?;
        drop(st);
        drop(conn);
        let silences = self.silences(now)?;
        for a in &mut list {
            a.silenced = silences.iter().any(|s| {
                s.monitor_id.is_none_or(|m| m == a.monitor_id)
                    && s.segment.as_deref().is_none_or(|seg| seg == a.segment)
            });
        }
        Ok(list)
    }

    /// The open alerts' (monitor, segment, status), to restore trackers.
    pub fn open_alerts(&self) -> Result<Vec<(i64, String, String)>> {
        let conn = self.conn();
        let mut st = ctx(
            "list open alerts",
            conn.prepare("SELECT monitor_id, segment, status FROM alerts WHERE closed_at IS NULL"),
        )?;
        let rows = ctx(
            "list open alerts",
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))),
        )?;
        ctx("list open alerts", rows.collect())
    }

    /// An alert's changes, oldest first: (at, status, message).
    pub fn alert_events(&self, alert_id: i64) -> Result<Vec<(i64, String, String)>> {
        let conn = self.conn();
        let mut st = ctx(
            "list an alert's changes",
            conn.prepare(
                "SELECT at, status, message FROM alert_events WHERE alert_id = ?1 ORDER BY rowid",
            ),
        )?;
        let rows = ctx(
            "list an alert's changes",
            st.query_map(params![alert_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))),
        )?;
        ctx("list an alert's changes", rows.collect())
    }

    pub fn add_silence(&self, s: &Silence) -> Result<i64> {
        let conn = self.conn();
        ctx(
            "add a silence",
            conn.execute(
                "INSERT INTO silences (monitor_id, segment, starts_at, ends_at, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.monitor_id, s.segment, s.starts_at, s.ends_at, s.comment],
            ),
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Silences in force at `now`.
    pub fn silences(&self, now: i64) -> Result<Vec<Silence>> {
        let conn = self.conn();
        let mut st = ctx(
            "list silences",
            conn.prepare(
                "SELECT id, monitor_id, segment, starts_at, ends_at, comment FROM silences                  WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY id",
            ),
        )?;
        let rows = ctx(
            "list silences",
            st.query_map(params![now], |r| {
                Ok(Silence {
                    id: r.get(0)?,
                    monitor_id: r.get(1)?,
                    segment: r.get(2)?,
                    starts_at: r.get(3)?,
                    ends_at: r.get(4)?,
                    comment: r.get(5)?,
                })
            }),
        )?;
        ctx("list silences", rows.collect())
    }
}

/// An incident with its timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Incident {
    pub id: i64,
    pub alert_id: i64,
    pub title: String,
    pub status: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    /// (at, kind, text, data).
    pub timeline: Vec<(i64, String, String, Option<serde_json::Value>)>,
}

/// A notification waiting to be delivered (or retried).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub channel: serde_json::Value,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

impl State {
    /// The incident of an alert, made when it opens; its id.
    pub fn open_incident(&self, alert_id: i64, title: &str, text: &str, now: i64) -> Result<i64> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        let known: Option<i64> = ctx(
            "find the incident",
            tx.query_row(
                "SELECT id FROM incidents WHERE alert_id = ?1",
                params![alert_id],
                |r| r.get(0),
            )
            .optional(),
        )?;
        let id = match known {
            Some(id) => id,
            None => {
                ctx(
                    "open an incident",
                    tx.execute(
                        "INSERT INTO incidents (alert_id, title, status, opened_at) VALUES (?1, ?2, 'open', ?3)",
                        params![alert_id, title, now],
                    ),
                )?;
                tx.last_insert_rowid()
            }
        };
        ctx(
            "add to the timeline",
            tx.execute(
                "INSERT INTO incident_events (incident_id, at, kind, text) VALUES (?1, ?2, 'alert', ?3)",
                params![id, now, text],
            ),
        )?;
        ctx("commit", tx.commit())?;
        Ok(id)
    }

    /// The incident of an alert, if it has one.
    pub fn incident_of(&self, alert_id: i64) -> Result<Option<i64>> {
        ctx(
            "find an incident",
            self.conn()
                .query_row(
                    "SELECT id FROM incidents WHERE alert_id = ?1",
                    params![alert_id],
                    |r| r.get(0),
                )
                .optional(),
        )
    }

    /// Adds to an incident's timeline (`alert`, `note`, `attachment`,
    /// `notification`); `resolve` closes it.
    pub fn add_incident_event(
        &self,
        incident_id: i64,
        kind: &str,
        text: &str,
        data: Option<&serde_json::Value>,
        resolve: bool,
        now: i64,
    ) -> Result<bool> {
        let mut conn = self.conn();
        let tx = ctx("begin", conn.transaction())?;
        let n = ctx(
            "add to the timeline",
            tx.execute(
                "INSERT INTO incident_events (incident_id, at, kind, text, data)                  SELECT id, ?2, ?3, ?4, ?5 FROM incidents WHERE id = ?1",
                params![incident_id, now, kind, text, data.map(|d| d.to_string())],
            ),
        )?;
        if resolve {
            ctx(
                "resolve the incident",
                tx.execute(
                    "UPDATE incidents SET status = 'resolved', resolved_at = ?2 WHERE id = ?1",
                    params![incident_id, now],
                ),
            )?;
        }
        ctx("commit", tx.commit())?;
        Ok(n > 0)
    }

    /// Incidents, newest first, with their timelines.
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        let conn = self.conn();
        let mut st = ctx(
            "list incidents",
            conn.prepare(
                "SELECT id, alert_id, title, status, opened_at, resolved_at FROM incidents ORDER BY id DESC LIMIT 500",
            ),
        )?;
        let rows = ctx(
            "list incidents",
            st.query_map([], |r| {
                Ok(Incident {
                    id: r.get(0)?,
                    alert_id: r.get(1)?,
                    title: r.get(2)?,
                    status: r.get(3)?,
                    opened_at: r.get(4)?,
                    resolved_at: r.get(5)?,
                    timeline: Vec::new(),
                })
            }),
        )?;
        let mut list: Vec<Incident> = ctx("list incidents", rows.collect())?;
        let mut ev = ctx(
            "read timelines",
            conn.prepare("SELECT at, kind, text, data FROM incident_events WHERE incident_id = ?1 ORDER BY rowid"),
        )?;
        for i in &mut list {
            let rows = ctx(
                "read a timeline",
                ev.query_map(params![i.id], |r| {
                    let data: Option<String> = r.get(3)?;
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        data.and_then(|d| serde_json::from_str(&d).ok()),
                    ))
                }),
            )?;
            i.timeline = ctx("read a timeline", rows.collect())?;
        }
        Ok(list)
    }

    pub fn add_channel(&self, def: &serde_json::Value) -> Result<i64> {
        let conn = self.conn();
        ctx(
            "add a channel",
            conn.execute(
                "INSERT INTO channels (def) VALUES (?1)",
                params![def.to_string()],
            ),
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn channels(&self) -> Result<Vec<(i64, serde_json::Value)>> {
        let conn = self.conn();
        let mut st = ctx(
            "list channels",
            conn.prepare("SELECT id, def FROM channels ORDER BY id"),
        )?;
        let rows = ctx(
            "list channels",
            st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))),
        )?;
        let list: Vec<(i64, String)> = ctx("list channels", rows.collect())?;
        Ok(list
            .into_iter()
            .filter_map(|(id, d)| Some((id, serde_json::from_str(&d).ok()?)))
            .collect())
    }

    /// Queues a notification for every channel.
    pub fn queue_notifications(
        &self,
        incident_id: Option<i64>,
        payload: &serde_json::Value,
        now: i64,
    ) -> Result<usize> {
        let channels = self.channels()?;
        let conn = self.conn();
        for (cid, _) in &channels {
            ctx(
                "queue a notification",
                conn.execute(
                    "INSERT INTO notifications (channel_id, incident_id, payload, created_at, next_at)                      VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![cid, incident_id, payload.to_string(), now],
                ),
            )?;
        }
        Ok(channels.len())
    }

    /// Notifications due at `now`.
    pub fn due_notifications(&self, now: i64) -> Result<Vec<Pending>> {
        let conn = self.conn();
        let mut st = ctx(
            "list due notifications",
            conn.prepare(
                "SELECT n.id, c.def, n.payload, n.attempts FROM notifications n JOIN channels c ON c.id = n.channel_id                  WHERE n.delivered_at IS NULL AND n.failed_at IS NULL AND n.next_at <= ?1 ORDER BY n.id LIMIT 100",
            ),
        )?;
        let rows = ctx(
            "list due notifications",
            st.query_map(params![now], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            }),
        )?;
        let list: Vec<(i64, String, String, i64)> = ctx("list due notifications", rows.collect())?;
        Ok(list
            .into_iter()
            .filter_map(|(id, c, p, attempts)| {
                Some(Pending {
                    id,
                    channel: serde_json::from_str(&c).ok()?,
                    payload: serde_json::from_str(&p).ok()?,
                    attempts,
                })
            })
            .collect())
    }

    /// Records a delivery attempt: delivered, retry at `next_at`, or given
    /// up (`next_at` none).
    pub fn notification_attempt(
        &self,
        id: i64,
        error: Option<&str>,
        next_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let conn = self.conn();
        let done = match (error, next_at) {
            (None, _) => conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, delivered_at = ?2, last_error = NULL WHERE id = ?1",
                params![id, now],
            ),
            (Some(e), Some(next)) => conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, next_at = ?3, last_error = ?2 WHERE id = ?1",
                params![id, e, next],
            ),
            (Some(e), None) => conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, failed_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, now, e],
            ),
        };
        ctx("record a delivery attempt", done)?;
        Ok(())
    }

    /// The delivery log: (id, channel id, attempts, delivered_at, failed_at,
    /// last_error).
    #[allow(clippy::type_complexity)]
    pub fn notification_log(
        &self,
    ) -> Result<Vec<(i64, i64, i64, Option<i64>, Option<i64>, Option<String>)>> {
        let conn = self.conn();
        let mut st = ctx(
            "read the delivery log",
            conn.prepare(
                "SELECT id, channel_id, attempts, delivered_at, failed_at, last_error FROM notifications ORDER BY id DESC LIMIT 1000",
            ),
        )?;
        let rows = ctx(
            "read the delivery log",
            st.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            }),
        )?;
        ctx("read the delivery log", rows.collect())
    }
}

fn row_host(r: &rusqlite::Row<'_>) -> rusqlite::Result<Host> {
    let specs: String = r.get(2)?;
    Ok(Host {
        id: r.get(0)?,
        name: r.get(1)?,
        specs: serde_json::from_str(&specs).unwrap_or(serde_json::Value::Null),
        registered_at: r.get(3)?,
        last_seen: r.get(4)?,
    })
}

/// A check report as the agent posts it (docs/agent-api.md).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckReport {
    pub name: String,
    pub status: String,
    pub message: String,
    pub occurred_at: i64,
    pub max_check_attempts: Option<i64>,
    pub notification_interval: Option<i64>,
    pub memo: Option<String>,
}

/// A custom dashboard as stored: its name and its definition (a JSON
/// object whose `graphs` list `web::dashboards` reads and checks).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dashboard {
    pub id: i64,
    pub name: String,
    pub def: serde_json::Value,
    pub updated_at: i64,
}

// The web dashboard's reads and writes (custom dashboards, unmuting, one
// incident or alert), kept together and in portable SQL (`?` parameters,
// `RETURNING`), so that moving the state onto another SQL engine moves them
// as they are.
impl State {
    /// Stores a new custom dashboard; its id.
    pub fn add_dashboard(&self, name: &str, def: &serde_json::Value, now: i64) -> Result<i64> {
        ctx(
            "add a dashboard",
            self.conn().query_row(
                "INSERT INTO dashboards (name, def, updated_at) VALUES (?, ?, ?) RETURNING id",
                params![name, def.to_string(), now],
                |r| r.get(0),
            ),
        )
    }

    /// Replaces a custom dashboard; false when the id is unknown.
    pub fn update_dashboard(
        &self,
        id: i64,
        name: &str,
        def: &serde_json::Value,
        now: i64,
    ) -> Result<bool> {
        let n = ctx(
            "update a dashboard",
            self.conn().execute(
                "UPDATE dashboards SET name = ?, def = ?, updated_at = ? WHERE id = ?",
                params![name, def.to_string(), now, id],
            ),
        )?;
        Ok(n > 0)
    }

    /// Deletes a custom dashboard; false when the id is unknown.
    pub fn delete_dashboard(&self, id: i64) -> Result<bool> {
        let n = ctx(
            "delete a dashboard",
            self.conn()
                .execute("DELETE FROM dashboards WHERE id = ?", params![id]),
        )?;
        Ok(n > 0)
    }

    /// Every custom dashboard, by name.
    pub fn dashboards(&self) -> Result<Vec<Dashboard>> {
        let conn = self.conn();
        let mut st = ctx(
            "list dashboards",
            conn.prepare("SELECT id, name, def, updated_at FROM dashboards ORDER BY name, id"),
        )?;
        let rows = ctx("list dashboards", st.query_map([], row_dashboard))?;
        ctx("list dashboards", rows.collect())
    }

    pub fn dashboard(&self, id: i64) -> Result<Option<Dashboard>> {
        ctx(
            "read a dashboard",
            self.conn()
                .query_row(
                    "SELECT id, name, def, updated_at FROM dashboards WHERE id = ?",
                    params![id],
                    row_dashboard,
                )
                .optional(),
        )
    }

    /// Ends now the silences of one monitor that are in force (unmuting
    /// it); maintenance windows set ahead are left. How many ended.
    pub fn end_silences(&self, monitor_id: i64, now: i64) -> Result<usize> {
        ctx(
            "end a monitor's silences",
            self.conn().execute(
                "UPDATE silences SET ends_at = ? WHERE monitor_id = ? AND starts_at <= ? AND ends_at > ?",
                params![now, monitor_id, now, now],
            ),
        )
    }

    /// A monitor's silences that start after `now` (maintenance windows
    /// set ahead), soonest first.
    pub fn scheduled_silences(&self, monitor_id: i64, now: i64) -> Result<Vec<Silence>> {
        let conn = self.conn();
        let mut st = ctx(
            "list scheduled silences",
            conn.prepare(
                "SELECT id, monitor_id, segment, starts_at, ends_at, comment FROM silences \
                 WHERE monitor_id = ? AND starts_at > ? ORDER BY starts_at, id",
            ),
        )?;
        let rows = ctx(
            "list scheduled silences",
            st.query_map(params![monitor_id, now], |r| {
                Ok(Silence {
                    id: r.get(0)?,
                    monitor_id: r.get(1)?,
                    segment: r.get(2)?,
                    starts_at: r.get(3)?,
                    ends_at: r.get(4)?,
                    comment: r.get(5)?,
                })
            }),
        )?;
        ctx("list scheduled silences", rows.collect())
    }

    /// Deletes one of a monitor's silences; false when it has none of that id.
    pub fn delete_silence(&self, monitor_id: i64, id: i64) -> Result<bool> {
        let n = ctx(
            "delete a silence",
            self.conn().execute(
                "DELETE FROM silences WHERE id = ? AND monitor_id = ?",
                params![id, monitor_id],
            ),
        )?;
        Ok(n > 0)
    }

    /// One alert (its silenced flag left false: the caller knows the time).
    pub fn alert(&self, id: i64) -> Result<Option<Alert>> {
        ctx(
            "read an alert",
            self.conn()
                .query_row(
                    "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message \
                     FROM alerts WHERE id = ?",
                    params![id],
                    |r| {
                        Ok(Alert {
                            id: r.get(0)?,
                            monitor_id: r.get(1)?,
                            segment: r.get(2)?,
                            status: r.get(3)?,
                            opened_at: r.get(4)?,
                            updated_at: r.get(5)?,
                            closed_at: r.get(6)?,
                            value: r.get(7)?,
                            message: r.get(8)?,
                            silenced: false,
                        })
                    },
                )
                .optional(),
        )
    }

    /// One incident with its timeline, in time order (events of one second
    /// in the order written, as SQLite's sort keeps its scan order; an
    /// engine that does not would want an id column to break ties).
    pub fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let conn = self.conn();
        let head = ctx(
            "read an incident",
            conn.query_row(
                "SELECT id, alert_id, title, status, opened_at, resolved_at FROM incidents WHERE id = ?",
                params![id],
                |r| {
                    Ok(Incident {
                        id: r.get(0)?,
                        alert_id: r.get(1)?,
                        title: r.get(2)?,
                        status: r.get(3)?,
                        opened_at: r.get(4)?,
                        resolved_at: r.get(5)?,
                        timeline: Vec::new(),
                    })
                },
            )
            .optional(),
        )?;
        let Some(mut incident) = head else {
            return Ok(None);
        };
        let mut st = ctx(
            "read a timeline",
            conn.prepare(
                "SELECT at, kind, text, data FROM incident_events WHERE incident_id = ? ORDER BY at",
            ),
        )?;
        let rows = ctx(
            "read a timeline",
            st.query_map(params![id], |r| {
                let data: Option<String> = r.get(3)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    data.and_then(|d| serde_json::from_str(&d).ok()),
                ))
            }),
        )?;
        incident.timeline = ctx("read a timeline", rows.collect())?;
        Ok(Some(incident))
    }
}

fn row_dashboard(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dashboard> {
    let def: String = r.get(2)?;
    Ok(Dashboard {
        id: r.get(0)?,
        name: r.get(1)?,
        def: serde_json::from_str(&def).unwrap_or(serde_json::Value::Null),
        updated_at: r.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sonde-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        d.join("state.db")
    }

    #[test]
    fn keys_are_kept_hashed_and_known_by_kind() {
        let path = temp("keys");
        let s = State::open(&path).expect("open");
        let k = s.create_key(KeyKind::Write, "agents", 1).expect("key");
        assert_eq!(k.len(), 48);
        assert_eq!(s.key_kind(&k).expect("lookup"), Some(KeyKind::Write));
        assert_eq!(s.key_kind("nope").expect("lookup"), None);
        let raw = std::fs::read(&path).expect("db");
        assert!(
            !raw.windows(k.len()).any(|w| w == k.as_bytes()),
            "the key itself is not stored"
        );
        drop(s);
        let s = State::open(&path).expect("reopen");
        assert_eq!(s.key_kind(&k).expect("lookup"), Some(KeyKind::Write));
    }

    #[test]
    fn a_host_registered_twice_by_name_keeps_its_id() {
        let s = State::open(&temp("hosts")).expect("open");
        let a = s
            .register_host("web-1", &serde_json::json!({"v": 1}), 10)
            .expect("register");
        let b = s
            .register_host("web-1", &serde_json::json!({"v": 2}), 20)
            .expect("again");
        assert_eq!(a, b);
        let h = s.host(&a).expect("read").expect("known");
        assert_eq!(h.specs["v"], 2);
        assert!(
            !s.update_host("unknown", &serde_json::json!({}), 1)
                .expect("update")
        );
        assert!(s.touch_host(&a, 30).expect("touch"));
        assert_eq!(s.hosts().expect("list").len(), 1);
    }

    #[test]
    fn check_reports_keep_the_latest_per_check() {
        let s = State::open(&temp("checks")).expect("open");
        let id = s
            .register_host("db-1", &serde_json::json!({}), 1)
            .expect("register");
        let r = |status: &str, at: i64| CheckReport {
            name: "disk".into(),
            status: status.into(),
            message: format!("{status} at {at}"),
            occurred_at: at,
            max_check_attempts: Some(3),
            notification_interval: None,
            memo: None,
        };
        s.record_checks(&id, &[r("OK", 1), r("CRITICAL", 2)])
            .expect("record");
        let c = s.checks(&id).expect("checks");
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].status.as_str(), c[0].occurred_at), ("CRITICAL", 2));
    }
}
