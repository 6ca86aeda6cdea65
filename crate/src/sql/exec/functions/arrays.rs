//! Array functions over Arrow list columns, with Spark's semantics.
//!
//! Functions that make a new array from old ones (sorting, removing, slicing, ...) work
//! the same way whatever the element type: they choose, row by row, which elements go
//! into the result (`Picked`: indices into the elements, the row boundaries, which rows
//! are NULL) and then gather them with Arrow's `take` in one call. Elements are ordered
//! and compared with Arrow's comparators (NaN equal to itself and above every number, as
//! in Spark).

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{
    new_null_array, Array, ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, UInt32Array,
};
use arrow_buffer::OffsetBuffer;
use arrow_ord::ord::DynComparator;
use arrow_schema::{DataType, FieldRef, SortOptions};

use super::columns::{as_boolean, as_strings, first_equal, ints, lists};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::{spark_comparator, spark_normalized};
use crate::sql::exec::value::{kernel_error, offset, spark_cast};
use crate::sql::plan::functions::ArrayFunction;

pub fn compute(
    func: ArrayFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use ArrayFunction::*;
    match func {
        Array => build_array(args, return_type, len),
        ArrayRepeat => repeat(&args[0], ints(&args[1])?, return_type),
        Sequence if !matches!(element_field(return_type)?.data_type(), t if t.is_integer()) => {
            super::time_sequence::sequence(args, return_type, len)
        }
        Sequence => sequence(args, return_type, len),
        Size | ArraySize if matches!(args[0].data_type(), DataType::Map(_, _)) => {
            super::maps::sizes(&args[0], (func == Size).then_some(-1))
        }
        ElementAt if matches!(args[0].data_type(), DataType::Map(_, _)) => {
            super::maps::value_at(&args[0], &args[1], return_type)
        }
        Size | ArraySize => {
            let lists = lists(&args[0])?;
            let null_size = (func == Size).then_some(-1);
            let sizes: Int32Array = (0..lists.len())
                .map(|i| {
                    if lists.is_null(i) {
                        null_size
                    } else {
                        Some(lists.value_length(i))
                    }
                })
                .collect();
            Ok(Arc::new(sizes))
        }
        ElementAt => element_at(&lists(&args[0])?, ints(&args[1])?, return_type),
        Get => super::get_item(&lists(&args[0])?, ints(&args[1])?, return_type),
        Shuffle => super::shuffle::shuffle(args, return_type),
        ArrayContains | ArrayPosition => {
            let lists = lists(&args[0])?;
            let offsets = lists.value_offsets();
            let found = first_equal(lists.values(), offsets, lists.nulls(), &args[1])?;
            if func == ArrayContains {
                let out: BooleanArray = found
                    .iter()
                    .enumerate()
                    .map(|(i, at)| match at {
                        None => None,
                        Some(Some(_)) => Some(true),
                        // Not found, but a NULL element might have been equal.
                        Some(None) if has_null_element(&lists, i) => None,
                        Some(None) => Some(false),
                    })
                    .collect();
                Ok(Arc::new(out))
            } else {
                let out: Int64Array = found
                    .iter()
                    .enumerate()
                    .map(|(i, at)| {
                        at.map(|at| at.map_or(0, |e| (e - offsets[i] as u32) as i64 + 1))
                    })
                    .collect();
                Ok(Arc::new(out))
            }
        }
        ArrayMax | ArrayMin => extreme(&lists(&args[0])?, func == ArrayMax, return_type),
        ArrayJoin => join(&lists(&args[0])?, args),
        SortArray | ArraySort => {
            let lists = lists(&args[0])?;
            let ascending = match args.get(1) {
                Some(flag) => Some(as_boolean(flag)?),
                None => None,
            };
            let compare = spark_comparator(lists.values(), lists.values(), SortOptions::default())
                .map_err(kernel_error)?;
            let values = lists.values();
            pick(&lists, |i, elements, out| {
                let asc = match ascending {
                    Some(flags) if flags.is_null(i) => return false,
                    Some(flags) => flags.value(i),
                    None => true,
                };
                // sort_array: NULLs first ascending, last descending; array_sort: last.
                let nulls_first = func == SortArray && asc;
                let mut picked: Vec<u32> = elements.collect();
                picked.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    match (values.is_null(a), values.is_null(b)) {
                        (true, true) => Ordering::Equal,
                        (true, false) if nulls_first => Ordering::Less,
                        (true, false) => Ordering::Greater,
                        (false, true) if nulls_first => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) if asc => compare(a, b),
                        (false, false) => compare(b, a),
                    }
                });
                out.extend(picked);
                true
            })
        }
        ArrayDistinct => {
            // Spark keeps one of `-0.0` and `0.0` (as `0.0`) and one NaN.
            let lists = with_spark_floats(&lists(&args[0])?);
            let values = lists.values();
            let equal = equality(values, values)?;
            // NULL is kept once, like any other value.
            let same = |a: usize, b: usize| equal(a, b) || (values.is_null(a) && values.is_null(b));
            pick(&lists, |_, elements, out| {
                let start = out.len();
                for e in elements {
                    if !out[start..]
                        .iter()
                        .any(|&kept| same(kept as usize, e as usize))
                    {
                        out.push(e);
                    }
                }
                true
            })
        }
        ArrayRemove => {
            let lists = lists(&args[0])?;
            let needle = &args[1];
            let equal = equality(lists.values(), needle)?;
            pick(&lists, |i, elements, out| {
                if needle.is_null(i) {
                    return false;
                }
                out.extend(elements.filter(|&e| !equal(e as usize, i)));
                true
            })
        }
        ArrayCompact => {
            let lists = lists(&args[0])?;
            let values = lists.values();
            pick(&lists, |_, elements, out| {
                out.extend(elements.filter(|&e| values.is_valid(e as usize)));
                true
            })
        }
        ArrayAppend | ArrayPrepend => append(&lists(&args[0])?, &args[1], func == ArrayAppend),
        ArrayInsert => insert(&lists(&args[0])?, &args[1], &args[2]),
        Slice => slice(&lists(&args[0])?, ints(&args[1])?, ints(&args[2])?),
        Flatten => flatten(&lists(&args[0])?, return_type),
        ArrayUnion | ArrayIntersect | ArrayExcept | ArraysOverlap => {
            set_operation(func, &lists(&args[0])?, &lists(&args[1])?)
        }
        ArraysZip => arrays_zip(args, return_type),
    }
}

