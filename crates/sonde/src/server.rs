//! `sonde server`: reads the command line and hands it to `sonde_server`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;

#[derive(Args)]
pub struct ServerArgs {
    /// The data directory (state database, metrics).
    #[arg(long, default_value = "/var/lib/sonde/server")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: String,
    /// A write key to accept (agents), besides those the server made; may
    /// be repeated.
    #[arg(long = "write-key")]
    write_keys: Vec<String>,
    /// An admin key to accept (monitors, silences); may be repeated.
    #[arg(long = "admin-key")]
    admin_keys: Vec<String>,
    /// Seconds between evaluations of the monitors.
    #[arg(long, default_value_t = 10)]
    evaluate_every: u64,
    /// Where the state (hosts, keys, monitors, alerts, incidents, users)
    /// lives: `postgres://user[:password]@host[:port]/db` or
    /// `postgres:///db?host=/socket/dir&user=NAME` to share it between
    /// server instances (fleet mode), or a SQLite file. Default:
    /// `<data>/state.db`.
    #[arg(long, value_name = "URL")]
    state: Option<String>,
    /// Keep metrics in VictoriaMetrics at this URL (e.g.
    /// http://127.0.0.1:8428) instead of the embedded store in
    /// DATA/metrics. Start it with -search.latencyOffset=1s and
    /// -dedup.minScrapeInterval=1ms (docs/victoriametrics.md).
    #[arg(long = "metrics", value_name = "URL")]
    metrics_url: Option<String>,
    /// Where files attached to incidents go:
    /// `s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT[&region=REGION]`
    /// (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or a
    /// directory. Default: DATA/artefacts.
    #[arg(long, value_name = "URL")]
    artefacts: Option<String>,
    /// A proxy (load balancer) in front, by address; repeatable. From it,
    /// the failed-login limiter takes the client from X-Forwarded-For.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
}

pub fn run(args: ServerArgs) -> ExitCode {
    let options = sonde_server::serve::Options {
        data: args.data,
        listen: args.listen,
        write_keys: args.write_keys,
        admin_keys: args.admin_keys,
        limits: sonde_server::http::Limits::default(),
        evaluate_every: std::time::Duration::from_secs(args.evaluate_every.max(1)),
        state: args.state,
        metrics_url: args.metrics_url,
        artefacts: args.artefacts,
        trusted_proxies: args.trusted_proxies,
    };
    let running = match sonde_server::serve::start(&options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sonde server: {e}");
            return ExitCode::from(1);
        }
    };
    eprintln!("sonde server: listening on http://{}", running.server.addr);
    for (kind, key) in &running.first_keys {
        eprintln!(
            "sonde server: first {kind:?} key: {key} (also in {}/first-keys.txt)",
            options.data.display()
        );
    }
    if let Some((user, password)) = &running.first_login {
        eprintln!(
            "sonde server: first login: {user} / {password} (also in {}/first-login.txt)",
            options.data.display()
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&stop)) {
            eprintln!("sonde server: cannot handle signal {sig}: {e}");
            return ExitCode::from(1);
        }
    }
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    running.server.stop();
    eprintln!("sonde server: stopped");
    ExitCode::SUCCESS
}
