//! The metadata records of a capture file: machine info, threads, file
//! descriptors, interfaces, users and groups. Each parser takes a block body
//! and returns owned records; a record that runs past its block is an error
//! naming the field.

/// Why a metadata block could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("record field `{field}` runs past the end of the block (at byte {at} of {len})")]
    Short {
        field: &'static str,
        at: usize,
        len: usize,
    },
    #[error("unknown fd type {0}")]
    BadFdType(u8),
    #[error("unknown interface record type {0}")]
    BadInterfaceType(u16),
    #[error("unknown user list record type {0}")]
    BadUserType(u8),
}

/// A little-endian cursor over a block body.
pub(crate) struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Cursor { b, at: 0 }
    }
    pub(crate) fn pos(&self) -> usize {
        self.at
    }
    pub(crate) fn remaining(&self) -> usize {
        self.b.len() - self.at
    }
    pub(crate) fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], RecordError> {
        if self.remaining() < n {
            return Err(RecordError::Short {
                field,
                at: self.at,
                len: self.b.len(),
            });
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    pub(crate) fn skip_to(&mut self, at: usize) {
        self.at = at.min(self.b.len());
    }
    pub(crate) fn u8(&mut self, f: &'static str) -> Result<u8, RecordError> {
        Ok(self.bytes(1, f)?[0])
    }
    pub(crate) fn u16(&mut self, f: &'static str) -> Result<u16, RecordError> {
        let b = self.bytes(2, f)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    pub(crate) fn u32(&mut self, f: &'static str) -> Result<u32, RecordError> {
        let b = self.bytes(4, f)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self, f: &'static str) -> Result<u64, RecordError> {
        let b = self.bytes(8, f)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    pub(crate) fn arr16(&mut self, f: &'static str) -> Result<[u8; 16], RecordError> {
        let b = self.bytes(16, f)?;
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        Ok(a)
    }
    /// A `u16` length followed by that many bytes.
    pub(crate) fn lstr(&mut self, f: &'static str) -> Result<Vec<u8>, RecordError> {
        let n = self.u16(f)? as usize;
        Ok(self.bytes(n, f)?.to_vec())
    }
}

/// The machine-info block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineInfo {
    pub num_cpus: u32,
    pub memory_size_bytes: u64,
    pub max_pid: u64,
    pub hostname: Vec<u8>,
    /// `reserved1` in old files, `boot_ts_epoch` in newer ones.
    pub boot_ts_epoch: u64,
    pub flags: u64,
}

pub fn parse_machine_info(body: &[u8]) -> Result<MachineInfo, RecordError> {
    let mut c = Cursor::new(body);
    let num_cpus = c.u32("num_cpus")?;
    let memory_size_bytes = c.u64("memory_size_bytes")?;
    let max_pid = c.u64("max_pid")?;
    let h = c.bytes(128, "hostname")?;
    let hostname = h[..h.iter().position(|&b| b == 0).unwrap_or(h.len())].to_vec();
    let boot_ts_epoch = c.u64("reserved1").unwrap_or(0);
    let flags = c.u64("reserved2").unwrap_or(0);
    Ok(MachineInfo {
        num_cpus,
        memory_size_bytes,
        max_pid,
        hostname,
        boot_ts_epoch,
        flags,
    })
}

/// One thread of a process-list block. Strings are raw bytes, as on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadRecord {
    pub tid: u64,
    pub pid: u64,
    pub ptid: u64,
    pub sid: i64,
    pub vpgid: i64,
    pub comm: Vec<u8>,
    pub exe: Vec<u8>,
    pub exepath: Vec<u8>,
    /// NUL-separated arguments.
    pub args: Vec<u8>,
    pub cwd: Vec<u8>,
    pub fdlimit: u64,
    pub flags: u32,
    pub uid: u32,
    pub gid: u32,
    pub vmsize_kb: u32,
    pub vmrss_kb: u32,
    pub vmswap_kb: u32,
    pub pfmajor: u64,
    pub pfminor: u64,
    /// NUL-separated `NAME=value` strings.
    pub env: Vec<u8>,
    pub vtid: i64,
    pub vpid: i64,
    /// NUL-separated `subsystem=path` strings.
    pub cgroups: Vec<u8>,
    pub root: Vec<u8>,
    pub loginuid: u32,
    pub tty: u32,
    pub exe_writable: bool,
    pub pidns_init_start_ts: u64,
}

/// Parses a process-list block of version `version` (1–9).
pub fn parse_process_list(version: u8, body: &[u8]) -> Result<Vec<ThreadRecord>, RecordError> {
    let mut out = Vec::new();
    let mut c = Cursor::new(body);
    // libscap keeps reading while at least 4 bytes remain: the rest is
    // padding.
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_len = if version >= 9 {
            Some(c.u32("entry_len")? as usize)
        } else {
            None
        };
        let mut t = ThreadRecord {
            sid: -1,
            vpgid: -1,
            vtid: -1,
            vpid: -1,
            loginuid: u32::MAX,
            ..Default::default()
        };
        t.tid = c.u64("tid")?;
        t.pid = c.u64("pid")?;
        t.ptid = c.u64("ptid")?;
        if version >= 6 {
            t.sid = c.u64("sid")? as i64;
        }
        if version >= 8 {
            t.vpgid = c.u64("vpgid")? as i64;
        }
        t.comm = c.lstr("comm")?;
        t.exe = c.lstr("exe")?;
        if version >= 7 {
            t.exepath = c.lstr("exepath")?;
        }
        t.args = c.lstr("args")?;
        t.cwd = c.lstr("cwd")?;
        t.fdlimit = c.u64("fdlimit")?;
        t.flags = c.u32("flags")?;
        t.uid = c.u32("uid")?;
        t.gid = c.u32("gid")?;
        if version >= 2 {
            t.vmsize_kb = c.u32("vmsize_kb")?;
            t.vmrss_kb = c.u32("vmrss_kb")?;
            t.vmswap_kb = c.u32("vmswap_kb")?;
            t.pfmajor = c.u64("pfmajor")?;
            t.pfminor = c.u64("pfminor")?;
            if version >= 3 {
                t.env = c.lstr("env")?;
            }
            if version >= 4 {
                t.vtid = c.u64("vtid")? as i64;
                t.vpid = c.u64("vpid")? as i64;
                t.cgroups = c.lstr("cgroups")?;
                if version >= 5 {
                    t.root = c.lstr("root")?;
                }
            }
        }
        if let Some(len) = entry_len {
            // Fields appended after `root` are guarded by the entry length.
            // libs >= 0.10 inserted pidns_init_start_ts (u64) and tty (u32)
            // before loginuid; files written before that have at most 29
            // bytes left here (loginuid, exe_writable), as libs' own reader
            // decides.
            let end = start + len;
            let left = end.saturating_sub(c.pos());
            if left > 29 {
                t.pidns_init_start_ts = c.u64("pidns_init_start_ts")?;
                t.tty = c.u32("tty")?;
            }
            if end >= c.pos() + 4 {
                t.loginuid = c.u32("loginuid")?;
            }
            if end > c.pos() {
                t.exe_writable = c.u8("exe_writable")? != 0;
            }
            if end > body.len() {
                return Err(RecordError::Short {
                    field: "entry_len",
                    at: start,
                    len: body.len(),
                });
            }
            c.skip_to(end);
        }
        out.push(t);
    }
    Ok(out)
}

