//! Custom dashboards (named lists of [`Panel`]s people make, kept in the
//! state's `dashboards` table) and service dashboards (hosts grouped by the
//! services and roles their agents declare — mackerel's `roleFullnames`,
//! `service:role` — and series that carry a `service` label), each drawn
//! with the host page's range selection and zoom.

use std::collections::BTreeMap;

use serde_json::Value;

use super::auth::Session;
use super::pages::{self, charts, esc, head, html, nav};
use super::panels::{self, Panel};
use super::{Site, form_fields, now, redirect};
use crate::http::{Request, Response, percent_decode};
use crate::state::Host;

/// Graphs in one dashboard at most.
pub const MAX_GRAPHS: usize = 24;
/// Empty rows an edit form offers for new graphs.
const BLANK_ROWS: usize = 3;
/// Series-labelled metrics charted on one service page at most.
const MAX_SERVICE_METRICS: usize = 50;

/// The host metrics a service page charts, a line per host.
const HOST_PANELS: &[(&str, &str, &str)] = &[
    ("Load average (5 min)", "loadavg5", "float"),
    ("CPU user", "cpu.user.percentage", "percentage"),
    ("Memory used", "memory.used", "bytes"),
];

pub(super) fn route(
    site: &Site,
    req: &Request,
    session: &Session,
) -> Option<Result<Response, Response>> {
    let path = req.path.as_str();
    let method = req.method.as_str();
    if let Some(rest) = path.strip_prefix("/ui/dashboards/") {
        let id = rest.strip_suffix("/graphs")?;
        return Some(match (method, id.parse::<i64>()) {
            ("GET", Ok(id)) => dashboard_graphs(site, req, id),
            _ => Err(Response::error(404, "no such dashboard")),
        });
    }
    if let Some(rest) = path.strip_prefix("/ui/services/") {
        let name = percent_decode(rest.strip_suffix("/graphs")?);
        return Some(match method {
            "GET" => service_graphs(site, req, &name),
            _ => Err(Response::error(405, "method not allowed here")),
        });
    }
    if path == "/services" || path == "/services/" {
        return Some(services_page(site, session));
    }
    if let Some(rest) = path.strip_prefix("/services/") {
        return Some(service_page(site, session, &percent_decode(rest)));
    }
    let rest = path.strip_prefix("/dashboards")?;
    Some(match (method, rest) {
        ("GET", "" | "/") => list(site, session),
        ("GET", "/new") => Ok(form_page(session, None, &Form::default(), None, 200)),
        ("POST", "" | "/") => save(site, req, session, None),
        _ => {
            let r = rest.strip_prefix('/')?;
            let (id, action) = r.split_once('/').unwrap_or((r, ""));
            let Ok(id) = id.parse::<i64>() else {
                return Some(Err(pages::not_found(
                    session,
                    &format!("no dashboard {id:?}"),
                )));
            };
            match (method, action) {
                ("GET", "") => view(site, session, id),
                ("GET", "edit") => edit(site, session, id),
                ("POST", "") => save(site, req, session, Some(id)),
                ("POST", "delete") => delete(site, session, id),
                _ => return None,
            }
        }
    })
}

fn fail(e: crate::state::StateError) -> Response {
    Response::error(500, &e.to_string())
}

/// `%XX` for everything but unreserved characters (a path segment).
pub(super) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A dashboard's stored definition: `{"graphs": [panel, ...]}`.
fn definition(panels: &[Panel]) -> Value {
    serde_json::json!({ "graphs": panels.iter().map(Panel::to_json).collect::<Vec<_>>() })
}

/// The panels of a stored definition; one that no longer reads (a damaged
/// row) is an error naming it.
fn panels_of(def: &Value) -> Result<Vec<Panel>, String> {
    def["graphs"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, g)| Panel::from_json(g).map_err(|e| format!("graph {}: {e}", i + 1)))
        .collect()
}

/// A dashboard form's fields as typed.
#[derive(Default)]
struct Form {
    name: String,
    /// (title, metric, matchers, aggregation, by, unit) per row.
    rows: Vec<[String; 6]>,
}

const ROW_FIELDS: [&str; 6] = ["title", "metric", "matchers", "agg", "by", "unit"];

