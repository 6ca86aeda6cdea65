//! Spark ML's `Imputer`: replaces missing values of numeric columns by the column's mean,
//! median or mode, learned in one parallel pass.
//!
//! Spark's rules: NULL, NaN and `missingValue` are left out when fitting; when
//! transforming, NULL and `missingValue` (NaN by default) are replaced. The surrogate is a
//! double; an integer column keeps its type, so the surrogate is truncated (2.7 → 2).
//! Where Brasa differs: the median is exact (Spark's is approximate, relative error
//! 0.001) and is the lower median, the element of rank ⌈n/2⌉, as Spark's quantile
//! summaries return on data small enough to be exact.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, Scalar};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use arrow_select::zip::zip;
use rayon::prelude::*;

use crate::clean::columns::{as_doubles, check_new_name, check_pairs, fields_of, resolve};
use crate::clean::spec::{ImputerFitted, ImputerStrategy};
use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Table};
use crate::job::JobContext;
use crate::sql::exec::spark_cast;

/// The resolved columns of an Imputer step.
pub struct Imputer {
    inputs: Vec<usize>,
    /// Where each output goes: replacing an input column, or appended under a new name.
    outputs: Vec<Output>,
    missing_value: Option<f64>,
}

enum Output {
    Replace(usize),
    Append(String),
}

impl Imputer {
    pub fn new(
        schema: &Schema,
        input_cols: &[String],
        output_cols: &[String],
        missing_value: Option<f64>,
    ) -> Result<Self> {
        check_pairs(input_cols, output_cols, "impute")?;
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for (input, output) in input_cols.iter().zip(output_cols) {
            let i = resolve(schema, input)?;
            let field = schema.field(i);
            if !field.data_type().is_numeric() {
                return Err(Error::clean(format!(
                    "Imputer works on numeric columns and `{}` has type {}; index it with StringIndexer or fill it with fillna",
                    field.name(),
                    spark_type_name(field.data_type())
                ))
                .in_column(field.name().clone()));
            }
            inputs.push(i);
            outputs.push(match resolve(schema, output) {
                Ok(o) if o == i => Output::Replace(i),
                _ => {
                    check_new_name(schema, output, None)?;
                    Output::Append(output.clone())
                }
            });
        }
        Ok(Imputer {
            inputs,
            outputs,
            missing_value,
        })
    }

    /// Learns one surrogate per input column in one parallel pass.
    pub fn fit(
        &self,
        table: &Table,
        strategy: ImputerStrategy,
        ctx: &JobContext,
    ) -> Result<ImputerFitted> {
        ctx.expect_steps(table.num_partitions());
        let partials = table
            .partitions()?
            .par_iter()
            .map(|batch| {
                ctx.check()?;
                let stats = self
                    .inputs
                    .iter()
                    .map(|&c| {
                        let values = as_doubles(batch.column(c))?;
                        Ok(Partial::of(&values, self.missing_value, strategy))
                    })
                    .collect::<Result<Vec<_>>>();
                ctx.advance();
                stats
            })
            .collect::<Result<Vec<_>>>()?;
        let surrogates = self
            .inputs
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let merged = partials
                    .iter()
                    .map(|p| &p[k])
                    .fold(Partial::empty(strategy), |acc, p| acc.merge(p));
                merged.surrogate().ok_or_else(|| {
                    let name = table.schema().field(c).name();
                    Error::clean(format!(
                        "`{name}` has no values to compute a {} from: every value is NULL, NaN or the missing value; drop the column or fill it with a constant",
                        strategy_name(strategy)
                    ))
                    .in_column(name.clone())
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ImputerFitted { surrogates })
    }

    /// Replaces missing values by the surrogates.
    pub fn transform(
        &self,
        table: &Table,
        fitted: &ImputerFitted,
        ctx: &JobContext,
    ) -> Result<Table> {
        self.check_fitted(fitted)?;
        let schema = self.output_schema(table.schema());
        table.map_partitions(schema.clone(), ctx, |batch, _| {
            self.transform_batch(batch, fitted, &schema)
        })
    }

    fn check_fitted(&self, fitted: &ImputerFitted) -> Result<()> {
        if fitted.surrogates.len() != self.inputs.len() {
            return Err(Error::clean(format!(
                "the fitted Imputer has {} surrogates for {} columns; fit it again",
                fitted.surrogates.len(),
                self.inputs.len()
            )));
        }
        Ok(())
    }

    /// The schema of the imputed table: replaced columns become nullable, appended ones
    /// come last.
    pub(crate) fn output_schema(&self, input: &Schema) -> SchemaRef {
        let mut fields: Vec<Field> = fields_of(input);
        for (&i, output) in self.inputs.iter().zip(&self.outputs) {
            let field = input.field(i);
            match output {
                Output::Replace(o) => fields[*o] = field.clone().with_nullable(true),
                Output::Append(name) => {
                    fields.push(Field::new(name, field.data_type().clone(), true))
                }
            }
        }
        Arc::new(Schema::new(fields))
    }

    /// One batch imputed, with `schema` (the [`Imputer::output_schema`] of its own).
    pub(crate) fn transform_batch(
        &self,
        batch: &RecordBatch,
        fitted: &ImputerFitted,
        schema: &SchemaRef,
    ) -> Result<RecordBatch> {
        self.check_fitted(fitted)?;
        let mut columns = batch.columns().to_vec();
        for ((&i, output), &surrogate) in self
            .inputs
            .iter()
            .zip(&self.outputs)
            .zip(&fitted.surrogates)
        {
            let imputed = impute(batch.column(i), surrogate, self.missing_value)?;
            match output {
                Output::Replace(o) => columns[*o] = imputed,
                Output::Append(_) => columns.push(imputed),
            }
        }
        RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::internal("imputing", e))
    }
}

