//! Scoring: a fitted model applied to a table (Spark's `model.transform`), with Spark's
//! output columns:
//! - a regression model adds `prediction`;
//! - a classifier adds `rawPrediction_<label>` and `probability_<label>` (Spark's vectors,
//!   one column per class, as OneHotEncoder's slots are), `prediction` (the class index)
//!   and `predictedLabel` (IndexToString of the index);
//! - a clustering model adds `prediction`, the cluster index (an `int`, as Spark's).
//!
//! Rows with a NULL or NaN feature follow `handleInvalid`: `keep` scores them as NaN (no
//! class, no cluster: NULL).

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;

use crate::clean::columns::fields_of;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::{Assembler, TrainingColumns};
use crate::ml::estimator::{TaskKind, TrainedModel};
use crate::params::HandleInvalid;

/// The columns `model` adds, in order.
fn output_fields(model: &TrainedModel, labels: &[String]) -> Vec<Field> {
    match model.task() {
        TaskKind::Regression => vec![Field::new("prediction", DataType::Float64, true)],
        TaskKind::Clustering => vec![Field::new("prediction", DataType::Int32, true)],
        TaskKind::Classification => {
            let mut fields = Vec::new();
            for prefix in ["rawPrediction", "probability"] {
                for c in 0..model.num_classes() {
                    fields.push(Field::new(
                        format!("{prefix}_{}", class_name(labels, c)),
                        DataType::Float64,
                        true,
                    ));
                }
            }
            fields.push(Field::new("prediction", DataType::Float64, true));
            fields.push(Field::new("predictedLabel", DataType::Utf8, true));
            fields
        }
    }
}

fn class_name(labels: &[String], class: usize) -> String {
    labels
        .get(class)
        .cloned()
        .unwrap_or_else(|| class.to_string())
}

/// Scores `table` with `model`: the table plus the model's output columns.
pub fn predict(
    table: &Table,
    features: &[String],
    model: &TrainedModel,
    labels: &[String],
    handle_invalid: HandleInvalid,
    ctx: &JobContext,
) -> Result<Table> {
    model.check()?;
    if model.num_features() != features.len() {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "the model reads {} features but {} feature columns were given",
                model.num_features(),
                features.len()
            ),
        ));
    }
    let assembler = Assembler::new(
        table.schema(),
        features,
        TrainingColumns::default(),
        handle_invalid,
    )?;
    let added = output_fields(model, labels);
    let mut fields: Vec<Field> = fields_of(table.schema());
    for field in &added {
        if fields
            .iter()
            .any(|f| f.name().eq_ignore_ascii_case(field.name()))
        {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "the table already has a `{}` column; rename or drop it first",
                    field.name()
                ),
            ));
        }
    }
    fields.extend(added);
    let schema = Arc::new(Schema::new(fields));
    let offsets: Vec<u64> = table.row_starts().iter().map(|&r| r as u64).collect();
    ctx.expect_steps(table.num_partitions());
    // Partition by partition: a compact table's partitions are decoded one at a time.
    let scored: Vec<RecordBatch> = (0..table.num_partitions())
        .into_par_iter()
        .zip(&offsets[..table.num_partitions()])
        .map(|(i, &first)| {
            ctx.check()?;
            let batch = &table.partition(i)?;
            let rows = assembler.rows(batch, first)?;
            let outputs = score_rows(model, labels, &rows.values)?;
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
            columns.extend(outputs);
            ctx.advance();
            RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::internal("assembling predictions", e))
        })
        .collect::<Result<_>>()?;
    Table::try_new(schema, scored)
}

