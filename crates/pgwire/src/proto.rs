//! The PostgreSQL frontend/backend protocol (version 3.0), as much as a
//! metrics reader and a state store need: the startup message,
//! authentication (trust, cleartext, md5 and SCRAM-SHA-256), the simple
//! query protocol and the extended one (Parse/Bind/Describe/Execute/Sync
//! with text-format parameters). No I/O beyond the [`Read`] the caller
//! gives; every decoder gives an error, never a panic, on short or odd
//! bytes.

use std::io::{self, Read};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::{Digest, Sha256};

/// Why a conversation with the server failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("truncated {what} message ({len} bytes)")]
    Truncated { what: &'static str, len: usize },
    #[error("unexpected {what}: {detail}")]
    Unexpected { what: &'static str, detail: String },
    /// An ErrorResponse: severity, SQLSTATE code and message.
    #[error("{severity} {code}: {message}")]
    Server {
        severity: String,
        code: String,
        message: String,
    },
    /// The server wants a password and none was given.
    #[error("the server asks for a password")]
    PasswordNeeded,
    /// A connection URL that cannot be used, and why.
    #[error("{url}: {reason}")]
    Url { url: String, reason: String },
    /// Connecting failed: the address tried and the system's reason.
    #[error("connect to {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: io::Error,
    },
}

impl WireError {
    fn unexpected(what: &'static str, detail: impl Into<String>) -> WireError {
        WireError::Unexpected {
            what,
            detail: detail.into(),
        }
    }

    /// The SQLSTATE, when the server refused.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            WireError::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the connection this came from can no longer be used: the
    /// stream failed or fell out of step, or the server ended the session
    /// (FATAL, a shutdown, SQLSTATE class 08 "connection exception"). An
    /// ordinary ERROR leaves the connection ready for the next query.
    pub fn is_broken(&self) -> bool {
        match self {
            WireError::Server { severity, code, .. } => {
                severity == "FATAL"
                    || severity == "PANIC"
                    || code.starts_with("08")
                    || code.starts_with("57P")
            }
            _ => true,
        }
    }
}

/// Longest message accepted: a status row is small; this stops a confused
/// peer from making us allocate without bound.
const MAX_MESSAGE: usize = 64 << 20;

/// Reads one backend message: its type byte and body.
pub fn read_message(r: &mut impl Read) -> Result<(u8, Vec<u8>), WireError> {
    let mut head = [0u8; 5];
    r.read_exact(&mut head).map_err(closed)?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if !(4..=MAX_MESSAGE).contains(&len) {
        return Err(WireError::unexpected(
            "message",
            format!(
                "type {:?} with length {len}: is this a PostgreSQL server?",
                head[0] as char
            ),
        ));
    }
    let mut body = vec![0u8; len - 4];
    r.read_exact(&mut body).map_err(closed)?;
    Ok((head[0], body))
}

fn closed(e: io::Error) -> WireError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        WireError::unexpected("end of stream", "the server closed the connection")
    } else {
        WireError::Io(e)
    }
}

/// A frontend message: type byte, length, body.
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 5);
    m.push(kind);
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// The startup message (protocol 3.0) with `user`, `database` and our
/// application name.
pub fn startup(user: &str, database: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196_608u32.to_be_bytes());
    for (k, v) in [
        ("user", user),
        ("database", database),
        ("application_name", "sonde"),
    ] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut m = Vec::with_capacity(body.len() + 4);
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(&body);
    m
}

/// A simple-protocol query.
pub fn query(sql: &str) -> Vec<u8> {
    let mut b = sql.as_bytes().to_vec();
    b.push(0);
    message(b'Q', &b)
}

/// A parameter's type for Parse: what the server should read its text as.
/// `0` leaves it to the server to infer from where it is used.
pub type Oid = u32;

