//! Reproducible randomness: a uniform number for each (seed, stream, row), with the streams
//! named in one place.
//!
//! Everything random in the engine (the test split, cross-validation folds, the rows a
//! chart or a profile samples, an estimator's initialisation) is a pure function of the
//! user's seed, a [`Stream`] and a row (or draw) number. Results are therefore the same
//! for any partitioning and any number of threads, and two uses never share a stream by
//! accident: a new use gets a new variant here.
//!
//! Where Spark's own draws are the answer (`rand(seed)`, `TABLESAMPLE`, a reader's
//! `samplingRatio`), its generator and samplers are here too ([`XorShiftRandom`],
//! [`SparkSample`]).

mod sampler;
mod xorshift;

pub use sampler::SparkSample;
pub use xorshift::XorShiftRandom;

/// The independent random streams of the engine. The numbers are part of what makes a
/// run reproducible: changing one changes the folds or samples of every recorded run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Cross-validation fold (or TrainValidationSplit side) of each training row.
    Folds = 0,
    /// Whether a row is held out as the test set before tuning.
    TestSplit = 1,
    /// The rows a training's charts show.
    ChartSample = 2,
    /// The rows a data profile reads its quantiles and histograms from.
    ProfileSample = 7,
    /// KMeans' initial centres: the rows `random` draws, and the first centre of
    /// k-means||.
    KMeansInit = 8,
    /// k-means||: whether a row joins the candidate centres in a sampling round.
    KMeansRounds = 9,
    /// k-means||: the draws of the local k-means++ that reduces the candidates to k.
    KMeansLocal = 10,
    /// Trees: the rows split candidates are computed from when there are more than
    /// max(maxBins², 10000).
    TreeSplitSample = 11,
    /// Random forests: each tree's bootstrap (Poisson) or subsample count of each row.
    ForestBagging = 12,
    /// Random forests: the features each node may split on.
    ForestFeatures = 13,
    /// GBT: the rows each iteration's tree learns from when subsamplingRate < 1.
    GbtSubsample = 14,
}

/// Splitmix64: a well-mixed 64-bit value from a seed and a counter.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 random bits for `row` in `stream` of `seed`.
pub fn bits(seed: u64, stream: Stream, row: u64) -> u64 {
    keyed_bits(stream_key(seed, stream), row)
}

/// The key of `stream` of `seed`, for drawing many rows' bits with [`keyed_bits`] (one
/// mix a row instead of [`bits`]'s two).
///
/// ```
/// use brasa::random::{bits, keyed_bits, stream_key, Stream};
/// let key = stream_key(42, Stream::Folds);
/// assert_eq!(keyed_bits(key, 7), bits(42, Stream::Folds, 7));
/// ```
pub fn stream_key(seed: u64, stream: Stream) -> u64 {
    mix(seed ^ (stream as u64).wrapping_mul(0xd1b5_4a32_d192_ed03))
}

/// 64 random bits for `row` under a [`stream_key`].
#[inline]
pub fn keyed_bits(key: u64, row: u64) -> u64 {
    mix(key ^ row)
}

/// A uniform number in [0, 1) for `row` in `stream` of `seed`.
///
/// ```
/// use brasa::random::{unit, Stream};
/// let u = unit(42, Stream::Folds, 7);
/// assert!((0.0..1.0).contains(&u));
/// assert_eq!(u, unit(42, Stream::Folds, 7));
/// assert_ne!(u, unit(42, Stream::TestSplit, 7));
/// ```
pub fn unit(seed: u64, stream: Stream, row: u64) -> f64 {
    (bits(seed, stream, row) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streams are stable: the folds and splits of recorded runs must not move.
    #[test]
    fn values_are_stable() {
        assert_eq!(bits(0, Stream::Folds, 0), 0xa706_dd2f_4d19_7e6f);
        assert_eq!(bits(42, Stream::TestSplit, 7), 0xca61_fce6_b4a3_0afb);
        assert_eq!(unit(42, Stream::Folds, 7), 0.08603176010658542);
    }
}
