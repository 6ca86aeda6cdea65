//! Aggregate functions: names, arities and result types (Spark's).
//!
//! Arguments after an aggregate's data arguments are literals that configure it (the
//! percentage of `percentile`, `ignoreNulls` of `first`, the accuracy of
//! `percentile_approx`): the executor evaluates only the data arguments, and reads the
//! literals once when it makes the aggregate's state.

use arrow_schema::{DataType, Field};

use super::signature::{lookup, name_of, type_error};
use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::decimal::Decimal;
use crate::sql::types::{is_integer, is_numeric, is_string, is_temporal};

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
    /// `percentile_approx`: the smallest value with at least the given fraction of the
    /// values at or below it (Brasa's answer is exact, within any accuracy asked for).
    PercentileApprox,
    Skewness,
    Kurtosis,
    Corr,
    CovarPop,
    CovarSamp,
    CollectList,
    CollectSet,
    First,
    Last,
    AnyValue,
    CountIf,
    BoolAnd,
    BoolOr,
    MaxBy,
    MinBy,
    /// `approx_count_distinct`: Brasa counts exactly, which is within any error bound.
    ApproxCountDistinct,
    /// `mode(x [, deterministic])`: of equally frequent values, always the smallest (what
    /// Spark gives with `deterministic` true; without it Spark's pick follows its hash
    /// table's order).
    Mode,
    /// `bit_and`, `bit_or`, `bit_xor`: the bitwise fold of an integral column, in its type.
    BitAnd,
    BitOr,
    BitXor,
    /// `percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC])`: `percentile(x, p)` over the
    /// values in the order asked for. Planned as `(x, p, descending)`.
    PercentileCont,
    /// `percentile_disc(p) WITHIN GROUP (ORDER BY x [DESC])`: the first value, in the
    /// order asked for, whose cumulative distribution reaches `p`. As `PercentileCont`.
    PercentileDisc,
    /// `listagg(x [, delimiter]) [WITHIN GROUP (ORDER BY ...)]` (`string_agg`): a group's
    /// strings joined. Planned as `(x as a string, the order keys as a struct or a NULL,
    /// delimiter, the keys' directions)`; see `plan::ordered_aggregates`.
    ListAgg,
    /// `vector_sum(v)`, `vector_avg(v)`: element-wise over a group's `array<float>`
    /// vectors, in float as Spark (the average a running one); NULL arrays and arrays
    /// with a NULL element skipped; vectors of another length are an error.
    VectorSum,
    VectorAvg,
    /// `bitmap_construct_agg(position)`: the 4096-byte bitmap with the positions' bits set.
    BitmapConstructAgg,
    /// `bitmap_or_agg(bitmap)`, `bitmap_and_agg(bitmap)`: a group's bitmaps combined,
    /// always 4096 bytes (a shorter bitmap counts as zero-padded, a longer one is cut).
    BitmapOrAgg,
    BitmapAndAgg,
}

/// Every name an aggregate is called by; a function's first name is the one it is shown
/// by.
const NAMES: &[(&str, AggregateFunction)] = {
    use AggregateFunction::*;
    &[
        ("count", Count),
        ("sum", Sum),
        ("avg", Avg),
        ("mean", Avg),
        ("min", Min),
        ("max", Max),
        ("stddev", StddevSamp),
        ("stddev_samp", StddevSamp),
        ("std", StddevSamp),
        ("stddev_pop", StddevPop),
        ("variance", VarSamp),
        ("var_samp", VarSamp),
        ("var_pop", VarPop),
        ("median", Median),
        ("percentile", Percentile),
        ("percentile_approx", PercentileApprox),
        ("approx_percentile", PercentileApprox),
        ("skewness", Skewness),
        ("kurtosis", Kurtosis),
        ("corr", Corr),
        ("covar_pop", CovarPop),
        ("covar_samp", CovarSamp),
        ("collect_list", CollectList),
        ("array_agg", CollectList),
        ("collect_set", CollectSet),
        ("first", First),
        ("first_value", First),
        ("last", Last),
        ("last_value", Last),
        ("any_value", AnyValue),
        ("count_if", CountIf),
        ("bool_and", BoolAnd),
        ("every", BoolAnd),
        ("bool_or", BoolOr),
        ("some", BoolOr),
        ("any", BoolOr),
        ("max_by", MaxBy),
        ("min_by", MinBy),
        ("approx_count_distinct", ApproxCountDistinct),
        ("mode", Mode),
        ("bit_and", BitAnd),
        ("bit_or", BitOr),
        ("bit_xor", BitXor),
        ("percentile_cont", PercentileCont),
        ("percentile_disc", PercentileDisc),
        ("listagg", ListAgg),
        ("string_agg", ListAgg),
        ("vector_sum", VectorSum),
        ("vector_avg", VectorAvg),
        ("bitmap_construct_agg", BitmapConstructAgg),
        ("bitmap_or_agg", BitmapOrAgg),
        ("bitmap_and_agg", BitmapAndAgg),
    ]
};

