//! Rendering parameters as sysdig prints them (`sinsp_evt::get_param_as_str`
//! and the `evt.args`/`evt.info` text of libsinsp at e5c53d64, the base of Debian's
//! sysdig 0.29.3).
//!
//! Rendering needs a little state (the names of file descriptors, the comm of
//! a thread, the working directory, user and group names); the state engine
//! provides it through [`Resolver`], so this module stays pure.
//!
//! Each parameter has a *value* and, for some types, a *resolved* form: sysdig
//! prints `name=value` or `name=value(resolved)` in `evt.args`, and `evt.arg.NAME`
//! is the resolved form when there is one, else the value.
//!
//! # Malformed parameters
//!
//! Parameter bytes are untrusted; nothing here panics on them. Where sysdig reads a
//! parameter as a fixed-width value (or a string up to its NUL) without checking its
//! length, it reads on into the bytes that follow it in memory: the rest of the
//! event, then the block padding and the block's trailing length word (for an event
//! read from a capture file), then whatever the read buffer held before. This module
//! reproduces that up to the trailing length word and reads zeros after it.

use std::borrow::Cow;
use std::io::Write as _;
use std::ops::Range;

use crate::{EventInfo, NameValue, ParamExtra, ParamInfo, ParamType, PrintFormat, RawEvent};

mod buffer;
mod names;
mod net;
mod path;
#[cfg(test)]
mod tests;

pub use names::{errno_name, signal_name};

/// How byte buffers are printed (sysdig's default, `-A`, `-X`, `-x`, `-b`,
/// and their JSON forms under `-j`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BufFormat {
    /// Printable bytes as they are, others as `.`, cut to
    /// [`RenderOptions::max_buf_len`] (sysdig's default).
    #[default]
    Normal,
    /// `-A`: a newline, then printable ASCII and end-of-lines; never cut.
    Ascii,
    /// `-x`: hexadecimal rows; never cut.
    Hex,
    /// `-X`: hexadecimal and ASCII rows; never cut.
    HexAscii,
    /// `-b`: base64; never cut.
    Base64,
    /// `-j`: like [`BufFormat::Normal`] but never cut.
    Json,
    /// `-j -A`: like [`BufFormat::Ascii`].
    JsonAscii,
    /// `-j -x`: like [`BufFormat::Hex`].
    JsonHex,
    /// `-j -X`: like [`BufFormat::HexAscii`].
    JsonHexAscii,
    /// `-j -b`: like [`BufFormat::Base64`].
    JsonBase64,
    /// `PF_SIMPLE`, which libsinsp's parser uses to name file descriptors after
    /// socket tuples: buffers like [`BufFormat::Json`], and no type character in
    /// resolved fds (`<>name`). The CLI never prints with it.
    Simple,
}

/// Options that change how parameters print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub buf_format: BufFormat,
    /// Buffers printed in [`BufFormat::Normal`] are cut to this many bytes, the
    /// last three of them replaced by `...` (sysdig sets 80 unless `-v`); `None`
    /// or `Some(0)` prints them whole. The other formats are never cut.
    pub max_buf_len: Option<usize>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            buf_format: BufFormat::Normal,
            max_buf_len: Some(80),
        }
    }
}

/// What a [`Resolver`] knows of one file descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdRef<'a> {
    /// `sinsp_fdinfo_t::get_typechar()`: `f` file, `d` directory, `4`/`6` IPv4/IPv6
    /// socket, `2`/`3` IPv4/IPv6 server socket, `u` unix, `p` pipe, `e` event,
    /// `s` signalfd, `l` eventpoll, `i` inotify, `t` timerfd, `n` netlink, `o`
    /// unknown, `X` unsupported, `?` other.
    pub type_char: u8,
    /// For IPv4/IPv6 sockets and server sockets, the L4 protocol: `t` TCP, `u` UDP,
    /// `i` ICMP, `r` raw; `None` when unknown or for other fd types.
    pub l4_char: Option<u8>,
    /// The fd's name as the state keeps it (invalid bytes are removed when printed).
    pub name: &'a [u8],
}

