//! `count`, `sum` and `avg`: one number (or two) per group.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, ArrowNativeTypeOp, ArrowPrimitiveType, Float64Array, Int64Array,
    PrimitiveArray,
};

use super::accumulator::{
    downcast, for_each_valid, update_two_states, with_small_states, Accumulator, SMALL_STATES,
};
use crate::error::Result;

/// What a [`Count`] counts.
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    /// `count(*)`: every row.
    Rows,
    /// `count(x)`: the rows where x is not NULL.
    Values,
    /// `count_if(condition)`: the rows where it is true.
    Trues,
}

/// A count per group (0 for a group without rows).
pub(super) struct Count {
    counts: Vec<i64>,
    counted: Counted,
}

impl Count {
    fn new(counted: Counted) -> Self {
        Count {
            counts: vec![],
            counted,
        }
    }

    pub fn rows() -> Self {
        Self::new(Counted::Rows)
    }

    pub fn values() -> Self {
        Self::new(Counted::Values)
    }

    pub fn trues() -> Self {
        Self::new(Counted::Trues)
    }
}

impl Accumulator for Count {
    fn resize(&mut self, n: usize) {
        self.counts.resize(n, 0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let every_row = |counts: &mut Vec<i64>| {
            let small = with_small_states(counts, |counts| {
                for &g in groups {
                    counts[g as usize & (SMALL_STATES - 1)] += 1;
                }
            });
            if !small {
                groups.iter().for_each(|&g| counts[g as usize] += 1);
            }
        };
        match (self.counted, args.first()) {
            (Counted::Trues, Some(values)) => {
                let values = values.as_boolean();
                for_each_valid(groups, values.nulls(), |i, g| {
                    self.counts[g] += values.value(i) as i64
                });
            }
            (Counted::Values, Some(values)) => match values.logical_nulls() {
                None => every_row(&mut self.counts),
                Some(nulls) => {
                    for (i, &g) in groups.iter().enumerate() {
                        self.counts[g as usize] += nulls.is_valid(i) as i64;
                    }
                }
            },
            _ => every_row(&mut self.counts),
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

    fn can_sink(&self) -> bool {
        true
    }
}

/// `sum` of `bigint` (wrapping on overflow, as Spark's default non-ANSI mode) or
/// `double`; NULL for a group with no values.
pub(super) struct Sum<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    seen: Vec<bool>,
}

impl<T: ArrowPrimitiveType> Sum<T> {
    pub fn new() -> Self {
        Sum {
            sums: vec![],
            seen: vec![],
        }
    }
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
        update_two_states(
            &mut self.sums,
            &mut self.seen,
            groups,
            values.values(),
            values.nulls(),
            |sum, seen, v| {
                *sum = sum.add_wrapping(v);
                *seen = true;
            },
        );
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

    fn can_sink(&self) -> bool {
        true
    }
}

#[derive(Default)]
pub(super) struct Average {
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
        update_two_states(
            &mut self.sums,
            &mut self.counts,
            groups,
            values.values(),
            values.nulls(),
            |sum, count, v| {
                *sum += v;
                *count += 1;
            },
        );
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

    fn can_sink(&self) -> bool {
        true
    }
}
