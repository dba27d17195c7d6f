//! Case folding, arithmetic, comparisons, `case_when` and `cast` give the
//! same values on PostgreSQL and SQLite over the same rows, or fail on both.
//!
//! Column `a` has the database's collation; column `c` holds the same text
//! and `d` other text, both with, on PostgreSQL, a linguistic collation
//! (`en-US`, under which `'a' < 'B'`): comparisons, between two columns too,
//! must still order by code point, as SQLite does.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{Double, Nullable, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;
use migration_runtime::model::{Expr, Function, Literal, SqlType};
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};
use migration_runtime::{AnyConnection, Backend};

const TEXTS: &[Option<&str>] = &[
    Some("ÉLODIE Ørsted"),
    Some("élodie"),
    Some("Straße"),
    Some("İstanbul"),
    Some("ΟΔΥΣΣΕΥΣ ᾳ"),
    Some("Ярослав"),
    Some("abc"),
    Some("ABC"),
    Some("B"),
    Some("a"),
    Some("Zoë"),
    Some(""),
    None,
    Some(" 42 "),
    Some("+7"),
    Some("-13"),
    Some("12abc"),
    Some("1.5"),
    Some("abc"),
    Some("99999"),
    Some("3000000000"),
    Some("9223372036854775807"),
    Some("99999999999999999999"),
];

/// Text for column `d`, row by row beside `TEXTS`: pairs that a linguistic
/// collation orders otherwise than code points (`'a'`/`'B'`, `'élodie'`/`'f'`,
/// `'abc'`/`'ABC'`), equal pairs, empty text and NULLs.
const OTHERS: &[Option<&str>] = &[
    Some("élodie"),
    Some("f"),
    Some("Strasse"),
    Some("istanbul"),
    Some("ΟΔΥΣΣΕΥΣ ᾳ"),
    Some("Zebra"),
    Some("ABC"),
    Some("abc"),
    Some("a"),
    Some("B"),
    Some("Zoe"),
    Some("a"),
    Some("a"),
    Some("42"),
    None,
    Some(""),
];

/// Pairs of integers: signs, zero divisors, NULLs.
const NUMBERS: &[(Option<i64>, Option<i64>)] = &[
    (Some(7), Some(2)),
    (Some(-7), Some(2)),
    (Some(7), Some(-2)),
    (Some(0), Some(5)),
    (Some(5), Some(0)),
    (None, Some(3)),
    (Some(3), None),
    (Some(40000), Some(1)),
    (Some(3_000_000_000), Some(3)),
];

fn rows_sql(collated_text: &str) -> String {
    let count = TEXTS.len().max(NUMBERS.len());
    let values: Vec<String> = (0..count)
        .map(|id| {
            let text = TEXTS
                .get(id)
                .copied()
                .flatten()
                .map_or("NULL".to_owned(), migration_runtime::dialect::quote_text);
            let other = OTHERS
                .get(id)
                .copied()
                .flatten()
                .map_or("NULL".to_owned(), migration_runtime::dialect::quote_text);
            let (n, m) = NUMBERS.get(id).copied().unwrap_or((None, None));
            let number = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
            format!(
                "({id}, {text}, {text}, {other}, {}, {})",
                number(n),
                number(m)
            )
        })
        .collect();
    format!(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, a TEXT NULL, c {collated_text} NULL, \
         d {collated_text} NULL, n BIGINT NULL, m BIGINT NULL); \
         INSERT INTO samples (id, a, c, d, n, m) VALUES {};",
        values.join(", ")
    )
}

fn col(name: &str) -> Expr {
    Expr::Column(name.to_owned().into())
}

fn text(value: &str) -> Expr {
    Expr::Literal(Literal::Text(value.to_owned().into()))
}

fn call(function: Function, args: Vec<Expr>) -> Expr {
    Expr::Call(function, args.into())
}

/// A condition as text: `yes`, `no`, or NULL when it is unknown.
fn yes_no(condition: Expr) -> Expr {
    call(
        Function::Case,
        vec![
            condition.clone(),
            text("yes"),
            call(Function::Not, vec![condition]),
            text("no"),
            Expr::Literal(Literal::Null),
        ],
    )
}

fn as_text(value: Expr) -> Expr {
    call(Function::Cast(SqlType::Text), vec![value])
}

