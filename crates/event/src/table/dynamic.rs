//! The descriptions of dynamic (`PT_DYN`) parameters (`dynamic_params_table.c`): the
//! first byte of such a value indexes one of these arrays, and the rest of the value is
//! typed by the entry. Generated from the C tables; this is a data table.

use super::p;
use crate::{ParamInfo, ParamType as T, PrintFormat as F};

/// `sockopt_dynamic_param` (libs e5c53d64, unchanged in HEAD).
pub static SOCKOPT_DYNAMIC_PARAM: [ParamInfo; 5] = [
    p("", T::Bytebuf, F::Hex),
    p("", T::Errno, F::Dec),
    p("", T::Uint32, F::Dec),
    p("", T::Uint64, F::Dec),
    p("", T::Reltime, F::Dec),
];

/// `ptrace_dynamic_param` (libs e5c53d64, unchanged in HEAD).
pub static PTRACE_DYNAMIC_PARAM: [ParamInfo; 2] =
    [p("", T::Uint64, F::Hex), p("", T::Sigtype, F::Dec)];

/// `bpf_dynamic_param` (libs e5c53d64, unchanged in HEAD).
pub static BPF_DYNAMIC_PARAM: [ParamInfo; 2] = [p("", T::Fd, F::Dec), p("", T::Errno, F::Dec)];

/// `keyctl_dynamic_param` (libs HEAD only).
pub static KEYCTL_DYNAMIC_PARAM: [ParamInfo; 2] =
    [p("", T::Int64, F::Dec), p("", T::Charbuf, F::Na)];
