// SPDX-License-Identifier: GPL-2.0
//
// sonde's capture program: system calls as scap events (the v2 event header:
// ts, tid, len, type, nparams, then one u16 length per parameter and the
// parameter values), written to a ring buffer that userspace drains by
// polling.
//
// The file, network and process calls the state engine uses are recorded
// with their parameters as the event table (libs e5c53d64) lays them out
// (socket tuples read from the kernel's socket, I/O buffers cut to the
// snaplen); a new task's side of a fork comes from sched_process_fork,
// successful execs from sched_process_exec, a thread's end (procexit) from
// sched_process_exit, context switches from sched_switch.
// Every other call is the generic event pair: `syscall` enter (ID, nativeID)
// and exit (ID), ID being the call's PPM_SC code. Both come from the
// `routing` map, which userspace fills from the driver's table before
// attaching.
//
// An event is built in a per-CPU scratch buffer (header, then one u16 length
// per parameter, then the values), then added to the CPU's batch, which goes
// into the ring buffer as one record (see `submit`).

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

// Set by userspace before loading.
// The boot time in ns since the epoch: event timestamps are boot-clock
// readings plus this (the boot clock keeps counting across suspend).
const volatile __u64 boot_time_ns = 0;
// Only record threads of this process (0: every process).
const volatile __u32 only_tgid = 0;
// Only record threads whose command (comm) is this (empty: every command).
const volatile char only_comm[16] = {};
// Never record this process's system calls: sonde's own (0: none). Its
// context switches are kept, as libsinsp keeps them.
const volatile __u32 skip_tgid = 0;
// Record context switches (the program runs either way: a switch submits
// the CPU's batch of events).
const volatile __u32 capture_switches = 1;
// How many bytes of an I/O buffer to keep (sysdig's snaplen, -s).
const volatile __u32 snaplen = 80;

// Scap event types and sizes (the event table's PPME_GENERIC_E/X).
#define PPME_GENERIC_E 0
#define PPME_GENERIC_X 1
#define HEADER_LEN 26	// ts u64, tid u64, len u32, type u16, nparams u32

// How the driver routes a native system call: event types and PPM_SC code.
struct route {
	__u16 enter;
	__u16 exit;
	__u16 ppm_sc;
	__u16 flags;
};

#define NATIVE_SYSCALLS 512

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NATIVE_SYSCALLS);
	__type(key, __u32);
	__type(value, struct route);
} routing SEC(".maps");

// Sized by userspace before loading.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

// Events lost because the ring buffer was full, per CPU.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

// What begins each record in the ring buffer (a batch of one CPU's events):
// the CPU they were recorded on (scap keeps the CPU in the event block,
// outside the event) and how many events follow.
struct record_prefix {
	__u16 cpu;
	__u16 reserved;
	__u32 events;
};

static __always_inline void count_drops(__u32 events)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);
	if (n)
		*n += events;
}

static __always_inline int wanted_process(__u32 tgid)
{
	return only_tgid == 0 || tgid == only_tgid;
}

static __always_inline int comm_is_wanted(const char *comm)
{
	if (only_comm[0] == 0)
		return 1;
	for (int i = 0; i < 16; i++) {
		if (comm[i] != only_comm[i])
			return 0;
		if (comm[i] == 0)
			break;
	}
	return 1;
}

static __always_inline int wanted(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	if (!wanted_process(tgid) || (skip_tgid != 0 && tgid == skip_tgid))
		return 0;
	if (only_comm[0] != 0) {
		char comm[16] = {};
		bpf_get_current_comm(comm, sizeof(comm));
		return comm_is_wanted(comm);
	}
	return 1;
}

// The scratch buffer an event is built in. Every offset is masked into the
// buffer, which is twice the largest event, so that the verifier can see
// each access is in bounds.
#define SCRATCH_SIZE (1 << 15)	// the largest per-CPU map value
#define SCRATCH_MASK (SCRATCH_SIZE - 1)
#define MAX_EVENT (SCRATCH_SIZE / 2)
// The longest buffer value (longer snaplens are cut here): a mask, under
// half the largest event, so that a value starting anywhere in the event
// ends inside the scratch buffer.
#define MAX_VALUE (MAX_EVENT / 2 - 1)

