//! Hash aggregation: each partition is aggregated on its own thread into partial states,
//! then the partials are merged (Spark's partial + final aggregation).
//!
//! Groups are found with [`keys::group_rows`]; a partial keeps its group keys as arrow
//! columns (one row per group), so merging is grouping the partials' keys once more.
//! Each aggregate keeps its state in flat vectors indexed by group.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, ArrowNativeTypeOp, ArrowPrimitiveType, BooleanArray, Float64Array, Int64Array,
    PrimitiveArray, RecordBatch, RecordBatchOptions, StringArray, UInt32Array,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, SchemaRef};
use arrow_select::concat::concat;
use arrow_select::take::take;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::keys::group_rows;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::{AggregateCall, Expr};
use crate::sql::plan::functions::AggregateFunction;

/// Groups `partitions` by `group` and computes `aggregates`; output is the grouping
/// columns then one column per aggregate, in one batch.
pub fn aggregate(
    partitions: &[RecordBatch],
    group: &[Expr],
    aggregates: &[AggregateCall],
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let key_types: Vec<DataType> = schema.fields()[..group.len()]
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    let partials: Vec<Partial> = partitions
        .par_iter()
        .enumerate()
        .map(|(index, batch)| {
            ctx.check()?;
            let partial = crate::sql::exec::partition::in_partition(index, || {
                Partial::of_batch(batch, group, aggregates)
            })?;
            ctx.advance();
            Ok(partial)
        })
        .collect::<Result<_>>()?;
    let (keys, accumulators) = merge(partials, aggregates, &key_types)?;
    // A global aggregate has one row, even over no rows.
    let rows = keys.first().map_or(1, |k| k.len());
    let mut columns = keys;
    for acc in accumulators {
        columns.push(acc.finish()?);
    }
    let batch = RecordBatch::try_new_with_options(
        schema,
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| Error::internal("assembling aggregate results", e))?;
    Ok(vec![batch])
}

/// The aggregation state of one partition: its group keys and one accumulator per
/// aggregate, both indexed by group.
struct Partial {
    keys: Vec<ArrayRef>,
    groups: usize,
    accumulators: Vec<Box<dyn Accumulator>>,
}

impl Partial {
    fn of_batch(batch: &RecordBatch, group: &[Expr], aggregates: &[AggregateCall]) -> Result<Self> {
        let rows = batch.num_rows();
        let keys = group
            .iter()
            .map(|g| evaluate_array(g, batch))
            .collect::<Result<Vec<_>>>()?;
        let grouping = group_rows(&keys, rows)?;
        let groups = grouping.firsts.len();
        let firsts = UInt32Array::from(grouping.firsts);
        let keys = keys
            .iter()
            .map(|k| take(k, &firsts, None).map_err(kernel_error))
            .collect::<Result<_>>()?;
        let mut accumulators = new_accumulators(aggregates)?;
        for (acc, call) in accumulators.iter_mut().zip(aggregates) {
            let args = call
                .args
                .iter()
                .map(|a| evaluate_array(a, batch))
                .collect::<Result<Vec<_>>>()?;
            acc.resize(groups);
            acc.update(&grouping.ids, &args)?;
        }
        Ok(Partial {
            keys,
            groups,
            accumulators,
        })
    }
}

/// One state per aggregate of a query.
type Accumulators = Vec<Box<dyn Accumulator>>;

fn new_accumulators(aggregates: &[AggregateCall]) -> Result<Accumulators> {
    aggregates.iter().map(accumulator_for).collect()
}

/// Merges the partials: their keys are grouped again, and each partial's states are
/// folded into the final ones through the mapping of its groups to final groups.
fn merge(
    partials: Vec<Partial>,
    aggregates: &[AggregateCall],
    key_types: &[DataType],
) -> Result<(Vec<ArrayRef>, Accumulators)> {
    let total: usize = partials.iter().map(|p| p.groups).sum();
    let keys: Vec<ArrayRef> = (0..key_types.len())
        .map(|k| {
            if partials.is_empty() {
                return Ok(arrow_array::new_empty_array(&key_types[k]));
            }
            let columns: Vec<&dyn Array> = partials.iter().map(|p| p.keys[k].as_ref()).collect();
            concat(&columns).map_err(kernel_error)
        })
        .collect::<Result<_>>()?;
    let grouping = group_rows(&keys, total)?;
    // A global aggregate over no rows still has one row (count 0, sum NULL).
    let groups = grouping.firsts.len().max(key_types.is_empty() as usize);
    let mut accumulators = new_accumulators(aggregates)?;
    accumulators.iter_mut().for_each(|a| a.resize(groups));
    let mut offset = 0;
    for partial in partials {
        let mapping = &grouping.ids[offset..offset + partial.groups];
        offset += partial.groups;
        for (acc, theirs) in accumulators.iter_mut().zip(partial.accumulators) {
            acc.merge(theirs, mapping)?;
        }
    }
    let firsts = UInt32Array::from(grouping.firsts);
    let keys = keys
        .iter()
        .map(|k| take(k, &firsts, None).map_err(kernel_error))
        .collect::<Result<_>>()?;
    Ok((keys, accumulators))
}