/// `arrays_zip`: row `i` holds, for `k` up to the longest array's length, a struct of each
/// array's element `k` (NULL past its end); NULL when any array is NULL. Each field is one
/// `take` of its array's elements.
fn arrays_zip(args: &[ArrayRef], return_type: &DataType) -> Result<ArrayRef> {
    let DataType::List(item) = return_type else {
        return Err(Error::internal("arrays_zip", "its type is not an array"));
    };
    let DataType::Struct(fields) = item.data_type() else {
        return Err(Error::internal(
            "arrays_zip",
            "its elements are not structs",
        ));
    };
    let lists = args.iter().map(lists).collect::<Result<Vec<_>>>()?;
    let rows = args.first().map_or(0, |a| a.len());
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(rows);
    let mut picks: Vec<Vec<Option<u32>>> = vec![Vec::new(); lists.len()];
    for i in 0..rows {
        let present = lists.iter().all(|l| l.is_valid(i));
        valid.push(present);
        if present {
            let ranges: Vec<_> = lists.iter().map(|l| elements(l, i)).collect();
            let longest = ranges.iter().map(|r| r.len()).max().unwrap_or(0);
            for (pick, range) in picks.iter_mut().zip(&ranges) {
                pick.extend(
                    (0..longest as u32)
                        .map(|k| (k < range.end - range.start).then_some(range.start + k)),
                );
            }
            let end = offsets.last().copied().unwrap_or(0) as usize + longest;
            offsets.push(i32::try_from(end).map_err(|_| {
                Error::new(
                    ErrorCode::OutOfMemory,
                    "arrays_zip made more elements than an array column holds",
                )
            })?);
        } else {
            offsets.push(offsets.last().copied().unwrap_or(0));
        }
    }
    let children = lists
        .iter()
        .zip(picks)
        .map(|(list, pick)| {
            arrow_select::take::take(list.values(), &UInt32Array::from(pick), None)
                .map_err(kernel_error)
        })
        .collect::<Result<Vec<_>>>()?;
    let structs = arrow_array::StructArray::try_new(fields.clone(), children, None)
        .map_err(|e| Error::internal("arrays_zip", e))?;
    let list = ListArray::try_new(
        Arc::clone(item),
        OffsetBuffer::new(offsets.into()),
        Arc::new(structs),
        Some(valid.into()),
    )
    .map_err(|e| Error::internal("arrays_zip", e))?;
    Ok(Arc::new(list))
}