/// One file descriptor of an fd-list block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdRecord {
    pub fd: i64,
    pub ino: u64,
    pub kind: FdRecordKind,
}

/// The typed part of an fd record (`scap_fd_type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdRecordKind {
    /// `u32` addresses in network order as on disk; ports in host order.
    Ipv4Socket {
        sip: u32,
        dip: u32,
        sport: u16,
        dport: u16,
        l4proto: u8,
    },
    Ipv4Server {
        ip: u32,
        port: u16,
        l4proto: u8,
    },
    Ipv6Socket {
        sip: [u8; 16],
        dip: [u8; 16],
        sport: u16,
        dport: u16,
        l4proto: u8,
    },
    Ipv6Server {
        ip: [u8; 16],
        port: u16,
        l4proto: u8,
    },
    Unix {
        source: u64,
        dest: u64,
        path: Vec<u8>,
    },
    /// A regular file (FILE_V2), with its open flags and device.
    File {
        open_flags: u32,
        name: Vec<u8>,
        dev: u32,
    },
    /// Every other type that carries only a name: `ty` is the scap fd type
    /// (1 file, 2 directory, 7 fifo, 9 event, 10 unsupported, 11 signalfd,
    /// 12 eventpoll, 13 inotify, 14 timerfd, 15 netlink).
    Named {
        ty: u8,
        name: Vec<u8>,
    },
}

