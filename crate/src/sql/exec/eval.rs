//! Evaluating logical expressions on a record batch with Arrow's compute kernels.
//!
//! Constants stay scalars (kernels take Arrow `Datum`s) so `x > 5` never materialises a
//! column of fives. Semantics follow Spark (non-ANSI): integer arithmetic wraps, division
//! and modulo by zero give NULL, casts that fail give NULL, AND/OR use three-valued logic.

use std::sync::Arc;

use arrow_arith::boolean::{and_kleene, is_not_null, is_null, not, or_kleene};
use arrow_arith::numeric::{add_wrapping, div, mul_wrapping, neg_wrapping, rem, sub_wrapping};
use arrow_array::{new_null_array, Array, ArrayRef, BooleanArray, RecordBatch, Scalar};
use arrow_ord::cmp;
use arrow_row::{RowConverter, SortField};
use arrow_schema::DataType;
use arrow_select::nullif::nullif;
use arrow_select::zip::zip;
use hashbrown::HashSet;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::{is_float, spark_normalized};
use crate::sql::exec::bitwise::bitwise;
use crate::sql::exec::compare::compare_primitive;
use crate::sql::exec::functions::call_scalar;
use crate::sql::exec::value::{
    as_boolean, as_strings, compile_regex, kernel_error, nulls_as_false, spark_cast, Value,
};
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::ScalarFunction;

/// Evaluates `expr` for every row of `batch` as a column.
pub fn evaluate_array(expr: &Expr, batch: &RecordBatch) -> Result<ArrayRef> {
    evaluate(expr, batch)?.into_array(batch.num_rows())
}

/// Rows of `batch` where `predicate` is true (NULL counts as false).
pub fn filter_batch(batch: &RecordBatch, predicate: &Expr) -> Result<RecordBatch> {
    match selection(batch, predicate)? {
        // Filters that keep every row (common for sanity checks) copy nothing.
        None => Ok(batch.clone()),
        Some(mask) => arrow_select::filter::filter_record_batch(batch, &mask).map_err(kernel_error),
    }
}

/// The rows of `batch` where `predicate` is true, as a mask without NULLs; `None` when
/// every row is.
pub fn selection(batch: &RecordBatch, predicate: &Expr) -> Result<Option<BooleanArray>> {
    let mask = match evaluate(predicate, batch)? {
        Value::Scalar(s) => {
            let one = s.into_inner();
            let keep = one.is_valid(0)
                && one
                    .as_any()
                    .downcast_ref::<BooleanArray>()
                    .is_some_and(|b| b.value(0));
            return Ok((!keep).then(|| BooleanArray::from(vec![false; batch.num_rows()])));
        }
        Value::Array(a) => a,
    };
    let mask = nulls_as_false(as_boolean(&mask)?);
    Ok((mask.true_count() < mask.len()).then_some(mask))
}

