//! Where each row's window frame starts and ends, as positions in window order.
//!
//! Every frame Spark allows has a start and an end that never move backwards as the
//! current row moves forward (within a partition, and from one partition to the next), so
//! the functions over frames can slide: add the rows entering at the end, drop the rows
//! leaving at the start. Empty frames are `lo == hi`.

use std::cmp::Ordering;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::{FrameBound, FrameOffset, FrameUnits, SortKey, WindowFrame};

use super::{partitions_of, WindowOrder};

/// For each position in window order, its frame `[lo, hi)` in window-order positions.
pub struct Bounds {
    pub lo: Vec<usize>,
    pub hi: Vec<usize>,
}

pub fn frame_bounds(w: &WindowOrder, frame: &WindowFrame, keys: &[SortKey]) -> Result<Bounds> {
    let n = w.order.len();
    let mut b = Bounds {
        lo: vec![0; n],
        hi: vec![0; n],
    };
    let has_offset =
        |bound: &FrameBound| matches!(bound, FrameBound::Preceding(_) | FrameBound::Following(_));
    let partitions = partitions_of(&w.partition_start);
    match frame.units {
        FrameUnits::Rows => {
            for range in partitions {
                rows_bounds(range, frame, &mut b);
            }
        }
        FrameUnits::Range if has_offset(&frame.start) || has_offset(&frame.end) => {
            let (key, sort) = match (w.order_keys.as_slice(), keys) {
                ([key], [sort]) => (key, sort),
                _ => {
                    return Err(Error::analysis(
                        "a RANGE frame with offsets needs exactly one ORDER BY key",
                    ))
                }
            };
            range_offset_bounds(w, key, sort, frame, &partitions, &mut b)?;
        }
        FrameUnits::Range => {
            for range in partitions {
                peer_bounds(w, range, frame, &mut b);
            }
        }
    }
    // An empty frame keeps `hi` at `lo`, so both still only move forwards.
    for (lo, hi) in b.lo.iter().zip(b.hi.iter_mut()) {
        *hi = (*hi).max(*lo);
    }
    Ok(b)
}

fn rows_bounds(range: Range<usize>, frame: &WindowFrame, b: &mut Bounds) {
    let (start, end) = (range.start as i64, range.end as i64);
    let offset = |o: &FrameOffset| match o {
        FrameOffset::Int(v) | FrameOffset::Micros(v) => *v,
        FrameOffset::Float(v) => *v as i64,
    };
    // The bound's row relative to the current one; `None` is unbounded.
    let at = |bound: &FrameBound, p: i64| -> Option<i64> {
        match bound {
            FrameBound::UnboundedPreceding | FrameBound::UnboundedFollowing => None,
            FrameBound::Preceding(o) => Some(p.saturating_sub(offset(o))),
            FrameBound::CurrentRow => Some(p),
            FrameBound::Following(o) => Some(p.saturating_add(offset(o))),
        }
    };
    for p in range {
        let lo = at(&frame.start, p as i64)
            .unwrap_or(start)
            .clamp(start, end);
        let hi = at(&frame.end, p as i64)
            .map_or(end, |e| e.saturating_add(1))
            .clamp(start, end);
        b.lo[p] = lo as usize;
        b.hi[p] = hi as usize;
    }
}

/// `RANGE` frames bounded only by `UNBOUNDED` and `CURRENT ROW`: the current row's
/// peers (rows equal on every order key) are in its frame.
fn peer_bounds(w: &WindowOrder, range: Range<usize>, frame: &WindowFrame, b: &mut Bounds) {
    let mut p = range.start;
    while p < range.end {
        let mut peers_end = p + 1;
        while peers_end < range.end && !w.peer_start[peers_end] {
            peers_end += 1;
        }
        let lo = match frame.start {
            FrameBound::UnboundedPreceding => range.start,
            _ => p,
        };
        let hi = match frame.end {
            FrameBound::UnboundedFollowing => range.end,
            _ => peers_end,
        };
        for q in p..peers_end {
            b.lo[q] = lo;
            b.hi[q] = hi;
        }
        p = peers_end;
    }
}

