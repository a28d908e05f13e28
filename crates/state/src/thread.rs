//! Threads (`sinsp_threadinfo`) and the thread table.

use std::cell::Cell;

use rustc_hash::FxHashMap;

use crate::fd::FdTable;

/// Clone flags kept on a thread (`PPM_CL_*`).
pub mod clone_flags {
    pub const CLONE_FILES: u32 = 1 << 0;
    pub const CLONE_FS: u32 = 1 << 1;
    pub const CLONE_THREAD: u32 = 1 << 13;
    pub const CLONE_INVERTED: u32 = 1 << 16;
    pub const NAME_CHANGED: u32 = 1 << 17;
    pub const CLOSED: u32 = 1 << 18;
    pub const ACTIVE: u32 = 1 << 19;
    pub const PIPE_SRC: u32 = 1 << 21;
    pub const PIPE_DST: u32 = 1 << 22;
    pub const CHILD_IN_PIDNS: u32 = 1 << 29;
    pub const IS_MAIN_THREAD: u32 = 1 << 30;
}

/// One thread. Process-wide state (cwd, fds when shared, env) lives on the
/// main thread and is reached through the table.
#[derive(Debug, Clone, Default)]
pub struct ThreadInfo {
    pub tid: i64,
    pub pid: i64,
    pub ptid: i64,
    pub sid: i64,
    pub vpgid: i64,
    pub comm: Vec<u8>,
    pub exe: Vec<u8>,
    pub exepath: Vec<u8>,
    pub exe_writable: bool,
    /// The arguments as the event carried them: NUL-separated (see
    /// [`ThreadInfo::args`]). Kept raw so that a clone or an execve is one
    /// copy, not one allocation per argument.
    pub args: Vec<u8>,
    /// The environment, NUL-separated (see [`ThreadInfo::env`]).
    pub env: Vec<u8>,
    /// NUL-separated `subsystem=path` (see [`ThreadInfo::cgroups`]).
    pub cgroups: Vec<u8>,
    /// Always ends with `/`; on the main thread.
    pub cwd: Vec<u8>,
    pub root: Vec<u8>,
    pub flags: u32,
    pub fdlimit: i64,
    pub uid: u32,
    pub gid: u32,
    pub loginuid: u32,
    pub tty: u32,
    pub vtid: i64,
    pub vpid: i64,
    pub vmsize_kb: u32,
    pub vmrss_kb: u32,
    pub vmswap_kb: u32,
    pub pfmajor: u64,
    pub pfminor: u64,
    pub nchilds: u64,
    pub clone_ts: u64,
    pub container_id: Vec<u8>,
    /// The fds of this thread; unused when it shares its main thread's.
    pub fds: FdTable,

    // Event-pairing state.
    pub lastevent_fd: i64,
    /// The type of the last enter event (`PPM_EVENT_MAX` when reset).
    pub lastevent_type: u16,
    pub lastevent_valid: bool,
    /// The last stored enter event's bytes (v2 header) and cpu.
    pub lastevent_data: Vec<u8>,
    pub lastevent_cpu: u16,
    /// Whether the stored enter event has a v1 header.
    pub lastevent_v1: bool,
    pub latency: u64,
    pub last_latency_entertime: u64,
}

/// The value `lastevent_type` takes when no enter event is pending.
pub const NO_EVENT: u16 = u16::MAX;

impl ThreadInfo {
    /// A thread as `sinsp_threadinfo::init` leaves it (note `lastevent_fd`
    /// starts at 0, so an exit event seen without its enter reads fd 0).
    pub fn new(tid: i64) -> Self {
        ThreadInfo {
            tid,
            pid: tid,
            ptid: -1,
            sid: -1,
            vpgid: -1,
            vtid: -1,
            vpid: -1,
            fdlimit: -1,
            flags: clone_flags::NAME_CHANGED,
            lastevent_fd: 0,
            lastevent_type: NO_EVENT,
            ..Default::default()
        }
    }

    /// The thread libsinsp makes up for a tid it has never seen when it
    /// cannot ask the OS (reading a file).
    pub fn unknown(tid: i64) -> Self {
        ThreadInfo {
            comm: b"<NA>".to_vec(),
            exe: b"<NA>".to_vec(),
            uid: u32::MAX,
            gid: u32::MAX,
            loginuid: u32::MAX,
            ..ThreadInfo::new(tid)
        }
    }

