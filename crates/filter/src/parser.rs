//! The filter parser: a recursive-descent parser following, rule for rule and
//! message for message, `userspace/libsinsp/filter/parser.cpp` of
//! falcosecurity/libs at commit 48dfd53cd23f95720521d41b89883bbc35c8567f
//! (tests: `userspace/libsinsp/test/filter_parser.ut.cpp` at the same commit).
//!
//! # Grammar (EBNF, from libs' `parser.h`)
//!
//! ```text
//! Expr           ::= OrExpr
//! OrExpr         ::= AndExpr ('or' OrExprTail)*
//! OrExprTail     ::= ' ' AndExpr | '(' Expr ')'
//! AndExpr        ::= NotExpr ('and' AndExprTail)*
//! AndExprTail    ::= ' ' NotExpr | '(' Expr ')'
//! NotExpr        ::= ('not ')* NotExprTail
//! NotExprTail    ::= 'not(' Expr ')' | Check
//! Check          ::= Field Condition | FieldTransformer Condition
//!                  | Identifier | '(' Expr ')'
//! FieldTransformer     ::= FieldTransformerType FieldTransformerTail
//! FieldTransformerTail ::= FieldTransformerArg (',' FieldTransformerArg)* ')' ('[' FieldArg ']')?
//! FieldTransformerArg  ::= FieldTransformer | Field | QuotedStr | NumValue | TransformerList
//! TransformerList      ::= '(' (TransformerListArg (',' TransformerListArg)*)? ')'
//! TransformerListArg   ::= Field | FieldTransformer | QuotedStr | NumValue
//! FieldTransformerOrVal ::= FieldTransformer | 'val(' Field ')'
//! Condition      ::= 'exists'
//!                  | NumOperator (NumValue | FieldTransformerOrVal)
//!                  | StrOperator (StrValue | FieldTransformerOrVal)
//!                  | StrOperator StrOperatorModifier ListValue
//!                  | ListOperator (ListValue | FieldTransformerOrVal)
//! ListValue      ::= '(' (StrValue (',' StrValue)*)? ')' | Identifier
//! Field          ::= FieldName ('[' FieldArg ']')?
//! FieldArg       ::= QuotedStr | FieldArgBareStr
//! NumValue       ::= HexNumber | Number
//! StrValue       ::= QuotedStr | BareStr
//!
//! NumOperator    ::= '<=' | '<' | '>=' | '>'
//! StrOperator    ::= '==' | '=' | '!=' | 'glob ' | 'iglob ' | 'contains '
//!                  | 'icontains ' | 'bcontains ' | 'startswith '
//!                  | 'bstartswith ' | 'endswith ' | 'regex '
//! StrOperatorModifier ::= 'oneof ' | 'anyof ' | 'allof '
//! ListOperator   ::= 'intersects' | 'in' | 'pmatch'
//! FieldTransformerType ::= 'tolower(' | 'toupper(' | 'b64(' | 'basename('
//!                  | 'len(' | 'join(' | 'concat(' | 'getopt('
//!
//! Identifier     ::= [a-zA-Z][a-zA-Z0-9_]*
//! FieldName      ::= [a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+
//! FieldArgBareStr ::= [^][\"'[:space:]]+
//! HexNumber      ::= 0[xX][0-9a-fA-F]+
//! Number         ::= [+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?
//! QuotedStr      ::= "(?:\\"|.)*?"|'(?:\\'|.)*?'
//! BareStr        ::= [^()\"'[:space:]=,]+
//! ```
//!
//! A trailing space in a keyword above means "followed by at least one
//! blank". Tokens are matched leftmost-longest at the cursor (libs uses RE2
//! in POSIX mode) and keywords by plain prefix comparison, which gives the
//! language its quirks, all kept here:
//!
//! - Blanks skipped between tokens are space, `\t`, `\n`, `\r` and `\b`
//!   (not `\v`/`\f`, which nonetheless end bare strings and follow `not`).
//! - `and`/`or` are matched as prefixes, then must be followed by a blank or
//!   `(`: `a andx b` is the error "expected blank or '(' after 'and'", not an
//!   identifier `andx`. A bare *value* eats letters, though: `x.y = 1and`
//!   compares with the string `1and`; after a number (`x.y > 1and z`) the
//!   `and` is a keyword.
//! - `x or(y) and z` is rejected: the parenthesised tail of `or` is a whole
//!   operand, the following `and` has nothing to attach to.
//! - `not` needs a blank after it (`not a`) or is `not(`; `nota` is an
//!   identifier, and `not` alone (or `a and not`) is the identifier `not`.
//!   An even number of `not`s cancels out.
//! - A bare value runs until blank, `(`, `)`, `"`, `'`, `=` or `,`. So
//!   `fd.name=/var/lo);g` ends the value at `)`, and `a.b = x=y` is an error.
//!   A right-hand `proc.name` without `val(...)` is just a string.
//! - List operators need no blank: `x in(a)`, and even `x inabc`, which is
//!   `x in abc` (the list named `abc`). Lists hold quoted or bare strings
//!   separated by commas with optional blanks: `(a, 'b c', "d")`; `()` is
//!   empty; `(a,)` and `(,a)` are errors; `(a b)` is an error.
//! - After a string operator, `oneof`/`anyof`/`allof` plus a blank is a
//!   modifier only if a list `(` or an identifier follows and that identifier
//!   does not start with `and`/`or`/`not` (followed by a non-alphanumeric);
//!   otherwise the word is the value: `x == oneof and y exists`.
//! - Quoted strings: `'...'` or `"..."`. The closing quote is the first one
//!   not preceded by a backslash (so `"a\\"` is unterminated, while
//!   `'x \\''` is the string `x \'`). Escapes: `\b \f \n \r \t \\ \/ \xHH`,
//!   `\"` (only in `"`-strings), `\'` (only in `'`-strings), and `\ ` which
//!   gives a backslash. Any other escape is an error.
//! - Only in the first item of a list, an error (including a bad escape) is
//!   taken as "empty list": `x in ("\q")` is `x in ()` (libs catches that
//!   exception and only then looks for `)`).
//! - Recursion is capped: every grammar function that libs guards counts one
//!   level, and reaching `max_depth` (default 100, as libs) is the error
//!   "exceeded max depth limit of 100". That allows 19 nested parentheses.
//!
//! # Deviations from libs
//!
//! - The input is a `&str`; a `\xHH` escape whose bytes are not valid UTF-8
//!   (e.g. `"\xff"`, which libs accepts as a raw byte) is the error
//!   "hex escape sequences make invalid UTF-8".
//! - `==` and `=` both give [`Op::Eq`].
//! - [`parse_field_or_transformer`] reports "expected a field or a field
//!   transformer" where libs prints a truncated "unexpected token after '".
//!
//! # Errors, and what Debian's sysdig 0.29.3 printed
//!
//! The position of an error is where libs' parser stood when it threw; the
//! [`Display`](std::fmt::Display) of [`ParseError`] is what libs' filter
//! compiler prints: `filter error at index 19, line 1, column 20: expected
//! blank or '(' after 'and'`. Debian's sysdig 0.29.3 still has the old
//! hand-written compiler, with other messages and positions, and is laxer:
//!
//! | filter              | sysdig 0.29.3 (stderr, exit 1)                                   | here (pos: msg) |
//! |---------------------|------------------------------------------------------------------|-----------------|
//! | `proc.name=`        | accepted (matches nothing)                                       | 10: expected a string value or a field with a valid transformer: 'val', … |
//! | `proc.name contains`| accepted (matches everything)                                    | 10: expected a valid check operator: one of 'exists', … (`contains` needs a blank after it) |
//! | `proc.name = foo and` | `filter error at position 19: filter error: unexpected end of filter` | 19: expected blank or '(' after 'and' |
//! | `proc.name = foo or`  | `filter error at position 18: filter error: unexpected end of filter` | 18: expected blank or '(' after 'or' |
//! | `(proc.name=foo`    | `filter error at position 15: filter error: unexpected end of filter` | 14: expected a ')' token |
//! | `proc.name = foo)`  | `filter error at position 16: filter error: unexpected end of filter` | 15: unexpected token after 'foo', expecting 'or', 'and' |
//! | `proc.name = foo andx proc.pid=1` | `filter error at position 20: filter error: unrecognized field x at pos 19` | 19: expected blank or '(' after 'and' |
//! | `proc.name bogus x` | `filter error at position 10: filter error: unrecognized comparison operator after proc.name ` | 10: expected a valid check operator: one of 'exists', … |
//! | `proc.name = "abc`  | `filter error at position 16: filter error: unclosed quotes`    | 12: expected a string value or a field with a valid transformer: … |
//! | `proc.name in (a,`  | `filter error at position 17: expected either ')' or ',' after a value inside the 'in/pmatch' clause` | 16: expected a string value |
//! | `proc.name in (a b)` | `filter error at position 16: expected either ')' or ',' after a value inside the 'in/pmatch' clause` | 16: expected a ')' token |
//! | `proc.name in`      | `filter error at position 12: expected '(' after 'in/intersects/pmatch' operand` | 12: expected a list, an identifier, or a field with a valid transformer: … |
//! | `proc.name = a b`   | `filter error at position 14: syntax error in filter`            | 14: unexpected token after 'a', expecting 'or', 'and' |
//! | `  ` (blanks)       | `filter error at position 2: filter error: unexpected end of filter` | 2: expected a '(' token, a field check, or an identifier |
//! | `` (empty)          | no filter at all                                                 | 0: filter input string is empty |

