//! The host agent's collectors (issue 4, begun): what the machine is doing,
//! read from /proc and /sys without forking, named as Mackerel names it
//! (`cpu.user.percentage`, `loadavg5`, `memory.used`, ...).
//!
//! Every file is read through [`Roots`], so tests run on fixture trees and
//! an agent in a container reads the host's /proc mounted elsewhere. Every
//! monotonic counter goes through [`counter`]: a counter that goes
//! backwards drops its sample (and is counted) instead of wrapping.

use std::path::{Path, PathBuf};

pub mod counter;
pub mod cpu;
pub mod disk;
pub mod filesystem;
pub mod interface;
pub mod listen;
pub mod loadavg;
pub mod memory;
pub mod netlink;
pub mod netstat;
pub mod plugin;
pub mod processes;
pub mod runner;
pub mod schedule;
pub mod tcp;

/// One metric value, as posted: Mackerel's name and a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub value: f64,
}

impl Metric {
    pub fn new(name: impl Into<String>, value: f64) -> Metric {
        Metric {
            name: name.into(),
            value,
        }
    }
}

/// Where the machine's /proc and /sys are (`--procfs`, `--sysfs`).
#[derive(Debug, Clone)]
pub struct Roots {
    pub proc: PathBuf,
    pub sys: PathBuf,
}

impl Roots {
    /// This machine's.
    pub fn host() -> Roots {
        Roots {
            proc: PathBuf::from("/proc"),
            sys: PathBuf::from("/sys"),
        }
    }

    /// A fixture tree's: `DIR/proc` and `DIR/sys`.
    pub fn under(dir: &Path) -> Roots {
        Roots {
            proc: dir.join("proc"),
            sys: dir.join("sys"),
        }
    }

    /// A file under /proc, read whole.
    pub fn read_proc(&self, rel: &str) -> Result<String, ReadError> {
        let path = self.proc.join(rel);
        std::fs::read_to_string(&path).map_err(|source| ReadError::Io { path, source })
    }
}

/// Why a collector could not read its source.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {what}")]
    Parse {
        path: String,
        line: usize,
        what: String,
    },
}
