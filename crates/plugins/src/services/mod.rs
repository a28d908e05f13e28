//! Metric plugins for the services a host runs (MySQL/MariaDB, PostgreSQL,
//! Redis, nginx, memcached).
//!
//! Each plugin speaks its service's wire protocol itself (no client library,
//! no fork) over a [`net::Stream`] whose every read and write is bounded by
//! one deadline for the whole fetch, so a hung server costs the agent at
//! most `--timeout` seconds. Metric names and graph definitions follow the
//! mackerel-agent-plugins of the same name (`<prefix>.<graph>.<metric>`), so
//! dashboards made for them keep working; the tables in [`graph`] drive both
//! the samples and the meta output, so the two cannot drift apart.

pub mod args;
pub mod graph;
pub mod memcached;
pub mod mysql;
pub mod net;
pub mod nginx;
pub mod postgres;
pub mod redis;

#[cfg(test)]
mod robustness;

use crate::{Builtin, UsageError};

/// The service plugin named `name`, configured from `args`; `None` when no
/// service plugin has that name.
pub fn lookup(name: &str, args: &[String]) -> Option<Result<Builtin, UsageError>> {
    let built = match name {
        "redis" => redis::Redis::from_args(args).map(boxed),
        "memcached" => memcached::Memcached::from_args(args).map(boxed),
        "nginx" => nginx::Nginx::from_args(args).map(boxed),
        "mysql" => mysql::Mysql::from_args(args).map(boxed),
        "postgres" => postgres::Postgres::from_args(args).map(boxed),
        _ => return None,
    };
    Some(built)
}

fn boxed(p: impl crate::MetricPlugin + 'static) -> Builtin {
    Builtin::Metrics(Box::new(p))
}

/// The service plugins: name and one line on what it reads.
pub const NAMES: &[(&str, &str)] = &[
    (
        "mysql",
        "MySQL/MariaDB: commands, connections, threads, traffic, InnoDB, replication, long transactions",
    ),
    (
        "postgres",
        "PostgreSQL: commits, blocks, rows, connections by state, locks by mode, replication lag",
    ),
    (
        "redis",
        "Redis: clients, memory, keys per db, commands, hits/misses, evictions, replication",
    ),
    (
        "memcached",
        "memcached: connections, commands, hits/misses, evictions, traffic, items",
    ),
    (
        "nginx",
        "nginx stub_status: active, reading, writing, waiting, accepts, handled, requests",
    ),
];
