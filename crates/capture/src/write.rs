//! Writing live captures: the header blocks every file starts with, and
//! rotation by size (`-C`), count (`-W`) and time (`-G`), as sysdig names and
//! keeps the files.
//!
//! A write that fails (a full disk, a directory that went away) ends the
//! file at its last complete block: the reader of a capture cut short finds
//! every event that was whole.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sonde_scap::{BlockWriter, InterfaceRecord, MachineInfo, UserList};

use crate::procfs::ProcSnapshot;

/// What a capture file starts with: the machine, its interfaces, users and
/// groups, then its processes and their descriptors.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub machine: MachineInfo,
    pub interfaces: Vec<InterfaceRecord>,
    pub users: UserList,
    pub procs: ProcSnapshot,
}

impl Header {
    /// This machine now: /proc, `getifaddrs`, /etc/passwd and /etc/group.
    pub fn of_this_machine() -> Header {
        Header {
            machine: crate::local_machine_info(),
            interfaces: crate::system::interfaces(),
            users: crate::system::users(Path::new("/etc")),
            procs: crate::procfs::scan(Path::new("/proc")),
        }
    }

    fn write_to<W: Write>(&self, w: &mut BlockWriter<W>) -> io::Result<()> {
        w.section_header()?;
        w.machine_info(&self.machine)?;
        w.interfaces(&self.interfaces)?;
        w.users(&self.users)?;
        w.threads(&self.procs.threads)?;
        for (tid, fds) in &self.procs.fds {
            w.fds(*tid, fds)?;
        }
        Ok(())
    }
}

/// When to start a new file.
#[derive(Debug, Clone, Default)]
pub struct Rotation {
    /// `-C`: once a file holds this many bytes.
    pub size_bytes: Option<u64>,
    /// `-W`: with `-C`, how many files are kept (the oldest is written over);
    /// with `-G`, how many files are written before the capture ends.
    pub files: Option<u32>,
    /// `-G`: every this many seconds.
    pub every: Option<Duration>,
}

impl Rotation {
    fn rotates(&self) -> bool {
        self.size_bytes.is_some() || self.every.is_some()
    }
}

/// Why a capture could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: cannot create the capture file: {source}{hint}")]
    Create {
        path: PathBuf,
        source: io::Error,
        hint: &'static str,
    },
    #[error("{path}: writing failed at byte {offset}: {source}{kept}")]
    Write {
        path: PathBuf,
        offset: u64,
        source: io::Error,
        /// What was kept of the file.
        kept: String,
    },
}

/// What an event write did.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// The event is in the current file.
    Event,
    /// `-G` with `-W`: the last file is complete; the capture is over.
    Done,
}

/// Where a capture's bytes go: the file, or a gzip stream over it.
enum Sink {
    Plain(File),
    Gzip(flate2::write::GzEncoder<File>),
}

impl Sink {
    fn finish(self) -> io::Result<File> {
        match self {
            Sink::Plain(mut f) => f.flush().map(|()| f),
            Sink::Gzip(g) => g.finish(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(f) => f.write(buf),
            Sink::Gzip(g) => g.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Gzip(g) => g.flush(),
        }
    }
}

struct Current {
    path: PathBuf,
    w: BlockWriter<BufWriter<Sink>>,
    opened: Instant,
}

/// A live capture being written, one file or a rotation of them.
pub struct CaptureWriter {
    base: PathBuf,
    gzip: bool,
    rotation: Rotation,
    current: Option<Current>,
    /// Files started so far.
    started: u64,
    /// Every file written, in order (with `-W`, a name comes back).
    paths: Vec<PathBuf>,
}

impl CaptureWriter {
    /// Creates the first file (named `base`, or as rotation names it) and
    /// writes its header.
    pub fn create(
        base: &Path,
        gzip: bool,
        rotation: Rotation,
        header: &Header,
    ) -> Result<CaptureWriter, WriteError> {
        let mut w = CaptureWriter {
            base: base.to_path_buf(),
            gzip,
            rotation,
            current: None,
            started: 0,
            paths: Vec::new(),
        };
        w.open_next(header)?;
        Ok(w)
    }

    /// The file being written.
    pub fn path(&self) -> Option<&Path> {
        self.current.as_ref().map(|c| c.path.as_path())
    }

    /// Every file written so far.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The name of file number `n`, as sysdig names them: with `-C`, the
    /// name then the number (wrapping at `-W`); with `-G`, the name through
    /// strftime if it has a `%`, else the name then the number.
    fn name_for(&self, n: u64) -> PathBuf {
        if !self.rotation.rotates() {
            return self.base.clone();
        }
        let text = self.base.to_string_lossy();
        if self.rotation.every.is_some() && text.contains('%') {
            return PathBuf::from(strftime_now(&text));
        }
        let index = match (self.rotation.size_bytes, self.rotation.files) {
            (Some(_), Some(keep)) if keep > 0 => n % u64::from(keep),
            _ => n,
        };
        PathBuf::from(format!("{text}{index}"))
    }

