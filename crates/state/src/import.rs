//! Filling the state from a capture's metadata blocks (what libscap reads
//! before the first event and libsinsp imports).

use sonde_scap::FdRecord;
use sonde_scap::records::{FdRecordKind, InterfaceRecord, MachineInfo, ThreadRecord, UserList};

use crate::fd::{self, FdInfo, fd_type, flags};
use crate::thread::{ThreadInfo, clone_flags};
use crate::{Group, Ipv4Iface, State, User, container_id_from_cgroups};

impl State {
    pub fn import_machine_info(&mut self, mi: &MachineInfo) {
        self.hostname = mi.hostname.clone();
    }

    /// Imports a process-list block (`sinsp_threadinfo::init`).
    pub fn import_threads(&mut self, recs: &[ThreadRecord]) {
        for r in recs {
            let mut t = ThreadInfo::new(r.tid as i64);
            t.pid = r.pid as i64;
            t.ptid = r.ptid as i64;
            t.sid = r.sid;
            t.vpgid = r.vpgid;
            t.comm = r.comm.clone();
            t.exe = r.exe.clone();
            t.exepath = r.exepath.clone();
            t.exe_writable = r.exe_writable;
            t.set_args(&r.args);
            if t.is_main_thread() {
                t.set_env(&r.env);
                let mut c = crate::path::concatenate(b"", &r.cwd);
                if c.last() != Some(&b'/') {
                    c.push(b'/');
                }
                t.cwd = c;
            }
            t.flags |= r.flags | clone_flags::ACTIVE;
            t.fdlimit = r.fdlimit as i64;
            t.uid = r.uid;
            t.gid = r.gid;
            t.vmsize_kb = r.vmsize_kb;
            t.vmrss_kb = r.vmrss_kb;
            t.vmswap_kb = r.vmswap_kb;
            t.pfmajor = r.pfmajor;
            t.pfminor = r.pfminor;
            t.vtid = r.vtid;
            t.vpid = r.vpid;
            t.tty = r.tty;
            t.loginuid = r.loginuid;
            t.set_cgroups(&r.cgroups);
            t.root = r.root.clone();
            t.container_id = container_id_from_cgroups(&t.cgroups);
            // A later process list for the same tid replaces it, keeping
            // the fds an fd list may already have attached.
            if let Some(old) = self.threads.take(t.tid) {
                t.fds = old.fds;
            }
            self.threads.add(t);
        }
    }

    /// What libsinsp does once the metadata is in: counts each process's
    /// threads (`create_child_dependencies`, which makes up a main thread it
    /// cannot find) and turns around the IPv4 sockets read from /proc whose
    /// local port is a listening port (`fix_sockets_coming_from_proc`).
    pub fn finish_import(&mut self) {
        let mut pids: Vec<i64> = self
            .threads
            .values()
            .filter(|t| t.flags & clone_flags::CLONE_THREAD != 0)
            .map(|t| t.pid)
            .collect();
        pids.sort_unstable();
        for pid in pids {
            if let Some(m) = self.get_thread_ref(pid, true) {
                m.nchilds += 1;
            }
        }
        let ports = std::mem::take(&mut self.server_ports);
        for t in self.threads.values_mut() {
            for f in t.fds.map.values_mut() {
                if f.ty != fd_type::IPV4_SOCK {
                    continue;
                }
                if ports.contains(&f.sock.v4_sport()) {
                    let (ip, port) = (f.sock.v4_sip(), f.sock.v4_sport());
                    f.sock.set_v4_sip(f.sock.v4_dip());
                    f.sock.set_v4_dip(ip);
                    f.sock.set_v4_sport(f.sock.v4_dport());
                    f.sock.set_v4_dport(port);
                    f.name = fd::ipv4_tuple_name(
                        f.sock.v4_sip(),
                        f.sock.v4_sport(),
                        f.sock.v4_dip(),
                        f.sock.v4_dport(),
                    );
                    f.set_role_server();
                } else {
                    f.set_role_client();
                }
            }
        }
        self.server_ports = ports;
    }

