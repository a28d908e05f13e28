//! The block reader, block type by block type and rule by rule, on hand-built
//! bytes (laid out from `../shared/docs/scap-format.md` and libscap's
//! `scap_savefile.c`, independently of the crate's writer).

use std::io::Write as _;

use sonde_event::{EVENT_TABLE, HeaderVersion, event_info};
use sonde_scap::records::{GroupRecord, UserRecord, fd_type};
use sonde_scap::{
    Block, BlockReader, ErrorKind, FdRecord, FdRecordKind, InterfaceRecord, MachineInfo, ReadError,
    ThreadRecord, UserList,
};

// ---------------------------------------------------------------------------
// Building bytes

/// A little-endian byte buffer.
#[derive(Default, Clone)]
struct B(Vec<u8>);

impl B {
    fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }
    fn u16(mut self, v: u16) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(mut self, v: u32) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(mut self, v: &[u8]) -> Self {
        self.0.extend_from_slice(v);
        self
    }
    /// A `u16` length, then the bytes.
    fn lstr(self, v: &[u8]) -> Self {
        self.u16(v.len() as u16).bytes(v)
    }
    /// Prefixes a `u32` length: the record's length plus `extra`.
    fn with_len(self, extra: usize) -> Self {
        B::default()
            .u32((self.0.len() + extra) as u32)
            .bytes(&self.0)
    }
}

/// A block: type, total length, body, zero padding, total length.
fn block(type_id: u32, body: &[u8]) -> Vec<u8> {
    let total = (8 + body.len() + 4).div_ceil(4) * 4;
    let mut out = B::default().u32(type_id).u32(total as u32).bytes(body).0;
    out.resize(total - 4, 0);
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out
}

fn shb_body(major: u16, minor: u16) -> B {
    B::default()
        .u32(0x1A2B_3C4D)
        .u16(major)
        .u16(minor)
        .u64(u64::MAX)
}

/// A file: a 1.2 section header, then `blocks`.
fn file(blocks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = block(0x0A0D_0D0A, &shb_body(1, 2).0);
    for b in blocks {
        out.extend_from_slice(b);
    }
    out
}

/// An event header and parameters: v1 (22 bytes, no count) or v2 (26 bytes),
/// with `u16` lengths unless `large`.
fn event(v2: bool, large: bool, ts: u64, tid: u64, ty: u16, params: &[&[u8]]) -> Vec<u8> {
    let lsize = if large { 4 } else { 2 };
    let hlen = if v2 { 26 } else { 22 };
    let len = hlen + params.len() * lsize + params.iter().map(|p| p.len()).sum::<usize>();
    let mut b = B::default().u64(ts).u64(tid).u32(len as u32).u16(ty);
    if v2 {
        b = b.u32(params.len() as u32);
    }
    for p in params {
        b = if large {
            b.u32(p.len() as u32)
        } else {
            b.u16(p.len() as u16)
        };
    }
    for p in params {
        b = b.bytes(p);
    }
    b.0
}

/// An event block body: cpu, dump flags (EVF blocks), event.
fn event_body(cpu: u16, flags: Option<u32>, ev: &[u8]) -> Vec<u8> {
    let mut b = B::default().u16(cpu);
    if let Some(f) = flags {
        b = b.u32(f);
    }
    b.bytes(ev).0
}

// ---------------------------------------------------------------------------
// Reading back