/// The state that rendering consults, as it is after libsinsp has parsed the event
/// being printed. Implemented by the state engine for the event's thread.
pub trait Resolver {
    /// Whether libsinsp would have a thread for the event. Without one, fds are
    /// printed as bare numbers, paths get no resolved form and fd lists print as the
    /// previous parameter's value. libsinsp creates a thread (with an empty cwd) for
    /// any tid it has not seen, so this is true for nearly every event. The default
    /// is `self.cwd().is_some()`.
    fn has_thread(&self) -> bool {
        self.cwd().is_some()
    }
    /// File descriptor `fd` (≥ 0) of the event's thread, if its fd table has it.
    /// Its name is also the base of paths relative to it as a directory fd.
    fn fd(&self, fd: i64) -> Option<FdRef<'_>>;
    /// The comm of thread `tid`, if the thread table has it, as in `tid=20072(cat)`.
    fn comm(&self, tid: i64) -> Option<&[u8]>;
    /// The working directory of the event's thread (of its main thread, as
    /// `sinsp_threadinfo::get_cwd`), exactly as libsinsp keeps it: ending in `/`,
    /// or empty for a thread created on the fly. `None` when there is no thread.
    fn cwd(&self) -> Option<&[u8]>;
    /// The name of user `uid` in the capture's user list (`uid=0(root)`); `None`
    /// prints `<NA>`.
    fn user_name(&self, uid: u32) -> Option<&[u8]>;
    /// The name of group `gid` in the capture's group list; `None` prints `<NA>`.
    fn group_name(&self, gid: u32) -> Option<&[u8]>;
    /// With sysdig `-R`, the service name of `port` (`getservbyport` for the L4
    /// protocol of the event's fd); `None` prints the number. The default is `None`.
    fn port_name(&self, _port: u16) -> Option<&[u8]> {
        None
    }
}

/// A resolver that knows nothing: no thread, so every lookup fails.
pub struct NoState;

impl Resolver for NoState {
    fn fd(&self, _fd: i64) -> Option<FdRef<'_>> {
        None
    }
    fn comm(&self, _tid: i64) -> Option<&[u8]> {
        None
    }
    fn cwd(&self) -> Option<&[u8]> {
        None
    }
    fn user_name(&self, _uid: u32) -> Option<&[u8]> {
        None
    }
    fn group_name(&self, _gid: u32) -> Option<&[u8]> {
        None
    }
}

/// The generic syscall events (`PPME_GENERIC_E`/`_X`), whose `evt.args` are empty.
const GENERIC_E: u16 = 0;
const GENERIC_X: u16 = 1;

/// `PPM_AT_FDCWD`.
const AT_FDCWD: i64 = -100;

/// How many parameters sysdig renders for `ev`: the smaller of the table's count and
/// the event's (0 for a type the table does not know).
pub fn rendered_param_count(ev: &RawEvent<'_>) -> usize {
    crate::event_info(ev.ty).map_or(0, |info| info.params.len().min(ev.nparams()))
}

/// Appends parameter `idx` of `ev` to `out` as sysdig's `get_param_as_str`
/// renders it, and its resolved form (the part sysdig prints in parentheses,
/// such as the errno name or the thread's comm) to `resolved`. Both are left
/// unchanged for a parameter sysdig does not render (see
/// [`rendered_param_count`]).
///
/// An empty path parameter, which sysdig prints as whatever its previous rendering
/// left in its buffer, renders as nothing here; [`render_args`] renders it as the
/// previous parameter's value, as sysdig's `evt.args` does.
pub fn render_param(
    ev: &RawEvent<'_>,
    idx: usize,
    opts: &RenderOptions,
    resolver: &dyn Resolver,
    out: &mut Vec<u8>,
    resolved: &mut Vec<u8>,
) {
    if let Some(ctx) = Ctx::new(ev, opts, resolver)
        && idx < ctx.count()
    {
        ctx.value(idx, out, resolved, None);
    }
}

