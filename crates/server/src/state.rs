//! The server's state: API keys, hosts and their specs, check results,
//! graph definitions, host metadata, monitors, alerts, silences, incidents
//! and notifications. Metrics are not here (they go to the time-series
//! store).
//!
//! It lives in SQLite (one file in the data directory, WAL mode, the
//! default) or in PostgreSQL (fleet mode: instances share it), through
//! [`crate::sql`]; every statement here is written once for both.
//!
//! Keys are stored as SHA-256 hashes: the database never holds a usable key.
//! The schema is versioned and migrated at open ([`Db::migrate`]).

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::params;
use crate::sql::{Db, DbError, Row};

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
    pub source: DbError,
}

impl StateError {
    /// The HTTP status for a request that failed on this: 503 while the
    /// database is away (PostgreSQL down or unreachable; the client may
    /// retry and the server keeps serving), else 500.
    pub fn status(&self) -> u16 {
        if self.source.is_unavailable() {
            503
        } else {
            500
        }
    }
}

/// A row of another shape than the code reads (a column of another type):
/// a bug or a foreign schema, said with the column.
impl From<DbError> for StateError {
    fn from(source: DbError) -> StateError {
        StateError {
            what: "read a row".into(),
            source,
        }
    }
}

type Result<T> = std::result::Result<T, StateError>;

