//! `sonde up`: the server and a local agent in one process, with embedded
//! defaults and one data directory; Ctrl-C stops both cleanly.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use clap::Args;

#[derive(Args)]
pub struct UpArgs {
    /// The data directory (server state, metrics, the local agent's queue).
    #[arg(long, default_value = "/var/lib/sonde")]
    data: PathBuf,
    /// Address the server listens on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: String,
    /// Address the local agent serves /metrics on ("" for none).
    #[arg(long, default_value = "127.0.0.1:9464")]
    metrics_listen: String,
}

/// The local agent's write key, made once and kept in the data directory.
fn local_key(data: &std::path::Path) -> Result<String, String> {
    let path = data.join("local-agent.key");
    if let Ok(k) = std::fs::read_to_string(&path) {
        let k = k.trim().to_string();
        if !k.is_empty() {
            return Ok(k);
        }
    }
    let key = sonde_server::state::random_hex(24).map_err(|e| format!("making a key: {e}"))?;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, key.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

pub fn run(args: UpArgs) -> ExitCode {
    let fail = |e: String| {
        eprintln!("sonde up: {e}");
        ExitCode::from(1)
    };
    if let Err(e) = std::fs::create_dir_all(&args.data) {
        return fail(format!("{}: {e}", args.data.display()));
    }
    let key = match local_key(&args.data) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let options = sonde_server::serve::Options {
        data: args.data.join("server"),
        listen: args.listen.clone(),
        write_keys: vec![key.clone()],
        admin_keys: Vec::new(),
        limits: sonde_server::http::Limits::default(),
        evaluate_every: std::time::Duration::from_secs(10),
    };
    let running = match sonde_server::serve::start(&options) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let addr = running.server.addr;
    eprintln!("sonde up: server on http://{addr}");
    for (kind, k) in &running.first_keys {
        eprintln!(
            "sonde up: first {kind:?} key: {k} (kept in {}/first-keys.txt)",
            options.data.display()
        );
    }
    if let Some((user, password)) = &running.first_login {
        eprintln!(
            "sonde up: first login: {user} / {password} (kept in {}/first-login.txt)",
            options.data.display()
        );
    }
    let mut config = sonde_agent::config::Config {
        apibase: Some(format!("http://{addr}")),
        apikey: Some(key),
        root: Some(args.data.join("agent")),
        ..Default::default()
    };
    config.prometheus.listen = args.metrics_listen.clone();
    let handle = sonde_agent::Handle::new(false);
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&handle.stop)) {
            return fail(format!("cannot handle signal {sig}: {e}"));
        }
    }
    eprintln!(
        "sonde up: local agent posting to http://{addr} every {} s; Ctrl-C stops both",
        config.agent.interval_seconds
    );
    let agent = sonde_agent::run(&config, &handle);
    handle.stop.store(true, Ordering::Relaxed);
    running.server.stop();
    match agent {
        Ok(()) => {
            eprintln!("sonde up: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("the local agent: {e}")),
    }
}
