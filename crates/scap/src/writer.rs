//! Writing capture files in the layout Debian's sysdig 0.29.3 writes and
//! reads (libs e5c53d64, format 1.2).
//!
//! [`BlockWriter`] wraps any [`std::io::Write`] and writes one block per call:
//! the section header, machine info, interface list (IL_V2), user list
//! (UL_V2), process list (PL_V9, with the pre-0.10 trailing fields
//! `loginuid`, `exe_writable`), one fd list (FDL_V2) per thread, then event
//! blocks (EV_V2, EVF_V2 when the dump flags are not zero, and their LARGE
//! variants when the event needs them). Every block gets the zero padding to
//! a 4-byte multiple and the trailing copy of its length.
//!
//! The writer refuses (with [`io::ErrorKind::InvalidInput`]) values that the
//! format cannot hold or that 0.29.3's reader rejects, such as a process name
//! longer than 1024 bytes, so that whatever it writes, 0.29.3 reads. It does
//! no buffering of its own: wrap a file in a [`std::io::BufWriter`].
//!
//! [`encode_event_v2`] and [`encode_event_v1`] build an event's bytes from its
//! parameters.

use std::io::{self, Write};

use sonde_event::{HeaderVersion, MAX_PARAMS, RawEvent, event_info};

use crate::block::BlockType;
use crate::records::{FdRecord, FdRecordKind, InterfaceRecord, MachineInfo, ThreadRecord, UserList, fd_type};

/// The byte-order magic of the section header.
const SHB_MAGIC: u32 = 0x1A2B_3C4D;
/// The largest block, less its 8-byte header, that 0.29.3 reads from a
/// non-LARGE event block (`READER_BUF_SIZE`).
const MAX_SMALL_EVENT_READ: usize = 65536;
/// `SCAP_DF_LARGE`: a dump flag that only asks for a LARGE block; it is not
/// written to the file.
pub const DF_LARGE: u32 = 4;

/// 0.29.3's reader limits (`SCAP_MAX_PATH_SIZE` and friends).
const MAX_PATH: usize = 1024;
const MAX_ARGS: usize = 4096;
const MAX_ENV: usize = 4096;
const MAX_CGROUPS: usize = 4096;
const MAX_CREDENTIALS: usize = 256;
const HOSTNAME_LEN: usize = 128;

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Checks that `field` is at most `max` bytes long.
fn check_len(field: &str, v: &[u8], max: usize) -> io::Result<()> {
    if v.len() > max {
        return Err(invalid(format!(
            "{field} is {} bytes long; sysdig 0.29.3 reads at most {max}",
            v.len()
        )));
    }
    Ok(())
}

fn round_up_4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// A little-endian body under construction.
#[derive(Default)]
struct Body(Vec<u8>);

