//! Metrics in VictoriaMetrics (fleet mode): written by Prometheus remote
//! write, read back through its Prometheus query API, so that several sonde
//! servers behind one address share one store and keep none of their own.
//!
//! - Writes: one snappy protobuf `WriteRequest` per batch (split past 8 MiB)
//!   to `/api/v1/write`; `Ok` only once VictoriaMetrics answered 2xx, so an
//!   agent is acknowledged only for what the engine took.
//! - Raw samples: `/api/v1/query` with a range selector
//!   (`{__name__="cpu.user.percentage",host="..."}[3599999ms]` at the range's
//!   last millisecond), which VictoriaMetrics answers with the stored samples
//!   as they are, `nocache=1` so it does not move the time back by its
//!   `-search.latencyOffset`.
//! - Buckets (long ranges): `/api/v1/query_range` evaluated at each bucket's
//!   last millisecond over a window of one step, so its windows are exactly
//!   sonde's buckets (`[ts, ts + step)`, `ts` a multiple of the step); count,
//!   sum, min and max in one query. VictoriaMetrics replaces points newer
//!   than its latency offset with the point before them, so buckets that
//!   recent (and partial ones at the range's edges) are folded here from raw
//!   samples instead. The offset is read from the engine's `/metrics`.
//! - Names contain dots, so selectors always spell `__name__="..."`, every
//!   value escaped.
//!
//! Samples become visible to queries a few seconds after they are
//! acknowledged (up to ~10 s for a new series); [`Victoria::flush`] (the
//! engine's `/internal/force_flush`) makes them visible at once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sonde_tsdb::{Bucket, MatchOp, Matcher, Points, SeriesId, SeriesKey, SeriesPoints};

use crate::client::{Client, ClientError, query_escape};
use crate::remote_write::{Series, encode, snappy_encode};

/// A write request's most protobuf bytes before it is split.
const MAX_WRITE_BYTES: usize = 8 << 20;
/// VictoriaMetrics' default `-search.latencyOffset`, used until the
/// engine's own setting is known.
const DEFAULT_LATENCY_MS: i64 = 30_000;
/// Clock difference allowed between sonde and the engine.
const CLOCK_SLACK_MS: i64 = 5_000;
/// The label a bucket query tags its four aggregates with.
const AGG_LABEL: &str = "sonde_agg";

/// What went wrong talking to VictoriaMetrics.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VictoriaError {
    /// Down, unreachable, or answering 5xx: the caller may try again.
    #[error("VictoriaMetrics is unavailable: {0}")]
    Unavailable(ClientError),
    /// It refused the request (4xx) with its own message.
    #[error("VictoriaMetrics refused the request: {0}")]
    Refused(ClientError),
    /// The request could not be expressed (a label name PromQL cannot
    /// spell).
    #[error("{0}")]
    BadQuery(String),
    /// Its answer was not what the Prometheus API promises.
    #[error("{url}: unexpected answer: {reason}")]
    BadAnswer { url: String, reason: String },
}

impl From<ClientError> for VictoriaError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Unavailable { .. } => VictoriaError::Unavailable(e),
            ClientError::Status { .. } | ClientError::Request { .. } => VictoriaError::Refused(e),
        }
    }
}

/// Series keys by process-local ids, for callers that resolve a series once
/// and append by id (Prometheus import's cache, remote write). Not state:
/// lost on restart with nothing lost, like the embedded store's index it
/// holds every series written since start.
#[derive(Debug, Default)]
struct Interned {
    by_key: HashMap<SeriesKey, SeriesId>,
    keys: Vec<Arc<SeriesKey>>,
}

/// A VictoriaMetrics single node (or a vminsert/vmselect pair behind one
/// address) as the metrics store.
#[derive(Debug)]
pub struct Victoria {
    client: Client,
    ids: RwLock<Interned>,
    /// The engine's `-search.latencyOffset` in ms, once read.
    latency_ms: RwLock<Option<i64>>,
}