/// Appends `evt.arg[idx]` (also `evt.arg.NAME`) of `ev` to `out`: the resolved form
/// when there is one, else the value. Returns `false`, appending nothing, for a
/// parameter sysdig does not render.
pub fn render_arg(
    ev: &RawEvent<'_>,
    idx: usize,
    opts: &RenderOptions,
    resolver: &dyn Resolver,
    out: &mut Vec<u8>,
) -> bool {
    let Some(ctx) = Ctx::new(ev, opts, resolver) else {
        return false;
    };
    if idx >= ctx.count() {
        return false;
    }
    let start = out.len();
    let mut resolved = Vec::new();
    ctx.value(idx, out, &mut resolved, None);
    if !resolved.is_empty() {
        out.truncate(start);
        out.extend_from_slice(&resolved);
    }
    true
}

/// Appends the `evt.args` text of `ev` (`name=value name=value(resolved) ` …,
/// exactly as sysdig prints it, trailing space included) to `out`. The generic
/// syscall events and types the table does not know have no arguments.
pub fn render_args(
    ev: &RawEvent<'_>,
    opts: &RenderOptions,
    resolver: &dyn Resolver,
    out: &mut Vec<u8>,
) {
    if ev.ty == GENERIC_E || ev.ty == GENERIC_X {
        return;
    }
    let Some(ctx) = Ctx::new(ev, opts, resolver) else {
        return;
    };
    // One scratch buffer per thread: this runs for every printed event.
    thread_local! {
        static RESOLVED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    RESOLVED.with(|cell| {
        let Ok(mut resolved) = cell.try_borrow_mut() else {
            render_args_with(&ctx, out, &mut Vec::new());
            return;
        };
        render_args_with(&ctx, out, &mut resolved);
    });
}

fn render_args_with(ctx: &Ctx<'_, '_>, out: &mut Vec<u8>, resolved: &mut Vec<u8>) {
    let mut prev: Option<Range<usize>> = None;
    // Parameters in order: each one's bytes follow the previous one's.
    let mut values = ctx.ev.params();
    for (j, p) in ctx.info.params.iter().enumerate().take(ctx.count()) {
        put(out, p.name.as_bytes());
        out.push(b'=');
        let start = out.len();
        resolved.clear();
        match values.next() {
            Some(v) => ctx.value_of(j, v, out, resolved, prev.clone()),
            None => ctx.value(j, out, resolved, prev.clone()),
        }
        let end = out.len();
        if !resolved.is_empty() {
            out.push(b'(');
            put(out, resolved);
            out.push(b')');
        }
        out.push(b' ');
        prev = Some(start..end);
    }
}

/// Appends the bytes of `src` that sysdig keeps when it sanitizes a string
/// (`sanitize_string`: printable ASCII only).
pub(crate) fn sanitize_into(src: &[u8], out: &mut Vec<u8>) {
    if src.iter().all(|&c| buffer::is_print(c)) {
        out.extend_from_slice(src);
    } else {
        out.extend(src.iter().copied().filter(|&c| buffer::is_print(c)));
    }
}

/// A parameter's bytes and what follows them in memory (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct Mem<'a> {
    /// The whole event.
    ev: &'a [u8],
    /// Where the value starts in `ev`.
    start: usize,
    /// The value's length.
    len: usize,
    /// The event's declared length.
    ev_len: usize,
    /// The bytes between the event and the block's body: 2 (the cpu) or 6
    /// (with an EVF block's flags). What lies past the event (padding, the
    /// block trailer) follows from it, worked out only when a read goes
    /// there.
    prefix: usize,
}

