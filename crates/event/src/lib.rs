//! The scap event table and zero-copy event decoding.
//!
//! This crate knows what every event type of the scap format is called, which
//! parameters it carries and how they are typed (the table of libs e5c53d64,
//! which Debian's sysdig 0.29.3 is built on, plus the newer types seen in real
//! captures). It decodes an event's bytes into a [`RawEvent`] view without
//! copying, and renders parameters as sysdig prints them.
//!
//! It does no I/O: the capture-file reader and the live capture both hand it
//! byte slices.

mod decode;
pub mod render;
mod table;
mod types;

pub use decode::{DecodeError, HeaderVersion, Layout, MAX_PARAMS, RawEvent, fixed_width};
pub use table::*;
pub use types::*;

/// The table entry for an event type, if the type is known.
#[inline]
pub fn event_info(ty: u16) -> Option<&'static EventInfo> {
    EVENT_TABLE.get(ty as usize)
}

/// Enter events have even type numbers, exit events odd ones.
#[inline]
pub fn is_enter(ty: u16) -> bool {
    ty & 1 == 0
}
