//! The /proc scan finds this test's own process, its threads, an open file
//! and its IPv4 and IPv6 sockets, typed as libscap types them.

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
    // An IPv6 listener and a connection to it (a socket with both ends).
    let listener6 = std::net::TcpListener::bind("[::1]:0").expect("bind ::1");
    let port6 = listener6.local_addr().expect("addr").port();
    let client6 = std::net::TcpStream::connect(("::1", port6)).expect("connect ::1");
    let cport6 = client6.local_addr().expect("addr").port();
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
    let loopback6 = std::net::Ipv6Addr::LOCALHOST.octets();
    assert!(fds.iter().any(|f| matches!(
        f.kind,
        FdRecordKind::Ipv6Server { ip, port: p, l4proto: 2 } if p == port6 && ip == loopback6
    )));
    assert!(fds.iter().any(|f| matches!(
        f.kind,
        FdRecordKind::Ipv6Socket { sip, dip, sport, dport, l4proto: 2 }
            if sport == cport6 && dport == port6 && sip == loopback6 && dip == loopback6
    )));
    drop((client6, listener6));
    worker.join().expect("worker");
    drop(listener);
    drop(file);
    let _ = std::fs::remove_dir_all(&dir);
}
