//! Accept queues of listening TCP ports: `tcp.listen.<port>.queue` (the
//! connections the kernel has established that the server has not accepted
//! yet) and `tcp.listen.<port>.limit` (the backlog it may hold; when the
//! queue reaches it, new connections are dropped and
//! `tcpext.ListenOverflows.delta` counts them). A queue near its limit is a
//! server that cannot keep up, seen before clients time out.
//!
//! Read over inet_diag ([`crate::netlink`]), IPv4 and IPv6: /proc/net/tcp
//! shows the depth but not the limit. Listeners on one port at several
//! addresses (`127.0.0.1:80` and `[::1]:80`, or SO_REUSEPORT groups) are one
//! port to an operator: their depths are summed and the largest limit is
//! posted.
//!
//! (The one Mackerel-format plugin for this, ryuichi1208's
//! mackerel-linux-socket-queue-size, reads /proc/net/tcp, so it has no
//! limit, and names tx_queue a "syn-queue", which for a listener it is
//! not.)

use std::collections::BTreeMap;

use crate::netlink::{Listener, tcp_listeners};
use crate::{Metric, ReadError};

/// The per-port depth (summed) and limit (largest), in port order.
pub fn per_port(listeners: &[Listener]) -> Vec<Metric> {
    let mut ports: BTreeMap<u16, (u64, u32)> = BTreeMap::new();
    for l in listeners {
        let (queue, limit) = ports.entry(l.port).or_default();
        *queue += u64::from(l.queue);
        *limit = (*limit).max(l.limit);
    }
    ports
        .into_iter()
        .flat_map(|(port, (queue, limit))| {
            [
                Metric::new(format!("tcp.listen.{port}.queue"), queue as f64),
                Metric::new(format!("tcp.listen.{port}.limit"), f64::from(limit)),
            ]
        })
        .collect()
}

/// Asks the kernel for this network namespace's TCP listeners. (No
/// [`crate::Roots`]: netlink has no file to point elsewhere; an agent sees
/// the listeners of the namespace it runs in.)
pub fn collect() -> Result<Vec<Metric>, ReadError> {
    let listeners = tcp_listeners().map_err(|source| ReadError::Io {
        path: "netlink NETLINK_SOCK_DIAG (inet_diag, TCP listeners)".into(),
        source,
    })?;
    Ok(per_port(&listeners))
}
