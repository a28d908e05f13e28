//! The attachment functions the dashboard and `sonde up` call
//! (`attach_file`, `attachments`, `attachment`), in process, with both
//! stores: numbering, names, byte-identical reads, captures recorded
//! before artefacts (a local path) still readable, and each failure a
//! clear error with the right status (and a note on the incident).

mod moto;

use std::io::Read;

use sonde_server::api::Api;
use sonde_server::artefacts::Artefacts;
use sonde_server::attachments::{self, AttachmentError, Place};
use sonde_server::s3::S3;
use sonde_server::state::State;

const NOW: i64 = 1_700_000_000;

fn api(name: &str) -> (Api, std::path::PathBuf, i64) {
    let dir = std::env::temp_dir().join(format!("sonde-attach-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let state = State::open(&dir.join("state.db")).expect("state");
    let metrics = sonde_tsdb::Store::open(
        dir.join("metrics"),
        sonde_tsdb::Options {
            background_interval: None,
            ..Default::default()
        },
    )
    .expect("store");
    let monitor = state
        .put_monitor(
            None,
            &serde_json::json!({"name": "m", "type": "connectivity", "minutes": 5}),
        )
        .expect("monitor");
    let alert = state
        .open_alert(monitor, "", "critical", None, "down", NOW)
        .expect("alert");
    let incident = state
        .open_incident(alert, "down", "critical: down", NOW)
        .expect("incident");
    (Api::new(state, metrics), dir, incident)
}

fn read_all(mut r: Box<dyn Read + Send>) -> Vec<u8> {
    let mut v = Vec::new();
    r.read_to_end(&mut v).expect("read");
    v
}

fn round_trip(api: &Api, dir: &std::path::Path, incident: i64) {
    let file = dir.join("capture.scap");
    std::fs::write(&file, b"\x0a\x0d\x0d\x0a capture bytes").expect("write");
    let a = attachments::attach_file(api, incident, "capture.scap", &file, "a capture")
        .expect("attach");
    assert_eq!((a.index, a.name.as_str(), a.bytes), (0, "capture.scap", 18));
    let b = attachments::attach_reader(
        api,
        incident,
        "notes/today.txt",
        &mut &b"evidence"[..],
        8,
        "notes",
    )
    .expect("attach");
    assert_eq!((b.index, b.name.as_str()), (1, "today.txt"));
    let (meta, object) = attachments::attachment(api, incident, 0).expect("read 0");
    assert_eq!(meta.name, "capture.scap");
    assert_eq!(object.len, 18);
    assert_eq!(read_all(object.reader), std::fs::read(&file).expect("file"));
    let (_, object) = attachments::attachment(api, incident, 1).expect("read 1");
    assert_eq!(read_all(object.reader), b"evidence");
    let list = attachments::attachments(api, incident).expect("list");
    assert_eq!(list.len(), 2);
    assert!(
        matches!(&list[0].place, Place::Key(k) if k.starts_with(&format!("incidents/{incident}/0-")))
    );
    // Not there: 404s that say what there is.
    let e = attachments::attachment(api, incident, 2)
        .err()
        .expect("no 2");
    assert_eq!(e.status(), 404);
    assert!(e.to_string().contains("has 2 attachment"), "{e}");
    let e = attachments::attachment(api, incident + 1, 0)
        .err()
        .expect("no incident");
    assert!(matches!(e, AttachmentError::NoIncident(_)) && e.status() == 404);
    let e = attachments::attach_reader(api, incident + 1, "x", &mut &b"x"[..], 1, "x")
        .expect_err("no incident");
    assert_eq!(e.status(), 404);
}

#[test]
fn attachments_in_a_directory() {
    let (api, dir, incident) = api("local");
    let api = api.with_artefacts(Artefacts::Local(dir.join("artefacts")));
    round_trip(&api, &dir, incident);
    // The bytes are files under the directory.
    let stored = Artefacts::Local(dir.join("artefacts"))
        .list("incidents/")
        .expect("list");
    assert_eq!(stored.len(), 2, "{stored:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn attachments_in_s3() {
    let moto = moto::start(false);
    let (api, dir, incident) = api("s3");
    let api = api.with_artefacts(Artefacts::S3(S3::new(moto.config("in-process", ""))));
    round_trip(&api, &dir, incident);
    let stored = S3::new(moto.config("in-process", ""))
        .list("")
        .expect("list");
    assert_eq!(stored.len(), 2, "{stored:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_capture_recorded_before_artefacts_is_still_read() {
    let (api, dir, incident) = api("legacy");
    let path = dir.join("incident.scap");
    std::fs::write(&path, b"old capture").expect("write");
    api.state
        .add_incident_event(
            incident,
            "attachment",
            "capture",
            Some(&serde_json::json!({"path": path, "bytes": 11})),
            false,
            NOW,
        )
        .expect("event");
    // Read without any store configured.
    let (meta, object) = attachments::attachment(&api, incident, 0).expect("legacy");
    assert_eq!(meta.name, "incident.scap");
    assert_eq!(read_all(object.reader), b"old capture");
    std::fs::remove_file(&path).expect("remove");
    let e = attachments::attachment(&api, incident, 0)
        .err()
        .expect("gone");
    assert_eq!(e.status(), 404, "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failures_are_noted_on_the_incident() {
    let (api, dir, incident) = api("fail");
    // No store at all: 503, and a note.
    let e = attachments::attach_reader(&api, incident, "a.txt", &mut &b"x"[..], 1, "x")
        .expect_err("no store");
    assert_eq!(e.status(), 503);
    // A file that is not there.
    let api = api.with_artefacts(Artefacts::Local(dir.join("artefacts")));
    let e = attachments::attach_file(&api, incident, "b.scap", &dir.join("missing.scap"), "x")
        .expect_err("missing file");
    assert!(e.to_string().contains("missing.scap"), "{e}");
    // A source that ends early stores nothing.
    let e = attachments::attach_reader(&api, incident, "c.bin", &mut &b"abc"[..], 100, "x")
        .expect_err("short");
    assert!(e.to_string().contains("ended after 3 of 100"), "{e}");
    assert!(
        attachments::attachments(&api, incident)
            .expect("list")
            .is_empty()
    );
    let notes: Vec<String> = api
        .state
        .incidents()
        .expect("incidents")
        .into_iter()
        .flat_map(|i| i.timeline)
        .filter(|(_, kind, _, _)| kind == "note")
        .map(|(_, _, text, _)| text)
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes[0].starts_with("attaching a.txt failed: this server keeps no artefacts"),
        "{notes:?}"
    );
    assert!(notes[1].starts_with("attaching b.scap failed"), "{notes:?}");
    assert!(notes[2].starts_with("attaching c.bin failed"), "{notes:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
