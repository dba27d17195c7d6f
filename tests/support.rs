//! Catalog readers the integration tests use to see what really exists in
//! a database, independent of the toolkit's own introspection.

use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

/// A column as the catalog reports it: name, declared type, whether NULL is accepted.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct CatalogColumn {
    /// The column's name.
    pub name: String,
    /// The type as the backend spells it (`character varying(20)`, `VARCHAR(20)`).
    pub ty: String,
    /// Whether the column accepts NULL.
    pub nullable: bool,
}

#[derive(QueryableByName)]
struct PgColumnRow {
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// The columns of `table` in PostgreSQL's `public` schema, in order.
pub fn pg_columns(conn: &mut PgConnection, table: &str) -> Vec<CatalogColumn> {
    diesel::sql_query(
        "SELECT column_name::text AS column_name, \
                format_type(a.atttypid, a.atttypmod) AS data_type, \
                is_nullable::text AS is_nullable \
         FROM information_schema.columns c \
         JOIN pg_attribute a ON a.attrelid = ('public.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name \
         WHERE c.table_schema = 'public' AND c.table_name = $1 ORDER BY c.ordinal_position",
    )
    .bind::<Text, _>(table)
    .load::<PgColumnRow>(conn)
    .expect("read information_schema.columns")
    .into_iter()
    .map(|row| CatalogColumn { name: row.column_name, ty: row.data_type, nullable: row.is_nullable == "YES" })
    .collect()
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables in PostgreSQL's `public` schema, sorted.
pub fn pg_tables(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
        .load::<NameRow>(conn)
        .expect("read information_schema.tables")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

/// The versions diesel recorded as applied, sorted.
pub fn pg_applied(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query("SELECT version::text AS name FROM __diesel_schema_migrations ORDER BY 1")
        .load::<NameRow>(conn)
        .expect("read __diesel_schema_migrations")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

/// The indexes on `table` in PostgreSQL, sorted.
pub fn pg_indexes(conn: &mut PgConnection, table: &str) -> Vec<String> {
    diesel::sql_query("SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY 1")
        .bind::<Text, _>(table)
        .load::<NameRow>(conn)
        .expect("read pg_indexes")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

#[derive(QueryableByName)]
struct SqliteColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "type")]
    ty: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
    #[diesel(sql_type = Nullable<Text>)]
    #[allow(dead_code)]
    dflt_value: Option<String>,
}

/// The columns of `table` in SQLite, in order (a primary key column counts as NOT NULL).
pub fn sqlite_columns(conn: &mut SqliteConnection, table: &str) -> Vec<CatalogColumn> {
    diesel::sql_query("SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info(?)")
        .bind::<Text, _>(table)
        .load::<SqliteColumnRow>(conn)
        .expect("read pragma_table_info")
        .into_iter()
        .map(|row| CatalogColumn {
            name: row.name,
            ty: row.ty,
            nullable: row.notnull == 0 && row.pk == 0,
        })
        .collect()
}

/// The tables in SQLite, sorted.
pub fn sqlite_tables(conn: &mut SqliteConnection) -> Vec<String> {
    diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
        .load::<NameRow>(conn)
        .expect("read sqlite_master")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

/// The versions diesel recorded as applied in SQLite, sorted.
pub fn sqlite_applied(conn: &mut SqliteConnection) -> Vec<String> {
    diesel::sql_query("SELECT version AS name FROM __diesel_schema_migrations ORDER BY 1")
        .load::<NameRow>(conn)
        .expect("read __diesel_schema_migrations")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

/// The explicitly created indexes on `table` in SQLite, sorted.
pub fn sqlite_indexes(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
    diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY 1",
    )
    .bind::<Text, _>(table)
    .load::<NameRow>(conn)
    .expect("read sqlite_master indexes")
    .into_iter()
    .map(|row| row.name)
    .collect()
}

/// A column, for comparisons.
pub fn column(name: &str, ty: &str, nullable: bool) -> CatalogColumn {
    CatalogColumn {
        name: name.to_owned(),
        ty: ty.to_owned(),
        nullable,
    }
}

#[derive(QueryableByName)]
struct ValueRow {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// The text values of column `v` of a query on PostgreSQL, in the query's order.
pub fn pg_strings(conn: &mut PgConnection, query: &str) -> Vec<Option<String>> {
    diesel::sql_query(query)
        .load::<ValueRow>(conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|row| row.v)
        .collect()
}

/// The text values of column `v` of a query on SQLite, in the query's order.
pub fn sqlite_strings(conn: &mut SqliteConnection, query: &str) -> Vec<Option<String>> {
    diesel::sql_query(query)
        .load::<ValueRow>(conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|row| row.v)
        .collect()
}

/// A fresh SQLite database in a file of the temporary folder, named after
/// the test and the process, and its path (to remove it afterwards).
pub fn sqlite_file(name: &str) -> (std::path::PathBuf, migration_runtime::AnyConnection) {
    let path = std::env::temp_dir().join(format!("{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let conn = migration_runtime::AnyConnection::establish(path.to_str().expect("utf-8 path"))
        .expect("open SQLite");
    (path, conn)
}

/// Two tests of one check, a `fn(&mut AnyConnection)`: the first on a fresh
/// SQLite file, the second on a fresh PostgreSQL database (skipped without
/// a server outside CI; see `PgTestDatabase`).
#[macro_export]
macro_rules! on_both_backends {
    ($check:path => $sqlite:ident, $postgres:ident) => {
        #[test]
        fn $sqlite() {
            let (path, mut conn) = $crate::sqlite_file(stringify!($sqlite));
            $check(&mut conn);
            drop(conn);
            std::fs::remove_file(path).expect("clean up");
        }

        #[test]
        fn $postgres() {
            let Some(db) = migration_runtime::testing::PgTestDatabase::create() else {
                return;
            };
            let mut conn = migration_runtime::AnyConnection::establish(db.url()).expect("connect");
            $check(&mut conn);
        }
    };
}

/// The first value the query returns (a column named `v`), or an empty
/// string for NULL.
pub fn value(conn: &mut migration_runtime::AnyConnection, query: &str) -> String {
    conn.text_column(query).expect("query")[0]
        .clone()
        .unwrap_or_default()
}

/// Compares `rendered` with the snapshot `tests/snapshots/<file>`; with
/// `UPDATE_SNAPSHOTS=1`, writes it there first (after a deliberate change).
pub fn assert_snapshot(file: &str, rendered: &str) {
    let path = format!("{}/snapshots/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, rendered).expect("write the snapshot");
    }
    let kept = std::fs::read_to_string(&path).expect("read the snapshot");
    assert_eq!(
        rendered, kept,
        "the rendered SQL changed: check it, then run with UPDATE_SNAPSHOTS=1"
    );
}

/// Runs the embedded CLI as `app --database-url URL ARGS..` on `set`: its
/// exit code and output, or the error `main` would print after `error:`.
pub fn run_cli(
    set: migration_runtime::MigrationSet,
    url: &str,
    args: &[&str],
) -> Result<(std::process::ExitCode, String), String> {
    use clap::Parser;
    let mut argv = vec!["app", "--database-url", url];
    argv.extend_from_slice(args);
    let cli = migration_runtime::cli::Cli::try_parse_from(argv).expect("valid arguments");
    let mut out = Vec::new();
    let code = migration_runtime::cli::run(set, cli, &mut out).map_err(|e| e.to_string())?;
    Ok((code, String::from_utf8(out).expect("utf-8")))
}

/// The model of a table the test created by hand, its columns all nullable:
/// what `Backend::render_expr` needs to know of the rows it evaluates.
pub fn nullable_columns(
    table: &str,
    columns: &[(&str, migration_runtime::model::SqlType)],
) -> migration_runtime::model::Table {
    use migration_runtime::model::{Column, List, Table};
    Table {
        name: table.to_owned().into(),
        columns: columns
            .iter()
            .map(|(name, ty)| Column {
                name: (*name).to_owned().into(),
                ty: *ty,
                nullable: true,
                default: None,
            })
            .collect::<Vec<_>>()
            .into(),
        primary_key: List::Owned(Vec::new()),
        uniques: List::Owned(Vec::new()),
        checks: List::Owned(Vec::new()),
        foreign_keys: List::Owned(Vec::new()),
    }
}

/// What PostgreSQL computes for `x op y` (the toolkit's `+ - * /`) in the
/// integer type `ty`: the value, `None` for a zero divisor (the toolkit's
/// `/` gives NULL), or PostgreSQL's error (`integer out of range`).
pub fn postgres_integer_result(
    op: migration_runtime::model::Function,
    x: i64,
    y: i64,
    ty: migration_runtime::model::SqlType,
) -> Result<Option<i128>, String> {
    use migration_runtime::model::{Function, SqlType};
    let (name, min, max) = match ty {
        SqlType::SmallInt => ("smallint", i16::MIN.into(), i16::MAX.into()),
        SqlType::Integer => ("integer", i32::MIN.into(), i32::MAX.into()),
        _ => ("bigint", i64::MIN, i64::MAX),
    };
    let (x, y) = (i128::from(x), i128::from(y));
    let exact = match op {
        Function::Add => x + y,
        Function::Sub => x - y,
        Function::Mul => x * y,
        Function::Div if y == 0 => return Ok(None),
        // i128 division truncates toward zero, as both backends do.
        _ => x / y,
    };
    if (i128::from(min)..=i128::from(max)).contains(&exact) {
        Ok(Some(exact))
    } else {
        Err(format!("{name} out of range"))
    }
}
