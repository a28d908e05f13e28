//! Extracting field values from an event and the state around it.

use std::borrow::Cow;

use sonde_event::render::{RenderOptions, put, render_args, render_param};
use sonde_event::{IntKind, ParamType, RawEvent, category, event_info, flags as ef, is_enter};
use sonde_state::fd::{fd_type, flags as ff, l4};
use sonde_state::{EventMeta, FdInfo, State, ThreadInfo};

use crate::fields::{Field, FieldArg, FieldSpec};
use crate::value::Val;

/// What a field looks at: one event, what the engine decided about it, and
/// the state after it.
pub struct Ctx<'a, 'e> {
    pub state: &'a State,
    pub ev: &'a RawEvent<'e>,
    pub meta: &'a EventMeta,
    pub render: &'a RenderOptions,
    /// The local time zone offset, seconds.
    pub tz_offset: i64,
}

const GENERIC_E: u16 = 0;
const GENERIC_X: u16 = 1;
const OPEN_X: u16 = 3;
const OPENAT_E: u16 = 102;
const OPENAT_X: u16 = 103;
const CREAT_X: u16 = 59;
const CONNECT_X: u16 = 23;
const OPENAT_2_X: u16 = 307;
const OPENAT2_X: u16 = 327;
const ACCEPT_X: u16 = 27;
const ACCEPT_5_X: u16 = 247;
const ACCEPT4_X: u16 = 57;
const ACCEPT4_5_X: u16 = 249;
const SCHEDSWITCH_6_E: u16 = 152;
const PPM_O_RDONLY: u32 = 1 << 0;
const PPM_O_WRONLY: u32 = 1 << 1;
const PPM_O_CREAT: u32 = 1 << 2;
const PPM_O_TMPFILE: u32 = 1 << 13;

fn s(b: &[u8]) -> Val<'_> {
    Val::Str(Cow::Borrowed(b))
}
fn owned(b: Vec<u8>) -> Val<'static> {
    Val::Str(Cow::Owned(b))
}
fn sanitize(v: &[u8]) -> Vec<u8> {
    v.iter()
        .copied()
        .filter(|&c| (0x20..0x7f).contains(&c))
        .collect()
}

