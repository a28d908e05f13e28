//! Addresses as sysdig prints them: glibc's `inet_ntop` text for IPv6, and the
//! `PT_SOCKADDR` / `PT_SOCKTUPLE` forms of `get_param_as_str`.

use std::io::Write as _;

use super::{Mem, Resolver, sanitize_into};

/// Address families as the driver stores them (`PPM_AF_*`; `AF_UNIX` is 1 in both).
const AF_UNIX: u8 = 1;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// An IPv4 address in dotted-quad form.
pub(crate) fn ipv4(ip: &[u8; 4], out: &mut Vec<u8>) {
    for (i, &b) in ip.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        octet(b, out);
    }
}

/// A byte in decimal, without leading zeros.
#[inline]
fn octet(b: u8, out: &mut Vec<u8>) {
    if b >= 100 {
        out.push(b'0' + b / 100);
    }
    if b >= 10 {
        out.push(b'0' + b / 10 % 10);
    }
    out.push(b'0' + b % 10);
}

/// An IPv6 address as glibc's `inet_ntop(AF_INET6)` writes it: lowercase hex words
/// without leading zeros, the first longest run of two or more zero words as `::`,
/// and `::a.b.c.d` / `::ffff:a.b.c.d` for IPv4-compatible and IPv4-mapped addresses.
pub(crate) fn ipv6(ip: &[u8; 16], out: &mut Vec<u8>) {
    let mut words = [0u16; 8];
    for (i, w) in words.iter_mut().enumerate() {
        *w = u16::from_be_bytes([ip[2 * i], ip[2 * i + 1]]);
    }
    // The longest run of zero words (the first one on ties), if at least 2 long.
    let (mut best_base, mut best_len) = (usize::MAX, 0usize);
    let (mut cur_base, mut cur_len) = (usize::MAX, 0usize);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            if cur_base == usize::MAX {
                cur_base = i;
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if cur_base != usize::MAX {
            if best_base == usize::MAX || cur_len > best_len {
                best_base = cur_base;
                best_len = cur_len;
            }
            cur_base = usize::MAX;
        }
    }
    if cur_base != usize::MAX && (best_base == usize::MAX || cur_len > best_len) {
        best_base = cur_base;
        best_len = cur_len;
    }
    if best_base != usize::MAX && best_len < 2 {
        best_base = usize::MAX;
    }
    let in_run = |i: usize| best_base != usize::MAX && i >= best_base && i < best_base + best_len;
    for (i, &w) in words.iter().enumerate() {
        if in_run(i) {
            if i == best_base {
                out.push(b':');
            }
            continue;
        }
        if i != 0 {
            out.push(b':');
        }
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            ipv4(&[ip[12], ip[13], ip[14], ip[15]], out);
            return;
        }
        let _ = write!(out, "{w:x}");
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        out.push(b':');
    }
}

/// `port_to_string`: the number, or its service name when the resolver gives one
/// (sysdig `-R`).
fn port(p: u16, resolver: &dyn Resolver, out: &mut Vec<u8>) {
    match resolver.port_name(p) {
        Some(name) => out.extend_from_slice(name),
        None => super::put(out, itoa::Buffer::new().format(p).as_bytes()),
    }
}

/// `ip:port` for IPv4.
fn ipv4_endpoint(ip: &[u8; 4], p: u16, resolver: &dyn Resolver, out: &mut Vec<u8>) {
    ipv4(ip, out);
    out.push(b':');
    port(p, resolver, out);
}

/// `ip:port` for IPv6 (no brackets).
fn ipv6_endpoint(ip: &[u8; 16], p: u16, resolver: &dyn Resolver, out: &mut Vec<u8>) {
    ipv6(ip, out);
    out.push(b':');
    port(p, resolver, out);
}

/// `sinsp_utils::is_ipv4_mapped_ipv6`: `::ffff:a.b.c.d`, or all zeros.
fn is_ipv4_mapped(ip: &[u8; 16]) -> bool {
    ip[..10].iter().all(|&b| b == 0)
        && ((ip[10] == 0xff && ip[11] == 0xff) || ip[10..].iter().all(|&b| b == 0))
}

/// `family N`, with the family byte read as a signed `char`.
fn family(f: u8, out: &mut Vec<u8>) {
    let _ = write!(out, "family {}", f as i8);
}

