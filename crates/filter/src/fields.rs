//! The fields of events, threads, file descriptors, users, groups and
//! containers (`evt.*`, `proc.*`, `thread.*`, `fd.*`, `user.*`, `group.*`,
//! `container.*`): what libsinsp's filter checks at e5c53d64 extract, with the
//! same types, print formats and "no value" cases.

use sonde_event::{ParamType as P, PrintFormat as F};

/// A field the engine knows how to extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    // evt.* (generic)
    EvtNum,
    EvtTime,
    EvtTimeS,
    EvtTimeIso8601,
    EvtDatetime,
    EvtDatetimeS,
    EvtRawtime,
    EvtRawtimeS,
    EvtRawtimeNs,
    EvtReltime,
    EvtReltimeS,
    EvtReltimeNs,
    // evt.* (syscall events)
    EvtLatency,
    EvtLatencyS,
    EvtLatencyNs,
    EvtLatencyHuman,
    EvtDeltatime,
    EvtDeltatimeS,
    EvtDeltatimeNs,
    EvtOutputtime,
    EvtDir,
    EvtType,
    EvtTypeIs,
    SyscallType,
    EvtCategory,
    EvtCpu,
    EvtArgs,
    EvtArg,
    EvtRawarg,
    EvtInfo,
    EvtBuffer,
    EvtBuflen,
    EvtRes,
    EvtRawres,
    EvtFailed,
    EvtIsIo,
    EvtIsIoRead,
    EvtIsIoWrite,
    EvtIoDir,
    EvtIsWait,
    EvtWaitLatency,
    EvtIsSyslog,
    EvtCount,
    EvtCountError,
    EvtCountExit,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    // proc.* / thread.*
    ProcPid,
    ProcExe,
    ProcName,
    ProcArgs,
    ProcEnv,
    ProcCmdline,
    ProcExeline,
    ProcCwd,
    ProcNthreads,
    ProcNchilds,
    ProcPpid,
    ProcPname,
    ProcPcmdline,
    ProcApid,
    ProcAname,
    ProcLoginshellid,
    ProcDuration,
    ProcFdopencount,
    ProcFdlimit,
    ProcVmsize,
    ProcVmrss,
    ProcVmswap,
    ThreadPfmajor,
    ThreadPfminor,
    ThreadTid,
    ThreadIsmain,
    ThreadCgroups,
    ThreadCgroup,
    ThreadVtid,
    ProcVpid,
    ProcSid,
    ProcSname,
    ProcTty,
    ProcExepath,
    ThreadNametid,
    ProcVpgid,
    ProcIsExeWritable,
    // fd.*
    FdNum,
    FdType,
    FdTypechar,
    FdName,
    FdDirectory,
    FdFilename,
    FdIp,
    FdCip,
    FdSip,
    FdLip,
    FdRip,
    FdPort,
    FdCport,
    FdSport,
    FdLport,
    FdRport,
    FdL4proto,
    FdSockfamily,
    FdIsServer,
    FdUid,
    FdContainername,
    FdContainerdirectory,
    FdConnected,
    FdDev,
    FdDevMajor,
    FdDevMinor,
    // user.* / group.*
    UserUid,
    UserName,
    UserHomedir,
    UserShell,
    UserLoginuid,
    UserLoginname,
    GroupGid,
    GroupName,
    // container.*
    ContainerId,
    ContainerName,
    ContainerImage,
    ContainerImageId,
    ContainerImageRepository,
    ContainerImageTag,
    ContainerImageDigest,
    ContainerType,
    ContainerPrivileged,
}

/// How a field takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArgStyle {
    None,
    /// `evt.arg.NAME` or `evt.arg[N]`.
    EvtArg,
    /// `proc.aname[N]` (or no argument in filters).
    Index,
    /// `thread.cgroup.NAME`.
    Dotted,
}

struct Def {
    name: &'static str,
    field: Field,
    ty: P,
    fmt: F,
    arg: ArgStyle,
    filter_only: bool,
}