    pub fn is_main_thread(&self) -> bool {
        self.tid == self.pid || self.flags & clone_flags::IS_MAIN_THREAD != 0
    }

    /// Whether fds live on the main thread.
    pub fn shares_fds(&self) -> bool {
        self.flags & clone_flags::CLONE_FILES != 0
    }

    /// `set_args`: NUL-separated arguments.
    pub fn set_args(&mut self, raw: &[u8]) {
        self.args.clear();
        self.args.extend_from_slice(raw);
    }

    /// `set_env`.
    pub fn set_env(&mut self, raw: &[u8]) {
        self.env.clear();
        self.env.extend_from_slice(raw);
    }

    /// `set_cgroups`.
    pub fn set_cgroups(&mut self, raw: &[u8]) {
        self.cgroups.clear();
        self.cgroups.extend_from_slice(raw);
    }

    /// The arguments, split as `sinsp_threadinfo::set_args` splits them.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        split_nul_iter(&self.args)
    }

    /// The environment, split as `set_env` splits it: a remainder of NULs
    /// only ends the list.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        let raw = &self.env;
        let mut off = 0usize;
        std::iter::from_fn(move || {
            if off >= raw.len() {
                return None;
            }
            let rest = &raw[off..];
            if rest[0] == 0 && rest.iter().all(|&c| c == 0) {
                off = raw.len();
                return None;
            }
            let n = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
            off += n + 1;
            Some(&rest[..n])
        })
    }

    /// The `(subsystem, path)` pairs as `set_cgroups` makes them: split at
    /// the last `=`, `_cgroup` dropped from subsystem names, `perf`, `mem`
    /// and `io` renamed; an entry without `=` ends the list.
    pub fn cgroups(&self) -> Vec<(Vec<u8>, &[u8])> {
        let mut out = Vec::new();
        for entry in split_nul_iter(&self.cgroups) {
            let Some(eq) = entry.iter().rposition(|&c| c == b'=') else {
                break;
            };
            let mut subsys = entry[..eq].to_vec();
            if let Some(p) = memchr_find(&subsys, b"_cgroup") {
                subsys.drain(p..p + 7);
            }
            match subsys.as_slice() {
                b"perf" => subsys = b"perf_event".to_vec(),
                b"mem" => subsys = b"memory".to_vec(),
                b"io" => subsys = b"blkio".to_vec(),
                _ => {}
            }
            out.push((subsys, &entry[eq + 1..]));
        }
        out
    }
}

