//! The field catalog: every filter-check class that sysdig 0.29.3 registers
//! (libs e5c53d64, `sinsp_filter_check_list`), with its fields, and the rule by
//! which libsinsp resolves a field name such as `evt.arg.fd` or
//! `proc.aname[2]` to one of them.
//!
//! The classes and fields themselves are a data table, generated from the
//! `sinsp_filter_check_*_fields[]` arrays of libs' `filterchecks.cpp`: see
//! [`CLASSES`] (in `catalog/data.rs`).
//!
//! # How a name is resolved
//!
//! libsinsp asks each class in turn, in registration order ([`CLASSES`] order,
//! hidden classes included), to parse the text; the **first** class that
//! claims it wins, even if a later class would have matched more of it. A
//! class claims the text when
//!
//! - one of its fields takes an argument and the text starts with that field's
//!   name (`evt.arg` but not `evt.args`, `proc.aname`, `container.mount`, …):
//!   the class then parses the argument with that field's own syntax, and may
//!   fail with an error (see [`FieldError`]); or else
//! - one of its field names is a plain prefix of the text: the **longest** such
//!   name is chosen. No word boundary is required, so `evt.typex` is claimed
//!   by `evt.type` with 8 bytes consumed.
//!
//! [`lookup`] returns the class, the field, the number of bytes consumed and the
//! argument, as the output formatter uses it (the rest of the text is not part
//! of the field). [`find`] is the filter compiler's exact form: the whole name
//! must be consumed, else there is no such field (libsinsp does not then try
//! the following classes).
//!
//! Argument syntaxes (`N` is a number as `sscanf("%d")` reads it):
//!
//! | fields | forms |
//! |---|---|
//! | `evt.arg`, `evtin.span[.p/.s/.m].{tag,arg}` | `[N]`, `.PARAM` (longest event parameter name that prefixes the rest) |
//! | `evt.rawarg` | `.PARAM` |
//! | `evt.around` | `[N]` |
//! | `evt.type.is` | `.N` or `.EVENTNAME` (exactly the rest of the text) |
//! | `evt.abspath` | optional `.src` / `.dst` |
//! | `proc.apid`, `proc.aname` | optional `[N]` (bare only when nothing follows) |
//! | `thread.cgroup` | `.NAME`, `NAME` made of letters and `_` |
//! | `k8s.*.label`, `mesos.task.label`, `marathon.app.label` | `.KEY`, `KEY` made of letters, digits and `/_-.` |
//! | `container.mount[.source/.dest/.mode/.rdwr/.propagation]` | `[N]` or `[PATH]` |
//! | `span.tag`, `span.idtag` | `[N]` |
//! | `span.arg`, `span.enterarg`, `span.*.fortag` | `[N]`, `.KEY` (the rest of the text) |

mod data;

use sonde_event::{EVENT_TABLE, LEGACY_EVENT_COUNT, ParamType, PrintFormat};

pub use data::CLASSES;

/// The `EPF_*` field flags (`filtercheck_field_flags`, libs e5c53d64
/// `userspace/libsinsp/event.h`).
pub mod field_flags {
    pub const NONE: u32 = 0;
    /// The field can only be used in filters.
    pub const FILTER_ONLY: u32 = 1 << 0;
    /// The field can only be printed (not listed by `-l`).
    pub const PRINT_ONLY: u32 = 1 << 1;
    /// The field takes an argument (`EPF_REQUIRES_ARGUMENT`, as set in the
    /// 0.29.3 table: `evt.abspath` has it although its argument is optional).
    pub const REQUIRES_ARGUMENT: u32 = 1 << 2;
    /// The field is for tables (chisels) and is not listed by `-l`.
    pub const TABLE_ONLY: u32 = 1 << 3;
    pub const INFO: u32 = 1 << 4;
    pub const CONVERSATION: u32 = 1 << 5;
    /// The argument is optional. This bit and the two below do not exist in
    /// 0.29.3 (they are later libs' `EPF_ARG_*`, same values); sonde sets them
    /// to describe what the 0.29.3 parsers accept.
    pub const ARG_ALLOWED: u32 = 1 << 7;
    /// The argument may be a number (`[N]`, or `.N` for `evt.type.is`).
    pub const ARG_INDEX: u32 = 1 << 8;
    /// The argument may be a name or key.
    pub const ARG_KEY: u32 = 1 << 9;
}

