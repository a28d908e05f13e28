//! Network steps every check shares, each bounded by a deadline so that no
//! check can hang the agent: name resolution (getaddrinfo has no timeout of
//! its own, so it runs on a short-lived thread that is abandoned if it
//! overruns), connecting to each address in turn, and a stream whose every
//! read and write is limited to the time left.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A point in time after which a check gives up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline(pub Instant);

impl Deadline {
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now() + d)
    }

    /// The time left, or a `TimedOut` error naming `what` when none is.
    pub fn left(&self, what: &str) -> io::Result<Duration> {
        let left = self.0.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("timed out {what}"),
            ))
        } else {
            Ok(left)
        }
    }
}

/// The addresses of `host` (a name, an IPv4 address or an IPv6 address with
/// or without brackets) at `port`. A numeric address needs no lookup; a name
/// is resolved by the system resolver on a thread, within the deadline.
pub(crate) fn resolve(host: &str, port: u16, deadline: Deadline) -> io::Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if bare.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "empty host name",
        ));
    }
    let left = deadline.left(&format!("resolving {bare}"))?;
    let (tx, rx) = mpsc::channel();
    let name = bare.to_string();
    std::thread::Builder::new()
        .name("sonde-resolve".into())
        .spawn(move || {
            // The receiver may be gone when the lookup overran: nothing to do.
            let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        })?;
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if addrs.is_empty() => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{bare}: no addresses"),
        )),
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(e)) => Err(io::Error::new(e.kind(), format!("resolving {bare}: {e}"))),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out resolving {bare}"),
        )),
    }
}

/// A TCP connection to the first of `addrs` that accepts one within the
/// deadline; the error names every address tried.
pub(crate) fn connect(addrs: &[SocketAddr], deadline: Deadline) -> io::Result<TcpStream> {
    let mut errors = Vec::new();
    for a in addrs {
        let left = match deadline.left(&format!("connecting to {a}")) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e.to_string());
                break;
            }
        };
        match TcpStream::connect_timeout(a, left) {
            Ok(s) => {
                // Checks send small requests and wait for the answer.
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => errors.push(format!("{a}: {e}")),
        }
    }
    Err(io::Error::other(format!(
        "connect failed: {}",
        errors.join("; ")
    )))
}

/// A stream socket whose read and write timeouts can be set (TCP, UNIX).
pub(crate) trait Socket: Read + Write {
    fn set_timeouts(&self, d: Duration) -> io::Result<()>;
}

impl Socket for TcpStream {
    fn set_timeouts(&self, d: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(d))?;
        self.set_write_timeout(Some(d))
    }
}

impl Socket for UnixStream {
    fn set_timeouts(&self, d: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(d))?;
        self.set_write_timeout(Some(d))
    }
}

/// A stream whose reads and writes each wait at most until the deadline.
#[derive(Debug)]
pub(crate) struct Timed<S = TcpStream> {
    pub sock: S,
    pub deadline: Deadline,
}

impl<S: Socket> Read for Timed<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.left("reading")?;
        self.sock.set_timeouts(left)?;
        self.sock.read(buf).map_err(timed_out)
    }
}

impl<S: Socket> Write for Timed<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.deadline.left("writing")?;
        self.sock.set_timeouts(left)?;
        self.sock.write(buf).map_err(timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// A connection to the UNIX socket at `path` within the deadline. The
/// connect runs on a short-lived thread: connecting blocks while a hung
/// server's backlog is full, and std has no timeout for it; the thread is
/// abandoned (and ends when the server accepts or goes) if it overruns.
pub(crate) fn connect_unix(path: &Path, deadline: Deadline) -> io::Result<UnixStream> {
    let left = deadline.left(&format!("connecting to {}", path.display()))?;
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    std::thread::Builder::new()
        .name("sonde-connect".into())
        .spawn(move || {
            let _ = tx.send(UnixStream::connect(&p));
        })?;
    match rx.recv_timeout(left) {
        Ok(r) => r.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out connecting to {}", path.display()),
        )),
    }
}

/// A socket timeout shows as `WouldBlock` (EAGAIN) on Linux; say what it is.
fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "timed out waiting for the peer")
    } else {
        e
    }
}

/// `host:port` for messages, with brackets around an IPv6 address.
pub(crate) fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_addresses_need_no_lookup() {
        let d = Deadline::after(Duration::from_secs(1));
        let a = resolve("[::1]", 80, d).expect("numeric");
        assert_eq!(a, vec!["[::1]:80".parse().expect("addr")]);
        let a = resolve("127.0.0.1", 8, d).expect("numeric");
        assert_eq!(a, vec!["127.0.0.1:8".parse().expect("addr")]);
        assert!(resolve("", 8, d).is_err());
        assert_eq!(host_port("::1", 5), "[::1]:5");
        assert_eq!(host_port("a.b", 5), "a.b:5");
    }

    #[test]
    fn a_refused_connection_names_the_address() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        drop(l);
        let e = connect(&[addr], Deadline::after(Duration::from_secs(2))).expect_err("refused");
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
    }
}
