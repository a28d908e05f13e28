//! The postgres plugin against a real PostgreSQL (initdb into a scratch
//! directory, run as the `postgres` user through `setpriv`, since postgres
//! refuses root): trust over the unix socket, SCRAM-SHA-256 and md5 users
//! over TCP, counters that move after queries, connections by state and
//! locks by mode while a transaction holds a lock, a streaming standby for
//! both sides of replication lag, and clear errors.
//!
//! One primary (and one standby) for the whole file, in one test function:
//! start-up is the slow part.

mod common_services;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common_services::*;

/// The `postgres` user's uid and gid, from /etc/passwd.
fn postgres_ids() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    let line = passwd
        .lines()
        .find(|l| l.starts_with("postgres:"))
        .expect("a postgres user (the postgresql package makes it; scripts/setup.sh)");
    let f: Vec<&str> = line.split(':').collect();
    (f[2].parse().expect("uid"), f[3].parse().expect("gid"))
}

/// `program args` as the postgres user (setpriv execs, so the pid is the
/// program's own and a signal to it reaches postgres itself).
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

fn pg_bin(name: &str) -> PathBuf {
    find_program(&[name], &[("/usr/lib/postgresql", &format!("bin/{name}"))])
        .unwrap_or_else(|| panic!("{name} is installed (scripts/setup.sh: postgresql)"))
}

