//! The syntax tree of a filter.
//!
//! It mirrors the node kinds of libs' `filter/ast.h` (and, or, not,
//! identifier, unary and binary checks, fields, field transformers, values,
//! lists and transformer lists), shaped as Rust enums. Source positions are
//! not kept: libs compares trees without them too (`is_equal`).
//!
//! The [`Display`](std::fmt::Display) impls print a tree in the layout of
//! libs' `as_string` (`(a and b)`, `not x`, `f in (a, b)`, `tolower(f)`), but
//! quote values whenever needed so that the text always parses back to the
//! same tree; libs' `as_string` prints e.g. `getopt(proc.args,nt:)`, which
//! does not parse again, where this prints `getopt(proc.args,"nt:")`.

use std::fmt;

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a and b and c`: two or more children, in source order.
    And(Vec<Expr>),
    /// `a or b or c`: two or more children, in source order.
    Or(Vec<Expr>),
    /// `not a`. An even run of `not`s cancels out in the parser (as in libs):
    /// `not not a` is just `a`.
    Not(Box<Expr>),
    /// A bare identifier where a check is expected: a Falco macro name (or,
    /// for sysdig, an error of the compiler: "unexpected identifier").
    /// Note that `not` and `and` alone parse as identifiers, as in libs.
    Identifier(String),
    /// A comparison of a field (or transformed field) with a value.
    Check(Check),
}

/// `field op [modifier] value`, e.g. `proc.name = cat`, `fd.num exists`,
/// `evt.type in (open, close)`, `proc.name == oneof (a, b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The left-hand side: a field, or a field transformer such as
    /// `tolower(proc.name)`. Never [`TransformerKind::Val`].
    pub field: Operand,
    pub op: Op,
    /// `oneof`/`anyof`/`allof` after a string operator; then `value` is a
    /// [`Value::List`] or a [`Value::ListName`].
    pub modifier: Option<Modifier>,
    pub value: Value,
}

/// The right-hand side of a [`Check`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value: the unary operator `exists`.
    None,
    /// A single value, unescaped if it was quoted: a bare or quoted string
    /// for string operators, the number text as written (`12`, `-1.5e+3`,
    /// `0x1F`) for `<`, `<=`, `>`, `>=`.
    Single(String),
    /// `(a, 'b', "c")` after a list operator (`in`, `intersects`, `pmatch`) or
    /// a modifier. Items are unescaped; may be empty.
    List(Vec<String>),
    /// A bare identifier where a list is expected: `evt.type in my_list`,
    /// `proc.name == oneof my_list`. Falco resolves it as a list name; libs'
    /// sysdig compiler treats it as a one-item list with that text (libs'
    /// AST stores it as a plain value).
    ListName(String),
    /// A field on the right-hand side: `val(proc.pname)`, or a transformer
    /// such as `tolower(proc.pname)`. A bare `proc.pname` on the right is a
    /// plain string, as in libs.
    Field(Operand),
}

/// A field or a field transformer.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(FieldRef),
    Transformer(Box<Transformer>),
}

/// `name` or `name[arg]`, e.g. `proc.aname[2]`, `evt.arg["key with space"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// Dotted name: `[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+`.
    pub name: String,
    /// The argument between brackets, unescaped if quoted. `x[""]` gives
    /// `Some("")`, distinct from `None`.
    pub arg: Option<String>,
}

/// `kind(args...)[arg]`, e.g. `tolower(proc.name)`,
/// `join("-", (fd.name, fd.directory))`, `getopt(proc.args, "nt:")[t]`.
///
/// The parser does not check arity or argument kinds (libs leaves that to the
/// compiler); `val` only ever wraps exactly one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformer {
    pub kind: TransformerKind,
    pub args: Vec<TransformerArg>,
    /// Optional `[arg]` after the closing parenthesis.
    pub arg: Option<String>,
}