use crate::ast::{
    Check, Expr, FieldRef, Modifier, Op, Operand, Transformer, TransformerArg, TransformerKind,
    Value,
};

/// libs' default recursion limit (`parser::m_max_depth`).
pub const DEFAULT_MAX_DEPTH: u32 = 100;

/// The largest `max_depth` honoured (99 nested parentheses): deeper settings
/// are clamped to it, so that no input can overflow a 2 MiB thread stack,
/// even unoptimised (about 2 KiB of stack per level at opt-level 0).
pub const MAX_DEPTH_LIMIT: u32 = 500;

/// A syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter error at index {pos}, line {line}, column {col}: {msg}")]
pub struct ParseError {
    /// Byte offset in the input where the parser stood.
    pub pos: usize,
    /// 1-based line, counted as libs does (every `\n` and every `\r` starts
    /// a line).
    pub line: u32,
    /// 1-based column, in bytes, counted as libs does.
    pub col: u32,
    /// The message, worded as libs' parser.
    pub msg: String,
}

impl ParseError {
    /// Fills in `line` and `col` (left at 0 while parsing: libs catches some
    /// errors, and counting lines for each would make parsing quadratic).
    fn located(mut self, input: &str) -> Self {
        (self.line, self.col) = line_col(input, self.pos);
        self
    }

