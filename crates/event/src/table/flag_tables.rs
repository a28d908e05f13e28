//! The names of flags and enum parameters (`ppm_name_value` arrays of the driver's
//! `flags_table.c`), as data. Generated from the C tables; this is a data table.
//!
//! Each table keeps the C array's order without its `{0, 0}` sentinel: order matters,
//! because flag names are printed in table order. Tables up to [`EXECVEAT_FLAGS`] are
//! those of libs e5c53d64 (used by event types below `LEGACY_EVENT_COUNT`), built as
//! userspace builds it (without `CONFIG_64BIT`, so [`FCNTL_COMMANDS`] has the
//! `F_*LK64` names). The tables after it are those of libs HEAD that only newer event
//! types use. Where HEAD changed a table the legacy types also use, the legacy version
//! keeps the plain name and HEAD's version has a `_HEAD` suffix.
#![allow(dead_code)] // some tables are only reached through re-exports or the renderer

use crate::NameValue;

const fn nv(name: &'static str, value: u32) -> NameValue {
    NameValue { name, value }
}

/// `socket_families` (libs e5c53d64).
pub static SOCKET_FAMILIES: [NameValue; 40] = [
    nv("AF_NFC", 39),
    nv("AF_ALG", 38),
    nv("AF_CAIF", 37),
    nv("AF_IEEE802154", 36),
    nv("AF_PHONET", 35),
    nv("AF_ISDN", 34),
    nv("AF_RXRPC", 33),
    nv("AF_IUCV", 32),
    nv("AF_BLUETOOTH", 31),
    nv("AF_TIPC", 30),
    nv("AF_CAN", 29),
    nv("AF_LLC", 26),
    nv("AF_WANPIPE", 25),
    nv("AF_PPPOX", 24),
    nv("AF_IRDA", 23),
    nv("AF_SNA", 22),
    nv("AF_RDS", 21),
    nv("AF_ATMSVC", 20),
    nv("AF_ECONET", 19),
    nv("AF_ASH", 18),
    nv("AF_PACKET", 17),
    nv("AF_ROUTE", 16),
    nv("AF_NETLINK", 16),
    nv("AF_KEY", 15),
    nv("AF_SECURITY", 14),
    nv("AF_NETBEUI", 13),
    nv("AF_DECnet", 12),
    nv("AF_ROSE", 11),
    nv("AF_INET6", 10),
    nv("AF_X25", 9),
    nv("AF_ATMPVC", 8),
    nv("AF_BRIDGE", 7),
    nv("AF_NETROM", 6),
    nv("AF_APPLETALK", 5),
    nv("AF_IPX", 4),
    nv("AF_AX25", 3),
    nv("AF_INET", 2),
    nv("AF_LOCAL", 1),
    nv("AF_UNIX", 1),
    nv("AF_UNSPEC", 0),
];

/// `file_flags` (libs e5c53d64).
pub static FILE_FLAGS: [NameValue; 16] = [
    nv("O_LARGEFILE", 2048),
    nv("O_DIRECTORY", 1024),
    nv("O_DIRECT", 512),
    nv("O_TRUNC", 256),
    nv("O_SYNC", 128),
    nv("O_NONBLOCK", 64),
    nv("O_EXCL", 32),
    nv("O_DSYNC", 16),
    nv("O_APPEND", 8),
    nv("O_CREAT", 4),
    nv("O_RDWR", 3),
    nv("O_WRONLY", 2),
    nv("O_RDONLY", 1),
    nv("O_CLOEXEC", 4096),
    nv("O_NONE", 0),
    nv("O_TMPFILE", 8192),
];

/// `flock_flags` (libs e5c53d64).
pub static FLOCK_FLAGS: [NameValue; 5] = [
    nv("LOCK_SH", 1),
    nv("LOCK_EX", 2),
    nv("LOCK_NB", 4),
    nv("LOCK_UN", 8),
    nv("LOCK_NONE", 0),
];

/// `clone_flags` (libs e5c53d64).
pub static CLONE_FLAGS: [NameValue; 26] = [
    nv("CLONE_FILES", 0x1),
    nv("CLONE_FS", 0x2),
    nv("CLONE_IO", 0x4),
    nv("CLONE_NEWIPC", 0x8),
    nv("CLONE_NEWNET", 0x10),
    nv("CLONE_NEWNS", 0x20),
    nv("CLONE_NEWPID", 0x40),
    nv("CLONE_NEWUTS", 0x80),
    nv("CLONE_PARENT", 0x100),
    nv("CLONE_PARENT_SETTID", 0x200),
    nv("CLONE_PTRACE", 0x400),
    nv("CLONE_SIGHAND", 0x800),
    nv("CLONE_SYSVSEM", 0x1000),
    nv("CLONE_THREAD", 0x2000),
    nv("CLONE_UNTRACED", 0x4000),
    nv("CLONE_VM", 0x8000),
    nv("CLONE_INVERTED", 0x10000),
    nv("NAME_CHANGED", 0x20000),
    nv("CLOSED", 0x40000),
    nv("CLONE_NEWUSER", 0x100000),
    nv("CLONE_CHILD_CLEARTID", 0x800000),
    nv("CLONE_CHILD_SETTID", 0x1000000),
    nv("CLONE_SETTLS", 0x2000000),
    nv("CLONE_STOPPED", 0x4000000),
    nv("CLONE_VFORK", 0x8000000),
    nv("CLONE_NEWCGROUP", 0x10000000),
];

