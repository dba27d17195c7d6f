//! Created and dropped tables.

use migration_model::{Column, ColumnDefault, ForeignKey, List, Name, Op, Schema, SqlType, Table};

use super::{Plan, model_type, owned};
use crate::schema_rs::DieselTable;

impl Plan<'_> {
    /// New tables, each after the tables it references; returns the keys
    /// that could not be written in `create_table` (cycles, self references).
    pub(super) fn create_tables(&mut self, created: &[&DieselTable]) -> Vec<(Name, ForeignKey)> {
        let mut later = Vec::new();
        let mut pending: Vec<&DieselTable> = created.to_vec();
        while !pending.is_empty() {
            let waits_for = |table: &DieselTable| {
                self.declared.joinables.iter().any(|j| {
                    j.child == table.name
                        && j.parent != table.name
                        && pending.iter().any(|p| p.name == j.parent)
                })
            };
            // In a cycle, the first table goes first and its keys come later.
            let at = pending.iter().position(|t| !waits_for(t)).unwrap_or(0);
            let declared = pending.remove(at);
            let (table, decisions, deferred) = self.new_table(declared);
            later.extend(deferred);
            let mut comments = Vec::new();
            if let Some((old, _)) = self.guess("", None, Some(&declared.name)) {
                comments.push(format!(
                    "`{old}` is dropped below and `{}` created with the same columns: if it is a rename, \
                     write m.rename_table({old:?}, {:?}) instead of both (or generate again with --rename {old}={}).",
                    table.name, table.name, table.name
                ));
            }
            let decide = (!decisions.is_empty()).then(|| decisions.join("; "));
            self.push(Op::CreateTable(table), comments, decide);
        }
        later
    }

    pub(super) fn new_table(
        &self,
        declared: &DieselTable,
    ) -> (Table, Vec<String>, Vec<(Name, ForeignKey)>) {
        let joins: Vec<_> = self
            .declared
            .joinables
            .iter()
            .filter(|j| j.child == declared.name)
            .collect();
        let mut decisions = Vec::new();
        let mut columns = Vec::new();
        for column in &declared.columns {
            let (ty, decide) = model_type(&declared.name, column);
            decisions.extend(decide);
            let sole_key = declared.primary_key == [column.name.clone()];
            let references = joins.iter().any(|j| j.column == column.name);
            // A lone integer or UUID key that references nothing is the
            // table's own: the database gives it a value, as `t.id(..)` /
            // `t.uuid_id(..)` do.
            let default = match ty {
                _ if !sole_key || references => None,
                SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => {
                    Some(ColumnDefault::Identity)
                }
                SqlType::Uuid => Some(ColumnDefault::RandomUuid),
                _ => None,
            };
            columns.push(Column {
                name: owned(&column.name),
                ty,
                nullable: column.nullable,
                default,
            });
        }
        let mut keys = Vec::new();
        let mut later = Vec::new();
        for join in joins {
            let key = self.joinable_key(&join.child, &join.column, &join.parent);
            if join.parent != declared.name && self.current(&join.parent).is_some() {
                keys.push(key);
            } else {
                later.push((owned(&declared.name), key));
            }
        }
        let table = Table {
            name: owned(&declared.name),
            columns: List::Owned(columns),
            primary_key: List::Owned(declared.primary_key.iter().map(|c| owned(c)).collect()),
            uniques: List::Owned(Vec::new()),
            checks: List::Owned(Vec::new()),
            foreign_keys: List::Owned(keys),
        };
        (table, decisions, later)
    }

    /// Drops tables, each once nothing left references it.
    pub(super) fn drop_tables(&mut self, dropped: &[String]) {
        let mut pending: Vec<String> = dropped.to_vec();
        while !pending.is_empty() {
            let referenced =
                |name: &str, schema: &Schema| schema.references_to(name).next().is_some();
            let at = pending
                .iter()
                .position(|t| !referenced(t, &self.schema))
                .unwrap_or(0);
            let table = pending.remove(at);
            // In a cycle, the keys into this table go first.
            let keys: Vec<(Name, Name)> = self
                .schema
                .references_to(&table)
                .map(|(t, k)| (t.name.clone(), k.name.clone()))
                .collect();
            for (from, name) in keys {
                self.push(Op::DropForeignKey { table: from, name }, Vec::new(), None);
            }
            let mut comments = Vec::new();
            if let Some((_, new)) = self.guess("", Some(&table), None) {
                comments.push(format!("See above: `{new}` may be `{table}` renamed."));
            }
            comments.push(format!(
                "Dropping `{table}` loses its rows: write a #[downgrade], or mark the migration \
                 irreversible = \"why\"."
            ));
            self.push(
                Op::DropTable {
                    table: owned(&table),
                },
                comments,
                None,
            );
        }
    }
}