pub fn evaluate(expr: &Expr, batch: &RecordBatch) -> Result<Value> {
    match expr {
        Expr::Column { index, .. } => Ok(Value::Array(Arc::clone(batch.column(*index)))),
        Expr::Literal(value) => Ok(Value::scalar(value.to_array(1))),
        Expr::Binary { op, left, right } => {
            let l = evaluate(left, batch)?;
            let r = evaluate(right, batch)?;
            binary(*op, l, r, batch.num_rows())
        }
        Expr::Not(inner) => unary(evaluate(inner, batch)?, |a| {
            not(as_boolean(a)?)
                .map(|b| Arc::new(b) as ArrayRef)
                .map_err(kernel_error)
        }),
        Expr::Negate(inner) => unary(evaluate(inner, batch)?, |a| {
            neg_wrapping(a).map_err(kernel_error)
        }),
        Expr::IsNull { expr, negated } => unary(evaluate(expr, batch)?, |a| {
            let r = if *negated { is_not_null(a) } else { is_null(a) };
            r.map(|b| Arc::new(b) as ArrayRef).map_err(kernel_error)
        }),
        Expr::Cast { expr, to } => unary(evaluate(expr, batch)?, |a| spark_cast(a, to)),
        Expr::Case {
            branches,
            otherwise,
            data_type,
        } => case(branches, otherwise.as_deref(), data_type, batch),
        Expr::InList {
            expr,
            list,
            negated,
        } => in_list(expr, list, *negated, batch),
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
        } => {
            let value = evaluate(expr, batch)?;
            let pattern = evaluate(pattern, batch)?;
            let kernel = match (negated, case_insensitive) {
                (false, false) => arrow_string::like::like,
                (true, false) => arrow_string::like::nlike,
                (false, true) => arrow_string::like::ilike,
                (true, true) => arrow_string::like::nilike,
            };
            boolean_result(kernel(value.datum(), pattern.datum()), &value, &pattern)
        }
        Expr::RLike {
            expr,
            pattern,
            negated,
        } => {
            let value = evaluate(expr, batch)?.into_array(batch.num_rows())?;
            let matched = rlike(&value, &evaluate(pattern, batch)?, batch.num_rows())?;
            let matched = if *negated {
                not(&matched).map_err(kernel_error)?
            } else {
                matched
            };
            Ok(Value::Array(Arc::new(matched)))
        }
        Expr::Function {
            func: ScalarFunction::Try,
            args,
            return_type,
        } => {
            for guard in args.iter().skip(1) {
                evaluate(guard, batch)?;
            }
            let body = args
                .first()
                .ok_or_else(|| Error::new(ErrorCode::Internal, "try(...) without an expression"))?;
            crate::sql::exec::try_eval::try_evaluate(body, return_type, batch, evaluate)
        }
        Expr::Function {
            func,
            args,
            return_type,
        } => {
            let values = args
                .iter()
                .map(|a| evaluate(a, batch))
                .collect::<Result<Vec<_>>>()?;
            call_scalar(*func, values, return_type, batch.num_rows())
        }
        Expr::HigherOrder(call) => crate::sql::exec::lambda::call(call, batch, evaluate),
        Expr::Aggregate(_) | Expr::Window(_) => Err(Error::new(
            ErrorCode::Internal,
            "an aggregate or window function was left inside a row expression",
        )),
    }
}

/// Applies a one-array kernel, keeping scalars scalar.
fn unary(value: Value, f: impl Fn(&ArrayRef) -> Result<ArrayRef>) -> Result<Value> {
    match value {
        Value::Array(a) => Ok(Value::Array(f(&a)?)),
        Value::Scalar(s) => Ok(Value::scalar(f(&s.into_inner())?)),
    }
}

/// The value with its floats as Spark compares them (`-0.0 = 0.0`, every NaN equal and
/// above every number: [`spark_normalized`]).
fn spark_float_keys(value: Value) -> Result<Value> {
    if !is_float(&value.data_type()) {
        return Ok(value);
    }
    unary(value, |a| Ok(spark_normalized(a)))
}

fn boolean_result(
    result: std::result::Result<BooleanArray, arrow_schema::ArrowError>,
    l: &Value,
    r: &Value,
) -> Result<Value> {
    let array: ArrayRef = Arc::new(result.map_err(kernel_error)?);
    Ok(match (l, r) {
        (Value::Scalar(_), Value::Scalar(_)) => Value::scalar(array),
        _ => Value::Array(array),
    })
}

