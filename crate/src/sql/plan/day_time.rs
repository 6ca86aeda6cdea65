//! The start and end fields of day-time interval columns (Spark's
//! `DayTimeIntervalType(start, end)`), which Arrow's duration type cannot hold: computed
//! beside the expression's type ([`Expr::day_time_fields`]) wherever a plan names a column
//! (projections, group keys, aggregates, windows, set operations), and read back from a
//! column's [`PlanField`]. They change only how the value is named (`typeof`) and
//! printed, never the value.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::interval_type::{is_day_time, DayTimeFields};
use crate::sql::plan::expr::{AggregateCall, Expr, WindowCall};
use crate::sql::plan::functions::AggregateFunction;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// An aggregate's fields over its input `scope`: `avg` gives `day to second` (Spark's
/// `Average` of an interval), `sum`, `min`, `max`, `first`, ... their argument's.
pub fn aggregate_fields(call: &AggregateCall, scope: &PlanSchema) -> Option<DayTimeFields> {
    if !is_day_time(&call.return_type) {
        return None;
    }
    Some(match call.func {
        AggregateFunction::Avg => DayTimeFields::default(),
        _ => Expr::widest_day_time(call.data_args(), scope),
    })
}

/// A window function's fields over its input `scope` (its arguments').
pub fn window_fields(call: &WindowCall, scope: &PlanSchema) -> Option<DayTimeFields> {
    if !is_day_time(&call.return_type) {
        return None;
    }
    Some(Expr::widest_day_time(&call.args, scope))
}

/// A column named `name` holding `e` over `scope`, its interval fields included.
pub fn field_of(name: impl Into<String>, e: &Expr, scope: &PlanSchema) -> PlanField {
    PlanField::new(None, name, e.data_type(scope)).with_day_time(e.day_time_fields(scope))
}

/// The type a day-time interval's fields are named by (`typeof`): `interval day`, ...
pub fn type_name(e: &Expr, scope: &PlanSchema) -> Option<String> {
    e.day_time_fields(scope).map(DayTimeFields::spark_name)
}

/// Whether `t` holds a day-time interval inside an array, struct or map.
fn nests_day_time(t: &DataType) -> bool {
    match t {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            let inner = item.data_type();
            is_day_time(inner) || nests_day_time(inner)
        }
        DataType::Struct(fields) => fields
            .iter()
            .any(|f| is_day_time(f.data_type()) || nests_day_time(f.data_type())),
        DataType::Map(entries, _) => {
            is_day_time(entries.data_type()) || nests_day_time(entries.data_type())
        }
        _ => false,
    }
}

/// Refuses an array, struct or map made of day-time intervals of other fields than
/// Spark's default `day to second`: a nested type has no metadata to keep them in, so its
/// name (`array<interval day>`) and text (`INTERVAL '3' DAY`) would come out wrong.
pub fn check_nested(args: &[Expr], returns: &DataType, scope: &PlanSchema) -> Result<()> {
    if !nests_day_time(returns) {
        return Ok(());
    }
    match args
        .iter()
        .filter_map(|a| a.day_time_fields(scope))
        .find(|f| *f != DayTimeFields::default())
    {
        Some(fields) => Err(Error::unsupported(format!(
            "an {} inside an array, struct or map (only an interval day to second keeps its \
             type there); cast it first: CAST(x AS INTERVAL DAY TO SECOND), or to a string",
            fields.spark_name()
        ))),
        None => Ok(()),
    }
}
