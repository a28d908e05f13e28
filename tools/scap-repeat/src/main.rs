//! `scap-repeat INPUT OUTPUT --min-events N`: builds a large capture for
//! benchmarks out of a small one.
//!
//! The output starts with the whole input, verbatim (section header, metadata
//! blocks, events), then repeats the input's event blocks, each repetition
//! `k` shifting every event's timestamp by `(max_ts - min_ts + 1 µs) × k` so
//! that time keeps increasing, until at least `N` event blocks are written
//! (whole repetitions only). The container events that open the capture are
//! left out of the repetitions: libsinsp consumes them at open and prints
//! none, but would print them anywhere else. Metadata blocks that come after
//! the first event are not repeated either.
//!
//! The input may be gzip-compressed; the output is not. Timestamps are
//! patched in place in the raw block bytes: block type u32, total length u32,
//! cpu id u16, dump flags u32 (EVF blocks only), then the event header, which
//! starts with the timestamp (u64) and has the event type (u16) at offset 20.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use sonde_scap::BlockType;

/// Container events libsinsp consumes when they open a capture
/// (PPME_CONTAINER_E, PPME_CONTAINER_JSON_E, PPME_CONTAINER_JSON_2_E).
const CONTAINER_EVENTS: [u16; 3] = [228, 272, 324];

const USAGE: &str = "usage: scap-repeat INPUT OUTPUT --min-events N";

struct Args {
    input: PathBuf,
    output: PathBuf,
    min_events: u64,
}

fn parse_args() -> Result<Args> {
    let mut paths = Vec::new();
    let mut min_events = None;
    let mut it = std::env::args_os().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        let value = if s == "--min-events" {
            Some(
                it.next()
                    .context("--min-events needs a value")?
                    .to_string_lossy()
                    .into_owned(),
            )
        } else {
            s.strip_prefix("--min-events=").map(str::to_owned)
        };
        if let Some(v) = value {
            let n: u64 = v
                .replace('_', "")
                .parse()
                .with_context(|| format!("--min-events: not a number: {v}"))?;
            min_events = Some(n);
        } else if s == "-h" || s == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        } else if s.starts_with("--") {
            bail!("unknown option {s}\n{USAGE}");
        } else {
            paths.push(PathBuf::from(a));
        }
    }
    let [input, output]: [PathBuf; 2] = paths
        .try_into()
        .map_err(|_| anyhow::anyhow!("expected INPUT and OUTPUT\n{USAGE}"))?;
    let min_events = min_events.context(USAGE)?;
    Ok(Args {
        input,
        output,
        min_events,
    })
}

/// The whole input, decompressed if it is gzip.
fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    let mut raw = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .with_context(|| format!("reading {}", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// One event block of the input.
struct EventBlock {
    start: usize,
    end: usize,
    /// Offset of the timestamp within the block.
    ts_off: usize,
    ts: u64,
    ty: u16,
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// Splits the input into blocks by their lengths and returns its event blocks.
fn event_blocks(data: &[u8]) -> Result<Vec<EventBlock>> {
    let mut events = Vec::new();
    let mut off = 0usize;
    let mut first = true;
    while off < data.len() {
        if data.len() - off < 12 {
            bail!("truncated block header at byte {off}");
        }
        let raw_type = u32_at(data, off);
        let total = u32_at(data, off + 4) as usize;
        let bt = BlockType::from_u32(raw_type);
        if first && bt != BlockType::SectionHeader {
            bail!("not a capture file: the first block has type 0x{raw_type:08X}");
        }
        first = false;
        if total < 12 || !total.is_multiple_of(4) || total > data.len() - off {
            bail!("bad block length {total} at byte {off}");
        }
        if u32_at(data, off + total - 4) as usize != total {
            bail!("block trailer does not match its length at byte {off}");
        }
        if let BlockType::Event { flags, .. } = bt {
            let ts_off = 8 + 2 + if flags { 4 } else { 0 };
            // ts u64, tid u64, len u32, type u16, before the trailer.
            if ts_off + 22 > total - 4 {
                bail!("event block too short ({total} bytes) at byte {off}");
            }
            events.push(EventBlock {
                start: off,
                end: off + total,
                ts_off,
                ts: u64_at(data, off + ts_off),
                ty: u16::from_le_bytes([data[off + ts_off + 20], data[off + ts_off + 21]]),
            });
        }
        off += total;
    }
    Ok(events)
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let data = read_input(&args.input)?;
    let events = event_blocks(&data)?;
    if events.is_empty() {
        bail!("{} has no event blocks", args.input.display());
    }
    let leading = events
        .iter()
        .take_while(|e| CONTAINER_EVENTS.contains(&e.ty))
        .count();
    let repeated = &events[leading..];
    // The span of the repeated events only: the leading container events
    // often carry a zero timestamp.
    let min_ts = repeated.iter().map(|e| e.ts).min().unwrap_or(0);
    let max_ts = repeated.iter().map(|e| e.ts).max().unwrap_or(0);
    let period = max_ts - min_ts + 1_000;

    let file = File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let werr = || format!("writing {}", args.output.display());

    // Copy 0: the input itself.
    out.write_all(&data).with_context(werr)?;
    let mut written = events.len() as u64;
    let mut copies = 1u64;
    if written < args.min_events && repeated.is_empty() {
        bail!("only leading container events: nothing to repeat");
    }
    let mut buf = Vec::with_capacity(65536 + 12);
    while written < args.min_events {
        let shift = period
            .checked_mul(copies)
            .filter(|s| max_ts.checked_add(*s).is_some())
            .context("timestamps overflow u64")?;
        for e in repeated {
            buf.clear();
            buf.extend_from_slice(&data[e.start..e.end]);
            buf[e.ts_off..e.ts_off + 8].copy_from_slice(&(e.ts + shift).to_le_bytes());
            out.write_all(&buf).with_context(werr)?;
        }
        written += repeated.len() as u64;
        copies += 1;
    }
    out.flush().with_context(werr)?;
    eprintln!(
        "scap-repeat: {} event blocks ({} in the input, {} copies, {} leading container events kept once), \
         time span per copy {} ns",
        written,
        events.len(),
        copies,
        leading,
        period
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scap-repeat: {e:#}");
            ExitCode::FAILURE
        }
    }
}