    /// Two lines pointing at the error: the input line holding it, then a
    /// caret under the offending character (tabs kept so it lines up).
    /// libs has no such helper; this is for command-line tools.
    ///
    /// ```text
    /// proc.name = foo and
    ///                    ^
    /// ```
    pub fn pointer(&self, input: &str) -> String {
        let mut pos = self.pos.min(input.len());
        while !input.is_char_boundary(pos) {
            pos -= 1;
        }
        let is_eol = |c: char| c == '\n' || c == '\r';
        let start = input[..pos].rfind(is_eol).map_or(0, |i| i + 1);
        let end = input[pos..].find(is_eol).map_or(input.len(), |i| pos + i);
        let line = &input[start..end];
        let mut out = String::with_capacity(2 * line.len() + 2);
        out.push_str(line);
        out.push('\n');
        for c in input[start..pos].chars() {
            out.push(if c == '\t' { '\t' } else { ' ' });
        }
        out.push('^');
        out
    }
}

/// The 1-based (line, column) of byte offset `pos`, counted as libs'
/// `pos_info`: one column per byte, and `\n` or `\r` start a new line.
pub fn line_col(input: &str, pos: usize) -> (u32, u32) {
    let mut line: u32 = 1;
    let mut col: u32 = 1;
    for &b in input.as_bytes().iter().take(pos) {
        col = col.saturating_add(1);
        if b == b'\n' || b == b'\r' {
            col = 1;
            line = line.saturating_add(1);
        }
    }
    (line, col)
}

/// Parser settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Recursion limit, counted as libs counts it (about 5 per nested
    /// parenthesis). Clamped to [`MAX_DEPTH_LIMIT`].
    pub max_depth: u32,
    /// Stop after the longest filter prefix instead of requiring the whole
    /// input to be a filter (libs' `set_parse_partial`).
    pub partial: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            partial: false,
        }
    }
}

/// Parses a whole filter with the default [`Options`].
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    parse_with(input, &Options::default()).map(|(e, _)| e)
}

/// Parses a filter; returns it with the byte offset where parsing stopped
/// (the input length unless `opts.partial`).
pub fn parse_with(input: &str, opts: &Options) -> Result<(Expr, usize), ParseError> {
    let mut p = Parser::new(input, opts.max_depth);
    let e = p.parse(opts.partial).map_err(|e| e.located(input))?;
    Ok((e, p.pos))
}

/// Parses a field or a field transformer at the start of `input`, such as
/// `proc.name`, `proc.aname[2]` or `tolower(proc.name)`, as libs'
/// output formatter does after a `%`. Returns it with the number of bytes
/// it took; what follows is not looked at.
pub fn parse_field_or_transformer(input: &str) -> Result<(Operand, usize), ParseError> {
    let mut p = Parser::new(input, DEFAULT_MAX_DEPTH);
    let o = p.guarded(|p| {
        if p.lex_field_name() {
            let name = p.last_text();
            return Ok(Operand::Field(p.parse_field_remainder(name)?));
        }
        if let Some(kind) = p.lex_transformer_type() {
            p.lex_blank();
            let t = p.parse_transformer_remainder(kind)?;
            return Ok(Operand::Transformer(Box::new(t)));
        }
        Err(p.error("expected a field or a field transformer"))
    });
    match o {
        Ok(o) => Ok((o, p.pos)),
        Err(e) => Err(e.located(input)),
    }
}

/// The transformers named in libs' messages (`val` included).
const TRANSFORMERS_MSG: &str =
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";

/// libs' `supported_operators()`, as listed in its message.
const OPERATORS_MSG: &str = "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', \
     'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', \
     'intersects', 'in', 'pmatch'";

const NUM_OPS: [(&str, Op); 4] = [("<=", Op::Le), ("<", Op::Lt), (">=", Op::Ge), (">", Op::Gt)];

/// `(keyword, needs a blank after it, op)`, in libs' order.
const STR_OPS: [(&str, bool, Op); 12] = [
    ("==", false, Op::Eq),
    ("=", false, Op::Eq),
    ("!=", false, Op::Ne),
    ("glob", true, Op::Glob),
    ("iglob", true, Op::IGlob),
    ("contains", true, Op::Contains),
    ("icontains", true, Op::IContains),
    ("bcontains", true, Op::BContains),
    ("startswith", true, Op::StartsWith),
    ("bstartswith", true, Op::BStartsWith),
    ("endswith", true, Op::EndsWith),
    ("regex", true, Op::Regex),
];

const LIST_OPS: [(&str, Op); 3] = [
    ("intersects", Op::Intersects),
    ("in", Op::In),
    ("pmatch", Op::PMatch),
];

