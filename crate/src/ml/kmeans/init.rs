//! The first centres, as Spark's `mllib.clustering.KMeans` chooses them (`initRandom`,
//! `initKMeansParallel`), with Brasa's reproducible randomness.
//!
//! Spark's draws depend on its partitioning (`takeSample`, one generator per partition);
//! here every draw is a pure function of the seed and the row number
//! ([`crate::random`]), so the same seed gives the same centres for any partitioning and
//! thread count. The algorithm is Spark's:
//!
//! - `random`: `k` rows drawn uniformly without replacement, duplicates removed (so
//!   fewer than `k` distinct rows give fewer centres, as in Spark).
//! - `k-means||`: one uniformly drawn row; then `initSteps` rounds in which each row
//!   joins the candidates with probability `min(1, 2k·d²/Σd²)` (`d` its distance to the
//!   closest candidate so far); duplicates removed; if more than `k` candidates remain,
//!   each is weighted by the number of rows closest to it and [`super::local`] reduces
//!   them to `k`. Both draws ignore the instance weights, as Spark's do.

use std::collections::HashSet;

use crate::error::Result;
use crate::job::JobContext;
use crate::ml::dataset::Subset;
use crate::random::{bits, unit, Stream};

use super::local::kmeans_plus_plus;
use super::params::KMeansParams;
use super::pass::{Gather, Partition};
use super::search::{CenterSet, Point};

/// The rows with the smallest keys (up to `capacity`), in key order. With keys drawn
/// from the seed and the row number, that is a uniform sample without replacement that
/// does not depend on how the rows are split: partial samples merge into the same one.
#[derive(Debug, Clone)]
pub struct UniformSample {
    capacity: usize,
    seed: u64,
    /// Sorted by `(key, row)`.
    entries: Vec<Sampled>,
}

#[derive(Debug, Clone)]
struct Sampled {
    key: u64,
    row: u64,
    features: Vec<f64>,
}

impl UniformSample {
    pub fn new(seed: u64, capacity: usize) -> Self {
        UniformSample {
            capacity,
            seed,
            entries: Vec::new(),
        }
    }

    /// Considers `x` for the sample (copying its features only if it gets in).
    pub fn offer(&mut self, x: &Point) {
        if self.capacity == 0 {
            return;
        }
        let key = bits(self.seed, Stream::KMeansInit, x.row);
        let full = self.entries.len() == self.capacity;
        if full
            && self
                .entries
                .last()
                .is_some_and(|e| (key, x.row) >= (e.key, e.row))
        {
            return;
        }
        let at = self
            .entries
            .partition_point(|e| (e.key, e.row) < (key, x.row));
        if full {
            self.entries.pop();
        }
        self.entries.insert(
            at,
            Sampled {
                key,
                row: x.row,
                features: x.features.to_vec(),
            },
        );
    }

    pub fn merge(&mut self, other: UniformSample) {
        let mut merged =
            Vec::with_capacity(self.capacity.min(self.entries.len() + other.entries.len()));
        let mut a = std::mem::take(&mut self.entries).into_iter().peekable();
        let mut b = other.entries.into_iter().peekable();
        while merged.len() < self.capacity {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => (x.key, x.row) <= (y.key, y.row),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            merged.extend(if take_a { a.next() } else { b.next() });
        }
        self.entries = merged;
    }

    /// The sampled rows' features in draw order, `len × p` row-major.
    pub fn into_rows(self) -> Vec<f64> {
        self.entries.into_iter().flat_map(|e| e.features).collect()
    }
}

/// `centers` (`len × features`) without repeated rows, first occurrences kept in order
/// (Spark's `.distinct` on the centre vectors; values compared bit for bit).
pub fn distinct(centers: Vec<f64>, features: usize) -> Vec<f64> {
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    let mut kept = Vec::with_capacity(centers.len());
    for center in centers.chunks_exact(features) {
        if seen.insert(center.iter().map(|v| v.to_bits()).collect()) {
            kept.extend_from_slice(center);
        }
    }
    kept
}

