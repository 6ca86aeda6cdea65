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
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use foldhash::HashMap;
use foldhash::HashMapExt;
use rayon::prelude::*;

use crate::clean::columns::{check_new_name, check_pairs, fields_of, resolve};
use crate::clean::spec::{HandleInvalid, StringIndexerFitted, StringOrderType};
use crate::error::{Error, Result};
use crate::frame::compact::compact_batch;
use crate::frame::{first_error_in_row_order, Table};
use crate::job::JobContext;
use crate::sql::exec::spark_cast;

/// The name Spark gives the extra category of `handleInvalid = keep`.
pub const UNKNOWN_LABEL: &str = "__unknown";

/// The resolved columns of a StringIndexer step.
pub struct StringIndexer {
    inputs: Vec<usize>,
    outputs: Vec<String>,
}

/// A column's values as strings (Spark's cast to string for non-string columns).
pub(crate) fn as_strings(column: &ArrayRef) -> Result<StringArray> {
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
        ctx: &JobContext,
    ) -> Result<StringIndexerFitted> {
        let strings = self.strings(table)?;
        let encoded = self.encode(&strings, ctx)?;
        Ok(self.merge(&encoded, order))
    }

    /// Fits and transforms with one pass of string hashing: each partition's values are
    /// coded against a dictionary of that partition, the dictionaries are merged into the
    /// labels, and each partition's codes are then mapped to label indices (integers only).
    pub fn fit_transform(
        &self,
        table: &Table,
        order: StringOrderType,
        handle_invalid: HandleInvalid,
        ctx: &JobContext,
    ) -> Result<(Table, StringIndexerFitted)> {
        let strings = self.strings(table)?;
        let encoded = self.encode(&strings, ctx)?;
        let fitted = self.merge(&encoded, order);
        let positions: Vec<HashMap<&str, f64>> =
            fitted.labels.iter().map(|l| positions(l)).collect();
        let schema = self.output_schema(table);
        ctx.expect_steps(table.num_partitions());
        // Partition by partition: a compact table's partitions are decoded one at a time
        // and the output stored compact again.
        let compact = table.is_compact();
        let partitions = (0..table.num_partitions())
            .into_par_iter()
            .zip(&encoded)
            .zip(table.row_starts())
            .map(|((p, parts), &first_row)| {
                ctx.check()?;
                let batch = &table.partition(p)?;
                let mut rows = IndexedRows::new(batch.num_rows());
                for (k, part) in parts.iter().enumerate() {
                    // Every label of the partition is in the fitted labels.
                    let remap: Vec<f64> = part
                        .dictionary
                        .iter()
                        .map(|label| positions[k].get(label).copied().unwrap_or(f64::NAN))
                        .collect();
                    let unknown = positions[k].len() as f64;
                    let mut out = Vec::with_capacity(part.codes.len());
                    for (i, &code) in part.codes.iter().enumerate() {
                        match remap.get(code as usize) {
                            Some(&index) => out.push(index),
                            None => out.push(rows.invalid(
                                i,
                                None,
                                unknown,
                                handle_invalid,
                                || table.schema().field(self.inputs[k]).name().clone(),
                                first_row,
                            )?),
                        }
                    }
                    rows.columns.push(Arc::new(Float64Array::from(out)));
                }
                let out = rows.finish(batch, &schema)?;
                ctx.advance();
                if compact {
                    compact_batch(&out)
                } else {
                    Ok(out)
                }
            })
            .collect::<Vec<_>>();
        let partitions = first_error_in_row_order(partitions)?;
        Ok((Table::try_new(schema, partitions)?, fitted))
    }

    /// The input columns of every partition as strings (a cheap copy of the array's
    /// handle for string columns, Spark's cast to string for the others).
    fn strings(&self, table: &Table) -> Result<Vec<Vec<StringArray>>> {
        // Only the input columns (of a compact table: only they are decoded).
        (0..table.num_partitions())
            .into_par_iter()
            .map(|p| {
                let batch = table.partition_columns(p, &self.inputs)?;
                batch.columns().iter().map(as_strings).collect()
            })
            .collect()
    }

    /// Each partition's values coded against a dictionary of that partition.
    fn encode<'s>(
        &self,
        strings: &'s [Vec<StringArray>],
        ctx: &JobContext,
    ) -> Result<Vec<Vec<Encoded<'s>>>> {
        ctx.expect_steps(strings.len());
        strings
            .par_iter()
            .map(|columns| {
                ctx.check()?;
                let coded = columns.iter().map(Encoded::of).collect();
                ctx.advance();
                Ok(coded)
            })
            .collect()
    }

    /// The labels of every input, from the partitions' dictionaries and counts.
    fn merge(&self, encoded: &[Vec<Encoded<'_>>], order: StringOrderType) -> StringIndexerFitted {
        let labels = (0..self.inputs.len())
            .into_par_iter()
            .map(|k| {
                let mut total: HashMap<&str, u64> = HashMap::new();
                for part in encoded {
                    for (label, n) in part[k].dictionary.iter().zip(&part[k].counts) {
                        *total.entry(label).or_insert(0) += n;
                    }
                }
                order_labels(
                    total.into_iter().map(|(l, n)| (l.to_string(), n)).collect(),
                    order,
                )
            })
            .collect();
        StringIndexerFitted { labels }
    }

    /// The input's schema with one index column per input appended.
    pub(crate) fn output_schema(&self, table: &Table) -> SchemaRef {
        self.output_schema_of(table.schema())
    }

    pub(crate) fn output_schema_of(&self, input: &Schema) -> SchemaRef {
        let mut fields: Vec<Field> = fields_of(input);
        fields.extend(
            self.outputs
                .iter()
                .map(|name| Field::new(name, DataType::Float64, false)),
        );
        Arc::new(Schema::new(fields))
    }

    /// Adds one index column per input, looking each value up in the fitted labels.
    pub fn transform(
        &self,
        table: &Table,
        fitted: &StringIndexerFitted,
        handle_invalid: HandleInvalid,
        ctx: &JobContext,
    ) -> Result<Table> {
        if fitted.labels.len() != self.inputs.len() {
            return Err(Error::clean(format!(
                "the fitted StringIndexer has labels for {} columns, not {}; fit it again",
                fitted.labels.len(),
                self.inputs.len()
            )));
        }
        let lookups: Vec<HashMap<&str, f64>> = fitted.labels.iter().map(|l| positions(l)).collect();
        let schema = self.output_schema(table);
        table.map_partitions(schema.clone(), ctx, |batch, first_row| {
            let mut rows = IndexedRows::new(batch.num_rows());
            for (k, &c) in self.inputs.iter().enumerate() {
                let values = as_strings(batch.column(c))?;
                let lookup = &lookups[k];
                let unknown = lookup.len() as f64;
                let mut out = Vec::with_capacity(values.len());
                for (i, value) in values.iter().enumerate() {
                    match value.and_then(|v| lookup.get(v)) {
                        Some(&index) => out.push(index),
                        None => out.push(rows.invalid(
                            i,
                            value,
                            unknown,
                            handle_invalid,
                            || table.schema().field(c).name().clone(),
                            first_row,
                        )?),
                    }
                }
                rows.columns.push(Arc::new(Float64Array::from(out)));
            }
            rows.finish(batch, &schema)
        })
    }
}

