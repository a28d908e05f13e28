//! Starting the server: the data directory, the state database, the first
//! keys, the HTTP listener.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::Api;
use crate::http::{Limits, Server};
use crate::state::{KeyKind, State};

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the state (and later the metrics) live.
    pub data: PathBuf,
    /// `host:port` to listen on.
    pub listen: String,
    /// Write keys to accept besides those in the database (added at start).
    pub write_keys: Vec<String>,
    /// Admin keys to accept besides those in the database.
    pub admin_keys: Vec<String>,
    pub limits: Limits,
    /// How often monitors are evaluated.
    pub evaluate_every: std::time::Duration,
    /// Where the state lives: a `postgres://` URL (fleet mode: instances
    /// sharing it share hosts, monitors, alerts and logins), or a SQLite
    /// file's path. None: `<data>/state.db`.
    pub state: Option<String>,
    /// VictoriaMetrics' URL (`http://127.0.0.1:8428`) to keep metrics in;
    /// `None`: the embedded store in `<data>/metrics`.
    pub metrics_url: Option<String>,
    /// Where incident attachments go (`--artefacts`): `s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT[&region=R]`
    /// (credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`),
    /// a directory, or `None` for `<data>/artefacts`.
    pub artefacts: Option<String>,
    /// Proxies in front whose `X-Forwarded-For` names the client (for the
    /// failed-login limiter); empty when clients connect directly.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// A running server and the keys made at its first start (none after).
pub struct Running {
    pub server: Server,
    /// The API behind it (for what runs beside the server in one process).
    pub api: Arc<Api>,
    pub first_keys: Vec<(KeyKind, String)>,
    /// The dashboard's first user and password, made at the first start
    /// (also in `first-login.txt`, mode 0600); `None` after.
    pub first_login: Option<(String, String)>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Opens the data directory and starts serving.
pub fn start(o: &Options) -> Result<Running, String> {
    std::fs::create_dir_all(&o.data).map_err(|e| {
        format!(
            "{}: cannot create the data directory: {e}",
            o.data.display()
        )
    })?;
    let state = match &o.state {
        Some(url) => State::connect(url),
        None => State::open(&o.data.join("state.db")),
    }
    .map_err(|e| e.to_string())?;
    let mut first_keys = Vec::new();
    if state.key_count().map_err(|e| e.to_string())? == 0 {
        for (kind, name) in [
            (KeyKind::Admin, "first admin key"),
            (KeyKind::Write, "agents"),
        ] {
            let key = state
                .create_key(kind, name, now())
                .map_err(|e| format!("making the first keys: {e}"))?;
            first_keys.push((kind, key));
        }
        write_first_keys(&o.data, &first_keys)?;
    }
    // Keys from the command line hold only while they are given there.
    state
        .remove_keys_named("from the command line")
        .map_err(|e| e.to_string())?;
    for key in &o.admin_keys {
        state
            .add_key(key, KeyKind::Admin, "from the command line", now())
            .map_err(|e| e.to_string())?;
    }
    for key in &o.write_keys {
        state
            .add_key(key, KeyKind::Write, "from the command line", now())
            .map_err(|e| e.to_string())?;
    }
    let listener =
        TcpListener::bind(&o.listen).map_err(|e| format!("cannot listen on {}: {e}", o.listen))?;
    let metrics = open_metrics(o)?;
    let artefacts = crate::artefacts::Artefacts::from_url(o.artefacts.as_deref(), &o.data, &|k| {
        std::env::var(k).ok()
    })
    .map_err(|e| e.to_string())?;
    // A store that is down at start is not fatal: attachments fail with
    // an error that names it (and a note on the incident) until it is back.
    if let Err(e) = artefacts.prepare() {
        eprintln!(
            "sonde server: artefacts in {}: {e}; attachments fail until it answers",
            artefacts.describe()
        );
    }
    let api = Arc::new(Api::new(state, metrics).with_artefacts(artefacts));
    // Monitors run for the server's life (the process ends them).
    crate::monitor::spawn(
        Arc::clone(&api),
        o.evaluate_every,
        Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    // Notifications are delivered for the server's life, beside it.
    crate::notify::spawn(Arc::clone(&api));
    let (mut site, first_login) = crate::web::start(&o.data, Arc::clone(&api))?;
    site.trusted_proxies = o.trusted_proxies.clone();
    let server = Server::start(listener, Arc::new(site), o.limits.clone())
        .map_err(|e| format!("cannot serve on {}: {e}", o.listen))?;
    Ok(Running {
        server,
        api,
        first_keys,
        first_login,
    })
}

/// The metrics store the options name. VictoriaMetrics being down is no
/// reason not to start (writes get 503 until it is back), so it is only
/// checked and warned about.
fn open_metrics(o: &Options) -> Result<crate::metrics::Metrics, String> {
    match &o.metrics_url {
        Some(url) => {
            let vm = crate::victoria::Victoria::new(url).map_err(|e| format!("--metrics {e}"))?;
            if let Err(e) = vm.healthy() {
                eprintln!("sonde server: warning: {e}; metric writes get 503 until it answers");
            }
            Ok(vm.into())
        }
        None => {
            let dir = o.data.join("metrics");
            sonde_tsdb::Store::open(&dir, sonde_tsdb::Options::default())
                .map(Into::into)
                .map_err(|e| format!("{}: the metrics store: {e}", dir.display()))
        }
    }
}

/// The first keys, readable by the owner only, for whoever installs.
fn write_first_keys(data: &Path, keys: &[(KeyKind, String)]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = data.join("first-keys.txt");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for (kind, key) in keys {
        writeln!(f, "{kind:?}\t{key}").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
