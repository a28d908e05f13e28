//! `bpf-floor`: attaches programs that do nothing to the hooks sonde's
//! capture uses, prints `attached`, and holds them until SIGINT or SIGTERM.
//! `scripts/bench-capture.sh` measures a workload under it: the cost of the
//! hooks alone, the floor a capture's overhead is judged against.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn main() -> std::process::ExitCode {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&stop)) {
            eprintln!("bpf-floor: installing the signal handlers: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    let floor = match sonde_kernel::Floor::attach() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("bpf-floor: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("attached");
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(floor);
    std::process::ExitCode::SUCCESS
}
