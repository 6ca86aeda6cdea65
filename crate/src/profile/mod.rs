//! A data profile of every column, like Databricks' `display()` profile: type, missing
//! values, distinct count, numeric summary (min, max, mean, std, quantiles, histogram)
//! and the most frequent values, computed in one parallel pass over the partitions.
//!
//! Each partition is summarised on its own ([`column`]); the summaries merge (counts
//! add, moments merge with Chan's formula, Misra–Gries and HyperLogLog summaries merge),
//! then quantiles and histograms are read from the values kept per column. What is exact
//! and what is estimated is part of the result, so the page can say so:
//! - distinct counts and top values are exact up to [`FREQUENT_CAPACITY`] distinct values
//!   ([`frequent`]); past that the distinct count comes from HyperLogLog ([`hll`], ~1.6%)
//!   and top values are Misra–Gries estimates;
//! - quantiles and histograms are exact up to [`SAMPLE_LIMIT`] values per column; past
//!   that they come from a fixed-seed uniform sample of about that many rows.

mod column;
pub mod frequent;
pub mod hll;
pub mod numbers;
mod report;

pub use report::{
    ColumnProfile, Kind, NumberProfile, Profile, TopValue, FREQUENT_CAPACITY, SAMPLE_LIMIT,
    TOP_VALUES,
};

use arrow_array::RecordBatch;
use rayon::prelude::*;

use crate::error::Result;
use crate::frame::{spark_type_name, Table};
use crate::job::JobContext;
use crate::profile::column::ColumnSummary;

/// Partitions summarised at once per thread before their summaries are merged. A
/// summary of a column with many distinct values holds up to [`FREQUENT_CAPACITY`]
/// counters (~0.4 MB); held for every partition until one final merge, they took 1.4 GB
/// for the 10M-row telecom table (234 partitions), more than the table itself.
const PARTITIONS_PER_THREAD: usize = 4;