/// Raw samples, `(ms, value)`.
type Raw = Vec<(i64, f64)>;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Milliseconds as the API's seconds (`1700000000.123`).
fn secs(ms: i64) -> String {
    format!(
        "{}{}.{:03}",
        if ms < 0 && ms > -1000 { "-" } else { "" },
        ms / 1000,
        (ms % 1000).abs()
    )
}

/// A PromQL string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `{__name__="a.b",host="x"}` for matchers; label names must be PromQL
/// identifiers.
pub fn selector(matchers: &[Matcher]) -> Result<String, VictoriaError> {
    let mut out = String::from("{");
    for (i, m) in matchers.iter().enumerate() {
        let ok = !m.label.is_empty()
            && m.label.bytes().enumerate().all(|(i, b)| {
                b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())
            });
        if !ok {
            return Err(VictoriaError::BadQuery(format!(
                "label name {:?} is not [a-zA-Z_][a-zA-Z0-9_]*",
                m.label
            )));
        }
        if i > 0 {
            out.push(',');
        }
        let op = match m.op {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        };
        out.push_str(&m.label);
        out.push_str(op);
        out.push_str(&quote(&m.value));
    }
    out.push('}');
    Ok(out)
}

/// A Go duration (`30s`, `1m0s`, `500ms`, `0s`) in ms.
fn go_duration_ms(s: &str) -> Option<i64> {
    let mut total = 0f64;
    let mut rest = s.trim();
    if rest == "0" {
        return Some(0);
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let v: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ms = match &rest[..u] {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            "ms" => 1.0,
            "us" | "µs" => 0.001,
            "ns" => 0.000_001,
            _ => return None,
        };
        total += v * ms;
        rest = &rest[u..];
    }
    Some(total.round() as i64)
}

#[derive(serde::Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(serde::Deserialize)]
struct MatrixData {
    result: Vec<MatrixSeries>,
}

#[derive(serde::Deserialize)]
struct MatrixSeries {
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

impl Victoria {
    /// A store at `url` (`http://host:8428`); nothing is contacted yet, so
    /// the server starts (and serves everything else) while the engine is
    /// down.
    pub fn new(url: &str) -> Result<Victoria, String> {
        Ok(Victoria {
            // VictoriaMetrics' own default limit on a query's time
            // (`-search.maxQueryDuration`).
            client: Client::new(url, Duration::from_secs(30))?,
            ids: RwLock::default(),
            latency_ms: RwLock::new(None),
        })
    }

    /// The engine's address, for messages.
    pub fn url(&self) -> &str {
        self.client.base()
    }

    /// Whether the engine answers `/health` now.
    pub fn healthy(&self) -> Result<(), VictoriaError> {
        self.client.expect_ok("GET", "/health", &[], b"")?;
        Ok(())
    }

    /// A process-local id for a series (see [`Interned`]).
    pub fn series_id(&self, key: &SeriesKey) -> SeriesId {
        if let Some(&id) = self
            .ids
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_key
            .get(key)
        {
            return id;
        }
        let mut ids = self.ids.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = ids.by_key.get(key) {
            return id;
        }
        let id = ids.keys.len() as SeriesId;
        ids.keys.push(Arc::new(key.clone()));
        ids.by_key.insert(key.clone(), id);
        id
    }

    /// The key of an id from [`Victoria::series_id`].
    pub fn series_key(&self, id: SeriesId) -> Option<SeriesKey> {
        self.ids
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys
            .get(id as usize)
            .map(|k| (**k).clone())
    }

    /// Samples by id (ids from [`Victoria::series_id`]).
    pub fn append(&self, samples: &[sonde_tsdb::Sample]) -> Result<(), VictoriaError> {
        let ids = self.ids.read().unwrap_or_else(|e| e.into_inner());
        let mut by_series: Vec<(Arc<SeriesKey>, Raw)> = Vec::new();
        let mut at: HashMap<SeriesId, usize> = HashMap::new();
        for s in samples {
            let key = ids.keys.get(s.series as usize).ok_or_else(|| {
                VictoriaError::BadQuery(format!("series id {} was never made", s.series))
            })?;
            let i = *at.entry(s.series).or_insert_with(|| {
                by_series.push((Arc::clone(key), Vec::new()));
                by_series.len() - 1
            });
            by_series[i].1.push((s.ts_ms, s.value));
        }
        drop(ids);
        self.write(by_series.iter().map(|(k, p)| (&**k, p.as_slice())))
    }

