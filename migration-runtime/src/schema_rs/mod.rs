//! The application's diesel `schema.rs`: its `table!` and `joinable!`
//! definitions, read without compiling them, and compared with the schema at
//! the head of history (by `check --schema-rs` and `revision --autogenerate`).
//!
//! ```
//! use migration_runtime::schema_rs;
//!
//! let schema = schema_rs::parse(
//!     "diesel::table! { members (id) { id -> Int8, #[max_length = 20] phone -> Nullable<Varchar>, } }",
//! )?;
//! assert_eq!(schema.tables[0].columns[1].max_length, Some(20));
//! # Ok::<(), migration_runtime::Error>(())
//! ```

mod differences;
mod foreign_keys;
mod parse;
mod types;

pub use differences::{differences, schema_rs_differences};
pub use foreign_keys::{declares_foreign_key, expected_in_schema_rs};
pub use parse::parse;
pub use types::DeclaredType;

/// The tables and joins a `schema.rs` declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaRs {
    /// Every `table!` entry, in order.
    pub tables: Vec<DieselTable>,
    /// Every `joinable!(child -> parent (column))`.
    pub joinables: Vec<Joinable>,
}

impl SchemaRs {
    /// The table whose SQL name is `name`.
    pub fn table(&self, name: &str) -> Option<&DieselTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// One `table!` entry: its name, primary key and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DieselTable {
    /// The SQL name (`#[sql_name = ".."]`, or the Rust name).
    pub name: String,
    /// The Rust identifier.
    pub rust_name: String,
    /// The primary key's columns (SQL names); `id` when not written.
    pub primary_key: Vec<String>,
    /// The columns, in order.
    pub columns: Vec<DieselColumn>,
}

impl DieselTable {
    /// The column whose SQL name is `name`.
    pub fn column(&self, name: &str) -> Option<&DieselColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One column of a `table!` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DieselColumn {
    /// The SQL name (`#[sql_name = ".."]`, or the Rust name).
    pub name: String,
    /// The Rust identifier.
    pub rust_name: String,
    /// diesel's SQL type, without `Nullable<..>` or a path: `Varchar`, `Int4`.
    pub ty: String,
    /// Whether the type was `Nullable<..>`.
    pub nullable: bool,
    /// `#[max_length = n]`.
    pub max_length: Option<u32>,
}

/// `joinable!(child -> parent (column))`: a foreign key from `child.column`
/// to the primary key of `parent` (SQL names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joinable {
    /// The referencing table.
    pub child: String,
    /// The referenced table.
    pub parent: String,
    /// The referencing column.
    pub column: String,
}

impl Joinable {
    /// Whether this `joinable!` declares `key`, a foreign key of `table`.
    pub fn is_key(&self, table: &str, key: &migration_model::ForeignKey) -> bool {
        self.child == table
            && self.parent == key.ref_table
            && key.columns.len() == 1
            && key.columns[0] == self.column
    }
}

impl std::fmt::Display for Joinable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "joinable!({} -> {} ({}))",
            self.child, self.parent, self.column
        )
    }
}
