//! Support for tests that run migrations against real databases, and the
//! round-trip check users call from their own `cargo test`.
//!
//! PostgreSQL tests need a server: set `TEST_DATABASE_URL` to a URL whose
//! role may create databases (`postgres://user:pass@localhost/postgres`).
//! Without it a test is skipped with a message, except under `CI=true`,
//! where a missing server fails the test.

mod databases;
mod generated_rows;
mod round_trip;
mod schema_rs;

pub use crate::schema_rs::schema_rs_differences;
pub use databases::{PgTestDatabase, TEST_DATABASE_URL, sqlite_memory};
pub use generated_rows::{ROWS, generated_rows};
pub use round_trip::{Contents, DataLoss, RoundTripFailure, check_round_trip, contents};
pub use schema_rs::assert_schema_rs_matches;
