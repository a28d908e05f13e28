//! Live capture as an event source: the kernel probe, the machine's header
//! read once it is attached, drops marked in the stream; and where a live
//! capture's events are kept (`Store`): capture files (rotated), or the
//! flight recorder, which a [`Trigger`] turns into a file.
//!
//! `sonde dig` drives these; so can any part of sonde that watches the live
//! stream (a rule that records, a runbook that wants the last minutes).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sonde_kernel::{Probe, ProbeError, ProbeOptions};

use crate::recorder::{FlightRecorder, Trigger};
use crate::write::{CaptureWriter, Header, Rotation, WriteError, Written, strftime_now};

/// The `drop` events (PPME_DROP_E/X) that mark lost events in the stream.
pub const DROP_E: u16 = 148;
pub const DROP_X: u16 = 149;

/// The live kernel as a source of scap events.
pub struct LiveSource {
    probe: Probe,
    header: Header,
    /// The drop counters last read, per CPU.
    drops: Vec<u64>,
    drained: u64,
}

impl LiveSource {
    /// Loads and attaches the capture program, then reads the machine's
    /// header (after attaching, so that nothing started in between is
    /// missed).
    pub fn open(opts: &ProbeOptions) -> Result<LiveSource, ProbeError> {
        let probe = Probe::open(opts)?;
        Ok(LiveSource {
            probe,
            header: Header::of_this_machine(),
            drops: Vec::new(),
            drained: 0,
        })
    }

    /// The machine as it was when the capture started.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Hands every event drained within `timeout` to `f` as `(cpu, bytes)`,
    /// then, for each CPU whose drop counter rose, a `drop` pair whose ratio
    /// says how many events were lost there. Returns how many events.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(u16, &[u8]),
    ) -> Result<usize, ProbeError> {
        let n = self.probe.poll(timeout, &mut f)?;
        self.drained += n as u64;
        self.mark_drops(&mut f);
        Ok(n)
    }

    /// Events drained from the kernel so far (drop markers not counted).
    pub fn drained(&self) -> u64 {
        self.drained
    }

    /// Events the kernel had no room for, so far.
    pub fn dropped(&self) -> u64 {
        self.probe.drops().unwrap_or(0)
    }

    /// Marks the drops since the last look (the capture is ending: the
    /// stream then accounts for every lost event), and detaches.
    pub fn close(mut self, f: impl FnMut(u16, &[u8])) -> u64 {
        let mut f = f;
        self.mark_drops(&mut f);
        self.dropped()
    }

    fn mark_drops(&mut self, f: &mut impl FnMut(u16, &[u8])) {
        let Ok(now) = self.probe.drops_per_cpu() else {
            return;
        };
        if self.drops.len() < now.len() {
            self.drops.resize(now.len(), 0);
        }
        for (cpu, &n) in now.iter().enumerate() {
            let last = self.drops[cpu];
            if n > last {
                self.drops[cpu] = n;
                let lost = u32::try_from(n - last).unwrap_or(u32::MAX);
                let ts = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64);
                for ty in [DROP_E, DROP_X] {
                    let ev = sonde_scap::encode_event_v2(ts, 0, ty, &[&lost.to_le_bytes()]);
                    f(cpu as u16, &ev);
                }
            }
        }
    }
}

/// Where a live capture's events go once the caller has decided to keep
/// them.
pub enum Store {
    /// Nowhere (printed by the caller, or only counted).
    Discard,
    /// Capture files (`-w`, rotated by `-C/-W/-G`).
    Files(Box<CaptureWriter>),
    /// The flight recorder (`--ring`).
    Ring(Box<RingStore>),
}

/// What happened to the flight recorder's file, for the caller to report.
#[derive(Debug)]
pub enum RingNews {
    /// A trigger started a file: the recorder's events are in it, and the
    /// events of the next `after` go in too.
    Started {
        path: PathBuf,
        bytes: usize,
        after: Duration,
    },
    /// The file is complete.
    Wrote(PathBuf),
    Failed(String),
}

