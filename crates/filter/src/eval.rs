//! Compiling a filter expression into a [`Filter`] and evaluating it, with
//! libsinsp's comparison semantics (`flt_compare`): a field with no value
//! never matches; strings compare as bytes; numbers are parsed for the
//! field's type when the filter is compiled.

use regex::bytes::Regex;

use crate::ast::{Check, Expr, Op, Operand, Value};
use crate::extract::Ctx;
use crate::fields::{Field, FieldArg, FieldSpec};
use crate::parser;
use crate::value::Val;
use sonde_event::IntKind;
use sonde_event::ParamType as P;

/// A filter that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("{msg}")]
    Parse {
        pos: usize,
        msg: String,
        pointer: String,
    },
    #[error("{0}")]
    Compile(String),
}

/// A right-hand value parsed for the field's type.
#[derive(Debug, Clone)]
enum Operand2 {
    Str(Vec<u8>),
    Int(i64),
    Uint(u64),
    Bool(bool),
    Double(f64),
    /// An address with a prefix length (`10.0.0.0/8`; /32 or /128 for a
    /// single address). IPv4 addresses are held as IPv4-mapped bytes.
    Net([u8; 16], u8),
}

#[derive(Debug)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Check(Box<Compiled>),
    /// `proc.name = x` / `proc.name in (x, y)`: the commonest check, compared
    /// straight against the thread's comm.
    CommIn(Vec<Vec<u8>>),
    /// `evt.type = x` / `evt.type in (…)`, against the type's name.
    TypeIn(Vec<Vec<u8>>),
}

#[derive(Debug)]
struct Compiled {
    spec: FieldSpec,
    op: Op,
    values: Vec<Operand2>,
    regex: Option<Regex>,
}

/// A compiled filter.
#[derive(Debug)]
pub struct Filter {
    root: Node,
}

impl Filter {
    /// Parses and compiles `expr`.
    pub fn compile(expr: &str) -> Result<Filter, FilterError> {
        let ast = parser::parse(expr).map_err(|e| FilterError::Parse {
            pos: e.pos,
            pointer: e.pointer(expr),
            msg: e.msg.clone(),
        })?;
        compile(&ast)
            .map(|root| Filter { root })
            .map_err(|e| match e {
                // Point at the field (or macro) the message names, as sysdig
                // does for its compile errors.
                FilterError::Compile(msg) => {
                    let pos = msg
                        .rsplit(' ')
                        .next()
                        .and_then(|name| expr.find(name))
                        .unwrap_or(0);
                    FilterError::Parse {
                        pos,
                        pointer: pointer(expr, pos),
                        msg: format!("filter error at position {pos}: {msg}"),
                    }
                }
                other => other,
            })
    }

    /// Whether the event in `ctx` matches.
    #[inline]
    pub fn matches(&self, ctx: &Ctx<'_, '_>) -> bool {
        match &self.root {
            // The commonest filter, tested on every event: no call.
            Node::CommIn(v) => comm_in(v, ctx),
            root => eval(root, ctx),
        }
    }
}

