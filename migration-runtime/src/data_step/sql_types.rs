//! The SQL types the typed tables of Rust steps use where PostgreSQL and
//! SQLite store a value differently. Each is read and written as a `String`,
//! alike on both backends: a UUID in its hyphenated form, JSON as its text.

use std::io::Write;

use diesel::backend::Backend as DieselBackend;
use diesel::deserialize::{self, FromSql};
use diesel::internal::derives::as_expression::Bound;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{HasSqlType, Text};
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::connection::MultiBackend;

/// A UUID: `UUID` on PostgreSQL, text on SQLite; a `String` such as
/// `"67e55044-10b1-426f-9247-bb680e5fe0c8"` in Rust.
#[derive(
    Clone, Copy, Debug, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Uuid;

/// A JSON document: `JSONB` on PostgreSQL, text on SQLite; its text as a
/// `String` in Rust.
#[derive(
    Clone, Copy, Debug, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Json;

/// The version byte that starts JSONB's binary form.
const JSONB_VERSION: u8 = 1;

impl FromSql<Uuid, Pg> for String {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let bytes = value.as_bytes();
        if bytes.len() != 16 {
            return Err(format!("a UUID has 16 bytes, this value {}", bytes.len()).into());
        }
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }
}

impl ToSql<Uuid, Pg> for String {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let digits: Vec<u8> = self.bytes().filter(|b| *b != b'-').collect();
        let not_a_uuid = || format!("`{self}` is not a UUID");
        if digits.len() != 32 {
            return Err(not_a_uuid().into());
        }
        let mut bytes = [0u8; 16];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| not_a_uuid())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| not_a_uuid())?;
        }
        out.write_all(&bytes)?;
        Ok(IsNull::No)
    }
}

impl FromSql<Json, Pg> for String {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_VERSION, text)) => Ok(std::str::from_utf8(text)?.to_owned()),
            _ => Err("unsupported JSONB format version".into()),
        }
    }
}

impl ToSql<Json, Pg> for String {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(&[JSONB_VERSION])?;
        out.write_all(self.as_bytes())?;
        Ok(IsNull::No)
    }
}

/// What is the same for both types: text on SQLite, and the derived
/// connection's backend choosing the backend's own conversion.
macro_rules! text_on_sqlite_and_either_backend {
    ($ty:ty) => {
        impl FromSql<$ty, Sqlite> for String {
            fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                <String as FromSql<Text, Sqlite>>::from_sql(value)
            }
        }

        impl ToSql<$ty, Sqlite> for String {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.as_str());
                Ok(IsNull::No)
            }
        }

        impl HasSqlType<$ty> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$ty>(lookup)
            }
        }

        impl FromSql<$ty, MultiBackend> for String {
            fn from_sql(
                value: <MultiBackend as DieselBackend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                value.from_sql::<String, $ty>()
            }
        }

        impl ToSql<$ty, MultiBackend> for String {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((<$ty>::default(), self));
                Ok(IsNull::No)
            }
        }
    };
}

text_on_sqlite_and_either_backend!(Uuid);
text_on_sqlite_and_either_backend!(Json);

/// `value` as a UUID in a query: `members.find(uuid(key))`,
/// `member_id.eq(uuid(key))` (a `String` alone is bound as text).
pub fn uuid(value: impl Into<String>) -> Bound<Uuid, String> {
    Bound::new(value.into())
}

/// `value` as a JSON document in a query: `settings.eq(json(text))`.
pub fn json(value: impl Into<String>) -> Bound<Json, String> {
    Bound::new(value.into())
}
