//! Where each row goes in a tuning job: a cross-validation fold (or TrainValidationSplit's
//! training or validation side), or the test set held out before tuning.
//!
//! Rows are assigned from the seed and their row number only ([`crate::random`]), so the
//! same seed gives the same folds whatever the partitioning or the number of threads.
//! Spark's assignment is random per row and depends on partitioning, so Spark itself would
//! not reproduce the same folds; the README says so.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::dataset::Subset;
use crate::random::{unit, Stream};

/// How the grid is evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Tuning {
    /// Spark's CrossValidator (numFolds default 3).
    #[serde(rename_all = "camelCase")]
    CrossValidator { num_folds: usize },
    /// Spark's TrainValidationSplit (trainRatio default 0.75).
    #[serde(rename_all = "camelCase")]
    TrainValidationSplit { train_ratio: f64 },
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning::CrossValidator { num_folds: 3 }
    }
}

/// Folds are numbered in 16 bits (with one more group for the test set).
pub const MAX_FOLDS: usize = 1000;

/// Where rows go: `folds` groups for tuning, then one group for the test set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    seed: u64,
    /// Tuning groups: the folds, or TrainValidationSplit's two sides (0 validates,
    /// 1 trains).
    folds: usize,
    test_fraction: f64,
    /// TrainValidationSplit: rows below this go to training (group 1), others validate.
    train_ratio: Option<f64>,
}

impl Split {
    /// The split a tuning asks for, with its parameters checked.
    pub fn new(tuning: &Tuning, test_fraction: f64, seed: u64) -> Result<Split> {
        if !(0.0..1.0).contains(&test_fraction) {
            return Err(Error::new(
                ErrorCode::MlInput,
                "the test fraction must be at least 0 and below 1",
            ));
        }
        match *tuning {
            Tuning::CrossValidator { num_folds } if (2..=MAX_FOLDS).contains(&num_folds) => {
                Ok(Split {
                    seed,
                    folds: num_folds,
                    test_fraction,
                    train_ratio: None,
                })
            }
            Tuning::CrossValidator { num_folds } => Err(Error::new(
                ErrorCode::MlInput,
                format!("numFolds must be between 2 and {MAX_FOLDS}, not {num_folds}"),
            )),
            Tuning::TrainValidationSplit { train_ratio }
                if train_ratio > 0.0 && train_ratio < 1.0 =>
            {
                Ok(Split {
                    seed,
                    folds: 2,
                    test_fraction,
                    train_ratio: Some(train_ratio),
                })
            }
            Tuning::TrainValidationSplit { train_ratio } => Err(Error::new(
                ErrorCode::MlInput,
                format!("trainRatio must be between 0 and 1, not {train_ratio}"),
            )),
        }
    }

    /// Every group: the tuning groups, then the test set.
    pub fn groups(&self) -> usize {
        self.folds + 1
    }

    /// The test set's group.
    pub fn test_group(&self) -> u16 {
        self.folds as u16
    }

    pub fn group_of(&self, row: u64) -> u16 {
        if self.test_fraction > 0.0 && unit(self.seed, Stream::TestSplit, row) < self.test_fraction
        {
            return self.test_group();
        }
        let u = unit(self.seed, Stream::Folds, row);
        let group = match self.train_ratio {
            Some(ratio) => (u < ratio) as usize,
            None => ((u * self.folds as f64) as usize).min(self.folds - 1),
        };
        group as u16
    }

    /// The groups whose held-out score counts (TrainValidationSplit: only group 0).
    pub fn evaluated_folds(&self) -> usize {
        if self.train_ratio.is_some() {
            1
        } else {
            self.folds
        }
    }

    /// The rows the model validated on group `fold` learns from.
    pub fn without_fold(&self, fold: usize) -> Subset {
        Subset {
            folds: self.folds as u16,
            held_out: Some(fold as u16),
        }
    }

    /// Every training row (all but the test set): where the best point is refitted.
    pub fn all_training(&self) -> Subset {
        Subset {
            folds: self.folds as u16,
            held_out: None,
        }
    }

    pub fn is_training(&self, group: u16) -> bool {
        group < self.test_group()
    }
}