/// `futex_operations` (libs e5c53d64).
pub static FUTEX_OPERATIONS: [NameValue; 15] = [
    nv("FUTEX_CLOCK_REALTIME", 256),
    nv("FUTEX_PRIVATE_FLAG", 128),
    nv("FUTEX_CMP_REQUEUE_PI", 12),
    nv("FUTEX_WAIT_REQUEUE_PI", 11),
    nv("FUTEX_WAKE_BITSET", 10),
    nv("FUTEX_WAIT_BITSET", 9),
    nv("FUTEX_TRYLOCK_PI", 8),
    nv("FUTEX_UNLOCK_PI", 7),
    nv("FUTEX_LOCK_PI", 6),
    nv("FUTEX_WAKE_OP", 5),
    nv("FUTEX_CMP_REQUEUE", 4),
    nv("FUTEX_REQUEUE", 3),
    nv("FUTEX_FD", 2),
    nv("FUTEX_WAKE", 1),
    nv("FUTEX_WAIT", 0),
];

/// `poll_flags` (libs e5c53d64).
///
/// No parameter of the event table refers to it (`PT_FDLIST` entries carry poll flags).
pub static POLL_FLAGS: [NameValue; 11] = [
    nv("POLLIN", 0x1),
    nv("POLLPRI", 0x2),
    nv("POLLOUT", 0x4),
    nv("POLLRDHUP", 0x8),
    nv("POLLERR", 0x10),
    nv("POLLHUP", 0x20),
    nv("POLLNVAL", 0x40),
    nv("POLLRDNORM", 0x80),
    nv("POLLRDBAND", 0x100),
    nv("POLLWRNORM", 0x200),
    nv("POLLWRBAND", 0x400),
];

/// `mount_flags` (libs e5c53d64).
pub static MOUNT_FLAGS: [NameValue; 28] = [
    nv("RDONLY", 0x1),
    nv("NOSUID", 0x2),
    nv("NODEV", 0x4),
    nv("NOEXEC", 0x8),
    nv("SYNCHRONOUS", 0x10),
    nv("REMOUNT", 0x20),
    nv("MANDLOCK", 0x40),
    nv("DIRSYNC", 0x80),
    nv("NOATIME", 0x400),
    nv("NODIRATIME", 0x800),
    nv("BIND", 0x1000),
    nv("MOVE", 0x2000),
    nv("REC", 0x4000),
    nv("SILENT", 0x8000),
    nv("POSIXACL", 0x10000),
    nv("UNBINDABLE", 0x20000),
    nv("PRIVATE", 0x40000),
    nv("SLAVE", 0x80000),
    nv("SHARED", 0x100000),
    nv("RELATIME", 0x200000),
    nv("KERNMOUNT", 0x400000),
    nv("I_VERSION", 0x800000),
    nv("STRICTATIME", 0x1000000),
    nv("LAZYTIME", 0x2000000),
    nv("NOSEC", 0x10000000),
    nv("BORN", 0x20000000),
    nv("ACTIVE", 0x40000000),
    nv("NOUSER", 0x80000000),
];

/// `umount_flags` (libs e5c53d64).
pub static UMOUNT_FLAGS: [NameValue; 4] = [
    nv("FORCE", 1),
    nv("DETACH", 2),
    nv("EXPIRE", 4),
    nv("NOFOLLOW", 8),
];

/// `lseek_whence` (libs e5c53d64).
pub static LSEEK_WHENCE: [NameValue; 3] = [nv("SEEK_END", 2), nv("SEEK_CUR", 1), nv("SEEK_SET", 0)];

/// `shutdown_how` (libs e5c53d64).
pub static SHUTDOWN_HOW: [NameValue; 3] = [nv("SHUT_RDWR", 2), nv("SHUT_WR", 1), nv("SHUT_RD", 0)];

/// `rlimit_resources` (libs e5c53d64).
pub static RLIMIT_RESOURCES: [NameValue; 17] = [
    nv("RLIMIT_UNKNOWN", 255),
    nv("RLIMIT_RTTIME", 15),
    nv("RLIMIT_RTPRIO", 14),
    nv("RLIMIT_NICE", 13),
    nv("RLIMIT_MSGQUEUE", 12),
    nv("RLIMIT_SIGPENDING", 11),
    nv("RLIMIT_LOCKS", 10),
    nv("RLIMIT_AS", 9),
    nv("RLIMIT_MEMLOCK", 8),
    nv("RLIMIT_NOFILE", 7),
    nv("RLIMIT_NPROC", 6),
    nv("RLIMIT_RSS", 5),
    nv("RLIMIT_CORE", 4),
    nv("RLIMIT_STACK", 3),
    nv("RLIMIT_DATA", 2),
    nv("RLIMIT_FSIZE", 1),
    nv("RLIMIT_CPU", 0),
];