/// Calls `f(row, group)` for every row whose value is not NULL.
fn for_each_valid(groups: &[u32], nulls: Option<&NullBuffer>, mut f: impl FnMut(usize, usize)) {
    match nulls.filter(|n| n.null_count() > 0) {
        None => groups
            .iter()
            .enumerate()
            .for_each(|(i, &g)| f(i, g as usize)),
        Some(nulls) => {
            for (i, &g) in groups.iter().enumerate() {
                if nulls.is_valid(i) {
                    f(i, g as usize);
                }
            }
        }
    }
}

/// The state of one aggregate for every group seen so far.
trait Accumulator: Send {
    /// Makes room for groups up to `num_groups`.
    fn resize(&mut self, num_groups: usize);
    /// Adds rows: row `i` belongs to group `groups[i]`.
    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()>;
    /// Adds another partial state; its group `g` is this state's `mapping[g]`.
    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<ArrayRef>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

fn accumulator_for(call: &AggregateCall) -> Result<Box<dyn Accumulator>> {
    use AggregateFunction as F;
    Ok(match call.func {
        F::CountStar => Box::new(Count {
            counts: vec![],
            star: true,
        }),
        F::Count if call.distinct => Box::<CountDistinct>::default(),
        F::Count => Box::new(Count {
            counts: vec![],
            star: false,
        }),
        F::Sum if call.return_type == DataType::Int64 => Box::new(Sum::<Int64Type> {
            sums: vec![],
            seen: vec![],
        }),
        F::Sum => Box::new(Sum::<Float64Type> {
            sums: vec![],
            seen: vec![],
        }),
        F::Avg => Box::new(Average {
            sums: vec![],
            counts: vec![],
        }),
        F::Min | F::Max => min_max(call.func == F::Max, &call.return_type)?,
        F::StddevSamp | F::StddevPop | F::VarSamp | F::VarPop => Box::new(Moments {
            kind: call.func,
            count: vec![],
            mean: vec![],
            m2: vec![],
        }),
        F::Median | F::Percentile => {
            let p = match (call.func, call.args.get(1)) {
                (F::Median, _) => 0.5,
                (_, Some(Expr::Literal(crate::sql::plan::scalar::ScalarValue::Float64(p)))) => *p,
                _ => {
                    return Err(Error::new(
                        ErrorCode::Internal,
                        "percentile without a literal percentage",
                    ))
                }
            };
            Box::new(Percentile { p, values: vec![] })
        }
    })
}

fn downcast<T: 'static>(other: Box<dyn Accumulator>) -> Result<Box<T>> {
    other
        .into_any()
        .downcast::<T>()
        .map_err(|_| Error::new(ErrorCode::Internal, "merging different aggregate states"))
}

struct Count {
    counts: Vec<i64>,
    star: bool,
}