/// The output columns for assembled rows (NaN where a feature is not a number).
fn score_rows(
    model: &TrainedModel,
    labels: &[String],
    rows: &ndarray::Array2<f64>,
) -> Result<Vec<ArrayRef>> {
    let n = rows.nrows();
    let mut predictor = model.predictor();
    let valid = |x: &[f64]| x.iter().all(|v| v.is_finite());
    match model.task() {
        TaskKind::Regression => {
            let mut out = Float64Builder::with_capacity(n);
            for x in rows.outer_iter() {
                let x = x.as_slice().ok_or_else(not_contiguous)?;
                out.append_value(if valid(x) {
                    predictor.predict(x)
                } else {
                    f64::NAN
                });
            }
            Ok(vec![Arc::new(out.finish())])
        }
        TaskKind::Clustering => {
            let mut out = Int32Builder::with_capacity(n);
            for x in rows.outer_iter() {
                let x = x.as_slice().ok_or_else(not_contiguous)?;
                if valid(x) {
                    out.append_value(predictor.predict(x) as i32);
                } else {
                    out.append_null();
                }
            }
            Ok(vec![Arc::new(out.finish())])
        }
        TaskKind::Classification => {
            let classes = model.num_classes();
            let mut raw: Vec<Float64Builder> = (0..classes)
                .map(|_| Float64Builder::with_capacity(n))
                .collect();
            let mut probability: Vec<Float64Builder> = (0..classes)
                .map(|_| Float64Builder::with_capacity(n))
                .collect();
            let mut prediction = Float64Builder::with_capacity(n);
            let mut label = StringBuilder::with_capacity(n, n * 8);
            for x in rows.outer_iter() {
                let x = x.as_slice().ok_or_else(not_contiguous)?;
                if !valid(x) {
                    raw.iter_mut()
                        .chain(&mut probability)
                        .for_each(|b| b.append_value(f64::NAN));
                    prediction.append_value(f64::NAN);
                    label.append_null();
                    continue;
                }
                let class = predictor.predict(x);
                for c in 0..classes {
                    raw[c].append_value(predictor.raw[c]);
                    probability[c].append_value(predictor.probability[c]);
                }
                prediction.append_value(class);
                label.append_value(class_name(labels, class as usize));
            }
            let mut columns: Vec<ArrayRef> = Vec::with_capacity(2 * classes + 2);
            columns.extend(raw.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
            columns.extend(
                probability
                    .iter_mut()
                    .map(|b| Arc::new(b.finish()) as ArrayRef),
            );
            columns.push(Arc::new(prediction.finish()));
            columns.push(Arc::new(label.finish()));
            Ok(columns)
        }
    }
}

fn not_contiguous() -> Error {
    Error::new(ErrorCode::Internal, "assembled rows are not contiguous")
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Int64Array};

    use super::*;
    use crate::ml::linear::LinearModel;

    fn table() -> Table {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Float64, true),
        ]));
        let batch = |a: Vec<Option<i64>>, b: Vec<Option<f64>>| {
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(a)),
                Arc::new(arrow_array::Float64Array::from(b)),
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
            .unwrap()
            .iter()
            .flat_map(|b| {
                let column = b.column_by_name("prediction").unwrap();
                column.as_primitive::<Float64Type>().values().to_vec()
            })
            .collect()
    }

    #[test]
    fn scores_rows_and_follows_handle_invalid() {
        let model = TrainedModel::LinearRegression {
            scaler: None,
            model: LinearModel {
                coefficients: vec![2.0, 10.0],
                intercept: 1.0,
            },
        };
        let features = ["a".to_string(), "b".to_string()];
        let ctx = JobContext::default();
        let skipped = predict(&table(), &features, &model, &[], HandleInvalid::Skip, &ctx).unwrap();
        assert_eq!(predictions(&skipped), vec![8.0, -3.0]);
        assert_eq!(skipped.num_rows(), 2);
        let kept = predict(&table(), &features, &model, &[], HandleInvalid::Keep, &ctx).unwrap();
        let kept = predictions(&kept);
        assert_eq!(kept.len(), 3);
        assert!(kept[1].is_nan());
        let err =
            predict(&table(), &features, &model, &[], HandleInvalid::Error, &ctx).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput);
        assert!(
            err.message().contains("`b` is NULL in row 2"),
            "{}",
            err.message()
        );
        let err = predict(&skipped, &features, &model, &[], HandleInvalid::Skip, &ctx).unwrap_err();
        assert!(err.message().contains("`prediction`"), "{}", err.message());
    }
}