fn ctx<T>(what: &str, r: std::result::Result<T, DbError>) -> Result<T> {
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

/// The state, over SQLite or PostgreSQL.
pub struct State {
    db: Arc<Db>,
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
        {rowid}
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
        {rowid}
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
        {rowid}
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
    /// Opens (creating and migrating) the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<State> {
        let db = ctx(&format!("open {}", path.display()), Db::open_sqlite(path))?;
        State::over(Arc::new(db))
    }

    /// Opens the state named by `url`: `postgres://user[:password]@host[:port]/db`
    /// or `postgres:///db?host=/socket/dir&user=..` for PostgreSQL, else a
    /// SQLite file's path. An unreachable PostgreSQL is an error naming it.
    pub fn connect(url: &str) -> Result<State> {
        let db = ctx(
            &format!("open {}", sonde_pgwire::redact(url)),
            Db::open(url),
        )?;
        State::over(Arc::new(db))
    }

    /// The state in `db`, its schema brought up to date.
    pub fn over(db: Arc<Db>) -> Result<State> {
        ctx(&format!("migrate {}", db.describe()), db.migrate(SCHEMA))?;
        Ok(State { db })
    }

    /// The database under the state (the dashboard keeps its users and
    /// sessions there too, so instances sharing a PostgreSQL share logins).
    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Whether this instance runs the monitor evaluator and the notifier
    /// now (see [`Db::lead`]): always with SQLite; with PostgreSQL, the one
    /// instance holding the leader lock.
    pub fn is_leader(&self) -> bool {
        self.db.lead()
    }

    /// Makes a new key of this kind; returns it (the only time it is seen).
    pub fn create_key(&self, kind: KeyKind, name: &str, now: i64) -> std::io::Result<String> {
        let key = random_hex(24)?;
        self.db
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
            self.db.execute(
                "INSERT INTO api_keys (hash, kind, name, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                 created_at = excluded.created_at",
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
            self.db
                .execute("DELETE FROM api_keys WHERE name = ?1", params![name]),
        )?;
        Ok(())
    }

    /// Open alerts that have no incident (a crash between the two writes),
    /// as (alert id, monitor id, segment, status, message).
    #[allow(clippy::type_complexity)]
    pub fn alerts_without_incident(&self) -> Result<Vec<(i64, i64, String, String, String)>> {
        let what = "find alerts without an incident";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT a.id, a.monitor_id, a.segment, a.status, a.message FROM alerts a \
                 LEFT JOIN incidents i ON i.alert_id = a.id WHERE a.closed_at IS NULL AND i.id IS NULL",
                &[],
            ),
        )?;
        rows.iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .map(|r| ctx(what, r))
            .collect()
    }

    /// What `key` may do; none for an unknown key.
    pub fn key_kind(&self, key: &str) -> Result<Option<KeyKind>> {
        let what = "look a key up";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT kind FROM api_keys WHERE hash = ?1",
                params![hash(key)],
            ),
        )?;
        let kind: Option<String> = row.map(|r| ctx(what, r.get(0))).transpose()?;
        Ok(kind.as_deref().and_then(KeyKind::parse))
    }

    /// How many keys there are (none: the first start makes them).
    pub fn key_count(&self) -> Result<i64> {
        ctx(
            "count keys",
            self.db
                .query_row("SELECT count(*) FROM api_keys", &[])
                .and_then(|r| r.get(0)),
        )
    }

    /// Registers a host by name: a name already known keeps its id (an agent
    /// whose id file was lost, or a reinstalled machine) and gets the new
    /// specs. Returns the id.
    pub fn register_host(&self, name: &str, specs: &serde_json::Value, now: i64) -> Result<String> {
        let fresh = random_hex(8).map_err(|e| StateError {
            what: "make a host id".into(),
            source: DbError::Other(format!("/dev/urandom: {e}")),
        })?;
        // One statement, so two instances registering one name at once
        // agree on its id.
        ctx(
            "register a host",
            self.db
                .query_row(
                    "INSERT INTO hosts (id, name, specs, registered_at, last_seen) \
                     VALUES (?1, ?2, ?3, ?4, ?4) \
                     ON CONFLICT (name) DO UPDATE SET specs = excluded.specs, last_seen = excluded.last_seen \
                     RETURNING id",
                    params![fresh, name, specs.to_string(), now],
                )
                .and_then(|r| r.get(0)),
        )
    }

    /// Replaces a host's specs; false when the id is unknown.
    pub fn update_host(&self, id: &str, specs: &serde_json::Value, now: i64) -> Result<bool> {
        let n = ctx(
            "update a host",
            self.db.execute(
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
            self.db.execute(
                "UPDATE hosts SET last_seen = CASE WHEN last_seen IS NULL OR last_seen < ?2 \
                 THEN ?2 ELSE last_seen END WHERE id = ?1",
                params![id, now],
            ),
        )?;
        Ok(n > 0)
    }

    pub fn host(&self, id: &str) -> Result<Option<Host>> {
        let what = "read a host";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT id, name, specs, registered_at, last_seen FROM hosts WHERE id = ?1",
                params![id],
            ),
        )?;
        row.map(|r| ctx(what, row_host(&r))).transpose()
    }

    pub fn hosts(&self) -> Result<Vec<Host>> {
        let what = "list hosts";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, name, specs, registered_at, last_seen FROM hosts ORDER BY name",
                &[],
            ),
        )?;
        rows.iter().map(|r| ctx(what, row_host(r))).collect()
    }

    /// Stores check reports, all or none.
    pub fn record_checks(&self, host_id: &str, reports: &[CheckReport]) -> Result<()> {
        ctx(
            "store check reports",
            self.db.transaction(|tx| {
                for r in reports {
                    tx.execute(
                        "INSERT INTO check_reports (host_id, name, status, message, occurred_at, \
                         max_check_attempts, notification_interval, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            host_id,
                            &r.name,
                            &r.status,
                            &r.message,
                            r.occurred_at,
                            r.max_check_attempts,
                            r.notification_interval,
                            r.memo.as_deref()
                        ],
                    )?;
                }
                Ok(())
            }),
        )
    }

    /// Every check's latest result on a host.
    pub fn checks(&self, host_id: &str) -> Result<Vec<CheckState>> {
        let what = "list checks";
        // The latest report of each check: the one with no later report
        // (the insertion order breaks a tie in time).
        let rows = ctx(
            what,
            self.db.query(
                "SELECT c.host_id, c.name, c.status, c.message, c.occurred_at, c.max_check_attempts \
                 FROM check_reports c WHERE c.host_id = ?1 AND c.rowid = (SELECT d.rowid \
                 FROM check_reports d WHERE d.host_id = c.host_id AND d.name = c.name \
                 ORDER BY d.occurred_at DESC, d.rowid DESC LIMIT 1) ORDER BY c.name",
                params![host_id],
            ),
        )?;
        rows.iter()
            .map(|r| {
                ctx(
                    what,
                    Ok(CheckState {
                        host_id: r.get(0)?,
                        name: r.get(1)?,
                        status: r.get(2)?,
                        message: r.get(3)?,
                        occurred_at: r.get(4)?,
                        max_check_attempts: r.get(5)?,
                    }),
                )
            })
            .collect()
    }

    /// Replaces graph definitions by name, all or none.
    pub fn put_graph_defs(
        &self,
        host_id: &str,
        defs: &[(String, serde_json::Value)],
    ) -> Result<()> {
        ctx(
            "store graph definitions",
            self.db.transaction(|tx| {
                for (name, def) in defs {
                    tx.execute(
                        "INSERT INTO graph_defs (host_id, name, def) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (host_id, name) DO UPDATE SET def = excluded.def",
                        params![host_id, name, def.to_string()],
                    )?;
                }
                Ok(())
            }),
        )
    }

    pub fn graph_defs(&self, host_id: &str) -> Result<Vec<serde_json::Value>> {
        let rows = ctx(
            "list graph definitions",
            self.db.query(
                "SELECT def FROM graph_defs WHERE host_id = ?1 ORDER BY name",
                params![host_id],
            ),
        )?;
        Ok(json_column(&rows, 0))
    }

    pub fn put_metadata(
        &self,
        host_id: &str,
        namespace: &str,
        v: &serde_json::Value,
    ) -> Result<()> {
        ctx(
            "store metadata",
            self.db.execute(
                "INSERT INTO metadata (host_id, namespace, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (host_id, namespace) DO UPDATE SET value = excluded.value",
                params![host_id, namespace, v.to_string()],
            ),
        )?;
        Ok(())
    }

    pub fn metadata(&self, host_id: &str, namespace: &str) -> Result<Option<serde_json::Value>> {
        let rows = ctx(
            "read metadata",
            self.db.query(
                "SELECT value FROM metadata WHERE host_id = ?1 AND namespace = ?2",
                params![host_id, namespace],
            ),
        )?;
        Ok(json_column(&rows, 0).into_iter().next())
    }
}

