//! `sequence` of dates and timestamps, as Spark 4 computes it: a step of whole days on
//! dates (or of microseconds on timestamps) counts like an integer sequence; any other
//! step adds `i` times the step's months, days and microseconds to the start (so
//! `2024-01-31 + 1 month` is `2024-02-29`, then `2024-03-31`) until it passes the stop.
//! A step that goes away from the stop, or 0, is an error unless start = stop; a step
//! shorter than a day on dates is an error. Time zone: the session's, UTC.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array, ListArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::DataType;

use super::datetime::add_months;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::{kernel_error, spark_cast};

const DAY: i64 = 86_400_000_000;
/// The most elements one sequence may have.
const MAX_LENGTH: i64 = 10_000_000;

/// `args`: start, stop (dates or timestamps), then optionally the step's months, days
/// and microseconds.
pub fn sequence(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let DataType::List(field) = return_type else {
        return Err(Error::new(
            ErrorCode::Internal,
            "sequence returning a non-array",
        ));
    };
    let dates = field.data_type() == &DataType::Date32;
    let longs = |a: &ArrayRef| -> Result<Int64Array> {
        Ok(spark_cast(a, &DataType::Int64)?
            .as_primitive::<Int64Type>()
            .clone())
    };
    let (start, stop) = (longs(&args[0])?, longs(&args[1])?);
    let step = args[2..].iter().map(longs).collect::<Result<Vec<_>>>()?;
    let mut values: Vec<i64> = Vec::new();
    let mut offsets = Vec::with_capacity(len + 1);
    offsets.push(0i32);
    let mut valid = Vec::with_capacity(len);
    for i in 0..len {
        let ok = start.is_valid(i) && stop.is_valid(i) && step.iter().all(|s| s.is_valid(i));
        if ok {
            let (from, to) = (start.value(i), stop.value(i));
            let (months, days, micros) = match step.as_slice() {
                [m, d, u] => (m.value(i), d.value(i), u.value(i)),
                _ => (0, if from <= to { 1 } else { -1 }, 0),
            };
            one(dates, from, to, (months, days, micros), &mut values)?;
        }
        valid.push(ok);
        offsets.push(i32::try_from(values.len()).map_err(|_| too_long(values.len() as i64))?);
    }
    let values: ArrayRef = Arc::new(Int64Array::from(values));
    let values = spark_cast(&values, field.data_type())?;
    let nulls = crate::sql::exec::value::validity(valid);
    let list = ListArray::try_new(
        Arc::clone(field),
        OffsetBuffer::new(offsets.into()),
        values,
        nulls,
    )
    .map_err(kernel_error)?;
    Ok(Arc::new(list))
}

/// One row's sequence appended to `out` (days for dates, microseconds for timestamps).
fn one(
    dates: bool,
    from: i64,
    to: i64,
    (months, days, micros): (i64, i64, i64),
    out: &mut Vec<i64>,
) -> Result<()> {
    if dates && months == 0 && days == 0 {
        return Err(Error::new(
            ErrorCode::SqlExecution,
            "sequence step must be a whole number of days, months or years (not 0, not less \
             than a day) if start and end values are dates",
        ));
    }
    if months == 0 && (dates && micros == 0 || !dates && days == 0) {
        let step = if dates { days } else { micros };
        let count = length(from, to, step, step)?;
        out.extend((0..count).map(|k| from + k * step));
        return Ok(());
    }
    let scale = if dates { DAY } else { 1 };
    let (from_us, to_us) = (from.saturating_mul(scale), to.saturating_mul(scale));
    // Spark's estimate of the step's length, to check its direction: 28-day months.
    let estimate = micros
        .saturating_add(months.saturating_mul(28 * DAY))
        .saturating_add(days.saturating_mul(DAY));
    length(from_us, to_us, estimate, estimate)?;
    let past = |t: i64| if estimate > 0 { t > to_us } else { t < to_us };
    let mut t = from_us;
    let mut k = 0i64;
    while !past(t) {
        out.push(if dates { t.div_euclid(DAY) } else { t });
        k += 1;
        if k > MAX_LENGTH {
            return Err(too_long(k));
        }
        t = add_interval(from_us, k * months, k * days, k * micros)?;
    }
    Ok(())
}

/// The length of an integer sequence, with Spark's check of its direction.
fn length(from: i64, to: i64, step: i64, shown: i64) -> Result<i64> {
    let towards = (step > 0 && from <= to) || (step < 0 && from >= to) || (step == 0 && from == to);
    if !towards {
        return Err(Error::new(
            ErrorCode::SqlExecution,
            format!(
                "Illegal sequence boundaries: {from} to {to} by {shown} (the step must go from \
                 start towards stop, and not be 0)"
            ),
        ));
    }
    let count = if from == to {
        1
    } else {
        1 + (to as i128 - from as i128) / step as i128
    };
    if count > MAX_LENGTH as i128 {
        return Err(too_long(count as i64));
    }
    Ok(count as i64)
}

/// `t + months + days + micros`, months first (the day of month kept, or the month's
/// last day), as Spark adds an interval in the session's time zone (UTC).
fn add_interval(t: i64, months: i64, days: i64, micros: i64) -> Result<i64> {
    let (day, time) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let shifted = i32::try_from(months)
        .ok()
        .and_then(|m| add_months(day, m))
        .ok_or_else(|| Error::new(ErrorCode::SqlExecution, "sequence: a date out of range"))?;
    Ok((shifted as i64 + days) * DAY + time + micros)
}

fn too_long(count: i64) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("sequence would have {count} elements or more; the limit is {MAX_LENGTH}"),
    )
}