/// `fcntl_commands` (libs e5c53d64).
///
/// Includes `F_SETLKW64`, `F_SETLK64` and `F_GETLK64` (the C has them under
/// `#ifndef CONFIG_64BIT`, which holds in userspace builds).
pub static FCNTL_COMMANDS: [NameValue; 28] = [
    nv("F_GETPIPE_SZ", 29),
    nv("F_SETPIPE_SZ", 28),
    nv("F_NOTIFY", 27),
    nv("F_DUPFD_CLOEXEC", 26),
    nv("F_CANCELLK", 25),
    nv("F_GETLEASE", 24),
    nv("F_SETLEASE", 23),
    nv("F_GETOWN_EX", 22),
    nv("F_SETOWN_EX", 21),
    nv("F_SETLKW64", 19),
    nv("F_SETLK64", 18),
    nv("F_GETLK64", 17),
    nv("F_GETSIG", 15),
    nv("F_SETSIG", 13),
    nv("F_GETOWN", 12),
    nv("F_SETOWN", 10),
    nv("F_SETLKW", 9),
    nv("F_SETLK", 8),
    nv("F_GETLK", 6),
    nv("F_SETFL", 5),
    nv("F_GETFL", 4),
    nv("F_SETFD", 3),
    nv("F_GETFD", 2),
    nv("F_DUPFD", 1),
    nv("F_OFD_GETLK", 30),
    nv("F_OFD_SETLK", 31),
    nv("F_OFD_SETLKW", 32),
    nv("UNKNOWN", 0),
];

/// `sockopt_levels` (libs e5c53d64).
pub static SOCKOPT_LEVELS: [NameValue; 3] =
    [nv("SOL_SOCKET", 1), nv("SOL_TCP", 2), nv("UNKNOWN", 0)];

/// `sockopt_options` (libs e5c53d64).
pub static SOCKOPT_OPTIONS: [NameValue; 54] = [
    nv("SO_COOKIE", 53),
    nv("SO_MEMINFO", 52),
    nv("SO_PEERGROUPS", 51),
    nv("SO_ATTACH_BPF", 50),
    nv("SO_INCOMING_CPU", 49),
    nv("SO_BPF_EXTENSIONS", 48),
    nv("SO_MAX_PACING_RATE", 47),
    nv("SO_BUSY_POLL", 46),
    nv("SO_SELECT_ERR_QUEUE", 45),
    nv("SO_LOCK_FILTER", 44),
    nv("SO_NOFCS", 43),
    nv("SO_PEEK_OFF", 42),
    nv("SO_WIFI_STATUS", 41),
    nv("SO_RXQ_OVFL", 40),
    nv("SO_DOMAIN", 39),
    nv("SO_PROTOCOL", 38),
    nv("SO_TIMESTAMPING", 37),
    nv("SO_MARK", 36),
    nv("SO_TIMESTAMPNS", 35),
    nv("SO_PASSSEC", 34),
    nv("SO_PEERSEC", 31),
    nv("SO_ACCEPTCONN", 30),
    nv("SO_TIMESTAMP", 29),
    nv("SO_PEERNAME", 28),
    nv("SO_DETACH_FILTER", 27),
    nv("SO_ATTACH_FILTER", 26),
    nv("SO_BINDTODEVICE", 25),
    nv("SO_SECURITY_ENCRYPTION_NETWORK", 24),
    nv("SO_SECURITY_ENCRYPTION_TRANSPORT", 23),
    nv("SO_SECURITY_AUTHENTICATION", 22),
    nv("SO_SNDTIMEO", 21),
    nv("SO_RCVTIMEO", 20),
    nv("SO_SNDLOWAT", 19),
    nv("SO_RCVLOWAT", 18),
    nv("SO_PEERCRED", 17),
    nv("SO_PASSCRED", 16),
    nv("SO_REUSEPORT", 15),
    nv("SO_BSDCOMPAT", 14),
    nv("SO_LINGER", 13),
    nv("SO_PRIORITY", 12),
    nv("SO_NO_CHECK", 11),
    nv("SO_OOBINLINE", 10),
    nv("SO_KEEPALIVE", 9),
    nv("SO_RCVBUFFORCE", 33),
    nv("SO_SNDBUFFORCE", 32),
    nv("SO_RCVBUF", 8),
    nv("SO_SNDBUF", 7),
    nv("SO_BROADCAST", 6),
    nv("SO_DONTROUTE", 5),
    nv("SO_ERROR", 4),
    nv("SO_TYPE", 3),
    nv("SO_REUSEADDR", 2),
    nv("SO_DEBUG", 1),
    nv("UNKNOWN", 0),
];

