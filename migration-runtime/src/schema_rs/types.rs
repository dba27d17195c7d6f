//! diesel's SQL type names (as `table!` spells them) and the model's types.

use migration_model::SqlType;

use super::DieselColumn;

/// What a column's diesel type says about its model type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredType {
    /// Exactly this type.
    Exact(SqlType),
    /// `Numeric`: a `decimal(p, s)`, but `schema.rs` does not say `p` and `s`.
    Decimal,
    /// `Varchar` without `#[max_length]`: unbounded text, like `text()`.
    UnboundedVarchar,
    /// A type the migration language has no form for (`Interval`, `Array<..>`).
    Unsupported,
}

impl DeclaredType {
    /// The type of `column` as `schema.rs` declares it.
    pub fn of(column: &DieselColumn) -> DeclaredType {
        let exact = match column.ty.as_str() {
            "Int2" | "SmallInt" => SqlType::SmallInt,
            "Int4" | "Integer" => SqlType::Integer,
            "Int8" | "BigInt" => SqlType::BigInt,
            "Float8" | "Double" => SqlType::Double,
            "Numeric" | "Decimal" => return DeclaredType::Decimal,
            "Text" => SqlType::Text,
            "Varchar" | "VarChar" => match column.max_length {
                Some(length) => SqlType::Varchar(length),
                None => return DeclaredType::UnboundedVarchar,
            },
            "Bool" => SqlType::Bool,
            "Uuid" => SqlType::Uuid,
            "Date" => SqlType::Date,
            "Timestamp" => SqlType::Timestamp,
            "Timestamptz" | "TimestamptzSqlite" => SqlType::TimestampTz,
            "Bytea" | "Binary" | "Blob" => SqlType::Bytes,
            "Jsonb" | "Json" => SqlType::Json,
            _ => return DeclaredType::Unsupported,
        };
        DeclaredType::Exact(exact)
    }

    /// Whether a column of model type `ty` is declared correctly by this.
    pub fn fits(self, ty: SqlType) -> bool {
        match self {
            DeclaredType::Exact(declared) => declared == ty,
            DeclaredType::Decimal => matches!(ty, SqlType::Decimal { .. }),
            DeclaredType::UnboundedVarchar => matches!(ty, SqlType::Varchar(_) | SqlType::Text),
            DeclaredType::Unsupported => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(ty: &str, max_length: Option<u32>) -> DieselColumn {
        DieselColumn {
            name: "c".into(),
            rust_name: "c".into(),
            ty: ty.into(),
            nullable: false,
            max_length,
        }
    }

    #[test]
    fn diesel_names_map_to_model_types() {
        assert_eq!(
            DeclaredType::of(&column("Int8", None)),
            DeclaredType::Exact(SqlType::BigInt)
        );
        assert_eq!(
            DeclaredType::of(&column("Varchar", Some(20))),
            DeclaredType::Exact(SqlType::Varchar(20))
        );
        assert!(DeclaredType::of(&column("Varchar", None)).fits(SqlType::Varchar(20)));
        assert!(!DeclaredType::of(&column("Varchar", Some(30))).fits(SqlType::Varchar(20)));
        let numeric = DeclaredType::of(&column("Numeric", None));
        assert!(numeric.fits(SqlType::Decimal {
            precision: 10,
            scale: 2
        }));
        assert!(!numeric.fits(SqlType::Double));
        assert_eq!(
            DeclaredType::of(&column("Interval", None)),
            DeclaredType::Unsupported
        );
    }
}
