//! The schema the simulator predicts is the schema each backend really has:
//! every step is rendered, run, applied to the model, and the database is
//! read back and compared after each one.
//!
//! PostgreSQL tests need `TEST_DATABASE_URL` (see `migration_runtime::testing`).

use std::borrow::Cow;

use diesel::connection::SimpleConnection;
use migration_runtime::catalog::{comparable, introspect_postgres, introspect_sqlite};
use migration_runtime::model::{
    Check, Column, ColumnDefault, Expr, ForeignKey, Function, Index, List, Literal, Name, Op,
    RefAction, Schema, SqlType, Table, Unique, diff,
};
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};
use migration_runtime::{Backend, Error};

fn name(value: &str) -> Name {
    Cow::Owned(value.to_owned())
}

fn names(values: &[&str]) -> List<Name> {
    Cow::Owned(values.iter().map(|v| name(v)).collect())
}

fn column(column: &str, ty: SqlType, nullable: bool, default: Option<ColumnDefault>) -> Column {
    Column {
        name: name(column),
        ty,
        nullable,
        default,
    }
}

fn text(value: &str) -> ColumnDefault {
    ColumnDefault::Value(Literal::Text(name(value)))
}

fn call(function: Function, args: Vec<Expr>) -> Expr {
    Expr::Call(function, Cow::Owned(args))
}

fn table(
    table: &str,
    columns: Vec<Column>,
    primary_key: &[&str],
    uniques: Vec<Unique>,
    checks: Vec<Check>,
    foreign_keys: Vec<ForeignKey>,
) -> Op {
    Op::CreateTable(Table {
        name: name(table),
        columns: Cow::Owned(columns),
        primary_key: names(primary_key),
        uniques: Cow::Owned(uniques),
        checks: Cow::Owned(checks),
        foreign_keys: Cow::Owned(foreign_keys),
    })
}

fn index(index: &str, table: &str, columns: &[&str], unique: bool) -> Op {
    Op::CreateIndex(Index {
        name: name(index),
        table: name(table),
        columns: names(columns),
        unique,
        predicate: None,
    })
}

