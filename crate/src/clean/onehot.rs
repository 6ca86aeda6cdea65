//! Spark ML's `OneHotEncoder`: category indices (as StringIndexer makes them) to 0/1
//! indicator features.
//!
//! Spark outputs one vector column; Arrow tables in Brasa have no vector type that SQL,
//! the grid and CSV/Parquet downloads all understand, so each vector slot is its own
//! double column, named as Spark names the slot when VectorAssembler expands the vector:
//! `<outputCol>_<label>` (the label of the index when a StringIndexer of the same pipeline
//! made the input, else the index). The layout is Spark's: `numCategories` slots (one more
//! for invalid values with `handleInvalid = keep`), the last one dropped with `dropLast`.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;

use crate::clean::columns::{as_doubles, check_new_name, check_pairs, fields_of, resolve};
use crate::clean::spec::{HandleInvalid, OneHotEncoderFitted};
use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Table};
use crate::job::JobContext;

/// The name of the slot `handleInvalid = keep` adds for invalid indices.
pub const INVALID_SLOT: &str = "__invalid";

/// The most categories one input may have (each becomes a column).
pub const MAX_CATEGORIES: usize = 1024;

/// The columns a fitted encoder writes for each of its `output_cols`: the slots of each
/// output vector, as Spark's VectorAssembler would expand them (`<outputCol>_<label>`).
pub fn slot_columns(
    output_cols: &[String],
    fitted: &OneHotEncoderFitted,
    drop_last: bool,
    handle_invalid: HandleInvalid,
) -> Vec<Vec<String>> {
    output_cols
        .iter()
        .zip(&fitted.category_names)
        .map(|(out, names)| {
            let mut slots: Vec<String> = names.iter().map(|n| format!("{out}_{n}")).collect();
            if handle_invalid == HandleInvalid::Keep {
                slots.push(format!("{out}_{INVALID_SLOT}"));
            }
            if drop_last {
                slots.pop();
            }
            slots
        })
        .collect()
}

pub struct OneHotEncoder {
    inputs: Vec<usize>,
    outputs: Vec<String>,
}

