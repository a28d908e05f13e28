//! Updating the state from one event: libsinsp's `sinsp_parser` at e5c53d64,
//! function by function (`reset`, `parse_clone_exit`, …), so that the state
//! — and hence every field and printed line — evolves as sysdig's does.

use sonde_event::{HeaderVersion, RawEvent, event_info, flags as ef};

use crate::evt::*;
use crate::fd::{self, CANCELED_FD_NUMBER, FdInfo, fd_type, flags as ff, l4};
use crate::thread::{NO_EVENT, ThreadInfo, clone_flags as cl};
use crate::{ContainerInfo, EventMeta, FilterFn, State, ThreadRef, container_id_from_cgroups};

const PPM_AF_UNIX: u8 = 1;
const PPM_AF_INET: u8 = 2;
const PPM_AF_INET6: u8 = 10;
const PPM_AF_NETLINK: u32 = 16;
const PPM_O_DIRECTORY: u32 = 1 << 10;
const PPM_AT_FDCWD: i64 = -100;
const PPM_FCNTL_F_DUPFD: u8 = 1;
const PPM_FCNTL_F_DUPFD_CLOEXEC: u8 = 26;
const PPM_RLIMIT_NOFILE: u8 = 7;
const PPM_EXE_WRITABLE: u32 = 1;
const PPM_EXVAT_AT_EMPTY_PATH: u32 = 1;
const CLONE_STALE_TIME_NS: u64 = 2_000_000_000;
const SCAP_DF_STATE_ONLY: u32 = 1;
const SCAP_DF_TRACER: u32 = 2;
const SE_EINPROGRESS: i64 = 115;
/// The largest enter event libsinsp stores for its exit (`SP_EVT_BUF_SIZE`).
const SP_EVT_BUF_SIZE: usize = 4096;

/// An enter event copied out of a thread, for the exit's parser.
struct Stored {
    bytes: Vec<u8>,
    version: HeaderVersion,
    cpu: u16,
}

impl Stored {
    fn event(&self) -> Option<RawEvent<'_>> {
        RawEvent::decode(&self.bytes, self.version, self.cpu, 0).ok()
    }
}

fn is_clone_exit(ty: u16) -> bool {
    matches!(
        ty,
        SYSCALL_CLONE_11_X
            | SYSCALL_CLONE_16_X
            | SYSCALL_CLONE_17_X
            | SYSCALL_CLONE_20_X
            | SYSCALL_FORK_X
            | SYSCALL_FORK_17_X
            | SYSCALL_FORK_20_X
            | SYSCALL_VFORK_X
            | SYSCALL_VFORK_17_X
            | SYSCALL_VFORK_20_X
            | SYSCALL_CLONE3_X
    )
}

