//! The start and end fields of interval columns (Spark's `DayTimeIntervalType(start,
//! end)` and `YearMonthIntervalType(start, end)`), which Arrow's types cannot hold: computed
//! beside the expression's type ([`Expr::interval_fields`]) wherever a plan names a column
//! (projections, group keys, aggregates, windows, set operations), and read back from a
//! column's [`PlanField`]. They change only how the value is named (`typeof`) and
//! printed, never the value.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::interval_type::{is_interval, IntervalFields};
use crate::sql::plan::expr::{AggregateCall, Expr, WindowCall};
use crate::sql::plan::functions::AggregateFunction;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// An aggregate's fields over its input `scope`: `avg` gives `day to second` (Spark's
/// `Average` of an interval), `sum`, `min`, `max`, `first`, ... their argument's.
pub fn aggregate_fields(call: &AggregateCall, scope: &PlanSchema) -> Option<IntervalFields> {
    let default = IntervalFields::default_of(&call.return_type)?;
    Some(match call.func {
        AggregateFunction::Avg => default,
        _ => widest(call.valued_args(), default, scope),
    })
}

/// A window function's fields over its input `scope` (its arguments').
pub fn window_fields(call: &WindowCall, scope: &PlanSchema) -> Option<IntervalFields> {
    let default = IntervalFields::default_of(&call.return_type)?;
    Some(widest(call.valued_args(), default, scope))
}

/// The widest fields of the intervals of `default`'s family among `exprs`.
fn widest(exprs: &[Expr], default: IntervalFields, scope: &PlanSchema) -> IntervalFields {
    exprs
        .iter()
        .filter_map(|e| e.interval_fields(scope))
        .filter(|f| f.is_year_month() == default.is_year_month())
        .reduce(IntervalFields::widen)
        .unwrap_or(default)
}

/// A column named `name` holding `e` over `scope`, its interval fields included.
pub fn field_of(name: impl Into<String>, e: &Expr, scope: &PlanSchema) -> PlanField {
    PlanField::new(None, name, e.data_type(scope)).with_interval(e.interval_fields(scope))
}

/// The type an interval's fields name (`typeof`): `interval day`, `interval year`, ...
pub fn type_name(e: &Expr, scope: &PlanSchema) -> Option<String> {
    e.interval_fields(scope).map(IntervalFields::spark_name)
}

/// Whether `t` holds an interval inside an array, struct or map.
fn nests_interval(t: &DataType) -> bool {
    match t {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            let inner = item.data_type();
            is_interval(inner) || nests_interval(inner)
        }
        DataType::Struct(fields) => fields
            .iter()
            .any(|f| is_interval(f.data_type()) || nests_interval(f.data_type())),
        DataType::Map(entries, _) => {
            is_interval(entries.data_type()) || nests_interval(entries.data_type())
        }
        _ => false,
    }
}

/// Refuses an array, struct or map made of intervals of other fields than their type's
/// default (`day to second`, `year to month`): a nested type has no metadata to keep them
/// in, so its name (`array<interval day>`) and text (`INTERVAL '3' DAY`) would come out
/// wrong.
pub fn check_nested(args: &[Expr], returns: &DataType, scope: &PlanSchema) -> Result<()> {
    if !nests_interval(returns) {
        return Ok(());
    }
    match args
        .iter()
        .filter_map(|a| {
            Some((
                a.interval_fields(scope)?,
                IntervalFields::default_of(&a.data_type(scope))?,
            ))
        })
        .find(|(f, default)| f != default)
        .map(|(f, _)| f)
    {
        Some(fields) => Err(Error::unsupported(format!(
            "an {} inside an array, struct or map (only an interval day to second or year to \
             month keeps its type there); cast it first: CAST(x AS INTERVAL {}), or to a string",
            fields.spark_name(),
            if fields.is_year_month() {
                "YEAR TO MONTH"
            } else {
                "DAY TO SECOND"
            }
        ))),
        None => Ok(()),
    }
}
