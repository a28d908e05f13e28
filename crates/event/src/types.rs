//! The vocabulary of the event table: parameter types, print formats,
//! categories and flags, with the numeric values the scap format uses.

/// The type of one event parameter (`PT_*` in the driver's public header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParamType {
    None = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Uint8 = 5,
    Uint16 = 6,
    Uint32 = 7,
    Uint64 = 8,
    /// A printable NUL-terminated string.
    Charbuf = 9,
    /// Raw bytes, cut to the snaplen.
    Bytebuf = 10,
    /// An `i64` that holds a negative errno on failure.
    Errno = 11,
    Sockaddr = 12,
    Socktuple = 13,
    Fd = 14,
    Pid = 15,
    Fdlist = 16,
    Fspath = 17,
    Syscallid = 18,
    Sigtype = 19,
    Reltime = 20,
    Abstime = 21,
    Port = 22,
    L4proto = 23,
    Sockfamily = 24,
    Bool = 25,
    Ipv4addr = 26,
    Dyn = 27,
    Flags8 = 28,
    Flags16 = 29,
    Flags32 = 30,
    Uid = 31,
    Gid = 32,
    Double = 33,
    Sigset = 34,
    Charbufarray = 35,
    CharbufPairArray = 36,
    Ipv4net = 37,
    Ipv6addr = 38,
    Ipv6net = 39,
    Ipaddr = 40,
    Ipnet = 41,
    Mode = 42,
    Fsrelpath = 43,
}

/// How a numeric parameter is printed (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PrintFormat {
    Na = 0,
    Dec = 1,
    Hex = 2,
    Padded10Dec = 3,
    Id = 4,
    Dir = 5,
    Oct = 6,
}

/// Event categories (`EC_*`). A category is one value, except that
/// [`category::INTERNAL`] may be or-ed onto another.
pub mod category {
    pub const UNKNOWN: u32 = 0;
    pub const OTHER: u32 = 1;
    pub const FILE: u32 = 2;
    pub const NET: u32 = 3;
    pub const IPC: u32 = 4;
    pub const MEMORY: u32 = 5;
    pub const PROCESS: u32 = 6;
    pub const SLEEP: u32 = 7;
    pub const SYSTEM: u32 = 8;
    pub const SIGNAL: u32 = 9;
    pub const USER: u32 = 10;
    pub const TIME: u32 = 11;
    pub const PROCESSING: u32 = 12;
    pub const IO_BASE: u32 = 32;
    pub const IO_READ: u32 = 32;
    pub const IO_WRITE: u32 = 33;
    pub const IO_OTHER: u32 = 34;
    pub const WAIT: u32 = 64;
    pub const SCHEDULER: u32 = 128;
    pub const INTERNAL: u32 = 256;
}

/// Event flags (`EF_*`), a bit set.
pub mod flags {
    pub const NONE: u32 = 0;
    pub const CREATES_FD: u32 = 1 << 0;
    pub const DESTROYS_FD: u32 = 1 << 1;
    pub const USES_FD: u32 = 1 << 2;
    pub const READS_FROM_FD: u32 = 1 << 3;
    pub const WRITES_TO_FD: u32 = 1 << 4;
    pub const MODIFIES_STATE: u32 = 1 << 5;
    pub const UNUSED: u32 = 1 << 6;
    pub const WAITS: u32 = 1 << 7;
    pub const SKIPPARSERESET: u32 = 1 << 8;
    pub const OLD_VERSION: u32 = 1 << 9;
    pub const DROP_SIMPLE_CONS: u32 = 1 << 10;
    /// Parameter lengths are `u32` instead of `u16`.
    pub const LARGE_PAYLOAD: u32 = 1 << 11;
}

/// One named value of a flags or enum parameter (`ppm_name_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameValue {
    pub name: &'static str,
    pub value: u32,
}

/// What a parameter's `info` pointer refers to in the driver's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamExtra {
    None,
    /// The names of a flags/enum parameter, in table order.
    Flags(&'static [NameValue]),
    /// For an `Fsrelpath`: the index of the dirfd parameter it is relative to.
    DirFd(u8),
    /// For a `Dyn` parameter: the first byte of the value selects one of these
    /// descriptions, and the rest of the value is typed by it.
    Dynamic(&'static [ParamInfo]),
}

/// The description of one parameter (`ppm_param_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    pub name: &'static str,
    pub ty: ParamType,
    pub fmt: PrintFormat,
    pub extra: ParamExtra,
}

/// The description of one event type (`ppm_event_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    pub name: &'static str,
    /// A [`category`] value.
    pub category: u32,
    /// A set of [`flags`].
    pub flags: u32,
    pub params: &'static [ParamInfo],
}

/// How an integer parameter type is read as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntKind {
    Signed,
    Unsigned,
}

impl ParamType {
    /// Whether values of this type are signed or unsigned integers (flags,
    /// ids, times and ports are unsigned); `None` for every other type.
    pub fn int_kind(self) -> Option<IntKind> {
        use ParamType as P;
        match self {
            P::Int8 | P::Int16 | P::Int32 | P::Int64 | P::Errno | P::Fd | P::Pid => {
                Some(IntKind::Signed)
            }
            P::Uint8
            | P::Uint16
            | P::Uint32
            | P::Uint64
            | P::Port
            | P::Reltime
            | P::Abstime
            | P::Flags8
            | P::Flags16
            | P::Flags32
            | P::Mode
            | P::Uid
            | P::Gid
            | P::Sigtype
            | P::Syscallid
            | P::L4proto
            | P::Sockfamily
            | P::Sigset => Some(IntKind::Unsigned),
            _ => None,
        }
    }
}

impl EventInfo {
    #[inline]
    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether parameter lengths are stored as `u32` (else `u16`).
    #[inline]
    pub fn large_payload(&self) -> bool {
        self.has_flag(flags::LARGE_PAYLOAD)
    }

    /// The index of the parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}
