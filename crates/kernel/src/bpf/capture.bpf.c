// SPDX-License-Identifier: GPL-2.0
//
// sonde's capture program: system calls as scap events (the v2 event header:
// ts, tid, len, type, nparams, then one u16 length per parameter and the
// parameter values), written to a ring buffer that userspace drains by
// polling.
//
// Calls with events of their own are recorded with their parameters as the
// event table (libs e5c53d64) lays them out; so far open, openat, close,
// read, write, execve, clone, fork and vfork; and a thread's end (procexit,
// from the sched_process_exit tracepoint).
// Every other call is the generic event pair: `syscall` enter (ID, nativeID)
// and exit (ID), ID being the call's PPM_SC code. Both come from the
// `routing` map, which userspace fills from the driver's table before
// attaching.
//
// An event is built in a per-CPU scratch buffer (header, then one u16 length
// per parameter, then the values) and copied into the ring buffer whole.

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

// What precedes each event in the ring buffer: the CPU it was recorded on
// (scap keeps the CPU in the event block, outside the event).
struct record_prefix {
	__u16 cpu;
	__u16 reserved;
	__u32 reserved2;
};

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);
	if (n)
		*n += 1;
}

static __always_inline int wanted(__u64 pid_tgid)
{
	return only_tgid == 0 || (__u32)(pid_tgid >> 32) == only_tgid;
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
	struct record_prefix *p = (struct record_prefix *)s->data;
	p->cpu = (__u16)bpf_get_smp_processor_id();
	p->reserved = 0;
	p->reserved2 = 0;
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
		n &= MAX_VALUE;
		if (bpf_probe_read_user(b->buf + (b->pos & (MAX_EVENT - 1)), n, ptr) != 0)
			n = 0;
	}
	b->pos += n;
	set_len(b, (__u16)n);
}

// A NUL-terminated string of user memory at `ptr` (at most PATH_MAX bytes,
// NUL included); one that cannot be read is an empty value.
#define PATH_MAX_LEN 4096

