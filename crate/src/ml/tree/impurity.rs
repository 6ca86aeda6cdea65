//! A node's (or a bin's) label statistics and what Spark computes from them: the impurity,
//! the prediction and the weighted count (`mllib.tree.impurity.{Gini, Entropy, Variance}`
//! and their calculators).
//!
//! Statistics are flat `f64` slices of [`Stats::width`] values so histograms are plain
//! arrays: for classification the weighted count of each class then the raw row count;
//! for regression the weighted count, Σw·y, Σw·y² then the raw row count. The formulas
//! follow Spark's operation order so that impurities and gains agree to the last bit when
//! the sums do.

use super::params::{Impurity, TreeTask};

/// Spark's `Utils.EPSILON`: the machine epsilon, below which a child's impurity counts as
/// pure and the child is not split further.
pub const EPSILON: f64 = f64::EPSILON;

/// How to read statistics slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub impurity: Impurity,
    /// Classes of a classifier; 0 for regression.
    pub num_classes: usize,
}

impl Stats {
    pub fn new(task: TreeTask, impurity: Impurity) -> Stats {
        match task {
            TreeTask::Classification { num_classes } => Stats {
                impurity,
                num_classes,
            },
            TreeTask::Regression => Stats {
                impurity: Impurity::Variance,
                num_classes: 0,
            },
        }
    }

    pub fn is_classification(&self) -> bool {
        self.num_classes > 0
    }

    /// Values per statistics slice.
    #[inline]
    pub fn width(&self) -> usize {
        if self.is_classification() {
            self.num_classes + 1
        } else {
            4
        }
    }

    /// The raw number of rows (bootstrap counts included).
    #[inline]
    pub fn raw_count(&self, s: &[f64]) -> f64 {
        s[self.width() - 1]
    }

    /// The weighted number of rows (Spark's `ImpurityCalculator.count`).
    #[inline]
    pub fn count(&self, s: &[f64]) -> f64 {
        if self.is_classification() {
            sum_in_order(&s[..self.num_classes])
        } else {
            s[0]
        }
    }

    /// Spark's `calculate()`.
    pub fn impurity(&self, s: &[f64]) -> f64 {
        match self.impurity {
            Impurity::Variance => {
                let (count, sum, sum_sq) = (s[0], s[1], s[2]);
                if count == 0.0 {
                    return 0.0;
                }
                let squared_loss = sum_sq - (sum * sum) / count;
                squared_loss / count
            }
            Impurity::Gini => {
                let counts = &s[..self.num_classes];
                let total = sum_in_order(counts);
                if total == 0.0 {
                    return 0.0;
                }
                let mut impurity = 1.0;
                for &c in counts {
                    let freq = c / total;
                    impurity -= freq * freq;
                }
                impurity
            }
            Impurity::Entropy => {
                let counts = &s[..self.num_classes];
                let total = sum_in_order(counts);
                if total == 0.0 {
                    return 0.0;
                }
                let mut impurity = 0.0;
                for &c in counts {
                    if c != 0.0 {
                        let freq = c / total;
                        impurity -= freq * (freq.ln() / std::f64::consts::LN_2);
                    }
                }
                impurity
            }
        }
    }

    /// Spark's `predict`: the first most frequent class, or the weighted mean label; 0
    /// for an empty node.
    pub fn predict(&self, s: &[f64]) -> f64 {
        if self.is_classification() {
            if self.count(s) == 0.0 {
                return 0.0;
            }
            argmax(&s[..self.num_classes]) as f64
        } else if s[0] == 0.0 {
            0.0
        } else {
            s[1] / s[0]
        }
    }
}

/// `a += b` element-wise.
#[inline]
pub fn add(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

/// `a - b` into `out`.
#[inline]
pub fn difference(a: &[f64], b: &[f64], out: &mut [f64]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = *x - *y;
    }
}

/// A left-to-right sum (Scala's `Array.sum`).
#[inline]
pub fn sum_in_order(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |acc, v| acc + v)
}

/// The index of the first largest value (Spark's `indexOfLargestArrayElement`).
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impurities_match_the_formulas() {
        let gini = Stats::new(TreeTask::Classification { num_classes: 3 }, Impurity::Gini);
        let s = [2.0, 1.0, 1.0, 4.0];
        assert!((gini.impurity(&s) - (1.0 - 0.25 - 0.0625 - 0.0625)).abs() < 1e-15);
        assert_eq!(gini.predict(&s), 0.0);
        assert_eq!(gini.count(&s), 4.0);
        let entropy = Stats::new(
            TreeTask::Classification { num_classes: 3 },
            Impurity::Entropy,
        );
        assert!((entropy.impurity(&s) - 1.5).abs() < 1e-15);
        assert_eq!(entropy.impurity(&[0.0, 0.0, 0.0, 0.0]), 0.0);
        let variance = Stats::new(TreeTask::Regression, Impurity::Variance);
        // labels 1, 2, 3: mean 2, variance 2/3
        let v = [3.0, 6.0, 14.0, 3.0];
        assert!((variance.impurity(&v) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(variance.predict(&v), 2.0);
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }
}
