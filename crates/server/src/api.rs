//! The agent API (`/api/v1/`, docs/agent-api.md), server side: keys checked,
//! bodies validated whole before anything is stored (a bad batch is refused
//! with a 4xx that says what is wrong, and nothing of it is kept), then
//! stored in one transaction.
//!
//! Host registration and specs, metric batches (into the time-series store,
//! each value a series named as posted with the label `host`), check reports,
//! graph definitions and metadata.

use crate::http::{Handler, Request, Response};
use crate::state::{CheckReport, KeyKind, State};

/// The server's API.
pub struct Api {
    pub state: State,
    /// The embedded store or VictoriaMetrics (`metrics.rs`).
    pub metrics: crate::metrics::Metrics,
    /// Series of text imports by their text (see `import`).
    pub series_cache: std::sync::RwLock<std::collections::HashMap<String, sonde_tsdb::SeriesId>>,
    /// Called with an incident's id when an alert opens it (`sonde up` fires
    /// its flight recorder from here, and attaches the capture).
    pub on_incident: std::sync::OnceLock<IncidentHook>,
    /// Where incident attachments are kept (`None`: nowhere, and attaching
    /// says so); see [`Api::with_artefacts`].
    pub artefacts: Option<crate::artefacts::Artefacts>,
}

/// What is told of a new incident.
pub type IncidentHook = Box<dyn Fn(i64) + Send + Sync>;

impl Api {
    /// An API over `state` and a metrics store (a `sonde_tsdb::Store`, or
    /// a `Metrics` chosen by configuration).
    pub fn new(state: State, metrics: impl Into<crate::metrics::Metrics>) -> Api {
        Api {
            state,
            metrics: metrics.into(),
            series_cache: Default::default(),
            on_incident: std::sync::OnceLock::new(),
            artefacts: None,
        }
    }

    /// The same API keeping incident attachments in `artefacts` (a builder,
    /// so `new`'s callers stay as they are).
    pub fn with_artefacts(mut self, artefacts: crate::artefacts::Artefacts) -> Api {
        self.artefacts = Some(artefacts);
        self
    }
}

/// How old a posted value may be: an agent delivers what it queued through
/// an outage (its queue holds days), up to the raw data's retention.
const MAX_AGE_SECS: i64 = 30 * 86_400;
/// How far ahead of the server's clock a value may be.
const MAX_AHEAD_SECS: i64 = 15 * 60;
/// Values per batch.
const MAX_BATCH: usize = 100_000;
/// Points in one query's answer.
const MAX_POINTS: usize = 5_000_000;

/// Labels a series may have, and a label value's length.
const MAX_LABELS: usize = 64;
const MAX_LABEL_VALUE: usize = 4096;

/// What is wrong with a series' labels (too many, a value too long).
fn label_limits(labels: &[(String, String)]) -> Option<String> {
    if labels.len() > MAX_LABELS {
        return Some(format!("{} labels; at most {MAX_LABELS}", labels.len()));
    }
    labels
        .iter()
        .find(|(_, v)| v.len() > MAX_LABEL_VALUE)
        .map(|(k, v)| {
            format!(
                "label {k}: a value of {} bytes; at most {MAX_LABEL_VALUE}",
                v.len()
            )
        })
}

/// Whether a metric name is one the API takes (`^[-a-zA-Z0-9_.]+$`, at most
/// 255 bytes).
pub fn valid_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A body as JSON, or the 400 that says why not.
fn json_body(req: &Request) -> Result<serde_json::Value, Response> {
    if req.body.is_empty() {
        return Err(Response::error(400, "the body is empty; send JSON"));
    }
    serde_json::from_slice(&req.body)
        .map_err(|e| Response::error(400, &format!("the body is not valid JSON: {e}")))
}

/// The longest host name taken.
const MAX_NAME: usize = 255;

impl Api {
    /// The key's kind, or the 401 that says what is wrong with it.
    pub(crate) fn key(&self, req: &Request) -> Result<KeyKind, Response> {
        // `X-Api-Key` (sonde's agents, Mackerel's), or a bearer token (what
        // Prometheus's remote write and most HTTP clients can send).
        let bearer = req
            .header("authorization")
            .and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(key) = req.header("x-api-key").or(bearer).filter(|k| !k.is_empty()) else {
            return Err(Response::error(
                401,
                "no X-Api-Key header (or Authorization: Bearer KEY)",
            ));
        };
        match self.state.key_kind(key) {
            Ok(Some(kind)) => Ok(kind),
            Ok(None) => Err(Response::error(401, "unknown API key")),
            Err(e) => Err(Response::error(e.status(), &e.to_string())),
        }
    }