/// `ptrace_requests` (libs e5c53d64).
pub static PTRACE_REQUESTS: [NameValue; 39] = [
    nv("PTRACE_SINGLEBLOCK", 38),
    nv("PTRACE_SYSEMU_SINGLESTEP", 37),
    nv("PTRACE_SYSEMU", 36),
    nv("PTRACE_ARCH_PRCTL", 35),
    nv("PTRACE_SET_THREAD_AREA", 34),
    nv("PTRACE_GET_THREAD_AREA", 33),
    nv("PTRACE_OLDSETOPTIONS", 32),
    nv("PTRACE_SETFPXREGS", 31),
    nv("PTRACE_GETFPXREGS", 30),
    nv("PTRACE_SETFPREGS", 29),
    nv("PTRACE_GETFPREGS", 28),
    nv("PTRACE_SETREGS", 27),
    nv("PTRACE_GETREGS", 26),
    nv("PTRACE_SETSIGMASK", 25),
    nv("PTRACE_GETSIGMASK", 24),
    nv("PTRACE_PEEKSIGINFO", 23),
    nv("PTRACE_LISTEN", 22),
    nv("PTRACE_INTERRUPT", 21),
    nv("PTRACE_SEIZE", 20),
    nv("PTRACE_SETREGSET", 19),
    nv("PTRACE_GETREGSET", 18),
    nv("PTRACE_SETSIGINFO", 17),
    nv("PTRACE_GETSIGINFO", 16),
    nv("PTRACE_GETEVENTMSG", 15),
    nv("PTRACE_SETOPTIONS", 14),
    nv("PTRACE_SYSCALL", 13),
    nv("PTRACE_DETACH", 12),
    nv("PTRACE_ATTACH", 11),
    nv("PTRACE_SINGLESTEP", 10),
    nv("PTRACE_KILL", 9),
    nv("PTRACE_CONT", 8),
    nv("PTRACE_POKEUSR", 7),
    nv("PTRACE_POKEDATA", 6),
    nv("PTRACE_POKETEXT", 5),
    nv("PTRACE_PEEKUSR", 4),
    nv("PTRACE_PEEKDATA", 3),
    nv("PTRACE_PEEKTEXT", 2),
    nv("PTRACE_TRACEME", 1),
    nv("PTRACE_UNKNOWN", 0),
];

/// `prot_flags` (libs e5c53d64).
pub static PROT_FLAGS: [NameValue; 8] = [
    nv("PROT_READ", 0x1),
    nv("PROT_WRITE", 0x2),
    nv("PROT_EXEC", 0x4),
    nv("PROT_SEM", 0x8),
    nv("PROT_GROWSDOWN", 0x10),
    nv("PROT_GROWSUP", 0x20),
    nv("PROT_SAO", 0x40),
    nv("PROT_NONE", 0x0),
];

/// `mmap_flags` (libs e5c53d64).
pub static MMAP_FLAGS: [NameValue; 15] = [
    nv("MAP_SHARED", 0x1),
    nv("MAP_PRIVATE", 0x2),
    nv("MAP_FIXED", 0x4),
    nv("MAP_ANONYMOUS", 0x8),
    nv("MAP_32BIT", 0x10),
    nv("MAP_RENAME", 0x20),
    nv("MAP_NORESERVE", 0x40),
    nv("MAP_POPULATE", 0x80),
    nv("MAP_NONBLOCK", 0x100),
    nv("MAP_GROWSDOWN", 0x200),
    nv("MAP_DENYWRITE", 0x400),
    nv("MAP_EXECUTABLE", 0x800),
    nv("MAP_INHERIT", 0x1000),
    nv("MAP_FILE", 0x2000),
    nv("MAP_LOCKED", 0x4000),
];

/// `splice_flags` (libs e5c53d64).
pub static SPLICE_FLAGS: [NameValue; 4] = [
    nv("SPLICE_F_MOVE", 1),
    nv("SPLICE_F_NONBLOCK", 2),
    nv("SPLICE_F_MORE", 4),
    nv("SPLICE_F_GIFT", 8),
];

/// `quotactl_dqi_flags` (libs e5c53d64).
pub static QUOTACTL_DQI_FLAGS: [NameValue; 2] = [nv("DQF_NONE", 1), nv("V1_DQF_RSQUASH", 2)];

/// `quotactl_cmds` (libs e5c53d64).
pub static QUOTACTL_CMDS: [NameValue; 15] = [
    nv("Q_QUOTAON", 0x1),
    nv("Q_QUOTAOFF", 0x2),
    nv("Q_GETFMT", 0x4),
    nv("Q_GETINFO", 0x8),
    nv("Q_SETINFO", 0x10),
    nv("Q_GETQUOTA", 0x20),
    nv("Q_SETQUOTA", 0x40),
    nv("Q_SYNC", 0x80),
    nv("Q_XQUOTAON", 0x100),
    nv("Q_XQUOTAOFF", 0x200),
    nv("Q_XGETQUOTA", 0x400),
    nv("Q_XSETQLIM", 0x800),
    nv("Q_XGETQSTAT", 0x1000),
    nv("Q_XQUOTARM", 0x2000),
    nv("Q_XQUOTASYNC", 0x4000),
];

/// `quotactl_types` (libs e5c53d64).
pub static QUOTACTL_TYPES: [NameValue; 2] = [nv("USRQUOTA", 1), nv("GRPQUOTA", 2)];

/// `quotactl_quota_fmts` (libs e5c53d64).
pub static QUOTACTL_QUOTA_FMTS: [NameValue; 4] = [
    nv("QFMT_NOT_USED", 1),
    nv("QFMT_VFS_OLD", 2),
    nv("QFMT_VFS_V0", 4),
    nv("QFMT_VFS_V1", 8),
];

