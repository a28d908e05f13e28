//! Live capture when something is missing or fails: a full disk, a
//! directory that does not exist or cannot be written, tracefs unmounted,
//! no BTF. Each says what is wrong and what to do; a file cut short is kept
//! up to its last complete block and reads. Needs root (mounts, namespaces;
//! CI runs as root); says when it skips.

use std::path::Path;
use std::process::Command;

mod common;
use common::*;

/// Runs `sonde dig ARGS` to its end; returns (success, stdout, stderr).
fn dig(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(sonde())
        .arg("dig")
        .args(args)
        .output()
        .expect("run sonde dig");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(at: &Path, opts: &str) -> Mount {
        std::fs::create_dir_all(at).expect("mount point");
        sh(&format!(
            "mount -t tmpfs -o {opts} sonde-test {}",
            at.display()
        ));
        Mount(at.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A disk that fills while writing: sonde stops with a message naming the
/// file, the offset and the cause, and the file is cut at its last complete
/// block, so both readers read it to its end.
#[test]
fn a_full_disk_keeps_the_file_up_to_its_last_complete_block() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("full-disk");
    let mnt = dir.join("small");
    let _m = Mount::tmpfs(&mnt, "size=3m");
    let file = mnt.join("cap.scap");
    let dd = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        sh("dd if=/dev/zero of=/dev/null bs=1 count=300000 2>/dev/null");
    });
    let (ok, _, stderr) = dig(&["-M", "10", "-w", file.to_str().expect("utf-8")]);
    dd.join().expect("workload");
    assert!(!ok, "a full disk is a failure");
    assert!(
        stderr.contains(&format!("{}: writing failed at byte ", file.display()))
            && stderr.contains("No space left on device")
            && stderr.contains("kept up to its last complete block"),
        "{stderr}"
    );
    let text = same_in_both(&file);
    assert!(text.lines().count() > 1000, "what fitted is kept");
}

/// A directory that does not exist, or one that cannot be written: one
/// line naming the file and saying what to do.
#[test]
fn an_unwritable_capture_directory_says_what_to_do() {
    if !can_capture() {
        return;
    }
    let dir = temp_dir("unwritable");
    let missing = dir.join("no-such-dir").join("cap.scap");
    let (ok, _, stderr) = dig(&["-n", "10", "-w", missing.to_str().expect("utf-8")]);
    assert!(!ok);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "sonde dig: {}: cannot create the capture file: No such file or directory (os error 2): \
             the directory does not exist; create it first",
            missing.display()
        )
    );
    let ro = dir.join("ro");
    let _m = Mount::tmpfs(&ro, "ro,size=1m");
    let file = ro.join("cap.scap");
    let (ok, _, stderr) = dig(&["-n", "10", "-w", file.to_str().expect("utf-8")]);
    assert!(!ok);
    assert!(
        stderr.starts_with(&format!(
            "sonde dig: {}: cannot create the capture file: ",
            file.display()
        )) && stderr
            .trim_end()
            .ends_with("choose a directory you can write to (-w DIR/FILE)"),
        "{stderr}"
    );
}

/// Capture attaches through BTF-typed tracepoints, which need no tracefs:
/// with tracefs unmounted (in a mount namespace of its own), it still runs.
#[test]
fn capture_needs_no_tracefs() {
    if !can_capture() {
        return;
    }
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "for m in /sys/kernel/debug/tracing /sys/kernel/tracing; do umount $m 2>/dev/null; done; \
             if [ -e /sys/kernel/tracing/available_events ]; then echo tracefs still mounted >&2; exit 9; fi; \
             exec {} dig -n 5",
            sonde().display()
        ))
        .output()
        .expect("unshare");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
}

/// A kernel without BTF (hidden in a mount namespace of its own): one line
/// saying what is missing and what kind of kernel is needed.
#[test]
fn a_kernel_without_btf_says_so() {
    if !can_capture() {
        return;
    }
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs none /sys/kernel/btf && exec {} dig -n 5",
            sonde().display()
        ))
        .output()
        .expect("unshare");
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "sonde dig: live capture: this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): \
         sonde's CO-RE programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's, \
         Ubuntu's and Fedora's are)"
    );
}