    pub(crate) fn writer(&self, req: &Request) -> Result<(), Response> {
        if self.key(req)?.can_write() {
            Ok(())
        } else {
            Err(Response::error(
                403,
                "this key may only read; agents need a write key",
            ))
        }
    }

    fn register(&self, req: &Request) -> Result<Response, Response> {
        self.writer(req)?;
        let specs = json_body(req)?;
        let name = specs
            .get("name")
            .and_then(|n| n.as_str())
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| Response::error(400, "the host has no \"name\""))?;
        if name.len() > MAX_NAME {
            return Err(Response::error(
                400,
                &format!("the host name is longer than {MAX_NAME} bytes"),
            ));
        }
        let id = self
            .state
            .register_host(name, &specs, now())
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        Ok(Response::json(200, &serde_json::json!({ "id": id })))
    }

    fn known_host(&self, id: &str) -> Result<(), Response> {
        match self.state.touch_host(id, now()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Response::error(404, &format!("no host {id:?}"))),
            Err(e) => Err(Response::error(e.status(), &e.to_string())),
        }
    }

    fn host_call(&self, req: &Request, id: &str, rest: &str) -> Result<Response, Response> {
        if req.method == "GET" {
            self.key(req)?;
        } else {
            self.writer(req)?;
        }
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        match (req.method.as_str(), rest) {
            ("GET", "") => match self.state.host(id).map_err(fail)? {
                Some(h) => Ok(Response::json(
                    200,
                    &serde_json::to_value(h).unwrap_or_default(),
                )),
                None => Err(Response::error(404, &format!("no host {id:?}"))),
            },
            ("GET", "checks") => Ok(Response::json(
                200,
                &serde_json::json!({
                    "checks": serde_json::to_value(self.state.checks(id).map_err(fail)?).unwrap_or_default()
                }),
            )),
            ("GET", "graph-defs") => Ok(Response::json(
                200,
                &serde_json::Value::Array(self.state.graph_defs(id).map_err(fail)?),
            )),
            ("GET", rest) if rest.starts_with("metadata/") => {
                match self
                    .state
                    .metadata(id, &rest["metadata/".len()..])
                    .map_err(fail)?
                {
                    Some(v) => Ok(Response::json(200, &v)),
                    None => Err(Response::error(404, "no such metadata")),
                }
            }
            ("PUT", "") => {
                let specs = json_body(req)?;
                match self.state.update_host(id, &specs, now()) {
                    Ok(true) => Ok(Response::json(200, &serde_json::json!({ "id": id }))),
                    Ok(false) => Err(Response::error(404, &format!("no host {id:?}"))),
                    Err(e) => Err(Response::error(e.status(), &e.to_string())),
                }
            }
            ("POST", "metrics") => self.post_metrics(req, id),
            ("GET", "metrics") => self.get_metrics(req, id),
            ("POST", "checks") => {
                let body = json_body(req)?;
                let reports: Vec<CheckReport> = body
                    .get("reports")
                    .cloned()
                    .ok_or_else(|| Response::error(400, "no \"reports\" list"))
                    .and_then(|r| {
                        serde_json::from_value(r)
                            .map_err(|e| Response::error(400, &format!("\"reports\": {e}")))
                    })?;
                let t = now();
                for (i, r) in reports.iter().enumerate() {
                    if r.occurred_at < t - MAX_AGE_SECS || r.occurred_at > t + MAX_AHEAD_SECS {
                        return Err(Response::error(
                            400,
                            &format!(
                                "reports[{i}]: occurredAt {} is more than 30 days before or 15 minutes after the server's clock ({t})",
                                r.occurred_at
                            ),
                        ));
                    }
                    if !matches!(r.status.as_str(), "OK" | "WARNING" | "CRITICAL" | "UNKNOWN") {
                        return Err(Response::error(
                            400,
                            &format!(
                                "reports[{i}]: status {:?} is not OK, WARNING, CRITICAL or UNKNOWN",
                                r.status
                            ),
                        ));
                    }
                    if r.name.is_empty() || r.name.len() > MAX_NAME {
                        return Err(Response::error(
                            400,
                            &format!("reports[{i}]: a check needs a name of 1 to {MAX_NAME} bytes"),
                        ));
                    }
                }
                self.known_host(id)?;
                self.state
                    .record_checks(id, &reports)
                    .map_err(|e| Response::error(e.status(), &e.to_string()))?;
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "accepted": reports.len() }),
                ))
            }
            ("POST", "graph-defs") => {
                let body = json_body(req)?;
                let defs = body
                    .as_array()
                    .ok_or_else(|| Response::error(400, "graph definitions are a JSON list"))?;
                let mut named = Vec::with_capacity(defs.len());
                for (i, d) in defs.iter().enumerate() {
                    let name = d.get("name").and_then(|n| n.as_str()).ok_or_else(|| {
                        Response::error(
                            400,
                            &format!("[{i}]: a graph definition without a \"name\""),
                        )
                    })?;
                    if d.get("metrics").and_then(|m| m.as_array()).is_none() {
                        return Err(Response::error(
                            400,
                            &format!("[{i}] {name:?}: no \"metrics\" list"),
                        ));
                    }
                    named.push((name.to_string(), d.clone()));
                }
                self.known_host(id)?;
                self.state
                    .put_graph_defs(id, &named)
                    .map_err(|e| Response::error(e.status(), &e.to_string()))?;
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "accepted": named.len() }),
                ))
            }
            ("PUT", rest) if rest.starts_with("metadata/") => {
                let ns = &rest["metadata/".len()..];
                if ns.is_empty() || ns.contains('/') || ns.len() > MAX_NAME {
                    return Err(Response::error(
                        400,
                        "a metadata namespace is one path segment",
                    ));
                }
                let v = json_body(req)?;
                self.known_host(id)?;
                self.state
                    .put_metadata(id, ns, &v)
                    .map_err(|e| Response::error(e.status(), &e.to_string()))?;
                Ok(Response::json(200, &serde_json::json!({})))
            }
            (_, "" | "checks" | "graph-defs") => {
                Err(Response::error(405, "method not allowed here"))
            }
            _ => Err(Response::error(404, "no such endpoint")),
        }
    }

    /// A metric batch: every value checked first (name, finite number, time
    /// within range); one bad value refuses the batch, naming it. Durable
    /// (in the store's write-ahead log) before the 200.
    fn post_metrics(&self, req: &Request, id: &str) -> Result<Response, Response> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Batch {
            metrics: Vec<Value>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Value {
            name: String,
            time: i64,
            value: f64,
        }
        if req.body.is_empty() {
            return Err(Response::error(400, "the body is empty; send JSON"));
        }
        let batch: Batch = serde_json::from_slice(&req.body)
            .map_err(|e| Response::error(400, &format!("not a metric batch: {e}")))?;
        if batch.metrics.len() > MAX_BATCH {
            return Err(Response::error(
                413,
                &format!(
                    "{} values in one batch; at most {MAX_BATCH}",
                    batch.metrics.len()
                ),
            ));
        }
        let t = now();
        for (i, m) in batch.metrics.iter().enumerate() {
            if !valid_metric_name(&m.name) {
                return Err(Response::error(
                    400,
                    &format!(
                        "metrics[{i}]: name {:?} is not 1 to {MAX_NAME} of [-a-zA-Z0-9_.]",
                        m.name
                    ),
                ));
            }
            if !m.value.is_finite() {
                return Err(Response::error(
                    400,
                    &format!("metrics[{i}] {}: the value is not a finite number", m.name),
                ));
            }
            if m.time < t - MAX_AGE_SECS || m.time > t + MAX_AHEAD_SECS {
                return Err(Response::error(
                    400,
                    &format!(
                        "metrics[{i}] {}: time {} is more than 30 days before or 15 minutes after the server's clock ({t})",
                        m.name, m.time
                    ),
                ));
            }
        }
        self.known_host(id)?;
        let keyed: Vec<(sonde_tsdb::SeriesKey, i64, f64)> = batch
            .metrics
            .iter()
            .map(|m| {
                (
                    sonde_tsdb::SeriesKey::new(m.name.clone(), &[("host", id)]),
                    m.time * 1000,
                    m.value,
                )
            })
            .collect();
        self.metrics.append_keyed(&keyed).map_err(|e| {
            // Not stored: the agent keeps the batch and tries again.
            Response::error(503, &format!("the metrics store refused the batch: {e}"))
        })?;
        Ok(Response::json(
            200,
            &serde_json::json!({ "accepted": keyed.len() }),
        ))
    }

    /// `GET /api/v1/hosts/ID/metrics?name=N&from=S&to=S[&step=S]`: a host's
    /// series named N (a regular expression) between two epoch seconds; raw
    /// points, or per-step averages.
    fn get_metrics(&self, req: &Request, id: &str) -> Result<Response, Response> {
        let name = req
            .param("name")
            .ok_or_else(|| Response::error(400, "no name= parameter"))?;
        let matchers = vec![
            sonde_tsdb::Matcher::new(sonde_tsdb::NAME_LABEL, sonde_tsdb::MatchOp::Regex, &name)
                .map_err(|e| Response::error(400, &e.to_string()))?,
            sonde_tsdb::Matcher::eq("host", id),
        ];
        self.series_json(req, &matchers)
    }

    /// The series matching `matchers` between `from` and `to` (epoch
    /// seconds; the last hour by default), raw or per `step` seconds.
    fn series_json(
        &self,
        req: &Request,
        matchers: &[sonde_tsdb::Matcher],
    ) -> Result<Response, Response> {
        let num = |p: &str, default: i64| -> Result<i64, Response> {
            match req.param(p) {
                Some(v) => v
                    .parse()
                    .map_err(|_| Response::error(400, &format!("{p}={v:?} is not a number"))),
                None => Ok(default),
            }
        };
        let t = now();
        let (from, to, step) = (num("from", t - 3600)?, num("to", t + 1)?, num("step", 0)?);
        let ms = |v: i64, p: &str| {
            v.checked_mul(1000)
                .ok_or_else(|| Response::error(400, &format!("{p}={v} is out of range")))
        };
        let (from_ms, to_ms, step_ms) = (ms(from, "from")?, ms(to, "to")?, ms(step, "step")?);
        if step_ms < 0 {
            return Err(Response::error(400, "step is not negative"));
        }
        let series = self
            .metrics
            .query_range(matchers, from_ms, to_ms, step_ms)
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        let points: usize = series
            .iter()
            .map(|s| match &s.points {
                sonde_tsdb::Points::Raw(p) => p.len(),
                sonde_tsdb::Points::Buckets(b) => b.len(),
            })
            .sum();
        if points > MAX_POINTS {
            return Err(Response::error(
                413,
                &format!(
                    "{points} points in {} series; at most {MAX_POINTS}: narrow the range, the names or the labels, or give a step",
                    series.len()
                ),
            ));
        }
        // Written straight into the body (a dashboard's query is tens of
        // thousands of points; a JSON value per point would be most of the
        // cost).
        use std::fmt::Write as _;
        let mut out = String::with_capacity(64 + series.len() * 256);
        out.push_str("{\"series\":[");
        for (i, s) in series.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let labels: serde_json::Map<String, serde_json::Value> = s
                .key
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            let _ = write!(
                out,
                "{{\"name\":{},\"labels\":{},\"points\":[",
                serde_json::Value::String(s.key.name.clone()),
                serde_json::Value::Object(labels)
            );
            let mut point = |j: usize, ts: i64, v: f64| {
                if j > 0 {
                    out.push(',');
                }
                // itoa and ryu: `write!` with `{:?}` was a third of a dashboard
                // query's time.
                out.push('[');
                out.push_str(itoa::Buffer::new().format(ts / 1000));
                out.push(',');
                if v.is_finite() {
                    out.push_str(ryu::Buffer::new().format_finite(v));
                } else {
                    out.push_str("null");
                }
                out.push(']');
            };
            match s.points {
                sonde_tsdb::Points::Raw(p) => {
                    for (j, (ts, v)) in p.into_iter().enumerate() {
                        point(j, ts, v);
                    }
                }
                sonde_tsdb::Points::Buckets(b) => {
                    for (j, b) in b.into_iter().enumerate() {
                        point(j, b.ts, b.avg());
                    }
                }
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        Ok(Response::new(200, "application/json", out))
    }

    /// Prometheus remote write: a snappy protobuf `WriteRequest`; every
    /// series and sample checked before any is stored (label names as
    /// Prometheus allows them, times within 30 days back and 15 minutes
    /// ahead); 204 once durable. Values are kept as sent (NaN staleness
    /// markers included).
    fn remote_write(&self, req: &Request) -> Result<Response, Response> {
        self.writer(req)?;
        if req
            .header("content-encoding")
            .is_some_and(|e| !e.eq_ignore_ascii_case("snappy"))
        {
            return Err(Response::error(
                415,
                "remote write bodies are snappy-compressed (Content-Encoding: snappy)",
            ));
        }
        let raw =
            crate::remote_write::snappy_decode(&req.body).map_err(|e| Response::error(400, &e))?;
        let series = crate::remote_write::decode(&raw).map_err(|e| Response::error(400, &e))?;
        let t = now() * 1000;
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= MAX_NAME
                && l.bytes().enumerate().all(|(i, b)| {
                    b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())
                })
        };
        // Checked first, then each series made once (not a key per sample).
        let mut checked = Vec::with_capacity(series.len());
        for (i, s) in series.iter().enumerate() {
            if s.name.is_empty() || s.name.len() > MAX_NAME {
                return Err(Response::error(400, &format!("timeseries[{i}]: bad name")));
            }
            if let Some(e) = label_limits(&s.labels) {
                return Err(Response::error(
                    400,
                    &format!("timeseries[{i}] {}: {e}", s.name),
                ));
            }
            if let Some((l, _)) = s.labels.iter().find(|(l, _)| !label_ok(l)) {
                return Err(Response::error(
                    400,
                    &format!(
                        "timeseries[{i}] {}: label name {l:?} is not [a-zA-Z_][a-zA-Z0-9_]*",
                        s.name
                    ),
                ));
            }
            let labels: Vec<(&str, &str)> = s
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let key = sonde_tsdb::SeriesKey::new(s.name.clone(), &labels);
            for &(ts, _) in &s.samples {
                if ts < t - MAX_AGE_SECS * 1000 || ts > t + MAX_AHEAD_SECS * 1000 {
                    return Err(Response::error(
                        400,
                        &format!(
                            "timeseries[{i}] {}: timestamp {ts} ms is out of range",
                            s.name
                        ),
                    ));
                }
            }
            checked.push((key, &s.samples));
        }
        let mut samples = Vec::new();
        for (key, points) in checked {
            let id = self
                .metrics
                .series_id(&key)
                .map_err(|e| Response::error(503, &e.to_string()))?;
            samples.extend(points.iter().map(|&(ts, v)| sonde_tsdb::Sample {
                series: id,
                ts_ms: ts,
                value: v,
            }));
        }
        self.metrics.append(&samples).map_err(|e| {
            Response::error(503, &format!("the metrics store refused the batch: {e}"))
        })?;
        Ok(Response::new(204, "text/plain", ""))
    }

    /// `POST /api/v1/import/prometheus`: Prometheus text lines with
    /// timestamps (the format VictoriaMetrics imports), checked whole, then
    /// stored; 204 once durable.
    fn import(&self, req: &Request) -> Result<Response, Response> {
        self.writer(req)?;
        let text = std::str::from_utf8(&req.body)
            .map_err(|e| Response::error(400, &format!("the body is not UTF-8: {e}")))?;
        let t = now() * 1000;
        // Series already seen are looked up by their text, so a known series
        // costs a hash lookup, not a parse and an index lookup. New series are
        // parsed in the first pass and made only after every line passed, so
        // a refused body leaves nothing behind.
        let cache = self.series_cache.read().unwrap_or_else(|e| e.into_inner());
        enum Series<'a> {
            Known(sonde_tsdb::SeriesId),
            New(&'a str, sonde_tsdb::SeriesKey),
        }
        let mut lines = Vec::with_capacity(text.len() / 48);
        for (n, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let bad = |e: String| Response::error(400, &format!("line {}: {e}", n + 1));
            let (series, value, ts) = crate::import::split_line(l).map_err(bad)?;
            let ts = ts.unwrap_or(t);
            if ts < t - MAX_AGE_SECS * 1000 || ts > t + MAX_AHEAD_SECS * 1000 {
                return Err(bad(format!("timestamp {ts} ms is out of range")));
            }
            let s = match cache.get(series) {
                Some(id) => Series::Known(*id),
                None => {
                    let (name, labels, _, _) =
                        crate::import::parse_line(&format!("{series} 0")).map_err(bad)?;
                    if let Some(e) = label_limits(&labels) {
                        return Err(bad(e));
                    }
                    let l: Vec<(&str, &str)> = labels
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    Series::New(series, sonde_tsdb::SeriesKey::new(name, &l))
                }
            };
            lines.push((s, ts, value));
        }
        drop(cache);
        let mut cache = None;
        let mut samples = Vec::with_capacity(lines.len());
        for (s, ts, value) in lines {
            let id = match s {
                Series::Known(id) => id,
                Series::New(text, key) => {
                    let id = self
                        .metrics
                        .series_id(&key)
                        .map_err(|e| Response::error(503, &e.to_string()))?;
                    let c = cache.get_or_insert_with(|| {
                        self.series_cache.write().unwrap_or_else(|e| e.into_inner())
                    });
                    if c.len() > 1_000_000 {
                        c.clear();
                    }
                    c.insert(text.to_string(), id);
                    id
                }
            };
            samples.push(sonde_tsdb::Sample {
                series: id,
                ts_ms: ts,
                value,
            });
        }
        drop(cache);
        self.metrics.append(&samples).map_err(|e| {
            Response::error(503, &format!("the metrics store refused the batch: {e}"))
        })?;
        Ok(Response::new(204, "text/plain", ""))
    }

    /// `POST /api/v1/admin/flush`: writes the store's recent data to its
    /// blocks now (for measuring bytes per sample, and before backups); with
    /// VictoriaMetrics, makes what it acknowledged visible to queries now.
    fn flush(&self, req: &Request) -> Result<Response, Response> {
        self.admin(req)?;
        self.metrics
            .flush()
            .map_err(|e| Response::error(e.status().max(500), &e.to_string()))?;
        Ok(Response::json(
            200,
            &match self.metrics.disk_usage() {
                Some(u) => {
                    serde_json::json!({ "blocks": u.blocks, "rollups": u.rollups, "wal": u.wal })
                }
                // VictoriaMetrics measures its own (its /metrics).
                None => serde_json::json!({ "store": self.metrics.describe() }),
            },
        ))
    }

    /// `GET /api/v1/metrics?name=REGEX[&from=S&to=S&step=S][&label.K=V...]`:
    /// any series by name and labels.
    fn query(&self, req: &Request) -> Result<Response, Response> {
        self.key(req)?;
        let name = req
            .param("name")
            .ok_or_else(|| Response::error(400, "no name= parameter"))?;
        let mut matchers = vec![
            sonde_tsdb::Matcher::new(sonde_tsdb::NAME_LABEL, sonde_tsdb::MatchOp::Regex, &name)
                .map_err(|e| Response::error(400, &e.to_string()))?,
        ];
        for kv in req.query.split('&') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            if let Some(label) = crate::http::percent_decode(k).strip_prefix("label.") {
                matchers.push(sonde_tsdb::Matcher::eq(
                    label,
                    &crate::http::percent_decode(v),
                ));
            }
        }
        self.series_json(req, &matchers)
    }

    fn admin(&self, req: &Request) -> Result<(), Response> {
        if self.key(req)? == KeyKind::Admin {
            Ok(())
        } else {
            Err(Response::error(
                403,
                "monitors and silences need an admin key",
            ))
        }
    }

    /// `/api/v1/monitors[/ID]`: list (any key), create, replace, delete
    /// (admin).
    fn monitors(&self, req: &Request, id: Option<&str>) -> Result<Response, Response> {
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        let id = match id {
            Some(i) => Some(
                i.parse::<i64>()
                    .map_err(|_| Response::error(404, &format!("no monitor {i:?}")))?,
            ),
            None => None,
        };
        match (req.method.as_str(), id) {
            ("GET", None) => {
                self.key(req)?;
                let list: Vec<serde_json::Value> = self
                    .state
                    .monitors()
                    .map_err(fail)?
                    .into_iter()
                    .map(|(id, mut d)| {
                        d["id"] = id.into();
                        d
                    })
                    .collect();
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "monitors": list }),
                ))
            }
            ("POST", None) | ("PUT", Some(_)) => {
                self.admin(req)?;
                let mut v = json_body(req)?;
                let m = crate::monitor::Monitor::parse(&v).map_err(|e| Response::error(400, &e))?;
                if let Some(id) = id
                    && !self.state.monitor_exists(id).map_err(fail)?
                {
                    return Err(Response::error(404, &format!("no monitor {id}")));
                }
                if let Some(o) = v.as_object_mut() {
                    o.remove("id");
                }
                let new = self.state.put_monitor(id, &v).map_err(fail)?;
                let mut out = serde_json::to_value(&m).unwrap_or_default();
                out["id"] = new.into();
                Ok(Response::json(if id.is_some() { 200 } else { 201 }, &out))
            }
            ("DELETE", Some(id)) => {
                self.admin(req)?;
                if self.state.delete_monitor(id, now()).map_err(fail)? {
                    Ok(Response::new(204, "text/plain", ""))
                } else {
                    Err(Response::error(404, &format!("no monitor {id}")))
                }
            }
            _ => Err(Response::error(405, "method not allowed here")),
        }
    }

    /// `GET /api/v1/alerts[?all=1]`: open alerts (or the last 1000), each with
    /// its changes and whether a silence mutes it.
    fn alerts(&self, req: &Request) -> Result<Response, Response> {
        self.key(req)?;
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        let all = req.param("all").is_some_and(|v| v == "1" || v == "true");
        let alerts = self.state.alerts(!all, now()).map_err(fail)?;
        let mut out = Vec::with_capacity(alerts.len());
        for a in alerts {
            let events = self.state.alert_events(a.id).map_err(fail)?;
            let mut v = serde_json::to_value(&a).unwrap_or_default();
            v["events"] = events
                .into_iter()
                .map(|(at, status, message)| serde_json::json!({"at": at, "status": status, "message": message}))
                .collect();
            out.push(v);
        }
        Ok(Response::json(200, &serde_json::json!({ "alerts": out })))
    }

    /// `/api/v1/silences`: list those in force (any key), add one (admin).
    fn silences(&self, req: &Request) -> Result<Response, Response> {
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        match req.method.as_str() {
            "GET" => {
                self.key(req)?;
                let list = self.state.silences(now()).map_err(fail)?;
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "silences": serde_json::to_value(list).unwrap_or_default() }),
                ))
            }
            "POST" => {
                self.admin(req)?;
                let s: crate::state::Silence = serde_json::from_slice(&req.body)
                    .map_err(|e| Response::error(400, &format!("not a silence: {e}")))?;
                if s.ends_at <= s.starts_at {
                    return Err(Response::error(400, "ends_at must be after starts_at"));
                }
                let id = self.state.add_silence(&s).map_err(fail)?;
                Ok(Response::json(201, &serde_json::json!({ "id": id })))
            }
            _ => Err(Response::error(405, "method not allowed here")),
        }
    }

    /// `/api/v1/channels`: list (admin; they hold addresses and passwords),
    /// add one (admin).
    fn channels(&self, req: &Request) -> Result<Response, Response> {
        self.admin(req)?;
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        match req.method.as_str() {
            "GET" => {
                let list: Vec<serde_json::Value> = self
                    .state
                    .channels()
                    .map_err(fail)?
                    .into_iter()
                    .map(|(id, mut d)| {
                        d["id"] = id.into();
                        if d.get("password").is_some() {
                            d["password"] = "(set)".into();
                        }
                        d
                    })
                    .collect();
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "channels": list }),
                ))
            }
            "POST" => {
                let v = json_body(req)?;
                let c: crate::notify::Channel = serde_json::from_value(v.clone())
                    .map_err(|e| Response::error(400, &format!("not a channel: {e}")))?;
                if let Some(p) = c.problem() {
                    return Err(Response::error(400, &p));
                }
                let id = self.state.add_channel(&v).map_err(fail)?;
                Ok(Response::json(201, &serde_json::json!({ "id": id })))
            }
            _ => Err(Response::error(405, "method not allowed here")),
        }
    }

    /// `GET /api/v1/incidents` (with timelines), `POST
    /// /api/v1/incidents/ID/notes` `{"text": ...}`.
    fn incidents(&self, req: &Request, rest: &str) -> Result<Response, Response> {
        let fail = |e: crate::state::StateError| Response::error(e.status(), &e.to_string());
        match (req.method.as_str(), rest) {
            ("GET", "") => {
                self.key(req)?;
                let list = self.state.incidents().map_err(fail)?;
                Ok(Response::json(
                    200,
                    &serde_json::json!({ "incidents": serde_json::to_value(list).unwrap_or_default() }),
                ))
            }
            ("POST", r) if r.ends_with("/notes") => {
                self.writer(req)?;
                let id: i64 = r
                    .trim_end_matches("/notes")
                    .parse()
                    .map_err(|_| Response::error(404, "no such incident"))?;
                let v = json_body(req)?;
                let text = v
                    .get("text")
                    .and_then(|t| t.as_str())
                    .filter(|t| !t.trim().is_empty() && t.len() <= 10_000)
                    .ok_or_else(|| {
                        Response::error(400, "a note is {\"text\": \"1 to 10000 bytes\"}")
                    })?;
                if self
                    .state
                    .add_incident_event(id, "note", text, None, false, now())
                    .map_err(fail)?
                {
                    Ok(Response::json(201, &serde_json::json!({})))
                } else {
                    Err(Response::error(404, &format!("no incident {id}")))
                }
            }
            _ => Err(Response::error(404, "no such endpoint")),
        }
    }

    /// `GET /api/v1/notifications`: every delivery and its attempts.
    fn notifications(&self, req: &Request) -> Result<Response, Response> {
        self.admin(req)?;
        let log = self
            .state
            .notification_log()
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        let list: Vec<serde_json::Value> = log
            .into_iter()
            .map(|(id, channel, attempts, delivered, failed, error)| {
                serde_json::json!({"id": id, "channel_id": channel, "attempts": attempts,
                    "delivered_at": delivered, "failed_at": failed, "last_error": error})
            })
            .collect();
        Ok(Response::json(
            200,
            &serde_json::json!({ "notifications": list }),
        ))
    }

    fn list_hosts(&self, req: &Request) -> Result<Response, Response> {
        self.key(req)?;
        let hosts = self
            .state
            .hosts()
            .map_err(|e| Response::error(e.status(), &e.to_string()))?;
        Ok(Response::json(
            200,
            &serde_json::json!({ "hosts": serde_json::to_value(hosts).unwrap_or_default() }),
        ))
    }
}