impl Body {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    /// A `u16` length and the bytes (the caller has checked the length).
    fn lstr(&mut self, v: &[u8]) {
        self.u16(v.len() as u16);
        self.0.extend_from_slice(v);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    /// Overwrites the `u32` at `at`.
    fn patch_u32(&mut self, at: usize, v: u32) {
        self.0[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
}

/// Writes capture-file blocks to a byte stream.
pub struct BlockWriter<W> {
    inner: W,
    /// Bytes written so far.
    offset: u64,
}

impl<W: Write> BlockWriter<W> {
    pub fn new(inner: W) -> Self {
        BlockWriter { inner, offset: 0 }
    }

    /// The number of bytes written so far (the offset of the next block).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    pub fn into_inner(self) -> W {
        self.inner
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// Writes one block whose body is the concatenation of `parts`: header,
    /// body, zero padding to a 4-byte multiple, trailer.
    fn block_parts(&mut self, type_id: u32, parts: &[&[u8]]) -> io::Result<()> {
        let body_len: usize = parts.iter().map(|p| p.len()).sum();
        let total = round_up_4(8 + body_len + 4);
        let total32 = u32::try_from(total)
            .map_err(|_| invalid(format!("a block of {total} bytes does not fit the format")))?;
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&type_id.to_le_bytes());
        head[4..].copy_from_slice(&total32.to_le_bytes());
        self.inner.write_all(&head)?;
        for p in parts {
            self.inner.write_all(p)?;
        }
        let pad = total - 12 - body_len;
        self.inner.write_all(&[0u8; 3][..pad])?;
        self.inner.write_all(&total32.to_le_bytes())?;
        self.offset += total as u64;
        Ok(())
    }

    /// Writes a block of any type with `body` as its body (padding and
    /// trailer added). For tests, and for blocks this writer has no method
    /// for.
    pub fn raw_block(&mut self, type_id: u32, body: &[u8]) -> io::Result<()> {
        self.block_parts(type_id, &[body])
    }

    /// The section header: version 1.2, section length -1.
    pub fn section_header(&mut self) -> io::Result<()> {
        let mut b = Body::default();
        b.u32(SHB_MAGIC);
        b.u16(1);
        b.u16(2);
        b.u64(u64::MAX);
        self.raw_block(BlockType::SHB, &b.0)
    }

    /// The machine-info block (180 bytes: the hostname is a 128-byte field).
    pub fn machine_info(&mut self, mi: &MachineInfo) -> io::Result<()> {
        check_len("hostname", &mi.hostname, HOSTNAME_LEN)?;
        let mut b = Body::default();
        b.u32(mi.num_cpus);
        b.u64(mi.memory_size_bytes);
        b.u64(mi.max_pid);
        let mut host = [0u8; HOSTNAME_LEN];
        host[..mi.hostname.len()].copy_from_slice(&mi.hostname);
        b.bytes(&host);
        b.u64(mi.boot_ts_epoch);
        b.u64(mi.flags);
        b.u64(0);
        b.u64(0);
        self.raw_block(BlockType::MachineInfo.to_u32(), &b.0)
    }

    /// An interface list (IL_V2). Every address is written with its link
    /// speed (types 1 and 2), as 0.29.3 does.
    pub fn interfaces(&mut self, ifs: &[InterfaceRecord]) -> io::Result<()> {
        let mut b = Body::default();
        for rec in ifs {
            let at = b.len();
            b.u32(0);
            match rec {
                InterfaceRecord::V4 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                } => {
                    check_len("interface name", name, MAX_PATH - 1)?;
                    b.u16(1);
                    b.u16(name.len() as u16);
                    b.u32(*addr);
                    b.u32(*netmask);
                    b.u32(*bcast);
                    b.u64(*linkspeed);
                    b.bytes(name);
                }
                InterfaceRecord::V6 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                } => {
                    check_len("interface name", name, MAX_PATH - 1)?;
                    b.u16(2);
                    b.u16(name.len() as u16);
                    b.bytes(addr);
                    b.bytes(netmask);
                    b.bytes(bcast);
                    b.u64(*linkspeed);
                    b.bytes(name);
                }
            }
            // The entry length does not count itself.
            let len = (b.len() - at - 4) as u32;
            b.patch_u32(at, len);
        }
        self.raw_block(BlockType::InterfaceList(2).to_u32(), &b.0)
    }

    /// A user and group list (UL_V2): the users, then the groups.
    pub fn users(&mut self, ul: &UserList) -> io::Result<()> {
        let mut b = Body::default();
        for u in &ul.users {
            check_len("user name", &u.name, MAX_CREDENTIALS - 1)?;
            check_len("user home directory", &u.homedir, MAX_CREDENTIALS - 1)?;
            check_len("user shell", &u.shell, MAX_CREDENTIALS - 1)?;
            let at = b.len();
            b.u32(0);
            b.u8(0);
            b.u32(u.uid);
            b.u32(u.gid);
            b.lstr(&u.name);
            b.lstr(&u.homedir);
            b.lstr(&u.shell);
            // The record length counts itself.
            let len = (b.len() - at) as u32;
            b.patch_u32(at, len);
        }
        for g in &ul.groups {
            check_len("group name", &g.name, MAX_CREDENTIALS - 1)?;
            let at = b.len();
            b.u32(0);
            b.u8(1);
            b.u32(g.gid);
            b.lstr(&g.name);
            let len = (b.len() - at) as u32;
            b.patch_u32(at, len);
        }
        self.raw_block(BlockType::UserList(2).to_u32(), &b.0)
    }