const TRANSFORMER_TOKENS: [(&str, TransformerKind); 8] = [
    ("tolower(", TransformerKind::Tolower),
    ("toupper(", TransformerKind::Toupper),
    ("b64(", TransformerKind::B64),
    ("basename(", TransformerKind::Basename),
    ("len(", TransformerKind::Len),
    ("join(", TransformerKind::Join),
    ("concat(", TransformerKind::Concat),
    ("getopt(", TransformerKind::Getopt),
];

type Result<T, E = ParseError> = std::result::Result<T, E>;

/// libs' `m_last_token`, kept as a span of the input.
#[derive(Clone, Copy)]
enum Last {
    /// The text `input[start..end]`.
    Span(usize, usize),
    /// The unescaped value of the quoted string `input[start..end]`.
    Quoted(usize, usize),
}

struct Parser<'a> {
    input: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: u32,
    max_depth: u32,
    last: Last,
}

/// `lex_blank`'s characters.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x08 | b'\r' | b'\n')
}

/// POSIX `[[:space:]]`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn ident_len(b: &[u8], at: usize) -> usize {
    match b.get(at) {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return 0,
    }
    1 + b[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

fn run_len(b: &[u8], at: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(at..)
        .map_or(0, |s| s.iter().take_while(|c| f(**c)).count())
}

/// The length of the hex or decimal number token at `at`, if any (hex
/// first, as libs tries `lex_hex_num() || lex_num()`).
pub(crate) fn number_len(b: &[u8], at: usize) -> Option<usize> {
    hex_len(b, at).or_else(|| dec_len(b, at))
}

fn hex_len(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) == Some(&b'0') && matches!(b.get(at + 1), Some(b'x' | b'X')) {
        let n = run_len(b, at + 2, |c| c.is_ascii_hexdigit());
        if n > 0 {
            return Some(2 + n);
        }
    }
    None
}

/// `[+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?`, longest match.
fn dec_len(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let n = run_len(b, i, |c| c.is_ascii_digit());
    if n == 0 {
        return None;
    }
    i += n;
    if b.get(i) == Some(&b'.') {
        i += 1;
    }
    i += run_len(b, i, |c| c.is_ascii_digit());
    if matches!(b.get(i), Some(b'e' | b'E')) && matches!(b.get(i + 1), Some(b'+' | b'-')) {
        let n = run_len(b, i + 2, |c| c.is_ascii_digit());
        if n > 0 {
            i += 2 + n;
        }
    }
    Some(i - at)
}