fn expressions() -> Vec<Expr> {
    let a = || col("a");
    let c = || col("c");
    let d = || col("d");
    let n = || col("n");
    let m = || col("m");
    let mut all = vec![
        call(Function::Lower, vec![a()]),
        call(Function::Upper, vec![a()]),
        call(
            Function::Concat,
            vec![
                call(Function::Upper, vec![a()]),
                text("/"),
                call(Function::Lower, vec![a()]),
            ],
        ),
    ];
    for op in [Function::Add, Function::Sub, Function::Mul, Function::Div] {
        all.push(as_text(call(op, vec![n(), m()])));
    }
    for op in [
        Function::Eq,
        Function::Ne,
        Function::Lt,
        Function::Le,
        Function::Gt,
        Function::Ge,
    ] {
        all.push(yes_no(call(op, vec![c(), text("B")])));
        all.push(yes_no(call(op, vec![text("a"), c()])));
        all.push(yes_no(call(op, vec![n(), m()])));
        all.push(yes_no(call(
            op,
            vec![call(Function::Lower, vec![a()]), text("b")],
        )));
        all.push(yes_no(call(op, vec![call(Function::Trim, vec![c()]), c()])));
        all.push(yes_no(call(op, vec![c(), d()])));
        all.push(yes_no(call(op, vec![d(), a()])));
        all.push(yes_no(call(
            op,
            vec![call(Function::Coalesce, vec![d(), c()]), c()],
        )));
    }
    all.push(yes_no(call(
        Function::And,
        vec![
            call(Function::Gt, vec![n(), m()]),
            call(Function::Lt, vec![c(), text("a")]),
        ],
    )));
    all.push(as_text(call(
        Function::Case,
        vec![call(Function::Gt, vec![n(), m()]), n(), m()],
    )));
    all.push(call(
        Function::Case,
        vec![
            call(Function::IsNull, vec![a()]),
            text("(none)"),
            call(Function::Eq, vec![a(), text("")]),
            text("(empty)"),
            call(Function::Upper, vec![a()]),
        ],
    ));
    // Narrower integer types: see `integer_narrowing_out_of_range_fails_on_both`.
    for ty in [SqlType::Text, SqlType::BigInt] {
        all.push(as_text(call(Function::Cast(ty), vec![n()])));
    }
    all
}

/// What a query gave: its text values, or the database's refusal.
type Outcome = Result<Vec<Option<String>>, String>;

#[derive(QueryableByName)]
struct ValueRow {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn select(backend: Backend, expr: &Expr, id: Option<usize>) -> String {
    let samples = integration_tests::nullable_columns(
        "samples",
        &[
            ("id", SqlType::Integer),
            ("a", SqlType::Text),
            ("c", SqlType::Text),
            ("d", SqlType::Text),
            ("n", SqlType::BigInt),
            ("m", SqlType::BigInt),
        ],
    );
    let sql = backend.render_expr(expr, &samples).expect("render");
    let filter = id.map_or(String::new(), |id| format!(" WHERE id = {id}"));
    format!("SELECT CAST({sql} AS TEXT) AS v FROM samples{filter} ORDER BY id")
}

fn on_postgres(conn: &mut PgConnection, query: &str) -> Outcome {
    diesel::sql_query(query)
        .load::<ValueRow>(conn)
        .map(|rows| rows.into_iter().map(|r| r.v).collect())
        .map_err(|e| e.to_string())
}

fn on_sqlite(conn: &mut SqliteConnection, query: &str) -> Outcome {
    diesel::sql_query(query)
        .load::<ValueRow>(conn)
        .map(|rows| rows.into_iter().map(|r| r.v).collect())
        .map_err(|e| e.to_string())
}

/// Both databases with the same rows; `None` when PostgreSQL is not configured.
fn databases() -> Option<(PgTestDatabase, PgConnection, SqliteConnection)> {
    let db = PgTestDatabase::create()?;
    let mut pg = db.connect();
    pg.batch_execute(&rows_sql(r#"TEXT COLLATE "en-US-x-icu""#))
        .expect("postgres rows");
    let AnyConnection::Sqlite(mut sqlite) =
        AnyConnection::establish(":memory:").expect("open SQLite")
    else {
        panic!("`:memory:` is a SQLite URL");
    };
    sqlite
        .batch_execute(&rows_sql("TEXT"))
        .expect("sqlite rows");
    Some((db, pg, sqlite))
}

#[test]
fn every_expression_gives_the_same_values_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    for expr in expressions() {
        let postgres = on_postgres(&mut pg, &select(Backend::Postgres, &expr, None));
        let sqlite = on_sqlite(&mut sqlite, &select(Backend::Sqlite, &expr, None));
        assert!(
            postgres.is_ok(),
            "`{expr}` fails on PostgreSQL: {postgres:?}"
        );
        assert_eq!(
            postgres, sqlite,
            "`{expr}` differs (left: PostgreSQL, right: SQLite)"
        );
    }
}

#[test]
fn lower_and_upper_fold_every_letter_on_sqlite() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    let upper = call(Function::Upper, vec![col("a")]);
    let values = on_sqlite(&mut sqlite, &select(Backend::Sqlite, &upper, Some(1)));
    assert_eq!(values, Ok(vec![Some("ÉLODIE".to_owned())]));
    let lower = call(Function::Lower, vec![col("a")]);
    let expected = Ok(vec![Some("élodie ørsted".to_owned())]);
    assert_eq!(
        on_sqlite(&mut sqlite, &select(Backend::Sqlite, &lower, Some(0))),
        expected
    );
    assert_eq!(
        on_postgres(&mut pg, &select(Backend::Postgres, &lower, Some(0))),
        expected
    );
}

#[test]
fn text_orders_by_code_point_whatever_the_column_collation() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    // Row 9 holds 'a': after 'B' by code point, before it in English.
    let after_b = yes_no(call(Function::Gt, vec![col("c"), text("B")]));
    assert_eq!(
        on_postgres(&mut pg, &select(Backend::Postgres, &after_b, Some(9))),
        Ok(vec![Some("yes".to_owned())])
    );
    assert_eq!(
        on_sqlite(&mut sqlite, &select(Backend::Sqlite, &after_b, Some(9))),
        Ok(vec![Some("yes".to_owned())])
    );
    let collated = on_postgres(
        &mut pg,
        "SELECT CAST(c > 'B' AS TEXT) AS v FROM samples WHERE id = 9",
    );
    assert_eq!(
        collated,
        Ok(vec![Some("false".to_owned())]),
        "the column's own collation orders 'a' before 'B'"
    );
}

