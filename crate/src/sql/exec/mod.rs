//! Physical execution of logical plans over partitioned tables. Every operator takes and
//! returns partitions (record batches); the ones that can work partition by partition
//! (scan, filter, project, partial aggregation, per-partition sort, join probes) do so in
//! parallel on the rayon pool.

mod aggregate;
mod bitwise;
mod compare;
mod decimal;
mod eval;
mod functions;
mod generate;
mod join;
mod keys;
mod lambda;
pub mod partition;
mod range;
mod sort;
mod text_cast;
mod try_eval;
mod value;
mod window;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, SchemaRef};
use rayon::prelude::*;

pub use eval::{evaluate_array, filter_batch};
pub use keys::hash_rows;
pub use value::spark_cast;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::partition_filters::partition_filters;
use crate::sql::plan::scalar::ScalarValue;
use eval::selection;

/// Rows per output batch of operators that produce one big result (sort, window).
pub const OUTPUT_BATCH_ROWS: usize = 65_536;

/// Runs a (optimized) logical plan to a table.
pub fn execute(plan: &LogicalPlan, ctx: &JobContext) -> Result<Table> {
    ctx.expect_steps(estimate_steps(plan).0);
    let schema = plan.schema().to_arrow();
    let partitions = run(plan, ctx)?;
    let partitions = partitions
        .into_iter()
        .map(|b| with_schema(&b, &schema))
        .collect::<Result<Vec<_>>>()?;
    Table::try_new(schema, partitions)
}

fn run(plan: &LogicalPlan, ctx: &JobContext) -> Result<Vec<RecordBatch>> {
    ctx.check()?;
    let schema = plan.schema().to_arrow();
    match plan {
        LogicalPlan::Scan { filters, .. } => scan(plan, Expr::and_all(filters.clone()), ctx),
        LogicalPlan::Range { range, .. } => range::run(range, &schema, ctx),
        LogicalPlan::OneRow => Ok(vec![RecordBatch::try_new_with_options(
            schema,
            vec![],
            &RecordBatchOptions::new().with_row_count(Some(1)),
        )
        .map_err(value::kernel_error)?]),
        LogicalPlan::Filter { input, predicate } => {
            let input = run(input, ctx)?;
            input
                .par_iter()
                .enumerate()
                .map(|(index, b)| partition::in_partition(index, || filter_batch(b, predicate)))
                .collect()
        }
        LogicalPlan::Project { input, exprs, .. } if picks_join_columns(input, exprs) => {
            let columns = exprs
                .iter()
                .map(|e| e.as_column().expect("checked"))
                .collect();
            run_join(input, Some(columns), schema, ctx)
        }
        LogicalPlan::Project { input, exprs, .. } => {
            let input = run(input, ctx)?;
            input
                .par_iter()
                .enumerate()
                .map(|(index, batch)| {
                    let columns = partition::in_partition(index, || {
                        exprs
                            .iter()
                            .map(|e| evaluate_array(e, batch))
                            .collect::<Result<Vec<_>>>()
                    })?;
                    RecordBatch::try_new_with_options(
                        schema.clone(),
                        columns,
                        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
                    )
                    .map_err(|e| Error::internal("assembling projected rows", e))
                })
                .collect()
        }
        LogicalPlan::Aggregate {
            input,
            group,
            aggregates,
            ..
        } => match input.as_ref() {
            // The scan's filter becomes a selection inside the aggregation.
            LogicalPlan::Scan { filters, .. }
                if !filters.is_empty() && aggregate::selects_in_place(group, aggregates) =>
            {
                let partitions = scan(input, None, ctx)?;
                let predicate = Expr::and_all(filters.clone());
                let predicate = predicate.as_ref();
                aggregate::aggregate(&partitions, predicate, group, aggregates, schema, ctx)
            }
            _ => {
                let partitions = run(input, ctx)?;
                aggregate::aggregate(&partitions, None, group, aggregates, schema, ctx)
            }
        },
        LogicalPlan::Distinct { input } => {
            let partitions = run(input, ctx)?;
            let group: Vec<Expr> = (0..schema.fields().len())
                .map(|i| Expr::column(i, schema.field(i).name().clone()))
                .collect();
            aggregate::aggregate(&partitions, None, &group, &[], schema, ctx)
        }
        LogicalPlan::Window { input, windows, .. } => {
            let input_schema = input.schema().to_arrow();
            let partitions = run(input, ctx)?;
            window::window(&partitions, input_schema, windows, schema, ctx)
        }
        LogicalPlan::Generate {
            input,
            generator,
            arg,
            ..
        } => {
            let input = run(input, ctx)?;
            input
                .par_iter()
                .enumerate()
                .map(|(index, batch)| {
                    ctx.check()?;
                    partition::in_partition(index, || {
                        generate::generate(batch, *generator, arg, &schema)
                    })
                })
                .collect()
        }
        LogicalPlan::Sort { input, keys, fetch } => {
            let partitions = run(input, ctx)?;
            sort::sort(&partitions, keys, *fetch, schema, ctx)
        }
        LogicalPlan::Limit { input, skip, fetch } => {
            // Under ORDER BY the optimizer has made the sort a top-k (`optimize::top_k`).
            let partitions = run(input, ctx)?;
            Ok(sort::limit(&partitions, *skip, *fetch))
        }
        LogicalPlan::Join { .. } => run_join(plan, None, schema, ctx),
        LogicalPlan::Union { inputs, .. } => {
            let mut out = Vec::new();
            for input in inputs {
                for batch in run(input, ctx)? {
                    out.push(with_schema(&batch, &schema)?);
                }
            }
            Ok(out)
        }
        LogicalPlan::Alias { input, .. } => run(input, ctx)?
            .iter()
            .map(|b| with_schema(b, &schema))
            .collect(),
    }
}