/// The line of `expr` with a `^` under byte `pos`.
fn pointer(expr: &str, pos: usize) -> String {
    let pos = pos.min(expr.len());
    let line_start = expr[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = expr[pos..].find('\n').map_or(expr.len(), |i| pos + i);
    format!(
        "{}\n{}^",
        &expr[line_start..line_end],
        " ".repeat(expr[line_start..pos].chars().count())
    )
}

fn compile(e: &Expr) -> Result<Node, FilterError> {
    Ok(match e {
        Expr::And(v) => Node::And(v.iter().map(compile).collect::<Result<_, _>>()?),
        Expr::Or(v) => Node::Or(v.iter().map(compile).collect::<Result<_, _>>()?),
        Expr::Not(x) => Node::Not(Box::new(compile(x)?)),
        Expr::Identifier(name) => {
            return Err(FilterError::Compile(format!(
                "unknown macro or field {name}"
            )));
        }
        Expr::Check(c) => {
            let compiled = compile_check(c)?;
            let strings = || {
                compiled
                    .values
                    .iter()
                    .map(|v| match v {
                        Operand2::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
            };
            let plain = matches!(compiled.op, Op::Eq | Op::In)
                && compiled.spec.arg == crate::fields::FieldArg::None;
            match (compiled.spec.field, plain, strings()) {
                (crate::fields::Field::ProcName, true, Some(v)) => Node::CommIn(v),
                (crate::fields::Field::EvtType, true, Some(v)) => Node::TypeIn(v),
                _ => Node::Check(Box::new(compiled)),
            }
        }
    })
}

fn compile_check(c: &Check) -> Result<Compiled, FilterError> {
    let Operand::Field(fr) = &c.field else {
        return Err(FilterError::Compile(
            "field transformers are not supported by sonde dig yet".into(),
        ));
    };
    let spec = FieldSpec::parse_ref(&fr.name, fr.arg.as_deref()).map_err(|e| {
        FilterError::Compile(match e {
            crate::fields::FieldError::Unknown(_) | crate::fields::FieldError::FilterOnly(_) => {
                format!("unrecognized field {}", fr.name)
            }
            other => other.to_string(),
        })
    })?;
    let raw: Vec<String> = match &c.value {
        Value::None => Vec::new(),
        Value::Single(s) => vec![s.clone()],
        Value::List(l) => l.clone(),
        Value::ListName(n) => vec![n.clone()],
        Value::Field(_) => {
            return Err(FilterError::Compile(
                "field-to-field comparisons are not supported by sonde dig yet".into(),
            ));
        }
    };
    if c.modifier.is_some() {
        return Err(FilterError::Compile(
            "operator modifiers are not supported by sonde dig yet".into(),
        ));
    }
    let mut values = Vec::with_capacity(raw.len());
    let mut regex = None;
    for r in &raw {
        if c.op == Op::Regex {
            regex = Some(
                Regex::new(r)
                    .map_err(|e| FilterError::Compile(format!("invalid regex {r}: {e}")))?,
            );
            values.push(Operand2::Str(r.as_bytes().to_vec()));
            continue;
        }
        let v = match c.op {
            Op::BContains | Op::BStartsWith => Operand2::Str(parse_hex(r)?),
            _ => parse_value(&spec, r)?,
        };
        values.push(v);
    }
    Ok(Compiled {
        spec,
        op: c.op,
        values,
        regex,
    })
}

fn parse_hex(s: &str) -> Result<Vec<u8>, FilterError> {
    let b = s.trim().as_bytes();
    if !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return Err(FilterError::Compile(format!(
            "bcontains/bstartswith need an even number of hex digits: {}",
            s.trim()
        )));
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    };
    Ok(b.chunks_exact(2)
        .map(|p| nib(p[0]) << 4 | nib(p[1]))
        .collect())
}

fn parse_num<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, FilterError> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))
        && let Ok(v) = u64::from_str_radix(h, 16)
        && let Ok(v) = v.to_string().parse::<T>()
    {
        return Ok(v);
    }
    t.parse::<T>()
        .map_err(|_| FilterError::Compile(format!("{s} is not a valid number for {what}")))
}

fn parse_ip(s: &str) -> Option<([u8; 16], u8)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (s, None),
    };
    if let Ok(v4) = addr.parse::<std::net::Ipv4Addr>() {
        let p = prefix.unwrap_or(32).min(32);
        return Some((v4.to_ipv6_mapped().octets(), 96 + p));
    }
    let v6 = addr.parse::<std::net::Ipv6Addr>().ok()?;
    Some((v6.octets(), prefix.unwrap_or(128).min(128)))
}

fn parse_value(spec: &FieldSpec, s: &str) -> Result<Operand2, FilterError> {
    let name = &spec.name;
    match spec.ty.int_kind() {
        Some(IntKind::Signed) => return Ok(Operand2::Int(parse_num(s, name)?)),
        Some(IntKind::Unsigned) => return Ok(Operand2::Uint(parse_num(s, name)?)),
        None => {}
    }
    Ok(match spec.ty {
        P::Bool => match s {
            "true" => Operand2::Bool(true),
            "false" => Operand2::Bool(false),
            _ => {
                return Err(FilterError::Compile(format!(
                    "filter error: unrecognized boolean value {s}"
                )));
            }
        },
        P::Double => Operand2::Double(parse_num(s, name)?),
        P::Ipaddr | P::Ipv4addr | P::Ipv6addr | P::Ipnet | P::Ipv4net | P::Ipv6net => {
            let (a, p) = parse_ip(s)
                .ok_or_else(|| FilterError::Compile(format!("invalid IP address {s}")))?;
            Operand2::Net(a, p)
        }
        _ => Operand2::Str(s.as_bytes().to_vec()),
    })
}

