//! Which steps of a pipeline part the shared pass covers and what it gathers for each,
//! decided from the schema before any row is read: kept apart from the pass so that the
//! rules saying when the folds fall back to their own refits sit in one place.

use std::collections::HashSet;

use arrow_schema::Schema;

use crate::clean::columns::resolve;
use crate::clean::spec::{HandleInvalid, ImputerStrategy, Step};
use crate::frame::Table;

/// What the pass gathers for one step of the shared part.
pub(super) enum Gather {
    Imputer {
        columns: Vec<usize>,
        strategy: ImputerStrategy,
        missing_value: Option<f64>,
    },
    Indexer {
        columns: Vec<usize>,
        /// Rows with a NULL input leave the rows the later steps see (`skip`).
        skips: bool,
    },
    /// Per input: the column whose largest index is learned, or `None` for an input a
    /// StringIndexer of the part made.
    OneHot(Vec<Option<usize>>),
    Nothing,
}

/// What the pass gathers for each step, or `None` when a step is not covered: a step
/// other than an estimator to fit or `cache`, or an estimator reading a column an
/// earlier step of the part rewrote (other than a OneHotEncoder of an indexer's output).
pub(super) fn plan(table: &Table, steps: &[Step]) -> Option<Vec<Gather>> {
    let schema = table.schema();
    let mut rewritten: HashSet<usize> = HashSet::new();
    let mut indexed: HashSet<String> = HashSet::new();
    let mut gathers = Vec::with_capacity(steps.len());
    for step in steps {
        let gather = match step {
            Step::Imputer {
                input_cols,
                output_cols,
                strategy,
                missing_value,
                fitted: None,
            } => {
                let columns = inputs(schema, input_cols, &rewritten)?;
                for (&i, output) in columns.iter().zip(output_cols) {
                    if resolve(schema, output).ok() == Some(i) {
                        rewritten.insert(i);
                    }
                }
                Gather::Imputer {
                    columns,
                    strategy: *strategy,
                    missing_value: *missing_value,
                }
            }
            Step::StringIndexer {
                input_cols,
                output_cols,
                handle_invalid,
                fitted: None,
                ..
            } => {
                let columns = inputs(schema, input_cols, &rewritten)?;
                indexed.extend(output_cols.iter().map(|o| o.to_lowercase()));
                Gather::Indexer {
                    columns,
                    skips: *handle_invalid == HandleInvalid::Skip,
                }
            }
            Step::OneHotEncoder {
                input_cols,
                fitted: None,
                ..
            } => Gather::OneHot(
                input_cols
                    .iter()
                    .map(|c| {
                        if indexed.contains(&c.to_lowercase()) {
                            Some(None)
                        } else {
                            column(schema, c, &rewritten).map(Some)
                        }
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            Step::Cache => Gather::Nothing,
            _ => return None,
        };
        gathers.push(gather);
    }
    Some(gathers)
}

/// The table's columns an estimator's inputs `names` read, or `None` when one is missing
/// or was rewritten by an earlier step of the part (the pass reads the table as it is
/// before the part, so such an input is not covered).
fn inputs(schema: &Schema, names: &[String], rewritten: &HashSet<usize>) -> Option<Vec<usize>> {
    names.iter().map(|c| column(schema, c, rewritten)).collect()
}

/// The table's column `name`, unless missing or `rewritten`.
fn column(schema: &Schema, name: &str, rewritten: &HashSet<usize>) -> Option<usize> {
    resolve(schema, name)
        .ok()
        .filter(|i| !rewritten.contains(i))
}