impl Form {
    fn of(name: &str, panels: &[Panel]) -> Form {
        Form {
            name: name.to_string(),
            rows: panels
                .iter()
                .map(|p| {
                    [
                        p.title.clone(),
                        p.metric.clone(),
                        panels::matchers_text(&p.matchers),
                        p.agg.map(|a| a.as_str()).unwrap_or("none").to_string(),
                        p.by.clone().unwrap_or_default(),
                        p.unit.clone(),
                    ]
                })
                .collect(),
        }
    }

    fn posted(req: &Request) -> Form {
        let mut fields = form_fields(req);
        let rows = (0..MAX_GRAPHS)
            .map(|i| ROW_FIELDS.map(|f| fields.remove(&format!("g{i}_{f}")).unwrap_or_default()))
            .collect();
        Form {
            name: fields.remove("name").unwrap_or_default(),
            rows,
        }
    }

    /// The name and panels, checked; rows without a metric are blank and
    /// left out. Errors name the graph's row.
    fn check(&self) -> Result<(String, Vec<Panel>), String> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 255 {
            return Err("a dashboard needs a name of 1 to 255 bytes".into());
        }
        let mut panels = Vec::new();
        for (i, [title, metric, matchers, agg, by, unit]) in self.rows.iter().enumerate() {
            if metric.trim().is_empty() {
                if !title.trim().is_empty() || !matchers.trim().is_empty() || !by.trim().is_empty()
                {
                    return Err(format!("graph {}: no metric", i + 1));
                }
                continue;
            }
            panels.push(
                Panel::check(title, metric, matchers, agg, by, unit)
                    .map_err(|e| format!("graph {}: {e}", i + 1))?,
            );
        }
        if panels.is_empty() {
            return Err("give at least one graph (a metric name)".into());
        }
        Ok((name.to_string(), panels))
    }
}

fn form_page(
    session: &Session,
    id: Option<i64>,
    f: &Form,
    error: Option<&str>,
    status: u16,
) -> Response {
    let filled = f
        .rows
        .iter()
        .rposition(|r| r.iter().any(|v| !v.trim().is_empty()))
        .map_or(0, |i| i + 1);
    let shown = (filled + BLANK_ROWS).min(MAX_GRAPHS);
    let mut rows = String::new();
    let empty: [String; 6] = Default::default();
    for i in 0..shown {
        let r = f.rows.get(i).unwrap_or(&empty);
        let text = |k: usize, placeholder: &str| {
            format!(
                "<td><input name=\"g{i}_{0}\" id=\"g{i}_{0}\" placeholder=\"{1}\" value=\"{2}\"></td>",
                ROW_FIELDS[k],
                esc(placeholder),
                esc(&r[k])
            )
        };
        let select = |k: usize, options: &[&str]| {
            let cur = if r[k].is_empty() { options[0] } else { &r[k] };
            let opts: String = options
                .iter()
                .map(|o| {
                    format!(
                        "<option{}>{}</option>",
                        if *o == cur { " selected" } else { "" },
                        esc(o)
                    )
                })
                .collect();
            format!(
                "<td><select name=\"g{i}_{0}\" id=\"g{i}_{0}\">{opts}</select></td>",
                ROW_FIELDS[k]
            )
        };
        rows.push_str(&format!(
            "<tr><td>{}</td>{}{}{}{}{}{}</tr>\n",
            i + 1,
            text(0, "(the metric)"),
            text(1, "cpu.user.percentage"),
            text(2, "role=web, host!=db-1"),
            select(3, &["none", "avg", "sum", "max", "min"]),
            text(4, "host"),
            select(
                5,
                &[
                    "float",
                    "integer",
                    "percentage",
                    "bytes",
                    "bytes/sec",
                    "iops"
                ]
            ),
        ));
    }
    let (title, action) = match id {
        Some(id) => (
            format!("Edit dashboard {}", f.name),
            format!("/dashboards/{id}"),
        ),
        None => ("New dashboard".to_string(), "/dashboards".to_string()),
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"form-error\">{}</p>", esc(e)))
        .unwrap_or_default();
    let delete = match id {
        Some(id) => format!(
            "<h2>Delete</h2><form method=\"post\" action=\"/dashboards/{id}/delete\" id=\"delete-dashboard\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\" class=\"danger\">Delete this dashboard</button></form>",
            esc(&session.csrf)
        ),
        None => String::new(),
    };
    html(
        status,
        format!(
            "{}<body>{}<main><h1>{}</h1>{error}\
             <form method=\"post\" action=\"{action}\" id=\"dashboard-form\" class=\"edit\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label>Name <input name=\"name\" id=\"d-name\" required value=\"{}\"></label>\
             <table class=\"graphs\"><thead><tr><th>#</th><th>Title</th><th>Metric</th>\
             <th>Label matchers</th><th>Aggregate</th><th>by label</th><th>Unit</th></tr></thead>\
             <tbody>{rows}</tbody></table>\
             <p class=\"hint\">Matchers: <code>label=value</code>, <code>!=</code>, <code>=~regex</code>, \
             <code>!~regex</code>, separated by commas. Without an aggregation each series is a line; with one, \
             the series are combined, a line per value of the <i>by</i> label (one line without it). \
             Save to get more empty rows.</p>\
             <button type=\"submit\" id=\"d-save\">Save</button> <a href=\"/dashboards\">Cancel</a></form>\
             {delete}</main></body></html>\n",
            head(&title),
            nav(session),
            esc(&title),
            esc(&session.csrf),
            esc(&f.name),
        ),
    )
}

