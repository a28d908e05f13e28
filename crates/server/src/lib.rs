//! `sonde server` (issue 5, begun): the metrics path's server stage. It takes
//! what agents send through the `/api/v1/` API (docs/agent-api.md), keeps the
//! server's state (hosts, keys, checks, monitors, incidents, logins) in
//! SQLite, or in PostgreSQL shared by several instances (`sql`), and serves
//! it over its own HTTP/1.1 layer. Metrics go to the embedded `sonde_tsdb`
//! store or, in fleet mode, to VictoriaMetrics (`metrics.rs`, `victoria.rs`,
//! through the outgoing HTTP client in `client.rs`, which S3 and webhooks
//! use too); incident attachments to a directory or S3 (`artefacts.rs`,
//! `s3.rs`, `sigv4.rs`).

pub mod api;
pub mod artefacts;
pub mod attachments;
pub mod client;
pub mod http;
pub mod import;
pub mod metrics;
pub mod monitor;
pub mod notify;
pub mod remote_write;
pub mod s3;
pub mod serve;
pub mod sigv4;
pub mod sql;
pub mod state;
pub mod victoria;
pub mod web;
