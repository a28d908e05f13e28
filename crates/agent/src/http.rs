//! Just enough HTTP/1.1 for the agent: one request per connection to the
//! server's API (`Connection: close`, a `Content-Length` body; responses
//! read by `Content-Length`, chunked, or to the end), and the few lines the
//! `/metrics` endpoint needs to answer. Every step has a timeout.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A server's base URL: `http://host[:port][/prefix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub host: String,
    pub port: u16,
    pub prefix: String,
}

impl Base {
    pub fn parse(url: &str) -> Result<Base, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            if url.starts_with("https://") {
                format!("{url}: https is not supported yet; use http:// (on a trusted network or through a TLS proxy)")
            } else {
                format!("{url}: not an http:// URL")
            }
        })?;
        let (hostport, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h.trim_start_matches('[').trim_end_matches(']'),
                p.parse::<u16>()
                    .map_err(|_| format!("{url}: {p:?} is not a port"))?,
            ),
            _ => (hostport, 80),
        };
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        Ok(Base {
            host: host.to_string(),
            port,
            prefix: prefix.to_string(),
        })
    }
}

impl std::fmt::Display for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}:{}{}", self.host, self.port, self.prefix)
    }
}

/// A response: status and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Responses larger than this are refused (the API's answers are small).
const MAX_BODY: usize = 16 << 20;
/// Nor headers larger than this.
const MAX_HEADERS: usize = 64 << 10;

fn bad(what: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.into())
}

/// Sends one request and reads the response.
pub fn request(
    base: &Base,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Response> {
    let addr = (base.host.as_str(), base.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| bad(format!("{}: no address", base.host)))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut head = format!(
        "{method} {}{path} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        base.prefix,
        base.host,
        base.port,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    read_response(BufReader::new(stream))
}

/// Reads a response (status line, headers, body).
pub fn read_response(mut r: impl BufRead) -> std::io::Result<Response> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_ascii_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| line.starts_with("HTTP/1."))
        .ok_or_else(|| bad(format!("not an HTTP response: {:?}", line.trim_end())))?;
    let mut length = None;
    let mut chunked = false;
    let mut header_bytes = 0usize;
    loop {
        line.clear();
        let n = (&mut r).take(MAX_HEADERS as u64).read_line(&mut line)?;
        if n == 0 {
            return Err(bad("the response ended in its headers"));
        }
        header_bytes += n;
        if header_bytes >= MAX_HEADERS {
            return Err(bad("the response's headers are too large"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(
                    v.parse::<usize>()
                        .map_err(|_| bad(format!("Content-Length {v:?}")))?,
                );
            } else if k.eq_ignore_ascii_case("transfer-encoding")
                && v.eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad(format!("chunk size {:?}", line.trim())))?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > MAX_BODY {
                return Err(bad("response body too large"));
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            line.clear();
            r.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        if n > MAX_BODY {
            return Err(bad("response body too large"));
        }
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        r.take(MAX_BODY as u64).read_to_end(&mut body)?;
    }
    Ok(Response { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            Base::parse("http://example.org:7070/sonde/").expect("ok"),
            Base {
                host: "example.org".into(),
                port: 7070,
                prefix: "/sonde".into()
            }
        );
        assert_eq!(Base::parse("http://h").expect("ok").port, 80);
        assert_eq!(Base::parse("http://[::1]:9").expect("ok").host, "::1");
        assert!(Base::parse("https://h").is_err());
        assert!(Base::parse("http://h:x").is_err());
    }

    #[test]
    fn responses_by_length_chunked_and_bad() {
        let r =
            read_response(&b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"[..]).expect("ok");
        assert_eq!((r.status, r.body.as_slice()), (201, &b"{}"[..]));
        let r = read_response(
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n"[..],
        )
        .expect("ok");
        assert_eq!(r.body, b"abcd");
        assert!(read_response(&b"SSH-2.0\r\n"[..]).is_err());
        assert!(read_response(&b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab"[..]).is_err());
        assert!(read_response(&b"HTTP/1.1 200 OK\r\nContent"[..]).is_err());
        let huge_chunk =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffffffffffff\r\n";
        assert!(read_response(&huge_chunk[..]).is_err(), "no overflow");
        let mut endless = b"HTTP/1.1 200 OK\r\n".to_vec();
        endless.extend(std::iter::repeat_n(b'x', 100_000));
        assert!(read_response(&endless[..]).is_err(), "headers are capped");
    }
}
