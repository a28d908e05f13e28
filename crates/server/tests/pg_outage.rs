//! PostgreSQL going away under a running server (fleet mode): the server
//! started with `--state postgres://...` serves; PostgreSQL is killed
//! (immediate shutdown, as a crash); requests that need state get a 503
//! naming the database while the rest of the server keeps serving, and a
//! server started meanwhile fails with an error naming the URL; PostgreSQL
//! restarts (crash recovery) and the same server answers again with the
//! data from before, its broken connections replaced.
//!
//! Its own PostgreSQL (not the shared one of the other test binaries): this
//! test stops it.

mod common_pg;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use sonde_server::serve::{Options, start};

/// One request: (status, head, body).
fn call_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: &str,
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the server");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Api-Key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (status, head.to_string(), body.to_string())
}

fn call(addr: SocketAddr, method: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    let (status, _, body) = call_full(addr, method, path, key, body);
    (status, body)
}

#[test]
fn postgres_killed_mid_run_gives_503s_then_recovers() {
    if !common_pg::is_root() {
        println!(
            "skipped: postgres_killed_mid_run_gives_503s_then_recovers needs root (CI runs as root) to run postgres as the postgres user"
        );
        return;
    }
    let mut pg = common_pg::Pg::start("outage");
    let url = pg.fresh_db("outage");
    let data = std::env::temp_dir().join(format!("sonde-pg-outage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let options = Options {
        data: data.clone(),
        listen: "127.0.0.1:0".into(),
        write_keys: vec!["write-key-1".into()],
        admin_keys: vec!["admin-key-1".into()],
        limits: sonde_server::http::Limits::default(),
        evaluate_every: Duration::from_secs(1),
        metrics_url: None,
        artefacts: None,
        trusted_proxies: Vec::new(),
        state: Some(url.clone()),
    };
    let running = start(&options).expect("the server starts on PostgreSQL");
    let addr = running.server.addr;
    let (status, body) = call(
        addr,
        "POST",
        "/api/v1/hosts",
        "write-key-1",
        r#"{"name":"web-1"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(addr, "GET", "/api/v1/hosts", "admin-key-1", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("web-1"), "{body}");

    // PostgreSQL dies.
    pg.stop("QUIT");
    for _ in 0..3 {
        let t = Instant::now();
        let (status, head, body) = call_full(addr, "GET", "/api/v1/hosts", "admin-key-1", "");
        assert_eq!(status, 503, "{body}");
        assert!(head.contains("Retry-After: 5"), "{head}");
        assert!(
            body.contains("unavailable") && body.contains(&pg.dir.display().to_string()),
            "the 503 says which database is away: {body}"
        );
        assert!(t.elapsed() < Duration::from_secs(5), "answered promptly");
    }
    // The rest of the server keeps serving.
    let (status, body) = call(addr, "GET", "/login", "", "");
    assert_eq!(status, 200, "{body}");
    // A server started now says which URL it cannot reach.
    let e = start(&Options {
        listen: "127.0.0.1:0".into(),
        data: data.join("second"),
        ..options.clone()
    })
    .err()
    .expect("no database, no start");
    assert!(
        e.contains(&format!(".s.PGSQL.{}", pg.port)) && e.contains("unavailable"),
        "{e}"
    );

    // PostgreSQL comes back (crash recovery); the server answers again,
    // with what it stored before.
    pg.run();
    let t = Instant::now();
    loop {
        let (status, body) = call(addr, "GET", "/api/v1/hosts", "admin-key-1", "");
        if status == 200 {
            assert!(body.contains("web-1"), "{body}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "not back after 10 s: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, body) = call(
        addr,
        "POST",
        "/api/v1/hosts",
        "write-key-1",
        r#"{"name":"web-2"}"#,
    );
    assert_eq!(status, 200, "writes work again: {body}");
    running.server.stop();
    let _ = std::fs::remove_dir_all(&data);
}
