//! The collectors on fixture trees (through the root-path seam), and the
//! steal regression: a /proc/stat whose steal goes backwards gives no absurd
//! percentage (mackerel-agent's unsigned subtraction posted ~1.8e19).

use std::path::{Path, PathBuf};

use sonde_metrics::cpu::{CpuUsage, parse_stat};
use sonde_metrics::{Metric, Roots, loadavg, memory};

/// A fixture tree with these /proc files.
fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sonde-metrics-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc")).expect("fixture dir");
    for (file, text) in files {
        std::fs::write(dir.join("proc").join(file), text).expect("fixture file");
    }
    dir
}

fn value(ms: &[Metric], name: &str) -> f64 {
    ms.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} in {ms:?}"))
        .value
}

/// Two CPUs; columns: user nice system idle iowait irq softirq steal guest guest_nice.
fn stat(cols: [u64; 10]) -> String {
    let line: Vec<String> = cols.iter().map(u64::to_string).collect();
    format!(
        "cpu  {}\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nintr 1 2 3\nctxt 99\n",
        line.join(" ")
    )
}

fn rewrite(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join("proc").join(file), text).expect("fixture file");
}

#[test]
fn cpu_percentages_add_up_to_ncpu_times_100() {
    let dir = tree(
        "cpu",
        &[("stat", &stat([100, 0, 50, 800, 10, 0, 5, 20, 10, 0]))],
    );
    let roots = Roots::under(&dir);
    let mut cpu = CpuUsage::default();
    assert!(
        cpu.collect(&roots).expect("first").is_empty(),
        "no rate from one sample"
    );
    // +200 ticks: user 60 (of which guest 20), system 20, idle 100, steal 20.
    rewrite(&dir, "stat", &stat([160, 0, 70, 900, 10, 0, 5, 40, 30, 0]));
    let ms = cpu.collect(&roots).expect("second");
    // (guest is counted in user too; posted user is without it.)
    let sum: f64 = ms.iter().map(|m| m.value).sum();
    assert!(
        (sum - 200.0).abs() < 1e-9,
        "the posted modes sum to ncpu x 100: {sum}"
    );
    assert!(
        (value(&ms, "cpu.user.percentage") - 40.0).abs() < 1e-9,
        "user without guest: 40 of 200 ticks x 2 x 100"
    );
    assert!((value(&ms, "cpu.steal.percentage") - 20.0).abs() < 1e-9);
    assert!((value(&ms, "cpu.idle.percentage") - 100.0).abs() < 1e-9);
    assert!((value(&ms, "cpu.guest.percentage") - 20.0).abs() < 1e-9);
    assert!(
        ms.iter().all(|m| m.name != "cpu.guest_nice.percentage"),
        "guest_nice is not posted"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The support case: a kernel bug made steal go backwards; mackerel-agent
/// subtracted unsigned and showed steal near 100 %. Here the sample is
/// dropped and counted, and the next one is measured from the new base.
#[test]
fn steal_going_backwards_drops_the_sample_instead_of_wrapping() {
    let mut cpu = CpuUsage::default();
    let s = |cols| parse_stat(&stat(cols)).expect("parses");
    cpu.sample(s([100, 0, 50, 800, 10, 0, 5, 5000, 0, 0]));
    // steal 5000 -> 4000: the counter went backwards.
    let ms = cpu.sample(s([150, 0, 60, 900, 10, 0, 5, 4000, 0, 0]));
    assert!(
        ms.is_empty(),
        "no percentages from a sample with a counter going back: {ms:?}"
    );
    assert_eq!(cpu.dropped.0, 1, "the dropped sample is counted");
    // What an unsigned subtraction would have posted.
    let wrapped = 4000u64.wrapping_sub(5000) as f64 * 2.0 * 100.0;
    assert!(wrapped > 1e18);
    // The next sample is measured from the new base, and is sane.
    let ms = cpu.sample(s([200, 0, 90, 1000, 10, 0, 5, 4020, 0, 0]));
    assert!(
        ms.iter().all(|m| (0.0..=200.0).contains(&m.value)),
        "{ms:?}"
    );
    assert!((value(&ms, "cpu.steal.percentage") - 20.0).abs() < 1e-9);
}

#[test]
fn a_bad_stat_is_a_clear_error() {
    let err = parse_stat("cpu  1 2 x 4\n").expect_err("not numbers");
    assert!(
        err.to_string()
            .starts_with("stat: line 1: a cpu time is not a number"),
        "{err}"
    );
    assert!(parse_stat("intr 1 2\n").is_err(), "no cpu line");
}

#[test]
fn loadavg_and_memory_are_named_as_mackerel_names_them() {
    let dir = tree(
        "mem",
        &[
            ("loadavg", "0.52 0.58 0.59 2/415 12345\n"),
            (
                "meminfo",
                "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    6000000 kB\n\
                 Buffers:          200000 kB\nCached:          3000000 kB\nSwapCached:          100 kB\n\
                 SwapTotal:       2000000 kB\nSwapFree:        1500000 kB\nCommitLimit:    10000000 kB\n\
                 Committed_AS:    7000000 kB\n",
            ),
        ],
    );
    let roots = Roots::under(&dir);
    let la = loadavg::collect(&roots).expect("loadavg");
    assert_eq!(
        la,
        [
            Metric::new("loadavg1", 0.52),
            Metric::new("loadavg5", 0.58),
            Metric::new("loadavg15", 0.59)
        ]
    );
    let mem = memory::collect(&roots).expect("meminfo");
    let kb = |n: f64| n * 1024.0;
    assert_eq!(value(&mem, "memory.total"), kb(16_000_000.0));
    assert_eq!(
        value(&mem, "memory.used"),
        kb(10_000_000.0),
        "total - MemAvailable"
    );
    assert_eq!(value(&mem, "memory.mem_available"), kb(6_000_000.0));
    assert_eq!(value(&mem, "memory.free"), kb(1_000_000.0));
    assert_eq!(value(&mem, "memory.buffers"), kb(200_000.0));
    assert_eq!(value(&mem, "memory.cached"), kb(3_000_000.0));
    assert_eq!(value(&mem, "memory.swap_total"), kb(2_000_000.0));
    assert_eq!(value(&mem, "memory.swap_cached"), kb(100.0));
    assert_eq!(value(&mem, "memory.commit_limit"), kb(10_000_000.0));
    assert_eq!(value(&mem, "memory.swap_free"), kb(1_500_000.0));
    assert_eq!(value(&mem, "memory.committed_as"), kb(7_000_000.0));
    // An old kernel without MemAvailable: used = total - free - buffers - cached.
    let old = memory::parse("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
    assert_eq!(value(&old, "memory.used"), kb(600.0));
    assert_eq!(value(&old, "memory.cached"), kb(250.0));
    // A missing file names itself.
    std::fs::remove_file(dir.join("proc/loadavg")).expect("rm");
    let err = loadavg::collect(&roots).expect_err("missing");
    assert!(err.to_string().contains("proc/loadavg"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// On this machine: the real /proc gives sane values.
#[test]
fn this_machine_reads_sane() {
    let roots = Roots::host();
    let mut cpu = CpuUsage::default();
    cpu.collect(&roots).expect("stat");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let ms = cpu.collect(&roots).expect("stat");
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    assert!(
        ms.iter().all(|m| (0.0..=ncpu * 100.0).contains(&m.value)),
        "{ms:?}"
    );
    assert!(value(&memory::collect(&roots).expect("meminfo"), "memory.total") > 0.0);
    assert_eq!(loadavg::collect(&roots).expect("loadavg").len(), 3);
}

/// Disk and network rates per second; a device whose counters were reset
/// gives no rate for that sample (counted), then rates again.
#[test]
fn disk_and_interface_rates_per_second_survive_a_reset() {
    use sonde_metrics::counter::Rates;
    use sonde_metrics::{disk, interface};
    let diskstats = |reads: u64, writes: u64| {
        format!(
            "   8       0 sda {reads} 0 0 0 {writes} 0 0 0 0 0 0\n 253       0 dm-0 5 0 0 0 5 0 0 0 0 0 0\n   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n"
        )
    };
    let netdev = |rx: u64, tx: u64| {
        format!(
            "Inter-|   Receive                            |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n  eth0: {rx} 10 0 0 0 0 0 0 {tx} 10 0 0 0 0 0 0\nveth12ab: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n"
        )
    };
    let dir = tree("rates", &[("diskstats", &diskstats(100, 50))]);
    std::fs::create_dir_all(dir.join("proc/net")).expect("net dir");
    rewrite(&dir, "net/dev", &netdev(1000, 500));
    let roots = Roots::under(&dir);
    let (mut dr, mut nr) = (Rates::default(), Rates::default());
    assert!(
        disk::collect(&roots, &mut dr, 0.0)
            .expect("disk")
            .is_empty()
    );
    assert!(
        interface::collect(&roots, &mut nr, 0.0)
            .expect("net")
            .is_empty()
    );
    rewrite(&dir, "diskstats", &diskstats(160, 80));
    rewrite(&dir, "net/dev", &netdev(7000, 3500));
    let d = disk::collect(&roots, &mut dr, 60.0).expect("disk");
    // (The bytes beside the operations are tests/network.rs's.)
    let d: Vec<Metric> = d
        .into_iter()
        .filter(|m| m.name.ends_with(".reads.delta") || m.name.ends_with(".writes.delta"))
        .collect();
    assert_eq!(
        d,
        [
            Metric::new("disk.sda.reads.delta", 1.0),
            Metric::new("disk.sda.writes.delta", 0.5)
        ],
        "per second; dm-* and idle devices left out"
    );
    let n = interface::collect(&roots, &mut nr, 60.0).expect("net");
    // (The packets, errors and drops beside the bytes are tests/network.rs's.)
    let n: Vec<Metric> = n
        .into_iter()
        .filter(|m| m.name.ends_with("xBytes.delta"))
        .collect();
    assert_eq!(
        n,
        [
            Metric::new("interface.eth0.rxBytes.delta", 100.0),
            Metric::new("interface.eth0.txBytes.delta", 50.0)
        ],
        "veth* left out"
    );
    // eth0 reset (counters back near zero): no rate this time, counted.
    rewrite(&dir, "net/dev", &netdev(10, 5));
    assert!(
        interface::collect(&roots, &mut nr, 120.0)
            .expect("net")
            .iter()
            .all(|m| !m.name.ends_with("xBytes.delta"))
    );
    assert_eq!(nr.dropped.0, 2);
    rewrite(&dir, "net/dev", &netdev(610, 305));
    let n = interface::collect(&roots, &mut nr, 180.0).expect("net");
    assert_eq!(value(&n, "interface.eth0.rxBytes.delta"), 10.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn process_and_thread_counts() {
    let dir = tree(
        "procs",
        &[
            (
                "stat",
                "cpu  1 2 3 4\ncpu0 1 2 3 4\nprocs_running 3\nprocs_blocked 1\n",
            ),
            ("loadavg", "0.10 0.20 0.30 3/412 999\n"),
        ],
    );
    for pid in ["1", "42", "4242"] {
        std::fs::create_dir_all(dir.join("proc").join(pid)).expect("pid dir");
    }
    std::fs::create_dir_all(dir.join("proc/sys")).expect("non-pid dir");
    let ms = sonde_metrics::processes::collect(&Roots::under(&dir)).expect("collect");
    assert_eq!(
        ms,
        [
            Metric::new("processes.total", 3.0),
            Metric::new("processes.running", 3.0),
            Metric::new("processes.blocked", 1.0),
            Metric::new("threads.total", 412.0)
        ]
    );
    let host = sonde_metrics::processes::collect(&Roots::host()).expect("this machine");
    assert!(value(&host, "processes.total") >= 1.0 && value(&host, "threads.total") >= 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}
