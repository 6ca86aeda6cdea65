//! Comparisons of a primitive column with a constant or with another column of the same
//! type, in one typed loop per operator.
//!
//! Filters and join conditions (`age >= 0`, `t.monthly_spend > r.a`) are mostly such
//! comparisons, and arrow's kernels cost several times a plain loop here: they call the
//! operator through a function pointer per row, and floats must first be copied through
//! [`crate::frame::float_keys::spark_normalized`] (a scan of every value) because arrow
//! orders them by their bits. This loop compares floats as Spark does directly — `-0.0`
//! equal to `0.0`, every NaN equal to every other and above every number, which is what
//! arrow's order gives on normalised values — so the answers are the same.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Datum};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{DataType, TimeUnit};

use crate::sql::exec::value::Value;
use crate::sql::plan::expr::BinaryOp;

/// A native value's order as Spark compares it.
trait SparkOrd: Copy {
    fn spark_cmp(self, other: Self) -> Ordering;
}

macro_rules! integer_ord {
    ($($t:ty),*) => {$(impl SparkOrd for $t {
        #[inline]
        fn spark_cmp(self, other: Self) -> Ordering { self.cmp(&other) }
    })*};
}
integer_ord!(i8, i16, i32, i64, i128, u8, u16, u32, u64);

macro_rules! float_ord {
    ($($t:ty),*) => {$(impl SparkOrd for $t {
        #[inline]
        fn spark_cmp(self, other: Self) -> Ordering {
            match (self.is_nan(), other.is_nan()) {
                (false, false) => self.partial_cmp(&other).unwrap_or(Ordering::Equal),
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
            }
        }
    })*};
}
float_ord!(f32, f64);

/// `l op r` for a primitive column and a constant or two primitive columns of the same
/// type; `None` when this loop does not handle the operands (the caller uses arrow's
/// kernels): other types, two constants, a NULL constant, `<=>`.
pub(super) fn compare_primitive(op: BinaryOp, l: &Value, r: &Value) -> Option<ArrayRef> {
    if !matches!(
        op,
        BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::LtEq
            | BinaryOp::Gt
            | BinaryOp::GtEq
    ) {
        return None;
    }
    let data_type = l.data_type();
    if data_type != r.data_type() {
        return None;
    }
    macro_rules! typed {
        ($t:ty) => {
            typed_compare::<$t>(op, l, r)
        };
    }
    match data_type {
        DataType::Int8 => typed!(Int8Type),
        DataType::Int16 => typed!(Int16Type),
        DataType::Int32 => typed!(Int32Type),
        DataType::Int64 => typed!(Int64Type),
        DataType::UInt8 => typed!(UInt8Type),
        DataType::UInt16 => typed!(UInt16Type),
        DataType::UInt32 => typed!(UInt32Type),
        DataType::UInt64 => typed!(UInt64Type),
        DataType::Float32 => typed!(Float32Type),
        DataType::Float64 => typed!(Float64Type),
        DataType::Date32 => typed!(Date32Type),
        DataType::Date64 => typed!(Date64Type),
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => typed!(TimestampSecondType),
            TimeUnit::Millisecond => typed!(TimestampMillisecondType),
            TimeUnit::Microsecond => typed!(TimestampMicrosecondType),
            TimeUnit::Nanosecond => typed!(TimestampNanosecondType),
        },
        // Same precision and scale (the types are equal): the unscaled integers compare.
        DataType::Decimal128(_, _) => typed!(Decimal128Type),
        _ => None,
    }
}

fn typed_compare<T>(op: BinaryOp, l: &Value, r: &Value) -> Option<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: SparkOrd,
{
    // The operator is matched here, outside the loops, so each loop is monomorphic.
    macro_rules! by_op {
        ($loop:ident, $($arg:expr),*) => {
            match op {
                BinaryOp::Eq => $loop($($arg),*, Ordering::is_eq),
                BinaryOp::NotEq => $loop($($arg),*, Ordering::is_ne),
                BinaryOp::Lt => $loop($($arg),*, Ordering::is_lt),
                BinaryOp::LtEq => $loop($($arg),*, Ordering::is_le),
                BinaryOp::Gt => $loop($($arg),*, Ordering::is_gt),
                BinaryOp::GtEq => $loop($($arg),*, Ordering::is_ge),
                _ => return None,
            }
        };
    }
    match (l, r) {
        (Value::Array(a), Value::Scalar(s)) => {
            let (a, s) = (a.as_primitive::<T>(), constant::<T>(s.get().0)?);
            let values = by_op!(column_constant, a.values(), s, false);
            Some(result(values, a.nulls().cloned()))
        }
        (Value::Scalar(s), Value::Array(a)) => {
            let (a, s) = (a.as_primitive::<T>(), constant::<T>(s.get().0)?);
            let values = by_op!(column_constant, a.values(), s, true);
            Some(result(values, a.nulls().cloned()))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let (a, b) = (a.as_primitive::<T>(), b.as_primitive::<T>());
            let values = by_op!(columns, a.values(), b.values());
            Some(result(values, NullBuffer::union(a.nulls(), b.nulls())))
        }
        _ => None,
    }
}

/// The one value of a constant, `None` when it is NULL.
fn constant<T: ArrowPrimitiveType>(one: &dyn Array) -> Option<T::Native> {
    let one = one.as_primitive_opt::<T>()?;
    (one.len() == 1 && one.is_valid(0)).then(|| one.value(0))
}