struct scratch {
	__u8 data[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

// An event being built: where its next length and its next value go.
struct builder {
	__u8 *buf;
	__u32 pos;	// the next value, from the start of the record
	__u32 param;	// parameters written so far
};

// Where the parameter lengths start: after the prefix and the header.
#define LENS_AT (sizeof(struct record_prefix) + HEADER_LEN)

static __always_inline int begin(struct builder *b, __u16 type, __u32 nparams, __u64 pid_tgid)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return -1;
	b->buf = s->data;
	b->param = 0;
	b->pos = LENS_AT + nparams * 2;

	__u8 *h = s->data + sizeof(struct record_prefix);
	*(__u64 *)(h + 0) = bpf_ktime_get_boot_ns() + boot_time_ns;
	*(__u64 *)(h + 8) = (__u32)pid_tgid;
	*(__u16 *)(h + 20) = type;
	*(__u32 *)(h + 22) = nparams;
	return 0;
}

static __always_inline void set_len(struct builder *b, __u16 len)
{
	__u32 at = (LENS_AT + b->param * 2) & (MAX_EVENT - 1);
	*(__u16 *)(b->buf + at) = len;
	b->param++;
}

static __always_inline void push_u8(struct builder *b, __u8 v)
{
	*(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 1;
	set_len(b, 1);
}

static __always_inline void push_u16(struct builder *b, __u16 v)
{
	*(__u16 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 2;
	set_len(b, 2);
}

static __always_inline void push_u32(struct builder *b, __u32 v)
{
	*(__u32 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 4;
	set_len(b, 4);
}

static __always_inline void push_s64(struct builder *b, __s64 v)
{
	*(__s64 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 8;
	set_len(b, 8);
}

// Up to `len` bytes of user memory at `ptr`, cut to the snaplen; a buffer
// that cannot be read is an empty value.
static __always_inline void push_user_bytes(struct builder *b, const void *ptr, __s64 len)
{
	__u32 n = 0;
	if (ptr && len > 0) {
		n = len > snaplen ? snaplen : (__u32)len;
		// A clamp, then a mask the verifier can follow.
		if (n > MAX_VALUE)
			n = MAX_VALUE;
		barrier_var(n);
	n &= MAX_VALUE;
		if (bpf_probe_read_user(b->buf + (b->pos & (MAX_EVENT - 1)), n, ptr) != 0)
			n = 0;
	}
	b->pos += n;
	set_len(b, (__u16)n);
}

// A NUL-terminated string of user memory at `ptr` (at most PATH_MAX bytes,
// NUL included). A NULL pointer is written `(NULL)`, as the driver writes it.
// A string that cannot be read (its page is not resident yet: BPF may not
// fault it in) is the empty string, its NUL alone: never a value of length
// 0, which sysdig 0.29.3 reads past into the next parameter's bytes.
#define PATH_MAX_LEN 4096

// Returns the value's length.
static __always_inline __u32 push_user_str(struct builder *b, const void *ptr)
{
	__u8 *dst = b->buf + (b->pos & (MAX_EVENT - 1));
	long n = -1;
	if (!ptr) {
		__builtin_memcpy(dst, "(NULL)", 7);
		n = 7;
	} else {
		n = bpf_probe_read_user_str(dst, PATH_MAX_LEN, ptr);
	}
	if (n <= 0) {
		*dst = 0;
		n = 1;
	}
	b->pos += (__u32)n;
	set_len(b, (__u16)n);
	return (__u32)n;
}

// Linux's open flags, as the driver turns them into scap's PPM_O_* flags
// (`open_flags_to_scap`; O_TMPFILE includes O_DIRECTORY's bit, so a
// directory open also reads as O_TMPFILE, as it does in the driver).
#define L_O_WRONLY 01
#define L_O_RDWR 02
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_NONBLOCK 04000
#define L_O_DSYNC 010000
#define L_O_DIRECT 040000
#define L_O_LARGEFILE 0100000
#define L_O_DIRECTORY 0200000
#define L_O_CLOEXEC 02000000
#define L_O_SYNC 04010000
#define L_O_TMPFILE 020200000

static __always_inline __u32 open_flags_to_scap(__u64 flags)
{
	__u32 r;
	switch (flags & 3) {
	case L_O_WRONLY:
		r = 1 << 1;
		break;
	case L_O_RDWR:
		r = (1 << 0) | (1 << 1);
		break;
	default:
		r = 1 << 0;
		break;
	}
	if (flags & L_O_CREAT)
		r |= 1 << 2;
	if (flags & L_O_TMPFILE)
		r |= 1 << 13;
	if (flags & L_O_APPEND)
		r |= 1 << 3;
	if (flags & L_O_DSYNC)
		r |= 1 << 4;
	if (flags & L_O_EXCL)
		r |= 1 << 5;
	if (flags & L_O_NONBLOCK)
		r |= 1 << 6;
	if (flags & L_O_SYNC)
		r |= 1 << 7;
	if (flags & L_O_TRUNC)
		r |= 1 << 8;
	if (flags & L_O_DIRECT)
		r |= 1 << 9;
	if (flags & L_O_DIRECTORY)
		r |= 1 << 10;
	if (flags & L_O_LARGEFILE)
		r |= 1 << 11;
	if (flags & L_O_CLOEXEC)
		r |= 1 << 12;
	return r;
}

// The mode only counts when the open can create (`open_modes_to_scap`; the
// PPM_S_* bits are Linux's).
static __always_inline __u32 open_mode_to_scap(__u64 flags, __u64 mode)
{
	if (!(flags & (L_O_CREAT | L_O_TMPFILE)))
		return 0;
	return (__u32)(mode & 07777);
}

// `len` bytes of user memory at `ptr` as one value, at most `max` (a power of
// two) of them; what cannot be read is an empty value.
static __always_inline void push_user_area(struct builder *b, const void *ptr, __u64 len, __u32 max)
{
	__u32 n = len > max ? max : (__u32)len;
	if (n > MAX_VALUE)
		n = MAX_VALUE;
	barrier_var(n);
	n &= MAX_VALUE;
	if (!ptr || bpf_probe_read_user(b->buf + (b->pos & (MAX_EVENT - 1)), n, ptr) != 0)
		n = 0;
	b->pos += n;
	set_len(b, (__u16)n);
}

// A string of kernel memory (the task's comm), NUL included.
static __always_inline void push_comm(struct builder *b)
{
	char comm[16] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	long n = bpf_probe_read_kernel_str(b->buf + (b->pos & (MAX_EVENT - 1)), sizeof(comm), comm);
	if (n < 0)
		n = 0;
	b->pos += (__u32)n;
	set_len(b, (__u16)n);
}

static __always_inline void push_empty_str(struct builder *b)
{
	push_u8(b, 0);
}

// The file behind `fd` of the current process, or NULL.
static __always_inline struct file *fd_file(long fd)
{
	if (fd < 0)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = 0;
	if ((unsigned long)fd >= max)
		return 0;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0)
		return 0;
	return f;
}

#define L_S_IFMT 0170000
#define L_S_IFSOCK 0140000

// The socket behind `fd`, or NULL when it is not one.
static __always_inline struct socket *fd_socket(long fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & L_S_IFMT) != L_S_IFSOCK)
		return 0;
	return (struct socket *)BPF_CORE_READ(f, private_data);
}

static __always_inline struct sock *fd_sock(long fd)
{
	struct socket *s = fd_socket(fd);
	return s ? BPF_CORE_READ(s, sk) : 0;
}

// The device of the file behind `fd` of the current process, encoded as the
// driver encodes it (`new_encode_dev`); 0 when there is none.
static __always_inline __u32 fd_dev(long fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	__u32 dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline void push_u64(struct builder *b, __u64 v)
{
	push_s64(b, (__s64)v);
}

// Raw bytes of kernel or user memory placed at the value's end, without
// finishing the parameter (for values made of several pieces).
static __always_inline void put_u8(struct builder *b, __u8 v)
{
	*(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 1;
}

static __always_inline void put_u16(struct builder *b, __u16 v)
{
	*(__u16 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 2;
}

static __always_inline void put_u32(struct builder *b, __u32 v)
{
	*(__u32 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 4;
}

static __always_inline void put_u64(struct builder *b, __u64 v)
{
	*(__u64 *)(b->buf + (b->pos & (MAX_EVENT - 1))) = v;
	b->pos += 8;
}

static __always_inline void put_kernel(struct builder *b, const void *src, __u32 n)
{
	n &= 31;
	if (bpf_probe_read_kernel(b->buf + (b->pos & (MAX_EVENT - 1)), n, src) != 0)
		__builtin_memset(b->buf + (b->pos & (MAX_EVENT - 1)), 0, 16);
	b->pos += n;
}

// A NUL-terminated string (NUL included) of kernel (`user` 0) or user
// memory, at most `max` bytes; returns its length, 1 (the NUL alone) when it
// cannot be read.
#define UNIX_PATH_MAX 108
static __always_inline __u32 put_str(struct builder *b, const void *src, __u32 max, int user)
{
	long n = -1;
	__u8 *dst = b->buf + (b->pos & (MAX_EVENT - 1));
	if (src)
		n = user ? bpf_probe_read_user_str(dst, max & 4095, src)
			 : bpf_probe_read_kernel_str(dst, max & 4095, src);
	if (n <= 0) {
		*dst = 0;
		n = 1;
	}
	b->pos += (__u32)n;
	return (__u32)n;
}

// Ends a parameter whose bytes were put since `start`.
static __always_inline void finish(struct builder *b, __u32 start)
{
	set_len(b, (__u16)(b->pos - start));
}

// A UNIX socket path (`sun_path`, kernel or user memory), an abstract name
// without its leading NUL.
static __always_inline void put_sun_path(struct builder *b, const char *path, int user)
{
	char first = 0;
	if (user)
		bpf_probe_read_user(&first, 1, path);
	else
		bpf_probe_read_kernel(&first, 1, path);
	if (first == 0)
		path++;
	put_str(b, path, UNIX_PATH_MAX, user);
}

#define L_AF_UNIX 1
#define L_AF_INET 2
#define L_AF_INET6 10

static __always_inline __u16 ntohs16(__u16 v)
{
	return (v >> 8) | (v << 8);
}

// A socket address from user memory (PT_SOCKADDR): the family, then an IPv4
// address and port, an IPv6 address and port, or a UNIX path (an abstract
// name without its leading NUL). Other families, and addresses that cannot
// be read, are an empty value.
static __always_inline void push_sockaddr(struct builder *b, const void *uaddr, __u64 ulen)
{
	__u32 start = b->pos;
	__u16 family = 0;
	if (!uaddr || ulen < 2 || bpf_probe_read_user(&family, sizeof(family), uaddr) != 0) {
		set_len(b, 0);
		return;
	}
	switch (family) {
	case L_AF_INET: {
		struct sockaddr_in in = {};
		bpf_probe_read_user(&in, sizeof(in), uaddr);
		put_u8(b, L_AF_INET);
		put_u32(b, in.sin_addr.s_addr);
		put_u16(b, ntohs16(in.sin_port));
		break;
	}
	case L_AF_INET6: {
		struct sockaddr_in6 in6 = {};
		bpf_probe_read_user(&in6, sizeof(in6), uaddr);
		put_u8(b, L_AF_INET6);
		put_kernel(b, &in6.sin6_addr, 16);
		put_u16(b, ntohs16(in6.sin6_port));
		break;
	}
	case L_AF_UNIX: {
		put_u8(b, L_AF_UNIX);
		put_sun_path(b, (const char *)uaddr + 2, 1);
		break;
	}
	default:
		break;
	}
	finish(b, start);
}

// The path a UNIX socket is bound to (kernel memory), abstract names
// without their leading NUL.
static __always_inline void put_unix_path(struct builder *b, struct unix_sock *us)
{
	struct unix_address *addr = us ? BPF_CORE_READ(us, addr) : 0;
	if (!addr) {
		put_u8(b, 0);
		return;
	}
	put_sun_path(b, (const char *)&addr->name[0].sun_path, 0);
}

// The socket tuple of `fd` (PT_SOCKTUPLE), as the driver packs it: the
// family, then source and destination. Outbound (connect, send) the source
// is this end; inbound (accept, receive) it is the peer. When the socket has
// no peer yet (an unconnected UDP send or receive), the address the caller
// gave stands for it.
static __always_inline void push_socktuple(struct builder *b, long fd, int inbound, const void *uaddr)
{
	__u32 start = b->pos;
	struct sock *sk = fd_sock(fd);
	if (!sk) {
		set_len(b, 0);
		return;
	}
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	switch (family) {
	case L_AF_INET: {
		struct inet_sock *inet = (struct inet_sock *)sk;
		__u32 lip = BPF_CORE_READ(inet, inet_saddr);
		__u16 lport = BPF_CORE_READ(inet, inet_sport);
		__u32 rip = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
		if (rport == 0 && uaddr) {
			struct sockaddr_in in = {};
			bpf_probe_read_user(&in, sizeof(in), uaddr);
			rip = in.sin_addr.s_addr;
			rport = in.sin_port;
		}
		put_u8(b, L_AF_INET);
		if (inbound) {
			put_u32(b, rip);
			put_u16(b, ntohs16(rport));
			put_u32(b, lip);
			put_u16(b, ntohs16(lport));
		} else {
			put_u32(b, lip);
			put_u16(b, ntohs16(lport));
			put_u32(b, rip);
			put_u16(b, ntohs16(rport));
		}
		break;
	}
	case L_AF_INET6: {
		struct inet_sock *inet = (struct inet_sock *)sk;
		struct in6_addr lip = {}, rip = {};
		struct ipv6_pinfo *pi = BPF_CORE_READ(inet, pinet6);
		if (pi)
			lip = BPF_CORE_READ(pi, saddr);
		__u16 lport = BPF_CORE_READ(inet, inet_sport);
		rip = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		__u16 rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
		if (rport == 0 && uaddr) {
			struct sockaddr_in6 in6 = {};
			bpf_probe_read_user(&in6, sizeof(in6), uaddr);
			rip = in6.sin6_addr;
			rport = in6.sin6_port;
		}
		put_u8(b, L_AF_INET6);
		if (inbound) {
			put_kernel(b, &rip, 16);
			put_u16(b, ntohs16(rport));
			put_kernel(b, &lip, 16);
			put_u16(b, ntohs16(lport));
		} else {
			put_kernel(b, &lip, 16);
			put_u16(b, ntohs16(lport));
			put_kernel(b, &rip, 16);
			put_u16(b, ntohs16(rport));
		}
		break;
	}
	case L_AF_UNIX: {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct unix_sock *peer = (struct unix_sock *)BPF_CORE_READ(us, peer);
		put_u8(b, L_AF_UNIX);
		if (inbound) {
			put_u64(b, (__u64)us);
			put_u64(b, (__u64)peer);
			put_unix_path(b, us);
		} else {
			put_u64(b, (__u64)peer);
			put_u64(b, (__u64)us);
			if (!peer && uaddr) {
				put_sun_path(b, (const char *)uaddr + 2, 1);
			} else {
				put_unix_path(b, peer);
			}
		}
		break;
	}
	default:
		break;
	}
	finish(b, start);
}

// Most iovecs read for a vectored call's size and data (the driver's
// MAX_IOVCNT).
#define MAX_IOVCNT 32

// The total length of `cnt` iovecs.
static __always_inline __u64 iov_total(const struct iovec *iov, __u64 cnt)
{
	__u64 total = 0;
	for (int i = 0; i < MAX_IOVCNT; i++) {
		if (i >= cnt)
			break;
		struct iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]) != 0)
			break;
		total += v.iov_len;
	}
	return total;
}

// The data of `cnt` iovecs as one buffer value: at most `len` bytes (what
// the call moved, or asked to), cut to the snaplen.
static __always_inline void push_iov_data(struct builder *b, const struct iovec *iov, __u64 cnt, __s64 len)
{
	__u32 start = b->pos;
	__u32 left = 0;
	if (len > 0)
		left = len > snaplen ? snaplen : (__u32)len;
	if (left > MAX_VALUE)
		left = MAX_VALUE;
	for (int i = 0; i < MAX_IOVCNT; i++) {
		if (i >= cnt || left == 0 || !iov)
			break;
		struct iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]) != 0)
			break;
		__u32 n = v.iov_len > left ? left : (__u32)v.iov_len;
		barrier_var(n);
	n &= MAX_VALUE;
		if (bpf_probe_read_user(b->buf + (b->pos & (MAX_EVENT - 1)), n, v.iov_base) != 0)
			break;
		b->pos += n;
		left -= n;
	}
	finish(b, start);
}

