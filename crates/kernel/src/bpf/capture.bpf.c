// SPDX-License-Identifier: GPL-2.0
//
// sonde's capture program: system calls as scap events (the v2 event header:
// ts, tid, len, type, nparams, then one u16 length per parameter and the
// parameter values), written to a ring buffer that userspace drains by
// polling.
//
// This first version records every system call as the generic event pair of
// the scap event table: `syscall` enter (ID, nativeID) and exit (ID). ID is
// the call's PPM_SC code, looked up in the `routing` map that userspace fills
// from the driver's table before attaching. Calls with events of their own
// get their parameters in later versions.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

// Set by userspace before loading.
// The boot time in ns since the epoch: event timestamps are boot-clock
// readings plus this (the boot clock keeps counting across suspend).
const volatile __u64 boot_time_ns = 0;
// Only record threads of this process (0: every process).
const volatile __u32 only_tgid = 0;

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

// The generic enter event: header, two u16 lengths, ID (u16), nativeID (u16).
struct generic_enter {
	struct record_prefix prefix;
	__u64 ts;
	__u64 tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
	__u16 lens[2];
	__u16 id;
	__u16 native_id;
} __attribute__((packed));

// The generic exit event: header, one u16 length, ID (u16).
struct generic_exit {
	struct record_prefix prefix;
	__u64 ts;
	__u64 tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
	__u16 lens[1];
	__u16 id;
} __attribute__((packed));

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

static __always_inline __u16 ppm_sc_of(long id)
{
	__u32 key = (__u32)id;
	if (id < 0 || id >= NATIVE_SYSCALLS)
		return 0;
	struct route *r = bpf_map_lookup_elem(&routing, &key);
	return r ? r->ppm_sc : 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	struct generic_enter *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	e->prefix.cpu = (__u16)bpf_get_smp_processor_id();
	e->prefix.reserved = 0;
	e->prefix.reserved2 = 0;
	e->ts = bpf_ktime_get_boot_ns() + boot_time_ns;
	e->tid = (__u32)pid_tgid;
	e->len = sizeof(*e) - sizeof(e->prefix);
	e->type = PPME_GENERIC_E;
	e->nparams = 2;
	e->lens[0] = sizeof(e->id);
	e->lens[1] = sizeof(e->native_id);
	e->id = ppm_sc_of(id);
	e->native_id = (__u16)id;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid))
		return 0;
	// The system call number is in orig_ax at exit.
	long id = regs->orig_ax;
	struct generic_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	e->prefix.cpu = (__u16)bpf_get_smp_processor_id();
	e->prefix.reserved = 0;
	e->prefix.reserved2 = 0;
	e->ts = bpf_ktime_get_boot_ns() + boot_time_ns;
	e->tid = (__u32)pid_tgid;
	e->len = sizeof(*e) - sizeof(e->prefix);
	e->type = PPME_GENERIC_X;
	e->nparams = 1;
	e->lens[0] = sizeof(e->id);
	e->id = ppm_sc_of(id);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
