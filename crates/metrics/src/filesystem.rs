//! `filesystem.<dev>.size` and `filesystem.<dev>.used` (bytes) for the
//! mounted `/dev/*` devices of /proc/mounts, as Mackerel posts them (the
//! device name without `/dev/`, anything outside `[A-Za-z0-9_-]` made `_`),
//! with `inodes` and `inodes_used` besides. mackerel-agent forks `df` for
//! this; here statvfs(2) runs on a worker thread with a timeout, so a dead
//! NFS server cannot hang the agent: a mount whose statvfs does not answer
//! is skipped, reported, and not asked again until its worker returns.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::{Metric, ReadError, Roots};

/// What statvfs says of a file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub size: u64,
    pub used: u64,
    pub inodes: u64,
    pub inodes_used: u64,
}

/// statvfs(2) of `path`.
#[allow(unsafe_code)]
pub fn statvfs(path: &Path) -> std::io::Result<Usage> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: statvfs writes only into the struct it is given; the path is a
    // valid NUL-terminated string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let frsize = st.f_frsize as u64;
    let size = st.f_blocks as u64 * frsize;
    // Used as df counts it: total minus free (root's reserve included).
    let used = size.saturating_sub(st.f_bfree as u64 * frsize);
    Ok(Usage {
        size,
        used,
        inodes: st.f_files as u64,
        inodes_used: (st.f_files as u64).saturating_sub(st.f_ffree as u64),
    })
}

/// Mackerel's name for a device.
pub fn metric_name(device: &str) -> String {
    device
        .trim_start_matches("/dev/")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The `/dev/*` mounts of a mounts table: (device, mount point), each
/// device once (its first mount).
pub fn dev_mounts(text: &str) -> Vec<(String, PathBuf)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        let (Some(dev), Some(dir)) = (f.first(), f.get(1)) else {
            continue;
        };
        if dev.starts_with("/dev/") && seen.insert(dev.to_string()) {
            // Spaces in mount points are written \040.
            out.push((dev.to_string(), PathBuf::from(dir.replace("\\040", " "))));
        }
    }
    out
}

/// Collects file-system usage, remembering mounts whose statvfs hangs.
#[derive(Debug, Default)]
pub struct Filesystems {
    hung: Arc<Mutex<HashSet<PathBuf>>>,
}

impl Filesystems {
    /// Reads /proc/mounts and statvfs's every `/dev/*` mount under the root
    /// file system (`--rootfs`), each within `timeout`. Returns the metrics
    /// and the mount points skipped because they did not answer.
    pub fn collect(
        &self,
        roots: &Roots,
        rootfs: &Path,
        timeout: Duration,
    ) -> Result<(Vec<Metric>, Vec<PathBuf>), ReadError> {
        self.collect_with(roots, rootfs, timeout, statvfs)
    }

    /// [`collect`](Self::collect) with the statvfs given (tests give one
    /// that hangs).
    pub fn collect_with(
        &self,
        roots: &Roots,
        rootfs: &Path,
        timeout: Duration,
        stat: fn(&Path) -> std::io::Result<Usage>,
    ) -> Result<(Vec<Metric>, Vec<PathBuf>), ReadError> {
        let mounts = dev_mounts(&roots.read_proc("mounts")?);
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for (dev, dir) in mounts {
            let path = rootfs.join(dir.strip_prefix("/").unwrap_or(&dir));
            if self.lock().contains(&path) {
                skipped.push(path);
                continue;
            }
            let (tx, rx) = mpsc::channel();
            let hung = Arc::clone(&self.hung);
            let p = path.clone();
            self.lock().insert(path.clone());
            std::thread::spawn(move || {
                let _ = tx.send(stat(&p));
                hung.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&p);
            });
            let answer = rx.recv_timeout(timeout);
            if answer.is_ok() {
                // Answered in time: not hung (its worker may not have said
                // so yet).
                self.lock().remove(&path);
            }
            match answer {
                Ok(Ok(u)) => {
                    let name = metric_name(&dev);
                    out.push(Metric::new(
                        format!("filesystem.{name}.size"),
                        u.size as f64,
                    ));
                    out.push(Metric::new(
                        format!("filesystem.{name}.used"),
                        u.used as f64,
                    ));
                    out.push(Metric::new(
                        format!("filesystem.{name}.inodes"),
                        u.inodes as f64,
                    ));
                    out.push(Metric::new(
                        format!("filesystem.{name}.inodes_used"),
                        u.inodes_used as f64,
                    ));
                }
                Ok(Err(_)) => {}
                Err(_) => skipped.push(path),
            }
        }
        Ok((out, skipped))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        self.hung
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