/// A k-means|| initialisation in progress: which pass it needs next, and what it does
/// with the answer.
pub struct ParallelInit {
    k: usize,
    rounds: usize,
    seed: u64,
    subset: Subset,
    features: usize,
    /// Spark's candidate buffer: the first centre, then each round's picks in row order.
    candidates: Vec<f64>,
    /// The candidates laid out for the search (the distinct ones in the counting pass).
    search: CenterSet,
    /// Sampling rounds done.
    round: usize,
    /// `Σ d²` over the rows to the closest candidate, while no candidate was added since.
    total_cost: Option<f64>,
    counting: bool,
}

/// The pass a k-means|| initialisation needs next.
pub enum Request<'a> {
    Cost(CandidateCost<'a>),
    Select(CandidateSelect<'a>),
    Count(CandidateCount<'a>),
}

/// The answer to a [`Request`].
pub enum Answer {
    Cost(f64),
    Picks(Vec<Pick>),
    Counts(Vec<u64>),
}

impl ParallelInit {
    /// Starts from the first centre (`features` values).
    pub fn new(params: &KMeansParams, subset: Subset, first: Vec<f64>) -> Self {
        let features = first.len();
        ParallelInit {
            k: params.k,
            rounds: params.init_steps,
            seed: params.seed,
            subset,
            features,
            search: CenterSet::new(params.distance_measure, features, first.clone()),
            candidates: first,
            round: 0,
            total_cost: None,
            counting: false,
        }
    }

    pub fn request(&self) -> Request<'_> {
        let subset = self.subset;
        let candidates = &self.search;
        if self.counting {
            return Request::Count(CandidateCount { subset, candidates });
        }
        match self.total_cost {
            None => Request::Cost(CandidateCost { subset, candidates }),
            Some(total_cost) => Request::Select(CandidateSelect {
                subset,
                candidates,
                k: self.k,
                total_cost,
                round_seed: bits(self.seed, Stream::KMeansRounds, self.round as u64),
            }),
        }
    }

    /// Takes the answer to the last request; returns the centres once they are chosen.
    pub fn receive(&mut self, answer: Answer, ctx: &JobContext) -> Result<Option<Vec<f64>>> {
        match answer {
            Answer::Cost(total) => self.total_cost = Some(total),
            Answer::Picks(mut picks) => {
                picks.sort_by_key(|pick| pick.row);
                if !picks.is_empty() {
                    for pick in picks {
                        self.candidates.extend_from_slice(&pick.features);
                    }
                    self.search = CenterSet::new(
                        self.search.measure(),
                        self.features,
                        self.candidates.clone(),
                    );
                    self.total_cost = None;
                }
                self.round += 1;
                if self.round == self.rounds {
                    let distinct = distinct(std::mem::take(&mut self.candidates), self.features);
                    if distinct.len() <= self.k * self.features {
                        return Ok(Some(distinct));
                    }
                    self.search = CenterSet::new(self.search.measure(), self.features, distinct);
                    self.counting = true;
                }
            }
            Answer::Counts(counts) => {
                let weights: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
                let centers = kmeans_plus_plus(
                    self.search.centers(),
                    &weights,
                    self.k,
                    self.features,
                    self.seed,
                    ctx,
                )?;
                return Ok(Some(centers));
            }
        }
        Ok(None)
    }
}

/// A row a sampling round picked.
#[derive(Debug, Clone)]
pub struct Pick {
    row: u64,
    features: Vec<f64>,
}

/// `Σ d²` (or the cosine distances) of the rows to their closest candidate.
pub struct CandidateCost<'a> {
    subset: Subset,
    candidates: &'a CenterSet,
}