/// An argument of a [`Transformer`].
#[derive(Debug, Clone, PartialEq)]
pub enum TransformerArg {
    Field(FieldRef),
    Transformer(Transformer),
    /// A quoted string (unescaped) or a number (as written).
    Value(String),
    /// A parenthesised list `(a.b, tolower(c.d), "x", 1)`. Its items are never
    /// lists themselves.
    List(Vec<TransformerArg>),
}

/// The field transformers of the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    /// `val(field)`: a field used as a value; right-hand side only.
    Val,
    Tolower,
    Toupper,
    B64,
    Basename,
    Len,
    Join,
    Concat,
    Getopt,
}

impl TransformerKind {
    /// All kinds, `val` first then libs' order (`supported_field_transformers(true)`).
    pub const ALL: [TransformerKind; 9] = [
        Self::Val,
        Self::Tolower,
        Self::Toupper,
        Self::B64,
        Self::Basename,
        Self::Len,
        Self::Join,
        Self::Concat,
        Self::Getopt,
    ];

    /// The name as written before `(`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Val => "val",
            Self::Tolower => "tolower",
            Self::Toupper => "toupper",
            Self::B64 => "b64",
            Self::Basename => "basename",
            Self::Len => "len",
            Self::Join => "join",
            Self::Concat => "concat",
            Self::Getopt => "getopt",
        }
    }

    /// The kind named `name` (without `(`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `exists` (unary).
    Exists,
    /// `=` or `==` (synonyms in libs; both parse to this).
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    Contains,
    IContains,
    BContains,
    StartsWith,
    BStartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    In,
    Intersects,
    PMatch,
}

impl Op {
    /// All operators, in the order of libs' `supported_operators()` (with
    /// `==` folded into [`Op::Eq`]).
    pub const ALL: [Op; 19] = [
        Self::Exists,
        Self::Le,
        Self::Lt,
        Self::Ge,
        Self::Gt,
        Self::Eq,
        Self::Ne,
        Self::Glob,
        Self::IGlob,
        Self::Contains,
        Self::IContains,
        Self::BContains,
        Self::StartsWith,
        Self::BStartsWith,
        Self::EndsWith,
        Self::Regex,
        Self::Intersects,
        Self::In,
        Self::PMatch,
    ];

    /// The operator as written (`Eq` gives `=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exists => "exists",
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Contains => "contains",
            Self::IContains => "icontains",
            Self::BContains => "bcontains",
            Self::StartsWith => "startswith",
            Self::BStartsWith => "bstartswith",
            Self::EndsWith => "endswith",
            Self::Glob => "glob",
            Self::IGlob => "iglob",
            Self::Regex => "regex",
            Self::In => "in",
            Self::Intersects => "intersects",
            Self::PMatch => "pmatch",
        }
    }

    /// The operator written `s` (`=` and `==` both give [`Op::Eq`]).
    pub fn from_token(s: &str) -> Option<Self> {
        if s == "==" {
            return Some(Self::Eq);
        }
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// `exists`.
    pub fn is_unary(self) -> bool {
        self == Self::Exists
    }

    /// `<`, `<=`, `>`, `>=`: their value must be a number (or a field).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Lt | Self::Le | Self::Gt | Self::Ge)
    }

    /// `in`, `intersects`, `pmatch`: their value is a list (or a list name, or
    /// a field).
    pub fn is_list(self) -> bool {
        matches!(self, Self::In | Self::Intersects | Self::PMatch)
    }

    /// The operators that accept a [`Modifier`] (all string operators).
    pub fn accepts_modifier(self) -> bool {
        !(self.is_unary() || self.is_numeric() || self.is_list())
    }
}

/// `oneof`, `anyof`, `allof` between a string operator and a list:
/// `proc.name == oneof (a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    OneOf,
    AnyOf,
    AllOf,
}

impl Modifier {
    pub const ALL: [Modifier; 3] = [Self::OneOf, Self::AnyOf, Self::AllOf];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OneOf => "oneof",
            Self::AnyOf => "anyof",
            Self::AllOf => "allof",
        }
    }
}

