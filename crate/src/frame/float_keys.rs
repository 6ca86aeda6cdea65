//! Floating-point values as Spark compares, sorts, groups and joins them.
//!
//! IEEE 754 has two zeros and many NaNs, and arrow's kernels order floats by their bits
//! (`total_cmp`): `-0.0 < 0.0`, and a NaN with its sign bit set sorts before every
//! number. Spark does not: its `NormalizeFloatingNumbers` rule turns `-0.0` into `0.0` and
//! every NaN into the one NaN before rows are grouped or joined, and its comparisons and
//! orderings treat `-0.0 = 0.0`, `NaN = NaN`, and NaN as larger than any other value. So
//! `WHERE x = 0` finds a `-0.0`, `GROUP BY round(x, 2)` has one group for zero, and
//! `ORDER BY x` puts every NaN last.
//!
//! [`spark_normalized`] gives a column those values, for the comparison or the key it
//! feeds; the rows handed on keep their own values unless Spark's output shows the
//! normalised ones (a GROUP BY key, a DISTINCT value). A column that needs no change —
//! any non-float column, and a float column without `-0.0` or an unusual NaN, which is
//! nearly every column — is returned as it is, without a copy.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Float16Type, Float32Type, Float64Type};
use arrow_array::{make_array, Array, ArrayRef, PrimitiveArray, StructArray};
use arrow_ord::ord::{make_comparator, DynComparator};
use arrow_schema::{ArrowError, DataType, SortOptions};

/// `column` with `-0.0` as `0.0` and every NaN as the canonical NaN, as Spark compares,
/// sorts, groups and joins it; the same array when nothing changes (no copy).
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{cast::AsArray, types::Float64Type, ArrayRef, Float64Array};
/// use brasa::frame::float_keys::spark_normalized;
///
/// let column: ArrayRef = Arc::new(Float64Array::from(vec![-0.0, 1.5, -f64::NAN]));
/// let normalized = spark_normalized(&column);
/// let values = normalized.as_primitive::<Float64Type>().values();
/// assert_eq!(values[0].to_bits(), 0.0f64.to_bits());
/// assert_eq!(values[2].to_bits(), f64::NAN.to_bits());
/// ```
pub fn spark_normalized(column: &ArrayRef) -> ArrayRef {
    match column.data_type() {
        DataType::Float64 => normalized::<Float64Type>(column),
        DataType::Float32 => normalized::<Float32Type>(column),
        DataType::Float16 => normalized::<Float16Type>(column),
        DataType::Struct(fields) => {
            // A tuple of keys (`count(DISTINCT a, b)`): its float fields the same way.
            let tuples = column.as_struct();
            let children: Vec<ArrayRef> = tuples.columns().iter().map(spark_normalized).collect();
            if children
                .iter()
                .zip(tuples.columns())
                .all(|(new, old)| Arc::ptr_eq(new, old))
            {
                return Arc::clone(column);
            }
            match StructArray::try_new(fields.clone(), children, tuples.nulls().cloned()) {
                Ok(normal) => Arc::new(normal),
                Err(_) => Arc::clone(column),
            }
        }
        _ => Arc::clone(column),
    }
}

/// Whether `data_type` is one whose values [`spark_normalized`] may change (a float, or a
/// struct with a float field).
pub fn is_float(data_type: &DataType) -> bool {
    match data_type {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => true,
        DataType::Struct(fields) => fields.iter().any(|f| is_float(f.data_type())),
        _ => false,
    }
}

/// Each of `columns` through [`spark_normalized`].
pub fn spark_normalized_all(columns: &[ArrayRef]) -> Vec<ArrayRef> {
    columns.iter().map(spark_normalized).collect()
}

