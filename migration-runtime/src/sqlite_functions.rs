//! SQL functions the toolkit adds to SQLite connections, so that an
//! expression means on SQLite what it means on PostgreSQL.
//!
//! SQLite's built-in `LOWER`/`UPPER` fold ASCII letters only (`'ÉLODIE'`
//! stays upper-case); PostgreSQL folds every letter. The SQLite dialect
//! renders `lower`/`upper` as `unicode_lower`/`unicode_upper`, which
//! [`register_sqlite_functions`] defines. A connection without them fails
//! with `no such function: unicode_lower` rather than giving other values.
//!
//! Integer arithmetic fails past its type's range as on PostgreSQL, where
//! SQLite alone would give a floating-point number: the dialect writes it as
//! `int_add`, `int_sub`, `int_mul` and `int_div` (see `sqlite_integers`),
//! defined here too; floating-point arithmetic fails on overflow and
//! underflow as on PostgreSQL, where SQLite alone would give infinity or
//! zero, through `real_add`, `real_sub`, `real_mul` and `real_div` (see
//! `sqlite_reals`).

use diesel::SqliteConnection;
use diesel::sql_types::{Nullable, Text};

#[diesel::declare_sql_function]
extern "SQL" {
    /// Lower case, letter by letter, as PostgreSQL folds it.
    fn unicode_lower(text: Nullable<Text>) -> Nullable<Text>;
    /// Upper case, letter by letter, as PostgreSQL folds it.
    fn unicode_upper(text: Nullable<Text>) -> Nullable<Text>;
}

/// Defines `unicode_lower` and `unicode_upper`, and the integer arithmetic
/// that fails past its type's range (`int_add`, `int_sub`, `int_mul`,
/// `int_div`, `int_fit`) and the floating-point arithmetic that fails on
/// overflow and underflow (`real_add`, `real_sub`, `real_mul`, `real_div`),
/// on `conn`.
///
/// Connections the toolkit opens ([`AnyConnection::establish`](crate::AnyConnection::establish),
/// the CLI, the runner) and migrations run through diesel's
/// `MigrationHarness` on a `SqliteConnection` get them without this call.
/// Call it on a `SqliteConnection` you wrap in
/// [`AnyConnection::Sqlite`](crate::AnyConnection::Sqlite) yourself, or on
/// which you run the SQL that `sql`/`show` print.
///
/// ```
/// use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
///
/// #[derive(QueryableByName)]
/// struct Folded {
///     #[diesel(sql_type = diesel::sql_types::Text)]
///     v: String,
/// }
///
/// let mut conn = SqliteConnection::establish(":memory:")?;
/// migration_runtime::register_sqlite_functions(&mut conn)?;
/// let folded: Folded =
///     diesel::sql_query("SELECT unicode_lower('ÉLODIE') AS v").get_result(&mut conn)?;
/// assert_eq!(folded.v, "élodie");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn register_sqlite_functions(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    unicode_lower_utils::register_impl(conn, |text: Option<String>| {
        text.map(|t| fold(&t, Case::Lower))
    })?;
    unicode_upper_utils::register_impl(conn, |text: Option<String>| {
        text.map(|t| fold(&t, Case::Upper))
    })?;
    crate::sqlite_integers::register(conn)?;
    crate::sqlite_reals::register(conn)?;
    Ok(())
}

/// Which way [`fold`] goes.
#[derive(Clone, Copy)]
enum Case {
    Lower,
    Upper,
}

/// `text` folded one character to one character (Unicode's simple case
/// mapping), as PostgreSQL's `lower`/`upper` do in a UTF-8 database with a
/// libc locale: `ß` stays `ß` in upper case, `İ` becomes `i`. Letters newer
/// than the database server's Unicode tables (Unicode 14 and later) may be
/// folded here and left alone there.
fn fold(text: &str, case: Case) -> String {
    text.chars().map(|c| fold_char(c, case)).collect()
}

/// A mapping to several characters is Unicode's full mapping; the simple
/// one is the first character for `İ` (the only letter whose lower case is
/// longer), and no change for upper case (`ß`, `ﬁ`) but for the Greek
/// letters with a iota subscript.
fn fold_char(c: char, case: Case) -> char {
    match case {
        Case::Lower => c.to_lowercase().next().unwrap_or(c),
        Case::Upper => {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(one), None) => one,
                _ => greek_with_iota_upper(c).unwrap_or(c),
            }
        }
    }
}

/// The simple upper case of the Greek letters with a iota subscript (`ᾳ` to
/// `ᾼ`), whose full upper case spells the iota out (`ΑΙ`).
fn greek_with_iota_upper(c: char) -> Option<char> {
    let code = u32::from(c);
    let upper = match code {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => code + 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => code + 9,
        _ => return None,
    };
    char::from_u32(upper)
}