    /// Samples with their series' keys.
    pub fn append_keyed(&self, samples: &[(SeriesKey, i64, f64)]) -> Result<(), VictoriaError> {
        let mut by_series: Vec<(&SeriesKey, Vec<(i64, f64)>)> = Vec::new();
        let mut at: HashMap<&SeriesKey, usize> = HashMap::new();
        for (key, ts, v) in samples {
            let i = *at.entry(key).or_insert_with(|| {
                by_series.push((key, Vec::new()));
                by_series.len() - 1
            });
            by_series[i].1.push((*ts, *v));
        }
        self.write(by_series.iter().map(|(k, p)| (*k, p.as_slice())))
    }

    /// Sends series in write requests of at most [`MAX_WRITE_BYTES`].
    fn write<'a>(
        &self,
        series: impl Iterator<Item = (&'a SeriesKey, &'a [(i64, f64)])>,
    ) -> Result<(), VictoriaError> {
        let mut batch: Vec<Series> = Vec::new();
        let mut bytes = 0;
        for (key, points) in series {
            // Large series go in pieces, so no one request grows unbounded.
            for piece in points.chunks(100_000) {
                bytes += 64 + key.name.len() + piece.len() * 14;
                bytes += key
                    .labels
                    .iter()
                    .map(|(k, v)| k.len() + v.len() + 8)
                    .sum::<usize>();
                batch.push(Series {
                    name: key.name.clone(),
                    labels: key.labels.clone(),
                    samples: piece.to_vec(),
                });
                if bytes >= MAX_WRITE_BYTES {
                    self.post_write(&batch)?;
                    batch.clear();
                    bytes = 0;
                }
            }
        }
        if !batch.is_empty() {
            self.post_write(&batch)?;
        }
        Ok(())
    }

    fn post_write(&self, batch: &[Series]) -> Result<(), VictoriaError> {
        let body = snappy_encode(&encode(batch));
        self.client.expect_ok(
            "POST",
            "/api/v1/write",
            &[
                ("Content-Type", "application/x-protobuf"),
                ("Content-Encoding", "snappy"),
                ("X-Prometheus-Remote-Write-Version", "0.1.0"),
            ],
            &body,
        )?;
        Ok(())
    }

    /// Makes everything acknowledged so far visible to queries now
    /// (`/internal/force_flush`).
    pub fn flush(&self) -> Result<(), VictoriaError> {
        self.client
            .expect_ok("GET", "/internal/force_flush", &[], b"")?;
        Ok(())
    }

    /// A Prometheus API GET; its `data`.
    fn get(&self, path: &str) -> Result<serde_json::Value, VictoriaError> {
        let body = self.client.expect_ok("GET", path, &[], b"")?;
        let url = || format!("{}{}", self.url(), path.split('?').next().unwrap_or(path));
        let a: Answer = serde_json::from_slice(&body).map_err(|e| VictoriaError::BadAnswer {
            url: url(),
            reason: e.to_string(),
        })?;
        if a.status != "success" {
            return Err(VictoriaError::BadAnswer {
                url: url(),
                reason: a.error.unwrap_or(a.status),
            });
        }
        Ok(a.data.unwrap_or_default())
    }

    fn matrix(&self, path: &str) -> Result<Vec<MatrixSeries>, VictoriaError> {
        let data = self.get(path)?;
        let m: MatrixData = serde_json::from_value(data).map_err(|e| VictoriaError::BadAnswer {
            url: format!("{}{}", self.url(), path.split('?').next().unwrap_or(path)),
            reason: format!("not a matrix: {e}"),
        })?;
        Ok(m.result)
    }

