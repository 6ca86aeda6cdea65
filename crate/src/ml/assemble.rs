//! VectorAssembler: the chosen numeric columns of a table as dense rows of `f64`
//! (features then label), partition by partition, with Spark's `handleInvalid`.

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::spark_type_name;

/// What to do with a row whose features or label are NULL or NaN (VectorAssembler's
/// `handleInvalid`; Spark's default is `error`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HandleInvalid {
    #[default]
    Error,
    Skip,
    /// Keeps the row with NaN: Spark's option, refused for training (no linear model
    /// can be fitted to NaN) but accepted for scoring, where the prediction is NaN.
    Keep,
}

/// The columns a linear model reads, resolved against a table's schema.
#[derive(Debug, Clone)]
pub struct Assembler {
    /// Column indices of the features, then of the label if there is one.
    columns: Vec<usize>,
    names: Vec<String>,
    handle_invalid: HandleInvalid,
}

/// Rows of one partition as a dense matrix, and the (0-based, table-wide) row number of
/// each, which folds and error messages use.
pub struct AssembledRows {
    pub values: Array2<f64>,
    pub row_numbers: Vec<u64>,
}

impl Assembler {
    /// Resolves `features` (and `label`, when training) in `schema`; every column must be
    /// numeric or boolean.
    pub fn new(
        schema: &Schema,
        features: &[String],
        label: Option<&str>,
        handle_invalid: HandleInvalid,
    ) -> Result<Self> {
        if features.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "choose at least one feature column",
            ));
        }
        let mut names: Vec<String> = features.to_vec();
        if let Some(label) = label {
            if features.iter().any(|f| f == label) {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "`{label}` is both the label and a feature; remove it from the features"
                    ),
                ));
            }
            names.push(label.to_string());
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
                            "`{name}` is a {} column; linear regression needs numbers. Pick numeric columns, or derive one with SQL (e.g. CASE WHEN ... THEN 1 ELSE 0 END)",
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
        let mut values = Vec::with_capacity(n * width);
        let mut row_numbers = Vec::with_capacity(n);
        let typed: Vec<_> = columns
            .iter()
            .map(|c| c.as_primitive::<Float64Type>())
            .collect();
        for i in 0..n {
            let row = first_row + i as u64;
            let start = values.len();
            let mut invalid = None;
            for (c, column) in typed.iter().enumerate() {
                let v = if column.is_valid(i) {
                    column.value(i)
                } else {
                    f64::NAN
                };
                if !v.is_finite() && invalid.is_none() {
                    invalid = Some(c);
                }
                values.push(v);
            }
            match (invalid, self.handle_invalid) {
                (None, _) | (Some(_), HandleInvalid::Keep) => row_numbers.push(row),
                (Some(_), HandleInvalid::Skip) => values.truncate(start),
                (Some(c), HandleInvalid::Error) => {
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
            }
        }
        let rows = row_numbers.len();
        let values = Array2::from_shape_vec((rows, width), values)
            .map_err(|e| Error::internal("assembling feature rows", e))?;
        Ok(AssembledRows {
            values,
            row_numbers,
        })
    }

    /// The feature names (without the label).
    pub fn feature_names(&self, has_label: bool) -> &[String] {
        &self.names[..self.names.len() - has_label as usize]
    }
}

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::Boolean)
}
