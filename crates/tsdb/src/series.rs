//! The series index: series keys (a metric name plus sorted labels) interned to dense [`SeriesId`]s,
//! Prometheus-style matchers, and the append-only `series.log` that makes ids survive restarts.
//!
//! Invariants: ids are dense and assigned in order (`id == position in series.log`), so a block file can
//! refer to a series by id alone; a series' record reaches disk (fsync by the next group commit) before any
//! sample that uses its id is acknowledged.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use regex::Regex;
use rustc_hash::FxHashMap;

use crate::bits::{get_uvarint, put_uvarint};
use crate::error::{Error, Result};

/// Dense series number, stable for the life of the store directory.
pub type SeriesId = u32;

/// The label name under which matchers see the metric name (as in Prometheus).
pub const NAME_LABEL: &str = "__name__";

/// A metric name plus labels. Labels are kept sorted by name; labels with an empty value are dropped,
/// because a matcher treats an absent label and an empty one alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    /// Metric name, e.g. `cpu.user.percentage`.
    pub name: String,
    /// `(label, value)` pairs sorted by label name, unique names, no empty values.
    pub labels: Vec<(String, String)>,
}

impl SeriesKey {
    /// Builds a key, sorting the labels and dropping empty values. A repeated label name keeps the last value.
    pub fn new(name: impl Into<String>, labels: &[(&str, &str)]) -> Self {
        let mut l: Vec<(String, String)> = labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        l.reverse();
        l.sort_by(|a, b| a.0.cmp(&b.0));
        l.dedup_by(|a, b| a.0 == b.0);
        Self {
            name: name.into(),
            labels: l,
        }
    }

    /// The value of `label` (the metric name for [`NAME_LABEL`]), or "" when absent.
    pub fn get(&self, label: &str) -> &str {
        if label == NAME_LABEL {
            return &self.name;
        }
        self.labels
            .iter()
            .find(|(k, _)| k == label)
            .map_or("", |(_, v)| v.as_str())
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.name.len() + 16 * self.labels.len());
        let put = |s: &str, out: &mut Vec<u8>| {
            put_uvarint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        };
        put(&self.name, &mut out);
        put_uvarint(&mut out, self.labels.len() as u64);
        for (k, v) in &self.labels {
            put(k, &mut out);
            put(v, &mut out);
        }
        out
    }

    fn decode(buf: &[u8]) -> Option<Self> {
        let mut pos = 0;
        let get = |pos: &mut usize| -> Option<String> {
            let n = get_uvarint(buf, pos)? as usize;
            let end = pos.checked_add(n).filter(|&e| e <= buf.len())?;
            let s = std::str::from_utf8(&buf[*pos..end]).ok()?.to_string();
            *pos = end;
            Some(s)
        };
        let name = get(&mut pos)?;
        let n = get_uvarint(buf, &mut pos)? as usize;
        let mut labels = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            labels.push((get(&mut pos)?, get(&mut pos)?));
        }
        (pos == buf.len()).then_some(Self { name, labels })
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{", self.name)?;
        for (i, (k, v)) in self.labels.iter().enumerate() {
            write!(f, "{}{k}={v:?}", if i > 0 { "," } else { "" })?;
        }
        write!(f, "}}")
    }
}

/// How a [`Matcher`] compares a label's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~` (the regex must match the whole value)
    Regex,
    /// `!~`
    NotRegex,
}

/// One label condition, as in PromQL's `{host="web-1", service=~"db.*"}`.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// Label name; [`NAME_LABEL`] matches the metric name.
    pub label: String,
    /// Comparison.
    pub op: MatchOp,
    /// The literal or the regex source.
    pub value: String,
    regex: Option<Regex>,
}

impl Matcher {
    /// Builds a matcher; regexes are anchored at both ends like Prometheus's.
    pub fn new(label: &str, op: MatchOp, value: &str) -> Result<Self> {
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(
                Regex::new(&format!("^(?:{value})$")).map_err(|e| Error::BadMatcher {
                    matcher: format!("{label}=~{value:?}"),
                    reason: e.to_string(),
                })?,
            ),
            _ => None,
        };
        Ok(Self {
            label: label.to_string(),
            op,
            value: value.to_string(),
            regex,
        })
    }

    /// `label = value`.
    pub fn eq(label: &str, value: &str) -> Self {
        Self {
            label: label.to_string(),
            op: MatchOp::Equal,
            value: value.to_string(),
            regex: None,
        }
    }

    /// `__name__ = name`.
    pub fn name(name: &str) -> Self {
        Self::eq(NAME_LABEL, name)
    }

    /// Whether a label value (\"\" when the label is absent) satisfies this matcher.
    pub fn matches(&self, v: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => v == self.value,
            (MatchOp::NotEqual, _) => v != self.value,
            (MatchOp::Regex, Some(r)) => r.is_match(v),
            (MatchOp::NotRegex, Some(r)) => !r.is_match(v),
            // Built without a regex only through `eq`, which sets `Equal`; treat anything else as no match.
            _ => false,
        }
    }
}

/// In-memory index plus its log file.
pub(crate) struct Index {
    by_key: FxHashMap<SeriesKey, SeriesId>,
    keys: Vec<SeriesKey>,
    /// label -> value -> ids (ascending, since ids are assigned in order).
    postings: FxHashMap<String, FxHashMap<String, Vec<SeriesId>>>,
    log: File,
    /// Bytes of complete records in the log; a failed write is cut back to this.
    log_len: u64,
    path: PathBuf,
}

