//! `session_window(ts, gap)` in a query that groups by it: each row's session, as Spark's
//! session merging finds it. Within a window partition (the query's other grouping keys),
//! rows in time order open a session `[ts, ts + gap]`; a row whose time is at or before
//! the open session's end joins it (the end becomes the later of the two ends), any other
//! row closes it and opens the next. Every row gets its session's `struct<start, end>`:
//! the first time and the last end.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, StructArray, TimestampMicrosecondArray};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::sql::exec::value::kernel_error;

/// The sessions of `time` (gaps in `gap`, microseconds), over `partitions` of positions in
/// `order` (the rows in window order: by partition, then by time).
pub(super) fn sessions(
    time: &ArrayRef,
    gap: &ArrayRef,
    order: &[u32],
    partitions: &[Range<usize>],
    return_type: &DataType,
) -> Result<ArrayRef> {
    let DataType::Struct(fields) = return_type else {
        return Err(Error::internal(
            "session_window",
            "a type that is not a struct",
        ));
    };
    let times = time
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(|| Error::internal("session_window", "a time that is not a timestamp"))?;
    let gaps = gap
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| Error::internal("session_window", "a gap that is not microseconds"))?;
    let n = times.len();
    let (mut starts, mut ends) = (vec![0i64; n], vec![0i64; n]);
    let mut assign = |positions: Range<usize>, start: i64, end: i64| {
        for &row in &order[positions] {
            starts[row as usize] = start;
            ends[row as usize] = end;
        }
    };
    for range in partitions {
        // The open session: its first position, start and end.
        let mut open: Option<(usize, i64, i64)> = None;
        for pos in range.clone() {
            let row = order[pos] as usize;
            if times.is_null(row) || gaps.is_null(row) {
                continue;
            }
            let t = times.value(row);
            let end = t.saturating_add(gaps.value(row));
            open = match open {
                Some((first, start, open_end)) if t <= open_end => {
                    Some((first, start, open_end.max(end)))
                }
                Some((first, start, open_end)) => {
                    assign(first..pos, start, open_end);
                    Some((pos, t, end))
                }
                None => Some((pos, t, end)),
            };
        }
        if let Some((first, start, end)) = open {
            assign(first..range.end, start, end);
        }
    }
    let column = |values: Vec<i64>, t: &DataType| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(values).with_data_type(t.clone()))
    };
    let children = vec![
        column(starts, fields[0].data_type()),
        column(ends, fields[1].data_type()),
    ];
    let nulls = NullBuffer::union(times.nulls(), gaps.nulls());
    let built = StructArray::try_new_with_length(fields.clone(), children, nulls, n)
        .map_err(kernel_error)?;
    Ok(Arc::new(built))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;

    /// Spark 4.3's sessions of 00:05, 00:35 (at the first's end: merged) and 01:10 with a
    /// 30-minute gap, and a second partition of one row.
    #[test]
    fn merges_rows_within_the_gap() {
        let minute = 60_000_000i64;
        let time: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
            5 * minute,
            35 * minute,
            70 * minute,
            20 * minute,
        ]));
        let gap: ArrayRef = Arc::new(Int64Array::from(vec![30 * minute; 4]));
        let window = crate::sql::plan::functions::window_type(time.data_type());
        let out = sessions(&time, &gap, &[0, 1, 2, 3], &[0..3, 3..4], &window).unwrap();
        let s = out.as_struct();
        let starts = s.column(0).as_primitive::<TimestampMicrosecondType>();
        let ends = s.column(1).as_primitive::<TimestampMicrosecondType>();
        let got: Vec<(i64, i64)> = (0..4)
            .map(|i| (starts.value(i) / minute, ends.value(i) / minute))
            .collect();
        assert_eq!(got, [(5, 65), (5, 65), (70, 100), (20, 50)]);
    }
}
