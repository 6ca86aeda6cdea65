//! `map_filter`, `transform_keys`, `transform_values` and `map_zip_with`: the lambda
//! evaluated once over every entry of the batch's maps, its key and value as parameters.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, MapArray, UInt32Array};
use arrow_ord::ord::make_comparator;
use arrow_schema::{DataType, SortOptions};

use super::{internal, offset, Closure, Flat};
use crate::error::Result;
use crate::sql::exec::functions::{build_map, map_array};
use crate::sql::exec::value::{as_boolean, kernel_error, nulls_as_false};
use crate::sql::plan::expr::Lambda;
use crate::sql::plan::functions::HigherOrderFunction;

fn maps(array: &ArrayRef) -> Result<MapArray> {
    array
        .as_map_opt()
        .cloned()
        .ok_or_else(|| internal(format!("expected maps, got {}", array.data_type())))
}

fn entries(map: &MapArray) -> Result<Flat> {
    Flat::new(
        map.value_offsets(),
        map.nulls(),
        &[map.keys(), map.values()],
    )
}

/// `map_filter` (the entries where the lambda is true), `transform_keys` (new keys:
/// NULL or repeated ones are errors, as in Spark) and `transform_values` (new values).
pub fn map_function(
    func: HigherOrderFunction,
    map: &ArrayRef,
    lambda: &Lambda,
    closure: &Closure,
    out: &DataType,
) -> Result<ArrayRef> {
    let flat = entries(&maps(map)?)?;
    let (keys, values) = (&flat.children[0], &flat.children[1]);
    let result = closure.apply(
        lambda,
        Some(&flat.rows),
        vec![Arc::clone(keys), Arc::clone(values)],
    )?;
    match func {
        HigherOrderFunction::MapFilter => {
            let keep = nulls_as_false(as_boolean(&result)?);
            let mut offsets = Vec::with_capacity(flat.offsets.len());
            offsets.push(0i32);
            let mut kept = 0usize;
            for i in 0..flat.offsets.len() - 1 {
                kept += flat.range(i).filter(|&e| keep.value(e)).count();
                offsets.push(offset(kept)?);
            }
            let filter = |a: &ArrayRef| {
                arrow_select::filter::filter(a.as_ref(), &keep).map_err(kernel_error)
            };
            map_array(filter(keys)?, filter(values)?, offsets, flat.nulls, out)
        }
        HigherOrderFunction::TransformKeys => {
            let valid = (0..flat.offsets.len() - 1)
                .map(|i| flat.is_valid(i))
                .collect();
            build_map(result, Arc::clone(values), flat.offsets, Some(valid), out)
        }
        _ => map_array(Arc::clone(keys), result, flat.offsets, flat.nulls, out),
    }
}

/// `map_zip_with(m1, m2, (k, v1, v2) -> f)`: over the keys of `m1` then those only in
/// `m2`, a missing side's value NULL; NULL when either map is.
pub fn map_zip_with(
    left: &ArrayRef,
    right: &ArrayRef,
    lambda: &Lambda,
    closure: &Closure,
    out: &DataType,
) -> Result<ArrayRef> {
    let (a, b) = (entries(&maps(left)?)?, entries(&maps(right)?)?);
    let base = a.children[0].len() as u32;
    let keys = arrow_select::concat::concat(&[a.children[0].as_ref(), b.children[0].as_ref()])
        .map_err(kernel_error)?;
    let compare = make_comparator(keys.as_ref(), keys.as_ref(), SortOptions::default())
        .map_err(kernel_error)?;
    let equal = |x: u32, y: u32| compare(x as usize, y as usize) == Ordering::Equal;
    let mut take_key: Vec<u32> = Vec::new();
    let mut take_a: Vec<Option<u32>> = Vec::new();
    let mut take_b: Vec<Option<u32>> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut offsets = Vec::with_capacity(a.offsets.len());
    offsets.push(0i32);
    let mut valid = Vec::with_capacity(a.offsets.len());
    for i in 0..a.offsets.len() - 1 {
        let ok = a.is_valid(i) && b.is_valid(i);
        if ok {
            let (ra, rb) = (a.range(i), b.range(i));
            let rb = rb.start as u32..rb.end as u32;
            for ea in ra.start as u32..ra.end as u32 {
                take_key.push(ea);
                take_a.push(Some(ea));
                take_b.push(rb.clone().find(|&eb| equal(ea, base + eb)));
                rows.push(i as u32);
            }
            for eb in rb {
                if !(ra.start as u32..ra.end as u32).any(|ea| equal(ea, base + eb)) {
                    take_key.push(base + eb);
                    take_a.push(None);
                    take_b.push(Some(eb));
                    rows.push(i as u32);
                }
            }
        }
        valid.push(ok);
        offsets.push(offset(rows.len())?);
    }
    let take = |values: &ArrayRef, indices: UInt32Array| {
        arrow_select::take::take(values.as_ref(), &indices, None).map_err(kernel_error)
    };
    let keys = take(&keys, UInt32Array::from(take_key))?;
    let params = vec![
        Arc::clone(&keys),
        take(&a.children[1], UInt32Array::from(take_a))?,
        take(&b.children[1], UInt32Array::from(take_b))?,
    ];
    let values = closure.apply(lambda, Some(&UInt32Array::from(rows)), params)?;
    let nulls = crate::sql::exec::value::validity(valid);
    map_array(keys, values, offsets, nulls, out)
}
