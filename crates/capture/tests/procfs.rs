//! The /proc scan finds this test's own process, its threads, an open file
//! and a listening socket, typed as libscap types them.

use std::io::Write;

use sonde_capture::procfs::scan;
use sonde_scap::FdRecordKind;

#[test]
fn the_scan_finds_this_process_its_file_and_its_listener() {
    let dir = std::env::temp_dir().join(format!("sonde-procfs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("open.txt");
    let mut file = std::fs::File::create(&path).expect("create");
    file.write_all(b"x").expect("write");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let worker = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_millis(300)));

    let snap = scan(std::path::Path::new("/proc"));
    let pid = u64::from(std::process::id());
    let me = snap
        .threads
        .iter()
        .find(|t| t.tid == pid)
        .expect("this process");
    assert_eq!(me.pid, pid);
    assert_eq!(me.flags, 0, "a main thread has no clone flags");
    assert_eq!(me.ptid, u64::from(std::os::unix::process::parent_id()));
    assert!(me.cwd.ends_with(b"/"));
    assert_eq!(
        me.exepath,
        std::env::current_exe()
            .expect("exe")
            .into_os_string()
            .into_encoded_bytes()
    );
    // Other threads of the process: its pid, CLONE_THREAD | CLONE_FILES.
    assert!(
        snap.threads
            .iter()
            .any(|t| t.pid == pid && t.tid != pid && t.flags == (1 << 5) | 1)
    );

    let fds = &snap.fds.iter().find(|(t, _)| *t == pid).expect("our fds").1;
    let want = path.clone().into_os_string().into_encoded_bytes();
    assert!(fds.iter().any(|f| matches!(
        &f.kind,
        // The kernel keeps O_WRONLY | O_CLOEXEC | O_LARGEFILE of the open
        // (it drops O_CREAT and O_TRUNC once done): as PPM_O_* flags,
        // WRONLY 2, LARGEFILE 2048, CLOEXEC 4096.
        FdRecordKind::File { name, open_flags, .. }
            if *name == want && *open_flags == 2 | 2048 | 4096
    )));
    assert!(fds.iter().any(|f| matches!(
        f.kind,
        FdRecordKind::Ipv4Server { ip, port: p, l4proto: 2 } if p == port && ip == u32::from_ne_bytes([127, 0, 0, 1])
    )));
    worker.join().expect("worker");
    drop(listener);
    drop(file);
    let _ = std::fs::remove_dir_all(&dir);
}
