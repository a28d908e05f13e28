//! A real PostgreSQL for the server's tests (Debian's postgresql: initdb
//! into a scratch directory and run as the `postgres` user, since postgres
//! refuses root), and the switch that runs one test body on both state
//! backends.
//!
//! One server per test binary ([`shared`]), started at first use; each test
//! gets a fresh database in it ([`Pg::fresh_db`]). Rust runs no destructor
//! for a static, so postgres runs under a small shell watchdog that stops
//! it (and removes its directory) when the test process is gone.

#![allow(dead_code)] // each test binary uses part of this

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sonde_pgwire::{Config, Connection};
use sonde_server::state::State;

/// Which state backend a test body runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

/// The backend of the test running on this thread.
pub fn backend() -> Backend {
    BACKEND.with(|b| b.get())
}

/// Runs `body` with [`backend`] set to `b`. PostgreSQL needs root (to run
/// postgres as its own user); without it the run is skipped, said so.
pub fn run_on(b: Backend, name: &str, body: fn()) {
    if b == Backend::Postgres && !is_root() {
        println!(
            "skipped: {name} on PostgreSQL needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    BACKEND.with(|c| c.set(b));
    body();
}

/// `both!(test_fn)`: tests `test_fn::sqlite` and `test_fn::postgres`,
/// one body run on each state backend.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                $crate::common_pg::run_on($crate::common_pg::Backend::Sqlite, stringify!($name), super::$name);
            }
            #[test]
            fn postgres() {
                $crate::common_pg::run_on($crate::common_pg::Backend::Postgres, stringify!($name), super::$name);
            }
        }
    )*};
}

/// A fresh state for the current backend: `dir/state.db`, or a new
/// database in the shared PostgreSQL.
pub fn state(name: &str, dir: &Path) -> State {
    match backend() {
        Backend::Sqlite => State::open(&dir.join("state.db")).expect("open the SQLite state"),
        Backend::Postgres => {
            let url = shared().fresh_db(name);
            let s =
                State::connect(&url).unwrap_or_else(|e| panic!("connect the state to {url}: {e}"));
            assert_eq!(s.db().backend(), sonde_server::sql::Backend::Postgres);
            s
        }
    }
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// The newest installed `/usr/lib/postgresql/*/bin/<name>`.
pub fn pg_bin(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("{name} is installed (scripts/setup.sh: postgresql)"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// A PostgreSQL server in a scratch directory: trust on its unix socket,
/// SCRAM passwords over TCP on 127.0.0.1.
pub struct Pg {
    pub dir: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    watchdog: Option<Child>,
}

static SHARED: OnceLock<Pg> = OnceLock::new();
static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// This test binary's PostgreSQL, started at first use.
pub fn shared() -> &'static Pg {
    SHARED.get_or_init(|| Pg::start("shared"))
}

impl Pg {
    /// initdb and start a server; ready when this returns.
    pub fn start(what: &str) -> Pg {
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("sonde-server-pg-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let status = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&dir)
            .status()
            .expect("run chown");
        assert!(status.success(), "give {} to postgres", dir.display());
        let data = dir.join("data");
        let out = as_postgres(&pg_bin("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("write pg_hba.conf");
        let mut pg = Pg {
            dir,
            data,
            port: free_port(),
            watchdog: None,
        };
        pg.run();
        pg
    }

    /// Starts postgres on the data directory (again, after [`Pg::stop`]).
    pub fn run(&mut self) {
        // The watchdog: postgres in the background, stopped (fast
        // shutdown) when the test process or postgres itself is gone, and
        // its scratch directory removed when the test process is.
        // fsync=off saves start-up and test time and loses nothing unless
        // the machine itself crashes; synchronous_commit stays on, so a
        // commit is in the kernel's hands before it is acknowledged and
        // survives postgres being killed (the outage test relies on it).
        let script = format!(
            "setpriv --reuid=postgres --regid=postgres --init-groups -- {pg} -D {data} -k {dir} -p {port} \
             -c listen_addresses=127.0.0.1 -c fsync=off \
             -c shared_buffers=16MB -c max_connections=200 >>{dir}/log 2>&1 & p=$!; \
             while kill -0 {me} 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.2; done; \
             kill -INT $p 2>/dev/null; wait $p; kill -0 {me} 2>/dev/null || rm -rf {dir}",
            pg = pg_bin("postgres").display(),
            data = self.data.display(),
            dir = self.dir.display(),
            port = self.port,
            me = std::process::id(),
        );
        let child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the postgres watchdog");
        self.watchdog = Some(child);
        let start = Instant::now();
        loop {
            if self.superuser().is_ok() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "postgres not ready after 30 s:\n{}",
                std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// postgres's own pid (the postmaster), from its pid file.
    pub fn postmaster_pid(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        text.lines().next().map(|l| l.trim().to_string())
    }

    /// Stops postgres with `signal` (`QUIT`: immediate, as a crash; `INT`:
    /// fast) and waits until it is gone.
    pub fn stop(&mut self, signal: &str) {
        if let Some(pid) = self.postmaster_pid() {
            let _ = Command::new("kill").args(["-s", signal, &pid]).status();
        }
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.wait();
        }
        let start = Instant::now();
        while self.data.join("postmaster.pid").exists() && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The socket URL for `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres:///{db}?host={}&port={}&user=postgres",
            self.dir.display(),
            self.port
        )
    }

    /// A superuser connection to the `postgres` database (our own client:
    /// what it is tested for elsewhere is used here as a tool).
    pub fn superuser(&self) -> Result<Connection, sonde_pgwire::WireError> {
        let mut cfg = Config::parse(&self.url("postgres"))?;
        cfg.timeout = Duration::from_secs(5);
        Connection::connect(&cfg)
    }

    /// Runs SQL as the superuser.
    pub fn sql(&self, sql: &str) -> sonde_pgwire::Rows {
        let mut c = self.superuser().expect("connect as the superuser");
        c.simple_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A new, empty database; its URL.
    pub fn fresh_db(&self, name: &str) -> String {
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let db = format!("t_{clean}_{n}");
        self.sql(&format!("CREATE DATABASE {db}"));
        self.url(&db)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop("INT");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `program` as the postgres user.
fn as_postgres(program: &Path) -> Command {
    let mut c = Command::new("setpriv");
    c.args([
        "--reuid=postgres",
        "--regid=postgres",
        "--init-groups",
        "--",
    ])
    .arg(program)
    .current_dir("/");
    c
}