impl<'a> Mem<'a> {
    #[inline]
    fn new(ev: &RawEvent<'a>, param: &'a [u8]) -> Mem<'a> {
        let base = ev.bytes.as_ptr() as usize;
        let start = (param.as_ptr() as usize)
            .wrapping_sub(base)
            .min(ev.bytes.len());
        Mem {
            ev: ev.bytes,
            start,
            len: param.len(),
            ev_len: (ev.len as usize).max(ev.bytes.len()),
            // The event follows the block header and the cpu id (and the
            // flags of an EVF block).
            prefix: if ev.dump_flags != 0 { 6 } else { 2 },
        }
    }

    /// The value's length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value's bytes.
    fn payload(&self) -> &'a [u8] {
        self.ev
            .get(self.start..self.start.saturating_add(self.len))
            .unwrap_or(&[])
    }

    /// The value after its first `n` bytes.
    fn skip(&self, n: usize) -> Mem<'a> {
        Mem {
            start: self.start + n,
            len: self.len.saturating_sub(n),
            ..*self
        }
    }

    /// The byte at `i` from the value's start, which may lie past the value.
    pub(crate) fn at(&self, i: usize) -> u8 {
        let abs = self.start.saturating_add(i);
        if let Some(&b) = self.ev.get(abs) {
            return b;
        }
        if abs < self.ev_len {
            return 0;
        }
        // The block is padded to 4 bytes and ends with its length.
        let pad = (4 - (self.prefix + self.ev_len) % 4) % 4;
        let total = 8 + self.prefix + self.ev_len + pad + 4;
        let k = abs - self.ev_len;
        if k < pad {
            0
        } else {
            (total as u32)
                .to_le_bytes()
                .get(k - pad)
                .copied()
                .unwrap_or(0)
        }
    }

    #[inline(always)]
    pub(crate) fn array<const N: usize>(&self, off: usize) -> [u8; N] {
        // Nearly always the bytes lie inside the event: one load.
        if let Some(b) = self
            .ev
            .get(self.start.saturating_add(off)..)
            .and_then(|r| r.first_chunk::<N>())
        {
            return *b;
        }
        std::array::from_fn(|i| self.at(off + i))
    }

    pub(crate) fn u8(&self, off: usize) -> u8 {
        self.at(off)
    }

    #[inline]
    pub(crate) fn u16(&self, off: usize) -> u16 {
        u16::from_le_bytes(self.array(off))
    }

    #[inline]
    pub(crate) fn u32(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.array(off))
    }

    #[inline]
    pub(crate) fn u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.array(off))
    }

    /// The C string at `off`: the bytes up to the first NUL, read past the value if
    /// it has none.
    pub(crate) fn cstr(&self, off: usize) -> Cow<'a, [u8]> {
        let from = self.start.saturating_add(off);
        if let Some(rest) = self.ev.get(from..)
            && let Some(n) = rest.iter().position(|&c| c == 0)
        {
            return Cow::Borrowed(&rest[..n]);
        }
        let mut v = Vec::new();
        let mut i = off;
        loop {
            let c = self.at(i);
            if c == 0 {
                return Cow::Owned(v);
            }
            v.push(c);
            i += 1;
        }
    }
}

/// One event being rendered.
struct Ctx<'e, 'a> {
    ev: &'e RawEvent<'a>,
    info: &'static EventInfo,
    opts: &'e RenderOptions,
    res: &'e dyn Resolver,
}

impl<'e, 'a> Ctx<'e, 'a> {
    fn new(ev: &'e RawEvent<'a>, opts: &'e RenderOptions, res: &'e dyn Resolver) -> Option<Self> {
        Some(Ctx {
            ev,
            info: crate::event_info(ev.ty)?,
            opts,
            res,
        })
    }

    fn count(&self) -> usize {
        self.info.params.len().min(self.ev.nparams())
    }

    fn simple(&self) -> bool {
        self.opts.buf_format == BufFormat::Simple
    }

    /// Renders parameter `idx` (< `count()`). `stale` is where the previous
    /// parameter's value lies in `out`: sysdig's string buffer still holds it when a
    /// type writes nothing.
    fn value(
        &self,
        idx: usize,
        out: &mut Vec<u8>,
        resolved: &mut Vec<u8>,
        stale: Option<Range<usize>>,
    ) {
        let Some(param) = self.ev.param(idx) else {
            return;
        };
        self.value_of(idx, param, out, resolved, stale);
    }