/// The tables every scenario starts from.
fn create_steps() -> Vec<Op> {
    use SqlType::*;
    vec![
        table(
            "authors",
            vec![
                column("id", Uuid, false, Some(ColumnDefault::RandomUuid)),
                column("email", Varchar(255), false, None),
                column("name", Text, false, None),
            ],
            &["id"],
            vec![Unique {
                name: name("authors_email_key"),
                columns: names(&["email"]),
            }],
            Vec::new(),
            Vec::new(),
        ),
        // `integer()` identity: SQLite reads it back as BIGINT (see `comparable`).
        table(
            "tags",
            vec![
                column("id", Integer, false, Some(ColumnDefault::Identity)),
                column("label", Varchar(20), false, None),
            ],
            &["id"],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
        table(
            "posts",
            vec![
                column("id", BigInt, false, Some(ColumnDefault::Identity)),
                column("author_id", Uuid, false, None),
                column("title", Varchar(200), false, None),
                column("slug", Varchar(100), true, None),
                column("body", Text, true, None),
                column(
                    "published",
                    Bool,
                    false,
                    Some(ColumnDefault::Value(Literal::Bool(false))),
                ),
                column("created_at", TimestampTz, false, Some(ColumnDefault::Now)),
                column(
                    "price",
                    Decimal {
                        precision: 10,
                        scale: 2,
                    },
                    true,
                    None,
                ),
                column("status", Varchar(20), false, Some(text("draft"))),
                column(
                    "views",
                    Integer,
                    false,
                    Some(ColumnDefault::Value(Literal::Int(0))),
                ),
                column(
                    "score",
                    Double,
                    false,
                    Some(ColumnDefault::Value(Literal::Float(1.5))),
                ),
            ],
            &["id"],
            vec![Unique {
                name: name("posts_author_title_key"),
                columns: names(&["author_id", "title"]),
            }],
            vec![Check {
                name: name("posts_price_not_negative"),
                condition: call(
                    Function::Or,
                    vec![
                        call(Function::IsNull, vec![Expr::Column(name("price"))]),
                        call(
                            Function::Ge,
                            vec![Expr::Column(name("price")), Expr::Literal(Literal::Int(0))],
                        ),
                    ],
                ),
            }],
            vec![ForeignKey {
                name: name("posts_author_id_fkey"),
                columns: names(&["author_id"]),
                ref_table: name("authors"),
                ref_columns: names(&["id"]),
                on_delete: RefAction::Cascade,
                on_update: RefAction::NoAction,
            }],
        ),
        index(
            "posts_author_created_idx",
            "posts",
            &["author_id", "created_at"],
            false,
        ),
        index("posts_slug_idx", "posts", &["slug"], true),
    ]
}

/// Changes to the tables of [`create_steps`], one step at a time.
fn alter_steps() -> Vec<Op> {
    vec![
        Op::AddColumn {
            table: name("posts"),
            column: column("subtitle", SqlType::Varchar(20), true, None),
        },
        Op::ChangeType {
            table: name("posts"),
            column: name("subtitle"),
            ty: SqlType::Varchar(50),
            using: None,
        },
        Op::SetDefault {
            table: name("posts"),
            column: name("subtitle"),
            default: Some(text("none")),
        },
        Op::Backfill {
            table: name("posts"),
            column: name("subtitle"),
            value: Expr::Literal(Literal::Text(name("none"))),
            only_where: Some(call(Function::IsNull, vec![Expr::Column(name("subtitle"))])),
            restore: None,
            batch_size: None,
        },
        Op::SetNullable {
            table: name("posts"),
            column: name("subtitle"),
            nullable: false,
        },
        Op::AddColumn {
            table: name("posts"),
            column: column("tag_id", SqlType::Integer, true, None),
        },
        Op::AddForeignKey {
            table: name("posts"),
            key: ForeignKey {
                name: name("posts_tag_id_fkey"),
                columns: names(&["tag_id"]),
                ref_table: name("tags"),
                ref_columns: names(&["id"]),
                on_delete: RefAction::SetNull,
                on_update: RefAction::Cascade,
            },
        },
        // Rebuilds a referenced table on SQLite.
        Op::ChangeType {
            table: name("tags"),
            column: name("label"),
            ty: SqlType::Varchar(50),
            using: None,
        },
        Op::DropIndex {
            name: name("posts_author_created_idx"),
        },
    ]
}

/// The other types, defaults and steps, on a table of their own.
fn other_steps() -> Vec<Op> {
    use SqlType::*;
    let value = |literal| Some(ColumnDefault::Value(literal));
    vec![
        table(
            "events",
            vec![
                column("id", SmallInt, false, Some(ColumnDefault::Identity)),
                column("day", Date, false, Some(ColumnDefault::Now)),
                column("at", Timestamp, true, Some(ColumnDefault::Now)),
                column("payload", Json, true, None),
                column("raw", Bytes, true, None),
                // PostgreSQL keeps no `DEFAULT NULL` (see `comparable`).
                column("note", Text, true, value(Literal::Null)),
                column("ratio", Double, false, value(Literal::Int(2))),
                // PostgreSQL prints this default as the integer 10000000000000000.
                column("big", Double, false, value(Literal::Float(1e16))),
                column(
                    "delta",
                    Decimal {
                        precision: 8,
                        scale: 3,
                    },
                    false,
                    value(Literal::Float(-0.5)),
                ),
                column("quote", Text, false, Some(text("it's"))),
            ],
            &["id"],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
        Op::AddColumn {
            table: name("events"),
            column: column("seen_at", TimestampTz, false, Some(ColumnDefault::Now)),
        },
        Op::AddColumn {
            table: name("events"),
            column: column("uid", Uuid, false, Some(ColumnDefault::RandomUuid)),
        },
        Op::RenameColumn {
            table: name("events"),
            from: name("note"),
            to: name("remark"),
        },
        Op::RenameTable {
            from: name("events"),
            to: name("happenings"),
        },
        Op::SetNullable {
            table: name("happenings"),
            column: name("day"),
            nullable: true,
        },
        Op::SetDefault {
            table: name("happenings"),
            column: name("day"),
            default: None,
        },
        Op::ChangeType {
            table: name("happenings"),
            column: name("ratio"),
            ty: Text,
            using: None,
        },
        Op::DropColumn {
            table: name("happenings"),
            column: name("raw"),
            restore: None,
        },
        Op::DropForeignKey {
            table: name("posts"),
            name: name("posts_author_id_fkey"),
        },
        Op::DropTable {
            table: name("happenings"),
        },
    ]
}

/// Rows for the alter steps to carry along (SQLite copies them on each rebuild).
const ROWS: &str = "\
    INSERT INTO authors (email, name) VALUES ('ada@example.org', 'Ada');
    INSERT INTO tags (label) VALUES ('news');
    INSERT INTO posts (author_id, title, slug, price) SELECT id, 'Hello', 'hello', 9.5 FROM authors;";

/// A database of one backend, driven step by step beside the simulator.
struct Replay<'a, C> {
    conn: &'a mut C,
    backend: Backend,
    introspect: fn(&mut C) -> Result<Schema, Error>,
    simulated: Schema,
}

impl<C: SimpleConnection> Replay<'_, C> {
    /// Renders and runs `op`, applies it to the model, and compares.
    fn step(&mut self, op: &Op) {
        let statements = self
            .backend
            .render(op, &self.simulated)
            .unwrap_or_else(|e| panic!("{}: cannot render `{op}`: {e}", self.backend.name()));
        for statement in &statements {
            if let Err(error) = self.conn.batch_execute(statement) {
                panic!(
                    "{}: `{op}` renders a statement the database refuses:\n{statement}\n{error}",
                    self.backend.name()
                );
            }
        }
        self.simulated
            .apply(op)
            .unwrap_or_else(|e| panic!("`{op}` does not apply to the model: {e}"));
        self.assert_matches(&format!("after `{op}`"));
    }

    fn run(&mut self, sql: &str) {
        self.conn
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.backend.name()));
    }

    fn introspected(&mut self) -> Schema {
        (self.introspect)(self.conn)
            .unwrap_or_else(|e| panic!("{}: cannot introspect: {e}", self.backend.name()))
    }

    fn assert_matches(&mut self, when: &str) {
        let actual = self.introspected();
        let differences = diff(&comparable(&self.simulated), &comparable(&actual));
        assert!(
            differences.is_empty(),
            "{} {when}: the database differs from the simulated schema:\n  {}",
            self.backend.name(),
            differences.join("\n  ")
        );
    }

    /// The tables of [`create_steps`], some rows, then `changes`.
    fn scenario(&mut self, changes: Vec<Op>) {
        for op in create_steps() {
            self.step(&op);
        }
        self.run(ROWS);
        for op in changes {
            self.step(&op);
        }
    }
}