/// Scap fd type numbers (`scap_fd_type`).
pub mod fd_type {
    pub const UNINITIALIZED: u8 = 0;
    pub const FILE: u8 = 1;
    pub const DIRECTORY: u8 = 2;
    pub const IPV4_SOCK: u8 = 3;
    pub const IPV6_SOCK: u8 = 4;
    pub const IPV4_SERVSOCK: u8 = 5;
    pub const IPV6_SERVSOCK: u8 = 6;
    pub const FIFO: u8 = 7;
    pub const UNIX_SOCK: u8 = 8;
    pub const EVENT: u8 = 9;
    pub const UNSUPPORTED: u8 = 10;
    pub const SIGNALFD: u8 = 11;
    pub const EVENTPOLL: u8 = 12;
    pub const INOTIFY: u8 = 13;
    pub const TIMERFD: u8 = 14;
    pub const NETLINK: u8 = 15;
    pub const FILE_V2: u8 = 16;
}

/// Parses an fd-list block: the thread id and its descriptors.
pub fn parse_fd_list(version: u8, body: &[u8]) -> Result<(u64, Vec<FdRecord>), RecordError> {
    let mut c = Cursor::new(body);
    let tid = c.u64("tid")?;
    let mut fds = Vec::new();
    while c.remaining() >= 4 {
        let start = c.pos();
        let sub_len = if version >= 2 {
            Some(c.u32("fd rec_len")? as usize)
        } else {
            None
        };
        let fd = c.u64("fd")? as i64;
        let ino = c.u64("ino")?;
        let ty = c.u8("fd type")?;
        let kind = match ty {
            fd_type::IPV4_SOCK => FdRecordKind::Ipv4Socket {
                sip: c.u32("sip")?,
                dip: c.u32("dip")?,
                sport: c.u16("sport")?,
                dport: c.u16("dport")?,
                l4proto: c.u8("l4proto")?,
            },
            fd_type::IPV4_SERVSOCK => FdRecordKind::Ipv4Server {
                ip: c.u32("ip")?,
                port: c.u16("port")?,
                l4proto: c.u8("l4proto")?,
            },
            fd_type::IPV6_SOCK => FdRecordKind::Ipv6Socket {
                sip: c.arr16("sip")?,
                dip: c.arr16("dip")?,
                sport: c.u16("sport")?,
                dport: c.u16("dport")?,
                l4proto: c.u8("l4proto")?,
            },
            fd_type::IPV6_SERVSOCK => FdRecordKind::Ipv6Server {
                ip: c.arr16("ip")?,
                port: c.u16("port")?,
                l4proto: c.u8("l4proto")?,
            },
            fd_type::UNIX_SOCK => FdRecordKind::Unix {
                source: c.u64("source")?,
                dest: c.u64("dest")?,
                path: c.lstr("path")?,
            },
            fd_type::FILE_V2 => {
                let open_flags = c.u32("open_flags")?;
                let name = c.lstr("name")?;
                let dev = match sub_len {
                    Some(l) if l >= c.pos() - start + 4 => c.u32("dev")?,
                    _ => 0,
                };
                FdRecordKind::File {
                    open_flags,
                    name,
                    dev,
                }
            }
            fd_type::FILE
            | fd_type::DIRECTORY
            | fd_type::FIFO
            | fd_type::EVENT
            | fd_type::UNSUPPORTED
            | fd_type::SIGNALFD
            | fd_type::EVENTPOLL
            | fd_type::INOTIFY
            | fd_type::TIMERFD
            | fd_type::NETLINK => FdRecordKind::Named {
                ty,
                name: c.lstr("name")?,
            },
            other => return Err(RecordError::BadFdType(other)),
        };
        if let Some(l) = sub_len {
            // rec_len counts itself; newer writers may append fields.
            if start + l > c.pos() && start + l <= body.len() {
                c.skip_to(start + l);
            }
        }
        fds.push(FdRecord { fd, ino, kind });
    }
    Ok((tid, fds))
}

