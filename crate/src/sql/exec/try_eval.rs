//! Spark's `TryEval` (`try_add`, `try_divide`, ... of intervals and datetimes, `TRY_CAST`
//! of intervals): an expression computed over a batch, NULL in each row where computing it
//! fails at run time (an overflow, a division by zero, text that is not an interval).
//! The kernels fail for a whole batch, so a failed batch is split in halves until the
//! failing rows are alone: a batch without failures costs one evaluation, one with `k`
//! failing rows about `2k log n` evaluations of slices (zero-copy), never one per row.

use arrow_array::{new_null_array, ArrayRef, RecordBatch};
use arrow_schema::DataType;

use crate::error::{ErrorCode, Result};
use crate::sql::exec::value::{kernel_error, Value};
use crate::sql::plan::expr::Expr;

/// `body` over `batch` with the rows where it fails NULL, of type `return_type`;
/// `evaluate` computes an expression over a batch. Only run-time failures
/// (`SqlExecution`) become NULL; any other error is raised.
pub fn try_evaluate(
    body: &Expr,
    return_type: &DataType,
    batch: &RecordBatch,
    evaluate: fn(&Expr, &RecordBatch) -> Result<Value>,
) -> Result<Value> {
    match evaluate(body, batch) {
        Ok(value) => Ok(value),
        Err(e) if e.code() != ErrorCode::SqlExecution => Err(e),
        // A body that reads no column fails alike in every row.
        Err(_) if !body.any(&|e| matches!(e, Expr::Column { .. })) => {
            Ok(Value::scalar(new_null_array(return_type, 1)))
        }
        Err(_) => {
            let mut pieces = Vec::new();
            split(body, return_type, batch, evaluate, &mut pieces)?;
            let refs: Vec<&dyn arrow_array::Array> = pieces.iter().map(|a| a.as_ref()).collect();
            if refs.is_empty() {
                return Ok(Value::Array(new_null_array(return_type, 0)));
            }
            arrow_select::concat::concat(&refs)
                .map(Value::Array)
                .map_err(kernel_error)
        }
    }
}

/// `body` over the two halves of `batch` (which failed as a whole), in order, into
/// `pieces`: a half that fails again is split again; a failing row is NULL.
fn split(
    body: &Expr,
    return_type: &DataType,
    batch: &RecordBatch,
    evaluate: fn(&Expr, &RecordBatch) -> Result<Value>,
    pieces: &mut Vec<ArrayRef>,
) -> Result<()> {
    let rows = batch.num_rows();
    if rows <= 1 {
        pieces.push(new_null_array(return_type, rows));
        return Ok(());
    }
    let half = rows / 2;
    for (offset, len) in [(0, half), (half, rows - half)] {
        let part = batch.slice(offset, len);
        match evaluate(body, &part) {
            Ok(value) => pieces.push(value.into_array(len)?),
            Err(e) if e.code() != ErrorCode::SqlExecution => return Err(e),
            Err(_) => split(body, return_type, &part, evaluate, pieces)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::Int64Array;
    use arrow_schema::{Field, Schema};

    use super::*;
    use crate::error::Error;

    /// Fails for a batch holding a negative value, else copies column 0.
    fn fails_on_negatives(_: &Expr, batch: &RecordBatch) -> Result<Value> {
        let column = batch.column(0).as_primitive::<Int64Type>();
        if column.iter().flatten().any(|v| v < 0) {
            return Err(Error::new(ErrorCode::SqlExecution, "negative"));
        }
        Ok(Value::Array(Arc::clone(batch.column(0))))
    }

    fn refuses(_: &Expr, _: &RecordBatch) -> Result<Value> {
        Err(Error::new(ErrorCode::Internal, "a bug"))
    }

    fn batch(values: Vec<Option<i64>>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values))]).unwrap()
    }

    #[test]
    fn failing_rows_become_null_and_the_others_stay() {
        let body = Expr::column(0, "x");
        let input = batch(vec![
            Some(1),
            Some(-2),
            None,
            Some(4),
            Some(-5),
            Some(6),
            Some(7),
        ]);
        let out = try_evaluate(&body, &DataType::Int64, &input, fails_on_negatives)
            .unwrap()
            .into_array(7)
            .unwrap();
        let got: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
        assert_eq!(
            got,
            vec![Some(1), None, None, Some(4), None, Some(6), Some(7)]
        );
        // A batch that fails nowhere is computed once, as it is.
        let clean = batch(vec![Some(1), Some(2)]);
        let out = try_evaluate(&body, &DataType::Int64, &clean, fails_on_negatives).unwrap();
        assert_eq!(out.into_array(2).unwrap().len(), 2);
    }

    #[test]
    fn other_errors_are_raised() {
        let body = Expr::column(0, "x");
        let err = try_evaluate(&body, &DataType::Int64, &batch(vec![Some(1)]), refuses);
        assert_eq!(err.unwrap_err().code(), ErrorCode::Internal);
    }
}