/// Filter-check class flags (`filter_check_info::flags`).
pub mod class_flags {
    pub const NONE: u32 = 0;
    /// The class can filter thread-table entries (events with only thread and
    /// FD information).
    pub const WORKS_ON_THREAD_TABLE: u32 = 1 << 0;
    /// The class is not shown by field listings.
    pub const HIDDEN: u32 = 1 << 1;
}

/// One field (`filtercheck_field_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: &'static str,
    /// The short display name (column headers).
    pub display: &'static str,
    pub desc: &'static str,
    pub ty: ParamType,
    pub fmt: PrintFormat,
    /// A set of [`field_flags`].
    pub flags: u32,
}

impl FieldInfo {
    #[inline]
    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether the field takes an argument, required or optional.
    #[inline]
    pub fn takes_argument(&self) -> bool {
        self.has_flag(field_flags::ARG_INDEX | field_flags::ARG_KEY)
    }
}

/// One filter-check class (`filter_check_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldClass {
    /// The class name; two classes are called `evt`.
    pub name: &'static str,
    /// A short description telling apart classes of the same name; may be empty.
    pub shortdesc: &'static str,
    pub desc: &'static str,
    /// A set of [`class_flags`].
    pub flags: u32,
    pub fields: &'static [FieldInfo],
}

impl FieldClass {
    #[inline]
    pub fn is_hidden(&self) -> bool {
        self.flags & class_flags::HIDDEN != 0
    }
}

/// The argument of a field, as the class parsed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldArg {
    /// `[N]`, or `.N` for `evt.type.is`. `evt.around` reads an unsigned 64-bit
    /// number (kept here as its bit pattern), `evt.type.is` an unsigned 32-bit
    /// one, the others a signed 32-bit one.
    Index(i64),
    /// A parameter name (`evt.arg.fd` gives `fd`), event name, key, label, path
    /// (`container.mount[/usr]`) or `src`/`dst` for `evt.abspath`.
    Name(String),
}

/// What [`lookup`] resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMatch {
    pub class: &'static FieldClass,
    pub field: &'static FieldInfo,
    /// Bytes of the text the field spans, argument included (what libsinsp's
    /// `parse_field_name` returns). It may be 0 when a class claims the text but
    /// cannot parse its argument without raising an error (`evt.type.is.foo`,
    /// `proc.aname[x]`): the filter compiler then reports an unknown field.
    pub len: usize,
    pub arg: Option<FieldArg>,
}

/// An error a class raises while parsing a field's argument; the message is
/// libsinsp's (`filter syntax error: evt.arg`, `unknown event argument foo`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError {
        message: message.into(),
    })
}

/// The visible classes, in listing order.
pub fn visible_classes() -> impl Iterator<Item = &'static FieldClass> {
    CLASSES.iter().filter(|c| !c.is_hidden())
}

/// The class and field the 0.29.3 filter compiler resolves `name` to: the
/// whole of `name` must be the field, argument included (`evt.arg.fd`,
/// `proc.aname[2]`, `k8s.pod.label.app`). See the module documentation for
/// the rule.
pub fn find(name: &str) -> Option<(&'static FieldClass, &'static FieldInfo)> {
    match lookup(name) {
        Ok(Some(m)) if m.len == name.len() => Some((m.class, m.field)),
        _ => None,
    }
}

/// Resolves the field at the start of `text` as libsinsp's formatter does
/// (`new_filter_check_from_fldname` then `parse_field_name`): `Ok(None)` when
/// no class claims it, an error when the claiming class rejects the argument.
pub fn lookup(text: &str) -> Result<Option<FieldMatch>, FieldError> {
    for class in CLASSES {
        if let Some((field, len, arg)) = parse_in_class(class, text)? {
            return Ok(Some(FieldMatch {
                class,
                field,
                len,
                arg,
            }));
        }
    }
    Ok(None)
}

