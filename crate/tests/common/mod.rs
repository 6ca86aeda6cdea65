//! What several integration tests share: committed fixture tables read as the training
//! partitions estimators take.

use std::path::PathBuf;

use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout};
use ndarray::Array2;
use serde_json::Value;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ml")
}

/// A numeric fixture table (`tests/fixtures/ml/<name>.csv`), column by column.
pub struct Data {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

impl Data {
    /// The table in `csv` and the expected answers in `expected` (both in the fixtures).
    pub fn load(csv: &str, expected: &str) -> (Data, Value) {
        let text = std::fs::read_to_string(fixtures().join(csv)).unwrap();
        let mut lines = text.lines();
        let names: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let mut columns = vec![Vec::new(); names.len()];
        for line in lines {
            for (column, value) in columns.iter_mut().zip(line.split(',')) {
                column.push(value.parse().unwrap());
            }
        }
        let expected = std::fs::read_to_string(fixtures().join(expected)).unwrap();
        (
            Data { names, columns },
            serde_json::from_str(&expected).unwrap(),
        )
    }

    pub fn column(&self, name: &str) -> &[f64] {
        let i = self.names.iter().position(|n| n == name).unwrap();
        &self.columns[i]
    }

    pub fn rows(&self) -> usize {
        self.columns[0].len()
    }

    /// Row `i`'s `features`.
    #[allow(dead_code)] // not every test that shares this module reads single rows
    pub fn row(&self, features: &[String], i: usize) -> Vec<f64> {
        features.iter().map(|f| self.column(f)[i]).collect()
    }

    /// The rows as training partitions: `features`, the label, the `weight` column when
    /// given, split into `parts` uneven partitions, row `i` in group `group(i)`.
    pub fn prepared(
        &self,
        features: &[String],
        label: &str,
        weight: Option<&str>,
        parts: usize,
        group: impl Fn(usize) -> u16,
    ) -> Vec<Prepared> {
        self.prepared_with_validation(features, label, weight, None, parts, group)
    }

    /// [`Data::prepared`], with a validation indicator column (non-zero: a validation
    /// row) when `validation` names one.
    pub fn prepared_with_validation(
        &self,
        features: &[String],
        label: &str,
        weight: Option<&str>,
        validation: Option<&str>,
        parts: usize,
        group: impl Fn(usize) -> u16,
    ) -> Vec<Prepared> {
        let mut columns: Vec<&[f64]> = features.iter().map(|f| self.column(f)).collect();
        columns.push(self.column(label));
        columns.extend(weight.map(|w| self.column(w)));
        columns.extend(validation.map(|v| self.column(v)));
        let n = self.rows();
        // Uneven partitions: the k-th boundary at n·(k/parts)^1.3.
        let bounds: Vec<usize> = (0..=parts)
            .map(|k| (n as f64 * (k as f64 / parts as f64).powf(1.3)).round() as usize)
            .collect();
        bounds
            .windows(2)
            .map(|w| {
                let rows = w[0]..w[1];
                let values = Array2::from_shape_fn((rows.len(), columns.len()), |(r, c)| {
                    columns[c][rows.start + r]
                });
                Prepared {
                    rows: AssembledRows {
                        values,
                        row_numbers: rows.clone().map(|r| r as u64).collect(),
                    },
                    groups: rows.clone().map(&group).collect(),
                    layout: RowLayout {
                        features: features.len(),
                        label: true,
                        weight: weight.is_some(),
                        validation: validation.is_some(),
                    },
                }
            })
            .collect()
    }
}