// A user memory u64, 0 when it cannot be read.
static __always_inline __u64 user_u64(const void *p)
{
	__u64 v = 0;
	if (p)
		bpf_probe_read_user(&v, sizeof(v), p);
	return v;
}

// The memory counters the driver reports (KB): total, resident and swapped.
static __always_inline void push_vm(struct builder *b, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u32 size = 0, rss = 0, swap = 0;
	if (mm) {
		size = BPF_CORE_READ(mm, total_vm) << 2;
		__s64 file = BPF_CORE_READ(mm, rss_stat[0].count);
		__s64 anon = BPF_CORE_READ(mm, rss_stat[1].count);
		__s64 swp = BPF_CORE_READ(mm, rss_stat[2].count);
		__s64 shm = BPF_CORE_READ(mm, rss_stat[3].count);
		__s64 r = file + anon + shm;
		rss = r > 0 ? (__u32)(r << 2) : 0;
		swap = swp > 0 ? (__u32)(swp << 2) : 0;
	}
	push_u32(b, size);
	push_u32(b, rss);
	push_u32(b, swap);
}

// Linux's values of what the driver turns into scap's own.
static __always_inline __u32 prot_to_scap(__u64 p)
{
	__u32 r = 0;
	if (p & 0x1) r |= 0x1;
	if (p & 0x2) r |= 0x2;
	if (p & 0x4) r |= 0x4;
	if (p & 0x8) r |= 0x8;
	if (p & 0x01000000) r |= 0x10;	// PROT_GROWSDOWN
	if (p & 0x02000000) r |= 0x20;	// PROT_GROWSUP
	return r;
}

static __always_inline __u32 mmap_flags_to_scap(__u64 f)
{
	__u32 r = 0;
	if (f & 0x1) r |= 0x1;		// MAP_SHARED
	if (f & 0x2) r |= 0x2;		// MAP_PRIVATE
	if (f & 0x10) r |= 0x4;		// MAP_FIXED
	if (f & 0x20) r |= 0x8;		// MAP_ANONYMOUS
	if (f & 0x40) r |= 0x10;	// MAP_32BIT
	if (f & 0x4000) r |= 0x40;	// MAP_NORESERVE
	if (f & 0x8000) r |= 0x80;	// MAP_POPULATE
	if (f & 0x10000) r |= 0x100;	// MAP_NONBLOCK
	if (f & 0x100) r |= 0x200;	// MAP_GROWSDOWN
	if (f & 0x800) r |= 0x400;	// MAP_DENYWRITE
	if (f & 0x1000) r |= 0x800;	// MAP_EXECUTABLE
	if (f & 0x2000) r |= 0x4000;	// MAP_LOCKED
	return r;
}

static __always_inline __u8 fcntl_cmd_to_scap(__u64 cmd)
{
	switch (cmd) {
	case 0: return 1;	// F_DUPFD
	case 1: return 2;	// F_GETFD
	case 2: return 3;	// F_SETFD
	case 3: return 4;	// F_GETFL
	case 4: return 5;	// F_SETFL
	case 5: return 6;	// F_GETLK
	case 6: return 8;	// F_SETLK
	case 7: return 9;	// F_SETLKW
	case 8: return 10;	// F_SETOWN
	case 9: return 12;	// F_GETOWN
	case 10: return 13;	// F_SETSIG
	case 11: return 15;	// F_GETSIG
	case 15: return 21;	// F_SETOWN_EX
	case 16: return 22;	// F_GETOWN_EX
	case 36: return 30;	// F_OFD_GETLK
	case 37: return 31;	// F_OFD_SETLK
	case 38: return 32;	// F_OFD_SETLKW
	case 1024: return 23;	// F_SETLEASE
	case 1025: return 24;	// F_GETLEASE
	case 1026: return 27;	// F_NOTIFY
	case 1029: return 25;	// F_CANCELLK
	case 1030: return 26;	// F_DUPFD_CLOEXEC
	case 1031: return 28;	// F_SETPIPE_SZ
	case 1032: return 29;	// F_GETPIPE_SZ
	default: return 0;
	}
}

static __always_inline __u16 ptrace_req_to_scap(__u64 req)
{
	switch (req) {
	case 0: return 1;	// PTRACE_TRACEME
	case 1: return 2;	// PTRACE_PEEKTEXT
	case 2: return 3;	// PTRACE_PEEKDATA
	case 3: return 4;	// PTRACE_PEEKUSR
	case 4: return 5;	// PTRACE_POKETEXT
	case 5: return 6;	// PTRACE_POKEDATA
	case 6: return 7;	// PTRACE_POKEUSR
	case 7: return 8;	// PTRACE_CONT
	case 8: return 9;	// PTRACE_KILL
	case 9: return 10;	// PTRACE_SINGLESTEP
	case 12: return 26;	// PTRACE_GETREGS
	case 13: return 27;	// PTRACE_SETREGS
	case 14: return 28;	// PTRACE_GETFPREGS
	case 15: return 29;	// PTRACE_SETFPREGS
	case 16: return 11;	// PTRACE_ATTACH
	case 17: return 12;	// PTRACE_DETACH
	case 18: return 30;	// PTRACE_GETFPXREGS
	case 19: return 31;	// PTRACE_SETFPXREGS
	case 21: return 32;	// PTRACE_OLDSETOPTIONS
	case 24: return 13;	// PTRACE_SYSCALL
	case 25: return 33;	// PTRACE_GET_THREAD_AREA
	case 26: return 34;	// PTRACE_SET_THREAD_AREA
	case 30: return 35;	// PTRACE_ARCH_PRCTL
	case 31: return 36;	// PTRACE_SYSEMU
	case 32: return 37;	// PTRACE_SYSEMU_SINGLESTEP
	case 33: return 38;	// PTRACE_SINGLEBLOCK
	case 0x4200: return 14;	// PTRACE_SETOPTIONS
	case 0x4201: return 15;	// PTRACE_GETEVENTMSG
	case 0x4202: return 16;	// PTRACE_GETSIGINFO
	case 0x4203: return 17;	// PTRACE_SETSIGINFO
	case 0x4204: return 18;	// PTRACE_GETREGSET
	case 0x4205: return 19;	// PTRACE_SETREGSET
	case 0x4206: return 20;	// PTRACE_SEIZE
	case 0x4207: return 21;	// PTRACE_INTERRUPT
	case 0x4208: return 22;	// PTRACE_LISTEN
	case 0x4209: return 23;	// PTRACE_PEEKSIGINFO
	case 0x420a: return 24;	// PTRACE_GETSIGMASK
	case 0x420b: return 25;	// PTRACE_SETSIGMASK
	default: return 0;
	}
}