/// The order key in window order, as numbers the offsets can be added to.
enum RangeKeys {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

fn range_offset_bounds(
    w: &WindowOrder,
    key: &ArrayRef,
    sort: &SortKey,
    frame: &WindowFrame,
    partitions: &[Range<usize>],
    b: &mut Bounds,
) -> Result<()> {
    let float_offset = [&frame.start, &frame.end].iter().any(|bound| {
        matches!(
            bound,
            FrameBound::Preceding(FrameOffset::Float(_))
                | FrameBound::Following(FrameOffset::Float(_))
        )
    });
    let in_order = |values: Vec<Option<i64>>| -> Vec<Option<i64>> {
        w.order.iter().map(|&r| values[r as usize]).collect()
    };
    let keys = match key.data_type() {
        DataType::Date32 => {
            let days = key.as_primitive::<arrow_array::types::Date32Type>();
            RangeKeys::Int(in_order(days.iter().map(|d| d.map(i64::from)).collect()))
        }
        DataType::Timestamp(_, _) => {
            let micros = arrow_cast::cast(key, &DataType::Int64).map_err(kernel_error)?;
            RangeKeys::Int(in_order(
                micros.as_primitive::<Int64Type>().iter().collect(),
            ))
        }
        // Intervals: microseconds or months, each key plus its offsets checked against
        // the family's range, as Spark raises INTERVAL_ARITHMETIC_OVERFLOW there.
        DataType::Duration(_) => {
            let micros = key.as_primitive::<arrow_array::types::DurationMicrosecondType>();
            let keys: Vec<Option<i64>> = micros.iter().collect();
            check_interval_bounds(&keys, frame, sort.ascending, i64::MIN, i64::MAX)?;
            RangeKeys::Int(in_order(keys))
        }
        DataType::Interval(_) => {
            let months = key.as_primitive::<arrow_array::types::IntervalYearMonthType>();
            let keys: Vec<Option<i64>> = months.iter().map(|m| m.map(i64::from)).collect();
            let (lo, hi) = (i64::from(i32::MIN), i64::from(i32::MAX));
            check_interval_bounds(&keys, frame, sort.ascending, lo, hi)?;
            RangeKeys::Int(in_order(keys))
        }
        t if t.is_integer() && !float_offset => {
            let ints = arrow_cast::cast(key, &DataType::Int64).map_err(kernel_error)?;
            RangeKeys::Int(in_order(ints.as_primitive::<Int64Type>().iter().collect()))
        }
        t if t.is_numeric() => {
            let floats = arrow_cast::cast(key, &DataType::Float64).map_err(kernel_error)?;
            let floats = floats.as_primitive::<Float64Type>();
            RangeKeys::Float(
                w.order
                    .iter()
                    .map(|&r| {
                        floats
                            .is_valid(r as usize)
                            .then(|| floats.value(r as usize))
                    })
                    .collect(),
            )
        }
        other => {
            return Err(Error::analysis(format!(
                "a RANGE frame with offsets cannot order by {}",
                crate::frame::spark_type_name(other)
            )))
        }
    };
    let ascending = sort.ascending;
    for range in partitions {
        match &keys {
            RangeKeys::Int(k) => slide_range(
                &k[range.clone()],
                range.start,
                frame,
                ascending,
                sort.nulls_first,
                |v, o| {
                    let delta = match o {
                        FrameOffset::Int(d) | FrameOffset::Micros(d) => d,
                        FrameOffset::Float(d) => d as i64,
                    };
                    v.saturating_add(delta)
                },
                |a, b| a.cmp(b),
                b,
            ),
            RangeKeys::Float(k) => slide_range(
                &k[range.clone()],
                range.start,
                frame,
                ascending,
                sort.nulls_first,
                |v, o| {
                    let delta = match o {
                        FrameOffset::Int(d) | FrameOffset::Micros(d) => d as f64,
                        FrameOffset::Float(d) => d,
                    };
                    v + delta
                },
                |a, b| a.total_cmp(b),
                b,
            ),
        }
    }
    Ok(())
}

/// Spark computes each row's bound as `key ± offset` in the key's interval type: an
/// error when that leaves `lo..=hi` for some row (the smallest and largest keys are the
/// ones to check, the shift being the same for every row).
fn check_interval_bounds(
    keys: &[Option<i64>],
    frame: &WindowFrame,
    ascending: bool,
    lo: i64,
    hi: i64,
) -> Result<()> {
    let (Some(min), Some(max)) = (keys.iter().flatten().min(), keys.iter().flatten().max()) else {
        return Ok(());
    };
    for bound in [&frame.start, &frame.end] {
        let (offset, forward) = match bound {
            FrameBound::Preceding(FrameOffset::Int(d) | FrameOffset::Micros(d)) => (*d, false),
            FrameBound::Following(FrameOffset::Int(d) | FrameOffset::Micros(d)) => (*d, true),
            _ => continue,
        };
        let delta = if forward == ascending {
            i128::from(offset)
        } else {
            -i128::from(offset)
        };
        let fits = |v: i64| (i128::from(lo)..=i128::from(hi)).contains(&(i128::from(v) + delta));
        if !(fits(*min) && fits(*max)) {
            return Err(Error::new(
                crate::error::ErrorCode::SqlExecution,
                "integer overflow while operating with intervals: a RANGE frame's bound (the \
                 ORDER BY key plus the offset) is out of the range of its interval type \
                 (Spark's INTERVAL_ARITHMETIC_OVERFLOW)",
            ));
        }
    }
    Ok(())
}

/// Frames of one partition ordered by one key with value offsets. A row's frame starts
/// at the first row whose key is at or after `key ∓ offset` in sort order and ends after
/// the last row at or before `key ± offset`. Rows with a NULL key have the NULL rows as
/// peers (Spark's rule); an unbounded side reaches the partition's end whatever the keys.
#[allow(clippy::too_many_arguments)]
fn slide_range<T: Copy>(
    keys: &[Option<T>],
    base: usize,
    frame: &WindowFrame,
    ascending: bool,
    nulls_first: bool,
    shift: impl Fn(T, FrameOffset) -> T,
    cmp: impl Fn(&T, &T) -> Ordering,
    b: &mut Bounds,
) {
    let len = keys.len();
    let nulls = keys.iter().filter(|k| k.is_none()).count();
    let (null_range, value_range) = if nulls_first {
        (0..nulls, nulls..len)
    } else {
        (len - nulls..len, 0..len - nulls)
    };
    let values: Vec<T> = keys[value_range.clone()]
        .iter()
        .flatten()
        .copied()
        .collect();
    // In sort order: `before(a, b)` when a sorts strictly before b.
    let before = |a: &T, b: &T| {
        let o = cmp(a, b);
        if ascending {
            o == Ordering::Less
        } else {
            o == Ordering::Greater
        }
    };
    // The key a bound stands for, moved in sort order: PRECEDING goes against it.
    let target = |v: T, bound: &FrameBound| -> Option<T> {
        let negate = |o: FrameOffset| match o {
            FrameOffset::Int(d) => FrameOffset::Int(d.saturating_neg()),
            FrameOffset::Micros(d) => FrameOffset::Micros(d.saturating_neg()),
            FrameOffset::Float(d) => FrameOffset::Float(-d),
        };
        let toward = |o: FrameOffset, forward: bool| {
            if forward == ascending {
                shift(v, o)
            } else {
                shift(v, negate(o))
            }
        };
        match *bound {
            FrameBound::Preceding(o) => Some(toward(o, false)),
            FrameBound::Following(o) => Some(toward(o, true)),
            FrameBound::CurrentRow => Some(v),
            FrameBound::UnboundedPreceding | FrameBound::UnboundedFollowing => None,
        }
    };
    for (i, key) in keys.iter().enumerate() {
        let (lo, hi) = match key {
            None => (
                match frame.start {
                    FrameBound::UnboundedPreceding => 0,
                    _ => null_range.start,
                },
                match frame.end {
                    FrameBound::UnboundedFollowing => len,
                    _ => null_range.end,
                },
            ),
            Some(v) => {
                let lo = match target(*v, &frame.start) {
                    None => 0,
                    Some(t) => value_range.start + values.partition_point(|k| before(k, &t)),
                };
                let hi = match target(*v, &frame.end) {
                    None => len,
                    Some(t) => value_range.start + values.partition_point(|k| !before(&t, k)),
                };
                (lo, hi)
            }
        };
        b.lo[base + i] = base + lo;
        b.hi[base + i] = base + hi;
    }
}
