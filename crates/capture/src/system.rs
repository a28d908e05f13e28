//! The machine's network interfaces and its users and groups, as a live
//! capture's header blocks record them (libscap reads the same at start:
//! `getifaddrs` and the password and group files).

use std::path::Path;

use sonde_scap::{GroupRecord, InterfaceRecord, UserList, UserRecord};

/// Every IPv4 and IPv6 address of every interface (`getifaddrs`), in its
/// order. Link speeds are not known here and are 0, as libscap records them.
#[allow(unsafe_code)]
pub fn interfaces() -> Vec<InterfaceRecord> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below; nothing
    // else holds it.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, alive
        // until freeifaddrs.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: a NUL-terminated name, per getifaddrs.
        let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) }
            .to_bytes()
            .to_vec();
        // SAFETY: ifa_addr is non-null; its family says which sockaddr it is.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        match family {
            libc::AF_INET => {
                // SAFETY: an AF_INET address is a sockaddr_in; the netmask
                // and broadcast, when present, are too.
                let v4 = |p: *const libc::sockaddr| {
                    if p.is_null() {
                        0
                    } else {
                        unsafe { (*(p as *const libc::sockaddr_in)).sin_addr.s_addr }
                    }
                };
                // libscap writes the addresses as they are in memory
                // (network order), read back little-endian.
                let to_le = |a: u32| u32::from_le_bytes(a.to_ne_bytes());
                out.push(InterfaceRecord::V4 {
                    name,
                    addr: to_le(v4(ifa.ifa_addr)),
                    netmask: to_le(v4(ifa.ifa_netmask)),
                    bcast: to_le(v4(ifa.ifa_ifu)),
                    linkspeed: 0,
                });
            }
            libc::AF_INET6 => {
                // SAFETY: as above, for sockaddr_in6.
                let v6 = |p: *const libc::sockaddr| {
                    if p.is_null() {
                        [0u8; 16]
                    } else {
                        unsafe { (*(p as *const libc::sockaddr_in6)).sin6_addr.s6_addr }
                    }
                };
                out.push(InterfaceRecord::V6 {
                    name,
                    addr: v6(ifa.ifa_addr),
                    netmask: v6(ifa.ifa_netmask),
                    bcast: v6(ifa.ifa_ifu),
                    linkspeed: 0,
                });
            }
            _ => {}
        }
    }
    // SAFETY: the list getifaddrs gave, freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// The users and groups of the password and group files under `etc`
/// (lines that do not parse are skipped, as getpwent skips them).
pub fn users(etc: &Path) -> UserList {
    let read = |name: &str| std::fs::read(etc.join(name)).unwrap_or_default();
    let mut ul = UserList::default();
    for line in read("passwd").split(|&b| b == b'\n') {
        let f: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        if f.len() < 7 {
            continue;
        }
        let num = |b: &[u8]| std::str::from_utf8(b).ok()?.parse::<u32>().ok();
        let (Some(uid), Some(gid)) = (num(f[2]), num(f[3])) else {
            continue;
        };
        ul.users.push(UserRecord {
            uid,
            gid,
            name: f[0].to_vec(),
            homedir: f[5].to_vec(),
            shell: f[6].to_vec(),
        });
    }
    for line in read("group").split(|&b| b == b'\n') {
        let f: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        if f.len() < 3 {
            continue;
        }
        let Some(gid) = std::str::from_utf8(f[2]).ok().and_then(|g| g.parse().ok()) else {
            continue;
        };
        ul.groups.push(GroupRecord {
            gid,
            name: f[0].to_vec(),
        });
    }
    ul
}
