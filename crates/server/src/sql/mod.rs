//! One SQL layer over two backends: SQLite (one file in the data
//! directory, the default) or PostgreSQL (fleet mode: several server
//! instances share it), so the state and the dashboard's users are written
//! once.
//!
//! The callers write one portable dialect: `?` or `?N` placeholders
//! (rewritten to `$n` for PostgreSQL), `INSERT ... ON CONFLICT ... DO
//! UPDATE/NOTHING`, `INSERT ... RETURNING id`, no SQLite-only functions.
//! Where the schema's types differ, [`ddl`] turns one schema text into
//! each backend's: `INTEGER PRIMARY KEY` (SQLite's rowid alias) becomes an
//! identity column, `INTEGER` `BIGINT`, `REAL` `DOUBLE PRECISION`, and
//! `{rowid}` an explicit insertion-order column where SQLite has a hidden
//! one.
//!
//! PostgreSQL runs through a small pool (a few connections behind a
//! `Mutex` and `Condvar`). A connection that broke is dropped and a new one
//! made at the next use, so a database that went away and came back costs
//! the requests in between an [`DbError::Unavailable`] (503 to clients),
//! then nothing.

mod pool;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pool::Pool;
use sonde_pgwire::{Config, Connection, WireError, proto};

/// A value bound to a placeholder or read from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (ids, timestamps, counts): SQLite INTEGER, PostgreSQL
    /// `int8`.
    Int(i64),
    /// A number: SQLite REAL, PostgreSQL `float8`.
    Real(f64),
    /// Text (JSON documents are kept as text too).
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Parameters for a statement: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => {
        &[$($crate::sql::Value::from($v)),*][..]
    };
}

