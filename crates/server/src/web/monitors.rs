//! The monitors' pages: the list with each monitor's state (OK, alerting,
//! muted), a create and edit form for every kind the API takes, and delete;
//! muting and maintenance windows are `silences`'.
//!
//! The form is turned into the JSON the API takes and checked by
//! [`Monitor::parse`], the API's own check, so the form refuses exactly what
//! the API refuses, with the same words; only what a form adds (a number
//! typed as text, `k=v` label lists) is checked here.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::auth::Session;
use super::pages::{self, esc, head, html, nav, utc};
use super::panels::{LabelMatch, parse_matchers};
use super::{Site, form_fields, now, redirect, silences};
use crate::http::{Request, Response};
use crate::monitor::{Kind, Monitor, Operator};
use crate::state::Alert;

/// The form's fields, as the API names them.
const FIELDS: &[&str] = &[
    "name",
    "type",
    "metric",
    "labels",
    "expression",
    "segment_by",
    "operator",
    "warning",
    "critical",
    "duration",
    "minutes",
    "check",
    "max_check_attempts",
    "recovery_attempts",
    "memo",
];

/// A form's values by field.
type Values = BTreeMap<&'static str, String>;

/// The monitors' routes, or `None` for a path that is not theirs.
pub(super) fn route(
    site: &Site,
    req: &Request,
    session: &Session,
) -> Option<Result<Response, Response>> {
    let rest = req.path.strip_prefix("/monitors")?;
    let method = req.method.as_str();
    Some(match (method, rest) {
        ("GET", "" | "/") => list(site, session),
        ("GET", "/new") => {
            let mut v = Values::new();
            let kind = req.param("type").unwrap_or_default();
            v.insert(
                "type",
                if ["metric", "expression", "connectivity", "check"].contains(&kind.as_str()) {
                    kind
                } else {
                    "metric".into()
                },
            );
            Ok(form_page(session, None, &v, None, 200, ""))
        }
        ("POST", "" | "/") => save(site, req, session, None),
        _ => {
            let r = rest.strip_prefix('/')?;
            let (id, action) = r.split_once('/').unwrap_or((r, ""));
            let Ok(id) = id.parse::<i64>() else {
                return Some(Err(pages::not_found(
                    session,
                    &format!("no monitor {id:?}"),
                )));
            };
            match (method, action) {
                ("GET", "") => edit(site, session, id),
                ("POST", "") => save(site, req, session, Some(id)),
                ("POST", "delete") => delete(site, session, id),
                ("POST", a) => return silences::route(site, req, session, id, a),
                ("GET", "delete" | "mute" | "unmute") => {
                    Err(Response::error(405, "this address takes the form's POST"))
                }
                _ => return None,
            }
        }
    })
}

fn fail(e: crate::state::StateError) -> Response {
    Response::error(500, &e.to_string())
}

