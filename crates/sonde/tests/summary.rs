//! `sonde dig -r CAPTURE -S -q` prints the summary table sysdig 0.29.3 prints
//! (tests/golden/lists/summary_<capture>.out, made by scripts/golden-lists.sh).
//! With `-q` and no filter, `sonde dig` skips the state engine; this checks
//! that the events it counts are still exactly those sysdig delivers.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn summary_matches_sysdig_on_every_shared_capture() {
    let golden = root().join("tests/golden/lists");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&golden)
        .expect("tests/golden/lists")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(capture) = name
            .strip_prefix("summary_")
            .and_then(|n| n.strip_suffix(".out"))
        else {
            continue;
        };
        let path = root()
            .join("../shared/captures")
            .join(format!("{capture}.scap"));
        assert!(
            path.exists(),
            "{} is missing: the shared captures must sit beside the repository",
            path.display()
        );
        for extra in [&["-q"][..], &[][..]] {
            let out = Command::new(env!("CARGO_BIN_EXE_sonde"))
                .args(["dig", "-r"])
                .arg(&path)
                .arg("-S")
                .args(extra)
                .env("TZ", "UTC")
                .output()
                .expect("run sonde");
            assert!(
                out.status.success(),
                "{capture}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let want = std::fs::read(e.path()).expect("golden");
            // Without -q the event lines come first; the table ends the output.
            assert!(
                out.stdout.ends_with(&want),
                "{capture} {extra:?}: the summary differs from sysdig's"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} summaries checked");
}
