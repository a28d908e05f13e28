//! Debian's `victoria-metrics` started for a test: a temporary data
//! directory, a free port, the flags a sonde deployment sets
//! (docs/victoriametrics.md), ready once `/health` answers; killed and removed on
//! drop. `stop` and `start` keep the port and the data, for outage tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = "/usr/bin/victoria-metrics";

pub struct Vm {
    child: Option<Child>,
    /// Started with VictoriaMetrics' own defaults for what sonde's
    /// deployment flags change (the latency offset).
    defaults: bool,
    pub port: u16,
    pub url: String,
    dir: PathBuf,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("addr").port()
}

impl Vm {
    /// Starts one for the test `name`. Panics (the test fails) when the
    /// binary is missing: `scripts/setup.sh` installs it.
    pub fn start(name: &str) -> Vm {
        Vm::launch(name, false)
    }

    /// One with VictoriaMetrics' default `-search.latencyOffset` (30 s),
    /// to show sonde's answers do not depend on it.
    pub fn start_with_default_latency(name: &str) -> Vm {
        Vm::launch(name, true)
    }

    fn launch(name: &str, defaults: bool) -> Vm {
        assert!(
            std::path::Path::new(BINARY).exists(),
            "{BINARY} is missing: run scripts/setup.sh (Debian's victoria-metrics)"
        );
        let dir = std::env::temp_dir().join(format!("sonde-vm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("vm dir");
        let port = free_port();
        let mut vm = Vm {
            child: None,
            defaults,
            port,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        vm.resume();
        vm
    }

    /// Starts it again on the same port and data.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.join("vm.log")).expect("log");
        let mut cmd = Command::new(BINARY);
        if !self.defaults {
            cmd.arg("-search.latencyOffset=1s");
        }
        let child = cmd
            .arg(format!(
                "-storageDataPath={}",
                self.dir.join("data").display()
            ))
            .arg(format!("-httpListenAddr=127.0.0.1:{}", self.port))
            .arg("-retentionPeriod=1y")
            .arg("-dedup.minScrapeInterval=1ms")
            .arg("-maxLabelsPerTimeseries=64")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start victoria-metrics");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if health(self.port) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "victoria-metrics on port {} not ready in 15 s: {}",
                self.port,
                std::fs::read_to_string(self.dir.join("vm.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it (SIGKILL: what an outage looks like to sonde).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn health(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