type Parsed = Option<(&'static FieldInfo, usize, Option<FieldArg>)>;

/// The field of `class` called `name` (always present: the names come from
/// the table).
fn field(class: &'static FieldClass, name: &str) -> &'static FieldInfo {
    class
        .fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or(&class.fields[0])
}

/// The base rule: the longest field name that prefixes `text`.
fn longest_prefix(class: &'static FieldClass, text: &str) -> Parsed {
    class
        .fields
        .iter()
        .filter(|f| text.starts_with(f.name))
        .max_by_key(|f| f.name.len())
        .map(|f| (f, f.name.len(), None))
}

/// `text` starts with `name` but not with `name` followed by `s`.
fn starts_not_plural(text: &str, name: &str) -> bool {
    text.starts_with(name) && !text[name.len()..].starts_with('s')
}

/// The byte at `i`, or NUL past the end (as `std::string::operator[]` at
/// `size()`).
fn byte_at(text: &str, i: usize) -> u8 {
    text.as_bytes().get(i).copied().unwrap_or(0)
}

fn parse_in_class(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    match (class.name, class.shortdesc) {
        ("evt", "Syscall events only") => parse_event(class, text),
        ("process", _) => parse_thread(class, text),
        ("container", _) => parse_container(class, text),
        ("k8s", _) => parse_labels(
            class,
            text,
            &[
                "k8s.pod.label",
                "k8s.rc.label",
                "k8s.rs.label",
                "k8s.svc.label",
                "k8s.ns.label",
                "k8s.deployment.label",
            ],
        ),
        ("mesos", _) => parse_labels(class, text, &["mesos.task.label", "marathon.app.label"]),
        ("span", _) => parse_span(class, text),
        ("evtin", _) => parse_evtin(class, text),
        _ => Ok(longest_prefix(class, text)),
    }
}

fn syntax_error<T>(text: &str) -> Result<T, FieldError> {
    err(format!("filter syntax error: {text}"))
}

/// How a `[...]` index is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Num {
    I32,
    U64,
}

fn parse_num(s: &str, kind: Num) -> Result<i64, FieldError> {
    let v = match kind {
        Num::I32 => scan_i32(s).map(i64::from),
        Num::U64 => scan_u64(s).map(|v| v as i64),
    };
    match v {
        Some(v) => Ok(v),
        None => err(format!("{s} is not a valid number")),
    }
}

/// `[N]` after `name`: the number runs to the first `]` of the text. Without a
/// `]`, libsinsp reads the rest as the number and then returns a length of 0
/// (an unsigned wrap-around): so do we.
fn bracket_index(text: &str, name: &str, kind: Num) -> Result<(usize, FieldArg), FieldError> {
    let start = name.len() + 1;
    match text[start..].find(']') {
        Some(close) => {
            let v = parse_num(&text[start..start + close], kind)?;
            Ok((start + close + 1, FieldArg::Index(v)))
        }
        None => {
            let v = parse_num(&text[start..], kind)?;
            Ok((0, FieldArg::Index(v)))
        }
    }
}

/// `.PARAM`: the longest parameter name of any 0.29.3 event that prefixes the
/// rest (`sinsp_utils::find_longest_matching_evt_param`).
fn dot_param(text: &str, name: &str) -> Result<(usize, FieldArg), FieldError> {
    let rest = &text[name.len() + 1..];
    let best = EVENT_TABLE[..LEGACY_EVENT_COUNT]
        .iter()
        .flat_map(|e| e.params.iter())
        .filter(|p| !p.name.is_empty() && rest.starts_with(p.name))
        .map(|p| p.name)
        .fold(None::<&str>, |best, n| match best {
            Some(b) if b.len() >= n.len() => Some(b),
            _ => Some(n),
        });
    match best {
        Some(p) => Ok((name.len() + 1 + p.len(), FieldArg::Name(p.to_string()))),
        None => err(format!("unknown event argument {rest}")),
    }
}

/// `sinsp_filter_check_event::extract_arg` (evt.arg, evt.rawarg, evt.around)
/// and `sinsp_filter_check_evtin::extract_arg` (`explicit_only` false,
/// `around` false).
fn event_arg(
    text: &str,
    name: &str,
    explicit_only: bool,
    around: bool,
) -> Result<(usize, FieldArg), FieldError> {
    match byte_at(text, name.len()) {
        b'[' => {
            if explicit_only {
                return err("evt.arg fields must be expressed explicitly");
            }
            bracket_index(text, name, if around { Num::U64 } else { Num::I32 })
        }
        b'.' => {
            if around {
                return err("wrong syntax for evt.around");
            }
            dot_param(text, name)
        }
        _ => syntax_error(text),
    }
}

fn parse_event(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    let with =
        |name: &str, (len, arg): (usize, FieldArg)| Some((field(class, name), len, Some(arg)));
    if starts_not_plural(text, "evt.arg") {
        return Ok(with("evt.arg", event_arg(text, "evt.arg", false, false)?));
    }
    if text.starts_with("evt.rawarg") {
        return Ok(with(
            "evt.rawarg",
            event_arg(text, "evt.rawarg", true, false)?,
        ));
    }
    if text.starts_with("evt.around") {
        return Ok(with(
            "evt.around",
            event_arg(text, "evt.around", false, true)?,
        ));
    }
    if let Some(rest) = text.strip_prefix("evt.abspath") {
        let f = field(class, "evt.abspath");
        for which in ["src", "dst"] {
            if rest.strip_prefix('.').is_some_and(|r| r.starts_with(which)) {
                return Ok(Some((
                    f,
                    "evt.abspath.src".len(),
                    Some(FieldArg::Name(which.to_string())),
                )));
            }
        }
        return Ok(Some((f, "evt.abspath".len(), None)));
    }
    if text.starts_with("evt.type.is") {
        let f = field(class, "evt.type.is");
        let base = "evt.type.is".len();
        if byte_at(text, base) != b'.' {
            return syntax_error(text);
        }
        let itype = &text[base + 1..];
        if let Some(v) = scan_u32(itype) {
            return Ok(Some((f, text.len(), Some(FieldArg::Index(i64::from(v))))));
        }
        let known = EVENT_TABLE[..LEGACY_EVENT_COUNT]
            .iter()
            .any(|e| e.name == itype);
        return Ok(Some(if known {
            (f, text.len(), Some(FieldArg::Name(itype.to_string())))
        } else {
            (f, 0, None)
        }));
    }
    Ok(longest_prefix(class, text))
}

fn parse_thread(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    if text.starts_with("arg") {
        return err("filter error: proc.arg filter not implemented yet");
    }
    for name in ["proc.apid", "proc.aname"] {
        if text.starts_with(name) {
            let f = field(class, name);
            // Any failure is swallowed: the bare name is accepted only when
            // nothing follows it, anything else consumes 0 bytes.
            if byte_at(text, name.len()) == b'[' {
                if let Ok((len, arg)) = bracket_index(text, name, Num::I32) {
                    return Ok(Some((f, len, Some(arg))));
                }
                return Ok(Some((f, 0, None)));
            }
            let len = if text == name { name.len() } else { 0 };
            return Ok(Some((f, len, None)));
        }
    }
    if starts_not_plural(text, "thread.cgroup") {
        let f = field(class, "thread.cgroup");
        let (len, key) = dot_key(text, "thread.cgroup", |c| {
            c.is_ascii_alphabetic() || c == b'_'
        })?;
        return Ok(Some((f, len, Some(FieldArg::Name(key)))));
    }
    Ok(longest_prefix(class, text))
}

/// `.KEY` after `name`, `KEY` made of the bytes `ok` accepts (possibly none).
fn dot_key(text: &str, name: &str, ok: impl Fn(u8) -> bool) -> Result<(usize, String), FieldError> {
    if byte_at(text, name.len()) != b'.' {
        return syntax_error(text);
    }
    let start = name.len() + 1;
    let end = start
        + text.as_bytes()[start..]
            .iter()
            .take_while(|&&c| ok(c))
            .count();
    Ok((end, text[start..end].to_string()))
}

fn parse_labels(
    class: &'static FieldClass,
    text: &str,
    names: &[&str],
) -> Result<Parsed, FieldError> {
    for &name in names {
        if starts_not_plural(text, name) {
            let (len, key) = dot_key(text, name, |c| {
                c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-' | b'.')
            })?;
            return Ok(Some((field(class, name), len, Some(FieldArg::Name(key)))));
        }
    }
    Ok(longest_prefix(class, text))
}

fn parse_container(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    const MOUNT: &str = "container.mount";
    let (name, from) = if let Some(rest) = text.strip_prefix("container.mount.") {
        let Some(sub) = ["source", "dest", "mode", "rdwr", "propagation"]
            .into_iter()
            .find(|s| rest.starts_with(s))
        else {
            return syntax_error(text);
        };
        (format!("{MOUNT}.{sub}"), MOUNT.len() + 1)
    } else if text.starts_with(MOUNT) && byte_at(text, MOUNT.len()) != b's' {
        (MOUNT.to_string(), MOUNT.len())
    } else {
        return Ok(longest_prefix(class, text));
    };
    // The `[` may come anywhere after the name.
    let Some(open) = text[from..].find('[').map(|i| i + from) else {
        return syntax_error(text);
    };
    let Some(close) = text[open..].find(']').map(|i| i + open) else {
        return syntax_error(text);
    };
    let inner = &text[open + 1..close];
    let arg = match scan_i32(inner) {
        Some(v) => FieldArg::Index(i64::from(v)),
        None => FieldArg::Name(inner.to_string()),
    };
    Ok(Some((field(class, &name), close + 1, Some(arg))))
}

fn parse_span(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    const PLURAL: [&str; 3] = ["span.tag", "span.arg", "span.enterarg"];
    const OTHER: [&str; 4] = [
        "span.duration.fortag",
        "span.count.fortag",
        "span.childcount.fortag",
        "span.idtag",
    ];
    let name = PLURAL
        .into_iter()
        .find(|n| starts_not_plural(text, n))
        .or_else(|| OTHER.into_iter().find(|n| text.starts_with(n)));
    let Some(name) = name else {
        return Ok(longest_prefix(class, text));
    };
    let f = field(class, name);
    match byte_at(text, name.len()) {
        b'[' => {
            let (len, arg) = bracket_index(text, name, Num::I32)?;
            Ok(Some((f, len, Some(arg))))
        }
        b'.' => {
            if name == "span.tag" || name == "span.idtag" {
                return err(format!("invalid syntax for {name}"));
            }
            let key = text[name.len() + 1..].to_string();
            Ok(Some((f, text.len(), Some(FieldArg::Name(key)))))
        }
        _ => syntax_error(text),
    }
}

fn parse_evtin(class: &'static FieldClass, text: &str) -> Result<Parsed, FieldError> {
    for mid in ["", "p.", "s.", "m."] {
        for what in ["tag", "arg"] {
            let name = format!("evtin.span.{mid}{what}");
            if starts_not_plural(text, &name) {
                let (len, arg) = event_arg(text, &name, false, false)?;
                return Ok(Some((field(class, &name), len, Some(arg))));
            }
        }
    }
    Ok(longest_prefix(class, text))
}

/// `sscanf(s, "%d%c")` returning exactly 1: optional leading white space, an
/// optional sign, digits, and nothing after. glibc reads the digits as a
/// `long` (saturating) and stores its low 32 bits.
fn scan_i32(s: &str) -> Option<i32> {
    let (neg, mag) = scan_digits(s)?;
    let v: i64 = if neg {
        if mag > i64::MAX as u64 + 1 {
            i64::MIN
        } else {
            (mag as i64).wrapping_neg()
        }
    } else {
        i64::try_from(mag).unwrap_or(i64::MAX)
    };
    Some(v as i32)
}

/// `sscanf(s, "%u%c")` == 1 (`strtoul`: a minus sign negates modulo 2^64).
fn scan_u32(s: &str) -> Option<u32> {
    scan_u64(s).map(|v| v as u32)
}

/// `sscanf(s, "%lu%c")` == 1.
fn scan_u64(s: &str) -> Option<u64> {
    let (neg, mag) = scan_digits(s)?;
    Some(if neg { mag.wrapping_neg() } else { mag })
}

/// White space, sign and digits making up all of `s`; the magnitude saturates.
fn scan_digits(s: &str) -> Option<(bool, u64)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mag = digits.bytes().fold(0u64, |acc, c| {
        acc.saturating_mul(10).saturating_add(u64::from(c - b'0'))
    });
    Some((neg, mag))
}

#[cfg(test)]
mod tests;