/// `int8`: the type of integer parameters (and of ids and timestamps).
pub const INT8: Oid = 20;
/// `float8`: the type of floating-point parameters.
pub const FLOAT8: Oid = 701;
/// `text`: the type of text parameters.
pub const TEXT: Oid = 25;

/// One extended-protocol round trip for `sql` with text-format
/// `params` (`None` is NULL): Parse and Bind the unnamed statement and
/// portal, Describe the portal (for the column names and types), Execute
/// it for all rows, and Sync. The reply reads with [`read_query_reply`].
///
/// Parameters travel apart from the SQL, so no value is ever quoted into
/// it; a statement has at most 65535 of them (the protocol's Int16).
pub fn extended_query(sql: &str, params: &[(Oid, Option<&str>)]) -> Result<Vec<u8>, WireError> {
    let n = i16::try_from(params.len()).map_err(|_| {
        WireError::unexpected(
            "statement",
            format!("{} parameters (at most 32767)", params.len()),
        )
    })?;
    if sql.as_bytes().contains(&0) {
        return Err(WireError::unexpected("statement", "a NUL byte in the SQL"));
    }
    let mut out = Vec::with_capacity(sql.len() + 64);
    // Parse: unnamed statement, the SQL, the parameter types.
    let mut b = Vec::with_capacity(sql.len() + 8 + 4 * params.len());
    b.push(0);
    b.extend_from_slice(sql.as_bytes());
    b.push(0);
    b.extend_from_slice(&n.to_be_bytes());
    for (oid, _) in params {
        b.extend_from_slice(&oid.to_be_bytes());
    }
    out.extend_from_slice(&message(b'P', &b));
    // Bind: unnamed portal and statement, every parameter in text format
    // (no format codes means text), the values, results in text.
    let mut b = vec![0, 0];
    b.extend_from_slice(&0i16.to_be_bytes());
    b.extend_from_slice(&n.to_be_bytes());
    for (_, v) in params {
        match v {
            Some(v) => {
                let len = i32::try_from(v.len()).map_err(|_| {
                    WireError::unexpected("parameter", format!("{} bytes", v.len()))
                })?;
                b.extend_from_slice(&len.to_be_bytes());
                b.extend_from_slice(v.as_bytes());
            }
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    b.extend_from_slice(&0i16.to_be_bytes());
    out.extend_from_slice(&message(b'B', &b));
    out.extend_from_slice(&message(b'D', b"P\0"));
    // Execute the unnamed portal with no row limit.
    out.extend_from_slice(&message(b'E', &[0, 0, 0, 0, 0]));
    out.extend_from_slice(&message(b'S', &[]));
    Ok(out)
}

/// A password message (also carries SASL responses).
pub fn password(data: &[u8]) -> Vec<u8> {
    message(b'p', data)
}

/// An `R` message: what the server wants to authenticate us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Logged in.
    Ok,
    /// Send the password as it is.
    Cleartext,
    /// Send the md5 answer with this salt.
    Md5 { salt: [u8; 4] },
    /// Start SASL with one of these mechanisms.
    Sasl { mechanisms: Vec<String> },
    /// The server's SCRAM server-first message.
    SaslContinue(Vec<u8>),
    /// The server's SCRAM server-final message.
    SaslFinal(Vec<u8>),
}

/// Reads an `R` body.
pub fn parse_auth(body: &[u8]) -> Result<Auth, WireError> {
    let short = || WireError::Truncated {
        what: "authentication",
        len: body.len(),
    };
    let code = body
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(short)?;
    let rest = &body[4..];
    Ok(match code {
        0 => Auth::Ok,
        3 => Auth::Cleartext,
        5 => Auth::Md5 {
            salt: rest
                .get(..4)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(short)?,
        },
        10 => Auth::Sasl {
            mechanisms: rest
                .split(|b| *b == 0)
                .filter(|m| !m.is_empty())
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .collect(),
        },
        11 => Auth::SaslContinue(rest.to_vec()),
        12 => Auth::SaslFinal(rest.to_vec()),
        other => {
            return Err(WireError::unexpected(
                "authentication method",
                format!("code {other} (sonde speaks trust, password, md5 and SCRAM-SHA-256)"),
            ));
        }
    })
}

/// The md5 method's answer: `md5` + md5hex(md5hex(password + user) + salt).
pub fn md5_password(user: &str, password: &str, salt: [u8; 4]) -> String {
    let inner = hex(&Md5::digest(format!("{password}{user}").as_bytes()));
    let mut h = Md5::new();
    h.update(inner.as_bytes());
    h.update(salt);
    format!("md5{}", hex(&h.finalize()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An ErrorResponse (or NoticeResponse) body as an error.
pub fn parse_error(body: &[u8]) -> WireError {
    let mut severity = String::from("ERROR");
    let mut code = String::new();
    let mut message = String::new();
    for field in body.split(|b| *b == 0) {
        let Some((&t, v)) = field.split_first() else {
            continue;
        };
        let v = String::from_utf8_lossy(v).into_owned();
        match t {
            b'V' => severity = v,
            b'S' if severity == "ERROR" => severity = v,
            b'C' => code = v,
            b'M' => message = v,
            _ => {}
        }
    }
    if message.is_empty() {
        message = "(no message)".into();
    }
    WireError::Server {
        severity,
        code,
        message,
    }
}

/// SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL runs it: no channel
/// binding, the user name left empty (the server takes the startup one).
#[derive(Debug)]
pub struct Scram {
    client_nonce: String,
    client_first_bare: String,
    /// Kept after the client's final message, to check the server's.
    server_key: Option<Vec<u8>>,
    auth_message: String,
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// PBKDF2-HMAC-SHA256 with one output block (SCRAM's `Hi`).
fn hi(password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
    let mut block = salt.to_vec();
    block.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &block);
    let mut out = u.clone();
    for _ in 1..iterations {
        u = hmac(password, &u);
        for (o, x) in out.iter_mut().zip(&u) {
            *o ^= x;
        }
    }
    out
}

/// Most iterations a server may ask for (PostgreSQL's default is 4096);
/// more would let a hostile server burn our CPU.
const MAX_ITERATIONS: u32 = 1_000_000;

impl Scram {
    /// Starts with `nonce` (printable, no comma; random in real use).
    pub fn new(nonce: &str) -> Scram {
        Scram {
            client_nonce: nonce.to_string(),
            client_first_bare: format!("n=,r={nonce}"),
            server_key: None,
            auth_message: String::new(),
        }
    }

    /// The SASLInitialResponse body.
    pub fn initial_response(&self) -> Vec<u8> {
        let first = format!("n,,{}", self.client_first_bare);
        let mut b = b"SCRAM-SHA-256\0".to_vec();
        b.extend_from_slice(&(first.len() as u32).to_be_bytes());
        b.extend_from_slice(first.as_bytes());
        b
    }

    /// The client-final message for the server-first message.
    pub fn client_final(
        &mut self,
        server_first: &[u8],
        password: &str,
    ) -> Result<Vec<u8>, WireError> {
        let bad = |d: &str| WireError::unexpected("SCRAM server-first message", d.to_string());
        let text = std::str::from_utf8(server_first).map_err(|_| bad("not UTF-8"))?;
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for attr in text.split(',') {
            match attr.split_once('=') {
                Some(("r", v)) => nonce = Some(v),
                Some(("s", v)) => {
                    salt = Some(B64.decode(v).map_err(|_| bad("salt is not base64"))?)
                }
                Some(("i", v)) => {
                    iterations = Some(v.parse::<u32>().map_err(|_| bad("bad iteration count"))?)
                }
                _ => {}
            }
        }
        let nonce = nonce.ok_or_else(|| bad("no nonce"))?;
        let salt = salt.ok_or_else(|| bad("no salt"))?;
        let iterations = iterations
            .filter(|i| (1..=MAX_ITERATIONS).contains(i))
            .ok_or_else(|| bad("iteration count missing or out of range"))?;
        if !nonce.starts_with(&self.client_nonce) || nonce.len() == self.client_nonce.len() {
            return Err(bad("the server's nonce does not extend ours"));
        }
        // PostgreSQL SASLprep-normalises the password; an ASCII password
        // (the common case) is unchanged by it.
        let salted = hi(password.as_bytes(), &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = Sha256::digest(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        self.auth_message = format!("{},{text},{without_proof}", self.client_first_bare);
        let signature = hmac(&stored_key, self.auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(a, b)| a ^ b)
            .collect();
        self.server_key = Some(hmac(&salted, b"Server Key"));
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Checks the server-final message: the server proves it knew the
    /// password too.
    pub fn verify_server(&self, server_final: &[u8]) -> Result<(), WireError> {
        let bad = |d: &str| WireError::unexpected("SCRAM server-final message", d.to_string());
        let text = std::str::from_utf8(server_final).map_err(|_| bad("not UTF-8"))?;
        if let Some(e) = text.strip_prefix("e=") {
            return Err(bad(&format!("server error {e}")));
        }
        let v = text
            .split(',')
            .find_map(|a| a.strip_prefix("v="))
            .ok_or_else(|| bad("no verifier"))?;
        let got = B64.decode(v).map_err(|_| bad("verifier is not base64"))?;
        let key = self
            .server_key
            .as_ref()
            .ok_or_else(|| bad("arrived before our final message"))?;
        if got != hmac(key, self.auth_message.as_bytes()) {
            return Err(bad(
                "the server's signature is wrong (not the server we meant?)",
            ));
        }
        Ok(())
    }
}

/// Rows of text values (`None` is NULL) and their column names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Column names.
    pub columns: Vec<String>,
    /// Each column's type OID (`int8` is 20, `text` 25, ...), so a caller
    /// can tell a number from text without parsing it.
    pub types: Vec<u32>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows the first command touched, from its tag (`INSERT 0 3`,
    /// `UPDATE 2`, `SELECT 5`); none for a tag without a count.
    pub affected: Option<u64>,
    /// The transaction status ReadyForQuery reported: `I` idle, `T` in a
    /// transaction, `E` in a failed one.
    pub status: u8,
}

/// Most rows accepted from one query (pg_locks on a busy server can be
/// large; the plugin groups on the server).
const MAX_ROWS: usize = 100_000;

/// Reads a simple query's reply up to ReadyForQuery. The first result's
/// rows are returned; an ErrorResponse is the error (after the server is
/// ready again, so the connection stays usable).
pub fn read_query_reply(
    mut next: impl FnMut() -> Result<(u8, Vec<u8>), WireError>,
) -> Result<Rows, WireError> {
    let mut out = Rows::default();
    let mut error = None;
    let mut described = false;
    let mut completed = false;
    loop {
        let (t, body) = next()?;
        match t {
            b'T' if !described => {
                (out.columns, out.types) = parse_row_description(&body)?;
                described = true;
            }
            b'D' if described && out.rows.len() < MAX_ROWS => {
                let row = parse_data_row(&body)?;
                if row.len() != out.columns.len() {
                    return Err(WireError::unexpected(
                        "data row",
                        format!("{} values for {} columns", row.len(), out.columns.len()),
                    ));
                }
                out.rows.push(row);
            }
            b'D' if !described => {
                return Err(WireError::unexpected(
                    "data row",
                    "before a row description",
                ));
            }
            b'E' => error = Some(parse_error(&body)),
            b'C' if !completed => {
                out.affected = command_count(&body);
                completed = true;
            }
            b'Z' => {
                out.status = body.first().copied().unwrap_or(b'I');
                return match error {
                    Some(e) => Err(e),
                    None => Ok(out),
                };
            }
            // Later results and command tags, notices, parameter changes;
            // the extended protocol's parse, bind and no-data replies.
            b'T' | b'D' | b'C' | b'I' | b'N' | b'S' | b'A' | b'1' | b'2' | b'n' | b'3' => {}
            other => {
                return Err(WireError::unexpected(
                    "message in a query reply",
                    format!("type {:?}", other as char),
                ));
            }
        }
    }
}

/// A cursor with bounds-checked reads.
struct Cur<'a> {
    b: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or(WireError::Truncated {
                what: self.what,
                len: self.b.len(),
            })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn i16(&mut self) -> Result<i16, WireError> {
        let s = self.take(2)?;
        Ok(i16::from_be_bytes([s[0], s[1]]))
    }

    fn i32(&mut self) -> Result<i32, WireError> {
        let s = self.take(4)?;
        Ok(i32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn cstr(&mut self) -> Result<&'a [u8], WireError> {
        let rest = &self.b[self.at..];
        let n = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or(WireError::Truncated {
                what: self.what,
                len: self.b.len(),
            })?;
        self.at += n + 1;
        Ok(&rest[..n])
    }
}

/// The row count at the end of a CommandComplete tag, if it has one.
fn command_count(body: &[u8]) -> Option<u64> {
    let tag = body.split(|b| *b == 0).next()?;
    let last = tag.rsplit(|b| *b == b' ').next()?;
    std::str::from_utf8(last).ok()?.parse().ok()
}

/// Column names and type OIDs.
type Description = (Vec<String>, Vec<u32>);

fn parse_row_description(body: &[u8]) -> Result<Description, WireError> {
    let mut c = Cur {
        b: body,
        at: 0,
        what: "row description",
    };
    let n = c.i16()?;
    let n = usize::try_from(n)
        .map_err(|_| WireError::unexpected("row description", format!("{n} columns")))?;
    let mut cols = Vec::with_capacity(n.min(256));
    let mut types = Vec::with_capacity(n.min(256));
    for _ in 0..n {
        cols.push(String::from_utf8_lossy(c.cstr()?).into_owned());
        c.take(6)?; // table oid, attribute number
        types.push(c.i32()? as u32);
        c.take(8)?; // size, modifier, format
    }
    Ok((cols, types))
}

fn parse_data_row(body: &[u8]) -> Result<Vec<Option<String>>, WireError> {
    let mut c = Cur {
        b: body,
        at: 0,
        what: "data row",
    };
    let n = c.i16()?;
    let n =
        usize::try_from(n).map_err(|_| WireError::unexpected("data row", format!("{n} values")))?;
    let mut row = Vec::with_capacity(n.min(256));
    for _ in 0..n {
        let len = c.i32()?;
        if len < 0 {
            row.push(None);
        } else {
            let v = c.take(len as usize)?;
            row.push(Some(String::from_utf8_lossy(v).into_owned()));
        }
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_known_answer() {
        // Computed independently (Python's hashlib) from the formula.
        assert_eq!(
            md5_password("mon", "pw", [1, 2, 3, 4]),
            "md5a578884b164e880cf126c91152512443"
        );
    }

    /// RFC 7677's SCRAM-SHA-256 example (user "user", password "pencil"),
    /// with the user name PostgreSQL leaves empty put back in.
    #[test]
    fn scram_matches_rfc_7677() {
        let mut s = Scram::new("rOprNGfwEbeRWgbNEkqO");
        s.client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO".into();
        let server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let fin = s.client_final(server_first, "pencil").expect("valid");
        assert_eq!(
            String::from_utf8(fin).expect("ascii"),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        s.verify_server(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .expect("the RFC's server signature");
        assert!(s.verify_server(b"v=AAAA").is_err());
        assert!(s.verify_server(b"e=invalid-proof").is_err());
    }

    #[test]
    fn hostile_scram_messages_are_errors() {
        let mut s = Scram::new("abc");
        for bad in [
            &b"r=xyz,s=AAAA,i=4096"[..],  // nonce not ours
            b"r=abc,s=AAAA,i=4096",       // nonce not extended
            b"r=abcd,s=!!!,i=4096",       // salt not base64
            b"r=abcd,s=AAAA,i=0",         // no iterations
            b"r=abcd,s=AAAA,i=999999999", // too many
            b"r=abcd,s=AAAA",
            b"\xff\xfe",
        ] {
            assert!(
                s.client_final(bad, "pw").is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn auth_requests_parse_and_truncations_are_errors() {
        assert_eq!(parse_auth(&[0, 0, 0, 0]).expect("ok"), Auth::Ok);
        assert_eq!(
            parse_auth(&[0, 0, 0, 5, 9, 8, 7, 6]).expect("md5"),
            Auth::Md5 { salt: [9, 8, 7, 6] }
        );
        assert_eq!(
            parse_auth(b"\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0").expect("sasl"),
            Auth::Sasl {
                mechanisms: vec!["SCRAM-SHA-256-PLUS".into(), "SCRAM-SHA-256".into()]
            }
        );
        assert!(parse_auth(&[0, 0, 0, 5, 1]).is_err());
        assert!(parse_auth(&[0, 0]).is_err());
        assert!(parse_auth(&[0, 0, 0, 7]).is_err()); // GSSAPI
    }

    fn row_description(names: &[&str]) -> Vec<u8> {
        let mut b = (names.len() as i16).to_be_bytes().to_vec();
        for n in names {
            b.extend_from_slice(n.as_bytes());
            b.push(0);
            b.extend_from_slice(&[0; 18]);
        }
        b
    }

    fn data_row(vals: &[Option<&str>]) -> Vec<u8> {
        let mut b = (vals.len() as i16).to_be_bytes().to_vec();
        for v in vals {
            match v {
                Some(v) => {
                    b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                    b.extend_from_slice(v.as_bytes());
                }
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        b
    }

    #[test]
    fn an_extended_query_encodes_parse_bind_describe_execute_sync() {
        let m =
            extended_query("SELECT $1, $2", &[(INT8, Some("42")), (TEXT, None)]).expect("encodes");
        let mut r: &[u8] = &m;
        let mut next = || {
            let t = r[0];
            let len = u32::from_be_bytes([r[1], r[2], r[3], r[4]]) as usize;
            let body = r[5..1 + len].to_vec();
            r = &r[1 + len..];
            (t, body)
        };
        let (t, b) = next();
        assert_eq!(t, b'P');
        let mut want = b"\0SELECT $1, $2\0".to_vec();
        want.extend_from_slice(&2i16.to_be_bytes());
        want.extend_from_slice(&20u32.to_be_bytes());
        want.extend_from_slice(&25u32.to_be_bytes());
        assert_eq!(b, want);
        let (t, b) = next();
        assert_eq!(t, b'B');
        let mut want = vec![0, 0, 0, 0, 0, 2];
        want.extend_from_slice(&2i32.to_be_bytes());
        want.extend_from_slice(b"42");
        want.extend_from_slice(&(-1i32).to_be_bytes()); // NULL
        want.extend_from_slice(&[0, 0]);
        assert_eq!(b, want);
        assert_eq!(next(), (b'D', b"P\0".to_vec()));
        assert_eq!(next(), (b'E', vec![0, 0, 0, 0, 0]));
        assert_eq!(next(), (b'S', vec![]));
        assert!(r.is_empty());
        assert!(extended_query("SELECT '\0'", &[]).is_err(), "NUL in SQL");
        let many = vec![(0, None); 40_000];
        assert!(
            extended_query("SELECT 1", &many).is_err(),
            "too many parameters"
        );
    }

    #[test]
    fn an_extended_reply_decodes_with_types_and_count() {
        let mut desc = 2i16.to_be_bytes().to_vec();
        for (name, oid) in [("id", 20u32), ("name", 25)] {
            desc.extend_from_slice(name.as_bytes());
            desc.push(0);
            desc.extend_from_slice(&[0; 6]);
            desc.extend_from_slice(&oid.to_be_bytes());
            desc.extend_from_slice(&[0; 8]);
        }
        let r = run(vec![
            (b'1', vec![]),
            (b'2', vec![]),
            (b'T', desc),
            (b'D', data_row(&[Some("7"), None])),
            (b'C', b"INSERT 0 1\0".to_vec()),
            (b'Z', b"T".to_vec()),
        ])
        .expect("valid");
        assert_eq!(r.columns, vec!["id", "name"]);
        assert_eq!(r.types, vec![20, 25]);
        assert_eq!(r.rows, vec![vec![Some("7".into()), None]]);
        assert_eq!(r.affected, Some(1));
        assert_eq!(r.status, b'T');
        let r = run(vec![
            (b'1', vec![]),
            (b'2', vec![]),
            (b'n', vec![]),
            (b'C', b"UPDATE 12\0".to_vec()),
            (b'Z', b"I".to_vec()),
        ])
        .expect("valid");
        assert_eq!((r.affected, r.rows.len()), (Some(12), 0));
        assert_eq!(command_count(b"BEGIN\0"), None);
    }

    #[test]
    fn broken_and_ordinary_errors_are_told_apart() {
        let e = parse_error(b"SERROR\0VERROR\0C23505\0Mduplicate key\0\0");
        assert!(
            !e.is_broken(),
            "a constraint error leaves the session usable"
        );
        let e = parse_error(b"SFATAL\0VFATAL\0C57P01\0Mterminating connection\0\0");
        assert!(e.is_broken());
        let e = parse_error(b"SERROR\0C08006\0Mgone\0\0");
        assert!(e.is_broken());
        assert!(WireError::Io(io::Error::other("reset")).is_broken());
    }

    fn reply() -> Vec<(u8, Vec<u8>)> {
        vec![
            (b'T', row_description(&["state", "count"])),
            (b'D', data_row(&[Some("active"), Some("1")])),
            (b'D', data_row(&[None, Some("4")])),
            (b'C', b"SELECT 2\0".to_vec()),
            (b'Z', b"I".to_vec()),
        ]
    }

    fn run(msgs: Vec<(u8, Vec<u8>)>) -> Result<Rows, WireError> {
        let mut it = msgs.into_iter();
        read_query_reply(|| {
            it.next()
                .ok_or_else(|| WireError::unexpected("test", "no more messages"))
        })
    }

    #[test]
    fn a_query_reply_decodes() {
        let r = run(reply()).expect("valid");
        assert_eq!(r.columns, vec!["state", "count"]);
        assert_eq!(r.rows[1], vec![None, Some("4".into())]);
    }

    #[test]
    fn broken_query_replies_are_errors() {
        let full = reply();
        for i in 0..3 {
            for cut in 0..full[i].1.len() {
                let mut m = full.clone();
                m[i].1.truncate(cut);
                assert!(run(m).is_err(), "message {i} cut at {cut}");
            }
        }
        let mut m = reply();
        m[2] = (b'D', data_row(&[Some("x")]));
        assert!(run(m).is_err(), "wrong value count");
        let mut m = reply();
        m.insert(
            3,
            (
                b'E',
                b"SERROR\0C42P01\0Mrelation \"x\" does not exist\0\0".to_vec(),
            ),
        );
        let e = run(m).expect_err("server error");
        assert_eq!(e.sqlstate(), Some("42P01"));
        assert_eq!(e.to_string(), "ERROR 42P01: relation \"x\" does not exist");
        assert!(run(vec![(b'!', vec![])]).is_err());
        let mut bytes: &[u8] = b"E\xff\xff\xff\xff";
        assert!(read_message(&mut bytes).is_err());
        let mut bytes: &[u8] = b"HTTP/1.1 400";
        assert!(read_message(&mut bytes).is_err());
    }
}
