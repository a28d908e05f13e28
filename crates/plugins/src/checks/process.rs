//! `process` (go-check-plugins' check-procs): counts the processes whose
//! command name (`comm`), or with `--full` whose whole command line, matches
//! a regex, optionally owned by a user, and grades the count against
//! under/over thresholds. Read from /proc, never by running `ps`.
//!
//! ```text
//! sonde plugin process -p '^nginx$' --critical-under 1 --warning-over 20
//! Procs OK: Found 5 matching processes; cmd /^nginx$/
//! ```

use std::path::{Path, PathBuf};

use super::args::{self, Flag, opt, switch};
use super::result;
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "process";

const FLAGS: &[Flag] = &[
    opt(Some('p'), "pattern"),
    opt(Some('x'), "exclude-pattern"),
    switch(Some('f'), "full"),
    opt(Some('u'), "user"),
    opt(Some('w'), "warning-over"),
    opt(Some('c'), "critical-over"),
    opt(Some('W'), "warning-under"),
    opt(Some('C'), "critical-under"),
    switch(Some('m'), "match-self"),
    opt(None, "proc-root"),
];

/// One process as the check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proc {
    pub pid: u32,
    /// `/proc/PID/comm`: the name, at most 15 bytes.
    pub comm: String,
    /// `/proc/PID/cmdline` with the NULs between arguments as spaces
    /// (empty for kernel threads).
    pub cmdline: String,
    /// The real user id.
    pub uid: u32,
}

/// The processes under `root` (a /proc); a process that exits while being
/// read is skipped.
pub fn scan(root: &Path) -> std::io::Result<Vec<Proc>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root)? {
        let Ok(e) = e else { continue };
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let dir = e.path();
        let (Ok(comm), Ok(status)) = (
            std::fs::read_to_string(dir.join("comm")),
            std::fs::read_to_string(dir.join("status")),
        ) else {
            continue;
        };
        let Some(uid) = real_uid(&status) else {
            continue;
        };
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline)
            .trim_end_matches('\0')
            .replace('\0', " ");
        out.push(Proc {
            pid,
            comm: comm.trim_end_matches('\n').to_string(),
            cmdline,
            uid,
        });
    }
    Ok(out)
}

/// The real uid from `/proc/PID/status` (`Uid:\treal\teffective\t...`).
fn real_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|u| u.parse().ok())
}

/// The uid of `user` (a name in the passwd text, or a number).
pub fn uid_of(user: &str, passwd: &str) -> Option<u32> {
    if let Ok(n) = user.parse() {
        return Some(n);
    }
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next() == Some(user))
            .then(|| f.nth(1))
            .flatten()
            .and_then(|u| u.parse().ok())
    })
}

/// The configured `process` check.
#[derive(Debug)]
pub struct Procs {
    pattern: Option<regex::Regex>,
    exclude: Option<regex::Regex>,
    full: bool,
    user: Option<(String, u32)>,
    warning_over: Option<u64>,
    critical_over: Option<u64>,
    warning_under: u64,
    critical_under: u64,
    match_self: bool,
    root: PathBuf,
}

impl Procs {
    /// Configures the check from its flags; a user name is looked up in
    /// /etc/passwd now, so a misspelt one is a usage error.
    pub fn from_args(a: &[String]) -> Result<Procs, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let user = match p.get("user") {
            None => None,
            Some(u) => {
                let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
                let uid = uid_of(u, &passwd)
                    .ok_or_else(|| args::usage(NAME, format!("--user {u:?}: no such user")))?;
                Some((u.to_string(), uid))
            }
        };
        Ok(Procs {
            pattern: p.regex("pattern")?,
            exclude: p.regex("exclude-pattern")?,
            full: p.has("full"),
            user,
            warning_over: p.num("warning-over")?,
            critical_over: p.num("critical-over")?,
            warning_under: p.num("warning-under")?.unwrap_or(1),
            critical_under: p.num("critical-under")?.unwrap_or(1),
            match_self: p.has("match-self"),
            root: PathBuf::from(p.get("proc-root").unwrap_or("/proc")),
        })
    }

    /// Whether `p` is one the check counts.
    fn matches(&self, p: &Proc, me: u32) -> bool {
        if p.pid == me && !self.match_self {
            return false;
        }
        let subject = if self.full { &p.cmdline } else { &p.comm };
        self.pattern.as_ref().is_none_or(|re| re.is_match(subject))
            && !self.exclude.as_ref().is_some_and(|re| re.is_match(subject))
            && self.user.as_ref().is_none_or(|(_, uid)| p.uid == *uid)
    }

    /// The status for `count` matching processes.
    pub fn status(&self, count: u64) -> CheckStatus {
        if count < self.critical_under || self.critical_over.is_some_and(|c| count > c) {
            CheckStatus::Critical
        } else if count < self.warning_under || self.warning_over.is_some_and(|w| count > w) {
            CheckStatus::Warning
        } else {
            CheckStatus::Ok
        }
    }
}

impl CheckPlugin for Procs {
    fn check(&mut self) -> CheckResult {
        let procs = match scan(&self.root) {
            Ok(p) => p,
            Err(e) => {
                return result(
                    "Procs",
                    CheckStatus::Unknown,
                    format!("{}: {e}", self.root.display()),
                );
            }
        };
        let me = std::process::id();
        let count = procs.iter().filter(|p| self.matches(p, me)).count() as u64;
        let mut msg = format!("Found {count} matching processes");
        if let Some(re) = &self.pattern {
            msg.push_str(&format!(
                "; {} /{}/",
                if self.full { "args" } else { "cmd" },
                re.as_str()
            ));
        }
        if let Some((u, _)) = &self.user {
            msg.push_str(&format!("; user /{u}/"));
        }
        result("Procs", self.status(count), msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_from_passwd_text() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n";
        assert_eq!(uid_of("www-data", passwd), Some(33));
        assert_eq!(uid_of("root", passwd), Some(0));
        assert_eq!(uid_of("1234", passwd), Some(1234));
        assert_eq!(uid_of("nobody-here", passwd), None);
        assert_eq!(real_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"), Some(1000));
        assert_eq!(real_uid("Name:\tx\n"), None);
    }
}
