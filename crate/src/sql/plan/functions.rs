//! The functions SQL can call: names, argument rules and result types (Spark's).
//!
//! Only the signatures live here; the code that computes them is in `exec`.

use std::sync::Arc;

use arrow_schema::{DataType, Field};

use crate::error::{Error, Result};
use crate::sql::types::{
    branches_common, is_integer, is_numeric, is_string, is_temporal, timestamp_type,
};

/// A scalar (row by row) function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarFunction {
    Lower,
    Upper,
    Length,
    Substr,
    Trim,
    LTrim,
    RTrim,
    Concat,
    ConcatWs,
    Replace,
    RegexpExtract,
    RegexpReplace,
    Split,
    Abs,
    Round,
    Floor,
    Ceil,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Pow,
    Year,
    Month,
    Day,
    DateTrunc,
    DateDiff,
    DateAdd,
    DateSub,
    ToDate,
    CurrentDate,
    Coalesce,
    NullIf,
    If,
    /// `array[i]`, 0-based as in Spark.
    GetItem,
}

/// How a call's arguments are converted and what it returns.
pub struct Signature {
    /// The type each argument is cast to before the call.
    pub arg_types: Vec<DataType>,
    pub return_type: DataType,
}

impl ScalarFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        use ScalarFunction::*;
        Some(match name.to_ascii_lowercase().as_str() {
            "lower" | "lcase" => Lower,
            "upper" | "ucase" => Upper,
            "length" | "char_length" | "character_length" | "len" => Length,
            "substr" | "substring" => Substr,
            "trim" => Trim,
            "ltrim" => LTrim,
            "rtrim" => RTrim,
            "concat" => Concat,
            "concat_ws" => ConcatWs,
            "replace" => Replace,
            "regexp_extract" => RegexpExtract,
            "regexp_replace" => RegexpReplace,
            "split" => Split,
            "abs" => Abs,
            "round" => Round,
            "floor" => Floor,
            "ceil" | "ceiling" => Ceil,
            "sqrt" => Sqrt,
            "exp" => Exp,
            "ln" => Ln,
            "log10" => Log10,
            "pow" | "power" => Pow,
            "year" => Year,
            "month" => Month,
            "day" | "dayofmonth" => Day,
            "date_trunc" => DateTrunc,
            "datediff" => DateDiff,
            "date_add" => DateAdd,
            "date_sub" => DateSub,
            "to_date" => ToDate,
            "current_date" | "curdate" => CurrentDate,
            "coalesce" | "ifnull" | "nvl" => Coalesce,
            "nullif" => NullIf,
            "if" | "iff" => If,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use ScalarFunction::*;
        match self {
            Lower => "lower",
            Upper => "upper",
            Length => "length",
            Substr => "substr",
            Trim => "trim",
            LTrim => "ltrim",
            RTrim => "rtrim",
            Concat => "concat",
            ConcatWs => "concat_ws",
            Replace => "replace",
            RegexpExtract => "regexp_extract",
            RegexpReplace => "regexp_replace",
            Split => "split",
            Abs => "abs",
            Round => "round",
            Floor => "floor",
            Ceil => "ceil",
            Sqrt => "sqrt",
            Exp => "exp",
            Ln => "ln",
            Log10 => "log10",
            Pow => "pow",
            Year => "year",
            Month => "month",
            Day => "day",
            DateTrunc => "date_trunc",
            DateDiff => "datediff",
            DateAdd => "date_add",
            DateSub => "date_sub",
            ToDate => "to_date",
            CurrentDate => "current_date",
            Coalesce => "coalesce",
            NullIf => "nullif",
            If => "if",
            GetItem => "get_item",
        }
    }

    /// Checks the arguments and says how to convert them and what the call returns.
    pub fn signature(self, args: &[DataType]) -> Result<Signature> {
        use DataType::*;
        use ScalarFunction::*;
        let name = self.name();
        let arity = |min: usize, max: usize| -> Result<()> {
            if args.len() < min || args.len() > max {
                let expected = if min == max {
                    format!("{min}")
                } else if max == usize::MAX {
                    format!("at least {min}")
                } else {
                    format!("{min} to {max}")
                };
                Err(Error::analysis(format!(
                    "{name} takes {expected} arguments, got {}",
                    args.len()
                )))
            } else {
                Ok(())
            }
        };
        // Numbers are computed as int, bigint or double.
        let numeric = |i: usize| -> Result<DataType> {
            match &args[i] {
                Int8 | Int16 | Int32 | UInt8 | UInt16 => Ok(Int32),
                Int64 | UInt32 | UInt64 => Ok(Int64),
                Null => Ok(Float64),
                t if is_numeric(t) => Ok(Float64),
                t => Err(type_error(name, i, "a number", t)),
            }
        };
        let integer = |i: usize| -> Result<DataType> {
            let t = &args[i];
            if is_integer(t) || t == &Null {
                Ok(Int32)
            } else {
                Err(type_error(name, i, "an integer", t))
            }
        };
        let date_like = |i: usize| -> Result<DataType> {
            let t = &args[i];
            if is_temporal(t) || is_string(t) || t == &Null {
                Ok(Date32)
            } else {
                Err(type_error(name, i, "a date", t))
            }
        };
        let strings = |n: usize| vec![Utf8; n];
        let sig = |arg_types: Vec<DataType>, return_type: DataType| {
            Ok(Signature {
                arg_types,
                return_type,
            })
        };
        match self {
            Lower | Upper | Trim | LTrim | RTrim => {
                arity(1, 1)?;
                sig(strings(1), Utf8)
            }
            Length => {
                arity(1, 1)?;
                sig(strings(1), Int32)
            }
            Substr => {
                arity(2, 3)?;
                let mut types = vec![Utf8, integer(1)?];
                if args.len() == 3 {
                    types.push(integer(2)?);
                }
                sig(types, Utf8)
            }
            Concat => {
                arity(1, usize::MAX)?;
                sig(strings(args.len()), Utf8)
            }
            ConcatWs => {
                arity(1, usize::MAX)?;
                sig(strings(args.len()), Utf8)
            }
            Replace => {
                arity(2, 3)?;
                sig(strings(args.len()), Utf8)
            }
            RegexpExtract => {
                arity(2, 3)?;
                let mut types = strings(2);
                if args.len() == 3 {
                    types.push(integer(2)?);
                }
                sig(types, Utf8)
            }
            RegexpReplace => {
                arity(3, 3)?;
                sig(strings(3), Utf8)
            }
            Split => {
                arity(2, 3)?;
                let mut types = strings(2);
                if args.len() == 3 {
                    types.push(integer(2)?);
                }
                sig(types, List(Arc::new(Field::new("element", Utf8, true))))
            }
            Abs => {
                arity(1, 1)?;
                let t = numeric(0)?;
                sig(vec![t.clone()], t)
            }
            Round => {
                arity(1, 2)?;
                let t = numeric(0)?;
                let mut types = vec![t.clone()];
                if args.len() == 2 {
                    types.push(integer(1)?);
                }
                sig(types, t)
            }
            Floor | Ceil => {
                arity(1, 1)?;
                numeric(0)?;
                sig(vec![Float64], Int64)
            }
            Sqrt | Exp | Ln | Log10 => {
                arity(1, 1)?;
                numeric(0)?;
                sig(vec![Float64], Float64)
            }
            Pow => {
                arity(2, 2)?;
                numeric(0)?;
                numeric(1)?;
                sig(vec![Float64, Float64], Float64)
            }
            Year | Month | Day => {
                arity(1, 1)?;
                sig(vec![date_like(0)?], Int32)
            }
            DateTrunc => {
                arity(2, 2)?;
                if !(is_temporal(&args[1]) || is_string(&args[1]) || args[1] == Null) {
                    return Err(type_error(name, 1, "a date or timestamp", &args[1]));
                }
                sig(vec![Utf8, timestamp_type()], timestamp_type())
            }
            DateDiff => {
                arity(2, 2)?;
                sig(vec![date_like(0)?, date_like(1)?], Int32)
            }
            DateAdd | DateSub => {
                arity(2, 2)?;
                sig(vec![date_like(0)?, integer(1)?], Date32)
            }
            ToDate => {
                arity(1, 2)?;
                let first = if is_temporal(&args[0]) {
                    args[0].clone()
                } else {
                    Utf8
                };
                let mut types = vec![first];
                if args.len() == 2 {
                    types.push(Utf8);
                }
                sig(types, Date32)
            }
            CurrentDate => {
                arity(0, 0)?;
                sig(vec![], Date32)
            }
            Coalesce => {
                arity(1, usize::MAX)?;
                let common = common_type(name, args)?;
                sig(vec![common.clone(); args.len()], common)
            }
            NullIf => {
                arity(2, 2)?;
                let common = common_type(name, args)?;
                sig(vec![common.clone(), common.clone()], common)
            }
            If => {
                arity(3, 3)?;
                if !matches!(args[0], Boolean | Null) {
                    return Err(type_error(name, 0, "a boolean", &args[0]));
                }
                let common = common_type(name, &args[1..])?;
                sig(vec![Boolean, common.clone(), common.clone()], common)
            }
            GetItem => {
                arity(2, 2)?;
                let element = match &args[0] {
                    List(field) => field.data_type().clone(),
                    other => return Err(type_error("[]", 0, "an array", other)),
                };
                sig(vec![args[0].clone(), integer(1)?], element)
            }
        }
    }
}