fn list(site: &Site, session: &Session) -> Result<Response, Response> {
    let list = site.api.state.dashboards().map_err(fail)?;
    let mut rows = String::new();
    for d in &list {
        let n = d.def["graphs"].as_array().map_or(0, Vec::len);
        rows.push_str(&format!(
            "<tr><td><a href=\"/dashboards/{}\">{}</a></td><td>{n}</td><td>{}</td>\
             <td><a href=\"/dashboards/{}/edit\">Edit</a></td></tr>\n",
            d.id,
            esc(&d.name),
            pages::utc(d.updated_at),
            d.id
        ));
    }
    if list.is_empty() {
        rows.push_str("<tr><td colspan=\"4\">No dashboards yet.</td></tr>");
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Dashboards</h1>\
             <p><a class=\"button\" id=\"new-dashboard\" href=\"/dashboards/new\">New dashboard</a></p>\
             <table id=\"dashboards\"><thead><tr><th>Name</th><th>Graphs</th><th>Changed</th><th></th></tr></thead>\
             <tbody>{rows}</tbody></table></main></body></html>\n",
            head("Dashboards"),
            nav(session)
        ),
    ))
}

fn view(site: &Site, session: &Session, id: i64) -> Result<Response, Response> {
    let Some(d) = site.api.state.dashboard(id).map_err(fail)? else {
        return Err(pages::not_found(session, &format!("no dashboard {id}")));
    };
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>{}</h1>\
             <p><a href=\"/dashboards/{id}/edit\" id=\"edit-dashboard\">Edit</a></p>{}\
             </main></body></html>\n",
            head(&d.name),
            nav(session),
            esc(&d.name),
            charts(&format!("data-src=\"/ui/dashboards/{id}/graphs\""))
        ),
    ))
}

fn edit(site: &Site, session: &Session, id: i64) -> Result<Response, Response> {
    let Some(d) = site.api.state.dashboard(id).map_err(fail)? else {
        return Err(pages::not_found(session, &format!("no dashboard {id}")));
    };
    match panels_of(&d.def) {
        Ok(p) => Ok(form_page(
            session,
            Some(id),
            &Form::of(&d.name, &p),
            None,
            200,
        )),
        Err(e) => Ok(form_page(
            session,
            Some(id),
            &Form {
                name: d.name.clone(),
                rows: Vec::new(),
            },
            Some(&format!("the stored dashboard does not read: {e}")),
            200,
        )),
    }
}

fn save(
    site: &Site,
    req: &Request,
    session: &Session,
    id: Option<i64>,
) -> Result<Response, Response> {
    let f = Form::posted(req);
    let (name, panels) = match f.check() {
        Ok(x) => x,
        Err(e) => return Ok(form_page(session, id, &f, Some(&e), 400)),
    };
    let def = definition(&panels);
    let id = match id {
        Some(id) => {
            if !site
                .api
                .state
                .update_dashboard(id, &name, &def, now())
                .map_err(fail)?
            {
                return Err(pages::not_found(session, &format!("no dashboard {id}")));
            }
            id
        }
        None => site
            .api
            .state
            .add_dashboard(&name, &def, now())
            .map_err(fail)?,
    };
    Ok(redirect(&format!("/dashboards/{id}")))
}

fn delete(site: &Site, session: &Session, id: i64) -> Result<Response, Response> {
    if site.api.state.delete_dashboard(id).map_err(fail)? {
        Ok(redirect("/dashboards"))
    } else {
        Err(pages::not_found(session, &format!("no dashboard {id}")))
    }
}

