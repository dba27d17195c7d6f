//! Writing a new migration into the history's source file: `revision` and
//! `merge`. The new function goes at the end of the `#[migrations]` module,
//! with the next id and the right parent(s), ready for its steps.

use std::path::Path;

use crate::error::Error;
use crate::set::MigrationSet;

/// The id for a migration written on `date` (year, month, day): the date
/// and a counter, after every id the history already has.
pub fn next_id(set: MigrationSet, date: (i64, u32, u32)) -> String {
    let (year, month, day) = date;
    let prefix = format!("{year:04}_{month:02}_{day:02}_");
    let last = set.migrations().iter().map(|m| m.id()).max().unwrap_or("");
    let mut counter = 1;
    loop {
        let id = format!("{prefix}{counter:06}");
        if id.as_str() > last {
            return id;
        }
        counter += 1;
        if counter > 999_999 {
            // Ids from a later date already exist: continue after them.
            return format!("{last}_1");
        }
    }
}

/// The parent of a new migration: the history's one head (none for an
/// empty history); several heads must be merged first.
pub fn sole_head(set: MigrationSet) -> Result<Vec<&'static str>, String> {
    let heads: Vec<&'static str> = set.heads().iter().map(|m| m.id()).collect();
    if heads.len() > 1 {
        return Err(format!(
            "the history has several heads ({}): merge them first",
            heads.join(", ")
        ));
    }
    Ok(heads)
}

/// Today's date in UTC.
pub fn today() -> (i64, u32, u32) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    civil_from_days(days)
}

/// The calendar date of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A function name from a message: "Add phone to members" → `add_phone_to_members`.
pub fn function_name(message: &str) -> String {
    let mut name = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_owned();
    match name.chars().next() {
        None => "migration".to_owned(),
        Some(first) if first.is_ascii_digit() => format!("m_{name}"),
        Some(_) => name,
    }
}

/// Appends a new, empty migration to the `#[migrations]` module in `file`.
pub fn write(file: &Path, id: &str, message: &str, parents: &[&str]) -> Result<(), Error> {
    let body = "        // The steps, for example: m.add_column(\"members\", \"phone\", varchar(20).nullable());\n";
    write_with_body(file, id, message, parents, body)
}

/// Appends a new migration to the `#[migrations]` module in `file`, with
/// `body` (whole lines, indented for a function in the module) as its steps.
pub fn write_with_body(
    file: &Path,
    id: &str,
    message: &str,
    parents: &[&str],
    body: &str,
) -> Result<(), Error> {
    let source = std::fs::read_to_string(file)
        .map_err(|e| Error::Revision(format!("reading {}: {e}", file.display())))?;
    let parsed = syn::parse_file(&source)
        .map_err(|e| Error::Revision(format!("{} does not parse: {e}", file.display())))?;
    let module = parsed
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.attrs.iter().any(is_migrations_attr) => {
                module.content.as_ref().map(|c| c.0)
            }
            _ => None,
        })
        .ok_or_else(|| {
            Error::Revision(format!(
                "{} has no `#[migrations] mod .. {{ }}`",
                file.display()
            ))
        })?;
    let close = module.span.close().start();
    let offset = byte_offset(&source, close.line, close.column).ok_or_else(|| {
        Error::Revision(format!(
            "cannot find the end of the module in {}",
            file.display()
        ))
    })?;
    let parent = match parents {
        [] => String::new(),
        [one] => format!(", parent = {one:?}"),
        many => format!(
            ", parents = [{}]",
            many.iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let doc: String = message
        .lines()
        .map(|line| format!("    /// {line}\n"))
        .collect();
    let stub = format!(
        "\n{doc}    #[migration(id = {id:?}{parent})]\n    fn {}(m: &mut Up) {{\n{body}    }}\n",
        function_name(message)
    );
    let before = source[..offset].trim_end_matches([' ', '\t']);
    let updated = format!("{before}{stub}{}", &source[before.len()..]);
    std::fs::write(file, updated)
        .map_err(|e| Error::Revision(format!("writing {}: {e}", file.display())))
}

fn is_migrations_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "migrations")
}

/// The byte offset of a 1-based line and 0-based character column.
fn byte_offset(source: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = source
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let text = source.get(start..)?;
    let within = text
        .char_indices()
        .nth(column)
        .map_or(text.len(), |(i, _)| i);
    Some(start + within)
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, function_name};

    #[test]
    fn dates_and_names() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(
            function_name("Add phone to members!"),
            "add_phone_to_members"
        );
        assert_eq!(function_name("2 heads merged"), "m_2_heads_merged");
        assert_eq!(function_name("  "), "migration");
    }
}
