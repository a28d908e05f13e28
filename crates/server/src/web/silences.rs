//! Silences from the dashboard: muting a whole monitor for a chosen time
//! (and unmuting it: the silences in force end now), and maintenance
//! windows, silences set ahead from a UTC time, listed on the monitor's
//! page and cancelled there. They are the API's silences
//! (`/api/v1/silences`): a muted alert still opens and resolves, its
//! notifications are held back.

use super::auth::Session;
use super::pages::{self, esc, utc};
use super::{Site, form_field, form_fields, now, redirect};
use crate::http::{Request, Response};

/// The longest mute or window: a year (longer is a monitor to delete).
const MAX_MUTE_MINUTES: i64 = 366 * 24 * 60;

/// The silence actions under `/monitors/ID/`, or `None` for another path.
pub(super) fn route(
    site: &Site,
    req: &Request,
    session: &Session,
    id: i64,
    action: &str,
) -> Option<Result<Response, Response>> {
    Some(match action {
        "mute" => mute(site, req, session, id),
        "unmute" => unmute(site, req, session, id),
        "window" => schedule(site, req, session, id),
        a => {
            let sid = a.strip_prefix("window/")?.strip_suffix("/cancel")?;
            match sid.parse::<i64>() {
                Ok(sid) => cancel(site, session, id, sid),
                Err(_) => Err(pages::not_found(
                    session,
                    &format!("no maintenance window {sid:?}"),
                )),
            }
        }
    })
}

fn fail(e: crate::state::StateError) -> Response {
    Response::error(500, &e.to_string())
}

/// The mute (a time to choose) or unmute button of a monitor.
pub(super) fn mute_form(
    session: &Session,
    id: i64,
    muted_until: Option<i64>,
    back: &str,
) -> String {
    let csrf = esc(&session.csrf);
    match muted_until {
        Some(until) => format!(
            "<form method=\"post\" action=\"/monitors/{id}/unmute\" class=\"inline\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"back\" value=\"{back}\">\
             <span class=\"hint\">until {}</span> \
             <button type=\"submit\" class=\"unmute\">Unmute</button></form>",
            utc(until)
        ),
        None => format!(
            "<form method=\"post\" action=\"/monitors/{id}/mute\" class=\"inline\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"back\" value=\"{back}\">\
             <select name=\"minutes\" aria-label=\"for how long\">\
             <option value=\"15\">15 min</option><option value=\"60\" selected>1 h</option>\
             <option value=\"240\">4 h</option><option value=\"1440\">1 day</option>\
             <option value=\"10080\">7 days</option></select> \
             <button type=\"submit\" class=\"mute\">Mute</button></form>"
        ),
    }
}

/// Where to go after a mute: the list or the monitor's page, nothing else
/// (the field comes from the browser).
fn back(req: &Request, id: i64) -> String {
    match form_field(req, "back") {
        Some(b) if b == format!("/monitors/{id}") => b,
        _ => "/monitors".into(),
    }
}

fn mute(site: &Site, req: &Request, session: &Session, id: i64) -> Result<Response, Response> {
    if !site.api.state.monitor_exists(id).map_err(fail)? {
        return Err(pages::not_found(session, &format!("no monitor {id}")));
    }
    let text = form_field(req, "minutes").unwrap_or_default();
    let minutes = text
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_MUTE_MINUTES).contains(m))
        .ok_or_else(|| {
            Response::error(
                400,
                &format!("minutes={text:?}: mute for 1 to {MAX_MUTE_MINUTES} minutes"),
            )
        })?;
    let t = now();
    site.api
        .state
        .add_silence(&crate::state::Silence {
            id: None,
            monitor_id: Some(id),
            segment: None,
            starts_at: t,
            ends_at: t + minutes * 60,
            comment: format!("muted from the dashboard by {}", session.user),
        })
        .map_err(fail)?;
    Ok(redirect(&back(req, id)))
}

