//! Checks of the generated tables against the C they were generated from.

use super::*;
use crate::{ParamExtra, ParamType as T, PrintFormat as F, category as c, flags as f};

fn names(ty: usize) -> Vec<&'static str> {
    EVENT_TABLE[ty].params.iter().map(|p| p.name).collect()
}

fn types(ty: usize) -> Vec<T> {
    EVENT_TABLE[ty].params.iter().map(|p| p.ty).collect()
}

fn same_table(extra: ParamExtra, table: &'static [NameValue]) -> bool {
    matches!(extra, ParamExtra::Flags(t) if std::ptr::eq(t, table))
}

#[test]
fn lengths() {
    assert!(EVENT_TABLE.len() >= LEGACY_EVENT_COUNT);
    assert_eq!(EVENT_TABLE.len(), 454);
    assert_eq!(SYSCALL_TABLE.len(), 329);
    assert!(
        EVENT_TABLE
            .iter()
            .all(|e| e.params.len() <= crate::MAX_PARAMS)
    );
    assert!(EVENT_TABLE.iter().all(|e| !e.name.is_empty()));
}

#[test]
fn generic_and_open() {
    let e = &EVENT_TABLE[0];
    assert_eq!(
        (e.name, e.category, e.flags),
        ("syscall", c::OTHER, f::NONE)
    );
    assert_eq!(names(0), ["ID", "nativeID"]);
    assert_eq!(types(0), [T::Syscallid, T::Uint16]);
    assert_eq!(names(1), ["ID"]);

    let e = &EVENT_TABLE[2];
    assert_eq!(e.name, "open");
    assert_eq!(e.category, c::FILE);
    assert_eq!(e.flags, f::CREATES_FD | f::MODIFIES_STATE);
    assert_eq!(types(2), [T::Fspath, T::Flags32, T::Uint32]);
    assert!(same_table(e.params[1].extra, &FILE_FLAGS));
    assert_eq!(e.params[2].fmt, F::Oct);
    assert_eq!(names(3), ["fd", "name", "flags", "mode", "dev"]);
    assert_eq!(EVENT_TABLE[3].params[4].fmt, F::Hex);
    assert_eq!(names(5), ["res"]);
    assert_eq!(types(5), [T::Errno]);
}

#[test]
fn setsockopt_and_ptrace_are_dynamic() {
    assert!(EVENT_TABLE[44].params.is_empty());
    let e = &EVENT_TABLE[45];
    assert_eq!(e.name, "setsockopt");
    assert_eq!(
        names(45),
        ["res", "fd", "level", "optname", "val", "optlen"]
    );
    assert!(same_table(e.params[2].extra, &SOCKOPT_LEVELS));
    assert!(same_table(e.params[3].extra, &SOCKOPT_OPTIONS));
    assert_eq!(e.params[4].ty, T::Dyn);
    assert!(
        matches!(e.params[4].extra, ParamExtra::Dynamic(d) if d.len() == 5 && d[4].ty == T::Reltime)
    );
    let e = &EVENT_TABLE[169];
    assert_eq!(e.name, "ptrace");
    assert!(
        matches!(e.params[1].extra, ParamExtra::Dynamic(d) if std::ptr::eq(d, &PTRACE_DYNAMIC_PARAM))
    );
    assert!(same_table(
        EVENT_TABLE[168].params[0].extra,
        &PTRACE_REQUESTS
    ));
}

#[test]
fn internal_events() {
    let e = &EVENT_TABLE[234];
    assert_eq!((e.name, e.category), ("procinfo", c::INTERNAL));
    assert_eq!(e.flags, f::SKIPPARSERESET | f::DROP_SIMPLE_CONS);
    assert_eq!(EVENT_TABLE[286].name, "infra");
    assert_eq!(EVENT_TABLE[286].category, c::INTERNAL);
    assert_eq!(EVENT_TABLE[196].name, "sysdigevent");
    assert_eq!(EVENT_TABLE[197].flags, f::UNUSED);
    assert_eq!(types(268), [T::Int64, T::Charbufarray, T::CharbufPairArray]);
}

