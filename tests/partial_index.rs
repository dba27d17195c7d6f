//! Partial indexes (`create_index(..).only_where(condition)`) on real
//! databases: a unique one refuses duplicates only among the rows its
//! condition holds for, on both backends; on PostgreSQL the runner builds it
//! concurrently on a table that existed before; it round-trips with its
//! condition; and a lost or changed condition is reported.

use std::time::Duration;

use integration_tests::{on_both_backends, value};
use migration_runtime::catalog::{comparable, comparable_introspected};
use migration_runtime::model::{Expr, Function, Index, List, Literal, Op, diff};
use migration_runtime::testing::{PgTestDatabase, check_round_trip};
use migration_runtime::{AnyConnection, Backend, Runner};

#[migration_runtime::migrations]
mod accounts {
    #[migration(id = "2025_03_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
            t.column("deleted_at", timestamptz().nullable());
        });
    }

    /// One live member per email; deleted members keep theirs.
    #[migration(id = "2025_03_02_000001")]
    fn unique_live_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("deleted_at").is_null());
    }

    /// The condition follows the column it reads.
    #[migration(id = "2025_03_03_000001")]
    fn rename_deleted_at(m: &mut Up) {
        m.rename_column("members", "deleted_at", "removed_at");
    }

    /// A table rebuild on SQLite recreates the index, condition included.
    #[migration(id = "2025_03_04_000001")]
    fn default_email(m: &mut Up) {
        m.set_default("members", "email", "unknown@example.org");
    }

    /// Its downgrade builds the index again, with its condition.
    #[migration(id = "2025_03_05_000001")]
    fn drop_live_email_index(m: &mut Up) {
        m.drop_index("members_email_idx");
    }
}

type Seeded = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn seed(conn: &mut AnyConnection, migration: &migration_runtime::Migration) -> Seeded {
    if migration.name() == "create_members" {
        conn.batch_execute(
            "INSERT INTO members (email, deleted_at) VALUES \
             ('ada@example.org', NULL), ('ada@example.org', CURRENT_TIMESTAMP), \
             ('bob@example.org', CURRENT_TIMESTAMP)",
        )?;
    }
    Ok(())
}

fn insert(conn: &mut AnyConnection, email: &str, deleted: bool) -> Result<(), String> {
    let deleted_at = if deleted { "CURRENT_TIMESTAMP" } else { "NULL" };
    conn.batch_execute(&format!(
        "INSERT INTO members (email, deleted_at) VALUES ('{email}', {deleted_at})"
    ))
    .map_err(|e| e.to_string())
}

fn duplicates_only_outside_the_condition(conn: &mut AnyConnection) {
    Runner::new(conn, accounts::MIGRATIONS)
        .upgrade("2025_03_02_000001")
        .expect("upgrade");
    insert(conn, "ada@example.org", true).expect("a deleted member");
    insert(conn, "ada@example.org", true).expect("another deleted member, same email");
    insert(conn, "ada@example.org", false).expect("the one live member");
    let refused =
        insert(conn, "ada@example.org", false).expect_err("a second live member is refused");
    assert!(
        refused.to_lowercase().contains("unique"),
        "a unique violation: {refused}"
    );
    insert(conn, "bob@example.org", false).expect("another email");
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM members WHERE email = 'ada@example.org'"
        ),
        "3"
    );
}

on_both_backends!(duplicates_only_outside_the_condition =>
    sqlite_a_partial_unique_index_refuses_duplicates_only_where_its_condition_holds,
    postgres_a_partial_unique_index_refuses_duplicates_only_where_its_condition_holds);

fn round_trips(conn: &mut AnyConnection) {
    check_round_trip(conn, accounts::MIGRATIONS, seed).unwrap_or_else(|e| panic!("{e}"));
}

on_both_backends!(round_trips =>
    sqlite_a_partial_index_round_trips_with_its_condition,
    postgres_a_partial_index_round_trips_with_its_condition);

