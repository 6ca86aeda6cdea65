//! Spark ML's `StringIndexer`: maps each distinct value of a column to a double index,
//! labels ordered by `stringOrderType`, learned in one parallel pass.
//!
//! Spark's rules: values of any type are indexed by their string form (`1.0`, `true`);
//! NULL is not a label; frequency orders break ties alphabetically (ascending); at
//! transform time an unseen value or a NULL is invalid: `error` fails naming the value and
//! row, `skip` drops the row, `keep` gives index `numLabels`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use foldhash::HashMap;
use foldhash::HashMapExt;
use rayon::prelude::*;

use crate::clean::columns::{check_new_name, check_pairs, fields_of, resolve};
use crate::clean::spec::{HandleInvalid, StringIndexerFitted, StringOrderType};
use crate::error::{Error, Result};
use crate::frame::Table;
use crate::sql::exec::{spark_cast, ExecContext};

/// The name Spark gives the extra category of `handleInvalid = keep`.
pub const UNKNOWN_LABEL: &str = "__unknown";

/// The resolved columns of a StringIndexer step.
pub struct StringIndexer {
    inputs: Vec<usize>,
    outputs: Vec<String>,
}

/// A column's values as strings (Spark's cast to string for non-string columns).
fn as_strings(column: &ArrayRef) -> Result<StringArray> {
    Ok(match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().clone(),
        _ => spark_cast(column, &DataType::Utf8)?
            .as_string::<i32>()
            .clone(),
    })
}

impl StringIndexer {
    pub fn new(schema: &Schema, input_cols: &[String], output_cols: &[String]) -> Result<Self> {
        check_pairs(input_cols, output_cols, "index")?;
        let inputs = input_cols
            .iter()
            .map(|c| resolve(schema, c))
            .collect::<Result<Vec<_>>>()?;
        for (k, output) in output_cols.iter().enumerate() {
            check_new_name(schema, output, None)?;
            if output_cols[..k]
                .iter()
                .any(|o| o.to_lowercase() == output.to_lowercase())
            {
                return Err(Error::clean(format!(
                    "`{output}` is given twice as an output"
                )));
            }
        }
        Ok(StringIndexer {
            inputs,
            outputs: output_cols.to_vec(),
        })
    }

    /// Counts every value of every input column in one parallel pass and orders the labels.
    pub fn fit(
        &self,
        table: &Table,
        order: StringOrderType,
        ctx: &ExecContext,
    ) -> Result<StringIndexerFitted> {
        ctx.expect_steps(table.num_partitions());
        let partials: Vec<Vec<HashMap<String, u64>>> = table
            .partitions()
            .par_iter()
            .map(|batch| {
                ctx.check()?;
                let counts = self
                    .inputs
                    .iter()
                    .map(|&c| count_values(&as_strings(batch.column(c))?))
                    .collect::<Result<Vec<_>>>();
                ctx.advance();
                counts
            })
            .collect::<Result<_>>()?;
        let labels = (0..self.inputs.len())
            .into_par_iter()
            .map(|k| {
                let mut total: HashMap<String, u64> = HashMap::new();
                for part in &partials {
                    for (label, n) in &part[k] {
                        match total.get_mut(label.as_str()) {
                            Some(t) => *t += n,
                            None => {
                                total.insert(label.clone(), *n);
                            }
                        }
                    }
                }
                order_labels(total.into_iter().collect(), order)
            })
            .collect();
        Ok(StringIndexerFitted { labels })
    }

    /// Adds one index column per input.
    pub fn transform(
        &self,
        table: &Table,
        fitted: &StringIndexerFitted,
        handle_invalid: HandleInvalid,
        ctx: &ExecContext,
    ) -> Result<Table> {
        if fitted.labels.len() != self.inputs.len() {
            return Err(Error::clean(format!(
                "the fitted StringIndexer has labels for {} columns, not {}; fit it again",
                fitted.labels.len(),
                self.inputs.len()
            )));
        }
        let lookups: Vec<HashMap<&str, f64>> = fitted
            .labels
            .iter()
            .map(|labels| {
                labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.as_str(), i as f64))
                    .collect()
            })
            .collect();
        let mut fields: Vec<Field> = fields_of(table.schema());
        fields.extend(
            self.outputs
                .iter()
                .map(|name| Field::new(name, DataType::Float64, false)),
        );
        let schema = Arc::new(Schema::new(fields));
        table.map_partitions(schema.clone(), ctx, |batch, first_row| {
            let rows = batch.num_rows();
            let mut keep = vec![true; rows];
            let mut indexed: Vec<ArrayRef> = Vec::with_capacity(self.inputs.len());
            for (k, &c) in self.inputs.iter().enumerate() {
                let values = as_strings(batch.column(c))?;
                let lookup = &lookups[k];
                let unknown = lookup.len() as f64;
                let mut out = Vec::with_capacity(rows);
                for (i, value) in values.iter().enumerate() {
                    match value.and_then(|v| lookup.get(v)) {
                        Some(&index) => out.push(index),
                        None => match handle_invalid {
                            HandleInvalid::Error => {
                                return Err(invalid_value(
                                    table.schema().field(c).name(),
                                    value,
                                    first_row + i,
                                ))
                            }
                            HandleInvalid::Skip => {
                                keep[i] = false;
                                out.push(unknown);
                            }
                            HandleInvalid::Keep => out.push(unknown),
                        },
                    }
                }
                indexed.push(Arc::new(Float64Array::from(out)));
            }
            let mut columns = batch.columns().to_vec();
            columns.extend(indexed);
            let out = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::internal("indexing strings", e))?;
            if keep.iter().all(|&k| k) {
                return Ok(out);
            }
            arrow_select::filter::filter_record_batch(&out, &BooleanArray::from(keep))
                .map_err(|e| Error::internal("skipping invalid rows", e))
        })
    }
}

