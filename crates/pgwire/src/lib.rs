//! sonde's own PostgreSQL client, shared by the agent's `postgres` plugin
//! (which reads statistics) and the server (which keeps its state in
//! PostgreSQL in fleet mode).
//!
//! [`proto`] is the protocol with no I/O of its own (messages, SCRAM,
//! reply decoding), [`login`] logs in over any stream, [`Connection`] is a
//! blocking session over TCP or a unix socket named by a URL, and
//! [`placeholders`] lets one SQL text serve SQLite and PostgreSQL.

pub mod conn;
pub mod login;
pub mod placeholders;
pub mod proto;

pub use conn::{Address, Config, Connection, redact};
pub use login::{Login, Session, login};
pub use proto::{Oid, Rows, WireError};