impl<'a> Ctx<'a, '_> {
    /// The event's thread (`get_thread_info`): the one the engine attached,
    /// else a lookup by tid.
    #[inline(always)]
    pub fn thread(&self) -> Option<&'a ThreadInfo> {
        self.state.thread(self.meta.thread).or_else(|| {
            if self.meta.thread == sonde_state::ThreadRef::None {
                self.state.threads.get(self.ev.tid as i64)
            } else {
                None
            }
        })
    }

    /// The thread the engine attached to the event (`evt->m_tinfo`), with no
    /// lookup: the latency fields read this one.
    #[inline]
    pub fn attached_thread(&self) -> Option<&'a ThreadInfo> {
        self.state.thread(self.meta.thread)
    }

    fn eflags(&self) -> u32 {
        event_info(self.ev.ty).map_or(0, |i| i.flags)
    }

    /// `sinsp_evt::get_category`: generic events take the category of
    /// the syscall they stand for.
    fn category(&self) -> u32 {
        let ty = self.ev.ty;
        if ty == GENERIC_E || ty == GENERIC_X {
            let id = self.ev.param_u64(0).unwrap_or(0) as usize;
            return sonde_event::SYSCALL_TABLE.get(id).map_or(0, |s| s.category);
        }
        event_info(ty).map_or(0, |i| i.category)
    }

    fn param_index(&self, name: &str) -> Option<usize> {
        let i = event_info(self.ev.ty)?.param_index(name)?;
        (i < self.ev.nparams()).then_some(i)
    }

    /// `get_param_as_str`: the rendered parameter and its resolved form.
    fn param_text(&self, idx: usize) -> (Vec<u8>, Vec<u8>) {
        let mut out = Vec::new();
        let mut res = Vec::new();
        let r = self.state.resolver(self.ev.tid, self.meta);
        render_param(self.ev, idx, self.render, &r, &mut out, &mut res);
        (out, res)
    }

    /// The resolved form if there is one, else the plain one.
    fn param_text_pref_resolved(&self, idx: usize) -> Vec<u8> {
        let (p, r) = self.param_text(idx);
        if r.is_empty() { p } else { r }
    }

    fn main_thread(&self, t: &'a ThreadInfo) -> Option<&'a ThreadInfo> {
        self.state.main_thread(t)
    }

    /// `extract_fd`: the thread and fd of an fd event.
    fn fd_ctx(&self) -> Option<(&'a ThreadInfo, Option<&'a FdInfo>)> {
        if self.eflags() & (ef::CREATES_FD | ef::USES_FD | ef::DESTROYS_FD) == 0 {
            return None;
        }
        let t = self.thread()?;
        let mut f = self.state.event_fd(self.meta);
        if f.is_none() && t.lastevent_fd != -1 {
            f = self.state.threads.fd(t.tid, t.lastevent_fd);
        }
        Some((t, f))
    }

    /// `extract_fdname_from_creator`: the name an fd-creating exit event
    /// would give, when the fd itself is not known.
    fn fdname_from_creator(&self, sanitize_strings: bool) -> Option<Vec<u8>> {
        let ty = self.ev.ty;
        if is_enter(ty) {
            return None;
        }
        match ty {
            OPEN_X | ACCEPT_X | ACCEPT_5_X | ACCEPT4_X | ACCEPT4_5_X | CREAT_X | CONNECT_X => {
                Some(self.param_text_pref_resolved(1))
            }
            OPENAT_2_X | OPENAT2_X => {
                let name = self.ev.param_str(2).unwrap_or(&[]);
                let dirfd = self.ev.param_i64(1).unwrap_or(0);
                let t = self.thread()?;
                let sdir: Vec<u8> = if name.first() == Some(&b'/') {
                    b".".to_vec()
                } else if dirfd == -100 {
                    self.state
                        .threads
                        .cwd(t.tid)
                        .map(<[u8]>::to_vec)
                        .unwrap_or_default()
                } else {
                    match self.state.threads.fd(t.tid, dirfd) {
                        None => b"<UNKNOWN>".to_vec(),
                        Some(f) => {
                            let mut d = f.name.clone();
                            d.push(b'/');
                            d
                        }
                    }
                };
                let mut p = sonde_state::path::concatenate(&sdir, name);
                if sanitize_strings {
                    p = sanitize(&p);
                }
                Some(p)
            }
            // Old openat needs the enter event, which only the engine keeps.
            OPENAT_X => None,
            _ => Some(Vec::new()),
        }
    }

    /// `is_ipv4addr_in_local_machine`: the container's address for a
    /// containerized thread (or, when its container has none, any
    /// container's — an address-less one matches 0.0.0.0), then the host's
    /// interfaces.
    fn is_local_v4(&self, addr: u32) -> bool {
        if let Some(t) = self.thread()
            && !t.container_id.is_empty()
            && let Some(c) = self.state.containers.get(&t.container_id)
        {
            let ip = c.ipv4();
            if ip != 0 {
                if addr == ip {
                    return true;
                }
            } else if self.state.containers.values().any(|o| o.ipv4() == addr) {
                return true;
            }
        }
        self.state.ipv4_ifaces.iter().any(|i| i.addr == addr)
    }

    /// `is_ipv6addr_in_local_machine`: never for a containerized thread;
    /// otherwise an interface in the same /64 (so `::` counts, as `::1` is
    /// an interface).
    fn is_local_v6(&self, addr: [u8; 16]) -> bool {
        if self.thread().is_some_and(|t| !t.container_id.is_empty()) {
            return false;
        }
        self.state.ipv6_ifaces.iter().any(|i| i[..8] == addr[..8])
    }

    /// Appends the printed value of `spec` to `out`, as `extract` followed by
    /// [`crate::value::write_val`] would, but without building a value for
    /// the fields every default line prints. Returns `false` (with `out`
    /// unchanged) when the field has no value.
    #[inline(always)]
    pub fn write_field(&self, spec: &FieldSpec, out: &mut Vec<u8>) -> bool {
        match spec.field {
            Field::EvtNum => self.write_evt_num(out),
            Field::EvtOutputtime | Field::EvtTime => self.write_evt_time(out),
            Field::EvtCpu => self.write_evt_cpu(out),
            Field::ThreadTid => self.write_thread_tid(out),
            Field::EvtDir => self.write_evt_dir(out),
            Field::EvtType => self.write_evt_type(out),
            Field::ProcName => return self.write_proc_name(out),
            _ => return self.write_field_slow(spec, out),
        }
        true
    }

    // The fields of the default line, one by one, for printers that write
    // that line without going through a format's tokens.

    /// `evt.num`.
    #[inline(always)]
    pub fn write_evt_num(&self, out: &mut Vec<u8>) {
        put(out, itoa::Buffer::new().format(self.meta.num).as_bytes());
    }

    /// `evt.time` (and `evt.outputtime` with `-t h`).
    #[inline(always)]
    pub fn write_evt_time(&self, out: &mut Vec<u8>) {
        crate::time::write_ts(out, self.ev.ts, self.tz_offset, false, true);
    }

    /// `evt.cpu`.
    #[inline(always)]
    pub fn write_evt_cpu(&self, out: &mut Vec<u8>) {
        put(
            out,
            itoa::Buffer::new().format(self.ev.cpu as i16).as_bytes(),
        );
    }

    /// `thread.tid`.
    #[inline(always)]
    pub fn write_thread_tid(&self, out: &mut Vec<u8>) {
        put(
            out,
            itoa::Buffer::new().format(self.ev.tid as i64).as_bytes(),
        );
    }

    /// `evt.dir`.
    #[inline(always)]
    pub fn write_evt_dir(&self, out: &mut Vec<u8>) {
        out.push(if is_enter(self.ev.ty) { b'>' } else { b'<' });
    }

    /// `evt.type`.
    #[inline(always)]
    pub fn write_evt_type(&self, out: &mut Vec<u8>) {
        put(out, type_name(self.ev).as_bytes());
    }

    /// `proc.name`; `false` when the event has no thread.
    #[inline(always)]
    pub fn write_proc_name(&self, out: &mut Vec<u8>) -> bool {
        match self.thread() {
            Some(t) => {
                put(out, &t.comm);
                true
            }
            None => false,
        }
    }

    /// `evt.info`.
    pub fn write_evt_info(&self, out: &mut Vec<u8>) {
        let ev = self.ev;
        if ev.ty != GENERIC_E && ev.ty != GENERIC_X {
            let r = self.state.resolver(ev.tid, self.meta);
            render_args(ev, self.render, &r, out);
        }
    }

    /// [`write_field`](Self::write_field) for the fields that take more
    /// than a few instructions (kept out of line, so that the cheap ones
    /// inline where lines are formatted).
    #[inline(never)]
    fn write_field_slow(&self, spec: &FieldSpec, out: &mut Vec<u8>) -> bool {
        match spec.field {
            Field::EvtInfo | Field::EvtArgs => {
                self.write_evt_info(out);
                true
            }
            _ => match self.extract(spec, true) {
                Some(v) => {
                    crate::value::write_val(out, &v, spec.ty, spec.fmt);
                    true
                }
                None => false,
            },
        }
    }

    /// The value of `spec` for this event, `None` where libsinsp returns
    /// NULL (printed as `<NA>`). `sanitize` drops unprintable bytes from fd
    /// names, as printing does and filtering does not.
    pub fn extract(&self, spec: &FieldSpec, sanitize_strings: bool) -> Option<Val<'a>> {
        // The fields filters use most, ahead of the general dispatch.
        match spec.field {
            Field::ProcName => return self.thread().map(|t| s(&t.comm)),
            Field::EvtType => return Some(s(type_name(self.ev).as_bytes())),
            _ => {}
        }
        let ev = self.ev;
        let ty = ev.ty;
        let ts = ev.ts;
        Some(match spec.field {
            Field::EvtNum => Val::Uint(self.meta.num),
            Field::EvtTime
            | Field::EvtTimeS
            | Field::EvtDatetime
            | Field::EvtDatetimeS
            | Field::EvtOutputtime => {
                let mut o = Vec::with_capacity(32);
                let date = matches!(spec.field, Field::EvtDatetime | Field::EvtDatetimeS);
                let ns = !matches!(spec.field, Field::EvtTimeS | Field::EvtDatetimeS);
                crate::time::write_ts(&mut o, ts, self.tz_offset, date, ns);
                owned(o)
            }
            Field::EvtTimeIso8601 => {
                let mut o = Vec::with_capacity(36);
                crate::time::write_iso8601(&mut o, ts);
                owned(o)
            }
            Field::EvtRawtime => Val::Uint(ts),
            Field::EvtRawtimeS => Val::Uint(ts / 1_000_000_000),
            Field::EvtRawtimeNs => Val::Uint(ts % 1_000_000_000),
            Field::EvtReltime => Val::Uint(ts.wrapping_sub(self.state.first_ts)),
            Field::EvtReltimeS => Val::Uint(ts.wrapping_sub(self.state.first_ts) / 1_000_000_000),
            Field::EvtReltimeNs => Val::Uint(ts.wrapping_sub(self.state.first_ts) % 1_000_000_000),
            Field::EvtLatency
            | Field::EvtLatencyS
            | Field::EvtLatencyNs
            | Field::EvtLatencyHuman => {
                let lat = match self.attached_thread() {
                    Some(_) if self.category() & category::INTERNAL != 0 => return None,
                    Some(t) => t.latency,
                    None => 0,
                };
                match spec.field {
                    Field::EvtLatencyS => Val::Uint(lat / 1_000_000_000),
                    Field::EvtLatencyNs => Val::Uint(lat % 1_000_000_000),
                    Field::EvtLatencyHuman => owned(human_duration(lat).into_bytes()),
                    _ => Val::Uint(lat),
                }
            }
            Field::EvtDeltatime | Field::EvtDeltatimeS | Field::EvtDeltatimeNs => {
                // Needs the previous printed event; kept by the caller.
                return None;
            }
            Field::EvtDir => s(if is_enter(ty) { b">" } else { b"<" }),
            Field::EvtType => s(type_name(ev).as_bytes()),
            Field::EvtTypeIs => {
                let FieldArg::Types(ts) = &spec.arg else {
                    return None;
                };
                Val::Uint(u64::from(ts.contains(&ty)))
            }
            Field::SyscallType => {
                let fl = self.eflags();
                // libsinsp tests the *flags* against EC_INTERNAL here.
                if ty == SCHEDSWITCH_6_E
                    || fl & category::INTERNAL != 0
                    || fl & ef::SKIPPARSERESET != 0
                {
                    return None;
                }
                s(type_name(ev).as_bytes())
            }
            Field::EvtCategory => {
                s(category_name(self.category(), self.state.event_fd(self.meta)).as_bytes())
            }
            Field::EvtCpu => Val::Int(i64::from(ev.cpu as i16)),
            Field::EvtArgs | Field::EvtInfo => {
                if ty == GENERIC_E || ty == GENERIC_X {
                    return Some(s(b""));
                }
                let mut o = Vec::with_capacity(128);
                let r = self.state.resolver(self.ev.tid, self.meta);
                render_args(ev, self.render, &r, &mut o);
                owned(o)
            }
            Field::EvtArg => {
                let idx = match &spec.arg {
                    FieldArg::Index(i) => {
                        let i = usize::try_from(*i).ok()?;
                        if i >= ev.nparams().min(event_info(ty)?.params.len()) {
                            return None;
                        }
                        i
                    }
                    FieldArg::Name(n) => self.param_index(n)?,
                    _ => return None,
                };
                owned(self.param_text_pref_resolved(idx))
            }
            Field::EvtRawarg => {
                let FieldArg::Name(n) = &spec.arg else {
                    return None;
                };
                let i = self.param_index(n)?;
                raw_param(ev, i, spec.ty)?
            }
            Field::EvtBuffer => {
                let i = self.param_index("data")?;
                Val::Bytes(Cow::Borrowed(ev.param(i)?))
            }
            Field::EvtBuflen => {
                self.state.event_fd(self.meta)?;
                if self.category() & category::IO_BASE == 0 {
                    return None;
                }
                let i = self.param_index("res")?;
                let res = ev.param_i64(i)?;
                if res < 0 {
                    return None;
                }
                Val::Uint(res as u64)
            }
            Field::EvtRawres => {
                if let Some(i) = self.param_index("res") {
                    Val::Int(ev.param_i64(i)?)
                } else if self.eflags() & ef::CREATES_FD != 0 && !is_enter(ty) {
                    Val::Int(ev.param_i64(self.param_index("fd")?)?)
                } else {
                    return None;
                }
            }
            Field::EvtRes => {
                let i = match self.param_index("res") {
                    Some(i) => i,
                    None if self.eflags() & ef::CREATES_FD != 0 && !is_enter(ty) => {
                        self.param_index("fd")?
                    }
                    None => return None,
                };
                let res = ev.param_i64(i)?;
                if res >= 0 {
                    s(b"SUCCESS")
                } else {
                    owned(self.param_text_pref_resolved(i))
                }
            }
            Field::EvtFailed => {
                let failed = if let Some(i) = self.param_index("res") {
                    ev.param_i64(i).is_some_and(|r| r < 0)
                } else if self.eflags() & ef::CREATES_FD != 0 && !is_enter(ty) {
                    self.param_index("fd")
                        .and_then(|i| ev.param_i64(i))
                        .is_some_and(|r| r < 0)
                } else {
                    false
                };
                Val::Bool(failed)
            }
            Field::EvtIsIo => {
                Val::Bool(self.eflags() & (ef::READS_FROM_FD | ef::WRITES_TO_FD) != 0)
            }
            Field::EvtIsIoRead => Val::Bool(self.eflags() & ef::READS_FROM_FD != 0),
            Field::EvtIsIoWrite => Val::Bool(self.eflags() & ef::WRITES_TO_FD != 0),
            Field::EvtIoDir => {
                let fl = self.eflags();
                if fl & ef::WRITES_TO_FD != 0 {
                    s(b"write")
                } else if fl & ef::READS_FROM_FD != 0 {
                    s(b"read")
                } else {
                    return None;
                }
            }
            Field::EvtIsWait => Val::Bool(self.eflags() & ef::WAITS != 0),
            Field::EvtWaitLatency => {
                if self.eflags() & ef::WAITS != 0 && !is_enter(ty) {
                    Val::Uint(self.thread().map_or(0, |t| t.latency))
                } else {
                    return None;
                }
            }
            Field::EvtIsSyslog => Val::Bool(
                self.eflags() & ef::WRITES_TO_FD != 0
                    && self
                        .state
                        .event_fd(self.meta)
                        .is_some_and(|f| memchr::memmem::find(&f.name, b"/dev/log").is_some()),
            ),
            Field::EvtCount => Val::Uint(1),
            Field::EvtCountError => {
                let i = self.param_index("res")?;
                if ev.param_i64(i)? < 0 {
                    Val::Uint(1)
                } else {
                    return None;
                }
            }
            Field::EvtCountExit => {
                if is_enter(ty) {
                    return None;
                }
                Val::Uint(1)
            }
            Field::EvtIsOpenRead | Field::EvtIsOpenWrite | Field::EvtIsOpenExec => {
                let mut v = false;
                let exec_mask = 0o111;
                if matches!(ty, OPEN_X | OPENAT_E | OPENAT_2_X | OPENAT2_X) {
                    let newv = ty == OPENAT_2_X || ty == OPENAT2_X;
                    let flags = ev.param_u64(if newv { 3 } else { 2 }).unwrap_or(0) as u32;
                    match spec.field {
                        Field::EvtIsOpenRead => v = flags & PPM_O_RDONLY != 0,
                        Field::EvtIsOpenWrite => v = flags & PPM_O_WRONLY != 0,
                        _ => {
                            if flags & (PPM_O_TMPFILE | PPM_O_CREAT) != 0 {
                                let mode =
                                    ev.param_u64(if newv { 4 } else { 3 }).unwrap_or(0) as u32;
                                v = mode & exec_mask != 0;
                            }
                        }
                    }
                } else if spec.field == Field::EvtIsOpenExec && ty == CREAT_X {
                    v = ev.param_u64(2).unwrap_or(0) as u32 & exec_mask != 0;
                }
                Val::Bool(v)
            }

            // proc.* / thread.*
            Field::ThreadTid => Val::Int(ev.tid as i64),
            f => return self.extract_thread_or_fd(f, spec, sanitize_strings),
        })
    }

    fn extract_thread_or_fd(
        &self,
        f: Field,
        spec: &FieldSpec,
        sanitize_strings: bool,
    ) -> Option<Val<'a>> {
        if let Some(v) = self.extract_fd_field(f, sanitize_strings) {
            return v;
        }
        let t = self.thread()?;
        let st = self.state;
        Some(match f {
            Field::ProcPid => Val::Int(t.pid),
            Field::ProcSid => Val::Int(t.sid),
            Field::ProcVpgid => Val::Int(t.vpgid),
            Field::ProcSname => {
                if let Some(si) = st.threads.get(t.sid) {
                    s(&si.comm)
                } else {
                    let mut mt = self.main_thread(t)?;
                    let sid = mt.sid;
                    let mut seen = 0;
                    while let Some(p) = st.parent(mt) {
                        if p.sid != sid || seen > 4096 {
                            break;
                        }
                        mt = p;
                        seen += 1;
                    }
                    s(&mt.comm)
                }
            }
            Field::ProcTty => Val::Int(i64::from(t.tty as i32)),
            Field::ProcName => s(&t.comm),
            Field::ProcExe => s(&t.exe),
            Field::ProcExepath => s(&t.exepath),
            Field::ProcArgs => owned(join(t.args(), b' ')),
            Field::ProcEnv => {
                let m = if t.is_main_thread() {
                    t
                } else {
                    self.main_thread(t).unwrap_or(t)
                };
                owned(join(m.env(), b' '))
            }
            Field::ProcCmdline => owned(cmdline(t)),
            Field::ProcExeline => {
                let mut o = t.exe.clone();
                o.push(b' ');
                o.extend_from_slice(&join(t.args(), b' '));
                owned(o)
            }
            Field::ProcCwd => s(st.threads.cwd(t.tid).unwrap_or(b"")),
            Field::ProcNthreads => Val::Uint(self.main_thread(t)?.nchilds + 1),
            Field::ProcNchilds => Val::Uint(t.nchilds),
            Field::ThreadIsmain => Val::Bool(t.is_main_thread()),
            Field::ProcPpid => {
                if t.is_main_thread() {
                    Val::Int(t.ptid)
                } else {
                    Val::Int(self.main_thread(t)?.ptid)
                }
            }
            Field::ProcPname => s(&st.threads.get(t.ptid)?.comm),
            Field::ProcPcmdline => owned(cmdline(st.threads.get(t.ptid)?)),
            Field::ProcApid | Field::ProcAname => {
                let FieldArg::Index(n) = spec.arg else {
                    return None;
                };
                if n < 0 {
                    return None;
                }
                let mut mt = self.main_thread(t)?;
                for _ in 0..n {
                    mt = st.parent(mt)?;
                }
                if f == Field::ProcApid {
                    Val::Int(mt.pid)
                } else {
                    s(&mt.comm)
                }
            }
            Field::ProcLoginshellid => {
                let mut mt = self.main_thread(t)?;
                let mut res = None;
                let mut steps = 0;
                loop {
                    if mt.comm.ends_with(b"sh") {
                        res = Some(mt.pid);
                    }
                    match st.parent(mt) {
                        Some(p) if steps < 4096 => mt = p,
                        _ => break,
                    }
                    steps += 1;
                }
                Val::Int(res?)
            }
            Field::ProcDuration => {
                if t.clone_ts == 0 {
                    return None;
                }
                Val::Uint(self.ev.ts.wrapping_sub(t.clone_ts))
            }
            Field::ProcFdopencount => Val::Uint(
                self.main_thread(t)
                    .map_or(0, |m| st.threads.fds(m.tid).map_or(0, |f| f.map.len()))
                    as u64,
            ),
            Field::ProcFdlimit => Val::Int(self.main_thread(t).map_or(t.fdlimit, |m| m.fdlimit)),
            Field::ProcVmsize => Val::Uint(u64::from(t.vmsize_kb)),
            Field::ProcVmrss => Val::Uint(u64::from(t.vmrss_kb)),
            Field::ProcVmswap => Val::Uint(u64::from(t.vmswap_kb)),
            Field::ThreadPfmajor => Val::Uint(t.pfmajor),
            Field::ThreadPfminor => Val::Uint(t.pfminor),
            Field::ThreadCgroups => {
                let cg = t.cgroups();
                if cg.is_empty() {
                    return None;
                }
                let mut o = Vec::new();
                for (i, (k, v)) in cg.iter().enumerate() {
                    if i > 0 {
                        o.push(b' ');
                    }
                    o.extend_from_slice(k);
                    o.push(b'=');
                    o.extend_from_slice(v);
                }
                owned(o)
            }
            Field::ThreadCgroup => {
                let FieldArg::Name(n) = &spec.arg else {
                    return None;
                };
                let cg = t.cgroups();
                let (_, v) = cg.iter().find(|(k, _)| k == n.as_bytes())?;
                owned(v.to_vec())
            }
            // A thread whose namespace ids were never learnt has none.
            Field::ThreadVtid if t.vtid == -1 => return None,
            Field::ThreadVtid => Val::Int(t.vtid),
            Field::ProcVpid if t.vpid == -1 => return None,
            Field::ProcVpid => Val::Int(t.vpid),
            Field::ThreadNametid => {
                let mut o = t.comm.clone();
                o.push(b'.');
                o.extend_from_slice(itoa::Buffer::new().format(t.tid).as_bytes());
                owned(o)
            }
            Field::ProcIsExeWritable => Val::Bool(t.exe_writable),
            Field::UserUid => Val::Uint(u64::from(t.uid)),
            Field::UserName => s(&st.users.get(&t.uid)?.name),
            Field::UserHomedir => s(&st.users.get(&t.uid)?.homedir),
            Field::UserShell => s(&st.users.get(&t.uid)?.shell),
            Field::UserLoginuid => Val::Int(i64::from(t.loginuid as i32)),
            Field::UserLoginname => s(&st.users.get(&t.loginuid)?.name),
            Field::GroupGid => Val::Uint(u64::from(t.gid)),
            Field::GroupName => s(&st.groups.get(&t.gid)?.name),
            Field::ContainerId => s(if t.container_id.is_empty() {
                b"host"
            } else {
                &t.container_id
            }),
            Field::ContainerName => {
                if t.container_id.is_empty() {
                    s(b"host")
                } else {
                    let c = st.containers.get(&t.container_id)?;
                    if c.name.is_empty() {
                        return None;
                    }
                    s(&c.name)
                }
            }
            Field::ContainerType => {
                if t.container_id.is_empty() {
                    s(b"host")
                } else {
                    s(st.containers.get(&t.container_id)?.type_name().as_bytes())
                }
            }
            Field::ContainerImage
            | Field::ContainerImageId
            | Field::ContainerImageRepository
            | Field::ContainerImageTag
            | Field::ContainerImageDigest => {
                if t.container_id.is_empty() {
                    return None;
                }
                let c = st.containers.get(&t.container_id)?;
                let v = match f {
                    Field::ContainerImage => &c.image,
                    Field::ContainerImageId => &c.imageid,
                    Field::ContainerImageRepository => &c.imagerepo,
                    Field::ContainerImageTag => &c.imagetag,
                    _ => &c.imagedigest,
                };
                if v.is_empty() {
                    return None;
                }
                s(v)
            }
            Field::ContainerPrivileged => {
                if t.container_id.is_empty() {
                    return None;
                }
                Val::Bool(st.containers.get(&t.container_id)?.privileged?)
            }
            _ => return None,
        })
    }

    /// The `fd.*` fields; `None` when `f` is not one.
    #[allow(clippy::option_option)]
    fn extract_fd_field(&self, f: Field, sanitize_strings: bool) -> Option<Option<Val<'a>>> {
        let is_fd = matches!(
            f,
            Field::FdNum
                | Field::FdType
                | Field::FdTypechar
                | Field::FdName
                | Field::FdDirectory
                | Field::FdFilename
                | Field::FdIp
                | Field::FdCip
                | Field::FdSip
                | Field::FdLip
                | Field::FdRip
                | Field::FdPort
                | Field::FdCport
                | Field::FdSport
                | Field::FdLport
                | Field::FdRport
                | Field::FdL4proto
                | Field::FdSockfamily
                | Field::FdIsServer
                | Field::FdUid
                | Field::FdContainername
                | Field::FdContainerdirectory
                | Field::FdConnected
                | Field::FdDev
                | Field::FdDevMajor
                | Field::FdDevMinor
        );
        if !is_fd {
            return None;
        }
        Some(self.extract_fd(f, sanitize_strings))
    }

    fn extract_fd(&self, f: Field, sanitize_strings: bool) -> Option<Val<'a>> {
        let (t, fd) = self.fd_ctx()?;
        if f == Field::FdNum {
            return Some(Val::Int(t.lastevent_fd));
        }
        let clean = |v: &[u8]| {
            if sanitize_strings {
                sanitize(v)
            } else {
                v.to_vec()
            }
        };
        let connect_failed = self.ev.ty == CONNECT_X && self.ev.param_i64(0).is_some_and(|r| r < 0);
        Some(match f {
            Field::FdName | Field::FdContainername => {
                let name = match fd {
                    Some(fd) if !connect_failed => clean(&fd.name),
                    _ => self.fdname_from_creator(sanitize_strings)?,
                };
                if f == Field::FdContainername {
                    let mut o = t.container_id.clone();
                    o.push(b':');
                    o.extend_from_slice(&name);
                    owned(o)
                } else {
                    owned(name)
                }
            }
            Field::FdType => s(fd?.typestring().as_bytes()),
            Field::FdTypechar => match fd {
                Some(fd) => owned(vec![fd.typechar()]),
                None => owned(vec![creator_typechar(self.ev.ty)]),
            },
            Field::FdDirectory | Field::FdContainerdirectory => {
                let mut name = match fd {
                    Some(fd) => {
                        let is_file = matches!(fd.ty, fd_type::FILE | fd_type::FILE_V2);
                        if !(is_file || fd.ty == fd_type::DIRECTORY) {
                            return None;
                        }
                        let n = clean(&fd.name);
                        if is_file { dirname(n) } else { n }
                    }
                    None => dirname(self.fdname_from_creator(sanitize_strings)?),
                };
                if f == Field::FdContainerdirectory {
                    let mut o = t.container_id.clone();
                    o.push(b':');
                    o.append(&mut name);
                    name = o;
                }
                owned(name)
            }
            Field::FdFilename => match fd {
                Some(fd) => {
                    if !matches!(fd.ty, fd_type::FILE | fd_type::FILE_V2) {
                        return None;
                    }
                    let n = clean(&fd.name);
                    match n.iter().rposition(|&c| c == b'/') {
                        Some(p) if p < n.len() - 1 => owned(n[p + 1..].to_vec()),
                        Some(_) => owned(n),
                        None => s(b"/"),
                    }
                }
                None => {
                    // libsinsp tests the *enter* types here, so a failed open's
                    // exit event has no file name (its directory it does have).
                    if !matches!(self.ev.ty, 2 | 102 | 306 | 58) {
                        return None;
                    }
                    let n = self.fdname_from_creator(sanitize_strings)?;
                    match n.iter().rposition(|&c| c == b'/') {
                        Some(p) if p < n.len() - 1 => owned(n[p + 1..].to_vec()),
                        _ => owned(n),
                    }
                }
            },
            Field::FdCip | Field::FdSip | Field::FdLip | Field::FdRip | Field::FdIp => {
                let fd = fd?;
                if fd.is_role_none()
                    && fd.ty != fd_type::IPV4_SERVSOCK
                    && fd.ty != fd_type::IPV6_SERVSOCK
                {
                    return None;
                }
                let sk = &fd.sock;
                match (f, fd.ty) {
                    (Field::FdCip, fd_type::IPV4_SOCK) => Val::Ipv4(sk.v4_sip()),
                    (Field::FdCip, fd_type::IPV6_SOCK) => Val::Ipv6(sk.v6_sip()),
                    (Field::FdSip, fd_type::IPV4_SOCK) => Val::Ipv4(sk.v4_dip()),
                    (Field::FdSip, fd_type::IPV4_SERVSOCK) => Val::Ipv4(sk.v4s_ip()),
                    (Field::FdSip, fd_type::IPV6_SOCK) => Val::Ipv6(sk.v6_dip()),
                    (Field::FdSip, fd_type::IPV6_SERVSOCK) => Val::Ipv6(sk.v6s_ip()),
                    (Field::FdLip | Field::FdRip, fd_type::IPV4_SOCK) => {
                        let local = self.is_local_v4(sk.v4_sip());
                        if (f == Field::FdLip) == local {
                            Val::Ipv4(sk.v4_sip())
                        } else {
                            Val::Ipv4(sk.v4_dip())
                        }
                    }
                    (Field::FdLip | Field::FdRip, fd_type::IPV6_SOCK) => {
                        let local = self.is_local_v6(sk.v6_sip());
                        if (f == Field::FdLip) == local {
                            Val::Ipv6(sk.v6_sip())
                        } else {
                            Val::Ipv6(sk.v6_dip())
                        }
                    }
                    _ => return None,
                }
            }
            Field::FdCport | Field::FdSport | Field::FdLport | Field::FdRport | Field::FdPort => {
                let fd = fd?;
                let sk = &fd.sock;
                match (f, fd.ty) {
                    (Field::FdCport, fd_type::IPV4_SOCK) if !fd.is_role_none() => {
                        Val::Uint(u64::from(sk.v4_sport()))
                    }
                    (Field::FdCport, fd_type::IPV6_SOCK) if !fd.is_role_none() => {
                        Val::Uint(u64::from(sk.v6_sport()))
                    }
                    (Field::FdSport, fd_type::IPV4_SOCK) if !fd.is_role_none() => {
                        Val::Uint(u64::from(sk.v4_dport()))
                    }
                    (Field::FdSport, fd_type::IPV4_SERVSOCK) => Val::Uint(u64::from(sk.v4s_port())),
                    (Field::FdSport, fd_type::IPV6_SOCK) if !fd.is_role_none() => {
                        Val::Uint(u64::from(sk.v6_dport()))
                    }
                    (Field::FdSport, fd_type::IPV6_SERVSOCK) => Val::Uint(u64::from(sk.v6s_port())),
                    (Field::FdLport | Field::FdRport, fd_type::IPV4_SOCK) if !fd.is_role_none() => {
                        let local = self.is_local_v4(sk.v4_sip());
                        let p = if (f == Field::FdLport) == local {
                            sk.v4_sport()
                        } else {
                            sk.v4_dport()
                        };
                        Val::Uint(u64::from(p))
                    }
                    (Field::FdLport | Field::FdRport, fd_type::IPV6_SOCK) if !fd.is_role_none() => {
                        let local = self.is_local_v6(sk.v6_sip());
                        let p = if (f == Field::FdLport) == local {
                            sk.v6_sport()
                        } else {
                            sk.v6_dport()
                        };
                        Val::Uint(u64::from(p))
                    }
                    _ => return None,
                }
            }
            Field::FdL4proto => s(match fd?.l4proto() {
                l4::TCP => b"tcp",
                l4::UDP => b"udp",
                l4::ICMP => b"icmp",
                l4::RAW => b"raw",
                _ => b"<NA>",
            }),
            Field::FdSockfamily => {
                let fd = fd?;
                match fd.ty {
                    fd_type::IPV4_SOCK
                    | fd_type::IPV6_SOCK
                    | fd_type::IPV4_SERVSOCK
                    | fd_type::IPV6_SERVSOCK => s(b"ip"),
                    fd_type::UNIX_SOCK => s(b"unix"),
                    _ => return None,
                }
            }
            Field::FdIsServer => {
                let fd = fd?;
                Val::Bool(match fd.ty {
                    fd_type::IPV4_SERVSOCK | fd_type::IPV6_SERVSOCK => true,
                    fd_type::IPV4_SOCK => self.is_local_v4(fd.sock.v4_dip()),
                    fd_type::IPV6_SOCK => self.is_local_v6(fd.sock.v6_dip()),
                    _ => false,
                })
            }
            Field::FdUid => {
                let mut o = Vec::new();
                o.extend_from_slice(itoa::Buffer::new().format(t.tid).as_bytes());
                o.extend_from_slice(itoa::Buffer::new().format(t.lastevent_fd).as_bytes());
                owned(o)
            }
            Field::FdConnected => Val::Bool(fd?.flags & ff::SOCKET_CONNECTED != 0),
            Field::FdDev => Val::Int(i64::from(fd?.dev as i32)),
            Field::FdDevMajor => Val::Int(i64::from((fd?.dev >> 20) as i32)),
            Field::FdDevMinor => Val::Int(i64::from((fd?.dev & 0xfffff) as i32)),
            _ => return None,
        })
    }
}