fn binary(op: BinaryOp, l: Value, r: Value, rows: usize) -> Result<Value> {
    let both_scalar = matches!((&l, &r), (Value::Scalar(_), Value::Scalar(_)));
    let wrap = |array: ArrayRef| {
        if both_scalar {
            Value::scalar(array)
        } else {
            Value::Array(array)
        }
    };
    use BinaryOp::*;
    if let Some(result) = compare_primitive(op, &l, &r) {
        return Ok(Value::Array(result));
    }
    let (l, r) = if matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq | NullSafeEq) {
        (spark_float_keys(l)?, spark_float_keys(r)?)
    } else {
        (l, r)
    };
    match op {
        Add => Ok(wrap(
            add_wrapping(l.datum(), r.datum()).map_err(kernel_error)?,
        )),
        Subtract => Ok(wrap(
            sub_wrapping(l.datum(), r.datum()).map_err(kernel_error)?,
        )),
        Multiply => Ok(wrap(
            mul_wrapping(l.datum(), r.datum()).map_err(kernel_error)?,
        )),
        Divide | IntDivide | Modulo => {
            // Spark: dividing by zero gives NULL. Zero divisors become NULL first, so the
            // integer kernels never see them.
            let divisor = null_zeros(r, rows)?;
            let result = match op {
                Modulo => rem(l.datum(), divisor.datum()),
                _ => div(l.datum(), divisor.datum()),
            }
            .map_err(kernel_error)?;
            Ok(wrap(result))
        }
        Eq => boolean_result(cmp::eq(l.datum(), r.datum()), &l, &r),
        NotEq => boolean_result(cmp::neq(l.datum(), r.datum()), &l, &r),
        Lt => boolean_result(cmp::lt(l.datum(), r.datum()), &l, &r),
        LtEq => boolean_result(cmp::lt_eq(l.datum(), r.datum()), &l, &r),
        Gt => boolean_result(cmp::gt(l.datum(), r.datum()), &l, &r),
        GtEq => boolean_result(cmp::gt_eq(l.datum(), r.datum()), &l, &r),
        NullSafeEq => boolean_result(cmp::not_distinct(l.datum(), r.datum()), &l, &r),
        And | Or => {
            let len = if both_scalar { 1 } else { rows };
            let la = l.into_array(len)?;
            let ra = r.into_array(len)?;
            let result = if op == And {
                and_kleene(as_boolean(&la)?, as_boolean(&ra)?)
            } else {
                or_kleene(as_boolean(&la)?, as_boolean(&ra)?)
            }
            .map_err(kernel_error)?;
            Ok(wrap(Arc::new(result)))
        }
        BitAnd | BitOr | BitXor => {
            let len = if both_scalar { 1 } else { rows };
            let (la, ra) = (l.into_array(len)?, r.into_array(len)?);
            Ok(wrap(bitwise(op, &la, &ra)?))
        }
        Concat => {
            let len = if both_scalar { 1 } else { rows };
            let la = l.into_array(len)?;
            let ra = r.into_array(len)?;
            let (ls, rs) = (as_strings(&la)?, as_strings(&ra)?);
            let result = arrow_string::concat_elements::concat_elements_utf8(ls, rs)
                .map_err(kernel_error)?;
            Ok(wrap(Arc::new(result)))
        }
    }
}

/// The divisor with zeros turned into NULLs.
fn null_zeros(divisor: Value, rows: usize) -> Result<Value> {
    let data_type = divisor.data_type();
    let zero = Scalar::new(spark_cast(
        &(Arc::new(arrow_array::Int32Array::from(vec![0])) as ArrayRef),
        &data_type,
    )?);
    let is_zero = cmp::eq(divisor.datum(), &zero).map_err(kernel_error)?;
    match divisor {
        Value::Scalar(s) => {
            if is_zero.is_valid(0) && is_zero.value(0) {
                Ok(Value::scalar(new_null_array(&data_type, 1)))
            } else {
                Ok(Value::Scalar(s))
            }
        }
        Value::Array(a) => {
            let _ = rows;
            Ok(Value::Array(nullif(&a, &is_zero).map_err(kernel_error)?))
        }
    }
}

fn case(
    branches: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    data_type: &DataType,
    batch: &RecordBatch,
) -> Result<Value> {
    let rows = batch.num_rows();
    let mut result: ArrayRef = match otherwise {
        Some(e) => evaluate_array(e, batch)?,
        None => new_null_array(data_type, rows),
    };
    for (when, then) in branches.iter().rev() {
        let condition = evaluate_array(when, batch)?;
        let condition = nulls_as_false(as_boolean(&condition)?);
        let value = evaluate(then, batch)?;
        result = zip(&condition, value.datum(), &result).map_err(kernel_error)?;
    }
    Ok(Value::Array(result))
}

