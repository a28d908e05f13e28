//! Charts over any series, for the custom and service dashboards: a
//! *panel* is a metric name, label matchers and an optional aggregation by
//! a label (`avg by host`); its lines are the matching series, or one per
//! value of that label. The answer has the host page's shape
//! (`{from, to, step, graphs: [{title, unit, lines: [{label, points}]}]}`),
//! so one script draws them all.
//!
//! Parsing and aggregation are pure; [`answer`] is the one place that reads
//! the metrics store.

use std::collections::{BTreeMap, HashMap};

use sonde_tsdb::{MatchOp, Matcher};

use crate::http::{Request, Response};

/// Series drawn in one panel at most: past this the chart would be noise
/// and the answer large.
pub const MAX_SERIES: usize = 200;

/// How the series of one group are combined at each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Avg,
    Sum,
    Max,
    Min,
}

impl Agg {
    pub fn parse(s: &str) -> Option<Agg> {
        match s {
            "avg" => Some(Agg::Avg),
            "sum" => Some(Agg::Sum),
            "max" => Some(Agg::Max),
            "min" => Some(Agg::Min),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Avg => "avg",
            Agg::Sum => "sum",
            Agg::Max => "max",
            Agg::Min => "min",
        }
    }
}

/// One label condition, as written: `host=web-1`, `service!=db`,
/// `query=~"select.*"`, `code!~5..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    pub label: String,
    pub op: MatchOp,
    pub value: String,
}

impl LabelMatch {
    fn op_str(&self) -> &'static str {
        match self.op {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    /// Written back as parsed (values quoted when they hold a comma, a quote
    /// or spaces at either end).
    pub fn text(&self) -> String {
        let v = &self.value;
        let plain = !v.contains([',', '"', '\\']) && v.trim() == v && !v.is_empty();
        if plain {
            format!("{}{}{v}", self.label, self.op_str())
        } else {
            format!(
                "{}{}\"{}\"",
                self.label,
                self.op_str(),
                v.replace('\\', "\\\\").replace('"', "\\\"")
            )
        }
    }

    fn matcher(&self) -> Result<Matcher, String> {
        Matcher::new(&self.label, self.op, &self.value).map_err(|e| e.to_string())
    }
}

/// `k=v, k2!=v2, k3=~"re,with,commas"` into matchers. Values may be quoted
/// (`\"` and `\\` inside); label names are `[a-zA-Z_][a-zA-Z0-9_.-]*`.
pub fn parse_matchers(text: &str) -> Result<Vec<LabelMatch>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(rest.len());
        let label = &rest[..name_len];
        if label.is_empty() || label.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return Err(format!(
                "{:?}: a matcher is label=value (or !=, =~, !~)",
                rest.split(',').next().unwrap_or(rest).trim()
            ));
        }
        let after = rest[name_len..].trim_start();
        let (op, after) = if let Some(a) = after.strip_prefix("=~") {
            (MatchOp::Regex, a)
        } else if let Some(a) = after.strip_prefix("!~") {
            (MatchOp::NotRegex, a)
        } else if let Some(a) = after.strip_prefix("!=") {
            (MatchOp::NotEqual, a)
        } else if let Some(a) = after.strip_prefix('=') {
            (MatchOp::Equal, a)
        } else {
            return Err(format!("{label}: no =, !=, =~ or !~ after the label name"));
        };
        let after = after.trim_start();
        let (value, after) = if let Some(q) = after.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => v.push(e),
                        None => break,
                    },
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => v.push(c),
                }
            }
            let Some(end) = end else {
                return Err(format!("{label}: the quoted value has no closing quote"));
            };
            (v, &q[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            let v = after[..end].trim();
            // `a=b c=d` is two matchers with the comma forgotten far more
            // often than a value holding `=`; such a value can be quoted.
            if v.contains('=') {
                return Err(format!(
                    "{label}: {v:?}: separate matchers with commas (quote a value that holds \"=\")"
                ));
            }
            (v.to_string(), &after[end..])
        };
        let m = LabelMatch {
            label: label.to_string(),
            op,
            value,
        };
        // A regex that does not compile is found here, not at drawing.
        m.matcher().map_err(|e| format!("{label}: {e}"))?;
        out.push(m);
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if after.is_empty() => after,
            None => return Err(format!("{label}: expected a comma before {after:?}")),
        };
    }
    Ok(out)
}