/// `array_union`, `array_intersect`, `array_except` and `arrays_overlap` of two columns of
/// arrays (NULL when either array is). Both arrays' elements are put in one column, so
/// one comparator serves; NULL elements count as equal to each other, as in Spark.
fn set_operation(func: ArrayFunction, left: &ListArray, right: &ListArray) -> Result<ArrayRef> {
    let base = left.values().len() as u32;
    let values = arrow_select::concat::concat(&[left.values().as_ref(), right.values().as_ref()])
        .map_err(kernel_error)?;
    // As Spark: `-0.0` and `0.0` are one element (`0.0`), and so are all NaNs.
    let values = spark_normalized(&values);
    let equal = equality(&values, &values)?;
    let same = |a: u32, b: u32| {
        let (a, b) = (a as usize, b as usize);
        equal(a, b) || (values.is_null(a) && values.is_null(b))
    };
    let in_list = |e: u32, mut list: std::ops::Range<u32>| list.any(|o| same(e, o));
    let right_of = |i: usize| {
        let r = elements(right, i);
        r.start + base..r.end + base
    };
    if func == ArrayFunction::ArraysOverlap {
        let out: BooleanArray = (0..left.len())
            .map(|i| {
                if left.is_null(i) || right.is_null(i) {
                    return None;
                }
                let shared = elements(left, i)
                    .filter(|&e| values.is_valid(e as usize))
                    .any(|e| in_list(e, right_of(i)));
                let has_null = |mut r: std::ops::Range<u32>| r.any(|e| values.is_null(e as usize));
                let both_filled = !elements(left, i).is_empty() && !right_of(i).is_empty();
                if shared {
                    Some(true)
                } else if both_filled && (has_null(elements(left, i)) || has_null(right_of(i))) {
                    None
                } else {
                    Some(false)
                }
            })
            .collect();
        return Ok(Arc::new(out));
    }
    let mut indices = Vec::new();
    let mut offsets = vec![0];
    let mut valid = Vec::with_capacity(left.len());
    for i in 0..left.len() {
        let keep = left.is_valid(i) && right.is_valid(i);
        if keep {
            let start = indices.len();
            let candidates: Vec<u32> = match func {
                ArrayFunction::ArrayUnion => elements(left, i).chain(right_of(i)).collect(),
                _ => elements(left, i).collect(),
            };
            for e in candidates {
                let wanted = match func {
                    ArrayFunction::ArrayIntersect => in_list(e, right_of(i)),
                    ArrayFunction::ArrayExcept => !in_list(e, right_of(i)),
                    _ => true,
                };
                if wanted && !indices[start..].iter().any(|&kept| same(kept, e)) {
                    indices.push(e);
                }
            }
        }
        valid.push(keep);
        offsets.push(offset(indices.len())?);
    }
    gather(
        &values,
        indices,
        offsets,
        valid,
        element_field(left.data_type())?,
    )
}

fn element_field(list_type: &DataType) -> Result<FieldRef> {
    match list_type {
        DataType::List(field) => Ok(Arc::clone(field)),
        other => Err(Error::new(
            ErrorCode::Internal,
            format!("expected an array type, got {other}"),
        )),
    }
}

