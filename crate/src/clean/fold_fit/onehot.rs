//! The OneHotEncoder's share of the pass: the largest index per group of each input no
//! StringIndexer of the part made (an indexer's output takes its fit's labels instead),
//! then one fit's category sizes, refused where the encoder's own fit would fail.

use std::collections::HashMap;

use arrow_array::RecordBatch;

use crate::clean::columns::as_doubles;
use crate::clean::onehot::MAX_CATEGORIES;
use crate::clean::spec::OneHotEncoderFitted;
use crate::error::Result;

use super::FitRows;

/// Per input: the largest index of each group over the rows that reach the step, for
/// the `scanned` inputs (`None` for an indexer's output).
pub(super) fn gather(
    batch: &RecordBatch,
    scanned: &[Option<usize>],
    groups: &[u16],
    num_groups: usize,
    reaches: &dyn Fn(usize) -> bool,
) -> Result<Vec<Option<Vec<f64>>>> {
    scanned
        .iter()
        .map(|c| {
            c.map(|c| {
                let values = as_doubles(batch.column(c))?;
                let mut max = vec![-1.0f64; num_groups];
                for (i, v) in values.iter().enumerate() {
                    if let Some(v) = v.filter(|_| reaches(i)) {
                        let m = &mut max[groups[i] as usize];
                        *m = m.max(v);
                    }
                }
                Ok(max)
            })
            .transpose()
        })
        .collect()
}

/// A fit's OneHotEncoder state from each partition's [`gather`]: an indexer's labels
/// (`known`) for its outputs, the largest index of the fit's training rows for the other
/// inputs (`None` past the encoder's limits or without any index, where the fit's own
/// run fails).
pub(super) fn fitted(
    partitions: &[&[Option<Vec<f64>>]],
    scanned: &[Option<usize>],
    input_cols: &[String],
    known: &HashMap<String, Vec<String>>,
    rows: &FitRows,
) -> Option<OneHotEncoderFitted> {
    let mut sizes = Vec::with_capacity(input_cols.len());
    let mut names = Vec::with_capacity(input_cols.len());
    for (j, (input, column)) in input_cols.iter().zip(scanned).enumerate() {
        let labels = match (known.get(&input.to_lowercase()), column) {
            (Some(labels), _) => labels.clone(),
            (None, Some(_)) => {
                let mut max = -1.0f64;
                for maxima in partitions {
                    let by_group = maxima[j].as_ref()?;
                    for (g, &m) in by_group.iter().enumerate() {
                        if rows.trains(g as u16) {
                            max = max.max(m);
                        }
                    }
                }
                if max < 0.0 || max >= MAX_CATEGORIES as f64 {
                    return None;
                }
                (0..=max as usize).map(|i| i.to_string()).collect()
            }
            (None, None) => return None,
        };
        if labels.len() > MAX_CATEGORIES {
            return None;
        }
        sizes.push(labels.len());
        names.push(labels);
    }
    Some(OneHotEncoderFitted {
        category_sizes: sizes,
        category_names: names,
    })
}
