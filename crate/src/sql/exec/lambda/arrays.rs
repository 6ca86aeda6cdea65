//! `transform`, `filter`, `exists` / `forall` and `zip_with`: one evaluation of the
//! lambda over every element of the batch's arrays.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, ListArray, UInt32Array};

use super::{list_array, Closure, Flat};
use crate::error::Result;
use crate::sql::exec::value::{as_boolean, kernel_error, nulls_as_false};
use crate::sql::plan::expr::Lambda;

/// The lambda's parameters over the flat elements: the element, and its index when the
/// lambda names two parameters.
fn element_params(flat: &Flat, lambda: &Lambda) -> Vec<ArrayRef> {
    let mut params = vec![Arc::clone(&flat.children[0])];
    if lambda.params.len() == 2 {
        params.push(flat.positions());
    }
    params
}

/// `transform(array, x -> f)`: `f` of each element, NULL for a NULL array.
pub fn transform(
    lists: &ListArray,
    lambda: &Lambda,
    closure: &Closure,
    out: &arrow_schema::DataType,
) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let values = closure.apply(lambda, Some(&flat.rows), element_params(&flat, lambda))?;
    list_array(out, values, flat.offsets, flat.nulls)
}

/// `filter(array, x -> p)`: the elements where `p` is true (not NULL).
pub fn filter(
    lists: &ListArray,
    lambda: &Lambda,
    closure: &Closure,
    out: &arrow_schema::DataType,
) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let keep = closure.apply(lambda, Some(&flat.rows), element_params(&flat, lambda))?;
    let keep = nulls_as_false(as_boolean(&keep)?);
    let mut offsets = Vec::with_capacity(flat.offsets.len());
    offsets.push(0i32);
    let mut kept = 0i32;
    for i in 0..flat.offsets.len() - 1 {
        kept += flat.range(i).filter(|&e| keep.value(e)).count() as i32;
        offsets.push(kept);
    }
    let values =
        arrow_select::filter::filter(flat.children[0].as_ref(), &keep).map_err(kernel_error)?;
    list_array(out, values, offsets, flat.nulls)
}

/// `exists(array, x -> p)` (`any` true) or `forall(array, x -> p)` (`any` false), in
/// three-valued logic: when no element decides, a NULL `p` makes the answer NULL.
pub fn exists(
    lists: &ListArray,
    lambda: &Lambda,
    closure: &Closure,
    any: bool,
) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let tests = closure.apply(lambda, Some(&flat.rows), element_params(&flat, lambda))?;
    let tests = as_boolean(&tests)?;
    let answers: BooleanArray = (0..lists.len())
        .map(|i| {
            if !flat.is_valid(i) {
                return None;
            }
            let mut unknown = false;
            for e in flat.range(i) {
                if tests.is_null(e) {
                    unknown = true;
                } else if tests.value(e) == any {
                    return Some(any);
                }
            }
            (!unknown).then_some(!any)
        })
        .collect();
    Ok(Arc::new(answers))
}

/// `zip_with(a, b, (x, y) -> f)`: element by element, the shorter array padded with
/// NULLs; NULL when either array is.
pub fn zip_with(
    left: &ListArray,
    right: &ListArray,
    lambda: &Lambda,
    closure: &Closure,
    out: &arrow_schema::DataType,
) -> Result<ArrayRef> {
    let (a, b) = (Flat::of_lists(left)?, Flat::of_lists(right)?);
    let mut take_a: Vec<Option<u32>> = Vec::new();
    let mut take_b: Vec<Option<u32>> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut offsets = Vec::with_capacity(left.len() + 1);
    offsets.push(0i32);
    let mut valid = Vec::with_capacity(left.len());
    for i in 0..left.len() {
        let ok = a.is_valid(i) && b.is_valid(i);
        if ok {
            let (ra, rb) = (a.range(i), b.range(i));
            let n = ra.len().max(rb.len());
            for k in 0..n {
                take_a.push((k < ra.len()).then(|| (ra.start + k) as u32));
                take_b.push((k < rb.len()).then(|| (rb.start + k) as u32));
            }
            rows.extend(std::iter::repeat_n(i as u32, n));
        }
        valid.push(ok);
        offsets.push(super::offset(rows.len())?);
    }
    let take = |flat: &Flat, indices: Vec<Option<u32>>| {
        arrow_select::take::take(flat.children[0].as_ref(), &UInt32Array::from(indices), None)
            .map_err(kernel_error)
    };
    let params = vec![take(&a, take_a)?, take(&b, take_b)?];
    let values = closure.apply(lambda, Some(&UInt32Array::from(rows)), params)?;
    let nulls = crate::sql::exec::value::validity(valid);
    list_array(out, values, offsets, nulls)
}
