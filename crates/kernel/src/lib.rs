//! The kernel side of live capture: sonde's BPF programs (C, CO-RE, compiled
//! by `build.rs`) and their loader.
//!
//! [`Probe`] loads the capture program, attaches it (`tp_btf`, or `raw_tp`
//! where the kernel refuses those: [`Attach`]) to the
//! `raw_syscalls` tracepoints and to `sched_switch`, `sched_process_fork`,
//! `sched_process_exec` and `sched_process_exit`, and drains its ring buffer by polling (events are
//! submitted in per-CPU batches without wake-ups: waking the reader per
//! event costs more than the event). Every event comes out as the bytes of a
//! scap event with the v2 header, ready for `sonde_event::RawEvent::decode`,
//! with the CPU it was recorded on, in timestamp order within a drain.
//!
//! The file, network and process calls the state engine uses are recorded
//! with their parameters (I/O buffers cut to the snaplen); every other
//! system call is the generic `syscall` pair (its `PPM_SC` code and native
//! number). [`Floor`] attaches programs that do nothing to the same hooks:
//! the overhead benchmark's floor.

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::rc::Rc;
use std::time::{Duration, Instant};

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::{MapCore, MapFlags, OpenObject, RingBuffer, RingBufferBuilder};
use sonde_event::X86_64_SYSCALLS;

/// The skeleton libbpf-cargo generates from `src/bpf/capture.bpf.c` (its
/// code, not ours: unsafe FFI and the generator's style).
#[allow(
    unsafe_code,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    missing_docs,
    unused
)]
mod skel {
    include!(concat!(env!("OUT_DIR"), "/capture.skel.rs"));
}

use skel::{CaptureSkel, CaptureSkelBuilder};

/// The floor program's skeleton (see [`Floor`]).
#[allow(
    unsafe_code,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    missing_docs,
    unused
)]
mod floor_skel {
    include!(concat!(env!("OUT_DIR"), "/floor.skel.rs"));
}

/// Programs that do nothing, attached to the capture program's hooks: the
/// overhead benchmark's floor (what the hooks alone cost). Detached when
/// dropped.
pub struct Floor {
    _skel: floor_skel::FloorSkel<'static>,
}

impl Floor {
    pub fn attach() -> Result<Floor, ProbeError> {
        use floor_skel::FloorSkelBuilder;
        if !std::path::Path::new(BTF_PATH).exists() {
            return Err(ProbeError::NoBtf);
        }
        let storage: &'static mut MaybeUninit<OpenObject> =
            Box::leak(Box::new(MaybeUninit::uninit()));
        let open = FloorSkelBuilder::default()
            .open(storage)
            .map_err(bpf("opening the floor program"))?;
        let mut skel = open.load().map_err(bpf("loading the floor program"))?;
        skel.attach().map_err(bpf("attaching the floor program"))?;
        Ok(Floor { _skel: skel })
    }
}

/// Whether this process runs as root (effective uid 0), which loading BPF
/// programs needs: what live capture and its tests check first.
pub fn running_as_root() -> bool {
    // /proc/self/status names the effective uid (second field of `Uid:`).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// Why the probe could not be loaded or read.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("loading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run sonde as root")]
    NotPermitted,
    #[error(
        "this kernel has no BTF ({BTF_PATH} is missing): sonde's CO-RE programs need a kernel \
         built with CONFIG_DEBUG_INFO_BTF=y (Debian's, Ubuntu's and Fedora's are)"
    )]
    NoBtf,
    #[error(
        "the kernel's verifier rejected sonde's capture program ({source}): this kernel differs \
         from the ones sonde was checked on; please report it with the verifier's last words:{log}"
    )]
    Rejected {
        source: libbpf_rs::Error,
        log: String,
    },
    #[error("{what}: {source}{log}")]
    Bpf {
        what: &'static str,
        source: libbpf_rs::Error,
        /// libbpf's last warnings, one per line.
        log: String,
    },
}

fn bpf(what: &'static str) -> impl FnOnce(libbpf_rs::Error) -> ProbeError {
    move |source| {
        // The kernel answers EACCES both to a user without the capability
        // and to a program its verifier rejects: only the first is a matter
        // of privilege.
        if source.kind() == libbpf_rs::ErrorKind::PermissionDenied && !running_as_root() {
            ProbeError::NotPermitted
        } else {
            ProbeError::Bpf {
                what,
                source,
                log: libbpf_log_tail(),
            }
        }
    }
}

/// What libbpf said lately (warnings: a verifier's rejection, a missing
/// kernel feature), kept for the error that follows rather than printed as
/// it comes.
static LIBBPF_LOG: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
const LIBBPF_LOG_LINES: usize = 40;

fn keep_libbpf_message(_level: libbpf_rs::PrintLevel, msg: String) {
    let mut log = LIBBPF_LOG
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    log.extend(msg.lines().map(str::to_owned));
    let excess = log.len().saturating_sub(LIBBPF_LOG_LINES);
    log.drain(..excess);
}

fn libbpf_log_tail() -> String {
    let log = LIBBPF_LOG
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    log.iter().map(|l| format!("\n  libbpf: {l}")).collect()
}