/// Matchers written back as one line.
pub fn matchers_text(m: &[LabelMatch]) -> String {
    m.iter()
        .map(LabelMatch::text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One chart's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub metric: String,
    pub matchers: Vec<LabelMatch>,
    /// Combine the series of each value of `by` (all of them without one).
    pub agg: Option<Agg>,
    pub by: Option<String>,
    /// How values are shown (the host page's unit names).
    pub unit: String,
}

impl Panel {
    /// As stored in a dashboard's definition.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "title": self.title,
            "metric": self.metric,
            "matchers": self.matchers.iter().map(LabelMatch::text).collect::<Vec<_>>(),
            "aggregate": self.agg.map(Agg::as_str),
            "by": self.by,
            "unit": self.unit,
        })
    }

    /// From a stored definition, checked as a new one is.
    pub fn from_json(v: &serde_json::Value) -> Result<Panel, String> {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let matchers: Vec<String> = v
            .get("matchers")
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Panel::check(
            &s("title"),
            &s("metric"),
            &matchers.join(", "),
            &s("aggregate"),
            &s("by"),
            &s("unit"),
        )
    }

    /// A panel from its fields as a person typed them; the error names the
    /// field.
    pub fn check(
        title: &str,
        metric: &str,
        matchers: &str,
        agg: &str,
        by: &str,
        unit: &str,
    ) -> Result<Panel, String> {
        let metric = metric.trim();
        if !crate::api::valid_metric_name(metric) {
            return Err(format!(
                "metric {metric:?} is not 1 to 255 of [-a-zA-Z0-9_.]"
            ));
        }
        let matchers = parse_matchers(matchers)?;
        let agg = match agg.trim() {
            "" | "none" => None,
            a => Some(Agg::parse(a).ok_or_else(|| {
                format!("aggregation {a:?} is not one of none, avg, sum, max, min")
            })?),
        };
        let by = Some(by.trim().to_string()).filter(|b| !b.is_empty());
        if let Some(b) = &by {
            if agg.is_none() {
                return Err(format!(
                    "grouping by {b:?} needs an aggregation (avg, sum, max or min)"
                ));
            }
            if !b
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                return Err(format!("{b:?} is not a label name"));
            }
        }
        let unit = match unit.trim() {
            "" => "float",
            u @ ("float" | "integer" | "percentage" | "bytes" | "bytes/sec" | "iops") => u,
            u => {
                return Err(format!(
                    "unit {u:?} is not one of float, integer, percentage, bytes, bytes/sec, iops"
                ));
            }
        };
        let title = title.trim();
        if title.len() > 255 {
            return Err("a title is at most 255 bytes".into());
        }
        Ok(Panel {
            title: if title.is_empty() {
                default_title(metric, agg, by.as_deref())
            } else {
                title.to_string()
            },
            metric: metric.to_string(),
            matchers,
            agg,
            by,
            unit: unit.to_string(),
        })
    }
}

fn default_title(metric: &str, agg: Option<Agg>, by: Option<&str>) -> String {
    match (agg, by) {
        (Some(a), Some(b)) => format!("{} {metric} by {b}", a.as_str()),
        (Some(a), None) => format!("{} {metric}", a.as_str()),
        _ => metric.to_string(),
    }
}

/// `from=S&to=S` (epoch seconds; the last hour by default).
pub fn range(req: &Request, now: i64) -> Result<(i64, i64), Response> {
    let num = |p: &str, default: i64| -> Result<i64, Response> {
        match req.param(p) {
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| f as i64)
                .ok_or_else(|| Response::error(400, &format!("{p}={v:?} is not a number"))),
            None => Ok(default),
        }
    };
    let (from, to) = (num("from", now - 3600)?, num("to", now)?);
    if to <= from {
        return Err(Response::error(400, "to= must be after from="));
    }
    Ok((from, to))
}

