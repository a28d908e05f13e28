//! `sonde`: one binary for watching hosts, recording what the kernel saw and
//! deciding what may run. This file only parses the command line and hands
//! each subcommand to its module; the work lives in the library crates.

mod agent;
mod dig;
mod server;
mod up;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sonde",
    version,
    about = "Observability and troubleshooting for Linux hosts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read capture files like sysdig: filters, formats, JSON, summaries.
    Dig(dig::DigArgs),
    /// The host agent: collectors and plugins, delivered to the server and
    /// served on a Prometheus /metrics endpoint.
    Agent(agent::AgentArgs),
    /// The server: takes what agents send (the /api/v1/ API) and keeps it.
    Server(server::ServerArgs),
    /// The server and a local agent in one process, with embedded defaults.
    Up(up::UpArgs),
    /// Run a built-in plugin once as a Mackerel-format command (metrics as
    /// `name<TAB>value<TAB>epoch`, meta with MACKEREL_AGENT_PLUGIN_META=1;
    /// checks exit 0/1/2/3). `sonde plugin list` names them.
    // `--help` after the name is the plugin's to answer.
    #[command(disable_help_flag = true)]
    Plugin {
        /// The plugin's name, or `list`.
        name: String,
        /// The plugin's own arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Dig(args) => dig::run(args),
        Command::Agent(args) => agent::run(args),
        Command::Server(args) => server::run(args),
        Command::Up(args) => up::run(args),
        Command::Plugin { name, args } => plugin(&name, &args),
    }
}

/// `sonde plugin NAME ARGS...`.
fn plugin(name: &str, args: &[String]) -> ExitCode {
    if name == "list" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for (n, what) in sonde_plugins::catalogue() {
            if writeln!(out, "{n:<16} {what}").is_err() {
                break;
            }
        }
        return ExitCode::SUCCESS;
    }
    let code = sonde_plugins::run_standalone(name, args, &mut std::io::stdout().lock());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
