//! File descriptors (`sinsp_fdinfo_t`) and their tables.

use rustc_hash::FxHashMap;

/// Scap fd types (`scap_fd_type`).
pub mod fd_type {
    pub use sonde_scap::records::fd_type::*;
    /// An fd whose kind could not be told (`SCAP_FD_UNKNOWN`).
    pub const UNKNOWN: u8 = 255;
}

/// Layer-4 protocols (`scap_l4_proto`).
pub mod l4 {
    pub const UNKNOWN: u8 = 0;
    pub const IP: u8 = 1;
    pub const TCP: u8 = 2;
    pub const UDP: u8 = 3;
    pub const ICMP: u8 = 4;
    pub const RAW: u8 = 5;
    /// Returned for a socket whose role is not known (`SCAP_L4_NA`).
    pub const NA: u8 = 6;
}

/// fd flags (`sinsp_fdinfo_t::FLAGS_*`).
pub mod flags {
    pub const FROM_PROC: u32 = 1 << 0;
    pub const ROLE_CLIENT: u32 = 1 << 2;
    pub const ROLE_SERVER: u32 = 1 << 3;
    pub const CLOSE_IN_PROGRESS: u32 = 1 << 4;
    pub const CLOSE_CANCELED: u32 = 1 << 5;
    pub const IS_SOCKET_PIPE: u32 = 1 << 6;
    pub const IS_TRACER_FILE: u32 = 1 << 7;
    pub const IS_TRACER_FD: u32 = 1 << 8;
    pub const IS_NOT_TRACER_FD: u32 = 1 << 9;
    pub const SOCKET_CONNECTED: u32 = 1 << 13;
    pub const IS_CLONED: u32 = 1 << 14;
}

/// The fd number under which a canceled close keeps the old descriptor.
pub const CANCELED_FD_NUMBER: i64 = i64::MAX;

/// The socket addresses of an fd, kept the way libsinsp keeps them: one
/// union of an IPv4 tuple, an IPv6 tuple, an IPv4/IPv6 server address and a
/// unix tuple over the same bytes. Reading a view other than the one last
/// written gives what libsinsp gives, which sysdig's output depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockInfo([u8; 40]);

impl Default for SockInfo {
    fn default() -> Self {
        SockInfo([0; 40])
    }
}

macro_rules! field {
    ($get:ident, $set:ident, $ty:ty, $off:expr, $n:expr) => {
        #[inline]
        pub fn $get(&self) -> $ty {
            let mut a = [0u8; $n];
            a.copy_from_slice(&self.0[$off..$off + $n]);
            <$ty>::from_le_bytes(a)
        }
        #[inline]
        pub fn $set(&mut self, v: $ty) {
            self.0[$off..$off + $n].copy_from_slice(&v.to_le_bytes());
        }
    };
}

impl SockInfo {
    // IPv4 tuple: sip 0, dip 4, sport 8, dport 10, l4proto 12. Addresses are
    // in network order as read little-endian from the event bytes.
    field!(v4_sip, set_v4_sip, u32, 0, 4);
    field!(v4_dip, set_v4_dip, u32, 4, 4);
    field!(v4_sport, set_v4_sport, u16, 8, 2);
    field!(v4_dport, set_v4_dport, u16, 10, 2);
    field!(v4_l4proto, set_v4_l4proto, u8, 12, 1);
    // IPv4 server: ip 0, port 4, l4proto 6.
    field!(v4s_ip, set_v4s_ip, u32, 0, 4);
    field!(v4s_port, set_v4s_port, u16, 4, 2);
    field!(v4s_l4proto, set_v4s_l4proto, u8, 6, 1);
    // IPv6 tuple: sip 0..16, dip 16..32, sport 32, dport 34, l4proto 36.
    field!(v6_sport, set_v6_sport, u16, 32, 2);
    field!(v6_dport, set_v6_dport, u16, 34, 2);
    field!(v6_l4proto, set_v6_l4proto, u8, 36, 1);
    // IPv6 server: ip 0..16, port 16, l4proto 18.
    field!(v6s_port, set_v6s_port, u16, 16, 2);
    field!(v6s_l4proto, set_v6s_l4proto, u8, 18, 1);
    // Unix tuple: source 0, dest 8.
    field!(unix_source, set_unix_source, u64, 0, 8);
    field!(unix_dest, set_unix_dest, u64, 8, 8);