/// The step for a span (seconds): raw points up to 6 hours unless series
/// are combined (they need common times: a minute), past that whole
/// 5 minutes making about 600 points, which the store answers from its
/// rollups.
pub fn step_for(span: i64, aggregated: bool) -> i64 {
    if span <= 6 * 3600 {
        if aggregated { 60 } else { 0 }
    } else {
        ((span / 600 + 299) / 300) * 300
    }
}

/// One series' points: its labels and `(second, value)`s.
pub type LabelledPoints = (Vec<(String, String)>, Vec<(i64, f64)>);

/// The lines of a panel from its series: one per series (labelled by the
/// labels its matchers leave open, a host by its name), or one per group
/// with the aggregation applied at each time. Pure.
pub fn lines(
    p: &Panel,
    series: &[LabelledPoints],
    host_names: &HashMap<String, String>,
) -> Vec<(String, Vec<(i64, f64)>)> {
    let shown = |k: &str, v: &str| -> String {
        if k == "host" {
            host_names.get(v).cloned().unwrap_or_else(|| v.to_string())
        } else {
            v.to_string()
        }
    };
    let Some(agg) = p.agg else {
        let fixed: Vec<&str> = p
            .matchers
            .iter()
            .filter(|m| m.op == MatchOp::Equal)
            .map(|m| m.label.as_str())
            .collect();
        let mut out: Vec<(String, Vec<(i64, f64)>)> = series
            .iter()
            .map(|(labels, pts)| {
                let open: Vec<String> = labels
                    .iter()
                    .filter(|(k, _)| !fixed.contains(&k.as_str()))
                    .map(|(k, v)| {
                        if labels.len() == 1 || k == "host" {
                            shown(k, v)
                        } else {
                            format!("{k}={}", shown(k, v))
                        }
                    })
                    .collect();
                let label = if open.is_empty() {
                    p.metric.clone()
                } else {
                    open.join(", ")
                };
                (label, pts.clone())
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        return out;
    };
    // Group, then combine per time.
    let mut groups: BTreeMap<String, BTreeMap<i64, Vec<f64>>> = BTreeMap::new();
    for (labels, pts) in series {
        let key = match &p.by {
            Some(b) => {
                let v = labels
                    .iter()
                    .find(|(k, _)| k == b)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                if v.is_empty() {
                    format!("(no {b})")
                } else {
                    shown(b, v)
                }
            }
            None => format!("{} {}", agg.as_str(), p.metric),
        };
        let g = groups.entry(key).or_default();
        for &(t, v) in pts {
            if v.is_finite() {
                g.entry(t).or_default().push(v);
            }
        }
    }
    groups
        .into_iter()
        .map(|(label, by_time)| {
            let pts = by_time
                .into_iter()
                .map(|(t, vs)| {
                    let v = match agg {
                        Agg::Sum => vs.iter().sum(),
                        Agg::Avg => vs.iter().sum::<f64>() / vs.len() as f64,
                        Agg::Max => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        Agg::Min => vs.iter().copied().fold(f64::INFINITY, f64::min),
                    };
                    (t, v)
                })
                .collect();
            (label, pts)
        })
        .collect()
}

/// Raw points one panel may draw before it is drawn from per-minute (or
/// coarser) averages.
pub const MAX_RAW_POINTS: usize = 100_000;

/// One panel's series over `[from, to]` (epoch seconds): raw with `step`
/// 0, else per-step buckets over the range widened to whole steps (which
/// the store answers from its rollups).
fn query(
    api: &crate::api::Api,
    matchers: &[Matcher],
    from: i64,
    to: i64,
    step: i64,
) -> Result<Vec<sonde_tsdb::SeriesPoints>, Response> {
    let (start, end) = if step == 0 {
        // The end is exclusive: the last second is taken too.
        (from * 1000, to * 1000 + 1)
    } else {
        (
            (from - from.rem_euclid(step)) * 1000,
            (to + (step - to.rem_euclid(step)) % step) * 1000,
        )
    };
    api.metrics
        .query_range(matchers, start, end, step * 1000)
        .map_err(|e| Response::error(500, &e.to_string()))
}

/// The charts' JSON for these panels over `[from, to]`. With `skip_empty`,
/// panels with no points are left out (a service page shows what its hosts
/// send; a custom dashboard shows every chart it was given).
pub fn answer(
    api: &crate::api::Api,
    panels: &[Panel],
    from: i64,
    to: i64,
    skip_empty: bool,
) -> Result<Response, Response> {
    let fail = |e: String| Response::error(500, &e);
    let host_names: HashMap<String, String> = api
        .state
        .hosts()
        .map_err(|e| fail(e.to_string()))?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();
    let any_agg = panels.iter().any(|p| p.agg.is_some());
    let span = to - from;
    // One step for the page, so every chart shares its time axis.
    let step = step_for(span, any_agg);
    let mut graphs = Vec::with_capacity(panels.len());
    for p in panels {
        let mut matchers = vec![Matcher::name(&p.metric)];
        for m in &p.matchers {
            matchers.push(m.matcher().map_err(|e| Response::error(400, &e))?);
        }
        let mut found = query(api, &matchers, from, to, step)?;
        // Raw points past the budget (a series sent every second, many
        // series): averages over whole minutes instead, as many as a chart
        // can show.
        let raw_points: usize = found
            .iter()
            .map(|s| match &s.points {
                sonde_tsdb::Points::Raw(p) => p.len(),
                sonde_tsdb::Points::Buckets(_) => 0,
            })
            .sum();
        if step == 0 && raw_points > MAX_RAW_POINTS {
            let coarse = (span / 600 + 59).max(60) / 60 * 60;
            found = query(api, &matchers, from, to, coarse)?;
        }
        let total = found.len();
        let series: Vec<LabelledPoints> = found
            .into_iter()
            .take(MAX_SERIES)
            .map(|s| {
                let pts = match s.points {
                    sonde_tsdb::Points::Raw(p) => {
                        p.into_iter().map(|(ts, v)| (ts / 1000, v)).collect()
                    }
                    sonde_tsdb::Points::Buckets(b) => {
                        b.into_iter().map(|b| (b.ts / 1000, b.avg())).collect()
                    }
                };
                (s.key.labels, pts)
            })
            .collect();
        let drawn = lines(p, &series, &host_names);
        if skip_empty && drawn.iter().all(|(_, pts)| pts.is_empty()) {
            continue;
        }
        let title = if total > MAX_SERIES {
            format!("{} (the first {MAX_SERIES} of {total} series)", p.title)
        } else {
            p.title.clone()
        };
        let lines: Vec<serde_json::Value> = drawn
            .into_iter()
            .map(|(label, pts)| {
                let pts: Vec<serde_json::Value> = pts
                    .into_iter()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(t, v)| serde_json::json!([t, v]))
                    .collect();
                serde_json::json!({"metric": p.metric, "label": label, "stacked": false, "points": pts})
            })
            .collect();
        graphs.push(serde_json::json!({"title": title, "unit": p.unit, "lines": lines}));
    }
    Ok(Response::json(
        200,
        &serde_json::json!({"from": from, "to": to, "step": step, "graphs": graphs}),
    )
    .with_header("Cache-Control", "no-store"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_parse_and_print_back() {
        let m = parse_matchers(r#"host=web-1, service != db ,query=~"select .*, x", code!~5.."#)
            .expect("parse");
        assert_eq!(m.len(), 4);
        assert_eq!(
            (m[0].label.as_str(), m[0].op, m[0].value.as_str()),
            ("host", MatchOp::Equal, "web-1")
        );
        assert_eq!((m[1].op, m[1].value.as_str()), (MatchOp::NotEqual, "db"));
        assert_eq!(
            (m[2].op, m[2].value.as_str()),
            (MatchOp::Regex, "select .*, x")
        );
        assert_eq!((m[3].op, m[3].value.as_str()), (MatchOp::NotRegex, "5.."));
        let text = matchers_text(&m);
        assert_eq!(
            text,
            r#"host=web-1, service!=db, query=~"select .*, x", code!~5.."#
        );
        assert_eq!(parse_matchers(&text).expect("again"), m);
        assert_eq!(parse_matchers("  ").expect("empty"), vec![]);
        for bad in [
            "=x",
            "host",
            "host=\"open",
            "a=b c=d",
            "9x=1",
            "q=~(",
            "a=b,,",
        ] {
            assert!(parse_matchers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matchers_never_panic_on_any_prefix() {
        // Every cut of inputs with multi-byte characters, quotes and escapes:
        // an answer (either) for each, no panic.
        for text in [
            r#"hôst=wéb-1, sérvice!="d\"b, é", q=~"ü.*\"#,
            "é=ü,ä!~ö,=\"\\,\"",
        ] {
            for (i, _) in text.char_indices() {
                let _ = parse_matchers(&text[..i]);
                let _ = parse_matchers(&text[i..]);
            }
        }
        let m = parse_matchers(r#"service="café, bar""#).expect("quoted");
        assert_eq!(m[0].value, "café, bar");
    }

    #[test]
    fn panels_are_checked_field_by_field() {
        let p = Panel::check(
            "",
            "cpu.user.percentage",
            "role=web",
            "avg",
            "host",
            "percentage",
        )
        .expect("panel");
        assert_eq!(p.title, "avg cpu.user.percentage by host");
        assert_eq!(Panel::from_json(&p.to_json()).expect("round trip"), p);
        let e = Panel::check("", "cpu user", "", "", "", "").expect_err("name");
        assert!(e.contains("cpu user"), "{e}");
        let e = Panel::check("", "x", "", "median", "", "").expect_err("agg");
        assert!(e.contains("median"), "{e}");
        let e = Panel::check("", "x", "", "", "host", "").expect_err("by without agg");
        assert!(e.contains("needs an aggregation"), "{e}");
        let e = Panel::check("", "x", "", "", "", "furlongs").expect_err("unit");
        assert!(e.contains("furlongs"), "{e}");
    }

    fn series(labels: &[(&str, &str)], pts: &[(i64, f64)]) -> LabelledPoints {
        (
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            pts.to_vec(),
        )
    }

    #[test]
    fn lines_one_per_series_or_aggregated_by_a_label() {
        let names = HashMap::from([("h1".to_string(), "web-1".to_string())]);
        let s = [
            series(&[("host", "h1"), ("role", "web")], &[(60, 1.0), (120, 3.0)]),
            series(&[("host", "h2"), ("role", "web")], &[(60, 3.0), (120, 5.0)]),
            series(
                &[("host", "h3"), ("role", "db")],
                &[(60, 10.0), (120, f64::NAN)],
            ),
        ];
        let plain = Panel::check("", "m", "role=web", "", "", "").expect("panel");
        let l = lines(&plain, &s[..2], &names);
        let labels: Vec<&str> = l.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["h2", "web-1"],
            "fixed labels left out, hosts by name"
        );
        for (agg, want_web, want_db) in [
            ("avg", [2.0, 4.0], 10.0),
            ("sum", [4.0, 8.0], 10.0),
            ("max", [3.0, 5.0], 10.0),
            ("min", [1.0, 3.0], 10.0),
        ] {
            let p = Panel::check("", "m", "", agg, "role", "").expect("panel");
            let l = lines(&p, &s, &names);
            assert_eq!(l.len(), 2, "{agg}");
            assert_eq!(l[0].0, "db");
            assert_eq!(l[0].1, vec![(60, want_db)], "{agg}: NaN left out");
            assert_eq!(l[1].0, "web");
            assert_eq!(l[1].1, vec![(60, want_web[0]), (120, want_web[1])], "{agg}");
        }
        let all = Panel::check("", "m", "", "sum", "", "").expect("panel");
        let l = lines(&all, &s, &names);
        assert_eq!(l, vec![("sum m".to_string(), vec![(60, 14.0), (120, 8.0)])]);
    }

    #[test]
    fn steps() {
        assert_eq!(step_for(3600, false), 0);
        assert_eq!(step_for(3600, true), 60);
        assert_eq!(step_for(86_400, false), 300);
        assert_eq!(step_for(7 * 86_400, true), 1200);
    }
}