impl OneHotEncoder {
    pub fn new(schema: &Schema, input_cols: &[String], output_cols: &[String]) -> Result<Self> {
        check_pairs(input_cols, output_cols, "encode")?;
        let inputs = input_cols
            .iter()
            .map(|c| {
                let i = resolve(schema, c)?;
                let field = schema.field(i);
                if !field.data_type().is_numeric() {
                    return Err(Error::clean(format!(
                        "OneHotEncoder reads category indices and `{}` has type {}; index it with StringIndexer first",
                        field.name(),
                        spark_type_name(field.data_type())
                    ))
                    .in_column(field.name().clone()));
                }
                Ok(i)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(OneHotEncoder {
            inputs,
            outputs: output_cols.to_vec(),
        })
    }

    /// Learns the number of categories of each input. An input made by a StringIndexer
    /// of the same pipeline has as many as the indexer has labels (`known_labels[k]`,
    /// with `__unknown` when the indexer keeps invalid values), as Spark reads them from
    /// the indexer's metadata; any other input has its largest index + 1, found in one
    /// parallel pass.
    pub fn fit(
        &self,
        table: &Table,
        known_labels: &[Option<Vec<String>>],
        ctx: &JobContext,
    ) -> Result<OneHotEncoderFitted> {
        let known = |k: usize| known_labels.get(k).cloned().flatten();
        let scanned: Vec<usize> = (0..self.inputs.len())
            .filter(|&k| known(k).is_none())
            .collect();
        ctx.expect_steps(table.num_partitions());
        let maxima: Vec<Vec<f64>> = table
            .partitions()?
            .par_iter()
            .map(|batch| {
                ctx.check()?;
                let m = scanned
                    .iter()
                    .map(|&k| {
                        let values = as_doubles(batch.column(self.inputs[k]))?;
                        Ok(values.iter().flatten().fold(-1.0f64, f64::max))
                    })
                    .collect::<Result<Vec<_>>>();
                ctx.advance();
                m
            })
            .collect::<Result<_>>()?;
        let mut sizes = Vec::new();
        let mut names = Vec::new();
        for (k, &c) in self.inputs.iter().enumerate() {
            let name = table.schema().field(c).name();
            let labels = match known(k) {
                Some(labels) => labels,
                None => {
                    let s = scanned.iter().position(|&j| j == k).unwrap_or(0);
                    let max = maxima.iter().map(|m| m[s]).fold(-1.0, f64::max);
                    if max < 0.0 {
                        return Err(Error::clean(format!(
                            "`{name}` has no category index to learn from (no values that are not NULL)"
                        ))
                        .in_column(name.clone()));
                    }
                    if max >= MAX_CATEGORIES as f64 {
                        return Err(too_many(name, max as usize + 1));
                    }
                    (0..=max as usize).map(|i| i.to_string()).collect()
                }
            };
            if labels.len() > MAX_CATEGORIES {
                return Err(too_many(name, labels.len()));
            }
            sizes.push(labels.len());
            names.push(labels);
        }
        Ok(OneHotEncoderFitted {
            category_sizes: sizes,
            category_names: names,
        })
    }

    /// The output columns' names, input by input.
    fn slot_names(
        &self,
        fitted: &OneHotEncoderFitted,
        drop_last: bool,
        handle_invalid: HandleInvalid,
    ) -> Vec<Vec<String>> {
        slot_columns(&self.outputs, fitted, drop_last, handle_invalid)
    }

    pub fn transform(
        &self,
        table: &Table,
        fitted: &OneHotEncoderFitted,
        drop_last: bool,
        handle_invalid: HandleInvalid,
        ctx: &JobContext,
    ) -> Result<Table> {
        let schema = self.output_schema(table.schema(), fitted, drop_last, handle_invalid)?;
        let sizes = self.slot_counts(fitted, drop_last, handle_invalid);
        table.map_partitions(schema.clone(), ctx, |batch, first_row| {
            self.encode_batch(batch, fitted, &sizes, handle_invalid, &schema, first_row)
        })
    }

    /// The input's schema with every slot column appended, after checking the fitted
    /// state and `handleInvalid`.
    pub(crate) fn output_schema(
        &self,
        input: &Schema,
        fitted: &OneHotEncoderFitted,
        drop_last: bool,
        handle_invalid: HandleInvalid,
    ) -> Result<SchemaRef> {
        if handle_invalid == HandleInvalid::Skip {
            return Err(Error::clean(
                "OneHotEncoder's handleInvalid is error or keep (skip is StringIndexer's)",
            ));
        }
        if fitted.category_sizes.len() != self.inputs.len()
            || fitted.category_names.len() != self.inputs.len()
        {
            return Err(Error::clean(
                "the fitted OneHotEncoder does not match its columns; fit it again",
            ));
        }
        let slots = self.slot_names(fitted, drop_last, handle_invalid);
        let mut fields: Vec<Field> = fields_of(input);
        for name in slots.iter().flatten() {
            check_new_name(&Schema::new(fields.clone()), name, None)?;
            fields.push(Field::new(name, DataType::Float64, false));
        }
        Ok(Arc::new(Schema::new(fields)))
    }

    /// How many slot columns each input writes.
    pub(crate) fn slot_counts(
        &self,
        fitted: &OneHotEncoderFitted,
        drop_last: bool,
        handle_invalid: HandleInvalid,
    ) -> Vec<usize> {
        self.slot_names(fitted, drop_last, handle_invalid)
            .iter()
            .map(Vec::len)
            .collect()
    }

    /// One batch encoded, with `schema` from [`OneHotEncoder::output_schema`] and
    /// `slots` from [`OneHotEncoder::slot_counts`]; `first_row` numbers rows in errors.
    pub(crate) fn encode_batch(
        &self,
        batch: &RecordBatch,
        fitted: &OneHotEncoderFitted,
        slots: &[usize],
        handle_invalid: HandleInvalid,
        schema: &SchemaRef,
        first_row: usize,
    ) -> Result<RecordBatch> {
        let rows = batch.num_rows();
        let mut columns = batch.columns().to_vec();
        for (k, &c) in self.inputs.iter().enumerate() {
            let size = fitted.category_sizes[k];
            let values = as_doubles(batch.column(c))?;
            let mut ones: Vec<Vec<f64>> = vec![vec![0.0; rows]; slots[k]];
            for i in 0..rows {
                let v = values.is_valid(i).then(|| values.value(i));
                let slot = match v {
                    Some(v) if v >= 0.0 && v.fract() == 0.0 && (v as usize) < size => v as usize,
                    _ if handle_invalid == HandleInvalid::Keep => size,
                    _ => {
                        let name = batch.schema_ref().field(c).name().clone();
                        let shown = v.map_or("NULL".to_string(), |v| v.to_string());
                        return Err(Error::clean(format!(
                            "OneHotEncoder met the category index {shown} in `{name}` at row {}, outside the {size} categories it was fitted on; set handleInvalid to keep",
                            first_row + i + 1
                        ))
                        .at_row((first_row + i + 1) as u64)
                        .in_column(name));
                    }
                };
                if let Some(column) = ones.get_mut(slot) {
                    column[i] = 1.0;
                }
            }
            columns.extend(
                ones.into_iter()
                    .map(|v| Arc::new(Float64Array::from(v)) as ArrayRef),
            );
        }
        RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| Error::internal("one-hot encoding", e))
    }
}

fn too_many(name: &str, size: usize) -> Error {
    Error::clean(format!(
        "`{name}` has {size} categories; one-hot encoding makes a column per category and stops at {MAX_CATEGORIES}"
    ))
    .in_column(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_in_parts;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;

    fn encode(
        drop_last: bool,
        invalid: HandleInvalid,
        rows: &[&str],
    ) -> (Vec<String>, Vec<Vec<f64>>) {
        let train = table_in_parts("i:double", &["0", "1", "2", "1"], 2);
        let t = table_in_parts("i:double", rows, 2);
        let ohe = OneHotEncoder::new(train.schema(), &["i".into()], &["v".into()]).unwrap();
        let ctx = JobContext::default();
        let labels = vec![Some(vec![
            "b".to_string(),
            "a".to_string(),
            "c".to_string(),
        ])];
        let fit = ohe.fit(&train, &labels, &ctx).unwrap();
        assert_eq!(fit.category_sizes, [3]);
        let out = ohe.transform(&t, &fit, drop_last, invalid, &ctx).unwrap();
        let b = out.window(0, out.num_rows()).unwrap();
        let names = b
            .schema()
            .fields()
            .iter()
            .skip(1)
            .map(|f| f.name().clone())
            .collect();
        let values = (1..b.num_columns())
            .map(|c| b.column(c).as_primitive::<Float64Type>().values().to_vec())
            .collect();
        (names, values)
    }

    #[test]
    fn layout_follows_spark() {
        let (names, values) = encode(true, HandleInvalid::Error, &["0", "2", "1"]);
        assert_eq!(names, ["v_b", "v_a"]);
        assert_eq!(values, [vec![1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]]);
        let (names, _) = encode(false, HandleInvalid::Error, &["0"]);
        assert_eq!(names, ["v_b", "v_a", "v_c"]);
        // keep + dropLast: the invalid slot is the one dropped; an invalid row is all zeros.
        let (names, values) = encode(true, HandleInvalid::Keep, &["7", "2"]);
        assert_eq!(names, ["v_b", "v_a", "v_c"]);
        assert_eq!(values, [vec![0.0, 0.0], vec![0.0, 0.0], vec![0.0, 1.0]]);
        let (names, values) = encode(false, HandleInvalid::Keep, &["", "0"]);
        assert_eq!(names, ["v_b", "v_a", "v_c", "v___invalid"]);
        assert_eq!(values[3], [1.0, 0.0]);
    }

    #[test]
    fn invalid_index_is_an_error_with_its_row() {
        let train = table_in_parts("i:double", &["0", "1"], 1);
        let t = table_in_parts("i:double", &["0", "1", "1.5"], 2);
        let ohe = OneHotEncoder::new(train.schema(), &["i".into()], &["v".into()]).unwrap();
        let ctx = JobContext::default();
        let fit = ohe.fit(&train, &[None], &ctx).unwrap();
        assert_eq!(fit.category_names, [["0", "1"]]);
        let err = ohe
            .transform(&t, &fit, true, HandleInvalid::Error, &ctx)
            .unwrap_err();
        assert_eq!(err.location().row, Some(3));
    }
}