/// The common type of several branches, or an analysis error naming the function.
pub fn common_type(what: &str, types: &[DataType]) -> Result<DataType> {
    let mut common = DataType::Null;
    for t in types {
        common = branches_common(&common, t).ok_or_else(|| {
            Error::analysis(format!(
                "{what} mixes incompatible types {} and {}",
                crate::frame::spark_type_name(&common),
                crate::frame::spark_type_name(t)
            ))
        })?;
    }
    Ok(common)
}

fn type_error(function: &str, index: usize, expected: &str, got: &DataType) -> Error {
    Error::analysis(format!(
        "argument {} of {function} must be {expected}, got {}",
        index + 1,
        crate::frame::spark_type_name(got)
    ))
}

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Count,
    /// `count(*)`: rows, nulls included.
    CountStar,
    Sum,
    Avg,
    Min,
    Max,
    StddevSamp,
    StddevPop,
    VarSamp,
    VarPop,
    Median,
    Percentile,
}

impl AggregateFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        use AggregateFunction::*;
        Some(match name.to_ascii_lowercase().as_str() {
            "count" => Count,
            "sum" => Sum,
            "avg" | "mean" => Avg,
            "min" => Min,
            "max" => Max,
            "stddev" | "stddev_samp" | "std" => StddevSamp,
            "stddev_pop" => StddevPop,
            "variance" | "var_samp" => VarSamp,
            "var_pop" => VarPop,
            "median" => Median,
            "percentile" => Percentile,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use AggregateFunction::*;
        match self {
            Count | CountStar => "count",
            Sum => "sum",
            Avg => "avg",
            Min => "min",
            Max => "max",
            StddevSamp => "stddev",
            StddevPop => "stddev_pop",
            VarSamp => "variance",
            VarPop => "var_pop",
            Median => "median",
            Percentile => "percentile",
        }
    }

    /// The type the argument is cast to, and the result type (Spark's).
    pub fn signature(self, arg: Option<&DataType>) -> Result<(Option<DataType>, DataType)> {
        use AggregateFunction::*;
        use DataType::*;
        let name = self.name();
        let needs_number = |t: &DataType| -> Result<()> {
            if is_numeric(t) && !matches!(t, Decimal128(_, _) | Decimal256(_, _)) || t == &Null {
                Ok(())
            } else if matches!(t, Decimal128(_, _) | Decimal256(_, _)) {
                Err(Error::unsupported(format!(
                    "{name} of a decimal column (cast it to double first)"
                )))
            } else {
                Err(type_error(name, 0, "a number", t))
            }
        };
        match (self, arg) {
            (CountStar, _) => Ok((None, Int64)),
            (_, None) => Err(Error::analysis(format!("{name} needs an argument"))),
            (Count, Some(t)) => Ok((Some(t.clone()), Int64)),
            (Min | Max, Some(t)) => Ok((Some(t.clone()), t.clone())),
            (Sum, Some(t)) => {
                needs_number(t)?;
                if is_integer(t) {
                    Ok((Some(Int64), Int64))
                } else {
                    Ok((Some(Float64), Float64))
                }
            }
            (_, Some(t)) => {
                needs_number(t)?;
                Ok((Some(Float64), Float64))
            }
        }
    }
}

/// A function computed over a window of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFunction {
    RowNumber,
    Rank,
    DenseRank,
    Lag,
    Lead,
    Aggregate(AggregateFunction),
}

impl WindowFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        use WindowFunction::*;
        Some(match name.to_ascii_lowercase().as_str() {
            "row_number" => RowNumber,
            "rank" => Rank,
            "dense_rank" => DenseRank,
            "lag" => Lag,
            "lead" => Lead,
            other => Aggregate(AggregateFunction::from_name(other)?),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            WindowFunction::RowNumber => "row_number",
            WindowFunction::Rank => "rank",
            WindowFunction::DenseRank => "dense_rank",
            WindowFunction::Lag => "lag",
            WindowFunction::Lead => "lead",
            WindowFunction::Aggregate(f) => f.name(),
        }
    }
}