impl Handler for Api {
    fn handle(&self, req: &Request) -> Response {
        let path = req.path.trim_end_matches('/');
        let result = match (req.method.as_str(), path) {
            ("POST", "/api/v1/hosts") => self.register(req),
            ("GET", "/api/v1/hosts") => self.list_hosts(req),
            ("POST", "/api/v1/write") => self.remote_write(req),
            ("POST", "/api/v1/import/prometheus") => self.import(req),
            ("POST", "/api/v1/admin/flush") => self.flush(req),
            ("GET", "/api/v1/metrics") => self.query(req),
            (_, "/api/v1/monitors") => self.monitors(req, None),
            (_, p) if p.starts_with("/api/v1/monitors/") => {
                self.monitors(req, Some(&p["/api/v1/monitors/".len()..]))
            }
            ("GET", "/api/v1/alerts") => self.alerts(req),
            (_, "/api/v1/silences") => self.silences(req),
            (_, "/api/v1/channels") => self.channels(req),
            ("GET", "/api/v1/notifications") => self.notifications(req),
            (_, "/api/v1/incidents") => self.incidents(req, ""),
            (_, p) if p.starts_with("/api/v1/incidents/") => {
                self.incidents(req, &p["/api/v1/incidents/".len()..])
            }
            (_, p) if p.starts_with("/api/v1/hosts/") => {
                let rest = &p["/api/v1/hosts/".len()..];
                let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
                self.host_call(req, id, rest)
            }
            _ => Err(Response::error(404, "no such endpoint")),
        };
        result.unwrap_or_else(|e| e)
    }

    // Incident attachments move as streams (crate::attachments).
    fn stream_limit(&self, head: &Request) -> Option<u64> {
        crate::attachments::stream_limit(head)
    }

    fn handle_stream(&self, req: &Request, body: &mut dyn std::io::Read) -> crate::http::Streamed {
        crate::attachments::handle(self, req, body)
    }
}
