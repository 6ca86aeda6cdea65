//! `min` and `max`, in Spark's ordering (NaN above every number, strings by bytes).

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, BooleanArray, PrimitiveArray, StringArray};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::{Error, Result};

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
        #[inline]
        fn total_gt(self, other: Self) -> bool { self > other }
    })*};
}
ord_total!(i8, i16, i32, i64, i128, u8, u16, u32, u64);

/// Spark's float order: every NaN equal and above every number, `-0.0` equal to `0.0`
/// (so of the two zeros the first seen stays, as in Spark).
macro_rules! spark_float_order {
    ($($t:ty),*) => {$(impl TotalOrder for $t {
        #[inline]
        fn total_gt(self, other: Self) -> bool {
            if self.is_nan() {
                !other.is_nan()
            } else {
                !other.is_nan() && self > other
            }
        }
    })*};
}
spark_float_order!(f32, f64);

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

/// The best of `current` and the valid values of `raw`, in row order, a value replacing
/// the best only when strictly better (so of equal values the first seen stays, as in the
/// row-by-row loop). One typed loop per direction, kept in a register: integer
/// columns vectorise, and a validity word of 64 valid rows takes the plain loop.
fn global_best<N: TotalOrder>(
    raw: &[N],
    nulls: Option<&NullBuffer>,
    max: bool,
    current: Option<N>,
) -> Option<N> {
    let nulls = nulls.filter(|n| n.null_count() > 0);
    // Start from the first valid value: offering it again below changes nothing.
    let mut best = match current {
        Some(b) => b,
        None => match nulls {
            None => *raw.first()?,
            Some(n) => raw[n.valid_indices().next()?],
        },
    };
    let fold = |best: N, values: &[N]| {
        if max {
            values
                .iter()
                .fold(best, |b, &x| if x.total_gt(b) { x } else { b })
        } else {
            values
                .iter()
                .fold(best, |b, &x| if b.total_gt(x) { x } else { b })
        }
    };
    let Some(nulls) = nulls else {
        return Some(fold(best, raw));
    };
    let bits = nulls.inner().bit_chunks();
    let sparse = |best: N, values: &[N], mut word: u64| {
        let mut b = best;
        while word != 0 {
            let x = values[word.trailing_zeros() as usize];
            let better = if max { x.total_gt(b) } else { b.total_gt(x) };
            if better {
                b = x;
            }
            word &= word - 1;
        }
        b
    };
    let mut chunks = raw.chunks_exact(64);
    for (values, word) in (&mut chunks).zip(bits.iter()) {
        best = if word == u64::MAX {
            fold(best, values)
        } else {
            sparse(best, values, word)
        };
    }
    Some(sparse(best, chunks.remainder(), bits.remainder_bits()))
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
            self.best[0] = global_best(raw, values.nulls(), self.max, self.best[0]);
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

    fn can_sink(&self) -> bool {
        true
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

pub(super) fn min_max(max: bool, data_type: &DataType) -> Result<Box<dyn Accumulator>> {
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
        DataType::Time64(arrow_schema::TimeUnit::Microsecond) => primitive!(Time64MicrosecondType),
        // Day-time intervals.
        DataType::Duration(arrow_schema::TimeUnit::Microsecond) => {
            primitive!(DurationMicrosecondType)
        }
        // Year-month intervals.
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => {
            primitive!(IntervalYearMonthType)
        }
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
