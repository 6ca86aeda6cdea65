//! VectorAssembler: the chosen numeric columns of a table as dense rows of `f64`
//! (features, then the label and the instance weight when there are), partition by
//! partition, with Spark's `handleInvalid`.

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use ndarray::Array2;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::spark_type_name;
use crate::params::HandleInvalid;

/// The columns a model reads, resolved against a table's schema.
#[derive(Debug, Clone)]
pub struct Assembler {
    /// Column indices of the features, then of the label and the weight if there are.
    columns: Vec<usize>,
    names: Vec<String>,
    features: usize,
    handle_invalid: HandleInvalid,
}

/// Rows of one partition as a dense matrix, and the (0-based, table-wide) row number of
/// each, which folds and error messages use.
pub struct AssembledRows {
    pub values: Array2<f64>,
    pub row_numbers: Vec<u64>,
}

/// The columns a training job reads besides the features (Spark's `labelCol`,
/// `weightCol` and GBT's `validationIndicatorCol`), assembled after them in this order.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrainingColumns<'a> {
    pub label: Option<&'a str>,
    pub weight: Option<&'a str>,
    pub validation: Option<&'a str>,
}

impl Assembler {
    /// Resolves `features` (and the label, weight and validation indicator, when
    /// training) in `schema`; every column must be numeric or boolean, the validation
    /// indicator boolean (as Spark's).
    pub fn new(
        schema: &Schema,
        features: &[String],
        training: TrainingColumns,
        handle_invalid: HandleInvalid,
    ) -> Result<Self> {
        if features.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "choose at least one feature column",
            ));
        }
        let mut names: Vec<String> = features.to_vec();
        for (name, role) in [
            (training.label, "the label"),
            (training.weight, "the weight column"),
            (training.validation, "the validation indicator"),
        ] {
            let Some(name) = name else { continue };
            if names.iter().any(|n| n == name) {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "`{name}` cannot be {role} and also a feature, the label or the weight; \
                         choose another column"
                    ),
                )
                .in_column(name));
            }
            names.push(name.to_string());
        }
        if let Some(name) = training.validation {
            if let Some((_, field)) = schema.column_with_name(name) {
                if field.data_type() != &DataType::Boolean {
                    return Err(Error::new(
                        ErrorCode::MlInput,
                        format!(
                            "`{name}` is a {} column; validationIndicatorCol must be boolean \
                             (true marks a validation row); make one in SQL, e.g. \
                             `CASE WHEN id % 5 = 0 THEN true ELSE false END`",
                            spark_type_name(field.data_type())
                        ),
                    )
                    .in_column(name));
                }
            }
        }
        let columns = names
            .iter()
            .map(|name| {
                let (index, field) = schema.column_with_name(name).ok_or_else(|| {
                    Error::new(ErrorCode::MlInput, format!("there is no column `{name}`"))
                        .in_column(name.clone())
                })?;
                if !is_numeric(field.data_type()) {
                    return Err(Error::new(
                        ErrorCode::MlInput,
                        format!(
                            "`{name}` is a {} column; the model needs numbers. Pick numeric columns, index text with StringIndexer (Clean tab), or derive a number with SQL (e.g. CASE WHEN ... THEN 1 ELSE 0 END)",
                            spark_type_name(field.data_type())
                        ),
                    )
                    .in_column(name.clone()));
                }
                Ok(index)
            })
            .collect::<Result<_>>()?;
        Ok(Assembler {
            columns,
            names,
            features: features.len(),
            handle_invalid,
        })
    }

    /// Assembles one partition whose first row is table row `first_row` (0-based).
    pub fn rows(&self, batch: &RecordBatch, first_row: u64) -> Result<AssembledRows> {
        let columns: Vec<ArrayRef> = self
            .columns
            .iter()
            .map(|&c| {
                arrow_cast::cast(batch.column(c), &DataType::Float64)
                    .map_err(|e| Error::new(ErrorCode::MlInput, e.to_string()))
            })
            .collect::<Result<_>>()?;
        let n = batch.num_rows();
        let width = columns.len();
        let typed: Vec<_> = columns
            .iter()
            .map(|c| c.as_primitive::<Float64Type>())
            .collect();
        // Column by column into the row-major matrix; then the rows with a NULL, NaN or
        // infinity (rare) are resolved one by one.
        let mut values = vec![0.0; n * width];
        for (c, column) in typed.iter().enumerate() {
            // `skip`, not `values[c..]`: an empty partition has no values at all.
            for (slot, &v) in values
                .iter_mut()
                .skip(c)
                .step_by(width)
                .zip(column.values())
            {
                *slot = v;
            }
            if column.null_count() > 0 {
                for i in (0..n).filter(|&i| column.is_null(i)) {
                    values[i * width + c] = f64::NAN;
                }
            }
        }
        let invalid: Vec<usize> = values
            .chunks_exact(width)
            .enumerate()
            .filter(|(_, row)| !row.iter().all(|v| v.is_finite()))
            .map(|(i, _)| i)
            .collect();
        if let (Some(&i), HandleInvalid::Error) = (invalid.first(), self.handle_invalid) {
            let row = first_row + i as u64;
            let c = (0..width)
                .find(|&c| !values[i * width + c].is_finite())
                .expect("the row has an invalid value");
            let name = &self.names[c];
            let what = if typed[c].is_valid(i) {
                "is NaN or infinite"
            } else {
                "is NULL"
            };
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "`{name}` {what} in row {}; set handleInvalid to skip to drop such rows, or fill them in first",
                    row + 1
                ),
            )
            .at_row(row + 1)
            .in_column(name.clone()));
        }
        let mut row_numbers: Vec<u64> = (first_row..first_row + n as u64).collect();
        if self.handle_invalid == HandleInvalid::Skip && !invalid.is_empty() {
            let mut keep = vec![true; n];
            for &i in &invalid {
                keep[i] = false;
            }
            let mut kept = 0;
            for i in 0..n {
                if keep[i] {
                    values.copy_within(i * width..(i + 1) * width, kept * width);
                    row_numbers[kept] = row_numbers[i];
                    kept += 1;
                }
            }
            values.truncate(kept * width);
            row_numbers.truncate(kept);
        }
        let rows = row_numbers.len();
        let values = Array2::from_shape_vec((rows, width), values)
            .map_err(|e| Error::internal("assembling feature rows", e))?;
        Ok(AssembledRows {
            values,
            row_numbers,
        })
    }

    /// The feature names (without the label and the weight).
    pub fn feature_names(&self) -> &[String] {
        &self.names[..self.features]
    }
}

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::Boolean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_of;

    #[test]
    fn an_empty_partition_assembles_to_no_rows() {
        // A filter can leave a partition empty; training must not trip over it.
        let table = table_of("a:double,b:double,y:double", &["1,2,3"]);
        let assembler = Assembler::new(
            table.schema(),
            &["a".to_string(), "b".to_string()],
            TrainingColumns {
                label: Some("y"),
                ..Default::default()
            },
            HandleInvalid::Error,
        )
        .unwrap();
        let empty = table.partitions().unwrap()[0].slice(0, 0);
        let rows = assembler.rows(&empty, 7).unwrap();
        assert_eq!(rows.values.nrows(), 0);
        assert!(rows.row_numbers.is_empty());
    }
}