#[test]
fn execve_and_clone3() {
    assert_eq!(EVENT_TABLE[292].name, "execve");
    assert_eq!(names(292), ["filename"]);
    let e = &EVENT_TABLE[293];
    assert_eq!(e.params.len(), 20);
    assert_eq!(e.flags, f::MODIFIES_STATE);
    assert_eq!(e.params[19].name, "flags");
    assert!(same_table(e.params[19].extra, &EXECVE_FLAGS));
    assert_eq!(EXECVE_FLAGS.len(), 1);
    let e = &EVENT_TABLE[335];
    assert_eq!(e.name, "clone3");
    assert_eq!(e.params.len(), 20);
    assert!(same_table(e.params[15].extra, &CLONE_FLAGS));
    assert_eq!(e.params[19].name, "vpid");
}

#[test]
fn seccomp_has_nparams_params() {
    // The C lists "op" and "flags" but declares one parameter.
    assert_eq!(EVENT_TABLE[298].name, "seccomp");
    assert_eq!(names(298), ["op"]);
}

#[test]
fn openat_family() {
    assert_eq!(EVENT_TABLE[306].name, "openat");
    assert_eq!(EVENT_TABLE[306].params[1].extra, ParamExtra::DirFd(0));
    assert_eq!(names(307), ["fd", "dirfd", "name", "flags", "mode", "dev"]);
    assert_eq!(EVENT_TABLE[307].params[2].ty, T::Fsrelpath);
    assert_eq!(EVENT_TABLE[307].params[2].extra, ParamExtra::DirFd(1));
    assert_eq!(EVENT_TABLE[326].name, "openat2");
    assert_eq!(EVENT_TABLE[326].params[1].extra, ParamExtra::DirFd(1)); // the C's slip, kept
    assert_eq!(EVENT_TABLE[327].name, "openat2");
    assert!(same_table(EVENT_TABLE[327].params[5].extra, &OPENAT2_FLAGS));
}

#[test]
fn large_payload() {
    let e = &EVENT_TABLE[322];
    assert_eq!(e.name, "pluginevent");
    assert!(e.large_payload());
    assert_eq!(names(322), ["plugin ID", "event_data"]);
    let e = &EVENT_TABLE[324];
    assert_eq!(e.name, "container");
    assert!(e.large_payload());
    assert_eq!(e.flags, f::MODIFIES_STATE | f::LARGE_PAYLOAD);
    assert_eq!(types(324), [T::Charbuf]);
    assert!(EVENT_TABLE[402].large_payload());
    let large: Vec<usize> = (0..EVENT_TABLE.len())
        .filter(|&i| EVENT_TABLE[i].large_payload())
        .collect();
    assert_eq!(large, [322, 324, 402]);
}

#[test]
fn newer_types() {
    let e = &EVENT_TABLE[337];
    assert_eq!(e.name, "open_by_handle_at");
    assert!(same_table(e.params[2].extra, &FILE_FLAGS_HEAD));
    let e = &EVENT_TABLE[354];
    assert_eq!((e.name, e.category), ("useradded", c::PROCESS));
    assert_eq!(
        names(354),
        ["uid", "gid", "name", "home", "shell", "container_id"]
    );
    assert_eq!(EVENT_TABLE[355].name, "NA");
    assert_eq!(EVENT_TABLE[355].flags, f::UNUSED);
    assert_eq!(EVENT_TABLE[358].name, "groupadded");
    assert_eq!(names(358), ["gid", "name", "container_id"]);
    assert_eq!(EVENT_TABLE[430].params.len(), 32);
    assert_eq!(EVENT_TABLE[453].name, "keyctl");
}

#[test]
fn flag_tables_are_nonempty_and_ordered() {
    for e in &EVENT_TABLE {
        for p in e.params {
            if let ParamExtra::Flags(t) = p.extra {
                assert!(!t.is_empty(), "{}.{}", e.name, p.name);
                assert!(matches!(
                    p.ty,
                    T::Flags8 | T::Flags16 | T::Flags32 | T::Mode
                ));
            }
            if let ParamExtra::Dynamic(d) = p.extra {
                assert!(!d.is_empty());
                assert_eq!(p.ty, T::Dyn);
            }
        }
    }
    assert_eq!(FILE_FLAGS.len(), 16);
    assert_eq!(
        FILE_FLAGS[0],
        NameValue {
            name: "O_LARGEFILE",
            value: 1 << 11
        }
    );
    assert_eq!(
        FILE_FLAGS[14],
        NameValue {
            name: "O_NONE",
            value: 0
        }
    );
    assert_eq!(FILE_FLAGS_HEAD.len(), 19);
    assert_eq!(FCNTL_COMMANDS.len(), 28);
    assert_eq!(
        FCNTL_COMMANDS[27],
        NameValue {
            name: "UNKNOWN",
            value: 0
        }
    );
    assert_eq!(CLONE_FLAGS.len(), 26);
    assert_eq!(SOCKET_FAMILIES[0].name, "AF_NFC");
    assert_eq!(SOCKET_FAMILIES.last().map(|n| n.value), Some(0));
    assert!(!POLL_FLAGS.is_empty());
    assert!(!MOUNT_FLAGS.is_empty() && !PROT_FLAGS.is_empty() && !MMAP_FLAGS.is_empty());
}