/// The flight recorder and the file a trigger started, if any.
pub struct RingStore {
    recorder: FlightRecorder,
    /// The file being written and when it ends.
    dump: Option<(CaptureWriter, Instant)>,
    dumps: u32,
    /// Where dumps go: this name (then NAME.1, NAME.2, ...), or
    /// sonde-ring-TIME.scap in the working directory.
    path: Option<PathBuf>,
    gzip: bool,
    after: Duration,
    /// The machine when the capture started: its processes that have ended
    /// since may have events in the recorder.
    first: Header,
}

impl RingStore {
    pub fn new(
        bytes: usize,
        after: Duration,
        path: Option<PathBuf>,
        gzip: bool,
        first: Header,
    ) -> RingStore {
        RingStore {
            recorder: FlightRecorder::new(bytes),
            dump: None,
            dumps: 0,
            path,
            gzip,
            after,
            first,
        }
    }

    /// Starts a file if the trigger fired (and none is being written);
    /// closes the file whose time is up.
    pub fn tick(&mut self, trigger: &Trigger) -> Option<RingNews> {
        if trigger.take() && self.dump.is_none() {
            return Some(match self.start_dump() {
                Ok((path, bytes)) => RingNews::Started {
                    path,
                    bytes,
                    after: self.after,
                },
                Err(e) => RingNews::Failed(e.to_string()),
            });
        }
        if self
            .dump
            .as_ref()
            .is_some_and(|(_, end)| Instant::now() >= *end)
        {
            return self.finish_dump();
        }
        None
    }

    /// Ends the file being written, if any.
    pub fn finish_dump(&mut self) -> Option<RingNews> {
        let (w, _) = self.dump.take()?;
        Some(match w.finish() {
            Ok(paths) => RingNews::Wrote(paths.into_iter().next().unwrap_or_default()),
            Err(e) => RingNews::Failed(e.to_string()),
        })
    }

    /// The file: the machine now (plus the processes known at the start
    /// that have ended since), then every kept event.
    fn start_dump(&mut self) -> Result<(PathBuf, usize), WriteError> {
        let path = match &self.path {
            Some(p) if self.dumps == 0 => p.clone(),
            Some(p) => PathBuf::from(format!("{}.{}", p.display(), self.dumps)),
            None => PathBuf::from(strftime_now("sonde-ring-%Y%m%d-%H%M%S.scap")),
        };
        let mut header = Header::of_this_machine();
        let now: std::collections::HashSet<u64> =
            header.procs.threads.iter().map(|t| t.tid).collect();
        for t in &self.first.procs.threads {
            if !now.contains(&t.tid) {
                header.procs.threads.push(t.clone());
            }
        }
        for (tid, fds) in &self.first.procs.fds {
            if !now.contains(tid) {
                header.procs.fds.push((*tid, fds.clone()));
            }
        }
        let mut w = CaptureWriter::create(&path, self.gzip, Rotation::default(), &header)?;
        for (cpu, ev) in self.recorder.events() {
            w.event(cpu, 0, ev, Header::default)?;
        }
        let bytes = self.recorder.bytes();
        self.recorder.clear();
        self.dump = Some((w, Instant::now() + self.after));
        self.dumps += 1;
        Ok((path, bytes))
    }
}

impl Store {
    /// Keeps one event. `dump_flags` 0 is an event the caller's filter let
    /// through; anything else (`SCAP_DF_STATE_ONLY`) is written to files but
    /// not kept by the flight recorder.
    pub fn keep(&mut self, cpu: u16, dump_flags: u32, bytes: &[u8]) -> Result<Written, WriteError> {
        match self {
            Store::Discard => Ok(Written::Event),
            Store::Files(w) => w.event(cpu, dump_flags, bytes, Header::of_this_machine),
            Store::Ring(r) => match &mut r.dump {
                Some((w, _)) => {
                    let res = w.event(cpu, dump_flags, bytes, Header::of_this_machine);
                    if res.is_err() {
                        r.dump = None;
                    }
                    res
                }
                None => {
                    if dump_flags == 0 {
                        r.recorder.push(cpu, bytes);
                    }
                    Ok(Written::Event)
                }
            },
        }
    }

    /// Closes what is being written; returns what the flight recorder has
    /// to say, if anything.
    pub fn finish(self) -> Result<Option<RingNews>, WriteError> {
        match self {
            Store::Discard => Ok(None),
            Store::Files(w) => w.finish().map(|_| None),
            Store::Ring(mut r) => Ok(r.finish_dump()),
        }
    }
}
