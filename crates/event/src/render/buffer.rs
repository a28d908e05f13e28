//! Byte-buffer text forms (`binary_buffer_to_string` and its helpers in libsinsp's
//! `event.cpp`): printable bytes with dots, printable ASCII with end-of-lines, hex
//! dumps with or without ASCII, and base64.

/// `isprint` in the C locale: the bytes sysdig copies as they are.
#[inline]
pub(crate) fn is_print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Printable bytes as they are, others as `.` (sysdig's default, and `-j`).
pub(crate) fn dots(src: &[u8], out: &mut Vec<u8>) {
    out.extend(src.iter().map(|&c| if is_print(c) { c } else { b'.' }));
}

/// `-A`: a leading newline (unless `compact`), printable bytes as they are, `\r` as a
/// newline, `\n` as itself unless it is the first byte or follows a `\r`, other bytes
/// dropped.
pub(crate) fn ascii_only(src: &[u8], compact: bool, out: &mut Vec<u8>) {
    if !compact {
        out.push(b'\n');
    }
    for (j, &c) in src.iter().enumerate() {
        if is_print(c) {
            out.push(c);
        } else if c == b'\r' || (c == b'\n' && j > 0 && src[j - 1] != b'\r') {
            out.push(b'\n');
        }
    }
}

use std::io::Write as _;

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_byte(b: u8, out: &mut Vec<u8>) {
    out.push(HEX[usize::from(b >> 4)]);
    out.push(HEX[usize::from(b & 15)]);
}

/// `-x` / `-X`: rows of 16 bytes, each `\n\t0xOFFS:` followed by 2-byte groups (a lone
/// last byte as one group of 2 digits), with `-X` the row padded to 8 groups and then
/// two spaces and the bytes as [`dots`]; a newline after the last row.
pub(crate) fn hex(src: &[u8], with_ascii: bool, out: &mut Vec<u8>) {
    for (row, chunk) in src.chunks(16).enumerate() {
        out.extend_from_slice(b"\n\t0x");
        // `%.4x`: at least four digits.
        let _ = write!(out, "{:04x}:", row * 16);
        let mut groups = 0;
        for pair in chunk.chunks(2) {
            out.push(b' ');
            for &b in pair {
                hex_byte(b, out);
            }
            groups += 1;
        }
        if with_ascii {
            for _ in groups..8 {
                out.extend_from_slice(b"     ");
            }
            out.extend_from_slice(b"  ");
            dots(chunk, out);
        }
    }
    out.push(b'\n');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `-b`: standard base64 with `=` padding.
pub(crate) fn base64(src: &[u8], out: &mut Vec<u8>) {
    for chunk in src.chunks(3) {
        let a = u32::from(chunk[0]);
        let b = chunk.get(1).map_or(0, |&x| u32::from(x));
        let c = chunk.get(2).map_or(0, |&x| u32::from(x));
        let triple = (a << 16) | (b << 8) | c;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[((triple >> (18 - 6 * k)) & 0x3f) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        let mut v = Vec::new();
        base64(s, &mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn base64_padding() {
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"a"), "YQ==");
        assert_eq!(b64(b"ab"), "YWI=");
        assert_eq!(b64(b"abc"), "YWJj");
        // `sysdig -b` on a crafted write of "0123456789abcdef0".
        assert_eq!(b64(b"0123456789abcdef0"), "MDEyMzQ1Njc4OWFiY2RlZjA=");
    }
}
