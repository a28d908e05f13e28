//! TCP connections per state (`tcp.state.ESTAB`, `tcp.state.TIME-WAIT`,
//! ...), IPv4 and IPv6 together, from the `st` column of /proc/net/tcp and
//! /proc/net/tcp6.
//!
//! The state names are the ones `ss` prints, which is what
//! mackerel-plugin-linux posts in its `linux.ss` graph (`ESTAB`, `SYN-SENT`,
//! ..., `UNCONN` for CLOSE). The prefix is our own: that plugin counts every
//! line of `ss -na`, UNIX and UDP sockets included, so its values are not
//! these, and sharing its keys would silently change what a graph means.
//! Every state is posted, zeros included, so graphs stay continuous.
//!
//! A busy host has 100k sockets or more (15 MB of text): the files are
//! streamed through one reused line buffer, never read whole and never
//! allocated per line, so reading them costs the agent 64 KB whatever the
//! host's load.

use std::io::BufRead;
use std::path::Path;

use crate::{Metric, ReadError, Roots};

/// The states `/proc/net/tcp` shows, by their kernel number
/// (`include/net/tcp_states.h`) and the name `ss` gives them.
/// (NEW_SYN_RECV request sockets are shown as SYN-RECV by the kernel;
/// BOUND_INACTIVE sockets are not in these tables.)
pub const STATES: [(u8, &str); 11] = [
    (0x01, "ESTAB"),
    (0x02, "SYN-SENT"),
    (0x03, "SYN-RECV"),
    (0x04, "FIN-WAIT-1"),
    (0x05, "FIN-WAIT-2"),
    (0x06, "TIME-WAIT"),
    (0x07, "UNCONN"),
    (0x08, "CLOSE-WAIT"),
    (0x09, "LAST-ACK"),
    (0x0A, "LISTEN"),
    (0x0B, "CLOSING"),
];

/// Sockets counted per state, over any number of tables.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StateCounts {
    /// Indexed by the kernel's state number (0 is unused).
    pub by_state: [u64; 12],
    /// Lines that were not a socket of a known state (short, unknown
    /// state): skipped, and counted so a format change shows.
    pub skipped: u64,
}

impl StateCounts {
    /// One metric per state, zeros included, in [`STATES`] order.
    pub fn metrics(&self) -> Vec<Metric> {
        STATES
            .iter()
            .map(|(st, name)| {
                Metric::new(
                    format!("tcp.state.{name}"),
                    self.by_state[usize::from(*st)] as f64,
                )
            })
            .collect()
    }
}

/// Counts the sockets of one /proc/net/tcp-format table read from `reader`
/// (`path` names it in errors). The first line must be the table's header;
/// a table without one is an error, a line that is not a socket is skipped.
pub fn count(
    mut reader: impl BufRead,
    path: &Path,
    counts: &mut StateCounts,
) -> Result<(), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut line = Vec::with_capacity(256);
    let mut number = 0usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        number += 1;
        let mut fields = line
            .split(u8::is_ascii_whitespace)
            .filter(|f| !f.is_empty());
        if number == 1 {
            // "  sl  local_address rem_address   st tx_queue ..."
            if fields.next() != Some(b"sl") || fields.nth(2) != Some(b"st") {
                return Err(ReadError::Parse {
                    path: path.display().to_string(),
                    line: 1,
                    what: "not a TCP socket table (no `sl ... st` header)".into(),
                });
            }
            continue;
        }
        match fields.nth(3).and_then(state) {
            Some(st) if (1..=0x0B).contains(&st) => counts.by_state[usize::from(st)] += 1,
            _ => counts.skipped += 1,
        }
    }
    if number == 0 {
        return Err(ReadError::Parse {
            path: path.display().to_string(),
            line: 1,
            what: "empty (no header line)".into(),
        });
    }
    Ok(())
}

/// The `st` column: two hex digits.
fn state(field: &[u8]) -> Option<u8> {
    let [hi, lo] = field else {
        return None;
    };
    let digit = |b: u8| (b as char).to_digit(16);
    Some((digit(*hi)? * 16 + digit(*lo)?) as u8)
}

/// Reads /proc/net/tcp and /proc/net/tcp6 (absent when IPv6 is disabled:
/// then IPv4 alone) and returns one gauge per state.
pub fn collect(roots: &Roots) -> Result<Vec<Metric>, ReadError> {
    let mut counts = StateCounts::default();
    for (rel, required) in [("net/tcp", true), ("net/tcp6", false)] {
        let path = roots.proc.join(rel);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(ReadError::Io { path, source }),
        };
        // procfs fills one buffer per read: a large one means few reads.
        count(
            std::io::BufReader::with_capacity(64 * 1024, file),
            &path,
            &mut counts,
        )?;
    }
    Ok(counts.metrics())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_two_hex_digits() {
        assert_eq!(state(b"0A"), Some(10));
        assert_eq!(state(b"0a"), Some(10));
        assert_eq!(state(b"01"), Some(1));
        assert_eq!(state(b"1"), None);
        assert_eq!(state(b"0x"), None);
        assert_eq!(state(b"001"), None);
    }
}