#[test]
fn sqlite_holds_the_simulated_schema_after_each_step() {
    let mut conn = sqlite_memory();
    // Table rebuilds run with foreign keys off, as migrations do (see `dialect::sqlite`).
    conn.batch_execute("PRAGMA foreign_keys = OFF")
        .expect("foreign keys can be turned off");
    Replay {
        conn: &mut conn,
        backend: Backend::Sqlite,
        introspect: introspect_sqlite,
        simulated: Schema::new(),
    }
    .scenario(alter_steps());
}

#[test]
fn postgres_holds_the_simulated_schema_after_each_step() {
    let Some(database) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = database.connect();
    Replay {
        conn: &mut conn,
        backend: Backend::Postgres,
        introspect: introspect_postgres,
        simulated: Schema::new(),
    }
    .scenario(alter_steps());
}

#[test]
fn postgres_introspection_reads_each_part_of_the_schema() {
    let Some(database) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = database.connect();
    let mut replay = Replay {
        conn: &mut conn,
        backend: Backend::Postgres,
        introspect: introspect_postgres,
        simulated: Schema::new(),
    };
    for op in create_steps() {
        replay.step(&op);
    }
    // Bookkeeping tables are not part of the schema.
    replay.run(
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY);
         CREATE TABLE __migration_lock (id INTEGER);",
    );
    let actual = replay.introspected();
    assert_read_back(&actual);
}

#[test]
fn sqlite_introspection_reads_each_part_of_the_schema() {
    let mut conn = sqlite_memory();
    let mut replay = Replay {
        conn: &mut conn,
        backend: Backend::Sqlite,
        introspect: introspect_sqlite,
        simulated: Schema::new(),
    };
    for op in create_steps() {
        replay.step(&op);
    }
    replay.run(
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY);
         CREATE TABLE __rebuild_posts (id INTEGER);",
    );
    let actual = replay.introspected();
    assert_read_back(&actual);
}