fn p_i64(ev: &RawEvent<'_>, i: usize) -> i64 {
    ev.param_i64(i).unwrap_or(0)
}
fn p_u64(ev: &RawEvent<'_>, i: usize) -> u64 {
    ev.param_u64(i).unwrap_or(0)
}
fn p_u32(ev: &RawEvent<'_>, i: usize) -> u32 {
    ev.param_u64(i).unwrap_or(0) as u32
}
fn p_bytes<'a>(ev: &RawEvent<'a>, i: usize) -> &'a [u8] {
    ev.param(i).unwrap_or(&[])
}
/// A string parameter without its NUL.
fn p_str<'a>(ev: &RawEvent<'a>, i: usize) -> &'a [u8] {
    ev.param_str(i).unwrap_or(&[])
}
fn u16_at(b: &[u8], at: usize) -> u16 {
    if b.len() < at + 2 {
        0
    } else {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    if b.len() < at + 4 {
        0
    } else {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    if b.len() < at + 8 {
        0
    } else {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(a)
    }
}
fn arr16_at(b: &[u8], at: usize) -> [u8; 16] {
    let mut a = [0u8; 16];
    if b.len() >= at + 16 {
        a.copy_from_slice(&b[at..at + 16]);
    }
    a
}
fn cstr_at(b: &[u8], at: usize) -> &[u8] {
    let s = b.get(at..).unwrap_or(&[]);
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}
fn sanitize(s: &[u8]) -> Vec<u8> {
    s.iter()
        .copied()
        .filter(|&c| (0x20..0x7f).contains(&c))
        .collect()
}

/// The `PF_SIMPLE` text of a sockaddr parameter (fd names after bind and
/// connect to a unix socket).
pub(crate) fn sockaddr_text(b: &[u8]) -> Vec<u8> {
    if b.is_empty() {
        return b"NULL".to_vec();
    }
    match b[0] {
        PPM_AF_UNIX => sanitize(cstr_at(b, 1)),
        PPM_AF_INET if b.len() == 7 => fd::ipv4_server_name(u32_at(b, 1), u16_at(b, 5)),
        PPM_AF_INET => b"INVALID IPv4".to_vec(),
        PPM_AF_INET6 if b.len() == 19 => fd::ipv6_server_name(arr16_at(b, 1), u16_at(b, 17)),
        PPM_AF_INET6 => b"INVALID IPv6".to_vec(),
        f => format!("family {f}").into_bytes(),
    }
}

/// The `PF_SIMPLE` text of a socktuple parameter.
pub(crate) fn socktuple_text(b: &[u8]) -> Vec<u8> {
    if b.is_empty() {
        return b"NULL".to_vec();
    }
    match b[0] {
        PPM_AF_INET if b.len() == 13 => {
            fd::ipv4_tuple_name(u32_at(b, 1), u16_at(b, 5), u32_at(b, 7), u16_at(b, 11))
        }
        PPM_AF_INET => b"INVALID IPv4".to_vec(),
        PPM_AF_INET6 if b.len() == 37 => {
            let (s6, d6) = (arr16_at(b, 1), arr16_at(b, 19));
            if fd::is_ipv4_mapped_ipv6(&s6) && fd::is_ipv4_mapped_ipv6(&d6) {
                fd::ipv4_tuple_name(u32_at(b, 13), u16_at(b, 17), u32_at(b, 31), u16_at(b, 35))
            } else {
                fd::ipv6_tuple_name(s6, u16_at(b, 17), d6, u16_at(b, 35))
            }
        }
        PPM_AF_INET6 => b"INVALID IPv6".to_vec(),
        PPM_AF_UNIX => {
            let mut out = format!("{:x}->{:x} ", u64_at(b, 1), u64_at(b, 9)).into_bytes();
            out.extend_from_slice(&sanitize(cstr_at(b, 17)));
            out
        }
        f => format!("family {f}").into_bytes(),
    }
}

impl State {
    /// Runs the state engine on one event, with no filter.
    pub fn process(&mut self, ev: &RawEvent<'_>) -> EventMeta {
        self.process_with::<FilterFn<'_>>(ev, None)
    }

    /// Runs the state engine on one event. `filter`, if given, is run where
    /// libsinsp runs its capture filter; the result says whether the event is
    /// to be shown. (Generic, so that a consumer's filter is called without
    /// an indirect call; `FilterFn` serves where one is not known.)
    pub fn process_with<F>(&mut self, ev: &RawEvent<'_>, mut filter: Option<&mut F>) -> EventMeta
    where
        F: FnMut(&State, &RawEvent<'_>, &EventMeta) -> bool + ?Sized,
    {
        let ty = ev.ty;
        if self.first_ts == 0 && ty != CONTAINER_JSON_E && ty != CONTAINER_JSON_2_E {
            self.first_ts = ev.ts;
        }
        self.nevents += 1;
        if let Some(tid) = self.pending_thread_removal.take() {
            self.remove_thread(tid, false);
        }
        if !self.pending_fd_removals.is_empty() {
            let tid = self.pending_fd_removal_tid;
            let fds = std::mem::take(&mut self.pending_fd_removals);
            if self.get_thread_ref(tid, true).is_some()
                && let Some(t) = self.threads.fds_mut(tid)
            {
                for f in fds {
                    t.remove(f);
                }
            }
        }

        let mut meta = EventMeta {
            num: self.nevents,
            thread: ThreadRef::None,
            fd: None,
            errorcode: 0,
            filtered_out: false,
            latency: 0,
        };
        self.reset(ev, &mut meta);
        let eflags = event_info(ty).map_or(0, |i| i.flags);

        let mut filter_later = false;
        if let Some(f) = filter.as_deref_mut() {
            let mut flags = eflags;
            if ty == SYSCALL_WRITE_X {
                // A write to a tracer fd changes state (it is a span).
                if meta.fd.is_none()
                    && let ThreadRef::Table(tid) = meta.thread
                {
                    let last = self.threads.get(tid).map_or(-1, |t| t.lastevent_fd);
                    meta.fd = self.fd_ref(tid, last);
                }
                let fdflags = self.event_fd(&meta).map_or(0, |f| f.flags);
                if fdflags & (ff::IS_TRACER_FD | ff::IS_TRACER_FILE) != 0 {
                    flags |= ef::MODIFIES_STATE;
                } else if ev.dump_flags & SCAP_DF_TRACER != 0 {
                    meta.fd = None;
                    flags |= ef::MODIFIES_STATE;
                }
            }
            if flags & ef::MODIFIES_STATE != 0 {
                filter_later = true;
            } else if !f(self, ev, &meta) {
                if let ThreadRef::Table(tid) = meta.thread
                    && !(eflags & ef::SKIPPARSERESET != 0 || ty == SCHEDSWITCH_6_E)
                    && let Some(t) = self.threads.get_mut(tid)
                {
                    t.lastevent_type = NO_EVENT;
                }
                meta.filtered_out = true;
                return meta;
            }
        }

        self.dispatch(ev, &mut meta);

        if filter_later && let Some(f) = filter {
            meta.filtered_out = !f(self, ev, &meta);
        }
        if ev.dump_flags & SCAP_DF_STATE_ONLY != 0 {
            meta.filtered_out = true;
        }
        if !meta.filtered_out {
            self.event_cleanup(ev, &meta);
        }
        meta
    }

    /// `event_cleanup`: once an exit event has been delivered, the enter
    /// event kept for it is gone.
    #[inline]
    fn event_cleanup(&mut self, ev: &RawEvent<'_>, meta: &EventMeta) {
        if sonde_event::is_enter(ev.ty) {
            return;
        }
        if let ThreadRef::Table(tid) = meta.thread
            && let Some(t) = self.threads.get_mut(tid)
            && !t.lastevent_data.is_empty()
        {
            t.lastevent_data.clear();
            t.lastevent_valid = false;
        }
    }

    fn dispatch(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        match ev.ty {
            SOCKET_SENDTO_E => {
                if meta.fd.is_none() && matches!(meta.thread, ThreadRef::Table(_)) {
                    self.infer_sendto_fdinfo(ev, meta);
                }
                self.store_event(ev, meta);
            }
            SYSCALL_OPEN_E | SYSCALL_CREAT_E | SYSCALL_OPENAT_E | SYSCALL_OPENAT_2_E
            | SYSCALL_OPENAT2_E | SOCKET_SOCKET_E | SYSCALL_EVENTFD_E | SYSCALL_CHDIR_E
            | SYSCALL_FCHDIR_E | SOCKET_SHUTDOWN_E | SYSCALL_GETRLIMIT_E | SYSCALL_SETRLIMIT_E
            | SYSCALL_PRLIMIT_E | SOCKET_SENDMSG_E | SYSCALL_SENDFILE_E | SYSCALL_SETRESUID_E
            | SYSCALL_SETRESGID_E | SYSCALL_SETUID_E | SYSCALL_SETGID_E | SYSCALL_EXECVE_18_E
            | SYSCALL_EXECVE_19_E | SYSCALL_EXECVEAT_E | SYSCALL_SETPGID_E => {
                self.store_event(ev, meta)
            }
            SYSCALL_READ_X | SYSCALL_WRITE_X | SOCKET_RECV_X | SOCKET_SEND_X
            | SOCKET_RECVFROM_X | SOCKET_RECVMSG_X | SOCKET_SENDTO_X | SOCKET_SENDMSG_X
            | SYSCALL_READV_X | SYSCALL_WRITEV_X | SYSCALL_PREAD_X | SYSCALL_PWRITE_X
            | SYSCALL_PREADV_X | SYSCALL_PWRITEV_X => self.parse_rw_exit(ev, meta),
            SYSCALL_OPEN_X | SYSCALL_CREAT_X | SYSCALL_OPENAT_X | SYSCALL_OPENAT_2_X
            | SYSCALL_OPENAT2_X => self.parse_open_exit(ev, meta),
            t if is_clone_exit(t) => self.parse_clone_exit(ev, meta),
            SYSCALL_EXECVE_8_X | SYSCALL_EXECVE_13_X | SYSCALL_EXECVE_14_X
            | SYSCALL_EXECVE_15_X | SYSCALL_EXECVE_16_X | SYSCALL_EXECVE_17_X
            | SYSCALL_EXECVE_18_X | SYSCALL_EXECVE_19_X | SYSCALL_EXECVEAT_X => {
                self.parse_execve_exit(ev, meta)
            }
            PROCEXIT_E | PROCEXIT_1_E => {
                if let ThreadRef::Table(tid) = meta.thread
                    && let Some(t) = self.threads.get_mut(tid)
                {
                    t.flags |= cl::CLOSED;
                    self.pending_thread_removal = Some(ev.tid as i64);
                }
            }
            SYSCALL_PIPE_X => self.parse_pipe_exit(ev, meta),
            SOCKET_SOCKET_X => self.parse_socket_exit(ev, meta),
            SOCKET_BIND_X => self.parse_bind_exit(ev, meta),
            SOCKET_CONNECT_E => self.parse_connect_enter(ev, meta),
            SOCKET_CONNECT_X => self.parse_connect_exit(ev, meta),
            SOCKET_ACCEPT_X | SOCKET_ACCEPT_5_X | SOCKET_ACCEPT4_X | SOCKET_ACCEPT4_5_X => {
                self.parse_accept_exit(ev, meta)
            }
            SYSCALL_CLOSE_E => {
                if let ThreadRef::Table(tid) = meta.thread {
                    let last = self.threads.get(tid).map_or(-1, |t| t.lastevent_fd);
                    meta.fd = self.fd_ref(tid, last);
                    if let Some(f) = self.fd_mut(meta) {
                        f.flags |= ff::CLOSE_IN_PROGRESS;
                    }
                }
            }
            SYSCALL_CLOSE_X => self.parse_close_exit(ev, meta),
            SYSCALL_FCNTL_E => {
                if matches!(meta.thread, ThreadRef::Table(_)) {
                    let cmd = ev.param(1).and_then(|b| b.first().copied()).unwrap_or(0);
                    if cmd == PPM_FCNTL_F_DUPFD || cmd == PPM_FCNTL_F_DUPFD_CLOEXEC {
                        self.store_event(ev, meta);
                    }
                }
            }
            SYSCALL_FCNTL_X => {
                if self.retrieve_enter_event(ev, meta).is_none() {
                    return;
                }
                let ret = p_i64(ev, 0);
                if ret >= 0 {
                    self.dup_fd_to(ev, meta, ret);
                }
            }
            SYSCALL_EVENTFD_X => self.add_typed_fd(ev, meta, fd_type::EVENT),
            SYSCALL_CHDIR_X => {
                if let ThreadRef::Table(tid) = meta.thread
                    && p_i64(ev, 0) >= 0
                {
                    let path = p_str(ev, 1).to_vec();
                    self.threads.set_cwd(tid, &path);
                }
            }
            SYSCALL_FCHDIR_X => {
                if p_i64(ev, 0) >= 0
                    && let ThreadRef::Table(tid) = meta.thread
                    && let Some(name) = self.event_fd(meta).map(|f| f.name.clone())
                {
                    self.threads.set_cwd(tid, &name);
                }
            }
            SYSCALL_GETCWD_X => {
                if p_i64(ev, 0) >= 0
                    && let ThreadRef::Table(tid) = meta.thread
                {
                    let path = p_str(ev, 1).to_vec();
                    self.threads.set_cwd(tid, &path);
                }
            }
            SYSCALL_DUP_X => self.parse_dup_exit(ev, meta),
            SYSCALL_SIGNALFD_X => self.add_typed_fd(ev, meta, fd_type::SIGNALFD),
            SYSCALL_TIMERFD_CREATE_X => self.add_typed_fd(ev, meta, fd_type::TIMERFD),
            SYSCALL_INOTIFY_INIT_X => self.add_typed_fd(ev, meta, fd_type::INOTIFY),
            SYSCALL_GETRLIMIT_X | SYSCALL_SETRLIMIT_X => self.parse_rlimit_exit(ev, meta),
            SYSCALL_PRLIMIT_X => self.parse_prlimit_exit(ev, meta),
            SOCKET_SOCKETPAIR_X => self.parse_socketpair_exit(ev, meta),
            SCHEDSWITCH_1_E | SCHEDSWITCH_6_E => self.parse_context_switch(ev, meta),
            SYSCALL_BRK_4_X | SYSCALL_MMAP_X | SYSCALL_MMAP2_X | SYSCALL_MUNMAP_X => {
                if let ThreadRef::Table(tid) = meta.thread {
                    let (a, b, c) = (p_u32(ev, 1), p_u32(ev, 2), p_u32(ev, 3));
                    if let Some(t) = self.threads.get_mut(tid) {
                        t.vmsize_kb = a;
                        t.vmrss_kb = b;
                        t.vmswap_kb = c;
                    }
                }
            }
            SYSCALL_SETRESUID_X | SYSCALL_SETUID_X => self.parse_setid_exit(ev, meta, true),
            SYSCALL_SETRESGID_X | SYSCALL_SETGID_X => self.parse_setid_exit(ev, meta, false),
            CONTAINER_E => {
                let c = ContainerInfo {
                    id: p_str(ev, 0).to_vec(),
                    ty: p_u32(ev, 1),
                    name: p_str(ev, 2).to_vec(),
                    image: p_str(ev, 3).to_vec(),
                    successful: true,
                    ..Default::default()
                };
                self.containers.insert(c.id.clone(), c);
            }
            CONTAINER_JSON_E | CONTAINER_JSON_2_E => self.parse_container_json(ev, meta),
            SYSCALL_CHROOT_X => {
                if p_i64(ev, 0) == 0
                    && let ThreadRef::Table(tid) = meta.thread
                {
                    let root = p_str(ev, 1).to_vec();
                    if let Some(t) = self.threads.get_mut(tid) {
                        t.root = root;
                    }
                }
            }
            SYSCALL_SETSID_X => {
                let ret = p_i64(ev, 0);
                if ret >= 0
                    && let ThreadRef::Table(tid) = meta.thread
                    && let Some(t) = self.threads.get_mut(tid)
                {
                    t.sid = ret;
                }
            }
            _ => {}
        }
    }

    /// `sinsp_parser::reset`.
    #[inline(always)]
    fn reset(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) -> bool {
        let ty = ev.ty;
        let Some(info) = event_info(ty) else {
            return false;
        };
        let eflags = info.flags;
        meta.fd = None;
        meta.errorcode = 0;
        let tid = ev.tid as i64;
        if eflags & ef::SKIPPARSERESET != 0 {
            meta.thread = if ty == PROCINFO_E && self.threads.contains(tid) {
                ThreadRef::Table(tid)
            } else {
                ThreadRef::None
            };
            return false;
        }
        let query_os = !(is_clone_exit(ty) || ty == SCHEDSWITCH_6_E);
        if ty == CONTAINER_JSON_E || ty == CONTAINER_JSON_2_E {
            meta.thread = ThreadRef::None;
            return true;
        }
        meta.thread = match self.get_thread_ref(tid, query_os) {
            Some(_) => ThreadRef::Table(tid),
            None => ThreadRef::None,
        };
        if ty == SCHEDSWITCH_6_E {
            return false;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return false;
        };
        let is_enter = sonde_event::is_enter(ty);
        let first_is_res_or_fd = !is_enter
            && ev.nparams() != 0
            && info
                .params
                .first()
                .is_some_and(|p| matches!(p.name.as_bytes(), b"res" | b"fd"));
        let enter_fd = if is_enter && eflags & ef::USES_FD != 0 {
            Some(p_i64(ev, 0))
        } else {
            None
        };
        let copy_file_range_fd = if ty == SYSCALL_COPY_FILE_RANGE_X {
            Some(p_i64(ev, 1))
        } else {
            None
        };
        let Some(t) = self.threads.get_mut(tid) else {
            return false;
        };
        if query_os {
            t.flags |= cl::ACTIVE;
        }
        if is_enter {
            t.lastevent_fd = -1;
            t.lastevent_type = ty;
            if let Some(fd) = enter_fd {
                t.lastevent_fd = fd;
            }
            t.latency = 0;
            t.last_latency_entertime = ev.ts;
            meta.latency = 0;
            if let Some(fd) = enter_fd {
                meta.fd = self.fd_ref(tid, fd);
            }
            true
        } else {
            if t.last_latency_entertime != 0 {
                t.latency = ev.ts.wrapping_sub(t.last_latency_entertime);
            }
            meta.latency = t.latency;
            if t.lastevent_type != NO_EVENT && ty == t.lastevent_type.wrapping_add(1) {
                t.lastevent_valid = true;
            } else {
                t.lastevent_valid = false;
                if t.lastevent_type != TRACER_E {
                    return false;
                }
            }
            if first_is_res_or_fd {
                let res = p_i64(ev, 0);
                if res < 0 {
                    meta.errorcode = (-res) as i32;
                }
            }
            if eflags & ef::USES_FD != 0 {
                if let Some(fd) = copy_file_range_fd {
                    t.lastevent_fd = fd;
                }
                let last = t.lastevent_fd;
                let owner = if t.shares_fds() {
                    self.threads.main_tid(tid)
                } else {
                    Some(tid)
                };
                let Some(owner) = owner else { return false };
                let Some(f) = self
                    .threads
                    .get_mut(owner)
                    .and_then(|o| o.fds.get_mut(last))
                else {
                    return false;
                };
                meta.fd = Some((owner, last));
                if f.flags & ff::CLOSE_CANCELED != 0 {
                    f.flags &= !ff::CLOSE_CANCELED;
                    if self.threads.fd(tid, CANCELED_FD_NUMBER).is_some() {
                        self.erase_fd(tid, CANCELED_FD_NUMBER);
                    }
                }
            }
            true
        }
    }

    /// `get_thread_ref`: the thread, made up as `<NA>` when unknown and
    /// `create` is set (libsinsp cannot ask /proc about a file's threads).
    #[inline]
    pub(crate) fn get_thread_ref(&mut self, tid: i64, create: bool) -> Option<&mut ThreadInfo> {
        if !self.threads.contains(tid) {
            if !create || self.threads.len() >= crate::thread::MAX_THREAD_TABLE_SIZE {
                return None;
            }
            let mut t = ThreadInfo::unknown(tid);
            t.nchilds = self.threads.values().filter(|o| o.pid == tid).count() as u64;
            self.add_thread(t);
        }
        self.threads.get_mut(tid)
    }

    /// `add_thread`: counts a thread of a process on its main thread.
    fn add_thread(&mut self, t: ThreadInfo) -> bool {
        if t.flags & cl::CLONE_THREAD != 0 {
            let pid = t.pid;
            if let Some(m) = self.get_thread_ref(pid, true) {
                m.nchilds += 1;
            }
        }
        self.threads.add(t)
    }

    /// `remove_thread`.
    pub(crate) fn remove_thread(&mut self, tid: i64, force: bool) {
        let Some(t) = self.threads.get(tid) else {
            return;
        };
        if t.nchilds != 0 && !force {
            return;
        }
        if t.flags & cl::CLONE_THREAD != 0 {
            let pid = t.pid;
            if let Some(m) = self.threads.get_mut(pid)
                && m.nchilds > 0
            {
                m.nchilds -= 1;
            }
        }
        self.threads.remove(tid);
    }

    /// A reference to fd `fd` of thread `tid`, if it exists.
    fn fd_ref(&self, tid: i64, fd: i64) -> Option<(i64, i64)> {
        let owner = self.threads.fd_owner(tid)?;
        self.threads.get(owner)?.fds.get(fd)?;
        Some((owner, fd))
    }

    fn fd_mut(&mut self, meta: &EventMeta) -> Option<&mut FdInfo> {
        let (owner, fd) = meta.fd?;
        self.threads.get_mut(owner)?.fds.get_mut(fd)
    }

    /// `tinfo->add_fd`: adds to the thread's table and returns the reference.
    fn add_fd(&mut self, tid: i64, fd: i64, info: FdInfo) -> Option<(i64, i64)> {
        // `sinsp_threadinfo::add_fd` makes the new fd the thread's last one,
        // whatever the table does with it (`fd.num` reads it).
        if let Some(t) = self.threads.get_mut(tid) {
            t.lastevent_fd = fd;
        }
        let owner = self.threads.fd_owner(tid)?;
        let t = self.threads.get_mut(owner)?;
        if t.fds.add(fd, info) {
            Some((owner, fd))
        } else {
            None
        }
    }

    /// `erase_fd` with removal from the table: done at the next event.
    fn erase_fd(&mut self, tid: i64, fd: i64) {
        self.pending_fd_removal_tid = tid;
        self.pending_fd_removals.push(fd);
    }

    /// `store_event`: keeps an enter event for its exit.
    fn store_event(&mut self, ev: &RawEvent<'_>, meta: &EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if ev.bytes.len() > SP_EVT_BUF_SIZE {
            return;
        }
        if let Some(t) = self.threads.get_mut(tid) {
            t.lastevent_data.clear();
            t.lastevent_data.extend_from_slice(ev.bytes);
            t.lastevent_cpu = ev.cpu;
            // libsinsp's validity flag is the stored cpu id.
            t.lastevent_valid = ev.cpu != u16::MAX;
            t.lastevent_v1 = ev.version == HeaderVersion::V1;
        }
    }

    /// `retrieve_enter_event`.
    fn retrieve_enter_event(&mut self, exit: &RawEvent<'_>, meta: &EventMeta) -> Option<Stored> {
        let ThreadRef::Table(tid) = meta.thread else {
            return None;
        };
        let t = self.threads.get_mut(tid)?;
        if !t.lastevent_valid || t.lastevent_data.is_empty() {
            return None;
        }
        let stored = Stored {
            bytes: t.lastevent_data.clone(),
            version: if t.lastevent_v1 {
                HeaderVersion::V1
            } else {
                HeaderVersion::V2
            },
            cpu: t.lastevent_cpu,
        };
        let ok = stored
            .event()
            .is_some_and(|e| e.ty == exit.ty.wrapping_sub(1));
        if !ok {
            t.lastevent_valid = false;
            return None;
        }
        Some(stored)
    }

    fn parse_clone_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ty = ev.ty;
        let mut tid = ev.tid as i64;
        let mut childtid = p_i64(ev, 0);
        let flags_idx = match ty {
            SYSCALL_CLONE_11_X => 8,
            SYSCALL_CLONE_16_X | SYSCALL_FORK_X | SYSCALL_VFORK_X => 13,
            SYSCALL_CLONE_17_X | SYSCALL_FORK_17_X | SYSCALL_VFORK_17_X => 14,
            _ => 15,
        };
        let flags = p_u32(ev, flags_idx);
        if childtid < 0 {
            return;
        }
        let v20 = matches!(
            ty,
            SYSCALL_CLONE_20_X | SYSCALL_FORK_20_X | SYSCALL_VFORK_20_X | SYSCALL_CLONE3_X
        );
        let (mut vtid, mut vpid) = (tid, -1);
        if v20 {
            vtid = p_i64(ev, 18);
            vpid = p_i64(ev, 19);
        }
        let in_container = flags & cl::CHILD_IN_PIDNS != 0 || tid != vtid;
        let mut inverted = false;
        if childtid == 0 {
            // The child's side of the clone.
            if let ThreadRef::Table(t) = meta.thread
                && let Some(ti) = self.threads.get(t)
                && ti.clone_ts != 0
                && ev.ts.wrapping_sub(ti.clone_ts) > CLONE_STALE_TIME_NS
            {
                self.remove_thread(t, true);
                meta.thread = ThreadRef::None;
            }
            let parenttid = if flags & cl::CLONE_THREAD != 0 {
                p_i64(ev, 4)
            } else {
                p_i64(ev, 5)
            };
            match meta.thread {
                ThreadRef::Table(t) => {
                    if in_container && let Some(ti) = self.threads.get_mut(t) {
                        ti.vtid = vtid;
                        ti.vpid = vpid;
                    }
                    return;
                }
                _ => {
                    inverted = true;
                    childtid = tid;
                    tid = parenttid;
                }
            }
        } else if in_container {
            return;
        }

        let Some(parent) = self.get_thread_ref(tid, true) else {
            return;
        };
        let valid_parent = !(parent.comm == b"<NA>" && parent.uid == u32::MAX);
        let mut tid_collision = false;
        if let Some(child) = self.threads.get(childtid) {
            if child.flags & cl::CLONE_INVERTED != 0 {
                return;
            }
            self.remove_thread(childtid, true);
            tid_collision = true;
        }
        let mut t = ThreadInfo::new(childtid);
        t.ptid = tid;
        let exe = p_str(ev, 1).to_vec();
        let comm_from_evt = |ev: &RawEvent<'_>| -> Vec<u8> {
            match ty {
                SYSCALL_CLONE_11_X | SYSCALL_CLONE_16_X | SYSCALL_FORK_X | SYSCALL_VFORK_X => {
                    p_str(ev, 1).to_vec()
                }
                _ => p_str(ev, 13).to_vec(),
            }
        };
        let copy_from = |t: &mut ThreadInfo, p: &ThreadInfo| {
            t.comm = p.comm.clone();
            t.exe = p.exe.clone();
            t.exepath = p.exepath.clone();
            t.exe_writable = p.exe_writable;
            t.args = p.args.clone();
            t.root = p.root.clone();
            t.sid = p.sid;
            t.vpgid = p.vpgid;
            t.tty = p.tty;
            t.loginuid = p.loginuid;
            if flags & cl::CLONE_THREAD == 0 {
                t.env = p.env.clone();
            }
        };
        if valid_parent {
            if let Some(p) = self.threads.get(tid) {
                copy_from(&mut t, p);
            }
        } else {
            self.remove_thread(tid, true);
            tid_collision = true;
            let Some(p) = self.get_thread_ref(tid, true) else {
                return;
            };
            if p.comm != b"<NA>" && p.uid != u32::MAX {
                let p = p.clone();
                copy_from(&mut t, &p);
            } else {
                t.exe = exe.clone();
                t.comm = comm_from_evt(ev);
                t.set_args(p_bytes(ev, 2));
                p.comm = t.comm.clone();
                p.exe = t.exe.clone();
                p.exepath = t.exepath.clone();
                p.set_args(p_bytes(ev, 2));
            }
        }
        t.pid = p_i64(ev, 4);
        t.flags = flags;
        if flags & cl::CLONE_THREAD == 0 {
            t.pid = childtid;
            // A new process gets a copy of its parent's fds and cwd.
            if let Some(fds) = self.threads.fds(tid) {
                t.fds = fds.clone();
                for f in t.fds.map.values_mut() {
                    f.flags |= ff::IS_CLONED;
                }
            }
            t.cwd = self
                .threads
                .cwd(tid)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
        }
        if inverted {
            t.flags |= cl::CLONE_INVERTED;
        }
        t.exe = exe;
        t.comm = comm_from_evt(ev);
        t.set_args(p_bytes(ev, 2));
        t.fdlimit = p_i64(ev, 7);
        if ty != SYSCALL_CLONE_11_X {
            t.pfmajor = p_u64(ev, 8);
            t.pfminor = p_u64(ev, 9);
            t.vmsize_kb = p_u32(ev, 10);
            t.vmrss_kb = p_u32(ev, 11);
            t.vmswap_kb = p_u32(ev, 12);
        }
        let (uid_idx, gid_idx) = match ty {
            SYSCALL_CLONE_11_X => (9, 10),
            SYSCALL_CLONE_16_X | SYSCALL_FORK_X | SYSCALL_VFORK_X => (14, 15),
            SYSCALL_CLONE_17_X | SYSCALL_FORK_17_X | SYSCALL_VFORK_17_X => (15, 16),
            _ => (16, 17),
        };
        t.uid = p_u32(ev, uid_idx);
        t.gid = p_u32(ev, gid_idx);
        if in_container {
            t.vtid = vtid;
            t.vpid = vpid;
        } else {
            t.vtid = t.tid;
            t.vpid = t.pid;
        }
        if v20 {
            t.set_cgroups(p_bytes(ev, 14));
            t.container_id = container_id_from_cgroups(&t.cgroups);
        }
        t.clone_ts = ev.ts;
        self.add_thread(t);
        if tid_collision {
            self.reset(ev, meta);
        }
    }

    fn parse_execve_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ty = ev.ty;
        if p_i64(ev, 0) < 0 {
            return;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let enter = if matches!(
            ty,
            SYSCALL_EXECVE_18_X | SYSCALL_EXECVE_19_X | SYSCALL_EXECVEAT_X
        ) {
            self.retrieve_enter_event(ev, meta)
        } else {
            None
        };
        // execveat resolves its path against a dir fd.
        let exepath_at = match (&enter, ty) {
            (Some(st), SYSCALL_EXECVEAT_X) => st.event().map(|e| {
                let dirfd = p_i64(&e, 0);
                let mut path = p_str(&e, 1).to_vec();
                if path.starts_with(b"<NA>") {
                    return b"<NA>".to_vec();
                }
                let flags = p_u32(&e, 2);
                let sdir = self.parse_dirfd(tid, &path, dirfd, meta);
                if flags & PPM_EXVAT_AT_EMPTY_PATH != 0 && path.is_empty() {
                    path = sdir.clone();
                }
                crate::path::concatenate(&sdir, &path)
            }),
            _ => None,
        };
        let Some(t) = self.threads.get_mut(tid) else {
            return;
        };
        t.exe = p_str(ev, 1).to_vec();
        t.comm = match ty {
            SYSCALL_EXECVE_8_X | SYSCALL_EXECVE_13_X | SYSCALL_EXECVE_14_X => t.exe.clone(),
            _ => p_str(ev, 13).to_vec(),
        };
        t.set_args(p_bytes(ev, 2));
        t.pid = p_i64(ev, 4);
        if t.ptid == -1 {
            t.ptid = p_i64(ev, 5);
        }
        t.fdlimit = p_i64(ev, 7);
        if ty != SYSCALL_EXECVE_8_X {
            t.pfmajor = p_u64(ev, 8);
            t.pfminor = p_u64(ev, 9);
            t.vmsize_kb = p_u32(ev, 10);
            t.vmrss_kb = p_u32(ev, 11);
            t.vmswap_kb = p_u32(ev, 12);
        }
        match ty {
            SYSCALL_EXECVE_14_X => t.set_env(p_bytes(ev, 13)),
            SYSCALL_EXECVE_15_X => t.set_env(p_bytes(ev, 14)),
            SYSCALL_EXECVE_16_X | SYSCALL_EXECVE_17_X | SYSCALL_EXECVE_18_X
            | SYSCALL_EXECVE_19_X | SYSCALL_EXECVEAT_X => {
                t.set_env(p_bytes(ev, 15));
                t.set_cgroups(p_bytes(ev, 14));
                t.container_id = container_id_from_cgroups(&t.cgroups);
            }
            _ => {}
        }
        if matches!(
            ty,
            SYSCALL_EXECVE_17_X | SYSCALL_EXECVE_18_X | SYSCALL_EXECVE_19_X | SYSCALL_EXECVEAT_X
        ) {
            t.tty = p_u32(ev, 16);
        }
        match (ty, &enter) {
            (SYSCALL_EXECVE_18_X | SYSCALL_EXECVE_19_X, Some(st)) => {
                if let Some(e) = st.event() {
                    let name = p_str(&e, 0);
                    t.exepath = if name.starts_with(b"<NA>") {
                        b"<NA>".to_vec()
                    } else {
                        // libsinsp joins with the thread's own cwd field here.
                        crate::path::concatenate(&t.cwd, name)
                    };
                }
            }
            (SYSCALL_EXECVEAT_X, Some(_)) => {
                if let Some(p) = exepath_at {
                    t.exepath = p;
                }
            }
            _ => {}
        }
        if matches!(ty, SYSCALL_EXECVE_19_X | SYSCALL_EXECVEAT_X) {
            t.vpgid = p_i64(ev, 17);
        }
        if ev.nparams() > 18 {
            t.loginuid = p_u32(ev, 18);
        }
        if ev.nparams() > 19 {
            t.exe_writable = p_u32(ev, 19) & PPM_EXE_WRITABLE != 0;
        }
        let keep = t.flags & (cl::PIPE_SRC | cl::PIPE_DST | cl::IS_MAIN_THREAD);
        let inverted = t.flags & cl::CLONE_INVERTED != 0;
        t.flags = cl::ACTIVE | keep | cl::NAME_CHANGED;
        if inverted {
            t.flags |= cl::CLONE_INVERTED;
        }
    }

    /// `parse_dirfd`: the directory a relative path is resolved against.
    /// Like libsinsp, looking up the dir fd leaves it as the event's fd.
    fn parse_dirfd(&self, tid: i64, name: &[u8], dirfd: i64, meta: &mut EventMeta) -> Vec<u8> {
        if name.first() == Some(&b'/') {
            b".".to_vec()
        } else if dirfd == PPM_AT_FDCWD {
            self.threads
                .cwd(tid)
                .map(<[u8]>::to_vec)
                .unwrap_or_default()
        } else {
            meta.fd = self.fd_ref(tid, dirfd);
            match self.event_fd(meta) {
                None => b"<UNKNOWN>".to_vec(),
                Some(f) => {
                    // libsinsp always appends the separator here.
                    let mut d = f.name.clone();
                    d.push(b'/');
                    d
                }
            }
        }
    }

    fn parse_open_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let ty = ev.ty;
        let enter = self.retrieve_enter_event(ev, meta);
        let enter_ev = enter.as_ref().and_then(Stored::event);
        let fd = p_i64(ev, 0);
        let mut dev = 0u32;
        let usable = |name: &[u8], raw_len: usize| raw_len != 0 && name != b"(NULL)";
        let (name, flags, sdir, src): (Vec<u8>, u32, Vec<u8>, (bool, usize)) = match ty {
            SYSCALL_OPEN_X => {
                let mut name = p_str(ev, 1).to_vec();
                let mut src = (false, 1);
                let mut flags = p_u32(ev, 2);
                if ev.nparams() > 4 {
                    dev = p_u32(ev, 4);
                }
                if let Some(e) = &enter_ev
                    && e.nparams() >= 2
                    && usable(p_str(e, 0), p_bytes(e, 0).len())
                {
                    name = p_str(e, 0).to_vec();
                    src = (true, 0);
                    flags = p_u32(e, 1);
                }
                (
                    name,
                    flags,
                    self.threads
                        .cwd(tid)
                        .map(<[u8]>::to_vec)
                        .unwrap_or_default(),
                    src,
                )
            }
            SYSCALL_CREAT_X => {
                let mut name = p_str(ev, 1).to_vec();
                let mut src = (false, 1);
                if ev.nparams() > 3 {
                    dev = p_u32(ev, 3);
                }
                if let Some(e) = &enter_ev
                    && e.nparams() >= 1
                    && usable(p_str(e, 0), p_bytes(e, 0).len())
                {
                    name = p_str(e, 0).to_vec();
                    src = (true, 0);
                }
                (
                    name,
                    0,
                    self.threads
                        .cwd(tid)
                        .map(<[u8]>::to_vec)
                        .unwrap_or_default(),
                    src,
                )
            }
            SYSCALL_OPENAT_X => {
                let Some(e) = &enter_ev else { return };
                let name = p_str(e, 1).to_vec();
                let flags = p_u32(e, 2);
                let dirfd = p_i64(e, 0);
                let sdir = self.parse_dirfd(tid, &name, dirfd, meta);
                (name, flags, sdir, (true, 1))
            }
            SYSCALL_OPENAT_2_X | SYSCALL_OPENAT2_X => {
                let mut name = p_str(ev, 2).to_vec();
                let mut src = (false, 2);
                let mut flags = p_u32(ev, 3);
                let mut dirfd = p_i64(ev, 1);
                if ty == SYSCALL_OPENAT_2_X && ev.nparams() > 5 {
                    dev = p_u32(ev, 5);
                }
                if let Some(e) = &enter_ev
                    && e.nparams() >= 3
                    && usable(p_str(e, 1), p_bytes(e, 1).len())
                {
                    name = p_str(e, 1).to_vec();
                    src = (true, 1);
                    flags = p_u32(e, 2);
                    dirfd = p_i64(e, 0);
                }
                let sdir = self.parse_dirfd(tid, &name, dirfd, meta);
                (name, flags, sdir, src)
            }
            _ => return,
        };
        // libsinsp joins the parameter as the event declares it (see
        // `concatenate_param`).
        let fullpath = {
            let e = if src.0 { enter_ev.as_ref() } else { Some(ev) };
            match e {
                Some(e) => {
                    let raw = p_bytes(e, src.1);
                    let tail = if raw.is_empty() {
                        e.param_tail(src.1)
                    } else {
                        &[]
                    };
                    crate::path::concatenate_param(&sdir, raw, tail)
                }
                None => crate::path::concatenate(&sdir, &name),
            }
        };
        if fd >= 0 {
            let mut f = FdInfo {
                ty: if flags & PPM_O_DIRECTORY != 0 {
                    fd_type::DIRECTORY
                } else {
                    fd_type::FILE_V2
                },
                openflags: flags,
                dev,
                ..Default::default()
            };
            f.flags |= if fullpath == b"/dev/null" {
                ff::IS_TRACER_FILE
            } else {
                ff::IS_NOT_TRACER_FD
            };
            f.name = fullpath;
            meta.fd = self.add_fd(tid, fd, f);
        }
    }

    fn add_socket(
        &mut self,
        tid: i64,
        fd: i64,
        domain: u32,
        ty: u32,
        protocol: u32,
        meta: &mut EventMeta,
    ) {
        const IPPROTO_IP: u32 = 0;
        const IPPROTO_ICMP: u32 = 1;
        const IPPROTO_TCP: u32 = 6;
        const IPPROTO_UDP: u32 = 17;
        const IPPROTO_RAW: u32 = 255;
        const SOCK_STREAM: u32 = 1;
        const SOCK_DGRAM: u32 = 2;
        const SOCK_RAW: u32 = 3;
        let mut f = FdInfo {
            ty: fd_type::UNKNOWN,
            ..Default::default()
        };
        f.sock.clear_v4();
        if domain == u32::from(PPM_AF_UNIX) {
            f.ty = fd_type::UNIX_SOCK;
        } else if domain == u32::from(PPM_AF_INET) || domain == u32::from(PPM_AF_INET6) {
            f.ty = if domain == u32::from(PPM_AF_INET) {
                fd_type::IPV4_SOCK
            } else {
                fd_type::IPV6_SOCK
            };
            let raw_or = |p| if ty == SOCK_RAW { l4::RAW } else { p };
            let proto = match protocol {
                IPPROTO_TCP => raw_or(l4::TCP),
                IPPROTO_UDP => raw_or(l4::UDP),
                IPPROTO_IP => match ty & 0xff {
                    SOCK_STREAM => l4::TCP,
                    SOCK_DGRAM => l4::UDP,
                    _ => l4::UNKNOWN,
                },
                IPPROTO_ICMP => raw_or(l4::ICMP),
                IPPROTO_RAW => l4::RAW,
                _ => l4::UNKNOWN,
            };
            if domain == u32::from(PPM_AF_INET) {
                f.sock.set_v4_l4proto(proto);
            } else {
                f.sock.clear_v6();
                f.sock.set_v6_l4proto(proto);
            }
        } else if domain == PPM_AF_NETLINK {
            f.ty = fd_type::NETLINK;
        }
        if f.ty == fd_type::UNKNOWN {
            return;
        }
        meta.fd = self.add_fd(tid, fd, f);
    }

    fn infer_sendto_fdinfo(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let fd = p_i64(ev, 0);
        if fd < 0 {
            return;
        }
        let family = p_bytes(ev, 2).first().copied().unwrap_or(0);
        // The host's AF_INET (2) and AF_INET6 (10) equal the PPM values.
        if family == PPM_AF_INET || family == PPM_AF_INET6 {
            self.add_socket(tid, fd, u32::from(family), 2, 17, meta);
        }
    }

    fn parse_socket_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let fd = p_i64(ev, 0);
        if fd < 0 {
            return;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let Some(st) = self.retrieve_enter_event(ev, meta) else {
            return;
        };
        let Some(e) = st.event() else { return };
        let (domain, ty, proto) = (p_u32(&e, 0), p_u32(&e, 1), p_u32(&e, 2));
        self.add_socket(tid, fd, domain, ty, proto, meta);
    }

    fn parse_bind_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        if self.event_fd(meta).is_none() || p_i64(ev, 0) < 0 {
            return;
        }
        let b = p_bytes(ev, 1);
        if b.is_empty() {
            return;
        }
        let name = sockaddr_text(b);
        let Some(f) = self.fd_mut(meta) else { return };
        match b[0] {
            PPM_AF_INET => {
                let (ip, port) = (u32_at(b, 1), u16_at(b, 5));
                if port > 0 {
                    let proto = f.sock.v4_l4proto();
                    f.ty = fd_type::IPV4_SERVSOCK;
                    f.sock.set_v4s_ip(ip);
                    f.sock.set_v4s_port(port);
                    f.sock.set_v4s_l4proto(proto);
                    f.set_role_server();
                }
            }
            PPM_AF_INET6 => {
                let ip = arr16_at(b, 1);
                let port = u16_at(b, 17);
                if port > 0 {
                    if fd::is_ipv4_mapped_ipv6(&ip) {
                        let proto = f.sock.v6_l4proto();
                        f.ty = fd_type::IPV4_SERVSOCK;
                        f.sock.set_v4s_l4proto(proto);
                        f.sock.set_v4s_ip(u32_at(b, 13));
                        f.sock.set_v4s_port(port);
                    } else {
                        let proto = f.sock.v6_l4proto();
                        f.ty = fd_type::IPV6_SERVSOCK;
                        f.sock.set_v6s_port(port);
                        f.sock.set_v6s_ip(ip);
                        f.sock.set_v6s_l4proto(proto);
                    }
                    f.set_role_server();
                }
            }
            _ => {}
        }
        f.name = name;
    }

    fn parse_connect_enter(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        if ev.nparams() < 2 {
            return;
        }
        let b = p_bytes(ev, 1);
        if b.is_empty() {
            return;
        }
        let name = sockaddr_text(b);
        let Some(f) = self.fd_mut(meta) else { return };
        match b[0] {
            PPM_AF_INET => {
                f.ty = fd_type::IPV4_SOCK;
                f.sock.set_v4_dip(u32_at(b, 1));
                f.sock.set_v4_dport(u16_at(b, 5));
            }
            PPM_AF_INET6 => {
                let port = u16_at(b, 17);
                let ip = arr16_at(b, 1);
                if fd::is_ipv4_mapped_ipv6(&ip) {
                    f.ty = fd_type::IPV4_SOCK;
                    f.sock.set_v4_dip(u32_at(b, 13));
                    f.sock.set_v4_dport(port);
                } else {
                    f.ty = fd_type::IPV6_SOCK;
                    f.sock.set_v6_dport(port);
                    f.sock.set_v6_dip(ip);
                }
            }
            _ => {
                f.name = name;
                f.sock.set_unix_source(u64_at(b, 1));
                f.sock.set_unix_dest(u64_at(b, 9));
            }
        }
    }

    /// `set_ipv4_addresses_and_ports` and friends: returns whether the tuple
    /// changed.
    fn update_ipv4(f: &mut FdInfo, sip: u32, sport: u16, dip: u32, dport: u16) -> bool {
        let s = &mut f.sock;
        if f.ty == fd_type::IPV4_SOCK
            && ((sip == s.v4_sip()
                && sport == s.v4_sport()
                && dip == s.v4_dip()
                && dport == s.v4_dport())
                || (dip == s.v4_sip()
                    && dport == s.v4_sport()
                    && sip == s.v4_dip()
                    && sport == s.v4_dport()))
        {
            return false;
        }
        let mut changed = false;
        if s.v4_sip() != sip {
            s.set_v4_sip(sip);
            changed = true;
        }
        if s.v4_sport() != sport {
            s.set_v4_sport(sport);
            changed = true;
        }
        if s.v4_dip() == 0 {
            s.set_v4_dip(dip);
            changed = true;
        }
        if s.v4_dport() == 0 {
            s.set_v4_dport(dport);
            changed = true;
        }
        changed
    }

    fn update_ipv6(f: &mut FdInfo, sip: [u8; 16], sport: u16, dip: [u8; 16], dport: u16) -> bool {
        let s = &mut f.sock;
        if f.ty == fd_type::IPV6_SOCK
            && ((sip == s.v6_sip()
                && sport == s.v6_sport()
                && dip == s.v6_dip()
                && dport == s.v6_dport())
                || (dip == s.v6_sip()
                    && dport == s.v6_sport()
                    && sip == s.v6_dip()
                    && sport == s.v6_dport()))
        {
            return false;
        }
        let mut changed = false;
        if s.v6_sip() != sip {
            s.set_v6_sip(sip);
            changed = true;
        }
        if s.v6_sport() != sport {
            s.set_v6_sport(sport);
            changed = true;
        }
        if s.v6_dip() == [0u8; 16] {
            s.set_v6_dip(dip);
            changed = true;
        }
        if s.v6_dport() == 0 {
            s.set_v6_dport(dport);
            changed = true;
        }
        changed
    }

    fn set_from_tuple_v4(f: &mut FdInfo, b: &[u8]) -> bool {
        Self::update_ipv4(f, u32_at(b, 1), u16_at(b, 5), u32_at(b, 7), u16_at(b, 11))
    }
    fn set_from_tuple_v4_mapped(f: &mut FdInfo, b: &[u8]) -> bool {
        Self::update_ipv4(
            f,
            u32_at(b, 13),
            u16_at(b, 17),
            u32_at(b, 31),
            u16_at(b, 35),
        )
    }
    fn set_from_tuple_v6(f: &mut FdInfo, b: &[u8]) -> bool {
        Self::update_ipv6(
            f,
            arr16_at(b, 1),
            u16_at(b, 17),
            arr16_at(b, 19),
            u16_at(b, 35),
        )
    }

    fn swap_addresses(f: &mut FdInfo) {
        let s = &mut f.sock;
        if f.ty == fd_type::IPV4_SOCK {
            let (ip, port) = (s.v4_sip(), s.v4_sport());
            s.set_v4_sip(s.v4_dip());
            s.set_v4_sport(s.v4_dport());
            s.set_v4_dip(ip);
            s.set_v4_dport(port);
        } else {
            let (ip, port) = (s.v6_sip(), s.v6_sport());
            s.set_v6_sip(s.v6_dip());
            s.set_v6_sport(s.v6_dport());
            s.set_v6_dip(ip);
            s.set_v6_dport(port);
        }
    }

    /// `fill_client_socket_info` (connect exit).
    fn fill_client_socket_info(&mut self, b: &[u8], meta: &EventMeta) {
        let Some(f) = self.fd_mut(meta) else { return };
        let family = b[0];
        if family == PPM_AF_INET || family == PPM_AF_INET6 {
            let changed = if family == PPM_AF_INET6 {
                let (s6, d6) = (arr16_at(b, 1), arr16_at(b, 19));
                if !(fd::is_ipv4_mapped_ipv6(&s6) && fd::is_ipv4_mapped_ipv6(&d6)) {
                    f.ty = fd_type::IPV6_SOCK;
                    Self::set_from_tuple_v6(f, b)
                } else {
                    f.ty = fd_type::IPV4_SOCK;
                    Self::set_from_tuple_v4_mapped(f, b)
                }
            } else {
                f.ty = fd_type::IPV4_SOCK;
                Self::set_from_tuple_v4(f, b)
            };
            if changed && f.is_role_server() && f.is_udp_socket() {
                Self::swap_addresses(f);
            }
            f.name = fd::sockinfo_name(f);
        } else {
            f.name = socktuple_text(b);
            f.sock.set_unix_source(u64_at(b, 1));
            f.sock.set_unix_dest(u64_at(b, 9));
        }
        if f.is_role_none() {
            f.set_role_client();
        }
    }

    fn parse_connect_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let Some(f) = self.fd_mut(meta) else { return };
        let ret = p_i64(ev, 0);
        if ret < 0 && ret != -SE_EINPROGRESS {
            return;
        }
        f.flags |= ff::SOCKET_CONNECTED;
        let b = p_bytes(ev, 1);
        if b.is_empty() {
            return;
        }
        self.fill_client_socket_info(b, meta);
    }

    fn parse_accept_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let fd = p_i64(ev, 0);
        if fd < 0 {
            return;
        }
        if let Some(t) = self.threads.get_mut(tid) {
            t.lastevent_fd = fd;
        }
        let b = p_bytes(ev, 1);
        if b.is_empty() {
            return;
        }
        let mut f = FdInfo::default();
        match b[0] {
            PPM_AF_INET => {
                Self::set_from_tuple_v4(&mut f, b);
                f.ty = fd_type::IPV4_SOCK;
                f.sock.set_v4_l4proto(l4::TCP);
            }
            PPM_AF_INET6 => {
                let (s6, d6) = (arr16_at(b, 1), arr16_at(b, 19));
                if fd::is_ipv4_mapped_ipv6(&s6) && fd::is_ipv4_mapped_ipv6(&d6) {
                    Self::set_from_tuple_v4_mapped(&mut f, b);
                    f.ty = fd_type::IPV4_SOCK;
                    f.sock.set_v4_l4proto(l4::TCP);
                } else {
                    Self::set_from_tuple_v6(&mut f, b);
                    f.ty = fd_type::IPV6_SOCK;
                    f.sock.set_v6_l4proto(l4::TCP);
                }
            }
            PPM_AF_UNIX => {
                f.ty = fd_type::UNIX_SOCK;
                f.sock.set_unix_source(u64_at(b, 1));
                f.sock.set_unix_dest(u64_at(b, 9));
            }
            _ => return,
        }
        f.name = socktuple_text(b);
        f.flags = ff::ROLE_SERVER | ff::SOCKET_CONNECTED;
        meta.fd = self.add_fd(tid, fd, f);
    }

    fn parse_close_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ret = p_i64(ev, 0);
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if ret >= 0 {
            let Some(f) = self.fd_mut(meta) else { return };
            if f.flags & ff::CLOSE_CANCELED != 0 {
                f.flags &= !ff::CLOSE_CANCELED;
                if self.threads.fd(tid, CANCELED_FD_NUMBER).is_some() {
                    self.erase_fd(tid, CANCELED_FD_NUMBER);
                }
            } else {
                let last = self.threads.get(tid).map_or(-1, |t| t.lastevent_fd);
                self.erase_fd(tid, last);
            }
        } else if let Some(f) = self.fd_mut(meta) {
            f.flags &= !ff::CLOSE_IN_PROGRESS;
        }
    }

    fn parse_pipe_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        if p_i64(ev, 0) < 0 {
            return;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let (fd1, fd2, ino) = (p_i64(ev, 1), p_i64(ev, 2), p_u64(ev, 3));
        for fdn in [fd1, fd2] {
            let f = FdInfo {
                ty: fd_type::FIFO,
                ino,
                ..Default::default()
            };
            meta.fd = self.add_fd(tid, fdn, f);
        }
    }

    fn parse_socketpair_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        if p_i64(ev, 0) < 0 {
            return;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let mut f = FdInfo {
            ty: fd_type::UNIX_SOCK,
            ..Default::default()
        };
        f.sock.set_unix_source(p_u64(ev, 3));
        f.sock.set_unix_dest(p_u64(ev, 4));
        meta.fd = self.add_fd(tid, p_i64(ev, 1), f.clone());
        self.add_fd(tid, p_i64(ev, 2), f);
    }

    fn add_typed_fd(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta, ty: u8) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let fd = p_i64(ev, 0);
        if fd < 0 {
            return;
        }
        meta.fd = self.add_fd(
            tid,
            fd,
            FdInfo {
                ty,
                ..Default::default()
            },
        );
    }

    /// Makes `newfd` a copy of the event's fd (dup, fcntl F_DUPFD).
    fn dup_fd_to(&mut self, _ev: &RawEvent<'_>, meta: &mut EventMeta, newfd: i64) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let Some(f) = self.event_fd(meta).cloned() else {
            return;
        };
        meta.fd = self.add_fd(tid, newfd, f);
    }

    fn parse_dup_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        let ret = p_i64(ev, 0);
        if ret < 0 {
            return;
        }
        if let Some(t) = self.threads.get_mut(tid) {
            if ret == 0 {
                t.flags |= cl::PIPE_DST;
            }
            if ret == 1 {
                t.flags |= cl::PIPE_SRC;
            }
        }
        self.dup_fd_to(ev, meta, ret);
    }

    fn parse_rlimit_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if p_i64(ev, 0) < 0 {
            return;
        }
        let Some(st) = self.retrieve_enter_event(ev, meta) else {
            return;
        };
        let Some(e) = st.event() else { return };
        let resource = e.param(0).and_then(|b| b.first().copied()).unwrap_or(0);
        if resource == PPM_RLIMIT_NOFILE {
            let cur = p_i64(ev, 1);
            if cur != -1
                && let Some(m) = self.threads.main_tid(tid)
                && let Some(t) = self.threads.get_mut(m)
            {
                t.fdlimit = cur;
            }
        }
    }

    fn parse_prlimit_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        if p_i64(ev, 0) < 0 {
            return;
        }
        let Some(st) = self.retrieve_enter_event(ev, meta) else {
            return;
        };
        let Some(e) = st.event() else { return };
        let resource = e.param(1).and_then(|b| b.first().copied()).unwrap_or(0);
        if resource == PPM_RLIMIT_NOFILE {
            let newcur = p_i64(ev, 1);
            if newcur != -1 {
                let mut tid = p_i64(&e, 0);
                if tid == 0 {
                    tid = ev.tid as i64;
                }
                if self.get_thread_ref(tid, true).is_none() {
                    return;
                }
                if let Some(m) = self.threads.main_tid(tid)
                    && let Some(t) = self.threads.get_mut(m)
                {
                    t.fdlimit = newcur;
                }
            }
        }
    }

    fn parse_context_switch(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if ev.ty != SCHEDSWITCH_6_E {
            return;
        }
        let (maj, min) = (p_u64(ev, 1), p_u64(ev, 2));
        let (vs, vr, vw) = (p_u32(ev, 3), p_u32(ev, 4), p_u32(ev, 5));
        if let Some(t) = self.threads.get_mut(tid) {
            t.pfmajor = maj;
            t.pfminor = min;
        }
        if let Some(m) = self.threads.main_tid(tid)
            && let Some(t) = self.threads.get_mut(m)
        {
            t.vmsize_kb = vs;
            t.vmrss_kb = vr;
            t.vmswap_kb = vw;
        }
    }

    fn parse_setid_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta, uid: bool) {
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if p_i64(ev, 0) < 0 {
            return;
        }
        let Some(st) = self.retrieve_enter_event(ev, meta) else {
            return;
        };
        let Some(e) = st.event() else { return };
        // setuid/setgid: the id is param 0; setresuid/setresgid: the
        // effective id is param 1.
        let idx = if matches!(ev.ty, SYSCALL_SETRESUID_X | SYSCALL_SETRESGID_X) {
            1
        } else {
            0
        };
        let id = p_u32(&e, idx);
        if id == u32::MAX {
            return;
        }
        if let Some(m) = self.threads.main_tid(tid)
            && let Some(t) = self.threads.get_mut(m)
        {
            if uid {
                t.uid = id;
            } else {
                t.gid = id;
            }
        }
    }

    fn parse_container_json(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let json = p_str(ev, 0);
        let Some(c) = ContainerInfo::from_json(json) else {
            return;
        };
        if !c.successful {
            meta.filtered_out = true;
        }
        let mut t = ThreadInfo::new(-1);
        t.pid = -1;
        t.vtid = -2;
        t.vpid = -2;
        t.comm = b"container:".to_vec();
        t.comm.extend_from_slice(&c.id);
        t.container_id = c.id.clone();
        self.container_thread = Some(t);
        meta.thread = ThreadRef::Container;
        self.containers.insert(c.id.clone(), c);
    }

    fn parse_rw_exit(&mut self, ev: &RawEvent<'_>, meta: &mut EventMeta) {
        let ty = ev.ty;
        let ret = p_i64(ev, 0);
        let eflags = event_info(ty).map_or(0, |i| i.flags);
        let Some(f) = self.event_fd(meta) else { return };
        // Tracer (span) writes to /dev/null are recognised by the spans
        // analysis, which keeps its own state; the fd flags stay as they are.
        let _ = f;
        if ret < 0 {
            return;
        }
        let ThreadRef::Table(tid) = meta.thread else {
            return;
        };
        if let Some(f) = self.fd_mut(meta)
            && (f.ty == fd_type::IPV4_SOCK || f.ty == fd_type::IPV6_SOCK)
        {
            f.flags |= ff::SOCKET_CONNECTED;
        }
        let reads = eflags & ef::READS_FROM_FD != 0;
        let tupleparam = match ty {
            SOCKET_RECVFROM_X if reads => Some(2),
            SOCKET_RECVMSG_X if reads => Some(3),
            SOCKET_SENDTO_X | SOCKET_SENDMSG_X if !reads => Some(2),
            _ => None,
        };
        let Some(tp) = tupleparam else { return };
        let needs = self
            .event_fd(meta)
            .is_some_and(|f| f.name.is_empty() || !f.is_tcp_socket());
        if !needs {
            return;
        }
        let tuple: Vec<u8> = if reads {
            p_bytes(ev, tp).to_vec()
        } else {
            let Some(st) = self.retrieve_enter_event(ev, meta) else {
                return;
            };
            let Some(e) = st.event() else { return };
            p_bytes(&e, tp).to_vec()
        };
        if !self.update_fd(&tuple, meta) {
            return;
        }
        let Some(fty) = self.event_fd(meta).map(|f| f.ty) else {
            return;
        };
        if fty == fd_type::IPV4_SOCK || fty == fd_type::IPV6_SOCK {
            let guess = self.event_fd(meta).is_some_and(|f| f.is_role_none());
            if guess {
                let (dport, sport) = self
                    .event_fd(meta)
                    .map_or((0, 0), |f| (f.sock.v4_dport(), f.sock.v4_sport()));
                let role_server =
                    self.is_bound_to_port(tid, dport) && !self.uses_client_port(tid, sport);
                let bound = self.is_bound_to_port(tid, dport);
                if let Some(f) = self.fd_mut(meta) {
                    if bound && !role_server {
                        // libsinsp's "wild guess": the direction of the call.
                        if reads {
                            f.set_role_server();
                        } else {
                            f.set_role_client();
                        }
                    } else if role_server {
                        f.set_role_server();
                    } else {
                        f.set_role_client();
                    }
                }
            }
            if let Some(f) = self.fd_mut(meta) {
                let swap = if reads {
                    f.is_role_client()
                } else {
                    f.is_role_server()
                };
                if swap {
                    Self::swap_addresses(f);
                }
                f.name = fd::sockinfo_name(f);
            }
        } else if let Some(f) = self.fd_mut(meta) {
            f.name = socktuple_text(&tuple);
        }
    }

    fn is_bound_to_port(&self, tid: i64, port: u16) -> bool {
        self.threads.fds(tid).is_some_and(|t| {
            t.map.values().any(|f| {
                (f.ty == fd_type::IPV4_SOCK && f.sock.v4_dport() == port)
                    || (f.ty == fd_type::IPV4_SERVSOCK && f.sock.v4s_port() == port)
            })
        })
    }

    fn uses_client_port(&self, tid: i64, port: u16) -> bool {
        self.threads.fds(tid).is_some_and(|t| {
            t.map
                .values()
                .any(|f| f.ty == fd_type::IPV4_SOCK && f.sock.v4_sport() == port)
        })
    }

    /// `sinsp_parser::update_fd`: takes the tuple of a datagram call.
    fn update_fd(&mut self, b: &[u8], meta: &EventMeta) -> bool {
        if b.is_empty() {
            return false;
        }
        let family = b[0];
        let Some(f) = self.fd_mut(meta) else {
            return false;
        };
        match family {
            PPM_AF_INET => {
                if f.ty == fd_type::IPV4_SERVSOCK {
                    let p = f.sock.v4s_l4proto();
                    f.sock.set_v4_l4proto(p);
                }
                f.ty = fd_type::IPV4_SOCK;
                if !Self::set_from_tuple_v4(f, b) {
                    return false;
                }
            }
            PPM_AF_INET6 => {
                let (s6, d6) = (arr16_at(b, 1), arr16_at(b, 19));
                if fd::is_ipv4_mapped_ipv6(&s6) && fd::is_ipv4_mapped_ipv6(&d6) {
                    f.ty = fd_type::IPV4_SOCK;
                    if !Self::set_from_tuple_v4_mapped(f, b) {
                        return false;
                    }
                } else if !Self::set_from_tuple_v6(f, b) {
                    return false;
                }
            }
            PPM_AF_UNIX => {
                f.ty = fd_type::UNIX_SOCK;
                f.sock.set_unix_source(u64_at(b, 1));
                f.sock.set_unix_dest(u64_at(b, 9));
                f.name = cstr_at(b, 17).to_vec();
                return true;
            }
            _ => {}
        }
        if f.ty == fd_type::IPV4_SOCK && f.sock.v4_l4proto() == l4::UNKNOWN {
            f.sock.set_v4_l4proto(l4::UDP);
        } else if f.ty == fd_type::IPV6_SOCK && f.sock.v6_l4proto() == l4::UNKNOWN {
            f.sock.set_v6_l4proto(l4::UDP);
        }
        let mut copy = f.clone();
        self.infer_local_address(&mut copy);
        if let Some(f) = self.fd_mut(meta) {
            *f = copy;
        }
        true
    }
}