/// An owned copy of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owned {
    Section(u16, u16),
    Machine(MachineInfo),
    Threads(Vec<ThreadRecord>),
    Fds(u64, Vec<FdRecord>),
    Ifaces(Vec<InterfaceRecord>),
    Users(UserList),
    Event(Ev),
    UnknownEvent { ty: u16, ts: u64, tid: u64 },
    Unknown(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ev {
    ts: u64,
    tid: u64,
    len: u32,
    ty: u16,
    cpu: u16,
    dump_flags: u32,
    v2: bool,
    params: Vec<Vec<u8>>,
}

fn own(b: Block<'_>) -> Owned {
    match b {
        Block::Section(h) => Owned::Section(h.major, h.minor),
        Block::MachineInfo(m) => Owned::Machine(m),
        Block::Threads(t) => Owned::Threads(t),
        Block::Fds { tid, fds } => Owned::Fds(tid, fds),
        Block::Interfaces(i) => Owned::Ifaces(i),
        Block::Users(u) => Owned::Users(u),
        Block::Event(e) => Owned::Event(Ev {
            ts: e.ts,
            tid: e.tid,
            len: e.len,
            ty: e.ty,
            cpu: e.cpu,
            dump_flags: e.dump_flags,
            v2: e.version == HeaderVersion::V2,
            params: (0..e.nparams())
                .map(|i| e.param(i).unwrap_or_default().to_vec())
                .collect(),
        }),
        Block::UnknownEvent { ty, ts, tid } => Owned::UnknownEvent { ty, ts, tid },
        Block::Unknown { block_type } => Owned::Unknown(block_type),
    }
}

/// Every block up to the end, or up to an error (returned with the blocks
/// before it).
fn read_all(bytes: &[u8]) -> (Vec<Owned>, Option<ReadError>) {
    let mut r = BlockReader::new(bytes);
    let mut out = Vec::new();
    loop {
        match r.next_block() {
            Ok(Some(b)) => out.push(own(b)),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

/// The blocks of a file that must read without error, the section header
/// left out.
fn read_ok(bytes: &[u8]) -> Vec<Owned> {
    let (mut blocks, err) = read_all(bytes);
    if let Some(e) = err {
        panic!("read error after {} blocks: {e}", blocks.len());
    }
    assert!(
        matches!(blocks.first(), Some(Owned::Section(1, _))),
        "{blocks:?}"
    );
    blocks.remove(0);
    blocks
}

/// The one block of a file with a single block after the section header.
fn only(bytes: &[u8]) -> Owned {
    let blocks = read_ok(bytes);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    blocks.into_iter().next().expect("one block")
}

fn read_err(bytes: &[u8]) -> ReadError {
    match read_all(bytes) {
        (_, Some(e)) => e,
        (blocks, None) => panic!("expected an error, read {blocks:?}"),
    }
}

// ---------------------------------------------------------------------------
// Section header

#[test]
fn section_header_versions_1_0_to_1_2() {
    for minor in 0..=2 {
        let mut bytes = block(0x0A0D_0D0A, &shb_body(1, minor).0);
        bytes.extend(block(0x201, &machine_info_body(b"h").0));
        let (blocks, err) = read_all(&bytes);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(blocks[0], Owned::Section(1, minor));
        assert!(matches!(&blocks[1], Owned::Machine(m) if m.hostname == b"h"));
    }
}

#[test]
fn section_header_options_are_skipped() {
    // pcapng options after the 16-byte body, as Wireshark's editcap adds
    // them: shb_comment (1) "a capture", shb_userappl (4) "editcap", end (0).
    let body = shb_body(1, 2)
        .u16(1)
        .u16(9)
        .bytes(b"a capture\0\0\0")
        .u16(4)
        .u16(7)
        .bytes(b"editcap\0")
        .u16(0)
        .u16(0);
    let mut bytes = block(0x0A0D_0D0A, &body.0);
    bytes.extend(block(0x201, &machine_info_body(b"host").0));
    let (blocks, err) = read_all(&bytes);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(blocks[0], Owned::Section(1, 2));
    assert!(matches!(&blocks[1], Owned::Machine(m) if m.hostname == b"host"));
}

#[test]
fn section_header_errors() {
    let e = read_err(&block(0x0A0D_0D0A, &shb_body(2, 0).0));
    assert!(
        matches!(e.kind, ErrorKind::Version { major: 2, minor: 0 }),
        "{e}"
    );
    let mut bad = shb_body(1, 2).0;
    bad[..4].copy_from_slice(&0x4D3C_2B1Au32.to_le_bytes());
    let e = read_err(&block(0x0A0D_0D0A, &bad));
    assert!(matches!(e.kind, ErrorKind::BadMagic(0x4D3C_2B1A)), "{e}");
    assert_eq!(e.offset, 0);
    let e = read_err(&block(0x0A0D_0D0A, &[0; 8]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
    let e = read_err(&block(0x201, &machine_info_body(b"h").0));
    assert!(matches!(e.kind, ErrorKind::NotCapture(0x201)), "{e}");
    let e = read_err(b"");
    assert!(matches!(e.kind, ErrorKind::Empty), "{e}");
}

// ---------------------------------------------------------------------------
// Machine info

fn machine_info_body(host: &[u8]) -> B {
    let mut h = [0u8; 128];
    h[..host.len()].copy_from_slice(host);
    B::default()
        .u32(8)
        .u64(16 << 30)
        .u64(4_194_304)
        .bytes(&h)
        .u64(1_700_000_000_000_000_000)
        .u64(3)
        .u64(0)
        .u64(0)
}

#[test]
fn machine_info() {
    let want = MachineInfo {
        num_cpus: 8,
        memory_size_bytes: 16 << 30,
        max_pid: 4_194_304,
        hostname: b"myhost".to_vec(),
        boot_ts_epoch: 1_700_000_000_000_000_000,
        flags: 3,
    };
    let body = machine_info_body(b"myhost");
    assert_eq!(body.0.len(), 180);
    for id in [0x201, 0x8002_ABCD] {
        assert_eq!(
            only(&file(&[block(id, &body.0)])),
            Owned::Machine(want.clone())
        );
    }
    // A 128-byte hostname has no terminator.
    let long = [b'x'; 128];
    match only(&file(&[block(0x201, &machine_info_body(&long).0)])) {
        Owned::Machine(m) => assert_eq!(m.hostname, long.to_vec()),
        other => panic!("{other:?}"),
    }
    let e = read_err(&file(&[block(0x201, &body.0[..100])]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
}

// ---------------------------------------------------------------------------
// Process lists

/// The fields after `root` in a PL_V9 record.
enum Tail {
    /// sysdig 0.29.3 (libs < 0.10): loginuid, exe_writable.
    Old,
    /// libs >= 0.10: pidns_init_start_ts and tty inserted before loginuid,
    /// then exe_writable, capabilities, exe layer and inode fields, pgid.
    New,
    /// Exactly these bytes.
    Raw(Vec<u8>),
}

fn sample_thread(tid: u64) -> ThreadRecord {
    ThreadRecord {
        tid,
        pid: tid - 1,
        ptid: 1,
        sid: 7,
        vpgid: 8,
        comm: b"bash".to_vec(),
        exe: b"-bash".to_vec(),
        exepath: b"/usr/bin/bash".to_vec(),
        args: b"-c\0echo hi\0".to_vec(),
        cwd: b"/home/me".to_vec(),
        fdlimit: 1024,
        flags: 0x10,
        uid: 1000,
        gid: 1001,
        vmsize_kb: 11,
        vmrss_kb: 12,
        vmswap_kb: 13,
        pfmajor: 14,
        pfminor: 15,
        env: b"HOME=/home/me\0TERM=xterm\0".to_vec(),
        vtid: 21,
        vpid: 22,
        cgroups: b"cpu=/docker/abc\0memory=/docker/abc\0".to_vec(),
        root: b"/".to_vec(),
        loginuid: 1000,
        tty: 34816,
        exe_writable: true,
        pidns_init_start_ts: 123_456_789,
    }
}

/// One record of a process list of `version`, laid out by hand.
fn pl_record(version: u8, t: &ThreadRecord, tail: &Tail) -> Vec<u8> {
    let mut b = B::default().u64(t.tid).u64(t.pid).u64(t.ptid);
    if version >= 6 {
        b = b.u64(t.sid as u64);
    }
    if version >= 8 {
        b = b.u64(t.vpgid as u64);
    }
    b = b.lstr(&t.comm).lstr(&t.exe);
    if version >= 7 {
        b = b.lstr(&t.exepath);
    }
    b = b
        .lstr(&t.args)
        .lstr(&t.cwd)
        .u64(t.fdlimit)
        .u32(t.flags)
        .u32(t.uid)
        .u32(t.gid);
    if version >= 2 {
        b = b
            .u32(t.vmsize_kb)
            .u32(t.vmrss_kb)
            .u32(t.vmswap_kb)
            .u64(t.pfmajor)
            .u64(t.pfminor);
    }
    if version >= 3 {
        b = b.lstr(&t.env);
    }
    if version >= 4 {
        b = b.u64(t.vtid as u64).u64(t.vpid as u64).lstr(&t.cgroups);
    }
    if version >= 5 {
        b = b.lstr(&t.root);
    }
    if version < 9 {
        return b.0;
    }
    b = match tail {
        Tail::Old => b.u32(t.loginuid).u8(u8::from(t.exe_writable)),
        Tail::New => b
            .u64(t.pidns_init_start_ts)
            .u32(t.tty)
            .u32(t.loginuid)
            .u8(u8::from(t.exe_writable))
            .u64(0x1)
            .u64(0x2)
            .u64(0x3)
            .u8(1)
            .u64(555)
            .u64(666)
            .u64(777)
            .u8(0)
            .u8(1)
            .u64(4242),
        Tail::Raw(bytes) => b.bytes(bytes),
    };
    // The entry length counts itself.
    b.with_len(4).0
}

/// What the reader makes of `t` in a process list of `version`: the fields
/// the version lacks take libscap's defaults.
fn as_read(version: u8, t: &ThreadRecord, tail: &Tail) -> ThreadRecord {
    let mut r = t.clone();
    if version < 6 {
        r.sid = -1;
    }
    if version < 8 {
        r.vpgid = -1;
    }
    if version < 7 {
        r.exepath.clear();
    }
    if version < 2 {
        (r.vmsize_kb, r.vmrss_kb, r.vmswap_kb, r.pfmajor, r.pfminor) = (0, 0, 0, 0, 0);
    }
    if version < 3 {
        r.env.clear();
    }
    if version < 4 {
        (r.vtid, r.vpid) = (-1, -1);
        r.cgroups.clear();
    }
    if version < 5 {
        r.root.clear();
    }
    match (version, tail) {
        (9, Tail::New) => {}
        (9, _) => {
            r.tty = 0;
            r.pidns_init_start_ts = 0;
        }
        _ => {
            r.loginuid = u32::MAX;
            r.exe_writable = false;
            r.tty = 0;
            r.pidns_init_start_ts = 0;
        }
    }
    r
}

const PL_IDS: [u32; 9] = [
    0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215,
];

#[test]
fn process_lists_v1_to_v9() {
    let threads = [sample_thread(100), {
        let mut t = sample_thread(201);
        t.comm = b"a-much-longer-command-name".to_vec();
        t.args = Vec::new();
        t.exe_writable = false;
        t
    }];
    for (i, &id) in PL_IDS.iter().enumerate() {
        let version = i as u8 + 1;
        let mut body = Vec::new();
        for t in &threads {
            body.extend(pl_record(version, t, &Tail::Old));
        }
        let want: Vec<ThreadRecord> = threads
            .iter()
            .map(|t| as_read(version, t, &Tail::Old))
            .collect();
        assert_eq!(
            only(&file(&[block(id, &body)])),
            Owned::Threads(want),
            "PL_V{version}"
        );
    }
}

#[test]
fn process_list_int_aliases() {
    for (id, version) in [(0x8000_ABCD, 1), (0x8013_ABCD, 2), (0x8014_ABCD, 3)] {
        let t = sample_thread(300);
        let body = pl_record(version, &t, &Tail::Old);
        assert_eq!(
            only(&file(&[block(id, &body)])),
            Owned::Threads(vec![as_read(version, &t, &Tail::Old)]),
            "{id:#x}"
        );
    }
}

#[test]
fn process_list_v9_layouts() {
    let t = sample_thread(400);
    // 0.29.3's layout: loginuid and exe_writable right after root.
    let old = pl_record(9, &t, &Tail::Old);
    // libs >= 0.10's: pidns_init_start_ts and tty first, and more fields.
    let new = pl_record(9, &t, &Tail::New);
    let mut body = old.clone();
    body.extend(&new);
    body.extend(&old);
    let want = vec![
        as_read(9, &t, &Tail::Old),
        as_read(9, &t, &Tail::New),
        as_read(9, &t, &Tail::Old),
    ];
    assert_eq!(want[1].tty, 34816);
    assert_eq!(want[1].pidns_init_start_ts, 123_456_789);
    assert_eq!(only(&file(&[block(0x215, &body)])), Owned::Threads(want));
}

#[test]
fn process_list_v9_heuristic_boundary() {
    // More than 29 bytes after root: the new layout; 29 or fewer: the old
    // one, whatever they hold (libs' own reader decides the same way).
    let t = sample_thread(500);
    let mut thirty = B::default()
        .u64(99)
        .u32(7)
        .u32(1234)
        .u8(1)
        .bytes(&[0; 13])
        .0;
    assert_eq!(thirty.len(), 30);
    match only(&file(&[block(
        0x215,
        &pl_record(9, &t, &Tail::Raw(thirty.clone())),
    )])) {
        Owned::Threads(v) => {
            assert_eq!((v[0].pidns_init_start_ts, v[0].tty), (99, 7));
            assert_eq!((v[0].loginuid, v[0].exe_writable), (1234, true));
        }
        other => panic!("{other:?}"),
    }
    thirty.pop();
    match only(&file(&[block(
        0x215,
        &pl_record(9, &t, &Tail::Raw(thirty)),
    )])) {
        Owned::Threads(v) => {
            assert_eq!((v[0].pidns_init_start_ts, v[0].tty), (0, 0));
            // The first 4 bytes (of the u64 99) read as loginuid.
            assert_eq!(v[0].loginuid, 99);
        }
        other => panic!("{other:?}"),
    }
    // Nothing after root: loginuid keeps its default.
    match only(&file(&[block(
        0x215,
        &pl_record(9, &t, &Tail::Raw(vec![])),
    )])) {
        Owned::Threads(v) => assert_eq!((v[0].loginuid, v[0].exe_writable), (u32::MAX, false)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn process_list_errors() {
    let t = sample_thread(600);
    // A record cut in the middle of a string.
    let rec = pl_record(5, &t, &Tail::Old);
    let e = read_err(&file(&[block(0x211, &rec[..40])]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
    assert_eq!(e.block, Some(sonde_scap::BlockType::ProcessList(5)));
    assert_eq!(e.offset, 28);
    // An entry length past the block.
    let mut rec = pl_record(9, &t, &Tail::Old);
    let l = u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]) + 100;
    rec[..4].copy_from_slice(&l.to_le_bytes());
    let e = read_err(&file(&[block(0x215, &rec)]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
}

// ---------------------------------------------------------------------------
// Fd lists

/// Every fd type, with what the reader makes of it.
fn all_fds() -> Vec<FdRecord> {
    let mut v = vec![
        FdRecordKind::Ipv4Socket {
            sip: u32::from_le_bytes([10, 0, 0, 1]),
            dip: u32::from_le_bytes([10, 0, 0, 2]),
            sport: 40000,
            dport: 443,
            l4proto: 2,
        },
        FdRecordKind::Ipv4Server {
            ip: 0,
            port: 8080,
            l4proto: 2,
        },
        FdRecordKind::Ipv6Socket {
            sip: [0xfe; 16],
            dip: [1; 16],
            sport: 1,
            dport: 2,
            l4proto: 3,
        },
        FdRecordKind::Ipv6Server {
            ip: [0; 16],
            port: 22,
            l4proto: 2,
        },
        FdRecordKind::Unix {
            source: 0xffff_8880_0000_1000,
            dest: 0,
            path: b"/run/systemd/journal/stdout".to_vec(),
        },
    ];
    for ty in [
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
    ] {
        v.push(FdRecordKind::Named {
            ty,
            name: format!("name-{ty}").into_bytes(),
        });
    }
    v.push(FdRecordKind::Named {
        ty: fd_type::FILE,
        name: Vec::new(),
    });
    v.into_iter()
        .enumerate()
        .map(|(i, kind)| FdRecord {
            fd: i as i64,
            ino: 1000 + i as u64,
            kind,
        })
        .collect()
}

/// One fd record, laid out by hand; `v2` prefixes the record length.
fn fd_record(v2: bool, f: &FdRecord) -> Vec<u8> {
    let b = B::default().u64(f.fd as u64).u64(f.ino);
    let b = match &f.kind {
        FdRecordKind::Ipv4Socket {
            sip,
            dip,
            sport,
            dport,
            l4proto,
        } => b
            .u8(3)
            .u32(*sip)
            .u32(*dip)
            .u16(*sport)
            .u16(*dport)
            .u8(*l4proto),
        FdRecordKind::Ipv4Server { ip, port, l4proto } => b.u8(5).u32(*ip).u16(*port).u8(*l4proto),
        FdRecordKind::Ipv6Socket {
            sip,
            dip,
            sport,
            dport,
            l4proto,
        } => b
            .u8(4)
            .bytes(sip)
            .bytes(dip)
            .u16(*sport)
            .u16(*dport)
            .u8(*l4proto),
        FdRecordKind::Ipv6Server { ip, port, l4proto } => b.u8(6).bytes(ip).u16(*port).u8(*l4proto),
        FdRecordKind::Unix { source, dest, path } => b.u8(8).u64(*source).u64(*dest).lstr(path),
        FdRecordKind::File {
            open_flags,
            name,
            dev,
        } => b.u8(16).u32(*open_flags).lstr(name).u32(*dev),
        FdRecordKind::Named { ty, name } => b.u8(*ty).lstr(name),
    };
    if v2 { b.with_len(4).0 } else { b.0 }
}

#[test]
fn fd_list_v1_every_type() {
    let fds = all_fds();
    let mut body = B::default().u64(77).0;
    for f in &fds {
        body.extend(fd_record(false, f));
    }
    for id in [0x203, 0x8001_ABCD] {
        assert_eq!(
            only(&file(&[block(id, &body)])),
            Owned::Fds(77, fds.clone())
        );
    }
}

#[test]
fn fd_list_v2_every_type() {
    let mut fds = all_fds();
    fds.push(FdRecord {
        fd: 99,
        ino: 5,
        kind: FdRecordKind::File {
            open_flags: 0o100002,
            name: b"/var/log/syslog".to_vec(),
            dev: 0x803,
        },
    });
    let mut body = B::default().u64(78).0;
    for f in &fds {
        body.extend(fd_record(true, f));
    }
    assert_eq!(only(&file(&[block(0x218, &body)])), Owned::Fds(78, fds));
}

#[test]
fn fd_list_v2_record_length_rules() {
    // FILE_V2 without dev (a record length that stops after the name): dev
    // reads as 0.
    let no_dev = B::default()
        .u64(3)
        .u64(9)
        .u8(16)
        .u32(1)
        .lstr(b"/etc/passwd")
        .with_len(4);
    // Fields appended by a newer writer: skipped by the record length.
    let longer = B::default()
        .u64(4)
        .u64(10)
        .u8(5)
        .u32(0x0100_007F)
        .u16(53)
        .u8(3)
        .bytes(&[0xEE; 9])
        .with_len(4);
    let body = B::default().u64(1).bytes(&no_dev.0).bytes(&longer.0).0;
    assert_eq!(
        only(&file(&[block(0x218, &body)])),
        Owned::Fds(
            1,
            vec![
                FdRecord {
                    fd: 3,
                    ino: 9,
                    kind: FdRecordKind::File {
                        open_flags: 1,
                        name: b"/etc/passwd".to_vec(),
                        dev: 0,
                    },
                },
                FdRecord {
                    fd: 4,
                    ino: 10,
                    kind: FdRecordKind::Ipv4Server {
                        ip: 0x0100_007F,
                        port: 53,
                        l4proto: 3,
                    },
                },
            ]
        )
    );
    // An fd list with no fds, and an unknown fd type.
    assert_eq!(
        only(&file(&[block(0x218, &B::default().u64(5).0)])),
        Owned::Fds(5, vec![])
    );
    let bad = B::default().u64(5).u64(1).u64(1).u8(42).lstr(b"x").0;
    let e = read_err(&file(&[block(0x203, &bad)]));
    assert!(
        matches!(&e.kind, ErrorKind::Record(r) if r.to_string().contains("42")),
        "{e}"
    );
}

// ---------------------------------------------------------------------------
// Interface lists

fn v4(name: &[u8], linkspeed: u64) -> InterfaceRecord {
    InterfaceRecord::V4 {
        name: name.to_vec(),
        addr: u32::from_le_bytes([192, 168, 1, 10]),
        netmask: u32::from_le_bytes([255, 255, 255, 0]),
        bcast: u32::from_le_bytes([192, 168, 1, 255]),
        linkspeed,
    }
}

fn v6(name: &[u8], linkspeed: u64) -> InterfaceRecord {
    let mut addr = [0u8; 16];
    addr[15] = 1;
    InterfaceRecord::V6 {
        name: name.to_vec(),
        addr,
        netmask: [0xff; 16],
        bcast: [0; 16],
        linkspeed,
    }
}

/// One interface record; `with_speed` picks type 1/2 over 3/4 (no link
/// speed); `v2` prefixes the entry length (which does not count itself).
fn il_record(v2: bool, with_speed: bool, r: &InterfaceRecord) -> Vec<u8> {
    let b = match r {
        InterfaceRecord::V4 {
            name,
            addr,
            netmask,
            bcast,
            linkspeed,
        } => {
            let b = B::default()
                .u16(if with_speed { 1 } else { 3 })
                .u16(name.len() as u16)
                .u32(*addr)
                .u32(*netmask)
                .u32(*bcast);
            let b = if with_speed { b.u64(*linkspeed) } else { b };
            b.bytes(name)
        }
        InterfaceRecord::V6 {
            name,
            addr,
            netmask,
            bcast,
            linkspeed,
        } => {
            let b = B::default()
                .u16(if with_speed { 2 } else { 4 })
                .u16(name.len() as u16)
                .bytes(addr)
                .bytes(netmask)
                .bytes(bcast);
            let b = if with_speed { b.u64(*linkspeed) } else { b };
            b.bytes(name)
        }
    };
    if v2 { b.with_len(0).0 } else { b.0 }
}

#[test]
fn interface_lists_v1_and_v2() {
    let with = [v4(b"eth0", 1000), v6(b"eth0", 1000), v4(b"lo", 0)];
    let without = [v4(b"docker0", 0), v6(b"lo", 0)];
    for (v2, ids) in [(false, &[0x205u32, 0x8011_ABCD][..]), (true, &[0x219][..])] {
        let mut body = Vec::new();
        for r in &with {
            body.extend(il_record(v2, true, r));
        }
        for r in &without {
            body.extend(il_record(v2, false, r));
        }
        let want: Vec<InterfaceRecord> = with.iter().chain(&without).cloned().collect();
        for &id in ids {
            assert_eq!(
                only(&file(&[block(id, &body)])),
                Owned::Ifaces(want.clone()),
                "{id:#x}"
            );
        }
    }
}

#[test]
fn interface_list_v2_entry_length_skips_appended_fields() {
    let rec = il_record(false, true, &v4(b"wlan0", 300));
    let body = B::default()
        .u32(rec.len() as u32 + 6)
        .bytes(&rec)
        .bytes(&[0xAA; 6])
        .bytes(&il_record(true, false, &v6(b"wlan0", 0)))
        .0;
    assert_eq!(
        only(&file(&[block(0x219, &body)])),
        Owned::Ifaces(vec![v4(b"wlan0", 300), v6(b"wlan0", 0)])
    );
    let bad = B::default().u16(9).u16(0).bytes(&[0; 20]).0;
    let e = read_err(&file(&[block(0x205, &bad)]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
}

// ---------------------------------------------------------------------------
// User lists

fn users() -> UserList {
    UserList {
        users: vec![
            UserRecord {
                uid: 0,
                gid: 0,
                name: b"root".to_vec(),
                homedir: b"/root".to_vec(),
                shell: b"/bin/bash".to_vec(),
            },
            UserRecord {
                uid: 65534,
                gid: 65534,
                name: b"nobody".to_vec(),
                homedir: b"/nonexistent".to_vec(),
                shell: b"/usr/sbin/nologin".to_vec(),
            },
        ],
        groups: vec![
            GroupRecord {
                gid: 0,
                name: b"root".to_vec(),
            },
            GroupRecord {
                gid: 27,
                name: b"sudo".to_vec(),
            },
        ],
    }
}

/// The records of a user list, users and groups interleaved (the reader
/// sorts them into the two lists); `v2` prefixes the record length (which
/// counts itself) and `extra` appends unknown bytes to each record.
fn ul_body(v2: bool, extra: usize) -> Vec<u8> {
    let ul = users();
    let mut recs = Vec::new();
    for (u, g) in ul.users.iter().zip(&ul.groups) {
        recs.push(
            B::default()
                .u8(0)
                .u32(u.uid)
                .u32(u.gid)
                .lstr(&u.name)
                .lstr(&u.homedir)
                .lstr(&u.shell),
        );
        recs.push(B::default().u8(1).u32(g.gid).lstr(&g.name));
    }
    let mut body = Vec::new();
    for r in recs {
        let r = r.bytes(&vec![0x55; extra]);
        body.extend(if v2 { r.with_len(4).0 } else { r.0 });
    }
    body
}

#[test]
fn user_lists_v1_and_v2() {
    for id in [0x206, 0x8012_ABCD] {
        assert_eq!(
            only(&file(&[block(id, &ul_body(false, 0))])),
            Owned::Users(users())
        );
    }
    assert_eq!(
        only(&file(&[block(0x220, &ul_body(true, 0))])),
        Owned::Users(users())
    );
    // Fields appended by a newer writer are skipped by the record length.
    assert_eq!(
        only(&file(&[block(0x220, &ul_body(true, 7))])),
        Owned::Users(users())
    );
    let e = read_err(&file(&[block(0x206, &B::default().u8(9).u32(0).0)]));
    assert!(matches!(e.kind, ErrorKind::Record(_)), "{e}");
}

// ---------------------------------------------------------------------------
// Events

const OPEN_X: u16 = 3;

fn open_x_params() -> Vec<Vec<u8>> {
    vec![
        5i64.to_le_bytes().to_vec(),
        b"/etc/hosts\0".to_vec(),
        1u32.to_le_bytes().to_vec(),
        0u32.to_le_bytes().to_vec(),
        0x803u32.to_le_bytes().to_vec(),
    ]
}

fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(|p| p.as_slice()).collect()
}

#[test]
fn every_event_block_type() {
    let params = open_x_params();
    let p = refs(&params);
    // (block id, v2 header, EVF dump flags)
    let cases: [(u32, bool, Option<u32>); 7] = [
        (0x204, false, None),
        (0x8010_ABCD, false, None),
        (0x216, true, None),
        (0x208, false, Some(1)),
        (0x217, true, Some(2)),
        (0x221, true, None),
        (0x222, true, Some(3)),
    ];
    for (id, v2, flags) in cases {
        let ev = event(v2, false, 1234, 99, OPEN_X, &p);
        let got = only(&file(&[block(id, &event_body(7, flags, &ev))]));
        assert_eq!(
            got,
            Owned::Event(Ev {
                ts: 1234,
                tid: 99,
                len: ev.len() as u32,
                ty: OPEN_X,
                cpu: 7,
                dump_flags: flags.unwrap_or(0),
                v2,
                params: params.clone(),
            }),
            "{id:#x}"
        );
    }
}

#[test]
fn large_event_blocks() {
    // An event past 64 KiB in a LARGE block; the same in a non-LARGE block
    // is refused (libscap's 64 KiB reader buffer).
    let data = vec![b'z'; 65535];
    let ev = event(true, false, 1, 2, 9, &[&8i64.to_le_bytes(), &data]);
    match only(&file(&[block(0x221, &event_body(0, None, &ev))])) {
        Owned::Event(e) => assert_eq!(e.params[1], data),
        other => panic!("{other:?}"),
    }
    let e = read_err(&file(&[block(0x216, &event_body(0, None, &ev))]));
    assert!(matches!(e.kind, ErrorKind::BadLength(_)), "{e}");
    // EF_LARGE_PAYLOAD types (pluginevent 322) have u32 lengths.
    assert!(event_info(322).is_some_and(|i| i.large_payload()));
    let big = vec![1u8; 70_000];
    let ev = event(true, true, 1, 2, 322, &[&5u32.to_le_bytes(), &big]);
    match only(&file(&[block(0x222, &event_body(0, Some(1), &ev))])) {
        Owned::Event(e) => {
            assert_eq!(e.params, vec![5u32.to_le_bytes().to_vec(), big]);
            assert_eq!(e.dump_flags, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bytes_after_the_event_inside_a_block_are_ignored() {
    let params = open_x_params();
    for (id, v2, flags) in [
        (0x216u32, true, None),
        (0x204, false, None),
        (0x217, true, Some(1)),
    ] {
        let ev = event(v2, false, 5, 6, OPEN_X, &refs(&params));
        // EPB-style options after the event, as editcap adds them.
        let mut body = event_body(0, flags, &ev);
        body.extend(B::default().u16(1).u16(5).bytes(b"hello\0\0\0").u32(0).0);
        match only(&file(&[block(id, &body)])) {
            Owned::Event(e) => {
                assert_eq!(e.params, params, "{id:#x}");
                assert_eq!(e.len as usize, ev.len());
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn v2_events_with_more_or_fewer_params_than_the_table() {
    let mut params = open_x_params();
    params.push(b"extra".to_vec());
    let got = only(&file(&[block(
        0x216,
        &event_body(0, None, &event(true, false, 1, 1, OPEN_X, &refs(&params))),
    )]));
    assert!(matches!(&got, Owned::Event(e) if e.params == params));
    params.truncate(2);
    let got = only(&file(&[block(
        0x216,
        &event_body(0, None, &event(true, false, 1, 1, OPEN_X, &refs(&params))),
    )]));
    assert!(matches!(&got, Owned::Event(e) if e.params == params));
}

#[test]
fn v1_param_count_inference() {
    // open_x has 5 parameters in the table; an old driver wrote 4 (no dev).
    let four = &open_x_params()[..4];
    let ev = event(false, false, 1, 2, OPEN_X, &refs(four));
    match only(&file(&[block(0x204, &event_body(0, None, &ev))])) {
        Owned::Event(e) => assert_eq!(e.params, four.to_vec()),
        other => panic!("{other:?}"),
    }
    // No parameters at all.
    let ev = event(false, false, 1, 2, OPEN_X, &[]);
    match only(&file(&[block(0x204, &event_body(0, None, &ev))])) {
        Owned::Event(e) => assert!(e.params.is_empty()),
        other => panic!("{other:?}"),
    }
    // Lengths that add up at no count: close_e (1 parameter) whose length
    // says 8 but 10 bytes follow.
    let mut ev = event(false, false, 1, 2, 4, &[&[0; 8]]);
    ev.extend([0, 0]);
    let len = ev.len() as u32;
    ev[16..20].copy_from_slice(&len.to_le_bytes());
    let e = read_err(&file(&[block(0x204, &event_body(0, None, &ev))]));
    assert!(
        matches!(&e.kind, ErrorKind::Event(d) if d.to_string().contains("infer")),
        "{e}"
    );
    assert_eq!(e.block.map(|b| b.name()), Some("EV".to_string()));
}

#[test]
fn v1_notification_and_infrastructure_events_declare_3_bytes_too_many() {
    // PPME_NOTIFICATION_E (280): id, desc; PPME_INFRASTRUCTURE_EVENT_E (286):
    // source, name, description, scope. Old writers put a length 3 bytes
    // too large in the header (and that many bytes in the block).
    let cases: [(u16, Vec<&[u8]>); 2] = [
        (280, vec![b"42\0", b"a notification\0"]),
        (
            286,
            vec![b"docker\0", b"start\0", b"container started\0", b"host\0"],
        ),
    ];
    for (ty, params) in cases {
        let mut ev = event(false, false, 10, 11, ty, &params);
        ev.extend([0xAB; 3]);
        let len = ev.len() as u32;
        ev[16..20].copy_from_slice(&len.to_le_bytes());
        match only(&file(&[block(0x204, &event_body(0, None, &ev))])) {
            Owned::Event(e) => {
                let want: Vec<Vec<u8>> = params.iter().map(|p| p.to_vec()).collect();
                assert_eq!(e.params, want, "type {ty}");
            }
            other => panic!("{other:?}"),
        }
        // In v2 blocks the length is right and taken as it is.
        let ev = event(true, false, 10, 11, ty, &params);
        match only(&file(&[block(0x216, &event_body(0, None, &ev))])) {
            Owned::Event(e) => assert_eq!(e.params.len(), params.len()),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn event_types_unknown_to_the_table() {
    let ty = EVENT_TABLE.len() as u16 + 10;
    for (id, v2) in [(0x216u32, true), (0x204, false), (0x221, true)] {
        let ev = event(v2, false, 77, 88, ty, &[b"whatever"]);
        assert_eq!(
            only(&file(&[block(id, &event_body(3, None, &ev))])),
            Owned::UnknownEvent {
                ty,
                ts: 77,
                tid: 88
            },
            "{id:#x}"
        );
    }
    let ty = u16::MAX;
    let ev = event(true, false, 1, 2, ty, &[]);
    assert_eq!(
        only(&file(&[block(0x217, &event_body(3, Some(1), &ev))])),
        Owned::UnknownEvent { ty, ts: 1, tid: 2 }
    );
}

#[test]
fn event_errors() {
    let params = open_x_params();
    // The event's length runs past its block.
    let mut ev = event(true, false, 1, 2, OPEN_X, &refs(&params));
    let len = ev.len() as u32 + 40;
    ev[16..20].copy_from_slice(&len.to_le_bytes());
    let e = read_err(&file(&[block(0x216, &event_body(0, None, &ev))]));
    assert!(matches!(e.kind, ErrorKind::Event(_)), "{e}");
    // A parameter length runs past the event.
    let mut ev = event(true, false, 1, 2, OPEN_X, &refs(&params));
    ev[26..28].copy_from_slice(&1000u16.to_le_bytes());
    let e = read_err(&file(&[block(0x216, &event_body(0, None, &ev))]));
    assert!(matches!(e.kind, ErrorKind::Event(_)), "{e}");
    // More than 32 parameters.
    let mut ev = event(true, false, 1, 2, OPEN_X, &[]);
    ev[22..26].copy_from_slice(&33u32.to_le_bytes());
    let e = read_err(&file(&[block(0x216, &event_body(0, None, &ev))]));
    assert!(matches!(e.kind, ErrorKind::Event(_)), "{e}");
    // Shorter than a header; shorter than cpu + flags.
    let e = read_err(&file(&[block(0x216, &[0; 10])]));
    assert!(matches!(e.kind, ErrorKind::Event(_)), "{e}");
    let e = read_err(&file(&[block(0x217, &[0; 4])]));
    assert!(matches!(e.kind, ErrorKind::Event(_)), "{e}");
}

// ---------------------------------------------------------------------------
// Container rules

#[test]
fn unknown_block_types_are_skipped_by_length() {
    let ev = event(true, false, 1, 2, OPEN_X, &refs(&open_x_params()));
    let blocks = read_ok(&file(&[
        block(0xDEAD_BEEF, &[1; 37]),
        block(0x201, &machine_info_body(b"h").0),
        block(0x0000_0BAD, &[]),
        block(0x216, &event_body(0, None, &ev)),
        block(0x1234, &[0; 1000]),
    ]));
    assert_eq!(blocks.len(), 5);
    assert_eq!(blocks[0], Owned::Unknown(0xDEAD_BEEF));
    assert!(matches!(blocks[1], Owned::Machine(_)));
    assert_eq!(blocks[2], Owned::Unknown(0x0BAD));
    assert!(matches!(blocks[3], Owned::Event(_)));
    assert_eq!(blocks[4], Owned::Unknown(0x1234));
}

#[test]
fn metadata_blocks_in_any_order_and_between_events() {
    let ev = event(true, false, 1, 2, OPEN_X, &refs(&open_x_params()));
    let t = sample_thread(700);
    let blocks = read_ok(&file(&[
        block(0x215, &pl_record(9, &t, &Tail::Old)),
        block(0x220, &ul_body(true, 0)),
        block(0x201, &machine_info_body(b"h").0),
        block(0x216, &event_body(0, None, &ev)),
        block(0x218, &B::default().u64(700).0),
        block(0x216, &event_body(1, None, &ev)),
    ]));
    let kinds: Vec<&str> = blocks
        .iter()
        .map(|b| match b {
            Owned::Threads(_) => "PL",
            Owned::Users(_) => "UL",
            Owned::Machine(_) => "MI",
            Owned::Event(_) => "EV",
            Owned::Fds(..) => "FDL",
            _ => "?",
        })
        .collect();
    assert_eq!(kinds, ["PL", "UL", "MI", "EV", "FDL", "EV"]);
}

#[test]
fn container_errors_name_offset_and_block() {
    let ev = event(true, false, 1, 2, OPEN_X, &refs(&open_x_params()));
    let good = file(&[block(0x216, &event_body(0, None, &ev))]);
    let second = good.len() as u64;
    // Truncated in the middle of the second event block.
    let mut bytes = good.clone();
    bytes.extend(&block(0x216, &event_body(0, None, &ev))[..30]);
    let (blocks, e) = read_all(&bytes);
    let e = e.expect("error");
    assert_eq!(blocks.len(), 2);
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
    assert_eq!(e.offset, second);
    assert_eq!(e.block.map(|b| b.name()), Some("EV_V2".to_string()));
    // Truncated inside a block header.
    let mut bytes = good.clone();
    bytes.extend([0x16, 0x02, 0, 0, 0x40]);
    let e = read_err(&bytes);
    assert!(
        matches!(e.kind, ErrorKind::Truncated { need: 8, have: 5 }),
        "{e}"
    );
    // Block lengths: not a multiple of 4, under 12, over 64 KiB for a
    // non-LARGE event block.
    for bad_len in [13u32, 8, 0x10_0000] {
        let mut bytes = good.clone();
        let mut b = block(0x216, &event_body(0, None, &ev));
        b[4..8].copy_from_slice(&bad_len.to_le_bytes());
        bytes.extend(b);
        let e = read_err(&bytes);
        assert!(
            matches!(e.kind, ErrorKind::BadLength(l) if l == bad_len),
            "{e}"
        );
        assert_eq!(e.offset, second);
    }
    // A trailer that disagrees with the header.
    let mut bytes = good.clone();
    let mut b = block(0x216, &event_body(0, None, &ev));
    let n = b.len();
    b[n - 4..].copy_from_slice(&4u32.to_le_bytes());
    bytes.extend(b);
    let e = read_err(&bytes);
    assert!(
        matches!(e.kind, ErrorKind::TrailerMismatch { trailer: 4, .. }),
        "{e}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains(&second.to_string()) && msg.contains("EV_V2"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// Gzip, through the capture crate

#[test]
fn gzip_files_read_like_plain_ones() {
    let ev = event(true, false, 1, 2, OPEN_X, &refs(&open_x_params()));
    let t = sample_thread(800);
    let plain = file(&[
        block(0x201, &machine_info_body(b"gz").0),
        block(0x215, &pl_record(9, &t, &Tail::Old)),
        block(0x216, &event_body(0, None, &ev)),
        block(0x217, &event_body(1, Some(1), &ev)),
    ]);
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let plain_path = dir.join(format!("sonde-reader-test-{id}.scap"));
    let gz_path = dir.join(format!("sonde-reader-test-{id}.scap.gz"));
    std::fs::write(&plain_path, &plain).expect("write plain");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).expect("gzip");
    std::fs::write(&gz_path, gz.finish().expect("gzip")).expect("write gzip");

    let read = |path: &std::path::Path| {
        let mut src = sonde_capture::FileSource::open(path).expect("open");
        let gzip = src.is_gzip();
        let mut out = Vec::new();
        while let Some(b) = src.next_block().expect("read") {
            out.push(own(b));
        }
        (gzip, out)
    };
    let (pz, p) = read(&plain_path);
    let (gz, g) = read(&gz_path);
    let _ = std::fs::remove_file(&plain_path);
    let _ = std::fs::remove_file(&gz_path);
    assert!(!pz && gz);
    assert_eq!(p, g);
    assert_eq!(p, {
        let mut v = vec![Owned::Section(1, 2)];
        v.extend(read_ok(&plain));
        v
    });
    assert_eq!(p.len(), 5);
}