static __always_inline __u32 openat2_resolve_to_scap(__u64 r)
{
	__u32 s = 0;
	if (r & 0x08) s |= 0x1;		// RESOLVE_BENEATH
	if (r & 0x10) s |= 0x2;		// RESOLVE_IN_ROOT
	if (r & 0x02) s |= 0x4;		// RESOLVE_NO_MAGICLINKS
	if (r & 0x04) s |= 0x8;		// RESOLVE_NO_SYMLINKS
	if (r & 0x01) s |= 0x10;	// RESOLVE_NO_XDEV
	if (r & 0x20) s |= 0x20;	// RESOLVE_CACHED
	return s;
}

// kernfs_node's parent before Linux 6.15 renamed it `__parent`.
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

// Puts a string without its NUL (for values made of pieces).
static __always_inline void put_piece(struct builder *b, const char *s)
{
	__u32 n = put_str(b, s, 256, 0);
	b->pos -= 1;
	(void)n;
}

#define CGROUP_SUBSYS_MAX 12
#define CGROUP_DEPTH_MAX 8

struct cgroups_walk {
	struct builder *b;
	struct css_set *cs;
};

// One controller's entry (a bpf_loop callback: verified once, not once per
// controller).
static long put_cgroup(__u64 i, void *ctx)
{
	struct cgroups_walk *w = ctx;
	struct builder *b = w->b;
	struct cgroup_subsys_state *css = 0;
	if (i >= CGROUP_SUBSYS_MAX)
		return 1;
	if (bpf_probe_read_kernel(&css, sizeof(css), &w->cs->subsys[i]) != 0 || !css)
		return 0;
	const char *ss_name = BPF_CORE_READ(css, ss, name);
	struct kernfs_node *kn = BPF_CORE_READ(css, cgroup, kn);
	if (!ss_name || !kn)
		return 0;
	// The path's nodes, leaf first; the hierarchy's root is unnamed.
	struct kernfs_node *chain[CGROUP_DEPTH_MAX] = {};
	int depth = 0;
	for (int d = 0; d < CGROUP_DEPTH_MAX; d++) {
		struct kernfs_node *parent = kn_parent(kn);
		if (!parent)
			break;
		chain[d] = kn;
		depth = d + 1;
		kn = parent;
	}
	put_piece(b, ss_name);
	put_u8(b, '=');
	if (depth == 0)
		put_u8(b, '/');
	for (int d = CGROUP_DEPTH_MAX - 1; d >= 0; d--) {
		if (d >= depth)
			continue;
		put_u8(b, '/');
		put_piece(b, BPF_CORE_READ(chain[d & (CGROUP_DEPTH_MAX - 1)], name));
	}
	put_u8(b, 0);
	return 0;
}

// The task's cgroups as the driver lists them: `controller=/path`, one
// NUL-terminated entry per mounted controller (what the state engine finds
// container ids in).
static __always_inline void push_cgroups(struct builder *b, struct task_struct *task)
{
	__u32 start = b->pos;
	struct cgroups_walk w = {.b = b, .cs = BPF_CORE_READ(task, cgroups)};
	if (w.cs)
		bpf_loop(CGROUP_SUBSYS_MAX, put_cgroup, &w, 0);
	finish(b, start);
}

#define RLIMIT_NOFILE 7

// The arguments and environment areas of the current process's memory.
#define ARGS_MAX 4096

// The parameters execve's and clone's returns begin with, alike (res, exe,
// args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss,
// vm_swap, comm, cgroups): the task as the driver describes it. The cwd is
// left empty (the driver reads it from a place a tracepoint program cannot
// reach safely); the state engine keeps what it knew.
static __always_inline void push_task(struct builder *b, struct task_struct *task, long ret, __u64 pid_tgid)
{
	__u64 arg_start = BPF_CORE_READ(task, mm, arg_start);
	__u64 arg_end = BPF_CORE_READ(task, mm, arg_end);
	push_s64(b, ret);
	// exe: the first argument; args: the others, NUL-separated.
	__u64 first = push_user_str(b, (const void *)arg_start);
	__u64 total = arg_end > arg_start ? arg_end - arg_start : 0;
	push_user_area(b, (const void *)(arg_start + first), total > first ? total - first : 0, ARGS_MAX);
	push_s64(b, (__u32)pid_tgid);
	push_s64(b, pid_tgid >> 32);
	// The parent thread, as the driver records it (`real_parent->pid`).
	push_s64(b, BPF_CORE_READ(task, real_parent, pid));
	push_empty_str(b); // cwd
	push_s64(b, BPF_CORE_READ(task, signal, rlim[RLIMIT_NOFILE].rlim_cur));
	push_s64(b, BPF_CORE_READ(task, maj_flt));
	push_s64(b, BPF_CORE_READ(task, min_flt));
	push_vm(b, task);
	push_comm(b);
	push_cgroups(b, task);
}

// execve's return: the new program (PPME_SYSCALL_EXECVE_19_X), then its
// environment, tty, pgid, loginuid and flags (the tty, pgid and flags left
// zero for now).
static __always_inline void fill_execve_exit(struct builder *b, long ret, __u64 pid_tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 env_start = BPF_CORE_READ(task, mm, env_start);
	__u64 env_end = BPF_CORE_READ(task, mm, env_end);
	push_task(b, task, ret, pid_tgid);
	push_user_area(b, (const void *)env_start, env_end > env_start ? env_end - env_start : 0, ARGS_MAX);
	push_u32(b, 0); // tty
	push_s64(b, 0); // pgid
	push_u32(b, BPF_CORE_READ(task, loginuid.val));
	push_u32(b, 0); // flags
}

// Linux's clone flags as scap's PPM_CL_* flags (`clone_flags_to_scap`).
static __always_inline __u32 clone_flags_to_scap(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 0x1;		// CLONE_FILES
	if (f & 0x00000200) r |= 0x2;		// CLONE_FS
	if (f & 0x80000000) r |= 0x4;		// CLONE_IO
	if (f & 0x08000000) r |= 0x8;		// CLONE_NEWIPC
	if (f & 0x40000000) r |= 0x10;		// CLONE_NEWNET
	if (f & 0x00020000) r |= 0x20;		// CLONE_NEWNS
	if (f & 0x20000000) r |= 0x40;		// CLONE_NEWPID
	if (f & 0x04000000) r |= 0x80;		// CLONE_NEWUTS
	if (f & 0x00100000) r |= 0x200;		// CLONE_PARENT_SETTID
	if (f & 0x00008000) r |= 0x100;		// CLONE_PARENT
	if (f & 0x00002000) r |= 0x400;		// CLONE_PTRACE
	if (f & 0x00000800) r |= 0x800;		// CLONE_SIGHAND
	if (f & 0x00040000) r |= 0x1000;	// CLONE_SYSVSEM
	if (f & 0x00010000) r |= 0x2000;	// CLONE_THREAD
	if (f & 0x00800000) r |= 0x4000;	// CLONE_UNTRACED
	if (f & 0x00000100) r |= 0x8000;	// CLONE_VM
	if (f & 0x10000000) r |= 0x100000;	// CLONE_NEWUSER
	if (f & 0x00200000) r |= 0x800000;	// CLONE_CHILD_CLEARTID
	if (f & 0x01000000) r |= 0x1000000;	// CLONE_CHILD_SETTID
	if (f & 0x00080000) r |= 0x2000000;	// CLONE_SETTLS
	if (f & 0x00004000) r |= 0x8000000;	// CLONE_VFORK
	if (f & 0x02000000) r |= 0x10000000;	// CLONE_NEWCGROUP
	return r;
}

#define PPM_CL_CHILD_IN_PIDNS (1 << 29)

// A task's id as its own pid namespace sees it.
static __always_inline __s64 pid_vnr(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	if (!p)
		return 0;
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};
	if (bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]) != 0)
		return 0;
	return up.nr;
}

// clone's return (PPME_SYSCALL_CLONE_20_X) as the parent sees it (res: the
// child's tid) or as the child does (res 0): the task, then the clone
// flags, euid, egid and the ids its pid namespace sees.
static __always_inline void fill_clone_exit(struct builder *b, struct task_struct *task, long ret, __u64 pid_tgid,
					   __u64 flags)
{
	push_task(b, task, ret, pid_tgid);
	__u32 f = clone_flags_to_scap(flags);
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	if (tp && BPF_CORE_READ(tp, level) != 0)
		f |= PPM_CL_CHILD_IN_PIDNS;
	push_u32(b, f);
	push_u32(b, BPF_CORE_READ(task, cred, euid.val));
	push_u32(b, BPF_CORE_READ(task, cred, egid.val));
	push_s64(b, pid_vnr(task));
	push_s64(b, pid_vnr(BPF_CORE_READ(task, group_leader)));
}