#[test]
fn dirfd_points_at_an_fd() {
    for (i, e) in EVENT_TABLE.iter().enumerate() {
        for p in e.params {
            if let ParamExtra::DirFd(k) = p.extra {
                assert_eq!(p.ty, T::Fsrelpath);
                let k = k as usize;
                assert!(k < e.params.len(), "{i} {}", e.name);
                if i == 326 {
                    continue; // openat2 enter: the C names the path itself, see the table
                }
                assert_eq!(e.params[k].ty, T::Fd, "{i} {}.{}", e.name, p.name);
            }
            if p.ty == T::Fsrelpath {
                assert!(matches!(p.extra, ParamExtra::DirFd(_)));
            }
        }
    }
}

#[test]
fn syscalls() {
    assert_eq!(SYSCALL_TABLE[0].name, "<unknown>");
    assert_eq!(
        SYSCALL_TABLE[3],
        SyscallInfo {
            name: "read",
            category: c::IO_READ,
            flags: f::DROP_SIMPLE_CONS
        }
    );
    assert_eq!(SYSCALL_TABLE[5].name, "open");
    assert_eq!(SYSCALL_TABLE[324].name, "execve");
    assert_eq!(SYSCALL_TABLE[328].name, "clone3");
    assert!(SYSCALL_TABLE.iter().all(|s| !s.name.is_empty()));
}

#[test]
fn x86_64_syscalls_route_as_the_driver_does() {
    use crate::{X86_64_SYSCALLS, event_info, native_flags as uf};
    // x86_64's numbers: read 0, open 2, connect 42, execve 59, openat 257, clone3 435.
    let name = |ty: u16| event_info(ty).map(|i| i.name);
    assert_eq!(name(X86_64_SYSCALLS[0].enter), Some("read"));
    assert_eq!(name(X86_64_SYSCALLS[2].exit), Some("open"));
    assert_eq!(name(X86_64_SYSCALLS[42].enter), Some("connect"));
    assert_eq!(name(X86_64_SYSCALLS[59].exit), Some("execve"));
    assert_eq!(name(X86_64_SYSCALLS[257].enter), Some("openat"));
    assert_eq!(name(X86_64_SYSCALLS[435].enter), Some("clone3"));
    // Every pair is an enter event followed by its exit, of one name.
    for (nr, s) in X86_64_SYSCALLS.iter().enumerate() {
        assert_eq!(s.exit, s.enter + 1, "native {nr}");
        assert!(crate::is_enter(s.enter), "native {nr}");
        assert_eq!(name(s.enter), name(s.exit), "native {nr}");
        assert!(usize::from(s.ppm_sc) < SYSCALL_TABLE.len(), "native {nr}");
        // Calls without an entry of the driver's table are the generic pair
        // (some entries are the generic pair too, with flags).
        assert!(s.flags & uf::USED != 0 || s.enter == 0, "native {nr}");
    }
    assert_eq!(X86_64_SYSCALLS[34].flags, uf::USED | uf::ALWAYS_DROP); // pause: generic, with flags
    // Calls without events of their own are the generic pair, named by their code.
    let rt_sigaction = X86_64_SYSCALLS[13];
    assert_eq!((rt_sigaction.enter, rt_sigaction.exit), (0, 1));
    assert_eq!(
        SYSCALL_TABLE[usize::from(rt_sigaction.ppm_sc)].name,
        "rt_sigaction"
    );
    // The routing names each call by its own name where both tables know it.
    assert_eq!(
        SYSCALL_TABLE[usize::from(X86_64_SYSCALLS[0].ppm_sc)].name,
        "read"
    );
    assert_eq!(
        SYSCALL_TABLE[usize::from(X86_64_SYSCALLS[257].ppm_sc)].name,
        "openat"
    );
}
