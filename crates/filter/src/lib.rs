//! The sysdig/Falco filter language and the fields it reads.
//!
//! [`parser`] turns a filter string such as
//! `proc.name = cat and not fd.name startswith /etc` into the [`ast::Expr`]
//! tree, following the grammar of falcosecurity/libs
//! (`userspace/libsinsp/filter/parser.cpp`). [`fields`] names every field,
//! [`extract`] takes their values from an event and the state engine, and
//! [`eval`] compiles an expression into a [`Filter`] that decides whether an
//! event matches. Nothing here does I/O.

pub mod ast;
pub mod catalog;
pub mod eval;
pub mod extract;
pub mod fields;
pub mod parser;
pub mod prefilter;
pub mod time;
pub mod value;

pub use eval::{Filter, FilterError};
pub use extract::Ctx;
pub use fields::{Field, FieldError, FieldSpec};
pub use value::Val;
