//! Hash aggregation: each partition is aggregated on its own thread into partial states,
//! then the partials are merged (Spark's partial + final aggregation).
//!
//! Group keys are encoded with arrow-row (one byte string per row, comparable and
//! hashable whatever the key types), and each aggregate keeps its state in flat vectors
//! indexed by group.

use std::any::Any;
use std::hash::BuildHasher;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Float64Array, Int64Array, PrimitiveArray,
    RecordBatch, RecordBatchOptions, StringArray,
};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, SchemaRef};
use foldhash::fast::FixedState;
use hashbrown::{HashSet, HashTable};
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::eval::{evaluate_array, kernel_error};
use crate::sql::exec::ExecContext;
use crate::sql::plan::expr::{AggregateCall, Expr};
use crate::sql::plan::functions::AggregateFunction;

/// Groups `partitions` by `group` and computes `aggregates`; output is the grouping
/// columns then one column per aggregate, in one batch.
pub fn aggregate(
    partitions: &[RecordBatch],
    group: &[Expr],
    aggregates: &[AggregateCall],
    schema: SchemaRef,
    ctx: &ExecContext,
) -> Result<Vec<RecordBatch>> {
    let key_types: Vec<DataType> = schema.fields()[..group.len()]
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    let partials: Vec<Partial> = partitions
        .par_iter()
        .map(|batch| {
            ctx.check()?;
            let partial = Partial::of_batch(batch, group, aggregates, &key_types)?;
            ctx.advance();
            Ok(partial)
        })
        .collect::<Result<_>>()?;
    let mut merged = Partial::new(group, aggregates, &key_types)?;
    for partial in partials {
        merged.merge(partial)?;
    }
    // A global aggregate over no rows still has one row (count 0, sum NULL).
    if group.is_empty() && merged.groups.len() == 0 {
        merged.groups.intern(&[], 0);
        for acc in &mut merged.accumulators {
            acc.resize(1);
        }
    }
    let rows = merged.groups.len();
    let mut columns = merged.key_columns()?;
    for acc in merged.accumulators {
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

/// Group ids for encoded keys: a hash table of ids over an arena of key bytes. Every
/// table hashes with the same fixed seed, so partial tables merge without rehashing.
struct GroupTable {
    hasher: FixedState,
    table: HashTable<u32>,
    hashes: Vec<u64>,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl GroupTable {
    fn new() -> Self {
        GroupTable {
            hasher: FixedState::default(),
            table: HashTable::new(),
            hashes: Vec::new(),
            bytes: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn key(&self, group: usize) -> &[u8] {
        let start = if group == 0 { 0 } else { self.ends[group - 1] };
        &self.bytes[start..self.ends[group]]
    }

    /// The id of `key`'s group, creating it if new.
    fn intern(&mut self, key: &[u8], hash: u64) -> u32 {
        let Self {
            table,
            hashes,
            bytes,
            ends,
            ..
        } = self;
        let key_of = |g: u32| {
            let g = g as usize;
            let start = if g == 0 { 0 } else { ends[g - 1] };
            &bytes[start..ends[g]]
        };
        if let Some(&group) = table.find(hash, |&g| key_of(g) == key) {
            return group;
        }
        let group = ends.len() as u32;
        bytes.extend_from_slice(key);
        ends.push(bytes.len());
        hashes.push(hash);
        let hashes = &*hashes;
        table.insert_unique(hash, group, |&g| hashes[g as usize]);
        group
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }
}

/// The aggregation state of some rows: their groups and one accumulator per aggregate.
struct Partial {
    converter: Option<RowConverter>,
    groups: GroupTable,
    accumulators: Vec<Box<dyn Accumulator>>,
}

impl Partial {
    fn new(group: &[Expr], aggregates: &[AggregateCall], key_types: &[DataType]) -> Result<Self> {
        let converter = if group.is_empty() {
            None
        } else {
            Some(
                RowConverter::new(
                    key_types
                        .iter()
                        .map(|t| SortField::new(t.clone()))
                        .collect(),
                )
                .map_err(kernel_error)?,
            )
        };
        Ok(Partial {
            converter,
            groups: GroupTable::new(),
            accumulators: aggregates
                .iter()
                .map(accumulator_for)
                .collect::<Result<_>>()?,
        })
    }

    fn of_batch(
        batch: &RecordBatch,
        group: &[Expr],
        aggregates: &[AggregateCall],
        key_types: &[DataType],
    ) -> Result<Self> {
        let mut partial = Partial::new(group, aggregates, key_types)?;
        let rows = batch.num_rows();
        let group_ids: Vec<u32> = match &partial.converter {
            None => {
                if rows > 0 {
                    partial.groups.intern(&[], 0);
                }
                vec![0; rows]
            }
            Some(converter) => {
                let keys = group
                    .iter()
                    .map(|g| evaluate_array(g, batch))
                    .collect::<Result<Vec<_>>>()?;
                let encoded = converter.convert_columns(&keys).map_err(kernel_error)?;
                (0..rows)
                    .map(|i| {
                        let key = encoded.row(i);
                        let hash = partial.groups.hash(key.data());
                        partial.groups.intern(key.data(), hash)
                    })
                    .collect()
            }
        };
        let num_groups = partial.groups.len();
        for (acc, call) in partial.accumulators.iter_mut().zip(aggregates) {
            let args = call
                .args
                .iter()
                .map(|a| evaluate_array(a, batch))
                .collect::<Result<Vec<_>>>()?;
            acc.resize(num_groups);
            acc.update(&group_ids, &args)?;
        }
        Ok(partial)
    }

    fn merge(&mut self, other: Partial) -> Result<()> {
        let mapping: Vec<u32> = (0..other.groups.len())
            .map(|g| {
                let key = other.groups.key(g);
                let hash = other.groups.hashes[g];
                self.groups.intern(key, hash)
            })
            .collect();
        let num_groups = self.groups.len();
        for (acc, theirs) in self.accumulators.iter_mut().zip(other.accumulators) {
            acc.resize(num_groups);
            acc.merge(theirs, &mapping)?;
        }
        Ok(())
    }

    fn key_columns(&self) -> Result<Vec<ArrayRef>> {
        let Some(converter) = &self.converter else {
            return Ok(vec![]);
        };
        let parser = converter.parser();
        let rows: Vec<_> = (0..self.groups.len())
            .map(|g| parser.parse(self.groups.key(g)))
            .collect();
        converter.convert_rows(rows).map_err(kernel_error)
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
        F::Sum if call.return_type == DataType::Int64 => Box::new(SumInt {
            sums: vec![],
            seen: vec![],
        }),
        F::Sum => Box::new(SumFloat {
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

struct SumInt {
    sums: Vec<i64>,
    seen: Vec<bool>,
}

impl Accumulator for SumInt {
    fn resize(&mut self, n: usize) {
        self.sums.resize(n, 0);
        self.seen.resize(n, false);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Int64Type>();
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                let g = g as usize;
                self.sums[g] = self.sums[g].wrapping_add(values.value(i));
                self.seen[g] = true;
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, (s, seen)) in other.sums.into_iter().zip(other.seen).enumerate() {
            let m = mapping[g] as usize;
            self.sums[m] = self.sums[m].wrapping_add(s);
            self.seen[m] |= seen;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(
            self.sums
                .into_iter()
                .zip(self.seen)
                .map(|(s, seen)| seen.then_some(s))
                .collect::<Int64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

struct SumFloat {
    sums: Vec<f64>,
    seen: Vec<bool>,
}

impl Accumulator for SumFloat {
    fn resize(&mut self, n: usize) {
        self.sums.resize(n, 0.0);
        self.seen.resize(n, false);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                self.sums[g as usize] += values.value(i);
                self.seen[g as usize] = true;
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, (s, seen)) in other.sums.into_iter().zip(other.seen).enumerate() {
            let m = mapping[g] as usize;
            self.sums[m] += s;
            self.seen[m] |= seen;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(
            self.sums
                .into_iter()
                .zip(self.seen)
                .map(|(s, seen)| seen.then_some(s))
                .collect::<Float64Array>(),
        ))
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
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                self.sums[g as usize] += values.value(i);
                self.counts[g as usize] += 1;
            }
        }
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

/// Count, mean and sum of squared deviations per group (Welford), merged with Chan's
/// formula, for the variance family.
struct Moments {
    kind: AggregateFunction,
    count: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Accumulator for Moments {
    fn resize(&mut self, n: usize) {
        self.count.resize(n, 0.0);
        self.mean.resize(n, 0.0);
        self.m2.resize(n, 0.0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                let g = g as usize;
                let x = values.value(i);
                self.count[g] += 1.0;
                let delta = x - self.mean[g];
                self.mean[g] += delta / self.count[g];
                self.m2[g] += delta * (x - self.mean[g]);
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, &m) in mapping.iter().enumerate().take(other.count.len()) {
            let m = m as usize;
            let (na, nb) = (self.count[m], other.count[g]);
            if nb == 0.0 {
                continue;
            }
            let n = na + nb;
            let delta = other.mean[g] - self.mean[m];
            self.mean[m] += delta * nb / n;
            self.m2[m] += other.m2[g] + delta * delta * na * nb / n;
            self.count[m] = n;
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
#[derive(Default)]
struct CountDistinct {
    /// Created for the argument's type on the first batch (every batch has that type).
    converter: Option<RowConverter>,
    seen: Vec<HashSet<Box<[u8]>>>,
}

impl CountDistinct {
    fn encode(&mut self, values: &ArrayRef) -> Result<Rows> {
        if self.converter.is_none() {
            let field = SortField::new(values.data_type().clone());
            self.converter = Some(RowConverter::new(vec![field]).map_err(kernel_error)?);
        }
        let converter = self.converter.as_ref().expect("created above");
        converter
            .convert_columns(&[Arc::clone(values)])
            .map_err(kernel_error)
    }
}

impl Accumulator for CountDistinct {
    fn resize(&mut self, n: usize) {
        self.seen.resize_with(n, HashSet::new);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = &args[0];
        let rows = self.encode(values)?;
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                let key = rows.row(i);
                let set = &mut self.seen[g as usize];
                if !set.contains(key.data()) {
                    set.insert(key.data().into());
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, set) in downcast::<Self>(other)?.seen.into_iter().enumerate() {
            self.seen[mapping[g] as usize].extend(set);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        Ok(Arc::new(Int64Array::from_iter_values(
            self.seen.iter().map(|s| s.len() as i64),
        )))
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
        for (i, &g) in groups.iter().enumerate() {
            if values.is_valid(i) {
                self.offer(g as usize, values.value(i));
            }
        }
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
