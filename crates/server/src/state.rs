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
        for (i, step) in SCHEMA.iter().enumerate().skip(version as usize) {
            ctx(
                &format!("migrate to schema {}", i + 1),
                conn.execute_batch(step),
            )?;
            ctx(
                "record the schema version",
                conn.pragma_update(None, "user_version", i as i64 + 1),
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