/// Two text columns compare by code point too: the column's linguistic
/// collation would order `'a'` before `'B'` and `'élodie'` before `'f'`.
#[test]
fn two_text_columns_compare_by_code_point_whatever_their_collation() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    let after = yes_no(call(Function::Gt, vec![col("c"), col("d")]));
    // Rows 1 ('élodie', 'f'), 6 ('abc', 'ABC') and 9 ('a', 'B'): after by
    // code point (Rust's `str` order), before by the columns' collation.
    for id in [1, 6, 9] {
        assert!(TEXTS[id] > OTHERS[id], "row {id} is after by code point");
        let expected = Ok(vec![Some("yes".to_owned())]);
        assert_eq!(
            on_postgres(&mut pg, &select(Backend::Postgres, &after, Some(id))),
            expected,
            "row {id} on PostgreSQL"
        );
        assert_eq!(
            on_sqlite(&mut sqlite, &select(Backend::Sqlite, &after, Some(id))),
            expected,
            "row {id} on SQLite"
        );
        let collated = on_postgres(
            &mut pg,
            &format!("SELECT CAST(c > d AS TEXT) AS v FROM samples WHERE id = {id}"),
        );
        assert_eq!(
            collated,
            Ok(vec![Some("false".to_owned())]),
            "the columns' own collation orders row {id} the other way"
        );
    }
}

#[test]
fn division_by_zero_is_null_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    let quotient = as_text(call(Function::Div, vec![col("n"), col("m")]));
    let expected = Ok(vec![None]);
    assert_eq!(
        on_postgres(&mut pg, &select(Backend::Postgres, &quotient, Some(4))),
        expected
    );
    assert_eq!(
        on_sqlite(&mut sqlite, &select(Backend::Sqlite, &quotient, Some(4))),
        expected
    );
    let truncated = on_sqlite(&mut sqlite, &select(Backend::Sqlite, &quotient, Some(1)));
    assert_eq!(
        truncated,
        Ok(vec![Some("-3".to_owned())]),
        "-7 / 2 truncates"
    );
}

/// Text cast to an integer type: each row gives the same number on both
/// backends, or fails on both (SQLite alone would read `'abc'` as 0).
#[test]
fn text_cast_to_an_integer_gives_the_same_number_or_fails_on_both() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    let mut refused = Vec::new();
    for ty in [SqlType::SmallInt, SqlType::Integer, SqlType::BigInt] {
        let cast = as_text(call(Function::Cast(ty), vec![col("a")]));
        for (id, row) in TEXTS.iter().enumerate() {
            let postgres = on_postgres(&mut pg, &select(Backend::Postgres, &cast, Some(id)));
            let sqlite = on_sqlite(&mut sqlite, &select(Backend::Sqlite, &cast, Some(id)));
            match (&postgres, &sqlite) {
                (Ok(_), Ok(_)) => assert_eq!(postgres, sqlite, "{row:?} as {ty}"),
                (Err(_), Err(message)) => {
                    let type_name = match ty {
                        SqlType::SmallInt => "smallint",
                        SqlType::Integer => "integer",
                        _ => "bigint",
                    }
                    .to_owned();
                    assert!(
                        message.contains(&format!("invalid input for type {type_name}")),
                        "{row:?} as {ty}: {message}"
                    );
                    refused.push((*row, type_name));
                }
                _ => panic!("{row:?} as {ty}: PostgreSQL gave {postgres:?}, SQLite {sqlite:?}"),
            }
        }
    }
    let refused_as = |ty: &str| -> Vec<&str> {
        refused
            .iter()
            .filter(|(_, t)| t == ty)
            .filter_map(|(row, _)| *row)
            .collect()
    };
    let not_numbers = [
        "ÉLODIE Ørsted",
        "élodie",
        "Straße",
        "İstanbul",
        "ΟΔΥΣΣΕΥΣ ᾳ",
        "Ярослав",
        "abc",
        "ABC",
        "B",
        "a",
        "Zoë",
        "",
        "12abc",
        "1.5",
        "abc",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut all: Vec<&str> = not_numbers.to_vec();
        all.extend_from_slice(extra);
        all
    };
    assert_eq!(
        refused_as("smallint"),
        with(&[
            "99999",
            "3000000000",
            "9223372036854775807",
            "99999999999999999999"
        ])
    );
    assert_eq!(
        refused_as("integer"),
        with(&["3000000000", "9223372036854775807", "99999999999999999999"])
    );
    assert_eq!(refused_as("bigint"), with(&["99999999999999999999"]));
}