/// The elements of row `i` of `lists`, as indices into its values.
fn elements(lists: &ListArray, i: usize) -> std::ops::Range<u32> {
    let offsets = lists.value_offsets();
    offsets[i] as u32..offsets[i + 1] as u32
}

/// Equality of element `a` of `left` and element `b` of `right`, NULL equal to nothing.
fn equality<'a>(
    left: &'a dyn Array,
    right: &'a dyn Array,
) -> Result<impl Fn(usize, usize) -> bool + 'a> {
    let compare: DynComparator =
        spark_comparator(left, right, SortOptions::default()).map_err(kernel_error)?;
    Ok(move |a: usize, b: usize| {
        left.is_valid(a) && right.is_valid(b) && compare(a, b) == Ordering::Equal
    })
}

fn has_null_element(lists: &ListArray, i: usize) -> bool {
    let values = lists.values();
    elements(lists, i).any(|e| values.is_null(e as usize))
}

/// The arrays `choose` makes, row by row: it is given the row, its elements and the
/// output indices to extend, and returns false for a NULL array. A NULL input array is a
/// NULL output without asking.
/// `lists` with their float elements as Spark compares them (see [`spark_normalized`]).
fn with_spark_floats(lists: &ListArray) -> ListArray {
    let values = spark_normalized(lists.values());
    if Arc::ptr_eq(&values, lists.values()) {
        return lists.clone();
    }
    let DataType::List(field) = lists.data_type() else {
        return lists.clone();
    };
    ListArray::new(
        Arc::clone(field),
        lists.offsets().clone(),
        values,
        lists.nulls().cloned(),
    )
}

fn pick(
    lists: &ListArray,
    mut choose: impl FnMut(usize, std::ops::Range<u32>, &mut Vec<u32>) -> bool,
) -> Result<ArrayRef> {
    let mut indices: Vec<u32> = Vec::with_capacity(lists.values().len());
    let mut offsets = Vec::with_capacity(lists.len() + 1);
    let mut valid = Vec::with_capacity(lists.len());
    offsets.push(0i32);
    for i in 0..lists.len() {
        let keep = lists.is_valid(i) && {
            let before = indices.len();
            let ok = choose(i, elements(lists, i), &mut indices);
            if !ok {
                indices.truncate(before);
            }
            ok
        };
        valid.push(keep);
        offsets.push(offset(indices.len())?);
    }
    gather(
        lists.values(),
        indices,
        offsets,
        valid,
        element_field(lists.data_type())?,
    )
}

/// A list array of `values[indices]` cut at `offsets`, NULL where `valid` is false.
fn gather(
    values: &ArrayRef,
    indices: Vec<u32>,
    offsets: Vec<i32>,
    valid: Vec<bool>,
    field: FieldRef,
) -> Result<ArrayRef> {
    let taken = arrow_select::take::take(values.as_ref(), &UInt32Array::from(indices), None)
        .map_err(kernel_error)?;
    let nulls = crate::sql::exec::value::validity(valid);
    let list = ListArray::try_new(field, OffsetBuffer::new(offsets.into()), taken, nulls)
        .map_err(kernel_error)?;
    Ok(Arc::new(list))
}

/// `array(a, b, ...)`: row `i` holds every argument's row `i`.
fn build_array(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let field = element_field(return_type)?;
    if args.is_empty() {
        let values = new_null_array(field.data_type(), 0);
        return gather(&values, vec![], vec![0; len + 1], vec![true; len], field);
    }
    let parts: Vec<&dyn Array> = args.iter().map(|a| a.as_ref()).collect();
    let values = arrow_select::concat::concat(&parts).map_err(kernel_error)?;
    let n = args.len();
    let indices = (0..len)
        .flat_map(|row| (0..n).map(move |arg| (arg * len + row) as u32))
        .collect();
    let offsets = (0..=len)
        .map(|row| offset(row * n))
        .collect::<Result<_>>()?;
    gather(&values, indices, offsets, vec![true; len], field)
}

