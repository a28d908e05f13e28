//! Timestamps as libsinsp prints them (`ts_to_string`, `ts_to_iso_8601`).

/// The local time zone's offset from UTC in seconds, as libsinsp's
/// `gmt2local(0)` computes it once: for the current time.
#[allow(unsafe_code)]
pub fn local_offset_secs() -> i64 {
    // SAFETY: `time` and `localtime_r` only write into the provided,
    // properly sized `tm`; no pointer outlives the call.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

/// Days since the epoch to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Appends `v` as exactly `width` decimal digits (zero-padded).
#[inline]
fn digits(out: &mut Vec<u8>, mut v: u64, width: usize) {
    const N: usize = 20;
    let mut buf = [b'0'; N];
    let width = width.min(N);
    for d in buf[N - width..].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    sonde_event::render::put(out, &buf[N - width..]);
}

/// `HH:MM:SS[.nnnnnnnnn]`, optionally preceded by `YYYY-MM-DD `.
pub fn write_ts(out: &mut Vec<u8>, ts: u64, offset: i64, date: bool, ns: bool) {
    let sec = (ts / 1_000_000_000) as i64 + offset;
    let nsec = ts % 1_000_000_000;
    let s = sec.rem_euclid(86_400) as u64;
    if date {
        let (y, m, d) = civil_from_days(sec.div_euclid(86_400));
        if (0..=9999).contains(&y) {
            digits(out, y as u64, 4);
        } else {
            out.extend_from_slice(itoa::Buffer::new().format(y).as_bytes());
        }
        out.push(b'-');
        digits(out, u64::from(m), 2);
        out.push(b'-');
        digits(out, u64::from(d), 2);
        out.push(b' ');
    }
    // Consecutive events mostly fall in the same second.
    thread_local! {
        static LAST: std::cell::Cell<(u64, [u8; 8])> = const { std::cell::Cell::new((u64::MAX, [0; 8])) };
    }
    let (last_s, last_txt) = LAST.with(|c| c.get());
    if last_s == s {
        out.extend_from_slice(&last_txt);
    } else {
        let at = out.len();
        digits(out, s / 3600, 2);
        out.push(b':');
        digits(out, (s % 3600) / 60, 2);
        out.push(b':');
        digits(out, s % 60, 2);
        let mut txt = [0u8; 8];
        txt.copy_from_slice(&out[at..at + 8]);
        LAST.with(|c| c.set((s, txt)));
    }
    if ns {
        out.push(b'.');
        nanos(out, nsec);
    }
}

/// `000` to `999`.
static TRIPLES: [[u8; 3]; 1000] = {
    let mut t = [[0u8; 3]; 1000];
    let mut i = 0;
    while i < 1000 {
        t[i] = [
            b'0' + (i / 100) as u8,
            b'0' + (i / 10 % 10) as u8,
            b'0' + (i % 10) as u8,
        ];
        i += 1;
    }
    t
};

/// Nanoseconds (below 10⁹) as nine digits: every printed line has them.
#[inline]
fn nanos(out: &mut Vec<u8>, ns: u64) {
    let ns = (ns % 1_000_000_000) as usize;
    let [a, b, c] = [ns / 1_000_000, ns / 1000 % 1000, ns % 1000].map(|k| TRIPLES[k]);
    out.extend_from_slice(&[a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]]);
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (always UTC, as libsinsp).
pub fn write_iso8601(out: &mut Vec<u8>, ts: u64) {
    use std::io::Write;
    let sec = (ts / 1_000_000_000) as i64;
    let (y, m, d) = civil_from_days(sec.div_euclid(86_400));
    let s = sec.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}+0000",
        s / 3600,
        (s % 3600) / 60,
        s % 60,
        ts % 1_000_000_000
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let mut o = Vec::new();
        write_ts(&mut o, 1_470_327_477_881_730_713, 0, true, true);
        assert_eq!(o, b"2016-08-04 16:17:57.881730713");
        let mut o = Vec::new();
        write_iso8601(&mut o, 1_470_327_477_881_730_713);
        assert_eq!(o, b"2016-08-04T16:17:57.881730713+0000");
    }
}