pub(crate) fn strategy_name(strategy: ImputerStrategy) -> &'static str {
    match strategy {
        ImputerStrategy::Mean => "mean",
        ImputerStrategy::Median => "median",
        ImputerStrategy::Mode => "mode",
    }
}

/// Whether `v` is left out of fitting: NaN, or the missing value.
pub(crate) fn excluded(v: f64, missing_value: Option<f64>) -> bool {
    v.is_nan() || missing_value.is_some_and(|m| v == m)
}

/// `column` with NULLs and missing values replaced by `surrogate` (in the column's type).
fn impute(column: &ArrayRef, surrogate: f64, missing_value: Option<f64>) -> Result<ArrayRef> {
    let doubles = as_doubles(column)?;
    let missing = |v: f64| match missing_value {
        None => v.is_nan(),
        Some(m) if m.is_nan() => v.is_nan(),
        Some(m) => v == m,
    };
    let valid = doubles.nulls();
    let present = |i: usize| valid.is_none_or(|n| n.is_valid(i)) && !missing(doubles.value(i));
    if column.data_type() == &DataType::Float64 {
        // The common case in one pass: no mask, no second array.
        if doubles.null_count() == 0 && !doubles.values().iter().any(|&v| missing(v)) {
            return Ok(Arc::clone(column));
        }
        let values: Vec<f64> = (0..doubles.len())
            .map(|i| {
                if present(i) {
                    doubles.value(i)
                } else {
                    surrogate
                }
            })
            .collect();
        return Ok(Arc::new(Float64Array::from(values)));
    }
    let keep = BooleanArray::new(BooleanBuffer::collect_bool(doubles.len(), present), None);
    if keep.true_count() == column.len() {
        return Ok(Arc::clone(column));
    }
    let value: ArrayRef = Arc::new(Float64Array::from(vec![surrogate]));
    let value = Scalar::new(spark_cast(&value, column.data_type())?);
    zip(&keep, column, &value).map_err(|e| Error::internal("imputing", e))
}

/// One partition's contribution to a surrogate.
pub(crate) enum Partial {
    Mean {
        sum: f64,
        count: u64,
    },
    Median(Vec<f64>),
    /// Counts by the value's bits (with -0.0 counted as 0.0).
    Mode(HashMap<u64, u64>),
}

impl Partial {
    pub(crate) fn empty(strategy: ImputerStrategy) -> Self {
        match strategy {
            ImputerStrategy::Mean => Partial::Mean { sum: 0.0, count: 0 },
            ImputerStrategy::Median => Partial::Median(Vec::new()),
            ImputerStrategy::Mode => Partial::Mode(HashMap::new()),
        }
    }

    fn of(values: &Float64Array, missing_value: Option<f64>, strategy: ImputerStrategy) -> Self {
        let usable = values
            .iter()
            .flatten()
            .filter(|&v| !excluded(v, missing_value));
        match strategy {
            ImputerStrategy::Mean => {
                let (sum, count) = usable.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
                Partial::Mean { sum, count }
            }
            ImputerStrategy::Median => Partial::Median(usable.collect()),
            ImputerStrategy::Mode => {
                let mut counts = HashMap::new();
                for v in usable {
                    *counts.entry((v + 0.0).to_bits()).or_insert(0) += 1;
                }
                Partial::Mode(counts)
            }
        }
    }

