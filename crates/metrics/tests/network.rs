//! The network collectors: TCP states from /proc/net/tcp{,6}, TCP/UDP
//! counters from /proc/net/{snmp,netstat}, disk bytes and interface packets
//! on fixture trees; listen queues over inet_diag against real listeners of
//! this test.

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sonde_metrics::counter::Rates;
use sonde_metrics::{Metric, Roots, disk, interface, listen, netlink, netstat, tcp};

/// A fixture tree with these /proc files.
fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sonde-network-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc/net")).expect("fixture dir");
    for (file, text) in files {
        rewrite(&dir, file, text);
    }
    dir
}

fn rewrite(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join("proc").join(file), text).expect("fixture file");
}

fn value(ms: &[Metric], name: &str) -> f64 {
    ms.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} in {ms:?}"))
        .value
}

fn has(ms: &[Metric], name: &str) -> bool {
    ms.iter().any(|m| m.name == name)
}

const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/// One /proc/net/tcp line in state `st`.
fn tcp_line(sl: usize, st: &str) -> String {
    format!(
        "{sl:4}: 0100007F:1F90 0100007F:C350 {st} 00000000:00000000 00:00000000 00000000  1000        0 {} 1 0000000000000000 20 4 30 10 -1\n",
        1000 + sl
    )
}

fn tcp6_line(sl: usize, st: &str) -> String {
    format!(
        "{sl:4}: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 {st} 00000000:00000000 00:00000000 00000000  1000        0 {} 1 0000000000000000 20 4 30 10 -1\n",
        2000 + sl
    )
}