/// Each label's index.
fn positions(labels: &[String]) -> HashMap<&str, f64> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as f64))
        .collect()
}

/// One partition's values of a column as codes into a dictionary of its distinct values
/// (first-seen order), with each value's count. NULL has no code.
struct Encoded<'t> {
    dictionary: Vec<&'t str>,
    counts: Vec<u64>,
    codes: Vec<u32>,
}

const NULL_CODE: u32 = u32::MAX;

impl<'t> Encoded<'t> {
    fn of(values: &'t StringArray) -> Self {
        let mut coded = Encoded {
            dictionary: Vec::new(),
            counts: Vec::new(),
            codes: Vec::with_capacity(values.len()),
        };
        let mut index: HashMap<&'t str, u32> = HashMap::new();
        let mut code_of = |value: &'t str| -> u32 {
            let next = index.len() as u32;
            let code = *index.entry(value).or_insert(next);
            if code == next {
                coded.dictionary.push(value);
                coded.counts.push(0);
            }
            coded.counts[code as usize] += 1;
            code
        };
        for value in values.iter() {
            let code = value.map_or(NULL_CODE, &mut code_of);
            coded.codes.push(code);
        }
        coded
    }
}

/// The index columns of one partition being built, and the rows `skip` drops.
struct IndexedRows {
    columns: Vec<ArrayRef>,
    keep: Option<Vec<bool>>,
    rows: usize,
}

