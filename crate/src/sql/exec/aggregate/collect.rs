//! The aggregates that need a group's values, not a running summary: `collect_list`
//! (and `collect_set`, its DISTINCT form), the exact percentiles (`percentile`,
//! `median`, `percentile_approx`, `percentile_cont`, `percentile_disc`) and `mode`.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type};
use arrow_array::{new_empty_array, Array, ArrayRef, Float64Array, ListArray, UInt32Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, SortOptions};
use arrow_select::concat::concat;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::{spark_comparator, spark_normalized};
use crate::sql::exec::keys::group_rows;
use crate::sql::exec::value::kernel_error;

/// The rows of `values` that are not NULL, with their groups.
fn valid_rows(groups: &[u32], values: &ArrayRef) -> Result<(UInt32Array, ArrayRef)> {
    match values.logical_nulls().filter(|n| n.null_count() > 0) {
        None => Ok((UInt32Array::from(groups.to_vec()), Arc::clone(values))),
        Some(nulls) => {
            let rows = UInt32Array::from_iter_values(nulls.valid_indices().map(|i| i as u32));
            let kept = rows.values().iter().map(|&i| groups[i as usize]);
            Ok((
                UInt32Array::from_iter_values(kept),
                take(values, &rows, None).map_err(kernel_error)?,
            ))
        }
    }
}

/// Several parts' groups and values as one pair of columns.
fn concat_parts(parts: &[(UInt32Array, ArrayRef)]) -> Result<(UInt32Array, ArrayRef)> {
    let groups: Vec<&dyn Array> = parts.iter().map(|(g, _)| g as &dyn Array).collect();
    let values: Vec<&dyn Array> = parts.iter().map(|(_, v)| v.as_ref()).collect();
    let groups = concat(&groups).map_err(kernel_error)?;
    Ok((
        groups.as_primitive::<UInt32Type>().clone(),
        concat(&values).map_err(kernel_error)?,
    ))
}

/// `collect_list(x)`: each group's values that are not NULL, in row order (an empty
/// array for a group without any, as Spark).
pub(super) struct CollectList {
    list_type: DataType,
    groups: usize,
    parts: Vec<(UInt32Array, ArrayRef)>,
}

impl CollectList {
    pub fn new(list_type: DataType) -> Self {
        CollectList {
            list_type,
            groups: 0,
            parts: vec![],
        }
    }
}

impl Accumulator for CollectList {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        self.parts.push(valid_rows(groups, &args[0])?);
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (groups, values) in downcast::<Self>(other)?.parts {
            self.parts
                .push((groups.unary(|g| mapping[g as usize]), values));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let DataType::List(field) = &self.list_type else {
            return Err(Error::new(
                ErrorCode::Internal,
                "collect_list without a list type",
            ));
        };
        let (groups, values) = if self.parts.is_empty() {
            (
                UInt32Array::from(Vec::<u32>::new()),
                new_empty_array(field.data_type()),
            )
        } else {
            concat_parts(&self.parts)?
        };
        // A counting sort of the rows by group keeps each group's rows in row order.
        let mut counts = vec![0usize; self.groups];
        for &g in groups.values() {
            counts[g as usize] += 1;
        }
        let mut starts = Vec::with_capacity(self.groups);
        let mut total = 0;
        for &c in &counts {
            starts.push(total);
            total += c;
        }
        let mut order = vec![0u32; total];
        for (row, &g) in groups.values().iter().enumerate() {
            let slot = &mut starts[g as usize];
            order[*slot] = row as u32;
            *slot += 1;
        }
        let values = take(&values, &UInt32Array::from(order), None).map_err(kernel_error)?;
        let values = if values.data_type() == field.data_type() {
            values
        } else {
            arrow_cast::cast(&values, field.data_type()).map_err(kernel_error)?
        };
        let list = ListArray::try_new(
            Arc::clone(field),
            OffsetBuffer::from_lengths(counts),
            values,
            None,
        )
        .map_err(kernel_error)?;
        Ok(Arc::new(list))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// How a percentile falls between a group's sorted values.
#[derive(Clone, Copy)]
pub(super) enum Rank {
    /// Linear interpolation between the closest ranks (Spark's `percentile`, `median`,
    /// `percentile_cont`).
    Interpolated,
    /// The smallest value with at least the fraction p of the values at or below it
    /// (what Spark's `percentile_approx` gives when its summary holds every value).
    Nearest,
    /// The first value whose cumulative distribution `k / n` reaches p, compared as that
    /// quotient (Spark's `percentile_disc`: 0.3 of 10 values is the third, where
    /// `ceil(0.3 * 10)` would be 4).
    Discrete,
}

/// An exact percentile of each group's values that are not NULL.
pub(super) struct Percentiles {
    /// The percentages asked for, in the order asked.
    ps: Vec<f64>,
    /// Whether the answer is an array of one value per percentage (`percentile(x,
    /// array(...))`) rather than the value of the one percentage.
    as_array: bool,
    rank: Rank,
    /// Ranks counted from the largest value (`WITHIN GROUP (ORDER BY x DESC)`).
    descending: bool,
    /// The type of one answer (an array's element type when `as_array`).
    returns: DataType,
    values: Vec<Vec<f64>>,
}

impl Percentiles {
    pub fn new(p: f64, rank: Rank, returns: DataType) -> Self {
        Percentiles {
            ps: vec![p],
            as_array: false,
            rank,
            descending: false,
            returns,
            values: vec![],
        }
    }

    /// Several percentages at once; `returns` is the array type of the answer.
    pub fn several(ps: Vec<f64>, rank: Rank, returns: DataType) -> Result<Self> {
        let DataType::List(element) = &returns else {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("several percentiles returned as {returns}"),
            ));
        };
        Ok(Percentiles {
            ps,
            as_array: true,
            returns: element.data_type().clone(),
            ..Percentiles::new(0.0, rank, DataType::Float64)
        })
    }

