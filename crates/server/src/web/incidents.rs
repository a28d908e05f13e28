//! The alerts and incidents pages: open and recently closed alerts linked to
//! their monitor and incident; the incidents, and one incident's timeline
//! (alert changes, notes, notifications, attachments) with a form to add a
//! note; attachments served from `/incidents/ID/attachments/N`.
//!
//! Where an attachment's bytes come from is [`attachment`]'s business
//! alone: today a local file named in the event's data, later an artefact
//! store.

use std::collections::HashMap;

use super::auth::Session;
use super::pages::{self, ago, esc, head, html, nav, number, status_badge, utc};
use super::{Site, form_field, now, redirect};
use crate::http::{Request, Response};
use crate::state::{Alert, Incident};

/// Closed alerts shown under the open ones.
const RECENT_CLOSED: usize = 50;
/// The largest attachment served (the response is built in memory).
/// A note's bounds, the API's (`POST /api/v1/incidents/ID/notes`).
const MAX_NOTE: usize = 10_000;

pub(super) fn route(
    site: &Site,
    req: &Request,
    session: &Session,
) -> Option<Result<Response, Response>> {
    let path = req.path.as_str();
    let method = req.method.as_str();
    if path == "/alerts" {
        return Some(match method {
            "GET" => alerts(site, session),
            _ => Err(Response::error(405, "method not allowed here")),
        });
    }
    let rest = path.strip_prefix("/incidents")?;
    if rest.is_empty() || rest == "/" {
        return Some(match method {
            "GET" => incidents(site, session),
            _ => Err(Response::error(405, "method not allowed here")),
        });
    }
    let rest = rest.strip_prefix('/')?;
    let (id, action) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(id) = id.parse::<i64>() else {
        return Some(Err(pages::not_found(
            session,
            &format!("no incident {id:?}"),
        )));
    };
    Some(match (method, action) {
        ("GET", "") => incident_page(site, session, id, None, 200),
        ("POST", "notes") => add_note(site, req, session, id),
        _ => return None,
    })
}

fn fail(e: crate::state::StateError) -> Response {
    Response::error(500, &e.to_string())
}

fn monitor_names(site: &Site) -> Result<HashMap<i64, String>, Response> {
    Ok(site
        .api
        .state
        .monitors()
        .map_err(fail)?
        .into_iter()
        .map(|(id, d)| (id, d["name"].as_str().unwrap_or("").to_string()))
        .collect())
}