/// Where the kernel describes its own types (BTF), which CO-RE programs are
/// relocated against.
pub const BTF_PATH: &str = "/sys/kernel/btf/vmlinux";

/// How to load the probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// The ring buffer's size in bytes (a power of two, at least a page).
    pub ring_bytes: u32,
    /// Record only the threads of this process.
    pub only_tgid: Option<u32>,
    /// How many bytes of each I/O buffer to keep (sysdig's `-s`, 80 by
    /// default).
    pub snaplen: u32,
    /// Leave out this process's own system calls (sonde's: what it does to
    /// write the capture is noise, and feeds itself).
    pub skip_tgid: Option<u32>,
    /// Record context switches (`switch` events), as sysdig does.
    pub switches: bool,
    /// Record only threads whose command (comm) is this (at most 15 bytes;
    /// longer names are no prefilter).
    pub only_comm: Option<String>,
    /// How to attach the programs.
    pub attach: Attach,
}

/// How the capture programs attach to their tracepoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    /// BTF-typed tracepoints (`tp_btf`), else raw tracepoints.
    Auto,
    /// `tp_btf` only.
    TpBtf,
    /// Raw tracepoints (`raw_tp`) only: the fallback, for kernels that
    /// refuse `tp_btf` programs.
    RawTp,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            ring_bytes: 8 << 20,
            only_tgid: None,
            snaplen: 80,
            skip_tgid: Some(std::process::id()),
            switches: true,
            only_comm: None,
            attach: Attach::Auto,
        }
    }
}

/// Bytes the program puts before each event (`struct record_prefix`).
const PREFIX: usize = 8;

/// Events drained from the ring buffer, waiting for the caller.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    /// `(start, len, cpu, timestamp)` of each event in `data`.
    events: Vec<(usize, usize, u16, u64)>,
}

/// The loaded, attached capture program.
pub struct Probe {
    skel: CaptureSkel<'static>,
    ring: RingBuffer<'static>,
    batch: Rc<RefCell<Batch>>,
    /// Attached as raw tracepoints (the fallback).
    raw: bool,
}

impl Probe {
    /// Loads the capture program and attaches it: from here on, every system
    /// call on the machine (or of `only_tgid`) is recorded.
    pub fn open(opts: &ProbeOptions) -> Result<Probe, ProbeError> {
        if !std::path::Path::new(BTF_PATH).exists() {
            return Err(ProbeError::NoBtf);
        }
        libbpf_rs::set_print(Some((libbpf_rs::PrintLevel::Warn, keep_libbpf_message)));
        match opts.attach {
            Attach::TpBtf => Probe::open_as(opts, false),
            Attach::RawTp => Probe::open_as(opts, true),
            // BTF-typed tracepoints where they attach; raw ones where a
            // kernel refuses them (a verifier that will not take them is
            // a rejection either way).
            Attach::Auto => match Probe::open_as(opts, false) {
                Err(ProbeError::Bpf { .. }) => Probe::open_as(opts, true),
                other => other,
            },
        }
    }

    /// How the probe's programs were attached.
    pub fn attached_as(&self) -> Attach {
        if self.raw {
            Attach::RawTp
        } else {
            Attach::TpBtf
        }
    }

