//! `sonde server` (issue 5, begun): the metrics path's server stage. It takes
//! what agents send through the `/api/v1/` API (docs/agent-api.md), keeps the
//! server's state (hosts, keys, checks, graph definitions) in SQLite, and
//! serves it over its own HTTP/1.1 layer.

pub mod api;
pub mod artefacts;
pub mod attachments;
pub mod http;
pub mod http_client;
pub mod import;
pub mod monitor;
pub mod notify;
pub mod remote_write;
pub mod s3;
pub mod serve;
pub mod sigv4;
pub mod state;
pub mod web;
