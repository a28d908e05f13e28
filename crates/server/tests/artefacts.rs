//! The artefact store against a real S3 endpoint (moto, started here):
//! every operation, signatures verified by moto's IAM, and a store that is
//! down giving an error that names it. (The 64 MiB streaming test is
//! artefacts_big.rs: a binary of its own, so that nothing else in the
//! process moves its peak memory.)

mod moto;

use std::io::Read;

use sonde_server::artefacts::{ArtefactError, Artefacts};
use sonde_server::s3::S3;

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sonde-artefacts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn every_operation_against_moto_with_signatures_checked() {
    let moto = moto::start(true);
    let store = Artefacts::S3(S3::new(moto.config("sonde-artefacts", "fleet/")));
    // The bucket does not exist yet: it is made.
    store.prepare().expect("bucket made");
    store.prepare().expect("made once, then known");
    let dir = temp("ops");
    let file = dir.join("capture.scap");
    std::fs::write(&file, b"a capture\n").expect("write");
    // A key with a space, a `$`, and non-ASCII: encoded once, signed as sent.
    let keys = [
        "incidents/1/0-capture.scap",
        "incidents/1/1-evidence $1 é.txt",
        "incidents/2/0-x",
    ];
    assert_eq!(store.put_file(keys[0], &file).expect("put file"), 10);
    store
        .put_reader(keys[1], &mut &b"from a reader"[..], 13)
        .expect("put reader");
    store
        .put_reader(keys[2], &mut &b""[..], 0)
        .expect("empty object");
    assert_eq!(store.head(keys[0]).expect("head"), Some(10));
    assert_eq!(store.head(keys[1]).expect("head"), Some(13));
    assert_eq!(store.head("incidents/9/none").expect("head"), None);
    let mut o = store.get(keys[1]).expect("get");
    let mut got = String::new();
    o.reader.read_to_string(&mut got).expect("read");
    assert_eq!((o.len, got.as_str()), (13, "from a reader"));
    assert_eq!(
        store.list("incidents/1/").expect("list"),
        vec![(keys[0].to_string(), 10), (keys[1].to_string(), 13)]
    );
    assert_eq!(store.list("").expect("list").len(), 3);
    store.delete(keys[0]).expect("delete");
    assert_eq!(store.head(keys[0]).expect("head"), None);
    assert!(matches!(
        store.get(keys[0]),
        Err(ArtefactError::NotFound { .. })
    ));
    assert!(matches!(
        store.put_reader("../x", &mut &b"x"[..], 1),
        Err(ArtefactError::BadKey { .. })
    ));

    // A source that ends early leaves nothing behind.
    let e = store
        .put_reader("incidents/3/short", &mut &b"abc"[..], 1000)
        .expect_err("short");
    assert!(e.to_string().contains("ended after 3 of 1000"), "{e}");
    assert_eq!(store.head("incidents/3/short").expect("head"), None);

    // The wrong secret: moto's IAM refuses the signature, and the error says
    // so with S3's code, the bucket, the key and the endpoint.
    let mut bad = moto.config("sonde-artefacts", "fleet/");
    bad.credentials.secret_key.push('x');
    let e = S3::new(bad)
        .head("incidents/1/1-x")
        .expect_err("bad signature");
    let msg = e.to_string();
    assert!(msg.contains("HTTP 403"), "{msg}");
    assert!(
        msg.contains("s3://sonde-artefacts/fleet/incidents/1/1-x"),
        "{msg}"
    );
    assert!(msg.contains(&moto.endpoint()), "{msg}");
    let mut bad = moto.config("sonde-artefacts", "fleet/");
    bad.credentials.secret_key.push('x');
    let e = S3::new(bad).get(keys[1]).err().expect("bad signature");
    assert!(e.to_string().contains("SignatureDoesNotMatch"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_that_is_down_is_named_in_the_error() {
    let mut moto = moto::start(false);
    let config = moto.config("gone", "");
    let endpoint = moto.endpoint();
    moto.stop();
    let store = Artefacts::S3(S3::new(config));
    for e in [
        store.prepare().expect_err("down"),
        store
            .put_reader("a/b", &mut &b"x"[..], 1)
            .expect_err("down"),
        store.get("a/b").err().expect("down"),
    ] {
        let msg = e.to_string();
        assert!(
            msg.contains(&endpoint) && msg.contains("cannot connect"),
            "{msg}"
        );
        assert!(msg.contains("s3://gone/"), "{msg}");
    }
}

#[test]
fn listing_walks_every_page_and_a_bucket_is_made_in_its_region() {
    let moto = moto::start(false);
    let mut config = moto.config("paged-eu", "p/");
    config.region = "eu-west-1".into();
    let s3 = S3::new(config).with_list_page(2);
    // Made with a LocationConstraint (outside us-east-1 S3 wants one).
    s3.ensure_bucket().expect("bucket in eu-west-1");
    let mut want = Vec::new();
    for i in 0..7 {
        let key = format!("incidents/{i}/0-x");
        s3.put_reader(&key, &mut &b"1234567"[..i], i as u64)
            .expect("put");
        want.push((key, i as u64));
    }
    s3.put_reader("other/0-x", &mut &b"1"[..], 1).expect("put");
    let mut got = s3.list("incidents/").expect("list");
    got.sort();
    want.sort();
    assert_eq!(got, want, "7 keys over 4 pages of 2");
}

/// moto (werkzeug) ends every answer with `Connection: close`: the
/// client honours it, pooling nothing, and every operation still works,
/// an object streamed whole or dropped half read alike. (Reuse itself is
/// shown against VictoriaMetrics, which keeps connections alive: tests/
/// victoria.rs.)
#[test]
fn a_store_that_closes_every_connection_is_never_sent_on_a_closed_one() {
    let moto = moto::start(false);
    let s3 = S3::new(moto.config("closing", ""));
    s3.ensure_bucket().expect("bucket");
    let big = vec![7u8; 1 << 20];
    for i in 0..3 {
        s3.put_reader(&format!("k{i}"), &mut &big[..], big.len() as u64)
            .expect("put");
    }
    assert_eq!(s3.head("k0").expect("head"), Some(1 << 20));
    assert_eq!(s3.head("none").expect("head"), None);
    assert_eq!(s3.list("").expect("list").len(), 3);
    let (_, mut body) = s3.get("k2").expect("get");
    let mut some = [0u8; 100];
    body.read_exact(&mut some).expect("read");
    drop(body);
    let (len, mut body) = s3.get("k1").expect("get");
    let mut got = Vec::new();
    body.read_to_end(&mut got).expect("read");
    assert_eq!((len, got == big), (1 << 20, true));
    s3.delete("k2").expect("delete");
    assert_eq!(s3.head("k2").expect("head"), None);
    assert_eq!(s3.idle_connections(), 0, "nothing pooled");
}
