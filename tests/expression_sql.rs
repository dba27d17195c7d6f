//! The SQL each expression renders on PostgreSQL and SQLite, as the README's
//! DSL reference shows it. The table is written by the real renderers and
//! kept in `tests/snapshots/expression_sql.md`; run with
//! `UPDATE_SNAPSHOTS=1` to rewrite it after a deliberate change.
//!
//! The expressions read a row whose `a` and `b` are text, `n` and `m`
//! bigints, `i` an integer.

use migration_runtime::Backend;
use migration_runtime::model::{Expr, Function, Literal, SqlType};

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

/// One example of every expression, in the DSL's order.
fn examples() -> Vec<Expr> {
    let a = || col("a");
    let n = || col("n");
    vec![
        a(),
        text("O'Brien"),
        int(42),
        Expr::Literal(Literal::Float(1.5)),
        Expr::Literal(Literal::Bool(true)),
        Expr::Literal(Literal::Null),
        call(Function::Concat, vec![a(), text(" "), col("b")]),
        call(Function::SplitPart, vec![a(), text(" "), int(1)]),
        call(Function::SplitPart, vec![a(), text(" "), int(2)]),
        call(Function::AfterFirst, vec![a(), text(" ")]),
        call(Function::Coalesce, vec![a(), text("")]),
        call(Function::Lower, vec![a()]),
        call(Function::Upper, vec![a()]),
        call(Function::Trim, vec![a()]),
        call(Function::Substring, vec![a(), int(1), int(3)]),
        call(Function::Length, vec![a()]),
        call(Function::NullIf, vec![a(), text("")]),
        call(Function::Cast(SqlType::Text), vec![n()]),
        call(Function::Cast(SqlType::BigInt), vec![a()]),
        call(
            Function::Case,
            vec![call(Function::Eq, vec![a(), text("")]), col("b"), a()],
        ),
        call(Function::Add, vec![n(), int(1)]),
        call(Function::Sub, vec![n(), int(1)]),
        call(Function::Mul, vec![n(), int(2)]),
        call(Function::Div, vec![n(), col("m")]),
        call(Function::Mul, vec![col("i"), int(1000)]),
        call(Function::Add, vec![col("x"), col("y")]),
        call(
            Function::Sub,
            vec![col("x"), Expr::Literal(Literal::Float(1.5))],
        ),
        call(
            Function::Mul,
            vec![col("i"), Expr::Literal(Literal::Float(1.5))],
        ),
        call(Function::Div, vec![col("x"), col("y")]),
        call(Function::Eq, vec![n(), col("m")]),
        call(Function::Lt, vec![a(), text("M")]),
        call(Function::Lt, vec![a(), col("b")]),
        call(
            Function::Ge,
            vec![call(Function::Lower, vec![a()]), text("m")],
        ),
        call(
            Function::And,
            vec![
                call(Function::IsNull, vec![a()]),
                call(Function::Gt, vec![n(), int(0)]),
            ],
        ),
        call(
            Function::Or,
            vec![
                call(Function::IsNotNull, vec![a()]),
                call(Function::Ne, vec![n(), int(0)]),
            ],
        ),
        call(Function::Not, vec![call(Function::IsNull, vec![a()])]),
    ]
}

fn row() -> migration_runtime::model::Table {
    integration_tests::nullable_columns(
        "samples",
        &[
            ("a", SqlType::Text),
            ("b", SqlType::Text),
            ("n", SqlType::BigInt),
            ("m", SqlType::BigInt),
            ("i", SqlType::Integer),
            ("x", SqlType::Double),
            ("y", SqlType::Double),
        ],
    )
}

fn cell(sql: &str) -> String {
    format!("`{}`", sql.replace('|', "\\|"))
}

fn table() -> String {
    let mut markdown = "| expression | PostgreSQL | SQLite |\n| --- | --- | --- |\n".to_owned();
    let row = row();
    for expr in examples() {
        let render = |backend: Backend| {
            backend
                .render_expr(&expr, &row)
                .unwrap_or_else(|e| panic!("`{expr}` on {}: {e}", backend.name()))
        };
        markdown.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&expr.to_string()),
            cell(&render(Backend::Postgres)),
            cell(&render(Backend::Sqlite))
        ));
    }
    markdown
}

#[test]
fn the_reference_table_shows_the_sql_each_backend_runs() {
    integration_tests::assert_snapshot("expression_sql.md", &table());
}