/// A number too large for a narrower integer type fails on both backends.
#[test]
fn integer_narrowing_out_of_range_fails_on_both() {
    let Some((_db, mut pg, mut sqlite)) = databases() else {
        return;
    };
    let narrowed = as_text(call(Function::Cast(SqlType::SmallInt), vec![col("n")]));
    // Row 7 holds 40000, past smallint's 32767.
    assert!(on_postgres(&mut pg, &select(Backend::Postgres, &narrowed, Some(7))).is_err());
    let sqlite = on_sqlite(&mut sqlite, &select(Backend::Sqlite, &narrowed, Some(7)));
    assert!(
        sqlite
            .as_ref()
            .is_err_and(|e| e.contains(r#"invalid input for type smallint: "40000""#)),
        "{sqlite:?}"
    );
}

#[migration_runtime::migrations]
mod folded {
    #[migration(id = "2024_05_01_000001")]
    fn create_people(m: &mut Up) {
        m.create_table("people", |t| {
            t.id("id");
            t.column("name", text());
            t.column("key", text().nullable());
        });
    }

    #[migration(id = "2024_05_02_000001")]
    fn fill_keys(m: &mut Up) {
        m.backfill("people", "key", lower(col("name")))
            .only_where(col("key").is_null());
    }
}

/// Through diesel's own harness on a plain `SqliteConnection`, `lower`
/// folds every letter too: the migration defines the function it needs.
#[test]
fn lower_folds_every_letter_through_the_diesel_harness_on_sqlite() {
    let mut conn = sqlite_memory();
    conn.run_next_migration(folded::MIGRATIONS)
        .expect("create people");
    conn.batch_execute("INSERT INTO people (name) VALUES ('ÉLODIE'), ('ΟΔΥΣΣΕΥΣ')")
        .expect("insert");
    conn.run_pending_migrations(folded::MIGRATIONS)
        .expect("fill keys");
    let keys = on_sqlite(&mut conn, "SELECT key AS v FROM people ORDER BY id");
    assert_eq!(
        keys,
        Ok(vec![Some("élodie".to_owned()), Some("οδυσσευσ".to_owned())])
    );
}

/// diesel's harness defines the functions on a connection the application
/// opened and wrapped itself, too.
#[test]
fn lower_folds_every_letter_through_the_diesel_harness_on_a_wrapped_connection() {
    let mut conn = AnyConnection::Sqlite(sqlite_memory());
    conn.run_next_migration(folded::MIGRATIONS)
        .expect("create people");
    conn.batch_execute("INSERT INTO people (name) VALUES ('ÉLODIE')")
        .expect("insert");
    conn.run_pending_migrations(folded::MIGRATIONS)
        .expect("fill keys");
    let keys = conn
        .text_column("SELECT key AS v FROM people ORDER BY id")
        .expect("keys");
    assert_eq!(keys, vec![Some("élodie".to_owned())]);
}

/// A `SqliteConnection` wrapped by hand lacks the functions until they are
/// registered: the migration fails, naming the function, rather than fold
/// ASCII only.
#[test]
fn a_connection_without_the_functions_fails_instead_of_folding_ascii_only() {
    let mut plain = AnyConnection::Sqlite(sqlite_memory());
    let error = migration_runtime::Runner::new(&mut plain, folded::MIGRATIONS)
        .upgrade("head")
        .expect_err("no unicode_lower");
    assert!(
        error
            .to_string()
            .contains("no such function: unicode_lower"),
        "{error}"
    );

    let mut conn = sqlite_memory();
    migration_runtime::register_sqlite_functions(&mut conn).expect("register");
    let mut registered = AnyConnection::Sqlite(conn);
    migration_runtime::Runner::new(&mut registered, folded::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade with the functions");
}

/// Pairs of text columns compared by backfills: a condition stored in a
/// boolean column, an `only_where`, and a batched backfill.
#[migration_runtime::migrations]
mod ordered {
    #[migration(id = "2024_05_03_000001")]
    fn create_pairs(m: &mut Up) {
        m.create_table("pairs", |t| {
            t.id("id");
            t.column("first", text());
            t.column("second", text().nullable());
            t.column("first_before", boolean().nullable());
            t.column("same", boolean().nullable());
            t.column("note", text().nullable());
        });
    }

    #[migration(id = "2024_05_04_000001")]
    fn compare_pairs(m: &mut Up) {
        m.backfill("pairs", "first_before", col("first").lt(col("second")))
            .batched(2)
            .restore_with(null());
        m.backfill("pairs", "same", col("first").eq(col("second")))
            .restore_with(null());
        m.backfill("pairs", "note", "after")
            .only_where(col("first").gt(col("second")))
            .restore_with(null());
    }
}

/// (first, second): `'a'`/`'B'`, `'élodie'`/`'f'` and `'abc'`/`'ABC'` order
/// otherwise under a linguistic collation than by code point.
const PAIRS: &[(&str, Option<&str>)] = &[
    ("a", Some("B")),
    ("B", Some("a")),
    ("élodie", Some("f")),
    ("f", Some("élodie")),
    ("abc", Some("ABC")),
    ("", Some("a")),
    ("a", Some("")),
    ("Zoë", Some("Zoë")),
    ("a", None),
];

/// What a backfill wrote, row by row, as text (`true`/`false` on both).
fn backfilled(conn: &mut AnyConnection, column: &str) -> Vec<Option<String>> {
    let query = format!(
        "SELECT CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END AS v \
         FROM pairs ORDER BY id"
    );
    conn.text_column(&query).expect("read the pairs")
}

fn backfills_compare_two_text_columns_by_code_point(conn: &mut AnyConnection) {
    migration_runtime::Runner::new(conn, ordered::MIGRATIONS)
        .upgrade("+1")
        .expect("create pairs");
    let postgres = conn.backend() == Backend::Postgres;
    if postgres {
        // The cluster's own collation may be C: give the columns a
        // linguistic one.
        conn.batch_execute(
            r#"ALTER TABLE pairs ALTER COLUMN first TYPE TEXT COLLATE "en-US-x-icu";
               ALTER TABLE pairs ALTER COLUMN second TYPE TEXT COLLATE "en-US-x-icu""#,
        )
        .expect("collate the pairs");
    }
    let rows: Vec<String> = PAIRS
        .iter()
        .enumerate()
        .map(|(id, (first, second))| {
            let second = second.map_or("NULL".to_owned(), migration_runtime::dialect::quote_text);
            format!(
                "({}, {}, {second})",
                id + 1,
                migration_runtime::dialect::quote_text(first)
            )
        })
        .collect();
    conn.batch_execute(&format!(
        "INSERT INTO pairs (id, first, second) VALUES {}",
        rows.join(", ")
    ))
    .expect("insert pairs");
    if postgres {
        let collated = conn
            .text_column(
                "SELECT CAST(first < second AS TEXT) || ' ' || CAST(first = second AS TEXT) AS v \
                 FROM pairs WHERE id IN (1, 5) ORDER BY id",
            )
            .expect("compare by the collation");
        assert_eq!(
            collated,
            vec![Some("true false".to_owned()), Some("true false".to_owned())],
            "the columns' own collation orders 'a' before 'B' and 'abc' before 'ABC'"
        );
    }
    migration_runtime::Runner::new(conn, ordered::MIGRATIONS)
        .upgrade("head")
        .expect("compare pairs");

    // Rust's `str` ordering is code point order.
    let expected = |holds: fn(&str, &str) -> bool| -> Vec<Option<String>> {
        PAIRS
            .iter()
            .map(|(first, second)| second.map(|second| holds(first, second).to_string()))
            .collect()
    };
    assert_eq!(backfilled(conn, "first_before"), expected(|a, b| a < b));
    assert_eq!(backfilled(conn, "same"), expected(|a, b| a == b));
    let notes = conn
        .text_column("SELECT note AS v FROM pairs ORDER BY id")
        .expect("read the notes");
    let after: Vec<Option<String>> = PAIRS
        .iter()
        .map(|(first, second)| {
            second
                .is_some_and(|second| *first > second)
                .then(|| "after".to_owned())
        })
        .collect();
    assert_eq!(notes, after);
}

integration_tests::on_both_backends!(
    backfills_compare_two_text_columns_by_code_point
        => sqlite_backfills_compare_two_text_columns_by_code_point,
        postgres_backfills_compare_two_text_columns_by_code_point
);

/// A check between two text columns.
#[migration_runtime::migrations]
mod ranges {
    #[migration(id = "2024_05_05_000001")]
    fn create_ranges(m: &mut Up) {
        m.create_table("ranges", |t| {
            t.id("id");
            t.column("low", text());
            t.column("high", text());
            t.check("ordered", col("low").lt(col("high")));
        });
    }
}

fn checks_compare_two_text_columns_by_code_point(conn: &mut AnyConnection) {
    migration_runtime::Runner::new(conn, ranges::MIGRATIONS)
        .upgrade("head")
        .expect("create ranges");
    if conn.backend() == Backend::Postgres {
        // PostgreSQL reads the check again with the columns' new collation.
        conn.batch_execute(
            r#"ALTER TABLE ranges ALTER COLUMN low TYPE TEXT COLLATE "en-US-x-icu";
               ALTER TABLE ranges ALTER COLUMN high TYPE TEXT COLLATE "en-US-x-icu""#,
        )
        .expect("collate the ranges");
    }
    // By code point 'B' < 'a' and 'f' < 'é'; a linguistic collation has
    // them the other way.
    let accepted = |conn: &mut AnyConnection, low: &str, high: &str| {
        conn.batch_execute(&format!(
            "INSERT INTO ranges (low, high) VALUES ({}, {})",
            migration_runtime::dialect::quote_text(low),
            migration_runtime::dialect::quote_text(high)
        ))
        .is_ok()
    };
    assert!(accepted(conn, "B", "a"));
    assert!(accepted(conn, "f", "élodie"));
    assert!(!accepted(conn, "a", "B"), "'a' comes after 'B'");
    assert!(!accepted(conn, "élodie", "f"), "'é' comes after 'f'");
}

integration_tests::on_both_backends!(
    checks_compare_two_text_columns_by_code_point
        => sqlite_checks_compare_two_text_columns_by_code_point,
        postgres_checks_compare_two_text_columns_by_code_point
);

/// The integer types, each with its columns in `bounds` (`x`, `y` per
/// type) and its range, as PostgreSQL names it in its errors.
const WIDTHS: &[(SqlType, &str, &str, i64, i64)] = &[
    (
        SqlType::SmallInt,
        "s",
        "t",
        i16::MIN as i64,
        i16::MAX as i64,
    ),
    (SqlType::Integer, "i", "j", i32::MIN as i64, i32::MAX as i64),
    (SqlType::BigInt, "b", "c", i64::MIN, i64::MAX),
];

/// Pairs of operands at each type's bounds, by role: the result just fits,
/// or just does not.
fn bound_pairs(min: i64, max: i64) -> Vec<(Option<i64>, Option<i64>)> {
    // The largest number whose square fits.
    let root = max.isqrt();
    vec![
        (Some(max), Some(1)),
        (Some(max - 1), Some(1)),
        (Some(min), Some(1)),
        (Some(min + 1), Some(1)),
        (Some(min), Some(-1)),
        (Some(min + 1), Some(-1)),
        (Some(max), Some(-1)),
        (Some(-1), Some(max)),
        (Some(root), Some(root)),
        (Some(root + 1), Some(root + 1)),
        (Some(-root - 1), Some(root + 1)),
        (Some(min / 2), Some(2)),
        (Some(max / 2 + 1), Some(2)),
        (Some(min), Some(0)),
        (None, Some(max)),
        (Some(max), None),
    ]
}

fn bounds_sql() -> String {
    let rows: Vec<Vec<(Option<i64>, Option<i64>)>> = WIDTHS
        .iter()
        .map(|(_, _, _, min, max)| bound_pairs(*min, *max))
        .collect();
    let number = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
    let values: Vec<String> = (0..rows[0].len())
        .map(|id| {
            let cells: Vec<String> = rows
                .iter()
                .flat_map(|pairs| [number(pairs[id].0), number(pairs[id].1)])
                .collect();
            format!("({id}, {})", cells.join(", "))
        })
        .collect();
    format!(
        "CREATE TABLE bounds (id INTEGER PRIMARY KEY, s SMALLINT NULL, t SMALLINT NULL, \
         i INTEGER NULL, j INTEGER NULL, b BIGINT NULL, c BIGINT NULL); \
         INSERT INTO bounds (id, s, t, i, j, b, c) VALUES {};",
        values.join(", ")
    )
}

fn bounds_table() -> migration_runtime::model::Table {
    let mut columns = vec![("id", SqlType::Integer)];
    for (ty, x, y, _, _) in WIDTHS {
        columns.push((x, *ty));
        columns.push((y, *ty));
    }
    integration_tests::nullable_columns("bounds", &columns)
}

fn int(value: i64) -> Expr {
    Expr::Literal(Literal::Int(value))
}

/// `expr` on row `id` of `bounds`, as text, on `backend`.
fn select_bound(backend: Backend, expr: &Expr, id: usize) -> String {
    let sql = backend.render_expr(expr, &bounds_table()).expect("render");
    format!("SELECT CAST({sql} AS TEXT) AS v FROM bounds WHERE id = {id}")
}

/// Both databases with the `bounds` rows; `None` when PostgreSQL is not
/// configured.
fn bounds_databases() -> Option<(PgTestDatabase, PgConnection, SqliteConnection)> {
    let db = PgTestDatabase::create()?;
    let mut pg = db.connect();
    pg.batch_execute(&bounds_sql()).expect("postgres bounds");
    let AnyConnection::Sqlite(mut sqlite) =
        AnyConnection::establish(":memory:").expect("open SQLite")
    else {
        panic!("`:memory:` is a SQLite URL");
    };
    sqlite.batch_execute(&bounds_sql()).expect("sqlite bounds");
    Some((db, pg, sqlite))
}

/// What PostgreSQL computes for `x op y` in `ty`, as a query gives it:
/// NULL for a NULL operand or a zero divisor.
fn expected(op: Function, x: Option<i64>, y: Option<i64>, ty: SqlType) -> Outcome {
    let (Some(x), Some(y)) = (x, y) else {
        return Ok(vec![None]);
    };
    integration_tests::postgres_integer_result(op, x, y, ty)
        .map(|value| vec![value.map(|value| value.to_string())])
}

/// `+ - * /` between two values of one integer type give that type on
/// PostgreSQL, which fails past its range (`integer out of range`): SQLite,
/// whose integers are all 64 bits and which turns an overflow into a
/// floating-point number, fails the same way, with the same message, and
/// gives the same value wherever the result just fits.
#[test]
fn integer_arithmetic_fails_past_its_type_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = bounds_databases() else {
        return;
    };
    let mut failures = 0;
    for (ty, x, y, min, max) in WIDTHS {
        for op in [Function::Add, Function::Sub, Function::Mul, Function::Div] {
            let expr = as_text(call(op, vec![col(x), col(y)]));
            for (id, (a, b)) in bound_pairs(*min, *max).into_iter().enumerate() {
                let want = expected(op, a, b, *ty);
                failures += usize::from(want.is_err());
                let postgres = on_postgres(&mut pg, &select_bound(Backend::Postgres, &expr, id));
                let sqlite = on_sqlite(&mut sqlite, &select_bound(Backend::Sqlite, &expr, id));
                assert_eq!(postgres, want, "`{expr}` on PostgreSQL, {a:?} and {b:?}");
                assert_eq!(sqlite, want, "`{expr}` on SQLite, {a:?} and {b:?}");
            }
        }
    }
    assert!(failures >= 20, "the rows reach past every type: {failures}");
}

/// Mixed integer types compute in the wider one, an integer literal is an
/// `integer` unless it needs a `bigint`, and an intermediate result that
/// overflows fails even when the final one would fit: the same on both.
#[test]
fn mixed_integer_arithmetic_widens_as_postgresql_does_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = bounds_databases() else {
        return;
    };
    let expressions = [
        // smallint + integer: integer.
        call(Function::Add, vec![col("s"), col("i")]),
        // smallint + literal: integer, so 32767 + 1 fits.
        call(Function::Add, vec![col("s"), int(1)]),
        call(Function::Mul, vec![col("s"), int(1000)]),
        call(Function::Mul, vec![col("i"), int(1000)]),
        // A literal past integer is a bigint.
        call(Function::Mul, vec![col("i"), int(3_000_000_000)]),
        call(Function::Add, vec![col("i"), col("b")]),
        call(Function::Sub, vec![int(0), col("b")]),
        // integer + 1 overflows before the subtraction brings it back.
        call(
            Function::Sub,
            vec![call(Function::Add, vec![col("i"), int(1)]), int(1)],
        ),
        call(
            Function::Add,
            vec![call(Function::Coalesce, vec![col("s"), col("t")]), col("t")],
        ),
        call(
            Function::Mul,
            vec![call(Function::Length, vec![text("abc")]), col("j")],
        ),
    ];
    let mut outcomes = (0, 0);
    for expr in expressions {
        let expr = as_text(expr);
        for id in 0..bound_pairs(0, 0).len() {
            let postgres = on_postgres(&mut pg, &select_bound(Backend::Postgres, &expr, id));
            let sqlite = on_sqlite(&mut sqlite, &select_bound(Backend::Sqlite, &expr, id));
            assert_eq!(
                postgres, sqlite,
                "`{expr}` on row {id} (left: PostgreSQL, right: SQLite)"
            );
            match postgres {
                Ok(_) => outcomes.0 += 1,
                Err(_) => outcomes.1 += 1,
            }
        }
    }
    assert!(
        outcomes.0 > 50 && outcomes.1 > 20,
        "values and failures both: {outcomes:?}"
    );
}

/// `double` values at the edges of the type: the largest magnitudes, the
/// smallest normal one, zero, NULL, and ordinary ones; every pair is a row
/// of `reals` (`x`, `y`), beside an `integer` and a `bigint` column.
const REALS: &[Option<f64>] = &[
    Some(1e308),
    Some(-1e308),
    Some(1e-308),
    Some(0.0),
    None,
    Some(10.0),
    Some(0.5),
];

/// Integers for the `integer` and `bigint` columns of `reals`, row by row
/// in turn.
const REAL_INTEGERS: &[(Option<i64>, Option<i64>)] = &[
    (Some(i32::MAX as i64), Some(i64::MAX)),
    (Some(-3), Some(i64::MIN)),
    (Some(0), Some(0)),
    (None, None),
];

fn real_pairs() -> Vec<(Option<f64>, Option<f64>)> {
    REALS
        .iter()
        .flat_map(|x| REALS.iter().map(move |y| (*x, *y)))
        .collect()
}

fn reals_sql() -> String {
    let real = |v: Option<f64>| v.map_or("NULL".to_owned(), |v| format!("{v:e}"));
    let int = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
    let values: Vec<String> = real_pairs()
        .into_iter()
        .enumerate()
        .map(|(id, (x, y))| {
            let (i, b) = REAL_INTEGERS[id % REAL_INTEGERS.len()];
            format!("({id}, {}, {}, {}, {})", real(x), real(y), int(i), int(b))
        })
        .collect();
    format!(
        "CREATE TABLE reals (id INTEGER PRIMARY KEY, x DOUBLE PRECISION NULL, \
         y DOUBLE PRECISION NULL, i INTEGER NULL, b BIGINT NULL); \
         INSERT INTO reals (id, x, y, i, b) VALUES {};",
        values.join(", ")
    )
}

/// Both databases with the `reals` rows; `None` when PostgreSQL is not
/// configured.
fn reals_databases() -> Option<(PgTestDatabase, PgConnection, SqliteConnection)> {
    let db = PgTestDatabase::create()?;
    let mut pg = db.connect();
    pg.batch_execute(&reals_sql()).expect("postgres reals");
    let AnyConnection::Sqlite(mut sqlite) =
        AnyConnection::establish(":memory:").expect("open SQLite")
    else {
        panic!("`:memory:` is a SQLite URL");
    };
    sqlite.batch_execute(&reals_sql()).expect("sqlite reals");
    Some((db, pg, sqlite))
}

/// What a query of a `double` gave: its values (compared as numbers, which
/// the backends write as text differently), or the database's refusal.
type RealOutcome = Result<Vec<Option<f64>>, String>;

#[derive(QueryableByName)]
struct RealRow {
    #[diesel(sql_type = Nullable<Double>)]
    v: Option<f64>,
}

/// `expr` on row `id` of `reals` on `backend`, through `load`.
fn real_value<C>(conn: &mut C, backend: Backend, expr: &Expr, id: usize) -> RealOutcome
where
    C: diesel::Connection,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, RealRow>,
{
    let table = integration_tests::nullable_columns(
        "reals",
        &[
            ("id", SqlType::Integer),
            ("x", SqlType::Double),
            ("y", SqlType::Double),
            ("i", SqlType::Integer),
            ("b", SqlType::BigInt),
        ],
    );
    let sql = backend.render_expr(expr, &table).expect("render");
    diesel::sql_query(format!("SELECT {sql} AS v FROM reals WHERE id = {id}"))
        .load::<RealRow>(conn)
        .map(|rows| rows.into_iter().map(|r| r.v).collect())
        .map_err(|e| e.to_string())
}

/// What PostgreSQL computes for `x op y` in `double precision`: NULL for a
/// NULL operand or a zero divisor, a failure for an infinite result from
/// finite operands, or a zero product or quotient of nonzero ones.
fn expected_real(op: Function, x: Option<f64>, y: Option<f64>) -> RealOutcome {
    let (Some(x), Some(y)) = (x, y) else {
        return Ok(vec![None]);
    };
    let result = match op {
        Function::Add => x + y,
        Function::Sub => x - y,
        Function::Mul => x * y,
        _ if y == 0.0 => return Ok(vec![None]),
        _ => x / y,
    };
    let scales = matches!(op, Function::Mul | Function::Div);
    if result.is_infinite() {
        Err("value out of range: overflow".to_owned())
    } else if scales && result == 0.0 && x != 0.0 && y != 0.0 {
        Err("value out of range: underflow".to_owned())
    } else {
        Ok(vec![Some(result)])
    }
}

/// `+ - * /` between two `double` values fail on PostgreSQL when the
/// result overflows to infinity or a product or quotient underflows to
/// zero: SQLite, which gives infinity or zero, fails the same way with the
/// same message, and gives the same value otherwise.
#[test]
fn double_arithmetic_fails_on_overflow_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = reals_databases() else {
        return;
    };
    let mut failures = 0;
    for op in [Function::Add, Function::Sub, Function::Mul, Function::Div] {
        let expr = call(op, vec![col("x"), col("y")]);
        for (id, (x, y)) in real_pairs().into_iter().enumerate() {
            let want = expected_real(op, x, y);
            failures += usize::from(want.is_err());
            let postgres = real_value(&mut pg, Backend::Postgres, &expr, id);
            let sqlite = real_value(&mut sqlite, Backend::Sqlite, &expr, id);
            assert_eq!(postgres, want, "`{expr}` on PostgreSQL, {x:?} and {y:?}");
            assert_eq!(sqlite, want, "`{expr}` on SQLite, {x:?} and {y:?}");
        }
    }
    assert!(failures >= 15, "the rows reach past double: {failures}");
}

