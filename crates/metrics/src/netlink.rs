//! TCP listeners and their queues, asked of the kernel over inet_diag
//! (`NETLINK_SOCK_DIAG`), as `ss -lnt` asks: the one place the backlog
//! limit of a listener is visible (/proc/net/tcp shows only the current
//! accept-queue depth).
//!
//! Two halves: the protocol (building the request, parsing the reply) is
//! pure and unit-tested on hand-built bytes; [`tcp_listeners`] does the four
//! system calls, each in its own small function with its safety argument.
//! A malformed reply is an error naming the byte offset, never a panic.
//!
//! The kernel answers for the network namespace the agent runs in.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

// From the kernel's uapi (linux/netlink.h, linux/sock_diag.h,
// linux/inet_diag.h): the protocol this module speaks.
const NETLINK_SOCK_DIAG: libc::c_int = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x01;
const NLM_F_DUMP: u16 = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_HDRLEN: usize = 16;
/// `struct inet_diag_req_v2`: family, protocol, ext, pad, states, sockid.
const REQ_LEN: usize = 56;
/// `struct inet_diag_msg`: family, state, timer, retrans, sockid (48
/// bytes), expires, rqueue, wqueue, uid, inode.
const MSG_LEN: usize = 72;
const TCP_LISTEN: u8 = 10;

/// One listening TCP socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub addr: IpAddr,
    pub port: u16,
    /// Connections established and waiting for `accept` (`idiag_rqueue`,
    /// the kernel's `sk_ack_backlog`).
    pub queue: u32,
    /// The backlog the listener asked for, capped by `somaxconn`
    /// (`idiag_wqueue`, the kernel's `sk_max_ack_backlog`).
    pub limit: u32,
}

/// A reply the kernel should not have sent (or that was cut short).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("byte {offset}: {what}")]
    Malformed { offset: usize, what: String },
    #[error("the kernel refused the request: {0}")]
    Refused(String),
}

impl From<ReplyError> for io::Error {
    fn from(e: ReplyError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// The dump request for `family`'s TCP sockets in LISTEN.
pub fn request(family: u8, seq: u32) -> [u8; NLMSG_HDRLEN + REQ_LEN] {
    let mut b = [0u8; NLMSG_HDRLEN + REQ_LEN];
    b[0..4].copy_from_slice(&((NLMSG_HDRLEN + REQ_LEN) as u32).to_ne_bytes());
    b[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    b[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    b[8..12].copy_from_slice(&seq.to_ne_bytes());
    // nlmsg_pid 0: the kernel. The request:
    b[16] = family;
    b[17] = libc::IPPROTO_TCP as u8;
    // idiag_ext 0 (no extensions), pad; idiag_states: LISTEN only.
    b[20..24].copy_from_slice(&(1u32 << TCP_LISTEN).to_ne_bytes());
    // The socket id stays zero: every socket.
    b
}

/// Whether a dump has more datagrams to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    More,
    Done,
}

/// Parses one datagram of a dump reply to request `seq`, appending the
/// listeners it describes. Messages of another sequence are ignored.
pub fn parse_reply(buf: &[u8], seq: u32, out: &mut Vec<Listener>) -> Result<Progress, ReplyError> {
    let malformed = |offset: usize, what: String| ReplyError::Malformed { offset, what };
    let mut at = 0;
    while at < buf.len() {
        let rest = &buf[at..];
        let header = rest.get(..NLMSG_HDRLEN).ok_or_else(|| {
            malformed(
                at,
                format!("{} bytes left, too short for a netlink header", rest.len()),
            )
        })?;
        let len = u32_at(header, 0) as usize;
        let kind = u16::from_ne_bytes([header[4], header[5]]);
        let msg_seq = u32_at(header, 8);
        if len < NLMSG_HDRLEN || len > rest.len() {
            return Err(malformed(
                at,
                format!(
                    "message length {len} outside {NLMSG_HDRLEN}..={}",
                    rest.len()
                ),
            ));
        }
        let payload = &rest[NLMSG_HDRLEN..len];
        if msg_seq == seq {
            match kind {
                NLMSG_DONE => {
                    // A dump that failed part-way says so here.
                    return match payload.get(..4).map(|b| i32_at(b, 0)) {
                        Some(code) if code < 0 => Err(refused(code)),
                        _ => Ok(Progress::Done),
                    };
                }
                NLMSG_ERROR => {
                    let code = payload
                        .get(..4)
                        .map(|b| i32_at(b, 0))
                        .ok_or_else(|| malformed(at, "an error message without its code".into()))?;
                    // Code 0 is an acknowledgement, which a dump is not
                    // asked for; anything else is the kernel's refusal.
                    if code != 0 {
                        return Err(refused(code));
                    }
                }
                SOCK_DIAG_BY_FAMILY => out.push(listener(payload, at + NLMSG_HDRLEN)?),
                _ => {} // nothing else belongs to a sock_diag dump; skipped
            }
        }
        // Messages are padded to 4 bytes.
        at += (len + 3) & !3;
    }
    Ok(Progress::More)
}

/// One `struct inet_diag_msg` (at `offset` in the datagram, for errors).
fn listener(p: &[u8], offset: usize) -> Result<Listener, ReplyError> {
    if p.len() < MSG_LEN {
        return Err(ReplyError::Malformed {
            offset,
            what: format!(
                "an inet_diag message of {} bytes, {MSG_LEN} needed",
                p.len()
            ),
        });
    }
    // The socket id: sport and dport in network order, then the source
    // and destination addresses as four 32-bit words (an IPv4 address in
    // the first).
    let port = u16::from_be_bytes([p[4], p[5]]);
    let src = &p[8..24];
    let addr = match p[0] {
        f if i32::from(f) == libc::AF_INET => {
            IpAddr::V4(Ipv4Addr::new(src[0], src[1], src[2], src[3]))
        }
        f if i32::from(f) == libc::AF_INET6 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(src);
            IpAddr::V6(Ipv6Addr::from(a))
        }
        f => {
            return Err(ReplyError::Malformed {
                offset,
                what: format!("address family {f}, neither IPv4 nor IPv6"),
            });
        }
    };
    Ok(Listener {
        addr,
        port,
        queue: u32_at(p, 56),
        limit: u32_at(p, 60),
    })
}

/// The error of a negative errno in a reply.
fn refused(code: i32) -> ReplyError {
    ReplyError::Refused(io::Error::from_raw_os_error(code.saturating_neg()).to_string())
}

fn i32_at(b: &[u8], i: usize) -> i32 {
    i32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Every TCP listener of this network namespace, IPv4 and IPv6 (a dual-stack
/// socket on `::` is reported once, as IPv6).
pub fn tcp_listeners() -> io::Result<Vec<Listener>> {
    let fd = open()?;
    set_timeout(fd.as_fd(), 5)?;
    let mut out = Vec::new();
    // The kernel sizes dump datagrams to the reader's buffer, up to 32 KB.
    let mut buf = vec![0u8; 32 * 1024];
    for (seq, family) in [(1, libc::AF_INET as u8), (2, libc::AF_INET6 as u8)] {
        send(fd.as_fd(), &request(family, seq))?;
        loop {
            let n = recv(fd.as_fd(), &mut buf)?;
            if n > buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a {n}-byte datagram for a {}-byte buffer", buf.len()),
                ));
            }
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the dump ended without NLMSG_DONE",
                ));
            }
            if parse_reply(&buf[..n], seq, &mut out)? == Progress::Done {
                break;
            }
        }
    }
    Ok(out)
}

