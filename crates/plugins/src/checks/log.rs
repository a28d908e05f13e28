//! `log` (go-check-plugins' check-log): counts the lines appended to a log
//! file since the last run that match a pattern (and not an exclude
//! pattern), and quotes the first few.
//!
//! Where the last run stopped is kept in a state file (`--state-dir`,
//! default `$MACKEREL_PLUGIN_WORKDIR` or the temporary directory), keyed by
//! the file's path and the arguments, holding the file's inode and the byte offset. The state
//! survives rotation: when the path holds a new inode (or the file shrank,
//! as `copytruncate` leaves it), the rest of the old file is read first if it
//! is at `FILE.1` (same inode as recorded), then the new file from its start.
//! A run reads at most `--max-bytes`; what is left is read by the next run.
//! The first run (no state) starts at the end of the file, as check-log
//! does, unless `--check-first`.
//!
//! ```text
//! sonde plugin log -f /var/log/app.log -p ERROR -E 'ERROR: retrying' -w 0 -c 10
//! LOG WARNING: 2 matching lines in /var/log/app.log for pattern /ERROR/
//! "2026-11-22 ERROR: disk full"
//! "2026-11-22 ERROR: cannot write"
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::args::{self, Flag, opt, switch};
use super::result;
use crate::{CheckPlugin, CheckResult, CheckStatus, UsageError};

const NAME: &str = "log";

const FLAGS: &[Flag] = &[
    opt(Some('f'), "file"),
    opt(Some('p'), "pattern"),
    opt(Some('E'), "exclude"),
    opt(Some('w'), "warning-over"),
    opt(Some('c'), "critical-over"),
    switch(Some('i'), "icase"),
    opt(Some('s'), "state-dir"),
    switch(None, "no-state"),
    switch(None, "check-first"),
    opt(None, "missing"),
    opt(None, "max-bytes"),
    opt(None, "quote"),
];

/// Bytes read at most per run unless `--max-bytes` says otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The part of a line kept for matching and quoting; the rest of a longer
/// line is skipped, so one huge line cannot take the memory.
const MAX_LINE: usize = 16 * 1024;
/// A quoted line is cut to this many characters.
const QUOTE_CHARS: usize = 200;

/// Where reading stopped: the file (by inode) and the offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub inode: u64,
    pub offset: u64,
}

/// The configured `log` check.
#[derive(Debug)]
pub struct Log {
    file: PathBuf,
    patterns: Vec<regex::Regex>,
    excludes: Vec<regex::Regex>,
    warning_over: u64,
    critical_over: u64,
    state_dir: Option<PathBuf>,
    check_first: bool,
    missing: CheckStatus,
    max_bytes: u64,
    quote: usize,
    /// The arguments, part of the state file's key.
    args: Vec<String>,
}

/// What one run found.
#[derive(Debug, Default)]
struct Found {
    count: u64,
    quoted: Vec<String>,
    read: u64,
    /// Bytes that were there but left for the next run (over the cap).
    left: u64,
}

