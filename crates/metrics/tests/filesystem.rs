//! File-system usage by statvfs on a worker: real numbers for a real
//! directory, and a mount whose statvfs hangs (a dead NFS server) skipped
//! within the timeout instead of hanging the agent.

use std::path::Path;
use std::time::{Duration, Instant};

use sonde_metrics::Roots;
use sonde_metrics::filesystem::{Filesystems, Usage, dev_mounts, metric_name, statvfs};

fn fixture(mounts: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sonde-fs-{}-{}", std::process::id(), mounts.len()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc")).expect("dir");
    std::fs::write(dir.join("proc/mounts"), mounts).expect("mounts");
    dir
}

#[test]
fn names_and_mounts_as_mackerel_has_them() {
    assert_eq!(metric_name("/dev/vda1"), "vda1");
    assert_eq!(metric_name("/dev/mapper/vg-root"), "mapper_vg-root");
    let m = dev_mounts(
        "/dev/vda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/vda1 /srv ext4 rw 0 0\n/dev/vdb /data\\040disk xfs rw 0 0\n",
    );
    let got: Vec<(&str, &str)> = m
        .iter()
        .map(|(d, p)| (d.as_str(), p.to_str().unwrap_or("")))
        .collect();
    assert_eq!(got, [("/dev/vda1", "/"), ("/dev/vdb", "/data disk")]);
}

#[test]
fn a_real_directory_has_size_and_used() {
    let tmp = std::env::temp_dir();
    let u = statvfs(&tmp).expect("statvfs");
    assert!(u.size > 0 && u.used <= u.size && u.inodes_used <= u.inodes);
    let dir = fixture(&format!("/dev/sonde0 {} tmpfs rw 0 0\n", tmp.display()));
    let (ms, skipped) = Filesystems::default()
        .collect(&Roots::under(&dir), Path::new("/"), Duration::from_secs(5))
        .expect("collect");
    assert!(skipped.is_empty());
    let size = ms
        .iter()
        .find(|m| m.name == "filesystem.sonde0.size")
        .expect("size")
        .value;
    assert!(size > 0.0);
    assert!(ms.iter().any(|m| m.name == "filesystem.sonde0.used"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn hangs_on_nfs(path: &Path) -> std::io::Result<Usage> {
    if path.ends_with("nfs") {
        std::thread::sleep(Duration::from_secs(10));
    }
    statvfs(&std::env::temp_dir())
}

#[test]
fn a_hanging_mount_is_skipped_within_the_timeout() {
    let tmp = std::env::temp_dir();
    let dir = fixture(&format!(
        "/dev/nfs0 /mnt/nfs nfs rw 0 0\n/dev/ok0 {} tmpfs rw 0 0\n",
        tmp.display()
    ));
    let roots = Roots::under(&dir);
    let fs = Filesystems::default();
    // A second for a mount to answer: a loaded machine's real statvfs is
    // well within it, the hung one (10 s) is not.
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let (ms, skipped) = fs
        .collect_with(&roots, Path::new("/"), timeout, hangs_on_nfs)
        .expect("collect");
    assert!(
        started.elapsed() < timeout + Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(skipped, [Path::new("/mnt/nfs")]);
    assert!(
        ms.iter().any(|m| m.name == "filesystem.ok0.size"),
        "the others are still collected"
    );
    // While its worker is stuck, the mount is not asked again (no pile of
    // blocked threads): the next round skips it without waiting out the
    // timeout.
    let started = Instant::now();
    let (_, skipped) = fs
        .collect_with(&roots, Path::new("/"), timeout, hangs_on_nfs)
        .expect("collect");
    assert!(started.elapsed() < timeout, "{:?}", started.elapsed());
    assert_eq!(skipped, [Path::new("/mnt/nfs")]);
    let _ = std::fs::remove_dir_all(&dir);
}
