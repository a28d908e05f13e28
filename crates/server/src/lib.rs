//! `sonde server` (issue 5, begun): the metrics path's server stage. It takes
//! what agents send through the `/api/v1/` API (docs/agent-api.md), keeps the
//! server's state (hosts, keys, checks, graph definitions) in SQLite, or in
//! PostgreSQL shared by several instances (`sql`), and serves it over its
//! own HTTP/1.1 layer.

pub mod api;
pub mod http;
pub mod import;
pub mod monitor;
pub mod notify;
pub mod remote_write;
pub mod serve;
pub mod sql;
pub mod state;
pub mod web;