/// What an aggregate call's arguments are cast to and what it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSignature {
    /// One type per data argument.
    pub args: Vec<DataType>,
    pub returns: DataType,
}

impl AggregateFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        lookup(NAMES, name)
    }

    pub fn name(self) -> &'static str {
        match self {
            AggregateFunction::CountStar => "count",
            f => name_of(NAMES, f),
        }
    }

    /// Every name, for the list of functions Brasa knows.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    /// How many leading arguments are columns (the rest are literal settings).
    pub fn data_arity(self) -> usize {
        use AggregateFunction::*;
        match self {
            CountStar => 0,
            Corr | CovarPop | CovarSamp | MaxBy | MinBy | ListAgg => 2,
            _ => 1,
        }
    }

    /// The literal settings it takes after its data arguments: (at least, at most).
    pub fn settings(self) -> (usize, usize) {
        use AggregateFunction::*;
        match self {
            Percentile => (1, 1),
            PercentileCont | PercentileDisc | ListAgg => (2, 2),
            PercentileApprox => (1, 2),
            First | Last | AnyValue | ApproxCountDistinct | Mode | MaxBy | MinBy => (0, 1),
            _ => (0, 0),
        }
    }

    /// Whether `agg(...) OVER (...)` computes it (the others are refused there): every
    /// aggregate but those ordered by `WITHIN GROUP`, whose planning needs the clause.
    pub fn works_over_windows(self) -> bool {
        use AggregateFunction::*;
        !matches!(self, PercentileCont | PercentileDisc | ListAgg)
    }

    /// Whether a window computes it by sliding each row's frame over a running state (each
    /// row added and removed once, `exec::window::aggregate`); the others are computed
    /// anew for each distinct frame (`exec::window::refold`).
    pub fn slides_over_frames(self) -> bool {
        use AggregateFunction::*;
        matches!(
            self,
            Count | CountStar | Sum | Avg | Min | Max | StddevSamp | StddevPop | VarSamp | VarPop
        )
    }

    /// Whether `DISTINCT` can change its answer (it cannot for min, max and the pickers).
    pub fn distinct_matters(self) -> bool {
        use AggregateFunction::*;
        !matches!(
            self,
            Min | Max
                | First
                | Last
                | AnyValue
                | MaxBy
                | MinBy
                | BoolAnd
                | BoolOr
                | Mode
                | BitAnd
                | BitOr
                | BitmapConstructAgg
                | BitmapOrAgg
                | BitmapAndAgg
        )
    }

    /// Checks the data arguments' types and says what they are cast to and what the call
    /// returns.
    pub fn signature(self, args: &[DataType]) -> Result<AggregateSignature> {
        use AggregateFunction::*;
        use DataType::*;
        let name = self.name();
        // Spark reads strings given to the numeric aggregates as doubles.
        let number = |i: usize| -> Result<DataType> {
            let t = &args[i];
            if is_string(t) {
                Ok(Float64)
            } else if matches!(t, Decimal256(_, _)) {
                Err(Error::unsupported(format!(
                    "{name} of a decimal column wider than 38 digits"
                )))
            } else if is_numeric(t) || t == &Null {
                Ok(Float64)
            } else {
                Err(type_error(name, i, "a number", t))
            }
        };
        let boolean = |i: usize| -> Result<DataType> {
            match &args[i] {
                Boolean | Null => Ok(Boolean),
                other => Err(type_error(name, i, "a boolean", other)),
            }
        };
        let orderable = |i: usize| -> Result<DataType> {
            let t = &args[i];
            if is_numeric(t) || is_string(t) || is_temporal(t) || matches!(t, Boolean | Null) {
                Ok(t.clone())
            } else {
                Err(type_error(name, i, "a value that can be ordered", t))
            }
        };
        let (cast, returns) = match self {
            CountStar => (vec![], Int64),
            Count | ApproxCountDistinct => (vec![args[0].clone()], Int64),
            Min | Max | First | Last | AnyValue => (vec![args[0].clone()], args[0].clone()),
            Mode => (vec![orderable(0)?], args[0].clone()),
            // Decimals sum and average in decimals, with Spark's result types.
            Sum | Avg if Decimal::of(&args[0]).is_some() => {
                let d = Decimal::of(&args[0]).unwrap_or(Decimal::new(38, 0));
                let out = if self == Sum { d.sum() } else { d.avg() };
                (vec![args[0].clone()], out.data_type())
            }
            PercentileApprox if Decimal::of(&args[0]).is_some() => {
                return Err(Error::unsupported(format!(
                    "{name} of a decimal column (cast it to double first)"
                )))
            }
            Sum => {
                number(0)?;
                let t = if is_integer(&args[0]) { Int64 } else { Float64 };
                (vec![t.clone()], t)
            }
            Avg | StddevSamp | StddevPop | VarSamp | VarPop | Median | Percentile | Skewness
            | Kurtosis => (vec![number(0)?], Float64),
            PercentileApprox => {
                number(0)?;
                // Spark returns the column's own type: an int column's percentile is an int.
                let returns = if args[0] == Null {
                    Float64
                } else {
                    args[0].clone()
                };
                (vec![Float64], returns)
            }
            Corr | CovarPop | CovarSamp => (vec![number(0)?, number(1)?], Float64),
            CollectList | CollectSet => {
                let element = if args[0] == Null {
                    Null
                } else {
                    args[0].clone()
                };
                (
                    vec![args[0].clone()],
                    List(std::sync::Arc::new(Field::new("element", element, true))),
                )
            }
            CountIf => (vec![boolean(0)?], Int64),
            BoolAnd | BoolOr => (vec![boolean(0)?], Boolean),
            // Intervals order too (Spark's `MaxBy` takes any orderable type).
            MaxBy | MinBy if crate::frame::interval_type::is_interval(&args[1]) => {
                (args.to_vec(), args[0].clone())
            }
            MaxBy | MinBy => (vec![args[0].clone(), orderable(1)?], args[0].clone()),
            // Folded in 64 bits, returned in the column's type (a NULL literal is an int).
            BitAnd | BitOr | BitXor => match &args[0] {
                Null => (vec![Int64], Int32),
                t if matches!(t, Int8 | Int16 | Int32 | Int64) => (vec![Int64], t.clone()),
                t => return Err(type_error(name, 0, "an integral number", t)),
            },
            PercentileCont | PercentileDisc => (vec![number(0)?], Float64),
            // Spark joins any value as its string; binary values (which Spark joins as
            // binary) are not read here.
            VectorSum | VectorAvg => {
                if !super::vectors::is_float_vector(&args[0]) {
                    return Err(type_error(name, 0, "an array<float>", &args[0]));
                }
                (vec![args[0].clone()], args[0].clone())
            }
            BitmapConstructAgg => (
                vec![super::bitmaps::bigint_position(args, 0, name)?],
                Binary,
            ),
            // Spark casts nothing to binary here (not even a string).
            BitmapOrAgg | BitmapAndAgg => match &args[0] {
                Binary => (vec![Binary], Binary),
                other => return Err(type_error(name, 0, "binary", other)),
            },
            ListAgg => match &args[0] {
                Binary | LargeBinary | BinaryView => {
                    return Err(Error::unsupported(format!("{name} of binary values")))
                }
                _ => (vec![Utf8, args[1].clone()], Utf8),
            },
        };
        if let Some(t) = cast.iter().find(|t| !supported_value(t)) {
            return Err(Error::unsupported(format!(
                "{name} of {} values",
                spark_type_name(t)
            )));
        }
        Ok(AggregateSignature {
            args: cast,
            returns,
        })
    }
}