/// Profiles every column of `table` in one parallel pass.
///
/// The partitions are summarised in parallel a window at a time and each window's
/// summaries are merged into the column totals in partition order (columns in parallel),
/// so the result is the same as one merge of all of them, whatever the thread count. A
/// window is merged while the next one is summarised: the merge splits by column, whose
/// costs differ widely, and alone it left a thread idle (in the page, a fifth of a 1M-row
/// profile). At most two windows' summaries are held at once.
pub fn profile(table: &Table, ctx: &JobContext) -> Result<Profile> {
    let schema = table.schema();
    let rows = table.num_rows();
    let keep_rate = (SAMPLE_LIMIT as f64 / rows.max(1) as f64).min(1.0);
    ctx.expect_steps(table.num_partitions() + 1);
    let mut totals: Vec<column::Total> = schema
        .fields()
        .iter()
        .map(|field| column::Total::new(field.data_type()))
        .collect();
    let window = PARTITIONS_PER_THREAD * rayon::current_num_threads().max(1);
    // As stored: compact string columns are counted from their codes, never decoded.
    let partitions = table.stored_partitions();
    let mut summarised: Option<Vec<Vec<ColumnSummary<'_>>>> = None;
    for (batches, firsts) in partitions
        .chunks(window)
        .zip(table.row_starts().chunks(window))
    {
        let ((), next) = rayon::join(
            || merge_into(&mut totals, summarised.take()),
            || summarise(batches, firsts, keep_rate, ctx),
        );
        summarised = Some(next?);
    }
    merge_into(&mut totals, summarised);
    let columns = totals
        .into_par_iter()
        .zip(schema.fields().par_iter())
        .map(|(total, field)| {
            total.finish(
                field.name(),
                &spark_type_name(field.data_type()),
                keep_rate < 1.0,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    ctx.advance();
    Ok(Profile {
        rows: rows as u64,
        columns,
    })
}

/// Summarises each partition of a window (in parallel), every column of it; `firsts` are
/// the partitions' first row numbers, which fix the sampled rows.
fn summarise<'a>(
    batches: &'a [RecordBatch],
    firsts: &[usize],
    keep_rate: f64,
    ctx: &JobContext,
) -> Result<Vec<Vec<ColumnSummary<'a>>>> {
    batches
        .par_iter()
        .zip(firsts)
        .map(|(batch, &first)| {
            ctx.check()?;
            let sampled = (keep_rate < 1.0)
                .then(|| column::sampled_rows(batch.num_rows(), first as u64, keep_rate));
            let summaries = batch
                .columns()
                .iter()
                .map(|column| ColumnSummary::of(column, sampled.as_deref()))
                .collect::<Result<Vec<_>>>();
            ctx.advance();
            summaries
        })
        .collect()
}

/// Merges one window's summaries (by partition, then column) into the column totals, in
/// partition order, columns in parallel.
fn merge_into(totals: &mut [column::Total], partials: Option<Vec<Vec<ColumnSummary<'_>>>>) {
    let Some(partials) = partials else { return };
    totals.par_iter_mut().enumerate().for_each(|(c, total)| {
        for part in &partials {
            total.merge(&part[c]);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_in_parts;

    fn by_name<'a>(p: &'a Profile, name: &str) -> &'a ColumnProfile {
        p.columns.iter().find(|c| c.name == name).unwrap()
    }

    #[test]
    fn profiles_each_kind_of_column() {
        let rows = [
            "1,1.5,a,true,2024-01-01",
            "2,,b,false,2024-01-03",
            "2,NaN,a,,",
            ",4.5,,true,2024-01-02",
            "5,3.0,a,true,2024-01-01",
        ];
        for parts in [1, 2, 5] {
            let t = table_in_parts("i:int,d:double,s:string,b:bool,dt:date", &rows, parts);
            let p = profile(&t, &JobContext::default()).unwrap();
            assert_eq!(p.rows, 5);
            let i = by_name(&p, "i");
            assert_eq!((i.nulls, i.distinct, i.distinct_exact), (1, 3, true));
            let n = i.numbers.as_ref().unwrap();
            assert_eq!((n.min, n.max, n.mean), (1.0, 5.0, 2.5));
            assert!((n.std - 3f64.sqrt()).abs() < 1e-12);
            assert_eq!(n.quantiles[2].value, 2.0);
            assert_eq!(n.histogram.counts, [1.0, 2.0, 0.0, 0.0, 1.0]);
            assert_eq!(
                i.top_values[0],
                TopValue {
                    value: "2".into(),
                    count: 2
                }
            );
            let d = by_name(&p, "d");
            // NaN is a value of its own for the distinct count, as in Spark.
            assert_eq!((d.nulls, d.nans, d.distinct), (1, 1, 4));
            assert_eq!(d.numbers.as_ref().unwrap().mean, 3.0);
            let s = by_name(&p, "s");
            assert_eq!(
                s.top_values[0],
                TopValue {
                    value: "a".into(),
                    count: 3
                }
            );
            assert_eq!(s.lengths, Some([1, 1]));
            let b = by_name(&p, "b");
            assert_eq!(
                b.top_values[0],
                TopValue {
                    value: "true".into(),
                    count: 3
                }
            );
            let dt = by_name(&p, "dt");
            let n = dt.numbers.as_ref().unwrap();
            assert_eq!(
                (n.min_text.as_str(), n.max_text.as_str()),
                ("2024-01-01", "2024-01-03")
            );
            assert_eq!(dt.top_values[0].value, "2024-01-01");
        }
    }

    #[test]
    fn kept_codes_give_the_same_profile_as_the_strings() {
        let values: Vec<String> = (0..5_000)
            .map(|i| match i % 9 {
                0 => format!("{i},"),
                k => format!("{i},key-{}", k % 4),
            })
            .collect();
        let rows: Vec<&str> = values.iter().map(String::as_str).collect();
        let plain = table_in_parts("id:int,s:string", &rows, 3);
        let json = |t: &Table| {
            serde_json::to_string(&profile(t, &JobContext::default()).unwrap()).unwrap()
        };
        // Profiled before any codes are kept for these arrays (a copy shares them).
        let from_strings = json(&plain);
        let coded = plain.clone().with_key_codes();
        let strings = coded.partitions().unwrap()[0].column(1).clone();
        let strings = &strings;
        assert!(crate::frame::kept_codes::kept_value_counts(strings).is_some());
        assert_eq!(json(&coded), from_strings);
        assert!(from_strings.contains("key-1"));
    }

    #[test]
    fn windows_of_partitions_merge_to_the_same_profile_at_any_thread_count() {
        // More partitions than a window at 1 or 3 threads; a column past the counters'
        // capacity (its top values are estimates merged window by window) and a skewed one.
        let values: Vec<String> = (0..40_000)
            .map(|i| format!("{i},{},{}", (i * 7919) % 23, (i as f64 * 0.37).sin()))
            .collect();
        let rows: Vec<&str> = values.iter().map(String::as_str).collect();
        let t = table_in_parts("id:int,k:int,x:double", &rows, 29);
        let json = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| serde_json::to_string(&profile(&t, &JobContext::default()).unwrap()))
                .unwrap()
        };
        let one = json(1);
        assert_eq!(json(3), one);
        assert_eq!(json(8), one);
        assert!(one.contains("\"distinctExact\":false"), "{one}");
    }

    #[test]
    fn high_cardinality_columns_are_estimated_and_say_so() {
        let values: Vec<String> = (0..30_000).map(|i| format!("{i},{}", i % 7)).collect();
        let rows: Vec<&str> = values.iter().map(String::as_str).collect();
        let t = table_in_parts("id:int,k:int", &rows, 4);
        let p = profile(&t, &JobContext::default()).unwrap();
        let id = by_name(&p, "id");
        assert!(!id.distinct_exact && !id.top_exact);
        assert!((id.distinct as f64 - 30_000.0).abs() < 0.05 * 30_000.0);
        let k = by_name(&p, "k");
        assert!(k.distinct_exact && k.top_exact);
        assert_eq!(k.distinct, 7);
        assert_eq!(k.numbers.as_ref().unwrap().quantiles[2].value, 3.0);
    }
}
