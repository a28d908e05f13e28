//! `sonde dig`: sysdig's command line over the event path — a capture file
//! source, the state engine, the filter and the printer.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use std::time::{Duration, Instant};

use sonde_capture::live::{LiveSource, RingNews, RingStore, Store};
use sonde_capture::recorder::Trigger;
use sonde_capture::write::{CaptureWriter, Rotation, Written};
use sonde_capture::{DecodeOn, FileSource};
use sonde_event::HeaderVersion;
use sonde_event::render::{BufFormat, RenderOptions};
use sonde_event::{LEGACY_EVENT_COUNT, RawEvent, category, event_info};
use sonde_filter::prefilter::Prefilter;
use sonde_filter::{Ctx, Filter, FilterError};
use sonde_kernel::ProbeOptions;
use sonde_output::format::unescape;
use sonde_output::{DEFAULT_FORMAT, Formatter};
use sonde_scap::Block;
use sonde_state::{Opening, State};

/// The arguments of `sonde dig`, named as sysdig's.
#[derive(Args, Debug)]
#[command(disable_help_flag = false)]
pub struct DigArgs {
    /// Read events from this capture file (plain or gzip).
    #[arg(short = 'r', long = "read", value_name = "FILE")]
    read: Vec<PathBuf>,
    /// Output format, e.g. "%evt.num %proc.name %fd.name"; a leading `*`
    /// prints lines whose fields are missing as `<NA>`.
    #[arg(short = 'p', long = "print", value_name = "FORMAT")]
    print: Option<String>,
    /// Write the captured events to this capture file (which sysdig reads)
    /// instead of printing them.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    write: Option<PathBuf>,
    /// Compress the capture written with -w (gzip; sysdig reads it).
    #[arg(short = 'z', long = "compress")]
    compress: bool,
    /// Stop a live capture after this many seconds.
    #[arg(short = 'M', value_name = "SECONDS")]
    duration: Option<u64>,
    /// With -w: start a new file once one holds this many megabytes (the
    /// files are named FILE0, FILE1, ...).
    #[arg(short = 'C', long = "file-size", value_name = "MB")]
    file_size: Option<u64>,
    /// With -C: keep this many files, writing over the oldest; with -G: stop
    /// after this many files.
    #[arg(short = 'W', long = "limit", value_name = "N")]
    limit: Option<u32>,
    /// With -w: start a new file every this many seconds (a `%` in the name
    /// is expanded by strftime; otherwise the files are numbered).
    #[arg(short = 'G', long = "seconds", value_name = "SECONDS")]
    seconds: Option<u64>,
    /// The kernel's ring buffer, in MB (rounded up to a power of two): a
    /// larger one rides out longer bursts without dropping events.
    #[arg(long = "buffer-size", value_name = "MB", default_value_t = 8)]
    buffer_size: u32,
    /// With -w and a filter: also write the events the filter leaves out that
    /// change the state (processes, descriptors), marked state-only, so that
    /// the file's readers know every process and file (sysdig's fatfile).
    #[arg(short = 'F', long = "fatfile")]
    fatfile: bool,
    /// Leave out context switches (`switch` events), recorded by default.
    #[arg(long = "no-switch")]
    no_switch: bool,
    /// The flight recorder: keep the most recent MB of events in memory and
    /// write them (plus what follows, --ring-after) to a capture file on
    /// SIGUSR1; the file is the -w name, or sonde-ring-TIME.scap.
    #[arg(long = "ring", value_name = "MB")]
    ring: Option<u64>,
    /// With --ring: how many seconds of events after the trigger go into the
    /// file too.
    #[arg(long = "ring-after", value_name = "SECONDS", default_value_t = 5)]
    ring_after: u64,
    /// Print events as JSON lines.
    #[arg(short = 'j', long = "json")]
    json: bool,
    /// Stop after N events.
    #[arg(short = 'n', long = "numevents", value_name = "N")]
    numevents: Option<u64>,
    /// Print buffers as ASCII, keeping end-of-lines.
    #[arg(short = 'A', long = "print-ascii")]
    ascii: bool,
    /// Print buffers in hexadecimal.
    #[arg(short = 'x', long = "print-hex")]
    hex: bool,
    /// Print buffers in hexadecimal and ASCII.
    #[arg(short = 'X', long = "print-hex-ascii")]
    hex_ascii: bool,
    /// Print buffers in base64.
    #[arg(short = 'b', long = "print-base64")]
    base64: bool,
    /// Don't print events (useful with -S or to check a file).
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// Verbose: print buffers whole.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Print a summary of the events at the end.
    #[arg(short = 'S', long = "summary")]
    summary: bool,
    /// List the fields that filters and formats can use.
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// List the events.
    #[arg(short = 'L', long = "list-events")]
    list_events: bool,
    /// How many bytes of each buffer to print (sysdig's snaplen).
    #[arg(short = 's', long = "snaplen", value_name = "LEN")]
    snaplen: Option<usize>,
    /// Time format: h (human), a (absolute), r (relative), d (delta), D.
    #[arg(short = 't', long = "timetype", value_name = "h|a|r|d|D")]
    timetype: Option<String>,
    /// Flush every line.
    #[arg(long = "unbuffered")]
    unbuffered: bool,
    /// The filter, e.g. `proc.name=cat and evt.type=open`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    filter: Vec<String>,
}

