//! sysdig's output format language (`sinsp_evt_formatter`): literal text
//! and `%field` tokens, `%Nfield` to pad or cut a value to N columns, and a
//! leading `*` to print a line even when some fields have no value (they
//! print as `<NA>`); without it such a line is not printed at all.

use sonde_event::render::put;
use sonde_filter::value::{write_json, write_json_string};
use sonde_filter::{Ctx, FieldError, FieldSpec};
use std::sync::Mutex;

/// sysdig's default line.
pub const DEFAULT_FORMAT: &str =
    "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info";

enum Token {
    Text(Vec<u8>),
    /// Text of at most 16 bytes (the separators of most formats), padded
    /// with zeros: written as one 16-byte copy, then cut to its length.
    Short([u8; 16], u8),
    Field {
        spec: FieldSpec,
        width: usize,
        /// The last text this token produced, for the fields whose libsinsp
        /// check returns its previous string when the event has no thread
        /// (`evt.latency.human`: each format token is its own check object,
        /// and `m_strstorage` keeps the last value, `""` at first).
        last: Option<Mutex<Vec<u8>>>,
    },
}

impl Token {
    fn text(t: &[u8]) -> Token {
        if t.len() > 16 {
            return Token::Text(t.to_vec());
        }
        let mut a = [0u8; 16];
        a[..t.len()].copy_from_slice(t);
        Token::Short(a, t.len() as u8)
    }

    fn field(spec: FieldSpec, width: usize) -> Token {
        let last =
            (spec.field == sonde_filter::Field::EvtLatencyHuman).then(|| Mutex::new(Vec::new()));
        Token::Field { spec, width, last }
    }
}

/// Writes the field of a token; `false` when it has no value.
fn write_token(
    ctx: &Ctx<'_, '_>,
    spec: &FieldSpec,
    last: Option<&Mutex<Vec<u8>>>,
    out: &mut Vec<u8>,
) -> bool {
    let Some(last) = last else {
        return ctx.write_field(spec, out);
    };
    let mut last = last
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if ctx.attached_thread().is_none() {
        out.extend_from_slice(&last);
        return true;
    }
    let at = out.len();
    if !ctx.write_field(spec, out) {
        return false;
    }
    last.clear();
    last.extend_from_slice(&out[at..]);
    true
}

/// A compiled output format.
pub struct Formatter {
    tokens: Vec<Token>,
    require_all: bool,
    json: bool,
    /// JSON keys in the order jsoncpp writes them (sorted), with the index
    /// of their token.
    json_order: Vec<(String, usize)>,
    /// The format is sysdig's default line, which [`write_default`] writes
    /// without going through the tokens.
    default_line: bool,
}

/// sysdig's default line ([`DEFAULT_FORMAT`]), field by field: the bytes
/// its tokens give, in straight-line code (the line most runs print, by the
/// million).
#[inline(always)]
fn write_default(ctx: &Ctx<'_, '_>, out: &mut Vec<u8>) {
    ctx.write_evt_num(out);
    out.push(b' ');
    ctx.write_evt_time(out);
    out.push(b' ');
    ctx.write_evt_cpu(out);
    out.push(b' ');
    // The format starts with `*`: a missing value prints as `<NA>`.
    if !ctx.write_proc_name(out) {
        put(out, b"<NA>");
    }
    put(out, b" (");
    ctx.write_thread_tid(out);
    put(out, b") ");
    ctx.write_evt_dir(out);
    out.push(b' ');
    ctx.write_evt_type(out);
    out.push(b' ');
    ctx.write_evt_info(out);
}

