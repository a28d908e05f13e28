//! Event sources. A capture file and (later) the live kernel are two
//! implementations of one source of events; everything downstream works on
//! both.
//!
//! [`FileSource`] opens a capture file, sniffs gzip (`1f 8b`) and reads it
//! transparently, and turns reader errors into messages that name the file,
//! the byte offset and the block type.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use sonde_event::RawEvent;
use sonde_scap::{Block, BlockReader, ReadError};

/// A capture file could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("{path}: is a directory, not a capture file")]
    IsDirectory { path: PathBuf },
    #[error("{path}: {source}{}", if *.gzip { " (gzip stream)" } else { "" })]
    Read {
        path: PathBuf,
        gzip: bool,
        source: Box<ReadError>,
    },
}

/// A boxed byte stream: a plain file or a gzip decoder over one.
type Stream = Box<dyn Read + Send>;

mod ahead;
pub mod live;
pub mod procfs;
pub mod recorder;
pub mod system;
pub mod write;

/// Events and metadata from a capture file.
///
/// A reader thread reads, decompresses, splits and decodes the file ahead of
/// the consumer, handing over chunks of decoded events; the consumer only
/// rebuilds each event's view (see [`ahead`]). Blocks come out in file order,
/// an error after the blocks before it.
pub struct FileSource {
    path: PathBuf,
    gzip: bool,
    ahead: ahead::ReadAhead,
}

const BUF_SIZE: usize = 1 << 16;

/// Which thread decodes (and validates) events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecodeOn {
    /// The reader thread: for a consumer with real work per event.
    #[default]
    Reader,
    /// The consumer: for one with little to do per event (counting), which
    /// would otherwise wait on the reader thread.
    Consumer,
}

impl FileSource {
    /// Opens `path`, plain or gzip-compressed; events are decoded on the
    /// reader thread.
    pub fn open(path: &Path) -> Result<FileSource, SourceError> {
        FileSource::open_with(path, DecodeOn::Reader)
    }

    /// Opens `path`, choosing which thread decodes events. Blocks and
    /// errors are the same either way.
    pub fn open_with(path: &Path, decode_on: DecodeOn) -> Result<FileSource, SourceError> {
        let open_err = |source| SourceError::Open {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(open_err)?;
        if meta.is_dir() {
            return Err(SourceError::IsDirectory {
                path: path.to_owned(),
            });
        }
        let file = File::open(path).map_err(open_err)?;
        let mut buf = BufReader::with_capacity(BUF_SIZE, file);
        let gzip = {
            use std::io::BufRead;
            let head = buf.fill_buf().map_err(open_err)?;
            head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
        };
        // The block reader does its own large reads; the gzip decoder reads
        // its input through `buf`.
        let stream: Stream = if gzip {
            Box::new(MultiGzDecoder::new(buf))
        } else {
            Box::new(buf)
        };
        let ahead =
            ahead::ReadAhead::spawn(BlockReader::new(stream), decode_on == DecodeOn::Consumer)
                .map_err(open_err)?;
        Ok(FileSource {
            path: path.to_owned(),
            gzip,
            ahead,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The next block when it is an event ready at hand: the fast path for
    /// nearly every block. `None` means "call
    /// [`next_block`](Self::next_block)", which returns whatever comes next
    /// (an event too), an error, or the end. Use the event where it is
    /// returned: moving it into enums costs more than building it.
    #[inline]
    pub fn next_event(&mut self) -> Option<RawEvent<'_>> {
        self.ahead.next_event()
    }

    /// The next block; `None` at the end of the file.
    #[inline]
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>, SourceError> {
        let (path, gzip) = (&self.path, self.gzip);
        // The error is boxed: this result is returned once per event, and a
        // small one moves cheaply.
        self.ahead.next_block().map_err(|source| SourceError::Read {
            path: path.clone(),
            gzip,
            source: Box::new(source),
        })
    }
}

/// The machine-info block of a live capture: this machine's CPUs, memory,
/// `pid_max`, host name and boot time, as libscap fills it. What cannot be
/// read is zero (or empty).
pub fn local_machine_info() -> sonde_scap::MachineInfo {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let num_cpus = std::thread::available_parallelism().map_or(0, |n| n.get() as u32);
    let memory_size_bytes = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024);
    let max_pid = read("/proc/sys/kernel/pid_max").trim().parse().unwrap_or(0);
    let hostname = read("/proc/sys/kernel/hostname")
        .trim_end()
        .as_bytes()
        .to_vec();
    let boot_ts_epoch = read("/proc/stat")
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(0, |s| s * 1_000_000_000);
    sonde_scap::MachineInfo {
        num_cpus,
        memory_size_bytes,
        max_pid,
        hostname,
        boot_ts_epoch,
        flags: 0,
    }
}