/// The condition as the database holds it after each migration: renamed
/// with its column, kept through SQLite's rebuild, gone with the index.
fn condition_follows_the_history(conn: &mut AnyConnection, backend: Backend) {
    let condition = |conn: &mut AnyConnection| {
        let index = conn
            .introspect()
            .expect("introspect")
            .indexes
            .into_iter()
            .find(|i| i.name == "members_email_idx");
        index.map(|i| i.predicate.map(|p| p.to_string()))
    };
    let (deleted, removed) = match backend {
        Backend::Postgres => ("\"(deleted_at IS NULL)\"", "\"(removed_at IS NULL)\""),
        Backend::Sqlite => (
            r#""(\"deleted_at\" IS NULL)""#,
            r#""(\"removed_at\" IS NULL)""#,
        ),
    };
    let runner_to = |conn: &mut AnyConnection, target: &str| {
        Runner::new(conn, accounts::MIGRATIONS)
            .upgrade(target)
            .expect("upgrade");
    };
    runner_to(conn, "2025_03_02_000001");
    assert_eq!(condition(conn), Some(Some(deleted.to_owned())));
    runner_to(conn, "2025_03_03_000001");
    assert_eq!(condition(conn), Some(Some(removed.to_owned())));
    runner_to(conn, "2025_03_04_000001");
    assert_eq!(condition(conn), Some(Some(removed.to_owned())));
    runner_to(conn, "head");
    assert_eq!(condition(conn), None);
    Runner::new(conn, accounts::MIGRATIONS)
        .downgrade("-1")
        .expect("downgrade");
    assert_eq!(condition(conn), Some(Some(removed.to_owned())));
}

fn sqlite_condition(conn: &mut AnyConnection) {
    condition_follows_the_history(conn, Backend::Sqlite);
}

fn postgres_condition(conn: &mut AnyConnection) {
    condition_follows_the_history(conn, Backend::Postgres);
}

#[test]
fn sqlite_the_condition_is_read_back_as_written_at_each_step() {
    let (path, mut conn) = integration_tests::sqlite_file("partial_condition_read_back");
    sqlite_condition(&mut conn);
    drop(conn);
    std::fs::remove_file(path).expect("clean up");
}

#[test]
fn postgres_the_condition_is_read_back_as_written_at_each_step() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    postgres_condition(&mut conn);
}

/// A database whose index lost its condition, or has another one, differs:
/// from the migrations' schema by presence, from another database exactly.
fn lost_or_changed_conditions_are_reported(conn: &mut AnyConnection) {
    Runner::new(conn, accounts::MIGRATIONS)
        .upgrade("2025_03_02_000001")
        .expect("upgrade");
    let expected = accounts::MIGRATIONS
        .schema_of(&["2025_03_01_000001", "2025_03_02_000001"])
        .expect("the schema of the applied migrations");
    let built = conn.introspect().expect("introspect");
    assert_eq!(
        diff(&comparable(&expected), &comparable(&built)),
        Vec::<String>::new()
    );

    conn.batch_execute(
        "DROP INDEX members_email_idx; CREATE UNIQUE INDEX members_email_idx ON members (email)",
    )
    .expect("rebuild the index without its condition");
    let lost = conn.introspect().expect("introspect");
    assert_eq!(
        diff(&comparable(&expected), &comparable(&lost)),
        ["index `members_email_idx` indexes every row but should be partial (`.only_where(..)`)"]
    );

    conn.batch_execute(
        "DROP INDEX members_email_idx; \
         CREATE UNIQUE INDEX members_email_idx ON members (email) WHERE deleted_at IS NOT NULL",
    )
    .expect("rebuild the index with another condition");
    let changed = conn.introspect().expect("introspect");
    // Against the migrations' schema a condition is compared by presence only...
    assert_eq!(
        diff(&comparable(&expected), &comparable(&changed)),
        Vec::<String>::new()
    );
    // ...between two databases, exactly.
    let differences = diff(
        &comparable_introspected(&built),
        &comparable_introspected(&changed),
    );
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].starts_with("index `members_email_idx` has the condition")
            && differences[0].contains("IS NOT NULL"),
        "{differences:?}"
    );
}

on_both_backends!(lost_or_changed_conditions_are_reported =>
    sqlite_a_lost_or_changed_condition_is_reported,
    postgres_a_lost_or_changed_condition_is_reported);