/// The partitions of a scan's projected columns, filtered by `predicate`. A partition
/// that one of the scan's partition filters rules out is skipped whole (an empty batch).
fn scan(plan: &LogicalPlan, predicate: Option<Expr>, ctx: &JobContext) -> Result<Vec<RecordBatch>> {
    let LogicalPlan::Scan {
        table,
        projection,
        filters,
        ..
    } = plan
    else {
        return Err(Error::new(
            ErrorCode::Internal,
            "scan of a plan that is not a scan",
        ));
    };
    let schema = plan.schema().to_arrow();
    let by_partition = partition_filters(table, projection, filters);
    // Partition by partition, decoding only the projected columns of a compact table.
    (0..table.num_partitions())
        .into_par_iter()
        .map(|index| {
            ctx.check()?;
            let projected = table.partition_columns(index, projection)?;
            let projected = with_schema(&projected, &schema)?;
            if partition::in_partition(index, || rules_out(&projected, &by_partition))? {
                ctx.advance();
                return Ok(projected.slice(0, 0));
            }
            let out = match &predicate {
                Some(p) => partition::in_partition(index, || filter_batch(&projected, p))?,
                None => projected,
            };
            ctx.advance();
            Ok(out)
        })
        .collect()
}

/// Whether a partition filter is not true on the partition's first row, and so on none
/// of its rows (the columns it reads hold one value throughout the partition).
fn rules_out(batch: &RecordBatch, by_partition: &[&Expr]) -> Result<bool> {
    if batch.num_rows() == 0 {
        return Ok(false);
    }
    let first = batch.slice(0, 1);
    for filter in by_partition {
        if selection(&first, filter)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Steps (partitions handed to `ctx.advance`) a plan takes, and how many partitions it
/// outputs: an estimate for the progress bar.
fn estimate_steps(plan: &LogicalPlan) -> (usize, usize) {
    match plan {
        LogicalPlan::Scan { table, .. } => (table.num_partitions(), table.num_partitions()),
        LogicalPlan::OneRow => (0, 1),
        LogicalPlan::Range { range, .. } => (range.slices, range.slices),
        LogicalPlan::Filter { input, .. }
        | LogicalPlan::Project { input, .. }
        | LogicalPlan::Alias { input, .. }
        | LogicalPlan::Limit { input, .. }
        | LogicalPlan::Generate { input, .. }
        | LogicalPlan::Window { input, .. } => estimate_steps(input),
        LogicalPlan::Aggregate { input, .. } | LogicalPlan::Distinct { input } => {
            let (steps, parts) = estimate_steps(input);
            (steps + parts, 1)
        }
        LogicalPlan::Sort { input, .. } => {
            let (steps, parts) = estimate_steps(input);
            (steps + parts, parts)
        }
        LogicalPlan::Join { left, right, .. } => {
            let (ls, lp) = estimate_steps(left);
            let (rs, rp) = estimate_steps(right);
            (ls + rs + lp.max(rp), lp.max(rp) + 1)
        }
        LogicalPlan::Union { inputs, .. } => inputs
            .iter()
            .map(estimate_steps)
            .fold((0, 0), |(s, p), (s2, p2)| (s + s2, p + p2)),
    }
}

/// Whether a projection only picks columns of a join (fused into the join, which then
/// copies just those columns).
fn picks_join_columns(input: &LogicalPlan, exprs: &[Expr]) -> bool {
    matches!(input, LogicalPlan::Join { .. }) && exprs.iter().all(|e| e.as_column().is_some())
}

/// Runs a join, outputting the joined columns `columns` (all when `None`) as `schema`.
fn run_join(
    plan: &LogicalPlan,
    columns: Option<Vec<usize>>,
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let LogicalPlan::Join {
        left,
        right,
        kind,
        on,
        filter,
        ..
    } = plan
    else {
        return Err(Error::new(
            ErrorCode::Internal,
            "run_join on a plan that is not a join",
        ));
    };
    let (left_schema, right_schema) = (left.schema().to_arrow(), right.schema().to_arrow());
    let (l, r) = rayon::join(|| run(left, ctx), || run(right, ctx));
    let spec = join::JoinSpec {
        kind: *kind,
        on,
        filter: filter.as_ref(),
        left_schema,
        right_schema,
        columns,
        output: schema,
    };
    join::hash_join(&l?, &r?, &spec, ctx)
}

/// The batch's columns under `schema` (same types; names and nullability may differ).
fn with_schema(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().as_ref() == schema.as_ref() {
        return Ok(batch.clone());
    }
    RecordBatch::try_new_with_options(
        schema.clone(),
        batch.columns().to_vec(),
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("renaming columns", e))
}

/// Slices a big batch into partitions of at most [`OUTPUT_BATCH_ROWS`] rows (zero-copy).
pub fn split_batch(batch: &RecordBatch) -> Vec<RecordBatch> {
    if batch.num_rows() <= OUTPUT_BATCH_ROWS {
        return vec![batch.clone()];
    }
    (0..batch.num_rows())
        .step_by(OUTPUT_BATCH_ROWS)
        .map(|start| batch.slice(start, OUTPUT_BATCH_ROWS.min(batch.num_rows() - start)))
        .collect()
}

/// Row `i` of `array` as a literal value (for subquery results).
pub fn scalar_from_array(array: &ArrayRef, i: usize) -> Option<ScalarValue> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    if array.is_null(i) {
        return Some(ScalarValue::Null(array.data_type().clone()));
    }
    Some(match array.data_type() {
        DataType::Boolean => ScalarValue::Boolean(array.as_boolean().value(i)),
        DataType::Int32 => ScalarValue::Int32(array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => ScalarValue::Int64(array.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => ScalarValue::Float64(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => ScalarValue::Utf8(array.as_string::<i32>().value(i).to_string()),
        DataType::Date32 => ScalarValue::Date32(array.as_primitive::<Date32Type>().value(i)),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => {
            ScalarValue::TimestampMicros(array.as_primitive::<TimestampMicrosecondType>().value(i))
        }
        DataType::Time64(arrow_schema::TimeUnit::Microsecond) => {
            ScalarValue::TimeMicros(array.as_primitive::<Time64MicrosecondType>().value(i))
        }
        DataType::Decimal128(p, s) => {
            ScalarValue::Decimal128(array.as_primitive::<Decimal128Type>().value(i), *p, *s)
        }
        // Intervals with their type's default fields (the caller that knows the column's
        // own puts them back: `plan::subquery`).
        DataType::Duration(arrow_schema::TimeUnit::Microsecond) => ScalarValue::DayTime(
            array.as_primitive::<DurationMicrosecondType>().value(i),
            crate::frame::interval_type::IntervalFields::default(),
        ),
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => ScalarValue::YearMonth(
            array.as_primitive::<IntervalYearMonthType>().value(i),
            crate::frame::interval_type::IntervalFields::year_month(),
        ),
        other => {
            // Other types go through a cast to a type literals have.
            let widened = match other {
                t if t.is_integer() => DataType::Int64,
                t if t.is_floating() => DataType::Float64,
                _ => DataType::Utf8,
            };
            let cast = arrow_cast::cast(&array.slice(i, 1), &widened).ok()?;
            return scalar_from_array(&cast, 0);
        }
    })
}