impl Index {
    /// Opens (or creates) `series.log`, cutting a torn tail record left by a crash.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("series.log");
        let mut log = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let mut buf = Vec::new();
        log.read_to_end(&mut buf).map_err(|e| Error::io(&path, e))?;
        let mut idx = Self {
            by_key: FxHashMap::default(),
            keys: Vec::new(),
            postings: FxHashMap::default(),
            log,
            log_len: 0,
            path,
        };
        let mut pos = 0usize;
        while let Some((payload, next)) = crate::wal::frame_at(&buf, pos) {
            let ok = payload.len() >= 4 && {
                let id = u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]);
                match SeriesKey::decode(&payload[4..]) {
                    Some(key) if id as usize == idx.keys.len() => {
                        idx.insert(key);
                        true
                    }
                    _ => false,
                }
            };
            if !ok {
                break;
            }
            pos = next;
        }
        if pos < buf.len() {
            idx.log
                .set_len(pos as u64)
                .map_err(|e| Error::io(&idx.path, e))?;
            idx.log
                .seek(SeekFrom::End(0))
                .map_err(|e| Error::io(&idx.path, e))?;
        }
        idx.log_len = pos as u64;
        Ok(idx)
    }

    fn insert(&mut self, key: SeriesKey) -> SeriesId {
        let id = self.keys.len() as SeriesId;
        self.postings
            .entry(NAME_LABEL.to_string())
            .or_default()
            .entry(key.name.clone())
            .or_default()
            .push(id);
        for (k, v) in &key.labels {
            self.postings
                .entry(k.clone())
                .or_default()
                .entry(v.clone())
                .or_default()
                .push(id);
        }
        self.by_key.insert(key.clone(), id);
        self.keys.push(key);
        id
    }

    pub(crate) fn get(&self, key: &SeriesKey) -> Option<SeriesId> {
        self.by_key.get(key).copied()
    }

    /// Adds a series, writing its record to the log (not yet fsynced: the caller marks the log dirty so the
    /// next group commit syncs it before acknowledging samples).
    pub(crate) fn create(&mut self, key: &SeriesKey) -> Result<SeriesId> {
        if let Some(id) = self.get(key) {
            return Ok(id);
        }
        let id = self.keys.len() as SeriesId;
        let mut payload = id.to_le_bytes().to_vec();
        payload.extend_from_slice(&key.encode());
        let rec = crate::wal::frame(&payload);
        if let Err(e) = self.log.write_all(&rec) {
            // Leave no partial record behind to be mistaken for a later one.
            let _ = self.log.set_len(self.log_len);
            return Err(Error::io(&self.path, e));
        }
        self.log_len += rec.len() as u64;
        Ok(self.insert(key.clone()))
    }

    pub(crate) fn sync(&self) -> Result<()> {
        self.log.sync_data().map_err(|e| Error::io(&self.path, e))
    }

    pub(crate) fn key(&self, id: SeriesId) -> Option<&SeriesKey> {
        self.keys.get(id as usize)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Series matching all matchers, ascending by id.
    pub(crate) fn select(&self, matchers: &[Matcher]) -> Vec<SeriesId> {
        // Start from the smallest candidate set: the postings of an `=` matcher on a non-empty value, or
        // the union of the postings of every value a regex matcher accepts (when it does not accept the
        // empty value, the label must be present). Regexes are run on the label's distinct values, not
        // on every series: a fleet has thousands of series per metric name and tens of names per pattern.
        // Otherwise scan all.
        let mut best: Option<std::borrow::Cow<'_, [SeriesId]>> = None;
        for m in matchers {
            let candidates: std::borrow::Cow<'_, [SeriesId]> = match m.op {
                MatchOp::Equal if !m.value.is_empty() => match self
                    .postings
                    .get(&m.label)
                    .and_then(|vals| vals.get(&m.value))
                {
                    Some(list) => list.as_slice().into(),
                    None => return Vec::new(),
                },
                MatchOp::Regex if !m.matches("") => {
                    let Some(vals) = self.postings.get(&m.label) else {
                        return Vec::new();
                    };
                    let mut ids: Vec<SeriesId> = vals
                        .iter()
                        .filter(|(v, _)| m.matches(v))
                        .flat_map(|(_, list)| list.iter().copied())
                        .collect();
                    ids.sort_unstable();
                    ids.into()
                }
                _ => continue,
            };
            if best.as_ref().is_none_or(|b| candidates.len() < b.len()) {
                best = Some(candidates);
            }
        }
        let check = |id: SeriesId| {
            let key = &self.keys[id as usize];
            matchers.iter().all(|m| m.matches(key.get(&m.label)))
        };
        match best {
            Some(list) => list.iter().copied().filter(|&id| check(id)).collect(),
            None => (0..self.keys.len() as SeriesId)
                .filter(|&id| check(id))
                .collect(),
        }
    }

    /// All label names in use, sorted (including [`NAME_LABEL`]).
    pub(crate) fn label_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.postings.keys().cloned().collect();
        v.sort();
        v
    }

    /// Values of `label` among series matching `matchers` (all series when empty), sorted and unique.
    pub(crate) fn label_values(&self, label: &str, matchers: &[Matcher]) -> Vec<String> {
        let mut v: Vec<String> = if matchers.is_empty() {
            self.postings
                .get(label)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        } else {
            self.select(matchers)
                .into_iter()
                .map(|id| self.keys[id as usize].get(label))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        v.sort();
        v.dedup();
        v
    }
}
