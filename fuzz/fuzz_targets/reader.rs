//! The capture-file reader over arbitrary bytes, and what `sonde dig` does
//! with the blocks it yields: metadata staged and imported into the state
//! engine at the first event (in libsinsp's order, as in
//! `crates/sonde/src/dig.rs`), every event then run through the state engine
//! with a few filters evaluated where `sonde dig` evaluates its filter, and
//! printed with sysdig's default format, a format of state-reading fields and
//! JSON. Nothing may panic, whatever the bytes.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sonde_event::LEGACY_EVENT_COUNT;
use sonde_event::render::RenderOptions;
use sonde_filter::{Ctx, Filter};
use sonde_output::{DEFAULT_FORMAT, Formatter};
use sonde_scap::{Block, BlockReader};
use sonde_state::{EventMeta, Opening, State};

/// Extra fields beyond the default format: the ones that read the state.
const EXTRA_FORMAT: &str = "%fd.name %fd.type %fd.cip %fd.sport %proc.cmdline %proc.pname %proc.exepath \
                            %container.id %container.name %user.name %group.name %evt.res %evt.rawres \
                            %evt.latency %thread.vtid %proc.cwd %fd.num";

fn formatters() -> &'static [Formatter] {
    static F: OnceLock<Vec<Formatter>> = OnceLock::new();
    F.get_or_init(|| {
        [
            (DEFAULT_FORMAT, false),
            (EXTRA_FORMAT, false),
            (DEFAULT_FORMAT, true),
        ]
        .iter()
        .filter_map(|(f, json)| Formatter::new(f, *json).ok())
        .collect()
    })
}

/// Filters over the fields that read the state, the arguments and the
/// buffers, with every kind of operator.
const FILTERS: &[&str] = &[
    "evt.type in (open, openat, read, write, close) and fd.name contains /etc",
    "proc.name = cat or proc.pname glob 'ba*' or user.name = root or group.name != root",
    "fd.type = ipv4 and fd.sport > 1024 or fd.cip = 127.0.0.1 or fd.sip = 10.0.0.2 or fd.rport != 80",
    "evt.is_io = true and fd.l4proto = tcp or fd.typechar = u",
    "not container.id = host and evt.res != SUCCESS and evt.failed = true",
    "evt.buffer bcontains 48454c4c4f or evt.arg.name startswith /tmp or evt.rawarg.fd < 3",
    "proc.cmdline contains sh and thread.tid exists and evt.latency > 1000",
    "proc.exepath endswith /bash or proc.cwd icontains ROOT or proc.env contains HOME",
    "fd.directory = /tmp or fd.filename in (passwd, shadow) or fd.num >= 0",
];

fn filters() -> &'static [Filter] {
    static F: OnceLock<Vec<Filter>> = OnceLock::new();
    F.get_or_init(|| {
        FILTERS
            .iter()
            .filter_map(|f| Filter::compile(f).ok())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let mut reader = BlockReader::new(data);
    let mut state = State::new();
    let mut opening = Opening::default();
    let render = RenderOptions::default();
    let mut line = Vec::new();
    // Bounds the work per input (a block is at least 12 bytes anyway).
    for _ in 0..10_000 {
        let block = match reader.next_block() {
            Ok(Some(b)) => b,
            Ok(None) | Err(_) => break,
        };
        let ev = match block {
            Block::Event(ev) => ev,
            other => {
                opening.stage(other);
                continue;
            }
        };
        // The parameter accessors must be safe on any decoded event.
        for i in 0..ev.nparams() + 1 {
            std::hint::black_box((
                ev.param(i),
                ev.param_int(i),
                ev.param_i64(i),
                ev.param_str(i),
            ));
        }
        if !opening.before_event(&mut state, &ev) {
            continue;
        }
        if usize::from(ev.ty) >= LEGACY_EVENT_COUNT {
            continue;
        }
        let meta = {
            let mut f = |st: &State, e: &sonde_event::RawEvent<'_>, m: &EventMeta| {
                let ctx = Ctx {
                    state: st,
                    ev: e,
                    meta: m,
                    render: &render,
                    tz_offset: 0,
                };
                filters()
                    .iter()
                    .fold(false, |any, flt| flt.matches(&ctx) | any)
            };
            state.process_with(&ev, Some(&mut f))
        };
        let ctx = Ctx {
            state: &state,
            ev: &ev,
            meta: &meta,
            render: &render,
            tz_offset: 0,
        };
        for f in formatters() {
            line.clear();
            f.write(&ctx, &mut line);
        }
    }
});
