//! The MySQL/MariaDB client/server protocol, as much of it as a metrics
//! reader needs: packet framing, the v10 handshake, the handshake response
//! with `mysql_native_password` (and `caching_sha2_password`'s fast path),
//! and text-protocol result sets of `COM_QUERY`. No I/O here beyond a
//! [`Read`]/[`Write`] the caller gives; every decoder takes bytes a server
//! sent and gives an error, never a panic, on anything short or odd.

use std::io::{self, Read, Write};

use sha1::{Digest, Sha1};
use sha2::Sha256;

/// Why a conversation with the server failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("truncated {what}: {len} bytes, needed more at offset {at}")]
    Truncated {
        what: &'static str,
        len: usize,
        at: usize,
    },
    #[error("unexpected {what}: {detail}")]
    Unexpected { what: &'static str, detail: String },
    #[error("server error {code} ({state}): {message}")]
    Server {
        code: u16,
        state: String,
        message: String,
    },
}

impl WireError {
    fn unexpected(what: &'static str, detail: impl Into<String>) -> WireError {
        WireError::Unexpected {
            what,
            detail: detail.into(),
        }
    }

    /// The server's error code, when the server refused.
    pub fn server_code(&self) -> Option<u16> {
        match self {
            WireError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Capability flags (a subset).
pub mod caps {
    pub const LONG_PASSWORD: u32 = 0x1;
    pub const LONG_FLAG: u32 = 0x4;
    pub const CONNECT_WITH_DB: u32 = 0x8;
    pub const PROTOCOL_41: u32 = 0x200;
    pub const TRANSACTIONS: u32 = 0x2000;
    pub const SECURE_CONNECTION: u32 = 0x8000;
    pub const MULTI_RESULTS: u32 = 0x20000;
    pub const PLUGIN_AUTH: u32 = 0x80000;
    pub const PLUGIN_AUTH_LENENC_DATA: u32 = 0x200000;
}

/// Largest logical packet accepted (one status row is small; this only
/// stops a confused peer from making us allocate without bound).
const MAX_PACKET: usize = 64 << 20;

/// Reads one logical packet (joining 16 MiB continuation frames); returns
/// its sequence id and payload.
pub fn read_packet(r: &mut impl Read) -> Result<(u8, Vec<u8>), WireError> {
    let mut payload = Vec::new();
    loop {
        let mut head = [0u8; 4];
        r.read_exact(&mut head)
            .map_err(|e| eof_as_closed(e, "packet header"))?;
        let len = usize::from(head[0]) | usize::from(head[1]) << 8 | usize::from(head[2]) << 16;
        if payload.len() + len > MAX_PACKET {
            return Err(WireError::unexpected(
                "packet",
                format!("longer than {MAX_PACKET} bytes"),
            ));
        }
        let start = payload.len();
        payload.resize(start + len, 0);
        r.read_exact(&mut payload[start..])
            .map_err(|e| eof_as_closed(e, "packet body"))?;
        if len < 0xFF_FFFF {
            return Ok((head[3], payload));
        }
    }
}

fn eof_as_closed(e: io::Error, what: &str) -> WireError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        WireError::unexpected(
            "end of stream",
            format!("the server closed the connection in a {what}"),
        )
    } else {
        WireError::Io(e)
    }
}

/// Writes `payload` as packets starting at sequence id `seq`.
pub fn write_packet(w: &mut impl Write, seq: u8, payload: &[u8]) -> Result<(), WireError> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    let mut seq = seq;
    let mut chunks = payload.chunks(0xFF_FFFF).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[0, 0, 0, seq]);
    }
    while let Some(c) = chunks.next() {
        let n = c.len();
        out.extend_from_slice(&[n as u8, (n >> 8) as u8, (n >> 16) as u8, seq]);
        out.extend_from_slice(c);
        seq = seq.wrapping_add(1);
        if chunks.peek().is_none() && n == 0xFF_FFFF {
            out.extend_from_slice(&[0, 0, 0, seq]);
        }
    }
    w.write_all(&out)?;
    Ok(())
}

