//! An answer's body as it comes off its connection: framed by
//! `Content-Length`, chunked encoding or the connection's end, and the
//! connection handed back to its pool at the body's end (and only then).

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::sync::Arc;

use super::{ClientError, MAX_HEAD, MAX_LINE, Pool};

/// How the rest of a body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Framing {
    /// `Content-Length`: bytes left (more than 0).
    Length(u64),
    /// Bytes left in the current chunk; `None` before a size line.
    Chunked(Option<u64>),
    /// Until the connection closes (which it then is not reused).
    ToEnd,
    /// Read to its end.
    Done,
}

/// An answer's body, read from its connection as it is consumed. Read to
/// its end, it gives the connection back to its client's pool (when both
/// sides keep it alive); dropped before that, it closes the connection.
/// Errors name the URL.
pub struct BodyReader {
    /// `None` once given back (or closed).
    conn: Option<BufReader<TcpStream>>,
    framing: Framing,
    url: String,
    /// Where the connection goes back; `None` when it is not to be reused.
    pool: Option<Arc<Pool>>,
}

impl BodyReader {
    /// The body of an answer on `conn`; `pool`: where the connection goes
    /// back at its end (`None`: it is closed instead). An answer without a
    /// body is at its end already.
    pub(super) fn new(
        conn: BufReader<TcpStream>,
        framing: Framing,
        url: &str,
        pool: Option<Arc<Pool>>,
    ) -> BodyReader {
        let mut body = BodyReader {
            conn: Some(conn),
            framing,
            url: url.to_string(),
            pool,
        };
        body.settle();
        body
    }

    /// Bytes left, when the framing says (`Content-Length`; 0 at the end).
    pub fn remaining(&self) -> Option<u64> {
        match self.framing {
            Framing::Length(n) => Some(n),
            Framing::Done => Some(0),
            Framing::Chunked(_) | Framing::ToEnd => None,
        }
    }

    /// At the end, the connection goes back to the pool, if it may: nothing
    /// of a next answer can be buffered (an HTTP/1.1 service answers one
    /// request at a time), so leftover bytes mean a confused peer.
    fn settle(&mut self) {
        if self.framing != Framing::Done {
            return;
        }
        if let (Some(conn), Some(pool)) = (self.conn.take(), self.pool.take())
            && conn.buffer().is_empty()
        {
            pool.put(conn);
        }
    }

    pub(super) fn failed(&self, what: &str, e: std::io::Error) -> ClientError {
        ClientError::Unavailable {
            url: self.url.clone(),
            reason: format!("{what}: {e}"),
        }
    }

    /// A read with errors as they come (the `Read` impl adds the URL).
    fn read_framed(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.framing == Framing::Done {
                return Ok(0);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(bad("the connection is gone"));
            };
            match self.framing {
                Framing::Done => return Ok(0),
                Framing::ToEnd => {
                    let n = conn.read(buf)?;
                    if n == 0 {
                        self.framing = Framing::Done;
                        self.conn = None;
                    }
                    return Ok(n);
                }
                Framing::Length(left) => {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = conn.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!("the body ended {left} bytes short"),
                        ));
                    }
                    self.framing = match left - n as u64 {
                        0 => Framing::Done,
                        left => Framing::Length(left),
                    };
                    self.settle();
                    return Ok(n);
                }
                Framing::Chunked(None) => {
                    let line = read_line(conn, 1024)?
                        .ok_or_else(|| bad("the connection closed before a chunk"))?;
                    let size = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size, 16)
                        .map_err(|_| bad(&format!("bad chunk size {line:?}")))?;
                    if size == 0 {
                        // Trailers, up to the blank line.
                        let mut bytes = 0;
                        loop {
                            let l = read_line(conn, MAX_LINE)?
                                .ok_or_else(|| bad("the connection closed in the trailers"))?;
                            bytes += l.len();
                            if l.is_empty() {
                                break;
                            }
                            if bytes > MAX_HEAD {
                                return Err(bad("trailers past 256 KiB"));
                            }
                        }
                        self.framing = Framing::Done;
                        self.settle();
                        return Ok(0);
                    }
                    self.framing = Framing::Chunked(Some(size));
                }
                Framing::Chunked(Some(0)) => {
                    if read_line(conn, 2)?.is_none_or(|l| !l.is_empty()) {
                        return Err(bad("a chunk not followed by CRLF"));
                    }
                    self.framing = Framing::Chunked(None);
                }
                Framing::Chunked(Some(left)) => {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = conn.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the connection closed inside a chunk",
                        ));
                    }
                    self.framing = Framing::Chunked(Some(left - n as u64));
                    return Ok(n);
                }
            }
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.read_framed(buf).map_err(|e| {
            self.conn = None;
            std::io::Error::new(e.kind(), format!("{}: {e}", self.url))
        })
    }
}

/// A body read without the URL added to errors (the caller adds it once).
pub(super) struct Unwrapped<'a>(pub(super) &'a mut BodyReader);

impl Read for Unwrapped<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read_framed(buf).inspect_err(|_| self.0.conn = None)
    }
}

/// A line up to its `\n` (without the line end), at most `limit` bytes;
/// `None` when the connection closed before any byte of it.
pub(super) fn read_line(r: &mut impl BufRead, limit: usize) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    r.take(limit as u64).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(bad("a line ended early or was too long"));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

pub(super) fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}
