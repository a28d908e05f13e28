//! The sysdig/Falco filter language.
//!
//! [`parser`] turns a filter string such as
//! `proc.name = cat and not fd.name startswith /etc` into the [`ast::Expr`]
//! tree, following the grammar of falcosecurity/libs
//! (`userspace/libsinsp/filter/parser.cpp`). Everything here is pure: no I/O.

pub mod ast;
pub mod parser;
