//! The ordered set of migrations a `#[migrations]` module compiles into.

use migration_model::{Op, Schema};

use crate::dialect::{Backend, Statement};
use crate::error::Error;
use crate::migration::Migration;

/// Every migration of a history, oldest first (each after its parents).
///
/// It is `Copy`, so it can be handed by value to diesel's
/// `MigrationHarness::run_pending_migrations`.
#[derive(Clone, Copy, Debug)]
pub struct MigrationSet {
    migrations: &'static [Migration],
    allow_branches: bool,
}

/// How a migration's statements are shaped for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Everything in the migration's one transaction: diesel's harness,
    /// `--single-transaction`, offline SQL for `psql -1`, and every downgrade.
    OneTransaction,
    /// On PostgreSQL, steps on tables that existed before the migration take
    /// their lock-friendly form (concurrent indexes, NOT VALID constraints
    /// validated in their own transaction); the runner commits between them.
    Online,
}

/// Which way a migration runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The upgrade.
    Up,
    /// The downgrade.
    Down,
}

impl MigrationSet {
    #[doc(hidden)]
    /// Used by the code `#[migrations]` generates.
    pub const fn __new(migrations: &'static [Migration], allow_branches: bool) -> Self {
        MigrationSet {
            migrations,
            allow_branches,
        }
    }

