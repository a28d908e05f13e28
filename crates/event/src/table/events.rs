//! The event table (`g_event_info`), indexed by event type. Generated from the C tables;
//! this is a data table.
//!
//! Types below [`LEGACY_EVENT_COUNT`](super::LEGACY_EVENT_COUNT) are exactly libs e5c53d64's
//! (`driver/event_table.c`), the base of Debian's sysdig 0.29.3; the ones from it on are
//! libs HEAD's. For those newer types the category keeps only the bits this crate knows
//! (HEAD or-s in `EC_SYSCALL`, `EC_TRACEPOINT`, `EC_PLUGIN`, `EC_METAEVENT` or `EC_ITER`),
//! the flags drop HEAD's `EF_CONVERTER_MANAGED`, and HEAD's parameter types this crate has
//! no variant for are mapped onto one of the same width: `PT_ENUMFLAGS{8,16,32}` onto
//! `Flags{8,16,32}` (note: an enum, printed as the one name equal to the value) and
//! `PT_FD32`/`PT_PID32` onto `Int32`. Each such case is noted at its entry.

use super::dynamic::*;
use super::flag_tables::*;
use super::{p, pd, pf, rel};
use crate::{EventInfo, ParamType as T, PrintFormat as F, category as c, flags as f};

pub static EVENT_TABLE: [EventInfo; 454] = [
    // 0: PPME_GENERIC_E
    EventInfo {
        name: "syscall",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("ID", T::Syscallid, F::Dec),
            p("nativeID", T::Uint16, F::Dec),
        ],
    },
    // 1: PPME_GENERIC_X
    EventInfo {
        name: "syscall",
        category: c::OTHER,
        flags: f::NONE,
        params: &[p("ID", T::Syscallid, F::Dec)],
    },
    // 2: PPME_SYSCALL_OPEN_E
    EventInfo {
        name: "open",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("name", T::Fspath, F::Na),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
        ],
    },
    // 3: PPME_SYSCALL_OPEN_X
    EventInfo {
        name: "open",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("name", T::Fspath, F::Na),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
            p("dev", T::Uint32, F::Hex),
        ],
    },
    // 4: PPME_SYSCALL_CLOSE_E
    EventInfo {
        name: "close",
        category: c::IO_OTHER,
        flags: f::DESTROYS_FD | f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 5: PPME_SYSCALL_CLOSE_X
    EventInfo {
        name: "close",
        category: c::IO_OTHER,
        flags: f::DESTROYS_FD | f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 6: PPME_SYSCALL_READ_E
    EventInfo {
        name: "read",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 7: PPME_SYSCALL_READ_X
    EventInfo {
        name: "read",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 8: PPME_SYSCALL_WRITE_E
    EventInfo {
        name: "write",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 9: PPME_SYSCALL_WRITE_X
    EventInfo {
        name: "write",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 10: PPME_SYSCALL_BRK_1_E
    EventInfo {
        name: "brk",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[p("size", T::Uint32, F::Dec)],
    },
    // 11: PPME_SYSCALL_BRK_1_X
    EventInfo {
        name: "brk",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[p("res", T::Uint64, F::Hex)],
    },
    // 12: PPME_SYSCALL_EXECVE_8_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 13: PPME_SYSCALL_EXECVE_8_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
        ],
    },
    // 14: PPME_SYSCALL_CLONE_11_E
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 15: PPME_SYSCALL_CLONE_11_X
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 16: PPME_PROCEXIT_E
    EventInfo {
        name: "procexit",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 17: PPME_PROCEXIT_X
    EventInfo {
        name: "NA1",
        category: c::PROCESS,
        flags: f::UNUSED,
        params: &[],
    },
    // 18: PPME_SOCKET_SOCKET_E
    EventInfo {
        name: "socket",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            pf("domain", T::Flags32, F::Dec, &SOCKET_FAMILIES),
            p("type", T::Uint32, F::Dec),
            p("proto", T::Uint32, F::Dec),
        ],
    },
    // 19: PPME_SOCKET_SOCKET_X
    EventInfo {
        name: "socket",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 20: PPME_SOCKET_BIND_E
    EventInfo {
        name: "bind",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 21: PPME_SOCKET_BIND_X
    EventInfo {
        name: "bind",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("addr", T::Sockaddr, F::Na)],
    },
    // 22: PPME_SOCKET_CONNECT_E
    EventInfo {
        name: "connect",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec), p("addr", T::Sockaddr, F::Na)],
    },
    // 23: PPME_SOCKET_CONNECT_X
    EventInfo {
        name: "connect",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("tuple", T::Socktuple, F::Na)],
    },
    // 24: PPME_SOCKET_LISTEN_E
    EventInfo {
        name: "listen",
        category: c::NET,
        flags: f::USES_FD,
        params: &[p("fd", T::Fd, F::Dec), p("backlog", T::Uint32, F::Dec)],
    },
    // 25: PPME_SOCKET_LISTEN_X
    EventInfo {
        name: "listen",
        category: c::NET,
        flags: f::USES_FD,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 26: PPME_SOCKET_ACCEPT_E
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 27: PPME_SOCKET_ACCEPT_X
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("tuple", T::Socktuple, F::Na),
            p("queuepct", T::Uint8, F::Dec),
        ],
    },
    // 28: PPME_SOCKET_SEND_E
    EventInfo {
        name: "send",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 29: PPME_SOCKET_SEND_X
    EventInfo {
        name: "send",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 30: PPME_SOCKET_SENDTO_E
    EventInfo {
        name: "sendto",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("tuple", T::Socktuple, F::Na),
        ],
    },
    // 31: PPME_SOCKET_SENDTO_X
    EventInfo {
        name: "sendto",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 32: PPME_SOCKET_RECV_E
    EventInfo {
        name: "recv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 33: PPME_SOCKET_RECV_X
    EventInfo {
        name: "recv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 34: PPME_SOCKET_RECVFROM_E
    EventInfo {
        name: "recvfrom",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 35: PPME_SOCKET_RECVFROM_X
    EventInfo {
        name: "recvfrom",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("data", T::Bytebuf, F::Na),
            p("tuple", T::Socktuple, F::Na),
        ],
    },
    // 36: PPME_SOCKET_SHUTDOWN_E
    EventInfo {
        name: "shutdown",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            pf("how", T::Flags8, F::Hex, &SHUTDOWN_HOW),
        ],
    },
    // 37: PPME_SOCKET_SHUTDOWN_X
    EventInfo {
        name: "shutdown",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 38: PPME_SOCKET_GETSOCKNAME_E
    EventInfo {
        name: "getsockname",
        category: c::NET,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 39: PPME_SOCKET_GETSOCKNAME_X
    EventInfo {
        name: "getsockname",
        category: c::NET,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 40: PPME_SOCKET_GETPEERNAME_E
    EventInfo {
        name: "getpeername",
        category: c::NET,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 41: PPME_SOCKET_GETPEERNAME_X
    EventInfo {
        name: "getpeername",
        category: c::NET,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 42: PPME_SOCKET_SOCKETPAIR_E
    EventInfo {
        name: "socketpair",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            pf("domain", T::Flags32, F::Dec, &SOCKET_FAMILIES),
            p("type", T::Uint32, F::Dec),
            p("proto", T::Uint32, F::Dec),
        ],
    },
    // 43: PPME_SOCKET_SOCKETPAIR_X
    EventInfo {
        name: "socketpair",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd1", T::Fd, F::Dec),
            p("fd2", T::Fd, F::Dec),
            p("source", T::Uint64, F::Hex),
            p("peer", T::Uint64, F::Hex),
        ],
    },
    // 44: PPME_SOCKET_SETSOCKOPT_E
    EventInfo {
        name: "setsockopt",
        category: c::NET,
        flags: f::NONE,
        params: &[],
    },
    // 45: PPME_SOCKET_SETSOCKOPT_X
    EventInfo {
        name: "setsockopt",
        category: c::NET,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            pf("level", T::Flags8, F::Dec, &SOCKOPT_LEVELS),
            pf("optname", T::Flags8, F::Dec, &SOCKOPT_OPTIONS),
            pd("val", F::Dec, &SOCKOPT_DYNAMIC_PARAM),
            p("optlen", T::Uint32, F::Dec),
        ],
    },
    // 46: PPME_SOCKET_GETSOCKOPT_E
    EventInfo {
        name: "getsockopt",
        category: c::NET,
        flags: f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 47: PPME_SOCKET_GETSOCKOPT_X
    EventInfo {
        name: "getsockopt",
        category: c::NET,
        flags: f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            pf("level", T::Flags8, F::Dec, &SOCKOPT_LEVELS),
            pf("optname", T::Flags8, F::Dec, &SOCKOPT_OPTIONS),
            pd("val", F::Dec, &SOCKOPT_DYNAMIC_PARAM),
            p("optlen", T::Uint32, F::Dec),
        ],
    },
    // 48: PPME_SOCKET_SENDMSG_E
    EventInfo {
        name: "sendmsg",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("tuple", T::Socktuple, F::Na),
        ],
    },
    // 49: PPME_SOCKET_SENDMSG_X
    EventInfo {
        name: "sendmsg",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 50: PPME_SOCKET_SENDMMSG_E
    EventInfo {
        name: "sendmmsg",
        category: c::IO_WRITE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 51: PPME_SOCKET_SENDMMSG_X
    EventInfo {
        name: "sendmmsg",
        category: c::IO_WRITE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 52: PPME_SOCKET_RECVMSG_E
    EventInfo {
        name: "recvmsg",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 53: PPME_SOCKET_RECVMSG_X
    EventInfo {
        name: "recvmsg",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("data", T::Bytebuf, F::Na),
            p("tuple", T::Socktuple, F::Na),
        ],
    },
    // 54: PPME_SOCKET_RECVMMSG_E
    EventInfo {
        name: "recvmmsg",
        category: c::IO_READ,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 55: PPME_SOCKET_RECVMMSG_X
    EventInfo {
        name: "recvmmsg",
        category: c::IO_READ,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 56: PPME_SOCKET_ACCEPT4_E
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("flags", T::Int32, F::Hex)],
    },
    // 57: PPME_SOCKET_ACCEPT4_X
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("tuple", T::Socktuple, F::Na),
            p("queuepct", T::Uint8, F::Dec),
        ],
    },
    // 58: PPME_SYSCALL_CREAT_E
    EventInfo {
        name: "creat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("name", T::Fspath, F::Na), p("mode", T::Uint32, F::Oct)],
    },
    // 59: PPME_SYSCALL_CREAT_X
    EventInfo {
        name: "creat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("name", T::Fspath, F::Na),
            p("mode", T::Uint32, F::Oct),
            p("dev", T::Uint32, F::Hex),
        ],
    },
    // 60: PPME_SYSCALL_PIPE_E
    EventInfo {
        name: "pipe",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[],
    },
    // 61: PPME_SYSCALL_PIPE_X
    EventInfo {
        name: "pipe",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd1", T::Fd, F::Dec),
            p("fd2", T::Fd, F::Dec),
            p("ino", T::Uint64, F::Dec),
        ],
    },
    // 62: PPME_SYSCALL_EVENTFD_E
    EventInfo {
        name: "eventfd",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[
            p("initval", T::Uint64, F::Dec),
            p("flags", T::Flags32, F::Hex),
        ],
    },
    // 63: PPME_SYSCALL_EVENTFD_X
    EventInfo {
        name: "eventfd",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 64: PPME_SYSCALL_FUTEX_E
    EventInfo {
        name: "futex",
        category: c::IPC,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("addr", T::Uint64, F::Hex),
            pf("op", T::Flags16, F::Hex, &FUTEX_OPERATIONS),
            p("val", T::Uint64, F::Dec),
        ],
    },
    // 65: PPME_SYSCALL_FUTEX_X
    EventInfo {
        name: "futex",
        category: c::IPC,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 66: PPME_SYSCALL_STAT_E
    EventInfo {
        name: "stat",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 67: PPME_SYSCALL_STAT_X
    EventInfo {
        name: "stat",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 68: PPME_SYSCALL_LSTAT_E
    EventInfo {
        name: "lstat",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 69: PPME_SYSCALL_LSTAT_X
    EventInfo {
        name: "lstat",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 70: PPME_SYSCALL_FSTAT_E
    EventInfo {
        name: "fstat",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Na)],
    },
    // 71: PPME_SYSCALL_FSTAT_X
    EventInfo {
        name: "fstat",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 72: PPME_SYSCALL_STAT64_E
    EventInfo {
        name: "stat64",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 73: PPME_SYSCALL_STAT64_X
    EventInfo {
        name: "stat64",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 74: PPME_SYSCALL_LSTAT64_E
    EventInfo {
        name: "lstat64",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 75: PPME_SYSCALL_LSTAT64_X
    EventInfo {
        name: "lstat64",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 76: PPME_SYSCALL_FSTAT64_E
    EventInfo {
        name: "fstat64",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Na)],
    },
    // 77: PPME_SYSCALL_FSTAT64_X
    EventInfo {
        name: "fstat64",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 78: PPME_SYSCALL_EPOLLWAIT_E
    EventInfo {
        name: "epoll_wait",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("maxevents", T::Errno, F::Dec)],
    },
    // 79: PPME_SYSCALL_EPOLLWAIT_X
    EventInfo {
        name: "epoll_wait",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 80: PPME_SYSCALL_POLL_E
    EventInfo {
        name: "poll",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("fds", T::Fdlist, F::Dec), p("timeout", T::Int64, F::Dec)],
    },
    // 81: PPME_SYSCALL_POLL_X
    EventInfo {
        name: "poll",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("fds", T::Fdlist, F::Dec)],
    },
    // 82: PPME_SYSCALL_SELECT_E
    EventInfo {
        name: "select",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 83: PPME_SYSCALL_SELECT_X
    EventInfo {
        name: "select",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 84: PPME_SYSCALL_NEWSELECT_E
    EventInfo {
        name: "select",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 85: PPME_SYSCALL_NEWSELECT_X
    EventInfo {
        name: "select",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 86: PPME_SYSCALL_LSEEK_E
    EventInfo {
        name: "lseek",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("offset", T::Uint64, F::Dec),
            pf("whence", T::Flags8, F::Dec, &LSEEK_WHENCE),
        ],
    },
    // 87: PPME_SYSCALL_LSEEK_X
    EventInfo {
        name: "lseek",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 88: PPME_SYSCALL_LLSEEK_E
    EventInfo {
        name: "llseek",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("offset", T::Uint64, F::Dec),
            pf("whence", T::Flags8, F::Dec, &LSEEK_WHENCE),
        ],
    },
    // 89: PPME_SYSCALL_LLSEEK_X
    EventInfo {
        name: "llseek",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 90: PPME_SYSCALL_IOCTL_2_E
    EventInfo {
        name: "ioctl",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec), p("request", T::Uint64, F::Hex)],
    },
    // 91: PPME_SYSCALL_IOCTL_2_X
    EventInfo {
        name: "ioctl",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::OLD_VERSION,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 92: PPME_SYSCALL_GETCWD_E
    EventInfo {
        name: "getcwd",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 93: PPME_SYSCALL_GETCWD_X
    EventInfo {
        name: "getcwd",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Charbuf, F::Na)],
    },
    // 94: PPME_SYSCALL_CHDIR_E
    EventInfo {
        name: "chdir",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 95: PPME_SYSCALL_CHDIR_X
    EventInfo {
        name: "chdir",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Charbuf, F::Na)],
    },
    // 96: PPME_SYSCALL_FCHDIR_E
    EventInfo {
        name: "fchdir",
        category: c::FILE,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Na)],
    },
    // 97: PPME_SYSCALL_FCHDIR_X
    EventInfo {
        name: "fchdir",
        category: c::FILE,
        flags: f::USES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 98: PPME_SYSCALL_MKDIR_E
    EventInfo {
        name: "mkdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("path", T::Fspath, F::Na), p("mode", T::Uint32, F::Hex)],
    },
    // 99: PPME_SYSCALL_MKDIR_X
    EventInfo {
        name: "mkdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 100: PPME_SYSCALL_RMDIR_E
    EventInfo {
        name: "rmdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("path", T::Fspath, F::Na)],
    },
    // 101: PPME_SYSCALL_RMDIR_X
    EventInfo {
        name: "rmdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 102: PPME_SYSCALL_OPENAT_E
    EventInfo {
        name: "openat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("dirfd", T::Fd, F::Dec),
            p("name", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
        ],
    },
    // 103: PPME_SYSCALL_OPENAT_X
    EventInfo {
        name: "openat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 104: PPME_SYSCALL_LINK_E
    EventInfo {
        name: "link",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[
            p("oldpath", T::Fspath, F::Na),
            p("newpath", T::Fspath, F::Na),
        ],
    },
    // 105: PPME_SYSCALL_LINK_X
    EventInfo {
        name: "link",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 106: PPME_SYSCALL_LINKAT_E
    EventInfo {
        name: "linkat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[
            p("olddir", T::Fd, F::Dec),
            p("oldpath", T::Charbuf, F::Na),
            p("newdir", T::Fd, F::Dec),
            p("newpath", T::Charbuf, F::Na),
        ],
    },
    // 107: PPME_SYSCALL_LINKAT_X
    EventInfo {
        name: "linkat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 108: PPME_SYSCALL_UNLINK_E
    EventInfo {
        name: "unlink",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("path", T::Fspath, F::Na)],
    },
    // 109: PPME_SYSCALL_UNLINK_X
    EventInfo {
        name: "unlink",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 110: PPME_SYSCALL_UNLINKAT_E
    EventInfo {
        name: "unlinkat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("dirfd", T::Fd, F::Dec), p("name", T::Charbuf, F::Na)],
    },
    // 111: PPME_SYSCALL_UNLINKAT_X
    EventInfo {
        name: "unlinkat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 112: PPME_SYSCALL_PREAD_E
    EventInfo {
        name: "pread",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("pos", T::Uint64, F::Dec),
        ],
    },
    // 113: PPME_SYSCALL_PREAD_X
    EventInfo {
        name: "pread",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 114: PPME_SYSCALL_PWRITE_E
    EventInfo {
        name: "pwrite",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("pos", T::Uint64, F::Dec),
        ],
    },
    // 115: PPME_SYSCALL_PWRITE_X
    EventInfo {
        name: "pwrite",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 116: PPME_SYSCALL_READV_E
    EventInfo {
        name: "readv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 117: PPME_SYSCALL_READV_X
    EventInfo {
        name: "readv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("data", T::Bytebuf, F::Na),
        ],
    },
    // 118: PPME_SYSCALL_WRITEV_E
    EventInfo {
        name: "writev",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("size", T::Uint32, F::Dec)],
    },
    // 119: PPME_SYSCALL_WRITEV_X
    EventInfo {
        name: "writev",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 120: PPME_SYSCALL_PREADV_E
    EventInfo {
        name: "preadv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Dec), p("pos", T::Uint64, F::Dec)],
    },
    // 121: PPME_SYSCALL_PREADV_X
    EventInfo {
        name: "preadv",
        category: c::IO_READ,
        flags: f::USES_FD | f::READS_FROM_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("data", T::Bytebuf, F::Na),
        ],
    },
    // 122: PPME_SYSCALL_PWRITEV_E
    EventInfo {
        name: "pwritev",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("size", T::Uint32, F::Dec),
            p("pos", T::Uint64, F::Dec),
        ],
    },
    // 123: PPME_SYSCALL_PWRITEV_X
    EventInfo {
        name: "pwritev",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::WRITES_TO_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("data", T::Bytebuf, F::Na)],
    },
    // 124: PPME_SYSCALL_DUP_E
    EventInfo {
        name: "dup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 125: PPME_SYSCALL_DUP_X
    EventInfo {
        name: "dup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 126: PPME_SYSCALL_SIGNALFD_E
    EventInfo {
        name: "signalfd",
        category: c::SIGNAL,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("mask", T::Uint32, F::Hex),
            p("flags", T::Flags8, F::Hex),
        ],
    },
    // 127: PPME_SYSCALL_SIGNALFD_X
    EventInfo {
        name: "signalfd",
        category: c::SIGNAL,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 128: PPME_SYSCALL_KILL_E
    EventInfo {
        name: "kill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[p("pid", T::Pid, F::Dec), p("sig", T::Sigtype, F::Dec)],
    },
    // 129: PPME_SYSCALL_KILL_X
    EventInfo {
        name: "kill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 130: PPME_SYSCALL_TKILL_E
    EventInfo {
        name: "tkill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[p("tid", T::Pid, F::Dec), p("sig", T::Sigtype, F::Dec)],
    },
    // 131: PPME_SYSCALL_TKILL_X
    EventInfo {
        name: "tkill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 132: PPME_SYSCALL_TGKILL_E
    EventInfo {
        name: "tgkill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[
            p("pid", T::Pid, F::Dec),
            p("tid", T::Pid, F::Dec),
            p("sig", T::Sigtype, F::Dec),
        ],
    },
    // 133: PPME_SYSCALL_TGKILL_X
    EventInfo {
        name: "tgkill",
        category: c::SIGNAL,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 134: PPME_SYSCALL_NANOSLEEP_E
    EventInfo {
        name: "nanosleep",
        category: c::SLEEP,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("interval", T::Reltime, F::Dec)],
    },
    // 135: PPME_SYSCALL_NANOSLEEP_X
    EventInfo {
        name: "nanosleep",
        category: c::SLEEP,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 136: PPME_SYSCALL_TIMERFD_CREATE_E
    EventInfo {
        name: "timerfd_create",
        category: c::TIME,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[
            p("clockid", T::Uint8, F::Dec),
            p("flags", T::Flags8, F::Hex),
        ],
    },
    // 137: PPME_SYSCALL_TIMERFD_CREATE_X
    EventInfo {
        name: "timerfd_create",
        category: c::TIME,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 138: PPME_SYSCALL_INOTIFY_INIT_E
    EventInfo {
        name: "inotify_init",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("flags", T::Flags8, F::Hex)],
    },
    // 139: PPME_SYSCALL_INOTIFY_INIT_X
    EventInfo {
        name: "inotify_init",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 140: PPME_SYSCALL_GETRLIMIT_E
    EventInfo {
        name: "getrlimit",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[pf("resource", T::Flags8, F::Dec, &RLIMIT_RESOURCES)],
    },
    // 141: PPME_SYSCALL_GETRLIMIT_X
    EventInfo {
        name: "getrlimit",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("cur", T::Int64, F::Dec),
            p("max", T::Int64, F::Dec),
        ],
    },
    // 142: PPME_SYSCALL_SETRLIMIT_E
    EventInfo {
        name: "setrlimit",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[pf("resource", T::Flags8, F::Dec, &RLIMIT_RESOURCES)],
    },
    // 143: PPME_SYSCALL_SETRLIMIT_X
    EventInfo {
        name: "setrlimit",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("cur", T::Int64, F::Dec),
            p("max", T::Int64, F::Dec),
        ],
    },
    // 144: PPME_SYSCALL_PRLIMIT_E
    EventInfo {
        name: "prlimit",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[
            p("pid", T::Pid, F::Dec),
            pf("resource", T::Flags8, F::Dec, &RLIMIT_RESOURCES),
        ],
    },
    // 145: PPME_SYSCALL_PRLIMIT_X
    EventInfo {
        name: "prlimit",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("newcur", T::Int64, F::Dec),
            p("newmax", T::Int64, F::Dec),
            p("oldcur", T::Int64, F::Dec),
            p("oldmax", T::Int64, F::Dec),
        ],
    },
    // 146: PPME_SCHEDSWITCH_1_E
    EventInfo {
        name: "switch",
        category: c::SCHEDULER,
        flags: f::SKIPPARSERESET | f::OLD_VERSION | f::DROP_SIMPLE_CONS,
        params: &[p("next", T::Pid, F::Dec)],
    },
    // 147: PPME_SCHEDSWITCH_1_X
    EventInfo {
        name: "NA2",
        category: c::SCHEDULER,
        flags: f::UNUSED | f::SKIPPARSERESET | f::OLD_VERSION,
        params: &[],
    },
    // 148: PPME_DROP_E
    EventInfo {
        name: "drop",
        category: c::INTERNAL,
        flags: f::SKIPPARSERESET,
        params: &[p("ratio", T::Uint32, F::Dec)],
    },
    // 149: PPME_DROP_X
    EventInfo {
        name: "drop",
        category: c::INTERNAL,
        flags: f::SKIPPARSERESET,
        params: &[p("ratio", T::Uint32, F::Dec)],
    },
    // 150: PPME_SYSCALL_FCNTL_E
    EventInfo {
        name: "fcntl",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd", T::Fd, F::Dec),
            pf("cmd", T::Flags8, F::Dec, &FCNTL_COMMANDS),
        ],
    },
    // 151: PPME_SYSCALL_FCNTL_X
    EventInfo {
        name: "fcntl",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::MODIFIES_STATE | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Fd, F::Dec)],
    },
    // 152: PPME_SCHEDSWITCH_6_E
    EventInfo {
        name: "switch",
        category: c::SCHEDULER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("next", T::Pid, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 153: PPME_SCHEDSWITCH_6_X
    EventInfo {
        name: "NA2",
        category: c::SCHEDULER,
        flags: f::UNUSED,
        params: &[],
    },
    // 154: PPME_SYSCALL_EXECVE_13_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 155: PPME_SYSCALL_EXECVE_13_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 156: PPME_SYSCALL_CLONE_16_E
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 157: PPME_SYSCALL_CLONE_16_X
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 158: PPME_SYSCALL_BRK_4_E
    EventInfo {
        name: "brk",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("addr", T::Uint64, F::Hex)],
    },
    // 159: PPME_SYSCALL_BRK_4_X
    EventInfo {
        name: "brk",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Uint64, F::Hex),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 160: PPME_SYSCALL_MMAP_E
    EventInfo {
        name: "mmap",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("addr", T::Uint64, F::Hex),
            p("length", T::Uint64, F::Dec),
            pf("prot", T::Flags32, F::Hex, &PROT_FLAGS),
            pf("flags", T::Flags32, F::Hex, &MMAP_FLAGS),
            p("fd", T::Fd, F::Dec),
            p("offset", T::Uint64, F::Dec),
        ],
    },
    // 161: PPME_SYSCALL_MMAP_X
    EventInfo {
        name: "mmap",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Uint64, F::Hex),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 162: PPME_SYSCALL_MMAP2_E
    EventInfo {
        name: "mmap2",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("addr", T::Uint64, F::Hex),
            p("length", T::Uint64, F::Dec),
            pf("prot", T::Flags32, F::Hex, &PROT_FLAGS),
            pf("flags", T::Flags32, F::Hex, &MMAP_FLAGS),
            p("fd", T::Fd, F::Dec),
            p("pgoffset", T::Uint64, F::Dec),
        ],
    },
    // 163: PPME_SYSCALL_MMAP2_X
    EventInfo {
        name: "mmap2",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Uint64, F::Hex),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 164: PPME_SYSCALL_MUNMAP_E
    EventInfo {
        name: "munmap",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("addr", T::Uint64, F::Hex), p("length", T::Uint64, F::Dec)],
    },
    // 165: PPME_SYSCALL_MUNMAP_X
    EventInfo {
        name: "munmap",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
        ],
    },
    // 166: PPME_SYSCALL_SPLICE_E
    EventInfo {
        name: "splice",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("fd_in", T::Fd, F::Dec),
            p("fd_out", T::Fd, F::Dec),
            p("size", T::Uint64, F::Dec),
            pf("flags", T::Flags32, F::Hex, &SPLICE_FLAGS),
        ],
    },
    // 167: PPME_SYSCALL_SPLICE_X
    EventInfo {
        name: "splice",
        category: c::IO_OTHER,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 168: PPME_SYSCALL_PTRACE_E
    EventInfo {
        name: "ptrace",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[
            pf("request", T::Flags16, F::Dec, &PTRACE_REQUESTS),
            p("pid", T::Pid, F::Dec),
        ],
    },
    // 169: PPME_SYSCALL_PTRACE_X
    EventInfo {
        name: "ptrace",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            pd("addr", F::Hex, &PTRACE_DYNAMIC_PARAM),
            pd("data", F::Hex, &PTRACE_DYNAMIC_PARAM),
        ],
    },
    // 170: PPME_SYSCALL_IOCTL_3_E
    EventInfo {
        name: "ioctl",
        category: c::IO_OTHER,
        flags: f::USES_FD,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("request", T::Uint64, F::Hex),
            p("argument", T::Uint64, F::Hex),
        ],
    },
    // 171: PPME_SYSCALL_IOCTL_3_X
    EventInfo {
        name: "ioctl",
        category: c::IO_OTHER,
        flags: f::USES_FD,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 172: PPME_SYSCALL_EXECVE_14_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 173: PPME_SYSCALL_EXECVE_14_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("env", T::Bytebuf, F::Na),
        ],
    },
    // 174: PPME_SYSCALL_RENAME_E
    EventInfo {
        name: "rename",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 175: PPME_SYSCALL_RENAME_X
    EventInfo {
        name: "rename",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("oldpath", T::Fspath, F::Na),
            p("newpath", T::Fspath, F::Na),
        ],
    },
    // 176: PPME_SYSCALL_RENAMEAT_E
    EventInfo {
        name: "renameat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 177: PPME_SYSCALL_RENAMEAT_X
    EventInfo {
        name: "renameat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("olddirfd", T::Fd, F::Dec),
            rel("oldpath", F::Na, 1),
            p("newdirfd", T::Fd, F::Dec),
            rel("newpath", F::Na, 3),
        ],
    },
    // 178: PPME_SYSCALL_SYMLINK_E
    EventInfo {
        name: "symlink",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 179: PPME_SYSCALL_SYMLINK_X
    EventInfo {
        name: "symlink",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("target", T::Charbuf, F::Na),
            p("linkpath", T::Fspath, F::Na),
        ],
    },
    // 180: PPME_SYSCALL_SYMLINKAT_E
    EventInfo {
        name: "symlinkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 181: PPME_SYSCALL_SYMLINKAT_X
    EventInfo {
        name: "symlinkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("target", T::Charbuf, F::Na),
            p("linkdirfd", T::Fd, F::Dec),
            rel("linkpath", F::Na, 2),
        ],
    },
    // 182: PPME_SYSCALL_FORK_E
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 183: PPME_SYSCALL_FORK_X
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 184: PPME_SYSCALL_VFORK_E
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 185: PPME_SYSCALL_VFORK_X
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 186: PPME_PROCEXIT_1_E
    EventInfo {
        name: "procexit",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("status", T::Errno, F::Dec),
            p("ret", T::Errno, F::Dec),
            p("sig", T::Sigtype, F::Dec),
            p("core", T::Uint8, F::Dec),
        ],
    },
    // 187: PPME_PROCEXIT_1_X
    EventInfo {
        name: "NA1",
        category: c::PROCESS,
        flags: f::UNUSED,
        params: &[],
    },
    // 188: PPME_SYSCALL_SENDFILE_E
    EventInfo {
        name: "sendfile",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[
            p("out_fd", T::Fd, F::Dec),
            p("in_fd", T::Fd, F::Dec),
            p("offset", T::Uint64, F::Dec),
            p("size", T::Uint64, F::Dec),
        ],
    },
    // 189: PPME_SYSCALL_SENDFILE_X
    EventInfo {
        name: "sendfile",
        category: c::IO_WRITE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("offset", T::Uint64, F::Dec)],
    },
    // 190: PPME_SYSCALL_QUOTACTL_E
    EventInfo {
        name: "quotactl",
        category: c::USER,
        flags: f::NONE,
        params: &[
            pf("cmd", T::Flags16, F::Dec, &QUOTACTL_CMDS),
            pf("type", T::Flags8, F::Dec, &QUOTACTL_TYPES),
            p("id", T::Uint32, F::Dec),
            pf("quota_fmt", T::Flags8, F::Dec, &QUOTACTL_QUOTA_FMTS),
        ],
    },
    // 191: PPME_SYSCALL_QUOTACTL_X
    EventInfo {
        name: "quotactl",
        category: c::USER,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("special", T::Charbuf, F::Na),
            p("quotafilepath", T::Charbuf, F::Na),
            p("dqb_bhardlimit", T::Uint64, F::Dec),
            p("dqb_bsoftlimit", T::Uint64, F::Dec),
            p("dqb_curspace", T::Uint64, F::Dec),
            p("dqb_ihardlimit", T::Uint64, F::Dec),
            p("dqb_isoftlimit", T::Uint64, F::Dec),
            p("dqb_btime", T::Reltime, F::Dec),
            p("dqb_itime", T::Reltime, F::Dec),
            p("dqi_bgrace", T::Reltime, F::Dec),
            p("dqi_igrace", T::Reltime, F::Dec),
            pf("dqi_flags", T::Flags8, F::Dec, &QUOTACTL_DQI_FLAGS),
            pf("quota_fmt_out", T::Flags8, F::Dec, &QUOTACTL_QUOTA_FMTS),
        ],
    },
    // 192: PPME_SYSCALL_SETRESUID_E
    EventInfo {
        name: "setresuid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[
            p("ruid", T::Uid, F::Dec),
            p("euid", T::Uid, F::Dec),
            p("suid", T::Uid, F::Dec),
        ],
    },
    // 193: PPME_SYSCALL_SETRESUID_X
    EventInfo {
        name: "setresuid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 194: PPME_SYSCALL_SETRESGID_E
    EventInfo {
        name: "setresgid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[
            p("rgid", T::Gid, F::Dec),
            p("egid", T::Gid, F::Dec),
            p("sgid", T::Gid, F::Dec),
        ],
    },
    // 195: PPME_SYSCALL_SETRESGID_X
    EventInfo {
        name: "setresgid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 196: PPME_SYSDIGEVENT_E
    EventInfo {
        name: "sysdigevent",
        category: c::INTERNAL,
        flags: f::SKIPPARSERESET,
        params: &[
            p("event_type", T::Uint32, F::Dec),
            p("event_data", T::Uint64, F::Dec),
        ],
    },
    // 197: PPME_SYSDIGEVENT_X
    EventInfo {
        name: "sysdigevent",
        category: c::INTERNAL,
        flags: f::UNUSED,
        params: &[],
    },
    // 198: PPME_SYSCALL_SETUID_E
    EventInfo {
        name: "setuid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("uid", T::Uid, F::Dec)],
    },
    // 199: PPME_SYSCALL_SETUID_X
    EventInfo {
        name: "setuid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 200: PPME_SYSCALL_SETGID_E
    EventInfo {
        name: "setgid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("gid", T::Gid, F::Dec)],
    },
    // 201: PPME_SYSCALL_SETGID_X
    EventInfo {
        name: "setgid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 202: PPME_SYSCALL_GETUID_E
    EventInfo {
        name: "getuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 203: PPME_SYSCALL_GETUID_X
    EventInfo {
        name: "getuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("uid", T::Uid, F::Dec)],
    },
    // 204: PPME_SYSCALL_GETEUID_E
    EventInfo {
        name: "geteuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 205: PPME_SYSCALL_GETEUID_X
    EventInfo {
        name: "geteuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("euid", T::Uid, F::Dec)],
    },
    // 206: PPME_SYSCALL_GETGID_E
    EventInfo {
        name: "getgid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 207: PPME_SYSCALL_GETGID_X
    EventInfo {
        name: "getgid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("gid", T::Gid, F::Dec)],
    },
    // 208: PPME_SYSCALL_GETEGID_E
    EventInfo {
        name: "getegid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 209: PPME_SYSCALL_GETEGID_X
    EventInfo {
        name: "getegid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("egid", T::Gid, F::Dec)],
    },
    // 210: PPME_SYSCALL_GETRESUID_E
    EventInfo {
        name: "getresuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 211: PPME_SYSCALL_GETRESUID_X
    EventInfo {
        name: "getresuid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("ruid", T::Uid, F::Dec),
            p("euid", T::Uid, F::Dec),
            p("suid", T::Uid, F::Dec),
        ],
    },
    // 212: PPME_SYSCALL_GETRESGID_E
    EventInfo {
        name: "getresgid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[],
    },
    // 213: PPME_SYSCALL_GETRESGID_X
    EventInfo {
        name: "getresgid",
        category: c::USER,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("rgid", T::Gid, F::Dec),
            p("egid", T::Gid, F::Dec),
            p("sgid", T::Gid, F::Dec),
        ],
    },
    // 214: PPME_SYSCALL_EXECVE_15_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 215: PPME_SYSCALL_EXECVE_15_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("env", T::Bytebuf, F::Na),
        ],
    },
    // 216: PPME_SYSCALL_CLONE_17_E
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 217: PPME_SYSCALL_CLONE_17_X
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 218: PPME_SYSCALL_FORK_17_E
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 219: PPME_SYSCALL_FORK_17_X
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 220: PPME_SYSCALL_VFORK_17_E
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 221: PPME_SYSCALL_VFORK_17_X
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 222: PPME_SYSCALL_CLONE_20_E
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 223: PPME_SYSCALL_CLONE_20_X
    EventInfo {
        name: "clone",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("vtid", T::Pid, F::Dec),
            p("vpid", T::Pid, F::Dec),
        ],
    },
    // 224: PPME_SYSCALL_FORK_20_E
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 225: PPME_SYSCALL_FORK_20_X
    EventInfo {
        name: "fork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("vtid", T::Pid, F::Dec),
            p("vpid", T::Pid, F::Dec),
        ],
    },
    // 226: PPME_SYSCALL_VFORK_20_E
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 227: PPME_SYSCALL_VFORK_20_X
    EventInfo {
        name: "vfork",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("vtid", T::Pid, F::Dec),
            p("vpid", T::Pid, F::Dec),
        ],
    },
    // 228: PPME_CONTAINER_E
    EventInfo {
        name: "container",
        category: c::INTERNAL,
        flags: f::MODIFIES_STATE | f::SKIPPARSERESET | f::OLD_VERSION,
        params: &[
            p("id", T::Charbuf, F::Na),
            p("type", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("image", T::Charbuf, F::Na),
        ],
    },
    // 229: PPME_CONTAINER_X
    EventInfo {
        name: "container",
        category: c::INTERNAL,
        flags: f::UNUSED | f::OLD_VERSION,
        params: &[],
    },
    // 230: PPME_SYSCALL_EXECVE_16_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 231: PPME_SYSCALL_EXECVE_16_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            p("env", T::Bytebuf, F::Na),
        ],
    },
    // 232: PPME_SIGNALDELIVER_E
    EventInfo {
        name: "signaldeliver",
        category: c::SIGNAL,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("spid", T::Pid, F::Dec),
            p("dpid", T::Pid, F::Dec),
            p("sig", T::Sigtype, F::Dec),
        ],
    },
    // 233: PPME_SIGNALDELIVER_X
    EventInfo {
        name: "signaldeliver",
        category: c::SIGNAL,
        flags: f::UNUSED,
        params: &[],
    },
    // 234: PPME_PROCINFO_E
    EventInfo {
        name: "procinfo",
        category: c::INTERNAL,
        flags: f::SKIPPARSERESET | f::DROP_SIMPLE_CONS,
        params: &[
            p("cpu_usr", T::Uint64, F::Dec),
            p("cpu_sys", T::Uint64, F::Dec),
        ],
    },
    // 235: PPME_PROCINFO_X
    EventInfo {
        name: "NA2",
        category: c::INTERNAL,
        flags: f::UNUSED,
        params: &[],
    },
    // 236: PPME_SYSCALL_GETDENTS_E
    EventInfo {
        name: "getdents",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Na)],
    },
    // 237: PPME_SYSCALL_GETDENTS_X
    EventInfo {
        name: "getdents",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 238: PPME_SYSCALL_GETDENTS64_E
    EventInfo {
        name: "getdents64",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("fd", T::Fd, F::Na)],
    },
    // 239: PPME_SYSCALL_GETDENTS64_X
    EventInfo {
        name: "getdents64",
        category: c::FILE,
        flags: f::USES_FD | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 240: PPME_SYSCALL_SETNS_E
    EventInfo {
        name: "setns",
        category: c::PROCESS,
        flags: f::USES_FD,
        params: &[
            p("fd", T::Fd, F::Na),
            pf("nstype", T::Flags32, F::Hex, &CLONE_FLAGS),
        ],
    },
    // 241: PPME_SYSCALL_SETNS_X
    EventInfo {
        name: "setns",
        category: c::PROCESS,
        flags: f::USES_FD,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 242: PPME_SYSCALL_FLOCK_E
    EventInfo {
        name: "flock",
        category: c::FILE,
        flags: f::USES_FD,
        params: &[
            p("fd", T::Fd, F::Na),
            pf("operation", T::Flags32, F::Hex, &FLOCK_FLAGS),
        ],
    },
    // 243: PPME_SYSCALL_FLOCK_X
    EventInfo {
        name: "flock",
        category: c::FILE,
        flags: f::USES_FD,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 244: PPME_CPU_HOTPLUG_E
    EventInfo {
        name: "cpu_hotplug",
        category: c::SYSTEM,
        flags: f::MODIFIES_STATE | f::SKIPPARSERESET,
        params: &[p("cpu", T::Uint32, F::Dec), p("action", T::Uint32, F::Dec)],
    },
    // 245: PPME_CPU_HOTPLUG_X
    EventInfo {
        name: "NA2",
        category: c::SYSTEM,
        flags: f::UNUSED,
        params: &[],
    },
    // 246: PPME_SOCKET_ACCEPT_5_E
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[],
    },
    // 247: PPME_SOCKET_ACCEPT_5_X
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("tuple", T::Socktuple, F::Na),
            p("queuepct", T::Uint8, F::Dec),
            p("queuelen", T::Uint32, F::Dec),
            p("queuemax", T::Uint32, F::Dec),
        ],
    },
    // 248: PPME_SOCKET_ACCEPT4_5_E
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("flags", T::Int32, F::Hex)],
    },
    // 249: PPME_SOCKET_ACCEPT4_5_X
    EventInfo {
        name: "accept",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("tuple", T::Socktuple, F::Na),
            p("queuepct", T::Uint8, F::Dec),
            p("queuelen", T::Uint32, F::Dec),
            p("queuemax", T::Uint32, F::Dec),
        ],
    },
    // 250: PPME_SYSCALL_SEMOP_E
    EventInfo {
        name: "semop",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("semid", T::Int32, F::Dec)],
    },
    // 251: PPME_SYSCALL_SEMOP_X
    EventInfo {
        name: "semop",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("res", T::Errno, F::Dec),
            p("nsops", T::Uint32, F::Dec),
            p("sem_num_0", T::Uint16, F::Dec),
            p("sem_op_0", T::Int16, F::Dec),
            pf("sem_flg_0", T::Flags16, F::Hex, &SEMOP_FLAGS),
            p("sem_num_1", T::Uint16, F::Dec),
            p("sem_op_1", T::Int16, F::Dec),
            pf("sem_flg_1", T::Flags16, F::Hex, &SEMOP_FLAGS),
        ],
    },
    // 252: PPME_SYSCALL_SEMCTL_E
    EventInfo {
        name: "semctl",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("semid", T::Int32, F::Dec),
            p("semnum", T::Int32, F::Dec),
            pf("cmd", T::Flags16, F::Hex, &SEMCTL_COMMANDS),
            p("val", T::Int32, F::Dec),
        ],
    },
    // 253: PPME_SYSCALL_SEMCTL_X
    EventInfo {
        name: "semctl",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 254: PPME_SYSCALL_PPOLL_E
    EventInfo {
        name: "ppoll",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[
            p("fds", T::Fdlist, F::Dec),
            p("timeout", T::Reltime, F::Dec),
            p("sigmask", T::Sigset, F::Dec),
        ],
    },
    // 255: PPME_SYSCALL_PPOLL_X
    EventInfo {
        name: "ppoll",
        category: c::WAIT,
        flags: f::WAITS | f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("fds", T::Fdlist, F::Dec)],
    },
    // 256: PPME_SYSCALL_MOUNT_E
    EventInfo {
        name: "mount",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[pf("flags", T::Flags32, F::Hex, &MOUNT_FLAGS)],
    },
    // 257: PPME_SYSCALL_MOUNT_X
    EventInfo {
        name: "mount",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dev", T::Charbuf, F::Na),
            p("dir", T::Fspath, F::Na),
            p("type", T::Charbuf, F::Na),
        ],
    },
    // 258: PPME_SYSCALL_UMOUNT_E
    EventInfo {
        name: "umount",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[pf("flags", T::Flags32, F::Hex, &UMOUNT_FLAGS)],
    },
    // 259: PPME_SYSCALL_UMOUNT_X
    EventInfo {
        name: "umount",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("name", T::Fspath, F::Na)],
    },
    // 260: PPME_K8S_E
    EventInfo {
        name: "k8s",
        category: c::INTERNAL,
        flags: f::MODIFIES_STATE | f::SKIPPARSERESET,
        params: &[p("json", T::Charbuf, F::Na)],
    },
    // 261: PPME_K8S_X
    EventInfo {
        name: "NA3",
        category: c::SYSTEM,
        flags: f::UNUSED,
        params: &[],
    },
    // 262: PPME_SYSCALL_SEMGET_E
    EventInfo {
        name: "semget",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("key", T::Int32, F::Hex),
            p("nsems", T::Int32, F::Dec),
            pf("semflg", T::Flags32, F::Hex, &SEMGET_FLAGS),
        ],
    },
    // 263: PPME_SYSCALL_SEMGET_X
    EventInfo {
        name: "semget",
        category: c::PROCESS,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 264: PPME_SYSCALL_ACCESS_E
    EventInfo {
        name: "access",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[pf("mode", T::Flags32, F::Hex, &ACCESS_FLAGS)],
    },
    // 265: PPME_SYSCALL_ACCESS_X
    EventInfo {
        name: "access",
        category: c::FILE,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec), p("name", T::Fspath, F::Na)],
    },
    // 266: PPME_SYSCALL_CHROOT_E
    EventInfo {
        name: "chroot",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 267: PPME_SYSCALL_CHROOT_X
    EventInfo {
        name: "chroot",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 268: PPME_TRACER_E
    EventInfo {
        name: "tracer",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("id", T::Int64, F::Dec),
            p("tags", T::Charbufarray, F::Na),
            p("args", T::CharbufPairArray, F::Na),
        ],
    },
    // 269: PPME_TRACER_X
    EventInfo {
        name: "tracer",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("id", T::Int64, F::Dec),
            p("tags", T::Charbufarray, F::Na),
            p("args", T::CharbufPairArray, F::Na),
        ],
    },
    // 270: PPME_MESOS_E
    EventInfo {
        name: "mesos",
        category: c::INTERNAL,
        flags: f::MODIFIES_STATE | f::SKIPPARSERESET,
        params: &[p("json", T::Charbuf, F::Na)],
    },
    // 271: PPME_MESOS_X
    EventInfo {
        name: "NA4",
        category: c::SYSTEM,
        flags: f::UNUSED,
        params: &[],
    },
    // 272: PPME_CONTAINER_JSON_E
    EventInfo {
        name: "container",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("json", T::Charbuf, F::Na)],
    },
    // 273: PPME_CONTAINER_JSON_X
    EventInfo {
        name: "container",
        category: c::PROCESS,
        flags: f::UNUSED,
        params: &[],
    },
    // 274: PPME_SYSCALL_SETSID_E
    EventInfo {
        name: "setsid",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 275: PPME_SYSCALL_SETSID_X
    EventInfo {
        name: "setsid",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Pid, F::Dec)],
    },
    // 276: PPME_SYSCALL_MKDIR_2_E
    EventInfo {
        name: "mkdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("mode", T::Uint32, F::Hex)],
    },
    // 277: PPME_SYSCALL_MKDIR_2_X
    EventInfo {
        name: "mkdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 278: PPME_SYSCALL_RMDIR_2_E
    EventInfo {
        name: "rmdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 279: PPME_SYSCALL_RMDIR_2_X
    EventInfo {
        name: "rmdir",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 280: PPME_NOTIFICATION_E
    EventInfo {
        name: "notification",
        category: c::OTHER,
        flags: f::SKIPPARSERESET,
        params: &[p("id", T::Charbuf, F::Dec), p("desc", T::Charbuf, F::Na)],
    },
    // 281: PPME_NOTIFICATION_X
    EventInfo {
        name: "NA4",
        category: c::SYSTEM,
        flags: f::UNUSED,
        params: &[],
    },
    // 282: PPME_SYSCALL_EXECVE_17_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 283: PPME_SYSCALL_EXECVE_17_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            p("env", T::Bytebuf, F::Na),
            p("tty", T::Int32, F::Dec),
        ],
    },
    // 284: PPME_SYSCALL_UNSHARE_E
    EventInfo {
        name: "unshare",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS)],
    },
    // 285: PPME_SYSCALL_UNSHARE_X
    EventInfo {
        name: "unshare",
        category: c::PROCESS,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 286: PPME_INFRASTRUCTURE_EVENT_E
    EventInfo {
        name: "infra",
        category: c::INTERNAL,
        flags: f::SKIPPARSERESET,
        params: &[
            p("source", T::Charbuf, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("description", T::Charbuf, F::Na),
            p("scope", T::Charbuf, F::Na),
        ],
    },
    // 287: PPME_INFRASTRUCTURE_EVENT_X
    EventInfo {
        name: "NA4",
        category: c::SYSTEM,
        flags: f::UNUSED,
        params: &[],
    },
    // 288: PPME_SYSCALL_EXECVE_18_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("filename", T::Fspath, F::Na)],
    },
    // 289: PPME_SYSCALL_EXECVE_18_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            p("env", T::Bytebuf, F::Na),
            p("tty", T::Int32, F::Dec),
        ],
    },
    // 290: PPME_PAGE_FAULT_E
    EventInfo {
        name: "page_fault",
        category: c::OTHER,
        flags: f::SKIPPARSERESET | f::DROP_SIMPLE_CONS,
        params: &[
            p("addr", T::Uint64, F::Hex),
            p("ip", T::Uint64, F::Hex),
            pf("error", T::Flags32, F::Hex, &PF_FLAGS),
        ],
    },
    // 291: PPME_PAGE_FAULT_X
    EventInfo {
        name: "NA5",
        category: c::OTHER,
        flags: f::UNUSED,
        params: &[],
    },
    // 292: PPME_SYSCALL_EXECVE_19_E
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("filename", T::Fspath, F::Na)],
    },
    // 293: PPME_SYSCALL_EXECVE_19_X
    EventInfo {
        name: "execve",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            p("env", T::Bytebuf, F::Na),
            p("tty", T::Int32, F::Dec),
            p("pgid", T::Pid, F::Dec),
            p("loginuid", T::Int32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &EXECVE_FLAGS),
        ],
    },
    // 294: PPME_SYSCALL_SETPGID_E
    EventInfo {
        name: "setpgid",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("pid", T::Pid, F::Dec), p("pgid", T::Pid, F::Dec)],
    },
    // 295: PPME_SYSCALL_SETPGID_X
    EventInfo {
        name: "setpgid",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Pid, F::Dec)],
    },
    // 296: PPME_SYSCALL_BPF_E
    EventInfo {
        name: "bpf",
        category: c::OTHER,
        flags: f::CREATES_FD,
        params: &[p("cmd", T::Int64, F::Dec)],
    },
    // 297: PPME_SYSCALL_BPF_X
    EventInfo {
        name: "bpf",
        category: c::OTHER,
        flags: f::CREATES_FD,
        params: &[pd("res_or_fd", F::Dec, &BPF_DYNAMIC_PARAM)],
    },
    // 298: PPME_SYSCALL_SECCOMP_E
    // The C lists 1 more param(s) (flags) than its nparams (1): nparams wins.
    EventInfo {
        name: "seccomp",
        category: c::OTHER,
        flags: f::NONE,
        params: &[p("op", T::Uint64, F::Dec)],
    },
    // 299: PPME_SYSCALL_SECCOMP_X
    EventInfo {
        name: "seccomp",
        category: c::OTHER,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 300: PPME_SYSCALL_UNLINK_2_E
    EventInfo {
        name: "unlink",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 301: PPME_SYSCALL_UNLINK_2_X
    EventInfo {
        name: "unlink",
        category: c::FILE,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec), p("path", T::Fspath, F::Na)],
    },
    // 302: PPME_SYSCALL_UNLINKAT_2_E
    EventInfo {
        name: "unlinkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 303: PPME_SYSCALL_UNLINKAT_2_X
    EventInfo {
        name: "unlinkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("name", F::Na, 1),
            pf("flags", T::Flags32, F::Hex, &UNLINKAT_FLAGS),
        ],
    },
    // 304: PPME_SYSCALL_MKDIRAT_E
    EventInfo {
        name: "mkdirat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 305: PPME_SYSCALL_MKDIRAT_X
    EventInfo {
        name: "mkdirat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("path", F::Na, 1),
            p("mode", T::Uint32, F::Hex),
        ],
    },
    // 306: PPME_SYSCALL_OPENAT_2_E
    EventInfo {
        name: "openat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("dirfd", T::Fd, F::Dec),
            rel("name", F::Na, 0),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
        ],
    },
    // 307: PPME_SYSCALL_OPENAT_2_X
    EventInfo {
        name: "openat",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("name", F::Na, 1),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
            p("dev", T::Uint32, F::Hex),
        ],
    },
    // 308: PPME_SYSCALL_LINK_2_E
    EventInfo {
        name: "link",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 309: PPME_SYSCALL_LINK_2_X
    EventInfo {
        name: "link",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("oldpath", T::Fspath, F::Na),
            p("newpath", T::Fspath, F::Na),
        ],
    },
    // 310: PPME_SYSCALL_LINKAT_2_E
    EventInfo {
        name: "linkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 311: PPME_SYSCALL_LINKAT_2_X
    EventInfo {
        name: "linkat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("olddir", T::Fd, F::Dec),
            rel("oldpath", F::Na, 1),
            p("newdir", T::Fd, F::Dec),
            rel("newpath", F::Na, 3),
            pf("flags", T::Flags32, F::Hex, &LINKAT_FLAGS),
        ],
    },
    // 312: PPME_SYSCALL_FCHMODAT_E
    EventInfo {
        name: "fchmodat",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 313: PPME_SYSCALL_FCHMODAT_X
    EventInfo {
        name: "fchmodat",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("filename", F::Na, 1),
            pf("mode", T::Mode, F::Oct, &CHMOD_MODE),
        ],
    },
    // 314: PPME_SYSCALL_CHMOD_E
    EventInfo {
        name: "chmod",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 315: PPME_SYSCALL_CHMOD_X
    EventInfo {
        name: "chmod",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("filename", T::Fspath, F::Na),
            pf("mode", T::Mode, F::Oct, &CHMOD_MODE),
        ],
    },
    // 316: PPME_SYSCALL_FCHMOD_E
    EventInfo {
        name: "fchmod",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 317: PPME_SYSCALL_FCHMOD_X
    EventInfo {
        name: "fchmod",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            pf("mode", T::Mode, F::Oct, &CHMOD_MODE),
        ],
    },
    // 318: PPME_SYSCALL_RENAMEAT2_E
    EventInfo {
        name: "renameat2",
        category: c::FILE,
        flags: f::NONE,
        params: &[],
    },
    // 319: PPME_SYSCALL_RENAMEAT2_X
    EventInfo {
        name: "renameat2",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("olddirfd", T::Fd, F::Dec),
            rel("oldpath", F::Na, 1),
            p("newdirfd", T::Fd, F::Dec),
            rel("newpath", F::Na, 3),
            pf("flags", T::Flags32, F::Hex, &RENAMEAT2_FLAGS),
        ],
    },
    // 320: PPME_SYSCALL_USERFAULTFD_E
    EventInfo {
        name: "userfaultfd",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[],
    },
    // 321: PPME_SYSCALL_USERFAULTFD_X
    EventInfo {
        name: "userfaultfd",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
        ],
    },
    // 322: PPME_PLUGINEVENT_E
    EventInfo {
        name: "pluginevent",
        category: c::OTHER,
        flags: f::LARGE_PAYLOAD,
        params: &[
            p("plugin ID", T::Uint32, F::Dec),
            p("event_data", T::Bytebuf, F::Na),
        ],
    },
    // 323: PPME_PLUGINEVENT_X
    EventInfo {
        name: "pluginevent",
        category: c::OTHER,
        flags: f::UNUSED,
        params: &[],
    },
    // 324: PPME_CONTAINER_JSON_2_E
    EventInfo {
        name: "container",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::LARGE_PAYLOAD,
        params: &[p("json", T::Charbuf, F::Na)],
    },
    // 325: PPME_CONTAINER_JSON_2_X
    EventInfo {
        name: "container",
        category: c::PROCESS,
        flags: f::UNUSED,
        params: &[],
    },
    // 326: PPME_SYSCALL_OPENAT2_E
    // As in the C, `name` names itself (1) as its dirfd instead of `dirfd` (0); sinsp
    // then falls back to the cwd, because the param it points at is not an FD. HEAD fixed it.
    EventInfo {
        name: "openat2",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("dirfd", T::Fd, F::Dec),
            rel("name", F::Na, 1),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
            pf("resolve", T::Flags32, F::Hex, &OPENAT2_FLAGS),
        ],
    },
    // 327: PPME_SYSCALL_OPENAT2_X
    EventInfo {
        name: "openat2",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("name", F::Na, 1),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS),
            p("mode", T::Uint32, F::Oct),
            pf("resolve", T::Flags32, F::Hex, &OPENAT2_FLAGS),
        ],
    },
    // 328: PPME_SYSCALL_MPROTECT_E
    EventInfo {
        name: "mprotect",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[
            p("addr", T::Uint64, F::Hex),
            p("length", T::Uint64, F::Dec),
            pf("prot", T::Flags32, F::Hex, &PROT_FLAGS),
        ],
    },
    // 329: PPME_SYSCALL_MPROTECT_X
    EventInfo {
        name: "mprotect",
        category: c::MEMORY,
        flags: f::DROP_SIMPLE_CONS,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 330: PPME_SYSCALL_EXECVEAT_E
    EventInfo {
        name: "execveat",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("dirfd", T::Fd, F::Dec),
            rel("pathname", F::Na, 0),
            pf("flags", T::Flags32, F::Hex, &EXECVEAT_FLAGS),
        ],
    },
    // 331: PPME_SYSCALL_EXECVEAT_X
    EventInfo {
        name: "execveat",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            p("env", T::Bytebuf, F::Na),
            p("tty", T::Int32, F::Dec),
            p("pgid", T::Pid, F::Dec),
            p("loginuid", T::Int32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &EXECVE_FLAGS),
        ],
    },
    // 332: PPME_SYSCALL_COPY_FILE_RANGE_E
    EventInfo {
        name: "copy_file_range",
        category: c::FILE,
        flags: f::USES_FD | f::READS_FROM_FD | f::WRITES_TO_FD,
        params: &[
            p("fdin", T::Fd, F::Dec),
            p("offin", T::Uint64, F::Dec),
            p("len", T::Uint64, F::Dec),
        ],
    },
    // 333: PPME_SYSCALL_COPY_FILE_RANGE_X
    EventInfo {
        name: "copy_file_range",
        category: c::FILE,
        flags: f::USES_FD | f::READS_FROM_FD | f::WRITES_TO_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fdout", T::Fd, F::Dec),
            p("offout", T::Uint64, F::Dec),
        ],
    },
    // 334: PPME_SYSCALL_CLONE3_E
    EventInfo {
        name: "clone3",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[],
    },
    // 335: PPME_SYSCALL_CLONE3_X
    EventInfo {
        name: "clone3",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Pid, F::Dec),
            p("exe", T::Charbuf, F::Na),
            p("args", T::Bytebuf, F::Na),
            p("tid", T::Pid, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("ptid", T::Pid, F::Dec),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Int64, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("cgroups", T::Bytebuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &CLONE_FLAGS),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("vtid", T::Pid, F::Dec),
            p("vpid", T::Pid, F::Dec),
        ],
    },
    // 336: PPME_SYSCALL_OPEN_BY_HANDLE_AT_E (libs HEAD)
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "open_by_handle_at",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 337: PPME_SYSCALL_OPEN_BY_HANDLE_AT_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "open_by_handle_at",
        category: c::FILE,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("mountfd", T::Fd, F::Dec),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS_HEAD),
            p("path", T::Fspath, F::Na),
            p("dev", T::Uint32, F::Hex),
            p("ino", T::Uint64, F::Dec),
        ],
    },
    // 338: PPME_SYSCALL_IO_URING_SETUP_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_setup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 339: PPME_SYSCALL_IO_URING_SETUP_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_setup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("entries", T::Uint32, F::Dec),
            p("sq_entries", T::Uint32, F::Dec),
            p("cq_entries", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &IO_URING_SETUP_FLAGS),
            p("sq_thread_cpu", T::Uint32, F::Dec),
            p("sq_thread_idle", T::Uint32, F::Dec),
            pf("features", T::Flags32, F::Hex, &IO_URING_SETUP_FEATS),
        ],
    },
    // 340: PPME_SYSCALL_IO_URING_ENTER_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_enter",
        category: c::IO_OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 341: PPME_SYSCALL_IO_URING_ENTER_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_enter",
        category: c::IO_OTHER,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            p("to_submit", T::Uint32, F::Dec),
            p("min_complete", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &IO_URING_ENTER_FLAGS),
            p("sig", T::Sigset, F::Dec),
        ],
    },
    // 342: PPME_SYSCALL_IO_URING_REGISTER_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_register",
        category: c::IO_OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 343: PPME_SYSCALL_IO_URING_REGISTER_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "io_uring_register",
        category: c::IO_OTHER,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            // HEAD type PT_ENUMFLAGS16
            pf("opcode", T::Flags16, F::Dec, &IO_URING_REGISTER_OPCODES),
            p("arg", T::Uint64, F::Hex),
            p("nr_args", T::Uint32, F::Dec),
        ],
    },
    // 344: PPME_SYSCALL_MLOCK_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlock",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 345: PPME_SYSCALL_MLOCK_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlock",
        category: c::MEMORY,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("addr", T::Uint64, F::Hex),
            p("len", T::Uint64, F::Dec),
        ],
    },
    // 346: PPME_SYSCALL_MUNLOCK_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "munlock",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 347: PPME_SYSCALL_MUNLOCK_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "munlock",
        category: c::MEMORY,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("addr", T::Uint64, F::Hex),
            p("len", T::Uint64, F::Dec),
        ],
    },
    // 348: PPME_SYSCALL_MLOCKALL_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlockall",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 349: PPME_SYSCALL_MLOCKALL_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlockall",
        category: c::MEMORY,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            pf("flags", T::Flags32, F::Hex, &MLOCKALL_FLAGS),
        ],
    },
    // 350: PPME_SYSCALL_MUNLOCKALL_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "munlockall",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 351: PPME_SYSCALL_MUNLOCKALL_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "munlockall",
        category: c::MEMORY,
        flags: f::NONE,
        params: &[p("res", T::Errno, F::Dec)],
    },
    // 352: PPME_SYSCALL_CAPSET_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "capset",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 353: PPME_SYSCALL_CAPSET_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "capset",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("cap_inheritable", T::Uint64, F::Hex),
            p("cap_permitted", T::Uint64, F::Hex),
            p("cap_effective", T::Uint64, F::Hex),
        ],
    },
    // 354: PPME_USER_ADDED_E
    // HEAD also sets EC_METAEVENT
    EventInfo {
        name: "useradded",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("home", T::Charbuf, F::Na),
            p("shell", T::Charbuf, F::Na),
            p("container_id", T::Charbuf, F::Na),
        ],
    },
    // 355: PPME_USER_ADDED_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 356: PPME_USER_DELETED_E
    // HEAD also sets EC_METAEVENT
    EventInfo {
        name: "userdeleted",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("home", T::Charbuf, F::Na),
            p("shell", T::Charbuf, F::Na),
            p("container_id", T::Charbuf, F::Na),
        ],
    },
    // 357: PPME_USER_DELETED_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 358: PPME_GROUP_ADDED_E
    // HEAD also sets EC_METAEVENT
    EventInfo {
        name: "groupadded",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("gid", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("container_id", T::Charbuf, F::Na),
        ],
    },
    // 359: PPME_GROUP_ADDED_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 360: PPME_GROUP_DELETED_E
    // HEAD also sets EC_METAEVENT
    EventInfo {
        name: "groupdeleted",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("gid", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("container_id", T::Charbuf, F::Na),
        ],
    },
    // 361: PPME_GROUP_DELETED_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 362: PPME_SYSCALL_DUP2_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup2",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 363: PPME_SYSCALL_DUP2_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup2",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Fd, F::Dec),
            p("oldfd", T::Fd, F::Dec),
            p("newfd", T::Fd, F::Dec),
        ],
    },
    // 364: PPME_SYSCALL_DUP3_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup3",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 365: PPME_SYSCALL_DUP3_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup3",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Fd, F::Dec),
            p("oldfd", T::Fd, F::Dec),
            p("newfd", T::Fd, F::Dec),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS_HEAD),
        ],
    },
    // 366: PPME_SYSCALL_DUP_1_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec)],
    },
    // 367: PPME_SYSCALL_DUP_1_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "dup",
        category: c::IO_OTHER,
        flags: f::CREATES_FD | f::USES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Fd, F::Dec), p("oldfd", T::Fd, F::Dec)],
    },
    // 368: PPME_SYSCALL_BPF_2_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "bpf",
        category: c::OTHER,
        flags: f::CREATES_FD | f::OLD_VERSION,
        params: &[p("cmd", T::Int64, F::Dec)],
    },
    // 369: PPME_SYSCALL_BPF_2_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "bpf",
        category: c::OTHER,
        flags: f::CREATES_FD,
        params: &[
            p("fd", T::Fd, F::Dec),
            // HEAD type PT_ENUMFLAGS32
            pf("cmd", T::Flags32, F::Dec, &BPF_COMMANDS),
        ],
    },
    // 370: PPME_SYSCALL_MLOCK2_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlock2",
        category: c::MEMORY,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 371: PPME_SYSCALL_MLOCK2_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mlock2",
        category: c::MEMORY,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("addr", T::Uint64, F::Hex),
            p("len", T::Uint64, F::Dec),
            pf("flags", T::Flags32, F::Hex, &MLOCK2_FLAGS),
        ],
    },
    // 372: PPME_SYSCALL_FSCONFIG_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fsconfig",
        category: c::SYSTEM,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 373: PPME_SYSCALL_FSCONFIG_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fsconfig",
        category: c::SYSTEM,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            // HEAD type PT_ENUMFLAGS32
            pf("cmd", T::Flags32, F::Dec, &FSCONFIG_CMDS),
            p("key", T::Charbuf, F::Na),
            p("value_bytebuf", T::Bytebuf, F::Na),
            p("value_charbuf", T::Charbuf, F::Na),
            p("aux", T::Int32, F::Dec),
        ],
    },
    // 374: PPME_SYSCALL_EPOLL_CREATE_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "epoll_create",
        category: c::WAIT,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("size", T::Int32, F::Dec)],
    },
    // 375: PPME_SYSCALL_EPOLL_CREATE_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "epoll_create",
        category: c::WAIT,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("size", T::Int32, F::Dec)],
    },
    // 376: PPME_SYSCALL_EPOLL_CREATE1_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "epoll_create1",
        category: c::WAIT,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[pf("flags", T::Flags32, F::Hex, &EPOLL_CREATE1_FLAGS)],
    },
    // 377: PPME_SYSCALL_EPOLL_CREATE1_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "epoll_create1",
        category: c::WAIT,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            pf("flags", T::Flags32, F::Hex, &EPOLL_CREATE1_FLAGS),
        ],
    },
    // 378: PPME_SYSCALL_CHOWN_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "chown",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 379: PPME_SYSCALL_CHOWN_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "chown",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("path", T::Fspath, F::Na),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 380: PPME_SYSCALL_LCHOWN_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "lchown",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 381: PPME_SYSCALL_LCHOWN_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "lchown",
        category: c::FILE,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("path", T::Fspath, F::Na),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 382: PPME_SYSCALL_FCHOWN_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fchown",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 383: PPME_SYSCALL_FCHOWN_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fchown",
        category: c::FILE,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
        ],
    },
    // 384: PPME_SYSCALL_FCHOWNAT_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fchownat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 385: PPME_SYSCALL_FCHOWNAT_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "fchownat",
        category: c::FILE,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("pathname", F::Na, 1),
            p("uid", T::Uint32, F::Dec),
            p("gid", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &FCHOWNAT_FLAGS),
        ],
    },
    // 386: PPME_SYSCALL_UMOUNT_1_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "umount",
        category: c::FILE,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 387: PPME_SYSCALL_UMOUNT_1_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "umount",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[p("res", T::Errno, F::Dec), p("name", T::Fspath, F::Na)],
    },
    // 388: PPME_SOCKET_ACCEPT4_6_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "accept4",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("flags", T::Int32, F::Hex)],
    },
    // 389: PPME_SOCKET_ACCEPT4_6_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "accept4",
        category: c::NET,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("tuple", T::Socktuple, F::Na),
            p("queuepct", T::Uint8, F::Dec),
            p("queuelen", T::Uint32, F::Dec),
            p("queuemax", T::Uint32, F::Dec),
            p("flags", T::Int32, F::Hex),
        ],
    },
    // 390: PPME_SYSCALL_UMOUNT2_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "umount2",
        category: c::FILE,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[pf("flags", T::Flags32, F::Hex, &UMOUNT_FLAGS)],
    },
    // 391: PPME_SYSCALL_UMOUNT2_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "umount2",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("name", T::Fspath, F::Na),
            pf("flags", T::Flags32, F::Hex, &UMOUNT_FLAGS),
        ],
    },
    // 392: PPME_SYSCALL_PIPE2_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pipe2",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 393: PPME_SYSCALL_PIPE2_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pipe2",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd1", T::Fd, F::Dec),
            p("fd2", T::Fd, F::Dec),
            p("ino", T::Uint64, F::Dec),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS_HEAD),
        ],
    },
    // 394: PPME_SYSCALL_INOTIFY_INIT1_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "inotify_init1",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 395: PPME_SYSCALL_INOTIFY_INIT1_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "inotify_init1",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Fd, F::Dec),
            pf("flags", T::Flags16, F::Hex, &FILE_FLAGS_HEAD),
        ],
    },
    // 396: PPME_SYSCALL_EVENTFD2_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "eventfd2",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("initval", T::Uint64, F::Dec)],
    },
    // 397: PPME_SYSCALL_EVENTFD2_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "eventfd2",
        category: c::IPC,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Fd, F::Dec),
            pf("flags", T::Flags16, F::Hex, &FILE_FLAGS_HEAD),
            p("initval", T::Uint64, F::Dec),
        ],
    },
    // 398: PPME_SYSCALL_SIGNALFD4_E
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "signalfd4",
        category: c::SIGNAL,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[p("fd", T::Fd, F::Dec), p("mask", T::Uint32, F::Hex)],
    },
    // 399: PPME_SYSCALL_SIGNALFD4_X
    // HEAD also sets EC_SYSCALL | EF_CONVERTER_MANAGED
    EventInfo {
        name: "signalfd4",
        category: c::SIGNAL,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("res", T::Fd, F::Dec),
            pf("flags", T::Flags16, F::Hex, &FILE_FLAGS_HEAD),
            p("fd", T::Fd, F::Dec),
            p("mask", T::Uint32, F::Hex),
        ],
    },
    // 400: PPME_SYSCALL_PRCTL_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "prctl",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 401: PPME_SYSCALL_PRCTL_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "prctl",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            // HEAD type PT_ENUMFLAGS32
            pf("option", T::Flags32, F::Dec, &PRCTL_OPTIONS),
            p("arg2_str", T::Charbuf, F::Na),
            p("arg2_int", T::Int64, F::Dec),
        ],
    },
    // 402: PPME_ASYNCEVENT_E
    // HEAD also sets EC_METAEVENT
    EventInfo {
        name: "asyncevent",
        category: c::OTHER,
        flags: f::LARGE_PAYLOAD,
        params: &[
            p("plugin_id", T::Uint32, F::Dec),
            p("name", T::Charbuf, F::Na),
            p("data", T::Bytebuf, F::Na),
        ],
    },
    // 403: PPME_ASYNCEVENT_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 404: PPME_SYSCALL_MEMFD_CREATE_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "memfd_create",
        category: c::MEMORY,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 405: PPME_SYSCALL_MEMFD_CREATE_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "memfd_create",
        category: c::MEMORY,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("name", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &MEMFD_CREATE_FLAGS),
        ],
    },
    // 406: PPME_SYSCALL_PIDFD_GETFD_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pidfd_getfd",
        category: c::PROCESS,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 407: PPME_SYSCALL_PIDFD_GETFD_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pidfd_getfd",
        category: c::PROCESS,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("pid_fd", T::Fd, F::Dec),
            p("target_fd", T::Fd, F::Dec),
            p("flags", T::Uint32, F::Hex),
        ],
    },
    // 408: PPME_SYSCALL_PIDFD_OPEN_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pidfd_open",
        category: c::PROCESS,
        flags: f::CREATES_FD | f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 409: PPME_SYSCALL_PIDFD_OPEN_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "pidfd_open",
        category: c::PROCESS,
        flags: f::CREATES_FD | f::MODIFIES_STATE,
        params: &[
            p("fd", T::Fd, F::Dec),
            p("pid", T::Pid, F::Dec),
            pf("flags", T::Flags32, F::Hex, &PIDFD_OPEN_FLAGS),
        ],
    },
    // 410: PPME_SYSCALL_INIT_MODULE_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "init_module",
        category: c::OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 411: PPME_SYSCALL_INIT_MODULE_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "init_module",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("img", T::Bytebuf, F::Na),
            p("length", T::Uint64, F::Dec),
            p("uargs", T::Charbuf, F::Na),
        ],
    },
    // 412: PPME_SYSCALL_FINIT_MODULE_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "finit_module",
        category: c::OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 413: PPME_SYSCALL_FINIT_MODULE_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "finit_module",
        category: c::OTHER,
        flags: f::USES_FD | f::READS_FROM_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("fd", T::Fd, F::Dec),
            p("uargs", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &FINIT_MODULE_FLAGS),
        ],
    },
    // 414: PPME_SYSCALL_MKNOD_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mknod",
        category: c::OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 415: PPME_SYSCALL_MKNOD_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mknod",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("path", T::Fspath, F::Na),
            pf("mode", T::Mode, F::Oct, &MKNOD_MODE),
            p("dev", T::Uint32, F::Dec),
        ],
    },
    // 416: PPME_SYSCALL_MKNODAT_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mknodat",
        category: c::OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 417: PPME_SYSCALL_MKNODAT_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "mknodat",
        category: c::OTHER,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("path", F::Na, 1),
            pf("mode", T::Mode, F::Oct, &MKNOD_MODE),
            p("dev", T::Uint32, F::Dec),
        ],
    },
    // 418: PPME_SYSCALL_NEWFSTATAT_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "newfstatat",
        category: c::FILE,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 419: PPME_SYSCALL_NEWFSTATAT_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "newfstatat",
        category: c::FILE,
        flags: f::USES_FD,
        params: &[
            p("res", T::Errno, F::Dec),
            p("dirfd", T::Fd, F::Dec),
            rel("path", F::Na, 1),
            pf("flags", T::Flags32, F::Hex, &NEWFSTATAT_FLAGS),
        ],
    },
    // 420: PPME_SYSCALL_PROCESS_VM_READV_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "process_vm_readv",
        category: c::IPC,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 421: PPME_SYSCALL_PROCESS_VM_READV_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "process_vm_readv",
        category: c::IPC,
        flags: f::NONE,
        params: &[
            p("res", T::Int64, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("data", T::Bytebuf, F::Na),
        ],
    },
    // 422: PPME_SYSCALL_PROCESS_VM_WRITEV_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "process_vm_writev",
        category: c::IPC,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 423: PPME_SYSCALL_PROCESS_VM_WRITEV_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "process_vm_writev",
        category: c::IPC,
        flags: f::NONE,
        params: &[
            p("res", T::Int64, F::Dec),
            p("pid", T::Pid, F::Dec),
            p("data", T::Bytebuf, F::Na),
        ],
    },
    // 424: PPME_SYSCALL_DELETE_MODULE_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "delete_module",
        category: c::OTHER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 425: PPME_SYSCALL_DELETE_MODULE_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "delete_module",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("name", T::Charbuf, F::Na),
            pf("flags", T::Flags32, F::Hex, &DELETE_MODULE_FLAGS),
        ],
    },
    // 426: PPME_SYSCALL_SETREUID_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "setreuid",
        category: c::USER,
        flags: f::MODIFIES_STATE | f::OLD_VERSION,
        params: &[],
    },
    // 427: PPME_SYSCALL_SETREUID_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "setreuid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("ruid", T::Uid, F::Dec),
            p("euid", T::Uid, F::Dec),
        ],
    },
    // 428: PPME_SYSCALL_SETREGID_E
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "setregid",
        category: c::USER,
        flags: f::OLD_VERSION,
        params: &[],
    },
    // 429: PPME_SYSCALL_SETREGID_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "setregid",
        category: c::USER,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("rgid", T::Uid, F::Dec),
            p("egid", T::Uid, F::Dec),
        ],
    },
    // 430: PPME_ITER_TASK_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task",
        category: c::PROCESS,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_PID32
            p("ppid", T::Int32, F::Dec),
            // HEAD type PT_PID32
            p("pgid", T::Int32, F::Dec),
            // HEAD type PT_PID32
            p("vpgid", T::Int32, F::Dec),
            // HEAD type PT_PID32
            p("sid", T::Int32, F::Dec),
            p("comm", T::Charbuf, F::Na),
            p("argv", T::Charbufarray, F::Na),
            p("exepath", T::Fspath, F::Na),
            pf("flags", T::Flags32, F::Hex, &EXECVE_FLAGS_HEAD),
            p("env", T::Charbufarray, F::Na),
            p("cwd", T::Charbuf, F::Na),
            p("fdlimit", T::Uint64, F::Dec),
            p("euid", T::Uid, F::Dec),
            p("egid", T::Gid, F::Dec),
            p("cap_permitted", T::Uint64, F::Hex),
            p("cap_effective", T::Uint64, F::Hex),
            p("cap_inheritable", T::Uint64, F::Hex),
            p("exe_ino_num", T::Uint64, F::Dec),
            p("exe_ino_ctime", T::Abstime, F::Dec),
            p("exe_ino_mtime", T::Abstime, F::Dec),
            p("vm_size", T::Uint32, F::Dec),
            p("vm_rss", T::Uint32, F::Dec),
            p("vm_swap", T::Uint32, F::Dec),
            p("pgft_maj", T::Uint64, F::Dec),
            p("pgft_min", T::Uint64, F::Dec),
            // HEAD type PT_PID32
            p("vtgid", T::Int32, F::Dec),
            // HEAD type PT_PID32
            p("vpid", T::Int32, F::Dec),
            p("pidns_init_start_ts", T::Uint64, F::Dec),
            p("cgroups", T::Charbufarray, F::Na),
            p("root", T::Fspath, F::Na),
            p("start_time", T::Abstime, F::Dec),
            p("tty", T::Uint32, F::Dec),
            p("loginuid", T::Uid, F::Dec),
        ],
    },
    // 431: PPME_ITER_TASK_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 432: PPME_ITER_TASK_FILE_PIPE_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_pipe",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("path", T::Fspath, F::Na),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 433: PPME_ITER_TASK_FILE_PIPE_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 434: PPME_ITER_TASK_FILE_MEMFD_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_memfd",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("path", T::Fspath, F::Na),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 435: PPME_ITER_TASK_FILE_MEMFD_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 436: PPME_ITER_TASK_FILE_REGULAR_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_regular",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("path", T::Fspath, F::Na),
            pf("flags", T::Flags32, F::Hex, &FILE_FLAGS_HEAD),
            p("mnt_id", T::Uint32, F::Dec),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 437: PPME_ITER_TASK_FILE_REGULAR_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 438: PPME_ITER_TASK_FILE_DIRECTORY_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_directory",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("path", T::Fspath, F::Na),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 439: PPME_ITER_TASK_FILE_DIRECTORY_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 440: PPME_ITER_TASK_FILE_SOCKET_INET_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_socket_inet",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("sk_type", T::Uint16, F::Dec),
            p("sk_proto", T::Uint16, F::Dec),
            p("local_ip", T::Ipv4addr, F::Hex),
            p("local_port", T::Port, F::Hex),
            p("remote_ip", T::Ipv4addr, F::Hex),
            p("remote_port", T::Port, F::Hex),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 441: PPME_ITER_TASK_FILE_SOCKET_INET_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 442: PPME_ITER_TASK_FILE_SOCKET_INET6_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_socket_inet6",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("sk_type", T::Uint16, F::Dec),
            p("sk_proto", T::Uint16, F::Dec),
            p("local_ip", T::Ipv6addr, F::Hex),
            p("local_port", T::Port, F::Hex),
            p("remote_ip", T::Ipv6addr, F::Hex),
            p("remote_port", T::Port, F::Hex),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 443: PPME_ITER_TASK_FILE_SOCKET_INET6_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 444: PPME_ITER_TASK_FILE_SOCKET_UNIX_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_socket_unix",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("sk_type", T::Uint16, F::Dec),
            p("sk_proto", T::Uint16, F::Dec),
            p("sk_pointer", T::Uint64, F::Na),
            p("sun_path", T::Fspath, F::Na),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 445: PPME_ITER_TASK_FILE_SOCKET_UNIX_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 446: PPME_ITER_TASK_FILE_SOCKET_NETLINK_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_socket_netlink",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            p("sk_type", T::Uint16, F::Dec),
            p("sk_proto", T::Uint16, F::Dec),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 447: PPME_ITER_TASK_FILE_SOCKET_NETLINK_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 448: PPME_ITER_TASK_FILE_ANON_INODE_E
    // HEAD also sets EC_ITER
    EventInfo {
        name: "task_file_anon_inode",
        category: c::FILE,
        flags: f::MODIFIES_STATE,
        params: &[
            // HEAD type PT_FD32
            p("fd", T::Int32, F::Dec),
            pf("fd_type", T::Flags8, F::Dec, &ANON_INODE_FD_TYPES),
            p("path", T::Fspath, F::Na),
            p("ino_num", T::Uint64, F::Dec),
        ],
    },
    // 449: PPME_ITER_TASK_FILE_ANON_INODE_X
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 450: PPME_SYSCALL_CLOSE_RANGE_E
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 451: PPME_SYSCALL_CLOSE_RANGE_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "close_range",
        category: c::IO_OTHER,
        flags: f::MODIFIES_STATE,
        params: &[
            p("res", T::Errno, F::Dec),
            p("first", T::Uint32, F::Dec),
            p("last", T::Uint32, F::Dec),
            pf("flags", T::Flags32, F::Hex, &CLOSE_RANGE_FLAGS),
        ],
    },
    // 452: PPME_SYSCALL_KEYCTL_E
    EventInfo {
        name: "NA",
        category: c::UNKNOWN,
        flags: f::UNUSED,
        params: &[],
    },
    // 453: PPME_SYSCALL_KEYCTL_X
    // HEAD also sets EC_SYSCALL
    EventInfo {
        name: "keyctl",
        category: c::OTHER,
        flags: f::NONE,
        params: &[
            p("res", T::Errno, F::Dec),
            // HEAD type PT_ENUMFLAGS32
            pf("operation", T::Flags32, F::Dec, &KEYCTL_OPERATIONS),
            pd("arg2", F::Dec, &KEYCTL_DYNAMIC_PARAM),
            pd("arg3", F::Dec, &KEYCTL_DYNAMIC_PARAM),
            pd("arg4", F::Dec, &KEYCTL_DYNAMIC_PARAM),
            pd("arg5", F::Dec, &KEYCTL_DYNAMIC_PARAM),
        ],
    },
];
