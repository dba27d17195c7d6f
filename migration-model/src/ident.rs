//! Rules for identifiers, shared by the compile-time checks and the runtime.

/// PostgreSQL silently truncates identifiers longer than this (in bytes), so
/// a longer name would not be the name the catalog holds.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Why `name` cannot be used as a table, column, index or constraint name.
pub fn invalid_identifier(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("an identifier cannot be empty".to_owned());
    }
    if name.len() > MAX_IDENTIFIER_BYTES {
        return Some(format!(
            "`{name}` is {} bytes long; PostgreSQL would truncate it to {MAX_IDENTIFIER_BYTES}",
            name.len()
        ));
    }
    if name.contains('\0') {
        return Some("an identifier cannot contain a NUL character".to_owned());
    }
    None
}

/// The name a constraint or index gets when the author does not give one,
/// following PostgreSQL's own convention (`members_email_key`, `events_member_id_fkey`).
pub fn default_name(table: &str, columns: &[impl AsRef<str>], suffix: &str) -> String {
    let mut name = table.to_owned();
    for column in columns {
        name.push('_');
        name.push_str(column.as_ref());
    }
    name.push('_');
    name.push_str(suffix);
    name
}