impl Accumulator for Count {
    fn resize(&mut self, n: usize) {
        self.counts.resize(n, 0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        match args.first().filter(|_| !self.star) {
            None => groups.iter().for_each(|&g| self.counts[g as usize] += 1),
            Some(values) => match values.logical_nulls() {
                None => groups.iter().for_each(|&g| self.counts[g as usize] += 1),
                Some(nulls) => {
                    for (i, &g) in groups.iter().enumerate() {
                        self.counts[g as usize] += nulls.is_valid(i) as i64;
                    }
                }
            },
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, c) in downcast::<Self>(other)?.counts.into_iter().enumerate() {
            self.counts[mapping[g] as usize] += c;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(Int64Array::from(self.counts)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// `sum` of `bigint` (wrapping on overflow, as Spark's default non-ANSI mode) or
/// `double`; NULL for a group with no values.
struct Sum<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    seen: Vec<bool>,
}

impl<T> Accumulator for Sum<T>
where
    T: ArrowPrimitiveType,
    T::Native: ArrowNativeTypeOp + Send,
{
    fn resize(&mut self, n: usize) {
        self.sums.resize(n, T::Native::ZERO);
        self.seen.resize(n, false);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<T>();
        let raw = values.values();
        for_each_valid(groups, values.nulls(), |i, g| {
            self.sums[g] = self.sums[g].add_wrapping(raw[i]);
            self.seen[g] = true;
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, (s, seen)) in other.sums.into_iter().zip(other.seen).enumerate() {
            let m = mapping[g] as usize;
            self.sums[m] = self.sums[m].add_wrapping(s);
            self.seen[m] |= seen;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(PrimitiveArray::<T>::from_iter(
            self.sums
                .into_iter()
                .zip(self.seen)
                .map(|(s, seen)| seen.then_some(s)),
        )))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

struct Average {
    sums: Vec<f64>,
    counts: Vec<i64>,
}

impl Accumulator for Average {
    fn resize(&mut self, n: usize) {
        self.sums.resize(n, 0.0);
        self.counts.resize(n, 0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        let raw = values.values();
        for_each_valid(groups, values.nulls(), |i, g| {
            self.sums[g] += raw[i];
            self.counts[g] += 1;
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, (s, c)) in other.sums.into_iter().zip(other.counts).enumerate() {
            let m = mapping[g] as usize;
            self.sums[m] += s;
            self.counts[m] += c;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(
            self.sums
                .into_iter()
                .zip(self.counts)
                .map(|(s, c)| (c > 0).then(|| s / c as f64))
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Count, mean and sum of squared deviations per group, merged with Chan's formula, for the variance family.
struct Moments {
    kind: AggregateFunction,
    count: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    /// Adds `nb` values with mean `mean_b` and squared deviations `m2_b` to group `g`.
    fn combine(&mut self, g: usize, nb: f64, mean_b: f64, m2_b: f64) {
        if nb == 0.0 {
            return;
        }
        let na = self.count[g];
        let n = na + nb;
        let delta = mean_b - self.mean[g];
        self.mean[g] += delta * nb / n;
        self.m2[g] += m2_b + delta * delta * na * nb / n;
        self.count[g] = n;
    }
}

impl Accumulator for Moments {
    fn resize(&mut self, n: usize) {
        self.count.resize(n, 0.0);
        self.mean.resize(n, 0.0);
        self.m2.resize(n, 0.0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        // Two passes over the batch (count and mean, then squared deviations), then one
        // Chan merge per group: no division per row, and as accurate as Welford.
        let values = args[0].as_primitive::<Float64Type>();
        let raw = values.values();
        let n = self.count.len();
        if n == 1 {
            // A global aggregate: the same passes in registers.
            let (mut count, mut sum) = (0.0, 0.0);
            for_each_valid(groups, values.nulls(), |i, _| {
                count += 1.0;
                sum += raw[i];
            });
            let mean = if count > 0.0 { sum / count } else { 0.0 };
            let mut m2 = 0.0;
            for_each_valid(groups, values.nulls(), |i, _| m2 += (raw[i] - mean).powi(2));
            self.combine(0, count, mean, m2);
            return Ok(());
        }
        let (mut count, mut mean, mut m2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for_each_valid(groups, values.nulls(), |i, g| {
            count[g] += 1.0;
            mean[g] += raw[i];
        });
        for (m, &c) in mean.iter_mut().zip(&count) {
            if c > 0.0 {
                *m /= c;
            }
        }
        for_each_valid(groups, values.nulls(), |i, g| {
            let d = raw[i] - mean[g];
            m2[g] += d * d;
        });
        for g in 0..n {
            self.combine(g, count[g], mean[g], m2[g]);
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, &m) in mapping.iter().enumerate().take(other.count.len()) {
            self.combine(m as usize, other.count[g], other.mean[g], other.m2[g]);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let kind = self.kind;
        Ok(Arc::new(
            self.count
                .iter()
                .zip(&self.m2)
                .map(|(&n, &m2)| {
                    let sample = matches!(
                        kind,
                        AggregateFunction::StddevSamp | AggregateFunction::VarSamp
                    );
                    let denominator = if sample { n - 1.0 } else { n };
                    if n == 0.0 || denominator <= 0.0 {
                        // Spark: a sample statistic of one value is NULL.
                        return None;
                    }
                    let variance = m2 / denominator;
                    Some(match kind {
                        AggregateFunction::StddevSamp | AggregateFunction::StddevPop => {
                            variance.sqrt()
                        }
                        _ => variance,
                    })
                })
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Exact percentile with linear interpolation between the closest ranks (Spark's
/// `percentile`; `median` is the 0.5 percentile).
struct Percentile {
    p: f64,
    values: Vec<Vec<f64>>,
}

impl Accumulator for Percentile {
    fn resize(&mut self, n: usize) {
        self.values.resize_with(n, Vec::new);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                self.values[g as usize].push(values.value(i));
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, v) in downcast::<Self>(other)?.values.into_iter().enumerate() {
            self.values[mapping[g] as usize].extend(v);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let p = self.p;
        Ok(Arc::new(
            self.values
                .into_iter()
                .map(|mut v| {
                    if v.is_empty() {
                        return None;
                    }
                    v.sort_unstable_by(f64::total_cmp);
                    let position = p * (v.len() - 1) as f64;
                    let (lower, upper) = (position.floor() as usize, position.ceil() as usize);
                    let fraction = position - lower as f64;
                    Some(v[lower] + (v[upper] - v[lower]) * fraction)
                })
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// `count(DISTINCT x)`: the distinct encoded values of each group.
/// `count(DISTINCT x)`: the distinct (group, value) pairs seen, as arrow columns. Each
/// batch contributes its own distinct pairs; `finish` groups them all once more.
#[derive(Default)]
struct CountDistinct {
    groups: usize,
    pairs: Vec<(UInt32Array, ArrayRef)>,
}

impl Accumulator for CountDistinct {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let (group_ids, values): (ArrayRef, ArrayRef) = match args[0].logical_nulls() {
            None => (
                Arc::new(UInt32Array::from(groups.to_vec())),
                Arc::clone(&args[0]),
            ),
            Some(nulls) => {
                let valid = UInt32Array::from_iter_values(nulls.valid_indices().map(|i| i as u32));
                let group_ids = valid.values().iter().map(|&i| groups[i as usize]);
                (
                    Arc::new(UInt32Array::from_iter_values(group_ids)),
                    take(&args[0], &valid, None).map_err(kernel_error)?,
                )
            }
        };
        let distinct = group_rows(&[group_ids.clone(), values.clone()], values.len())?;
        let firsts = UInt32Array::from(distinct.firsts);
        let take_at = |a: &ArrayRef| take(a, &firsts, None).map_err(kernel_error);
        let group_ids = take_at(&group_ids)?.as_primitive::<UInt32Type>().clone();
        self.pairs.push((group_ids, take_at(&values)?));
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (groups, values) in downcast::<Self>(other)?.pairs {
            let mapped = groups.unary(|g| mapping[g as usize]);
            self.pairs.push((mapped, values));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let mut counts = vec![0i64; self.groups];
        if let Some((_, first)) = self.pairs.first() {
            let groups: Vec<&dyn Array> = self.pairs.iter().map(|(g, _)| g as &dyn Array).collect();
            let values: Vec<&dyn Array> = self.pairs.iter().map(|(_, v)| v.as_ref()).collect();
            let groups = concat(&groups).map_err(kernel_error)?;
            let values = if values.len() == 1 {
                first.clone()
            } else {
                concat(&values).map_err(kernel_error)?
            };
            let distinct = group_rows(&[groups.clone(), values], groups.len())?;
            let groups = groups.as_primitive::<UInt32Type>().values();
            for first in distinct.firsts {
                counts[groups[first as usize] as usize] += 1;
            }
        }
        Ok(Arc::new(Int64Array::from(counts)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// `min` / `max` for a primitive type, with NaN above every number (Spark's ordering).
struct MinMaxPrimitive<T: ArrowPrimitiveType> {
    max: bool,
    data_type: DataType,
    best: Vec<Option<T::Native>>,
}

trait TotalOrder: Copy {
    fn total_gt(self, other: Self) -> bool;
}

macro_rules! ord_total {
    ($($t:ty),*) => {$(impl TotalOrder for $t {
        fn total_gt(self, other: Self) -> bool { self > other }
    })*};
}
ord_total!(i8, i16, i32, i64, i128, u8, u16, u32, u64);

impl TotalOrder for f64 {
    fn total_gt(self, other: Self) -> bool {
        self.total_cmp(&other) == std::cmp::Ordering::Greater
    }
}

impl TotalOrder for f32 {
    fn total_gt(self, other: Self) -> bool {
        self.total_cmp(&other) == std::cmp::Ordering::Greater
    }
}

impl<T> MinMaxPrimitive<T>
where
    T: ArrowPrimitiveType,
    T::Native: TotalOrder,
{
    fn better(&self, candidate: T::Native, current: T::Native) -> bool {
        if self.max {
            candidate.total_gt(current)
        } else {
            current.total_gt(candidate)
        }
    }

    fn offer(&mut self, g: usize, v: T::Native) {
        match self.best[g] {
            Some(current) if !self.better(v, current) => {}
            _ => self.best[g] = Some(v),
        }
    }
}

impl<T> Accumulator for MinMaxPrimitive<T>
where
    T: ArrowPrimitiveType,
    T::Native: TotalOrder + Send,
{
    fn resize(&mut self, n: usize) {
        self.best.resize(n, None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<T>();
        let raw = values.values();
        if self.best.len() == 1 {
            // A global aggregate: keep the best value in a register.
            let mut best = self.best[0];
            for_each_valid(groups, values.nulls(), |i, _| {
                if best.is_none_or(|b| self.better(raw[i], b)) {
                    best = Some(raw[i]);
                }
            });
            self.best[0] = best;
            return Ok(());
        }
        for_each_valid(groups, values.nulls(), |i, g| self.offer(g, raw[i]));
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, v) in downcast::<Self>(other)?.best.into_iter().enumerate() {
            if let Some(v) = v {
                self.offer(mapping[g] as usize, v);
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let array = PrimitiveArray::<T>::from_iter(self.best).with_data_type(self.data_type);
        Ok(Arc::new(array))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// `min` / `max` of strings (byte order, as Spark) and booleans.
struct MinMaxOther {
    max: bool,
    data_type: DataType,
    strings: Vec<Option<String>>,
    bools: Vec<Option<bool>>,
}

impl Accumulator for MinMaxOther {
    fn resize(&mut self, n: usize) {
        self.strings.resize(n, None);
        self.bools.resize(n, None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let max = self.max;
        match args[0].data_type() {
            DataType::Utf8 => {
                let values = args[0].as_string::<i32>();
                for (i, &g) in groups.iter().enumerate() {
                    if values.is_valid(i) {
                        let v = values.value(i);
                        let slot = &mut self.strings[g as usize];
                        if slot
                            .as_deref()
                            .is_none_or(|cur| if max { v > cur } else { v < cur })
                        {
                            *slot = Some(v.to_string());
                        }
                    }
                }
            }
            DataType::Boolean => {
                let values = args[0].as_boolean();
                for (i, &g) in groups.iter().enumerate() {
                    if values.is_valid(i) {
                        let v = values.value(i);
                        let slot = &mut self.bools[g as usize];
                        if slot.is_none_or(|cur| if max { v & !cur } else { !v & cur }) {
                            *slot = Some(v);
                        }
                    }
                }
            }
            other => return Err(Error::unsupported(format!("min/max of {other}"))),
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        let max = self.max;
        for (g, v) in other.strings.into_iter().enumerate() {
            if let Some(v) = v {
                let slot = &mut self.strings[mapping[g] as usize];
                if slot.as_deref().is_none_or(|cur| {
                    if max {
                        v.as_str() > cur
                    } else {
                        v.as_str() < cur
                    }
                }) {
                    *slot = Some(v);
                }
            }
        }
        for (g, v) in other.bools.into_iter().enumerate() {
            if let Some(v) = v {
                let slot = &mut self.bools[mapping[g] as usize];
                if slot.is_none_or(|cur| if max { v & !cur } else { !v & cur }) {
                    *slot = Some(v);
                }
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(match self.data_type {
            DataType::Boolean => Arc::new(BooleanArray::from(self.bools)),
            _ => Arc::new(StringArray::from(self.strings)),
        })
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

fn min_max(max: bool, data_type: &DataType) -> Result<Box<dyn Accumulator>> {
    macro_rules! primitive {
        ($t:ty) => {
            Box::new(MinMaxPrimitive::<$t> {
                max,
                data_type: data_type.clone(),
                best: vec![],
            })
        };
    }
    Ok(match data_type {
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => {
            primitive!(TimestampMicrosecondType)
        }
        DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, _) => {
            primitive!(TimestampMillisecondType)
        }
        DataType::Timestamp(arrow_schema::TimeUnit::Nanosecond, _) => {
            primitive!(TimestampNanosecondType)
        }
        DataType::Timestamp(arrow_schema::TimeUnit::Second, _) => primitive!(TimestampSecondType),
        DataType::Decimal128(_, _) => primitive!(Decimal128Type),
        DataType::Utf8 | DataType::Boolean => Box::new(MinMaxOther {
            max,
            data_type: data_type.clone(),
            strings: vec![],
            bools: vec![],
        }),
        other => {
            return Err(Error::unsupported(format!(
                "min/max of {}",
                crate::frame::spark_type_name(other)
            )))
        }
    })
}