/// The event's type name: the syscall's name for generic events.
pub fn type_name(ev: &RawEvent<'_>) -> &'static str {
    if ev.ty == GENERIC_E || ev.ty == GENERIC_X {
        let id = ev.param_u64(0).unwrap_or(0) as usize;
        return sonde_event::SYSCALL_TABLE
            .get(id)
            .map_or("<unknown>", |s| s.name);
    }
    event_info(ev.ty).map_or("<unknown>", |i| i.name)
}

fn category_name(cat: u32, fd: Option<&FdInfo>) -> &'static str {
    match cat & !category::INTERNAL {
        category::UNKNOWN => "unknown",
        category::OTHER => "other",
        category::FILE => "file",
        category::NET => "net",
        category::IPC => "IPC",
        category::MEMORY => "memory",
        category::PROCESS => "process",
        category::SLEEP => "sleep",
        category::SYSTEM => "system",
        category::SIGNAL => "signal",
        category::USER => "user",
        category::TIME => "time",
        category::PROCESSING => "processing",
        category::IO_READ | category::IO_WRITE | category::IO_OTHER => match fd.map(|f| f.ty) {
            Some(fd_type::FILE | fd_type::FILE_V2 | fd_type::DIRECTORY) => "file",
            Some(
                fd_type::IPV4_SOCK
                | fd_type::IPV6_SOCK
                | fd_type::IPV4_SERVSOCK
                | fd_type::IPV6_SERVSOCK,
            ) => "net",
            Some(
                fd_type::UNIX_SOCK
                | fd_type::FIFO
                | fd_type::EVENT
                | fd_type::SIGNALFD
                | fd_type::INOTIFY,
            ) => "ipc",
            _ => "unknown",
        },
        category::WAIT => "wait",
        category::SCHEDULER => "scheduler",
        _ => "unknown",
    }
}

