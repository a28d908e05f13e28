//! Where files attached to incidents live (captures, and what the evidence
//! issue gathers): a directory of the server's own (`<data>/artefacts/`,
//! the default) or an S3 bucket (fleet mode: then two servers behind one
//! address see the same files, and a server keeps none of its own).
//!
//! Both move bytes as streams — put from a file or a reader, get as a
//! reader — so an artefact is never held in memory whole. Keys are the
//! server's (`incidents/<id>/<n>-<name>`), checked here all the same: no
//! `..`, no empty or hidden segment, nothing that could leave the
//! directory. A put either stores the whole object or nothing (a temporary
//! file renamed into place; an abandoned S3 upload).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::s3::{S3, S3Config, S3Error};

/// An artefact store's failure.
#[derive(Debug, thiserror::Error)]
pub enum ArtefactError {
    #[error("artefact key {key:?}: {why}")]
    BadKey { key: String, why: &'static str },
    #[error("artefact {key:?} is not in {store}")]
    NotFound { key: String, store: String },
    #[error("artefacts in {path}: {what}: {source}")]
    Io {
        path: String,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    S3(#[from] S3Error),
    #[error("--artefacts {url:?}: {why}")]
    Config { url: String, why: String },
}

/// An artefact being read, and its size.
pub struct Object {
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
}

/// Where artefacts go.
pub enum Artefacts {
    Local(PathBuf),
    S3(S3),
}

/// Longest key taken (S3's own limit).
const MAX_KEY: usize = 1024;

/// Checks a key: 1 to 1024 bytes of segments split by `/`, none empty,
/// none starting with `.` (so no `..`, and the local store's temporary
/// files cannot be named), no control characters or backslashes.
pub fn check_key(key: &str) -> Result<(), ArtefactError> {
    let bad = |why| {
        Err(ArtefactError::BadKey {
            key: key.chars().take(200).collect(),
            why,
        })
    };
    if key.is_empty() || key.len() > MAX_KEY {
        return bad("a key is 1 to 1024 bytes");
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return bad("no control characters or backslashes in a key");
    }
    for seg in key.split('/') {
        if seg.is_empty() {
            return bad("no empty segment (a leading, trailing or doubled /)");
        }
        if seg.starts_with('.') {
            return bad("no segment starts with . (no .. or hidden names)");
        }
    }
    Ok(())
}

/// A file name as a key's last segment and a download's name: letters,
/// digits, `-`, `_` and `.` kept, anything else made `_`, no leading dot,
/// at most 100 bytes; `attachment` when nothing is left.
pub fn safe_name(name: &str) -> String {
    let mut s: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while s.starts_with('.') {
        s.remove(0);
    }
    s.truncate(100);
    if s.is_empty() { "attachment".into() } else { s }
}

fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> ArtefactError {
    let path = path.display().to_string();
    move |source| ArtefactError::Io { path, what, source }
}

impl Artefacts {
    /// The store a `--artefacts` value names: `s3://bucket[/prefix]?endpoint=http://host:port[&region=R]`
    /// (credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN` in `env`), a directory (a path, or `file://`),
    /// or `<data>/artefacts` when none is given.
    pub fn from_url(
        url: Option<&str>,
        data: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Artefacts, ArtefactError> {
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            return Ok(Artefacts::Local(data.join("artefacts")));
        };
        let fail = |why: String| ArtefactError::Config {
            url: url.to_string(),
            why,
        };
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(Artefacts::Local(PathBuf::from(path)));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            if url.contains("://") {
                return Err(fail(
                    "not s3://BUCKET/PREFIX?endpoint=... nor a directory".into(),
                ));
            }
            return Ok(Artefacts::Local(PathBuf::from(url)));
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(fail(format!(
                "bucket {bucket:?} is not 3 to 63 of [a-z0-9.-]"
            )));
        }
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() {
            check_key(prefix).map_err(|e| fail(e.to_string()))?;
        }
        let mut endpoint = None;
        let mut region = env("AWS_REGION").unwrap_or_else(|| "us-east-1".into());
        for kv in query.split('&').filter(|kv| !kv.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = crate::http::percent_decode(v);
            match k {
                "endpoint" => endpoint = Some(v),
                "region" => region = v,
                other => {
                    return Err(fail(format!(
                        "unknown parameter {other:?} (endpoint, region)"
                    )));
                }
            }
        }
        let endpoint = endpoint.ok_or_else(|| {
            fail("no endpoint=http://HOST:PORT (sonde speaks to S3 over http://; use a TLS proxy for https)".into())
        })?;
        let endpoint = crate::client::Target::parse(&endpoint).map_err(fail)?;
        let key = |name: &str| {
            env(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| fail(format!("{name} is not set in the environment")))
        };
        let credentials = crate::sigv4::Credentials {
            access_key: key("AWS_ACCESS_KEY_ID")?,
            secret_key: key("AWS_SECRET_ACCESS_KEY")?,
            session_token: env("AWS_SESSION_TOKEN").filter(|v| !v.is_empty()),
        };
        Ok(Artefacts::S3(S3::new(S3Config {
            endpoint,
            region,
            bucket: bucket.to_string(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
            credentials,
        })))
    }

    /// Where they are, for logs and errors (no secrets).
    pub fn describe(&self) -> String {
        match self {
            Artefacts::Local(dir) => dir.display().to_string(),
            Artefacts::S3(s) => {
                let c = s.config();
                format!("s3://{}/{} at {}", c.bucket, c.prefix, c.endpoint)
            }
        }
    }

    /// Makes the directory, or the bucket when it is missing.
    pub fn prepare(&self) -> Result<(), ArtefactError> {
        match self {
            Artefacts::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(io(dir, "cannot create the directory"))
            }
            Artefacts::S3(s) => Ok(s.ensure_bucket()?),
        }
    }

    /// Stores `len` bytes read from `reader` under `key`, whole or not at
    /// all (a reader that ends early or fails stores nothing).
    pub fn put_reader(
        &self,
        key: &str,
        reader: &mut dyn Read,
        len: u64,
    ) -> Result<(), ArtefactError> {
        check_key(key)?;
        match self {
            Artefacts::S3(s) => Ok(s.put_reader(key, reader, len)?),
            Artefacts::Local(dir) => {
                let path = dir.join(key);
                let parent = path.parent().unwrap_or(dir);
                std::fs::create_dir_all(parent)
                    .map_err(io(parent, "cannot create the directory"))?;
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = parent.join(format!(
                    ".{file_name}.{}.part",
                    crate::state::random_hex(6).unwrap_or_default()
                ));
                let result = (|| {
                    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp, "cannot create"))?;
                    let copied = std::io::copy(&mut reader.take(len), &mut f)
                        .map_err(io(&tmp, "writing"))?;
                    if copied != len {
                        return Err(ArtefactError::Io {
                            path: tmp.display().to_string(),
                            what: "writing",
                            source: std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                format!("the source ended after {copied} of {len} bytes"),
                            ),
                        });
                    }
                    f.flush().map_err(io(&tmp, "writing"))?;
                    f.sync_all().map_err(io(&tmp, "syncing"))?;
                    std::fs::rename(&tmp, &path).map_err(io(&path, "cannot rename into place"))
                })();
                if result.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                result
            }
        }
    }

    /// Stores a file under `key`; its size.
    pub fn put_file(&self, key: &str, path: &Path) -> Result<u64, ArtefactError> {
        check_key(key)?;
        match self {
            Artefacts::S3(s) => Ok(s.put_file(key, path)?),
            Artefacts::Local(_) => {
                let mut f = std::fs::File::open(path).map_err(io(path, "cannot open"))?;
                let len = f.metadata().map_err(io(path, "cannot stat"))?.len();
                self.put_reader(key, &mut f, len)?;
                Ok(len)
            }
        }
    }

    /// An artefact as a stream.
    pub fn get(&self, key: &str) -> Result<Object, ArtefactError> {
        check_key(key)?;
        match self {
            Artefacts::S3(s) => match s.get(key) {
                Ok((len, body)) => Ok(Object {
                    len,
                    reader: Box::new(body),
                }),
                Err(e) if e.is_not_found() => Err(ArtefactError::NotFound {
                    key: key.into(),
                    store: self.describe(),
                }),
                Err(e) => Err(e.into()),
            },
            Artefacts::Local(dir) => {
                let path = dir.join(key);
                let f = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(ArtefactError::NotFound {
                            key: key.into(),
                            store: self.describe(),
                        });
                    }
                    Err(e) => return Err(io(&path, "cannot open")(e)),
                };
                let len = f.metadata().map_err(io(&path, "cannot stat"))?.len();
                Ok(Object {
                    len,
                    reader: Box::new(f.take(len)),
                })
            }
        }
    }

    /// An artefact's size, `None` when it is not there.
    pub fn head(&self, key: &str) -> Result<Option<u64>, ArtefactError> {
        check_key(key)?;
        match self {
            Artefacts::S3(s) => Ok(s.head(key)?),
            Artefacts::Local(dir) => match std::fs::metadata(dir.join(key)) {
                Ok(m) if m.is_file() => Ok(Some(m.len())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io(&dir.join(key), "cannot stat")(e)),
            },
        }
    }

    /// Removes an artefact (one that is not there is not an error).
    pub fn delete(&self, key: &str) -> Result<(), ArtefactError> {
        check_key(key)?;
        match self {
            Artefacts::S3(s) => Ok(s.delete(key)?),
            Artefacts::Local(dir) => match std::fs::remove_file(dir.join(key)) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io(&dir.join(key), "cannot remove")(e)),
            },
        }
    }

    /// Keys that start with `prefix` (any string, not only whole segments)
    /// and their sizes, sorted.
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, ArtefactError> {
        let mut out = match self {
            Artefacts::S3(s) => s.list(prefix)?,
            Artefacts::Local(dir) => {
                let mut out = Vec::new();
                // Only the directories the prefix can be under are walked.
                let base = match prefix.rfind('/') {
                    Some(i) => &prefix[..i],
                    None => "",
                };
                if !base.is_empty() {
                    check_key(base)?;
                }
                walk(dir, &dir.join(base), &mut out)?;
                out.retain(|(k, _)| k.starts_with(prefix));
                out
            }
        };
        out.sort();
        Ok(out)
    }
}