    /// [`Ctx::value`] for a parameter whose bytes the caller already has.
    fn value_of(
        &self,
        idx: usize,
        param: &[u8],
        out: &mut Vec<u8>,
        resolved: &mut Vec<u8>,
        stale: Option<Range<usize>>,
    ) {
        let Some(pinfo) = self.info.params.get(idx) else {
            return;
        };
        let mut m = Mem::new(self.ev, param);
        let mut ty = pinfo.ty;
        // The print format is always the table entry's, even for a dynamic value.
        let fmt = pinfo.fmt;
        if ty == ParamType::Dyn
            && let ParamExtra::Dynamic(table) = pinfo.extra
            && !param.is_empty()
            && let Some(dyn_info) = table.get(usize::from(param[0]))
        {
            ty = dyn_info.ty;
            m = m.skip(1);
        }
        // Flag names always come from the table entry (a dynamic entry has none).
        let names: &[NameValue] = match pinfo.extra {
            ParamExtra::Flags(n) => n,
            _ => &[],
        };
        let stale = |out: &mut Vec<u8>| {
            if let Some(r) = stale {
                out.extend_from_within(r);
            }
        };

        use ParamType as T;
        match ty {
            T::Int8 => num32(out, m.u8(0) as i8 as i32 as u32, fmt),
            T::Int16 => num32(out, m.u16(0) as i16 as i32 as u32, fmt),
            T::Int32 | T::Uint32 => num32(out, m.u32(0), fmt),
            T::Uint8 => num32(out, u32::from(m.u8(0)), fmt),
            T::Uint16 => num32(out, u32::from(m.u16(0)), fmt),
            T::Int64 | T::Uint64 => num64(out, m.u64(0), fmt),
            T::Fd => self.fd(m.u64(0) as i64, out, resolved),
            T::Pid => {
                let tid = m.u64(0) as i64;
                dec(out, tid);
                if let Some(comm) = self.res.comm(tid) {
                    resolved.extend_from_slice(until_nul(comm));
                }
            }
            T::Errno => {
                let v = m.u64(0) as i64;
                dec(out, v);
                if v < 0
                    && let Some(name) = errno_name((v as i32).wrapping_neg())
                {
                    resolved.extend_from_slice(name.as_bytes());
                }
            }
            T::Charbuf => out.extend_from_slice(&m.cstr(0)),
            T::Fspath | T::Fsrelpath => self.path(&m, pinfo, out, resolved, stale),
            T::Bytebuf => self.bytebuf(m.payload(), out),
            T::Sockaddr => net::sockaddr(&m, self.res, out),
            T::Socktuple => net::socktuple(&m, self.res, out),
            T::Fdlist => {
                if self.res.has_thread() {
                    self.fdlist(&m, out);
                } else {
                    stale(out);
                }
            }
            T::Syscallid => {
                let id = m.u16(0);
                match crate::table::SYSCALL_TABLE.get(usize::from(id)) {
                    Some(sc) => {
                        dec(out, id);
                        resolved.extend_from_slice(sc.name.as_bytes());
                    }
                    None => out.extend_from_slice(b"<unknown syscall>"),
                }
            }
            T::Sigtype => {
                let sig = m.u8(0);
                dec(out, sig);
                if let Some(name) = signal_name(sig) {
                    resolved.extend_from_slice(name.as_bytes());
                }
            }
            T::Reltime => {
                let v = m.u64(0);
                if v == u64::MAX {
                    out.extend_from_slice(b"none");
                } else {
                    dec(out, v);
                    fmt_g(v as f64 / 1_000_000_000.0, resolved);
                    resolved.push(b's');
                }
            }
            T::Flags8 | T::Flags16 | T::Flags32 => {
                let v = match ty {
                    T::Flags8 => u32::from(m.u8(0)),
                    T::Flags16 => u32::from(m.u16(0)),
                    _ => m.u32(0),
                };
                dec(out, v);
                flag_names(v, names, resolved);
            }
            T::Mode => {
                let v = m.u32(0);
                num32(out, v, fmt);
                flag_names(v, names, resolved);
            }
            T::Uid | T::Gid => {
                let v = m.u32(0);
                if v == u32::MAX {
                    out.extend_from_slice(b"-1");
                    resolved.extend_from_slice(b"<NONE>");
                } else {
                    dec(out, v as i32);
                    let name = if ty == T::Uid {
                        self.res.user_name(v)
                    } else {
                        self.res.group_name(v)
                    };
                    match name {
                        Some(n) => sanitize_into(until_nul(n), resolved),
                        None => resolved.extend_from_slice(b"<NA>"),
                    }
                }
            }
            T::Sigset => {
                let v = m.u32(0);
                let mut first = true;
                for sig in 0..32u8 {
                    if v & (1 << sig) != 0
                        && let Some(name) = signal_name(sig + 1)
                    {
                        if !first {
                            out.push(b' ');
                        }
                        out.extend_from_slice(name.as_bytes());
                        first = false;
                    }
                }
            }
            // In libsinsp these two hold pointers to vectors built by its tracer
            // parser and never come from a capture; render the strings they would
            // have held: `a.b.c` and `k1:v1,k2:v2`.
            T::Charbufarray => {
                for (i, s) in m
                    .payload()
                    .split(|&c| c == 0)
                    .filter(|s| !s.is_empty())
                    .enumerate()
                {
                    if i > 0 {
                        out.push(b'.');
                    }
                    out.extend_from_slice(s);
                }
            }
            T::CharbufPairArray => {
                let strs: Vec<&[u8]> = m
                    .payload()
                    .split(|&c| c == 0)
                    .filter(|s| !s.is_empty())
                    .collect();
                for (i, pair) in strs.chunks(2).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(pair[0]);
                    out.push(b':');
                    if let Some(v) = pair.get(1) {
                        out.extend_from_slice(v);
                    }
                }
            }
            T::Abstime | T::Dyn => out.extend_from_slice(b"INVALID DYNAMIC PARAMETER"),
            T::None
            | T::Port
            | T::L4proto
            | T::Sockfamily
            | T::Bool
            | T::Ipv4addr
            | T::Double
            | T::Ipv4net
            | T::Ipv6addr
            | T::Ipv6net
            | T::Ipaddr
            | T::Ipnet => out.extend_from_slice(b"(n.a.)"),
        }
    }

    /// `render_fd`: the number; resolved, `<type>name` for a known fd, `AT_FDCWD`, or
    /// the errno name of a negative value.
    fn fd(&self, fd: i64, out: &mut Vec<u8>, resolved: &mut Vec<u8>) {
        dec(out, fd);
        if !self.res.has_thread() {
            return;
        }
        if fd >= 0 {
            if let Some(f) = self.res.fd(fd) {
                resolved.push(b'<');
                if !self.simple() {
                    resolved.push(f.type_char);
                    if let Some(l4) = f.l4_char {
                        resolved.push(l4);
                    }
                }
                resolved.push(b'>');
                sanitize_into(f.name, resolved);
            }
        } else if fd == AT_FDCWD {
            resolved.extend_from_slice(b"AT_FDCWD");
        } else if let Some(name) = errno_name((fd as i32).wrapping_neg()) {
            resolved.extend_from_slice(name.as_bytes());
        }
    }

    /// `PT_FSPATH` / `PT_FSRELPATH`: the path with invalid bytes removed, and the
    /// absolute path it names when it is relative.
    fn path(
        &self,
        m: &Mem<'_>,
        pinfo: &ParamInfo,
        out: &mut Vec<u8>,
        resolved: &mut Vec<u8>,
        stale: impl FnOnce(&mut Vec<u8>),
    ) {
        // `strcpy_sanitized` into a buffer of the value's length: it stops at the
        // NUL or once the buffer is full, then keeps one byte less.
        let size = m.len();
        if size == 0 {
            // Nothing is written: the buffer keeps its previous contents.
            stale(out);
            return;
        }
        let start = out.len();
        let mut copied = 0;
        let mut i = 0;
        loop {
            if copied >= size {
                out.truncate(start + size - 1);
                break;
            }
            let c = m.at(i);
            if buffer::is_print(c) {
                out.push(c);
                copied += 1;
            }
            if c == 0 {
                break;
            }
            i += 1;
        }

        if !self.res.has_thread() || m.array::<4>(0) == *b"<NA>" {
            return;
        }
        let cwd = self.res.cwd().unwrap_or_default();
        let base = self.base_dir(pinfo, cwd);
        path::concatenate(&base, &m.cstr(0), resolved);
    }

    /// `get_base_dir`: the directory a path parameter is relative to.
    fn base_dir<'c>(&self, pinfo: &ParamInfo, cwd: &'c [u8]) -> Cow<'c, [u8]> {
        if pinfo.ty != ParamType::Fsrelpath {
            return Cow::Borrowed(cwd);
        }
        let dirfd_idx = match pinfo.extra {
            ParamExtra::DirFd(i) => usize::from(i),
            _ => 0,
        };
        let is_fd = self
            .info
            .params
            .get(dirfd_idx)
            .is_some_and(|p| p.ty == ParamType::Fd);
        let Some(dir_param) = self.ev.param(dirfd_idx).filter(|_| is_fd) else {
            return Cow::Borrowed(cwd);
        };
        let dirfd = Mem::new(self.ev, dir_param).u64(0) as i64;
        if dirfd == AT_FDCWD {
            return Cow::Borrowed(cwd);
        }
        // `get_path_for_dir_fd`: the fd's name; sysdig would then try
        // `/proc/PID/fd/N` of the machine it runs on, which a capture cannot tell.
        match self
            .res
            .fd(dirfd)
            .filter(|f| dirfd >= 0 && !f.name.is_empty())
        {
            Some(f) => {
                let mut base = Vec::with_capacity(f.name.len() + 1);
                sanitize_into(f.name, &mut base);
                base.push(b'/');
                Cow::Owned(base)
            }
            None => Cow::Borrowed(&[]),
        }
    }

    /// `PT_BYTEBUF` in the configured format.
    fn bytebuf(&self, src: &[u8], out: &mut Vec<u8>) {
        if src.is_empty() {
            return;
        }
        let start = out.len();
        match self.opts.buf_format {
            BufFormat::Normal => {
                buffer::dots(src, out);
                if let Some(max) = self.opts.max_buf_len
                    && max != 0
                    && out.len() - start > max
                {
                    out.truncate(start + max);
                    if max > 3 {
                        let n = out.len();
                        out[n - 3..].copy_from_slice(b"...");
                    }
                }
            }
            BufFormat::Json | BufFormat::Simple => buffer::dots(src, out),
            BufFormat::Ascii | BufFormat::JsonAscii => buffer::ascii_only(src, false, out),
            BufFormat::Hex | BufFormat::JsonHex => buffer::hex(src, false, out),
            BufFormat::HexAscii | BufFormat::JsonHexAscii => buffer::hex(src, true, out),
            BufFormat::Base64 | BufFormat::JsonBase64 => buffer::base64(src, out),
        }
    }

    /// `PT_FDLIST`: `fd:<type char><flags in hex>` for each entry, space-separated.
    fn fdlist(&self, m: &Mem<'_>, out: &mut Vec<u8>) {
        let n = usize::from(m.u16(0));
        // Entries past the value are read from whatever follows it; sysdig's buffer
        // then bounds the text (to 1023 bytes at least). Bound it the same way.
        let malformed = 2 + n * 10 > m.len();
        let start = out.len();
        for j in 0..n {
            let pos = 2 + j * 10;
            let fd = m.u64(pos) as i64;
            let flags = m.u16(pos + 8) as i16 as i32 as u32;
            let tch = if fd >= 0 {
                self.res.fd(fd).map_or(b'?', |f| f.type_char)
            } else {
                b'?'
            };
            let _ = write!(out, "{}:{}{flags:x}", fd as u64, char::from(tch));
            if j + 1 < n {
                out.push(b' ');
            }
            if malformed && out.len() - start >= 1023 {
                out.truncate(start + 1023);
                break;
            }
        }
    }
}