    fn open_as(opts: &ProbeOptions, raw: bool) -> Result<Probe, ProbeError> {
        // The skeleton borrows its object storage for as long as it lives;
        // a probe lives about as long as the process, so the few bytes of
        // storage are leaked rather than tied to a lifetime.
        let storage: &'static mut MaybeUninit<OpenObject> =
            Box::leak(Box::new(MaybeUninit::uninit()));
        let mut open = CaptureSkelBuilder::default()
            .open(storage)
            .map_err(bpf("opening the capture program"))?;
        if let Some(rodata) = open.maps.rodata_data.as_deref_mut() {
            rodata.boot_time_ns = boot_time_ns();
            rodata.only_tgid = opts.only_tgid.unwrap_or(0);
            rodata.snaplen = opts.snaplen;
            rodata.skip_tgid = opts.skip_tgid.unwrap_or(0);
            rodata.capture_switches = u32::from(opts.switches);
            if let Some(comm) = opts.only_comm.as_deref().filter(|c| c.len() < 16) {
                for (dst, &src) in rodata.only_comm.iter_mut().zip(comm.as_bytes()) {
                    *dst = src as _;
                }
            }
        }

        // One set of programs: the tp_btf ones, or their raw_tp twins.
        let progs = &mut open.progs;
        for (btf, raw_tp) in [
            (&mut progs.sys_enter, &mut progs.sys_enter_raw),
            (&mut progs.sys_exit, &mut progs.sys_exit_raw),
            (&mut progs.sched_switch, &mut progs.sched_switch_raw),
            (
                &mut progs.sched_process_fork,
                &mut progs.sched_process_fork_raw,
            ),
            (
                &mut progs.sched_process_exec,
                &mut progs.sched_process_exec_raw,
            ),
            (
                &mut progs.sched_process_exit,
                &mut progs.sched_process_exit_raw,
            ),
        ] {
            btf.set_autoload(!raw);
            raw_tp.set_autoload(raw);
        }
        open.maps
            .events
            .set_max_entries(opts.ring_bytes)
            .map_err(bpf("sizing the ring buffer"))?;
        let mut skel = open.load().map_err(|source| {
            // As root, a load the kernel refuses is the verifier's doing
            // (EACCES, EINVAL or E2BIG, with its log).
            if running_as_root()
                && matches!(
                    source.kind(),
                    libbpf_rs::ErrorKind::PermissionDenied | libbpf_rs::ErrorKind::InvalidInput
                )
                || source.to_string().contains("E2BIG")
            {
                ProbeError::Rejected {
                    source,
                    log: libbpf_log_tail(),
                }
            } else {
                bpf("loading the capture program")(source)
            }
        })?;
        fill_routing(&skel)?;
        skel.attach().map_err(bpf("attaching to raw_syscalls"))?;

        let batch = Rc::new(RefCell::new(Batch::default()));
        let sink = Rc::clone(&batch);
        let mut rb = RingBufferBuilder::new();
        rb.add(&skel.maps.events, move |record: &[u8]| {
            // A record is a CPU's batch: the prefix, then events back to
            // back, each as long as its header says.
            let Some(cpu) = record.get(..2).map(|c| u16::from_le_bytes([c[0], c[1]])) else {
                return 0;
            };
            let mut b = sink.borrow_mut();
            let mut rest = record.get(PREFIX..).unwrap_or_default();
            while let Some(len) = rest.get(16..20) {
                let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
                let Some(ev) = rest.get(..len).filter(|_| len >= 26) else {
                    break;
                };
                let ts = u64::from_le_bytes(ev[..8].try_into().unwrap_or([0; 8]));
                let start = b.data.len();
                b.data.extend_from_slice(ev);
                b.events.push((start, len, cpu, ts));
                rest = &rest[len..];
            }
            0
        })
        .map_err(bpf("reading the ring buffer"))?;
        let ring = rb.build().map_err(bpf("reading the ring buffer"))?;
        Ok(Probe {
            skel,
            ring,
            batch,
            raw,
        })
    }

    /// Drains the ring buffer, waiting up to `timeout` for the first event,
    /// and hands each event to `f` as `(cpu, bytes)`. Returns how many.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(u16, &[u8]),
    ) -> Result<usize, ProbeError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.ring
                .consume()
                .map_err(bpf("reading the ring buffer"))?;
            let mut b = self.batch.borrow_mut();
            if !b.events.is_empty() || Instant::now() >= deadline {
                let n = b.events.len();
                // Each CPU's events are in order; the CPUs' batches
                // interleave, so the drain is put in timestamp order (a
                // stable sort: nearly sorted runs cost little).
                b.events.sort_by_key(|e| e.3);
                for &(start, len, cpu, _) in &b.events {
                    if let Some(ev) = b.data.get(start..start + len) {
                        f(cpu, ev);
                    }
                }
                b.events.clear();
                b.data.clear();
                return Ok(n);
            }
            drop(b);
            // No wake-ups: the ring is polled. A millisecond keeps latency
            // low and the idle cost negligible.
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Events lost because the ring buffer was full, over all CPUs.
    pub fn drops(&self) -> Result<u64, ProbeError> {
        Ok(self.drops_per_cpu()?.iter().sum())
    }

    /// Events lost because the ring buffer was full, per CPU (indexed by
    /// CPU number).
    pub fn drops_per_cpu(&self) -> Result<Vec<u64>, ProbeError> {
        let per_cpu = self
            .skel
            .maps
            .drops
            .lookup_percpu(&0u32.to_ne_bytes(), MapFlags::ANY)
            .map_err(bpf("reading the drop counters"))?;
        Ok(per_cpu
            .into_iter()
            .flatten()
            .map(|v| {
                v.get(..8)
                    .map_or(0, |b| u64::from_ne_bytes(b.try_into().unwrap_or([0; 8])))
            })
            .collect())
    }
}

/// Tells the program how each native system call is routed.
fn fill_routing(skel: &CaptureSkel<'_>) -> Result<(), ProbeError> {
    for (nr, s) in X86_64_SYSCALLS.iter().enumerate() {
        let mut value = [0u8; 8];
        value[0..2].copy_from_slice(&s.enter.to_ne_bytes());
        value[2..4].copy_from_slice(&s.exit.to_ne_bytes());
        value[4..6].copy_from_slice(&s.ppm_sc.to_ne_bytes());
        value[6..8].copy_from_slice(&u16::from(s.flags).to_ne_bytes());
        skel.maps
            .routing
            .update(&(nr as u32).to_ne_bytes(), &value, MapFlags::ANY)
            .map_err(bpf("filling the system-call routing"))?;
    }
    Ok(())
}

/// The boot time in ns since the epoch: what turns the boot clock's
/// readings into wall-clock timestamps.
#[allow(unsafe_code)]
fn boot_time_ns() -> u64 {
    let read = |clock| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only into the timespec it is given.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    };
    read(libc::CLOCK_REALTIME).saturating_sub(read(libc::CLOCK_BOOTTIME))
}
