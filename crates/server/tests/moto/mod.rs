//! A real S3 endpoint for the tests: moto's server (`moto[server]` from
//! PyPI, installed by scripts/setup.sh into /opt/sonde-test/moto, or the one
//! `$SONDE_MOTO_SERVER` names), started on a free port and stopped when the
//! handle drops.
//!
//! With `auth`, moto checks every request's SigV4 signature against the
//! access keys of its IAM: the first three requests (made here, unsigned
//! but allowed) create a user, its key and a policy allowing S3, and every
//! request after must be signed with that key. So an S3 test with `auth`
//! is a test of sonde's signing by a verifier that is not sonde's.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
    /// The key moto's IAM knows (with `auth`), else any.
    pub access_key: String,
    pub secret_key: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server (the store goes down).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sonde's credentials for this server.
    pub fn credentials(&self) -> sonde_server::sigv4::Credentials {
        sonde_server::sigv4::Credentials {
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            session_token: None,
        }
    }

    pub fn config(&self, bucket: &str, prefix: &str) -> sonde_server::s3::S3Config {
        sonde_server::s3::S3Config {
            endpoint: sonde_server::client::Target::parse(&self.endpoint()).expect("endpoint"),
            region: "us-east-1".into(),
            bucket: bucket.into(),
            prefix: prefix.into(),
            credentials: self.credentials(),
        }
    }
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SONDE_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    PathBuf::from("/opt/sonde-test/moto/bin/moto_server")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A raw request; the status and body.
pub fn raw(port: u16, head: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// An IAM call (query protocol), signed as IAM with a key moto does not
/// check for its first requests.
fn iam(port: u16, params: &str) -> String {
    let amz = sonde_server::sigv4::amz_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64,
    );
    let host = format!("127.0.0.1:{port}");
    let hash = sonde_server::sigv4::sha256_hex(params.as_bytes());
    let headers = vec![
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("host".to_string(), host.clone()),
        ("x-amz-date".to_string(), amz.clone()),
    ];
    let auth = sonde_server::sigv4::authorization(
        &sonde_server::sigv4::Credentials {
            access_key: "AKIABOOTSTRAP".into(),
            secret_key: "bootstrap".into(),
            session_token: None,
        },
        &sonde_server::sigv4::Scope {
            amz_date: &amz,
            region: "us-east-1",
            service: "iam",
        },
        &sonde_server::sigv4::Unsigned {
            method: "POST",
            path: "/",
            query: &[],
            headers: &headers,
            payload_hash: &hash,
        },
    );
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: {amz}\r\nAuthorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        params.len()
    );
    let (status, body) = raw(port, &head, params.as_bytes()).expect("IAM call");
    assert_eq!(status, 200, "IAM {params}: {body}");
    body
}

fn between<'a>(doc: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = doc.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = doc[start..]
        .find(&format!("</{tag}>"))
        .map(|i| start + i)
        .unwrap_or(start);
    &doc[start..end]
}

/// Starts moto on a free port and waits until it answers (a few seconds:
/// it is Python importing its services).
pub fn start(auth: bool) -> Moto {
    let bin = binary();
    assert!(
        bin.exists(),
        "{} is missing: run scripts/setup.sh (it installs moto[server] there), or set SONDE_MOTO_SERVER",
        bin.display()
    );
    let port = free_port();
    let mut cmd = Command::new(&bin);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if auth {
        cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", "3");
    }
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let mut moto = Moto {
        child,
        port,
        access_key: "AKIASONDETEST".into(),
        secret_key: "sonde-test-secret".into(),
    };
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let up = raw(
            port,
            "GET /moto-api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"",
        )
        .map(|(s, _)| s > 0)
        .unwrap_or(false);
        if up {
            break;
        }
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!("moto_server exited at start: {status}");
        }
        assert!(
            Instant::now() < until,
            "moto_server did not answer on port {port} in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    if auth {
        iam(port, "Action=CreateUser&UserName=sonde&Version=2010-05-08");
        let key = iam(
            port,
            "Action=CreateAccessKey&UserName=sonde&Version=2010-05-08",
        );
        moto.access_key = between(&key, "AccessKeyId").to_string();
        moto.secret_key = between(&key, "SecretAccessKey").to_string();
        assert!(
            !moto.access_key.is_empty() && !moto.secret_key.is_empty(),
            "{key}"
        );
        let policy = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        iam(
            port,
            &format!(
                "Action=PutUserPolicy&UserName=sonde&PolicyName=s3&PolicyDocument={policy}&Version=2010-05-08"
            ),
        );
    }
    moto
}
