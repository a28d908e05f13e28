//! Whatever the input, the parsers give a value or an error, never a
//! panic: connection URLs (configuration a user types), replies (bytes a
//! server, or something pretending to be one, sends), and the placeholder
//! rewrite (any SQL text), which also keeps everything but placeholders.

use proptest::prelude::*;
use sonde_pgwire::Config;
use sonde_pgwire::placeholders::to_dollar;
use sonde_pgwire::proto::{self, WireError};

proptest! {
    #[test]
    fn any_url_parses_or_is_an_error(url in "(postgres(ql)?://)?[ -~é]{0,60}") {
        let _ = Config::parse(&url);
        let _ = sonde_pgwire::redact(&url);
    }

    #[test]
    fn any_sql_rewrites_without_panic(sql in "[ -~é\n]{0,80}") {
        let out = to_dollar(&sql);
        // Without question marks nothing changes.
        if !sql.contains('?') {
            prop_assert_eq!(&out, &sql);
        }
        // Every placeholder became a number; nothing else was touched.
        let strip = |s: &str| s.replace(|c: char| c == '?' || c == '$' || c.is_ascii_digit(), "");
        prop_assert_eq!(strip(&out), strip(&sql));
    }

    #[test]
    fn any_reply_decodes_or_is_an_error(
        msgs in proptest::collection::vec(
            (prop_oneof![Just(b'T'), Just(b'D'), Just(b'C'), Just(b'E'), Just(b'1'), Just(b'2'), Just(b'n'), any::<u8>()],
             proptest::collection::vec(any::<u8>(), 0..40)),
            0..8,
        )
    ) {
        let mut it = msgs.into_iter().chain(std::iter::once((b'Z', b"I".to_vec())));
        let _ = proto::read_query_reply(|| {
            it.next().ok_or_else(|| WireError::Io(std::io::ErrorKind::UnexpectedEof.into()))
        });
    }

    #[test]
    fn any_auth_or_error_body_decodes_or_is_an_error(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = proto::parse_auth(&body);
        let e = proto::parse_error(&body);
        let _ = e.is_broken();
    }
}