/// `semop_flags` (libs e5c53d64).
pub static SEMOP_FLAGS: [NameValue; 2] = [nv("IPC_NOWAIT", 1), nv("SEM_UNDO", 2)];

/// `semget_flags` (libs e5c53d64).
pub static SEMGET_FLAGS: [NameValue; 2] = [nv("IPC_EXCL", 0x4000), nv("IPC_CREAT", 0x2000)];

/// `semctl_commands` (libs e5c53d64).
pub static SEMCTL_COMMANDS: [NameValue; 13] = [
    nv("IPC_STAT", 0x1),
    nv("IPC_SET", 0x2),
    nv("IPC_RMID", 0x4),
    nv("IPC_INFO", 0x8),
    nv("SEM_INFO", 0x10),
    nv("SEM_STAT", 0x20),
    nv("GETALL", 0x40),
    nv("GETNCNT", 0x80),
    nv("GETPID", 0x100),
    nv("GETVAL", 0x200),
    nv("GETZCNT", 0x400),
    nv("SETALL", 0x800),
    nv("SETVAL", 0x1000),
];

/// `access_flags` (libs e5c53d64).
pub static ACCESS_FLAGS: [NameValue; 4] =
    [nv("F_OK", 0), nv("R_OK", 4), nv("W_OK", 2), nv("X_OK", 1)];

/// `pf_flags` (libs e5c53d64).
pub static PF_FLAGS: [NameValue; 8] = [
    nv("PROTECTION_VIOLATION", 0x1),
    nv("PAGE_NOT_PRESENT", 0x2),
    nv("WRITE_ACCESS", 0x4),
    nv("READ_ACCESS", 0x8),
    nv("USER_FAULT", 0x10),
    nv("SUPERVISOR_FAULT", 0x20),
    nv("RESERVED_PAGE", 0x40),
    nv("INSTRUCTION_FETCH", 0x80),
];

/// `unlinkat_flags` (libs e5c53d64).
pub static UNLINKAT_FLAGS: [NameValue; 1] = [nv("AT_REMOVEDIR", 0x200)];

/// `linkat_flags` (libs e5c53d64).
pub static LINKAT_FLAGS: [NameValue; 2] =
    [nv("AT_SYMLINK_FOLLOW", 0x400), nv("AT_EMPTY_PATH", 0x1000)];

/// `chmod_mode` (libs e5c53d64).
pub static CHMOD_MODE: [NameValue; 12] = [
    nv("S_IXOTH", 0x1),
    nv("S_IWOTH", 0x2),
    nv("S_IROTH", 0x4),
    nv("S_IXGRP", 0x8),
    nv("S_IWGRP", 0x10),
    nv("S_IRGRP", 0x20),
    nv("S_IXUSR", 0x40),
    nv("S_IWUSR", 0x80),
    nv("S_IRUSR", 0x100),
    nv("S_ISVTX", 0x200),
    nv("S_ISGID", 0x400),
    nv("S_ISUID", 0x800),
];

/// `renameat2_flags` (libs e5c53d64).
pub static RENAMEAT2_FLAGS: [NameValue; 3] = [
    nv("RENAME_NOREPLACE", 1),
    nv("RENAME_EXCHANGE", 2),
    nv("RENAME_WHITEOUT", 4),
];

/// `openat2_flags` (libs e5c53d64).
pub static OPENAT2_FLAGS: [NameValue; 6] = [
    nv("RESOLVE_BENEATH", 0x1),
    nv("RESOLVE_IN_ROOT", 0x2),
    nv("RESOLVE_NO_MAGICLINKS", 0x4),
    nv("RESOLVE_NO_SYMLINKS", 0x8),
    nv("RESOLVE_NO_XDEV", 0x10),
    nv("RESOLVE_CACHED", 0x20),
];

/// `execve_flags` (libs e5c53d64).
pub static EXECVE_FLAGS: [NameValue; 1] = [nv("EXE_WRITABLE", 1)];

/// `execveat_flags` (libs e5c53d64).
pub static EXECVEAT_FLAGS: [NameValue; 2] = [nv("AT_EMPTY_PATH", 1), nv("AT_SYMLINK_NOFOLLOW", 2)];

// ---- Tables of libs HEAD, for event types from LEGACY_EVENT_COUNT on ----

/// `file_flags` as libs HEAD has it (more names than [`FILE_FLAGS`]), for newer event types.
pub static FILE_FLAGS_HEAD: [NameValue; 19] = [
    nv("O_LARGEFILE", 2048),
    nv("O_DIRECTORY", 1024),
    nv("O_DIRECT", 512),
    nv("O_TRUNC", 256),
    nv("O_SYNC", 128),
    nv("O_NONBLOCK", 64),
    nv("O_EXCL", 32),
    nv("O_DSYNC", 16),
    nv("O_APPEND", 8),
    nv("O_CREAT", 4),
    nv("O_RDWR", 3),
    nv("O_WRONLY", 2),
    nv("O_RDONLY", 1),
    nv("O_CLOEXEC", 4096),
    nv("O_NONE", 0),
    nv("O_TMPFILE", 8192),
    nv("O_F_CREATED", 16384),
    nv("FD_UPPER_LAYER", 32768),
    nv("FD_LOWER_LAYER", 65536),
];

