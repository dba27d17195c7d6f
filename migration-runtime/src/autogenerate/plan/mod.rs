//! The migration being planned: the steps so far and the schema they
//! leave, with the steps for tables, columns and keys in their own files.

mod columns;
mod keys;
mod tables;

use migration_model::{Name, Op, Schema, SqlType, Table};

use super::{Change, Rename};
use crate::error::Error;
use crate::schema_rs::{DeclaredType, DieselColumn, DieselTable, SchemaRs};

/// A column's model type from its `schema.rs` declaration, and what the
/// author must decide when `schema.rs` does not say it all.
fn model_type(table: &str, column: &DieselColumn) -> (SqlType, Option<String>) {
    match DeclaredType::of(column) {
        DeclaredType::Exact(ty) => (ty, None),
        DeclaredType::UnboundedVarchar | DeclaredType::Unsupported => (SqlType::Text, None),
        DeclaredType::Decimal => (
            // A common money shape, written for the author to confirm.
            SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
            Some(format!(
                "schema.rs says `Numeric` for `{table}.{}` without precision and scale: \
                 check decimal(10, 2) below",
                column.name
            )),
        ),
    }
}

/// A type change to write: table, column, new type, decision.
type TypeChange = (String, String, SqlType, Option<String>);

pub(super) struct Plan<'a> {
    declared: &'a SchemaRs,
    /// The schema as the steps so far leave it.
    schema: Schema,
    changes: Vec<Change>,
    /// Dropped and added names that may be one renamed: (table, old, new)
    /// for columns, (``, old, new) for tables.
    guesses: Vec<(String, String, String)>,
}

impl<'a> Plan<'a> {
    /// Nothing planned yet: the schema is `head`.
    pub(super) fn new(head: &Schema, declared: &'a SchemaRs) -> Plan<'a> {
        Plan {
            declared,
            schema: head.clone(),
            changes: Vec::new(),
            guesses: Vec::new(),
        }
    }

    /// The steps from the head to `schema.rs`, with `renames` written as renames.
    pub(super) fn steps(mut self, renames: &[Rename]) -> Result<Vec<Change>, Error> {
        self.rename(renames)?;
        let declared = self.declared;
        let kept: Vec<String> = self
            .schema
            .tables
            .iter()
            .filter(|t| declared.table(&t.name).is_some())
            .map(|t| t.name.to_string())
            .collect();
        let dropped: Vec<String> = self
            .schema
            .tables
            .iter()
            .filter(|t| declared.table(&t.name).is_none())
            .map(|t| t.name.to_string())
            .collect();
        let created: Vec<&DieselTable> = declared
            .tables
            .iter()
            .filter(|t| self.schema.table(&t.name).is_none())
            .collect();
        self.guesses = self.rename_guesses(&kept, &dropped, &created);
        let changed_types = self.changed_types(&kept);
        let mut later_keys = self.drop_foreign_keys(&kept, &dropped, &changed_types);
        self.drop_indexes(&kept);
        later_keys.extend(self.create_tables(&created));
        self.add_columns(&kept);
        self.change_types(changed_types);
        self.change_nullability(&kept);
        self.change_primary_keys(&kept);
        self.drop_columns(&kept);
        self.drop_tables(&dropped);
        later_keys.extend(self.new_joinables(&kept));
        for (table, key) in later_keys {
            self.push(Op::AddForeignKey { table, key }, Vec::new(), None);
        }
        Ok(self.changes)
    }
}

impl Plan<'_> {
    /// Pairs of a dropped and an added column of one table with the same
    /// type, and of a dropped and a created table with the same columns:
    /// perhaps renames, which are never assumed.
    fn rename_guesses(
        &self,
        kept: &[String],
        dropped: &[String],
        created: &[&DieselTable],
    ) -> Vec<(String, String, String)> {
        let mut guesses = Vec::new();
        for name in kept {
            let Some(table) = self.current(name) else {
                continue;
            };
            let mut gone = self.dropped_columns(name);
            for column in self.added_columns(name) {
                let ty = model_type(name, &column).0;
                if let Some(at) = gone
                    .iter()
                    .position(|old| table.column(old).is_some_and(|c| c.ty == ty))
                {
                    guesses.push((name.clone(), gone.remove(at), column.name.clone()));
                }
            }
        }
        let mut gone = dropped.to_vec();
        for new in created {
            let same = |old: &String| {
                self.current(old).is_some_and(|old| {
                    old.columns.len() == new.columns.len()
                        && new.columns.iter().all(|n| {
                            old.column(&n.name)
                                .is_some_and(|o| o.ty == model_type(&new.name, n).0)
                        })
                })
            };
            if let Some(at) = gone.iter().position(same) {
                guesses.push((String::new(), gone.remove(at), new.name.clone()));
            }
        }
        guesses
    }

