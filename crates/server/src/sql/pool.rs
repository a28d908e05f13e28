//! The PostgreSQL side of [`Db`](super::Db): a few connections lent one
//! caller at a time, and the leader lock on a connection of its own.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use sonde_pgwire::{Config, Connection, WireError, proto};

use super::{DbError, lock};

/// How many PostgreSQL connections a server instance holds at most: the
/// HTTP threads' state calls are short, and a fleet of instances must stay
/// well inside the database's `max_connections` (100 by default).
const POOL_SIZE: usize = 4;

/// How long a caller waits for a pooled connection before a 503.
const POOL_WAIT: Duration = Duration::from_secs(10);

/// The advisory lock key the leader holds ("sonde", then 2).
const LEADER_LOCK: i64 = 0x736f_6e64_6502;

pub(super) struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

pub(super) struct Pool {
    pub(super) cfg: Config,
    /// The URL as shown in messages (no password).
    pub(super) url: String,
    state: Mutex<PoolState>,
    freed: Condvar,
    /// The leader lock's own connection (see [`Pool::lead`]) and whether it
    /// holds the lock.
    leader: Mutex<Option<(Connection, bool)>>,
}

/// A connection lent by the pool, given back (or dropped when broken) at
/// the end of its use.
pub(super) struct Lent<'a> {
    pool: &'a Pool,
    pub(super) conn: Option<Connection>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let mut st = lock(&self.pool.state);
        match self.conn.take() {
            // A connection left inside a transaction (a panic between
            // BEGIN and its end) is not lent again.
            Some(c) if !c.is_broken() && !c.in_transaction() => st.idle.push(c),
            _ => st.open = st.open.saturating_sub(1),
        }
        self.pool.freed.notify_one();
    }
}

impl Pool {
    /// A connection: an idle one that is still alive, else a new one
    /// while fewer than [`POOL_SIZE`] are open, else the next one given
    /// back (waiting at most [`POOL_WAIT`]).
    pub(super) fn get(&self) -> Result<Lent<'_>, DbError> {
        let mut st = lock(&self.state);
        let deadline = std::time::Instant::now() + POOL_WAIT;
        loop {
            while let Some(mut c) = st.idle.pop() {
                if c.is_alive() {
                    return Ok(Lent {
                        pool: self,
                        conn: Some(c),
                    });
                }
                st.open = st.open.saturating_sub(1);
            }
            if st.open < POOL_SIZE {
                st.open += 1;
                drop(st);
                return match Connection::connect(&self.cfg) {
                    Ok(c) => Ok(Lent {
                        pool: self,
                        conn: Some(c),
                    }),
                    Err(source) => {
                        lock(&self.state).open -= 1;
                        self.freed.notify_one();
                        Err(self.unavailable(source))
                    }
                };
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(DbError::Busy {
                    url: self.url.clone(),
                    max: POOL_SIZE,
                    secs: POOL_WAIT.as_secs(),
                });
            }
            st = self
                .freed
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// A connect failure: unavailable, unless the server refused us (a
    /// wrong password or database is a configuration error, said as is).
    fn unavailable(&self, source: WireError) -> DbError {
        match &source {
            WireError::Server { severity, code, .. }
                if severity == "FATAL" && (code.starts_with("28") || code == "3D000") =>
            {
                DbError::Postgres {
                    url: self.url.clone(),
                    source: Box::new(source),
                }
            }
            _ => DbError::Unavailable {
                url: self.url.clone(),
                source: Box::new(source),
            },
        }
    }

    pub(super) fn new(cfg: Config) -> Pool {
        Pool {
            url: cfg.display(),
            cfg,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
            leader: Mutex::new(None),
        }
    }

    /// See [`Db::lead`](super::Db::lead): the session-level advisory lock,
    /// held on a connection kept for it.
    pub(super) fn lead(&self) -> bool {
        let mut held = lock(&self.leader);
        if let Some((c, true)) = held.as_mut() {
            if c.is_alive() && c.simple_query("SELECT 1").is_ok() {
                return true;
            }
            *held = None;
        }
        if held.is_none() {
            match Connection::connect(&self.cfg) {
                Ok(c) => *held = Some((c, false)),
                Err(_) => return false,
            }
        }
        let Some((c, leading)) = held.as_mut() else {
            return false;
        };
        let key = LEADER_LOCK.to_string();
        match c.query(
            "SELECT pg_try_advisory_lock($1)",
            &[(proto::INT8, Some(&key))],
        ) {
            Ok(r) => {
                *leading =
                    r.rows.first().and_then(|r| r.first()).cloned().flatten() == Some("t".into());
                *leading
            }
            Err(_) => {
                *held = None;
                false
            }
        }
    }

    /// The backend holding our leader lock, if we hold it.
    pub(super) fn leader_backend_pid(&self) -> Option<i32> {
        match lock(&self.leader).as_ref() {
            Some((c, true)) => Some(c.backend_pid()),
            _ => None,
        }
    }
}
