//! Field values and how they print, as libsinsp's `rawval_to_string` and
//! `rawval_to_json` render them for the field's declared type and format.

use std::borrow::Cow;

use sonde_event::{ParamType, PrintFormat};

/// One extracted value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Any signed integer (INT8..INT64, PID, ERRNO, FD).
    Int(i64),
    /// Any unsigned integer (UINT8..UINT64, PORT, RELTIME, ABSTIME).
    Uint(u64),
    Bool(bool),
    Double(f64),
    /// Text (CHARBUF, FSPATH): no NUL inside.
    Str(Cow<'a, [u8]>),
    /// Raw bytes (BYTEBUF).
    Bytes(Cow<'a, [u8]>),
    /// An IPv4 address in network order as read little-endian.
    Ipv4(u32),
    Ipv6([u8; 16]),
}

impl Val<'_> {
    /// The bytes of a text or buffer value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Str(s) | Val::Bytes(s) => Some(s),
            _ => None,
        }
    }
}

fn push_int<T: itoa::Integer>(out: &mut Vec<u8>, v: T) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `v` as the text sysdig prints for a field of type `ty` and format
/// `fmt`.
pub fn write_val(out: &mut Vec<u8>, v: &Val<'_>, ty: ParamType, fmt: PrintFormat) {
    use std::io::Write;
    match v {
        Val::Int(i) => {
            // Width matters for hex and octal of negative numbers.
            let width_bits = match ty {
                ParamType::Int8 => 8,
                ParamType::Int16 => 16,
                ParamType::Int32 => 32,
                _ => 64,
            };
            let as_unsigned = (*i as u64)
                & if width_bits == 64 {
                    u64::MAX
                } else {
                    (1u64 << width_bits) - 1
                };
            match fmt {
                PrintFormat::Oct => {
                    let _ = write!(out, "{as_unsigned:o}");
                }
                PrintFormat::Hex => {
                    let _ = write!(out, "{as_unsigned:X}");
                }
                PrintFormat::Padded10Dec => {
                    let _ = write!(out, "{i:09}");
                }
                _ => push_int(out, *i),
            }
        }
        Val::Uint(u) => match fmt {
            PrintFormat::Oct => {
                let _ = write!(out, "{u:o}");
            }
            // libsinsp prints hex only for 64-bit unsigned values.
            PrintFormat::Hex
                if matches!(
                    ty,
                    ParamType::Uint64 | ParamType::Reltime | ParamType::Abstime
                ) =>
            {
                let _ = write!(out, "{u:X}");
            }
            PrintFormat::Padded10Dec => {
                let _ = write!(out, "{u:09}");
            }
            _ => push_int(out, *u),
        },
        Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Val::Double(d) => {
            let _ = write!(out, "{}", fmt_double(*d));
        }
        Val::Str(s) | Val::Bytes(s) => out.extend_from_slice(s),
        Val::Ipv4(ip) => sonde_state::fd::write_ipv4(out, *ip),
        Val::Ipv6(ip) => sonde_state::fd::write_ipv6(out, *ip),
    }
}

/// `%.2lf`-free rendering of a double as libsinsp's `%lf` does (6 decimals).
fn fmt_double(d: f64) -> String {
    format!("{d:.6}")
}

/// Appends `v` as a JSON value, as `rawval_to_json` produces it: numbers for
/// decimal/ID integers, strings otherwise.
pub fn write_json(out: &mut Vec<u8>, v: &Val<'_>, ty: ParamType, fmt: PrintFormat) {
    let numeric = matches!(fmt, PrintFormat::Dec | PrintFormat::Id);
    match v {
        Val::Int(i) if numeric => push_int(out, *i),
        Val::Uint(u) if numeric => push_int(out, *u),
        Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        _ => {
            let mut s = Vec::new();
            write_val(&mut s, v, ty, fmt);
            write_json_string(out, &s);
        }
    }
}

/// A JSON string as jsoncpp's writer escapes it: `"` `\` and control
/// characters escaped, `\b \f \n \r \t` by name, others as `\u00XX`; bytes
/// of 0x80 and above are passed through.
pub fn write_json_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let mut run = 0;
    for (i, &c) in s.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            c if c < 0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[run..i]);
        run = i + 1;
        if esc.is_empty() {
            use std::io::Write;
            let _ = write!(out, "\\u{:04x}", c);
        } else {
            out.extend_from_slice(esc);
        }
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
}
