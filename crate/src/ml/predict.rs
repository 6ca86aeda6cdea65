//! Scoring: a fitted linear model applied to a table (Spark's `model.transform`).

use std::sync::Arc;

use arrow_array::{BooleanArray, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;

use crate::clean::columns::fields_of;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::Assembler;
use crate::ml::dataset::row_offsets;
use crate::ml::linear::LinearModel;
use crate::params::HandleInvalid;

/// Scores `table` with `model`: the table plus a `prediction` column (Spark's
/// `model.transform`). Rows with NULL/NaN features follow `handle_invalid` (`keep`
/// predicts NaN).
pub fn predict(
    table: &Table,
    features: &[String],
    model: &LinearModel,
    handle_invalid: HandleInvalid,
    ctx: &JobContext,
) -> Result<Table> {
    if model.coefficients.len() != features.len() {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "the model has {} coefficients but {} feature columns were given",
                model.coefficients.len(),
                features.len()
            ),
        ));
    }
    let assembler = Assembler::new(table.schema(), features, None, handle_invalid)?;
    if table.schema().column_with_name("prediction").is_some() {
        return Err(Error::new(
            ErrorCode::MlInput,
            "the table already has a `prediction` column; rename or drop it first",
        ));
    }
    let mut fields: Vec<Field> = fields_of(table.schema());
    fields.push(Field::new("prediction", DataType::Float64, true));
    let schema = Arc::new(Schema::new(fields));
    let partitions = table.partitions();
    let offsets = row_offsets(partitions);
    ctx.expect_steps(partitions.len());
    let scored: Vec<RecordBatch> = partitions
        .par_iter()
        .zip(&offsets)
        .map(|(batch, &first)| {
            ctx.check()?;
            let rows = assembler.rows(batch, first)?;
            let predictions: Float64Array = rows
                .values
                .outer_iter()
                .map(|x| Some(model.predict(x.as_slice().expect("rows are contiguous"))))
                .collect();
            let kept = if rows.row_numbers.len() == batch.num_rows() {
                batch.clone()
            } else {
                let mut keep = vec![false; batch.num_rows()];
                for &r in &rows.row_numbers {
                    keep[(r - first) as usize] = true;
                }
                arrow_select::filter::filter_record_batch(batch, &BooleanArray::from(keep))
                    .map_err(|e| Error::internal("dropping invalid rows", e))?
            };
            let mut columns = kept.columns().to_vec();
            columns.push(Arc::new(predictions));
            ctx.advance();
            RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::internal("assembling predictions", e))
        })
        .collect::<Result<_>>()?;
    Table::try_new(schema, scored)
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Int64Array};

    use super::*;

    fn table() -> Table {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Float64, true),
        ]));
        let batch = |a: Vec<Option<i64>>, b: Vec<Option<f64>>| {
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(a)),
                Arc::new(Float64Array::from(b)),
            ];
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        };
        Table::try_new(
            schema.clone(),
            vec![
                batch(vec![Some(1), Some(2)], vec![Some(0.5), None]),
                batch(vec![Some(3)], vec![Some(-1.0)]),
            ],
        )
        .unwrap()
    }

    fn predictions(table: &Table) -> Vec<f64> {
        table
            .partitions()
            .iter()
            .flat_map(|b| {
                let column = b.column_by_name("prediction").unwrap();
                column.as_primitive::<Float64Type>().values().to_vec()
            })
            .collect()
    }

    #[test]
    fn scores_rows_and_follows_handle_invalid() {
        let model = LinearModel {
            coefficients: vec![2.0, 10.0],
            intercept: 1.0,
        };
        let features = ["a".to_string(), "b".to_string()];
        let ctx = JobContext::default();
        let skipped = predict(&table(), &features, &model, HandleInvalid::Skip, &ctx).unwrap();
        assert_eq!(predictions(&skipped), vec![8.0, -3.0]);
        assert_eq!(skipped.num_rows(), 2);
        let kept = predict(&table(), &features, &model, HandleInvalid::Keep, &ctx).unwrap();
        let kept = predictions(&kept);
        assert_eq!(kept.len(), 3);
        assert!(kept[1].is_nan());
        let err = predict(&table(), &features, &model, HandleInvalid::Error, &ctx).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput);
        assert!(
            err.message().contains("`b` is NULL in row 2"),
            "{}",
            err.message()
        );
        let err = predict(&skipped, &features, &model, HandleInvalid::Skip, &ctx).unwrap_err();
        assert!(err.message().contains("`prediction`"), "{}", err.message());
    }
}
