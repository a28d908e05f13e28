//! Logging in: the startup message and whichever authentication the server
//! asks for, over any stream, so the agent's plugin (with its deadline
//! stream) and the server's [`Connection`](crate::Connection) share it.

use std::io::{Read, Write};

use crate::proto::{self, Auth, WireError};

/// Who logs in where.
#[derive(Debug, Clone, Copy)]
pub struct Login<'a> {
    /// The role.
    pub user: &'a str,
    /// The database.
    pub database: &'a str,
    /// The password, if the server may ask for one.
    pub password: Option<&'a str>,
}

/// What the server said about itself while we logged in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// The backend's process id (BackendKeyData), which names this session
    /// in `pg_stat_activity` and to `pg_terminate_backend`.
    pub backend_pid: i32,
    /// `server_version` as reported in ParameterStatus.
    pub server_version: String,
}

/// Sends the startup message and answers the server until it is ready for
/// queries. Errors are the server's (wrong password: SQLSTATE 28P01) or the
/// stream's; [`WireError::PasswordNeeded`] when it wants one we lack.
pub fn login<S: Read + Write>(s: &mut S, who: Login<'_>) -> Result<Session, WireError> {
    s.write_all(&proto::startup(who.user, who.database))?;
    let mut scram: Option<proto::Scram> = None;
    let mut session = Session::default();
    loop {
        let (t, body) = proto::read_message(s)?;
        match t {
            b'R' => match proto::parse_auth(&body)? {
                Auth::Ok => {}
                Auth::Cleartext => {
                    let pw = who.password.ok_or(WireError::PasswordNeeded)?;
                    let mut b = pw.as_bytes().to_vec();
                    b.push(0);
                    s.write_all(&proto::password(&b))?;
                }
                Auth::Md5 { salt } => {
                    let pw = who.password.ok_or(WireError::PasswordNeeded)?;
                    let mut b = proto::md5_password(who.user, pw, salt).into_bytes();
                    b.push(0);
                    s.write_all(&proto::password(&b))?;
                }
                Auth::Sasl { mechanisms } => {
                    if !mechanisms.iter().any(|m| m == "SCRAM-SHA-256") {
                        return Err(WireError::Unexpected {
                            what: "authentication",
                            detail: format!(
                                "the server offers {mechanisms:?}; sonde speaks SCRAM-SHA-256"
                            ),
                        });
                    }
                    who.password.ok_or(WireError::PasswordNeeded)?;
                    let sc = proto::Scram::new(&client_nonce()?);
                    s.write_all(&proto::password(&sc.initial_response()))?;
                    scram = Some(sc);
                }
                Auth::SaslContinue(data) => {
                    let (Some(sc), Some(pw)) = (scram.as_mut(), who.password) else {
                        return Err(WireError::Unexpected {
                            what: "authentication",
                            detail: "SCRAM data before SCRAM began".into(),
                        });
                    };
                    let fin = sc.client_final(&data, pw)?;
                    s.write_all(&proto::password(&fin))?;
                }
                Auth::SaslFinal(data) => {
                    let sc = scram.as_ref().ok_or(WireError::Unexpected {
                        what: "authentication",
                        detail: "SCRAM result before SCRAM began".into(),
                    })?;
                    sc.verify_server(&data)?;
                }
            },
            b'E' => return Err(proto::parse_error(&body)),
            b'Z' => return Ok(session),
            b'K' => {
                if let Some(pid) = body.get(..4) {
                    session.backend_pid = i32::from_be_bytes([pid[0], pid[1], pid[2], pid[3]]);
                }
            }
            b'S' => {
                let mut parts = body.split(|b| *b == 0);
                if parts.next() == Some(b"server_version") {
                    session.server_version =
                        String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
                }
            }
            b'N' => {}
            other => {
                return Err(WireError::Unexpected {
                    what: "message during login",
                    detail: format!("type {:?}", other as char),
                });
            }
        }
    }
}

/// A SCRAM client nonce: 18 random bytes, base64 (printable, no comma).
fn client_nonce() -> Result<String, WireError> {
    use base64::Engine as _;
    let mut b = [0u8; 18];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| WireError::Io(std::io::Error::new(e.kind(), format!("/dev/urandom: {e}"))))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(b))
}
