//! The rows an estimator trains on: each partition's assembled features (then the label,
//! the instance weight and the validation indicator, when the job has them) as one
//! row-major matrix, with the group of every row — its cross-validation fold, or the
//! held-out test set.
//!
//! Every estimator reads the same [`Prepared`] partitions, and a fit learns from a
//! [`Subset`] of their groups, so one pass over the partitions can serve every fold's
//! fit of every grid point at once.
//!
//! The partitions are usually assembled once and kept ([`Parts::Kept`]). A job whose
//! assembled rows would not fit in memory next to its table can instead have each pass
//! assemble the partitions it reads again, one at a time ([`Parts::OnDemand`]): the
//! estimators that read the rows a few times only (the trees bin them once per fit) then
//! train in the memory of their own state.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use ndarray::Array2;

use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::assemble::{AssembledRows, Assembler};
use crate::ml::moments::{Moments, MomentsBuilder};
use crate::ml::scale::StandardScalerParams;

/// The table-wide number of each partition's first row.
pub fn row_offsets(partitions: &[RecordBatch]) -> Vec<u64> {
    let mut offsets = Vec::with_capacity(partitions.len());
    let mut next = 0u64;
    for p in partitions {
        offsets.push(next);
        next += p.num_rows() as u64;
    }
    offsets
}

/// What the columns of an assembled row hold: `features` values, then the label, the
/// weight and the validation indicator when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowLayout {
    pub features: usize,
    pub label: bool,
    pub weight: bool,
    /// Spark's `validationIndicatorCol` (GBT): 1 marks a row that a fit's training rows
    /// set apart to decide when boosting stops.
    pub validation: bool,
}

impl RowLayout {
    pub fn width(&self) -> usize {
        self.features + self.label as usize + self.weight as usize + self.validation as usize
    }

    /// Reads one assembled row's `values`.
    #[inline]
    fn row<'a>(&self, values: &'a [f64], group: u16, row: u64) -> Row<'a> {
        Row {
            features: &values[..self.features],
            label: if self.label {
                values[self.features]
            } else {
                f64::NAN
            },
            weight: if self.weight {
                values[self.features + self.label as usize]
            } else {
                1.0
            },
            validation: self.validation
                && values[self.features + self.label as usize + self.weight as usize] != 0.0,
            group,
            row,
        }
    }
}

/// One assembled row, as estimators read it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub features: &'a [f64],
    /// The label (a class index `0.0, 1.0, ...` for classifiers); NaN without one.
    pub label: f64,
    /// The instance weight (Spark's `weightCol`); 1 without one.
    pub weight: f64,
    /// A validation row (Spark's `validationIndicatorCol` is true): fits that stop early
    /// (GBT) score their iterations on it instead of training on it.
    pub validation: bool,
    /// The row's fold, or the test group.
    pub group: u16,
    /// The row's 0-based number in the table.
    pub row: u64,
}

/// One partition's assembled rows and the group (fold, or the test set) of each row.
pub struct Prepared {
    pub rows: AssembledRows,
    pub groups: Vec<u16>,
    pub layout: RowLayout,
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    fn values(&self) -> &[f64] {
        self.rows
            .values
            .as_slice()
            .expect("assembled rows are contiguous")
    }

