//! A blocking connection to PostgreSQL over TCP or a unix socket, named by
//! a URL as libpq takes them (`postgres://user:pw@host:5432/db`,
//! `postgres:///db?host=/run/postgresql&user=sonde`), with simple and
//! extended queries, transactions and a flag that says when the
//! connection can no longer be used.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use crate::login::{Login, Session, login};
use crate::proto::{self, Oid, Rows, WireError};

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Tcp {
        host: String,
        port: u16,
    },
    /// The socket directory and the port that names the socket in it
    /// (`<dir>/.s.PGSQL.<port>`).
    Unix {
        dir: PathBuf,
        port: u16,
    },
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix { dir, port } => write!(f, "{}/.s.PGSQL.{port}", dir.display()),
        }
    }
}

/// A parsed connection URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the server listens.
    pub address: Address,
    /// The role to log in as.
    pub user: String,
    /// Its password, for md5, SCRAM or cleartext login (none for trust or
    /// peer).
    pub password: Option<String>,
    /// The database to connect to (defaults to the user's name).
    pub database: String,
    /// For connecting and for each read or write after it: a server that
    /// stops answering becomes an error, never a hang.
    pub timeout: Duration,
}

/// The password stays out of logs and error messages.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("address", &self.address)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("database", &self.database)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `%XX` escapes decoded (user names and passwords may hold `@`, `:`, `/`).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Config {
    /// Parses `postgres[ql]://[user[:password]@][host][:port][/database][?k=v&...]`.
    /// Query keys: `host` (a path is a socket directory), `port`, `user`,
    /// `password`, `dbname`, `connect_timeout` (seconds), `sslmode`
    /// (`disable`, `allow` or `prefer`: sonde connects without TLS). No
    /// host means the unix socket in /var/run/postgresql, as libpq does.
    pub fn parse(url: &str) -> Result<Config, WireError> {
        let shown = redact(url);
        let bad = |reason: String| WireError::Url {
            url: shown.clone(),
            reason,
        };
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| bad("not a postgres:// or postgresql:// URL".into()))?;
        let (rest, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let dec = |s: &str, what: &str| {
            percent_decode(s).ok_or_else(|| bad(format!("the {what} has a bad %-escape")))
        };
        let mut user = None;
        let mut password = None;
        if let Some(ui) = userinfo {
            let (u, p) = match ui.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (ui, None),
            };
            if !u.is_empty() {
                user = Some(dec(u, "user")?);
            }
            password = p.map(|p| dec(p, "password")).transpose()?;
        }
        let (mut host, mut port) = split_host_port(hostport).map_err(bad)?;
        let mut database = (!path.is_empty())
            .then(|| dec(path, "database name"))
            .transpose()?;
        let mut timeout = Duration::from_secs(10);
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = dec(v, k)?;
            match k {
                "host" => host = Some(v),
                "port" => {
                    port = Some(
                        v.parse()
                            .map_err(|_| bad(format!("port {v:?} is not a port number")))?,
                    )
                }
                "user" => user = Some(v),
                "password" => password = Some(v),
                "dbname" => database = Some(v),
                "connect_timeout" => {
                    let secs: u64 = v
                        .parse()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| bad(format!("connect_timeout {v:?} is not seconds")))?;
                    timeout = Duration::from_secs(secs);
                }
                "sslmode" if matches!(v.as_str(), "disable" | "allow" | "prefer") => {}
                "sslmode" => {
                    return Err(bad(format!(
                        "sslmode {v:?}: sonde connects without TLS (use disable, or a local socket)"
                    )));
                }
                "application_name" => {}
                other => return Err(bad(format!("unknown parameter {other:?}"))),
            }
        }
        let port = port.unwrap_or(5432);
        let address = match host {
            Some(h) if h.starts_with('/') => Address::Unix {
                dir: PathBuf::from(h),
                port,
            },
            Some(h) if !h.is_empty() => Address::Tcp { host: h, port },
            _ => Address::Unix {
                dir: PathBuf::from("/var/run/postgresql"),
                port,
            },
        };
        let user = match user {
            Some(u) => u,
            None => std::env::var("USER")
                .ok()
                .filter(|u| !u.is_empty())
                .ok_or_else(|| bad("no user given (user@host, or ?user=)".into()))?,
        };
        Ok(Config {
            address,
            database: database.unwrap_or_else(|| user.clone()),
            user,
            password,
            timeout,
        })
    }

    /// The URL to show: `postgres://user@address/db`, never the password.
    pub fn display(&self) -> String {
        format!(
            "postgres://{}@{}/{}",
            self.user, self.address, self.database
        )
    }
}