/// What a backend cannot call in an index condition is refused by the
/// renderers of both (the macro refuses it first:
/// `tests/ui/index_condition_calls_what_an_index_cannot.rs`).
#[test]
fn the_renderers_refuse_what_an_index_condition_cannot_call() {
    let schema = accounts::MIGRATIONS
        .schema_of(&["2025_03_01_000001"])
        .expect("the members table");
    let call = |function, args| Expr::Call(function, List::Owned(args));
    let email = || Expr::Column("email".into());
    let ada = || Expr::Literal(Literal::Text("ada".into()));
    let conditions = [
        (
            call(
                Function::Eq,
                vec![call(Function::Lower, vec![email()]), ada()],
            ),
            "`lower`/`upper`",
        ),
        (
            call(
                Function::Eq,
                vec![call(Function::Concat, vec![email(), ada()]), ada()],
            ),
            "`concat`",
        ),
    ];
    for (condition, refused) in conditions {
        let op = Op::CreateIndex(Index {
            name: "members_odd_email_idx".into(),
            table: "members".into(),
            columns: List::Owned(vec!["email".into()]),
            unique: false,
            predicate: Some(condition),
        });
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let error = backend
                .render(&op, &schema)
                .expect_err("refused by the renderer");
            assert!(
                error.contains("index `members_odd_email_idx`") && error.contains(refused),
                "{}: {error}",
                backend.name()
            );
        }
    }
}

/// Whether another session is running a statement whose text contains `sql`.
fn running(conn: &mut AnyConnection, sql: &str) -> Option<String> {
    conn.text_column(&format!(
        "SELECT query AS v FROM pg_stat_activity \
         WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%{sql}%'"
    ))
    .expect("read pg_stat_activity")
    .into_iter()
    .flatten()
    .next()
}

#[test]
fn postgres_a_partial_index_on_an_existing_table_is_built_concurrently() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    Runner::new(&mut conn, accounts::MIGRATIONS)
        .upgrade("2025_03_01_000001")
        .expect("create members");
    conn.batch_execute(
        "INSERT INTO members (email, deleted_at) \
         SELECT 'member' || n || '@example.org', NULL FROM generate_series(1, 1000) AS n",
    )
    .expect("members");
    // An application transaction with a write in flight: a concurrent build
    // waits for it to end, which leaves time to watch it.
    let mut app = AnyConnection::establish(db.url()).expect("connect");
    app.batch_execute("BEGIN; INSERT INTO members (email) VALUES ('in-flight@example.org')")
        .expect("open transaction");

    std::thread::scope(|scope| {
        let build = scope.spawn(|| {
            let mut runner_conn = AnyConnection::establish(db.url()).expect("connect");
            Runner::new(&mut runner_conn, accounts::MIGRATIONS)
                .upgrade("2025_03_02_000001")
                .map_err(|e| e.to_string())
        });
        let mut seen = None;
        for _ in 0..400 {
            seen = running(&mut conn, "CREATE UNIQUE INDEX CONCURRENTLY");
            if seen.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let seen = seen.expect("the runner builds the index concurrently");
        assert_eq!(
            seen,
            r#"CREATE UNIQUE INDEX CONCURRENTLY "members_email_idx" ON "members" ("email") WHERE ("deleted_at" IS NULL)"#
        );
        // Meanwhile writes go on: nothing holds a lock they need.
        let mut writer = AnyConnection::establish(db.url()).expect("connect");
        writer
            .batch_execute(
                "SET lock_timeout = '1ms'; \
                 INSERT INTO members (email) VALUES ('written-meanwhile@example.org')",
            )
            .expect("a write during the index build does not wait");
        app.batch_execute("COMMIT")
            .expect("the application commits");
        build
            .join()
            .expect("runner thread")
            .expect("the migration applies");
    });
    assert_eq!(
        value(
            &mut conn,
            "SELECT CASE WHEN x.indisvalid THEN 'valid' ELSE 'invalid' END || ' ' || \
             pg_get_expr(x.indpred, x.indrelid) AS v \
             FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
             WHERE c.relname = 'members_email_idx'"
        ),
        "valid (deleted_at IS NULL)"
    );
}