/// What a monitor watches, in a line.
fn summary(m: &Monitor) -> String {
    let op = |o: &Operator| if *o == Operator::Above { ">" } else { "<" };
    let thresholds = |o: &Operator, w: &Option<f64>, c: &Option<f64>| {
        let mut parts = Vec::new();
        if let Some(w) = w {
            parts.push(format!("warning {} {w}", op(o)));
        }
        if let Some(c) = c {
            parts.push(format!("critical {} {c}", op(o)));
        }
        parts.join(", ")
    };
    match &m.kind {
        Kind::Metric {
            metric,
            labels,
            segment_by,
            operator,
            warning,
            critical,
            duration,
        } => {
            let l = if labels.is_empty() {
                String::new()
            } else {
                format!(
                    "{{{}}}",
                    labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!(
                "{metric}{l}: {}; average over {duration} s, per {}",
                thresholds(operator, warning, critical),
                segment_by.join(", ")
            )
        }
        Kind::Expression {
            expression,
            segment_by,
            operator,
            warning,
            critical,
            duration,
        } => format!(
            "{expression}: {}; over {duration} s, per {}",
            thresholds(operator, warning, critical),
            segment_by.join(", ")
        ),
        Kind::Connectivity { minutes } => format!("an agent silent for {minutes} min"),
        Kind::Check { check: Some(c) } => format!("check {c:?}"),
        Kind::Check { check: None } => "every check".into(),
    }
}

/// Where a monitor stands now.
#[derive(Default)]
struct Standing {
    open: Vec<Alert>,
    /// The end of the silence muting the whole monitor, if one does.
    muted_until: Option<i64>,
}

fn standings(site: &Site, t: i64) -> Result<HashMap<i64, Standing>, Response> {
    let mut out: HashMap<i64, Standing> = HashMap::new();
    for a in site.api.state.alerts(true, t).map_err(fail)? {
        out.entry(a.monitor_id).or_default().open.push(a);
    }
    let silences = site.api.state.silences(t).map_err(fail)?;
    for (id, _) in site.api.state.monitors().map_err(fail)? {
        let until = silences
            .iter()
            .filter(|s| s.segment.is_none() && s.monitor_id.is_none_or(|m| m == id))
            .map(|s| s.ends_at)
            .max();
        out.entry(id).or_default().muted_until = until;
    }
    Ok(out)
}

/// The state's badges: MUTED (until when), the worst open alert's level
/// and how many, or OK.
fn state_badges(s: &Standing) -> String {
    let mut out = String::new();
    if let Some(until) = s.muted_until {
        out.push_str(&format!(
            "<span class=\"status muted\" title=\"until {}\">MUTED</span> ",
            utc(until)
        ));
    }
    let critical = s.open.iter().filter(|a| a.status == "CRITICAL").count();
    let warning = s.open.len() - critical;
    if critical > 0 {
        out.push_str(&format!(
            "<span class=\"status critical\">CRITICAL × {critical}</span> "
        ));
    }
    if warning > 0 {
        out.push_str(&format!(
            "<span class=\"status warning\">WARNING × {warning}</span> "
        ));
    }
    if s.open.is_empty() {
        out.push_str("<span class=\"status ok\">OK</span>");
    }
    out
}

fn list(site: &Site, session: &Session) -> Result<Response, Response> {
    let t = now();
    let monitors = site.api.state.monitors().map_err(fail)?;
    let standing = standings(site, t)?;
    let none = Standing::default();
    let mut rows = String::new();
    for (id, def) in &monitors {
        let s = standing.get(id).unwrap_or(&none);
        let (name, kind, what) = match serde_json::from_value::<Monitor>(def.clone()) {
            Ok(m) => {
                let kind = def["type"].as_str().unwrap_or("").to_string();
                (m.name.clone(), kind, summary(&m))
            }
            Err(e) => (
                def["name"].as_str().unwrap_or("?").to_string(),
                String::new(),
                format!("(not readable: {e})"),
            ),
        };
        rows.push_str(&format!(
            "<tr data-monitor=\"{id}\"><td><a href=\"/monitors/{id}\">{}</a></td><td>{}</td>\
             <td>{}</td><td class=\"state\">{}</td><td>{}</td></tr>\n",
            esc(&name),
            esc(&kind),
            esc(&what),
            state_badges(s),
            silences::mute_form(session, *id, s.muted_until, "/monitors"),
        ));
    }
    if monitors.is_empty() {
        rows.push_str("<tr><td colspan=\"5\">No monitors yet.</td></tr>\n");
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Monitors</h1>\
             <p><a class=\"button\" id=\"new-monitor\" href=\"/monitors/new\">New monitor</a></p>\
             <table id=\"monitors\"><thead><tr><th>Name</th><th>Type</th><th>Watches</th>\
             <th>State</th><th>Mute</th></tr></thead><tbody>{rows}</tbody></table>\
             </main></body></html>\n",
            head("Monitors"),
            nav(session)
        ),
    ))
}