macro_rules! def {
    ($name:expr, $f:ident, $ty:ident, $fmt:ident) => {
        Def {
            name: $name,
            field: Field::$f,
            ty: P::$ty,
            fmt: F::$fmt,
            arg: ArgStyle::None,
            filter_only: false,
        }
    };
    ($name:expr, $f:ident, $ty:ident, $fmt:ident, $arg:ident) => {
        Def {
            name: $name,
            field: Field::$f,
            ty: P::$ty,
            fmt: F::$fmt,
            arg: ArgStyle::$arg,
            filter_only: false,
        }
    };
    ($name:expr, $f:ident, $ty:ident, $fmt:ident, $arg:ident, filter_only) => {
        Def {
            name: $name,
            field: Field::$f,
            ty: P::$ty,
            fmt: F::$fmt,
            arg: ArgStyle::$arg,
            filter_only: true,
        }
    };
}

static DEFS: &[Def] = &[
    def!("evt.num", EvtNum, Uint64, Id),
    def!("evt.time", EvtTime, Charbuf, Na),
    def!("evt.time.s", EvtTimeS, Charbuf, Na),
    def!("evt.time.iso8601", EvtTimeIso8601, Charbuf, Na),
    def!("evt.datetime", EvtDatetime, Charbuf, Na),
    def!("evt.datetime.s", EvtDatetimeS, Charbuf, Na),
    def!("evt.rawtime", EvtRawtime, Abstime, Dec),
    def!("evt.rawtime.s", EvtRawtimeS, Abstime, Dec),
    def!("evt.rawtime.ns", EvtRawtimeNs, Abstime, Padded10Dec),
    def!("evt.reltime", EvtReltime, Reltime, Padded10Dec),
    def!("evt.reltime.s", EvtReltimeS, Reltime, Dec),
    def!("evt.reltime.ns", EvtReltimeNs, Reltime, Padded10Dec),
    def!("evt.latency", EvtLatency, Reltime, Dec),
    def!("evt.latency.s", EvtLatencyS, Reltime, Dec),
    def!("evt.latency.ns", EvtLatencyNs, Reltime, Padded10Dec),
    def!("evt.latency.human", EvtLatencyHuman, Charbuf, Na),
    def!("evt.deltatime", EvtDeltatime, Reltime, Dec),
    def!("evt.deltatime.s", EvtDeltatimeS, Reltime, Dec),
    def!("evt.deltatime.ns", EvtDeltatimeNs, Reltime, Padded10Dec),
    def!("evt.outputtime", EvtOutputtime, Charbuf, Na),
    def!("evt.dir", EvtDir, Charbuf, Dir),
    def!("evt.type", EvtType, Charbuf, Na),
    def!("evt.type.is", EvtTypeIs, Uint32, Na, Dotted),
    def!("syscall.type", SyscallType, Charbuf, Na),
    def!("evt.category", EvtCategory, Charbuf, Na),
    def!("evt.cpu", EvtCpu, Int16, Id),
    def!("evt.args", EvtArgs, Charbuf, Na),
    def!("evt.arg", EvtArg, Charbuf, Na, EvtArg),
    def!("evt.rawarg", EvtRawarg, Dyn, Na, EvtArg),
    def!("evt.info", EvtInfo, Charbuf, Na),
    def!("evt.buffer", EvtBuffer, Bytebuf, Na),
    def!("evt.buflen", EvtBuflen, Uint64, Dec),
    def!("evt.res", EvtRes, Charbuf, Dec),
    def!("evt.rawres", EvtRawres, Int64, Dec),
    def!("evt.failed", EvtFailed, Bool, Na),
    def!("evt.is_io", EvtIsIo, Bool, Na),
    def!("evt.is_io_read", EvtIsIoRead, Bool, Na),
    def!("evt.is_io_write", EvtIsIoWrite, Bool, Na),
    def!("evt.io_dir", EvtIoDir, Charbuf, Na),
    def!("evt.is_wait", EvtIsWait, Bool, Na),
    def!("evt.wait_latency", EvtWaitLatency, Reltime, Dec),
    def!("evt.is_syslog", EvtIsSyslog, Bool, Na),
    def!("evt.count", EvtCount, Uint32, Dec),
    def!("evt.count.error", EvtCountError, Uint32, Dec),
    def!("evt.count.exit", EvtCountExit, Uint32, Dec),
    def!("evt.is_open_read", EvtIsOpenRead, Bool, Na),
    def!("evt.is_open_write", EvtIsOpenWrite, Bool, Na),
    def!("evt.is_open_exec", EvtIsOpenExec, Bool, Na),
    def!("proc.pid", ProcPid, Int64, Id),
    def!("proc.exe", ProcExe, Charbuf, Na),
    def!("proc.name", ProcName, Charbuf, Na),
    def!("proc.args", ProcArgs, Charbuf, Na),
    def!("proc.env", ProcEnv, Charbuf, Na),
    def!("proc.cmdline", ProcCmdline, Charbuf, Na),
    def!("proc.exeline", ProcExeline, Charbuf, Na),
    def!("proc.cwd", ProcCwd, Charbuf, Na),
    def!("proc.nthreads", ProcNthreads, Uint32, Dec),
    def!("proc.nchilds", ProcNchilds, Uint32, Dec),
    def!("proc.ppid", ProcPpid, Int64, Id),
    def!("proc.pname", ProcPname, Charbuf, Na),
    def!("proc.pcmdline", ProcPcmdline, Charbuf, Na),
    def!("proc.apid", ProcApid, Int64, Id, Index),
    def!("proc.aname", ProcAname, Charbuf, Na, Index),
    def!("proc.loginshellid", ProcLoginshellid, Int64, Id),
    def!("proc.duration", ProcDuration, Reltime, Dec),
    def!("proc.fdopencount", ProcFdopencount, Uint64, Dec),
    def!("proc.fdlimit", ProcFdlimit, Int64, Dec),
    def!("proc.vmsize", ProcVmsize, Uint64, Dec),
    def!("proc.vmrss", ProcVmrss, Uint64, Dec),
    def!("proc.vmswap", ProcVmswap, Uint64, Dec),
    def!("thread.pfmajor", ThreadPfmajor, Uint64, Dec),
    def!("thread.pfminor", ThreadPfminor, Uint64, Dec),
    def!("thread.tid", ThreadTid, Int64, Id),
    def!("thread.ismain", ThreadIsmain, Bool, Na),
    def!("thread.cgroups", ThreadCgroups, Charbuf, Na),
    def!("thread.cgroup", ThreadCgroup, Charbuf, Na, Dotted),
    def!("thread.vtid", ThreadVtid, Int64, Id),
    def!("proc.vpid", ProcVpid, Int64, Id),
    def!("proc.sid", ProcSid, Int64, Id),
    def!("proc.sname", ProcSname, Charbuf, Na),
    def!("proc.tty", ProcTty, Int32, Id),
    def!("proc.exepath", ProcExepath, Charbuf, Na),
    def!("thread.nametid", ThreadNametid, Charbuf, Na),
    def!("proc.vpgid", ProcVpgid, Int64, Id),
    def!("proc.is_exe_writable", ProcIsExeWritable, Bool, Na),
    def!("fd.num", FdNum, Int64, Id),
    def!("fd.type", FdType, Charbuf, Dec),
    def!("fd.typechar", FdTypechar, Charbuf, Dec),
    def!("fd.name", FdName, Charbuf, Na),
    def!("fd.directory", FdDirectory, Charbuf, Na),
    def!("fd.filename", FdFilename, Charbuf, Na),
    def!("fd.ip", FdIp, Ipaddr, Na, None, filter_only),
    def!("fd.cip", FdCip, Ipaddr, Na),
    def!("fd.sip", FdSip, Ipaddr, Na),
    def!("fd.lip", FdLip, Ipaddr, Na),
    def!("fd.rip", FdRip, Ipaddr, Na),
    def!("fd.port", FdPort, Port, Dec, None, filter_only),
    def!("fd.cport", FdCport, Port, Dec),
    def!("fd.sport", FdSport, Port, Dec),
    def!("fd.lport", FdLport, Port, Dec),
    def!("fd.rport", FdRport, Port, Dec),
    def!("fd.l4proto", FdL4proto, Charbuf, Na),
    def!("fd.sockfamily", FdSockfamily, Charbuf, Na),
    def!("fd.is_server", FdIsServer, Bool, Na),
    def!("fd.uid", FdUid, Charbuf, Na),
    def!("fd.containername", FdContainername, Charbuf, Na),
    def!("fd.containerdirectory", FdContainerdirectory, Charbuf, Na),
    def!("fd.connected", FdConnected, Bool, Na),
    def!("fd.dev", FdDev, Int32, Hex),
    def!("fd.dev.major", FdDevMajor, Int32, Dec),
    def!("fd.dev.minor", FdDevMinor, Int32, Dec),
    def!("user.uid", UserUid, Uint32, Id),
    def!("user.name", UserName, Charbuf, Na),
    def!("user.homedir", UserHomedir, Charbuf, Na),
    def!("user.shell", UserShell, Charbuf, Na),
    def!("user.loginuid", UserLoginuid, Int32, Id),
    def!("user.loginname", UserLoginname, Charbuf, Na),
    def!("group.gid", GroupGid, Uint64, Id),
    def!("group.name", GroupName, Charbuf, Na),
    def!("container.id", ContainerId, Charbuf, Na),
    def!("container.name", ContainerName, Charbuf, Na),
    def!("container.image", ContainerImage, Charbuf, Na),
    def!("container.image.id", ContainerImageId, Charbuf, Na),
    def!(
        "container.image.repository",
        ContainerImageRepository,
        Charbuf,
        Na
    ),
    def!("container.image.tag", ContainerImageTag, Charbuf, Na),
    def!("container.image.digest", ContainerImageDigest, Charbuf, Na),
    def!("container.type", ContainerType, Charbuf, Na),
    def!("container.privileged", ContainerPrivileged, Bool, Na),
];

