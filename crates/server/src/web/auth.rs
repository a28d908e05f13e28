//! Who may see the dashboard: users with Argon2id password hashes, sessions
//! with expiry and a CSRF token each, and a limit on failed logins.
//!
//! The tables live in the server's database beside the state (SQLite, or
//! PostgreSQL in fleet mode, where every instance sees the same users and
//! sessions), made here with `CREATE TABLE IF NOT EXISTS` (the state's
//! schema is not ours to version). Like API keys, session ids are kept as
//! SHA-256 hashes: a copy of the database opens no session.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::params;
use crate::sql::Db;

/// How long a session lasts from login.
pub const SESSION_SECS: i64 = 12 * 3600;

/// Argon2id's cost (OWASP's minimum for Argon2id: 19 MiB, 2 passes, one
/// lane); kept in each stored hash, so raising it later leaves old hashes
/// verifiable.
const M_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// A failure of the user and session store.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct AuthError {
    pub what: String,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl AuthError {
    /// The HTTP status for a request that failed on this: 503 while the
    /// database is away (the server keeps serving), else 500.
    pub fn status(&self) -> u16 {
        let away = self
            .source
            .downcast_ref::<crate::sql::DbError>()
            .is_some_and(|d| d.is_unavailable());
        if away { 503 } else { 500 }
    }
}

fn ctx<T, E: std::error::Error + Send + Sync + 'static>(
    what: &str,
    r: std::result::Result<T, E>,
) -> Result<T, AuthError> {
    r.map_err(|e| AuthError {
        what: what.into(),
        source: Box::new(e),
    })
}

/// Random bytes from the kernel.
pub fn random_bytes(n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Equal, in time that depends only on the lengths (not on where the
/// first difference is).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn argon2(m: u32, t: u32, p: u32) -> Result<argon2::Argon2<'static>, String> {
    let params = argon2::Params::new(m, t, p, Some(32)).map_err(|e| e.to_string())?;
    Ok(argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

/// `argon2id$m=M,t=T,p=P$SALT$HASH` (hex), with a fresh 16-byte salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = random_bytes(16).map_err(|e| format!("/dev/urandom: {e}"))?;
    let mut out = [0u8; 32];
    argon2(M_KIB, T_COST, P_COST)?
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "argon2id$m={M_KIB},t={T_COST},p={P_COST}${}${}",
        hex(&salt),
        hex(&out)
    ))
}

/// Whether `password` is the one `stored` was made from. A malformed
/// stored hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("argon2id"), Some(cost), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let mut m = 0;
    let mut t = 0;
    let mut p = 0;
    for kv in cost.split(',') {
        match kv.split_once('=') {
            Some(("m", v)) => m = v.parse().unwrap_or(0),
            Some(("t", v)) => t = v.parse().unwrap_or(0),
            Some(("p", v)) => p = v.parse().unwrap_or(0),
            _ => return false,
        }
    }
    let (Some(salt), Some(want)) = (unhex(salt), unhex(hash)) else {
        return false;
    };
    // A stored cost far past ours would let a damaged row stall a login.
    if want.is_empty() || want.len() > 64 || m > 1 << 20 || t > 16 || p > 8 {
        return false;
    }
    let Ok(a) = argon2(m, t, p) else {
        return false;
    };
    let mut got = vec![0u8; want.len()];
    if a.hash_password_into(password.as_bytes(), &salt, &mut got)
        .is_err()
    {
        return false;
    }
    constant_time_eq(&got, &want)
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// A logged-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: String,
    /// The token every form of this session carries.
    pub csrf: String,
    pub expires_at: i64,
}

impl Session {
    /// Whether a form's token is this session's.
    pub fn csrf_ok(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| constant_time_eq(t.as_bytes(), self.csrf.as_bytes()))
    }
}

/// Users and sessions.
pub struct Auth {
    db: Arc<Db>,
    pub limiter: Limiter,
    /// One password hash at a time: each takes 19 MiB, and the server's
    /// connection threads (64) hashing at once would take over a GiB.
    /// Logins queue for a few tens of milliseconds instead.
    hashing: Mutex<()>,
}

/// The tables. `"user"` is quoted: PostgreSQL reserves the word.
const TABLES: &str = "CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    \"user\" TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);";

impl Auth {
    /// Opens a SQLite database (the server's `state.db`) for users and
    /// sessions.
    pub fn open(path: &Path) -> Result<Auth, AuthError> {
        let db = ctx(&format!("open {}", path.display()), Db::open_sqlite(path))?;
        Auth::over(Arc::new(db))
    }

    /// Users and sessions in `db` (the state's, so that with PostgreSQL
    /// every instance shares logins).
    pub fn over(db: Arc<Db>) -> Result<Auth, AuthError> {
        ctx("create the users and sessions tables", db.ensure(TABLES))?;
        Ok(Auth {
            db,
            limiter: Limiter::default(),
            hashing: Mutex::new(()),
        })
    }