/// A cursor over a payload whose every read is bounds-checked.
struct Cur<'a> {
    b: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8], what: &'static str) -> Cur<'a> {
        Cur { b, at: 0, what }
    }

    fn short(&self) -> WireError {
        WireError::Truncated {
            what: self.what,
            len: self.b.len(),
            at: self.at,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| self.short())?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn nul_str(&mut self) -> Result<&'a [u8], WireError> {
        let rest = &self.b[self.at..];
        let n = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| self.short())?;
        self.at += n + 1;
        Ok(&rest[..n])
    }

    fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.at..];
        self.at = self.b.len();
        s
    }

    fn is_empty(&self) -> bool {
        self.at >= self.b.len()
    }

    /// A length-encoded integer; `None` is the 0xFB NULL marker.
    fn lenenc(&mut self) -> Result<Option<u64>, WireError> {
        let first = self.u8()?;
        Ok(Some(match first {
            0xFB => return Ok(None),
            0xFC => u64::from(self.u16()?),
            0xFD => {
                let s = self.take(3)?;
                u64::from(s[0]) | u64::from(s[1]) << 8 | u64::from(s[2]) << 16
            }
            0xFE => {
                let s = self.take(8)?;
                u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
            }
            0xFF => {
                return Err(WireError::unexpected(
                    self.what,
                    "0xFF where a length belongs",
                ));
            }
            n => u64::from(n),
        }))
    }

    fn lenenc_bytes(&mut self) -> Result<Option<&'a [u8]>, WireError> {
        match self.lenenc()? {
            None => Ok(None),
            Some(n) => {
                let n = usize::try_from(n).map_err(|_| self.short())?;
                self.take(n).map(Some)
            }
        }
    }
}

/// The server's greeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// As the server names itself (`5.5.5-10.11.6-MariaDB-...`).
    pub server_version: String,
    /// The server's thread id for this connection.
    pub connection_id: u32,
    /// The server's capability flags ([`caps`]).
    pub capabilities: u32,
    /// The nonce the password is scrambled with (20 bytes for
    /// mysql_native_password).
    pub scramble: Vec<u8>,
    /// The authentication method the server expects first.
    pub auth_plugin: String,
}

/// Reads the greeting: protocol 10, or the ERR a server sends instead
/// (too many connections, host not allowed).
pub fn parse_handshake(p: &[u8]) -> Result<Handshake, WireError> {
    if p.first() == Some(&0xFF) {
        return Err(parse_err(p));
    }
    let mut c = Cur::new(p, "handshake");
    let proto = c.u8()?;
    if proto != 10 {
        return Err(WireError::unexpected(
            "handshake",
            format!("protocol version {proto} (want 10: is this a MySQL server?)"),
        ));
    }
    let server_version = String::from_utf8_lossy(c.nul_str()?).into_owned();
    let connection_id = c.u32()?;
    let mut scramble = c.take(8)?.to_vec();
    c.take(1)?; // filler
    let mut capabilities = u32::from(c.u16()?);
    let mut auth_plugin = String::from("mysql_native_password");
    if !c.is_empty() {
        c.take(1)?; // character set
        c.take(2)?; // status flags
        capabilities |= u32::from(c.u16()?) << 16;
        let data_len = c.u8()?;
        c.take(10)?; // reserved
        if capabilities & caps::SECURE_CONNECTION != 0 {
            let n = usize::from(data_len).saturating_sub(8).max(13);
            let part2 = c.take(n)?;
            // The second part ends with a NUL that is not part of the nonce.
            let part2 = part2.strip_suffix(&[0]).unwrap_or(part2);
            scramble.extend_from_slice(part2);
        }
        if capabilities & caps::PLUGIN_AUTH != 0 {
            let rest = c.rest();
            let name = rest.split(|b| *b == 0).next().unwrap_or_default();
            auth_plugin = String::from_utf8_lossy(name).into_owned();
        }
    }
    Ok(Handshake {
        server_version,
        connection_id,
        capabilities,
        scramble,
        auth_plugin,
    })
}

