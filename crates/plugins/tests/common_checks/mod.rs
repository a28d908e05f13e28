//! Shared set-up for the check and timing plugin tests: real servers
//! (nginx with plain HTTP and HTTPS, dnsmasq) on free ports in temporary
//! directories, certificates made with the `openssl` command, and helpers to
//! run a plugin through `sonde_plugins::lookup`.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sonde_plugins::{Builtin, CheckResult, CheckStatus, UsageError};

pub fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Runs the check `name` once with `a`.
pub fn check(name: &str, a: &[&str]) -> CheckResult {
    match sonde_plugins::lookup(name, &args(a)) {
        Ok(Builtin::Check(mut c)) => c.check(),
        Ok(other) => panic!("{name} is not a check: {other:?}"),
        Err(e) => panic!("{name} {a:?}: {e}"),
    }
}

/// The usage error `name` gives for `a`.
pub fn usage_error(name: &str, a: &[&str]) -> UsageError {
    match sonde_plugins::lookup(name, &args(a)) {
        Ok(_) => panic!("{name} {a:?} was accepted"),
        Err(e) => e,
    }
}

/// Asserts the status and that the message contains every one of `parts`.
#[track_caller]
pub fn assert_result(r: &CheckResult, status: CheckStatus, parts: &[&str]) {
    assert_eq!(r.status, status, "{}", r.message);
    for p in parts {
        assert!(r.message.contains(p), "{p:?} not in {:?}", r.message);
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("sonde-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until something accepts on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, what: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server process that cannot outlive the test binary: it runs under
/// `sh`, which waits on a pipe from the test and kills the server when the
/// pipe closes, be it by drop or by the test process exiting (a server
/// shared through a `static` is never dropped).
pub struct Guarded {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
}

impl Guarded {
    pub fn spawn(program: &str, args: &[String]) -> Guarded {
        // Debian puts nginx and dnsmasq in /usr/sbin, which a non-root
        // PATH may lack.
        let program = ["/usr/sbin", "/sbin"]
            .iter()
            .map(|d| Path::new(d).join(program))
            .find(|p| p.exists())
            .map_or_else(|| program.to_string(), |p| p.display().to_string());
        let program = program.as_str();
        let mut child = Command::new("sh")
            .arg("-c")
            // The server in the background; a reader of the pipe (fd 3, as
            // a background job's stdin is /dev/null) kills it when the pipe
            // closes; sh itself ends when the server does, so an exit
            // (a port taken meanwhile) shows in try_wait.
            .arg(r#"exec 3<&0; "$@" </dev/null >/dev/null 2>&1 & pid=$!; (read _ <&3; kill $pid 2>/dev/null) & wait $pid"#)
            .arg("sh")
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        let stdin = child.stdin.take();
        Guarded { child, stdin }
    }

    /// Whether the server is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits until every one of `ports` accepts; false when the server
    /// exits first (a port taken by someone else since it was picked).
    pub fn wait_for_ports(&mut self, ports: &[u16], what: &str) -> bool {
        let until = Instant::now() + Duration::from_secs(10);
        for &port in ports {
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if !self.running() {
                    return false;
                }
                assert!(Instant::now() < until, "{what} did not listen on {port}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        true
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A test CA and leaf certificates it signed for `localhost` and 127.0.0.1.
pub struct Certs {
    pub ca: PathBuf,
    /// Valid for ten more days.
    pub fresh: (PathBuf, PathBuf),
    /// Expired a month ago.
    pub expired: (PathBuf, PathBuf),
}

/// Makes the certificates with `openssl` (EC keys: quick to generate).
/// `openssl ca` is used for the leaves because, unlike `x509 -req` in
/// OpenSSL 3.0, it can set an explicit start date, which is how an already
/// expired certificate is made.
pub fn make_certs(dir: &Path) -> Certs {
    let p = |n: &str| dir.join(n);
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args(["-days", "3650", "-subj", "/CN=sonde test CA"])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    std::fs::create_dir_all(p("newcerts")).expect("dir");
    std::fs::write(p("index.txt"), "").expect("index");
    std::fs::write(p("serial"), "1000\n").expect("serial");
    let conf = format!(
        "[ca]\ndefault_ca = test\n[test]\ndir = {d}\ndatabase = {d}/index.txt\n\
         new_certs_dir = {d}/newcerts\nserial = {d}/serial\ncertificate = {d}/ca.pem\n\
         private_key = {d}/ca.key\ndefault_md = sha256\npolicy = any\n\
         unique_subject = no\ncopy_extensions = none\nx509_extensions = leaf\n\
         [any]\ncommonName = supplied\n\
         [leaf]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n",
        d = dir.display()
    );
    std::fs::write(p("ca.conf"), conf).expect("conf");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let leaf = |name: &str, start: i64, end: i64| -> (PathBuf, PathBuf) {
        let key = p(&format!("{name}.key"));
        let csr = p(&format!("{name}.csr"));
        let pem = p(&format!("{name}.pem"));
        run(Command::new("openssl")
            .args(["req", "-new"])
            .args(ec)
            .args(["-subj", "/CN=localhost"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&csr));
        run(Command::new("openssl")
            .args(["ca", "-batch", "-notext", "-config"])
            .arg(p("ca.conf"))
            .args(["-startdate", &gen_time(start), "-enddate", &gen_time(end)])
            .arg("-in")
            .arg(&csr)
            .arg("-out")
            .arg(&pem));
        (pem, key)
    };
    Certs {
        ca: p("ca.pem"),
        // Ten days and an hour, so "10 days" holds for the whole test run.
        fresh: leaf("fresh", now - 3600, now + 10 * 86_400 + 3600),
        expired: leaf("expired", now - 60 * 86_400, now - 30 * 86_400),
    }
}

/// `YYYYMMDDHHMMSSZ` of seconds since the epoch (for `openssl ca`).
fn gen_time(t: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{t}"), "+%Y%m%d%H%M%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// nginx serving plain HTTP on `http`, HTTPS with the fresh certificate on
/// `https` and with the expired one on `expired`, from a temporary
/// directory; stopped on drop.
pub struct Nginx {
    child: Guarded,
    pub http: u16,
    pub https: u16,
    pub expired: u16,
    pub certs: Certs,
    _dir: TempDir,
}

/// The body of `/index.html`.
pub const INDEX: &str = "<html><body>hello from sonde's test nginx</body></html>\n";

impl Nginx {
    pub fn start() -> Nginx {
        let dir = TempDir::new("nginx");
        let d = dir.path();
        let certs = make_certs(d);
        std::fs::create_dir_all(d.join("www/chunked")).expect("www");
        std::fs::write(d.join("www/index.html"), INDEX).expect("index");
        std::fs::write(d.join("www/chunked/index.html"), INDEX).expect("index");
        for _ in 0..3 {
            let ports = (free_port(), free_port(), free_port());
            if let Some(n) = Nginx::try_start(d, &certs, ports) {
                return Nginx {
                    child: n,
                    http: ports.0,
                    https: ports.1,
                    expired: ports.2,
                    certs,
                    _dir: dir,
                };
            }
        }
        panic!(
            "nginx (Debian package nginx) did not start: see {}/error.log",
            d.display()
        );
    }

    /// nginx on these ports, or None when it exits (a port was taken).
    fn try_start(
        d: &Path,
        certs: &Certs,
        (http, https, expired): (u16, u16, u16),
    ) -> Option<Guarded> {
        let www = d.join("www");
        let conf = format!(
            r#"daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    default_type text/html;
    server {{
        listen 127.0.0.1:{http};
        listen 127.0.0.1:{https} ssl;
        ssl_certificate {fresh_pem};
        ssl_certificate_key {fresh_key};
        root {www};
        location /boom {{ return 500 "boom\n"; }}
        location /moved {{ return 301 /index.html; }}
        location /loop {{ return 302 /loop; }}
        location /auth {{
            if ($http_authorization != "Basic c29uZGU6c2VjcmV0") {{ return 401 "who?\n"; }}
            return 200 "auth ok\n";
        }}
        location /method {{ return 200 "method=$request_method\n"; }}
        location /header {{
            if ($http_x_sonde != "yes") {{ return 403 "no header\n"; }}
            return 200 "header seen\n";
        }}
        location /chunked/ {{ sub_filter 'hello' 'HELLO'; sub_filter_once off; }}
    }}
    server {{
        listen 127.0.0.1:{expired} ssl;
        ssl_certificate {old_pem};
        ssl_certificate_key {old_key};
        root {www};
    }}
}}
"#,
            d = d.display(),
            www = www.display(),
            fresh_pem = certs.fresh.0.display(),
            fresh_key = certs.fresh.1.display(),
            old_pem = certs.expired.0.display(),
            old_key = certs.expired.1.display(),
        );
        std::fs::write(d.join("nginx.conf"), conf).expect("conf");
        let mut child = Guarded::spawn(
            "nginx",
            &[
                "-c".into(),
                d.join("nginx.conf").display().to_string(),
                "-p".into(),
                d.display().to_string(),
            ],
        );
        child
            .wait_for_ports(&[http, https, expired], "nginx")
            .then_some(child)
    }

    pub fn ca(&self) -> String {
        self.certs.ca.display().to_string()
    }
}

/// dnsmasq answering `test.sonde` with 192.0.2.7 and 2001:db8::7,
/// `nx.sonde` with NXDOMAIN, and `big.sonde` with more A records than fit
/// in a 512-byte UDP answer; on 127.0.0.1:`port`, stopped on drop.
pub struct Dnsmasq {
    child: Guarded,
    pub port: u16,
}

impl Dnsmasq {
    pub fn start() -> Dnsmasq {
        for _ in 0..3 {
            // dnsmasq serves UDP and TCP on the same port: one free for both.
            let port = loop {
                let p = free_port();
                if std::net::UdpSocket::bind(("127.0.0.1", p)).is_ok() {
                    break p;
                }
            };
            let mut a: Vec<String> = [
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                "--conf-file=/dev/null",
                "--pid-file=",
                "--user=root",
                "--log-facility=/dev/null",
                "--address=/test.sonde/192.0.2.7",
                "--address=/test.sonde/2001:db8::7",
                "--address=/nx.sonde/",
            ]
            .map(String::from)
            .to_vec();
            a.push(format!("--port={port}"));
            for i in 1..=40 {
                a.push(format!("--host-record=big.sonde,192.0.2.{i}"));
            }
            let mut child = Guarded::spawn("dnsmasq", &a);
            if child.wait_for_ports(&[port], "dnsmasq") {
                return Dnsmasq { child, port };
            }
        }
        panic!("dnsmasq (Debian package dnsmasq-base) did not start");
    }

    pub fn server(&self) -> String {
        "127.0.0.1".to_string()
    }
}

/// The `sonde` binary, brought up to date first (a binary left from an
/// older build would not know the plugins under test; when it is current,
/// this cargo run is a quick no-op).
pub fn sonde_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo).args(["build", "-q", "-p", "sonde", "--bin", "sonde"]));
    target.join("debug/sonde")
}