fn count_values(values: &StringArray) -> Result<HashMap<String, u64>> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for v in values.iter().flatten() {
        *counts.entry(v).or_insert(0) += 1;
    }
    Ok(counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect())
}

/// Labels in index order (Spark's `stringOrderType`, ties alphabetical ascending).
fn order_labels(mut counted: Vec<(String, u64)>, order: StringOrderType) -> Vec<String> {
    match order {
        StringOrderType::FrequencyDesc => {
            counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)))
        }
        StringOrderType::FrequencyAsc => {
            counted.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
        }
        StringOrderType::AlphabetDesc => counted.sort_unstable_by(|a, b| b.0.cmp(&a.0)),
        StringOrderType::AlphabetAsc => counted.sort_unstable_by(|a, b| a.0.cmp(&b.0)),
    }
    counted.into_iter().map(|(label, _)| label).collect()
}

fn invalid_value(column: &str, value: Option<&str>, row: usize) -> Error {
    let what = match value {
        Some(v) => format!("the value \"{v}\", which was not seen when fitting,"),
        None => "NULL".to_string(),
    };
    Error::clean(format!(
        "StringIndexer met {what} in `{column}` at row {}; set handleInvalid to skip (drop such rows) or keep (index them as {UNKNOWN_LABEL})",
        row + 1
    ))
    .at_row(row as u64 + 1)
    .in_column(column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::testing::table_in_parts;
    use arrow_array::types::Float64Type;

    fn labels(t: &Table, col: &str, order: StringOrderType) -> Vec<String> {
        let indexer = StringIndexer::new(t.schema(), &[col.into()], &["out".into()]).unwrap();
        indexer
            .fit(t, order, &ExecContext::default())
            .unwrap()
            .labels
            .remove(0)
    }

    #[test]
    fn orders_labels_like_spark() {
        let rows = ["b", "a", "c", "b", "", "a", "d", "b"];
        let t = table_in_parts("s:string", &rows, 3);
        assert_eq!(
            labels(&t, "s", StringOrderType::FrequencyDesc),
            ["b", "a", "c", "d"]
        );
        assert_eq!(
            labels(&t, "s", StringOrderType::FrequencyAsc),
            ["c", "d", "a", "b"]
        );
        assert_eq!(
            labels(&t, "s", StringOrderType::AlphabetDesc),
            ["d", "c", "b", "a"]
        );
        assert_eq!(
            labels(&t, "s", StringOrderType::AlphabetAsc),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn numbers_are_indexed_as_their_string_form() {
        let t = table_in_parts("x:double,n:int", &["1.5,10", "2.0,9", "1.5,10"], 2);
        assert_eq!(
            labels(&t, "x", StringOrderType::FrequencyDesc),
            ["1.5", "2.0"]
        );
        assert_eq!(labels(&t, "n", StringOrderType::AlphabetAsc), ["10", "9"]);
    }

    #[test]
    fn handle_invalid_error_skip_keep() {
        let train = table_in_parts("s:string", &["a", "b", "a"], 1);
        let test = table_in_parts("s:string", &["a", "z", "", "b"], 2);
        let indexer = StringIndexer::new(train.schema(), &["s".into()], &["i".into()]).unwrap();
        let ctx = ExecContext::default();
        let fit = indexer
            .fit(&train, StringOrderType::FrequencyDesc, &ctx)
            .unwrap();
        let err = indexer
            .transform(&test, &fit, HandleInvalid::Error, &ctx)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::CleanInput);
        assert_eq!(err.location().row, Some(2));
        assert!(err.message().contains("\"z\""), "{}", err.message());
        let index = |h| {
            let t = indexer.transform(&test, &fit, h, &ctx).unwrap();
            let b = t.window(0, t.num_rows()).unwrap();
            b.column(1).as_primitive::<Float64Type>().values().to_vec()
        };
        assert_eq!(index(HandleInvalid::Skip), [0.0, 1.0]);
        assert_eq!(index(HandleInvalid::Keep), [0.0, 2.0, 2.0, 1.0]);
    }
}
