//! The x86_64 system calls as libs e5c53d64's driver routes them
//! (`driver/syscall_table.c`: `g_syscall_table` and `g_syscall_code_routing_table`,
//! with the numbers of x86_64's `asm/unistd_64.h`), indexed by the native system call
//! number: the enter and exit event types a capture records for the call (the generic
//! `syscall` pair for calls without events of their own) and its `PPM_SC_*` code (what
//! the generic events carry in their `ID` parameter). Numbers x86_64 does not use route to
//! the generic events with `PPM_SC_UNKNOWN`, as the driver does. Generated from the C tables; this
//! is a data table.

use super::{NativeSyscall, native_flags as uf};

const fn n(enter: u16, exit: u16, flags: u8, ppm_sc: u16) -> NativeSyscall {
    NativeSyscall {
        enter,
        exit,
        flags,
        ppm_sc,
    }
}

/// A call the driver routes to the generic events, with its `PPM_SC_*` code
/// (`PPM_SC_UNKNOWN`, 0, for a call the routing table does not name).
const fn g(ppm_sc: u16) -> NativeSyscall {
    n(0, 1, 0, ppm_sc)
}

pub static X86_64_SYSCALLS: [NativeSyscall; 451] = [
    n(6, 7, uf::USED, 3),                                          // 0: read
    n(8, 9, uf::USED, 4),                                          // 1: write
    n(2, 3, uf::USED | uf::NEVER_DROP, 5),                         // 2: open
    n(4, 5, uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP, 6), // 3: close
    n(66, 67, uf::USED | uf::ALWAYS_DROP, 14),                     // 4: stat
    n(70, 71, uf::USED | uf::ALWAYS_DROP, 20),                     // 5: fstat
    n(68, 69, uf::USED | uf::ALWAYS_DROP, 50),                     // 6: lstat
    n(80, 81, uf::USED | uf::ALWAYS_DROP, 105),                    // 7: poll
    n(86, 87, uf::USED | uf::ALWAYS_DROP, 15),                     // 8: lseek
    n(160, 161, uf::USED | uf::ALWAYS_DROP, 55),                   // 9: mmap
    n(328, 329, uf::USED, 75),                                     // 10: mprotect
    n(164, 165, uf::USED | uf::ALWAYS_DROP, 56),                   // 11: munmap
    n(158, 159, uf::USED | uf::ALWAYS_DROP, 32),                   // 12: brk
    g(107),                                                        // 13: rt_sigaction
    g(108),                                                        // 14: rt_sigprocmask
    g(298),                                                        // 15: rt_sigreturn
    n(170, 171, uf::USED | uf::ALWAYS_DROP, 34),                   // 16: ioctl
    n(112, 113, uf::USED, 294),                                    // 17: pread64
    n(114, 115, uf::USED, 295),                                    // 18: pwrite64
    n(116, 117, uf::USED, 87),                                     // 19: readv
    n(118, 119, uf::USED, 88),                                     // 20: writev
    n(264, 265, uf::USED | uf::ALWAYS_DROP, 23),                   // 21: access
    n(60, 61, uf::USED | uf::NEVER_DROP, 30),                      // 22: pipe
    n(82, 83, uf::USED | uf::ALWAYS_DROP, 84),                     // 23: select
    g(99),                                                         // 24: sched_yield
    g(104),                                                        // 25: mremap
    g(86),                                                         // 26: msync
    g(138),                                                        // 27: mincore
    g(139),                                                        // 28: madvise
    g(267),                                                        // 29: shmget
    g(297),                                                        // 30: shmat
    g(268),                                                        // 31: shmctl
    n(
        124,
        125,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        29,
    ), // 32: dup
    n(
        124,
        125,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        40,
    ), // 33: dup2
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 21),                       // 34: pause
    n(134, 135, uf::USED | uf::ALWAYS_DROP, 103),                  // 35: nanosleep
    g(66),                                                         // 36: getitimer
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 19),                       // 37: alarm
    g(65),                                                         // 38: setitimer
    g(16),                                                         // 39: getpid
    n(188, 189, uf::USED, 116),                                    // 40: sendfile
    n(
        18,
        19,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        241,
    ), // 41: socket
    n(22, 23, uf::USED | uf::SIMPLEDRIVER_KEEP, 243),              // 42: connect
    n(246, 247, uf::USED | uf::SIMPLEDRIVER_KEEP, 245),            // 43: accept
    n(30, 31, uf::USED, 249),                                      // 44: sendto
    n(34, 35, uf::USED, 250),                                      // 45: recvfrom
    n(48, 49, uf::USED, 254),                                      // 46: sendmsg
    n(52, 53, uf::USED, 256),                                      // 47: recvmsg
    n(36, 37, uf::USED, 251),                                      // 48: shutdown
    n(20, 21, uf::USED | uf::NEVER_DROP, 242),                     // 49: bind
    n(24, 25, uf::USED, 244),                                      // 50: listen
    n(38, 39, uf::USED | uf::ALWAYS_DROP, 246),                    // 51: getsockname
    n(40, 41, uf::USED | uf::ALWAYS_DROP, 247),                    // 52: getpeername
    n(42, 43, uf::USED | uf::NEVER_DROP, 248),                     // 53: socketpair
    n(44, 45, uf::USED | uf::ALWAYS_DROP, 252),                    // 54: setsockopt
    n(46, 47, uf::USED, 253),                                      // 55: getsockopt
    n(
        222,
        223,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        327,
    ), // 56: clone
    n(
        224,
        225,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        303,
    ), // 57: fork
    n(
        226,
        227,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        304,
    ), // 58: vfork
    n(
        292,
        293,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        324,
    ), // 59: execve
    g(2),                                                          // 60: exit
    g(69),                                                         // 61: wait4
    n(128, 129, uf::USED, 25),                                     // 62: kill
    g(67),                                                         // 63: uname
    n(262, 263, uf::USED | uf::ALWAYS_DROP, 260),                  // 64: semget
    n(250, 251, uf::USED | uf::ALWAYS_DROP, 259),                  // 65: semop
    n(252, 253, uf::USED | uf::ALWAYS_DROP, 261),                  // 66: semctl
    g(266),                                                        // 67: shmdt
    g(264),                                                        // 68: msgget
    g(262),                                                        // 69: msgsnd
    g(263),                                                        // 70: msgrcv
    g(265),                                                        // 71: msgctl
    n(150, 151, uf::USED, 35),                                     // 72: fcntl
    n(242, 243, uf::USED | uf::ALWAYS_DROP, 85),                   // 73: flock
    g(72),                                                         // 74: fsync
    g(90),                                                         // 75: fdatasync
    g(57),                                                         // 76: truncate
    g(58),                                                         // 77: ftruncate
    n(236, 237, uf::USED | uf::ALWAYS_DROP, 83),                   // 78: getdents
    n(92, 93, uf::USED | uf::ALWAYS_DROP, 113),                    // 79: getcwd
    n(
        94,
        95,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        10,
    ), // 80: chdir
    n(
        96,
        97,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        80,
    ), // 81: fchdir
    n(174, 175, uf::USED, 26),                                     // 82: rename
    n(276, 277, uf::USED, 27),                                     // 83: mkdir
    n(278, 279, uf::USED, 28),                                     // 84: rmdir
    n(58, 59, uf::USED | uf::NEVER_DROP, 7),                       // 85: creat
    n(308, 309, uf::USED, 8),                                      // 86: link
    n(300, 301, uf::USED, 9),                                      // 87: unlink
    n(178, 179, uf::USED, 49),                                     // 88: symlink
    g(51),                                                         // 89: readlink
    n(314, 315, uf::USED, 13),                                     // 90: chmod
    n(316, 317, uf::USED, 59),                                     // 91: fchmod
    g(132),                                                        // 92: chown
    g(127),                                                        // 93: fchown
    n(0, 1, uf::USED, 118),                                        // 94: lchown
    g(37),                                                         // 95: umask
    g(47),                                                         // 96: gettimeofday
    n(140, 141, uf::USED | uf::NEVER_DROP, 117),                   // 97: getrlimit
    g(46),                                                         // 98: getrusage
    g(71),                                                         // 99: sysinfo
    g(31),                                                         // 100: times
    n(168, 169, uf::USED, 18),                                     // 101: ptrace
    n(202, 203, uf::USED, 119),                                    // 102: getuid
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 64),                       // 103: syslog
    n(206, 207, uf::USED, 120),                                    // 104: getgid
    n(198, 199, uf::USED, 133),                                    // 105: setuid
    n(200, 201, uf::USED, 134),                                    // 106: setgid
    n(204, 205, uf::USED, 121),                                    // 107: geteuid
    n(208, 209, uf::USED, 122),                                    // 108: getegid
    n(294, 295, uf::USED | uf::ALWAYS_DROP, 36),                   // 109: setpgid
    g(41),                                                         // 110: getppid
    g(42),                                                         // 111: getpgrp
    n(274, 275, uf::USED | uf::ALWAYS_DROP, 43),                   // 112: setsid
    g(123),                                                        // 113: setreuid
    g(124),                                                        // 114: setregid
    g(125),                                                        // 115: getgroups
    g(126),                                                        // 116: setgroups
    n(192, 193, uf::USED, 128),                                    // 117: setresuid
    n(210, 211, uf::USED, 129),                                    // 118: getresuid
    n(194, 195, uf::USED, 130),                                    // 119: setresgid
    n(212, 213, uf::USED, 131),                                    // 120: getresgid
    g(79),                                                         // 121: getpgid
    g(135),                                                        // 122: setfsuid
    g(136),                                                        // 123: setfsgid
    g(89),                                                         // 124: getsid
    g(114),                                                        // 125: capget
    g(115),                                                        // 126: capset
    g(109),                                                        // 127: rt_sigpending
    g(110),                                                        // 128: rt_sigtimedwait
    g(111),                                                        // 129: rt_sigqueueinfo
    g(112),                                                        // 130: rt_sigsuspend
    g(317),                                                        // 131: sigaltstack
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 22),                       // 132: utime
    g(12),                                                         // 133: mknod
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 52),                       // 134: uselib
    g(82),                                                         // 135: personality
    g(39),                                                         // 136: ustat
    g(62),                                                         // 137: statfs
    g(63),                                                         // 138: fstatfs
    g(81),                                                         // 139: sysfs
    g(60),                                                         // 140: getpriority
    g(61),                                                         // 141: setpriority
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 95),                       // 142: sched_setparam
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 96),                       // 143: sched_getparam
    g(97),                                                         // 144: sched_setscheduler
    g(98),                                                         // 145: sched_getscheduler
    g(100),                                                        // 146: sched_get_priority_max
    g(101),                                                        // 147: sched_get_priority_min
    g(102),                                                        // 148: sched_rr_get_interval
    g(91),                                                         // 149: mlock
    g(92),                                                         // 150: munlock
    g(93),                                                         // 151: mlockall
    g(94),                                                         // 152: munlockall
    g(68),                                                         // 153: vhangup
    g(0),                                                          // 154: modify_ldt
    g(137),                                                        // 155: pivot_root
    g(0),                                                          // 156: _sysctl
    g(106),                                                        // 157: prctl
    g(296),                                                        // 158: arch_prctl
    g(74),                                                         // 159: adjtimex
    n(142, 143, uf::USED | uf::NEVER_DROP, 45),                    // 160: setrlimit
    n(266, 267, uf::USED | uf::NEVER_DROP, 38),                    // 161: chroot
    g(24),                                                         // 162: sync
    g(33),                                                         // 163: acct
    g(48),                                                         // 164: settimeofday
    n(256, 257, uf::USED, 17),                                     // 165: mount
    n(258, 259, uf::USED, 323),                                    // 166: umount2
    g(53),                                                         // 167: swapon
    g(70),                                                         // 168: swapoff
    g(54),                                                         // 169: reboot
    g(44),                                                         // 170: sethostname
    g(73),                                                         // 171: setdomainname
    g(0),                                                          // 172: iopl
    g(0),                                                          // 173: ioperm
    g(0),                                                          // 174: create_module
    g(76),                                                         // 175: init_module
    g(77),                                                         // 176: delete_module
    g(0),                                                          // 177: get_kernel_syms
    g(0),                                                          // 178: query_module
    n(190, 191, uf::USED, 78),                                     // 179: quotactl
    g(0),                                                          // 180: nfsservctl
    g(0),                                                          // 181: getpmsg
    g(0),                                                          // 182: putpmsg
    g(0),                                                          // 183: afs_syscall
    g(0),                                                          // 184: tuxcall
    g(0),                                                          // 185: security
    g(140),                                                        // 186: gettid
    g(0),                                                          // 187: readahead
    g(141),                                                        // 188: setxattr
    g(142),                                                        // 189: lsetxattr
    g(143),                                                        // 190: fsetxattr
    g(144),                                                        // 191: getxattr
    g(145),                                                        // 192: lgetxattr
    g(146),                                                        // 193: fgetxattr
    g(147),                                                        // 194: listxattr
    g(148),                                                        // 195: llistxattr
    g(149),                                                        // 196: flistxattr
    g(150),                                                        // 197: removexattr
    g(151),                                                        // 198: lremovexattr
    g(152),                                                        // 199: fremovexattr
    n(130, 131, uf::USED, 153),                                    // 200: tkill
    g(11),                                                         // 201: time
    n(64, 65, uf::USED | uf::ALWAYS_DROP, 154),                    // 202: futex
    g(155),                                                        // 203: sched_setaffinity
    g(156),                                                        // 204: sched_getaffinity
    g(157),                                                        // 205: set_thread_area
    g(159),                                                        // 206: io_setup
    g(160),                                                        // 207: io_destroy
    g(161),                                                        // 208: io_getevents
    g(162),                                                        // 209: io_submit
    g(163),                                                        // 210: io_cancel
    g(158),                                                        // 211: get_thread_area
    g(0),                                                          // 212: lookup_dcookie
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 165),                      // 213: epoll_create
    g(0),                                                          // 214: epoll_ctl_old
    g(0),                                                          // 215: epoll_wait_old
    g(168),                                                        // 216: remap_file_pages
    n(238, 239, uf::USED | uf::ALWAYS_DROP, 240),                  // 217: getdents64
    g(169),                                                        // 218: set_tid_address
    g(1),                                                          // 219: restart_syscall
    g(0),                                                          // 220: semtimedop
    g(319),                                                        // 221: fadvise64
    g(170),                                                        // 222: timer_create
    g(171),                                                        // 223: timer_settime
    g(172),                                                        // 224: timer_gettime
    g(173),                                                        // 225: timer_getoverrun
    g(174),                                                        // 226: timer_delete
    g(175),                                                        // 227: clock_settime
    g(176),                                                        // 228: clock_gettime
    g(177),                                                        // 229: clock_getres
    g(178),                                                        // 230: clock_nanosleep
    g(164),                                                        // 231: exit_group
    n(78, 79, uf::USED | uf::ALWAYS_DROP, 167),                    // 232: epoll_wait
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 166),                      // 233: epoll_ctl
    n(132, 133, uf::USED, 179),                                    // 234: tgkill
    g(180),                                                        // 235: utimes
    g(0),                                                          // 236: vserver
    g(0),                                                          // 237: mbind
    g(0),                                                          // 238: set_mempolicy
    g(0),                                                          // 239: get_mempolicy
    g(181),                                                        // 240: mq_open
    g(182),                                                        // 241: mq_unlink
    g(183),                                                        // 242: mq_timedsend
    g(184),                                                        // 243: mq_timedreceive
    g(185),                                                        // 244: mq_notify
    g(186),                                                        // 245: mq_getsetattr
    g(187),                                                        // 246: kexec_load
    g(188),                                                        // 247: waitid
    g(189),                                                        // 248: add_key
    g(190),                                                        // 249: request_key
    g(191),                                                        // 250: keyctl
    g(192),                                                        // 251: ioprio_set
    g(193),                                                        // 252: ioprio_get
    n(138, 139, uf::USED | uf::NEVER_DROP, 194),                   // 253: inotify_init
    g(195),                                                        // 254: inotify_add_watch
    g(196),                                                        // 255: inotify_rm_watch
    g(0),                                                          // 256: migrate_pages
    n(306, 307, uf::USED | uf::NEVER_DROP, 197),                   // 257: openat
    n(304, 305, uf::USED, 198),                                    // 258: mkdirat
    g(199),                                                        // 259: mknodat
    g(200),                                                        // 260: fchownat
    g(201),                                                        // 261: futimesat
    g(300),                                                        // 262: newfstatat
    n(302, 303, uf::USED, 202),                                    // 263: unlinkat
    n(176, 177, uf::USED, 203),                                    // 264: renameat
    n(310, 311, uf::USED, 204),                                    // 265: linkat
    n(180, 181, uf::USED, 205),                                    // 266: symlinkat
    g(206),                                                        // 267: readlinkat
    n(312, 313, uf::USED, 207),                                    // 268: fchmodat
    g(208),                                                        // 269: faccessat
    n(0, 1, uf::USED | uf::ALWAYS_DROP, 209),                      // 270: pselect6
    n(254, 255, uf::USED | uf::ALWAYS_DROP, 210),                  // 271: ppoll
    n(284, 285, uf::USED | uf::ALWAYS_DROP, 211),                  // 272: unshare
    g(212),                                                        // 273: set_robust_list
    g(213),                                                        // 274: get_robust_list
    n(166, 167, uf::USED, 214),                                    // 275: splice
    g(215),                                                        // 276: tee
    g(0),                                                          // 277: sync_file_range
    g(216),                                                        // 278: vmsplice
    g(0),                                                          // 279: move_pages
    g(219),                                                        // 280: utimensat
    g(218),                                                        // 281: epoll_pwait
    n(126, 127, uf::USED | uf::NEVER_DROP, 220),                   // 282: signalfd
    n(136, 137, uf::USED | uf::NEVER_DROP, 221),                   // 283: timerfd_create
    n(62, 63, uf::USED | uf::NEVER_DROP, 222),                     // 284: eventfd
    g(299),                                                        // 285: fallocate
    g(223),                                                        // 286: timerfd_settime
    g(224),                                                        // 287: timerfd_gettime
    n(248, 249, uf::USED | uf::SIMPLEDRIVER_KEEP, 258),            // 288: accept4
    n(126, 127, uf::USED | uf::NEVER_DROP, 225),                   // 289: signalfd4
    n(62, 63, uf::USED | uf::NEVER_DROP, 226),                     // 290: eventfd2
    g(227),                                                        // 291: epoll_create1
    n(
        124,
        125,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        228,
    ), // 292: dup3
    n(60, 61, uf::USED | uf::NEVER_DROP, 229),                     // 293: pipe2
    n(138, 139, uf::USED | uf::NEVER_DROP, 230),                   // 294: inotify_init1
    n(120, 121, uf::USED, 231),                                    // 295: preadv
    n(122, 123, uf::USED, 232),                                    // 296: pwritev
    g(233),                                                        // 297: rt_tgsigqueueinfo
    g(234),                                                        // 298: perf_event_open
    n(54, 55, uf::USED, 257),                                      // 299: recvmmsg
    g(235),                                                        // 300: fanotify_init
    g(0),                                                          // 301: fanotify_mark
    n(144, 145, uf::USED | uf::NEVER_DROP, 236),                   // 302: prlimit64
    g(0),                                                          // 303: name_to_handle_at
    g(0),                                                          // 304: open_by_handle_at
    g(237),                                                        // 305: clock_adjtime
    g(238),                                                        // 306: syncfs
    n(50, 51, uf::USED, 255),                                      // 307: sendmmsg
    n(240, 241, uf::USED, 239),                                    // 308: setns
    g(217),                                                        // 309: getcpu
    n(0, 1, uf::USED, 301),                                        // 310: process_vm_readv
    n(0, 1, uf::USED, 302),                                        // 311: process_vm_writev
    g(0),                                                          // 312: kcmp
    g(314),                                                        // 313: finit_module
    g(0),                                                          // 314: sched_setattr
    g(0),                                                          // 315: sched_getattr
    n(318, 319, uf::USED, 320),                                    // 316: renameat2
    n(298, 299, uf::USED, 316),                                    // 317: seccomp
    g(318),                                                        // 318: getrandom
    g(0),                                                          // 319: memfd_create
    g(0),                                                          // 320: kexec_file_load
    n(296, 297, uf::USED, 315),                                    // 321: bpf
    n(
        330,
        331,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        325,
    ), // 322: execveat
    n(320, 321, uf::USED | uf::NEVER_DROP, 321),                   // 323: userfaultfd
    g(0),                                                          // 324: membarrier
    g(0),                                                          // 325: mlock2
    n(332, 333, uf::USED, 326),                                    // 326: copy_file_range
    g(0),                                                          // 327: preadv2
    g(0),                                                          // 328: pwritev2
    g(0),                                                          // 329: pkey_mprotect
    g(0),                                                          // 330: pkey_alloc
    g(0),                                                          // 331: pkey_free
    g(0),                                                          // 332: statx
    g(0),                                                          // 333: io_pgetevents
    g(0),                                                          // 334: rseq
    g(0),                                                          // 335
    g(0),                                                          // 336
    g(0),                                                          // 337
    g(0),                                                          // 338
    g(0),                                                          // 339
    g(0),                                                          // 340
    g(0),                                                          // 341
    g(0),                                                          // 342
    g(0),                                                          // 343
    g(0),                                                          // 344
    g(0),                                                          // 345
    g(0),                                                          // 346
    g(0),                                                          // 347
    g(0),                                                          // 348
    g(0),                                                          // 349
    g(0),                                                          // 350
    g(0),                                                          // 351
    g(0),                                                          // 352
    g(0),                                                          // 353
    g(0),                                                          // 354
    g(0),                                                          // 355
    g(0),                                                          // 356
    g(0),                                                          // 357
    g(0),                                                          // 358
    g(0),                                                          // 359
    g(0),                                                          // 360
    g(0),                                                          // 361
    g(0),                                                          // 362
    g(0),                                                          // 363
    g(0),                                                          // 364
    g(0),                                                          // 365
    g(0),                                                          // 366
    g(0),                                                          // 367
    g(0),                                                          // 368
    g(0),                                                          // 369
    g(0),                                                          // 370
    g(0),                                                          // 371
    g(0),                                                          // 372
    g(0),                                                          // 373
    g(0),                                                          // 374
    g(0),                                                          // 375
    g(0),                                                          // 376
    g(0),                                                          // 377
    g(0),                                                          // 378
    g(0),                                                          // 379
    g(0),                                                          // 380
    g(0),                                                          // 381
    g(0),                                                          // 382
    g(0),                                                          // 383
    g(0),                                                          // 384
    g(0),                                                          // 385
    g(0),                                                          // 386
    g(0),                                                          // 387
    g(0),                                                          // 388
    g(0),                                                          // 389
    g(0),                                                          // 390
    g(0),                                                          // 391
    g(0),                                                          // 392
    g(0),                                                          // 393
    g(0),                                                          // 394
    g(0),                                                          // 395
    g(0),                                                          // 396
    g(0),                                                          // 397
    g(0),                                                          // 398
    g(0),                                                          // 399
    g(0),                                                          // 400
    g(0),                                                          // 401
    g(0),                                                          // 402
    g(0),                                                          // 403
    g(0),                                                          // 404
    g(0),                                                          // 405
    g(0),                                                          // 406
    g(0),                                                          // 407
    g(0),                                                          // 408
    g(0),                                                          // 409
    g(0),                                                          // 410
    g(0),                                                          // 411
    g(0),                                                          // 412
    g(0),                                                          // 413
    g(0),                                                          // 414
    g(0),                                                          // 415
    g(0),                                                          // 416
    g(0),                                                          // 417
    g(0),                                                          // 418
    g(0),                                                          // 419
    g(0),                                                          // 420
    g(0),                                                          // 421
    g(0),                                                          // 422
    g(0),                                                          // 423
    g(0),                                                          // 424: pidfd_send_signal
    g(0),                                                          // 425: io_uring_setup
    g(0),                                                          // 426: io_uring_enter
    g(0),                                                          // 427: io_uring_register
    g(0),                                                          // 428: open_tree
    g(0),                                                          // 429: move_mount
    g(0),                                                          // 430: fsopen
    g(0),                                                          // 431: fsconfig
    g(0),                                                          // 432: fsmount
    g(0),                                                          // 433: fspick
    g(0),                                                          // 434: pidfd_open
    n(
        334,
        335,
        uf::USED | uf::NEVER_DROP | uf::SIMPLEDRIVER_KEEP,
        328,
    ), // 435: clone3
    g(0),                                                          // 436: close_range
    n(326, 327, uf::USED, 322),                                    // 437: openat2
    g(0),                                                          // 438: pidfd_getfd
    g(0),                                                          // 439: faccessat2
    g(0),                                                          // 440: process_madvise
    g(0),                                                          // 441: epoll_pwait2
    g(0),                                                          // 442: mount_setattr
    g(0),                                                          // 443: quotactl_fd
    g(0),                                                          // 444: landlock_create_ruleset
    g(0),                                                          // 445: landlock_add_rule
    g(0),                                                          // 446: landlock_restrict_self
    g(0),                                                          // 447: memfd_secret
    g(0),                                                          // 448: process_mrelease
    g(0),                                                          // 449: futex_waitv
    g(0),                                                          // 450: set_mempolicy_home_node
];
