//! Higher-order functions (`transform`, `filter`, `aggregate`, `map_filter`, ...) over a
//! batch, evaluated column-wise: the elements of every array in the batch are laid out in
//! one column, and a lambda's body is evaluated once over all of them, with the outer
//! columns it reads repeated per element (one `take` each). The body is an ordinary
//! expression over that narrow batch (see `plan::lambda`), so no row is evaluated alone.
//!
//! The evaluator is passed in (`Evaluator`) rather than imported, so that the expression
//! evaluator and this module do not import each other.

mod aggregate;
mod arrays;
mod maps;
mod sort;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, FieldRef, Schema};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::{kernel_error, offset, Value};
use crate::sql::plan::expr::{Lambda, LambdaCall};
use crate::sql::plan::functions::HigherOrderFunction as F;

/// Evaluates an expression over a batch (the evaluator of `exec::eval`).
pub type Evaluator = fn(&crate::sql::plan::expr::Expr, &RecordBatch) -> Result<Value>;

/// The value of a higher-order call over `batch`. A call whose arguments and captured
/// columns are all constants is computed once and stays constant.
pub fn call(call: &LambdaCall, batch: &RecordBatch, eval: Evaluator) -> Result<Value> {
    let evaluate = |exprs: &[crate::sql::plan::expr::Expr]| {
        exprs
            .iter()
            .map(|e| eval(e, batch))
            .collect::<Result<Vec<_>>>()
    };
    let args = evaluate(&call.args)?;
    let captured = evaluate(&call.captured)?;
    let constant = args
        .iter()
        .chain(&captured)
        .all(|v| matches!(v, Value::Scalar(_)));
    let len = if constant { 1 } else { batch.num_rows() };
    let arrays = |values: Vec<Value>| {
        values
            .into_iter()
            .map(|v| v.into_array(len))
            .collect::<Result<Vec<_>>>()
    };
    let (args, captured) = (arrays(args)?, arrays(captured)?);
    let closure = Closure {
        captured: &captured,
        eval,
    };
    let lambda = &call.lambdas[0];
    let out = &call.return_type;
    let result = match call.func {
        F::Transform => arrays::transform(&lists(&args[0])?, lambda, &closure, out)?,
        F::Filter => arrays::filter(&lists(&args[0])?, lambda, &closure, out)?,
        F::Exists | F::Forall => {
            arrays::exists(&lists(&args[0])?, lambda, &closure, call.func == F::Exists)?
        }
        F::ZipWith => {
            arrays::zip_with(&lists(&args[0])?, &lists(&args[1])?, lambda, &closure, out)?
        }
        F::ArraySort => sort::array_sort(&lists(&args[0])?, lambda, &closure)?,
        F::Aggregate => aggregate::aggregate(
            &lists(&args[0])?,
            &args[1],
            lambda,
            call.lambdas.get(1),
            &closure,
        )?,
        F::MapFilter | F::TransformKeys | F::TransformValues => {
            maps::map_function(call.func, &args[0], lambda, &closure, out)?
        }
        F::MapZipWith => maps::map_zip_with(&args[0], &args[1], lambda, &closure, out)?,
    };
    Ok(if constant {
        Value::scalar(result)
    } else {
        Value::Array(result)
    })
}

/// What a lambda's body sees besides its parameters: the outer columns it captured.
struct Closure<'a> {
    captured: &'a [ArrayRef],
    eval: Evaluator,
}

impl Closure<'_> {
    /// The body of `lambda` over one binding per entry of `rows` (the outer row each
    /// binding belongs to; `None`: one binding per outer row, in order), with its
    /// parameters' columns `params`.
    fn apply(
        &self,
        lambda: &Lambda,
        rows: Option<&UInt32Array>,
        params: Vec<ArrayRef>,
    ) -> Result<ArrayRef> {
        let n = match (rows, params.first(), self.captured.first()) {
            (Some(r), _, _) => r.len(),
            (None, Some(p), _) => p.len(),
            (None, None, Some(c)) => c.len(),
            (None, None, None) => 0,
        };
        let mut columns = Vec::with_capacity(self.captured.len() + params.len());
        for c in self.captured {
            columns.push(match rows {
                Some(rows) => {
                    arrow_select::take::take(c.as_ref(), rows, None).map_err(kernel_error)?
                }
                None => Arc::clone(c),
            });
        }
        columns.extend(params);
        let fields: Vec<Field> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| Field::new(format!("c{i}"), c.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )
        .map_err(|e| Error::internal("binding a lambda's parameters", e))?;
        (self.eval)(&lambda.body, &batch)?.into_array(n)
    }
}

/// The elements of a column of arrays (or the entries of a column of maps) laid out in
/// columns of their own: `children[i]` holds child `i` of every element of the non-NULL
/// rows, `offsets` cut them by row (NULL rows empty), `rows` says which row each element
/// came from.
struct Flat {
    children: Vec<ArrayRef>,
    offsets: Vec<i32>,
    rows: UInt32Array,
    nulls: Option<NullBuffer>,
}