fn creator_typechar(ty: u16) -> u8 {
    match ty & !1 {
        2 | 102 | 306 | 326 | 58 => b'f',
        18 | 26 | 246 | 56 | 248 => b'4',
        60 => b'p',
        62 => b'e',
        126 => b's',
        136 => b't',
        138 => b'i',
        _ => b'o',
    }
}

fn dirname(mut n: Vec<u8>) -> Vec<u8> {
    match n.iter().rposition(|&c| c == b'/') {
        Some(p) if p != 0 => {
            if p < n.len() - 1 {
                n.truncate(p);
            }
            n
        }
        _ => b"/".to_vec(),
    }
}

fn join<'p>(parts: impl Iterator<Item = &'p [u8]>, sep: u8) -> Vec<u8> {
    let mut o = Vec::new();
    for (i, p) in parts.enumerate() {
        if i > 0 {
            o.push(sep);
        }
        o.extend_from_slice(p);
    }
    o
}

fn cmdline(t: &ThreadInfo) -> Vec<u8> {
    let mut o = t.comm.clone();
    for a in t.args() {
        o.push(b' ');
        o.extend_from_slice(a);
    }
    o
}

/// A raw parameter as the value of its own type (`evt.rawarg`).
fn raw_param<'e>(ev: &RawEvent<'e>, i: usize, ty: ParamType) -> Option<Val<'e>> {
    use ParamType as P;
    match ty.int_kind() {
        Some(IntKind::Signed) => return Some(Val::Int(ev.param_i64(i)?)),
        Some(IntKind::Unsigned) => return Some(Val::Uint(ev.param_u64(i)?)),
        None => {}
    }
    Some(match ty {
        P::Bool => Val::Bool(ev.param_u64(i)? != 0),
        P::Charbuf | P::Fspath | P::Fsrelpath => Val::Str(Cow::Borrowed(ev.param_str(i)?)),
        P::Ipv4addr => Val::Ipv4(ev.param_u64(i)? as u32),
        _ => Val::Bytes(Cow::Borrowed(ev.param(i)?)),
    })
}

/// A duration as libsinsp's `format_time` prints it (integer arithmetic,
/// truncating): `1:05`, `2.50s`, `12ms`, `1.81ms`, `123us`, `1.81us`, `950ns`.
fn human_duration(ns: u64) -> String {
    const S: u64 = 1_000_000_000;
    if ns >= 3600 * S {
        format!(
            "{:02}:{:02}:{:02}",
            ns / (3600 * S),
            (ns / (60 * S)) % 60,
            (ns / S) % 60
        )
    } else if ns >= 60 * S {
        format!("{}:{}", ns / (60 * S), (ns / S) % 60)
    } else if ns >= S {
        format!("{}.{:02}s", ns / S, (ns % S) / 10_000_000)
    } else if ns >= S / 100 {
        format!("{}ms", ns / 1_000_000)
    } else if ns >= S / 1000 {
        format!("{}.{:02}ms", ns / 1_000_000, (ns % 1_000_000) / 10_000)
    } else if ns >= S / 100_000 {
        format!("{}us", ns / 1000)
    } else if ns >= S / 1_000_000 {
        format!("{}.{:02}us", ns / 1000, (ns % 1000) / 10)
    } else {
        format!("{ns}ns")
    }
}
