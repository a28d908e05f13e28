//! Files attached to incidents: kept in the server's [`Artefacts`] store,
//! recorded as `attachment` events on the incident's timeline
//! (`{"key", "name", "bytes"}`), numbered by their order there (0, 1, ...).
//!
//! The API (docs/agent-api.md):
//! - `POST /api/v1/incidents/{id}/attachments?name=NAME` (write key; the
//!   body is the file, up to [`MAX_UPLOAD`], streamed into the store)
//!   answers `201 {"index", "key", "name", "bytes"}`;
//! - `GET /api/v1/incidents/{id}/attachments` (any key) lists them;
//! - `GET /api/v1/incidents/{id}/attachments/{n}` (any key) streams one.
//!
//! [`attachment`] is what the dashboard calls to show one; [`attach_file`]
//! what `sonde up`'s flight recorder calls with its capture. A failed
//! attach leaves a note on the incident saying why, so whoever reads the
//! timeline knows evidence is missing and where it went wrong.

use std::io::Read;
use std::path::PathBuf;

use crate::api::Api;
use crate::artefacts::{ArtefactError, Artefacts, Object, safe_name};
use crate::http::{BodyStream, Request, Response, Streamed};
use crate::state::StateError;

/// The largest file taken through the API (a capture of a busy minute).
pub const MAX_UPLOAD: u64 = 256 << 20;

/// Where an attachment's bytes are.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// A key in the artefact store.
    Key(String),
    /// A local file, as `sonde up` recorded captures before artefacts.
    LegacyPath(PathBuf),
}

/// One attachment of an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Its place among the incident's attachments, from 0.
    pub index: usize,
    /// The file name it is offered under.
    pub name: String,
    pub bytes: u64,
    pub place: Place,
}

/// Why an attachment cannot be had or made.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("no incident {0}")]
    NoIncident(i64),
    #[error("incident {incident} has {count} attachment(s) (0 to {count} - 1); no attachment {n}")]
    NoAttachment {
        incident: i64,
        n: usize,
        count: usize,
    },
    #[error("this server keeps no artefacts (start it with an artefact store)")]
    NoStore,
    #[error("attachment {n} of incident {incident} is recorded without a key or path")]
    Unreadable { incident: i64, n: usize },
    #[error("attachment {n} of incident {incident}: {path}: {source}")]
    Legacy {
        incident: i64,
        n: usize,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] ArtefactError),
    #[error(transparent)]
    State(#[from] StateError),
}

