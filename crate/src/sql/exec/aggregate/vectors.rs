//! `vector_sum` and `vector_avg`: the element-wise sum and mean of a group's
//! `array<float>` vectors, as Spark's `VectorSum` and `VectorAvg` compute them, in float.
//! The sum adds element by element in row order; the mean is a running one, each new
//! vector moving it by `(x - mean) / n` (times the float `1 / n`, as Spark); two partial
//! states merge as Spark merges them, sums added and means weighted by their counts. A
//! NULL array, or one with a NULL element, is skipped; a vector whose length differs from
//! the group's first is an error; a group without any vector is NULL.

use std::any::Any;
use std::sync::Arc;

use arrow_array::builder::{Float32Builder, ListBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::functions::dimension_mismatch;

/// One group's vectors so far.
#[derive(Default)]
struct State {
    count: i64,
    /// The running sum or mean (empty until the first vector).
    acc: Vec<f32>,
}

pub(super) struct VectorFold {
    average: bool,
    returns: DataType,
    states: Vec<State>,
}

impl VectorFold {
    /// `vector_avg` when `average`, else `vector_sum`; `returns` is `array<float>`.
    pub fn new(average: bool, returns: DataType) -> Self {
        VectorFold {
            average,
            returns,
            states: vec![],
        }
    }

    fn name(&self) -> &'static str {
        if self.average {
            "vector_avg"
        } else {
            "vector_sum"
        }
    }

    /// Spark's `update`: one more vector for a group.
    fn add(&mut self, g: usize, v: &[f32]) -> Result<()> {
        let (average, name) = (self.average, self.name());
        let state = &mut self.states[g];
        if state.count == 0 {
            state.acc.clear();
            state.acc.extend_from_slice(v);
            state.count = 1;
            return Ok(());
        }
        if state.acc.len() != v.len() {
            return Err(dimension_mismatch(name, state.acc.len(), v.len()));
        }
        let count = state.count + 1;
        if average {
            let inverse = 1.0f32 / count as f32;
            for (a, &x) in state.acc.iter_mut().zip(v) {
                *a += (x - *a) * inverse;
            }
        } else {
            for (a, &x) in state.acc.iter_mut().zip(v) {
                *a += x;
            }
        }
        state.count = count;
        Ok(())
    }

    /// Spark's `merge`: another partial state of a group.
    fn absorb(&mut self, g: usize, theirs: State) -> Result<()> {
        let (average, name) = (self.average, self.name());
        let state = &mut self.states[g];
        if theirs.count == 0 {
            return Ok(());
        }
        if state.count == 0 {
            *state = theirs;
            return Ok(());
        }
        if state.acc.len() != theirs.acc.len() {
            return Err(dimension_mismatch(name, state.acc.len(), theirs.acc.len()));
        }
        let count = state.count + theirs.count;
        if average {
            let (mine, other) = (
                state.count as f32 / count as f32,
                theirs.count as f32 / count as f32,
            );
            for (a, &x) in state.acc.iter_mut().zip(&theirs.acc) {
                *a = *a * mine + x * other;
            }
        } else {
            for (a, &x) in state.acc.iter_mut().zip(&theirs.acc) {
                *a += x;
            }
        }
        state.count = count;
        Ok(())
    }
}

impl Accumulator for VectorFold {
    fn resize(&mut self, n: usize) {
        self.states.resize_with(n, State::default);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let lists = args[0].as_list_opt::<i32>().ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                format!("{} of {}", self.name(), args[0].data_type()),
            )
        })?;
        let values = lists
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "a vector aggregate of non-floats"))?;
        let (offsets, element_nulls) = (lists.value_offsets(), values.nulls());
        let mut result = Ok(());
        for_each_valid(groups, lists.nulls(), |i, g| {
            if result.is_err() {
                return;
            }
            let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
            if element_nulls.is_some_and(|n| (start..end).any(|k| n.is_null(k))) {
                return;
            }
            result = self.add(g, &values.values()[start..end]);
        });
        result
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, theirs) in downcast::<Self>(other)?.states.into_iter().enumerate() {
            self.absorb(mapping[g] as usize, theirs)?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let DataType::List(field) = &self.returns else {
            return Err(Error::new(
                ErrorCode::Internal,
                "a vector aggregate without an array type",
            ));
        };
        let elements: usize = self.states.iter().map(|s| s.acc.len()).sum();
        let mut out =
            ListBuilder::with_capacity(Float32Builder::with_capacity(elements), self.states.len())
                .with_field(Arc::clone(field));
        for state in &self.states {
            if state.count == 0 {
                out.append_null();
            } else {
                out.values().append_slice(&state.acc);
                out.append(true);
            }
        }
        Ok(Arc::new(out.finish()))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(average: bool, rows: &[&[f32]]) -> Vec<f32> {
        let mut f = VectorFold::new(average, crate::sql::types::list_of(DataType::Float32));
        f.resize(1);
        for r in rows {
            f.add(0, r).unwrap();
        }
        f.states.remove(0).acc
    }

    /// Spark 4.3's answers: sums and running means in float.
    #[test]
    fn folds_are_sparks() {
        assert_eq!(fold(false, &[&[16777216.0], &[1.0], &[1.0]]), [16777216.0]);
        assert_eq!(fold(true, &[&[16777216.0], &[1.0], &[1.0]]), [5592405.5]);
        assert_eq!(
            fold(
                true,
                &[&[0.1, 0.7], &[0.2, 0.3], &[0.4, 1e30], &[0.4, 1e30]]
            ),
            [0.275, 5.0e29]
        );
        assert_eq!(
            fold(true, &[&[1.0, 2.0], &[2.0, 2.0], &[4.0, 2.0]]),
            [2.333_333_5, 2.0]
        );
        let sevenths: [&[f32]; 7] = [&[0.1], &[0.2], &[0.3], &[0.7], &[0.9], &[1.3], &[0.1]];
        assert_eq!(fold(true, &sevenths), [0.514_285_7]);
    }
}
