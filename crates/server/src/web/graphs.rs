//! Which charts a host page shows: the metric names a host has, sorted into
//! graphs. Plugins' graph definitions come first (their `#` and `*`
//! wildcards and `isStacked` flags honoured), then the built-in groups
//! (CPU stacked, load averages, memory, one graph per disk, interface and
//! filesystem, TCP), then whatever is left in a default graph per name
//! prefix. Every name lands in exactly one graph. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};

/// One chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Graph {
    pub title: String,
    /// Mackerel's unit names: `float`, `integer`, `percentage`, `bytes`,
    /// `bytes/sec`, `iops`.
    pub unit: String,
    pub lines: Vec<Line>,
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Line {
    pub metric: String,
    pub label: String,
    /// Drawn on top of the stacked lines before it.
    pub stacked: bool,
}

/// A segment matcher for a graph definition's metric name.
fn segments_match<'a>(pattern: &str, name: &'a str) -> Option<Vec<&'a str>> {
    let p: Vec<&str> = pattern.split('.').collect();
    let n: Vec<&str> = name.split('.').collect();
    if p.len() != n.len() {
        return None;
    }
    let mut hashes = Vec::new();
    for (ps, ns) in p.iter().zip(&n) {
        match *ps {
            "#" => hashes.push(*ns),
            "*" => {}
            lit if lit == *ns => {}
            _ => return None,
        }
    }
    Some(hashes)
}

/// The charts for these metric names (sorted, each once) and graph
/// definitions (as agents post them, docs/agent-api.md).
pub fn build(names: &[String], defs: &[serde_json::Value]) -> Vec<Graph> {
    let mut left: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for def in defs {
        out.extend(from_definition(def, &mut left));
    }
    out.extend(builtin(&mut left));
    // The rest: custom metrics by their name without the last segment,
    // others by their first segment.
    let mut rest: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for name in &left {
        let prefix = if name.starts_with("custom.") {
            name.rsplit_once('.').map_or(*name, |(p, _)| p)
        } else {
            name.split('.').next().unwrap_or(name)
        };
        rest.entry(prefix.to_string()).or_default().push(name);
    }
    for (prefix, names) in rest {
        out.push(Graph {
            title: prefix.clone(),
            unit: "float".into(),
            lines: names
                .iter()
                .map(|n| Line {
                    metric: n.to_string(),
                    label: n
                        .strip_prefix(prefix.as_str())
                        .map(|s| s.trim_start_matches('.'))
                        .filter(|s| !s.is_empty())
                        .unwrap_or(n)
                        .to_string(),
                    stacked: false,
                })
                .collect(),
        });
    }
    out
}

