//! Comparing a `schema.rs` with the schema at the head of history: the
//! steps that turn one into the other, in an order the schema model
//! accepts (renames; keys and indexes out of the way; new tables and
//! columns; type and NULL changes; drops; new keys), each with what its
//! author must know or decide.

use migration_model::{Op, Schema};

use super::Rename;
use super::plan::Plan;
use crate::error::Error;
use crate::schema_rs::{DeclaredType, SchemaRs};

/// One step of the migration to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The step; `None` when there is only something to decide.
    pub op: Option<Op>,
    /// `//` lines written above it: why it is there, or what the author
    /// must add before it compiles (the macro then refuses it until they do).
    pub comments: Vec<String>,
    /// A decision only the author can make, written as `todo!("..")` above
    /// the step: the migration does not compile until it is made.
    pub decide: Option<String>,
}

/// The steps that turn `head` into the schema `declared` describes, with
/// `renames` written as renames; empty when they already agree.
pub fn compare(
    head: &Schema,
    declared: &SchemaRs,
    renames: &[Rename],
) -> Result<Vec<Change>, Error> {
    check_declared(declared)?;
    Plan::new(head, declared).steps(renames)
}

/// What `schema.rs` declares must be something the migration language can write.
fn check_declared(declared: &SchemaRs) -> Result<(), Error> {
    for table in &declared.tables {
        for column in &table.columns {
            if DeclaredType::of(column) == DeclaredType::Unsupported {
                return Err(Error::Autogenerate(format!(
                    "column `{}.{}` is `{}` in schema.rs, which the migration language has no type for: \
                     write this change by hand with m.sql(..)",
                    table.name, column.name, column.ty
                )));
            }
        }
        for key in &table.primary_key {
            if table.column(key).is_none() {
                return Err(Error::Autogenerate(format!(
                    "table `{}` in schema.rs has primary key `{key}`, which is none of its columns",
                    table.name
                )));
            }
        }
    }
    for join in &declared.joinables {
        let child = declared.table(&join.child);
        let parent = declared.table(&join.parent);
        let (Some(child), Some(parent)) = (child, parent) else {
            return Err(Error::Autogenerate(format!(
                "{join} in schema.rs names a table that has no table! entry"
            )));
        };
        if child.column(&join.column).is_none() {
            return Err(Error::Autogenerate(format!(
                "{join} in schema.rs: `{}` has no column `{}`",
                child.name, join.column
            )));
        }
        if parent.primary_key.len() != 1 {
            return Err(Error::Autogenerate(format!(
                "{join} in schema.rs: the primary key of `{}` has {} columns; a foreign key to it must be written by hand",
                parent.name,
                parent.primary_key.len()
            )));
        }
    }
    Ok(())
}