impl IndexedRows {
    fn new(rows: usize) -> Self {
        IndexedRows {
            columns: Vec::new(),
            keep: None,
            rows,
        }
    }

    /// The index for an invalid value (unseen, or NULL): an error naming it, the unknown
    /// index with the row marked for dropping (`skip`), or the unknown index (`keep`).
    fn invalid(
        &mut self,
        i: usize,
        value: Option<&str>,
        unknown: f64,
        handle_invalid: HandleInvalid,
        column: impl Fn() -> String,
        first_row: usize,
    ) -> Result<f64> {
        match handle_invalid {
            HandleInvalid::Error => Err(invalid_value(&column(), value, first_row + i)),
            HandleInvalid::Skip => {
                self.keep.get_or_insert_with(|| vec![true; self.rows])[i] = false;
                Ok(unknown)
            }
            HandleInvalid::Keep => Ok(unknown),
        }
    }

    /// The partition with its index columns, without the skipped rows.
    fn finish(self, batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
        let mut columns = batch.columns().to_vec();
        columns.extend(self.columns);
        let out = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| Error::internal("indexing strings", e))?;
        match self.keep {
            None => Ok(out),
            Some(keep) => {
                arrow_select::filter::filter_record_batch(&out, &BooleanArray::from(keep))
                    .map_err(|e| Error::internal("skipping invalid rows", e))
            }
        }
    }
}

/// Labels in index order (Spark's `stringOrderType`, ties alphabetical ascending).
pub(crate) fn order_labels(mut counted: Vec<(String, u64)>, order: StringOrderType) -> Vec<String> {
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
            .fit(t, order, &JobContext::default())
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
    fn fit_transform_equals_fit_then_transform() {
        let rows = ["b,1", "a,2", ",3", "b,", "c,2", "a,1", "b,1"];
        let t = table_in_parts("s:string,n:int", &rows, 3);
        let indexer = StringIndexer::new(
            t.schema(),
            &["s".into(), "n".into()],
            &["si".into(), "ni".into()],
        )
        .unwrap();
        let ctx = JobContext::default();
        let columns = |t: &Table| {
            let b = t.window(0, t.num_rows()).unwrap();
            (2..4)
                .map(|c| b.column(c).as_primitive::<Float64Type>().values().to_vec())
                .collect::<Vec<_>>()
        };
        for h in [HandleInvalid::Keep, HandleInvalid::Skip] {
            let fitted = indexer
                .fit(&t, StringOrderType::FrequencyDesc, &ctx)
                .unwrap();
            let apart = indexer.transform(&t, &fitted, h, &ctx).unwrap();
            let (together, fitted2) = indexer
                .fit_transform(&t, StringOrderType::FrequencyDesc, h, &ctx)
                .unwrap();
            assert_eq!(fitted, fitted2);
            assert_eq!(columns(&apart), columns(&together));
        }
        let err = indexer
            .fit_transform(
                &t,
                StringOrderType::FrequencyDesc,
                HandleInvalid::Error,
                &ctx,
            )
            .unwrap_err();
        assert_eq!(err.location().row, Some(3));
    }

    #[test]
    fn handle_invalid_error_skip_keep() {
        let train = table_in_parts("s:string", &["a", "b", "a"], 1);
        let test = table_in_parts("s:string", &["a", "z", "", "b"], 2);
        let indexer = StringIndexer::new(train.schema(), &["s".into()], &["i".into()]).unwrap();
        let ctx = JobContext::default();
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