/// Column `i` of each row parsed as JSON; rows whose text does not parse
/// are left out (as they always were).
fn json_column(rows: &[Row], i: usize) -> Vec<serde_json::Value> {
    rows.iter()
        .filter_map(|r| r.get::<String>(i).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect()
}

/// (id, JSON definition) rows, leaving out any whose text does not parse.
fn id_and_json(rows: &[Row]) -> Vec<(i64, serde_json::Value)> {
    rows.iter()
        .filter_map(|r| {
            let id: i64 = r.get(0).ok()?;
            let text: String = r.get(1).ok()?;
            Some((id, serde_json::from_str(&text).ok()?))
        })
        .collect()
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

impl Silence {
    /// Whether this silence mutes the alerts of `monitor_id` on `segment`.
    pub fn covers(&self, monitor_id: i64, segment: &str) -> bool {
        self.monitor_id.is_none_or(|m| m == monitor_id)
            && self.segment.as_deref().is_none_or(|seg| seg == segment)
    }
}

impl State {
    pub fn put_monitor(&self, id: Option<i64>, def: &serde_json::Value) -> Result<i64> {
        match id {
            Some(id) => {
                ctx(
                    "update a monitor",
                    self.db.execute(
                        "UPDATE monitors SET def = ?2 WHERE id = ?1",
                        params![id, def.to_string()],
                    ),
                )?;
                Ok(id)
            }
            None => ctx(
                "add a monitor",
                self.db
                    .query_row(
                        "INSERT INTO monitors (def) VALUES (?1) RETURNING id",
                        params![def.to_string()],
                    )
                    .and_then(|r| r.get(0)),
            ),
        }
    }

    pub fn monitor_exists(&self, id: i64) -> Result<bool> {
        ctx(
            "find a monitor",
            self.db
                .query_row("SELECT count(*) FROM monitors WHERE id = ?1", params![id])
                .and_then(|r| r.get::<i64>(0))
                .map(|n| n > 0),
        )
    }

    /// Deletes a monitor and closes its open alerts.
    pub fn delete_monitor(&self, id: i64, now: i64) -> Result<bool> {
        ctx(
            "delete a monitor",
            self.db.transaction(|tx| {
                let n = tx.execute("DELETE FROM monitors WHERE id = ?1", params![id])?;
                // Its open alerts close, with the reason on their record and
                // their incidents' timelines, and the incidents resolve.
                tx.execute(
                    "INSERT INTO alert_events (alert_id, at, status, message) \
                     SELECT id, ?2, 'OK', 'the monitor was deleted' FROM alerts \
                     WHERE monitor_id = ?1 AND closed_at IS NULL",
                    params![id, now],
                )?;
                tx.execute(
                    "INSERT INTO incident_events (incident_id, at, kind, text) \
                     SELECT i.id, ?2, 'alert', 'OK: the monitor was deleted' FROM incidents i \
                     JOIN alerts a ON a.id = i.alert_id WHERE a.monitor_id = ?1 AND a.closed_at IS NULL",
                    params![id, now],
                )?;
                tx.execute(
                    "UPDATE incidents SET status = 'resolved', resolved_at = ?2 WHERE status = 'open' AND alert_id IN \
                     (SELECT id FROM alerts WHERE monitor_id = ?1 AND closed_at IS NULL)",
                    params![id, now],
                )?;
                tx.execute(
                    "UPDATE alerts SET closed_at = ?2, status = 'OK', message = 'the monitor was deleted' \
                     WHERE monitor_id = ?1 AND closed_at IS NULL",
                    params![id, now],
                )?;
                Ok(n > 0)
            }),
        )
    }

    /// Every monitor: (id, definition).
    pub fn monitors(&self) -> Result<Vec<(i64, serde_json::Value)>> {
        let rows = ctx(
            "list monitors",
            self.db
                .query("SELECT id, def FROM monitors ORDER BY id", &[]),
        )?;
        Ok(id_and_json(&rows))
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
        ctx(
            "open an alert",
            self.db.transaction(|tx| {
                let id: i64 = tx
                    .query_row(
                        "INSERT INTO alerts (monitor_id, segment, status, opened_at, updated_at, value, message) \
                         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6) RETURNING id",
                        params![monitor_id, segment, status, now, value, message],
                    )?
                    .get(0)?;
                tx.execute(
                    "INSERT INTO alert_events (alert_id, at, status, message) VALUES (?1, ?2, ?3, ?4)",
                    params![id, now, status, message],
                )?;
                Ok(id)
            }),
        )
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
        ctx(
            "update an alert",
            self.db.transaction(|tx| {
                let Some(row) = tx.query_opt(
                    "SELECT id FROM alerts WHERE monitor_id = ?1 AND segment = ?2 AND closed_at IS NULL",
                    params![monitor_id, segment],
                )?
                else {
                    return Ok(None);
                };
                let id: i64 = row.get(0)?;
                let closed = (status == "OK").then_some(now);
                tx.execute(
                    "UPDATE alerts SET status = ?2, updated_at = ?3, closed_at = ?4, value = ?5, message = ?6 WHERE id = ?1",
                    params![id, status, now, closed, value, message],
                )?;
                tx.execute(
                    "INSERT INTO alert_events (alert_id, at, status, message) VALUES (?1, ?2, ?3, ?4)",
                    params![id, now, status, message],
                )?;
                Ok(Some(id))
            }),
        )
    }

    /// Alerts, open ones only or all (newest first), with whether a silence
    /// mutes them at `now`.
    pub fn alerts(&self, open_only: bool, now: i64) -> Result<Vec<Alert>> {
        let what = "list alerts";
        let sql = if open_only {
            "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message \
             FROM alerts WHERE closed_at IS NULL ORDER BY id DESC"
        } else {
            "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message \
             FROM alerts ORDER BY id DESC LIMIT 1000"
        };
        let rows = ctx(what, self.db.query(sql, &[]))?;
        let mut list = rows
            .iter()
            .map(|r| ctx(what, row_alert(r)))
            .collect::<Result<Vec<Alert>>>()?;
        let silences = self.silences(now)?;
        for a in &mut list {
            a.silenced = silences.iter().any(|s| s.covers(a.monitor_id, &a.segment));
        }
        Ok(list)
    }

    /// The open alerts' (monitor, segment, status), to restore trackers.
    pub fn open_alerts(&self) -> Result<Vec<(i64, String, String)>> {
        let what = "list open alerts";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT monitor_id, segment, status FROM alerts WHERE closed_at IS NULL",
                &[],
            ),
        )?;
        rows.iter()
            .map(|r| ctx(what, Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
            .collect()
    }

    /// An alert's changes, oldest first: (at, status, message).
    pub fn alert_events(&self, alert_id: i64) -> Result<Vec<(i64, String, String)>> {
        let what = "list an alert's changes";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT at, status, message FROM alert_events WHERE alert_id = ?1 ORDER BY rowid",
                params![alert_id],
            ),
        )?;
        rows.iter()
            .map(|r| ctx(what, Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
            .collect()
    }

    pub fn add_silence(&self, s: &Silence) -> Result<i64> {
        ctx(
            "add a silence",
            self.db
                .query_row(
                    "INSERT INTO silences (monitor_id, segment, starts_at, ends_at, comment) \
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    params![
                        s.monitor_id,
                        s.segment.as_deref(),
                        s.starts_at,
                        s.ends_at,
                        &s.comment
                    ],
                )
                .and_then(|r| r.get(0)),
        )
    }

    /// Silences in force at `now`.
    pub fn silences(&self, now: i64) -> Result<Vec<Silence>> {
        let what = "list silences";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, monitor_id, segment, starts_at, ends_at, comment FROM silences \
                 WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY id",
                params![now],
            ),
        )?;
        rows.iter().map(|r| ctx(what, row_silence(r))).collect()
    }
}