const CONTAINER_E: u16 = 228;
/// An event kept in a capture for the state only (`SCAP_DF_STATE_ONLY`).
const SCAP_DF_STATE_ONLY: u32 = 1;
const CONTAINER_JSON_E: u16 = 272;
const CONTAINER_JSON_2_E: u16 = 324;

/// How much output is gathered before it is written.
const OUT_BUF: usize = 256 * 1024;

/// Counts the run reports at the end (`-v`).
#[derive(Default)]
struct Counts {
    /// Events delivered (printed, or counted with -q), over all files: what
    /// `-n` counts.
    events: u64,
    unknown_types: u64,
}

pub fn run(args: DigArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sonde dig: {e}");
            ExitCode::FAILURE
        }
    }
}

fn buf_format(a: &DigArgs) -> Result<BufFormat, String> {
    let n = [a.ascii, a.hex, a.hex_ascii, a.base64]
        .iter()
        .filter(|&&x| x)
        .count();
    if n > 1 {
        return Err("you cannot specify more than one output format".into());
    }
    Ok(match (a.json, a.ascii, a.hex, a.hex_ascii, a.base64) {
        (false, true, ..) => BufFormat::Ascii,
        (false, _, true, ..) => BufFormat::Hex,
        (false, _, _, true, _) => BufFormat::HexAscii,
        (false, _, _, _, true) => BufFormat::Base64,
        (false, ..) => BufFormat::Normal,
        (true, true, ..) => BufFormat::JsonAscii,
        (true, _, true, ..) => BufFormat::JsonHex,
        (true, _, _, true, _) => BufFormat::JsonHexAscii,
        (true, _, _, _, true) => BufFormat::JsonBase64,
        (true, ..) => BufFormat::Json,
    })
}

