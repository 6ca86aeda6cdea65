//! The `vector_*` functions over `array<float>` columns, computed as Spark 4.3 computes
//! them (`VectorFunctionImplUtils`): the sums are kept in double, eight elements at a
//! time and then one by one in Spark's order, and rounded to float once at the end, so
//! the floats are Spark's to the last bit. A NULL array gives NULL, as does a NULL
//! element; arrays of different lengths are an error (checked before the elements), and
//! so is a norm degree other than 1, 2 or infinity (checked before the vector's
//! elements too, but after a NULL vector or degree, which gives NULL).

use std::sync::Arc;

use arrow_array::builder::{Float32Builder, ListBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef, Float32Array, ListArray};
use arrow_schema::DataType;

use super::columns::lists;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::functions::VectorFunction;

pub fn compute(
    func: VectorFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use VectorFunction::*;
    let name = func.name();
    let first = Vectors::new(&args[0])?;
    match func {
        Norm | Normalize => {
            let degrees = args.get(1).map(|d| d.as_primitive::<Float32Type>());
            let degree = |i: usize| match degrees {
                None => Some(2.0f32),
                Some(d) => d.is_valid(i).then(|| d.value(i)),
            };
            if func == Norm {
                let mut out = Float32Builder::with_capacity(len);
                for i in 0..len {
                    let (Some(v), Some(d)) = (first.row(i), degree(i)) else {
                        out.append_null();
                        continue;
                    };
                    let kind = NormKind::of(d, name)?;
                    out.append_option(v.map(|v| kind.norm(v) as f32));
                }
                return Ok(Arc::new(out.finish()));
            }
            let DataType::List(field) = return_type else {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "vector_normalize without an array type",
                ));
            };
            let mut out = ListBuilder::new(Float32Builder::new()).with_field(Arc::clone(field));
            for i in 0..len {
                let (Some(v), Some(d)) = (first.row(i), degree(i)) else {
                    out.append_null();
                    continue;
                };
                let kind = NormKind::of(d, name)?;
                let Some(v) = v else {
                    out.append_null();
                    continue;
                };
                let norm = kind.norm(v);
                if v.is_empty() {
                    out.append(true);
                } else if norm == 0.0 {
                    out.append_null();
                } else {
                    out.values()
                        .extend(v.iter().map(|&x| Some((x as f64 / norm) as f32)));
                    out.append(true);
                }
            }
            Ok(Arc::new(out.finish()))
        }
        InnerProduct | L2Distance | CosineSimilarity => {
            let second = Vectors::new(&args[1])?;
            let mut out = Float32Builder::with_capacity(len);
            for i in 0..len {
                let (Some(a), Some(b)) = (first.row(i), second.row(i)) else {
                    out.append_null();
                    continue;
                };
                let (la, lb) = (first.len(i), second.len(i));
                if la != lb {
                    return Err(dimension_mismatch(name, la, lb));
                }
                let (Some(a), Some(b)) = (a, b) else {
                    out.append_null();
                    continue;
                };
                out.append_option(match func {
                    InnerProduct => Some(inner_product(a, b) as f32),
                    L2Distance => Some(squared_distance(a, b).sqrt() as f32),
                    _ => cosine_similarity(a, b),
                });
            }
            Ok(Arc::new(out.finish()))
        }
    }
}

/// Spark's `VECTOR_DIMENSION_MISMATCH`.
pub fn dimension_mismatch(function: &str, left: usize, right: usize) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "[VECTOR_DIMENSION_MISMATCH] {function}: the vectors must have the same \
             dimension, got {left} and {right}"
        ),
    )
}

/// A column of `array<float>`, read row by row as slices of its elements.
struct Vectors {
    lists: ListArray,
    values: Float32Array,
}

impl Vectors {
    fn new(array: &ArrayRef) -> Result<Vectors> {
        let lists = lists(array)?;
        let values = lists
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    format!("a vector function of {}", lists.values().data_type()),
                )
            })?
            .clone();
        Ok(Vectors { lists, values })
    }

    fn len(&self, row: usize) -> usize {
        self.lists.value_length(row) as usize
    }

    /// `None` for a NULL array; `Some(None)` for one with a NULL element.
    fn row(&self, row: usize) -> Option<Option<&[f32]>> {
        if self.lists.is_null(row) {
            return None;
        }
        let offsets = self.lists.value_offsets();
        let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
        let has_null = self
            .values
            .nulls()
            .is_some_and(|n| (start..end).any(|k| n.is_null(k)));
        Some((!has_null).then(|| &self.values.values()[start..end]))
    }
}

