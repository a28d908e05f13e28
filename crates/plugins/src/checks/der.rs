//! Just enough DER to read an X.509 certificate's validity period: the
//! certificate checks need only the `notBefore`/`notAfter` dates, and a walk
//! of five nested TLVs is smaller than a general X.509 crate (and ours to
//! harden: every length is checked against the bytes there are, so a
//! truncated or hostile certificate is an error, never a panic).

/// Why a certificate's dates could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DerError {
    #[error("certificate truncated at byte {0}")]
    Truncated(usize),
    #[error("certificate: expected {expected} at byte {at}, found tag 0x{found:02x}")]
    Tag {
        expected: &'static str,
        at: usize,
        found: u8,
    },
    #[error("certificate: bad length at byte {0}")]
    Length(usize),
    #[error("certificate: bad time {0:?}")]
    Time(String),
}

/// A certificate's validity period, in seconds since the epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: i64,
    pub not_after: i64,
}

/// One TLV: its tag, where its contents start, and its contents.
struct Tlv<'a> {
    tag: u8,
    at: usize,
    body: &'a [u8],
    /// The absolute offset of `body`.
    body_at: usize,
    /// The offset just past this TLV, relative to the input it came from.
    end: usize,
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT Version` in a TBSCertificate.
const VERSION: u8 = 0xa0;

/// The TLV at the start of `b` (which sits at absolute offset `base`).
fn tlv(b: &[u8], base: usize) -> Result<Tlv<'_>, DerError> {
    let tag = *b.first().ok_or(DerError::Truncated(base))?;
    let first = *b.get(1).ok_or(DerError::Truncated(base + 1))?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        // Indefinite lengths are not DER; more than four length bytes would
        // describe a certificate larger than any we would read.
        if n == 0 || n > 4 {
            return Err(DerError::Length(base + 1));
        }
        let bytes = b.get(2..2 + n).ok_or(DerError::Truncated(base + 2))?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
        (len, 2 + n)
    };
    let end = hdr.checked_add(len).ok_or(DerError::Length(base + 1))?;
    let body = b.get(hdr..end).ok_or(DerError::Truncated(base + b.len()))?;
    Ok(Tlv {
        tag,
        at: base,
        body,
        body_at: base + hdr,
        end,
    })
}

fn expect<'a>(
    b: &'a [u8],
    base: usize,
    tag: u8,
    expected: &'static str,
) -> Result<Tlv<'a>, DerError> {
    let t = tlv(b, base)?;
    if t.tag != tag {
        return Err(DerError::Tag {
            expected,
            at: t.at,
            found: t.tag,
        });
    }
    Ok(t)
}

/// The validity period of the DER certificate `cert`.
pub fn validity(cert: &[u8]) -> Result<Validity, DerError> {
    let c = expect(cert, 0, SEQUENCE, "Certificate SEQUENCE")?;
    let tbs = expect(c.body, c.body_at, SEQUENCE, "TBSCertificate SEQUENCE")?;
    let (mut rest, mut base) = (tbs.body, tbs.body_at);
    let mut skip = |tag: u8, what: &'static str| -> Result<(), DerError> {
        let t = expect(rest, base, tag, what)?;
        base += t.end;
        rest = &rest[t.end..];
        Ok(())
    };
    if tbs.body.first() == Some(&VERSION) {
        skip(VERSION, "version")?;
    }
    skip(INTEGER, "serialNumber INTEGER")?;
    skip(SEQUENCE, "signature AlgorithmIdentifier")?;
    skip(SEQUENCE, "issuer Name")?;
    let v = expect(rest, base, SEQUENCE, "validity SEQUENCE")?;
    let nb = tlv(v.body, v.body_at)?;
    let na = tlv(&v.body[nb.end..], v.body_at + nb.end)?;
    Ok(Validity {
        not_before: time(&nb)?,
        not_after: time(&na)?,
    })
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049 as RFC 5280 says) or a
/// GeneralizedTime (`YYYYMMDDHHMMSSZ`) in seconds since the epoch.
fn time(t: &Tlv<'_>) -> Result<i64, DerError> {
    let s = std::str::from_utf8(t.body).map_err(|_| DerError::Time(format!("{:?}", t.body)))?;
    let bad = || DerError::Time(s.to_string());
    let digits = s.strip_suffix('Z').ok_or_else(bad)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, DerError> {
        digits.get(r).and_then(|d| d.parse().ok()).ok_or_else(bad)
    };
    let (year, rest) = match (t.tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy = num(0..2)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, 2)
        }
        (GENERALIZED_TIME, 14) => (num(0..4)?, 4),
        (UTC_TIME | GENERALIZED_TIME, _) => return Err(bad()),
        (found, _) => {
            return Err(DerError::Tag {
                expected: "UTCTime or GeneralizedTime",
                at: t.at,
                found,
            });
        }
    };
    let month = num(rest..rest + 2)?;
    let day = num(rest + 2..rest + 4)?;
    let (h, m, sec) = (
        num(rest + 4..rest + 6)?,
        num(rest + 6..rest + 8)?,
        num(rest + 8..rest + 10)?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return Err(bad());
    }
    Ok(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD HH:MM:SS UTC` of seconds since the epoch, for messages.