    /// A process list (PL_V9). Each record carries its length and, after
    /// `root`, 0.29.3's `loginuid` and `exe_writable`; `tty` and
    /// `pidns_init_start_ts` (which libs 0.10 inserted before `loginuid`) are
    /// not written.
    pub fn threads(&mut self, threads: &[ThreadRecord]) -> io::Result<()> {
        let mut b = Body::default();
        for t in threads {
            check_len("comm", &t.comm, MAX_PATH)?;
            check_len("exe", &t.exe, MAX_PATH)?;
            check_len("exepath", &t.exepath, MAX_PATH)?;
            check_len("args", &t.args, MAX_ARGS)?;
            check_len("cwd", &t.cwd, MAX_PATH)?;
            check_len("env", &t.env, MAX_ENV)?;
            check_len("cgroups", &t.cgroups, MAX_CGROUPS)?;
            check_len("root", &t.root, MAX_PATH)?;
            let at = b.len();
            b.u32(0);
            b.u64(t.tid);
            b.u64(t.pid);
            b.u64(t.ptid);
            b.u64(t.sid as u64);
            b.u64(t.vpgid as u64);
            b.lstr(&t.comm);
            b.lstr(&t.exe);
            b.lstr(&t.exepath);
            b.lstr(&t.args);
            b.lstr(&t.cwd);
            b.u64(t.fdlimit);
            b.u32(t.flags);
            b.u32(t.uid);
            b.u32(t.gid);
            b.u32(t.vmsize_kb);
            b.u32(t.vmrss_kb);
            b.u32(t.vmswap_kb);
            b.u64(t.pfmajor);
            b.u64(t.pfminor);
            b.lstr(&t.env);
            b.u64(t.vtid as u64);
            b.u64(t.vpid as u64);
            b.lstr(&t.cgroups);
            b.lstr(&t.root);
            b.u32(t.loginuid);
            b.u8(u8::from(t.exe_writable));
            // The entry length counts itself.
            let len = (b.len() - at) as u32;
            b.patch_u32(at, len);
        }
        self.raw_block(BlockType::ProcessList(9).to_u32(), &b.0)
    }

    /// The fd list of thread `tid` (FDL_V2). 0.29.3 refuses an fd list whose
    /// thread is not in an earlier process list.
    pub fn fds(&mut self, tid: u64, fds: &[FdRecord]) -> io::Result<()> {
        let mut b = Body::default();
        b.u64(tid);
        for f in fds {
            let at = b.len();
            b.u32(0);
            b.u64(f.fd as u64);
            b.u64(f.ino);
            match &f.kind {
                FdRecordKind::Ipv4Socket {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    b.u8(fd_type::IPV4_SOCK);
                    b.u32(*sip);
                    b.u32(*dip);
                    b.u16(*sport);
                    b.u16(*dport);
                    b.u8(*l4proto);
                }
                FdRecordKind::Ipv4Server { ip, port, l4proto } => {
                    b.u8(fd_type::IPV4_SERVSOCK);
                    b.u32(*ip);
                    b.u16(*port);
                    b.u8(*l4proto);
                }
                FdRecordKind::Ipv6Socket {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    b.u8(fd_type::IPV6_SOCK);
                    b.bytes(sip);
                    b.bytes(dip);
                    b.u16(*sport);
                    b.u16(*dport);
                    b.u8(*l4proto);
                }
                FdRecordKind::Ipv6Server { ip, port, l4proto } => {
                    b.u8(fd_type::IPV6_SERVSOCK);
                    b.bytes(ip);
                    b.u16(*port);
                    b.u8(*l4proto);
                }
                FdRecordKind::Unix { source, dest, path } => {
                    check_len("unix socket path", path, MAX_PATH - 1)?;
                    b.u8(fd_type::UNIX_SOCK);
                    b.u64(*source);
                    b.u64(*dest);
                    b.lstr(path);
                }
                FdRecordKind::File {
                    open_flags,
                    name,
                    dev,
                } => {
                    check_len("file name", name, MAX_PATH - 1)?;
                    b.u8(fd_type::FILE_V2);
                    b.u32(*open_flags);
                    b.lstr(name);
                    b.u32(*dev);
                }
                FdRecordKind::Named { ty, name } => {
                    use fd_type::*;
                    if !matches!(
                        *ty,
                        FILE | DIRECTORY
                            | FIFO
                            | EVENT
                            | UNSUPPORTED
                            | SIGNALFD
                            | EVENTPOLL
                            | INOTIFY
                            | TIMERFD
                            | NETLINK
                    ) {
                        return Err(invalid(format!("fd type {ty} does not carry only a name")));
                    }
                    check_len("fd name", name, MAX_PATH - 1)?;
                    b.u8(*ty);
                    b.lstr(name);
                }
            }
            // The record length counts itself.
            let len = (b.len() - at) as u32;
            b.patch_u32(at, len);
        }
        self.raw_block(BlockType::FdList(2).to_u32(), &b.0)
    }