    fn guess(&self, table: &str, old: Option<&str>, new: Option<&str>) -> Option<(String, String)> {
        self.guesses
            .iter()
            .find(|(t, o, n)| {
                t == table && old.is_none_or(|old| old == o) && new.is_none_or(|new| new == n)
            })
            .map(|(_, o, n)| (o.clone(), n.clone()))
    }

    fn push(&mut self, op: Op, comments: Vec<String>, decide: Option<String>) {
        // A step the model refuses is written all the same: the macro then
        // points at it with the model's reason.
        let _ = self.schema.apply(&op);
        self.changes.push(Change {
            op: Some(op),
            comments,
            decide,
        });
    }

    fn declared_table(&self, name: &str) -> &DieselTable {
        // Only called for tables known to be in schema.rs; an empty table otherwise.
        static EMPTY: DieselTable = DieselTable {
            name: String::new(),
            rust_name: String::new(),
            primary_key: Vec::new(),
            columns: Vec::new(),
        };
        self.declared.table(name).unwrap_or(&EMPTY)
    }

    fn current(&self, name: &str) -> Option<&Table> {
        self.schema.table(name)
    }

    /// Columns of a kept table that schema.rs no longer has.
    fn dropped_columns(&self, table: &str) -> Vec<String> {
        let declared = self.declared_table(table);
        self.current(table)
            .map(|t| {
                t.columns
                    .iter()
                    .filter(|c| declared.column(&c.name).is_none())
                    .map(|c| c.name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Columns schema.rs adds to a kept table.
    fn added_columns(&self, table: &str) -> Vec<DieselColumn> {
        let declared = self.declared_table(table);
        declared
            .columns
            .iter()
            .filter(|c| {
                self.current(table)
                    .is_some_and(|t| t.column(&c.name).is_none())
            })
            .cloned()
            .collect()
    }

    fn rename(&mut self, renames: &[Rename]) -> Result<(), Error> {
        for rename in renames {
            if let Rename::Table { from, to } = rename {
                if self.current(from).is_none() {
                    return Err(Error::Autogenerate(format!(
                        "--rename {from}={to}: there is no table `{from}` at the head of history"
                    )));
                }
                if self.declared.table(to).is_none() || self.current(to).is_some() {
                    return Err(Error::Autogenerate(format!(
                        "--rename {from}={to}: `{to}` must be a table of schema.rs that does not exist at head"
                    )));
                }
                self.push(
                    Op::RenameTable {
                        from: owned(from),
                        to: owned(to),
                    },
                    Vec::new(),
                    None,
                );
            }
        }
        for rename in renames {
            if let Rename::Column { table, from, to } = rename {
                let renamed = renames.iter().find_map(|r| match r {
                    Rename::Table { from, to } if from == table => Some(to.clone()),
                    _ => None,
                });
                let table_now = renamed.unwrap_or_else(|| table.clone());
                let hint = format!("--rename {table}.{from}={to}");
                if self
                    .current(&table_now)
                    .and_then(|t| t.column(from))
                    .is_none()
                {
                    return Err(Error::Autogenerate(format!(
                        "{hint}: there is no column `{table}.{from}` at the head of history"
                    )));
                }
                let declared = self.declared.table(&table_now).and_then(|t| t.column(to));
                let taken = self.current(&table_now).and_then(|t| t.column(to));
                if declared.is_none() || taken.is_some() {
                    return Err(Error::Autogenerate(format!(
                        "{hint}: `{to}` must be a column of `{table_now}` in schema.rs that does not exist at head"
                    )));
                }
                self.push(
                    Op::RenameColumn {
                        table: owned(&table_now),
                        from: owned(from),
                        to: owned(to),
                    },
                    Vec::new(),
                    None,
                );
            }
        }
        Ok(())
    }
}

fn owned(text: &str) -> Name {
    Name::Owned(text.to_owned())
}
