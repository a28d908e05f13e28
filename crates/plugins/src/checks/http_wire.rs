//! A minimal HTTP/1.1 client's wire format: URLs, the request, and the
//! response (status line, headers, a body framed by Content-Length, chunked
//! encoding or the connection's close, kept up to a cap). No I/O of its own:
//! it reads from any `BufRead`, so it is unit-tested on hand-built bytes, and
//! every malformed or truncated response is an error naming what was wrong,
//! never a panic.

use std::io::{self, BufRead, Read};

/// Why a response could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the server closed the connection {0}")]
    Truncated(&'static str),
    #[error("bad status line {0:?}")]
    StatusLine(String),
    #[error("bad header line {0:?}")]
    Header(String),
    #[error("response head longer than {0} bytes")]
    HeadTooLong(usize),
    #[error("bad chunk size line {0:?}")]
    Chunk(String),
    #[error("bad Content-Length {0:?}")]
    ContentLength(String),
}

/// A URL the checks fetch: `http` or `https`, a host (a name, IPv4, or IPv6
/// in brackets), a port, and the path with its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub tls: bool,
    /// The host as written, without brackets.
    pub host: String,
    pub port: u16,
    /// `/path?query` (`/` when the URL has none); the fragment is dropped.
    pub target: String,
}

impl Url {
    /// Parses `http://host[:port][/path][?query]` (or https).
    pub fn parse(s: &str) -> Result<Url, String> {
        let (tls, rest) = if let Some(r) = s.strip_prefix("http://") {
            (false, r)
        } else if let Some(r) = s.strip_prefix("https://") {
            (true, r)
        } else {
            return Err(format!("{s:?}: only http:// and https:// URLs"));
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        let target = match target {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        if authority.contains('@') {
            return Err(format!("{s:?}: user info in URLs is not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{s:?}: unclosed '[' in the host"))?;
            (h, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace()) {
            return Err(format!("{s:?}: no valid host"));
        }
        let port = match port {
            None | Some("") => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => p.parse().map_err(|_| format!("{s:?}: bad port {p:?}"))?,
        };
        if target.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(format!("{s:?}: spaces or control characters in the path"));
        }
        Ok(Url {
            tls,
            host: host.to_string(),
            port,
            target,
        })
    }

    /// The `Host` header's value: the port only when it is not the default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match (self.tls, self.port) {
            (false, 80) | (true, 443) => host,
            (_, p) => format!("{host}:{p}"),
        }
    }

