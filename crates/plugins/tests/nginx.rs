//! The nginx plugin against a real nginx started on a temporary config with
//! a stub_status location: names as mackerel-plugin-nginx posts them,
//! request counters that move by exactly the requests the test made, a
//! page that is not stub_status, and a down server.

mod common_services;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use common_services::*;

struct Nginx {
    port: u16,
    _server: Server,
    _dir: Scratch,
}

fn start() -> Nginx {
    let dir = Scratch::new("nginx");
    let port = free_port();
    let d = dir.path().display();
    // One process (no master), so killing it at the end leaves no workers.
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           server {{\n    listen 127.0.0.1:{port};\n\
             location = /nginx_status {{ stub_status; }}\n\
             location = /hello {{ return 200 \"hello\\n\"; }}\n\
           }}\n}}\n"
    );
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("write nginx.conf");
    let mut cmd =
        Command::new(find_program(&["nginx"], &[]).expect("nginx is installed (scripts/setup.sh)"));
    cmd.arg("-p")
        .arg(dir.path())
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .arg("-c")
        .arg(&conf_path);
    let mut server = Server::start("nginx", cmd, &dir.path().join("log"));
    server.wait_port(port);
    Nginx {
        port,
        _server: server,
        _dir: dir,
    }
}

/// One GET, whole response back.
fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to nginx");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn counters_move_by_the_requests_made_and_names_match_the_go_plugin() {
    let n = start();
    let port = n.port.to_string();
    let mut p = plugin(
        "nginx",
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--path",
            "/nginx_status",
        ],
    );
    let first = p.fetch().expect("fetch");
    let m = by_name(&first);
    // The plugin's own connection is the one active, and it is writing.
    assert_eq!(gauge(&m, "nginx.connections.connections"), 1.0);
    assert_eq!(gauge(&m, "nginx.queue.writing"), 1.0);
    assert_eq!(gauge(&m, "nginx.queue.reading"), 0.0);
    assert!(counter(&m, "nginx.requests.requests") >= 1);
    counter(&m, "nginx.requests.accepts");
    counter(&m, "nginx.requests.handled");
    assert_graphs_cover(p.as_ref(), &first);
    let meta = p.graphs();
    assert_eq!(meta["graphs"]["nginx.requests"]["label"], "Nginx requests");

    let rates = two_fetches(p.as_mut(), || {
        for _ in 0..5 {
            assert!(get(n.port, "/hello").contains("hello"));
        }
    });
    // Five GETs and the second fetch's own: six requests on six
    // connections, counted as an increase over exactly 60 s.
    assert_eq!(rates["nginx.requests.requests"], 6.0, "{rates:?}");
    assert_eq!(rates["nginx.requests.accepts"], 6.0, "{rates:?}");
    assert_eq!(rates["nginx.requests.handled"], 6.0, "{rates:?}");

    let mut by_uri = plugin(
        "nginx",
        &["--uri", &format!("http://127.0.0.1:{port}/nginx_status")],
    );
    by_uri.fetch().expect("fetch by --uri");
}

#[test]
fn a_page_that_is_not_stub_status_and_a_down_server_are_clear_errors() {
    let n = start();
    let port = n.port.to_string();
    let mut missing = plugin(
        "nginx",
        &["--host", "127.0.0.1", "--port", &port, "--path", "/nope"],
    );
    let e = missing.fetch().expect_err("404");
    assert!(
        e.to_string()
            .starts_with(&format!("nginx at http://127.0.0.1:{port}/nope: HTTP 404")),
        "{e}"
    );
    let mut hello = plugin(
        "nginx",
        &["--host", "127.0.0.1", "--port", &port, "--path", "/hello"],
    );
    let e = hello.fetch().expect_err("not stub_status");
    assert!(e.to_string().contains("not a stub_status page"), "{e}");

    drop(n);
    let mut p = plugin("nginx", &["--host", "127.0.0.1", "--port", &port]);
    let e = p.fetch().expect_err("stopped");
    assert!(
        e.to_string()
            .starts_with(&format!("nginx at 127.0.0.1:{port}: connect:")),
        "{e}"
    );
}