/// An integer with a `double` computes in `double precision`, as does a
/// fractional literal, which PostgreSQL alone would type `numeric` (exact,
/// never overflowing): the same values or failures on both backends.
#[test]
fn mixed_double_arithmetic_computes_as_postgresql_does_on_both_backends() {
    let Some((_db, mut pg, mut sqlite)) = reals_databases() else {
        return;
    };
    let float = |value: f64| Expr::Literal(Literal::Float(value));
    let expressions = [
        call(Function::Mul, vec![col("x"), int(10)]),
        call(Function::Mul, vec![col("i"), col("x")]),
        call(Function::Div, vec![col("b"), col("y")]),
        call(Function::Sub, vec![col("x"), col("b")]),
        call(Function::Div, vec![col("i"), float(1e-308)]),
        call(Function::Mul, vec![col("i"), float(1e300)]),
        call(Function::Mul, vec![float(1e308), int(10)]),
        call(Function::Add, vec![col("x"), float(1.5)]),
        call(
            Function::Mul,
            vec![call(Function::Add, vec![col("x"), col("i")]), col("y")],
        ),
    ];
    let mut outcomes = (0, 0);
    for expr in expressions {
        for id in 0..real_pairs().len() {
            let postgres = real_value(&mut pg, Backend::Postgres, &expr, id);
            let sqlite = real_value(&mut sqlite, Backend::Sqlite, &expr, id);
            assert_eq!(
                postgres, sqlite,
                "`{expr}` on row {id} (left: PostgreSQL, right: SQLite)"
            );
            match postgres {
                Ok(_) => outcomes.0 += 1,
                Err(_) => outcomes.1 += 1,
            }
        }
    }
    assert!(
        outcomes.0 > 100 && outcomes.1 > 50,
        "values and failures both: {outcomes:?}"
    );
}