/// Replaces `\n`, `\t`, `\e` and `\\` in a `-p` argument, as sysdig does.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some('n') => {
                    out.push('\n');
                    it.next();
                }
                Some('t') => {
                    out.push('\t');
                    it.next();
                }
                Some('e') => {
                    out.push('\x1b');
                    it.next();
                }
                Some('\\') => {
                    out.push('\\');
                    it.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a format cannot be used.
#[derive(Debug)]
pub enum FormatError {
    Empty,
    EndsWithPercent,
    EndsWithNumber,
    Field(FieldError),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Empty => write!(f, "empty formatting token"),
            FormatError::EndsWithPercent => write!(
                f,
                "invalid formatting syntax: formatting cannot end with a %"
            ),
            FormatError::EndsWithNumber => {
                write!(
                    f,
                    "invalid formatting syntax: formatting cannot end with a number"
                )
            }
            FormatError::Field(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FormatError {}

impl Formatter {
    /// Compiles `fmt`; `json` selects JSON lines.
    pub fn new(fmt: &str, json: bool) -> Result<Formatter, FormatError> {
        if fmt.is_empty() {
            return Err(FormatError::Empty);
        }
        let (require_all, body) = match fmt.strip_prefix('*') {
            Some(rest) => (false, rest),
            None => (true, fmt),
        };
        let b = body.as_bytes();
        let mut tokens = Vec::new();
        let mut text_start = 0;
        let mut j = 0;
        while j < b.len() {
            if b[j] != b'%' {
                j += 1;
                continue;
            }
            if text_start != j {
                tokens.push(Token::text(&b[text_start..j]));
            }
            if j == b.len() - 1 {
                return Err(FormatError::EndsWithPercent);
            }
            let mut k = j + 1;
            let mut width = 0usize;
            while k < b.len() && b[k].is_ascii_digit() {
                width = width
                    .saturating_mul(10)
                    .saturating_add(usize::from(b[k] - b'0'));
                k += 1;
            }
            if k == b.len() {
                return Err(FormatError::EndsWithNumber);
            }
            let (spec, used) =
                FieldSpec::parse_prefix(&body[k..], false).map_err(FormatError::Field)?;
            tokens.push(Token::field(spec, width));
            j = k + used;
            text_start = j;
        }
        if text_start < b.len() {
            tokens.push(Token::text(&b[text_start..]));
        }
        let mut json_order: Vec<(String, usize)> = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if let Token::Field { spec, .. } = t {
                match json_order.iter_mut().find(|(k, _)| *k == spec.name) {
                    Some(slot) => slot.1 = i,
                    None => json_order.push((spec.name.clone(), i)),
                }
            }
        }
        json_order.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Ok(Formatter {
            tokens,
            require_all,
            json,
            json_order,
            default_line: !json && fmt == DEFAULT_FORMAT,
        })
    }

    /// Appends the line for the event of `ctx` to `out` (no newline).
    /// Returns `false`, leaving `out` as it was, when the line is not to be
    /// printed.
    pub fn write(&self, ctx: &Ctx<'_, '_>, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        if self.json {
            return self.write_json(ctx, out, start);
        }
        if self.default_line {
            write_default(ctx, out);
            return true;
        }
        for t in &self.tokens {
            match t {
                Token::Text(s) => put(out, s),
                Token::Short(a, n) => {
                    let at = out.len();
                    out.extend_from_slice(a);
                    out.truncate(at + usize::from(*n));
                }
                Token::Field { spec, width, last } => {
                    let at = out.len();
                    let written = match last {
                        None => ctx.write_field(spec, out),
                        Some(last) => write_token(ctx, spec, Some(last), out),
                    };
                    if !written {
                        if self.require_all {
                            out.truncate(start);
                            return false;
                        }
                        out.extend_from_slice(b"<NA>");
                    }
                    if *width != 0 {
                        // `std::string::resize(width, ' ')`: cut or pad.
                        out.resize(at + width, b' ');
                    }
                }
            }
        }
        true
    }

    fn write_json(&self, ctx: &Ctx<'_, '_>, out: &mut Vec<u8>, start: usize) -> bool {
        out.push(b'{');
        for (n, (key, idx)) in self.json_order.iter().enumerate() {
            let Token::Field { spec, last, .. } = &self.tokens[*idx] else {
                continue;
            };
            if n > 0 {
                out.push(b',');
            }
            write_json_string(out, key.as_bytes());
            out.push(b':');
            // The fields of the default line, written without building
            // values: numbers as numbers, text escaped from a scratch buffer.
            use sonde_filter::Field as F;
            match spec.field {
                F::EvtNum | F::ThreadTid | F::EvtCpu => {
                    ctx.write_field(spec, out);
                    continue;
                }
                F::EvtOutputtime => {
                    out.extend_from_slice(itoa::Buffer::new().format(ctx.ev.ts).as_bytes());
                    continue;
                }
                F::EvtDir
                | F::EvtType
                | F::EvtInfo
                | F::EvtArgs
                | F::ProcName
                | F::EvtLatencyHuman => {
                    // One scratch buffer per thread, reused for every value.
                    thread_local! {
                        static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
                    }
                    let mut scratch = SCRATCH.take();
                    scratch.clear();
                    let ok = write_token(ctx, spec, last.as_ref(), &mut scratch);
                    if ok {
                        write_json_string(out, &scratch);
                    }
                    SCRATCH.set(scratch);
                    if ok {
                        continue;
                    }
                    if self.require_all {
                        out.truncate(start);
                        return false;
                    }
                    out.extend_from_slice(b"null");
                    continue;
                }
                _ => {}
            }
            match json_value(ctx, spec) {
                Some(JsonVal::Raw(r)) => out.extend_from_slice(&r),
                Some(JsonVal::Val(v)) => write_json(out, &v, spec.ty, spec.fmt),
                None if self.require_all => {
                    out.truncate(start);
                    return false;
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
        true
    }
}

enum JsonVal<'a> {
    Raw(Vec<u8>),
    Val(sonde_filter::Val<'a>),
}

/// `tojson`: the per-class `extract_as_js` overrides, then the generic
/// conversion.
fn json_value<'a>(ctx: &Ctx<'a, '_>, spec: &FieldSpec) -> Option<JsonVal<'a>> {
    use sonde_filter::Field as F;
    let ts = ctx.ev.ts;
    let num = |v: u64| Some(JsonVal::Raw(v.to_string().into_bytes()));
    match spec.field {
        F::EvtTime
        | F::EvtTimeS
        | F::EvtTimeIso8601
        | F::EvtDatetime
        | F::EvtDatetimeS
        | F::EvtOutputtime => num(ts),
        F::EvtRawtime
        | F::EvtRawtimeS
        | F::EvtRawtimeNs
        | F::EvtReltime
        | F::EvtReltimeS
        | F::EvtReltimeNs
        | F::EvtLatency
        | F::EvtLatencyS
        | F::EvtLatencyNs => match ctx.extract(spec, true)? {
            sonde_filter::Val::Uint(u) => num(u),
            v => Some(JsonVal::Val(v)),
        },
        _ => ctx.extract(spec, true).map(JsonVal::Val),
    }
}

// A compiled format is shared across threads (the fuzz targets keep them in
// statics; live capture will format on a worker).
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Formatter>();
};