impl Log {
    /// Configures the check from its flags.
    pub fn from_args(a: &[String]) -> Result<Log, UsageError> {
        let p = args::parse(NAME, FLAGS, a)?;
        let file = PathBuf::from(p.required("file")?);
        let icase = if p.has("icase") { "(?i)" } else { "" };
        let compile = |flag: &str| -> Result<Vec<regex::Regex>, UsageError> {
            p.all(flag)
                .into_iter()
                .map(|pat| args::compile(NAME, flag, &format!("{icase}{pat}")))
                .collect()
        };
        let patterns = compile("pattern")?;
        if patterns.is_empty() {
            return Err(args::usage(NAME, "-p/--pattern is required"));
        }
        let missing = match p.get("missing").map(str::to_ascii_uppercase).as_deref() {
            None | Some("UNKNOWN") => CheckStatus::Unknown,
            Some("OK") => CheckStatus::Ok,
            Some("WARNING") => CheckStatus::Warning,
            Some("CRITICAL") => CheckStatus::Critical,
            Some(_) => {
                return Err(args::usage(
                    NAME,
                    format!(
                        "--missing {:?}: one of OK, WARNING, CRITICAL, UNKNOWN",
                        p.get("missing").unwrap_or_default()
                    ),
                ));
            }
        };
        let state_dir = if p.has("no-state") {
            None
        } else {
            Some(
                p.get("state-dir")
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("MACKEREL_PLUGIN_WORKDIR").map(PathBuf::from))
                    .unwrap_or_else(std::env::temp_dir),
            )
        };
        Ok(Log {
            file,
            patterns,
            excludes: compile("exclude")?,
            warning_over: p.num("warning-over")?.unwrap_or(0),
            critical_over: p.num("critical-over")?.unwrap_or(0),
            state_dir,
            check_first: p.has("check-first"),
            missing,
            max_bytes: p.num("max-bytes")?.unwrap_or(DEFAULT_MAX_BYTES).max(1),
            quote: p.num("quote")?.unwrap_or(3),
            args: a.to_vec(),
        })
    }

    /// The state file for this log file: one per path and argument list
    /// (as check-log keys it), so two checks of one file with different
    /// patterns each see every line.
    pub fn state_file(&self) -> Option<PathBuf> {
        let dir = self.state_dir.as_ref()?;
        let abs = std::path::absolute(&self.file).unwrap_or_else(|_| self.file.clone());
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let key = abs.as_os_str().as_encoded_bytes().iter();
        for b in key.chain(&[0]).chain(self.args.join("\0").as_bytes()) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Some(dir.join(format!("sonde-check-log-{h:016x}.json")))
    }

    fn load(&self, path: &Path) -> Option<Position> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        Some(Position {
            inode: v.get("inode")?.as_u64()?,
            offset: v.get("offset")?.as_u64()?,
        })
    }

    fn save(&self, path: &Path, pos: Position) -> std::io::Result<()> {
        let v = serde_json::json!({
            "path": self.file.display().to_string(),
            "inode": pos.inode,
            "offset": pos.offset,
        });
        // Written aside and renamed, so a crash never leaves half a state.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, v.to_string())?;
        std::fs::rename(&tmp, path)
    }

    /// Whether `line` counts: it matches every pattern and not every
    /// exclude pattern (check-log combines several of either with AND).
    fn matches(&self, line: &str) -> bool {
        let excluded =
            !self.excludes.is_empty() && self.excludes.iter().all(|re| re.is_match(line));
        !excluded && self.patterns.iter().all(|re| re.is_match(line))
    }

    /// Reads `file` from `start`, at most `budget` bytes; returns the offset
    /// reached. A partial last line is left for the next run unless `whole`
    /// (the file will not grow: a rotated-away one) or the line alone fills
    /// the budget. Also says whether the budget ran out.
    fn read_from(
        &self,
        file: &Path,
        start: u64,
        budget: u64,
        whole: bool,
        found: &mut Found,
    ) -> std::io::Result<(u64, bool)> {
        let mut f = File::open(file)?;
        f.seek(SeekFrom::Start(start))?;
        let mut r = BufReader::with_capacity(64 * 1024, f.take(budget));
        let mut pos = start;
        let mut line = Vec::with_capacity(256);
        let mut pulled = 0u64;
        loop {
            line.clear();
            let mut len = 0u64;
            let mut ended = false;
            // One line, keeping at most MAX_LINE bytes of it.
            loop {
                let buf = r.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let (take, nl) = match memchr_nl(buf) {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                let keep = take.min(MAX_LINE.saturating_sub(line.len()));
                line.extend_from_slice(&buf[..keep]);
                r.consume(take);
                len += take as u64;
                if nl {
                    ended = true;
                    break;
                }
            }
            if len == 0 {
                break;
            }
            pulled += len;
            let capped = pulled >= budget;
            // An unterminated line counts when the file will not grow (the
            // rotated-away one, read to its end) or when it alone fills
            // the budget; otherwise it is still being written: next run.
            let complete = ended || (whole && !capped) || (capped && pos == start);
            if !complete {
                break;
            }
            pos += len;
            found.read += len;
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if self.matches(text) {
                found.count += 1;
                if found.quoted.len() < self.quote {
                    found.quoted.push(text.chars().take(QUOTE_CHARS).collect());
                }
            }
        }
        Ok((pos, pulled >= budget))
    }

    fn run(&self) -> CheckResult {
        let shown = self.file.display();
        let meta = match std::fs::metadata(&self.file) {
            Ok(m) => m,
            Err(e) => return result("LOG", self.missing, format!("{shown}: {e}")),
        };
        let (inode, size) = (meta.ino(), meta.len());
        let state_file = self.state_file();
        let last = state_file.as_deref().and_then(|p| self.load(p));
        // The pieces to read, in order: (path, inode, from, will not grow).
        let mut plan: Vec<(PathBuf, u64, u64, bool)> = Vec::new();
        let mut note = String::new();
        match last {
            None if state_file.is_some() && !self.check_first => {
                note = format!(" (first run: reading starts at the end, byte {size})");
            }
            None => plan.push((self.file.clone(), inode, 0, false)),
            Some(p) if p.inode == inode && p.offset <= size => {
                plan.push((self.file.clone(), inode, p.offset, false));
            }
            Some(p) => {
                let rotated = rotated_name(&self.file);
                let old = std::fs::metadata(&rotated)
                    .ok()
                    .filter(|m| m.ino() == p.inode);
                if p.inode != inode
                    && let Some(m) = old
                    && p.offset <= m.len()
                {
                    plan.push((rotated, p.inode, p.offset, true));
                    note = " (rotated)".into();
                } else {
                    note = " (truncated or replaced: read from the start)".into();
                }
                plan.push((self.file.clone(), inode, 0, false));
            }
        }
        let mut found = Found::default();
        // Without a plan (a first run), the next run starts at today's end.
        let mut end = Position {
            inode,
            offset: size,
        };
        let mut stopped = false;
        for (path, ino, from, whole) in &plan {
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if stopped {
                found.left += len.saturating_sub(*from);
                continue;
            }
            let budget = self.max_bytes.saturating_sub(found.read);
            let (reached, capped) = match self.read_from(path, *from, budget, *whole, &mut found) {
                Ok(r) => r,
                Err(e) => {
                    return result(
                        "LOG",
                        CheckStatus::Unknown,
                        format!("{}: {e}", path.display()),
                    );
                }
            };
            if *whole && reached >= len {
                // The rotated-away file is done with; on to the new one.
                continue;
            }
            end = Position {
                inode: *ino,
                offset: reached,
            };
            if capped && reached < len {
                found.left += len - reached;
                stopped = true;
            }
        }
        if let Some(sf) = &state_file
            && let Err(e) = self.save(sf, end)
        {
            return result(
                "LOG",
                CheckStatus::Unknown,
                format!("{}: cannot keep the read position: {e}", sf.display()),
            );
        }
        let pats: Vec<String> = self
            .patterns
            .iter()
            .map(|r| format!("/{}/", r.as_str()))
            .collect();
        let mut msg = format!(
            "{} matching lines in {shown} for pattern {}{note}",
            found.count,
            pats.join(" and ")
        );
        if found.left > 0 {
            msg.push_str(&format!(
                "; {} bytes over --max-bytes left for the next run",
                found.left
            ));
        }
        for q in &found.quoted {
            msg.push_str(&format!("\n{q:?}"));
        }
        if found.count > found.quoted.len() as u64 && !found.quoted.is_empty() {
            msg.push_str(&format!(
                "\n... and {} more",
                found.count - found.quoted.len() as u64
            ));
        }
        let status = if found.count > self.critical_over {
            CheckStatus::Critical
        } else if found.count > self.warning_over {
            CheckStatus::Warning
        } else {
            CheckStatus::Ok
        };
        result("LOG", status, msg)
    }
}

impl CheckPlugin for Log {
    fn check(&mut self) -> CheckResult {
        self.run()
    }
}

/// `FILE.1`, where logrotate (and most rotators) put the previous file.
fn rotated_name(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".1");
    PathBuf::from(s)
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}