impl Gather for CandidateCost<'_> {
    type Partial = f64;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> f64 {
        0.0
    }

    fn visit(&self, total: &mut f64, part: &Partition, rows: &[u32]) {
        for &i in rows {
            let x = part.point(i);
            *total += self.candidates.cost(self.candidates.nearest(&x), &x);
        }
    }

    fn merge(&self, into: &mut f64, other: f64) {
        *into += other;
    }
}

/// One sampling round: each row is picked with probability `2k·d²/Σd²` (capped at 1).
pub struct CandidateSelect<'a> {
    subset: Subset,
    candidates: &'a CenterSet,
    k: usize,
    total_cost: f64,
    round_seed: u64,
}

impl Gather for CandidateSelect<'_> {
    type Partial = Vec<Pick>;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> Vec<Pick> {
        Vec::new()
    }

    fn visit(&self, picks: &mut Vec<Pick>, part: &Partition, rows: &[u32]) {
        for &i in rows {
            let x = part.point(i);
            let cost = self.candidates.cost(self.candidates.nearest(&x), &x);
            // Spark's test, in Spark's order of operations (0/0 when every row sits on a
            // candidate: NaN, and nothing is picked).
            let u = unit(self.round_seed, Stream::KMeansRounds, x.row);
            if u < 2.0 * cost * self.k as f64 / self.total_cost {
                picks.push(Pick {
                    row: x.row,
                    features: x.features.to_vec(),
                });
            }
        }
    }

    fn merge(&self, into: &mut Vec<Pick>, other: Vec<Pick>) {
        into.extend(other);
    }
}

/// How many rows are closest to each candidate (unweighted, as Spark's `countByValue`).
pub struct CandidateCount<'a> {
    subset: Subset,
    candidates: &'a CenterSet,
}

impl Gather for CandidateCount<'_> {
    type Partial = Vec<u64>;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> Vec<u64> {
        vec![0; self.candidates.len()]
    }

    fn visit(&self, counts: &mut Vec<u64>, part: &Partition, rows: &[u32]) {
        for &i in rows {
            counts[self.candidates.nearest(&part.point(i))] += 1;
        }
    }

    fn merge(&self, into: &mut Vec<u64>, other: Vec<u64>) {
        for (a, b) in into.iter_mut().zip(other) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_of(rows: std::ops::Range<u64>, seed: u64, capacity: usize) -> UniformSample {
        let mut sample = UniformSample::new(seed, capacity);
        for row in rows {
            let features = [row as f64];
            sample.offer(&Point::new(&features, 1.0, row));
        }
        sample
    }

    #[test]
    fn the_sample_does_not_depend_on_how_rows_are_split() {
        let whole = sample_of(0..5000, 3, 7).into_rows();
        assert_eq!(whole.len(), 7);
        for cuts in [
            vec![0, 2500, 5000],
            vec![0, 1, 17, 4000, 5000],
            vec![0, 4999, 5000],
        ] {
            let mut merged = UniformSample::new(3, 7);
            for pair in cuts.windows(2) {
                merged.merge(sample_of(pair[0]..pair[1], 3, 7));
            }
            assert_eq!(merged.into_rows(), whole);
        }
        assert_ne!(sample_of(0..5000, 4, 7).into_rows(), whole);
        assert_eq!(sample_of(0..3, 3, 7).into_rows().len(), 3);
    }

    #[test]
    fn the_sample_is_uniform() {
        // Each of 10 rows is drawn into a sample of 3 about 30% of the time.
        let mut hits = [0usize; 10];
        for seed in 0..3000 {
            for row in sample_of(0..10, seed, 3).into_rows() {
                hits[row as usize] += 1;
            }
        }
        for h in hits {
            assert!((800..1000).contains(&h), "{hits:?}");
        }
    }

    #[test]
    fn distinct_keeps_first_occurrences_in_order() {
        let centers = vec![1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 5.0, 6.0, 3.0, 4.0];
        assert_eq!(distinct(centers, 2), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }
}