    /// The migrations, oldest first.
    pub fn migrations(&self) -> &'static [Migration] {
        self.migrations
    }

    /// Whether the history was declared with `#[migrations(allow_branches)]`.
    pub fn allows_branches(&self) -> bool {
        self.allow_branches
    }

    /// The migration with this id.
    pub fn get(&self, id: &str) -> Option<&'static Migration> {
        self.migrations.iter().find(|m| m.id() == id)
    }

    fn position(&self, id: &str) -> Result<usize, Error> {
        self.migrations
            .iter()
            .position(|m| m.id() == id)
            .ok_or_else(|| Error::UnknownMigration(id.to_owned()))
    }

    /// The migrations no other migration names as a parent.
    pub fn heads(&self) -> Vec<&'static Migration> {
        self.migrations
            .iter()
            .filter(|m| {
                !self
                    .migrations
                    .iter()
                    .any(|o| o.parents().contains(&m.id()))
            })
            .collect()
    }

    /// The ids of `id` and all its ancestors, in history order.
    pub fn lineage(&self, id: &str) -> Result<Vec<&'static str>, Error> {
        let at = self.position(id)?;
        let mut wanted = vec![false; self.migrations.len()];
        wanted[at] = true;
        // Parents always come earlier, so one backward pass finds every ancestor.
        for index in (0..=at).rev() {
            if wanted[index] {
                for parent in self.migrations[index].parents() {
                    wanted[self.position(parent)?] = true;
                }
            }
        }
        Ok(self
            .migrations
            .iter()
            .zip(wanted)
            .filter(|(_, wanted)| *wanted)
            .map(|(m, _)| m.id())
            .collect())
    }

    /// The schema just before migration `id` runs: what its ancestors built.
    pub fn schema_before(&self, id: &str) -> Result<Schema, Error> {
        let mut ancestors = self.lineage(id)?;
        ancestors.pop();
        self.schema_of(&ancestors)
    }

    /// The schema once every migration of the history has run.
    pub fn head_schema(&self) -> Result<Schema, Error> {
        let ids: Vec<&str> = self.migrations.iter().map(|m| m.id()).collect();
        self.schema_of(&ids)
    }

    /// The schema once the migrations `ids` (in history order) have run.
    pub fn schema_of(&self, ids: &[&str]) -> Result<Schema, Error> {
        let mut schema = Schema::new();
        for id in ids {
            let migration = self
                .get(id)
                .ok_or_else(|| Error::UnknownMigration((*id).to_owned()))?;
            schema
                .apply_all(migration.up())
                .map_err(|source| Error::Model {
                    migration: migration.id().to_owned(),
                    message: source.message,
                })?;
        }
        Ok(schema)
    }

    /// The SQL statements that run migration `id` in `direction` on
    /// `backend`, as one transaction (what diesel's harness runs).
    ///
    /// ```
    /// #[migration_runtime::migrations]
    /// mod history {
    ///     #[migration(id = "2024_01_10_000001")]
    ///     fn create_members(m: &mut Up) {
    ///         m.create_table("members", |t| {
    ///             t.id("id");
    ///             t.column("phone", varchar(20));
    ///         });
    ///     }
    ///
    ///     #[migration(id = "2024_01_12_000001")]
    ///     fn widen_phone(m: &mut Up) {
    ///         m.change_type("members", "phone", varchar(50));
    ///     }
    /// }
    ///
    /// use migration_runtime::{Backend, Direction};
    ///
    /// let sql = history::MIGRATIONS.render("2024_01_12_000001", Direction::Up, Backend::Postgres)?;
    /// assert_eq!(sql, [r#"ALTER TABLE "members" ALTER COLUMN "phone" TYPE VARCHAR(50)"#]);
    /// # Ok::<(), migration_runtime::Error>(())
    /// ```
    pub fn render(
        &self,
        id: &str,
        direction: Direction,
        backend: Backend,
    ) -> Result<Vec<String>, Error> {
        Ok(self
            .plan(id, direction, backend, Mode::OneTransaction)?
            .into_iter()
            .flat_map(|step| step.statements)
            .map(|statement| statement.sql)
            .collect())
    }

    /// Each step of migration `id` in `direction`, with its statements on
    /// `backend` shaped by `mode` and the schema it runs on. Downgrades are
    /// always one transaction.
    pub fn plan(
        &self,
        id: &str,
        direction: Direction,
        backend: Backend,
        mode: Mode,
    ) -> Result<Vec<PlannedStep>, Error> {
        let migration = self
            .get(id)
            .ok_or_else(|| Error::UnknownMigration(id.to_owned()))?;
        let model = |source: migration_model::SchemaError| Error::Model {
            migration: id.to_owned(),
            message: source.message,
        };
        let mut schema = self.schema_before(id)?;
        let start = schema.clone();
        let online = mode == Mode::Online && direction == Direction::Up;
        let ops: &'static [Op] = match direction {
            Direction::Up => migration.up(),
            Direction::Down => {
                schema.apply_all(migration.up()).map_err(model)?;
                migration.down().map_err(|reason| Error::Irreversible {
                    migration: id.to_owned(),
                    reason: reason.to_owned(),
                })?
            }
        };
        let mut steps = Vec::with_capacity(ops.len());
        for op in ops {
            let on_existing_table = op
                .table_in(&schema)
                .is_some_and(|table| start.table(table).is_some());
            let statements = backend
                .render_placed(op, &schema, online && on_existing_table)
                .map_err(|message| Error::Render {
                    migration: id.to_owned(),
                    step: op.to_string(),
                    message,
                })?;
            steps.push(PlannedStep {
                op,
                statements,
                batch: batch_of(op, &schema, backend),
                before: schema.clone(),
            });
            schema.apply(op).map_err(model)?;
        }
        Ok(steps)
    }
}

/// One step of a migration, ready to run.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    /// The step.
    pub op: &'static Op,
    /// Its SQL, in order, each with where it runs.
    pub statements: Vec<Statement>,
    /// How the runner cuts it into batches, for a batched backfill it can
    /// cut (the runner still runs it whole in a run that is one
    /// transaction).
    pub batch: Option<Batch>,
    /// The schema it runs on.
    pub before: Schema,
}

/// How a batched backfill is cut: in the order of its table's
/// single-column key, each batch its own transaction of up to `rows` rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The key the batches follow.
    pub key: String,
    /// The most rows a batch takes (`.batched(rows)`).
    pub rows: u32,
}

/// The batches of `op` on `before`, when it is a batched backfill whose
/// table has a single-column key `backend` can bound batches by; anything
/// else runs as one statement.
fn batch_of(op: &Op, before: &Schema, backend: Backend) -> Option<Batch> {
    let Op::Backfill {
        table,
        batch_size: Some(rows),
        ..
    } = op
    else {
        return None;
    };
    let table = before.table(table)?;
    let [key] = table.primary_key.as_ref() else {
        return None;
    };
    let ty = table.column(key)?.ty;
    backend.bounds_batches_by(ty).then(|| Batch {
        key: key.to_string(),
        rows: *rows,
    })
}