/// What both backends must read back from [`create_steps`], field by field
/// (so that a comparison is not passing only because both sides lost something).
fn assert_read_back(actual: &Schema) {
    let mut tables: Vec<&str> = actual.tables.iter().map(|t| &*t.name).collect();
    tables.sort();
    assert_eq!(tables, ["authors", "posts", "tags"]);

    let authors = actual.table("authors").expect("authors");
    assert_eq!(
        authors.column("id"),
        Some(&column(
            "id",
            SqlType::Uuid,
            false,
            Some(ColumnDefault::RandomUuid)
        ))
    );
    assert_eq!(authors.primary_key.as_ref(), ["id"]);
    assert_eq!(
        authors.uniques.as_ref(),
        [Unique {
            name: name("authors_email_key"),
            columns: names(&["email"]),
        }]
    );

    let posts = actual.table("posts").expect("posts");
    let expected_columns = [
        column("id", SqlType::BigInt, false, Some(ColumnDefault::Identity)),
        column("slug", SqlType::Varchar(100), true, None),
        column(
            "published",
            SqlType::Bool,
            false,
            Some(ColumnDefault::Value(Literal::Bool(false))),
        ),
        column(
            "created_at",
            SqlType::TimestampTz,
            false,
            Some(ColumnDefault::Now),
        ),
        column(
            "price",
            SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
            true,
            None,
        ),
        column("status", SqlType::Varchar(20), false, Some(text("draft"))),
        column(
            "views",
            SqlType::Integer,
            false,
            Some(ColumnDefault::Value(Literal::Int(0))),
        ),
        column(
            "score",
            SqlType::Double,
            false,
            Some(ColumnDefault::Value(Literal::Float(1.5))),
        ),
    ];
    for expected in &expected_columns {
        assert_eq!(posts.column(&expected.name), Some(expected));
    }
    assert_eq!(
        posts.uniques.as_ref(),
        [Unique {
            name: name("posts_author_title_key"),
            columns: names(&["author_id", "title"]),
        }]
    );
    assert_eq!(
        posts.checks.as_ref(),
        [Check {
            name: name("posts_price_not_negative"),
            condition: Expr::Literal(Literal::Null),
        }]
    );
    assert_eq!(
        posts.foreign_keys.as_ref(),
        [ForeignKey {
            name: name("posts_author_id_fkey"),
            columns: names(&["author_id"]),
            ref_table: name("authors"),
            ref_columns: names(&["id"]),
            on_delete: RefAction::Cascade,
            on_update: RefAction::NoAction,
        }]
    );

    let mut indexes = actual.indexes.clone();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        indexes,
        [
            Index {
                name: name("posts_author_created_idx"),
                table: name("posts"),
                columns: names(&["author_id", "created_at"]),
                unique: false,
                predicate: None,
            },
            Index {
                name: name("posts_slug_idx"),
                table: name("posts"),
                columns: names(&["slug"]),
                unique: true,
                predicate: None,
            },
        ]
    );
}

/// The comparison can fail: a schema that is not the database's is reported.
fn assert_wrong_expectations_are_reported<C: SimpleConnection>(
    conn: &mut C,
    backend: Backend,
    introspect: fn(&mut C) -> Result<Schema, Error>,
) {
    let mut replay = Replay {
        conn,
        backend,
        introspect,
        simulated: Schema::new(),
    };
    for op in create_steps() {
        replay.step(&op);
    }
    let actual = replay.introspected();

    let mut expected = replay.simulated.clone();
    let posts = expected
        .tables
        .iter_mut()
        .find(|t| t.name == "posts")
        .expect("posts");
    posts.column_mut("status").expect("status").ty = SqlType::Varchar(50);
    let differences = diff(&comparable(&expected), &comparable(&actual));
    assert_eq!(
        differences,
        ["column `posts.status` is varchar(20) but should be varchar(50)"],
        "{}",
        backend.name()
    );

    // Check names are compared even though conditions are not.
    let mut expected = replay.simulated.clone();
    let posts = expected
        .tables
        .iter_mut()
        .find(|t| t.name == "posts")
        .expect("posts");
    posts.checks.to_mut()[0].name = name("posts_price_positive");
    let differences = diff(&comparable(&expected), &comparable(&actual));
    assert_eq!(
        differences,
        ["table `posts` has different check constraints"],
        "{}",
        backend.name()
    );
}

#[test]
fn sqlite_a_wrong_expectation_is_reported() {
    let mut conn = sqlite_memory();
    assert_wrong_expectations_are_reported(&mut conn, Backend::Sqlite, introspect_sqlite);
}

#[test]
fn postgres_a_wrong_expectation_is_reported() {
    let Some(database) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = database.connect();
    assert_wrong_expectations_are_reported(&mut conn, Backend::Postgres, introspect_postgres);
}

#[test]
fn sqlite_holds_the_simulated_schema_for_other_types_and_steps() {
    let mut conn = sqlite_memory();
    conn.batch_execute("PRAGMA foreign_keys = OFF")
        .expect("foreign keys can be turned off");
    Replay {
        conn: &mut conn,
        backend: Backend::Sqlite,
        introspect: introspect_sqlite,
        simulated: Schema::new(),
    }
    .scenario(other_steps());
}

#[test]
fn postgres_holds_the_simulated_schema_for_other_types_and_steps() {
    let Some(database) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = database.connect();
    Replay {
        conn: &mut conn,
        backend: Backend::Postgres,
        introspect: introspect_postgres,
        simulated: Schema::new(),
    }
    .scenario(other_steps());
}