/// `schema.rs` cannot say indexes, but a column it no longer has may be read
/// by a partial index's condition: the generated migration drops the index
/// first, so that the column's drop applies.
#[test]
fn autogenerate_drops_a_partial_index_whose_condition_reads_a_dropped_column() {
    let head = accounts::MIGRATIONS
        .schema_of(&["2025_03_01_000001", "2025_03_02_000001"])
        .expect("the head's schema");
    let declared = migration_runtime::schema_rs::parse(
        "diesel::table! {\n    members (id) {\n        id -> Int8,\n        \
         #[max_length = 255]\n        email -> Varchar,\n    }\n}\n",
    )
    .expect("schema.rs parses");
    let changes = migration_runtime::autogenerate::compare(&head, &declared, &[]).expect("compare");
    let steps: Vec<(String, Vec<String>)> = changes
        .iter()
        .map(|c| {
            (
                c.op.as_ref().map(ToString::to_string).unwrap_or_default(),
                c.comments.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps[0],
        (
            "drop_index(\"members_email_idx\")".to_owned(),
            vec![
                "The condition of index `members_email_idx` reads `members.deleted_at`, which is dropped below."
                    .to_owned()
            ]
        ),
        "{steps:?}"
    );
    assert_eq!(
        steps[1].0, "drop_column(\"members\", \"deleted_at\")",
        "{steps:?}"
    );
    let mut schema = head.clone();
    for op in changes.iter().filter_map(|c| c.op.as_ref()) {
        schema
            .apply(op)
            .unwrap_or_else(|e| panic!("`{op}` applies: {e}"));
    }
}

#[migration_runtime::migrations]
mod quotas {
    #[migration(id = "2025_04_01_000001")]
    fn create_plans(m: &mut Up) {
        m.create_table("plans", |t| {
            t.id("id");
            t.column("name", text());
            t.column("seats", integer());
        });
    }

    /// One plan per name among those with more than ten extra seats.
    #[migration(id = "2025_04_02_000001")]
    fn unique_large_plans(m: &mut Up) {
        m.create_index("plans", ["name"])
            .unique()
            .only_where((col("seats") - 10).gt(0));
    }
}

/// SQLite evaluates an index condition on every connection that writes the
/// table: integer arithmetic in it is plain SQL, not the toolkit's checked
/// functions, so a connection without them can still write.
#[test]
fn sqlite_an_index_condition_with_arithmetic_holds_on_a_plain_connection() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let (path, mut conn) = integration_tests::sqlite_file("partial_condition_arithmetic");
    Runner::new(&mut conn, quotas::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    drop(conn);
    let mut plain = diesel::SqliteConnection::establish(path.to_str().expect("a UTF-8 path"))
        .expect("a plain connection");
    plain
        .batch_execute(
            "INSERT INTO plans (name, seats) VALUES ('team', 5), ('team', 5), ('team', 50)",
        )
        .expect("small plans may share a name");
    let refused = plain
        .batch_execute("INSERT INTO plans (name, seats) VALUES ('team', 60)")
        .expect_err("a second large plan with that name");
    assert!(refused.to_string().contains("UNIQUE"), "{refused}");
    drop(plain);
    std::fs::remove_file(path).expect("clean up");
}

#[migration_runtime::migrations]
mod live_accounts {
    #[migration(id = "2025_04_10_000001")]
    fn create_accounts(m: &mut Up) {
        m.create_table("accounts", |t| {
            t.id("id");
            t.column("email", text());
            t.column("status", text());
        });
        m.create_index("accounts", ["email"])
            .unique()
            .only_where(col("status").eq("active"));
    }
}

#[derive(diesel::QueryableByName)]
struct PostgresPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(diesel::QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// The plan the backend picks for `query`, preferring indexes where it can
/// (a tiny table would be scanned anyway).
fn query_plan(conn: &mut AnyConnection, query: &str) -> String {
    use diesel::RunQueryDsl;
    match conn {
        AnyConnection::Postgres(pg) => {
            diesel::sql_query("SET enable_seqscan = off")
                .execute(pg)
                .expect("prefer indexes");
            diesel::sql_query(format!("EXPLAIN {query}"))
                .load::<PostgresPlanLine>(pg)
                .expect("explain")
                .into_iter()
                .map(|row| row.line)
                .collect::<Vec<_>>()
                .join(" ")
        }
        AnyConnection::Sqlite(sqlite) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}"))
            .load::<SqlitePlanLine>(sqlite)
            .expect("explain")
            .into_iter()
            .map(|row| row.detail)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The application's own queries, written without any collation, use a
/// partial index whose condition is a text equality: the planner matches
/// the condition only in the form the application writes.
fn the_application_s_queries_use_the_partial_index(conn: &mut AnyConnection) {
    Runner::new(conn, live_accounts::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    let query = "SELECT id FROM accounts WHERE status = 'active' AND email = 'ada@example.org'";
    let plan = query_plan(conn, query);
    assert!(plan.contains("accounts_email_idx"), "{plan}");
    conn.batch_execute(
        "INSERT INTO accounts (email, status) VALUES ('ada@example.org', 'active') \
         ON CONFLICT (email) WHERE status = 'active' DO NOTHING",
    )
    .expect("the index is the conflict target");
}

on_both_backends!(the_application_s_queries_use_the_partial_index =>
    sqlite_the_application_s_queries_use_a_partial_index_on_text_equality,
    postgres_the_application_s_queries_use_a_partial_index_on_text_equality);