    /// Imports an fd-list block (`add_fd_from_scap`).
    pub fn import_fds(&mut self, tid: u64, recs: &[FdRecord]) {
        let tid = tid as i64;
        if !self.threads.contains(tid) {
            // libscap rejects the file here; we keep going without them.
            return;
        }
        let mut infos = Vec::with_capacity(recs.len());
        // libsinsp builds every fd of a thread in one scratch fdinfo and
        // sets only the socket fields the record has, so bytes of the
        // previous record's addresses show through the union where the
        // new one leaves a gap (the padding byte of a server address, say).
        // Sysdig's output depends on it; so does ours.
        let mut scratch = crate::SockInfo::default();
        for r in recs {
            if let Some(info) = self.fd_from_record(r, scratch) {
                scratch = info.sock;
                infos.push((r.fd, info));
            }
        }
        if let Some(t) = self.threads.get_mut(tid) {
            for (fdn, info) in infos {
                t.fds.map.insert(fdn, info);
            }
        }
    }

    fn fd_from_record(&mut self, r: &FdRecord, scratch: crate::SockInfo) -> Option<FdInfo> {
        let mut f = FdInfo {
            flags: flags::FROM_PROC,
            ino: r.ino,
            sock: scratch,
            ..Default::default()
        };
        match &r.kind {
            FdRecordKind::Ipv4Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                f.ty = fd_type::IPV4_SOCK;
                f.sock.set_v4_sip(*sip);
                f.sock.set_v4_dip(*dip);
                f.sock.set_v4_sport(*sport);
                f.sock.set_v4_dport(*dport);
                f.sock.set_v4_l4proto(*l4proto);
                if *l4proto == fd::l4::TCP {
                    f.flags |= flags::SOCKET_CONNECTED;
                }
                f.name = fd::ipv4_tuple_name(
                    f.sock.v4_sip(),
                    f.sock.v4_sport(),
                    f.sock.v4_dip(),
                    f.sock.v4_dport(),
                );
            }
            FdRecordKind::Ipv4Server { ip, port, l4proto } => {
                f.ty = fd_type::IPV4_SERVSOCK;
                f.sock.set_v4s_ip(*ip);
                f.sock.set_v4s_port(*port);
                f.sock.set_v4s_l4proto(*l4proto);
                f.name = fd::ipv4_server_name(*ip, *port);
                self.server_ports.insert(*port);
            }
            FdRecordKind::Ipv6Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                if fd::is_ipv4_mapped_ipv6(sip) && fd::is_ipv4_mapped_ipv6(dip) {
                    f.ty = fd_type::IPV4_SOCK;
                    f.sock
                        .set_v4_sip(u32::from_le_bytes([sip[12], sip[13], sip[14], sip[15]]));
                    f.sock
                        .set_v4_dip(u32::from_le_bytes([dip[12], dip[13], dip[14], dip[15]]));
                    f.sock.set_v4_sport(*sport);
                    f.sock.set_v4_dport(*dport);
                    f.sock.set_v4_l4proto(*l4proto);
                    if *l4proto == fd::l4::TCP {
                        f.flags |= flags::SOCKET_CONNECTED;
                    }
                    f.name = fd::ipv4_tuple_name(
                        f.sock.v4_sip(),
                        f.sock.v4_sport(),
                        f.sock.v4_dip(),
                        f.sock.v4_dport(),
                    );
                } else {
                    f.ty = fd_type::IPV6_SOCK;
                    f.sock.set_v6_sip(*sip);
                    f.sock.set_v6_dip(*dip);
                    f.sock.set_v6_sport(*sport);
                    f.sock.set_v6_dport(*dport);
                    f.sock.set_v6_l4proto(*l4proto);
                    if *l4proto == fd::l4::TCP {
                        f.flags |= flags::SOCKET_CONNECTED;
                    }
                    f.name = fd::ipv6_tuple_name(*sip, *sport, *dip, *dport);
                }
            }
            FdRecordKind::Ipv6Server { ip, port, l4proto } => {
                f.ty = fd_type::IPV6_SERVSOCK;
                f.sock.set_v6s_ip(*ip);
                f.sock.set_v6s_port(*port);
                f.sock.set_v6s_l4proto(*l4proto);
                f.name = fd::ipv6_server_name(*ip, *port);
                self.server_ports.insert(*port);
            }
            FdRecordKind::Unix { source, dest, path } => {
                f.ty = fd_type::UNIX_SOCK;
                f.sock.set_unix_source(*source);
                f.sock.set_unix_dest(*dest);
                f.name = path.clone();
                if f.name.is_empty() {
                    f.set_role_client();
                } else {
                    f.set_role_server();
                }
            }
            FdRecordKind::File {
                open_flags,
                name,
                dev,
            } => {
                f.ty = fd_type::FILE_V2;
                f.openflags = *open_flags;
                f.name = name.clone();
                f.dev = *dev;
                f.flags |= tracer_flag(&f.name);
            }
            FdRecordKind::Named { ty, name } => {
                f.ty = *ty;
                f.name = name.clone();
                f.flags |= tracer_flag(&f.name);
            }
        }
        Some(f)
    }

    /// Imports a user-list block.
    pub fn import_users(&mut self, ul: &UserList) {
        for u in &ul.users {
            self.users.insert(
                u.uid,
                User {
                    uid: u.uid,
                    gid: u.gid,
                    name: u.name.clone(),
                    homedir: u.homedir.clone(),
                    shell: u.shell.clone(),
                },
            );
        }
        for g in &ul.groups {
            self.groups.insert(
                g.gid,
                Group {
                    gid: g.gid,
                    name: g.name.clone(),
                },
            );
        }
    }

    /// Imports an interface-list block.
    pub fn import_interfaces(&mut self, ifs: &[InterfaceRecord]) {
        for i in ifs {
            match i {
                InterfaceRecord::V4 { addr, netmask, .. } => self.ipv4_ifaces.push(Ipv4Iface {
                    addr: *addr,
                    netmask: *netmask,
                }),
                InterfaceRecord::V6 { addr, .. } => self.ipv6_ifaces.push(*addr),
            }
        }
    }

    /// `sinsp_network_interfaces::update_fd`: fills a zero local or remote
    /// IPv4 address from the interfaces.
    pub(crate) fn infer_local_address(&self, f: &mut FdInfo) {
        if f.ty == fd_type::IPV4_SOCK {
            let (sip, dip) = (f.sock.v4_sip(), f.sock.v4_dip());
            if sip != 0 && dip != 0 {
                return;
            }
            if sip == 0 {
                let n = self.infer_ipv4(dip);
                if n == dip && f.sock.v4_sport() == f.sock.v4_dport() {
                    return;
                }
                f.sock.set_v4_sip(n);
            } else {
                let n = self.infer_ipv4(sip);
                if n == sip && f.sock.v4_sport() == f.sock.v4_dport() {
                    return;
                }
                f.sock.set_v4_dip(n);
            }
        } else if f.ty == fd_type::IPV6_SOCK {
            let (sip, dip) = (f.sock.v6_sip(), f.sock.v6_dip());
            let empty = [0u8; 16];
            if sip != empty && dip != empty {
                return;
            }
            if sip == empty {
                let n = self.infer_ipv6(dip);
                if n == dip && f.sock.v6_sport() == f.sock.v6_dport() {
                    return;
                }
                f.sock.set_v6_sip(n);
            } else {
                let n = self.infer_ipv6(sip);
                if n == sip && f.sock.v6_sport() == f.sock.v6_dport() {
                    return;
                }
                f.sock.set_v6_dip(n);
            }
        }
    }

    fn infer_ipv4(&self, dest: u32) -> u32 {
        const LOOPBACK: u32 = 0x0100_007f;
        if let Some(i) = self.ipv4_ifaces.iter().find(|i| i.addr == dest) {
            return i.addr;
        }
        if let Some(i) = self
            .ipv4_ifaces
            .iter()
            .find(|i| i.addr & i.netmask == dest & i.netmask)
        {
            return i.addr;
        }
        self.ipv4_ifaces
            .iter()
            .find(|i| i.addr != LOOPBACK)
            .map_or(0, |i| i.addr)
    }

    fn infer_ipv6(&self, dest: [u8; 16]) -> [u8; 16] {
        let mut loopback = [0u8; 16];
        loopback[15] = 1;
        if let Some(a) = self.ipv6_ifaces.iter().find(|a| **a == dest) {
            return *a;
        }
        if let Some(a) = self.ipv6_ifaces.iter().find(|a| a[..8] == dest[..8]) {
            return *a;
        }
        self.ipv6_ifaces
            .iter()
            .find(|a| **a != loopback)
            .copied()
            .unwrap_or([0u8; 16])
    }
}

fn tracer_flag(name: &[u8]) -> u32 {
    if name == b"/dev/null" {
        flags::IS_TRACER_FILE
    } else {
        flags::IS_NOT_TRACER_FD
    }
}
