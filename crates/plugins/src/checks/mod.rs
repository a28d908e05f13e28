//! Check plugins (HTTP, TCP, TLS certificate, process, log file, DNS) and the
//! timing metric plugins (DNS/TCP/TLS/first-byte times of a URL, DNS lookup
//! time).

use crate::{Builtin, UsageError};

/// The check or timing plugin named `name`, configured from `args`; `None`
/// when none has that name.
pub fn lookup(name: &str, args: &[String]) -> Option<Result<Builtin, UsageError>> {
    let _ = (name, args);
    None
}

/// The check and timing plugins: name and one line on what it does.
pub const NAMES: &[(&str, &str)] = &[];