pub fn format_utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // civil_from_days, the inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER TLV with a short or long length.
    fn t(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if body.len() < 0x80 {
            v.push(body.len() as u8);
        } else {
            v.push(0x82);
            v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        }
        v.extend_from_slice(body);
        v
    }

    /// A certificate skeleton with the given validity times; the fields the
    /// reader skips hold small placeholders (and a long issuer, so a
    /// long-form length is exercised).
    fn cert(nb: (u8, &str), na: (u8, &str)) -> Vec<u8> {
        let validity = [t(nb.0, nb.1.as_bytes()), t(na.0, na.1.as_bytes())].concat();
        let tbs = [
            t(VERSION, &t(INTEGER, &[2])),
            t(INTEGER, &[0x01, 0x23]),
            t(SEQUENCE, &t(0x06, &[0x2a, 0x86])),
            t(SEQUENCE, &[0x31; 200]),
            t(SEQUENCE, &validity),
            t(SEQUENCE, &[]),
        ]
        .concat();
        t(
            SEQUENCE,
            &[t(SEQUENCE, &tbs), t(SEQUENCE, &[]), t(0x03, &[0])].concat(),
        )
    }

    #[test]
    fn reads_utc_and_generalized_times() {
        let c = cert(
            (UTC_TIME, "240229120000Z"),
            (GENERALIZED_TIME, "20500101000000Z"),
        );
        let v = validity(&c).expect("valid");
        assert_eq!(v.not_before, 1_709_208_000);
        assert_eq!(v.not_after, 2_524_608_000);
        assert_eq!(format_utc(v.not_before), "2024-02-29 12:00:00 UTC");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        // 1950-2049 for two-digit years.
        let c = cert((UTC_TIME, "500101000000Z"), (UTC_TIME, "491231235959Z"));
        let v = validity(&c).expect("valid");
        assert_eq!(format_utc(v.not_before), "1950-01-01 00:00:00 UTC");
        assert_eq!(format_utc(v.not_after), "2049-12-31 23:59:59 UTC");
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let c = cert((UTC_TIME, "240229120000Z"), (UTC_TIME, "250229120000Z"));
        for n in 0..c.len() {
            assert!(validity(&c[..n]).is_err(), "truncated at {n} accepted");
        }
        // Every single-byte corruption either parses or errors.
        for i in 0..c.len() {
            for x in [0x00, 0x7f, 0x80, 0x84, 0xff] {
                let mut d = c.clone();
                d[i] = x;
                let _ = validity(&d);
            }
        }
    }

    #[test]
    fn bad_times_and_tags_are_named() {
        let c = cert((UTC_TIME, "241329120000Z"), (UTC_TIME, "250229120000Z"));
        assert_eq!(validity(&c), Err(DerError::Time("241329120000Z".into())));
        let c = cert((0x04, "240229120000Z"), (UTC_TIME, "250229120000Z"));
        assert!(matches!(
            validity(&c),
            Err(DerError::Tag { found: 0x04, .. })
        ));
        assert!(matches!(
            validity(&[0x02, 0x01, 0x00]),
            Err(DerError::Tag {
                expected: "Certificate SEQUENCE",
                ..
            })
        ));
        assert_eq!(validity(&[0x30, 0x80]), Err(DerError::Length(1)));
    }

    proptest::proptest! {
        /// Any second from 1950 to 9999 written as GeneralizedTime (from
        /// format_utc's fields) reads back as itself.
        #[test]
        fn times_round_trip(t in -631_152_000i64..253_402_300_799) {
            let f = format_utc(t);
            let digits: String = f.chars().filter(char::is_ascii_digit).collect();
            let c = cert((GENERALIZED_TIME, &format!("{digits}Z")), (UTC_TIME, "491231235959Z"));
            proptest::prop_assert_eq!(validity(&c).expect("valid").not_before, t);
        }

        /// Random bytes never panic the reader.
        #[test]
        fn random_bytes_never_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = validity(&b);
        }
    }
}
