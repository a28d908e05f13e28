//! `ingest-bench SONDE_URL SONDE_KEY VM_URL [HOSTS METRICS POINTS THREADS]`
//!
//! Generates agent-like data once (HOSTS x METRICS series, POINTS samples
//! each, one every 120 s over the last POINTS x 2 minutes; gauges wandering
//! slowly and counters growing), posts the same batches of Prometheus text
//! to sonde (`/api/v1/import/prometheus`) and to VictoriaMetrics
//! (`/api/v1/import/prometheus`) from THREADS keep-alive connections each,
//! and prints samples per second acknowledged. Then 24 h range queries of
//! one metric across every host (HOSTS series, step 300 s), 60 of them,
//! against both: p50 and p99 latency. Prints one `name value` line per
//! figure for the calling script.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn hostport(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// One keep-alive connection.
struct Conn {
    hostport: String,
    stream: BufReader<TcpStream>,
}

impl Conn {
    fn new(hostport: &str) -> Conn {
        let s = TcpStream::connect(hostport).unwrap_or_else(|e| panic!("{hostport}: {e}"));
        let _ = s.set_nodelay(true);
        let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
        Conn {
            hostport: hostport.to_string(),
            stream: BufReader::new(s),
        }
    }

    /// A request; (status, body).
    fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.hostport,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let w = self.stream.get_mut();
        w.write_all(head.as_bytes()).expect("send");
        w.write_all(body).expect("send body");
        let mut line = String::new();
        self.stream.read_line(&mut line).expect("status");
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let (mut len, mut chunked) = (0usize, false);
        loop {
            line.clear();
            self.stream.read_line(&mut line).expect("header");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).expect("chunk");
                let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                if n == 0 {
                    line.clear();
                    let _ = self.stream.read_line(&mut line);
                    break;
                }
                let start = body.len();
                body.resize(start + n, 0);
                self.stream
                    .read_exact(&mut body[start..])
                    .expect("chunk body");
                line.clear();
                self.stream.read_line(&mut line).expect("chunk end");
            }
        } else {
            body.resize(len, 0);
            self.stream.read_exact(&mut body).expect("body");
        }
        (status, body)
    }
}

fn arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: ingest-bench SONDE_URL SONDE_KEY VM_URL [HOSTS METRICS POINTS THREADS]");
        std::process::exit(2);
    }
    let (sonde, key, vm) = (hostport(&args[1]), args[2].clone(), hostport(&args[3]));
    let hosts = arg(&args, 4, 100);
    let metrics = arg(&args, 5, 50);
    let points = arg(&args, 6, 720);
    let threads = arg(&args, 7, 4);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let start = now - points as i64 * 120;

    // The data, once: batches of about 1 MB, one time slice of every series
    // per batch (as agents send them).
    let mut batches: Vec<Vec<u8>> = Vec::new();
    let mut cur = String::with_capacity(1 << 20);
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut gauges = vec![50.0f64; hosts * metrics];
    let mut total = 0usize;
    for p in 0..points {
        let ts = (start + p as i64 * 120) * 1000;
        for h in 0..hosts {
            for m in 0..metrics {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let g = &mut gauges[h * metrics + m];
                let v = if m % 3 == 0 {
                    // A counter.
                    (p as f64 * 60.0 * (m + 1) as f64).round()
                } else {
                    *g = (*g + ((rng % 201) as f64 - 100.0) / 100.0).clamp(0.0, 100.0);
                    (*g * 100.0).round() / 100.0
                };
                cur.push_str(&format!(
                    "bench_m{m}{{host=\"h{h}\",job=\"bench\"}} {v} {ts}\n"
                ));
                total += 1;
                if cur.len() >= 1 << 20 {
                    batches.push(std::mem::take(&mut cur).into_bytes());
                    cur.reserve(1 << 20);
                }
            }
        }
    }
    if !cur.is_empty() {
        batches.push(cur.into_bytes());
    }
    let batches = Arc::new(batches);
    println!("samples {total}");
    println!("batches {}", batches.len());

    let ingest = |target: &str, path: &str, headers: Vec<(String, String)>| -> f64 {
        let next = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (batches, next, target, path, headers) = (
                    Arc::clone(&batches),
                    Arc::clone(&next),
                    target.to_string(),
                    path.to_string(),
                    headers.clone(),
                );
                std::thread::spawn(move || {
                    let mut c = Conn::new(&target);
                    let h: Vec<(&str, &str)> = headers
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(b) = batches.get(i) else { break };
                        let (status, body) = c.call("POST", &path, &h, b);
                        assert!(
                            (200..300).contains(&status),
                            "{target}{path}: {status} {}",
                            String::from_utf8_lossy(&body)
                        );
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("sender");
        }
        total as f64 / t0.elapsed().as_secs_f64()
    };
    let vm_rate = ingest(&vm, "/api/v1/import/prometheus", Vec::new());
    println!("vm_ingest_samples_per_s {vm_rate:.0}");
    let sonde_rate = ingest(
        &sonde,
        "/api/v1/import/prometheus",
        vec![("X-Api-Key".to_string(), key.clone())],
    );
    println!("sonde_ingest_samples_per_s {sonde_rate:.0}");
    println!("ingest_ratio {:.2}", sonde_rate / vm_rate);

    // Dashboard queries: one metric on every host over 24 h, step 300 s.
    // VictoriaMetrics makes recently imported data searchable within a few
    // seconds: wait until its first query sees every host.
    // Aligned to 5 minutes, as a dashboard asks (so either store may answer
    // from its rollups).
    let to = now - now % 300;
    let from = to - 86_400;
    let mut vmc = Conn::new(&vm);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = vmc.call(
            "GET",
            &format!("/api/v1/query_range?query=bench_m1&start={from}&end={to}&step=300"),
            &[],
            b"",
        );
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if v["data"]["result"]
            .as_array()
            .is_some_and(|r| r.len() == hosts)
            || Instant::now() > deadline
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut sc = Conn::new(&sonde);
    let lat = |c: &mut Conn,
               path: &dyn Fn(usize) -> String,
               headers: &[(&str, &str)]|
     -> (f64, f64, usize) {
        let mut times = Vec::new();
        let mut series = 0;
        for q in 0..60 {
            let t0 = Instant::now();
            let (status, body) = c.call("GET", &path(q % metrics), headers, b"");
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            series = v["data"]["result"]
                .as_array()
                .or(v["series"].as_array())
                .map_or(0, Vec::len);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        (
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            series,
        )
    };
    let (vm50, vm99, vmn) = lat(
        &mut vmc,
        &|m| format!("/api/v1/query_range?query=bench_m{m}&start={from}&end={to}&step=300"),
        &[],
    );
    let (s50, s99, sn) = lat(
        &mut sc,
        &|m| format!("/api/v1/metrics?name=bench_m{m}&from={from}&to={to}&step=300"),
        &[("X-Api-Key", key.as_str())],
    );
    println!("vm_query_series {vmn}");
    println!("sonde_query_series {sn}");
    println!("vm_query_p50_ms {vm50:.2}");
    println!("vm_query_p99_ms {vm99:.2}");
    println!("sonde_query_p50_ms {s50:.2}");
    println!("sonde_query_p99_ms {s99:.2}");
}
