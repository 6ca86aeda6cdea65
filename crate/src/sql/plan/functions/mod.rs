//! The functions SQL can call: names, argument rules and result types (Spark's).
//!
//! Scalar functions come in families (strings, math, dates and times, conditionals, and
//! hashes / random numbers / row identity in `misc`, arrays, `array<float>` vectors,
//! bitmaps), one module each with its table of names and its signature rules; aggregate
//! and window functions are below. Only the signatures live here; the code that computes
//! them is in `exec::functions`, split the same way.

mod aggregate;
mod arrays;
mod bitmaps;
mod conditional;
mod datetime;
mod decimal;
mod higher_order;
mod json;
mod maps;
mod math;
mod misc;
mod number_format;
mod signature;
mod strings;
mod vectors;

use arrow_schema::{DataType, Field};

pub use aggregate::{AggregateFunction, AggregateSignature};
pub use arrays::ArrayFunction;
pub use bitmaps::BitmapFunction;
pub use conditional::ConditionalFunction;
pub use datetime::{date_field, window_type, DateTimeFunction};
pub use decimal::{DecimalOp, Rounding};
pub use higher_order::HigherOrderFunction;
pub use json::{json_map_key, json_scalar, json_writable};
pub use maps::MapFunction;
pub use math::MathFunction;
pub use misc::MiscFunction;
pub use number_format::NumberFormatOp;
pub use signature::{common_type, list_of, map_of, map_types, Signature};
pub use strings::StringFunction;
pub use vectors::VectorFunction;

use crate::error::Result;
use signature::{type_error, Args};

/// A scalar (row by row) function, by family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarFunction {
    String(StringFunction),
    Math(MathFunction),
    DateTime(DateTimeFunction),
    Conditional(ConditionalFunction),
    Misc(MiscFunction),
    Array(ArrayFunction),
    Map(MapFunction),
    /// `vector_*` over `array<float>` embeddings.
    Vector(VectorFunction),
    /// `bitmap_bucket_number`, `bitmap_bit_position`, `bitmap_count`.
    Bitmap(BitmapFunction),
    /// `array[i]` (0-based, as in Spark) or `map[key]`.
    GetItem,
    /// `struct(a, b)` / `named_struct('a', a, ...)`: the planner names the fields (the
    /// call's return type) and passes the values.
    MakeStruct,
    /// `s.field`: the struct's field at this position (NULL where the struct is).
    GetField(usize),
    /// Arithmetic, rounding or a comparison on decimals, made by the planner.
    Decimal(DecimalOp),
    /// Text read or decimals printed with a number format (`to_number`, `to_char`).
    NumberFormat(NumberFormatOp),
    /// Spark's `TryEval`: the first argument, NULL in each row where computing it fails
    /// at run time (`try_add` of intervals, `TRY_CAST` to an interval: `plan::try_eval`).
    /// The other arguments are computed first, outside the try, so that their failures
    /// are raised: a `TRY_CAST` catches its cast's failures, not its input's.
    Try,
}