/// arrow's comparator of `left[i]` and `right[j]` (see [`make_comparator`]), with floats
/// compared as Spark compares them: `-0.0` equal to `0.0`, every NaN equal to every other
/// and above every number.
pub fn spark_comparator(
    left: &dyn Array,
    right: &dyn Array,
    options: SortOptions,
) -> Result<DynComparator, ArrowError> {
    if !is_float(left.data_type()) && !is_float(right.data_type()) {
        return make_comparator(left, right, options);
    }
    let (left, right) = (make_array(left.to_data()), make_array(right.to_data()));
    make_comparator(
        spark_normalized(&left).as_ref(),
        spark_normalized(&right).as_ref(),
        options,
    )
}

/// A float type's normal form, bit for bit.
trait SparkFloat: Copy {
    /// The value Spark compares: `0.0` for either zero, the canonical NaN for any NaN.
    fn spark_normal(self) -> Self;
    /// Whether `spark_normal` changes the bits of this value.
    fn is_unusual(self) -> bool;
}

macro_rules! spark_float {
    ($t:ty) => {
        impl SparkFloat for $t {
            #[inline(always)]
            fn spark_normal(self) -> Self {
                if self.is_nan() {
                    <$t>::NAN
                } else {
                    // Adding zero turns -0.0 into 0.0 and leaves every other value as it is.
                    self + <$t>::from(0u8)
                }
            }

            #[inline(always)]
            fn is_unusual(self) -> bool {
                self.to_bits() != self.spark_normal().to_bits()
            }
        }
    };
}
spark_float!(f64);
spark_float!(f32);

impl SparkFloat for half::f16 {
    #[inline(always)]
    fn spark_normal(self) -> Self {
        if self.is_nan() {
            half::f16::NAN
        } else if self == half::f16::ZERO {
            half::f16::ZERO
        } else {
            self
        }
    }

    #[inline(always)]
    fn is_unusual(self) -> bool {
        self.to_bits() != self.spark_normal().to_bits()
    }
}

fn normalized<T>(column: &ArrayRef) -> ArrayRef
where
    T: ArrowPrimitiveType,
    T::Native: SparkFloat,
{
    let values = column.as_primitive::<T>();
    // NULL slots may hold anything; changing them is harmless, so they are not skipped.
    if !values.values().iter().any(|v| v.is_unusual()) {
        return Arc::clone(column);
    }
    let normal: PrimitiveArray<T> = values.unary(SparkFloat::spark_normal);
    Arc::new(normal.with_data_type(column.data_type().clone()))
}

#[cfg(test)]
mod tests {
    use arrow_array::{Float32Array, Float64Array, Int32Array};

    use super::*;

    fn bits(column: &ArrayRef) -> Vec<u64> {
        column
            .as_primitive::<Float64Type>()
            .values()
            .iter()
            .map(|v| v.to_bits())
            .collect()
    }

    #[test]
    fn zeros_and_nans_take_one_form_and_nothing_else_changes() {
        let column: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(-0.0),
            Some(0.0),
            Some(f64::NAN),
            Some(-f64::NAN),
            Some(f64::from_bits(0x7ff8_0000_0000_0001)),
            None,
            Some(-2.5),
            Some(f64::NEG_INFINITY),
        ]));
        let normal = spark_normalized(&column);
        let expected = [0.0, 0.0, f64::NAN, f64::NAN, f64::NAN];
        assert_eq!(
            bits(&normal)[..5],
            expected.map(f64::to_bits),
            "both zeros are +0.0, every NaN the canonical one"
        );
        assert!(normal.is_null(5));
        assert_eq!(bits(&normal)[6..], bits(&column)[6..]);
    }

    #[test]
    fn columns_without_unusual_values_are_not_copied() {
        let usual: ArrayRef = Arc::new(Float64Array::from(vec![0.0, 1.0, f64::NAN, -3.0]));
        assert!(Arc::ptr_eq(&spark_normalized(&usual), &usual));
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![0, -1]));
        assert!(Arc::ptr_eq(&spark_normalized(&ints), &ints));
        let floats: ArrayRef = Arc::new(Float32Array::from(vec![-0.0f32, 2.0]));
        let normal = spark_normalized(&floats);
        assert_eq!(
            normal.as_primitive::<Float32Type>().value(0).to_bits(),
            0.0f32.to_bits()
        );
    }
}
