//! Golden tests: the listings and summaries against what Debian's sysdig
//! 0.29.3 printed (`scripts/golden-lists.sh` writes `tests/golden/lists/`).

use std::fs;
use std::path::{Path, PathBuf};

use sonde_capture::FileSource;
use sonde_output::list::{write_events_list, write_fields_list};
use sonde_output::summary::Summary;
use sonde_scap::Block;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn golden(name: &str) -> Vec<u8> {
    let path = root().join("tests/golden/lists").join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares byte for byte, reporting the first differing line.
fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if got == want {
        return;
    }
    let got = String::from_utf8_lossy(got);
    let want = String::from_utf8_lossy(want);
    for (i, (g, w)) in got.split('\n').zip(want.split('\n')).enumerate() {
        assert_eq!(g, w, "{what}: line {} differs", i + 1);
    }
    panic!(
        "{what}: {} lines, sysdig has {}",
        got.split('\n').count(),
        want.split('\n').count()
    );
}

#[test]
fn fields_list() {
    let mut out = Vec::new();
    write_fields_list(&mut out, false).expect("write");
    assert_same("sysdig -l", &out, &golden("fields.out"));
}

#[test]
fn fields_list_verbose() {
    let mut out = Vec::new();
    write_fields_list(&mut out, true).expect("write");
    assert_same("sysdig -l -v", &out, &golden("fields_verbose.out"));
}

#[test]
fn events_list() {
    let want = golden("events.out");
    for verbose in [false, true] {
        let mut out = Vec::new();
        write_events_list(&mut out, verbose).expect("write");
        assert_same("sysdig -L", &out, &want);
    }
}

/// `PPME_CONTAINER_E`, `PPME_CONTAINER_JSON_E`, `PPME_CONTAINER_JSON_2_E`.
const CONTAINER_EVENTS: [u16; 3] = [228, 272, 324];

/// Counts the events of a capture as `sysdig -S` does. libsinsp consumes the
/// container events that open a capture while opening it (`sinsp::open`
/// pre-parses them before importing the thread table): sysdig never sees
/// those.
fn summarize(capture: &Path) -> Summary {
    let mut source = FileSource::open(capture).expect("open capture");
    let mut summary = Summary::new();
    let mut leading = true;
    while let Some(block) = source.next_block().expect("read capture") {
        if let Block::Event(ev) = block {
            if leading && CONTAINER_EVENTS.contains(&ev.ty) {
                continue;
            }
            leading = false;
            let id = match ev.ty {
                0 | 1 => ev
                    .param(0)
                    .and_then(|b| b.get(..2))
                    .map(|b| u16::from_le_bytes([b[0], b[1]])),
                _ => None,
            };
            summary.add(ev.ty, id);
        }
    }
    summary
}

#[test]
fn summaries() {
    let dir = root().join("tests/golden/lists");
    let captures = root().join("../shared/captures");
    let mut checked = 0;
    let mut names: Vec<_> = fs::read_dir(&dir)
        .expect("golden dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("summary_") && n.ends_with(".out"))
        .collect();
    names.sort();
    for name in names {
        let stem = &name["summary_".len()..name.len() - ".out".len()];
        let capture = captures.join(format!("{stem}.scap"));
        if !capture.exists() {
            eprintln!("skipping {name}: {} is missing", capture.display());
            continue;
        }
        let mut out = Vec::new();
        summarize(&capture).write(&mut out).expect("write");
        assert_same(
            &format!("sysdig -r {stem}.scap -S -q"),
            &out,
            &golden(&name),
        );
        checked += 1;
    }
    assert!(checked > 0, "no summary golden file could be checked");
}
