//! Opening a capture the way libsinsp does (`sinsp::init` on a file).

use sonde_event::RawEvent;
use sonde_scap::records::{InterfaceRecord, MachineInfo, ThreadRecord, UserList};
use sonde_scap::{Block, FdRecord};

use crate::State;

const CONTAINER_E: u16 = 228;
const CONTAINER_JSON_E: u16 = 272;
const CONTAINER_JSON_2_E: u16 = 324;

/// The opening of a capture: metadata blocks are held until the first
/// event; the container events that open the capture are parsed (and shown
/// to nobody) before the thread table is imported; then threads with their
/// fds, interfaces and users are imported in libsinsp's order, and its
/// fix-ups run. Every event source feeds its blocks through one of these.
#[derive(Debug, Default)]
pub struct Opening {
    imported: bool,
    machine: Option<MachineInfo>,
    threads: Vec<Vec<ThreadRecord>>,
    fds: Vec<(u64, Vec<FdRecord>)>,
    ifaces: Vec<Vec<InterfaceRecord>>,
    users: Vec<UserList>,
}

impl Opening {
    /// Holds a metadata block; returns it back when it is not one.
    pub fn stage<'a>(&mut self, b: Block<'a>) -> Option<Block<'a>> {
        match b {
            Block::MachineInfo(m) => self.machine = Some(m),
            Block::Threads(t) => self.threads.push(t),
            Block::Fds { tid, fds } => self.fds.push((tid, fds)),
            Block::Interfaces(i) => self.ifaces.push(i),
            Block::Users(u) => self.users.push(u),
            other => return Some(other),
        }
        None
    }

    /// Call before delivering an event: returns `false` when the event was
    /// consumed by the opening (a leading container event, already parsed).
    #[inline]
    pub fn before_event(&mut self, state: &mut State, ev: &RawEvent<'_>) -> bool {
        if self.imported {
            return true;
        }
        if matches!(ev.ty, CONTAINER_E | CONTAINER_JSON_E | CONTAINER_JSON_2_E) {
            state.process(ev);
            return false;
        }
        self.import_into(state);
        true
    }

    /// Imports what was staged (at the first event, or at the end of a
    /// capture without events).
    pub fn import_into(&mut self, state: &mut State) {
        if self.imported {
            return;
        }
        if let Some(m) = &self.machine {
            state.import_machine_info(m);
        }
        for t in &self.threads {
            state.import_threads(t);
        }
        for (tid, fds) in &self.fds {
            state.import_fds(*tid, fds);
        }
        for i in &self.ifaces {
            state.import_interfaces(i);
        }
        for u in &self.users {
            state.import_users(u);
        }
        state.finish_import();
        *self = Opening {
            imported: true,
            ..Opening::default()
        };
    }
}