    /// Every row with its label, weight and group.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        let layout = self.layout;
        let width = layout.width().max(1);
        self.values()
            .chunks_exact(width)
            .zip(&self.groups)
            .zip(&self.rows.row_numbers)
            .map(move |((values, &group), &row)| layout.row(values, group, row))
    }

    /// The `i`-th row of the partition (`i < len()`), for estimators that visit rows in
    /// their own order (e.g. one group at a time).
    #[inline]
    pub fn row(&self, i: usize) -> Row<'_> {
        let width = self.layout.width().max(1);
        self.layout.row(
            &self.values()[i * width..(i + 1) * width],
            self.groups[i],
            self.rows.row_numbers[i],
        )
    }

    /// Each row as `(features, label, group, row)` (training rows always have a label).
    pub fn labelled(&self) -> impl Iterator<Item = (&[f64], f64, u16, u64)> + '_ {
        self.iter().map(|r| (r.features, r.label, r.group, r.row))
    }

    /// Count, means and co-moments of the features alone, per group.
    pub fn group_feature_moments(&self, groups: usize) -> Vec<Moments> {
        let features = self.layout.features;
        let mut builders: Vec<MomentsBuilder> =
            (0..groups).map(|_| MomentsBuilder::new(features)).collect();
        for row in self.iter() {
            builders[row.group as usize].add(row.features);
        }
        builders.into_iter().map(MomentsBuilder::finish).collect()
    }

    /// The same rows with every feature vector replaced by `map(features, out)` (labels,
    /// weights and groups kept): how a StandardScaler stage's output is made.
    pub fn with_features_mapped(&self, map: impl Fn(&[f64], &mut [f64])) -> Result<Prepared> {
        let width = self.layout.width();
        let features = self.layout.features;
        let mut values = self.values().to_vec();
        let mut original = vec![0.0; features];
        for row in values.chunks_exact_mut(width) {
            original.copy_from_slice(&row[..features]);
            map(&original, &mut row[..features]);
        }
        let values = Array2::from_shape_vec((self.len(), width), values)
            .map_err(|e| Error::internal("mapping feature rows", e))?;
        Ok(Prepared {
            rows: AssembledRows {
                values,
                row_numbers: self.rows.row_numbers.clone(),
            },
            groups: self.groups.clone(),
            layout: self.layout,
        })
    }

    /// Count, means and co-moments of `[features, label]` per group (unweighted).
    pub fn group_moments(&self, groups: usize) -> Vec<Moments> {
        let width = self.layout.features + self.layout.label as usize;
        let mut builders: Vec<MomentsBuilder> =
            (0..groups).map(|_| MomentsBuilder::new(width)).collect();
        for (row, &group) in self
            .values()
            .chunks_exact(self.layout.width())
            .zip(&self.groups)
        {
            builders[group as usize].add(&row[..width]);
        }
        builders.into_iter().map(MomentsBuilder::finish).collect()
    }
}

/// A row's group from its table (by index) and its row number.
pub type GroupOf<'a> = dyn Fn(usize, u64) -> u16 + Sync + 'a;

/// Partitions assembled again by every pass that reads them: the table's batches, the
/// assembler and how each row is grouped.
pub struct OnDemand<'a> {
    /// Each partition's table (by index), batch and first row's number.
    batches: Vec<(usize, RecordBatch, u64)>,
    assembler: &'a Assembler,
    layout: RowLayout,
    group_of: &'a GroupOf<'a>,
}

impl<'a> OnDemand<'a> {
    /// The partitions of `batches` (table index, batch, first row's number), assembled by
    /// `assembler` into rows of `layout`, grouped by `group_of`.
    pub fn new(
        batches: Vec<(usize, RecordBatch, u64)>,
        assembler: &'a Assembler,
        layout: RowLayout,
        group_of: &'a GroupOf<'a>,
    ) -> Self {
        OnDemand {
            batches,
            assembler,
            layout,
            group_of,
        }
    }

    /// Partitions.
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// Partition `p` assembled.
    pub fn assemble(&self, p: usize) -> Result<Prepared> {
        let (t, batch, first) = &self.batches[p];
        let rows = self.assembler.rows(batch, *first)?;
        let groups = rows
            .row_numbers
            .iter()
            .map(|&row| (self.group_of)(*t, row))
            .collect();
        Ok(Prepared {
            rows,
            groups,
            layout: self.layout,
        })
    }
}

/// The partitions a pass reads: assembled once and kept, or assembled again by each
/// pass, one partition at a time.
#[derive(Clone, Copy)]
pub enum Parts<'a> {
    Kept(&'a [Prepared]),
    OnDemand(&'a OnDemand<'a>),
}

impl<'a> From<&'a [Prepared]> for Parts<'a> {
    fn from(parts: &'a [Prepared]) -> Self {
        Parts::Kept(parts)
    }
}

impl<'a> From<&'a Vec<Prepared>> for Parts<'a> {
    fn from(parts: &'a Vec<Prepared>) -> Self {
        Parts::Kept(parts)
    }
}

