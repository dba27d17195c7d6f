//! Typed, reversible schema and data migrations on diesel.
//!
//! Write the history as Rust in a `#[migrations]` module; the macro checks
//! every step against the schema of its moment and compiles the module into
//! a [`MigrationSet`], which diesel's own `MigrationHarness` can run on
//! PostgreSQL and SQLite.
//!
//! ```
//! #[migration_runtime::migrations]
//! mod history {
//!     /// Members of the association.
//!     #[migration(id = "2024_01_10_000001")]
//!     fn create_members(m: &mut Up) {
//!         m.create_table("members", |t| {
//!             t.id("id");
//!             t.column("email", varchar(255).unique());
//!             t.column("phone_number", varchar(20).nullable());
//!         });
//!     }
//!
//!     /// Longer phone numbers.
//!     #[migration(id = "2024_01_12_000001")]
//!     fn widen_phone(m: &mut Up) {
//!         m.change_type("members", "phone_number", varchar(50));
//!     }
//! }
//!
//! use diesel::Connection;
//! use diesel_migrations::MigrationHarness;
//!
//! let mut conn = diesel::SqliteConnection::establish(":memory:")?;
//! let applied = conn.run_pending_migrations(history::MIGRATIONS)?;
//! assert_eq!(applied.len(), 2);
//! conn.revert_last_migration(history::MIGRATIONS)?;
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! The language, step by step, is in the README.

pub mod autogenerate;
pub mod backup;
pub mod catalog;
pub mod cli;
mod connection;
pub mod data_step;
pub mod dialect;
mod diesel_source;
mod error;
mod migration;
pub mod review;
pub mod revision;
pub mod runner;
pub mod schema_rs;
mod set;
pub mod sqlite_functions;
mod sqlite_integers;
mod sqlite_reals;
pub mod testing;

pub use connection::{AnyConnection, BoxError, MultiBackend, backend_of};
pub use data_step::{DataStep, DataStepFn, DataStepResult};
pub use dialect::Backend;
pub use error::Error;
pub use migration::{Downgrade, Migration};
pub use migration_macros::migrations;
pub use runner::Runner;
pub use set::{Direction, MigrationSet, Mode, PlannedStep};
pub use sqlite_functions::register_sqlite_functions;

/// The operation and schema model the migrations are made of.
pub use migration_model as model;