/// `execve_flags` as libs HEAD has it (more names than [`EXECVE_FLAGS`]), for newer event types.
pub static EXECVE_FLAGS_HEAD: [NameValue; 4] = [
    nv("EXE_WRITABLE", 1),
    nv("EXE_UPPER_LAYER", 2),
    nv("EXE_FROM_MEMFD", 4),
    nv("EXE_LOWER_LAYER", 8),
];

/// `newfstatat_flags` (libs HEAD only).
pub static NEWFSTATAT_FLAGS: [NameValue; 3] = [
    nv("AT_EMPTY_PATH", 0x1000),
    nv("AT_NO_AUTOMOUNT", 0x800),
    nv("AT_SYMLINK_NOFOLLOW", 0x100),
];

/// `fchownat_flags` (libs HEAD only).
pub static FCHOWNAT_FLAGS: [NameValue; 2] = [
    nv("AT_SYMLINK_NOFOLLOW", 0x400),
    nv("AT_EMPTY_PATH", 0x1000),
];

/// `io_uring_setup_flags` (libs HEAD only).
pub static IO_URING_SETUP_FLAGS: [NameValue; 8] = [
    nv("IORING_SETUP_IOPOLL", 0x1),
    nv("IORING_SETUP_SQPOLL", 0x2),
    nv("IORING_SQ_NEED_WAKEUP", 0x4),
    nv("IORING_SETUP_SQ_AFF", 0x8),
    nv("IORING_SETUP_CQSIZE", 0x10),
    nv("IORING_SETUP_CLAMP", 0x20),
    nv("IORING_SETUP_ATTACH_RW", 0x40),
    nv("IORING_SETUP_R_DISABLED", 0x80),
];

/// `io_uring_setup_feats` (libs HEAD only).
pub static IO_URING_SETUP_FEATS: [NameValue; 11] = [
    nv("IORING_FEAT_SINGLE_MMAP", 0x1),
    nv("IORING_FEAT_NODROP", 0x2),
    nv("IORING_FEAT_SUBMIT_STABLE", 0x4),
    nv("IORING_FEAT_RW_CUR_POS", 0x8),
    nv("IORING_FEAT_CUR_PERSONALITY", 0x10),
    nv("IORING_FEAT_FAST_POLL", 0x20),
    nv("IORING_FEAT_POLL_32BITS", 0x40),
    nv("IORING_FEAT_SQPOLL_NONFIXED", 0x80),
    nv("IORING_FEAT_ENTER_EXT_ARG", 0x100),
    nv("IORING_FEAT_NATIVE_WORKERS", 0x200),
    nv("IORING_FEAT_RSRC_TAGS", 0x400),
];

/// `io_uring_enter_flags` (libs HEAD only).
pub static IO_URING_ENTER_FLAGS: [NameValue; 4] = [
    nv("IORING_ENTER_GETEVENTS", 1),
    nv("IORING_ENTER_SQ_WAKEUP", 2),
    nv("IORING_ENTER_SQ_WAIT", 4),
    nv("IORING_ENTER_EXT_ARG", 8),
];

/// `io_uring_register_opcodes` (libs HEAD only).
pub static IO_URING_REGISTER_OPCODES: [NameValue; 22] = [
    nv("IORING_REGISTER_BUFFERS", 0),
    nv("IORING_UNREGISTER_BUFFERS", 1),
    nv("IORING_REGISTER_FILES", 2),
    nv("IORING_UNREGISTER_FILES", 3),
    nv("IORING_REGISTER_EVENTFD", 4),
    nv("IORING_UNREGISTER_EVENTFD", 5),
    nv("IORING_REGISTER_FILES_UPDATE", 6),
    nv("IORING_REGISTER_EVENTFD_ASYNC", 7),
    nv("IORING_REGISTER_PROBE", 8),
    nv("IORING_REGISTER_PERSONALITY", 9),
    nv("IORING_UNREGISTER_PERSONALITY", 10),
    nv("IORING_REGISTER_RESTRICTIONS", 11),
    nv("IORING_REGISTER_ENABLE_RINGS", 12),
    nv("IORING_REGISTER_FILES2", 13),
    nv("IORING_REGISTER_FILES_UPDATE2", 14),
    nv("IORING_REGISTER_BUFFERS2", 15),
    nv("IORING_REGISTER_BUFFERS_UPDATE", 16),
    nv("IORING_REGISTER_IOWQ_AFF", 17),
    nv("IORING_UNREGISTER_IOWQ_AFF", 18),
    nv("IORING_REGISTER_IOWQ_MAX_WORKERS", 19),
    nv("IORING_REGISTER_RING_FDS", 20),
    nv("IORING_UNREGISTER_RING_FDS", 21),
];

/// `mlockall_flags` (libs HEAD only).
pub static MLOCKALL_FLAGS: [NameValue; 3] = [
    nv("MCL_CURRENT", 1),
    nv("MCL_FUTURE", 2),
    nv("MCL_ONFAULT", 4),
];

