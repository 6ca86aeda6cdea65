//! Spark's time windows (`window(ts, duration[, slide[, start]])`) as the planner expands
//! them (`plan::time_window`): the window a timestamp falls in, every sliding window it
//! falls in, and `window_time` (a window's last microsecond).
//!
//! The arithmetic is Spark's `TimeWindowing` rule on microseconds:
//! `lastStart = t - ((t - start) mod slide)` (the remainder taken non-negative), then the
//! i-th window starts at `lastStart - i * slide` and ends `duration` later. Spark does this
//! on `Long`s that wrap; so does this (a timestamp that far out is no date anyway).

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StructBuilder, TimestampMicrosecondBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{new_empty_array, Array, ArrayRef, StructArray, TimestampMicrosecondArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Fields};

use super::columns::{longs, timestamps};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::functions::DateTimeFunction;

/// A window's length, slide and start offset in microseconds (checked by the planner:
/// `0 < slide <= length`, `|start| < slide`).
#[derive(Debug, Clone, Copy)]
struct Windows {
    length: i64,
    slide: i64,
    start: i64,
}

impl Windows {
    /// The durations from the call's constant arguments 1..=3.
    fn of(args: &[ArrayRef]) -> Result<Windows> {
        let value = |i: usize| -> Result<i64> {
            let column = longs(&args[i])?;
            if column.is_empty() || column.is_null(0) {
                return Err(internal("a time window without its durations"));
            }
            Ok(column.value(0))
        };
        let windows = Windows {
            length: value(1)?,
            slide: value(2)?,
            start: value(3)?,
        };
        if windows.slide <= 0 || windows.length < windows.slide {
            return Err(internal("a time window with a slide out of range"));
        }
        Ok(windows)
    }

    /// How many windows hold each timestamp: `ceil(length / slide)`.
    fn count(self) -> i64 {
        self.length / self.slide + i64::from(self.length % self.slide != 0)
    }

    /// The start of the latest window holding `t`.
    fn last_start(self, t: i64) -> i64 {
        let remainder = t.wrapping_sub(self.start) % self.slide;
        let remainder = if remainder < 0 {
            remainder + self.slide
        } else {
            remainder
        };
        t.wrapping_sub(remainder)
    }
}

fn internal(message: &str) -> Error {
    Error::new(ErrorCode::Internal, message.to_string())
}

/// The `start` / `end` fields of a window struct type.
fn window_fields(t: &DataType) -> Result<&Fields> {
    match t {
        DataType::Struct(fields) if fields.len() == 2 => Ok(fields),
        _ => Err(internal(
            "a time window whose type is not struct<start, end>",
        )),
    }
}

/// Whether `func` is one of the time-window functions computed here.
pub fn handles(func: DateTimeFunction) -> bool {
    matches!(
        func,
        DateTimeFunction::TimeWindow | DateTimeFunction::TimeWindows | DateTimeFunction::WindowTime
    )
}

pub fn compute(
    func: DateTimeFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    if len == 0 {
        return Ok(new_empty_array(return_type));
    }
    match func {
        DateTimeFunction::TimeWindow => tumbling(args, return_type, len),
        DateTimeFunction::TimeWindows => sliding(args, return_type, len),
        DateTimeFunction::WindowTime => window_time(&args[0], return_type),
        other => Err(internal(&format!(
            "{} reached the time-window kernels",
            other.name()
        ))),
    }
}

/// The one (latest) window each timestamp falls in; NULL for a NULL time.
fn tumbling(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let fields = window_fields(return_type)?;
    let windows = Windows::of(args)?;
    let time = timestamps(&args[0])?;
    let mut starts = Vec::with_capacity(len);
    let mut ends = Vec::with_capacity(len);
    for i in 0..len {
        if time.is_null(i) {
            starts.push(0);
            ends.push(0);
            continue;
        }
        let start = windows.last_start(time.value(i));
        starts.push(start);
        ends.push(start.wrapping_add(windows.length));
    }
    let column = |values: Vec<i64>, t: &DataType| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(values).with_data_type(t.clone()))
    };
    let children = vec![
        column(starts, fields[0].data_type()),
        column(ends, fields[1].data_type()),
    ];
    let nulls = time.nulls().cloned();
    let built = StructArray::try_new_with_length(fields.clone(), children, nulls, len)
        .map_err(kernel_error)?;
    Ok(Arc::new(built))
}

/// Every window each timestamp may fall in, latest first (Spark's `Expand` order); NULL
/// for a NULL time. With a slide that does not divide the length, the earliest may not
/// hold the time: the planner filters those out, as Spark does.
fn sliding(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let DataType::List(item) = return_type else {
        return Err(internal("sliding time windows whose type is not a list"));
    };
    let fields = window_fields(item.data_type())?;
    let windows = Windows::of(args)?;
    let time = timestamps(&args[0])?;
    let count = windows.count();
    let ts_type = |i: usize| fields[i].data_type().clone();
    let children = vec![
        Box::new(TimestampMicrosecondBuilder::new().with_data_type(ts_type(0)))
            as Box<dyn arrow_array::builder::ArrayBuilder>,
        Box::new(TimestampMicrosecondBuilder::new().with_data_type(ts_type(1))),
    ];
    let mut builder =
        ListBuilder::new(StructBuilder::new(fields.clone(), children)).with_field(item.clone());
    for i in 0..len {
        if time.is_null(i) {
            builder.append(false);
            continue;
        }
        let last = windows.last_start(time.value(i));
        let structs = builder.values();
        for k in 0..count {
            let start = last.wrapping_sub(k.wrapping_mul(windows.slide));
            let end = start.wrapping_add(windows.length);
            for (field, value) in [(0, start), (1, end)] {
                structs
                    .field_builder::<TimestampMicrosecondBuilder>(field)
                    .ok_or_else(|| internal("a time window's field builder"))?
                    .append_value(value);
            }
            structs.append(true);
        }
        builder.append(true);
    }
    Ok(Arc::new(builder.finish()))
}

/// `window_time(window)`: the window's end minus one microsecond, NULL for a NULL window.
fn window_time(window: &ArrayRef, return_type: &DataType) -> Result<ArrayRef> {
    let structs = window
        .as_struct_opt()
        .ok_or_else(|| internal("window_time of a value that is not a struct"))?;
    let end = timestamps(structs.column(1))?;
    let nulls = NullBuffer::union(structs.nulls(), end.nulls());
    let values: TimestampMicrosecondArray = end
        .values()
        .iter()
        .map(|v| v.wrapping_sub(1))
        .collect::<Vec<i64>>()
        .into();
    Ok(Arc::new(
        TimestampMicrosecondArray::new(values.values().clone(), nulls)
            .with_data_type(return_type.clone()),
    ))
}
