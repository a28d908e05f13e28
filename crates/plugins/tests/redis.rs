//! The redis plugin against a real redis-server on a free port: names as
//! mackerel-plugin-redis posts them, counters that move by exactly what the
//! test did, AUTH, a down server, and `sonde plugin redis` run as a command.

mod common_services;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;

use common_services::*;

struct Redis {
    port: u16,
    _server: Server,
    _dir: Scratch,
}

fn start() -> Redis {
    start_with(&[])
}

/// A redis-server with `extra` arguments (`--replicaof`, `--unixsocket`).
fn start_with(extra: &[&str]) -> Redis {
    let dir = Scratch::new("redis");
    let port = free_port();
    let mut cmd = Command::new("redis-server");
    cmd.args(extra);
    cmd.args([
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ])
    .arg("--dir")
    .arg(dir.path());
    let mut server = Server::start("redis-server", cmd, &dir.path().join("log"));
    server.wait_port(port);
    Redis {
        port,
        _server: server,
        _dir: dir,
    }
}

/// Sends inline commands (redis-cli's plain form) and returns the first
/// line of each reply.
fn send(port: u16, cmds: &[&str]) -> Vec<String> {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to redis");
    let mut r = BufReader::new(s.try_clone().expect("clone"));
    let mut w = s;
    cmds.iter()
        .map(|c| {
            w.write_all(format!("{c}\r\n").as_bytes()).expect("send");
            let mut line = String::new();
            r.read_line(&mut line).expect("reply");
            if line.starts_with('$') && !line.starts_with("$-1") {
                let mut body = String::new();
                r.read_line(&mut body).expect("bulk");
            }
            line.trim_end().to_string()
        })
        .collect()
}

#[test]
fn counters_move_by_what_the_test_did_and_names_match_the_go_plugin() {
    let r = start();
    let port = r.port.to_string();
    let mut p = plugin("redis", &["--host", "127.0.0.1", "--port", &port]);
    let first = p.fetch().expect("fetch");
    let m = by_name(&first);
    assert!(gauge(&m, "redis.memory.used_memory") > 0.0);
    assert!(gauge(&m, "redis.clients.connected_clients") >= 1.0);
    assert!(gauge(&m, "redis.uptime.uptime_in_seconds") >= 0.0);
    // maxmemory is 0 (no limit) on a default server: the Go plugin posts 0.
    assert_eq!(gauge(&m, "redis.capacity.percentage_of_memory"), 0.0);
    assert!(gauge(&m, "redis.capacity.percentage_of_clients") > 0.0);
    counter(&m, "redis.queries.total_commands_processed");
    counter(&m, "redis.connections.total_connections_received");
    assert_eq!(gauge(&m, "redis.keys.keys"), 0.0);
    assert_graphs_cover(p.as_ref(), &first);

    let rates = two_fetches(p.as_mut(), || {
        let mut cmds = vec![];
        let sets: Vec<String> = (0..10).map(|i| format!("SET k{i} v")).collect();
        cmds.extend(sets.iter().map(String::as_str));
        cmds.extend([
            "GET k1",
            "GET k2",
            "GET k3",
            "GET nope1",
            "GET nope2",
            "EXPIRE k0 1000",
        ]);
        let replies = send(r.port, &cmds);
        assert_eq!(replies[0], "+OK");
    });
    // Taken 60 s apart, a per-minute rate is the plain increase.
    assert_eq!(rates["redis.keyspace.keyspace_hits"], 3.0, "{rates:?}");
    assert_eq!(rates["redis.keyspace.keyspace_misses"], 2.0, "{rates:?}");
    assert!(
        rates["redis.queries.total_commands_processed"] >= 16.0,
        "{rates:?}"
    );
    assert!(
        rates["redis.connections.total_connections_received"] >= 1.0,
        "{rates:?}"
    );
    assert_eq!(rates["redis.keys.keys"], 10.0);
    assert_eq!(rates["redis.keys.expires"], 1.0);
    assert_eq!(rates["redis.db_keys.db0"], 10.0);
    assert_eq!(rates["redis.db_expires.db0"], 1.0);
    assert!(rates.contains_key("redis.replication.master_repl_offset"));
}

#[test]
fn auth_is_sent_and_a_wrong_password_is_a_clear_error() {
    let r = start();
    let port = r.port.to_string();
    assert_eq!(
        send(r.port, &["CONFIG SET requirepass s3cret"]),
        vec!["+OK"]
    );
    let mut none = plugin("redis", &["--host", "127.0.0.1", "--port", &port]);
    let e = none.fetch().expect_err("no password");
    assert!(
        e.to_string()
            .contains(&format!("redis at 127.0.0.1:{port}")),
        "{e}"
    );
    assert!(e.to_string().contains("NOAUTH"), "{e}");
    let mut wrong = plugin(
        "redis",
        &["--port", &port, "--host", "127.0.0.1", "--password", "nope"],
    );
    let e = wrong.fetch().expect_err("wrong password");
    assert!(e.to_string().contains("AUTH refused"), "{e}");
    let mut right = plugin(
        "redis",
        &[
            "--port",
            &port,
            "--host",
            "127.0.0.1",
            "--password",
            "s3cret",
        ],
    );
    let m = by_name(&right.fetch().expect("right password"));
    assert!(gauge(&m, "redis.memory.used_memory") > 0.0);
    let mut acl = plugin(
        "redis",
        &[
            "--port",
            &port,
            "--host",
            "127.0.0.1",
            "--username",
            "default",
            "--password",
            "s3cret",
        ],
    );
    acl.fetch().expect("ACL user and password");
}