// Returns the value's length.
static __always_inline __u32 push_user_str(struct builder *b, const void *ptr)
{
	long n = 0;
	if (ptr)
		n = bpf_probe_read_user_str(b->buf + (b->pos & (MAX_EVENT - 1)), PATH_MAX_LEN, ptr);
	if (n < 0)
		n = 0;
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

// The device of the file behind `fd` of the current process, encoded as the
// driver encodes it (`new_encode_dev`); 0 when there is none.
static __always_inline __u32 fd_dev(long fd)
{
	if (fd < 0)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file *f = 0;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0 || !f)
		return 0;
	__u32 dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

// `len` bytes of user memory at `ptr` as one value, at most `max` (a power of
// two) of them; what cannot be read is an empty value.
static __always_inline void push_user_area(struct builder *b, const void *ptr, __u64 len, __u32 max)
{
	__u32 n = len > max ? max : (__u32)len;
	if (n > MAX_VALUE)
		n = MAX_VALUE;
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

#define RLIMIT_NOFILE 7

// The arguments and environment areas of the current process's memory.
#define ARGS_MAX 4096

// The parameters execve's and clone's returns begin with, alike (res, exe,
// args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss,
// vm_swap, comm, cgroups): the task as the driver describes it. What the
// driver reads from places a tracepoint program cannot (the cwd, cgroup
// paths, memory counters) is left empty or zero; the state engine keeps what
// it knew.
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
	push_u32(b, 0); // vm_size
	push_u32(b, 0); // vm_rss
	push_u32(b, 0); // vm_swap
	push_comm(b);
	push_user_area(b, 0, 0, ARGS_MAX); // cgroups
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

// clone's return, in the parent (res: the child's tid) and in the child
// (res 0) (PPME_SYSCALL_CLONE_20_X): the task, then the clone flags, euid,
// egid and the ids its pid namespace sees.
static __always_inline void fill_clone_exit(struct builder *b, long ret, __u64 pid_tgid, __u64 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
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

// Copies the finished event into the ring buffer.
static __always_inline void submit(struct builder *b)
{
	__u32 total = b->pos;
	if (total > MAX_EVENT) {
		count_drop();
		return;
	}
	*(__u32 *)(b->buf + sizeof(struct record_prefix) + 16) = total - sizeof(struct record_prefix);
	if (bpf_ringbuf_output(&events, b->buf, total & (MAX_EVENT - 1), BPF_RB_NO_WAKEUP) != 0)
		count_drop();
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
#define PPME_SYSCALL_OPENAT_2_E 306
#define PPME_SYSCALL_OPENAT_2_X 307
#define PPME_SYSCALL_EXECVE_19_E 292
#define PPME_SYSCALL_EXECVE_19_X 293
#define PPME_SYSCALL_CLONE_20_E 222
#define PPME_SYSCALL_CLONE_20_X 223
#define PPME_SYSCALL_FORK_20_E 224
#define PPME_SYSCALL_FORK_20_X 225
#define PPME_SYSCALL_VFORK_20_E 226
#define PPME_SYSCALL_VFORK_20_X 227
#define PPME_SYSCALL_CLOSE_E 4
#define PPME_SYSCALL_CLOSE_X 5
#define PPME_SYSCALL_READ_E 6
#define PPME_SYSCALL_READ_X 7
#define PPME_SYSCALL_WRITE_E 8
#define PPME_SYSCALL_WRITE_X 9

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	struct route *r = route_of(id);
	__u16 type = r ? r->enter : PPME_GENERIC_E;
	struct builder b = {};
	switch (type) {
	case PPME_SYSCALL_OPEN_E:
		// open(name, flags, mode)
		if (begin(&b, type, 3, pid_tgid))
			return 0;
		push_user_str(&b, (const void *)regs->di);
		push_u32(&b, open_flags_to_scap(regs->si));
		push_u32(&b, open_mode_to_scap(regs->si, regs->dx));
		break;
	case PPME_SYSCALL_OPENAT_2_E:
		// openat(dirfd, name, flags, mode)
		if (begin(&b, type, 4, pid_tgid))
			return 0;
		push_s64(&b, (__s32)regs->di);
		push_user_str(&b, (const void *)regs->si);
		push_u32(&b, open_flags_to_scap(regs->dx));
		push_u32(&b, open_mode_to_scap(regs->dx, regs->r10));
		break;
	case PPME_SYSCALL_CLOSE_E:
		if (begin(&b, type, 1, pid_tgid))
			return 0;
		push_s64(&b, (__s32)regs->di);
		break;
	case PPME_SYSCALL_CLONE_20_E:
	case PPME_SYSCALL_FORK_20_E:
	case PPME_SYSCALL_VFORK_20_E:
		// No parameters.
		if (begin(&b, type, 0, pid_tgid))
			return 0;
		break;
	case PPME_SYSCALL_EXECVE_19_E:
		// execve(filename, argv, envp)
		if (begin(&b, type, 1, pid_tgid))
			return 0;
		push_user_str(&b, (const void *)regs->di);
		break;
	case PPME_SYSCALL_READ_E:
	case PPME_SYSCALL_WRITE_E:
		if (begin(&b, type, 2, pid_tgid))
			return 0;
		push_s64(&b, (__s32)regs->di);
		push_u32(&b, (__u32)regs->dx);
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

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	// The system call number is in orig_ax at exit; the arguments are still
	// in their registers.
	long id = regs->orig_ax;
	struct route *r = route_of(id);
	__u16 type = r ? r->exit : PPME_GENERIC_X;
	struct builder b = {};
	switch (type) {
	case PPME_SYSCALL_OPEN_X:
		// fd, name, flags, mode, dev
		if (begin(&b, type, 5, pid_tgid))
			return 0;
		push_s64(&b, ret);
		push_user_str(&b, (const void *)regs->di);
		push_u32(&b, open_flags_to_scap(regs->si));
		push_u32(&b, open_mode_to_scap(regs->si, regs->dx));
		push_u32(&b, fd_dev(ret));
		break;
	case PPME_SYSCALL_OPENAT_2_X:
		// fd, dirfd, name, flags, mode, dev
		if (begin(&b, type, 6, pid_tgid))
			return 0;
		push_s64(&b, ret);
		push_s64(&b, (__s32)regs->di);
		push_user_str(&b, (const void *)regs->si);
		push_u32(&b, open_flags_to_scap(regs->dx));
		push_u32(&b, open_mode_to_scap(regs->dx, regs->r10));
		push_u32(&b, fd_dev(ret));
		break;
	case PPME_SYSCALL_CLOSE_X:
		if (begin(&b, type, 1, pid_tgid))
			return 0;
		push_s64(&b, ret);
		break;
	case PPME_SYSCALL_CLONE_20_X:
		if (begin(&b, type, 20, pid_tgid))
			return 0;
		fill_clone_exit(&b, ret, pid_tgid, regs->di);
		break;
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
		// The same description as clone's; the driver records no flags.
		if (begin(&b, type, 20, pid_tgid))
			return 0;
		fill_clone_exit(&b, ret, pid_tgid, 0);
		break;
	case PPME_SYSCALL_EXECVE_19_X:
		if (begin(&b, type, 20, pid_tgid))
			return 0;
		fill_execve_exit(&b, ret, pid_tgid);
		break;
	case PPME_SYSCALL_READ_X:
		if (begin(&b, type, 2, pid_tgid))
			return 0;
		push_s64(&b, ret);
		// What was read: as much as the call returned.
		push_user_bytes(&b, (const void *)regs->si, ret);
		break;
	case PPME_SYSCALL_WRITE_X:
		if (begin(&b, type, 2, pid_tgid))
			return 0;
		push_s64(&b, ret);
		// What was to be written: the buffer as long as asked, whatever
		// the call returned (as the driver records it).
		push_user_bytes(&b, (const void *)regs->si, (__s64)(__u32)regs->dx);
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
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
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
	return 0;
}
