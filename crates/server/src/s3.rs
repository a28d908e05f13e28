//! Sonde's own S3 client, just what artefacts need: PUT (streamed from a
//! reader; from a file with the payload hashed in a first pass), GET
//! (streamed to the caller), HEAD, DELETE, ListObjectsV2, and creating the
//! bucket when it is missing. Path-style addressing
//! (`http://endpoint/bucket/key`), so any S3-compatible store answers
//! (MinIO, Ceph, moto, AWS through a TLS proxy), signed with SigV4
//! ([`crate::sigv4`]).
//!
//! Every error names the operation, the bucket and key and the endpoint,
//! with S3's own `<Code>` and `<Message>` when it sent them.

use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::client::{Body, BodyReader, Client, ClientError, Reply, Target, Timeouts};
use crate::sigv4::{self, Credentials, Scope, Unsigned};

/// Where objects go.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub endpoint: Target,
    pub region: String,
    pub bucket: String,
    /// Put before every key (`sonde/`); empty for none.
    pub prefix: String,
    pub credentials: Credentials,
}

/// An S3 failure, naming what was asked of whom: `S3 PUT
/// s3://bucket/key at http://endpoint: ...`.
#[derive(Debug, thiserror::Error)]
#[error("S3 {what}: {failure}")]
pub struct S3Error {
    /// The operation, the object and the endpoint.
    pub what: String,
    #[source]
    pub failure: S3Failure,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum S3Failure {
    /// The store could not be reached or stopped answering.
    #[error("{0}")]
    Transport(ClientError),
    /// The store answered with an error (S3's `<Code>` and `<Message>`).
    #[error("HTTP {status} {code}: {message}")]
    Service {
        status: u16,
        code: String,
        message: String,
    },
    /// The local file to send.
    #[error("{path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An answer sonde cannot use.
    #[error("{0}")]
    Answer(String),
}

impl S3Error {
    /// Whether S3 said the object (or bucket) is not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self.failure, S3Failure::Service { status: 404, .. })
    }