impl<'a> Parts<'a> {
    pub fn len(&self) -> usize {
        match self {
            Parts::Kept(parts) => parts.len(),
            Parts::OnDemand(source) => source.batches.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the rows hold (none when there are no partitions to tell).
    pub fn layout(&self) -> Option<RowLayout> {
        match self {
            Parts::Kept(parts) => parts.first().map(|p| p.layout),
            Parts::OnDemand(source) => Some(source.layout),
        }
    }

    /// `f(index, rows)` on every partition, in parallel; the results in partition order,
    /// or the first partition's error.
    pub fn map<R: Send>(&self, f: impl Fn(usize, &Prepared) -> Result<R> + Sync) -> Result<Vec<R>> {
        let results: Vec<Result<R>> = match self {
            Parts::Kept(parts) => parts
                .par_iter()
                .enumerate()
                .map(|(p, part)| f(p, part))
                .collect(),
            Parts::OnDemand(source) => (0..source.batches.len())
                .into_par_iter()
                .map(|p| f(p, &source.assemble(p)?))
                .collect(),
        };
        results.into_iter().collect()
    }

    /// The kept partitions, for the estimators that read every row many times (the
    /// tuning keeps their rows; rows assembled on demand are an internal error here).
    pub fn kept(&self) -> Result<&'a [Prepared]> {
        match self {
            Parts::Kept(parts) => Ok(parts),
            Parts::OnDemand(_) => Err(Error::new(
                ErrorCode::Internal,
                "this estimator needs its rows kept, but they were to be assembled on demand",
            )),
        }
    }
}

/// The rows one fit learns from: the training groups (`0..folds`) except the held-out
/// fold. CrossValidator's fold `f` fit is `{ folds, held_out: Some(f) }`; the refit of
/// the best point on all training rows is `{ folds, held_out: None }`. The test group
/// (`folds`) is never in a subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subset {
    pub folds: u16,
    pub held_out: Option<u16>,
}

impl Subset {
    pub fn contains(&self, group: u16) -> bool {
        group < self.folds && Some(group) != self.held_out
    }

    /// Whether a fit of this subset trains on `row`: a row of its groups that is not a
    /// validation row.
    pub fn trains_on(&self, row: &Row) -> bool {
        self.contains(row.group) && !row.validation
    }

    /// Whether `row` is one of this subset's validation rows.
    pub fn validates_on(&self, row: &Row) -> bool {
        self.contains(row.group) && row.validation
    }
}

/// Which columns [`TrainingData::moments_per_group`] summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentsOf {
    /// The features alone (what a StandardScaler learns from).
    Features,
    /// The features and the label (what a linear regression is solved from).
    FeaturesAndLabel,
}

/// Categorical features: feature index → number of categories (Spark's
/// `categoricalFeaturesInfo`, which it reads from StringIndexer's column metadata; see
/// [`crate::ml::attributes`]).
pub type CategoricalFeatures = BTreeMap<usize, usize>;

/// The rows fits learn from and what the job knows about them.
pub struct TrainingData<'a> {
    pub parts: Parts<'a>,
    /// The feature columns, in the order of each row's values.
    pub features: &'a [String],
    /// The label column (for messages), when there is one.
    pub label: Option<&'a str>,
    /// Classes of a classifier's label (indices `0..num_classes`); 0 otherwise.
    pub num_classes: usize,
    /// The features that are categorical, with their number of categories (Spark's
    /// nominal and binary attributes, which the tree learners split by category sets).
    pub categorical: &'a CategoricalFeatures,
    /// A StandardScaler stage fitted on each fit's training rows.
    pub scaler: Option<StandardScalerParams>,
    /// Groups the rows are split into (folds, then the test set).
    pub groups: usize,
}

impl TrainingData<'_> {
    /// Count, means and co-moments of each group's rows, in one parallel pass.
    pub fn moments_per_group(&self, of: MomentsOf, ctx: &JobContext) -> Result<Vec<Moments>> {
        let width = self.features.len() + (of == MomentsOf::FeaturesAndLabel) as usize;
        let per_part: Vec<Vec<Moments>> = self.parts.map(|_, part| {
            ctx.check()?;
            Ok(match of {
                MomentsOf::Features => part.group_feature_moments(self.groups),
                MomentsOf::FeaturesAndLabel => part.group_moments(self.groups),
            })
        })?;
        let mut total = vec![Moments::empty(width); self.groups];
        for part in &per_part {
            for (t, m) in total.iter_mut().zip(part) {
                t.merge(m);
            }
        }
        Ok(total)
    }
}