/// SQL through `psql` as the postgres superuser over the socket (the
/// test's own tool, so the plugin's client is not checked by itself).
fn psql(sock_dir: &Path, port: u16, sql: &str) -> String {
    let out = Command::new(pg_bin("psql"))
        .arg("-h")
        .arg(sock_dir)
        .args(["-p", &port.to_string(), "-U", "postgres", "-d", "postgres"])
        .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A psql session kept open (holding whatever it began) until dropped.
struct Session(Child);

impl Session {
    fn begin(sock_dir: &Path, port: u16, sql: &str) -> Session {
        let mut c = Command::new(pg_bin("psql"))
            .arg("-h")
            .arg(sock_dir)
            .args([
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-X",
                "-q",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run psql");
        let stdin = c.stdin.as_mut().expect("stdin");
        stdin
            .write_all(format!("{sql}\n").as_bytes())
            .expect("send");
        stdin.flush().expect("flush");
        Session(c)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// Starts postgres on `data`, its socket in `sock_dir`, TCP on `port`.
fn start_postgres(data: &Path, sock_dir: &Path, port: u16, log: &Path) -> Server {
    let mut cmd = as_postgres(&pg_bin("postgres"));
    cmd.arg("-D")
        .arg(data)
        .arg("-k")
        .arg(sock_dir)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .args([
            "-c",
            "fsync=off",
            "-c",
            "shared_buffers=16MB",
            "-c",
            "max_connections=30",
        ]);
    let mut server = Server::start("postgres", cmd, log).stop_with("INT");
    let sock = sock_dir.join(format!(".s.PGSQL.{port}"));
    server.wait("accepting queries", Duration::from_secs(30), || {
        sock.exists()
            && Command::new(pg_bin("psql"))
                .arg("-h")
                .arg(sock_dir)
                .args([
                    "-p",
                    &port.to_string(),
                    "-U",
                    "postgres",
                    "-X",
                    "-c",
                    "SELECT 1",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    });
    server
}

/// Polls `f` until it holds (servers apply some things a moment later).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("not within 15 s: {what}");
}

#[test]
fn postgres_metrics_auth_locks_replication_and_errors() {
    if !is_root() {
        println!(
            "skipped: the postgres test needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let dir = Scratch::new("postgres");
    let (uid, gid) = postgres_ids();
    std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
        .expect("give the scratch dir to postgres");
    let data = dir.path().join("primary");
    let init = as_postgres(&pg_bin("initdb"))
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
        init.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    // Trust for the superuser on the socket (and replication); passwords
    // over TCP: md5 for the md5 user, SCRAM for everyone else.
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all postgres trust\nlocal replication postgres trust\n\
         host all md5mon 127.0.0.1/32 md5\nhost all plainmon 127.0.0.1/32 password\nhost all all 127.0.0.1/32 scram-sha-256\n",
    )
    .expect("write pg_hba.conf");

    let port = free_port();
    let sock_dir = dir.path().to_path_buf();
    let primary = start_postgres(&data, &sock_dir, port, &dir.path().join("primary.log"));
    psql(
        &sock_dir,
        port,
        "CREATE ROLE mon LOGIN PASSWORD 'scr4m-pw' IN ROLE pg_monitor; \
         SET password_encryption = 'md5'; CREATE ROLE md5mon LOGIN PASSWORD 'md5-pw' IN ROLE pg_monitor; \
         CREATE ROLE plainmon LOGIN PASSWORD 'plain-pw'; \
         CREATE TABLE t (id int PRIMARY KEY)",
    );
    assert!(
        psql(
            &sock_dir,
            port,
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'mon'"
        )
        .starts_with("SCRAM-SHA-256$"),
        "mon's password is stored for SCRAM"
    );
    let port_s = port.to_string();
    let sock_s = sock_dir.to_str().expect("utf-8 path").to_string();

    // Trust over the socket (a directory, as libpq takes it).
    let mut su = plugin(
        "postgres",
        &["--socket", &sock_s, "--port", &port_s, "--user", "postgres"],
    );
    let first = su.fetch().expect("postgres over the socket");
    let m = by_name(&first);
    assert!(
        gauge(&m, "postgres.connections.active") >= 1.0,
        "our own query is active"
    );
    assert!(gauge(&m, "postgres.size.total_size") > 1_000_000.0);
    assert!(
        gauge(&m, "postgres.locks.AccessShareLock") >= 1.0,
        "our pg_locks read holds one"
    );
    assert_eq!(gauge(&m, "postgres.locks.AccessExclusiveLock"), 0.0);
    counter(&m, "postgres.commits.xact_commit");
    counter(&m, "postgres.blocks.blks_hit");
    counter(&m, "postgres.rows.tup_returned");
    counter(&m, "postgres.deadlocks.deadlocks");
    counter(&m, "postgres.tempfile.temp_bytes");
    counter(&m, "postgres.iotime.blk_read_time");
    counter(&m, "postgres.xlog_location.xlog_location_bytes");
    // Alone: neither standby delay nor replica lag.
    assert!(
        !m.keys()
            .any(|k| k.starts_with("postgres.standby.") || k.starts_with("postgres.replication_")),
        "{m:?}"
    );
    assert_graphs_cover(su.as_ref(), &first);

    // Counters move after queries (two fetches through the Differ, 60 s
    // apart on its clock, so a rate is the increase). Statistics reach
    // pg_stat_database when a backend ends or goes idle: wait for them.
    let rates = two_fetches(su.as_mut(), || {
        let before: u64 = psql(
            &sock_dir,
            port,
            "SELECT sum(tup_inserted) FROM pg_stat_database",
        )
        .parse()
        .expect("a number");
        psql(
            &sock_dir,
            port,
            "INSERT INTO t VALUES (1), (2), (3); UPDATE t SET id = 10 WHERE id = 1; DELETE FROM t WHERE id = 2",
        );
        eventually("the inserts reach pg_stat_database", || {
            let now: u64 = psql(
                &sock_dir,
                port,
                "SELECT sum(tup_inserted) FROM pg_stat_database",
            )
            .parse()
            .expect("a number");
            now >= before + 3
        });
    });
    assert!(rates["postgres.rows.tup_inserted"] >= 3.0, "{rates:?}");
    assert!(rates["postgres.rows.tup_updated"] >= 1.0, "{rates:?}");
    assert!(rates["postgres.rows.tup_deleted"] >= 1.0, "{rates:?}");
    assert!(rates["postgres.commits.xact_commit"] >= 3.0, "{rates:?}");
    assert!(rates["postgres.blocks.blks_hit"] > 0.0, "{rates:?}");
    assert!(
        rates["postgres.xlog_location.xlog_location_bytes"] > 0.0,
        "{rates:?}"
    );

    // A transaction holding a lock: seen by mode and by state.
    let holder = Session::begin(
        &sock_dir,
        port,
        "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;",
    );
    let mut m = by_name(&su.fetch().expect("fetch"));
    eventually("the lock is held", || {
        m = by_name(&su.fetch().expect("fetch"));
        gauge(&m, "postgres.locks.AccessExclusiveLock") >= 1.0
    });
    assert!(
        gauge(&m, "postgres.connections.idle_in_transaction") >= 1.0,
        "{m:?}"
    );
    drop(holder);

    // SCRAM-SHA-256 over TCP, and md5.
    let tcp = |user: &str, pw: &str| {
        plugin(
            "postgres",
            &[
                "--hostname",
                "127.0.0.1",
                "--port",
                &port_s,
                "--user",
                user,
                "--password",
                pw,
            ],
        )
    };
    let m = by_name(&tcp("mon", "scr4m-pw").fetch().expect("SCRAM login"));
    assert!(gauge(&m, "postgres.connections.active") >= 1.0);
    let m = by_name(&tcp("md5mon", "md5-pw").fetch().expect("md5 login"));
    assert!(gauge(&m, "postgres.size.total_size") > 0.0);
    // The cleartext method; plainmon is no pg_monitor member, and the
    // statistics views still answer (with less detail).
    let m = by_name(
        &tcp("plainmon", "plain-pw")
            .fetch()
            .expect("cleartext login"),
    );
    assert!(gauge(&m, "postgres.connections.active") >= 1.0);
    let e = tcp("mon", "wrong")
        .fetch()
        .expect_err("wrong password")
        .to_string();
    assert!(
        e.starts_with(&format!(
            "postgres at 127.0.0.1:{port}: login as \"mon\" to \"postgres\""
        )),
        "{e}"
    );
    assert!(
        e.contains("28P01") && e.contains("password authentication failed"),
        "{e}"
    );
    let e = tcp("md5mon", "wrong")
        .fetch()
        .expect_err("wrong md5 password")
        .to_string();
    assert!(e.contains("28P01"), "{e}");
    let mut nopw = plugin(
        "postgres",
        &[
            "--hostname",
            "127.0.0.1",
            "--port",
            &port_s,
            "--user",
            "mon",
        ],
    );
    let e = nopw.fetch().expect_err("no password").to_string();
    assert!(e.contains("asks for a password"), "{e}");

    // A streaming standby: the standby posts its replay delay, the primary
    // one lag line per replica.
    let standby_data = dir.path().join("standby");
    let backup = as_postgres(&pg_bin("pg_basebackup"))
        .arg("-h")
        .arg(&sock_dir)
        .args([
            "-p",
            &port_s,
            "-U",
            "postgres",
            "-X",
            "stream",
            "-R",
            "--no-sync",
            "-D",
        ])
        .arg(&standby_data)
        .output()
        .expect("run pg_basebackup");
    assert!(
        backup.status.success(),
        "pg_basebackup: {}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let sport = free_port();
    let standby = start_postgres(
        &standby_data,
        &sock_dir,
        sport,
        &dir.path().join("standby.log"),
    );
    let sport_s = sport.to_string();
    let mut on_standby = plugin("postgres", &["--socket", &sock_s, "--port", &sport_s]);
    let mut m = by_name(&on_standby.fetch().expect("fetch on the standby"));
    eventually("the standby replays a transaction", || {
        psql(
            &sock_dir,
            port,
            "INSERT INTO t VALUES (100 + (random() * 1000000)::int)",
        );
        m = by_name(&on_standby.fetch().expect("fetch on the standby"));
        m.contains_key("postgres.standby.replay_delay_seconds")
    });
    let delay = gauge(&m, "postgres.standby.replay_delay_seconds");
    assert!((0.0..60.0).contains(&delay), "{delay}");
    assert!(
        !m.contains_key("postgres.xlog_location.xlog_location_bytes"),
        "a standby writes no WAL of its own"
    );
    let mut m = by_name(&su.fetch().expect("fetch on the primary"));
    eventually("the primary lists its replica", || {
        m = by_name(&su.fetch().expect("fetch on the primary"));
        m.keys().any(|k| k.starts_with("postgres.replication_lag."))
    });
    let lag_line = m
        .keys()
        .find(|k| k.starts_with("postgres.replication_lag."))
        .expect("a lag line")
        .clone();
    assert!(gauge(&m, &lag_line) >= 0.0);
    let replica = lag_line.trim_start_matches("postgres.replication_lag.");
    assert!(gauge(&m, &format!("postgres.replication_delay_bytes.{replica}")) >= 0.0);
    let with_replica = su.fetch().expect("fetch");
    assert_graphs_cover(su.as_ref(), &with_replica);

    // Down servers: the address in the message.
    drop(standby);
    drop(primary);
    let e = su.fetch().expect_err("stopped").to_string();
    assert!(
        e.starts_with(&format!("postgres at {sock_s}/.s.PGSQL.{port}: connect:")),
        "{e}"
    );
    let e = tcp("mon", "scr4m-pw")
        .fetch()
        .expect_err("stopped")
        .to_string();
    assert!(
        e.starts_with(&format!("postgres at 127.0.0.1:{port}: connect:")),
        "{e}"
    );
}

#[test]
fn bad_arguments_are_usage_errors_naming_them() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let e = sonde_plugins::lookup("postgres", &args(&["--port", "x"])).expect_err("port");
    assert_eq!(e.to_string(), "postgres: --port \"x\": want a number");
    let e =
        sonde_plugins::lookup("postgres", &args(&["--sslmode", "verify-full"])).expect_err("tls");
    assert!(
        e.to_string()
            .starts_with("postgres: --sslmode \"verify-full\""),
        "{e}"
    );
}
