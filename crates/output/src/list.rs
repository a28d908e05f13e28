//! The field listing (`sysdig -l`, `-l -v`) and the event listing
//! (`sysdig -L`), byte for byte as sysdig 0.29.3 prints them (libs e5c53d64
//! `fields_info.cpp` and `gen_filter.cpp`'s `filter_fieldclass_info::as_string`).

use std::io::{self, Write};

use sonde_event::{EVENT_TABLE, LEGACY_EVENT_COUNT, ParamType, category, flags, is_enter};
use sonde_filter::catalog::{self, FieldClass, field_flags};

/// Column where descriptions start.
const RIGHT_BLOCK_START: usize = 30;
/// Total line width the descriptions are wrapped to.
const WIDTH: usize = 120;

/// The name libsinsp gives a parameter type (`param_type_to_string`); types
/// it has no name for print as `<NA>`.
pub fn param_type_name(ty: ParamType) -> &'static str {
    use ParamType as T;
    match ty {
        T::None => "NONE",
        T::Int8 => "INT8",
        T::Int16 => "INT16",
        T::Int32 => "INT32",
        T::Int64 => "INT64",
        T::Uint8 => "UINT8",
        T::Uint16 => "UINT16",
        T::Uint32 => "UINT32",
        T::Uint64 => "UINT64",
        T::Charbuf => "CHARBUF",
        T::Bytebuf => "BYTEBUF",
        T::Errno => "ERRNO",
        T::Sockaddr => "SOCKADDR",
        T::Socktuple => "SOCKTUPLE",
        T::Fd => "FD",
        T::Pid => "PID",
        T::Fdlist => "FDLIST",
        T::Fspath => "FSPATH",
        T::Syscallid => "SYSCALLID",
        T::Sigtype => "SIGTYPE",
        T::Reltime => "RELTIME",
        T::Abstime => "ABSTIME",
        T::Port => "PORT",
        T::L4proto => "L4PROTO",
        T::Sockfamily => "SOCKFAMILY",
        T::Bool => "BOOL",
        T::Ipv4addr => "IPV4ADDR",
        T::Ipaddr => "IPADDR",
        T::Ipnet => "IPNET",
        T::Dyn => "DYNAMIC",
        T::Flags8 => "FLAGS8",
        T::Flags16 => "FLAGS16",
        T::Flags32 => "FLAGS32",
        T::Mode => "MODE",
        T::Uid => "UID",
        T::Gid => "GID",
        T::Sigset => "SIGSET",
        T::Ipv4net => "IPV4NET",
        T::Double => "DOUBLE",
        T::Charbufarray => "CHARBUFARRAY",
        T::CharbufPairArray => "CHARBUF_PAIR_ARRAY",
        T::Fsrelpath => "FSRELPATH",
        T::Ipv6addr | T::Ipv6net => "<NA>",
    }
}

/// Writes `s` left-aligned in a column of `RIGHT_BLOCK_START` bytes (longer
/// strings are not cut), as `std::left << std::setw(30)` does.
fn pad(buf: &mut String, s: &str) {
    buf.push_str(s);
    for _ in s.len()..RIGHT_BLOCK_START {
        buf.push(' ');
    }
}

/// Appends `text` word by word, each word followed by a space, starting a new
/// line indented to the right block whenever the next word would make the
/// line's part exceed `WIDTH - RIGHT_BLOCK_START` bytes (counting the spaces).
/// Words are split on C white space, so runs of spaces and newlines collapse.
fn wrap(buf: &mut String, text: &str) {
    let mut len = 0;
    for word in text
        .split([' ', '\t', '\n', '\x0b', '\x0c', '\r'])
        .filter(|w| !w.is_empty())
    {
        let wordlen = word.len() + 1;
        if len + wordlen <= WIDTH - RIGHT_BLOCK_START {
            len += wordlen;
        } else {
            buf.push('\n');
            pad(buf, " ");
            len = wordlen;
        }
        buf.push_str(word);
        buf.push(' ');
    }
}

/// One class as `filter_fieldclass_info::as_string` renders it, fields that
/// are print-only or table-only left out.
fn class_block(class: &FieldClass, verbose: bool) -> String {
    let mut buf = String::new();
    buf.push_str("-------------------------------\n");
    pad(&mut buf, "Field Class:");
    buf.push_str(class.name);
    if !class.shortdesc.is_empty() {
        buf.push_str(" (");
        buf.push_str(class.shortdesc);
        buf.push(')');
    }
    buf.push('\n');
    if !class.desc.is_empty() {
        pad(&mut buf, "Description:");
        wrap(&mut buf, class.desc);
        buf.push('\n');
    }
    buf.push('\n');
    for field in class.fields {
        if field.has_flag(field_flags::PRINT_ONLY | field_flags::TABLE_ONLY) {
            continue;
        }
        if field.name.len() > RIGHT_BLOCK_START {
            buf.push_str(field.name);
            buf.push('\n');
            pad(&mut buf, " ");
        } else {
            pad(&mut buf, field.name);
        }
        // The tags (only "FILTER ONLY" remains once table-only fields are
        // skipped), then the type when verbose.
        let mut desc = String::new();
        if verbose {
            desc.push_str("(Type: ");
            desc.push_str(param_type_name(field.ty));
            desc.push_str(") ");
        }
        if field.has_flag(field_flags::FILTER_ONLY) {
            desc.push_str("(FILTER ONLY) ");
        }
        desc.push_str(field.desc);
        wrap(&mut buf, &desc);
        buf.push('\n');
    }
    buf
}

/// `sysdig -l` (`verbose`: `sysdig -l -v`, which adds each field's type).
pub fn write_fields_list(out: &mut dyn Write, verbose: bool) -> io::Result<()> {
    let mut text = String::new();
    for class in catalog::visible_classes() {
        text.push_str(&class_block(class, verbose));
        text.push('\n');
    }
    out.write_all(text.as_bytes())
}

/// `sysdig -L`: every event type of the 0.29.3 table except the unused ones,
/// old versions and internal events, as `> name(TYPE param, ...)`. sysdig
/// prints the same with or without `-v`; `verbose` is accepted for symmetry.
pub fn write_events_list(out: &mut dyn Write, verbose: bool) -> io::Result<()> {
    let _ = verbose;
    let mut text = String::new();
    for (ty, info) in EVENT_TABLE[..LEGACY_EVENT_COUNT].iter().enumerate() {
        if info.has_flag(flags::UNUSED | flags::OLD_VERSION)
            || info.category & category::INTERNAL != 0
        {
            continue;
        }
        let enter = u16::try_from(ty).is_ok_and(is_enter);
        text.push(if enter { '>' } else { '<' });
        text.push(' ');
        text.push_str(info.name);
        text.push('(');
        for (k, p) in info.params.iter().enumerate() {
            if k != 0 {
                text.push_str(", ");
            }
            text.push_str(param_type_name(p.ty));
            text.push(' ');
            text.push_str(p.name);
        }
        text.push_str(")\n");
    }
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        let mut b = String::new();
        wrap(&mut b, "a  b\nc");
        assert_eq!(b, "a b c ");
        let long = "x".repeat(89);
        let mut b = String::new();
        wrap(&mut b, &format!("{long} y"));
        assert_eq!(b, format!("{long} \n{}y ", " ".repeat(30)));
        // A first word too long for the block starts on a new line.
        let longer = "z".repeat(90);
        let mut b = String::new();
        wrap(&mut b, &longer);
        assert_eq!(b, format!("\n{}{longer} ", " ".repeat(30)));
    }
}