fn eval(n: &Node, ctx: &Ctx<'_, '_>) -> bool {
    match n {
        Node::And(v) => v.iter().all(|x| eval(x, ctx)),
        Node::Or(v) => v.iter().any(|x| eval(x, ctx)),
        Node::Not(x) => !eval(x, ctx),
        Node::Check(c) => eval_check(c, ctx),
        Node::CommIn(v) => comm_in(v, ctx),
        Node::TypeIn(v) => {
            let name = crate::extract::type_name(ctx.ev).as_bytes();
            v.iter().any(|x| x == name)
        }
    }
}

#[inline(always)]
fn comm_in(names: &[Vec<u8>], ctx: &Ctx<'_, '_>) -> bool {
    ctx.thread()
        .is_some_and(|t| names.iter().any(|n| n.as_slice() == t.comm.as_slice()))
}

fn eval_check(c: &Compiled, ctx: &Ctx<'_, '_>) -> bool {
    // Fields that match on several values of the fd or the process tree.
    match (c.spec.field, &c.spec.arg) {
        (Field::FdIp, _) => return any_of(c, ctx, &[Field::FdCip, Field::FdSip]),
        (Field::FdPort, _) => return any_of(c, ctx, &[Field::FdCport, Field::FdSport]),
        (Field::ProcAname | Field::ProcApid, FieldArg::Index(-1)) => {
            let mut spec = c.spec.clone();
            for level in 1..4096 {
                spec.arg = FieldArg::Index(level);
                match ctx.extract(&spec, false) {
                    None => return false,
                    Some(v) if compare(c, &v) => return true,
                    Some(_) => {}
                }
            }
            return false;
        }
        _ => {}
    }
    match ctx.extract(&c.spec, false) {
        None => false,
        Some(_) if c.op == Op::Exists => true,
        Some(v) => compare(c, &v),
    }
}

fn any_of(c: &Compiled, ctx: &Ctx<'_, '_>, fields: &[Field]) -> bool {
    fields.iter().any(|&f| {
        let mut spec = c.spec.clone();
        spec.field = f;
        match ctx.extract(&spec, false) {
            None => false,
            Some(_) if c.op == Op::Exists => true,
            Some(v) => compare(c, &v),
        }
    })
}

fn ordering_ok(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq | Op::In => o == Equal,
        Op::Ne => o != Equal,
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
        _ => false,
    }
}

fn compare(c: &Compiled, v: &Val<'_>) -> bool {
    if c.op == Op::Ne {
        // `!=` against a list is "none equal"; against one value, "differs".
        return !c.values.iter().any(|x| compare_one(Op::Eq, x, v, c));
    }
    match c.op {
        Op::In | Op::Intersects => c.values.iter().any(|x| compare_one(Op::Eq, x, v, c)),
        Op::PMatch => {
            let Some(b) = v.as_bytes() else { return false };
            c.values.iter().any(|x| match x {
                Operand2::Str(p) => {
                    let p = p.strip_suffix(b"/").unwrap_or(p);
                    b == p || (b.starts_with(p) && b.get(p.len()) == Some(&b'/'))
                }
                _ => false,
            })
        }
        op => c.values.iter().any(|x| compare_one(op, x, v, c)),
    }
}