/// The argument of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldArg {
    None,
    /// A parameter index (`evt.arg[0]`) or ancestor level (`proc.aname[2]`).
    Index(i32),
    /// A parameter or subsystem name (`evt.arg.fd`, `thread.cgroup.cpu`).
    Name(String),
    /// `evt.type.is.open`: the enter and exit types.
    Types(Vec<u16>),
}

/// A field with its argument, ready to extract.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub field: Field,
    pub arg: FieldArg,
    /// The declared type (for `evt.rawarg`, the parameter's type).
    pub ty: P,
    pub fmt: F,
    /// The name as written, for messages and JSON keys.
    pub name: String,
}

/// Why a field name is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("invalid formatting token {0}")]
    Unknown(String),
    #[error("unknown event argument {0}")]
    UnknownArg(String),
    #[error("filter syntax error: {0}")]
    Syntax(String),
    #[error("{0} is filter only and cannot be used as a display field")]
    FilterOnly(String),
}

/// The longest parameter name, over every event of the table, that `s`
/// starts with (`find_longest_matching_evt_param`).
fn longest_param(s: &str) -> Option<(&'static str, P)> {
    let mut best: Option<(&'static str, P)> = None;
    for info in sonde_event::EVENT_TABLE
        .iter()
        .take(sonde_event::LEGACY_EVENT_COUNT)
    {
        for p in info.params {
            if s.starts_with(p.name) && best.is_none_or(|(b, _)| p.name.len() > b.len()) {
                best = Some((p.name, p.ty));
            }
        }
    }
    best
}

impl FieldSpec {
    /// Parses a field at the start of `s` (the text after `%` in a format,
    /// or a whole field name from a filter) and returns how many bytes it
    /// took. `for_filter` allows filter-only fields.
    pub fn parse_prefix(s: &str, for_filter: bool) -> Result<(FieldSpec, usize), FieldError> {
        let mut best: Option<&Def> = None;
        for d in DEFS {
            if s.starts_with(d.name) && best.is_none_or(|b| d.name.len() > b.name.len()) {
                best = Some(d);
            }
        }
        let Some(d) = best else {
            return Err(FieldError::Unknown(s.to_string()));
        };
        // `evt.args` must not be read as `evt.arg` + `s`.
        let d = if d.field == Field::EvtArg && s.starts_with("evt.args") {
            DEFS.iter().find(|x| x.field == Field::EvtArgs).unwrap_or(d)
        } else {
            d
        };
        if d.filter_only && !for_filter {
            return Err(FieldError::FilterOnly(s.to_string()));
        }
        let n = d.name.len();
        let rest = &s[n..];
        let mut spec = FieldSpec {
            field: d.field,
            arg: FieldArg::None,
            ty: d.ty,
            fmt: d.fmt,
            name: String::new(),
        };
        let used = match d.arg {
            ArgStyle::None => n,
            ArgStyle::EvtArg => {
                if let Some(r) = rest.strip_prefix('[') {
                    if d.field == Field::EvtRawarg {
                        return Err(FieldError::Syntax(
                            "evt.arg fields must be expressed explicitly".into(),
                        ));
                    }
                    let end = r
                        .find(']')
                        .ok_or_else(|| FieldError::Syntax(s.to_string()))?;
                    let idx: i32 = r[..end]
                        .trim()
                        .parse()
                        .map_err(|_| FieldError::Syntax(s.to_string()))?;
                    spec.arg = FieldArg::Index(idx);
                    n + 1 + end + 1
                } else if let Some(r) = rest.strip_prefix('.') {
                    let (pname, pty) =
                        longest_param(r).ok_or_else(|| FieldError::UnknownArg(r.to_string()))?;
                    spec.arg = FieldArg::Name(pname.to_string());
                    if d.field == Field::EvtRawarg {
                        spec.ty = pty;
                    }
                    n + 1 + pname.len()
                } else {
                    return Err(FieldError::Syntax(s.to_string()));
                }
            }
            ArgStyle::Index => {
                if let Some(r) = rest.strip_prefix('[') {
                    let end = r
                        .find(']')
                        .ok_or_else(|| FieldError::Syntax(s.to_string()))?;
                    let idx: i32 = r[..end]
                        .trim()
                        .parse()
                        .map_err(|_| FieldError::Syntax(s.to_string()))?;
                    spec.arg = FieldArg::Index(idx);
                    n + 1 + end + 1
                } else if for_filter {
                    spec.arg = FieldArg::Index(-1);
                    n
                } else {
                    return Err(FieldError::Syntax(s.to_string()));
                }
            }
            ArgStyle::Dotted => {
                let Some(r) = rest.strip_prefix('.') else {
                    return Err(FieldError::Syntax(s.to_string()));
                };
                let end = r
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(r.len());
                let name = &r[..end];
                if d.field == Field::EvtTypeIs {
                    let types: Vec<u16> = sonde_event::EVENT_TABLE
                        .iter()
                        .enumerate()
                        .take(sonde_event::LEGACY_EVENT_COUNT)
                        .filter(|(_, i)| i.name == name)
                        .map(|(t, _)| t as u16)
                        .collect();
                    if types.is_empty() {
                        return Err(FieldError::Syntax(format!("unknown event type {name}")));
                    }
                    spec.arg = FieldArg::Types(types);
                } else {
                    spec.arg = FieldArg::Name(name.to_string());
                }
                n + 1 + end
            }
        };
        spec.name = s[..used].to_string();
        Ok((spec, used))
    }

    /// Parses a whole field reference of a filter: `name` plus an optional
    /// bracket argument the filter parser split off.
    pub fn parse_ref(name: &str, arg: Option<&str>) -> Result<FieldSpec, FieldError> {
        let full = match arg {
            Some(a) => format!("{name}[{a}]"),
            None => name.to_string(),
        };
        let (spec, used) = FieldSpec::parse_prefix(&full, true)?;
        if used != full.len() {
            return Err(FieldError::Unknown(full));
        }
        Ok(spec)
    }
}