fn dashboard_graphs(site: &Site, req: &Request, id: i64) -> Result<Response, Response> {
    let Some(d) = site.api.state.dashboard(id).map_err(fail)? else {
        return Err(Response::error(404, &format!("no dashboard {id}")));
    };
    let panels = panels_of(&d.def).map_err(|e| Response::error(500, &e))?;
    let (from, to) = panels::range(req, now())?;
    panels::answer(&site.api, &panels, from, to, false)
}

/// A service: its hosts by role, and whether series name it.
#[derive(Debug, Default, PartialEq)]
pub struct Service {
    /// Role → hosts (a host without a role under `""`).
    pub roles: BTreeMap<String, Vec<Host>>,
    pub has_series: bool,
}

/// Services from the hosts' `roleFullnames` (`service:role`) and the
/// values of the `service` label. Pure but for its inputs.
pub fn services(hosts: &[Host], labelled: &[String]) -> BTreeMap<String, Service> {
    let mut out: BTreeMap<String, Service> = BTreeMap::new();
    for h in hosts {
        let roles = h.specs["roleFullnames"].as_array();
        for r in roles.map(|a| a.as_slice()).unwrap_or_default() {
            let Some(full) = r.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            let (service, role) = full.split_once(':').unwrap_or((full, ""));
            let list = out
                .entry(service.to_string())
                .or_default()
                .roles
                .entry(role.to_string())
                .or_default();
            if !list.iter().any(|x| x.id == h.id) {
                list.push(h.clone());
            }
        }
    }
    for s in labelled {
        if !s.is_empty() {
            out.entry(s.clone()).or_default().has_series = true;
        }
    }
    out
}

fn all_services(site: &Site) -> Result<BTreeMap<String, Service>, Response> {
    let hosts = site.api.state.hosts().map_err(fail)?;
    let labelled = site
        .api
        .metrics
        .label_values("service", &[])
        .map_err(|e| Response::error(e.status(), &e.to_string()))?;
    Ok(services(&hosts, &labelled))
}

fn services_page(site: &Site, session: &Session) -> Result<Response, Response> {
    let all = all_services(site)?;
    let mut rows = String::new();
    for (name, s) in &all {
        let roles: String = s
            .roles
            .iter()
            .map(|(role, hosts)| {
                format!(
                    "{}: {}",
                    if role.is_empty() {
                        "(no role)".to_string()
                    } else {
                        esc(role)
                    },
                    hosts.len()
                )
            })
            .collect::<Vec<_>>()
            .join(" · ");
        rows.push_str(&format!(
            "<tr><td><a href=\"/services/{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
            enc(name),
            esc(name),
            if roles.is_empty() {
                "–".into()
            } else {
                roles
            },
            if s.has_series { "yes" } else { "no" }
        ));
    }
    if all.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"3\">No services: give agents <code>roles = [\"service:role\"]</code>, \
             or send series with a <code>service</code> label.</td></tr>",
        );
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Services</h1><table id=\"services\"><thead><tr><th>Service</th>\
             <th>Roles (hosts)</th><th>Service series</th></tr></thead><tbody>{rows}</tbody></table>\
             </main></body></html>\n",
            head("Services"),
            nav(session)
        ),
    ))
}

fn service_page(site: &Site, session: &Session, name: &str) -> Result<Response, Response> {
    let mut all = all_services(site)?;
    let Some(s) = all.remove(name) else {
        return Err(pages::not_found(session, &format!("no service {name:?}")));
    };
    let mut groups = String::new();
    for (role, hosts) in &s.roles {
        let links: String = hosts
            .iter()
            .map(|h| {
                format!(
                    "<li><a href=\"/hosts/{}\">{}</a></li>",
                    esc(&h.id),
                    esc(&h.name)
                )
            })
            .collect();
        groups.push_str(&format!(
            "<section class=\"role\"><h3>{}</h3><ul>{links}</ul></section>",
            if role.is_empty() {
                "(no role)".to_string()
            } else {
                esc(role)
            }
        ));
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Service {}</h1><div class=\"roles\" id=\"roles\">{groups}</div>\
             <h2>Metrics</h2>{}</main></body></html>\n",
            head(name),
            nav(session),
            esc(name),
            charts(&format!(
                "data-src=\"/ui/services/{}/graphs\"",
                esc(&enc(name))
            ))
        ),
    ))
}