fn glob(pat: &[u8], s: &[u8], fold: bool) -> bool {
    // fnmatch(3) semantics without flags: `*`, `?`, `[...]`.
    let eq = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut i) = (0usize, 0usize);
    let (mut star_p, mut star_i) = (usize::MAX, 0usize);
    while i < s.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star_p = p;
                    star_i = i;
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    if let Some(end) = pat[p + 1..]
                        .iter()
                        .position(|&c| c == b']')
                        .map(|e| p + 1 + e + usize::from(e == 0))
                    {
                        let set = &pat[p + 1..end];
                        let (neg, set) = match set.first() {
                            Some(b'!' | b'^') => (true, &set[1..]),
                            _ => (false, set),
                        };
                        let mut hit = false;
                        let mut k = 0;
                        while k < set.len() {
                            if k + 2 < set.len() && set[k + 1] == b'-' {
                                if (set[k]..=set[k + 2]).contains(&s[i]) {
                                    hit = true;
                                }
                                k += 3;
                            } else {
                                if eq(set[k], s[i]) {
                                    hit = true;
                                }
                                k += 1;
                            }
                        }
                        if hit != neg {
                            p = end + 1;
                            i += 1;
                            continue;
                        }
                    } else if eq(b'[', s[i]) {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
                c if eq(c, s[i]) => {
                    p += 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        if star_p == usize::MAX {
            return false;
        }
        p = star_p + 1;
        star_i += 1;
        i = star_i;
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

fn net_contains(net: &[u8; 16], prefix: u8, addr: &[u8; 16]) -> bool {
    let full = (prefix / 8) as usize;
    if net[..full] != addr[..full] {
        return false;
    }
    let rem = prefix % 8;
    if rem == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rem);
    net[full] & mask == addr[full] & mask
}

fn compare_one(op: Op, x: &Operand2, v: &Val<'_>, c: &Compiled) -> bool {
    match (x, v) {
        (Operand2::Str(want), Val::Str(have) | Val::Bytes(have)) => {
            let have: &[u8] = have;
            match op {
                Op::Eq | Op::In | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Ne => {
                    ordering_ok(op, have.cmp(want.as_slice()))
                }
                Op::Contains | Op::BContains => memchr::memmem::find(have, want).is_some(),
                Op::IContains => {
                    let h = have.to_ascii_lowercase();
                    let w = want.to_ascii_lowercase();
                    memchr::memmem::find(&h, &w).is_some()
                }
                Op::StartsWith | Op::BStartsWith => have.starts_with(want),
                Op::EndsWith => have.ends_with(want),
                Op::Glob => glob(want, have, false),
                Op::IGlob => glob(want, have, true),
                Op::Regex => c.regex.as_ref().is_some_and(|r| r.is_match(have)),
                _ => false,
            }
        }
        (Operand2::Int(w), Val::Int(h)) => ordering_ok(op, h.cmp(w)),
        (Operand2::Int(w), Val::Uint(h)) => ordering_ok(op, (*h as i128).cmp(&(*w as i128))),
        (Operand2::Uint(w), Val::Uint(h)) => ordering_ok(op, h.cmp(w)),
        (Operand2::Uint(w), Val::Int(h)) => ordering_ok(op, (*h as i128).cmp(&(*w as i128))),
        (Operand2::Bool(w), Val::Bool(h)) => ordering_ok(op, h.cmp(w)),
        (Operand2::Double(w), Val::Double(h)) => {
            h.partial_cmp(w).is_some_and(|o| ordering_ok(op, o))
        }
        (Operand2::Net(net, prefix), Val::Ipv4(ip)) => {
            let a = std::net::Ipv4Addr::from(ip.to_le_bytes())
                .to_ipv6_mapped()
                .octets();
            let inside = net_contains(net, *prefix, &a);
            match op {
                Op::Eq | Op::In => inside,
                Op::Ne => !inside,
                _ => false,
            }
        }
        (Operand2::Net(net, prefix), Val::Ipv6(a)) => {
            let inside = net_contains(net, *prefix, a);
            match op {
                Op::Eq | Op::In => inside,
                Op::Ne => !inside,
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globbing() {
        assert!(glob(b"/etc/*", b"/etc/passwd", false));
        assert!(glob(b"*.so.?", b"libc.so.6", false));
        assert!(!glob(b"/etc/*", b"/usr/etc", false));
        assert!(glob(b"[a-c]at", b"bat", false));
        assert!(glob(b"CAT", b"cat", true));
    }
}