    pub fn v6_sip(&self) -> [u8; 16] {
        self.bytes16(0)
    }
    pub fn v6_dip(&self) -> [u8; 16] {
        self.bytes16(16)
    }
    pub fn v6s_ip(&self) -> [u8; 16] {
        self.bytes16(0)
    }
    pub fn set_v6_sip(&mut self, v: [u8; 16]) {
        self.0[0..16].copy_from_slice(&v);
    }
    pub fn set_v6_dip(&mut self, v: [u8; 16]) {
        self.0[16..32].copy_from_slice(&v);
    }
    pub fn set_v6s_ip(&mut self, v: [u8; 16]) {
        self.0[0..16].copy_from_slice(&v);
    }
    fn bytes16(&self, at: usize) -> [u8; 16] {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.0[at..at + 16]);
        a
    }
    /// Zeroes the IPv4 tuple bytes (the first 13).
    pub fn clear_v4(&mut self) {
        self.0[..13].fill(0);
    }
    /// Zeroes the IPv6 tuple bytes (the first 37).
    pub fn clear_v6(&mut self) {
        self.0[..37].fill(0);
    }
}

/// One file descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdInfo {
    /// A [`fd_type`] value.
    pub ty: u8,
    /// `PPM_O_*` flags of a file opened by an event.
    pub openflags: u32,
    pub sock: SockInfo,
    /// The human-readable rendering: the path of a file, the tuple of a
    /// socket.
    pub name: Vec<u8>,
    pub flags: u32,
    pub dev: u32,
    pub ino: u64,
}

impl Default for FdInfo {
    fn default() -> Self {
        FdInfo {
            ty: fd_type::UNINITIALIZED,
            openflags: 0,
            sock: SockInfo::default(),
            name: Vec::new(),
            flags: 0,
            dev: 0,
            ino: 0,
        }
    }
}

impl FdInfo {
    /// The type character sysdig prints in `<f>`, `<4t>` …
    pub fn typechar(&self) -> u8 {
        match self.ty {
            fd_type::FILE | fd_type::FILE_V2 => b'f',
            fd_type::IPV4_SOCK | fd_type::IPV4_SERVSOCK => b'4',
            fd_type::IPV6_SOCK | fd_type::IPV6_SERVSOCK => b'6',
            fd_type::DIRECTORY => b'd',
            fd_type::FIFO => b'p',
            fd_type::UNIX_SOCK => b'u',
            fd_type::EVENT => b'e',
            fd_type::UNKNOWN => b'o',
            fd_type::UNSUPPORTED => b'X',
            fd_type::SIGNALFD => b's',
            fd_type::EVENTPOLL => b'l',
            fd_type::INOTIFY => b'i',
            fd_type::TIMERFD => b't',
            fd_type::NETLINK => b'n',
            _ => b'?',
        }
    }