/// `array_repeat(value, count)`: NULL for a NULL count, empty for a negative one.
fn repeat(value: &ArrayRef, count: &Int32Array, return_type: &DataType) -> Result<ArrayRef> {
    let mut indices = Vec::new();
    let mut offsets = vec![0];
    let mut valid = Vec::with_capacity(count.len());
    for i in 0..count.len() {
        valid.push(count.is_valid(i));
        if count.is_valid(i) {
            let n = i64::from(count.value(i).max(0));
            if n > MAX_MADE_ELEMENTS {
                return Err(too_many_elements("array_repeat", n));
            }
            indices.extend(std::iter::repeat_n(i as u32, n as usize));
        }
        offsets.push(offset(indices.len())?);
    }
    gather(value, indices, offsets, valid, element_field(return_type)?)
}

/// `sequence(start, stop[, step])`: the step defaults to 1 or -1 towards `stop`; a step
/// going away from `stop` is an error, as in Spark.
fn sequence(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let as_longs = |a: &ArrayRef| -> Result<Int64Array> {
        Ok(spark_cast(a, &DataType::Int64)?
            .as_primitive::<arrow_array::types::Int64Type>()
            .clone())
    };
    let start = as_longs(&args[0])?;
    let stop = as_longs(&args[1])?;
    let step = args.get(2).map(as_longs).transpose()?;
    let mut values: Vec<i64> = Vec::new();
    let mut offsets = vec![0];
    let mut valid = Vec::with_capacity(len);
    for i in 0..len {
        let step_i = match &step {
            Some(s) if s.is_null(i) => None,
            Some(s) => Some(s.value(i)),
            None => Some(if start.value(i) <= stop.value(i) {
                1
            } else {
                -1
            }),
        };
        let (Some(step_i), false, false) = (step_i, start.is_null(i), stop.is_null(i)) else {
            valid.push(false);
            offsets.push(offset(values.len())?);
            continue;
        };
        let (from, to) = (start.value(i), stop.value(i));
        let towards =
            (from <= to && step_i > 0) || (from >= to && step_i < 0) || (from == to && step_i != 0);
        if !towards {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!(
                    "sequence({from}, {to}, {step_i}): the step must go from start towards stop \
                     (and not be 0)"
                ),
            ));
        }
        let count = (to as i128 - from as i128) / step_i as i128 + 1;
        if count > 10_000_000 {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!("sequence({from}, {to}, {step_i}) would have {count} elements; the limit is 10,000,000"),
            ));
        }
        values.extend((0..count as i64).map(|k| from + k * step_i));
        valid.push(true);
        offsets.push(offset(values.len())?);
    }
    let field = element_field(return_type)?;
    let values = spark_cast(
        &(Arc::new(Int64Array::from(values)) as ArrayRef),
        field.data_type(),
    )?;
    let indices = (0..values.len() as u32).collect();
    gather(&values, indices, offsets, valid, field)
}

/// `element_at(array, i)`: 1-based, negative counts from the end, NULL beyond either end;
/// 0 is an error, as in Spark.
fn element_at(lists: &ListArray, index: &Int32Array, element: &DataType) -> Result<ArrayRef> {
    let mut indices = Vec::with_capacity(lists.len());
    for i in 0..lists.len() {
        if lists.is_null(i) || index.is_null(i) {
            indices.push(None);
            continue;
        }
        let at = index.value(i) as i64;
        if at == 0 {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                "element_at: the index 0 is invalid; array indices start at 1 (use a negative \
                 index to count from the end)",
            ));
        }
        let range = elements(lists, i);
        let size = range.len() as i64;
        let position = if at > 0 { at - 1 } else { size + at };
        indices.push(
            (0..size)
                .contains(&position)
                .then(|| range.start + position as u32),
        );
    }
    take_elements(lists, indices, element)
}

