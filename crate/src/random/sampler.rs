//! Spark's Bernoulli samplers, draw for draw: which items of a partition a sample without
//! replacement keeps. A reader's `samplingRatio` samples the records its schema is inferred
//! from with one of the two, so the same file gives Spark's sample, and Spark's schema.
//!
//! - [`SparkSample::dataset`] is `Dataset.sample(false, fraction, seed)` (what
//!   `spark.read.json` and `spark.read.csv` use on lines of text): partition `p` draws
//!   from `XORShiftRandom(seed + p)`, one double per item, and keeps the items below the
//!   fraction (`BernoulliCellSampler` over `[0, fraction)`).
//! - [`SparkSample::rdd`] is `RDD.sample(false, fraction, seed)` (what the multiLine
//!   readers use on whole files or parsed records): partition `p` is seeded with the
//!   `p + 1`-th `nextLong()` of `java.util.Random(seed)`, and `BernoulliSampler` keeps an
//!   item when its draw is at most the fraction — or, for a fraction up to 0.4, skips a
//!   geometric gap of items between kept ones (`GapSampling`).
//!
//! Spark splits a file into partitions by its size and the cluster's cores, so these give
//! Spark's sample wherever Spark reads the input as one partition (any file up to 4 MB, or
//! up to 128 MB on `local[1]`), which is partition 0 here.

use crate::random::XorShiftRandom;

/// Spark's `RandomSampler.defaultMaxGapSamplingFraction`: below it, `BernoulliSampler`
/// draws gaps instead of one number per item.
const MAX_GAP_SAMPLING_FRACTION: f64 = 0.4;
/// Spark's `RandomSampler.rngEpsilon`: the smallest draw a gap is computed from.
const RNG_EPSILON: f64 = 5e-11;

/// The keep-or-skip decisions of one partition's sample, one per item, in order.
pub struct SparkSample {
    rng: XorShiftRandom,
    fraction: f64,
    how: How,
}

enum How {
    /// Every item kept (a fraction of 1 or more).
    All,
    /// No item kept (a fraction of 0 or less).
    None,
    /// One draw per item, kept below the fraction (`BernoulliCellSampler`).
    Below,
    /// One draw per item, kept at or below the fraction (`BernoulliSampler`).
    AtMost,
    /// `GapSampling`: items still to skip before the next one kept.
    Gaps { to_skip: u64, log_of_rest: f64 },
}

impl SparkSample {
    /// `Dataset.sample(withReplacement = false, fraction, seed)`'s draws for partition
    /// `partition`.
    ///
    /// ```
    /// use brasa::random::SparkSample;
    /// // PySpark: spark.range(0, 12, 1, 1).sample(False, 0.3, 1) keeps 2, 3, 6, 7 and 11.
    /// let mut sample = SparkSample::dataset(0.3, 1, 0);
    /// let kept: Vec<u64> = (0..12).filter(|_| sample.keeps()).collect();
    /// assert_eq!(kept, [2, 3, 6, 7, 11]);
    /// ```
    pub fn dataset(fraction: f64, seed: i64, partition: i64) -> SparkSample {
        let how = if fraction <= 0.0 {
            How::None
        } else {
            How::Below
        };
        SparkSample {
            rng: XorShiftRandom::new(seed.wrapping_add(partition)),
            fraction,
            how,
        }
    }

    /// `RDD.sample(withReplacement = false, fraction, seed)`'s draws for partition
    /// `partition` (of an RDD with at least that many partitions).
    pub fn rdd(fraction: f64, seed: i64, partition: usize) -> SparkSample {
        let mut seeds = JavaRandom::new(seed);
        let mut partition_seed = seeds.next_long();
        for _ in 0..partition {
            partition_seed = seeds.next_long();
        }
        let mut rng = XorShiftRandom::new(partition_seed);
        let how = if fraction <= 0.0 {
            How::None
        } else if fraction >= 1.0 {
            How::All
        } else if fraction <= MAX_GAP_SAMPLING_FRACTION {
            let log_of_rest = (-fraction).ln_1p();
            How::Gaps {
                to_skip: gap(&mut rng, log_of_rest),
                log_of_rest,
            }
        } else {
            How::AtMost
        };
        SparkSample { rng, fraction, how }
    }