// Events are not put in the ring buffer one by one: each CPU gathers them in
// a batch (one ring record: the prefix, then the events back to back) and
// submits the batch when it would grow past BATCH_BYTES, when its oldest
// event is BATCH_NS old, or when the CPU switches tasks. One ring record per
// batch instead of per event takes most of the ring buffer's cost (its lock
// and commit) off each system call. Userspace splits records into events
// by their lengths and merges the CPUs' events by timestamp.
#define BATCH_BYTES 4096
#define BATCH_NS 1000000
#define PENDING_SIZE (1 << 14)

struct pending {
	__u32 len;	// bytes in buf, the prefix included
	__u32 events;	// events in buf
	__u64 first_ts;	// the oldest event's timestamp
	__u32 busy;	// an event is being added (a preempting program must not flush)
	__u32 reserved;
	__u8 buf[PENDING_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending);
} pending_map SEC(".maps");

static __always_inline struct pending *pending_batch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&pending_map, &zero);
}

// Submits this CPU's batch, if it holds anything.
static __always_inline void flush(struct pending *p)
{
	if (p->events == 0)
		return;
	struct record_prefix *pre = (struct record_prefix *)p->buf;
	pre->cpu = (__u16)bpf_get_smp_processor_id();
	pre->reserved = 0;
	pre->events = p->events;
	__u32 len = p->len;
	if (len > sizeof(struct record_prefix) && len <= PENDING_SIZE &&
	    bpf_ringbuf_output(&events, p->buf, len & (PENDING_SIZE - 1), BPF_RB_NO_WAKEUP) != 0)
		count_drops(p->events);
	p->len = sizeof(struct record_prefix);
	p->events = 0;
}

// Adds the finished event to this CPU's batch (an event too large for a
// batch goes into the ring buffer as a record of its own).
static __always_inline void submit(struct builder *b)
{
	__u32 total = b->pos;
	if (total > MAX_EVENT) {
		count_drops(1);
		return;
	}
	__u32 ev_len = total - sizeof(struct record_prefix);
	__u8 *ev = b->buf + sizeof(struct record_prefix);
	*(__u32 *)(ev + 16) = ev_len;
	struct pending *p = pending_batch();
	if (!p)
		return;
	if (p->len < sizeof(struct record_prefix))
		p->len = sizeof(struct record_prefix);
	if (ev_len > BATCH_BYTES) {
		flush(p);
		struct record_prefix *pre = (struct record_prefix *)b->buf;
		pre->cpu = (__u16)bpf_get_smp_processor_id();
		pre->reserved = 0;
		pre->events = 1;
		if (bpf_ringbuf_output(&events, b->buf, total & (MAX_EVENT - 1), BPF_RB_NO_WAKEUP) != 0)
			count_drops(1);
		return;
	}
	if (p->len + ev_len > BATCH_BYTES + sizeof(struct record_prefix))
		flush(p);
	p->busy = 1;
	__u32 at = p->len & (BATCH_BYTES * 2 - 1);
	__u32 n = ev_len;
	barrier_var(n);
	n &= BATCH_BYTES * 2 - 1;
	if (bpf_probe_read_kernel(p->buf + at, n, ev) == 0) {
		if (p->events == 0)
			p->first_ts = *(__u64 *)ev;
		p->len += ev_len;
		p->events++;
	}
	p->busy = 0;
	if (*(__u64 *)ev - p->first_ts >= BATCH_NS)
		flush(p);
}

// Submits this CPU's batch now (a task switch: what the leaving task did
// goes out before anything else can happen on this CPU).
static __always_inline void flush_now(void)
{
	struct pending *p = pending_batch();
	if (p && !p->busy)
		flush(p);
}

static __always_inline struct route *route_of(long id)
{
	__u32 key = (__u32)id;
	if (id < 0 || id >= NATIVE_SYSCALLS)
		return 0;
	return bpf_map_lookup_elem(&routing, &key);
}

// Event types with parameters of their own (the event table's numbers).
#define PPME_SYSCALL_OPEN_E 2
#define PPME_SYSCALL_OPEN_X 3
#define PPME_SYSCALL_CLOSE_E 4
#define PPME_SYSCALL_CLOSE_X 5
#define PPME_SYSCALL_READ_E 6
#define PPME_SYSCALL_READ_X 7
#define PPME_SYSCALL_WRITE_E 8
#define PPME_SYSCALL_WRITE_X 9
#define PPME_SOCKET_SOCKET_E 18
#define PPME_SOCKET_SOCKET_X 19
#define PPME_SOCKET_BIND_E 20
#define PPME_SOCKET_BIND_X 21
#define PPME_SOCKET_CONNECT_E 22
#define PPME_SOCKET_CONNECT_X 23
#define PPME_SOCKET_LISTEN_E 24
#define PPME_SOCKET_LISTEN_X 25
#define PPME_SOCKET_SENDTO_E 30
#define PPME_SOCKET_SENDTO_X 31
#define PPME_SOCKET_RECVFROM_E 34
#define PPME_SOCKET_RECVFROM_X 35
#define PPME_SOCKET_SHUTDOWN_E 36
#define PPME_SOCKET_SHUTDOWN_X 37
#define PPME_SOCKET_SOCKETPAIR_E 42
#define PPME_SOCKET_SOCKETPAIR_X 43
#define PPME_SOCKET_SENDMSG_E 48
#define PPME_SOCKET_SENDMSG_X 49
#define PPME_SOCKET_SENDMMSG_E 50
#define PPME_SOCKET_SENDMMSG_X 51
#define PPME_SOCKET_RECVMSG_E 52
#define PPME_SOCKET_RECVMSG_X 53
#define PPME_SOCKET_RECVMMSG_E 54
#define PPME_SOCKET_RECVMMSG_X 55
#define PPME_SYSCALL_CREAT_E 58
#define PPME_SYSCALL_CREAT_X 59
#define PPME_SYSCALL_PIPE_E 60
#define PPME_SYSCALL_PIPE_X 61
#define PPME_SYSCALL_EVENTFD_E 62
#define PPME_SYSCALL_EVENTFD_X 63
#define PPME_SYSCALL_CHDIR_E 94
#define PPME_SYSCALL_CHDIR_X 95
#define PPME_SYSCALL_FCHDIR_E 96
#define PPME_SYSCALL_FCHDIR_X 97
#define PPME_SYSCALL_PREAD_E 112
#define PPME_SYSCALL_PREAD_X 113
#define PPME_SYSCALL_PWRITE_E 114
#define PPME_SYSCALL_PWRITE_X 115
#define PPME_SYSCALL_READV_E 116
#define PPME_SYSCALL_READV_X 117
#define PPME_SYSCALL_WRITEV_E 118
#define PPME_SYSCALL_WRITEV_X 119
#define PPME_SYSCALL_PREADV_E 120
#define PPME_SYSCALL_PREADV_X 121
#define PPME_SYSCALL_PWRITEV_E 122
#define PPME_SYSCALL_PWRITEV_X 123
#define PPME_SYSCALL_DUP_E 124
#define PPME_SYSCALL_DUP_X 125
#define PPME_SYSCALL_KILL_E 128
#define PPME_SYSCALL_KILL_X 129
#define PPME_SYSCALL_TKILL_E 130
#define PPME_SYSCALL_TKILL_X 131
#define PPME_SYSCALL_TGKILL_E 132
#define PPME_SYSCALL_TGKILL_X 133
#define PPME_SYSCALL_FCNTL_E 150
#define PPME_SYSCALL_FCNTL_X 151
#define PPME_SYSCALL_BRK_4_E 158
#define PPME_SYSCALL_BRK_4_X 159
#define PPME_SYSCALL_MMAP_E 160
#define PPME_SYSCALL_MMAP_X 161
#define PPME_SYSCALL_MUNMAP_E 164
#define PPME_SYSCALL_MUNMAP_X 165
#define PPME_SYSCALL_PTRACE_E 168
#define PPME_SYSCALL_PTRACE_X 169
#define PPME_SYSCALL_RENAME_E 174
#define PPME_SYSCALL_RENAME_X 175
#define PPME_SYSCALL_RENAMEAT_E 176
#define PPME_SYSCALL_RENAMEAT_X 177
#define PPME_SYSCALL_SENDFILE_E 188
#define PPME_SYSCALL_SENDFILE_X 189
#define PPME_SYSCALL_SETUID_E 198
#define PPME_SYSCALL_SETUID_X 199
#define PPME_SYSCALL_SETGID_E 200
#define PPME_SYSCALL_SETGID_X 201
#define PPME_SYSCALL_CLONE_20_E 222
#define PPME_SYSCALL_CLONE_20_X 223
#define PPME_SYSCALL_FORK_20_E 224
#define PPME_SYSCALL_FORK_20_X 225
#define PPME_SYSCALL_VFORK_20_E 226
#define PPME_SYSCALL_VFORK_20_X 227
#define PPME_SOCKET_ACCEPT_5_E 246
#define PPME_SOCKET_ACCEPT_5_X 247
#define PPME_SOCKET_ACCEPT4_5_E 248
#define PPME_SOCKET_ACCEPT4_5_X 249
#define PPME_SYSCALL_MOUNT_E 256
#define PPME_SYSCALL_MOUNT_X 257
#define PPME_SYSCALL_UMOUNT_E 258
#define PPME_SYSCALL_UMOUNT_X 259
#define PPME_SYSCALL_MKDIR_2_E 276
#define PPME_SYSCALL_MKDIR_2_X 277
#define PPME_SYSCALL_RMDIR_2_E 278
#define PPME_SYSCALL_RMDIR_2_X 279
#define PPME_SYSCALL_EXECVE_19_E 292
#define PPME_SYSCALL_EXECVE_19_X 293
#define PPME_SYSCALL_UNLINK_2_E 300
#define PPME_SYSCALL_UNLINK_2_X 301
#define PPME_SYSCALL_UNLINKAT_2_E 302
#define PPME_SYSCALL_UNLINKAT_2_X 303
#define PPME_SYSCALL_MKDIRAT_E 304
#define PPME_SYSCALL_MKDIRAT_X 305
#define PPME_SYSCALL_OPENAT_2_E 306
#define PPME_SYSCALL_OPENAT_2_X 307
#define PPME_SYSCALL_RENAMEAT2_E 318
#define PPME_SYSCALL_RENAMEAT2_X 319
#define PPME_SYSCALL_OPENAT2_E 326
#define PPME_SYSCALL_OPENAT2_X 327
#define PPME_SYSCALL_EXECVEAT_E 330
#define PPME_SYSCALL_EXECVEAT_X 331
#define PPME_SYSCALL_CLONE3_E 334
#define PPME_SYSCALL_CLONE3_X 335

