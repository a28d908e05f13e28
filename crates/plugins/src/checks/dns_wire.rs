//! A minimal DNS message codec (RFC 1035): a query for one name and type,
//! and a response's header, question and answer records (A, AAAA and CNAME
//! decoded, others kept as their type). Pure: unit-tested on hand-built
//! bytes; every length and compression pointer is checked, so a truncated
//! or hostile message is an error, never a panic or a loop.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Record types the checks ask for.
pub const TYPE_A: u16 = 1;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;

/// Response codes worth naming.
pub const RCODE_NXDOMAIN: u8 = 3;

/// Why a message could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    #[error("DNS message truncated at byte {0}")]
    Truncated(usize),
    #[error("bad name at byte {0}")]
    Name(usize),
    #[error("compression loop at byte {0}")]
    Loop(usize),
    #[error("{0:?} is not a valid DNS name")]
    InvalidName(String),
    #[error("bad {what} record data at byte {at}")]
    RData { what: &'static str, at: usize },
}

/// The query bytes for `name` of type `qtype` with id `id`; `recurse`
/// sets RD.
pub fn query(id: u16, name: &str, qtype: u16, recurse: bool) -> Result<Vec<u8>, DnsError> {
    let mut m = Vec::with_capacity(32 + name.len());
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&(if recurse { 0x0100u16 } else { 0 }).to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QD=1, AN=NS=AR=0
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.len() > 253 {
        return Err(DnsError::InvalidName(name.into()));
    }
    if !trimmed.is_empty() {
        for label in trimmed.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(DnsError::InvalidName(name.into()));
            }
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(m)
}

/// A record's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    /// Another type, by number.
    Other(u16),
}

/// One answer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub ttl: u32,
    pub data: RData,
}

/// The parts of a response the checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub id: u16,
    /// QR: this is a response.
    pub response: bool,
    /// TC: the answer did not fit (retry over TCP).
    pub truncated: bool,
    pub rcode: u8,
    pub answers: Vec<Record>,
}

impl Response {
    /// The addresses among the answers, as text.
    pub fn addresses(&self) -> Vec<String> {
        self.answers
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(a.to_string()),
                RData::Aaaa(a) => Some(a.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// The name of a response code.
pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("RCODE{n}"),
    }
}

fn u16_at(m: &[u8], at: usize) -> Result<u16, DnsError> {
    m.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(DnsError::Truncated(at))
}

/// The name at `at`; returns it and the offset after it in place (not
/// after any pointer's target).
fn name(m: &[u8], at: usize) -> Result<(String, usize), DnsError> {
    let mut out = String::new();
    let mut pos = at;
    let mut after = None;
    let mut jumps = 0;
    loop {
        let len = *m.get(pos).ok_or(DnsError::Truncated(pos))?;
        match len & 0xc0 {
            0xc0 => {
                let ptr = usize::from(u16_at(m, pos)? & 0x3fff);
                after.get_or_insert(pos + 2);
                jumps += 1;
                // A pointer must lead somewhere earlier; a chain longer
                // than a message could hold names is a loop.
                if ptr >= pos || jumps > 64 {
                    return Err(DnsError::Loop(pos));
                }
                pos = ptr;
            }
            0 if len == 0 => {
                return Ok((
                    if out.is_empty() { ".".into() } else { out },
                    after.unwrap_or(pos + 1),
                ));
            }
            0 => {
                let label = m
                    .get(pos + 1..pos + 1 + usize::from(len))
                    .ok_or(DnsError::Truncated(pos + 1))?;
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&String::from_utf8_lossy(label));
                if out.len() > 255 {
                    return Err(DnsError::Name(at));
                }
                pos += 1 + usize::from(len);
            }
            _ => return Err(DnsError::Name(pos)),
        }
    }
}