    /// S3's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match &self.failure {
            S3Failure::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// An S3 bucket (or a prefix in one).
pub struct S3 {
    config: S3Config,
    /// To the endpoint, its connections kept alive between requests
    /// (boxed, so `Artefacts::S3` does not dwarf its local variant).
    client: Box<Client>,
    /// Set once the bucket is known to exist (made if it was missing).
    bucket_ready: AtomicBool,
    /// Keys per ListObjectsV2 page (`None`: the store's own, 1000 on S3).
    list_page: Option<u32>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `&amp;` and friends, and `&#NN;`, decoded.
fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let ent = &rest[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of each `<tag>…</tag>` in `doc`, in order (S3's answers are
/// flat enough that this is all the XML reading needed).
fn xml_all<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

fn xml_first(doc: &str, tag: &str) -> Option<String> {
    xml_all(doc, tag).first().map(|s| xml_unescape(s))
}

impl S3 {
    pub fn new(config: S3Config) -> S3 {
        S3 {
            client: Box::new(Client::for_target(
                config.endpoint.clone(),
                Timeouts::default(),
            )),
            config,
            bucket_ready: AtomicBool::new(false),
            list_page: None,
        }
    }

    /// With smaller list pages (tests walk several pages with few keys).
    pub fn with_list_page(mut self, keys: u32) -> S3 {
        self.list_page = Some(keys.max(1));
        self
    }

    /// With other timeouts (tests make a dead store fail fast).
    pub fn with_timeouts(mut self, t: Timeouts) -> S3 {
        self.client = Box::new(Client::for_target(self.config.endpoint.clone(), t));
        self
    }

    /// Connections to the store kept alive for the next request (for tests
    /// and diagnostics).
    pub fn idle_connections(&self) -> usize {
        self.client.idle_connections()
    }

    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// `OP s3://bucket/key at http://endpoint`, for errors.
    fn what(&self, op: &str, key: &str) -> String {
        format!(
            "{op} s3://{}/{key} at {}",
            self.config.bucket, self.config.endpoint
        )
    }

    fn fail(&self, op: &str, key: &str, failure: S3Failure) -> S3Error {
        S3Error {
            what: self.what(op, key),
            failure,
        }
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}{key}", self.config.prefix)
    }

    /// One signed request to `/bucket[/key]`.
    fn send(
        &self,
        op: &'static str,
        method: &str,
        key: Option<&str>,
        query: &[(String, String)],
        body: Body,
        payload_hash: &str,
    ) -> Result<Reply, S3Error> {
        let c = &self.config;
        let mut path = format!("/{}", sigv4::uri_encode(&c.bucket, false));
        if let Some(k) = key {
            path.push('/');
            path.push_str(&sigv4::uri_encode(k, true));
        }
        let amz_date = sigv4::amz_date(now());
        let mut headers = vec![
            ("host".to_string(), c.endpoint.host_header()),
            ("x-amz-content-sha256".to_string(), payload_hash.to_string()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        if let Some(t) = &c.credentials.session_token {
            headers.push(("x-amz-security-token".into(), t.clone()));
        }
        let scope = Scope {
            amz_date: &amz_date,
            region: &c.region,
            service: "s3",
        };
        let auth = sigv4::authorization(
            &c.credentials,
            &scope,
            &Unsigned {
                method,
                path: &path,
                query,
                headers: &headers,
                payload_hash,
            },
        );
        // The client writes Host itself.
        headers.remove(0);
        headers.push(("Authorization".into(), auth));
        let mut target = path;
        if !query.is_empty() {
            let q: Vec<String> = query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        sigv4::uri_encode(k, false),
                        sigv4::uri_encode(v, false)
                    )
                })
                .collect();
            target.push('?');
            target.push_str(&q.join("&"));
        }
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.client
            .send(method, &target, &headers, body)
            .map_err(|e| self.fail(op, key.unwrap_or(""), S3Failure::Transport(e)))
    }

    /// An answer that is not 2xx as an error, with S3's code and message.
    fn check(&self, op: &'static str, key: &str, r: Reply) -> Result<Reply, S3Error> {
        if (200..300).contains(&r.status) {
            return Ok(r);
        }
        let status = r.status;
        let body = r.read_to_vec(64 << 10).unwrap_or_default();
        let doc = String::from_utf8_lossy(&body);
        let code = xml_first(&doc, "Code").unwrap_or_else(|| {
            match status {
                404 => "NotFound",
                403 => "Forbidden",
                400 => "BadRequest",
                _ => "Error",
            }
            .to_string()
        });
        let message = xml_first(&doc, "Message").unwrap_or_else(|| {
            if doc.trim().is_empty() {
                "(no message)".into()
            } else {
                doc.chars().take(300).collect()
            }
        });
        Err(self.fail(
            op,
            key,
            S3Failure::Service {
                status,
                code,
                message,
            },
        ))
    }

    /// Makes the bucket unless it is there (once per process; again after
    /// a failure).
    pub fn ensure_bucket(&self) -> Result<(), S3Error> {
        if self.bucket_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let r = self.send(
            "HEAD bucket",
            "HEAD",
            None,
            &[],
            Body::Empty,
            sigv4::EMPTY_SHA256,
        )?;
        match self.check("HEAD bucket", "", r) {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {
                let body = if self.config.region == "us-east-1" {
                    String::new()
                } else {
                    format!(
                        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                        self.config.region
                    )
                };
                let hash = sigv4::sha256_hex(body.as_bytes());
                let r = self.send(
                    "create bucket",
                    "PUT",
                    None,
                    &[],
                    Body::Bytes(body.as_bytes()),
                    &hash,
                )?;
                match self.check("create bucket", "", r) {
                    Ok(_) => {}
                    // Made at the same time by another server.
                    Err(e)
                        if matches!(
                            e.code(),
                            Some("BucketAlreadyOwnedByYou" | "BucketAlreadyExists")
                        ) => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
        self.bucket_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Stores `len` bytes from `reader` (not hashed: `UNSIGNED-PAYLOAD`).
    /// A reader that ends early abandons the upload; S3 keeps nothing.
    pub fn put_reader(&self, key: &str, reader: &mut dyn Read, len: u64) -> Result<(), S3Error> {
        self.ensure_bucket()?;
        let full = self.full_key(key);
        let r = self.send(
            "PUT",
            "PUT",
            Some(&full),
            &[],
            Body::Reader { reader, len },
            sigv4::UNSIGNED_PAYLOAD,
        )?;
        self.check("PUT", &full, r).map(|_| ())
    }

    /// Stores a file: read once to hash it (so S3 checks what it received
    /// against the signature), then again to send it. Its size.
    pub fn put_file(&self, key: &str, path: &std::path::Path) -> Result<u64, S3Error> {
        self.ensure_bucket()?;
        let full = self.full_key(key);
        let file_err = |source| {
            self.fail(
                "PUT",
                &full,
                S3Failure::File {
                    path: path.display().to_string(),
                    source,
                },
            )
        };
        let mut f = std::fs::File::open(path).map_err(file_err)?;
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut buf = vec![0u8; 64 << 10];
        let mut len = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(file_err)?;
            if n == 0 {
                break;
            }
            sha2::Digest::update(&mut hasher, &buf[..n]);
            len += n as u64;
        }
        let hash = sigv4::hex(&sha2::Digest::finalize(hasher));
        f.rewind().map_err(file_err)?;
        let r = self.send(
            "PUT",
            "PUT",
            Some(&full),
            &[],
            Body::Reader {
                reader: &mut f,
                len,
            },
            &hash,
        )?;
        self.check("PUT", &full, r)?;
        Ok(len)
    }

    /// An object as a stream, and its size.
    pub fn get(&self, key: &str) -> Result<(u64, BodyReader), S3Error> {
        let full = self.full_key(key);
        let r = self.send(
            "GET",
            "GET",
            Some(&full),
            &[],
            Body::Empty,
            sigv4::EMPTY_SHA256,
        )?;
        let r = self.check("GET", &full, r)?;
        let len = r.body.remaining().ok_or_else(|| {
            self.fail(
                "GET",
                &full,
                S3Failure::Answer("the answer has no Content-Length".into()),
            )
        })?;
        Ok((len, r.body))
    }

    /// An object's size; `None` when it is not there.
    pub fn head(&self, key: &str) -> Result<Option<u64>, S3Error> {
        let full = self.full_key(key);
        let r = self.send(
            "HEAD",
            "HEAD",
            Some(&full),
            &[],
            Body::Empty,
            sigv4::EMPTY_SHA256,
        )?;
        match self.check("HEAD", &full, r) {
            Ok(r) => Ok(r.header("content-length").and_then(|v| v.parse().ok())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes an object (one that is not there is not an error: S3 says
    /// 204 either way).
    pub fn delete(&self, key: &str) -> Result<(), S3Error> {
        let full = self.full_key(key);
        let r = self.send(
            "DELETE",
            "DELETE",
            Some(&full),
            &[],
            Body::Empty,
            sigv4::EMPTY_SHA256,
        )?;
        self.check("DELETE", &full, r).map(|_| ())
    }

    /// Keys under `prefix` (without the configured prefix) and their sizes,
    /// every page of ListObjectsV2.
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, S3Error> {
        let full = self.full_key(prefix);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = vec![
                ("list-type".to_string(), "2".to_string()),
                ("prefix".to_string(), full.clone()),
            ];
            if let Some(t) = &token {
                q.push(("continuation-token".into(), t.clone()));
            }
            if let Some(n) = self.list_page {
                q.push(("max-keys".into(), n.to_string()));
            }
            let r = self.send("list", "GET", None, &q, Body::Empty, sigv4::EMPTY_SHA256)?;
            let r = self.check("list", &full, r)?;
            let body = r
                .read_to_vec(64 << 20)
                .map_err(|e| self.fail("list", &full, S3Failure::Transport(e)))?;
            let doc = String::from_utf8_lossy(&body);
            for c in xml_all(&doc, "Contents") {
                let key = xml_first(c, "Key").unwrap_or_default();
                let size = xml_first(c, "Size")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let key = key
                    .strip_prefix(&self.config.prefix)
                    .unwrap_or(&key)
                    .to_string();
                out.push((key, size));
            }
            let more = xml_first(&doc, "IsTruncated").is_some_and(|t| t == "true");
            token = xml_first(&doc, "NextContinuationToken");
            if !more || token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml() {
        let doc = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b</Key><Size>3</Size></Contents><Contents><Key>c&#x20;d&#33;</Key><Size>4</Size></Contents></ListBucketResult>";
        let c = xml_all(doc, "Contents");
        assert_eq!(c.len(), 2);
        assert_eq!(xml_first(c[0], "Key").expect("test step"), "a&b");
        assert_eq!(xml_first(c[1], "Key").expect("test step"), "c d!");
        assert_eq!(xml_first(doc, "IsTruncated").expect("test step"), "false");
        assert_eq!(xml_unescape("x & y &bogus; &lt"), "x & y &bogus; &lt");
    }
}