    /// The `fd.type` string.
    pub fn typestring(&self) -> &'static str {
        match self.ty {
            fd_type::FILE | fd_type::FILE_V2 => "file",
            fd_type::DIRECTORY => "directory",
            fd_type::IPV4_SOCK | fd_type::IPV4_SERVSOCK => "ipv4",
            fd_type::IPV6_SOCK | fd_type::IPV6_SERVSOCK => "ipv6",
            fd_type::UNIX_SOCK => "unix",
            fd_type::FIFO => "pipe",
            fd_type::EVENT => "event",
            fd_type::SIGNALFD => "signalfd",
            fd_type::EVENTPOLL => "eventpoll",
            fd_type::INOTIFY => "inotify",
            fd_type::TIMERFD => "timerfd",
            fd_type::NETLINK => "netlink",
            _ => "<NA>",
        }
    }

    pub fn is_role_server(&self) -> bool {
        self.flags & flags::ROLE_SERVER != 0
    }
    pub fn is_role_client(&self) -> bool {
        self.flags & flags::ROLE_CLIENT != 0
    }
    pub fn is_role_none(&self) -> bool {
        self.flags & (flags::ROLE_CLIENT | flags::ROLE_SERVER) == 0
    }
    pub fn set_role_server(&mut self) {
        self.flags |= flags::ROLE_SERVER;
    }
    pub fn set_role_client(&mut self) {
        self.flags |= flags::ROLE_CLIENT;
    }
    pub fn is_tcp_socket(&self) -> bool {
        self.ty == fd_type::IPV4_SOCK && self.sock.v4_l4proto() == l4::TCP
    }
    pub fn is_udp_socket(&self) -> bool {
        self.ty == fd_type::IPV4_SOCK && self.sock.v4_l4proto() == l4::UDP
    }

    /// The layer-4 protocol as `fd.l4proto` sees it (`get_l4proto`).
    pub fn l4proto(&self) -> u8 {
        match self.ty {
            fd_type::IPV4_SOCK => {
                let p = self.sock.v4_l4proto();
                if p == l4::RAW {
                    l4::RAW
                } else if self.is_role_none() {
                    l4::NA
                } else {
                    p
                }
            }
            fd_type::IPV4_SERVSOCK => self.sock.v4s_l4proto(),
            fd_type::IPV6_SOCK => {
                let p = self.sock.v6_l4proto();
                if p == l4::RAW {
                    l4::RAW
                } else if self.is_role_none() {
                    l4::NA
                } else {
                    p
                }
            }
            fd_type::IPV6_SERVSOCK => self.sock.v6s_l4proto(),
            _ => l4::NA,
        }
    }
}

/// The fds of a process (or of a thread that does not share its parent's).
#[derive(Debug, Clone, Default)]
pub struct FdTable {
    pub map: FxHashMap<i64, FdInfo>,
}

/// How many fds a table holds at most (`m_max_fdtable_size`).
pub const MAX_FDTABLE_SIZE: usize = 1 << 16;

impl FdTable {
    pub fn get(&self, fd: i64) -> Option<&FdInfo> {
        self.map.get(&fd)
    }
    pub fn get_mut(&mut self, fd: i64) -> Option<&mut FdInfo> {
        self.map.get_mut(&fd)
    }

    /// Adds or replaces `fd` as `sinsp_fdtable::add` does: a descriptor
    /// created while the old one's close is in flight marks the close as
    /// canceled and parks the old one under [`CANCELED_FD_NUMBER`].
    pub fn add(&mut self, fd: i64, mut info: FdInfo) -> bool {
        match self.map.get_mut(&fd) {
            None => {
                if self.map.len() >= MAX_FDTABLE_SIZE {
                    return false;
                }
                self.map.insert(fd, info);
                true
            }
            Some(old) => {
                if old.flags & flags::CLOSE_IN_PROGRESS != 0 {
                    info.flags &= !flags::CLOSE_IN_PROGRESS;
                    info.flags |= flags::CLOSE_CANCELED;
                    let parked = old.clone();
                    *old = info;
                    self.map.insert(CANCELED_FD_NUMBER, parked);
                } else {
                    *old = info;
                }
                true
            }
        }
    }

    pub fn remove(&mut self, fd: i64) {
        self.map.remove(&fd);
    }
}

/// Renders an IPv4 address in network order as dotted quad.
pub fn write_ipv4(out: &mut Vec<u8>, ip: u32) {
    let b = ip.to_le_bytes();
    let mut buf = itoa::Buffer::new();
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        out.extend_from_slice(buf.format(*x).as_bytes());
    }
}

/// Renders an IPv6 address as `inet_ntop` does.
pub fn write_ipv6(out: &mut Vec<u8>, ip: [u8; 16]) {
    let a = std::net::Ipv6Addr::from(ip);
    // Rust's Display follows RFC 5952 like glibc's inet_ntop, including the
    // `::ffff:a.b.c.d` form for IPv4-mapped addresses.
    use std::io::Write;
    let _ = write!(out, "{a}");
}