    /// The same with ranks counted from the largest value when `descending`.
    pub fn descending(self, descending: bool) -> Self {
        Percentiles { descending, ..self }
    }

    fn of_sorted(p: f64, rank: Rank, v: &[f64]) -> Option<f64> {
        let n = v.len();
        if n == 0 {
            return None;
        }
        Some(match rank {
            Rank::Interpolated => {
                let position = p * (n - 1) as f64;
                let (lower, upper) = (position.floor() as usize, position.ceil() as usize);
                let fraction = position - lower as f64;
                v[lower] + (v[upper] - v[lower]) * fraction
            }
            Rank::Nearest => {
                let rank = (p * n as f64).ceil() as usize;
                v[rank.clamp(1, n) - 1]
            }
            Rank::Discrete => {
                let reaches = |k: usize| k as f64 / n as f64 >= p;
                let mut k = ((p * n as f64).ceil() as usize).clamp(1, n);
                while k > 1 && reaches(k - 1) {
                    k -= 1;
                }
                while k < n && !reaches(k) {
                    k += 1;
                }
                v[k - 1]
            }
        })
    }
}

impl Accumulator for Percentiles {
    fn resize(&mut self, n: usize) {
        self.values.resize_with(n, Vec::new);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        super::accumulator::for_each_valid(groups, values.nulls(), |i, g| {
            self.values[g].push(values.value(i))
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, v) in downcast::<Self>(other)?.values.into_iter().enumerate() {
            self.values[mapping[g] as usize].extend(v);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let Percentiles {
            ps,
            as_array,
            rank,
            descending,
            returns,
            values,
        } = *self;
        let groups = values.len();
        // One sort per group, then every percentage read from it; an empty group is NULL
        // (an array too, and so is every group's array of no percentages, as in Spark).
        // A NULL array holds no answers.
        let mut answers: Vec<Option<f64>> = Vec::with_capacity(groups * ps.len());
        let mut present = Vec::with_capacity(groups);
        for mut v in values {
            let here = !v.is_empty() && !ps.is_empty();
            present.push(here);
            if as_array && !here {
                continue;
            }
            if descending {
                v.sort_unstable_by(|a, b| b.total_cmp(a));
            } else {
                v.sort_unstable_by(f64::total_cmp);
            }
            answers.extend(ps.iter().map(|&p| Self::of_sorted(p, rank, &v)));
        }
        let answers: ArrayRef = Arc::new(Float64Array::from(answers));
        // percentile_approx of an integer column is one of its values, as an integer.
        let answers = if returns == DataType::Float64 {
            answers
        } else {
            arrow_cast::cast(&answers, &returns).map_err(kernel_error)?
        };
        if !as_array {
            return Ok(answers);
        }
        let field = Arc::new(Field::new("element", returns, true));
        let offsets =
            OffsetBuffer::from_lengths(present.iter().map(|&p| if p { ps.len() } else { 0 }));
        ListArray::try_new(field, offsets, answers, Some(NullBuffer::from(present)))
            .map(|list| Arc::new(list) as ArrayRef)
            .map_err(kernel_error)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// `mode(x)`: each group's most frequent value that is not NULL; of equally frequent
/// values the smallest (Spark's deterministic choice), or the largest for `mode() WITHIN
/// GROUP (ORDER BY x DESC)`.
pub(super) struct Mode {
    data_type: DataType,
    /// Ties go to the largest value.
    largest: bool,
    groups: usize,
    /// Per part: each distinct (group, value) and how often it came.
    parts: Vec<(UInt32Array, ArrayRef, Vec<i64>)>,
}

impl Mode {
    pub fn new(data_type: DataType) -> Self {
        Mode {
            data_type,
            largest: false,
            groups: 0,
            parts: vec![],
        }
    }

    /// The same with ties going to the largest value when `largest`.
    pub fn largest(self, largest: bool) -> Self {
        Mode { largest, ..self }
    }
}

/// The distinct (group, value) rows of `groups` and `values` with the sum of `weights`
/// of each (a weight of one per row when none are given).
fn counted(
    groups: &UInt32Array,
    values: &ArrayRef,
    weights: Option<&[i64]>,
) -> Result<(UInt32Array, ArrayRef, Vec<i64>)> {
    let group_column: ArrayRef = Arc::new(groups.clone());
    // Counted as Spark sees floats: both zeros one value, every NaN one value.
    let values = &spark_normalized(values);
    let distinct = group_rows(&[group_column, Arc::clone(values)], values.len())?;
    let mut counts = vec![0i64; distinct.firsts.len()];
    for (row, &id) in distinct.ids.iter().enumerate() {
        counts[id as usize] += weights.map_or(1, |w| w[row]);
    }
    let firsts = UInt32Array::from(distinct.firsts);
    let groups = take(groups, &firsts, None).map_err(kernel_error)?;
    Ok((
        groups.as_primitive::<UInt32Type>().clone(),
        take(values, &firsts, None).map_err(kernel_error)?,
        counts,
    ))
}

impl Accumulator for Mode {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let (groups, values) = valid_rows(groups, &args[0])?;
        self.parts.push(counted(&groups, &values, None)?);
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (groups, values, counts) in downcast::<Self>(other)?.parts {
            self.parts
                .push((groups.unary(|g| mapping[g as usize]), values, counts));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let mut best: Vec<Option<(i64, u32)>> = vec![None; self.groups];
        if !self.parts.is_empty() {
            let pairs: Vec<(UInt32Array, ArrayRef)> = self
                .parts
                .iter()
                .map(|(g, v, _)| (g.clone(), Arc::clone(v)))
                .collect();
            let (groups, values) = concat_parts(&pairs)?;
            let weights: Vec<i64> = self
                .parts
                .iter()
                .flat_map(|(_, _, c)| c.iter().copied())
                .collect();
            let (groups, values, counts) = counted(&groups, &values, Some(&weights))?;
            let cmp = spark_comparator(values.as_ref(), values.as_ref(), SortOptions::default())
                .map_err(kernel_error)?;
            for (row, (&g, &count)) in groups.values().iter().zip(&counts).enumerate() {
                let slot = &mut best[g as usize];
                let better = match *slot {
                    None => true,
                    Some((c, r)) => {
                        let order = cmp(row, r as usize);
                        count > c
                            || (count == c
                                && if self.largest {
                                    order.is_gt()
                                } else {
                                    order.is_lt()
                                })
                    }
                };
                if better {
                    *slot = Some((count, row as u32));
                }
            }
            let rows =
                UInt32Array::from(best.iter().map(|b| b.map(|(_, r)| r)).collect::<Vec<_>>());
            return take(&values, &rows, None).map_err(kernel_error);
        }
        Ok(arrow_array::new_null_array(&self.data_type, self.groups))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