    pub(crate) fn merge(self, other: &Partial) -> Self {
        match (self, other) {
            (Partial::Mean { sum, count }, Partial::Mean { sum: s, count: n }) => Partial::Mean {
                sum: sum + s,
                count: count + n,
            },
            (Partial::Median(mut all), Partial::Median(more)) => {
                all.extend_from_slice(more);
                Partial::Median(all)
            }
            (Partial::Mode(mut all), Partial::Mode(more)) => {
                for (&k, &n) in more {
                    *all.entry(k).or_insert(0) += n;
                }
                Partial::Mode(all)
            }
            (mine, _) => mine,
        }
    }

    pub(crate) fn surrogate(self) -> Option<f64> {
        match self {
            Partial::Mean { count: 0, .. } => None,
            Partial::Mean { sum, count } => Some(sum / count as f64),
            Partial::Median(mut values) => {
                if values.is_empty() {
                    return None;
                }
                let rank = values.len().div_ceil(2) - 1;
                let (_, median, _) = values.select_nth_unstable_by(rank, f64::total_cmp);
                Some(*median)
            }
            Partial::Mode(counts) => counts
                .into_iter()
                .map(|(bits, n)| (f64::from_bits(bits), n))
                // Most frequent first; among equals, the smallest value (Spark).
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
                .map(|(v, _)| v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_in_parts;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;

    fn fitted(t: &Table, cols: &[&str], strategy: ImputerStrategy, mv: Option<f64>) -> Vec<f64> {
        let names: Vec<String> = cols.iter().map(|s| s.to_string()).collect();
        let imputer = Imputer::new(t.schema(), &names, &names, mv).unwrap();
        imputer
            .fit(t, strategy, &JobContext::default())
            .unwrap()
            .surrogates
    }

    #[test]
    fn surrogates_follow_spark() {
        let t = table_in_parts(
            "a:int,b:double",
            &["1,1.0", "2,", ",NaN", "4,4.0", "4,2.0", "10,4.0"],
            3,
        );
        assert_eq!(
            fitted(&t, &["a", "b"], ImputerStrategy::Mean, None),
            [4.2, 2.75]
        );
        // Lower median: rank ceil(n/2) of [1,2,4,4,10] and [1,2,4,4].
        assert_eq!(
            fitted(&t, &["a", "b"], ImputerStrategy::Median, None),
            [4.0, 2.0]
        );
        assert_eq!(
            fitted(&t, &["a", "b"], ImputerStrategy::Mode, None),
            [4.0, 4.0]
        );
        // A missing value is left out of the fit too.
        assert_eq!(
            fitted(&t, &["a"], ImputerStrategy::Mean, Some(10.0)),
            [2.75]
        );
    }

    #[test]
    fn mode_ties_go_to_the_smallest_value() {
        let t = table_in_parts("a:double", &["3", "1", "3", "1", "2"], 2);
        assert_eq!(fitted(&t, &["a"], ImputerStrategy::Mode, None), [1.0]);
    }

    #[test]
    fn integer_columns_truncate_the_surrogate() {
        let t = table_in_parts("a:int,b:double", &["1,1", "2,", ",NaN", "5,2"], 2);
        let names = vec!["a".to_string(), "b".to_string()];
        let outputs = vec!["a".to_string(), "b_imputed".to_string()];
        let imputer = Imputer::new(t.schema(), &names, &outputs, None).unwrap();
        let ctx = JobContext::default();
        let fit = imputer.fit(&t, ImputerStrategy::Mean, &ctx).unwrap();
        assert_eq!(fit.surrogates, [8.0 / 3.0, 1.5]);
        let out = imputer.transform(&t, &fit, &ctx).unwrap();
        let all = out.window(0, 4).unwrap();
        let a = all
            .column(0)
            .as_primitive::<arrow_array::types::Int32Type>();
        assert_eq!(a.values().to_vec()[2], 2);
        let b = all.column(2).as_primitive::<Float64Type>();
        assert_eq!(b.values().to_vec(), [1.0, 1.5, 1.5, 2.0]);
        assert_eq!(all.schema().field(2).name(), "b_imputed");
    }

    #[test]
    fn all_missing_is_an_error_naming_the_column() {
        let t = table_in_parts("a:double,b:string", &[",x", "NaN,y"], 1);
        let names = vec!["a".to_string()];
        let imputer = Imputer::new(t.schema(), &names, &names, None).unwrap();
        let err = imputer
            .fit(&t, ImputerStrategy::Median, &JobContext::default())
            .unwrap_err();
        assert_eq!(err.location().column.as_deref(), Some("a"));
        let err = Imputer::new(t.schema(), &["b".into()], &["b".into()], None)
            .err()
            .unwrap();
        assert!(err.message().contains("numeric"), "{}", err.message());
    }
}