#define BEGIN(type, n)                          \
	do {                                    \
		if (begin(&b, type, n, pid_tgid)) \
			return 0;               \
	} while (0)

#define L_EINPROGRESS 115
#define L_AT_REMOVEDIR 0x200
#define L_AT_SYMLINK_NOFOLLOW 0x100
#define L_AT_EMPTY_PATH 0x1000
#define L_MS_MGC_VAL 0xC0ED0000
#define L_MS_MGC_MSK 0xffff0000

static __always_inline __u32 execveat_flags_to_scap(__u64 f)
{
	__u32 r = 0;
	if (f & L_AT_EMPTY_PATH)
		r |= 1;
	if (f & L_AT_SYMLINK_NOFOLLOW)
		r |= 2;
	return r;
}

// The clone flags of a clone-family call: clone's first argument, the first
// field of clone3's arguments; fork and vfork have none (as the driver
// records them).
static __always_inline __u64 clone_flags_of(__u16 exit_type, __u64 a0)
{
	if (exit_type == PPME_SYSCALL_CLONE_20_X)
		return a0;
	if (exit_type == PPME_SYSCALL_CLONE3_X)
		return user_u64((const void *)a0);
	return 0;
}

// The listening socket's accept queue: how full (percent), its length and
// its limit.
static __always_inline void push_accept_queue(struct builder *b, long listen_fd)
{
	struct sock *sk = fd_sock(listen_fd);
	__u32 len = 0, max = 0;
	if (sk) {
		len = BPF_CORE_READ(sk, sk_ack_backlog);
		max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	}
	push_u8(b, max ? (__u8)(len * 100 / max) : 0);
	push_u32(b, len);
	push_u32(b, max);
}

// A register of the interrupted user context: read directly from a tp_btf
// program (a trusted pointer, a plain load), through CO-RE from a raw_tp
// one. `raw` is a constant where the handlers are inlined, so only one way
// is compiled into each program.
#define REG(regs, f) (raw ? BPF_CORE_READ(regs, f) : (regs)->f)

static __always_inline int on_sys_enter(struct pt_regs *regs, long id, const int raw)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	struct route *r = route_of(id);
	__u16 type = r ? r->enter : PPME_GENERIC_E;
	struct builder b = {};
	__u64 a0 = REG(regs, di), a1 = REG(regs, si), a2 = REG(regs, dx), a3 = REG(regs, r10), a4 = REG(regs, r8),
	      a5 = REG(regs, r9);
	switch (type) {
	case PPME_SYSCALL_OPEN_E:
		BEGIN(type, 3);
		push_user_str(&b, (const void *)a0);
		push_u32(&b, open_flags_to_scap(a1));
		push_u32(&b, open_mode_to_scap(a1, a2));
		break;
	case PPME_SYSCALL_CREAT_E:
		BEGIN(type, 2);
		push_user_str(&b, (const void *)a0);
		push_u32(&b, open_mode_to_scap(L_O_CREAT, a1));
		break;
	case PPME_SYSCALL_OPENAT_2_E:
		BEGIN(type, 4);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, open_flags_to_scap(a2));
		push_u32(&b, open_mode_to_scap(a2, a3));
		break;
	case PPME_SYSCALL_OPENAT2_E: {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (const void *)a2);
		BEGIN(type, 5);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, open_flags_to_scap(how.flags));
		push_u32(&b, open_mode_to_scap(how.flags, how.mode));
		push_u32(&b, openat2_resolve_to_scap(how.resolve));
		break;
	}
	case PPME_SYSCALL_CLOSE_E:
	case PPME_SYSCALL_FCHDIR_E:
	case PPME_SYSCALL_DUP_E:
	case PPME_SOCKET_BIND_E:
	case PPME_SYSCALL_READV_E:
	case PPME_SOCKET_RECVMSG_E:
		BEGIN(type, 1);
		push_s64(&b, (__s32)a0);
		break;
	case PPME_SYSCALL_READ_E:
	case PPME_SYSCALL_WRITE_E:
	case PPME_SOCKET_RECVFROM_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)a2);
		break;
	case PPME_SYSCALL_PREAD_E:
	case PPME_SYSCALL_PWRITE_E:
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)a2);
		push_u64(&b, a3);
		break;
	case PPME_SYSCALL_WRITEV_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)iov_total((const struct iovec *)a1, a2));
		break;
	case PPME_SYSCALL_PREADV_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u64(&b, a3);
		break;
	case PPME_SYSCALL_PWRITEV_E:
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)iov_total((const struct iovec *)a1, a2));
		push_u64(&b, a3);
		break;
	case PPME_SYSCALL_SENDFILE_E:
		BEGIN(type, 4);
		push_s64(&b, (__s32)a0);
		push_s64(&b, (__s32)a1);
		push_u64(&b, user_u64((const void *)a2));
		push_u64(&b, a3);
		break;
	case PPME_SOCKET_SOCKET_E:
	case PPME_SOCKET_SOCKETPAIR_E:
		// domain (scap's AF_* numbers are Linux's), type, protocol
		BEGIN(type, 3);
		push_u32(&b, (__u32)a0);
		push_u32(&b, (__u32)a1);
		push_u32(&b, (__u32)a2);
		break;
	case PPME_SOCKET_LISTEN_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)a1);
		break;
	case PPME_SOCKET_CONNECT_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_sockaddr(&b, (const void *)a1, a2);
		break;
	case PPME_SOCKET_ACCEPT4_5_E:
		// The driver records no flags.
		BEGIN(type, 1);
		push_u32(&b, 0);
		break;
	case PPME_SOCKET_SENDTO_E:
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)a2);
		push_socktuple(&b, (__s32)a0, 0, (const void *)a4);
		break;
	case PPME_SOCKET_SENDMSG_E: {
		struct user_msghdr mh = {};
		bpf_probe_read_user(&mh, sizeof(mh), (const void *)a1);
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_u32(&b, (__u32)iov_total(mh.msg_iov, mh.msg_iovlen));
		push_socktuple(&b, (__s32)a0, 0, mh.msg_name);
		break;
	}
	case PPME_SOCKET_SHUTDOWN_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u8(&b, (__u8)a1);
		break;
	case PPME_SYSCALL_EVENTFD_E:
		// The driver records no flags.
		BEGIN(type, 2);
		push_u64(&b, a0);
		push_u32(&b, 0);
		break;
	case PPME_SYSCALL_FCNTL_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u8(&b, fcntl_cmd_to_scap(a1));
		break;
	case PPME_SYSCALL_EXECVE_19_E:
		BEGIN(type, 1);
		push_user_str(&b, (const void *)a0);
		break;
	case PPME_SYSCALL_EXECVEAT_E:
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, execveat_flags_to_scap(a4));
		break;
	case PPME_SYSCALL_KILL_E:
	case PPME_SYSCALL_TKILL_E:
		BEGIN(type, 2);
		push_s64(&b, (__s32)a0);
		push_u8(&b, (__u8)a1);
		break;
	case PPME_SYSCALL_TGKILL_E:
		BEGIN(type, 3);
		push_s64(&b, (__s32)a0);
		push_s64(&b, (__s32)a1);
		push_u8(&b, (__u8)a2);
		break;
	case PPME_SYSCALL_MKDIR_2_E:
		BEGIN(type, 1);
		push_u32(&b, (__u32)a1);
		break;
	case PPME_SYSCALL_MMAP_E:
		BEGIN(type, 6);
		push_u64(&b, a0);
		push_u64(&b, a1);
		push_u32(&b, prot_to_scap(a2));
		push_u32(&b, mmap_flags_to_scap(a3));
		push_s64(&b, (__s32)a4);
		push_u64(&b, a5);
		break;
	case PPME_SYSCALL_MUNMAP_E:
		BEGIN(type, 2);
		push_u64(&b, a0);
		push_u64(&b, a1);
		break;
	case PPME_SYSCALL_BRK_4_E:
		BEGIN(type, 1);
		push_u64(&b, a0);
		break;
	case PPME_SYSCALL_SETUID_E:
	case PPME_SYSCALL_SETGID_E:
		BEGIN(type, 1);
		push_u32(&b, (__u32)a0);
		break;
	case PPME_SYSCALL_PTRACE_E:
		BEGIN(type, 2);
		push_u16(&b, ptrace_req_to_scap(a0));
		push_s64(&b, (__s32)a1);
		break;
	case PPME_SYSCALL_MOUNT_E: {
		__u32 flags = (__u32)a3;
		if ((flags & L_MS_MGC_MSK) == L_MS_MGC_VAL)
			flags &= ~L_MS_MGC_MSK;
		BEGIN(type, 1);
		push_u32(&b, flags);
		break;
	}
	case PPME_SYSCALL_UMOUNT_E:
		BEGIN(type, 1);
		push_u32(&b, (__u32)a1 & 0xf);
		break;
	case PPME_SYSCALL_CLONE_20_E:
	case PPME_SYSCALL_FORK_20_E:
	case PPME_SYSCALL_VFORK_20_E:
	case PPME_SYSCALL_CLONE3_E:
	case PPME_SOCKET_ACCEPT_5_E:
	case PPME_SOCKET_SENDMMSG_E:
	case PPME_SOCKET_RECVMMSG_E:
	case PPME_SYSCALL_PIPE_E:
	case PPME_SYSCALL_CHDIR_E:
	case PPME_SYSCALL_RENAME_E:
	case PPME_SYSCALL_RENAMEAT_E:
	case PPME_SYSCALL_RENAMEAT2_E:
	case PPME_SYSCALL_UNLINK_2_E:
	case PPME_SYSCALL_UNLINKAT_2_E:
	case PPME_SYSCALL_MKDIRAT_E:
	case PPME_SYSCALL_RMDIR_2_E:
		// No parameters at entry.
		BEGIN(type, 0);
		break;
	default:
		if (begin(&b, PPME_GENERIC_E, 2, pid_tgid))
			return 0;
		push_u16(&b, r ? r->ppm_sc : 0);
		push_u16(&b, (__u16)id);
		break;
	}
	submit(&b);
	return 0;
}