/// A `PT_SOCKADDR` value.
pub(crate) fn sockaddr(m: &Mem<'_>, resolver: &dyn Resolver, out: &mut Vec<u8>) {
    let len = m.len();
    if len == 0 {
        out.extend_from_slice(b"NULL");
        return;
    }
    match m.u8(0) {
        AF_UNIX => sanitize_into(&m.cstr(1), out),
        AF_INET => {
            if len == 1 + 4 + 2 {
                ipv4_endpoint(&m.array(1), m.u16(5), resolver, out);
            } else {
                out.extend_from_slice(b"INVALID IPv4");
            }
        }
        AF_INET6 => {
            if len == 1 + 16 + 2 {
                ipv6_endpoint(&m.array(1), m.u16(17), resolver, out);
            } else {
                out.extend_from_slice(b"INVALID IPv6");
            }
        }
        f => family(f, out),
    }
}

/// A `PT_SOCKTUPLE` value.
pub(crate) fn socktuple(m: &Mem<'_>, resolver: &dyn Resolver, out: &mut Vec<u8>) {
    let len = m.len();
    if len == 0 {
        out.extend_from_slice(b"NULL");
        return;
    }
    match m.u8(0) {
        AF_INET => {
            if len == 1 + 4 + 2 + 4 + 2 {
                ipv4_endpoint(&m.array(1), m.u16(5), resolver, out);
                out.extend_from_slice(b"->");
                ipv4_endpoint(&m.array(7), m.u16(11), resolver, out);
            } else {
                out.extend_from_slice(b"INVALID IPv4");
            }
        }
        AF_INET6 => {
            if len == 1 + 16 + 2 + 16 + 2 {
                let sip: [u8; 16] = m.array(1);
                let dip: [u8; 16] = m.array(19);
                let (sport, dport) = (m.u16(17), m.u16(35));
                if is_ipv4_mapped(&sip) && is_ipv4_mapped(&dip) {
                    ipv4_endpoint(&m.array(13), sport, resolver, out);
                    out.extend_from_slice(b"->");
                    ipv4_endpoint(&m.array(31), dport, resolver, out);
                } else {
                    ipv6_endpoint(&sip, sport, resolver, out);
                    out.extend_from_slice(b"->");
                    ipv6_endpoint(&dip, dport, resolver, out);
                }
            } else {
                out.extend_from_slice(b"INVALID IPv6");
            }
        }
        AF_UNIX => {
            // Source and destination are kernel socket addresses.
            let _ = write!(out, "{:x}->{:x} ", m.u64(1), m.u64(9));
            sanitize_into(&m.cstr(17), out);
        }
        f => family(f, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(b: [u8; 16]) -> String {
        let mut v = Vec::new();
        ipv6(&b, &mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    fn ip6(prefix: &[u8], at: usize, tail: &[u8]) -> [u8; 16] {
        let mut a = [0u8; 16];
        a[..prefix.len()].copy_from_slice(prefix);
        a[at..at + tail.len()].copy_from_slice(tail);
        a
    }

    #[test]
    fn ipv6_text_forms() {
        // Each expectation is what sysdig 0.29.3 printed for a crafted `connect` addr.
        assert_eq!(v6([0; 16]), "::");
        assert_eq!(v6(ip6(&[], 15, &[1])), "::1");
        assert_eq!(v6(ip6(&[], 15, &[2])), "::2");
        assert_eq!(
            v6(ip6(&[], 10, &[0xff, 0xff, 1, 2, 3, 4])),
            "::ffff:1.2.3.4"
        );
        assert_eq!(v6(ip6(&[], 10, &[0xff, 0xff])), "::ffff:0.0.0.0");
        assert_eq!(v6(ip6(&[], 12, &[1, 2, 3, 4])), "::1.2.3.4");
        assert_eq!(
            v6(ip6(&[], 10, &[0xff, 0xfe, 1, 2, 3, 4])),
            "::fffe:102:304"
        );
        assert_eq!(v6(ip6(&[0x20, 1, 0xd, 0xb8], 15, &[1])), "2001:db8::1");
        assert_eq!(v6(ip6(&[0, 0, 0, 1], 0, &[])), "0:1::");
        assert_eq!(
            v6(ip6(&[0xfe, 0x80], 8, &[0xab, 0xcd, 0, 0, 0, 0, 0, 0x12])),
            "fe80::abcd:0:0:12"
        );
        assert_eq!(
            v6([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]),
            "1::1:0:0:1:0"
        );
        assert_eq!(
            v6([0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]),
            "1::1:1:0:0:1"
        );
        // From libs_curl_google.scap.
        assert_eq!(
            v6(ip6(
                &[0x20, 0x01, 0x48, 0x60, 0x48, 0x60],
                14,
                &[0x88, 0x88]
            )),
            "2001:4860:4860::8888"
        );
    }
}