/// A stored definition as the form shows it.
fn values_of(def: &Value) -> Values {
    let mut v = Values::new();
    for f in FIELDS {
        let text = match (*f, &def[*f]) {
            (_, Value::Null) => continue,
            ("labels", Value::Object(m)) => m
                .iter()
                .map(|(k, x)| {
                    LabelMatch {
                        label: k.clone(),
                        op: sonde_tsdb::MatchOp::Equal,
                        value: x.as_str().unwrap_or("").to_string(),
                    }
                    .text()
                })
                .collect::<Vec<_>>()
                .join(", "),
            ("segment_by", Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            (_, Value::String(s)) => s.clone(),
            // `50`, not serde's `50.0`: as it would be typed.
            (_, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i.to_string(),
                (None, Some(f)) => f.to_string(),
                _ => n.to_string(),
            },
            (_, other) => other.to_string(),
        };
        v.insert(f, text);
    }
    v
}

/// The posted form's values.
fn values_posted(req: &Request) -> Values {
    let mut all = form_fields(req);
    FIELDS
        .iter()
        .filter_map(|f| Some((*f, all.remove(*f)?)))
        .collect()
}

/// The form as the API's JSON: the fields of the chosen type, empty ones
/// left out (the API's defaults apply). Errors name the field.
fn monitor_json(v: &Values) -> Result<Value, String> {
    let get = |k: &str| v.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let mut o = Map::new();
    let kind = get("type").unwrap_or("");
    o.insert("type".into(), kind.into());
    o.insert("name".into(), get("name").unwrap_or("").into());
    if let Some(m) = get("memo") {
        o.insert("memo".into(), m.into());
    }
    let int = |o: &mut Map<String, Value>, k: &str| -> Result<(), String> {
        if let Some(s) = get(k) {
            let n: i64 = s
                .parse()
                .map_err(|_| format!("{k}: {s:?} is not a whole number"))?;
            o.insert(k.into(), n.into());
        }
        Ok(())
    };
    let float = |o: &mut Map<String, Value>, k: &str| -> Result<(), String> {
        if let Some(s) = get(k) {
            let n: f64 = s
                .parse()
                .ok()
                .filter(|f: &f64| f.is_finite())
                .ok_or_else(|| format!("{k}: {s:?} is not a number"))?;
            o.insert(k.into(), n.into());
        }
        Ok(())
    };
    int(&mut o, "max_check_attempts")?;
    int(&mut o, "recovery_attempts")?;
    match kind {
        "metric" | "expression" => {
            if kind == "metric" {
                o.insert("metric".into(), get("metric").unwrap_or("").into());
                if let Some(l) = get("labels") {
                    let mut labels = Map::new();
                    for m in parse_matchers(l).map_err(|e| format!("labels: {e}"))? {
                        if m.op != sonde_tsdb::MatchOp::Equal {
                            return Err(format!(
                                "labels: {}: a metric monitor's labels are label=value",
                                m.text()
                            ));
                        }
                        labels.insert(m.label, m.value.into());
                    }
                    o.insert("labels".into(), labels.into());
                }
            } else {
                o.insert("expression".into(), get("expression").unwrap_or("").into());
            }
            if let Some(s) = get("segment_by") {
                let by: Vec<Value> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Value::from)
                    .collect();
                o.insert("segment_by".into(), by.into());
            }
            o.insert("operator".into(), get("operator").unwrap_or(">").into());
            float(&mut o, "warning")?;
            float(&mut o, "critical")?;
            int(&mut o, "duration")?;
        }
        "connectivity" => int(&mut o, "minutes")?,
        "check" => {
            if let Some(c) = get("check") {
                o.insert("check".into(), c.into());
            }
        }
        // The API's check names the types it knows.
        _ => {}
    }
    Ok(Value::Object(o))
}

fn input(v: &Values, field: &str, label: &str, placeholder: &str, kind: &str) -> String {
    format!(
        "<label>{label} <input name=\"{field}\" id=\"m-{field}\" type=\"{kind}\" \
         placeholder=\"{}\" value=\"{}\"></label>",
        esc(placeholder),
        esc(v.get(field).map(String::as_str).unwrap_or(""))
    )
}