/// A segment as people read it: `host=<id>` shows the host's name, linked.
fn segment_html(segment: &str, hosts: &HashMap<String, String>) -> String {
    segment
        .split(',')
        .map(|kv| match kv.split_once('=') {
            Some(("host", id)) => match hosts.get(id) {
                Some(name) => format!("host=<a href=\"/hosts/{}\">{}</a>", esc(id), esc(name)),
                None => format!("host={}", esc(id)),
            },
            _ => esc(kv),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn host_names(site: &Site) -> Result<HashMap<String, String>, Response> {
    Ok(site
        .api
        .state
        .hosts()
        .map_err(fail)?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect())
}

fn alert_rows(
    site: &Site,
    list: &[Alert],
    monitors: &HashMap<i64, String>,
    hosts: &HashMap<String, String>,
    t: i64,
) -> Result<String, Response> {
    let mut rows = String::new();
    for a in list {
        let incident = match site.api.state.incident_of(a.id).map_err(fail)? {
            Some(i) => format!("<a href=\"/incidents/{i}\">#{i}</a>"),
            None => "–".into(),
        };
        let monitor = match monitors.get(&a.monitor_id) {
            Some(name) => format!("<a href=\"/monitors/{}\">{}</a>", a.monitor_id, esc(name)),
            None => format!("#{} (deleted)", a.monitor_id),
        };
        let muted = if a.silenced {
            " <span class=\"status muted\">MUTED</span>"
        } else {
            ""
        };
        rows.push_str(&format!(
            "<tr id=\"alert-{}\" data-monitor=\"{}\"><td>{}{muted}</td><td>{monitor}</td><td>{}</td>\
             <td>{}</td><td title=\"{}\">{}</td><td title=\"{}\">{}</td><td>{}</td><td>{incident}</td></tr>\n",
            a.id,
            a.monitor_id,
            status_badge(Some(match a.status.as_str() {
                "CRITICAL" => "CRITICAL",
                "WARNING" => "WARNING",
                _ => "OK",
            })),
            segment_html(&a.segment, hosts),
            a.value.map(number).unwrap_or_else(|| "–".into()),
            utc(a.opened_at),
            ago(Some(a.opened_at), t),
            utc(a.updated_at),
            ago(Some(a.updated_at), t),
            esc(&a.message),
        ));
    }
    Ok(rows)
}

const ALERT_HEAD: &str = "<thead><tr><th>Status</th><th>Monitor</th><th>Segment</th><th>Value</th>\
    <th>Opened</th><th>Updated</th><th>Message</th><th>Incident</th></tr></thead>";

fn alerts(site: &Site, session: &Session) -> Result<Response, Response> {
    let t = now();
    let monitors = monitor_names(site)?;
    let hosts = host_names(site)?;
    let open = site.api.state.alerts(true, t).map_err(fail)?;
    let closed: Vec<Alert> = site
        .api
        .state
        .alerts(false, t)
        .map_err(fail)?
        .into_iter()
        .filter(|a| a.closed_at.is_some())
        .take(RECENT_CLOSED)
        .collect();
    let mut open_rows = alert_rows(site, &open, &monitors, &hosts, t)?;
    if open.is_empty() {
        open_rows.push_str("<tr><td colspan=\"8\">No open alerts.</td></tr>");
    }
    let mut closed_rows = alert_rows(site, &closed, &monitors, &hosts, t)?;
    if closed.is_empty() {
        closed_rows.push_str("<tr><td colspan=\"8\">None yet.</td></tr>");
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Alerts</h1><h2>Open</h2>\
             <table id=\"open-alerts\" class=\"alerts\">{ALERT_HEAD}<tbody>{open_rows}</tbody></table>\
             <h2>Recently closed</h2>\
             <table id=\"closed-alerts\" class=\"alerts\">{ALERT_HEAD}<tbody>{closed_rows}</tbody></table>\
             </main></body></html>\n",
            head("Alerts"),
            nav(session)
        ),
    ))
}

fn incident_status(i: &Incident) -> String {
    if i.status == "open" {
        "<span class=\"status critical\">open</span>".into()
    } else {
        format!("<span class=\"status ok\">{}</span>", esc(&i.status))
    }
}

fn incidents(site: &Site, session: &Session) -> Result<Response, Response> {
    let t = now();
    let list = site.api.state.incidents().map_err(fail)?;
    let mut rows = String::new();
    for i in &list {
        rows.push_str(&format!(
            "<tr data-incident=\"{}\"><td><a href=\"/incidents/{}\">#{}</a></td><td>{}</td><td>{}</td>\
             <td title=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
            i.id,
            i.id,
            i.id,
            esc(&i.title),
            incident_status(i),
            utc(i.opened_at),
            ago(Some(i.opened_at), t),
            i.resolved_at.map(utc).unwrap_or_else(|| "–".into()),
            i.timeline.len(),
        ));
    }
    if list.is_empty() {
        rows.push_str("<tr><td colspan=\"6\">No incidents.</td></tr>");
    }
    Ok(html(
        200,
        format!(
            "{}<body>{}<main><h1>Incidents</h1><table id=\"incidents\"><thead><tr><th>#</th>\
             <th>Title</th><th>Status</th><th>Opened</th><th>Resolved</th><th>Events</th></tr></thead>\
             <tbody>{rows}</tbody></table></main></body></html>\n",
            head("Incidents"),
            nav(session)
        ),
    ))
}

fn incident_page(
    site: &Site,
    session: &Session,
    id: i64,
    error: Option<&str>,
    status: u16,
) -> Result<Response, Response> {
    let Some(i) = site.api.state.incident(id).map_err(fail)? else {
        return Err(pages::not_found(session, &format!("no incident {id}")));
    };
    let alert = site.api.state.alert(i.alert_id).map_err(fail)?;
    let monitors = monitor_names(site)?;
    let hosts = host_names(site)?;
    let about = match &alert {
        Some(a) => format!(
            "<p class=\"specs\" id=\"incident-alert\">alert <a href=\"/alerts#alert-{}\">{}</a> of \
             monitor <a href=\"/monitors/{}\">{}</a> on {}</p>",
            a.id,
            esc(&a.status),
            a.monitor_id,
            esc(monitors
                .get(&a.monitor_id)
                .map(String::as_str)
                .unwrap_or("(deleted)")),
            segment_html(&a.segment, &hosts),
        ),
        None => String::new(),
    };
    let mut rows = String::new();
    let mut n = 0;
    for (at, kind, text, data) in &i.timeline {
        let detail = match kind.as_str() {
            "attachment" => {
                n += 1;
                let bytes = data
                    .as_ref()
                    .and_then(|d| d["bytes"].as_u64())
                    .map(|b| format!(" ({b} bytes)"))
                    .unwrap_or_default();
                format!(
                    "{} <a class=\"attachment\" href=\"/incidents/{id}/attachments/{n}\">attachment {n}</a>{bytes}",
                    esc(text)
                )
            }
            "note" => match data.as_ref().and_then(|d| d["by"].as_str()) {
                Some(by) => format!("<b>{}</b>: {}", esc(by), esc(text)),
                None => esc(text),
            },
            _ => esc(text),
        };
        rows.push_str(&format!(
            "<tr class=\"event {}\"><td>{}</td><td>{}</td><td class=\"text\">{detail}</td></tr>\n",
            esc(kind),
            utc(*at),
            esc(kind)
        ));
    }
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"form-error\">{}</p>", esc(e)))
        .unwrap_or_default();
    Ok(html(
        status,
        format!(
            "{}<body>{}<main><h1>Incident #{id}: {}</h1>\
             <p class=\"specs\">{} · opened {}{}</p>{about}\
             <h2>Timeline</h2><table id=\"timeline\"><thead><tr><th>When</th><th>What</th><th></th></tr></thead>\
             <tbody>{rows}</tbody></table>\
             <h2>Add a note</h2>{error}\
             <form method=\"post\" action=\"/incidents/{id}/notes\" id=\"note-form\" class=\"edit\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <textarea name=\"text\" id=\"note-text\" rows=\"3\" maxlength=\"{MAX_NOTE}\" required></textarea>\
             <button type=\"submit\" id=\"note-save\">Add note</button></form>\
             </main></body></html>\n",
            head(&format!("Incident #{id}")),
            nav(session),
            esc(&i.title),
            incident_status(&i),
            utc(i.opened_at),
            i.resolved_at
                .map(|r| format!(" · resolved {}", utc(r)))
                .unwrap_or_default(),
            esc(&session.csrf),
        ),
    ))
}

