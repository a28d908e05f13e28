//! Block type identifiers.

/// The block types of the scap format, with their pre-release `_INT` aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockType {
    SectionHeader,
    MachineInfo,
    /// A process list, version 1 to 9.
    ProcessList(u8),
    /// An fd list, version 1 or 2.
    FdList(u8),
    /// An interface list, version 1 or 2.
    InterfaceList(u8),
    /// A user and group list, version 1 or 2.
    UserList(u8),
    /// An event block. `flags`: an EVF block (with dump flags); `v2`: a 26-byte
    /// event header with a parameter count; `large`: may exceed 64 KiB.
    Event {
        flags: bool,
        v2: bool,
        large: bool,
    },
    Unknown(u32),
}

impl BlockType {
    pub const SHB: u32 = 0x0A0D_0D0A;

    pub fn from_u32(v: u32) -> BlockType {
        use BlockType::*;
        match v {
            Self::SHB => SectionHeader,
            0x201 | 0x8002_ABCD => MachineInfo,
            0x202 | 0x8000_ABCD => ProcessList(1),
            0x207 | 0x8013_ABCD => ProcessList(2),
            0x209 | 0x8014_ABCD => ProcessList(3),
            0x210 => ProcessList(4),
            0x211 => ProcessList(5),
            0x212 => ProcessList(6),
            0x213 => ProcessList(7),
            0x214 => ProcessList(8),
            0x215 => ProcessList(9),
            0x203 | 0x8001_ABCD => FdList(1),
            0x218 => FdList(2),
            0x205 | 0x8011_ABCD => InterfaceList(1),
            0x219 => InterfaceList(2),
            0x206 | 0x8012_ABCD => UserList(1),
            0x220 => UserList(2),
            0x204 | 0x8010_ABCD => Event {
                flags: false,
                v2: false,
                large: false,
            },
            0x216 => Event {
                flags: false,
                v2: true,
                large: false,
            },
            0x221 => Event {
                flags: false,
                v2: true,
                large: true,
            },
            0x208 => Event {
                flags: true,
                v2: false,
                large: false,
            },
            0x217 => Event {
                flags: true,
                v2: true,
                large: false,
            },
            0x222 => Event {
                flags: true,
                v2: true,
                large: true,
            },
            other => Unknown(other),
        }
    }

    /// The identifier a writer uses for this block type (never an `_INT`
    /// alias).
    pub fn to_u32(self) -> u32 {
        use BlockType::*;
        match self {
            SectionHeader => Self::SHB,
            MachineInfo => 0x201,
            ProcessList(v) => match v {
                1 => 0x202,
                2 => 0x207,
                3 => 0x209,
                4 => 0x210,
                5 => 0x211,
                6 => 0x212,
                7 => 0x213,
                8 => 0x214,
                _ => 0x215,
            },
            FdList(1) => 0x203,
            FdList(_) => 0x218,
            InterfaceList(1) => 0x205,
            InterfaceList(_) => 0x219,
            UserList(1) => 0x206,
            UserList(_) => 0x220,
            Event {
                flags: false,
                v2: false,
                ..
            } => 0x204,
            Event {
                flags: false,
                v2: true,
                large: false,
            } => 0x216,
            Event {
                flags: false,
                v2: true,
                large: true,
            } => 0x221,
            Event {
                flags: true,
                v2: false,
                ..
            } => 0x208,
            Event {
                flags: true,
                v2: true,
                large: false,
            } => 0x217,
            Event {
                flags: true,
                v2: true,
                large: true,
            } => 0x222,
            Unknown(v) => v,
        }
    }

    /// A short name for messages ("PL_V9", "EV_V2", …).
    pub fn name(self) -> String {
        use BlockType::*;
        match self {
            SectionHeader => "SHB".into(),
            MachineInfo => "MI".into(),
            ProcessList(v) => format!("PL_V{v}"),
            FdList(v) => format!("FDL_V{v}"),
            InterfaceList(v) => format!("IL_V{v}"),
            UserList(v) => format!("UL_V{v}"),
            Event { flags, v2, large } => format!(
                "{}{}{}",
                if flags { "EVF" } else { "EV" },
                if v2 { "_V2" } else { "" },
                if large { "_LARGE" } else { "" }
            ),
            Unknown(v) => format!("unknown block 0x{v:X}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for id in [
            0x0A0D_0D0A,
            0x201,
            0x202,
            0x207,
            0x209,
            0x210,
            0x211,
            0x212,
            0x213,
            0x214,
            0x215,
            0x203,
            0x218,
            0x205,
            0x219,
            0x206,
            0x220,
            0x204,
            0x216,
            0x221,
            0x208,
            0x217,
            0x222,
        ] {
            assert_eq!(BlockType::from_u32(id).to_u32(), id, "{id:#x}");
        }
        assert_eq!(BlockType::from_u32(0x8010_ABCD), BlockType::from_u32(0x204));
        assert_eq!(BlockType::from_u32(0x1234), BlockType::Unknown(0x1234));
    }
}
