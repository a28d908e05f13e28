//! The scap event table, the flag-name tables and the syscall table, as Rust data.
//!
//! The data lives in submodules generated from the C tables of libs (this is a data
//! table, not hand-written logic):
//! - [`events`]: [`EVENT_TABLE`], indexed by event type; types below
//!   [`LEGACY_EVENT_COUNT`] are libs e5c53d64's, the rest libs HEAD's;
//! - [`flag_tables`]: the `ppm_name_value` arrays (`FILE_FLAGS`, `CLONE_FLAGS`, …);
//! - [`dynamic`]: the `PT_DYN` parameter descriptions (`SOCKOPT_DYNAMIC_PARAM`, …);
//! - [`syscalls`]: [`SYSCALL_TABLE`], indexed by `PPM_SC_*` code;
//! - [`native`]: [`X86_64_SYSCALLS`], how the driver routes each x86_64 system call
//!   number to events.

mod dynamic;
mod events;
mod flag_tables;
mod native;
mod syscalls;
#[cfg(test)]
mod tests;

pub use dynamic::*;
pub use events::EVENT_TABLE;
pub use flag_tables::*;
pub use native::X86_64_SYSCALLS;
pub use syscalls::SYSCALL_TABLE;

use crate::{NameValue, ParamExtra, ParamInfo, ParamType, PrintFormat};

/// Event types known to libs e5c53d64, the base of Debian's sysdig 0.29.3.
pub const LEGACY_EVENT_COUNT: usize = 336;

/// One entry of the syscall table (`ppm_syscall_desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyscallInfo {
    /// The syscall's name, e.g. `"open"`; entry 0 is `"<unknown>"`.
    pub name: &'static str,
    /// A [`category`](crate::category) value.
    pub category: u32,
    /// A set of [`flags`](crate::flags).
    pub flags: u32,
}

/// How a capture records one native system call (`syscall_evt_pair` with the
/// call's `PPM_SC_*` code from `g_syscall_code_routing_table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeSyscall {
    /// The event type of the call's entry (`PPME_GENERIC_E`, 0, for calls
    /// without events of their own).
    pub enter: u16,
    /// The event type of the call's return (`PPME_GENERIC_X`, 1, likewise).
    pub exit: u16,
    /// A set of [`native_flags`].
    pub flags: u8,
    /// The call's `PPM_SC_*` code: an index into [`SYSCALL_TABLE`], what the
    /// generic events carry as their `ID`.
    pub ppm_sc: u16,
}

/// The driver's `UF_*` flags of a native system call.
pub mod native_flags {
    /// The driver's table has an entry for the call (its events may still be
    /// the generic pair, as for `pause`); calls without one are recorded as the
    /// generic pair.
    pub const USED: u8 = 1;
    /// Never dropped by the driver's sampling.
    pub const NEVER_DROP: u8 = 2;
    /// Dropped in the driver's "simple" mode.
    pub const ALWAYS_DROP: u8 = 4;
    /// Kept in the driver's "simple consumer" mode.
    pub const SIMPLEDRIVER_KEEP: u8 = 8;
}

/// A parameter with no extra information.
const fn p(name: &'static str, ty: ParamType, fmt: PrintFormat) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::None,
    }
}

/// A flags or enum parameter, named by `names`.
const fn pf(
    name: &'static str,
    ty: ParamType,
    fmt: PrintFormat,
    names: &'static [NameValue],
) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::Flags(names),
    }
}

/// A path relative to the directory fd in parameter `dirfd` (`DIRFD_PARAM(dirfd)`).
const fn rel(name: &'static str, fmt: PrintFormat, dirfd: u8) -> ParamInfo {
    ParamInfo {
        name,
        ty: ParamType::Fsrelpath,
        fmt,
        extra: ParamExtra::DirFd(dirfd),
    }
}

/// A dynamic parameter, typed by one entry of `table`.
const fn pd(name: &'static str, fmt: PrintFormat, table: &'static [ParamInfo]) -> ParamInfo {
    ParamInfo {
        name,
        ty: ParamType::Dyn,
        fmt,
        extra: ParamExtra::Dynamic(table),
    }
}