impl AttachmentError {
    /// The HTTP status that says it: 404 for what is not there, 503 for a
    /// store that cannot be reached, 500 for the server's own faults.
    pub fn status(&self) -> u16 {
        match self {
            AttachmentError::NoIncident(_)
            | AttachmentError::NoAttachment { .. }
            | AttachmentError::Store(ArtefactError::NotFound { .. }) => 404,
            AttachmentError::Legacy { source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                404
            }
            AttachmentError::NoStore
            | AttachmentError::Store(ArtefactError::S3(_) | ArtefactError::Io { .. }) => 503,
            _ => 500,
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn store(api: &Api) -> Result<&Artefacts, AttachmentError> {
    api.artefacts.as_ref().ok_or(AttachmentError::NoStore)
}

/// An incident's attachments, in order.
pub fn attachments(api: &Api, incident: i64) -> Result<Vec<Attachment>, AttachmentError> {
    let events = api
        .state
        .incident_attachments(incident)?
        .ok_or(AttachmentError::NoIncident(incident))?;
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(index, d)| {
            let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let place = match (text("key"), text("path")) {
                (Some(k), _) => Place::Key(k),
                (None, Some(p)) => Place::LegacyPath(PathBuf::from(p)),
                (None, None) => Place::Key(String::new()),
            };
            let name = text("name").unwrap_or_else(|| match &place {
                Place::Key(k) => safe_name(k),
                Place::LegacyPath(p) => safe_name(&p.to_string_lossy()),
            });
            Attachment {
                index,
                name: safe_name(&name),
                bytes: d.get("bytes").and_then(|b| b.as_u64()).unwrap_or(0),
                place,
            }
        })
        .collect())
}

/// The `n`-th attachment of an incident (from 0), and its bytes as a
/// stream.
pub fn attachment(
    api: &Api,
    incident: i64,
    n: usize,
) -> Result<(Attachment, Object), AttachmentError> {
    let list = attachments(api, incident)?;
    let count = list.len();
    let a = list
        .into_iter()
        .nth(n)
        .ok_or(AttachmentError::NoAttachment { incident, n, count })?;
    let object = match &a.place {
        Place::Key(k) if k.is_empty() => return Err(AttachmentError::Unreadable { incident, n }),
        Place::Key(k) => store(api)?.get(k)?,
        Place::LegacyPath(p) => {
            let legacy = |source| AttachmentError::Legacy {
                incident,
                n,
                path: p.display().to_string(),
                source,
            };
            let f = std::fs::File::open(p).map_err(legacy)?;
            let len = f.metadata().map_err(legacy)?.len();
            Object {
                len,
                reader: Box::new(f.take(len)),
            }
        }
    };
    Ok((a, object))
}

/// Stores `len` bytes from `reader` as a new attachment of `incident`
/// named `name`, with `text` on the timeline; its index and key. On
/// failure the incident gets a note saying why (and nothing is stored).
pub fn attach_reader(
    api: &Api,
    incident: i64,
    name: &str,
    reader: &mut dyn Read,
    len: u64,
    text: &str,
) -> Result<Attachment, AttachmentError> {
    let name = safe_name(name);
    let result = (|| {
        let count = attachments(api, incident)?.len();
        let store = store(api)?;
        // The count makes keys read in order; the random part keeps two
        // attaching at once (two servers) apart.
        let key = format!(
            "incidents/{incident}/{count}-{}-{name}",
            crate::state::random_hex(3).unwrap_or_default()
        );
        store.put_reader(&key, reader, len)?;
        record(api, incident, &key, &name, len, text)
    })();
    if let Err(e) = &result
        && !matches!(e, AttachmentError::NoIncident(_))
    {
        let _ = api.state.add_incident_event(
            incident,
            "note",
            &format!("attaching {name} failed: {e}"),
            None,
            false,
            now(),
        );
    }
    result
}

/// Stores a file as a new attachment (see [`attach_reader`]).
pub fn attach_file(
    api: &Api,
    incident: i64,
    name: &str,
    path: &std::path::Path,
    text: &str,
) -> Result<Attachment, AttachmentError> {
    let opened = std::fs::File::open(path).and_then(|f| Ok((f.metadata()?.len(), f)));
    match opened {
        Ok((len, mut f)) => attach_reader(api, incident, name, &mut f, len, text),
        Err(source) => {
            let e = AttachmentError::Store(ArtefactError::Io {
                path: path.display().to_string(),
                what: "cannot open the file to attach",
                source,
            });
            let _ = api.state.add_incident_event(
                incident,
                "note",
                &format!("attaching {} failed: {e}", safe_name(name)),
                None,
                false,
                now(),
            );
            Err(e)
        }
    }
}

/// The timeline event for a stored object; the attachment it became.
fn record(
    api: &Api,
    incident: i64,
    key: &str,
    name: &str,
    len: u64,
    text: &str,
) -> Result<Attachment, AttachmentError> {
    let data = serde_json::json!({ "key": key, "name": name, "bytes": len });
    if !api
        .state
        .add_incident_event(incident, "attachment", text, Some(&data), false, now())?
    {
        if let Some(s) = &api.artefacts {
            let _ = s.delete(key);
        }
        return Err(AttachmentError::NoIncident(incident));
    }
    let index = attachments(api, incident)?
        .iter()
        .rposition(|a| a.place == Place::Key(key.to_string()))
        .unwrap_or(0);
    Ok(Attachment {
        index,
        name: name.to_string(),
        bytes: len,
        place: Place::Key(key.to_string()),
    })
}

/// `/api/v1/incidents/{id}/attachments[/{n}]` split into the id and the
/// rest (`None` or `Some(n)` as text); `None` for any other path.
fn route(path: &str) -> Option<(&str, Option<&str>)> {
    let rest = path
        .trim_end_matches('/')
        .strip_prefix("/api/v1/incidents/")?;
    let (id, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("attachments")?;
    match rest {
        "" => Some((id, None)),
        r => r
            .strip_prefix('/')
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .map(|n| (id, Some(n))),
    }
}

/// Which requests the HTTP layer streams to [`handle`]: uploads (their
/// body up to [`MAX_UPLOAD`]) and reads (no body; the answer streams).
pub fn stream_limit(head: &Request) -> Option<u64> {
    match (head.method.as_str(), route(&head.path)) {
        ("POST", Some((_, None))) => Some(MAX_UPLOAD),
        ("GET", Some(_)) => Some(0),
        _ => None,
    }
}

/// Serves the attachment routes (and answers any other streamed request
/// with a 404).
pub fn handle(api: &Api, req: &Request, body: &mut dyn Read) -> Streamed {
    serve(api, req, body).unwrap_or_else(Streamed::from)
}

fn fail(e: AttachmentError) -> Response {
    Response::error(e.status(), &e.to_string())
}

fn serve(api: &Api, req: &Request, body: &mut dyn Read) -> Result<Streamed, Response> {
    let Some((id, n)) = route(&req.path) else {
        return Err(Response::error(404, "no such endpoint"));
    };
    match (req.method.as_str(), n) {
        ("POST", None) => api.writer(req)?,
        ("GET", _) => {
            api.key(req)?;
        }
        _ => return Err(Response::error(405, "method not allowed here")),
    }
    let incident: i64 = id
        .parse()
        .map_err(|_| Response::error(404, &format!("no incident {id:?}")))?;
    match (req.method.as_str(), n) {
        ("GET", None) => {
            let list: Vec<serde_json::Value> = attachments(api, incident)
                .map_err(fail)?
                .into_iter()
                .map(|a| {
                    let mut v =
                        serde_json::json!({"index": a.index, "name": a.name, "bytes": a.bytes});
                    if let Place::Key(k) = a.place {
                        v["key"] = k.into();
                    }
                    v
                })
                .collect();
            Ok(Response::json(200, &serde_json::json!({ "attachments": list })).into())
        }
        ("GET", Some(n)) => {
            let n: usize = n.parse().map_err(|_| {
                Response::error(
                    404,
                    &format!("no attachment {n:?} (they are numbered from 0)"),
                )
            })?;
            let (a, object) = attachment(api, incident, n).map_err(fail)?;
            Ok(Streamed {
                response: Response::new(200, "application/octet-stream", "")
                    .with_header(
                        "Content-Disposition",
                        &format!("attachment; filename=\"{}\"", a.name),
                    )
                    .with_header("X-Content-Type-Options", "nosniff")
                    .with_header("Cache-Control", "private, no-store"),
                body: Some(BodyStream {
                    len: object.len,
                    reader: object.reader,
                }),
            })
        }
        _ => {
            let name = req
                .param("name")
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| Response::error(400, "no name= parameter (the file's name)"))?;
            let len: u64 = req
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if len == 0 {
                return Err(Response::error(400, "the body is empty; send the file"));
            }
            // Before the body is read: an unknown incident costs no upload.
            attachments(api, incident).map_err(fail)?;
            let a = attach_reader(
                api,
                incident,
                &name,
                body,
                len,
                &format!("{} attached ({len} bytes)", safe_name(&name)),
            )
            .map_err(fail)?;
            let key = match &a.place {
                Place::Key(k) => k.clone(),
                Place::LegacyPath(p) => p.display().to_string(),
            };
            Ok(Response::json(
                201,
                &serde_json::json!({"index": a.index, "key": key, "name": a.name, "bytes": a.bytes}),
            )
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("/api/v1/incidents/3/attachments"), Some(("3", None)));
        assert_eq!(route("/api/v1/incidents/3/attachments/"), Some(("3", None)));
        assert_eq!(
            route("/api/v1/incidents/3/attachments/0"),
            Some(("3", Some("0")))
        );
        assert_eq!(route("/api/v1/incidents/3/attachments/0/x"), None);
        assert_eq!(route("/api/v1/incidents/3/notes"), None);
        assert_eq!(route("/api/v1/incidents"), None);
    }
}
