//! Vector functions over embeddings stored as `array<float>` (Spark 4.2's `vector_norm`,
//! `vector_normalize`, `vector_inner_product`, `vector_l2_distance`,
//! `vector_cosine_similarity`). Spark takes `array<float>` and nothing else: an
//! `array<double>` or `array<int>` is refused rather than cast, and the norm's degree
//! must be a `float` (a decimal or double literal such as `2.0` is refused too).

use arrow_schema::DataType;

use super::signature::{list_of, name_table, Args, Signature};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorFunction {
    /// `vector_norm(v[, degree])`: the L1, L2 (default) or infinity norm.
    Norm,
    /// `vector_normalize(v[, degree])`: `v` divided by its norm; NULL for a zero vector.
    Normalize,
    InnerProduct,
    L2Distance,
    /// NULL when either vector is zero or both are empty.
    CosineSimilarity,
}

use VectorFunction::*;

const NAMES: &[(&str, VectorFunction)] = &[
    ("vector_norm", Norm),
    ("vector_normalize", Normalize),
    ("vector_inner_product", InnerProduct),
    ("vector_l2_distance", L2Distance),
    ("vector_cosine_similarity", CosineSimilarity),
];

name_table!(VectorFunction, NAMES);

impl VectorFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::Float32;
        match self {
            Norm | Normalize => {
                a.arity(1, 2)?;
                let mut types = vec![float_vector(a, 0)?];
                if a.len() == 2 {
                    if a.types[1] != Float32 {
                        return Err(a.error(1, "a float", &a.types[1]));
                    }
                    types.push(Float32);
                }
                let returns = if self == Norm {
                    Float32
                } else {
                    list_of(Float32)
                };
                Signature::new(types, returns)
            }
            InnerProduct | L2Distance | CosineSimilarity => {
                a.arity(2, 2)?;
                Signature::new(vec![float_vector(a, 0)?, float_vector(a, 1)?], Float32)
            }
        }
    }
}

/// Argument `i`, which must be an `array<float>`.
fn float_vector(a: &Args, i: usize) -> Result<DataType> {
    if is_float_vector(&a.types[i]) {
        Ok(a.types[i].clone())
    } else {
        Err(a.error(i, "an array<float>", &a.types[i]))
    }
}

/// Whether `t` is what Spark's vector functions and aggregates take: `array<float>`.
pub fn is_float_vector(t: &DataType) -> bool {
    matches!(t, DataType::List(f) if f.data_type() == &DataType::Float32)
}