/// `values[indices]` of `lists` (a NULL where the index is None).
fn take_elements(
    lists: &ListArray,
    indices: Vec<Option<u32>>,
    element: &DataType,
) -> Result<ArrayRef> {
    if indices.iter().all(Option::is_none) {
        return Ok(new_null_array(element, lists.len()));
    }
    arrow_select::take::take(lists.values(), &UInt32Array::from(indices), None)
        .map_err(kernel_error)
}

/// `array_max` / `array_min`: NULL elements are skipped; NULL for an empty array.
fn extreme(lists: &ListArray, max: bool, element: &DataType) -> Result<ArrayRef> {
    let values = lists.values();
    let compare = spark_comparator(values, values, SortOptions::default()).map_err(kernel_error)?;
    let indices = (0..lists.len())
        .map(|i| {
            if lists.is_null(i) {
                return None;
            }
            elements(lists, i)
                .filter(|&e| values.is_valid(e as usize))
                .reduce(|best, e| {
                    let order = compare(e as usize, best as usize);
                    let better = if max {
                        order == Ordering::Greater
                    } else {
                        order == Ordering::Less
                    };
                    if better {
                        e
                    } else {
                        best
                    }
                })
        })
        .collect();
    take_elements(lists, indices, element)
}

/// `array_join(array, delimiter[, nullReplacement])`: elements as Spark prints them.
fn join(lists: &ListArray, args: &[ArrayRef]) -> Result<ArrayRef> {
    let text = spark_cast(lists.values(), &DataType::Utf8)?;
    let text = as_strings(&text)?;
    let delimiter = as_strings(&args[1])?;
    let replacement = args.get(2).map(as_strings).transpose()?;
    let mut out = StringBuilder::new();
    let mut row = String::new();
    for i in 0..lists.len() {
        let replacement_null = replacement.is_some_and(|r| r.is_null(i));
        if lists.is_null(i) || delimiter.is_null(i) || replacement_null {
            out.append_null();
            continue;
        }
        row.clear();
        let mut first = true;
        for e in elements(lists, i) {
            let e = e as usize;
            let piece = if text.is_valid(e) {
                text.value(e)
            } else if let Some(r) = replacement {
                r.value(i)
            } else {
                continue;
            };
            if !first {
                row.push_str(delimiter.value(i));
            }
            row.push_str(piece);
            first = false;
        }
        out.append_value(&row);
    }
    Ok(Arc::new(out.finish()))
}

/// `array_append` / `array_prepend`: the value (NULL included) added at one end; NULL for
/// a NULL array.
fn append(lists: &ListArray, value: &ArrayRef, at_end: bool) -> Result<ArrayRef> {
    place_value(lists, value, |_, len| {
        Ok(Some(Placement {
            at: if at_end { len } else { 0 },
            gap_after: 0,
            gap_before: 0,
        }))
    })
}

/// Most elements an array made by `array_insert` or `array_repeat` may have (a position or
/// count far past this would exhaust memory before failing).
const MAX_MADE_ELEMENTS: i64 = 10_000_000;

fn too_many_elements(function: &str, n: i64) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "{function} would make an array of {n} elements; Brasa makes arrays of at most \
             {MAX_MADE_ELEMENTS}"
        ),
    )
}

/// `array_insert(array, pos, value)`, as Spark 4: `pos` counts from 1, or from the end
/// when negative (-1 appends); past either end NULLs fill the gap (`array_insert([1], 3,
/// 9)` is `[1, NULL, 9]`, with -3 `[9, NULL, 1]`); 0 is Spark's `INVALID_INDEX_OF_ZERO`.
/// NULL where the array or the position is.
fn insert(lists: &ListArray, positions: &ArrayRef, value: &ArrayRef) -> Result<ArrayRef> {
    let positions = spark_cast(positions, &DataType::Int32)?;
    let positions = positions.as_primitive::<arrow_array::types::Int32Type>();
    place_value(lists, value, |i, len| {
        if positions.is_null(i) {
            return Ok(None);
        }
        let placement = match i64::from(positions.value(i)) {
            0 => {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    "array_insert: the position 0 is invalid; positions start at 1, or at -1 \
                     from the end (Spark's INVALID_INDEX_OF_ZERO)",
                ))
            }
            p if p > 0 && p - 1 <= len => Placement::at(p - 1),
            p if p > 0 => Placement {
                at: len,
                gap_after: p - 1 - len,
                gap_before: 0,
            },
            p if -p <= len + 1 => Placement::at(len + 1 + p),
            p => Placement {
                at: 0,
                gap_after: 0,
                gap_before: -p - len - 1,
            },
        };
        let made = len + 1 + placement.gap_after + placement.gap_before;
        if made > MAX_MADE_ELEMENTS {
            return Err(too_many_elements("array_insert", made));
        }
        Ok(Some(placement))
    })
}