/// A maintenance window: a silence of the whole monitor set ahead, from a
/// UTC time for some minutes.
fn schedule(site: &Site, req: &Request, session: &Session, id: i64) -> Result<Response, Response> {
    if !site.api.state.monitor_exists(id).map_err(fail)? {
        return Err(pages::not_found(session, &format!("no monitor {id}")));
    }
    let f = form_fields(req);
    let text = |k: &str| f.get(k).map(|s| s.trim()).unwrap_or("").to_string();
    let t = now();
    let starts = text("starts");
    let starts_at = pages::parse_utc(&starts).ok_or_else(|| {
        Response::error(
            400,
            &format!("starts={starts:?} is not a time as YYYY-MM-DDTHH:MM (UTC)"),
        )
    })?;
    // A minute's grace: the form's time was typed a moment ago.
    if starts_at < t - 60 {
        return Err(Response::error(
            400,
            &format!(
                "the window starts at {}, in the past; mute the monitor instead",
                utc(starts_at)
            ),
        ));
    }
    let minutes = text("minutes");
    let length = minutes
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_MUTE_MINUTES).contains(m))
        .ok_or_else(|| {
            Response::error(
                400,
                &format!("minutes={minutes:?}: a window lasts 1 to {MAX_MUTE_MINUTES} minutes"),
            )
        })?;
    let comment = text("comment");
    if comment.len() > 1000 {
        return Err(Response::error(400, "the comment is at most 1000 bytes"));
    }
    site.api
        .state
        .add_silence(&crate::state::Silence {
            id: None,
            monitor_id: Some(id),
            segment: None,
            starts_at,
            ends_at: starts_at + length * 60,
            comment: if comment.is_empty() {
                format!("maintenance window set by {}", session.user)
            } else {
                format!("{comment} (set by {})", session.user)
            },
        })
        .map_err(fail)?;
    Ok(redirect(&format!("/monitors/{id}")))
}

fn cancel(site: &Site, session: &Session, id: i64, silence: i64) -> Result<Response, Response> {
    if site.api.state.delete_silence(id, silence).map_err(fail)? {
        Ok(redirect(&format!("/monitors/{id}")))
    } else {
        Err(pages::not_found(
            session,
            &format!("monitor {id} has no maintenance window {silence}"),
        ))
    }
}

fn unmute(site: &Site, req: &Request, session: &Session, id: i64) -> Result<Response, Response> {
    if !site.api.state.monitor_exists(id).map_err(fail)? {
        return Err(pages::not_found(session, &format!("no monitor {id}")));
    }
    site.api.state.end_silences(id, now()).map_err(fail)?;
    Ok(redirect(&back(req, id)))
}

/// A monitor's maintenance windows to come, each with its cancel button,
/// and the form that sets one (from the next whole hour by default).
pub(super) fn windows(site: &Site, session: &Session, id: i64) -> Result<String, Response> {
    let t = now();
    let windows: String = site
        .api
        .state
        .scheduled_silences(id, t)
        .map_err(fail)?
        .iter()
        .filter_map(|w| {
            let sid = w.id?;
            Some(format!(
                "<li data-window=\"{sid}\">{} – {} {}\
                 <form method=\"post\" action=\"/monitors/{id}/window/{sid}/cancel\" class=\"inline\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <button type=\"submit\">Cancel</button></form></li>",
                utc(w.starts_at),
                utc(w.ends_at),
                esc(&w.comment),
                esc(&session.csrf)
            ))
        })
        .collect();
    let default_start = utc(t + 3600 - t.rem_euclid(3600));
    // As a datetime-local field holds it: `YYYY-MM-DDTHH:MM`.
    let default_start: String = default_start
        .replacen(' ', "T", 1)
        .chars()
        .take(16)
        .collect();
    let window_form = format!(
        "<h2>Maintenance windows</h2><ul id=\"windows\">{windows}</ul>\
         <form method=\"post\" action=\"/monitors/{id}/window\" id=\"window-form\" class=\"inline\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>From (UTC) <input type=\"datetime-local\" name=\"starts\" id=\"w-starts\" value=\"{}\"></label>\
         <label>for <input name=\"minutes\" id=\"w-minutes\" value=\"60\" size=\"6\"> min</label>\
         <input name=\"comment\" id=\"w-comment\" placeholder=\"why\">\
         <button type=\"submit\">Schedule</button></form>",
        esc(&session.csrf),
        esc(&default_start)
    );
    Ok(window_form)
}
