//! One table per plugin says which values it posts, under which graph, as
//! gauge or counter; the same table gives the meta output. So a name in
//! `graphs()` is always a name `fetch()` can post, and the other way round.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::Sample;

/// How a value is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// As read.
    Gauge,
    /// As a per-minute rate (the Go plugins' `Diff: true`).
    Counter,
}

/// One line of a graph.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// The last part of the metric name; `*` is a wildcard line that the
    /// plugin fills itself (one per database, replica...).
    pub name: &'static str,
    /// The line's label; `%1` in a wildcard line is the matched part.
    pub label: &'static str,
    /// Gauge or counter.
    pub kind: Kind,
    /// Stacked on the graph.
    pub stacked: bool,
}

/// A gauge line.
pub const fn gauge(name: &'static str, label: &'static str) -> Metric {
    Metric {
        name,
        label,
        kind: Kind::Gauge,
        stacked: false,
    }
}

/// A counter line.
pub const fn counter(name: &'static str, label: &'static str) -> Metric {
    Metric {
        name,
        label,
        kind: Kind::Counter,
        stacked: false,
    }
}

impl Metric {
    /// The same line, stacked on the graph.
    pub const fn stacked(self) -> Metric {
        Metric {
            stacked: true,
            ..self
        }
    }
}

/// One graph: posted as `<prefix>.<key>`, its metrics as
/// `<prefix>.<key>.<name>`.
#[derive(Debug, Clone, Copy)]
pub struct Graph {
    /// The graph's name after the plugin's prefix.
    pub key: &'static str,
    /// The label after the plugin's label prefix ("Redis " + "Queries").
    pub label: &'static str,
    /// A Mackerel unit: `integer`, `float`, `bytes`, `percentage`, ...
    pub unit: &'static str,
    /// Its lines.
    pub metrics: &'static [Metric],
}

/// A number read from a service: whole numbers stay exact (counters of
/// bytes pass 2^53 on a busy server).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A whole, non-negative number.
    Int(u64),
    /// Anything else that is a finite number.
    Float(f64),
}

impl Num {
    /// The number in `s`, if it is one.
    pub fn parse(s: &str) -> Option<Num> {
        let s = s.trim();
        if let Ok(i) = s.parse::<u64>() {
            return Some(Num::Int(i));
        }
        s.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Float)
    }

    /// The value as a float (exact below 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// As a counter: negative or fractional counters do not exist, so a
    /// float is truncated and a negative one is no counter.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Float(f) if f >= 0.0 && f < u64::MAX as f64 => Some(f as u64),
            Num::Float(_) => None,
        }
    }
}

/// What a fetch read, by metric name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats(pub HashMap<String, Num>);

impl Stats {
    /// Sets `name` to `v`.
    pub fn set(&mut self, name: impl Into<String>, v: Num) {
        self.0.insert(name.into(), v);
    }

    /// Sets `name` to a fractional value.
    pub fn set_f64(&mut self, name: impl Into<String>, v: f64) {
        self.set(name, Num::Float(v));
    }

    /// Sets `name` to a whole value.
    pub fn set_u64(&mut self, name: impl Into<String>, v: u64) {
        self.set(name, Num::Int(v));
    }

    /// Sets `name` from text when the text is a number; other text is not a
    /// metric (version strings, ON/OFF) and is skipped.
    pub fn set_text(&mut self, name: impl Into<String>, v: &str) {
        if let Some(n) = Num::parse(v) {
            self.set(name, n);
        }
    }

    /// `name`'s value as a float, if read.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.get(name).map(|n| n.as_f64())
    }
}

/// The samples `graphs` name that `stats` holds, as
/// `<prefix>.<graph>.<metric>`. Wildcard lines are the plugin's to add.
pub fn samples(prefix: &str, graphs: &[Graph], stats: &Stats) -> Vec<Sample> {
    let mut out = Vec::new();
    for g in graphs {
        for m in g.metrics {
            let Some(v) = stats.0.get(m.name) else {
                continue;
            };
            let name = format!("{prefix}.{}.{}", g.key, m.name);
            match m.kind {
                Kind::Gauge => out.push(Sample::gauge(name, v.as_f64())),
                Kind::Counter => {
                    if let Some(c) = v.as_u64() {
                        out.push(Sample::counter(name, c));
                    }
                }
            }
        }
    }
    out
}

/// The meta output for `graphs`: `{"graphs": {"<prefix>.<key>": ...}}`.
pub fn meta(prefix: &str, label_prefix: &str, graphs: &[Graph]) -> Value {
    let mut all = serde_json::Map::new();
    for g in graphs {
        let metrics: Vec<Value> = g
            .metrics
            .iter()
            .map(|m| json!({"name": m.name, "label": m.label, "stacked": m.stacked}))
            .collect();
        all.insert(
            format!("{prefix}.{}", g.key),
            json!({
                "label": format!("{label_prefix} {}", g.label),
                "unit": g.unit,
                "metrics": metrics,
            }),
        );
    }
    json!({ "graphs": all })
}

/// `redis` → `Redis`, as the Go plugins title their label prefix.
pub fn title(prefix: &str) -> String {
    let mut c = prefix.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A metric-name segment from free text (a database or replica name):
/// Mackerel takes `[-a-zA-Z0-9_]` only.
pub fn segment(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() { "_".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reading;

    const GRAPHS: &[Graph] = &[Graph {
        key: "q",
        label: "Queries",
        unit: "integer",
        metrics: &[counter("total", "Total"), gauge("now", "Now").stacked()],
    }];

    #[test]
    fn the_table_gives_both_samples_and_meta() {
        let mut st = Stats::default();
        st.set_text("total", "18446744073709551615");
        st.set_text("now", "2.5");
        st.set_text("other", "ON");
        let s = samples("p", GRAPHS, &st);
        assert_eq!(s[0].name, "p.q.total");
        assert_eq!(s[0].reading, Reading::Counter(u64::MAX));
        assert_eq!(s[1].reading, Reading::Gauge(2.5));
        let m = meta("p", "P", GRAPHS);
        assert_eq!(m["graphs"]["p.q"]["label"], "P Queries");
        assert_eq!(m["graphs"]["p.q"]["metrics"][1]["stacked"], true);
    }

    #[test]
    fn negative_counters_and_odd_names_are_handled() {
        let mut st = Stats::default();
        st.set_f64("total", -1.0);
        assert!(samples("p", GRAPHS, &st).is_empty());
        assert_eq!(segment("my db.1"), "my_db_1");
        assert_eq!(title("redis"), "Redis");
    }
}
