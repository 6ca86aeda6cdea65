//! `sum` and `avg` of decimals, in decimals: exact i128 sums per group, NULL once a sum
//! needs more digits than its type (Spark's non-ANSI answer to an overflowing decimal
//! sum), and the average computed as Spark does, `sum / count` in its division type then
//! rounded HALF_UP to the average's type.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, Decimal128Array};
use arrow_schema::DataType;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::decimal_digits::pow10;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::Decimal;
use crate::sql::exec::decimal::arith::average;
use crate::sql::exec::value::kernel_error;

/// Per group: the running sum (at the input's scale), whether it overflowed, and how
/// many values it holds.
pub(super) struct DecimalSum {
    /// The type of the result: the sum's for `sum`, the average's for `avg`.
    returns: Decimal,
    average: bool,
    /// The input's type, known from the first batch (partials that saw none have none).
    input: Option<Decimal>,
    sums: Vec<i128>,
    counts: Vec<i64>,
    overflowed: Vec<bool>,
}

impl DecimalSum {
    pub fn new(returns: &DataType, average: bool) -> Result<Self> {
        let returns = Decimal::of(returns).ok_or_else(|| {
            Error::new(ErrorCode::Internal, "a decimal sum without a decimal type")
        })?;
        Ok(DecimalSum {
            returns,
            average,
            input: None,
            sums: vec![],
            counts: vec![],
            overflowed: vec![],
        })
    }

    /// The largest magnitude (exclusive) a running sum may reach: the digits of the sum
    /// type, decimal(p + 10, s) capped at 38, which Spark's sum keeps its total in.
    fn limit(input: Option<Decimal>) -> i128 {
        let digits = input.map_or(38, |d| d.sum().precision);
        pow10(digits).unwrap_or(i128::MAX)
    }
}

/// Adds `v` (and `n` values) to group `g`'s sum, marking it overflowed past `limit`.
fn add(
    (sums, counts, overflowed): (&mut [i128], &mut [i64], &mut [bool]),
    g: usize,
    v: i128,
    n: i64,
    limit: i128,
) {
    match sums[g].checked_add(v) {
        Some(s) if s.unsigned_abs() < limit.unsigned_abs() => sums[g] = s,
        _ => overflowed[g] = true,
    }
    counts[g] += n;
}

impl Accumulator for DecimalSum {
    fn resize(&mut self, n: usize) {
        self.sums.resize(n, 0);
        self.counts.resize(n, 0);
        self.overflowed.resize(n, false);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args
            .first()
            .and_then(|a| a.as_primitive_opt::<Decimal128Type>())
            .ok_or_else(|| Error::new(ErrorCode::Internal, "a decimal sum of non-decimals"))?;
        if self.input.is_none() {
            self.input = Decimal::of(values.data_type());
        }
        let limit = Self::limit(self.input);
        let raw = values.values();
        let state = (
            &mut self.sums[..],
            &mut self.counts[..],
            &mut self.overflowed[..],
        );
        let (sums, counts, overflowed) = state;
        for_each_valid(groups, values.nulls(), |i, g| {
            add(
                (&mut *sums, &mut *counts, &mut *overflowed),
                g,
                raw[i],
                1,
                limit,
            )
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        self.input = self.input.or(other.input);
        let limit = Self::limit(self.input);
        for (g, ((s, c), o)) in other
            .sums
            .into_iter()
            .zip(other.counts)
            .zip(other.overflowed)
            .enumerate()
        {
            let m = mapping[g] as usize;
            let state = (
                &mut self.sums[..],
                &mut self.counts[..],
                &mut self.overflowed[..],
            );
            add(state, m, s, c, limit);
            self.overflowed[m] |= o;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let input = self.input;
        let values: Decimal128Array = (0..self.sums.len())
            .map(|g| {
                if self.counts[g] == 0 || self.overflowed[g] {
                    return None;
                }
                if self.average {
                    average(self.sums[g], self.counts[g], input?, self.returns)
                } else {
                    Some(self.sums[g])
                }
            })
            .collect();
        let scale = i8::try_from(self.returns.scale).unwrap_or(38);
        Ok(Arc::new(
            values
                .with_precision_and_scale(self.returns.precision, scale)
                .map_err(kernel_error)?,
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