/// A Rust type a column's value converts to.
pub trait FromValue: Sized {
    /// The value as this type, or none when it is another kind.
    fn from_value(v: &Value) -> Option<Self>;
    /// The type's name, for the error when it is not.
    const NAME: &'static str;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<i64> {
        match v {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
    const NAME: &'static str = "an integer";
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<f64> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
    const NAME: &'static str = "a number";
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<bool> {
        match v {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
    const NAME: &'static str = "a boolean";
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
    const NAME: &'static str = "text";
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
    const NAME: &'static str = T::NAME;
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T`; an error (not a panic) when it is missing or of
    /// another kind.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        let v = self.0.get(i).ok_or(DbError::Column {
            index: i,
            want: T::NAME,
            found: "no such column".into(),
        })?;
        T::from_value(v).ok_or_else(|| DbError::Column {
            index: i,
            want: T::NAME,
            found: format!("{v:?}"),
        })
    }
}

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused or failed.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL server refused (SQLSTATE and its message) or the
    /// conversation failed.
    #[error("PostgreSQL {url}: {source}")]
    Postgres {
        url: String,
        #[source]
        source: Box<WireError>,
    },
    /// The PostgreSQL server cannot be reached or the connection to it
    /// broke: worth retrying later, a 503 to a client.
    #[error("PostgreSQL {url} is unavailable: {source}")]
    Unavailable {
        url: String,
        #[source]
        source: Box<WireError>,
    },
    /// Every pooled connection stayed busy.
    #[error("PostgreSQL {url}: all {max} connections busy for {secs} s")]
    Busy { url: String, max: usize, secs: u64 },
    /// A column of another type than the code reads.
    #[error("column {index}: expected {want}, found {found}")]
    Column {
        index: usize,
        want: &'static str,
        found: String,
    },
    /// Anything else, said in words.
    #[error("{0}")]
    Other(String),
}

impl DbError {
    /// Whether the database is away (or overloaded) rather than the
    /// statement wrong: the server answers 503 and keeps serving.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, DbError::Unavailable { .. } | DbError::Busy { .. })
    }

    /// The SQLSTATE (PostgreSQL) when the server refused.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            DbError::Postgres { source, .. } => source.sqlstate(),
            _ => None,
        }
    }
}

/// Which backend a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, one process: the default.
    Sqlite,
    /// Shared by the instances of a fleet.
    Postgres,
}

/// A schema text for `backend` (see the module's comment).
pub fn ddl(backend: Backend, text: &str) -> String {
    match backend {
        Backend::Sqlite => text.replace("{rowid}", ""),
        Backend::Postgres => text
            .replace(
                "INTEGER PRIMARY KEY",
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            )
            .replace("INTEGER", "BIGINT")
            .replace("REAL", "DOUBLE PRECISION")
            .replace("{rowid}", "rowid BIGINT GENERATED ALWAYS AS IDENTITY,"),
    }
}

/// A connection in use: SQLite's (inside a transaction or not) or one of
/// the pool's.
enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a mut Connection, &'a str),
}

impl Conn<'_> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<(Vec<Row>, u64), DbError> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let cols = st.column_count();
                let params = rusqlite::params_from_iter(params.iter());
                if cols == 0 {
                    let n = st.execute(params)?;
                    return Ok((Vec::new(), n as u64));
                }
                let mut rows = st.query(params)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut vals = Vec::with_capacity(cols);
                    for i in 0..cols {
                        vals.push(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                            rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                            rusqlite::types::ValueRef::Text(t) => {
                                Value::Text(String::from_utf8_lossy(t).into_owned())
                            }
                            rusqlite::types::ValueRef::Blob(b) => {
                                Value::Text(String::from_utf8_lossy(b).into_owned())
                            }
                        });
                    }
                    out.push(Row(vals));
                }
                // A write with RETURNING changed as many rows as it returned.
                let n = out.len() as u64;
                drop(rows);
                let changed = if st.readonly() { n } else { c.changes() };
                Ok((out, changed))
            }
            Conn::Pg(c, url) => {
                let sql = sonde_pgwire::placeholders::to_dollar(sql);
                let texts: Vec<(u32, Option<String>)> = params.iter().map(pg_param).collect();
                let refs: Vec<(u32, Option<&str>)> =
                    texts.iter().map(|(o, v)| (*o, v.as_deref())).collect();
                let rows = c.query(&sql, &refs).map_err(|e| pg_error(url, e))?;
                let out = rows
                    .rows
                    .iter()
                    .map(|r| {
                        Row(r
                            .iter()
                            .zip(&rows.types)
                            .map(|(v, t)| pg_value(v.as_deref(), *t))
                            .collect())
                    })
                    .collect();
                Ok((out, rows.affected.unwrap_or(0)))
            }
        }
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c, url) => c.simple_query(sql).map(drop).map_err(|e| pg_error(url, e)),
        }
    }
}

fn pg_error(url: &str, source: WireError) -> DbError {
    let url = url.into();
    if source.is_broken() {
        DbError::Unavailable {
            url,
            source: Box::new(source),
        }
    } else {
        DbError::Postgres {
            url,
            source: Box::new(source),
        }
    }
}

/// A value as a typed text parameter. Typed, not left for the server to
/// infer: `INSERT ... SELECT ?, ?` gives it no column to infer from.
fn pg_param(v: &Value) -> (u32, Option<String>) {
    match v {
        Value::Null => (0, None),
        Value::Int(n) => (proto::INT8, Some(n.to_string())),
        Value::Real(f) if f.is_nan() => (proto::FLOAT8, Some("NaN".into())),
        Value::Real(f) if f.is_infinite() => (
            proto::FLOAT8,
            Some(if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()),
        ),
        Value::Real(f) => (proto::FLOAT8, Some(format!("{f:?}"))),
        Value::Text(s) => (proto::TEXT, Some(s.clone())),
    }
}

/// A text column value by its type OID.
fn pg_value(v: Option<&str>, oid: u32) -> Value {
    let Some(v) = v else {
        return Value::Null;
    };
    match oid {
        // int8, int2, int4, oid, xid
        20 | 21 | 23 | 26 | 28 => v.parse().map_or_else(|_| Value::Text(v.into()), Value::Int),
        // float4, float8, numeric
        700 | 701 | 1700 => match v {
            "NaN" => Value::Real(f64::NAN),
            "Infinity" => Value::Real(f64::INFINITY),
            "-Infinity" => Value::Real(f64::NEG_INFINITY),
            _ => v
                .parse()
                .map_or_else(|_| Value::Text(v.into()), Value::Real),
        },
        16 => Value::Int(i64::from(v == "t")),
        _ => Value::Text(v.into()),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// Statements inside one transaction.
pub struct Tx<'a> {
    conn: Conn<'a>,
}

impl Tx<'_> {
    /// Runs a statement; the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.conn.query(sql, params).map(|(_, n)| n)
    }

    /// Every row of a query.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.conn.query(sql, params).map(|(r, _)| r)
    }

    /// The first row, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; an error when there is none.
    pub fn query_row(&mut self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Other(format!("no row from {}", first_words(sql))))
    }
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")
}

/// The advisory lock key around schema migration ("sonde" in ASCII, then
/// 1): two instances starting at once migrate one after the other.
const MIGRATE_LOCK: i64 = 0x736f_6e64_6501;

enum Inner {
    Sqlite(Mutex<rusqlite::Connection>),
    Postgres(Pool),
}

/// The database: SQLite or a PostgreSQL pool.
pub struct Db {
    inner: Inner,
}

/// A mutex's guard, even if a panic poisoned it (what it guards stays
/// usable: a connection, or a list of them).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Db {
    /// Opens (creating) a SQLite database: WAL, full sync (an acknowledged
    /// write survives a crash), foreign keys on.
    pub fn open_sqlite(path: &std::path::Path) -> Result<Db, DbError> {
        let conn = rusqlite::Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Another process (a backup, the sqlite3 shell) may hold the file a
        // moment: wait for it rather than fail.
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(Db {
            inner: Inner::Sqlite(Mutex::new(conn)),
        })
    }

    /// Connects to PostgreSQL at `url` (`postgres://...`), trying one
    /// connection now so that a wrong address or password is said at start.
    pub fn connect_postgres(url: &str) -> Result<Db, DbError> {
        let cfg = Config::parse(url).map_err(|e| DbError::Other(e.to_string()))?;
        let pool = Pool::new(cfg);
        drop(pool.get()?);
        Ok(Db {
            inner: Inner::Postgres(pool),
        })
    }

    /// `postgres://` or `postgresql://` URLs go to PostgreSQL; anything
    /// else is a SQLite file's path (`sqlite://` before it allowed).
    pub fn open(url_or_path: &str) -> Result<Db, DbError> {
        if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
            Db::connect_postgres(url_or_path)
        } else {
            let path = url_or_path.strip_prefix("sqlite://").unwrap_or(url_or_path);
            Db::open_sqlite(std::path::Path::new(path))
        }
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Where the database is, for messages (no password).
    pub fn describe(&self) -> String {
        match &self.inner {
            Inner::Sqlite(c) => lock(c).path().unwrap_or("SQLite in memory").to_string(),
            Inner::Postgres(p) => p.url.clone(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let guard = lock(c);
                f(&mut Conn::Sqlite(&guard))
            }
            Inner::Postgres(p) => {
                let mut lent = p.get()?;
                let Some(c) = lent.conn.as_mut() else {
                    return Err(DbError::Other("the pool lent no connection".into()));
                };
                f(&mut Conn::Pg(c, &p.url))
            }
        }
    }

    /// Runs a statement; the rows it changed.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.with(|c| c.query(sql, params).map(|(_, n)| n))
    }

    /// Every row of a query.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.with(|c| c.query(sql, params).map(|(r, _)| r))
    }

    /// The first row, if any.
    pub fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; an error when there is none.
    pub fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Other(format!("no row from {}", first_words(sql))))
    }

    /// Runs `f` in a transaction: committed when it returns `Ok`, rolled
    /// back when it returns an error (or panics).
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let mut guard = lock(c);
                let tx = guard.transaction()?;
                let out = f(&mut Tx {
                    conn: Conn::Sqlite(&tx),
                })?;
                tx.commit()?;
                Ok(out)
            }
            Inner::Postgres(p) => {
                let mut lent = p.get()?;
                let Some(c) = lent.conn.as_mut() else {
                    return Err(DbError::Other("the pool lent no connection".into()));
                };
                c.begin().map_err(|e| pg_error(&p.url, e))?;
                let out = f(&mut Tx {
                    conn: Conn::Pg(c, &p.url),
                });
                match out {
                    Ok(v) => {
                        c.commit().map_err(|e| pg_error(&p.url, e))?;
                        Ok(v)
                    }
                    Err(e) => {
                        if !c.is_broken() {
                            let _ = c.rollback();
                        }
                        Err(e)
                    }
                }
            }
        }
    }

    /// Brings a schema up to date: `steps[i]` (a [`ddl`] text) makes
    /// version `i + 1`, each applied with its version number in one
    /// transaction, so a crash cannot leave tables without the version
    /// saying so. SQLite keeps the version in `PRAGMA user_version` (as it
    /// always has); PostgreSQL in a `sonde_schema` row, under an advisory
    /// lock so that instances starting together migrate one at a time.
    pub fn migrate(&self, steps: &[&str]) -> Result<(), DbError> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let conn = lock(c);
                let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
                for (i, step) in steps.iter().enumerate().skip(version.max(0) as usize) {
                    conn.execute_batch(&format!(
                        "BEGIN; {}; PRAGMA user_version = {}; COMMIT;",
                        ddl(Backend::Sqlite, step),
                        i + 1
                    ))
                    .map_err(|e| DbError::Other(format!("migrate to schema {}: {e}", i + 1)))?;
                }
                Ok(())
            }
            Inner::Postgres(_) => {
                for (i, step) in steps.iter().enumerate() {
                    self.transaction(|tx| {
                        tx.query("SELECT pg_advisory_xact_lock(?)", params![MIGRATE_LOCK])?;
                        tx.conn.batch(
                            "CREATE TABLE IF NOT EXISTS sonde_schema (version BIGINT NOT NULL)",
                        )?;
                        let version: Option<i64> = tx
                            .query_row("SELECT max(version) FROM sonde_schema", &[])?
                            .get(0)?;
                        if version.unwrap_or(0) > i as i64 {
                            return Ok(());
                        }
                        tx.conn.batch(&ddl(Backend::Postgres, step)).map_err(|e| {
                            DbError::Other(format!("migrate to schema {}: {e}", i + 1))
                        })?;
                        tx.execute("DELETE FROM sonde_schema", &[])?;
                        tx.execute(
                            "INSERT INTO sonde_schema (version) VALUES (?)",
                            params![i as i64 + 1],
                        )?;
                        Ok(())
                    })?;
                }
                Ok(())
            }
        }
    }

    /// Runs idempotent DDL (`CREATE TABLE IF NOT EXISTS ...`) of a part
    /// that keeps its own tables; on PostgreSQL under the migration lock,
    /// as two instances creating one table at once would collide.
    pub fn ensure(&self, text: &str) -> Result<(), DbError> {
        match &self.inner {
            Inner::Sqlite(_) => self.with(|c| c.batch(&ddl(Backend::Sqlite, text))),
            Inner::Postgres(_) => self.transaction(|tx| {
                tx.query("SELECT pg_advisory_xact_lock(?)", params![MIGRATE_LOCK])?;
                tx.conn.batch(&ddl(Backend::Postgres, text))
            }),
        }
    }

    /// Whether this instance leads: runs the monitor evaluator and the
    /// notifier, which must run in one instance at a time. SQLite: always
    /// (one process owns the file). PostgreSQL: the holder of a
    /// session-level advisory lock on a connection kept for it alone;
    /// asked each period, it checks that connection is alive, so a leader
    /// whose connection died stops leading at once, and its lock (ended
    /// with its session) goes to the next instance that asks.
    pub fn lead(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) => true,
            Inner::Postgres(p) => p.lead(),
        }
    }

    /// The PostgreSQL backend process holding the leader lock for this
    /// instance, if it leads (tests end it to hand leadership over).
    pub fn leader_backend_pid(&self) -> Option<i32> {
        match &self.inner {
            Inner::Sqlite(_) => None,
            Inner::Postgres(p) => p.leader_backend_pid(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_schema_text_serves_both_backends() {
        let t = "CREATE TABLE a (id INTEGER PRIMARY KEY, {rowid} n INTEGER NOT NULL, v REAL)";
        assert_eq!(
            ddl(Backend::Sqlite, t),
            "CREATE TABLE a (id INTEGER PRIMARY KEY,  n INTEGER NOT NULL, v REAL)"
        );
        assert_eq!(
            ddl(Backend::Postgres, t),
            "CREATE TABLE a (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
             rowid BIGINT GENERATED ALWAYS AS IDENTITY, n BIGINT NOT NULL, v DOUBLE PRECISION)"
        );
    }

    #[test]
    fn values_travel_as_typed_text() {
        assert_eq!(pg_param(&Value::Int(-7)), (20, Some("-7".into())));
        assert_eq!(pg_param(&Value::Real(0.1)), (701, Some("0.1".into())));
        assert_eq!(pg_param(&Value::Real(1e300)), (701, Some("1e300".into())));
        assert_eq!(
            pg_param(&Value::Real(f64::NEG_INFINITY)),
            (701, Some("-Infinity".into()))
        );
        assert_eq!(pg_param(&Value::Null), (0, None));
        assert_eq!(pg_value(Some("42"), 20), Value::Int(42));
        assert_eq!(pg_value(Some("2.5"), 701), Value::Real(2.5));
        assert_eq!(pg_value(Some("t"), 16), Value::Int(1));
        assert_eq!(pg_value(Some("x"), 25), Value::Text("x".into()));
        assert_eq!(pg_value(None, 20), Value::Null);
        let r = Row(vec![Value::Int(1), Value::Null, Value::Text("a".into())]);
        assert_eq!(r.get::<i64>(0).expect("int"), 1);
        assert_eq!(r.get::<Option<i64>>(1).expect("null"), None);
        assert!(r.get::<i64>(2).is_err(), "text is not an integer");
        assert!(r.get::<i64>(9).is_err(), "no such column");
    }

    #[test]
    fn sqlite_runs_the_portable_dialect() {
        let dir = std::env::temp_dir().join(format!("sonde-sql-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let db = Db::open_sqlite(&dir.join("t.db")).expect("open");
        db.migrate(&["CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v REAL)"])
            .expect("migrate");
        let id: i64 = db
            .query_row(
                "INSERT INTO t (k, v) VALUES (?, ?) RETURNING id",
                params!["a", 1.5],
            )
            .and_then(|r| r.get(0))
            .expect("insert");
        assert_eq!(id, 1);
        let n = db
            .execute(
                "INSERT INTO t (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                params!["a", 2.5],
            )
            .expect("upsert");
        assert_eq!(n, 1);
        let r = db.transaction(|tx| {
            tx.execute("INSERT INTO t (k) VALUES (?)", params!["b"])?;
            Err::<(), _>(DbError::Other("changed my mind".into()))
        });
        assert!(r.is_err());
        let rows = db
            .query("SELECT k, v FROM t ORDER BY k", &[])
            .expect("rows");
        assert_eq!(rows.len(), 1, "the rolled-back insert is gone");
        assert_eq!(rows[0].get::<f64>(1).expect("v"), 2.5);
        // Again: the version says the step is done.
        db.migrate(&["CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v REAL)"])
            .expect("migrate again");
        assert!(db.lead(), "SQLite always leads");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