/// Decodes a response.
pub fn decode(m: &[u8]) -> Result<Response, DnsError> {
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    let qd = u16_at(m, 4)?;
    let an = u16_at(m, 6)?;
    u16_at(m, 10)?; // the header is whole
    let mut pos = 12;
    for _ in 0..qd {
        let (_, after) = name(m, pos)?;
        pos = after + 4;
        if pos > m.len() {
            return Err(DnsError::Truncated(after));
        }
    }
    let mut answers = Vec::with_capacity(usize::from(an).min(64));
    for _ in 0..an {
        let (owner, after) = name(m, pos)?;
        let rtype = u16_at(m, after)?;
        let ttl_bytes = m
            .get(after + 4..after + 8)
            .ok_or(DnsError::Truncated(after + 4))?;
        let ttl = u32::from_be_bytes([ttl_bytes[0], ttl_bytes[1], ttl_bytes[2], ttl_bytes[3]]);
        let rdlen = usize::from(u16_at(m, after + 8)?);
        let start = after + 10;
        let rdata = m
            .get(start..start + rdlen)
            .ok_or(DnsError::Truncated(start))?;
        let data = match rtype {
            TYPE_A => {
                let b: [u8; 4] = rdata.try_into().map_err(|_| DnsError::RData {
                    what: "A",
                    at: start,
                })?;
                RData::A(Ipv4Addr::from(b))
            }
            TYPE_AAAA => {
                let b: [u8; 16] = rdata.try_into().map_err(|_| DnsError::RData {
                    what: "AAAA",
                    at: start,
                })?;
                RData::Aaaa(Ipv6Addr::from(b))
            }
            TYPE_CNAME => {
                let (target, end) = name(m, start)?;
                if end != start + rdlen {
                    return Err(DnsError::RData {
                        what: "CNAME",
                        at: start,
                    });
                }
                RData::Cname(target)
            }
            other => RData::Other(other),
        };
        answers.push(Record {
            name: owner,
            ttl,
            data,
        });
        pos = start + rdlen;
    }
    Ok(Response {
        id,
        response: flags & 0x8000 != 0,
        truncated: flags & 0x0200 != 0,
        rcode: (flags & 0x000f) as u8,
        answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response to `query(0x1234, "www.test.sonde", A)`: a CNAME to
    /// `test.sonde` (compressed, pointing into the question) and its A.
    fn answer() -> Vec<u8> {
        let mut m = query(0x1234, "www.test.sonde", TYPE_A, true).expect("valid");
        m[2] = 0x81; // QR, RD
        m[3] = 0x80; // RA
        m[7] = 2; // AN=2
        // www.test.sonde CNAME test.sonde
        m.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 16]);
        // test.sonde A 192.0.2.7
        m.extend_from_slice(&[0xc0, 16, 0, 1, 0, 1, 0, 0, 1, 0, 0, 4, 192, 0, 2, 7]);
        m
    }

    #[test]
    fn a_query_is_as_rfc_1035_lays_it_out() {
        let q = query(0xabcd, "test.sonde.", TYPE_AAAA, true).expect("valid");
        assert_eq!(
            q,
            [
                &[0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0][..],
                b"\x04test\x05sonde\x00",
                &[0, 28, 0, 1]
            ]
            .concat()
        );
        // --norec clears RD.
        assert_eq!(query(1, "a", TYPE_A, false).expect("valid")[2..4], [0, 0]);
        assert!(query(1, "a..b", TYPE_A, true).is_err());
        assert!(query(1, &"a".repeat(64), TYPE_A, true).is_err());
        assert!(query(1, &["a"; 130].join("."), TYPE_A, true).is_err());
    }

    #[test]
    fn decodes_compressed_answers() {
        let r = decode(&answer()).expect("valid");
        assert_eq!(
            (r.id, r.response, r.truncated, r.rcode),
            (0x1234, true, false, 0)
        );
        assert_eq!(r.answers.len(), 2);
        assert_eq!(r.answers[0].name, "www.test.sonde");
        assert_eq!(r.answers[0].data, RData::Cname("test.sonde".into()));
        assert_eq!(r.answers[1].ttl, 256);
        assert_eq!(r.addresses(), vec!["192.0.2.7".to_string()]);
    }

    #[test]
    fn every_truncation_is_an_error_and_no_corruption_panics() {
        let m = answer();
        for n in 0..m.len() {
            assert!(decode(&m[..n]).is_err(), "accepted {n} bytes");
        }
        for i in 0..m.len() {
            for x in [0x00, 0x01, 0x3f, 0x40, 0xc0, 0xff] {
                let mut d = m.clone();
                d[i] = x;
                let _ = decode(&d);
            }
        }
    }

    #[test]
    fn pointer_loops_and_bad_rdata_are_errors() {
        let mut m = answer();
        // The CNAME's owner points at itself.
        let at = m.len() - 30;
        m[at + 1] = at as u8;
        assert!(matches!(decode(&m), Err(DnsError::Loop(_))));
        let mut m = answer();
        let len = m.len();
        m[len - 5] = 3; // A with 3 bytes of data
        assert!(decode(&m).is_err());
        let flags = [0x12, 0x34, 0x83, 0x83, 0, 0, 0, 0, 0, 0, 0, 0];
        let r = decode(&flags).expect("header only");
        assert_eq!((r.truncated, r.rcode), (true, RCODE_NXDOMAIN));
        assert_eq!(rcode_name(r.rcode), "NXDOMAIN");
    }

    proptest::proptest! {
        /// A query for any valid name decodes (as a message with no
        /// answers) and its question holds the name as given.
        #[test]
        fn query_names_round_trip(labels in proptest::collection::vec("[a-z0-9-]{1,20}", 1..8),
                                  id in proptest::num::u16::ANY, aaaa in proptest::bool::ANY) {
            let n = labels.join(".");
            let q = query(id, &n, if aaaa { TYPE_AAAA } else { TYPE_A }, true).expect("valid");
            let (back, end) = name(&q, 12).expect("name");
            proptest::prop_assert_eq!(back, n);
            proptest::prop_assert_eq!(end + 4, q.len());
            let r = decode(&q).expect("decodes");
            proptest::prop_assert_eq!((r.id, r.response, r.answers.len()), (id, false, 0));
        }

        /// Random bytes never panic the decoder.
        #[test]
        fn random_bytes_never_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = decode(&b);
        }
    }
}
