//! The first pass of every fit: how many rows it learns from, the first row it cannot
//! use, and the rows its initialisation draws.

use crate::error::{Error, ErrorCode};
use crate::ml::dataset::Subset;

use super::init::UniformSample;
use super::params::DistanceMeasure;
use super::pass::{Gather, Partition};

/// Rows with `‖x‖²` above this are refused: distances between such rows, and sums of
/// them over many rows, would overflow.
const MAX_NORM2: f64 = 1e300;

pub struct Survey {
    pub subset: Subset,
    pub measure: DistanceMeasure,
    /// The seed and size of the uniform sample to draw (size 0 for none).
    pub sample: (u64, usize),
}

pub struct SurveyPartial {
    pub rows: u64,
    /// The first row (lowest number) the fit cannot use.
    pub problem: Option<Problem>,
    pub sample: UniformSample,
}

/// A row a fit cannot use, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Problem {
    /// 0-based.
    pub row: u64,
    kind: ProblemKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ProblemKind {
    Weight(f64),
    NotFinite,
    TooLarge,
    ZeroVector,
}

impl Problem {
    pub fn error(&self) -> Error {
        let row = self.row + 1;
        let message = match self.kind {
            ProblemKind::Weight(w) => {
                format!("row {row} has weight {w}; instance weights must be finite and at least 0")
            }
            ProblemKind::NotFinite => format!(
                "row {row} has a NaN or infinite feature; set handleInvalid to skip to drop \
                 such rows, or fill them in first"
            ),
            ProblemKind::TooLarge => format!(
                "row {row} has feature values too large to cluster (a norm above about \
                 1e150, whose square overflows); rescale the columns first"
            ),
            ProblemKind::ZeroVector => format!(
                "row {row} is a zero vector (all its features are 0), and the cosine \
                 distance is not defined for it (Spark fails on it too); drop such rows \
                 or use the euclidean distance"
            ),
        };
        Error::new(ErrorCode::MlInput, message).at_row(row)
    }
}

impl Gather for Survey {
    type Partial = SurveyPartial;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> SurveyPartial {
        SurveyPartial {
            rows: 0,
            problem: None,
            sample: UniformSample::new(self.sample.0, self.sample.1),
        }
    }

    fn visit(&self, partial: &mut SurveyPartial, part: &Partition, rows: &[u32]) {
        partial.rows += rows.len() as u64;
        for &i in rows {
            let x = part.point(i);
            if partial.problem.is_none() {
                let norm2 = x.norm2();
                let kind = if !(x.weight >= 0.0 && x.weight.is_finite()) {
                    Some(ProblemKind::Weight(x.weight))
                } else if !x.features.iter().all(|v| v.is_finite()) {
                    Some(ProblemKind::NotFinite)
                } else if norm2 > MAX_NORM2 {
                    Some(ProblemKind::TooLarge)
                } else if self.measure == DistanceMeasure::Cosine && norm2 == 0.0 {
                    Some(ProblemKind::ZeroVector)
                } else {
                    None
                };
                partial.problem = kind.map(|kind| Problem { row: x.row, kind });
            }
            partial.sample.offer(&x);
        }
    }

    fn merge(&self, into: &mut SurveyPartial, other: SurveyPartial) {
        into.rows += other.rows;
        into.problem = match (into.problem, other.problem) {
            (Some(a), Some(b)) => Some(if b.row < a.row { b } else { a }),
            (a, b) => a.or(b),
        };
        into.sample.merge(other.sample);
    }
}
