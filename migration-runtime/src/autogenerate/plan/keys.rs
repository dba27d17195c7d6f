//! Foreign keys and indexes: out of the way before columns and tables go,
//! and the keys `joinable!` declares once their tables exist.

use migration_model::ident::{MAX_IDENTIFIER_BYTES, default_name};
use migration_model::{ForeignKey, List, Name, Op, RefAction};

use super::{Plan, TypeChange, owned};
use crate::schema_rs::{declares_foreign_key, expected_in_schema_rs};

impl Plan<'_> {
    /// Drops the keys that go away or stand in the way; returns those to
    /// add again once the way is clear.
    pub(super) fn drop_foreign_keys(
        &mut self,
        kept: &[String],
        dropped: &[String],
        changed_types: &[TypeChange],
    ) -> Vec<(Name, ForeignKey)> {
        let mut again = Vec::new();
        let mut drops = Vec::new();
        for name in kept {
            let Some(table) = self.current(name) else {
                continue;
            };
            let gone = self.dropped_columns(name);
            for key in table.foreign_keys.iter() {
                let gone_in_parent = self.dropped_columns(&key.ref_table);
                let retyped = |table: &str, columns: &[Name]| {
                    changed_types
                        .iter()
                        .any(|(t, c, ..)| t == table && columns.iter().any(|k| k == c))
                };
                let reason = if dropped.iter().any(|d| *d == key.ref_table) {
                    format!("`{}` is dropped below", key.ref_table)
                } else if let Some(column) =
                    key.columns.iter().find(|c| gone.contains(&c.to_string()))
                {
                    format!("its column `{name}.{column}` is dropped below")
                } else if let Some(column) = key
                    .ref_columns
                    .iter()
                    .find(|c| gone_in_parent.contains(&c.to_string()))
                {
                    format!(
                        "`{}.{column}`, which it references, is dropped below",
                        key.ref_table
                    )
                } else if expected_in_schema_rs(table, key, self.current(&key.ref_table))
                    && !declares_foreign_key(self.declared, name, key)
                {
                    format!(
                        "schema.rs has no joinable!({name} -> {} ({}))",
                        key.ref_table, key.columns[0]
                    )
                } else if retyped(name, &key.columns) || retyped(&key.ref_table, &key.ref_columns) {
                    again.push((owned(name), key.clone()));
                    "its columns change type below; it is added again after".to_owned()
                } else {
                    continue;
                };
                drops.push((owned(name), key.name.clone(), reason));
            }
        }
        for (table, name, reason) in drops {
            let comment = format!("Foreign key `{name}`: {reason}.");
            self.push(Op::DropForeignKey { table, name }, vec![comment], None);
        }
        again
    }

    /// Indexes over columns that are dropped below.
    pub(super) fn drop_indexes(&mut self, kept: &[String]) {
        let mut drops = Vec::new();
        for index in &self.schema.indexes {
            if !kept.iter().any(|k| *k == index.table) {
                continue;
            }
            let gone = self.dropped_columns(&index.table);
            if let Some(column) = index.columns.iter().find(|c| gone.contains(&c.to_string())) {
                drops.push((
                    index.name.clone(),
                    format!(
                        "Index `{}` covers `{}.{column}`, which is dropped below.",
                        index.name, index.table
                    ),
                ));
            } else if let Some(column) = gone.iter().find(|c| index.condition_reads(c)) {
                drops.push((
                    index.name.clone(),
                    format!(
                        "The condition of index `{}` reads `{}.{column}`, which is dropped below.",
                        index.name, index.table
                    ),
                ));
            }
        }
        for (name, comment) in drops {
            self.push(Op::DropIndex { name }, vec![comment], None);
        }
    }

    /// The key `joinable!(child -> parent (column))` stands for.
    pub(super) fn joinable_key(&self, child: &str, column: &str, parent: &str) -> ForeignKey {
        let parent_key = self
            .declared_table(parent)
            .primary_key
            .first()
            .cloned()
            .unwrap_or_else(|| "id".to_owned());
        ForeignKey {
            name: owned(&key_name(child, column)),
            columns: List::Owned(vec![owned(column)]),
            ref_table: owned(parent),
            ref_columns: List::Owned(vec![owned(&parent_key)]),
            on_delete: RefAction::NoAction,
            on_update: RefAction::NoAction,
        }
    }

    /// Keys that `joinable!` declares on kept tables and the head lacks.
    pub(super) fn new_joinables(&self, kept: &[String]) -> Vec<(Name, ForeignKey)> {
        let mut keys = Vec::new();
        for join in &self.declared.joinables {
            if !kept.contains(&join.child) {
                continue;
            }
            let exists = self
                .current(&join.child)
                .is_some_and(|t| t.foreign_keys.iter().any(|k| join.is_key(&t.name, k)));
            if !exists {
                keys.push((
                    owned(&join.child),
                    self.joinable_key(&join.child, &join.column, &join.parent),
                ));
            }
        }
        keys
    }
}

/// PostgreSQL's name for a key (`posts_author_id_fkey`), shortened when it
/// would pass the identifier limit, as PostgreSQL shortens the names it picks.
fn key_name(table: &str, column: &str) -> String {
    let name = default_name(table, &[column], "fkey");
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name;
    }
    let base = format!("{table}_{column}");
    let mut end = MAX_IDENTIFIER_BYTES - "_fkey".len();
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}_fkey", base[..end].trim_end_matches('_'))
}