    /// Whether the next item is kept.
    pub fn keeps(&mut self) -> bool {
        match &mut self.how {
            How::All => true,
            How::None => false,
            How::Below => self.rng.next_double() < self.fraction,
            How::AtMost => self.rng.next_double() <= self.fraction,
            How::Gaps {
                to_skip,
                log_of_rest,
            } => {
                if *to_skip > 0 {
                    *to_skip -= 1;
                    false
                } else {
                    *to_skip = gap(&mut self.rng, *log_of_rest);
                    true
                }
            }
        }
    }
}

/// `GapSampling.advance`: the items skipped before the next one kept, geometric with
/// `log_of_rest = ln(1 - fraction)`. (Spark truncates to an `Int`; a gap that large
/// skips every item either way.)
fn gap(rng: &mut XorShiftRandom, log_of_rest: f64) -> u64 {
    let draw = rng.next_double().max(RNG_EPSILON);
    (draw.ln() / log_of_rest) as u64
}

/// `java.util.Random`'s linear congruential generator: the seeds `RDD.sample` gives its
/// partitions.
struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            state: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.state = self.state.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        (self.state >> (48 - bits)) as i32
    }

    fn next_long(&mut self) -> i64 {
        ((self.next(32) as i64) << 32).wrapping_add(self.next(32) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `new java.util.Random(1).nextLong()`, and the next, as the JVM gives them.
    #[test]
    fn java_random_gives_the_jvms_longs() {
        let mut random = JavaRandom::new(1);
        assert_eq!(random.next_long(), -4_964_420_948_893_066_024);
        assert_eq!(random.next_long(), 7_564_655_870_752_979_346);
    }

    /// PySpark 4.3: `spark.range(0, 60, 1, 1).sample(False, 0.3, 1)`.
    #[test]
    fn a_dataset_sample_keeps_sparks_rows() {
        let mut sample = SparkSample::dataset(0.3, 1, 0);
        let kept: Vec<u64> = (0..60).filter(|_| sample.keeps()).collect();
        assert_eq!(
            kept,
            [2, 3, 6, 7, 11, 12, 18, 20, 22, 24, 28, 30, 36, 45, 50, 52, 55, 56]
        );
    }

    /// PySpark 4.3 through the JVM's RDD: `range(0, 60, 1, partitions).rdd().sample(false,
    /// fraction, 1)`, in gaps (0.3, 0.4) and one draw per item (0.41, 0.9); the second of
    /// two partitions holds 30 to 59.
    #[test]
    fn an_rdd_sample_keeps_sparks_rows() {
        let kept = |fraction: f64, partition: usize, items: u64| -> Vec<u64> {
            let mut sample = SparkSample::rdd(fraction, 1, partition);
            (0..items).filter(|_| sample.keeps()).collect()
        };
        assert_eq!(
            kept(0.3, 0, 60),
            [0, 2, 5, 10, 11, 12, 16, 23, 33, 38, 39, 41, 43, 45, 46, 48, 52, 59]
        );
        assert_eq!(kept(0.3, 1, 30), [1, 6, 9, 12, 13, 15, 20, 23, 25, 28]);
        assert_eq!(
            kept(0.4, 0, 60),
            [
                0, 1, 3, 7, 8, 9, 12, 17, 24, 27, 28, 29, 31, 33, 34, 35, 38, 43, 45, 46, 48, 49,
                51, 52, 54, 58
            ]
        );
        assert_eq!(
            kept(0.41, 0, 60),
            [
                3, 6, 7, 8, 9, 16, 17, 22, 25, 26, 28, 29, 33, 36, 39, 41, 43, 47, 50, 52, 53, 57,
                58, 59
            ]
        );
        let skipped: Vec<u64> = (0..60).filter(|i| !kept(0.9, 0, 60).contains(i)).collect();
        assert_eq!(skipped, [0, 5, 10, 30, 45]);
    }

    /// Gaps keep about the fraction, and a fraction of 1 or 0 keeps all or nothing.
    #[test]
    fn rdd_samples_keep_about_their_fraction() {
        for fraction in [0.05, 0.3, 0.4, 0.41, 0.9] {
            let mut sample = SparkSample::rdd(fraction, 1, 0);
            let kept = (0..100_000).filter(|_| sample.keeps()).count() as f64;
            assert!(
                (kept / 100_000.0 - fraction).abs() < 0.01,
                "{fraction}: {kept}"
            );
        }
        assert!((0..10).all(|_| SparkSample::rdd(1.0, 1, 0).keeps()));
        assert!(!(0..10).any(|_| SparkSample::rdd(0.0, 1, 0).keeps()));
    }
}