fn run_inner(args: DigArgs) -> Result<ExitCode, String> {
    if args.list || args.list_events {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let res = if args.list_events {
            sonde_output::list::write_events_list(&mut out, args.verbose)
        } else {
            sonde_output::list::write_fields_list(&mut out, args.verbose)
        };
        return match res {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
            Err(e) => Err(format!("writing output: {e}")),
        };
    }
    let fmt = match args.print.as_deref() {
        None => DEFAULT_FORMAT.to_string(),
        Some("c") | Some("container") => "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info".to_string(),
        Some(p) => unescape(p),
    };
    let formatter = Formatter::new(&fmt, args.json).map_err(|e| e.to_string())?;
    let filter_text = args.filter.join(" ");
    let filter = if filter_text.trim().is_empty() {
        None
    } else {
        Some(Filter::compile(&filter_text).map_err(|e| match e {
            FilterError::Parse { msg, pointer, .. } => format!("{msg}\n{pointer}"),
            other => other.to_string(),
        })?)
    };
    let render = RenderOptions {
        buf_format: buf_format(&args)?,
        max_buf_len: if args.verbose {
            None
        } else {
            Some(args.snaplen.unwrap_or(80))
        },
    };
    if let Some(t) = &args.timetype
        && t != "h"
    {
        return Err(format!("-t {t} is not available yet (only h)"));
    }
    let mut run = Run {
        quiet: args.quiet,
        unbuffered: args.unbuffered,
        filter,
        formatter,
        render,
        tz_offset: sonde_filter::time::local_offset_secs(),
        line: Vec::with_capacity(OUT_BUF + 64 * 1024),
        counts: Counts::default(),
        summary: args.summary.then(sonde_output::summary::Summary::new),
    };
    if args.read.is_empty() {
        return live(&args, run);
    }
    if args.write.is_some() {
        return Err(
            "-w writes live captures; with -r, copying a capture is not available yet".into(),
        );
    }
    let started = std::time::Instant::now();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;

    'files: for path in &args.read {
        // Counting alone (-q, no filter) leaves this thread idle enough to
        // decode the events itself, which halves the reader thread's work.
        let decode_on = if run.quiet && run.filter.is_none() {
            DecodeOn::Consumer
        } else {
            DecodeOn::Reader
        };
        let mut src = FileSource::open_with(path, decode_on).map_err(|e| e.to_string())?;
        let mut state = State::new();
        let mut opening = Opening::default();
        loop {
            if args.numevents.is_some_and(|n| run.counts.events >= n) {
                break 'files;
            }
            // Nearly every block is an event built in place by `next_event`
            // and used where it lies; anything else comes through
            // `next_block`.
            let flow = if let Some(ev) = src.next_event() {
                run.event(&mut state, &mut opening, &ev, &mut out)
            } else {
                match src.next_block() {
                    Ok(Some(Block::Event(ev))) => {
                        run.event(&mut state, &mut opening, &ev, &mut out)
                    }
                    Ok(Some(other)) => {
                        match opening.stage(other) {
                            Some(Block::UnknownEvent { .. }) => run.counts.unknown_types += 1,
                            Some(b) => drop(b),
                            None => {}
                        }
                        Ok(Flow::Go)
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = out.write_all(&run.line);
                        run.line.clear();
                        let _ = out.flush();
                        eprintln!("sonde dig: {e}");
                        failed = true;
                        break 'files;
                    }
                }
            };
            match flow {
                Ok(Flow::Go) => {}
                // The reader of the output went away: sysdig stops quietly.
                Ok(Flow::Closed) => return Ok(ExitCode::SUCCESS),
                Err(e) => return Err(e),
            }
        }
    }
    let res = out.write_all(&run.line);
    run.line.clear();
    if let Err(e) = res
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(format!("writing output: {e}"));
    }
    if let Some(sum) = &run.summary {
        let _ = sum.write(&mut out);
    }
    if let Err(e) = out.flush()
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(format!("writing output: {e}"));
    }
    let counts = &run.counts;
    if args.verbose {
        // What sysdig prints after a capture with -v (a file has no driver
        // counters), then what only sonde counts.
        let secs = started.elapsed().as_secs_f64();
        eprintln!("Driver Events:0\nDriver Drops:0\nSuppressed by Comm:0");
        eprintln!(
            "Elapsed time: {secs:.3}, Captured Events: {}, {:.2} eps",
            counts.events,
            counts.events as f64 / secs.max(1e-9)
        );
        if counts.unknown_types > 0 {
            eprintln!(
                "Events of types sysdig 0.29.3 does not know, skipped: {}",
                counts.unknown_types
            );
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What a run keeps from event to event.
struct Run {
    quiet: bool,
    unbuffered: bool,
    filter: Option<Filter>,
    formatter: Formatter,
    render: RenderOptions,
    tz_offset: i64,
    /// Lines are formatted straight into one large buffer, written out when
    /// it fills (or after every line with --unbuffered).
    line: Vec<u8>,
    counts: Counts,
    summary: Option<sonde_output::summary::Summary>,
}

/// Whether to go on after an event.
enum Flow {
    Go,
    /// The output was closed (a broken pipe).
    Closed,
}

impl Run {
    /// One event through the state engine, the filter and the printer.
    #[inline(always)]
    fn event(
        &mut self,
        state: &mut State,
        opening: &mut Opening,
        ev: &RawEvent<'_>,
        out: &mut impl Write,
    ) -> Result<Flow, String> {
        if !opening.before_event(state, ev) {
            return Ok(Flow::Go);
        }
        // Debian's sysdig 0.29.3 knows the first 336 event types and
        // skips newer ones before its state engine sees them.
        if usize::from(ev.ty) >= LEGACY_EVENT_COUNT {
            self.counts.unknown_types += 1;
            return Ok(Flow::Go);
        }
        // With -q and no filter nothing the state engine decides can be
        // seen, except which events count as delivered: those a capture
        // marks state-only, and container events whose lookup failed.
        // (sysdig means -q to do no processing either, but its library
        // parses every event regardless.)
        if self.quiet && self.filter.is_none() {
            let delivered = if matches!(ev.ty, CONTAINER_E | CONTAINER_JSON_E | CONTAINER_JSON_2_E)
            {
                !state.process(ev).filtered_out
            } else {
                ev.dump_flags & SCAP_DF_STATE_ONLY == 0
            };
            if delivered {
                self.count(ev);
            }
            return Ok(Flow::Go);
        }
        let meta = {
            let (filter, render, tz_offset) = (&self.filter, &self.render, self.tz_offset);
            let mut f = |st: &State, e: &RawEvent<'_>, m: &sonde_state::EventMeta| {
                filter.as_ref().is_none_or(|flt| {
                    flt.matches(&Ctx {
                        state: st,
                        ev: e,
                        meta: m,
                        render,
                        tz_offset,
                    })
                })
            };
            state.process_with(ev, if filter.is_some() { Some(&mut f) } else { None })
        };
        if meta.filtered_out {
            return Ok(Flow::Go);
        }
        self.count(ev);
        if self.quiet || event_info(ev.ty).is_some_and(|i| i.category & category::INTERNAL != 0) {
            return Ok(Flow::Go);
        }
        let ctx = Ctx {
            state,
            ev,
            meta: &meta,
            render: &self.render,
            tz_offset: self.tz_offset,
        };
        if self.formatter.write(&ctx, &mut self.line) {
            self.line.push(b'\n');
            if self.line.len() >= OUT_BUF || self.unbuffered {
                let res = out.write_all(&self.line).and_then(|_| out.flush());
                self.line.clear();
                if let Err(e) = res {
                    if e.kind() == io::ErrorKind::BrokenPipe {
                        return Ok(Flow::Closed);
                    }
                    return Err(format!("writing output: {e}"));
                }
            }
        }
        Ok(Flow::Go)
    }

    /// Counts a delivered event (and adds it to the summary).
    #[inline]
    fn count(&mut self, ev: &RawEvent<'_>) {
        self.counts.events += 1;
        if let Some(sum) = self.summary.as_mut() {
            let id = if ev.ty <= 1 {
                ev.param_u64(0).map(|v| v as u16)
            } else {
                None
            };
            sum.add(ev.ty, id);
        }
    }
}

/// `sonde dig` without `-r`: live capture of the machine's system calls,
/// printed (or, with `-w`, written; with `--ring`, kept in memory) through
/// the same state engine and filter as a capture file, until Ctrl-C,
/// SIGTERM, `-n` or `-M`.
fn live(args: &DigArgs, mut run: Run) -> Result<ExitCode, String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| format!("installing the signal handlers: {e}"))?;
    }
    let trigger = Trigger::new();
    if args.ring.is_some() {
        signal_hook::flag::register(signal_hook::consts::SIGUSR1, trigger.flag())
            .map_err(|e| format!("installing the signal handlers: {e}"))?;
    }
    let rotation = Rotation {
        size_bytes: args.file_size.map(|mb| mb * 1_000_000),
        files: args.limit,
        every: args.seconds.map(Duration::from_secs),
    };
    if (rotation.size_bytes.is_some() || rotation.every.is_some()) && args.write.is_none() {
        return Err("-C and -G rotate the files written with -w: give -w FILE".into());
    }
    // What the kernel can leave out already: the filter's pid or command.
    let pre = sonde_filter::parser::parse(&args.filter.join(" "))
        .map(|e| Prefilter::of(&e))
        .unwrap_or_default();
    let snaplen = args.snaplen.unwrap_or(80).min(u16::MAX as usize) as u32;
    let mut source = LiveSource::open(&ProbeOptions {
        snaplen,
        switches: !args.no_switch,
        ring_bytes: (args.buffer_size.clamp(1, 1024) << 20).next_power_of_two(),
        only_tgid: pre.pid,
        only_comm: pre.comm,
        ..ProbeOptions::default()
    })
    .map_err(|e| format!("live capture: {e}"))?;
    let header = source.header().clone();
    let store = if let Some(mb) = args.ring {
        run.quiet = true;
        Store::Ring(Box::new(RingStore::new(
            (mb as usize).saturating_mul(1 << 20),
            Duration::from_secs(args.ring_after),
            args.write.clone(),
            args.compress,
            header.clone(),
        )))
    } else if let Some(path) = &args.write {
        // sysdig prints nothing while it writes a capture.
        run.quiet = true;
        Store::Files(Box::new(
            CaptureWriter::create(path, args.compress, rotation, &header)
                .map_err(|e| e.to_string())?,
        ))
    } else {
        Store::Discard
    };
    let mut state = State::new();
    let mut opening = Opening::default();
    opening.stage(Block::MachineInfo(header.machine));
    opening.stage(Block::Interfaces(header.interfaces));
    opening.stage(Block::Users(header.users));
    opening.stage(Block::Threads(header.procs.threads));
    for (tid, fds) in header.procs.fds {
        opening.stage(Block::Fds { tid, fds });
    }
    opening.import_into(&mut state);
    let stdout = io::stdout();
    let mut live = Live {
        run,
        state,
        opening,
        out: stdout.lock(),
        store,
        numevents: args.numevents,
        fatfile: args.fatfile,
        failure: None,
        closed: false,
        done: false,
    };
    let started = Instant::now();
    let until = args
        .duration
        .map(|secs| started + Duration::from_secs(secs));
    while !stop.load(Ordering::Relaxed) && !live.closed && live.failure.is_none() && !live.done {
        if live.full() || until.is_some_and(|t| Instant::now() >= t) {
            break;
        }
        if let Store::Ring(ring) = &mut live.store
            && let Some(news) = ring.tick(&trigger)
        {
            report(&news);
        }
        source
            .poll(Duration::from_millis(50), |cpu, bytes| {
                live.deliver(cpu, bytes)
            })
            .map_err(|e| format!("live capture: {e}"))?;
        // Live lines go out after each drain (at most every 50 ms), not
        // once the buffer fills, which could take minutes on a quiet host.
        live.flush_lines();
    }
    let drained = source.drained();
    // Drops since the last drain are marked too, so that the stream
    // accounts for every lost event; then the probe is detached.
    let dropped = source.close(|cpu, bytes| live.deliver(cpu, bytes));
    live.flush_lines();
    let closed = live.store.finish().map_err(|e| e.to_string());
    if let Ok(Some(news)) = &closed {
        report(news);
    }
    if args.verbose {
        // sysdig's end-of-capture lines.
        let secs = started.elapsed().as_secs_f64();
        eprintln!("Driver Events:{drained}\nDriver Drops:{dropped}\nSuppressed by Comm:0");
        eprintln!(
            "Elapsed time: {secs:.3}, Captured Events: {}, {:.2} eps",
            live.run.counts.events,
            live.run.counts.events as f64 / secs.max(1e-9)
        );
    }
    closed?;
    match live.failure {
        Some(e) => Err(e),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What the flight recorder did, on stderr.
fn report(news: &RingNews) {
    match news {
        RingNews::Started { path, bytes, after } => eprintln!(
            "sonde dig: flight recorder: writing {} (the last {:.1} MB, then {} s)",
            path.display(),
            *bytes as f64 / 1e6,
            after.as_secs()
        ),
        RingNews::Wrote(path) => {
            eprintln!("sonde dig: flight recorder: wrote {}", path.display());
        }
        RingNews::Failed(e) => eprintln!("sonde dig: flight recorder: {e}"),
    }
}

/// A live capture under way: the state engine and filter, and where what
/// they keep goes.
struct Live<'a> {
    run: Run,
    state: State,
    opening: Opening,
    out: io::StdoutLock<'a>,
    store: Store,
    numevents: Option<u64>,
    /// -F: filtered-out events that change the state are written too.
    fatfile: bool,
    failure: Option<String>,
    /// The reader of the output went away.
    closed: bool,
    /// -G with -W wrote its last file.
    done: bool,
}

