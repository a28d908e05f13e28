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
use crate::records::{
    FdRecord, FdRecordKind, InterfaceRecord, MachineInfo, ThreadRecord, UserList, fd_type,
};

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
    let total =
        version.header_len() + params.len() * lsize + params.iter().map(|p| p.len()).sum::<usize>();
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
            let l =
                u16::try_from(p.len()).expect("a parameter with a u16 length fits 65,535 bytes");
            out.extend_from_slice(&l.to_le_bytes());
        }
    }
    for p in params {
        out.extend_from_slice(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{GroupRecord, UserRecord};
    use crate::{Block, BlockReader};
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Reads every block of `file` after the section header, handing each to
    /// `f`; panics on a read error.
    fn each_block(file: &[u8], mut f: impl FnMut(Block<'_>)) {
        let mut r = BlockReader::new(file);
        match r.next_block() {
            Ok(Some(Block::Section(h))) => assert_eq!((h.major, h.minor), (1, 2)),
            other => panic!("expected a section header, got {other:?}"),
        }
        loop {
            match r.next_block() {
                Ok(Some(b)) => f(b),
                Ok(None) => break,
                Err(e) => panic!("read error: {e}"),
            }
        }
        assert_eq!(r.offset(), file.len() as u64);
    }

    /// A file with a section header and what `f` writes.
    fn file_with(f: impl FnOnce(&mut BlockWriter<Vec<u8>>) -> io::Result<()>) -> Vec<u8> {
        let mut w = BlockWriter::new(Vec::new());
        w.section_header().expect("section header");
        f(&mut w).expect("write");
        assert_eq!(w.offset(), w.get_ref().len() as u64);
        let out = w.into_inner();
        assert_eq!(out.len() % 4, 0, "blocks are 4-byte aligned");
        out
    }

    /// The type id of the second block (the first after the section header).
    fn second_block_type(file: &[u8]) -> u32 {
        u32::from_le_bytes([file[28], file[29], file[30], file[31]])
    }

    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..=max)
    }

    fn thread() -> impl Strategy<Value = ThreadRecord> {
        let ids = (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<i64>(),
            any::<i64>(),
            any::<i64>(),
            any::<i64>(),
        );
        let strings = (
            bytes(40),
            bytes(40),
            bytes(40),
            bytes(120),
            bytes(40),
            bytes(120),
            bytes(120),
            bytes(40),
        );
        let nums = (
            any::<u64>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            any::<bool>(),
        );
        (ids, strings, nums).prop_map(|(i, s, n)| ThreadRecord {
            tid: i.0,
            pid: i.1,
            ptid: i.2,
            sid: i.3,
            vpgid: i.4,
            vtid: i.5,
            vpid: i.6,
            comm: s.0,
            exe: s.1,
            exepath: s.2,
            args: s.3,
            cwd: s.4,
            env: s.5,
            cgroups: s.6,
            root: s.7,
            fdlimit: n.0,
            flags: n.1,
            uid: n.2,
            gid: n.3,
            vmsize_kb: n.4,
            vmrss_kb: n.5,
            vmswap_kb: n.6,
            pfmajor: n.7,
            pfminor: n.8,
            loginuid: n.9,
            exe_writable: n.10,
            // Not in the pre-0.10 layout that 0.29.3 reads.
            tty: 0,
            pidns_init_start_ts: 0,
        })
    }

    fn fd_kind() -> impl Strategy<Value = FdRecordKind> {
        let named_types = prop::sample::select(vec![
            fd_type::FILE,
            fd_type::DIRECTORY,
            fd_type::FIFO,
            fd_type::EVENT,
            fd_type::UNSUPPORTED,
            fd_type::SIGNALFD,
            fd_type::EVENTPOLL,
            fd_type::INOTIFY,
            fd_type::TIMERFD,
            fd_type::NETLINK,
        ]);
        prop_oneof![
            (
                any::<u32>(),
                any::<u32>(),
                any::<u16>(),
                any::<u16>(),
                any::<u8>()
            )
                .prop_map(|(sip, dip, sport, dport, l4proto)| {
                    FdRecordKind::Ipv4Socket {
                        sip,
                        dip,
                        sport,
                        dport,
                        l4proto,
                    }
                }),
            (any::<u32>(), any::<u16>(), any::<u8>())
                .prop_map(|(ip, port, l4proto)| FdRecordKind::Ipv4Server { ip, port, l4proto }),
            (
                any::<[u8; 16]>(),
                any::<[u8; 16]>(),
                any::<u16>(),
                any::<u16>(),
                any::<u8>()
            )
                .prop_map(|(sip, dip, sport, dport, l4proto)| {
                    FdRecordKind::Ipv6Socket {
                        sip,
                        dip,
                        sport,
                        dport,
                        l4proto,
                    }
                }),
            (any::<[u8; 16]>(), any::<u16>(), any::<u8>())
                .prop_map(|(ip, port, l4proto)| FdRecordKind::Ipv6Server { ip, port, l4proto }),
            (any::<u64>(), any::<u64>(), bytes(60))
                .prop_map(|(source, dest, path)| FdRecordKind::Unix { source, dest, path }),
            (any::<u32>(), bytes(60), any::<u32>()).prop_map(|(open_flags, name, dev)| {
                FdRecordKind::File {
                    open_flags,
                    name,
                    dev,
                }
            }),
            (named_types, bytes(60)).prop_map(|(ty, name)| FdRecordKind::Named { ty, name }),
        ]
    }

    fn fd() -> impl Strategy<Value = FdRecord> {
        (any::<i64>(), any::<u64>(), fd_kind()).prop_map(|(fd, ino, kind)| FdRecord {
            fd,
            ino,
            kind,
        })
    }

    fn iface() -> impl Strategy<Value = InterfaceRecord> {
        prop_oneof![
            (
                bytes(30),
                any::<u32>(),
                any::<u32>(),
                any::<u32>(),
                any::<u64>()
            )
                .prop_map(|(name, addr, netmask, bcast, linkspeed)| {
                    InterfaceRecord::V4 {
                        name,
                        addr,
                        netmask,
                        bcast,
                        linkspeed,
                    }
                }),
            (
                bytes(30),
                any::<[u8; 16]>(),
                any::<[u8; 16]>(),
                any::<[u8; 16]>(),
                any::<u64>()
            )
                .prop_map(|(name, addr, netmask, bcast, linkspeed)| {
                    InterfaceRecord::V6 {
                        name,
                        addr,
                        netmask,
                        bcast,
                        linkspeed,
                    }
                }),
        ]
    }

    fn user_list() -> impl Strategy<Value = UserList> {
        let user = (any::<u32>(), any::<u32>(), bytes(32), bytes(64), bytes(32)).prop_map(
            |(uid, gid, name, homedir, shell)| UserRecord {
                uid,
                gid,
                name,
                homedir,
                shell,
            },
        );
        let group = (any::<u32>(), bytes(32)).prop_map(|(gid, name)| GroupRecord { gid, name });
        (vec(user, 0..6), vec(group, 0..6)).prop_map(|(users, groups)| UserList { users, groups })
    }

    /// Event types the table knows.
    fn known_type() -> impl Strategy<Value = u16> {
        0..sonde_event::EVENT_TABLE.len() as u16
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn machine_info_round_trips(
            num_cpus in any::<u32>(),
            memory_size_bytes in any::<u64>(),
            max_pid in any::<u64>(),
            hostname in vec(1u8.., 0..=128),
            boot_ts_epoch in any::<u64>(),
            flags in any::<u64>(),
        ) {
            let mi = MachineInfo { num_cpus, memory_size_bytes, max_pid, hostname, boot_ts_epoch, flags };
            let file = file_with(|w| w.machine_info(&mi));
            // 8 + 180 + 4.
            prop_assert_eq!(file.len(), 28 + 192);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::MachineInfo(got) => { assert_eq!(got, mi); n += 1 }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        #[test]
        fn threads_round_trip(threads in vec(thread(), 0..5)) {
            let file = file_with(|w| w.threads(&threads));
            prop_assert_eq!(second_block_type(&file), 0x215);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::Threads(got) => { assert_eq!(got, threads); n += 1 }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        #[test]
        fn fds_round_trip(tid in any::<u64>(), fds in vec(fd(), 0..8)) {
            let file = file_with(|w| w.fds(tid, &fds));
            prop_assert_eq!(second_block_type(&file), 0x218);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::Fds { tid: t, fds: got } => { assert_eq!((t, got), (tid, fds.clone())); n += 1 }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        #[test]
        fn interfaces_round_trip(ifs in vec(iface(), 0..6)) {
            let file = file_with(|w| w.interfaces(&ifs));
            prop_assert_eq!(second_block_type(&file), 0x219);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::Interfaces(got) => { assert_eq!(got, ifs); n += 1 }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        #[test]
        fn users_round_trip(ul in user_list()) {
            let file = file_with(|w| w.users(&ul));
            prop_assert_eq!(second_block_type(&file), 0x220);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::Users(got) => { assert_eq!(got, ul); n += 1 }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        #[test]
        fn events_v2_round_trip(
            ts in any::<u64>(),
            tid in any::<u64>(),
            ty in known_type(),
            cpu in any::<u16>(),
            dump_flags in prop_oneof![Just(0u32), Just(1), Just(2), Just(DF_LARGE), any::<u32>()],
            params in vec(bytes(200), 0..=MAX_PARAMS),
        ) {
            let refs: Vec<&[u8]> = params.iter().map(|p| p.as_slice()).collect();
            let ev = encode_event_v2(ts, tid, ty, &refs);
            let file = file_with(|w| w.event(cpu, dump_flags, &ev));
            let flags = dump_flags & !DF_LARGE;
            let large = dump_flags & DF_LARGE != 0
                || event_info(ty).is_some_and(|i| i.large_payload());
            let want = BlockType::Event { flags: flags != 0, v2: true, large }.to_u32();
            prop_assert_eq!(second_block_type(&file), want);
            let mut n = 0;
            each_block(&file, |b| match b {
                Block::Event(got) => {
                    assert_eq!((got.ts, got.tid, got.ty, got.cpu), (ts, tid, ty, cpu));
                    assert_eq!(got.dump_flags, flags);
                    assert_eq!(got.version, HeaderVersion::V2);
                    assert_eq!(got.bytes, &ev[..]);
                    assert_eq!(got.nparams(), params.len());
                    for (i, p) in params.iter().enumerate() {
                        assert_eq!(got.param(i), Some(p.as_slice()));
                    }
                    // Written back, it is the same block.
                    if dump_flags & DF_LARGE == 0 {
                        let mut again = BlockWriter::new(Vec::new());
                        again.raw_event(&got).expect("raw_event");
                        assert_eq!(&again.into_inner()[..], &file[28..]);
                    }
                    n += 1;
                }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(n, 1);
        }

        /// v1 events (EV and EVF blocks) carry no parameter count: written
        /// with the table's count, the reader infers it back.
        #[test]
        fn events_v1_round_trip(
            ts in any::<u64>(),
            tid in any::<u64>(),
            ty in known_type().prop_filter("the 3-byte quirk types", |t| *t != 280 && *t != 286),
            cpu in any::<u16>(),
            dump_flags in prop::option::of(any::<u32>()),
            lens in vec(0usize..100, MAX_PARAMS),
            seed in any::<u8>(),
        ) {
            let n = event_info(ty).map_or(0, |i| i.params.len());
            let params: Vec<Vec<u8>> = lens[..n]
                .iter()
                .enumerate()
                .map(|(i, &l)| vec![seed.wrapping_add(i as u8); l])
                .collect();
            let refs: Vec<&[u8]> = params.iter().map(|p| p.as_slice()).collect();
            let ev = encode_event_v1(ts, tid, ty, &refs);
            let mut body = cpu.to_le_bytes().to_vec();
            if let Some(f) = dump_flags {
                body.extend_from_slice(&f.to_le_bytes());
            }
            body.extend_from_slice(&ev);
            let bt = if dump_flags.is_some() { 0x208 } else { 0x204 };
            let file = file_with(|w| w.raw_block(bt, &body));
            let mut count = 0;
            each_block(&file, |b| match b {
                Block::Event(got) => {
                    assert_eq!((got.ts, got.tid, got.ty, got.cpu), (ts, tid, ty, cpu));
                    assert_eq!(got.dump_flags, dump_flags.unwrap_or(0));
                    assert_eq!(got.version, HeaderVersion::V1);
                    assert_eq!(got.nparams(), n);
                    for (i, p) in params.iter().enumerate() {
                        assert_eq!(got.param(i), Some(p.as_slice()));
                    }
                    // Written back, it becomes the v2 encoding of the same event.
                    let mut w = BlockWriter::new(Vec::new());
                    w.raw_event(&got).expect("raw_event");
                    let v2 = encode_event_v2(ts, tid, ty, &refs);
                    let out = w.into_inner();
                    let skip = if got.dump_flags != 0 { 14 } else { 10 };
                    assert_eq!(&out[skip..skip + v2.len()], &v2[..]);
                    count += 1;
                }
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(count, 1);
        }

        /// A whole file, as sysdig writes one: every block comes back, in
        /// order.
        #[test]
        fn files_round_trip(
            threads in vec(thread(), 1..4),
            fds in vec(fd(), 0..5),
            ifs in vec(iface(), 0..3),
            ul in user_list(),
            events in vec((any::<u64>(), known_type(), vec(bytes(40), 0..4)), 0..10),
        ) {
            let mi = MachineInfo { num_cpus: 4, hostname: b"host".to_vec(), ..MachineInfo::default() };
            let encoded: Vec<Vec<u8>> = events
                .iter()
                .map(|(ts, ty, params)| {
                    let refs: Vec<&[u8]> = params.iter().map(|p| p.as_slice()).collect();
                    encode_event_v2(*ts, 7, *ty, &refs)
                })
                .collect();
            let file = file_with(|w| {
                w.machine_info(&mi)?;
                w.interfaces(&ifs)?;
                w.users(&ul)?;
                w.threads(&threads)?;
                for t in &threads {
                    w.fds(t.tid, &fds)?;
                }
                for e in &encoded {
                    w.event(1, 0, e)?;
                }
                Ok(())
            });
            let mut i = 0;
            each_block(&file, |b| {
                match (i, b) {
                    (0, Block::MachineInfo(got)) => assert_eq!(got, mi),
                    (1, Block::Interfaces(got)) => assert_eq!(got, ifs),
                    (2, Block::Users(got)) => assert_eq!(got, ul),
                    (3, Block::Threads(got)) => assert_eq!(got, threads),
                    (j, Block::Fds { tid, fds: got }) if j >= 4 && j < 4 + threads.len() => {
                        assert_eq!(tid, threads[j - 4].tid);
                        assert_eq!(got, fds);
                    }
                    (j, Block::Event(got)) if j >= 4 + threads.len() => {
                        assert_eq!(got.bytes, &encoded[j - 4 - threads.len()][..]);
                    }
                    (j, other) => panic!("block {j}: {other:?}"),
                }
                i += 1;
            });
            prop_assert_eq!(i, 4 + threads.len() + encoded.len());
        }
    }

    #[test]
    fn section_header_bytes() {
        let mut w = BlockWriter::new(Vec::new());
        w.section_header().expect("write");
        let mut want = Vec::new();
        for v in [0x0A0D_0D0Au32, 28, 0x1A2B_3C4D] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        want.extend_from_slice(&[1, 0, 2, 0]);
        want.extend_from_slice(&[0xFF; 8]);
        want.extend_from_slice(&28u32.to_le_bytes());
        assert_eq!(w.into_inner(), want);
    }

    #[test]
    fn raw_blocks_are_padded_and_trailed() {
        for (n, total) in [(0usize, 12u32), (1, 16), (3, 16), (4, 16), (5, 20)] {
            let mut w = BlockWriter::new(Vec::new());
            w.raw_block(0x1234, &vec![0xAB; n]).expect("write");
            let out = w.into_inner();
            assert_eq!(out.len(), total as usize);
            assert_eq!(&out[..4], &0x1234u32.to_le_bytes());
            assert_eq!(&out[4..8], &total.to_le_bytes());
            assert!(out[8..8 + n].iter().all(|&b| b == 0xAB));
            assert!(out[8 + n..total as usize - 4].iter().all(|&b| b == 0));
            assert_eq!(&out[total as usize - 4..], &total.to_le_bytes());
        }
    }

    #[test]
    fn thread_entry_len_counts_itself_and_ends_with_loginuid_and_exe_writable() {
        let t = ThreadRecord {
            tid: 1,
            comm: b"init".to_vec(),
            loginuid: 0xAABB_CCDD,
            exe_writable: true,
            ..ThreadRecord::default()
        };
        let mut w = BlockWriter::new(Vec::new());
        w.threads(&[t]).expect("write");
        let out = w.into_inner();
        let body = &out[8..out.len() - 4];
        let entry_len = u32::from_le_bytes([body[0], body[1], body[2], body[3]]) as usize;
        // 4 + 5*8 + 8*2 + 4 (comm) + 8 + 3*4 + 3*4 + 2*8 + 2*8 + 4 + 1.
        assert_eq!(entry_len, 4 + 40 + 16 + 4 + 8 + 12 + 12 + 16 + 16 + 4 + 1);
        assert_eq!(
            &body[entry_len - 5..entry_len],
            &[0xDD, 0xCC, 0xBB, 0xAA, 1]
        );
        assert!(body[entry_len..].iter().all(|&b| b == 0), "padding");
    }

    #[test]
    fn large_events_go_to_large_blocks() {
        // write_x (res, data): a 65,535-byte buffer makes the block exceed
        // 0.29.3's 64 KiB reader buffer although the lengths are u16.
        let data = vec![b'x'; 65535];
        let ev = encode_event_v2(5, 6, 9, &[&0i64.to_le_bytes(), &data]);
        for (flags, want) in [(0u32, 0x221u32), (2, 0x222)] {
            let file = file_with(|w| w.event(3, flags, &ev));
            assert_eq!(second_block_type(&file), want);
            each_block(&file, |b| match b {
                Block::Event(got) => {
                    assert_eq!(got.param(1), Some(&data[..]));
                    assert_eq!(got.dump_flags, flags);
                }
                other => panic!("{other:?}"),
            });
        }
        // The largest event that still fits an EV_V2 block.
        let small = encode_event_v2(5, 6, 9, &[&data[..65536 - 2 - 4 - 28]]);
        let file = file_with(|w| w.event(0, 0, &small));
        assert_eq!(second_block_type(&file), 0x216);
        let one_more = encode_event_v2(5, 6, 9, &[&data[..65536 - 2 - 4 - 28 + 1]]);
        let file = file_with(|w| w.event(0, 0, &one_more));
        assert_eq!(second_block_type(&file), 0x221);
    }

    #[test]
    fn large_payload_types_have_u32_lengths() {
        // PPME_PLUGINEVENT_E (322): plugin id, event data.
        let data = vec![7u8; 100_000];
        let ev = encode_event_v2(1, 2, 322, &[&9u32.to_le_bytes(), &data]);
        assert_eq!(u32::from_le_bytes([ev[26], ev[27], ev[28], ev[29]]), 4);
        assert_eq!(
            u32::from_le_bytes([ev[30], ev[31], ev[32], ev[33]]),
            100_000
        );
        let file = file_with(|w| w.event(0, 0, &ev));
        assert_eq!(second_block_type(&file), 0x221);
        each_block(&file, |b| match b {
            Block::Event(got) => assert_eq!(got.param(1), Some(&data[..])),
            other => panic!("{other:?}"),
        });
        // Small, it is still a LARGE block, as sinsp's dumper makes it.
        let ev = encode_event_v2(1, 2, 322, &[&9u32.to_le_bytes(), b"hi"]);
        let file = file_with(|w| w.event(0, 1, &ev));
        assert_eq!(second_block_type(&file), 0x222);
    }

    #[test]
    fn refuses_what_sysdig_cannot_read() {
        let mut w = BlockWriter::new(Vec::new());
        let long = |n| vec![b'a'; n];
        let t = |f: &dyn Fn(&mut ThreadRecord)| {
            let mut t = ThreadRecord::default();
            f(&mut t);
            t
        };
        for bad in [
            t(&|t| t.comm = long(1025)),
            t(&|t| t.exe = long(1025)),
            t(&|t| t.exepath = long(1025)),
            t(&|t| t.cwd = long(1025)),
            t(&|t| t.root = long(1025)),
            t(&|t| t.args = long(4097)),
            t(&|t| t.env = long(4097)),
            t(&|t| t.cgroups = long(4097)),
        ] {
            let e = w.threads(&[bad]).expect_err("too long");
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        }
        let at_limits = t(&|t| {
            t.comm = long(1024);
            t.args = long(4096);
            t.env = long(4096);
            t.cgroups = long(4096);
        });
        w.threads(&[at_limits]).expect("at the limits");

        let mi = MachineInfo {
            hostname: long(129),
            ..MachineInfo::default()
        };
        assert!(w.machine_info(&mi).is_err());
        let fd = |kind| FdRecord {
            fd: 1,
            ino: 0,
            kind,
        };
        assert!(
            w.fds(
                1,
                &[fd(FdRecordKind::Named {
                    ty: 3,
                    name: vec![]
                })]
            )
            .is_err()
        );
        assert!(
            w.fds(
                1,
                &[fd(FdRecordKind::Named {
                    ty: 1,
                    name: long(1024)
                })]
            )
            .is_err()
        );
        w.fds(
            1,
            &[fd(FdRecordKind::Named {
                ty: 1,
                name: long(1023),
            })],
        )
        .expect("at the limit");
        let user = UserRecord {
            uid: 0,
            gid: 0,
            name: long(256),
            homedir: vec![],
            shell: vec![],
        };
        assert!(
            w.users(&UserList {
                users: vec![user],
                groups: vec![]
            })
            .is_err()
        );

        // Events: a header, and a length that says what was given.
        assert!(w.event(0, 0, &[0u8; 25]).is_err());
        let mut ev = encode_event_v2(1, 2, 3, &[b"abc"]);
        ev.push(0);
        assert!(w.event(0, 0, &ev).is_err());
        // Nothing of the refused blocks was written.
        let written = w.get_ref().len() as u64;
        assert_eq!(w.offset(), written);
    }

    /// Debian's sysdig 0.29.3 reads what the writer writes and prints what
    /// the events say, with the thread and fd tables of the metadata.
    #[test]
    fn sysdig_reads_written_files() {
        let Ok(out) = std::process::Command::new("sysdig")
            .arg("--version")
            .output()
        else {
            println!("sysdig is not on PATH: skipping the sysdig 0.29.3 check");
            return;
        };
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let path = std::env::temp_dir().join(format!("sonde-writer-{}.scap", std::process::id()));
        let file = std::fs::File::create(&path).expect("create temp file");
        let mut w = BlockWriter::new(io::BufWriter::new(file));
        sample_capture(&mut w).expect("write");
        w.flush().expect("flush");
        drop(w);
        let run = |args: &[&str]| {
            let out = std::process::Command::new("sysdig")
                .arg("-r")
                .arg(&path)
                .args(args)
                .env("TZ", "UTC")
                .env("LC_ALL", "C")
                .output()
                .expect("run sysdig");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{version} {args:?} failed: {}\n{stdout}",
                String::from_utf8_lossy(&out.stderr)
            );
            stdout
        };
        let default = run(&[]);
        let fields = run(&["-p", SYSDIG_FIELDS_FORMAT, "evt.dir=<"]);
        if std::env::var_os("SONDE_KEEP_WRITER_SAMPLE").is_some() {
            println!("kept {}", path.display());
        } else {
            let _ = std::fs::remove_file(&path);
        }
        let got: Vec<&str> = default.lines().collect();
        assert_eq!(got, SYSDIG_EXPECTED, "{version} printed:\n{default}");
        let got: Vec<&str> = fields.lines().collect();
        assert_eq!(got, SYSDIG_EXPECTED_FIELDS, "{version} printed:\n{fields}");
    }

    /// What sysdig 0.29.3 prints for [`sample_capture`] (`TZ=UTC`): the
    /// threads and fds come from the PL_V9 and FDL_V2 blocks.
    const SYSDIG_EXPECTED: &[&str] = &[
        "1 12:26:40.000001000 1 cat (4242) > open name=/etc/hosts flags=1(O_RDONLY) mode=0 ",
        "2 12:26:40.000002000 1 cat (4242) < open fd=3(<f>/etc/hosts) name=/etc/hosts flags=1(O_RDONLY) mode=0 dev=803 ",
        "3 12:26:40.000003000 1 cat (4242) > read fd=3(<f>/etc/hosts) size=4096 ",
        "4 12:26:40.000004000 1 cat (4242) < read res=12 data=127.0.0.1 lo ",
        "5 12:26:40.000005000 0 cat (4242) > read fd=0(<f>/dev/pts/0) size=10 ",
        "6 12:26:40.000006000 0 cat (4242) < read res=3 data=hi. ",
        "7 12:26:40.000006500 0 cat (4242) > read fd=5(<4t>10.0.0.1:40000->10.0.0.2:80) size=100 ",
        "8 12:26:40.000006600 0 cat (4242) < read res=2 data=ok ",
        "9 12:26:40.000007000 1 cat (4242) > close fd=3(<f>/etc/hosts) ",
        "10 12:26:40.000008000 1 cat (4242) < close res=0 ",
    ];

    /// Fields that read the other metadata blocks: the process list's
    /// strings and ids, the user list, the machine info.
    const SYSDIG_FIELDS_FORMAT: &str = "%evt.num %proc.name %proc.exe %proc.exepath %proc.cmdline %proc.cwd %proc.pname %proc.vpid %proc.sid %proc.vpgid %proc.fdlimit %user.name %user.homedir %user.shell %group.name %user.loginuid %proc.env %fd.name %fd.dev %fd.type %fd.l4proto";

    const SYSDIG_EXPECTED_FIELDS: &[&str] = &[
        "2 cat cat /usr/bin/cat cat /etc/hosts /root/ init 4242 1 4242 1024 root /root /bin/bash root 0 HOME=/root /etc/hosts 803 file <NA>",
        "4 cat cat /usr/bin/cat cat /etc/hosts /root/ init 4242 1 4242 1024 root /root /bin/bash root 0 HOME=/root /etc/hosts 803 file <NA>",
        "6 cat cat /usr/bin/cat cat /etc/hosts /root/ init 4242 1 4242 1024 root /root /bin/bash root 0 HOME=/root /dev/pts/0 18 file <NA>",
        "8 cat cat /usr/bin/cat cat /etc/hosts /root/ init 4242 1 4242 1024 root /root /bin/bash root 0 HOME=/root 10.0.0.1:40000->10.0.0.2:80 18 ipv4 tcp",
        "10 cat cat /usr/bin/cat cat /etc/hosts /root/ init 4242 1 4242 1024 root /root /bin/bash root 0 HOME=/root /etc/hosts 803 file <NA>",
    ];

    /// Two processes (init and cat) with a few fds, then cat opening, reading
    /// and closing a file, and reading its standard input.
    fn sample_capture<W: Write>(w: &mut BlockWriter<W>) -> io::Result<()> {
        const T0: u64 = 1_600_000_000_000_000_000;
        let i64b = |v: i64| v.to_le_bytes();
        let u32b = |v: u32| v.to_le_bytes();
        w.section_header()?;
        w.machine_info(&MachineInfo {
            num_cpus: 2,
            memory_size_bytes: 1 << 30,
            max_pid: 32768,
            hostname: b"sonde-test".to_vec(),
            ..MachineInfo::default()
        })?;
        w.interfaces(&[InterfaceRecord::V4 {
            name: b"lo".to_vec(),
            addr: u32::from_le_bytes([127, 0, 0, 1]),
            netmask: u32::from_le_bytes([255, 0, 0, 0]),
            bcast: u32::from_le_bytes([127, 0, 0, 1]),
            linkspeed: 0,
        }])?;
        w.users(&UserList {
            users: vec![UserRecord {
                uid: 0,
                gid: 0,
                name: b"root".to_vec(),
                homedir: b"/root".to_vec(),
                shell: b"/bin/bash".to_vec(),
            }],
            groups: vec![GroupRecord {
                gid: 0,
                name: b"root".to_vec(),
            }],
        })?;
        let init = ThreadRecord {
            tid: 1,
            pid: 1,
            ptid: 0,
            sid: 1,
            vpgid: 1,
            comm: b"init".to_vec(),
            exe: b"/sbin/init".to_vec(),
            exepath: b"/sbin/init".to_vec(),
            cwd: b"/".to_vec(),
            fdlimit: 1024,
            vtid: 1,
            vpid: 1,
            loginuid: u32::MAX,
            ..ThreadRecord::default()
        };
        let cat = ThreadRecord {
            tid: 4242,
            pid: 4242,
            ptid: 1,
            sid: 1,
            vpgid: 4242,
            comm: b"cat".to_vec(),
            exe: b"cat".to_vec(),
            exepath: b"/usr/bin/cat".to_vec(),
            args: b"/etc/hosts\0".to_vec(),
            cwd: b"/root".to_vec(),
            fdlimit: 1024,
            env: b"HOME=/root\0".to_vec(),
            vtid: 4242,
            vpid: 4242,
            loginuid: 0,
            ..ThreadRecord::default()
        };
        w.threads(&[init, cat])?;
        w.fds(1, &[])?;
        w.fds(
            4242,
            &[
                FdRecord {
                    fd: 0,
                    ino: 3,
                    kind: FdRecordKind::File {
                        open_flags: 2,
                        name: b"/dev/pts/0".to_vec(),
                        dev: 0x18,
                    },
                },
                FdRecord {
                    fd: 1,
                    ino: 12345,
                    kind: FdRecordKind::Named {
                        ty: fd_type::FIFO,
                        name: b"pipe:[12345]".to_vec(),
                    },
                },
                FdRecord {
                    fd: 5,
                    ino: 777,
                    kind: FdRecordKind::Ipv4Socket {
                        sip: u32::from_le_bytes([10, 0, 0, 1]),
                        dip: u32::from_le_bytes([10, 0, 0, 2]),
                        sport: 40000,
                        dport: 80,
                        l4proto: 2,
                    },
                },
            ],
        )?;
        let name = b"/etc/hosts\0";
        // PPM_O_RDONLY is 1 in the driver's flag numbering.
        let events: Vec<(u16, Vec<u8>)> = vec![
            (
                1,
                encode_event_v2(T0 + 1000, 4242, 2, &[name, &u32b(1), &u32b(0)]),
            ),
            (
                1,
                encode_event_v2(
                    T0 + 2000,
                    4242,
                    3,
                    &[&i64b(3), name, &u32b(1), &u32b(0), &u32b(0x803)],
                ),
            ),
            (
                1,
                encode_event_v2(T0 + 3000, 4242, 6, &[&i64b(3), &u32b(4096)]),
            ),
            (
                1,
                encode_event_v2(T0 + 4000, 4242, 7, &[&i64b(12), b"127.0.0.1 lo"]),
            ),
            (
                0,
                encode_event_v2(T0 + 5000, 4242, 6, &[&i64b(0), &u32b(10)]),
            ),
            (0, encode_event_v2(T0 + 6000, 4242, 7, &[&i64b(3), b"hi\n"])),
            (
                0,
                encode_event_v2(T0 + 6500, 4242, 6, &[&i64b(5), &u32b(100)]),
            ),
            (0, encode_event_v2(T0 + 6600, 4242, 7, &[&i64b(2), b"ok"])),
            (1, encode_event_v2(T0 + 7000, 4242, 4, &[&i64b(3)])),
            (1, encode_event_v2(T0 + 8000, 4242, 5, &[&i64b(0)])),
        ];
        for (cpu, ev) in &events {
            w.event(*cpu, 0, ev)?;
        }
        Ok(())
    }
}