/// One entry of an incident's timeline: (at, kind, text, data).
pub type TimelineEvent = (i64, String, String, Option<serde_json::Value>);

/// An incident with its timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Incident {
    pub id: i64,
    pub alert_id: i64,
    pub title: String,
    pub status: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub timeline: Vec<TimelineEvent>,
}

/// A notification waiting to be delivered (or retried).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub channel: serde_json::Value,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// What an alert change does to its incident (see [`State::record_alert_change`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentStep<'a> {
    /// The alert opened: its incident is made (or found, when this change is
    /// recorded again after a crash).
    Open { title: &'a str },
    /// The alert escalated or resolved: its incident (if it has one) gets the
    /// change; `resolve` closes it.
    Update { resolve: bool },
}

impl State {
    /// Records one alert change on its incident and queues its notifications,
    /// all in one transaction: a crash or a lost leadership part-way leaves
    /// neither an incident without its timeline nor a change nobody is told
    /// of. `payload` is given the incident's id and makes what every channel
    /// is sent; `muted` writes a timeline note instead of notifications. The
    /// incident's id, if any.
    pub fn record_alert_change(
        &self,
        alert_id: i64,
        step: IncidentStep<'_>,
        text: &str,
        muted: bool,
        payload: &dyn Fn(Option<i64>) -> serde_json::Value,
        now: i64,
    ) -> Result<Option<i64>> {
        ctx(
            "record an alert change",
            self.db.transaction(|tx| {
                let title = match step {
                    IncidentStep::Open { title } => Some(title),
                    IncidentStep::Update { .. } => None,
                };
                let incident = incident_of_alert(tx, alert_id, title, now)?;
                if let Some(id) = incident {
                    add_alert_event(tx, id, text, now)?;
                    if step == (IncidentStep::Update { resolve: true }) {
                        tx.execute(
                            "UPDATE incidents SET status = 'resolved', resolved_at = ?2 WHERE id = ?1",
                            params![id, now],
                        )?;
                    }
                    if muted {
                        tx.execute(
                            "INSERT INTO incident_events (incident_id, at, kind, text) \
                             VALUES (?1, ?2, 'notification', 'muted by a silence: not sent')",
                            params![id, now],
                        )?;
                    }
                }
                if !muted {
                    queue_for_every_channel(tx, incident, &payload(incident), now)?;
                }
                Ok(incident)
            }),
        )
    }
}