/// socket(2): a sock_diag netlink socket.
#[allow(unsafe_code)]
fn open() -> io::Result<OwnedFd> {
    // SAFETY: socket takes no pointers.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            NETLINK_SOCK_DIAG,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a descriptor socket just returned, owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// setsockopt(2) SO_RCVTIMEO: a kernel that never answers cannot hang the
/// agent.
#[allow(unsafe_code)]
fn set_timeout(fd: BorrowedFd<'_>, secs: libc::time_t) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: secs,
        tv_usec: 0,
    };
    // SAFETY: the kernel reads size_of::<timeval>() bytes from &tv, which
    // lives across the call.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// sendto(2) the kernel (netlink port 0).
#[allow(unsafe_code)]
fn send(fd: BorrowedFd<'_>, msg: &[u8]) -> io::Result<()> {
    // SAFETY: sockaddr_nl is plain data; all zeroes is a valid value.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    loop {
        // SAFETY: the kernel reads msg.len() bytes from msg and
        // size_of::<sockaddr_nl>() bytes from &kernel; both outlive the call.
        let n = unsafe {
            libc::sendto(
                fd.as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&kernel as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// recv(2) one datagram; with MSG_TRUNC the result is its real length,
/// larger than `buf` if it did not fit.
#[allow(unsafe_code)]
fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: the kernel writes at most buf.len() bytes into buf, which
        // is borrowed mutably across the call.
        let n = unsafe {
            libc::recv(
                fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_TRUNC,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A netlink message: header then payload, padded to 4 bytes.
    fn message(kind: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let len = NLMSG_HDRLEN + payload.len();
        let mut m = Vec::new();
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(payload);
        while m.len() % 4 != 0 {
            m.push(0);
        }
        m
    }

    fn diag(family: u8, addr: &[u8], port: u16, rqueue: u32, wqueue: u32) -> Vec<u8> {
        let mut p = vec![0u8; MSG_LEN];
        p[0] = family;
        p[1] = TCP_LISTEN;
        p[4..6].copy_from_slice(&port.to_be_bytes());
        p[8..8 + addr.len()].copy_from_slice(addr);
        p[56..60].copy_from_slice(&rqueue.to_ne_bytes());
        p[60..64].copy_from_slice(&wqueue.to_ne_bytes());
        p
    }

    #[test]
    fn the_request_asks_for_tcp_listeners() {
        let r = request(libc::AF_INET6 as u8, 7);
        assert_eq!(u32_at(&r, 0) as usize, r.len());
        assert_eq!(r.len(), 72);
        assert_eq!(u16::from_ne_bytes([r[4], r[5]]), SOCK_DIAG_BY_FAMILY);
        assert_eq!(u16::from_ne_bytes([r[6], r[7]]), 0x301);
        assert_eq!(u32_at(&r, 8), 7);
        assert_eq!(r[16], libc::AF_INET6 as u8);
        assert_eq!(r[17], 6, "IPPROTO_TCP");
        assert_eq!(u32_at(&r, 20), 1 << 10, "LISTEN only");
    }

    #[test]
    fn a_reply_gives_its_listeners_then_done() {
        let mut buf = message(
            SOCK_DIAG_BY_FAMILY,
            1,
            &diag(libc::AF_INET as u8, &[127, 0, 0, 1], 8080, 3, 128),
        );
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        buf.extend(message(
            SOCK_DIAG_BY_FAMILY,
            1,
            &diag(libc::AF_INET6 as u8, &v6, 443, 0, 4096),
        ));
        let mut out = Vec::new();
        assert_eq!(parse_reply(&buf, 1, &mut out), Ok(Progress::More));
        assert_eq!(
            out,
            [
                Listener {
                    addr: "127.0.0.1".parse().expect("addr"),
                    port: 8080,
                    queue: 3,
                    limit: 128
                },
                Listener {
                    addr: "::1".parse().expect("addr"),
                    port: 443,
                    queue: 0,
                    limit: 4096
                }
            ]
        );
        let done = message(NLMSG_DONE, 1, &0i32.to_ne_bytes());
        assert_eq!(parse_reply(&done, 1, &mut out), Ok(Progress::Done));
        // Another request's messages are not ours.
        let other = message(NLMSG_DONE, 9, &0i32.to_ne_bytes());
        assert_eq!(parse_reply(&other, 1, &mut out), Ok(Progress::More));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn an_error_reply_says_why() {
        let mut payload = (-libc::EINVAL).to_ne_bytes().to_vec();
        payload.extend_from_slice(&[0u8; 16]); // the request's header
        let e = parse_reply(&message(NLMSG_ERROR, 1, &payload), 1, &mut Vec::new())
            .expect_err("refused");
        assert!(
            matches!(&e, ReplyError::Refused(m) if m.contains("Invalid argument")),
            "{e}"
        );
        // An acknowledgement (code 0) is no error.
        let mut ack = 0i32.to_ne_bytes().to_vec();
        ack.extend_from_slice(&[0u8; 16]);
        assert_eq!(
            parse_reply(&message(NLMSG_ERROR, 1, &ack), 1, &mut Vec::new()),
            Ok(Progress::More)
        );
        // A dump that failed part-way ends with the errno in its DONE.
        let e = parse_reply(
            &message(NLMSG_DONE, 1, &(-libc::ENOBUFS).to_ne_bytes()),
            1,
            &mut Vec::new(),
        )
        .expect_err("failed dump");
        assert!(
            matches!(&e, ReplyError::Refused(m) if m.contains("No buffer space")),
            "{e}"
        );
        let e =
            parse_reply(&message(NLMSG_ERROR, 1, &[1, 2]), 1, &mut Vec::new()).expect_err("short");
        assert!(e.to_string().contains("without its code"), "{e}");
    }

    #[test]
    fn truncated_replies_are_errors_not_panics() {
        let whole = message(
            SOCK_DIAG_BY_FAMILY,
            1,
            &diag(libc::AF_INET as u8, &[10, 0, 0, 1], 22, 0, 5),
        );
        // Every cut of the datagram, and every smaller claimed length.
        for cut in 1..whole.len() {
            let r = parse_reply(&whole[..cut], 1, &mut Vec::new());
            assert!(
                matches!(r, Err(ReplyError::Malformed { .. })),
                "cut at {cut}: {r:?}"
            );
        }
        for claimed in 0..whole.len() as u32 {
            let mut m = whole.clone();
            m[0..4].copy_from_slice(&claimed.to_ne_bytes());
            let r = parse_reply(&m, 1, &mut Vec::new());
            assert!(r.is_err(), "claimed length {claimed}: {r:?}");
        }
        // A length beyond the datagram.
        let mut m = whole.clone();
        m[0..4].copy_from_slice(&u32::MAX.to_ne_bytes());
        let e = parse_reply(&m, 1, &mut Vec::new()).expect_err("too long");
        assert_eq!(
            e.to_string(),
            format!(
                "byte 0: message length 4294967295 outside 16..={}",
                whole.len()
            )
        );
        // A second message cut short names its offset.
        let mut two = whole.clone();
        two.extend_from_slice(&whole[..20]);
        let e = parse_reply(&two, 1, &mut Vec::new()).expect_err("second cut");
        assert!(
            e.to_string().starts_with(&format!("byte {}:", whole.len())),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_family_is_an_error() {
        let m = message(SOCK_DIAG_BY_FAMILY, 1, &diag(99, &[1, 2, 3, 4], 1, 0, 0));
        let e = parse_reply(&m, 1, &mut Vec::new()).expect_err("family 99");
        assert_eq!(
            e.to_string(),
            "byte 16: address family 99, neither IPv4 nor IPv6"
        );
    }
}
