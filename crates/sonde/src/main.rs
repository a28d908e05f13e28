//! `sonde`: one binary for watching hosts, recording what the kernel saw and
//! deciding what may run. This file only parses the command line and hands
//! each subcommand to its module; the work lives in the library crates.

mod dig;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Dig(args) => dig::run(args),
    }
}
