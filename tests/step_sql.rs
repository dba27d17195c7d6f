//! The SQL each step renders on PostgreSQL (as the runner runs it, on a
//! table that already holds rows) and on SQLite, as the README's reference
//! shows it. Written by the real planner and kept in
//! `tests/snapshots/step_sql.md`; run with `UPDATE_SNAPSHOTS=1` to rewrite it
//! after a deliberate change.

use migration_runtime::dialect::Placement;
use migration_runtime::{Backend, Direction, Mode};

/// One migration per step, each on the `members` table the first creates.
#[migration_runtime::migrations]
mod steps {
    #[migration(id = "2025_01_01_000001")]
    fn create_table(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("name", varchar(50));
            t.column("email", text().nullable());
            t.column("team_id", bigint().nullable());
        });
        m.create_table("teams", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2025_01_02_000001")]
    fn add_column(m: &mut Up) {
        m.add_column("members", "status", varchar(20).default("active"));
    }

    #[migration(id = "2025_01_03_000001")]
    fn change_type(m: &mut Up) {
        m.change_type("members", "name", varchar(100));
    }

    #[migration(id = "2025_01_04_000001")]
    fn set_default(m: &mut Up) {
        m.set_default("members", "email", "nobody@example.org");
    }

    #[migration(id = "2025_01_05_000001")]
    fn drop_default(m: &mut Up) {
        m.drop_default("members", "email");
    }

    #[migration(id = "2025_01_06_000001")]
    fn backfill(m: &mut Up) {
        m.backfill(
            "members",
            "email",
            concat([lower(col("name")), "@example.org"]),
        )
        .only_where(col("email").is_null());
    }

    #[migration(id = "2025_01_07_000001")]
    fn backfill_batched(m: &mut Up) {
        m.backfill("members", "email", lower(col("email")))
            .restore_with(col("email"))
            .batched(1000);
    }

    #[migration(id = "2025_01_08_000001")]
    fn tighten_not_null(m: &mut Up) {
        m.tighten_not_null("members", "email").assume_no_nulls();
    }

    #[migration(id = "2025_01_09_000001")]
    fn loosen_not_null(m: &mut Up) {
        m.loosen_not_null("members", "email");
    }

    #[migration(id = "2025_01_10_000001")]
    fn create_index(m: &mut Up) {
        m.create_index("members", ["email"]).unique();
    }

    #[migration(id = "2025_01_11_000001")]
    fn drop_index(m: &mut Up) {
        m.drop_index("members_email_idx");
    }

    #[migration(id = "2025_01_12_000001")]
    fn add_foreign_key(m: &mut Up) {
        m.add_foreign_key("members", ["team_id"], "teams", ["id"])
            .on_delete(set_null);
    }

    #[migration(id = "2025_01_13_000001")]
    fn drop_foreign_key(m: &mut Up) {
        m.drop_foreign_key("members", "members_team_id_fkey");
    }

    #[migration(id = "2025_01_13_000002")]
    fn create_partial_index(m: &mut Up) {
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("team_id").is_null().and(col("email").ne("")));
    }

    #[migration(id = "2025_01_14_000001")]
    fn rename_column(m: &mut Up) {
        m.rename_column("members", "name", "full_name");
    }

    #[migration(id = "2025_01_15_000001")]
    fn drop_column(m: &mut Up) {
        m.drop_column("members", "status").restore_with("active");
    }

    #[migration(id = "2025_01_16_000001")]
    fn rename_table(m: &mut Up) {
        m.rename_table("teams", "groups");
    }

    #[migration(id = "2025_01_17_000001")]
    fn sql(m: &mut Up) {
        m.sql("CREATE VIEW named AS SELECT id FROM members")
            .reverse_with("DROP VIEW named");
    }

    #[migration(id = "2025_01_18_000001", irreversible = "the groups are gone")]
    fn drop_table(m: &mut Up) {
        m.drop_table("groups");
    }
}

fn cell(statements: &[String]) -> String {
    statements
        .iter()
        .map(|sql| {
            let one_line = sql
                .replace("(\n    ", "(")
                .replace(",\n    ", ", ")
                .replace("\n)", ")")
                .replace('\n', " ");
            format!("`{}`", one_line.replace('|', "\\|"))
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The statements of one step on `backend`; a SQLite table rebuild is
/// summed up, since it is the same every time but for the table.
fn statements(id: &str, backend: Backend) -> Vec<String> {
    let plan = steps::MIGRATIONS
        .plan(id, Direction::Up, backend, Mode::Online)
        .unwrap_or_else(|e| panic!("{id} on {}: {e}", backend.name()));
    let mut out = Vec::new();
    for step in &plan {
        let rebuilt = step
            .statements
            .iter()
            .find_map(|s| migration_runtime::dialect::sqlite_rebuilt_table(&s.sql));
        if backend == Backend::Sqlite
            && let Some(table) = rebuilt
        {
            out.push(format!(
                "-- rebuilds \"{table}\": CREATE TABLE with the new definition, copy every row, DROP, RENAME, recreate its indexes ({} statements)",
                step.statements.len()
            ));
            continue;
        }
        if let Some(batch) = &step.batch {
            let rows = batch.rows;
            out.extend(step.statements.iter().map(|s| {
                format!(
                    "-- in batches of up to {rows} rows in key order, each its own transaction: {}",
                    s.sql
                )
            }));
            continue;
        }
        for statement in &step.statements {
            out.push(match statement.placement {
                Placement::InTransaction => statement.sql.clone(),
                Placement::NewTransaction => format!("COMMIT; {}", statement.sql),
                Placement::Alone => format!("-- alone: {}", statement.sql),
            });
        }
    }
    out
}

fn table() -> String {
    let mut markdown =
        "| step | PostgreSQL (the runner, on a table with rows) | SQLite |\n| --- | --- | --- |\n"
            .to_owned();
    for migration in steps::MIGRATIONS.migrations() {
        let steps: Vec<String> = migration.up().iter().map(ToString::to_string).collect();
        markdown.push_str(&format!(
            "| `{}` | {} | {} |\n",
            steps.join("; ").replace('|', "\\|"),
            cell(&statements(migration.id(), Backend::Postgres)),
            cell(&statements(migration.id(), Backend::Sqlite))
        ));
    }
    markdown
}

#[test]
fn the_reference_table_shows_the_sql_each_step_runs() {
    integration_tests::assert_snapshot("step_sql.md", &table());
}
