//! Where a service listens and a connection to it whose reads and writes
//! all end by one deadline: a server that accepts and then says nothing, or
//! trickles a byte a second, still cannot hold a fetch past `--timeout`.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::PluginError;

/// A TCP host and port, or a unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A host name or address and a port.
    Tcp { host: String, port: u16 },
    /// A unix socket's path.
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
            Endpoint::Unix(path) => Inner::Unix(unix_connect(path, deadline).map_err(fail)?),
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

/// Connects to a unix socket by `deadline`. A blocking connect to a server
/// that stopped accepting (hung, its backlog full) waits for ever, and std
/// has no timeout for it; a non-blocking one says `EAGAIN` at once, so it
/// is retried until the deadline.
#[allow(unsafe_code)]
fn unix_connect(path: &Path, deadline: Instant) -> io::Result<UnixStream> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;

    let bytes = path.as_os_str().as_bytes();
    // SAFETY: sockaddr_un is plain data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    if bytes.is_empty() || bytes.len() >= addr.sun_path.len() || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a usable socket path (empty, too long or with a NUL)",
        ));
    }
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in addr.sun_path.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    // SAFETY: socket() takes no pointers; the result is checked.
    let fd = unsafe {
        libc::socket(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a socket we just opened and own; the stream closes it.
    let stream = unsafe { UnixStream::from_raw_fd(fd) };
    loop {
        // SAFETY: addr is an initialised sockaddr_un and the length is its
        // size; fd is open for the life of `stream`.
        let r = unsafe {
            libc::connect(
                fd,
                (&raw const addr).cast::<libc::sockaddr>(),
                std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
            )
        };
        if r == 0 {
            break;
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN | libc::EINTR) => {
                if Instant::now() >= deadline {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "timed out (the server accepts no connections)",
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => return Err(e),
        }
    }
    stream.set_nonblocking(false)?;
    Ok(stream)
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
    fn a_unix_server_that_accepts_nothing_times_out_at_connect() {
        // A listener with a backlog of 0 that never accepts: one client
        // waits in its queue, the next cannot get in.
        let dir = std::env::temp_dir().join(format!("sonde-net-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let sock = dir.join("full.sock");
        let _ = std::fs::remove_file(&sock);
        let script = format!(
            "import socket, time\ns = socket.socket(socket.AF_UNIX)\ns.bind({:?})\ns.listen(0)\nprint('up', flush=True)\ntime.sleep(20)\n",
            sock.display().to_string()
        );
        let mut child = std::process::Command::new("python3")
            .args(["-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 (scripts/setup.sh installs it)");
        let mut up = [0u8; 3];
        child
            .stdout
            .as_mut()
            .expect("stdout")
            .read_exact(&mut up)
            .expect("listening");
        let ep = Endpoint::Unix(sock.clone());
        let mut held = Vec::new();
        let started = Instant::now();
        let mut timed_out = None;
        for _ in 0..8 {
            match ep.connect("t", Duration::from_millis(200)) {
                Ok(s) => held.push(s),
                Err(e) => {
                    timed_out = Some(e);
                    break;
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
        let e = timed_out.expect("a connect past the backlog times out");
        assert!(e.to_string().contains("timed out"), "{e}");
        assert!(!held.is_empty() && held.len() < 8, "{}", held.len());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
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