#[test]
fn tcp_states_are_counted_over_ipv4_and_ipv6_with_every_state_posted() {
    let mut v4 = TCP_HEADER.to_string();
    for (i, st) in ["0A", "01", "01", "06", "01", "08"].iter().enumerate() {
        v4 += &tcp_line(i, st);
    }
    v4 += "   9: short line\n"; // skipped
    v4 += &tcp_line(10, "0C"); // a state ss does not show: skipped
    let mut v6 = TCP6_HEADER.to_string();
    for (i, st) in ["0A", "01", "0b"].iter().enumerate() {
        v6 += &tcp6_line(i, st);
    }
    let dir = tree("states", &[("net/tcp", &v4), ("net/tcp6", &v6)]);
    let ms = tcp::collect(&Roots::under(&dir)).expect("collect");
    let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "tcp.state.ESTAB",
            "tcp.state.SYN-SENT",
            "tcp.state.SYN-RECV",
            "tcp.state.FIN-WAIT-1",
            "tcp.state.FIN-WAIT-2",
            "tcp.state.TIME-WAIT",
            "tcp.state.UNCONN",
            "tcp.state.CLOSE-WAIT",
            "tcp.state.LAST-ACK",
            "tcp.state.LISTEN",
            "tcp.state.CLOSING"
        ],
        "every state, in the kernel's order, zeros included"
    );
    assert_eq!(value(&ms, "tcp.state.ESTAB"), 4.0, "3 IPv4 + 1 IPv6");
    assert_eq!(value(&ms, "tcp.state.LISTEN"), 2.0);
    assert_eq!(value(&ms, "tcp.state.TIME-WAIT"), 1.0);
    assert_eq!(value(&ms, "tcp.state.CLOSE-WAIT"), 1.0);
    assert_eq!(value(&ms, "tcp.state.CLOSING"), 1.0, "lower-case hex");
    assert_eq!(value(&ms, "tcp.state.SYN-SENT"), 0.0);

    // The skipped lines are counted, not guessed at.
    let mut counts = tcp::StateCounts::default();
    tcp::count(v4.as_bytes(), Path::new("net/tcp"), &mut counts).expect("count");
    assert_eq!(counts.skipped, 2);
    assert_eq!(counts.by_state[1], 3);

    // Without IPv6 (no tcp6), IPv4 alone.
    std::fs::remove_file(dir.join("proc/net/tcp6")).expect("rm");
    let ms = tcp::collect(&Roots::under(&dir)).expect("no tcp6");
    assert_eq!(value(&ms, "tcp.state.ESTAB"), 3.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_a_tcp_table_is_a_clear_error() {
    let dir = tree("badtcp", &[("net/tcp", "Inter-| Receive\n eth0: 1 2 3\n")]);
    let err = tcp::collect(&Roots::under(&dir)).expect_err("not a table");
    let msg = err.to_string();
    assert!(
        msg.contains("proc/net/tcp: line 1: not a TCP socket table"),
        "{msg}"
    );
    rewrite(&dir, "net/tcp", "");
    let err = tcp::collect(&Roots::under(&dir)).expect_err("empty");
    assert!(
        err.to_string().contains("proc/net/tcp: line 1: empty"),
        "{err}"
    );
    std::fs::remove_file(dir.join("proc/net/tcp")).expect("rm");
    let err = tcp::collect(&Roots::under(&dir)).expect_err("missing");
    assert!(err.to_string().contains("proc/net/tcp: "), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// 200k sockets (a busy host's 30 MB of text) are counted exactly, streamed.
#[test]
fn a_large_table_is_counted_exactly() {
    let dir = tree("large", &[]);
    let path = dir.join("proc/net/tcp");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    f.write_all(TCP_HEADER.as_bytes()).expect("write");
    let states = ["01", "06", "01", "0A", "08"];
    for i in 0..200_000 {
        f.write_all(tcp_line(i, states[i % states.len()]).as_bytes())
            .expect("write");
    }
    drop(f);
    let started = Instant::now();
    let ms = tcp::collect(&Roots::under(&dir)).expect("collect");
    eprintln!(
        "200k-line /proc/net/tcp fixture ({} MB) counted in {:?}",
        std::fs::metadata(&path).map_or(0, |m| m.len()) >> 20,
        started.elapsed()
    );
    assert_eq!(value(&ms, "tcp.state.ESTAB"), 80_000.0);
    assert_eq!(value(&ms, "tcp.state.TIME-WAIT"), 40_000.0);
    assert_eq!(value(&ms, "tcp.state.LISTEN"), 40_000.0);
    assert_eq!(value(&ms, "tcp.state.CLOSE-WAIT"), 40_000.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// On this machine: a listener of ours is among the LISTEN sockets, an
/// established pair among ESTAB.
#[test]
fn this_machine_counts_our_sockets() {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let _c = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let _s = l.accept().expect("accept");
    let ms = tcp::collect(&Roots::host()).expect("host");
    assert!(value(&ms, "tcp.state.LISTEN") >= 1.0, "{ms:?}");
    assert!(value(&ms, "tcp.state.ESTAB") >= 2.0, "{ms:?}");
}

fn snmp(active: u64, retrans: u64, curr: i64, udp_in: u64) -> String {
    format!(
        "Ip: Forwarding DefaultTTL InReceives\nIp: 2 64 1000\n\
         Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n\
         Tcp: 1 200 120000 -1 {active} 50 3 2 {curr} 6000 5000 {retrans} 0 7 0\n\
         Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n\
         Udp: {udp_in} 1 0 300 0 0 0 0 0\n\
         UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n\
         UdpLite: 999999 0 0 0 0 0 0 0 0\n"
    )
}

/// TcpExt with its columns in another order and one this code does not
/// know (NewField): pairing is by name.
fn netstat_text(overflows: u64) -> String {
    format!(
        "TcpExt: SyncookiesSent NewField ListenDrops TW ListenOverflows TCPTimeouts\n\
         TcpExt: 0 42 {overflows} 10 {overflows} 9\n\
         IpExt: InNoRoutes InTruncatedPkts\nIpExt: 0 0\n"
    )
}

#[test]
fn tcp_and_udp_counters_are_rates_per_second_and_gauges_are_values() {
    let dir = tree(
        "snmp",
        &[
            ("net/snmp", &snmp(100, 10, 5, 200)),
            ("net/netstat", &netstat_text(1)),
            ("net/snmp6", &snmp6(40)),
        ],
    );
    let roots = Roots::under(&dir);
    let mut rates = Rates::default();
    let first = netstat::collect(&roots, &mut rates, 0.0).expect("first");
    assert_eq!(
        first,
        [Metric::new("tcp.CurrEstab", 5.0)],
        "no rate from one sample; the gauge at once"
    );
    rewrite(&dir, "net/snmp", &snmp(160, 70, 8, 260));
    rewrite(&dir, "net/netstat", &netstat_text(31));
    rewrite(&dir, "net/snmp6", &snmp6(160));
    let ms = netstat::collect(&roots, &mut rates, 60.0).expect("second");
    assert_eq!(value(&ms, "udp6.InDatagrams.delta"), 2.0, "UDP over IPv6");
    assert_eq!(value(&ms, "udp6.NoPorts.delta"), 0.0);
    assert!(!has(&ms, "udp6.IgnoredMulti.delta") && !has(&ms, "udp6.Tcp6.delta"));
    assert_eq!(value(&ms, "tcp.ActiveOpens.delta"), 1.0, "60 in 60 s");
    assert_eq!(value(&ms, "tcp.RetransSegs.delta"), 1.0);
    assert_eq!(value(&ms, "tcp.PassiveOpens.delta"), 0.0);
    assert_eq!(value(&ms, "tcp.CurrEstab"), 8.0);
    assert_eq!(
        value(&ms, "udp.InDatagrams.delta"),
        1.0,
        "Udp:, not UdpLite:"
    );
    assert_eq!(value(&ms, "tcpext.ListenOverflows.delta"), 0.5);
    assert_eq!(value(&ms, "tcpext.ListenDrops.delta"), 0.5);
    assert_eq!(value(&ms, "tcpext.TCPTimeouts.delta"), 0.0);
    assert!(!has(&ms, "tcpext.NewField.delta"), "only chosen fields");
    assert!(!has(&ms, "tcp.MaxConn.delta") && !has(&ms, "tcp.RtoMin.delta"));
    assert!(
        !has(&ms, "tcp.CurrEstab.delta"),
        "a gauge is not a rate: {ms:?}"
    );
    assert!(
        !ms.iter()
            .any(|m| m.name.starts_with("udplite") || m.name.starts_with("ip")),
        "{ms:?}"
    );

    // Counters going backwards (a network namespace recreated, a wrap):
    // no value for them this time, counted; the others still come.
    rewrite(&dir, "net/snmp", &snmp(10, 130, 8, 320));
    let ms = netstat::collect(&roots, &mut rates, 120.0).expect("third");
    assert!(!has(&ms, "tcp.ActiveOpens.delta"), "{ms:?}");
    assert_eq!(rates.dropped.0, 1);
    assert_eq!(value(&ms, "tcp.RetransSegs.delta"), 1.0);
    // The next sample is measured from the new base.
    rewrite(&dir, "net/snmp", &snmp(70, 130, 8, 320));
    let ms = netstat::collect(&roots, &mut rates, 180.0).expect("fourth");
    assert_eq!(value(&ms, "tcp.ActiveOpens.delta"), 1.0);
    // Without IPv6 (no snmp6), the rest still comes.
    std::fs::remove_file(dir.join("proc/net/snmp6")).expect("rm");
    let ms = netstat::collect(&roots, &mut rates, 240.0).expect("no snmp6");
    assert!(has(&ms, "tcp.ActiveOpens.delta"));
    assert!(!ms.iter().any(|m| m.name.starts_with("udp6.")), "{ms:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn snmp6(udp6_in: u64) -> String {
    format!(
        "Ip6InReceives                   \t900\nIcmp6InMsgs   \t3\n\
         Udp6InDatagrams                 \t{udp6_in}\nUdp6NoPorts    \t4\n\
         Udp6IgnoredMulti    \t1\nUdpLite6InDatagrams \t77\nTcp6 weird line here\n"
    )
}

#[test]
fn a_kernel_with_fewer_tcp_columns_posts_what_it_has() {
    // A 3.2-era kernel: no InCsumErrors.
    let old = "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts\n\
               Tcp: 1 200 120000 -1 1 2 3 4 5 6 7 8 9 10\n";
    let r = netstat::parse_snmp(old, "snmp").expect("parses");
    assert!(r.counters.contains(&("tcp.OutRsts.delta".to_string(), 10)));
    assert!(
        r.counters
            .contains(&("tcp.ActiveOpens.delta".to_string(), 1))
    );
    assert!(
        !r.counters
            .iter()
            .any(|(n, _)| n == "tcp.InCsumErrors.delta")
    );
    assert_eq!(r.gauges, [Metric::new("tcp.CurrEstab", 5.0)]);
}

#[test]
fn snmp_files_that_cannot_be_paired_are_clear_errors() {
    let cases = [
        (
            "Ip: A B\nIp: 1 2\nTcp: ActiveOpens PassiveOpens\nTcp: 1 2 3\n",
            "snmp: line 4: Tcp: 2 names but 3 values",
        ),
        (
            "Tcp: ActiveOpens PassiveOpens\nUdp: InDatagrams\nUdp: 1\n",
            "snmp: line 1: Tcp: a header line without its values line",
        ),
        (
            "Udp: 1 2 3\n",
            "snmp: line 1: Udp: values without a header line before them",
        ),
        (
            "Tcp: ActiveOpens CurrEstab\nTcp: x 1\n",
            "snmp: line 2: Tcp: ActiveOpens: \"x\" is not a counter",
        ),
        (
            "Tcp: ActiveOpens CurrEstab\nTcp: -4 1\n",
            "snmp: line 2: Tcp: ActiveOpens: \"-4\" is not a counter",
        ),
        (
            "Ip: A B\nIp: 1 2\n",
            "snmp: line 1: no Tcp: or Udp: section (header and values lines)",
        ),
        ("", "snmp: line 1: no Tcp: or Udp: section"),
    ];
    for (text, want) in cases {
        let err = netstat::parse_snmp(text, "snmp").expect_err(text);
        assert!(err.to_string().starts_with(want), "{err} (wanted {want})");
    }
    let err = netstat::parse_snmp6("Ip6InReceives 1\n", "snmp6").expect_err("no Udp6");
    assert_eq!(err.to_string(), "snmp6: line 1: no Udp6 counters");
    let err = netstat::parse_snmp6("Udp6NoPorts 1\nUdp6InErrors x\n", "snmp6").expect_err("x");
    assert_eq!(
        err.to_string(),
        "snmp6: line 2: Udp6InErrors: \"x\" is not a counter"
    );
    let err = netstat::parse_netstat("IpExt: A\nIpExt: 1\n", "netstat").expect_err("no TcpExt");
    assert!(err.to_string().contains("no TcpExt: section"), "{err}");
    // Short and unknown lines are skipped.
    let r = netstat::parse_snmp("junk\nTcp:\nFoo: 1\nTcp: ActiveOpens\nTcp: 4\n", "snmp")
        .expect("skips");
    assert_eq!(r.counters, [("tcp.ActiveOpens.delta".to_string(), 4)]);
    // Through collect, the error names the file's path.
    let dir = tree("badsnmp", &[("net/snmp", "Tcp: A\n"), ("net/netstat", "")]);
    let err = netstat::collect(&Roots::under(&dir), &mut Rates::default(), 0.0).expect_err("bad");
    assert!(
        err.to_string()
            .contains("proc/net/snmp: line 1: Tcp: a header"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn this_machine_has_tcp_and_udp_counters() {
    let mut rates = Rates::default();
    let roots = Roots::host();
    netstat::collect(&roots, &mut rates, 0.0).expect("first");
    let ms = netstat::collect(&roots, &mut rates, 1.0).expect("second");
    for name in [
        "tcp.ActiveOpens.delta",
        "tcp.RetransSegs.delta",
        "tcp.CurrEstab",
        "udp.InDatagrams.delta",
        "tcpext.ListenOverflows.delta",
        "tcpext.TCPTimeouts.delta",
    ] {
        assert!(has(&ms, name), "{name} in {ms:?}");
    }
    if Path::new("/proc/net/snmp6").exists() {
        assert!(has(&ms, "udp6.InDatagrams.delta"), "{ms:?}");
    }
    assert!(ms.iter().all(|m| m.value >= 0.0), "{ms:?}");
}

fn diskstats(sectors_read: u64, sectors_written: u64) -> String {
    format!(
        "   8       0 sda 100 0 {sectors_read} 0 50 0 {sectors_written} 0 0 0 0 0 0 0 0 0 0\n\
         253       0 dm-0 5 0 8 0 5 0 8 0 0 0 0 0 0\n   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n\
         8 16 sdb 1\n"
    )
}

#[test]
fn disk_bytes_per_second_beside_operations() {
    let dir = tree("diskbytes", &[("diskstats", &diskstats(1000, 2000))]);
    let roots = Roots::under(&dir);
    let mut rates = Rates::default();
    assert!(
        disk::collect(&roots, &mut rates, 0.0)
            .expect("first")
            .is_empty()
    );
    // +1200 sectors read, +600 written in 60 s.
    rewrite(&dir, "diskstats", &diskstats(2200, 2600));
    let ms = disk::collect(&roots, &mut rates, 60.0).expect("second");
    assert_eq!(
        ms,
        [
            Metric::new("disk.sda.reads.delta", 0.0),
            Metric::new("disk.sda.writes.delta", 0.0),
            Metric::new("disk.sda.readBytes.delta", 1200.0 * 512.0 / 60.0),
            Metric::new("disk.sda.writeBytes.delta", 600.0 * 512.0 / 60.0),
        ],
        "dm-*, idle devices and short lines left out"
    );
    // The sector counters go back (a device replaced under its name): no
    // bytes this time, both counted.
    rewrite(&dir, "diskstats", &diskstats(10, 20));
    let ms = disk::collect(&roots, &mut rates, 120.0).expect("third");
    assert!(!has(&ms, "disk.sda.readBytes.delta"), "{ms:?}");
    assert!(!has(&ms, "disk.sda.writeBytes.delta"), "{ms:?}");
    assert_eq!(rates.dropped.0, 2);
    rewrite(&dir, "diskstats", &diskstats(130, 20));
    let ms = disk::collect(&roots, &mut rates, 180.0).expect("fourth");
    assert_eq!(value(&ms, "disk.sda.readBytes.delta"), 120.0 * 512.0 / 60.0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn netdev(rx_packets: u64, rx_errs: u64, tx_drop: u64) -> String {
    format!(
        "Inter-|   Receive                                                |  Transmit\n \
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
         lo: 5000 50 0 0 0 0 0 0 5000 50 0 0 0 0 0 0\n  \
         eth0: 1000 {rx_packets} {rx_errs} 7 0 0 0 0 2000 300 1 {tx_drop} 0 0 0 0\n\
         veth1a2b: 9 9 9 9 0 0 0 0 9 9 9 9 0 0 0 0\n"
    )
}

#[test]
fn interface_packets_errors_and_drops_per_second() {
    let dir = tree("packets", &[("net/dev", &netdev(100, 0, 0))]);
    let roots = Roots::under(&dir);
    let mut rates = Rates::default();
    assert!(
        interface::collect(&roots, &mut rates, 0.0)
            .expect("first")
            .is_empty()
    );
    rewrite(&dir, "net/dev", &netdev(700, 6, 12));
    let ms = interface::collect(&roots, &mut rates, 60.0).expect("second");
    let eth0: Vec<(&str, f64)> = ms
        .iter()
        .filter(|m| m.name.starts_with("interface.eth0."))
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(
        eth0,
        [
            ("interface.eth0.rxBytes.delta", 0.0),
            ("interface.eth0.txBytes.delta", 0.0),
            ("interface.eth0.rxPackets.delta", 10.0),
            ("interface.eth0.rxErrors.delta", 0.1),
            ("interface.eth0.rxDrops.delta", 0.0),
            ("interface.eth0.txPackets.delta", 0.0),
            ("interface.eth0.txErrors.delta", 0.0),
            ("interface.eth0.txDrops.delta", 0.2),
        ]
    );
    assert!(has(&ms, "interface.lo.rxPackets.delta"));
    assert!(
        !ms.iter().any(|m| m.name.contains("veth")),
        "veth* left out"
    );
    // eth0's packet counter goes back (driver reset): dropped, counted.
    rewrite(&dir, "net/dev", &netdev(5, 6, 12));
    let ms = interface::collect(&roots, &mut rates, 120.0).expect("third");
    assert!(!has(&ms, "interface.eth0.rxPackets.delta"), "{ms:?}");
    assert_eq!(rates.dropped.0, 1);
    assert_eq!(value(&ms, "interface.eth0.rxErrors.delta"), 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// listen(2) again on a listening socket: Linux takes the new backlog (std
/// has no way to give one).
#[allow(unsafe_code)]
fn set_backlog(l: &TcpListener, backlog: i32) {
    use std::os::fd::AsRawFd;
    // SAFETY: listen takes no pointers; the fd is the listener's, open.
    let r = unsafe { libc::listen(l.as_raw_fd(), backlog) };
    assert_eq!(r, 0, "listen: {}", std::io::Error::last_os_error());
}

/// The port's queue and limit as the collector reports them, once the
/// queue reads `want` (connections reach the accept queue when the
/// handshake's last ACK is processed, just after connect returns).
fn port_queue(port: u16, want: f64) -> (f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let ms = listen::collect().expect("inet_diag");
        let q = value(&ms, &format!("tcp.listen.{port}.queue"));
        let l = value(&ms, &format!("tcp.listen.{port}.limit"));
        if q == want || Instant::now() > deadline {
            return (q, l);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A listener with backlog 8 and 5 clients connected but not accepted:
/// depth 5, limit 8; accepted, depth 0.
#[test]
fn listen_queue_depth_and_limit_of_a_live_listener() {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    set_backlog(&l, 8);
    let addr = l.local_addr().expect("addr");
    let (q, limit) = port_queue(addr.port(), 0.0);
    assert_eq!((q, limit), (0.0, 8.0), "a fresh listener");
    let clients: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect();
    assert_eq!(port_queue(addr.port(), 5.0), (5.0, 8.0));
    let accepted: Vec<TcpStream> = (0..5).map(|_| l.accept().expect("accept").0).collect();
    assert_eq!(port_queue(addr.port(), 0.0), (0.0, 8.0));
    drop((clients, accepted));
}

/// One port on IPv4 and IPv6: depths summed, the larger limit.
#[test]
fn listeners_on_one_port_at_two_addresses_are_one_port() {
    let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = v4.local_addr().expect("addr").port();
    let v6 = match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("skipped: no IPv6 loopback here ({e})");
            return;
        }
    };
    set_backlog(&v4, 4);
    set_backlog(&v6, 16);
    let _a: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).expect("v4"))
        .collect();
    let _b: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).expect("v6"))
        .collect();
    assert_eq!(port_queue(port, 5.0), (5.0, 16.0));
    // Both listeners are seen, with their own addresses.
    let ls = netlink::tcp_listeners().expect("inet_diag");
    let mine: Vec<_> = ls.iter().filter(|l| l.port == port).collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(
        mine.iter()
            .any(|l| l.addr == Ipv4Addr::LOCALHOST && l.queue == 2 && l.limit == 4)
    );
    assert!(
        mine.iter()
            .any(|l| l.addr == Ipv6Addr::LOCALHOST && l.queue == 3 && l.limit == 16)
    );
}

/// The aggregation alone, on listeners as the kernel would describe them.
#[test]
fn per_port_sums_depths_and_takes_the_largest_limit() {
    let l = |addr: &str, port, queue, limit| netlink::Listener {
        addr: addr.parse().expect("addr"),
        port,
        queue,
        limit,
    };
    let ms = listen::per_port(&[
        l("0.0.0.0", 443, 2, 511),
        l("::", 443, 1, 4096),
        l("127.0.0.1", 22, 0, 128),
    ]);
    assert_eq!(
        ms,
        [
            Metric::new("tcp.listen.22.queue", 0.0),
            Metric::new("tcp.listen.22.limit", 128.0),
            Metric::new("tcp.listen.443.queue", 3.0),
            Metric::new("tcp.listen.443.limit", 4096.0),
        ]
    );
}