impl State {
    /// The incident of an alert, made when it opens; its id.
    pub fn open_incident(&self, alert_id: i64, title: &str, text: &str, now: i64) -> Result<i64> {
        ctx(
            "open an incident",
            self.db.transaction(|tx| {
                let id = incident_of_alert(tx, alert_id, Some(title), now)?
                    .ok_or_else(|| DbError::Other("the incident was not made".into()))?;
                add_alert_event(tx, id, text, now)?;
                Ok(id)
            }),
        )
    }

    /// The incident of an alert, if it has one.
    pub fn incident_of(&self, alert_id: i64) -> Result<Option<i64>> {
        let what = "find an incident";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT id FROM incidents WHERE alert_id = ?1",
                params![alert_id],
            ),
        )?;
        row.map(|r| ctx(what, r.get(0))).transpose()
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
        ctx(
            "add to an incident's timeline",
            self.db.transaction(|tx| {
                let n = tx.execute(
                    "INSERT INTO incident_events (incident_id, at, kind, text, data) \
                     SELECT id, ?2, ?3, ?4, ?5 FROM incidents WHERE id = ?1",
                    params![incident_id, now, kind, text, data.map(|d| d.to_string())],
                )?;
                if resolve {
                    tx.execute(
                        "UPDATE incidents SET status = 'resolved', resolved_at = ?2 WHERE id = ?1",
                        params![incident_id, now],
                    )?;
                }
                Ok(n > 0)
            }),
        )
    }

    /// The data of an incident's `attachment` events, oldest first (an
    /// attachment's index is its place here); `None` when there is no such
    /// incident.
    pub fn incident_attachments(&self, incident_id: i64) -> Result<Option<Vec<serde_json::Value>>> {
        let known = ctx(
            "find the incident",
            self.db.query_opt(
                "SELECT id FROM incidents WHERE id = ?1",
                params![incident_id],
            ),
        )?;
        if known.is_none() {
            return Ok(None);
        }
        let what = "read attachments";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT data FROM incident_events WHERE incident_id = ?1 AND kind = 'attachment' ORDER BY rowid",
                params![incident_id],
            ),
        )?;
        rows.iter()
            .map(|r| {
                let d: Option<String> = ctx(what, r.get(0))?;
                Ok(d.and_then(|d| serde_json::from_str(&d).ok())
                    .unwrap_or(serde_json::Value::Null))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// Incidents, newest first, with their timelines.
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        let what = "list incidents";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, alert_id, title, status, opened_at, resolved_at FROM incidents \
                 ORDER BY id DESC LIMIT 500",
                &[],
            ),
        )?;
        let mut list = rows
            .iter()
            .map(|r| ctx(what, row_incident(r)))
            .collect::<Result<Vec<Incident>>>()?;
        for i in &mut list {
            i.timeline = self.timeline(i.id)?;
        }
        Ok(list)
    }

    /// An incident's timeline, in the order written.
    fn timeline(&self, incident_id: i64) -> Result<Vec<TimelineEvent>> {
        let what = "read a timeline";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT at, kind, text, data FROM incident_events WHERE incident_id = ?1 ORDER BY rowid",
                params![incident_id],
            ),
        )?;
        rows.iter()
            .map(|r| {
                let data: Option<String> = ctx(what, r.get(3))?;
                ctx(
                    what,
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        data.and_then(|d| serde_json::from_str(&d).ok()),
                    )),
                )
            })
            .collect()
    }

    pub fn add_channel(&self, def: &serde_json::Value) -> Result<i64> {
        ctx(
            "add a channel",
            self.db
                .query_row(
                    "INSERT INTO channels (def) VALUES (?1) RETURNING id",
                    params![def.to_string()],
                )
                .and_then(|r| r.get(0)),
        )
    }

    pub fn channels(&self) -> Result<Vec<(i64, serde_json::Value)>> {
        let rows = ctx(
            "list channels",
            self.db
                .query("SELECT id, def FROM channels ORDER BY id", &[]),
        )?;
        Ok(id_and_json(&rows))
    }

    /// Queues a notification for every channel.
    pub fn queue_notifications(
        &self,
        incident_id: Option<i64>,
        payload: &serde_json::Value,
        now: i64,
    ) -> Result<usize> {
        ctx(
            "queue notifications",
            self.db
                .transaction(|tx| queue_for_every_channel(tx, incident_id, payload, now)),
        )
    }

    /// Notifications due at `now`.
    pub fn due_notifications(&self, now: i64) -> Result<Vec<Pending>> {
        let rows = ctx(
            "list due notifications",
            self.db.query(
                "SELECT n.id, c.def, n.payload, n.attempts FROM notifications n JOIN channels c ON c.id = n.channel_id \
                 WHERE n.delivered_at IS NULL AND n.failed_at IS NULL AND n.next_at <= ?1 ORDER BY n.id LIMIT 100",
                params![now],
            ),
        )?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let channel: String = r.get(1).ok()?;
                let payload: String = r.get(2).ok()?;
                Some(Pending {
                    id: r.get(0).ok()?,
                    channel: serde_json::from_str(&channel).ok()?,
                    payload: serde_json::from_str(&payload).ok()?,
                    attempts: r.get(3).ok()?,
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
        let done = match (error, next_at) {
            (None, _) => self.db.execute(
                "UPDATE notifications SET attempts = attempts + 1, delivered_at = ?2, last_error = NULL WHERE id = ?1",
                params![id, now],
            ),
            (Some(e), Some(next)) => self.db.execute(
                "UPDATE notifications SET attempts = attempts + 1, next_at = ?3, last_error = ?2 WHERE id = ?1",
                params![id, e, next],
            ),
            (Some(e), None) => self.db.execute(
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
        let what = "read the delivery log";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, channel_id, attempts, delivered_at, failed_at, last_error FROM notifications \
                 ORDER BY id DESC LIMIT 1000",
                &[],
            ),
        )?;
        rows.iter()
            .map(|r| {
                ctx(
                    what,
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    )),
                )
            })
            .collect()
    }
}

