//! The store's error type: every variant says which file (and where in it) or which input failed.

use std::path::{Path, PathBuf};

/// Errors from the store. I/O errors carry the path; damage carries the file and byte offset.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file operation failed (a full disk shows up here, from the WAL write or its fsync).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file's content is damaged; the part named is skipped.
    #[error("{}: damaged at byte {offset}: {reason}", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Byte offset of the damaged record, chunk or footer.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// A matcher's regex does not compile.
    #[error("bad matcher {matcher}: {reason}")]
    BadMatcher {
        /// The matcher as written.
        matcher: String,
        /// The regex compiler's message.
        reason: String,
    },
    /// A sample names a series id that was never created.
    #[error("unknown series id {0}")]
    UnknownSeries(u32),
    /// The group commit this batch belonged to failed; nothing of the batch is acknowledged.
    #[error("write-ahead log commit failed: {0}")]
    Commit(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result with the store's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