/// Whether aggregate states can hold values of type `t`.
fn supported_value(t: &DataType) -> bool {
    !matches!(
        t,
        DataType::Map(_, _) | DataType::Union(_, _) | DataType::Dictionary(_, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves_to_a_function_shown_by_a_name_that_resolves_to_it() {
        for name in AggregateFunction::names() {
            let func = AggregateFunction::from_name(name).unwrap();
            assert_eq!(
                AggregateFunction::from_name(func.name()),
                Some(func),
                "{name}"
            );
        }
    }

    #[test]
    fn results_have_spark_types() {
        use AggregateFunction::*;
        use DataType::*;
        let returns = |f: AggregateFunction, args: &[DataType]| f.signature(args).unwrap().returns;
        assert_eq!(returns(Sum, &[Int32]), Int64);
        assert_eq!(returns(PercentileApprox, &[Int32]), Int32);
        assert_eq!(returns(CountIf, &[Boolean]), Int64);
        assert_eq!(returns(MaxBy, &[Utf8, Float64]), Utf8);
        assert!(matches!(returns(CollectSet, &[Int64]), List(f) if f.data_type() == &Int64));
        assert!(CountIf.signature(&[Int32]).is_err());
        assert!(Corr.signature(&[Float64, Boolean]).is_err());
    }
}