fn form_page(
    session: &Session,
    id: Option<i64>,
    v: &Values,
    error: Option<&str>,
    status: u16,
    below: &str,
) -> Response {
    let kind = v.get("type").map(String::as_str).unwrap_or("metric");
    let options: String = ["metric", "expression", "connectivity", "check"]
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{k}\"{}>{k}</option>",
                if *k == kind { " selected" } else { "" }
            )
        })
        .collect();
    let op = v.get("operator").map(String::as_str).unwrap_or(">");
    let ops: String = [(">", "above (>)"), ("<", "below (<)")]
        .iter()
        .map(|(o, l)| {
            format!(
                "<option value=\"{}\"{}>{l}</option>",
                esc(o),
                if *o == op { " selected" } else { "" }
            )
        })
        .collect();
    let title = match id {
        Some(_) => format!(
            "Monitor {}",
            v.get("name").map(String::as_str).unwrap_or("")
        ),
        None => "New monitor".to_string(),
    };
    let action = match id {
        Some(id) => format!("/monitors/{id}"),
        None => "/monitors".into(),
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"form-error\">{}</p>", esc(e)))
        .unwrap_or_default();
    html(
        status,
        format!(
            "{}<body>{}<main><h1>{}</h1>{error}\
             <form method=\"post\" action=\"{action}\" id=\"monitor-form\" class=\"edit\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             {}<label>Type <select name=\"type\" id=\"m-type\">{options}</select></label>\
             <fieldset data-kinds=\"metric\"><legend>Metric</legend>{}{}</fieldset>\
             <fieldset data-kinds=\"expression\"><legend>Expression</legend>{}</fieldset>\
             <fieldset data-kinds=\"metric expression\"><legend>Thresholds</legend>{}\
             <label>Alert when the value is <select name=\"operator\" id=\"m-operator\">{ops}</select></label>\
             {}{}{}</fieldset>\
             <fieldset data-kinds=\"connectivity\"><legend>Connectivity</legend>{}</fieldset>\
             <fieldset data-kinds=\"check\"><legend>Check</legend>{}</fieldset>\
             <fieldset><legend>Damping</legend>{}{}{}</fieldset>\
             <button type=\"submit\" id=\"m-save\">Save</button> <a href=\"/monitors\">Cancel</a>\
             </form>{below}</main></body></html>\n",
            head(&title),
            nav(session),
            esc(&title),
            esc(&session.csrf),
            input(v, "name", "Name", "slow queries", "text"),
            input(v, "metric", "Metric", "net.sql.request.time.worst", "text"),
            input(v, "labels", "Labels", "service=shop-db, role=web", "text"),
            input(
                v,
                "expression",
                "Expression",
                "100 * errors{code=\"500\"} / requests",
                "text"
            ),
            input(v, "segment_by", "One alert per (labels)", "host", "text"),
            input(v, "warning", "Warning at", "", "text"),
            input(v, "critical", "Critical at", "", "text"),
            input(v, "duration", "Averaged over (seconds)", "300", "text"),
            input(v, "minutes", "Silent for (minutes)", "5", "text"),
            input(v, "check", "Check name", "(every check)", "text"),
            input(
                v,
                "max_check_attempts",
                "Breaches in a row to open",
                "1",
                "text"
            ),
            input(
                v,
                "recovery_attempts",
                "OKs in a row to resolve",
                "1",
                "text"
            ),
            input(v, "memo", "Memo", "", "text"),
        ),
    )
}

fn edit(site: &Site, session: &Session, id: i64) -> Result<Response, Response> {
    let Some((_, def)) = site
        .api
        .state
        .monitors()
        .map_err(fail)?
        .into_iter()
        .find(|(i, _)| *i == id)
    else {
        return Err(pages::not_found(session, &format!("no monitor {id}")));
    };
    Ok(form_page(
        session,
        Some(id),
        &values_of(&def),
        None,
        200,
        &below_form(site, session, id)?,
    ))
}

