//! The flags of a service plugin, parsed the way the Go plugins' `flag`
//! package reads them (`--host x`, `--host=x`, `-host x`, `-host=x`), so a
//! command line written for mackerel-plugin-redis works for `sonde plugin
//! redis` too. Anything unknown, missing or malformed is a [`UsageError`]
//! naming the flag and the value.

use std::collections::HashMap;
use std::time::Duration;

use crate::UsageError;

/// One flag a plugin accepts.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// The name without dashes.
    pub name: &'static str,
    /// What the value is, for the usage text (`""` for a switch without a
    /// value).
    pub value: &'static str,
    /// One line of help.
    pub help: &'static str,
}

impl Flag {
    /// A flag named `name` taking a `value` (`""` for a switch).
    pub const fn new(name: &'static str, value: &'static str, help: &'static str) -> Flag {
        Flag { name, value, help }
    }
}

/// The flags given, checked against the ones a plugin accepts.
#[derive(Debug)]
pub struct Flags {
    plugin: &'static str,
    given: HashMap<&'static str, Vec<String>>,
}

/// `--timeout`, which every service plugin takes.
pub const TIMEOUT: Flag = Flag::new(
    "timeout",
    "SECONDS",
    "connect/read timeout for the whole fetch (default 5)",
);

/// `--metric-key-prefix`, as the Go plugins name it.
pub const PREFIX: Flag = Flag::new(
    "metric-key-prefix",
    "PREFIX",
    "first part of every metric name",
);

/// The default time a fetch may take, connect to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

impl Flags {
    /// Parses `args` against `known`. `-h`/`--help` gives the usage text as
    /// the error, so `sonde plugin redis --help` shows it.
    pub fn parse(
        plugin: &'static str,
        args: &[String],
        known: &[Flag],
    ) -> Result<Flags, UsageError> {
        let mut given = HashMap::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                return Err(usage(
                    plugin,
                    known,
                    &format!("unexpected argument {arg:?}"),
                ));
            };
            if body == "h" || body == "help" {
                return Err(usage(plugin, known, "usage"));
            }
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(flag) = known.iter().find(|f| f.name == name) else {
                return Err(usage(plugin, known, &format!("unknown flag {arg:?}")));
            };
            let value = if flag.value.is_empty() {
                inline.unwrap_or_else(|| "true".into())
            } else {
                match inline {
                    Some(v) => v,
                    None => it.next().cloned().ok_or_else(|| UsageError {
                        plugin: plugin.into(),
                        what: format!("--{} needs a value ({})", flag.name, flag.value),
                    })?,
                }
            };
            given.entry(flag.name).or_insert_with(Vec::new).push(value);
        }
        Ok(Flags { plugin, given })
    }

    /// The value of `--name`, if given (the last one, if given twice).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.given
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value of a flag that may be repeated (`--header`).
    pub fn all(&self, name: &str) -> &[String] {
        self.given.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// The value of `--name`, or `default`.
    pub fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_string()
    }

    /// `--name` as a number, or `default`.
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, UsageError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| self.bad(name, v, "a number")),
        }
    }

    /// `--name` as a switch: present (or `=true`/`=1`) is true.
    pub fn switch(&self, name: &str) -> Result<bool, UsageError> {
        match self.get(name) {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(v) => Err(self.bad(name, v, "true or false")),
        }
    }

    /// `--timeout` in seconds (fractions allowed), else five seconds.
    pub fn timeout(&self) -> Result<Duration, UsageError> {
        match self.get(TIMEOUT.name) {
            None => Ok(DEFAULT_TIMEOUT),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| self.bad(TIMEOUT.name, v, "seconds, more than 0 and at most 3600")),
        }
    }

    /// An error naming `--name`, its value and what it should be.
    pub fn bad(&self, name: &str, value: &str, want: &str) -> UsageError {
        UsageError {
            plugin: self.plugin.into(),
            what: format!("--{name} {value:?}: want {want}"),
        }
    }
}

/// The usage text, headed by `what` went wrong.
fn usage(plugin: &'static str, known: &[Flag], what: &str) -> UsageError {
    let mut text = format!("{what}; flags:");
    for f in known {
        let v = if f.value.is_empty() {
            String::new()
        } else {
            format!(" {}", f.value)
        };
        text.push_str(&format!("\n  --{}{v}  {}", f.name, f.help));
    }
    UsageError {
        plugin: plugin.into(),
        what: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[Flag] = &[
        Flag::new("host", "HOST", "server"),
        Flag::new("port", "PORT", "port"),
        Flag::new("tls", "", "switch"),
        TIMEOUT,
    ];

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn go_flag_spellings_all_parse() {
        let f =
            Flags::parse("t", &args(&["-host", "a", "--port=7", "--tls"]), KNOWN).expect("parses");
        assert_eq!(f.get("host"), Some("a"));
        assert_eq!(f.number::<u16>("port", 1).expect("number"), 7);
        assert!(f.switch("tls").expect("switch"));
        assert_eq!(f.timeout().expect("default"), DEFAULT_TIMEOUT);
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = Flags::parse("t", &args(&["--nope", "1"]), KNOWN).expect_err("unknown");
        assert!(e.to_string().contains("\"--nope\""), "{e}");
        let e = Flags::parse("t", &args(&["--host"]), KNOWN).expect_err("missing value");
        assert!(e.to_string().contains("--host needs a value"), "{e}");
        let e = Flags::parse("t", &args(&["stray"]), KNOWN).expect_err("positional");
        assert!(e.to_string().contains("\"stray\""), "{e}");
        let f = Flags::parse("t", &args(&["--port", "http"]), KNOWN).expect("parses");
        let e = f.number::<u16>("port", 1).expect_err("not a number");
        assert!(e.to_string().contains("--port \"http\""), "{e}");
        let f = Flags::parse("t", &args(&["--timeout", "-1"]), KNOWN).expect("parses");
        assert!(f.timeout().is_err());
        let e = Flags::parse("t", &args(&["--help"]), KNOWN).expect_err("help");
        assert!(e.to_string().contains("--timeout SECONDS"), "{e}");
    }
}
