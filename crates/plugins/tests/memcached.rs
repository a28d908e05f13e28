//! The memcached plugin against a real memcached on a free port (and on a
//! unix socket): names as mackerel-plugin-memcached posts them, counters
//! that move by exactly what the test did, a down server.

mod common_services;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common_services::*;

/// Sends text-protocol commands and reads one reply line for each.
fn send(port: u16, cmds: &[&str]) -> Vec<String> {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to memcached");
    let mut r = BufReader::new(s.try_clone().expect("clone"));
    let mut w = s;
    let mut out = Vec::new();
    for c in cmds {
        w.write_all(format!("{c}\r\n").as_bytes()).expect("send");
        let mut line = String::new();
        r.read_line(&mut line).expect("reply");
        if line.starts_with("VALUE") {
            // data line, then END
            r.read_line(&mut String::new()).expect("data");
            r.read_line(&mut String::new()).expect("END");
        }
        out.push(line.trim_end().to_string());
    }
    out
}

fn memcached(extra: &[&str]) -> Command {
    let mut cmd = Command::new("memcached");
    // -u: memcached refuses to run as root without a user to become.
    cmd.args(["-u", "nobody", "-m", "16"]).args(extra);
    cmd
}

#[test]
fn counters_move_by_what_the_test_did_and_names_match_the_go_plugin() {
    let dir = Scratch::new("memcached");
    let port = free_port();
    let p_s = port.to_string();
    let mut server = Server::start(
        "memcached",
        memcached(&["-l", "127.0.0.1", "-p", &p_s, "-U", "0"]),
        &dir.path().join("log"),
    );
    server.wait_port(port);

    let mut p = plugin("memcached", &["--host", "127.0.0.1", "--port", &p_s]);
    let first = p.fetch().expect("fetch");
    let m = by_name(&first);
    assert_eq!(
        gauge(&m, "memcached.cachesize.limit_maxbytes"),
        16.0 * 1024.0 * 1024.0
    );
    assert!(gauge(&m, "memcached.connections.curr_connections") >= 1.0);
    assert_eq!(gauge(&m, "memcached.items.curr_items"), 0.0);
    counter(&m, "memcached.cmd.cmd_get");
    counter(&m, "memcached.evictions.nonzero_evictions");
    assert_graphs_cover(p.as_ref(), &first);

    let rates = two_fetches(p.as_mut(), || {
        let r = send(
            port,
            &[
                "set a 0 0 1\r\nx",
                "set b 0 0 1\r\ny",
                "get a",
                "get a",
                "get zz",
                "delete b",
                "delete b",
                "incr nope 1",
            ],
        );
        assert_eq!(r[0], "STORED");
        assert_eq!(r[5], "DELETED");
    });
    // Taken 60 s apart, a per-minute rate is the plain increase.
    assert_eq!(rates["memcached.cmd.cmd_set"], 2.0, "{rates:?}");
    assert_eq!(rates["memcached.cmd.cmd_get"], 3.0, "{rates:?}");
    assert_eq!(rates["memcached.hitmiss.get_hits"], 2.0, "{rates:?}");
    assert_eq!(rates["memcached.hitmiss.get_misses"], 1.0, "{rates:?}");
    assert_eq!(rates["memcached.hitmiss.delete_hits"], 1.0, "{rates:?}");
    assert_eq!(rates["memcached.hitmiss.delete_misses"], 1.0, "{rates:?}");
    assert_eq!(rates["memcached.hitmiss.incr_misses"], 1.0, "{rates:?}");
    assert_eq!(rates["memcached.items.new_items"], 2.0, "{rates:?}");
    assert_eq!(rates["memcached.items.curr_items"], 1.0, "{rates:?}");
    assert!(rates["memcached.bytes.bytes_read"] > 0.0, "{rates:?}");
}

#[test]
fn a_unix_socket_works_and_a_down_server_names_the_address() {
    let dir = Scratch::new("memcached-sock");
    let sock = dir.path().join("mc.sock");
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("let memcached's user create its socket");
    let sock_s = sock.to_str().expect("utf-8 path").to_string();
    let mut server = Server::start(
        "memcached",
        memcached(&["-s", &sock_s, "-a", "0666"]),
        &dir.path().join("log"),
    );
    server.wait("listening on its socket", Duration::from_secs(10), || {
        std::os::unix::net::UnixStream::connect(&sock).is_ok()
    });
    let mut p = plugin("memcached", &["--socket", &sock_s]);
    let m = by_name(&p.fetch().expect("fetch over the socket"));
    assert!(gauge(&m, "memcached.connections.curr_connections") >= 1.0);

    drop(server);
    let e = p.fetch().expect_err("stopped");
    assert!(
        e.to_string()
            .starts_with(&format!("memcached at {sock_s}: connect:")),
        "{e}"
    );
    let port = free_port();
    let mut p = plugin(
        "memcached",
        &["--host", "127.0.0.1", "--port", &port.to_string()],
    );
    let e = p.fetch().expect_err("nobody listens");
    assert!(
        e.to_string()
            .contains(&format!("memcached at 127.0.0.1:{port}")),
        "{e}"
    );
}

#[test]
fn bad_arguments_are_usage_errors_naming_them() {
    let e = sonde_plugins::lookup("memcached", &["--timeout".into(), "soon".into()])
        .expect_err("timeout");
    assert!(
        e.to_string().starts_with("memcached: --timeout \"soon\""),
        "{e}"
    );
}
