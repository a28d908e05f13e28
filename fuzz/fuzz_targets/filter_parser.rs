//! The filter language: parsing and compiling arbitrary text must return a
//! filter or an error, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sonde_filter::parser::parse(text);
    if let Err(sonde_filter::FilterError::Parse { pointer, msg, .. }) =
        sonde_filter::Filter::compile(text)
    {
        // The error message is built from positions into the text.
        std::hint::black_box((pointer, msg));
    }
});