impl Flat {
    fn new(offsets: &[i32], nulls: Option<&NullBuffer>, children: &[&ArrayRef]) -> Result<Flat> {
        let len = offsets.len().saturating_sub(1);
        let is_valid = |i: usize| nulls.is_none_or(|n| n.is_valid(i));
        // Elements under a NULL row are dropped (Spark never sees them).
        let hidden = (0..len).any(|i| !is_valid(i) && offsets[i + 1] > offsets[i]);
        let mut kept: Vec<u32> = Vec::new();
        let mut rows = Vec::with_capacity((offsets[len] - offsets[0]).max(0) as usize);
        let mut out = Vec::with_capacity(len + 1);
        out.push(0i32);
        for i in 0..len {
            if is_valid(i) {
                let range = offsets[i] as u32..offsets[i + 1] as u32;
                rows.extend(std::iter::repeat_n(i as u32, range.len()));
                if hidden {
                    kept.extend(range);
                }
            }
            out.push(offset(rows.len())?);
        }
        let kept = UInt32Array::from(kept);
        let children = children
            .iter()
            .map(|c| {
                if hidden {
                    arrow_select::take::take(c.as_ref(), &kept, None).map_err(kernel_error)
                } else {
                    let start = offsets[0] as usize;
                    Ok(c.slice(start, offsets[len] as usize - start))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Flat {
            children,
            offsets: out,
            rows: UInt32Array::from(rows),
            nulls: nulls.filter(|n| n.null_count() > 0).cloned(),
        })
    }

    fn of_lists(lists: &arrow_array::ListArray) -> Result<Flat> {
        Flat::new(lists.value_offsets(), lists.nulls(), &[lists.values()])
    }

    /// Each element's 0-based position in its array.
    fn positions(&self) -> ArrayRef {
        let offsets = &self.offsets;
        let at: arrow_array::Int32Array = self
            .rows
            .values()
            .iter()
            .enumerate()
            .map(|(k, &row)| k as i32 - offsets[row as usize])
            .collect();
        Arc::new(at)
    }

    /// Row `i`'s elements, as indices into the children.
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    fn is_valid(&self, i: usize) -> bool {
        self.nulls.as_ref().is_none_or(|n| n.is_valid(i))
    }
}

fn lists(array: &ArrayRef) -> Result<arrow_array::ListArray> {
    array
        .as_list_opt::<i32>()
        .cloned()
        .ok_or_else(|| internal(format!("expected arrays, got {}", array.data_type())))
}

/// The element field of an array type.
fn element_field(list: &DataType) -> Result<FieldRef> {
    match list {
        DataType::List(f) => Ok(Arc::clone(f)),
        other => Err(internal(format!("expected an array type, got {other}"))),
    }
}

/// A column of arrays: `values` cut at `offsets`, NULL where `nulls` says.
fn list_array(
    list_type: &DataType,
    values: ArrayRef,
    offsets: Vec<i32>,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef> {
    let field = element_field(list_type)?;
    let values = crate::sql::exec::value::spark_cast(&values, field.data_type())?;
    let list = arrow_array::ListArray::try_new(
        field,
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        values,
        nulls,
    )
    .map_err(kernel_error)?;
    Ok(Arc::new(list))
}

fn internal(message: String) -> Error {
    Error::new(ErrorCode::Internal, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int32Array;

    /// Elements under a NULL row (Arrow allows a NULL array to cover values) are left out,
    /// so a lambda never sees what Spark would not.
    #[test]
    fn flat_drops_the_elements_of_null_rows() {
        let values: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5]));
        let nulls = NullBuffer::from(vec![true, false, true]);
        let flat = Flat::new(&[0, 2, 4, 5], Some(&nulls), &[&values]).unwrap();
        let kept = flat.children[0].as_primitive::<arrow_array::types::Int32Type>();
        assert_eq!(kept.values().to_vec(), vec![1, 2, 5]);
        assert_eq!(flat.offsets, vec![0, 2, 2, 3]);
        assert_eq!(flat.rows.values().to_vec(), vec![0, 0, 2]);
        assert!(!flat.is_valid(1));
        let positions = flat.positions();
        let positions = positions.as_primitive::<arrow_array::types::Int32Type>();
        assert_eq!(positions.values().to_vec(), vec![0, 1, 0]);
    }

    /// A sliced column of arrays (offsets not starting at 0) reads only its own elements.
    #[test]
    fn flat_reads_a_slice() {
        let values: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5]));
        let flat = Flat::new(&[1, 3, 4], None, &[&values]).unwrap();
        let kept = flat.children[0].as_primitive::<arrow_array::types::Int32Type>();
        assert_eq!(kept.values().to_vec(), vec![2, 3, 4]);
        assert_eq!(flat.offsets, vec![0, 2, 3]);
        assert_eq!(flat.range(1), 2..3);
    }
}
