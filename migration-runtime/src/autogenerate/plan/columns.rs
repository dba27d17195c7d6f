//! Steps on the columns of kept tables.

use migration_model::{Column, Op};

use super::{Change, Plan, TypeChange, model_type, owned};
use crate::schema_rs::{DeclaredType, DieselColumn};

impl Plan<'_> {
    /// Each column of a kept table that both the head and `schema.rs` have:
    /// its table, the head's column and the declared one.
    fn kept_columns<'p>(
        &'p self,
        kept: &'p [String],
    ) -> impl Iterator<Item = (&'p String, &'p Column, &'p DieselColumn)> + 'p {
        kept.iter().flat_map(move |name| {
            let declared = self.declared_table(name);
            self.current(name)
                .into_iter()
                .flat_map(|table| table.columns.iter())
                .filter_map(move |column| Some((name, column, declared.column(&column.name)?)))
        })
    }

    pub(super) fn changed_types(&self, kept: &[String]) -> Vec<TypeChange> {
        self.kept_columns(kept)
            .filter(|(_, column, wanted)| !DeclaredType::of(wanted).fits(column.ty))
            .map(|(name, column, wanted)| {
                let (ty, decide) = model_type(name, wanted);
                (name.clone(), column.name.to_string(), ty, decide)
            })
            .collect()
    }

    pub(super) fn add_columns(&mut self, kept: &[String]) {
        for name in kept {
            for column in self.added_columns(name) {
                let (ty, decide) = model_type(name, &column);
                let mut comments = Vec::new();
                if let Some((old, _)) = self.guess(name, None, Some(&column.name)) {
                    comments.push(format!(
                        "`{name}.{old}` is dropped below and `{name}.{}` added with the same type: if it is a rename, \
                         write m.rename_column({name:?}, {old:?}, {:?}) instead of both (or generate again with \
                         --rename {name}.{old}={}).",
                        column.name, column.name, column.name
                    ));
                }
                if !column.nullable {
                    comments.push(format!(
                        "`{name}.{}` is NOT NULL and `{name}` may have rows: give it .default(..), or add it \
                         .nullable(), backfill it, then tighten_not_null.",
                        column.name
                    ));
                }
                let column = Column {
                    name: owned(&column.name),
                    ty,
                    nullable: column.nullable,
                    default: None,
                };
                self.push(
                    Op::AddColumn {
                        table: owned(name),
                        column,
                    },
                    comments,
                    decide,
                );
            }
        }
    }

    pub(super) fn change_types(&mut self, changes: Vec<TypeChange>) {
        for (table, column, ty, decide) in changes {
            let Some(old) = self
                .current(&table)
                .and_then(|t| t.column(&column))
                .map(|c| c.ty)
            else {
                continue;
            };
            let mut comments = Vec::new();
            if !old.widens_to(ty) {
                if !old.converts_implicitly_to(ty) {
                    comments.push(format!(
                        "`{table}.{column}` goes from {old} to {ty}: say how each value converts, \
                         e.g. .using(cast(col({column:?}), {ty}))."
                    ));
                }
                comments.push(format!(
                    "{old} to {ty} can lose values: write a #[downgrade], or mark the migration \
                     irreversible = \"why\"."
                ));
            }
            self.push(
                Op::ChangeType {
                    table: owned(&table),
                    column: owned(&column),
                    ty,
                    using: None,
                },
                comments,
                decide,
            );
        }
    }

    pub(super) fn change_nullability(&mut self, kept: &[String]) {
        let changes: Vec<_> = self
            .kept_columns(kept)
            .filter(|(_, column, wanted)| wanted.nullable != column.nullable)
            .map(|(name, column, wanted)| (name.clone(), column.name.to_string(), wanted.nullable))
            .collect();
        for (table, column, nullable) in changes {
            let comments = if nullable {
                Vec::new()
            } else {
                vec![format!(
                    "`{table}.{column}` becomes NOT NULL: fill its NULLs first with m.backfill(..), \
                     or add .assume_no_nulls() if none can exist."
                )]
            };
            self.push(
                Op::SetNullable {
                    table: owned(&table),
                    column: owned(&column),
                    nullable,
                },
                comments,
                None,
            );
        }
    }

    /// The migration language has no step for a new primary key: say so
    /// where the author will see it.
    pub(super) fn change_primary_keys(&mut self, kept: &[String]) {
        for name in kept {
            let declared = self.declared_table(name);
            let Some(table) = self.current(name) else {
                continue;
            };
            let now: Vec<&str> = table.primary_key.iter().map(|c| c.as_ref()).collect();
            if now != declared.primary_key {
                let decide = format!(
                    "the primary key of `{name}` goes from {now:?} to {:?}, which has no step: \
                     write it with m.sql(..).reverse_with(..)",
                    declared.primary_key
                );
                self.changes.push(Change {
                    op: None,
                    comments: Vec::new(),
                    decide: Some(decide),
                });
            }
        }
    }

    pub(super) fn drop_columns(&mut self, kept: &[String]) {
        for name in kept {
            for column in self.dropped_columns(name) {
                let mut comments = Vec::new();
                if let Some((_, new)) = self.guess(name, Some(&column), None) {
                    comments.push(format!(
                        "See above: `{name}.{new}` may be `{name}.{column}` renamed."
                    ));
                }
                comments.push(format!(
                    "Dropping `{name}.{column}` loses its values: add .restore_with(..) to compute them again \
                     on downgrade, or mark the migration irreversible = \"why\"."
                ));
                let decide = self
                    .current(name)
                    .filter(|t| t.constrains(&column))
                    .map(|_| {
                        format!(
                            "`{name}.{column}` is part of a key or constraint, which must go first \
                         (m.sql(..).reverse_with(..))"
                        )
                    });
                self.push(
                    Op::DropColumn {
                        table: owned(name),
                        column: owned(&column),
                        restore: None,
                    },
                    comments,
                    decide,
                );
            }
        }
    }
}