/// Files under `at` as keys relative to `root`; hidden names (temporary
/// files) skipped.
fn walk(root: &Path, at: &Path, out: &mut Vec<(String, u64)>) -> Result<(), ArtefactError> {
    let entries = match std::fs::read_dir(at) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(at, "cannot list")(e)),
    };
    for e in entries {
        let e = e.map_err(io(at, "cannot list"))?;
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        let meta = e.metadata().map_err(io(&path, "cannot stat"))?;
        if meta.is_dir() {
            walk(root, &path, out)?;
        } else if meta.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push((rel.to_string_lossy().into_owned(), meta.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(check_key("incidents/3/0-capture.scap").is_ok());
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            "../a",
            "a/../b",
            "a/.hidden",
            "a\\b",
            "a\nb",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert!(check_key(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("capture.scap"), "capture.scap");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("..."), "attachment");
        assert_eq!(safe_name("a b\"c;.txt"), "a_b_c_.txt");
        assert_eq!(safe_name(""), "attachment");
    }

    #[test]
    fn urls() {
        let env = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("AK".to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some("SK".to_string()),
            _ => None,
        };
        let data = Path::new("/d");
        assert!(matches!(
            Artefacts::from_url(None, data, &env).expect("test step"),
            Artefacts::Local(p) if p == Path::new("/d/artefacts")
        ));
        let a = Artefacts::from_url(
            Some("s3://sonde-art/fleet/a?endpoint=http://127.0.0.1:9000&region=eu-west-1"),
            data,
            &env,
        )
        .expect("test step");
        let Artefacts::S3(s) = &a else { panic!() };
        assert_eq!(s.config().prefix, "fleet/a/");
        assert_eq!(s.config().region, "eu-west-1");
        assert_eq!(
            a.describe(),
            "s3://sonde-art/fleet/a/ at http://127.0.0.1:9000"
        );
        let e = |u: &str, env: &dyn Fn(&str) -> Option<String>| {
            Artefacts::from_url(Some(u), data, env)
                .err()
                .expect("test step")
                .to_string()
        };
        assert!(e("s3://b?endpoint=http://x", &env).contains("bucket \"b\""));
        assert!(e("s3://bucket", &env).contains("no endpoint"));
        assert!(e("s3://bucket?endpoint=https://x", &env).contains("TLS proxy"));
        assert!(e("s3://bucket?endpoint=http://x&color=red", &env).contains("unknown parameter"));
        assert!(e("s3://bucket/../x?endpoint=http://x", &env).contains(".."));
        assert!(
            e("s3://bucket?endpoint=http://x", &|_| None).contains("AWS_ACCESS_KEY_ID is not set")
        );
        assert!(e("ftp://x", &env).contains("not s3://"));
    }

    #[test]
    fn local_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("sonde-artefacts-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = Artefacts::Local(dir.clone());
        a.prepare().expect("test step");
        a.put_reader("incidents/1/0-a.txt", &mut &b"hello"[..], 5)
            .expect("test step");
        assert_eq!(a.head("incidents/1/0-a.txt").expect("test step"), Some(5));
        let mut o = a.get("incidents/1/0-a.txt").expect("test step");
        let mut s = String::new();
        o.reader.read_to_string(&mut s).expect("test step");
        assert_eq!((o.len, s.as_str()), (5, "hello"));
        // A source that ends early stores nothing, and leaves no temporary file.
        let e = a
            .put_reader("incidents/1/1-b.txt", &mut &b"abc"[..], 10)
            .expect_err("an error");
        assert!(e.to_string().contains("ended after 3 of 10"), "{e}");
        assert_eq!(a.head("incidents/1/1-b.txt").expect("test step"), None);
        assert_eq!(
            a.list("incidents/").expect("test step"),
            vec![("incidents/1/0-a.txt".to_string(), 5)]
        );
        assert_eq!(a.list("incidents/1/0").expect("test step").len(), 1);
        assert!(a.list("incidents/2/").expect("test step").is_empty());
        a.delete("incidents/1/0-a.txt").expect("test step");
        a.delete("incidents/1/0-a.txt").expect("test step");
        assert!(matches!(
            a.get("incidents/1/0-a.txt"),
            Err(ArtefactError::NotFound { .. })
        ));
        assert!(matches!(a.get("../x"), Err(ArtefactError::BadKey { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