/// The norms `vector_norm` takes.
#[derive(Clone, Copy)]
enum NormKind {
    L1,
    L2,
    Infinity,
}

impl NormKind {
    /// Spark's exact comparison of the degree (`INVALID_VECTOR_NORM_DEGREE` otherwise).
    fn of(degree: f32, function: &str) -> Result<NormKind> {
        if degree == 1.0 {
            Ok(NormKind::L1)
        } else if degree == 2.0 {
            Ok(NormKind::L2)
        } else if degree == f32::INFINITY {
            Ok(NormKind::Infinity)
        } else {
            Err(Error::new(
                ErrorCode::SqlExecution,
                format!(
                    "[INVALID_VECTOR_NORM_DEGREE] {function}: the degree must be 1.0, 2.0 or \
                     float('inf'), got {degree:?}"
                ),
            ))
        }
    }

    /// The norm in double, as Spark keeps it before rounding.
    fn norm(self, v: &[f32]) -> f64 {
        match self {
            NormKind::L1 => sum_by_eights(v, |x| (x as f64).abs()),
            NormKind::L2 => sum_by_eights(v, |x| x as f64 * x as f64).sqrt(),
            // Java's `Math.max`: a NaN element makes the norm NaN.
            NormKind::Infinity => v.iter().fold(0.0f64, |max, &x| {
                let x = (x as f64).abs();
                if max.is_nan() || x.is_nan() {
                    f64::NAN
                } else {
                    max.max(x)
                }
            }),
        }
    }
}

/// `Σ term(x)` in Spark's order: each block of eight terms summed left to right and added
/// to the running sum, then the remaining terms one at a time.
fn sum_by_eights(v: &[f32], term: impl Fn(f32) -> f64) -> f64 {
    let mut blocks = v.chunks_exact(8);
    let mut sum = 0.0f64;
    for b in &mut blocks {
        sum += term(b[0])
            + term(b[1])
            + term(b[2])
            + term(b[3])
            + term(b[4])
            + term(b[5])
            + term(b[6])
            + term(b[7]);
    }
    for &x in blocks.remainder() {
        sum += term(x);
    }
    sum
}

/// `Σ term(a[i], b[i])` in the same order as [`sum_by_eights`].
fn sum_pairs_by_eights(a: &[f32], b: &[f32], term: impl Fn(f64, f64) -> f64) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let whole = n - n % 8;
    let t = |k: usize| term(a[k] as f64, b[k] as f64);
    let mut sum = 0.0f64;
    for k in (0..whole).step_by(8) {
        sum += t(k) + t(k + 1) + t(k + 2) + t(k + 3) + t(k + 4) + t(k + 5) + t(k + 6) + t(k + 7);
    }
    for k in whole..n {
        sum += t(k);
    }
    sum
}

fn inner_product(a: &[f32], b: &[f32]) -> f64 {
    sum_pairs_by_eights(a, b, |x, y| x * y)
}

fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    sum_pairs_by_eights(a, b, |x, y| (x - y) * (x - y))
}

/// NULL for empty vectors or a zero one.
fn cosine_similarity(a: &[f32], b: &[f32]) -> Option<f32> {
    if a.is_empty() {
        return None;
    }
    let dot = inner_product(a, b);
    let norms =
        sum_by_eights(a, |x| x as f64 * x as f64) * sum_by_eights(b, |x| x as f64 * x as f64);
    let norm_product = norms.sqrt();
    (norm_product != 0.0).then(|| (dot / norm_product) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [f32; 10] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1];
    const B: [f32; 10] = [1.3, 0.7, 0.3, 2.4, 0.5, 3.6, 0.7, 0.8, 1.9, 1.1];

    /// Spark 4.3's answers (a block of eight and two more elements).
    #[test]
    fn values_are_sparks() {
        assert_eq!(inner_product(&A, &B) as f32, 7.78);
        assert_eq!(squared_distance(&A, &B).sqrt() as f32, 3.961_060_3);
        assert_eq!(cosine_similarity(&A, &B), Some(0.740_477_7));
        assert_eq!(NormKind::L1.norm(&A) as f32, 5.6);
        assert_eq!(
            cosine_similarity(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]),
            Some(0.974_631_85)
        );
        // Sums in double: no overflow between floats whose answer is a float.
        assert_eq!(inner_product(&[1e20, 1e20], &[1e20, -1e20]), 0.0);
        assert_eq!(NormKind::L2.norm(&[1e30, 1e30]) as f32, 1.414_213_5e30);
        assert!(NormKind::Infinity.norm(&[1.0, f32::NAN]).is_nan());
        assert_eq!(cosine_similarity(&[0.0, 0.0], &[1.0, 1.0]), None);
    }
}
