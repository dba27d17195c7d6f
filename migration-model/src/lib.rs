//! The model shared by the `#[migrations]` macro and the runtime.
//!
//! A migration is a list of [`Op`]s: plain data that the macro builds at
//! compile time (as `static`s) and that the runtime renders to SQL. The same
//! [`Schema`] simulator runs in both places: the macro replays history to
//! check each step against the schema of its moment, and the runtime replays
//! it to know a table's full shape when SQLite must rebuild it.
//!
//! Every name and list is a [`Cow`] so that one type serves both as
//! compile-time constant data and as owned, mutable simulation state.

use std::borrow::Cow;

pub mod constant;
pub mod diff;
pub mod expr;
pub mod ident;
pub mod op;
pub mod predicate;
pub mod reverse;
pub mod review;
pub mod schema;
pub mod table;
#[cfg(test)]
mod test_tables;
pub mod types;

pub use constant::Constant;
pub use diff::diff;
pub use expr::{Expr, ExprError, Function, Literal};
pub use op::Op;
pub use reverse::{Lossy, reverse};
pub use schema::{Schema, SchemaError, Subject};
pub use table::{Check, Column, ColumnDefault, ForeignKey, Index, RefAction, Table, Unique};
pub use types::SqlType;

/// An identifier or text value: borrowed in generated statics, owned in simulation.
pub type Name = Cow<'static, str>;

/// A list: borrowed in generated statics, owned in simulation.
pub type List<T> = Cow<'static, [T]>;
