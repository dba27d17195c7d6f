//! The CMS of the migration guide: members, users and events, from the
//! first table to split name columns, written as typed migrations.

pub mod history;
pub mod schema;
pub mod seed;
