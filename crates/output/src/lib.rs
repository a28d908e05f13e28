//! Printing events the way sysdig prints them: the `-p` format language with
//! its `<NA>` rules ([`format`]), JSON lines (`-j`), and (beside them) the
//! field and event lists and the `-S` summary.

pub mod format;
pub mod list;
pub mod summary;

pub use format::{DEFAULT_FORMAT, Formatter};