/// One address of an interface-list block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceRecord {
    /// Addresses as on disk (network order, read little-endian).
    V4 {
        name: Vec<u8>,
        addr: u32,
        netmask: u32,
        bcast: u32,
        linkspeed: u64,
    },
    V6 {
        name: Vec<u8>,
        addr: [u8; 16],
        netmask: [u8; 16],
        bcast: [u8; 16],
        linkspeed: u64,
    },
}

pub fn parse_interface_list(version: u8, body: &[u8]) -> Result<Vec<InterfaceRecord>, RecordError> {
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let entry_len = if version >= 2 {
            Some(c.u32("entry_len")? as usize)
        } else {
            None
        };
        let start = c.pos();
        let ty = c.u16("type")?;
        let namelen = c.u16("ifnamelen")? as usize;
        let rec = match ty {
            1 | 3 => {
                let addr = c.u32("addr")?;
                let netmask = c.u32("netmask")?;
                let bcast = c.u32("bcast")?;
                let linkspeed = if ty == 1 { c.u64("linkspeed")? } else { 0 };
                let name = c.bytes(namelen, "ifname")?.to_vec();
                InterfaceRecord::V4 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                }
            }
            2 | 4 => {
                let addr = c.arr16("addr")?;
                let netmask = c.arr16("netmask")?;
                let bcast = c.arr16("bcast")?;
                let linkspeed = if ty == 2 { c.u64("linkspeed")? } else { 0 };
                let name = c.bytes(namelen, "ifname")?.to_vec();
                InterfaceRecord::V6 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                }
            }
            other => return Err(RecordError::BadInterfaceType(other)),
        };
        if let Some(l) = entry_len
            && start + l > c.pos()
            && start + l <= body.len()
        {
            c.skip_to(start + l);
        }
        out.push(rec);
    }
    Ok(out)
}

/// A user (from a user-list block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub uid: u32,
    pub gid: u32,
    pub name: Vec<u8>,
    pub homedir: Vec<u8>,
    pub shell: Vec<u8>,
}

/// A group (from a user-list block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub gid: u32,
    pub name: Vec<u8>,
}

/// The users and groups of a user-list block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserList {
    pub users: Vec<UserRecord>,
    pub groups: Vec<GroupRecord>,
}

pub fn parse_user_list(version: u8, body: &[u8]) -> Result<UserList, RecordError> {
    let mut c = Cursor::new(body);
    let mut out = UserList::default();
    while c.remaining() >= 4 {
        let start = c.pos();
        let len = if version >= 2 {
            Some(c.u32("len")? as usize)
        } else {
            None
        };
        let ty = c.u8("type")?;
        match ty {
            0 => {
                let uid = c.u32("uid")?;
                let gid = c.u32("gid")?;
                let name = c.lstr("name")?;
                let homedir = c.lstr("homedir")?;
                let shell = c.lstr("shell")?;
                out.users.push(UserRecord {
                    uid,
                    gid,
                    name,
                    homedir,
                    shell,
                });
            }
            1 => {
                let gid = c.u32("gid")?;
                let name = c.lstr("name")?;
                out.groups.push(GroupRecord { gid, name });
            }
            other => return Err(RecordError::BadUserType(other)),
        }
        if let Some(l) = len
            && start + l > c.pos()
            && start + l <= body.len()
        {
            c.skip_to(start + l);
        }
    }
    Ok(out)
}