static __always_inline int on_sys_exit(struct pt_regs *regs, long ret, const int raw)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	// The system call number is in orig_ax at exit; the arguments are still
	// in their registers.
	long id = REG(regs, orig_ax);
	struct route *r = route_of(id);
	__u16 type = r ? r->exit : PPME_GENERIC_X;
	struct builder b = {};
	__u64 a0 = REG(regs, di), a1 = REG(regs, si), a2 = REG(regs, dx), a3 = REG(regs, r10), a4 = REG(regs, r8);
	switch (type) {
	case PPME_SYSCALL_OPEN_X:
		// fd, name, flags, mode, dev
		BEGIN(type, 5);
		push_s64(&b, ret);
		push_user_str(&b, (const void *)a0);
		push_u32(&b, open_flags_to_scap(a1));
		push_u32(&b, open_mode_to_scap(a1, a2));
		push_u32(&b, fd_dev(ret));
		break;
	case PPME_SYSCALL_CREAT_X:
		// fd, name, mode, dev
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_user_str(&b, (const void *)a0);
		push_u32(&b, open_mode_to_scap(L_O_CREAT, a1));
		push_u32(&b, fd_dev(ret));
		break;
	case PPME_SYSCALL_OPENAT_2_X:
		// fd, dirfd, name, flags, mode, dev
		BEGIN(type, 6);
		push_s64(&b, ret);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, open_flags_to_scap(a2));
		push_u32(&b, open_mode_to_scap(a2, a3));
		push_u32(&b, fd_dev(ret));
		break;
	case PPME_SYSCALL_OPENAT2_X: {
		// fd, dirfd, name, flags, mode, resolve
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (const void *)a2);
		BEGIN(type, 6);
		push_s64(&b, ret);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, open_flags_to_scap(how.flags));
		push_u32(&b, open_mode_to_scap(how.flags, how.mode));
		push_u32(&b, openat2_resolve_to_scap(how.resolve));
		break;
	}
	case PPME_SYSCALL_CLOSE_X:
	case PPME_SOCKET_SOCKET_X:
	case PPME_SOCKET_LISTEN_X:
	case PPME_SOCKET_SHUTDOWN_X:
	case PPME_SYSCALL_DUP_X:
	case PPME_SYSCALL_EVENTFD_X:
	case PPME_SYSCALL_FCNTL_X:
	case PPME_SYSCALL_FCHDIR_X:
	case PPME_SYSCALL_KILL_X:
	case PPME_SYSCALL_TKILL_X:
	case PPME_SYSCALL_TGKILL_X:
	case PPME_SYSCALL_SETUID_X:
	case PPME_SYSCALL_SETGID_X:
	case PPME_SYSCALL_PTRACE_X:
		// The result alone.
		BEGIN(type, 1);
		push_s64(&b, ret);
		break;
	case PPME_SOCKET_SENDMMSG_X:
	case PPME_SOCKET_RECVMMSG_X:
		BEGIN(type, 0);
		break;
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_CLONE3_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
		// The child's return (res 0) was recorded at sched_process_fork.
		if (ret == 0)
			return 0;
		BEGIN(type, 20);
		fill_clone_exit(&b, bpf_get_current_task_btf(), ret, pid_tgid, clone_flags_of(type, a0));
		break;
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
		// A successful exec is recorded at sched_process_exec (the
		// system call's exit does not reliably say which call it
		// was); here only the failures.
		if (ret == 0)
			return 0;
		BEGIN(type, 20);
		fill_execve_exit(&b, ret, pid_tgid);
		break;
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_PREAD_X:
		BEGIN(type, 2);
		push_s64(&b, ret);
		// What was read: as much as the call returned.
		push_user_bytes(&b, (const void *)a1, ret);
		break;
	case PPME_SYSCALL_WRITE_X:
	case PPME_SYSCALL_PWRITE_X:
	case PPME_SOCKET_SENDTO_X:
		BEGIN(type, 2);
		push_s64(&b, ret);
		// What was to be written: the buffer as long as asked, whatever
		// the call returned (as the driver records it).
		push_user_bytes(&b, (const void *)a1, (__s64)(__u32)a2);
		break;
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X:
		// res, size (of the buffers), data (as much as was read)
		BEGIN(type, 3);
		push_s64(&b, ret);
		push_u32(&b, (__u32)iov_total((const struct iovec *)a1, a2));
		push_iov_data(&b, (const struct iovec *)a1, a2, ret);
		break;
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X:
		// res, data (the buffers, as long as asked)
		BEGIN(type, 2);
		push_s64(&b, ret);
		push_iov_data(&b, (const struct iovec *)a1, a2, iov_total((const struct iovec *)a1, a2));
		break;
	case PPME_SYSCALL_SENDFILE_X:
		BEGIN(type, 2);
		push_s64(&b, ret);
		push_u64(&b, user_u64((const void *)a2));
		break;
	case PPME_SOCKET_SOCKETPAIR_X: {
		// res, fd1, fd2, source (this end's socket), peer
		__s32 fds[2] = {};
		bpf_probe_read_user(fds, sizeof(fds), (const void *)a3);
		struct sock *sk = ret == 0 ? fd_sock(fds[0]) : 0;
		struct sock *peer = sk ? (struct sock *)BPF_CORE_READ((struct unix_sock *)sk, peer) : 0;
		BEGIN(type, 5);
		push_s64(&b, ret);
		push_s64(&b, ret == 0 ? fds[0] : -1);
		push_s64(&b, ret == 0 ? fds[1] : -1);
		push_u64(&b, (__u64)sk);
		push_u64(&b, (__u64)peer);
		break;
	}
	case PPME_SOCKET_BIND_X:
		BEGIN(type, 2);
		push_s64(&b, ret);
		push_sockaddr(&b, (const void *)a1, a2);
		break;
	case PPME_SOCKET_CONNECT_X:
		BEGIN(type, 2);
		push_s64(&b, ret);
		if (ret == 0 || ret == -L_EINPROGRESS)
			push_socktuple(&b, (__s32)a0, 0, (const void *)a1);
		else
			set_len(&b, 0);
		break;
	case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_ACCEPT4_5_X:
		// fd, tuple (the peer as source), then the accept queue
		BEGIN(type, 5);
		push_s64(&b, ret);
		if (ret >= 0)
			push_socktuple(&b, ret, 1, 0);
		else
			set_len(&b, 0);
		push_accept_queue(&b, (__s32)a0);
		break;
	case PPME_SOCKET_RECVFROM_X:
		// res, data, tuple (the sender as source)
		BEGIN(type, 3);
		push_s64(&b, ret);
		push_user_bytes(&b, (const void *)a1, ret);
		if (ret >= 0)
			push_socktuple(&b, (__s32)a0, 1, (const void *)a4);
		else
			set_len(&b, 0);
		break;
	case PPME_SOCKET_SENDMSG_X: {
		struct user_msghdr mh = {};
		bpf_probe_read_user(&mh, sizeof(mh), (const void *)a1);
		BEGIN(type, 2);
		push_s64(&b, ret);
		push_iov_data(&b, mh.msg_iov, mh.msg_iovlen, iov_total(mh.msg_iov, mh.msg_iovlen));
		break;
	}
	case PPME_SOCKET_RECVMSG_X: {
		// res, size, data, tuple
		struct user_msghdr mh = {};
		bpf_probe_read_user(&mh, sizeof(mh), (const void *)a1);
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_u32(&b, (__u32)iov_total(mh.msg_iov, mh.msg_iovlen));
		push_iov_data(&b, mh.msg_iov, mh.msg_iovlen, ret);
		if (ret >= 0)
			push_socktuple(&b, (__s32)a0, 1, mh.msg_name);
		else
			set_len(&b, 0);
		break;
	}
	case PPME_SYSCALL_PIPE_X: {
		// res, fd1, fd2, ino (of the pipe)
		__s32 fds[2] = {};
		bpf_probe_read_user(fds, sizeof(fds), (const void *)a0);
		struct file *f = ret == 0 ? fd_file(fds[0]) : 0;
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_s64(&b, ret == 0 ? fds[0] : -1);
		push_s64(&b, ret == 0 ? fds[1] : -1);
		push_u64(&b, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
		break;
	}
	case PPME_SYSCALL_CHDIR_X:
	case PPME_SYSCALL_UNLINK_2_X:
	case PPME_SYSCALL_MKDIR_2_X:
	case PPME_SYSCALL_RMDIR_2_X:
	case PPME_SYSCALL_UMOUNT_X:
		// res, path
		BEGIN(type, 2);
		push_s64(&b, ret);
		push_user_str(&b, (const void *)a0);
		break;
	case PPME_SYSCALL_RENAME_X:
		BEGIN(type, 3);
		push_s64(&b, ret);
		push_user_str(&b, (const void *)a0);
		push_user_str(&b, (const void *)a1);
		break;
	case PPME_SYSCALL_RENAMEAT_X:
	case PPME_SYSCALL_RENAMEAT2_X:
		// res, olddirfd, oldpath, newdirfd, newpath (, flags)
		BEGIN(type, type == PPME_SYSCALL_RENAMEAT2_X ? 6 : 5);
		push_s64(&b, ret);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_s64(&b, (__s32)a2);
		push_user_str(&b, (const void *)a3);
		if (type == PPME_SYSCALL_RENAMEAT2_X)
			push_u32(&b, (__u32)a4 & 7);
		break;
	case PPME_SYSCALL_UNLINKAT_2_X:
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, (a2 & L_AT_REMOVEDIR) ? 1 : 0);
		break;
	case PPME_SYSCALL_MKDIRAT_X:
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_s64(&b, (__s32)a0);
		push_user_str(&b, (const void *)a1);
		push_u32(&b, (__u32)a2);
		break;
	case PPME_SYSCALL_MMAP_X:
	case PPME_SYSCALL_MUNMAP_X:
	case PPME_SYSCALL_BRK_4_X:
		// res, then the process's memory after the call
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_vm(&b, bpf_get_current_task_btf());
		break;
	case PPME_SYSCALL_MOUNT_X:
		// res, dev, dir, type
		BEGIN(type, 4);
		push_s64(&b, ret);
		push_user_str(&b, (const void *)a0);
		push_user_str(&b, (const void *)a1);
		push_user_str(&b, (const void *)a2);
		break;
	default:
		if (begin(&b, PPME_GENERIC_X, 1, pid_tgid))
			return 0;
		push_u16(&b, r ? r->ppm_sc : 0);
		break;
	}
	submit(&b);
	return 0;
}