/// `x IN (a, b, ...)` with SQL's NULL rules: NULL if `x` is NULL, or if no item matches
/// and some item is NULL.
fn in_list(expr: &Expr, list: &[Expr], negated: bool, batch: &RecordBatch) -> Result<Value> {
    let rows = batch.num_rows();
    // Floats compared as Spark compares them: `-0.0 IN (0.0)`, `NaN IN (NaN)`.
    let value = spark_normalized(&evaluate_array(expr, batch)?);
    let items = list
        .iter()
        .map(|e| {
            evaluate_array(e, &batch.slice(0, batch.num_rows().min(1)))
                .map(|a| (e, spark_normalized(&a)))
        })
        .collect::<Result<Vec<_>>>()?;
    let constant = list.iter().all(|e| matches!(e, Expr::Literal(_)));
    if !constant {
        // Items that depend on the row: OR of equalities.
        let mut result: Option<BooleanArray> = None;
        for item in list {
            let item = spark_normalized(&evaluate_array(item, batch)?);
            let eq = cmp::eq(&value, &item).map_err(kernel_error)?;
            result = Some(match result {
                None => eq,
                Some(acc) => or_kleene(&acc, &eq).map_err(kernel_error)?,
            });
        }
        let result = result.unwrap_or_else(|| BooleanArray::from(vec![false; rows]));
        let result = if negated {
            not(&result).map_err(kernel_error)?
        } else {
            result
        };
        return Ok(Value::Array(Arc::new(result)));
    }
    let item_arrays: Vec<ArrayRef> = items.into_iter().map(|(_, a)| a).collect();
    let any_null_item = item_arrays.iter().any(|a| a.len() == 1 && a.is_null(0));
    let converter =
        RowConverter::new(vec![SortField::new(value.data_type().clone())]).map_err(kernel_error)?;
    // One conversion for the whole list: appending item by item costs O(list²).
    let valid_items: Vec<&dyn Array> = item_arrays
        .iter()
        .filter(|a| a.len() == 1 && a.is_valid(0))
        .map(|a| a.as_ref())
        .collect();
    let set_rows = if valid_items.is_empty() {
        converter.empty_rows(0, 0)
    } else {
        let items = arrow_select::concat::concat(&valid_items).map_err(kernel_error)?;
        converter.convert_columns(&[items]).map_err(kernel_error)?
    };
    let set: HashSet<&[u8]> = set_rows.iter().map(|r| r.data()).collect();
    let value_rows = converter
        .convert_columns(&[Arc::clone(&value)])
        .map_err(kernel_error)?;
    let result: BooleanArray = (0..rows)
        .map(|i| {
            if value.is_null(i) {
                return None;
            }
            let found = set.contains(value_rows.row(i).data());
            match (found, any_null_item) {
                (true, _) => Some(!negated),
                (false, true) => None,
                (false, false) => Some(negated),
            }
        })
        .collect();
    Ok(Value::Array(Arc::new(result)))
}

fn rlike(value: &ArrayRef, pattern: &Value, rows: usize) -> Result<BooleanArray> {
    let strings = as_strings(value)?;
    match pattern {
        Value::Scalar(s) => {
            let one = s.clone().into_inner();
            let patterns = as_strings(&one)?;
            if patterns.is_null(0) {
                return Ok(BooleanArray::new_null(rows));
            }
            let regex = compile_regex(patterns.value(0))?;
            Ok(strings
                .iter()
                .map(|v| v.map(|v| regex.is_match(v)))
                .collect())
        }
        Value::Array(p) => {
            let patterns = as_strings(p)?;
            strings
                .iter()
                .zip(patterns.iter())
                .map(|(v, p)| match (v, p) {
                    (Some(v), Some(p)) => compile_regex(p).map(|r| Some(r.is_match(v))),
                    _ => Ok(None),
                })
                .collect()
        }
    }
}
