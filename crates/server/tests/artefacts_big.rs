//! A 64 MiB object through the S3 artefact store, both ways (from a file,
//! hashed then sent; from a reader, unsigned), read back byte-identical,
//! and the process's peak memory not growing by the object's size: the
//! bytes are streamed, never held. Alone in its binary so that no other
//! test moves the peak.

mod moto;

use std::io::{Read, Write};

use sonde_server::artefacts::Artefacts;
use sonde_server::s3::S3;

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sonde-artefacts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Peak resident memory of this process so far (kB).
fn peak_rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("status");
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_64_mib_object_streams_both_ways() {
    const SIZE: u64 = 64 << 20;
    let moto = moto::start(false);
    let store = Artefacts::S3(S3::new(moto.config("big", "")));
    let dir = temp("big");
    let file = dir.join("big.bin");
    // A pattern that is not all zeroes, written in 1 MiB pieces.
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
        let mut block = vec![0u8; 1 << 20];
        for i in 0..(SIZE >> 20) {
            for (j, b) in block.iter_mut().enumerate() {
                *b = (i as usize * 31 + j * 7 + j / 4096) as u8;
            }
            sha2::Digest::update(&mut hasher, &block);
            f.write_all(&block).expect("write");
        }
        f.flush().expect("flush");
    }
    let want = sonde_server::sigv4::hex(&sha2::Digest::finalize(hasher));
    let before = peak_rss_kb();
    // From a file (hashed, then sent) and from a reader (unsigned payload).
    assert_eq!(store.put_file("big/file", &file).expect("put file"), SIZE);
    let mut f = std::fs::File::open(&file).expect("open");
    store
        .put_reader("big/reader", &mut f, SIZE)
        .expect("put reader");
    for key in ["big/file", "big/reader"] {
        let mut o = store.get(key).expect("get");
        assert_eq!(o.len, SIZE);
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut buf = vec![0u8; 256 << 10];
        let mut n = 0u64;
        loop {
            let k = o.reader.read(&mut buf).expect("read");
            if k == 0 {
                break;
            }
            n += k as u64;
            sha2::Digest::update(&mut hasher, &buf[..k]);
        }
        assert_eq!(n, SIZE, "{key}");
        assert_eq!(
            sonde_server::sigv4::hex(&sha2::Digest::finalize(hasher)),
            want,
            "{key}"
        );
    }
    let grew_mb = (peak_rss_kb().saturating_sub(before)) / 1024;
    println!("peak RSS grew {grew_mb} MiB moving 4 x 64 MiB");
    assert!(
        grew_mb < 16,
        "peak RSS grew {grew_mb} MiB: a 64 MiB object was held in memory"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
