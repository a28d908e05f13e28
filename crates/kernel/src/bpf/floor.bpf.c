// SPDX-License-Identifier: GPL-2.0
//
// The overhead benchmark's floor: programs that do nothing, on the hooks
// the capture program uses. What a system call costs with these attached is
// the cost of the hooks themselves, which no capture can go below.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_sched_process_exec, struct task_struct *p)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_sched_process_exit, struct task_struct *p)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return 0;
}