fn add_note(site: &Site, req: &Request, session: &Session, id: i64) -> Result<Response, Response> {
    let text = form_field(req, "text").unwrap_or_default();
    // Browsers send a textarea's line breaks as CRLF.
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() || text.len() > MAX_NOTE {
        return incident_page(
            site,
            session,
            id,
            Some(&format!("A note is 1 to {MAX_NOTE} bytes of text.")),
            400,
        );
    }
    let by = serde_json::json!({ "by": session.user });
    if site
        .api
        .state
        .add_incident_event(id, "note", text.trim_end(), Some(&by), false, now())
        .map_err(fail)?
    {
        Ok(redirect(&format!("/incidents/{id}")))
    } else {
        Err(pages::not_found(session, &format!("no incident {id}")))
    }
}

/// `/incidents/ID/attachments/N` (N from 1, in timeline order): the
/// incident and the attachment's index in the artefact store's numbering
/// (from 0).
pub fn attachment_route(path: &str) -> Option<(i64, usize)> {
    let rest = path.strip_prefix("/incidents/")?;
    let (id, n) = rest.split_once("/attachments/")?;
    let n: usize = n.parse().ok()?;
    Some((id.parse().ok()?, n.checked_sub(1)?))
}

/// Streams an attachment from wherever it is kept (`crate::attachments`:
/// the artefact store, or a file of an older release).
pub fn stream_attachment(
    site: &Site,
    session: &Session,
    id: i64,
    n: usize,
) -> crate::http::Streamed {
    use crate::attachments::AttachmentError;
    match crate::attachments::attachment(&site.api, id, n) {
        Ok((a, object)) => crate::http::Streamed {
            response: Response::new(200, "application/octet-stream", "")
                .with_header(
                    "Content-Disposition",
                    &format!("attachment; filename=\"{}\"", a.name),
                )
                .with_header("X-Content-Type-Options", "nosniff")
                .with_header("Cache-Control", "private, no-store"),
            body: Some(crate::http::BodyStream {
                len: object.len,
                reader: object.reader,
            }),
        },
        Err(e @ (AttachmentError::NoIncident(_) | AttachmentError::NoAttachment { .. })) => {
            pages::not_found(session, &e.to_string()).into()
        }
        // Gone from the store, the store down: say so, and keep serving.
        Err(e) => Response::error(e.status(), &e.to_string()).into(),
    }
}
