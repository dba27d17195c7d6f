//! `--rename` hints: a rename `revision --autogenerate` writes instead of
//! dropping one table or column and adding another.

use std::str::FromStr;

/// A rename the author asked for: `old=new` (a table) or
/// `table.old=new` (a column of `table`, named as at the head of history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rename {
    /// `rename_table(from, to)`.
    Table {
        /// The name at the head of history.
        from: String,
        /// The name in `schema.rs`.
        to: String,
    },
    /// `rename_column(table, from, to)`.
    Column {
        /// The table, as named at the head of history.
        table: String,
        /// The column's name at the head of history.
        from: String,
        /// Its name in `schema.rs`.
        to: String,
    },
}

impl FromStr for Rename {
    type Err = String;

    /// ```
    /// use migration_runtime::autogenerate::Rename;
    ///
    /// let hint: Rename = "members.full_name=display_name".parse()?;
    /// assert_eq!(
    ///     hint,
    ///     Rename::Column {
    ///         table: "members".into(),
    ///         from: "full_name".into(),
    ///         to: "display_name".into()
    ///     }
    /// );
    /// # Ok::<(), String>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{text}` is not a rename: expected `table.old_column=new_column` or `old_table=new_table`"
            )
        };
        let (old, new) = text.split_once('=').ok_or_else(bad)?;
        let (old, new) = (old.trim(), new.trim());
        if new.is_empty() || new.contains(['.', '=']) {
            return Err(bad());
        }
        match old.split_once('.') {
            Some((table, from)) if !table.is_empty() && !from.is_empty() => Ok(Rename::Column {
                table: table.to_owned(),
                from: from.to_owned(),
                to: new.to_owned(),
            }),
            Some(_) => Err(bad()),
            None if !old.is_empty() => Ok(Rename::Table {
                from: old.to_owned(),
                to: new.to_owned(),
            }),
            None => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rename;

    #[test]
    fn tables_and_columns() {
        assert_eq!(
            "people=members".parse(),
            Ok(Rename::Table {
                from: "people".into(),
                to: "members".into()
            })
        );
        assert!("members.full_name".parse::<Rename>().is_err());
        assert!(".a=b".parse::<Rename>().is_err());
        assert!("a.b=c.d".parse::<Rename>().is_err());
    }
}