/// An ERR packet as an error.
pub fn parse_err(p: &[u8]) -> WireError {
    let mut c = Cur::new(p, "error packet");
    let parsed = (|| -> Result<WireError, WireError> {
        c.u8()?;
        let code = c.u16()?;
        let mut state = String::from("HY000");
        // PROTOCOL_41 servers put `#` and a five-letter SQL state first.
        if c.b.get(c.at) == Some(&b'#') {
            c.take(1)?;
            state = String::from_utf8_lossy(c.take(5)?).into_owned();
        }
        Ok(WireError::Server {
            code,
            state,
            message: String::from_utf8_lossy(c.rest()).into_owned(),
        })
    })();
    parsed.unwrap_or_else(|e| e)
}

/// `mysql_native_password`: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))); no
/// password is an empty answer.
pub fn native_password(password: &[u8], scramble: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let h1 = Sha1::digest(password);
    let h2 = Sha1::digest(h1);
    let mut h = Sha1::new();
    h.update(scramble.get(..20).unwrap_or(scramble));
    h.update(h2);
    let h3 = h.finalize();
    h1.iter().zip(h3.iter()).map(|(a, b)| a ^ b).collect()
}

/// `caching_sha2_password`'s scramble: SHA256(pw) XOR
/// SHA256(SHA256(SHA256(pw)) + nonce).
pub fn caching_sha2_password(password: &[u8], scramble: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let h1 = Sha256::digest(password);
    let h2 = Sha256::digest(h1);
    let mut h = Sha256::new();
    h.update(h2);
    h.update(scramble.get(..20).unwrap_or(scramble));
    let h3 = h.finalize();
    h1.iter().zip(h3.iter()).map(|(a, b)| a ^ b).collect()
}

/// The answer `plugin` wants for `password` and `scramble`, or `None` for
/// a method this client does not speak.
pub fn auth_answer(plugin: &str, password: &[u8], scramble: &[u8]) -> Option<Vec<u8>> {
    match plugin {
        "mysql_native_password" | "" => Some(native_password(password, scramble)),
        "caching_sha2_password" => Some(caching_sha2_password(password, scramble)),
        // MariaDB's unix_socket/auth_socket look at the peer's uid and want
        // nothing from the client.
        "unix_socket" | "auth_socket" => Some(Vec::new()),
        _ => None,
    }
}

/// The client's answer to the greeting.
pub fn handshake_response(
    hs: &Handshake,
    user: &str,
    auth: &[u8],
    auth_plugin: &str,
    database: Option<&str>,
) -> Vec<u8> {
    let mut want = caps::LONG_PASSWORD
        | caps::LONG_FLAG
        | caps::PROTOCOL_41
        | caps::TRANSACTIONS
        | caps::SECURE_CONNECTION
        | caps::MULTI_RESULTS
        | caps::PLUGIN_AUTH
        | caps::PLUGIN_AUTH_LENENC_DATA;
    if database.is_some() {
        want |= caps::CONNECT_WITH_DB;
    }
    let flags = want & hs.capabilities | caps::PROTOCOL_41;
    let mut p = Vec::with_capacity(64 + user.len() + auth.len());
    p.extend_from_slice(&flags.to_le_bytes());
    p.extend_from_slice(&(16u32 << 20).to_le_bytes()); // max packet
    p.push(45); // utf8mb4_general_ci
    p.extend_from_slice(&[0; 23]);
    p.extend_from_slice(user.as_bytes());
    p.push(0);
    if flags & caps::PLUGIN_AUTH_LENENC_DATA != 0 {
        put_lenenc(&mut p, auth.len() as u64);
        p.extend_from_slice(auth);
    } else {
        // SECURE_CONNECTION: one length byte (20 or 32 bytes fit).
        p.push(auth.len().min(255) as u8);
        p.extend_from_slice(&auth[..auth.len().min(255)]);
    }
    if let Some(db) = database.filter(|_| flags & caps::CONNECT_WITH_DB != 0) {
        p.extend_from_slice(db.as_bytes());
        p.push(0);
    }
    if flags & caps::PLUGIN_AUTH != 0 {
        p.extend_from_slice(auth_plugin.as_bytes());
        p.push(0);
    }
    p
}