impl Live<'_> {
    fn full(&self) -> bool {
        self.numevents.is_some_and(|n| self.run.counts.events >= n)
    }

    /// One event from the kernel: through the state engine and the filter,
    /// then printed, written or kept.
    fn deliver(&mut self, cpu: u16, bytes: &[u8]) {
        if self.failure.is_some() || self.done || self.closed || self.full() {
            return;
        }
        let Ok(ev) = RawEvent::decode(bytes, HeaderVersion::V2, cpu, 0) else {
            self.failure = Some("the capture program wrote an event that does not decode".into());
            return;
        };
        let before = self.run.counts.events;
        match self
            .run
            .event(&mut self.state, &mut self.opening, &ev, &mut self.out)
        {
            Ok(Flow::Go) => {}
            Ok(Flow::Closed) => self.closed = true,
            Err(e) => self.failure = Some(e),
        }
        // What the filter lets through is written (or kept); of what it
        // does not, internal events (drops) are written anyway and, with
        // -F, events that change the state are written marked state-only,
        // as sysdig writes them.
        let dump_flags = if self.run.counts.events > before {
            0
        } else {
            let info = event_info(ev.ty);
            if info.is_some_and(|i| i.category & category::INTERNAL != 0) {
                0
            } else if self.fatfile
                && info.is_some_and(|i| i.flags & sonde_event::flags::MODIFIES_STATE != 0)
            {
                SCAP_DF_STATE_ONLY
            } else {
                return;
            }
        };
        match self.store.keep(cpu, dump_flags, bytes) {
            Ok(Written::Event) => {}
            Ok(Written::Done) => self.done = true,
            // A flight recorder's file that fails is reported; the
            // recorder goes on.
            Err(e) if matches!(self.store, Store::Ring(_)) => {
                report(&RingNews::Failed(e.to_string()));
            }
            Err(e) => self.failure = Some(e.to_string()),
        }
    }

    fn flush_lines(&mut self) {
        if !self.run.line.is_empty() {
            let _ = self
                .out
                .write_all(&self.run.line)
                .and_then(|()| self.out.flush());
            self.run.line.clear();
        }
    }
}
