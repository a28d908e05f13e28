//! The scap capture-file format, as sysdig and Falco write it: a pcapng-like
//! sequence of blocks (section header, machine info, process, fd, interface
//! and user lists, event blocks).
//!
//! [`BlockReader`] splits any [`std::io::Read`] into blocks and decodes them;
//! [`records`] parses the metadata blocks. Nothing here opens files or knows
//! about gzip: the `sonde-capture` crate does that and hands us a reader.
//! See `../shared/docs/scap-format.md` for the format.

pub mod block;
mod reader;
pub mod records;
pub mod writer;

pub use block::BlockType;
pub use reader::{Block, BlockReader, ErrorKind, EventFrame, ReadError};
pub use records::{
    FdRecord, FdRecordKind, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserList,
    UserRecord,
};
pub use writer::{BlockWriter, encode_event_v1, encode_event_v2};