    /// The URL a `Location` header leads to from this one: absolute
    /// (`https://...`), scheme-relative (`//host/...`), absolute-path
    /// (`/x`) or relative to this URL's directory (`x`).
    pub fn join(&self, location: &str) -> Result<Url, String> {
        let location = location.trim();
        let scheme = if self.tls { "https" } else { "http" };
        // `scheme:...` is absolute (and only http and https are followed).
        let has_scheme = location.split_once(':').is_some_and(|(sch, _)| {
            sch.starts_with(|c: char| c.is_ascii_alphabetic())
                && sch
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if has_scheme {
            return Url::parse(location);
        }
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{scheme}://{rest}"));
        }
        let authority = self.host_header();
        let target = if location.starts_with('/') {
            location.to_string()
        } else {
            let path = self.target.split('?').next().unwrap_or("/");
            let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            format!("{}{location}", if dir.is_empty() { "/" } else { dir })
        };
        Url::parse(&format!("{scheme}://{authority}{target}"))
    }

    /// The URL again, for messages.
    pub fn display(&self) -> String {
        format!(
            "{}://{}{}",
            if self.tls { "https" } else { "http" },
            self.host_header(),
            self.target
        )
    }
}

/// The request bytes: `headers` (name, value) override the defaults of
/// the same name (Host, User-Agent, Accept); `Connection: close` is always
/// sent, as the check uses one connection per request.
pub fn request(method: &str, url: &Url, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {} HTTP/1.1\r\n", url.target);
    let given = |n: &str| headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
    let defaults = [
        ("Host", url.host_header()),
        ("User-Agent", "sonde-check-http".to_string()),
        ("Accept", "*/*".to_string()),
    ];
    for (n, v) in defaults {
        if !given(n) {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    for (n, v) in headers {
        if !n.eq_ignore_ascii_case("connection") && !n.eq_ignore_ascii_case("content-length") {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Standard base64 (RFC 4648, with padding), for `Authorization: Basic`.
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A response as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `HTTP/1.1`.
    pub version: String,
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    /// The body, at most the cap.
    pub body: Vec<u8>,
    /// The body's size: its Content-Length when given, else the bytes
    /// received (when `truncated`, at least this).
    pub length: u64,
    /// The body was longer than the cap; reading stopped there.
    pub truncated: bool,
}

impl Response {
    /// The first header called `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The longest response head read.
pub const MAX_HEAD: usize = 64 * 1024;

/// One CRLF- (or LF-) terminated line, at most `max` bytes, without the
/// terminator; `None` at a clean end of input.
fn line<R: BufRead>(
    r: &mut R,
    max: usize,
    what: &'static str,
) -> Result<Option<String>, HttpError> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(max as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(if buf.len() > max {
            HttpError::HeadTooLong(max)
        } else {
            HttpError::Truncated(what)
        });
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// Reads a response from `r`. `head` says the request was HEAD (no body
/// whatever the headers say); `cap` is the most body kept.
pub fn read_response<R: BufRead>(r: &mut R, head: bool, cap: usize) -> Result<Response, HttpError> {
    let mut budget = MAX_HEAD;
    let status_line = line(r, budget, "before the status line")?
        .ok_or(HttpError::Truncated("before the status line"))?;
    budget = budget.saturating_sub(status_line.len() + 2);
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_string();
    let code = parts.next().unwrap_or_default();
    let reason = parts.next().unwrap_or_default().trim().to_string();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(HttpError::StatusLine(status_line));
    }
    let status: u16 = code
        .parse()
        .map_err(|_| HttpError::StatusLine(status_line.clone()))?;
    let mut headers = Vec::new();
    loop {
        let l = line(r, budget, "in the headers")?.ok_or(HttpError::Truncated("in the headers"))?;
        if l.is_empty() {
            break;
        }
        budget = budget
            .checked_sub(l.len() + 2)
            .ok_or(HttpError::HeadTooLong(MAX_HEAD))?;
        let (n, v) = l
            .split_once(':')
            .ok_or_else(|| HttpError::Header(l.clone()))?;
        if n.is_empty() || n.contains(char::is_whitespace) {
            return Err(HttpError::Header(l.clone()));
        }
        headers.push((n.to_string(), v.trim().to_string()));
    }
    let mut resp = Response {
        version,
        status,
        reason,
        headers,
        body: Vec::new(),
        length: 0,
        truncated: false,
    };
    if head || (100..200).contains(&status) || status == 204 || status == 304 {
        resp.length = content_length(&resp)?.unwrap_or(0);
        return Ok(resp);
    }
    let chunked = resp
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        read_chunked(r, cap, &mut resp)?;
    } else if let Some(len) = content_length(&resp)? {
        resp.length = len;
        let want = len.min(cap as u64);
        r.by_ref().take(want).read_to_end(&mut resp.body)?;
        if (resp.body.len() as u64) < want {
            return Err(HttpError::Truncated(
                "in the body (shorter than Content-Length)",
            ));
        }
        resp.truncated = len > cap as u64;
    } else {
        // Delimited by the close.
        r.by_ref()
            .take(cap as u64 + 1)
            .read_to_end(&mut resp.body)?;
        if resp.body.len() > cap {
            resp.body.truncate(cap);
            resp.truncated = true;
        }
        resp.length = resp.body.len() as u64;
    }
    Ok(resp)
}

fn content_length(resp: &Response) -> Result<Option<u64>, HttpError> {
    resp.header("content-length")
        .map(|v| {
            v.parse()
                .map_err(|_| HttpError::ContentLength(v.to_string()))
        })
        .transpose()
}

/// The chunked body into `resp` (trailers are read and dropped).
fn read_chunked<R: BufRead>(r: &mut R, cap: usize, resp: &mut Response) -> Result<(), HttpError> {
    loop {
        let size_line =
            line(r, 1024, "in a chunk size line")?.ok_or(HttpError::Truncated("before a chunk"))?;
        let hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.is_empty() && hex.len() <= 15)
            .ok_or_else(|| HttpError::Chunk(size_line.clone()))?;
        if size == 0 {
            // Trailers up to the blank line.
            while let Some(t) = line(r, MAX_HEAD, "in the trailers")? {
                if t.is_empty() {
                    return Ok(());
                }
            }
            return Err(HttpError::Truncated("in the trailers"));
        }
        let room = (cap - resp.body.len()) as u64;
        let keep = size.min(room);
        let got = r.by_ref().take(keep).read_to_end(&mut resp.body)? as u64;
        if got < keep {
            return Err(HttpError::Truncated("inside a chunk"));
        }
        resp.length += size;
        if keep < size {
            // Over the cap: no need to read further.
            resp.truncated = true;
            return Ok(());
        }
        let mut crlf = Vec::new();
        r.by_ref().take(2).read_to_end(&mut crlf)?;
        if crlf != b"\r\n" {
            return Err(if crlf.len() < 2 {
                HttpError::Truncated("after a chunk")
            } else {
                HttpError::Chunk(String::from_utf8_lossy(&crlf).into_owned())
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Response, HttpError> {
        read_response(&mut &bytes[..], false, 1 << 20)
    }

    #[test]
    fn urls() {
        let u = Url::parse("https://example.com").expect("valid");
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.target.as_str()),
            (true, "example.com", 443, "/")
        );
        let u = Url::parse("http://[::1]:8080/a/b?c=d#frag").expect("valid");
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("::1", 8080, "/a/b?c=d")
        );
        assert_eq!(u.host_header(), "[::1]:8080");
        assert_eq!(u.display(), "http://[::1]:8080/a/b?c=d");
        let u = Url::parse("http://h?q=1").expect("valid");
        assert_eq!(u.target, "/?q=1");
        let base = Url::parse("http://[::1]:8080/a/b?c=d").expect("valid");
        let join = |l: &str| base.join(l).expect("joins").display();
        assert_eq!(join("https://x.example/y"), "https://x.example/y");
        assert_eq!(join("//x.example/y"), "http://x.example/y");
        assert_eq!(join("/z?q"), "http://[::1]:8080/z?q");
        assert_eq!(join("z"), "http://[::1]:8080/a/z");
        assert!(base.join("ftp://x/").is_err());
        for bad in [
            "ftp://x/",
            "http://",
            "http://:80/",
            "http://h:99999/",
            "http://h:x/",
            "http://[::1/",
            "http://u@h/",
            "http://h/a b",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64_as_rfc_4648_tests_it() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn the_request() {
        let u = Url::parse("http://h:81/x").expect("valid");
        let r = request(
            "GET",
            &u,
            &[
                ("X-A".into(), "1".into()),
                ("user-agent".into(), "me".into()),
            ],
            b"",
        );
        let r = String::from_utf8(r).expect("text");
        assert_eq!(
            r,
            "GET /x HTTP/1.1\r\nHost: h:81\r\nAccept: */*\r\nX-A: 1\r\nuser-agent: me\r\nConnection: close\r\n\r\n"
        );
        let r = request("POST", &u, &[], b"a=1");
        assert!(
            String::from_utf8_lossy(&r)
                .ends_with("Content-Length: 3\r\nConnection: close\r\n\r\na=1")
        );
    }

    #[test]
    fn content_length_chunked_and_close_bodies() {
        let r = read(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello").expect("valid");
        assert_eq!(
            (r.status, r.reason.as_str(), r.body.as_slice(), r.length),
            (200, "OK", &b"hello"[..], 5)
        );
        assert_eq!(r.header("x"), Some("y"));
        let r = read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n")
            .expect("valid");
        assert_eq!((r.body.as_slice(), r.length), (&b"hello world"[..], 11));
        let r = read(b"HTTP/1.0 404 Not Found\n\nall of it").expect("valid");
        assert_eq!(
            (r.version.as_str(), r.status, r.body.as_slice()),
            ("HTTP/1.0", 404, &b"all of it"[..])
        );
        let r = read_response(
            &mut &b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"[..],
            true,
            10,
        )
        .expect("HEAD");
        assert_eq!((r.length, r.body.len()), (99, 0));
        let r = read(b"HTTP/1.1 204 No Content\r\n\r\n").expect("valid");
        assert!(r.body.is_empty());
    }

    #[test]
    fn the_cap_stops_reading() {
        let cap = |b: &[u8]| read_response(&mut &b[..], false, 4).expect("valid");
        let r = cap(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        assert_eq!(
            (r.body.as_slice(), r.length, r.truncated),
            (&b"0123"[..], 10, true)
        );
        let r = cap(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
        assert_eq!((r.body.as_slice(), r.truncated), (&b"abcd"[..], true));
        let r = cap(b"HTTP/1.1 200 OK\r\n\r\n0123456789");
        assert_eq!((r.body.as_slice(), r.truncated), (&b"0123"[..], true));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let whole: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ];
        for w in whole {
            assert!(read(w).is_ok());
            for n in 0..w.len() {
                assert!(
                    read(&w[..n]).is_err(),
                    "accepted {:?}",
                    String::from_utf8_lossy(&w[..n])
                );
            }
        }
    }

    #[test]
    fn malformed_responses_are_named() {
        assert!(matches!(
            read(b"SSH-2.0-OpenSSH\r\n\r\n"),
            Err(HttpError::StatusLine(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 2x0 OK\r\n\r\n"),
            Err(HttpError::StatusLine(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n"),
            Err(HttpError::Header(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
            Err(HttpError::ContentLength(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Err(HttpError::Chunk(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
            Err(HttpError::Chunk(_))
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY0\r\n\r\n"),
            Err(HttpError::Chunk(_))
        ));
        let long = [
            b"HTTP/1.1 200 OK\r\nX: ".as_slice(),
            &vec![b'a'; MAX_HEAD + 10],
            b"\r\n\r\n",
        ]
        .concat();
        assert!(matches!(read(&long), Err(HttpError::HeadTooLong(_))));
    }

    proptest::proptest! {
        /// Any body, sent with Content-Length or in any split of chunks,
        /// reads back whole; cut anywhere before its end, it is an error.
        #[test]
        fn bodies_round_trip(body in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
                             cuts in proptest::collection::vec(0usize..600, 0..6),
                             cut in 0usize..2000) {
            let mut fixed = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
            fixed.extend_from_slice(&body);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(body.len())).collect();
            bounds.extend([0, body.len()]);
            bounds.sort_unstable();
            bounds.dedup();
            let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            for w in bounds.windows(2) {
                chunked.extend_from_slice(format!("{:x}\r\n", w[1] - w[0]).as_bytes());
                chunked.extend_from_slice(&body[w[0]..w[1]]);
                chunked.extend_from_slice(b"\r\n");
            }
            chunked.extend_from_slice(b"0\r\n\r\n");
            for wire in [&fixed, &chunked] {
                let r = read(wire).expect("whole");
                proptest::prop_assert_eq!(&r.body, &body);
                proptest::prop_assert_eq!(r.length, body.len() as u64);
                let n = cut % wire.len();
                proptest::prop_assert!(read(&wire[..n]).is_err());
            }
        }
    }
}