/// A regex matching exactly these values.
fn any_of(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| {
            v.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_string()
                    } else {
                        format!("\\{c}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// A service's panels: its hosts' main metrics a line per host, then each
/// metric whose series carry `service=<name>`.
pub fn service_panels(
    s: &Service,
    name: &str,
    metrics: &crate::metrics::Metrics,
) -> Result<Vec<Panel>, String> {
    let mut ids: Vec<&str> = s.roles.values().flatten().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    if !ids.is_empty() {
        let hosts = panels::LabelMatch {
            label: "host".into(),
            op: sonde_tsdb::MatchOp::Regex,
            value: any_of(&ids),
        };
        for (title, metric, unit) in HOST_PANELS {
            let mut p = Panel::check(title, metric, "", "", "", unit)?;
            p.matchers = vec![hosts.clone()];
            out.push(p);
        }
    }
    if s.has_series {
        let names = metrics
            .label_values(
                sonde_tsdb::NAME_LABEL,
                &[sonde_tsdb::Matcher::eq("service", name)],
            )
            .map_err(|e| e.to_string())?;
        for metric in names.iter().take(MAX_SERVICE_METRICS) {
            let mut p = Panel::check("", metric, "", "", "", "")?;
            p.matchers = vec![panels::LabelMatch {
                label: "service".into(),
                op: sonde_tsdb::MatchOp::Equal,
                value: name.to_string(),
            }];
            out.push(p);
        }
    }
    Ok(out)
}

fn service_graphs(site: &Site, req: &Request, name: &str) -> Result<Response, Response> {
    let mut all = all_services(site)?;
    let Some(s) = all.remove(name) else {
        return Err(Response::error(404, &format!("no service {name:?}")));
    };
    let panels =
        service_panels(&s, name, &site.api.metrics).map_err(|e| Response::error(500, &e))?;
    let (from, to) = panels::range(req, now())?;
    panels::answer(&site.api, &panels, from, to, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: &str, roles: &[&str]) -> Host {
        Host {
            id: id.into(),
            name: format!("name-{id}"),
            specs: serde_json::json!({ "roleFullnames": roles }),
            registered_at: 0,
            last_seen: None,
        }
    }

    #[test]
    fn services_from_roles_and_labels() {
        let s = services(
            &[
                host("a", &["shop:web", "shop:db"]),
                host("b", &["shop:web"]),
                host("c", &["blog"]),
                host("d", &[]),
            ],
            &["shop".into(), "payments".into()],
        );
        let names: Vec<&str> = s.keys().map(String::as_str).collect();
        assert_eq!(names, ["blog", "payments", "shop"]);
        let shop = &s["shop"];
        assert!(shop.has_series);
        let web: Vec<&str> = shop.roles["web"].iter().map(|h| h.id.as_str()).collect();
        assert_eq!(web, ["a", "b"]);
        assert_eq!(shop.roles["db"].len(), 1);
        assert_eq!(s["blog"].roles[""].len(), 1, "a service without a role");
        assert!(!s["blog"].has_series);
        assert!(s["payments"].roles.is_empty());
    }

    #[test]
    fn dashboard_forms_are_checked_by_row() {
        let row = |m: &str, agg: &str, by: &str| -> [String; 6] {
            [
                String::new(),
                m.into(),
                String::new(),
                agg.into(),
                by.into(),
                String::new(),
            ]
        };
        let f = Form {
            name: "ops".into(),
            rows: vec![
                row("loadavg5", "avg", "host"),
                row("", "none", ""),
                row("memory.used", "none", ""),
            ],
        };
        let (name, p) = f.check().expect("valid");
        assert_eq!(name, "ops");
        assert_eq!(p.len(), 2, "the blank row left out");
        // Stored and read back as it was.
        assert_eq!(panels_of(&definition(&p)).expect("reads"), p);
        let bad = Form {
            name: "ops".into(),
            rows: vec![row("loadavg5", "none", ""), row("load avg", "none", "")],
        };
        let e = bad.check().expect_err("a bad name");
        assert!(e.starts_with("graph 2:"), "{e}");
        let e = Form {
            name: " ".into(),
            rows: vec![row("x", "", "")],
        }
        .check()
        .expect_err("no name");
        assert!(e.contains("name"), "{e}");
        let e = Form {
            name: "x".into(),
            rows: vec![],
        }
        .check()
        .expect_err("no graphs");
        assert!(e.contains("at least one graph"), "{e}");
        assert_eq!(any_of(&["ab12", "c.d"]), "ab12|c\\.d");
        assert_eq!(enc("shop db/1"), "shop%20db%2F1");
    }
}
