//! `sonde agent`: the host agent (issue 4). It runs the collectors of
//! `sonde-metrics` and the plugins (Mackerel-format commands and the
//! built-ins of `sonde-plugins`) on a schedule that spreads them over the
//! interval, keeps what they give in a bounded on-disk queue that survives
//! restarts, posts it to the sonde server's `/api/v1/` API, and serves the
//! same values on a Prometheus `/metrics` endpoint.

pub mod config;
pub mod deliver;
pub mod host;
pub mod http;
pub mod jobs;
pub mod prometheus;
pub mod queue;
pub mod run;

pub use run::{Handle, StartError, once, run};

impl Handle {
    /// A handle for a new agent: nothing collected yet, not stopped.
    pub fn new(quiet: bool) -> Handle {
        Handle {
            latest: Default::default(),
            stats: Default::default(),
            log: std::sync::Arc::new(jobs::Log::new(quiet)),
            stop: Default::default(),
        }
    }
}