/// `mlock2_flags` (libs HEAD only).
pub static MLOCK2_FLAGS: [NameValue; 1] = [nv("MLOCK_ONFAULT", 1)];

/// `fsconfig_cmds` (libs HEAD only).
pub static FSCONFIG_CMDS: [NameValue; 8] = [
    nv("FSCONFIG_SET_FLAG", 0),
    nv("FSCONFIG_SET_STRING", 1),
    nv("FSCONFIG_SET_BINARY", 2),
    nv("FSCONFIG_SET_PATH", 3),
    nv("FSCONFIG_SET_PATH_EMPTY", 4),
    nv("FSCONFIG_SET_FD", 5),
    nv("FSCONFIG_CMD_CREATE", 6),
    nv("FSCONFIG_CMD_RECONFIGURE", 7),
];

/// `epoll_create1_flags` (libs HEAD only).
pub static EPOLL_CREATE1_FLAGS: [NameValue; 1] = [nv("EPOLL_CLOEXEC", 1)];

/// `prctl_options` (libs HEAD only).
pub static PRCTL_OPTIONS: [NameValue; 23] = [
    nv("PR_GET_DUMPABLE", 3),
    nv("PR_SET_DUMPABLE", 4),
    nv("PR_GET_KEEPCAPS", 7),
    nv("PR_SET_KEEPCAPS", 8),
    nv("PR_SET_NAME", 15),
    nv("PR_GET_NAME", 16),
    nv("PR_GET_SECCOMP", 21),
    nv("PR_SET_SECCOMP", 22),
    nv("PR_CAPBSET_READ", 23),
    nv("PR_CAPBSET_DROP", 24),
    nv("PR_GET_SECUREBITS", 27),
    nv("PR_SET_SECUREBITS", 28),
    nv("PR_MCE_KILL", 33),
    nv("PR_MCE_KILL", 33),
    nv("PR_SET_MM", 35),
    nv("PR_SET_CHILD_SUBREAPER", 36),
    nv("PR_GET_CHILD_SUBREAPER", 37),
    nv("PR_SET_NO_NEW_PRIVS", 38),
    nv("PR_GET_NO_NEW_PRIVS", 39),
    nv("PR_GET_TID_ADDRESS", 40),
    nv("PR_SET_THP_DISABLE", 41),
    nv("PR_GET_THP_DISABLE", 42),
    nv("PR_CAP_AMBIENT", 47),
];

/// `keyctl_operations` (libs HEAD only).
pub static KEYCTL_OPERATIONS: [NameValue; 33] = [
    nv("KEYCTL_GET_KEYRING_ID", 0),
    nv("KEYCTL_JOIN_SESSION_KEYRING", 1),
    nv("KEYCTL_UPDATE", 2),
    nv("KEYCTL_REVOKE", 3),
    nv("KEYCTL_CHOWN", 4),
    nv("KEYCTL_SETPERM", 5),
    nv("KEYCTL_DESCRIBE", 6),
    nv("KEYCTL_CLEAR", 7),
    nv("KEYCTL_LINK", 8),
    nv("KEYCTL_UNLINK", 9),
    nv("KEYCTL_SEARCH", 10),
    nv("KEYCTL_READ", 11),
    nv("KEYCTL_INSTANTIATE", 12),
    nv("KEYCTL_NEGATE", 13),
    nv("KEYCTL_SET_REQKEY_KEYRING", 14),
    nv("KEYCTL_SET_TIMEOUT", 15),
    nv("KEYCTL_ASSUME_AUTHORITY", 16),
    nv("KEYCTL_GET_SECURITY", 17),
    nv("KEYCTL_SESSION_TO_PARENT", 18),
    nv("KEYCTL_REJECT", 19),
    nv("KEYCTL_INSTANTIATE_IOV", 20),
    nv("KEYCTL_INVALIDATE", 21),
    nv("KEYCTL_GET_PERSISTENT", 22),
    nv("KEYCTL_DH_COMPUTE", 23),
    nv("KEYCTL_PKEY_QUERY", 24),
    nv("KEYCTL_PKEY_ENCRYPT", 25),
    nv("KEYCTL_PKEY_DECRYPT", 26),
    nv("KEYCTL_PKEY_SIGN", 27),
    nv("KEYCTL_PKEY_VERIFY", 28),
    nv("KEYCTL_RESTRICT_KEYRING", 29),
    nv("KEYCTL_MOVE", 30),
    nv("KEYCTL_CAPABILITIES", 31),
    nv("KEYCTL_WATCH_KEY", 32),
];

/// `memfd_create_flags` (libs HEAD only).
pub static MEMFD_CREATE_FLAGS: [NameValue; 3] = [
    nv("MFD_CLOEXEC", 1),
    nv("MFD_ALLOW_SEALING", 2),
    nv("MFD_HUGETLB", 4),
];

/// `pidfd_open_flags` (libs HEAD only).
pub static PIDFD_OPEN_FLAGS: [NameValue; 1] = [nv("PIDFD_NONBLOCK", 1)];