/// `host`, `host:port`, `[v6]:port`, `:port` or nothing.
fn split_host_port(s: &str) -> Result<(Option<String>, Option<u16>), String> {
    let port_of = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("port {p:?} is not a port number"))
    };
    if let Some(v6) = s.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| "an IPv6 host without its closing ]".to_string())?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(port_of(p)?),
            None if after.is_empty() => None,
            None => return Err(format!("{after:?} after the IPv6 host")),
        };
        return Ok((Some(h.to_string()), port));
    }
    let (h, p) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(port_of(p)?)),
        None => (s, None),
    };
    let h = percent_decode(h).ok_or_else(|| "the host has a bad %-escape".to_string())?;
    Ok(((!h.is_empty()).then_some(h), p))
}

/// `url` with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let mut out = match url[scheme_end..authority_end].rfind('@') {
        Some(at) => {
            let ui = &url[scheme_end..scheme_end + at];
            match ui.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..scheme_end], &url[scheme_end + at..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    };
    // A password given as a query parameter too.
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some(("password", _)) => "password=***".to_string(),
                _ => p.to_string(),
            })
            .collect();
        out = format!("{head}{}", query.join("&"));
    }
    out
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// A logged-in session. Not shared between threads: a pool hands one to
/// one user at a time.
pub struct Connection {
    stream: io::BufReader<Stream>,
    session: Session,
    broken: bool,
    status: u8,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("backend_pid", &self.session.backend_pid)
            .field("broken", &self.broken)
            .finish()
    }
}