fn row_host(r: &Row) -> std::result::Result<Host, DbError> {
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
        let what = "add a dashboard";
        let row = ctx(
            what,
            self.db.query_row(
                "INSERT INTO dashboards (name, def, updated_at) VALUES (?1, ?2, ?3) RETURNING id",
                params![name, def.to_string(), now],
            ),
        )?;
        ctx(what, row.get(0))
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
            self.db.execute(
                "UPDATE dashboards SET name = ?1, def = ?2, updated_at = ?3 WHERE id = ?4",
                params![name, def.to_string(), now, id],
            ),
        )?;
        Ok(n > 0)
    }

    /// Deletes a custom dashboard; false when the id is unknown.
    pub fn delete_dashboard(&self, id: i64) -> Result<bool> {
        let n = ctx(
            "delete a dashboard",
            self.db
                .execute("DELETE FROM dashboards WHERE id = ?1", params![id]),
        )?;
        Ok(n > 0)
    }

    /// Every custom dashboard, by name.
    pub fn dashboards(&self) -> Result<Vec<Dashboard>> {
        let what = "list dashboards";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, name, def, updated_at FROM dashboards ORDER BY name, id",
                &[],
            ),
        )?;
        rows.iter().map(|r| ctx(what, row_dashboard(r))).collect()
    }

    pub fn dashboard(&self, id: i64) -> Result<Option<Dashboard>> {
        let what = "read a dashboard";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT id, name, def, updated_at FROM dashboards WHERE id = ?1",
                params![id],
            ),
        )?;
        row.map(|r| ctx(what, row_dashboard(&r))).transpose()
    }

    /// Ends now the silences of one monitor that are in force (unmuting
    /// it); maintenance windows set ahead are left. How many ended.
    pub fn end_silences(&self, monitor_id: i64, now: i64) -> Result<usize> {
        let n = ctx(
            "end a monitor's silences",
            self.db.execute(
                "UPDATE silences SET ends_at = ?1 WHERE monitor_id = ?2 AND starts_at <= ?3 AND ends_at > ?4",
                params![now, monitor_id, now, now],
            ),
        )?;
        Ok(n as usize)
    }

    /// A monitor's silences that start after `now` (maintenance windows
    /// set ahead), soonest first.
    pub fn scheduled_silences(&self, monitor_id: i64, now: i64) -> Result<Vec<Silence>> {
        let what = "list scheduled silences";
        let rows = ctx(
            what,
            self.db.query(
                "SELECT id, monitor_id, segment, starts_at, ends_at, comment FROM silences \
                 WHERE monitor_id = ?1 AND starts_at > ?2 ORDER BY starts_at, id",
                params![monitor_id, now],
            ),
        )?;
        rows.iter().map(|r| ctx(what, row_silence(r))).collect()
    }

    /// Deletes one of a monitor's silences; false when it has none of that id.
    pub fn delete_silence(&self, monitor_id: i64, id: i64) -> Result<bool> {
        let n = ctx(
            "delete a silence",
            self.db.execute(
                "DELETE FROM silences WHERE id = ?1 AND monitor_id = ?2",
                params![id, monitor_id],
            ),
        )?;
        Ok(n > 0)
    }

    /// One alert (its silenced flag left false: the caller knows the time).
    pub fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let what = "read an alert";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT id, monitor_id, segment, status, opened_at, updated_at, closed_at, value, message \
                 FROM alerts WHERE id = ?1",
                params![id],
            ),
        )?;
        row.map(|r| ctx(what, row_alert(&r))).transpose()
    }

    /// One incident with its timeline, in the order written.
    pub fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let what = "read an incident";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT id, alert_id, title, status, opened_at, resolved_at FROM incidents WHERE id = ?1",
                params![id],
            ),
        )?;
        let Some(r) = row else {
            return Ok(None);
        };
        let mut incident = ctx(what, row_incident(&r))?;
        incident.timeline = self.timeline(id)?;
        Ok(Some(incident))
    }
}