/// The bytes of `s` before its first NUL (C's `%s`).
fn until_nul(s: &[u8]) -> &[u8] {
    s.iter().position(|&c| c == 0).map_or(s, |n| &s[..n])
}

/// A 32-bit value (an 8- or 16-bit one is first widened as C promotes it) in
/// `SET_NUMERIC_FORMAT`'s forms: `%#o`, `%X`, `%09d` or `%d`.
fn num32(out: &mut Vec<u8>, bits: u32, fmt: PrintFormat) {
    let _ = match fmt {
        PrintFormat::Oct if bits == 0 => write!(out, "0"),
        PrintFormat::Oct => write!(out, "0{bits:o}"),
        PrintFormat::Hex => write!(out, "{bits:X}"),
        PrintFormat::Padded10Dec => write!(out, "{:09}", bits as i32),
        _ => {
            dec(out, bits as i32);
            Ok(())
        }
    };
}

/// A 64-bit value in `SET_NUMERIC_FORMAT`'s forms (decimal is signed even for
/// unsigned parameters).
fn num64(out: &mut Vec<u8>, bits: u64, fmt: PrintFormat) {
    let _ = match fmt {
        PrintFormat::Oct if bits == 0 => write!(out, "0"),
        PrintFormat::Oct => write!(out, "0{bits:o}"),
        PrintFormat::Hex => write!(out, "{bits:X}"),
        PrintFormat::Padded10Dec => write!(out, "{:09}", bits as i64),
        _ => {
            dec(out, bits as i64);
            Ok(())
        }
    };
}