impl Operand {
    /// The field, if this is a plain field.
    pub fn as_field(&self) -> Option<&FieldRef> {
        match self {
            Self::Field(f) => Some(f),
            Self::Transformer(_) => None,
        }
    }
}

impl FieldRef {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            arg: None,
        }
    }

    pub fn with_arg(name: impl Into<String>, arg: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            arg: Some(arg.into()),
        }
    }
}

impl Expr {
    /// A check on a plain field.
    pub fn check(field: FieldRef, op: Op, value: Value) -> Self {
        Self::Check(Check {
            field: Operand::Field(field),
            op,
            modifier: None,
            value,
        })
    }
}

// ---------------------------------------------------------------- Display

fn is_blank_or_space(b: u8) -> bool {
    // lex_blank's set plus POSIX [[:space:]].
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x08 | 0x0b | 0x0c)
}

/// A value that the parser reads back unchanged as a bare string.
fn is_bare_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            !(is_blank_or_space(b)
                || b < 0x20
                || b == 0x7f
                || matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b','))
        })
}

/// A field argument that the parser reads back unchanged without quotes.
fn is_bare_field_arg(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            !(is_blank_or_space(b)
                || b < 0x20
                || b == 0x7f
                || matches!(b, b'[' | b']' | b'"' | b'\''))
        })
}

/// Whether `s` is exactly one number token (hex or decimal) of the grammar.
pub(crate) fn is_number_token(s: &str) -> bool {
    let b = s.as_bytes();
    crate::parser::number_len(b, 0) == Some(b.len())
}

/// Writes `s` double-quoted, with the escapes libs' `unescape_str` reads.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    let n = s.len();
    for (i, c) in s.char_indices() {
        match c {
            // a backslash right before the closing quote would escape it
            // (libs' lexer looks at the previous character only)
            '\\' if i + 1 == n => f.write_str("\\x5c")?,
            '\\' => f.write_str("\\\\")?,
            '"' => f.write_str("\\\"")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 || c as u32 == 0x7f => write!(f, "\\x{:02x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

fn write_value(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if is_bare_safe(s) {
        f.write_str(s)
    } else {
        write_quoted(f, s)
    }
}

fn write_field_arg(f: &mut fmt::Formatter<'_>, arg: &Option<String>) -> fmt::Result {
    if let Some(a) = arg {
        f.write_str("[")?;
        if is_bare_field_arg(a) {
            f.write_str(a)?;
        } else {
            write_quoted(f, a)?;
        }
        f.write_str("]")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::And(c) | Self::Or(c) => {
                let op = if matches!(self, Self::And(_)) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, e) in c.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str(")")
            }
            Self::Not(e) => match **e {
                // `not not x` would parse back as `x`
                Self::Not(_) => write!(f, "not ({e})"),
                _ => write!(f, "not {e}"),
            },
            Self::Identifier(s) => f.write_str(s),
            Self::Check(c) => write!(f, "{c}"),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.op)?;
        if let Some(m) = self.modifier {
            write!(f, " {m}")?;
        }
        match &self.value {
            Value::None => Ok(()),
            v => write!(f, " {v}"),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => Ok(()),
            Self::Single(s) => write_value(f, s),
            Self::List(items) => {
                f.write_str("(")?;
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_value(f, s)?;
                }
                f.write_str(")")
            }
            Self::ListName(s) => f.write_str(s),
            Self::Field(o) => write!(f, "{o}"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(x) => write!(f, "{x}"),
            Self::Transformer(t) => write!(f, "{t}"),
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        write_field_arg(f, &self.arg)
    }
}

impl fmt::Display for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.kind)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")?;
        write_field_arg(f, &self.arg)
    }
}

impl fmt::Display for TransformerArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(x) => write!(f, "{x}"),
            Self::Transformer(t) => write!(f, "{t}"),
            // only quoted strings and numbers are accepted here
            Self::Value(s) if is_number_token(s) => f.write_str(s),
            Self::Value(s) => write_quoted(f, s),
            Self::List(items) => {
                f.write_str("(")?;
                for (i, a) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for TransformerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
