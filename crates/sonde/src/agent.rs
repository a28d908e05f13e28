//! `sonde agent`: the host agent. This module reads the command line and the
//! config and hands them to `sonde_agent`; the work lives there.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use sonde_agent::config::{self, Config};

#[derive(Args)]
pub struct AgentArgs {
    /// The config file (default /etc/sonde/agent.toml; when that does not
    /// exist the agent runs with its built-in defaults).
    #[arg(short = 'c', long = "config", global = true)]
    config: Option<PathBuf>,
    /// Where the host's /proc is (an agent in a container reads the host's).
    #[arg(long, global = true)]
    procfs: Option<PathBuf>,
    /// Where the host's /sys is.
    #[arg(long, global = true)]
    sysfs: Option<PathBuf>,
    /// Where the host's root file system is (for file-system usage).
    #[arg(long, global = true)]
    rootfs: Option<PathBuf>,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Subcommand)]
enum Action {
    /// Collect, serve /metrics and deliver until stopped (the default).
    Run,
    /// Check the config file and exit: 0 when it is valid.
    Configtest,
    /// Collect one round of every metric and check and print it as JSON.
    Once,
}

fn load(args: &AgentArgs) -> Result<Config, String> {
    let mut config = match &args.config {
        Some(path) => config::load(path).map_err(|e| e.to_string())?,
        None => {
            let path = PathBuf::from(config::DEFAULT_PATH);
            if path.exists() {
                config::load(&path).map_err(|e| e.to_string())?
            } else {
                Config::default()
            }
        }
    };
    if let Some(p) = &args.procfs {
        config.agent.procfs = p.clone();
    }
    if let Some(p) = &args.sysfs {
        config.agent.sysfs = p.clone();
    }
    if let Some(p) = &args.rootfs {
        config.agent.rootfs = p.clone();
    }
    Ok(config)
}

pub fn run(args: AgentArgs) -> ExitCode {
    let config = match load(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sonde agent: {e}");
            return ExitCode::from(2);
        }
    };
    match args.action.unwrap_or(Action::Run) {
        Action::Configtest => {
            // Plugins are set up too: a built-in's arguments or a user that
            // does not exist are config errors.
            match sonde_agent::jobs::all(&config) {
                Ok(jobs) => {
                    let path = args
                        .config
                        .unwrap_or_else(|| PathBuf::from(config::DEFAULT_PATH));
                    println!("{}: OK ({} jobs)", path.display(), jobs.len());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sonde agent: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Action::Once => match sonde_agent::once(&config) {
            Ok(v) => {
                use std::io::Write;
                let text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string());
                // A closed pipe (`| head`) is not an error worth a message.
                let _ = writeln!(std::io::stdout().lock(), "{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sonde agent: {e}");
                ExitCode::from(2)
            }
        },
        Action::Run => {
            let handle = sonde_agent::Handle::new(config.silent);
            for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&handle.stop)) {
                    eprintln!("sonde agent: cannot handle signal {sig}: {e}");
                    return ExitCode::from(1);
                }
            }
            if let Some(pidfile) = &config.pidfile
                && let Err(e) = std::fs::write(pidfile, format!("{}\n", std::process::id()))
            {
                eprintln!("sonde agent: {}: {e}", pidfile.display());
                return ExitCode::from(1);
            }
            match sonde_agent::run(&config, &handle) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sonde agent: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