    pub fn user_count(&self) -> Result<i64, AuthError> {
        ctx(
            "count users",
            self.db
                .query_row("SELECT count(*) FROM users", &[])
                .and_then(|r| r.get(0)),
        )
    }

    /// Creates a user, or sets the password of an existing one.
    pub fn set_user(&self, name: &str, password: &str, now: i64) -> Result<(), AuthError> {
        let hash = {
            let _one = self.hashing.lock().unwrap_or_else(|e| e.into_inner());
            hash_password(password)
        }
        .map_err(|e| AuthError {
            what: "hash a password".into(),
            source: e.into(),
        })?;
        ctx(
            "store a user",
            self.db.execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash",
                params![name, hash, now],
            ),
        )?;
        Ok(())
    }

    /// Creates a user unless one of that name exists; whether it did. (Two
    /// instances making the first user at once: one wins, and the other
    /// does not overwrite the password it printed.)
    pub fn add_first_user(&self, name: &str, password: &str, now: i64) -> Result<bool, AuthError> {
        let hash = {
            let _one = self.hashing.lock().unwrap_or_else(|e| e.into_inner());
            hash_password(password)
        }
        .map_err(|e| AuthError {
            what: "hash a password".into(),
            source: e.into(),
        })?;
        let n = ctx(
            "store a user",
            self.db.execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(name) DO NOTHING",
                params![name, hash, now],
            ),
        )?;
        Ok(n > 0)
    }

    /// Whether the user exists and the password is theirs. An unknown user
    /// costs a hash too, so the answer's time does not tell which it was.
    pub fn check_password(&self, name: &str, password: &str) -> Result<bool, AuthError> {
        let row = ctx(
            "read a user",
            self.db.query_opt(
                "SELECT password_hash FROM users WHERE name = ?1",
                params![name],
            ),
        )?;
        let stored: Option<String> = row.map(|r| ctx("read a user", r.get(0))).transpose()?;
        let _one = self.hashing.lock().unwrap_or_else(|e| e.into_inner());
        match stored {
            Some(h) => Ok(verify_password(password, &h)),
            None => {
                let _ = hash_password(password);
                Ok(false)
            }
        }
    }

    /// A new session for `user`: (the cookie's id, the session).
    pub fn create_session(&self, user: &str, now: i64) -> Result<(String, Session), AuthError> {
        let id = hex(&ctx("random session id", random_bytes(32))?);
        let csrf = hex(&ctx("random CSRF token", random_bytes(32))?);
        let expires_at = now + SESSION_SECS;
        // Expired sessions go as new ones come, so the table stays small.
        ctx(
            "drop expired sessions",
            self.db
                .execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now]),
        )?;
        ctx(
            "store a session",
            self.db.execute(
                "INSERT INTO sessions (id_hash, \"user\", csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha256_hex(&id), user, &csrf, expires_at],
            ),
        )?;
        Ok((
            id,
            Session {
                user: user.into(),
                csrf,
                expires_at,
            },
        ))
    }

    /// The live session with this cookie id, if any.
    pub fn session(&self, id: &str, now: i64) -> Result<Option<Session>, AuthError> {
        let what = "read a session";
        let row = ctx(
            what,
            self.db.query_opt(
                "SELECT \"user\", csrf, expires_at FROM sessions WHERE id_hash = ?1 AND expires_at > ?2",
                params![sha256_hex(id), now],
            ),
        )?;
        row.map(|r| {
            ctx(
                what,
                (|| -> Result<Session, crate::sql::DbError> {
                    Ok(Session {
                        user: r.get(0)?,
                        csrf: r.get(1)?,
                        expires_at: r.get(2)?,
                    })
                })(),
            )
        })
        .transpose()
    }

    pub fn end_session(&self, id: &str) -> Result<(), AuthError> {
        ctx(
            "end a session",
            self.db.execute(
                "DELETE FROM sessions WHERE id_hash = ?1",
                params![sha256_hex(id)],
            ),
        )?;
        Ok(())
    }
}

/// Failed logins per client address and per user name, counted in a fixed
/// window. Past the limit a login is refused (429) before its password is
/// hashed, so a flood of guesses costs the server little. The table is
/// bounded: when full, expired windows go, and if none have expired, the
/// oldest entry; guessing never grows memory or locks anyone out for
/// longer than a window.
pub struct Limiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    pub window: Duration,
    pub per_address: u32,
    pub per_user: u32,
    pub max_entries: usize,
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter {
            failures: Mutex::new(HashMap::new()),
            window: Duration::from_secs(300),
            per_address: 10,
            per_user: 10,
            max_entries: 10_000,
        }
    }
}

impl Limiter {
    fn keys(address: &str, user: &str) -> [String; 2] {
        [format!("a {address}"), format!("u {user}")]
    }

