//! Column types, as the author writes them in the migration language.

use std::fmt;

/// A column type. Each backend renders it in its own spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 64-bit floating point.
    Double,
    /// Exact decimal with `precision` digits, `scale` of them after the point.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// Unbounded text.
    Text,
    /// Text of at most this many characters.
    Varchar(u32),
    /// True or false.
    Bool,
    /// A UUID.
    Uuid,
    /// A calendar date.
    Date,
    /// A date and time without time zone.
    Timestamp,
    /// A date and time with time zone.
    TimestampTz,
    /// Raw bytes.
    Bytes,
    /// A JSON document.
    Json,
}

/// Groups of types whose values convert into each other without a cast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Integers, floats and decimals.
    Number,
    /// Text and varchar.
    Text,
    /// Booleans.
    Bool,
    /// UUIDs.
    Uuid,
    /// Dates.
    Date,
    /// Timestamps, with or without time zone.
    Timestamp,
    /// Byte strings.
    Bytes,
    /// JSON documents.
    Json,
}

impl SqlType {
    /// The family this type belongs to.
    pub fn family(self) -> Family {
        match self {
            SqlType::SmallInt
            | SqlType::Integer
            | SqlType::BigInt
            | SqlType::Double
            | SqlType::Decimal { .. } => Family::Number,
            SqlType::Text | SqlType::Varchar(_) => Family::Text,
            SqlType::Bool => Family::Bool,
            SqlType::Uuid => Family::Uuid,
            SqlType::Date => Family::Date,
            SqlType::Timestamp | SqlType::TimestampTz => Family::Timestamp,
            SqlType::Bytes => Family::Bytes,
            SqlType::Json => Family::Json,
        }
    }

    /// Whether this is an integer type.
    pub fn is_integer(self) -> bool {
        matches!(self, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt)
    }

    /// Whether every value of `self` is kept unchanged by a column of type `to`.
    ///
    /// A change of type that widens needs no USING expression and can be
    /// undone by the narrowing change as long as no wider value was written.
    pub fn widens_to(self, to: SqlType) -> bool {
        use SqlType::*;
        if self == to {
            return true;
        }
        match (self, to) {
            (SmallInt, Integer | BigInt) | (Integer, BigInt) => true,
            (SmallInt | Integer | BigInt, Decimal { precision, scale }) => {
                let digits = match self {
                    SmallInt => 5,
                    Integer => 10,
                    _ => 19,
                };
                precision.saturating_sub(scale) >= digits
            }
            (Varchar(_), Text) => true,
            (Varchar(from), Varchar(to)) => to >= from,
            (
                Decimal { precision, scale },
                Decimal {
                    precision: to_precision,
                    scale: to_scale,
                },
            ) => to_scale >= scale && to_precision - to_scale >= precision - scale,
            (Timestamp, TimestampTz) => true,
            _ => false,
        }
    }

    /// Whether the backends convert `self` into `to` without a USING expression.
    pub fn converts_implicitly_to(self, to: SqlType) -> bool {
        self.family() == to.family() || matches!(to, SqlType::Text | SqlType::Varchar(_))
    }
}

impl fmt::Display for SqlType {
    /// Writes the type as the migration language spells it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::SmallInt => f.write_str("smallint()"),
            SqlType::Integer => f.write_str("integer()"),
            SqlType::BigInt => f.write_str("bigint()"),
            SqlType::Double => f.write_str("double()"),
            SqlType::Decimal { precision, scale } => write!(f, "decimal({precision}, {scale})"),
            SqlType::Text => f.write_str("text()"),
            SqlType::Varchar(n) => write!(f, "varchar({n})"),
            SqlType::Bool => f.write_str("boolean()"),
            SqlType::Uuid => f.write_str("uuid()"),
            SqlType::Date => f.write_str("date()"),
            SqlType::Timestamp => f.write_str("timestamp()"),
            SqlType::TimestampTz => f.write_str("timestamptz()"),
            SqlType::Bytes => f.write_str("bytes()"),
            SqlType::Json => f.write_str("json()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType::*;

    #[test]
    fn widening_keeps_every_value() {
        assert!(Varchar(20).widens_to(Varchar(50)));
        assert!(!Varchar(50).widens_to(Varchar(20)));
        assert!(Varchar(50).widens_to(Text));
        assert!(!Text.widens_to(Varchar(50)));
        assert!(Integer.widens_to(BigInt));
        assert!(!BigInt.widens_to(Integer));
        assert!(Integer.widens_to(Decimal {
            precision: 12,
            scale: 2
        }));
        assert!(!Integer.widens_to(Decimal {
            precision: 10,
            scale: 2
        }));
    }
}
