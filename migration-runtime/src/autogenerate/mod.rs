//! `revision --autogenerate`: the next migration, written from the
//! difference between the application's `schema.rs` and the schema at the
//! head of history, without a database.
//!
//! ```
//! use migration_runtime::autogenerate::{generate, write};
//!
//! #[migration_runtime::migrations]
//! mod history {
//!     #[migration(id = "2024_01_10_000001")]
//!     fn create_members(m: &mut Up) {
//!         m.create_table("members", |t| {
//!             t.id("id");
//!         });
//!     }
//! }
//!
//! let schema_rs = "diesel::table! { members (id) { id -> Int8, #[max_length = 20] phone -> Nullable<Varchar>, } }";
//! let changes = generate(history::MIGRATIONS, schema_rs, &[])?;
//! assert_eq!(
//!     write(&changes),
//!     "        m.add_column(\"members\", \"phone\", varchar(20).nullable());\n"
//! );
//! # Ok::<(), migration_runtime::Error>(())
//! ```
//!
//! What `schema.rs` cannot say (defaults, indexes, checks, unique
//! constraints, the precision of a `Numeric`) is kept as the history has
//! it. A step that loses data is written plainly, with a comment: the macro
//! refuses it until its author gives its way back. Anything else only the
//! author can decide is written as `todo!("..")`, which the macro refuses
//! with that message.

pub(crate) mod cli;
mod compare;
mod drift;
mod plan;
mod rename;
mod write;

pub use compare::{Change, compare};
pub use drift::drift;
pub use rename::Rename;
pub use write::{BODY_INDENT, write};

use crate::error::Error;
use crate::set::MigrationSet;

/// The steps that bring the head of `set` to the `schema.rs` source
/// `schema_rs`, with `renames` written as renames; empty when they agree.
pub fn generate(
    set: MigrationSet,
    schema_rs: &str,
    renames: &[Rename],
) -> Result<Vec<Change>, Error> {
    compare(
        &set.head_schema()?,
        &crate::schema_rs::parse(schema_rs)?,
        renames,
    )
}