/// The incident of an alert; made (titled `open`) when it has none and
/// `open` is given.
fn incident_of_alert(
    tx: &mut crate::sql::Tx<'_>,
    alert_id: i64,
    open: Option<&str>,
    now: i64,
) -> std::result::Result<Option<i64>, DbError> {
    let known = tx.query_opt(
        "SELECT id FROM incidents WHERE alert_id = ?1",
        params![alert_id],
    )?;
    match (known, open) {
        (Some(r), _) => Ok(Some(r.get(0)?)),
        (None, Some(title)) => Ok(Some(
            tx.query_row(
                "INSERT INTO incidents (alert_id, title, status, opened_at) \
                 VALUES (?1, ?2, 'open', ?3) RETURNING id",
                params![alert_id, title, now],
            )?
            .get(0)?,
        )),
        (None, None) => Ok(None),
    }
}

/// An alert change on an incident's timeline.
fn add_alert_event(
    tx: &mut crate::sql::Tx<'_>,
    incident_id: i64,
    text: &str,
    now: i64,
) -> std::result::Result<(), DbError> {
    tx.execute(
        "INSERT INTO incident_events (incident_id, at, kind, text) VALUES (?1, ?2, 'alert', ?3)",
        params![incident_id, now, text],
    )?;
    Ok(())
}

