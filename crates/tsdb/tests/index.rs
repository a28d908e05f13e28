//! The series index: matchers, label listing, persistence across reopen.

use sonde_tsdb::{MatchOp, Matcher, SeriesKey, Store};

use crate::util::{TempDir, manual};

fn names(store: &Store, ms: &[Matcher]) -> Vec<String> {
    store
        .select(ms)
        .into_iter()
        .filter_map(|id| store.series_key(id))
        .map(|k| k.to_string())
        .collect()
}

#[test]
fn matchers_select_like_prometheus() {
    let dir = TempDir::new("index");
    let store = Store::open(dir.path(), manual()).expect("open");
    for (name, labels) in [
        ("cpu.user", vec![("host", "web-1")]),
        ("cpu.user", vec![("host", "web-2")]),
        ("cpu.user", vec![("host", "db-1"), ("service", "mysql")]),
        ("memory.used", vec![("host", "web-1")]),
    ] {
        store
            .series_id(&SeriesKey::new(name, &labels))
            .expect("create");
    }
    let m = |l: &str, op, v: &str| Matcher::new(l, op, v).expect("valid matcher");
    assert_eq!(
        names(&store, &[Matcher::eq("host", "web-1")]),
        [r#"cpu.user{host="web-1"}"#, r#"memory.used{host="web-1"}"#]
    );
    assert_eq!(
        names(
            &store,
            &[
                Matcher::name("cpu.user"),
                m("host", MatchOp::Regex, "web-.*")
            ]
        )
        .len(),
        2
    );
    assert_eq!(
        names(
            &store,
            &[
                Matcher::name("cpu.user"),
                m("host", MatchOp::NotRegex, "web-.*")
            ]
        ),
        [r#"cpu.user{host="db-1",service="mysql"}"#]
    );
    assert_eq!(
        names(
            &store,
            &[
                m("host", MatchOp::NotEqual, "web-1"),
                Matcher::name("cpu.user")
            ]
        )
        .len(),
        2
    );
    // An absent label matches "" (so `service=""` means "has no service label").
    assert_eq!(
        names(
            &store,
            &[Matcher::eq("service", ""), Matcher::name("cpu.user")]
        )
        .len(),
        2
    );
    // A regex alone picks its series through the label's values (in id order); one that accepts the
    // empty value also keeps series without the label; one on an absent label keeps nothing.
    assert_eq!(
        names(
            &store,
            &[m("__name__", MatchOp::Regex, "cpu\\..*|memory.used")]
        ),
        [
            r#"cpu.user{host="web-1"}"#,
            r#"cpu.user{host="web-2"}"#,
            r#"cpu.user{host="db-1",service="mysql"}"#,
            r#"memory.used{host="web-1"}"#
        ]
    );
    assert_eq!(
        names(
            &store,
            &[
                m("service", MatchOp::Regex, "|mysql"),
                m("host", MatchOp::Regex, "db-.*|web-2")
            ]
        ),
        [
            r#"cpu.user{host="web-2"}"#,
            r#"cpu.user{host="db-1",service="mysql"}"#
        ]
    );
    assert!(names(&store, &[m("zone", MatchOp::Regex, ".+")]).is_empty());
    assert_eq!(names(&store, &[m("zone", MatchOp::Regex, ".*")]).len(), 4);
    // The regex is anchored: "web" alone matches nothing.
    assert!(names(&store, &[m("host", MatchOp::Regex, "web")]).is_empty());
    assert!(names(&store, &[Matcher::eq("host", "nope")]).is_empty());
    assert!(Matcher::new("host", MatchOp::Regex, "(").is_err());

    assert_eq!(
        store.label_values("__name__", &[Matcher::eq("host", "web-1")]),
        ["cpu.user", "memory.used"]
    );
    assert_eq!(store.label_values("host", &[]), ["db-1", "web-1", "web-2"]);
    assert_eq!(store.label_names(), ["__name__", "host", "service"]);
}

#[test]
fn series_ids_survive_reopen_and_a_torn_log_tail() {
    let dir = TempDir::new("index-reopen");
    let (a, b) = {
        let store = Store::open(dir.path(), manual()).expect("open");
        let a = store
            .series_id(&SeriesKey::new("x", &[("host", "a")]))
            .expect("a");
        let b = store
            .series_id(&SeriesKey::new("x", &[("host", "b")]))
            .expect("b");
        (a, b)
    };
    // A crash while writing a third record leaves half of it.
    let log = dir.path().join("series.log");
    let mut bytes = std::fs::read(&log).expect("read");
    bytes.extend_from_slice(&[40, 0, 0, 0, 1, 2]);
    std::fs::write(&log, &bytes).expect("write");
    let store = Store::open(dir.path(), manual()).expect("reopen");
    assert_eq!(
        store
            .series_id(&SeriesKey::new("x", &[("host", "b")]))
            .expect("b"),
        b
    );
    assert_eq!(
        store
            .series_id(&SeriesKey::new("x", &[("host", "a")]))
            .expect("a"),
        a
    );
    let c = store
        .series_id(&SeriesKey::new("x", &[("host", "c")]))
        .expect("c");
    assert_eq!(c, 2);
    drop(store);
    let store = Store::open(dir.path(), manual()).expect("reopen again");
    assert_eq!(
        store.series_key(c),
        Some(SeriesKey::new("x", &[("host", "c")]))
    );
}