/// A plugin's graph: one chart per value of its `#` segments, a line per
/// metric that matches (each `*` a line per value).
fn from_definition(def: &serde_json::Value, left: &mut BTreeSet<&str>) -> Vec<Graph> {
    let Some(graph_name) = def.get("name").and_then(|v| v.as_str()) else {
        return Vec::new();
    };
    let display = def
        .get("displayName")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or(graph_name);
    let unit = def
        .get("unit")
        .and_then(|v| v.as_str())
        .unwrap_or("float")
        .to_string();
    let metrics = def
        .get("metrics")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    // Keyed by the `#` values, in the order first seen.
    let mut graphs: BTreeMap<Vec<String>, Vec<Line>> = BTreeMap::new();
    for m in &metrics {
        let Some(pattern) = m.get("name").and_then(|v| v.as_str()) else {
            continue;
        };
        let stacked = m
            .get("isStacked")
            .or_else(|| m.get("stacked"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let label = m
            .get("displayName")
            .or_else(|| m.get("label"))
            .and_then(|v| v.as_str())
            .unwrap_or("");
        // A `*` is a line per value: the label names the value.
        let wild = pattern.contains('*');
        let taken: Vec<&str> = left
            .iter()
            .copied()
            .filter(|n| segments_match(pattern, n).is_some())
            .collect();
        for name in taken {
            left.remove(name);
            let hashes: Vec<String> = segments_match(pattern, name)
                .unwrap_or_default()
                .into_iter()
                .map(String::from)
                .collect();
            let label = if label.is_empty() || wild {
                // The name past the graph's own segments.
                let skip = graph_name.split('.').count();
                let tail: Vec<&str> = name.split('.').skip(skip).collect();
                if tail.is_empty() {
                    name.to_string()
                } else {
                    tail.join(".")
                }
            } else {
                label.to_string()
            };
            graphs.entry(hashes).or_default().push(Line {
                metric: name.to_string(),
                label,
                stacked,
            });
        }
    }
    graphs
        .into_iter()
        .map(|(hashes, lines)| Graph {
            title: if hashes.is_empty() {
                display.to_string()
            } else {
                format!("{display} ({})", hashes.join(", "))
            },
            unit: unit.clone(),
            lines,
        })
        .collect()
}

/// The agent's own collectors' groups.
fn builtin(left: &mut BTreeSet<&str>) -> Vec<Graph> {
    let mut out = Vec::new();
    let mut take = |title: String,
                    unit: &str,
                    stacked: bool,
                    names: Vec<&str>,
                    label: &dyn Fn(&str) -> String| {
        if names.is_empty() {
            return;
        }
        out.push(Graph {
            title,
            unit: unit.into(),
            lines: names
                .iter()
                .map(|n| Line {
                    metric: n.to_string(),
                    label: label(n),
                    stacked,
                })
                .collect(),
        });
    };
    // CPU: the modes stacked, in the order top shows them.
    let cpu_order = [
        "user", "nice", "system", "iowait", "irq", "softirq", "steal", "guest", "idle",
    ];
    let mut cpu: Vec<&str> = left
        .iter()
        .copied()
        .filter(|n| {
            n.starts_with("cpu.") && n.ends_with(".percentage") && n.matches('.').count() == 2
        })
        .collect();
    cpu.sort_by_key(|n| {
        let mode = n.split('.').nth(1).unwrap_or("");
        cpu_order
            .iter()
            .position(|m| *m == mode)
            .unwrap_or(cpu_order.len())
    });
    remove(left, &cpu);
    take("CPU".into(), "percentage", true, cpu, &|n| {
        n.split('.').nth(1).unwrap_or(n).to_string()
    });

    let load: Vec<&str> = ["loadavg1", "loadavg5", "loadavg15"]
        .into_iter()
        .filter_map(|n| left.get(n).copied())
        .collect();
    remove(left, &load);
    take("Load average".into(), "float", false, load, &|n| {
        n.to_string()
    });

    let memory: Vec<&str> = left
        .iter()
        .copied()
        .filter(|n| n.starts_with("memory.") && n.matches('.').count() == 1)
        .collect();
    remove(left, &memory);
    take("Memory".into(), "bytes", false, memory, &|n| {
        n["memory.".len()..].to_string()
    });

    for (prefix, title, unit) in [
        ("disk.", "Disk", "iops"),
        ("interface.", "Interface", "bytes/sec"),
        ("filesystem.", "Filesystem", "bytes"),
    ] {
        // One graph per device: `prefix.<dev>.<what>[.delta]`.
        let mut by_dev: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for n in left.iter().copied().filter(|n| n.starts_with(prefix)) {
            let rest = &n[prefix.len()..];
            if let Some((dev, _)) = rest.split_once('.') {
                by_dev.entry(dev).or_default().push(n);
            }
        }
        for (dev, names) in by_dev {
            remove(left, &names);
            let cut = prefix.len() + dev.len() + 1;
            take(format!("{title} {dev}"), unit, false, names, &|n| {
                n.get(cut..).unwrap_or(n).to_string()
            });
        }
    }

    let states: Vec<&str> = left
        .iter()
        .copied()
        .filter(|n| n.starts_with("tcp.state."))
        .collect();
    remove(left, &states);
    take("TCP connections".into(), "integer", true, states, &|n| {
        n["tcp.state.".len()..].to_string()
    });
    let listen: Vec<&str> = left
        .iter()
        .copied()
        .filter(|n| n.starts_with("tcp.listen."))
        .collect();
    remove(left, &listen);
    take("TCP listen queues".into(), "integer", false, listen, &|n| {
        n["tcp.listen.".len()..].to_string()
    });
    out
}

fn remove<'a>(left: &mut BTreeSet<&'a str>, names: &[&'a str]) {
    for n in names {
        left.remove(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    fn titles(g: &[Graph]) -> Vec<&str> {
        g.iter().map(|g| g.title.as_str()).collect()
    }

    #[test]
    fn builtin_groups_and_defaults() {
        let g = build(
            &names(&[
                "cpu.idle.percentage",
                "cpu.user.percentage",
                "cpu.system.percentage",
                "loadavg1",
                "loadavg15",
                "loadavg5",
                "memory.total",
                "memory.used",
                "disk.sda.reads.delta",
                "disk.sda.writes.delta",
                "disk.vdb.reads.delta",
                "interface.eth0.rxBytes.delta",
                "filesystem.sda1.size",
                "tcp.state.ESTABLISHED",
                "tcp.listen.80.queue",
                "custom.foo.bar.a",
                "custom.foo.bar.b",
                "other.x",
            ]),
            &[],
        );
        assert_eq!(
            titles(&g),
            [
                "CPU",
                "Load average",
                "Memory",
                "Disk sda",
                "Disk vdb",
                "Interface eth0",
                "Filesystem sda1",
                "TCP connections",
                "TCP listen queues",
                "custom.foo.bar",
                "other"
            ]
        );
        let cpu = &g[0];
        assert_eq!(cpu.unit, "percentage");
        assert!(cpu.lines.iter().all(|l| l.stacked));
        let labels: Vec<&str> = cpu.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["user", "system", "idle"]);
        let load: Vec<&str> = g[1].lines.iter().map(|l| l.metric.as_str()).collect();
        assert_eq!(load, ["loadavg1", "loadavg5", "loadavg15"]);
        assert_eq!(g[3].lines[0].label, "reads.delta");
        assert_eq!(g[9].lines.len(), 2);
        assert_eq!(g[9].lines[0].label, "a");
    }

    #[test]
    fn definitions_with_wildcards_and_stacking() {
        let defs = [
            serde_json::json!({
                "name": "custom.mysql.cmd", "displayName": "MySQL Command", "unit": "float",
                "metrics": [
                    {"name": "custom.mysql.cmd.Com_select", "displayName": "Select", "isStacked": true},
                    {"name": "custom.mysql.cmd.*", "displayName": "", "isStacked": false}
                ]
            }),
            serde_json::json!({
                "name": "custom.disk.#", "displayName": "Disk IO", "unit": "iops",
                "metrics": [{"name": "custom.disk.#.read", "displayName": "read"},
                            {"name": "custom.disk.#.write", "displayName": "write", "isStacked": true}]
            }),
        ];
        let g = build(
            &names(&[
                "custom.mysql.cmd.Com_select",
                "custom.mysql.cmd.Com_insert",
                "custom.disk.sda.read",
                "custom.disk.sda.write",
                "custom.disk.sdb.read",
                "custom.unknown.x",
            ]),
            &defs,
        );
        assert_eq!(
            titles(&g),
            [
                "MySQL Command",
                "Disk IO (sda)",
                "Disk IO (sdb)",
                "custom.unknown"
            ]
        );
        let mysql = &g[0];
        assert_eq!(mysql.lines.len(), 2);
        assert_eq!(mysql.lines[0].label, "Select");
        assert!(mysql.lines[0].stacked);
        assert_eq!(mysql.lines[1].metric, "custom.mysql.cmd.Com_insert");
        assert_eq!(mysql.lines[1].label, "Com_insert");
        assert!(!mysql.lines[1].stacked);
        assert_eq!(g[1].unit, "iops");
        assert_eq!(g[1].lines.len(), 2);
        assert!(g[1].lines[1].stacked && !g[1].lines[0].stacked);
        assert_eq!(g[1].lines[0].label, "read");
        assert_eq!(g[2].lines.len(), 1);
        // Every name in exactly one graph.
        let total: usize = g.iter().map(|g| g.lines.len()).sum();
        assert_eq!(total, 6);
    }

    #[test]
    fn malformed_definitions_are_ignored() {
        let defs = [
            serde_json::json!({"metrics": [{"name": "x"}]}),
            serde_json::json!({"name": "custom.a", "metrics": "no"}),
            serde_json::json!(42),
        ];
        let g = build(&names(&["custom.a.b"]), &defs);
        assert_eq!(titles(&g), ["custom.a"]);
    }
}