impl ScalarFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        StringFunction::from_name(name)
            .map(ScalarFunction::String)
            .or_else(|| MathFunction::from_name(name).map(ScalarFunction::Math))
            .or_else(|| DateTimeFunction::from_name(name).map(ScalarFunction::DateTime))
            .or_else(|| ConditionalFunction::from_name(name).map(ScalarFunction::Conditional))
            .or_else(|| MiscFunction::from_name(name).map(ScalarFunction::Misc))
            .or_else(|| ArrayFunction::from_name(name).map(ScalarFunction::Array))
            .or_else(|| MapFunction::from_name(name).map(ScalarFunction::Map))
            .or_else(|| VectorFunction::from_name(name).map(ScalarFunction::Vector))
            .or_else(|| BitmapFunction::from_name(name).map(ScalarFunction::Bitmap))
    }

    /// Every name a scalar function is called by (aliases included).
    pub fn names() -> impl Iterator<Item = &'static str> {
        StringFunction::names()
            .chain(MathFunction::names())
            .chain(DateTimeFunction::names())
            .chain(ConditionalFunction::names())
            .chain(MiscFunction::names())
            .chain(ArrayFunction::names())
            .chain(MapFunction::names())
            .chain(VectorFunction::names())
            .chain(BitmapFunction::names())
    }

    pub fn name(self) -> &'static str {
        match self {
            ScalarFunction::String(f) => f.name(),
            ScalarFunction::Math(f) => f.name(),
            ScalarFunction::DateTime(f) => f.name(),
            ScalarFunction::Conditional(f) => f.name(),
            ScalarFunction::Misc(f) => f.name(),
            ScalarFunction::Array(f) => f.name(),
            ScalarFunction::Map(f) => f.name(),
            ScalarFunction::Vector(f) => f.name(),
            ScalarFunction::Bitmap(f) => f.name(),
            ScalarFunction::GetItem => "get_item",
            ScalarFunction::MakeStruct => "struct",
            ScalarFunction::GetField(_) => "get_field",
            ScalarFunction::Decimal(op) => op.name(),
            ScalarFunction::NumberFormat(op) => op.name(),
            ScalarFunction::Try => "try",
        }
    }

    /// Whether the value depends on more than the arguments (`rand`): such a call is
    /// computed row by row even when its arguments are constants.
    pub fn is_per_row(self) -> bool {
        match self {
            ScalarFunction::Misc(f) => f.is_per_row(),
            // Each row draws from the partition's generator, as `rand` does.
            ScalarFunction::Array(f) => f == ArrayFunction::Shuffle,
            _ => false,
        }
    }

    /// Checks the arguments and says how to convert them and what the call returns.
    pub fn signature(self, args: &[DataType]) -> Result<Signature> {
        let a = Args {
            name: self.name(),
            types: args,
        };
        match self {
            ScalarFunction::String(f) => f.signature(&a),
            ScalarFunction::Math(f) => f.signature(&a),
            ScalarFunction::DateTime(f) => f.signature(&a),
            ScalarFunction::Conditional(f) => f.signature(&a),
            ScalarFunction::Misc(f) => f.signature(&a),
            ScalarFunction::Array(f) => f.signature(&a),
            ScalarFunction::Map(f) => f.signature(&a),
            ScalarFunction::Vector(f) => f.signature(&a),
            ScalarFunction::Bitmap(f) => f.signature(&a),
            ScalarFunction::Decimal(op) => op.signature(&a),
            ScalarFunction::NumberFormat(op) => op.signature(&a),
            ScalarFunction::Try => {
                a.arity(1, usize::MAX)?;
                Signature::new(args.to_vec(), args[0].clone())
            }
            ScalarFunction::GetItem => {
                a.arity(2, 2)?;
                if let Some((key, value)) = map_types(&args[0]) {
                    return Signature::new(vec![args[0].clone(), key], value);
                }
                let element = match &args[0] {
                    DataType::List(field) => field.data_type().clone(),
                    other => return Err(type_error("[]", 0, "an array or a map", other)),
                };
                Signature::new(vec![args[0].clone(), a.integer(1)?], element)
            }
            ScalarFunction::MakeStruct => {
                let fields: Vec<Field> = args
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Field::new(format!("col{}", i + 1), t.clone(), true))
                    .collect();
                Signature::new(args.to_vec(), DataType::Struct(fields.into()))
            }
            ScalarFunction::GetField(index) => {
                a.arity(1, 1)?;
                match &args[0] {
                    DataType::Struct(fields) if index < fields.len() => {
                        Signature::new(args.to_vec(), fields[index].data_type().clone())
                    }
                    other => Err(type_error(".", 0, "a struct", other)),
                }
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
    /// `ntile(n)`: the bucket 1..n of the row, the first buckets one row larger when the
    /// partition does not divide evenly.
    Ntile,
    /// `(rank - 1) / (rows - 1)`, 0 for a partition of one row.
    PercentRank,
    /// Rows up to the current row's last peer, over the partition's rows.
    CumeDist,
    FirstValue,
    LastValue,
    NthValue,
    Aggregate(AggregateFunction),
    /// `session_window(ts, gap)` grouped by: each row's merged session (args: the time
    /// and the gap in microseconds), planned by `plan::time_window`, never by name.
    SessionWindow,
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
            "ntile" => Ntile,
            "percent_rank" => PercentRank,
            "cume_dist" => CumeDist,
            "first_value" => FirstValue,
            "last_value" => LastValue,
            "nth_value" => NthValue,
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
            WindowFunction::Ntile => "ntile",
            WindowFunction::PercentRank => "percent_rank",
            WindowFunction::CumeDist => "cume_dist",
            WindowFunction::FirstValue => "first_value",
            WindowFunction::LastValue => "last_value",
            WindowFunction::NthValue => "nth_value",
            WindowFunction::Aggregate(f) => f.name(),
            WindowFunction::SessionWindow => "session_window",
        }
    }

    /// Whether the function reads a frame (aggregates and the value functions); the
    /// ranking and offset functions see the partition in order and take no frame clause.
    pub fn takes_frame(self) -> bool {
        matches!(
            self,
            WindowFunction::Aggregate(_)
                | WindowFunction::FirstValue
                | WindowFunction::LastValue
                | WindowFunction::NthValue
        )
    }
}

/// The seed Spark picks when a query is planned, for `rand()`, `shuffle(a)` and
/// `TABLESAMPLE` without a seed of their own: the clock's microseconds.
pub fn planning_seed() -> i64 {
    crate::clock::now_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name resolves, to a function shown under a name that resolves to it too, and
    /// no name is claimed by two families (the first would hide the second).
    #[test]
    fn names_resolve_once() {
        let mut seen = std::collections::HashSet::new();
        for name in ScalarFunction::names() {
            assert!(seen.insert(name), "{name} is listed twice");
            let func = ScalarFunction::from_name(name).unwrap();
            assert_eq!(ScalarFunction::from_name(func.name()), Some(func), "{name}");
            assert!(AggregateFunction::from_name(name).is_none(), "{name}");
        }
        assert!(seen.len() > 200);
    }
}
