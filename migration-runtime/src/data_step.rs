//! Rust data steps: `m.run_rust(function)` calls a function of the history
//! module on the migration's connection, inside the migration's
//! transaction, for data changes SQL cannot express.
//!
//! The function is given the [`AnyConnection`] (a diesel connection on
//! either backend) and sees the tables as they stand at that step of
//! history in `schema_at::<function>`, which `#[migrations]` generates:
//!
//! ```
//! #[migration_runtime::migrations]
//! mod history {
//!     use diesel::prelude::*;
//!     use migration_runtime::{AnyConnection, DataStepResult};
//!
//!     /// Members.
//!     #[migration(id = "2024_01_10_000001")]
//!     fn create_members(m: &mut Up) {
//!         m.create_table("members", |t| {
//!             t.id("id");
//!             t.column("email", text());
//!         });
//!     }
//!
//!     /// Emails in lower case, as Rust lowercases them (SQLite's lower() knows ASCII only).
//!     #[migration(id = "2024_01_11_000001", irreversible = "the original case is not kept")]
//!     fn lowercase_emails(m: &mut Up) {
//!         m.run_rust(lowercase_emails_step);
//!     }
//!
//!     fn lowercase_emails_step(conn: &mut AnyConnection) -> DataStepResult {
//!         use schema_at::lowercase_emails_step::members::dsl::*;
//!         let rows: Vec<(i64, String)> = members.select((id, email)).load(conn)?;
//!         for (key, old) in rows {
//!             diesel::update(members.find(key))
//!                 .set(email.eq(old.to_lowercase()))
//!                 .execute(conn)?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! use diesel::connection::SimpleConnection;
//! let mut conn = migration_runtime::AnyConnection::establish(":memory:")?;
//! conn.run_next_migration(history::MIGRATIONS)?;
//! conn.batch_execute("INSERT INTO members (email) VALUES ('ÉLODIE@EXAMPLE.ORG')")?;
//! conn.run_pending_migrations(history::MIGRATIONS)?;
//! let emails = conn.text_column("SELECT email AS v FROM members")?;
//! assert_eq!(emails, [Some("élodie@example.org".to_owned())]);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

pub mod sql_types;

use std::fmt;

use migration_model::Op;

use crate::connection::{AnyConnection, BoxError};
use crate::error::Error;
use crate::migration::Migration;

/// What a Rust step's function returns: a diesel error converts with `?`,
/// and so does any other error the function wants to stop the migration with.
pub type DataStepResult = Result<(), BoxError>;

/// A Rust step's function.
pub type DataStepFn = fn(&mut AnyConnection) -> DataStepResult;

/// A function a migration's Rust steps call, by its name in the history module.
#[derive(Clone, Copy)]
pub struct DataStep {
    name: &'static str,
    function: DataStepFn,
}

impl DataStep {
    #[doc(hidden)]
    /// Used by the code `#[migrations]` generates.
    pub const fn __new(name: &'static str, function: DataStepFn) -> Self {
        DataStep { name, function }
    }

    /// The function's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for DataStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataStep({})", self.name)
    }
}

/// The function a Rust step calls, when `op` is one.
pub(crate) fn function_of(op: &Op) -> Option<&str> {
    match op {
        Op::RunRust { function, .. } => Some(function),
        _ => None,
    }
}

/// Runs `function`, a Rust step of `migration` (see [`function_of`]), on
/// `conn`, which the caller has inside the migration's transaction; an
/// error names the migration and the step, and the caller rolls the
/// migration back.
pub(crate) fn run(
    conn: &mut AnyConnection,
    migration: &Migration,
    function: &str,
) -> Result<(), Error> {
    let step = migration
        .data_steps()
        .iter()
        .find(|step| step.name == function)
        .ok_or_else(|| Error::Model {
            migration: migration.id().to_owned(),
            message: format!("no function `{function}` is given for its Rust step"),
        })?;
    // A panic in the author's code is that step's failure like an error:
    // the migration is rolled back, and the runner (and the application
    // embedding it) goes on to report it.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (step.function)(conn)))
        .unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(format!("panicked: {message}").into())
        });
    outcome.map_err(|source| Error::DataStep {
        migration: migration.id().to_owned(),
        function: function.to_owned(),
        source,
    })
}