    /// The engine's latency offset (at least 1 s, as it applies it).
    fn latency_ms(&self) -> i64 {
        if let Some(ms) = *self.latency_ms.read().unwrap_or_else(|e| e.into_inner()) {
            return ms;
        }
        let found = self
            .client
            .expect_ok("GET", "/metrics", &[], b"")
            .ok()
            .and_then(|body| {
                let text = String::from_utf8_lossy(&body).into_owned();
                let line = text
                    .lines()
                    .find(|l| l.starts_with("flag{name=\"search.latencyOffset\""))?
                    .to_string();
                let v = line.split("value=\"").nth(1)?.split('"').next()?;
                go_duration_ms(v)
            });
        match found {
            Some(ms) => {
                let ms = ms.max(1000);
                *self.latency_ms.write().unwrap_or_else(|e| e.into_inner()) = Some(ms);
                ms
            }
            None => DEFAULT_LATENCY_MS,
        }
    }

    fn key_of(metric: BTreeMap<String, String>) -> SeriesKey {
        let mut name = String::new();
        let mut labels = Vec::with_capacity(metric.len());
        for (k, v) in metric {
            if k == sonde_tsdb::NAME_LABEL {
                name = v;
            } else if k != AGG_LABEL {
                labels.push((k, v));
            }
        }
        let l: Vec<(&str, &str)> = labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        SeriesKey::new(name, &l)
    }

    /// Raw samples in `[start, end)` ms, per series.
    fn raw(
        &self,
        sel: &str,
        start: i64,
        end: i64,
    ) -> Result<BTreeMap<SeriesKey, Vec<(i64, f64)>>, VictoriaError> {
        let mut out = BTreeMap::new();
        if end <= start {
            return Ok(out);
        }
        // The window `(time - w, time]` at `time = end - 1` with
        // `w = end - start` is `[start, end)` in whole milliseconds.
        let query = format!("{sel}[{}ms]", end.saturating_sub(start));
        let path = format!(
            "/api/v1/query?query={}&time={}&nocache=1",
            query_escape(&query),
            secs(end.saturating_sub(1))
        );
        for s in self.matrix(&path)? {
            let mut points = Vec::with_capacity(s.values.len());
            for (t, v) in s.values {
                let ts = (t * 1000.0).round() as i64;
                if ts < start || ts >= end {
                    continue;
                }
                points.push((ts, v.parse::<f64>().unwrap_or(f64::NAN)));
            }
            points.sort_by_key(|p| p.0);
            out.entry(Self::key_of(s.metric))
                .or_insert_with(Vec::new)
                .extend(points);
        }
        Ok(out)
    }