    /// Seconds to wait before this address may try this user again, or
    /// `None` if it may now.
    pub fn blocked(&self, address: &str, user: &str, now: Instant) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [a, u] = Self::keys(address, user);
        [(a, self.per_address), (u, self.per_user)]
            .into_iter()
            .filter_map(|(k, limit)| {
                let &(n, start) = map.get(&k)?;
                let left = self.window.checked_sub(now.duration_since(start))?;
                (n >= limit).then(|| left.as_secs().max(1))
            })
            .max()
    }

    /// Counts a failed login.
    pub fn failed(&self, address: &str, user: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() + 2 > self.max_entries {
            let window = self.window;
            map.retain(|_, (_, start)| now.duration_since(*start) < window);
            while map.len() + 2 > self.max_entries {
                let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (_, s))| *s)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                map.remove(&oldest);
            }
        }
        for k in Self::keys(address, user) {
            let e = map.entry(k).or_insert((0, now));
            if now.duration_since(e.1) >= self.window {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    /// A good login clears its address's and user's count.
    pub fn succeeded(&self, address: &str, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for k in Self::keys(address, user) {
            map.remove(&k);
        }
    }

    /// Entries held (for tests of the bound).
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("argon2id$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("", &h));
        // Salted: the same password hashes differently each time.
        assert_ne!(h, hash_password("correct horse").expect("hash"));
        // Damaged hashes match nothing and do not panic.
        for bad in [
            "",
            "argon2id",
            "argon2id$m=19456,t=2,p=1$zz$00",
            "argon2id$m=19456,t=2,p=1$00112233445566778899aabbccddeeff$",
            "argon2id$m=99999999,t=2,p=1$00112233445566778899aabbccddeeff$00",
            "bcrypt$x$y$z",
        ] {
            assert!(!verify_password("correct horse", bad), "{bad}");
        }
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    fn temp_db(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sonde-web-auth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d.join("state.db")
    }

    #[test]
    fn sessions_expire_end_and_carry_a_csrf_token() {
        let auth = Auth::open(&temp_db("sessions")).expect("open");
        auth.set_user("admin", "pw1", 0).expect("user");
        assert!(auth.check_password("admin", "pw1").expect("check"));
        assert!(!auth.check_password("admin", "pw2").expect("check"));
        assert!(!auth.check_password("nobody", "pw1").expect("check"));
        auth.set_user("admin", "pw2", 0).expect("new password");
        assert!(
            !auth.add_first_user("admin", "pw3", 0).expect("first user"),
            "an existing user is kept"
        );
        assert!(!auth.check_password("admin", "pw3").expect("check"));
        assert!(auth.check_password("admin", "pw2").expect("check"));
        assert_eq!(auth.user_count().expect("count"), 1);

        let (id, s) = auth.create_session("admin", 1000).expect("session");
        assert_eq!(id.len(), 64, "32 random bytes in hex");
        assert_eq!(auth.session(&id, 1001).expect("read"), Some(s.clone()));
        assert_eq!(auth.session(&id, 1000 + SESSION_SECS).expect("read"), None);
        assert_eq!(auth.session("not-a-session", 1001).expect("read"), None);
        let (id2, s2) = auth.create_session("admin", 1000).expect("session");
        assert_ne!(id, id2);
        assert_ne!(s.csrf, s2.csrf, "a token per session");

        assert!(s.csrf_ok(Some(&s.csrf)));
        assert!(!s.csrf_ok(Some(&s2.csrf)));
        assert!(!s.csrf_ok(Some("")));
        assert!(!s.csrf_ok(None));

        auth.end_session(&id).expect("logout");
        assert_eq!(auth.session(&id, 1001).expect("read"), None);
        assert!(auth.session(&id2, 1001).expect("read").is_some());
    }

    #[test]
    fn limiter_counts_per_address_and_user_and_forgets() {
        let l = Limiter {
            per_address: 3,
            per_user: 5,
            window: Duration::from_secs(60),
            max_entries: 8,
            ..Limiter::default()
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.blocked("1.1.1.1", "admin", t0), None);
            l.failed("1.1.1.1", "admin", t0);
        }
        assert_eq!(l.blocked("1.1.1.1", "admin", t0), Some(60));
        assert_eq!(l.blocked("1.1.1.1", "other", t0), Some(60), "per address");
        assert_eq!(l.blocked("2.2.2.2", "admin", t0), None);
        l.failed("2.2.2.2", "admin", t0);
        l.failed("2.2.2.2", "admin", t0);
        assert_eq!(l.blocked("3.3.3.3", "admin", t0), Some(60), "per user");
        assert_eq!(l.blocked("3.3.3.3", "bob", t0), None);
        // The window passes.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(l.blocked("1.1.1.1", "admin", later), None);
        // Bounded however many addresses guess.
        for i in 0..100 {
            l.failed(&format!("10.0.0.{i}"), &format!("u{i}"), later);
            assert!(l.len() <= 8, "{} entries", l.len());
        }
        l.succeeded("10.0.0.99", "u99");
        assert_eq!(l.blocked("10.0.0.99", "u99", later), None);
    }
}
