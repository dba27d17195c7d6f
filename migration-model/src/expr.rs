//! Typed expressions for data steps: backfills, conditions and restores.
//!
//! An expression reads only the columns of the row being written. Its type is
//! checked against the table as it stands at that point of history, so a
//! mistake is reported where the author wrote it, not at deploy time.

use crate::types::{Family, SqlType};
use crate::{List, Name, Table};

/// A constant value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Text(Name),
}

/// What a [`Expr::Call`] computes. Each renders to SQL that gives the same
/// result on every backend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Function {
    /// Joins text values; NULL arguments count as empty text (as PostgreSQL's `CONCAT`).
    Concat,
    /// `split_part(text, delimiter, n)`: the n-th field (from 1), or empty text when missing.
    SplitPart,
    /// `after_first(text, delimiter)`: everything after the first delimiter,
    /// or empty text when there is none.
    AfterFirst,
    /// The first argument that is not NULL.
    Coalesce,
    /// Lower case.
    Lower,
    /// Upper case.
    Upper,
    /// Without leading and trailing spaces.
    Trim,
    /// `substring(text, start, length)`, counting characters from 1.
    Substring,
    /// The number of characters.
    Length,
    /// NULL when both arguments are equal, else the first.
    NullIf,
    /// Converts to another type.
    Cast(SqlType),
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b` (integer division truncates toward zero).
    Div,
    /// `a = b`.
    Eq,
    /// `a <> b`.
    Ne,
    /// `a < b`.
    Lt,
    /// `a <= b`.
    Le,
    /// `a > b`.
    Gt,
    /// `a >= b`.
    Ge,
    /// Both conditions hold.
    And,
    /// Either condition holds.
    Or,
    /// The condition does not hold.
    Not,
    /// The value is NULL.
    IsNull,
    /// The value is not NULL.
    IsNotNull,
    /// `CASE WHEN c1 THEN v1 [WHEN c2 THEN v2 ...] ELSE otherwise END`: arguments
    /// are the condition/value pairs followed by the value otherwise.
    Case,
}

impl Function {
    /// The name the migration language uses for this function.
    pub fn dsl_name(self) -> &'static str {
        match self {
            Function::Concat => "concat",
            Function::SplitPart => "split_part",
            Function::AfterFirst => "after_first",
            Function::Coalesce => "coalesce",
            Function::Lower => "lower",
            Function::Upper => "upper",
            Function::Trim => "trim",
            Function::Substring => "substring",
            Function::Length => "length",
            Function::NullIf => "nullif",
            Function::Cast(_) => "cast",
            Function::Add => "+",
            Function::Sub => "-",
            Function::Mul => "*",
            Function::Div => "/",
            Function::Eq => "eq",
            Function::Ne => "ne",
            Function::Lt => "lt",
            Function::Le => "le",
            Function::Gt => "gt",
            Function::Ge => "ge",
            Function::And => "and",
            Function::Or => "or",
            Function::Not => "not",
            Function::IsNull => "is_null",
            Function::IsNotNull => "is_not_null",
            Function::Case => "case_when",
        }
    }
}

/// An expression over the columns of one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// The value of a column of the row.
    Column(Name),
    /// A constant.
    Literal(Literal),
    /// A function or operator applied to arguments.
    Call(Function, List<Expr>),
}

/// A type error, with the path (argument indexes from the root) to the
/// sub-expression at fault so the macro can point at the author's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Argument indexes leading from the root expression to the one at fault.
    pub path: Vec<usize>,
    /// What is wrong, in the migration language's terms.
    pub message: String,
}

impl ExprError {
    pub(crate) fn at(message: impl Into<String>) -> Self {
        ExprError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    pub(crate) fn within(mut self, index: usize) -> Self {
        self.path.insert(0, index);
        self
    }
}

/// The type of an expression's value: `None` for a bare NULL, which fits any column.
pub type ExprType = Option<SqlType>;

impl Expr {
    /// Every column this expression reads.
    pub fn columns(&self) -> Vec<&str> {
        let mut found = Vec::new();
        self.collect_columns(&mut found);
        found
    }

    fn collect_columns<'a>(&'a self, found: &mut Vec<&'a str>) {
        match self {
            Expr::Column(name) => found.push(name),
            Expr::Literal(_) => {}
            Expr::Call(_, args) => args.iter().for_each(|arg| arg.collect_columns(found)),
        }
    }

    /// Whether this condition holds only where `column` is NULL (so a backfill
    /// guarded by it never overwrites a value).
    pub fn requires_null(&self, column: &str) -> bool {
        match self {
            Expr::Call(Function::IsNull, args) => {
                matches!(args.first(), Some(Expr::Column(name)) if name == column)
            }
            Expr::Call(Function::And, args) => args.iter().any(|arg| arg.requires_null(column)),
            _ => false,
        }
    }

    /// The type of this expression evaluated on a row of `table`.
    pub fn type_in(&self, table: &Table) -> Result<ExprType, ExprError> {
        match self {
            Expr::Column(name) => table.column(name).map(|c| Some(c.ty)).ok_or_else(|| {
                ExprError::at(format!("table `{}` has no column `{name}`", table.name))
            }),
            Expr::Literal(literal) => Ok(literal_type(literal)),
            Expr::Call(function, args) => {
                let mut types = Vec::with_capacity(args.len());
                for (index, arg) in args.iter().enumerate() {
                    types.push(arg.type_in(table).map_err(|e| e.within(index))?);
                }
                call_type(*function, args, &types).map_err(|error| explain_nulls_alone(error, args))
            }
        }
    }
}

/// Adds why an argument made of NULLs alone (`coalesce([null(), null()])`)
/// is text, when that argument is at fault.
fn explain_nulls_alone(mut error: ExprError, args: &[Expr]) -> ExprError {
    if let [index] = error.path[..]
        && args
            .get(index)
            .is_some_and(|arg| matches!(arg, Expr::Call(..)) && nulls_alone(arg))
    {
        error.message.push_str(
            " (NULLs alone are text, as on PostgreSQL: `cast(null(), integer())` is a NULL of another type)",
        );
    }
    error
}

/// Whether every value `value` can take is a `null()` literal.
fn nulls_alone(value: &Expr) -> bool {
    match value {
        Expr::Literal(Literal::Null) => true,
        Expr::Call(Function::Coalesce | Function::NullIf, args) => args.iter().all(nulls_alone),
        Expr::Call(Function::Case, args) => args
            .iter()
            .enumerate()
            .filter(|(index, _)| index % 2 == 1 || *index == args.len() - 1)
            .all(|(_, arg)| nulls_alone(arg)),
        _ => false,
    }
}

fn literal_type(literal: &Literal) -> ExprType {
    match literal {
        Literal::Null => None,
        Literal::Bool(_) => Some(SqlType::Bool),
        // As PostgreSQL types an integer constant: the arithmetic it takes
        // part in overflows at that type's bounds.
        Literal::Int(n) if i32::try_from(*n).is_ok() => Some(SqlType::Integer),
        Literal::Int(_) => Some(SqlType::BigInt),
        Literal::Float(_) => Some(SqlType::Double),
        Literal::Text(_) => Some(SqlType::Text),
    }
}

/// Whether a value of type `value` can be stored in a column of type `column`
/// the same way on every backend: of the same family, and no fraction into
/// an integer column (PostgreSQL rounds it, SQLite stores it as it is).
pub fn fits(value: ExprType, column: SqlType) -> bool {
    value.is_none_or(|ty| {
        ty.family() == column.family() && (ty.is_integer() || !column.is_integer())
    })
}

fn describe(ty: ExprType) -> String {
    ty.map_or_else(|| "NULL".to_owned(), |ty| ty.to_string())
}

fn expect_family(
    types: &[ExprType],
    index: usize,
    family: Family,
    function: Function,
) -> Result<(), ExprError> {
    match types[index] {
        Some(ty) if ty.family() != family => Err(ExprError::at(format!(
            "`{}` expects {} here, found {}",
            function.dsl_name(),
            family_name(family),
            describe(Some(ty))
        ))
        .within(index)),
        _ => Ok(()),
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Number => "a number",
        Family::Text => "text",
        Family::Bool => "a condition",
        Family::Uuid => "a uuid",
        Family::Date => "a date",
        Family::Timestamp => "a timestamp",
        Family::Bytes => "bytes",
        Family::Json => "json",
    }
}

fn expect_arity(function: Function, args: &[Expr], wanted: usize) -> Result<(), ExprError> {
    if args.len() == wanted {
        Ok(())
    } else {
        Err(ExprError::at(format!(
            "`{}` takes {wanted} argument(s), found {}",
            function.dsl_name(),
            args.len()
        )))
    }
}

fn positive_int_literal(args: &[Expr], index: usize, what: &str) -> Result<(), ExprError> {
    match args.get(index) {
        Some(Expr::Literal(Literal::Int(n))) if *n >= 1 => Ok(()),
        _ => Err(
            ExprError::at(format!("{what} must be an integer literal of at least 1")).within(index),
        ),
    }
}

fn non_empty_text_literal(args: &[Expr], index: usize, what: &str) -> Result<(), ExprError> {
    match args.get(index) {
        Some(Expr::Literal(Literal::Text(text))) if !text.is_empty() => Ok(()),
        _ => Err(ExprError::at(format!("{what} must be a non-empty text literal")).within(index)),
    }
}

/// The one common family of `types` (NULLs aside), or an error at the first
/// that differs. Integers of several widths give the widest, as PostgreSQL
/// resolves `COALESCE` and `CASE`.
fn common_type(function: Function, types: &[ExprType]) -> Result<ExprType, ExprError> {
    let mut found: ExprType = None;
    for (index, ty) in types.iter().enumerate() {
        match (found, ty) {
            (None, Some(_)) => found = *ty,
            (Some(first), Some(this)) if first.is_integer() && this.is_integer() => {
                found = Some(wider_integer(first, *this));
            }
            (Some(first), Some(this)) if first.family() != this.family() => {
                return Err(ExprError::at(format!(
                    "`{}` mixes {} and {}",
                    function.dsl_name(),
                    describe(Some(first)),
                    describe(Some(*this))
                ))
                .within(index));
            }
            _ => {}
        }
    }
    Ok(found)
}

fn call_type(function: Function, args: &[Expr], types: &[ExprType]) -> Result<ExprType, ExprError> {
    use Function::*;
    match function {
        Concat => {
            if args.is_empty() {
                return Err(ExprError::at("`concat` needs at least one argument"));
            }
            for index in 0..types.len() {
                expect_family(types, index, Family::Text, function)?;
            }
            Ok(Some(SqlType::Text))
        }
        SplitPart => {
            expect_arity(function, args, 3)?;
            expect_family(types, 0, Family::Text, function)?;
            non_empty_text_literal(args, 1, "the delimiter of `split_part`")?;
            positive_int_literal(args, 2, "the field number of `split_part`")?;
            Ok(Some(SqlType::Text))
        }
        AfterFirst => {
            expect_arity(function, args, 2)?;
            expect_family(types, 0, Family::Text, function)?;
            non_empty_text_literal(args, 1, "the delimiter of `after_first`")?;
            Ok(Some(SqlType::Text))
        }
        Substring => {
            expect_arity(function, args, 3)?;
            expect_family(types, 0, Family::Text, function)?;
            positive_int_literal(args, 1, "the start of `substring`")?;
            positive_int_literal(args, 2, "the length of `substring`")?;
            Ok(Some(SqlType::Text))
        }
        Lower | Upper | Trim => {
            expect_arity(function, args, 1)?;
            expect_family(types, 0, Family::Text, function)?;
            Ok(Some(SqlType::Text))
        }
        Length => {
            expect_arity(function, args, 1)?;
            expect_family(types, 0, Family::Text, function)?;
            Ok(Some(SqlType::Integer))
        }
        Coalesce => {
            if args.is_empty() {
                return Err(ExprError::at("`coalesce` needs at least one argument"));
            }
            // NULLs alone are text, as PostgreSQL resolves them: only the
            // bare `null()` takes the type of what it meets.
            Ok(common_type(function, types)?.or(Some(SqlType::Text)))
        }
        NullIf => {
            expect_arity(function, args, 2)?;
            common_type(function, types)?;
            Ok(types[0].or(types[1]).or(Some(SqlType::Text)))
        }
        Cast(to) => {
            expect_arity(function, args, 1)?;
            match types[0].map(|from| portable_cast(from, to)) {
                Some(Err(why)) => Err(ExprError::at(format!(
                    "`cast` from {} to {to} does not give the same value on PostgreSQL and SQLite: {why}",
                    describe(types[0])
                ))),
                _ => Ok(Some(to)),
            }
        }
        Add | Sub | Mul | Div => {
            expect_arity(function, args, 2)?;
            expect_family(types, 0, Family::Number, function)?;
            expect_family(types, 1, Family::Number, function)?;
            arithmetic_type(types[0], types[1]).map(Some).ok_or_else(|| {
                ExprError::at(format!(
                    "`{}` of two NULLs has no type: PostgreSQL cannot choose which `{}` to compute \
                     (operator is not unique) where SQLite gives NULL; write `null()` for the NULL it is, \
                     or give one side a type: `cast(null(), bigint())`",
                    function.dsl_name(),
                    function.dsl_name()
                ))
            })
        }
        Eq | Ne | Lt | Le | Gt | Ge => {
            expect_arity(function, args, 2)?;
            common_type(function, types)?;
            Ok(Some(SqlType::Bool))
        }
        And | Or => {
            expect_arity(function, args, 2)?;
            expect_family(types, 0, Family::Bool, function)?;
            expect_family(types, 1, Family::Bool, function)?;
            Ok(Some(SqlType::Bool))
        }
        Not => {
            expect_arity(function, args, 1)?;
            expect_family(types, 0, Family::Bool, function)?;
            Ok(Some(SqlType::Bool))
        }
        IsNull | IsNotNull => {
            expect_arity(function, args, 1)?;
            Ok(Some(SqlType::Bool))
        }
        Case => {
            if args.len() < 3 || args.len().is_multiple_of(2) {
                return Err(ExprError::at(
                    "`case_when` needs one or more (condition, value) pairs and a value otherwise",
                ));
            }
            let mut values = Vec::new();
            for (index, ty) in types.iter().enumerate() {
                let is_condition = index % 2 == 0 && index + 1 < types.len();
                if is_condition {
                    expect_family(types, index, Family::Bool, function)?;
                    values.push(None);
                } else {
                    values.push(*ty);
                }
            }
            Ok(common_type(function, &values)?.or(Some(SqlType::Text)))
        }
    }
}

/// Whether casting a `from` value to `to` gives the same value on every
/// backend, or why not. Conversions to an integer type are checked on every
/// backend (text that is not an integer in range fails the statement).
fn portable_cast(from: SqlType, to: SqlType) -> Result<(), &'static str> {
    use SqlType::*;
    match (from, to) {
        _ if from == to => Ok(()),
        (_, SmallInt | Integer | BigInt) if from.is_integer() || from.family() == Family::Text => {
            Ok(())
        }
        (Double | Decimal { .. }, SmallInt | Integer | BigInt) => {
            Err("PostgreSQL rounds to the nearest integer where SQLite truncates")
        }
        (_, Double) if from.family() == Family::Number => Ok(()),
        (_, Decimal { .. }) if from.is_integer() => Ok(()),
        (Decimal { .. }, Decimal { .. }) if from.widens_to(to) => Ok(()),
        (Double | Decimal { .. }, Decimal { .. }) => {
            Err("PostgreSQL rounds to the scale where SQLite keeps every digit")
        }
        (_, Text) if from.is_integer() || from.family() == Family::Text => Ok(()),
        (Varchar(_), Varchar(_)) if from.widens_to(to) => Ok(()),
        (_, Varchar(_)) => Err(
            "PostgreSQL cuts the text at the length where SQLite keeps it whole; cast to text() or use substring(..)",
        ),
        (Double | Decimal { .. }, Text) => {
            Err("the two print fractions differently (SQLite writes 7.0 where PostgreSQL writes 7)")
        }
        (Bool, _) | (_, Bool) => Err("PostgreSQL writes booleans as true/false, SQLite as 1/0"),
        (Text, _) => Err("SQLite does not check the text; PostgreSQL parses it"),
        _ => Err("SQLite stores these values as text and does not convert them"),
    }
}

/// The type of `left op right`, as PostgreSQL has it: between integers,
/// the wider operand's type (`smallint + smallint` is a `smallint`, which
/// overflows past 32767); a NULL takes the other operand's type. Two NULLs
/// have none: PostgreSQL refuses to choose.
fn arithmetic_type(left: ExprType, right: ExprType) -> Option<SqlType> {
    let pair = [left, right];
    if pair.contains(&Some(SqlType::Double)) {
        Some(SqlType::Double)
    } else if let Some(decimal) = pair
        .iter()
        .flatten()
        .find(|ty| matches!(ty, SqlType::Decimal { .. }))
    {
        Some(*decimal)
    } else {
        match (left, right) {
            (Some(a), Some(b)) => Some(wider_integer(a, b)),
            (one, None) | (None, one) => one,
        }
    }
}

/// The wider of two integer types.
fn wider_integer(a: SqlType, b: SqlType) -> SqlType {
    let rank = |ty: SqlType| match ty {
        SqlType::SmallInt => 0,
        SqlType::Integer => 1,
        _ => 2,
    };
    if rank(a) >= rank(b) { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::{Expr, Function, Literal};
    use crate::test_tables::table;
    use crate::{SqlType, Table};

    fn integers() -> Table {
        table(
            "integers",
            &[
                ("s", SqlType::SmallInt),
                ("i", SqlType::Integer),
                ("b", SqlType::BigInt),
            ],
        )
    }

    fn col(name: &str) -> Expr {
        Expr::Column(name.to_owned().into())
    }

    fn int(value: i64) -> Expr {
        Expr::Literal(Literal::Int(value))
    }

    fn type_of(function: Function, args: Vec<Expr>) -> Option<SqlType> {
        Expr::Call(function, args.into())
            .type_in(&integers())
            .expect("well typed")
    }

    /// The types PostgreSQL gives (checked with `pg_typeof`): the wider
    /// operand's, an integer literal `integer` unless it needs `bigint`.
    #[test]
    fn integer_arithmetic_has_the_wider_operand_type() {
        use Function::{Add, Coalesce, Div, Mul, Sub};
        use SqlType::{BigInt, Integer, SmallInt};
        assert_eq!(type_of(Add, vec![col("s"), col("s")]), Some(SmallInt));
        assert_eq!(type_of(Div, vec![col("s"), col("s")]), Some(SmallInt));
        assert_eq!(type_of(Sub, vec![col("s"), int(1)]), Some(Integer));
        assert_eq!(type_of(Mul, vec![col("s"), col("i")]), Some(Integer));
        assert_eq!(type_of(Mul, vec![col("i"), col("b")]), Some(BigInt));
        assert_eq!(type_of(Add, vec![int(1), int(2)]), Some(Integer));
        assert_eq!(
            type_of(Add, vec![col("i"), int(2_147_483_648)]),
            Some(BigInt)
        );
        assert_eq!(
            type_of(Add, vec![col("i"), int(-2_147_483_648)]),
            Some(Integer)
        );
        let null = Expr::Literal(Literal::Null);
        assert_eq!(type_of(Add, vec![col("s"), null]), Some(SmallInt));
        assert_eq!(type_of(Coalesce, vec![col("s"), col("i")]), Some(Integer));
        assert_eq!(type_of(Coalesce, vec![col("b"), col("s")]), Some(BigInt));
    }

    /// PostgreSQL cannot choose an operator for two NULLs (`operator is not
    /// unique: unknown + unknown`), and resolves NULLs alone to text.
    #[test]
    fn nulls_alone_are_typed_as_postgresql_types_them() {
        use Function::{Add, Case, Coalesce, Eq, NullIf, Sub};
        let null = || Expr::Literal(Literal::Null);
        let error = Expr::Call(Sub, vec![null(), null()].into())
            .type_in(&integers())
            .expect_err("two NULLs");
        assert!(
            error.message.starts_with("`-` of two NULLs has no type"),
            "{}",
            error.message
        );
        assert_eq!(type_of(Add, vec![null(), col("i")]), Some(SqlType::Integer));
        assert_eq!(type_of(Eq, vec![null(), null()]), Some(SqlType::Bool));
        for function in [Coalesce, NullIf] {
            assert_eq!(type_of(function, vec![null(), null()]), Some(SqlType::Text));
        }
        let flag = Expr::Literal(Literal::Bool(true));
        assert_eq!(
            type_of(Case, vec![flag, null(), null()]),
            Some(SqlType::Text)
        );
        assert_eq!(
            type_of(NullIf, vec![null(), int(1)]),
            Some(SqlType::Integer)
        );
        let text_null = Expr::Call(Coalesce, vec![null()].into());
        assert!(
            Expr::Call(Add, vec![text_null, int(1)].into())
                .type_in(&integers())
                .is_err()
        );
    }
}
