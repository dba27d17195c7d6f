//! The same expression gives the same values on PostgreSQL and SQLite, over
//! rows chosen for the edge cases: missing fields, empty text, NULL, extra
//! spaces, quotes and non-ASCII text.

use diesel::connection::SimpleConnection;
use integration_tests::*;
use migration_runtime::Backend;
use migration_runtime::model::{Expr, Function, Literal, SqlType};
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};

const ROWS: &[Option<&str>] = &[
    Some("Ada Lovelace"),
    Some("Jean Claude Van Damme"),
    Some("Cher"),
    Some(""),
    None,
    Some("  padded  "),
    Some("a  b"),
    Some(" "),
    Some("Zoë Ñúñez"),
    Some("李 小龍"),
    Some("O'Brien \"Junior\""),
];

fn insert_rows() -> String {
    let values: Vec<String> = ROWS
        .iter()
        .enumerate()
        .map(|(id, row)| {
            let text = row.map_or("NULL".to_owned(), migration_runtime::dialect::quote_text);
            format!("({id}, {text})")
        })
        .collect();
    format!(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, a TEXT NULL); INSERT INTO samples (id, a) VALUES {};",
        values.join(", ")
    )
}

fn col(name: &str) -> Expr {
    Expr::Column(name.to_owned().into())
}

fn text(value: &str) -> Expr {
    Expr::Literal(Literal::Text(value.to_owned().into()))
}

fn int(value: i64) -> Expr {
    Expr::Literal(Literal::Int(value))
}

fn call(function: Function, args: Vec<Expr>) -> Expr {
    Expr::Call(function, args.into())
}

fn expressions() -> Vec<Expr> {
    let mut all = Vec::new();
    for n in [1, 2, 3, 5] {
        all.push(call(Function::SplitPart, vec![col("a"), text(" "), int(n)]));
    }
    all.push(call(
        Function::SplitPart,
        vec![col("a"), text("an"), int(2)],
    ));
    all.push(call(
        Function::Concat,
        vec![col("a"), text(" & "), col("a")],
    ));
    all.push(call(Function::AfterFirst, vec![col("a"), text(" ")]));
    all.push(call(Function::AfterFirst, vec![col("a"), text("an")]));
    all.push(call(Function::Concat, vec![text("<"), col("a"), text(">")]));
    all.push(call(Function::Coalesce, vec![col("a"), text("(none)")]));
    all.push(call(Function::Trim, vec![col("a")]));
    all.push(call(Function::Substring, vec![col("a"), int(2), int(3)]));
    all.push(call(
        Function::Cast(SqlType::Text),
        vec![call(Function::Length, vec![col("a")])],
    ));
    all.push(call(Function::NullIf, vec![col("a"), text("")]));
    all
}

fn select(backend: Backend, expr: &Expr) -> String {
    let samples = nullable_columns("samples", &[("id", SqlType::Integer), ("a", SqlType::Text)]);
    let sql = backend.render_expr(expr, &samples).expect("render");
    format!("SELECT CAST({sql} AS TEXT) AS v FROM samples ORDER BY id")
}

#[test]
fn every_function_gives_the_same_values_on_both_backends() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut pg = db.connect();
    let mut sqlite = sqlite_memory();
    pg.batch_execute(&insert_rows()).expect("postgres rows");
    sqlite.batch_execute(&insert_rows()).expect("sqlite rows");

    for expr in expressions() {
        let on_postgres = pg_strings(&mut pg, &select(Backend::Postgres, &expr));
        let on_sqlite = sqlite_strings(&mut sqlite, &select(Backend::Sqlite, &expr));
        assert_eq!(
            on_postgres, on_sqlite,
            "`{expr}` differs (left: PostgreSQL, right: SQLite)"
        );
    }
}

#[test]
fn split_part_gives_empty_text_for_missing_fields_and_null_for_null() {
    let mut sqlite = sqlite_memory();
    sqlite.batch_execute(&insert_rows()).expect("sqlite rows");
    let second = call(Function::SplitPart, vec![col("a"), text(" "), int(2)]);
    let values = sqlite_strings(&mut sqlite, &select(Backend::Sqlite, &second));
    let expected: Vec<Option<String>> = [
        Some("Lovelace"),
        Some("Claude"),
        Some(""),
        Some(""),
        None,
        Some(""),
        Some(""),
        Some(""),
        Some("Ñúñez"),
        Some("小龍"),
        Some("\"Junior\""),
    ]
    .iter()
    .map(|v| v.map(str::to_owned))
    .collect();
    assert_eq!(values, expected);
}

#[test]
fn after_first_keeps_every_word_after_the_first() {
    let mut sqlite = sqlite_memory();
    sqlite.batch_execute(&insert_rows()).expect("sqlite rows");
    let rest = call(Function::AfterFirst, vec![col("a"), text(" ")]);
    let values = sqlite_strings(&mut sqlite, &select(Backend::Sqlite, &rest));
    let expected: Vec<Option<String>> = [
        Some("Lovelace"),
        Some("Claude Van Damme"),
        Some(""),
        Some(""),
        None,
        Some(" padded  "),
        Some(" b"),
        Some(""),
        Some("Ñúñez"),
        Some("小龍"),
        Some("\"Junior\""),
    ]
    .iter()
    .map(|v| v.map(str::to_owned))
    .collect();
    assert_eq!(values, expected);
}
