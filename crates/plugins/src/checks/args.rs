//! A small flag parser for the checks' argument lists, in the shape
//! go-check-plugins accepts them (`-u URL`, `--url URL`, `--url=URL`,
//! repeatable flags such as `-H 'Name: value'`). Each plugin lists its flags
//! in a table, so a misspelt flag is a usage error naming the flag and the
//! flags there are, rather than something silently ignored.

use std::str::FromStr;
use std::time::Duration;

use crate::UsageError;

/// One flag a plugin accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag {
    pub short: Option<char>,
    pub long: &'static str,
    /// Whether the flag takes a value (`--url URL`) or is a switch (`--tls`).
    pub value: bool,
}

/// A flag with a value.
pub(crate) const fn opt(short: Option<char>, long: &'static str) -> Flag {
    Flag {
        short,
        long,
        value: true,
    }
}

/// A switch.
pub(crate) const fn switch(short: Option<char>, long: &'static str) -> Flag {
    Flag {
        short,
        long,
        value: false,
    }
}

/// The flags given, by long name, in the order given.
#[derive(Debug)]
pub(crate) struct Parsed {
    plugin: &'static str,
    given: Vec<(&'static str, Option<String>)>,
}

/// Parses `args` against `flags`; positional arguments are refused (every
/// check takes flags only).
pub(crate) fn parse(
    plugin: &'static str,
    flags: &[Flag],
    args: &[String],
) -> Result<Parsed, UsageError> {
    let mut given = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let f = flags.iter().find(|f| f.long == name);
            (f.ok_or_else(|| unknown(plugin, flags, a))?, inline)
        } else if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let c = chars.next().unwrap_or('-');
            let rest: String = chars.collect();
            let f = flags.iter().find(|f| f.short == Some(c));
            let f = f.ok_or_else(|| unknown(plugin, flags, a))?;
            // `-p80` as well as `-p 80`, as getopt allows.
            (f, (!rest.is_empty()).then_some(rest))
        } else {
            return Err(usage(
                plugin,
                format!("unexpected argument {a:?} (every argument is a flag)"),
            ));
        };
        let value = match (flag.value, inline) {
            (true, Some(v)) => Some(v),
            (true, None) => Some(
                it.next()
                    .ok_or_else(|| usage(plugin, format!("--{} needs a value", flag.long)))?
                    .clone(),
            ),
            (false, Some(_)) => {
                return Err(usage(plugin, format!("--{} takes no value", flag.long)));
            }
            (false, None) => None,
        };
        given.push((flag.long, value));
    }
    Ok(Parsed { plugin, given })
}

fn unknown(plugin: &'static str, flags: &[Flag], arg: &str) -> UsageError {
    let known: Vec<String> = flags
        .iter()
        .map(|f| match f.short {
            Some(c) => format!("-{c}/--{}", f.long),
            None => format!("--{}", f.long),
        })
        .collect();
    usage(
        plugin,
        format!("unknown flag {arg} (flags: {})", known.join(", ")),
    )
}

/// A usage error of `plugin`.
pub(crate) fn usage(plugin: &str, what: impl Into<String>) -> UsageError {
    UsageError {
        plugin: plugin.into(),
        what: what.into(),
    }
}

impl Parsed {
    /// The last value given for `long`.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.given
            .iter()
            .rev()
            .find(|(n, _)| *n == long)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Every value given for `long`, in order.
    pub fn all(&self, long: &str) -> Vec<&str> {
        self.given
            .iter()
            .filter(|(n, _)| *n == long)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    /// Whether the switch `long` was given.
    pub fn has(&self, long: &str) -> bool {
        self.given.iter().any(|(n, _)| *n == long)
    }

    /// The value of `long`, which must be given.
    pub fn required(&self, long: &str) -> Result<&str, UsageError> {
        self.get(long)
            .ok_or_else(|| usage(self.plugin, format!("--{long} is required")))
    }

    /// The value of `long` parsed as a `T`, if given.
    pub fn num<T: FromStr>(&self, long: &str) -> Result<Option<T>, UsageError> {
        match self.get(long) {
            None => Ok(None),
            Some(v) => {
                v.trim().parse().map(Some).map_err(|_| {
                    usage(self.plugin, format!("--{long} {v:?} is not a valid number"))
                })
            }
        }
    }

    /// A duration in (possibly fractional) seconds, if given; it must be
    /// positive and finite.
    pub fn seconds(&self, long: &str) -> Result<Option<Duration>, UsageError> {
        match self.num::<f64>(long)? {
            None => Ok(None),
            Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
            Some(s) => Err(usage(
                self.plugin,
                format!("--{long} {s} must be a positive number of seconds"),
            )),
        }
    }

    /// `--timeout` (seconds), else `default`.
    pub fn timeout(&self, default: Duration) -> Result<Duration, UsageError> {
        Ok(self.seconds("timeout")?.unwrap_or(default))
    }

    /// A regular expression given for `long`, compiled.
    pub fn regex(&self, long: &str) -> Result<Option<regex::Regex>, UsageError> {
        self.get(long)
            .map(|p| compile(self.plugin, long, p))
            .transpose()
    }
}

/// `pattern` compiled, or a usage error naming the flag.
pub(crate) fn compile(plugin: &str, long: &str, pattern: &str) -> Result<regex::Regex, UsageError> {
    regex::Regex::new(pattern).map_err(|e| {
        usage(
            plugin,
            format!("--{long} {pattern:?} is not a valid regex: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        opt(Some('u'), "url"),
        opt(Some('H'), "header"),
        switch(None, "tls"),
        opt(Some('t'), "timeout"),
    ];

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn long_short_inline_and_repeated_flags() {
        let p = parse(
            "t",
            FLAGS,
            &args(&[
                "-u",
                "http://a/",
                "--header=A: 1",
                "-HB: 2",
                "--tls",
                "--timeout",
                "2.5",
            ]),
        )
        .expect("valid");
        assert_eq!(p.get("url"), Some("http://a/"));
        assert_eq!(p.all("header"), vec!["A: 1", "B: 2"]);
        assert!(p.has("tls"));
        assert_eq!(
            p.timeout(Duration::from_secs(9)).expect("number"),
            Duration::from_millis(2500)
        );
    }

    #[test]
    fn mistakes_are_usage_errors_naming_the_flag() {
        let e = parse("t", FLAGS, &args(&["--uri", "x"])).expect_err("unknown");
        assert!(
            e.what.contains("--uri") && e.what.contains("-u/--url"),
            "{e}"
        );
        let e = parse("t", FLAGS, &args(&["-u"])).expect_err("missing value");
        assert!(e.what.contains("--url needs a value"), "{e}");
        let e = parse("t", FLAGS, &args(&["--tls=yes"])).expect_err("switch value");
        assert!(e.what.contains("--tls takes no value"), "{e}");
        let e = parse("t", FLAGS, &args(&["stray"])).expect_err("positional");
        assert!(e.what.contains("stray"), "{e}");
        let p = parse("t", FLAGS, &args(&["-t", "-1"])).expect("parses");
        assert!(p.timeout(Duration::from_secs(1)).is_err());
        let p = parse("t", FLAGS, &args(&["-t", "soon"])).expect("parses");
        assert!(p.timeout(Duration::from_secs(1)).is_err());
        let p = parse("t", FLAGS, &args(&[])).expect("parses");
        assert!(p.required("url").is_err());
    }
}