fn write_port(out: &mut Vec<u8>, port: u16) {
    out.extend_from_slice(itoa::Buffer::new().format(port).as_bytes());
}

/// `ipv4serveraddr_to_string`: `a.b.c.d:port`.
pub fn ipv4_server_name(ip: u32, port: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(21);
    write_ipv4(&mut out, ip);
    out.push(b':');
    write_port(&mut out, port);
    out
}

/// `ipv4tuple_to_string`: `sip:sport->dip:dport`.
pub fn ipv4_tuple_name(sip: u32, sport: u16, dip: u32, dport: u16) -> Vec<u8> {
    let mut out = ipv4_server_name(sip, sport);
    out.extend_from_slice(b"->");
    out.extend_from_slice(&ipv4_server_name(dip, dport));
    out
}

/// `ipv6serveraddr_to_string`.
pub fn ipv6_server_name(ip: [u8; 16], port: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(48);
    write_ipv6(&mut out, ip);
    out.push(b':');
    write_port(&mut out, port);
    out
}

/// `ipv6tuple_to_string`.
pub fn ipv6_tuple_name(sip: [u8; 16], sport: u16, dip: [u8; 16], dport: u16) -> Vec<u8> {
    let mut out = ipv6_server_name(sip, sport);
    out.extend_from_slice(b"->");
    out.extend_from_slice(&ipv6_server_name(dip, dport));
    out
}

/// Whether a 16-byte address is IPv4-mapped (or all zero), as
/// `sinsp_utils::is_ipv4_mapped_ipv6` decides.
pub fn is_ipv4_mapped_ipv6(a: &[u8]) -> bool {
    a.len() >= 16
        && a[..10].iter().all(|&b| b == 0)
        && ((a[10] == 0xff && a[11] == 0xff) || a[10..16].iter().all(|&b| b == 0))
}

/// `sinsp_utils::sockinfo_to_str` for an IPv4 or IPv6 socket.
pub fn sockinfo_name(fd: &FdInfo) -> Vec<u8> {
    let s = &fd.sock;
    if fd.ty == fd_type::IPV4_SOCK {
        match s.v4_l4proto() {
            l4::TCP | l4::UDP => {
                ipv4_tuple_name(s.v4_sip(), s.v4_sport(), s.v4_dip(), s.v4_dport())
            }
            l4::ICMP | l4::RAW => {
                let mut out = Vec::new();
                write_ipv4(&mut out, s.v4_sip());
                out.extend_from_slice(b"->");
                write_ipv4(&mut out, s.v4_dip());
                out
            }
            _ => b"<unknown>".to_vec(),
        }
    } else if fd.ty == fd_type::IPV6_SOCK {
        let (sip6, dip6) = (s.v6_sip(), s.v6_dip());
        let tail = |a: [u8; 16]| u32::from_le_bytes([a[12], a[13], a[14], a[15]]);
        match s.v6_l4proto() {
            l4::TCP | l4::UDP => {
                if is_ipv4_mapped_ipv6(&sip6) && is_ipv4_mapped_ipv6(&dip6) {
                    // libsinsp reads the ports through the IPv4 view of the
                    // union here.
                    ipv4_tuple_name(tail(sip6), s.v4_sport(), tail(dip6), s.v4_dport())
                } else {
                    ipv6_tuple_name(sip6, s.v6_sport(), dip6, s.v6_dport())
                }
            }
            l4::ICMP => {
                let mut out = Vec::new();
                if is_ipv4_mapped_ipv6(&sip6) && is_ipv4_mapped_ipv6(&dip6) {
                    write_ipv4(&mut out, tail(sip6));
                    out.extend_from_slice(b"->");
                    write_ipv4(&mut out, tail(dip6));
                } else {
                    write_ipv6(&mut out, sip6);
                    out.extend_from_slice(b"->");
                    write_ipv6(&mut out, dip6);
                }
                out
            }
            _ => b"<unknown>".to_vec(),
        }
    } else {
        Vec::new()
    }
}