impl Connection {
    /// Connects and logs in. Errors name the address.
    pub fn connect(cfg: &Config) -> Result<Connection, WireError> {
        let addr = cfg.address.to_string();
        let connect_err = |source: io::Error| WireError::Connect {
            addr: addr.clone(),
            source,
        };
        let stream = match &cfg.address {
            Address::Unix { .. } => {
                // A local connect is immediate or refused; the read and
                // write timeouts below cover a server that then hangs.
                let s = UnixStream::connect(&addr).map_err(connect_err)?;
                s.set_read_timeout(Some(cfg.timeout)).map_err(connect_err)?;
                s.set_write_timeout(Some(cfg.timeout))
                    .map_err(connect_err)?;
                Stream::Unix(s)
            }
            Address::Tcp { host, port } => {
                let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
                let mut conn = None;
                for a in (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(connect_err)?
                {
                    match TcpStream::connect_timeout(&a, cfg.timeout) {
                        Ok(s) => {
                            conn = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let s = conn.ok_or_else(|| connect_err(last))?;
                // Queries are small and answered at once: no Nagle delay.
                let _ = s.set_nodelay(true);
                s.set_read_timeout(Some(cfg.timeout)).map_err(connect_err)?;
                s.set_write_timeout(Some(cfg.timeout))
                    .map_err(connect_err)?;
                Stream::Tcp(s)
            }
        };
        let mut stream = io::BufReader::new(stream);
        let session = login(
            &mut ReadWrite(&mut stream),
            Login {
                user: &cfg.user,
                database: &cfg.database,
                password: cfg.password.as_deref(),
            },
        )?;
        Ok(Connection {
            stream,
            session,
            broken: false,
            status: b'I',
        })
    }

    /// The server process serving this connection.
    pub fn backend_pid(&self) -> i32 {
        self.session.backend_pid
    }

    /// The server's version string.
    pub fn server_version(&self) -> &str {
        &self.session.server_version
    }

    /// Whether a failure has made this connection unusable (its stream
    /// broke, fell out of step, or the server ended the session). A pool
    /// drops such a connection and makes a new one.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Whether the server is still there, without a round trip: an idle
    /// session has nothing to read, so bytes waiting (the FATAL a
    /// terminated backend sends) or the end of the stream mean it is gone.
    /// A pool asks before lending a connection that sat idle, so a server
    /// restarted meanwhile costs a reconnect, not a failed request.
    pub fn is_alive(&mut self) -> bool {
        use std::io::BufRead;
        if self.broken || !self.stream.buffer().is_empty() {
            return false;
        }
        let set = |s: &Stream, on: bool| match s {
            Stream::Tcp(t) => t.set_nonblocking(on),
            Stream::Unix(u) => u.set_nonblocking(on),
        };
        if set(self.stream.get_ref(), true).is_err() {
            self.broken = true;
            return false;
        }
        let alive =
            matches!(self.stream.fill_buf(), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        if set(self.stream.get_ref(), false).is_err() || !alive {
            self.broken = true;
            return false;
        }
        true
    }

    /// Whether a transaction is open (`BEGIN` without its end).
    pub fn in_transaction(&self) -> bool {
        self.status != b'I'
    }

    fn round_trip(&mut self, request: &[u8]) -> Result<Rows, WireError> {
        if self.broken {
            return Err(WireError::Unexpected {
                what: "connection",
                detail: "it broke earlier and cannot be used".into(),
            });
        }
        let r = self
            .stream
            .get_mut()
            .write_all(request)
            .map_err(WireError::Io)
            .and_then(|()| {
                let s = &mut self.stream;
                proto::read_query_reply(|| proto::read_message(s))
            });
        match &r {
            Ok(rows) => self.status = rows.status,
            Err(e) if e.is_broken() => self.broken = true,
            // The reply was read to ReadyForQuery; a failed statement in a
            // transaction leaves it failed until ROLLBACK.
            Err(_) => {
                if self.status == b'T' {
                    self.status = b'E';
                }
            }
        }
        r
    }

    /// Runs SQL by the simple protocol (several statements allowed, no
    /// parameters); the first result's rows.
    pub fn simple_query(&mut self, sql: &str) -> Result<Rows, WireError> {
        if sql.as_bytes().contains(&0) {
            return Err(WireError::Unexpected {
                what: "statement",
                detail: "a NUL byte in the SQL".into(),
            });
        }
        self.round_trip(&proto::query(sql))
    }

    /// Runs one statement with `$n` parameters in text form (`None` is
    /// NULL) by the extended protocol.
    pub fn query(&mut self, sql: &str, params: &[(Oid, Option<&str>)]) -> Result<Rows, WireError> {
        let request = proto::extended_query(sql, params)?;
        self.round_trip(&request)
    }

    /// `BEGIN`.
    pub fn begin(&mut self) -> Result<(), WireError> {
        self.simple_query("BEGIN").map(drop)
    }

    /// `COMMIT` (of a failed transaction the server rolls back and says so:
    /// an error here).
    pub fn commit(&mut self) -> Result<(), WireError> {
        self.simple_query("COMMIT").map(drop)
    }

    /// `ROLLBACK`.
    pub fn rollback(&mut self) -> Result<(), WireError> {
        self.simple_query("ROLLBACK").map(drop)
    }

    /// Says goodbye (Terminate) so the server ends the session at once.
    pub fn close(mut self) {
        let _ = self.stream.get_mut().write_all(&proto::message(b'X', &[]));
    }
}

/// Reads through the buffer, writes straight to the socket.
struct ReadWrite<'a>(&'a mut io::BufReader<Stream>);

impl Read for ReadWrite<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for ReadWrite<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.get_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.get_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_as_libpq_reads_them() {
        let c = Config::parse("postgres://sonde:s%40cret@db.example:6543/state").expect("tcp");
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "db.example".into(),
                port: 6543
            }
        );
        assert_eq!(
            (c.user.as_str(), c.password.as_deref(), c.database.as_str()),
            ("sonde", Some("s@cret"), "state")
        );
        let c = Config::parse("postgres:///state?host=/tmp/pg&user=me&port=5433&connect_timeout=3")
            .expect("socket");
        assert_eq!(
            c.address,
            Address::Unix {
                dir: "/tmp/pg".into(),
                port: 5433
            }
        );
        assert_eq!(c.address.to_string(), "/tmp/pg/.s.PGSQL.5433");
        assert_eq!((c.user.as_str(), c.database.as_str()), ("me", "state"));
        assert_eq!(c.timeout, Duration::from_secs(3));
        let c = Config::parse("postgresql://u@[::1]/d").expect("v6");
        assert_eq!(c.address.to_string(), "[::1]:5432");
        let c = Config::parse("postgres://u@localhost").expect("no db");
        assert_eq!(c.database, "u", "the database defaults to the user");
        let c = Config::parse("postgres://u@/d").expect("no host");
        assert_eq!(c.address.to_string(), "/var/run/postgresql/.s.PGSQL.5432");
    }

    #[test]
    fn bad_urls_are_clear_errors_without_the_password() {
        for (url, want) in [
            ("mysql://u@h/d", "not a postgres://"),
            ("postgres://u:pw@h:99999/d", "port \"99999\""),
            ("postgres://u:pw@h/d?sslmode=require", "sslmode \"require\""),
            (
                "postgres://u:pw@h/d?color=red",
                "unknown parameter \"color\"",
            ),
            (
                "postgres://u:pw@h/d?connect_timeout=soon",
                "connect_timeout",
            ),
            ("postgres://u:p%zz@h/d", "%-escape"),
            ("postgres://u@[::1/d", "closing ]"),
        ] {
            let e = Config::parse(url).expect_err(url).to_string();
            assert!(e.contains(want), "{url}: {e}");
            assert!(!e.contains(":pw@"), "{url}: the password shows in {e}");
        }
        assert_eq!(
            redact("postgres://u:secret@h/d?password=x&user=u"),
            "postgres://u:***@h/d?password=***&user=u"
        );
        let c = Config::parse("postgres://u:secret@h/d").expect("valid");
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(c.display(), "postgres://u@h:5432/d");
    }

    #[test]
    fn nothing_listening_is_an_error_naming_the_address() {
        let dir = std::env::temp_dir().join(format!("sonde-pgwire-none-{}", std::process::id()));
        let url = format!("postgres:///x?host={}&user=u&port=1", dir.display());
        let e = Connection::connect(&Config::parse(&url).expect("valid")).expect_err("nothing");
        assert!(e.to_string().contains(".s.PGSQL.1"), "{e}");
        assert!(e.is_broken());
    }
}
