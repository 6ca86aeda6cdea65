//! The distances themselves, computed one way everywhere: they define which centre is
//! closest. The fast search ([`super::search`]) finds the same centre as these functions
//! (it falls back to them when its own rounding could change the answer), so a fit, its
//! cluster sizes and [`super::KMeansModel::predict`] always agree.

use super::params::DistanceMeasure;

/// `Σ (a_i - b_i)²`, summed in four interleaved lanes (a fixed order, so every caller gets
/// the same bits; and one LLVM can vectorise).
pub fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b.as_chunks::<4>();
    for (x, y) in a4.iter().zip(b4) {
        for l in 0..4 {
            let d = x[l] - y[l];
            lanes[l] += d * d;
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        let d = x - y;
        lanes[0] += d * d;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// `Σ a_i b_i`, in the same lane order as [`squared_distance`].
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b.as_chunks::<4>();
    for (x, y) in a4.iter().zip(b4) {
        for l in 0..4 {
            lanes[l] += x[l] * y[l];
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        lanes[0] += x * y;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// The Euclidean norm `‖a‖`.
pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Spark's cosine distance `1 - x·c / ‖x‖ / ‖c‖`, from the two norms.
pub fn cosine_distance(x: &[f64], x_norm: f64, c: &[f64], c_norm: f64) -> f64 {
    1.0 - dot(x, c) / x_norm / c_norm
}

impl DistanceMeasure {
    /// The cost of `x` in the cluster of centre `c` (what `trainingCost` sums): the
    /// squared Euclidean distance, or the cosine distance. The norms are `‖x‖` and `‖c‖`
    /// (only cosine reads them).
    pub fn cost(self, x: &[f64], x_norm: f64, c: &[f64], c_norm: f64) -> f64 {
        match self {
            DistanceMeasure::Euclidean => squared_distance(x, c),
            DistanceMeasure::Cosine => cosine_distance(x, x_norm, c, c_norm),
        }
    }

    /// The cost between two vectors (their norms computed here).
    pub fn between(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            DistanceMeasure::Euclidean => squared_distance(a, b),
            DistanceMeasure::Cosine => cosine_distance(a, norm(a), b, norm(b)),
        }
    }

    /// How far a centre moved in one iteration, as Spark's convergence test measures it:
    /// the Euclidean distance (not squared), or the cosine distance.
    pub fn movement(self, old: &[f64], new: &[f64]) -> f64 {
        match self {
            DistanceMeasure::Euclidean => self.between(old, new).sqrt(),
            DistanceMeasure::Cosine => self.between(old, new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_their_definitions() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [0.5, -1.0, 3.0, 0.0, 2.0, 8.0];
        let expected: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        assert_eq!(squared_distance(&a, &b), expected);
        assert_eq!(dot(&a, &a), 91.0);
        let cos = DistanceMeasure::Cosine.cost(&a, norm(&a), &a, norm(&a));
        assert!(cos.abs() < 1e-15);
        let opposite = [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0];
        let cos = DistanceMeasure::Cosine.cost(&a, norm(&a), &opposite, norm(&opposite));
        assert!((cos - 2.0).abs() < 1e-15);
        assert_eq!(
            DistanceMeasure::Euclidean.movement(&[0.0, 3.0], &[4.0, 0.0]),
            5.0
        );
    }
}