/// Where one value goes into an array: before its element `at` (its length to append),
/// with NULLs filling a gap after the old elements or before them.
struct Placement {
    at: i64,
    gap_after: i64,
    gap_before: i64,
}

impl Placement {
    fn at(at: i64) -> Placement {
        Placement {
            at,
            gap_after: 0,
            gap_before: 0,
        }
    }
}

/// Each array with row `i`'s value placed where `place(i, length)` says; NULL where the
/// array is NULL or `place` gives `None`.
fn place_value(
    lists: &ListArray,
    value: &ArrayRef,
    mut place: impl FnMut(usize, i64) -> Result<Option<Placement>>,
) -> Result<ArrayRef> {
    let base = lists.values().len() as u32;
    let null_at = base + value.len() as u32;
    let null = new_null_array(value.data_type(), 1);
    let values = arrow_select::concat::concat(&[lists.values().as_ref(), value.as_ref(), &null])
        .map_err(kernel_error)?;
    let mut indices = Vec::with_capacity(values.len());
    let mut offsets = vec![0];
    let mut valid = Vec::with_capacity(lists.len());
    for i in 0..lists.len() {
        let old = elements(lists, i);
        let placement = if lists.is_valid(i) {
            place(i, i64::from(old.end - old.start))?
        } else {
            None
        };
        if let Some(Placement {
            at,
            gap_after,
            gap_before,
        }) = &placement
        {
            let split = old.start + *at as u32;
            indices.extend(old.start..split);
            indices.extend(std::iter::repeat_n(null_at, *gap_after as usize));
            indices.push(base + i as u32);
            indices.extend(std::iter::repeat_n(null_at, *gap_before as usize));
            indices.extend(split..old.end);
        }
        valid.push(placement.is_some());
        offsets.push(offset(indices.len())?);
    }
    gather(
        &values,
        indices,
        offsets,
        valid,
        element_field(lists.data_type())?,
    )
}

/// `slice(array, start, length)`: `start` is 1-based, or negative from the end; a start
/// of 0 or a negative length is an error, a start past either end an empty array.
fn slice(lists: &ListArray, start: &Int32Array, length: &Int32Array) -> Result<ArrayRef> {
    let mut failure = None;
    let sliced = pick(lists, |i, elements, out| {
        if start.is_null(i) || length.is_null(i) {
            return false;
        }
        let (from, count) = (start.value(i) as i64, length.value(i) as i64);
        if from == 0 || count < 0 {
            failure.get_or_insert(if from == 0 {
                "slice: the start 0 is invalid; array indices start at 1 (use a negative start \
                 to count from the end)"
            } else {
                "slice: the length must be 0 or more"
            });
            return false;
        }
        let size = elements.len() as i64;
        let first = if from > 0 { from - 1 } else { size + from };
        if first < 0 || first >= size {
            return true;
        }
        let last = (first + count).min(size);
        out.extend(elements.start + first as u32..elements.start + last as u32);
        true
    })?;
    match failure {
        Some(message) => Err(Error::new(ErrorCode::SqlExecution, message)),
        None => Ok(sliced),
    }
}

