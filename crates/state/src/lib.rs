//! The state engine: what libsinsp keeps while it reads events.
//!
//! [`State`] holds the thread table (with each process's file descriptors),
//! users and groups, network interfaces and containers. It is filled from a
//! capture's metadata blocks ([`State::import_threads`] …) and then updated
//! by every event ([`State::process`]), exactly as libsinsp at e5c53d64 (the
//! base of Debian's sysdig 0.29.3) updates its own, so that fields and
//! printed lines come out the same. It never reads the local /proc.

mod container;
pub mod evt;
pub mod fd;
mod import;
mod opening;
mod parser;
pub mod path;
pub mod thread;

pub use container::{ContainerInfo, container_id_from_cgroups};
pub use fd::{FdInfo, FdTable, SockInfo};
pub use opening::Opening;
pub use thread::{ThreadInfo, ThreadTable};

use rustc_hash::FxHashMap;
use sonde_event::RawEvent;
use sonde_event::render::{FdRef, Resolver};

/// A user of the user list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    pub name: Vec<u8>,
    pub homedir: Vec<u8>,
    pub shell: Vec<u8>,
}

/// A group of the group list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub gid: u32,
    pub name: Vec<u8>,
}

/// An IPv4 interface address (for guessing the local end of a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Iface {
    pub addr: u32,
    pub netmask: u32,
}

/// Which thread an event belongs to, as the fields see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRef {
    /// No thread (`m_tinfo == NULL`).
    None,
    /// A thread of the table.
    Table(i64),
    /// The made-up thread of a container event (tid -1, comm
    /// `container:<id>`), held in [`State::container_thread`].
    Container,
}

/// What the state engine decided about one event; consumers (filters,
/// printers, analyses) read it together with the [`State`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMeta {
    /// `evt.num`: counts every event the engine saw, from 1.
    pub num: u64,
    pub thread: ThreadRef,
    /// The fd the event works on (`evt->m_fdinfo`): `(tid whose table holds
    /// it, fd number)`.
    pub fd: Option<(i64, i64)>,
    /// The errno of a failed call, positive (`m_errorcode`).
    pub errorcode: i32,
    /// Whether the event must not be shown (state-only events, filtered
    /// events).
    pub filtered_out: bool,
    /// The thread's latency at this event (exit minus enter), ns.
    pub latency: u64,
}

/// The state of everything the events describe.
#[derive(Debug, Default)]
pub struct State {
    pub threads: ThreadTable,
    pub users: FxHashMap<u32, User>,
    pub groups: FxHashMap<u32, Group>,
    pub ipv4_ifaces: Vec<Ipv4Iface>,
    pub ipv6_ifaces: Vec<[u8; 16]>,
    pub containers: FxHashMap<Vec<u8>, ContainerInfo>,
    pub hostname: Vec<u8>,
    /// The thread of the last container event.
    pub container_thread: Option<ThreadInfo>,
    /// Events seen so far (`m_nevts`).
    pub nevents: u64,
    /// The timestamp of the first event (for `evt.reltime`).
    pub first_ts: u64,
    /// Removals libsinsp delays to the next event, so that the event that
    /// caused them can still be printed with its fd and thread.
    pending_fd_removals: Vec<i64>,
    pending_fd_removal_tid: i64,
    pending_thread_removal: Option<i64>,
    /// Listening ports of the sockets read from the capture's fd lists.
    server_ports: rustc_hash::FxHashSet<u16>,
}

impl State {
    pub fn new() -> Self {
        State::default()
    }

    /// The thread an event belongs to.
    #[inline]
    pub fn thread(&self, r: ThreadRef) -> Option<&ThreadInfo> {
        match r {
            ThreadRef::None => None,
            ThreadRef::Table(tid) => self.threads.get(tid),
            ThreadRef::Container => self.container_thread.as_ref(),
        }
    }

    /// The fd an event works on.
    #[inline]
    pub fn event_fd(&self, meta: &EventMeta) -> Option<&FdInfo> {
        let (owner, fd) = meta.fd?;
        self.threads.get(owner)?.fds.get(fd)
    }

    /// The main thread of `t`'s process.
    #[inline]
    pub fn main_thread<'a>(&'a self, t: &'a ThreadInfo) -> Option<&'a ThreadInfo> {
        if t.is_main_thread() {
            Some(t)
        } else {
            self.threads.get(t.pid)
        }
    }

    /// The parent of `t`.
    pub fn parent<'a>(&'a self, t: &'a ThreadInfo) -> Option<&'a ThreadInfo> {
        self.threads.get(t.ptid)
    }

    /// The thread whose state an event's fields and parameters read
    /// (`sinsp_evt::get_thread_info`): the one the engine attached, else a
    /// lookup of the event's tid.
    #[inline]
    pub fn event_thread(&self, tid: u64, meta: &EventMeta) -> Option<&ThreadInfo> {
        match meta.thread {
            ThreadRef::None => self.threads.get(tid as i64),
            r => self.thread(r),
        }
    }

    /// A resolver for rendering the parameters of an event of `meta`.
    #[inline]
    pub fn resolver<'a>(&'a self, tid: u64, meta: &EventMeta) -> StateResolver<'a> {
        StateResolver {
            state: self,
            thread: self.event_thread(tid, meta),
        }
    }
}

/// Answers the renderer's questions from the state, for one event's thread.
pub struct StateResolver<'a> {
    state: &'a State,
    thread: Option<&'a ThreadInfo>,
}

impl Resolver for StateResolver<'_> {
    fn has_thread(&self) -> bool {
        self.thread.is_some()
    }

    fn fd(&self, fd: i64) -> Option<FdRef<'_>> {
        let t = self.thread?;
        let owner = if t.shares_fds() {
            self.state.main_thread(t)?
        } else {
            t
        };
        let info = owner.fds.get(fd)?;
        let l4_char = match info.ty {
            fd::fd_type::IPV4_SOCK
            | fd::fd_type::IPV6_SOCK
            | fd::fd_type::IPV4_SERVSOCK
            | fd::fd_type::IPV6_SERVSOCK => match info.l4proto() {
                fd::l4::TCP => Some(b't'),
                fd::l4::UDP => Some(b'u'),
                fd::l4::ICMP => Some(b'i'),
                fd::l4::RAW => Some(b'r'),
                _ => None,
            },
            _ => None,
        };
        Some(FdRef {
            type_char: info.typechar(),
            l4_char,
            name: info.name.as_slice(),
        })
    }

    fn comm(&self, tid: i64) -> Option<&[u8]> {
        self.state.threads.get(tid).map(|t| t.comm.as_slice())
    }

    fn cwd(&self) -> Option<&[u8]> {
        let t = self.thread?;
        Some(match self.state.main_thread(t) {
            Some(m) => m.cwd.as_slice(),
            None => b"./",
        })
    }

    fn user_name(&self, uid: u32) -> Option<&[u8]> {
        self.state.users.get(&uid).map(|u| u.name.as_slice())
    }

    fn group_name(&self, gid: u32) -> Option<&[u8]> {
        self.state.groups.get(&gid).map(|g| g.name.as_slice())
    }
}

/// A filter the engine runs at the point libsinsp runs its own: before the
/// event is parsed for events that do not change state, after it for those
/// that do. Returning `false` drops the event.
pub type FilterFn<'f> = dyn FnMut(&State, &RawEvent<'_>, &EventMeta) -> bool + 'f;