    /// Whole buckets `[from, to)` (both multiples of `step`) from
    /// `query_range`: count, sum, min, max per bucket.
    fn buckets(
        &self,
        sel: &str,
        from: i64,
        to: i64,
        step: i64,
    ) -> Result<BTreeMap<SeriesKey, BTreeMap<i64, Bucket>>, VictoriaError> {
        let mut out: BTreeMap<SeriesKey, BTreeMap<i64, Bucket>> = BTreeMap::new();
        if to <= from {
            return Ok(out);
        }
        let agg = |f: &str| {
            format!(
                "label_set({f}_over_time({sel}[{step}ms]) keep_metric_names, \"{AGG_LABEL}\", \"{f}\")"
            )
        };
        let query = format!(
            "union({}, {}, {}, {})",
            agg("count"),
            agg("sum"),
            agg("min"),
            agg("max")
        );
        // Evaluated at each bucket's last millisecond: window `[ts, ts+step)`.
        let path = format!(
            "/api/v1/query_range?query={}&start={}&end={}&step={}&nocache=1",
            query_escape(&query),
            secs(from.saturating_add(step - 1)),
            secs(to.saturating_sub(1)),
            secs(step)
        );
        for s in self.matrix(&path)? {
            let which = s.metric.get(AGG_LABEL).cloned().unwrap_or_default();
            let key = Self::key_of(s.metric);
            let series = out.entry(key).or_default();
            for (t, v) in s.values {
                let ts = ((t * 1000.0).round() as i64).saturating_add(1 - step);
                let v: f64 = v.parse().unwrap_or(f64::NAN);
                let b = series.entry(ts).or_insert(Bucket {
                    ts,
                    min: f64::NAN,
                    max: f64::NAN,
                    sum: 0.0,
                    count: 0,
                });
                match which.as_str() {
                    "count" => b.count = v as u64,
                    "sum" => b.sum = v,
                    "min" => b.min = v,
                    "max" => b.max = v,
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// Samples of the series matching `matchers` in `[start, end)` ms: raw
    /// (`step == 0`) or per-step buckets, as [`sonde_tsdb::Store::query_range`].
    pub fn query_range(
        &self,
        matchers: &[Matcher],
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Vec<SeriesPoints>, VictoriaError> {
        let sel = selector(matchers)?;
        let mut out: BTreeMap<SeriesKey, Points> = BTreeMap::new();
        if step <= 0 {
            for (key, points) in self.raw(&sel, start, end)? {
                out.insert(key, Points::Raw(points));
            }
        } else {
            // [start, a) partial, [a, c) whole buckets from the engine,
            // [c, end) too recent (or partial): folded here from raw samples.
            let up = |t: i64| {
                t.div_euclid(step)
                    .saturating_add(i64::from(t.rem_euclid(step) != 0))
                    .saturating_mul(step)
            };
            let down = |t: i64| t.div_euclid(step).saturating_mul(step);
            let a = up(start).min(end);
            let fresh = now_ms() - self.latency_ms().min(86_400_000) - CLOCK_SLACK_MS;
            let c = down(end.min(fresh)).max(a);
            let mut folded: BTreeMap<SeriesKey, BTreeMap<i64, Bucket>> =
                self.buckets(&sel, a, c, step)?;
            for (lo, hi) in [(start, a), (c, end)] {
                for (key, points) in self.raw(&sel, lo, hi)? {
                    let series = folded.entry(key).or_default();
                    for (ts, v) in points {
                        if v.is_nan() {
                            continue;
                        }
                        let b = down(ts);
                        let e = series.entry(b).or_insert(Bucket {
                            ts: b,
                            min: v,
                            max: v,
                            sum: 0.0,
                            count: 0,
                        });
                        e.min = e.min.min(v);
                        e.max = e.max.max(v);
                        e.sum += v;
                        e.count += 1;
                    }
                }
            }
            for (key, buckets) in folded {
                let b: Vec<Bucket> = buckets.into_values().filter(|b| b.count > 0).collect();
                if !b.is_empty() {
                    out.insert(key, Points::Buckets(b));
                }
            }
        }
        Ok(out
            .into_iter()
            .map(|(key, points)| SeriesPoints {
                id: self.series_id(&key),
                key,
                points,
            })
            .collect())
    }

    /// The series matching `matchers` with samples in the last
    /// `lookback_ms` (`/api/v1/series`).
    pub fn series(
        &self,
        matchers: &[Matcher],
        lookback_ms: i64,
    ) -> Result<Vec<SeriesKey>, VictoriaError> {
        let now = now_ms();
        let path = format!(
            "/api/v1/series?match[]={}&start={}&end={}",
            query_escape(&selector(matchers)?),
            secs(now - lookback_ms),
            secs(now + 1000)
        );
        let data = self.get(&path)?;
        let list: Vec<BTreeMap<String, String>> =
            serde_json::from_value(data).map_err(|e| VictoriaError::BadAnswer {
                url: format!("{}/api/v1/series", self.url()),
                reason: e.to_string(),
            })?;
        let mut keys: Vec<SeriesKey> = list.into_iter().map(Self::key_of).collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// Label names of the series with samples in the last `lookback_ms`.
    pub fn label_names(&self, lookback_ms: i64) -> Result<Vec<String>, VictoriaError> {
        let now = now_ms();
        let path = format!(
            "/api/v1/labels?start={}&end={}",
            secs(now - lookback_ms),
            secs(now + 1000)
        );
        let data = self.get(&path)?;
        serde_json::from_value(data).map_err(|e| VictoriaError::BadAnswer {
            url: format!("{}/api/v1/labels", self.url()),
            reason: e.to_string(),
        })
    }

    /// The newest sample of a series within the last `lookback_ms`: its
    /// value and time in one query (`last_over_time`, `tlast_over_time`).
    pub fn last_value(
        &self,
        key: &SeriesKey,
        lookback_ms: i64,
    ) -> Result<Option<(i64, f64)>, VictoriaError> {
        let mut m = vec![Matcher::name(&key.name)];
        m.extend(key.labels.iter().map(|(k, v)| Matcher::eq(k, v)));
        let sel = selector(&m)?;
        let agg = |f: &str, tag: &str| {
            format!(
                "label_set({f}({sel}[{lookback_ms}ms]) keep_metric_names, \"{AGG_LABEL}\", \"{tag}\")"
            )
        };
        let query = format!(
            "union({}, {})",
            agg("last_over_time", "v"),
            agg("tlast_over_time", "t")
        );
        let path = format!(
            "/api/v1/query?query={}&time={}&nocache=1",
            query_escape(&query),
            secs(now_ms() + 1000)
        );
        let data = self.get(&path)?;
        #[derive(serde::Deserialize)]
        struct Vector {
            result: Vec<Instant>,
        }
        #[derive(serde::Deserialize)]
        struct Instant {
            metric: BTreeMap<String, String>,
            value: (f64, String),
        }
        let v: Vector = serde_json::from_value(data).map_err(|e| VictoriaError::BadAnswer {
            url: format!("{}/api/v1/query", self.url()),
            reason: format!("not a vector: {e}"),
        })?;
        let (mut ts, mut value) = (None, None);
        for r in v.result {
            let which = r.metric.get(AGG_LABEL).cloned().unwrap_or_default();
            // The selector also matches series with more labels: only
            // this one counts.
            if Self::key_of(r.metric) != *key {
                continue;
            }
            let x: f64 = r.value.1.parse().unwrap_or(f64::NAN);
            match which.as_str() {
                "t" => ts = Some((x * 1000.0).round() as i64),
                "v" => value = Some(x),
                _ => {}
            }
        }
        Ok(ts.zip(value))
    }

    /// The values of `label` among series matching `matchers` that have
    /// samples in the last `lookback_ms`.
    pub fn label_values(
        &self,
        label: &str,
        matchers: &[Matcher],
        lookback_ms: i64,
    ) -> Result<Vec<String>, VictoriaError> {
        let now = now_ms();
        let mut path = format!(
            "/api/v1/label/{}/values?start={}&end={}",
            query_escape(label),
            secs(now - lookback_ms),
            secs(now + 1000)
        );
        if !matchers.is_empty() {
            path.push_str("&match[]=");
            path.push_str(&query_escape(&selector(matchers)?));
        }
        let data = self.get(&path)?;
        serde_json::from_value(data).map_err(|e| VictoriaError::BadAnswer {
            url: format!("{}/api/v1/label/{label}/values", self.url()),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_quote_names_and_values() {
        let m = [
            Matcher::name("cpu.user.percentage"),
            Matcher::eq("host", "a\"b\\c\nd"),
            Matcher::new("query", MatchOp::Regex, "SELECT .*").expect("regex"),
            Matcher::new("x", MatchOp::NotEqual, "").expect("ne"),
        ];
        assert_eq!(
            selector(&m).expect("ok"),
            r#"{__name__="cpu.user.percentage",host="a\"b\\c\nd",query=~"SELECT .*",x!=""}"#
        );
        assert!(selector(&[Matcher::eq("a-b", "x")]).is_err());
        assert!(selector(&[Matcher::eq("1a", "x")]).is_err());
    }

    #[test]
    fn times_and_durations() {
        assert_eq!(secs(1_700_000_000_123), "1700000000.123");
        assert_eq!(secs(59_999), "59.999");
        assert_eq!(secs(-1), "-0.001");
        assert_eq!(go_duration_ms("30s"), Some(30_000));
        assert_eq!(go_duration_ms("1m0s"), Some(60_000));
        assert_eq!(go_duration_ms("1.5s"), Some(1500));
        assert_eq!(go_duration_ms("500ms"), Some(500));
        assert_eq!(go_duration_ms("0s"), Some(0));
        assert_eq!(go_duration_ms("5x"), None);
    }
}