/// Splits a NUL-separated list the way libsinsp does: each element runs to
/// the next NUL, so a trailing NUL makes no empty last element and inner
/// empty strings are kept.
pub fn split_nul_iter(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut off = 0usize;
    std::iter::from_fn(move || {
        if off >= raw.len() {
            return None;
        }
        let rest = &raw[off..];
        let n = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        off += n + 1;
        Some(&rest[..n])
    })
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// All threads, by tid.
///
/// Threads live in a slab indexed by a hash map, with a one-entry cache of
/// the last tid looked up: consecutive events mostly come from the same
/// thread, and the engine asks for it several times per event.
#[derive(Debug)]
pub struct ThreadTable {
    slots: Vec<Option<ThreadInfo>>,
    free: Vec<u32>,
    index: FxHashMap<i64, u32>,
    /// `(tid, slot)` of the last two lookups (a thread and its main
    /// thread, typically), most recent first; a slot is valid while its tid
    /// is in the table. `i64::MIN` marks an empty entry.
    last: Cell<[(i64, u32); 2]>,
}

const NO_TID: i64 = i64::MIN;

/// libsinsp's default `m_max_thread_table_size`.
pub const MAX_THREAD_TABLE_SIZE: usize = 131_072;

impl Default for ThreadTable {
    fn default() -> Self {
        ThreadTable {
            slots: Vec::new(),
            free: Vec::new(),
            index: FxHashMap::default(),
            last: Cell::new([(NO_TID, 0); 2]),
        }
    }
}

impl ThreadTable {
    #[inline]
    fn slot(&self, tid: i64) -> Option<usize> {
        let [a, b] = self.last.get();
        if a.0 == tid {
            return Some(a.1 as usize);
        }
        if b.0 == tid {
            self.last.set([b, a]);
            return Some(b.1 as usize);
        }
        let s = *self.index.get(&tid)?;
        self.last.set([(tid, s), a]);
        Some(s as usize)
    }

    #[inline]
    pub fn get(&self, tid: i64) -> Option<&ThreadInfo> {
        let s = self.slot(tid)?;
        self.slots[s].as_ref()
    }

    #[inline]
    pub fn get_mut(&mut self, tid: i64) -> Option<&mut ThreadInfo> {
        let s = self.slot(tid)?;
        self.slots[s].as_mut()
    }

    #[inline]
    pub fn contains(&self, tid: i64) -> bool {
        self.slot(tid).is_some()
    }

    /// How many threads the table holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &ThreadInfo> {
        self.slots.iter().filter_map(Option::as_ref)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut ThreadInfo> {
        self.slots.iter_mut().filter_map(Option::as_mut)
    }

    /// Removes and returns thread `tid`.
    pub fn take(&mut self, tid: i64) -> Option<ThreadInfo> {
        let s = self.index.remove(&tid)?;
        let [a, b] = self.last.get();
        self.last.set([
            if a.0 == tid { (NO_TID, 0) } else { a },
            if b.0 == tid { (NO_TID, 0) } else { b },
        ]);
        self.free.push(s);
        self.slots[s as usize].take()
    }

    /// The tid of the main thread of `tid`'s process: itself for a main
    /// thread, else its pid if that thread is known.
    #[inline]
    pub fn main_tid(&self, tid: i64) -> Option<i64> {
        let t = self.get(tid)?;
        if t.is_main_thread() {
            Some(tid)
        } else if self.contains(t.pid) {
            Some(t.pid)
        } else {
            None
        }
    }

    /// The tid whose fd table `tid` uses.
    #[inline]
    pub fn fd_owner(&self, tid: i64) -> Option<i64> {
        let t = self.get(tid)?;
        if t.shares_fds() {
            self.main_tid(tid)
        } else {
            Some(tid)
        }
    }

    #[inline]
    pub fn fds(&self, tid: i64) -> Option<&FdTable> {
        let owner = self.fd_owner(tid)?;
        self.get(owner).map(|t| &t.fds)
    }

    pub fn fds_mut(&mut self, tid: i64) -> Option<&mut FdTable> {
        let owner = self.fd_owner(tid)?;
        self.get_mut(owner).map(|t| &mut t.fds)
    }

    #[inline]
    pub fn fd(&self, tid: i64, fd: i64) -> Option<&crate::FdInfo> {
        self.fds(tid)?.get(fd)
    }

    pub fn fd_mut(&mut self, tid: i64, fd: i64) -> Option<&mut crate::FdInfo> {
        self.fds_mut(tid)?.get_mut(fd)
    }

    /// The working directory of `tid` (its main thread's).
    #[inline]
    pub fn cwd(&self, tid: i64) -> Option<&[u8]> {
        let m = self.main_tid(tid)?;
        self.get(m).map(|t| t.cwd.as_slice())
    }

    /// `set_cwd`: resolves `path` against the current cwd of the main thread
    /// and keeps a trailing `/`.
    pub fn set_cwd(&mut self, tid: i64, path: &[u8]) {
        let Some(m) = self.main_tid(tid) else { return };
        let Some(t) = self.get_mut(m) else {
            return;
        };
        let mut c = crate::path::concatenate(&t.cwd, path);
        if c.last() != Some(&b'/') {
            c.push(b'/');
        }
        t.cwd = c;
    }

    /// Adds a thread, replacing one with the same tid; `false` when the
    /// table is full.
    pub fn add(&mut self, t: ThreadInfo) -> bool {
        if let Some(s) = self.slot(t.tid) {
            self.slots[s] = Some(t);
            return true;
        }
        if self.index.len() >= MAX_THREAD_TABLE_SIZE {
            return false;
        }
        let tid = t.tid;
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(t);
                s
            }
            None => {
                self.slots.push(Some(t));
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(tid, s);
        true
    }

    pub fn remove(&mut self, tid: i64) {
        self.take(tid);
    }
}