/// `mknod_mode` (libs HEAD only).
pub static MKNOD_MODE: [NameValue; 17] = [
    nv("S_IXOTH", 1),
    nv("S_IWOTH", 2),
    nv("S_IROTH", 4),
    nv("S_IXGRP", 8),
    nv("S_IWGRP", 16),
    nv("S_IRGRP", 32),
    nv("S_IXUSR", 64),
    nv("S_IWUSR", 128),
    nv("S_IRUSR", 256),
    nv("S_ISVTX", 512),
    nv("S_ISGID", 1024),
    nv("S_ISUID", 2048),
    nv("S_IFREG", 32768),
    nv("S_IFCHR", 8192),
    nv("S_IFBLK", 24576),
    nv("S_IFIFO", 4096),
    nv("S_IFSOCK", 49152),
];

/// `bpf_commands` (libs HEAD only).
pub static BPF_COMMANDS: [NameValue; 37] = [
    nv("BPF_MAP_CREATE", 0),
    nv("BPF_MAP_LOOKUP_ELEM", 1),
    nv("BPF_MAP_UPDATE_ELEM", 2),
    nv("BPF_MAP_DELETE_ELEM", 3),
    nv("BPF_MAP_GET_NEXT_KEY", 4),
    nv("BPF_PROG_LOAD", 5),
    nv("BPF_OBJ_PIN", 6),
    nv("BPF_OBJ_GET", 7),
    nv("BPF_PROG_ATTACH", 8),
    nv("BPF_PROG_DETACH", 9),
    nv("BPF_PROG_TEST_RUN", 10),
    nv("BPF_PROG_RUN", 10),
    nv("BPF_PROG_GET_NEXT_ID", 11),
    nv("BPF_MAP_GET_NEXT_ID", 12),
    nv("BPF_PROG_GET_FD_BY_ID", 13),
    nv("BPF_MAP_GET_FD_BY_ID", 14),
    nv("BPF_OBJ_GET_INFO_BY_FD", 15),
    nv("BPF_PROG_QUERY", 16),
    nv("BPF_RAW_TRACEPOINT_OPEN", 17),
    nv("BPF_BTF_LOAD", 18),
    nv("BPF_BTF_GET_FD_BY_ID", 19),
    nv("BPF_TASK_FD_QUERY", 20),
    nv("BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21),
    nv("BPF_MAP_FREEZE", 22),
    nv("BPF_BTF_GET_NEXT_ID", 23),
    nv("BPF_MAP_LOOKUP_BATCH", 24),
    nv("BPF_MAP_LOOKUP_AND_DELETE_BATCH", 25),
    nv("BPF_MAP_UPDATE_BATCH", 26),
    nv("BPF_MAP_DELETE_BATCH", 27),
    nv("BPF_LINK_CREATE", 28),
    nv("BPF_LINK_UPDATE", 29),
    nv("BPF_LINK_GET_FD_BY_ID", 30),
    nv("BPF_LINK_GET_NEXT_ID", 31),
    nv("BPF_ENABLE_STATS", 32),
    nv("BPF_ITER_CREATE", 33),
    nv("BPF_LINK_DETACH", 34),
    nv("BPF_PROG_BIND_MAP", 35),
];

/// `delete_module_flags` (libs HEAD only).
pub static DELETE_MODULE_FLAGS: [NameValue; 2] = [nv("O_NONBLOCK", 2), nv("O_TRUNC", 1)];

/// `close_range_flags` (libs HEAD only).
pub static CLOSE_RANGE_FLAGS: [NameValue; 2] =
    [nv("CLOSE_RANGE_UNSHARE", 2), nv("CLOSE_RANGE_CLOEXEC", 4)];

/// `finit_module_flags` (libs HEAD only).
pub static FINIT_MODULE_FLAGS: [NameValue; 3] = [
    nv("MODULE_INIT_IGNORE_MODVERSIONS", 1),
    nv("MODULE_INIT_IGNORE_VERMAGIC", 2),
    nv("MODULE_INIT_COMPRESSED_FILE", 4),
];

/// `anon_inode_fd_types` (libs HEAD only).
pub static ANON_INODE_FD_TYPES: [NameValue; 14] = [
    nv("ANON_INODE_FD_TYPE_UNKNOWN", 0),
    nv("ANON_INODE_FD_TYPE_EVENTFD", 1),
    nv("ANON_INODE_FD_TYPE_EVENTPOLL", 2),
    nv("ANON_INODE_FD_TYPE_INOTIFY", 3),
    nv("ANON_INODE_FD_TYPE_SIGNALFD", 4),
    nv("ANON_INODE_FD_TYPE_TIMERFD", 5),
    nv("ANON_INODE_FD_TYPE_IO_URING", 6),
    nv("ANON_INODE_FD_TYPE_USERFAULTFD", 7),
    nv("ANON_INODE_FD_TYPE_PIDFD", 8),
    nv("ANON_INODE_FD_TYPE_BPF_MAP", 9),
    nv("ANON_INODE_FD_TYPE_BPF_PROG", 10),
    nv("ANON_INODE_FD_TYPE_BPF_LINK", 11),
    nv("ANON_INODE_FD_TYPE_BPF_ITER", 12),
    nv("ANON_INODE_FD_TYPE_PERF_EVENT", 13),
];