#[inline]
fn column_constant<N: SparkOrd>(
    values: &[N],
    constant: N,
    flipped: bool,
    keep: impl Fn(Ordering) -> bool,
) -> BooleanBuffer {
    if flipped {
        BooleanBuffer::collect_bool(values.len(), |i| keep(constant.spark_cmp(values[i])))
    } else {
        BooleanBuffer::collect_bool(values.len(), |i| keep(values[i].spark_cmp(constant)))
    }
}

#[inline]
fn columns<N: SparkOrd>(left: &[N], right: &[N], keep: impl Fn(Ordering) -> bool) -> BooleanBuffer {
    BooleanBuffer::collect_bool(left.len(), |i| keep(left[i].spark_cmp(right[i])))
}

fn result(values: BooleanBuffer, nulls: Option<NullBuffer>) -> ArrayRef {
    Arc::new(BooleanArray::new(values, nulls))
}

#[cfg(test)]
mod tests {
    use arrow_array::{Float64Array, Int32Array, Scalar};
    use arrow_ord::cmp;

    use super::*;
    use crate::frame::float_keys::spark_normalized;

    fn arrow_compare(op: BinaryOp, l: &Value, r: &Value) -> BooleanArray {
        let normal = |v: &Value| match v {
            Value::Array(a) => Value::Array(spark_normalized(a)),
            Value::Scalar(s) => Value::scalar(spark_normalized(&s.clone().into_inner())),
        };
        let (l, r) = (normal(l), normal(r));
        match op {
            BinaryOp::Eq => cmp::eq(l.datum(), r.datum()),
            BinaryOp::NotEq => cmp::neq(l.datum(), r.datum()),
            BinaryOp::Lt => cmp::lt(l.datum(), r.datum()),
            BinaryOp::LtEq => cmp::lt_eq(l.datum(), r.datum()),
            BinaryOp::Gt => cmp::gt(l.datum(), r.datum()),
            BinaryOp::GtEq => cmp::gt_eq(l.datum(), r.datum()),
            _ => unreachable!(),
        }
        .unwrap()
    }

    const OPS: [BinaryOp; 6] = [
        BinaryOp::Eq,
        BinaryOp::NotEq,
        BinaryOp::Lt,
        BinaryOp::LtEq,
        BinaryOp::Gt,
        BinaryOp::GtEq,
    ];

    #[test]
    fn floats_compare_as_arrow_does_on_normalised_values() {
        let specials = [
            Some(0.0),
            Some(-0.0),
            Some(f64::NAN),
            Some(-f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(1.5),
            Some(-2.25),
            None,
        ];
        let left: Vec<Option<f64>> = specials
            .iter()
            .flat_map(|&a| specials.iter().map(move |_| a))
            .collect();
        let right: Vec<Option<f64>> = specials
            .iter()
            .flat_map(|_| specials.iter().copied())
            .collect();
        let l = Value::Array(Arc::new(Float64Array::from(left.clone())));
        let r = Value::Array(Arc::new(Float64Array::from(right)));
        for op in OPS {
            let fast = compare_primitive(op, &l, &r).unwrap();
            assert_eq!(fast.as_boolean(), &arrow_compare(op, &l, &r), "{op:?}");
            for &c in specials.iter().flatten() {
                let s = Value::Scalar(Scalar::new(
                    Arc::new(Float64Array::from(vec![c])) as ArrayRef
                ));
                let fast = compare_primitive(op, &l, &s).unwrap();
                assert_eq!(fast.as_boolean(), &arrow_compare(op, &l, &s), "{op:?} {c}");
                let fast = compare_primitive(op, &s, &l).unwrap();
                assert_eq!(fast.as_boolean(), &arrow_compare(op, &s, &l), "{c} {op:?}");
            }
        }
    }

    #[test]
    fn integers_compare_as_arrow_does_and_null_constants_are_left_to_arrow() {
        let l = Value::Array(Arc::new(Int32Array::from(vec![
            Some(-3),
            None,
            Some(0),
            Some(7),
            Some(i32::MIN),
            Some(i32::MAX),
        ])));
        let r = Value::Array(Arc::new(Int32Array::from(vec![
            Some(0),
            Some(1),
            None,
            Some(7),
            Some(i32::MAX),
            Some(-1),
        ])));
        let zero = Value::Scalar(Scalar::new(Arc::new(Int32Array::from(vec![0])) as ArrayRef));
        for op in OPS {
            for (a, b) in [(&l, &r), (&l, &zero), (&zero, &r)] {
                let fast = compare_primitive(op, a, b).unwrap();
                assert_eq!(fast.as_boolean(), &arrow_compare(op, a, b), "{op:?}");
            }
        }
        // Long enough for whole words of 64 rows and a tail.
        let long = |seed: i64| -> Value {
            let values: Int32Array = (0..1000i64)
                .map(|i| (i % 11 != 3).then_some(((i * seed) % 17 - 8) as i32))
                .collect();
            Value::Array(Arc::new(values))
        };
        let (a, b) = (long(7), long(13));
        for op in OPS {
            for (x, y) in [(&a, &b), (&a, &zero), (&zero, &b)] {
                let fast = compare_primitive(op, x, y).unwrap();
                assert_eq!(fast.as_boolean(), &arrow_compare(op, x, y), "{op:?}");
            }
        }
        let null = Value::Scalar(Scalar::new(
            Arc::new(Int32Array::from(vec![None])) as ArrayRef
        ));
        assert!(compare_primitive(BinaryOp::Eq, &l, &null).is_none());
        assert!(compare_primitive(BinaryOp::NullSafeEq, &l, &r).is_none());
        assert!(compare_primitive(BinaryOp::Eq, &zero, &zero).is_none());
    }
}