    /// An event block for `event`, the bytes of one event with a v2 (26-byte)
    /// header, as [`encode_event_v2`] makes them. EV_V2 when `dump_flags`
    /// is 0, EVF_V2 otherwise; the LARGE variant when the event type's
    /// parameters have 32-bit lengths (`EF_LARGE_PAYLOAD`), when the block
    /// would exceed 0.29.3's 64 KiB reader buffer, or when `dump_flags`
    /// has [`DF_LARGE`] (which, as in libscap, is not itself written).
    pub fn event(&mut self, cpu: u16, dump_flags: u32, event: &[u8]) -> io::Result<()> {
        let hlen = HeaderVersion::V2.header_len();
        if event.len() < hlen {
            return Err(invalid(format!(
                "an event needs a {hlen}-byte header, got {} bytes",
                event.len()
            )));
        }
        let len = u32::from_le_bytes([event[16], event[17], event[18], event[19]]);
        if len as usize != event.len() {
            return Err(invalid(format!(
                "the event says it is {len} bytes long, but {} bytes were given",
                event.len()
            )));
        }
        let ty = u16::from_le_bytes([event[20], event[21]]);
        let flags = dump_flags & !DF_LARGE;
        let extra = if flags != 0 { 4 } else { 0 };
        let read_len = round_up_4(8 + 2 + extra + event.len() + 4) - 8;
        let large = dump_flags & DF_LARGE != 0
            || event_info(ty).is_some_and(|i| i.large_payload())
            || read_len > MAX_SMALL_EVENT_READ;
        let bt = BlockType::Event {
            flags: flags != 0,
            v2: true,
            large,
        };
        let cpu = cpu.to_le_bytes();
        let fl = flags.to_le_bytes();
        if flags != 0 {
            self.block_parts(bt.to_u32(), &[&cpu, &fl, event])
        } else {
            self.block_parts(bt.to_u32(), &[&cpu, event])
        }
    }

    /// Writes a decoded event back: its bytes as they are for a v2 event, or
    /// re-encoded with a v2 header for a v1 one.
    pub fn raw_event(&mut self, ev: &RawEvent<'_>) -> io::Result<()> {
        match ev.version {
            HeaderVersion::V2 => self.event(ev.cpu, ev.dump_flags, ev.bytes),
            HeaderVersion::V1 => {
                let params: Vec<&[u8]> = (0..ev.nparams()).filter_map(|i| ev.param(i)).collect();
                let bytes = encode_event_v2(ev.ts, ev.tid, ev.ty, &params);
                self.event(ev.cpu, ev.dump_flags, &bytes)
            }
        }
    }
}

/// Encodes an event with a v2 header (`ts, tid, len, type, nparams`), its
/// parameter lengths (`u32` when the table gives the type
/// `EF_LARGE_PAYLOAD`, `u16` otherwise) and the parameters.
///
/// # Panics
///
/// If there are more than [`MAX_PARAMS`] parameters, if a parameter of a
/// type with 16-bit lengths is longer than 65,535 bytes, or if the event
/// exceeds 4 GiB.
pub fn encode_event_v2(ts: u64, tid: u64, ty: u16, params: &[&[u8]]) -> Vec<u8> {
    let large = event_info(ty).is_some_and(|i| i.large_payload());
    encode(HeaderVersion::V2, large, ts, tid, ty, params)
}

/// Encodes an event with a v1 header (no parameter count; always `u16`
/// lengths), as in EV and EVF blocks. The reader infers the parameter count
/// from the table, so give as many parameters as the table has.
///
/// # Panics
///
/// As [`encode_event_v2`].
pub fn encode_event_v1(ts: u64, tid: u64, ty: u16, params: &[&[u8]]) -> Vec<u8> {
    encode(HeaderVersion::V1, false, ts, tid, ty, params)
}

fn encode(
    version: HeaderVersion,
    large: bool,
    ts: u64,
    tid: u64,
    ty: u16,
    params: &[&[u8]],
) -> Vec<u8> {
    assert!(
        params.len() <= MAX_PARAMS,
        "an event carries at most {MAX_PARAMS} parameters, got {}",
        params.len()
    );
    let lsize = if large { 4 } else { 2 };
    let total = version.header_len()
        + params.len() * lsize
        + params.iter().map(|p| p.len()).sum::<usize>();
    let len = u32::try_from(total).expect("an event fits in 4 GiB");
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&ts.to_le_bytes());
    out.extend_from_slice(&tid.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&ty.to_le_bytes());
    if version == HeaderVersion::V2 {
        out.extend_from_slice(&(params.len() as u32).to_le_bytes());
    }
    for p in params {
        if large {
            out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        } else {
            let l = u16::try_from(p.len()).expect("a parameter with a u16 length fits 65,535 bytes");
            out.extend_from_slice(&l.to_le_bytes());
        }
    }
    for p in params {
        out.extend_from_slice(p);
    }
    out
}

