//! Where a service listens and a connection to it whose reads and writes
//! all end by one deadline: a server that accepts and then says nothing, or
//! trickles a byte a second, still cannot hold a fetch past `--timeout`.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::PluginError;

/// A TCP host and port, or a unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Endpoint::Tcp { host, port } => write!(f, "{host}:{port}"),
            Endpoint::Unix(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Endpoint {
    /// Connects, within `timeout` for the whole exchange that follows.
    /// Errors name the service and the address.
    pub fn connect(&self, service: &str, timeout: Duration) -> Result<Stream, PluginError> {
        let deadline = Instant::now() + timeout;
        let fail = |e: io::Error| PluginError::new(format!("{service} at {self}: connect: {e}"));
        let inner = match self {
            Endpoint::Unix(path) => {
                // A local connect does not block on a live server; one whose
                // backlog is full is the read deadline's business.
                Inner::Unix(UnixStream::connect(path).map_err(fail)?)
            }
            Endpoint::Tcp { host, port } => {
                let addrs = (host.as_str(), *port).to_socket_addrs().map_err(fail)?;
                let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
                let mut conn = None;
                for a in addrs {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        last = io::Error::new(io::ErrorKind::TimedOut, "timed out");
                        break;
                    }
                    match TcpStream::connect_timeout(&a, left) {
                        Ok(s) => {
                            conn = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let s = conn.ok_or_else(|| fail(last))?;
                // Requests are small and answered at once: no Nagle delay.
                let _ = s.set_nodelay(true);
                Inner::Tcp(s)
            }
        };
        Ok(Stream {
            inner,
            deadline,
            service: service.to_string(),
            addr: self.to_string(),
        })
    }
}

#[derive(Debug)]
enum Inner {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// A connection whose reads and writes fail with `TimedOut` once the
/// deadline set at connect has passed.
#[derive(Debug)]
pub struct Stream {
    inner: Inner,
    deadline: Instant,
    service: String,
    addr: String,
}

impl Stream {
    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
        } else {
            Ok(left)
        }
    }

    /// A [`PluginError`] saying `what` failed, naming the service and address.
    pub fn error(&self, what: impl std::fmt::Display) -> PluginError {
        PluginError::new(format!("{} at {}: {what}", self.service, self.addr))
    }

    /// The address, for messages.
    pub fn addr(&self) -> &str {
        &self.addr
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = Some(self.left()?);
        match &mut self.inner {
            Inner::Tcp(s) => {
                s.set_read_timeout(left)?;
                s.read(buf)
            }
            Inner::Unix(s) => {
                s.set_read_timeout(left)?;
                s.read(buf)
            }
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = Some(self.left()?);
        match &mut self.inner {
            Inner::Tcp(s) => {
                s.set_write_timeout(left)?;
                s.write(buf)
            }
            Inner::Unix(s) => {
                s.set_write_timeout(left)?;
                s.write(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The endpoint from `--socket` (wins when given) or `--host`/`--port`.
pub fn endpoint(
    flags: &super::args::Flags,
    default_host: &str,
    default_port: u16,
) -> Result<Endpoint, crate::UsageError> {
    if let Some(s) = flags.get("socket").filter(|s| !s.is_empty()) {
        return Ok(Endpoint::Unix(PathBuf::from(s)));
    }
    let host = flags.string("host", default_host);
    if host.is_empty() {
        return Err(flags.bad("host", &host, "a host name or address"));
    }
    let port = flags.number("port", default_port)?;
    Ok(Endpoint::Tcp { host, port })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_silent_server_times_out_at_the_deadline() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let ep = Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        };
        let started = Instant::now();
        let mut s = ep
            .connect("test", Duration::from_millis(300))
            .expect("connects");
        let mut b = [0u8; 4];
        let e = s.read(&mut b).expect_err("nothing comes");
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{e:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        // After the deadline every call fails at once.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            s.read(&mut b).expect_err("past").kind(),
            io::ErrorKind::TimedOut
        );
        drop(l);
    }

    #[test]
    fn a_refused_connection_names_the_address() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        drop(l);
        let ep = Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        };
        let e = ep
            .connect("redis", Duration::from_secs(1))
            .expect_err("refused");
        assert!(
            e.to_string()
                .starts_with(&format!("redis at 127.0.0.1:{port}: connect:")),
            "{e}"
        );
        let e = Endpoint::Unix("/nonexistent/x.sock".into())
            .connect("redis", Duration::from_secs(1))
            .expect_err("no socket");
        assert!(e.to_string().contains("/nonexistent/x.sock"), "{e}");
    }
}
