//! Every decoder of what a server sends, fed valid replies mangled at
//! random (bytes flipped, cut, inserted, dropped): each must answer with a
//! value or an error, never a panic. Deterministic (a fixed-seed
//! xorshift), so a failure reproduces.

use super::mysql::wire as my;
use super::{memcached, nginx, redis};
use sonde_pgwire::proto as pg;

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// `seed` with one to four random edits.
    fn mangle(&mut self, seed: &[u8]) -> Vec<u8> {
        let mut b = seed.to_vec();
        for _ in 0..=self.below(4) {
            let at = self.below(b.len() + 1);
            match self.below(5) {
                0 if at < b.len() => b[at] = self.next() as u8,
                1 => b.truncate(at),
                2 => b.insert(at, self.next() as u8),
                3 if at < b.len() => {
                    b.remove(at);
                }
                // Interesting bytes for these protocols.
                _ => b.insert(
                    at,
                    [0, 0xFE, 0xFF, 0xFB, b'\r', b'\n', b'*', b'$', b'-'][self.below(9)],
                ),
            }
        }
        b
    }
}

const ROUNDS: usize = 3000;

#[test]
fn text_decoders_never_panic() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let seeds: &[&[u8]] = &[
        b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
        b"$12\r\n# Server\r\nx:1\r\n",
        b"# Keyspace\r\ndb0:keys=10,expires=2\r\nslave0:ip=a,port=1,state=online,offset=9,lag=1\r\n",
        b"STAT pid 1\r\nSTAT items:1:evicted_nonzero 3\r\nEND\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde",
        b"Active connections: 1 \nserver accepts handled requests\n 1 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n",
    ];
    for _ in 0..ROUNDS {
        let pick = r.below(seeds.len());
        let input = r.mangle(seeds[pick]);
        let _ = redis::decode(&input);
        let text = String::from_utf8_lossy(&input);
        let _ = redis::parse_info(&text);
        let _ = memcached::parse_stats(&text);
        let _ = memcached::parse_items(&text);
        let _ = nginx::parse_response(&input);
        let _ = nginx::is_complete(&input);
        let _ = nginx::parse_stub_status(&text);
    }
}

#[test]
fn mysql_decoders_never_panic() {
    let mut r = Rng(0xD1B5_4A32_D192_ED03);
    let greeting: &[u8] = b"\x0a5.5.5-10.11.6-MariaDB\0\x07\0\0\0abcdefgh\0\xfe\xf7\x2d\x02\0\xbf\x81\x15\0\0\0\0\0\0\0\0\0\0ijklmnopqrst\0mysql_native_password\0";
    let coldef: &[u8] = b"\x03def\0\0\0\x05Value\x05Value\x0c\x2d\0\0\0\0\0\xfd\0\0\0\0\0";
    let row: &[u8] = b"\x0aCom_select\x0242";
    let eof: &[u8] = b"\xfe\0\0\x02\0";
    for _ in 0..ROUNDS {
        let _ = my::parse_handshake(&r.mangle(greeting));
        let _ =
            my::parse_auth_reply(&r.mangle(b"\xfemysql_native_password\0abcdefghijklmnopqrst\0"));
        let _ = my::parse_err(&r.mangle(b"\xff\x15\x04#28000Access denied"));
        let _ = my::read_packet(&mut r.mangle(b"\x05\0\0\x03hello").as_slice());
        let mut packets = vec![
            r.mangle(b"\x02"),
            r.mangle(coldef),
            r.mangle(coldef),
            r.mangle(eof),
            r.mangle(row),
            r.mangle(eof),
        ]
        .into_iter();
        let _ = my::read_result_set(|| {
            packets
                .next()
                .ok_or_else(|| my::WireError::Io(std::io::ErrorKind::UnexpectedEof.into()))
        });
    }
}

#[test]
fn postgres_decoders_never_panic() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let desc: &[u8] = b"\0\x02state\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0count\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    let data: &[u8] = b"\0\x02\0\0\0\x06active\xff\xff\xff\xff";
    for _ in 0..ROUNDS {
        let _ = pg::parse_auth(&r.mangle(b"\0\0\0\x0aSCRAM-SHA-256\0\0"));
        let _ = pg::parse_auth(&r.mangle(b"\0\0\0\x05abcd"));
        let _ = pg::parse_error(&r.mangle(b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"));
        let _ = pg::read_message(&mut r.mangle(b"Z\0\0\0\x05I").as_slice());
        let mut sc = pg::Scram::new("abc");
        if sc
            .client_final(&r.mangle(b"r=abcdef,s=QUJDRA==,i=16"), "pw")
            .is_ok()
        {
            let _ = sc.verify_server(&r.mangle(b"v=QUJDRA=="));
        }
        let kind = [b'T', b'D', b'C', b'E', b'Z'][r.below(5)];
        let mut msgs = vec![
            (kind, r.mangle(desc)),
            (b'D', r.mangle(data)),
            (b'C', r.mangle(b"SELECT 1\0")),
            (b'Z', b"I".to_vec()),
        ]
        .into_iter();
        let _ = pg::read_query_reply(|| {
            msgs.next()
                .ok_or_else(|| pg::WireError::Io(std::io::ErrorKind::UnexpectedEof.into()))
        });
    }
}