#[test]
fn a_replica_shows_on_both_sides_and_a_unix_socket_works() {
    // No wait before the first full sync (the default is five seconds).
    let primary = start_with(&["--repl-diskless-sync-delay", "0"]);
    let pport = primary.port.to_string();
    let sock_dir = Scratch::new("redis-sock");
    let sock = sock_dir.path().join("redis.sock");
    let sock_s = sock.to_str().expect("utf-8 path").to_string();
    let replica = start_with(&["--replicaof", "127.0.0.1", &pport, "--unixsocket", &sock_s]);
    assert_eq!(
        send(primary.port, &["SET a 1", "SET b 2"]),
        vec!["+OK", "+OK"]
    );

    // The primary lists its replica once the link is up: one lag and one
    // offset-delay line for slave0.
    let mut on_primary = plugin("redis", &["--host", "127.0.0.1", "--port", &pport]);
    let mut m = by_name(&on_primary.fetch().expect("fetch"));
    let start = std::time::Instant::now();
    while !m.contains_key("redis.offset_delay.slave0_offset_delay") {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "no replica listed: {m:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        m = by_name(&on_primary.fetch().expect("fetch"));
    }
    assert!(gauge(&m, "redis.offset_delay.slave0_offset_delay") >= 0.0);
    assert!(gauge(&m, "redis.lag.slave0_lag") >= 0.0);
    assert_eq!(gauge(&m, "redis.clients.connected_slaves"), 1.0);
    let samples = on_primary.fetch().expect("fetch");
    assert_graphs_cover(on_primary.as_ref(), &samples);

    // The replica, over its unix socket, has the keys and its own offset
    // (which moves with what the primary sends once linked).
    assert_eq!(send(primary.port, &["SET c 3"]), vec!["+OK"]);
    let mut on_replica = plugin("redis", &["--socket", &sock_s]);
    let mut m = by_name(&on_replica.fetch().expect("fetch over the socket"));
    while gauge(&m, "redis.keys.keys") < 3.0
        || gauge(&m, "redis.replication.slave_repl_offset") == 0.0
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "keys not replicated: {m:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        m = by_name(&on_replica.fetch().expect("fetch"));
    }
    assert!(gauge(&m, "redis.replication.slave_repl_offset") > 0.0);
    drop(replica);
}

#[test]
fn a_down_server_is_an_error_naming_the_address() {
    let port = free_port();
    let mut p = plugin(
        "redis",
        &["--host", "127.0.0.1", "--port", &port.to_string()],
    );
    let e = p.fetch().expect_err("nobody listens");
    assert!(
        e.to_string()
            .starts_with(&format!("redis at 127.0.0.1:{port}: connect:")),
        "{e}"
    );
    let mut p = plugin("redis", &["--socket", "/nonexistent/redis.sock"]);
    let e = p.fetch().expect_err("no socket");
    assert!(
        e.to_string().contains("redis at /nonexistent/redis.sock"),
        "{e}"
    );
}

#[test]
fn bad_arguments_are_usage_errors_naming_them() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let e = sonde_plugins::lookup("redis", &args(&["--port", "sixty"])).expect_err("port");
    assert_eq!(e.to_string(), "redis: --port \"sixty\": want a number");
    let e = sonde_plugins::lookup("redis", &args(&["--bogus"])).expect_err("flag");
    assert!(e.to_string().contains("unknown flag \"--bogus\""), "{e}");
}

/// The workspace's `sonde` binary (`make test` builds the workspace first).
fn sonde_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let bin = target.join("debug/sonde");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p sonde` first",
        bin.display()
    );
    bin
}

#[test]
fn sonde_plugin_redis_prints_mackerel_lines_and_meta() {
    let r = start();
    let work = Scratch::new("redis-workdir");
    let run = |meta: bool| {
        let out = Command::new(sonde_bin())
            .args([
                "plugin",
                "redis",
                "--host",
                "127.0.0.1",
                "--port",
                &r.port.to_string(),
            ])
            .env("MACKEREL_PLUGIN_WORKDIR", work.path())
            .env("MACKEREL_AGENT_PLUGIN_META", if meta { "1" } else { "" })
            .output()
            .expect("run sonde");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let first = run(false);
    let second = run(false);
    for text in [&first, &second] {
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 3, "{line:?}");
            assert!(f[0].starts_with("redis."), "{line:?}");
            f[1].parse::<f64>()
                .unwrap_or_else(|_| panic!("value in {line:?}"));
            let epoch: i64 = f[2].parse().unwrap_or_else(|_| panic!("epoch in {line:?}"));
            assert!(
                (epoch - sonde_plugins::epoch_now() as i64).abs() < 60,
                "{line:?}"
            );
        }
    }
    assert!(first.contains("redis.memory.used_memory\t"), "{first}");
    // Counters need a previous run, kept in the work directory.
    assert!(
        !first.contains("redis.queries.total_commands_processed\t"),
        "{first}"
    );
    assert!(
        second.contains("redis.queries.total_commands_processed\t"),
        "{second}"
    );

    let meta = run(true);
    let (head, json) = meta.split_once('\n').expect("two parts");
    assert_eq!(head, "# mackerel-agent-plugin");
    let v: serde_json::Value = serde_json::from_str(json).expect("meta is JSON");
    let q = &v["graphs"]["redis.queries"];
    assert_eq!(q["label"], "Redis Queries");
    assert_eq!(q["metrics"][0]["name"], "total_commands_processed");
}