#define PPME_PROCEXIT_1_E 186

// A thread's end (the `sched_process_exit` tracepoint), as the driver
// records it: status (the wait status), ret (its exit code), sig (the
// signal that ended it, else 0) and core (whether it dumped core).
static __always_inline int on_sched_process_exit(struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	struct builder b = {};
	if (begin(&b, PPME_PROCEXIT_1_E, 4, pid_tgid))
		return 0;
	int code = BPF_CORE_READ(p, exit_code);
	push_s64(&b, code);
	push_s64(&b, (code >> 8) & 0xff);
	__u8 sig = code & 0x7f;
	// WIFSIGNALED: a signal number, not 0 (exited) or 0x7f (stopped).
	push_u8(&b, (sig != 0 && sig != 0x7f) ? sig : 0);
	push_u8(&b, (code & 0x80) != 0);
	submit(&b);
	// The thread is gone: what it did goes out now.
	flush_now();
	return 0;
}

// A new task: its side of the clone, fork, vfork or clone3 return (res 0),
// recorded here, in the parent, as the fork happens: the new task is then
// known before it runs anything (its own return through sys_exit is not
// recorded again).
static __always_inline int on_sched_process_fork(struct task_struct *parent, struct task_struct *child)
{
	__u64 pid_tgid = ((__u64)BPF_CORE_READ(child, tgid) << 32) | (__u32)BPF_CORE_READ(child, pid);
	if (!wanted(pid_tgid))
		return 0;
	// Which call made it (a kernel thread's creation is no system call).
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return 0;
	struct route *r = route_of(BPF_CORE_READ(regs, orig_ax));
	__u16 type = r ? r->exit : 0;
	if (type != PPME_SYSCALL_CLONE_20_X && type != PPME_SYSCALL_CLONE3_X && type != PPME_SYSCALL_FORK_20_X &&
	    type != PPME_SYSCALL_VFORK_20_X)
		return 0;
	struct builder b = {};
	BEGIN(type, 20);
	fill_clone_exit(&b, child, 0, pid_tgid, clone_flags_of(type, BPF_CORE_READ(regs, di)));
	submit(&b);
	return 0;
}

// A successful execve or execveat: the new program, as execve's exit event
// for both, as the driver records them (the kernel names a successful
// execveat's exit execve on x86-64 anyway: only failures are told apart, at
// the system call's exit).
static __always_inline int on_sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	struct builder b = {};
	BEGIN(PPME_SYSCALL_EXECVE_19_X, 20);
	fill_execve_exit(&b, 0, pid_tgid);
	submit(&b);
	return 0;
}

#define PPME_SCHEDSWITCH_6_E 152

// A context switch, recorded for the thread leaving the CPU (the idle task
// is thread 0): the thread coming in, then the leaving one's page faults and
// memory (PPME_SCHEDSWITCH_6_E).
static __always_inline int on_sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!capture_switches) {
		flush_now();
		return 0;
	}
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid);
	int keep = wanted_process(prev_tgid);
	if (keep && only_comm[0] != 0) {
		char comm[16] = {};
		BPF_CORE_READ_STR_INTO(&comm, prev, comm);
		keep = comm_is_wanted(comm);
	}
	if (keep) {
		__u64 pid_tgid = ((__u64)prev_tgid << 32) | (__u32)BPF_CORE_READ(prev, pid);
		struct builder b = {};
		if (begin(&b, PPME_SCHEDSWITCH_6_E, 6, pid_tgid) == 0) {
			push_s64(&b, BPF_CORE_READ(next, pid));
			push_u64(&b, BPF_CORE_READ(prev, maj_flt));
			push_u64(&b, BPF_CORE_READ(prev, min_flt));
			push_vm(&b, prev);
			submit(&b);
		}
	}
	flush_now();
	return 0;
}

// Each program twice: as a BTF-typed tracepoint (tp_btf, preferred) and as
// a raw tracepoint (raw_tp, the fallback where tp_btf cannot attach).
// Userspace loads one set.

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, 0);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, 0);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, 1);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_sched_process_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_process_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_sched_process_fork(parent, child);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_sched_process_exec(p, old_pid, bprm);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_process_exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_sched_process_exec(p, old_pid, bprm);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	return on_sched_process_exit(p);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_process_exit_raw, struct task_struct *p)
{
	return on_sched_process_exit(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_sched_switch(preempt, prev, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_sched_switch(preempt, prev, next);
}