/// One notification of `payload` per channel, due now; how many.
fn queue_for_every_channel(
    tx: &mut crate::sql::Tx<'_>,
    incident_id: Option<i64>,
    payload: &serde_json::Value,
    now: i64,
) -> std::result::Result<usize, DbError> {
    let body = payload.to_string();
    let channels = tx.query("SELECT id FROM channels ORDER BY id", &[])?;
    for r in &channels {
        let channel: i64 = r.get(0)?;
        tx.execute(
            "INSERT INTO notifications (channel_id, incident_id, payload, created_at, next_at) \
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![channel, incident_id, body.as_str(), now],
        )?;
    }
    Ok(channels.len())
}

/// `id, monitor_id, segment, status, opened_at, updated_at, closed_at,
/// value, message` (its silenced flag left false: the caller knows the time).
fn row_alert(r: &crate::sql::Row) -> std::result::Result<Alert, DbError> {
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
}

/// `id, monitor_id, segment, starts_at, ends_at, comment`.
fn row_silence(r: &crate::sql::Row) -> std::result::Result<Silence, DbError> {
    Ok(Silence {
        id: r.get(0)?,
        monitor_id: r.get(1)?,
        segment: r.get(2)?,
        starts_at: r.get(3)?,
        ends_at: r.get(4)?,
        comment: r.get(5)?,
    })
}

/// `id, alert_id, title, status, opened_at, resolved_at` (the timeline
/// read apart).
fn row_incident(r: &crate::sql::Row) -> std::result::Result<Incident, DbError> {
    Ok(Incident {
        id: r.get(0)?,
        alert_id: r.get(1)?,
        title: r.get(2)?,
        status: r.get(3)?,
        opened_at: r.get(4)?,
        resolved_at: r.get(5)?,
        timeline: Vec::new(),
    })
}

fn row_dashboard(r: &crate::sql::Row) -> std::result::Result<Dashboard, DbError> {
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