/// Under an edit form: the monitor's state, open alerts, mute and delete.
fn below_form(site: &Site, session: &Session, id: i64) -> Result<String, Response> {
    let standing = standings(site, now())?;
    let none = Standing::default();
    let s = standing.get(&id).unwrap_or(&none);
    let alerts: String = s
        .open
        .iter()
        .map(|a| {
            format!(
                "<li><a href=\"/alerts#alert-{}\">{} {}</a> {}</li>",
                a.id,
                esc(&a.status),
                esc(&a.segment),
                esc(&a.message)
            )
        })
        .collect();
    let windows = silences::windows(site, session, id)?;
    Ok(format!(
        "<h2>State</h2><p id=\"monitor-state\">{}</p><ul>{alerts}</ul>{}{windows}\
         <h2>Delete</h2><form method=\"post\" action=\"/monitors/{id}/delete\" id=\"delete-monitor\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\" class=\"danger\">Delete this monitor</button> \
         <span class=\"hint\">its open alerts close and their incidents resolve</span></form>",
        state_badges(s),
        silences::mute_form(session, id, s.muted_until, &format!("/monitors/{id}")),
        esc(&session.csrf)
    ))
}

fn save(
    site: &Site,
    req: &Request,
    session: &Session,
    id: Option<i64>,
) -> Result<Response, Response> {
    let v = values_posted(req);
    let below = |site: &Site| match id {
        Some(id) => below_form(site, session, id),
        None => Ok(String::new()),
    };
    if let Some(id) = id
        && !site.api.state.monitor_exists(id).map_err(fail)?
    {
        return Err(pages::not_found(session, &format!("no monitor {id}")));
    }
    // The API's check, on the JSON the API would have been sent.
    let checked = monitor_json(&v).and_then(|json| Monitor::parse(&json).map(|_| json));
    let json = match checked {
        Ok(j) => j,
        Err(e) => {
            return Ok(form_page(session, id, &v, Some(&e), 400, &below(site)?));
        }
    };
    let stored = site.api.state.put_monitor(id, &json).map_err(fail)?;
    Ok(redirect(&format!("/monitors/{stored}")))
}

fn delete(site: &Site, session: &Session, id: i64) -> Result<Response, Response> {
    if site.api.state.delete_monitor(id, now()).map_err(fail)? {
        Ok(redirect("/monitors"))
    } else {
        Err(pages::not_found(session, &format!("no monitor {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> Values {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn a_metric_form_becomes_the_apis_json() {
        let v = values(&[
            ("name", " slow queries "),
            ("type", "metric"),
            ("metric", "net.sql.request.time.worst"),
            ("labels", "service=shop-db"),
            ("segment_by", "query, service"),
            ("operator", ">"),
            ("warning", "2"),
            ("critical", "3.8"),
            ("duration", ""),
            ("minutes", "7"),
            ("max_check_attempts", "2"),
        ]);
        let j = monitor_json(&v).expect("json");
        assert_eq!(
            j,
            serde_json::json!({"name": "slow queries", "type": "metric",
                "metric": "net.sql.request.time.worst", "labels": {"service": "shop-db"},
                "segment_by": ["query", "service"], "operator": ">", "warning": 2.0,
                "critical": 3.8, "max_check_attempts": 2})
        );
        Monitor::parse(&j).expect("the API takes it");
        // And back into the form as it was typed.
        let back = values_of(&j);
        assert_eq!(back["labels"], "service=shop-db");
        assert_eq!(back["segment_by"], "query, service");
        assert_eq!(back["critical"], "3.8");
        assert_eq!(back["warning"], "2", "not 2.0");
        assert!(!back.contains_key("minutes"));
    }

    #[test]
    fn form_errors_name_the_field() {
        let e = monitor_json(&values(&[("type", "metric"), ("warning", "lots")]))
            .expect_err("not a number");
        assert!(e.starts_with("warning:"), "{e}");
        let e = monitor_json(&values(&[("type", "connectivity"), ("minutes", "1.5")]))
            .expect_err("not whole");
        assert!(e.starts_with("minutes:"), "{e}");
        let e = monitor_json(&values(&[("type", "metric"), ("labels", "host=~web.*")]))
            .expect_err("not equality");
        assert!(e.contains("label=value"), "{e}");
    }
}
