//! `sonde up`: the server and a local agent in one process, with embedded
//! defaults and one data directory, and (as root, on a kernel with BTF) a
//! flight recorder: when an alert opens an incident, the system calls of the
//! moments before and after it are written to a capture file and attached
//! to the incident's timeline (stored through the server's artefacts: the
//! data directory, or S3 with `--artefacts`). Ctrl-C stops everything
//! cleanly.

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
    /// Where files attached to incidents (the flight recorder's captures)
    /// go, as for `sonde server --artefacts`. Default: DATA/server/artefacts.
    #[arg(long, value_name = "URL")]
    artefacts: Option<String>,
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

/// The flight recorder beside the server: keeps the newest system calls in
/// memory; each new incident (told through `on_incident`) fires it, and the
/// file is attached to the incident. None when the machine does not allow
/// capture (said why).
fn start_capture(
    data: &std::path::Path,
    api: Arc<sonde_server::api::Api>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    use sonde_capture::live::{LiveSource, RingNews, RingStore, Store};
    if !sonde_kernel::running_as_root() {
        eprintln!("sonde up: capture: needs root; not started");
        return None;
    }
    let options = sonde_kernel::ProbeOptions {
        skip_tgid: Some(std::process::id()),
        ..Default::default()
    };
    let dir = data.join("captures");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("sonde up: capture: {}: {e}; not started", dir.display());
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel::<i64>();
    // The probe lives on its thread (it is not Send); whether it opened
    // comes back here.
    let (opened_tx, opened_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let api2 = Arc::clone(&api);
    let shown = dir.clone();
    let thread = std::thread::spawn(move || {
        let api = api2;
        let mut source = match LiveSource::open(&options) {
            Ok(s) => {
                let _ = opened_tx.send(Ok(()));
                s
            }
            Err(e) => {
                let _ = opened_tx.send(Err(e.to_string()));
                return;
            }
        };
        let mut store = Store::Ring(Box::new(RingStore::new(
            64 << 20,
            std::time::Duration::from_secs(5),
            Some(dir.join("incident.scap")),
            false,
            source.header().clone(),
        )));
        let trigger = sonde_capture::recorder::Trigger::new();
        let mut pending = std::collections::VecDeque::new();
        let mut current: Option<i64> = None;
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        };
        while !stop.load(Ordering::Relaxed) {
            if let Err(e) = source.poll(std::time::Duration::from_millis(20), |cpu, bytes| {
                let _ = store.keep(cpu, 0, bytes);
            }) {
                eprintln!("sonde up: capture stopped: {e}");
                break;
            }
            pending.extend(rx.try_iter());
            if current.is_none()
                && let Some(id) = pending.pop_front()
            {
                trigger.fire();
                current = Some(id);
            }
            let Store::Ring(ring) = &mut store else {
                break;
            };
            let Some(news) = ring.tick(&trigger) else {
                continue;
            };
            let Some(incident) = current else { continue };
            let note = |kind: &str, text: String, data: Option<serde_json::Value>| {
                let _ = api.state.add_incident_event(
                    incident,
                    kind,
                    &text,
                    data.as_ref(),
                    false,
                    now(),
                );
            };
            match news {
                RingNews::Started { path, after, .. } => note(
                    "note",
                    format!(
                        "capturing system calls to {} (the recorder's, then {} s more)",
                        path.display(),
                        after.as_secs()
                    ),
                    None,
                ),
                RingNews::Wrote(path) => {
                    // Renamed first: the next capture writes the same file
                    // while this one is still being stored.
                    let name = format!("incident-{incident}.scap");
                    let kept = path.with_file_name(&name);
                    let from = match std::fs::rename(&path, &kept) {
                        Ok(()) => kept,
                        Err(_) => path,
                    };
                    // Stored beside the recorder (an upload to S3 takes a
                    // while; the recorder keeps recording).
                    let api = Arc::clone(&api);
                    std::thread::spawn(move || {
                        match sonde_server::attachments::attach_file(
                            &api,
                            incident,
                            &name,
                            &from,
                            "system-call capture (sysdig format; read it with `sonde dig -r`)",
                        ) {
                            Ok(_) => {
                                let _ = std::fs::remove_file(&from);
                            }
                            Err(e) => {
                                // The incident has a note saying why; this
                                // one says where the capture is instead.
                                let _ = api.state.add_incident_event(
                                    incident,
                                    "note",
                                    &format!(
                                        "the capture is kept on this machine: {}",
                                        from.display()
                                    ),
                                    None,
                                    false,
                                    now(),
                                );
                                eprintln!(
                                    "sonde up: incident {incident}: the capture stays in {}: {e}",
                                    from.display()
                                );
                            }
                        }
                    });
                    current = None;
                }
                RingNews::Failed(e) => {
                    note("note", format!("the capture failed: {e}"), None);
                    current = None;
                }
            }
        }
        let _ = store.finish();
    });
    match opened_rx.recv() {
        Ok(Ok(())) => {
            let _ = api.on_incident.set(Box::new(move |id| {
                let _ = tx.send(id);
            }));
            eprintln!(
                "sonde up: flight recorder on (64 MB of system calls in memory; incidents get a capture in {})",
                shown.display()
            );
            Some(thread)
        }
        Ok(Err(e)) => {
            eprintln!("sonde up: capture: {e}; not started");
            let _ = thread.join();
            None
        }
        Err(_) => None,
    }
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
        state: None,
        metrics_url: None,
        artefacts: args.artefacts.clone(),
        trusted_proxies: Vec::new(),
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
    let capture = start_capture(
        &args.data,
        Arc::clone(&running.api),
        Arc::clone(&handle.stop),
    );
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
    if let Some(c) = capture {
        let _ = c.join();
    }
    running.server.stop();
    match agent {
        Ok(()) => {
            eprintln!("sonde up: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("the local agent: {e}")),
    }
}