/// libs' `unescape_str` on the body of a quoted string.
fn unescape(body: &str, delim: u8) -> std::result::Result<String, String> {
    let s = body.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut had_hex = false;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = s.get(i) else {
            break; // cannot happen: the closing quote would be escaped
        };
        match e {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            // libs: `\ ` falls through to the `\\` case
            b' ' | b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' if delim != b'"' => return Err("invalid \\\" escape in '-quoted string".into()),
            b'\'' if delim != b'\'' => return Err("invalid \\' escape in \"-quoted string".into()),
            b'"' | b'\'' => out.push(e),
            b'x' => {
                let (Some(&h), Some(&l)) = (s.get(i + 1), s.get(i + 2)) else {
                    return Err("truncated hex char escape sequence".into());
                };
                match (hex_val(h), hex_val(l)) {
                    (Some(h), Some(l)) => out.push((h << 4) | l),
                    _ => {
                        let end = (i + 3).min(s.len());
                        return Err(format!(
                            "invalid hex char escape sequence: {}",
                            String::from_utf8_lossy(&s[i + 1..end])
                        ));
                    }
                }
                had_hex = true;
                i += 2;
            }
            _ => {
                let ch = body[i..].chars().next().unwrap_or('?');
                return Err(format!("unsupported string escape sequence: \\{ch}"));
            }
        }
        i += 1;
    }
    if had_hex {
        String::from_utf8(out).map_err(|_| "hex escape sequences make invalid UTF-8".to_string())
    } else {
        // only ASCII bytes were added to valid UTF-8 text, at char boundaries
        Ok(String::from_utf8(out).unwrap_or_default())
    }
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, max_depth: u32) -> Self {
        Self {
            input,
            b: input.as_bytes(),
            pos: 0,
            depth: 0,
            max_depth: max_depth.min(MAX_DEPTH_LIMIT),
            last: Last::Span(0, 0),
        }
    }

    fn error(&self, msg: impl Into<String>) -> ParseError {
        ParseError {
            pos: self.pos,
            line: 0,
            col: 0,
            msg: msg.into(),
        }
    }

    /// libs' `depth_guard`: one level for the duration of `f`.
    fn guarded<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.depth += 1;
        if self.depth >= self.max_depth {
            self.depth -= 1;
            return Err(self.error(format!("exceeded max depth limit of {}", self.max_depth)));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// The byte at the cursor, 0 at the end (libs reads a C string).
    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn last_text(&self) -> String {
        match self.last {
            Last::Span(s, e) => self.input.get(s..e).unwrap_or_default().to_string(),
            Last::Quoted(s, e) => self
                .input
                .get(s + 1..e.saturating_sub(1))
                .and_then(|body| unescape(body, self.b[s]).ok())
                .unwrap_or_default(),
        }
    }

    // ------------------------------------------------------------ lexers

    fn take(&mut self, len: usize) {
        self.last = Last::Span(self.pos, self.pos + len);
        self.pos += len;
    }

    fn lex_blank(&mut self) -> bool {
        let n = run_len(self.b, self.pos, is_blank);
        self.pos += n;
        n > 0
    }

    fn lex_str(&mut self, s: &str) -> bool {
        if self.b[self.pos..].starts_with(s.as_bytes()) {
            self.take(s.len());
            true
        } else {
            false
        }
    }

    /// A keyword that must be followed by blanks (consumed); the token is
    /// the keyword alone. Backtracks otherwise.
    fn lex_word_op(&mut self, kw: &str) -> bool {
        let (pos, last) = (self.pos, self.last);
        if self.lex_str(kw) {
            if self.lex_blank() {
                return true;
            }
            self.pos = pos;
            self.last = last;
        }
        false
    }

    fn lex_len(&mut self, n: usize) -> bool {
        if n > 0 {
            self.take(n);
            true
        } else {
            false
        }
    }

    fn lex_identifier(&mut self) -> bool {
        self.lex_len(ident_len(self.b, self.pos))
    }

    fn lex_field_name(&mut self) -> bool {
        let b = self.b;
        let first = ident_len(b, self.pos);
        if first == 0 {
            return false;
        }
        let mut end = self.pos + first;
        while b.get(end) == Some(&b'.') {
            let n = ident_len(b, end + 1);
            if n == 0 {
                break;
            }
            end += 1 + n;
        }
        if end == self.pos + first {
            return false;
        }
        self.lex_len(end - self.pos)
    }

    fn lex_field_arg_bare_str(&mut self) -> bool {
        let n = run_len(self.b, self.pos, |c| {
            !(is_space(c) || matches!(c, b'[' | b']' | b'"' | b'\''))
        });
        self.lex_len(n)
    }

    fn lex_bare_str(&mut self) -> bool {
        let n = run_len(self.b, self.pos, |c| {
            !(is_space(c) || matches!(c, b'(' | b')' | b'"' | b'\'' | b'=' | b','))
        });
        self.lex_len(n)
    }

    /// `lex_hex_num() || lex_num()`.
    fn lex_number(&mut self) -> bool {
        match number_len(self.b, self.pos) {
            Some(n) => self.lex_len(n),
            None => false,
        }
    }

    /// `not[[:space:]]+`.
    fn lex_not_blank(&mut self) -> bool {
        if self.b[self.pos..].starts_with(b"not") {
            let n = run_len(self.b, self.pos + 3, is_space);
            if n > 0 {
                return self.lex_len(3 + n);
            }
        }
        false
    }

    /// A quoted string: `Ok(Some(value))`, `Ok(None)` if there is none at
    /// the cursor (or it is unterminated), `Err` for a bad escape.
    fn lex_quoted_str(&mut self) -> Result<Option<String>> {
        let delim = self.peek();
        if delim != b'\'' && delim != b'"' {
            return Ok(None);
        }
        let start = self.pos;
        let mut prev = b'\\';
        let mut i = start;
        while let Some(&c) = self.b.get(i) {
            if c == 0 {
                break;
            }
            if c == delim && prev != b'\\' {
                let end = i + 1;
                self.pos = end;
                let body = self.input.get(start + 1..i).unwrap_or_default();
                return match unescape(body, delim) {
                    Ok(v) => {
                        self.last = Last::Quoted(start, end);
                        Ok(Some(v))
                    }
                    Err(msg) => {
                        self.last = Last::Span(start, end);
                        Err(self.error(msg))
                    }
                };
            }
            prev = c;
            i += 1;
        }
        // libs leaves the partial text in m_last_token
        self.last = Last::Span(start, i);
        Ok(None)
    }

    fn lex_transformer_type(&mut self) -> Option<TransformerKind> {
        for (tok, kind) in TRANSFORMER_TOKENS {
            if self.lex_str(tok) {
                // libs: m_last_token.pop_back(), dropping '('
                if let Last::Span(s, e) = self.last {
                    self.last = Last::Span(s, e - 1);
                }
                return Some(kind);
            }
        }
        None
    }

    fn lex_unary_op(&mut self) -> bool {
        self.lex_str("exists")
    }

    fn lex_num_op(&mut self) -> Option<Op> {
        NUM_OPS
            .into_iter()
            .find_map(|(tok, op)| self.lex_str(tok).then_some(op))
    }

    /// Returns the op and whether it is a word (its blank already consumed).
    fn lex_str_op(&mut self) -> Option<(Op, bool)> {
        STR_OPS.into_iter().find_map(|(tok, word, op)| {
            let ok = if word {
                self.lex_word_op(tok)
            } else {
                self.lex_str(tok)
            };
            ok.then_some((op, word))
        })
    }

    fn lex_str_op_modifier(&mut self) -> Option<Modifier> {
        Modifier::ALL
            .into_iter()
            .find(|m| self.lex_word_op(m.as_str()))
    }

    fn lex_list_op(&mut self) -> Option<Op> {
        LIST_OPS
            .into_iter()
            .find_map(|(tok, op)| self.lex_str(tok).then_some(op))
    }

    fn list_value_follows(&self) -> bool {
        self.peek() == b'(' || ident_len(self.b, self.pos) > 0
    }

    fn bool_keyword_follows(&self) -> bool {
        // libs looks at a C string: stop at NUL (4 bytes are enough here)
        let rest = &self.b[self.pos..self.b.len().min(self.pos + 4)];
        let rest = &rest[..rest.iter().position(|&c| c == 0).unwrap_or(rest.len())];
        ["and", "or", "not"].iter().any(|kw| {
            rest.starts_with(kw.as_bytes())
                && rest
                    .get(kw.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    }

    // ------------------------------------------------------------ grammar

    fn parse(&mut self, partial: bool) -> Result<Expr> {
        if self.input.is_empty() {
            return Err(self.error("filter input string is empty"));
        }
        self.pos = 0;
        self.depth = 0;
        self.last = Last::Span(0, 0);
        let e = self.parse_or()?;
        if !partial && self.pos != self.b.len() {
            return Err(self.error(format!(
                "unexpected token after '{}', expecting 'or', 'and'",
                self.last_text()
            )));
        }
        Ok(e)
    }

    fn parse_or(&mut self) -> Result<Expr> {
        self.guarded(|p| {
            let mut children = Vec::with_capacity(1);
            p.lex_blank();
            children.push(p.parse_and()?);
            p.lex_blank();
            while p.lex_str("or") {
                let child = if p.lex_blank() {
                    p.parse_and()?
                } else if p.lex_str("(") {
                    p.parse_embedded_remainder()?
                } else {
                    return Err(p.error("expected blank or '(' after 'or'"));
                };
                children.push(child);
                p.lex_blank();
            }
            Ok(one_or(children, Expr::Or))
        })
    }

    fn parse_and(&mut self) -> Result<Expr> {
        self.guarded(|p| {
            let mut children = Vec::with_capacity(1);
            p.lex_blank();
            children.push(p.parse_not()?);
            p.lex_blank();
            while p.lex_str("and") {
                let child = if p.lex_blank() {
                    p.parse_not()?
                } else if p.lex_str("(") {
                    p.parse_embedded_remainder()?
                } else {
                    return Err(p.error("expected blank or '(' after 'and'"));
                };
                children.push(child);
                p.lex_blank();
            }
            Ok(one_or(children, Expr::And))
        })
    }

    fn parse_not(&mut self) -> Result<Expr> {
        self.guarded(|p| {
            let mut is_not = false;
            p.lex_blank();
            while p.lex_not_blank() {
                is_not = !is_not;
            }
            let child = if p.lex_str("not(") {
                is_not = !is_not;
                p.parse_embedded_remainder()?
            } else {
                p.parse_check()?
            };
            Ok(if is_not {
                Expr::Not(Box::new(child))
            } else {
                child
            })
        })
    }

    /// The rest of `( Expr )` after the `(`.
    fn parse_embedded_remainder(&mut self) -> Result<Expr> {
        self.guarded(|p| {
            p.lex_blank();
            let e = p.parse_or()?;
            p.lex_blank();
            if !p.lex_str(")") {
                return Err(p.error("expected a ')' token"));
            }
            Ok(e)
        })
    }

    fn parse_check(&mut self) -> Result<Expr> {
        self.guarded(|p| {
            p.lex_blank();
            if p.lex_str("(") {
                return p.parse_embedded_remainder();
            }
            if p.lex_field_name() {
                let name = p.last_text();
                let field = p.parse_field_remainder(name)?;
                return p.parse_condition(Operand::Field(field));
            }
            if let Some(kind) = p.lex_transformer_type() {
                p.lex_blank();
                let t = p.parse_transformer_remainder(kind)?;
                return p.parse_condition(Operand::Transformer(Box::new(t)));
            }
            if p.lex_identifier() {
                return Ok(Expr::Identifier(p.last_text()));
            }
            Err(p.error("expected a '(' token, a field check, or an identifier"))
        })
    }

    fn parse_field_remainder(&mut self, name: String) -> Result<FieldRef> {
        self.guarded(|p| {
            let arg = p.parse_optional_field_arg()?;
            Ok(FieldRef { name, arg })
        })
    }

    fn parse_optional_field_arg(&mut self) -> Result<Option<String>> {
        if !self.lex_str("[") {
            return Ok(None);
        }
        let arg = match self.lex_quoted_str()? {
            Some(v) => v,
            None if self.lex_field_arg_bare_str() => self.last_text(),
            None => {
                return Err(
                    self.error("expected a valid field argument: a quoted string or a bare string")
                );
            }
        };
        if !self.lex_str("]") {
            return Err(self.error("expected a ']' token"));
        }
        Ok(Some(arg))
    }

    /// The rest of `kind(arg, ...)[arg]` after the `(`.
    fn parse_transformer_remainder(&mut self, kind: TransformerKind) -> Result<Transformer> {
        self.guarded(|p| {
            p.lex_blank();
            let mut args = Vec::with_capacity(1);
            loop {
                args.push(p.parse_transformer_arg()?);
                p.lex_blank();
                if !p.lex_str(",") {
                    break;
                }
            }
            p.lex_blank();
            if !p.lex_str(")") {
                return Err(p.error("expected a ')' token closing the transformer"));
            }
            let arg = p.parse_optional_field_arg()?;
            Ok(Transformer { kind, args, arg })
        })
    }

    fn parse_transformer_arg(&mut self) -> Result<TransformerArg> {
        self.guarded(|p| {
            p.lex_blank();
            if p.lex_number() {
                return Ok(TransformerArg::Value(p.last_text()));
            }
            if let Some(v) = p.lex_quoted_str()? {
                return Ok(TransformerArg::Value(v));
            }
            if p.lex_str("(") {
                return p.parse_transformer_list();
            }
            if let Some(kind) = p.lex_transformer_type() {
                return Ok(TransformerArg::Transformer(
                    p.parse_transformer_remainder(kind)?,
                ));
            }
            if p.lex_field_name() {
                let name = p.last_text();
                return Ok(TransformerArg::Field(p.parse_field_remainder(name)?));
            }
            Err(p.error(
                "expected field transformer argument: \
                 field, transformer, quoted string, number, or transformer list",
            ))
        })
    }

    /// The rest of a transformer list after its `(` (not depth-guarded in libs).
    fn parse_transformer_list(&mut self) -> Result<TransformerArg> {
        let mut items = Vec::new();
        self.lex_blank();
        if self.lex_str(")") {
            return Ok(TransformerArg::List(items));
        }
        items.push(self.parse_transformer_list_arg()?);
        self.lex_blank();
        while self.lex_str(",") {
            self.lex_blank();
            items.push(self.parse_transformer_list_arg()?);
            self.lex_blank();
        }
        if !self.lex_str(")") {
            return Err(self.error("expected ')'"));
        }
        Ok(TransformerArg::List(items))
    }

    fn parse_transformer_list_arg(&mut self) -> Result<TransformerArg> {
        if self.lex_field_name() {
            let name = self.last_text();
            return Ok(TransformerArg::Field(self.parse_field_remainder(name)?));
        }
        if let Some(kind) = self.lex_transformer_type() {
            self.lex_blank();
            return Ok(TransformerArg::Transformer(
                self.parse_transformer_remainder(kind)?,
            ));
        }
        if let Some(v) = self.lex_quoted_str()? {
            return Ok(TransformerArg::Value(v));
        }
        if self.lex_number() {
            return Ok(TransformerArg::Value(self.last_text()));
        }
        Err(self.error(
            "expected transformer list argument: field, transformer, quoted string, or number",
        ))
    }

    fn parse_condition(&mut self, field: Operand) -> Result<Expr> {
        self.guarded(|p| {
            p.lex_blank();
            if p.lex_unary_op() {
                return Ok(Expr::Check(Check {
                    field,
                    op: Op::Exists,
                    modifier: None,
                    value: Value::None,
                }));
            }
            p.lex_blank();
            let mut modifier = None;
            let (op, value) = if let Some(op) = p.lex_num_op() {
                (op, p.parse_num_value_or_transformer()?)
            } else if let Some((op, word)) = p.lex_str_op() {
                // word operators consumed their blank already
                let had_blank = word || p.lex_blank();
                let (pos, last) = (p.pos, p.last);
                let m = if had_blank {
                    p.lex_str_op_modifier()
                } else {
                    None
                };
                match m {
                    Some(m) if p.list_value_follows() && !p.bool_keyword_follows() => {
                        modifier = Some(m);
                        (op, p.parse_list_value()?)
                    }
                    _ => {
                        p.pos = pos;
                        p.last = last;
                        (op, p.parse_str_value_or_transformer()?)
                    }
                }
            } else if let Some(op) = p.lex_list_op() {
                (op, p.parse_list_value_or_transformer()?)
            } else {
                return Err(p.error(format!(
                    "expected a valid check operator: one of {OPERATORS_MSG}"
                )));
            };
            Ok(Expr::Check(Check {
                field,
                op,
                modifier,
                value,
            }))
        })
    }

    fn parse_num_value_or_transformer(&mut self) -> Result<Value> {
        self.guarded(|p| {
            p.lex_blank();
            if let Some(o) = p.try_parse_transformer_or_val()? {
                return Ok(Value::Field(o));
            }
            if p.lex_number() {
                return Ok(Value::Single(p.last_text()));
            }
            Err(p.error(format!(
                "expected a number value or a field with a valid transformer: {TRANSFORMERS_MSG}"
            )))
        })
    }

    /// libs' `parse_str_value_or_transformer(false)`.
    fn parse_str_value_or_transformer(&mut self) -> Result<Value> {
        self.guarded(|p| {
            p.lex_blank();
            if let Some(o) = p.try_parse_transformer_or_val()? {
                return Ok(Value::Field(o));
            }
            if let Some(v) = p.lex_str_value()? {
                return Ok(Value::Single(v));
            }
            Err(p.error(format!(
                "expected a string value or a field with a valid transformer: {TRANSFORMERS_MSG}"
            )))
        })
    }

    /// libs' `parse_str_value_or_transformer(true)`.
    fn parse_str_value(&mut self) -> Result<String> {
        self.guarded(|p| {
            p.lex_blank();
            match p.lex_str_value()? {
                Some(v) => Ok(v),
                None => Err(p.error("expected a string value")),
            }
        })
    }

    /// `lex_quoted_str() || lex_bare_str()`.
    fn lex_str_value(&mut self) -> Result<Option<String>> {
        if let Some(v) = self.lex_quoted_str()? {
            return Ok(Some(v));
        }
        Ok(self.lex_bare_str().then(|| self.last_text()))
    }

    /// `( value, ... )`, or `None` if no `(` is at the cursor.
    fn try_parse_list_expr(&mut self) -> Result<Option<Value>> {
        if !self.lex_str("(") {
            return Ok(None);
        }
        let mut values = Vec::new();
        self.lex_blank();
        // libs catches any error of the first item and then only looks for
        // ')', without moving back: `("\q")` is an empty list.
        if let Ok(v) = self.parse_str_value() {
            values.push(v);
            self.lex_blank();
            while self.lex_str(",") {
                values.push(self.parse_str_value()?);
                self.lex_blank();
            }
        }
        if !self.lex_str(")") {
            return Err(self.error("expected a ')' token"));
        }
        Ok(Some(Value::List(values)))
    }

    /// After a modifier: a list or a list name.
    fn parse_list_value(&mut self) -> Result<Value> {
        self.guarded(|p| {
            p.lex_blank();
            if let Some(v) = p.try_parse_list_expr()? {
                return Ok(v);
            }
            if p.lex_identifier() {
                return Ok(Value::ListName(p.last_text()));
            }
            Err(p.error("expected a list or an identifier"))
        })
    }

    fn parse_list_value_or_transformer(&mut self) -> Result<Value> {
        self.guarded(|p| {
            p.lex_blank();
            if let Some(v) = p.try_parse_list_expr()? {
                return Ok(v);
            }
            if let Some(o) = p.try_parse_transformer_or_val()? {
                return Ok(Value::Field(o));
            }
            if p.lex_identifier() {
                return Ok(Value::ListName(p.last_text()));
            }
            Err(p.error(format!(
                "expected a list, an identifier, or a field with a valid transformer: \
                 {TRANSFORMERS_MSG}"
            )))
        })
    }

    /// `val(field)[arg]` or a transformer, or `None`.
    fn try_parse_transformer_or_val(&mut self) -> Result<Option<Operand>> {
        self.guarded(|p| {
            p.lex_blank();
            if p.lex_str("val(") {
                p.lex_blank();
                if !p.lex_field_name() {
                    return Err(p.error("expected a field within 'val' transformer"));
                }
                let name = p.last_text();
                let field = p.parse_field_remainder(name)?;
                p.lex_blank();
                if !p.lex_str(")") {
                    return Err(p.error("expected a ')' token closing the transformer"));
                }
                let arg = p.parse_optional_field_arg()?;
                return Ok(Some(Operand::Transformer(Box::new(Transformer {
                    kind: TransformerKind::Val,
                    args: vec![TransformerArg::Field(field)],
                    arg,
                }))));
            }
            if let Some(kind) = p.lex_transformer_type() {
                p.lex_blank();
                let t = p.parse_transformer_remainder(kind)?;
                return Ok(Some(Operand::Transformer(Box::new(t))));
            }
            Ok(None)
        })
    }
}

fn one_or(mut children: Vec<Expr>, f: fn(Vec<Expr>) -> Expr) -> Expr {
    if children.len() == 1
        && let Some(e) = children.pop()
    {
        return e;
    }
    f(children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(dec_len(b"1.2.3", 0), Some(3));
        assert_eq!(dec_len(b"-0.1222e+10x", 0), Some(11));
        assert_eq!(dec_len(b"1e5", 0), Some(1));
        assert_eq!(dec_len(b"1.e-5", 0), Some(5));
        assert_eq!(dec_len(b"+", 0), None);
        assert_eq!(hex_len(b"0x", 0), None);
        assert_eq!(number_len(b"0XaB00ABg", 0), Some(8));
        assert_eq!(number_len(b"0x", 0), Some(1));
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape(r"a\tb", b'"').as_deref(), Ok("a\tb"));
        assert_eq!(unescape(r"\x41\x413", b'"').as_deref(), Ok("AA3"));
        assert_eq!(unescape(r"\xc3\xa9", b'"').as_deref(), Ok("é"));
        assert!(unescape(r"\xff", b'"').is_err());
        assert!(unescape(r"\x4", b'"').is_err());
        assert!(unescape(r"\x+a", b'"').is_err());
        assert_eq!(unescape(r"a\ b", b'"').as_deref(), Ok("a\\b"));
        assert_eq!(unescape(r"\'", b'\'').as_deref(), Ok("'"));
        assert_eq!(
            unescape(r"\'", b'"'),
            Err("invalid \\' escape in \"-quoted string".to_string())
        );
        assert_eq!(
            unescape(r"\q", b'"'),
            Err("unsupported string escape sequence: \\q".to_string())
        );
        assert_eq!(
            unescape(r"\é", b'"'),
            Err("unsupported string escape sequence: \\é".to_string())
        );
    }
}