/// `flatten(array of arrays)`: NULL when the outer array or any inner one is NULL.
fn flatten(lists: &ListArray, return_type: &DataType) -> Result<ArrayRef> {
    let inner = lists.values().as_list_opt::<i32>().ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "flatten of an array whose elements are not arrays",
        )
    })?;
    let mut indices = Vec::new();
    let mut offsets = vec![0];
    let mut valid = Vec::with_capacity(lists.len());
    for i in 0..lists.len() {
        let keep = lists.is_valid(i) && elements(lists, i).all(|e| inner.is_valid(e as usize));
        if keep {
            for e in elements(lists, i) {
                indices.extend(elements(inner, e as usize));
            }
        }
        valid.push(keep);
        offsets.push(offset(indices.len())?);
    }
    gather(
        inner.values(),
        indices,
        offsets,
        valid,
        element_field(return_type)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::{Int32Builder, ListBuilder};
    use arrow_schema::Field;

    fn int_lists(rows: &[Option<Vec<Option<i32>>>]) -> ArrayRef {
        let mut builder = ListBuilder::new(Int32Builder::new()).with_field(Arc::new(Field::new(
            "element",
            DataType::Int32,
            true,
        )));
        for row in rows {
            match row {
                Some(values) => {
                    for v in values {
                        builder.values().append_option(*v);
                    }
                    builder.append(true);
                }
                None => builder.append(false),
            }
        }
        Arc::new(builder.finish())
    }

    fn rows(array: &ArrayRef) -> Vec<Option<Vec<Option<i32>>>> {
        let lists = array.as_list::<i32>();
        (0..lists.len())
            .map(|i| {
                lists.is_valid(i).then(|| {
                    let v = lists.value(i);
                    v.as_primitive::<arrow_array::types::Int32Type>()
                        .iter()
                        .collect()
                })
            })
            .collect()
    }

    #[test]
    fn sorting_puts_nulls_where_spark_does() {
        let input = int_lists(&[Some(vec![Some(3), None, Some(1)]), None, Some(vec![])]);
        let t = input.data_type().clone();
        let asc = compute(ArrayFunction::SortArray, &[Arc::clone(&input)], &t, 3).unwrap();
        assert_eq!(
            rows(&asc),
            vec![Some(vec![None, Some(1), Some(3)]), None, Some(vec![])]
        );
        let flags: ArrayRef = Arc::new(BooleanArray::from(vec![false, false, false]));
        let desc = compute(
            ArrayFunction::SortArray,
            &[Arc::clone(&input), flags],
            &t,
            3,
        )
        .unwrap();
        assert_eq!(rows(&desc)[0], Some(vec![Some(3), Some(1), None]));
        let sorted = compute(ArrayFunction::ArraySort, &[input], &t, 3).unwrap();
        assert_eq!(rows(&sorted)[0], Some(vec![Some(1), Some(3), None]));
    }

    #[test]
    fn distinct_keeps_first_occurrences_and_one_null() {
        let input = int_lists(&[Some(vec![Some(2), None, Some(2), Some(1), None])]);
        let t = input.data_type().clone();
        let out = compute(ArrayFunction::ArrayDistinct, &[input], &t, 1).unwrap();
        assert_eq!(rows(&out), vec![Some(vec![Some(2), None, Some(1)])]);
    }

    #[test]
    fn slice_counts_from_either_end_and_refuses_zero() {
        let input = int_lists(&[Some((1..=5).map(Some).collect())]);
        let t = input.data_type().clone();
        let slice = |start: i32, len: i32| {
            let args = [
                Arc::clone(&input),
                Arc::new(Int32Array::from(vec![start])) as ArrayRef,
                Arc::new(Int32Array::from(vec![len])) as ArrayRef,
            ];
            compute(ArrayFunction::Slice, &args, &t, 1).map(|a| rows(&a))
        };
        assert_eq!(slice(2, 2).unwrap(), vec![Some(vec![Some(2), Some(3)])]);
        assert_eq!(slice(-2, 5).unwrap(), vec![Some(vec![Some(4), Some(5)])]);
        assert_eq!(slice(9, 1).unwrap(), vec![Some(vec![])]);
        assert!(slice(0, 1).is_err());
        assert!(slice(1, -1).is_err());
    }
}