    fn open_next(&mut self, header: &Header) -> Result<(), WriteError> {
        let path = self.name_for(self.started);
        let file = File::create(&path).map_err(|source| WriteError::Create {
            hint: match source.kind() {
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                    ": choose a directory you can write to (-w DIR/FILE)"
                }
                io::ErrorKind::NotFound => ": the directory does not exist; create it first",
                _ => "",
            },
            path: path.clone(),
            source,
        })?;
        let sink = if self.gzip {
            Sink::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            ))
        } else {
            Sink::Plain(file)
        };
        let mut w = BlockWriter::new(BufWriter::with_capacity(1 << 20, sink));
        let res = header.write_to(&mut w);
        self.started += 1;
        self.paths.push(path.clone());
        self.current = Some(Current {
            path,
            w,
            opened: Instant::now(),
        });
        res.map_err(|e| self.fail(e))
    }

    /// Writes one event (its scap bytes and dump flags, e.g.
    /// `SCAP_DF_STATE_ONLY`), first starting a new file if the rotation says
    /// so (`header` gives what the new file starts with).
    pub fn event(
        &mut self,
        cpu: u16,
        dump_flags: u32,
        bytes: &[u8],
        header: impl FnOnce() -> Header,
    ) -> Result<Written, WriteError> {
        if let Some(cur) = &self.current {
            let full = self
                .rotation
                .size_bytes
                .is_some_and(|max| cur.w.offset() >= max);
            let late = self
                .rotation
                .every
                .is_some_and(|every| cur.opened.elapsed() >= every);
            if full || late {
                self.close_current()?;
                if late
                    && self.rotation.size_bytes.is_none()
                    && self
                        .rotation
                        .files
                        .is_some_and(|n| self.started >= u64::from(n))
                {
                    return Ok(Written::Done);
                }
                self.open_next(&header())?;
            }
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(Written::Done);
        };
        match cur.w.event(cpu, dump_flags, bytes) {
            Ok(()) => Ok(Written::Event),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Flushes and closes the file being written.
    fn close_current(&mut self) -> Result<(), WriteError> {
        let Some(cur) = self.current.take() else {
            return Ok(());
        };
        let offset = cur.w.offset();
        let path = cur.path;
        match cur.w.into_inner().into_inner() {
            Ok(sink) => match sink.finish() {
                Ok(_) => Ok(()),
                Err(source) => Err(WriteError::Write {
                    kept: cut_to_last_block(&path, self.gzip),
                    path,
                    offset,
                    source,
                }),
            },
            Err(e) => {
                let source = e.error().kind().into();
                let (_, sink) = e.into_parts();
                drop(sink);
                Err(WriteError::Write {
                    kept: cut_to_last_block(&path, self.gzip),
                    path,
                    offset,
                    source,
                })
            }
        }
    }

    /// A failed write: the current file is dropped (what reached the disk
    /// is cut to its last complete block) and the error says so.
    fn fail(&mut self, source: io::Error) -> WriteError {
        let Some(cur) = self.current.take() else {
            return WriteError::Write {
                path: self.base.clone(),
                offset: 0,
                source,
                kept: String::new(),
            };
        };
        let offset = cur.w.offset();
        let path = cur.path;
        // Whatever the buffer still holds cannot be written either.
        let (_, _) = cur.w.into_inner().into_parts();
        WriteError::Write {
            kept: cut_to_last_block(&path, self.gzip),
            path,
            offset,
            source,
        }
    }

    /// Flushes and closes the capture; returns the files written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, WriteError> {
        self.close_current()?;
        Ok(std::mem::take(&mut self.paths))
    }
}

/// Cuts a plain capture file at the end of its last complete block (blocks
/// are `type u32, length u32, body, length u32`), so that it reads to its
/// end; says what was kept.
fn cut_to_last_block(path: &Path, gzip: bool) -> String {
    if gzip {
        return "; the gzip stream is cut where the write failed".into();
    }
    let Ok(mut f) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    else {
        return String::new();
    };
    let Ok(len) = f.metadata().map(|m| m.len()) else {
        return String::new();
    };
    let mut end = 0u64;
    let mut head = [0u8; 8];
    loop {
        if f.seek(SeekFrom::Start(end)).is_err() || f.read_exact(&mut head).is_err() {
            break;
        }
        let block_len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
        if block_len < 12 || end + block_len > len {
            break;
        }
        end += block_len;
    }
    match f.set_len(end) {
        Ok(()) => format!("; the file is kept up to its last complete block ({end} bytes)"),
        Err(_) => String::new(),
    }
}

/// `fmt` through strftime(3) at the local time now.
#[allow(unsafe_code)]
pub fn strftime_now(fmt: &str) -> String {
    let Ok(cfmt) = std::ffi::CString::new(fmt) else {
        return fmt.to_owned();
    };
    let mut out = vec![0u8; fmt.len() * 4 + 256];
    // SAFETY: time/localtime_r/strftime write only into the buffers given,
    // whose sizes are passed.
    let n = unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        libc::strftime(out.as_mut_ptr().cast(), out.len(), cfmt.as_ptr(), &tm)
    };
    out.truncate(n);
    String::from_utf8_lossy(&out).into_owned()
}
