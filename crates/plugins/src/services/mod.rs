//! Metric plugins for the services a host runs (MySQL/MariaDB, PostgreSQL,
//! Redis, nginx, memcached).

use crate::{Builtin, UsageError};

/// The service plugin named `name`, configured from `args`; `None` when no
/// service plugin has that name.
pub fn lookup(name: &str, args: &[String]) -> Option<Result<Builtin, UsageError>> {
    let _ = (name, args);
    None
}

/// The service plugins: name and one line on what it reads.
pub const NAMES: &[(&str, &str)] = &[];
