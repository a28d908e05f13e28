//! The mysql plugin against a real MariaDB (`mariadbd` on a scratch
//! datadir made by `mariadb-install-db`): root over the unix socket with no
//! password (MariaDB's unix_socket method), a password user over TCP
//! (mysql_native_password), counters that move after queries, a
//! transaction held open past the threshold counted on the server, and
//! clear errors for a wrong password and a down server.
//!
//! One server for the whole file (one test function): start-up is the slow
//! part, and the checks do not disturb each other.

mod common_services;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common_services::*;

/// Runs SQL through Debian's `mariadb` client as root over the socket (the
/// test's own tool, so the plugin's client is not checked by itself).
fn sql(sock: &Path, statements: &str) -> String {
    let out = Command::new("mariadb")
        .arg(format!("--socket={}", sock.display()))
        .args(["--batch", "--skip-column-names", "-e", statements])
        .output()
        .expect("run the mariadb client");
    assert!(
        out.status.success(),
        "{statements}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `mariadb` client holding a transaction open until dropped.
struct OpenTransaction(Child);

impl OpenTransaction {
    fn begin(sock: &Path) -> OpenTransaction {
        let mut c = Command::new("mariadb")
            .arg(format!("--socket={}", sock.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run the mariadb client");
        let stdin = c.stdin.as_mut().expect("stdin");
        // A write makes it a read-write transaction, listed in INNODB_TRX
        // from its start.
        stdin
            .write_all(b"START TRANSACTION; INSERT INTO sonde.t VALUES (1000);\n")
            .expect("send");
        stdin.flush().expect("flush");
        OpenTransaction(c)
    }
}

impl Drop for OpenTransaction {
    fn drop(&mut self) {
        // Closing stdin ends the client, which rolls back.
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

fn mariadbd() -> PathBuf {
    find_program(&["mariadbd", "mysqld"], &[])
        .expect("mariadbd is installed (scripts/setup.sh: mariadb-server)")
}

/// A mariadbd on a fresh datadir under `dir/name`, on a free port and a
/// socket beside it, with `extra` options; waits until it listens.
fn start_mariadb(dir: &Path, name: &str, extra: &[&str]) -> (Server, u16, PathBuf) {
    let data = dir.join(format!("{name}-data"));
    let sock = dir.join(format!("{name}.sock"));
    // Its own temporary directory: nothing else on the machine can remove
    // the server's temporary tables from under it.
    let tmp = dir.join(format!("{name}-tmp"));
    std::fs::create_dir_all(&tmp).expect("create the server's tmpdir");
    let install = Command::new("mariadb-install-db")
        .args(["--no-defaults", "--user=root", "--skip-test-db"])
        .arg("--auth-root-authentication-method=socket")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--tmpdir={}", tmp.display()))
        .output()
        .expect("run mariadb-install-db (scripts/setup.sh: mariadb-server)");
    assert!(
        install.status.success(),
        "mariadb-install-db: {}",
        String::from_utf8_lossy(&install.stderr)
    );
    let port = free_port();
    let mut cmd = Command::new(mariadbd());
    cmd.args(["--no-defaults", "--user=root", "--skip-name-resolve"])
        .args([
            "--innodb-buffer-pool-size=16M",
            "--bind-address=127.0.0.1",
            "--max-connections=40",
        ])
        .args(extra)
        .arg(format!("--port={port}"))
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", sock.display()))
        .arg(format!("--tmpdir={}", tmp.display()))
        .arg(format!(
            "--pid-file={}",
            dir.join(format!("{name}.pid")).display()
        ))
        .arg(format!(
            "--log-error={}",
            dir.join(format!("{name}.err")).display()
        ));
    let mut server = Server::start("mariadbd", cmd, &dir.join(format!("{name}.log")));
    server.wait_port(port);
    (server, port, sock)
}

#[test]
fn mariadb_metrics_auth_long_transactions_and_errors() {
    if !is_root() {
        println!(
            "skipped: the mysql test needs root (CI runs as root) to run mariadbd with root's unix_socket login"
        );
        return;
    }
    let dir = Scratch::new("mysql");
    let (server, port, sock) = start_mariadb(dir.path(), "main", &["--skip-log-bin"]);
    sql(
        &sock,
        "CREATE DATABASE sonde; CREATE TABLE sonde.t (id INT PRIMARY KEY) ENGINE=InnoDB; \
         CREATE USER 'mon'@'127.0.0.1' IDENTIFIED BY 'm0n-pw'; \
         GRANT PROCESS, SLAVE MONITOR, SELECT ON *.* TO 'mon'@'127.0.0.1';",
    );
    let sock_s = sock.to_str().expect("utf-8 path").to_string();
    let port_s = port.to_string();

    // Root over the socket, no password: the unix_socket method.
    let mut root = plugin(
        "mysql",
        &["--socket", &sock_s, "--long-transaction-seconds", "1"],
    );
    let first = root.fetch().expect("root over the socket");
    let m = by_name(&first);
    assert_eq!(gauge(&m, "mysql.connections.max_connections"), 40.0);
    assert!(gauge(&m, "mysql.connections.Threads_connected") >= 1.0);
    assert!(gauge(&m, "mysql.threads.Threads_connected") >= 1.0);
    let pct = gauge(&m, "mysql.capacity.PercentageOfConnections");
    assert!(pct > 0.0 && pct <= 100.0, "{pct}");
    assert!(gauge(&m, "mysql.innodb_buffer_pool.pool_size") > 0.0);
    counter(&m, "mysql.cmd.Com_select");
    counter(&m, "mysql.traffic.Bytes_sent");
    counter(&m, "mysql.table_locks.Slow_queries");
    // MariaDB 10.6+ has no Innodb_rows_* (MySQL has): the InnoDB graphs
    // that do exist there are checked.
    counter(&m, "mysql.innodb_row_lock_waits.Innodb_row_lock_waits");
    counter(&m, "mysql.innodb_io.file_writes");
    gauge(&m, "mysql.innodb_transactions.history_list");
    assert_eq!(gauge(&m, "mysql.transactions.long_running"), 0.0);
    // Not a replica: no replication values at all.
    assert!(
        !m.contains_key("mysql.seconds_behind_master.Seconds_Behind_Master"),
        "{m:?}"
    );
    assert!(!m.contains_key("mysql.replication.io_running"));
    assert_graphs_cover(root.as_ref(), &first);

    // Counters move after queries (two fetches through the Differ, 60 s
    // apart on its clock, so a rate is the increase).
    let rates = two_fetches(root.as_mut(), || {
        sql(
            &sock,
            "SELECT 1; SELECT 2; SELECT 3; INSERT INTO sonde.t VALUES (1), (2), (3); \
             UPDATE sonde.t SET id = id + 10 WHERE id = 1; DELETE FROM sonde.t WHERE id = 2;",
        );
    });
    assert!(rates["mysql.cmd.Com_select"] >= 3.0, "{rates:?}");
    assert_eq!(rates["mysql.cmd.Com_insert"], 1.0, "{rates:?}");
    assert_eq!(rates["mysql.cmd.Com_update"], 1.0, "{rates:?}");
    assert_eq!(rates["mysql.cmd.Com_delete"], 1.0, "{rates:?}");
    assert!(
        rates["mysql.innodb_buffer_pool_efficiency.Innodb_buffer_pool_read_requests"] > 0.0,
        "{rates:?}"
    );
    assert!(rates["mysql.cmd.Questions"] >= 6.0, "{rates:?}");
    assert!(rates["mysql.connections.Connections"] >= 2.0, "{rates:?}");
    assert!(rates["mysql.traffic.Bytes_received"] > 0.0, "{rates:?}");

    // A transaction held open past N = 1 s is counted, by the server.
    let open = OpenTransaction::begin(&sock);
    let mut counted = 0.0;
    for _ in 0..40 {
        std::thread::sleep(Duration::from_millis(250));
        let m = by_name(&root.fetch().expect("fetch"));
        counted = gauge(&m, "mysql.transactions.long_running");
        if counted >= 1.0 {
            break;
        }
    }
    assert_eq!(counted, 1.0, "the open transaction was not counted");
    drop(open);
    // The server rolls back when it notices the client gone: soon, not at
    // once.
    for _ in 0..40 {
        let m = by_name(&root.fetch().expect("fetch"));
        counted = gauge(&m, "mysql.transactions.long_running");
        if counted == 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(counted, 0.0, "the transaction ended");

    // A password user over TCP: mysql_native_password.
    let mut mon = plugin(
        "mysql",
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port_s,
            "--username",
            "mon",
            "--password",
            "m0n-pw",
        ],
    );
    let m = by_name(&mon.fetch().expect("mon over TCP with a password"));
    assert_eq!(gauge(&m, "mysql.connections.max_connections"), 40.0);
    assert_eq!(gauge(&m, "mysql.transactions.long_running"), 0.0);

    // The Go plugin's extended graphs.
    let mut ext = plugin("mysql", &["--socket", &sock_s, "--enable_extended"]);
    let ext_samples = ext.fetch().expect("extended fetch");
    let m = by_name(&ext_samples);
    counter(&m, "mysql.handlers.Handler_write");
    counter(&m, "mysql.temporary_objects.Created_tmp_tables");
    counter(&m, "mysql.sorts.Sort_rows");
    // Our own thread runs the processlist query: one thread at least, in
    // some state, and every state line is there.
    let threads: f64 = m
        .iter()
        .filter(|(k, _)| k.starts_with("mysql.processlist.State_"))
        .map(|(k, _)| gauge(&m, k))
        .sum();
    assert!(threads >= 1.0, "{m:?}");
    assert_eq!(
        m.keys()
            .filter(|k| k.starts_with("mysql.processlist."))
            .count(),
        16
    );
    assert!(gauge(&m, "mysql.files_and_tables.table_cache") > 0.0);
    let key_cache = gauge(&m, "mysql.myisam_key_cache.key_buffer_size");
    let used = gauge(&m, "mysql.myisam_key_cache.key_buf_bytes_used");
    assert!(
        key_cache > 0.0 && (0.0..=key_cache).contains(&used),
        "{key_cache} {used}"
    );
    assert_graphs_cover(ext.as_ref(), &ext_samples);
    assert!(!by_name(&root.fetch().expect("fetch")).contains_key("mysql.handlers.Handler_write"));

    // A wrong password: the server's refusal, naming the address and user.
    let mut wrong = plugin(
        "mysql",
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port_s,
            "--user",
            "mon",
            "--password",
            "nope",
        ],
    );
    let e = wrong.fetch().expect_err("wrong password").to_string();
    assert!(
        e.starts_with(&format!("mysql at 127.0.0.1:{port}: login as \"mon\"")),
        "{e}"
    );
    assert!(
        e.contains("server error 1045") && e.contains("Access denied"),
        "{e}"
    );

    // A down server.
    drop(server);
    let e = mon.fetch().expect_err("stopped").to_string();
    assert!(
        e.starts_with(&format!("mysql at 127.0.0.1:{port}: connect:")),
        "{e}"
    );
    let e = root.fetch().expect_err("stopped").to_string();
    assert!(
        e.starts_with(&format!("mysql at {sock_s}: connect:")),
        "{e}"
    );
}

#[test]
fn a_server_that_accepts_and_says_nothing_times_out() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port().to_string();
    let mut p = plugin(
        "mysql",
        &["--host", "127.0.0.1", "--port", &port, "--timeout", "0.5"],
    );
    let started = std::time::Instant::now();
    let e = p.fetch().expect_err("silence").to_string();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        e.starts_with(&format!("mysql at 127.0.0.1:{port}: login as \"root\"")),
        "{e}"
    );
}

#[test]
fn a_replica_reports_its_threads_and_delay() {
    if !is_root() {
        println!("skipped: the mysql replica test needs root (CI runs as root) to run mariadbd");
        return;
    }
    let dir = Scratch::new("mysql-repl");
    let (_primary, pport, psock) = start_mariadb(
        dir.path(),
        "primary",
        &["--log-bin=primary-bin", "--server-id=1"],
    );
    sql(
        &psock,
        "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'r3pl'; \
         GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';",
    );
    let (_replica, _, rsock) =
        start_mariadb(dir.path(), "replica", &["--server-id=2", "--skip-log-bin"]);
    sql(
        &rsock,
        &format!(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={pport}, MASTER_USER='repl', \
             MASTER_PASSWORD='r3pl', MASTER_USE_GTID=no; START SLAVE;"
        ),
    );
    sql(
        &psock,
        "CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY); INSERT INTO r.t VALUES (1);",
    );

    let rsock_s = rsock.to_str().expect("utf-8 path").to_string();
    let mut on_replica = plugin("mysql", &["--socket", &rsock_s]);
    let start = std::time::Instant::now();
    let mut m = by_name(&on_replica.fetch().expect("fetch on the replica"));
    while m.get("mysql.replication.sql_running") != Some(&sonde_plugins::Reading::Gauge(1.0))
        || m.get("mysql.replication.io_running") != Some(&sonde_plugins::Reading::Gauge(1.0))
        || !m.contains_key("mysql.seconds_behind_master.Seconds_Behind_Master")
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "replication not running: {m:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
        m = by_name(&on_replica.fetch().expect("fetch on the replica"));
    }
    let behind = gauge(&m, "mysql.seconds_behind_master.Seconds_Behind_Master");
    assert!((0.0..60.0).contains(&behind), "{behind}");

    // A stopped SQL thread shows as 0, and no delay is known (NULL).
    sql(&rsock, "STOP SLAVE SQL_THREAD;");
    let m = by_name(&on_replica.fetch().expect("fetch on the replica"));
    assert_eq!(gauge(&m, "mysql.replication.sql_running"), 0.0);
    assert_eq!(gauge(&m, "mysql.replication.io_running"), 1.0);
    assert!(
        !m.contains_key("mysql.seconds_behind_master.Seconds_Behind_Master"),
        "{m:?}"
    );
}