/// Appends `v` in decimal (without `core::fmt`: this is the hot path).
#[inline]
fn dec<T: itoa::Integer>(out: &mut Vec<u8>, v: T) {
    put(out, itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `s` to `out`, like `extend_from_slice`, without a call to
/// `memcpy` for short slices: most of what a line is made of (numbers,
/// names, separators) is a few bytes long, and the call costs more than
/// the copy.
#[inline(always)]
pub fn put(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    if n > 16 {
        out.extend_from_slice(s);
        return;
    }
    let at = out.len();
    // Sixteen bytes of room, written with fixed-size copies (one or two
    // overlapping ones), then cut to the length.
    out.extend_from_slice(&[0u8; 16]);
    let dst = &mut out[at..at + 16];
    if n >= 8 {
        dst[..8].copy_from_slice(&s[..8]);
        dst[n - 8..n].copy_from_slice(&s[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&s[..4]);
        dst[n - 4..n].copy_from_slice(&s[n - 4..]);
    } else {
        for (d, &c) in dst.iter_mut().zip(s) {
            *d = c;
        }
    }
    out.truncate(at + n);
}

/// The names of the flags set in `val`, `|`-separated, as `get_param_as_str` picks
/// them: in table order, each flag whose bits are all still set (a zero-valued name
/// only for a zero value) takes its bits away; the walk stops at the first name whose
/// value equals the whole original value, which is added.
fn flag_names(val: u32, names: &[NameValue], out: &mut Vec<u8>) {
    let initial = val;
    let mut val = val;
    let mut sep = false;
    let mut i = 0;
    while i < names.len() && names[i].value != initial {
        let f = names[i];
        if (f.value == 0 && initial == 0) || (f.value != 0 && val & f.value == f.value && val != 0)
        {
            if sep {
                out.push(b'|');
            }
            out.extend_from_slice(f.name.as_bytes());
            sep = true;
            val &= !f.value;
        }
        i += 1;
    }
    if let Some(f) = names.get(i) {
        if sep {
            out.push(b'|');
        }
        out.extend_from_slice(f.name.as_bytes());
    }
}

/// C's `%g` (6 significant digits, trailing zeros removed) of a finite value ≥ 0.
fn fmt_g(v: f64, out: &mut Vec<u8>) {
    if v == 0.0 || !v.is_finite() {
        out.push(b'0');
        return;
    }
    let e = format!("{v:.5e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&x) {
        let _ = write!(
            out,
            "{}e{}{:02}",
            strip_zeros(mant),
            if x < 0 { '-' } else { '+' },
            x.unsigned_abs()
        );
    } else {
        let prec = (5 - x) as usize;
        let s = format!("{v:.prec$}");
        out.extend_from_slice(strip_zeros(&s).as_bytes());
    }
}

/// Removes trailing fraction zeros, and the point if nothing follows it.
fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}