fn put_lenenc(p: &mut Vec<u8>, n: u64) {
    match n {
        0..=250 => p.push(n as u8),
        251..=0xFFFF => {
            p.push(0xFC);
            p.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xFF_FFFF => {
            p.push(0xFD);
            p.extend_from_slice(&(n as u32).to_le_bytes()[..3]);
        }
        _ => {
            p.push(0xFE);
            p.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// What the server said after the client's authentication data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthReply {
    Ok,
    /// Use another method (`0xFE`): its name and a fresh nonce.
    Switch {
        plugin: String,
        scramble: Vec<u8>,
    },
    /// Method-specific data (`0x01`), e.g. caching_sha2's 3 (fast auth
    /// done) or 4 (send the full password).
    MoreData(Vec<u8>),
}

/// Reads a reply in the authentication phase.
pub fn parse_auth_reply(p: &[u8]) -> Result<AuthReply, WireError> {
    match p.first() {
        Some(0x00) => Ok(AuthReply::Ok),
        Some(0xFF) => Err(parse_err(p)),
        Some(0xFE) => {
            let mut c = Cur::new(p, "auth switch request");
            c.u8()?;
            if c.is_empty() {
                // The old pre-4.1 switch: not spoken here.
                return Err(WireError::unexpected(
                    "auth switch",
                    "the server asks for the pre-4.1 password method",
                ));
            }
            let plugin = String::from_utf8_lossy(c.nul_str()?).into_owned();
            let data = c.rest();
            let scramble = data.strip_suffix(&[0]).unwrap_or(data).to_vec();
            Ok(AuthReply::Switch { plugin, scramble })
        }
        Some(0x01) => Ok(AuthReply::MoreData(p[1..].to_vec())),
        Some(b) => Err(WireError::unexpected(
            "authentication reply",
            format!("first byte {b:#04x}"),
        )),
        None => Err(WireError::unexpected(
            "authentication reply",
            "an empty packet",
        )),
    }
}

/// A result set of text values (`None` is SQL NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultSet {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Option<String>>>,
}

impl ResultSet {
    /// Column `name`'s index (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }
}

/// Most rows accepted: SHOW GLOBAL STATUS has about a thousand.
const MAX_ROWS: usize = 100_000;

/// Reads a `COM_QUERY` reply from a packet source: an OK (no rows), an
/// ERR, or column count, column definitions, EOF, rows, EOF.
pub fn read_result_set(
    mut next: impl FnMut() -> Result<Vec<u8>, WireError>,
) -> Result<ResultSet, WireError> {
    let first = next()?;
    match first.first() {
        Some(0x00) => return Ok(ResultSet::default()),
        Some(0xFF) => return Err(parse_err(&first)),
        Some(0xFB) => {
            return Err(WireError::unexpected("query reply", "LOCAL INFILE request"));
        }
        None => return Err(WireError::unexpected("query reply", "an empty packet")),
        _ => {}
    }
    let n = Cur::new(&first, "column count")
        .lenenc()?
        .filter(|n| (1..=4096).contains(n))
        .ok_or_else(|| WireError::unexpected("column count", format!("{first:02x?}")))?
        as usize;
    let mut columns = Vec::with_capacity(n);
    for _ in 0..n {
        let p = next()?;
        if p.first() == Some(&0xFF) {
            return Err(parse_err(&p));
        }
        let mut c = Cur::new(&p, "column definition");
        for _ in 0..4 {
            c.lenenc_bytes()?; // catalog, schema, table, org_table
        }
        let name = c.lenenc_bytes()?.unwrap_or_default();
        columns.push(String::from_utf8_lossy(name).into_owned());
    }
    let eof = next()?;
    if !is_eof(&eof) {
        if eof.first() == Some(&0xFF) {
            return Err(parse_err(&eof));
        }
        return Err(WireError::unexpected(
            "end of column definitions",
            format!("{:02x?}", &eof[..eof.len().min(8)]),
        ));
    }
    let mut rows = Vec::new();
    loop {
        let p = next()?;
        if is_eof(&p) {
            break;
        }
        if p.first() == Some(&0xFF) {
            return Err(parse_err(&p));
        }
        if rows.len() >= MAX_ROWS {
            return Err(WireError::unexpected(
                "result set",
                format!("more than {MAX_ROWS} rows"),
            ));
        }
        let mut c = Cur::new(&p, "row");
        let mut row = Vec::with_capacity(n);
        for _ in 0..n {
            row.push(
                c.lenenc_bytes()?
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
            );
        }
        if !c.is_empty() {
            return Err(WireError::unexpected(
                "row",
                format!("{} bytes after the last of {n} values", p.len() - c.at),
            ));
        }
        rows.push(row);
    }
    Ok(ResultSet { columns, rows })
}

/// An EOF packet: 0xFE and shorter than 9 bytes (a longer 0xFE packet is
/// a row whose first value is 8 bytes long).
fn is_eof(p: &[u8]) -> bool {
    p.first() == Some(&0xFE) && p.len() < 9
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A MariaDB 10.11 greeting, as captured.
    fn greeting() -> Vec<u8> {
        let mut p = vec![10];
        p.extend_from_slice(b"5.5.5-10.11.6-MariaDB-0+deb12u1\0");
        p.extend_from_slice(&7u32.to_le_bytes());
        p.extend_from_slice(b"abcdefgh\0");
        p.extend_from_slice(&0xf7feu16.to_le_bytes());
        p.push(45);
        p.extend_from_slice(&2u16.to_le_bytes());
        p.extend_from_slice(&0x81bfu16.to_le_bytes());
        p.push(21);
        p.extend_from_slice(&[0; 10]);
        p.extend_from_slice(b"ijklmnopqrst\0");
        p.extend_from_slice(b"mysql_native_password\0");
        p
    }

    #[test]
    fn a_greeting_parses_and_every_truncation_is_an_error() {
        let g = greeting();
        let hs = parse_handshake(&g).expect("valid");
        assert_eq!(hs.server_version, "5.5.5-10.11.6-MariaDB-0+deb12u1");
        assert_eq!(hs.connection_id, 7);
        assert_eq!(hs.scramble, b"abcdefghijklmnopqrst");
        assert_eq!(hs.auth_plugin, "mysql_native_password");
        assert!(hs.capabilities & caps::PLUGIN_AUTH != 0);
        // Cut anywhere before the optional tail: an error, never a panic.
        for cut in 0..g.len() - 23 {
            let _ = parse_handshake(&g[..cut]);
        }
        assert!(matches!(
            parse_handshake(&g[..20]),
            Err(WireError::Truncated { .. })
        ));
        assert!(matches!(
            parse_handshake(b"SSH-2.0-x"),
            Err(WireError::Unexpected { .. })
        ));
        let e = parse_handshake(b"\xff\x10\x04Too many connections");
        assert!(
            matches!(e, Err(WireError::Server { code: 1040, .. })),
            "{e:?}"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn scrambles_match_known_answers() {
        // Computed independently (Python's hashlib) from the formulas.
        let nonce = b"abcdefghijklmnopqrst";
        assert_eq!(
            hex(&native_password(b"pw", nonce)),
            "12909d72d875523f8c9d6da44cbd3a6c1ce794db"
        );
        assert_eq!(
            hex(&caching_sha2_password(b"pw", nonce)),
            "ad439090e1914151d1a7f6bf7c21561d283f2fba52fe39ce9dcd29d687813c2c"
        );
        assert!(native_password(b"", nonce).is_empty());
    }

    #[test]
    fn the_response_carries_user_auth_and_plugin() {
        let hs = parse_handshake(&greeting()).expect("valid");
        let r = handshake_response(&hs, "mon", &[1, 2, 3], "mysql_native_password", Some("db"));
        assert_eq!(&r[32..36], b"mon\0");
        assert_eq!(&r[36..40], &[3, 1, 2, 3]);
        assert!(r.ends_with(b"db\0mysql_native_password\0"));
    }

    #[test]
    fn packets_frame_and_unframe() {
        let mut out = Vec::new();
        write_packet(&mut out, 3, b"hello").expect("write");
        assert_eq!(out, b"\x05\x00\x00\x03hello");
        let (seq, p) = read_packet(&mut out.as_slice()).expect("read");
        assert_eq!((seq, p.as_slice()), (3, &b"hello"[..]));
        let e = read_packet(&mut &b"\x05\x00\x00\x03hel"[..]).expect_err("short");
        assert!(e.to_string().contains("closed the connection"), "{e}");
    }

    fn lenenc_str(s: &str) -> Vec<u8> {
        let mut v = vec![s.len() as u8];
        v.extend_from_slice(s.as_bytes());
        v
    }

    fn coldef(name: &str) -> Vec<u8> {
        let mut p = Vec::new();
        for part in ["def", "", "", "", name, name] {
            p.extend(lenenc_str(part));
        }
        p.extend_from_slice(&[0x0c, 45, 0, 0, 0, 0, 0, 253, 0, 0, 0, 0, 0]);
        p
    }

    fn status_reply() -> Vec<Vec<u8>> {
        let eof = vec![0xFE, 0, 0, 2, 0];
        let mut row1 = lenenc_str("Com_select");
        row1.extend(lenenc_str("42"));
        let mut row2 = lenenc_str("Slave_running");
        row2.push(0xFB);
        vec![
            vec![2],
            coldef("Variable_name"),
            coldef("Value"),
            eof.clone(),
            row1,
            row2,
            eof,
        ]
    }

    #[test]
    fn a_result_set_decodes() {
        let mut it = status_reply().into_iter();
        let rs = read_result_set(|| it.next().ok_or_else(|| WireError::unexpected("t", "end")))
            .expect("valid");
        assert_eq!(rs.columns, vec!["Variable_name", "Value"]);
        assert_eq!(
            rs.rows[0],
            vec![Some("Com_select".into()), Some("42".into())]
        );
        assert_eq!(rs.rows[1], vec![Some("Slave_running".into()), None]);
        assert_eq!(rs.column("value"), Some(1));
    }

    #[test]
    fn broken_result_sets_are_errors() {
        // Every packet cut short.
        let full = status_reply();
        for i in 0..full.len() {
            for cut in 0..full[i].len() {
                let mut ps = full.clone();
                ps[i].truncate(cut);
                let mut it = ps.into_iter();
                let r =
                    read_result_set(|| it.next().ok_or_else(|| WireError::unexpected("t", "end")));
                // The count and the rows are read whole; a column
                // definition is read up to its name, an EOF by its
                // first byte.
                if [0, 4, 5].contains(&i) || cut == 0 {
                    assert!(r.is_err(), "packet {i} cut at {cut}: {r:?}");
                }
            }
        }
        // Garbage lengths and an ERR mid-stream.
        let mut it = vec![vec![0xFC]].into_iter();
        assert!(
            read_result_set(|| it.next().ok_or_else(|| WireError::unexpected("t", "end"))).is_err()
        );
        let mut ps = status_reply();
        ps[4] = b"\xff\x15\x04#28000Access denied".to_vec();
        let mut it = ps.into_iter();
        let e = read_result_set(|| it.next().ok_or_else(|| WireError::unexpected("t", "end")))
            .expect_err("err");
        assert_eq!(e.server_code(), Some(1045));
        assert!(e.to_string().contains("(28000): Access denied"), "{e}");
    }

    #[test]
    fn auth_replies() {
        assert_eq!(
            parse_auth_reply(&[0, 0, 0, 2, 0]).expect("ok"),
            AuthReply::Ok
        );
        assert_eq!(
            parse_auth_reply(b"\xfemysql_native_password\0abcdefghijklmnopqrst\0").expect("switch"),
            AuthReply::Switch {
                plugin: "mysql_native_password".into(),
                scramble: b"abcdefghijklmnopqrst".to_vec()
            }
        );
        assert!(parse_auth_reply(b"\xfeno-nul").is_err());
        assert!(parse_auth_reply(b"").is_err());
        assert!(parse_auth_reply(b"\x7f").is_err());
        assert_eq!(
            parse_auth_reply(b"\x01\x03").expect("more"),
            AuthReply::MoreData(vec![3])
        );
    }
}
