//! What part of a filter the kernel can apply before an event is even
//! recorded: a process id or a command name that every matching event must
//! have. The kernel's test lets through a superset of what the filter keeps;
//! the filter still decides every event in userspace.

use crate::ast::{Check, Expr, Op, Operand, Value};

/// Conditions every event the filter keeps satisfies.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Prefilter {
    /// `proc.pid = N`: only this process's threads.
    pub pid: Option<u32>,
    /// `proc.name = NAME`: only threads whose command (the kernel's comm,
    /// at most 15 bytes) is this.
    pub comm: Option<String>,
}

/// The longest command name the kernel keeps (`TASK_COMM_LEN` - 1).
const COMM_MAX: usize = 15;

impl Prefilter {
    /// What `expr` requires of every event: the checks of its top-level
    /// `and` (or the expression itself) that the kernel can make.
    pub fn of(expr: &Expr) -> Prefilter {
        let mut p = Prefilter::default();
        let checks: Vec<&Expr> = match expr {
            Expr::And(children) => children.iter().collect(),
            other => vec![other],
        };
        for e in checks {
            let Expr::Check(Check {
                field: Operand::Field(f),
                op: Op::Eq,
                modifier: None,
                value: Value::Single(v),
            }) = e
            else {
                continue;
            };
            if f.arg.is_some() {
                continue;
            }
            match f.name.as_str() {
                "proc.pid" => {
                    if let Ok(pid) = v.parse::<u32>() {
                        p.pid = Some(pid);
                    }
                }
                "proc.name" if !v.is_empty() && v.len() <= COMM_MAX => {
                    p.comm = Some(v.clone());
                }
                _ => {}
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn of(text: &str) -> Prefilter {
        Prefilter::of(&parse(text).expect("parses"))
    }

    #[test]
    fn takes_what_every_match_must_have() {
        assert_eq!(of("proc.pid=42").pid, Some(42));
        assert_eq!(
            of("proc.name=nginx and evt.type=open").comm.as_deref(),
            Some("nginx")
        );
        let both = of("evt.dir=< and proc.pid = 7 and proc.name=sh");
        assert_eq!((both.pid, both.comm.as_deref()), (Some(7), Some("sh")));
    }

    #[test]
    fn leaves_alone_what_it_cannot_be_sure_of() {
        // Alternatives, negations, other operators, other fields.
        for f in [
            "proc.pid=1 or proc.pid=2",
            "not proc.name=sh",
            "proc.name contains ng",
            "proc.pid>10",
            "proc.name in (a, b)",
            "thread.tid=5",
            "proc.name=a-name-longer-than-15",
        ] {
            assert_eq!(of(f), Prefilter::default(), "{f}");
        }
    }
}
